/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-timeline-painter-private.h: what the painter's files share. The
 * painter is split by what each part depends on, so a frame does only the
 * last part:
 *
 *   model layout   sl-painter-model.c, sl-painter-states.c: columns, lanes,
 *                  routes, TCP-state segments: O(packets), once per change
 *                  of the recording;
 *   axis           SlTimelineAxis (sl-time-axis.c, sl-sequence-axis.c):
 *                  where each event is drawn, in display units;
 *   geometry       sl-painter-model.c: x of columns and lanes (width, type size);
 *   frame          one file per layer (sl-painter-grid.c, -lanes.c, -calls.c,
 *                  -packets.c), only what is visible: calls by binary search
 *                  per column, packets per pixel row, each searched forward
 *                  from the row above.
 */
#pragma once

#include <pango/pangocairo.h>

#include "sl-timeline-axis.h"
#include "sl-timeline-painter.h"

G_BEGIN_DECLS

/* Linux TCP state numbers (include/net/tcp_states.h) */
enum
{
  TS_NONE,
  TS_ESTABLISHED,
  TS_SYN_SENT,
  TS_SYN_RECV,
  TS_FIN_WAIT1,
  TS_FIN_WAIT2,
  TS_TIME_WAIT,
  TS_CLOSE,
  TS_CLOSE_WAIT,
  TS_LAST_ACK,
  TS_LISTEN,
  TS_CLOSING,
  TS_NEW_SYN_RECV,
  TS_N
};

#define NO_LANE     G_MAXUINT32
#define NO_ROUTE    G_MAXUINT16
#define BLOCK_SHIFT 6   /* route masks per 64 packets */
#define ROW_PX      2.0 /* pixel rows per density bucket */
/* Single arrows while they are at least this many pixels apart on average;
 * denser than that they are a hatch anyway, and drawn as density bands. */
#define MIN_ARROW_SPACING 4.0
#define DEFAULT_COLUMNS   8 /* endpoint columns before "others" */
#ifndef STROKE_BATCH
#define STROKE_BATCH 8 /* arrow lines per cairo_stroke (): bounds the union cost */
#endif

typedef struct
{
  gint64 t0;
  gint64 t1; /* 0: until the lane ends */
  guint8 state;
} StateSeg;

/* Calls in start order, with what a frame needs to find the visible ones
 * by binary search and to skip those sharing a pixel row. */
typedef struct
{
  GArray *ids;     /* guint32 call ids */
  GArray *starts;  /* gint64 ts_start */
  GArray *max_end; /* gint64: the latest end among ids[0..i] (sorted) */
} CallList;

typedef struct
{
  guint32  socket;   /* CapSocket id, or CAP_NONE */
  guint32  endpoint; /* endpoint columns: the endpoint, else CAP_NONE */
  guint    column;
  gint32   fd;
  gint64   t_first;
  gint64   t_last; /* 0: still open */
  GArray  *states; /* StateSeg */
  CallList calls;
  gboolean derived;
  gboolean listening;
  double   x;
} Lane;

typedef struct
{
  char    *title;
  char    *subtitle;
  int      actor; /* -1 for endpoint columns */
  int      sort_key;
  guint    first_lane;
  guint    n_lanes;
  gboolean others;
  CallList calls; /* calls on no lane of their own: select() */
  double   x;
  double   x_left; /* lane group edges, boxes included */
  double   x_right;
  int      label_side; /* -1: labels left of the lanes, +1: right */
  double   label_room;
  int      row_label_side; /* label_side, on the Sequence axis */
  double   row_label_room; /* the room on the Sequence axis */
} Column;

typedef struct
{
  guint32 from;
  guint32 to;
  guint8  color;
} Route;

typedef struct
{
  double x0, y0, x1, y1;
  guint  index;
} HitItem;

typedef struct
{
  double y0, y1;
  guint  i0, i1;
} HitRow;

typedef struct
{
  float   y0;
  float   y1;
  guint16 route;
  guint8  level;
} AggSeg;

/* The density bands of the last dense frame (agg, and the rows for hit
 * testing), kept while the range, the plot and the layout stay: playback,
 * hovering and selecting redraw the same range, and need not count a
 * million packets again (sl-painter-packets.c). */
typedef struct
{
  gboolean valid;
  double   d0, px_per_unit, top, bottom;
  GArray  *rows; /* HitRow */
  guint    n_packets;
} DenseCache;

/* How a label is drawn, as it was measured */
typedef struct
{
  PangoLayout *layout;  /* from label_layouts, shaped when measured */
  gboolean     leader;  /* led out of a crowd: a line back to ax, ay */
  gboolean     outline; /* over a lane: haloed letter by letter, not boxed */
  gboolean     beside;  /* a call's result on its name's line: moves with it */
  double       ax, ay;
} LabelStyle;

