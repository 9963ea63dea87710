/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-timeline-view.c: the timeline widget on a real display (Xvfb): it
 * draws, its keys and clicks change the session, and playback moves the
 * playhead on the frame clock.
 */

#include "config.h"

#include <adwaita.h>

#include "painter-recordings.h"
#include "sl-timeline-view.h"

typedef struct
{
  GtkWidget    *window;
  GtkWidget    *view;
  SlSession    *session;
  CapRecording *recording;
} Fixture;

static void
iterate (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

static void
fixture_setup (Fixture       *fx,
               gconstpointer  data)
{
  fx->recording = pr_echo_recording ();
  fx->session = sl_session_new ();
  sl_session_set_recording (fx->session, fx->recording);
  fx->view = sl_timeline_view_new (fx->session);
  fx->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (fx->window), 900, 640);
  gtk_window_set_child (GTK_WINDOW (fx->window), fx->view);
  gtk_window_present (GTK_WINDOW (fx->window));
  iterate (300);
}

static void
fixture_teardown (Fixture       *fx,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (fx->window));
  g_clear_object (&fx->session);
  g_clear_object (&fx->recording);
}

static GtkEventController *
find_controller (GtkWidget *widget,
                 GType      type)
{
  g_autoptr(GListModel) list = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (list, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type))
        return c;
    }
  return NULL;
}

static gboolean
press_key (GtkWidget *view,
           guint      keyval)
{
  GtkEventController *keys = find_controller (view, GTK_TYPE_EVENT_CONTROLLER_KEY);
  gboolean handled = FALSE;

  g_assert_nonnull (keys);
  g_signal_emit_by_name (keys, "key-pressed", keyval, 0, (GdkModifierType) 0, &handled);
  return handled;
}

static void
test_draws (Fixture       *fx,
            gconstpointer  data)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (fx->view);
  SlTimelineStats stats;

  g_assert_cmpint (gtk_widget_get_width (fx->view), >, 0);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (paintable), >, 0);
  /* the snapshot went through the painter: it knows what it drew */
  sl_timeline_painter_get_stats (sl_timeline_view_get_painter (SL_TIMELINE_VIEW (fx->view)), &stats);
  g_assert_cmpuint (stats.n_columns, ==, 2);
  /* Sequence, at rows of their labels' height: the top of the run, the
   * handshake included, and every call and packet shown labelled */
  g_assert_cmpuint (stats.n_calls_drawn, >=, 6);
  g_assert_cmpint (sl_timeline_view_get_layout (SL_TIMELINE_VIEW (fx->view)), ==, SL_TIMELINE_LAYOUT_SEQUENCE);
  g_assert_cmpuint (stats.n_packets_drawn, >=, 3);
  g_assert_cmpuint (stats.n_labels_dropped, ==, 0);

  /* Time: the whole run fits */
  g_object_set (fx->view, "layout", "time", NULL);
  iterate (300);
  {
    /* draw now, through the widget's own snapshot */
    GtkSnapshot *snap = gtk_snapshot_new ();
    GskRenderNode *node;

    gdk_paintable_snapshot (paintable, snap, gtk_widget_get_width (fx->view), gtk_widget_get_height (fx->view));
    node = gtk_snapshot_free_to_node (snap);
    g_clear_pointer (&node, gsk_render_node_unref);
  }
  sl_timeline_painter_get_stats (sl_timeline_view_get_painter (SL_TIMELINE_VIEW (fx->view)), &stats);
  g_assert_cmpint (sl_timeline_view_get_layout (SL_TIMELINE_VIEW (fx->view)), ==, SL_TIMELINE_LAYOUT_TIME);
  g_assert_cmpuint (stats.n_calls_drawn, >, 10);
  g_assert_cmpuint (stats.n_packets_drawn, ==, PR_ECHO_N_PACKETS);
}

