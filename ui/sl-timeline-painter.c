/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-timeline-painter.c: the ladder diagram, drawn with cairo and pango.
 *
 * Work is split by what it depends on, so a frame does only the last part:
 *
 *   model layout   (the recording's content)  columns, lanes, each packet's
 *                  route between lanes, per-block route masks, TCP-state
 *                  segments, the gate breaks of the time axis: O(packets),
 *                  once per change of the recording;
 *   geometry       (width, text scale)        x of columns and lanes: O(lanes);
 *   frame          (range, playhead, selection) only what is visible: calls by
 *                  binary search per column, packets by binary search per
 *                  pixel row; rows denser than a few packets are drawn as one
 *                  density stroke per route, so a frame costs about the same
 *                  for a thousand packets as for a million.
 *
 * Arrows: the tail is at the packet's capture time on the sender's lane. A
 * capture on loopback (or on one interface) sees each packet once, so the
 * time it reached the other side is not measured; the head is drawn a fixed
 * number of pixels lower (a visual slant, as textbooks draw it), never
 * claimed as a measured delay. docs/PERFORMANCE.md and the user guide say so.
 */

#include "config.h"

#include "sl-timeline-painter.h"
#include "sl-id-set.h"
#include "cap-tcp-states.h"
#include "nc-format.h"

#include <math.h>
#include <netinet/in.h>
#include <pango/pangocairo.h>
#include <string.h>
#include <sys/socket.h>

/* Linux TCP state numbers (include/net/tcp_states.h) */
enum {
  TS_NONE, TS_ESTABLISHED, TS_SYN_SENT, TS_SYN_RECV, TS_FIN_WAIT1, TS_FIN_WAIT2,
  TS_TIME_WAIT, TS_CLOSE, TS_CLOSE_WAIT, TS_LAST_ACK, TS_LISTEN, TS_CLOSING,
  TS_NEW_SYN_RECV, TS_N
};

#define NO_LANE          G_MAXUINT32
#define NO_ROUTE         G_MAXUINT16
#define BLOCK_SHIFT      6            /* route masks per 64 packets */
#define ROW_PX           2.0          /* pixel rows per density bucket */
/* Single arrows while they are at least this many pixels apart on average;
 * denser than that they are a hatch anyway, and drawn as density bands. */
#define MIN_ARROW_SPACING 4.0
#define DEFAULT_COLUMNS  8            /* endpoint columns before "others" */
#ifndef STROKE_BATCH
#define STROKE_BATCH     8            /* arrow lines per cairo_stroke (): bounds the union cost */
#endif

typedef struct
{
  gint64 t0;
  gint64 t1;     /* 0: until the lane ends */
  guint8 state;
} StateSeg;

/* Calls in start order, with what a frame needs to find the visible ones
 * by binary search and to skip those sharing a pixel row. */
typedef struct
{
  GArray *ids;         /* guint32 call ids */
  GArray *starts;      /* gint64 ts_start */
  GArray *max_end;     /* gint64: the latest end among ids[0..i] (sorted) */
} CallList;

typedef struct
{
  guint32  socket;     /* CapSocket id, or CAP_NONE */
  guint32  endpoint;   /* endpoint columns: the endpoint, else CAP_NONE */
  guint    column;
  gint32   fd;
  gint64   t_first;
  gint64   t_last;     /* 0: still open */
  GArray  *states;     /* StateSeg */
  CallList calls;
  gboolean derived;
  gboolean listening;
  double   x;
} Lane;

typedef struct
{
  char    *title;
  char    *subtitle;
  int      actor;      /* -1 for endpoint columns */
  int      sort_key;
  guint    first_lane;
  guint    n_lanes;
  gboolean others;
  CallList calls;      /* calls on no lane of their own: select() */
  double   x;
  double   x_left;     /* lane group edges, boxes included */
  double   x_right;
  int      label_side; /* -1: labels left of the lanes, +1: right */
  double   label_room;
} Column;

typedef struct
{
  guint32 from;
  guint32 to;
  guint8  color;
} Route;

typedef struct
{
  gint64 real_start;
  gint64 real_end;
  double disp_start;   /* display time of real_start */
} Break;

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

struct _SlTimelinePainter
{
  GObject          parent_instance;

  CapRecording    *recording;

  /* model layout */
  gboolean         layout_valid;
  gboolean         has_calls;
  GArray          *columns;       /* Column */
  GArray          *lanes;         /* Lane */
  GArray          *routes;        /* Route */
  guint16         *packet_route;  /* per packet */
  guint64         *block_mask;    /* per 64 packets */
  guint            n_routed;
  guint32         *call_lane;     /* per call */
  guint            n_call_lane;
  guint32         *socket_lane;   /* per socket */
  guint            n_socket_lane;
  GArray          *breaks;        /* Break */
  double           break_len;     /* display ns a collapsed gap keeps */
  gint64           origin;        /* recording start */
  gint64           rec_end;
  guint8           states_used[TS_N];
  gboolean         any_kernel_states;
  gboolean         any_derived_states;
  guint            n_unplaced;

  /* view */
  int              width;
  int              height;
  gint64           begin;
  gint64           end;
  gint64           playhead;
  SlSelectionKind  sel_kind;
  guint            sel_index;
  SlTheme          theme;
  double           scale;
  gboolean         show_playhead;
  guint            max_columns;
  GArray          *conv_filter;   /* guint32 conversation ids, or NULL: the busiest */

  /* geometry */
  gboolean         geometry_valid;
  double           top;
  double           bottom;
  double           gutter;
  double           box_w;
  double           band_w;
  double           slant;
  double           line_h;

  /* frame */
  PangoContext    *pango;
  PangoLayout     *layout;
  PangoFontDescription *font;
  PangoFontDescription *font_bold;
  PangoFontDescription *font_small;
  PangoFontDescription *font_title;
  GHashTable      *hl_calls;
  GHashTable      *hl_packets;
  gboolean         hl_valid;
  GArray          *hit_calls;     /* HitItem */
  GArray          *hit_packets;   /* HitItem: the arrow's ends */
  GArray          *hit_rows;      /* HitRow */
  GArray          *agg;           /* AggSeg, reused */
  GArray          *plain_boxes;   /* PlainBox, reused */
  SlTimelineStats  stats;
};

G_DEFINE_FINAL_TYPE (SlTimelinePainter, sl_timeline_painter, G_TYPE_OBJECT)

static void
call_list_init (CallList *list)
{
  list->ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  list->starts = g_array_new (FALSE, FALSE, sizeof (gint64));
  list->max_end = g_array_new (FALSE, FALSE, sizeof (gint64));
}

static void
call_list_clear (CallList *list)
{
  g_clear_pointer (&list->ids, g_array_unref);
  g_clear_pointer (&list->starts, g_array_unref);
  g_clear_pointer (&list->max_end, g_array_unref);
}

static void
column_clear (gpointer data)
{
  Column *c = data;

  g_clear_pointer (&c->title, g_free);
  g_clear_pointer (&c->subtitle, g_free);
  call_list_clear (&c->calls);
}

static void
lane_clear (gpointer data)
{
  Lane *l = data;

  g_clear_pointer (&l->states, g_array_unref);
  call_list_clear (&l->calls);
}

static int
compare_call_start (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  CapRecording *rec = user_data;
  gint64 x = cap_recording_get_call (rec, *(const guint32 *) a)->ts_start;
  gint64 y = cap_recording_get_call (rec, *(const guint32 *) b)->ts_start;

  if (x != y)
    return x < y ? -1 : 1;
  return *(const guint32 *) a < *(const guint32 *) b ? -1 : 1;
}

static gint64 call_end_or_max (const NcCall *c);

/* Calls arrive in entry order; threads of one actor may interleave. */
static void
call_list_finish (CallList     *list,
                  CapRecording *rec)
{
  gint64 max_end = G_MININT64;

  g_array_sort_with_data (list->ids, compare_call_start, rec);
  g_array_set_size (list->starts, 0);
  g_array_set_size (list->max_end, 0);
  for (guint i = 0; i < list->ids->len; i++)
    {
      const NcCall *c = cap_recording_get_call (rec, g_array_index (list->ids, guint32, i));
      max_end = MAX (max_end, call_end_or_max (c));
      g_array_append_val (list->starts, c->ts_start);
      g_array_append_val (list->max_end, max_end);
    }
}

/* ------------------------------------------------------------------------ */
/* Text                                                                      */

static gboolean
call_may_block (NcCallKind kind)
{
  switch (kind)
    {
    case NC_CALL_ACCEPT:
    case NC_CALL_CONNECT:
    case NC_CALL_RECV:
    case NC_CALL_RECVFROM:
    case NC_CALL_READ:
    case NC_CALL_SELECT:
      return TRUE;
    default:
      return FALSE;
    }
}

/**
 * sl_format_call_label:
 * @now: where a call still in the kernel is drawn up to
 * @name: receives the first line: the call and its key arguments
 * @result: receives the second line: what it returned, and how long it blocked
 *
 * The two lines of a call's label on the timeline, shorter than
 * nc_call_format (): "connect(fd=3)" / "= 0 after 98 µs".
 */
void
sl_format_call_label (const NcCall *call,
                      gint64        now,
                      GString      *name,
                      GString      *result)
{
  NcCallKind kind = call->kind;
  gint64 duration = (call->ts_end ? call->ts_end : now) - call->ts_start;
  g_autofree char *dur = nc_format_duration (MAX (duration, 0));

  g_string_append (name, nc_call_kind_name (kind));
  g_string_append_c (name, '(');
  switch (kind)
    {
    case NC_CALL_SOCKET:
      g_string_append (name, call->type == SOCK_DGRAM ? "UDP" : call->type == SOCK_STREAM ? "TCP"
                       : nc_socktype_name (call->type));
      break;
    case NC_CALL_BIND:
      g_string_append_printf (name, "fd=%d, %s", call->fd, call->local);
      break;
    case NC_CALL_LISTEN:
      g_string_append_printf (name, "fd=%d, %d", call->fd, call->type);
      break;
    case NC_CALL_SEND:
    case NC_CALL_WRITE:
    case NC_CALL_SENDTO:
    case NC_CALL_RECV:
    case NC_CALL_RECVFROM:
    case NC_CALL_READ:
      g_string_append_printf (name, "fd=%d, %" G_GINT64_FORMAT, call->fd, call->length);
      break;
    case NC_CALL_SELECT:
      for (guint s = 0; s < NC_N_SETS; s++)
        if (call->sets_in[s].n > 0)
          {
            if (name->str[name->len - 1] != '(')
              g_string_append (name, ", ");
            g_string_append (name, s == NC_SET_READ ? "r=" : s == NC_SET_WRITE ? "w=" : "x=");
            nc_format_fd_list (&call->sets_in[s], name);
          }
      break;
    case NC_CALL_ACCEPT:
    case NC_CALL_CONNECT:
    case NC_CALL_SHUTDOWN:
    case NC_CALL_CLOSE:
    case NC_CALL_SETBLOCKING:
    case NC_CALL_SETTIMEOUT:
    case NC_CALL_SETSOCKOPT:
    case NC_CALL_GETSOCKOPT:
    case NC_CALL_GETSOCKNAME:
    case NC_CALL_GETPEERNAME:
      g_string_append_printf (name, "fd=%d", call->fd);
      break;
    default:
      break;
    }
  g_string_append_c (name, ')');

  if (call->ts_end == 0)
    {
      g_string_append_printf (result, "blocked %s …", dur);
      return;
    }
  if (nc_call_failed (call))
    {
      g_string_append_printf (result, "= %" G_GINT64_FORMAT " %s", call->result,
                              nc_errno_name (call->err));
      if (call_may_block (kind))
        g_string_append_printf (result, " after %s", dur);
      return;
    }

  switch (kind)
    {
    case NC_CALL_SEND:
    case NC_CALL_WRITE:
    case NC_CALL_SENDTO:
      nc_format_bytes (call->data, call->data_len, 12, result);
      g_string_append_printf (result, " = %" G_GINT64_FORMAT, call->result);
      break;
    case NC_CALL_RECV:
    case NC_CALL_RECVFROM:
    case NC_CALL_READ:
      g_string_append_printf (result, "= %" G_GINT64_FORMAT, call->result);
      if (call->result > 0)
        {
          g_string_append_c (result, ' ');
          nc_format_bytes (call->data, call->data_len, 12, result);
        }
      g_string_append_printf (result, " after %s", dur);
      break;
    case NC_CALL_SELECT:
      g_string_append_printf (result, "= %" G_GINT64_FORMAT, call->result);
      for (guint s = 0; s < NC_N_SETS; s++)
        if (call->sets_out[s].n > 0)
          {
            g_string_append (result, s == NC_SET_READ ? " r=" : s == NC_SET_WRITE ? " w=" : " x=");
            nc_format_fd_list (&call->sets_out[s], result);
          }
      g_string_append_printf (result, " after %s", dur);
      break;
    default:
      g_string_append_printf (result, "= %" G_GINT64_FORMAT, call->result);
      if (call_may_block (kind))
        g_string_append_printf (result, " after %s", dur);
      break;
    }
}

/* ------------------------------------------------------------------------ */
/* The time axis: real time <-> display time (gate waits collapsed)          */

static double
to_display (SlTimelinePainter *self,
            gint64             ts)
{
  const Break *b;
  guint lo = 0, hi = self->breaks->len;
  gint64 rel = ts - self->origin;

  /* the last break starting at or before ts */
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      if (g_array_index (self->breaks, Break, mid).real_start <= ts)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == 0)
    return (double) rel;
  b = &g_array_index (self->breaks, Break, lo - 1);
  if (ts < b->real_end)
    return b->disp_start + (double) (ts - b->real_start) * self->break_len /
                           (double) (b->real_end - b->real_start);
  return b->disp_start + self->break_len + (double) (ts - b->real_end);
}

