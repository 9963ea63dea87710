/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-window.c: the main window.
 *
 * One SlSession holds what is shown: the recording of a live run, or of a
 * file. A run feeds its recording on the main loop as it goes (SlLiveRun
 * over CapLab and the socklens-lab helper); a file is read in a GTask thread and swapped in whole once
 * read, so neither ever freezes the window. Errors become toasts (passing)
 * or the message bar (lasting: no capture, a failed run), never a dialog
 * that stops the lesson.
 */

#include "config.h"

#include "sl-window.h"

#include <glib/gi18n.h>

#include "sl-application.h"
#include "sl-call-inspector.h"
#include "sl-code-view.h"
#include "sl-conversation-list.h"
#include "sl-diagram.h"
#include "sl-packet-inspector.h"
#include "sl-resources.h"

#include "sl-timeline-view.h"

#define MAX_RECENT 10
#define INSPECTOR_WIDTH 340  /* px at first: the timeline in the middle gets the most room */
#define CODE_WIDTH 290       /* the side pane, with a scenario's source */
#define CONVERSATIONS_WIDTH 460  /* the side pane, with a capture's conversations: more columns */
#define PRESENTATION_TEXT_SCALE 1.5  /* the timeline's type on a projector */
#define PRESENTATION_SPEED 0.25      /* slow motion, so a class can follow each packet */
#define PRESENTATION_SIDE_WIDTH 400  /* the code pane, at its larger type */

static const double speeds[] = { 0.1, 0.25, 0.5, 1.0, 2.0, 4.0 };

struct _SlWindow
{
  AdwApplicationWindow parent_instance;

  /* Template */
  AdwToastOverlay  *toast_overlay;
  GtkMenuButton    *scenario_button;
  GtkPopover       *scenario_popover;
  GtkListBox       *scenario_list;
  GtkLabel         *scenario_label;
  GtkToggleButton  *side_button;
  GtkSpinner       *spinner;
  GtkLabel         *status_label;
  GtkDropDown      *speed_dropdown;
  AdwSplitButton   *open_button;
  GtkButton        *save_button;
  GtkInfoBar       *info_bar;
  GtkLabel         *info_label;
  GtkStack         *main_stack;
  AdwStatusPage    *empty_page;
  GtkButton        *empty_step_button;
  GtkBox           *timeline_slot;
  GtkPaned         *outer_paned;
  GtkStack         *side_stack;
  SlConversationList *conversation_list;
  GtkPaned         *inner_paned;
  GtkStack         *inspector_stack;
  SlCodeView       *code_view;
  SlPacketInspector *packet_inspector;
  SlCallInspector  *call_inspector;
  GMenu            *recent_submenu;

  SlSession        *session;
  GSettings        *settings;        /* NULL when the schema is not installed */
  const NcScenario *scenario;
  SlLiveRun        *live;
  guint             saved_events;    /* the live run's calls + packets when last saved */
  gboolean          close_confirmed; /* closing drops an unsaved run: the user said so */
  GFile            *file;            /* the file shown, if any */
  GCancellable     *load_cancellable;
  GMenu            *recent_menu;
  GtkWidget        *timeline;
  SlSelectionKind   pending_kind;    /* sl_window_select_when_loaded () */
  guint             pending_index;
  gboolean          told_capture_problem;
  int               inner_position;       /* the divider where we put it */
  gboolean          inspector_width_set;  /* the user moved it */

  /* Presentation mode, and what it changed, to put back on leaving */
  gboolean          presentation;
  gboolean          was_fullscreen;
  double            saved_text_scale;
  int               saved_side_width;
  guint             saved_speed;      /* index into speeds[] */
};

G_DEFINE_FINAL_TYPE (SlWindow, sl_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_PRESENTATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void update_actions (SlWindow *self);
static void update_status (SlWindow *self);

/* ---- messages ------------------------------------------------------------ */

static void
toast (SlWindow   *self,
       const char *text)
{
  AdwToast *t = adw_toast_new (text);

  adw_toast_set_timeout (t, 4);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

static void
show_message (SlWindow       *self,
              GtkMessageType  type,
              const char     *text)
{
  gtk_info_bar_set_message_type (self->info_bar, type);
  gtk_label_set_label (self->info_label, text);
  gtk_info_bar_set_revealed (self->info_bar, TRUE);
}

static void
hide_message (SlWindow *self)
{
  gtk_info_bar_set_revealed (self->info_bar, FALSE);
}

static void
on_info_bar_response (SlWindow *self,
                      int       response)
{
  hide_message (self);
}

/* ---- what is shown ------------------------------------------------------- */

static gboolean
recording_has_content (CapRecording *recording)
{
  return recording != NULL &&
         (cap_recording_get_n_calls (recording) > 0 || cap_recording_get_n_packets (recording) > 0);
}

static void
update_page (SlWindow *self)
{
  CapRecording *recording = sl_session_get_recording (self->session);
  gboolean show = self->live != NULL || recording_has_content (recording);

  gtk_stack_set_visible_child_name (self->main_stack, show ? "main" : "empty");
}

/* The code pane has nothing to show for a capture without calls: its
 * conversations take the place. */
static void
update_side_pane (SlWindow *self)
{
  gboolean foreign = self->live == NULL && sl_session_is_foreign_capture (self->session);
  const char *want = foreign ? "conversations" : "code";

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->side_stack), want) == 0)
    return;
  gtk_stack_set_visible_child_name (self->side_stack, want);
  gtk_paned_set_position (self->outer_paned, foreign ? CONVERSATIONS_WIDTH : CODE_WIDTH);
}

