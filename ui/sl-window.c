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

#include <inttypes.h>

#include <glib/gi18n.h>

#include "sl-window-private.h"

#include "sl-application.h"
#include "sl-resources.h"

#define SL_WINDOW_TRACE_TIMEOUT_S 60  /* as `socklens trace`: a program that never ends */
#define CODE_WIDTH 420       /* the side pane, with a scenario's source: most lines whole */
#define CONVERSATIONS_WIDTH 460  /* the side pane, with a capture's conversations: more columns */

static const double speeds[] = { 0.1, 0.25, 0.5, 1.0, 2.0, 4.0 };

G_DEFINE_FINAL_TYPE (SlWindow, sl_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_PRESENTATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- messages ------------------------------------------------------------ */

void
_sl_window_toast (SlWindow   *self,
       const char *text)
{
  AdwToast *t = adw_toast_new (text);

  adw_toast_set_timeout (t, 4);
  _sl_window_add_toast (self, t);
}

/* Toasts queue, each shown in turn (SlToastQueue: libadwaita 1.2 crashes
 * on a toast dismissed while it slides in). Not ADW_TOAST_PRIORITY_HIGH,
 * nor dismissing the one on screen for a newer one: in libadwaita 1.2 either
 * can requeue a toast still on screen and abort in show_toast, or free a
 * toast's widget under its hiding animation. */
void
_sl_window_add_toast (SlWindow *self,
                      AdwToast *toast)
{
  if (self->toasts == NULL) /* the window is going */
    {
      g_object_unref (toast);
      return;
    }
  sl_toast_queue_add (self->toasts, toast);
}

void
_sl_window_show_message (SlWindow       *self,
              GtkMessageType  type,
              const char     *text)
{
  gtk_info_bar_set_message_type (self->info_bar, type);
  gtk_label_set_label (self->info_label, text);
  gtk_info_bar_set_revealed (self->info_bar, TRUE);
}

void
_sl_window_hide_message (SlWindow *self)
{
  gtk_info_bar_set_revealed (self->info_bar, FALSE);
}

const char *
sl_window_get_message (SlWindow *self)
{
  g_return_val_if_fail (SL_IS_WINDOW (self), NULL);
  return gtk_info_bar_get_revealed (self->info_bar) ? gtk_label_get_label (self->info_label) : NULL;
}

static void
on_info_bar_response (SlWindow *self,
                      int       response)
{
  _sl_window_hide_message (self);
}

/* ---- what is shown ------------------------------------------------------- */

gboolean
_sl_window_recording_has_content (CapRecording *recording)
{
  return recording != NULL &&
         (cap_recording_get_n_calls (recording) > 0 || cap_recording_get_n_packets (recording) > 0);
}

void
_sl_window_update_page (SlWindow *self)
{
  CapRecording *recording = sl_session_get_recording (self->session);
  gboolean show = self->live != NULL || _sl_window_recording_has_content (recording) ||
                  (recording != NULL && cap_recording_get_scenario (recording) != NULL);

  gtk_stack_set_visible_child_name (self->main_stack, show ? "main" : "empty");
}

/* The code pane has nothing to show for a capture without calls: its
 * conversations take the place. */
void
_sl_window_update_side_pane (SlWindow *self)
{
  gboolean foreign = self->live == NULL && sl_session_is_foreign_capture (self->session);
  const char *want = foreign ? "conversations" : "code";

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->side_stack), want) == 0)
    return;
  gtk_stack_set_visible_child_name (self->side_stack, want);
  _sl_window_set_side_width (self, foreign ? CONVERSATIONS_WIDTH : CODE_WIDTH);
}

void
_sl_window_update_inspector (SlWindow *self)
{
  SlSelectionKind kind = sl_session_get_selection_kind (self->session);

  /* The room goes to the code and the timeline until a click has something
   * to show (the status line says what to click) */
  gtk_widget_set_visible (GTK_WIDGET (self->inspector_stack), kind != SL_SELECTION_NONE);
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
  _sl_window_fit_panes (self);
}

/* "TCP echo" of "TCP echo: the stream socket model", for the header bar;
 * a translation may use the full-width colon "：" (zh_TW) */
