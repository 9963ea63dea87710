/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-recording-text.c: the text timeline that `socklens run` and
 * `socklens show` print: one line per event, in the event index's order.
 *
 *   +0.000371  server  accept(fd=3) <unfinished ...>
 *   +0.000398  client  connect(fd=5, 127.0.0.1:9000) <unfinished ...>
 *   +0.000412  client -> server  TCP [SYN] seq=0 win=65495 mss=65495
 *   ...
 *   +0.000452  client  <... connect resumed> = 0 (local 127.0.0.1:50412)  [blocked 0.054 ms]
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cap-recording-private.h"
#include "cap-event-index.h"
#include "cap-lab-protocol.h"

#include <errno.h>
#include <netinet/in.h>

/* Calls that took longer than this in the kernel get a note in the text */
#define BLOCKED_NOTE_NS (200 * G_GINT64_CONSTANT (1000))

/* Appends @text with every control character escaped: names, messages and
 * addresses come from files anyone can write, and ESC ]0; or ESC [2J must
 * not reach the terminal. C0, DEL and C1 (U+0080..U+009F, which terminals
 * also obey) become \xNN or \uNNNN; bytes that are not UTF-8 become \xNN. */
static void
append_escaped (GString    *out,
                const char *text,
                gsize       len)
{
  const char *p = text, *end = text + len;
  gsize plain = 0;

  /* most lines are printable ASCII: append those at once */
  while (plain < len && (guchar) text[plain] >= 0x20 && (guchar) text[plain] < 0x7f)
    plain++;
  g_string_append_len (out, text, plain);
  p += plain;

  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_printf (out, "\\x%02x", (guint8) *p);
          p++;
          continue;
        }
      if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else if (c >= 0x80 && c < 0xa0)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
}

/* A line of the timeline, built in @line, goes to @out escaped, then a newline. */
static void
append_line (GString *out,
             GString *line)
{
  append_escaped (out, line->str, line->len);
  g_string_append_c (out, '\n');
  g_string_truncate (line, 0);
}

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
    g_string_append (out, _(" [dropped by the lab]"));
}

static const char *
actor_name (CapRecording *self,
            const NcCall *call)
{
  return cap_recording_get_actor_name (self, call->actor);
}

/* "+1.234568  ": the seconds since @t0, as printf's "%.6f" rounds them.
 * Digits by hand (a million lines spent a fifth of their printing in
 * printf's floating point); a half microsecond, where the double's binary
 * value decides the rounding, a negative offset and one past 10^15 ns (where
 * a double no longer holds every nanosecond) go through printf. */
static void
append_stamp (gint64   ts,
              gint64   t0,
              GString *out)
{
  gint64 ns = ts - t0;
  gint64 us;
  char digits[32];
  int n = 0;

  if (ns < 0 || ns >= G_GINT64_CONSTANT (1000000000000000) || ns % 1000 == 500)
    {
      /* a sign either way: a program's line can come before the first call */
      g_string_append_printf (out, "%+.6f  ", ns / 1e9);
      return;
    }
  us = ns / 1000 + (ns % 1000 > 500);
  for (int i = 0; i < 6; i++, us /= 10)
    digits[n++] = (char) ('0' + us % 10);
  digits[n++] = '.';
  do
    digits[n++] = (char) ('0' + us % 10);
  while ((us /= 10) > 0);
  g_string_append_c (out, '+');
  while (n > 0)
    g_string_append_c (out, digits[--n]);
  g_string_append (out, "  ");
}

/* A traced program's call: the line of its file that made it, and whether
 * its runtime made it on its behalf */
static void
append_source (const NcCall *call,
               GString      *line)
{
  gsize len = line->len;

  g_string_append (line, "  ");
  if (!nc_call_format_source (call, line))
    g_string_truncate (line, len);
  else if (call->origin == NC_CALL_ORIGIN_LIBRARY)
    g_string_append (line, " (library)");
}

