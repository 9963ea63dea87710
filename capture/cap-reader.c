/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-reader.c: push parser for classic pcap and pcapng.
 *
 * The parser works on one unit at a time (file header, pcap record or pcapng
 * block) at the current stream offset. A unit is parsed straight from the
 * caller's bytes when they hold all of it, so a file read in large chunks
 * is parsed without a copy; only a unit split across two feeds is gathered in
 * @pending, and only up to its own end. Every length read from the input is
 * checked against what is really there before it is used.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cap-reader.h"

G_DEFINE_QUARK (cap-file-error-quark, cap_file_error)

#define PCAP_MAGIC_USEC      0xa1b2c3d4u
#define PCAP_MAGIC_NSEC      0xa1b23c4du
#define PCAP_HEADER_LEN      24
#define PCAP_RECORD_LEN      16

#define PCAPNG_BT_SHB        0x0A0D0D0Au
#define PCAPNG_BT_IDB        0x00000001u
#define PCAPNG_BT_PB         0x00000002u  /* obsolete Packet Block */
#define PCAPNG_BT_SPB        0x00000003u
#define PCAPNG_BT_ISB        0x00000005u
#define PCAPNG_BT_EPB        0x00000006u
#define PCAPNG_BT_JOURNAL    0x00000009u  /* systemd journal export */
#define PCAPNG_BT_CB         0x00000BADu
#define PCAPNG_BT_CB_NOCOPY  0x40000BADu
#define PCAPNG_BOM           0x1A2B3C4Du
#define PCAPNG_MIN_BLOCK     12

#define OPT_ENDOFOPT         0
#define OPT_COMMENT          1
#define OPT_IF_NAME          2
#define OPT_IF_DESCRIPTION   3
#define OPT_IF_TSRESOL       9
#define OPT_IF_TSOFFSET      14
#define OPT_CUSTOM_STR       2988
#define OPT_CUSTOM_BIN       2989
#define OPT_CUSTOM_STR_NC    19372
#define OPT_CUSTOM_BIN_NC    19373

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
  gboolean           swap;          /* input byte order differs from ours */
  gboolean           pcap_nsec;
  guint32            pcap_linktype;

  GArray            *ifaces;        /* ReaderIface, the current section's */
  guint32            n_ifaces;      /* over all sections */
  guint32            n_sections;
  guint32            n_frames;

  guint64            offset;        /* stream offset of the next unparsed byte */
  GByteArray        *pending;       /* a unit split across feeds; starts at @offset */
  const char        *pending_what;  /* what kind of unit @pending holds, for messages */

  GArray            *options;       /* ReaderOption scratch */
  GString           *comment;
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

static void reader_fail (CapReader  *self,
                         GError    **error,
                         int         code,
                         const char *format,
                         ...) G_GNUC_PRINTF (4, 5);

/* Records the error (the reader stays failed) and names the input. */
static void
reader_fail (CapReader  *self,
             GError    **error,
             int         code,
             const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_clear_error (&self->error);
  if (self->name != NULL)
    self->error = g_error_new (CAP_FILE_ERROR, code, "%s: %s", self->name, message);
  else
    self->error = g_error_new_literal (CAP_FILE_ERROR, code, message);

  if (error != NULL)
    *error = g_error_copy (self->error);
}

/* Saturates instead of overflowing: a timestamp from a corrupt file is
 * nonsense either way, but it must not be undefined behaviour. */
static gint64
clamp_ns (guint64 ns,
          gint64  offset_s)
{
  gint64 off_ns;
  gint64 ts;

  if (ns > (guint64) G_MAXINT64)
    ns = G_MAXINT64;
  if (__builtin_mul_overflow (offset_s, (gint64) NSEC_PER_SEC, &off_ns))
    off_ns = offset_s < 0 ? G_MININT64 : G_MAXINT64;
  if (__builtin_add_overflow ((gint64) ns, off_ns, &ts))
    ts = off_ns < 0 ? G_MININT64 : G_MAXINT64;
  return ts;
}

