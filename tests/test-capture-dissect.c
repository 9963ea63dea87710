/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-capture-dissect.c: the dissector against frames built here, with
 * tshark as the oracle, at every snapshot length, and on a real loopback
 * capture. */

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "cap-dissect-private.h"  /* the cursor, tested on its own */
#include "sl-test-capture.h"

/* ---- frame building ---------------------------------------------------- */

typedef struct
{
  const char *name;
  guint32     linktype;
  GByteArray *bytes;
  guint32     len;        /* on the wire; bytes->len unless set */
  guint32     expect;     /* CapSummary flags that must be set */
  gboolean    no_tshark;  /* link types tshark does not read, or malformed on purpose */
  gboolean    no_prefix;  /* a cut changes how the start is read (the version byte) */
  const char *label;      /* cap_summary_format_label, or NULL */
  const char *line;       /* cap_summary_format_line (not relative), or NULL */
} Fixture;

static void
fixture_free (Fixture *f)
{
  g_byte_array_unref (f->bytes);
  g_free (f);
}

static void
put8 (GByteArray *b,
      guint8      v)
{
  g_byte_array_append (b, &v, 1);
}

static void
put16 (GByteArray *b,
       guint16     v)
{
  guint8 p[2] = { v >> 8, v & 0xff };

  g_byte_array_append (b, p, 2);
}

static void
put32 (GByteArray *b,
       guint32     v)
{
  put16 (b, v >> 16);
  put16 (b, v & 0xffff);
}

static void
putn (GByteArray *b,
      const void *p,
      gsize       n)
{
  g_byte_array_append (b, p, n);
}

static void
set16 (GByteArray *b,
       guint       off,
       guint16     v)
{
  b->data[off] = v >> 8;
  b->data[off + 1] = v & 0xff;
}

static guint32
csum_add (guint32       sum,
          const guint8 *p,
          gsize         n)
{
  for (gsize i = 0; i + 1 < n; i += 2)
    sum += (p[i] << 8) | p[i + 1];
  if (n & 1)
    sum += p[n - 1] << 8;
  return sum;
}

static guint16
csum_fold (guint32 sum)
{
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return ~sum & 0xffff;
}

static GByteArray *
tcp_seg (guint16       sport,
         guint16       dport,
         guint32       seq,
         guint32       ack,
         guint8        flags,
         guint16       win,
         const guint8 *opts,
         gsize         optlen,
         const char   *payload)
{
  GByteArray *b = g_byte_array_new ();

  g_assert_cmpuint (optlen % 4, ==, 0);
  put16 (b, sport);
  put16 (b, dport);
  put32 (b, seq);
  put32 (b, ack);
  put8 (b, ((20 + optlen) / 4) << 4);
  put8 (b, flags);
  put16 (b, win);
  put16 (b, 0);
  put16 (b, 0);
  putn (b, opts, optlen);
  if (payload)
    putn (b, payload, strlen (payload));
  return b;
}

static GByteArray *
udp_dgram (guint16     sport,
           guint16     dport,
           const char *payload)
{
  GByteArray *b = g_byte_array_new ();
  gsize n = payload ? strlen (payload) : 0;

  put16 (b, sport);
  put16 (b, dport);
  put16 (b, 8 + n);
  put16 (b, 0);
  putn (b, payload, n);
  return b;
}

static GByteArray *
icmp_msg (guint8        type,
          guint8        code,
          guint32       rest,
          const guint8 *body,
          gsize         n)
{
  GByteArray *b = g_byte_array_new ();

  put8 (b, type);
  put8 (b, code);
  put16 (b, 0);
  put32 (b, rest);
  putn (b, body, n);
  return b;
}

/* Transport checksum with the pseudo header (none for ICMPv4). */
static void
fix_l4_checksum (GByteArray *l4,
                 guint8      proto,
                 int         af,
                 const guint8 *src,
                 const guint8 *dst)
{
  guint off = proto == 6 ? 16 : proto == 17 ? 6 : 2;
  guint32 sum = 0;
  guint16 c;

  if (l4->len < off + 2)
    return;
  set16 (l4, off, 0);
  if (proto != 1)
    {
      guint8 ph[8];
      gsize alen = af == AF_INET ? 4 : 16;

      sum = csum_add (sum, src, alen);
      sum = csum_add (sum, dst, alen);
      ph[0] = 0; ph[1] = 0; ph[2] = l4->len >> 8; ph[3] = l4->len & 0xff;
      ph[4] = 0; ph[5] = 0; ph[6] = 0; ph[7] = proto;
      sum = csum_add (sum, ph + (af == AF_INET ? 0 : 0), 8);
    }
  sum = csum_add (sum, l4->data, l4->len);
  c = csum_fold (sum);
  if (proto == 17 && c == 0)
    c = 0xffff;
  set16 (l4, off, c);
}

/* Wraps (and frees) @l4 in an IPv4 header. */
static GByteArray *
ipv4 (guint8        proto,
      const char   *src,
      const char   *dst,
      GByteArray   *l4,
      const guint8 *opts,
      gsize         optlen,
      guint16       id,
      guint16       frag)
{
  GByteArray *b = g_byte_array_new ();
  guint8 s[4], d[4];

  g_assert_cmpint (inet_pton (AF_INET, src, s), ==, 1);
  g_assert_cmpint (inet_pton (AF_INET, dst, d), ==, 1);
  if ((frag & 0x3fff) == 0)
    fix_l4_checksum (l4, proto, AF_INET, s, d);
  put8 (b, 0x40 | ((20 + optlen) / 4));
  put8 (b, 0);
  put16 (b, 20 + optlen + l4->len);
  put16 (b, id);
  put16 (b, frag);
  put8 (b, 64);
  put8 (b, proto);
  put16 (b, 0);
  putn (b, s, 4);
  putn (b, d, 4);
  putn (b, opts, optlen);
  set16 (b, 10, csum_fold (csum_add (0, b->data, b->len)));
  putn (b, l4->data, l4->len);
  g_byte_array_unref (l4);
  return b;
}

/* Wraps (and frees) @l4 in IPv6 plus extension headers @ext (which start
 * with header @first and end by naming @proto). */
static GByteArray *
ipv6 (guint8        proto,
      const char   *src,
      const char   *dst,
      GByteArray   *l4,
      guint8        first,
      const guint8 *ext,
      gsize         extlen)
{
  GByteArray *b = g_byte_array_new ();
  guint8 s[16], d[16];

  g_assert_cmpint (inet_pton (AF_INET6, src, s), ==, 1);
  g_assert_cmpint (inet_pton (AF_INET6, dst, d), ==, 1);
  fix_l4_checksum (l4, proto, AF_INET6, s, d);
  put32 (b, 0x60012345);
  put16 (b, extlen + l4->len);
  put8 (b, extlen ? first : proto);
  put8 (b, 64);
  putn (b, s, 16);
  putn (b, d, 16);
  putn (b, ext, extlen);
  putn (b, l4->data, l4->len);
  g_byte_array_unref (l4);
  return b;
}

static GByteArray *
prepend (GByteArray *hdr,
         GByteArray *ip)
{
  putn (hdr, ip->data, ip->len);
  g_byte_array_unref (ip);
  return hdr;
}

static GByteArray *
eth (GByteArray *ip,
     guint16     type,
     guint       n_vlan,
     guint16     vlan0,
     guint16     vlan1)
{
  GByteArray *b = g_byte_array_new ();
  static const guint8 dst[6] = { 0x02, 0, 0, 0, 0, 0x02 }, src[6] = { 0x02, 0, 0, 0, 0, 0x01 };

  putn (b, dst, 6);
  putn (b, src, 6);
  if (n_vlan >= 1)
    {
      put16 (b, n_vlan == 2 ? 0x88a8 : 0x8100);
      put16 (b, vlan0);
    }
  if (n_vlan == 2)
    {
      put16 (b, 0x8100);
      put16 (b, vlan1);
    }
  put16 (b, type);
  return prepend (b, ip);
}

static GByteArray *
sll (GByteArray *ip,
     guint16     proto)
{
  GByteArray *b = g_byte_array_new ();
  static const guint8 addr[8] = { 0 };

  put16 (b, 4);     /* sent by us */
  put16 (b, 772);   /* ARPHRD_LOOPBACK */
  put16 (b, 6);
  putn (b, addr, 8);
  put16 (b, proto);
  return prepend (b, ip);
}

static GByteArray *
sll2 (GByteArray *ip,
      guint16     proto)
{
  GByteArray *b = g_byte_array_new ();
  static const guint8 addr[8] = { 0 };

  put16 (b, proto);
  put16 (b, 0);
  put32 (b, 1);
  put16 (b, 772);
  put8 (b, 0);
  put8 (b, 6);
  putn (b, addr, 8);
  return prepend (b, ip);
}

static GByteArray *
null_link (GByteArray *ip,
           guint32     af,
           gboolean    little_endian)
{
  GByteArray *b = g_byte_array_new ();
  guint32 v = little_endian ? GUINT32_TO_LE (af) : GUINT32_TO_BE (af);

  putn (b, &v, 4);
  return prepend (b, ip);
}

/* A link header given as bytes (PPP, Cisco HDLC) before an IP packet. */
static GByteArray *
link_bytes (GByteArray   *ip,
            const guint8 *header,
            guint         len)
{
  GByteArray *b = g_byte_array_new ();

  putn (b, header, len);
  return prepend (b, ip);
}

static Fixture *
fixture_add (GPtrArray  *all,
             const char *name,
             guint32     linktype,
             GByteArray *bytes)
{
  Fixture *f = g_new0 (Fixture, 1);

  f->name = name;
  f->linktype = linktype;
  f->bytes = bytes;
  f->len = bytes->len;
  g_ptr_array_add (all, f);
  return f;
}

/* Linux's SYN options: MSS, SACK_PERM, TS, NOP, WS. */
static const guint8 syn_opts[] = {
  2, 4, 0xff, 0xd7, 4, 2, 8, 10, 0, 0, 0x12, 0x34, 0, 0, 0, 0, 1, 3, 3, 7,
};
static const guint8 ts_opts[] = { 1, 1, 8, 10, 0, 0, 0x12, 0x35, 0, 0, 0x56, 0x78 };
static const guint8 sack_opts[] = {
  1, 1, 5, 18, 0, 0, 0x03, 0xe8, 0, 0, 0x07, 0xd0, 0, 0, 0x0b, 0xb8, 0, 0, 0x0f, 0xa0,
};
/* TCP Fast Open cookie (kind 34) then EOL and padding */
static const guint8 tfo_opts[] = { 34, 10, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0 };

