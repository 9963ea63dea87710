/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-window-choose.c: choosing what to run: the scenario picker, distinct
 * headings, a new choice clears the old run, parameters kept per scenario.
 *
 * Under Xvfb, with real live runs through the socklens-lab helper
 * (sl-test-window.h has what the window's tests share).
 */

#include "config.h"

#include <string.h>

#include "sl-test-window.h"
#include "sl-code-view.h"
#include "sl-scenario-item.h"
#include "sl-scenario-picker.h"

/* The header names each socketserver scenario apart */
static void
test_headings_distinct (void)
{
  SlWindow *window = sl_test_new_window ();
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
  sl_test_spin (50);
}

/* Another scenario chosen: its code and text, not the old run under its title */
static void
test_new_choice_clears (void)
{
  SlWindow *window = sl_test_new_window ();
  SlCodeView *code = SL_CODE_VIEW (sl_test_find_widget (GTK_WIDGET (window), SL_TYPE_CODE_VIEW));
  CapRecording *recording;

  sl_test_run_to_end (window, "tcp-echo");
  g_assert_true (sl_code_view_get_scenario (code) == nc_scenario_lookup ("tcp-echo"));

  g_assert_true (sl_window_set_scenario (window, "udp-echo"));
  recording = sl_test_shown_recording (window);
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
  g_assert_true (sl_test_wait_for (sl_test_run_finished, window, 20000));
  gtk_window_destroy (GTK_WINDOW (window));
  sl_test_spin (50);
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
  SlWindow *window = sl_test_new_window ();
  SlScenarioPicker *picker =
    SL_SCENARIO_PICKER (sl_test_find_widget (GTK_WIDGET (window), SL_TYPE_SCENARIO_PICKER));
  GtkEditable *search;
  GListModel *model;
  guint n = 0, next = 0, n_headings = 0, n_examples = 0, n_listed_examples = 0;
  const NcScenario *const *list = nc_scenario_list (&n);
  const char *section = NULL;
  ModelSize size;
  g_autoptr(SlScenarioItem) match = NULL;

  g_assert_nonnull (picker);
  g_assert_nonnull (sl_test_find_widget (GTK_WIDGET (picker), GTK_TYPE_LIST_VIEW));
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

  search = GTK_EDITABLE (sl_test_find_widget (GTK_WIDGET (picker), GTK_TYPE_SEARCH_ENTRY));
  gtk_editable_set_text (search, "fork");
  size = (ModelSize) { model, 1 };
  g_assert_true (sl_test_wait_for (model_has_n, &size, 5000));
  match = g_list_model_get_item (model, 0);
  g_assert_cmpstr (sl_scenario_item_get_scenario (match)->name, ==, "socketserver-forking");

  /* As a teacher sees it: the popover open, the whole list */
  gtk_editable_set_text (search, "");
  size = (ModelSize) { model, n + n_headings + 1 + n_examples };
  g_assert_true (sl_test_wait_for (model_has_n, &size, 5000));
  {
    GtkWidget *button = gtk_widget_get_ancestor (GTK_WIDGET (picker), GTK_TYPE_MENU_BUTTON);
    g_assert_nonnull (button);
    gtk_menu_button_popup (GTK_MENU_BUTTON (button));
    sl_test_spin (100);
    sl_test_save_widget_screenshot (gtk_widget_get_ancestor (GTK_WIDGET (picker), GTK_TYPE_POPOVER),
                            "scenario-picker");
    gtk_menu_button_popdown (GTK_MENU_BUTTON (button));
  }
  gtk_editable_set_text (search, "fork");
  size = (ModelSize) { model, 1 };
  g_assert_true (sl_test_wait_for (model_has_n, &size, 5000));

  /* Enter takes the match, as a click on it would */
  g_signal_emit_by_name (search, "activate");
  g_assert_true (sl_window_get_scenario (window) == nc_scenario_lookup ("socketserver-forking"));
  g_assert_true (sl_scenario_item_get_chosen (match));
  gtk_window_destroy (GTK_WINDOW (window));
  sl_test_spin (50);
}

/* The message typed in the window is what the client sends and what the
 * class sees in the packet's bytes; it is kept for that scenario only */
static void
test_parameters (void)
{
  static const char message[] = "bonjour la classe";
  SlWindow *window = sl_test_new_window ();
  CapRecording *recording;
  gboolean sent = FALSE, on_wire = FALSE;

  g_assert_true (sl_window_set_scenario (window, "tcp-echo"));
  sl_window_set_parameters (window, 0, message, 1);
  sl_test_run_to_end (window, "tcp-echo");
  recording = sl_test_shown_recording (window);
  for (guint i = 0; i < cap_recording_get_n_calls (recording); i++)
    {
      const NcCall *call = cap_recording_get_call (recording, i);
      if (call->kind == NC_CALL_SEND && call->data_len == strlen (message) &&
          memcmp (call->data, message, call->data_len) == 0)
        sent = TRUE;
    }
  g_assert_true (sent);
  if (sl_test_capture_expected (sl_window_get_live_run (window)))
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
  sl_test_spin (50);

  /* Remembered: a new window shows it for tcp-echo, not for udp-echo */
  window = sl_test_new_window ();
  g_assert_true (sl_window_set_scenario (window, "tcp-echo"));
  g_assert_cmpstr (sl_window_get_parameters (window)->message, ==, message);
  g_assert_true (sl_window_set_scenario (window, "udp-echo"));
  g_assert_cmpstr (sl_window_get_parameters (window)->message, ==, "hello");
  gtk_window_destroy (GTK_WINDOW (window));
  sl_test_spin (50);
}

int
main (int    argc,
      char **argv)
{
  sl_test_window_init (&argc, &argv);
  g_test_add_func ("/window/headings-distinct", test_headings_distinct);
  g_test_add_func ("/window/new-choice-clears", test_new_choice_clears);
  g_test_add_func ("/window/scenario-picker", test_scenario_picker);
  g_test_add_func ("/window/parameters", test_parameters);
  return sl_test_window_run ();
}
