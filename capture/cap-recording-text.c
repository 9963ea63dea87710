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

static const char *
actor_name (CapRecording *self,
            guint         actor)
{
  if (actor < self->actors->len && g_array_index (self->actors, NcActorInfo, actor).name != NULL)
    return g_array_index (self->actors, NcActorInfo, actor).name;
  return "?";
}

static void
format_call_line (CapRecording *self,
                  const NcCall *call,
                  gint64        t0,
                  GString      *out)
{
  g_string_append_printf (out, "+%.6f  %s  ", (call->ts_start - t0) / 1e9,
                          actor_name (self, call->actor));
  nc_call_format (call, out);
  /* A call that waited in the kernel says so: its line stands at its start. */
  if (call->ts_end - call->ts_start >= BLOCKED_NOTE_NS)
    g_string_append_printf (out, "  [returned after %.3f ms]", (call->ts_end - call->ts_start) / 1e6);
  /* A traced program's call: its line in the program's file */
  g_string_append (out, "  ");
  if (!nc_call_format_source (call, out))
    g_string_truncate (out, out->len - 2);
  else if (call->origin == NC_CALL_ORIGIN_LIBRARY)
    g_string_append (out, " (library)");
  g_string_append_c (out, '\n');
}

static void
format_console_line (CapRecording         *self,
                     const CapConsoleLine *line,
                     gint64                t0,
                     GString              *out)
{
  g_string_append_printf (out, "+%.6f  %s (%s)  %s\n", (line->ts - t0) / 1e9,
                          actor_name (self, line->actor),
                          line->stream == 2 ? "stderr" : "stdout", line->text);
}

/* An idle wait the runtime makes on its own (socketserver's poll() every
 * 0.5 s): a run of them by one actor prints as its first and a count. */
static gboolean
is_idle_library_wait (const NcCall *call)
{
  return call->origin == NC_CALL_ORIGIN_LIBRARY && call->ts_end != 0 && call->result == 0 &&
         nc_call_kind_info (call->kind)->draw == NC_CALL_DRAW_WAIT;
}

typedef struct
{
  guint  n;          /* idle waits folded into the first */
  gint64 last_end;
  guint  kind;
} Fold;

static void
flush_fold (CapRecording *self,
            Fold         *folds,
            guint         actor,
            gint64        t0,
            GString      *out)
{
  Fold *f = &folds[actor];

  if (f->n > 0)
    g_string_append_printf (out, "+%.6f  %s  ... and %u more idle %s() calls like it, "
                            "until +%.3f\n", (f->last_end - t0) / 1e9, actor_name (self, actor),
                            f->n, nc_call_kind_name (f->kind), (f->last_end - t0) / 1e9);
  f->n = 0;
  f->kind = NC_N_CALL_KINDS;
}

/* Prints @call unless it continues a run of idle waits */
static void
format_call_folding (CapRecording *self,
                     const NcCall *call,
                     Fold         *folds,
                     gint64        t0,
                     GString      *out)
{
  Fold *f = call->actor < self->actors->len ? &folds[call->actor] : NULL;

  if (f != NULL && is_idle_library_wait (call) && f->kind == call->kind)
    {
      f->n++;
      f->last_end = call->ts_end;
      return;
    }
  if (f != NULL)
    flush_fold (self, folds, call->actor, t0, out);
  format_call_line (self, call, t0, out);
  if (f != NULL && is_idle_library_wait (call))
    {
      f->kind = call->kind;
      f->last_end = call->ts_end;
    }
}

static Fold *
folds_new (CapRecording *self)
{
  Fold *folds = g_new0 (Fold, self->actors->len + 1);

  for (guint i = 0; i <= self->actors->len; i++)
    folds[i].kind = NC_N_CALL_KINDS;
  return folds;
}

static gint
compare_console (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  GArray *lines = user_data;
  const CapConsoleLine *x = &g_array_index (lines, CapConsoleLine, *(const guint *) a);
  const CapConsoleLine *y = &g_array_index (lines, CapConsoleLine, *(const guint *) b);

  if (x->ts != y->ts)
    return x->ts < y->ts ? -1 : 1;
  return *(const guint *) a < *(const guint *) b ? -1 : 1;
}

static GArray *
console_by_time (CapRecording *self)
{
  GArray *order = g_array_sized_new (FALSE, FALSE, sizeof (guint), self->console->len);

  for (guint i = 0; i < self->console->len; i++)
    g_array_append_val (order, i);
  g_array_sort_with_data (order, compare_console, self->console);
  return order;
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
  g_autoptr(GArray) console = NULL;
  g_autofree Fold *folds = NULL;
  gint64 t0;
  guint c = 0, p = 0, k = 0;

  g_return_if_fail (CAP_IS_RECORDING (self));

  t0 = cap_recording_get_start_time (self);
  for (guint i = 0; i < self->messages->len; i++)
    g_string_append_printf (out, "# %s\n", (const char *) g_ptr_array_index (self->messages, i));

  order = calls_by_start (self);
  console = console_by_time (self);
  folds = folds_new (self);
  while (c < order->len || p < self->packets->len || k < console->len)
    {
      const NcCall *call =
        c < order->len ? &g_array_index (self->calls, NcCall, g_array_index (order, guint, c))
                       : NULL;
      const CapPacket *pkt =
        p < self->packets->len ? &g_array_index (self->packets, CapPacket, p) : NULL;
      const CapConsoleLine *line =
        k < console->len
          ? &g_array_index (self->console, CapConsoleLine, g_array_index (console, guint, k))
          : NULL;

      if (line != NULL && (call == NULL || line->ts < call->ts_start) &&
          (pkt == NULL || line->ts < pkt->ts))
        {
          format_console_line (self, line, t0, out);
          k++;
        }
      else if (call != NULL && (pkt == NULL || call->ts_start <= pkt->ts))
        {
          format_call_folding (self, call, folds, t0, out);
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
  for (guint a = 0; a < self->actors->len; a++)
    flush_fold (self, folds, a, t0, out);
}

void
cap_text_progress_init (CapTextProgress *progress)
{
  progress->printed = g_array_new (FALSE, TRUE, sizeof (guint8));
  progress->n_packets = 0;
  progress->n_console = 0;
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
  guint8  is_packet;  /* 0 a call, 1 a packet, CONSOLE_LINE */
} NewLine;

#define CONSOLE_LINE 2

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
  gint64 t0 = cap_recording_get_start_time (self);

  if (progress->printed->len < self->calls->len)
    g_array_set_size (progress->printed, self->calls->len);
  for (guint i = 0; i < self->calls->len; i++)
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
  for (; progress->n_console < self->console->len; progress->n_console++)
    {
      NewLine line = {
        g_array_index (self->console, CapConsoleLine, progress->n_console).ts,
        progress->n_console, CONSOLE_LINE
      };
      g_array_append_val (lines, line);
    }

  g_array_sort (lines, compare_new_lines);
  for (guint i = 0; i < lines->len; i++)
    {
      const NewLine *line = &g_array_index (lines, NewLine, i);
      if (line->is_packet == CONSOLE_LINE)
        format_console_line (self, &g_array_index (self->console, CapConsoleLine, line->index),
                             t0, out);
      else if (line->is_packet)
        {
          g_string_append_printf (out, "+%.6f  ", (line->ts - t0) / 1e9);
          cap_recording_format_packet (self, line->index, out);
          g_string_append_c (out, '\n');
        }
      else
        format_call_line (self, &g_array_index (self->calls, NcCall, line->index), t0, out);
    }
}