static gint64
pcapng_ts_to_ns (guint64 ts,
                 guint8  tsresol,
                 gint64  tsoffset)
{
  guint64 ns = 0;
  guint   n = tsresol & 0x7f;

  if (tsresol & 0x80)
    {
      /* 2^-n seconds per unit */
#ifdef __SIZEOF_INT128__
      unsigned __int128 wide = (unsigned __int128) ts * NSEC_PER_SEC;

      wide = n >= 128 ? 0 : wide >> n;
      ns = wide > G_MAXUINT64 ? G_MAXUINT64 : (guint64) wide;
#else
      ns = (guint64) ((long double) ts * NSEC_PER_SEC / powl (2, n));
#endif
    }
  else if (n <= 9)
    {
      guint64 mul = 1;

      for (guint i = n; i < 9; i++)
        mul *= 10;
      if (!g_uint64_checked_mul (&ns, ts, mul))
        ns = G_MAXUINT64;
    }
  else
    {
      ns = ts;
      for (guint i = 9; i < n && ns > 0; i++)
        ns /= 10;
    }

  return clamp_ns (ns, tsoffset);
}

/* Walks an option list into self->options, checking every length first, so
 * a block whose options are damaged delivers nothing. */
static gboolean
collect_options (CapReader     *self,
                 const guint8  *p,
                 gsize          len,
                 guint64        offset,
                 const char    *block_name,
                 guint64        block_offset,
                 GError       **error)
{
  gsize pos = 0;

  g_array_set_size (self->options, 0);

  while (len - pos >= 4)
    {
      ReaderOption opt;
      guint64 padded;

      opt.code = get_u16 (p + pos, self->swap);
      opt.len = get_u16 (p + pos + 2, self->swap);
      if (opt.code == OPT_ENDOFOPT)
        break;

      padded = round4 (opt.len);
      if (padded > len - pos - 4)
        {
          reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
                       _("corrupt %s at byte %" PRIu64
                         ": option %u at byte %" PRIu64
                         " claims %u bytes, only %zu left in the block"),
                       _(block_name), block_offset, opt.code, offset + pos,
                       opt.len, len - pos - 4);
          return FALSE;
        }

      opt.value = p + pos + 4;
      opt.offset = offset + pos + 4;
      g_array_append_val (self->options, opt);
      pos += 4 + padded;
    }

  return TRUE;
}

static gboolean
is_custom_option (guint16 code)
{
  return code == OPT_CUSTOM_STR || code == OPT_CUSTOM_BIN
         || code == OPT_CUSTOM_STR_NC || code == OPT_CUSTOM_BIN_NC;
}

/* Hands every Socklens custom option of the collected list to the record callback. */
static void
emit_records (CapReader *self,
              guint32    block_type,
              guint32    iface,
              gint64     ts_ns)
{
  if (self->callbacks.record == NULL)
    return;

  for (guint i = 0; i < self->options->len; i++)
    {
      const ReaderOption *opt = &g_array_index (self->options, ReaderOption, i);
      CapRawRecord rec;

      if (!is_custom_option (opt->code) || opt->len < 4 + CAP_SOCKLENS_MAGIC_LEN)
        continue;
      if (get_u32 (opt->value, self->swap) != CAP_SOCKLENS_PEN)
        continue;
      if (memcmp (opt->value + 4, CAP_SOCKLENS_MAGIC, CAP_SOCKLENS_MAGIC_LEN) != 0)
        continue;

      rec.block_type = block_type;
      rec.option_code = opt->code;
      rec.iface = iface;
      rec.ts_ns = ts_ns;
      rec.payload = opt->value + 4;
      rec.len = opt->len - 4;
      rec.offset = opt->offset + 4;
      self->callbacks.record (&rec, self->user_data);
    }
}

/* Copies the first option with @code into @out as a C string; NULL if absent. */
static const char *
option_string (CapReader *self,
               guint16    code,
               GString   *out)
{
  for (guint i = 0; i < self->options->len; i++)
    {
      const ReaderOption *opt = &g_array_index (self->options, ReaderOption, i);

      if (opt->code == code)
        {
          g_string_truncate (out, 0);
          g_string_append_len (out, (const char *) opt->value, opt->len);
          /* an embedded NUL simply ends the string early */
          return out->str;
        }
    }
  return NULL;
}

