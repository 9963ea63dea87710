/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-sequence-axis.c: display units are pixels at the type size the
 * painter asks for (sl_timeline_axis_set_row_height): row r is centred at
 *
 *   y(r) = row_h * (r + 1/2) + break_h * (breaks at or before r)
 *                            + row_h * (lifted rows at or before r)
 *
 * so a row costs almost nothing to store: the rows that follow a long gap,
 * and the packets that follow a packet, are kept as bit sets with a count
 * per 64 rows (RowSet), so y(r) is a few reads, not a search, and the
 * row at a y is one binary search over the 64-row blocks. Each row's band
 * [y - row_h/2, y + row_h/2] holds one line of labels; a break's band lies
 * between two rows' bands. A packet's label sits above its arrow, where the
 * arrow of a packet on the row just above runs down one row: such a packet's
 * row is lifted off it by one more row, so that arrow never strikes the
 * label through.
 *
 * A frame no column can show (ARP, LLDP, anything not IP: it has no
 * address and port) takes no row of its own: it shares the row of the
 * event before it, so a capture from a switch port reads as its IP traffic
 * with no blank rows, and its frames keep their numbers (the packet index).
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sl-sequence-axis.h"
#include "sl-timeline-painter-private.h"
#include "nc-format.h"
#include "cap-event-index.h"

#include <math.h>
#include <string.h>

/* A gap is long when it is this many times the typical gap between events,
 * and at least LONG_GAP_MIN_NS */
#define LONG_GAP_FACTOR 20
#define LONG_GAP_MIN_NS 1000000
#define GAP_SAMPLES     4096
/* Before the first row and after the last, the axis goes on at this many
 * ns per display unit: blank room, so a short diagram can be shown at its
 * natural size */
#define NS_PER_UNIT_OUTSIDE 1000.0

/* Set bits in @v (without -mpopcnt, __builtin_popcountll is a call) */
static inline guint
count_bits (guint64 v)
{
  v = v - ((v >> 1) & G_GUINT64_CONSTANT (0x5555555555555555));
  v = (v & G_GUINT64_CONSTANT (0x3333333333333333)) +
      ((v >> 2) & G_GUINT64_CONSTANT (0x3333333333333333));
  v = (v + (v >> 4)) & G_GUINT64_CONSTANT (0x0f0f0f0f0f0f0f0f);
  return (guint) ((v * G_GUINT64_CONSTANT (0x0101010101010101)) >> 56);
}

/* A set of rows: a bit per row, and per 64 rows how many rows of the set
 * come before them, so "how many at or before r" is two reads and a
 * popcount (1M rows: 187 KiB, where a list of them took 4 MiB and a
 * binary search). */
typedef struct
{
  guint64 *bits;
  guint32 *before; /* per 64-row block */
  guint    n_blocks;
} RowSet;

static void
row_set_reset (RowSet *set, guint n_rows)
{
  set->n_blocks = n_rows / 64 + 1;
  g_free (set->bits);
  g_free (set->before);
  set->bits = g_new0 (guint64, set->n_blocks);
  set->before = g_new0 (guint32, set->n_blocks);
}

static void
row_set_add (RowSet *set, guint row)
{
  set->bits[row >> 6] |= G_GUINT64_CONSTANT (1) << (row & 63);
}

/* After the last row_set_add () */
static void
row_set_count (RowSet *set)
{
  guint32 n = 0;

  for (guint b = 0; b < set->n_blocks; b++)
    {
      set->before[b] = n;
      n += count_bits (set->bits[b]);
    }
}

static void
row_set_clear (RowSet *set)
{
  g_clear_pointer (&set->bits, g_free);
  g_clear_pointer (&set->before, g_free);
  set->n_blocks = 0;
}

/* How many rows of @set come before or at @row */
static inline guint
row_set_through (const RowSet *set, guint row)
{
  guint   b = row >> 6;
  guint64 upto = (row & 63) == 63 ? G_MAXUINT64 : (G_GUINT64_CONSTANT (1) << ((row & 63) + 1)) - 1;

  if (b >= set->n_blocks)
    return 0;
  return set->before[b] + count_bits (set->bits[b] & upto);
}

/* The same for a block's first row: no bits to count */
static inline guint
row_set_through_block (const RowSet *set, guint block)
{
  return set->before[block] + (guint) (set->bits[block] & 1);
}

struct _SlSequenceAxis
{
  SlTimelineAxis parent_instance;

