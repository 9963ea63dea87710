/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-recording.c: the recording object, its calls, actors and the rest, and
 * reading them.
 *
 * A million packets must load in about a second and stay small. The
 * recording is spread over files by idea, sharing cap-recording-private.h:
 * this one (the object, calls and actors, what a file says made safe where
 * it enters, sock_diag samples, consoles, messages, the derived links'
 * readers), -packets.c (packets, endpoints, conversations), -load.c (files
 * and streams through the reader), -bytes.c (packet bytes read back),
 * -correlate*.c (links between calls and packets, derived whenever the
 * content changed), -save.c and -text.c.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cap-recording-private.h"

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CapRecording, cap_recording, G_TYPE_OBJECT)

static void
clear_console_line (gpointer data)
{
  g_free ((char *) ((CapConsoleLine *) data)->text);
}

/* GObject */

static void
cap_recording_finalize (GObject *object)
{
  CapRecording *self = CAP_RECORDING (object);

  for (guint i = 0; i < self->ifaces->len; i++)
    g_free (g_array_index (self->ifaces, CapIface, i).name);
  g_clear_pointer (&self->ifaces, g_array_unref);
  g_clear_pointer (&self->scenario, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->actors, g_array_unref);
  g_clear_pointer (&self->calls, g_array_unref);
  g_clear_pointer (&self->packets, g_array_unref);
  g_clear_pointer (&self->frame_skips, g_array_unref);
  g_clear_pointer (&self->endpoints, g_array_unref);
  g_clear_pointer (&self->conversations, g_array_unref);
  g_clear_pointer (&self->conv_max_end, g_array_unref);
  g_clear_pointer (&self->samples, g_array_unref);
  g_clear_pointer (&self->messages, g_ptr_array_unref);
  g_clear_pointer (&self->console, g_array_unref);
  g_clear_pointer (&self->message_severity, g_array_unref);
  if (self->file_fd >= 0)
    close (self->file_fd);
  g_clear_pointer (&self->window, g_free);
  g_clear_error (&self->data_error);
  g_clear_pointer (&self->arena, g_byte_array_unref);
  g_clear_pointer (&self->spool, g_byte_array_unref);
  g_clear_pointer (&self->reader, cap_reader_free);
  g_clear_pointer (&self->source_name, g_free);
  g_clear_pointer (&self->feed_ifaces, g_array_unref);
  g_clear_pointer (&self->comments, g_hash_table_unref);
  g_clear_pointer (&self->sockets, g_array_unref);
  g_clear_pointer (&self->call_socket, g_array_unref);
  g_clear_pointer (&self->links, g_array_unref);
  g_clear_pointer (&self->links_by_packet, g_array_unref);
  g_clear_pointer (&self->call_link_start, g_array_unref);
  g_clear_pointer (&self->correlation, cap_correlation_free);
  g_clear_pointer (&self->touched_calls, g_array_unref);
  g_clear_pointer (&self->endpoint_actor, g_hash_table_unref);
  g_clear_pointer (&self->conv_end_actor, g_hash_table_unref);
  g_clear_pointer (&self->port_actor, g_hash_table_unref);
  g_clear_pointer (&self->call_file_id, g_array_unref);
  g_clear_pointer (&self->call_remap, g_hash_table_unref);
  g_clear_pointer (&self->strings, g_string_chunk_free);
  cap_id_table_clear (&self->endpoint_table);
  cap_id_table_clear (&self->conv_table);
  cap_event_index_clear (&self->event_index);

  G_OBJECT_CLASS (cap_recording_parent_class)->finalize (object);
}

