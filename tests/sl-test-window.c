/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-test-window.c: what the window's tests share (see sl-test-window.h). */

#include "config.h"

#include "sl-test-window.h"
#include "sl-test-lsan.h"

#include <unistd.h>

static SlApplication *app;
static char *tmp_dir;

void
sl_test_window_init (int    *argc,
                     char ***argv)
{
  /* A g_test_trap_subprocess () child shares its parent's directory (and so
   * its cache, where a run it leaves behind is found) */
  tmp_dir = g_getenv ("SL_TEST_WINDOW_DIR") ? g_strdup (g_getenv ("SL_TEST_WINDOW_DIR"))
                                            : g_dir_make_tmp ("socklens-test-window-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  g_setenv ("SL_TEST_WINDOW_DIR", tmp_dir, TRUE);
  g_setenv ("HOME", tmp_dir, TRUE);
  g_setenv ("XDG_CACHE_HOME", tmp_dir, TRUE);
  g_setenv ("XDG_CONFIG_HOME", tmp_dir, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);

  g_test_init (argc, argv, NULL);
  /* GTK's file chooser takes a test past 2048 quarks */
  sl_test_lsan_ignore_glib_quarks ();

  /* Not gtk_test_init (): with no session bus here its fatal warnings abort. */
  if (!gtk_init_check ())
    g_error ("no display: run under xvfb-run -a (meson test does)");
  adw_init ();

  app = sl_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
}

int
sl_test_window_run (void)
{
  int ret = g_test_run ();

  g_clear_object (&app);
  return ret;
}

SlApplication *
sl_test_app (void)
{
  return app;
}

const char *
sl_test_tmp_dir (void)
{
  return tmp_dir;
}

gboolean
sl_test_wait_for (SlTestCondition cond,
                  gpointer        data,
                  guint           timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      /* An animation (a pulsing progress bar) always has a frame to
       * dispatch: look at the condition between iterations, not after the
       * main loop runs dry */
      for (guint i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
        ;
      g_usleep (2000);
    }
  return TRUE;
}

void
sl_test_spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < until)
    {
      for (guint i = 0; i < 100 && g_main_context_iteration (NULL, FALSE); i++)
        ;
      g_usleep (2000);
    }
}

