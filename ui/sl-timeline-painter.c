/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-timeline-painter.c: the ladder diagram, drawn with cairo and pango:
 * the object, its frame (what a draw shares between layers), drawing in
 * layer order, hit testing and geometry queries. The parts live beside it
 * (see sl-timeline-painter-private.h for the map).
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sl-timeline-painter-private.h"
#include "sl-id-set.h"

#include <math.h>
#include <string.h>
#include <time.h>

G_DEFINE_FINAL_TYPE (SlTimelinePainter, sl_timeline_painter, G_TYPE_OBJECT)

double
sl_painter_frame_y (SlTimelinePainter *self, const Frame *f, gint64 ts)
{
  return self->top + (sl_timeline_axis_to_display (self->axis, ts) - f->d0) * f->px_per_unit;
}

/* Where the layers draw an event: its row on the Sequence axis, its time on
 * the Time axis. */
double
sl_painter_event_y (SlTimelinePainter *self, const Frame *f, SlAxisEvent event, guint index)
{
  return self->top +
         (sl_timeline_axis_event_to_display (self->axis, event, index) - f->d0) * f->px_per_unit;
}

void
sl_painter_frame_init (SlTimelinePainter *self, Frame *f)
{
  double d1;

  sl_painter_ensure_geometry (self);
  f->pal = sl_palette_get (self->theme);
  if (self->page)
    {
      /* a page: at the axis's natural scale from its top, drawn down to its cut */
      f->d0 = self->page_d0;
      f->px_per_unit = MAX (sl_timeline_axis_get_natural_px_per_unit (self->axis), 1e-9);
    }
  else
    {
      f->d0 = sl_timeline_axis_to_display (self->axis, self->begin);
      d1 = sl_timeline_axis_to_display (self->axis, self->end);
      f->px_per_unit = (self->bottom - self->top) / MAX (d1 - f->d0, 1.0);
    }
  /* rows: the head reaches the receiver one row lower, at any zoom */
  f->slant = sl_timeline_axis_get_natural_px_per_unit (self->axis) > 0
               ? sl_timeline_axis_get_row_height (self->axis) * f->px_per_unit
               : self->slant;
  f->now = MAX (self->rec_end, self->origin);
  f->fade = self->show_playhead && self->playhead < self->rec_end;
  f->play_y = sl_painter_frame_y (self, f, self->playhead);
}

/* Where the plot's drawing ends: its bottom, or a page's cut above it */
double
sl_painter_plot_end (SlTimelinePainter *self, const Frame *f)
{
  if (!self->page)
    return self->bottom;
  return MIN (self->top + (self->page_d1 - self->page_d0) * f->px_per_unit, self->bottom);
}

gint64
sl_painter_y_to_time_frame (SlTimelinePainter *self, const Frame *f, double y)
{
  return sl_timeline_axis_from_display (self->axis, f->d0 + (y - self->top) / f->px_per_unit);
}

/* Texts drawn or measured every frame (headers, the legend, the lanes'
 * fds, the gutter's offsets while the view stays) are shaped once: shaping is most
 * of what a short text costs. A text is kept from its second frame on (a
 * first sighting is drawn with the painter's own layout, as before: the
 * offsets of a view jumped to are seen once, and must not fill the
 * cache). Emptied when the type size changes (sl_painter_ensure_geometry)
 * and when full. */
#define TEXT_CACHE_MAX 512
static PangoLayout *
shaped_text (SlTimelinePainter    *self,
             PangoFontDescription *font,
             const char           *text,
             double                max_width)
{
  int                width = max_width > 0 ? (int) (max_width * PANGO_SCALE) : -1;
  PangoEllipsizeMode ellipsize = pango_layout_get_ellipsize (self->layout);
  g_autofree char   *key =
    g_strdup_printf ("%p %d %d %s", (gpointer) font, width, (int) ellipsize, text);
  PangoLayout *layout = g_hash_table_lookup (self->text_cache, key);

  if (layout != NULL)
    return layout;
  /* texts seen once (the gutter's offsets of views jumped to) are
   * forgotten on their own: the texts drawn every frame stay shaped */
  if (g_hash_table_size (self->text_seen) >= TEXT_CACHE_MAX)
    g_hash_table_remove_all (self->text_seen);
  if (g_hash_table_size (self->text_cache) >= TEXT_CACHE_MAX)
    {
      g_hash_table_remove_all (self->text_cache);
      g_hash_table_remove_all (self->text_seen);
    }
  if (!g_hash_table_contains (self->text_seen, key))
    {
      g_hash_table_add (self->text_seen, g_steal_pointer (&key));
      layout = self->layout;
    }
  else
    {
      layout = pango_layout_new (self->pango);
      g_hash_table_insert (self->text_cache, g_steal_pointer (&key), layout);
    }
  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, width);
  pango_layout_set_ellipsize (layout, ellipsize);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

