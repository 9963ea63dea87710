/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-window-files.c: files in and out of the window: saved runs opened
 * again, damaged and foreign captures, diagram and events export.
 *
 * Under Xvfb, with real live runs through the socklens-lab helper
 * (sl-test-window.h has what the window's tests share).
 */

#include "config.h"

#include "sl-test-spawn.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <arpa/inet.h>

#include "sl-conversation-list.h"
#include "sl-test-lsan.h"
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

/* A capture that arrives slowly through a FIFO: its header and @n_records
 * SYNs, then nothing until released */
typedef struct
{
  char     *path;
  guint     n_records;
  GMutex    lock;
  GCond     cond;
  gboolean  released;
} SlowWriter;

static gpointer
slow_writer_thread (gpointer data)
{
  SlowWriter *w = data;
  g_autofree char *one = write_foreign_pcap ();
  g_autofree char *bytes = NULL;
  gsize len;
  FILE *fifo;

  g_assert_true (g_file_get_contents (one, &bytes, &len, NULL));
  fifo = fopen (w->path, "wb");  /* blocks until the window opens it */
  g_assert_nonnull (fifo);
  fwrite (bytes, 1, 24, fifo);
  for (guint i = 0; i < w->n_records; i++)
    fwrite (bytes + 24, 1, len - 24, fifo);
  fflush (fifo);
  g_mutex_lock (&w->lock);
  while (!w->released)
    g_cond_wait (&w->cond, &w->lock);
  g_mutex_unlock (&w->lock);
  fclose (fifo);
  return NULL;
}

static gboolean
progress_shown (gpointer window)
{
  GtkWidget *bar = sl_test_find_widget (GTK_WIDGET (window), GTK_TYPE_PROGRESS_BAR);
  const char *text = bar ? gtk_progress_bar_get_text (GTK_PROGRESS_BAR (bar)) : NULL;

  return bar != NULL && gtk_widget_get_mapped (bar) && text != NULL &&
         strstr (text, "slow.pcap") != NULL && strstr (text, "kB") != NULL;
}

/* A long load shows how far it is (what, how much) and Escape stops it:
 * what was shown stays, nothing waits for the file */
static void
test_load_progress_cancel (void)
{
  SlWindow *window = sl_test_new_window ();
  g_autofree char *shown = write_foreign_pcap ();
  g_autoptr(GFile) shown_file = g_file_new_for_path (shown);
  SlowWriter w = { .n_records = 2000 };
  g_autoptr(GFile) fifo = NULL;
  GThread *writer;
  CapRecording *before;

  sl_window_open_file (window, shown_file);
  g_assert_true (sl_test_wait_for (sl_test_not_loading, window, 10000));
  before = sl_test_shown_recording (window);

  w.path = g_build_filename (sl_test_tmp_dir (), "slow.pcap", NULL);
  g_assert_cmpint (mkfifo (w.path, 0600), ==, 0);
  g_mutex_init (&w.lock);
  g_cond_init (&w.cond);
  writer = g_thread_new ("slow-writer", slow_writer_thread, &w);
  fifo = g_file_new_for_path (w.path);
  sl_window_open_file (window, fifo);
  g_assert_true (sl_test_wait_for (progress_shown, window, 10000));
  g_test_message ("%s", gtk_progress_bar_get_text (GTK_PROGRESS_BAR (
                          sl_test_find_widget (GTK_WIDGET (window), GTK_TYPE_PROGRESS_BAR))));
  g_assert_true (sl_window_is_loading (window));

  /* Escape, as the key would */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.stop", NULL));
  g_assert_false (sl_window_is_loading (window));
  sl_test_spin (200);
  g_assert_false (gtk_widget_get_mapped (sl_test_find_widget (GTK_WIDGET (window),
                                                              GTK_TYPE_PROGRESS_BAR)));
  g_assert_true (sl_test_shown_recording (window) == before);
  g_assert_cmpstr (sl_window_get_heading (window), ==, "homework.pcap");

  /* The reading thread ends when the writer does; its result is not shown */
  g_mutex_lock (&w.lock);
  w.released = TRUE;
  g_cond_signal (&w.cond);
  g_mutex_unlock (&w.lock);
  g_thread_join (writer);
  sl_test_spin (300);
  g_assert_true (sl_test_shown_recording (window) == before);
  g_mutex_clear (&w.lock);
  g_cond_clear (&w.cond);
  g_free (w.path);
  gtk_window_destroy (GTK_WINDOW (window));
  sl_test_spin (50);
}

static gboolean
not_saving (gpointer window)
{
  return !sl_window_is_saving (window);
}

static gboolean
saved_file_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static void
on_bar_text (GtkProgressBar *bar,
             GParamSpec     *pspec,
             GPtrArray      *seen)
{
  if (gtk_widget_is_visible (GTK_WIDGET (bar)) && gtk_progress_bar_get_text (bar) != NULL)
    g_ptr_array_add (seen, g_strdup (gtk_progress_bar_get_text (bar)));
}

static void
on_bar_shown (GtkWidget  *box,
              GParamSpec *pspec,
              GPtrArray  *seen)
{
  GtkWidget *bar = sl_test_find_widget (box, GTK_TYPE_PROGRESS_BAR);

  on_bar_text (GTK_PROGRESS_BAR (bar), NULL, seen);
}

/* Save (Ctrl+S, after its chooser: test-window-keep.c answers one) says
 * what it writes where while it writes, and the file it leaves is one
 * tshark reads */
static void
test_save_feedback (void)
{
  SlWindow *window = sl_test_new_window ();
  g_autofree char *shown = write_foreign_pcap ();
  g_autoptr(GFile) shown_file = g_file_new_for_path (shown);
  g_autofree char *path = g_build_filename (sl_test_tmp_dir (), "saved-homework.pcapng", NULL);
  g_autofree char *expected = g_strdup_printf ("Saving “%s”…", path);
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *bar;
  gboolean said = FALSE;

  sl_window_open_file (window, shown_file);
  g_assert_true (sl_test_wait_for (sl_test_not_loading, window, 10000));
  bar = sl_test_find_widget (GTK_WIDGET (window), GTK_TYPE_PROGRESS_BAR);
  g_signal_connect (bar, "notify::text", G_CALLBACK (on_bar_text), seen);
  g_signal_connect (gtk_widget_get_parent (bar), "notify::visible", G_CALLBACK (on_bar_shown), seen);

  {
    g_autoptr(GFile) target = g_file_new_for_path (path);
    sl_window_save (window, target);
  }
  g_assert_true (sl_test_wait_for (saved_file_exists, path, 10000));
  g_assert_true (sl_test_wait_for (not_saving, window, 10000));
  sl_test_spin (50);
  for (guint i = 0; i < seen->len; i++)
    {
      g_test_message ("the bar said: %s", (char *) g_ptr_array_index (seen, i));
      said = said || g_str_equal (g_ptr_array_index (seen, i), expected);
    }
  g_assert_true (said);
  g_assert_false (gtk_widget_is_visible (bar));
  g_assert_cmpuint (sl_test_tshark_count_frames (path), ==, 1);
  g_signal_handlers_disconnect_by_data (bar, seen);
  g_signal_handlers_disconnect_by_data (gtk_widget_get_parent (bar), seen);
  gtk_window_destroy (GTK_WINDOW (window));
  sl_test_spin (50);
}

static gboolean
no_chooser (gpointer data)
{
  return sl_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG) == NULL;
}

