/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-painter-grid.c: the layers around the ladder: the gutter's ticks,
 * the column headers, the axis's breaks, the playhead, the legend.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sl-sequence-axis.h"
#include "sl-timeline-painter-private.h"
#include "nc-format.h"

#include <math.h>
#include <string.h>


/* The gutter: what the axis says is there (times on the Time axis, each
 * row's offset on the Sequence axis), with a faint rule across. */
void
sl_painter_draw_axis (SlTimelinePainter *self, cairo_t *cr, const Frame *f)
{
  double s = self->scale;
  double d1 = f->d0 + (self->bottom - self->top) / f->px_per_unit;
  g_autoptr (GArray) ticks = sl_axis_ticks_new ();

  sl_timeline_axis_collect_ticks (self->axis, f->d0, d1, f->px_per_unit, 70 * s, ticks);
  for (guint i = 0; i < ticks->len; i++)
    {
      const SlAxisTick *tick = &g_array_index (ticks, SlAxisTick, i);
      double            y = self->top + (tick->display - f->d0) * f->px_per_unit;

      if (tick->rule)
        {
          sl_palette_set_source (cr, &f->pal->grid, 0.45);
          cairo_set_line_width (cr, 1);
          cairo_move_to (cr, self->gutter - 4 * s, floor (y) + 0.5);
          cairo_line_to (cr, self->width, floor (y) + 0.5);
          cairo_stroke (cr);
        }
      /* under the playhead's badge a time would show half hidden: the
       * badge says the time there */
      if (self->show_playhead && f->play_y >= self->top && f->play_y <= self->bottom &&
          fabs (y - f->play_y) < self->line_h)
        continue;
      sl_palette_set_source (cr, &f->pal->dim, 1);
      sl_painter_show_text (self, cr, self->font_small, tick->text, self->gutter - 8 * s,
                            y - self->line_h * 0.45, 1.0, -1, NULL);
    }
}

static double
header_center (SlTimelinePainter *self, guint ci)
{
  const Column *col = &g_array_index (self->columns, Column, ci);

  return (col->x_left + col->x_right - self->band_w) / 2;
}

/* The title's font: the large one where the name fits, else the smaller
 * bold one, so "handler 1" between narrow neighbours is read whole rather
 * than cut to "... dler 1"; only a name that fits neither is shortened. */
static PangoFontDescription *
header_font (SlTimelinePainter *self, const char *title, double max_w)
{
  int w, h;

  if (!self->has_calls)
    return self->font_bold;
  if (max_w <= 0)
    return self->font_title;
  sl_painter_text_size (self, self->font_title, title, &w, &h);
  return w <= max_w ? self->font_title : self->font_bold;
}

/* Where a header line is centred and how wide it may be. Each column may
 * use the room up to halfway to its neighbours in its header row (the next
 * column's, or with staggered rows the one after); a line with no
 * neighbour on a side that needs more also takes the room on that side, up
 * to the plot's edge, rather than lose its start: "... 92.0.2.1:54666"
 * would name another host. */
static double
header_line_place (SlTimelinePainter    *self,
                   guint                 ci,
                   PangoFontDescription *font,
                   const char           *text,
                   double               *max_w)
{
  double   s = self->scale;
  double   cx = header_center (self, ci);
  guint    n = self->columns->len;
  guint    step = MAX (self->header_rows, 1);
  gboolean left = ci >= step, right = ci + step < n;
  double   inner = G_MAXDOUBLE, outer;
  int      w, h;

  *max_w = -1;
  if (n < 2)
    return cx;
  if (left)
    inner = MIN (inner, (cx - header_center (self, ci - step)) / 2 - 4 * s);
  if (right)
    inner = MIN (inner, (header_center (self, ci + step) - cx) / 2 - 4 * s);
  inner = MAX (MIN (110 * s, inner), 12 * s);
  *max_w = 2 * inner;
  if (left && right)
    return cx;
  sl_painter_text_size (self, font, text, &w, &h);
  if (w <= *max_w)
    return cx;
  if (!left && !right)
    {
      /* alone in its row: centred, as wide as the plot lets it */
      *max_w = MIN (w, 2 * MAX (inner, MIN (cx - self->gutter, self->width - 8 * s - cx)));
      return cx;
    }
  outer = !left ? cx - self->gutter : self->width - 8 * s - cx;
  outer = MAX (outer, inner);
  *max_w = MIN (w, inner + outer);
  /* the inner end stays where it was; the line grows outwards */
  return !left ? cx + inner - *max_w / 2 : cx - inner + *max_w / 2;
}

/* Header line @line (0 the title, 1 the address) of column @ci: its font
 * and text (FALSE: the column has no such line), where it is centred and
 * how wide it may be drawn */