static gint64
from_display (SlTimelinePainter *self,
              double             d)
{
  const Break *b;
  guint lo = 0, hi = self->breaks->len;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      if (g_array_index (self->breaks, Break, mid).disp_start <= d)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == 0)
    return self->origin + (gint64) llround (d);
  b = &g_array_index (self->breaks, Break, lo - 1);
  if (d < b->disp_start + self->break_len)
    return b->real_start + (gint64) llround ((d - b->disp_start) / self->break_len *
                                             (double) (b->real_end - b->real_start));
  return b->real_end + (gint64) llround (d - b->disp_start - self->break_len);
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

/* Gaps in which nothing happened while some actor was held at the step gate
 * are waits for the user's click, not the program's time: each becomes a
 * break of break_len display ns. Time blocked in the kernel is kept. */
static void
build_time_map (SlTimelinePainter *self)
{
  CapRecording *rec = self->recording;
  guint n_calls = cap_recording_get_n_calls (rec);
  g_autoptr(GArray) gates = g_array_new (FALSE, FALSE, sizeof (gint64) * 2);
  g_autoptr(GArray) points = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) durations = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) merged = g_array_new (FALSE, FALSE, sizeof (gint64) * 2);
  double removed = 0;

  g_array_set_size (self->breaks, 0);
  self->break_len = 0;

  for (guint i = 0; i < n_calls; i++)
    {
      const NcCall *c = cap_recording_get_call (rec, i);
      if (c == NULL || c->ts_start == 0)
        continue;
      if (c->ts_gate != 0 && c->ts_gate < c->ts_start)
        {
          gint64 g[2] = { c->ts_gate, c->ts_start };
          g_array_append_val (gates, g);
          g_array_append_val (points, c->ts_gate);
        }
      g_array_append_val (points, c->ts_start);
      if (c->ts_end != 0)
        {
          gint64 d = c->ts_end - c->ts_start;
          g_array_append_val (points, c->ts_end);
          g_array_append_val (durations, d);
        }
    }
  if (gates->len == 0)
    return;

  /* A break keeps a few typical call durations, so it reads as a short
   * pause at any zoom that shows single calls. */
  g_array_sort (durations, compare_gint64);
  self->break_len = durations->len ? 4.0 * g_array_index (durations, gint64, durations->len / 2)
                                   : 50000;
  self->break_len = CLAMP (self->break_len, 20000.0, 50000000.0);

  g_array_sort (gates, compare_gint64);  /* by start: the first gint64 */
  for (guint i = 0; i < gates->len; i++)
    {
      gint64 *g = &g_array_index (gates, gint64, i * 2);
      gint64 *last = merged->len ? &g_array_index (merged, gint64, (merged->len - 1) * 2) : NULL;
      if (last != NULL && g[0] <= last[1])
        last[1] = MAX (last[1], g[1]);
      else
        g_array_append_vals (merged, g, 1);
    }

  g_array_sort (points, compare_gint64);
  for (guint m = 0; m < merged->len; m++)
    {
      gint64 a = g_array_index (merged, gint64, m * 2);
      gint64 b = g_array_index (merged, gint64, m * 2 + 1);
      guint pi = 0, pk, pk_end;
      gint64 prev = a;

      /* the events inside (a, b): call times, and packets by binary search */
      while (pi < points->len && g_array_index (points, gint64, pi) <= a)
        pi++;
      pk = cap_recording_find_packet_at (rec, a + 1);
      pk_end = cap_recording_find_packet_at (rec, b);
      for (;;)
        {
          gint64 next = b;
          gboolean from_points = FALSE;

          if (pi < points->len && g_array_index (points, gint64, pi) < next)
            {
              next = g_array_index (points, gint64, pi);
              from_points = TRUE;
            }
          if (pk < pk_end && cap_recording_get_packet (rec, pk)->ts < next)
            {
              next = cap_recording_get_packet (rec, pk)->ts;
              from_points = FALSE;
            }
          if (next - prev > 2 * self->break_len)
            {
              Break br = { prev, next, 0 };
              g_array_append_val (self->breaks, br);
            }
          if (next >= b)
            break;
          if (from_points)
            pi++;
          else
            pk++;
          prev = next;
        }
    }

  for (guint i = 0; i < self->breaks->len; i++)
    {
      Break *br = &g_array_index (self->breaks, Break, i);
      br->disp_start = (double) (br->real_start - self->origin) - removed;
      removed += (double) (br->real_end - br->real_start) - self->break_len;
    }
}

/* ------------------------------------------------------------------------ */
/* Model layout: columns and lanes                                           */

static int
role_sort_key (const NcActorInfo *actor)
{
  /* Textbook figures put the client on the left, the server on the right. */
  if (actor == NULL || actor->role == NULL)
    return 1;
  if (g_str_has_prefix (actor->role, "client"))
    return 0;
  if (g_str_has_prefix (actor->role, "server"))
    return 2;
  return 1;
}

static gint64
call_end_or_max (const NcCall *c)
{
  return c->ts_end ? c->ts_end : G_MAXINT64;
}

static guint32
lane_at (SlTimelinePainter *self,
         guint              column,
         gint32             fd,
         gint64             ts)
{
  const Column *col = &g_array_index (self->columns, Column, column);

  /* fds are reused after close(): the lane alive at @ts wins */
  for (guint i = 0; i < col->n_lanes; i++)
    {
      guint li = col->first_lane + i;
      const Lane *l = &g_array_index (self->lanes, Lane, li);
      if (l->fd == fd && ts >= l->t_first && (l->t_last == 0 || ts <= l->t_last))
        return li;
    }
  for (guint i = 0; i < col->n_lanes; i++)
    if (g_array_index (self->lanes, Lane, col->first_lane + i).fd == fd)
      return col->first_lane + i;
  return NO_LANE;
}

static void
build_actor_columns (SlTimelinePainter *self)
{
  CapRecording *rec = self->recording;
  guint n_actors = cap_recording_get_n_actors (rec);
  guint n_calls = cap_recording_get_n_calls (rec);
  guint n_sockets = cap_recording_get_n_sockets (rec);
  g_autofree guint *order = NULL;
  g_autofree guint *column_of_actor = NULL;
  guint n_cols = n_actors;

  for (guint i = 0; i < n_calls; i++)
    {
      const NcCall *c = cap_recording_get_call (rec, i);
      if (c != NULL && c->ts_start != 0)
        n_cols = MAX (n_cols, (guint) c->actor + 1);
    }
  for (guint s = 0; s < n_sockets; s++)
    n_cols = MAX (n_cols, (guint) cap_recording_get_socket (rec, s)->actor + 1);

  /* order the actors: clients, others, servers; stable by index */
  order = g_new (guint, n_cols);
  column_of_actor = g_new (guint, n_cols);
  for (guint i = 0; i < n_cols; i++)
    order[i] = i;
  for (guint i = 1; i < n_cols; i++)
    for (guint j = i; j > 0; j--)
      {
        const NcActorInfo *a = order[j - 1] < n_actors ? cap_recording_get_actor (rec, order[j - 1]) : NULL;
        const NcActorInfo *b = order[j] < n_actors ? cap_recording_get_actor (rec, order[j]) : NULL;
        if (role_sort_key (a) <= role_sort_key (b))
          break;
        guint t = order[j];
        order[j] = order[j - 1];
        order[j - 1] = t;
      }

  self->n_socket_lane = n_sockets;
  self->socket_lane = g_new (guint32, MAX (n_sockets, 1));
  for (guint s = 0; s < n_sockets; s++)
    self->socket_lane[s] = NO_LANE;

  for (guint ci = 0; ci < n_cols; ci++)
    {
      guint actor = order[ci];
      const NcActorInfo *info = actor < n_actors ? cap_recording_get_actor (rec, actor) : NULL;
      Column col = { 0 };
      guint32 addr_socket = CAP_NONE;

      column_of_actor[actor] = ci;
      col.actor = actor;
      col.title = g_strdup (info && info->name ? info->name : "actor");
      if (info == NULL || info->name == NULL)
        {
          g_free (col.title);
          col.title = g_strdup_printf ("actor %u", actor);
        }
      col.first_lane = self->lanes->len;
      call_list_init (&col.calls);

      for (guint s = 0; s < n_sockets; s++)
        {
          const CapSocket *sock = cap_recording_get_socket (rec, s);
          Lane lane = { 0 };
          const NcCall *first, *last;

          if (sock->actor != actor)
            continue;
          lane.socket = s;
          lane.endpoint = CAP_NONE;
          lane.column = ci;
          lane.fd = sock->fd;
          lane.listening = sock->listening;
          lane.states = g_array_new (FALSE, FALSE, sizeof (StateSeg));
          call_list_init (&lane.calls);
          first = sock->first_call != CAP_NONE ? cap_recording_get_call (rec, sock->first_call) : NULL;
          last = sock->last_call != CAP_NONE ? cap_recording_get_call (rec, sock->last_call) : NULL;
          lane.t_first = first ? first->ts_start : self->origin;
          if (last && last->kind == NC_CALL_CLOSE && last->ts_end != 0)
            lane.t_last = last->ts_end;
          /* an accepted connection exists from its SYN, before accept() returns */
          if (sock->conv != CAP_NONE && sock->conv < cap_recording_get_n_conversations (rec))
            {
              const CapConversation *conv = cap_recording_get_conversation (rec, sock->conv);
              if (conv->n_packets > 0)
                lane.t_first = MIN (lane.t_first, cap_recording_get_packet (rec, conv->first_packet)->ts);
            }
          self->socket_lane[s] = self->lanes->len;
          g_array_append_val (self->lanes, lane);
          col.n_lanes++;
          if (sock->local != CAP_NONE && (addr_socket == CAP_NONE || sock->listening))
            addr_socket = s;
        }

      if (addr_socket != CAP_NONE)
        {
          g_autofree char *addr = cap_recording_format_endpoint (rec, cap_recording_get_socket (rec, addr_socket)->local);
          col.subtitle = info && info->host ? g_strdup_printf ("%s  %s", info->host, addr) : g_strdup (addr);
        }
      else if (info && info->host)
        col.subtitle = g_strdup (info->host);
      g_array_append_val (self->columns, col);
    }

  /* each call on its socket's lane, in its actor's column */
  self->n_call_lane = n_calls;
  self->call_lane = g_new (guint32, MAX (n_calls, 1));
  for (guint i = 0; i < n_calls; i++)
    {
      const NcCall *c = cap_recording_get_call (rec, i);
      guint32 sock;
      Column *col;

      self->call_lane[i] = NO_LANE;
      if (c == NULL || c->ts_start == 0 || c->actor >= n_cols)
        continue;
      col = &g_array_index (self->columns, Column, column_of_actor[c->actor]);
      sock = cap_recording_get_call_socket (rec, i);
      if (sock != CAP_NONE && sock < n_sockets)
        self->call_lane[i] = self->socket_lane[sock];
      else if (c->fd >= 0)
        self->call_lane[i] = lane_at (self, column_of_actor[c->actor], c->fd, c->ts_start);
      if (self->call_lane[i] == NO_LANE && c->kind != NC_CALL_SELECT)
        {
          if (col->n_lanes == 0)
            {
              /* an actor with no socket still gets a lane for its calls */
              Lane lane = { 0 };
              lane.socket = lane.endpoint = CAP_NONE;
              lane.column = column_of_actor[c->actor];
              lane.fd = -1;
              lane.t_first = c->ts_start;
              lane.states = g_array_new (FALSE, FALSE, sizeof (StateSeg));
              call_list_init (&lane.calls);
              /* appended last: a column's lanes need only be contiguous */
              col->first_lane = self->lanes->len;
              g_array_append_val (self->lanes, lane);
              col->n_lanes = 1;
            }
          self->call_lane[i] = col->first_lane;
        }
      if (self->call_lane[i] != NO_LANE)
        g_array_append_val (g_array_index (self->lanes, Lane, self->call_lane[i]).calls.ids, i);
      else
        g_array_append_val (col->calls.ids, i);
    }

  for (guint ci = 0; ci < self->columns->len; ci++)
    call_list_finish (&g_array_index (self->columns, Column, ci).calls, rec);
  for (guint li = 0; li < self->lanes->len; li++)
    call_list_finish (&g_array_index (self->lanes, Lane, li).calls, rec);
}

