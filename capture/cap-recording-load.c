/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-recording-load.c: filling a recording from a file, a FIFO, standard
 * input or a live stream, through one push reader (CapReader) for all of
 * them: its interfaces, frames and Socklens records become the recording's
 * packets, calls, actors and the rest.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "cap-recording-private.h"
#include "cap-call-codec.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* Reading files and streams: one reader for both. */

/* The recording's interface for one the input describes: the same one
 * again for the same link type, name and snaplen (a live run's stream
 * describes lo once per section), else a new one while a packet's
 * guint8 can name it, else the first of its link type */
static guint8
interface_index (CapRecording       *self,
                 const CapInterface *iface)
{
  CapIface ci = { .linktype = iface->linktype, .snaplen = iface->snaplen };

  for (guint i = 0; i < self->ifaces->len; i++)
    {
      const CapIface *known = &g_array_index (self->ifaces, CapIface, i);

      if (known->linktype == iface->linktype && known->snaplen == iface->snaplen &&
          g_strcmp0 (known->name, iface->name) == 0)
        return (guint8) i;
    }
  if (self->ifaces->len > G_MAXUINT8)
    return cap_recording_linktype_index (self, iface->linktype);
  ci.name = g_strdup (iface->name);
  g_array_append_val (self->ifaces, ci);
  return (guint8) (self->ifaces->len - 1);
}

static void
on_reader_interface (const CapInterface *iface,
                     gpointer            user_data)
{
  CapRecording *self = user_data;
  guint8 idx = interface_index (self, iface);

  g_array_append_val (self->feed_ifaces, idx);
}

static const CapIface *
frame_interface (CapRecording *self,
                 guint32       iface,
                 guint8       *idx)
{
  *idx = iface < self->feed_ifaces->len ? g_array_index (self->feed_ifaces, guint8, iface)
                                        : cap_recording_linktype_index (self, CAP_LINKTYPE_ETHERNET);
  return &g_array_index (self->ifaces, CapIface, *idx);
}

/* "client send(fd=3) call 7 (data)", or the dropped packet's: what a
 * Socklens file says on its packets, which saving writes again from the
 * links (keeping them would cost a million strings for a million packets).
 * A file whose calls are gone (rewritten by editcap or Wireshark, which
 * drop Socklens records but keep comments) keeps them: they are all that
 * is left of the calls. */
static gboolean
is_own_comment (const char *text)
{
  const char *p = strstr (text, "(fd=");

  if (g_str_equal (text, CAP_COMMENT_DROPPED))
    return TRUE;
  if (p == NULL || (p = strchr (p, ')')) == NULL || !g_str_has_prefix (p, ") call "))
    return FALSE;
  p += strlen (") call ");
  if (!g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    p++;
  return g_str_has_prefix (p, " (");
}

/* The comments a person or another program wrote on @packet, to save with it */
static void
keep_comments (CapRecording      *self,
               guint32            packet,
               const char *const *comments)
{
  GPtrArray *kept = NULL;

  /* a Socklens run's calls start before its first packet */
  gboolean has_calls = self->calls->len > 0;

  for (guint i = 0; comments[i] != NULL; i++)
    if (!has_calls || !is_own_comment (comments[i]))
      {
        if (kept == NULL)
          kept = g_ptr_array_new ();
        g_ptr_array_add (kept, g_strdup (comments[i]));
      }
  if (kept == NULL)
    return;
  g_ptr_array_add (kept, NULL);
  if (self->comments == NULL)
    self->comments = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_strfreev);
  g_hash_table_insert (self->comments, GUINT_TO_POINTER (packet),
                       g_ptr_array_free (kept, FALSE));
}