/* A call's line begins with its time and its actor */
static GString *
begin_call_line (CapRecording *self,
                 const NcCall *call,
                 gint64        ts,
                 gint64        t0)
{
  GString *line = g_string_new (NULL);

  append_stamp (ts, t0, line);
  g_string_append (line, actor_name (self, call));
  g_string_append (line, "  ");
  return line;
}

/* A call whose enter and return are next to each other: one line, where it entered */
static void
format_whole_call (CapRecording *self,
                   const NcCall *call,
                   gint64        t0,
                   GString      *out)
{
  g_autoptr(GString) line = begin_call_line (self, call, call->ts_start, t0);

  nc_call_format (call, line);
  /* A call that waited in the kernel says so, even with nothing in between. */
  if (call->ts_end - call->ts_start >= BLOCKED_NOTE_NS)
    g_string_append_printf (line, _("  [returned after %.3f ms]"),
                            (call->ts_end - call->ts_start) / 1e6);
  append_source (call, line);
  append_line (out, line);
}

/* A call that other events interleave, as strace shows one: unfinished where
 * it enters, resumed with its result where it returns. */
static void
format_call_entry (CapRecording *self,
                   const NcCall *call,
                   gint64        t0,
                   GString      *out)
{
  g_autoptr(GString) line = begin_call_line (self, call, call->ts_start, t0);

  nc_call_format_entry (call, line);
  g_string_append (line, " <unfinished ...>");
  append_source (call, line);
  append_line (out, line);
}

static void
format_call_return (CapRecording *self,
                    const NcCall *call,
                    gint64        t0,
                    GString      *out)
{
  g_autoptr(GString) line = begin_call_line (self, call, call->ts_end, t0);

  g_string_append (line, "<... ");
  g_string_append (line, nc_call_kind_name (call->kind));
  g_string_append (line, " resumed>");
  nc_call_format_result (call, line);
  g_string_append_printf (line, _("  [returned after %.3f ms]"), (call->ts_end - call->ts_start) / 1e6);
  append_line (out, line);
}

static void
format_packet_line (CapRecording *self,
                    guint         packet,
                    gint64        t0,
                    GString      *out)
{
  g_autoptr(GString) line = g_string_new (NULL);

  append_stamp (g_array_index (self->packets, CapPacket, packet).ts, t0, line);
  cap_recording_format_packet (self, packet, line);
  append_line (out, line);
}

/* What a traced program printed: "+0.1  server.py (stdout)  Connected by ..." */
static void
format_console_line (CapRecording         *self,
                     const CapConsoleLine *console,
                     gint64                t0,
                     GString              *out)
{
  g_autoptr(GString) line = NULL;
  const char *name = console->actor < self->actors->len
                       ? g_array_index (self->actors, NcActorInfo, console->actor).name : NULL;

  /* how a program ended is among the run's messages already */
  if (console->stream == CAP_CONSOLE_EXIT)
    return;
  line = g_string_new (NULL);
  append_stamp (console->ts, t0, line);
  g_string_append_printf (line, "%s (%s)  %s", name ? name : "?",
                          console->stream == CAP_CONSOLE_STDERR ? "stderr" : "stdout", console->text);
  append_line (out, line);
}

/* Console lines in time order, printed before the event at @until */
typedef struct
{
  GArray *order;  /* guint: console line indexes by time */
  guint   next;
} ConsoleCursor;

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

static void
console_cursor_init (CapRecording  *self,
                     ConsoleCursor *cursor)
{
  cursor->order = g_array_sized_new (FALSE, FALSE, sizeof (guint), self->console->len);
  for (guint i = 0; i < self->console->len; i++)
    g_array_append_val (cursor->order, i);
  g_array_sort_with_data (cursor->order, compare_console, self->console);
  cursor->next = 0;
}

static void
console_until (CapRecording  *self,
               ConsoleCursor *cursor,
               gint64         until,
               gint64         t0,
               GString       *out)
{
  for (; cursor->next < cursor->order->len; cursor->next++)
    {
      const CapConsoleLine *line = &g_array_index (
        self->console, CapConsoleLine, g_array_index (cursor->order, guint, cursor->next));
      if (line->ts > until)
        break;
      format_console_line (self, line, t0, out);
    }
}