static void
cap_recording_class_init (CapRecordingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cap_recording_finalize;

  /**
   * CapRecording::changed:
   * Calls, packets or anything else were added; links are up to date.
   */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cap_recording_init (CapRecording *self)
{
  self->ifaces = g_array_new (FALSE, TRUE, sizeof (CapIface));
  self->actors = g_array_new (FALSE, TRUE, sizeof (NcActorInfo));
  self->calls = g_array_new (FALSE, TRUE, sizeof (NcCall));
  self->packets = g_array_new (FALSE, TRUE, sizeof (CapPacket));
  self->frame_skips = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->endpoints = g_array_new (FALSE, TRUE, sizeof (CapEndpoint));
  self->conversations = g_array_new (FALSE, TRUE, sizeof (CapConversation));
  self->conv_max_end = g_array_new (FALSE, TRUE, sizeof (guint32) * 2);
  self->samples = g_array_new (FALSE, TRUE, sizeof (CapSockSample));
  self->messages = g_ptr_array_new_with_free_func (g_free);
  self->console = g_array_new (FALSE, FALSE, sizeof (CapConsoleLine));
  g_array_set_clear_func (self->console, clear_console_line);
  self->message_severity = g_array_new (FALSE, TRUE, sizeof (guint8));
  self->arena = g_byte_array_new ();
  self->file_fd = -1;
  self->sockets = g_array_new (FALSE, TRUE, sizeof (CapSocket));
  self->call_socket = g_array_new (FALSE, TRUE, sizeof (guint32));
  self->links = g_array_new (FALSE, TRUE, sizeof (CapLink));
  self->links_by_packet = g_array_new (FALSE, TRUE, sizeof (CapLink));
  self->call_link_start = g_array_new (FALSE, TRUE, sizeof (guint32));
  self->touched_calls = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->endpoint_actor = g_hash_table_new (NULL, NULL);
  self->conv_end_actor = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->port_actor = g_hash_table_new (NULL, NULL);
  self->call_file_id = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->call_remap = g_hash_table_new (NULL, NULL);
  self->strings = g_string_chunk_new (4096);
  cap_id_table_init (&self->endpoint_table);
  cap_id_table_init (&self->conv_table);
  cap_event_index_init (&self->event_index);
}

CapRecording *
cap_recording_new (void)
{
  return g_object_new (CAP_TYPE_RECORDING, NULL);
}

/* Values from untrusted input */

/* Times from a file can be anything: clamp them once, here, so that every
 * later sum or difference of two of them is defined. 0 keeps meaning "not
 * yet" for a call's times. */
gint64
cap_recording_clamp_time (CapRecording *self,
                          gint64        ts)
{
  if (ts >= 0 && ts <= CAP_TIME_MAX)
    return ts;
  if (!self->times_clamped)
    {
      self->times_clamped = TRUE;
      cap_recording_add_message (self, CAP_MESSAGE_WARNING,
                                 _("some times were out of range (before 1970 or after 2116) "
                                   "and were moved to the nearest end of it"));
    }
  /* 1, not 0: a call whose time was before 1970 still happened */
  return ts < 0 ? 1 : CAP_TIME_MAX;
}

/* The recording's own copy of a string: it lives as long as the recording,
 * and equal strings share one copy. */
static const char *
own_string (CapRecording *self,
            const char   *text)
{
  return text != NULL ? g_string_chunk_insert_const (self->strings, text) : NULL;
}


void
cap_recording_set_run_info (CapRecording *self,
                            const char   *scenario,
                            const char   *title)
{
  g_return_if_fail (CAP_IS_RECORDING (self));

  g_free (self->scenario);
  self->scenario = g_strdup (scenario);
  g_free (self->title);
  self->title = g_strdup (title);
}

const char *
cap_recording_get_scenario (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  return self->scenario;
}

const char *
cap_recording_get_title (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  return self->title;
}

static void
refuse_actor (CapRecording *self,
              guint         index,
              const char   *what)
{
  g_autofree char *text = g_strdup_printf (_("%s: skipped %s of actor %u (at most %u actors)"),
                                           self->source_name ? self->source_name : _("input"),
                                           what, index, CAP_ACTORS_MAX);
  cap_recording_add_message (self, CAP_MESSAGE_WARNING, text);
}

void
cap_recording_add_actor (CapRecording      *self,
                         const NcActorInfo *actor)
{
  NcActorInfo *slot;

  g_return_if_fail (CAP_IS_RECORDING (self));

  if (actor->index >= CAP_ACTORS_MAX)
    {
      refuse_actor (self, actor->index, _("the description"));
      return;
    }
  if (actor->index >= self->actors->len)
    g_array_set_size (self->actors, actor->index + 1);
  slot = &g_array_index (self->actors, NcActorInfo, actor->index);
  *slot = *actor;
  slot->name = own_string (self, actor->name);
  slot->role = own_string (self, actor->role);
  slot->host = own_string (self, actor->host);
  self->links_dirty = TRUE;
}

/* Where the call a file numbers @file_id is kept, or CAP_NONE if it is new.
 * An id is its own index when it could be (found without a lookup); any
 * other id (a file may write any 32-bit number) is found through call_remap. */
static guint32
call_index_of (CapRecording *self,
               guint32       file_id)
{
  gpointer value;

  if (file_id < self->call_file_id->len &&
      g_array_index (self->call_file_id, guint32, file_id) == file_id)
    return file_id;
  value = g_hash_table_lookup (self->call_remap, GUINT_TO_POINTER (file_id));
  return value != NULL ? GPOINTER_TO_UINT (value) - 1 : CAP_NONE;
}

/* Ids a recorder writes are dense but need not arrive in order (a save
 * writes records by time, and a forked child's calls are numbered late), so
 * an id keeps its number when that leaves at most as many gaps as there are
 * calls, plus CALL_GAP_SLACK: the array then stays proportional to the
 * records really in the file. A farther id (0xffffffff, 0x7fffffff ...), or
 * one whose slot is taken, gets the next free index instead. */
#define CALL_GAP_SLACK 1024
#define CALL_SLOT_FREE G_MAXUINT32  /* call_file_id of a gap */

static guint32
place_new_call (CapRecording *self,
                guint32       file_id)
{
  guint64 bound = 2 * (guint64) self->n_call_records + CALL_GAP_SLACK;
  guint32 len = self->calls->len;
  guint32 index;

  self->n_call_records++;
  if (file_id < bound && file_id < len &&
      g_array_index (self->call_file_id, guint32, file_id) == CALL_SLOT_FREE)
    index = file_id;  /* fills a gap */
  else if (file_id < bound && file_id >= len)
    index = file_id;  /* ahead of the others: the ids between are gaps */
  else
    index = len;
  if (index >= len)
    {
      g_array_set_size (self->calls, index + 1);
      for (guint32 i = len; i <= index; i++)
        {
          guint32 none = CALL_SLOT_FREE;
          g_array_append_val (self->call_file_id, none);
        }
    }
  g_array_index (self->call_file_id, guint32, index) = file_id;
  if (file_id != index)
    g_hash_table_insert (self->call_remap, GUINT_TO_POINTER (file_id),
                         GUINT_TO_POINTER (index + 1));
  return index;
}

/* A call arrives twice: as it enters the kernel, and as it returns. The
 * second replaces the first, so a blocked call shows while it blocks. */
void
cap_recording_add_call (CapRecording *self,
                        const NcCall *call,
                        NcCallPhase   phase)
{
  guint32 index;
  NcCall *slot;

  g_return_if_fail (CAP_IS_RECORDING (self));

  if (call->actor >= CAP_ACTORS_MAX)
    {
      refuse_actor (self, call->actor, _("a call"));
      return;
    }

  index = call_index_of (self, call->id);
  if (index == CAP_NONE)
    index = place_new_call (self, call->id);

  slot = &g_array_index (self->calls, NcCall, index);
  *slot = *call;
  slot->id = index;
  slot->file = own_string (self, call->file);
  slot->stack = own_string (self, call->stack);
  slot->ts_gate = cap_recording_clamp_time (self, call->ts_gate);
  slot->ts_start = cap_recording_clamp_time (self, call->ts_start);
  slot->ts_end = phase == NC_CALL_PHASE_ENTER ? 0 : cap_recording_clamp_time (self, call->ts_end);
  g_array_append_val (self->touched_calls, index);
  self->links_dirty = TRUE;
  self->call_span_valid = FALSE;
  cap_event_index_note_call (&self->event_index, index);
}

void
cap_recording_mark_dropped (CapRecording *self,
                            guint32       packet)
{
  g_return_if_fail (CAP_IS_RECORDING (self));

  if (packet < self->packets->len)
    g_array_index (self->packets, CapPacket, packet).flags |= CAP_PACKET_DROPPED;
}

void
cap_recording_add_sock_sample (CapRecording        *self,
                               const CapSockSample *sample)
{
  CapSockSample copy;

  g_return_if_fail (CAP_IS_RECORDING (self));

  copy = *sample;
  copy.ts = cap_recording_clamp_time (self, sample->ts);
  g_array_append_val (self->samples, copy);
}

void
cap_recording_add_console (CapRecording *self,
                           gint64        ts,
                           guint16       actor,
                           guint8        stream,
                           const char   *text)
{
  CapConsoleLine line = { ts, actor, stream, g_strdup (text ? text : "") };

  g_return_if_fail (CAP_IS_RECORDING (self));
  g_array_append_val (self->console, line);
}

guint
cap_recording_get_n_console_lines (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);
  return self->console->len;
}

