/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-painter.c: the timeline painter, headless. Known recordings are drawn
 * into cairo image surfaces, and the test looks where the painter says each
 * lane, box and arrow is: the pixels there must have the right colour, and
 * the geometry must follow the times (a blocked accept() is long, an arrow
 * leaves the sender's lane for the receiver's). Also SlSession's contract.
 *
 * Set SL_PAINTER_PNG_DIR to keep the PNGs for a look.
 */

#include "config.h"

#include <cairo-pdf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <sys/stat.h>

#include "painter-recordings.h"
#include "cap-event-index.h"
#include "sl-diagram.h"
#include "sl-palette.h"
#include "nc-format.h"
#include "sl-sequence-axis.h"
#include "sl-session.h"
#include "sl-timeline-painter.h"

#define W 1000
#define H 700

typedef struct
{
  cairo_surface_t *surface;
  guint8          *data;
  int              stride;
} Image;

static void
image_clear (Image *img)
{
  g_clear_pointer (&img->surface, cairo_surface_destroy);
}

static void
render (SlTimelinePainter *painter,
        Image             *img,
        const char        *name)
{
  cairo_t *cr;
  const char *dir = g_getenv ("SL_PAINTER_PNG_DIR");

  image_clear (img);
  img->surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  cr = cairo_create (img->surface);
  sl_timeline_painter_set_size (painter, W, H);
  sl_timeline_painter_draw (painter, cr);
  cairo_destroy (cr);
  cairo_surface_flush (img->surface);
  img->data = cairo_image_surface_get_data (img->surface);
  img->stride = cairo_image_surface_get_stride (img->surface);

  if (dir != NULL && name != NULL)
    {
      g_autofree char *path = g_strdup_printf ("%s/%s.png", dir, name);
      g_mkdir_with_parents (dir, 0755);
      g_assert_cmpint (cairo_surface_write_to_png (img->surface, path), ==, CAIRO_STATUS_SUCCESS);
    }
}

static SlRgb
pixel (const Image *img,
       double       x,
       double       y)
{
  int xi = CLAMP ((int) floor (x), 0, W - 1);
  int yi = CLAMP ((int) floor (y), 0, H - 1);
  guint32 v = *(guint32 *) (img->data + yi * img->stride + xi * 4);
  SlRgb c = { ((v >> 16) & 0xff) / 255.0, ((v >> 8) & 0xff) / 255.0, (v & 0xff) / 255.0 };
  return c;
}

static double
color_distance (SlRgb a,
                SlRgb b)
{
  return fabs (a.r - b.r) + fabs (a.g - b.g) + fabs (a.b - b.b);
}

/* Is @want within @radius px of (x, y)? Lines are antialiased, so look
 * around rather than at one exact pixel. */
static gboolean
color_near (const Image *img,
            double       x,
            double       y,
            SlRgb        want,
            int          radius)
{
  for (int dy = -radius; dy <= radius; dy++)
    for (int dx = -radius; dx <= radius; dx++)
      if (color_distance (pixel (img, x + dx, y + dy), want) < 0.2)
        return TRUE;
  return FALSE;
}

static SlTimelinePainter *
painter_for (CapRecording *rec)
{
  SlTimelinePainter *painter = sl_timeline_painter_new ();

  /* these tests place boxes and arrows by their real times */
  sl_timeline_painter_set_layout (painter, SL_TIMELINE_LAYOUT_TIME);
  sl_timeline_painter_set_recording (painter, rec);
  sl_timeline_painter_set_size (painter, W, H);
  sl_timeline_painter_set_range (painter, cap_recording_get_start_time (rec),
                                 cap_recording_get_end_time (rec) + 20000);
  sl_timeline_painter_set_playhead (painter, cap_recording_get_end_time (rec));
  return painter;
}

/* ------------------------------------------------------------------------ */

static void
test_echo_columns_and_lanes (void)
{
  g_autoptr(CapRecording) rec = pr_echo_recording ();
  g_autoptr(SlTimelinePainter) painter = painter_for (rec);
  guint32 listen_sock = pr_socket_of (rec, 0, 3);
  guint32 conn_sock = pr_socket_of (rec, 0, 4);
  guint32 client_sock = pr_socket_of (rec, 1, 3);
  double lx, cx, kx;
  Image img = { 0 };

  render (painter, &img, "echo");

  /* textbook order: the client left, the server right */
  g_assert_cmpuint (sl_timeline_painter_get_n_columns (painter), ==, 2);
  g_assert_cmpstr (sl_timeline_painter_get_column_title (painter, 0), ==, "client");
  g_assert_cmpstr (sl_timeline_painter_get_column_title (painter, 1), ==, "server");
  g_assert_cmpfloat (sl_timeline_painter_get_column_x (painter, 0), <,
                     sl_timeline_painter_get_column_x (painter, 1));

  /* a lane per socket: the server's listening and accepted sockets apart */
  g_assert_cmpuint (listen_sock, !=, CAP_NONE);
  g_assert_cmpuint (conn_sock, !=, CAP_NONE);
  g_assert_true (sl_timeline_painter_get_socket_x (painter, listen_sock, &lx));
  g_assert_true (sl_timeline_painter_get_socket_x (painter, conn_sock, &cx));
  g_assert_true (sl_timeline_painter_get_socket_x (painter, client_sock, &kx));
  g_assert_cmpfloat (fabs (lx - cx), >, 10);
  g_assert_cmpfloat (kx, <, MIN (lx, cx));
  g_assert_cmpfloat (kx, <, W / 2.0);
  g_assert_cmpfloat (MIN (lx, cx), >, W / 2.0);

  /* nothing drawn between the columns where no packet flies (130-365 µs) */
  g_assert_cmpfloat (color_distance (pixel (&img, (kx + lx) / 2, sl_timeline_painter_time_to_y (painter, PR_US (250))),
                                     sl_palette_get (SL_THEME_LIGHT)->background), <, 0.05);
  image_clear (&img);
}

static void
test_echo_call_boxes (void)
{
  g_autoptr(CapRecording) rec = pr_echo_recording ();
  g_autoptr(SlTimelinePainter) painter = painter_for (rec);
  const SlPalette *pal = sl_timeline_painter_get_palette (painter);
  guint accept = pr_find_call (rec, NC_CALL_ACCEPT, 0, 0);
  guint connect = pr_find_call (rec, NC_CALL_CONNECT, 1, 0);
  cairo_rectangle_t ra, rc;
  double lx, y_start;
  Image img = { 0 };

  render (painter, &img, NULL);
  g_assert_true (sl_timeline_painter_get_call_rect (painter, accept, &ra));
  g_assert_true (sl_timeline_painter_get_call_rect (painter, connect, &rc));

  /* accept() is on the listening socket's lane and starts at its ts_start */
  g_assert_true (sl_timeline_painter_get_socket_x (painter, pr_socket_of (rec, 0, 3), &lx));
  g_assert_cmpfloat (fabs (ra.x + ra.width / 2 - lx), <, 0.5);
  y_start = sl_timeline_painter_time_to_y (painter, cap_recording_get_call (rec, accept)->ts_start);
  g_assert_cmpfloat (fabs (ra.y - y_start), <, 0.5);

  /* the box is as long as the call blocked: 242 µs against connect()'s 98 */
  g_assert_cmpfloat (fabs (ra.height / rc.height - 242.0 / 98.0), <, 0.05);

  /* and it is filled with the call colour */
  g_assert_true (color_near (&img, ra.x + ra.width / 2, ra.y + ra.height / 2, pal->call, 0));
  g_assert_true (color_near (&img, rc.x + rc.width / 2, rc.y + rc.height / 2, pal->call, 0));

  /* after accept() returned, the listening lane is idle until close() */
  g_assert_false (color_near (&img, lx, sl_timeline_painter_time_to_y (painter, PR_US (350)), pal->call, 1));
  image_clear (&img);
}

static void
test_echo_arrows (void)
{
  g_autoptr(CapRecording) rec = pr_echo_recording ();
  g_autoptr(SlTimelinePainter) painter = painter_for (rec);
  const SlPalette *pal = sl_timeline_painter_get_palette (painter);
  double x0, y0, x1, y1, kx, sx;
  Image img = { 0 };

  render (painter, &img, NULL);
  g_assert_true (sl_timeline_painter_get_socket_x (painter, pr_socket_of (rec, 1, 3), &kx));
  g_assert_true (sl_timeline_painter_get_socket_x (painter, pr_socket_of (rec, 0, 4), &sx));

  /* SYN: from the client's lane to the accepted socket's lane, tail at its
   * capture time, head lower (slanted), in the client's colour */
  g_assert_true (sl_timeline_painter_get_packet_line (painter, PR_ECHO_SYN, &x0, &y0, &x1, &y1));
  g_assert_cmpfloat (fabs (y0 - sl_timeline_painter_time_to_y (painter, cap_recording_get_packet (rec, PR_ECHO_SYN)->ts)),
                     <, 0.5);
  g_assert_cmpfloat (y1, >, y0);
  g_assert_cmpfloat (x0, >, kx);
  g_assert_cmpfloat (x0 - kx, <, 30);
  g_assert_cmpfloat (x1, <, sx);
  g_assert_cmpfloat (sx - x1, <, 30);
  for (double t = 0.2; t < 0.9; t += 0.2)
    g_assert_true (color_near (&img, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, pal->packet[0], 1));
  g_assert_true (color_distance (sl_timeline_painter_get_packet_color (painter, PR_ECHO_SYN), pal->packet[0]) < 0.01);

  /* SYN/ACK comes back: right to left, in the server's colour */
  g_assert_true (sl_timeline_painter_get_packet_line (painter, PR_ECHO_SYNACK, &x0, &y0, &x1, &y1));
  g_assert_cmpfloat (x0, >, x1);
  g_assert_true (color_near (&img, x0 + (x1 - x0) * 0.3, y0 + (y1 - y0) * 0.3, pal->packet[1], 1));
  g_assert_false (color_near (&img, x0 + (x1 - x0) * 0.3, y0 + (y1 - y0) * 0.3, pal->packet[0], 1));

  image_clear (&img);
}

