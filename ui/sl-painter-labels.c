/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-painter-labels.c: the labels layer, laid out before anything is drawn
 * (no cairo context needed, so tests read the rectangles), then drawn.
 *
 * Each call has two labels, its name beside the row it entered and its
 * result beside the row it returned; each packet one, above its arrow; each
 * break of the Sequence axis says how long and what ended it. Candidates
 * are placed top to bottom; one that would overlap a placed label slides
 * down as far as it may (along its box, or a little on the Sequence axis).
 * On the Sequence axis every row's band holds one line, so at the natural
 * zoom that is all: rows, not labels, make the room.
 *
 * On the Time axis a handshake's packets are microseconds apart: what finds
 * no room beside its event goes, once all the others are placed, to free
 * room above or below, with a leader line back to its call or arrow. What
 * is left is never lost in silence: "+3 more" where it was, and above the
 * plot how many labels are hidden and how to see them (zoom in, or the
 * Sequence axis).
 */

#include "config.h"

#include "sl-timeline-painter-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>

/* placed labels a new one is checked against: enough for a column of
 * labels the height of a projector, and a bound on a dense frame's work */
#define OVERLAP_WINDOW 256
#define MAX_CANDIDATES 4096
/* calls of one lane within a line of text each get a label's chance; past
 * that many the rest of the crowd is counted, not measured */
#define MAX_CROWD 8
/* how far (in lines of text) a label of the Time axis may slide below its
 * event, in order, a leader line taking it back */
#define LEADER_REACH 12

typedef struct
{
  SlLabelKind           kind;
  guint                 index;
  double                x, y, w, h;
  double                max_y;  /* how far down it may slide */
  double                near_y; /* below this, a leader line takes it back */
  double                max_w;
  PangoFontDescription *font;
  char                 *text;
  gboolean              ellipsized;
  PangoLayout          *layout; /* measured, and drawn as it is */
  double                ax, ay; /* what it names: beside a call's row, an arrow's middle */
  double                align;
  double                key;     /* placing order: top to bottom */
  double                event_y; /* where its event is */
  gboolean              beside;  /* a call's result on its name's line, after it */
  double                beside_dy; /* below the name's top by this: baselines met */
  double                under_x;   /* where it goes when not beside: under the name */
  double                under_dy;
} Candidate;

/* Labels that found no room, counted where they would have been */
typedef struct
{
  double x, y, align;
  guint  count;
} Hidden;

static void
candidate_clear (gpointer data)
{
  g_free (((Candidate *) data)->text);
}

static int
compare_candidates (gconstpointer a, gconstpointer b)
{
  const Candidate *x = a, *y = b;

  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return x->kind - y->kind;
}

/* The @i-th layout of the pool: a label is shaped once, when measured,
 * and drawn from the same layout */
static PangoLayout *
pooled_layout (SlTimelinePainter *self, guint i)
{
  while (self->label_layouts->len <= i)
    {
      PangoLayout *layout = pango_layout_new (self->pango);

      /* too long for its room: onto a second line, and cut short only
       * past that */
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
      pango_layout_set_height (layout, -2);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_alignment (layout, PANGO_ALIGN_LEFT);
      g_ptr_array_add (self->label_layouts, layout);
    }
  return g_ptr_array_index (self->label_layouts, i);
}

/* @x is the anchor: the left edge (@align 0), the centre (0.5), the right
 * edge (1); @cy the vertical centre wanted */
static Candidate *
add_candidate (SlTimelinePainter    *self,
               GArray               *cands,
               SlLabelKind           kind,
               guint                 index,
               PangoFontDescription *font,
               char                 *text,
               double                x,
               double                align,
               double                cy,
               double                max_w,
               double                slide)
{
  Candidate c = { kind, index, 0, 0, 0, 0, 0, 0, max_w, font, text, FALSE, NULL, x, cy, align };

  c.layout = pooled_layout (self, cands->len);
  c.ellipsized = sl_painter_measure_label (c.layout, font, text, max_w, &c.w, &c.h);
  c.x = x - c.w * align;
  c.y = cy - c.h / 2;
  c.max_y = c.y + slide;
  c.event_y = cy;
  g_array_append_val (cands, c);
  return &g_array_index (cands, Candidate, cands->len - 1);
}

/* How far below the top of @name's line @res's top goes, for their
 * baselines to meet (a bold name, a smaller result) */
static double
baseline_offset (const Candidate *name, const Candidate *res)
{
  return (pango_layout_get_baseline (name->layout) - pango_layout_get_baseline (res->layout)) /
         (double) PANGO_SCALE;
}

static gboolean
rows_readable (SlTimelinePainter *self, const Frame *f)
{
  /* the Sequence axis zoomed out past a line per row: no room for words */
  return sl_timeline_axis_get_natural_px_per_unit (self->axis) <= 0 ||
         self->row_h * f->px_per_unit >= self->line_h * 0.9;
}