static char *
scenario_short_title (const NcScenario *scenario)
{
  const char *title = _(scenario->title);
  const char *colon = strchr (title, ':');
  const char *wide = strstr (title, "：");

  if (wide != NULL && (colon == NULL || wide < colon))
    colon = wide;
  return colon ? g_strndup (title, colon - title) : g_strdup (title);
}

static void
update_empty_page (SlWindow *self)
{
  g_autofree char *step = NULL;
  g_autofree char *description = NULL;
  g_autofree char *short_title = self->scenario ? scenario_short_title (self->scenario) : NULL;
  const char *title = self->scenario ? _(self->scenario->title) : _("a scenario");

  step = g_strdup_printf (_("Step Through %s"), short_title ? short_title : _("the Scenario"));
  gtk_button_set_label (self->empty_step_button, step);
  description =
    g_markup_printf_escaped (_("Chosen: <b>%s</b> (change it top left).\n"
                               "Press <b>Step</b> (F6 or Space) to run it one socket call at a "
                               "time and watch each call's packets appear, or <b>Run</b> (F5) to "
                               "run it all at once.\n"
                               "Or open a saved .pcapng or .pcap (Ctrl+O), or drop one here; "
                               "drop your own .py programs here to run them traced."),
                             title);
  adw_status_page_set_description (self->empty_page, description);
}

void
_sl_window_update_status (SlWindow *self)
{
  CapRecording *recording = sl_session_get_recording (self->session);
  g_autoptr(GString) text = g_string_new (NULL);

  if (_sl_window_showing_foreign_file (self))
    {
      /* A capture of something else: its name, not a scenario's */
      g_autofree char *name = g_file_get_basename (self->file);
      g_autofree char *path = g_file_get_parse_name (self->file);
      gtk_label_set_label (self->scenario_label, name);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->scenario_button), path);
    }
  else if (self->programs != NULL)
    {
      g_autofree char *paths = g_strjoinv ("\n", self->programs);
      gtk_label_set_label (self->scenario_label, self->programs_title);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->scenario_button), paths);
    }
  else if (self->scenario != NULL)
    {
      g_autofree char *short_title = scenario_short_title (self->scenario);
      gtk_label_set_label (self->scenario_label, short_title);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->scenario_button), _(self->scenario->title));
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
        g_string_append_printf (text, _("  ·  packets LOST by the capture: %" PRIu64),
                                (uint64_t) sl_live_run_get_n_lost (self->live));
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
  else if (self->scenario != NULL || self->programs != NULL)
    g_string_append (text, _("ready: Step (Space) or Run (F5)"));

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

/* A file whose recording is not a scenario's run (Wireshark's, tcpdump's):
 * Run and Step have nothing to do with it. */
gboolean
_sl_window_showing_foreign_file (SlWindow *self)
{
  CapRecording *recording = sl_session_get_recording (self->session);

  return self->live == NULL && self->file != NULL && recording != NULL &&
         cap_recording_get_scenario (recording) == NULL;
}

/* Run or Step on a run that has finished (or a file) would throw away what
 * the class just watched: only Restart starts again. */
gboolean
_sl_window_showing_result (SlWindow *self)
{
  return !_sl_window_live_is_active (self) &&
         _sl_window_recording_has_content (sl_session_get_recording (self->session));
}

/* Makes @recording the one shown; the inspectors and code pane follow the session. */
void
_sl_window_show_recording (SlWindow     *self,
                CapRecording *recording)
{
  sl_session_select (self->session, SL_SELECTION_NONE, 0);
  sl_session_set_recording (self->session, recording);
  _sl_window_update_page (self);
  /* Its keys (zoom, fit, Home/End, previous/next event) work at once */
  gtk_widget_grab_focus (self->timeline);
  _sl_window_update_side_pane (self);
  _sl_window_update_status (self);
  _sl_window_update_actions (self);
}

/* ---- live runs ----------------------------------------------------------- */

/* The live run gives way. One with something unsaved in it is put aside
 * with Undo (sl-window-keep.c) or, as the window goes, keeps its recovery
 * file; the file of any other goes. */
