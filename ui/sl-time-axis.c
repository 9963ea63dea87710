/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-time-axis.c: display units are nanoseconds from the recording's start,
 * minus the gate waits: each wait is cut down to break_len display ns.
 */

#include "config.h"

#include "sl-time-axis.h"
#include "sl-timeline-painter-private.h"
#include "nc-format.h"

#include <math.h>

struct _SlTimeAxis
{
  SlTimelineAxis parent_instance;

  GArray *breaks;    /* the base class's SlAxisBreak array, by time */
  double  break_len; /* display ns a collapsed gap keeps */
  gint64  origin;    /* recording start */
};

G_DEFINE_FINAL_TYPE (SlTimeAxis, sl_time_axis, SL_TYPE_TIMELINE_AXIS)

static double
sl_time_axis_to_display (SlTimelineAxis *axis, gint64 ts)
{
  SlTimeAxis        *self = SL_TIME_AXIS (axis);
  const SlAxisBreak *b;
  guint              lo = 0, hi = self->breaks ? self->breaks->len : 0;
  gint64             rel = ts - self->origin;

  /* the last break starting at or before ts */
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      if (g_array_index (self->breaks, SlAxisBreak, mid).real_start <= ts)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == 0)
    return (double) rel;
  b = &g_array_index (self->breaks, SlAxisBreak, lo - 1);
  if (ts < b->real_end)
    return b->d0 +
           (double) (ts - b->real_start) * self->break_len / (double) (b->real_end - b->real_start);
  return b->d0 + self->break_len + (double) (ts - b->real_end);
}

static gint64
sl_time_axis_from_display (SlTimelineAxis *axis, double d)
{
  SlTimeAxis        *self = SL_TIME_AXIS (axis);
  const SlAxisBreak *b;
  guint              lo = 0, hi = self->breaks ? self->breaks->len : 0;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      if (g_array_index (self->breaks, SlAxisBreak, mid).d0 <= d)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == 0)
    return self->origin + (gint64) llround (d);
  b = &g_array_index (self->breaks, SlAxisBreak, lo - 1);
  if (d < b->d0 + self->break_len)
    return b->real_start + (gint64) llround ((d - b->d0) / self->break_len *
                                             (double) (b->real_end - b->real_start));
  return b->real_end + (gint64) llround (d - b->d0 - self->break_len);
}

static double
sl_time_axis_event_to_display (SlTimelineAxis *axis, SlAxisEvent event, guint index)
{
  CapRecording *rec = sl_timeline_axis_get_recording (axis);
  const NcCall *c;

  if (event == SL_AXIS_PACKET)
    return sl_time_axis_to_display (axis, cap_recording_get_packet (rec, index)->ts);
  c = cap_recording_get_call (rec, index);
  if (event == SL_AXIS_CALL_ENTER)
    return sl_time_axis_to_display (axis, c->ts_start);
  return sl_time_axis_to_display (
    axis, c->ts_end ? c->ts_end : MAX (cap_recording_get_end_time (rec), c->ts_start));
}

/* 1, 2 or 5 times a power of ten, at least @raw: a tick step. A file's
 * times span up to 146 years (CAP_TIME_MAX), and a small plot asks for a
 * step longer still: the steps end at 5e18 ns, where the next power of
 * ten would overflow. */
gint64
sl_painter_nice_step (double raw)
{
  gint64 step = 1;

  while (step < raw)
    {
      if (step * 2 >= raw)
        return step * 2;
      if (step * 5 >= raw || step > G_MAXINT64 / 10)
        return step * 5;
      step *= 10;
    }
  return step;
}

static gboolean
near_a_break (SlTimeAxis *self, gint64 t, double px_per_unit, double min_px)
{
  for (guint i = 0; i < self->breaks->len; i++)
    {
      const SlAxisBreak *b = &g_array_index (self->breaks, SlAxisBreak, i);
      if (fabs ((b->d0 + b->d1) / 2 - t) * px_per_unit < min_px / 4)
        return TRUE;
    }
  return FALSE;
}

/* Ticks label display time, so a stepped run reads like a free one: the
 * seconds spent at the gate are given on the break marks instead. */
static void
sl_time_axis_collect_ticks (SlTimelineAxis *axis,
                            double          d0,
                            double          d1,
                            double          px_per_unit,
                            double          min_px,
                            GArray         *ticks)
{
  SlTimeAxis *self = SL_TIME_AXIS (axis);
  gint64      step = sl_painter_nice_step (min_px / px_per_unit);
  gint64      t = (gint64) ceil (d0 / step) * step;

  while (t <= d1)
    {
      if (!near_a_break (self, t, px_per_unit, min_px))
        {
          SlAxisTick tick = { .display = t, .text = nc_format_time_at (t, step), .rule = TRUE };
          g_array_append_val (ticks, tick);
        }
      if (t > G_MAXINT64 - step)
        break; /* 146 years of a damaged file's times, in steps of 5e18 ns */
      t += step;
    }
}

