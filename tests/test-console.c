/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-console.c: the traced programs' consoles.
 *
 * A real python3 program run traced in the lab prints known lines on stdout
 * and stderr and exits with status 3: SlConsoleModel (headless) holds them
 * under that program with its exit; a saved and reopened recording holds
 * the same; the model stays within its limit for a program that prints a
 * lot, saying what it dropped; and in the window the console pane shows a
 * live run's lines, a traceback in full, and the exit.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include "cap-lab.h"
#include "nc-i18n.h"
#include "sl-application.h"
#include "sl-console-model.h"
#include "sl-console-pane.h"
#include "sl-test-window.h"
#include "sl-window.h"

static SlApplication *app;
static char *tmp_dir;

static char *
test_program (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "trace", name, NULL);
}

static CapRecording *
trace (const char *const *programs)
{
  g_autoptr(GError) error = NULL;
  CapRecording *recording = NULL;

  cap_lab_trace_sync (NULL, programs, 60, FALSE, &recording, NULL, &error);
  g_assert_nonnull (recording);
  g_assert_no_error (error);
  return recording;
}

static void
assert_prints_and_exits (SlConsoleModel *model)
{
  g_autofree char *text = NULL;
  CapConsoleStream stream;
  guint64 first, end;
  gboolean saw_stderr = FALSE;

  g_assert_cmpuint (sl_console_model_get_n_programs (model), ==, 1);
  g_assert_cmpstr (sl_console_model_get_name (model, 0), ==, "prints_and_exits.py");
  text = sl_console_model_dup_text (model, 0);
  /* in the order printed (stdout and stderr are separate pipes, so only
   * each stream's own order is certain) */
  g_assert_nonnull (strstr (text, "console test: first line on stdout\n"));
  g_assert_nonnull (strstr (text, "console test: bound to port True\n"));
  g_assert_true (strstr (text, "first line on stdout") < strstr (text, "bound to port True"));
  g_assert_nonnull (strstr (text, "console test: a warning on stderr\n"));
  g_assert_cmpstr (sl_console_model_get_exit (model, 0), ==,
                   "prints_and_exits.py exited with status 3.");
  g_assert_true (sl_console_model_get_needs_attention (model, 0));

  first = sl_console_model_get_first_line (model, 0);
  end = sl_console_model_get_end_line (model, 0);
  g_assert_cmpuint (first, ==, 0);
  g_assert_cmpuint (end, ==, 4);
  for (guint64 i = first; i < end; i++)
    {
      const char *line = sl_console_model_get_line (model, 0, i, &stream);

      if (strstr (line, "on stderr") != NULL)
        {
          g_assert_cmpint (stream, ==, CAP_CONSOLE_STDERR);
          saw_stderr = TRUE;
        }
      else if (strstr (line, "on stdout") != NULL || strstr (line, "bound") != NULL)
        g_assert_cmpint (stream, ==, CAP_CONSOLE_STDOUT);
      else
        g_assert_cmpint (stream, ==, CAP_CONSOLE_EXIT);
    }
  g_assert_true (saw_stderr);
  /* how it ended comes last */
  sl_console_model_get_line (model, 0, end - 1, &stream);
  g_assert_cmpint (stream, ==, CAP_CONSOLE_EXIT);
}

/* A real traced run: its lines, per program, with the exit; and the same
 * from the file it was saved to */
static void
test_model_traced (void)
{
  g_autofree char *program = test_program ("prints_and_exits.py");
  const char *programs[] = { program, NULL };
  g_autoptr(CapRecording) recording = trace (programs);
  g_autoptr(SlConsoleModel) model = sl_console_model_new (0);
  g_autoptr(SlConsoleModel) reopened_model = sl_console_model_new (0);
  g_autofree char *path = g_build_filename (tmp_dir, "console.pcapng", NULL);
  g_autoptr(CapRecording) reopened = NULL;
  g_autoptr(GError) error = NULL;

  sl_console_model_set_recording (model, recording);
  assert_prints_and_exits (model);

  g_assert_true (cap_recording_save (recording, path, &error));
  g_assert_no_error (error);
  reopened = cap_recording_new_from_file (path, &error);
  g_assert_no_error (error);
  sl_console_model_set_recording (reopened_model, reopened);
  assert_prints_and_exits (reopened_model);
}