static const ReaderIface *
lookup_iface (CapReader  *self,
              guint32     id,
              const char *block_name,
              guint64     block_offset,
              GError    **error)
{
  if (id >= self->ifaces->len)
    {
      reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
                   _("corrupt %s at byte %" PRIu64
                     ": interface %u, but the section describes only %u"),
                   _(block_name), block_offset, id, self->ifaces->len);
      return NULL;
    }
  return &g_array_index (self->ifaces, ReaderIface, id);
}

static void
emit_frame (CapReader         *self,
            const ReaderIface *iface,
            gint64             ts_ns,
            const guint8      *data,
            guint32            caplen,
            guint32            len,
            guint64            data_offset,
            const char        *comment)
{
  CapFrame frame;

  frame.iface = iface->global;
  frame.linktype = iface->linktype;
  frame.ts_ns = ts_ns;
  frame.caplen = caplen;
  frame.len = len;
  frame.data = data;
  frame.data_offset = data_offset;
  frame.comment = comment;
  frame.index = self->n_frames++;

  if (self->callbacks.frame != NULL)
    self->callbacks.frame (&frame, self->user_data);
}

/* --- classic pcap ------------------------------------------------------- */

static ParseResult
parse_pcap_header (CapReader     *self,
                   const guint8  *p,
                   gsize          avail,
                   gsize         *need,
                   GError       **error)
{
  guint32 magic;
  guint16 major, minor;
  guint32 snaplen;
  CapInterface info = { 0 };
  ReaderIface iface = { 0 };

  self->pending_what = N_("file header");
  *need = PCAP_HEADER_LEN;
  if (avail < PCAP_HEADER_LEN)
    return PARSE_MORE;

  magic = get_u32 (p, FALSE);
  self->swap = (magic == GUINT32_SWAP_LE_BE (PCAP_MAGIC_USEC)
                || magic == GUINT32_SWAP_LE_BE (PCAP_MAGIC_NSEC));
  self->pcap_nsec = get_u32 (p, self->swap) == PCAP_MAGIC_NSEC;

  major = get_u16 (p + 4, self->swap);
  minor = get_u16 (p + 6, self->swap);
  if (major != 2)
    {
      reader_fail (self, error, CAP_FILE_ERROR_FORMAT,
                   _("pcap version %u.%u is not supported (byte 4)"), major, minor);
      return PARSE_ERROR;
    }

  snaplen = get_u32 (p + 16, self->swap);
  /* the upper bits carry FCS information, not the link type */
  self->pcap_linktype = get_u32 (p + 20, self->swap) & 0xffff;
  self->header_done = TRUE;

  iface.global = self->n_ifaces++;
  iface.linktype = self->pcap_linktype;
  iface.snaplen = snaplen;
  iface.tsresol = self->pcap_nsec ? CAP_TSRESOL_NSEC : CAP_TSRESOL_USEC;
  g_array_append_val (self->ifaces, iface);

  info.index = iface.global;
  info.linktype = iface.linktype;
  info.snaplen = snaplen;
  info.tsresol = iface.tsresol;
  if (self->callbacks.interface != NULL)
    self->callbacks.interface (&info, self->user_data);

  return PARSE_DONE;
}

static ParseResult
parse_pcap_record (CapReader     *self,
                   const guint8  *p,
                   gsize          avail,
                   gsize         *need,
                   GError       **error)
{
  guint32 sec, frac, caplen, len;
  guint64 ns;

  self->pending_what = N_("packet record");
  *need = PCAP_RECORD_LEN;
  if (avail < PCAP_RECORD_LEN)
    return PARSE_MORE;

  caplen = get_u32 (p + 8, self->swap);
  if (caplen > CAP_READER_MAX_CAPLEN)
    {
      reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
                   _("corrupt packet record at byte %" PRIu64
                     ": %u captured bytes, more than the limit of %u"),
                   self->offset, caplen, CAP_READER_MAX_CAPLEN);
      return PARSE_ERROR;
    }

  *need = PCAP_RECORD_LEN + (gsize) caplen;
  if (avail < *need)
    return PARSE_MORE;

  sec = get_u32 (p, self->swap);
  frac = get_u32 (p + 4, self->swap);
  len = get_u32 (p + 12, self->swap);
  ns = (guint64) sec * NSEC_PER_SEC + (guint64) frac * (self->pcap_nsec ? 1 : 1000);

  emit_frame (self, &g_array_index (self->ifaces, ReaderIface, 0), (gint64) ns,
              p + PCAP_RECORD_LEN, caplen, len, self->offset + PCAP_RECORD_LEN, NULL);
  return PARSE_DONE;
}