/* Gives both ends of @conv a column (in @chosen, marked in @endpoint_lane),
 * if that takes at most @max_cols columns in all. */
static gboolean
choose_conversation (const CapConversation *conv,
                     guint32               *endpoint_lane,
                     GArray                *chosen,
                     guint8                *is_server,
                     guint                  max_cols)
{
  guint32 ends[2] = { conv->a, conv->b };
  guint need = 0;

  for (guint e = 0; e < 2; e++)
    need += endpoint_lane[ends[e]] == NO_LANE;
  if (chosen->len + need > max_cols)
    return FALSE;
  for (guint e = 0; e < 2; e++)
    if (endpoint_lane[ends[e]] == NO_LANE)
      {
        endpoint_lane[ends[e]] = 0;  /* marked; numbered below */
        g_array_append_val (chosen, ends[e]);
      }
  is_server[conv->b] = TRUE;
  return TRUE;
}

/* The endpoints of the busiest conversations, while they fit in max_columns */
static void
choose_busiest (SlTimelinePainter *self,
                guint32           *endpoint_lane,
                GArray            *chosen,
                guint8            *is_server)
{
  CapRecording *rec = self->recording;
  guint n_conv;
  guint max_cols = self->max_columns ? self->max_columns : DEFAULT_COLUMNS;
  g_autofree guint32 *ranked = cap_recording_rank_conversations (rec, &n_conv);

  for (guint i = 0; i < n_conv && chosen->len < max_cols; i++)
    choose_conversation (cap_recording_get_conversation (rec, ranked[i]),
                         endpoint_lane, chosen, is_server, max_cols);
}

/* Exactly the endpoints of the filter's conversations, in the order the
 * conversations were first seen; ids the recording lacks are skipped. */
static void
choose_filtered (SlTimelinePainter *self,
                 guint32           *endpoint_lane,
                 GArray            *chosen,
                 guint8            *is_server)
{
  CapRecording *rec = self->recording;
  guint n_conv = cap_recording_get_n_conversations (rec);

  for (guint i = 0; i < self->conv_filter->len; i++)
    {
      guint32 id = g_array_index (self->conv_filter, guint32, i);

      if (id < n_conv)
        choose_conversation (cap_recording_get_conversation (rec, id),
                             endpoint_lane, chosen, is_server, G_MAXUINT);
    }
}

/* A capture without calls: endpoints as columns. The endpoints of the
 * chosen conversations (the filter's, or else the busiest) get their own
 * column; the rest share "others", so thousands of endpoints cost one
 * column. */
static void
build_endpoint_columns (SlTimelinePainter *self,
                        guint32           *endpoint_lane)
{
  CapRecording *rec = self->recording;
  guint n_ep = cap_recording_get_n_endpoints (rec);
  g_autoptr(GArray) chosen = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autofree guint8 *is_server = g_new0 (guint8, MAX (n_ep, 1));
  guint n_active = n_ep;

  if (self->conv_filter != NULL)
    choose_filtered (self, endpoint_lane, chosen, is_server);
  else
    choose_busiest (self, endpoint_lane, chosen, is_server);

  /* clients first, then servers; each group in the order first seen */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < chosen->len; i++)
      {
        guint32 ep = g_array_index (chosen, guint32, i);
        Column col = { 0 };
        Lane lane = { 0 };

        if (is_server[ep] != pass)
          continue;
        col.actor = -1;
        col.title = cap_recording_format_endpoint (rec, ep);
        col.subtitle = g_strdup (pass ? "server" : "client");
        col.first_lane = self->lanes->len;
        col.n_lanes = 1;
        lane.socket = CAP_NONE;
        lane.endpoint = ep;
        lane.column = self->columns->len;
        lane.fd = -1;
        lane.t_first = self->origin;
        lane.states = g_array_new (FALSE, FALSE, sizeof (StateSeg));
        call_list_init (&lane.calls);
        call_list_init (&col.calls);
        endpoint_lane[ep] = self->lanes->len;
        g_array_append_val (self->lanes, lane);
        g_array_append_val (self->columns, col);
      }

  if (n_active > chosen->len)
    {
      Column col = { 0 };
      Lane lane = { 0 };
      guint32 others = self->lanes->len;

      col.actor = -1;
      col.others = TRUE;
      col.title = g_strdup ("others");
      col.subtitle = g_strdup_printf (g_dngettext (NULL, "%u endpoint", "%u endpoints", n_active - chosen->len),
                                      n_active - chosen->len);
      col.first_lane = others;
      col.n_lanes = 1;
      lane.socket = lane.endpoint = CAP_NONE;
      lane.column = self->columns->len;
      lane.fd = -1;
      lane.t_first = self->origin;
      lane.states = g_array_new (FALSE, FALSE, sizeof (StateSeg));
      call_list_init (&lane.calls);
      call_list_init (&col.calls);
      g_array_append_val (self->lanes, lane);
      g_array_append_val (self->columns, col);
      for (guint e = 0; e < n_ep; e++)
        if (endpoint_lane[e] == NO_LANE)
          endpoint_lane[e] = others;
    }
}

/* ------------------------------------------------------------------------ */
/* Model layout: routes (which lane sends each packet, which receives it)   */

typedef struct
{
  guint32 *endpoint_lane;   /* per endpoint */
  GHashTable *port_lane;    /* family << 16 | port -> lane + 1: wildcard binds */
  guint32 *conv_lane;       /* per conversation, [2]: side a, side b */
  guint n_conv;
} LaneMaps;

static guint32
lane_for (SlTimelinePainter *self,
          const LaneMaps    *maps,
          const CapPacket   *pkt,
          gboolean           receiver)
{
  guint side = receiver ? !pkt->from_b : pkt->from_b;
  guint32 ep = receiver ? pkt->dst : pkt->src;

  if (pkt->conv != CAP_NONE && pkt->conv < maps->n_conv && maps->conv_lane[pkt->conv * 2 + side] != NO_LANE)
    return maps->conv_lane[pkt->conv * 2 + side];
  if (ep == CAP_NONE)
    return NO_LANE;
  if (maps->endpoint_lane[ep] != NO_LANE)
    return maps->endpoint_lane[ep];
  if (maps->port_lane != NULL)
    {
      const CapEndpoint *e = cap_recording_get_endpoint (self->recording, ep);
      gpointer v = g_hash_table_lookup (maps->port_lane, GUINT_TO_POINTER ((guint) e->family << 16 | e->port));
      if (v != NULL)
        return GPOINTER_TO_UINT (v) - 1;
    }
  return NO_LANE;
}

static guint16
route_for (SlTimelinePainter *self,
           GHashTable        *route_ids,
           guint32            from,
           guint32            to)
{
  guint64 key = (guint64) from << 32 | to;
  gpointer v;
  Route r;

  if (g_hash_table_lookup_extended (route_ids, &key, NULL, &v))
    return GPOINTER_TO_UINT (v);
  if (self->routes->len >= NO_ROUTE)
    return NO_ROUTE;
  r.from = from;
  r.to = to;
  r.color = g_array_index (self->lanes, Lane, from).column % SL_PALETTE_N_PACKET;
  g_array_append_val (self->routes, r);
  g_hash_table_insert (route_ids, g_memdup2 (&key, sizeof key), GUINT_TO_POINTER (self->routes->len - 1));
  return self->routes->len - 1;
}

static void
build_lane_maps (SlTimelinePainter *self,
                 LaneMaps          *maps)
{
  CapRecording *rec = self->recording;

  maps->n_conv = cap_recording_get_n_conversations (rec);
  maps->conv_lane = g_new (guint32, MAX (maps->n_conv, 1) * 2);
  for (guint i = 0; i < maps->n_conv * 2; i++)
    maps->conv_lane[i] = NO_LANE;

  if (!self->has_calls)
    {
      g_autofree guint *n_convs = g_new0 (guint, MAX (self->lanes->len, 1));

      /* an endpoint with one TCP connection among those drawn is its
       * socket; a server's port with many is not one socket, and gets no
       * state band */
      for (int pass = 0; pass < 2; pass++)
      for (guint li = 0; li < self->lanes->len; li++)
        {
          Lane *l = &g_array_index (self->lanes, Lane, li);
          if (l->endpoint == CAP_NONE)
            continue;
          for (guint c = 0; c < maps->n_conv; c++)
            {
              const CapConversation *conv = cap_recording_get_conversation (rec, c);
              if (conv->proto != IPPROTO_TCP)
                continue;
              if (conv->a == l->endpoint || conv->b == l->endpoint)
                {
                  guint side = conv->b == l->endpoint;
                  guint32 other = side ? conv->a : conv->b;
                  if (maps->endpoint_lane[other] != NO_LANE &&
                      g_array_index (self->lanes, Lane, maps->endpoint_lane[other]).endpoint == other)
                    {
                      if (pass == 0)
                        n_convs[li]++;
                      else if (n_convs[li] == 1)
                        maps->conv_lane[c * 2 + side] = li;
                    }
                }
            }
          if (maps->n_conv > 4096)
            break;  /* a big capture: endpoints route by address alone */
        }
      return;
    }

  maps->port_lane = g_hash_table_new (NULL, NULL);
  for (guint li = 0; li < self->lanes->len; li++)
    {
      const Lane *l = &g_array_index (self->lanes, Lane, li);
      const CapSocket *sock;

      if (l->socket == CAP_NONE)
        continue;
      sock = cap_recording_get_socket (rec, l->socket);
      if (sock->local != CAP_NONE)
        {
          const CapEndpoint *e = cap_recording_get_endpoint (rec, sock->local);
          guint key = (guint) e->family << 16 | e->port;

          /* the listening socket answers for its address until a
           * connection has its own socket */
          if (maps->endpoint_lane[sock->local] == NO_LANE || sock->listening)
            maps->endpoint_lane[sock->local] = li;
          if (e->port != 0 && (!g_hash_table_contains (maps->port_lane, GUINT_TO_POINTER (key)) || sock->listening))
            g_hash_table_insert (maps->port_lane, GUINT_TO_POINTER (key), GUINT_TO_POINTER (li + 1));
        }
      if (sock->conv != CAP_NONE && sock->conv < maps->n_conv)
        {
          const CapConversation *conv = cap_recording_get_conversation (rec, sock->conv);
          guint side;

          if (sock->local != CAP_NONE)
            side = sock->local == conv->b;
          else
            side = sock->peer == conv->a;
          maps->conv_lane[sock->conv * 2 + side] = li;
        }
    }
}

