/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-reader-pcap.c: classic pcap, the file header and one record at a time. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include <string.h>

#include "cap-reader-private.h"

#define PCAP_MAGIC_USEC      0xa1b2c3d4u
#define PCAP_MAGIC_NSEC      0xa1b23c4du
/* Alexey Kuznetzov's patched libpcap (old Red Hat tcpdump): each record adds
 * the interface index, protocol, packet type and a pad byte, 8 bytes more.
 * libpcap and Wireshark still read it. */
#define PCAP_MAGIC_KUZNETZOV 0xa1b2cd34u
#define PCAP_RECORD_LEN      16
#define PCAP_RECORD_LEN_KUZNETZOV 24

static const guint32 pcap_magics[] = { PCAP_MAGIC_USEC, PCAP_MAGIC_NSEC, PCAP_MAGIC_KUZNETZOV };

/* Which of the magics @magic is, read in our byte order or the other. */
static gboolean
match_magic (guint32  magic,
             guint32 *which,
             gboolean *swap)
{
  for (guint i = 0; i < G_N_ELEMENTS (pcap_magics); i++)
    for (guint s = 0; s < 2; s++)
      if (magic == (s ? GUINT32_SWAP_LE_BE (pcap_magics[i]) : pcap_magics[i]))
        {
          *which = pcap_magics[i];
          *swap = s;
          return TRUE;
        }
  return FALSE;
}

gboolean
cap_reader_pcap_is_magic (guint32 magic)
{
  guint32 which;
  gboolean swap;

  return match_magic (magic, &which, &swap);
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

  if (!match_magic (get_u32 (p, FALSE), &magic, &self->swap))
    g_assert_not_reached ();  /* parse_one chose this parser by the magic */
  self->pcap_nsec = magic == PCAP_MAGIC_NSEC;
  self->pcap_record_len = magic == PCAP_MAGIC_KUZNETZOV ? PCAP_RECORD_LEN_KUZNETZOV
                                                        : PCAP_RECORD_LEN;

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
  *need = self->pcap_record_len;
  if (avail < self->pcap_record_len)
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

  *need = self->pcap_record_len + (gsize) caplen;
  if (avail < *need)
    return PARSE_MORE;

  sec = get_u32 (p, self->swap);
  frac = get_u32 (p + 4, self->swap);
  len = get_u32 (p + 12, self->swap);
  ns = (guint64) sec * NSEC_PER_SEC + (guint64) frac * (self->pcap_nsec ? 1 : 1000);

  cap_reader_emit_frame (self, &g_array_index (self->ifaces, ReaderIface, 0), (gint64) ns,
                         p + self->pcap_record_len, caplen, len,
                         self->offset + self->pcap_record_len, NULL);
  return PARSE_DONE;
}
