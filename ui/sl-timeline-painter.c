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
#define MAX_SINGLE       3000         /* more visible packets than this: density */
#define DEFAULT_COLUMNS  8            /* endpoint columns before "others" */

typedef struct
{
  gint64 t0;
  gint64 t1;     /* 0: until the lane ends */
  guint8 state;
} StateSeg;

typedef struct
{
  guint32  socket;     /* CapSocket id, or CAP_NONE */
  guint32  endpoint;   /* endpoint columns: the endpoint, else CAP_NONE */
  guint    column;
  gint32   fd;
  gint64   t_first;
  gint64   t_last;     /* 0: still open */
  GArray  *states;     /* StateSeg */
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
  GArray  *calls;      /* guint32 call ids, by ts_start */
  GArray  *max_end;    /* gint64: the latest end among calls[0..i] */
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
  float   y;
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
  GArray          *label_y;       /* double per column gap: last packet label bottom */
  SlTimelineStats  stats;
};

G_DEFINE_FINAL_TYPE (SlTimelinePainter, sl_timeline_painter, G_TYPE_OBJECT)

static void
column_clear (gpointer data)
{
  Column *c = data;

  g_clear_pointer (&c->title, g_free);
  g_clear_pointer (&c->subtitle, g_free);
  g_clear_pointer (&c->calls, g_array_unref);
  g_clear_pointer (&c->max_end, g_array_unref);
}

static void
lane_clear (gpointer data)
{
  Lane *l = data;

  g_clear_pointer (&l->states, g_array_unref);
}

/* ------------------------------------------------------------------------ */
/* Text                                                                      */

static const char *
unit_for (gint64 step,
          double *div)
{
  if (step < 1000)
    {
      *div = 1;
      return "ns";
    }
  if (step < 1000000)
    {
      *div = 1e3;
      return "µs";
    }
  if (step < 1000000000)
    {
      *div = 1e6;
      return "ms";
    }
  *div = 1e9;
  return "s";
}

/**
 * sl_format_duration:
 *
 * A duration as a person reads it: "850 ns", "98 µs", "1.25 ms", "4.2 s".
 */
char *
sl_format_duration (gint64 ns)
{
  double div, v;
  const char *unit = unit_for (ABS (ns) < 1 ? 1 : ABS (ns), &div);

  v = ns / div;
  if (fabs (v) >= 100 || div == 1)
    return g_strdup_printf ("%.0f %s", v, unit);
  if (fabs (v) >= 10)
    return g_strdup_printf ("%.1f %s", v, unit);
  return g_strdup_printf ("%.2f %s", v, unit);
}

/**
 * sl_format_time_at:
 * @ns: a time relative to the recording's start
 * @step: the tick step, which picks the unit and the decimals
 */
char *
sl_format_time_at (gint64 ns,
                   gint64 step)
{
  double div;
  const char *unit = unit_for (MAX (step, 1), &div);
  double step_u = step / div;
  int decimals = step_u >= 1 ? 0 : (int) ceil (-log10 (step_u) - 1e-9);

  return g_strdup_printf ("%.*f %s", CLAMP (decimals, 0, 6), ns / div, unit);
}

static void
append_data (GString      *out,
             const guint8 *data,
             gsize         len,
             gsize         max)
{
  g_string_append_c (out, '"');
  for (gsize i = 0; i < len && i < max; i++)
    {
      guint8 c = data[i];
      if (c == '\n')
        g_string_append (out, "\\n");
      else if (c >= 0x20 && c < 0x7f)
        g_string_append_c (out, (char) c);
      else
        g_string_append_printf (out, "\\x%02x", c);
    }
  if (len > max)
    g_string_append (out, "…");
  g_string_append_c (out, '"');
}

