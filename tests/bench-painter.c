/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-painter.c: how long the timeline painter takes to draw one frame of
 * a 1,000,000-packet recording, headless (cairo image surface, 1920x1080,
 * or $SL_BENCH_SIZE such as 1280x800), on both axes: Time, with the whole
 * recording, 1 s, 10 ms and 100 µs visible; Sequence, with all rows,
 * 10,000 rows, 1,000 rows and the natural zoom (a row per line of labels)
 * visible.
 *
 *   capture: a pcap from tests/tools/sl-gen-pcap (path in $SL_GEN_PCAP),
 *            or the file given as the first argument: no calls, thousands
 *            of endpoints (columns + "others")
 *   run:     built in memory: a client and a server, one TCP connection,
 *            bulk send()/recv() calls and the segments they caused
 *
 * $SL_BENCH_AXIS=time or sequence draws on that axis only (for a profile).
 * $SL_BENCH_CHECKSUM=1 also prints a hash of every frame's pixels per
 * zoom level (outside the timing): a speed-up that keeps the picture
 * keeps the hashes.
 * $SL_BENCH_LAYERS=1 also prints each layer's mean CPU time per zoom level
 * (sl_timeline_painter_set_profiling): on a loaded machine the layers'
 * shares say where a frame goes when its milliseconds do not.
 *
 * A benchmark, not a test: it prints numbers and never fails on them.
 * docs/PERFORMANCE.md ("Drawing") records what it printed.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "painter-recordings.h"
#include "sl-timeline-painter.h"

#define FRAMES    40
#define N_PACKETS 1000000
/* segments per send(): the recording's correlation is O(calls x packets)
 * today, so the run keeps its calls few and large */
#define SEGS 256

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* A frame-sized truncated TCP frame: headers only, as a 54-byte snaplen
 * capture would keep; the recording still knows the full length. */
static void
add_segment (CapRecording *rec,
             gint64        ts,
             gboolean      from_client,
             guint8        flags,
             guint32       seq,
             guint32       ack,
             guint32       payload)
{
  guint8  f[54] = { 0 };
  guint8 *ip = f + 14, *tcp = ip + 20;
  guint32 iplen = 40 + payload;

  f[12] = 0x08;
  ip[0] = 0x45;
  ip[2] = iplen >> 8;
  ip[3] = iplen & 0xff;
  ip[8] = 64;
  ip[9] = 6;
  *(guint32 *) (ip + 12) = htonl (LO);
  *(guint32 *) (ip + 16) = htonl (LO);
  *(guint16 *) (tcp + 0) = htons (from_client ? PR_CLIENT_PORT : PR_SERVER_PORT);
  *(guint16 *) (tcp + 2) = htons (from_client ? PR_SERVER_PORT : PR_CLIENT_PORT);
  *(guint32 *) (tcp + 4) = htonl (seq);
  *(guint32 *) (tcp + 8) = htonl (ack);
  tcp[12] = 5 << 4;
  tcp[13] = flags;
  *(guint16 *) (tcp + 14) = htons (512);
  cap_recording_add_frame (rec, 1, ts, f, sizeof f, 14 + iplen);
}

/* One connection: each send() of SEGS segments, an ACK for every second
 * one; a recv() on the server for each send(). About 1 µs between packets. */