static void
test_echo_states (void)
{
  g_autoptr(CapRecording) rec = pr_echo_recording ();
  g_autoptr(SlTimelinePainter) painter = painter_for (rec);
  const SlPalette *pal = sl_timeline_painter_get_palette (painter);
  guint32 client = pr_socket_of (rec, 1, 3);
  guint32 conn = pr_socket_of (rec, 0, 4);
  guint32 listening = pr_socket_of (rec, 0, 3);
  gboolean derived = FALSE;
  double x;
  Image img = { 0 };

  render (painter, &img, NULL);

  /* no sock_diag samples here: derived from the segments, and said so */
  g_assert_cmpuint (sl_timeline_painter_get_socket_state (painter, client, PR_US (70), &x, &derived), ==, 2);  /* SYN_SENT */
  g_assert_true (derived);
  g_assert_cmpuint (sl_timeline_painter_get_socket_state (painter, client, PR_US (200), &x, NULL), ==, 1);  /* ESTABLISHED */
  g_assert_true (color_near (&img, x, sl_timeline_painter_time_to_y (painter, PR_US (250)), pal->state[1], 0));
  g_assert_cmpuint (sl_timeline_painter_get_socket_state (painter, conn, PR_US (100), &x, NULL), ==, 3);  /* SYN_RECV */
  g_assert_true (color_near (&img, x, sl_timeline_painter_time_to_y (painter, PR_US (110)), pal->state[3], 0));
  g_assert_cmpuint (sl_timeline_painter_get_socket_state (painter, listening, PR_US (100), &x, NULL), ==, 10);  /* LISTEN */
  g_assert_true (color_near (&img, x, sl_timeline_painter_time_to_y (painter, PR_US (200)), pal->state[10], 0));
  /* the client closed first: FIN_WAIT, then TIME_WAIT after the server's FIN */
  g_assert_cmpuint (sl_timeline_painter_get_socket_state (painter, client, PR_US (460), NULL, NULL), ==, 4);
  g_assert_cmpuint (sl_timeline_painter_get_socket_state (painter, client, PR_US (478), NULL, NULL), ==, 6);
  g_assert_cmpuint (sl_timeline_painter_get_socket_state (painter, conn, PR_US (460), NULL, NULL), ==, 8);  /* CLOSE_WAIT */
  image_clear (&img);
}

static void
test_echo_hit_and_highlight (void)
{
  g_autoptr(CapRecording) rec = pr_echo_recording ();
  g_autoptr(SlTimelinePainter) painter = painter_for (rec);
  const SlPalette *pal = sl_timeline_painter_get_palette (painter);
  guint send = pr_find_call (rec, NC_CALL_SEND, 1, 0);
  SlSelectionKind kind;
  guint index, n_links = 0;
  cairo_rectangle_t r;
  double x0, y0, x1, y1, nx, ny, len;
  const CapLink *links;
  Image img = { 0 };
  SlRgb before;

  render (painter, &img, NULL);

  /* a click on a box selects the call; on an arrow, the packet */
  g_assert_true (sl_timeline_painter_get_call_rect (painter, send, &r));
  g_assert_true (sl_timeline_painter_hit (painter, r.x + r.width / 2, r.y + r.height / 2, &kind, &index));
  g_assert_cmpint (kind, ==, SL_SELECTION_CALL);
  g_assert_cmpuint (index, ==, send);
  g_assert_true (sl_timeline_painter_get_packet_line (painter, PR_ECHO_SYNACK, &x0, &y0, &x1, &y1));
  g_assert_true (sl_timeline_painter_hit (painter, (x0 + x1) / 2, (y0 + y1) / 2 + 2, &kind, &index));
  g_assert_cmpint (kind, ==, SL_SELECTION_PACKET);
  g_assert_cmpuint (index, ==, PR_ECHO_SYNACK);
  g_assert_false (sl_timeline_painter_hit (painter, W / 2.0, H - 50, &kind, &index));

  /* selecting send() lights up the segment that carried its bytes */
  links = cap_recording_get_call_links (rec, send, &n_links);
  g_assert_cmpuint (n_links, >=, 1);
  g_assert_cmpuint (links[0].packet, ==, PR_ECHO_DATA);
  g_assert_true (sl_timeline_painter_get_packet_line (painter, PR_ECHO_DATA, &x0, &y0, &x1, &y1));
  len = hypot (x1 - x0, y1 - y0);
  nx = -(y1 - y0) / len;
  ny = (x1 - x0) / len;
  /* below the line (labels sit above it), inside the halo */
  before = pixel (&img, (x0 + x1) / 2 - nx * 4, (y0 + y1) / 2 - ny * 4 + 0);
  before = pixel (&img, x0 + (x1 - x0) * 0.3 + nx * 4, y0 + (y1 - y0) * 0.3 + ny * 4);
  sl_timeline_painter_set_selection (painter, SL_SELECTION_CALL, send);
  render (painter, &img, "echo-selected");
  {
    SlRgb after = pixel (&img, x0 + (x1 - x0) * 0.3 + nx * 4, y0 + (y1 - y0) * 0.3 + ny * 4);
    SlRgb tint = sl_rgb_mix (&pal->background, &pal->selection, 0.4);
    g_assert_cmpfloat (color_distance (before, pal->background), <, 0.05);
    g_assert_cmpfloat (color_distance (after, tint), <, 0.12);
  }
  image_clear (&img);
}

static void
test_failed_call (void)
{
  g_autoptr(CapRecording) rec = cap_recording_new ();
  g_autoptr(SlTimelinePainter) painter = NULL;
  static const PrCall calls[] = {
    { NC_CALL_SOCKET,  1, -1,   0,   5,  3, 0, NULL, NULL, NULL, 0, 0, 0 },
    { NC_CALL_CONNECT, 1,  3,  10, 120, -1, ECONNREFUSED, CLI, SRV, NULL, 0, 0, 0 },
    { NC_CALL_CLOSE,   1,  3, 130, 135,  0, 0, CLI, NULL, NULL, 0, 0, 0 },
  };
  const SlPalette *pal;
  cairo_rectangle_t r;
  guint connect;
  Image img = { 0 };

  pr_add_actors (rec);
  pr_add_calls (rec, calls, G_N_ELEMENTS (calls));
  pr_add_tcp (rec, PR_US (20), LO, PR_CLIENT_PORT, LO, PR_SERVER_PORT, PR_SYN, 1000, 0, NULL);
  pr_add_tcp (rec, PR_US (30), LO, PR_SERVER_PORT, LO, PR_CLIENT_PORT, PR_RST | PR_ACK, 0, 1001, NULL);
  cap_recording_commit (rec);

  painter = painter_for (rec);
  pal = sl_timeline_painter_get_palette (painter);
  render (painter, &img, "refused");
  connect = pr_find_call (rec, NC_CALL_CONNECT, 1, 0);
  g_assert_true (sl_timeline_painter_get_call_rect (painter, connect, &r));
  /* hollow with a thick outline in the error colour */
  g_assert_true (color_near (&img, r.x + 1, r.y + r.height / 2, pal->failed, 1));
  g_assert_cmpfloat (color_distance (pixel (&img, r.x + r.width / 2, r.y + r.height / 2), pal->background), <, 0.05);
  image_clear (&img);
}