const CapConsoleLine *
cap_recording_get_console_line (CapRecording *self,
                                guint         index)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  g_return_val_if_fail (index < self->console->len, NULL);
  return &g_array_index (self->console, CapConsoleLine, index);
}

void
cap_recording_add_message (CapRecording       *self,
                           CapMessageSeverity  severity,
                           const char         *text)
{
  guint8 sev = (guint8) severity;

  g_return_if_fail (CAP_IS_RECORDING (self));

  /* a file's message record may carry no text: an empty message, never NULL */
  g_ptr_array_add (self->messages, g_strdup (text != NULL ? text : ""));
  g_array_append_val (self->message_severity, sev);
}

/* A live stream brings links up to date with what is new; anything else,
 * and the end of a stream, with one full pass. */
void
cap_recording_ensure_links (CapRecording *self)
{
  if (!self->links_dirty)
    return;
  if (self->live)
    cap_recording_correlate_new (self);
  else
    cap_recording_correlate (self);
}

/* The links of one full pass over everything, as a file gets them: kept
 * if the last pass was full and nothing came since (a run's end and a
 * loaded file make one; a save after either need not make another: it was
 * a tenth of `socklens run --output`), else made now. */
void
cap_recording_ensure_exact_links (CapRecording *self)
{
  if (self->live || self->links_dirty)
    cap_recording_correlate (self);
}

