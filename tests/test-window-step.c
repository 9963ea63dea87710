/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-window-step.c: the window steps a live run: one call a press, the
 * right actor, and a finished run stays.
 *
 * The window runs tcp-echo LIVE in step mode, driven through its actions as
 * the keyboard would. After three steps exactly three real calls have run,
 * the fourth waits at the gate, and the recording the window shows holds
 * those calls and nothing after them. Stepping on to the client's connect()
 * then puts the handshake's packets on it, and still no data: a replay of a
 * finished run could not pass this.
 *
 * Under Xvfb, with real live runs through the socklens-lab helper
 * (sl-test-window.h has what the window's tests share).
 */

#include "config.h"

#include <string.h>

#include "sl-test-window.h"
#include "sl-packet-inspector.h"

static gboolean
calls_returned_3 (gpointer data)
{
  return sl_test_count_returned (sl_test_shown_recording (data)) >= 3;
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

static void
test_step_live (void)
{
  SlWindow *window = sl_test_new_window ();
  SlTestStepWait w = { .window = window };
  SlLiveRun *live;
  CapRecording *recording;
  g_autofree char *waiting = NULL;
  gint connect_call;
  gboolean capturing;

  g_assert_true (sl_window_set_scenario (window, "tcp-echo"));
  g_assert_null (sl_window_get_live_run (window));

  /* Three presses of Step: the first starts the run and lets the first call through. */
  sl_test_step (window, &w);
  sl_test_step (window, &w);
  sl_test_step (window, &w);
  g_assert_true (sl_test_wait_for (calls_returned_3, window, 10000));
  /* The fourth call has reached the gate and is held there */
  g_assert_true (sl_test_wait_for (sl_test_something_waiting, window, 10000));

  live = sl_window_get_live_run (window);
  recording = sl_test_shown_recording (window);
  capturing = sl_test_capture_expected (live);
  g_assert_cmpuint (sl_live_run_get_state (live), ==, SL_LIVE_RUN_STEPPING);
  g_assert_true (recording == sl_live_run_get_recording (live));

  /* Exactly three real calls ran: the server's socket(), bind(), listen(). */
  g_assert_cmpuint (sl_live_run_get_n_steps (live), ==, 3);
  g_assert_cmpuint (cap_recording_get_n_calls (recording), ==, 3);
  g_assert_cmpuint (sl_test_count_returned (recording), ==, 3);
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
    SlTimelineStats stats = sl_test_timeline_stats (window);
    g_assert_cmpuint (stats.n_calls_drawn, >=, 1);
    g_assert_cmpuint (stats.n_packets_drawn + stats.n_packets_aggregated, ==, 0);
  }
  sl_test_save_screenshot (window, "step-3");
  {
    guint n_links = 99;
    cap_recording_get_call_links (recording, 2, &n_links);
    g_assert_cmpuint (n_links, ==, 0);
  }

  /* Step on until the client's connect() has returned. */
  for (guint i = 0; i < 12 && find_call (recording, NC_CALL_CONNECT, TRUE) < 0; i++)
    {
      sl_test_step (window, &w);
      sl_test_spin (30);
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
      g_assert_true (sl_test_wait_for (sl_test_handshake_captured, window, 5000));
      sl_test_spin (100);
      links = cap_recording_get_call_links (recording, connect_call, &n_links);
      for (guint i = 0; i < n_links; i++)
        handshake_link |= links[i].kind == CAP_LINK_HANDSHAKE;
      g_assert_true (handshake_link);
      {
        /* ... drawn on it, as arrows */
        SlTimelineStats stats = sl_test_timeline_stats (window);
        g_assert_cmpuint (stats.n_packets_drawn + stats.n_packets_aggregated, >=, 3);
      }
      g_test_message ("%u packets, %u linked to connect()",
                      cap_recording_get_n_packets (recording), n_links);
      sl_session_select (sl_window_get_session (window), SL_SELECTION_CALL, connect_call);
      sl_test_save_screenshot (window, "step-connect-call");
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
        SL_PACKET_INSPECTOR (sl_test_find_widget (GTK_WIDGET (window), SL_TYPE_PACKET_INSPECTOR));
      const char *text;

      sl_test_select_synack (window);
      g_assert_true (sl_packet_inspector_select_field (inspector, "Source port"));
      text = sl_packet_inspector_get_byte_order_text (inspector);
      g_assert_nonnull (text);
      g_assert_true (g_str_has_prefix (text, "network order "));
      g_assert_nonnull (strstr (text, " → host value "));
      sl_test_save_screenshot (window, "step-connect-synack");
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
    g_assert_true (sl_test_wait_for (sl_test_run_finished, window, 5000));
    g_assert_true (sl_test_shown_recording (window) == recording);
    g_assert_cmpuint (cap_recording_get_n_calls (recording), >=, n_calls);
    g_assert_cmpuint (cap_recording_get_n_packets (recording), >=, n_packets);

    /* Closing the window with the run unsaved asks first: the window stays
     * until the person says to close without saving. */
    g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &weak);
    gtk_window_close (GTK_WINDOW (window));
    sl_test_spin (100);
    g_assert_nonnull (weak);
    toplevels = gtk_window_list_toplevels ();
    for (GList *l = toplevels; l != NULL; l = l->next)
      if (ADW_IS_MESSAGE_DIALOG (l->data) &&
          gtk_window_get_transient_for (l->data) == GTK_WINDOW (window))
        dialog = l->data;
    g_assert_nonnull (dialog);
    g_assert_true (adw_message_dialog_has_response (ADW_MESSAGE_DIALOG (dialog), "save"));
    sl_test_save_screenshot ((SlWindow *) dialog, "close-unsaved-run");  /* any widget will do */
    adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "discard");
    sl_test_spin (100);
    g_assert_null (weak);
  }
  sl_test_spin (50);
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

  return cap_recording_get_n_calls (sl_test_shown_recording (w->window)) > w->n_calls;
}