  CapRecording *rec; /* the base class's */
  guint         n_rows;
  GArray       *break_rows; /* guint: the row after each long gap, ascending */
  RowSet        breaks;     /* the same rows, to count them */
  RowSet        lifted;     /* a packet's row after a packet's */
  RowSet        collapsed;  /* frames with no row of their own: not IP */
  guint         n_collapsed;
  double        row_h;
  double        break_h;
  gint64        origin;
  gint64        last_place; /* the last row's place in time */
  double        ns_before;  /* ns per display unit before the first row */
  GArray       *gates;      /* gint64 pairs: merged [gate, start) waits at the step gate */
  GArray       *held;       /* gint64: the waits' total length before each */
};

G_DEFINE_FINAL_TYPE (SlSequenceAxis, sl_sequence_axis, SL_TYPE_TIMELINE_AXIS)

/* The centre of a row with @drawn drawn rows before or at it, @lifted of
 * them lifted and @breaks breaks before it: never above the first row's
 * (frames before the first drawn one share its place) */
static inline double
centre_y (SlSequenceAxis *self, guint drawn, guint lifted, guint breaks)
{
  return self->row_h * (MAX (drawn, 1) - 0.5 + lifted) + self->break_h * breaks;
}

static double
row_y (SlSequenceAxis *self, guint row)
{
  guint drawn = row + 1 - (self->n_collapsed ? row_set_through (&self->collapsed, row) : 0);

  return centre_y (self, drawn, row_set_through (&self->lifted, row),
                   row_set_through (&self->breaks, row));
}

/* row_y () of the first row of a 64-row block */
static double
block_y (SlSequenceAxis *self, guint block)
{
  guint drawn =
    block * 64 + 1 - (self->n_collapsed ? row_set_through_block (&self->collapsed, block) : 0);

  return centre_y (self, drawn, row_set_through_block (&self->lifted, block),
                   row_set_through_block (&self->breaks, block));
}

/* The last row centred at or above @d (0 above the first): the block
 * first, then the row in it */
static guint
row_at_or_above (SlSequenceAxis *self, double d)
{
  guint lo = 0, hi = (self->n_rows + 63) / 64;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (block_y (self, mid) <= d)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == 0)
    return 0;
  hi = MIN (lo * 64, self->n_rows);
  lo = (lo - 1) * 64;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (row_y (self, mid) <= d)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo > 0 ? lo - 1 : 0;
}

/* row_at_or_above (@d) for any @hint. When @hint is the answer for a
 * display a little above @d (the pixel row above), the answer is among
 * the 64 rows after it: a search there reads rows next to each other.
 * Farther, the search over the blocks is cheaper. */
static guint
row_at_or_above_from (SlSequenceAxis *self, double d, guint hint)
{
  guint lo, hi;

  if (hint == 0 || hint >= self->n_rows || row_y (self, hint) > d)
    return row_at_or_above (self, d);
  hi = MIN (hint + 64, self->n_rows);
  if (hi < self->n_rows && row_y (self, hi) <= d)
    return row_at_or_above (self, d);
  /* the first row below @d lies in (hint, hi] (n_rows: none) */
  lo = hint + 1;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (row_y (self, mid) <= d)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo - 1;
}

/* An event's real time (where a cause had to come first, it may be a
 * little earlier than the row above's: callers keep time monotonic) */
static gint64
row_time (SlSequenceAxis *self, guint row)
{
  return cap_recording_get_event_time (self->rec, row);
}

static double
end_display (SlSequenceAxis *self)
{
  return self->n_rows ? row_y (self, self->n_rows - 1) + self->row_h / 2 : 0;
}

static double
place_to_display (SlTimelineAxis *axis, gint64 ts)
{
  SlSequenceAxis *self = SL_SEQUENCE_AXIS (axis);
  guint           r;
  gint64          t0, t1;
  double          y0, y1;

  if (self->n_rows == 0)
    return (ts - self->origin) / NS_PER_UNIT_OUTSIDE;
  r = cap_recording_find_row_at (self->rec, ts);
  if (r >= self->n_rows)
    {
      gint64 last = MAX (row_time (self, self->n_rows - 1), self->last_place);
      return end_display (self) + MAX (ts - last, 0) / NS_PER_UNIT_OUTSIDE;
    }
  t1 = MAX (row_time (self, r), ts);
  y1 = row_y (self, r);
  if (t1 == ts)
    return y1;
  if (r == 0)
    return y1 - self->row_h / 2 - (row_time (self, 0) - ts) / self->ns_before;
  /* between two rows: in proportion to time, break included */
  t0 = MIN (row_time (self, r - 1), ts);
  y0 = row_y (self, r - 1);
  return y0 + (y1 - y0) * (double) (ts - t0) / (double) MAX (t1 - t0, 1);
}

