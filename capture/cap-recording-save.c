/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-recording-save.c: a recording as one pcapng file.
 *
 * Records follow the event index's order (one order everywhere). Packets
 * are Enhanced Packet Blocks, in the recording's order, so Wireshark's
 * frame N is our packet N. Calls and everything else ride as
 * Socklens records in Interface Statistics Blocks, which Wireshark does not
 * count as frames. Each packet's comments name the calls it belongs to.
 */

#include "config.h"

#include "cap-recording-private.h"
#include "cap-call-codec.h"
#include "cap-event-index.h"
#include "cap-pcapng-writer.h"

#include <string.h>
#include <sys/socket.h>

typedef struct
{
  CapRecording    *self;
  CapPcapngWriter *writer;
  GByteArray      *buf;
  guint            next_packet;  /* packets are written in their own order */
  guint            next_sample;
} Saver;

static gboolean
write_record (Saver   *saver,
              gint64   ts,
              GError **error)
{
  gboolean ok = cap_pcapng_writer_write_record (saver->writer, 0, ts, saver->buf->data,
                                                saver->buf->len, error);
  g_byte_array_set_size (saver->buf, 0);
  return ok;
}

static gboolean
write_header_records (Saver   *saver,
                      GError **error)
{
  CapRecording *self = saver->self;
  gint64 start = cap_recording_get_start_time (self);

  if (self->scenario != NULL)
    {
      CapRunInfo run = {
        .scenario = self->scenario,
        .title = self->title,
        .start_ns = start,
      };
      cap_record_encode_run (&run, saver->buf);
      if (!write_record (saver, start, error))
        return FALSE;
    }
  for (guint i = 0; i < self->actors->len; i++)
    {
      cap_record_encode_actor (&g_array_index (self->actors, NcActorInfo, i), saver->buf);
      if (!write_record (saver, start, error))
        return FALSE;
    }
  for (guint i = 0; i < self->messages->len; i++)
    {
      cap_record_encode_message (g_array_index (self->message_severity, guint8, i),
                                 g_ptr_array_index (self->messages, i), saver->buf);
      if (!write_record (saver, start, error))
        return FALSE;
    }
  /* Each console line keeps its own time: up front is as good as in place. */
  for (guint i = 0; i < self->console->len; i++)
    {
      const CapConsoleLine *line = &g_array_index (self->console, CapConsoleLine, i);
      CapConsole console = { line->ts, line->actor, line->stream, (char *) line->text };

      cap_record_encode_console (&console, saver->buf);
      if (!write_record (saver, start, error))
        return FALSE;
    }
  return TRUE;
}

static void
sample_to_state (CapRecording        *self,
                 const CapSockSample *sample,
                 CapSockState        *state)
{
  g_autofree char *local = cap_recording_format_endpoint (self, sample->local);
  g_autofree char *peer = cap_recording_format_endpoint (self, sample->peer);

  memset (state, 0, sizeof *state);
  state->ts_ns = sample->ts;
  state->family = sample->local != CAP_NONE &&
                      cap_recording_get_endpoint (self, sample->local)->family == 6
                    ? AF_INET6
                    : AF_INET;
  g_strlcpy (state->local, local, sizeof state->local);
  g_strlcpy (state->peer, sample->peer == CAP_NONE ? "" : peer, sizeof state->peer);
  state->tcp_state = sample->state;
  state->inq = sample->queued_in;
  state->outq = sample->queued_out;
  state->actor = -1;
}

/* The socket-table samples taken up to @until */
static gboolean
write_samples_until (Saver   *saver,
                     gint64   until,
                     GError **error)
{
  CapRecording *self = saver->self;

  while (saver->next_sample < self->samples->len)
    {
      const CapSockSample *sample =
        &g_array_index (self->samples, CapSockSample, saver->next_sample);
      CapSockState state;

      if (sample->ts > until)
        break;
      sample_to_state (self, sample, &state);
      cap_record_encode_sockstate (&state, saver->buf);
      if (!write_record (saver, sample->ts, error))
        return FALSE;
      saver->next_sample++;
    }
  return TRUE;
}

static gboolean
write_call (Saver          *saver,
            const CapEvent *ev,
            GError        **error)
{
  NcCall call = g_array_index (saver->self->calls, NcCall, ev->index);
  NcCallPhase phase = ev->kind == CAP_EVENT_CALL_ENTER ? NC_CALL_PHASE_ENTER : NC_CALL_PHASE_RETURN;
  gint64 ts = phase == NC_CALL_PHASE_ENTER ? call.ts_start : call.ts_end;

  if (phase == NC_CALL_PHASE_ENTER)
    call.ts_end = 0;
  cap_record_encode_call (&call, phase, saver->buf);
  return write_record (saver, ts, error);
}

/* "client send(fd=3) call 7" for each call the packet belongs to, then
 * the comments the file it came from had on it (a teacher's notes); a
 * Socklens file's own comments are not repeated */