/* Where the lines count from: the first call or packet, or, in a run with
 * neither (a program with a syntax error), its first console line */
static gint64
text_start_time (CapRecording *self)
{
  gint64 start = cap_recording_get_start_time (self);

  for (guint i = 0; start == 0 && i < self->console->len; i++)
    start = g_array_index (self->console, CapConsoleLine, i).ts;
  return start;
}

static gint64
event_time (CapRecording   *self,
            const CapEvent *ev)
{
  const NcCall *call;

  if (ev->kind == CAP_EVENT_PACKET)
    return g_array_index (self->packets, CapPacket, ev->index).ts;
  call = &g_array_index (self->calls, NcCall, ev->index);
  return ev->kind == CAP_EVENT_CALL_ENTER ? call->ts_start : call->ts_end;
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
  guint  kind;       /* NC_N_CALL_KINDS: no run */
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
    {
      g_autoptr(GString) line = g_string_new (NULL);

      append_stamp (f->last_end, t0, line);
      g_string_append_printf (line, _("%s  ... and %u more idle %s() calls like it"),
                              g_array_index (self->actors, NcActorInfo, actor).name
                                ? g_array_index (self->actors, NcActorInfo, actor).name : "?",
                              f->n, nc_call_kind_name (f->kind));
      append_line (out, line);
    }
  f->n = 0;
  f->kind = NC_N_CALL_KINDS;
}

/* A whole call, unless it continues a run of idle waits (then it is counted) */
static void
format_whole_call_folding (CapRecording *self,
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
  format_whole_call (self, call, t0, out);
  if (f != NULL && is_idle_library_wait (call))
    {
      f->kind = call->kind;
      f->last_end = call->ts_end;
    }
}

/**
 * cap_recording_format_timeline:
 * Appends the whole recording as text, one line per event in the event
 * index's order: a call interleaved with other events is printed where it
 * enters and again where it returns, so no result stands before its cause.
 */
void
cap_recording_format_timeline (CapRecording *self,
                               GString      *out)
{
  g_autofree Fold *folds = NULL;
  ConsoleCursor console;
  guint n;
  gint64 t0;

  g_return_if_fail (CAP_IS_RECORDING (self));

  t0 = text_start_time (self);
  folds = g_new0 (Fold, self->actors->len + 1);
  for (guint a = 0; a <= self->actors->len; a++)
    folds[a].kind = NC_N_CALL_KINDS;
  console_cursor_init (self, &console);
  for (guint i = 0; i < self->messages->len; i++)
    {
      g_autoptr(GString) line = g_string_new (NULL);
      g_autofree char *message = cap_lab_message_to_display (g_ptr_array_index (self->messages, i));

      g_string_append_printf (line, "# %s", message);
      append_line (out, line);
    }

  n = cap_recording_get_n_events (self);
  for (guint row = 0; row < n; row++)
    {
      const CapEvent *ev = cap_recording_get_event (self, row);
      const NcCall *call =
        ev->kind == CAP_EVENT_PACKET ? NULL : &g_array_index (self->calls, NcCall, ev->index);

      console_until (self, &console, event_time (self, ev) - 1, t0, out);
      switch (ev->kind)
        {
        case CAP_EVENT_PACKET:
          format_packet_line (self, ev->index, t0, out);
          break;
        case CAP_EVENT_CALL_ENTER:
          if (cap_recording_get_call_return_row (self, ev->index) == row + 1)
            format_whole_call_folding (self, call, folds, t0, out);
          else
            format_call_entry (self, call, t0, out);
          break;
        case CAP_EVENT_CALL_RETURN:
        default:
          if (cap_recording_call_is_interleaved (self, ev->index))
            format_call_return (self, call, t0, out);
          break;
        }
    }
  for (guint a = 0; a < self->actors->len; a++)
    flush_fold (self, folds, a, t0, out);
  console_until (self, &console, G_MAXINT64, t0, out);
  g_array_unref (console.order);
}

/* What the live printer has printed of each call */
enum
{
  PRINTED_ENTRY = 1 << 0,
  PRINTED_RETURN = 1 << 1,
};