void
cap_recording_commit (CapRecording *self)
{
  g_return_if_fail (CAP_IS_RECORDING (self));

  cap_recording_ensure_links (self);
  cap_event_index_update (self);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/* For tests and benchmarks: how many packets, segments and links the
 * correlation has looked at since the recording was made. */
guint64
cap_recording_get_correlation_visits (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);
  return self->correlation_visits;
}

/* Reading the recording */

/* One pass over the calls after each change, not one per question: the
 * painter asks for the start and end every frame. */
static void
ensure_call_span (CapRecording *self)
{
  gint64 start = G_MAXINT64, end = 0;

  if (self->call_span_valid)
    return;
  for (guint i = 0; i < self->calls->len; i++)
    {
      const NcCall *call = &g_array_index (self->calls, NcCall, i);
      /* Not only the first: a forked child's calls are numbered late. */
      if (call->ts_start != 0)
        start = MIN (start, call->ts_gate ? call->ts_gate : call->ts_start);
      end = MAX (end, MAX (call->ts_start, call->ts_end));
    }
  self->calls_start = start;
  self->calls_end = end;
  self->call_span_valid = TRUE;
}

gint64
cap_recording_get_start_time (CapRecording *self)
{
  gint64 start = G_MAXINT64;

  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);

  ensure_call_span (self);
  if (self->packets->len > 0)
    start = g_array_index (self->packets, CapPacket, 0).ts;
  start = MIN (start, self->calls_start);
  return start == G_MAXINT64 ? 0 : start;
}

gint64
cap_recording_get_end_time (CapRecording *self)
{
  gint64 end = 0;

  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);

  ensure_call_span (self);
  if (self->packets->len > 0)
    end = g_array_index (self->packets, CapPacket, self->packets->len - 1).ts;
  return MAX (end, self->calls_end);
}

guint
cap_recording_get_n_actors (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);
  return self->actors->len;
}

const NcActorInfo *
cap_recording_get_actor (CapRecording *self,
                         guint         index)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  g_return_val_if_fail (index < self->actors->len, NULL);
  return &g_array_index (self->actors, NcActorInfo, index);
}

/**
 * cap_recording_get_actor_name:
 *
 * Returns: @index's name as every view shows it, "?" when the recording
 *   does not know the actor or its name
 */
const char *
cap_recording_get_actor_name (CapRecording *self,
                              guint         index)
{
  const NcActorInfo *actor;

  g_return_val_if_fail (CAP_IS_RECORDING (self), "?");

  actor = index < self->actors->len ? &g_array_index (self->actors, NcActorInfo, index) : NULL;
  return actor && actor->name ? actor->name : "?";
}

guint
cap_recording_get_n_calls (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);
  return self->calls->len;
}

const NcCall *
cap_recording_get_call (CapRecording *self,
                        guint         id)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  g_return_val_if_fail (id < self->calls->len, NULL);
  return &g_array_index (self->calls, NcCall, id);
}