static void
append_fds (GString        *out,
            const NcFdList *list)
{
  g_string_append_c (out, '[');
  for (guint i = 0; i < list->n && i < NC_SELECT_FDS_MAX; i++)
    g_string_append_printf (out, "%s%d", i ? "," : "", list->fds[i]);
  g_string_append_c (out, ']');
}

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
    case NC_CALL_SOCKET:
    case NC_CALL_BIND:
    case NC_CALL_LISTEN:
    case NC_CALL_SEND:
    case NC_CALL_SENDTO:
    case NC_CALL_SHUTDOWN:
    case NC_CALL_CLOSE:
    case NC_CALL_SETBLOCKING:
    case NC_CALL_SETTIMEOUT:
    case NC_CALL_SETSOCKOPT:
    case NC_CALL_GETSOCKOPT:
    case NC_CALL_GETSOCKNAME:
    case NC_CALL_GETPEERNAME:
    case NC_CALL_GETHOSTNAME:
    case NC_CALL_GETADDRINFO:
    case NC_CALL_GETNAMEINFO:
    case NC_CALL_HTONS:
    case NC_CALL_HTONL:
    case NC_CALL_NTOHS:
    case NC_CALL_NTOHL:
    case NC_CALL_INET_ATON:
    case NC_CALL_INET_NTOA:
    case NC_CALL_INET_PTON:
    case NC_CALL_INET_NTOP:
    case NC_CALL_WRITE:
    case NC_CALL_FORK:
    case NC_N_CALL_KINDS:
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
  g_autofree char *dur = sl_format_duration (MAX (duration, 0));

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
            append_fds (name, &call->sets_in[s]);
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
    case NC_CALL_GETHOSTNAME:
    case NC_CALL_GETADDRINFO:
    case NC_CALL_GETNAMEINFO:
    case NC_CALL_HTONS:
    case NC_CALL_HTONL:
    case NC_CALL_NTOHS:
    case NC_CALL_NTOHL:
    case NC_CALL_INET_ATON:
    case NC_CALL_INET_NTOA:
    case NC_CALL_INET_PTON:
    case NC_CALL_INET_NTOP:
    case NC_CALL_FORK:
    case NC_N_CALL_KINDS:
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
      append_data (result, call->data, call->data_len, 12);
      g_string_append_printf (result, " = %" G_GINT64_FORMAT, call->result);
      break;
    case NC_CALL_RECV:
    case NC_CALL_RECVFROM:
    case NC_CALL_READ:
      g_string_append_printf (result, "= %" G_GINT64_FORMAT, call->result);
      if (call->result > 0)
        {
          g_string_append_c (result, ' ');
          append_data (result, call->data, call->data_len, 12);
        }
      g_string_append_printf (result, " after %s", dur);
      break;
    case NC_CALL_SELECT:
      g_string_append_printf (result, "= %" G_GINT64_FORMAT, call->result);
      for (guint s = 0; s < NC_N_SETS; s++)
        if (call->sets_out[s].n > 0)
          {
            g_string_append (result, s == NC_SET_READ ? " r=" : s == NC_SET_WRITE ? " w=" : " x=");
            append_fds (result, &call->sets_out[s]);
          }
      g_string_append_printf (result, " after %s", dur);
      break;
    case NC_CALL_SOCKET:
    case NC_CALL_BIND:
    case NC_CALL_LISTEN:
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
    case NC_CALL_GETHOSTNAME:
    case NC_CALL_GETADDRINFO:
    case NC_CALL_GETNAMEINFO:
    case NC_CALL_HTONS:
    case NC_CALL_HTONL:
    case NC_CALL_NTOHS:
    case NC_CALL_NTOHL:
    case NC_CALL_INET_ATON:
    case NC_CALL_INET_NTOA:
    case NC_CALL_INET_PTON:
    case NC_CALL_INET_NTOP:
    case NC_CALL_FORK:
    case NC_N_CALL_KINDS:
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
      col.calls = g_array_new (FALSE, FALSE, sizeof (guint32));
      col.max_end = g_array_new (FALSE, FALSE, sizeof (gint64));

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
              /* appended last: a column's lanes need only be contiguous */
              col->first_lane = self->lanes->len;
              g_array_append_val (self->lanes, lane);
              col->n_lanes = 1;
            }
          self->call_lane[i] = col->first_lane;
        }
      g_array_append_val (col->calls, i);
    }

  for (guint ci = 0; ci < self->columns->len; ci++)
    {
      Column *col = &g_array_index (self->columns, Column, ci);
      gint64 max_end = G_MININT64;

      /* calls arrive in entry order; threads of one actor may interleave */
      for (guint i = 1; i < col->calls->len; i++)
        for (guint j = i; j > 0; j--)
          {
            guint32 *a = &g_array_index (col->calls, guint32, j - 1);
            guint32 *b = &g_array_index (col->calls, guint32, j);
            if (cap_recording_get_call (rec, *a)->ts_start <= cap_recording_get_call (rec, *b)->ts_start)
              break;
            guint32 t = *a;
            *a = *b;
            *b = t;
          }
      for (guint i = 0; i < col->calls->len; i++)
        {
          const NcCall *c = cap_recording_get_call (rec, g_array_index (col->calls, guint32, i));
          max_end = MAX (max_end, call_end_or_max (c));
          g_array_append_val (col->max_end, max_end);
        }
    }
}

