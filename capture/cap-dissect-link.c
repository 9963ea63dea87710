/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-dissect-link.c: the link layers: Ethernet (and VLAN tags), Linux cooked
 * capture v1 and v2, raw IP, BSD null/loopback; a table by link type. */

#include "config.h"

#include "cap-dissect-private.h"

/* EtherTypes: what each is called, which IP version it carries, and which
 * are VLAN tags (followed by another EtherType). */
static const struct
{
  guint16     type;
  const char *name;
  guint8      ip_version;
  gboolean    vlan;
} ethertypes[] = {
  { 0x0800, "IPv4", 4, FALSE },
  { 0x0806, "ARP", 0, FALSE },
  { 0x86dd, "IPv6", 6, FALSE },
  { 0x8100, "802.1Q Virtual LAN", 0, TRUE },
  { 0x88a8, "802.1ad", 0, TRUE },
  { 0x9100, "802.1Q (QinQ)", 0, TRUE },
  { 0x88cc, "LLDP", 0, FALSE },
  { 0x8035, "RARP", 0, FALSE },
  { 0x888e, "802.1X Authentication", 0, FALSE },
  { 0x8863, "PPPoE Discovery", 0, FALSE },
  { 0x8864, "PPPoE Session", 0, FALSE },
  { 0x8847, "MPLS label switched packet", 0, FALSE },
  { 0x88f7, "PTPv2 over Ethernet (IEEE1588)", 0, FALSE },
  { 0x0842, "Wake on LAN", 0, FALSE },
};

static gint
ethertype_index (guint16 type)
{
  for (guint i = 0; i < G_N_ELEMENTS (ethertypes); i++)
    if (ethertypes[i].type == type)
      return i;
  return -1;
}

static const char *
ethertype_name (guint16 type)
{
  gint i = ethertype_index (type);

  return i >= 0 ? ethertypes[i].name : "Unknown";
}

/* Wireshark's name for an EtherType, or %NULL if this dissector has none. */
const char *
cap_ethertype_name (guint16 type)
{
  gint i = ethertype_index (type);

  return i >= 0 ? ethertypes[i].name : NULL;
}

static guint8
ethertype_ip_version (guint16 type)
{
  gint i = ethertype_index (type);

  return i >= 0 ? ethertypes[i].ip_version : 0;
}

static gboolean
field_ethertype (CapDissect *d,
                 CapCursor  *c,
                 const char *name,
                 guint16    *type)
{
  guint32 off = c->pos;

  if (!cap_get_u16be (c, type))
    return cap_dissect_fail (d, c, name, 2);
  add_uint (d, name, off, 2, *type, "%s (0x%04x)", ethertype_name (*type), *type);
  return TRUE;
}

static gboolean
ethertype_is_vlan (guint16 type)
{
  gint i = ethertype_index (type);

  return i >= 0 && ethertypes[i].vlan;
}

static void
dissect_ethertype (CapDissect *d,
                   CapCursor  *c,
                   guint16     type)
{
  guint tags = 0;
  guint8 version;

  while (ethertype_is_vlan (type))
    {
      guint32 start = c->pos;
      guint16 tci = 0;
      gint index;
      gboolean ok;

      if (tags++ == CAP_MAX_VLAN_TAGS)
        {
          cap_dissect_malformed (d, start, "more than %u VLAN tags", CAP_MAX_VLAN_TAGS);
          return;
        }
      d->depth = d->base;
      index = layer_begin (d, CAP_LAYER_LINK, "802.1Q Virtual LAN", start);
      ok = cap_get_u16be (c, &tci);
      if (!ok)
        cap_dissect_fail (d, c, "VLAN tag", 2);
      else
        {
          d->sum->vlan_id = tci & 0x0fff;
          add_uint (d, "Priority", start, 1, tci >> 13, "%u", tci >> 13);
          add_uint (d, "DEI", start, 1, (tci >> 12) & 1, "%u", (tci >> 12) & 1);
          add_uint (d, "ID", start, 2, tci & 0x0fff, "%u", tci & 0x0fff);
          ok = field_ethertype (d, c, "Type", &type);
        }
      layer_end (d, index, c->pos, "802.1Q Virtual LAN, PRI: %u, DEI: %u, ID: %u",
                 tci >> 13, (tci >> 12) & 1, tci & 0x0fff);
      if (!ok)
        return;
    }

  d->sum->ethertype = type;
  version = ethertype_ip_version (type);
  if (version != 0)
    {
      guint8 vhl;
      CapCursor peek = *c;

      if (!cap_get_u8 (&peek, &vhl) || (vhl >> 4) == version)
        cap_dissect_ip (d, c, version);
      else
        {
          /* dissect what the header really is, and say the link lied */
          cap_dissect_malformed (d, c->pos, "ethertype %s carries IP version %u",
                                 ethertype_name (type), vhl >> 4);
          cap_dissect_ip (d, c, vhl >> 4);
        }
    }
  else
    cap_dissect_data (d, c, "Data", cap_cursor_reported_left (c));
}