static GPtrArray *
make_fixtures (void)
{
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify) fixture_free);
  Fixture *f;

  /* --- Ethernet, IPv4, TCP handshake and teardown --- */
  f = fixture_add (all, "eth-ipv4-tcp-syn", 1,
                   eth (ipv4 (6, "127.0.0.1", "127.0.0.1",
                              tcp_seg (50412, 9000, 1000, 0, 0x02, 65495, syn_opts, sizeof syn_opts, NULL),
                              NULL, 0, 0x1c46, 0x4000), 0x0800, 0, 0, 0));
  f->label = "SYN";
  f->line = "TCP [SYN] seq=1000 win=65495 mss=65495 ws=7 sack_perm";
  f = fixture_add (all, "eth-ipv4-tcp-synack", 1,
                   eth (ipv4 (6, "127.0.0.1", "127.0.0.1",
                              tcp_seg (9000, 50412, 5000, 1001, 0x12, 65483, syn_opts, sizeof syn_opts, NULL),
                              NULL, 0, 0, 0x4000), 0x0800, 0, 0, 0));
  f->label = "SYN/ACK";
  f->line = "TCP [SYN, ACK] seq=5000 ack=1001 win=65483 mss=65495 ws=7 sack_perm";
  f = fixture_add (all, "eth-ipv4-tcp-psh", 1,
                   eth (ipv4 (6, "127.0.0.1", "127.0.0.1",
                              tcp_seg (50412, 9000, 1001, 5001, 0x18, 512, ts_opts, sizeof ts_opts, "hello"),
                              NULL, 0, 0x1c47, 0x4000), 0x0800, 0, 0, 0));
  f->label = "PSH/ACK len=5";
  f->line = "TCP [PSH, ACK] seq=1001 ack=5001 win=512 len=5";
  f = fixture_add (all, "eth-ipv4-tcp-sack", 1,
                   eth (ipv4 (6, "10.0.0.1", "10.0.0.2",
                              tcp_seg (9000, 50412, 5001, 1006, 0x10, 512, sack_opts, sizeof sack_opts, NULL),
                              NULL, 0, 7, 0), 0x0800, 0, 0, 0));
  f->label = "ACK";
  f->line = "TCP [ACK] seq=5001 ack=1006 win=512 sack=1000-2000 sack=3000-4000";
  f = fixture_add (all, "eth-ipv4-tcp-tfo", 1,
                   eth (ipv4 (6, "10.0.0.1", "10.0.0.2",
                              tcp_seg (50413, 9000, 77, 0, 0x02, 1024, tfo_opts, sizeof tfo_opts, NULL),
                              NULL, 0, 8, 0), 0x0800, 0, 0, 0));
  f = fixture_add (all, "eth-ipv4-tcp-fin", 1,
                   eth (ipv4 (6, "127.0.0.1", "127.0.0.1",
                              tcp_seg (50412, 9000, 1006, 5001, 0x11, 512, NULL, 0, NULL),
                              NULL, 0, 9, 0x4000), 0x0800, 0, 0, 0));
  f->label = "FIN/ACK";
  f = fixture_add (all, "eth-ipv4-tcp-rst", 1,
                   eth (ipv4 (6, "127.0.0.1", "127.0.0.1",
                              tcp_seg (9, 50412, 0, 0, 0x04, 0, NULL, 0, NULL),
                              NULL, 0, 0, 0x4000), 0x0800, 0, 0, 0));
  f->label = "RST";
  f = fixture_add (all, "eth-ipv4-tcp-rstack", 1,
                   eth (ipv4 (6, "127.0.0.1", "127.0.0.1",
                              tcp_seg (9, 50412, 0, 1001, 0x14, 0, NULL, 0, NULL),
                              NULL, 0, 0, 0x4000), 0x0800, 0, 0, 0));
  f->label = "RST/ACK";
  f = fixture_add (all, "eth-ipv4-tcp-ecn-syn", 1,
                   eth (ipv4 (6, "127.0.0.1", "127.0.0.1",
                              tcp_seg (50414, 9000, 1, 0, 0xc2, 100, NULL, 0, NULL),
                              NULL, 0, 0, 0x4000), 0x0800, 0, 0, 0));
  f->label = "SYN/ECE/CWR";

  /* --- UDP, VLAN, IP options, padding --- */
  f = fixture_add (all, "eth-ipv4-udp", 1,
                   eth (ipv4 (17, "127.0.0.1", "127.0.0.1", udp_dgram (40000, 9000, "hello"),
                              NULL, 0, 0x0abc, 0x4000), 0x0800, 0, 0, 0));
  f->label = "UDP len=5";
  f->line = "UDP 127.0.0.1:40000 -> 127.0.0.1:9000 len=5";
  f = fixture_add (all, "eth-vlan-ipv4-udp", 1,
                   eth (ipv4 (17, "192.0.2.1", "192.0.2.2", udp_dgram (40001, 9001, "vlan!"),
                              NULL, 0, 1, 0), 0x0800, 1, (3 << 13) | 100, 0));
  f = fixture_add (all, "eth-qinq-ipv6-udp", 1,
                   eth (ipv6 (17, "2001:db8::1", "2001:db8::2", udp_dgram (40002, 9002, "qinq"), 0, NULL, 0),
                        0x86dd, 2, 10, 200));
  {
    /* Router Alert (4 bytes), NOP, Record Route (7 bytes: one slot) */
    static const guint8 ipopts[] = { 148, 4, 0, 0, 1, 7, 7, 4, 0, 0, 0, 0 };

    f = fixture_add (all, "eth-ipv4-options-udp", 1,
                     eth (ipv4 (17, "192.0.2.1", "192.0.2.2", udp_dgram (40003, 9003, "opts"),
                                ipopts, sizeof ipopts, 2, 0), 0x0800, 0, 0, 0));
  }
  {
    /* a short frame padded to Ethernet's 60-byte minimum */
    GByteArray *b = eth (ipv4 (17, "192.0.2.1", "192.0.2.2", udp_dgram (40004, 9004, "x"),
                               NULL, 0, 3, 0), 0x0800, 0, 0, 0);
    static const guint8 zeros[32] = { 0 };

    putn (b, zeros, 60 - b->len);
    f = fixture_add (all, "eth-ipv4-udp-padded", 1, b);
    f->label = "UDP len=1";
  }
  {
    GByteArray *b = g_byte_array_new ();
    static const guint8 arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };

    putn (b, arp, sizeof arp);
    f = fixture_add (all, "eth-arp", 1, eth (b, 0x0806, 0, 0, 0));
    f->label = "ARP";
    f->line = "ARP (ethertype 0x0806)";
  }

  /* --- ICMP --- */
  {
    static const guint8 ping[] = "abcdefgh";

    f = fixture_add (all, "eth-ipv4-icmp-echo-request", 1,
                     eth (ipv4 (1, "127.0.0.1", "127.0.0.1",
                                icmp_msg (8, 0, (0x1234 << 16) | 1, ping, 8), NULL, 0, 4, 0x4000),
                          0x0800, 0, 0, 0));
    f->label = "ICMP echo request";
    f->line = "ICMP echo request id=0x1234 seq=1";
    f = fixture_add (all, "eth-ipv4-icmp-echo-reply", 1,
                     eth (ipv4 (1, "127.0.0.1", "127.0.0.1",
                                icmp_msg (0, 0, (0x1234 << 16) | 1, ping, 8), NULL, 0, 5, 0),
                          0x0800, 0, 0, 0));
    f->label = "ICMP echo reply";
  }
  {
    GByteArray *orig = ipv4 (17, "127.0.0.1", "127.0.0.1", udp_dgram (40000, 9, "hello"),
                             NULL, 0, 0x0abd, 0x4000);

    f = fixture_add (all, "eth-ipv4-icmp-port-unreachable", 1,
                     eth (ipv4 (1, "127.0.0.1", "127.0.0.1",
                                icmp_msg (3, 3, 0, orig->data, orig->len), NULL, 0, 6, 0),
                          0x0800, 0, 0, 0));
    f->expect = CAP_SUMMARY_QUOTED;
    f->label = "ICMP port unreachable";
    f->line = "ICMP destination unreachable (port unreachable) for UDP 127.0.0.1:40000 -> 127.0.0.1:9";
    g_byte_array_unref (orig);
  }
  {
    /* only the IP header and 8 bytes of TCP, as RFC 792 requires at least */
    GByteArray *orig = ipv4 (6, "10.0.0.1", "10.0.0.9",
                             tcp_seg (50415, 80, 42, 0, 0x02, 1024, NULL, 0, NULL), NULL, 0, 11, 0);

    f = fixture_add (all, "eth-ipv4-icmp-host-unreachable-tcp", 1,
                     eth (ipv4 (1, "10.0.0.254", "10.0.0.1",
                                icmp_msg (3, 1, 0, orig->data, 28), NULL, 0, 12, 0),
                          0x0800, 0, 0, 0));
    f->expect = CAP_SUMMARY_QUOTED;
    f->label = "ICMP host unreachable";
    f->line = "ICMP destination unreachable (host unreachable) for TCP 10.0.0.1:50415 -> 10.0.0.9:80";
    g_byte_array_unref (orig);
  }
  {
    static const guint8 ping[] = "0123456789";

    f = fixture_add (all, "eth-ipv6-icmpv6-echo-request", 1,
                     eth (ipv6 (58, "::1", "::1", icmp_msg (128, 0, (0x4321 << 16) | 7, ping, 10), 0, NULL, 0),
                          0x86dd, 0, 0, 0));
    f->label = "ICMPv6 echo request";
    f->line = "ICMPv6 echo request id=0x4321 seq=7";
  }
  {
    /* MLDv2 report: every IPv6 host on a real Ethernet sends these */
    static const guint8 record[] = { 4, 0, 0, 0, 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 1 };

    f = fixture_add (all, "eth-ipv6-icmpv6-mld2-report", 1,
                     eth (ipv6 (58, "fe80::1", "ff02::16", icmp_msg (143, 0, 1, record, sizeof record), 0, NULL, 0),
                          0x86dd, 0, 0, 0));
    f->label = "ICMPv6 multicast listener report v2";
  }
  {
    GByteArray *orig = ipv6 (17, "::1", "::1", udp_dgram (40005, 9, "hi"), 0, NULL, 0);

    f = fixture_add (all, "eth-ipv6-icmpv6-port-unreachable", 1,
                     eth (ipv6 (58, "::1", "::1", icmp_msg (1, 4, 0, orig->data, orig->len), 0, NULL, 0),
                          0x86dd, 0, 0, 0));
    f->expect = CAP_SUMMARY_QUOTED;
    f->label = "ICMPv6 port unreachable";
    f->line = "ICMPv6 destination unreachable (port unreachable) for UDP [::1]:40005 -> [::1]:9";
    g_byte_array_unref (orig);
  }

  /* --- IPv6 with extension headers --- */
  f = fixture_add (all, "eth-ipv6-tcp", 1,
                   eth (ipv6 (6, "::1", "::1",
                              tcp_seg (50416, 9000, 123456789, 987654321, 0x18, 512, ts_opts, sizeof ts_opts, "data"),
                              0, NULL, 0), 0x86dd, 0, 0, 0));
  f->label = "PSH/ACK len=4";
  {
    static const guint8 ext[] = {
      /* hop-by-hop: next routing, 8 bytes: router alert + PadN(2) */
      43, 0, 5, 2, 0, 0, 1, 0,
      /* routing type 2 (home address), 24 bytes */
      60, 2, 2, 1, 0, 0, 0, 0,
      0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3,
      /* destination options: PadN(4)... 8 bytes */
      44, 0, 1, 4, 0, 0, 0, 0,
      /* fragment: offset 0, M=0 (atomic), id 0xdeadbeef */
      17, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef,
    };

    f = fixture_add (all, "eth-ipv6-ext-udp", 1,
                     eth (ipv6 (17, "2001:db8::1", "2001:db8::2", udp_dgram (40006, 9006, "ext"), 0, ext, sizeof ext),
                          0x86dd, 0, 0, 0));
    f->expect = CAP_SUMMARY_FRAGMENT;
    f->label = "UDP len=3";
  }
  {
    /* a later fragment: no transport header in it */
    static const guint8 ext[] = { 17, 0, 0x05, 0xa9, 0, 0, 0, 0x42 };  /* offset 181*8, M=1 */

    f = fixture_add (all, "eth-ipv6-fragment-later", 1,
                     eth (ipv6 (17, "2001:db8::1", "2001:db8::2",
                                udp_dgram (1, 2, "not a header really"), 44, ext, sizeof ext),
                          0x86dd, 0, 0, 0));
    f->expect = CAP_SUMMARY_FRAGMENT;
    f->label = "IPv6 fragment";
  }

  {
    /* hop-by-hop with a Jumbo Payload option (the fuzzer's first find:
     * the fast path touched the tree) */
    static const guint8 ext[] = { 17, 0, 0xc2, 4, 0, 0, 0, 0x30 };

    f = fixture_add (all, "eth-ipv6-hbh-jumbo-udp", 1,
                     eth (ipv6 (17, "::1", "::1", udp_dgram (40020, 9020, "jumbo"), 0, ext, sizeof ext),
                          0x86dd, 0, 0, 0));
    f->no_tshark = TRUE;  /* a jumbo option with a non-zero payload length upsets tshark */
    f->label = "UDP len=5";
  }

  /* --- IPv4 fragments --- */
  {
    GByteArray *u = udp_dgram (40007, 9007, "first fragment of a longer datagram");

    set16 (u, 4, 8 + 1500);  /* the UDP length counts the whole datagram */
    f = fixture_add (all, "eth-ipv4-fragment-first", 1,
                     eth (ipv4 (17, "192.0.2.1", "192.0.2.2", u, NULL, 0, 0x0f0f, 0x2000), 0x0800, 0, 0, 0));
    f->expect = CAP_SUMMARY_FRAGMENT | CAP_SUMMARY_TRANSPORT;
    f->label = "UDP len=35";
    f = fixture_add (all, "eth-ipv4-fragment-second", 1,
                     eth (ipv4 (17, "192.0.2.1", "192.0.2.2", udp_dgram (1, 2, "second part, no header"),
                                NULL, 0, 0x0f0f, 5), 0x0800, 0, 0, 0));
    f->expect = CAP_SUMMARY_FRAGMENT;
    f->label = "IPv4 fragment";
    f->line = "IPv4 fragment id=0xf0f offset=40 len=30 (UDP) [fragment]";
  }

  /* --- other link types --- */
  f = fixture_add (all, "sll-ipv4-tcp", 113,
                   sll (ipv4 (6, "127.0.0.1", "127.0.0.1",
                              tcp_seg (50417, 9000, 1, 2, 0x18, 512, ts_opts, sizeof ts_opts, "sll"),
                              NULL, 0, 13, 0x4000), 0x0800));
  {
    /* SLL carries the tag after its header: TCI then the real protocol */
    Fixture *fx = fixture_add (all, "sll-vlan-ipv4-udp", 113, g_byte_array_new ());
    GByteArray *b = fx->bytes;
    GByteArray *ip = ipv4 (17, "127.0.0.1", "127.0.0.1", udp_dgram (40008, 9008, "tagged"), NULL, 0, 1, 0);
    GByteArray *inner = g_byte_array_new ();

    put16 (inner, 42);
    put16 (inner, 0x0800);
    putn (inner, ip->data, ip->len);
    g_byte_array_unref (ip);
    inner = sll (inner, 0x8100);
    putn (b, inner->data, inner->len);
    g_byte_array_unref (inner);
    fx->len = b->len;
  }
  fixture_add (all, "sll2-ipv6-udp", 276,
               sll2 (ipv6 (17, "::1", "::1", udp_dgram (40009, 9009, "sll2"), 0, NULL, 0), 0x86dd));
  fixture_add (all, "sll2-ipv4-icmp", 276,
               sll2 (ipv4 (1, "127.0.0.1", "127.0.0.1", icmp_msg (8, 0, 0x00010002, NULL, 0),
                           NULL, 0, 1, 0), 0x0800));
  fixture_add (all, "raw-ipv4-udp", 101,
               ipv4 (17, "198.51.100.1", "198.51.100.2", udp_dgram (40010, 53, "raw"), NULL, 0, 1, 0));
  fixture_add (all, "raw-ipv6-tcp", 101,
               ipv6 (6, "2001:db8::a", "2001:db8::b",
                     tcp_seg (50418, 443, 10, 20, 0x10, 300, NULL, 0, NULL), 0, NULL, 0));
  fixture_add (all, "ipv4-link-tcp", 228,
               ipv4 (6, "198.51.100.1", "198.51.100.2",
                     tcp_seg (50419, 22, 10, 20, 0x02, 300, syn_opts, sizeof syn_opts, NULL), NULL, 0, 1, 0));
  fixture_add (all, "ipv6-link-udp", 229,
               ipv6 (17, "2001:db8::a", "2001:db8::b", udp_dgram (40011, 9011, "229"), 0, NULL, 0));
  f = fixture_add (all, "dlt12-ipv4-udp", 12,
                   ipv4 (17, "198.51.100.1", "198.51.100.2", udp_dgram (40012, 9012, "12"), NULL, 0, 1, 0));
  f = fixture_add (all, "dlt14-ipv6-udp", 14,
                   ipv6 (17, "2001:db8::a", "2001:db8::b", udp_dgram (40013, 9013, "14"), 0, NULL, 0));
  f->no_tshark = TRUE;  /* 14 is raw IP only on OpenBSD; tshark on Linux differs */
  fixture_add (all, "null-le-ipv4-udp", 0,
               null_link (ipv4 (17, "127.0.0.1", "127.0.0.1", udp_dgram (40014, 9014, "null"), NULL, 0, 1, 0),
                          2, TRUE));
  fixture_add (all, "null-be-ipv6-tcp", 0,
               null_link (ipv6 (6, "::1", "::1", tcp_seg (50420, 9000, 5, 6, 0x18, 9, NULL, 0, "null6"),
                                0, NULL, 0), 30, FALSE));
  fixture_add (all, "loop-ipv4-icmp", 108,
               null_link (ipv4 (1, "127.0.0.1", "127.0.0.1", icmp_msg (0, 0, 0x00050006, NULL, 0),
                                NULL, 0, 1, 0), 2, FALSE));

  /* --- PPP (dial-up, VPNs) and Cisco HDLC (routers) --- */
  {
    static const guint8 ppp_ip[] = { 0xff, 0x03, 0x00, 0x21 };
    static const guint8 ppp_pfc[] = { 0x21 };  /* no address/control, protocol compressed */
    static const guint8 ppp_ip6[] = { 0xff, 0x03, 0x00, 0x57 };
    static const guint8 ppp_lcp[] = { 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04 };
    static const guint8 chdlc_ip[] = { 0x0f, 0x00, 0x08, 0x00 };

    fixture_add (all, "ppp-ipv4-tcp", 9,
                 link_bytes (ipv4 (6, "192.0.2.1", "192.0.2.2",
                                   tcp_seg (50430, 80, 1, 0, 0x02, 512, syn_opts, sizeof syn_opts, NULL),
                                   NULL, 0, 1, 0x4000), ppp_ip, sizeof ppp_ip));
    fixture_add (all, "ppp-pfc-ipv4-udp", 9,
                 link_bytes (ipv4 (17, "192.0.2.1", "192.0.2.2", udp_dgram (40030, 53, "pfc"), NULL, 0, 1, 0),
                             ppp_pfc, sizeof ppp_pfc));
    fixture_add (all, "ppp-hdlc-ipv6-udp", 50,
                 link_bytes (ipv6 (17, "2001:db8::a", "2001:db8::b", udp_dgram (40031, 9031, "50"), 0, NULL, 0),
                             ppp_ip6, sizeof ppp_ip6));
    fixture_add (all, "ppp-lcp", 9, g_byte_array_append (g_byte_array_new (), ppp_lcp, sizeof ppp_lcp));
    fixture_add (all, "chdlc-ipv4-udp", 104,
                 link_bytes (ipv4 (17, "192.0.2.1", "192.0.2.2", udp_dgram (40032, 9032, "chdlc"), NULL, 0, 1, 0),
                             chdlc_ip, sizeof chdlc_ip));
  }

  /* --- cut by the snapshot length (tcpdump -s 60) --- */
  {
    /* tcpdump -s 20: the IPv4 header itself is cut */
    GByteArray *b = eth (ipv4 (6, "192.0.2.1", "192.0.2.2", tcp_seg (50413, 80, 1, 0, 0x02, 512, NULL, 0, NULL),
                               NULL, 0, 1, 0x4000), 0x0800, 0, 0, 0);
    guint32 len = b->len;

    g_byte_array_set_size (b, 20);
    f = fixture_add (all, "snap20-eth-ipv4-cut", 1, b);
    f->len = len;
    f->expect = CAP_SUMMARY_TRUNCATED;
    f->no_tshark = TRUE;
    f->label = "IPv4, cut short";
    f->line = "IPv4 header cut short (ethertype 0x0800) [truncated]";
  }
  {
    /* a Wi-Fi monitor-mode capture: named, not guessed at */
    static const guint8 radiotap[] = { 0, 0, 8, 0, 0, 0, 0, 0, 0x08, 0x01, 0, 0 };

    f = fixture_add (all, "radiotap-unsupported", 127,
                     g_byte_array_append (g_byte_array_new (), radiotap, sizeof radiotap));
    f->no_tshark = TRUE;
    f->label = "unsupported link";
    f->line = "link type 127 (IEEE 802.11 plus radiotap radio header), which Socklens does not read";
  }
  {
    GByteArray *b = eth (ipv4 (6, "127.0.0.1", "127.0.0.1",
                               tcp_seg (50412, 9000, 1001, 5001, 0x18, 512, ts_opts, sizeof ts_opts, "hello"),
                               NULL, 0, 0x1c47, 0x4000), 0x0800, 0, 0, 0);
    guint32 len = b->len;

    g_byte_array_set_size (b, 60);
    f = fixture_add (all, "snap60-eth-ipv4-tcp", 1, b);
    f->len = len;
    f->expect = CAP_SUMMARY_TRUNCATED | CAP_SUMMARY_TRANSPORT;
    f->no_tshark = TRUE;
    f->label = "PSH/ACK len=5";
  }

  /* --- malformed on purpose --- */
  {
    GByteArray *ip = ipv4 (17, "127.0.0.1", "127.0.0.1", udp_dgram (1, 2, "x"), NULL, 0, 1, 0);

    ip->data[0] = 0x44;  /* IHL 4: 16 bytes */
    f = fixture_add (all, "bad-ipv4-ihl", 1, eth (ip, 0x0800, 0, 0, 0));
    f->expect = CAP_SUMMARY_MALFORMED;
    f->no_tshark = TRUE;
  }
  {
    GByteArray *ip = ipv4 (17, "127.0.0.1", "127.0.0.1", udp_dgram (1, 2, "x"), NULL, 0, 1, 0);

    set16 (ip, 2, 200);  /* total length past the frame */
    f = fixture_add (all, "bad-ipv4-total-length", 1, eth (ip, 0x0800, 0, 0, 0));
    f->expect = CAP_SUMMARY_MALFORMED | CAP_SUMMARY_TRANSPORT;
    f->no_tshark = TRUE;
  }
  {
    GByteArray *t = tcp_seg (1, 2, 3, 4, 0x10, 5, NULL, 0, NULL);

    t->data[12] = 0x40;  /* data offset 4 */
    f = fixture_add (all, "bad-tcp-data-offset", 1,
                     eth (ipv4 (6, "127.0.0.1", "127.0.0.1", t, NULL, 0, 1, 0), 0x0800, 0, 0, 0));
    f->expect = CAP_SUMMARY_MALFORMED;
    f->no_tshark = TRUE;
  }
  {
    GByteArray *t = tcp_seg (1, 2, 3, 4, 0x10, 5, NULL, 0, NULL);

    t->data[12] = 0xf0;  /* 60-byte header in a 20-byte segment */
    f = fixture_add (all, "bad-tcp-data-offset-long", 1,
                     eth (ipv4 (6, "127.0.0.1", "127.0.0.1", t, NULL, 0, 1, 0), 0x0800, 0, 0, 0));
    f->expect = CAP_SUMMARY_MALFORMED;
    f->no_tshark = TRUE;
  }
  {
    static const guint8 badopt[] = { 2, 4, 5, 0xb4, 3, 1, 0, 0 };  /* WS with length 1 */

    f = fixture_add (all, "bad-tcp-option-length", 1,
                     eth (ipv4 (6, "127.0.0.1", "127.0.0.1",
                                tcp_seg (1, 2, 3, 4, 0x02, 5, badopt, sizeof badopt, NULL), NULL, 0, 1, 0),
                          0x0800, 0, 0, 0));
    f->expect = CAP_SUMMARY_MALFORMED | CAP_SUMMARY_TRANSPORT;
    f->no_tshark = TRUE;
  }
  {
    GByteArray *u = udp_dgram (1, 2, "x");

    set16 (u, 4, 4);
    f = fixture_add (all, "bad-udp-length", 1,
                     eth (ipv4 (17, "127.0.0.1", "127.0.0.1", u, NULL, 0, 1, 0), 0x0800, 0, 0, 0));
    f->expect = CAP_SUMMARY_MALFORMED | CAP_SUMMARY_TRANSPORT;
    f->no_tshark = TRUE;
  }
  {
    /* 17 destination option headers: more than the dissector follows */
    GByteArray *ext = g_byte_array_new ();

    for (guint i = 0; i < 17; i++)
      {
        static const guint8 h[8] = { 60, 0, 1, 4, 0, 0, 0, 0 };

        putn (ext, h, 8);
      }
    ext->data[16 * 8] = 17;
    f = fixture_add (all, "bad-ipv6-ext-chain", 1,
                     eth (ipv6 (17, "::1", "::1", udp_dgram (1, 2, "x"), 60, ext->data, ext->len),
                          0x86dd, 0, 0, 0));
    f->expect = CAP_SUMMARY_MALFORMED;
    f->no_tshark = TRUE;
    g_byte_array_unref (ext);
  }
  {
    static const guint8 ext[] = { 17, 9, 1, 4, 0, 0, 0, 0 };  /* says 80 bytes */

    f = fixture_add (all, "bad-ipv6-ext-length", 1,
                     eth (ipv6 (17, "::1", "::1", udp_dgram (1, 2, "x"), 0, ext, sizeof ext),
                          0x86dd, 0, 0, 0));
    f->expect = CAP_SUMMARY_MALFORMED;
    f->no_tshark = TRUE;
  }
  {
    GByteArray *ip = ipv6 (17, "::1", "::1", udp_dgram (1, 2, "x"), 0, NULL, 0);

    f = fixture_add (all, "bad-ethertype-version", 1, eth (ip, 0x0800, 0, 0, 0));
    f->expect = CAP_SUMMARY_MALFORMED;
    f->no_prefix = TRUE;
    f->no_tshark = TRUE;
  }

  return all;
}