void
sl_painter_show_text (SlTimelinePainter    *self,
                      cairo_t              *cr,
                      PangoFontDescription *font,
                      const char           *text,
                      double                x,
                      double                y,
                      double                align, /* 0 left, 0.5 centre, 1 right */
                      double                max_width,
                      double               *out_w)
{
  PangoLayout *layout = shaped_text (self, font, text, max_width);
  int          w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_move_to (cr, x - w * align, y);
  pango_cairo_show_layout (cr, layout);
  if (out_w)
    *out_w = w;
}

/* @text on one line in @font, in px: measured through the same cache, as
 * the headers and the legend measure their texts every frame */
void
sl_painter_text_size (SlTimelinePainter    *self,
                      PangoFontDescription *font,
                      const char           *text,
                      int                  *w,
                      int                  *h)
{
  pango_layout_get_pixel_size (shaped_text (self, font, text != NULL ? text : "", -1), w, h);
}

void
sl_painter_rounded_rect (cairo_t *cr, double x, double y, double w, double h, double r)
{
  r = MIN (r, MIN (w, h) / 2);
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - r, y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, x + w - r, y + h - r, r, 0, G_PI / 2);
  cairo_arc (cr, x + r, y + h - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

static void
ensure_highlight (SlTimelinePainter *self)
{
  const CapLink *links;
  guint          n = 0;

  if (self->hl_valid)
    return;
  self->hl_valid = TRUE;
  g_hash_table_remove_all (self->hl_calls);
  g_hash_table_remove_all (self->hl_packets);
  if (self->recording == NULL)
    return;

  if (self->sel_kind == SL_SELECTION_CALL &&
      self->sel_index < cap_recording_get_n_calls (self->recording))
    {
      g_hash_table_add (self->hl_calls, GUINT_TO_POINTER (self->sel_index));
      links = cap_recording_get_call_links (self->recording, self->sel_index, &n);
      for (guint i = 0; i < n; i++)
        g_hash_table_add (self->hl_packets, GUINT_TO_POINTER (links[i].packet));
    }
  else if (self->sel_kind == SL_SELECTION_PACKET &&
           self->sel_index < cap_recording_get_n_packets (self->recording))
    {
      g_hash_table_add (self->hl_packets, GUINT_TO_POINTER (self->sel_index));
      links = cap_recording_get_packet_links (self->recording, self->sel_index, &n);
      for (guint i = 0; i < n; i++)
        g_hash_table_add (self->hl_calls, GUINT_TO_POINTER (links[i].call));
    }
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                   */

static void
sl_timeline_painter_finalize (GObject *object)
{
  SlTimelinePainter *self = SL_TIMELINE_PAINTER (object);

  sl_painter_clear_layout (self);
  g_clear_object (&self->recording);
  g_clear_pointer (&self->conv_filter, g_array_unref);
  g_clear_pointer (&self->columns, g_array_unref);
  g_clear_pointer (&self->lanes, g_array_unref);
  g_clear_pointer (&self->routes, g_array_unref);
  g_clear_object (&self->axis);
  g_clear_pointer (&self->labels, g_array_unref);
  g_clear_pointer (&self->label_styles, g_array_unref);
  g_clear_pointer (&self->label_text, g_string_chunk_free);
  g_clear_pointer (&self->label_layouts, g_ptr_array_unref);
  g_clear_pointer (&self->text_cache, g_hash_table_unref);
  g_clear_pointer (&self->text_seen, g_hash_table_unref);
  g_clear_pointer (&self->hit_calls, g_array_unref);
  g_clear_pointer (&self->hit_packets, g_array_unref);
  g_clear_pointer (&self->hit_rows, g_array_unref);
  g_clear_pointer (&self->agg, g_array_unref);
  g_clear_pointer (&self->dense.rows, g_array_unref);
  g_clear_pointer (&self->plain_boxes, g_array_unref);
  g_clear_pointer (&self->hl_calls, g_hash_table_unref);
  g_clear_pointer (&self->hl_packets, g_hash_table_unref);
  g_clear_object (&self->layout);
  g_clear_object (&self->pango);
  g_clear_pointer (&self->font, pango_font_description_free);
  g_clear_pointer (&self->font_bold, pango_font_description_free);
  g_clear_pointer (&self->font_small, pango_font_description_free);
  g_clear_pointer (&self->font_title, pango_font_description_free);

  G_OBJECT_CLASS (sl_timeline_painter_parent_class)->finalize (object);
}

static void
sl_timeline_painter_class_init (SlTimelinePainterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = sl_timeline_painter_finalize;
}

static void
sl_timeline_painter_init (SlTimelinePainter *self)
{
  cairo_font_options_t *options;

  self->columns = g_array_new (FALSE, TRUE, sizeof (Column));
  g_array_set_clear_func (self->columns, sl_painter_column_clear);
  self->lanes = g_array_new (FALSE, TRUE, sizeof (Lane));
  g_array_set_clear_func (self->lanes, sl_painter_lane_clear);
  self->routes = g_array_new (FALSE, TRUE, sizeof (Route));
  self->axis = sl_timeline_axis_new_for_layout (SL_TIMELINE_LAYOUT_SEQUENCE);
  self->hit_calls = g_array_new (FALSE, FALSE, sizeof (HitItem));
  self->hit_packets = g_array_new (FALSE, FALSE, sizeof (HitItem));
  self->hit_rows = g_array_new (FALSE, FALSE, sizeof (HitRow));
  self->agg = g_array_new (FALSE, FALSE, sizeof (AggSeg));
  self->dense.rows = g_array_new (FALSE, FALSE, sizeof (HitRow));
  self->plain_boxes = g_array_new (FALSE, FALSE, sizeof (PlainBox));
  self->labels = g_array_new (FALSE, FALSE, sizeof (SlTimelineLabel));
  self->label_styles = g_array_new (FALSE, FALSE, sizeof (LabelStyle));
  self->label_text = g_string_chunk_new (4096);
  self->label_layouts = g_ptr_array_new_with_free_func (g_object_unref);
  self->text_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->text_seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->hl_calls = g_hash_table_new (NULL, NULL);
  self->hl_packets = g_hash_table_new (NULL, NULL);

  self->width = 800;
  self->height = 600;
  self->scale = 1.0;
  self->show_playhead = TRUE;
  self->current_call = CAP_NONE;
  self->theme = SL_THEME_LIGHT;

  /* one context and one layout for every label, on every surface */
  self->pango = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  options = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_antialias (options, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options (self->pango, options);
  cairo_font_options_destroy (options);
  self->layout = pango_layout_new (self->pango);
  self->font = pango_font_description_from_string ("Sans");
  self->font_bold = pango_font_description_from_string ("Sans Bold");
  self->font_small = pango_font_description_from_string ("Sans");
  self->font_title = pango_font_description_from_string ("Sans Bold");
}

/* ------------------------------------------------------------------------ */
/* Public API                                                                */

SlTimelinePainter *
sl_timeline_painter_new (void)
{
  return g_object_new (SL_TYPE_TIMELINE_PAINTER, NULL);
}

void
sl_timeline_painter_set_recording (SlTimelinePainter *self, CapRecording *recording)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));
  g_return_if_fail (recording == NULL || CAP_IS_RECORDING (recording));

  if (g_set_object (&self->recording, recording))
    sl_timeline_painter_invalidate (self);
}