static void
build_routes (SlTimelinePainter *self,
              LaneMaps          *maps)
{
  CapRecording *rec = self->recording;
  guint n = cap_recording_get_n_packets (rec);
  g_autoptr(GHashTable) route_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  guint64 last_key = G_MAXUINT64;
  guint16 last_route = NO_ROUTE;

  self->n_routed = n;
  self->packet_route = g_new (guint16, MAX (n, 1));
  self->block_mask = g_new0 (guint64, (n >> BLOCK_SHIFT) + 1);
  self->n_unplaced = 0;

  for (guint i = 0; i < n; i++)
    {
      const CapPacket *pkt = cap_recording_get_packet (rec, i);
      guint32 from = lane_for (self, maps, pkt, FALSE);
      guint32 to = lane_for (self, maps, pkt, TRUE);
      guint16 r = NO_ROUTE;

      if (from != NO_LANE && to != NO_LANE)
        {
          guint64 key = (guint64) from << 32 | to;
          /* consecutive packets mostly share a route: skip the hash */
          if (key != last_key)
            {
              last_key = key;
              last_route = route_for (self, route_ids, from, to);
            }
          r = last_route;
        }
      self->packet_route[i] = r;
      if (r != NO_ROUTE)
        self->block_mask[i >> BLOCK_SHIFT] |= G_GUINT64_CONSTANT (1) << (r & 63);
      else
        self->n_unplaced++;
    }
}

/* ------------------------------------------------------------------------ */
/* Model layout: TCP states                                                  */

typedef struct
{
  gint64 ts;
  guint8 state;
} StatePoint;

static int
compare_points (gconstpointer a,
                gconstpointer b)
{
  return compare_gint64 (&((const StatePoint *) a)->ts, &((const StatePoint *) b)->ts);
}

static void
lane_add_point (Lane   *lane,
                gint64  ts,
                guint8  state)
{
  StateSeg *last = lane->states->len ? &g_array_index (lane->states, StateSeg, lane->states->len - 1) : NULL;
  StateSeg seg = { ts, 0, state };

  if (last != NULL && last->state == state)
    return;
  if (last != NULL)
    last->t1 = ts;
  g_array_append_val (lane->states, seg);
}

/* Turns sorted points into segments; CLOSE ends the band. */
static void
lane_set_points (SlTimelinePainter *self,
                 Lane              *lane,
                 GArray            *points)
{
  g_array_sort (points, compare_points);
  for (guint i = 0; i < points->len; i++)
    {
      const StatePoint *p = &g_array_index (points, StatePoint, i);
      lane_add_point (lane, p->ts, p->state);
    }
}

static void
finish_lane_states (SlTimelinePainter *self,
                    Lane              *lane)
{
  guint w = 0;

  /* drop the CLOSE segments: the band simply ends there */
  for (guint i = 0; i < lane->states->len; i++)
    {
      StateSeg s = g_array_index (lane->states, StateSeg, i);
      if (s.state == TS_CLOSE || s.state == TS_NONE || s.state >= TS_N)
        continue;
      g_array_index (lane->states, StateSeg, w++) = s;
      self->states_used[s.state] = TRUE;
    }
  g_array_set_size (lane->states, w);
}

static void
build_states (SlTimelinePainter *self,
              const LaneMaps    *maps)
{
  CapRecording *rec = self->recording;
  guint n_samples = cap_recording_get_n_sock_samples (rec);
  guint n_lanes = self->lanes->len;
  g_autoptr(GPtrArray) points = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(GHashTable) by_pair = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autofree guint8 *derive_conv = NULL;
  g_autofree CapTcpSide *sides = NULL;
  gboolean any_derive = FALSE;

  memset (self->states_used, 0, sizeof self->states_used);
  self->any_kernel_states = self->any_derived_states = FALSE;

  for (guint li = 0; li < n_lanes; li++)
    g_ptr_array_add (points, g_array_new (FALSE, FALSE, sizeof (StatePoint)));

  /* kernel-true states: sock_diag samples and TCP_INFO after each call */
  if (self->has_calls)
    {
      for (guint li = 0; li < n_lanes; li++)
        {
          const Lane *l = &g_array_index (self->lanes, Lane, li);
          const CapSocket *sock;
          guint64 key;

          if (l->socket == CAP_NONE)
            continue;
          sock = cap_recording_get_socket (rec, l->socket);
          if (sock->local == CAP_NONE)
            continue;
          key = (guint64) sock->local << 32 | (sock->listening ? CAP_NONE : sock->peer);
          g_hash_table_insert (by_pair, g_memdup2 (&key, sizeof key), GUINT_TO_POINTER (li + 1));
        }
      for (guint i = 0; i < n_samples; i++)
        {
          const CapSockSample *smp = cap_recording_get_sock_sample (rec, i);
          guint64 key = (guint64) smp->local << 32 | (smp->state == TS_LISTEN ? CAP_NONE : smp->peer);
          gpointer v = g_hash_table_lookup (by_pair, &key);
          StatePoint p = { smp->ts, smp->state };

          if (v == NULL)
            continue;
          g_array_append_val (g_ptr_array_index (points, GPOINTER_TO_UINT (v) - 1), p);
        }
      for (guint i = 0; i < self->n_call_lane; i++)
        {
          const NcCall *c = cap_recording_get_call (rec, i);
          guint32 li = self->call_lane[i];
          StatePoint p;

          /* accept() reports the new connection's state, not its lane's */
          if (li == NO_LANE || c->tcp_state == NC_TCP_STATE_NONE || c->ts_end == 0 ||
              c->kind == NC_CALL_ACCEPT)
            continue;
          p.ts = c->ts_end;
          p.state = c->tcp_state;
          g_array_append_val (g_ptr_array_index (points, li), p);
        }
    }

  derive_conv = g_new0 (guint8, MAX (maps->n_conv, 1));
  for (guint li = 0; li < n_lanes; li++)
    {
      Lane *l = &g_array_index (self->lanes, Lane, li);
      GArray *pts = g_ptr_array_index (points, li);

      if (pts->len > 0)
        {
          lane_set_points (self, l, pts);
          self->any_kernel_states = TRUE;
          continue;
        }
      l->derived = TRUE;
      if (l->socket != CAP_NONE)
        {
          const CapSocket *sock = cap_recording_get_socket (rec, l->socket);
          if (!sock->stream)
            {
              l->derived = FALSE;
              continue;
            }
          if (sock->listening)
            {
              /* listen() succeeded: LISTEN until close() */
              for (guint c = sock->first_call; c != CAP_NONE && c <= sock->last_call && c < self->n_call_lane; c++)
                {
                  const NcCall *call = cap_recording_get_call (rec, c);
                  if (self->call_lane[c] == li && call->kind == NC_CALL_LISTEN && call->ts_end && !nc_call_failed (call))
                    {
                      lane_add_point (l, call->ts_end, TS_LISTEN);
                      break;
                    }
                }
              continue;
            }
        }
    }
  for (guint c = 0; c < maps->n_conv; c++)
    for (guint side = 0; side < 2; side++)
      {
        guint32 li = maps->conv_lane[c * 2 + side];
        if (li != NO_LANE && g_array_index (self->lanes, Lane, li).derived &&
            cap_recording_get_conversation (rec, c)->proto == IPPROTO_TCP)
          {
            derive_conv[c] |= 1 << side;
            any_derive = TRUE;
          }
      }

  if (any_derive)
    {
      guint n = cap_recording_get_n_packets (rec);

      sides = g_new0 (CapTcpSide, maps->n_conv * 2);
      for (guint i = 0; i < n; i++)
        {
          const CapPacket *pkt = cap_recording_get_packet (rec, i);
          if (pkt->conv == CAP_NONE || pkt->conv >= maps->n_conv || !derive_conv[pkt->conv] ||
              pkt->proto != IPPROTO_TCP)
            continue;
          for (guint side = 0; side < 2; side++)
            {
              CapTcpSide *st;
              guint8 before, next;

              if (!(derive_conv[pkt->conv] & (1 << side)))
                continue;
              st = &sides[pkt->conv * 2 + side];
              before = st->state;
              /* the packet-derived states live in capture/ (cap-tcp-states.h) */
              next = (guint8) cap_tcp_side_step (st, pkt, pkt->from_b == side);
              if (next != before)
                {
                  lane_add_point (&g_array_index (self->lanes, Lane, maps->conv_lane[pkt->conv * 2 + side]),
                                  pkt->ts, next);
                }
            }
        }
    }

  for (guint li = 0; li < n_lanes; li++)
    {
      Lane *l = &g_array_index (self->lanes, Lane, li);
      if (l->derived && l->states->len > 0)
        self->any_derived_states = TRUE;
      finish_lane_states (self, l);
    }
}

static void
clear_layout (SlTimelinePainter *self)
{
  g_array_set_size (self->columns, 0);
  g_array_set_size (self->lanes, 0);
  g_array_set_size (self->routes, 0);
  g_array_set_size (self->breaks, 0);
  g_clear_pointer (&self->packet_route, g_free);
  g_clear_pointer (&self->block_mask, g_free);
  g_clear_pointer (&self->call_lane, g_free);
  g_clear_pointer (&self->socket_lane, g_free);
  self->n_routed = self->n_call_lane = self->n_socket_lane = 0;
  self->hl_valid = FALSE;
}

static void
ensure_layout (SlTimelinePainter *self)
{
  CapRecording *rec = self->recording;
  LaneMaps maps = { 0 };
  guint n_ep;

  if (self->layout_valid)
    return;
  clear_layout (self);
  self->layout_valid = TRUE;
  self->geometry_valid = FALSE;
  if (rec == NULL)
    return;

  self->origin = cap_recording_get_start_time (rec);
  self->rec_end = cap_recording_get_end_time (rec);
  self->has_calls = cap_recording_get_n_calls (rec) > 0 || cap_recording_get_n_sockets (rec) > 0;

  n_ep = cap_recording_get_n_endpoints (rec);
  maps.endpoint_lane = g_new (guint32, MAX (n_ep, 1));
  for (guint i = 0; i < n_ep; i++)
    maps.endpoint_lane[i] = NO_LANE;

  if (self->has_calls)
    build_actor_columns (self);
  else
    build_endpoint_columns (self, maps.endpoint_lane);
  build_lane_maps (self, &maps);
  build_routes (self, &maps);
  build_states (self, &maps);
  build_time_map (self);

  g_free (maps.endpoint_lane);
  g_free (maps.conv_lane);
  g_clear_pointer (&maps.port_lane, g_hash_table_unref);
}

/* ------------------------------------------------------------------------ */
/* Geometry                                                                  */

static void
set_font_size (PangoFontDescription *font,
               double                px)
{
  pango_font_description_set_absolute_size (font, px * PANGO_SCALE);
}