/* --- pcapng --------------------------------------------------------------- */

static gboolean
parse_shb (CapReader     *self,
           const guint8  *body,
           gsize          body_len,
           gboolean       swap,
           GError       **error)
{
  guint16 major, minor;

  if (body_len < 16)
    {
      reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
                   _("corrupt section header at byte %" PRIu64
                     ": body of %zu bytes, at least 16 needed"),
                   self->offset, body_len);
      return FALSE;
    }

  major = get_u16 (body + 4, swap);
  minor = get_u16 (body + 6, swap);
  if (major != 1)
    {
      reader_fail (self, error, CAP_FILE_ERROR_FORMAT,
                   _("pcapng version %u.%u at byte %" PRIu64 " is not supported"),
                   major, minor, self->offset);
      return FALSE;
    }

  /* A new section: new byte order, and its own interface numbering. */
  self->swap = swap;
  if (!collect_options (self, body + 16, body_len - 16, self->offset + 8 + 16,
                        N_("section header"), self->offset, error))
    return FALSE;

  self->n_sections++;
  g_array_set_size (self->ifaces, 0);
  emit_records (self, PCAPNG_BT_SHB, G_MAXUINT32, 0);
  return TRUE;
}

static gboolean
parse_idb (CapReader     *self,
           const guint8  *body,
           gsize          body_len,
           GError       **error)
{
  ReaderIface iface = { 0 };
  CapInterface info = { 0 };

  if (body_len < 8)
    {
      reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
                   _("corrupt interface description at byte %" PRIu64
                     ": body of %zu bytes, at least 8 needed"),
                   self->offset, body_len);
      return FALSE;
    }

  if (!collect_options (self, body + 8, body_len - 8, self->offset + 16,
                        N_("interface description"), self->offset, error))
    return FALSE;

  iface.linktype = get_u16 (body, self->swap);
  iface.snaplen = get_u32 (body + 4, self->swap);
  iface.tsresol = CAP_TSRESOL_USEC;
  for (guint i = 0; i < self->options->len; i++)
    {
      const ReaderOption *opt = &g_array_index (self->options, ReaderOption, i);

      if (opt->code == OPT_IF_TSRESOL && opt->len >= 1)
        iface.tsresol = opt->value[0];
      else if (opt->code == OPT_IF_TSOFFSET && opt->len >= 8)
        iface.tsoffset = (gint64) get_u64 (opt->value, self->swap);
    }
  iface.global = self->n_ifaces++;

  info.index = iface.global;
  info.section = self->n_sections - 1;
  info.section_index = self->ifaces->len;
  info.linktype = iface.linktype;
  info.snaplen = iface.snaplen;
  info.tsresol = iface.tsresol;
  info.tsoffset = iface.tsoffset;
  info.name = option_string (self, OPT_IF_NAME, self->text1);
  info.description = option_string (self, OPT_IF_DESCRIPTION, self->text2);

  g_array_append_val (self->ifaces, iface);
  if (self->callbacks.interface != NULL)
    self->callbacks.interface (&info, self->user_data);
  emit_records (self, PCAPNG_BT_IDB, iface.global, 0);
  return TRUE;
}

