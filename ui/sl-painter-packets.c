/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-painter-packets.c: the packets layer: an arrow per packet from the
 * sender's lane to the receiver's, its tail at the packet's row and its
 * head a slant lower; where packets are denser than the pixels, a density
 * band per route.
 *
 * A capture on loopback (or on one interface) sees each packet once, so the
 * time it reached the other side is not measured: the slant is drawn, never
 * claimed as a measured delay.
 */

#include "config.h"

#include "sl-timeline-painter-private.h"

#include <math.h>
#include <netinet/in.h>
#include <string.h>


/* The ends of a packet's arrow: tail at the capture time on the sender's
 * lane, head a fixed slant lower on the receiver's. */
gboolean
sl_painter_packet_line (SlTimelinePainter *self,
                        const Frame       *f,
                        guint              index,
                        double            *x0,
                        double            *y0,
                        double            *x1,
                        double            *y1)
{
  const Route *r;
  const Lane  *a, *b;
  double       inset;

  if (index >= self->n_routed || self->packet_route[index] == NO_ROUTE)
    return FALSE;
  r = &g_array_index (self->routes, Route, self->packet_route[index]);
  a = &g_array_index (self->lanes, Lane, r->from);
  b = &g_array_index (self->lanes, Lane, r->to);
  inset = self->has_calls ? self->box_w / 2 + 1 : self->band_w / 2 + 2;
  *y0 = sl_painter_event_y (self, f, SL_AXIS_PACKET, index);
  *y1 = *y0 + f->slant;
  if (a == b)
    {
      *x0 = *x1 = a->x;
      return TRUE;
    }
  if (b->x > a->x)
    {
      *x0 = a->x + inset + (self->has_calls ? self->band_w + 1 : 0);
      *x1 = b->x - inset - 1;
    }
  else
    {
      *x0 = a->x - inset;
      *x1 = b->x + inset + (self->has_calls ? self->band_w + 2 : 0);
    }
  return TRUE;
}

static void
draw_arrow (SlTimelinePainter *self,
            cairo_t           *cr,
            const Frame       *f,
            guint              index,
            double             x0,
            double             y0,
            double             x1,
            double             y1,
            const SlRgb       *color)
{
  const CapPacket *pkt = cap_recording_get_packet (self->recording, index);
  double           s = self->scale;
  double           alpha = 1;
  double           len = hypot (x1 - x0, y1 - y0);
  double           ux = (x1 - x0) / MAX (len, 1), uy = (y1 - y0) / MAX (len, 1);
  double           head = 10 * s;
  gboolean         hl = g_hash_table_contains (self->hl_packets, GUINT_TO_POINTER (index));
  gboolean         in_flight = f->fade && y0 <= f->play_y && f->play_y < y1;
  gboolean         dropped = (pkt->flags & CAP_PACKET_DROPPED) != 0;
  double           hx = x1, hy = y1;

  if (f->fade && pkt->ts > self->playhead)
    alpha = f->pal->future_alpha;
  if (dropped)
    {
      /* it never arrived: the arrow stops half way, with a cross */
      hx = x0 + (x1 - x0) * 0.6;
      hy = y0 + (y1 - y0) * 0.6;
    }

  if (hl)
    {
      sl_palette_set_source (cr, &f->pal->selection, 0.4);
      cairo_set_line_width (cr, 10 * s);
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
      cairo_move_to (cr, x0, y0);
      cairo_line_to (cr, hx, hy);
      cairo_stroke (cr);
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);
    }

  cairo_set_line_width (cr, (hl ? 2.5 : 1.8) * s * f->pal->line_scale);
  if (pkt->flags & CAP_PACKET_RETRANSMISSION || in_flight)
    {
      double dash[] = { 6 * s, 4 * s };
      cairo_set_dash (cr, dash, 2, 0);
    }
  sl_palette_set_source (cr, (pkt->flags & CAP_PACKET_MALFORMED) ? &f->pal->failed : color, alpha);
  cairo_move_to (cr, x0, y0);
  cairo_line_to (cr, dropped ? hx : x1 - ux * head * 0.7, dropped ? hy : y1 - uy * head * 0.7);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);

  if (dropped)
    {
      double c = 5 * s;
      cairo_move_to (cr, hx - c, hy - c);
      cairo_line_to (cr, hx + c, hy + c);
      cairo_move_to (cr, hx - c, hy + c);
      cairo_line_to (cr, hx + c, hy - c);
      cairo_stroke (cr);
    }
  else if (len > head)
    {
      double px = -uy, py = ux;
      cairo_move_to (cr, x1, y1);
      cairo_line_to (cr, x1 - ux * head + px * head * 0.4, y1 - uy * head + py * head * 0.4);
      cairo_line_to (cr, x1 - ux * head - px * head * 0.4, y1 - uy * head - py * head * 0.4);
      cairo_close_path (cr);
      cairo_fill (cr);
    }

  if (in_flight)
    {
      /* the packet itself, on its way */
      double t = (f->play_y - y0) / MAX (y1 - y0, 1);
      cairo_arc (cr, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, 6 * s, 0, 2 * G_PI);
      sl_palette_set_source (cr, color, 1);
      cairo_fill (cr);
    }
}