CapRecording *
sl_timeline_painter_get_recording (SlTimelinePainter *self)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), NULL);
  return self->recording;
}

/**
 * sl_timeline_painter_invalidate:
 *
 * The recording's content changed: the layout is rebuilt before the next
 * draw (O(packets), so call it once per batch, not per packet).
 */
void
sl_timeline_painter_invalidate (SlTimelinePainter *self)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));

  self->layout_valid = FALSE;
  self->geometry_valid = FALSE;
  self->hl_valid = FALSE;
}

void
sl_timeline_painter_set_size (SlTimelinePainter *self, int width, int height)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));

  width = MAX (width, 1);
  height = MAX (height, 1);
  if (self->width == width && self->height == height)
    return;
  /* A new height moves only the plot's bottom: the columns, their labels'
   * room and the shaped texts stay (measuring them is most of what the
   * geometry costs, and an export sets the height twice before drawing) */
  if (self->width == width && self->geometry_valid)
    {
      self->height = height;
      self->bottom = sl_painter_plot_bottom (self);
      self->dense.valid = FALSE;
      return;
    }
  self->width = width;
  self->height = height;
  self->geometry_valid = FALSE;
}

void
sl_timeline_painter_set_range (SlTimelinePainter *self, gint64 begin, gint64 end)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));

  self->begin = MIN (begin, end);
  self->end = MAX (end, begin + 1);
  self->page = FALSE;
}

