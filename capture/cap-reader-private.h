/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-reader-private.h: what the reader's files share: the reader's state, the
 * byte-order readers, and each format's entry point (classic pcap in
 * cap-reader-pcap.c, pcapng in cap-reader-pcapng.c; the push machinery that
 * calls them, in cap-reader.c). */
#pragma once

#include <string.h>

#include "cap-reader.h"

G_BEGIN_DECLS

/* What an input that is no capture is, is told from its first bytes, this
 * many (or all of a shorter input): never from however many the first feed
 * happened to bring, so a file read at once or in pieces gets one answer */
#define CAP_READER_SNIFF_LEN 64

/* The first four bytes of every pcapng file: its Section Header Block type. */
#define PCAPNG_BT_SHB        0x0A0D0D0Au

/* Classic pcap's file header, the whole of it. */
#define CAP_READER_PCAP_HEADER_LEN 24

#define NSEC_PER_SEC         G_GUINT64_CONSTANT (1000000000)

typedef enum
{
  PARSE_DONE,   /* consumed *need bytes */
  PARSE_MORE,   /* the unit is *need bytes long, more than are here */
  PARSE_ERROR,
} ParseResult;

/* An interface of the current section. */
typedef struct
{
  guint32 global;
  guint32 linktype;
  guint32 snaplen;
  guint8  tsresol;
  gint64  tsoffset;
} ReaderIface;

/* One option of the block being parsed; points into the caller's bytes. */
typedef struct
{
  guint16       code;
  guint16       len;
  const guint8 *value;
  guint64       offset;
} ReaderOption;

struct _CapReader
{
  CapReaderCallbacks callbacks;
  gpointer           user_data;
  char              *name;

  CapReaderFormat    format;
  gboolean           header_done;   /* classic pcap: the file header is read */
  gboolean           finishing;     /* cap_reader_finish (): no more bytes will come */
  gboolean           swap;          /* input byte order differs from ours */
  gboolean           pcap_nsec;
  guint32            pcap_record_len;  /* 16, or 24 in Kuznetzov's variant */
  guint32            pcap_linktype;

  GArray            *ifaces;        /* ReaderIface, the current section's */
  guint32            n_ifaces;      /* over all sections */
  guint32            n_sections;
  guint32            n_frames;
  gint64             last_ts_ns;    /* the last frame's time: a Simple Packet Block has none */

  guint64            offset;        /* stream offset of the next unparsed byte */
  GByteArray        *pending;       /* a unit split across feeds; starts at @offset */
  const char        *pending_what;  /* what kind of unit @pending holds, for messages */

  GArray            *options;       /* ReaderOption scratch */
  GPtrArray         *comments;      /* a packet's opt_comments, NULL-terminated when emitted */
  GString           *text1;
  GString           *text2;
  GError            *error;         /* sticky: once damaged, always damaged */
};

static inline guint16
get_u16 (const guint8 *p,
         gboolean      swap)
{
  guint16 v;

  memcpy (&v, p, sizeof v);
  return swap ? GUINT16_SWAP_LE_BE (v) : v;
}

static inline guint32
get_u32 (const guint8 *p,
         gboolean      swap)
{
  guint32 v;

  memcpy (&v, p, sizeof v);
  return swap ? GUINT32_SWAP_LE_BE (v) : v;
}

static inline guint64
get_u64 (const guint8 *p,
         gboolean      swap)
{
  guint64 v;

  memcpy (&v, p, sizeof v);
  return swap ? GUINT64_SWAP_LE_BE (v) : v;
}

static inline guint64
round4 (guint64 n)
{
  return (n + 3) & ~G_GUINT64_CONSTANT (3);
}

void         cap_reader_fail                (CapReader     *self,
                                             GError       **error,
                                             int            code,
                                             const char    *format,
                                             ...) G_GNUC_PRINTF (4, 5);
void         cap_reader_emit_frame          (CapReader         *self,
                                             const ReaderIface *iface,
                                             gint64             ts_ns,
                                             const guint8      *data,
                                             guint32            caplen,
                                             guint32            len,
                                             guint64            data_offset,
                                             const char *const *comments);

void         cap_reader_fail_not_capture    (CapReader     *self,
                                             const guint8  *p,
                                             gsize          len,
                                             GError       **error);

gboolean     cap_reader_pcap_is_magic       (guint32        magic);
ParseResult  cap_reader_parse_pcap_header   (CapReader     *self,
                                             const guint8  *p,
                                             gsize          avail,
                                             gsize         *need,
                                             GError       **error);
ParseResult  cap_reader_parse_pcap_record   (CapReader     *self,
                                             const guint8  *p,
                                             gsize          avail,
                                             gsize         *need,
                                             GError       **error);
ParseResult  cap_reader_parse_pcapng_block  (CapReader     *self,
                                             const guint8  *p,
                                             gsize          avail,
                                             gsize         *need,
                                             GError       **error);

G_END_DECLS
