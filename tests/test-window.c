/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-window.c: smoke tests of the window under Xvfb (suite 'display').
 *
 * The window runs tcp-echo LIVE in step mode, driven through its actions as
 * the keyboard would. After three steps exactly three real calls have run,
 * the fourth waits at the gate, and the recording the window shows holds
 * those calls and nothing after them. Stepping on to the client's connect()
 * then puts the handshake's packets on it, and still no data: a replay of a
 * finished run could not pass this. Then a file round trip and a damaged file.
 *
 * The run goes through the real socklens-lab helper (CapLab). Where the lab
 * cannot capture (no user namespaces and no CAP_NET_RAW) the packet checks
 * are skipped and the calls still checked; as root (CI) they must pass.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "sl-application.h"
#include "sl-test-capture.h"
#include "sl-code-view.h"
#include "sl-packet-inspector.h"
#include "sl-field-item.h"
#include "sl-scenario-item.h"
#include "sl-scenario-picker.h"
#include "sl-timeline-view.h"
#include "sl-window.h"

static SlApplication *app;
static char *tmp_dir;

/* ---- helpers ------------------------------------------------------------- */

typedef gboolean (*Condition) (gpointer data);

/* Runs the main loop until @cond holds or @timeout_ms passes. */
static gboolean
wait_for (Condition cond,
          gpointer  data,
          guint     timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (2000);
    }
  return TRUE;
}

/* Lets the main loop run for @ms, whatever happens. */
static void
spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (2000);
    }
}

