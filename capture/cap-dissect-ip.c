/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-dissect-ip.c: IPv4 (options, fragments), IPv6 (extension headers), and
 * the dispatch to the transport layer by protocol number. */

#include "config.h"

#include "cap-dissect-private.h"

/* Protocol numbers, named: one table for the inspector's "Protocol" field,
 * the timeline's text, and which numbers are IPv6 extension headers. */
static const struct
{
  guint8      proto;
  const char *name;
  const char *ext_header;   /* an IPv6 extension header's full name, or NULL */
} ip_protos[] = {
  { IPPROTO_HOPOPTS, "IPv6 Hop-by-Hop Option", "IPv6 Hop-by-Hop Option" },
  { IPPROTO_ICMP, "ICMP", NULL },
  { IPPROTO_IGMP, "IGMP", NULL },
  { IPPROTO_IPIP, "IPv4", NULL },
  { IPPROTO_TCP, "TCP", NULL },
  { IPPROTO_UDP, "UDP", NULL },
  { IPPROTO_IPV6, "IPv6", NULL },
  { IPPROTO_ROUTING, "IPv6 Routing", "Routing Header for IPv6" },
  { IPPROTO_FRAGMENT, "IPv6 Fragment", "Fragment Header for IPv6" },
  { IPPROTO_GRE, "GRE", NULL },
  { IPPROTO_ESP, "ESP", NULL },
  { IPPROTO_AH, "AH", "Authentication Header" },
  { IPPROTO_ICMPV6, "ICMPv6", NULL },
  { IPPROTO_NONE, "IPv6 No Next Header", NULL },
  { IPPROTO_DSTOPTS, "IPv6 Destination Options", "Destination Options for IPv6" },
  { IPPROTO_SCTP, "SCTP", NULL },
};

static gint
ip_proto_index (guint8 proto)
{
  for (guint i = 0; i < G_N_ELEMENTS (ip_protos); i++)
    if (ip_protos[i].proto == proto)
      return i;
  return -1;
}

const char *
cap_ip_proto_name (guint8 ip_proto)
{
  gint i = ip_proto_index (ip_proto);

  return i >= 0 ? ip_protos[i].name : NULL;
}

static void
dissect_icmpv4 (CapDissect *d,
                CapCursor  *c)
{
  cap_dissect_icmp (d, c, FALSE);
}

static void
dissect_icmpv6 (CapDissect *d,
                CapCursor  *c)
{
  cap_dissect_icmp (d, c, TRUE);
}

static void
dissect_nothing (CapDissect *d,
                 CapCursor  *c)
{
}

/* The transport layers by protocol number. @family: the only IP version
 * that carries it (ICMP in IPv6 is just data), 0 for both. */
static const struct
{
  guint8  proto;
  guint8  family;
  void  (*dissect) (CapDissect *d, CapCursor *c);
} transports[] = {
  { IPPROTO_TCP, 0, cap_dissect_tcp },
  { IPPROTO_UDP, 0, cap_dissect_udp },
  { IPPROTO_ICMP, 4, dissect_icmpv4 },
  { IPPROTO_ICMPV6, 6, dissect_icmpv6 },
  { IPPROTO_NONE, 0, dissect_nothing },
};

static void
dissect_transport (CapDissect *d,
                   CapCursor  *c,
                   guint8      proto,
                   guint8      family)
{
  for (guint i = 0; i < G_N_ELEMENTS (transports); i++)
    if (transports[i].proto == proto)
      {
        if (transports[i].family == 0 || transports[i].family == family)
          transports[i].dissect (d, c);
        else
          cap_dissect_data (d, c, "Data", cap_cursor_reported_left (c));
        return;
      }
  /* a protocol not dissected: its bytes are the payload */
  d->sum->payload_offset = c->pos;
  d->sum->payload_len = cap_cursor_reported_left (c);
  cap_dissect_data (d, c, "Data", cap_cursor_reported_left (c));
}

