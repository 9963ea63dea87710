/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-live-run.h: a live run of a scenario for the window: CapLab (the
 * socklens-lab helper feeding a CapRecording on the main loop) plus what the
 * window needs on top: one press of Step is one call, a state to show, and
 * what waits at the step gate.
 */
#pragma once

#include <glib-object.h>

#include "cap-recording.h"
#include "netcore.h"

G_BEGIN_DECLS

typedef enum
{
  SL_LIVE_RUN_IDLE,      /* not started */
  SL_LIVE_RUN_RUNNING,   /* calls go through as they come */
  SL_LIVE_RUN_STEPPING,  /* each call waits for sl_live_run_step () */
  SL_LIVE_RUN_FINISHED,  /* every actor has returned; see sl_live_run_get_error () */
} SlLiveRunState;

#define SL_TYPE_LIVE_RUN (sl_live_run_get_type ())
G_DECLARE_FINAL_TYPE (SlLiveRun, sl_live_run, SL, LIVE_RUN, GObject)

/* Properties: state (SlLiveRunState, as guint).
 * Signals: "changed" after new calls or packets went into the recording or
 * what waits at the gate changed; "finished" once, at the end. */

SlLiveRun         *sl_live_run_new              (const NcScenario *scenario,
                                                 const NcParams   *params);
SlLiveRun         *sl_live_run_new_traced       (const char *const *programs,
                                                 guint             timeout_s);
/* The traced programs, or NULL for a scenario's run */
const char *const *sl_live_run_get_programs     (SlLiveRun        *self);
/* NULL for traced programs */
const NcScenario  *sl_live_run_get_scenario     (SlLiveRun        *self);
CapRecording      *sl_live_run_get_recording    (SlLiveRun        *self);
SlLiveRunState     sl_live_run_get_state        (SlLiveRun        *self);
gboolean           sl_live_run_start            (SlLiveRun        *self,
                                                 gboolean          stepping,
                                                 GError          **error);
void               sl_live_run_step             (SlLiveRun        *self);
void               sl_live_run_step_actor       (SlLiveRun        *self,
                                                 guint             actor);
void               sl_live_run_run              (SlLiveRun        *self);
void               sl_live_run_pause            (SlLiveRun        *self);
void               sl_live_run_stop             (SlLiveRun        *self);
/* Calls released by steps so far, and steps asked for but not yet released */
guint              sl_live_run_get_n_steps      (SlLiveRun        *self);
guint              sl_live_run_get_n_pending    (SlLiveRun        *self);
/* "client connect(), server accept()": what waits at the gate, or NULL */
char              *sl_live_run_describe_waiting (SlLiveRun        *self);
/* How the lab captures, in its words; NULL until it has said */
const char        *sl_live_run_get_lab_message  (SlLiveRun        *self);
/* Why packets are not captured (with the fix), or NULL when they are */
guint64            sl_live_run_get_n_lost          (SlLiveRun     *self);
const char        *sl_live_run_get_capture_problem (SlLiveRun     *self);
/* After "finished": why the run failed or was stopped, or NULL */
const GError      *sl_live_run_get_error        (SlLiveRun        *self);
gboolean           sl_live_run_was_stopped      (SlLiveRun        *self);

/* Before sl_live_run_start (): the run's stream is also written, as it
 * arrives, to a hidden file beside @target (a readable pcapng of whatever
 * arrived, should the app itself die); NULL until then, or with none */
gboolean           sl_live_run_keep_stream      (SlLiveRun        *self,
                                                 const char       *target,
                                                 GError          **error);
const char        *sl_live_run_get_stream_path  (SlLiveRun        *self);
/* Why the stream file stopped growing (disk full...), or NULL */
const char        *sl_live_run_get_stream_error (SlLiveRun        *self);
/* Closes the stream file; @remove: it is not needed any more (saved, or
 * thrown away on purpose) */
void               sl_live_run_drop_stream      (SlLiveRun        *self,
                                                 gboolean          remove);

G_END_DECLS
