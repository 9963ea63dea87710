/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-packet-inspector.h: one packet's fields by layer and its bytes, linked both ways. */
#pragma once

#include <gtk/gtk.h>

#include "sl-session.h"

G_BEGIN_DECLS

#define SL_TYPE_PACKET_INSPECTOR (sl_packet_inspector_get_type ())
G_DECLARE_FINAL_TYPE (SlPacketInspector, sl_packet_inspector, SL, PACKET_INSPECTOR, GtkWidget)

/* Properties: session (SlSession). Shows the packet selected in the session. */

GtkWidget  *sl_packet_inspector_new          (void);
SlSession  *sl_packet_inspector_get_session  (SlPacketInspector *self);
void        sl_packet_inspector_set_session  (SlPacketInspector *self,
                                              SlSession         *session);
/* Selects a field by its stable name ("Destination port"); FALSE if absent */
gboolean    sl_packet_inspector_select_field (SlPacketInspector *self,
                                              const char        *name);
/* The byte-order line for the selected field ("network order 23 28 → host
 * value 9000"), or NULL; for tests */
const char *sl_packet_inspector_get_byte_order_text (SlPacketInspector *self);

G_END_DECLS