static void
add_hidden (GArray *hidden, double x, double align, double y, guint count)
{
  Hidden h = { x, y, align, count };

  if (count > 0)
    g_array_append_val (hidden, h);
}

/* On the Time axis a call's result goes on its name's line where both fit
 * in the room beside the column ("close(fd=13) = 0"): a select() server's
 * crowd of calls then needs half the lines, and finds room near its events */
static void
result_beside_name (SlTimelinePainter *self, Candidate *name, Candidate *res, double room)
{
  double gap = 6 * self->scale;
  double total = name->w + gap + res->w;

  if (name->ellipsized || res->ellipsized || name->h > self->line_h * 1.5 ||
      res->h > self->line_h * 1.5 || total > room)
    return;
  if (name->align > 0.5)
    name->x = name->ax - total; /* right-aligned to the column: the pair ends there */
  res->x = name->x + name->w + gap;
  res->under_x = res->x;
  res->under_dy = res->y - name->y;
  res->beside_dy = baseline_offset (name, res);
  res->y = name->y + res->beside_dy;
  res->max_y = name->max_y + (res->y - name->y);
  res->beside = TRUE;
}

/* Do more than MAX_CROWD of @list's calls after the @i-th start above @y? */
static gboolean
crowd_dense (SlTimelinePainter *self, const Frame *f, const CallList *list, guint i, double y)
{
  guint probe = i + MAX_CROWD;

  return probe < list->ids->len &&
         sl_painter_event_y (self, f, SL_AXIS_CALL_ENTER,
                             g_array_index (list->ids, guint32, probe)) < y;
}

static void
collect_call_list (SlTimelinePainter *self,
                   const Frame       *f,
                   const Column      *col,
                   const CallList    *list,
                   GArray            *cands,
                   GArray            *hidden)
{
  CapRecording *rec = self->recording;
  double        s = self->scale;
  gboolean      rows = sl_timeline_axis_get_natural_px_per_unit (self->axis) > 0;
  int           side = rows ? col->row_label_side : col->label_side;
  double        x = side < 0 ? col->x_left - 8 * s : col->x_right + 6 * s;
  double        align = side < 0 ? 1 : 0;
  guint         i = sl_painter_call_list_first_visible (list, self->begin);
  double        room = rows ? col->row_label_room : col->label_room;
  guint         crowd = 0;
  /* more candidates than the plot could ever hold are measured for nothing */
  guint budget = (guint) ((self->bottom - self->top) / self->line_h) * (self->columns->len + 2);

  if (room < 40 * s)
    {
      /* no room beside the column at all: counted, at its first call */
      guint n = sl_painter_call_list_first_from (list, self->end + 1);

      if (i < n)
        add_hidden (hidden, x, align,
                    MAX (sl_painter_event_y (self, f, SL_AXIS_CALL_ENTER,
                                             g_array_index (list->ids, guint32, i)),
                         self->top),
                    2 * (n - i));
      return;
    }
  while (i < list->ids->len && cands->len < MAX_CANDIDATES)
    {
      guint         id = g_array_index (list->ids, guint32, i);
      const NcCall *c = cap_recording_get_call (rec, id);
      double        y0, y1, name_bottom;
      Candidate    *name;
      GString      *call = g_string_new (NULL), *result = g_string_new (NULL);
      guint         next;

      if (c->ts_start > self->end)
        {
          g_string_free (call, TRUE);
          g_string_free (result, TRUE);
          break;
        }
      y0 = sl_painter_event_y (self, f, SL_AXIS_CALL_ENTER, id);
      y1 = sl_painter_event_y (self, f, SL_AXIS_CALL_RETURN, id);
      sl_format_call_label (c, f->now, call, result);
      /* On rows the name is beside the entry row and the result beside the
       * return row; in time, the result goes under the name. */
      name =
        add_candidate (self, cands, SL_LABEL_CALL, id, self->font_bold, g_string_free (call, FALSE),
                       x, align, rows ? y0 : y0 + self->line_h / 2, room,
                       rows ? 2 * self->row_h * f->px_per_unit : MAX (y1 - y0, 0));
      name->event_y = y0;
      name_bottom = name->y + name->h;
      {
        Candidate *res = add_candidate (
          self, cands, SL_LABEL_CALL_RESULT, id, self->font_small, g_string_free (result, FALSE), x,
          align, rows ? MAX (y1, name_bottom + self->line_h / 2) : name_bottom + self->line_h / 2,
          room, rows ? 4 * self->row_h * f->px_per_unit : self->line_h);

        res->event_y = rows ? y1 : y0;
        name = res - 1;
        if (!rows)
          result_beside_name (self, name, res, room);
        else
          name_bottom = name->y + name->h;
      }

      /* calls denser than lines of text: a few get a chance to be led
       * out; past those, where more than a crowd's worth start within this
       * label's height (a steady stream a little closer than lines is
       * stacked, every label kept), the next worth trying starts below,
       * and the ones between are counted */
      next = i + 1;
      if (next < list->ids->len &&
          sl_painter_event_y (self, f, SL_AXIS_CALL_ENTER,
                              g_array_index (list->ids, guint32, next)) < name_bottom &&
          ((++crowd >= MAX_CROWD && crowd_dense (self, f, list, i, name_bottom)) ||
           cands->len >= budget))
        {
          guint below = sl_painter_call_list_first_from (
            list, sl_painter_y_to_time_frame (self, f, name_bottom));

          if (below > next)
            {
              guint n_shown = below;

              /* only what has started by the end of the view is a label lost */
              while (n_shown > next &&
                     cap_recording_get_call (rec, g_array_index (list->ids, guint32, n_shown - 1))
                         ->ts_start > self->end)
                n_shown--;
              add_hidden (hidden, x, align, name_bottom, 2 * (n_shown - next));
              next = below;
            }
          crowd = 0;
        }
      else if (next < list->ids->len &&
               sl_painter_event_y (self, f, SL_AXIS_CALL_ENTER,
                                   g_array_index (list->ids, guint32, next)) >= name_bottom)
        crowd = 0;
      i = next;
    }
}

