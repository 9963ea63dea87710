/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-timeline-view.h: the ladder diagram as a widget. It draws through
 * SlTimelinePainter and turns input into changes of its SlSession (visible
 * range, playhead, selection, playing); it keeps no view state of its own.
 */
#pragma once

#include <gtk/gtk.h>

#include "sl-session.h"
#include "sl-timeline-painter.h"

G_BEGIN_DECLS

#define SL_TYPE_TIMELINE_VIEW (sl_timeline_view_get_type ())
G_DECLARE_FINAL_TYPE (SlTimelineView, sl_timeline_view, SL, TIMELINE_VIEW, GtkWidget)

GtkWidget         *sl_timeline_view_new            (SlSession      *session);
SlSession         *sl_timeline_view_get_session    (SlTimelineView *self);
void               sl_timeline_view_set_session    (SlTimelineView *self,
                                                    SlSession      *session);
SlTimelinePainter *sl_timeline_view_get_painter    (SlTimelineView *self);
SlTimelineLayout   sl_timeline_view_get_layout     (SlTimelineView *self);
void               sl_timeline_view_set_layout     (SlTimelineView *self,
                                                    SlTimelineLayout layout);
double             sl_timeline_view_get_text_scale (SlTimelineView *self);
void               sl_timeline_view_set_text_scale (SlTimelineView *self,
                                                    double          scale);
gboolean           sl_timeline_view_get_high_contrast (SlTimelineView *self);
void               sl_timeline_view_set_high_contrast (SlTimelineView *self,
                                                       gboolean        high_contrast);

/* The keys the timeline answers while it has the focus (it takes it when a
 * recording is shown): GTK accelerator names, space-separated, and what
 * each does. The shortcuts window lists every one. */
typedef struct
{
  const char *accels;
  const char *title;
} SlTimelineKey;

const SlTimelineKey *sl_timeline_view_get_keys  (guint          *n_keys);

G_END_DECLS