/**
 * sl_timeline_painter_set_page:
 * @d0: the display position at the plot's top
 * @d1: where the page is cut: nothing below it is drawn
 *
 * Shows [@d0, @d1) of an axis with a natural scale (Sequence), at that
 * scale from the plot's top, as one page of an export cut into pages: a
 * label is drawn on the page its centre falls on, so each appears on
 * exactly one page of a set whose ranges meet end to end. Cut between two
 * rows' bands, no row's labels are cut (two rows with the same time can
 * be parted, which a time range cannot do). Setting a range leaves page
 * mode.
 */
void
sl_timeline_painter_set_page (SlTimelinePainter *self, double d0, double d1)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));
  g_return_if_fail (d1 > d0);

  /* the time range only selects what is worth drawing: a little wider */
  sl_timeline_painter_set_range (self, sl_timeline_axis_from_display (self->axis, d0) - 1,
                                 sl_timeline_axis_from_display (self->axis, d1) + 1);
  self->page = TRUE;
  self->page_d0 = d0;
  self->page_d1 = d1;
}

void
sl_timeline_painter_set_playhead (SlTimelinePainter *self, gint64 ts)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));
  self->playhead = ts;
}

void
sl_timeline_painter_set_selection (SlTimelinePainter *self, SlSelectionKind kind, guint index)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));

  if (self->sel_kind == kind && self->sel_index == index)
    return;
  self->sel_kind = kind;
  self->sel_index = index;
  self->hl_valid = FALSE;
}

/**
 * sl_timeline_painter_set_current_call:
 * @call: a call id, or CAP_NONE
 *
 * Step mode: the call the last step released, drawn highlighted like a
 * selection (and its label in full), whatever is selected.
 */
void
sl_timeline_painter_set_current_call (SlTimelinePainter *self, guint call)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));
  self->current_call = call;
}

void
sl_timeline_painter_set_theme (SlTimelinePainter *self, SlTheme theme)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));
  self->theme = theme;
}

/**
 * sl_timeline_painter_set_text_scale:
 *
 * Scales type, boxes and lines together: 1.0 on a desktop, 1.5 or more on
 * a projector.
 */
void
sl_timeline_painter_set_text_scale (SlTimelinePainter *self, double scale)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));

  scale = CLAMP (scale, 0.5, 4.0);
  if (self->scale == scale)
    return;
  self->scale = scale;
  self->geometry_valid = FALSE;
}

void
sl_timeline_painter_set_show_playhead (SlTimelinePainter *self, gboolean show)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));
  self->show_playhead = !!show;
}

/**
 * sl_timeline_painter_set_max_columns:
 *
 * For a capture without calls: how many endpoints get their own column
 * before the rest are drawn as "others" (0: the default, 8).
 */
void
sl_timeline_painter_set_max_columns (SlTimelinePainter *self, guint max_columns)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));

  if (self->max_columns == max_columns)
    return;
  self->max_columns = max_columns;
  sl_timeline_painter_invalidate (self);
}

/**
 * sl_timeline_painter_set_layout:
 *
 * Sequence (a row per event, the default) or Time (real time).
 */
void
sl_timeline_painter_set_layout (SlTimelinePainter *self, SlTimelineLayout layout)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));

  if (sl_timeline_axis_get_layout (self->axis) == layout)
    return;
  g_clear_object (&self->axis);
  self->axis = sl_timeline_axis_new_for_layout (layout);
  sl_timeline_painter_invalidate (self);
}

SlTimelineLayout
sl_timeline_painter_get_layout (SlTimelinePainter *self)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), SL_TIMELINE_LAYOUT_SEQUENCE);
  return sl_timeline_axis_get_layout (self->axis);
}

/**
 * sl_timeline_painter_get_axis:
 *
 * Returns: (transfer none): the axis the layers draw on, built for the
 *   current recording and type size
 */
