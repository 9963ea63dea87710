/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-window-keep.c: nothing a class recorded is lost: closing or quitting
 * with an unsaved run asks, and its Save… writes a file tshark reads before
 * the window goes; a run another choice replaces comes back with Undo; a
 * run whose app died is offered back on the next start.
 *
 * Under Xvfb, with real live runs through the socklens-lab helper
 * (sl-test-window.h has what the window's tests share).
 */

#include "config.h"

#include <signal.h>

#include "sl-test-lsan.h"
#include "sl-test-window.h"

static gboolean
dialog_shown (gpointer data)
{
  return sl_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

static gboolean
chooser_shown (gpointer data)
{
  return sl_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG) != NULL;
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gboolean
window_gone (gpointer data)
{
  return g_list_find (gtk_application_get_windows (GTK_APPLICATION (sl_test_app ())), data) == NULL;
}

static void
answer_dialog (const char *response)
{
  GtkWindow *dialog;

  g_assert_true (sl_test_wait_for (dialog_shown, NULL, 5000));
  dialog = sl_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), response);
  sl_test_spin (50);
}

/* Ctrl+Q (app.quit) and closing the window ask first; Cancel keeps the
 * window and its run; Save… writes the run, then the window closes */
static void
test_close_asks (void)
{
  SlWindow *window = sl_test_new_window ();
  g_autofree char *path = g_build_filename (sl_test_tmp_dir (), "closed.pcapng", NULL);
  CapRecording *recording;
  GObject *chooser;
  gboolean captures;
  guint n_packets;

  sl_test_run_to_end (window, "tcp-echo");
  recording = sl_test_shown_recording (window);
  captures = sl_test_capture_expected (sl_window_get_live_run (window));
  n_packets = cap_recording_get_n_packets (recording);
  g_assert_cmpuint (cap_recording_get_n_calls (recording), >=, 10);

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (sl_test_app ()), "quit"));
  g_action_group_activate_action (G_ACTION_GROUP (sl_test_app ()), "quit", NULL);
  answer_dialog ("cancel");
  g_assert_false (window_gone (window));
  g_assert_true (sl_test_shown_recording (window) == recording);

  /* GTK's file chooser leaks inside GTK and GLib (sl-test-lsan.c); what
   * Socklens allocates meanwhile is still checked, and the chooser goes */
  sl_test_lsan_begin_gtk_own ();
  gtk_window_close (GTK_WINDOW (window));
  answer_dialog ("save");
  g_assert_true (sl_test_wait_for (chooser_shown, NULL, 10000));
  chooser = G_OBJECT (sl_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG));
  g_object_add_weak_pointer (chooser, (gpointer *) &chooser);
  sl_test_answer_file_chooser (path);
  g_assert_true (sl_test_wait_for (window_gone, window, 10000));
  g_assert_true (sl_test_wait_for (is_null, &chooser, 10000));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (sl_test_tshark_count_frames (path), ==, n_packets);
  if (captures)
    g_assert_cmpuint (n_packets, >=, 10);
  sl_test_spin (50);
  g_test_message ("allocations GTK made on its own, not for LeakSanitizer: %u",
                  sl_test_lsan_end_gtk_own ());
}

static GtkWidget *
undo_button (SlWindow *window)
{
  return sl_test_find_button (GTK_WIDGET (window), "_Undo");
}

static gboolean
undo_shown (gpointer window)
{
  return undo_button (window) != NULL;
}

static gboolean
run_is_back (gpointer window)
{
  return sl_window_get_live_run (window) != NULL;
}

/* Choosing another scenario after an unsaved run puts the run aside; Undo
 * brings it back as it was, saveable */
