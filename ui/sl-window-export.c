/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-window-export.c: the exports (win.export-diagram, win.export-events),
 * with the formats of the exporter table (sl-exporters.h).
 */

#include "config.h"

#include <glib/gi18n.h>

#include "sl-window-private.h"

#include "sl-diagram.h"
#include "sl-exporters.h"

/* ---- diagram export ------------------------------------------------------ */

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

/* The message bar: @message names the file already */
static void
export_failed (SlWindow *self, SlExportKind kind, const char *message)
{
  g_autofree char *text =
    g_strdup_printf (kind == SL_EXPORT_DIAGRAM ? _ ("Could not export the diagram: %s")
                                               : _ ("Could not export the events: %s"),
                     message);

  _sl_window_show_message (self, GTK_MESSAGE_ERROR, text);
}

/* What one export writes: read on the main thread, written anywhere (a
 * finished recording is read-only) */
typedef struct
{
  SlExportKind     kind;
  SlTimelineLayout layout;
  CapRecording    *recording;
  char            *path;
} ExportJob;

static void
export_job_free (gpointer data)
{
  ExportJob *job = data;

  g_object_unref (job->recording);
  g_free (job->path);
  g_free (job);
}

/* A diagram as the timeline shows it: on its axis */
static gboolean
export_job_write (ExportJob *job, GError **error)
{
  return job->kind == SL_EXPORT_DIAGRAM
           ? sl_diagram_export_layout (job->recording, job->layout, job->path, error)
           : sl_export (job->kind, job->recording, job->path, error);
}

static void
export_done (SlWindow *self, SlExportKind kind, const char *path)
{
  g_autofree char *text = g_strdup_printf (
    kind == SL_EXPORT_DIAGRAM ? _ ("Diagram saved to “%s”") : _ ("Events saved to “%s”"), path);
  _sl_window_toast (self, text);
}

/* The shown recording as @kind at @path, or %NULL with @error set */
static ExportJob *
export_job_new (SlWindow *self, SlExportKind kind, const char *path, GError **error)
{
  CapRecording *recording = sl_session_get_recording (self->session);
  ExportJob    *job;

  if (!_sl_window_recording_has_content (recording))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _ ("There is no recording to export"));
      return NULL;
    }
  job = g_new0 (ExportJob, 1);
  job->kind = kind;
  job->layout = sl_timeline_view_get_layout (SL_TIMELINE_VIEW (self->timeline));
  job->recording = g_object_ref (recording);
  job->path = g_strdup (path);
  return job;
}

/* Writes the shown recording as @kind and says so: a toast when it is
 * written, the message bar when it is not. */