SlTimelineAxis *
sl_timeline_painter_get_axis (SlTimelinePainter *self)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), NULL);
  sl_painter_ensure_geometry (self);
  return self->axis;
}

/**
 * sl_timeline_painter_get_natural_height:
 *
 * The height that shows the whole recording at the axis's natural zoom
 * (Sequence: every row at the size of its labels), header and legend
 * included; 0 for an axis that fits any height (Time).
 */
double
sl_timeline_painter_get_natural_height (SlTimelinePainter *self)
{
  double natural;

  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), 0);
  sl_painter_ensure_geometry (self);
  natural = sl_timeline_axis_get_natural_px_per_unit (self->axis);
  if (natural <= 0)
    return 0;
  return self->top + sl_timeline_axis_get_end (self->axis) * natural +
         (self->height - self->bottom) + self->row_h;
}

/**
 * sl_timeline_painter_set_conversation_filter:
 * @ids: (array length=n_ids) (nullable): conversation ids, or %NULL
 * @n_ids: how many
 *
 * For a capture without calls: the endpoints of exactly these
 * conversations are columns, and every other endpoint is drawn in
 * "others" (max_columns does not apply). %NULL goes back to the busiest
 * conversations; an empty, non-%NULL list leaves only "others". Ids the
 * recording lacks are ignored. A recording with calls has actors as its
 * columns and ignores the filter.
 */
void
sl_timeline_painter_set_conversation_filter (SlTimelinePainter *self,
                                             const guint32     *ids,
                                             guint              n_ids)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));
  g_return_if_fail (ids != NULL || n_ids == 0);

  /* Kept sorted: columns come in the order the conversations were first seen */
  if (!sl_id_set_replace (&self->conv_filter, ids, n_ids))
    return;
  sl_timeline_painter_invalidate (self);
}

/**
 * sl_timeline_painter_draw:
 *
 * Draws the current range over the whole width x height of @cr's user
 * space, background included, and remembers what went where for
 * sl_timeline_painter_hit ().
 */
/* CPU time of the calling thread, for sl_timeline_painter_set_profiling () */
static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Adds the CPU time since the last lap to @layer's, when profiling */
static void
profile_lap (SlTimelinePainter *self, SlTimelineLayer layer, double *t)
{
  double now;

  if (!self->profiling)
    return;
  now = thread_cpu_ms ();
  self->stats.layer_ms[layer] += now - *t;
  *t = now;
}

void
sl_timeline_painter_draw (SlTimelinePainter *self, cairo_t *cr)
{
  Frame  f;
  double t = 0;

  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));
  g_return_if_fail (cr != NULL);

  if (self->profiling)
    t = thread_cpu_ms ();
  memset (&self->stats, 0, sizeof self->stats);
  g_array_set_size (self->hit_calls, 0);
  g_array_set_size (self->hit_packets, 0);
  g_array_set_size (self->hit_rows, 0);

  sl_painter_frame_init (self, &f);
  ensure_highlight (self);
  pango_cairo_update_layout (cr, self->layout);

  cairo_save (cr);
  sl_palette_set_source (cr, &f.pal->background, 1);
  cairo_paint (cr);

  if (self->recording == NULL || self->columns->len == 0)
    {
      sl_palette_set_source (cr, &f.pal->dim, 1);
      sl_painter_show_text (self, cr, self->font_title,
                            self->recording ? _("Nothing recorded yet") : _("No recording"),
                            self->width / 2.0, self->height / 2.0 - self->line_h, 0.5, -1, NULL);
      cairo_restore (cr);
      return;
    }

  self->stats.n_columns = self->columns->len;
  self->stats.n_lanes = self->lanes->len;
  profile_lap (self, SL_TIMELINE_LAYER_SETUP, &t);

  /* a page shows nothing below its cut: the next page has it */
  cairo_save (cr);
  if (self->page)
    {
      cairo_rectangle (cr, 0, 0, self->width, sl_painter_plot_end (self, &f));
      cairo_clip (cr);
    }
  sl_painter_draw_axis (self, cr, &f);
  cairo_restore (cr);
  profile_lap (self, SL_TIMELINE_LAYER_AXIS, &t);
  sl_painter_draw_headers (self, cr, &f);
  profile_lap (self, SL_TIMELINE_LAYER_HEADERS, &t);

  cairo_save (cr);
  cairo_rectangle (cr, 0, self->top - self->line_h - 4 * self->scale, self->width,
                   self->page ? sl_painter_plot_end (self, &f) - self->top + self->line_h +
                                  4 * self->scale
                              : self->bottom - self->top + self->line_h + 8 * self->scale);
  cairo_clip (cr);
  sl_painter_draw_lanes (self, cr, &f);
  profile_lap (self, SL_TIMELINE_LAYER_LANES, &t);
  sl_painter_draw_packets (self, cr, &f);
  profile_lap (self, SL_TIMELINE_LAYER_PACKETS, &t);
  sl_painter_draw_calls (self, cr, &f);
  profile_lap (self, SL_TIMELINE_LAYER_CALLS, &t);
  sl_painter_draw_breaks (self, cr, &f);
  profile_lap (self, SL_TIMELINE_LAYER_BREAKS, &t);
  sl_painter_layout_labels (self, &f);
  profile_lap (self, SL_TIMELINE_LAYER_LABEL_LAYOUT, &t);
  sl_painter_draw_labels (self, cr, &f);
  profile_lap (self, SL_TIMELINE_LAYER_LABELS, &t);
  sl_painter_draw_playhead (self, cr, &f);
  cairo_restore (cr);
  profile_lap (self, SL_TIMELINE_LAYER_PLAYHEAD, &t);

  sl_painter_draw_legend (self, cr, &f);
  cairo_restore (cr);
  profile_lap (self, SL_TIMELINE_LAYER_LEGEND, &t);
}