void
_sl_window_drop_live (SlWindow *self)
{
  gboolean unsaved;

  if (self->live == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->live, self);
  unsaved = _sl_window_run_is_unsaved (self);
  if (unsaved && !self->disposing)
    _sl_window_keep_replaced_run (self);
  else if (!unsaved)
    sl_live_run_drop_stream (self->live, TRUE);
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
      _sl_window_show_message (self, GTK_MESSAGE_WARNING, problem);
    }
  _sl_window_update_page (self);
  _sl_window_update_status (self);
  _sl_window_update_actions (self);
}

static void
on_live_finished (SlWindow *self)
{
  const GError *error = sl_live_run_get_error (self->live);
  g_autofree char *failures =
    _sl_window_describe_program_failures (self, sl_live_run_get_recording (self->live));

  sl_session_set_follow_live (self->session, FALSE);
  if (failures != NULL)
    {
      /* A student's program failed: what the lab and the program said, and
       * the run's error too; what was recorded stays on the timeline. */
      g_autofree char *text = error != NULL && !sl_live_run_was_stopped (self->live)
                                ? g_strdup_printf ("%s\n%s", error->message, failures)
                                : g_strdup (failures);
      _sl_window_show_message (self, GTK_MESSAGE_WARNING, text);
    }
  else if (error != NULL && !sl_live_run_was_stopped (self->live))
    {
      g_autofree char *text = g_strdup_printf (_("The run failed: %s"), error->message);
      _sl_window_show_message (self, GTK_MESSAGE_ERROR, text);
    }
  else if (error != NULL)
    _sl_window_toast (self, _("Run stopped"));
  else
    _sl_window_toast (self, _("Run finished: scrub the timeline or click any call or packet"));
  on_live_changed (self);
}

/* @live (a new run, or one Undo brings back) becomes the window's */
void
_sl_window_adopt_live (SlWindow  *self,
                       SlLiveRun *live)
{
  g_assert (self->live == NULL);
  self->live = live;
  self->told_capture_problem = FALSE;
  g_signal_connect_swapped (self->live, "changed", G_CALLBACK (on_live_changed), self);
  g_signal_connect_swapped (self->live, "finished", G_CALLBACK (on_live_finished), self);
  g_signal_connect_swapped (self->live, "notify::state", G_CALLBACK (on_live_changed), self);
}

gboolean
_sl_window_live_is_active (SlWindow *self)
{
  return self->live != NULL && sl_live_run_get_state (self->live) != SL_LIVE_RUN_FINISHED;
}

gboolean
_sl_window_start_run (SlWindow *self,
           gboolean  stepping)
{
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (self->scenario != NULL || self->programs != NULL, FALSE);

  _sl_window_drop_live (self);
  _sl_window_cancel_load (self);
  g_clear_object (&self->file);
  _sl_window_hide_message (self);

  _sl_window_adopt_live (self, self->programs != NULL
                                  ? sl_live_run_new_traced ((const char *const *) self->programs,
                                                            SL_WINDOW_TRACE_TIMEOUT_S)
                                  : sl_live_run_new (self->scenario, self->params));
  self->saved_events = 0;
  _sl_window_keep_stream (self);
  if (!sl_live_run_start (self->live, stepping, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not start %s: %s"),
                                               self->programs ? self->programs_title
                                                              : self->scenario->name,
                                               error->message);
      _sl_window_drop_live (self);
      _sl_window_show_message (self, GTK_MESSAGE_ERROR, text);
      _sl_window_update_page (self);
      _sl_window_update_status (self);
      _sl_window_update_actions (self);
      return FALSE;
    }

  sl_session_set_follow_live (self->session, TRUE);
  _sl_window_show_recording (self, sl_live_run_get_recording (self->live));
  return TRUE;
}

/* ---- scenarios ----------------------------------------------------------- */

static void
on_scenario_activated (SlWindow   *self,
                       const char *name)
{
  gtk_popover_popdown (self->scenario_popover);
  sl_window_set_scenario (self, name);
}

static void
on_example_activated (SlWindow   *self,
                      const char *name)
{
  gtk_popover_popdown (self->scenario_popover);
  sl_window_set_example (self, name);
}

/* Each time it opens: the whole list, the search ready for typing */
static void
on_scenario_popover_show (SlWindow *self)
{
  sl_scenario_picker_reset (self->scenario_picker);
  gtk_widget_grab_focus (GTK_WIDGET (self->scenario_picker));
}