static gboolean
chooser_up (gpointer data)
{
  return sl_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG) != NULL;
}

static gboolean
message_names (gpointer data)
{
  const char **want = data; /* { window, text } */
  const char  *message = sl_window_get_message ((SlWindow *) want[0]);

  return message != NULL && strstr (message, want[1]) != NULL;
}

/* Opens @action's chooser, picks the filter named @filter (if any), types
 * @name in the test's folder and accepts, as a student would */
static void
answer_chooser (SlWindow *window, const char *action, const char *filter, const char *name)
{
  g_autofree char *path = g_build_filename (sl_test_tmp_dir (), name, NULL);

  g_assert_true (sl_test_wait_for (no_chooser, NULL, 10000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), action, NULL));
  g_assert_true (sl_test_wait_for (chooser_up, NULL, 10000));
  if (filter != NULL)
    {
      GtkFileChooser *chooser =
        GTK_FILE_CHOOSER (sl_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG));
      g_autoptr (GListModel) filters = gtk_file_chooser_get_filters (chooser);
      gboolean found = FALSE;

      for (guint i = 0; i < g_list_model_get_n_items (filters); i++)
        {
          g_autoptr (GtkFileFilter) f = g_list_model_get_item (filters, i);

          if (g_strcmp0 (gtk_file_filter_get_name (f), filter) == 0)
            {
              gtk_file_chooser_set_filter (chooser, f);
              found = TRUE;
            }
        }
      g_assert_true (found);
    }
  sl_test_answer_file_chooser (path);
  g_assert_true (sl_test_wait_for (no_chooser, NULL, 10000));
}

