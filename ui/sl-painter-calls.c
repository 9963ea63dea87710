/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-painter-calls.c: the calls layer: a box per call on its socket's lane
 * from the row it entered to the row it returned (select() across the
 * lanes it watched), and the labels beside them.
 */

#include "config.h"

#include "sl-timeline-painter-private.h"

#include <math.h>


void
sl_painter_call_rect (SlTimelinePainter *self,
                      const Frame       *f,
                      const NcCall      *c,
                      guint              id,
                      double            *x0,
                      double            *x1,
                      double            *y0,
                      double            *y1)
{
  guint32 li = id < self->n_call_lane ? self->call_lane[id] : NO_LANE;
  double  min_h = 6 * self->scale;

  *y0 = sl_painter_event_y (self, f, SL_AXIS_CALL_ENTER, id);
  *y1 = sl_painter_event_y (self, f, SL_AXIS_CALL_RETURN, id);
  if (*y1 - *y0 < min_h)
    {
      double mid = (*y0 + *y1) / 2;
      *y0 = mid - min_h / 2;
      *y1 = mid + min_h / 2;
    }
  if (li != NO_LANE)
    {
      const Lane *l = &g_array_index (self->lanes, Lane, li);
      *x0 = l->x - self->box_w / 2;
      *x1 = l->x + self->box_w / 2;
      return;
    }

  /* select(): across the lanes of the fds it watched */
  *x0 = G_MAXDOUBLE;
  *x1 = -G_MAXDOUBLE;
  for (guint s = 0; s < NC_N_SETS; s++)
    for (guint i = 0; i < nc_call_get_fds (c, FALSE, s)->n && i < NC_SELECT_FDS_MAX; i++)
      {
        const Column *col = NULL;
        for (guint ci = 0; ci < self->columns->len && col == NULL; ci++)
          if (g_array_index (self->columns, Column, ci).actor == c->actor)
            col = &g_array_index (self->columns, Column, ci);
        if (col == NULL)
          continue;
        guint32 l = sl_painter_lane_at (self, col - (const Column *) self->columns->data,
                                        nc_call_get_fds (c, FALSE, s)->fds[i], c->ts_start);
        if (l != NO_LANE)
          {
            double x = g_array_index (self->lanes, Lane, l).x;
            *x0 = MIN (*x0, x - self->box_w / 2);
            *x1 = MAX (*x1, x + self->box_w / 2);
          }
      }
  if (*x0 > *x1)
    {
      for (guint ci = 0; ci < self->columns->len; ci++)
        {
          const Column *col = &g_array_index (self->columns, Column, ci);
          if (col->actor == c->actor)
            {
              *x0 = col->x - self->box_w / 2;
              *x1 = col->x + self->box_w / 2;
              return;
            }
        }
      *x0 = *x1 = 0;
    }
}

static void
draw_box (SlTimelinePainter *self,
          cairo_t           *cr,
          const Frame       *f,
          double             x0,
          double             y0,
          double             x1,
          double             y1,
          gboolean           failed,
          gboolean           highlighted,
          gboolean           open,
          double             alpha)
{
  double s = self->scale;
  double r = MIN (5 * s, (x1 - x0) / 2);

  if (highlighted)
    {
      sl_painter_rounded_rect (cr, x0 - 4 * s, y0 - 4 * s, x1 - x0 + 8 * s, y1 - y0 + 8 * s,
                               r + 4 * s);
      sl_palette_set_source (cr, &f->pal->selection, 0.45);
      cairo_fill (cr);
    }
  sl_painter_rounded_rect (cr, x0, y0, x1 - x0, y1 - y0, r);
  if (failed)
    {
      /* not by colour alone: hollow, thick, and the errno in the label */
      sl_palette_set_source (cr, &f->pal->background, alpha);
      cairo_fill_preserve (cr);
      sl_palette_set_source (cr, &f->pal->failed, alpha);
      cairo_set_line_width (cr, 3 * s * f->pal->line_scale);
      cairo_stroke (cr);
      return;
    }
  sl_palette_set_source (cr, &f->pal->call, alpha);
  cairo_fill (cr);
  if (open)
    {
      /* still in the kernel: the bottom edge is "now", dashed */
      double dash[] = { 3 * s, 3 * s };
      cairo_set_dash (cr, dash, 2, 0);
      sl_palette_set_source (cr, &f->pal->call, alpha);
      cairo_set_line_width (cr, 2 * s);
      cairo_move_to (cr, x0, y1 + 3 * s);
      cairo_line_to (cr, x1, y1 + 3 * s);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }
}

