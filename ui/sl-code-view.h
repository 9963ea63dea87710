/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-code-view.h: the scenario's C source, with the current call's line lit. */
#pragma once

#include <gtk/gtk.h>

#include "nc-scenario.h"
#include "sl-session.h"

G_BEGIN_DECLS

#define SL_TYPE_CODE_VIEW (sl_code_view_get_type ())
G_DECLARE_FINAL_TYPE (SlCodeView, sl_code_view, SL, CODE_VIEW, GtkWidget)

/* Properties: session (SlSession). */

GtkWidget  *sl_code_view_new             (void);
SlSession  *sl_code_view_get_session     (SlCodeView *self);
void        sl_code_view_set_session     (SlCodeView *self,
                                          SlSession  *session);
/* The source line lit now, 0 if none (for tests) */
guint       sl_code_view_get_current_line (SlCodeView *self);
/* Whose source and "What to notice" it shows, NULL for none */
const NcScenario *sl_code_view_get_scenario (SlCodeView *self);
void        sl_code_view_show_file       (SlCodeView *self,
                                          const char *path);
/* The file shown (a traced program's), or NULL for a scenario's source */
const char *sl_code_view_get_file        (SlCodeView *self);

G_END_DECLS