static Fixture *
find_fixture (GPtrArray  *all,
              const char *name)
{
  for (guint i = 0; i < all->len; i++)
    if (g_str_equal (((Fixture *) all->pdata[i])->name, name))
      return all->pdata[i];
  g_assert_not_reached ();
}

/* ---- helpers ------------------------------------------------------------- */

static const CapField *
field_by_name (const CapFieldTree *tree,
               CapLayer            layer,
               const char         *name)
{
  gint i = cap_field_tree_find (tree, layer, name);

  if (i < 0)
    return NULL;
  return cap_field_tree_get_field (tree, i);
}

static void
assert_field (const CapFieldTree *tree,
              CapLayer            layer,
              const char         *name,
              guint32             offset,
              guint32             length,
              guint64             value)
{
  const CapField *f = field_by_name (tree, layer, name);

  if (f == NULL)
    g_error ("no field %s", name);
  g_assert_cmpuint (f->offset, ==, offset);
  g_assert_cmpuint (f->length, ==, length);
  g_assert_cmpuint (f->value, ==, value);
  g_assert_true (f->is_integer);
}

static char *
summary_text (const CapSummary *s)
{
  GString *out = g_string_new (NULL);

  cap_summary_format_label (s, out);
  g_string_append (out, " | ");
  cap_summary_format_line (s, FALSE, 0, 0, out);
  return g_string_free (out, FALSE);
}

