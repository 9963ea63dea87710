/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-diagram.h: the timeline of a whole recording as an SVG, PDF or PNG file. */
#pragma once

#include <glib.h>

#include "cap-recording.h"
#include "sl-timeline-axis.h"
#include "sl-timeline-painter.h"

G_BEGIN_DECLS

#define SL_DIAGRAM_WIDTH  1200
#define SL_DIAGRAM_HEIGHT 900

gboolean sl_diagram_export        (CapRecording     *recording,
                                   const char       *path,
                                   GError          **error);
gboolean sl_diagram_export_layout (CapRecording     *recording,
                                   SlTimelineLayout  layout,
                                   const char       *path,
                                   GError          **error);
SlTimelinePainter *sl_diagram_new_painter (CapRecording     *recording,
                                           SlTimelineLayout  layout,
                                           int              *height);

G_END_DECLS