static void
collect_calls (SlTimelinePainter *self, const Frame *f, GArray *cands, GArray *hidden)
{
  for (guint ci = 0; ci < self->columns->len; ci++)
    {
      const Column *col = &g_array_index (self->columns, Column, ci);

      for (guint li = 0; li < col->n_lanes; li++)
        collect_call_list (self, f, col,
                           &g_array_index (self->lanes, Lane, col->first_lane + li).calls, cands,
                           hidden);
      collect_call_list (self, f, col, &col->calls, cands, hidden);
    }
}

/* On the Time axis, the room between the call labels of a route's two
 * columns (the left one's labels end left of its lanes or start right of
 * them): a packet's label wider than that wraps onto a second line there
 * rather than stray below the crowd, out of the handshake's order */
static gboolean
room_between_labels (SlTimelinePainter *self, const Route *r, double *x0, double *x1)
{
  const Column *a =
    &g_array_index (self->columns, Column, g_array_index (self->lanes, Lane, r->from).column);
  const Column *b =
    &g_array_index (self->columns, Column, g_array_index (self->lanes, Lane, r->to).column);
  double s = self->scale;

  if (a->x > b->x)
    {
      const Column *t = a;
      a = b;
      b = t;
    }
  *x0 = a->label_side < 0 ? a->x_left - 8 * s + 1 : a->x_right + 6 * s + a->label_room + 1;
  *x1 = b->label_side > 0 ? b->x_right + 6 * s - 1 : b->x_left - 8 * s - b->label_room - 1;
  return *x1 - *x0 >= 100 * s;
}

static void
collect_packets (SlTimelinePainter *self, const Frame *f, GArray *cands)
{
  gboolean rows = sl_timeline_axis_get_natural_px_per_unit (self->axis) > 0;
  guint    i0, i1;

  sl_painter_visible_packets (self, f, &i0, &i1);
  if (i1 - i0 > (self->bottom - self->top) / MIN_ARROW_SPACING)
    return; /* density bands: no single arrows to label */
  for (guint i = i0; i < i1 && cands->len < MAX_CANDIDATES; i++)
    {
      double       x0, y0, x1, y1, len;
      const Route *r;
      GString     *text;

      if (!sl_painter_packet_line (self, f, i, &x0, &y0, &x1, &y1))
        continue;
      r = &g_array_index (self->routes, Route, self->packet_route[i]);
      len = fabs (x1 - x0);
      if (r->from == r->to)
        continue;
      /* a short arrow's label may be wider than the arrow: on rows the row
       * is its own, in time it goes on its halo or is led out */
      text = g_string_new (NULL);
      sl_painter_packet_label (self, i, text);
      {
        double   max_w = MAX (len * 0.85, 220 * self->scale), room0 = 0, room1 = 0;
        gboolean between =
          !rows && self->has_calls && room_between_labels (self, r, &room0, &room1);
        Candidate *c = add_candidate (self, cands, SL_LABEL_PACKET, i, self->font_bold,
                                      g_string_free (text, FALSE), (x0 + x1) / 2, 0.5, 0,
                                      between ? MIN (max_w, room1 - room0) : max_w, 0);

        if (between)
          c->x = CLAMP (c->x, room0, room1 - c->w);
        /* above the arrow: its bottom clear of the line at both its ends */
        c->y = (y0 + y1) / 2 - fabs (y1 - y0) * MIN (c->w, len) / MAX (len, 1) / 2 - c->h -
               1 * self->scale;
        /* where the row above needs that room, it may come down onto the
         * arrow's middle, but no lower */
        c->max_y = (y0 + y1) / 2 - c->h * 0.6;
        c->ay = (y0 + y1) / 2;
        c->event_y = MIN (y0, y1);
      }
    }
}