/* ---- tests ----------------------------------------------------------------- */

static void
test_cursor (void)
{
  static const guint8 bytes[] = { 1, 2, 3, 4, 5, 6, 7 };
  CapCursor c;
  guint8 u8;
  guint16 u16;
  guint32 u32;

  cap_cursor_init (&c, bytes, 5, 7);
  g_assert_true (cap_get_u8 (&c, &u8));
  g_assert_cmpuint (u8, ==, 1);
  g_assert_true (cap_get_u16be (&c, &u16));
  g_assert_cmpuint (u16, ==, 0x0203);
  /* 2 bytes captured are left, the packet had 4 */
  g_assert_false (cap_get_u32be (&c, &u32));
  g_assert_cmpint (c.error, ==, CAP_CURSOR_TRUNCATED);
  g_assert_cmpuint (c.pos, ==, 3);
  g_assert_true (cap_get_u16be (&c, &u16));
  g_assert_cmpuint (u16, ==, 0x0405);
  g_assert_false (cap_get_u8 (&c, &u8));

  /* past the reported end is malformed, not truncated */
  cap_cursor_init (&c, bytes, 7, 7);
  g_assert_true (cap_cursor_skip (&c, 4));
  g_assert_false (cap_get_u32be (&c, &u32));
  g_assert_cmpint (c.error, ==, CAP_CURSOR_MALFORMED);

  /* limit narrows, never widens; huge lengths do not wrap */
  cap_cursor_init (&c, bytes, 7, 7);
  g_assert_true (cap_cursor_limit (&c, 3));
  g_assert_false (cap_cursor_limit (&c, 5));
  g_assert_cmpuint (c.reported_end, ==, 3);
  g_assert_false (cap_cursor_skip (&c, G_MAXUINT32));
  g_assert_false (cap_cursor_check (&c, G_MAXUINT32 - 1));

  /* no data at all */
  cap_cursor_init (&c, NULL, 0, 10);
  g_assert_false (cap_get_u8 (&c, &u8));
}

/* Byte ranges in the tree are what the hex view highlights. */
static void
test_ranges (void)
{
  g_autoptr (GPtrArray) all = make_fixtures ();
  Fixture *f = find_fixture (all, "eth-ipv4-tcp-psh");
  g_autoptr (CapFieldTree) tree = cap_dissect_tree (f->linktype, f->bytes->data, f->bytes->len, f->len);
  const CapField *layer0, *fld;
  gint i;

  assert_field (tree, CAP_LAYER_LINK, "Type", 12, 2, 0x0800);
  assert_field (tree, CAP_LAYER_NETWORK, "Total length", 16, 2, 20 + 32 + 5);
  assert_field (tree, CAP_LAYER_NETWORK, "Time to live", 22, 1, 64);
  assert_field (tree, CAP_LAYER_NETWORK, "Source address", 26, 4, 0x7f000001);
  assert_field (tree, CAP_LAYER_TRANSPORT, "Source port", 34, 2, 50412);
  assert_field (tree, CAP_LAYER_TRANSPORT, "Destination port", 36, 2, 9000);
  assert_field (tree, CAP_LAYER_TRANSPORT, "Sequence number", 38, 4, 1001);
  assert_field (tree, CAP_LAYER_TRANSPORT, "Acknowledgment number", 42, 4, 5001);
  assert_field (tree, CAP_LAYER_TRANSPORT, "Header length", 46, 1, 8);
  assert_field (tree, CAP_LAYER_TRANSPORT, "Flags", 46, 2, 0x018);
  assert_field (tree, CAP_LAYER_TRANSPORT, "Window", 48, 2, 512);
  assert_field (tree, CAP_LAYER_TRANSPORT, "Timestamp value", 58, 4, 0x1235);

  fld = field_by_name (tree, CAP_LAYER_TRANSPORT, "Destination port");
  g_assert_cmpstr (fld->display, ==, "Destination port: 9000");
  g_assert_true (fld->is_network_order);
  g_assert_cmpuint (fld->depth, ==, 1);
  /* its parent is the TCP layer node */
  layer0 = cap_field_tree_get_field (tree, fld->parent);
  g_assert_cmpstr (layer0->display, ==,
                   "Transmission Control Protocol, Src Port: 50412, Dst Port: 9000, "
                   "Seq: 1001, Ack: 5001, Len: 5");
  g_assert_cmpuint (layer0->offset, ==, 34);
  g_assert_cmpuint (layer0->length, ==, 32);
  g_assert_true (layer0->flags & CAP_FIELD_PROTOCOL);

  layer0 = cap_field_tree_get_field (tree, 0);
  g_assert_cmpstr (layer0->display, ==, "Ethernet II, Src: 02:00:00:00:00:01, Dst: 02:00:00:00:00:02");
  g_assert_cmpuint (layer0->length, ==, 14);
  i = cap_field_tree_find (tree, CAP_LAYER_NETWORK, "Internet Protocol Version 4");
  g_assert_cmpint (i, >=, 0);
  fld = cap_field_tree_get_field (tree, i);
  g_assert_cmpstr (fld->display, ==, "Internet Protocol Version 4, Src: 127.0.0.1, Dst: 127.0.0.1");
  g_assert_cmpuint (fld->offset, ==, 14);
  g_assert_cmpuint (fld->length, ==, 20);
  fld = field_by_name (tree, CAP_LAYER_NETWORK, "Header checksum");
  g_assert_nonnull (strstr (fld->display, "[correct]"));
  fld = field_by_name (tree, CAP_LAYER_PAYLOAD, "Data");
  g_assert_cmpstr (fld->display, ==, "Data (5 bytes)");
  g_assert_cmpuint (fld->offset, ==, 66);
  g_assert_cmpuint (fld->length, ==, 5);
  fld = field_by_name (tree, CAP_LAYER_PAYLOAD, "Text");
  g_assert_cmpstr (fld->display, ==, "Text: \"hello\"");

  /* parents always come before their children, one level up */
  for (guint k = 0; k < cap_field_tree_get_n_fields (tree); k++)
    {
      const CapField *c = cap_field_tree_get_field (tree, k);

      if (c->depth == 0)
        g_assert_cmpint (c->parent, ==, -1);
      else
        {
          g_assert_cmpint (c->parent, >=, 0);
          g_assert_cmpint (c->parent, <, (gint) k);
          g_assert_cmpuint (cap_field_tree_get_field (tree, c->parent)->depth, ==, c->depth - 1);
        }
    }

  /* the summary from the same pass */
  g_assert_cmpuint (cap_field_tree_get_summary (tree)->payload_offset, ==, 66);
  g_assert_cmpuint (cap_field_tree_get_summary (tree)->payload_len, ==, 5);
}