static void
update_inspector (SlWindow *self)
{
  SlSelectionKind kind = sl_session_get_selection_kind (self->session);

  /* On a projector the room goes to the code and the timeline until a
   * click has something to show */
  gtk_widget_set_visible (GTK_WIDGET (self->inspector_stack),
                          !self->presentation || kind != SL_SELECTION_NONE);
  switch (kind)
    {
    case SL_SELECTION_CALL:
      gtk_stack_set_visible_child_name (self->inspector_stack, "call");
      break;
    case SL_SELECTION_PACKET:
      gtk_stack_set_visible_child_name (self->inspector_stack, "packet");
      break;
    case SL_SELECTION_NONE:
    default:
      gtk_stack_set_visible_child_name (self->inspector_stack, "none");
      break;
    }
}

/* "TCP echo" of "TCP echo: the stream socket model", for the header bar */
static char *
scenario_short_title (const NcScenario *scenario)
{
  const char *colon = strchr (scenario->title, ':');

  return colon ? g_strndup (scenario->title, colon - scenario->title) : g_strdup (scenario->title);
}

static void
update_empty_page (SlWindow *self)
{
  g_autofree char *step = NULL;
  g_autofree char *description = NULL;
  g_autofree char *short_title = self->scenario ? scenario_short_title (self->scenario) : NULL;
  const char *title = self->scenario ? self->scenario->title : _("a scenario");

  step = g_strdup_printf (_("Step Through %s"), short_title ? short_title : _("the Scenario"));
  gtk_button_set_label (self->empty_step_button, step);
  description =
    g_markup_printf_escaped (_("Chosen: <b>%s</b> (change it top left).\n"
                               "Press <b>Step</b> (F6 or Space) to run it one socket call at a "
                               "time and watch each call's packets appear, or <b>Run</b> (F5) to "
                               "run it all at once.\n"
                               "Or open a saved .pcapng or .pcap (Ctrl+O), or drop one here."),
                             title);
  adw_status_page_set_description (self->empty_page, description);
}

static void
update_status (SlWindow *self)
{
  CapRecording *recording = sl_session_get_recording (self->session);
  g_autoptr(GString) text = g_string_new (NULL);

  if (self->scenario != NULL)
    {
      g_autofree char *short_title = scenario_short_title (self->scenario);
      gtk_label_set_label (self->scenario_label, short_title);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->scenario_button), self->scenario->title);
    }
  else
    gtk_label_set_label (self->scenario_label, _("Choose a Scenario"));

  if (self->live != NULL)
    {
      SlLiveRunState state = sl_live_run_get_state (self->live);
      guint n_steps = sl_live_run_get_n_steps (self->live);
      g_autofree char *waiting = sl_live_run_describe_waiting (self->live);

      switch (state)
        {
        case SL_LIVE_RUN_STEPPING:
          g_string_append_printf (text, _("step %u"), n_steps);
          if (waiting != NULL)
            g_string_append_printf (text, _("  ·  next: %s"), waiting);
          else
            g_string_append (text, _("  ·  in the kernel…"));
          break;
        case SL_LIVE_RUN_RUNNING:
          g_string_append (text, _("running…"));
          break;
        case SL_LIVE_RUN_FINISHED:
          g_string_append_printf (text, _("finished: %u calls, %u packets"),
                                  cap_recording_get_n_calls (recording),
                                  cap_recording_get_n_packets (recording));
          if (sl_live_run_get_error (self->live) != NULL)
            g_string_append (text, _(" (stopped)"));
          break;
        case SL_LIVE_RUN_IDLE:
        default:
          break;
        }
      /* A lost packet is never hidden */
      if (sl_live_run_get_n_lost (self->live) > 0)
        g_string_append_printf (text, _("  ·  %" G_GUINT64_FORMAT " packets LOST by the capture"),
                                sl_live_run_get_n_lost (self->live));
      if (sl_live_run_get_capture_problem (self->live) != NULL)
        g_string_append (text, _("  ·  calls only, no capture"));
      else if (sl_live_run_get_lab_message (self->live) != NULL)
        g_string_append (text, _("  ·  lab: capturing"));
    }
  else if (self->file != NULL && recording != NULL)
    {
      g_autofree char *name = g_file_get_basename (self->file);
      g_string_append_printf (text, _("%s  ·  %u packets, %u calls"), name,
                              cap_recording_get_n_packets (recording),
                              cap_recording_get_n_calls (recording));
    }
  else if (sl_window_is_loading (self))
    g_string_append (text, _("opening…"));

  gtk_label_set_label (self->status_label, text->str);
  if (self->live != NULL && sl_live_run_get_lab_message (self->live) != NULL)
    {
      g_autofree char *tip = g_strdup_printf ("%s\n%s", text->str,
                                              sl_live_run_get_lab_message (self->live));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label), tip);
    }
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label), text->str);
}