/* A name typed without an ending gets the chosen type's ("homework3" is
 * saved as homework3.pcapng, a file Wireshark opens); a wrong ending is
 * refused with the endings known, and nothing is written */
static void
test_chooser_endings (void)
{
  SlWindow        *window = sl_test_new_window ();
  const char      *tmp = sl_test_tmp_dir ();
  g_autofree char *bare = g_build_filename (tmp, "homework3", NULL);
  g_autofree char *saved = g_build_filename (tmp, "homework3.pcapng", NULL);
  g_autofree char *wrong = g_build_filename (tmp, "homework3.txt", NULL);
  g_autofree char *pdf = g_build_filename (tmp, "lesson.pdf", NULL);
  g_autofree char *csv = g_build_filename (tmp, "lesson-events.csv", NULL);
  g_autofree char *json = g_build_filename (tmp, "lesson-events.json", NULL);
  const char      *refused[] = { (const char *) window, ".pcapng" };
  const char      *refused_diagram[] = { (const char *) window, ".svg, .pdf or .png" };
  guint            n_packets;
  g_autofree char *saving_pdf = g_strdup_printf ("Saving “%s”…", pdf);
  g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *bar;
  gboolean   said = FALSE;

  /* GTK's file chooser leaks inside GTK and GLib (sl-test-lsan.c) */
  sl_test_lsan_begin_gtk_own ();
  sl_test_run_to_end (window, "tcp-echo");
  n_packets = cap_recording_get_n_packets (sl_test_shown_recording (window));
  g_assert_cmpuint (cap_recording_get_n_calls (sl_test_shown_recording (window)), >=, 10);

  answer_chooser (window, "win.save", NULL, "homework3");
  g_assert_true (sl_test_wait_for (saved_file_exists, saved, 10000));
  g_assert_true (sl_test_wait_for (not_saving, window, 10000));
  g_assert_false (g_file_test (bare, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (sl_test_tshark_count_frames (saved), ==, n_packets);

  answer_chooser (window, "win.save", NULL, "homework3.txt");
  g_assert_true (sl_test_wait_for (message_names, refused, 10000));
  g_assert_nonnull (strstr (sl_window_get_message (window), "homework3.txt"));
  g_assert_false (g_file_test (wrong, G_FILE_TEST_EXISTS));
  g_assert_false (sl_window_is_saving (window));

  /* The diagram as the chosen type: PDF, written in a thread while the
   * bar says where (a big one takes seconds), read back by poppler */
  bar = sl_test_find_widget (GTK_WIDGET (window), GTK_TYPE_PROGRESS_BAR);
  g_signal_connect (bar, "notify::text", G_CALLBACK (on_bar_text), seen);
  g_signal_connect (gtk_widget_get_parent (bar), "notify::visible", G_CALLBACK (on_bar_shown),
                    seen);
  answer_chooser (window, "win.export-diagram", "PDF document (.pdf)", "lesson");
  g_assert_true (sl_test_wait_for (saved_file_exists, pdf, 10000));
  g_assert_true (sl_test_wait_for (not_saving, window, 10000));
  g_signal_handlers_disconnect_by_data (bar, seen);
  g_signal_handlers_disconnect_by_data (gtk_widget_get_parent (bar), seen);
  for (guint i = 0; i < seen->len; i++)
    said = said || g_str_equal (g_ptr_array_index (seen, i), saving_pdf);
  g_assert_true (said);
  g_assert_false (gtk_widget_is_visible (bar));
  {
    const char      *argv[] = { "pdftotext", "-raw", pdf, "-", NULL };
    g_autofree char *text = sl_test_output_of (argv);

    g_assert_nonnull (strstr (text, "accept"));
  }
  answer_chooser (window, "win.export-diagram", NULL, "lesson.txt");
  g_assert_true (sl_test_wait_for (message_names, refused_diagram, 10000));
  g_assert_false (g_file_test (wrong, G_FILE_TEST_EXISTS));

  /* Events: the first type (CSV) unless another is chosen; python3 reads both */
  answer_chooser (window, "win.export-events", NULL, "lesson-events");
  answer_chooser (window, "win.export-events", "Events as JSON (.json)", "lesson-events");
  g_assert_true (sl_test_wait_for (saved_file_exists, csv, 10000));
  g_assert_true (sl_test_wait_for (saved_file_exists, json, 10000));
  g_assert_true (sl_test_wait_for (not_saving, window, 10000));
  {
    const char *csv_argv[] = { "python3", "-c",
                               "import csv, sys\n"
                               "rows = list (csv.reader (open (sys.argv[1])))\n"
                               "print (sum ('accept' in row for row in rows))",
                               csv, NULL };
    const char *json_argv[] = {
      "python3", "-c",
      "import json, sys\n"
      "doc = json.load (open (sys.argv[1]))\n"
      "print (doc['format'], sum (e.get ('name') == 'accept' for e in doc['events']))",
      json, NULL
    };
    g_autofree char *csv_out = sl_test_output_of (csv_argv);
    g_autofree char *json_out = sl_test_output_of (json_argv);

    g_assert_cmpuint (g_ascii_strtoull (csv_out, NULL, 10), >=, 1);
    g_assert_true (g_str_has_prefix (json_out, "socklens-events "));
    g_assert_cmpuint (g_ascii_strtoull (json_out + strlen ("socklens-events "), NULL, 10), >=, 1);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  sl_test_spin (50);
  g_test_message ("allocations GTK made on its own, not for LeakSanitizer: %u",
                  sl_test_lsan_end_gtk_own ());
}

static gboolean
drop_files (SlWindow    *window,
            const char **paths)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  GSList *list = NULL;
  GdkFileList *files;
  GValue value = G_VALUE_INIT;
  gboolean handled = FALSE;

  for (guint i = 0; paths[i] != NULL; i++)
    list = g_slist_append (list, g_file_new_for_path (paths[i]));
  files = gdk_file_list_new_from_list (list);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, files);
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);
      if (GTK_IS_DROP_TARGET (c))
        g_signal_emit_by_name (c, "drop", &value, 10.0, 10.0, &handled);
    }
  g_value_unset (&value);
  g_slist_free_full (list, g_object_unref);
  return handled;
}