/* The place of display @d, row_at_or_above (@d) being @r */
static gint64
place_from_display_at (SlSequenceAxis *self, double d, guint r)
{
  double y0, y1;
  gint64 t0, t1;

  y0 = row_y (self, r);
  t0 = row_time (self, r);
  if (d == y0)
    return t0;
  if (d < y0)
    {
      double above = y0 - self->row_h / 2;
      return d >= above ? t0 - 1 : t0 - 1 - (gint64) llround ((above - d) * self->ns_before);
    }
  if (r + 1 >= self->n_rows)
    {
      gint64 last = MAX (t0, self->last_place);
      double ye = end_display (self);
      if (d >= ye)
        return last + (gint64) llround ((d - ye) * NS_PER_UNIT_OUTSIDE);
      return t0 + (gint64) llround ((last - t0) * (d - y0) / MAX (ye - y0, 1e-9));
    }
  y1 = row_y (self, r + 1);
  t1 = MAX (row_time (self, r + 1), t0);
  return t0 + (gint64) llround ((double) (t1 - t0) * (d - y0) / MAX (y1 - y0, 1e-9));
}

static gint64
place_from_display (SlTimelineAxis *axis, double d)
{
  SlSequenceAxis *self = SL_SEQUENCE_AXIS (axis);

  if (self->n_rows == 0)
    return self->origin + (gint64) llround (d * NS_PER_UNIT_OUTSIDE);
  return place_from_display_at (self, d, row_at_or_above (self, d));
}

/* An instant is drawn half a row below the row of the event that happened
 * at it: the playhead at an event's time has that event above it, and a
 * state that an event started begins under its row. */
static double
sl_sequence_axis_to_display (SlTimelineAxis *axis, gint64 ts)
{
  return place_to_display (axis, ts) + SL_SEQUENCE_AXIS (axis)->row_h / 2;
}

static gint64
sl_sequence_axis_from_display (SlTimelineAxis *axis, double d)
{
  return place_from_display (axis, d - SL_SEQUENCE_AXIS (axis)->row_h / 2);
}

/* Each row found from the one the last search found */
static gint64
sl_sequence_axis_from_display_near (SlTimelineAxis *axis, double display, guint *cursor)
{
  SlSequenceAxis *self = SL_SEQUENCE_AXIS (axis);
  double          d = display - self->row_h / 2;

  if (self->n_rows == 0)
    return place_from_display (axis, d);
  *cursor = row_at_or_above_from (self, d, *cursor);
  return place_from_display_at (self, d, *cursor);
}

static double
sl_sequence_axis_event_to_display (SlTimelineAxis *axis, SlAxisEvent event, guint index)
{
  SlSequenceAxis *self = SL_SEQUENCE_AXIS (axis);
  guint           row;

  if (event == SL_AXIS_PACKET)
    row = cap_recording_get_packet_row (self->rec, index);
  else if (event == SL_AXIS_CALL_ENTER)
    row = cap_recording_get_call_enter_row (self->rec, index);
  else
    row = cap_recording_get_call_return_row (self->rec, index);
  if (row == CAP_NONE || row >= self->n_rows)
    return end_display (self); /* still blocked: until now */
  return row_y (self, row);
}

/* The end is drawn below the last row, but never more than a break's
 * height below it: a recording whose last time lies far after its last
 * event (a damaged file's time, a run left waiting) must not make the
 * page, or the scrolled range, millions of pixels tall. */
static double
sl_sequence_axis_end_to_display (SlTimelineAxis *axis, gint64 end_time)
{
  SlSequenceAxis *self = SL_SEQUENCE_AXIS (axis);
  double          end = sl_sequence_axis_to_display (axis, end_time);

  if (self->n_rows == 0)
    return MIN (end, self->break_h);
  return MIN (end, end_display (self) + self->row_h / 2 + self->break_h);
}

/**
 * sl_sequence_axis_run_offset:
 * @ts: a real time of the recording
 *
 * How long the run had been going at @ts, without the time spent waiting
 * at the step gate for the class's clicks: a stepped run's rows read
 * "1.2 ms" as a free run's do, not "18.415869 s" of the lesson's pauses.
 * What the kernel took long for (a blocked call, a timer) is kept.
 */