/* EPB and the obsolete PB share everything but the header layout. */
static gboolean
parse_packet_block (CapReader     *self,
                    guint32        type,
                    const guint8  *body,
                    gsize          body_len,
                    GError       **error)
{
  const char *block_name = type == PCAPNG_BT_EPB ? N_("enhanced packet block") : N_("packet block");
  const ReaderIface *iface;
  guint32 iface_id, caplen, len;
  guint64 ts;
  gint64 ts_ns;
  guint64 padded;
  const char *comment;

  if (body_len < 20)
    {
      reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
                   _("corrupt %s at byte %" PRIu64
                     ": body of %zu bytes, at least 20 needed"),
                   _(block_name), self->offset, body_len);
      return FALSE;
    }

  if (type == PCAPNG_BT_EPB)
    iface_id = get_u32 (body, self->swap);
  else
    iface_id = get_u16 (body, self->swap);
  ts = ((guint64) get_u32 (body + 4, self->swap) << 32) | get_u32 (body + 8, self->swap);
  caplen = get_u32 (body + 12, self->swap);
  len = get_u32 (body + 16, self->swap);

  if (caplen > body_len - 20)
    {
      reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
                   _("corrupt %s at byte %" PRIu64
                     ": %u captured bytes, but the block holds only %zu"),
                   _(block_name), self->offset, caplen, body_len - 20);
      return FALSE;
    }

  iface = lookup_iface (self, iface_id, block_name, self->offset, error);
  if (iface == NULL)
    return FALSE;

  /* body_len is a multiple of 4, so the padding fits whenever caplen does */
  padded = round4 (caplen);
  if (!collect_options (self, body + 20 + padded, body_len - 20 - padded,
                        self->offset + 28 + padded, block_name, self->offset, error))
    return FALSE;

  ts_ns = pcapng_ts_to_ns (ts, iface->tsresol, iface->tsoffset);
  comment = option_string (self, OPT_COMMENT, self->comment);
  emit_frame (self, iface, ts_ns, body + 20, caplen, len, self->offset + 28, comment);
  emit_records (self, type, iface->global, ts_ns);
  return TRUE;
}

static gboolean
parse_spb (CapReader     *self,
           const guint8  *body,
           gsize          body_len,
           GError       **error)
{
  const ReaderIface *iface;
  guint32 len, caplen;

  if (body_len < 4)
    {
      reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
                   _("corrupt simple packet block at byte %" PRIu64
                     ": body of %zu bytes, at least 4 needed"),
                   self->offset, body_len);
      return FALSE;
    }

  iface = lookup_iface (self, 0, N_("simple packet block"), self->offset, error);
  if (iface == NULL)
    return FALSE;

  /* An SPB has no caplen: the packet is cut at the snaplen or the block's end. */
  len = get_u32 (body, self->swap);
  caplen = MIN (len, body_len - 4);
  if (iface->snaplen != 0)
    caplen = MIN (caplen, iface->snaplen);

  emit_frame (self, iface, 0, body + 4, caplen, len, self->offset + 12, NULL);
  return TRUE;
}

static gboolean
parse_isb (CapReader     *self,
           const guint8  *body,
           gsize          body_len,
           GError       **error)
{
  const ReaderIface *iface;
  guint64 ts;

  if (body_len < 12)
    {
      reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
                   _("corrupt interface statistics block at byte %" PRIu64
                     ": body of %zu bytes, at least 12 needed"),
                   self->offset, body_len);
      return FALSE;
    }

  iface = lookup_iface (self, get_u32 (body, self->swap),
                        N_("interface statistics block"), self->offset, error);
  if (iface == NULL)
    return FALSE;

  if (!collect_options (self, body + 12, body_len - 12, self->offset + 20,
                        N_("interface statistics block"), self->offset, error))
    return FALSE;

  ts = ((guint64) get_u32 (body + 4, self->swap) << 32) | get_u32 (body + 8, self->swap);
  emit_records (self, PCAPNG_BT_ISB, iface->global,
                pcapng_ts_to_ns (ts, iface->tsresol, iface->tsoffset));
  return TRUE;
}

