/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-window-files.c: opening (a worker thread), saving, recent files, drag and drop.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sys/stat.h>

#include "sl-window-private.h"

#define MAX_RECENT 10



/* ---- files --------------------------------------------------------------- */

typedef struct
{
  CapRecording *recording;
  GError       *error;  /* set with a partial recording: damage part way */
} LoadResult;

static void
load_result_free (LoadResult *result)
{
  g_clear_object (&result->recording);
  g_clear_error (&result->error);
  g_free (result);
}

/* A file being read: the worker thread counts the bytes, the progress bar
 * reads them (shared, counted references) */
struct _SlLoadJob
{
  GFile  *file;
  guint64 size;        /* 0 when unknown: a FIFO */
  guint64 bytes_read;  /* atomic */
};

static void
load_job_clear (SlLoadJob *job)
{
  g_clear_object (&job->file);
}

static void
load_job_unref (SlLoadJob *job)
{
  g_rc_box_release_full (job, (GDestroyNotify) load_job_clear);
}

static void
on_bytes_read (guint64  bytes_read,
               gpointer user_data)
{
  SlLoadJob *job = user_data;

  g_atomic_pointer_set ((gpointer *) &job->bytes_read, GSIZE_TO_POINTER ((gsize) bytes_read));
}

/* In a worker thread: the recording is new and reachable from this thread only. */
static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SlLoadJob *job = task_data;
  g_autofree char *path = g_file_get_path (job->file);
  LoadResult *result = g_new0 (LoadResult, 1);

  if (path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("Only local files can be opened"));
      load_result_free (result);
      return;
    }

  result->recording = cap_recording_new ();
  if (!cap_recording_load_file_full (result->recording, path, cancellable, on_bytes_read, job,
                                     &result->error) &&
      (g_error_matches (result->error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
       !_sl_window_recording_has_content (result->recording)))
    {
      g_task_return_error (task, g_steal_pointer (&result->error));
      load_result_free (result);
      return;
    }
  g_task_return_pointer (task, result, (GDestroyNotify) load_result_free);
}

static void
add_recent (SlWindow *self,
            GFile    *file)
{
  g_autofree char *uri = g_file_get_uri (file);
  g_auto(GStrv) old = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) list = NULL;
  guint n = 1;

  if (self->settings == NULL)
    return;
  old = g_settings_get_strv (self->settings, "recent-files");
  g_strv_builder_add (builder, uri);
  for (guint i = 0; old[i] != NULL && n < MAX_RECENT; i++)
    if (!g_str_equal (old[i], uri))
      {
        g_strv_builder_add (builder, old[i]);
        n++;
      }
  list = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-files", (const char *const *) list);
}

static void
apply_pending_selection (SlWindow *self)
{
  CapRecording *recording = sl_session_get_recording (self->session);
  SlSelectionKind kind = self->pending_kind;

  self->pending_kind = SL_SELECTION_NONE;
  if (kind == SL_SELECTION_PACKET && self->pending_index < cap_recording_get_n_packets (recording))
    {
      sl_session_set_playhead (self->session,
                               cap_recording_get_packet (recording, self->pending_index)->ts);
      sl_session_select (self->session, kind, self->pending_index);
    }
  else if (kind == SL_SELECTION_CALL && self->pending_index < cap_recording_get_n_calls (recording))
    {
      sl_session_set_playhead (self->session,
                               cap_recording_get_call (recording, self->pending_index)->ts_start);
      sl_session_select (self->session, kind, self->pending_index);
    }
}

static void end_loading (SlWindow *self);