void
cap_text_progress_init (CapTextProgress *progress)
{
  progress->printed = g_array_new (FALSE, TRUE, sizeof (guint8));
  progress->printed_packets = g_array_new (FALSE, TRUE, sizeof (guint8));
  progress->next_row = 0;
  progress->serial = 0;
  progress->n_packets_seen = 0;
  progress->newest_packet_ts = 0;
  progress->n_console = 0;
  progress->t0 = 0;
}

void
cap_text_progress_clear (CapTextProgress *progress)
{
  g_clear_pointer (&progress->printed, g_array_unref);
  g_clear_pointer (&progress->printed_packets, g_array_unref);
}

/* What the programs printed before @until, in the order it arrived */
static void
progress_console (CapRecording    *self,
                  CapTextProgress *progress,
                  gint64           until,
                  gint64           t0,
                  GString         *out)
{
  for (; progress->n_console < self->console->len; progress->n_console++)
    {
      const CapConsoleLine *line =
        &g_array_index (self->console, CapConsoleLine, progress->n_console);

      if (line->ts > until)
        break;
      if (line->stream == CAP_CONSOLE_EXIT)
        {
          /* how the program ended, when it ended (the whole timeline has
           * it among the run's messages, which it prints first) */
          g_autoptr(GString) text = g_string_new (NULL);

          g_string_append_printf (text, "# %s", line->text);
          append_line (out, text);
        }
      else
        format_console_line (self, line, t0, out);
    }
}

/* Could this call's return still be waiting for a packet the capture has
 * not delivered yet? Packets reach the recording a little after the calls
 * (libpcap's lag), in time order. A call that waits for packets is settled
 * once it is linked to one it waited for, or once a packet from after its
 * return has arrived; one that waits for none is settled at once. */
static gboolean
return_settled (CapRecording *self,
                const NcCall *call,
                gint64        newest_packet_ts)
{
  guint n = 0;
  const CapLink *links;
  gboolean waits;

  switch (nc_call_kind_info (call->kind)->link)
    {
    case NC_CALL_LINK_ACCEPT:
    case NC_CALL_LINK_CONNECT:
    case NC_CALL_LINK_RECV:
      waits = call->err == 0 || call->err == ECONNREFUSED || call->err == ECONNRESET;
      break;
    case NC_CALL_LINK_READY:
      waits = call->result > 0;
      break;
    default:
      waits = FALSE;
      break;
    }
  if (!waits || newest_packet_ts >= call->ts_end)
    return TRUE;
  links = cap_recording_get_call_links (self, call->id, &n);
  return links != NULL && n > 0;
}

/* Prints the call entering at @row, if that is settled: %FALSE if it must
 * wait (the newest event, still in the kernel: it may yet return with
 * nothing in between). */
static gboolean
progress_entry (CapRecording    *self,
                CapTextProgress *progress,
                guint            row,
                guint            n_rows,
                gboolean         final,
                gint64           t0,
                GString         *out)
{
  const CapEvent *ev = cap_recording_get_event (self, row);
  guint8 *printed = &g_array_index (progress->printed, guint8, ev->index);
  const NcCall *call = &g_array_index (self->calls, NcCall, ev->index);
  guint ret = cap_recording_get_call_return_row (self, ev->index);

  if (*printed & PRINTED_ENTRY)
    return TRUE;
  if (ret == row + 1)
    {
      /* Its packets may yet come in between: then it is two lines. */
      if (!final && !return_settled (self, call, progress->newest_packet_ts))
        return FALSE;
      format_whole_call (self, call, t0, out);
      *printed |= PRINTED_ENTRY | PRINTED_RETURN;
      return TRUE;
    }
  if (ret == CAP_NONE && row + 1 == n_rows && !final)
    return FALSE;
  format_call_entry (self, call, t0, out);
  *printed |= PRINTED_ENTRY;
  return TRUE;
}

