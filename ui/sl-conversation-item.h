/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-conversation-item.h: one row of the conversation list, a TCP
 * connection or a UDP flow of a recording. A thin view of the recording's
 * CapConversation: only the text is kept (made on first use), everything
 * else is read from the recording, so a row costs a few words.
 */
#pragma once

#include <glib-object.h>

#include "cap-recording.h"

G_BEGIN_DECLS

#define SL_TYPE_CONVERSATION_ITEM (sl_conversation_item_get_type ())
G_DECLARE_FINAL_TYPE (SlConversationItem, sl_conversation_item, SL, CONVERSATION_ITEM, GObject)

/* Properties (read-only): recording, id, title ("a ↔ b"), protocol,
 * packets, bytes, bytes-text, first-seen (ns from the recording's start),
 * first-seen-text, chosen (drawn as columns). */

SlConversationItem *sl_conversation_item_new                 (CapRecording       *recording,
                                                              guint32             id,
                                                              gboolean            chosen);
CapRecording       *sl_conversation_item_get_recording       (SlConversationItem *self);
guint32             sl_conversation_item_get_id              (SlConversationItem *self);
const char         *sl_conversation_item_get_title           (SlConversationItem *self);
const char         *sl_conversation_item_get_protocol        (SlConversationItem *self);
guint               sl_conversation_item_get_packets         (SlConversationItem *self);
guint64             sl_conversation_item_get_bytes           (SlConversationItem *self);
char               *sl_conversation_item_dup_bytes_text      (SlConversationItem *self);
gint64              sl_conversation_item_get_first_seen      (SlConversationItem *self);
char               *sl_conversation_item_dup_first_seen_text (SlConversationItem *self);
gboolean            sl_conversation_item_get_chosen          (SlConversationItem *self);
/* For the model, which owns the chosen set: notifies on change */
void                sl_conversation_item_set_chosen          (SlConversationItem *self,
                                                              gboolean            chosen);
/* For the model's sorting probes: the same object made to stand for
 * another conversation, without notifying */
void                sl_conversation_item_retarget            (SlConversationItem *self,
                                                              guint32             id);

G_END_DECLS