typedef struct
{
  double x0, y0, x1, y1;
  guint  index;
  guint8 color;
  guint8 future;
} PlainArrow;

/* Most arrows are plain: not selected, not in flight, nothing special about
 * the packet. Those are batched: cairo's cost is per stroke and per fill
 * far more than per path segment. */
static gboolean
arrow_is_plain (SlTimelinePainter *self,
                const Frame       *f,
                guint              index,
                double             y0,
                double             y1,
                gboolean           hl)
{
  const CapPacket *pkt = cap_recording_get_packet (self->recording, index);

  if (hl || (pkt->flags & (CAP_PACKET_DROPPED | CAP_PACKET_RETRANSMISSION | CAP_PACKET_MALFORMED)))
    return FALSE;
  return !(f->fade && y0 <= f->play_y && f->play_y < y1);
}

static void
draw_plain_arrows (SlTimelinePainter *self, cairo_t *cr, const Frame *f, GArray *plain)
{
  double s = self->scale;
  double head = 10 * s;

  cairo_set_line_width (cr, 1.8 * s * f->pal->line_scale);
  for (guint color = 0; color < SL_PALETTE_N_PACKET; color++)
    for (guint future = 0; future < 2; future++)
      {
        gboolean any = FALSE;

        guint in_path = 0;

        sl_palette_set_source (cr, &f->pal->packet[color], future ? f->pal->future_alpha : 1);
        for (guint k = 0; k < plain->len; k++)
          {
            const PlainArrow *a = &g_array_index (plain, PlainArrow, k);
            double            len, ux, uy;

            if (a->color != color || a->future != future)
              continue;
            any = TRUE;
            len = MAX (hypot (a->x1 - a->x0, a->y1 - a->y0), 1);
            ux = (a->x1 - a->x0) / len;
            uy = (a->y1 - a->y0) / len;
            cairo_move_to (cr, a->x0, a->y0);
            cairo_line_to (cr, a->x1 - ux * head * 0.7, a->y1 - uy * head * 0.7);
            /* cairo strokes a path as the union of its segments: once long
             * lines cross, one stroke each is cheaper than one for all */
            if (++in_path == STROKE_BATCH)
              {
                cairo_stroke (cr);
                in_path = 0;
              }
          }
        if (!any)
          continue;
        cairo_stroke (cr);
        for (guint k = 0; k < plain->len; k++)
          {
            const PlainArrow *a = &g_array_index (plain, PlainArrow, k);
            double            len, ux, uy, px, py;

            if (a->color != color || a->future != future)
              continue;
            len = hypot (a->x1 - a->x0, a->y1 - a->y0);
            if (len <= head)
              continue;
            ux = (a->x1 - a->x0) / len;
            uy = (a->y1 - a->y0) / len;
            px = -uy;
            py = ux;
            cairo_move_to (cr, a->x1, a->y1);
            cairo_line_to (cr, a->x1 - ux * head + px * head * 0.4,
                           a->y1 - uy * head + py * head * 0.4);
            cairo_line_to (cr, a->x1 - ux * head - px * head * 0.4,
                           a->y1 - uy * head - py * head * 0.4);
            cairo_close_path (cr);
          }
        cairo_fill (cr);
      }
}

