/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-reader-pcapng.c: pcapng blocks (sections, interfaces and their
 * timestamp resolutions, packets, statistics) and their options. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include <string.h>

#include "cap-reader-private.h"

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
          cap_reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
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

/* Every option @code of the block, in its order: %NULL-terminated, or
 * %NULL if there is none; valid until the next block */
static const char *const *
option_strings (CapReader *self,
                guint16    code)
{
  g_ptr_array_set_size (self->comments, 0);
  for (guint i = 0; i < self->options->len; i++)
    {
      const ReaderOption *opt = &g_array_index (self->options, ReaderOption, i);

      /* an embedded NUL simply ends the string early */
      if (opt->code == code)
        g_ptr_array_add (self->comments, g_strndup ((const char *) opt->value, opt->len));
    }
  if (self->comments->len == 0)
    return NULL;
  g_ptr_array_add (self->comments, NULL);
  return (const char *const *) self->comments->pdata;
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
      cap_reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
                       _("corrupt %s at byte %" PRIu64
                         ": it names interface %u, but its section describes only %u "
                         "(numbered from 0)"),
                       _(block_name), block_offset, id, self->ifaces->len);
      return NULL;
    }
  return &g_array_index (self->ifaces, ReaderIface, id);
}

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
      cap_reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
                       _("corrupt section header at byte %" PRIu64
                         ": body of %zu bytes, at least 16 needed"),
                       self->offset, body_len);
      return FALSE;
    }

  major = get_u16 (body + 4, swap);
  minor = get_u16 (body + 6, swap);
  if (major != 1)
    {
      cap_reader_fail (self, error, CAP_FILE_ERROR_FORMAT,
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
      cap_reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
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

  if (body_len < 20)
    {
      cap_reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
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
      cap_reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
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
  cap_reader_emit_frame (self, iface, ts_ns, body + 20, caplen, len, self->offset + 28,
                         option_strings (self, OPT_COMMENT));
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
      cap_reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
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

  /* Nor a timestamp: it takes the previous packet's (Wireshark shows none),
   * so it keeps its place in the file's order instead of jumping to 1970. */
  cap_reader_emit_frame (self, iface, self->last_ts_ns, body + 4, caplen, len, self->offset + 12,
                         NULL);
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
      cap_reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
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

ParseResult
cap_reader_parse_pcapng_block (CapReader     *self,
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
          cap_reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
                           _("corrupt section header at byte %" PRIu64
                             ": byte-order magic 0x%08x"), self->offset, bom);
          return PARSE_ERROR;
        }
    }

  total = get_u32 (p + 4, swap);
  if (total < PCAPNG_MIN_BLOCK || total % 4 != 0 || total > CAP_READER_MAX_BLOCK)
    {
      cap_reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
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
      cap_reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
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