static CapRecording *
build_run (guint n_packets)
{
  CapRecording *rec = cap_recording_new ();
  g_autoptr (GArray) calls = g_array_new (FALSE, TRUE, sizeof (PrCall));
  guint32             cseq = 1001, sseq = 5001;
  double              t = 200; /* µs */
  guint               n = 0;
  static const PrCall setup[] = {
    { NC_CALL_SOCKET, 0, -1, 0, 5, 3, 0, NULL, NULL, NULL, 0, 0, 0 },
    { NC_CALL_BIND, 0, 3, 6, 10, 0, 0, SRV, NULL, NULL, 0, 0, 0 },
    { NC_CALL_LISTEN, 0, 3, 11, 14, 0, 0, SRV, NULL, NULL, 0, 0, 0 },
    { NC_CALL_ACCEPT, 0, 3, 20, 150, 4, 0, SRV, CLI, NULL, 0, 0, 0 },
    { NC_CALL_SOCKET, 1, -1, 30, 33, 3, 0, NULL, NULL, NULL, 0, 0, 0 },
    { NC_CALL_CONNECT, 1, 3, 40, 138, 0, 0, CLI, SRV, NULL, 0, 0, 0 },
  };

  cap_recording_set_run_info (rec, "bench", "bulk transfer");
  pr_add_actors (rec);
  g_array_append_vals (calls, setup, G_N_ELEMENTS (setup));

  add_segment (rec, PR_US (50), TRUE, PR_SYN, 1000, 0, 0);
  add_segment (rec, PR_US (90), FALSE, PR_SYN | PR_ACK, 5000, 1001, 0);
  add_segment (rec, PR_US (130), TRUE, PR_ACK, 1001, 5001, 0);
  n = 3;

  while (n < n_packets)
    {
      PrCall send = {
        NC_CALL_SEND, 1, 3, t, 0, SEGS * 1448, 0, CLI, SRV, "data", SEGS * 1448, 0, 0
      };
      PrCall recv = {
        NC_CALL_RECV, 0, 4, t, 0, SEGS * 1448, 0, SRV, CLI, "data", SEGS * 1448, 0, 0
      };

      for (guint k = 0; k < SEGS && n < n_packets; k++, n++)
        {
          add_segment (rec, PR_US (t), TRUE, PR_ACK | (k == SEGS - 1 ? PR_PSH : 0), cseq, sseq,
                       1448);
          cseq += 1448;
          t += 1.0;
          if (k % 2 == 1 && n + 1 < n_packets)
            {
              add_segment (rec, PR_US (t), FALSE, PR_ACK, sseq, cseq, 0);
              t += 0.5;
              n++;
            }
        }
      send.end_us = t;
      recv.end_us = t + 2;
      g_array_append_val (calls, send);
      g_array_append_val (calls, recv);
      t += 5;
    }
  pr_add_calls (rec, (const PrCall *) calls->data, calls->len);
  cap_recording_commit (rec);
  return rec;
}

static CapRecording *
load_capture (const char *dir)
{
  const char      *gen = g_getenv ("SL_GEN_PCAP");
  g_autofree char *path = g_build_filename (dir, "bench-painter-1m.pcap", NULL);
  g_autofree char *cmd = NULL;
  g_autoptr (GError) error = NULL;
  CapRecording *rec;
  int           status = 0;

  if (gen == NULL)
    return NULL;
  cmd =
    g_strdup_printf ("%s -c %s -o %s", gen,
                     g_getenv ("SL_BENCH_CAPTURE_PACKETS") ? g_getenv ("SL_BENCH_CAPTURE_PACKETS")
                                                           : G_STRINGIFY (N_PACKETS),
                     path);
  if (!g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL) || status != 0)
    {
      fprintf (stderr, "bench-painter: could not run %s\n", cmd);
      return NULL;
    }
  rec = cap_recording_new_from_file (path, &error);
  g_unlink (path);
  if (rec == NULL)
    fprintf (stderr, "bench-painter: %s\n", error->message);
  return rec;
}

/* CPU time of this thread: the build machine is shared, and wall time
 * there measures the neighbours as much as the painter. */
static double
thread_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* FNV-1a over every frame of a zoom level ($SL_BENCH_CHECKSUM) */
static guint64 frames_hash = G_GUINT64_CONSTANT (0xcbf29ce484222325);

static void
hash_frame (cairo_surface_t *surface)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  gsize         n =
    (gsize) cairo_image_surface_get_stride (surface) * cairo_image_surface_get_height (surface);

  if (g_getenv ("SL_BENCH_CHECKSUM") == NULL)
    return;
  for (gsize i = 0; i < n; i += 4)
    {
      /* RGB24: the fourth byte is undefined */
      frames_hash = (frames_hash ^ (*(const guint32 *) (data + i) & 0xffffff)) *
                    G_GUINT64_CONSTANT (0x100000001b3);
    }
}