static void
draw_packets_single (SlTimelinePainter *self, cairo_t *cr, const Frame *f, guint i0, guint i1)
{
  g_autofree double *route_last_y = g_new (double, MAX (self->routes->len, 1));
  g_autoptr (GArray) plain = g_array_new (FALSE, FALSE, sizeof (PlainArrow));

  for (guint r = 0; r < self->routes->len; r++)
    route_last_y[r] = -1e9;

  for (guint i = i0; i < i1; i++)
    {
      double       x0, y0, x1, y1;
      guint16      route;
      const Route *r;
      gboolean     hl;

      if (!sl_painter_packet_line (self, f, i, &x0, &y0, &x1, &y1))
        continue;
      route = self->packet_route[i];
      r = &g_array_index (self->routes, Route, route);
      if (r->from == r->to)
        continue;
      hl = g_hash_table_contains (self->hl_packets, GUINT_TO_POINTER (i));
      {
        HitItem hit = { x0, y0, x1, y1, i };
        g_array_append_val (self->hit_packets, hit);
      }
      /* arrows of one route closer than a pixel would draw the same pixels */
      if (y0 - route_last_y[route] < 1.5 && !hl)
        {
          self->stats.n_packets_aggregated++;
          continue;
        }
      route_last_y[route] = y0;

      self->stats.n_packets_drawn++;
      if (arrow_is_plain (self, f, i, y0, y1, hl))
        {
          /* drawn below in one stroke and one fill per colour */
          PlainArrow pa = { x0,
                            y0,
                            x1,
                            y1,
                            i,
                            r->color,
                            f->fade &&
                              cap_recording_get_packet (self->recording, i)->ts > self->playhead };
          g_array_append_val (plain, pa);
        }
      else
        draw_arrow (self, cr, f, i, x0, y0, x1, y1, &f->pal->packet[r->color]);
    }
  draw_plain_arrows (self, cr, f, plain);
}

static int
compare_agg (gconstpointer a, gconstpointer b)
{
  const AggSeg *x = a, *y = b;
  if (x->level != y->level)
    return x->level - y->level;
  if (x->route != y->route)
    return x->route - y->route;
  return x->y0 < y->y0 ? -1 : x->y0 > y->y0;
}

/* Too many packets for single arrows: the plot is cut into ROW_PX-high
 * rows; in each, every route (sender lane -> receiver lane) that carried a
 * packet is marked, darker the more packets the row holds. Which routes
 * are present comes from the per-64-packet masks, so a row costs
 * O(packets in it / 64). Consecutive rows of one route at one darkness
 * become one band, filled once per (darkness, route): a frame is a few
 * dozen fills, whatever the number of packets. */
static void
flush_run (SlTimelinePainter *self, AggSeg *run)
{
  if (run->y1 > run->y0)
    g_array_append_val (self->agg, *run);
  run->y0 = run->y1 = 0;
}

/* The segments [k, j) of self->agg, as rectangles from @x0 to @x1, moved
 * down by @dy */
static void
path_segments (SlTimelinePainter *self,
               cairo_t           *cr,
               guint              k,
               guint              j,
               double             x0,
               double             x1,
               double             dy)
{
  double left = MIN (x0, x1), w = fabs (x1 - x0);

  for (guint m = k; m < j; m++)
    {
      const AggSeg *seg = &g_array_index (self->agg, AggSeg, m);
      cairo_rectangle (cr, left, seg->y0 + dy, w, seg->y1 - seg->y0);
    }
}

/* Where many routes cross the same stretch, full-width bands would be a
 * wall of colour: a strong glow where the route leaves and enters its
 * lanes, fading along it (unlike a state band, which is solid and
 * narrow), and a faint band between. The glow fades in solid steps: a
 * solid fill costs a fraction of a gradient's per pixel, and the bands of
 * a million packets cover much of the plot. */
