/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-window-load: whether the window stays responsive once a very large
 * recording is handed to it. Runs the real window (under Xvfb) and measures
 * the main thread's longest stretch of work between two polls of its main
 * loop: while nothing polls, no frame is drawn and no input is read.
 *
 *   bench-window-load [FILE...]     load each file in a new window
 *   bench-window-load --run N       run udp-echo with --count N in the window
 *
 * Without arguments it writes captures of 100,000 and 1,000,000 packets
 * with the project's own generator (sl-gen-pcap, path in $SL_GEN_PCAP).
 *
 * For a file, its anchor (same run, same file) is the load itself on this
 * thread (cap_recording_load_file, no window): the longest main-loop stall
 * is printed beside it. After the hand-over it does what a person does
 * first: waits for the timeline and the list, sorts the list by each
 * column, scrolls it to its end, zooms the timeline in and out, switches
 * the axis. The heap (RssAnon) before and after says the bytes per packet.
 * A benchmark, not a test: it prints numbers and never fails on them.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sl-conversation-list.h"
#include "sl-test-window.h"

/* ---- the main loop's stalls ---------------------------------------------- */

#define N_WORST 4

typedef struct
{
  gint64 at;   /* when it began, µs, monotonic */
  gint64 took; /* µs between the end of one poll and the start of the next */
} Stall;

static GPollFunc real_poll;
static gint64    left_poll;      /* when the last poll returned */
static gint64    left_poll_cpu;  /* the main thread's CPU time then */
static Stall     worst[N_WORST]; /* longest first */
static gint64    worst_cpu;      /* the most CPU time one iteration took, µs */
static gint64    n_iterations;

/* The main thread's CPU time, µs: what a stall costs with the machine's
 * load taken out (a busy machine stretches the wall time, not this) */
static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void
note_stall (gint64 at, gint64 took)
{
  guint i = N_WORST;

  while (i > 0 && worst[i - 1].took < took)
    i--;
  if (i == N_WORST)
    return;
  memmove (&worst[i + 1], &worst[i], (N_WORST - i - 1) * sizeof (Stall));
  worst[i] = (Stall){ at, took };
}

static gboolean verbose; /* SL_BENCH_VERBOSE: every stall over 20 ms */
static gint64   verbose_since;

static int
timed_poll (GPollFD *fds, guint n_fds, int timeout)
{
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_us ();
  int    ret;

  if (left_poll != 0)
    {
      note_stall (left_poll, now - left_poll);
      worst_cpu = MAX (worst_cpu, cpu - left_poll_cpu);
    }
  if (verbose && left_poll != 0 && now - left_poll > 20000)
    printf ("    stall %+8.0f ms: %6.1f ms\n", (left_poll - verbose_since) / 1000.0,
            (now - left_poll) / 1000.0);
  n_iterations++;
  ret = real_poll (fds, n_fds, timeout);
  left_poll = g_get_monotonic_time ();
  left_poll_cpu = thread_cpu_us ();
  return ret;
}

static void
reset_stalls (void)
{
  memset (worst, 0, sizeof worst);
  worst_cpu = 0;
  n_iterations = 0;
}

static double
worst_ms (void)
{
  return worst[0].took / 1000.0;
}

/* ---- waiting, without sleeping ------------------------------------------- */

typedef gboolean (*Condition) (gpointer data);

/* Iterates the main loop (blocking in its poll, as the app does) until
 * @cond holds; FALSE after @timeout_s (a guard against a hang) */
static gboolean
run_until (Condition cond, gpointer data, guint timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, TRUE);
    }
  return TRUE;
}

static gboolean
time_passed (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

static gboolean
on_wake (gpointer data)
{
  *(guint *) data = 0;
  return G_SOURCE_REMOVE;
}

/* Lets the main loop run for @ms as the app's would (a timer wakes it) */
static void
run_for (guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;
  guint  id = g_timeout_add (ms, on_wake, &id);

  run_until (time_passed, &until, ms / 1000 + 5);
  if (id != 0)
    g_source_remove (id);
}

/* Frames the timeline has drawn (its frame clock's after-paint) */
static guint n_frames;

static void
on_after_paint (GdkFrameClock *clock, gpointer data)
{
  n_frames++;
}

typedef struct
{
  guint frames;
} FrameWait;

static gboolean
frames_drawn (gpointer data)
{
  return n_frames >= ((FrameWait *) data)->frames;
}

/* Asks for a frame and waits until two more have been painted */
static void
wait_frames (GtkWidget *widget)
{
  FrameWait w = { n_frames + 2 };

  gtk_widget_queue_draw (widget);
  run_until (frames_drawn, &w, 60);
}

/* ---- helpers ------------------------------------------------------------- */

static gint64
rss_anon_kib (void)
{
  g_autofree char *status = NULL;
  const char      *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "RssAnon:");
  return line ? g_ascii_strtoll (line + 8, NULL, 10) : -1;
}

