/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-window-keys.c: the keyboard: accelerators bound to the buttons'
 * actions, every key in the shortcuts window, the timeline's keys without a
 * click.
 *
 * Under Xvfb, with real live runs through the socklens-lab helper
 * (sl-test-window.h has what the window's tests share).
 */

#include "config.h"

#include "sl-test-window.h"

/* The keys a class uses are bound to the actions the buttons use. */
static void
test_accels (void)
{
  static const struct { const char *action; const char *accel; } expected[] = {
    { "win.open", "<Control>o" }, { "win.save", "<Control>s" }, { "win.run", "F5" },
    { "win.step", "F6" }, { "win.step", "space" }, { "win.stop", "Escape" },
    { "app.quit", "<Control>q" }, { "win.fullscreen", "F11" },
    { "win.step-actor(uint32 1)", "2" }, { "win.export-diagram", "<Control>e" },
    { "win.presentation", "<Control>p" }, { "window.close", "<Control>w" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (sl_test_app ()),
                                                                   expected[i].action);
      g_assert_true (g_strv_contains ((const char *const *) accels, expected[i].accel));
    }
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
  SlTimelineView *view = sl_test_window_timeline (window);
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
  g_auto(GStrv) described = gtk_application_list_action_descriptions (GTK_APPLICATION (sl_test_app ()));
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
  /* ...and lists nothing that is not: every action it names has its
   * accelerator, every key it shows is the timeline's or the digits */
  for (guint i = 0; i < actions->len; i++)
    {
      g_auto(GStrv) bound = gtk_application_get_accels_for_action (
        GTK_APPLICATION (sl_test_app ()), g_ptr_array_index (actions, i));
      g_test_message ("listed action %s", (char *) g_ptr_array_index (actions, i));
      g_assert_nonnull (bound[0]);
    }
  for (guint i = 0; i < accels->len; i++)
    {
      const char *listed = g_ptr_array_index (accels, i);
      gboolean found = g_str_equal (listed, "1...9");

      for (guint k = 0; k < n_keys && !found; k++)
        found = g_str_equal (listed, keys[k].accels);
      g_test_message ("listed keys %s", listed);
      g_assert_true (found);
    }
  gtk_window_destroy (GTK_WINDOW (overlay));

  /* A text field has a key before the application's one-key accelerators
   * (Space would step the run while a teacher types a message): the
   * window's capture-phase key controller comes first in its list */
  window = sl_test_new_window ();
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
  window = sl_test_new_window ();
  sl_test_run_to_end (window, "tcp-echo");
  sl_test_spin (50);
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (window)) == GTK_WIDGET (sl_test_window_timeline (window)));
  session = sl_window_get_session (window);
  g_assert_true (press (window, GDK_KEY_Home));
  start = sl_session_get_playhead (session);
  g_assert_true (press (window, GDK_KEY_period));
  g_assert_cmpint (sl_session_get_playhead (session), >, start);
  gtk_window_destroy (GTK_WINDOW (window));
  sl_test_spin (50);
}

static gboolean
about_shown (gpointer data)
{
  return sl_test_find_toplevel (ADW_TYPE_ABOUT_WINDOW) != NULL;
}

/* About names the app and its version, with its own icon, found even
 * uninstalled (the icon is in the resources) */
static void
test_about (void)
{
  SlWindow *window = sl_test_new_window ();
  GtkWindow *about;
  g_autofree char *name = NULL;
  g_autofree char *version = NULL;
  g_autofree char *icon = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (sl_test_app ()), "about", NULL);
  g_assert_true (sl_test_wait_for (about_shown, NULL, 5000));
  about = sl_test_find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_object_get (about, "application-name", &name, "version", &version, "application-icon", &icon,
                NULL);
  g_assert_cmpstr (name, ==, "Socklens");
  g_assert_cmpstr (version, ==, PACKAGE_VERSION);
  g_assert_cmpstr (icon, ==, APPLICATION_ID);
  g_assert_true (gtk_icon_theme_has_icon (gtk_icon_theme_get_for_display (
                                            gtk_widget_get_display (GTK_WIDGET (about))),
                                          icon));
  gtk_window_destroy (about);
  gtk_window_destroy (GTK_WINDOW (window));
  sl_test_spin (50);
}

int
main (int    argc,
      char **argv)
{
  sl_test_window_init (&argc, &argv);
  g_test_add_func ("/window/accels", test_accels);
  g_test_add_func ("/window/shortcuts", test_shortcuts);
  g_test_add_func ("/window/about", test_about);
  return sl_test_window_run ();
}