static void
dissect_ethernet (CapDissect *d,
                  CapCursor  *c,
                  guint8      variant)
{
  guint8 dst[6] = { 0 }, src[6] = { 0 };
  guint16 type = 0;
  gboolean ok;
  gint index;

  index = layer_begin (d, CAP_LAYER_LINK, "Ethernet II", 0);
  ok = cap_dissect_field_mac (d, c, "Destination", dst) && cap_dissect_field_mac (d, c, "Source", src)
       && field_ethertype (d, c, "Type", &type);
  if (TREE (d))
    {
      char a[24], b[24];

      cap_dissect_format_mac (src, 6, a, sizeof a);
      cap_dissect_format_mac (dst, 6, b, sizeof b);
      layer_end (d, index, c->pos, "Ethernet II, Src: %s, Dst: %s", a, b);
    }
  else
    layer_end (d, index, c->pos, NULL);
  if (!ok)
    return;
  if (type < 0x0600)
    {
      /* an 802.3 length field: LLC follows, not IP */
      cap_dissect_data (d, c, "Logical-Link Control", cap_cursor_reported_left (c));
      return;
    }
  dissect_ethertype (d, c, type);
}

static const char *
sll_pkttype_name (guint16 type)
{
  switch (type)
    {
    case 0: return "Unicast to us";
    case 1: return "Broadcast";
    case 2: return "Multicast";
    case 3: return "Unicast to another host";
    case 4: return "Sent by us";
    default: return "Unknown";
    }
}

static gboolean
field_sll_address (CapDissect *d,
                   CapCursor  *c,
                   guint16     addr_len)
{
  guint32 off = c->pos;
  guint8 addr[8];
  char buf[32];

  if (!cap_get_bytes (c, addr, 8))
    return cap_dissect_fail (d, c, "Source", 8);
  if (TREE (d))
    {
      cap_dissect_format_mac (addr, MIN (addr_len, 8), buf, sizeof buf);
      add_text (d, "Source", off, 8, "%s", buf);
    }
  return TRUE;
}

static void
dissect_sll_payload (CapDissect *d,
                     CapCursor  *c,
                     guint16     hatype,
                     guint16     proto)
{
  /* netlink captures carry a netlink family, and 1/4 mean 802.3 / 802.2 */
  if (hatype == 824 || proto < 0x0600)
    cap_dissect_data (d, c, "Data", cap_cursor_reported_left (c));
  else
    dissect_ethertype (d, c, proto);
}

static void
dissect_sll (CapDissect *d,
             CapCursor  *c,
             guint8      variant)
{
  guint16 pkttype = 0, hatype = 0, alen = 0, proto = 0;
  gboolean ok;
  gint index;

  index = layer_begin (d, CAP_LAYER_LINK, "Linux cooked capture v1", 0);
  {
    guint32 off = c->pos;

    ok = cap_get_u16be (c, &pkttype);
    if (!ok)
      cap_dissect_fail (d, c, "Packet type", 2);
    else
      add_uint (d, "Packet type", off, 2, pkttype, "%s (%u)", sll_pkttype_name (pkttype), pkttype);
  }
  ok = ok && field_u16 (d, c, "Link-layer address type", FALSE, &hatype)
       && field_u16 (d, c, "Link-layer address length", FALSE, &alen)
       && field_sll_address (d, c, alen)
       && field_ethertype (d, c, "Protocol", &proto);
  layer_end (d, index, c->pos, NULL);
  if (ok)
    dissect_sll_payload (d, c, hatype, proto);
}