static void
ensure_geometry (SlTimelinePainter *self)
{
  double s = self->scale;
  guint n_cols;
  double xa, xb, room;

  ensure_layout (self);
  if (self->geometry_valid)
    return;
  self->geometry_valid = TRUE;

  set_font_size (self->font, 13 * s);
  set_font_size (self->font_bold, 13 * s);
  set_font_size (self->font_small, 11 * s);
  set_font_size (self->font_title, 16 * s);
  self->line_h = 16 * s;

  self->top = 64 * s;
  self->bottom = self->height - 34 * s;
  self->gutter = (self->width < 640 ? 64 : 84) * s;  /* a narrow pane keeps room for labels */
  self->box_w = 16 * s;
  self->band_w = 6 * s;
  self->slant = 18 * s;

  n_cols = self->columns->len;
  if (n_cols == 0)
    return;

  /* room for call labels outside the first and last columns */
  room = CLAMP ((self->width - self->gutter) * 0.28, 70 * s, 260 * s);
  if (!self->has_calls)
    room = CLAMP ((self->width - self->gutter) * 0.5 / n_cols, 60 * s, 120 * s);
  xa = self->gutter + room;
  /* The last column's lanes spread to the right of its centre: keep its
   * labels' room clear of them (a server has a lane per connection). */
  {
    const Column *last = &g_array_index (self->columns, Column, n_cols - 1);
    double spread = last->n_lanes > 1 ? 30 * s * (last->n_lanes - 1) / 2 : 0;
    xb = self->width - room - MIN (spread, room);
  }
  if (xb < xa)
    xb = xa;

  for (guint ci = 0; ci < n_cols; ci++)
    {
      Column *col = &g_array_index (self->columns, Column, ci);
      double span = n_cols > 1 ? (xb - xa) / (n_cols - 1) : (xb - xa);
      double pitch = 30 * s;
      double group;

      col->x = n_cols > 1 ? xa + ci * span : (xa + xb) / 2;
      if (col->n_lanes > 1)
        pitch = MIN (pitch, span * 0.45 / (col->n_lanes - 1));
      pitch = MAX (pitch, self->box_w * 0.5);
      group = pitch * (col->n_lanes ? col->n_lanes - 1 : 0);
      for (guint i = 0; i < col->n_lanes; i++)
        {
          Lane *l = &g_array_index (self->lanes, Lane, col->first_lane + i);
          l->x = col->x - group / 2 + i * pitch;
        }
      col->x_left = col->x - group / 2 - self->box_w / 2;
      col->x_right = col->x + group / 2 + self->box_w / 2 + self->band_w + 2 * s;
      col->label_side = (ci == 0 && n_cols > 1) ? -1 : 1;
      if (ci == 0 && n_cols > 1)
        col->label_room = col->x_left - self->gutter - 8 * s;
      else if (ci + 1 < n_cols)
        col->label_room = span * 0.5;
      else
        col->label_room = self->width - col->x_right - 10 * s;
    }
}

/* ------------------------------------------------------------------------ */
/* Frame                                                                     */

typedef struct
{
  double d0;       /* display time at the top of the plot */
  double px_per_ns;
  double play_y;
  gboolean fade;   /* the playhead is before the end: the future is faint */
  gint64 now;
  const SlPalette *pal;
} Frame;

static double
frame_y (SlTimelinePainter *self,
         const Frame       *f,
         gint64             ts)
{
  return self->top + (to_display (self, ts) - f->d0) * f->px_per_ns;
}

static void
frame_init (SlTimelinePainter *self,
            Frame             *f)
{
  double d1;

  ensure_geometry (self);
  f->pal = sl_palette_get (self->theme);
  f->d0 = to_display (self, self->begin);
  d1 = to_display (self, self->end);
  f->px_per_ns = (self->bottom - self->top) / MAX (d1 - f->d0, 1.0);
  f->now = MAX (self->rec_end, self->origin);
  f->fade = self->show_playhead && self->playhead < self->rec_end;
  f->play_y = frame_y (self, f, self->playhead);
}

static gint64
sl_timeline_painter_y_to_time_frame (SlTimelinePainter *self,
                                     const Frame       *f,
                                     double             y)
{
  return from_display (self, f->d0 + (y - self->top) / f->px_per_ns);
}

static void
show_text (SlTimelinePainter    *self,
           cairo_t              *cr,
           PangoFontDescription *font,
           const char           *text,
           double                x,
           double                y,
           double                align,   /* 0 left, 0.5 centre, 1 right */
           double                max_width,
           double               *out_w)
{
  int w, h;

  pango_layout_set_font_description (self->layout, font);
  pango_layout_set_width (self->layout, max_width > 0 ? (int) (max_width * PANGO_SCALE) : -1);
  pango_layout_set_text (self->layout, text, -1);
  pango_layout_get_pixel_size (self->layout, &w, &h);
  cairo_move_to (cr, x - w * align, y);
  pango_cairo_show_layout (cr, self->layout);
  if (out_w)
    *out_w = w;
}

static void
ensure_highlight (SlTimelinePainter *self)
{
  const CapLink *links;
  guint n = 0;

  if (self->hl_valid)
    return;
  self->hl_valid = TRUE;
  g_hash_table_remove_all (self->hl_calls);
  g_hash_table_remove_all (self->hl_packets);
  if (self->recording == NULL)
    return;

  if (self->sel_kind == SL_SELECTION_CALL && self->sel_index < cap_recording_get_n_calls (self->recording))
    {
      g_hash_table_add (self->hl_calls, GUINT_TO_POINTER (self->sel_index));
      links = cap_recording_get_call_links (self->recording, self->sel_index, &n);
      for (guint i = 0; i < n; i++)
        g_hash_table_add (self->hl_packets, GUINT_TO_POINTER (links[i].packet));
    }
  else if (self->sel_kind == SL_SELECTION_PACKET && self->sel_index < cap_recording_get_n_packets (self->recording))
    {
      g_hash_table_add (self->hl_packets, GUINT_TO_POINTER (self->sel_index));
      links = cap_recording_get_packet_links (self->recording, self->sel_index, &n);
      for (guint i = 0; i < n; i++)
        g_hash_table_add (self->hl_calls, GUINT_TO_POINTER (links[i].call));
    }
}

static gint64
nice_step (double raw)
{
  gint64 step = 1;

  while (step < raw)
    {
      if (step * 2 >= raw)
        return step * 2;
      if (step * 5 >= raw)
        return step * 5;
      step *= 10;
    }
  return step;
}

/* Ticks label display time, so a stepped run reads like a free one: the
 * seconds spent at the gate are given on the break marks instead. */
static void
draw_axis (SlTimelinePainter *self,
           cairo_t           *cr,
           const Frame       *f)
{
  double s = self->scale;
  gint64 step = nice_step (70 * s / f->px_per_ns);
  double d1 = f->d0 + (self->bottom - self->top) / f->px_per_ns;
  gint64 first = (gint64) ceil (f->d0 / step) * step;

  for (gint64 t = first; t <= d1; t += step)
    {
      double y = self->top + (t - f->d0) * f->px_per_ns;
      g_autofree char *text = NULL;
      gboolean near_break = FALSE;

      for (guint i = 0; i < self->breaks->len && !near_break; i++)
        {
          const Break *b = &g_array_index (self->breaks, Break, i);
          double by = self->top + (b->disp_start + self->break_len / 2 - f->d0) * f->px_per_ns;
          near_break = fabs (by - y) < self->line_h;
        }
      if (near_break)
        continue;
      sl_palette_set_source (cr, &f->pal->grid, 0.45);
      cairo_set_line_width (cr, 1);
      cairo_move_to (cr, self->gutter - 4 * s, floor (y) + 0.5);
      cairo_line_to (cr, self->width, floor (y) + 0.5);
      cairo_stroke (cr);
      text = nc_format_time_at (t, step);
      sl_palette_set_source (cr, &f->pal->dim, 1);
      show_text (self, cr, self->font_small, text, self->gutter - 8 * s,
                 y - self->line_h * 0.45, 1.0, -1, NULL);
    }
}

static double
header_center (SlTimelinePainter *self,
               guint              ci)
{
  const Column *col = &g_array_index (self->columns, Column, ci);

  return (col->x_left + col->x_right - self->band_w) / 2;
}

static void
draw_headers (SlTimelinePainter *self,
              cairo_t           *cr,
              const Frame       *f)
{
  double s = self->scale;

  for (guint ci = 0; ci < self->columns->len; ci++)
    {
      const Column *col = &g_array_index (self->columns, Column, ci);
      double cx = header_center (self, ci);
      double max_w = -1;

      /* A header may use the room up to halfway to each neighbour's. */
      if (self->columns->len > 1)
        {
          double gap = G_MAXDOUBLE;
          if (ci > 0)
            gap = MIN (gap, cx - header_center (self, ci - 1));
          if (ci + 1 < self->columns->len)
            gap = MIN (gap, header_center (self, ci + 1) - cx);
          max_w = MAX (MIN (220 * s, gap - 8 * s), 24 * s);
        }

      /* "client 1", "client 2": what tells them apart is at the end */
      sl_palette_set_source (cr, &f->pal->foreground, 1);
      pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_START);
      show_text (self, cr, self->has_calls ? self->font_title : self->font_bold, col->title, cx, 10 * s,
                 0.5, max_w, NULL);
      if (col->subtitle)
        {
          /* Addresses keep their end too: the port tells the sockets apart. */
          sl_palette_set_source (cr, &f->pal->dim, 1);
          show_text (self, cr, self->font_small, col->subtitle, cx, 32 * s, 0.5, max_w, NULL);
        }
      pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_NONE);
    }
}

static double
lane_end_y (SlTimelinePainter *self,
            const Frame       *f,
            const Lane        *l)
{
  return frame_y (self, f, l->t_last ? l->t_last : f->now);
}

static void
draw_lanes (SlTimelinePainter *self,
            cairo_t           *cr,
            const Frame       *f)
{
  double s = self->scale;

  for (guint li = 0; li < self->lanes->len; li++)
    {
      const Lane *l = &g_array_index (self->lanes, Lane, li);
      double y0 = frame_y (self, f, l->t_first);
      double y1 = lane_end_y (self, f, l);
      double bx = l->x + self->box_w / 2 + 1 * s;
      /* the kernel keeps a connection after close() (FIN_WAIT, TIME_WAIT):
       * its band runs on past the end of the lane; LISTEN ends with it */
      double band_end = l->listening ? y1 : frame_y (self, f, f->now);

      if (!self->has_calls)
        bx = l->x - self->band_w / 2;
      if (MAX (y1, band_end) < self->top || y0 > self->bottom)
        continue;

      /* the lane itself: a thin line where the socket exists */
      sl_palette_set_source (cr, &f->pal->lane, 1);
      cairo_set_line_width (cr, 1.5 * s * f->pal->line_scale);
      cairo_move_to (cr, l->x, MAX (y0, self->top - 2));
      cairo_line_to (cr, l->x, MIN (y1, self->bottom + 2));
      cairo_stroke (cr);

      /* TCP state bands */
      for (guint i = 0; i < l->states->len; i++)
        {
          const StateSeg *seg = &g_array_index (l->states, StateSeg, i);
          double sy0 = frame_y (self, f, seg->t0);
          double sy1 = seg->t1 ? frame_y (self, f, seg->t1) : band_end;
          double alpha = 1;

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
              cairo_rectangle (cr, bx, MAX (f->play_y, sy0), self->band_w, sy1 - MAX (f->play_y, sy0));
            }
          else
            cairo_rectangle (cr, bx, sy0, self->band_w, MAX (sy1 - sy0, 1));
          cairo_fill (cr);
        }

      /* the fd, at the top of the lane */
      if (l->fd >= 0 && y0 >= self->top - self->line_h && y0 <= self->bottom)
        {
          g_autofree char *fd = g_strdup_printf ("%d", l->fd);
          sl_palette_set_source (cr, l->states->len ? &f->pal->state[g_array_index (l->states, StateSeg, 0).state]
                                                    : &f->pal->dim, 1);
          show_text (self, cr, self->font_small, fd, bx + self->band_w / 2,
                     MAX (y0, self->top) - self->line_h - 1 * s, 0.5, -1, NULL);
        }
    }
}