static ParseResult
parse_pcapng_block (CapReader     *self,
                    const guint8  *p,
                    gsize          avail,
                    gsize         *need,
                    GError       **error)
{
  gboolean swap = self->swap;
  guint32 type, total, trailer;
  const guint8 *body;
  gsize body_len;
  gboolean ok = TRUE;

  self->pending_what = N_("block");
  *need = 8;
  if (avail < 8)
    return PARSE_MORE;

  type = get_u32 (p, swap);
  if (type == PCAPNG_BT_SHB)
    {
      guint32 bom;

      /* the section's byte order decides how to read its own length */
      self->pending_what = N_("section header");
      *need = 12;
      if (avail < 12)
        return PARSE_MORE;

      bom = get_u32 (p + 8, FALSE);
      if (bom == PCAPNG_BOM)
        swap = FALSE;
      else if (bom == GUINT32_SWAP_LE_BE (PCAPNG_BOM))
        swap = TRUE;
      else
        {
          reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
                       _("corrupt section header at byte %" PRIu64
                         ": byte-order magic 0x%08x"), self->offset, bom);
          return PARSE_ERROR;
        }
    }

  total = get_u32 (p + 4, swap);
  if (total < PCAPNG_MIN_BLOCK || total % 4 != 0 || total > CAP_READER_MAX_BLOCK)
    {
      reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
                   _("corrupt block at byte %" PRIu64
                     ": impossible length %u (type 0x%08x)"), self->offset, total, type);
      return PARSE_ERROR;
    }

  *need = total;
  if (avail < total)
    return PARSE_MORE;

  trailer = get_u32 (p + total - 4, swap);
  if (trailer != total)
    {
      reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
                   _("corrupt block at byte %" PRIu64
                     ": length %u at its start but %u at its end"),
                   self->offset, total, trailer);
      return PARSE_ERROR;
    }

  body = p + 8;
  body_len = total - PCAPNG_MIN_BLOCK;

  switch (type)
    {
    case PCAPNG_BT_SHB:
      ok = parse_shb (self, body, body_len, swap, error);
      break;
    case PCAPNG_BT_IDB:
      ok = parse_idb (self, body, body_len, error);
      break;
    case PCAPNG_BT_EPB:
    case PCAPNG_BT_PB:
      ok = parse_packet_block (self, type, body, body_len, error);
      break;
    case PCAPNG_BT_SPB:
      ok = parse_spb (self, body, body_len, error);
      break;
    case PCAPNG_BT_ISB:
      ok = parse_isb (self, body, body_len, error);
      break;
    case PCAPNG_BT_CB:
    case PCAPNG_BT_CB_NOCOPY:
    case PCAPNG_BT_JOURNAL:
      /* Wireshark lists these as frames: keep our numbering the same as its. */
      self->n_frames++;
      break;
    default:
      /* name resolution, decryption secrets, anything newer: not ours to read */
      break;
    }

  return ok ? PARSE_DONE : PARSE_ERROR;
}

/* --- the push machinery ---------------------------------------------------- */

static ParseResult
parse_one (CapReader     *self,
           const guint8  *p,
           gsize          avail,
           gsize         *need,
           GError       **error)
{
  if (self->format == CAP_READER_FORMAT_UNKNOWN)
    {
      guint32 magic;

      self->pending_what = N_("file header");
      *need = 4;
      if (avail < 4)
        return PARSE_MORE;

      magic = get_u32 (p, FALSE);
      if (magic == PCAP_MAGIC_USEC || magic == PCAP_MAGIC_NSEC
          || magic == GUINT32_SWAP_LE_BE (PCAP_MAGIC_USEC)
          || magic == GUINT32_SWAP_LE_BE (PCAP_MAGIC_NSEC))
        self->format = CAP_READER_FORMAT_PCAP;
      else if (magic == PCAPNG_BT_SHB)
        self->format = CAP_READER_FORMAT_PCAPNG;
      else
        {
          reader_fail (self, error, CAP_FILE_ERROR_FORMAT,
                       _("not a pcap or pcapng file (magic %02x %02x %02x %02x at byte 0)"),
                       p[0], p[1], p[2], p[3]);
          return PARSE_ERROR;
        }
    }

  if (self->format == CAP_READER_FORMAT_PCAP)
    {
      if (!self->header_done)
        return parse_pcap_header (self, p, avail, need, error);
      return parse_pcap_record (self, p, avail, need, error);
    }

  return parse_pcapng_block (self, p, avail, need, error);
}

/**
 * cap_reader_new:
 * @callbacks: what to call for interfaces, frames and records (copied)
 * @user_data: passed to the callbacks
 *
 * Returns: (transfer full): a reader waiting for its first bytes
 */
CapReader *
cap_reader_new (const CapReaderCallbacks *callbacks,
                gpointer                  user_data)
{
  CapReader *self = g_new0 (CapReader, 1);

  if (callbacks != NULL)
    self->callbacks = *callbacks;
  self->user_data = user_data;
  self->ifaces = g_array_new (FALSE, FALSE, sizeof (ReaderIface));
  self->options = g_array_new (FALSE, FALSE, sizeof (ReaderOption));
  self->pending = g_byte_array_new ();
  self->comment = g_string_new (NULL);
  self->text1 = g_string_new (NULL);
  self->text2 = g_string_new (NULL);
  self->pending_what = N_("file header");
  return self;
}