static void
dissect_sll2 (CapDissect *d,
               CapCursor  *c,
               guint8      variant)
{
  guint16 proto = 0, reserved, hatype = 0;
  guint32 ifindex;
  guint8 pkttype = 0, alen = 0;
  gboolean ok;
  gint index;

  index = layer_begin (d, CAP_LAYER_LINK, "Linux cooked capture v2", 0);
  ok = field_ethertype (d, c, "Protocol", &proto)
       && field_u16 (d, c, "Reserved", TRUE, &reserved)
       && field_u32 (d, c, "Interface index", FALSE, &ifindex)
       && field_u16 (d, c, "Link-layer address type", FALSE, &hatype);
  if (ok)
    {
      guint32 off = c->pos;

      ok = cap_get_u8 (c, &pkttype);
      if (!ok)
        cap_dissect_fail (d, c, "Packet type", 1);
      else
        add_uint (d, "Packet type", off, 1, pkttype, "%s (%u)", sll_pkttype_name (pkttype), pkttype);
    }
  ok = ok && field_u8 (d, c, "Link-layer address length", &alen)
       && field_sll_address (d, c, alen);
  layer_end (d, index, c->pos, NULL);
  if (ok)
    dissect_sll_payload (d, c, hatype, proto);
}

/* Raw IP: no link header; the version nibble (or the link type) decides. */
static void
dissect_raw (CapDissect *d,
             CapCursor  *c,
             guint8      forced_version)
{
  guint8 vhl = 0;
  CapCursor peek = *c;
  gint index;

  index = layer_begin (d, CAP_LAYER_LINK, "Raw packet data", 0);
  layer_end (d, index, 0, NULL);
  if (forced_version != 0)
    {
      cap_dissect_ip (d, c, forced_version);
      return;
    }
  if (!cap_get_u8 (&peek, &vhl))
    {
      cap_dissect_fail (d, &peek, "IP version", 1);
      return;
    }
  if ((vhl >> 4) != 4 && (vhl >> 4) != 6)
    {
      cap_dissect_malformed (d, 0, "raw IP packet with version %u", vhl >> 4);
      cap_dissect_data (d, c, "Data", cap_cursor_reported_left (c));
      return;
    }
  cap_dissect_ip (d, c, vhl >> 4);
}

static guint8
bsd_af_version (guint32 af)
{
  switch (af)
    {
    case 2:
      return 4;
    case 10: /* Linux */
    case 23: /* Windows */
    case 24: /* NetBSD, OpenBSD, BSD/OS */
    case 28: /* FreeBSD, DragonFly */
    case 30: /* macOS */
      return 6;
    default:
      return 0;
    }
}

/* DLT_NULL stores the AF in the capturing host's byte order, which a file
 * does not record; AF values fit in 16 bits, so swap when they don't. */
static void
dissect_null (CapDissect *d,
              CapCursor  *c,
              guint8      network_order)
{
  guint32 af = 0;
  guint8 version = 0;
  gboolean ok;
  gint index;

  index = layer_begin (d, CAP_LAYER_LINK, "Null/Loopback", 0);
  ok = cap_get_u32be (c, &af);
  if (!ok)
    cap_dissect_fail (d, c, "Family", 4);
  else
    {
      gint fi;

      if (!network_order && (af & 0xffff0000u))
        af = GUINT32_SWAP_LE_BE (af);
      version = bsd_af_version (af);
      fi = add_uint (d, "Family", 0, 4, af, "%s (%u)%s",
                     version == 4 ? "IP" : version == 6 ? "IPv6" : "Unknown", af,
                     network_order ? "" : ", host byte order");
      if (fi >= 0)
        tree_get (d, fi)->is_network_order = network_order;
    }
  layer_end (d, index, c->pos, NULL);
  if (!ok)
    return;
  if (version == 0)
    cap_dissect_data (d, c, "Data", cap_cursor_reported_left (c));
  else
    cap_dissect_ip (d, c, version);
}

/* PPP protocol numbers (RFC 1661): the two IPs, and the names of the
 * control protocols a dial-up or VPN capture starts with. */
static const struct
{
  guint16     proto;
  const char *name;
  guint8      ip_version;
} ppp_protocols[] = {
  { 0x0021, "Internet Protocol version 4", 4 },
  { 0x0057, "Internet Protocol version 6", 6 },
  { 0x8021, "Internet Protocol Control Protocol", 0 },
  { 0x8057, "IPv6 Control Protocol", 0 },
  { 0xc021, "Link Control Protocol", 0 },
  { 0xc023, "Password Authentication Protocol", 0 },
  { 0xc223, "Challenge Handshake Authentication Protocol", 0 },
};

static gint
ppp_protocol_index (guint16 proto)
{
  for (guint i = 0; i < G_N_ELEMENTS (ppp_protocols); i++)
    if (ppp_protocols[i].proto == proto)
      return i;
  return -1;
}