static void
test_gate_breaks (void)
{
  g_autoptr(CapRecording) rec = cap_recording_new ();
  g_autoptr(SlTimelinePainter) painter = NULL;
  /* stepped: each call waited at the gate for seconds of the user's time */
  static const PrCall calls[] = {
    { NC_CALL_SOCKET,  1, -1,       0,        5,  3, 0, NULL, NULL, NULL, 0, 0, 0 },
    { NC_CALL_CONNECT, 1,  3, 2000010,  2000100,  0, 0, CLI, SRV, NULL, 0, 0, 6 },
    { NC_CALL_CLOSE,   1,  3, 5000000,  5000010,  0, 0, CLI, SRV, NULL, 0, 0, 2000105 },
  };
  double y_socket, y_connect, y_close, top, bottom;
  Image img = { 0 };
  SlTimelineStats stats;

  pr_add_actors (rec);
  pr_add_calls (rec, calls, G_N_ELEMENTS (calls));
  cap_recording_commit (rec);
  painter = painter_for (rec);
  render (painter, &img, "gate");

  g_assert_cmpuint (sl_timeline_painter_get_n_breaks (painter), ==, 2);
  sl_timeline_painter_get_stats (painter, &stats);
  g_assert_cmpuint (stats.n_breaks_visible, ==, 2);
  sl_timeline_painter_get_plot_area (painter, &top, &bottom);

  /* 5 s of waiting do not squash 100 µs of work into a pixel: the calls
   * spread over the page, the waits are short breaks */
  y_socket = sl_timeline_painter_time_to_y (painter, PR_US (0));
  y_connect = sl_timeline_painter_time_to_y (painter, PR_US (2000010));
  y_close = sl_timeline_painter_time_to_y (painter, PR_US (5000000));
  g_assert_cmpfloat (y_connect - y_socket, >, 20);
  g_assert_cmpfloat (y_close - y_connect, >, 20);
  g_assert_cmpfloat (y_close, <, bottom);
  /* display time is monotonic and invertible across a break */
  for (double us = 0; us < 5000010; us += 250000)
    {
      gint64 t = PR_US (us);
      g_assert_cmpint (llabs (sl_timeline_painter_from_display (painter, sl_timeline_painter_to_display (painter, t)) - t), <=, 1);
      g_assert_cmpfloat (sl_timeline_painter_to_display (painter, t + 1000), >, sl_timeline_painter_to_display (painter, t));
    }
  image_clear (&img);
}

/* The Sequence axis of the same stepped run: its gutter gives each row's
 * time in the run, the seconds spent waiting for the class's clicks left
 * out (as the Time axis cuts them), not "5.000000 s" for close() */
static void
test_gate_sequence_gutter (void)
{
  g_autoptr(CapRecording) rec = cap_recording_new ();
  g_autoptr(SlTimelinePainter) painter = NULL;
  g_autoptr(GArray) ticks = sl_axis_ticks_new ();
  static const PrCall calls[] = {
    { NC_CALL_SOCKET,  1, -1,       0,        5,  3, 0, NULL, NULL, NULL, 0, 0, 0 },
    { NC_CALL_CONNECT, 1,  3, 2000010,  2000100,  0, 0, CLI, SRV, NULL, 0, 0, 6 },
    { NC_CALL_CLOSE,   1,  3, 5000000,  5000010,  0, 0, CLI, SRV, NULL, 0, 0, 2000105 },
  };
  /* its rows: socket() entering and returning, connect(), close(); held
   * at the gate from 6 to 2000010 µs and from 2000105 to 5000000 µs */
  static const gint64 run_us[] = { 0, 5, 6, 96, 101, 111 };

  pr_add_actors (rec);
  pr_add_calls (rec, calls, G_N_ELEMENTS (calls));
  cap_recording_commit (rec);
  painter = painter_for (rec);
  sl_timeline_painter_set_layout (painter, SL_TIMELINE_LAYOUT_SEQUENCE);
  sl_timeline_axis_collect_ticks (sl_timeline_painter_get_axis (painter), -1e9, 1e9, 1, 1, ticks);
  g_assert_cmpuint (ticks->len, ==, G_N_ELEMENTS (run_us));
  for (guint i = 0; i < ticks->len; i++)
    {
      g_autofree char *want = nc_format_time_at (run_us[i] * 1000, 1000);

      g_assert_cmpstr (g_array_index (ticks, SlAxisTick, i).text, ==, want);
    }
}

static CapRecording *
many_endpoints_recording (guint n_clients,
                          guint packets_per_client)
{
  CapRecording *rec = cap_recording_new ();
  gint64 t = PR_T0;

  /* a capture without calls: many clients, one busy server */
  for (guint p = 0; p < packets_per_client; p++)
    for (guint c = 0; c < n_clients; c++)
      {
        guint16 port = 40000 + c;
        if (p == 0)
          pr_add_tcp (rec, t, LO + 1 + c, port, LO, 80, PR_SYN, 0, 0, NULL);
        else if (p % 2)
          pr_add_tcp (rec, t, LO, 80, LO + 1 + c, port, PR_ACK, 1, p, NULL);
        else
          pr_add_tcp (rec, t, LO + 1 + c, port, LO, 80, PR_PSH | PR_ACK, p, 1, "GET /");
        t += 1000 + (c * 37) % 500 + (c < 3 ? 0 : 100000);  /* the first clients are busiest */
      }
  cap_recording_commit (rec);
  return rec;
}

static void
test_capture_without_calls (void)
{
  g_autoptr(CapRecording) rec = many_endpoints_recording (40, 20);
  g_autoptr(SlTimelinePainter) painter = painter_for (rec);
  guint n_cols;
  double x0, y0, x1, y1, sx;
  SlTimelineStats stats;
  Image img = { 0 };

  sl_timeline_painter_set_max_columns (painter, 6);
  render (painter, &img, "endpoints");
  n_cols = sl_timeline_painter_get_n_columns (painter);
  /* 41 endpoints: 6 columns of their own, the other 35 aggregated */
  g_assert_cmpuint (n_cols, ==, 7);
  g_assert_cmpstr (sl_timeline_painter_get_column_title (painter, n_cols - 1), ==, "others");
  sl_timeline_painter_get_stats (painter, &stats);
  g_assert_cmpuint (stats.n_columns, ==, 7);

  /* zoomed in on the first packet: a SYN from a client column to the server's */
  sl_timeline_painter_set_range (painter, PR_T0 - 1000, PR_T0 + 20000);
  render (painter, &img, "endpoints-zoom");
  g_assert_true (sl_timeline_painter_get_packet_line (painter, 0, &x0, &y0, &x1, &y1));
  g_assert_true (sl_timeline_painter_get_endpoint_x (painter, cap_recording_get_packet (rec, 0)->dst, &sx));
  g_assert_cmpfloat (fabs (x1 - sx), <, 20);
  g_assert_true (color_near (&img, (x0 + x1) / 2, (y0 + y1) / 2, sl_timeline_painter_get_packet_color (painter, 0), 1));
  image_clear (&img);
}

/* Do rectangles @a and @b ({ x, y, width, height }) intersect? */
static gboolean
rects_meet (const double *a, const double *b)
{
  return a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
}

static const SlTimelineLabel *
label_of (const SlTimelineLabel *labels, guint n, SlLabelKind kind, guint index)
{
  for (guint i = 0; i < n; i++)
    if (labels[i].kind == kind && labels[i].index == index)
      return &labels[i];
  return NULL;
}

/* The Time axis where a server answers a crowd in the last part of a run
 * (a select() server's rounds): 24 send()s 100 µs apart, half a line of
 * text apart on the plot. Each call's name and result find room, none hidden:
 * a short result goes on its name's line ("send(fd=4, 5) b"hello" = 5"),
 * so the crowd needs half the lines; the names read top to bottom in the
 * order called, and each result is beside its name or under it. */
static void
test_time_crowd_results_beside (void)
{
  g_autoptr (CapRecording) rec = cap_recording_new ();
  g_autoptr (GArray) calls = g_array_new (FALSE, TRUE, sizeof (PrCall));
  const int sizes[][2] = { { 1280, 800 }, { 845, 700 } };
  guint     first_send;

  pr_add_actors (rec);
  g_array_append_vals (calls, pr_echo_calls, G_N_ELEMENTS (pr_echo_calls));
  first_send = G_N_ELEMENTS (pr_echo_calls);
  for (guint k = 0; k < 24; k++)
    {
      PrCall send = {
        NC_CALL_SEND, 0, 4, 3000 + 100 * k, 3010 + 100 * k, 5, 0, SRV, CLI, "hello", 5, 0, 0
      };

      g_array_append_val (calls, send);
    }
  pr_add_calls (rec, (const PrCall *) calls->data, calls->len);
  pr_echo_packets (rec);
  cap_recording_commit (rec);

  for (guint z = 0; z < G_N_ELEMENTS (sizes); z++)
    {
      g_autoptr (SlTimelinePainter) painter = sl_timeline_painter_new ();
      const SlTimelineLabel *labels;
      SlTimelineStats        stats;
      double                 last_y = -1;
      guint                  n;

      sl_timeline_painter_set_layout (painter, SL_TIMELINE_LAYOUT_TIME);
      sl_timeline_painter_set_recording (painter, rec);
      sl_timeline_painter_set_size (painter, sizes[z][0], sizes[z][1]);
      sl_timeline_painter_set_range (painter, cap_recording_get_start_time (rec),
                                     cap_recording_get_end_time (rec));
      sl_timeline_painter_layout (painter);
      labels = sl_timeline_painter_get_labels (painter, &n);
      sl_timeline_painter_get_stats (painter, &stats);
      if (stats.n_labels_dropped != 0)
        g_error ("%dx%d: %u labels hidden", sizes[z][0], sizes[z][1], stats.n_labels_dropped);
      for (guint i = 0; i < n; i++)
        for (guint j = i + 1; j < n; j++)
          {
            const double a[4] = { labels[i].x, labels[i].y, labels[i].width, labels[i].height };
            const double b[4] = { labels[j].x, labels[j].y, labels[j].width, labels[j].height };

            g_assert_false (rects_meet (a, b));
          }
      for (guint c = 0; c < cap_recording_get_n_calls (rec); c++)
        {
          const SlTimelineLabel *name = label_of (labels, n, SL_LABEL_CALL, c);
          const SlTimelineLabel *res = label_of (labels, n, SL_LABEL_CALL_RESULT, c);
          gboolean               beside, under;

          if (name == NULL || res == NULL)
            g_error ("%dx%d: call %u has no %s", sizes[z][0], sizes[z][1], c,
                     name == NULL ? "name" : "result");
          beside = res->x >= name->x + name->width && res->y < name->y + name->height &&
                   res->y + res->height > name->y;
          under = res->y >= name->y + name->height - 1 && res->y < name->y + 2.5 * name->height;
          if (!beside && !under)
            g_error ("%dx%d: “%s” (%.0f,%.0f) is neither beside “%s” (%.0f,%.0f) nor under it",
                     sizes[z][0], sizes[z][1], res->text, res->x, res->y, name->text, name->x,
                     name->y);
          if (cap_recording_get_call (rec, c)->kind == NC_CALL_SEND && c >= first_send)
            {
              g_assert_true (beside); /* a short result, with room: on the name's line */
              g_assert_cmpfloat (name->y, >, last_y);
              last_y = name->y;
            }
        }
    }
}