gint64
sl_sequence_axis_run_offset (SlSequenceAxis *self, gint64 ts)
{
  guint  lo = 0, hi;
  gint64 held = 0;

  g_return_val_if_fail (SL_IS_SEQUENCE_AXIS (self), 0);
  sl_timeline_axis_ensure (SL_TIMELINE_AXIS (self));
  hi = self->gates ? self->gates->len : 0;
  /* the last wait that began before @ts */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (self->gates, gint64, mid * 2) < ts)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo > 0)
    held = g_array_index (self->held, gint64, lo - 1) +
           MIN (ts, g_array_index (self->gates, gint64, (lo - 1) * 2 + 1)) -
           g_array_index (self->gates, gint64, (lo - 1) * 2);
  return MAX (ts - self->origin - held, 0);
}

/* A frame no column can show: not IP, so no address and port to draw it
 * between (ARP, LLDP, a switch's spanning tree) */
static gboolean
frame_undrawable (CapRecording *rec, const CapEvent *ev)
{
  return ev->kind == CAP_EVENT_PACKET && cap_recording_get_packet (rec, ev->index)->src == CAP_NONE;
}

static void
mark_collapsed (SlSequenceAxis *self, CapRecording *rec)
{
  for (guint r = 0; r < self->n_rows; r++)
    if (frame_undrawable (rec, cap_recording_get_event (rec, r)))
      {
        row_set_add (&self->collapsed, r);
        self->n_collapsed++;
      }
  row_set_count (&self->collapsed);
}

static inline gboolean
is_collapsed (SlSequenceAxis *self, guint row)
{
  return self->n_collapsed > 0 &&
         (self->collapsed.bits[row >> 6] >> (row & 63) & G_GUINT64_CONSTANT (1)) != 0;
}

/* The drawn row before @row (a break's row: there is one) */
static guint
drawn_before (SlSequenceAxis *self, guint row)
{
  guint r = row > 0 ? row - 1 : 0;

  while (r > 0 && is_collapsed (self, r))
    r--;
  return r;
}

/* Every row's offset from the start (its run offset), as many as fit, each
 * said once: a row at the time of the row above has none (a select()
 * server's rows stepped through a microsecond apart, or held at the gate
 * together), and one apart by less than the gutter's microsecond gets the
 * finer digits ("955 µs", "955.400 µs") */
static void
sl_sequence_axis_collect_ticks (SlTimelineAxis *axis,
                                double          d0,
                                double          d1,
                                double          px_per_unit,
                                double          min_px,
                                GArray         *ticks)
{
  SlSequenceAxis  *self = SL_SEQUENCE_AXIS (axis);
  guint            every = (guint) MAX (ceil (0.95 / MAX (px_per_unit, 1e-9)), 1);
  guint            r;
  gint64           prev_offset = -1;
  g_autofree char *prev_text = NULL; /* the row above's, at the gutter's unit */
  const char      *shown = NULL;     /* the last tick's */

  if (self->n_rows == 0)
    return;
  r = row_at_or_above (self, d0);
  r -= r % every;
  for (; r < self->n_rows; r += every)
    {
      double     y = row_y (self, r);
      gint64     offset;
      char      *text, *coarse;
      SlAxisTick tick;

      if (y > d1)
        break;
      if (y < d0 || is_collapsed (self, r))
        continue; /* a frame not drawn: its row is the one above's */
      offset = sl_sequence_axis_run_offset (self, row_time (self, r));
      coarse = nc_format_time_at (offset, 1000);
      if (prev_text == NULL || strcmp (coarse, prev_text) != 0)
        text = g_strdup (coarse);
      else
        text = offset != prev_offset ? nc_format_time_at (offset, 1) : NULL;
      g_free (prev_text);
      prev_text = coarse;
      prev_offset = offset;
      if (text == NULL || (shown != NULL && strcmp (text, shown) == 0))
        {
          g_free (text);
          continue;
        }
      tick.display = y;
      tick.text = text;
      tick.rule = FALSE;
      g_array_append_val (ticks, tick);
      shown = text;
    }
}

/* The gap's time not spent at the gate; @gi walks the intervals forward */
static gint64
gap_outside_gates (GArray *gates, guint *gi, gint64 a, gint64 b)
{
  gint64 gap = b - a;

  while (*gi < gates->len && g_array_index (gates, gint64, *gi * 2 + 1) <= a)
    (*gi)++;
  for (guint k = *gi; k < gates->len; k++)
    {
      gint64 g0 = g_array_index (gates, gint64, k * 2),
             g1 = g_array_index (gates, gint64, k * 2 + 1);
      if (g0 >= b)
        break;
      gap -= MIN (g1, b) - MAX (g0, a);
    }
  return gap;
}

