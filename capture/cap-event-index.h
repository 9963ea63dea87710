/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-event-index.h: one event order for the whole recording.
 *
 * Every call is two events (it enters, it returns) and every packet one; the
 * index puts them in rows, in causal order, and everything that shows or
 * writes a timeline reads these rows: the text timeline, the pcapng save, the
 * events export and the Sequence axis.
 *
 * The order is real time, except where the clocks would tell a lie: a call's
 * return row always comes after the packets it waited for (a recv() after the
 * segment that delivered its bytes, accept()/connect() after their handshake,
 * a failed recv() after its ICMP error, select() after what made an fd
 * ready), and a packet a call caused (send(), connect(), close()) comes after
 * that call's enter row. Time spent at the step gate plays no part.
 *
 * The index grows with the recording: each commit merges the new events into
 * the rows (amortised O(new events)), so a row number may move when an event
 * arrives late with an earlier time; re-read rows on "changed". Rows and
 * pointers are valid until the recording next changes.
 */
#pragma once

#include "cap-recording.h"

G_BEGIN_DECLS

typedef enum
{
  CAP_EVENT_CALL_ENTER,
  CAP_EVENT_CALL_RETURN,
  CAP_EVENT_PACKET,
} CapEventKind;

typedef struct
{
  guint32 index;  /* call id (CAP_EVENT_CALL_*) or packet index (CAP_EVENT_PACKET) */
  guint8  kind;   /* CapEventKind */
} CapEvent;

guint           cap_recording_get_n_events        (CapRecording *self);
const CapEvent *cap_recording_get_event           (CapRecording *self,
                                                   guint         row);
/* The event's real time in ns: the call's ts_start or ts_end, the packet's ts */
gint64          cap_recording_get_event_time      (CapRecording *self,
                                                   guint         row);
/* Rows of a call's two events, a packet's row; CAP_NONE when not (yet) there
 * (a call still blocked has no return row). */
guint           cap_recording_get_call_enter_row  (CapRecording *self,
                                                   guint         call);
guint           cap_recording_get_call_return_row (CapRecording *self,
                                                   guint         call);
guint           cap_recording_get_packet_row      (CapRecording *self,
                                                   guint         packet);
/* The first row whose place in the order is at or after @ts (binary search;
 * n_events when there is none). A row's place is its real time, or the time
 * of the event it had to follow when the clocks disagree with causality. */
guint           cap_recording_find_row_at         (CapRecording *self,
                                                   gint64        ts);
/* A call that other events interleave: something happened between its enter
 * and its return (the text prints it as unfinished, then resumed). FALSE for
 * a call that has not returned yet. */
gboolean        cap_recording_call_is_interleaved (CapRecording *self,
                                                   guint         call);

G_END_DECLS
