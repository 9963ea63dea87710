/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-event-index-private.h: the event index's storage inside CapRecording. */
#pragma once

#include "cap-recording.h"

G_BEGIN_DECLS

typedef struct
{
  GArray  *rows;           /* CapEvent, in order */
  GArray  *keys;           /* gint64 per row: the time that places it (see cap-event-index.c) */
  GArray  *enter_row;      /* guint32 per call */
  GArray  *return_row;     /* guint32 per call */
  GArray  *packet_row;     /* guint32 per packet */
  guint32  n_packets;      /* packets taken in so far (packets only ever append) */
  GArray  *pending_calls;  /* guint32: calls that arrived or changed since the last update */
  GArray  *changed_from;   /* guint32 per update: the lowest row it rewrote */
} CapEventIndex;

void     cap_event_index_init          (CapEventIndex *index);
void     cap_event_index_clear         (CapEventIndex *index);
/* A call's record arrived (entering or returning): called by add_call. */
void     cap_event_index_note_call     (CapEventIndex *index,
                                        guint32        call);
/* Merges what arrived since the last update into the rows. */
void     cap_event_index_update        (CapRecording  *self);
/* The lowest row any update since *@serial rewrote (G_MAXUINT32 if none),
 * and *@serial brought up to date: how a reader that walks the rows as they
 * grow (the live text printer) learns that an event arrived late. */
guint32  cap_event_index_changed_since (CapRecording  *self,
                                        guint         *serial);

G_END_DECLS
