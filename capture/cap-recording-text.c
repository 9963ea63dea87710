/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-recording-text.c: the text timeline that `socklens run` and
 * `socklens show` print: calls and packets interleaved by time.
 *
 *   +0.000398  client  connect(fd=5, 127.0.0.1:9000) = 0 (local 127.0.0.1:50412)
 *   +0.000412  client -> server  TCP [SYN] seq=0 win=65495 mss=65495
 */

#include "config.h"

#include "cap-recording-private.h"

#include <netinet/in.h>

/* Calls that took longer than this in the kernel get a note in the text */
#define BLOCKED_NOTE_NS (200 * G_GINT64_CONSTANT (1000))

static void
append_party (CapRecording *self,
              guint         packet,
              gboolean      receiver,
              GString      *out)
{
  const CapPacket *pkt = cap_recording_get_packet (self, packet);
  gint actor = cap_recording_get_packet_actor (self, packet, receiver);
  guint32 ep = receiver ? pkt->dst : pkt->src;

  if (actor >= 0 && (guint) actor < self->actors->len &&
      g_array_index (self->actors, NcActorInfo, actor).name != NULL)
    g_string_append (out, g_array_index (self->actors, NcActorInfo, actor).name);
  else
    {
      g_autofree char *text = cap_recording_format_endpoint (self, ep);
      g_string_append (out, text);
    }
}

void
cap_recording_format_packet (CapRecording *self,
                             guint         packet,
                             GString      *out)
{
  const CapPacket *pkt = cap_recording_get_packet (self, packet);
  const CapConversation *conv = NULL;
  CapSummary s;

  append_party (self, packet, FALSE, out);
  g_string_append (out, " -> ");
  append_party (self, packet, TRUE, out);
  g_string_append (out, "  ");

  cap_recording_dissect_packet (self, packet, &s);
  if (pkt->proto == IPPROTO_TCP && pkt->conv != CAP_NONE)
    conv = cap_recording_get_conversation (self, pkt->conv);
  cap_summary_format_line (&s, conv != NULL, conv ? conv->isn[pkt->from_b] : 0,
                           conv ? conv->isn[!pkt->from_b] : 0, out);

  if (pkt->flags & CAP_PACKET_RETRANSMISSION)
    g_string_append (out, " [retransmission]");
  if (pkt->flags & CAP_PACKET_DROPPED)
    g_string_append (out, " [dropped by the lab]");
}

static void
format_call_line (CapRecording *self,
                  const NcCall *call,
                  gint64        t0,
                  GString      *out)
{
  const char *name = "?";

  if (call->actor < self->actors->len &&
      g_array_index (self->actors, NcActorInfo, call->actor).name != NULL)
    name = g_array_index (self->actors, NcActorInfo, call->actor).name;
  g_string_append_printf (out, "+%.6f  %s  ", (call->ts_start - t0) / 1e9, name);
  nc_call_format (call, out);
  /* A call that waited in the kernel says so: its line stands at its start. */
  if (call->ts_end - call->ts_start >= BLOCKED_NOTE_NS)
    g_string_append_printf (out, "  [returned after %.3f ms]", (call->ts_end - call->ts_start) / 1e6);
  g_string_append_c (out, '\n');
}