static void
draw_select_marks (SlTimelinePainter *self,
                   cairo_t           *cr,
                   const Frame       *f,
                   guint              ci,
                   const NcCall      *c,
                   double             y0,
                   double             y1,
                   double             alpha)
{
  double s = self->scale;

  /* watched: hollow rings at the top; came back ready: filled at the bottom */
  for (int out = 0; out < 2; out++)
    for (guint set = 0; set < NC_N_SETS; set++)
      {
        const NcFdList *list = nc_call_get_fds (c, out, set);
        if (out && c->ts_end == 0)
          continue;
        for (guint i = 0; i < list->n && i < NC_SELECT_FDS_MAX; i++)
          {
            guint32 li = sl_painter_lane_at (self, ci, list->fds[i], c->ts_start);
            double  x, y;
            if (li == NO_LANE)
              continue;
            x = g_array_index (self->lanes, Lane, li).x;
            y = out ? y1 - 5 * s : y0 + 5 * s;
            cairo_arc (cr, x, y, 3.5 * s, 0, 2 * G_PI);
            sl_palette_set_source (cr, &f->pal->call_text, alpha);
            if (out)
              cairo_fill (cr);
            else
              {
                cairo_set_line_width (cr, 1.5 * s);
                cairo_stroke (cr);
              }
          }
      }
}

/* First index in a sorted array of gint64 whose value is at least @ts */
static guint
lower_bound_i64 (GArray *sorted, gint64 ts)
{
  guint lo = 0, hi = sorted->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (sorted, gint64, mid) < ts)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* First index whose call may reach @ts (the prefix max of ends is sorted
 * even though the ends are not). */
guint
sl_painter_call_list_first_visible (const CallList *list, gint64 ts)
{
  return lower_bound_i64 (list->max_end, ts);
}

/* First index starting at or after @ts */
guint
sl_painter_call_list_first_from (const CallList *list, gint64 ts)
{
  return lower_bound_i64 (list->starts, ts);
}

/* The first index at or after @from starting at or after @ts:
 * MAX (first_from (@ts), @from), found forward from @from */