/* each layer's CPU time summed over a zoom level's frames ($SL_BENCH_LAYERS) */
static double layer_sum[SL_TIMELINE_N_LAYERS];
/* and each frame's, for their median: robust to the neighbours' spikes */
static double layer_frames[SL_TIMELINE_N_LAYERS][FRAMES + 1];
static guint  n_layer_frames;

static double
draw_once (SlTimelinePainter *painter, cairo_surface_t *surface)
{
  cairo_t        *cr = cairo_create (surface);
  double          t0 = thread_ms ();
  double          ms;
  SlTimelineStats stats;

  sl_timeline_painter_draw (painter, cr);
  cairo_surface_flush (surface);
  ms = thread_ms () - t0;
  cairo_destroy (cr);
  hash_frame (surface);
  sl_timeline_painter_get_stats (painter, &stats);
  for (guint l = 0; l < SL_TIMELINE_N_LAYERS; l++)
    {
      layer_sum[l] += stats.layer_ms[l];
      if (n_layer_frames < FRAMES + 1)
        layer_frames[l][n_layer_frames] = stats.layer_ms[l];
    }
  n_layer_frames++;
  return ms;
}

static void
print_layers (void)
{
  static const char *names[SL_TIMELINE_N_LAYERS] = {
    "setup",  "axis",         "headers", "lanes",    "packets", "calls",
    "breaks", "label-layout", "labels",  "playhead", "legend",
  };

  if (g_getenv ("SL_BENCH_LAYERS") == NULL)
    return;
  printf ("            mean per layer:");
  for (guint l = 0; l < SL_TIMELINE_N_LAYERS; l++)
    if (layer_sum[l] / FRAMES >= 0.005)
      printf (" %s %.2f", names[l], layer_sum[l] / FRAMES);
  printf (" ms\n            median per layer:");
  for (guint l = 0; l < SL_TIMELINE_N_LAYERS; l++)
    {
      guint n = MIN (n_layer_frames, FRAMES);

      qsort (layer_frames[l], n, sizeof (double), compare_double);
      if (n > 0 && layer_sum[l] / FRAMES >= 0.005)
        printf (" %s %.2f", names[l], layer_frames[l][n / 2]);
    }
  printf (" ms\n");
}

/* The anchor, timed beside every recording and axis: one opaque paint of
 * the whole surface, the least any frame costs (a frame paints its
 * background first). On a shared machine the frames' ratio to it says
 * more than their milliseconds. */
static void
print_anchor (cairo_surface_t *surface)
{
  double times[FRAMES];

  for (guint i = 0; i < FRAMES; i++)
    {
      cairo_t *cr = cairo_create (surface);
      double   t0 = thread_ms ();

      cairo_set_source_rgb (cr, 1, 1, 1.0 * i / FRAMES);
      cairo_paint (cr);
      cairo_surface_flush (surface);
      times[i] = thread_ms () - t0;
      cairo_destroy (cr);
    }
  qsort (times, FRAMES, sizeof (double), compare_double);
  printf ("  anchor    median %6.2f ms  p95 %6.2f ms  max %6.2f ms   (one opaque paint of the "
          "frame)\n",
          times[FRAMES / 2], times[(FRAMES * 95) / 100], times[FRAMES - 1]);
}

/* $SL_BENCH_PNG_DIR: the last frame of each zoom level as a PNG there, to
 * look at what was timed */
static void
save_frame (cairo_surface_t *surface, const char *name, const char *axis, const char *zoom)
{
  const char      *dir = g_getenv ("SL_BENCH_PNG_DIR");
  g_autofree char *base = NULL;
  g_autofree char *path = NULL;

  if (dir == NULL)
    return;
  base = g_strdup_printf ("%s-%s-%s.png", name, axis, zoom);
  g_strcanon (base, "abcdefghijklmnopqrstuvwxyz0123456789-.", '_');
  path = g_build_filename (dir, base, NULL);
  cairo_surface_write_to_png (surface, path);
}