/* Makes @recording the one shown; the inspectors and code pane follow the session. */
static void
show_recording (SlWindow     *self,
                CapRecording *recording)
{
  sl_session_select (self->session, SL_SELECTION_NONE, 0);
  sl_session_set_recording (self->session, recording);
  update_page (self);
  update_side_pane (self);
  update_status (self);
  update_actions (self);
}

/* ---- live runs ----------------------------------------------------------- */

static void
drop_live (SlWindow *self)
{
  if (self->live == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->live, self);
  sl_live_run_stop (self->live);
  g_clear_object (&self->live);
}

static void
on_live_changed (SlWindow *self)
{
  const char *problem = sl_live_run_get_capture_problem (self->live);

  /* The lab says how it captures once it has started: say it once. */
  if (problem != NULL && !self->told_capture_problem)
    {
      self->told_capture_problem = TRUE;
      show_message (self, GTK_MESSAGE_WARNING, problem);
    }
  update_page (self);
  update_status (self);
  update_actions (self);
}

static void
on_live_finished (SlWindow *self)
{
  const GError *error = sl_live_run_get_error (self->live);

  sl_session_set_follow_live (self->session, FALSE);
  if (error != NULL && !sl_live_run_was_stopped (self->live))
    {
      g_autofree char *text = g_strdup_printf (_("The run failed: %s"), error->message);
      show_message (self, GTK_MESSAGE_ERROR, text);
    }
  else if (error != NULL)
    toast (self, _("Run stopped"));
  else
    toast (self, _("Run finished: scrub the timeline or click any call or packet"));
  on_live_changed (self);
}

static gboolean
live_is_active (SlWindow *self)
{
  return self->live != NULL && sl_live_run_get_state (self->live) != SL_LIVE_RUN_FINISHED;
}

static gboolean
start_run (SlWindow *self,
           gboolean  stepping)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (self->scenario != NULL, FALSE);

  drop_live (self);
  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->file);
  hide_message (self);

  self->live = sl_live_run_new (self->scenario, NULL);
  self->told_capture_problem = FALSE;
  g_signal_connect_swapped (self->live, "changed", G_CALLBACK (on_live_changed), self);
  g_signal_connect_swapped (self->live, "finished", G_CALLBACK (on_live_finished), self);
  g_signal_connect_swapped (self->live, "notify::state", G_CALLBACK (on_live_changed), self);
  if (!sl_live_run_start (self->live, stepping, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not start %s: %s"),
                                               self->scenario->name, error->message);
      drop_live (self);
      show_message (self, GTK_MESSAGE_ERROR, text);
      update_page (self);
      update_status (self);
      update_actions (self);
      return FALSE;
    }

  sl_session_set_follow_live (self->session, TRUE);
  show_recording (self, sl_live_run_get_recording (self->live));
  return TRUE;
}

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

/* In a worker thread: the recording is new and reachable from this thread only. */
static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GFile *file = task_data;
  g_autofree char *path = g_file_get_path (file);
  LoadResult *result = g_new0 (LoadResult, 1);

  if (path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("Only local files can be opened"));
      load_result_free (result);
      return;
    }

  result->recording = cap_recording_new ();
  if (!cap_recording_load_file (result->recording, path, &result->error) &&
      !recording_has_content (result->recording))
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