/* Dropped on the window: a student's .py files become what Run and Step
 * trace; a capture opens */
static void
test_drop (void)
{
  SlWindow *window = sl_test_new_window ();
  g_autofree char *server = g_build_filename (sl_test_tmp_dir (), "echo_server.py", NULL);
  g_autofree char *client = g_build_filename (sl_test_tmp_dir (), "echo_client.py", NULL);
  g_autofree char *capture = write_foreign_pcap ();
  const char *programs[] = { server, client, NULL };
  const char *captures[] = { capture, NULL };

  g_assert_true (g_file_set_contents (server, "import socket\n", -1, NULL));
  g_assert_true (g_file_set_contents (client, "import socket\n", -1, NULL));

  g_assert_true (drop_files (window, programs));
  g_assert_nonnull (sl_window_get_programs (window));
  g_assert_cmpstr (sl_window_get_programs (window)[0], ==, server);
  g_assert_cmpstr (sl_window_get_programs (window)[1], ==, client);
  g_assert_null (sl_window_get_programs (window)[2]);
  g_assert_cmpstr (sl_window_get_heading (window), ==, "echo_server.py + echo_client.py");
  g_assert_false (sl_window_is_loading (window));

  g_assert_true (drop_files (window, captures));
  g_assert_true (sl_test_wait_for (sl_test_not_loading, window, 10000));
  g_assert_cmpuint (cap_recording_get_n_packets (sl_test_shown_recording (window)), ==, 1);
  g_assert_cmpstr (sl_window_get_heading (window), ==, "homework.pcap");
  gtk_window_destroy (GTK_WINDOW (window));
  sl_test_spin (50);
}