typedef struct
{
  guint32 conv;
  guint32 n;
} ConvRank;

static int
compare_rank (gconstpointer a,
              gconstpointer b)
{
  const ConvRank *x = a, *y = b;
  if (x->n != y->n)
    return x->n > y->n ? -1 : 1;
  return x->conv < y->conv ? -1 : x->conv > y->conv;
}

/* A capture without calls: endpoints as columns. The endpoints of the
 * busiest conversations get their own column; the rest share "others". */
static void
build_endpoint_columns (SlTimelinePainter *self,
                        guint32           *endpoint_lane)
{
  CapRecording *rec = self->recording;
  guint n_conv = cap_recording_get_n_conversations (rec);
  guint n_ep = cap_recording_get_n_endpoints (rec);
  guint max_cols = self->max_columns ? self->max_columns : DEFAULT_COLUMNS;
  g_autofree ConvRank *ranks = g_new (ConvRank, MAX (n_conv, 1));
  g_autoptr(GArray) chosen = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autofree guint8 *is_server = g_new0 (guint8, MAX (n_ep, 1));
  guint n_active = n_ep;

  for (guint i = 0; i < n_conv; i++)
    {
      ranks[i].conv = i;
      ranks[i].n = cap_recording_get_conversation (rec, i)->n_packets;
    }
  qsort (ranks, n_conv, sizeof (ConvRank), compare_rank);

  for (guint i = 0; i < n_conv && chosen->len < max_cols; i++)
    {
      const CapConversation *conv = cap_recording_get_conversation (rec, ranks[i].conv);
      guint32 ends[2] = { conv->a, conv->b };
      guint need = 0;

      for (guint e = 0; e < 2; e++)
        need += endpoint_lane[ends[e]] == NO_LANE;
      if (chosen->len + need > max_cols)
        continue;
      for (guint e = 0; e < 2; e++)
        if (endpoint_lane[ends[e]] == NO_LANE)
          {
            endpoint_lane[ends[e]] = 0;  /* marked; numbered below */
            g_array_append_val (chosen, ends[e]);
          }
      is_server[conv->b] = TRUE;
    }

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
      col.subtitle = g_strdup_printf ("%u endpoints", n_active - chosen->len);
      col.first_lane = others;
      col.n_lanes = 1;
      lane.socket = lane.endpoint = CAP_NONE;
      lane.column = self->columns->len;
      lane.fd = -1;
      lane.t_first = self->origin;
      lane.states = g_array_new (FALSE, FALSE, sizeof (StateSeg));
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
      /* an endpoint with one TCP connection among those drawn is its socket */
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
                    maps->conv_lane[c * 2 + side] = li;
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

typedef struct
{
  guint8  state;
  guint8  fin_sent;
  guint32 fin_end;
} SideState;

static gboolean
seq_geq (guint32 a,
         guint32 b)
{
  return (gint32) (a - b) >= 0;
}

/* The textbook state machine, driven by the segments one side sent and
 * received. Only used where the kernel was not asked (a file from
 * elsewhere); the legend then says "derived". */
static guint8
derive_step (SideState       *st,
             const CapPacket *pkt,
             gboolean         sent)
{
  guint8 f = pkt->tcp_flags;
  guint8 s = st->state;

  if (f & CAP_TCP_RST)
    return TS_CLOSE;
  if (sent)
    {
      if ((f & CAP_TCP_SYN) && !(f & CAP_TCP_ACK))
        return TS_SYN_SENT;
      if ((f & CAP_TCP_SYN) && (f & CAP_TCP_ACK))
        return TS_SYN_RECV;
      if (f & CAP_TCP_FIN)
        {
          st->fin_sent = TRUE;
          st->fin_end = pkt->seq + pkt->payload_len + 1;
          if (s == TS_ESTABLISHED || s == TS_SYN_RECV || s == TS_NONE)
            return TS_FIN_WAIT1;
          if (s == TS_CLOSE_WAIT)
            return TS_LAST_ACK;
        }
      if (s == TS_NONE && (f & CAP_TCP_ACK))
        return TS_ESTABLISHED;  /* joined mid-connection */
      return s;
    }
  else
    {
      gboolean fin_acked = st->fin_sent && (f & CAP_TCP_ACK) && seq_geq (pkt->ack, st->fin_end);

      if ((f & CAP_TCP_SYN) && !(f & CAP_TCP_ACK))
        return TS_SYN_RECV;
      if ((f & CAP_TCP_SYN) && (f & CAP_TCP_ACK))
        return s == TS_SYN_SENT ? TS_ESTABLISHED : s;
      if (s == TS_SYN_RECV && (f & CAP_TCP_ACK))
        s = TS_ESTABLISHED;
      if (s == TS_NONE && (f & CAP_TCP_ACK))
        s = TS_ESTABLISHED;
      if (f & CAP_TCP_FIN)
        {
          if (s == TS_ESTABLISHED)
            return TS_CLOSE_WAIT;
          if (s == TS_FIN_WAIT1)
            return fin_acked ? TS_TIME_WAIT : TS_CLOSING;
          if (s == TS_FIN_WAIT2)
            return TS_TIME_WAIT;
          return s;
        }
      if (s == TS_FIN_WAIT1 && fin_acked)
        return TS_FIN_WAIT2;
      if (s == TS_CLOSING && fin_acked)
        return TS_TIME_WAIT;
      if (s == TS_LAST_ACK && fin_acked)
        return TS_CLOSE;
      return s;
    }
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
  g_autofree SideState *sides = NULL;
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

          if (li == NO_LANE || c->tcp_state == NC_TCP_STATE_NONE || c->ts_end == 0)
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

      sides = g_new0 (SideState, maps->n_conv * 2);
      for (guint i = 0; i < n; i++)
        {
          const CapPacket *pkt = cap_recording_get_packet (rec, i);
          if (pkt->conv == CAP_NONE || pkt->conv >= maps->n_conv || !derive_conv[pkt->conv] ||
              pkt->proto != IPPROTO_TCP)
            continue;
          for (guint side = 0; side < 2; side++)
            {
              SideState *st;
              guint8 next;

              if (!(derive_conv[pkt->conv] & (1 << side)))
                continue;
              st = &sides[pkt->conv * 2 + side];
              next = derive_step (st, pkt, pkt->from_b == side);
              if (next != st->state)
                {
                  st->state = next;
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
  self->gutter = 84 * s;
  self->box_w = 16 * s;
  self->band_w = 6 * s;
  self->slant = 18 * s;

  n_cols = self->columns->len;
  if (n_cols == 0)
    return;

  /* room for call labels outside the first and last columns */
  room = CLAMP ((self->width - self->gutter) * 0.2, 90 * s, 250 * s);
  if (!self->has_calls)
    room = CLAMP ((self->width - self->gutter) * 0.5 / n_cols, 60 * s, 120 * s);
  xa = self->gutter + room;
  xb = self->width - room;
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

static void
draw_axis (SlTimelinePainter *self,
           cairo_t           *cr,
           const Frame       *f)
{
  double plot_h = self->bottom - self->top;
  gint64 step = nice_step (70 * self->scale / f->px_per_ns);
  double last_y = -1e9;
  gint64 real_begin = self->begin;
  gint64 real_end = self->end;
  guint bi = 0;
  gint64 seg_start = real_begin;

  (void) plot_h;
  /* ticks at round real times in each stretch between breaks */
  while (bi <= self->breaks->len)
    {
      const Break *b = bi < self->breaks->len ? &g_array_index (self->breaks, Break, bi) : NULL;
      gint64 seg_end = b ? MIN (b->real_start, real_end) : real_end;
      gint64 rel0 = seg_start - self->origin;
      gint64 t = (rel0 >= 0 ? (rel0 + step - 1) / step : rel0 / step) * step;

      if (b != NULL && b->real_end <= real_begin)
        {
          seg_start = MAX (b->real_end, real_begin);
          bi++;
          continue;
        }
      for (; self->origin + t <= seg_end; t += step)
        {
          double y = frame_y (self, f, self->origin + t);
          g_autofree char *text = NULL;

          if (y < self->top - 1 || y > self->bottom + 1 || y - last_y < 36 * self->scale)
            continue;
          last_y = y;
          sl_palette_set_source (cr, &f->pal->grid, 0.45);
          cairo_set_line_width (cr, 1);
          cairo_move_to (cr, self->gutter - 4 * self->scale, floor (y) + 0.5);
          cairo_line_to (cr, self->width, floor (y) + 0.5);
          cairo_stroke (cr);
          text = sl_format_time_at (t, step);
          sl_palette_set_source (cr, &f->pal->dim, 1);
          show_text (self, cr, self->font_small, text, self->gutter - 8 * self->scale,
                     y - self->line_h * 0.45, 1.0, -1, NULL);
        }
      if (b == NULL || b->real_start >= real_end)
        break;
      seg_start = MAX (b->real_end, real_begin);
      bi++;
    }
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
      double max_w = self->columns->len > 1 ? 220 * s : -1;
      double cx = (col->x_left + col->x_right - self->band_w) / 2;

      sl_palette_set_source (cr, &f->pal->foreground, 1);
      show_text (self, cr, self->font_title, col->title, cx, 10 * s, 0.5, max_w, NULL);
      if (col->subtitle)
        {
          sl_palette_set_source (cr, &f->pal->dim, 1);
          show_text (self, cr, self->font_small, col->subtitle, cx, 32 * s, 0.5, max_w, NULL);
        }
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

      if (!self->has_calls)
        bx = l->x - self->band_w / 2;
      if (y1 < self->top || y0 > self->bottom)
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
          double sy1 = seg->t1 ? frame_y (self, f, seg->t1) : y1;
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
          /* the state's name along a long band, for those who cannot match colours */
          if (sy1 - sy0 > 140 * s && self->has_calls)
            {
              cairo_save (cr);
              cairo_translate (cr, bx + self->band_w + 2 * s, MAX (sy0, self->top) + 6 * s);
              cairo_rotate (cr, G_PI / 2);
              pango_cairo_update_layout (cr, self->layout);
              sl_palette_set_source (cr, &f->pal->state[seg->state], 1);
              show_text (self, cr, self->font_small, nc_tcp_state_name (seg->state), 0, 0, 0, -1, NULL);
              cairo_restore (cr);
              pango_cairo_update_layout (cr, self->layout);
            }
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

/* First index in the column whose call may reach @ts (the prefix max of ends
 * is sorted even though the ends are not). */
static guint
column_first_visible (const Column *col,
                      gint64        ts)
{
  guint lo = 0, hi = col->max_end->len;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      if (g_array_index (col->max_end, gint64, mid) < ts)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
draw_calls (SlTimelinePainter *self,
            cairo_t           *cr,
            const Frame       *f)
{
  CapRecording *rec = self->recording;

  for (guint ci = 0; ci < self->columns->len; ci++)
    {
      const Column *col = &g_array_index (self->columns, Column, ci);
      double label_bottom = -1e9;
      double last_y1 = -1e9;
      guint n_visible = 0;
      guint i;

      if (col->calls == NULL)
        continue;
      for (i = column_first_visible (col, self->begin); i < col->calls->len; i++)
        {
          guint id = g_array_index (col->calls, guint32, i);
          const NcCall *c = cap_recording_get_call (rec, id);
          double x0, x1, y0, y1, alpha = 1;
          gboolean hl;

          if (c->ts_start > self->end)
            break;
          if (call_end_or_max (c) < self->begin)
            continue;
          call_rect (self, f, c, id, &x0, &x1, &y0, &y1);
          if (x1 <= x0)
            continue;
          n_visible++;
          /* many calls within a pixel: one box for the run, no labels */
          if (y1 <= last_y1 + 1 && n_visible > 1 && y1 - y0 < 2)
            continue;
          last_y1 = MAX (last_y1, y1);

          hl = g_hash_table_contains (self->hl_calls, GUINT_TO_POINTER (id));
          if (f->fade && c->ts_start > self->playhead)
            alpha = f->pal->future_alpha;
          if (f->fade && c->ts_start <= self->playhead && y1 > f->play_y)
            {
              /* blocked across the playhead: solid up to it, faint after */
              draw_box (self, cr, f, x0, y0, x1, y1, nc_call_failed (c), hl, FALSE, f->pal->future_alpha);
              cairo_save (cr);
              cairo_rectangle (cr, x0 - 10, y0 - 10, x1 - x0 + 20, f->play_y - y0 + 10);
              cairo_clip (cr);
              draw_box (self, cr, f, x0, y0, x1, y1, FALSE, FALSE, FALSE, 1);
              cairo_restore (cr);
            }
          else
            draw_box (self, cr, f, x0, y0, x1, y1, nc_call_failed (c), hl, c->ts_end == 0, alpha);
          if (c->kind == NC_CALL_SELECT)
            draw_select_marks (self, cr, f, ci, c, y0, y1, alpha);
          self->stats.n_calls_drawn++;

          if (y1 >= self->top && y0 <= self->bottom)
            {
              HitItem hit = { x0, y0, x1, y1, id };
              g_array_append_val (self->hit_calls, hit);
              draw_call_label (self, cr, f, col, c, y0, y1, &label_bottom,
                               hl ? 1 : MAX (alpha, f->fade && c->ts_start > self->playhead ? 0.45 : 1));
            }
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

  if (labelled && len > 60 * s)
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
draw_packets_single (SlTimelinePainter *self,
                     cairo_t           *cr,
                     const Frame       *f,
                     guint              i0,
                     guint              i1)
{
  double s = self->scale;
  guint n_gaps = self->columns->len + 1;
  g_autofree double *last_label = g_new (double, n_gaps);

  for (guint g = 0; g < n_gaps; g++)
    last_label[g] = -1e9;

  for (guint i = i0; i < i1; i++)
    {
      double x0, y0, x1, y1;
      const Route *r;
      guint gap;
      gboolean labelled;

      if (!packet_line (self, f, i, &x0, &y0, &x1, &y1))
        continue;
      r = &g_array_index (self->routes, Route, self->packet_route[i]);
      if (r->from == r->to)
        continue;
      /* a label wherever the previous one in the same gap has room */
      gap = MIN (g_array_index (self->lanes, Lane, r->from).column,
                 g_array_index (self->lanes, Lane, r->to).column);
      labelled = (y0 + y1) / 2 - last_label[gap] > self->line_h * 1.25 &&
                 (y0 + y1) / 2 > self->top + self->line_h;
      if (labelled)
        last_label[gap] = (y0 + y1) / 2;
      draw_arrow (self, cr, f, i, x0, y0, x1, y1, &f->pal->packet[r->color], labelled);
      self->stats.n_packets_drawn++;
      {
        HitItem hit = { x0, y0, x1, y1, i };
        g_array_append_val (self->hit_packets, hit);
      }
    }
  (void) s;
}

static int
compare_agg (gconstpointer a,
             gconstpointer b)
{
  const AggSeg *x = a, *y = b;
  if (x->level != y->level)
    return x->level - y->level;
  return x->route - y->route;
}

/* Too many packets for single arrows: each ROW_PX-high row of the plot
 * becomes one stroke per route present in it, darker the more packets it
 * holds. Which routes are present comes from the per-64-packet masks, so a
 * row costs O(packets in it / 64), not O(packets in it). */
static void
draw_packets_dense (SlTimelinePainter *self,
                    cairo_t           *cr,
                    const Frame       *f)
{
  CapRecording *rec = self->recording;
  static const double level_alpha[4] = { 0.3, 0.5, 0.75, 1.0 };
  double prev_y = -1;

  g_array_set_size (self->agg, 0);
  for (double y = self->top; y < self->bottom; y += ROW_PX)
    {
      gint64 t0 = from_display (self, f->d0 + (y - self->top) / f->px_per_ns);
      gint64 t1 = from_display (self, f->d0 + (y + ROW_PX - self->top) / f->px_per_ns);
      guint i0 = cap_recording_find_packet_at (rec, t0);
      guint i1 = cap_recording_find_packet_at (rec, t1);
      guint64 mask = 0;
      guint i, n = i1 - i0;
      guint8 level;

      if (n == 0)
        continue;
      i1 = MIN (i1, self->n_routed);
      for (i = i0; i < i1 && (i & 63); i++)
        if (self->packet_route[i] != NO_ROUTE)
          mask |= G_GUINT64_CONSTANT (1) << (self->packet_route[i] & 63);
      for (; i + 64 <= i1; i += 64)
        mask |= self->block_mask[i >> BLOCK_SHIFT];
      for (; i < i1; i++)
        if (self->packet_route[i] != NO_ROUTE)
          mask |= G_GUINT64_CONSTANT (1) << (self->packet_route[i] & 63);

      level = n < 3 ? 0 : n < 30 ? 1 : n < 300 ? 2 : 3;
      for (guint r = 0; r < self->routes->len; r++)
        if (mask & (G_GUINT64_CONSTANT (1) << (r & 63)))
          {
            AggSeg seg = { (float) y, (guint16) r, level };
            g_array_append_val (self->agg, seg);
          }
      {
        HitRow row = { y, y + ROW_PX, i0, i1 };
        g_array_append_val (self->hit_rows, row);
      }
      self->stats.n_packets_aggregated += n;
      (void) prev_y;
    }

  /* one stroke per (level, route): a few dozen strokes for the whole frame */
  g_array_sort (self->agg, compare_agg);
  cairo_set_line_width (cr, 1.2 * self->scale);
  for (guint i = 0; i < self->agg->len;)
    {
      const AggSeg *first = &g_array_index (self->agg, AggSeg, i);
      const Route *r = &g_array_index (self->routes, Route, first->route);
      const Lane *a = &g_array_index (self->lanes, Lane, r->from);
      const Lane *b = &g_array_index (self->lanes, Lane, r->to);
      guint j = i;

      for (; j < self->agg->len; j++)
        {
          const AggSeg *seg = &g_array_index (self->agg, AggSeg, j);
          if (seg->route != first->route || seg->level != first->level)
            break;
          if (a == b)
            {
              /* inside "others": a short tick */
              cairo_move_to (cr, a->x - 8 * self->scale, seg->y + 0.5);
              cairo_line_to (cr, a->x + 8 * self->scale, seg->y + 0.5);
            }
          else
            {
              cairo_move_to (cr, a->x, seg->y + 0.5);
              cairo_line_to (cr, b->x, seg->y + 0.5 + self->slant * 0.5);
            }
        }
      sl_palette_set_source (cr, &f->pal->packet[r->color], level_alpha[first->level]);
      cairo_stroke (cr);
      i = j;
    }
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
  if (i1 - i0 <= MAX_SINGLE)
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
      cairo_move_to (cr, self->gutter - 30 * s, y - h / 2);
      for (double x = self->gutter - 30 * s; x < self->width; x += 8 * s)
        cairo_line_to (cr, x + 4 * s, y - h / 2 - 2 * s), cairo_line_to (cr, x + 8 * s, y - h / 2);
      cairo_line_to (cr, self->width, y + h / 2);
      for (double x = self->width; x > self->gutter - 30 * s; x -= 8 * s)
        cairo_line_to (cr, x - 4 * s, y + h / 2 + 2 * s), cairo_line_to (cr, x - 8 * s, y + h / 2);
      cairo_close_path (cr);
      sl_palette_set_source (cr, &f->pal->background, 1);
      cairo_fill_preserve (cr);
      sl_palette_set_source (cr, &f->pal->grid, 1);
      cairo_set_line_width (cr, 1);
      cairo_stroke (cr);

      if (y - last_label > self->line_h * 1.5)
        {
          g_autofree char *dur = sl_format_duration (b->real_end - b->real_start);
          g_autofree char *text = g_strdup_printf ("⏸ %s", dur);
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
  text = sl_format_time_at (self->playhead - self->origin, MAX (step, 1));
  label = g_strdup_printf ("▶ %s", text);
  show_text (self, cr, self->font_bold, label, self->width - 8 * s, y - self->line_h - 3 * s,
             1.0, -1, NULL);
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
      show_text (self, cr, self->font_small, "dense: one stroke per pixel row, darker = more packets",
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
  g_clear_pointer (&self->columns, g_array_unref);
  g_clear_pointer (&self->lanes, g_array_unref);
  g_clear_pointer (&self->routes, g_array_unref);
  g_clear_pointer (&self->breaks, g_array_unref);
  g_clear_pointer (&self->hit_calls, g_array_unref);
  g_clear_pointer (&self->hit_packets, g_array_unref);
  g_clear_pointer (&self->hit_rows, g_array_unref);
  g_clear_pointer (&self->agg, g_array_unref);
  g_clear_pointer (&self->label_y, g_array_unref);
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
  self->label_y = g_array_new (FALSE, FALSE, sizeof (double));
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
