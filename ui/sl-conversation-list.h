/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-conversation-list.h: the conversations of a capture without calls (from
 * Wireshark or tcpdump), one row each: "a ↔ b", protocol, packets, bytes,
 * first seen; sortable by packets, bytes and time. A row's check box puts its
 * endpoints on the timeline as columns (the session's conversation filter;
 * every other endpoint is aggregated); selecting a row shows the
 * conversation on the timeline and selects its first packet.
 */
#pragma once

#include <gtk/gtk.h>

#include "sl-conversation-model.h"
#include "sl-session.h"

G_BEGIN_DECLS

#define SL_TYPE_CONVERSATION_LIST (sl_conversation_list_get_type ())
G_DECLARE_FINAL_TYPE (SlConversationList, sl_conversation_list, SL, CONVERSATION_LIST, GtkWidget)

/* Properties: session (SlSession). */

GtkWidget           *sl_conversation_list_new         (void);
SlSession           *sl_conversation_list_get_session (SlConversationList *self);
void                 sl_conversation_list_set_session (SlConversationList *self,
                                                       SlSession          *session);
/* The rows now (NULL without a recording), for tests */
SlConversationModel *sl_conversation_list_get_model   (SlConversationList *self);

G_END_DECLS
