/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-scenario-item.h: one row of the scenario picker: a scenario, or the
 * heading of a lecture section above its scenarios.
 */
#pragma once

#include <glib-object.h>

#include "nc-example.h"
#include "nc-scenario.h"

G_BEGIN_DECLS

#define SL_TYPE_SCENARIO_ITEM (sl_scenario_item_get_type ())
G_DECLARE_FINAL_TYPE (SlScenarioItem, sl_scenario_item, SL, SCENARIO_ITEM, GObject)

/* Properties (read-only but chosen): name, title, subtitle (name and the
 * slide it serves), notice, heading (a section's title; NULL for a
 * scenario), is-scenario, is-heading, chosen (the window's scenario: a check mark). */

SlScenarioItem   *sl_scenario_item_new_scenario (const NcScenario *scenario);
SlScenarioItem   *sl_scenario_item_new_example  (const NcExample  *example);
/* NULL unless a lecture example */
const NcExample  *sl_scenario_item_get_example  (SlScenarioItem   *self);
SlScenarioItem   *sl_scenario_item_new_heading  (const char       *title);
/* NULL for a heading */
const NcScenario *sl_scenario_item_get_scenario (SlScenarioItem   *self);
const char       *sl_scenario_item_get_heading  (SlScenarioItem   *self);
/* Whether @needle (lower case) is in its name, title, topic or notice */
gboolean          sl_scenario_item_matches      (SlScenarioItem   *self,
                                                 const char       *needle);
gboolean          sl_scenario_item_get_chosen   (SlScenarioItem   *self);
void              sl_scenario_item_set_chosen   (SlScenarioItem   *self,
                                                 gboolean          chosen);

G_END_DECLS
