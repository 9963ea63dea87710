/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-call-inspector.h: one socket call: arguments, result, errno, state, its packets. */
#pragma once

#include <gtk/gtk.h>

#include "sl-session.h"

G_BEGIN_DECLS

#define SL_TYPE_CALL_INSPECTOR (sl_call_inspector_get_type ())
G_DECLARE_FINAL_TYPE (SlCallInspector, sl_call_inspector, SL, CALL_INSPECTOR, GtkWidget)

/* Properties: session (SlSession). Shows the call selected in the session. */

GtkWidget  *sl_call_inspector_new         (void);
SlSession  *sl_call_inspector_get_session (SlCallInspector *self);
void        sl_call_inspector_set_session (SlCallInspector *self,
                                           SlSession       *session);

G_END_DECLS