/* A shown label under @root that reads @text, or NULL */
static GtkLabel *
find_label (GtkWidget  *root,
            const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return GTK_LABEL (root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_label (child, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* "127.0.0.1:80", as tshark writes an end of a conversation */
static char *
endpoint_text (CapRecording *rec,
               guint32       id)
{
  const CapEndpoint *e = cap_recording_get_endpoint (rec, id);
  char addr[INET6_ADDRSTRLEN];

  g_assert_nonnull (inet_ntop (e->family == 6 ? AF_INET6 : AF_INET, e->addr, addr, sizeof addr));
  return g_strdup_printf (e->family == 6 ? "[%s]:%u" : "%s:%u", addr, e->port);
}

/* tshark -z conv,tcp: "A <-> B" -> the total frames of each conversation
 * between them (a port used again makes two); *n_lines: how many */
static GHashTable *
tshark_tcp_conversations (const char *path,
                          guint      *n_lines)
{
  const char *argv[] = { "tshark", "-r", path, "-q", "-z", "conv,tcp", NULL };
  GHashTable *frames = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) g_array_unref);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("tshark could not read %s: %s", path, err);
  *n_lines = 0;
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char a[80], b[80];
      guint to_a, to_b, total;
      g_autofree char *key = NULL;
      GArray *totals;

      if (strstr (lines[i], "<->") == NULL)
        continue;
      /* A <-> B  frames bytes(2 words)  frames bytes  frames bytes ... */
      g_assert_cmpint (sscanf (lines[i], "%79s <-> %79s %u %*s %*s %u %*s %*s %u", a, b, &to_a, &to_b,
                               &total), ==, 5);
      g_assert_cmpuint (to_a + to_b, ==, total);
      key = g_strdup_printf ("%s <-> %s", a, b);
      totals = g_hash_table_lookup (frames, key);
      if (totals == NULL)
        {
          totals = g_array_new (FALSE, FALSE, sizeof (guint));
          g_hash_table_insert (frames, g_steal_pointer (&key), totals);
        }
      g_array_append_val (totals, total);
      (*n_lines)++;
    }
  return frames;
}

/* Takes @frames out of what tshark counted between @a and @b (either
 * way round); FALSE if tshark has no such conversation */
static gboolean
take_conversation (GHashTable *expected,
                   const char *a,
                   const char *b,
                   guint       frames)
{
  g_autofree char *ab = g_strdup_printf ("%s <-> %s", a, b);
  g_autofree char *ba = g_strdup_printf ("%s <-> %s", b, a);
  GArray *totals = g_hash_table_lookup (expected, ab);

  if (totals == NULL)
    totals = g_hash_table_lookup (expected, ba);
  for (guint i = 0; totals != NULL && i < totals->len; i++)
    if (g_array_index (totals, guint, i) == frames)
      {
        g_array_remove_index_fast (totals, i);
        return TRUE;
      }
  return FALSE;
}