static void
on_reader_frame (const CapFrame *frame,
                 gpointer        user_data)
{
  CapRecording *self = user_data;
  guint8 idx;
  guint32 linktype = frame_interface (self, frame->iface, &idx)->linktype;
  guint32 next = self->packets->len;
  guint32 packet;

  /* frames the reader numbered without a packet come before this one */
  while (frame->index > next + self->frame_skips->len)
    g_array_append_val (self->frame_skips, next);

  if (self->spool != NULL)
    packet = cap_recording_add_packet (self, linktype, frame->ts_ns, frame->data, frame->caplen,
                                       frame->len,
                                       cap_recording_spool_append (self, frame->data, frame->caplen));
  else if (self->file_fd >= 0)
    packet = cap_recording_add_packet (self, linktype, frame->ts_ns, frame->data, frame->caplen,
                                       frame->len, frame->data_offset);
  else
    packet = cap_recording_add_frame (self, linktype, frame->ts_ns, frame->data, frame->caplen,
                                      frame->len);
  /* on its own interface: of its link type, but maybe not the first */
  g_array_index (self->packets, CapPacket, packet).linktype_idx = idx;
  if (frame->comments != NULL)
    keep_comments (self, packet, frame->comments);
}

static void
add_sock_state (CapRecording       *self,
                const CapSockState *state)
{
  CapSockSample sample = {
    .ts = state->ts_ns,
    .local = cap_recording_lookup_endpoint_text (self, state->local, NULL),
    .peer = cap_recording_lookup_endpoint_text (self, state->peer, NULL),
    .state = state->tcp_state,
    .queued_in = state->inq,
    .queued_out = state->outq,
  };
  cap_recording_add_sock_sample (self, &sample);
}

static void
on_reader_record (const CapRawRecord *raw,
                  gpointer            user_data)
{
  CapRecording *self = user_data;
  g_auto (CapRecord) record = CAP_RECORD_INIT;
  g_autoptr(GError) error = NULL;

  if (!cap_record_decode (raw->payload, raw->len, &record, &error))
    {
      /* A record we cannot read must not cost the user the rest of the file. */
      g_autofree char *text = g_strdup_printf (_("%s: skipped a Socklens record at byte %"
                                                 PRIu64 ": %s"),
                                               self->source_name ? self->source_name : _("stream"),
                                               raw->offset, error->message);
      cap_recording_add_message (self, CAP_MESSAGE_WARNING, text);
      return;
    }

  switch (record.type)
    {
    case CAP_RECORD_RUN:
      cap_recording_set_run_info (self, record.run.scenario, record.run.title);
      break;
    case CAP_RECORD_ACTOR:
      cap_recording_add_actor (self, &record.actor);
      break;
    case CAP_RECORD_CALL_ENTER:
      cap_recording_add_call (self, &record.call, NC_CALL_PHASE_ENTER);
      break;
    case CAP_RECORD_CALL_RETURN:
      cap_recording_add_call (self, &record.call, NC_CALL_PHASE_RETURN);
      break;
    case CAP_RECORD_SOCKSTATE:
      add_sock_state (self, &record.sockstate);
      break;
    case CAP_RECORD_DROP:
      cap_recording_mark_dropped (self, record.drop.packet_index);
      break;
    case CAP_RECORD_MESSAGE:
      cap_recording_add_message (self, (CapMessageSeverity) record.message.severity,
                                 record.message.text);
      break;
    case CAP_RECORD_CONSOLE:
      cap_recording_add_console (self, record.console.ts_ns, record.console.actor,
                                 record.console.stream, record.console.text);
      break;
    case CAP_RECORD_END:
      if (record.end.error != NULL)
        cap_recording_add_message (self, CAP_MESSAGE_ERROR, record.end.error);
      break;
    case CAP_RECORD_NONE:
    default:
      break;
    }
}

static const CapReaderCallbacks reader_callbacks = {
  .interface = on_reader_interface,
  .frame = on_reader_frame,
  .record = on_reader_record,
};

static CapReader *
ensure_reader (CapRecording *self)
{
  if (self->reader == NULL)
    {
      self->reader = cap_reader_new (&reader_callbacks, self);
      if (self->feed_ifaces == NULL)
        self->feed_ifaces = g_array_new (FALSE, FALSE, sizeof (guint8));
    }
  return self->reader;
}

