/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-timeline-axis.c: what both axes share: the recording they place, the
 * row height the painter asks for, the breaks, and building lazily, once
 * per change of the recording or of the type size.
 */

#include "config.h"

#include "sl-timeline-axis.h"
#include "sl-sequence-axis.h"
#include "sl-time-axis.h"

typedef struct
{
  CapRecording *recording;
  GArray       *breaks; /* SlAxisBreak */
  double        row_height;
  gboolean      valid;
} SlTimelineAxisPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (SlTimelineAxis, sl_timeline_axis, G_TYPE_OBJECT)

static void
clear_break (gpointer data)
{
  g_clear_pointer (&((SlAxisBreak *) data)->text, g_free);
}

static void
clear_tick (gpointer data)
{
  g_clear_pointer (&((SlAxisTick *) data)->text, g_free);
}

static void
sl_timeline_axis_finalize (GObject *object)
{
  SlTimelineAxisPrivate *priv = sl_timeline_axis_get_instance_private (SL_TIMELINE_AXIS (object));

  g_clear_object (&priv->recording);
  g_clear_pointer (&priv->breaks, g_array_unref);
  G_OBJECT_CLASS (sl_timeline_axis_parent_class)->finalize (object);
}

static void
sl_timeline_axis_class_init (SlTimelineAxisClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sl_timeline_axis_finalize;
}

static void
sl_timeline_axis_init (SlTimelineAxis *self)
{
  SlTimelineAxisPrivate *priv = sl_timeline_axis_get_instance_private (self);

  priv->breaks = g_array_new (FALSE, TRUE, sizeof (SlAxisBreak));
  g_array_set_clear_func (priv->breaks, clear_break);
  priv->row_height = 20;
}

/**
 * sl_timeline_axis_new_for_layout:
 *
 * Returns: (transfer full): a Sequence or a Time axis
 */
SlTimelineAxis *
sl_timeline_axis_new_for_layout (SlTimelineLayout layout)
{
  if (layout == SL_TIMELINE_LAYOUT_TIME)
    return g_object_new (SL_TYPE_TIME_AXIS, NULL);
  return g_object_new (SL_TYPE_SEQUENCE_AXIS, NULL);
}

SlTimelineLayout
sl_timeline_axis_get_layout (SlTimelineAxis *self)
{
  g_return_val_if_fail (SL_IS_TIMELINE_AXIS (self), SL_TIMELINE_LAYOUT_SEQUENCE);
  return SL_IS_TIME_AXIS (self) ? SL_TIMELINE_LAYOUT_TIME : SL_TIMELINE_LAYOUT_SEQUENCE;
}

/* "sequence" or "time", as the command line and the settings spell them */
gboolean
sl_timeline_layout_from_string (const char *text, SlTimelineLayout *layout)
{
  if (g_strcmp0 (text, "sequence") == 0)
    *layout = SL_TIMELINE_LAYOUT_SEQUENCE;
  else if (g_strcmp0 (text, "time") == 0)
    *layout = SL_TIMELINE_LAYOUT_TIME;
  else
    return FALSE;
  return TRUE;
}

const char *
sl_timeline_layout_to_string (SlTimelineLayout layout)
{
  return layout == SL_TIMELINE_LAYOUT_TIME ? "time" : "sequence";
}

/* A capture from elsewhere with more packets than this opens on the Time
 * axis: rows would make its minutes a scroll of kilometres */
#define SEQUENCE_MAX_CAPTURE_PACKETS 5000

/**
 * sl_timeline_layout_default_for:
 *
 * Sequence for runs (they have calls) and for captures of up to a few
 * thousand packets; Time for bigger captures.
 */
SlTimelineLayout
sl_timeline_layout_default_for (CapRecording *recording)
{
  if (recording != NULL && cap_recording_get_n_calls (recording) == 0 &&
      cap_recording_get_n_packets (recording) > SEQUENCE_MAX_CAPTURE_PACKETS)
    return SL_TIMELINE_LAYOUT_TIME;
  return SL_TIMELINE_LAYOUT_SEQUENCE;
}

void
sl_timeline_axis_set_recording (SlTimelineAxis *self, CapRecording *recording)
{
  SlTimelineAxisPrivate *priv = sl_timeline_axis_get_instance_private (self);

  g_return_if_fail (SL_IS_TIMELINE_AXIS (self));
  g_set_object (&priv->recording, recording);
  priv->valid = FALSE;
}

CapRecording *
sl_timeline_axis_get_recording (SlTimelineAxis *self)
{
  SlTimelineAxisPrivate *priv = sl_timeline_axis_get_instance_private (self);

  g_return_val_if_fail (SL_IS_TIMELINE_AXIS (self), NULL);
  return priv->recording;
}

/**
 * sl_timeline_axis_set_row_height:
 *
 * The room one event row needs (a line of labels), in display units. Only
 * the Sequence axis has rows; it lays them out again.
 */
void
sl_timeline_axis_set_row_height (SlTimelineAxis *self, double row_height)
{
  SlTimelineAxisPrivate *priv = sl_timeline_axis_get_instance_private (self);

  g_return_if_fail (SL_IS_TIMELINE_AXIS (self));
  if (priv->row_height == row_height)
    return;
  priv->row_height = row_height;
  priv->valid = FALSE;
}

double
sl_timeline_axis_get_row_height (SlTimelineAxis *self)
{
  SlTimelineAxisPrivate *priv = sl_timeline_axis_get_instance_private (self);

  return priv->row_height;
}