/* Merged [gate, start) intervals: time some actor spent held at the gate */
GArray *
sl_painter_gate_intervals (CapRecording *rec)
{
  guint n_calls = cap_recording_get_n_calls (rec);
  g_autoptr (GArray) gates = g_array_new (FALSE, FALSE, sizeof (gint64) * 2);
  GArray *merged = g_array_new (FALSE, FALSE, sizeof (gint64) * 2);

  for (guint i = 0; i < n_calls; i++)
    {
      const NcCall *c = cap_recording_get_call (rec, i);
      if (c != NULL && c->ts_start != 0 && c->ts_gate != 0 && c->ts_gate < c->ts_start)
        {
          gint64 g[2] = { c->ts_gate, c->ts_start };
          g_array_append_val (gates, g);
        }
    }
  g_array_sort (gates, sl_painter_compare_gint64);
  for (guint i = 0; i < gates->len; i++)
    {
      gint64 *g = &g_array_index (gates, gint64, i * 2);
      gint64 *last = merged->len ? &g_array_index (merged, gint64, (merged->len - 1) * 2) : NULL;
      if (last != NULL && g[0] <= last[1])
        last[1] = MAX (last[1], g[1]);
      else
        g_array_append_vals (merged, g, 1);
    }
  return merged;
}

/* Gaps in which nothing happened while some actor was held at the step gate
 * are waits for the user's click, not the program's time: each becomes a
 * break of break_len display ns. Time blocked in the kernel is kept. */
static void
sl_time_axis_rebuild (SlTimelineAxis *axis, CapRecording *rec, GArray *breaks)
{
  SlTimeAxis *self = SL_TIME_AXIS (axis);
  guint       n_calls = rec ? cap_recording_get_n_calls (rec) : 0;
  g_autoptr (GArray) points = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) durations = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) merged = NULL;
  double removed = 0;
  guint pi;

  self->breaks = breaks;
  self->break_len = 0;
  self->origin = rec ? cap_recording_get_start_time (rec) : 0;
  if (rec == NULL)
    return;

  for (guint i = 0; i < n_calls; i++)
    {
      const NcCall *c = cap_recording_get_call (rec, i);
      if (c == NULL || c->ts_start == 0)
        continue;
      if (c->ts_gate != 0 && c->ts_gate < c->ts_start)
        g_array_append_val (points, c->ts_gate);
      g_array_append_val (points, c->ts_start);
      if (c->ts_end != 0)
        {
          gint64 d = c->ts_end - c->ts_start;
          g_array_append_val (points, c->ts_end);
          g_array_append_val (durations, d);
        }
    }
  merged = sl_painter_gate_intervals (rec);
  if (merged->len == 0)
    return;

  /* A break keeps a few typical call durations, so it reads as a short
   * pause at any zoom that shows single calls. */
  g_array_sort (durations, sl_painter_compare_gint64);
  self->break_len =
    durations->len ? 4.0 * g_array_index (durations, gint64, durations->len / 2) : 50000;
  self->break_len = CLAMP (self->break_len, 20000.0, 50000000.0);

  g_array_sort (points, sl_painter_compare_gint64);
  /* the intervals are sorted and apart, so the points are walked once for
   * all of them (from the first point each time, a run of 40,000 gated
   * calls took 8 s) */
  pi = 0;
  for (guint m = 0; m < merged->len; m++)
    {
      gint64 a = g_array_index (merged, gint64, m * 2);
      gint64 b = g_array_index (merged, gint64, m * 2 + 1);
      guint  pk, pk_end;
      gint64 prev = a;

      /* the events inside (a, b): call times, and packets by binary search */
      while (pi < points->len && g_array_index (points, gint64, pi) <= a)
        pi++;
      pk = cap_recording_find_packet_at (rec, a + 1);
      pk_end = cap_recording_find_packet_at (rec, b);
      for (;;)
        {
          gint64   next = b;
          gboolean from_points = FALSE;

          if (pi < points->len && g_array_index (points, gint64, pi) < next)
            {
              next = g_array_index (points, gint64, pi);
              from_points = TRUE;
            }
          if (pk < pk_end && cap_recording_get_packet (rec, pk)->ts < next)
            {
              next = cap_recording_get_packet (rec, pk)->ts;
              from_points = FALSE;
            }
          if (next - prev > 2 * self->break_len)
            {
              SlAxisBreak br = { 0, 0, prev, next, NULL };
              g_array_append_val (breaks, br);
            }
          if (next >= b)
            break;
          if (from_points)
            pi++;
          else
            pk++;
          prev = next;
        }
    }

  for (guint i = 0; i < breaks->len; i++)
    {
      SlAxisBreak     *br = &g_array_index (breaks, SlAxisBreak, i);
      g_autofree char *dur = nc_format_duration (br->real_end - br->real_start);

      br->d0 = (double) (br->real_start - self->origin) - removed;
      br->d1 = br->d0 + self->break_len;
      br->text = g_strdup_printf ("held %s", dur);
      removed += (double) (br->real_end - br->real_start) - self->break_len;
    }
}

static void
sl_time_axis_class_init (SlTimeAxisClass *klass)
{
  SlTimelineAxisClass *axis_class = SL_TIMELINE_AXIS_CLASS (klass);

  axis_class->natural_px_per_unit = 0; /* fit the range */
  axis_class->rebuild = sl_time_axis_rebuild;
  axis_class->to_display = sl_time_axis_to_display;
  axis_class->from_display = sl_time_axis_from_display;
  axis_class->event_to_display = sl_time_axis_event_to_display;
  axis_class->collect_ticks = sl_time_axis_collect_ticks;
}

static void
sl_time_axis_init (SlTimeAxis *self)
{
}