/* A capture's eight busiest endpoints and "others" in the narrowest pane
 * the window gives the timeline (beside the conversation list and the
 * inspector at 1280x800), in both type sizes: every column's name (its
 * port, at least) and its role ("client", "server", "35 endpoints") read
 * whole, no line on another's, all above the plot. Eight columns' headers
 * in a row had ~43 px each: ":40001" was cut to "… 1". */
static void
test_capture_headers_readable (void)
{
  g_autoptr (CapRecording) rec = many_endpoints_recording (40, 20);
  const double scales[] = { 1.0, 1.5 };

  for (guint k = 0; k < G_N_ELEMENTS (scales); k++)
    {
      g_autoptr (SlTimelinePainter) painter = sl_timeline_painter_new ();
      int    width = (int) ceil (SL_TIMELINE_MIN_WIDTH * scales[k]);
      double top, bottom;
      guint  n;
      g_autoptr (GArray) rects = g_array_new (FALSE, FALSE, sizeof (double) * 4);

      sl_timeline_painter_set_layout (painter, SL_TIMELINE_LAYOUT_SEQUENCE);
      sl_timeline_painter_set_recording (painter, rec);
      sl_timeline_painter_set_text_scale (painter, scales[k]);
      sl_timeline_painter_set_size (painter, width, 700);
      sl_timeline_painter_set_max_columns (painter, 8);
      sl_timeline_painter_layout (painter);
      n = sl_timeline_painter_get_n_columns (painter);
      g_assert_cmpuint (n, ==, 9);
      sl_timeline_painter_get_plot_area (painter, &top, &bottom);
      for (guint c = 0; c < n; c++)
        for (guint line = 0; line < 2; line++)
          {
            double   r[4];
            gboolean shortened;

            g_assert_true (sl_timeline_painter_get_header_line (painter, c, line, &r[0], &r[1],
                                                                &r[2], &r[3], &shortened));
            if (shortened)
              g_error ("%d px, type x%.1f: column %u (“%s”)'s header line %u is cut to %.0f px",
                       width, scales[k], c, sl_timeline_painter_get_column_title (painter, c), line,
                       r[2]);
            g_assert_cmpfloat (r[0], >=, 0);
            g_assert_cmpfloat (r[0] + r[2], <=, width);
            g_assert_cmpfloat (r[1] + r[3], <=, top);
            for (guint o = 0; o < rects->len; o++)
              if (rects_meet (&g_array_index (rects, double, o * 4), r))
                g_error ("%d px, type x%.1f: column %u's header line %u runs into another's", width,
                         scales[k], c, line);
            g_array_append_vals (rects, r, 1);
          }
    }
}

static gboolean
has_column (SlTimelinePainter *painter,
            const char        *title)
{
  for (guint i = 0; i < sl_timeline_painter_get_n_columns (painter); i++)
    if (g_strcmp0 (sl_timeline_painter_get_column_title (painter, i), title) == 0)
      return TRUE;
  return FALSE;
}

/* The conversation list's choice: exactly the chosen conversations'
 * endpoints are columns, everything else is "others". */
static void
test_conversation_filter (void)
{
  g_autoptr(CapRecording) rec = many_endpoints_recording (40, 20);
  g_autoptr(SlTimelinePainter) painter = painter_for (rec);
  const guint32 filter[] = { 17, 3 };
  const CapConversation *c3 = cap_recording_get_conversation (rec, 3);
  const CapConversation *c17 = cap_recording_get_conversation (rec, 17);
  g_autofree char *a3 = cap_recording_format_endpoint (rec, c3->a);
  g_autofree char *a17 = cap_recording_format_endpoint (rec, c17->a);
  g_autofree char *server = cap_recording_format_endpoint (rec, c3->b);
  guint n_cols;
  double x, x0, y0, x1, y1, xa, xb;
  Image img = { 0 };

  g_assert_cmpuint (cap_recording_get_n_conversations (rec), ==, 40);
  g_assert_cmpuint (c3->b, ==, c17->b);  /* one server */

  /* max_columns does not apply to a filter */
  sl_timeline_painter_set_max_columns (painter, 2);
  sl_timeline_painter_set_conversation_filter (painter, filter, G_N_ELEMENTS (filter));
  render (painter, &img, "conversation-filter");
  n_cols = sl_timeline_painter_get_n_columns (painter);
  /* two clients, their server, and the 38 other endpoints in one column */
  g_assert_cmpuint (n_cols, ==, 4);
  g_assert_true (has_column (painter, a3));
  g_assert_true (has_column (painter, a17));
  g_assert_true (has_column (painter, server));
  g_assert_cmpstr (sl_timeline_painter_get_column_title (painter, n_cols - 1), ==, "others");
  g_assert_true (sl_timeline_painter_get_endpoint_x (painter, c3->a, &x));
  g_assert_true (sl_timeline_painter_get_endpoint_x (painter, c17->a, &x));
  g_assert_false (sl_timeline_painter_get_endpoint_x (painter, cap_recording_get_conversation (rec, 0)->a, &x));

  /* a packet of conversation 3 runs between its own columns */
  sl_timeline_painter_set_range (painter, PR_T0 - 1000, cap_recording_get_packet (rec, c3->first_packet)->ts + 20000);
  render (painter, &img, "conversation-filter-zoom");
  g_assert_true (sl_timeline_painter_get_packet_line (painter, c3->first_packet, &x0, &y0, &x1, &y1));
  g_assert_true (sl_timeline_painter_get_endpoint_x (painter, c3->a, &xa));
  g_assert_true (sl_timeline_painter_get_endpoint_x (painter, c3->b, &xb));
  g_assert_cmpfloat (fabs (x0 - xa), <, 20);
  g_assert_cmpfloat (fabs (x1 - xb), <, 20);

  /* the same set in another order changes nothing; none chosen leaves
   * only "others"; NULL goes back to the busiest within max_columns */
  sl_timeline_painter_set_conversation_filter (painter, (const guint32[]) { 3, 17, 3 }, 3);
  g_assert_cmpuint (sl_timeline_painter_get_n_columns (painter), ==, 4);
  sl_timeline_painter_set_conversation_filter (painter, filter, 0);
  g_assert_cmpuint (sl_timeline_painter_get_n_columns (painter), ==, 1);
  sl_timeline_painter_set_conversation_filter (painter, NULL, 0);
  g_assert_cmpuint (sl_timeline_painter_get_n_columns (painter), ==, 3);

  /* ids the recording lacks are ignored */
  sl_timeline_painter_set_conversation_filter (painter, (const guint32[]) { 3, 4000 }, 2);
  g_assert_cmpuint (sl_timeline_painter_get_n_columns (painter), ==, 3);
  image_clear (&img);
}

static void
test_dense_aggregates (void)
{
  g_autoptr(CapRecording) rec = many_endpoints_recording (8, 2000);  /* 16 000 packets */
  g_autoptr(SlTimelinePainter) painter = painter_for (rec);
  SlTimelineStats stats;
  Image img = { 0 };
  gint64 mid = (cap_recording_get_start_time (rec) + cap_recording_get_end_time (rec)) / 2;

  render (painter, &img, "dense");
  sl_timeline_painter_get_stats (painter, &stats);
  g_assert_true (stats.aggregated);
  g_assert_cmpuint (stats.n_packets_drawn, ==, 0);
  g_assert_cmpuint (stats.n_packets_aggregated, >, 15000);
  /* the density strokes are hit-testable: a click picks a packet */
  {
    SlSelectionKind kind;
    guint index;
    double y = sl_timeline_painter_time_to_y (painter, mid);
    g_assert_true (sl_timeline_painter_hit (painter, W / 2.0, y, &kind, &index));
    g_assert_cmpint (kind, ==, SL_SELECTION_PACKET);
    g_assert_cmpint (llabs (cap_recording_get_packet (rec, index)->ts - mid), <, (cap_recording_get_end_time (rec) - PR_T0) / 100);
  }

  /* zoomed in, single arrows again */
  sl_timeline_painter_set_range (painter, mid, mid + 2000000);
  render (painter, &img, "dense-zoom");
  sl_timeline_painter_get_stats (painter, &stats);
  g_assert_false (stats.aggregated);
  g_assert_cmpuint (stats.n_packets_drawn, >, 0);
  image_clear (&img);
}