static char **
packet_comments (CapRecording *self,
                 guint         packet)
{
  guint n = 0;
  const CapLink *links = cap_recording_get_packet_links (self, packet, &n);
  const char *const *kept =
    self->comments ? g_hash_table_lookup (self->comments, GUINT_TO_POINTER (packet)) : NULL;
  GPtrArray *comments;

  if (n == 0 && kept == NULL &&
      !(g_array_index (self->packets, CapPacket, packet).flags & CAP_PACKET_DROPPED))
    return NULL;

  comments = g_ptr_array_new ();
  for (guint i = 0; i < n; i++)
    {
      const NcCall *call = &g_array_index (self->calls, NcCall, links[i].call);
      g_autoptr(GString) source = g_string_new (NULL);

      if (nc_call_format_source (call, source) && call->origin == NC_CALL_ORIGIN_PROGRAM)
        g_string_prepend (source, " at ");
      else
        g_string_truncate (source, 0);
      g_ptr_array_add (comments,
                       g_strdup_printf ("%s %s(fd=%d) call %u (%s)%s",
                                        cap_recording_get_actor_name (self, call->actor),
                                        nc_call_kind_name (call->kind), call->fd, call->id,
                                        cap_link_kind_name (links[i].kind), source->str));
    }
  if (g_array_index (self->packets, CapPacket, packet).flags & CAP_PACKET_DROPPED)
    g_ptr_array_add (comments, g_strdup (CAP_COMMENT_DROPPED));
  for (guint i = 0; kept != NULL && kept[i] != NULL; i++)
    if (!g_ptr_array_find_with_equal_func (comments, kept[i], g_str_equal, NULL))
      g_ptr_array_add (comments, g_strdup (kept[i]));
  g_ptr_array_add (comments, NULL);
  return (char **) g_ptr_array_free (comments, FALSE);
}

static gboolean
write_packet (Saver   *saver,
              guint    i,
              GError **error)
{
  CapRecording *self = saver->self;
  const CapPacket *pkt = &g_array_index (self->packets, CapPacket, i);
  g_auto (GStrv) comments = packet_comments (self, i);
  const guint8 *data = cap_recording_get_packet_data (self, i, NULL);

  /* the file the packets came from changed: never save a lie about them */
  if (data == NULL)
    return cap_recording_check_packet_data (self, error);
  if (!cap_pcapng_writer_write_packet (saver->writer, pkt->linktype_idx, pkt->ts, data,
                                       pkt->caplen, pkt->len, (const char *const *) comments,
                                       error))
    return FALSE;
  if (pkt->flags & CAP_PACKET_DROPPED)
    {
      cap_record_encode_drop (i, pkt->ts, saver->buf);
      if (!write_record (saver, pkt->ts, error))
        return FALSE;
    }
  return TRUE;
}

/* Every event in the event index's order, with the socket samples by time
 * among them. Packets keep their own order, so Wireshark's frame N is our
 * packet N: where the index puts a packet later than one with a higher
 * number (a foreign file's clock going back), the earlier-numbered packets
 * are written first. */
static gboolean
write_events (Saver   *saver,
              GError **error)
{
  CapRecording *self = saver->self;
  guint n = cap_recording_get_n_events (self);

  for (guint row = 0; row < n; row++)
    {
      const CapEvent *ev = cap_recording_get_event (self, row);

      if (!write_samples_until (saver, cap_recording_get_event_time (self, row), error))
        return FALSE;
      if (ev->kind != CAP_EVENT_PACKET)
        {
          if (!write_call (saver, ev, error))
            return FALSE;
          continue;
        }
      for (; saver->next_packet <= ev->index; saver->next_packet++)
        if (!write_packet (saver, saver->next_packet, error))
          return FALSE;
    }
  return write_samples_until (saver, G_MAXINT64, error);
}

/**
 * cap_recording_save:
 * Writes the recording as pcapng to a temporary file next to @path and
 * renames it into place, so an existing file is never half overwritten.
 */
gboolean
cap_recording_save (CapRecording *self,
                    const char   *path,
                    GError      **error)
{
  g_autoptr(CapPcapngWriter) writer = NULL;
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  Saver saver = { 0 };

  g_return_val_if_fail (CAP_IS_RECORDING (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  cap_recording_ensure_exact_links (self);
  writer = cap_pcapng_writer_new_for_path (path, error);
  if (writer == NULL)
    return FALSE;

  /* Records need an interface to belong to, even in a run with no packets. */
  if (self->ifaces->len == 0)
    {
      CapIface iface = { .linktype = CAP_LINKTYPE_ETHERNET, .name = g_strdup ("lo") };
      g_array_append_val (self->ifaces, iface);
    }
  for (guint i = 0; i < self->ifaces->len; i++)
    {
      const CapIface *iface = &g_array_index (self->ifaces, CapIface, i);
      if (!cap_pcapng_writer_add_interface (writer, iface->linktype,
                                            iface->snaplen ? iface->snaplen : 262144,
                                            iface->name ? iface->name : "lo", NULL, error))
        goto fail;
    }

  saver = (Saver) { .self = self, .writer = writer, .buf = buf };
  if (!write_header_records (&saver, error) || !write_events (&saver, error))
    goto fail;
  return cap_pcapng_writer_close (writer, error);

fail:
  cap_pcapng_writer_abort (writer);
  return FALSE;
}