#define GLOW_STEPS 3
static void
fill_route_bands (SlTimelinePainter *self, cairo_t *cr, const Frame *f, guint k, guint j)
{
  /* light: bands of many routes overlap, and the lanes must show through */
  static const double level_alpha[4] = { 0.14, 0.24, 0.36, 0.5 };
  const AggSeg       *first = &g_array_index (self->agg, AggSeg, k);
  const Route        *r = &g_array_index (self->routes, Route, first->route);
  const Lane         *a = &g_array_index (self->lanes, Lane, r->from);
  const Lane         *b = &g_array_index (self->lanes, Lane, r->to);
  const SlRgb        *c = &f->pal->packet[r->color];
  double              s = self->scale;
  double              alpha = level_alpha[first->level];
  double              strong = MIN (alpha * 2.4, 1), faint = alpha * 0.4;
  double              slant = f->slant * 0.5;
  double              dir = b->x >= a->x ? 1 : -1;
  double              stub = MIN (44 * s, fabs (b->x - a->x) * 0.35);

  if (a == b)
    {
      path_segments (self, cr, k, j, a->x - 8 * s, a->x + 8 * s, 0);
      sl_palette_set_source (cr, c, alpha * 2);
      cairo_fill (cr);
      return;
    }
  /* a step's two ends in one fill: they have the same colour and alpha,
   * and lie apart (a stub is at most 35 % of the way), so each pixel is
   * filled as by two fills, and a frame makes half as many */
  for (int step = 0; step < GLOW_STEPS; step++)
    {
      for (int end = 0; end < 2; end++)
        {
          double x = end == 0 ? a->x : b->x;
          double d = end == 0 ? dir * stub : -dir * stub;

          path_segments (self, cr, k, j, x + d * step / GLOW_STEPS, x + d * (step + 1) / GLOW_STEPS,
                         end == 0 ? 0 : slant);
        }
      sl_palette_set_source (cr, c, strong + (faint - strong) * (step + 0.5) / GLOW_STEPS);
      cairo_fill (cr);
    }
  /* between: a band from lane to lane, slanted like the arrows it stands
   * for, hatched: every other pixel row, the route's parity, at twice the
   * alpha. It reads as the same faint band, costs half the pixels, and
   * the two directions of a connection interleave rather than pile up. */
  for (guint m = k; m < j; m++)
    {
      const AggSeg *seg = &g_array_index (self->agg, AggSeg, m);
      double        xa = a->x + dir * stub, xb = b->x - dir * stub;
      double        y = floor (seg->y0);

      if (((int) y & 1) != (first->route & 1))
        y += 1;
      for (; y < seg->y1; y += 2)
        {
          if (fabs (slant) < 1)
            {
              cairo_rectangle (cr, MIN (xa, xb), y, fabs (xb - xa), 1);
              continue;
            }
          cairo_move_to (cr, xa, y);
          cairo_line_to (cr, xb, y + slant);
          cairo_line_to (cr, xb, y + slant + 1);
          cairo_line_to (cr, xa, y + 1);
          cairo_close_path (cr);
        }
    }
  sl_palette_set_source (cr, c, MIN (2 * faint, 1));
  cairo_fill (cr);
}

/* How dark a row's bands are: the decade of its packet count, so
 * neighbouring rows rarely differ and bands stay long; near a decade's
 * edge a row keeps the darkness of the row above unless its count is
 * clearly across (30 %), or a steady stream at about 10 packets a row
 * would be cut into pieces a row or two long, each a fill of its own. */
static guint8
density_level (guint n, guint8 above)
{
  static const guint upper[3] = { 10, 100, 1000 }; /* the first count of the next level */
  guint8             level = n < 10 ? 0 : n < 100 ? 1 : n < 1000 ? 2 : 3;

  if (above < 3 && level == above + 1 && n * 10 < upper[above] * 13)
    return above;
  if (above <= 3 && level + 1 == above && n * 13 >= upper[level] * 10)
    return above;
  return level;
}

/* Counts the packets of each ROW_PX row of the plot into self->agg and
 * self->dense, unless the last dense frame had the same range and plot. */