static void
on_file_loaded (GObject      *source,
                GAsyncResult *res,
                gpointer      user_data)
{
  SlWindow *self = SL_WINDOW (source);
  GTask *task = G_TASK (res);
  GFile *file = g_task_get_task_data (task);
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

  gtk_spinner_stop (self->spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);

  if (result == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not open “%s”: %s"), name,
                                               error->message);
      show_message (self, GTK_MESSAGE_ERROR, text);
      update_status (self);
      update_actions (self);
      return;
    }

  drop_live (self);
  hide_message (self);
  g_set_object (&self->file, file);
  add_recent (self, file);
  if (result->error != NULL)
    {
      g_autofree char *text =
        g_strdup_printf (_("“%s” is damaged part way: showing what was read before the damage (%s)"),
                         name, result->error->message);
      show_message (self, GTK_MESSAGE_WARNING, text);
    }
  sl_session_set_follow_live (self->session, FALSE);
  /* A recording of a scenario makes it the one Run and Restart start */
  if (cap_recording_get_scenario (result->recording) != NULL)
    sl_window_set_scenario (self, cap_recording_get_scenario (result->recording));
  show_recording (self, result->recording);
  sl_session_fit_all (self->session);
  apply_pending_selection (self);
  load_result_free (result);
}

void
sl_window_open_file (SlWindow *self,
                     GFile    *file)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (SL_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();

  task = g_task_new (self, self->load_cancellable, on_file_loaded, NULL);
  g_task_set_source_tag (task, sl_window_open_file);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, load_thread);

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), TRUE);
  gtk_spinner_start (self->spinner);
  update_status (self);
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
  if (!ok)
    {
      g_autofree char *text = g_strdup_printf (_("Could not save “%s”: %s"), name, error->message);
      show_message (self, GTK_MESSAGE_ERROR, text);
      return;
    }
  if (self->live != NULL)
    self->saved_events = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (res), "events"));
  add_recent (self, file);
  {
    g_autofree char *text = g_strdup_printf (_("Saved “%s”: it opens in Wireshark too"), name);
    toast (self, text);
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
      show_message (self, GTK_MESSAGE_ERROR, _("Recordings can be saved to local files only"));
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
  if (live_is_active (self))
    save_thread (task, self, recording, NULL);
  else
    g_task_run_in_thread (task, save_thread);
}

static void
on_save_response (GtkNativeDialog *dialog,
                  int              response,
                  SlWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (file != NULL)
        save_to (self, file);
    }
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

  if (!recording_has_content (recording))
    return;

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
  if (!recording_has_content (recording))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _("There is no recording to export"));
      return FALSE;
    }
  if (!sl_diagram_export (recording, path, &local_error))
    {
      /* The message names the file already */
      text = g_strdup_printf (_("Could not export the diagram: %s"), local_error->message);
      show_message (self, GTK_MESSAGE_ERROR, text);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  text = g_strdup_printf (_("Diagram saved to “%s”"), path);
  toast (self, text);
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
        show_message (self, GTK_MESSAGE_ERROR, _("Diagrams can be saved to local files only"));
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

  if (!recording_has_content (recording))
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

/* ---- run control --------------------------------------------------------- */

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  SlWindow *self = SL_WINDOW (widget);

  if (live_is_active (self))
    sl_live_run_run (self->live);
  else if (self->scenario != NULL)
    start_run (self, FALSE);
  update_actions (self);
}

static void
step_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SlWindow *self = SL_WINDOW (widget);

  /* With nothing running, Step starts a stepped run: the first press is the
   * first call, so every press is exactly one call. */
  if (!live_is_active (self) && (self->scenario == NULL || !start_run (self, TRUE)))
    return;
  if (sl_live_run_get_state (self->live) == SL_LIVE_RUN_RUNNING)
    sl_live_run_pause (self->live);
  sl_live_run_step (self->live);
  sl_session_set_follow_live (self->session, TRUE);
  update_status (self);
}

static void
step_actor_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SlWindow *self = SL_WINDOW (widget);
  guint actor = g_variant_get_uint32 (parameter);

  if (live_is_active (self))
    sl_live_run_step_actor (self->live, actor);
}

static void
pause_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  SlWindow *self = SL_WINDOW (widget);

  if (live_is_active (self))
    sl_live_run_pause (self->live);
  sl_session_set_playing (self->session, FALSE);
  update_actions (self);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SlWindow *self = SL_WINDOW (widget);

  if (live_is_active (self))
    sl_live_run_stop (self->live);
  sl_session_set_playing (self->session, FALSE);
}

static void
restart_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  SlWindow *self = SL_WINDOW (widget);
  gboolean stepping = self->live == NULL || sl_live_run_get_state (self->live) != SL_LIVE_RUN_RUNNING;

  if (self->scenario != NULL)
    start_run (self, stepping);
}

