/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-dissect.h: one packet dissector (link, IPv4/IPv6, TCP/UDP/ICMP) that
 * fills either a compact summary (bulk loading, no allocation) or, with the
 * same code, a field tree for the inspector. */

#pragma once

#include <string.h>
#include <glib.h>

G_BEGIN_DECLS

/* Link types, as LINKTYPE_ numbers in pcap files (DLT_ numbers where they
 * differ are accepted too). */
#define CAP_LINKTYPE_NULL       0     /* BSD loopback, AF in host byte order */
#define CAP_LINKTYPE_ETHERNET   1
#define CAP_LINKTYPE_PPP        9
#define CAP_LINKTYPE_DLT_RAW12  12    /* DLT_RAW on most systems */
#define CAP_LINKTYPE_DLT_RAW14  14    /* DLT_RAW on OpenBSD */
#define CAP_LINKTYPE_PPP_HDLC   50    /* PPP in HDLC-like framing (or Cisco HDLC) */
#define CAP_LINKTYPE_RAW        101
#define CAP_LINKTYPE_C_HDLC     104   /* Cisco HDLC */
#define CAP_LINKTYPE_LOOP       108   /* OpenBSD loopback, AF in network order */
#define CAP_LINKTYPE_LINUX_SLL  113
#define CAP_LINKTYPE_IPV4       228
#define CAP_LINKTYPE_IPV6       229
#define CAP_LINKTYPE_LINUX_SLL2 276

/* ---- fast summary ------------------------------------------------------ */

typedef enum
{
  CAP_SUMMARY_TRUNCATED = 1 << 0,  /* caplen < len: headers or data cut by the snapshot */
  CAP_SUMMARY_MALFORMED = 1 << 1,  /* bad version, lengths, options */
  CAP_SUMMARY_FRAGMENT  = 1 << 2,  /* IP fragment (MF set or offset != 0) */
  CAP_SUMMARY_QUOTED    = 1 << 3,  /* ICMP error with the quoted IP header parsed */
  CAP_SUMMARY_TRANSPORT = 1 << 4,  /* transport header complete: ports etc. valid */
  CAP_SUMMARY_UNSUPPORTED_LINK = 1 << 5,
} CapSummaryFlags;

#define CAP_TCP_FIN 0x01
#define CAP_TCP_SYN 0x02
#define CAP_TCP_RST 0x04
#define CAP_TCP_PSH 0x08
#define CAP_TCP_ACK 0x10
#define CAP_TCP_URG 0x20
#define CAP_TCP_ECE 0x40
#define CAP_TCP_CWR 0x80

#define CAP_SUMMARY_MAX_SACK 4

typedef struct
{
  guint32 left;
  guint32 right;
} CapSackBlock;

/* Plain data, no pointers: copy it, keep it in arrays. Fields not present
 * in the packet stay 0 (wscale: -1). family != 0 implies src/dst are valid;
 * CAP_SUMMARY_TRANSPORT implies ports (and TCP fields) are valid. */
typedef struct
{
  guint32 flags;            /* CapSummaryFlags */
  guint32 linktype;         /* the frame's LINKTYPE_ */
  guint16 ethertype;        /* 0 if the link layer has none */
  guint16 vlan_id;          /* innermost 802.1Q tag, 0 if none */

  guint8  family;           /* 0, 4 or 6 */
  guint8  ip_proto;         /* transport protocol (after IPv6 extension headers) */
  guint8  ttl;              /* TTL / hop limit */
  guint8  src[16];          /* IPv4 in the first 4 bytes */
  guint8  dst[16];
  guint32 ip_id;            /* IPv4 identification, IPv6 fragment identification */
  guint32 network_offset;   /* IP header in the frame */
  guint32 ip_len;           /* IP datagram length (header + payload), as the header says */
  guint32 frag_offset;      /* in bytes */

  guint32 transport_offset;
  guint16 sport;
  guint16 dport;

  /* TCP */
  guint8  tcp_flags;        /* CAP_TCP_* (FIN..CWR) */
  gint8   wscale;           /* window scale option shift, -1 if none */
  guint8  sack_perm;
  guint8  has_ts;
  guint8  n_sack;
  guint16 window;           /* raw, unscaled */
  guint16 mss;              /* 0 if none */
  guint32 seq;
  guint32 ack;
  guint32 ts_val;
  guint32 ts_ecr;
  CapSackBlock sack[CAP_SUMMARY_MAX_SACK];

  /* transport payload in the frame; payload_len from the IP length, so it
   * may run past caplen */
  guint32 payload_offset;
  guint32 payload_len;

  /* ICMP / ICMPv6 */
  guint8  icmp_type;
  guint8  icmp_code;
  guint16 icmp_id;          /* echo */
  guint16 icmp_seq;
  /* the datagram an ICMP error quotes (CAP_SUMMARY_QUOTED) */
  guint8  quoted_family;
  guint8  quoted_proto;
  guint16 quoted_sport;
  guint16 quoted_dport;
  guint8  quoted_src[16];
  guint8  quoted_dst[16];
} CapSummary;