static GtkWidget *
find_widget (GtkWidget *root,
             GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* With SOCKLENS_SCREENSHOT_DIR set, saves what the window shows now as
 * NAME.png there, rendered by the window's own renderer: for looking at a
 * live run's state, which a screenshot tool cannot time. */
static void
save_widget_screenshot (GtkWidget  *widget,
                        const char *name);

static void
save_screenshot (SlWindow   *window,
                 const char *name)
{
  save_widget_screenshot (GTK_WIDGET (window), name);
}

static void
save_widget_screenshot (GtkWidget  *widget,
                        const char *name)
{
  const char *dir = g_getenv ("SOCKLENS_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  int width, height;

  if (dir == NULL)
    return;
  spin (300);  /* let it lay out and draw the new state */
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    {
      g_test_message ("screenshot %s: nothing drawn", name);
      return;
    }
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  file = g_strconcat (name, ".png", NULL);
  path = g_build_filename (dir, file, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

/* What the window's timeline drew last, after letting it draw the present. */
static SlTimelineStats
timeline_stats (SlWindow *window)
{
  SlTimelineView *view = SL_TIMELINE_VIEW (find_widget (GTK_WIDGET (window),
                                                        SL_TYPE_TIMELINE_VIEW));
  SlTimelineStats stats = { 0 };

  g_assert_nonnull (view);
  gtk_widget_queue_draw (GTK_WIDGET (view));
  spin (200);
  sl_timeline_painter_get_stats (sl_timeline_view_get_painter (view), &stats);
  return stats;
}

static SlWindow *
new_window (void)
{
  SlWindow *window = sl_window_new (GTK_APPLICATION (app));

  gtk_window_present (GTK_WINDOW (window));
  spin (50);
  return window;
}

static CapRecording *
shown_recording (SlWindow *window)
{
  return sl_session_get_recording (sl_window_get_session (window));
}

static guint
count_returned (CapRecording *recording)
{
  guint n = 0;

  for (guint i = 0; i < cap_recording_get_n_calls (recording); i++)
    if (cap_recording_get_call (recording, i)->ts_end != 0)
      n++;
  return n;
}

static gboolean
capture_expected (SlLiveRun *live)
{
  if (sl_live_run_get_capture_problem (live) == NULL)
    return TRUE;
  /* Root must capture: CI runs as root and must not skip. */
  g_assert_cmpint (getuid (), !=, 0);
  return FALSE;
}

/* ---- stepping ------------------------------------------------------------ */

typedef struct
{
  SlWindow *window;
  guint     n_steps;
} StepWait;

/* A step is done when the gate released it and its call has reached the
 * recording the window shows (entered, and returned unless it blocks). */
static gboolean
step_done (gpointer data)
{
  StepWait *w = data;
  SlLiveRun *live = sl_window_get_live_run (w->window);
  CapRecording *recording = shown_recording (w->window);

  return live != NULL && sl_live_run_get_n_pending (live) == 0 &&
         sl_live_run_get_n_steps (live) == w->n_steps &&
         cap_recording_get_n_calls (recording) >= w->n_steps;
}

static void
step (SlWindow *window,
      StepWait *w)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL));
  w->n_steps++;
  g_assert_true (wait_for (step_done, w, 10000));
}

static gboolean
calls_returned_3 (gpointer data)
{
  return count_returned (shown_recording (data)) >= 3;
}

static gint
find_call (CapRecording *recording,
           NcCallKind    kind,
           gboolean      returned)
{
  for (guint i = 0; i < cap_recording_get_n_calls (recording); i++)
    {
      const NcCall *call = cap_recording_get_call (recording, i);
      if (call->kind == kind && (!returned || call->ts_end != 0))
        return (gint) i;
    }
  return -1;
}

static gboolean
something_waiting (gpointer data)
{
  SlLiveRun *live = sl_window_get_live_run (data);
  g_autofree char *waiting = live ? sl_live_run_describe_waiting (live) : NULL;

  return waiting != NULL;
}

static gboolean
handshake_captured (gpointer data)
{
  CapRecording *recording = shown_recording (data);
  gboolean syn = FALSE, synack = FALSE, ack = FALSE;

  for (guint i = 0; i < cap_recording_get_n_packets (recording); i++)
    {
      guint8 flags = cap_recording_get_packet (recording, i)->tcp_flags;

      syn |= flags == CAP_TCP_SYN;
      synack |= flags == (CAP_TCP_SYN | CAP_TCP_ACK);
      ack |= flags == CAP_TCP_ACK;
    }
  return syn && synack && ack;
}

static gboolean
run_finished (gpointer data)
{
  SlLiveRun *live = sl_window_get_live_run (data);

  return live != NULL && sl_live_run_get_state (live) == SL_LIVE_RUN_FINISHED;
}

/* Selects the (last) SYN/ACK of what the window shows, as a click would */
static void
select_synack (SlWindow *window)
{
  CapRecording *recording = shown_recording (window);
  guint synack = G_MAXUINT;

  for (guint i = 0; i < cap_recording_get_n_packets (recording); i++)
    if (cap_recording_get_packet (recording, i)->tcp_flags == (CAP_TCP_SYN | CAP_TCP_ACK))
      synack = i;
  g_assert_cmpuint (synack, !=, G_MAXUINT);
  sl_session_select (sl_window_get_session (window), SL_SELECTION_PACKET, synack);
  spin (50);
}

static void
test_step_live (void)
{
  SlWindow *window = new_window ();
  StepWait w = { .window = window };
  SlLiveRun *live;
  CapRecording *recording;
  g_autofree char *waiting = NULL;
  gint connect_call;
  gboolean capturing;

  g_assert_true (sl_window_set_scenario (window, "tcp-echo"));
  g_assert_null (sl_window_get_live_run (window));

  /* Three presses of Step: the first starts the run and lets the first call through. */
  step (window, &w);
  step (window, &w);
  step (window, &w);
  g_assert_true (wait_for (calls_returned_3, window, 10000));
  /* The fourth call has reached the gate and is held there */
  g_assert_true (wait_for (something_waiting, window, 10000));

  live = sl_window_get_live_run (window);
  recording = shown_recording (window);
  capturing = capture_expected (live);
  g_assert_cmpuint (sl_live_run_get_state (live), ==, SL_LIVE_RUN_STEPPING);
  g_assert_true (recording == sl_live_run_get_recording (live));

  /* Exactly three real calls ran: the server's socket(), bind(), listen(). */
  g_assert_cmpuint (sl_live_run_get_n_steps (live), ==, 3);
  g_assert_cmpuint (cap_recording_get_n_calls (recording), ==, 3);
  g_assert_cmpuint (count_returned (recording), ==, 3);
  g_assert_cmpint (cap_recording_get_call (recording, 0)->kind, ==, NC_CALL_SOCKET);
  g_assert_cmpint (cap_recording_get_call (recording, 1)->kind, ==, NC_CALL_BIND);
  g_assert_cmpint (cap_recording_get_call (recording, 2)->kind, ==, NC_CALL_LISTEN);
  g_assert_cmpint (cap_recording_get_call (recording, 2)->result, ==, 0);

  /* The fourth is held at the gate and has left no trace. listen() sends
   * nothing, so no packet may exist yet. */
  waiting = sl_live_run_describe_waiting (live);
  g_assert_nonnull (waiting);
  g_assert_nonnull (strstr (waiting, "server getsockname()"));
  g_assert_cmpuint (cap_recording_get_n_packets (recording), ==, 0);
  {
    SlTimelineStats stats = timeline_stats (window);
    g_assert_cmpuint (stats.n_calls_drawn, >=, 1);
    g_assert_cmpuint (stats.n_packets_drawn + stats.n_packets_aggregated, ==, 0);
  }
  save_screenshot (window, "step-3");
  {
    guint n_links = 99;
    cap_recording_get_call_links (recording, 2, &n_links);
    g_assert_cmpuint (n_links, ==, 0);
  }

  /* Step on until the client's connect() has returned. */
  for (guint i = 0; i < 12 && find_call (recording, NC_CALL_CONNECT, TRUE) < 0; i++)
    {
      step (window, &w);
      spin (30);
    }
  connect_call = find_call (recording, NC_CALL_CONNECT, TRUE);
  g_assert_cmpint (connect_call, >=, 0);
  g_test_message ("connect() returned after %u steps; capturing: %s", w.n_steps,
                  capturing ? "yes" : "no");
  g_assert_cmpint (cap_recording_get_call (recording, connect_call)->result, ==, 0);

  if (capturing)
    {
      guint n_links = 0;
      const CapLink *links;
      gboolean handshake_link = FALSE;

      /* connect()'s packets are on the window's timeline ... */
      g_assert_true (wait_for (handshake_captured, window, 5000));
      spin (100);
      links = cap_recording_get_call_links (recording, connect_call, &n_links);
      for (guint i = 0; i < n_links; i++)
        handshake_link |= links[i].kind == CAP_LINK_HANDSHAKE;
      g_assert_true (handshake_link);
      {
        /* ... drawn on it, as arrows */
        SlTimelineStats stats = timeline_stats (window);
        g_assert_cmpuint (stats.n_packets_drawn + stats.n_packets_aggregated, >=, 3);
      }
      g_test_message ("%u packets, %u linked to connect()",
                      cap_recording_get_n_packets (recording), n_links);
      sl_session_select (sl_window_get_session (window), SL_SELECTION_CALL, connect_call);
      save_screenshot (window, "step-connect-call");
    }

  /* ... and nothing of what comes after it: no send(), no data on the wire. */
  g_assert_cmpint (find_call (recording, NC_CALL_SEND, FALSE), <, 0);
  for (guint i = 0; i < cap_recording_get_n_packets (recording); i++)
    g_assert_cmpuint (cap_recording_get_packet (recording, i)->payload_len, ==, 0);
  g_assert_cmpuint (sl_live_run_get_n_steps (live), ==, w.n_steps);

  /* Selecting the SYN/ACK shows its fields; its source port is the
   * server's, in network order next to the host value. */
  if (capturing)
    {
      SlPacketInspector *inspector =
        SL_PACKET_INSPECTOR (find_widget (GTK_WIDGET (window), SL_TYPE_PACKET_INSPECTOR));
      const char *text;

      select_synack (window);
      g_assert_true (sl_packet_inspector_select_field (inspector, "Source port"));
      text = sl_packet_inspector_get_byte_order_text (inspector);
      g_assert_nonnull (text);
      g_assert_true (g_str_has_prefix (text, "network order "));
      g_assert_nonnull (strstr (text, " → host value "));
      save_screenshot (window, "step-connect-synack");
    }

  /* Stop: the blocked actors wake and the run ends, without freezing, and
   * what was recorded stays shown. */
  {
    guint n_calls = cap_recording_get_n_calls (recording);
    guint n_packets = cap_recording_get_n_packets (recording);
    GtkWidget *dialog = NULL;
    SlWindow *weak = window;
    g_autoptr(GList) toplevels = NULL;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL));
    g_assert_true (wait_for (run_finished, window, 5000));
    g_assert_true (shown_recording (window) == recording);
    g_assert_cmpuint (cap_recording_get_n_calls (recording), >=, n_calls);
    g_assert_cmpuint (cap_recording_get_n_packets (recording), >=, n_packets);

    /* Closing the window with the run unsaved asks first: the window stays
     * until the person says to close without saving. */
    g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &weak);
    gtk_window_close (GTK_WINDOW (window));
    spin (100);
    g_assert_nonnull (weak);
    toplevels = gtk_window_list_toplevels ();
    for (GList *l = toplevels; l != NULL; l = l->next)
      if (ADW_IS_MESSAGE_DIALOG (l->data) &&
          gtk_window_get_transient_for (l->data) == GTK_WINDOW (window))
        dialog = l->data;
    g_assert_nonnull (dialog);
    g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "save"));
    save_screenshot ((SlWindow *) dialog, "close-unsaved-run");  /* any widget will do */
    adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "discard");
    spin (100);
    g_assert_null (weak);
  }
  spin (50);
}

/* ---- files --------------------------------------------------------------- */

static gboolean
not_loading (gpointer data)
{
  return !sl_window_is_loading (data);
}

/* The keys a class uses are bound to the actions the buttons use. */
static void
test_accels (void)
{
  static const struct { const char *action; const char *accel; } expected[] = {
    { "win.open", "<Control>o" }, { "win.save", "<Control>s" }, { "win.run", "F5" },
    { "win.step", "F6" }, { "win.step", "space" }, { "win.stop", "Escape" },
    { "app.quit", "<Control>q" }, { "win.fullscreen", "F11" },
    { "win.step-actor(uint32 1)", "2" }, { "win.export-diagram", "<Control>e" },
    { "win.presentation", "<Control>p" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app),
                                                                   expected[i].action);
      g_assert_true (g_strv_contains ((const char *const *) accels, expected[i].accel));
    }
}