GtkWidget *
sl_test_find_widget (GtkWidget *root,
                     GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = sl_test_find_widget (child, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

void
sl_test_save_widget_screenshot (GtkWidget  *widget,
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
  sl_test_spin (300);  /* let it lay out and draw the new state */
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

void
sl_test_save_screenshot (SlWindow   *window,
                         const char *name)
{
  sl_test_save_widget_screenshot (GTK_WIDGET (window), name);
}

SlWindow *
sl_test_new_window (void)
{
  SlWindow *window = sl_window_new (GTK_APPLICATION (app));

  gtk_window_present (GTK_WINDOW (window));
  sl_test_spin (50);
  return window;
}

SlTimelineView *
sl_test_window_timeline (SlWindow *window)
{
  return SL_TIMELINE_VIEW (sl_test_find_widget (GTK_WIDGET (window), SL_TYPE_TIMELINE_VIEW));
}

SlTimelinePainter *
sl_test_window_painter (SlWindow *window)
{
  return sl_timeline_view_get_painter (sl_test_window_timeline (window));
}

SlTimelineStats
sl_test_timeline_stats (SlWindow *window)
{
  SlTimelineView *view = sl_test_window_timeline (window);
  SlTimelineStats stats = { 0 };

  g_assert_nonnull (view);
  gtk_widget_queue_draw (GTK_WIDGET (view));
  sl_test_spin (200);
  sl_timeline_painter_get_stats (sl_timeline_view_get_painter (view), &stats);
  return stats;
}

CapRecording *
sl_test_shown_recording (SlWindow *window)
{
  return sl_session_get_recording (sl_window_get_session (window));
}

guint
sl_test_count_returned (CapRecording *recording)
{
  guint n = 0;

  for (guint i = 0; i < cap_recording_get_n_calls (recording); i++)
    if (cap_recording_get_call (recording, i)->ts_end != 0)
      n++;
  return n;
}

gboolean
sl_test_capture_expected (SlLiveRun *live)
{
  if (sl_live_run_get_capture_problem (live) == NULL)
    return TRUE;
  /* Root must capture: CI runs as root and must not skip. */
  g_assert_cmpint (getuid (), !=, 0);
  return FALSE;
}

gboolean
sl_test_not_loading (gpointer window)
{
  return !sl_window_is_loading (window);
}

gboolean
sl_test_run_finished (gpointer window)
{
  SlLiveRun *live = sl_window_get_live_run (window);

  return live != NULL && sl_live_run_get_state (live) == SL_LIVE_RUN_FINISHED;
}

gboolean
sl_test_something_waiting (gpointer window)
{
  SlLiveRun *live = sl_window_get_live_run (window);
  g_autofree char *waiting = live ? sl_live_run_describe_waiting (live) : NULL;

  return waiting != NULL;
}

gboolean
sl_test_handshake_captured (gpointer window)
{
  CapRecording *recording = sl_test_shown_recording (window);
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

/* A step is done when the gate released it and its call has reached the
 * recording the window shows (entered, and returned unless it blocks). */
static gboolean
step_done (gpointer data)
{
  SlTestStepWait *w = data;
  SlLiveRun *live = sl_window_get_live_run (w->window);
  CapRecording *recording = sl_test_shown_recording (w->window);

  return live != NULL && sl_live_run_get_n_pending (live) == 0 &&
         sl_live_run_get_n_steps (live) == w->n_steps &&
         cap_recording_get_n_calls (recording) >= w->n_steps;
}

void
sl_test_step (SlWindow       *window,
              SlTestStepWait *w)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL));
  w->n_steps++;
  g_assert_true (sl_test_wait_for (step_done, w, 10000));
}

void
sl_test_run_to_end (SlWindow   *window,
                    const char *scenario)
{
  g_assert_true (sl_window_set_scenario (window, scenario));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (sl_test_wait_for (sl_test_run_finished, window, 20000));
  g_assert_null (sl_live_run_get_error (sl_window_get_live_run (window)));
}

void
sl_test_select_synack (SlWindow *window)
{
  CapRecording *recording = sl_test_shown_recording (window);
  guint synack = G_MAXUINT;

  for (guint i = 0; i < cap_recording_get_n_packets (recording); i++)
    if (cap_recording_get_packet (recording, i)->tcp_flags == (CAP_TCP_SYN | CAP_TCP_ACK))
      synack = i;
  g_assert_cmpuint (synack, !=, G_MAXUINT);
  sl_session_select (sl_window_get_session (window), SL_SELECTION_PACKET, synack);
  sl_test_spin (50);
}

GtkWidget *
sl_test_find_button (GtkWidget  *root,
                     const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0 &&
      gtk_widget_is_drawable (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = sl_test_find_button (child, label);
      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWindow *
sl_test_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();  /* not ours */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

static gboolean
chooser_shown (gpointer data)
{
  return sl_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG) != NULL;
}

static gboolean
chooser_names (gpointer file)
{
  GtkWindow *dialog = sl_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG);
  g_autoptr (GFile) chosen = dialog ? gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog)) : NULL;

  return chosen != NULL && g_file_equal (chosen, file);
}

void
sl_test_answer_file_chooser (const char *path)
{
  GtkWindow *dialog;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (sl_test_wait_for (chooser_shown, NULL, 10000));
  dialog = sl_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG);
  /* A save is answered as a person types a whole path in the name entry.
   * Not by changing folder: GTK 4.8 loads the start folder asynchronously,
   * and a folder change meanwhile cancels that load, which it reports in
   * a dialog of its own ("The folder contents could not be displayed")
   * while the chooser stays open */
  if (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (dialog)) == GTK_FILE_CHOOSER_ACTION_SAVE)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), path);
  else
    g_assert_true (gtk_file_chooser_set_file (GTK_FILE_CHOOSER (dialog), file, &error));
  g_assert_no_error (error);
  g_assert_true (sl_test_wait_for (chooser_names, file, 10000));
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
}

guint
sl_test_tshark_count_frames (const char *path)
{
  const char *argv[] = { "tshark", "-r", path, "-T", "fields", "-e", "frame.number", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  guint n = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("tshark could not read %s: %s", path, err);
  for (const char *p = out; *p != '\0'; p++)
    if (*p == '\n')
      n++;
  return n;
}