/* Two programs: each line under its own program, a traceback whole */
static void
test_model_two_programs (void)
{
  g_autofree char *first = test_program ("prints_and_exits.py");
  g_autofree char *second = test_program ("traceback_client.py");
  const char *programs[] = { first, second, NULL };
  g_autoptr(CapRecording) recording = trace (programs);
  g_autoptr(SlConsoleModel) model = sl_console_model_new (0);
  g_autofree char *one = NULL;
  g_autofree char *two = NULL;

  sl_console_model_set_recording (model, recording);
  g_assert_cmpuint (sl_console_model_get_n_programs (model), ==, 2);
  g_assert_cmpstr (sl_console_model_get_name (model, 1), ==, "traceback_client.py");
  one = sl_console_model_dup_text (model, 0);
  two = sl_console_model_dup_text (model, 1);
  g_assert_null (strstr (one, "Traceback"));
  g_assert_null (strstr (two, "console test"));
  g_assert_nonnull (strstr (two, "connecting to 127.0.0.1 port 9, where nothing listens\n"));
  g_assert_nonnull (strstr (two, "Traceback (most recent call last):\n"));
  g_assert_nonnull (strstr (two, "traceback_client.py\", line 13, in <module>\n    talk()\n"));
  g_assert_nonnull (strstr (two, "traceback_client.py\", line 8, in talk\n"
                                 "    s.connect((\"127.0.0.1\", 9))\n"));
  g_assert_nonnull (strstr (two, "ConnectionRefusedError: [Errno 111] Connection refused\n"));
  g_assert_cmpstr (sl_console_model_get_exit (model, 1), ==,
                   "traceback_client.py exited with status 1.");
}

/* The lab says how a program ended in the language it ran in: a clean
 * exit in zh_TW is no reason to ask for attention, a failed one is. */
static void
test_model_exit_in_zh_tw (void)
{
  g_autoptr(CapRecording) recording = cap_recording_new ();
  g_autoptr(SlConsoleModel) model = sl_console_model_new (4096);
  NcActorInfo clean = { 0, 100, g_intern_static_string ("server.py"),
                        g_intern_static_string ("program"), NULL };
  NcActorInfo failed = { 1, 101, g_intern_static_string ("client.py"),
                         g_intern_static_string ("program"), NULL };

  g_setenv ("LC_ALL", "zh_TW.UTF-8", TRUE);
  nc_i18n_init ();
  cap_recording_add_actor (recording, &clean);
  cap_recording_add_actor (recording, &failed);
  cap_recording_add_console (recording, 1000, 0, CAP_CONSOLE_EXIT, "server.py 以狀態 0 結束。");
  cap_recording_add_console (recording, 2000, 1, CAP_CONSOLE_EXIT, "client.py 以狀態 10 結束。");
  sl_console_model_set_recording (model, recording);
  g_assert_cmpuint (sl_console_model_get_n_programs (model), ==, 2);
  g_assert_false (sl_console_model_get_needs_attention (model, 0));
  g_assert_true (sl_console_model_get_needs_attention (model, 1));

  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  setlocale (LC_ALL, "");
}

/* A program that prints a lot: the last lines kept, within the limit,
 * and what was dropped counted */
static void
test_model_bounded (void)
{
  g_autoptr(CapRecording) recording = cap_recording_new ();
  g_autoptr(SlConsoleModel) model = sl_console_model_new (4096);
  NcActorInfo actor = { 0, 4242, "loop.py", "program", NULL };
  g_autofree char *huge = g_strnfill (10000, 'x');
  gsize kept = 0;
  guint appended = 0;
  const char *last;

  cap_recording_add_actor (recording, &actor);
  sl_console_model_set_recording (model, recording);
  g_assert_cmpuint (sl_console_model_get_n_programs (model), ==, 1);
  g_signal_connect_swapped (model, "appended", G_CALLBACK (g_atomic_int_inc), &appended);
  for (guint i = 0; i < 10000; i++)
    {
      g_autofree char *text = g_strdup_printf ("line %u", i);
      cap_recording_add_console (recording, i, 0, CAP_CONSOLE_STDOUT, text);
      if (i % 1000 == 999)
        cap_recording_commit (recording);
    }
  cap_recording_add_console (recording, 10000, 0, CAP_CONSOLE_STDOUT, huge);
  cap_recording_commit (recording);
  g_assert_cmpuint (appended, ==, 11);

  for (guint64 i = sl_console_model_get_first_line (model, 0);
       i < sl_console_model_get_end_line (model, 0); i++)
    kept += strlen (sl_console_model_get_line (model, 0, i, NULL)) + 1;
  g_assert_cmpuint (kept, <=, 4096);
  g_assert_cmpuint (sl_console_model_get_end_line (model, 0), ==, 10001);
  g_assert_cmpuint (sl_console_model_get_first_line (model, 0), >, 9000);
  g_assert_cmpuint (sl_console_model_get_dropped_bytes (model, 0), >, 10000 * 6);
  /* the newest lines are the ones kept; the huge one keeps its start */
  last = sl_console_model_get_line (model, 0, 10000, NULL);
  g_assert_cmpuint (strlen (last), <=, 1024 + strlen ("…"));
  g_assert_true (g_str_has_suffix (last, "…"));
  g_assert_cmpstr (sl_console_model_get_line (model, 0, 9999, NULL), ==, "line 9999");
}