struct _SlTimelinePainter
{
  GObject parent_instance;

  CapRecording *recording;

  /* model layout */
  gboolean        layout_valid;
  gboolean        has_calls;
  GArray         *columns;      /* Column */
  GArray         *lanes;        /* Lane */
  GArray         *routes;       /* Route */
  guint16        *packet_route; /* per packet */
  guint64        *block_mask;   /* per 64 packets */
  guint           n_routed;
  guint32        *call_lane; /* per call */
  guint           n_call_lane;
  guint32        *socket_lane; /* per socket */
  guint           n_socket_lane;
  SlTimelineAxis *axis;   /* where each event and instant is drawn */
  gint64          origin; /* recording start */
  gint64          rec_end;
  guint8          states_used[TS_N];
  gboolean        any_kernel_states;
  gboolean        any_derived_states;
  guint           n_unplaced;

  /* view */
  int             width;
  int             height;
  gint64          begin;
  gint64          end;
  gboolean        page;       /* a page of a longer export: exact display range */
  double          page_d0;    /* its display range, when page */
  double          page_d1;
  gint64          playhead;
  SlSelectionKind sel_kind;
  guint           sel_index;
  guint            current_call;  /* the call a step just released, or CAP_NONE */
  SlTheme         theme;
  double          scale;
  gboolean        show_playhead;
  guint           max_columns;
  GArray         *conv_filter; /* guint32 conversation ids, or NULL: the busiest */

  /* geometry */
  gboolean geometry_valid;
  double   top;
  double           header_title_y;    /* the column titles' top, then the addresses' */
  double           header_subtitle_y; /* below them, from the fonts' real line heights */
  guint            header_rows;       /* 2: every other column's header a step lower */
  double           header_row_h;      /* that step: a title and its address */
  double   bottom;
  double   gutter;
  double   box_w;
  double   band_w;
  double   slant;
  double   line_h;
  double           row_h;

  /* frame */
  PangoContext         *pango;
  PangoLayout          *layout;
  PangoFontDescription *font;
  PangoFontDescription *font_bold;
  PangoFontDescription *font_small;
  PangoFontDescription *font_title;
  GHashTable           *hl_calls;
  GHashTable           *hl_packets;
  gboolean              hl_valid;
  GArray               *hit_calls;   /* HitItem */
  GArray               *hit_packets; /* HitItem: the arrow's ends */
  GArray               *hit_rows;    /* HitRow */
  GArray               *agg;         /* AggSeg: the bands of dense */
  DenseCache            dense;
  GArray               *plain_boxes; /* PlainBox, reused */
  GArray          *labels;        /* SlTimelineLabel, the last layout's */
  GArray          *label_styles;  /* LabelStyle, one per label */
  GStringChunk    *label_text;
  GPtrArray       *label_layouts; /* PangoLayout, a pool reused every frame */
  GHashTable           *text_cache;    /* "font width ellipsize text" -> PangoLayout, shaped */
  GHashTable           *text_seen;     /* the same keys, drawn once so far */
  SlTimelineStats       stats;
  gboolean              profiling; /* time each layer into stats.layer_ms */
};

typedef struct
{
  guint32    *endpoint_lane; /* per endpoint */
  GHashTable *port_lane;     /* family << 16 | port -> lane + 1: wildcard binds */
  guint32    *conv_lane;     /* per conversation, [2]: side a, side b */
  guint       n_conv;
} LaneMaps;

typedef struct
{
  double           d0; /* display units at the top of the plot */
  double           px_per_unit;
  double   slant; /* how much lower an arrow\'s head is than its tail, px */
  double           play_y;
  gboolean         fade; /* the playhead is before the end: the future is faint */
  gint64           now;
  const SlPalette *pal;
} Frame;

typedef struct
{
  double   x0, y0, x1, y1;
  gboolean future;
} PlainBox;

/* sl-painter-model.c */
void    sl_painter_call_list_init (CallList *list);
void    sl_painter_call_list_finish (CallList *list, CapRecording *rec);
void    sl_painter_column_clear (gpointer data);
void    sl_painter_lane_clear (gpointer data);
int     sl_painter_compare_gint64 (gconstpointer a, gconstpointer b);
gint64  sl_painter_call_end_or_max (const NcCall *c);
guint32 sl_painter_lane_at (SlTimelinePainter *self, guint column, gint32 fd, gint64 ts);
void    sl_painter_clear_layout (SlTimelinePainter *self);
void    sl_painter_ensure_layout (SlTimelinePainter *self);
void    sl_painter_ensure_geometry (SlTimelinePainter *self);
double  sl_painter_plot_bottom     (SlTimelinePainter *self);