static void
collect_breaks (SlTimelinePainter *self, const Frame *f, GArray *cands)
{
  guint n = sl_timeline_axis_get_n_breaks (self->axis);

  /* the Time axis says "held ..." in the gutter; rows say it across */
  if (sl_timeline_axis_get_natural_px_per_unit (self->axis) <= 0)
    return;
  for (guint i = 0; i < n; i++)
    {
      const SlAxisBreak *b = sl_timeline_axis_get_break (self->axis, i);
      double             y = self->top + ((b->d0 + b->d1) / 2 - f->d0) * f->px_per_unit;
      Candidate         *c;

      if (y < self->top - self->line_h || y > self->bottom + self->line_h)
        continue;
      /* centred in its strip, or lower in it where a call's wrapped name
       * reaches down into it */
      c = add_candidate (self, cands, SL_LABEL_BREAK, i, self->font_small, g_strdup (b->text),
                         (self->gutter + self->width) / 2, 0.5, y, self->width - self->gutter, 0);
      c->max_y = MAX (c->y, self->top + (b->d1 - f->d0) * f->px_per_unit - c->h);
    }
}

static gboolean
overlaps (const SlTimelineLabel *a, double x, double y, double w, double h)
{
  return a->x < x + w && x < a->x + a->width && a->y < y + h && y < a->y + a->height;
}

/* The first placed label @c would overlap at @y, or NULL */
static const SlTimelineLabel *
find_overlap (SlTimelinePainter *self, const Candidate *c, double x, double y)
{
  guint n = self->labels->len;

  for (guint k = n > OVERLAP_WINDOW ? n - OVERLAP_WINDOW : 0; k < n; k++)
    {
      const SlTimelineLabel *l = &g_array_index (self->labels, SlTimelineLabel, k);
      if (overlaps (l, x, y, c->w, c->h))
        return l;
    }
  return NULL;
}

/* Does [@x, @x + @w] reach over a lane: its line, its calls' boxes, its
 * state band? */
static gboolean
over_a_lane (SlTimelinePainter *self, double x, double w)
{
  for (guint li = 0; li < self->lanes->len; li++)
    {
      const Lane *l = &g_array_index (self->lanes, Lane, li);

      if (x < l->x + self->box_w / 2 + self->band_w + self->scale && l->x - self->box_w / 2 < x + w)
        return TRUE;
    }
  return FALSE;
}

/* Adds @c at (@x, @y); @leader: drawn with a line back to what it names */
static void
put (SlTimelinePainter *self, const Candidate *c, double x, double y, gboolean leader)
{
  SlTimelineLabel label;
  LabelStyle      style;

  label.kind = c->kind;
  label.index = c->index;
  label.x = x;
  label.y = y;
  label.width = c->w;
  label.height = c->h;
  label.text = g_string_chunk_insert (self->label_text, c->text);
  label.lines = sl_painter_label_lines (self, c->layout, label.text);
  label.ellipsized = c->ellipsized;
  style.layout = c->layout;
  style.leader = leader;
  style.outline = over_a_lane (self, x, c->w);
  style.beside = c->beside;
  style.ax = c->ax;
  style.ay = c->ay;
  g_array_append_val (self->labels, label);
  g_array_append_val (self->label_styles, style);
}

/* The placed label of call @index's name, or -1 (hidden) */
static int
placed_name (SlTimelinePainter *self, guint index)
{
  for (guint k = self->labels->len; k-- > 0;)
    {
      const SlTimelineLabel *l = &g_array_index (self->labels, SlTimelineLabel, k);

      if (l->kind == SL_LABEL_CALL && l->index == index)
        return (int) k;
    }
  return -1;
}

/* A result meant for its name's line goes there, wherever the name was
 * placed, if that spot is free. Else it goes under its name, as any
 * result (the name hidden: where it was meant to be), and is placed from
 * there: FALSE. */
static gboolean
place_beside_name (SlTimelinePainter *self, Candidate *c)
{
  int    k = placed_name (self, c->index);
  double x, y;

  if (k >= 0)
    {
      const SlTimelineLabel *name = &g_array_index (self->labels, SlTimelineLabel, k);

      x = name->x + name->width + 6 * self->scale;
      y = name->y + c->beside_dy;
      if (find_overlap (self, c, x, y) == NULL && x + c->w <= self->width)
        {
          put (self, c, x, y, g_array_index (self->label_styles, LabelStyle, k).leader);
          return TRUE;
        }
      y = name->y + c->under_dy;
    }
  else
    y = c->y - c->beside_dy + c->under_dy;
  c->max_y += y - c->y;
  c->x = c->under_x;
  c->y = y;
  c->beside = FALSE;
  return FALSE;
}

