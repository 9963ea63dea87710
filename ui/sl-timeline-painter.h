/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-timeline-painter.h: draws a time range of a recording as a ladder
 * diagram (time flowing down) into any cairo context: the timeline widget's
 * snapshot, and PNG/SVG/PDF exports with no display. cairo + pango only.
 *
 * Columns are actors (or, for a capture without calls, endpoints); inside a
 * column each socket has a thin lane. Calls are boxes on their socket's lane,
 * packets are arrows between lanes, TCP states are bands along the lanes.
 *
 * The time axis collapses the time actors spent held at the step gate (a
 * break mark shows where); every other stretch of time is drawn to scale.
 * "Display time" below means that collapsed axis, in ns from the recording's
 * start.
 */
#pragma once

#include <cairo.h>
#include <glib-object.h>

#include "cap-recording.h"
#include "sl-palette.h"
#include "sl-session.h"
#include "sl-timeline-axis.h"

G_BEGIN_DECLS

/* The layers of a draw, in order, as sl_timeline_painter_set_profiling ()
 * times them */
typedef enum
{
  SL_TIMELINE_LAYER_SETUP, /* the frame, the background */
  SL_TIMELINE_LAYER_AXIS,  /* the gutter, the grid */
  SL_TIMELINE_LAYER_HEADERS,
  SL_TIMELINE_LAYER_LANES,
  SL_TIMELINE_LAYER_PACKETS,
  SL_TIMELINE_LAYER_CALLS,
  SL_TIMELINE_LAYER_BREAKS,
  SL_TIMELINE_LAYER_LABEL_LAYOUT,
  SL_TIMELINE_LAYER_LABELS,
  SL_TIMELINE_LAYER_PLAYHEAD,
  SL_TIMELINE_LAYER_LEGEND,
  SL_TIMELINE_N_LAYERS
} SlTimelineLayer;

/* What the last draw did, for tests and benchmarks. */
typedef struct
{
  guint n_columns;
  guint n_lanes;
  guint n_calls_drawn;
  guint n_calls_merged;        /* skipped: inside a box already drawn */
  guint n_packets_drawn;       /* as single arrows */
  guint n_packets_aggregated;  /* counted into per-row density strokes */
  guint n_labels;
  guint n_labels_dropped;      /* no room without overlapping: counted in the notice */
  guint n_breaks_visible;
  gboolean aggregated;         /* the packets were too dense for single arrows */
  double   layer_ms[SL_TIMELINE_N_LAYERS]; /* CPU time per layer, when profiling */
} SlTimelineStats;

/* A label as the last layout placed it, in the painter's pixels */
typedef enum
{
  SL_LABEL_CALL,         /* a call's name and arguments, beside its entry */
  SL_LABEL_CALL_RESULT,  /* what it returned, beside its return */
  SL_LABEL_PACKET,       /* above its arrow */
  SL_LABEL_BREAK,        /* "205 ms later: retransmission" */
  SL_LABEL_HIDDEN,       /* "+3 more" where labels found no room, and the
                            notice of how many (index: that count) */
} SlLabelKind;

typedef struct
{
  SlLabelKind kind;
  guint       index;     /* the call, the packet, or the axis's break */
  double      x, y, width, height;
  const char *text;      /* valid until the next layout */
  const char *lines;     /* as drawn: a '\n' where each line ends (idem) */
  gboolean    ellipsized; /* drawn cut short ("…"): no room for all of it */
} SlTimelineLabel;

/* The narrowest the ladder is drawn, in px at text scale 1 (times the
 * scale for larger type): every label of the lessons whole, none
 * overlapping (tests/test-painter-layout.c); the window's panes yield to
 * it (ui/sl-window-panes.c). */
#define SL_TIMELINE_MIN_WIDTH 460

#define SL_TYPE_TIMELINE_PAINTER (sl_timeline_painter_get_type ())
G_DECLARE_FINAL_TYPE (SlTimelinePainter, sl_timeline_painter, SL, TIMELINE_PAINTER, GObject)

SlTimelinePainter *sl_timeline_painter_new             (void);

/* What to draw */
void          sl_timeline_painter_set_recording        (SlTimelinePainter *self,
                                                        CapRecording      *recording);
CapRecording *sl_timeline_painter_get_recording        (SlTimelinePainter *self);
void          sl_timeline_painter_invalidate           (SlTimelinePainter *self);
void          sl_timeline_painter_set_size             (SlTimelinePainter *self,
                                                        int                width,
                                                        int                height);
void          sl_timeline_painter_set_range            (SlTimelinePainter *self,
                                                        gint64             begin,
                                                        gint64             end);
void          sl_timeline_painter_set_page             (SlTimelinePainter *self,
                                                        double             d0,
                                                        double             d1);
void          sl_timeline_painter_set_playhead         (SlTimelinePainter *self,
                                                        gint64             ts);
void          sl_timeline_painter_set_selection        (SlTimelinePainter *self,
                                                        SlSelectionKind    kind,
                                                        guint              index);
void          sl_timeline_painter_set_current_call     (SlTimelinePainter *self,
                                                        guint              call);