static void
on_file_loaded (GObject      *source,
                GAsyncResult *res,
                gpointer      user_data)
{
  SlWindow *self = SL_WINDOW (source);
  GTask *task = G_TASK (res);
  SlLoadJob *job = g_task_get_task_data (task);
  GFile *file = job->file;
  g_autofree char *name = g_file_get_basename (file);
  g_autoptr(GError) error = NULL;
  LoadResult *result = g_task_propagate_pointer (task, &error);

  /* Cancelled: a newer file was asked for, or the window is gone. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      g_clear_pointer (&result, load_result_free);
      return;
    }

  end_loading (self);

  if (result == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not open “%s”: %s"), name,
                                               error->message);
      _sl_window_show_message (self, GTK_MESSAGE_ERROR, text);
      _sl_window_update_status (self);
      _sl_window_update_actions (self);
      return;
    }

  _sl_window_drop_live (self);
  _sl_window_hide_message (self);
  g_set_object (&self->file, file);
  /* A recovered run's place in the cache is not one to come back to */
  if (self->recovered == NULL || !g_file_equal (file, self->recovered))
    add_recent (self, file);
  if (result->error != NULL)
    {
      g_autofree char *text =
        g_strdup_printf (_("“%s” is damaged part way: showing what was read before the damage (%s)"),
                         name, result->error->message);
      _sl_window_show_message (self, GTK_MESSAGE_WARNING, text);
    }
  sl_session_set_follow_live (self->session, FALSE);
  /* A recording of a scenario makes it the one Run and Restart start */
  if (cap_recording_get_scenario (result->recording) != NULL)
    {
      const NcScenario *scenario = nc_scenario_lookup (cap_recording_get_scenario (result->recording));
      if (scenario != NULL)
        _sl_window_choose_scenario (self, scenario);
    }
  _sl_window_show_recording (self, result->recording);
  sl_session_fit_all (self->session);
  apply_pending_selection (self);
  load_result_free (result);
}

/* What the progress bar says: "Opening big.pcap: 120 of 490 MB" */
static gboolean
update_load_progress (gpointer data)
{
  SlWindow *self = data;
  SlLoadJob *job = self->load_job;
  guint64 done = (guint64) GPOINTER_TO_SIZE (g_atomic_pointer_get ((gpointer *) &job->bytes_read));
  g_autofree char *name = g_file_get_basename (job->file);
  g_autofree char *done_text = g_format_size (done);
  g_autofree char *text = NULL;

  if (job->size > 0)
    {
      g_autofree char *size_text = g_format_size (job->size);
      text = g_strdup_printf (_("Opening “%s”: %s of %s"), name, done_text, size_text);
      gtk_progress_bar_set_fraction (self->load_progress, MIN (1.0, (double) done / job->size));
    }
  else
    {
      text = g_strdup_printf (_("Opening “%s”: %s read"), name, done_text);
      gtk_progress_bar_pulse (self->load_progress);
    }
  gtk_progress_bar_set_text (self->load_progress, text);
  gtk_widget_set_visible (GTK_WIDGET (self->load_cancel_button), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->load_box), TRUE);
  return G_SOURCE_CONTINUE;
}

/* The spinner and progress bar go, whatever ended the load */
static void
end_loading (SlWindow *self)
{
  g_clear_handle_id (&self->load_timeout, g_source_remove);
  g_clear_pointer (&self->load_job, load_job_unref);
  gtk_widget_set_visible (GTK_WIDGET (self->load_box), self->save_timeout != 0);
  gtk_spinner_stop (self->spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
}

/**
 * _sl_window_cancel_load:
 * Stops reading a file, if one is being read; what was shown stays.
 * Returns: %TRUE if a load was cancelled.
 */
gboolean
_sl_window_cancel_load (SlWindow *self)
{
  gboolean loading = sl_window_is_loading (self);

  g_cancellable_cancel (self->load_cancellable);
  end_loading (self);
  if (loading)
    {
      _sl_window_update_status (self);
      _sl_window_update_actions (self);
    }
  return loading;
}

void
sl_window_open_file (SlWindow *self,
                     GFile    *file)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *path = NULL;
  SlLoadJob *job;
  GStatBuf st;

  g_return_if_fail (SL_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  _sl_window_cancel_load (self);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();

  job = g_rc_box_new0 (SlLoadJob);
  job->file = g_object_ref (file);
  path = g_file_get_path (file);
  if (path != NULL && g_stat (path, &st) == 0 && S_ISREG (st.st_mode))
    job->size = (guint64) st.st_size;
  self->load_job = g_rc_box_acquire (job);

  task = g_task_new (self, self->load_cancellable, on_file_loaded, NULL);
  g_task_set_source_tag (task, sl_window_open_file);
  g_task_set_task_data (task, job, (GDestroyNotify) load_job_unref);
  g_task_run_in_thread (task, load_thread);

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), TRUE);
  gtk_spinner_start (self->spinner);
  gtk_progress_bar_set_fraction (self->load_progress, 0);
  /* A quick load never shows the bar; a long one says how far it is */
  self->load_timeout = g_timeout_add (150, update_load_progress, self);
  _sl_window_update_status (self);
  _sl_window_update_actions (self);
}