void
_sl_window_notify_presentation (SlWindow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRESENTATION]);
}

/* ---- speed ------------------------------------------------------------------ */


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

void
_sl_window_select_speed (SlWindow *self,
              double    speed)
{
  guint best = 3;

  for (guint i = 0; i < G_N_ELEMENTS (speeds); i++)
    if (ABS (speeds[i] - speed) < ABS (speeds[best] - speed))
      best = i;
  gtk_drop_down_set_selected (self->speed_dropdown, best);
}

/* ---- window -------------------------------------------------------------- */

static void
on_selection_changed (SlWindow *self)
{
  _sl_window_update_inspector (self);
}

static gboolean
sl_window_close_request (GtkWindow *window)
{
  SlWindow *self = SL_WINDOW (window);

  if (_sl_window_keep_close_request (self))
    return TRUE;

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
  self->disposing = TRUE;
  _sl_window_files_dispose (self);
  _sl_window_drop_live (self);
  _sl_window_keep_dispose (self);
  g_clear_object (&self->toasts);
  gtk_widget_dispose_template (GTK_WIDGET (self), SL_TYPE_WINDOW);

  G_OBJECT_CLASS (sl_window_parent_class)->dispose (object);
}

static void
sl_window_finalize (GObject *object)
{
  SlWindow *self = SL_WINDOW (object);

  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->params, nc_params_free);
  _sl_window_clear_programs (self);
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
  g_type_ensure (SL_TYPE_CONSOLE_PANE);
  g_type_ensure (SL_TYPE_CONVERSATION_LIST);
  g_type_ensure (SL_TYPE_PACKET_INSPECTOR);
  g_type_ensure (SL_TYPE_CALL_INSPECTOR);
  g_type_ensure (SL_TYPE_SCENARIO_PICKER);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/socklens/Socklens/ui/sl-window.ui");
  gtk_widget_class_bind_template_child (widget_class, SlWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, scenario_button);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, scenario_popover);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, scenario_picker);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, scenario_label);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, side_button);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, load_box);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, load_progress);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, load_cancel_button);
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
  gtk_widget_class_bind_template_child (widget_class, SlWindow, console_pane);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, packet_inspector);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, call_inspector);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, recent_submenu);
  gtk_widget_class_bind_template_callback (widget_class, on_info_bar_response);
  gtk_widget_class_bind_template_callback (widget_class, on_scenario_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_example_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_scenario_popover_show);
  gtk_widget_class_bind_template_callback (widget_class, on_speed_selected);


  _sl_window_class_actions_init (widget_class);
  _sl_window_class_files_init (widget_class);
  _sl_window_class_export_init (widget_class);
  _sl_window_class_presentation_init (widget_class);
  _sl_window_class_params_init (widget_class);
  _sl_window_class_programs_init (widget_class);
  _sl_window_class_keep_init (widget_class);
}

static void
add_timeline (SlWindow *self)
{
  self->timeline = sl_timeline_view_new (self->session);
  gtk_widget_set_hexpand (self->timeline, TRUE);
  gtk_widget_set_vexpand (self->timeline, TRUE);
  gtk_box_append (self->timeline_slot, self->timeline);
}

/* The application's one-key accelerators (Space and Right for Step, the
 * digits) act in the capture phase, before any widget: typing a message or
 * a search would step the run. A text field with the focus has the key
 * first; what it does not take goes on to the accelerators. */
static gboolean
on_key_capture (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                SlWindow              *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (focus == NULL || !GTK_IS_TEXT (focus) || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)))
    return FALSE;
  return gtk_event_controller_key_forward (GTK_EVENT_CONTROLLER_KEY (controller), focus);
}

/* Added after the window has its application, so it comes before the
 * application's accelerators in the window's controllers (the later added
 * runs first in a phase) */
static void
put_text_keys_first (SlWindow *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();

  gtk_event_controller_set_propagation_phase (keys, GTK_PHASE_CAPTURE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_capture), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
}