static void
test_open_files (void)
{
  SlWindow *window = new_window ();
  StepWait w = { .window = window };
  g_autofree char *path = g_build_filename (tmp_dir, "run.pcapng", NULL);
  g_autofree char *bad = g_build_filename (tmp_dir, "bad.pcapng", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) bad_file = g_file_new_for_path (bad);
  g_autoptr(GError) error = NULL;
  CapRecording *live_recording;
  guint n_calls, n_packets;

  /* A whole run, saved as the window's Save does */
  g_assert_true (sl_window_set_scenario (window, "tcp-echo"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (wait_for (run_finished, window, 10000));
  (void) w;
  live_recording = shown_recording (window);
  g_assert_null (sl_live_run_get_error (sl_window_get_live_run (window)));
  n_calls = cap_recording_get_n_calls (live_recording);
  n_packets = cap_recording_get_n_packets (live_recording);
  g_assert_cmpuint (n_calls, >=, 10);
  g_assert_true (cap_recording_save (live_recording, path, &error));
  g_assert_no_error (error);

  /* Opened in a thread, swapped in whole */
  sl_window_open_file (window, file);
  g_assert_true (sl_window_is_loading (window));
  g_assert_true (wait_for (not_loading, window, 10000));
  g_assert_null (sl_window_get_live_run (window));
  g_assert_true (shown_recording (window) != live_recording);
  g_assert_cmpuint (cap_recording_get_n_calls (shown_recording (window)), ==, n_calls);
  g_assert_cmpuint (cap_recording_get_n_packets (shown_recording (window)), ==, n_packets);
  g_assert_cmpstr (cap_recording_get_scenario (shown_recording (window)), ==, "tcp-echo");
  /* The build tree's compiled schema is found (memory backend in tests) */
  g_assert_nonnull (sl_application_get_settings (app));
    {
      g_auto(GStrv) recent = g_settings_get_strv (sl_application_get_settings (app), "recent-files");
      g_autofree char *uri = g_file_get_uri (file);

      g_assert_nonnull (recent[0]);
      g_assert_cmpstr (recent[0], ==, uri);
    }

  /* Garbage: a message, the last recording stays, nothing crashes */
  g_assert_true (g_file_set_contents (bad, "this is not a capture file", -1, NULL));
  sl_window_open_file (window, bad_file);
  g_assert_true (wait_for (not_loading, window, 10000));
  g_assert_cmpuint (cap_recording_get_n_calls (shown_recording (window)), ==, n_calls);

  /* Closed while a file loads and while a run goes: nothing left to crash on */
  sl_window_open_file (window, file);
  gtk_window_destroy (GTK_WINDOW (window));
  spin (300);
  window = new_window ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  spin (20);
  gtk_window_destroy (GTK_WINDOW (window));
  spin (300);
}

/* ---- presentation mode --------------------------------------------------- */

static SlTimelineView *
window_timeline (SlWindow *window)
{
  return SL_TIMELINE_VIEW (find_widget (GTK_WIDGET (window), SL_TYPE_TIMELINE_VIEW));
}

/* Not hidden by itself or a container (a stack's other page is child-invisible, not hidden) */
static gboolean
shown_up_to_window (GtkWidget *widget)
{
  for (; widget != NULL; widget = gtk_widget_get_parent (widget))
    if (!gtk_widget_get_visible (widget))
      return FALSE;
  return TRUE;
}

static gboolean
is_fullscreen (gpointer data)
{
  return gtk_window_is_fullscreen (data);
}

static void
test_presentation (void)
{
  SlWindow *window = new_window ();
  SlTimelineView *timeline = window_timeline (window);
  SlSession *session = sl_window_get_session (window);
  GSettings *settings = sl_application_get_settings (app);
  SlTimelinePainter *painter = sl_timeline_view_get_painter (timeline);
  const SlPalette *normal = sl_timeline_painter_get_palette (painter);
  double speed = sl_session_get_speed (session);
  g_auto(GStrv) escape = NULL;

  g_assert_false (sl_window_get_presentation (window));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (window), "presentation"));
  g_assert_cmpfloat (sl_timeline_view_get_text_scale (timeline), ==, 1.0);
  g_assert_cmpfloat (speed, !=, 0.25);

  /* On: as Ctrl+P would */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.presentation", NULL));
  spin (50);
  g_assert_true (sl_window_get_presentation (window));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (window), "presentation"));
  g_assert_cmpfloat_with_epsilon (sl_timeline_view_get_text_scale (timeline), 1.5, 1e-9);
  g_assert_true (sl_timeline_view_get_high_contrast (timeline));
  g_assert_true (sl_timeline_painter_get_palette (painter) == sl_palette_get (SL_THEME_HIGH_CONTRAST) ||
                 sl_timeline_painter_get_palette (painter) == sl_palette_get (SL_THEME_HIGH_CONTRAST_DARK));
  g_assert_cmpfloat_with_epsilon (sl_session_get_speed (session), 0.25, 1e-9);
  g_assert_true (g_settings_get_boolean (settings, "presentation-mode"));
  /* The slow speed is presentation's, not the user's: not saved as theirs */
  g_assert_cmpfloat_with_epsilon (g_settings_get_double (settings, "playback-speed"), speed, 1e-9);
  /* Fullscreen is asked for; without a window manager Xvfb may not grant it */
  if (wait_for (is_fullscreen, window, 1000))
    g_test_message ("presentation: the window is full screen");
  else
    g_test_message ("presentation: full screen not granted (no window manager?)");
  /* The code pane and the timeline stay; Escape still stops a run */
  g_assert_true (shown_up_to_window (GTK_WIDGET (timeline)));
  g_assert_true (shown_up_to_window (find_widget (GTK_WIDGET (window), SL_TYPE_CODE_VIEW)));
  escape = gtk_application_get_actions_for_accel (GTK_APPLICATION (app), "Escape");
  g_assert_true (g_strv_contains ((const char *const *) escape, "win.stop"));

  /* Off again: everything as it was */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.presentation", NULL));
  spin (50);
  g_assert_false (sl_window_get_presentation (window));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (window), "presentation"));
  g_assert_cmpfloat (sl_timeline_view_get_text_scale (timeline), ==, 1.0);
  g_assert_false (sl_timeline_view_get_high_contrast (timeline));
  g_assert_true (sl_timeline_painter_get_palette (painter) == normal);
  g_assert_cmpfloat_with_epsilon (sl_session_get_speed (session), speed, 1e-9);
  g_assert_false (g_settings_get_boolean (settings, "presentation-mode"));
  g_assert_true (wait_for (is_fullscreen, window, 1000) == FALSE);

  /* The saved setting brings it back with the next window */
  g_settings_set_boolean (settings, "presentation-mode", TRUE);
  gtk_window_destroy (GTK_WINDOW (window));
  window = new_window ();
  g_assert_true (sl_window_get_presentation (window));
  g_assert_cmpfloat_with_epsilon (sl_timeline_view_get_text_scale (window_timeline (window)), 1.5, 1e-9);
  sl_window_set_presentation (window, FALSE);
  g_assert_false (g_settings_get_boolean (settings, "presentation-mode"));

  gtk_window_destroy (GTK_WINDOW (window));
  spin (50);
}