static void
cancel_load_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  SlWindow *self = SL_WINDOW (widget);
  g_autofree char *name = self->load_job ? g_file_get_basename (self->load_job->file) : NULL;

  if (name != NULL && _sl_window_cancel_load (self))
    {
      g_autofree char *text = g_strdup_printf (_("Stopped opening “%s”"), name);
      _sl_window_toast (self, text);
    }
}

void
_sl_window_files_dispose (SlWindow *self)
{
  g_cancellable_cancel (self->load_cancellable);
  g_clear_handle_id (&self->save_timeout, g_source_remove);
  end_loading (self);
}

void
sl_window_select_when_loaded (SlWindow        *self,
                              SlSelectionKind  kind,
                              guint            index)
{
  g_return_if_fail (SL_IS_WINDOW (self));

  self->pending_kind = kind;
  self->pending_index = index;
}

gboolean
sl_window_is_loading (SlWindow *self)
{
  g_return_val_if_fail (SL_IS_WINDOW (self), FALSE);
  return gtk_spinner_get_spinning (self->spinner);
}

static void
add_filters (GtkFileChooser *chooser)
{
  g_autoptr(GtkFileFilter) captures = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) pcapng = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) pcap = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  gtk_file_filter_set_name (captures, _("Captures (.pcapng, .pcap)"));
  gtk_file_filter_add_pattern (captures, "*.pcapng");
  gtk_file_filter_add_pattern (captures, "*.pcap");
  gtk_file_filter_add_pattern (captures, "*.cap");
  gtk_file_filter_add_mime_type (captures, "application/x-pcapng");
  gtk_file_filter_add_mime_type (captures, "application/vnd.tcpdump.pcap");
  gtk_file_filter_set_name (pcapng, _("pcapng (.pcapng)"));
  gtk_file_filter_add_pattern (pcapng, "*.pcapng");
  gtk_file_filter_set_name (pcap, _("pcap (.pcap)"));
  gtk_file_filter_add_pattern (pcap, "*.pcap");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");

  gtk_file_chooser_add_filter (chooser, captures);
  gtk_file_chooser_add_filter (chooser, pcapng);
  gtk_file_chooser_add_filter (chooser, pcap);
  gtk_file_chooser_add_filter (chooser, all);
}

