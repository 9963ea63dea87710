/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-timeline-axis.h: the vertical axis of the ladder, as an interface the
 * painter's layers ask for positions, and nothing else: where an event (a
 * call entering, a call returning, a packet) or an instant is drawn, in
 * "display units" that the frame then scales and scrolls. Two
 * implementations: SlTimeAxis (real time, gate waits collapsed) and
 * SlSequenceAxis (a row per event, in causal order). Like Sysprof's
 * SysprofAxis: the series only ask the axis to place a value.
 */
#pragma once

#include <glib-object.h>

#include "cap-recording.h"

G_BEGIN_DECLS

typedef enum
{
  SL_TIMELINE_LAYOUT_SEQUENCE, /* a row per event: the lesson */
  SL_TIMELINE_LAYOUT_TIME,     /* real time: RTTs and timers */
} SlTimelineLayout;

typedef enum
{
  SL_AXIS_CALL_ENTER,
  SL_AXIS_CALL_RETURN,
  SL_AXIS_PACKET,
} SlAxisEvent;

/* A stretch of the axis that does not stand for its real length: a wait at
 * the step gate (Time), or a long gap between two events (Sequence). */
typedef struct
{
  double d0, d1; /* its extent, in display units */
  gint64 real_start, real_end;
  char  *text; /* "held 2.1 s", "205 ms later: retransmission" */
} SlAxisBreak;

/* A label in the gutter at @display */
typedef struct
{
  double   display;
  char    *text;
  gboolean rule;               /* a faint line across the diagram too */
} SlAxisTick;

#define SL_TYPE_TIMELINE_AXIS (sl_timeline_axis_get_type ())
G_DECLARE_DERIVABLE_TYPE (SlTimelineAxis, sl_timeline_axis, SL, TIMELINE_AXIS, GObject)

struct _SlTimelineAxisClass
{
  GObjectClass parent_class;

  /* display units per pixel at the zoom that reads best; 0: fit the range */
  double natural_px_per_unit;

  void (*rebuild) (SlTimelineAxis *self, CapRecording *recording, GArray *breaks);
  double (*to_display) (SlTimelineAxis *self, gint64 ts);
  gint64 (*from_display) (SlTimelineAxis *self, double display);
  /* from_display, searched forward from @cursor (what the call for an
   * earlier display left there; 0 at first); NULL: from_display */
  gint64 (*from_display_near) (SlTimelineAxis *self, double display, guint *cursor);
  double (*event_to_display) (SlTimelineAxis *self, SlAxisEvent event, guint index);
  /* where the recording's end (@end_time) is drawn; NULL: to_display */
  double (*end_to_display) (SlTimelineAxis *self, gint64 end_time);
  void (*collect_ticks) (SlTimelineAxis *self,
                         double          d0,
                         double          d1,
                         double          px_per_unit,
                         double          min_px,
                         GArray         *ticks);
};

SlTimelineAxis  *sl_timeline_axis_new_for_layout (SlTimelineLayout layout);
SlTimelineLayout sl_timeline_axis_get_layout (SlTimelineAxis *self);
gboolean         sl_timeline_layout_from_string (const char *text, SlTimelineLayout *layout);
const char      *sl_timeline_layout_to_string (SlTimelineLayout layout);
SlTimelineLayout sl_timeline_layout_default_for (CapRecording *recording);

void          sl_timeline_axis_set_recording (SlTimelineAxis *self, CapRecording *recording);
CapRecording *sl_timeline_axis_get_recording (SlTimelineAxis *self);
void          sl_timeline_axis_set_row_height (SlTimelineAxis *self, double row_height);
double        sl_timeline_axis_get_row_height (SlTimelineAxis *self);
void          sl_timeline_axis_invalidate (SlTimelineAxis *self);
void          sl_timeline_axis_ensure (SlTimelineAxis *self);

double sl_timeline_axis_to_display (SlTimelineAxis *self, gint64 ts);
gint64 sl_timeline_axis_from_display (SlTimelineAxis *self, double display);
gint64 sl_timeline_axis_from_display_near   (SlTimelineAxis *self,
                                             double          display,
                                             guint          *cursor);
void   sl_timeline_axis_from_display_sorted (SlTimelineAxis *self,
                                             const double   *display,
                                             guint           n,
                                             gint64         *out);
double sl_timeline_axis_event_to_display (SlTimelineAxis *self, SlAxisEvent event, guint index);
double sl_timeline_axis_get_end (SlTimelineAxis *self);
double sl_timeline_axis_get_natural_px_per_unit (SlTimelineAxis *self);
guint  sl_timeline_axis_get_n_breaks (SlTimelineAxis *self);
const SlAxisBreak *sl_timeline_axis_get_break (SlTimelineAxis *self, guint i);
void               sl_timeline_axis_collect_ticks (SlTimelineAxis *self,
                                                   double          d0,
                                                   double          d1,
                                                   double          px_per_unit,
                                                   double          min_px,
                                                   GArray         *ticks);
GArray            *sl_axis_ticks_new (void);

G_END_DECLS
