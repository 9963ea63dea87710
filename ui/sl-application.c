/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-application.c: the application: settings, accelerators, app actions.
 *
 * AdwApplication loads style.css and follows the system's dark and
 * high-contrast preferences by itself, from the resource base path
 * /org/socklens/Socklens; GtkApplication loads gtk/help-overlay.ui from there
 * too, giving win.show-help-overlay (Ctrl+?).
 */

#include "config.h"

#include "sl-application.h"

#include <glib/gi18n.h>

#include "sl-window.h"

struct _SlApplication
{
  AdwApplication parent_instance;

  GSettings     *settings;
  char          *select;  /* --select: "packet:N" or "call:N", applied after a file loads */
  gboolean       presentation;  /* --presentation */
};

G_DEFINE_FINAL_TYPE (SlApplication, sl_application, ADW_TYPE_APPLICATION)

/* Keys a class expects: the brief's list, and F-keys for a presenter's clicker. */
static const struct
{
  const char *action;
  const char *accels[4];
} accels[] = {
  { "win.open", { "<Control>o", NULL } },
  { "win.run-programs", { "<Control><Shift>o", NULL } },
  { "win.save", { "<Control>s", "<Control><Shift>s", NULL } },
  { "win.export-diagram", { "<Control>e", NULL } },
  { "win.run", { "F5", NULL } },
  { "win.step", { "F6", "space", "Right", NULL } },
  { "win.pause", { "F7", NULL } },
  { "win.stop", { "Escape", NULL } },
  { "win.restart", { "<Control>r", NULL } },
  { "win.fullscreen", { "F11", NULL } },
  /* Not F10: GNOME opens the primary menu with it, and the menu button takes it first */
  { "win.presentation", { "<Control>p", NULL } },
  { "win.side-pane", { "F9", NULL } },
  { "app.quit", { "<Control>q", NULL } },
  { "window.close", { "<Control>w", NULL } },
  { "win.step-actor(uint32 0)", { "1", NULL } },
  { "win.step-actor(uint32 1)", { "2", NULL } },
  { "win.step-actor(uint32 2)", { "3", NULL } },
  { "win.step-actor(uint32 3)", { "4", NULL } },
  { "win.step-actor(uint32 4)", { "5", NULL } },
  { "win.step-actor(uint32 5)", { "6", NULL } },
  { "win.step-actor(uint32 6)", { "7", NULL } },
  { "win.step-actor(uint32 7)", { "8", NULL } },
  { "win.step-actor(uint32 8)", { "9", NULL } },
};

/* The schema is installed with the app; an uninstalled build finds it in
 * the build tree (data/ compiles it there). Without either, settings are
 * simply not kept, rather than the abort g_settings_new () would give. */
static GSettings *
load_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaSource) build_source = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  if (schema == NULL)
    {
      build_source = g_settings_schema_source_new_from_directory (BUILD_DATADIR, source, FALSE,
                                                                  NULL);
      if (build_source != NULL)
        schema = g_settings_schema_source_lookup (build_source, APPLICATION_ID, FALSE);
    }
  if (schema == NULL)
    {
      g_message ("Settings schema %s not found: settings will not be kept", APPLICATION_ID);
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

static SlWindow *
get_window (SlApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (sl_window_new (GTK_APPLICATION (self)));
  /* --presentation turns it on; without it the saved setting decides */
  if (self->presentation)
    sl_window_set_presentation (SL_WINDOW (window), TRUE);
  return SL_WINDOW (window);
}

static void
apply_select (SlApplication *self,
              SlWindow      *window)
{
  SlSelectionKind kind = SL_SELECTION_NONE;
  guint64 index;
  const char *colon;

  if (self->select == NULL || (colon = strchr (self->select, ':')) == NULL)
    return;
  if (g_str_has_prefix (self->select, "packet:"))
    kind = SL_SELECTION_PACKET;
  else if (g_str_has_prefix (self->select, "call:"))
    kind = SL_SELECTION_CALL;
  if (kind != SL_SELECTION_NONE &&
      g_ascii_string_to_unsigned (colon + 1, 10, 1, G_MAXUINT, &index, NULL))
    sl_window_select_when_loaded (window, kind, (guint) index - 1);
  else
    g_printerr (_("socklens: --select takes packet:N or call:N (from 1), not “%s”\n"), self->select);
}

static void
sl_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (get_window (SL_APPLICATION (app))));
}

static void
sl_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  SlApplication *self = SL_APPLICATION (app);
  SlWindow *window = get_window (self);

  apply_select (self, window);
  /* `socklens server.py client.py` runs them, as a drop does */
  sl_window_open_files (window, files, n_files);
  gtk_window_present (GTK_WINDOW (window));
}

static int
sl_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  SlApplication *self = SL_APPLICATION (app);

  g_variant_dict_lookup (options, "select", "s", &self->select);
  g_variant_dict_lookup (options, "presentation", "b", &self->presentation);
  return -1;
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  GApplication *app = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  /* Through close-request, so the window keeps its size for next time. */
  g_autoptr(GList) copy = g_list_copy (windows);

  for (GList *l = copy; l != NULL; l = l->next)
    gtk_window_close (l->data);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  GtkApplication *app = user_data;
  const char *developers[] = { _("The Socklens authors"), NULL };

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", "Socklens",
                         "application-icon", APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("See the socket API at work: every call and every "
                                       "packet on one timeline."),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "developers", developers,
                         NULL);
}

static const GActionEntry app_actions[] = {
  { "quit", quit_activated, NULL, NULL, NULL, { 0 } },
  { "about", about_activated, NULL, NULL, NULL, { 0 } },
};

static void
sl_application_startup (GApplication *app)
{
  SlApplication *self = SL_APPLICATION (app);

  G_APPLICATION_CLASS (sl_application_parent_class)->startup (app);

  self->settings = load_settings ();
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions),
                                   app);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action,
                                           accels[i].accels);
}

static void
sl_application_finalize (GObject *object)
{
  SlApplication *self = SL_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->select, g_free);

  G_OBJECT_CLASS (sl_application_parent_class)->finalize (object);
}

static void
sl_application_class_init (SlApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = sl_application_finalize;
  app_class->startup = sl_application_startup;
  app_class->activate = sl_application_activate;
  app_class->open = sl_application_open;
  app_class->handle_local_options = sl_application_handle_local_options;
}

static void
sl_application_init (SlApplication *self)
{
  static const GOptionEntry options[] = {
    { "select", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Select packet:N or call:N (from 1) once FILE is open"), N_("WHAT") },
    { "presentation", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Start in presentation mode: full screen, large type, for a projector"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), "[FILE]");
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Opens the window; with FILE, shows that recording. "
                                              "“socklens list|run|show|trace” is the command line."));
}

SlApplication *
sl_application_new (void)
{
  return g_object_new (SL_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/org/socklens/Socklens",
                       NULL);
}

GSettings *
sl_application_get_settings (SlApplication *self)
{
  g_return_val_if_fail (SL_IS_APPLICATION (self), NULL);
  return self->settings;
}

gboolean
sl_application_display_works (void)
{
  return gtk_init_check ();
}