/* ---- diagram export ------------------------------------------------------ */

/* What win.export-diagram does once its chooser has a path */
static void
test_export_diagram (void)
{
  SlWindow *window = new_window ();
  g_autofree char *path = g_build_filename (tmp_dir, "tcp-echo.svg", NULL);
  g_autofree char *bad = g_build_filename (tmp_dir, "no-such-dir", "tcp-echo.svg", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  /* Nothing shown yet: nothing to export */
  g_assert_false (sl_window_export_diagram (window, path, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_assert_true (sl_window_set_scenario (window, "tcp-echo"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (wait_for (run_finished, window, 10000));

  g_assert_true (sl_window_export_diagram (window, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "<?xml"));
  g_assert_nonnull (strstr (contents, "<svg"));

  /* A directory that is not there: an error naming the file, nothing written */
  g_assert_false (sl_window_export_diagram (window, bad, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "tcp-echo.svg"));
  g_clear_error (&error);

  /* Export Events writes through the same exporter table */
  {
    g_autofree char *events = g_build_filename (tmp_dir, "tcp-echo.json", NULL);
    g_autofree char *json = NULL;

    g_assert_true (sl_window_export_events (window, events, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (events, &json, NULL, NULL));
    g_assert_nonnull (strstr (json, "\"format\":\"socklens-events\""));
    g_assert_nonnull (strstr (json, "\"name\":\"accept\""));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  spin (50);
}


/* ---- what a class sees: issue 13 ----------------------------------------- */

static SlTimelinePainter *
window_painter (SlWindow *window)
{
  SlTimelineView *view = SL_TIMELINE_VIEW (find_widget (GTK_WIDGET (window),
                                                        SL_TYPE_TIMELINE_VIEW));
  return sl_timeline_view_get_painter (view);
}

static void
run_to_end (SlWindow   *window,
            const char *scenario)
{
  g_assert_true (sl_window_set_scenario (window, scenario));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (wait_for (run_finished, window, 20000));
  g_assert_null (sl_live_run_get_error (sl_window_get_live_run (window)));
}

/* The column whose centre is nearest @x */
static guint
column_at (SlTimelinePainter *painter,
           double             x)
{
  guint best = 0;

  for (guint c = 1; c < sl_timeline_painter_get_n_columns (painter); c++)
    if (fabs (sl_timeline_painter_get_column_x (painter, c) - x) <
        fabs (sl_timeline_painter_get_column_x (painter, best) - x))
      best = c;
  return best;
}

/* Each request of a threading or forking server is served by a handler of
 * its own: named, in a column of its own, with that connection's calls. */
static void
check_handlers (const char *scenario)
{
  SlWindow *window = new_window ();
  SlTimelinePainter *painter;
  CapRecording *recording;
  guint n_handler_columns = 0, n_handler_calls = 0;

  run_to_end (window, scenario);
  recording = shown_recording (window);
  (void) timeline_stats (window);  /* laid out at the window's size */
  painter = window_painter (window);

  for (guint c = 0; c < sl_timeline_painter_get_n_columns (painter); c++)
    {
      const char *title = sl_timeline_painter_get_column_title (painter, c);
      g_test_message ("%s column %u: %s", scenario, c, title);
      g_assert_false (g_str_has_prefix (title, "actor "));
      n_handler_columns += g_str_has_prefix (title, "handler ");
    }
  g_assert_cmpuint (n_handler_columns, ==, 2);

  for (guint i = 0; i < cap_recording_get_n_calls (recording); i++)
    {
      const NcCall *call = cap_recording_get_call (recording, i);
      const NcActorInfo *actor = cap_recording_get_actor (recording, call->actor);
      cairo_rectangle_t rect;

      g_assert_nonnull (actor);
      g_assert_nonnull (actor->name);
      if (call->kind != NC_CALL_RECV || !g_str_has_prefix (actor->name, "handler "))
        continue;
      /* handle()'s recv() is drawn in its handler's column, not the server's */
      g_assert_true (sl_timeline_painter_get_call_rect (painter, i, &rect));
      g_assert_cmpstr (sl_timeline_painter_get_column_title (
                         painter, column_at (painter, rect.x + rect.width / 2)), ==, actor->name);
      n_handler_calls++;
    }
  g_assert_cmpuint (n_handler_calls, >=, 2);

  /* ... and the connection's data arrives at the handler, not the server */
  if (capture_expected (sl_window_get_live_run (window)))
    {
      guint n_data = 0;

      for (guint i = 0; i < cap_recording_get_n_packets (recording); i++)
        {
          double x0, y0, x1, y1;
          const char *a, *b;

          if (cap_recording_get_packet (recording, i)->payload_len == 0 ||
              !sl_timeline_painter_get_packet_line (painter, i, &x0, &y0, &x1, &y1))
            continue;
          a = sl_timeline_painter_get_column_title (painter, column_at (painter, x0));
          b = sl_timeline_painter_get_column_title (painter, column_at (painter, x1));
          g_test_message ("%s packet %u: %s (%.0f) -> %s (%.0f)", scenario, i, a, x0, b, x1);
          g_assert_true (g_str_has_prefix (a, "handler ") || g_str_has_prefix (b, "handler "));
          n_data++;
        }
      g_assert_cmpuint (n_data, >=, 4);
    }
  save_screenshot (window, scenario);
  gtk_window_destroy (GTK_WINDOW (window));
  spin (50);
}

static void
test_socketserver_handlers (void)
{
  check_handlers ("socketserver-tcp");
  check_handlers ("socketserver-forking");
}

/* The header names each socketserver scenario apart */
static void
test_headings_distinct (void)
{
  SlWindow *window = new_window ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n = 0;
  const NcScenario *const *list = nc_scenario_list (&n);

  for (guint i = 0; i < n; i++)
    {
      g_assert_true (sl_window_set_scenario (window, list[i]->name));
      g_assert_false (g_hash_table_contains (seen, sl_window_get_heading (window)));
      g_hash_table_add (seen, g_strdup (sl_window_get_heading (window)));
    }
  gtk_window_destroy (GTK_WINDOW (window));
  spin (50);
}

/* One Step, Space or Run too many on a finished run keeps it on screen */
static void
test_finished_run_stays (void)
{
  SlWindow *window = new_window ();
  SlLiveRun *live;
  CapRecording *recording;
  guint n_calls;

  run_to_end (window, "tcp-echo");
  /* held, so a new run cannot be given the finished one's address */
  live = g_object_ref (sl_window_get_live_run (window));
  recording = shown_recording (window);
  n_calls = cap_recording_get_n_calls (recording);

  /* The actions act at once: a new run would be there on return */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (sl_window_get_live_run (window) == live);
  g_assert_true (shown_recording (window) == recording);
  g_assert_cmpuint (sl_live_run_get_state (live), ==, SL_LIVE_RUN_FINISHED);
  g_assert_cmpuint (cap_recording_get_n_calls (recording), ==, n_calls);

  /* Restart is the way to run it again */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.restart", NULL));
  g_assert_true (sl_window_get_live_run (window) != live);
  g_object_unref (live);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL));
  g_assert_true (wait_for (run_finished, window, 10000));
  gtk_window_destroy (GTK_WINDOW (window));
  spin (50);
}

/* Another scenario chosen: its code and text, not the old run under its title */
static void
test_new_choice_clears (void)
{
  SlWindow *window = new_window ();
  SlCodeView *code = SL_CODE_VIEW (find_widget (GTK_WIDGET (window), SL_TYPE_CODE_VIEW));
  CapRecording *recording;

  run_to_end (window, "tcp-echo");
  g_assert_true (sl_code_view_get_scenario (code) == nc_scenario_lookup ("tcp-echo"));

  g_assert_true (sl_window_set_scenario (window, "udp-echo"));
  recording = shown_recording (window);
  g_assert_null (sl_window_get_live_run (window));
  g_assert_cmpuint (cap_recording_get_n_calls (recording), ==, 0);
  g_assert_cmpuint (cap_recording_get_n_packets (recording), ==, 0);
  g_assert_cmpstr (cap_recording_get_scenario (recording), ==, "udp-echo");
  g_assert_true (sl_code_view_get_scenario (code) == nc_scenario_lookup ("udp-echo"));
  g_assert_cmpstr (sl_window_get_heading (window), ==, "UDP echo");

  /* ... and Step runs the new one */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_nonnull (sl_window_get_live_run (window));
  g_assert_true (sl_live_run_get_scenario (sl_window_get_live_run (window)) ==
                 nc_scenario_lookup ("udp-echo"));
  g_assert_true (wait_for (run_finished, window, 20000));
  gtk_window_destroy (GTK_WINDOW (window));
  spin (50);
}

/* A classic pcap of one TCP SYN, written here byte by byte: no calls, no scenario */
static char *
write_foreign_pcap (void)
{
  static const guint8 header[24] = {
    0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
  };
  static const guint8 record[16] = { 1, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 54, 0, 0, 0 };
  static const guint8 frame[54] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00,                 /* Ethernet */
    0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1, /* IPv4 */
    0x9c, 0x40, 0x1f, 0x90, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0, /* SYN */
  };
  g_autoptr(GByteArray) bytes = g_byte_array_new ();
  char *path = g_build_filename (tmp_dir, "homework.pcap", NULL);

  g_byte_array_append (bytes, header, sizeof header);
  g_byte_array_append (bytes, record, sizeof record);
  g_byte_array_append (bytes, frame, sizeof frame);
  g_assert_true (g_file_set_contents (path, (const char *) bytes->data, bytes->len, NULL));
  return path;
}

/* A capture that is no scenario's: the header names the file; Run and
 * Step do not pretend to apply to it */
static void
test_foreign_capture (void)
{
  SlWindow *window = new_window ();
  g_autofree char *path = write_foreign_pcap ();
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_assert_true (sl_window_set_scenario (window, "tcp-echo"));
  sl_window_open_file (window, file);
  g_assert_true (wait_for (not_loading, window, 10000));
  g_assert_cmpuint (cap_recording_get_n_packets (shown_recording (window)), ==, 1);
  g_assert_cmpstr (sl_window_get_heading (window), ==, "homework.pcap");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL) ||
                 TRUE);  /* disabled: may report it was not activated */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.restart", NULL);
  g_assert_null (sl_window_get_live_run (window));
  g_assert_cmpuint (cap_recording_get_n_packets (shown_recording (window)), ==, 1);

  /* Choosing a scenario makes Run and Step its own again */
  g_assert_true (sl_window_set_scenario (window, "tcp-echo"));
  g_assert_cmpstr (sl_window_get_heading (window), ==, "TCP echo");
  gtk_window_destroy (GTK_WINDOW (window));
  spin (50);
}

typedef struct
{
  SlWindow *window;
  guint     n_calls;
} NewCall;

static gboolean
client_waiting (gpointer data)
{
  SlLiveRun *live = sl_window_get_live_run (data);
  g_autofree char *waiting = live ? sl_live_run_describe_waiting (live) : NULL;

  return waiting != NULL && strstr (waiting, "client ") != NULL;
}

static gboolean
call_added (gpointer data)
{
  NewCall *w = data;

  return cap_recording_get_n_calls (shown_recording (w->window)) > w->n_calls;
}

/* Key 1 steps the first column as drawn: in tcp-echo the client (actor 1) */
static void
test_digits_follow_columns (void)
{
  SlWindow *window = new_window ();
  SlTimelinePainter *painter;
  CapRecording *recording;
  NewCall w = { .window = window };
  StepWait sw = { .window = window };
  const NcCall *call;
  guint first_actor;

  g_assert_true (sl_window_set_scenario (window, "tcp-echo"));
  step (window, &sw);
  for (guint i = 0; i < 12 && !client_waiting (window); i++)
    {
      g_assert_true (wait_for (something_waiting, window, 10000));
      if (!client_waiting (window))
        step (window, &sw);
    }
  g_assert_true (wait_for (client_waiting, window, 10000));
  (void) timeline_stats (window);
  painter = window_painter (window);
  recording = shown_recording (window);
  g_assert_cmpstr (sl_timeline_painter_get_column_title (painter, 0), ==, "client");
  first_actor = sl_timeline_painter_get_column_actor (painter, 0);
  g_assert_cmpstr (cap_recording_get_actor (recording, first_actor)->name, ==, "client");
  g_assert_cmpuint (first_actor, !=, 0);  /* the case the digits got wrong */

  w.n_calls = cap_recording_get_n_calls (recording);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.step-actor", "u", 0));
  g_assert_true (wait_for (call_added, &w, 10000));
  call = cap_recording_get_call (recording, w.n_calls);
  g_assert_cmpuint (call->actor, ==, first_actor);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL));
  g_assert_true (wait_for (run_finished, window, 5000));
  gtk_window_destroy (GTK_WINDOW (window));
  spin (50);
}

