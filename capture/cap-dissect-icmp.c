/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-dissect-icmp.c: ICMP and ICMPv6, and the datagram an error quotes. */

#include "config.h"

#include "cap-dissect-private.h"

static const char *
icmp_type_name (guint8 type)
{
  switch (type)
    {
    case 0: return "Echo (ping) reply";
    case 3: return "Destination unreachable";
    case 4: return "Source quench";
    case 5: return "Redirect";
    case 8: return "Echo (ping) request";
    case 9: return "Router advertisement";
    case 10: return "Router solicitation";
    case 11: return "Time-to-live exceeded";
    case 12: return "Parameter problem";
    case 13: return "Timestamp request";
    case 14: return "Timestamp reply";
    default: return "Unknown";
    }
}

static const char *
icmp6_type_name (guint8 type)
{
  switch (type)
    {
    case 1: return "Destination unreachable";
    case 2: return "Packet too big";
    case 3: return "Time exceeded";
    case 4: return "Parameter problem";
    case 128: return "Echo (ping) request";
    case 129: return "Echo (ping) reply";
    case 130: return "Multicast Listener Query";
    case 131: return "Multicast Listener Report";
    case 132: return "Multicast Listener Done";
    case 133: return "Router solicitation";
    case 134: return "Router advertisement";
    case 135: return "Neighbor solicitation";
    case 136: return "Neighbor advertisement";
    case 137: return "Redirect";
    case 143: return "Multicast listener report v2";
    default: return "Unknown";
    }
}

static const char *
icmp_unreach_name (guint8 code)
{
  static const char *names[] = {
    "network unreachable", "host unreachable", "protocol unreachable", "port unreachable",
    "fragmentation needed", "source route failed", "destination network unknown",
    "destination host unknown", "source host isolated", "network administratively prohibited",
    "host administratively prohibited", "network unreachable for TOS",
    "host unreachable for TOS", "communication administratively prohibited",
    "host precedence violation", "precedence cutoff in effect",
  };

  return code < G_N_ELEMENTS (names) ? names[code] : NULL;
}

static const char *
icmp6_unreach_name (guint8 code)
{
  static const char *names[] = {
    "no route to destination", "administratively prohibited", "beyond scope of source address",
    "address unreachable", "port unreachable", "source address failed policy",
    "reject route to destination",
  };

  return code < G_N_ELEMENTS (names) ? names[code] : NULL;
}

/* Why a destination was unreachable, for the inspector and the timeline. */
const char *
cap_dissect_icmp_unreach_name (gboolean v6,
                               guint8   code)
{
  return v6 ? icmp6_unreach_name (code) : icmp_unreach_name (code);
}

/* An ICMP error quotes the datagram that caused it: dissect that with the
 * same code into a scratch summary (on the stack), then copy what matters. */
static void
dissect_quoted (CapDissect *d,
                CapCursor  *c)
{
  CapSummary inner = { 0 };
  CapSummary *outer = d->sum;
  CapCursor q = *c;
  guint16 base = d->base, depth = d->depth;
  guint8 layer = d->layer;
  guint8 vhl;

  if (d->quoted || cap_cursor_reported_left (c) == 0)
    {
      cap_dissect_data (d, c, "Data", cap_cursor_reported_left (c));
      return;
    }
  if (!cap_get_u8 (&q, &vhl))
    return;  /* the outer check reports the cut */
  q.pos--;

  inner.wscale = -1;
  d->sum = &inner;
  d->quoted++;
  d->base = d->depth;
  cap_dissect_ip (d, &q, vhl >> 4);
  d->quoted--;
  d->sum = outer;
  d->base = base;
  d->depth = depth;
  d->layer = layer;

  if (inner.family != 0)
    {
      outer->flags |= CAP_SUMMARY_QUOTED;
      outer->quoted_family = inner.family;
      outer->quoted_proto = inner.ip_proto;
      outer->quoted_sport = inner.sport;
      outer->quoted_dport = inner.dport;
      memcpy (outer->quoted_src, inner.src, 16);
      memcpy (outer->quoted_dst, inner.dst, 16);
    }
}

