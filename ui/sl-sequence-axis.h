/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-sequence-axis.h: a row per event (a call entering, a call returning, a
 * packet) in the recording's causal order (capture/'s event index), so a
 * handshake that took 30 µs reads as clearly as a 200 ms timer. Real time
 * stays visible: each row's offset in the gutter, and a break wherever the
 * gap to the previous event is long. Waits at the step gate are not drawn.
 */
#pragma once

#include "sl-timeline-axis.h"

G_BEGIN_DECLS

#define SL_TYPE_SEQUENCE_AXIS (sl_sequence_axis_get_type ())
G_DECLARE_FINAL_TYPE (SlSequenceAxis, sl_sequence_axis, SL, SEQUENCE_AXIS, SlTimelineAxis)

guint  sl_sequence_axis_get_n_rows (SlSequenceAxis *self);
double sl_sequence_axis_row_to_display (SlSequenceAxis *self, guint row);
gint64 sl_sequence_axis_run_offset (SlSequenceAxis *self, gint64 ts);

G_END_DECLS
