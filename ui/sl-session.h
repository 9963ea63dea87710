/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-session.h: what the user is looking at, apart from any widget: the
 * recording, the visible time range, the playhead, the selection, playback
 * speed. Widgets observe it (notify::) and only queue a redraw; nothing in it
 * draws. Like Sysprof's SysprofSession.
 */
#pragma once

#include <glib-object.h>

#include "cap-recording.h"

G_BEGIN_DECLS

typedef enum
{
  SL_SELECTION_NONE,
  SL_SELECTION_CALL,
  SL_SELECTION_PACKET,
} SlSelectionKind;

/* A capture without calls: how many of its busiest conversations are drawn
 * at first (their endpoints become columns; four keep a projected ladder
 * readable beside the conversation list) */
#define SL_SESSION_DEFAULT_CONVERSATIONS 4

#define SL_TYPE_SESSION (sl_session_get_type ())
G_DECLARE_FINAL_TYPE (SlSession, sl_session, SL, SESSION, GObject)

/* Properties: recording, visible-begin, visible-end (ns, absolute), playhead
 * (ns, absolute), selection-kind, selection-index, playing, speed (0.1-10.0),
 * follow-live, conversation-filter (GArray of guint32 or NULL). Each setter
 * notifies only on change. Signal "recording-changed"
 * is emitted when the recording's content grew (a live run), so views can
 * extend without the user losing their place. */

SlSession       *sl_session_new                 (void);
CapRecording    *sl_session_get_recording       (SlSession    *self);
void             sl_session_set_recording       (SlSession    *self,
                                                 CapRecording *recording);
gint64           sl_session_get_visible_begin   (SlSession    *self);
gint64           sl_session_get_visible_end     (SlSession    *self);
void             sl_session_set_visible         (SlSession    *self,
                                                 gint64        begin,
                                                 gint64        end);
void             sl_session_zoom                (SlSession    *self,
                                                 double        factor,
                                                 gint64        around);
void             sl_session_fit_all             (SlSession    *self);
gint64           sl_session_get_playhead        (SlSession    *self);
void             sl_session_set_playhead        (SlSession    *self,
                                                 gint64        ts);
SlSelectionKind  sl_session_get_selection_kind  (SlSession    *self);
guint            sl_session_get_selection_index (SlSession    *self);
void             sl_session_select              (SlSession    *self,
                                                 SlSelectionKind kind,
                                                 guint         index);
gboolean         sl_session_get_playing         (SlSession    *self);
void             sl_session_set_playing         (SlSession    *self,
                                                 gboolean      playing);
double           sl_session_get_speed           (SlSession    *self);
void             sl_session_set_speed           (SlSession    *self,
                                                 double        speed);
gboolean         sl_session_get_follow_live     (SlSession    *self);
void             sl_session_set_follow_live     (SlSession    *self,
                                                 gboolean      follow);
/* Step to the next/previous event (call start or end, or packet) from the playhead */
void             sl_session_step_event          (SlSession    *self,
                                                 int           direction);

/* A capture without calls: which conversations' endpoints are columns */
gboolean         sl_session_is_foreign_capture  (SlSession    *self);
const guint32   *sl_session_get_conversation_filter (SlSession *self,
                                                 guint        *n_ids);
void             sl_session_set_conversation_filter (SlSession *self,
                                                 const guint32 *ids,
                                                 guint         n_ids);
void             sl_session_choose_busiest_conversations (SlSession *self,
                                                 guint         n);

G_END_DECLS