typedef struct
{
  GListModel *model;
  guint       n;
} ModelSize;

static gboolean
model_has_n (gpointer data)
{
  ModelSize *m = data;

  return g_list_model_get_n_items (m->model) == m->n;
}

/* Every scenario, in the lecture's order under its section's heading;
 * typing narrows it; a click chooses */
static void
test_scenario_picker (void)
{
  SlWindow *window = new_window ();
  SlScenarioPicker *picker =
    SL_SCENARIO_PICKER (find_widget (GTK_WIDGET (window), SL_TYPE_SCENARIO_PICKER));
  GtkEditable *search;
  GListModel *model;
  guint n = 0, next = 0, n_headings = 0, n_examples = 0, n_listed_examples = 0;
  const NcScenario *const *list = nc_scenario_list (&n);
  const char *section = NULL;
  ModelSize size;
  g_autoptr(SlScenarioItem) match = NULL;

  g_assert_nonnull (picker);
  g_assert_nonnull (find_widget (GTK_WIDGET (picker), GTK_TYPE_LIST_VIEW));
  model = sl_scenario_picker_get_model (picker);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(SlScenarioItem) item = g_list_model_get_item (model, i);
      const NcScenario *scenario = sl_scenario_item_get_scenario (item);

      /* After every scenario: the lecture's Python examples, under their heading */
      if (next == n)
        {
          if (sl_scenario_item_get_example (item) != NULL)
            n_listed_examples++;
          else
            g_assert_cmpstr (sl_scenario_item_get_heading (item), ==, "Lecture examples (Python)");
          continue;
        }
      if (scenario == NULL)
        {
          /* A heading: the section of the scenarios after it */
          g_assert_cmpuint (next, <, n);
          section = sl_scenario_item_get_heading (item);
          g_assert_cmpstr (section, ==, nc_scenario_get_section (list[next]));
          n_headings++;
          continue;
        }
      g_assert_true (scenario == list[next++]);
      g_assert_cmpstr (nc_scenario_get_section (scenario), ==, section);
    }
  g_assert_cmpuint (next, ==, n);
  g_assert_cmpuint (n_headings, >=, 4);
  nc_example_list (&n_examples);
  g_assert_cmpuint (n_listed_examples, ==, n_examples);

  search = GTK_EDITABLE (find_widget (GTK_WIDGET (picker), GTK_TYPE_SEARCH_ENTRY));
  gtk_editable_set_text (search, "fork");
  size = (ModelSize) { model, 1 };
  g_assert_true (wait_for (model_has_n, &size, 5000));
  match = g_list_model_get_item (model, 0);
  g_assert_cmpstr (sl_scenario_item_get_scenario (match)->name, ==, "socketserver-forking");

  /* As a teacher sees it: the popover open, the whole list */
  gtk_editable_set_text (search, "");
  size = (ModelSize) { model, n + n_headings + 1 + n_examples };
  g_assert_true (wait_for (model_has_n, &size, 5000));
  {
    GtkWidget *button = gtk_widget_get_ancestor (GTK_WIDGET (picker), GTK_TYPE_MENU_BUTTON);
    g_assert_nonnull (button);
    gtk_menu_button_popup (GTK_MENU_BUTTON (button));
    spin (100);
    save_widget_screenshot (gtk_widget_get_ancestor (GTK_WIDGET (picker), GTK_TYPE_POPOVER),
                            "scenario-picker");
    gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
  }
  gtk_editable_set_text (search, "fork");
  size = (ModelSize) { model, 1 };
  g_assert_true (wait_for (model_has_n, &size, 5000));

  /* Enter takes the match, as a click on it would */
  g_signal_emit_by_name (search, "activate");
  g_assert_true (sl_window_get_scenario (window) == nc_scenario_lookup ("socketserver-forking"));
  g_assert_true (sl_scenario_item_get_chosen (match));
  gtk_window_destroy (GTK_WINDOW (window));
  spin (50);
}