void
cap_reader_free (CapReader *self)
{
  if (self == NULL)
    return;

  g_array_unref (self->ifaces);
  g_array_unref (self->options);
  g_byte_array_unref (self->pending);
  g_string_free (self->comment, TRUE);
  g_string_free (self->text1, TRUE);
  g_string_free (self->text2, TRUE);
  g_clear_error (&self->error);
  g_free (self->name);
  g_free (self);
}

/**
 * cap_reader_set_name:
 * @name: (nullable): how error messages name the input, e.g. "run.pcapng"
 */
void
cap_reader_set_name (CapReader  *self,
                     const char *name)
{
  g_return_if_fail (self != NULL);

  g_free (self->name);
  self->name = g_strdup (name);
}

/**
 * cap_reader_feed:
 * @data: (array length=len): the next bytes of the input
 *
 * Parses every complete unit in @data (after whatever was left over from the
 * previous call) and calls back for each; a partial unit at the end is kept.
 * Callbacks see pointers into @data when a unit lies wholly inside it.
 *
 * Returns: %FALSE if the input is damaged; frames before the damage have
 *   been delivered, and every later call fails the same way
 */
gboolean
cap_reader_feed (CapReader     *self,
                 const guint8  *data,
                 gsize          len,
                 GError       **error)
{
  gsize need;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return FALSE;
    }

  /* First finish a unit split across feeds, taking only the bytes it needs,
   * so everything after it is parsed in place. */
  while (self->pending->len > 0)
    {
      ParseResult r = parse_one (self, self->pending->data, self->pending->len, &need, error);

      if (r == PARSE_ERROR)
        return FALSE;
      if (r == PARSE_DONE)
        {
          g_assert (need > 0 && need <= self->pending->len);
          g_byte_array_remove_range (self->pending, 0, need);
          self->offset += need;
          continue;
        }

      g_assert (need > self->pending->len);
      if (len == 0)
        return TRUE;
      {
        gsize take = MIN (need - self->pending->len, len);

        g_byte_array_append (self->pending, data, take);
        data += take;
        len -= take;
      }
    }

  while (len > 0)
    {
      ParseResult r = parse_one (self, data, len, &need, error);

      if (r == PARSE_ERROR)
        return FALSE;
      if (r == PARSE_MORE)
        {
          /* need is bounded by the block and caplen limits, so this is too */
          g_assert (need > len);
          g_byte_array_append (self->pending, data, len);
          return TRUE;
        }

      g_assert (need > 0 && need <= len);
      data += need;
      len -= need;
      self->offset += need;
    }

  return TRUE;
}

/**
 * cap_reader_finish:
 *
 * Says the input has ended.
 *
 * Returns: %FALSE if it ended inside a unit (or had no header at all)
 */
gboolean
cap_reader_finish (CapReader  *self,
                   GError    **error)
{
  gsize need = 0;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return FALSE;
    }

  if (self->format == CAP_READER_FORMAT_UNKNOWN && self->pending->len == 0)
    {
      reader_fail (self, error, CAP_FILE_ERROR_TRUNCATED,
                   _("empty: no pcap or pcapng header at byte 0"));
      return FALSE;
    }

  if (self->pending->len == 0 && self->format == CAP_READER_FORMAT_PCAP && !self->header_done)
    need = PCAP_HEADER_LEN;
  else if (self->pending->len > 0)
    {
      if (parse_one (self, self->pending->data, self->pending->len, &need, error) == PARSE_ERROR)
        return FALSE;
    }

  if (need > self->pending->len)
    {
      reader_fail (self, error, CAP_FILE_ERROR_TRUNCATED,
                   _("truncated %s at byte %" PRIu64
                     " (expected %zu bytes, %u left)"),
                   _(self->pending_what), self->offset, need, self->pending->len);
      return FALSE;
    }

  return TRUE;
}

CapReaderFormat
cap_reader_get_format (CapReader *self)
{
  g_return_val_if_fail (self != NULL, CAP_READER_FORMAT_UNKNOWN);
  return self->format;
}

/* Frame numbers used so far (including frameless blocks Wireshark counts). */
guint32
cap_reader_get_n_frames (CapReader *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_frames;
}

/* Stream offset of the first byte not yet parsed. */
guint64
cap_reader_get_offset (CapReader *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->offset;
}