guint
cap_recording_get_n_sock_samples (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);
  return self->samples->len;
}

const CapSockSample *
cap_recording_get_sock_sample (CapRecording *self,
                               guint         index)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  g_return_val_if_fail (index < self->samples->len, NULL);
  return &g_array_index (self->samples, CapSockSample, index);
}

guint
cap_recording_get_n_messages (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);
  return self->messages->len;
}

const char *
cap_recording_get_message (CapRecording       *self,
                           guint               index,
                           CapMessageSeverity *severity)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  g_return_val_if_fail (index < self->messages->len, NULL);

  if (severity)
    *severity = g_array_index (self->message_severity, guint8, index);
  return g_ptr_array_index (self->messages, index);
}

/* Links and sockets (derived) */

guint
cap_recording_get_n_sockets (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);
  cap_recording_ensure_links (self);
  return self->sockets->len;
}

const CapSocket *
cap_recording_get_socket (CapRecording *self,
                          guint32       id)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  cap_recording_ensure_links (self);
  g_return_val_if_fail (id < self->sockets->len, NULL);
  return &g_array_index (self->sockets, CapSocket, id);
}

guint32
cap_recording_get_call_socket (CapRecording *self,
                               guint         call)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), CAP_NONE);
  cap_recording_ensure_links (self);
  if (call >= self->call_socket->len)
    return CAP_NONE;
  return g_array_index (self->call_socket, guint32, call);
}

guint
cap_recording_get_n_links (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);
  cap_recording_ensure_links (self);
  return self->links->len;
}

const CapLink *
cap_recording_get_call_links (CapRecording *self,
                              guint         call,
                              guint        *n_links)
{
  guint32 start, end;

  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  cap_recording_ensure_links (self);

  *n_links = 0;
  if (call + 1 >= self->call_link_start->len)
    return NULL;
  start = g_array_index (self->call_link_start, guint32, call);
  end = g_array_index (self->call_link_start, guint32, call + 1);
  *n_links = end - start;
  return end > start ? &g_array_index (self->links, CapLink, start) : NULL;
}

const CapLink *
cap_recording_get_packet_links (CapRecording *self,
                                guint         packet,
                                guint        *n_links)
{
  GArray *by_packet;
  guint lo = 0, hi, first;

  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  cap_recording_ensure_links (self);

  by_packet = self->links_by_packet;
  hi = by_packet->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (by_packet, CapLink, mid).packet < packet)
        lo = mid + 1;
      else
        hi = mid;
    }
  first = lo;
  while (lo < by_packet->len && g_array_index (by_packet, CapLink, lo).packet == packet)
    lo++;
  *n_links = lo - first;
  return lo > first ? &g_array_index (by_packet, CapLink, first) : NULL;
}

gint
cap_recording_get_packet_actor (CapRecording *self,
                                guint         packet,
                                gboolean      receiver)
{
  const CapPacket *pkt = cap_recording_get_packet (self, packet);
  guint32 ep = receiver ? pkt->dst : pkt->src;
  gpointer value;

  cap_recording_ensure_links (self);
  if (ep == CAP_NONE)
    return -1;
  if (pkt->conv != CAP_NONE)
    {
      gint64 key = ((gint64) pkt->conv << 32) | ep;
      value = g_hash_table_lookup (self->conv_end_actor, &key);
      if (value != NULL)
        return GPOINTER_TO_INT (value) - 1;
    }
  value = g_hash_table_lookup (self->endpoint_actor, GUINT_TO_POINTER (ep));
  if (value == NULL)
    {
      const CapEndpoint *e = &g_array_index (self->endpoints, CapEndpoint, ep);
      value = g_hash_table_lookup (self->port_actor,
                                   GUINT_TO_POINTER (((guint) e->family << 16) | e->port));
    }
  return value ? GPOINTER_TO_INT (value) - 1 : -1;
}

const char *
cap_link_kind_name (CapLinkKind kind)
{
  switch (kind)
    {
    case CAP_LINK_DATA: return "data";
    case CAP_LINK_HANDSHAKE: return "handshake";
    case CAP_LINK_TEARDOWN: return "teardown";
    case CAP_LINK_REFUSED: return "refused";
    case CAP_LINK_READY: return "ready";
    case CAP_LINK_ICMP: return "icmp";
    default: return "?";
    }
}