static char *
generate (const char *dir, guint n_packets)
{
  const char      *gen = g_getenv ("SL_GEN_PCAP");
  char            *path = g_strdup_printf ("%s/bench-%u.pcap", dir, n_packets);
  g_autofree char *cmd = NULL;
  int              status = 0;

  cmd = g_strdup_printf ("%s -c %u -o %s", gen ? gen : "sl-gen-pcap", n_packets, path);
  if (!g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL) || status != 0)
    g_error ("could not run %s", cmd);
  return path;
}

static void
print_worst (const char *what, gint64 since)
{
  printf ("  %-36s %7.1f ms longest (CPU %.1f ms), then", what, worst_ms (), worst_cpu / 1000.0);
  for (guint i = 1; i < N_WORST && worst[i].took > 0; i++)
    printf (" %.1f", worst[i].took / 1000.0);
  printf (" ms; %" G_GINT64_FORMAT " iterations, the longest at %+.0f ms\n", n_iterations,
          (worst[0].at - since) / 1000.0);
}

typedef struct
{
  SlWindow *window;
  gint64    handed_over; /* when the recording reached the session */
} Load;

static void
on_recording (SlSession *session, GParamSpec *pspec, Load *load)
{
  if (load->handed_over == 0 && sl_session_get_recording (session) != NULL &&
      cap_recording_get_n_packets (sl_session_get_recording (session)) > 0)
    load->handed_over = g_get_monotonic_time ();
}

static gboolean
handed_over (gpointer data)
{
  return ((Load *) data)->handed_over != 0 && !sl_window_is_loading (((Load *) data)->window);
}

/* What a person does first with a big recording: each step, then its
 * frames, and the longest stall while it was done */
static void
interact (SlWindow *window, gint64 since)
{
  SlConversationList *list =
    SL_CONVERSATION_LIST (sl_test_find_widget (GTK_WIDGET (window), SL_TYPE_CONVERSATION_LIST));
  GtkColumnView *view =
    list ? GTK_COLUMN_VIEW (sl_test_find_widget (GTK_WIDGET (list), GTK_TYPE_COLUMN_VIEW)) : NULL;
  SlSession *session = sl_window_get_session (window);
  GtkWidget *timeline = GTK_WIDGET (sl_test_window_timeline (window));

  if (view != NULL && gtk_widget_get_mapped (GTK_WIDGET (view)))
    {
      GListModel *columns = gtk_column_view_get_columns (view);
      GtkWidget  *scroller = gtk_widget_get_ancestor (GTK_WIDGET (view), GTK_TYPE_SCROLLED_WINDOW);

      for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
        {
          g_autoptr (GtkColumnViewColumn) column = g_list_model_get_item (columns, i);
          g_autofree char *what = NULL;

          if (gtk_column_view_column_get_sorter (column) == NULL)
            continue;
          reset_stalls ();
          gtk_column_view_sort_by_column (view, column, GTK_SORT_DESCENDING);
          wait_frames (timeline);
          what =
            g_strdup_printf ("list sorted by \"%s\"", gtk_column_view_column_get_title (column));
          print_worst (what, since);
        }
      if (scroller != NULL)
        {
          GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));

          reset_stalls ();
          gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
          wait_frames (GTK_WIDGET (view));
          print_worst ("list scrolled to its end", since);
        }
    }

  reset_stalls ();
  sl_session_zoom (session, 1000.0, sl_session_get_visible_begin (session));
  wait_frames (timeline);
  sl_session_fit_all (session);
  wait_frames (timeline);
  print_worst ("timeline zoomed in, then out", since);

  reset_stalls ();
  sl_timeline_view_set_layout (SL_TIMELINE_VIEW (timeline), SL_TIMELINE_LAYOUT_TIME);
  wait_frames (timeline);
  sl_timeline_view_set_layout (SL_TIMELINE_VIEW (timeline), SL_TIMELINE_LAYOUT_SEQUENCE);
  wait_frames (timeline);
  print_worst ("axis to Time and back", since);
}

static void
close_window (SlWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  run_for (200);
}

/* ---- a file -------------------------------------------------------------- */