/* Beside its event, or a little below: FALSE where there is no room.
 * @overflow: on the Time axis, it may go on below the plot's bottom, for
 * lift_overflow () to bring it back in. */
static gboolean
place (SlTimelinePainter *self, const Candidate *c, double plot_end, gboolean overflow)
{
  const SlTimelineLabel *hit;
  double                 x = c->x;
  double                 y = c->y;
  gboolean               rows = sl_timeline_axis_get_natural_px_per_unit (self->axis) > 0;
  /* in time a call's label stays in its column's order: no sideways step */
  gboolean shifted = !rows && (c->kind == SL_LABEL_CALL || c->kind == SL_LABEL_CALL_RESULT);

  if (y + c->h < self->top - self->line_h)
    return TRUE; /* off the plot: nothing to place */
  if (rows && y > self->bottom)
    return TRUE;
  if (self->page && (y + c->h / 2 < self->top || y + c->h / 2 >= plot_end))
    return TRUE; /* a page's neighbour draws it (sl_timeline_painter_set_page) */
  /* in time, the last event's label rises into the plot rather than past
   * its edge (rows scroll on instead) */
  if (!rows && y + c->h > self->bottom)
    {
      if (c->event_y > self->bottom + 1)
        return TRUE; /* its event is past the edge */
      y = self->bottom - c->h;
    }
  while ((hit = find_overlap (self, c, x, y)) != NULL)
    {
      /* A packet's label wider than its arrow reaches over the lanes at its
       * ends, where calls have their labels: whichever comes second moves
       * sideways out of the other's way, once and by at most half its
       * width, before it moves down (a break's label spans the diagram);
       * a label too wide to step aside from the one above it keeps that
       * step for the call's label it meets lower down. */
      if (c->kind != SL_LABEL_BREAK && !shifted)
        {
          double nx = hit->x > x ? hit->x - c->w - 1 : hit->x + hit->width + 1;

          if (fabs (nx - c->x) <= c->w / 2 && nx >= self->gutter && nx + c->w <= self->width)
            {
              shifted = TRUE;
              x = nx;
              continue;
            }
        }
      y = hit->y + hit->height + 1;
      if (y > c->max_y || (!rows && !overflow && y + c->h > self->bottom + self->line_h / 2))
        return FALSE;
    }
  put (self, c, x, y, y > c->near_y);
  return TRUE;
}

static int
compare_guint_descending (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return (x < y) - (x > y);
}

static int
compare_lower_first (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const SlTimelineLabel *labels = user_data;
  const SlTimelineLabel *x = &labels[*(const guint *) a], *y = &labels[*(const guint *) b];

  return (x->y < y->y) - (x->y > y->y);
}

/* For each placed label, the result placed on its line (a name's), or -1 */
static int *
result_partners (SlTimelinePainter *self)
{
  guint n = self->labels->len;
  int  *partner = g_new (int, n);

  for (guint k = 0; k < n; k++)
    partner[k] = -1;
  for (guint k = 0; k < n; k++)
    {
      const SlTimelineLabel *l = &g_array_index (self->labels, SlTimelineLabel, k);
      int                    name;

      if (l->kind != SL_LABEL_CALL_RESULT ||
          !g_array_index (self->label_styles, LabelStyle, k).beside)
        continue;
      name = placed_name (self, l->index);
      if (name >= 0)
        partner[name] = (int) k;
    }
  return partner;
}

/* On the Time axis a crowd at the plot's bottom edge has no room below it:
 * what the top-down pass stacked past the edge is lifted back in, the
 * lowest first, each pushing up what it lands on, so the crowd keeps its
 * order top to bottom and rises into the free room above, led back to its
 * event. Only what would rise past the top of the plot is hidden. */