/* A byte shown in hex, as Wireshark shows HDLC's address and control. */
static gboolean
field_u8_hex (CapDissect *d,
              CapCursor  *c,
              const char *name,
              guint8     *out)
{
  guint32 off = c->pos;

  if (!cap_get_u8 (c, out))
    return cap_dissect_fail (d, c, name, 1);
  add_uint (d, name, off, 1, *out, "0x%02x", *out);
  return TRUE;
}

/* Cisco HDLC (LINKTYPE_C_HDLC, and what LINKTYPE_PPP_HDLC also holds from
 * Cisco routers): address 0x0f or 0x8f, control 0, then an EtherType. The
 * first byte decides, so a frame cut after it reads the same way. */
static gboolean
is_cisco_hdlc (CapCursor *c)
{
  CapCursor peek = *c;
  guint8 addr = 0;

  return cap_get_u8 (&peek, &addr) && (addr == 0x0f || addr == 0x8f);
}

static void
dissect_cisco_hdlc (CapDissect *d,
                    CapCursor  *c,
                    guint8      variant)
{
  guint8 addr = 0, ctrl = 0;
  guint16 type = 0;
  gboolean ok;
  gint index;

  index = layer_begin (d, CAP_LAYER_LINK, "Cisco HDLC", 0);
  ok = field_u8_hex (d, c, "Address", &addr) && field_u8_hex (d, c, "Control", &ctrl)
       && field_ethertype (d, c, "Protocol", &type);
  layer_end (d, index, c->pos, NULL);
  if (ok)
    dissect_ethertype (d, c, type);
}

/* PPP's protocol, one byte when compressed (its low bit set, RFC 1661
 * section 6.5), else two. */
static gboolean
field_ppp_protocol (CapDissect *d,
                    CapCursor  *c,
                    guint16    *proto)
{
  guint32 off = c->pos;
  CapCursor peek = *c;
  guint8 first = 0;
  gint pi;

  if (!cap_get_u8 (&peek, &first))
    return cap_dissect_fail (d, c, "Protocol", 1);
  if (first & 1)
    {
      *proto = first;
      *c = peek;
    }
  else if (!cap_get_u16be (c, proto))
    return cap_dissect_fail (d, c, "Protocol", 2);
  pi = ppp_protocol_index (*proto);
  add_uint (d, "Protocol", off, c->pos - off, *proto, "%s (0x%04x)",
            pi >= 0 ? ppp_protocols[pi].name : "Unknown", *proto);
  return TRUE;
}

/* PPP (LINKTYPE_PPP, LINKTYPE_PPP_HDLC): RFC 1662's address and control
 * bytes when present, then the protocol. */
static void
dissect_ppp (CapDissect *d,
             CapCursor  *c,
             guint8      variant)
{
  CapCursor peek = *c;
  guint8 addr = 0, ctrl = 0;
  guint16 proto = 0;
  gboolean ok = TRUE;
  gint index, pi;

  if (is_cisco_hdlc (c))
    {
      dissect_cisco_hdlc (d, c, 0);
      return;
    }

  index = layer_begin (d, CAP_LAYER_LINK, "Point-to-Point Protocol", 0);
  /* 0xff (all stations) is RFC 1662's address, never a protocol's first byte */
  if (cap_get_u8 (&peek, &addr) && addr == 0xff)
    ok = field_u8_hex (d, c, "Address", &addr) && field_u8_hex (d, c, "Control", &ctrl);
  ok = ok && field_ppp_protocol (d, c, &proto);
  layer_end (d, index, c->pos, NULL);
  if (!ok)
    return;
  pi = ppp_protocol_index (proto);
  if (pi >= 0 && ppp_protocols[pi].ip_version != 0)
    cap_dissect_ip (d, c, ppp_protocols[pi].ip_version);
  else
    cap_dissect_data (d, c, "Data", cap_cursor_reported_left (c));
}

/* The link types this dissector reads, in a fixed order (the fuzzer's first
 * byte indexes cap_linktypes_supported ()). @variant is what the function
 * needs to know beyond the bytes: the IP version a link type fixes, or the
 * byte order of a null header's family. */