gboolean cap_dissect_summary     (guint32           linktype,
                                  const guint8     *data,
                                  guint32           caplen,
                                  guint32           len,
                                  CapSummary       *out);
gboolean cap_linktype_is_supported (guint32         linktype);
const char *cap_linktype_name     (guint32           linktype);
const char *cap_ethertype_name    (guint16           type);
const guint32 *cap_linktypes_supported (guint      *n_out);

void     cap_summary_format_label   (const CapSummary *s,
                                     GString          *out);
void     cap_summary_format_line    (const CapSummary *s,
                                     gboolean          relative,
                                     guint32           seq_base,
                                     guint32           ack_base,
                                     GString          *out);
void     cap_summary_format_address (guint8            family,
                                     const guint8     *addr,
                                     GString          *out);
void     cap_tcp_flags_format       (guint8            tcp_flags,
                                     const char       *separator,
                                     GString          *out);
const char *cap_ip_proto_name       (guint8            ip_proto);

/* ---- field tree -------------------------------------------------------- */

typedef enum
{
  CAP_LAYER_LINK = 0,
  CAP_LAYER_NETWORK,
  CAP_LAYER_TRANSPORT,
  CAP_LAYER_PAYLOAD,
} CapLayer;

typedef enum
{
  CAP_FIELD_PROTOCOL  = 1 << 0,  /* a layer's parent node */
  CAP_FIELD_GENERATED = 1 << 1,  /* not in the bytes (length 0 or derived) */
  CAP_FIELD_TRUNCATED = 1 << 2,  /* "[Truncated: ...]" */
  CAP_FIELD_MALFORMED = 1 << 3,  /* "[Malformed: ...]" */
} CapFieldFlags;

typedef struct
{
  const char *name;         /* static, stable: "Destination port" */
  char       *display;      /* "Destination port: 9000" */
  guint64     value;        /* host value when is_integer */
  guint32     offset;       /* in the frame, for the hex highlight */
  guint32     length;
  gint32      parent;       /* index of the parent field, -1 at top level */
  guint16     depth;        /* 0 for layers */
  guint8      layer;        /* CapLayer */
  guint8      is_integer;
  guint8      is_network_order;  /* multi-byte integer read big-endian */
  guint8      flags;        /* CapFieldFlags */
} CapField;

typedef struct _CapFieldTree CapFieldTree;

/* Relative sequence numbers for the tree's TCP fields (the caller knows the
 * conversation; the dissector sees one packet). */
typedef struct
{
  gboolean relative;
  guint32  seq_base;
  guint32  ack_base;
} CapDissectOptions;

CapFieldTree     *cap_dissect_tree              (guint32                  linktype,
                                                 const guint8            *data,
                                                 guint32                  caplen,
                                                 guint32                  len);
CapFieldTree     *cap_dissect_tree_full         (guint32                  linktype,
                                                 const guint8            *data,
                                                 guint32                  caplen,
                                                 guint32                  len,
                                                 const CapDissectOptions *options);
guint             cap_field_tree_get_n_fields   (const CapFieldTree      *tree);
const CapField   *cap_field_tree_get_field      (const CapFieldTree      *tree,
                                                 guint                    index);
const CapSummary *cap_field_tree_get_summary    (const CapFieldTree      *tree);
gint              cap_field_tree_find           (const CapFieldTree      *tree,
                                                 CapLayer                 layer,
                                                 const char              *name);
char             *cap_field_tree_to_string      (const CapFieldTree      *tree);
void              cap_field_tree_free           (CapFieldTree            *tree);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CapFieldTree, cap_field_tree_free)

G_END_DECLS