static void
lift_overflow (SlTimelinePainter *self, double limit, GArray *hidden)
{
  SlTimelineLabel  *labels = (SlTimelineLabel *) (gpointer) self->labels->data;
  guint             n = self->labels->len;
  g_autofree guint *order = NULL;
  g_autofree int   *partner = NULL;
  g_autoptr (GArray) moved = NULL;
  double   s = self->scale;
  gboolean any = FALSE;

  for (guint k = 0; k < n && !any; k++)
    any = labels[k].y + labels[k].height > limit;
  if (!any)
    return;
  order = g_new (guint, n);
  for (guint k = 0; k < n; k++)
    order[k] = k;
  g_qsort_with_data (order, n, sizeof (guint), compare_lower_first, labels);
  moved = g_array_new (FALSE, FALSE, sizeof (guint));
  partner = result_partners (self);
  for (guint o = 0; o < n; o++)
    {
      SlTimelineLabel *l = &labels[order[o]];
      LabelStyle      *style = &g_array_index (self->label_styles, LabelStyle, order[o]);
      int              pk = partner[order[o]];
      SlTimelineLabel *res = pk >= 0 ? &labels[pk] : NULL;
      double           dy = res ? res->y - l->y : 0;
      double           y = MIN (l->y, limit - l->height);
      gboolean         clear;

      if (style->beside && placed_name (self, l->index) >= 0)
        continue; /* moves with its name */
      if (res)
        y = MIN (y, limit - dy - res->height);
      do
        {
          clear = TRUE;
          for (guint m = 0; m < moved->len && clear; m++)
            {
              const SlTimelineLabel *below = &labels[g_array_index (moved, guint, m)];

              if (overlaps (below, l->x, y, l->width, l->height) ||
                  (res && overlaps (below, res->x, y + dy, res->width, res->height)))
                {
                  y = MIN (below->y - l->height - 1,
                           res ? below->y - dy - res->height - 1 : G_MAXDOUBLE);
                  clear = FALSE;
                }
            }
        }
      while (!clear);
      if (y == l->y)
        continue;
      l->y = y;
      g_array_append_val (moved, order[o]);
      /* off its event: a line back to it */
      style->leader |= style->ay < y - 2 * s || style->ay > y + l->height + 2 * s;
      if (res)
        {
          res->y = y + dy;
          g_array_append_val (moved, pk);
          g_array_index (self->label_styles, LabelStyle, pk).leader = style->leader;
        }
    }
  /* what rose past the top of the plot found no room: counted where its
   * event is (a label that stayed where it was placed stays) */
  g_array_sort (moved, compare_guint_descending);
  for (guint m = 0; m < moved->len; m++)
    {
      guint             k = g_array_index (moved, guint, m);
      const LabelStyle *style = &g_array_index (self->label_styles, LabelStyle, k);

      if (labels[k].y >= self->top)
        continue;
      add_hidden (hidden, style->ax, 0.5, style->ay, 1);
      g_array_remove_index (self->labels, k);
      g_array_remove_index (self->label_styles, k);
      labels = (SlTimelineLabel *) (gpointer) self->labels->data;
    }
}

static int
compare_hidden (gconstpointer a, gconstpointer b)
{
  const Hidden *x = a, *y = b;

  return (x->y > y->y) - (x->y < y->y);
}

/* "+3 more" where labels found no room, one per crowd of them; a crowd
 * whose mark finds no room either is still in the notice's total */
static void
place_hidden_marks (SlTimelinePainter *self, GArray *hidden, guint n_used, double plot_end)
{
  g_array_sort (hidden, compare_hidden);
  for (guint k = 0; k < hidden->len;)
    {
      const Hidden *first = &g_array_index (hidden, Hidden, k);
      guint         count = 0;
      Candidate     c = { 0 };

      for (; k < hidden->len && g_array_index (hidden, Hidden, k).y < first->y + 3 * self->line_h;
           k++)
        count += g_array_index (hidden, Hidden, k).count;
      c.kind = SL_LABEL_HIDDEN;
      c.index = count;
      c.font = self->font_small;
      c.text =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "+%u more", "+%u more", count), count);
      c.layout = pooled_layout (self, n_used++);
      c.ellipsized = sl_painter_measure_label (c.layout, c.font, c.text, -1, &c.w, &c.h);
      c.x = CLAMP (first->x - c.w * first->align, self->gutter, self->width - c.w);
      c.y = first->y - c.h / 2;
      c.max_y = c.y + 2 * self->line_h;
      c.ax = first->x;
      c.ay = first->y;
      place (self, &c, plot_end, FALSE);
      g_free (c.text);
    }
}

/* Above the plot, at its right: how many labels are hidden, and how to see
 * them. A label reaching up into that strip gives way, and is counted. */
static void
place_notice (SlTimelinePainter *self, guint n_hidden, guint n_used)
{
  double    s = self->scale;
  gboolean  rows = sl_timeline_axis_get_natural_px_per_unit (self->axis) > 0;
  Candidate c = { 0 };

  c.kind = SL_LABEL_HIDDEN;
  c.font = self->font_small;
  c.layout = pooled_layout (self, n_used);
  for (int pass = 0; pass < 2; pass++)
    {
      double y;

      g_free (c.text);
      c.index = n_hidden;
      c.text =
        rows ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u label hidden: zoom in",
                                             "%u labels hidden: zoom in", n_hidden),
                                n_hidden)
             : g_strdup_printf (
                 g_dngettext (GETTEXT_PACKAGE, "%u label hidden: zoom in, or switch to Sequence",
                              "%u labels hidden: zoom in, or switch to Sequence", n_hidden),
                 n_hidden);
      c.ellipsized =
        sl_painter_measure_label (c.layout, c.font, c.text, self->width - self->gutter, &c.w, &c.h);
      c.x = self->width - c.w - 8 * s;
      y = self->top - c.h - 2 * s;
      c.y = y;
      if (pass == 1)
        break;
      /* what is in its way is hidden too */
      for (guint k = self->labels->len; k-- > 0;)
        {
          const SlTimelineLabel *l = &g_array_index (self->labels, SlTimelineLabel, k);

          if (overlaps (l, c.x, c.y, c.w, c.h))
            {
              /* a "+3 more" is in the count already */
              n_hidden += l->kind == SL_LABEL_HIDDEN ? 0 : 1;
              g_array_remove_index (self->labels, k);
              g_array_remove_index (self->label_styles, k);
            }
        }
    }
  put (self, &c, c.x, c.y, FALSE);
  self->stats.n_labels_dropped = n_hidden;
  g_free (c.text);
}