static void
test_ranges_other (void)
{
  g_autoptr (GPtrArray) all = make_fixtures ();
  Fixture *f;

  {
    f = find_fixture (all, "eth-vlan-ipv4-udp");
    g_autoptr (CapFieldTree) t = cap_dissect_tree (f->linktype, f->bytes->data, f->bytes->len, f->len);

    assert_field (t, CAP_LAYER_LINK, "ID", 14, 2, 100);
    assert_field (t, CAP_LAYER_LINK, "Priority", 14, 1, 3);
    assert_field (t, CAP_LAYER_TRANSPORT, "Destination port", 40, 2, 9001);
    assert_field (t, CAP_LAYER_TRANSPORT, "Length", 42, 2, 13);
    g_assert_cmpuint (cap_field_tree_get_summary (t)->vlan_id, ==, 100);
  }
  {
    f = find_fixture (all, "null-le-ipv4-udp");
    g_autoptr (CapFieldTree) t = cap_dissect_tree (f->linktype, f->bytes->data, f->bytes->len, f->len);
    const CapField *fam = field_by_name (t, CAP_LAYER_LINK, "Family");

    g_assert_cmpuint (fam->value, ==, 2);
    g_assert_false (fam->is_network_order);  /* host byte order, the exception */
    assert_field (t, CAP_LAYER_TRANSPORT, "Destination port", 4 + 22, 2, 9014);
  }
  {
    f = find_fixture (all, "sll2-ipv6-udp");
    g_autoptr (CapFieldTree) t = cap_dissect_tree (f->linktype, f->bytes->data, f->bytes->len, f->len);

    assert_field (t, CAP_LAYER_LINK, "Protocol", 0, 2, 0x86dd);
    assert_field (t, CAP_LAYER_LINK, "Interface index", 4, 4, 1);
    assert_field (t, CAP_LAYER_NETWORK, "Payload length", 24, 2, 12);
    assert_field (t, CAP_LAYER_TRANSPORT, "Source port", 60, 2, 40009);
  }
  {
    f = find_fixture (all, "eth-ipv6-ext-udp");
    g_autoptr (CapFieldTree) t = cap_dissect_tree (f->linktype, f->bytes->data, f->bytes->len, f->len);
    const CapSummary *s = cap_field_tree_get_summary (t);

    /* 14 + 40 + 8 + 24 + 8 + 8 */
    assert_field (t, CAP_LAYER_TRANSPORT, "Source port", 102, 2, 40006);
    assert_field (t, CAP_LAYER_NETWORK, "Identification", 98, 4, 0xdeadbeef);
    assert_field (t, CAP_LAYER_NETWORK, "Segments left", 65, 1, 1);
    g_assert_cmpuint (s->ip_proto, ==, 17);
    g_assert_cmpuint (s->ip_id, ==, 0xdeadbeef);
    g_assert_cmpuint (s->transport_offset, ==, 102);
    g_assert_cmpuint (s->payload_len, ==, 3);
  }
  {
    f = find_fixture (all, "eth-ipv4-icmp-port-unreachable");
    g_autoptr (CapFieldTree) t = cap_dissect_tree (f->linktype, f->bytes->data, f->bytes->len, f->len);
    gint icmp = cap_field_tree_find (t, CAP_LAYER_TRANSPORT, "Internet Control Message Protocol");
    gint qip = cap_field_tree_find (t, CAP_LAYER_NETWORK, "Internet Protocol Version 4");
    const CapField *q;
    guint n = 0;

    g_assert_cmpint (icmp, >=, 0);
    /* the quoted IP and UDP headers nest under the ICMP node */
    for (guint k = icmp + 1; k < cap_field_tree_get_n_fields (t); k++)
      {
        q = cap_field_tree_get_field (t, k);
        if ((q->flags & CAP_FIELD_PROTOCOL) && q->depth == 1)
          {
            g_assert_cmpint (q->parent, ==, icmp);
            n++;
          }
      }
    g_assert_cmpuint (n, >=, 2);
    g_assert_cmpint (qip, >=, 0);
    q = cap_field_tree_get_field (t, cap_field_tree_find (t, CAP_LAYER_TRANSPORT, "Destination port"));
    g_assert_cmpuint (q->value, ==, 9);
    g_assert_cmpuint (q->offset, ==, 14 + 20 + 8 + 20 + 2);
    g_assert_cmpuint (q->depth, ==, 2);
  }
}

static void
test_labels (void)
{
  g_autoptr (GPtrArray) all = make_fixtures ();

  for (guint i = 0; i < all->len; i++)
    {
      Fixture *f = all->pdata[i];
      CapSummary s;
      g_autoptr (GString) label = g_string_new (NULL);
      g_autoptr (GString) line = g_string_new (NULL);

      cap_dissect_summary (f->linktype, f->bytes->data, f->bytes->len, f->len, &s);
      cap_summary_format_label (&s, label);
      cap_summary_format_line (&s, FALSE, 0, 0, line);
      g_test_message ("%s: %s | %s", f->name, label->str, line->str);
      if (f->label)
        g_assert_cmpstr (label->str, ==, f->label);
      if (f->line)
        g_assert_cmpstr (line->str, ==, f->line);
      g_assert_cmpuint (s.flags & f->expect, ==, f->expect);
      if (!(f->expect & CAP_SUMMARY_MALFORMED))
        g_assert_false (s.flags & CAP_SUMMARY_MALFORMED);
      if (!(f->expect & CAP_SUMMARY_TRUNCATED))
        g_assert_false (s.flags & CAP_SUMMARY_TRUNCATED);
    }

  /* relative numbers, as the caller knows the stream's ISNs */
  {
    Fixture *f = find_fixture (all, "eth-ipv4-tcp-psh");
    CapSummary s;
    g_autoptr (GString) line = g_string_new (NULL);
    CapDissectOptions opt = { TRUE, 1000, 5000 };
    g_autoptr (CapFieldTree) t = NULL;

    cap_dissect_summary (f->linktype, f->bytes->data, f->bytes->len, f->len, &s);
    cap_summary_format_line (&s, TRUE, 1000, 5000, line);
    g_assert_cmpstr (line->str, ==, "TCP [PSH, ACK] seq=1 ack=1 win=512 len=5");
    t = cap_dissect_tree_full (f->linktype, f->bytes->data, f->bytes->len, f->len, &opt);
    g_assert_cmpstr (cap_field_tree_get_field (t, cap_field_tree_find (t, CAP_LAYER_TRANSPORT,
                                                                        "Transmission Control Protocol"))->display,
                     ==, "Transmission Control Protocol, Src Port: 50412, Dst Port: 9000, Seq: 1, Ack: 1, Len: 5");
  }
  {
    Fixture *f = find_fixture (all, "eth-ipv4-tcp-syn");
    CapSummary s;
    g_autoptr (GString) line = g_string_new (NULL);

    cap_dissect_summary (f->linktype, f->bytes->data, f->bytes->len, f->len, &s);
    cap_summary_format_line (&s, TRUE, 1000, 0, line);
    g_assert_cmpstr (line->str, ==, "TCP [SYN] seq=0 win=65495 mss=65495 ws=7 sack_perm");
    g_assert_cmpuint (s.mss, ==, 65495);
    g_assert_cmpint (s.wscale, ==, 7);
    g_assert_true (s.sack_perm);
    g_assert_true (s.has_ts);
    g_assert_cmpuint (s.ts_val, ==, 0x1234);
    g_assert_cmpuint (s.ip_id, ==, 0x1c46);
    g_assert_cmpuint (s.ttl, ==, 64);
  }
}

/* Specific summary values that tshark does not report the same way. */
static void
test_summary_details (void)
{
  g_autoptr (GPtrArray) all = make_fixtures ();
  CapSummary s;
  Fixture *f;

  f = find_fixture (all, "eth-ipv4-udp-padded");
  g_assert_true (cap_dissect_summary (f->linktype, f->bytes->data, f->bytes->len, f->len, &s));
  g_assert_cmpuint (f->bytes->len, ==, 60);
  g_assert_cmpuint (s.payload_len, ==, 1);  /* from the IP length, not the frame */
  g_assert_cmpuint (s.ip_len, ==, 29);

  f = find_fixture (all, "eth-ipv4-fragment-first");
  g_assert_true (cap_dissect_summary (f->linktype, f->bytes->data, f->bytes->len, f->len, &s));
  g_assert_true (s.flags & CAP_SUMMARY_FRAGMENT);
  g_assert_false (s.flags & CAP_SUMMARY_MALFORMED);
  g_assert_cmpuint (s.dport, ==, 9007);

  f = find_fixture (all, "eth-ipv4-fragment-second");
  g_assert_true (cap_dissect_summary (f->linktype, f->bytes->data, f->bytes->len, f->len, &s));
  g_assert_false (s.flags & CAP_SUMMARY_TRANSPORT);
  g_assert_cmpuint (s.sport, ==, 0);
  g_assert_cmpuint (s.frag_offset, ==, 40);

  f = find_fixture (all, "eth-ipv4-tcp-sack");
  cap_dissect_summary (f->linktype, f->bytes->data, f->bytes->len, f->len, &s);
  g_assert_cmpuint (s.n_sack, ==, 2);
  g_assert_cmpuint (s.sack[1].left, ==, 3000);
  g_assert_cmpuint (s.sack[1].right, ==, 4000);

  f = find_fixture (all, "eth-ipv4-icmp-port-unreachable");
  cap_dissect_summary (f->linktype, f->bytes->data, f->bytes->len, f->len, &s);
  g_assert_cmpuint (s.icmp_type, ==, 3);
  g_assert_cmpuint (s.icmp_code, ==, 3);
  g_assert_cmpuint (s.quoted_family, ==, 4);
  g_assert_cmpuint (s.quoted_proto, ==, 17);
  g_assert_cmpuint (s.quoted_sport, ==, 40000);
  g_assert_cmpuint (s.quoted_dport, ==, 9);
  g_assert_cmpmem (s.quoted_dst, 4, "\x7f\0\0\x01", 4);
  /* the outer packet stays the ICMP one */
  g_assert_cmpuint (s.ip_proto, ==, 1);
  g_assert_cmpuint (s.ip_id, ==, 6);

  f = find_fixture (all, "eth-arp");
  g_assert_false (cap_dissect_summary (f->linktype, f->bytes->data, f->bytes->len, f->len, &s));
  g_assert_cmpuint (s.family, ==, 0);
  g_assert_cmpuint (s.ethertype, ==, 0x0806);

  f = find_fixture (all, "bad-ipv4-total-length");
  cap_dissect_summary (f->linktype, f->bytes->data, f->bytes->len, f->len, &s);
  g_assert_cmpuint (s.payload_len, ==, 1);  /* clamped to the frame */

  /* unsupported link types are said so, not guessed */
  g_assert_false (cap_dissect_summary (147, f->bytes->data, f->bytes->len, f->len, &s));
  g_assert_true (s.flags & CAP_SUMMARY_UNSUPPORTED_LINK);
  g_assert_false (cap_linktype_is_supported (147));
  g_assert_true (cap_linktype_is_supported (276));

  /* an empty frame, and caplen > len */
  g_assert_false (cap_dissect_summary (1, NULL, 0, 0, &s));
  g_assert_true (s.flags & CAP_SUMMARY_MALFORMED);
  f = find_fixture (all, "eth-ipv4-udp");
  cap_dissect_summary (f->linktype, f->bytes->data, f->bytes->len, f->bytes->len - 1, &s);
  g_assert_true (s.flags & CAP_SUMMARY_MALFORMED);
}