/* Once the conversations are chosen, the timeline can have the room */
static void
side_pane_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  SlWindow *self = SL_WINDOW (widget);

  gtk_toggle_button_set_active (self->side_button, !gtk_toggle_button_get_active (self->side_button));
}

static void
fullscreen_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  GtkWindow *window = GTK_WINDOW (widget);

  if (gtk_window_is_fullscreen (window))
    gtk_window_unfullscreen (window);
  else
    gtk_window_fullscreen (window);
}

static void
choose_scenario_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  sl_window_set_scenario (SL_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
update_actions (SlWindow *self)
{
  GtkWidget *w = GTK_WIDGET (self);
  CapRecording *recording = sl_session_get_recording (self->session);
  SlLiveRunState state = self->live ? sl_live_run_get_state (self->live) : SL_LIVE_RUN_IDLE;
  gboolean active = live_is_active (self);
  gboolean have_scenario = self->scenario != NULL;

  gtk_widget_action_set_enabled (w, "win.run", have_scenario && state != SL_LIVE_RUN_RUNNING);
  gtk_widget_action_set_enabled (w, "win.step", have_scenario);
  gtk_widget_action_set_enabled (w, "win.step-actor", state == SL_LIVE_RUN_STEPPING);
  gtk_widget_action_set_enabled (w, "win.pause",
                                 state == SL_LIVE_RUN_RUNNING || sl_session_get_playing (self->session));
  gtk_widget_action_set_enabled (w, "win.stop", active);
  gtk_widget_action_set_enabled (w, "win.restart", have_scenario && recording_has_content (recording));
  gtk_widget_action_set_enabled (w, "win.save", recording_has_content (recording));
  gtk_widget_action_set_enabled (w, "win.export-diagram", recording_has_content (recording));
}

/* ---- scenarios ----------------------------------------------------------- */

static GtkWidget *
make_scenario_row (const NcScenario *scenario)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *title = gtk_label_new (scenario->title);
  g_autofree char *sub = g_strdup_printf ("%s  ·  %s", scenario->name,
                                          scenario->topic ? scenario->topic : "");
  GtkWidget *name = gtk_label_new (sub);
  GtkWidget *notice = gtk_label_new (scenario->notice);
  GtkWidget *title_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *check = gtk_image_new_from_icon_name ("object-select-symbolic");

  gtk_widget_add_css_class (title, "heading");
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_set_visible (check, FALSE);
  gtk_box_append (GTK_BOX (title_box), title);
  gtk_box_append (GTK_BOX (title_box), check);
  g_object_set_data (G_OBJECT (row), "check", check);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (name, "dim-label");
  gtk_widget_add_css_class (name, "caption");
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_xalign (GTK_LABEL (notice), 0);
  gtk_label_set_wrap (GTK_LABEL (notice), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (notice), 60);
  gtk_label_set_width_chars (GTK_LABEL (notice), 50);
  gtk_label_set_lines (GTK_LABEL (notice), 4);
  gtk_label_set_ellipsize (GTK_LABEL (notice), PANGO_ELLIPSIZE_END);

  gtk_box_append (GTK_BOX (box), title_box);
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), notice);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 8);
  gtk_widget_set_margin_end (box, 8);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_set_tooltip_text (row, scenario->notice);
  g_object_set_data (G_OBJECT (row), "scenario", (gpointer) scenario);
  return row;
}

static void
fill_scenarios (SlWindow *self)
{
  guint n = 0;
  const NcScenario *const *list = nc_scenario_list (&n);

  for (guint i = 0; i < n; i++)
    gtk_list_box_append (self->scenario_list, make_scenario_row (list[i]));
}

static void
on_scenario_row_activated (SlWindow      *self,
                           GtkListBoxRow *row)
{
  const NcScenario *scenario = g_object_get_data (G_OBJECT (row), "scenario");

  gtk_popover_popdown (self->scenario_popover);
  sl_window_set_scenario (self, scenario->name);
}

/* ---- recent files and speed ---------------------------------------------- */

static void
fill_recent_menu (SlWindow *self)
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

static void
on_speed_selected (SlWindow *self)
{
  guint i = gtk_drop_down_get_selected (self->speed_dropdown);

  if (i >= G_N_ELEMENTS (speeds))
    return;
  sl_session_set_speed (self->session, speeds[i]);
  /* The slow presentation speed is not the user's choice: not kept */
  if (self->settings != NULL && !self->presentation)
    g_settings_set_double (self->settings, "playback-speed", speeds[i]);
}