/* The message typed in the window is what the client sends and what the
 * class sees in the packet's bytes; it is kept for that scenario only */
static void
test_parameters (void)
{
  static const char message[] = "bonjour la classe";
  SlWindow *window = new_window ();
  CapRecording *recording;
  gboolean sent = FALSE, on_wire = FALSE;

  g_assert_true (sl_window_set_scenario (window, "tcp-echo"));
  sl_window_set_parameters (window, 0, message, 1);
  run_to_end (window, "tcp-echo");
  recording = shown_recording (window);
  for (guint i = 0; i < cap_recording_get_n_calls (recording); i++)
    {
      const NcCall *call = cap_recording_get_call (recording, i);
      if (call->kind == NC_CALL_SEND && call->data_len == strlen (message) &&
          memcmp (call->data, message, call->data_len) == 0)
        sent = TRUE;
    }
  g_assert_true (sent);
  if (capture_expected (sl_window_get_live_run (window)))
    {
      for (guint i = 0; i < cap_recording_get_n_packets (recording); i++)
        {
          const CapPacket *pkt = cap_recording_get_packet (recording, i);
          guint32 caplen = 0;
          const guint8 *data = cap_recording_get_packet_data (recording, i, &caplen);

          if (pkt->payload_len == strlen (message) &&
              pkt->payload_offset + pkt->payload_len <= caplen &&
              memcmp (data + pkt->payload_offset, message, pkt->payload_len) == 0)
            on_wire = TRUE;
        }
      g_assert_true (on_wire);
    }
  gtk_window_destroy (GTK_WINDOW (window));
  spin (50);

  /* Remembered: a new window shows it for tcp-echo, not for udp-echo */
  window = new_window ();
  g_assert_true (sl_window_set_scenario (window, "tcp-echo"));
  g_assert_cmpstr (sl_window_get_parameters (window)->message, ==, message);
  g_assert_true (sl_window_set_scenario (window, "udp-echo"));
  g_assert_cmpstr (sl_window_get_parameters (window)->message, ==, "hello");
  gtk_window_destroy (GTK_WINDOW (window));
  spin (50);
}

static void
collect_shortcuts (GtkWidget  *widget,
                   GPtrArray  *accels,
                   GPtrArray  *actions)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      g_autofree char *accel = NULL;
      g_autofree char *action = NULL;

      g_object_get (widget, "accelerator", &accel, "action-name", &action, NULL);
      if (accel != NULL)
        g_ptr_array_add (accels, g_steal_pointer (&accel));
      if (action != NULL)
        g_ptr_array_add (actions, g_steal_pointer (&action));
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_shortcuts (child, accels, actions);
}

static gboolean
str_in (GPtrArray  *array,
        const char *s)
{
  for (guint i = 0; i < array->len; i++)
    if (g_str_equal (g_ptr_array_index (array, i), s))
      return TRUE;
  return FALSE;
}

static gboolean
press (SlWindow *window,
       guint     keyval)
{
  SlTimelineView *view = window_timeline (window);
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (view));
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);
      if (GTK_IS_EVENT_CONTROLLER_KEY (c))
        g_signal_emit_by_name (c, "key-pressed", keyval, 0, 0, &handled);
    }
  return handled;
}

/* The shortcuts window lists every key: the application's accelerators and
 * the timeline's own keys; and the timeline's keys reach it without a click */