/* One line per zoom level: the frames' times and what the last one drew */
static void
print_zoom (SlTimelinePainter *painter, const char *label, double *times)
{
  SlTimelineStats stats;

  sl_timeline_painter_get_stats (painter, &stats);
  qsort (times, FRAMES, sizeof (double), compare_double);
  printf ("  %-9s median %6.2f ms  p95 %6.2f ms  max %6.2f ms   (last frame: %u arrows, %u "
          "aggregated, %u calls, %u labels)\n",
          label, times[FRAMES / 2], times[(FRAMES * 95) / 100], times[FRAMES - 1],
          stats.n_packets_drawn, stats.n_packets_aggregated, stats.n_calls_drawn, stats.n_labels);
  print_layers ();
  memset (layer_sum, 0, sizeof layer_sum);
  n_layer_frames = 0;
  if (g_getenv ("SL_BENCH_CHECKSUM") != NULL)
    printf ("            frames' hash %016" G_GINT64_MODIFIER "x\n", frames_hash);
  frames_hash = G_GUINT64_CONSTANT (0xcbf29ce484222325);
}

static int W = 1920, H = 1080;

/* Sequence: windows of display units (rows), spread over the diagram */
static void
bench_rows (SlTimelinePainter *painter, cairo_surface_t *surface, const char *name)
{
  SlTimelineAxis *axis = sl_timeline_painter_get_axis (painter);
  double          row = sl_timeline_axis_get_row_height (axis);
  double          total = sl_timeline_axis_get_end (axis);
  double          top, bottom;
  struct
  {
    const char *label;
    double      span;
  } zooms[] = {
    { "all", 0 },
    { "10k rows", 10000 * row },
    { "1k rows", 1000 * row },
    { "natural", 0 },
  };

  sl_timeline_painter_get_plot_area (painter, &top, &bottom);
  zooms[0].span = total;
  zooms[3].span = bottom - top;
  for (guint z = 0; z < G_N_ELEMENTS (zooms); z++)
    {
      double times[FRAMES];
      double span = MIN (zooms[z].span, total);

      for (guint i = 0; i < FRAMES; i++)
        {
          double d0 = (total - span) * i / FRAMES;
          gint64 b = sl_timeline_axis_from_display (axis, d0);
          gint64 e = sl_timeline_axis_from_display (axis, d0 + span);

          sl_timeline_painter_set_range (painter, b, e);
          sl_timeline_painter_set_playhead (painter, b + (e - b) / 2);
          times[i] = draw_once (painter, surface);
        }
      print_zoom (painter, zooms[z].label, times);
      save_frame (surface, name, "sequence", zooms[z].label);
    }
}