static void
test_keys (Fixture       *fx,
           gconstpointer  data)
{
  gint64 b0 = sl_session_get_visible_begin (fx->session);
  gint64 e0 = sl_session_get_visible_end (fx->session);

  g_assert_true (press_key (fx->view, GDK_KEY_plus));
  g_assert_cmpint (sl_session_get_visible_end (fx->session) - sl_session_get_visible_begin (fx->session), <, e0 - b0);
  /* f fits the whole run (the Sequence axis opens on its first rows at
   * their natural size, so that is not where it started) */
  g_assert_true (press_key (fx->view, GDK_KEY_f));
  g_assert_cmpint (sl_session_get_visible_begin (fx->session), <=, cap_recording_get_start_time (fx->recording));
  g_assert_cmpint (sl_session_get_visible_end (fx->session), >=, cap_recording_get_end_time (fx->recording));

  g_assert_true (press_key (fx->view, GDK_KEY_Down));
  g_assert_cmpint (sl_session_get_visible_begin (fx->session), >, b0);
  g_assert_true (press_key (fx->view, GDK_KEY_Home));
  g_assert_cmpint (sl_session_get_playhead (fx->session), ==, cap_recording_get_start_time (fx->recording));

  /* , and . step between events */
  g_assert_true (press_key (fx->view, GDK_KEY_period));
  g_assert_cmpint (sl_session_get_playhead (fx->session), ==, PR_US (5));  /* socket() returned */
  g_assert_true (press_key (fx->view, GDK_KEY_comma));
  g_assert_cmpint (sl_session_get_playhead (fx->session), ==, PR_US (0));

  g_assert_true (press_key (fx->view, GDK_KEY_space));
  g_assert_true (sl_session_get_playing (fx->session));
  g_assert_true (press_key (fx->view, GDK_KEY_space));
  g_assert_false (sl_session_get_playing (fx->session));
}

static void
test_click_selects (Fixture       *fx,
                    gconstpointer  data)
{
  SlTimelinePainter *painter = sl_timeline_view_get_painter (SL_TIMELINE_VIEW (fx->view));
  GtkEventController *click = find_controller (fx->view, GTK_TYPE_GESTURE_CLICK);
  guint accept = pr_find_call (fx->recording, NC_CALL_ACCEPT, 0, 0);
  cairo_rectangle_t r;

  g_assert_nonnull (click);
  g_assert_true (sl_timeline_painter_get_call_rect (painter, accept, &r));
  g_signal_emit_by_name (click, "released", 1, r.x + r.width / 2, r.y + r.height / 2);
  g_assert_cmpint (sl_session_get_selection_kind (fx->session), ==, SL_SELECTION_CALL);
  g_assert_cmpuint (sl_session_get_selection_index (fx->session), ==, accept);
}

/* The frame clock's times, seen by a tick callback of the test's own on the
 * view: added before play starts, it runs on the same frames as the view's
 * playback, which moves by the frame clock's time, not the wall clock's. */
typedef struct
{
  guint  n;
  gint64 first;
  gint64 last;
} FrameTimes;

