/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-reader-pcap.c: classic pcap, the file header and one record at a time. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include <string.h>

#include "cap-reader-private.h"

#define PCAP_MAGIC_USEC      0xa1b2c3d4u
#define PCAP_MAGIC_NSEC      0xa1b23c4du
#define PCAP_RECORD_LEN      16

gboolean
cap_reader_pcap_is_magic (guint32 magic)
{
  return magic == PCAP_MAGIC_USEC || magic == PCAP_MAGIC_NSEC
         || magic == GUINT32_SWAP_LE_BE (PCAP_MAGIC_USEC)
         || magic == GUINT32_SWAP_LE_BE (PCAP_MAGIC_NSEC);
}

ParseResult
cap_reader_parse_pcap_header (CapReader     *self,
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
  *need = CAP_READER_PCAP_HEADER_LEN;
  if (avail < CAP_READER_PCAP_HEADER_LEN)
    return PARSE_MORE;

  magic = get_u32 (p, FALSE);
  self->swap = (magic == GUINT32_SWAP_LE_BE (PCAP_MAGIC_USEC)
                || magic == GUINT32_SWAP_LE_BE (PCAP_MAGIC_NSEC));
  self->pcap_nsec = get_u32 (p, self->swap) == PCAP_MAGIC_NSEC;

  major = get_u16 (p + 4, self->swap);
  minor = get_u16 (p + 6, self->swap);
  if (major != 2)
    {
      cap_reader_fail (self, error, CAP_FILE_ERROR_FORMAT,
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

ParseResult
cap_reader_parse_pcap_record (CapReader     *self,
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
      cap_reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
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

  cap_reader_emit_frame (self, &g_array_index (self->ifaces, ReaderIface, 0), (gint64) ns,
              p + PCAP_RECORD_LEN, caplen, len, self->offset + PCAP_RECORD_LEN, NULL);
  return PARSE_DONE;
}