static void
bench (const char *name, CapRecording *rec, SlTimelineLayout layout)
{
  const char *only = g_getenv ("SL_BENCH_AXIS"); /* "time" or "sequence": one axis */
  g_autoptr (SlTimelinePainter) painter = sl_timeline_painter_new ();
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  gint64           start = cap_recording_get_start_time (rec);
  gint64           end = cap_recording_get_end_time (rec);
  static const struct
  {
    const char *label;
    gint64      span;
  } zooms[] = {
    { "all", 0 },
    { "1 s", 1000000000 },
    { "10 ms", 10000000 },
    { "100 µs", 100000 },
  };
  double first;

  if (only != NULL && g_strcmp0 (only, sl_timeline_layout_to_string (layout)) != 0)
    {
      cairo_surface_destroy (surface);
      return;
    }
  sl_timeline_painter_set_layout (painter, layout);
  sl_timeline_painter_set_profiling (painter, g_getenv ("SL_BENCH_LAYERS") != NULL);
  sl_timeline_painter_set_recording (painter, rec);
  sl_timeline_painter_set_size (painter, W, H);
  sl_timeline_painter_set_range (painter, start, end);
  sl_timeline_painter_set_playhead (painter, end);
  /* the first frame builds the layout (columns, routes, states, the
   * axis's rows): once per recording */
  first = draw_once (painter, surface);
  printf ("%s, %s axis: %u packets, %u calls, %.2f s long; layout + first frame %.1f ms\n", name,
          sl_timeline_layout_to_string (layout), cap_recording_get_n_packets (rec),
          cap_recording_get_n_calls (rec), (end - start) / 1e9, first);
  print_anchor (surface);
  memset (layer_sum, 0, sizeof layer_sum);
  n_layer_frames = 0;
  frames_hash = G_GUINT64_CONSTANT (0xcbf29ce484222325);
  if (layout == SL_TIMELINE_LAYOUT_SEQUENCE)
    {
      bench_rows (painter, surface, name);
      cairo_surface_destroy (surface);
      return;
    }

  for (guint z = 0; z < G_N_ELEMENTS (zooms); z++)
    {
      double times[FRAMES];
      gint64 span = zooms[z].span ? MIN (zooms[z].span, end - start) : end - start;

      for (guint i = 0; i < FRAMES; i++)
        {
          /* a different window each frame, spread over the recording */
          gint64 b = start + (gint64) ((double) (end - start - span) * i / FRAMES);
          sl_timeline_painter_set_range (painter, b, b + span);
          sl_timeline_painter_set_playhead (painter, b + span / 2);
          times[i] = draw_once (painter, surface);
        }
      print_zoom (painter, zooms[z].label, times);
      save_frame (surface, name, "time", zooms[z].label);
    }
  cairo_surface_destroy (surface);
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = g_dir_make_tmp ("bench-painter-XXXXXX", NULL);
  g_autoptr (CapRecording) capture = NULL;
  g_autoptr (CapRecording) run = NULL;
  const char *n_env = g_getenv ("SL_BENCH_PACKETS");
  guint       n_packets = n_env ? (guint) atoi (n_env) : N_PACKETS;
  const char *size = g_getenv ("SL_BENCH_SIZE");
  gint64      t0;

  if (size != NULL && sscanf (size, "%dx%d", &W, &H) != 2)
    W = 1920, H = 1080;
  printf (
    "bench-painter: frames of %dx%d, %d windows per zoom level; CPU time of the drawing thread\n",
    W, H, FRAMES);

  t0 = g_get_monotonic_time ();
  if (argc > 1)
    {
      /* a capture of one's own, e.g. ../shared/tools/gen_pcap.py's reference */
      g_autoptr (GError) error = NULL;
      capture = cap_recording_new_from_file (argv[1], &error);
      if (capture == NULL)
        fprintf (stderr, "bench-painter: %s\n", error->message);
    }
  else if (!g_getenv ("SL_BENCH_NO_CAPTURE"))
    capture = load_capture (dir);
  if (capture != NULL)
    {
      printf ("(capture loaded in %.1f s)\n", (g_get_monotonic_time () - t0) / 1e6);
      bench (argc > 1 ? argv[1] : "capture without calls (sl-gen-pcap)", capture,
             SL_TIMELINE_LAYOUT_TIME);
      bench (argc > 1 ? argv[1] : "capture without calls (sl-gen-pcap)", capture,
             SL_TIMELINE_LAYOUT_SEQUENCE);
      g_clear_object (&capture);
    }
  else
    printf ("capture: skipped (no $SL_GEN_PCAP)\n");

  t0 = g_get_monotonic_time ();
  run = build_run (n_packets);
  printf ("(run built in %.1f s)\n", (g_get_monotonic_time () - t0) / 1e6);
  bench ("run with calls (bulk transfer)", run, SL_TIMELINE_LAYOUT_TIME);
  bench ("run with calls (bulk transfer)", run, SL_TIMELINE_LAYOUT_SEQUENCE);

  g_rmdir (dir);
  return 0;
}
