/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-window-actions.c: run control and the window's other actions.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "sl-window-private.h"

/* ---- run control --------------------------------------------------------- */

/* One press too many on a clicker must not throw away what the class watched */
static void
say_finished (SlWindow *self)
{
  _sl_window_toast (self, _("This run has finished: Restart (Ctrl+R) runs it again"));
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  SlWindow *self = SL_WINDOW (widget);

  if (_sl_window_live_is_active (self))
    sl_live_run_run (self->live);
  else if (_sl_window_showing_result (self))
    say_finished (self);
  else if (self->scenario != NULL || self->programs != NULL)
    _sl_window_start_run (self, FALSE);
  _sl_window_update_actions (self);
}

static void
step_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SlWindow *self = SL_WINDOW (widget);

  /* With nothing running, Step starts a stepped run: the first press is the
   * first call, so every press is exactly one call. */
  if (!_sl_window_live_is_active (self) && _sl_window_showing_result (self))
    {
      say_finished (self);
      return;
    }
  if (!_sl_window_live_is_active (self) &&
      ((self->scenario == NULL && self->programs == NULL) || !_sl_window_start_run (self, TRUE)))
    return;
  if (sl_live_run_get_state (self->live) == SL_LIVE_RUN_RUNNING)
    sl_live_run_pause (self->live);
  sl_live_run_step (self->live);
  sl_session_set_follow_live (self->session, TRUE);
  _sl_window_update_status (self);
}

static void
step_actor_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  SlWindow *self = SL_WINDOW (widget);
  guint column = g_variant_get_uint32 (parameter);
  SlTimelinePainter *painter = sl_timeline_view_get_painter (SL_TIMELINE_VIEW (self->timeline));
  guint actor;

  /* 1 is the first column as drawn (the client, in tcp-echo), whatever
   * order the scenario added its actors in */
  if (!_sl_window_live_is_active (self) || column >= sl_timeline_painter_get_n_columns (painter))
    return;
  actor = sl_timeline_painter_get_column_actor (painter, column);
  if (actor != G_MAXUINT)
    sl_live_run_step_actor (self->live, actor);
}

static void
pause_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  SlWindow *self = SL_WINDOW (widget);

  if (_sl_window_live_is_active (self))
    sl_live_run_pause (self->live);
  sl_session_set_playing (self->session, FALSE);
  _sl_window_update_actions (self);
}

static void
stop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  SlWindow *self = SL_WINDOW (widget);

  /* Escape also stops opening a long file */
  if (sl_window_is_loading (self))
    gtk_widget_activate_action (widget, "win.cancel-load", NULL);
  if (_sl_window_live_is_active (self))
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

  if (self->scenario != NULL || self->programs != NULL)
    _sl_window_start_run (self, stepping);
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

void
_sl_window_update_actions (SlWindow *self)
{
  GtkWidget *w = GTK_WIDGET (self);
  CapRecording *recording = sl_session_get_recording (self->session);
  SlLiveRunState state = self->live ? sl_live_run_get_state (self->live) : SL_LIVE_RUN_IDLE;
  gboolean active = _sl_window_live_is_active (self);
  gboolean have_scenario = self->scenario != NULL || self->programs != NULL;
  gboolean content = _sl_window_recording_has_content (recording);

  /* A capture that is not a scenario's run: Run and Step would not apply to it */
  have_scenario = have_scenario && !_sl_window_showing_foreign_file (self);
  gtk_widget_action_set_enabled (w, "win.run", have_scenario && state != SL_LIVE_RUN_RUNNING);
  gtk_widget_action_set_enabled (w, "win.step", have_scenario);
  gtk_widget_action_set_enabled (w, "win.step-actor", state == SL_LIVE_RUN_STEPPING);
  gtk_widget_action_set_enabled (w, "win.pause",
                                 state == SL_LIVE_RUN_RUNNING || sl_session_get_playing (self->session));
  gtk_widget_action_set_enabled (w, "win.stop", active || sl_window_is_loading (self));
  gtk_widget_action_set_enabled (w, "win.restart", have_scenario && content);
  gtk_widget_action_set_enabled (w, "win.open-programs-folder", self->programs != NULL);
  gtk_widget_action_set_enabled (w, "win.save", content);
  gtk_widget_action_set_enabled (w, "win.export-diagram", content);
  gtk_widget_action_set_enabled (w, "win.export-events", content);
}


void
_sl_window_class_actions_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "win.step", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "win.step-actor", "u", step_actor_action);
  gtk_widget_class_install_action (widget_class, "win.pause", NULL, pause_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.restart", NULL, restart_action);
  gtk_widget_class_install_action (widget_class, "win.fullscreen", NULL, fullscreen_action);
  gtk_widget_class_install_action (widget_class, "win.side-pane", NULL, side_pane_action);
  gtk_widget_class_install_action (widget_class, "win.choose-scenario", "s",
                                   choose_scenario_action);
}
