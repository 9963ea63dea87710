/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-window-keep.c: nothing a class recorded is lost.
 *
 * - Closing (or Ctrl+Q) with a run not in a file asks, as GNOME Text Editor
 *   does: Save…, Close Without Saving, Cancel; Save… closes once saved.
 * - A run that another choice replaces (a scenario, programs, a file,
 *   Restart) is kept behind a toast with Undo until the toast goes.
 * - Each live run's stream is also written, block by block as it arrives,
 *   to a hidden file in ~/.cache/socklens/recovery (cap_lab_stream_to_file):
 *   if the app dies, the next start offers that run back in a message bar.
 *   The file goes once the run is saved or thrown away on purpose.
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "sl-window-private.h"

#define STREAM_PREFIX ".run-"  /* cap_atomic_file_open_temp's "." + our "run-PID-TIME" */
#define RESPONSE_OPEN 1
#define RESPONSE_DISCARD 2

/* What a replaced run needs to come back as it was */
struct _SlKeptRun
{
  SlLiveRun        *live;
  guint             saved_events;
  const NcScenario *scenario;
  char            **programs;
  char             *programs_title;
  const NcExample  *example;
  AdwToast         *toast;  /* not a reference */
};

static void
kept_run_free (SlKeptRun *kept)
{
  /* Gone without Undo: thrown away on purpose */
  sl_live_run_drop_stream (kept->live, TRUE);
  g_object_unref (kept->live);
  g_strfreev (kept->programs);
  g_free (kept->programs_title);
  g_free (kept);
}

char *
sl_window_get_recovery_dir (void)
{
  return g_build_filename (g_get_user_cache_dir (), "socklens", "recovery", NULL);
}

/* ---- unsaved ------------------------------------------------------------- */

static guint
count_events (CapRecording *recording)
{
  return cap_recording_get_n_calls (recording) + cap_recording_get_n_packets (recording);
}

/* A live run with something in it that is not in a file, or a recovered
 * run not yet saved anywhere else */
gboolean
_sl_window_run_is_unsaved (SlWindow *self)
{
  guint events;

  if (self->live == NULL)
    return self->recovered != NULL && self->file != NULL && g_file_equal (self->file, self->recovered);
  events = count_events (sl_live_run_get_recording (self->live));
  return events > 0 && (events != self->saved_events || _sl_window_live_is_active (self));
}

/* ---- closing ------------------------------------------------------------- */

/* After the dialog's response is over: the dialog goes with the window */
static gboolean
close_later (gpointer data)
{
  gtk_window_close (data);
  return G_SOURCE_REMOVE;
}

static void
close_now_confirmed (SlWindow *self)
{
  self->close_confirmed = TRUE;
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, close_later, g_object_ref (self), g_object_unref);
}

static void
on_close_response (AdwMessageDialog *dialog,
                   const char       *response,
                   SlWindow         *self)
{
  if (g_str_equal (response, "discard"))
    close_now_confirmed (self);
  else if (g_str_equal (response, "save"))
    {
      /* Closes once the file is written; a cancelled chooser or a failed
       * save leaves the window open with the run in it */
      self->close_after_save = TRUE;
      gtk_widget_activate_action (GTK_WIDGET (self), "win.save", NULL);
    }
}