guint    sl_painter_call_list_first_visible (const CallList *list,
                                             gint64          ts);
guint    sl_painter_call_list_first_from    (const CallList *list,
                                             gint64          ts);
guint    sl_painter_call_list_next_from     (const CallList *list,
                                             gint64          ts,
                                             guint           from);
void     sl_painter_visible_packets  (SlTimelinePainter *self,
                                      const Frame       *f,
                                      guint             *i0,
                                      guint             *i1);

/* sl-painter-labels.c */
void     sl_painter_layout_labels    (SlTimelinePainter *self,
                                      const Frame       *f);
void     sl_painter_draw_labels      (SlTimelinePainter *self,
                                      cairo_t           *cr,
                                      const Frame       *f);

/* sl-time-axis.c, shared with the Sequence axis and the gutter */
gint64   sl_painter_nice_step        (double             raw);
GArray  *sl_painter_gate_intervals   (CapRecording      *rec);

/* sl-painter-states.c */
void sl_painter_build_states (SlTimelinePainter *self, const LaneMaps *maps);

/* sl-painter-text.c */
void sl_painter_packet_label (SlTimelinePainter *self, guint index, GString *out);

/* sl-painter-wrap.c */
gboolean    sl_painter_measure_label (PangoLayout          *layout,
                                      PangoFontDescription *font,
                                      const char           *text,
                                      double                max_w,
                                      double               *w,
                                      double               *h);
const char *sl_painter_label_lines (SlTimelinePainter *self, PangoLayout *layout, const char *text);

/* sl-timeline-painter.c: the frame */
void   sl_painter_frame_init (SlTimelinePainter *self, Frame *f);
double sl_painter_frame_y (SlTimelinePainter *self, const Frame *f, gint64 ts);
double sl_painter_event_y (SlTimelinePainter *self, const Frame *f, SlAxisEvent event, guint index);
gint64 sl_painter_y_to_time_frame (SlTimelinePainter *self, const Frame *f, double y);
double sl_painter_plot_end (SlTimelinePainter *self, const Frame *f);
void   sl_painter_show_text (SlTimelinePainter    *self,
                             cairo_t              *cr,
                             PangoFontDescription *font,
                             const char           *text,
                             double                x,
                             double                y,
                             double                align,
                             double                max_width,
                             double               *out_w);
void   sl_painter_text_size (SlTimelinePainter    *self,
                             PangoFontDescription *font,
                             const char           *text,
                             int                  *w,
                             int                  *h);
void   sl_painter_rounded_rect (cairo_t *cr, double x, double y, double w, double h, double r);

/* the layers, in drawing order */
void sl_painter_draw_axis (SlTimelinePainter *self, cairo_t *cr, const Frame *f);
gboolean sl_painter_header_line (SlTimelinePainter     *self,
                                 guint                  ci,
                                 guint                  line,
                                 PangoFontDescription **font,
                                 const char           **text,
                                 double                *x,
                                 double                *max_w);
void sl_painter_draw_headers (SlTimelinePainter *self, cairo_t *cr, const Frame *f);
double sl_painter_header_line_y (SlTimelinePainter *self, guint ci, guint line);
void   sl_painter_stagger_headers (SlTimelinePainter *self);
void sl_painter_draw_lanes (SlTimelinePainter *self, cairo_t *cr, const Frame *f);
void sl_painter_draw_packets (SlTimelinePainter *self, cairo_t *cr, const Frame *f);
void sl_painter_draw_calls (SlTimelinePainter *self, cairo_t *cr, const Frame *f);
void sl_painter_draw_breaks (SlTimelinePainter *self, cairo_t *cr, const Frame *f);
void sl_painter_draw_playhead (SlTimelinePainter *self, cairo_t *cr, const Frame *f);
void sl_painter_draw_legend (SlTimelinePainter *self, cairo_t *cr, const Frame *f);

/* geometry shared by the layers and hit testing */
void     sl_painter_call_rect (SlTimelinePainter *self,
                               const Frame       *f,
                               const NcCall      *c,
                               guint              id,
                               double            *x0,
                               double            *x1,
                               double            *y0,
                               double            *y1);
gboolean sl_painter_packet_line (SlTimelinePainter *self,
                                 const Frame       *f,
                                 guint              index,
                                 double            *x0,
                                 double            *y0,
                                 double            *x1,
                                 double            *y1);

G_END_DECLS