static gint
add_proto (CapDissect *d,
           const char *name,
           guint32     offset,
           guint8      proto)
{
  const char *pname = cap_ip_proto_name (proto);

  return add_uint (d, name, offset, 1, proto, "%s (%u)", pname ? pname : "Unknown", proto);
}

/* One's-complement sum over the IPv4 header, for the inspector only. */
static guint16
ipv4_header_checksum (CapCursor c,
                      guint32   start,
                      guint32   hlen)
{
  guint32 sum = 0;

  c.pos = start;
  for (guint32 i = 0; i + 1 < hlen; i += 2)
    {
      guint16 w;

      if (!cap_get_u16be (&c, &w))
        return 0;
      if (i != 10)
        sum += w;
    }
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (guint16) ~sum;
}

static const char *
ipv4_option_name (guint8 type)
{
  switch (type)
    {
    case 0: return "End of Options List (EOL)";
    case 1: return "No-Operation (NOP)";
    case 7: return "Record Route";
    case 68: return "Time Stamp";
    case 130: return "Security";
    case 131: return "Loose Source Route";
    case 137: return "Strict Source Route";
    case 148: return "Router Alert";
    default: return "Unknown option";
    }
}

static void
dissect_ipv4_options (CapDissect *d,
                      CapCursor  *c)
{
  for (guint n = 0; cap_cursor_reported_left (c) > 0 && n < 40; n++)
    {
      guint32 offset = c->pos;
      guint8 type, optlen;

      if (!cap_get_u8 (c, &type))
        {
          cap_dissect_fail (d, c, "IP option", 1);
          return;
        }
      if (type == 0 || type == 1)
        {
          add_text (d, "IP option", offset, 1, "%s", ipv4_option_name (type));
          if (type == 0)
            return;
          continue;
        }
      if (!cap_get_u8 (c, &optlen))
        {
          cap_dissect_fail (d, c, "IP option length", 1);
          return;
        }
      if (optlen < 2 || optlen - 2u > cap_cursor_reported_left (c))
        {
          cap_dissect_malformed (d, offset + 1, "IP option %u has length %u", type, optlen);
          return;
        }
      if (!cap_cursor_skip (c, optlen - 2u))
        {
          cap_dissect_fail (d, c, ipv4_option_name (type), optlen - 2u);
          return;
        }
      add_text (d, "IP option", offset, optlen, "%s (%u bytes)", ipv4_option_name (type), optlen);
    }
}

/* Sets how long the datagram is, from its length field; the cursor is
 * narrowed to it, so the transport cannot read past the IP payload. */
static void
limit_datagram (CapDissect *d,
                CapCursor  *c,
                guint32     start,
                guint32     length_field,
                guint32     dgram_len,
                const char *what)
{
  guint32 avail = c->reported_end - start;

  if (d->quoted)
    dgram_len = avail;  /* a quote is cut short on purpose */
  else if (dgram_len > avail)
    {
      cap_dissect_malformed (d, length_field, "%s says %u bytes, but the frame has only %u after the header start",
                             what, dgram_len, avail);
      dgram_len = avail;
    }
  d->sum->ip_len = dgram_len;
  c->reported_end = MAX (start + dgram_len, c->pos);
  c->captured_end = MIN (c->captured_end, c->reported_end);
}