/**
 * sl_painter_layout_labels:
 *
 * Places the frame's labels (self->labels), measuring with the painter's
 * pango context: no drawing.
 */
void
sl_painter_layout_labels (SlTimelinePainter *self, const Frame *f)
{
  g_autoptr (GArray) cands = g_array_new (FALSE, FALSE, sizeof (Candidate));
  g_autoptr (GArray) hidden = g_array_new (FALSE, FALSE, sizeof (Hidden));
  gboolean rows = sl_timeline_axis_get_natural_px_per_unit (self->axis) > 0;
  guint    n_hidden = 0;

  g_array_set_clear_func (cands, candidate_clear);
  g_array_set_size (self->labels, 0);
  g_array_set_size (self->label_styles, 0);
  g_string_chunk_clear (self->label_text);
  self->stats.n_labels = self->stats.n_labels_dropped = 0;
  if (self->recording == NULL || self->columns->len == 0)
    return;

  if (rows_readable (self, f))
    {
      collect_calls (self, f, cands, hidden);
      collect_packets (self, f, cands);
    }
  collect_breaks (self, f, cands);
  /* top to bottom; in time, a crowd in the order of its events (an arrow's
   * middle, not its label's top: a wider label sits higher) and each call's
   * result right after its name */
  for (guint k = 0; k < cands->len; k++)
    {
      Candidate *c = &g_array_index (cands, Candidate, k);

      c->key = rows ? c->y : c->ay;
      if (!rows && c->kind == SL_LABEL_CALL_RESULT && k > 0)
        {
          const Candidate *name = c - 1;

          if (name->kind == SL_LABEL_CALL && name->index == c->index)
            c->key = name->key;
        }
    }
  g_array_sort (cands, compare_candidates);
  for (guint k = 0; k < cands->len; k++)
    {
      Candidate *c = &g_array_index (cands, Candidate, k);

      c->near_y = c->max_y;
      /* rows scrolled up under the header: a label reaching up into it
       * (the plot's clip starts a line above the top) runs over the
       * columns' addresses, cut; gone with its row, or moved down */
      if (rows && f->d0 > 0 && c->y < self->top - self->line_h)
        {
          if (c->event_y < self->top || self->top - self->line_h > c->max_y)
            continue;
          c->y = self->top - self->line_h; /* its row is in view: the label clear below */
        }
      /* in time, a crowd's labels stack below it in their order, each led
       * back to its event, rather than vanish */
      if (!rows && c->kind != SL_LABEL_BREAK)
        c->max_y = MAX (c->max_y, c->y + LEADER_REACH * self->line_h);
      if (c->beside && place_beside_name (self, c))
        continue;
      if (!place (self, c, sl_painter_plot_end (self, f), !rows))
        add_hidden (hidden, c->ax, c->align, c->ay, 1);
    }
  if (!rows)
    lift_overflow (self, sl_painter_plot_end (self, f), hidden);

  for (guint k = 0; k < hidden->len; k++)
    n_hidden += g_array_index (hidden, Hidden, k).count;
  if (n_hidden > 0)
    {
      place_hidden_marks (self, hidden, cands->len, sl_painter_plot_end (self, f));
      place_notice (self, n_hidden, cands->len + hidden->len);
    }
  self->stats.n_labels = self->labels->len;
}

static double
label_alpha (SlTimelinePainter *self, const Frame *f, const SlTimelineLabel *l)
{
  gint64 ts;

  if (!f->fade)
    return 1;
  if (l->kind == SL_LABEL_CALL || l->kind == SL_LABEL_CALL_RESULT)
    {
      if (g_hash_table_contains (self->hl_calls, GUINT_TO_POINTER (l->index)) ||
          l->index == self->current_call)
        return 1;
      ts = cap_recording_get_call (self->recording, l->index)->ts_start;
    }
  else if (l->kind == SL_LABEL_PACKET)
    {
      if (g_hash_table_contains (self->hl_packets, GUINT_TO_POINTER (l->index)))
        return 1;
      ts = cap_recording_get_packet (self->recording, l->index)->ts;
    }
  else
    return 1;
  return ts > self->playhead ? 0.45 : 1;
}

