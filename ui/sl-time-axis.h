/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-time-axis.h: real time, to scale, except the time actors spent held at
 * the step gate (a break of a few call durations shows where). For RTTs
 * and timers.
 */
#pragma once

#include "sl-timeline-axis.h"

G_BEGIN_DECLS

#define SL_TYPE_TIME_AXIS (sl_time_axis_get_type ())
G_DECLARE_FINAL_TYPE (SlTimeAxis, sl_time_axis, SL, TIME_AXIS, SlTimelineAxis)

G_END_DECLS
