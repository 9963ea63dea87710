/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-window-class.c: what a class sees: presentation mode, socketserver
 * handlers in columns of their own, a packet's fields as a tree.
 *
 * Under Xvfb, with real live runs through the socklens-lab helper
 * (sl-test-window.h has what the window's tests share).
 */

#include "config.h"

#include <math.h>

#include "sl-test-window.h"
#include "sl-code-view.h"
#include "sl-field-item.h"
#include "sl-packet-inspector.h"

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
  SlWindow *window = sl_test_new_window ();
  SlTimelineView *timeline = sl_test_window_timeline (window);
  SlSession *session = sl_window_get_session (window);
  GSettings *settings = sl_application_get_settings (sl_test_app ());
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
  sl_test_spin (50);
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
  if (sl_test_wait_for (is_fullscreen, window, 1000))
    g_test_message ("presentation: the window is full screen");
  else
    g_test_message ("presentation: full screen not granted (no window manager?)");
  /* The code pane and the timeline stay; Escape still stops a run */
  g_assert_true (shown_up_to_window (GTK_WIDGET (timeline)));
  g_assert_true (shown_up_to_window (sl_test_find_widget (GTK_WIDGET (window), SL_TYPE_CODE_VIEW)));
  escape = gtk_application_get_actions_for_accel (GTK_APPLICATION (sl_test_app ()), "Escape");
  g_assert_true (g_strv_contains ((const char *const *) escape, "win.stop"));

  /* Off again: everything as it was */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.presentation", NULL));
  sl_test_spin (50);
  g_assert_false (sl_window_get_presentation (window));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (window), "presentation"));
  g_assert_cmpfloat (sl_timeline_view_get_text_scale (timeline), ==, 1.0);
  g_assert_false (sl_timeline_view_get_high_contrast (timeline));
  g_assert_true (sl_timeline_painter_get_palette (painter) == normal);
  g_assert_cmpfloat_with_epsilon (sl_session_get_speed (session), speed, 1e-9);
  g_assert_false (g_settings_get_boolean (settings, "presentation-mode"));
  g_assert_true (sl_test_wait_for (is_fullscreen, window, 1000) == FALSE);

  /* The saved setting brings it back with the next window */
  g_settings_set_boolean (settings, "presentation-mode", TRUE);
  gtk_window_destroy (GTK_WINDOW (window));
  window = sl_test_new_window ();
  g_assert_true (sl_window_get_presentation (window));
  g_assert_cmpfloat_with_epsilon (sl_timeline_view_get_text_scale (sl_test_window_timeline (window)), 1.5, 1e-9);
  sl_window_set_presentation (window, FALSE);
  g_assert_false (g_settings_get_boolean (settings, "presentation-mode"));

  gtk_window_destroy (GTK_WINDOW (window));
  sl_test_spin (50);
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
  SlWindow *window = sl_test_new_window ();
  SlTimelinePainter *painter;
  CapRecording *recording;
  guint n_handler_columns = 0, n_handler_calls = 0;

  sl_test_run_to_end (window, scenario);
  recording = sl_test_shown_recording (window);
  (void) sl_test_timeline_stats (window);  /* laid out at the window's size */
  painter = sl_test_window_painter (window);

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
  if (sl_test_capture_expected (sl_window_get_live_run (window)))
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
  sl_test_save_screenshot (window, scenario);
  gtk_window_destroy (GTK_WINDOW (window));
  sl_test_spin (50);
}

static void
test_socketserver_handlers (void)
{
  check_handlers ("socketserver-tcp");
  check_handlers ("socketserver-forking");
}

/* The packet's fields as a tree (GtkTreeListModel + GtkTreeExpander): the
 * IP layer starts folded and opening it shows its fields; selecting a port
 * opens the layers above it */
static void
test_field_tree (void)
{
  SlWindow *window = sl_test_new_window ();
  SlPacketInspector *inspector;
  GtkListView *list;
  GtkSelectionModel *selection;
  GtkTreeListModel *tree;
  guint n_before, ip_row = G_MAXUINT;
  g_autoptr(GtkTreeListRow) row = NULL;

  sl_test_run_to_end (window, "tcp-echo");
  if (!sl_test_capture_expected (sl_window_get_live_run (window)))
    {
      gtk_window_destroy (GTK_WINDOW (window));
      g_test_skip ("no capture here");
      return;
    }
  sl_test_select_synack (window);

  inspector = SL_PACKET_INSPECTOR (sl_test_find_widget (GTK_WIDGET (window), SL_TYPE_PACKET_INSPECTOR));
  list = GTK_LIST_VIEW (sl_test_find_widget (GTK_WIDGET (inspector), GTK_TYPE_LIST_VIEW));
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
  sl_test_spin (50);
}

int
main (int    argc,
      char **argv)
{
  sl_test_window_init (&argc, &argv);
  g_test_add_func ("/window/presentation", test_presentation);
  g_test_add_func ("/window/socketserver-handlers", test_socketserver_handlers);
  g_test_add_func ("/window/field-tree", test_field_tree);
  return sl_test_window_run ();
}