static void
ask_to_save_run (SlWindow *self)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Save the Run?"), NULL);

  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog),
                               _sl_window_live_is_active (self)
                                 ? _("The run is still going. Closing stops it, and what it "
                                     "recorded is lost unless you save it.")
                                 : _("What this run recorded is lost unless you save it."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "discard", _("Close _Without Saving"), "save", _("_Save…"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discard",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_close_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/**
 * _sl_window_keep_close_request:
 * From close-request. Returns: %TRUE if the window must stay (it asks
 * first); otherwise it closes, and what was kept for recovery goes.
 */
gboolean
_sl_window_keep_close_request (SlWindow *self)
{
  if (!self->close_confirmed && _sl_window_run_is_unsaved (self))
    {
      ask_to_save_run (self);
      return TRUE;
    }
  /* Saved, empty, or thrown away on purpose */
  if (self->live != NULL)
    sl_live_run_drop_stream (self->live, TRUE);
  if (self->recovered != NULL)
    g_file_delete (self->recovered, NULL, NULL);
  return FALSE;
}

/**
 * _sl_window_keep_saved:
 * After a save of what is shown: @ok and, for a live run, how many events
 * the file holds. A saved run needs no recovery file; a close that waited
 * for the save goes on.
 * Returns: %TRUE if the window closed (nothing more is said in it)
 */
gboolean
_sl_window_keep_saved (SlWindow *self,
                       gboolean  ok,
                       guint     events)
{
  gboolean close = self->close_after_save && ok;

  self->close_after_save = FALSE;
  if (!ok)
    return FALSE;
  if (self->live != NULL)
    {
      self->saved_events = events;
      if (!_sl_window_run_is_unsaved (self))
        sl_live_run_drop_stream (self->live, TRUE);
    }
  else if (self->recovered != NULL)
    {
      /* Safe elsewhere now; the shown recording reads its open descriptor */
      g_file_delete (self->recovered, NULL, NULL);
      g_clear_object (&self->recovered);
    }
  if (close)
    close_now_confirmed (self);
  return close;
}

void
_sl_window_keep_save_cancelled (SlWindow *self)
{
  self->close_after_save = FALSE;
}

/* ---- recovery files of live runs ----------------------------------------- */

/* Before a live run starts: its stream goes to a recovery file as it comes */
void
_sl_window_keep_stream (SlWindow *self)
{
  g_autofree char *dir = sl_window_get_recovery_dir ();
  g_autofree char *name = g_strdup_printf ("run-%d-%" G_GINT64_FORMAT ".pcapng", (int) getpid (),
                                           g_get_real_time ());
  g_autofree char *target = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    g_set_error (&error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", dir,
                 g_strerror (errno));
  else
    sl_live_run_keep_stream (self->live, target, &error);
  if (error != NULL)
    {
      g_autofree char *text =
        g_strdup_printf (_("No recovery copy of this run (%s): save it before closing"),
                         error->message);
      _sl_window_toast (self, text);
    }
}

/* The process that wrote a stream file, from its name (".run-PID-TIME…") */
static gboolean
writer_is_gone (const char *name)
{
  guint64 pid;
  char *end;

  if (!g_str_has_prefix (name, STREAM_PREFIX))
    return FALSE;
  pid = g_ascii_strtoull (name + strlen (STREAM_PREFIX), &end, 10);
  if (end == name + strlen (STREAM_PREFIX) || *end != '-' || pid == 0 || pid > G_MAXINT)
    return FALSE;
  return (pid_t) pid != getpid () && kill ((pid_t) pid, 0) != 0 && errno == ESRCH;
}

/* The newest stream file a process that is gone left behind, or NULL */
static char *
find_left_behind (guint *n_found)
{
  g_autofree char *dir_path = sl_window_get_recovery_dir ();
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autofree char *newest = NULL;
  time_t newest_time = 0;
  const char *name;

  *n_found = 0;
  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir_path, name, NULL);
      GStatBuf st;

      if (!writer_is_gone (name) || g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      if (st.st_size == 0)
        {
          g_unlink (path);  /* nothing arrived before the end */
          continue;
        }
      (*n_found)++;
      if (newest == NULL || st.st_mtime > newest_time)
        {
          g_free (newest);
          newest = g_steal_pointer (&path);
          newest_time = st.st_mtime;
        }
    }
  return g_steal_pointer (&newest);
}

/**
 * _sl_window_keep_offer_recovery:
 * Offers the newest run an app that is gone left in the recovery
 * directory, in the recovery bar: Open It, or Discard. One at a time.
 */
void
_sl_window_keep_offer_recovery (SlWindow *self)
{
  guint n_found;
  g_autofree char *path = find_left_behind (&n_found);
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *time_text = NULL;
  g_autofree char *text = NULL;
  GStatBuf st;

  g_clear_pointer (&self->recovery_path, g_free);
  if (path == NULL || g_stat (path, &st) != 0)
    {
      gtk_info_bar_set_revealed (self->recovery_bar, FALSE);
      return;
    }
  when = g_date_time_new_from_unix_local (st.st_mtime);
  time_text = g_date_time_format (when, "%x %X");
  if (n_found > 1)
    text = g_strdup_printf (_("Socklens closed before %u runs were saved. The newest, last "
                              "written %s, is in %s."),
                            n_found, time_text, path);
  else
    text = g_strdup_printf (_("Socklens closed before a run was saved. Its recording, last "
                              "written %s, is in %s."),
                            time_text, path);
  gtk_label_set_label (self->recovery_label, text);
  gtk_info_bar_set_revealed (self->recovery_bar, TRUE);
  self->recovery_path = g_steal_pointer (&path);
}

const char *
sl_window_get_recovery_offer (SlWindow *self)
{
  g_return_val_if_fail (SL_IS_WINDOW (self), NULL);
  return gtk_info_bar_get_revealed (self->recovery_bar) ? self->recovery_path : NULL;
}

/* The hidden stream file becomes a visible one beside it, and opens like
 * any recording; Save puts it somewhere of the user's choosing */
static void
open_recovered (SlWindow *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *dir = g_path_get_dirname (self->recovery_path);
  g_autofree char *name = g_strdup_printf ("recovered-run-%s-%d.pcapng", stamp, (int) getpid ());
  g_autofree char *visible = g_build_filename (dir, name, NULL);

  if (g_rename (self->recovery_path, visible) != 0)
    {
      g_autofree char *text = g_strdup_printf (_("Could not recover “%s”: %s"), self->recovery_path,
                                               g_strerror (errno));
      _sl_window_show_message (self, GTK_MESSAGE_ERROR, text);
      return;
    }
  g_clear_object (&self->recovered);
  self->recovered = g_file_new_for_path (visible);
  sl_window_open_file (self, self->recovered);
}

static void
on_recovery_response (SlWindow *self,
                      int       response)
{
  if (self->recovery_path == NULL)
    return;
  if (response == RESPONSE_OPEN)
    open_recovered (self);
  else if (response == RESPONSE_DISCARD)
    g_unlink (self->recovery_path);
  else
    {
      gtk_info_bar_set_revealed (self->recovery_bar, FALSE);
      return;
    }
  /* The next one, if several were left */
  _sl_window_keep_offer_recovery (self);
}

/* ---- a replaced run, with Undo ------------------------------------------- */

static void
on_kept_toast_dismissed (AdwToast *toast,
                         SlWindow *self)
{
  if (self->kept != NULL && self->kept->toast == toast)
    g_clear_pointer (&self->kept, kept_run_free);
}

static void undo_now (SlWindow  *self,
                      SlKeptRun *kept);

static gboolean
undo_idle (gpointer data)
{
  g_autoptr(SlWindow) self = data;
  SlKeptRun *kept = g_steal_pointer (&self->kept);

  if (kept != NULL && !gtk_widget_in_destruction (GTK_WIDGET (self)))
    undo_now (self, kept);
  else if (kept != NULL)
    kept_run_free (kept);
  return G_SOURCE_REMOVE;
}

/* Undo pressed: the run comes back from an idle, outside the toast's
 * signal. (The SIGSEGV in adw_animation_skip once blamed on this was
 * libadwaita 1.2 freeing a toast dismissed while it slid in: see
 * sl-toast-queue.c.) */
static void
on_undo (AdwToast *toast,
         SlWindow *self)
{
  if (self->kept == NULL || self->kept->toast != toast)
    return;
  self->kept->toast = NULL; /* its "dismissed" must not drop the run now */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, undo_idle, g_object_ref (self), NULL);
}