/* Key 1 steps the first column as drawn: in tcp-echo the client (actor 1) */
static void
test_digits_follow_columns (void)
{
  SlWindow *window = sl_test_new_window ();
  SlTimelinePainter *painter;
  CapRecording *recording;
  NewCall w = { .window = window };
  SlTestStepWait sw = { .window = window };
  const NcCall *call;
  guint first_actor;

  g_assert_true (sl_window_set_scenario (window, "tcp-echo"));
  sl_test_step (window, &sw);
  for (guint i = 0; i < 12 && !client_waiting (window); i++)
    {
      g_assert_true (sl_test_wait_for (sl_test_something_waiting, window, 10000));
      if (!client_waiting (window))
        sl_test_step (window, &sw);
    }
  g_assert_true (sl_test_wait_for (client_waiting, window, 10000));
  (void) sl_test_timeline_stats (window);
  painter = sl_test_window_painter (window);
  recording = sl_test_shown_recording (window);
  g_assert_cmpstr (sl_timeline_painter_get_column_title (painter, 0), ==, "client");
  first_actor = sl_timeline_painter_get_column_actor (painter, 0);
  g_assert_cmpstr (cap_recording_get_actor (recording, first_actor)->name, ==, "client");
  g_assert_cmpuint (first_actor, !=, 0);  /* the case the digits got wrong */

  w.n_calls = cap_recording_get_n_calls (recording);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.step-actor", "u", 0));
  g_assert_true (sl_test_wait_for (call_added, &w, 10000));
  call = cap_recording_get_call (recording, w.n_calls);
  g_assert_cmpuint (call->actor, ==, first_actor);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL));
  g_assert_true (sl_test_wait_for (sl_test_run_finished, window, 5000));
  gtk_window_destroy (GTK_WINDOW (window));
  sl_test_spin (50);
}

/* One Step, Space or Run too many on a finished run keeps it on screen */
static void
test_finished_run_stays (void)
{
  SlWindow *window = sl_test_new_window ();
  SlLiveRun *live;
  CapRecording *recording;
  guint n_calls;

  sl_test_run_to_end (window, "tcp-echo");
  /* held, so a new run cannot be given the finished one's address */
  live = g_object_ref (sl_window_get_live_run (window));
  recording = sl_test_shown_recording (window);
  n_calls = cap_recording_get_n_calls (recording);

  /* The actions act at once: a new run would be there on return */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (sl_window_get_live_run (window) == live);
  g_assert_true (sl_test_shown_recording (window) == recording);
  g_assert_cmpuint (sl_live_run_get_state (live), ==, SL_LIVE_RUN_FINISHED);
  g_assert_cmpuint (cap_recording_get_n_calls (recording), ==, n_calls);

  /* Restart is the way to run it again */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.restart", NULL));
  g_assert_true (sl_window_get_live_run (window) != live);
  g_object_unref (live);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL));
  g_assert_true (sl_test_wait_for (sl_test_run_finished, window, 10000));
  gtk_window_destroy (GTK_WINDOW (window));
  sl_test_spin (50);
}

int
main (int    argc,
      char **argv)
{
  sl_test_window_init (&argc, &argv);
  g_test_add_func ("/window/step-live", test_step_live);
  g_test_add_func ("/window/digits-follow-columns", test_digits_follow_columns);
  g_test_add_func ("/window/finished-run-stays", test_finished_run_stays);
  return sl_test_window_run ();
}
