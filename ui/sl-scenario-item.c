/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-scenario-item.c: one row of the scenario picker. The row's widgets
 * come from sl-scenario-row.ui and read these properties by expressions.
 */

#include "config.h"

#include <glib/gi18n.h>

#include "sl-scenario-item.h"

#include <string.h>

struct _SlScenarioItem
{
  GObject           parent_instance;

  const NcScenario *scenario;  /* NULL for a heading */
  char             *heading;
  char             *subtitle;
  gboolean          chosen;
};

G_DEFINE_FINAL_TYPE (SlScenarioItem, sl_scenario_item, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_NAME,
  PROP_TITLE,
  PROP_SUBTITLE,
  PROP_NOTICE,
  PROP_HEADING,
  PROP_IS_SCENARIO,
  PROP_IS_HEADING,
  PROP_CHOSEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
sl_scenario_item_finalize (GObject *object)
{
  SlScenarioItem *self = SL_SCENARIO_ITEM (object);

  g_free (self->heading);
  g_free (self->subtitle);

  G_OBJECT_CLASS (sl_scenario_item_parent_class)->finalize (object);
}

static void
sl_scenario_item_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  SlScenarioItem *self = SL_SCENARIO_ITEM (object);
  const NcScenario *s = self->scenario;

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, s ? s->name : NULL);
      break;
    case PROP_TITLE:
      g_value_set_string (value, s ? _(s->title) : NULL);
      break;
    case PROP_SUBTITLE:
      g_value_set_string (value, self->subtitle);
      break;
    case PROP_NOTICE:
      g_value_set_string (value, s ? _(s->notice) : NULL);
      break;
    case PROP_HEADING:
      g_value_set_string (value, self->heading);
      break;
    case PROP_IS_SCENARIO:
      g_value_set_boolean (value, s != NULL);
      break;
    case PROP_IS_HEADING:
      g_value_set_boolean (value, s == NULL);
      break;
    case PROP_CHOSEN:
      g_value_set_boolean (value, self->chosen);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sl_scenario_item_class_init (SlScenarioItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = sl_scenario_item_finalize;
  object_class->get_property = sl_scenario_item_get_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, ro);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, ro);
  properties[PROP_SUBTITLE] = g_param_spec_string ("subtitle", NULL, NULL, NULL, ro);
  properties[PROP_NOTICE] = g_param_spec_string ("notice", NULL, NULL, NULL, ro);
  properties[PROP_HEADING] = g_param_spec_string ("heading", NULL, NULL, NULL, ro);
  properties[PROP_IS_SCENARIO] = g_param_spec_boolean ("is-scenario", NULL, NULL, FALSE, ro);
  properties[PROP_IS_HEADING] = g_param_spec_boolean ("is-heading", NULL, NULL, FALSE, ro);
  properties[PROP_CHOSEN] = g_param_spec_boolean ("chosen", NULL, NULL, FALSE,
                                                  ro | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sl_scenario_item_init (SlScenarioItem *self)
{
}

SlScenarioItem *
sl_scenario_item_new_scenario (const NcScenario *scenario)
{
  SlScenarioItem *self;

  g_return_val_if_fail (scenario != NULL, NULL);

  self = g_object_new (SL_TYPE_SCENARIO_ITEM, NULL);
  self->scenario = scenario;
  self->subtitle = scenario->topic ? g_strdup_printf ("%s  ·  %s", scenario->name, _(scenario->topic))
                                   : g_strdup (scenario->name);
  return self;
}

SlScenarioItem *
sl_scenario_item_new_heading (const char *title)
{
  SlScenarioItem *self = g_object_new (SL_TYPE_SCENARIO_ITEM, NULL);

  self->heading = g_strdup (title);
  return self;
}

const NcScenario *
sl_scenario_item_get_scenario (SlScenarioItem *self)
{
  g_return_val_if_fail (SL_IS_SCENARIO_ITEM (self), NULL);
  return self->scenario;
}

const char *
sl_scenario_item_get_heading (SlScenarioItem *self)
{
  g_return_val_if_fail (SL_IS_SCENARIO_ITEM (self), NULL);
  return self->heading;
}

static gboolean
contains (const char *haystack,
          const char *needle)
{
  g_autofree char *lower = haystack ? g_utf8_casefold (haystack, -1) : NULL;

  return lower != NULL && strstr (lower, needle) != NULL;
}

gboolean
sl_scenario_item_matches (SlScenarioItem *self,
                          const char     *needle)
{
  const NcScenario *s;

  g_return_val_if_fail (SL_IS_SCENARIO_ITEM (self), FALSE);

  s = self->scenario;
  if (s == NULL)
    return FALSE;
  return contains (s->name, needle) || contains (_(s->title), needle) ||
         contains (_(s->topic), needle) || contains (_(s->notice), needle);
}

gboolean
sl_scenario_item_get_chosen (SlScenarioItem *self)
{
  g_return_val_if_fail (SL_IS_SCENARIO_ITEM (self), FALSE);
  return self->chosen;
}

void
sl_scenario_item_set_chosen (SlScenarioItem *self,
                             gboolean        chosen)
{
  g_return_if_fail (SL_IS_SCENARIO_ITEM (self));

  chosen = !!chosen;
  if (self->chosen == chosen)
    return;
  self->chosen = chosen;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHOSEN]);
}
