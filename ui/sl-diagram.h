/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-diagram.h: the timeline of a whole recording as an SVG, PDF or PNG file. */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "cap-recording.h"
#include "sl-timeline-axis.h"
#include "sl-timeline-painter.h"

G_BEGIN_DECLS

#define SL_DIAGRAM_WIDTH  1200
#define SL_DIAGRAM_HEIGHT 900
#define SL_DIAGRAM_MAX_HEIGHT 32767

/* The format from @path's ending, through the exporter table; the layout
 * the window opens @recording with (sl_timeline_layout_default_for ()) */
gboolean sl_diagram_export        (CapRecording     *recording,
                                   const char       *path,
                                   GError          **error);
/* The same on the axis of @layout */
gboolean sl_diagram_export_layout (CapRecording     *recording,
                                   SlTimelineLayout  layout,
                                   const char       *path,
                                   GError          **error);
/* One format each: what the exporter table (sl-exporters.c) points to */
gboolean sl_diagram_export_svg    (CapRecording     *recording,
                                   const char       *path,
                                   GError          **error);
gboolean sl_diagram_export_pdf    (CapRecording     *recording,
                                   const char       *path,
                                   GError          **error);
gboolean sl_diagram_export_png    (CapRecording     *recording,
                                   const char       *path,
                                   GError          **error);
/* The painter an export draws with, and its page's height */
SlTimelinePainter *sl_diagram_new_painter (CapRecording     *recording,
                                           SlTimelineLayout  layout,
                                           int              *height);
/* What the export draws, onto any cairo context (the fuzz target draws it
 * onto a recording surface): the layout the window opens @recording with */
void     sl_diagram_draw          (CapRecording     *recording,
                                   cairo_t          *cr);

G_END_DECLS