static const SlRgb *
label_color (SlTimelinePainter *self, const Frame *f, const SlTimelineLabel *l)
{
  switch (l->kind)
    {
    case SL_LABEL_CALL:
    case SL_LABEL_CALL_RESULT:
      if (nc_call_failed (cap_recording_get_call (self->recording, l->index)))
        return &f->pal->failed_text;
      return l->kind == SL_LABEL_CALL ? &f->pal->foreground : &f->pal->dim;
    case SL_LABEL_PACKET:
      return &f->pal
                ->packet_text[g_array_index (self->routes, Route, self->packet_route[l->index]).color];
    case SL_LABEL_HIDDEN:
      return &f->pal->foreground;
    case SL_LABEL_BREAK:
    default:
      return &f->pal->dim;
    }
}

/* A led-out label's line back to what it names: from the anchor (a dot)
 * to the nearest point of the label's box */
static void
draw_leaders (SlTimelinePainter *self, cairo_t *cr, const Frame *f)
{
  double s = self->scale;

  for (guint k = 0; k < self->labels->len; k++)
    {
      const SlTimelineLabel *l = &g_array_index (self->labels, SlTimelineLabel, k);
      const LabelStyle      *style = &g_array_index (self->label_styles, LabelStyle, k);
      double                 x, y;

      if (!style->leader)
        continue;
      x = CLAMP (style->ax, l->x, l->x + l->width);
      y = CLAMP (style->ay, l->y, l->y + l->height);
      sl_palette_set_source (cr, label_color (self, f, l), 0.8 * label_alpha (self, f, l));
      cairo_set_line_width (cr, 1.2 * s);
      cairo_move_to (cr, style->ax, style->ay);
      cairo_line_to (cr, x, y);
      cairo_stroke (cr);
      cairo_arc (cr, style->ax, style->ay, 2.5 * s, 0, 2 * G_PI);
      cairo_fill (cr);
    }
}

/* Every label on a halo of the background, so a lane, a state band or a
 * break's strip under it never strikes it through; a packet's label sits
 * clear above its own arrow, and the Sequence axis keeps other arrows off
 * it. A label that reaches over a lane (a packet's, wider than a short
 * arrow in large type; a call's, across a narrow pane's columns) is haloed
 * letter by letter: a box of background would cut the lane and the calls'
 * boxes there, and the ladder would look broken. */
void
sl_painter_draw_labels (SlTimelinePainter *self, cairo_t *cr, const Frame *f)
{
  double pad = 2 * self->scale;

  draw_leaders (self, cr, f);

  /* the halos first, one fill per alpha: plain rectangles, whole pixels */
  for (int faded = 0; faded < 2; faded++)
    {
      gboolean any = FALSE;

      for (guint k = 0; k < self->labels->len; k++)
        {
          const SlTimelineLabel *l = &g_array_index (self->labels, SlTimelineLabel, k);

          if ((label_alpha (self, f, l) < 1) != faded ||
              g_array_index (self->label_styles, LabelStyle, k).outline)
            continue;
          cairo_rectangle (cr, floor (l->x - pad), floor (l->y), ceil (l->width + 2 * pad),
                           ceil (l->height));
          any = TRUE;
        }
      if (!any)
        continue;
      sl_palette_set_source (cr, &f->pal->background, 0.82 * (faded ? 0.45 : 1));
      cairo_fill (cr);
    }

  for (guint k = 0; k < self->labels->len; k++)
    {
      const SlTimelineLabel *l = &g_array_index (self->labels, SlTimelineLabel, k);
      const LabelStyle      *style = &g_array_index (self->label_styles, LabelStyle, k);

      if (style->outline)
        {
          /* the glyphs' outlines stroked: the costliest thing a frame
           * draws (13 labels of the 1M capture: 1.9 ms). The halo is
           * background on background but where it crosses a lane, so a
           * coarser flattening and 4x4 antialiasing change 17 pixels by
           * at most 4/255 and halve it. */
          cairo_save (cr);
          cairo_set_tolerance (cr, 0.5);
          cairo_set_antialias (cr, CAIRO_ANTIALIAS_FAST);
          cairo_move_to (cr, l->x, l->y);
          pango_cairo_layout_path (cr, style->layout);
          sl_palette_set_source (cr, &f->pal->background, 0.9 * label_alpha (self, f, l));
          cairo_set_line_width (cr, 4 * self->scale);
          cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
          cairo_stroke (cr);
          cairo_restore (cr);
        }
      sl_palette_set_source (cr, label_color (self, f, l), label_alpha (self, f, l));
      cairo_move_to (cr, l->x, l->y);
      pango_cairo_show_layout (cr, style->layout);
    }
}
