/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-window-programs.c: the students' own programs, and the lecture's
 * examples, run traced in the window.
 *
 * "Run Your Programs…" picks .py files or executables; a lecture example
 * from the scenario picker is its programs (server first). Either way they
 * take the place of the scenario: the header names them, the code pane shows
 * the first one's file until the first call, and Run and Step start them
 * traced in the lab through the same SlLiveRun a scenario uses
 * (sl_live_run_new_traced: `socklens trace` in the window).
 */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "sl-window-private.h"

#include "cap-lab-protocol.h"
#include "netcore.h"

/* "tcp_server.py + tcp_client.py" */
static char *
programs_heading (const char *const *programs)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; programs[i] != NULL; i++)
    {
      g_autofree char *base = g_path_get_basename (programs[i]);
      g_string_append_printf (text, "%s%s", i ? " + " : "", base);
    }
  return g_strdup (text->str);
}

void
_sl_window_clear_programs (SlWindow *self)
{
  g_clear_pointer (&self->programs, g_strfreev);
  g_clear_pointer (&self->programs_title, g_free);
  self->example = NULL;
}

static void
show_programs_ready (SlWindow *self)
{
  g_autoptr(CapRecording) ready = cap_recording_new ();

  _sl_window_show_ready_recording (self, ready);
  sl_code_view_show_file (self->code_view, self->programs[0]);
  sl_scenario_picker_set_chosen (self->scenario_picker, NULL, self->example);
  _sl_window_update_page (self);
  _sl_window_update_status (self);
  _sl_window_update_actions (self);
}

/**
 * sl_window_set_programs:
 * @programs: paths of .py files or executables (or quoted command lines),
 *   in the order they start
 *
 * Makes @programs what Run and Step start, traced in the lab, in place of
 * the scenario; the code pane shows the first one's file.
 */
void
sl_window_set_programs (SlWindow           *self,
                        const char *const *programs)
{
  g_return_if_fail (SL_IS_WINDOW (self));
  g_return_if_fail (programs != NULL && programs[0] != NULL);

  _sl_window_clear_programs (self);
  self->programs = g_strdupv ((char **) programs);
  self->programs_title = programs_heading (programs);
  show_programs_ready (self);
}

/**
 * sl_window_set_example:
 * Chooses a lecture example (nc_example_lookup ()): its programs, as
 * `socklens trace --example NAME` runs them.
 * Returns: %FALSE if there is no example named @name.
 */
gboolean
sl_window_set_example (SlWindow   *self,
                       const char *name)
{
  const NcExample *example;
  g_auto (GStrv) paths = NULL;

  g_return_val_if_fail (SL_IS_WINDOW (self), FALSE);

  example = name ? nc_example_lookup (name) : NULL;
  if (example == NULL)
    return FALSE;
  paths = nc_example_paths (example);
  _sl_window_clear_programs (self);
  self->programs = g_steal_pointer (&paths);
  /* "TCP server and client", not the lecture files it follows: the header's room */
  self->programs_title = strstr (example->title, " (")
                           ? g_strndup (example->title, strstr (example->title, " (") - example->title)
                           : g_strdup (example->title);
  self->example = example;
  show_programs_ready (self);
  return TRUE;
}

const char *const *
sl_window_get_programs (SlWindow *self)
{
  g_return_val_if_fail (SL_IS_WINDOW (self), NULL);
  return (const char *const *) self->programs;
}

/**
 * _sl_window_describe_program_failures:
 * After a traced run: what went wrong with the programs (the lab's warnings
 * and errors, "syntax_error.py exited with status 1."), each with the last
 * line the program wrote to stderr (the traceback's "SyntaxError: ..."),
 * or %NULL when every program ended well.
 */
char *
_sl_window_describe_program_failures (SlWindow     *self,
                                      CapRecording *recording)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *last_stderr = NULL;

  if (self->live == NULL || sl_live_run_get_programs (self->live) == NULL)
    return NULL;
  for (guint i = 0; i < cap_recording_get_n_console_lines (recording); i++)
    {
      const CapConsoleLine *line = cap_recording_get_console_line (recording, i);
      if (line->stream == 2 && line->text[0] != '\0')
        last_stderr = line->text;
    }
  for (guint i = 0; i < cap_recording_get_n_messages (recording); i++)
    {
      CapMessageSeverity severity = CAP_MESSAGE_INFO;
      const char *message = cap_recording_get_message (recording, i, &severity);

      if (severity != CAP_MESSAGE_INFO &&
          g_strcmp0 (message, sl_live_run_get_lab_message (self->live)) != 0)
        {
          g_autofree char *shown = cap_lab_message_to_display (message);
          g_string_append_printf (text, "%s%s", text->len ? "\n" : "", shown);
        }
    }
  if (text->len == 0)
    return NULL;
  if (last_stderr != NULL)
    g_string_append_printf (text, "\n%s", last_stderr);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* ---- Run Your Programs… -------------------------------------------------- */

static void
on_programs_chosen (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  SlWindow *self = SL_WINDOW (user_data);
  g_autoptr(GListModel) files = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  if (response == GTK_RESPONSE_ACCEPT)
    files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
  for (guint i = 0; files != NULL && i < g_list_model_get_n_items (files); i++)
    {
      g_autoptr(GFile) file = g_list_model_get_item (files, i);
      char *path = g_file_get_path (file);

      if (path != NULL)
        g_ptr_array_add (paths, path);
    }
  g_ptr_array_add (paths, NULL);
  if (paths->len > 1)
    sl_window_set_programs (self, (const char *const *) paths->pdata);
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
add_filter (GtkFileChooser *chooser,
            const char     *name,
            const char     *pattern,
            const char    **mime_types)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  if (pattern != NULL)
    gtk_file_filter_add_pattern (filter, pattern);
  for (guint i = 0; mime_types != NULL && mime_types[i] != NULL; i++)
    gtk_file_filter_add_mime_type (filter, mime_types[i]);
  gtk_file_chooser_add_filter (chooser, filter);
}

static void
run_programs_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  SlWindow *self = SL_WINDOW (widget);
  const char *executables[] = { "application/x-executable", "application/x-pie-executable",
                                "application/x-sharedlib", NULL };
  GtkFileChooserNative *native;

  native = gtk_file_chooser_native_new (_("Run Your Programs (server first)"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("C_hoose"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (native), TRUE);
  add_filter (GTK_FILE_CHOOSER (native), _("Python programs and executables"), "*.py",
              executables);
  add_filter (GTK_FILE_CHOOSER (native), _("Python programs"), "*.py", NULL);
  add_filter (GTK_FILE_CHOOSER (native), _("Executables"), NULL, executables);
  g_signal_connect (native, "response", G_CALLBACK (on_programs_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

/* The folder of the example's (or program's) files, in the file manager */
static void
open_programs_folder_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *parameter)
{
  SlWindow *self = SL_WINDOW (widget);
  g_autoptr(GFile) file = NULL;

  if (self->programs == NULL)
    return;
  file = g_file_new_for_path (self->programs[0]);
  {
    g_autoptr(GFile) folder = g_file_get_parent (file);
    g_autofree char *uri = folder ? g_file_get_uri (folder) : NULL;

    if (uri != NULL)
      gtk_show_uri (GTK_WINDOW (self), uri, GDK_CURRENT_TIME);
  }
}

void
_sl_window_class_programs_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.run-programs", NULL, run_programs_action);
  gtk_widget_class_install_action (widget_class, "win.open-programs-folder", NULL,
                                   open_programs_folder_action);
}
