/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-test-capture.h: run a scenario in-process while capturing on lo, and
 * look at the recording it makes: calls, packets and the links between them.
 *
 * Capturing needs CAP_NET_RAW. Without it sl_test_capture_run() marks the
 * test skipped (with the reason) and returns NULL; CI runs as root, where a
 * skip is a failure.
 */
#pragma once

#include "cap-recording.h"
#include "netcore.h"

G_BEGIN_DECLS

/* Puts this process, as root, in a network namespace of its own with only
 * lo, up: its captures of lo then hold its own runs' packets and nothing of
 * other programs on the machine (other tests run at the same time, other
 * builds' benchmarks). Call first in main (), before any thread starts.
 * Unprivileged, nothing changes (and capturing lo is skipped, as before). */
void          sl_test_capture_isolate      (void);

/* Runs scenario @name with its default parameters (and @message, if not
 * NULL); the run must succeed. */
CapRecording *sl_test_capture_run          (const char   *name,
                                            const char   *message);
/* Whole loopback frames: lo's MTU (65536) and its 14-byte Ethernet header */
#define SL_TEST_SNAPLEN_WHOLE (65536 + 14)

/* The same with parameters of the caller's choice, capturing @snaplen
 * bytes of each frame (0: SL_TEST_SNAPLEN_WHOLE) */
CapRecording *sl_test_capture_run_params   (const char     *name,
                                            const NcParams *params,
                                            guint32         snaplen);

/* The 1-based line of @path that holds @needle: the tests follow the files */
guint         sl_test_line_of              (const char   *path,
                                            const char   *needle);
/* The nth (from 0) call of @kind made by the actor named @actor; fails the
 * test if there is none. */
const NcCall *sl_test_find_call            (CapRecording *recording,
                                            const char   *actor,
                                            NcCallKind    kind,
                                            guint         nth);
/* How many calls of @kind the actor made (all actors if @actor is NULL) */
guint         sl_test_count_calls          (CapRecording *recording,
                                            const char   *actor,
                                            NcCallKind    kind);
/* The packets linked to @call by links of @kind, in packet order, up to @max */
guint         sl_test_linked_packets       (CapRecording *recording,
                                            const NcCall *call,
                                            CapLinkKind   kind,
                                            guint32      *out,
                                            guint         max);
gboolean      sl_test_packet_links_call    (CapRecording *recording,
                                            guint32       packet,
                                            const NcCall *call);
guint8        sl_test_tcp_flags            (CapRecording *recording,
                                            guint32       packet);

G_END_DECLS