/* Malformed trees say so, in a node, where they stopped. */
static void
test_malformed_nodes (void)
{
  g_autoptr (GPtrArray) all = make_fixtures ();

  for (guint i = 0; i < all->len; i++)
    {
      Fixture *f = all->pdata[i];
      g_autoptr (CapFieldTree) t = NULL;
      gboolean found = FALSE;

      if (!(f->expect & CAP_SUMMARY_MALFORMED))
        continue;
      t = cap_dissect_tree (f->linktype, f->bytes->data, f->bytes->len, f->len);
      for (guint k = 0; k < cap_field_tree_get_n_fields (t); k++)
        {
          const CapField *fld = cap_field_tree_get_field (t, k);

          if (fld->flags & CAP_FIELD_MALFORMED)
            {
              g_assert_true (g_str_has_prefix (fld->display, "[Malformed: "));
              g_test_message ("%s: %s", f->name, fld->display);
              found = TRUE;
            }
        }
      g_assert_true (found);
    }
}

/* Cut every fixture at every byte: truncated, no reads past the cut (ASan
 * and the ranges check that), and what was before the cut unchanged. */
static void
check_cut (Fixture            *f,
           const CapFieldTree *full,
           guint32             cut)
{
  g_autofree guint8 *copy = g_memdup2 (f->bytes->data, cut);
  const CapSummary *fs = cap_field_tree_get_summary (full);
  g_autoptr (CapFieldTree) t = cap_dissect_tree (f->linktype, copy, cut, f->len);
  const CapSummary *ts = cap_field_tree_get_summary (t);
  CapSummary s;
  gboolean saw_truncated = FALSE;

  cap_dissect_summary (f->linktype, copy, cut, f->len, &s);
  g_assert_true (s.flags & CAP_SUMMARY_TRUNCATED);
  /* the fast path and the tree path agree */
  g_assert_cmpmem (&s, sizeof s, ts, sizeof *ts);
  if (!(fs->flags & CAP_SUMMARY_MALFORMED))
    g_assert_false (s.flags & CAP_SUMMARY_MALFORMED);

  /* the cut tree is a prefix of the full one, error nodes aside */
  for (guint k = 0, j = 0; k < cap_field_tree_get_n_fields (t); k++)
    {
      const CapField *c = cap_field_tree_get_field (t, k);
      const CapField *o;

      if ((guint64) c->offset + c->length > cut)
        g_error ("%s cut %u: %s [%u+%u] past the cut", f->name, cut, c->display, c->offset, c->length);
      if (c->flags & CAP_FIELD_TRUNCATED)
        {
          saw_truncated = TRUE;
          g_assert_true (g_str_has_prefix (c->display, "[Truncated: "));
          continue;
        }
      if ((c->flags & CAP_FIELD_MALFORMED) || f->no_prefix)
        continue;
      while (j < cap_field_tree_get_n_fields (full)
             && (cap_field_tree_get_field (full, j)->flags & (CAP_FIELD_MALFORMED | CAP_FIELD_TRUNCATED)))
        j++;
      g_assert_cmpuint (j, <, cap_field_tree_get_n_fields (full));
      o = cap_field_tree_get_field (full, j++);
      g_assert_cmpstr (c->name, ==, o->name);
      g_assert_cmpuint (c->offset, ==, o->offset);
      g_assert_cmpuint (c->depth, ==, o->depth);
      g_assert_cmpuint (c->layer, ==, o->layer);
      if (c->parent >= 0)
        g_assert_cmpstr (cap_field_tree_get_field (t, c->parent)->name, ==,
                         cap_field_tree_get_field (full, o->parent)->name);
      if (c->is_integer && !(c->flags & CAP_FIELD_PROTOCOL))
        {
          g_assert_cmpuint (c->value, ==, o->value);
          if (!g_str_equal (c->name, "Header checksum"))
            g_assert_cmpstr (c->display, ==, o->display);
        }
    }
  if (!saw_truncated && !(s.flags & CAP_SUMMARY_MALFORMED))
    g_error ("%s cut %u: no [Truncated] node", f->name, cut);

  /* summary fields whose bytes were captured keep their values */
  if (fs->family != 0 && cut >= fs->network_offset + (fs->family == 4 ? 20 : 40))
    {
      g_assert_cmpuint (s.family, ==, fs->family);
      g_assert_cmpmem (s.src, 16, fs->src, 16);
      g_assert_cmpmem (s.dst, 16, fs->dst, 16);
      g_assert_cmpuint (s.ttl, ==, fs->ttl);
      g_assert_cmpuint (s.ip_len, ==, fs->ip_len);
    }
  else
    g_assert_cmpuint (s.family, ==, 0);
  if ((fs->flags & CAP_SUMMARY_TRANSPORT) && fs->transport_offset && cut >= fs->transport_offset + 4
      && (fs->ip_proto == 6 || fs->ip_proto == 17))
    {
      g_assert_cmpuint (s.sport, ==, fs->sport);
      g_assert_cmpuint (s.dport, ==, fs->dport);
    }
  if ((fs->flags & CAP_SUMMARY_TRANSPORT) && cut >= fs->payload_offset)
    {
      g_assert_true (s.flags & CAP_SUMMARY_TRANSPORT);
      g_assert_cmpuint (s.ip_proto, ==, fs->ip_proto);
      g_assert_cmpuint (s.seq, ==, fs->seq);
      g_assert_cmpuint (s.ack, ==, fs->ack);
      g_assert_cmpuint (s.tcp_flags, ==, fs->tcp_flags);
      g_assert_cmpuint (s.window, ==, fs->window);
      g_assert_cmpuint (s.mss, ==, fs->mss);
      g_assert_cmpint (s.wscale, ==, fs->wscale);
      g_assert_cmpuint (s.sack_perm, ==, fs->sack_perm);
      g_assert_cmpuint (s.ts_val, ==, fs->ts_val);
      g_assert_cmpuint (s.payload_offset, ==, fs->payload_offset);
      g_assert_cmpuint (s.payload_len, ==, fs->payload_len);
      g_assert_cmpuint (s.icmp_type, ==, fs->icmp_type);
      g_assert_cmpuint (s.icmp_id, ==, fs->icmp_id);
    }
  else if (cut < fs->transport_offset + 4)
    g_assert_false (s.flags & CAP_SUMMARY_TRANSPORT);
}

static void
test_snapshot_lengths (void)
{
  g_autoptr (GPtrArray) all = make_fixtures ();

  for (guint i = 0; i < all->len; i++)
    {
      Fixture *f = all->pdata[i];
      g_autoptr (CapFieldTree) full = cap_dissect_tree (f->linktype, f->bytes->data, f->bytes->len, f->len);
      CapSummary s;

      cap_dissect_summary (f->linktype, f->bytes->data, f->bytes->len, f->len, &s);
      g_assert_cmpmem (&s, sizeof s, cap_field_tree_get_summary (full), sizeof s);
      for (guint32 cut = 0; cut < f->bytes->len; cut++)
        check_cut (f, full, cut);
    }
}

/* ---- golden text ------------------------------------------------------------ */

static char *
golden_text (Fixture *f)
{
  g_autoptr (CapFieldTree) t = cap_dissect_tree (f->linktype, f->bytes->data, f->bytes->len, f->len);
  g_autofree char *tree = cap_field_tree_to_string (t);
  g_autofree char *summary = summary_text (cap_field_tree_get_summary (t));

  return g_strdup_printf ("# %s (linktype %u, %u bytes)\n# %s\n%s", f->name, f->linktype,
                          f->bytes->len, summary, tree);
}

/* tests/fixtures/dissect/NAME.txt; SOCKLENS_UPDATE_GOLDEN=1 rewrites them
 * (and the seed corpus for the fuzzer) from the frames built above. */
static void
test_golden (void)
{
  g_autoptr (GPtrArray) all = make_fixtures ();
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");
  gboolean update = g_getenv ("SOCKLENS_UPDATE_GOLDEN") != NULL;
  g_autofree char *dir = NULL;

  if (srcdir == NULL)
    {
      g_test_skip ("G_TEST_SRCDIR is not set");
      return;
    }
  dir = g_build_filename (srcdir, "fixtures", "dissect", NULL);
  for (guint i = 0; i < all->len; i++)
    {
      Fixture *f = all->pdata[i];
      g_autofree char *text = golden_text (f);
      g_autofree char *base = g_strconcat (f->name, ".txt", NULL);
      g_autofree char *path = g_build_filename (dir, base, NULL);
      g_autofree char *want = NULL;
      g_autoptr (GError) error = NULL;

      if (update)
        {
          g_autofree char *cdir = g_build_filename (dir, "corpus", NULL);
          g_autofree char *cpath = g_build_filename (cdir, f->name, NULL);
          g_autoptr (GByteArray) seed = g_byte_array_new ();
          guint n = 0, index = 0;
          const guint32 *types = cap_linktypes_supported (&n);

          for (index = 0; index < n && types[index] != f->linktype; index++)
            ;
          put8 (seed, index);
          putn (seed, f->bytes->data, f->bytes->len);
          g_assert_cmpint (g_mkdir_with_parents (cdir, 0755), ==, 0);
          g_assert_true (g_file_set_contents (path, text, -1, &error));
          g_assert_true (g_file_set_contents (cpath, (char *) seed->data, seed->len, &error));
          continue;
        }
      if (!g_file_get_contents (path, &want, NULL, &error))
        g_error ("%s: %s (run with SOCKLENS_UPDATE_GOLDEN=1 to create it)", path, error->message);
      g_assert_cmpstr (text, ==, want);
    }
}

/* ---- tshark as the oracle --------------------------------------------------- */