/* The recording's content changed (a live run grew). */
void
sl_timeline_axis_invalidate (SlTimelineAxis *self)
{
  SlTimelineAxisPrivate *priv = sl_timeline_axis_get_instance_private (self);

  g_return_if_fail (SL_IS_TIMELINE_AXIS (self));
  priv->valid = FALSE;
}

void
sl_timeline_axis_ensure (SlTimelineAxis *self)
{
  SlTimelineAxisPrivate *priv = sl_timeline_axis_get_instance_private (self);

  if (priv->valid)
    return;
  priv->valid = TRUE;
  g_array_set_size (priv->breaks, 0);
  SL_TIMELINE_AXIS_GET_CLASS (self)->rebuild (self, priv->recording, priv->breaks);
}

double
sl_timeline_axis_to_display (SlTimelineAxis *self, gint64 ts)
{
  sl_timeline_axis_ensure (self);
  return SL_TIMELINE_AXIS_GET_CLASS (self)->to_display (self, ts);
}

gint64
sl_timeline_axis_from_display (SlTimelineAxis *self, double display)
{
  sl_timeline_axis_ensure (self);
  return SL_TIMELINE_AXIS_GET_CLASS (self)->from_display (self, display);
}

/**
 * sl_timeline_axis_from_display_near:
 * @display: a display
 * @cursor: (inout): 0 at first, then what the call for an earlier display left
 *
 * sl_timeline_axis_from_display () of @display, the same as alone, found
 * forward from where the last search ended: a frame walking down its rows
 * (the calls' boxes, the dense packets' pixel rows) need not search the
 * whole axis again for each.
 */
gint64
sl_timeline_axis_from_display_near (SlTimelineAxis *self, double display, guint *cursor)
{
  SlTimelineAxisClass *klass = SL_TIMELINE_AXIS_GET_CLASS (self);

  sl_timeline_axis_ensure (self);
  if (klass->from_display_near != NULL)
    return klass->from_display_near (self, display, cursor);
  return klass->from_display (self, display);
}

/**
 * sl_timeline_axis_from_display_sorted:
 * @display: (array length=n): displays in ascending order
 * @n: how many
 * @out: (array length=n): their times
 *
 * sl_timeline_axis_from_display () of each of @display, each found from
 * the one before (sl_timeline_axis_from_display_near ()).
 */
void
sl_timeline_axis_from_display_sorted (SlTimelineAxis *self,
                                      const double   *display,
                                      guint           n,
                                      gint64         *out)
{
  guint cursor = 0;

  for (guint i = 0; i < n; i++)
    out[i] = sl_timeline_axis_from_display_near (self, display[i], &cursor);
}

/**
 * sl_timeline_axis_event_to_display:
 * @index: the call (for CALL_ENTER and CALL_RETURN) or the packet
 *
 * Where an event is drawn. A call still in the kernel returns at the end.
 */
double
sl_timeline_axis_event_to_display (SlTimelineAxis *self, SlAxisEvent event, guint index)
{
  sl_timeline_axis_ensure (self);
  return SL_TIMELINE_AXIS_GET_CLASS (self)->event_to_display (self, event, index);
}

/* The display position of the recording's end */
double
sl_timeline_axis_get_end (SlTimelineAxis *self)
{
  SlTimelineAxisPrivate *priv = sl_timeline_axis_get_instance_private (self);
  SlTimelineAxisClass   *klass = SL_TIMELINE_AXIS_GET_CLASS (self);
  gint64                 end_time;

  if (priv->recording == NULL)
    return 0;
  end_time = cap_recording_get_end_time (priv->recording);
  if (klass->end_to_display == NULL)
    return sl_timeline_axis_to_display (self, end_time);
  sl_timeline_axis_ensure (self);
  return klass->end_to_display (self, end_time);
}

double
sl_timeline_axis_get_natural_px_per_unit (SlTimelineAxis *self)
{
  g_return_val_if_fail (SL_IS_TIMELINE_AXIS (self), 0);
  return SL_TIMELINE_AXIS_GET_CLASS (self)->natural_px_per_unit;
}

guint
sl_timeline_axis_get_n_breaks (SlTimelineAxis *self)
{
  SlTimelineAxisPrivate *priv = sl_timeline_axis_get_instance_private (self);

  sl_timeline_axis_ensure (self);
  return priv->breaks->len;
}

const SlAxisBreak *
sl_timeline_axis_get_break (SlTimelineAxis *self, guint i)
{
  SlTimelineAxisPrivate *priv = sl_timeline_axis_get_instance_private (self);

  sl_timeline_axis_ensure (self);
  g_return_val_if_fail (i < priv->breaks->len, NULL);
  return &g_array_index (priv->breaks, SlAxisBreak, i);
}

/**
 * sl_timeline_axis_collect_ticks:
 * @min_px: the least distance between two ticks, in pixels
 * @ticks: receives SlAxisTick (an array from sl_axis_ticks_new ())
 *
 * The gutter's labels between @d0 and @d1.
 */
void
sl_timeline_axis_collect_ticks (SlTimelineAxis *self,
                                double          d0,
                                double          d1,
                                double          px_per_unit,
                                double          min_px,
                                GArray         *ticks)
{
  sl_timeline_axis_ensure (self);
  g_array_set_size (ticks, 0);
  SL_TIMELINE_AXIS_GET_CLASS (self)->collect_ticks (self, d0, d1, px_per_unit, min_px, ticks);
}

GArray *
sl_axis_ticks_new (void)
{
  GArray *ticks = g_array_new (FALSE, TRUE, sizeof (SlAxisTick));

  g_array_set_clear_func (ticks, clear_tick);
  return ticks;
}