static void
test_undo_replaced_run (void)
{
  SlWindow *window = sl_test_new_window ();
  CapRecording *recording;
  SlLiveRun *live;
  g_autofree char *stream = NULL;

  sl_test_run_to_end (window, "tcp-echo");
  live = sl_window_get_live_run (window);
  recording = sl_test_shown_recording (window);
  stream = g_strdup (sl_live_run_get_stream_path (live));
  g_assert_nonnull (stream);
  g_assert_true (g_file_test (stream, G_FILE_TEST_IS_REGULAR));

  g_assert_true (sl_window_set_scenario (window, "udp-echo"));
  g_assert_null (sl_window_get_live_run (window));
  g_assert_true (sl_test_shown_recording (window) != recording);
  /* After "Run finished", which toasts first */
  g_assert_true (sl_test_wait_for (undo_shown, window, 15000));
  /* Put aside, not gone: its recovery file stays until the toast does */
  g_assert_true (g_file_test (stream, G_FILE_TEST_IS_REGULAR));

  g_signal_emit_by_name (undo_button (window), "clicked");
  g_assert_true (sl_test_wait_for (run_is_back, window, 10000));
  g_assert_true (sl_window_get_live_run (window) == live);
  g_assert_true (sl_test_shown_recording (window) == recording);
  g_assert_cmpstr (sl_window_get_scenario (window)->name, ==, "tcp-echo");
  gtk_window_destroy (GTK_WINDOW (window));
  sl_test_spin (50);
}

static const char *saving_to;

static gboolean
saved (gpointer window)
{
  return !sl_window_is_saving (window) && g_file_test (saving_to, G_FILE_TEST_IS_REGULAR);
}

/* In a child: a stepped run, four calls through, then the app dies */
static void
die_mid_run (void)
{
  SlWindow *window = sl_test_new_window ();
  SlTestStepWait w = { .window = window };

  g_assert_true (sl_window_set_scenario (window, "tcp-echo"));
  for (guint i = 0; i < 4; i++)
    sl_test_step (window, &w);
  g_assert_nonnull (sl_live_run_get_stream_path (sl_window_get_live_run (window)));
  raise (SIGKILL);
}

static gboolean
recovered_shown (gpointer window)
{
  return !sl_window_is_loading (window) &&
         cap_recording_get_n_calls (sl_test_shown_recording (window)) > 0;
}

static void
test_recovery (void)
{
  SlWindow *window;
  g_autofree char *path = g_build_filename (sl_test_tmp_dir (), "recovered.pcapng", NULL);
  const char *offer;
  CapRecording *recording;
  guint n_packets;

  if (g_test_subprocess ())
    {
      die_mid_run ();
      return;
    }
  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_assert_false (g_test_trap_has_passed ());

  window = sl_test_new_window ();
  offer = sl_window_get_recovery_offer (window);
  g_assert_nonnull (offer);
  g_test_message ("offered: %s", offer);
  g_signal_emit_by_name (sl_test_find_button (GTK_WIDGET (window), "_Open It"), "clicked");
  g_assert_true (sl_test_wait_for (recovered_shown, window, 10000));
  recording = sl_test_shown_recording (window);
  /* The four calls stepped through, each entered and returned */
  g_assert_cmpuint (sl_test_count_returned (recording), >=, 4);
  g_assert_cmpstr (cap_recording_get_scenario (recording), ==, "tcp-echo");
  /* Offered once: a new window finds nothing more to offer */
  g_assert_null (sl_window_get_recovery_offer (window));
  n_packets = cap_recording_get_n_packets (recording);

  /* Still in the cache only: closing asks (Cancel keeps it), and a save
   * keeps it (close-asks drives the dialog's Save… and its file chooser) */
  gtk_window_close (GTK_WINDOW (window));
  answer_dialog ("cancel");
  g_assert_false (window_gone (window));
  {
    g_autoptr(GFile) target = g_file_new_for_path (path);

    sl_window_save (window, target);
  }
  saving_to = path;
  g_assert_true (sl_test_wait_for (saved, window, 10000));
  gtk_window_close (GTK_WINDOW (window));
  g_assert_true (sl_test_wait_for (window_gone, window, 10000));
  g_assert_cmpuint (sl_test_tshark_count_frames (path), ==, n_packets);
  {
    g_autofree char *dir = sl_window_get_recovery_dir ();
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    /* The recovered copy went once saved elsewhere */
    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      g_assert_false (g_str_has_prefix (name, "recovered-run-"));
  }
  sl_test_spin (50);
}

int
main (int    argc,
      char **argv)
{
  sl_test_window_init (&argc, &argv);
  g_test_add_func ("/window/close-asks", test_close_asks);
  g_test_add_func ("/window/undo-replaced-run", test_undo_replaced_run);
  g_test_add_func ("/window/recovery", test_recovery);
  return sl_test_window_run ();
}