static void
dissect_ipv4 (CapDissect *d,
              CapCursor  *c)
{
  CapSummary *s = d->sum;
  guint32 start = c->pos;
  guint8 vhl = 0, tos, ttl = 0, proto = 0;
  guint16 tot_len = 0, id, frag = 0, csum;
  guint8 src[16] = { 0 }, dst[16] = { 0 };
  guint32 hlen;
  gint index;
  gboolean ok = FALSE;

  s->network_offset = start;
  index = layer_begin (d, CAP_LAYER_NETWORK, "Internet Protocol Version 4", start);
  if (!cap_get_u8 (c, &vhl))
    {
      cap_dissect_fail (d, c, "Version", 1);
      goto out;
    }
  hlen = (vhl & 0x0f) * 4u;
  add_uint (d, "Version", start, 1, vhl >> 4, "%u", vhl >> 4);
  add_uint (d, "Header length", start, 1, vhl & 0x0f, "%u bytes (%u)", hlen, vhl & 0x0f);
  if ((vhl >> 4) != 4)
    {
      cap_dissect_malformed (d, start, "IP version %u where IPv4 was expected", vhl >> 4);
      goto out;
    }
  if (hlen < 20)
    {
      cap_dissect_malformed (d, start, "IPv4 header length %u is less than 20", hlen);
      goto out;
    }

  {
    guint32 off = c->pos;

    if (!cap_get_u8 (c, &tos))
      {
        cap_dissect_fail (d, c, "Differentiated services", 1);
        goto out;
      }
    add_uint (d, "Differentiated services", off, 1, tos, "0x%02x (DSCP %u, ECN %u)",
              tos, tos >> 2, tos & 3);
  }
  if (!field_u16 (d, c, "Total length", FALSE, &tot_len))
    goto out;
  if (tot_len != 0 && tot_len < hlen && !d->quoted)
    {
      cap_dissect_malformed (d, start + 2, "IPv4 total length %u is less than the header length %u",
                             tot_len, hlen);
      goto out;
    }
  /* 0 appears in captures of outgoing TSO packets: use the frame's length */
  limit_datagram (d, c, start, start + 2, tot_len ? tot_len : c->reported_end - start,
                  "IPv4 total length");

  {
    guint32 off = c->pos;

    if (!cap_get_u16be (c, &id))
      {
        cap_dissect_fail (d, c, "Identification", 2);
        goto out;
      }
    s->ip_id = id;
    add_uint (d, "Identification", off, 2, id, "0x%04x (%u)", id, id);
    off = c->pos;
    if (!cap_get_u16be (c, &frag))
      {
        cap_dissect_fail (d, c, "Flags", 2);
        goto out;
      }
    if (TREE (d))
      {
        gint fi = add_uint (d, "Flags", off, 1, frag >> 13, "0x%x%s%s", frag >> 13,
                            frag & 0x4000 ? ", Don't fragment" : "",
                            frag & 0x2000 ? ", More fragments" : "");

        tree_get (d, fi)->is_network_order = FALSE;
        d->depth++;
        add_uint (d, "Reserved bit", off, 1, (frag >> 15) & 1, "%s", frag & 0x8000 ? "Set" : "Not set");
        add_uint (d, "Don't fragment", off, 1, (frag >> 14) & 1, "%s", frag & 0x4000 ? "Set" : "Not set");
        add_uint (d, "More fragments", off, 1, (frag >> 13) & 1, "%s", frag & 0x2000 ? "Set" : "Not set");
        d->depth--;
        add_uint (d, "Fragment offset", off, 2, frag & 0x1fff, "%u bytes (%u)",
                  (frag & 0x1fffu) * 8, frag & 0x1fff);
      }
    s->frag_offset = (frag & 0x1fffu) * 8;
    if ((frag & 0x2000) || (frag & 0x1fff))
      s->flags |= CAP_SUMMARY_FRAGMENT;
  }
  if (!field_u8 (d, c, "Time to live", &ttl))
    goto out;
  s->ttl = ttl;
  {
    guint32 off = c->pos;

    if (!cap_get_u8 (c, &proto))
      {
        cap_dissect_fail (d, c, "Protocol", 1);
        goto out;
      }
    s->ip_proto = proto;
    add_proto (d, "Protocol", off, proto);
  }
  {
    guint32 off = c->pos;

    if (!cap_get_u16be (c, &csum))
      {
        cap_dissect_fail (d, c, "Header checksum", 2);
        goto out;
      }
    if (TREE (d))
      {
        guint16 good = ipv4_header_checksum (*c, start, MIN (hlen, c->captured_end - start));

        if (hlen <= c->captured_end - start)
          add_uint (d, "Header checksum", off, 2, csum, "0x%04x [%s]", csum,
                    good == csum ? "correct" : "incorrect");
        else
          add_uint (d, "Header checksum", off, 2, csum, "0x%04x [unverified]", csum);
      }
  }
  if (!cap_dissect_field_addr (d, c, "Source address", 4, src)
      || !cap_dissect_field_addr (d, c, "Destination address", 4, dst))
    goto out;
  memcpy (s->src, src, 4);
  memcpy (s->dst, dst, 4);
  s->family = 4;

  if (hlen > 20)
    {
      CapCursor oc = *c;
      gint oi;

      cap_cursor_limit (&oc, hlen - 20);
      oi = node_begin (d, "Options", c->pos);
      dissect_ipv4_options (d, &oc);
      cap_dissect_node_end (d, oi, MIN (start + hlen, c->captured_end), "Options: (%u bytes)", hlen - 20);
      if (!cap_cursor_skip (c, hlen - 20))
        {
          if (oc.error == CAP_CURSOR_OK)
            cap_dissect_fail (d, c, "IP options", hlen - 20);
          goto out;
        }
    }
  ok = TRUE;

out:
  if (TREE (d))
    {
      char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

      cap_dissect_format_addr (4, src, a, sizeof a);
      cap_dissect_format_addr (4, dst, b, sizeof b);
      if (s->family == 4)
        layer_end (d, index, c->pos, "Internet Protocol Version 4, Src: %s, Dst: %s", a, b);
      else
        layer_end (d, index, c->pos, "Internet Protocol Version 4");
    }
  else
    layer_end (d, index, c->pos, NULL);

  if (!ok)
    return;
  if (frag & 0x1fff)
    {
      /* only the first fragment starts with the transport header */
      s->payload_offset = c->pos;
      s->payload_len = cap_cursor_reported_left (c);
      cap_dissect_data (d, c, "Fragment data", s->payload_len);
      return;
    }
  dissect_transport (d, c, proto, 4);
}