static void
rounded_rect (cairo_t *cr,
              double   x,
              double   y,
              double   w,
              double   h,
              double   r)
{
  r = MIN (r, MIN (w, h) / 2);
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - r, y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, x + w - r, y + h - r, r, 0, G_PI / 2);
  cairo_arc (cr, x + r, y + h - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

typedef struct
{
  double y0, y1;    /* the run of merged boxes being built */
  double x0, x1;
  guint  call;
  guint  n;
  gboolean failed;
  gboolean open;
} PendingBox;

static void
call_rect (SlTimelinePainter *self,
           const Frame       *f,
           const NcCall      *c,
           guint              id,
           double            *x0,
           double            *x1,
           double            *y0,
           double            *y1)
{
  guint32 li = id < self->n_call_lane ? self->call_lane[id] : NO_LANE;
  double min_h = 6 * self->scale;

  *y0 = frame_y (self, f, c->ts_start);
  *y1 = frame_y (self, f, c->ts_end ? c->ts_end : f->now);
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
    for (guint i = 0; i < c->sets_in[s].n && i < NC_SELECT_FDS_MAX; i++)
      {
        const Column *col = NULL;
        for (guint ci = 0; ci < self->columns->len && col == NULL; ci++)
          if (g_array_index (self->columns, Column, ci).actor == c->actor)
            col = &g_array_index (self->columns, Column, ci);
        if (col == NULL)
          continue;
        guint32 l = lane_at (self, col - (const Column *) self->columns->data, c->sets_in[s].fds[i], c->ts_start);
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
      rounded_rect (cr, x0 - 4 * s, y0 - 4 * s, x1 - x0 + 8 * s, y1 - y0 + 8 * s, r + 4 * s);
      sl_palette_set_source (cr, &f->pal->selection, 0.45);
      cairo_fill (cr);
    }
  rounded_rect (cr, x0, y0, x1 - x0, y1 - y0, r);
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
draw_call_label (SlTimelinePainter *self,
                 cairo_t           *cr,
                 const Frame       *f,
                 const Column      *col,
                 const NcCall      *c,
                 double             y0,
                 double             y1,
                 double            *label_bottom,
                 double             alpha)
{
  double s = self->scale;
  g_autoptr(GString) name = g_string_new (NULL);
  g_autoptr(GString) result = g_string_new (NULL);
  double y = MAX (y0, self->top + 2);
  double x, align;
  double room = col->label_room;

  if (room < 40 * s)
    return;
  if (y < *label_bottom)
    y = *label_bottom;
  /* a label may slide down along its box, but not past it */
  if (y > MAX (y1, y0 + self->line_h) || y + self->line_h > self->bottom)
    return;

  sl_format_call_label (c, f->now, name, result);
  if (col->label_side < 0)
    {
      x = col->x_left - 8 * s;
      align = 1;
    }
  else
    {
      x = col->x_right + 6 * s;
      align = 0;
    }
  pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_END);
  sl_palette_set_source (cr, nc_call_failed (c) ? &f->pal->failed : &f->pal->foreground, alpha);
  show_text (self, cr, self->font_bold, name->str, x, y - 2 * s, align, room, NULL);
  sl_palette_set_source (cr, nc_call_failed (c) ? &f->pal->failed : &f->pal->dim, alpha);
  show_text (self, cr, self->font_small, result->str, x, y - 2 * s + self->line_h, align, room, NULL);
  pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_NONE);
  *label_bottom = y + 2 * self->line_h + 4 * s;
  self->stats.n_labels++;
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
        const NcFdList *list = out ? &c->sets_out[set] : &c->sets_in[set];
        if (out && c->ts_end == 0)
          continue;
        for (guint i = 0; i < list->n && i < NC_SELECT_FDS_MAX; i++)
          {
            guint32 li = lane_at (self, ci, list->fds[i], c->ts_start);
            double x, y;
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
lower_bound_i64 (GArray *sorted,
                 gint64  ts)
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
static guint
call_list_first_visible (const CallList *list,
                         gint64          ts)
{
  return lower_bound_i64 (list->max_end, ts);
}

/* First index starting at or after @ts */
static guint
call_list_first_from (const CallList *list,
                      gint64          ts)
{
  return lower_bound_i64 (list->starts, ts);
}

typedef struct
{
  double y0, y1;
  guint  id;
  double alpha;
} LabelCandidate;

typedef struct
{
  double   x0, y0, x1, y1;
  gboolean future;
} PlainBox;

static void
fill_plain_boxes (SlTimelinePainter *self,
                  cairo_t           *cr,
                  const Frame       *f)
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
            rounded_rect (cr, b->x0, b->y0, b->x1 - b->x0, b->y1 - b->y0, r);
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

static int
compare_candidates (gconstpointer a,
                    gconstpointer b)
{
  const LabelCandidate *x = a, *y = b;
  return x->y0 < y->y0 ? -1 : x->y0 > y->y0;
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
               double             y1,
               GArray            *candidates)
{
  gboolean hl = g_hash_table_contains (self->hl_calls, GUINT_TO_POINTER (id));
  gboolean future = f->fade && c->ts_start > self->playhead;
  double alpha = future ? f->pal->future_alpha : 1;

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
  else if (!hl && !nc_call_failed (c) && c->ts_end != 0 && c->kind != NC_CALL_SELECT)
    {
      /* plain boxes are filled together, one fill per alpha */
      PlainBox box = { x0, y0, x1, y1, future };
      g_array_append_val (self->plain_boxes, box);
    }
  else
    draw_box (self, cr, f, x0, y0, x1, y1, nc_call_failed (c), hl, c->ts_end == 0, alpha);
  if (c->kind == NC_CALL_SELECT)
    draw_select_marks (self, cr, f, ci, c, y0, y1, alpha);
  self->stats.n_calls_drawn++;

  if (y1 >= self->top && y0 <= self->bottom)
    {
      HitItem hit = { x0, y0, x1, y1, id };
      LabelCandidate cand = { y0, y1, id, hl ? 1 : future ? 0.45 : 1 };
      g_array_append_val (self->hit_calls, hit);
      g_array_append_val (candidates, cand);
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
                const CallList    *list,
                GArray            *candidates)
{
  CapRecording *rec = self->recording;
  guint i = call_list_first_visible (list, self->begin);

  while (i < list->ids->len)
    {
      guint id = g_array_index (list->ids, guint32, i);
      const NcCall *c = cap_recording_get_call (rec, id);
      double x0, x1, y0, y1;
      guint next;

      if (c->ts_start > self->end)
        break;
      if (call_end_or_max (c) < self->begin)
        {
          i++;
          continue;
        }
      call_rect (self, f, c, id, &x0, &x1, &y0, &y1);
      if (x1 > x0)
        draw_call_box (self, cr, f, ci, c, id, x0, y0, x1, y1, candidates);

      next = i + 1;
      if (next < list->ids->len &&
          frame_y (self, f, g_array_index (list->starts, gint64, next)) < y1)
        {
          /* the next call starts inside this box: skip to the first below it */
          guint skip = call_list_first_from (list, sl_timeline_painter_y_to_time_frame (self, f, y1));
          self->stats.n_calls_merged += MAX (skip, next) - next;
          next = MAX (skip, next);
        }
      i = next;
    }
}

static void
draw_calls (SlTimelinePainter *self,
            cairo_t           *cr,
            const Frame       *f)
{
  CapRecording *rec = self->recording;
  g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (LabelCandidate));

  for (guint ci = 0; ci < self->columns->len; ci++)
    {
      const Column *col = &g_array_index (self->columns, Column, ci);
      double label_bottom = -1e9;

      g_array_set_size (candidates, 0);
      for (guint li = 0; li < col->n_lanes; li++)
        draw_call_list (self, cr, f, ci, &g_array_index (self->lanes, Lane, col->first_lane + li).calls,
                        candidates);
      draw_call_list (self, cr, f, ci, &col->calls, candidates);
      fill_plain_boxes (self, cr, f);

      /* labels top to bottom, each below the last one of its column */
      g_array_sort (candidates, compare_candidates);
      for (guint k = 0; k < candidates->len; k++)
        {
          const LabelCandidate *cand = &g_array_index (candidates, LabelCandidate, k);
          if (cand->y0 < label_bottom - self->line_h * 4)
            continue;  /* long gone: cheaper than trying */
          draw_call_label (self, cr, f, col, cap_recording_get_call (rec, cand->id), cand->y0, cand->y1,
                           &label_bottom, cand->alpha);
        }
    }
}

/* The ends of a packet's arrow: tail at the capture time on the sender's
 * lane, head a fixed slant lower on the receiver's. */
static gboolean
packet_line (SlTimelinePainter *self,
             const Frame       *f,
             guint              index,
             double            *x0,
             double            *y0,
             double            *x1,
             double            *y1)
{
  const CapPacket *pkt;
  const Route *r;
  const Lane *a, *b;
  double inset;

  if (index >= self->n_routed || self->packet_route[index] == NO_ROUTE)
    return FALSE;
  pkt = cap_recording_get_packet (self->recording, index);
  r = &g_array_index (self->routes, Route, self->packet_route[index]);
  a = &g_array_index (self->lanes, Lane, r->from);
  b = &g_array_index (self->lanes, Lane, r->to);
  inset = self->has_calls ? self->box_w / 2 + 1 : self->band_w / 2 + 2;
  *y0 = frame_y (self, f, pkt->ts);
  *y1 = *y0 + self->slant;
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
packet_label (SlTimelinePainter *self,
              guint              index,
              GString           *out)
{
  CapRecording *rec = self->recording;
  const CapPacket *pkt = cap_recording_get_packet (rec, index);
  CapSummary s;

  memset (&s, 0, sizeof s);
  if (!cap_recording_dissect_packet (rec, index, &s))
    {
      g_string_append (out, "?");
      return;
    }
  cap_summary_format_label (&s, out);
  if (pkt->proto == IPPROTO_TCP && (s.flags & CAP_SUMMARY_TRANSPORT))
    {
      /* as textbooks write them: relative seq on SYNs and FINs, ack on pure ACKs */
      if (s.tcp_flags & (CAP_TCP_SYN | CAP_TCP_FIN))
        g_string_append_printf (out, "  seq=%u", cap_recording_get_relative_seq (rec, index));
      if ((s.tcp_flags & CAP_TCP_ACK) && s.payload_len == 0 && !(s.tcp_flags & CAP_TCP_RST))
        g_string_append_printf (out, "  ack=%u", cap_recording_get_relative_ack (rec, index));
      if ((s.tcp_flags & CAP_TCP_SYN) && s.mss)
        g_string_append_printf (out, "  mss=%u", s.mss);
    }
  if (pkt->flags & CAP_PACKET_RETRANSMISSION)
    g_string_append (out, "  (retransmission)");
  if (pkt->flags & CAP_PACKET_DROPPED)
    g_string_append (out, "  (dropped)");
}

static void
draw_arrow_label (SlTimelinePainter *self,
                  cairo_t           *cr,
                  const Frame       *f,
                  guint              index,
                  double             x0,
                  double             y0,
                  double             x1,
                  double             y1,
                  const SlRgb       *color,
                  gboolean           hl,
                  double             alpha)
{
  const CapPacket *pkt = cap_recording_get_packet (self->recording, index);
  double s = self->scale;
  double len = hypot (x1 - x0, y1 - y0);
  double head = 10 * s;

  {
      g_autoptr(GString) text = g_string_new (NULL);
      double angle = atan2 (y1 - y0, x1 - x0);
      int w, h;

      if (x1 < x0)
        angle += G_PI;  /* keep the text upright */
      packet_label (self, index, text);
      pango_layout_set_font_description (self->layout, self->font_bold);
      pango_layout_set_width (self->layout, (int) ((len - 2 * head) * PANGO_SCALE));
      pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_END);
      pango_layout_set_text (self->layout, text->str, -1);
      pango_layout_get_pixel_size (self->layout, &w, &h);
      cairo_save (cr);
      cairo_translate (cr, (x0 + x1) / 2, (y0 + y1) / 2);
      cairo_rotate (cr, angle);
      pango_cairo_update_layout (cr, self->layout);
      cairo_move_to (cr, -w / 2.0, -h - 1 * s);
      sl_palette_set_source (cr, color, hl ? 1 : MAX (alpha, f->fade && pkt->ts > self->playhead ? 0.45 : 1));
      pango_cairo_show_layout (cr, self->layout);
      cairo_restore (cr);
      pango_cairo_update_layout (cr, self->layout);
      pango_layout_set_ellipsize (self->layout, PANGO_ELLIPSIZE_NONE);
      self->stats.n_labels++;
    }
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
            const SlRgb       *color,
            gboolean           labelled)
{
  const CapPacket *pkt = cap_recording_get_packet (self->recording, index);
  double s = self->scale;
  double alpha = 1;
  double len = hypot (x1 - x0, y1 - y0);
  double ux = (x1 - x0) / MAX (len, 1), uy = (y1 - y0) / MAX (len, 1);
  double head = 10 * s;
  gboolean hl = g_hash_table_contains (self->hl_packets, GUINT_TO_POINTER (index));
  gboolean in_flight = f->fade && y0 <= f->play_y && f->play_y < y1;
  gboolean dropped = (pkt->flags & CAP_PACKET_DROPPED) != 0;
  double hx = x1, hy = y1;

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

  if (labelled)
    draw_arrow_label (self, cr, f, index, x0, y0, x1, y1, color, hl, alpha);
}

typedef struct
{
  double  x0, y0, x1, y1;
  guint   index;
  guint8  color;
  guint8  future;
  guint8  labelled;
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
draw_plain_arrows (SlTimelinePainter *self,
                   cairo_t           *cr,
                   const Frame       *f,
                   GArray            *plain)
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
            double len, ux, uy;

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
            double len, ux, uy, px, py;

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
            cairo_line_to (cr, a->x1 - ux * head + px * head * 0.4, a->y1 - uy * head + py * head * 0.4);
            cairo_line_to (cr, a->x1 - ux * head - px * head * 0.4, a->y1 - uy * head - py * head * 0.4);
            cairo_close_path (cr);
          }
        cairo_fill (cr);
      }

  for (guint k = 0; k < plain->len; k++)
    {
      const PlainArrow *a = &g_array_index (plain, PlainArrow, k);
      if (a->labelled)
        draw_arrow_label (self, cr, f, a->index, a->x0, a->y0, a->x1, a->y1, &f->pal->packet[a->color],
                          FALSE, a->future ? f->pal->future_alpha : 1);
    }
}

