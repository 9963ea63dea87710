/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-console-pane.h: what the traced programs print, one read-only
 * monospace page per program, following the session's recording live.
 */
#pragma once

#include <gtk/gtk.h>

#include "sl-console-model.h"
#include "sl-session.h"

G_BEGIN_DECLS

#define SL_TYPE_CONSOLE_PANE (sl_console_pane_get_type ())
G_DECLARE_FINAL_TYPE (SlConsolePane, sl_console_pane, SL, CONSOLE_PANE, GtkWidget)

/* Properties: session (SlSession). Visible only while the shown recording
 * has traced programs. */

GtkWidget      *sl_console_pane_new         (void);
SlSession      *sl_console_pane_get_session (SlConsolePane *self);
void            sl_console_pane_set_session (SlConsolePane *self,
                                             SlSession     *session);
SlConsoleModel *sl_console_pane_get_model   (SlConsolePane *self);
/* What @program's page shows now (tests) */
char           *sl_console_pane_dup_text    (SlConsolePane *self,
                                             guint          program);
/* The page shown: its program's index */
guint           sl_console_pane_get_visible_program (SlConsolePane *self);

G_END_DECLS