/* Bursts of a send() and 1 to 5 segments, 10 µs apart, with a gap of
 * 200 ms after every 50th: thousands of rows, packets after packets, and
 * long gaps the Sequence axis breaks at. */
static CapRecording *
bursts_recording (guint n_bursts)
{
  CapRecording *rec = cap_recording_new ();
  g_autoptr (GArray) calls = g_array_new (FALSE, TRUE, sizeof (PrCall));
  double  t = 100;
  guint32 seq = 1001;

  pr_add_actors (rec);
  for (guint b = 0; b < n_bursts; b++)
    {
      PrCall send = { NC_CALL_SEND, 1, 3, t, t + 4, 100, 0, CLI, SRV, "data", 100, 0, 0 };

      g_array_append_val (calls, send);
      for (guint k = 0; k < 1 + b % 5; k++, seq += 20)
        pr_add_tcp (rec, PR_US (t + 1 + k * 0.5), LO, PR_CLIENT_PORT, LO, PR_SERVER_PORT,
                    PR_ACK, seq, 5001, "twenty bytes of data");
      t += b % 50 == 49 ? 200000 : 10;
    }
  pr_add_calls (rec, (const PrCall *) calls->data, calls->len);
  cap_recording_commit (rec);
  return rec;
}

/* Row r of the Sequence axis is at row_h (r + 1/2 + the packets that
 * follow a packet up to r) + break_h (the breaks up to r): the axis keeps
 * those rows as bit sets counted per 64 rows. Checked here against the
 * events themselves, over blocks and their edges, and back. */
static void
test_sequence_rows (void)
{
  g_autoptr(CapRecording) rec = bursts_recording (600);
  g_autoptr(SlTimelinePainter) painter = painter_for (rec);
  SlTimelineAxis *axis;
  SlSequenceAxis *seq;
  guint n_rows, n_breaks = 0;
  double row_h;

  sl_timeline_painter_set_layout (painter, SL_TIMELINE_LAYOUT_SEQUENCE);
  axis = sl_timeline_painter_get_axis (painter);
  seq = SL_SEQUENCE_AXIS (axis);
  n_rows = sl_sequence_axis_get_n_rows (seq);
  row_h = sl_timeline_axis_get_row_height (axis);
  g_assert_cmpuint (n_rows, ==, cap_recording_get_n_events (rec));
  g_assert_cmpuint (n_rows, >, 64 * 40);

  g_assert_cmpfloat (fabs (sl_sequence_axis_row_to_display (seq, 0) - row_h / 2), <, 1e-9);
  for (guint r = 1; r < n_rows; r++)
    {
      gboolean lifted = cap_recording_get_event (rec, r)->kind == CAP_EVENT_PACKET &&
                        cap_recording_get_event (rec, r - 1)->kind == CAP_EVENT_PACKET;
      gboolean long_gap =
        cap_recording_get_event_time (rec, r) - cap_recording_get_event_time (rec, r - 1) > 100000000;
      double step = sl_sequence_axis_row_to_display (seq, r) - sl_sequence_axis_row_to_display (seq, r - 1);
      double expected = row_h * (lifted ? 2 : 1) + (long_gap ? 1.5 * row_h : 0);

      g_assert_cmpfloat (fabs (step - expected), <, 1e-6);
      n_breaks += long_gap;
    }
  g_assert_cmpuint (n_breaks, ==, 600 / 50 - (600 % 50 == 0));
  g_assert_cmpuint (sl_timeline_axis_get_n_breaks (axis), ==, n_breaks);

  /* and back: the display of a row is the time of its event */
  for (guint r = 0; r < n_rows; r++)
    g_assert_cmpint (sl_timeline_axis_from_display (axis, sl_sequence_axis_row_to_display (seq, r) + row_h / 2),
                     ==, cap_recording_get_event_time (rec, r));
}

/* A frame that is not IP: ARP (ethertype 0x0806) or LLDP (0x88cc), as a
 * switch port's capture has them between the IP packets */
static void
add_non_ip_frame (CapRecording *rec, gint64 ts, guint16 ethertype)
{
  guint8 f[14 + 46] = { 0 };

  memset (f, 0xff, 6); /* broadcast */
  f[6] = 0x02;
  pr_put16 (f + 12, ethertype);
  cap_recording_add_frame (rec, 1, ts, f, sizeof f, sizeof f);
}

/* A capture from a switch port: ARP before the handshake, LLDP in the
 * middle, a run of them at the end. The Sequence axis gives the frames it
 * cannot draw (no address, no port) no row: every IP packet's row follows
 * the one before it with no empty row between (a packet after a packet a
 * row lower, for its label), the first at the top, no two gutter times on
 * one row, and the frames keep their numbers (the undrawn are still
 * packets 0, 1, ...; the drawn ones' arrows are theirs). */
static void
test_sequence_non_ip_rows (void)
{
  g_autoptr (CapRecording) rec = cap_recording_new ();
  g_autoptr (SlTimelinePainter) painter = sl_timeline_painter_new ();
  g_autoptr (GArray) ticks = sl_axis_ticks_new ();
  SlTimelineAxis *axis;
  double          row_h, prev_y = -1, x0, y0, x1, y1;
  guint           n_drawn = 0;
  gboolean        drawn[16] = { FALSE };

  add_non_ip_frame (rec, PR_US (0), 0x0806);                                          /* 0 */
  add_non_ip_frame (rec, PR_US (100), 0x0806);                                        /* 1 */
  pr_add_tcp (rec, PR_US (200), LO, PR_CLIENT_PORT, LO, PR_SERVER_PORT, PR_SYN, 1000, 0, NULL);
  pr_add_tcp (rec, PR_US (300), LO, PR_SERVER_PORT, LO, PR_CLIENT_PORT, PR_SYN | PR_ACK, 5000,
              1001, NULL);                                                             /* 3 */
  add_non_ip_frame (rec, PR_US (400), 0x88cc);                                        /* 4 */
  add_non_ip_frame (rec, PR_US (500), 0x0806);                                        /* 5 */
  pr_add_tcp (rec, PR_US (600), LO, PR_CLIENT_PORT, LO, PR_SERVER_PORT, PR_ACK, 1001, 5001, NULL);
  pr_add_udp (rec, PR_US (700), LO, 5353, 0xe00000fbu, 5353, 12);                      /* 7 */
  pr_add_tcp (rec, PR_US (800), LO, PR_CLIENT_PORT, LO, PR_SERVER_PORT, PR_ACK | PR_PSH, 1001,
              5001, "hello");                                                          /* 8 */
  add_non_ip_frame (rec, PR_US (900), 0x88cc);                                        /* 9 */
  add_non_ip_frame (rec, PR_US (1000), 0x0806);                                       /* 10 */
  cap_recording_commit (rec);
  g_assert_cmpuint (cap_recording_get_n_packets (rec), ==, 11);

  sl_timeline_painter_set_layout (painter, SL_TIMELINE_LAYOUT_SEQUENCE);
  sl_timeline_painter_set_recording (painter, rec);
  sl_timeline_painter_set_size (painter, W, H);
  sl_timeline_painter_set_range (painter, cap_recording_get_start_time (rec),
                                 cap_recording_get_end_time (rec));
  sl_timeline_painter_layout (painter);
  axis = sl_timeline_painter_get_axis (painter);
  row_h = sl_timeline_axis_get_row_height (axis);

  for (guint p = 0; p < cap_recording_get_n_packets (rec); p++)
    {
      double y;
      gboolean ip = cap_recording_get_packet (rec, p)->family != 0;

      drawn[p] = sl_timeline_painter_get_packet_line (painter, p, &x0, &y0, &x1, &y1) && x0 != x1;
      g_assert_cmpint (drawn[p], ==, ip); /* every IP frame drawn, the others not */
      if (!drawn[p])
        continue;
      y = sl_timeline_axis_event_to_display (axis, SL_AXIS_PACKET, p);
      if (n_drawn == 0)
        g_assert_cmpfloat (fabs (y - row_h / 2), <, 1e-6); /* the top row: nothing above */
      else if (fabs (y - prev_y - 2 * row_h) > 1e-6)
        g_error ("packet %u's row is %.1f rows below the packet before it, not 2 (a row for its "
                 "label): an empty row between them", p, (y - prev_y) / row_h);
      prev_y = y;
      n_drawn++;
    }
  g_assert_cmpuint (n_drawn, ==, 5);
  g_assert_true (drawn[2] && drawn[3] && drawn[6] && drawn[7] && drawn[8]);
  /* the plot ends after the last drawn row, not after rows of ARP */
  g_assert_cmpfloat (sl_timeline_axis_get_end (axis), <=, prev_y + row_h / 2 + 1.5 * row_h + 1e-6);

  /* the gutter: a time per drawn row, none on top of another */
  sl_timeline_axis_collect_ticks (axis, -1e9, 1e9, 1, 0, ticks);
  g_assert_cmpuint (ticks->len, ==, n_drawn);
  for (guint k = 1; k < ticks->len; k++)
    g_assert_cmpfloat (g_array_index (ticks, SlAxisTick, k).display, >,
                       g_array_index (ticks, SlAxisTick, k - 1).display + row_h / 2);
}