static void
ensure_density (SlTimelinePainter *self, const Frame *f)
{
  CapRecording      *rec = self->recording;
  DenseCache        *cache = &self->dense;
  guint              n_routes = self->routes->len;
  g_autofree AggSeg *runs = NULL;
  g_autofree double *display = NULL;
  g_autofree gint64 *bound_ts = NULL;
  guint              n_bounds, k;
  guint              i1;
  guint8             last_level = G_MAXUINT8;

  if (cache->valid && cache->d0 == f->d0 && cache->px_per_unit == f->px_per_unit &&
      cache->top == self->top && cache->bottom == self->bottom)
    return;
  cache->valid = TRUE;
  cache->d0 = f->d0;
  cache->px_per_unit = f->px_per_unit;
  cache->top = self->top;
  cache->bottom = self->bottom;
  cache->n_packets = 0;
  g_array_set_size (cache->rows, 0);
  g_array_set_size (self->agg, 0);

  runs = g_new0 (AggSeg, MAX (n_routes, 1));
  for (guint r = 0; r < n_routes; r++)
    runs[r].route = r;
  /* the rows' bounds, top to bottom: the axis and the packets are each
   * searched forward from the bound above, not from scratch (a frame of
   * 540 rows read ~20 far-apart packets per row: most of its time) */
  n_bounds = 1;
  for (double y = self->top; y < self->bottom; y += ROW_PX)
    n_bounds++;
  display = g_new (double, n_bounds);
  bound_ts = g_new (gint64, n_bounds);
  display[0] = f->d0;
  k = 1;
  for (double y = self->top; y < self->bottom; y += ROW_PX)
    display[k++] = f->d0 + (y + ROW_PX - self->top) / f->px_per_unit;
  sl_timeline_axis_from_display_sorted (self->axis, display, n_bounds, bound_ts);
  i1 = cap_recording_find_packet_at (rec, bound_ts[0]);

  k = 1;
  for (double y = self->top; y < self->bottom; y += ROW_PX, k++)
    {
      guint   i0 = i1;
      guint64 mask = 0;
      guint   i, n, lim;
      guint8  level;

      /* rows share their bounds */
      i1 = cap_recording_find_packet_from (rec, bound_ts[k], i0);
      n = i1 - i0;
      if (n == 0)
        {
          for (guint r = 0; r < n_routes; r++)
            if (runs[r].y1 > runs[r].y0)
              flush_run (self, &runs[r]);
          continue;
        }
      lim = MIN (i1, self->n_routed);
      for (i = i0; i < lim && (i & 63); i++)
        if (self->packet_route[i] != NO_ROUTE)
          mask |= G_GUINT64_CONSTANT (1) << (self->packet_route[i] & 63);
      for (; i + 64 <= lim; i += 64)
        mask |= self->block_mask[i >> BLOCK_SHIFT];
      for (; i < lim; i++)
        if (self->packet_route[i] != NO_ROUTE)
          mask |= G_GUINT64_CONSTANT (1) << (self->packet_route[i] & 63);

      level = density_level (n, last_level);
      last_level = level;
      for (guint r = 0; r < n_routes; r++)
        {
          AggSeg  *run = &runs[r];
          gboolean present = (mask & (G_GUINT64_CONSTANT (1) << (r & 63))) != 0;

          /* A route missing from one row between two that carry it goes
           * on through it: at this density that row is noise, and a band
           * cut at every such row would be hundreds of fills. (y1 is a
           * float, y a double, and the plot's top need not be a whole
           * pixel: compare with half a pixel to spare.) */
          if (run->y1 > run->y0)
            {
              float gap = (float) y - run->y1;

              if (!present ? gap > (float) ROW_PX - 0.5f
                           : run->level != level || gap > (float) ROW_PX + 0.5f)
                flush_run (self, run);
            }
          if (!present)
            continue;
          if (run->y1 <= run->y0)
            {
              run->y0 = (float) y;
              run->level = level;
            }
          run->y1 = (float) (y + ROW_PX);
        }
      {
        HitRow row = { y, y + ROW_PX, i0, i1 };
        g_array_append_val (cache->rows, row);
      }
      cache->n_packets += n;
    }
  for (guint r = 0; r < n_routes; r++)
    flush_run (self, &runs[r]);
  g_array_sort (self->agg, compare_agg);
}

static void
draw_packets_dense (SlTimelinePainter *self, cairo_t *cr, const Frame *f)
{
  ensure_density (self, f);
  g_array_append_vals (self->hit_rows, self->dense.rows->data, self->dense.rows->len);
  self->stats.n_packets_aggregated += self->dense.n_packets;

  /* bands are rows of whole pixels: antialiasing would only cost time */
  cairo_save (cr);
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  for (guint k = 0, j; k < self->agg->len; k = j)
    {
      const AggSeg *first = &g_array_index (self->agg, AggSeg, k);

      for (j = k + 1; j < self->agg->len; j++)
        {
          const AggSeg *seg = &g_array_index (self->agg, AggSeg, j);
          if (seg->route != first->route || seg->level != first->level)
            break;
        }
      fill_route_bands (self, cr, f, k, j);
    }
  cairo_restore (cr);
}

/* The packets whose arrows may show: [*i0, *i1) */
void
sl_painter_visible_packets (SlTimelinePainter *self, const Frame *f, guint *i0, guint *i1)
{
  CapRecording *rec = self->recording;
  /* an arrow's head is slant pixels below its tail: start that much earlier */
  gint64 t0 = sl_timeline_axis_from_display (self->axis, f->d0 - f->slant / f->px_per_unit);

  *i0 = cap_recording_find_packet_at (rec, t0);
  *i1 = MIN (cap_recording_find_packet_at (rec, self->end + 1), self->n_routed);
  if (*i0 > *i1)
    *i0 = *i1;
}

void
sl_painter_draw_packets (SlTimelinePainter *self, cairo_t *cr, const Frame *f)
{
  guint i0, i1;

  sl_painter_visible_packets (self, f, &i0, &i1);
  if (i0 >= i1)
    return;
  if (i1 - i0 <= (self->bottom - self->top) / MIN_ARROW_SPACING)
    draw_packets_single (self, cr, f, i0, i1);
  else
    {
      self->stats.aggregated = TRUE;
      draw_packets_dense (self, cr, f);
    }
}