/* A capture of thousands of TCP conversations, some on ports used again:
 * the window's conversation list has a row for each conversation tshark
 * finds, with tshark's count of its frames, and says how many there are */
static void
test_conversation_counts (void)
{
  SlWindow *window = sl_test_new_window ();
  g_autofree char *path = g_build_filename (sl_test_tmp_dir (), "many.pcap", NULL);
  g_autofree char *cmd = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GHashTable) expected = NULL;
  g_autofree char *count_text = NULL;
  SlConversationList *list;
  SlConversationModel *model;
  CapRecording *rec;
  int status = 0;
  guint n, n_tshark;

  g_assert_nonnull (g_getenv ("SL_GEN_PCAP"));
  cmd = g_strdup_printf ("%s -c 40000 -o %s", g_getenv ("SL_GEN_PCAP"), path);
  g_assert_true (g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  expected = tshark_tcp_conversations (path, &n_tshark);
  g_assert_cmpuint (n_tshark, >, 1000);
  /* the generator uses some ports again: the case the count must get right */
  g_assert_cmpuint (g_hash_table_size (expected), <, n_tshark);

  sl_window_open_file (window, file);
  g_assert_true (sl_test_wait_for (sl_test_not_loading, window, 60000));
  rec = sl_test_shown_recording (window);
  g_assert_cmpuint (cap_recording_get_n_packets (rec), ==, 40000);
  list = SL_CONVERSATION_LIST (sl_test_find_widget (GTK_WIDGET (window), SL_TYPE_CONVERSATION_LIST));
  g_assert_nonnull (list);
  model = sl_conversation_list_get_model (list);
  g_assert_nonnull (model);

  n = g_list_model_get_n_items (G_LIST_MODEL (model));
  g_assert_cmpuint (n, ==, n_tshark);
  for (guint row = 0; row < n; row++)
    {
      g_autoptr(SlConversationItem) item = g_list_model_get_item (G_LIST_MODEL (model), row);
      const CapConversation *conv = cap_recording_get_conversation (rec, sl_conversation_item_get_id (item));
      g_autofree char *a = endpoint_text (rec, conv->a);
      g_autofree char *b = endpoint_text (rec, conv->b);

      g_assert_cmpstr (sl_conversation_item_get_protocol (item), ==, "TCP");
      if (!take_conversation (expected, a, b, sl_conversation_item_get_packets (item)))
        g_error ("row %u: %s <-> %s with %u packets is not a conversation tshark finds", row, a, b,
                 sl_conversation_item_get_packets (item));
    }
  /* sorted busiest first */
  {
    g_autoptr(SlConversationItem) top = g_list_model_get_item (G_LIST_MODEL (model), 0);
    g_autoptr(SlConversationItem) last = g_list_model_get_item (G_LIST_MODEL (model), n - 1);
    g_assert_cmpuint (sl_conversation_item_get_packets (top), >=, sl_conversation_item_get_packets (last));
  }
  /* and the list says how many, and how many the timeline draws */
  count_text = g_strdup_printf ("%u conversations, %u drawn", n, SL_SESSION_DEFAULT_CONVERSATIONS);
  g_assert_nonnull (find_label (GTK_WIDGET (list), count_text));

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
  g_test_add_func ("/window/drop", test_drop);
  g_test_add_func ("/window/save-feedback", test_save_feedback);
  g_test_add_func ("/window/chooser-endings", test_chooser_endings);
  g_test_add_func ("/window/load-progress-cancel", test_load_progress_cancel);
  g_test_add_func ("/window/conversation-counts", test_conversation_counts);
  return sl_test_window_run ();
}
