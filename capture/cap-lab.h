/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-lab.h: the app's side of socklens-lab. Spawns the helper, tells it
 * step/run/pause/stop, and feeds its pcapng stream into a CapRecording as it
 * arrives, on the main loop.
 */
#pragma once

#include <gio/gio.h>

#include "netcore.h"
#include "cap-recording.h"
#include "cap-lab-protocol.h"

G_BEGIN_DECLS

#define CAP_LAB_ERROR (cap_lab_error_quark ())


typedef enum
{
  CAP_LAB_ERROR_NOT_FOUND,  /* no socklens-lab helper next to us or installed */
  CAP_LAB_ERROR_SPAWN,      /* it could not be started */
  CAP_LAB_ERROR_FAILED,     /* the run failed; the message is the lab's */
  CAP_LAB_ERROR_STOPPED,    /* stopped on request */
  CAP_LAB_ERROR_CRASHED,    /* it died (killed by a signal, or exited without END) */
  CAP_LAB_ERROR_STREAM,     /* what it wrote could not be read */
  CAP_LAB_ERROR_INTERRUPTED, /* a signal (Ctrl+C) stopped it: what arrived is kept */
} CapLabError;

#define CAP_TYPE_LAB (cap_lab_get_type ())
G_DECLARE_FINAL_TYPE (CapLab, cap_lab, CAP, LAB, GObject)

GQuark          cap_lab_error_quark     (void);
char           *cap_lab_find_helper     (GError         **error);

CapLab         *cap_lab_new             (const char      *lab_path);
const char     *cap_lab_get_lab_path    (CapLab          *self);
void            cap_lab_set_mode        (CapLab          *self,
                                         const char      *mode);
void            cap_lab_set_wrapper     (CapLab          *self,
                                         const char *const *wrapper);
void            cap_lab_set_trace       (CapLab          *self,
                                         const char *const *programs,
                                         guint            timeout_s);
gboolean        cap_lab_stream_to_file  (CapLab          *self,
                                         const char      *target,
                                         GError         **error);
const char     *cap_lab_get_stream_path (CapLab          *self);
const char     *cap_lab_get_stream_file_error (CapLab    *self);
void            cap_lab_close_stream_file (CapLab        *self,
                                         gboolean         remove);
gboolean        cap_lab_start           (CapLab          *self,
                                         const char      *scenario,
                                         const NcParams  *params,
                                         gboolean         step,
                                         GError         **error);
CapRecording   *cap_lab_get_recording   (CapLab          *self);
GPid            cap_lab_get_pid         (CapLab          *self);

/* Commands; FALSE if the lab is not running any more. */
gboolean        cap_lab_step            (CapLab          *self);
gboolean        cap_lab_send_command    (CapLab          *self,
                                         CapLabCommand    command,
                                         guint            actor);
gboolean        cap_lab_step_actor      (CapLab          *self,
                                         guint            actor);
gboolean        cap_lab_run             (CapLab          *self);
gboolean        cap_lab_pause           (CapLab          *self);
gboolean        cap_lab_stop            (CapLab          *self);
void            cap_lab_force_exit      (CapLab          *self);

/* State */
gboolean        cap_lab_is_running      (CapLab          *self);
gboolean        cap_lab_is_finished     (CapLab          *self);
const GError   *cap_lab_get_error       (CapLab          *self);
GArray         *cap_lab_get_waiters     (CapLab          *self);
const char     *cap_lab_get_mode_message (CapLab         *self);
gboolean        cap_lab_get_capture_counts (CapLab       *self,
                                         guint64         *n_packets,
                                         guint64         *n_lost);

/* For the command line and tests: runs to the end on a private main context.
 * In step mode each line read from stdin is passed on ("" or "step" steps;
 * "run", "pause", "stop", "step N"). */
typedef struct
{
  const char *lab_path;        /* NULL: find it */
  const char *mode;            /* NULL: auto */
  gboolean    step;
  gboolean    print;           /* print each call and packet on stdout as it arrives */
  const char *stream_to;       /* stream the run beside this file as it goes */
  gboolean    stop_on_signals; /* SIGINT, SIGTERM, SIGHUP stop the run; what arrived is kept */
  const char *const *programs; /* programs to trace instead of a scenario (cap_lab_set_trace) */
  guint       timeout_s;       /* their time limit, with @programs */
} CapLabSyncOptions;

const char     *cap_lab_signal_name     (int              signum);
void            cap_lab_set_interrupted_error (GError    **error,
                                         int              signum,
                                         CapRecording    *recording);
gboolean        cap_lab_run_sync_with   (const char      *scenario,
                                         const NcParams  *params,
                                         const CapLabSyncOptions *options,
                                         CapRecording   **out_recording,
                                         char           **out_stream_path,
                                         GError         **error);
gboolean        cap_lab_run_sync        (const char      *lab_path,
                                         const char      *scenario,
                                         const NcParams  *params,
                                         gboolean         step,
                                         const char      *mode,
                                         CapRecording   **out_recording,
                                         GError         **error);

gboolean        cap_lab_trace_sync      (const char      *lab_path,
                                         const char *const *programs,
                                         guint            timeout_s,
                                         gboolean         step,
                                         CapRecording   **out_recording,
                                         gboolean        *out_interrupted,
                                         GError         **error);

G_END_DECLS
