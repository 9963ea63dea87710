/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-events-export.h: a recording's events as data, for homework: one
 * record per event (a call entering, a call returning, a packet) in the
 * event index's order, as CSV (RFC 4180, with a header) or JSON. The
 * fields and the format's version are in docs/EVENTS.md.
 */
#pragma once

#include "cap-recording.h"

G_BEGIN_DECLS

/* Bump when a field changes meaning; adding fields at the end does not. */
#define CAP_EVENTS_FORMAT_VERSION 1

typedef enum
{
  CAP_EVENTS_CSV,
  CAP_EVENTS_JSON,
} CapEventsFormat;

/* Writes the events to a temporary file beside @path and renames it into
 * place; on failure @path is untouched and @error names it. */
gboolean cap_recording_export_events (CapRecording     *recording,
                                      const char       *path,
                                      CapEventsFormat   format,
                                      GError          **error);

G_END_DECLS