/**
 * sl_timeline_painter_set_profiling:
 * @profiling: whether each draw times its layers
 *
 * When set, each draw adds the CPU time of each layer to the stats'
 * layer_ms (for benchmarks: a dozen clock reads a frame).
 */
void
sl_timeline_painter_set_profiling (SlTimelinePainter *self, gboolean profiling)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));
  self->profiling = !!profiling;
}

/**
 * sl_timeline_painter_layout:
 *
 * Lays out the current range as the next draw will, without drawing: the
 * labels' rectangles (sl_timeline_painter_get_labels ()) and the stats'
 * label counts. Needs no cairo context.
 */
void
sl_timeline_painter_layout (SlTimelinePainter *self)
{
  Frame f;

  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));
  sl_painter_frame_init (self, &f);
  ensure_highlight (self);
  sl_painter_layout_labels (self, &f);
}

/**
 * sl_timeline_painter_get_labels:
 * @n_labels: (out): how many
 *
 * Returns: (array length=n_labels): the labels the last layout or draw
 *   placed, top to bottom; valid until the next one
 */
const SlTimelineLabel *
sl_timeline_painter_get_labels (SlTimelinePainter *self, guint *n_labels)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), NULL);
  *n_labels = self->labels->len;
  return (const SlTimelineLabel *) (gpointer) self->labels->data;
}

void
sl_timeline_painter_get_stats (SlTimelinePainter *self, SlTimelineStats *stats)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));
  *stats = self->stats;
}

static double
segment_distance (const HitItem *h, double x, double y)
{
  double dx = h->x1 - h->x0, dy = h->y1 - h->y0;
  double len2 = dx * dx + dy * dy;
  double t = len2 > 0 ? ((x - h->x0) * dx + (y - h->y0) * dy) / len2 : 0;

  t = CLAMP (t, 0, 1);
  return hypot (x - (h->x0 + t * dx), y - (h->y0 + t * dy));
}

/**
 * sl_timeline_painter_hit:
 *
 * Which call or packet is at (@x, @y) in the last frame drawn: a call box
 * (with a few pixels of slack), else the nearest arrow within a few pixels,
 * else, where packets were drawn as density, the first packet of that row.
 */
gboolean
sl_timeline_painter_hit (SlTimelinePainter *self,
                         double             x,
                         double             y,
                         SlSelectionKind   *kind,
                         guint             *index)
{
  double   slack = 3 * self->scale;
  double   best = 7 * self->scale;
  gboolean found = FALSE;

  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), FALSE);

  for (guint i = self->hit_calls->len; i > 0; i--)
    {
      const HitItem *h = &g_array_index (self->hit_calls, HitItem, i - 1);
      if (x >= h->x0 - slack && x <= h->x1 + slack && y >= h->y0 - slack && y <= h->y1 + slack)
        {
          *kind = SL_SELECTION_CALL;
          *index = h->index;
          return TRUE;
        }
    }
  for (guint i = 0; i < self->hit_packets->len; i++)
    {
      const HitItem *h = &g_array_index (self->hit_packets, HitItem, i);
      double         d = segment_distance (h, x, y);
      if (d < best)
        {
          best = d;
          *kind = SL_SELECTION_PACKET;
          *index = h->index;
          found = TRUE;
        }
    }
  if (found)
    return TRUE;
  for (guint i = 0; i < self->hit_rows->len; i++)
    {
      const HitRow *r = &g_array_index (self->hit_rows, HitRow, i);
      if (y >= r->y0 - slack && y < r->y1 + slack && r->i1 > r->i0 && x > self->gutter)
        {
          *kind = SL_SELECTION_PACKET;
          *index = r->i0;
          return TRUE;
        }
    }
  return FALSE;
}