/* ---- the window ---------------------------------------------------------- */

/* The window runs two programs live: the console pane has a page each,
 * with their lines, the traceback and the exits, and is visible */
static void
test_window_pane (void)
{
  SlWindow *window = sl_window_new (GTK_APPLICATION (app));
  g_autofree char *first = test_program ("prints_and_exits.py");
  g_autofree char *second = test_program ("traceback_client.py");
  const char *programs[] = { first, second, NULL };
  SlConsolePane *pane;
  g_autofree char *one = NULL;
  g_autofree char *two = NULL;

  gtk_window_present (GTK_WINDOW (window));
  pane = SL_CONSOLE_PANE (sl_test_find_widget (GTK_WIDGET (window), SL_TYPE_CONSOLE_PANE));
  g_assert_nonnull (pane);
  sl_window_set_programs (window, programs);
  /* nothing run yet: no consoles */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (pane)));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (sl_test_wait_for (sl_test_run_finished, window, 60000));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (pane)));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (pane)));
  g_assert_cmpuint (sl_console_model_get_n_programs (sl_console_pane_get_model (pane)), ==, 2);

  one = sl_console_pane_dup_text (pane, 0);
  two = sl_console_pane_dup_text (pane, 1);
  g_assert_nonnull (strstr (one, "console test: first line on stdout\n"));
  g_assert_nonnull (strstr (one, "console test: a warning on stderr\n"));
  g_assert_true (g_str_has_suffix (one, "prints_and_exits.py exited with status 3.\n"));
  g_assert_null (strstr (one, "Traceback"));
  g_assert_nonnull (strstr (two, "Traceback (most recent call last):\n"));
  g_assert_nonnull (strstr (two, "    s.connect((\"127.0.0.1\", 9))\n"));
  g_assert_nonnull (strstr (two, "ConnectionRefusedError: [Errno 111] Connection refused\n"));
  g_assert_true (g_str_has_suffix (two, "traceback_client.py exited with status 1.\n"));

  /* a scenario has no programs: the pane goes */
  g_assert_true (sl_window_set_scenario (window, "tcp-echo"));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (pane)));
  gtk_window_destroy (GTK_WINDOW (window));
}

typedef struct
{
  SlWindow      *window;
  SlConsolePane *pane;
} Live;

static gboolean
pane_shows_waiting (gpointer data)
{
  Live *live = data;
  g_autofree char *text = NULL;

  if (sl_console_model_get_n_programs (sl_console_pane_get_model (live->pane)) < 1)
    return FALSE;
  text = sl_console_pane_dup_text (live->pane, 0);
  return strstr (text, "waiting for a client on port ") != NULL;
}

/* A line shows while its program still runs (in accept ()); Stop ends it,
 * and its console says how */
static void
test_window_live (void)
{
  SlWindow *window = sl_window_new (GTK_APPLICATION (app));
  g_autofree char *server = test_program ("prints_then_waits.py");
  const char *programs[] = { server, NULL };
  Live live = { window, NULL };
  g_autofree char *text = NULL;

  gtk_window_present (GTK_WINDOW (window));
  live.pane = SL_CONSOLE_PANE (sl_test_find_widget (GTK_WIDGET (window), SL_TYPE_CONSOLE_PANE));
  sl_window_set_programs (window, programs);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (sl_test_wait_for (pane_shows_waiting, &live, 60000));
  g_assert_cmpint (sl_live_run_get_state (sl_window_get_live_run (window)), ==,
                   SL_LIVE_RUN_RUNNING);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (live.pane)));
  g_assert_null (sl_console_model_get_exit (sl_console_pane_get_model (live.pane), 0));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL));
  g_assert_true (sl_test_wait_for (sl_test_run_finished, window, 60000));
  text = sl_console_pane_dup_text (live.pane, 0);
  g_assert_true (g_str_has_suffix (text, "prints_then_waits.py was still running at the end and "
                                         "was stopped: killed by signal 15 (Terminated).\n"));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Whether the console's last text line (how the program ended) is in view,
 * and whether its first line is scrolled out (the output overflowed) */