void          sl_timeline_painter_set_theme            (SlTimelinePainter *self,
                                                        SlTheme            theme);
void          sl_timeline_painter_set_text_scale       (SlTimelinePainter *self,
                                                        double             scale);
void          sl_timeline_painter_set_show_playhead    (SlTimelinePainter *self,
                                                        gboolean           show);
void          sl_timeline_painter_set_max_columns      (SlTimelinePainter *self,
                                                        guint              max_columns);
void          sl_timeline_painter_set_layout           (SlTimelinePainter *self,
                                                        SlTimelineLayout   layout);
SlTimelineLayout sl_timeline_painter_get_layout        (SlTimelinePainter *self);
SlTimelineAxis *sl_timeline_painter_get_axis           (SlTimelinePainter *self);
double        sl_timeline_painter_get_natural_height   (SlTimelinePainter *self);
void          sl_timeline_painter_set_conversation_filter (SlTimelinePainter *self,
                                                        const guint32     *ids,
                                                        guint              n_ids);

/* Drawing: the whole width x height, background included */
void          sl_timeline_painter_draw                 (SlTimelinePainter *self,
                                                        cairo_t           *cr);
void          sl_timeline_painter_get_stats            (SlTimelinePainter *self,
                                                        SlTimelineStats   *stats);
void          sl_timeline_painter_set_profiling        (SlTimelinePainter *self,
                                                        gboolean           profiling);

/* Laying out without drawing (no cairo context needed): what the next
 * draw puts where. Labels never overlap; on the Sequence axis every
 * visible call and packet gets its labels. */
void          sl_timeline_painter_layout               (SlTimelinePainter *self);
const SlTimelineLabel *sl_timeline_painter_get_labels  (SlTimelinePainter *self,
                                                        guint             *n_labels);

/* Hit testing, against what the last draw put on screen */
gboolean      sl_timeline_painter_hit                  (SlTimelinePainter *self,
                                                        double             x,
                                                        double             y,
                                                        SlSelectionKind   *kind,
                                                        guint             *index);

/* The time axis (with the current size and range) */
double        sl_timeline_painter_time_to_y            (SlTimelinePainter *self,
                                                        gint64             ts);
gint64        sl_timeline_painter_y_to_time            (SlTimelinePainter *self,
                                                        double             y);
double        sl_timeline_painter_to_display           (SlTimelinePainter *self,
                                                        gint64             ts);
gint64        sl_timeline_painter_from_display         (SlTimelinePainter *self,
                                                        double             display);
guint         sl_timeline_painter_get_n_breaks         (SlTimelinePainter *self);
void          sl_timeline_painter_get_plot_area        (SlTimelinePainter *self,
                                                        double            *top,
                                                        double            *bottom);
/* The width of the gutter's times at the left: no label reaches into it */
double        sl_timeline_painter_get_gutter_width     (SlTimelinePainter *self);

/* Geometry, for tests, exports and keyboard focus */
guint         sl_timeline_painter_get_n_columns        (SlTimelinePainter *self);
const char   *sl_timeline_painter_get_column_title     (SlTimelinePainter *self,
                                                        guint              column);
double        sl_timeline_painter_get_column_x         (SlTimelinePainter *self,
                                                        guint              column);
/* Where a column's header line is drawn (@line 0 its title, 1 its address):
 * its rectangle, and whether it had to be shortened; FALSE when the column
 * has no such line */
gboolean      sl_timeline_painter_get_header_line      (SlTimelinePainter *self,
                                                        guint              column,
                                                        guint              line,
                                                        double            *x,
                                                        double            *y,
                                                        double            *width,
                                                        double            *height,
                                                        gboolean          *shortened);
/* The actor a column draws, G_MAXUINT for an address's column (no calls) */
guint         sl_timeline_painter_get_column_actor     (SlTimelinePainter *self,
                                                        guint              column);
gboolean      sl_timeline_painter_get_socket_x         (SlTimelinePainter *self,
                                                        guint32            socket,
                                                        double            *x);
gboolean      sl_timeline_painter_get_endpoint_x       (SlTimelinePainter *self,
                                                        guint32            endpoint,
                                                        double            *x);
guint8        sl_timeline_painter_get_socket_state     (SlTimelinePainter *self,
                                                        guint32            socket,
                                                        gint64             ts,
                                                        double            *x,
                                                        gboolean          *derived);
gboolean      sl_timeline_painter_get_call_rect        (SlTimelinePainter *self,
                                                        guint              call,
                                                        cairo_rectangle_t *rect);
gboolean      sl_timeline_painter_get_packet_line      (SlTimelinePainter *self,
                                                        guint              packet,
                                                        double            *x0,
                                                        double            *y0,
                                                        double            *x1,
                                                        double            *y1);
SlRgb         sl_timeline_painter_get_packet_color     (SlTimelinePainter *self,
                                                        guint              packet);
const SlPalette *sl_timeline_painter_get_palette       (SlTimelinePainter *self);

/* The call label (durations, bytes, fd sets: netcore/nc-format.h) */
void          sl_format_call_label                     (const NcCall      *call,
                                                        gint64             now,
                                                        GString           *name,
                                                        GString           *result);

G_END_DECLS