static void
write_pcap (const char *path,
            guint32     linktype,
            GPtrArray  *frames)
{
  g_autoptr (GByteArray) b = g_byte_array_new ();
  guint32 hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 262144, linktype };
  g_autoptr (GError) error = NULL;

  putn (b, hdr, sizeof hdr);  /* host byte order, as the format allows */
  for (guint i = 0; i < frames->len; i++)
    {
      Fixture *f = frames->pdata[i];
      guint32 rec[4] = { 1700000000 + i, 0, f->bytes->len, f->len };

      putn (b, rec, sizeof rec);
      putn (b, f->bytes->data, f->bytes->len);
    }
  g_assert_true (g_file_set_contents (path, (char *) b->data, b->len, &error));
}

static const char *tshark_fields[] = {
  "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "ip.ttl", "ip.id", "ip.proto", "ipv6.hlim",
  "ip.flags.mf", "ip.frag_offset", "ipv6.fraghdr.ident", "ipv6.fraghdr.offset", "vlan.id",
  "tcp.srcport", "tcp.dstport", "tcp.seq_raw", "tcp.ack_raw", "tcp.flags",
  "tcp.window_size_value", "tcp.options.mss_val", "tcp.options.wscale.shift",
  "tcp.options.timestamp.tsval", "tcp.options.timestamp.tsecr", "tcp.options.sack_le",
  "tcp.option_kind", "tcp.len", "tcp.hdr_len",
  "udp.srcport", "udp.dstport", "udp.length",
  "icmp.type", "icmp.code", "icmp.ident", "icmp.seq",
  "icmpv6.type", "icmpv6.code", "icmpv6.echo.identifier", "icmpv6.echo.sequence_number",
};

/* The value our dissector gives for one tshark column, in tshark's
 * notation; NULL where the column does not apply. Aggregates (outer and
 * quoted headers) are joined with ';' as tshark does. */
static char *
our_column (const char         *col,
            const CapSummary   *s,
            const CapFieldTree *t)
{
  gboolean tcp = s->ip_proto == 6 && (s->flags & CAP_SUMMARY_TRANSPORT) && s->frag_offset == 0;
  gboolean udp = s->ip_proto == 17 && (s->flags & CAP_SUMMARY_TRANSPORT) && s->frag_offset == 0;
  gboolean quoted = (s->flags & CAP_SUMMARY_QUOTED) != 0;
  GString *out = g_string_new (NULL);

#define IS(name) g_str_equal (col, name)
  if (IS ("ip.src") || IS ("ip.dst") || IS ("ipv6.src") || IS ("ipv6.dst"))
    {
      guint8 fam = col[2] == 'v' ? 6 : 4;
      gboolean src = g_str_has_suffix (col, "src");

      if (s->family == fam)
        cap_summary_format_address (fam, src ? s->src : s->dst, out);
      if (quoted && s->quoted_family == fam)
        {
          if (out->len)
            g_string_append_c (out, ';');
          cap_summary_format_address (fam, src ? s->quoted_src : s->quoted_dst, out);
        }
    }
  else if (IS ("ip.ttl") && s->family == 4)
    g_string_printf (out, "%u", s->ttl);
  else if (IS ("ipv6.hlim") && s->family == 6)
    g_string_printf (out, "%u", s->ttl);
  else if (IS ("ip.id") && s->family == 4)
    g_string_printf (out, "%u", s->ip_id);
  else if (IS ("ip.proto") && s->family == 4)
    g_string_printf (out, "%u", s->ip_proto);
  else if (IS ("ip.flags.mf") && s->family == 4)
    g_string_printf (out, "%u", (s->flags & CAP_SUMMARY_FRAGMENT) && s->frag_offset == 0 ? 1 : 0);
  else if (IS ("ip.frag_offset") && s->family == 4)
    g_string_printf (out, "%u", s->frag_offset / 8);  /* tshark: 8-byte units */
  else if (IS ("ipv6.fraghdr.ident") && s->family == 6 && (s->flags & CAP_SUMMARY_FRAGMENT))
    g_string_printf (out, "%u", s->ip_id);
  else if (IS ("ipv6.fraghdr.offset") && s->family == 6 && (s->flags & CAP_SUMMARY_FRAGMENT))
    g_string_printf (out, "%u", s->frag_offset / 8);
  else if (IS ("vlan.id") && s->vlan_id)
    g_string_printf (out, "%u", s->vlan_id);
  else if ((IS ("tcp.srcport") || IS ("tcp.dstport")) && (tcp || (quoted && s->quoted_proto == 6)))
    g_string_printf (out, "%u", tcp ? (col[4] == 's' ? s->sport : s->dport)
                                    : (col[4] == 's' ? s->quoted_sport : s->quoted_dport));
  else if ((IS ("udp.srcport") || IS ("udp.dstport")) && (udp || (quoted && s->quoted_proto == 17)))
    g_string_printf (out, "%u", udp ? (col[4] == 's' ? s->sport : s->dport)
                                    : (col[4] == 's' ? s->quoted_sport : s->quoted_dport));
  else if (tcp && IS ("tcp.seq_raw"))
    g_string_printf (out, "%u", s->seq);
  else if (tcp && IS ("tcp.ack_raw"))
    g_string_printf (out, "%u", s->ack);
  else if (tcp && IS ("tcp.flags"))
    g_string_printf (out, "%u", s->tcp_flags);
  else if (tcp && IS ("tcp.window_size_value"))
    g_string_printf (out, "%u", s->window);
  else if (tcp && IS ("tcp.options.mss_val") && s->mss)
    g_string_printf (out, "%u", s->mss);
  else if (tcp && IS ("tcp.options.wscale.shift") && s->wscale >= 0)
    g_string_printf (out, "%d", s->wscale);
  else if (tcp && IS ("tcp.options.timestamp.tsval") && s->has_ts)
    g_string_printf (out, "%u", s->ts_val);
  else if (tcp && IS ("tcp.options.timestamp.tsecr") && s->has_ts)
    g_string_printf (out, "%u", s->ts_ecr);
  else if (tcp && IS ("tcp.options.sack_le"))
    {
      for (guint i = 0; i < s->n_sack; i++)
        g_string_append_printf (out, "%s%u", i ? ";" : "", s->sack[i].left);
    }
  else if (tcp && IS ("tcp.option_kind"))
    {
      /* the option kinds as walked, from the tree */
      for (guint k = 0; k < cap_field_tree_get_n_fields (t); k++)
        {
          const CapField *fld = cap_field_tree_get_field (t, k);
          guint kind = G_MAXUINT;

          if (fld->layer != CAP_LAYER_TRANSPORT || fld->depth != 3)
            {
              if (fld->layer == CAP_LAYER_TRANSPORT && fld->depth == 2
                  && g_str_equal (fld->name, "No-Operation (NOP)"))
                kind = 1;
              else if (fld->layer == CAP_LAYER_TRANSPORT && fld->depth == 2
                       && g_str_equal (fld->name, "End of Option List (EOL)"))
                kind = 0;
            }
          else if (g_str_equal (fld->name, "Kind"))
            kind = fld->value;
          /* tshark lists each padding byte after EOL as another EOL */
          for (guint n = 0; kind != G_MAXUINT && n < (kind == 0 ? fld->length : 1); n++)
            g_string_append_printf (out, "%s%u", out->len ? ";" : "", kind);
        }
    }
  else if (tcp && IS ("tcp.len"))
    g_string_printf (out, "%u", s->payload_len);
  else if (tcp && IS ("tcp.hdr_len"))
    g_string_printf (out, "%u", s->payload_offset - s->transport_offset);
  else if (udp && IS ("udp.length") && !(s->flags & CAP_SUMMARY_FRAGMENT))
    g_string_printf (out, "%u", s->payload_len + 8);
  else if (s->ip_proto == 1 && (s->flags & CAP_SUMMARY_TRANSPORT) && (IS ("icmp.type") || IS ("icmp.code")))
    g_string_printf (out, "%u", col[5] == 't' ? s->icmp_type : s->icmp_code);
  else if (s->ip_proto == 58 && (s->flags & CAP_SUMMARY_TRANSPORT) && (IS ("icmpv6.type") || IS ("icmpv6.code")))
    g_string_printf (out, "%u", col[7] == 't' ? s->icmp_type : s->icmp_code);
  else if (s->ip_proto == 1 && (s->icmp_type == 0 || s->icmp_type == 8) && IS ("icmp.ident"))
    g_string_printf (out, "%u", s->icmp_id);
  else if (s->ip_proto == 1 && (s->icmp_type == 0 || s->icmp_type == 8) && IS ("icmp.seq"))
    g_string_printf (out, "%u", s->icmp_seq);
  else if (s->ip_proto == 58 && s->icmp_type >= 128 && s->icmp_type <= 129 && IS ("icmpv6.echo.identifier"))
    g_string_printf (out, "%u", s->icmp_id);
  else if (s->ip_proto == 58 && s->icmp_type >= 128 && s->icmp_type <= 129
           && IS ("icmpv6.echo.sequence_number"))
    g_string_printf (out, "%u", s->icmp_seq);
  else
    {
      g_string_free (out, TRUE);
      return NULL;
    }
#undef IS
  return g_string_free (out, FALSE);
}

/* tshark prints 0x-hex for some integer fields; make them decimal. */
static char *
normalize (const char *col,
           const char *value)
{
  g_auto (GStrv) parts = g_strsplit (value, ";", -1);
  GString *out = g_string_new (NULL);

  if (strstr (col, "src") && !strstr (col, "port"))
    {
      g_string_free (out, TRUE);
      return g_strdup (value);
    }
  if (strstr (col, "dst") && !strstr (col, "port"))
    {
      g_string_free (out, TRUE);
      return g_strdup (value);
    }
  for (guint i = 0; parts[i]; i++)
    {
      char *end = NULL;
      guint64 v = g_ascii_strtoull (parts[i], &end, 0);

      if (i)
        g_string_append_c (out, ';');
      if (end != parts[i] && *end == '\0')
        g_string_append_printf (out, "%" G_GUINT64_FORMAT, v);
      else
        g_string_append (out, parts[i]);
    }
  return g_string_free (out, FALSE);
}

static GPtrArray *
run_tshark (const char *tshark,
            const char *path)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  gint status;

  g_ptr_array_add (argv, (char *) tshark);
  for (const char *const *a = (const char *const[]) {
         "-r", path, "-n", "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
         "-o", "tcp.relative_sequence_numbers:FALSE", "-o", "tcp.analyze_sequence_numbers:FALSE",
         "-T", "fields", "-E", "separator=,", "-E", "aggregator=;", "-E", "occurrence=a", NULL };
       *a; a++)
    g_ptr_array_add (argv, (char *) *a);
  for (guint i = 0; i < G_N_ELEMENTS (tshark_fields); i++)
    {
      g_ptr_array_add (argv, "-e");
      g_ptr_array_add (argv, (char *) tshark_fields[i]);
    }
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("tshark failed: %s\n%s", error->message, err);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] && lines[i][0]; i++)
    g_ptr_array_add (rows, g_strsplit (lines[i], ",", -1));
  return rows;
}