static void
select_speed (SlWindow *self,
              double    speed)
{
  guint best = 3;

  for (guint i = 0; i < G_N_ELEMENTS (speeds); i++)
    if (ABS (speeds[i] - speed) < ABS (speeds[best] - speed))
      best = i;
  gtk_drop_down_set_selected (self->speed_dropdown, best);
}

/* ---- presentation mode --------------------------------------------------- */

/* Only what a class watches, and keyboard only: the file buttons stay in the menu */
static void
set_presentation_chrome (SlWindow *self,
                         gboolean  presenting)
{
  gtk_widget_set_visible (GTK_WIDGET (self->open_button), !presenting);
  gtk_widget_set_visible (GTK_WIDGET (self->save_button), !presenting);
  if (presenting)
    gtk_widget_add_css_class (GTK_WIDGET (self), "presentation");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "presentation");
}

static void
enter_presentation (SlWindow *self)
{
  SlTimelineView *timeline = SL_TIMELINE_VIEW (self->timeline);

  self->was_fullscreen = gtk_window_is_fullscreen (GTK_WINDOW (self));
  self->saved_text_scale = sl_timeline_view_get_text_scale (timeline);
  self->saved_speed = gtk_drop_down_get_selected (self->speed_dropdown);
  self->saved_side_width = gtk_paned_get_position (self->outer_paned);

  set_presentation_chrome (self, TRUE);
  gtk_paned_set_position (self->outer_paned, MAX (self->saved_side_width, PRESENTATION_SIDE_WIDTH));
  update_inspector (self);
  sl_timeline_view_set_text_scale (timeline, PRESENTATION_TEXT_SCALE);
  sl_timeline_view_set_high_contrast (timeline, TRUE);
  select_speed (self, PRESENTATION_SPEED);
  gtk_window_fullscreen (GTK_WINDOW (self));
}

static void
leave_presentation (SlWindow *self)
{
  SlTimelineView *timeline = SL_TIMELINE_VIEW (self->timeline);

  set_presentation_chrome (self, FALSE);
  gtk_paned_set_position (self->outer_paned, self->saved_side_width);
  update_inspector (self);
  sl_timeline_view_set_text_scale (timeline, self->saved_text_scale);
  sl_timeline_view_set_high_contrast (timeline, FALSE);
  gtk_drop_down_set_selected (self->speed_dropdown, self->saved_speed);
  /* F11 before presenting: still full screen after it */
  if (!self->was_fullscreen)
    gtk_window_unfullscreen (GTK_WINDOW (self));
}

gboolean
sl_window_get_presentation (SlWindow *self)
{
  g_return_val_if_fail (SL_IS_WINDOW (self), FALSE);
  return self->presentation;
}

/**
 * sl_window_set_presentation:
 *
 * Presentation mode, for a projector: full screen, large type, the
 * high-contrast timeline, slow playback. Leaving it puts back what it
 * changed. Kept in the settings, so the next lesson starts the same way.
 */
void
sl_window_set_presentation (SlWindow *self,
                            gboolean  presentation)
{
  g_return_if_fail (SL_IS_WINDOW (self));

  presentation = !!presentation;
  if (self->presentation == presentation)
    return;
  /* Set first, so the speed chosen for it is not saved as the user's */
  self->presentation = presentation;
  if (presentation)
    enter_presentation (self);
  else
    leave_presentation (self);
  if (self->settings != NULL)
    g_settings_set_boolean (self->settings, "presentation-mode", presentation);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRESENTATION]);
}

/* ---- drag and drop ------------------------------------------------------- */

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         SlWindow      *self)
{
  GFile *file = NULL;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);
      if (files != NULL)
        file = files->data;
      if (files != NULL && files->next != NULL)
        toast (self, _("Several files dropped: opening the first"));
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    file = g_value_get_object (value);

  if (file == NULL)
    return FALSE;
  sl_window_open_file (self, file);
  return TRUE;
}

/* ---- window -------------------------------------------------------------- */

static void
on_selection_changed (SlWindow *self)
{
  update_inspector (self);
}

/* A live run with something in it that is not in a file */
static gboolean
run_is_unsaved (SlWindow *self)
{
  CapRecording *recording;
  guint events;

  if (self->live == NULL)
    return FALSE;
  recording = sl_live_run_get_recording (self->live);
  events = cap_recording_get_n_calls (recording) + cap_recording_get_n_packets (recording);
  return events > 0 && (events != self->saved_events || live_is_active (self));
}

/* After the dialog's response is over: the dialog goes with the window */
static gboolean
close_later (gpointer data)
{
  gtk_window_close (data);
  return G_SOURCE_REMOVE;
}

