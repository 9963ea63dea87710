/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-painter-lanes.c: the lanes layer: a line per socket where it exists,
 * its TCP state band beside it, its fd on top.
 */

#include "config.h"

#include "sl-timeline-painter-private.h"


static double
lane_end_y (SlTimelinePainter *self, const Frame *f, const Lane *l)
{
  return sl_painter_frame_y (self, f, l->t_last ? l->t_last : f->now);
}

/* The lanes' lines, each the rectangle its stroke would cover: a
 * rectilinear fill costs cairo far less than a stroke. One fill per lane:
 * cairo's box rasteriser walks every pixel row across the whole width of
 * what one fill covers, so nine lanes in one fill cost as much as a fill
 * of the plot (0.5 ms a frame), and nine narrow fills a few columns each. */
static void
fill_lane_lines (SlTimelinePainter *self, cairo_t *cr, const Frame *f)
{
  double w = 1.5 * self->scale * f->pal->line_scale;

  sl_palette_set_source (cr, &f->pal->lane, 1);
  for (guint li = 0; li < self->lanes->len; li++)
    {
      const Lane *l = &g_array_index (self->lanes, Lane, li);
      double      y0 = MAX (sl_painter_frame_y (self, f, l->t_first), self->top - 2);
      double      y1 = MIN (lane_end_y (self, f, l), self->bottom + 2);

      if (y1 <= y0)
        continue;
      cairo_rectangle (cr, l->x - w / 2, y0, w, y1 - y0);
      cairo_fill (cr);
    }
}

void
sl_painter_draw_lanes (SlTimelinePainter *self, cairo_t *cr, const Frame *f)
{
  double s = self->scale;

  fill_lane_lines (self, cr, f);
  for (guint li = 0; li < self->lanes->len; li++)
    {
      const Lane *l = &g_array_index (self->lanes, Lane, li);
      double      y0 = sl_painter_frame_y (self, f, l->t_first);
      double      y1 = lane_end_y (self, f, l);
      double      bx = l->x + self->box_w / 2 + 1 * s;
      /* the kernel keeps a connection after close() (FIN_WAIT, TIME_WAIT):
       * its band runs on past the end of the lane; LISTEN ends with it */
      double band_end = l->listening ? y1 : sl_painter_frame_y (self, f, f->now);

      if (!self->has_calls)
        bx = l->x - self->band_w / 2;
      if (MAX (y1, band_end) < self->top || y0 > self->bottom)
        continue;

      /* TCP state bands */
      for (guint i = 0; i < l->states->len; i++)
        {
          const StateSeg *seg = &g_array_index (l->states, StateSeg, i);
          double          sy0 = sl_painter_frame_y (self, f, seg->t0);
          double          sy1 = seg->t1 ? sl_painter_frame_y (self, f, seg->t1) : band_end;
          double          alpha = 1;

          if (sy1 < self->top || sy0 > self->bottom)
            continue;
          sy0 = MAX (sy0, self->top - 2);
          sy1 = MIN (sy1, self->bottom + 2);
          if (f->fade && seg->t0 > self->playhead)
            alpha = f->pal->future_alpha;
          sl_palette_set_source (cr, &f->pal->state[seg->state], alpha);
          if (f->fade && seg->t0 <= self->playhead && sy1 > f->play_y)
            {
              /* past the playhead the band is not known yet */
              cairo_rectangle (cr, bx, sy0, self->band_w, MAX (f->play_y - sy0, 0));
              cairo_fill (cr);
              sl_palette_set_source (cr, &f->pal->state[seg->state], f->pal->future_alpha);
              cairo_rectangle (cr, bx, MAX (f->play_y, sy0), self->band_w,
                               sy1 - MAX (f->play_y, sy0));
            }
          else
            cairo_rectangle (cr, bx, sy0, self->band_w, MAX (sy1 - sy0, 1));
          cairo_fill (cr);
        }

      /* the fd, at the top of the lane */
      if (l->fd >= 0 && y0 >= self->top - self->line_h && y0 <= self->bottom)
        {
          g_autofree char *fd = g_strdup_printf ("%d", l->fd);
          sl_palette_set_source (cr,
                                 l->states->len
                                   ? &f->pal->state[g_array_index (l->states, StateSeg, 0).state]
                                   : &f->pal->dim,
                                 1);
          sl_painter_show_text (self, cr, self->font_small, fd, bx + self->band_w / 2,
                                MAX (y0, self->top) - self->line_h - 1 * s, 0.5, -1, NULL);
        }
    }
}