static gint
compare_start (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  GArray *calls = user_data;
  const NcCall *x = &g_array_index (calls, NcCall, *(const guint *) a);
  const NcCall *y = &g_array_index (calls, NcCall, *(const guint *) b);

  if (x->ts_start != y->ts_start)
    return x->ts_start < y->ts_start ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

/* Call ids follow the order calls were reported, which for a forked child's
 * calls is later than they began: order them by start time. */
static GArray *
calls_by_start (CapRecording *self)
{
  GArray *order = g_array_sized_new (FALSE, FALSE, sizeof (guint), self->calls->len);

  for (guint i = 0; i < self->calls->len; i++)
    if (g_array_index (self->calls, NcCall, i).ts_start != 0)
      g_array_append_val (order, i);
  g_array_sort_with_data (order, compare_start, self->calls);
  return order;
}

void
cap_recording_format_timeline (CapRecording *self,
                               GString      *out)
{
  g_autoptr(GArray) order = NULL;
  gint64 t0;
  guint c = 0, p = 0;

  g_return_if_fail (CAP_IS_RECORDING (self));

  t0 = cap_recording_get_start_time (self);
  for (guint i = 0; i < self->messages->len; i++)
    g_string_append_printf (out, "# %s\n", (const char *) g_ptr_array_index (self->messages, i));

  order = calls_by_start (self);
  while (c < order->len || p < self->packets->len)
    {
      const NcCall *call =
        c < order->len ? &g_array_index (self->calls, NcCall, g_array_index (order, guint, c))
                       : NULL;
      const CapPacket *pkt =
        p < self->packets->len ? &g_array_index (self->packets, CapPacket, p) : NULL;

      if (call != NULL && (pkt == NULL || call->ts_start <= pkt->ts))
        {
          format_call_line (self, call, t0, out);
          c++;
        }
      else
        {
          g_string_append_printf (out, "+%.6f  ", (pkt->ts - t0) / 1e9);
          cap_recording_format_packet (self, p, out);
          g_string_append_c (out, '\n');
          p++;
        }
    }
}

void
cap_text_progress_init (CapTextProgress *progress)
{
  progress->printed = g_array_new (FALSE, TRUE, sizeof (guint8));
  progress->n_packets = 0;
  progress->n_calls = 0;
  progress->t0 = 0;
}

void
cap_text_progress_clear (CapTextProgress *progress)
{
  g_clear_pointer (&progress->printed, g_array_unref);
}

typedef struct
{
  gint64  ts;
  guint32 index;
  guint8  is_packet;
} NewLine;

static gint
compare_new_lines (gconstpointer a,
                   gconstpointer b)
{
  const NewLine *x = a, *y = b;

  if (x->ts != y->ts)
    return x->ts < y->ts ? -1 : 1;
  if (x->is_packet != y->is_packet)
    return x->is_packet ? 1 : -1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/**
 * cap_recording_format_progress:
 * Appends the lines for what finished since the last call with @progress:
 * calls that have returned and packets that arrived. A call still blocked
 * is printed when it returns, at the time it began.
 */
void
cap_recording_format_progress (CapRecording    *self,
                               CapTextProgress *progress,
                               GString         *out)
{
  g_autoptr(GArray) lines = g_array_new (FALSE, FALSE, sizeof (NewLine));
  gint64 t0;

  /* Each time only what is new: a long run prints in batches, and a pass
   * over all of it per batch made printing quadratic. */
  if (progress->t0 == 0)
    progress->t0 = cap_recording_get_start_time (self);
  t0 = progress->t0;
  if (progress->printed->len < self->calls->len)
    g_array_set_size (progress->printed, self->calls->len);
  while (progress->n_calls < self->calls->len &&
         g_array_index (progress->printed, guint8, progress->n_calls))
    progress->n_calls++;
  for (guint i = progress->n_calls; i < self->calls->len; i++)
    {
      const NcCall *call = &g_array_index (self->calls, NcCall, i);
      if (call->ts_end != 0 && !g_array_index (progress->printed, guint8, i))
        {
          NewLine line = { call->ts_start, i, FALSE };
          g_array_append_val (lines, line);
          g_array_index (progress->printed, guint8, i) = TRUE;
        }
    }
  for (; progress->n_packets < self->packets->len; progress->n_packets++)
    {
      NewLine line = {
        g_array_index (self->packets, CapPacket, progress->n_packets).ts,
        progress->n_packets, TRUE
      };
      g_array_append_val (lines, line);
    }

  g_array_sort (lines, compare_new_lines);
  for (guint i = 0; i < lines->len; i++)
    {
      const NewLine *line = &g_array_index (lines, NewLine, i);
      if (line->is_packet)
        {
          g_string_append_printf (out, "+%.6f  ", (line->ts - t0) / 1e9);
          cap_recording_format_packet (self, line->index, out);
          g_string_append_c (out, '\n');
        }
      else
        format_call_line (self, &g_array_index (self->calls, NcCall, line->index), t0, out);
    }
}