static void
test_shortcuts (void)
{
  g_autoptr(GtkBuilder) builder =
    gtk_builder_new_from_resource ("/org/socklens/Socklens/gtk/help-overlay.ui");
  GtkWidget *overlay = GTK_WIDGET (gtk_builder_get_object (builder, "help_overlay"));
  g_autoptr(GPtrArray) accels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) actions = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) described = gtk_application_list_action_descriptions (GTK_APPLICATION (app));
  guint n_keys = 0;
  const SlTimelineKey *keys = sl_timeline_view_get_keys (&n_keys);
  SlWindow *window;
  SlSession *session;
  gint64 start;

  collect_shortcuts (overlay, accels, actions);
  for (guint i = 0; described[i] != NULL; i++)
    {
      g_test_message ("app accel for %s", described[i]);
      if (g_str_has_prefix (described[i], "win.step-actor"))
        g_assert_true (str_in (accels, "1...9"));
      else
        g_assert_true (str_in (actions, described[i]));
    }
  for (guint i = 0; i < n_keys; i++)
    {
      g_test_message ("timeline key %s", keys[i].accels);
      g_assert_true (str_in (accels, keys[i].accels));
    }
  gtk_window_destroy (GTK_WINDOW (overlay));

  /* A text field has a key before the application's one-key accelerators
   * (Space would step the run while a teacher types a message): the
   * window's capture-phase key controller comes first in its list */
  window = new_window ();
  {
    g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
    guint mine = G_MAXUINT, theirs = G_MAXUINT;

    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);
        if (mine == G_MAXUINT && GTK_IS_EVENT_CONTROLLER_KEY (c) &&
            gtk_event_controller_get_propagation_phase (c) == GTK_PHASE_CAPTURE)
          mine = i;
        if (g_strcmp0 (gtk_event_controller_get_name (c), "gtk-application-shortcuts") == 0)
          theirs = i;
      }
    g_assert_cmpuint (theirs, !=, G_MAXUINT);
    g_assert_cmpuint (mine, <, theirs);
  }
  gtk_window_destroy (GTK_WINDOW (window));

  /* After a run the timeline has the focus: Home, then "." moves the playhead on */
  window = new_window ();
  run_to_end (window, "tcp-echo");
  spin (50);
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (window)) == GTK_WIDGET (window_timeline (window)));
  session = sl_window_get_session (window);
  g_assert_true (press (window, GDK_KEY_Home));
  start = sl_session_get_playhead (session);
  g_assert_true (press (window, GDK_KEY_period));
  g_assert_cmpint (sl_session_get_playhead (session), >, start);
  gtk_window_destroy (GTK_WINDOW (window));
  spin (50);
}

/* The packet's fields as a tree (GtkTreeListModel + GtkTreeExpander): the
 * IP layer starts folded and opening it shows its fields; selecting a port
 * opens the layers above it */
static void
test_field_tree (void)
{
  SlWindow *window = new_window ();
  SlPacketInspector *inspector;
  GtkListView *list;
  GtkSelectionModel *selection;
  GtkTreeListModel *tree;
  guint n_before, ip_row = G_MAXUINT;
  g_autoptr(GtkTreeListRow) row = NULL;

  run_to_end (window, "tcp-echo");
  if (!capture_expected (sl_window_get_live_run (window)))
    {
      gtk_window_destroy (GTK_WINDOW (window));
      g_test_skip ("no capture here");
      return;
    }
  select_synack (window);

  inspector = SL_PACKET_INSPECTOR (find_widget (GTK_WIDGET (window), SL_TYPE_PACKET_INSPECTOR));
  list = GTK_LIST_VIEW (find_widget (GTK_WIDGET (inspector), GTK_TYPE_LIST_VIEW));
  g_assert_nonnull (list);
  selection = gtk_list_view_get_model (list);
  g_assert_true (GTK_IS_SINGLE_SELECTION (selection));
  tree = GTK_TREE_LIST_MODEL (gtk_single_selection_get_model (GTK_SINGLE_SELECTION (selection)));
  g_assert_true (GTK_IS_TREE_LIST_MODEL (tree));

  n_before = g_list_model_get_n_items (G_LIST_MODEL (tree));
  for (guint i = 0; i < n_before && ip_row == G_MAXUINT; i++)
    {
      g_autoptr(GtkTreeListRow) r = gtk_tree_list_model_get_row (tree, i);
      g_autoptr(SlFieldItem) item = gtk_tree_list_row_get_item (r);
      if (sl_field_item_get_layer (item) == CAP_LAYER_NETWORK && sl_field_item_get_depth (item) == 0)
        ip_row = i;
    }
  g_assert_cmpuint (ip_row, !=, G_MAXUINT);
  row = gtk_tree_list_model_get_row (tree, ip_row);
  g_assert_true (gtk_tree_list_row_is_expandable (row));
  g_assert_false (gtk_tree_list_row_get_expanded (row));
  gtk_tree_list_row_set_expanded (row, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tree)), >, n_before + 5);
  gtk_tree_list_row_set_expanded (row, FALSE);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (tree)), ==, n_before);

  g_assert_true (sl_packet_inspector_select_field (inspector, "Source port"));
  {
    g_autoptr(SlFieldItem) item =
      g_list_model_get_item (G_LIST_MODEL (tree),
                             gtk_single_selection_get_selected (GTK_SINGLE_SELECTION (selection)));
    /* the tree list model's items are rows; the row's item is the field */
    g_autoptr(SlFieldItem) field = gtk_tree_list_row_get_item (GTK_TREE_LIST_ROW (item));
    g_assert_cmpstr (sl_field_item_get_name (field), ==, "Source port");
  }
  g_assert_nonnull (sl_packet_inspector_get_byte_order_text (inspector));
  gtk_window_destroy (GTK_WINDOW (window));
  spin (50);
}

/* ---- traced programs ---------------------------------------------------- */


/* The first returned call of @kind made from @path, at the line holding @needle */
static const NcCall *
assert_traced_call (CapRecording *recording,
                    NcCallKind    kind,
                    const char   *path,
                    const char   *needle)
{
  guint line = sl_test_line_of (path, needle);

  for (guint i = 0; i < cap_recording_get_n_calls (recording); i++)
    {
      const NcCall *call = cap_recording_get_call (recording, i);
      if (call->kind == kind && call->ts_end != 0 && g_strcmp0 (call->file, path) == 0 &&
          call->line == line)
        return call;
    }
  g_error ("no %s() from %s:%u", nc_call_kind_name (kind), path, line);
  return NULL;
}

static guint
call_index (CapRecording *recording,
            const NcCall *call)
{
  for (guint i = 0; i < cap_recording_get_n_calls (recording); i++)
    if (cap_recording_get_call (recording, i) == call)
      return i;
  g_assert_not_reached ();
}

/* Once @w->n_steps calls have returned */
static gboolean
steps_returned (gpointer data)
{
  StepWait *w = data;

  return count_returned (shown_recording (w->window)) >= w->n_steps;
}

/* The lecture's TCP example chosen in the picker, stepped, then run: every
 * call with its own file:line, the handshake, the code pane on the file of
 * the call chosen. */