static void
compare_with_tshark (const char *tshark,
                     const char *dir,
                     guint32     linktype,
                     GPtrArray  *frames)
{
  g_autofree char *base = g_strdup_printf ("linktype-%u.pcap", linktype);
  g_autofree char *path = g_build_filename (dir, base, NULL);
  g_autoptr (GPtrArray) rows = NULL;
  guint checked = 0;

  write_pcap (path, linktype, frames);
  rows = run_tshark (tshark, path);
  g_assert_cmpuint (rows->len, ==, frames->len);

  for (guint i = 0; i < frames->len; i++)
    {
      Fixture *f = frames->pdata[i];
      char **row = rows->pdata[i];
      g_autoptr (CapFieldTree) t = cap_dissect_tree (linktype, f->bytes->data, f->bytes->len, f->len);
      const CapSummary *s = cap_field_tree_get_summary (t);

      g_assert_cmpuint (g_strv_length (row), ==, G_N_ELEMENTS (tshark_fields));
      for (guint c = 0; c < G_N_ELEMENTS (tshark_fields); c++)
        {
          g_autofree char *ours = our_column (tshark_fields[c], s, t);
          g_autofree char *theirs = normalize (tshark_fields[c], row[c]);

          if (ours == NULL)
            {
              /* columns we do not model must be empty in tshark too, for the
               * layers we claim to know */
              if (g_str_has_prefix (tshark_fields[c], "tcp.") && s->ip_proto != 6 && !s->quoted_proto)
                g_assert_cmpstr (theirs, ==, "");
              continue;
            }
          /* the quote repeats the IP header: we keep only its addresses */
          if ((s->flags & CAP_SUMMARY_QUOTED) && strchr (theirs, ';') && !strchr (ours, ';')
              && (g_str_has_prefix (tshark_fields[c], "ip.") || g_str_has_prefix (tshark_fields[c], "ipv6."))
              && !strstr (tshark_fields[c], "src") && !strstr (tshark_fields[c], "dst"))
            *strchr (theirs, ';') = '\0';
          if (!g_str_equal (ours, theirs))
            g_error ("%s: %s: tshark says '%s', we say '%s'", f->name, tshark_fields[c], theirs, ours);
          checked++;
        }
    }
  g_test_message ("linktype %u: %u frames, %u fields agree with tshark", linktype, frames->len, checked);
}

/* The oracle: the set-up installs it, so its absence fails the test. */
static char *
need_tshark (void)
{
  char *tshark = g_find_program_in_path ("tshark");

  if (tshark == NULL)
    g_error ("tshark is not installed; it is the oracle of this test (apt install tshark)");
  return tshark;
}

static void
test_tshark (void)
{
  g_autoptr (GPtrArray) all = make_fixtures ();
  g_autofree char *tshark = need_tshark ();
  g_autofree char *dir = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) by_link = g_hash_table_new_full (NULL, NULL, NULL,
                                                          (GDestroyNotify) g_ptr_array_unref);
  GHashTableIter iter;
  gpointer key, value;

  dir = g_dir_make_tmp ("socklens-dissect-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < all->len; i++)
    {
      Fixture *f = all->pdata[i];
      GPtrArray *list;

      if (f->no_tshark)
        continue;
      list = g_hash_table_lookup (by_link, GUINT_TO_POINTER (f->linktype));
      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (by_link, GUINT_TO_POINTER (f->linktype), list);
        }
      g_ptr_array_add (list, f);
    }
  g_hash_table_iter_init (&iter, by_link);
  while (g_hash_table_iter_next (&iter, &key, &value))
    compare_with_tshark (tshark, dir, GPOINTER_TO_UINT (key), value);

  {
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name (d)))
      {
        g_autofree char *p = g_build_filename (dir, name, NULL);
        g_unlink (p);
      }
    g_rmdir (dir);
  }
}

/* ---- a real capture on lo ------------------------------------------------- */

typedef struct
{
  GPtrArray *frames;  /* Fixture, named by index */
  guint32    linktype;
} LiveCapture;

static void
live_packet (u_char                   *user,
             const struct pcap_pkthdr *h,
             const u_char             *bytes)
{
  LiveCapture *live = (LiveCapture *) user;
  Fixture *f = g_new0 (Fixture, 1);

  f->name = "live";
  f->linktype = live->linktype;
  f->bytes = g_byte_array_new ();
  g_byte_array_append (f->bytes, bytes, h->caplen);
  f->len = h->len;
  g_ptr_array_add (live->frames, f);
}

static void
test_live_loopback (void)
{
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  pcap_t *p;
  struct bpf_program prog;
  struct sockaddr_in addr = { .sin_family = AF_INET };
  socklen_t alen = sizeof addr;
  g_autofree char *filter = NULL;
  LiveCapture live = { g_ptr_array_new_with_free_func ((GDestroyNotify) fixture_free), 0 };
  int lfd, cfd, afd, ufd, rc;
  guint16 tport, uport;
  gint64 deadline;
  g_autoptr (GString) labels = g_string_new (NULL);
  g_autofree char *tshark = need_tshark ();

  p = pcap_create ("lo", errbuf);
  g_assert_nonnull (p);
  pcap_set_snaplen (p, 65535);
  pcap_set_immediate_mode (p, 1);
  pcap_set_timeout (p, 50);
  rc = pcap_activate (p);
  if (rc == PCAP_ERROR_PERM_DENIED || (rc < 0 && getuid () != 0))
    {
      g_autofree char *msg = g_strdup_printf ("cannot capture on lo: %s (needs root or CAP_NET_RAW)",
                                              pcap_geterr (p));
      pcap_close (p);
      g_ptr_array_unref (live.frames);
      g_test_skip (msg);
      return;
    }
  g_assert_cmpint (rc, >=, 0);
  live.linktype = pcap_datalink (p);

  /* a TCP server and a UDP port, both bound to port 0 */
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  lfd = socket (AF_INET, SOCK_STREAM, 0);
  g_assert_cmpint (bind (lfd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (lfd, 1), ==, 0);
  g_assert_cmpint (getsockname (lfd, (struct sockaddr *) &addr, &alen), ==, 0);
  tport = ntohs (addr.sin_port);
  ufd = socket (AF_INET, SOCK_DGRAM, 0);
  addr.sin_port = 0;
  g_assert_cmpint (bind (ufd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  alen = sizeof addr;
  g_assert_cmpint (getsockname (ufd, (struct sockaddr *) &addr, &alen), ==, 0);
  uport = ntohs (addr.sin_port);

  filter = g_strdup_printf ("tcp port %u or udp port %u", tport, uport);
  g_assert_cmpint (pcap_compile (p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN), ==, 0);
  g_assert_cmpint (pcap_setfilter (p, &prog), ==, 0);
  pcap_freecode (&prog);

  addr.sin_port = htons (tport);
  cfd = socket (AF_INET, SOCK_STREAM, 0);
  g_assert_cmpint (connect (cfd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  afd = accept (lfd, NULL, NULL);
  g_assert_cmpint (afd, >=, 0);
  g_assert_cmpint (send (cfd, "hello", 5, 0), ==, 5);
  {
    char buf[16];
    g_assert_cmpint (recv (afd, buf, sizeof buf, 0), ==, 5);
  }
  close (cfd);
  close (afd);
  addr.sin_port = htons (uport);
  g_assert_cmpint (sendto (ufd, "hello", 5, 0, (struct sockaddr *) &addr, sizeof addr), ==, 5);

  /* SYN, SYN/ACK, ACK, PSH/ACK, ACK, FIN/ACK, FIN/ACK, ACK, UDP */
  deadline = g_get_monotonic_time () + 3 * G_USEC_PER_SEC;
  while (live.frames->len < 9 && g_get_monotonic_time () < deadline)
    pcap_dispatch (p, -1, live_packet, (u_char *) &live);
  pcap_close (p);
  close (lfd);
  close (ufd);

  for (guint i = 0; i < live.frames->len; i++)
    {
      Fixture *f = live.frames->pdata[i];
      CapSummary s;

      g_assert_true (cap_dissect_summary (f->linktype, f->bytes->data, f->bytes->len, f->len, &s));
      g_assert_false (s.flags & (CAP_SUMMARY_MALFORMED | CAP_SUMMARY_TRUNCATED));
      if (labels->len)
        g_string_append (labels, ", ");
      cap_summary_format_label (&s, labels);
    }
  g_test_message ("live: %s", labels->str);
  g_assert_true (g_str_has_prefix (labels->str, "SYN, SYN/ACK, ACK, PSH/ACK len=5, ACK, FIN/ACK"));
  g_assert_nonnull (strstr (labels->str, "UDP len=5"));

  {
    g_autoptr (GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp ("socklens-live-XXXXXX", &error);
    g_autofree char *path = g_strdup_printf ("%s/linktype-%u.pcap", dir, live.linktype);

    g_assert_no_error (error);
    compare_with_tshark (tshark, dir, live.linktype, live.frames);
    g_unlink (path);
    g_rmdir (dir);
  }
  g_ptr_array_unref (live.frames);
}

/* ---- speed: a benchmark, never a test case ---------------------------------
 * Registered only with -m perf (meson test --benchmark bench-capture-dissect).
 * The anchor, measured in the same run over the same frames, reads every
 * captured byte once (what any dissector must at least do), so the ratio
 * says what dissecting costs beside it, on a fast or a slow machine. */

static void
bench_speed (void)
{
  g_autoptr (GPtrArray) all = make_fixtures ();
  const guint n = 1000000;
  volatile guint64 sink = 0;
  guint64 sum = 0;
  gint64 t0, t1, t2;

  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      Fixture *f = all->pdata[i % all->len];

      for (guint b = 0; b < f->bytes->len; b++)
        sum += f->bytes->data[b];
    }
  sink += sum;
  t1 = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      Fixture *f = all->pdata[i % all->len];
      CapSummary s;

      cap_dissect_summary (f->linktype, f->bytes->data, f->bytes->len, f->len, &s);
      sum += s.sport + s.payload_len;
    }
  sink += sum;
  t2 = g_get_monotonic_time ();
  (void) sink;

  g_test_minimized_result ((t2 - t1) / 1e6,
                           "%u summaries: %.0f ns each; reading their bytes alone: %.0f ns each; "
                           "ratio %.1f", n, (t2 - t1) * 1000.0 / n, (t1 - t0) * 1000.0 / n,
                           (double) (t2 - t1) / MAX (t1 - t0, 1));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* live-loopback's lo is its own (as root), as the lab's is: on the shared
   * lo, beside other programs' floods, it ran into the 300 s timeout once
   * (at a load average of 26), most likely its connection stalling there:
   * its connect, accept and recv are the only calls that can wait */
  sl_test_capture_isolate ();

  g_test_add_func ("/capture/dissect/cursor", test_cursor);
  g_test_add_func ("/capture/dissect/ranges", test_ranges);
  g_test_add_func ("/capture/dissect/ranges-other", test_ranges_other);
  g_test_add_func ("/capture/dissect/labels", test_labels);
  g_test_add_func ("/capture/dissect/summary-details", test_summary_details);
  g_test_add_func ("/capture/dissect/malformed", test_malformed_nodes);
  g_test_add_func ("/capture/dissect/snapshot-lengths", test_snapshot_lengths);
  g_test_add_func ("/capture/dissect/golden", test_golden);
  g_test_add_func ("/capture/dissect/tshark", test_tshark);
  g_test_add_func ("/capture/dissect/live-loopback", test_live_loopback);
  if (g_test_perf ())
    g_test_add_func ("/capture/dissect/speed", bench_speed);

  return g_test_run ();
}