static void
on_open_response (GtkNativeDialog *dialog,
                  int              response,
                  SlWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (file != NULL)
        sl_window_open_file (self, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SlWindow *self = SL_WINDOW (widget);
  GtkFileChooserNative *dialog;

  dialog = gtk_file_chooser_native_new (_("Open a Recording"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  add_filters (GTK_FILE_CHOOSER (dialog));
  g_signal_connect (dialog, "response", G_CALLBACK (on_open_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
open_recent_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (parameter, NULL));

  sl_window_open_file (SL_WINDOW (widget), file);
}

/* ---- saving -------------------------------------------------------------- */

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CapRecording *recording = task_data;
  const char *path = g_object_get_data (G_OBJECT (task), "path");
  GError *error = NULL;

  if (cap_recording_save (recording, path, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* A big recording takes a second or two to write: the bar under the header
 * says what is being written where (a save cannot be cancelled half way:
 * it writes a temporary file and renames it, so nothing is half-written) */
static gboolean
pulse_saving (gpointer data)
{
  SlWindow *self = data;

  if (self->load_job == NULL)
    gtk_progress_bar_pulse (self->load_progress);
  return G_SOURCE_CONTINUE;
}

static void
start_saving (SlWindow *self,
              GFile    *file)
{
  g_autofree char *where = g_file_get_parse_name (file);
  g_autofree char *text = g_strdup_printf (_("Saving “%s”…"), where);

  if (self->load_job != NULL)
    return;  /* the load's bar stays */
  gtk_progress_bar_set_text (self->load_progress, text);
  gtk_progress_bar_pulse (self->load_progress);
  gtk_widget_set_visible (GTK_WIDGET (self->load_cancel_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->load_box), TRUE);
  g_clear_handle_id (&self->save_timeout, g_source_remove);
  self->save_timeout = g_timeout_add (100, pulse_saving, self);
}

static void
end_saving (SlWindow *self)
{
  g_clear_handle_id (&self->save_timeout, g_source_remove);
  if (self->load_job == NULL)
    gtk_widget_set_visible (GTK_WIDGET (self->load_box), FALSE);
}

/**
 * sl_window_is_saving:
 * Returns: %TRUE while a save writes in its thread (the bar says so)
 */
gboolean
sl_window_is_saving (SlWindow *self)
{
  g_return_val_if_fail (SL_IS_WINDOW (self), FALSE);
  return self->save_timeout != 0;
}

static void
on_saved (GObject      *source,
          GAsyncResult *res,
          gpointer      user_data)
{
  SlWindow *self = SL_WINDOW (source);
  g_autoptr(GFile) file = user_data;
  g_autofree char *name = g_file_get_basename (file);
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (res), &error);

  if (self->toast_overlay == NULL)  /* closed while saving: the file is written all the same */
    return;
  end_saving (self);
  if (ok)
    add_recent (self, file);
  /* A close that waited for this save: the window is gone, and a toast
   * added to it now was never shown nor freed */
  if (_sl_window_keep_saved (self, ok,
                             GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (res), "events"))))
    return;
  if (!ok)
    {
      g_autofree char *where = g_file_get_parse_name (file);
      /* The file's own errors name it (cap_atomic_file); others get its path */
      g_autofree char *text = strstr (error->message, where) != NULL
                                ? g_strdup_printf (_("Could not save the run: %s"), error->message)
                                : g_strdup_printf (_("Could not save “%s”: %s"), where,
                                                   error->message);
      _sl_window_show_message (self, GTK_MESSAGE_ERROR, text);
      return;
    }
  {
    g_autofree char *text = g_strdup_printf (_("Saved “%s”: it opens in Wireshark too"), name);
    _sl_window_toast (self, text);
  }
}

static void
save_to (SlWindow *self,
         GFile    *file)
{
  CapRecording *recording = sl_session_get_recording (self->session);
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GTask) task = NULL;

  if (path == NULL)
    {
      _sl_window_show_message (self, GTK_MESSAGE_ERROR,
                               _("Recordings can be saved to local files only"));
      _sl_window_keep_save_cancelled (self);
      return;
    }

  task = g_task_new (self, NULL, on_saved, g_object_ref (file));
  g_task_set_source_tag (task, save_to);
  g_object_set_data_full (G_OBJECT (task), "path", g_steal_pointer (&path), g_free);
  g_task_set_task_data (task, g_object_ref (recording), g_object_unref);
  g_object_set_data (G_OBJECT (task), "events",
                     GUINT_TO_POINTER (cap_recording_get_n_calls (recording) +
                                       cap_recording_get_n_packets (recording)));
  /* A live recording grows on the main thread: write it there (it is
   * small). A finished one is read-only and may be large: a thread. */
  if (_sl_window_live_is_active (self))
    save_thread (task, self, recording, NULL);
  else
    {
      start_saving (self, file);
      g_task_run_in_thread (task, save_thread);
    }
}

/**
 * sl_window_save:
 * What win.save does once its chooser has a file: writes what is shown
 * (a thread for a finished recording), then a toast or the message bar.
 */
void
sl_window_save (SlWindow *self,
                GFile    *file)
{
  g_return_if_fail (SL_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (_sl_window_recording_has_content (sl_session_get_recording (self->session)))
    save_to (self, file);
}

static void
on_save_response (GtkNativeDialog *dialog,
                  int              response,
                  SlWindow        *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  if (file != NULL)
    save_to (self, file);
  else
    _sl_window_keep_save_cancelled (self);
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SlWindow *self = SL_WINDOW (widget);
  CapRecording *recording = sl_session_get_recording (self->session);
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;

  if (!_sl_window_recording_has_content (recording))
    {
      _sl_window_keep_save_cancelled (self);
      return;
    }

  dialog = gtk_file_chooser_native_new (_("Save as pcapng"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_filter_set_name (filter, _("pcapng (.pcapng)"));
  gtk_file_filter_add_pattern (filter, "*.pcapng");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);

  if (self->file != NULL)
    {
      g_autofree char *base = g_file_get_basename (self->file);
      char *dot = strrchr (base, '.');
      if (dot != NULL)
        *dot = '\0';
      name = g_strdup_printf ("%s.pcapng", base);
    }
  else
    name = g_strdup_printf ("%s.pcapng", cap_recording_get_scenario (recording)
                                           ? cap_recording_get_scenario (recording) : "socklens");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ---- recent files ---------------------------------------------- */

void
_sl_window_fill_recent_menu (SlWindow *self)
{
  g_auto(GStrv) uris = NULL;

  g_menu_remove_all (self->recent_menu);
  if (self->settings == NULL)
    return;
  uris = g_settings_get_strv (self->settings, "recent-files");
  for (guint i = 0; uris[i] != NULL; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_uri (uris[i]);
      g_autofree char *name = g_file_get_basename (file);
      g_autoptr(GMenuItem) item = g_menu_item_new (name, NULL);

      g_menu_item_set_action_and_target (item, "win.open-recent", "s", uris[i]);
      g_menu_append_item (self->recent_menu, item);
    }
  if (uris[0] == NULL)
    {
      g_autoptr(GMenuItem) item = g_menu_item_new (_("No recent recordings"), "win.none");
      g_menu_append_item (self->recent_menu, item);
    }
}
/* ---- drag and drop ------------------------------------------------------- */

/* A student's program (what Run Your Programs… takes), not a capture */
static gboolean
is_program (GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *path = g_file_get_path (file);

  if (name == NULL || path == NULL)
    return FALSE;
  if (g_str_has_suffix (name, ".py"))
    return TRUE;
  if (g_str_has_suffix (name, ".pcapng") || g_str_has_suffix (name, ".pcap") ||
      g_str_has_suffix (name, ".cap"))
    return FALSE;
  return g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) && !g_file_test (path, G_FILE_TEST_IS_DIR);
}

/**
 * sl_window_open_files:
 * @files: (array length=n_files): files dropped on the window or named on
 *   its command line (`socklens server.py client.py`)
 *
 * Programs become what Run and Step start (in the order given, server first
 * as in Run Your Programs…); anything else opens as a recording, the first
 * of several.
 * Returns: %FALSE if there was nothing to open.
 */
gboolean
sl_window_open_files (SlWindow    *self,
                      GFile      **files,
                      guint        n_files)
{
  g_autoptr(GPtrArray) programs = g_ptr_array_new_with_free_func (g_free);
  GFile *capture = NULL;
  guint n_captures = 0;

  g_return_val_if_fail (SL_IS_WINDOW (self), FALSE);

  for (guint i = 0; i < n_files; i++)
    if (is_program (files[i]))
      g_ptr_array_add (programs, g_file_get_path (files[i]));
    else if (n_captures++ == 0)
      capture = files[i];

  if (capture != NULL)
    {
      if (n_captures + programs->len > 1)
        _sl_window_toast (self, _("Several files dropped: opening the first recording"));
      sl_window_open_file (self, capture);
      return TRUE;
    }
  if (programs->len == 0)
    return FALSE;
  g_ptr_array_add (programs, NULL);
  sl_window_set_programs (self, (const char *const *) programs->pdata);
  _sl_window_toast (self, _("Your programs are ready: Step (Space) or Run (F5) traces them"));
  return TRUE;
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         SlWindow      *self)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    for (GSList *l = g_value_get_boxed (value); l != NULL; l = l->next)
      g_ptr_array_add (files, l->data);
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE) && g_value_get_object (value) != NULL)
    g_ptr_array_add (files, g_value_get_object (value));
  return sl_window_open_files (self, (GFile **) files->pdata, files->len);
}

void
_sl_window_class_files_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-load", NULL, cancel_load_action);
  gtk_widget_class_install_action (widget_class, "win.save", NULL, save_action);
}

/* The Open button's arrow and the main menu share one recent list; a file
 * dropped anywhere on the window opens. */
void
_sl_window_files_init (SlWindow *self)
{
  GtkDropTarget *drop;
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };

  self->recent_menu = g_menu_new ();
  adw_split_button_set_menu_model (self->open_button, G_MENU_MODEL (self->recent_menu));
  g_menu_append_section (self->recent_submenu, NULL, G_MENU_MODEL (self->recent_menu));

  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, types, G_N_ELEMENTS (types));
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}