static gboolean
last_line_in_view (GtkTextView *view,
                   gboolean    *first_hidden)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GdkRectangle visible;
  GtkTextIter last;
  int y, height;

  gtk_text_view_get_visible_rect (view, &visible);
  gtk_text_buffer_get_end_iter (buffer, &last);
  gtk_text_iter_backward_line (&last);
  gtk_text_view_get_line_yrange (view, &last, &y, &height);
  if (first_hidden != NULL)
    *first_hidden = visible.y > 0;
  return visible.height > 0 && y >= visible.y && y + height <= visible.y + visible.height;
}

typedef struct
{
  SlConsolePane *pane;
  GtkTextView   *view;
} Ended;

/* The program has ended, its console shows how, and that line is in view */
static gboolean
ending_in_view (gpointer data)
{
  Ended *e = data;

  return sl_console_model_get_n_programs (sl_console_pane_get_model (e->pane)) == 1 &&
         sl_console_model_get_exit (sl_console_pane_get_model (e->pane), 0) != NULL &&
         last_line_in_view (e->view, NULL);
}

/* A traceback longer than the console: the console follows the output to
 * its end, so the student reads the error and how the program ended
 * without scrolling. */
static void
test_window_follows_traceback (void)
{
  SlWindow *window = sl_window_new (GTK_APPLICATION (app));
  g_autofree char *client = test_program ("traceback_client.py");
  const char *programs[] = { client, NULL };
  g_autofree char *text = NULL;
  gboolean first_hidden = FALSE;
  Ended e = { NULL, NULL };

  gtk_window_present (GTK_WINDOW (window));
  e.pane = SL_CONSOLE_PANE (sl_test_find_widget (GTK_WIDGET (window), SL_TYPE_CONSOLE_PANE));
  e.view = GTK_TEXT_VIEW (sl_test_find_widget (GTK_WIDGET (e.pane), GTK_TYPE_TEXT_VIEW));
  sl_window_set_programs (window, programs);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (sl_test_wait_for (sl_test_run_finished, window, 60000));
  e.view = GTK_TEXT_VIEW (sl_test_find_widget (GTK_WIDGET (e.pane), GTK_TYPE_TEXT_VIEW));
  g_assert_nonnull (e.view);
  text = sl_console_pane_dup_text (e.pane, 0);
  g_test_message ("console:\n%s", text);
  g_assert_nonnull (strstr (text, "ConnectionRefusedError: [Errno 111] Connection refused\n"));
  g_assert_true (sl_test_wait_for (ending_in_view, &e, 20000));
  g_assert_true (last_line_in_view (e.view, &first_hidden));
  /* the traceback did not fit: following it was needed */
  g_assert_true (first_hidden);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  int ret;

  tmp_dir = g_dir_make_tmp ("socklens-test-console-XXXXXX", NULL);
  g_setenv ("HOME", tmp_dir, TRUE);
  g_setenv ("XDG_CACHE_HOME", tmp_dir, TRUE);
  g_setenv ("XDG_CONFIG_HOME", tmp_dir, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/console/model/traced", test_model_traced);
  g_test_add_func ("/console/model/two-programs", test_model_two_programs);
  g_test_add_func ("/console/model/bounded", test_model_bounded);
  g_test_add_func ("/console/model/exit-in-zh_TW", test_model_exit_in_zh_tw);

  /* Not gtk_test_init (): with no session bus here its fatal warnings abort. */
  if (gtk_init_check ())
    {
      adw_init ();
      app = sl_application_new ();
      g_application_set_flags (G_APPLICATION (app),
                               G_APPLICATION_NON_UNIQUE | G_APPLICATION_HANDLES_OPEN);
      g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
      g_test_add_func ("/console/window/pane", test_window_pane);
      g_test_add_func ("/console/window/live", test_window_live);
      g_test_add_func ("/console/window/follows-traceback", test_window_follows_traceback);
    }
  else
    g_error ("no display: run under xvfb-run -a (meson test does)");

  ret = g_test_run ();
  g_clear_object (&app);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GFile) dir = g_file_new_for_path (tmp_dir);
    g_autoptr(GFileEnumerator) e = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                              G_FILE_QUERY_INFO_NONE, NULL, &error);
    for (GFileInfo *info; e && (info = g_file_enumerator_next_file (e, NULL, NULL)) != NULL;)
      {
        g_autofree char *p = g_build_filename (tmp_dir, g_file_info_get_name (info), NULL);
        g_remove (p);
        g_object_unref (info);
      }
  }
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