/* A typical gap between events: the median of a sample */
static gint64
typical_gap (SlSequenceAxis *self)
{
  guint n = self->n_rows;
  guint step = MAX ((n - 1) / GAP_SAMPLES, 1);
  g_autoptr (GArray) gaps = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint r = 1; r < n; r += step)
    {
      gint64 gap = row_time (self, r) - row_time (self, r - 1);
      if (gap > 0)
        g_array_append_val (gaps, gap);
    }
  if (gaps->len == 0)
    return 0;
  g_array_sort (gaps, sl_painter_compare_gint64);
  return g_array_index (gaps, gint64, gaps->len / 2);
}

/* How long a gap must be to break the axis. A file's times may be anything
 * up to CAP_TIME_MAX, so the product saturates instead of overflowing. */
static gint64
long_gap_threshold (gint64 typical)
{
  if (typical > G_MAXINT64 / LONG_GAP_FACTOR)
    return G_MAXINT64;
  return MAX (LONG_GAP_FACTOR * typical, LONG_GAP_MIN_NS);
}

/* What ended a long gap, in a few words: "retransmission", "client connect()" */
static char *
describe_row (SlSequenceAxis *self, guint row)
{
  const CapEvent *ev = cap_recording_get_event (self->rec, row);

  if (ev->kind == CAP_EVENT_PACKET)
    {
      const CapPacket *pkt = cap_recording_get_packet (self->rec, ev->index);
      g_autoptr (GString) text = g_string_new (NULL);
      CapSummary s = { 0 };

      if (pkt->flags & CAP_PACKET_RETRANSMISSION)
        return g_strdup (_("retransmission"));
      if (cap_recording_dissect_packet (self->rec, ev->index, &s))
        cap_summary_format_label (&s, text);
      return g_string_free (g_steal_pointer (&text), FALSE);
    }
  else
    {
      const NcCall      *c = cap_recording_get_call (self->rec, ev->index);
      const NcActorInfo *actor = c->actor < cap_recording_get_n_actors (self->rec)
                                   ? cap_recording_get_actor (self->rec, c->actor)
                                   : NULL;
      return g_strdup_printf ("%s%s%s()%s", actor && actor->name ? actor->name : "",
                              actor && actor->name ? " " : "", nc_call_kind_name (c->kind),
                              ev->kind == CAP_EVENT_CALL_RETURN ? _(" returns") : "");
    }
}