double
sl_timeline_painter_time_to_y (SlTimelinePainter *self, gint64 ts)
{
  Frame f;

  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), 0);
  sl_painter_frame_init (self, &f);
  return sl_painter_frame_y (self, &f, ts);
}

gint64
sl_timeline_painter_y_to_time (SlTimelinePainter *self, double y)
{
  Frame f;

  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), 0);
  sl_painter_frame_init (self, &f);
  return sl_timeline_axis_from_display (self->axis, f.d0 + (y - self->top) / f.px_per_unit);
}

/**
 * sl_timeline_painter_to_display:
 *
 * Real time (ns, absolute) to display time (ns from the start, gate waits
 * collapsed). Zoom and pan in display time so a break does not stretch.
 */
double
sl_timeline_painter_to_display (SlTimelinePainter *self, gint64 ts)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), 0);
  sl_painter_ensure_layout (self);
  return sl_timeline_axis_to_display (self->axis, ts);
}

gint64
sl_timeline_painter_from_display (SlTimelinePainter *self, double display)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), 0);
  sl_painter_ensure_layout (self);
  return sl_timeline_axis_from_display (self->axis, display);
}

guint
sl_timeline_painter_get_n_breaks (SlTimelinePainter *self)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), 0);
  sl_painter_ensure_layout (self);
  return sl_timeline_axis_get_n_breaks (self->axis);
}

void
sl_timeline_painter_get_plot_area (SlTimelinePainter *self, double *top, double *bottom)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));
  sl_painter_ensure_geometry (self);
  *top = self->top;
  *bottom = self->bottom;
}

double
sl_timeline_painter_get_gutter_width (SlTimelinePainter *self)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), 0);
  sl_painter_ensure_geometry (self);
  return self->gutter;
}

guint
sl_timeline_painter_get_n_columns (SlTimelinePainter *self)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), 0);
  sl_painter_ensure_layout (self);
  return self->columns->len;
}

const char *
sl_timeline_painter_get_column_title (SlTimelinePainter *self, guint column)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), NULL);
  sl_painter_ensure_layout (self);
  g_return_val_if_fail (column < self->columns->len, NULL);
  return g_array_index (self->columns, Column, column).title;
}

gboolean
sl_timeline_painter_get_header_line (SlTimelinePainter *self,
                                     guint              column,
                                     guint              line,
                                     double            *x,
                                     double            *y,
                                     double            *width,
                                     double            *height,
                                     gboolean          *shortened)
{
  PangoFontDescription *font;
  const char           *text;
  double                centre, max_w;
  int                   w, h;

  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), FALSE);
  sl_painter_ensure_geometry (self);
  g_return_val_if_fail (column < self->columns->len, FALSE);
  if (!sl_painter_header_line (self, column, line, &font, &text, &centre, &max_w))
    return FALSE;
  sl_painter_text_size (self, font, text, &w, &h);
  *shortened = max_w >= 0 && w > max_w;
  *width = *shortened ? max_w : w;
  *x = centre - *width / 2;
  *y = sl_painter_header_line_y (self, column, line);
  *height = h;
  return TRUE;
}

double
sl_timeline_painter_get_column_x (SlTimelinePainter *self, guint column)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), 0);
  sl_painter_ensure_geometry (self);
  g_return_val_if_fail (column < self->columns->len, 0);
  return g_array_index (self->columns, Column, column).x;
}

guint
sl_timeline_painter_get_column_actor (SlTimelinePainter *self,
                                      guint              column)
{
  int actor;

  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), G_MAXUINT);
  sl_painter_ensure_geometry (self);
  g_return_val_if_fail (column < self->columns->len, G_MAXUINT);
  actor = g_array_index (self->columns, Column, column).actor;
  return actor < 0 ? G_MAXUINT : (guint) actor;
}