static gboolean
ipv6_is_extension (guint8 nxt)
{
  gint i = ip_proto_index (nxt);

  return i >= 0 && ip_protos[i].ext_header != NULL;
}

static const char *
ipv6_option_name (guint8 type)
{
  switch (type)
    {
    case 0x00: return "Pad1";
    case 0x01: return "PadN";
    case 0x04: return "Tunnel encapsulation limit";
    case 0x05: return "Router alert";
    case 0x26: return "Quick-Start";
    case 0x63: return "RPL option";
    case 0xc2: return "Jumbo payload";
    case 0xc9: return "Home address";
    default: return "Unknown option";
    }
}

/* Hop-by-hop and destination options share one TLV format. */
static void
dissect_ipv6_options (CapDissect *d,
                      CapCursor  *c)
{
  for (guint n = 0; cap_cursor_reported_left (c) > 0 && n < 256; n++)
    {
      guint32 offset = c->pos;
      guint8 type, optlen;

      if (!cap_get_u8 (c, &type))
        {
          cap_dissect_fail (d, c, "IPv6 option", 1);
          return;
        }
      if (type == 0)
        {
          add_text (d, "IPv6 option", offset, 1, "Pad1");
          continue;
        }
      if (!cap_get_u8 (c, &optlen))
        {
          cap_dissect_fail (d, c, "IPv6 option length", 1);
          return;
        }
      if (optlen > cap_cursor_reported_left (c))
        {
          cap_dissect_malformed (d, offset + 1, "IPv6 option 0x%02x has length %u, %u bytes left",
                                 type, optlen, cap_cursor_reported_left (c));
          return;
        }
      if (type == 0xc2 && optlen == 4)
        {
          guint32 jumbo;

          if (!cap_get_u32be (c, &jumbo))
            {
              cap_dissect_fail (d, c, "Jumbo payload length", 4);
              return;
            }
          if (TREE (d))
            {
              gint ji = add_uint (d, "Jumbo payload length", offset, 6, jumbo, "%u", jumbo);

              tree_get (d, ji)->is_network_order = TRUE;  /* a u32 in a 6-byte option */
            }
          continue;
        }
      if (!cap_cursor_skip (c, optlen))
        {
          cap_dissect_fail (d, c, ipv6_option_name (type), optlen);
          return;
        }
      add_text (d, "IPv6 option", offset, 2u + optlen, "%s (0x%02x, %u bytes)",
                ipv6_option_name (type), type, 2u + optlen);
    }
}

