/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-conversation-model.h: a recording's conversations as a GListModel of
 * SlConversationItem, for the conversation list. A capture of a million
 * packets has some 16,000 conversations; the model keeps only an array of
 * their ids in row order and a byte per conversation for "chosen", and makes
 * a row item when the list asks for one (the ones on screen). It sorts
 * itself by any GtkSorter (the column view's), comparing raw conversations
 * through two reusable probe items, so sorting makes no items either.
 */
#pragma once

#include <gtk/gtk.h>

#include "cap-recording.h"
#include "sl-conversation-item.h"

G_BEGIN_DECLS

#define SL_TYPE_CONVERSATION_MODEL (sl_conversation_model_get_type ())
G_DECLARE_FINAL_TYPE (SlConversationModel, sl_conversation_model, SL, CONVERSATION_MODEL, GObject)

/* Properties: recording (construct-only), sorter (GtkSorter, nullable).
 * Signal "chosen-changed": the chosen set changed (a check box, or
 * sl_conversation_model_set_chosen_ids ()). */

SlConversationModel *sl_conversation_model_new              (CapRecording        *recording);
CapRecording        *sl_conversation_model_get_recording    (SlConversationModel *self);
GtkSorter           *sl_conversation_model_get_sorter       (SlConversationModel *self);
void                 sl_conversation_model_set_sorter       (SlConversationModel *self,
                                                             GtkSorter           *sorter);
/* The conversation id of row @position, CAP_NONE past the end */
guint32              sl_conversation_model_get_id           (SlConversationModel *self,
                                                             guint                position);
/* Picks up conversations added to the recording since (a growing recording) */
void                 sl_conversation_model_update           (SlConversationModel *self);

/* The chosen set: the conversations the timeline draws as columns */
gboolean             sl_conversation_model_get_chosen       (SlConversationModel *self,
                                                             guint32              id);
void                 sl_conversation_model_set_chosen       (SlConversationModel *self,
                                                             guint32              id,
                                                             gboolean             chosen);
void                 sl_conversation_model_set_chosen_ids   (SlConversationModel *self,
                                                             const guint32       *ids,
                                                             guint                n_ids);
guint                sl_conversation_model_get_n_chosen     (SlConversationModel *self);
GArray              *sl_conversation_model_dup_chosen_ids   (SlConversationModel *self);

/* How many row items exist now (they are made on demand and not kept) */
guint                sl_conversation_model_get_n_live_items (SlConversationModel *self);

G_END_DECLS
