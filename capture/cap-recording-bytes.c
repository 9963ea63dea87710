/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-recording-bytes.c: a packet's bytes, read back on demand.
 *
 * A loaded file's packet bytes are not kept: they are read back with pread ()
 * through a window, never mapped, so a file cut under the recording turns
 * into an error (cap_recording_check_packet_data ()), not SIGBUS. Frames
 * that came from a stream live in the arena; a gzip-compressed file's, in
 * a spool file (cap-recording-spool.c).
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "cap-recording-private.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Read back at least this much at once, so reading packets in order (the
 * text timeline, a save) costs one pread () per window, not per packet. */
#define WINDOW_MIN (256 * 1024)

static void
set_data_error (CapRecording *self,
                const char   *why)
{
  if (self->data_error == NULL)
    self->data_error = g_error_new (CAP_FILE_ERROR, CAP_FILE_ERROR_IO,
                                    _("“%s” changed after it was opened (%s): its packets "
                                      "can no longer be read; open it again"),
                                    self->source_name ? self->source_name : _("the file"), why);
}

/* Whether the file is still the one that was loaded: same size or longer,
 * not modified since. */
static gboolean
file_unchanged (CapRecording *self)
{
  struct stat now;

  if (fstat (self->file_fd, &now) != 0)
    {
      set_data_error (self, g_strerror (errno));
      return FALSE;
    }
  if (now.st_size < self->file_stat.st_size)
    {
      g_autofree char *why = g_strdup_printf (_("cut from %" PRId64 " to %" PRId64
                                                " bytes"), (gint64) self->file_stat.st_size,
                                              (gint64) now.st_size);
      set_data_error (self, why);
      return FALSE;
    }
  if (now.st_mtim.tv_sec != self->file_stat.st_mtim.tv_sec ||
      now.st_mtim.tv_nsec != self->file_stat.st_mtim.tv_nsec)
    {
      set_data_error (self, _("it was written to"));
      return FALSE;
    }
  return TRUE;
}

/* Bytes [offset, offset + len) of the loaded file, through the window. */
static const guint8 *
file_bytes (CapRecording *self,
            guint64       offset,
            guint32       len)
{
  gsize want, got = 0;

  if (self->window != NULL && offset >= self->window_start &&
      offset - self->window_start <= self->window_len &&
      len <= self->window_len - (offset - self->window_start))
    return self->window + (offset - self->window_start);
  /* a spool being written is ours alone, and grows */
  if (self->data_error != NULL || (self->spool == NULL && !file_unchanged (self)))
    return NULL;

  want = MAX ((gsize) len, WINDOW_MIN);
  if (want > self->window_size)
    {
      self->window = g_realloc (self->window, want);
      self->window_size = want;
    }
  self->window_start = offset;
  self->window_len = 0;
  while (got < want)
    {
      gssize n = pread (self->file_fd, self->window + got, want - got, (off_t) (offset + got));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      got += (gsize) n;
    }
  if (got < len)
    {
      set_data_error (self, _("it ends before its packets do"));
      return NULL;
    }
  self->window_len = got;
  return self->window;
}

/**
 * cap_recording_get_packet_data:
 * @caplen: (out) (optional): the captured length, 0 when the bytes cannot be read
 *
 * Returns: the packet's captured bytes, valid until the next call that reads
 *   packet bytes (this one, cap_recording_dissect_packet ()); %NULL if the
 *   file they were in changed (cap_recording_check_packet_data () says how)
 */
const guint8 *
cap_recording_get_packet_data (CapRecording *self,
                               guint         index,
                               guint32      *caplen)
{
  const CapPacket *pkt;
  const guint8 *data;

  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  g_return_val_if_fail (index < self->packets->len, NULL);

  pkt = &g_array_index (self->packets, CapPacket, index);
  if (self->file_fd < 0)
    data = self->arena->data + pkt->offset;
  else if ((data = cap_recording_spool_pending (self, pkt->offset, pkt->caplen)) == NULL)
    data = file_bytes (self, pkt->offset, pkt->caplen);
  if (caplen)
    *caplen = data != NULL ? pkt->caplen : 0;
  return data;
}

/**
 * cap_recording_check_packet_data:
 *
 * Returns: %FALSE, with an error naming the file, if packet bytes could not
 *   be read back because the file changed after it was loaded
 */
gboolean
cap_recording_check_packet_data (CapRecording *self,
                                 GError      **error)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), FALSE);

  if (self->data_error == NULL)
    return TRUE;
  g_propagate_error (error, g_error_copy (self->data_error));
  return FALSE;
}

guint32
cap_recording_get_packet_linktype (CapRecording *self,
                                   guint         index)
{
  const CapPacket *pkt = cap_recording_get_packet (self, index);

  return g_array_index (self->ifaces, CapIface, pkt->linktype_idx).linktype;
}

gboolean
cap_recording_dissect_packet (CapRecording *self,
                              guint         index,
                              CapSummary   *out)
{
  guint32 caplen;
  const guint8 *data = cap_recording_get_packet_data (self, index, &caplen);

  memset (out, 0, sizeof *out);
  if (data == NULL)
    return FALSE;
  return cap_dissect_summary (cap_recording_get_packet_linktype (self, index), data, caplen,
                              cap_recording_get_packet (self, index)->len, out);
}

