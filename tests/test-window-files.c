/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-window-files.c: files in and out of the window: saved runs opened
 * again, damaged and foreign captures, diagram and events export.
 *
 * Under Xvfb, with real live runs through the socklens-lab helper
 * (sl-test-window.h has what the window's tests share).
 */

#include "config.h"

#include <string.h>

#include "sl-test-window.h"

static void
test_open_files (void)
{
  SlWindow *window = sl_test_new_window ();
  SlTestStepWait w = { .window = window };
  g_autofree char *path = g_build_filename (sl_test_tmp_dir (), "run.pcapng", NULL);
  g_autofree char *bad = g_build_filename (sl_test_tmp_dir (), "bad.pcapng", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) bad_file = g_file_new_for_path (bad);
  g_autoptr(GError) error = NULL;
  CapRecording *live_recording;
  guint n_calls, n_packets;

  /* A whole run, saved as the window's Save does */
  g_assert_true (sl_window_set_scenario (window, "tcp-echo"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (sl_test_wait_for (sl_test_run_finished, window, 10000));
  (void) w;
  live_recording = sl_test_shown_recording (window);
  g_assert_null (sl_live_run_get_error (sl_window_get_live_run (window)));
  n_calls = cap_recording_get_n_calls (live_recording);
  n_packets = cap_recording_get_n_packets (live_recording);
  g_assert_cmpuint (n_calls, >=, 10);
  g_assert_true (cap_recording_save (live_recording, path, &error));
  g_assert_no_error (error);

  /* Opened in a thread, swapped in whole */
  sl_window_open_file (window, file);
  g_assert_true (sl_window_is_loading (window));
  g_assert_true (sl_test_wait_for (sl_test_not_loading, window, 10000));
  g_assert_null (sl_window_get_live_run (window));
  g_assert_true (sl_test_shown_recording (window) != live_recording);
  g_assert_cmpuint (cap_recording_get_n_calls (sl_test_shown_recording (window)), ==, n_calls);
  g_assert_cmpuint (cap_recording_get_n_packets (sl_test_shown_recording (window)), ==, n_packets);
  g_assert_cmpstr (cap_recording_get_scenario (sl_test_shown_recording (window)), ==, "tcp-echo");
  /* The build tree's compiled schema is found (memory backend in tests) */
  g_assert_nonnull (sl_application_get_settings (sl_test_app ()));
    {
      g_auto(GStrv) recent = g_settings_get_strv (sl_application_get_settings (sl_test_app ()), "recent-files");
      g_autofree char *uri = g_file_get_uri (file);

      g_assert_nonnull (recent[0]);
      g_assert_cmpstr (recent[0], ==, uri);
    }

  /* Garbage: a message, the last recording stays, nothing crashes */
  g_assert_true (g_file_set_contents (bad, "this is not a capture file", -1, NULL));
  sl_window_open_file (window, bad_file);
  g_assert_true (sl_test_wait_for (sl_test_not_loading, window, 10000));
  g_assert_cmpuint (cap_recording_get_n_calls (sl_test_shown_recording (window)), ==, n_calls);

  /* Closed while a file loads and while a run goes: nothing left to crash on */
  sl_window_open_file (window, file);
  gtk_window_destroy (GTK_WINDOW (window));
  sl_test_spin (300);
  window = sl_test_new_window ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  sl_test_spin (20);
  gtk_window_destroy (GTK_WINDOW (window));
  sl_test_spin (300);
}

/* What win.export-diagram does once its chooser has a path */
static void
test_export_diagram (void)
{
  SlWindow *window = sl_test_new_window ();
  g_autofree char *path = g_build_filename (sl_test_tmp_dir (), "tcp-echo.svg", NULL);
  g_autofree char *bad = g_build_filename (sl_test_tmp_dir (), "no-such-dir", "tcp-echo.svg", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;

  /* Nothing shown yet: nothing to export */
  g_assert_false (sl_window_export_diagram (window, path, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  g_assert_true (sl_window_set_scenario (window, "tcp-echo"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL));
  g_assert_true (sl_test_wait_for (sl_test_run_finished, window, 10000));

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
    g_autofree char *events = g_build_filename (sl_test_tmp_dir (), "tcp-echo.json", NULL);
    g_autofree char *json = NULL;

    g_assert_true (sl_window_export_events (window, events, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (events, &json, NULL, NULL));
    g_assert_nonnull (strstr (json, "\"format\":\"socklens-events\""));
    g_assert_nonnull (strstr (json, "\"name\":\"accept\""));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  sl_test_spin (50);
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
  char *path = g_build_filename (sl_test_tmp_dir (), "homework.pcap", NULL);

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
  SlWindow *window = sl_test_new_window ();
  g_autofree char *path = write_foreign_pcap ();
  g_autoptr(GFile) file = g_file_new_for_path (path);

  g_assert_true (sl_window_set_scenario (window, "tcp-echo"));
  sl_window_open_file (window, file);
  g_assert_true (sl_test_wait_for (sl_test_not_loading, window, 10000));
  g_assert_cmpuint (cap_recording_get_n_packets (sl_test_shown_recording (window)), ==, 1);
  g_assert_cmpstr (sl_window_get_heading (window), ==, "homework.pcap");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run", NULL) ||
                 TRUE);  /* disabled: may report it was not activated */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.step", NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.restart", NULL);
  g_assert_null (sl_window_get_live_run (window));
  g_assert_cmpuint (cap_recording_get_n_packets (sl_test_shown_recording (window)), ==, 1);

  /* Choosing a scenario makes Run and Step its own again */
  g_assert_true (sl_window_set_scenario (window, "tcp-echo"));
  g_assert_cmpstr (sl_window_get_heading (window), ==, "TCP echo");
  gtk_window_destroy (GTK_WINDOW (window));
  sl_test_spin (50);
}

int
main (int    argc,
      char **argv)
{
  sl_test_window_init (&argc, &argv);
  g_test_add_func ("/window/open-files", test_open_files);
  g_test_add_func ("/window/export-diagram", test_export_diagram);
  g_test_add_func ("/window/foreign-capture", test_foreign_capture);
  return sl_test_window_run ();
}