static const struct
{
  guint32 linktype;
  void  (*dissect) (CapDissect *d, CapCursor *c, guint8 variant);
  guint8  variant;
} links[] = {
  { CAP_LINKTYPE_ETHERNET, dissect_ethernet, 0 },
  { CAP_LINKTYPE_LINUX_SLL, dissect_sll, 0 },
  { CAP_LINKTYPE_LINUX_SLL2, dissect_sll2, 0 },
  { CAP_LINKTYPE_RAW, dissect_raw, 0 },
  { CAP_LINKTYPE_IPV4, dissect_raw, 4 },
  { CAP_LINKTYPE_IPV6, dissect_raw, 6 },
  { CAP_LINKTYPE_NULL, dissect_null, FALSE },
  { CAP_LINKTYPE_LOOP, dissect_null, TRUE },
  { CAP_LINKTYPE_DLT_RAW12, dissect_raw, 0 },
  { CAP_LINKTYPE_DLT_RAW14, dissect_raw, 0 },
  { CAP_LINKTYPE_PPP, dissect_ppp, 0 },
  { CAP_LINKTYPE_PPP_HDLC, dissect_ppp, 0 },
  { CAP_LINKTYPE_C_HDLC, dissect_cisco_hdlc, 0 },
};

static gint
link_index (guint32 linktype)
{
  for (guint i = 0; i < G_N_ELEMENTS (links); i++)
    if (links[i].linktype == linktype)
      return i;
  return -1;
}

const guint32 *
cap_linktypes_supported (guint *n_out)
{
  static guint32 linktypes[G_N_ELEMENTS (links)];
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      for (guint i = 0; i < G_N_ELEMENTS (links); i++)
        linktypes[i] = links[i].linktype;
      g_once_init_leave (&done, 1);
    }
  if (n_out != NULL)
    *n_out = G_N_ELEMENTS (links);
  return linktypes;
}

gboolean
cap_linktype_is_supported (guint32 linktype)
{
  return link_index (linktype) >= 0;
}

/* Names of link types (Wireshark's words): the ones read here, and the ones
 * a student's capture most often has instead (Wi-Fi monitor mode, USB,
 * Bluetooth), so a message can say what the file holds. */
static const struct
{
  guint32     linktype;
  const char *name;
} linktype_names[] = {
  { CAP_LINKTYPE_NULL, "BSD loopback" },
  { CAP_LINKTYPE_ETHERNET, "Ethernet" },
  { 6, "Token Ring" },
  { CAP_LINKTYPE_PPP, "PPP" },
  { 10, "FDDI" },
  { CAP_LINKTYPE_DLT_RAW12, "Raw IP" },
  { CAP_LINKTYPE_DLT_RAW14, "Raw IP" },
  { CAP_LINKTYPE_PPP_HDLC, "PPP in HDLC-like framing" },
  { 51, "PPPoE" },
  { CAP_LINKTYPE_RAW, "Raw IP" },
  { CAP_LINKTYPE_C_HDLC, "Cisco HDLC" },
  { 105, "IEEE 802.11 Wireless LAN" },
  { 107, "Frame Relay" },
  { CAP_LINKTYPE_LOOP, "OpenBSD loopback" },
  { CAP_LINKTYPE_LINUX_SLL, "Linux cooked-mode capture v1" },
  { 119, "IEEE 802.11 plus Prism II monitor mode radio header" },
  { 127, "IEEE 802.11 plus radiotap radio header" },
  { 163, "IEEE 802.11 plus AVS radio header" },
  { 187, "Bluetooth H4" },
  { 189, "USB packets with Linux header" },
  { 192, "Per-Packet Information header" },
  { 195, "IEEE 802.15.4 Wireless PAN" },
  { 201, "Bluetooth H4 with linux header" },
  { 215, "IEEE 802.15.4 Wireless PAN non-ASK PHY" },
  { 220, "USB packets with Linux header and padding" },
  { 227, "SocketCAN" },
  { CAP_LINKTYPE_IPV4, "Raw IPv4" },
  { CAP_LINKTYPE_IPV6, "Raw IPv6" },
  { 239, "NFLOG" },
  { 249, "USB packets with USBPcap header" },
  { 253, "Linux Netlink" },
  { CAP_LINKTYPE_LINUX_SLL2, "Linux cooked-mode capture v2" },
};

/* The link type's name, or %NULL for one this table does not know. */
const char *
cap_linktype_name (guint32 linktype)
{
  for (guint i = 0; i < G_N_ELEMENTS (linktype_names); i++)
    if (linktype_names[i].linktype == linktype)
      return linktype_names[i].name;
  return NULL;
}

gboolean
cap_dissect_link (CapDissect *d,
                  CapCursor  *c,
                  guint32     linktype)
{
  gint i = link_index (linktype);

  if (i < 0)
    return FALSE;
  links[i].dissect (d, c, links[i].variant);
  return TRUE;
}