static gboolean
record_frame (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       data)
{
  FrameTimes *t = data;
  gint64 now = gdk_frame_clock_get_frame_time (clock);

  if (t->n++ == 0)
    t->first = now;
  t->last = now;
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @t has seen @us of frame time, or the view
 * stopped playing (a guard against a hang, not a timing assertion). */
static void
iterate_frames (Fixture    *fx,
                FrameTimes *t,
                gint64      us)
{
  gint64 guard = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while ((t->n == 0 || t->last - t->first < us) && sl_session_get_playing (fx->session))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, guard);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
test_playback (Fixture       *fx,
               gconstpointer  data)
{
  SlTimelinePainter *painter = sl_timeline_view_get_painter (SL_TIMELINE_VIEW (fx->view));
  gint64 start = cap_recording_get_start_time (fx->recording);
  gint64 end = cap_recording_get_end_time (fx->recording);
  FrameTimes frames = { 0 };
  double d_start, span;
  guint tick;
  gint64 ph;

  tick = gtk_widget_add_tick_callback (fx->view, record_frame, &frames, NULL);
  sl_session_set_speed (fx->session, 10.0);
  sl_session_set_playing (fx->session, TRUE);
  /* from the end, play starts over at the beginning */
  g_assert_cmpint (sl_session_get_playhead (fx->session), ==, start);
  d_start = sl_timeline_painter_to_display (painter, start);
  span = sl_timeline_painter_to_display (painter, sl_session_get_visible_end (fx->session)) -
         sl_timeline_painter_to_display (painter, sl_session_get_visible_begin (fx->session));

  /* 10x crosses the window in a second of frame time: after 0.4 s of it,
   * past a quarter of the window (on the axis: rows, on the Sequence axis),
   * or at the end if the run ends sooner */
  iterate_frames (fx, &frames, 400 * 1000);
  ph = sl_session_get_playhead (fx->session);
  g_assert_cmpint (ph, >, start);
  if (sl_session_get_playing (fx->session))
    g_assert_cmpfloat (sl_timeline_painter_to_display (painter, ph) - d_start, >, span / 4);
  else
    g_assert_cmpint (ph, ==, end);

  /* it plays to the end, and stops there */
  iterate_frames (fx, &frames, G_MAXINT64);
  g_assert_false (sl_session_get_playing (fx->session));
  g_assert_cmpint (sl_session_get_playhead (fx->session), ==, end);
  gtk_widget_remove_tick_callback (fx->view, tick);
}

/* Step mode: each step adds a call entering; the view follows with the
 * newest rows at their natural size, the stepped call in view and labelled */
/* A traced call entering (a step's call, blocked): the client's recv() on
 * fd 3, 1 µs after the recording's end, committed as the lab commits */
static void
add_entering_recv (Fixture *fx,
                   guint    id)
{
  NcCall call;

  memset (&call, 0, sizeof call);
  call.id = id;
  call.kind = NC_CALL_RECV;
  call.actor = 1;
  call.fd = 3;
  call.length = 1024;
  call.ts_start = cap_recording_get_end_time (fx->recording) + 1000;
  cap_recording_add_call (fx->recording, &call, NC_CALL_PHASE_ENTER);
  cap_recording_commit (fx->recording);
}

static void
test_follow_step (Fixture       *fx,
                  gconstpointer  data)
{
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (fx->view);
  SlTimelinePainter *painter = sl_timeline_view_get_painter (SL_TIMELINE_VIEW (fx->view));
  guint id = cap_recording_get_n_calls (fx->recording);
  const SlTimelineLabel *labels;
  cairo_rectangle_t box;
  double top, bottom;
  gboolean named = FALSE;
  guint n;

  /* at first the top of the run: its last rows are below the view */
  g_assert_true (sl_timeline_painter_get_call_rect (painter, id - 1, &box));
  sl_timeline_painter_get_plot_area (painter, &top, &bottom);
  g_assert_cmpfloat (box.y, >, bottom);

  /* the step: the client's next call enters (and blocks) */
  sl_session_set_follow_live (fx->session, TRUE);
  add_entering_recv (fx, id);
  iterate (300);
  {
    GtkSnapshot *snap = gtk_snapshot_new ();
    GskRenderNode *node;

    gdk_paintable_snapshot (paintable, snap, gtk_widget_get_width (fx->view), gtk_widget_get_height (fx->view));
    node = gtk_snapshot_free_to_node (snap);
    g_clear_pointer (&node, gsk_render_node_unref);
  }

  /* the stepped call is in view, near the bottom, with its name beside it */
  g_assert_true (sl_timeline_painter_get_call_rect (painter, id, &box));
  sl_timeline_painter_get_plot_area (painter, &top, &bottom);
  g_assert_cmpfloat (box.y, >=, top);
  g_assert_cmpfloat (box.y, <=, bottom);
  g_assert_cmpfloat (box.y, >, (top + bottom) / 2);
  labels = sl_timeline_painter_get_labels (painter, &n);
  for (guint i = 0; i < n; i++)
    named |= labels[i].kind == SL_LABEL_CALL && labels[i].index == id &&
             g_str_has_prefix (labels[i].text, "recv(fd=3");
  g_assert_true (named);
}

/* A live run's commits are laid out at most once per few times a layout's
 * cost; the commit that comes inside that spacing waits its turn. Once the
 * run ends (follow-live off) everything recorded is laid out at once, not
 * at that turn: a class looking at the finished run sees its last calls */
static void
test_finished_shows_all (Fixture       *fx,
                         gconstpointer  data)
{
  SlTimelinePainter *painter = sl_timeline_view_get_painter (SL_TIMELINE_VIEW (fx->view));
  guint first = cap_recording_get_n_calls (fx->recording);
  cairo_rectangle_t box;

  sl_session_set_follow_live (fx->session, TRUE);
  for (guint i = 0; i < 2; i++)
    {
      /* the first commit is laid out at once (nothing since the fixture's
       * layout), the second comes microseconds later and waits its turn */
      add_entering_recv (fx, first + i);
    }
  g_assert_true (sl_timeline_painter_get_call_rect (painter, first, &box));

  /* the run ends: no main loop turn in between */
  sl_session_set_follow_live (fx->session, FALSE);
  g_assert_true (sl_timeline_painter_get_call_rect (painter, first + 1, &box));

  /* ... shown as following it did: the newest call in view, named (the
   * main loop runs: the turn the layout waited for has passed by then) */
  iterate (300);
  {
    g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (fx->view);
    GtkSnapshot *snap = gtk_snapshot_new ();
    GskRenderNode *node;
    const SlTimelineLabel *labels;
    SlTimelineAxis *axis;
    cairo_rectangle_t prev;
    gboolean named = FALSE;
    double top, bottom;
    guint n;

    gdk_paintable_snapshot (paintable, snap, gtk_widget_get_width (fx->view),
                            gtk_widget_get_height (fx->view));
    node = gtk_snapshot_free_to_node (snap);
    g_clear_pointer (&node, gsk_render_node_unref);
    g_assert_true (sl_timeline_painter_get_call_rect (painter, first, &prev));
    g_assert_true (sl_timeline_painter_get_call_rect (painter, first + 1, &box));
    sl_timeline_painter_get_plot_area (painter, &top, &bottom);
    /* rows at their natural size (squeezed rows drop their labels) */
    axis = sl_timeline_painter_get_axis (painter);
    g_test_message ("row %.1f px, natural %.1f px", box.y - prev.y,
                    sl_timeline_axis_get_row_height (axis) *
                      sl_timeline_axis_get_natural_px_per_unit (axis));
    g_assert_cmpfloat (box.y - prev.y, >=,
                       0.99 * sl_timeline_axis_get_row_height (axis) *
                         sl_timeline_axis_get_natural_px_per_unit (axis));
    g_assert_cmpfloat (box.y, >=, top);
    g_assert_cmpfloat (box.y, <=, bottom);
    labels = sl_timeline_painter_get_labels (painter, &n);
    for (guint i = 0; i < n; i++)
      named |= labels[i].kind == SL_LABEL_CALL && labels[i].index == first + 1 &&
               g_str_has_prefix (labels[i].text, "recv(fd=3");
    g_assert_true (named);
  }
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *tmp_dir = g_dir_make_tmp ("socklens-test-view-XXXXXX", NULL);

  g_setenv ("HOME", tmp_dir, TRUE);
  g_setenv ("XDG_CACHE_HOME", tmp_dir, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_test_init (&argc, &argv, NULL);
  /* Not gtk_test_init (): with no session bus here its fatal warnings abort. */
  if (!gtk_init_check ())
    g_error ("no display: run under xvfb-run -a (meson test does)");
  adw_init ();

  g_test_add ("/ui/timeline-view/draws", Fixture, NULL, fixture_setup, test_draws, fixture_teardown);
  g_test_add ("/ui/timeline-view/keys", Fixture, NULL, fixture_setup, test_keys, fixture_teardown);
  g_test_add ("/ui/timeline-view/click-selects", Fixture, NULL, fixture_setup, test_click_selects,
              fixture_teardown);
  g_test_add ("/ui/timeline-view/follow-step", Fixture, NULL, fixture_setup, test_follow_step,
              fixture_teardown);
  g_test_add ("/ui/timeline-view/finished-shows-all", Fixture, NULL, fixture_setup,
              test_finished_shows_all, fixture_teardown);
  g_test_add ("/ui/timeline-view/playback", Fixture, NULL, fixture_setup, test_playback, fixture_teardown);

  return g_test_run ();
}