static void
test_trace_example (void)
{
  SlWindow *window = new_window ();
  StepWait w = { .window = window };
  SlLiveRun *live;
  CapRecording *recording;
  const char *server, *client;
  const NcCall *connect;
  SlCodeView *code = SL_CODE_VIEW (find_widget (GTK_WIDGET (window), SL_TYPE_CODE_VIEW));
  GListModel *model = sl_scenario_picker_get_model (
    SL_SCENARIO_PICKER (find_widget (GTK_WIDGET (window), SL_TYPE_SCENARIO_PICKER)));
  gboolean listed = FALSE, heading = FALSE;

  /* The picker lists the examples under their own heading, after the scenarios */
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(SlScenarioItem) item = g_list_model_get_item (model, i);
      heading |= g_strcmp0 (sl_scenario_item_get_heading (item), "Lecture examples (Python)") == 0;
      if (sl_scenario_item_get_example (item) != NULL)
        {
          g_assert_true (heading);
          listed |= g_str_equal (sl_scenario_item_get_example (item)->name, "tcp");
        }
      else
        g_assert_true (!heading || sl_scenario_item_get_scenario (item) == NULL);
    }
  g_assert_true (listed);

  g_assert_true (sl_window_set_example (window, "tcp"));
  server = sl_window_get_programs (window)[0];
  client = sl_window_get_programs (window)[1];
  g_assert_true (g_str_has_suffix (server, "tcp_server.py"));
  g_assert_true (g_str_has_suffix (client, "tcp_client.py"));
  g_assert_true (g_str_has_prefix (nc_example_lookup ("tcp")->title, sl_window_get_heading (window)));
  g_assert_cmpstr (sl_window_get_heading (window), ==, "TCP server and client");
  /* Before the run, the code pane reads the server's file */
  g_assert_cmpstr (sl_code_view_get_file (code), ==, server);

  /* One Step: the server's socket() and nothing more. A traced call is on
   * the timeline from its entry: the next one shows, unreturned, at the gate. */
  step (window, &w);
  g_assert_true (wait_for (steps_returned, &w, 20000));
  g_assert_true (wait_for (something_waiting, window, 20000));
  live = sl_window_get_live_run (window);
  recording = shown_recording (window);
  g_assert_nonnull (sl_live_run_get_programs (live));
  g_assert_cmpuint (sl_live_run_get_n_steps (live), ==, 1);
  for (guint i = 0; i < cap_recording_get_n_calls (recording); i++)
    g_test_message ("after step 1, call %u: %s line %u%s", i,
                    nc_call_kind_name (cap_recording_get_call (recording, i)->kind),
                    cap_recording_get_call (recording, i)->line,
                    cap_recording_get_call (recording, i)->ts_end ? "" : " (waiting)");
  g_assert_cmpuint (count_returned (recording), ==, 1);
  assert_traced_call (recording, NC_CALL_SOCKET, server, "s = socket.socket");
  step (window, &w);
  g_assert_true (wait_for (steps_returned, &w, 20000));
  g_assert_true (wait_for (something_waiting, window, 20000));
  g_assert_cmpuint (sl_live_run_get_n_steps (live), ==, 2);
  g_assert_cmpuint (count_returned (recording), ==, 2);
  g_assert_cmpuint (cap_recording_get_n_packets (recording), ==, 0);

  /* Run lets the rest through */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (wait_for (run_finished, window, 60000));
  g_assert_null (sl_live_run_get_error (live));
  g_test_message ("message bar: %s", sl_window_get_message (window));
  /* Nothing failed: the bar says at most that packets are not captured */
  if (sl_window_get_message (window) != NULL)
    g_assert_cmpstr (sl_window_get_message (window), ==, sl_live_run_get_capture_problem (live));
  assert_traced_call (recording, NC_CALL_BIND, server, "s.bind");
  assert_traced_call (recording, NC_CALL_LISTEN, server, "s.listen");
  assert_traced_call (recording, NC_CALL_ACCEPT4, server, "s.accept");
  assert_traced_call (recording, NC_CALL_RECV, server, "conn.recv");
  assert_traced_call (recording, NC_CALL_SEND, server, "conn.send");
  assert_traced_call (recording, NC_CALL_CLOSE, server, "conn.close");
  connect = assert_traced_call (recording, NC_CALL_CONNECT, client, "s.connect");
  g_assert_cmpint (connect->result, ==, 0);
  if (capture_expected (live))
    g_assert_true (handshake_captured (window));

  /* The code pane follows the chosen call: the client's file, its line lit */
  sl_session_select (sl_window_get_session (window), SL_SELECTION_CALL,
                     call_index (recording, connect));
  spin (50);
  g_assert_cmpstr (sl_code_view_get_file (code), ==, client);
  g_assert_cmpuint (sl_code_view_get_current_line (code), ==, sl_test_line_of (client, "s.connect"));
  save_screenshot (window, "trace-example");

  /* Back to a scenario: the programs give way */
  g_assert_true (sl_window_set_scenario (window, "tcp-echo"));
  g_assert_null (sl_window_get_programs (window));
  g_assert_null (sl_code_view_get_file (code));
  gtk_window_destroy (GTK_WINDOW (window));
  spin (50);
}

/* A program that fails: the message bar says what, the rest is kept */
static void
test_trace_failure (void)
{
  SlWindow *window = new_window ();
  g_autofree char *broken = g_test_build_filename (G_TEST_DIST, "trace", "syntax_error.py", NULL);
  g_autofree char *missing = g_build_filename (tmp_dir, "no-such-program.py", NULL);
  const char *programs[] = { broken, NULL };
  const char *nothing[] = { missing, NULL };

  sl_window_set_programs (window, programs);
  g_assert_cmpstr (sl_window_get_heading (window), ==, "syntax_error.py");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (wait_for (run_finished, window, 30000));
  g_assert_nonnull (sl_window_get_message (window));
  g_assert_nonnull (strstr (sl_window_get_message (window), "syntax_error.py exited with status 1"));
  g_assert_nonnull (strstr (sl_window_get_message (window), "SyntaxError"));

  sl_window_set_programs (window, nothing);
  g_assert_null (sl_window_get_message (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (wait_for (run_finished, window, 30000));
  g_assert_nonnull (sl_window_get_message (window));
  g_assert_nonnull (strstr (sl_window_get_message (window), "no-such-program.py"));
  gtk_window_destroy (GTK_WINDOW (window));
  spin (50);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  tmp_dir = g_dir_make_tmp ("socklens-test-window-XXXXXX", NULL);
  g_setenv ("HOME", tmp_dir, TRUE);
  g_setenv ("XDG_CACHE_HOME", tmp_dir, TRUE);
  g_setenv ("XDG_CONFIG_HOME", tmp_dir, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);

  g_test_init (&argc, &argv, NULL);

  /* Not gtk_test_init (): with no session bus here its fatal warnings abort. */
  if (!gtk_init_check ())
    g_error ("no display: run under xvfb-run -a (meson test does)");
  adw_init ();

  app = sl_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));

  g_test_add_func ("/window/accels", test_accels);
  g_test_add_func ("/window/step-live", test_step_live);
  g_test_add_func ("/window/open-files", test_open_files);
  g_test_add_func ("/window/export-diagram", test_export_diagram);
  g_test_add_func ("/window/presentation", test_presentation);
  g_test_add_func ("/window/socketserver-handlers", test_socketserver_handlers);
  g_test_add_func ("/window/headings-distinct", test_headings_distinct);
  g_test_add_func ("/window/finished-run-stays", test_finished_run_stays);
  g_test_add_func ("/window/new-choice-clears", test_new_choice_clears);
  g_test_add_func ("/window/foreign-capture", test_foreign_capture);
  g_test_add_func ("/window/digits-follow-columns", test_digits_follow_columns);
  g_test_add_func ("/window/scenario-picker", test_scenario_picker);
  g_test_add_func ("/window/parameters", test_parameters);
  g_test_add_func ("/window/shortcuts", test_shortcuts);
  g_test_add_func ("/window/field-tree", test_field_tree);
  g_test_add_func ("/window/trace-example", test_trace_example);
  g_test_add_func ("/window/trace-failure", test_trace_failure);
  ret = g_test_run ();

  g_clear_object (&app);
  return ret;
}
