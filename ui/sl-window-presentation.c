/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-window-presentation.c: presentation mode, for a projector.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "sl-window-private.h"

#define PRESENTATION_TEXT_SCALE 1.5  /* the timeline's type on a projector */
#define PRESENTATION_SPEED 0.25      /* slow motion, so a class can follow each packet */

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
  self->saved_side_width = self->side_width;

  set_presentation_chrome (self, TRUE);
  sl_timeline_view_set_text_scale (timeline, PRESENTATION_TEXT_SCALE);
  /* the code at its larger type, the timeline at its own: shared again */
  _sl_window_update_inspector (self);
  sl_timeline_view_set_high_contrast (timeline, TRUE);
  _sl_window_select_speed (self, PRESENTATION_SPEED);
  gtk_window_fullscreen (GTK_WINDOW (self));
}

static void
leave_presentation (SlWindow *self)
{
  SlTimelineView *timeline = SL_TIMELINE_VIEW (self->timeline);

  set_presentation_chrome (self, FALSE);
  sl_timeline_view_set_text_scale (timeline, self->saved_text_scale);
  self->side_width = self->saved_side_width;
  _sl_window_update_inspector (self);
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
  _sl_window_notify_presentation (self);
}


void
_sl_window_class_presentation_init (GtkWidgetClass *widget_class)
{
  /* A toggle: its state is the property, so the menu shows a check */
  gtk_widget_class_install_property_action (widget_class, "win.presentation", "presentation");
}