static gboolean
export_to (SlWindow      *self,
           SlExportKind   kind,
           const char    *path,
           GError       **error)
{
  ExportJob *job = export_job_new (self, kind, path, error);
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  if (job == NULL)
    return FALSE;
  ok = export_job_write (job, &local_error);
  export_job_free (job);
  if (!ok)
    {
      export_failed (self, kind, local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  export_done (self, kind, path);
  return TRUE;
}

static void
export_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;

  if (export_job_write (task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_exported (GObject *source, GAsyncResult *res, gpointer user_data)
{
  SlWindow  *self = SL_WINDOW (source);
  ExportJob *job = g_task_get_task_data (G_TASK (res));
  g_autoptr (GError) error = NULL;

  if (self->toast_overlay == NULL) /* closed meanwhile: the file is written all the same */
    return;
  _sl_window_end_saving (self);
  if (g_task_propagate_boolean (G_TASK (res), &error))
    export_done (self, job->kind, job->path);
  else
    export_failed (self, job->kind, error->message); /* names the file */
}

/* What the chooser's Export does: a Time-layout diagram of a million
 * packets takes seconds, so a finished recording is written in a thread
 * while the bar says where (as Save does); a live one grows on the main
 * thread and is written there. */
static void
export_in_thread (SlWindow *self, SlExportKind kind, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTask) task = NULL;
  g_autoptr (GFile) file = NULL;
  ExportJob *job;

  if (_sl_window_live_is_active (self))
    {
      export_to (self, kind, path, NULL);
      return;
    }
  job = export_job_new (self, kind, path, &error);
  if (job == NULL)
    {
      export_failed (self, kind, error->message);
      return;
    }
  file = g_file_new_for_path (path);
  task = g_task_new (self, NULL, on_exported, NULL);
  g_task_set_source_tag (task, export_in_thread);
  g_task_set_task_data (task, job, export_job_free);
  _sl_window_start_saving (self, file);
  g_task_run_in_thread (task, export_thread);
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
  g_return_val_if_fail (SL_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  return export_to (self, SL_EXPORT_DIAGRAM, path, error);
}

/**
 * sl_window_export_events:
 * @path: where; .csv or .json (docs/EVENTS.md)
 *
 * As sl_window_export_diagram (), for the events as data.
 */
gboolean
sl_window_export_events (SlWindow    *self,
                         const char  *path,
                         GError     **error)
{
  g_return_val_if_fail (SL_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  return export_to (self, SL_EXPORT_EVENTS, path, error);
}

/* A save chooser adds no ending: a name without one gets the chosen
 * filter's, so "lesson" under "PNG" becomes lesson.png; a wrong one
 * ("lesson.txt") is %NULL with a message naming the endings known. */
static char *
path_with_extension (GtkFileChooser *chooser, SlExportKind kind, const char *path, GError **error)
{
  GtkFileFilter *filter = gtk_file_chooser_get_filter (chooser);
  const char *ext = filter ? g_object_get_data (G_OBJECT (filter), "extension") : NULL;

  return sl_exporter_complete_path (kind, path, ext, error);
}

static void
on_export_response (GtkNativeDialog *dialog,
                    int              response,
                    SlWindow        *self)
{
  SlExportKind kind = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "export-kind"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *chosen = file ? g_file_get_path (file) : NULL;

      if (file != NULL && chosen == NULL)
        _sl_window_show_message (self, GTK_MESSAGE_ERROR,
                                 _("Exports can be saved to local files only"));
      else if (chosen != NULL)
        {
          g_autoptr (GError) error = NULL;
          g_autofree char *path =
            path_with_extension (GTK_FILE_CHOOSER (dialog), kind, chosen, &error);

          if (path != NULL)
            export_in_thread (self, kind, path);
          else
            export_failed (self, kind, error->message);
        }
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
choose_export (SlWindow     *self,
               SlExportKind  kind,
               const char   *title)
{
  CapRecording *recording = sl_session_get_recording (self->session);
  GtkFileChooserNative *dialog;
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;
  const SlExporter *list;
  guint n;

  if (!_sl_window_recording_has_content (recording))
    return;

  dialog = gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  list = sl_exporters_list (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkFileFilter) filter = NULL;
      g_autofree char *pattern = NULL;

      if (list[i].kind != kind)
        continue;
      filter = gtk_file_filter_new ();
      pattern = g_strconcat ("*.", list[i].extension, NULL);
      gtk_file_filter_set_name (filter, _(list[i].name));
      gtk_file_filter_add_pattern (filter, pattern);
      g_object_set_data (G_OBJECT (filter), "extension", (gpointer) list[i].extension);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
    }
  g_object_set_data (G_OBJECT (dialog), "export-kind", GINT_TO_POINTER (kind));
  base = recording_base_name (self, recording);
  name = g_strconcat (base, ".", sl_exporter_default (kind)->extension, NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
export_diagram_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  choose_export (SL_WINDOW (widget), SL_EXPORT_DIAGRAM, _("Export Diagram"));
}

static void
export_events_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  choose_export (SL_WINDOW (widget), SL_EXPORT_EVENTS, _("Export Events"));
}

void
_sl_window_class_export_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.export-diagram", NULL, export_diagram_action);
  gtk_widget_class_install_action (widget_class, "win.export-events", NULL, export_events_action);
}