gboolean
sl_painter_header_line (SlTimelinePainter     *self,
                        guint                  ci,
                        guint                  line,
                        PangoFontDescription **font,
                        const char           **text,
                        double                *x,
                        double                *max_w)
{
  const Column *col = &g_array_index (self->columns, Column, ci);

  if (line == 0)
    {
      /* the title's font is chosen by the room halfway to the neighbours */
      header_line_place (self, ci, self->font_title, "", max_w);
      *font = header_font (self, col->title, *max_w);
      *text = col->title;
    }
  else if (line == 1 && col->subtitle != NULL)
    {
      *font = self->font_small;
      *text = col->subtitle;
    }
  else
    return FALSE;
  *x = header_line_place (self, ci, *font, *text, max_w);
  {
    /* an address with no room: its port alone (":38724", what tells a
     * run's sockets apart), for a cut start ("… 7.0.0.1:38724") would
     * name another host */
    const char *port = strrchr (*text, ':');
    int         w, h;

    if (*max_w >= 0 && port != NULL && port[1] != '\0' &&
        strspn (port + 1, "0123456789") == strlen (port + 1))
      {
        sl_painter_text_size (self, *font, *text, &w, &h);
        if (w > *max_w)
          {
            *text = port;
            *x = header_line_place (self, ci, *font, *text, max_w);
          }
      }
  }
  return TRUE;
}

/* The top of header line @line of column @ci: with staggered rows every
 * other column's title and address a row lower */
double
sl_painter_header_line_y (SlTimelinePainter *self, guint ci, guint line)
{
  double y = line == 0 ? self->header_title_y : self->header_subtitle_y;

  return self->header_rows > 1 && ci % 2 == 1 ? y + self->header_row_h : y;
}

static gboolean
header_shortened (SlTimelinePainter *self, guint ci, guint line)
{
  PangoFontDescription *font;
  const char           *text;
  double                x, max_w;
  int                   w, h;

  if (!sl_painter_header_line (self, ci, line, &font, &text, &x, &max_w) || max_w < 0)
    return FALSE;
  sl_painter_text_size (self, font, text, &w, &h);
  return w > max_w;
}

/**
 * sl_painter_stagger_headers:
 *
 * Once the columns have their x: where a column's name or address would be
 * cut between close neighbours (eight endpoints beside the inspector:
 * ":41858" shortened to "... 8"), every other column's header goes a row
 * lower, so each has the room up to the column after next and is read
 * whole. The plot starts below both rows.
 */
void
sl_painter_stagger_headers (SlTimelinePainter *self)
{
  gboolean cut = FALSE;

  self->header_rows = 1;
  if (self->columns->len < 3)
    return;
  for (guint ci = 0; ci < self->columns->len && !cut; ci++)
    cut = header_shortened (self, ci, 0) || header_shortened (self, ci, 1);
  if (!cut)
    return;
  self->header_rows = 2;
  self->top = MAX (self->top, self->header_title_y + 2 * self->header_row_h + 12 * self->scale);
}

void
sl_painter_draw_headers (SlTimelinePainter *self, cairo_t *cr, const Frame *f)
{
  for (guint ci = 0; ci < self->columns->len; ci++)
    for (guint line = 0; line < 2; line++)
      {
        PangoFontDescription *font;
        const char           *text;
        double                x, max_w;

        if (!sl_painter_header_line (self, ci, line, &font, &text, &x, &max_w))
          continue;
        /* "client 1", "client 2": what tells them apart is at the end; an
         * address keeps its end too, the port tells the sockets apart */
        sl_palette_set_source (cr, line == 0 ? &f->pal->foreground : &f->pal->dim, 1);
        pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_START);
        sl_painter_show_text (self, cr, font, text, x, sl_painter_header_line_y (self, ci, line),
                              0.5, max_w, NULL);
        pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_NONE);
      }
}

void
sl_painter_draw_breaks (SlTimelinePainter *self, cairo_t *cr, const Frame *f)
{
  double s = self->scale;
  double last_label = -1e9;

  guint n_breaks = sl_timeline_axis_get_n_breaks (self->axis);

  for (guint i = 0; i < n_breaks; i++)
    {
      const SlAxisBreak *b = sl_timeline_axis_get_break (self->axis, i);
      double             y = self->top + ((b->d0 + b->d1) / 2 - f->d0) * f->px_per_unit;
      double             h = 7 * s;

      if (y < self->top - h || y > self->bottom + h)
        continue;
      self->stats.n_breaks_visible++;

      /* a torn strip across the whole diagram: time was cut here */
      cairo_move_to (cr, self->gutter, y - h / 2);
      for (double x = self->gutter; x < self->width; x += 8 * s)
        cairo_line_to (cr, x + 4 * s, y - h / 2 - 2 * s), cairo_line_to (cr, x + 8 * s, y - h / 2);
      cairo_line_to (cr, self->width, y + h / 2);
      for (double x = self->width; x > self->gutter; x -= 8 * s)
        cairo_line_to (cr, x - 4 * s, y + h / 2 + 2 * s), cairo_line_to (cr, x - 8 * s, y + h / 2);
      cairo_close_path (cr);
      sl_palette_set_source (cr, &f->pal->background, 1);
      cairo_fill_preserve (cr);
      sl_palette_set_source (cr, &f->pal->grid, 1);
      cairo_set_line_width (cr, 1);
      cairo_stroke (cr);

      /* rows say it across the diagram, as a label (sl-painter-labels.c) */
      if (y - last_label > self->line_h * 1.5 &&
          sl_timeline_axis_get_natural_px_per_unit (self->axis) <= 0)
        {
          sl_palette_set_source (cr, &f->pal->dim, 1);
          sl_painter_show_text (self, cr, self->font_small, b->text, self->gutter - 8 * s,
                                y - self->line_h * 0.5, 1.0, -1, NULL);
          last_label = y;
        }
    }
}

