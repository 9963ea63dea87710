/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-scenario-picker.h: every scenario in a searchable list, grouped by the
 * lecture's sections (nc_scenario_get_section) in the lecture's order.
 */
#pragma once

#include <gtk/gtk.h>

#include "nc-example.h"
#include "nc-scenario.h"

G_BEGIN_DECLS

#define SL_TYPE_SCENARIO_PICKER (sl_scenario_picker_get_type ())
G_DECLARE_FINAL_TYPE (SlScenarioPicker, sl_scenario_picker, SL, SCENARIO_PICKER, GtkWidget)

/* Signal "scenario-activated" (const char *name): a scenario row was clicked,
 * or Enter pressed in the search entry with at least one match. */

GtkWidget  *sl_scenario_picker_new          (void);
/* Marks @scenario as the chosen one (a check mark); NULL for none */
void        sl_scenario_picker_set_selected (SlScenarioPicker *self,
                                             const NcScenario *scenario);
void        sl_scenario_picker_set_chosen   (SlScenarioPicker *self,
                                             const NcScenario *scenario,
                                             const NcExample  *example);
/* The rows shown now (SlScenarioItem: headings and scenarios), after the search */
GListModel *sl_scenario_picker_get_model    (SlScenarioPicker *self);
/* Clears the search and shows the top, for the next time it opens */
void        sl_scenario_picker_reset        (SlScenarioPicker *self);

G_END_DECLS