/* Big enough that a 1 GB file is a thousand reads, small enough to stay in cache. */
#define FEED_CHUNK (1024 * 1024)
#define FEED_CHUNK_MIN 4096

/* A small file gets a buffer of its size: a 1 MiB buffer for every little
 * file cost a quarter of fuzz-show's time in ASan's allocator, and loading
 * many small files (a class's homework) pays the same. */
static gsize
feed_chunk_for (int fd)
{
  struct stat st;

  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_size >= 0 &&
      st.st_size < FEED_CHUNK - 1)
    return MAX ((gsize) st.st_size + 1, FEED_CHUNK_MIN);
  return FEED_CHUNK;
}

/**
 * cap_reader_feed_fd:
 * @fd: a file, pipe, FIFO or terminal, read from where it stands to its end
 *
 * Feeds everything @fd holds, in chunks. Nothing is mapped: a file cut or
 * rewritten while it is read ends early with an error naming the input (or
 * delivers what was there), never with SIGBUS. Does not call
 * cap_reader_finish () and does not close @fd.
 *
 * Returns: %FALSE on damage or a read error
 */
gboolean
cap_reader_feed_fd (CapReader  *self,
                    int         fd,
                    GError    **error)
{
  gsize chunk = feed_chunk_for (fd);
  g_autofree guint8 *buf = g_malloc (chunk);

  g_return_val_if_fail (self != NULL, FALSE);

  for (;;)
    {
      gssize n = read (fd, buf, chunk);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          reader_fail (self, error, CAP_FILE_ERROR_IO, _("could not read at byte %" PRIu64
                         ": %s"), self->offset + self->pending->len, g_strerror (saved));
          return FALSE;
        }
      if (n == 0)
        return TRUE;
      if (!cap_reader_feed (self, buf, (gsize) n, error))
        return FALSE;
    }
}

/**
 * cap_reader_read_file:
 * @path: a .pcap or .pcapng file
 *
 * Reads a whole file (or FIFO, or "-" for standard input) in chunks; frame
 * offsets refer to the file itself. Errors name @path.
 *
 * Returns: %FALSE on damage or I/O failure; frames before it were delivered
 */
gboolean
cap_reader_read_file (const char               *path,
                      const CapReaderCallbacks *callbacks,
                      gpointer                  user_data,
                      GError                  **error)
{
  g_autoptr(CapReader) reader = NULL;
  g_autofree char *display = NULL;
  gboolean ok;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);

  display = g_filename_display_name (path);
  fd = cap_reader_open (path, NULL, error);
  if (fd < 0)
    return FALSE;

  reader = cap_reader_new (callbacks, user_data);
  cap_reader_set_name (reader, display);
  ok = cap_reader_feed_fd (reader, fd, error) && cap_reader_finish (reader, error);
  close (fd);
  return ok;
}

/**
 * cap_reader_open:
 * @path: a file, a FIFO, a character device, or "-" for standard input
 * @st: (out) (optional): what fstat () says about it
 *
 * Opens an input for reading, with the errors a person needs: a folder is
 * named as a folder, a missing file as missing.
 *
 * Returns: a file descriptor to close, or -1 with @error set
 */
int
cap_reader_open (const char   *path,
                 struct stat  *st,
                 GError      **error)
{
  g_autofree char *display = NULL;
  struct stat local;
  int fd, saved;

  g_return_val_if_fail (path != NULL, -1);

  if (st == NULL)
    st = &local;
  if (strcmp (path, "-") == 0)
    fd = fcntl (STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
  else
    fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  saved = errno;
  display = strcmp (path, "-") == 0 ? g_strdup (_("standard input")) : g_filename_display_name (path);
  if (fd < 0)
    {
      g_set_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_IO, _("could not open “%s”: %s"), display,
                   g_strerror (saved));
      return -1;
    }
  if (fstat (fd, st) != 0)
    {
      saved = errno;
      close (fd);
      g_set_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_IO, _("could not read “%s”: %s"), display,
                   g_strerror (saved));
      return -1;
    }
  if (S_ISDIR (st->st_mode))
    {
      close (fd);
      g_set_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_IO,
                   _("“%s” is a folder, not a capture file: name a .pcapng or .pcap file in it"),
                   display);
      return -1;
    }
  return fd;
}
