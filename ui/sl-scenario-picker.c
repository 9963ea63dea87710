/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-scenario-picker.c: the scenario picker. A GListStore of
 * SlScenarioItem (a heading before each lecture section, then its
 * scenarios) under a GtkFilterListModel that the search entry narrows; the
 * rows come from sl-scenario-row.ui by a GtkBuilderListItemFactory.
 * While searching, headings are left out: the matches stand alone.
 */

#include "config.h"

#include "sl-scenario-picker.h"

#include <glib/gi18n.h>

#include "sl-scenario-item.h"

struct _SlScenarioPicker
{
  GtkWidget           parent_instance;

  GtkSearchEntry     *search_entry;
  GtkListView        *list_view;

  GListStore         *items;     /* SlScenarioItem, all of them */
  GtkCustomFilter    *filter;
  GtkFilterListModel *shown;
  char               *needle;    /* case-folded search text, NULL for none */
};

G_DEFINE_FINAL_TYPE (SlScenarioPicker, sl_scenario_picker, GTK_TYPE_WIDGET)

enum
{
  SCENARIO_ACTIVATED,
  EXAMPLE_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
filter_item (gpointer item,
             gpointer user_data)
{
  SlScenarioPicker *self = user_data;

  if (self->needle == NULL)
    return TRUE;
  return sl_scenario_item_matches (SL_SCENARIO_ITEM (item), self->needle);
}

static void
on_search_changed (SlScenarioPicker *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  g_clear_pointer (&self->needle, g_free);
  if (text != NULL && *text != '\0')
    self->needle = g_utf8_casefold (text, -1);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
activate_item (SlScenarioPicker *self,
               SlScenarioItem   *item)
{
  const NcScenario *scenario = sl_scenario_item_get_scenario (item);
  const NcExample *example = sl_scenario_item_get_example (item);

  if (scenario != NULL)
    g_signal_emit (self, signals[SCENARIO_ACTIVATED], 0, scenario->name);
  else if (example != NULL)
    g_signal_emit (self, signals[EXAMPLE_ACTIVATED], 0, example->name);
}

static void
on_activate (SlScenarioPicker *self,
             guint             position)
{
  g_autoptr(SlScenarioItem) item = g_list_model_get_item (G_LIST_MODEL (self->shown), position);

  if (item != NULL)
    activate_item (self, item);
}

/* Enter in the search entry takes the first match */
static void
on_search_activate (SlScenarioPicker *self)
{
  GListModel *model = G_LIST_MODEL (self->shown);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(SlScenarioItem) item = g_list_model_get_item (model, i);
      if (sl_scenario_item_get_scenario (item) != NULL || sl_scenario_item_get_example (item) != NULL)
        {
          activate_item (self, item);
          return;
        }
    }
}

static void
on_stop_search (SlScenarioPicker *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

/* The lecture's own Python programs, after the built-in scenarios */
static void
fill_examples (SlScenarioPicker *self)
{
  guint n = 0;
  const NcExample *const *list = nc_example_list (&n);
  g_autoptr(SlScenarioItem) heading = NULL;

  if (n == 0)
    return;
  heading = sl_scenario_item_new_heading (_("Lecture examples (Python)"));
  g_list_store_append (self->items, heading);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SlScenarioItem) item = sl_scenario_item_new_example (list[i]);
      g_list_store_append (self->items, item);
    }
}

static void
fill (SlScenarioPicker *self)
{
  guint n = 0;
  const NcScenario *const *list = nc_scenario_list (&n);
  const char *section = NULL;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(SlScenarioItem) item = sl_scenario_item_new_scenario (list[i]);
      const char *s = nc_scenario_get_section (list[i]);

      if (g_strcmp0 (s, section) != 0)
        {
          g_autoptr(SlScenarioItem) heading = sl_scenario_item_new_heading (s);
          g_list_store_append (self->items, heading);
          section = s;
        }
      g_list_store_append (self->items, item);
    }
  fill_examples (self);
}

static gboolean
sl_scenario_picker_grab_focus (GtkWidget *widget)
{
  return gtk_widget_grab_focus (GTK_WIDGET (SL_SCENARIO_PICKER (widget)->search_entry));
}

static void
sl_scenario_picker_dispose (GObject *object)
{
  SlScenarioPicker *self = SL_SCENARIO_PICKER (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), SL_TYPE_SCENARIO_PICKER);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->shown);
  g_clear_object (&self->items);
  g_clear_pointer (&self->needle, g_free);

  G_OBJECT_CLASS (sl_scenario_picker_parent_class)->dispose (object);
}

static void
sl_scenario_picker_class_init (SlScenarioPickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sl_scenario_picker_dispose;
  widget_class->grab_focus = sl_scenario_picker_grab_focus;

  /**
   * SlScenarioPicker::scenario-activated:
   * @name: the scenario's name ("tcp-echo")
   *
   * A scenario was chosen: a click on its row, or Enter on a search.
   */
  signals[SCENARIO_ACTIVATED] =
    g_signal_new ("scenario-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* A lecture example was chosen (its name, as `socklens trace --example` takes) */
  signals[EXAMPLE_ACTIVATED] =
    g_signal_new ("example-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                  NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (SL_TYPE_SCENARIO_ITEM);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/socklens/Socklens/ui/sl-scenario-picker.ui");
  gtk_widget_class_bind_template_child (widget_class, SlScenarioPicker, search_entry);
  gtk_widget_class_bind_template_child (widget_class, SlScenarioPicker, list_view);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search);
  gtk_widget_class_bind_template_callback (widget_class, on_activate);
}

static void
sl_scenario_picker_init (SlScenarioPicker *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->items = g_list_store_new (SL_TYPE_SCENARIO_ITEM);
  fill (self);
  self->filter = gtk_custom_filter_new (filter_item, self, NULL);
  self->shown = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->items)),
                                           GTK_FILTER (self->filter));
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->shown)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
}

GtkWidget *
sl_scenario_picker_new (void)
{
  return g_object_new (SL_TYPE_SCENARIO_PICKER, NULL);
}

void
sl_scenario_picker_set_selected (SlScenarioPicker *self,
                                 const NcScenario *scenario)
{
  sl_scenario_picker_set_chosen (self, scenario, NULL);
}

/* The check mark on @scenario's row, or @example's */
void
sl_scenario_picker_set_chosen (SlScenarioPicker *self,
                               const NcScenario *scenario,
                               const NcExample  *example)
{
  GListModel *items;

  g_return_if_fail (SL_IS_SCENARIO_PICKER (self));

  items = G_LIST_MODEL (self->items);
  for (guint i = 0; i < g_list_model_get_n_items (items); i++)
    {
      g_autoptr(SlScenarioItem) item = g_list_model_get_item (items, i);
      sl_scenario_item_set_chosen (item,
                                   (scenario != NULL &&
                                    sl_scenario_item_get_scenario (item) == scenario) ||
                                   (example != NULL && sl_scenario_item_get_example (item) == example));
    }
}

GListModel *
sl_scenario_picker_get_model (SlScenarioPicker *self)
{
  g_return_val_if_fail (SL_IS_SCENARIO_PICKER (self), NULL);
  return G_LIST_MODEL (self->shown);
}

void
sl_scenario_picker_reset (SlScenarioPicker *self)
{
  g_return_if_fail (SL_IS_SCENARIO_PICKER (self));
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}
