/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-window-trace.c: students' own programs traced from the window: the
 * lecture's example stepped and run, a failing program.
 *
 * Under Xvfb, with real live runs through the socklens-lab helper
 * (sl-test-window.h has what the window's tests share).
 */

#include "config.h"

#include <string.h>

#include "sl-test-window.h"
#include "sl-code-view.h"
#include "sl-console-model.h"
#include "sl-console-pane.h"
#include "sl-scenario-item.h"
#include "sl-scenario-picker.h"

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
  SlTestStepWait *w = data;

  return sl_test_count_returned (sl_test_shown_recording (w->window)) >= w->n_steps;
}

/* The lecture's TCP example chosen in the picker, stepped, then run: every
 * call with its own file:line, the handshake, the code pane on the file of
 * the call chosen. */
static void
test_trace_example (void)
{
  SlWindow *window = sl_test_new_window ();
  SlTestStepWait w = { .window = window };
  SlLiveRun *live;
  CapRecording *recording;
  const char *server, *client;
  const NcCall *connect;
  SlCodeView *code = SL_CODE_VIEW (sl_test_find_widget (GTK_WIDGET (window), SL_TYPE_CODE_VIEW));
  GListModel *model = sl_scenario_picker_get_model (
    SL_SCENARIO_PICKER (sl_test_find_widget (GTK_WIDGET (window), SL_TYPE_SCENARIO_PICKER)));
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
  sl_test_step (window, &w);
  g_assert_true (sl_test_wait_for (steps_returned, &w, 20000));
  g_assert_true (sl_test_wait_for (sl_test_something_waiting, window, 20000));
  live = sl_window_get_live_run (window);
  recording = sl_test_shown_recording (window);
  g_assert_nonnull (sl_live_run_get_programs (live));
  g_assert_cmpuint (sl_live_run_get_n_steps (live), ==, 1);
  for (guint i = 0; i < cap_recording_get_n_calls (recording); i++)
    g_test_message ("after step 1, call %u: %s line %u%s", i,
                    nc_call_kind_name (cap_recording_get_call (recording, i)->kind),
                    cap_recording_get_call (recording, i)->line,
                    cap_recording_get_call (recording, i)->ts_end ? "" : " (waiting)");
  g_assert_cmpuint (sl_test_count_returned (recording), ==, 1);
  assert_traced_call (recording, NC_CALL_SOCKET, server, "s = socket.socket");
  sl_test_step (window, &w);
  g_assert_true (sl_test_wait_for (steps_returned, &w, 20000));
  g_assert_true (sl_test_wait_for (sl_test_something_waiting, window, 20000));
  g_assert_cmpuint (sl_live_run_get_n_steps (live), ==, 2);
  g_assert_cmpuint (sl_test_count_returned (recording), ==, 2);
  g_assert_cmpuint (cap_recording_get_n_packets (recording), ==, 0);

  /* Run lets the rest through */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (sl_test_wait_for (sl_test_run_finished, window, 60000));
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
  if (sl_test_capture_expected (live))
    g_assert_true (sl_test_handshake_captured (window));

  /* The code pane follows the chosen call: the client's file, its line lit */
  sl_session_select (sl_window_get_session (window), SL_SELECTION_CALL,
                     call_index (recording, connect));
  sl_test_spin (50);
  g_assert_cmpstr (sl_code_view_get_file (code), ==, client);
  g_assert_cmpuint (sl_code_view_get_current_line (code), ==, sl_test_line_of (client, "s.connect"));
  sl_test_save_screenshot (window, "trace-example");

  /* Back to a scenario: the programs give way */
  g_assert_true (sl_window_set_scenario (window, "tcp-echo"));
  g_assert_null (sl_window_get_programs (window));
  g_assert_null (sl_code_view_get_file (code));
  gtk_window_destroy (GTK_WINDOW (window));
  sl_test_spin (50);
}

