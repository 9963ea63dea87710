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
/* The tallest single image: cairo's surfaces hold at most 32767 pixels a
 * side. A longer run is refused as SVG or PNG, and paged as a PDF. */
#define SL_DIAGRAM_MAX_HEIGHT 32767
/* A PDF page of a long run: A4 upright at the diagram's width, the bottom
 * SL_DIAGRAM_FOOTER pixels for "Page 2 of 7" */
#define SL_DIAGRAM_PAGE_HEIGHT 1697
#define SL_DIAGRAM_FOOTER 32
/* The most pages a PDF has: about 37,000 events on the Sequence axis, a
 * 26 MB file written in some 17 s. A longer run is refused (the Time axis
 * draws any run on one page): a million events made 27,000 pages in some
 * eight minutes, with the window frozen if it was exported from there. */
#define SL_DIAGRAM_MAX_PAGES 1000
/* The tallest painter a diagram sets up, so any file's height is an int */
#define SL_DIAGRAM_TALLEST (G_MAXINT / 2)

/* One page of a PDF: [d0, d1) on the painter's axis, or the whole diagram */
typedef struct
{
  gboolean whole;
  double   d0;
  double   d1;
} SlDiagramPage;

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
/* How a PDF cuts that painter's diagram into pages, and one page drawn */
GArray  *sl_diagram_plan_pages    (SlTimelinePainter *painter,
                                   int                height);
void     sl_diagram_draw_page     (SlTimelinePainter *painter,
                                   GArray            *pages,
                                   guint              index,
                                   cairo_t           *cr);
/* What a PDF export draws, every page, onto any cairo context (the fuzz
 * target draws it onto a recording surface) */
void     sl_diagram_draw          (CapRecording     *recording,
                                   SlTimelineLayout  layout,
                                   cairo_t          *cr);

G_END_DECLS