static gboolean
boxes_overlap (const cairo_rectangle_t *a,
               const cairo_rectangle_t *b)
{
  return a->x < b->x + b->width && b->x < a->x + a->width &&
         a->y < b->y + b->height && b->y < a->y + a->height;
}

static void
draw_packets_single (SlTimelinePainter *self,
                     cairo_t           *cr,
                     const Frame       *f,
                     guint              i0,
                     guint              i1)
{
  g_autofree double *route_last_y = g_new (double, MAX (self->routes->len, 1));
  g_autoptr(GArray) labels = g_array_new (FALSE, FALSE, sizeof (cairo_rectangle_t));
  g_autoptr(GArray) plain = g_array_new (FALSE, FALSE, sizeof (PlainArrow));

  for (guint r = 0; r < self->routes->len; r++)
    route_last_y[r] = -1e9;

  for (guint i = i0; i < i1; i++)
    {
      double x0, y0, x1, y1, len;
      guint16 route;
      const Route *r;
      gboolean labelled = FALSE;
      gboolean hl;
      cairo_rectangle_t box;

      if (!packet_line (self, f, i, &x0, &y0, &x1, &y1))
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

      /* a label where it overlaps no other: its box along the arrow's middle */
      len = fabs (x1 - x0);
      box.x = MIN (x0, x1) + len * 0.15;
      box.width = len * 0.7;
      box.y = MIN (y0, y1) - self->line_h;
      box.height = fabs (y1 - y0) + self->line_h;
      if ((y0 + y1) / 2 > self->top + self->line_h && len > 60 * self->scale)
        {
          labelled = TRUE;
          for (guint k = 0; k < labels->len && labelled; k++)
            labelled = !boxes_overlap (&box, &g_array_index (labels, cairo_rectangle_t, k));
          if (labelled)
            g_array_append_val (labels, box);
        }
      self->stats.n_packets_drawn++;
      if (arrow_is_plain (self, f, i, y0, y1, hl))
        {
          /* drawn below in one stroke and one fill per colour */
          PlainArrow pa = { x0, y0, x1, y1, i, r->color,
                            f->fade && cap_recording_get_packet (self->recording, i)->ts > self->playhead,
                            labelled };
          g_array_append_val (plain, pa);
        }
      else
        draw_arrow (self, cr, f, i, x0, y0, x1, y1, &f->pal->packet[r->color], labelled);
    }
  draw_plain_arrows (self, cr, f, plain);
}

static int
compare_agg (gconstpointer a,
             gconstpointer b)
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
flush_run (SlTimelinePainter *self,
           AggSeg            *run)
{
  if (run->y1 > run->y0)
    g_array_append_val (self->agg, *run);
  run->y0 = run->y1 = 0;
}

static void
draw_packets_dense (SlTimelinePainter *self,
                    cairo_t           *cr,
                    const Frame       *f)
{
  CapRecording *rec = self->recording;
  /* light: bands of many routes overlap, and the lanes must show through */
  static const double level_alpha[4] = { 0.14, 0.24, 0.36, 0.5 };
  guint n_routes = self->routes->len;
  g_autofree AggSeg *runs = g_new0 (AggSeg, MAX (n_routes, 1));
  gint64 t1 = from_display (self, f->d0);
  guint i1 = cap_recording_find_packet_at (rec, t1);
  double s = self->scale;

  g_array_set_size (self->agg, 0);
  for (guint r = 0; r < n_routes; r++)
    runs[r].route = r;

  for (double y = self->top; y < self->bottom; y += ROW_PX)
    {
      guint i0 = i1;
      guint64 mask = 0;
      guint i, n, lim;
      guint8 level;

      /* rows share their bounds: one binary search per row */
      t1 = from_display (self, f->d0 + (y + ROW_PX - self->top) / f->px_per_ns);
      i1 = cap_recording_find_packet_at (rec, t1);
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

      /* decades, so neighbouring rows rarely differ and bands stay long */
      level = n < 10 ? 0 : n < 100 ? 1 : n < 1000 ? 2 : 3;
      for (guint r = 0; r < n_routes; r++)
        {
          AggSeg *run = &runs[r];
          gboolean present = (mask & (G_GUINT64_CONSTANT (1) << (r & 63))) != 0;

          if (run->y1 > run->y0 && (!present || run->level != level || run->y1 < (float) y))
            flush_run (self, run);
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
        g_array_append_val (self->hit_rows, row);
      }
      self->stats.n_packets_aggregated += n;
    }
  for (guint r = 0; r < n_routes; r++)
    flush_run (self, &runs[r]);

  g_array_sort (self->agg, compare_agg);
  /* bands are rows of whole pixels: antialiasing would only cost time */
  cairo_save (cr);
  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  for (guint k = 0; k < self->agg->len;)
    {
      const AggSeg *first = &g_array_index (self->agg, AggSeg, k);
      const Route *r = &g_array_index (self->routes, Route, first->route);
      const Lane *a = &g_array_index (self->lanes, Lane, r->from);
      const Lane *b = &g_array_index (self->lanes, Lane, r->to);
      double slant = self->slant * 0.5;
      double dir = b->x >= a->x ? 1 : -1;
      double stub = MIN (44 * s, fabs (b->x - a->x) * 0.35);
      guint j = k;

      /* where many routes cross the same stretch, full-width bands would
       * be a wall of colour: a strong glow where the route leaves and
       * enters its lanes, fading along it (unlike a state band, which is
       * solid and narrow), and a faint band between */
      for (int part = 0; part < 3; part++)
        {
          cairo_pattern_t *glow = NULL;
          double alpha = level_alpha[first->level];
          const SlRgb *c = &f->pal->packet[r->color];

          for (guint m = k; m < self->agg->len; m++)
            {
              const AggSeg *seg = &g_array_index (self->agg, AggSeg, m);
              if (seg->route != first->route || seg->level != first->level)
                {
                  j = m;
                  break;
                }
              j = m + 1;
              if (a == b)
                {
                  if (part == 0)
                    cairo_rectangle (cr, a->x - 8 * s, seg->y0, 16 * s, seg->y1 - seg->y0);
                }
              else if (part == 0)
                cairo_rectangle (cr, MIN (a->x, a->x + dir * stub), seg->y0, stub, seg->y1 - seg->y0);
              else if (part == 1)
                cairo_rectangle (cr, MIN (b->x, b->x - dir * stub), seg->y0 + slant, stub, seg->y1 - seg->y0);
              else
                {
                  /* a band from lane to lane, slanted like the arrows it stands for */
                  cairo_move_to (cr, a->x + dir * stub, seg->y0);
                  cairo_line_to (cr, b->x - dir * stub, seg->y0 + slant);
                  cairo_line_to (cr, b->x - dir * stub, seg->y1 + slant);
                  cairo_line_to (cr, a->x + dir * stub, seg->y1);
                  cairo_close_path (cr);
                }
            }
          if (part == 2 || a == b)
            sl_palette_set_source (cr, c, part == 2 ? alpha * 0.4 : alpha * 2);
          else
            {
              double x0 = part == 0 ? a->x : b->x;
              double x1 = part == 0 ? a->x + dir * stub : b->x - dir * stub;
              glow = cairo_pattern_create_linear (x0, 0, x1, 0);
              cairo_pattern_add_color_stop_rgba (glow, 0, c->r, c->g, c->b, MIN (alpha * 2.4, 1));
              cairo_pattern_add_color_stop_rgba (glow, 1, c->r, c->g, c->b, alpha * 0.4);
              cairo_set_source (cr, glow);
            }
          cairo_fill (cr);
          g_clear_pointer (&glow, cairo_pattern_destroy);
          if (a == b)
            break;
        }
      k = j;
    }
  cairo_restore (cr);
}