static void
on_close_response (AdwMessageDialog *dialog,
                   const char       *response,
                   SlWindow         *self)
{
  if (g_str_equal (response, "discard"))
    {
      self->close_confirmed = TRUE;
      g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, close_later, g_object_ref (self), g_object_unref);
    }
  else if (g_str_equal (response, "save"))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.save", NULL);
}

/* Closing never drops a run silently: it asks first. */
static void
ask_to_save_run (SlWindow *self)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Save the Run?"), NULL);

  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog),
                               live_is_active (self)
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

static gboolean
sl_window_close_request (GtkWindow *window)
{
  SlWindow *self = SL_WINDOW (window);

  if (!self->close_confirmed && run_is_unsaved (self))
    {
      ask_to_save_run (self);
      return TRUE;
    }

  if (self->settings != NULL)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
      if (!gtk_window_is_maximized (window) && !gtk_window_is_fullscreen (window))
        {
          g_settings_set_int (self->settings, "window-width", width);
          g_settings_set_int (self->settings, "window-height", height);
        }
    }
  return GTK_WINDOW_CLASS (sl_window_parent_class)->close_request (window);
}

static void
sl_window_dispose (GObject *object)
{
  SlWindow *self = SL_WINDOW (object);

  g_cancellable_cancel (self->load_cancellable);
  drop_live (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), SL_TYPE_WINDOW);

  G_OBJECT_CLASS (sl_window_parent_class)->dispose (object);
}

static void
sl_window_finalize (GObject *object)
{
  SlWindow *self = SL_WINDOW (object);

  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  g_clear_object (&self->file);
  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->recent_menu);

  G_OBJECT_CLASS (sl_window_parent_class)->finalize (object);
}

