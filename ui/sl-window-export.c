/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-window-export.c: the diagram export (win.export-diagram).
 */

#include "config.h"

#include <glib/gi18n.h>

#include "sl-window-private.h"

#include "sl-diagram.h"

/* ---- diagram export ------------------------------------------------------ */

/* The extensions sl_diagram_export () knows, with their filters' names. */
static const struct
{
  const char *ext;
  const char *name;
} diagram_formats[] = {
  { "svg", N_("SVG image (.svg)") },
  { "pdf", N_("PDF document (.pdf)") },
  { "png", N_("PNG image (.png)") },
};

/* "tcp-echo" for a run of tcp-echo, "homework" for homework.pcapng */
static char *
recording_base_name (SlWindow     *self,
                     CapRecording *recording)
{
  if (self->file != NULL)
    {
      char *base = g_file_get_basename (self->file);
      char *dot = strrchr (base, '.');

      if (dot != NULL && dot != base)
        *dot = '\0';
      return base;
    }
  return g_strdup (cap_recording_get_scenario (recording) ? cap_recording_get_scenario (recording)
                                                          : "socklens");
}

/**
 * sl_window_export_diagram:
 * @path: where; the format follows the name's ending (.svg, .pdf, .png)
 *
 * Writes the shown recording as a diagram and says so: a toast when it is
 * written, the message bar when it is not (the chooser's path ends here).
 * Returns: %FALSE with @error set if nothing was written.
 */
gboolean
sl_window_export_diagram (SlWindow    *self,
                          const char  *path,
                          GError     **error)
{
  CapRecording *recording;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (SL_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  recording = sl_session_get_recording (self->session);
  if (!_sl_window_recording_has_content (recording))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("There is no recording to export"));
      return FALSE;
    }
  if (!sl_diagram_export (recording, path, &local_error))
    {
      /* The message names the file already */
      text = g_strdup_printf (_("Could not export the diagram: %s"), local_error->message);
      _sl_window_show_message (self, GTK_MESSAGE_ERROR, text);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  text = g_strdup_printf (_("Diagram saved to “%s”"), path);
  _sl_window_toast (self, text);
  return TRUE;
}

/* A save chooser adds no extension: a name without a known one gets the
 * chosen filter's, so "lesson" under "PNG" becomes lesson.png. */
static char *
path_with_extension (GtkFileChooser *chooser,
                     const char     *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);
  GtkFileFilter *filter = gtk_file_chooser_get_filter (chooser);
  const char *ext = filter ? g_object_get_data (G_OBJECT (filter), "extension") : NULL;

  for (guint i = 0; i < G_N_ELEMENTS (diagram_formats); i++)
    {
      g_autofree char *suffix = g_strconcat (".", diagram_formats[i].ext, NULL);
      if (g_str_has_suffix (lower, suffix))
        return g_strdup (path);
    }
  return g_strconcat (path, ".", ext ? ext : "svg", NULL);
}

static void
on_export_response (GtkNativeDialog *dialog,
                    int              response,
                    SlWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *chosen = file ? g_file_get_path (file) : NULL;

      if (file != NULL && chosen == NULL)
        _sl_window_show_message (self, GTK_MESSAGE_ERROR,
                                 _("Diagrams can be saved to local files only"));
      else if (chosen != NULL)
        {
          g_autofree char *path = path_with_extension (GTK_FILE_CHOOSER (dialog), chosen);
          sl_window_export_diagram (self, path, NULL);
        }
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
export_diagram_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  SlWindow *self = SL_WINDOW (widget);
  CapRecording *recording = sl_session_get_recording (self->session);
  GtkFileChooserNative *dialog;
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;

  if (!_sl_window_recording_has_content (recording))
    return;

  dialog = gtk_file_chooser_native_new (_("Export Diagram"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (diagram_formats); i++)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
      g_autofree char *pattern = g_strconcat ("*.", diagram_formats[i].ext, NULL);

      gtk_file_filter_set_name (filter, _(diagram_formats[i].name));
      gtk_file_filter_add_pattern (filter, pattern);
      g_object_set_data (G_OBJECT (filter), "extension", (gpointer) diagram_formats[i].ext);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
    }
  base = recording_base_name (self, recording);
  name = g_strconcat (base, ".svg", NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}


void
_sl_window_class_export_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.export-diagram", NULL, export_diagram_action);
}