static const char *
ipv6_ext_name (guint8 nxt)
{
  gint i = ip_proto_index (nxt);

  return i >= 0 && ip_protos[i].ext_header ? ip_protos[i].ext_header : "IPv6 extension header";
}

/* One extension header; returns FALSE to stop. Sets *nxt to the next one. */
static gboolean
dissect_ipv6_ext (CapDissect *d,
                  CapCursor  *c,
                  guint8     *nxt,
                  gboolean   *later_fragment)
{
  CapSummary *s = d->sum;
  guint8 this = *nxt, next = 0, hlen8 = 0;
  guint32 start = c->pos, total;
  gboolean ok = FALSE;
  gint index;

  index = node_begin (d, ipv6_ext_name (this), start);
  {
    guint32 off = c->pos;

    if (!cap_get_u8 (c, &next))
      {
        cap_dissect_fail (d, c, "Next header", 1);
        goto out;
      }
    add_proto (d, "Next header", off, next);
  }

  if (this == IPPROTO_FRAGMENT)
    {
      guint8 reserved;
      guint16 offm;
      guint32 ident = 0;

      total = 8;
      if (!field_u8 (d, c, "Reserved", &reserved))
        goto out;
      {
        guint32 off = c->pos;

        if (!cap_get_u16be (c, &offm))
          {
            cap_dissect_fail (d, c, "Offset", 2);
            goto out;
          }
        add_uint (d, "Offset", off, 2, offm >> 3, "%u bytes (%u)", (offm >> 3) * 8u, offm >> 3);
        add_uint (d, "More fragments", off + 1, 1, offm & 1, "%s", offm & 1 ? "Yes" : "No");
      }
      if (!field_u32 (d, c, "Identification", TRUE, &ident))
        goto out;
      s->flags |= CAP_SUMMARY_FRAGMENT;
      s->frag_offset = (offm >> 3) * 8u;
      s->ip_id = ident;
      *later_fragment = (offm >> 3) != 0;
    }
  else
    {
      if (!field_u8 (d, c, "Length", &hlen8))
        goto out;
      /* AH counts 4-byte units minus 2, the others 8-byte units minus 1 */
      total = this == IPPROTO_AH ? (hlen8 + 2u) * 4 : (hlen8 + 1u) * 8;
      if (TREE (d))
        {
          CapField *f = tree_get (d, d->fields->len - 1);

          g_free (f->display);
          f->display = g_strdup_printf ("Length: %u (%u bytes)", hlen8, total);
        }
      if (total > c->reported_end - start)
        {
          cap_dissect_malformed (d, start + 1, "%s is %u bytes, but only %u are left",
                                 ipv6_ext_name (this), total, c->reported_end - start);
          goto out;
        }
      if (this == IPPROTO_HOPOPTS || this == IPPROTO_DSTOPTS)
        {
          CapCursor oc = *c;

          cap_cursor_limit (&oc, total - 2);
          dissect_ipv6_options (d, &oc);
          if (oc.error != CAP_CURSOR_OK)
            goto out;
        }
      else if (this == IPPROTO_ROUTING)
        {
          guint8 rtype, left;

          if (!field_u8 (d, c, "Type", &rtype) || !field_u8 (d, c, "Segments left", &left))
            goto out;
          if (total > 4)
            add_text (d, "Type-specific data", c->pos,
                      MIN (total - 4, cap_cursor_captured_left (c)), "%u bytes", total - 4);
        }
      if (!cap_cursor_skip (c, total - (c->pos - start)))
        {
          cap_dissect_fail (d, c, ipv6_ext_name (this), total - (c->pos - start));
          goto out;
        }
    }
  *nxt = next;
  ok = TRUE;

out:
  cap_dissect_node_end (d, index, c->pos, NULL);
  return ok;
}