static void
draw_packets (SlTimelinePainter *self,
              cairo_t           *cr,
              const Frame       *f)
{
  CapRecording *rec = self->recording;
  /* an arrow's head is slant pixels below its tail: start that much earlier */
  gint64 t0 = from_display (self, f->d0 - self->slant / f->px_per_ns);
  guint i0 = cap_recording_find_packet_at (rec, t0);
  guint i1 = cap_recording_find_packet_at (rec, self->end + 1);

  i1 = MIN (i1, self->n_routed);
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

static void
draw_breaks (SlTimelinePainter *self,
             cairo_t           *cr,
             const Frame       *f)
{
  double s = self->scale;
  double last_label = -1e9;

  for (guint i = 0; i < self->breaks->len; i++)
    {
      const Break *b = &g_array_index (self->breaks, Break, i);
      double y = (frame_y (self, f, b->real_start) + frame_y (self, f, b->real_end)) / 2;
      double h = 7 * s;

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

      if (y - last_label > self->line_h * 1.5)
        {
          g_autofree char *dur = nc_format_duration (b->real_end - b->real_start);
          g_autofree char *text = g_strdup_printf ("held %s", dur);
          sl_palette_set_source (cr, &f->pal->dim, 1);
          show_text (self, cr, self->font_small, text, self->gutter - 8 * s, y - self->line_h * 0.5,
                     1.0, -1, NULL);
          last_label = y;
        }
    }
}

static void
draw_playhead (SlTimelinePainter *self,
               cairo_t           *cr,
               const Frame       *f)
{
  double s = self->scale;
  double y = f->play_y;
  g_autofree char *text = NULL;
  g_autofree char *label = NULL;
  gint64 step = nice_step (70 * s / f->px_per_ns) / 10;

  if (!self->show_playhead || y < self->top || y > self->bottom)
    return;
  sl_palette_set_source (cr, &f->pal->playhead, 1);
  cairo_set_line_width (cr, 1.5 * s * f->pal->line_scale);
  cairo_move_to (cr, self->gutter, floor (y) + 0.5);
  cairo_line_to (cr, self->width, floor (y) + 0.5);
  cairo_stroke (cr);
  text = nc_format_time_at ((gint64) llround (to_display (self, self->playhead)), MAX (step, 1));
  label = g_strdup_printf ("▶ %s", text);
  {
    /* in the time gutter, like a scrubber's thumb, where no label sits */
    int w, h;
    pango_layout_set_font_description (self->layout, self->font_bold);
    pango_layout_set_width (self->layout, -1);
    pango_layout_set_text (self->layout, label, -1);
    pango_layout_get_pixel_size (self->layout, &w, &h);
    double x = MAX (self->gutter - w - 12 * s, 2);
    rounded_rect (cr, x, y - h / 2.0 - 2 * s, w + 10 * s, h + 4 * s, 4 * s);
    sl_palette_set_source (cr, &f->pal->playhead, 1);
    cairo_fill (cr);
    sl_palette_set_source (cr, &f->pal->background, 1);
    cairo_move_to (cr, x + 5 * s, y - h / 2.0);
    pango_cairo_show_layout (cr, self->layout);
  }
}

static void
draw_legend (SlTimelinePainter *self,
             cairo_t           *cr,
             const Frame       *f)
{
  double s = self->scale;
  double x = self->gutter;
  double y = self->height - 24 * s;
  double w;
  const char *note;

  for (guint st = 1; st < TS_N; st++)
    {
      if (!self->states_used[st])
        continue;
      sl_palette_set_source (cr, &f->pal->state[st], 1);
      cairo_rectangle (cr, x, y + 3 * s, 12 * s, 10 * s);
      cairo_fill (cr);
      sl_palette_set_source (cr, &f->pal->dim, 1);
      show_text (self, cr, self->font_small, nc_tcp_state_name (st), x + 16 * s, y, 0, -1, &w);
      x += 16 * s + w + 14 * s;
    }
  if (self->any_kernel_states && self->any_derived_states)
    note = "TCP state: kernel (sock_diag) where sampled, else derived from packets";
  else if (self->any_kernel_states)
    note = "TCP state per socket (kernel, sock_diag)";
  else if (self->any_derived_states)
    note = "TCP state derived from packets";
  else
    note = NULL;
  if (note)
    {
      sl_palette_set_source (cr, &f->pal->dim, 1);
      show_text (self, cr, self->font_small, note, x, y, 0, MAX (self->width - x - 8 * s, 10), &w);
      x += w + 14 * s;
    }
  if (self->stats.aggregated && x < self->width - 200 * s)
    {
      sl_palette_set_source (cr, &f->pal->dim, 1);
      show_text (self, cr, self->font_small, "dense: a band per route, darker = more packets per row",
                 x, y, 0, self->width - x - 8 * s, NULL);
    }
}

/* ------------------------------------------------------------------------ */
/* GObject                                                                   */

static void
sl_timeline_painter_finalize (GObject *object)
{
  SlTimelinePainter *self = SL_TIMELINE_PAINTER (object);

  clear_layout (self);
  g_clear_object (&self->recording);
  g_clear_pointer (&self->conv_filter, g_array_unref);
  g_clear_pointer (&self->columns, g_array_unref);
  g_clear_pointer (&self->lanes, g_array_unref);
  g_clear_pointer (&self->routes, g_array_unref);
  g_clear_pointer (&self->breaks, g_array_unref);
  g_clear_pointer (&self->hit_calls, g_array_unref);
  g_clear_pointer (&self->hit_packets, g_array_unref);
  g_clear_pointer (&self->hit_rows, g_array_unref);
  g_clear_pointer (&self->agg, g_array_unref);
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
  g_array_set_clear_func (self->columns, column_clear);
  self->lanes = g_array_new (FALSE, TRUE, sizeof (Lane));
  g_array_set_clear_func (self->lanes, lane_clear);
  self->routes = g_array_new (FALSE, TRUE, sizeof (Route));
  self->breaks = g_array_new (FALSE, TRUE, sizeof (Break));
  self->hit_calls = g_array_new (FALSE, FALSE, sizeof (HitItem));
  self->hit_packets = g_array_new (FALSE, FALSE, sizeof (HitItem));
  self->hit_rows = g_array_new (FALSE, FALSE, sizeof (HitRow));
  self->agg = g_array_new (FALSE, FALSE, sizeof (AggSeg));
  self->plain_boxes = g_array_new (FALSE, FALSE, sizeof (PlainBox));
  self->hl_calls = g_hash_table_new (NULL, NULL);
  self->hl_packets = g_hash_table_new (NULL, NULL);

  self->width = 800;
  self->height = 600;
  self->scale = 1.0;
  self->show_playhead = TRUE;
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
sl_timeline_painter_set_recording (SlTimelinePainter *self,
                                   CapRecording      *recording)
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
sl_timeline_painter_set_size (SlTimelinePainter *self,
                              int                width,
                              int                height)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));

  width = MAX (width, 1);
  height = MAX (height, 1);
  if (self->width == width && self->height == height)
    return;
  self->width = width;
  self->height = height;
  self->geometry_valid = FALSE;
}

void
sl_timeline_painter_set_range (SlTimelinePainter *self,
                               gint64             begin,
                               gint64             end)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));

  self->begin = MIN (begin, end);
  self->end = MAX (end, begin + 1);
}

void
sl_timeline_painter_set_playhead (SlTimelinePainter *self,
                                  gint64             ts)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));
  self->playhead = ts;
}

void
sl_timeline_painter_set_selection (SlTimelinePainter *self,
                                   SlSelectionKind    kind,
                                   guint              index)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));

  if (self->sel_kind == kind && self->sel_index == index)
    return;
  self->sel_kind = kind;
  self->sel_index = index;
  self->hl_valid = FALSE;
}

void
sl_timeline_painter_set_theme (SlTimelinePainter *self,
                               SlTheme            theme)
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
sl_timeline_painter_set_text_scale (SlTimelinePainter *self,
                                    double             scale)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));

  scale = CLAMP (scale, 0.5, 4.0);
  if (self->scale == scale)
    return;
  self->scale = scale;
  self->geometry_valid = FALSE;
}

void
sl_timeline_painter_set_show_playhead (SlTimelinePainter *self,
                                       gboolean           show)
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
sl_timeline_painter_set_max_columns (SlTimelinePainter *self,
                                     guint              max_columns)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));

  if (self->max_columns == max_columns)
    return;
  self->max_columns = max_columns;
  sl_timeline_painter_invalidate (self);
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
void
sl_timeline_painter_draw (SlTimelinePainter *self,
                          cairo_t           *cr)
{
  Frame f;

  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));
  g_return_if_fail (cr != NULL);

  memset (&self->stats, 0, sizeof self->stats);
  g_array_set_size (self->hit_calls, 0);
  g_array_set_size (self->hit_packets, 0);
  g_array_set_size (self->hit_rows, 0);

  frame_init (self, &f);
  ensure_highlight (self);
  pango_cairo_update_layout (cr, self->layout);

  cairo_save (cr);
  sl_palette_set_source (cr, &f.pal->background, 1);
  cairo_paint (cr);

  if (self->recording == NULL || self->columns->len == 0)
    {
      sl_palette_set_source (cr, &f.pal->dim, 1);
      show_text (self, cr, self->font_title, self->recording ? "Nothing recorded yet" : "No recording",
                 self->width / 2.0, self->height / 2.0 - self->line_h, 0.5, -1, NULL);
      cairo_restore (cr);
      return;
    }

  self->stats.n_columns = self->columns->len;
  self->stats.n_lanes = self->lanes->len;

  draw_axis (self, cr, &f);
  draw_headers (self, cr, &f);

  cairo_save (cr);
  cairo_rectangle (cr, 0, self->top - self->line_h - 4 * self->scale, self->width,
                   self->bottom - self->top + self->line_h + 8 * self->scale);
  cairo_clip (cr);
  draw_lanes (self, cr, &f);
  draw_packets (self, cr, &f);
  draw_calls (self, cr, &f);
  draw_breaks (self, cr, &f);
  draw_playhead (self, cr, &f);
  cairo_restore (cr);

  draw_legend (self, cr, &f);
  cairo_restore (cr);
}

void
sl_timeline_painter_get_stats (SlTimelinePainter *self,
                               SlTimelineStats   *stats)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));
  *stats = self->stats;
}

static double
segment_distance (const HitItem *h,
                  double         x,
                  double         y)
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
  double slack = 3 * self->scale;
  double best = 7 * self->scale;
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
      double d = segment_distance (h, x, y);
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
sl_timeline_painter_time_to_y (SlTimelinePainter *self,
                               gint64             ts)
{
  Frame f;

  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), 0);
  frame_init (self, &f);
  return frame_y (self, &f, ts);
}

gint64
sl_timeline_painter_y_to_time (SlTimelinePainter *self,
                               double             y)
{
  Frame f;

  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), 0);
  frame_init (self, &f);
  return from_display (self, f.d0 + (y - self->top) / f.px_per_ns);
}

/**
 * sl_timeline_painter_to_display:
 *
 * Real time (ns, absolute) to display time (ns from the start, gate waits
 * collapsed). Zoom and pan in display time so a break does not stretch.
 */
double
sl_timeline_painter_to_display (SlTimelinePainter *self,
                                gint64             ts)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), 0);
  ensure_layout (self);
  return to_display (self, ts);
}

gint64
sl_timeline_painter_from_display (SlTimelinePainter *self,
                                  double             display)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), 0);
  ensure_layout (self);
  return from_display (self, display);
}

guint
sl_timeline_painter_get_n_breaks (SlTimelinePainter *self)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), 0);
  ensure_layout (self);
  return self->breaks->len;
}

void
sl_timeline_painter_get_plot_area (SlTimelinePainter *self,
                                   double            *top,
                                   double            *bottom)
{
  g_return_if_fail (SL_IS_TIMELINE_PAINTER (self));
  ensure_geometry (self);
  *top = self->top;
  *bottom = self->bottom;
}

guint
sl_timeline_painter_get_n_columns (SlTimelinePainter *self)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), 0);
  ensure_layout (self);
  return self->columns->len;
}

const char *
sl_timeline_painter_get_column_title (SlTimelinePainter *self,
                                      guint              column)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), NULL);
  ensure_layout (self);
  g_return_val_if_fail (column < self->columns->len, NULL);
  return g_array_index (self->columns, Column, column).title;
}

double
sl_timeline_painter_get_column_x (SlTimelinePainter *self,
                                  guint              column)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), 0);
  ensure_geometry (self);
  g_return_val_if_fail (column < self->columns->len, 0);
  return g_array_index (self->columns, Column, column).x;
}

guint
sl_timeline_painter_get_column_actor (SlTimelinePainter *self,
                                      guint              column)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), G_MAXUINT);
  ensure_geometry (self);
  g_return_val_if_fail (column < self->columns->len, G_MAXUINT);
  {
    int actor = g_array_index (self->columns, Column, column).actor;
    return actor < 0 ? G_MAXUINT : (guint) actor;
  }
}

/* The x of the centre of a socket's lane (where its call boxes are). */
gboolean
sl_timeline_painter_get_socket_x (SlTimelinePainter *self,
                                  guint32            socket,
                                  double            *x)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), FALSE);
  ensure_geometry (self);
  if (socket >= self->n_socket_lane || self->socket_lane[socket] == NO_LANE)
    return FALSE;
  *x = g_array_index (self->lanes, Lane, self->socket_lane[socket]).x;
  return TRUE;
}

gboolean
sl_timeline_painter_get_endpoint_x (SlTimelinePainter *self,
                                    guint32            endpoint,
                                    double            *x)
{
  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), FALSE);
  ensure_geometry (self);
  for (guint i = 0; i < self->lanes->len; i++)
    if (g_array_index (self->lanes, Lane, i).endpoint == endpoint)
      {
        *x = g_array_index (self->lanes, Lane, i).x;
        return TRUE;
      }
  return FALSE;
}

gboolean
sl_timeline_painter_get_call_rect (SlTimelinePainter *self,
                                   guint              call,
                                   cairo_rectangle_t *rect)
{
  const NcCall *c;
  double x0, x1, y0, y1;
  Frame f;

  g_return_val_if_fail (SL_IS_TIMELINE_PAINTER (self), FALSE);
  frame_init (self, &f);
  if (self->recording == NULL || call >= self->n_call_lane)
    return FALSE;
  c = cap_recording_get_call (self->recording, call);
  if (c == NULL || c->ts_start == 0)
    return FALSE;
  call_rect (self, &f, c, call, &x0, &x1, &y0, &y1);
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
  frame_init (self, &f);
  return packet_line (self, &f, packet, x0, y0, x1, y1);
}

SlRgb
sl_timeline_painter_get_packet_color (SlTimelinePainter *self,
                                      guint              packet)
{
  const SlPalette *pal = sl_palette_get (self->theme);

  ensure_layout (self);
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
socket_lane_get (SlTimelinePainter *self,
                 guint32            socket)
{
  ensure_geometry (self);
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
      if (ts >= seg->t0 && (seg->t1 == 0 ? (!l->listening || l->t_last == 0 || ts <= l->t_last) : ts < seg->t1))
        return seg->state;
    }
  return NC_TCP_STATE_NONE;
}