/**
 * cap_recording_load_file:
 * @path: a pcap or pcapng file, a FIFO, or "-" for standard input
 *
 * Reads a capture into an empty recording. A regular file is read in chunks
 * and stays open: packet bytes are read back from it when asked for, so a
 * million packets take no more memory than their records. A gzip-compressed
 * file, a FIFO or standard input is read through the streaming path, its
 * packet bytes written to an unlinked spool file as they come (in memory
 * only if the disk refuses them).
 * If the input is damaged, what came before the damage stays loaded and
 * %FALSE is returned with an error naming the file and the byte offset.
 */
gboolean
cap_recording_load_file (CapRecording *self,
                         const char   *path,
                         GError      **error)
{
  return cap_recording_load_file_full (self, path, NULL, NULL, NULL, error);
}

/**
 * cap_recording_load_file_full:
 * @cancellable: stops the reading (G_IO_ERROR_CANCELLED; what was read stays)
 * @progress: called after each chunk with the bytes read so far, on the
 *   loading thread
 *
 * cap_recording_load_file () for a window: a progress bar and Cancel.
 */
gboolean
cap_recording_load_file_full (CapRecording    *self,
                              const char      *path,
                              GCancellable    *cancellable,
                              CapReadProgress  progress,
                              gpointer         user_data,
                              GError         **error)
{
  g_autofree char *display = NULL;
  CapReader *reader;
  struct stat st;
  gboolean ok;
  int fd;

  g_return_val_if_fail (CAP_IS_RECORDING (self), FALSE);
  g_return_val_if_fail (self->packets->len == 0 && self->file_fd < 0, FALSE);

  fd = cap_reader_open (path, &st, error);
  if (fd < 0)
    return FALSE;
  /* offsets are from where reading starts: a regular file read from its
   * first byte can be read back later; anything else (a gzip-compressed
   * file, whose offsets count decompressed bytes, a pipe, or standard input
   * already partly read) keeps its packet bytes in a spool file, or in the
   * arena if none can be made */
  if (S_ISREG (st.st_mode) && lseek (fd, 0, SEEK_CUR) == 0 && !cap_reader_fd_is_gzip (fd))
    {
      self->file_fd = fd;
      self->file_stat = st;
      posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
  else
    cap_recording_spool_open (self);

  reader = ensure_reader (self);
  display = strcmp (path, "-") == 0 ? g_strdup ("standard input") : g_filename_display_basename (path);
  cap_reader_set_name (reader, display);
  g_free (self->source_name);
  self->source_name = g_strdup (display);
  ok = cap_reader_feed_fd_full (reader, fd, cancellable, progress, user_data, error) &&
       cap_reader_finish (reader, error);
  g_clear_pointer (&self->reader, cap_reader_free);
  cap_recording_spool_finish (self);
  if (self->file_fd != fd)
    close (fd);

  cap_recording_commit (self);
  return ok;
}

CapRecording *
cap_recording_new_from_file (const char *path,
                             GError    **error)
{
  g_autoptr(CapRecording) self = cap_recording_new ();

  if (!cap_recording_load_file (self, path, error))
    return NULL;
  return g_steal_pointer (&self);
}

gboolean
cap_recording_feed (CapRecording *self,
                    const guint8 *data,
                    gsize         len,
                    GError      **error)
{
  gboolean ok;

  g_return_val_if_fail (CAP_IS_RECORDING (self), FALSE);
  g_return_val_if_fail (self->file_fd < 0, FALSE);

  self->live = TRUE;
  ok = cap_reader_feed (ensure_reader (self), data, len, error);
  cap_recording_commit (self);
  return ok;
}

gboolean
cap_recording_finish_feed (CapRecording *self,
                           GError      **error)
{
  gboolean ok = TRUE;

  g_return_val_if_fail (CAP_IS_RECORDING (self), FALSE);

  if (self->reader != NULL)
    ok = cap_reader_finish (self->reader, error);
  /* The links of the whole run, exactly as a file of it will have them */
  self->live = FALSE;
  self->links_dirty = TRUE;
  cap_recording_commit (self);
  return ok;
}