/* A frame finds the times of its pixel rows together, each from the one
 * above (sl_timeline_axis_from_display_sorted), and the packets at those
 * times each from the one before (cap_recording_find_packet_from): both
 * must give what a search from scratch gives, at every display and time,
 * on both axes, whatever the distance between two steps. */
static void
test_searches_from_the_last (void)
{
  g_autoptr(CapRecording) rec = bursts_recording (600);
  g_autoptr(SlTimelinePainter) painter = painter_for (rec);
  guint n = cap_recording_get_n_packets (rec);

  for (SlTimelineLayout layout = SL_TIMELINE_LAYOUT_SEQUENCE; layout <= SL_TIMELINE_LAYOUT_TIME;
       layout++)
    {
      SlTimelineAxis *axis;
      double end;

      sl_timeline_painter_set_layout (painter, layout);
      axis = sl_timeline_painter_get_axis (painter);
      end = sl_timeline_axis_get_end (axis);
      /* steps of a tenth of a unit to a third of the axis, from before
       * the first row to after the last */
      for (double step = end / 3; step > end / 1e7; step /= 7.3)
        {
          guint n_d = (guint) ((end * 1.2) / step) + 2;
          g_autofree double *d = g_new (double, n_d);
          g_autofree gint64 *t = g_new (gint64, n_d);

          for (guint i = 0; i < n_d; i++)
            d[i] = -end * 0.1 + step * i;
          sl_timeline_axis_from_display_sorted (axis, d, n_d, t);
          for (guint i = 0; i < n_d; i++)
            g_assert_cmpint (t[i], ==, sl_timeline_axis_from_display (axis, d[i]));
          /* any cursor gives the same: one left by a later display, or
           * past the end */
          {
            guint cursor = G_MAXUINT / 2;

            for (guint i = n_d; i-- > 0;)
              g_assert_cmpint (sl_timeline_axis_from_display_near (axis, d[i], &cursor), ==, t[i]);
          }
          if (n_d > 20000)
            break;
        }
    }

  for (guint p = 0; p < n; p++)
    for (gint64 dt = -1; dt <= 1; dt++)
      {
        gint64 ts = cap_recording_get_packet (rec, p)->ts + dt;
        guint  at = cap_recording_find_packet_at (rec, ts);
        guint  from[] = { 0, at / 2, at > 0 ? at - 1 : 0, at, at + 1, MAX (at, 40) - 40, n, n + 5 };

        for (guint k = 0; k < G_N_ELEMENTS (from); k++)
          g_assert_cmpuint (cap_recording_find_packet_from (rec, ts, from[k]), ==, at);
      }
  g_assert_cmpuint (cap_recording_find_packet_from (rec, G_MAXINT64, 0), ==, n);
  g_assert_cmpuint (cap_recording_find_packet_from (rec, G_MININT64, 3), ==, 0);
}

/* The density of a dense frame is kept while the range stays; when the
 * recording grows and the painter is told, the same range counts the
 * new packets too. */
static void
test_dense_kept_until_changed (void)
{
  g_autoptr(CapRecording) rec = many_endpoints_recording (8, 2000);
  g_autoptr(SlTimelinePainter) painter = painter_for (rec);
  gint64 start = cap_recording_get_start_time (rec);
  gint64 end = cap_recording_get_end_time (rec);
  guint n_before = cap_recording_get_n_packets (rec);
  SlTimelineStats first, again, grown;
  SlSelectionKind kind;
  guint index;
  Image img = { 0 };
  double y;

  sl_timeline_painter_set_range (painter, start, end + (end - start));
  render (painter, &img, "dense-kept");
  sl_timeline_painter_get_stats (painter, &first);
  g_assert_true (first.aggregated);
  g_assert_cmpuint (first.n_packets_aggregated, ==, n_before);
  render (painter, &img, "dense-kept");
  sl_timeline_painter_get_stats (painter, &again);
  g_assert_cmpuint (again.n_packets_aggregated, ==, n_before);

  /* 4000 more packets in the second half of the same range */
  for (guint i = 0; i < 4000; i++)
    pr_add_tcp (rec, end + (gint64) (i + 1) * ((end - start) / 4001), LO + 1, 40000, LO, 80, PR_ACK,
                1, i, NULL);
  cap_recording_commit (rec);
  sl_timeline_painter_invalidate (painter);
  render (painter, &img, "dense-grown");
  sl_timeline_painter_get_stats (painter, &grown);
  g_assert_cmpuint (grown.n_packets_aggregated, ==, n_before + 4000);
  /* and a click there picks one of them */
  y = sl_timeline_painter_time_to_y (painter, end + (end - start) / 2);
  g_assert_true (sl_timeline_painter_hit (painter, W / 2.0, y, &kind, &index));
  g_assert_cmpint (kind, ==, SL_SELECTION_PACKET);
  g_assert_cmpuint (index, >=, n_before);
  image_clear (&img);
}

/* The recording's start and end follow the calls as they arrive (they are
 * kept between changes, and asked for every frame). */
static void
test_span_follows_calls (void)
{
  g_autoptr(CapRecording) rec = pr_echo_recording ();
  NcCall c;

  g_assert_cmpint (cap_recording_get_start_time (rec), ==, PR_US (0));
  g_assert_cmpint (cap_recording_get_end_time (rec), ==, PR_US (495));

  memset (&c, 0, sizeof c);
  c.id = cap_recording_get_n_calls (rec);
  c.kind = NC_CALL_RECV;
  c.actor = 0;
  c.fd = 4;
  c.ts_start = PR_US (600);
  c.ts_gate = c.ts_start;
  cap_recording_add_call (rec, &c, NC_CALL_PHASE_ENTER);
  g_assert_cmpint (cap_recording_get_end_time (rec), ==, PR_US (600));
  c.ts_end = PR_US (900);
  cap_recording_add_call (rec, &c, NC_CALL_PHASE_RETURN);
  g_assert_cmpint (cap_recording_get_end_time (rec), ==, PR_US (900));

  /* held at the gate before anything else happened */
  c.id++;
  c.ts_gate = PR_T0 - 5000;
  c.ts_start = PR_US (950);
  c.ts_end = PR_US (960);
  cap_recording_add_call (rec, &c, NC_CALL_PHASE_RETURN);
  g_assert_cmpint (cap_recording_get_start_time (rec), ==, PR_T0 - 5000);
  cap_recording_commit (rec);
  g_assert_cmpint (cap_recording_get_end_time (rec), ==, PR_US (960));
}

static void
test_themes (void)
{
  g_autoptr(CapRecording) rec = pr_echo_recording ();
  g_autoptr(SlTimelinePainter) painter = painter_for (rec);
  cairo_rectangle_t r;
  Image img = { 0 };

  for (SlTheme theme = 0; theme < SL_N_THEMES; theme++)
    {
      const SlPalette *pal = sl_palette_get (theme);
      g_autofree char *name = g_strdup_printf ("echo-theme-%d", theme);

      sl_timeline_painter_set_theme (painter, theme);
      sl_timeline_painter_set_text_scale (painter, theme >= SL_THEME_HIGH_CONTRAST ? 1.5 : 1.0);
      render (painter, &img, name);
      g_assert_cmpfloat (color_distance (pixel (&img, 2, H / 2), pal->background), <, 0.02);
      g_assert_true (sl_timeline_painter_get_call_rect (painter, pr_find_call (rec, NC_CALL_ACCEPT, 0, 0), &r));
      g_assert_true (color_near (&img, r.x + r.width / 2, r.y + r.height / 2, pal->call, 0));
    }
  image_clear (&img);
}

static void
test_playhead_and_in_flight (void)
{
  g_autoptr(CapRecording) rec = pr_echo_recording ();
  g_autoptr(SlTimelinePainter) painter = painter_for (rec);
  const SlPalette *pal = sl_timeline_painter_get_palette (painter);
  double x0, y0, x1, y1;
  gint64 ts;
  Image img = { 0 };

  /* the playhead half way down the SYN's arrow: the packet is a dot there */
  g_assert_true (sl_timeline_painter_get_packet_line (painter, PR_ECHO_SYN, &x0, &y0, &x1, &y1));
  ts = sl_timeline_painter_y_to_time (painter, (y0 + y1) / 2);
  sl_timeline_painter_set_playhead (painter, ts);
  render (painter, &img, "in-flight");
  /* (beside the playhead's own line, which crosses the dot's centre) */
  g_assert_true (color_near (&img, (x0 + x1) / 2, (y0 + y1) / 2 + 3, pal->packet[0], 0));
  g_assert_true (color_near (&img, (x0 + x1) / 2 + 4, (y0 + y1) / 2 + 3, pal->packet[0], 0));
  /* no dot on the arrow away from the playhead */
  g_assert_false (color_near (&img, x0 + (x1 - x0) * 0.8, y0 + (y1 - y0) * 0.8 + 4, pal->packet[0], 0));
  /* the future is faint: the last ACK's arrow is not drawn at full strength */
  g_assert_true (sl_timeline_painter_get_packet_line (painter, PR_ECHO_LAST_ACK, &x0, &y0, &x1, &y1));
  g_assert_false (color_near (&img, x0 + (x1 - x0) * 0.3, y0 + (y1 - y0) * 0.3, pal->packet[0], 1));
  image_clear (&img);
}