static gboolean
icmp_is_error (gboolean v6,
               guint8   type)
{
  if (v6)
    return type >= 1 && type <= 4;
  return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

void
cap_dissect_icmp (CapDissect *d,
                  CapCursor  *c,
                  gboolean    v6)
{
  CapSummary *s = d->sum;
  guint32 start = c->pos;
  guint8 type = 0, code = 0;
  guint16 csum;
  gboolean ok = FALSE;
  gint index;

  s->transport_offset = start;
  index = layer_begin (d, CAP_LAYER_TRANSPORT,
                       v6 ? "Internet Control Message Protocol v6"
                          : "Internet Control Message Protocol", start);
  {
    guint32 off = c->pos;

    if (!cap_get_u8 (c, &type))
      {
        cap_dissect_fail (d, c, "Type", 1);
        goto out;
      }
    s->icmp_type = type;
    add_uint (d, "Type", off, 1, type, "%u (%s)", type,
              v6 ? icmp6_type_name (type) : icmp_type_name (type));
  }
  if (!field_u8 (d, c, "Code", &code))
    goto out;
  s->icmp_code = code;
  if (!field_checksum (d, c, &csum))
    goto out;

  if ((!v6 && (type == 0 || type == 8)) || (v6 && (type == 128 || type == 129)))
    {
      guint32 off = c->pos;

      if (!cap_get_u16be (c, &s->icmp_id))
        {
          cap_dissect_fail (d, c, "Identifier", 2);
          goto out;
        }
      add_uint (d, "Identifier", off, 2, s->icmp_id, "%u (0x%04x)", s->icmp_id, s->icmp_id);
      if (!field_u16 (d, c, "Sequence number", FALSE, &s->icmp_seq))
        goto out;
    }
  else if (icmp_is_error (v6, type))
    {
      guint32 value;

      if ((!v6 && type == 3 && code == 4) || (v6 && type == 2))
        {
          guint16 unused, mtu = 0;
          guint32 mtu32 = 0;

          if (v6 ? !field_u32 (d, c, "MTU", FALSE, &mtu32)
                 : (!field_u16 (d, c, "Unused", TRUE, &unused)
                    || !field_u16 (d, c, "MTU of next hop", FALSE, &mtu)))
            goto out;
        }
      else if (!v6 && type == 5)
        {
          guint8 gw[16];

          if (!cap_dissect_field_addr (d, c, "Gateway address", 4, gw))
            goto out;
        }
      else if (v6 && type == 4)
        {
          if (!field_u32 (d, c, "Pointer", FALSE, &value))
            goto out;
        }
      else if (!v6 && type == 12)
        {
          guint8 pointer;

          if (!field_u8 (d, c, "Pointer", &pointer) || !cap_cursor_skip (c, 3))
            {
              if (c->error != CAP_CURSOR_OK)
                cap_dissect_fail (d, c, "Unused", 3);
              goto out;
            }
        }
      else if (!field_u32 (d, c, "Unused", TRUE, &value))
        goto out;
    }
  else
    {
      /* other messages: the body is shown as data below */
    }
  ok = TRUE;
  s->flags |= CAP_SUMMARY_TRANSPORT;
  s->payload_offset = c->pos;
  s->payload_len = cap_cursor_reported_left (c);

out:
  if (TREE (d))
    {
      const char *name = v6 ? "Internet Control Message Protocol v6"
                            : "Internet Control Message Protocol";
      const char *detail = NULL;

      if (ok && !v6 && type == 3)
        detail = icmp_unreach_name (code);
      else if (ok && v6 && type == 1)
        detail = icmp6_unreach_name (code);
      if (c->pos > start)
        layer_end (d, index, c->pos, "%s, %s%s%s%s", name,
                   v6 ? icmp6_type_name (type) : icmp_type_name (type),
                   detail ? " (" : "", detail ? detail : "", detail ? ")" : "");
      else
        layer_end (d, index, c->pos, "%s", name);
    }
  else
    layer_end (d, index, c->pos, NULL);

  if (!ok)
    return;
  if (icmp_is_error (v6, type))
    {
      d->depth = d->base + 1;
      d->layer = CAP_LAYER_TRANSPORT;
      /* the quote nests under the ICMP node, as in Wireshark */
      d->last_at_depth[d->base] = index;
      dissect_quoted (d, c);
    }
  else
    cap_dissect_data (d, c, "Data", s->payload_len);
}