static void
bench_file (const char *path)
{
  g_autoptr (CapRecording) anchor = cap_recording_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) file = g_file_new_for_path (path);
  Load           load = { 0 };
  gint64         start, rss_before, rss_after;
  double         anchor_ms, load_ms;
  guint          n_packets;
  SlWindow      *window;
  GdkFrameClock *clock;

  /* the anchor: the same file loaded on this thread, no window */
  start = g_get_monotonic_time ();
  if (!cap_recording_load_file (anchor, path, &error))
    g_error ("%s: %s", path, error->message);
  anchor_ms = (g_get_monotonic_time () - start) / 1000.0;
  n_packets = cap_recording_get_n_packets (anchor);
  g_clear_object (&anchor);

  window = sl_window_new (GTK_APPLICATION (sl_test_app ()));
  gtk_window_present (GTK_WINDOW (window));
  run_for (500);
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
  load.window = window;
  g_signal_connect (sl_window_get_session (window), "notify::recording", G_CALLBACK (on_recording),
                    &load);

  printf ("%s: %u packets\n", path, n_packets);
  printf ("  anchor: cap_recording_load_file () on the main thread, no window: %.0f ms\n",
          anchor_ms);

  rss_before = rss_anon_kib ();
  reset_stalls ();
  start = verbose_since = g_get_monotonic_time ();
  sl_window_open_file (window, file);
  if (!run_until (handed_over, &load, 600))
    g_error ("%s: not loaded after 600 s", path);
  load_ms = (load.handed_over - start) / 1000.0;
  print_worst ("while loading (progress bar)", load.handed_over);

  reset_stalls ();
  wait_frames (GTK_WIDGET (window));
  run_for (1000);
  print_worst ("hand-over, first frames, 1 s after", load.handed_over);
  printf ("  loading in the window: %.0f ms (%.2fx the anchor); longest stall %.1f ms = %.3fx the "
          "anchor\n",
          load_ms, load_ms / anchor_ms, worst_ms (), worst_ms () / anchor_ms);
  rss_after = rss_anon_kib ();
  printf ("  heap (RssAnon) growth: %.1f MiB, %.0f bytes per packet\n",
          (rss_after - rss_before) / 1024.0,
          (rss_after - rss_before) * 1024.0 / MAX (n_packets, 1));

  interact (window, load.handed_over);
  g_signal_handlers_disconnect_by_func (clock, on_after_paint, NULL);
  g_signal_handlers_disconnect_by_data (sl_window_get_session (window), &load);
  close_window (window);
}

/* ---- a live run ---------------------------------------------------------- */

/* The window's count field stops at 64 (a lesson's size); the run's own
 * limit is NC_PARAMS_COUNT_MAX, which the command line reaches */
static void
allow_big_counts (GtkWidget *root)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *tip = gtk_widget_get_tooltip_text (child);

      if (GTK_IS_SPIN_BUTTON (child) && tip != NULL && g_str_has_prefix (tip, "How many"))
        gtk_adjustment_set_upper (gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (child)),
                                  NC_PARAMS_COUNT_MAX);
      allow_big_counts (child);
    }
}

static void
bench_run (guint count)
{
  SlWindow      *window = sl_window_new (GTK_APPLICATION (sl_test_app ()));
  GdkFrameClock *clock;
  gint64         start, finished;
  CapRecording  *rec;

  gtk_window_present (GTK_WINDOW (window));
  run_for (500);
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
  g_assert_true (sl_window_set_scenario (window, "udp-echo"));
  allow_big_counts (GTK_WIDGET (window));
  {
    const NcParams  *params = sl_window_get_parameters (window);
    g_autofree char *message = g_strdup (params->message); /* setting it frees it */
    sl_window_set_parameters (window, params->port, message, count);
  }

  reset_stalls ();
  start = g_get_monotonic_time ();
  if (!gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL) ||
      sl_window_get_live_run (window) == NULL)
    g_error ("udp-echo --count %u: the run did not start", count);
  if (!run_until (sl_test_run_finished, window, 1800))
    g_error ("udp-echo --count %u: not finished after 30 minutes", count);
  finished = g_get_monotonic_time ();
  rec = sl_test_shown_recording (window);
  if (sl_live_run_get_error (sl_window_get_live_run (window)) != NULL)
    printf ("the run failed: %s\n",
            sl_live_run_get_error (sl_window_get_live_run (window))->message);
  printf ("udp-echo --count %u in the window: %u calls, %u packets, %.1f s\n", count,
          cap_recording_get_n_calls (rec), cap_recording_get_n_packets (rec),
          (finished - start) / 1e6);
  print_worst ("during the run", finished);

  reset_stalls ();
  wait_frames (GTK_WIDGET (window));
  run_for (1000);
  print_worst ("its end, first frames, 1 s after", finished);

  interact (window, finished);
  g_signal_handlers_disconnect_by_func (clock, on_after_paint, NULL);
  close_window (window);
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = NULL;

  sl_test_window_init (&argc, &argv);
  real_poll = g_main_context_get_poll_func (NULL);
  g_main_context_set_poll_func (NULL, timed_poll);
  setvbuf (stdout, NULL, _IOLBF, 0);
  verbose = g_getenv ("SL_BENCH_VERBOSE") != NULL;

  if (argc == 3 && g_str_equal (argv[1], "--run"))
    bench_run ((guint) g_ascii_strtoull (argv[2], NULL, 10));
  else if (argc > 1)
    for (int i = 1; i < argc; i++)
      bench_file (argv[i]);
  else
    {
      const guint sizes[] = { 100000, 1000000 };

      dir = g_dir_make_tmp ("bench-window-load-XXXXXX", NULL);
      for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
        {
          g_autofree char *path = generate (dir, sizes[i]);
          bench_file (path);
          g_unlink (path);
        }
      g_rmdir (dir);
    }
  g_main_context_set_poll_func (NULL, real_poll);
  return sl_test_window_run ();
}