/* A program that fails: the message bar says what, the rest is kept */
static void
test_trace_failure (void)
{
  SlWindow *window = sl_test_new_window ();
  g_autofree char *broken = g_test_build_filename (G_TEST_DIST, "trace", "syntax_error.py", NULL);
  g_autofree char *missing = g_build_filename (sl_test_tmp_dir (), "no-such-program.py", NULL);
  const char *programs[] = { broken, NULL };
  const char *nothing[] = { missing, NULL };

  sl_window_set_programs (window, programs);
  g_assert_cmpstr (sl_window_get_heading (window), ==, "syntax_error.py");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (sl_test_wait_for (sl_test_run_finished, window, 30000));
  g_assert_nonnull (sl_window_get_message (window));
  g_assert_nonnull (strstr (sl_window_get_message (window), "syntax_error.py exited with status 1"));
  g_assert_nonnull (strstr (sl_window_get_message (window), "SyntaxError"));

  sl_window_set_programs (window, nothing);
  g_assert_null (sl_window_get_message (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (sl_test_wait_for (sl_test_run_finished, window, 30000));
  g_assert_nonnull (sl_window_get_message (window));
  g_assert_nonnull (strstr (sl_window_get_message (window), "no-such-program.py"));
  gtk_window_destroy (GTK_WINDOW (window));
  sl_test_spin (50);
}

/* Once a traced program's console says how it ended */
static gboolean
program_ended (gpointer data)
{
  SlConsolePane *pane = data;
  SlConsoleModel *model = sl_console_pane_get_model (pane);

  for (guint i = 0; i < sl_console_model_get_n_programs (model); i++)
    if (sl_console_model_get_exit (model, i) == NULL)
      return FALSE;
  return sl_console_model_get_n_programs (model) > 0;
}

/* `socklens server.py client.py` with a display: the window takes them as
 * programs to trace (as a drop does), not the first as a capture to read,
 * and a run prints their own lines in order, each call at its own line. */
static void
test_trace_opened_programs (void)
{
  g_autofree char *server_path = g_test_build_filename (G_TEST_DIST, "trace", "homework",
                                                        "selectors_server.py", NULL);
  g_autofree char *client_path = g_test_build_filename (G_TEST_DIST, "trace", "homework",
                                                        "selectors_clients.py", NULL);
  g_autoptr(GFile) server_file = g_file_new_for_path (server_path);
  g_autoptr(GFile) client_file = g_file_new_for_path (client_path);
  GFile *files[] = { server_file, client_file };
  SlWindow *window = sl_test_new_window ();
  SlCodeView *code = SL_CODE_VIEW (sl_test_find_widget (GTK_WIDGET (window), SL_TYPE_CODE_VIEW));
  SlConsolePane *pane =
    SL_CONSOLE_PANE (sl_test_find_widget (GTK_WIDGET (window), SL_TYPE_CONSOLE_PANE));
  const char *const *programs;
  g_autofree char *server_text = NULL;
  g_autofree char *client_text = NULL;
  CapRecording *recording;

  g_application_open (G_APPLICATION (sl_test_app ()), files, G_N_ELEMENTS (files), "");
  g_assert_true (GTK_WINDOW (window) ==
                 gtk_application_get_active_window (GTK_APPLICATION (sl_test_app ())));
  programs = sl_window_get_programs (window);
  g_assert_nonnull (programs);
  g_assert_cmpstr (programs[0], ==, server_path);
  g_assert_cmpstr (programs[1], ==, client_path);
  g_assert_null (programs[2]);
  g_assert_null (sl_window_get_message (window));
  g_assert_false (sl_window_is_loading (window));
  g_assert_cmpstr (sl_window_get_heading (window), ==, "selectors_server.py + selectors_clients.py");
  g_assert_cmpstr (sl_code_view_get_file (code), ==, server_path);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (sl_test_wait_for (sl_test_run_finished, window, 60000));
  g_assert_true (sl_test_wait_for (program_ended, pane, 20000));
  server_text = sl_console_pane_dup_text (pane, 0);
  g_test_message ("server console:\n%s", server_text);
  g_assert_true (g_str_has_prefix (server_text, "selector: EpollSelector\nall done\n"));
  g_assert_true (g_str_has_suffix (server_text, "selectors_server.py exited with status 0.\n"));
  client_text = sl_console_pane_dup_text (pane, 1);
  g_assert_cmpstr (client_text, ==,
                   "b'0drow'\nb'1drow'\nb'2drow'\nselectors_clients.py exited with status 0.\n");
  recording = sl_test_shown_recording (window);
  assert_traced_call (recording, NC_CALL_BIND, server_path, "lsock.bind");
  assert_traced_call (recording, NC_CALL_ACCEPT4, server_path, "key.fileobj.accept");
  gtk_window_destroy (GTK_WINDOW (window));
  sl_test_spin (50);
}

int
main (int    argc,
      char **argv)
{
  sl_test_window_init (&argc, &argv);
  g_test_add_func ("/window/trace-example", test_trace_example);
  g_test_add_func ("/window/trace-failure", test_trace_failure);
  g_test_add_func ("/window/trace-opened-programs", test_trace_opened_programs);
  return sl_test_window_run ();
}