static void
sl_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  SlWindow *self = SL_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PRESENTATION:
      g_value_set_boolean (value, self->presentation);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sl_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  SlWindow *self = SL_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PRESENTATION:
      sl_window_set_presentation (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sl_window_class_init (SlWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = sl_window_dispose;
  object_class->finalize = sl_window_finalize;
  object_class->get_property = sl_window_get_property;
  object_class->set_property = sl_window_set_property;
  window_class->close_request = sl_window_close_request;

  properties[PROP_PRESENTATION] =
    g_param_spec_boolean ("presentation", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Referenced so the linker keeps the resources; they register themselves at load. */
  (void) sl_get_resource ();
  g_type_ensure (SL_TYPE_CODE_VIEW);
  g_type_ensure (SL_TYPE_CONVERSATION_LIST);
  g_type_ensure (SL_TYPE_PACKET_INSPECTOR);
  g_type_ensure (SL_TYPE_CALL_INSPECTOR);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/socklens/Socklens/ui/sl-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SlWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, scenario_button);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, scenario_popover);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, scenario_list);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, scenario_label);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, side_button);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, speed_dropdown);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, open_button);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, save_button);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, info_bar);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, info_label);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, empty_step_button);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, timeline_slot);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, outer_paned);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, side_stack);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, conversation_list);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, inner_paned);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, inspector_stack);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, code_view);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, packet_inspector);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, call_inspector);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, recent_submenu);
  gtk_widget_class_bind_template_callback (widget_class, on_info_bar_response);
  gtk_widget_class_bind_template_callback (widget_class, on_scenario_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_speed_selected);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", open_recent_action);
  gtk_widget_class_install_action (widget_class, "win.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "win.export-diagram", NULL, export_diagram_action);
  gtk_widget_class_install_action (widget_class, "win.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "win.step", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "win.step-actor", "u", step_actor_action);
  gtk_widget_class_install_action (widget_class, "win.pause", NULL, pause_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.restart", NULL, restart_action);
  gtk_widget_class_install_action (widget_class, "win.fullscreen", NULL, fullscreen_action);
  gtk_widget_class_install_action (widget_class, "win.side-pane", NULL, side_pane_action);
  /* A toggle: its state is the property, so the menu shows a check */
  gtk_widget_class_install_property_action (widget_class, "win.presentation", "presentation");
  gtk_widget_class_install_action (widget_class, "win.choose-scenario", "s",
                                   choose_scenario_action);
}

/* Until the user drags the divider, the inspector keeps its width and the
 * timeline gets the rest, whatever size the window gets. */
static void
on_inner_paned_allocated (GtkPaned   *paned,
                          GParamSpec *pspec,
                          SlWindow   *self)
{
  int width = gtk_widget_get_width (GTK_WIDGET (paned));

  if (self->inspector_width_set || width < INSPECTOR_WIDTH + 300)
    return;
  self->inner_position = width - INSPECTOR_WIDTH;
  gtk_paned_set_position (paned, self->inner_position);
}

static void
on_inner_paned_moved (GtkPaned   *paned,
                      GParamSpec *pspec,
                      SlWindow   *self)
{
  if (self->inner_position != 0 && gtk_paned_get_position (paned) != self->inner_position)
    self->inspector_width_set = TRUE;
}

static void
add_timeline (SlWindow *self)
{
  self->timeline = sl_timeline_view_new (self->session);
  gtk_widget_set_hexpand (self->timeline, TRUE);
  gtk_widget_set_vexpand (self->timeline, TRUE);
  gtk_box_append (self->timeline_slot, self->timeline);
}

static void
sl_window_init (SlWindow *self)
{
  GtkDropTarget *drop;
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };

  gtk_widget_init_template (GTK_WIDGET (self));

  self->session = sl_session_new ();
  sl_code_view_set_session (self->code_view, self->session);
  sl_conversation_list_set_session (self->conversation_list, self->session);
  sl_packet_inspector_set_session (self->packet_inspector, self->session);
  sl_call_inspector_set_session (self->call_inspector, self->session);
  g_signal_connect_object (self->session, "notify::selection-kind",
                           G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::selection-index",
                           G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::playing",
                           G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
  add_timeline (self);
  g_signal_connect (self->inner_paned, "notify::max-position",
                    G_CALLBACK (on_inner_paned_allocated), self);
  g_signal_connect (self->inner_paned, "notify::position",
                    G_CALLBACK (on_inner_paned_moved), self);

  /* The Open button's arrow and the main menu share one recent list. */
  self->recent_menu = g_menu_new ();
  adw_split_button_set_menu_model (self->open_button, G_MENU_MODEL (self->recent_menu));
  g_menu_append_section (self->recent_submenu, NULL, G_MENU_MODEL (self->recent_menu));

  drop = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (drop, types, G_N_ELEMENTS (types));
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  fill_scenarios (self);
}

static void
apply_settings (SlWindow *self)
{
  g_autofree char *last = NULL;

  if (self->settings == NULL)
    {
      sl_window_set_scenario (self, "tcp-echo");
      return;
    }

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
  select_speed (self, g_settings_get_double (self->settings, "playback-speed"));
  g_signal_connect_object (self->settings, "changed::recent-files",
                           G_CALLBACK (fill_recent_menu), self, G_CONNECT_SWAPPED);

  last = g_settings_get_string (self->settings, "last-scenario");
  if (!sl_window_set_scenario (self, last))
    sl_window_set_scenario (self, "tcp-echo");
  /* Last, so it saves the speed restored above */
  sl_window_set_presentation (self, g_settings_get_boolean (self->settings, "presentation-mode"));
}

SlWindow *
sl_window_new (GtkApplication *application)
{
  SlWindow *self = g_object_new (SL_TYPE_WINDOW, "application", application, NULL);

  if (SL_IS_APPLICATION (application))
    {
      GSettings *settings = sl_application_get_settings (SL_APPLICATION (application));
      if (settings != NULL)
        self->settings = g_object_ref (settings);
    }
  apply_settings (self);
  fill_recent_menu (self);
  update_page (self);
  update_inspector (self);
  update_status (self);
  update_actions (self);
  return self;
}

SlSession *
sl_window_get_session (SlWindow *self)
{
  g_return_val_if_fail (SL_IS_WINDOW (self), NULL);
  return self->session;
}

SlLiveRun *
sl_window_get_live_run (SlWindow *self)
{
  g_return_val_if_fail (SL_IS_WINDOW (self), NULL);
  return self->live;
}

const NcScenario *
sl_window_get_scenario (SlWindow *self)
{
  g_return_val_if_fail (SL_IS_WINDOW (self), NULL);
  return self->scenario;
}

/**
 * sl_window_set_scenario:
 * Chooses what Run and Step start. What is shown stays until then.
 * Returns: %FALSE if there is no scenario named @name.
 */
gboolean
sl_window_set_scenario (SlWindow   *self,
                        const char *name)
{
  const NcScenario *scenario;

  g_return_val_if_fail (SL_IS_WINDOW (self), FALSE);

  scenario = name ? nc_scenario_lookup (name) : NULL;
  if (scenario == NULL)
    return FALSE;
  self->scenario = scenario;
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "last-scenario", scenario->name);
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->scenario_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *check = g_object_get_data (G_OBJECT (row), "check");
      if (check != NULL)
        gtk_widget_set_visible (check, g_object_get_data (G_OBJECT (row), "scenario") == scenario);
    }
  update_empty_page (self);
  update_status (self);
  update_actions (self);
  return TRUE;
}