/* The x of the centre of a socket's lane (where its call boxes are). */
gboolean
sl_timeline_painter_get_socket_x (SlTimelinePainter *self, guint32 socket, double *x)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), FALSE);
  sl_painter_ensure_geometry (self);
  if (socket >= self->n_socket_lane || self->socket_lane[socket] == NO_LANE)
    return FALSE;
  *x = g_array_index (self->lanes, Lane, self->socket_lane[socket]).x;
  return TRUE;
}

gboolean
sl_timeline_painter_get_endpoint_x (SlTimelinePainter *self, guint32 endpoint, double *x)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), FALSE);
  sl_painter_ensure_geometry (self);
  for (guint i = 0; i < self->lanes->len; i++)
    if (g_array_index (self->lanes, Lane, i).endpoint == endpoint)
      {
        *x = g_array_index (self->lanes, Lane, i).x;
        return TRUE;
      }
  return FALSE;
}

gboolean
sl_timeline_painter_get_call_rect (SlTimelinePainter *self, guint call, cairo_rectangle_t *rect)
{
  const NcCall *c;
  double        x0, x1, y0, y1;
  Frame         f;

  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), FALSE);
  sl_painter_frame_init (self, &f);
  if (self->recording == NULL || call >= self->n_call_lane)
    return FALSE;
  c = cap_recording_get_call (self->recording, call);
  if (c == NULL || c->ts_start == 0)
    return FALSE;
  sl_painter_call_rect (self, &f, c, call, &x0, &x1, &y0, &y1);
  if (x1 <= x0)
    return FALSE;
  rect->x = x0;
  rect->y = y0;
  rect->width = x1 - x0;
  rect->height = y1 - y0;
  return TRUE;
}

gboolean
sl_timeline_painter_get_packet_line (SlTimelinePainter *self,
                                     guint              packet,
                                     double            *x0,
                                     double            *y0,
                                     double            *x1,
                                     double            *y1)
{
  Frame f;

  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), FALSE);
  sl_painter_frame_init (self, &f);
  return sl_painter_packet_line (self, &f, packet, x0, y0, x1, y1);
}

SlRgb
sl_timeline_painter_get_packet_color (SlTimelinePainter *self, guint packet)
{
  const SlPalette *pal = sl_palette_get (self->theme);

  sl_painter_ensure_layout (self);
  if (packet >= self->n_routed || self->packet_route[packet] == NO_ROUTE)
    return pal->dim;
  return pal->packet[g_array_index (self->routes, Route, self->packet_route[packet]).color];
}

const SlPalette *
sl_timeline_painter_get_palette (SlTimelinePainter *self)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), NULL);
  return sl_palette_get (self->theme);
}

static const Lane *
socket_lane_get (SlTimelinePainter *self, guint32 socket)
{
  sl_painter_ensure_geometry (self);
  if (socket >= self->n_socket_lane || self->socket_lane[socket] == NO_LANE)
    return NULL;
  return &g_array_index (self->lanes, Lane, self->socket_lane[socket]);
}

/**
 * sl_timeline_painter_get_socket_state:
 * @x: (out) (optional): the centre of the socket's state band
 * @derived: (out) (optional): whether the state was derived from packets
 *   rather than read from the kernel
 *
 * The TCP state drawn on @socket's lane at @ts (NC_TCP_STATE_NONE if none).
 */
guint8
sl_timeline_painter_get_socket_state (SlTimelinePainter *self,
                                      guint32            socket,
                                      gint64             ts,
                                      double            *x,
                                      gboolean          *derived)
{
  const Lane *l;

  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), 0);
  l = socket_lane_get (self, socket);
  if (l == NULL)
    return NC_TCP_STATE_NONE;
  if (x)
    *x = l->x + self->box_w / 2 + 1 * self->scale + self->band_w / 2;
  if (derived)
    *derived = l->derived;
  for (guint i = 0; i < l->states->len; i++)
    {
      const StateSeg *seg = &g_array_index (l->states, StateSeg, i);
      /* as drawn: only LISTEN ends with the lane */
      if (ts >= seg->t0 &&
          (seg->t1 == 0 ? (!l->listening || l->t_last == 0 || ts <= l->t_last) : ts < seg->t1))
        return seg->state;
    }
  return NC_TCP_STATE_NONE;
}