static void
test_text (void)
{
  g_autoptr(CapRecording) rec = pr_echo_recording ();
  g_autoptr(GString) name = g_string_new (NULL);
  g_autoptr(GString) result = g_string_new (NULL);

  sl_format_call_label (cap_recording_get_call (rec, pr_find_call (rec, NC_CALL_CONNECT, 1, 0)), 0, name, result);
  g_assert_cmpstr (name->str, ==, "connect(fd=3)");
  g_assert_cmpstr (result->str, ==, "= 0 after 98 µs");
  g_string_truncate (name, 0);
  g_string_truncate (result, 0);
  sl_format_call_label (cap_recording_get_call (rec, pr_find_call (rec, NC_CALL_RECV, 0, 0)), 0, name, result);
  g_assert_cmpstr (name->str, ==, "recv(fd=4, 1024)");
  g_assert_cmpstr (result->str, ==, "= 5 b\"hello\" after 90 µs");
}

/* ------------------------------------------------------------------------ */
/* SlSession                                                                 */

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_session_notify (void)
{
  g_autoptr(SlSession) session = sl_session_new ();
  g_autoptr(CapRecording) rec = pr_echo_recording ();
  guint playhead = 0, visible = 0, selection = 0, speed = 0;

  g_signal_connect (session, "notify::playhead", G_CALLBACK (count_notify), &playhead);
  g_signal_connect (session, "notify::visible-begin", G_CALLBACK (count_notify), &visible);
  g_signal_connect (session, "notify::selection-index", G_CALLBACK (count_notify), &selection);
  g_signal_connect (session, "notify::speed", G_CALLBACK (count_notify), &speed);

  sl_session_set_recording (session, rec);
  g_assert_true (sl_session_get_recording (session) == rec);
  g_assert_cmpint (sl_session_get_visible_begin (session), ==, cap_recording_get_start_time (rec));
  g_assert_cmpint (sl_session_get_visible_end (session), >=, cap_recording_get_end_time (rec));
  g_assert_cmpint (sl_session_get_playhead (session), ==, cap_recording_get_end_time (rec));
  g_assert_cmpuint (playhead, ==, 1);
  g_assert_cmpuint (visible, ==, 1);

  /* notify only on change */
  sl_session_set_playhead (session, sl_session_get_playhead (session));
  sl_session_fit_all (session);
  g_assert_cmpuint (playhead, ==, 1);
  g_assert_cmpuint (visible, ==, 1);

  sl_session_select (session, SL_SELECTION_PACKET, 3);
  sl_session_select (session, SL_SELECTION_PACKET, 3);
  g_assert_cmpuint (selection, ==, 1);
  g_assert_cmpint (sl_session_get_selection_kind (session), ==, SL_SELECTION_PACKET);

  sl_session_set_speed (session, 50);
  g_assert_cmpfloat (sl_session_get_speed (session), ==, 10.0);
  sl_session_set_speed (session, 0.01);
  g_assert_cmpfloat (sl_session_get_speed (session), ==, 0.1);
  sl_session_set_speed (session, 0.1);
  g_assert_cmpuint (speed, ==, 2);
}

static void
test_session_zoom_and_step (void)
{
  g_autoptr(SlSession) session = sl_session_new ();
  g_autoptr(CapRecording) rec = pr_echo_recording ();
  gint64 b, e, around = PR_US (100);

  sl_session_set_recording (session, rec);
  sl_session_set_visible (session, PR_US (0), PR_US (400));
  sl_session_zoom (session, 2.0, around);
  b = sl_session_get_visible_begin (session);
  e = sl_session_get_visible_end (session);
  g_assert_cmpint (e - b, ==, PR_US (200) - PR_T0);
  g_assert_cmpint (b, ==, PR_US (50));  /* the time under the pointer stays put */

  /* events: call starts and ends, and packets */
  sl_session_set_playhead (session, PR_US (45));
  sl_session_step_event (session, 1);
  g_assert_cmpint (sl_session_get_playhead (session), ==, PR_US (50));  /* the SYN */
  sl_session_step_event (session, 1);
  g_assert_cmpint (sl_session_get_playhead (session), ==, PR_US (90));  /* SYN/ACK */
  sl_session_step_event (session, -1);
  sl_session_step_event (session, -1);
  g_assert_cmpint (sl_session_get_playhead (session), ==, PR_US (40));  /* connect() entered */
}

/* A capture without calls gets its busiest conversations as its filter;
 * a run (with calls) gets none. */
static void
test_session_conversation_filter (void)
{
  g_autoptr(SlSession) session = sl_session_new ();
  g_autoptr(CapRecording) capture = many_endpoints_recording (40, 4);
  g_autoptr(CapRecording) run = pr_echo_recording ();
  const guint32 *ids;
  guint n = 0, notified = 0;

  g_signal_connect (session, "notify::conversation-filter", G_CALLBACK (count_notify), &notified);

  sl_session_set_recording (session, capture);
  g_assert_true (sl_session_is_foreign_capture (session));
  ids = sl_session_get_conversation_filter (session, &n);
  g_assert_nonnull (ids);
  g_assert_cmpuint (n, ==, SL_SESSION_DEFAULT_CONVERSATIONS);
  /* equal packet counts: the first seen win, in id order */
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (ids[i], ==, i);
  g_assert_cmpuint (notified, ==, 1);

  /* duplicates dropped, any order; notify only on change */
  sl_session_set_conversation_filter (session, (const guint32[]) { 9, 2, 9 }, 3);
  ids = sl_session_get_conversation_filter (session, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (ids[0], ==, 2);
  g_assert_cmpuint (ids[1], ==, 9);
  sl_session_set_conversation_filter (session, (const guint32[]) { 2, 9 }, 2);
  g_assert_cmpuint (notified, ==, 2);

  /* empty is not "no filter" */
  sl_session_set_conversation_filter (session, ids, 0);
  g_assert_nonnull (sl_session_get_conversation_filter (session, &n));
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpuint (notified, ==, 3);

  sl_session_set_recording (session, run);
  g_assert_false (sl_session_is_foreign_capture (session));
  g_assert_null (sl_session_get_conversation_filter (session, &n));
  g_assert_cmpuint (notified, ==, 4);
}

static void
on_recording_changed (SlSession *session,
                      guint     *count)
{
  (*count)++;
}

static void
test_session_follow_live (void)
{
  g_autoptr(SlSession) session = sl_session_new ();
  g_autoptr(CapRecording) rec = cap_recording_new ();
  guint changed = 0;

  pr_add_actors (rec);
  sl_session_set_recording (session, rec);
  sl_session_set_follow_live (session, TRUE);
  g_signal_connect (session, "recording-changed", G_CALLBACK (on_recording_changed), &changed);

  pr_add_calls (rec, pr_echo_calls, 6);
  cap_recording_commit (rec);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpint (sl_session_get_visible_begin (session), ==, PR_T0);
  g_assert_cmpint (sl_session_get_visible_end (session), >=, cap_recording_get_end_time (rec));
  g_assert_cmpint (sl_session_get_playhead (session), ==, cap_recording_get_end_time (rec));

  pr_echo_packets (rec);
  pr_add_calls (rec, pr_echo_calls, G_N_ELEMENTS (pr_echo_calls));
  cap_recording_commit (rec);
  g_assert_cmpuint (changed, ==, 2);
  g_assert_cmpint (sl_session_get_visible_begin (session), ==, PR_T0);  /* the start stays */
  g_assert_cmpint (sl_session_get_visible_end (session), >=, PR_US (495));

  /* without follow-live the range stays where the user left it */
  sl_session_set_follow_live (session, FALSE);
  sl_session_set_visible (session, PR_US (10), PR_US (20));
  cap_recording_commit (rec);
  g_assert_cmpint (sl_session_get_visible_end (session), ==, PR_US (20));
}


/* The whole recording as a file: each format is what it says, drawn (not
 * blank), with a new file's usual permissions; a bad name writes nothing. */
static void
test_diagram_export (void)
{
  g_autoptr(CapRecording) rec = pr_echo_recording ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("socklens-diagram-XXXXXX", &error);
  g_autofree char *svg = g_build_filename (dir, "echo.svg", NULL);
  g_autofree char *pdf = g_build_filename (dir, "echo.PDF", NULL);
  g_autofree char *png = g_build_filename (dir, "echo.png", NULL);
  g_autofree char *jpg = g_build_filename (dir, "echo.jpg", NULL);
  g_autofree char *missing = g_build_filename (dir, "no-such-dir", "echo.svg", NULL);
  g_autofree char *contents = NULL;
  cairo_surface_t *image;
  mode_t mask = umask (022);
  struct stat st;
  guint n_dark = 0;

  umask (mask);
  g_assert_true (sl_diagram_export (rec, svg, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "<?xml"));
  g_assert_nonnull (strstr (contents, "<svg"));
  g_assert_cmpint (stat (svg, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0666 & ~mask);
  g_clear_pointer (&contents, g_free);

  g_assert_true (sl_diagram_export (rec, pdf, &error));
  g_assert_true (g_file_get_contents (pdf, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));

  g_assert_true (sl_diagram_export (rec, png, &error));
  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, SL_DIAGRAM_WIDTH);
  /* at least the default page; a longer run's page grows to its rows */
  g_assert_cmpint (cairo_image_surface_get_height (image), >=, SL_DIAGRAM_HEIGHT);
  /* something was drawn: dark text and lines on the light background */
  {
    const guint8 *data = cairo_image_surface_get_data (image);
    int stride = cairo_image_surface_get_stride (image);
    for (int y = 0; y < SL_DIAGRAM_HEIGHT; y += 3)
      for (int x = 0; x < SL_DIAGRAM_WIDTH; x += 3)
        {
          const guint8 *p = data + y * stride + x * 4;
          n_dark += p[0] + p[1] + p[2] < 300;
        }
  }
  g_assert_cmpuint (n_dark, >, 200);
  cairo_surface_destroy (image);

  /* not a format: an error that names the file, and no file */
  g_assert_false (sl_diagram_export (rec, jpg, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "echo.jpg"));
  g_assert_false (g_file_test (jpg, G_FILE_TEST_EXISTS));
  g_clear_error (&error);
  /* nowhere to write: the error names the file */
  g_assert_false (sl_diagram_export (rec, missing, &error));
  g_assert_nonnull (strstr (error->message, "echo.svg"));
  g_clear_error (&error);

  /* no temporary file left beside the exports */
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;
    guint n = 0;
    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_assert_false (name[0] == '.');
        n++;
      }
    g_assert_cmpuint (n, ==, 3);
  }
  g_unlink (svg);
  g_unlink (pdf);
  g_unlink (png);
  g_rmdir (dir);
}