static void
sl_sequence_axis_rebuild (SlTimelineAxis *axis, CapRecording *rec, GArray *breaks)
{
  SlSequenceAxis *self = SL_SEQUENCE_AXIS (axis);
  g_autoptr (GArray) gates = NULL;
  gint64   threshold, prev;
  gboolean stepped, prev_packet, any_drawn;
  guint    gi = 0;

  self->rec = rec;
  g_clear_pointer (&self->gates, g_array_unref);
  g_clear_pointer (&self->held, g_array_unref);
  self->row_h = sl_timeline_axis_get_row_height (axis);
  self->break_h = 1.5 * self->row_h;
  g_array_set_size (self->break_rows, 0);
  self->n_rows = rec ? cap_recording_get_n_events (rec) : 0;
  row_set_reset (&self->breaks, self->n_rows);
  row_set_reset (&self->lifted, self->n_rows);
  row_set_reset (&self->collapsed, self->n_rows);
  self->n_collapsed = 0;
  self->origin = rec ? cap_recording_get_start_time (rec) : 0;
  self->last_place = self->origin;
  self->ns_before = NS_PER_UNIT_OUTSIDE;
  if (self->n_rows == 0)
    return;
  /* The start lies before the first row by the time a call waited at the
   * gate, or by whatever a damaged file says (1970 before 2023): at most a
   * break's height of blank room, like the end, or the playback from the
   * start would cross millions of pixels before the first row. */
  self->ns_before = MAX (NS_PER_UNIT_OUTSIDE,
                         (double) MAX (row_time (self, 0) - self->origin, 0) / MAX (self->break_h, 1));

  gates = sl_painter_gate_intervals (rec);
  /* the waits before each, for the gutter's run offsets */
  self->gates = g_array_ref (gates);
  self->held = g_array_sized_new (FALSE, FALSE, sizeof (gint64), gates->len);
  for (guint k = 0; k < gates->len; k++)
    {
      gint64 total = k ? g_array_index (self->held, gint64, k - 1) +
                           g_array_index (gates, gint64, k * 2 - 1) -
                           g_array_index (gates, gint64, k * 2 - 2)
                       : 0;

      g_array_append_val (self->held, total);
    }
  /* In a stepped run a call enters when the class presses Step: a long gap
   * before a call's entry is the gate's, whichever actor waited there.
   * What the kernel took long for (a timer, a blocked call) still shows. */
  stepped = gates->len > 0;
  threshold = long_gap_threshold (typical_gap (self));
  mark_collapsed (self, rec);
  /* gaps, and packets after packets, between the rows drawn */
  prev = row_time (self, 0);
  prev_packet = FALSE;
  any_drawn = FALSE;
  for (guint r = 0; r < self->n_rows; r++)
    {
      gint64   t = MAX (row_time (self, r), prev);
      gboolean packet = cap_recording_get_event (rec, r)->kind == CAP_EVENT_PACKET;

      self->last_place = MAX (self->last_place, t);
      if (is_collapsed (self, r))
        continue;
      if (packet && prev_packet)
        row_set_add (&self->lifted, r);

      if (any_drawn && t - prev >= threshold && gap_outside_gates (gates, &gi, prev, t) >= threshold &&
          !(stepped && cap_recording_get_event (rec, r)->kind == CAP_EVENT_CALL_ENTER))
        {
          g_array_append_val (self->break_rows, r);
          row_set_add (&self->breaks, r);
        }
      prev = t;
      prev_packet = packet;
      any_drawn = TRUE;
    }
  row_set_count (&self->lifted);
  row_set_count (&self->breaks);

  for (guint i = 0; i < self->break_rows->len; i++)
    {
      guint            r = g_array_index (self->break_rows, guint, i);
      g_autofree char *what = describe_row (self, r);
      g_autofree char *dur = NULL;
      SlAxisBreak      br;

      br.real_start = row_time (self, drawn_before (self, r));
      br.real_end = MAX (row_time (self, r), br.real_start);
      dur = nc_format_duration (br.real_end - br.real_start);
      br.d1 = row_y (self, r) - self->row_h / 2;
      br.d0 = br.d1 - self->break_h;
      br.text = g_strdup_printf (_("%s later: %s"), dur, what);
      g_array_append_val (breaks, br);
    }
}

static void
sl_sequence_axis_finalize (GObject *object)
{
  SlSequenceAxis *self = SL_SEQUENCE_AXIS (object);

  g_clear_pointer (&self->break_rows, g_array_unref);
  g_clear_pointer (&self->gates, g_array_unref);
  g_clear_pointer (&self->held, g_array_unref);
  row_set_clear (&self->breaks);
  row_set_clear (&self->lifted);
  row_set_clear (&self->collapsed);
  G_OBJECT_CLASS (sl_sequence_axis_parent_class)->finalize (object);
}

static void
sl_sequence_axis_class_init (SlSequenceAxisClass *klass)
{
  GObjectClass        *object_class = G_OBJECT_CLASS (klass);
  SlTimelineAxisClass *axis_class = SL_TIMELINE_AXIS_CLASS (klass);

  object_class->finalize = sl_sequence_axis_finalize;
  axis_class->natural_px_per_unit = 1; /* a row's labels at their size */
  axis_class->rebuild = sl_sequence_axis_rebuild;
  axis_class->to_display = sl_sequence_axis_to_display;
  axis_class->from_display = sl_sequence_axis_from_display;
  axis_class->from_display_near = sl_sequence_axis_from_display_near;
  axis_class->event_to_display = sl_sequence_axis_event_to_display;
  axis_class->end_to_display = sl_sequence_axis_end_to_display;
  axis_class->collect_ticks = sl_sequence_axis_collect_ticks;
}

static void
sl_sequence_axis_init (SlSequenceAxis *self)
{
  self->break_rows = g_array_new (FALSE, FALSE, sizeof (guint));
}

guint
sl_sequence_axis_get_n_rows (SlSequenceAxis *self)
{
  g_return_val_if_fail (SL_IS_SEQUENCE_AXIS (self), 0);
  sl_timeline_axis_ensure (SL_TIMELINE_AXIS (self));
  return self->n_rows;
}

double
sl_sequence_axis_row_to_display (SlSequenceAxis *self, guint row)
{
  g_return_val_if_fail (SL_IS_SEQUENCE_AXIS (self), 0);
  sl_timeline_axis_ensure (SL_TIMELINE_AXIS (self));
  return row_y (self, row);
}