guint
sl_painter_call_list_next_from (const CallList *list, gint64 ts, guint from)
{
  const gint64 *starts = (const gint64 *) list->starts->data;
  guint         n = list->starts->len, lo = from, hi, step = 1;

  if (from >= n)
    return from;
  /* gallop: [lo, hi] holds the answer (n: none) */
  for (;;)
    {
      hi = lo + step - 1;
      if (hi >= n)
        {
          hi = n;
          break;
        }
      if (starts[hi] >= ts)
        break;
      lo = hi + 1;
      step *= 2;
    }
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (starts[mid] < ts)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
fill_plain_boxes (SlTimelinePainter *self, cairo_t *cr, const Frame *f)
{
  double r = 5 * self->scale;

  for (int future = 0; future < 2; future++)
    {
      gboolean any = FALSE;

      for (guint k = 0; k < self->plain_boxes->len; k++)
        {
          const PlainBox *b = &g_array_index (self->plain_boxes, PlainBox, k);
          if (b->future != future)
            continue;
          any = TRUE;
          /* round corners only where they show */
          if (b->y1 - b->y0 > 2 * r)
            sl_painter_rounded_rect (cr, b->x0, b->y0, b->x1 - b->x0, b->y1 - b->y0, r);
          else
            cairo_rectangle (cr, b->x0, b->y0, b->x1 - b->x0, b->y1 - b->y0);
        }
      if (!any)
        continue;
      sl_palette_set_source (cr, &f->pal->call, future ? f->pal->future_alpha : 1);
      cairo_fill (cr);
    }
  g_array_set_size (self->plain_boxes, 0);
}

static void
draw_call_box (SlTimelinePainter *self,
               cairo_t           *cr,
               const Frame       *f,
               guint              ci,
               const NcCall      *c,
               guint              id,
               double             x0,
               double             y0,
               double             x1,
               double             y1)
{
  gboolean hl = g_hash_table_contains (self->hl_calls, GUINT_TO_POINTER (id)) || id == self->current_call;
  gboolean future = f->fade && c->ts_start > self->playhead;
  double   alpha = future ? f->pal->future_alpha : 1;

  if (f->fade && !future && y1 > f->play_y)
    {
      /* blocked across the playhead: solid up to it, faint after */
      draw_box (self, cr, f, x0, y0, x1, y1, nc_call_failed (c), hl, FALSE, f->pal->future_alpha);
      cairo_save (cr);
      cairo_rectangle (cr, x0 - 10, y0 - 10, x1 - x0 + 20, f->play_y - y0 + 10);
      cairo_clip (cr);
      draw_box (self, cr, f, x0, y0, x1, y1, FALSE, FALSE, FALSE, 1);
      cairo_restore (cr);
    }
  else if (!hl && !nc_call_failed (c) && c->ts_end != 0 && nc_call_kind_info (c->kind)->draw != NC_CALL_DRAW_WAIT)
    {
      /* plain boxes are filled together, one fill per alpha */
      PlainBox box = { x0, y0, x1, y1, future };
      g_array_append_val (self->plain_boxes, box);
    }
  else
    draw_box (self, cr, f, x0, y0, x1, y1, nc_call_failed (c), hl, c->ts_end == 0, alpha);
  if (nc_call_kind_info (c->kind)->draw == NC_CALL_DRAW_WAIT)
    draw_select_marks (self, cr, f, ci, c, y0, y1, alpha);
  self->stats.n_calls_drawn++;

  if (y1 >= self->top && y0 <= self->bottom)
    {
      HitItem hit = { x0, y0, x1, y1, id };
      g_array_append_val (self->hit_calls, hit);
    }
}

/* The visible calls of one list. Where calls are denser than the pixels,
 * the next one drawn is the first that starts below the last box, found by
 * binary search: at most one box per pixel row, whatever the zoom. */
static void
draw_call_list (SlTimelinePainter *self,
                cairo_t           *cr,
                const Frame       *f,
                guint              ci,
                const CallList    *list)
{
  CapRecording *rec = self->recording;
  guint         i = sl_painter_call_list_first_visible (list, self->begin);

  while (i < list->ids->len)
    {
      guint         id = g_array_index (list->ids, guint32, i);
      const NcCall *c = cap_recording_get_call (rec, id);
      double        x0, x1, y0, y1;
      guint         next;

      if (c->ts_start > self->end)
        break;
      if (sl_painter_call_end_or_max (c) < self->begin)
        {
          i++;
          continue;
        }
      sl_painter_call_rect (self, f, c, id, &x0, &x1, &y0, &y1);
      if (x1 > x0)
        draw_call_box (self, cr, f, ci, c, id, x0, y0, x1, y1);

      next = i + 1;
      if (next < list->ids->len &&
          sl_painter_event_y (self, f, SL_AXIS_CALL_ENTER,
                              g_array_index (list->ids, guint32, next)) < y1)
        {
          /* the next call starts inside this box: skip to the first below
           * it, searching the list forward from here (boxes go down it) */
          guint skip =
            sl_painter_call_list_next_from (list, sl_painter_y_to_time_frame (self, f, y1), next);
          self->stats.n_calls_merged += skip - next;
          next = skip;
        }
      i = next;
    }
}

/* The boxes; their labels are laid out with the others (sl-painter-labels.c) */
void
sl_painter_draw_calls (SlTimelinePainter *self, cairo_t *cr, const Frame *f)
{
  for (guint ci = 0; ci < self->columns->len; ci++)
    {
      const Column *col = &g_array_index (self->columns, Column, ci);

      for (guint li = 0; li < col->n_lanes; li++)
        draw_call_list (self, cr, f, ci,
                        &g_array_index (self->lanes, Lane, col->first_lane + li).calls);
      draw_call_list (self, cr, f, ci, &col->calls);
      fill_plain_boxes (self, cr, f);
    }
}
