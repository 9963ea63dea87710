/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-window-params.c: a scenario's parameters (port, message, count), set
 * in the window before Run or Step and remembered per scenario in GSettings
 * ("scenario-parameters", a{s(qsu)}). The message is what the class sees in
 * the packets' bytes, so a teacher chooses it.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "sl-window-private.h"

#define PARAMS_KEY "scenario-parameters"

static void
show_params (SlWindow *self)
{
  g_autofree char *title = NULL;

  self->params_loading = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->message_entry), self->params->message);
  gtk_spin_button_set_value (self->port_spin, self->params->port);
  gtk_spin_button_set_value (self->count_spin, self->params->count);
  self->params_loading = FALSE;
  title = g_strdup_printf (_("For the next run of %s"), _(self->scenario->title));
  gtk_label_set_label (self->params_title, title);
}

/* The saved parameters of the chosen scenario, or its defaults */
void
_sl_window_params_load (SlWindow *self)
{
  g_autoptr(GVariant) all = NULL;
  guint16 port;
  const char *message;
  guint32 count;

  g_clear_pointer (&self->params, nc_params_free);
  self->params = nc_params_new (self->scenario);
  if (self->settings != NULL)
    {
      all = g_settings_get_value (self->settings, PARAMS_KEY);
      if (g_variant_lookup (all, self->scenario->name, "(q&su)", &port, &message, &count))
        {
          self->params->port = port;
          g_free (self->params->message);
          self->params->message = g_strdup (message);
          self->params->count = MAX (count, 1);
        }
    }
  show_params (self);
}

/* Writes @self->params under the scenario's name; NULL params remove it */
static void
save_params (SlWindow       *self,
             const NcParams *params)
{
  g_autoptr(GVariant) all = NULL;
  GVariantBuilder builder;
  GVariantIter iter;
  const char *name;
  GVariant *value;

  if (self->settings == NULL)
    return;
  all = g_settings_get_value (self->settings, PARAMS_KEY);
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{s(qsu)}"));
  g_variant_iter_init (&iter, all);
  while (g_variant_iter_loop (&iter, "{&s@(qsu)}", &name, &value))
    if (!g_str_equal (name, self->scenario->name))
      g_variant_builder_add (&builder, "{s@(qsu)}", name, value);
  if (params != NULL)
    g_variant_builder_add (&builder, "{s(qsu)}", self->scenario->name, params->port,
                           params->message, params->count);
  g_settings_set_value (self->settings, PARAMS_KEY, g_variant_builder_end (&builder));
}

static void
on_param_changed (SlWindow *self)
{
  if (self->params_loading || self->params == NULL)
    return;
  g_free (self->params->message);
  self->params->message = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->message_entry)));
  self->params->port = (guint16) gtk_spin_button_get_value_as_int (self->port_spin);
  self->params->count = (guint) gtk_spin_button_get_value_as_int (self->count_spin);
  save_params (self, self->params);
}

static void
on_params_reset (SlWindow *self)
{
  save_params (self, NULL);
  _sl_window_params_load (self);
}

void
_sl_window_class_params_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, SlWindow, params_button);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, params_title);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, message_entry);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, port_spin);
  gtk_widget_class_bind_template_child (widget_class, SlWindow, count_spin);
  gtk_widget_class_bind_template_callback (widget_class, on_param_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_params_reset);
}

/**
 * sl_window_get_parameters:
 * Returns: what the next run of the chosen scenario gets (NULL before one is chosen).
 */
const NcParams *
sl_window_get_parameters (SlWindow *self)
{
  g_return_val_if_fail (SL_IS_WINDOW (self), NULL);
  return self->params;
}

/**
 * sl_window_set_parameters:
 * As the teacher would type them: shown in the fields, kept for the scenario.
 */
void
sl_window_set_parameters (SlWindow   *self,
                          guint16     port,
                          const char *message,
                          guint       count)
{
  g_return_if_fail (SL_IS_WINDOW (self));
  g_return_if_fail (self->params != NULL);
  g_return_if_fail (message != NULL);

  gtk_editable_set_text (GTK_EDITABLE (self->message_entry), message);
  gtk_spin_button_set_value (self->port_spin, port);
  gtk_spin_button_set_value (self->count_spin, count);
}