static void
dissect_ipv6 (CapDissect *d,
              CapCursor  *c)
{
  CapSummary *s = d->sum;
  guint32 start = c->pos, vtf = 0;
  guint16 plen = 0;
  guint8 nxt = 0, hlim = 0;
  guint8 src[16] = { 0 }, dst[16] = { 0 };
  gboolean ok = FALSE, later_fragment = FALSE;
  guint n;
  gint index;

  s->network_offset = start;
  index = layer_begin (d, CAP_LAYER_NETWORK, "Internet Protocol Version 6", start);
  if (!cap_get_u32be (c, &vtf))
    {
      cap_dissect_fail (d, c, "Version, traffic class and flow label", 4);
      goto out;
    }
  if (TREE (d))
    {
      gint i;

      add_uint (d, "Version", start, 1, vtf >> 28, "%u", vtf >> 28);
      i = add_uint (d, "Traffic class", start, 2, (vtf >> 20) & 0xff, "0x%02x (DSCP %u, ECN %u)",
                    (vtf >> 20) & 0xff, (vtf >> 22) & 0x3f, (vtf >> 20) & 3);
      tree_get (d, i)->is_network_order = FALSE;  /* 8 bits straddling two bytes */
      add_uint (d, "Flow label", start + 1, 3, vtf & 0xfffff, "0x%05x", vtf & 0xfffff);
    }
  if ((vtf >> 28) != 6)
    {
      cap_dissect_malformed (d, start, "IP version %u where IPv6 was expected", vtf >> 28);
      goto out;
    }
  if (!field_u16 (d, c, "Payload length", FALSE, &plen))
    goto out;
  /* 0 means a jumbogram or a TSO capture: the frame says how long */
  limit_datagram (d, c, start, start + 4, plen ? 40u + plen : c->reported_end - start,
                  "IPv6 payload length");
  {
    guint32 off = c->pos;

    if (!cap_get_u8 (c, &nxt))
      {
        cap_dissect_fail (d, c, "Next header", 1);
        goto out;
      }
    add_proto (d, "Next header", off, nxt);
  }
  if (!field_u8 (d, c, "Hop limit", &hlim))
    goto out;
  s->ttl = hlim;
  if (!cap_dissect_field_addr (d, c, "Source address", 6, src)
      || !cap_dissect_field_addr (d, c, "Destination address", 6, dst))
    goto out;
  memcpy (s->src, src, 16);
  memcpy (s->dst, dst, 16);
  s->family = 6;

  /* each header is at least 8 bytes, but a bound keeps the walk cheap
   * whatever the lengths say */
  for (n = 0; n < CAP_MAX_IPV6_EXT && ipv6_is_extension (nxt) && !later_fragment; n++)
    if (!dissect_ipv6_ext (d, c, &nxt, &later_fragment))
      goto out;
  if (n == CAP_MAX_IPV6_EXT && ipv6_is_extension (nxt))
    {
      cap_dissect_malformed (d, c->pos, "more than %u IPv6 extension headers", CAP_MAX_IPV6_EXT);
      goto out;
    }
  s->ip_proto = nxt;
  ok = TRUE;

out:
  if (TREE (d))
    {
      char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

      cap_dissect_format_addr (6, src, a, sizeof a);
      cap_dissect_format_addr (6, dst, b, sizeof b);
      if (s->family == 6)
        layer_end (d, index, c->pos, "Internet Protocol Version 6, Src: %s, Dst: %s", a, b);
      else
        layer_end (d, index, c->pos, "Internet Protocol Version 6");
    }
  else
    layer_end (d, index, c->pos, NULL);

  if (!ok)
    return;
  if (later_fragment)
    {
      s->payload_offset = c->pos;
      s->payload_len = cap_cursor_reported_left (c);
      cap_dissect_data (d, c, "Fragment data", s->payload_len);
      return;
    }
  dissect_transport (d, c, nxt, 6);
}

/* The version nibble decides, whatever the link layer claimed. */
void
cap_dissect_ip (CapDissect *d,
                CapCursor  *c,
                guint8      version)
{
  if (version == 6)
    dissect_ipv6 (d, c);
  else
    dissect_ipv4 (d, c);
}