static void
undo_now (SlWindow  *self,
          SlKeptRun *kept)
{
  /* What replaced it goes the same way (kept if it is an unsaved run) */
  _sl_window_drop_live (self);
  _sl_window_cancel_load (self);
  g_clear_object (&self->file);
  _sl_window_hide_message (self);
  if (kept->programs != NULL)
    {
      _sl_window_clear_programs (self);
      self->programs = g_steal_pointer (&kept->programs);
      self->programs_title = g_steal_pointer (&kept->programs_title);
      self->example = kept->example;
      sl_scenario_picker_set_chosen (self->scenario_picker, NULL, self->example);
    }
  else if (kept->scenario != NULL)
    _sl_window_choose_scenario (self, kept->scenario);
  self->saved_events = kept->saved_events;
  _sl_window_adopt_live (self, g_steal_pointer (&kept->live));
  sl_session_set_follow_live (self->session, FALSE);
  _sl_window_show_recording (self, sl_live_run_get_recording (self->live));
  sl_session_fit_all (self->session);
  g_strfreev (kept->programs);
  g_free (kept->programs_title);
  g_free (kept);
}

/**
 * _sl_window_keep_replaced_run:
 * The live run is about to give way to something else: if nothing of it is
 * in a file, it is kept behind a toast with Undo.
 * Returns: %TRUE if it was kept (the caller drops its own reference).
 */
gboolean
_sl_window_keep_replaced_run (SlWindow *self)
{
  SlKeptRun *kept;
  AdwToast *toast;
  gboolean active;

  if (self->live == NULL || !_sl_window_run_is_unsaved (self))
    return FALSE;

  active = _sl_window_live_is_active (self);
  kept = g_new0 (SlKeptRun, 1);
  kept->live = g_object_ref (self->live);
  kept->saved_events = self->saved_events;
  kept->scenario = sl_live_run_get_scenario (self->live);
  if (sl_live_run_get_programs (self->live) != NULL)
    {
      kept->programs = g_strdupv ((char **) sl_live_run_get_programs (self->live));
      kept->programs_title = g_strdup (self->programs_title);
      kept->example = self->example;
    }
  g_clear_pointer (&self->kept, kept_run_free);
  self->kept = kept;

  toast = adw_toast_new (active ? _("Run stopped and put aside: not saved")
                                : _("Run put aside: not saved"));
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_timeout (toast, 10);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_undo), self, 0);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (on_kept_toast_dismissed), self, 0);
  kept->toast = toast;
  _sl_window_add_toast (self, toast);
  return TRUE;
}

/* The window goes: a run put aside goes with it (thrown away on purpose) */
void
_sl_window_keep_dispose (SlWindow *self)
{
  g_clear_pointer (&self->kept, kept_run_free);
  g_clear_object (&self->recovered);
  g_clear_pointer (&self->recovery_path, g_free);
}

void
_sl_window_class_keep_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, SlWindow, recovery_bar);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, recovery_label);
  gtk_widget_class_bind_template_callback (widget_class, on_recovery_response);
}