void
sl_painter_draw_playhead (SlTimelinePainter *self, cairo_t *cr, const Frame *f)
{
  double           s = self->scale;
  double           y = f->play_y;
  g_autofree char *text = NULL;
  g_autofree char *label = NULL;
  gint64           step = sl_painter_nice_step (70 * s / f->px_per_unit) / 10;

  if (!self->show_playhead || y < self->top || y > self->bottom)
    return;
  sl_palette_set_source (cr, &f->pal->playhead, 1);
  cairo_set_line_width (cr, 1.5 * s * f->pal->line_scale);
  cairo_move_to (cr, self->gutter, floor (y) + 0.5);
  cairo_line_to (cr, self->width, floor (y) + 0.5);
  cairo_stroke (cr);
  if (sl_timeline_axis_get_layout (self->axis) == SL_TIMELINE_LAYOUT_TIME)
    text = nc_format_time_at (
      (gint64) llround (sl_timeline_axis_to_display (self->axis, self->playhead)), MAX (step, 1));
  else
    text = nc_format_duration (
      sl_sequence_axis_run_offset (SL_SEQUENCE_AXIS (self->axis), self->playhead));
  label = g_strdup_printf ("▶ %s", text);
  {
    /* in the time gutter, like a scrubber's thumb, where no label sits */
    int w, h;
    pango_layout_set_font_description (self->layout, self->font_bold);
    pango_layout_set_width (self->layout, -1);
    pango_layout_set_text (self->layout, label, -1);
    pango_layout_get_pixel_size (self->layout, &w, &h);
    double x = MAX (self->gutter - w - 12 * s, 2);
    sl_painter_rounded_rect (cr, x, y - h / 2.0 - 2 * s, w + 10 * s, h + 4 * s, 4 * s);
    sl_palette_set_source (cr, &f->pal->playhead, 1);
    cairo_fill (cr);
    sl_palette_set_source (cr, &f->pal->background, 1);
    cairo_move_to (cr, x + 5 * s, y - h / 2.0);
    pango_cairo_show_layout (cr, self->layout);
  }
}

static double
text_width (SlTimelinePainter *self, PangoFontDescription *font, const char *text)
{
  int w, h;

  sl_painter_text_size (self, font, text, &w, &h);
  return w;
}

void
sl_painter_draw_legend (SlTimelinePainter *self, cairo_t *cr, const Frame *f)
{
  double      s = self->scale;
  double      x = self->gutter;
  double      y = self->height - 24 * s;
  double      w;
  const char *note;

  for (guint st = 1; st < TS_N; st++)
    {
      if (!self->states_used[st])
        continue;
      /* a name that would run off a narrow pane is left out, with the rest */
      if (x + 16 * s + text_width (self, self->font_small, nc_tcp_state_name (st)) >
          self->width - 8 * s)
        break;
      sl_palette_set_source (cr, &f->pal->state[st], 1);
      cairo_rectangle (cr, x, y + 3 * s, 12 * s, 10 * s);
      cairo_fill (cr);
      sl_palette_set_source (cr, &f->pal->dim, 1);
      sl_painter_show_text (self, cr, self->font_small, nc_tcp_state_name (st), x + 16 * s, y, 0,
                            -1, &w);
      x += 16 * s + w + 14 * s;
    }
  if (self->any_kernel_states && self->any_derived_states)
    note = _("TCP state: kernel (sock_diag) where sampled, else derived from packets");
  else if (self->any_kernel_states)
    note = _("TCP state per socket (kernel, sock_diag)");
  else if (self->any_derived_states)
    note = _("TCP state derived from packets");
  else
    note = NULL;
  /* on one line or not at all: wrapped, its second line fell off the
   * bottom edge (a pane beside the inspector) */
  if (note)
    {
      int nw, nh;

      sl_painter_text_size (self, self->font_small, note, &nw, &nh);
      if (x + nw > self->width - 8 * s)
        note = NULL;
    }
  if (note)
    {
      sl_palette_set_source (cr, &f->pal->dim, 1);
      sl_painter_show_text (self, cr, self->font_small, note, x, y, 0, -1, &w);
      x += w + 14 * s;
    }
  if (self->stats.aggregated && x < self->width - 200 * s)
    {
      sl_palette_set_source (cr, &f->pal->dim, 1);
      sl_painter_show_text (self, cr, self->font_small,
                            _("dense: a band per route, darker = more packets per row"), x, y, 0,
                            self->width - x - 8 * s, NULL);
    }
  pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_NONE);
}