/* The legend below the plot stays on the page in a narrow pane: each of its
 * words whole, none cut by the bottom or the right edge (a wrapped note once
 * ran off the bottom, the states' names off the side). Drawn into a PDF the
 * size of the pane; pdftotext -bbox gives the words. */
static void
assert_legend_on_page (CapRecording *rec,
                       int           width,
                       int           height)
{
  g_autoptr(SlTimelinePainter) painter = painter_for (rec);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("socklens-legend-XXXXXX", &error);
  g_autofree char *pdf = g_build_filename (dir, "narrow.pdf", NULL);
  g_autofree char *out = NULL;
  g_autoptr(GRegex) word = g_regex_new ("yMin=\"([\\d.]+)\" xMax=\"([\\d.]+)\" yMax=\"([\\d.]+)\">([^<]*)<",
                                        0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  const char *argv[] = { "pdftotext", "-bbox", pdf, "-", NULL };
  cairo_surface_t *surface = cairo_pdf_surface_create (pdf, width, height);
  cairo_t *cr = cairo_create (surface);
  double top, bottom;
  guint n_legend = 0;
  int status;

  sl_timeline_painter_set_size (painter, width, height);
  sl_timeline_painter_draw (painter, cr);
  sl_timeline_painter_get_plot_area (painter, &top, &bottom);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  cairo_surface_destroy (surface);

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               NULL, &status, &error));
  g_assert_no_error (error);
  for (g_regex_match (word, out, 0, &match); g_match_info_matches (match);
       g_match_info_next (match, NULL))
    {
      g_autofree char *y0 = g_match_info_fetch (match, 1);
      g_autofree char *x1 = g_match_info_fetch (match, 2);
      g_autofree char *y1 = g_match_info_fetch (match, 3);
      g_autofree char *text = g_match_info_fetch (match, 4);

      if (g_ascii_strtod (y0, NULL) < bottom)
        continue;
      n_legend++;
      if (g_ascii_strtod (y1, NULL) > height + 0.5 || g_ascii_strtod (x1, NULL) > width + 0.5)
        g_error ("legend word “%s” runs off the %dx%d pane (to x %s, y %s)", text, width, height,
                 x1, y1);
    }
  g_assert_cmpuint (n_legend, >=, 2);
  g_assert_nonnull (strstr (out, ">ESTABLISHED<"));
  g_unlink (pdf);
  g_rmdir (dir);
}

static void
test_legend_in_narrow_pane (void)
{
  g_autoptr(CapRecording) rec = pr_echo_recording ();

  assert_legend_on_page (rec, 420, 400);
  assert_legend_on_page (rec, 760, 400);
  assert_legend_on_page (rec, W, H);
}

/* WCAG's contrast ratio of two colours (1 to 21) */
static double
relative_luminance (const SlRgb *c)
{
  double v[3] = { c->r, c->g, c->b };

  for (guint i = 0; i < 3; i++)
    v[i] = v[i] <= 0.03928 ? v[i] / 12.92 : pow ((v[i] + 0.055) / 1.055, 2.4);
  return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
}

static double
contrast_ratio (const SlRgb *a,
                const SlRgb *b)
{
  double la = relative_luminance (a), lb = relative_luminance (b);

  return (MAX (la, lb) + 0.05) / (MIN (la, lb) + 0.05);
}

/* Every word the timeline writes (call names, results, packet labels in
 * their sender's hue, failed calls) reads at 4.5:1 or better on the labels'
 * ground in every theme: sky blue and orange words on white did not
 * (2.3:1), which a projector washes out further */
static void
test_palette_words_readable (void)
{
  for (SlTheme t = 0; t < SL_N_THEMES; t++)
    {
      const SlPalette *pal = sl_palette_get (t);

      g_assert_cmpfloat (contrast_ratio (&pal->foreground, &pal->label_bg), >=, 4.5);
      g_assert_cmpfloat (contrast_ratio (&pal->dim, &pal->label_bg), >=, 4.5);
      g_assert_cmpfloat (contrast_ratio (&pal->failed_text, &pal->label_bg), >=, 4.5);
      for (guint i = 0; i < SL_PALETTE_N_PACKET; i++)
        g_assert_cmpfloat (contrast_ratio (&pal->packet_text[i], &pal->label_bg), >=, 4.5);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ui/painter/palette/words-readable", test_palette_words_readable);
  g_test_add_func ("/ui/painter/echo/columns-and-lanes", test_echo_columns_and_lanes);
  g_test_add_func ("/ui/painter/echo/call-boxes", test_echo_call_boxes);
  g_test_add_func ("/ui/painter/echo/arrows", test_echo_arrows);
  g_test_add_func ("/ui/painter/echo/states", test_echo_states);
  g_test_add_func ("/ui/painter/echo/hit-and-highlight", test_echo_hit_and_highlight);
  g_test_add_func ("/ui/painter/failed-call", test_failed_call);
  g_test_add_func ("/ui/painter/gate-sequence-gutter", test_gate_sequence_gutter);
  g_test_add_func ("/ui/painter/gate-breaks", test_gate_breaks);
  g_test_add_func ("/ui/painter/capture-without-calls", test_capture_without_calls);
  g_test_add_func ("/ui/painter/capture-headers-readable", test_capture_headers_readable);
  g_test_add_func ("/ui/painter/time/crowd-results-beside", test_time_crowd_results_beside);
  g_test_add_func ("/ui/painter/conversation-filter", test_conversation_filter);
  g_test_add_func ("/ui/painter/dense", test_dense_aggregates);
  g_test_add_func ("/ui/painter/dense-kept-until-changed", test_dense_kept_until_changed);
  g_test_add_func ("/ui/painter/sequence-rows", test_sequence_rows);
  g_test_add_func ("/ui/painter/sequence-non-ip-rows", test_sequence_non_ip_rows);
  g_test_add_func ("/ui/painter/searches-from-the-last", test_searches_from_the_last);
  g_test_add_func ("/ui/painter/span-follows-calls", test_span_follows_calls);
  g_test_add_func ("/ui/painter/themes", test_themes);
  g_test_add_func ("/ui/painter/playhead", test_playhead_and_in_flight);
  g_test_add_func ("/ui/painter/text", test_text);
  g_test_add_func ("/ui/painter/legend-in-narrow-pane", test_legend_in_narrow_pane);
  g_test_add_func ("/ui/session/notify", test_session_notify);
  g_test_add_func ("/ui/session/zoom-and-step", test_session_zoom_and_step);
  g_test_add_func ("/ui/session/follow-live", test_session_follow_live);
  g_test_add_func ("/ui/session/conversation-filter", test_session_conversation_filter);
  g_test_add_func ("/ui/diagram/export", test_diagram_export);

  return g_test_run ();
}