static void
sl_window_init (SlWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->toasts = sl_toast_queue_new (self->toast_overlay);
  self->session = sl_session_new ();
  sl_code_view_set_session (self->code_view, self->session);
  sl_console_pane_set_session (self->console_pane, self->session);
  sl_conversation_list_set_session (self->conversation_list, self->session);
  sl_packet_inspector_set_session (self->packet_inspector, self->session);
  sl_call_inspector_set_session (self->call_inspector, self->session);
  g_signal_connect_object (self->session, "notify::selection-kind",
                           G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::selection-index",
                           G_CALLBACK (on_selection_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "notify::playing",
                           G_CALLBACK (_sl_window_update_actions), self, G_CONNECT_SWAPPED);
  add_timeline (self);
  _sl_window_panes_init (self);

  _sl_window_files_init (self);
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
  _sl_window_select_speed (self, g_settings_get_double (self->settings, "playback-speed"));
  g_signal_connect_object (self->settings, "changed::recent-files",
                           G_CALLBACK (_sl_window_fill_recent_menu), self, G_CONNECT_SWAPPED);
  {
    /* Sequence or Time: the header's toggle, kept in the settings */
    g_autoptr (GAction) layout = g_settings_create_action (self->settings, "timeline-layout");
    g_action_map_add_action (G_ACTION_MAP (self), layout);
    g_settings_bind (self->settings, "timeline-layout", self->timeline, "layout", G_SETTINGS_BIND_GET);
  }

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

  put_text_keys_first (self);

  if (SL_IS_APPLICATION (application))
    {
      GSettings *settings = sl_application_get_settings (SL_APPLICATION (application));
      if (settings != NULL)
        self->settings = g_object_ref (settings);
    }
  apply_settings (self);
  _sl_window_fill_recent_menu (self);
  _sl_window_keep_offer_recovery (self);
  _sl_window_update_page (self);
  _sl_window_update_inspector (self);
  _sl_window_update_status (self);
  _sl_window_update_actions (self);
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

/* Something chosen, not yet run (@ready: its empty recording): no run, file
 * or message of before stays under it. */
void
_sl_window_show_ready_recording (SlWindow     *self,
                                 CapRecording *ready)
{
  _sl_window_drop_live (self);
  _sl_window_cancel_load (self);
  g_clear_object (&self->file);
  _sl_window_hide_message (self);
  _sl_window_show_recording (self, ready);
}

/* A scenario chosen, not yet run: its code and "What to notice" in the
 * side pane, an empty timeline, the status says how to start. */
static void
show_ready (SlWindow *self)
{
  g_autoptr(CapRecording) ready = cap_recording_new ();

  cap_recording_set_run_info (ready, self->scenario->name, self->scenario->title);
  _sl_window_show_ready_recording (self, ready);
}

/* Makes @scenario the one Run and Step start; the picker shows it chosen. */
void
_sl_window_choose_scenario (SlWindow         *self,
                            const NcScenario *scenario)
{
  _sl_window_clear_programs (self);
  self->scenario = scenario;
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "last-scenario", scenario->name);
  _sl_window_params_load (self);
  sl_scenario_picker_set_selected (self->scenario_picker, scenario);
  update_empty_page (self);
  _sl_window_update_status (self);
  _sl_window_update_actions (self);
}

/**
 * sl_window_set_scenario:
 * Chooses what Run and Step start. A run or file shown until then gives way
 * to the new scenario's code, so nothing old stands under the new title.
 * Returns: %FALSE if there is no scenario named @name.
 */
gboolean
sl_window_set_scenario (SlWindow   *self,
                        const char *name)
{
  const NcScenario *scenario;
  CapRecording *recording;
  gboolean had_programs;

  g_return_val_if_fail (SL_IS_WINDOW (self), FALSE);

  scenario = name ? nc_scenario_lookup (name) : NULL;
  if (scenario == NULL)
    return FALSE;
  recording = sl_session_get_recording (self->session);
  had_programs = self->programs != NULL;  /* they give way too */
  _sl_window_choose_scenario (self, scenario);
  if (had_programs ||
      (recording != NULL && g_strcmp0 (cap_recording_get_scenario (recording), scenario->name) != 0))
    show_ready (self);
  return TRUE;
}

/**
 * sl_window_get_heading:
 * What the header bar names: the scenario, or the file of a capture that is
 * not a scenario's.
 */
const char *
sl_window_get_heading (SlWindow *self)
{
  g_return_val_if_fail (SL_IS_WINDOW (self), NULL);
  return gtk_label_get_label (self->scenario_label);
}