static gboolean
progress_return (CapRecording    *self,
                 CapTextProgress *progress,
                 guint            call_id,
                 gboolean         final,
                 gint64           t0,
                 GString         *out)
{
  guint8 *printed = &g_array_index (progress->printed, guint8, call_id);
  const NcCall *call = &g_array_index (self->calls, NcCall, call_id);

  if (*printed & PRINTED_RETURN)
    return TRUE;
  if (!final && !return_settled (self, call, progress->newest_packet_ts))
    return FALSE;
  if (*printed & PRINTED_ENTRY)
    format_call_return (self, call, t0, out);
  else
    format_whole_call (self, call, t0, out);
  *printed |= PRINTED_ENTRY | PRINTED_RETURN;
  return TRUE;
}

static void
format_progress (CapRecording    *self,
                 CapTextProgress *progress,
                 gboolean         final,
                 GString         *out)
{
  guint n = cap_recording_get_n_events (self);
  guint32 changed = cap_event_index_changed_since (self, &progress->serial);
  guint row = MIN (progress->next_row, changed);
  gint64 t0;

  if (progress->printed->len < self->calls->len)
    g_array_set_size (progress->printed, self->calls->len);
  if (progress->printed_packets->len < self->packets->len)
    g_array_set_size (progress->printed_packets, self->packets->len);
  for (guint p = progress->n_packets_seen; p < self->packets->len; p++)
    progress->newest_packet_ts =
      MAX (progress->newest_packet_ts, g_array_index (self->packets, CapPacket, p).ts);
  progress->n_packets_seen = self->packets->len;
  /* The start, once: finding it looks at every call, and a live run's
   * printer runs at every commit. */
  if (progress->t0 == 0)
    progress->t0 = text_start_time (self);
  t0 = progress->t0;

  /* Rows before next_row were printed, unless an event arrived late among
   * them: then the scan starts where the index changed, and skips what the
   * flags say is printed. */
  for (; row < n; row++)
    {
      const CapEvent *ev = cap_recording_get_event (self, row);
      guint8 *packet_done;

      progress_console (self, progress, event_time (self, ev) - 1, t0, out);
      switch (ev->kind)
        {
        case CAP_EVENT_CALL_ENTER:
          if (!progress_entry (self, progress, row, n, final, t0, out))
            goto held;
          break;
        case CAP_EVENT_CALL_RETURN:
          if (!progress_return (self, progress, ev->index, final, t0, out))
            goto held;
          break;
        case CAP_EVENT_PACKET:
        default:
          packet_done = &g_array_index (progress->printed_packets, guint8, ev->index);
          if (!*packet_done)
            format_packet_line (self, ev->index, t0, out);
          *packet_done = TRUE;
          break;
        }
    }
held:
  progress->next_row = row;
  /* what the programs printed since: all of it, but what comes after a
   * call still held, which goes after that call */
  progress_console (self, progress,
                    row < n ? event_time (self, cap_recording_get_event (self, row)) - 1
                            : G_MAXINT64,
                    t0, out);
}

/**
 * cap_recording_format_progress:
 * Appends the lines of the events that arrived since the last call with
 * @progress, in the event index's order, as the whole timeline prints them.
 * Only what is settled is printed, and the rest waits in order: the newest
 * event, if it is a call still in the kernel, until something follows it
 * (then it is printed as unfinished) or it returns (then it is one line); a
 * call that waited for packets, until they are in (see return_settled ()).
 * Each event is printed
 * once; one that arrives late, with an earlier time, is printed when it
 * arrives. Cost: the new rows, not the whole recording.
 */
void
cap_recording_format_progress (CapRecording    *self,
                               CapTextProgress *progress,
                               GString         *out)
{
  g_return_if_fail (CAP_IS_RECORDING (self));
  format_progress (self, progress, FALSE, out);
}

/**
 * cap_recording_format_progress_end:
 * As cap_recording_format_progress (), at the end of a run: prints the rest,
 * a call still in the kernel as unfinished.
 */
void
cap_recording_format_progress_end (CapRecording    *self,
                                   CapTextProgress *progress,
                                   GString         *out)
{
  g_return_if_fail (CAP_IS_RECORDING (self));
  format_progress (self, progress, TRUE, out);
}
