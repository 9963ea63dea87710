/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nc-recorder.h: the thread-safe sink every netcore call reports to. */
#pragma once

#include <glib-object.h>

#include "nc-call.h"

G_BEGIN_DECLS

#define NC_TYPE_RECORDER (nc_recorder_get_type ())
G_DECLARE_FINAL_TYPE (NcRecorder, nc_recorder, NC, RECORDER, GObject)

typedef struct _NcGate NcGate;
typedef struct _NcReportIds NcReportIds;
typedef struct _NcReportGate NcReportGate;

/**
 * NcRecorderListener:
 * @call: a copy of the call as it is now
 * @phase: whether it has just entered the kernel or returned
 *
 * Called on the thread that made the call, with the recorder's lock held
 * (so reports come in id order): it must not call into the recorder, and it
 * should be quick, since other actors' calls wait for it.
 */
typedef void (*NcRecorderListener) (const NcCall *call,
                                    NcCallPhase   phase,
                                    gpointer      user_data);

/* An actor is one thread (or process) of a run; its calls form one column. */
typedef struct
{
  guint16     index;
  gint32      pid;
  const char *name;  /* interned */
  const char *role;  /* "server", "client"... interned */
  const char *host;  /* lab host name, or NULL for the only host */
} NcActorInfo;

typedef void (*NcRecorderActorListener) (const NcActorInfo *actor,
                                         gpointer           user_data);

NcRecorder   *nc_recorder_new              (void);
guint         nc_recorder_add_actor        (NcRecorder         *self,
                                            const char         *name,
                                            const char         *role);
guint         nc_recorder_get_n_actors     (NcRecorder         *self);
gboolean      nc_recorder_get_actor        (NcRecorder         *self,
                                            guint               index,
                                            NcActorInfo        *out);
void          nc_recorder_set_actor_pid    (NcRecorder         *self,
                                            guint               index,
                                            gint32              pid);
void          nc_recorder_set_actor_host   (NcRecorder         *self,
                                            guint               index,
                                            const char         *host);
void          nc_recorder_set_listener     (NcRecorder         *self,
                                            NcRecorderListener  listener,
                                            gpointer            user_data);
void          nc_recorder_set_actor_listener (NcRecorder       *self,
                                            NcRecorderActorListener listener,
                                            gpointer            user_data);
void          nc_recorder_set_keep_calls   (NcRecorder         *self,
                                            gboolean            keep);
void          nc_recorder_set_gate         (NcRecorder         *self,
                                            NcGate             *gate);
NcGate       *nc_recorder_get_gate         (NcRecorder         *self);
guint         nc_recorder_get_n_calls      (NcRecorder         *self);
gboolean      nc_recorder_get_call         (NcRecorder         *self,
                                            guint               id,
                                            NcCall             *out);
GArray       *nc_recorder_copy_calls       (NcRecorder         *self);
gint64        nc_recorder_get_start_time   (NcRecorder         *self);

/* Binding the calling thread: its netcore calls are recorded as @actor. */
void          nc_recorder_attach_thread    (NcRecorder         *self,
                                            guint               actor);
void          nc_recorder_detach_thread    (void);
NcRecorder   *nc_recorder_get_thread_default (void);
gboolean      nc_recorder_thread_is_attached (void);
guint         nc_recorder_get_thread_actor (void);

/* Used by the wrappers (nc-socket.c): begin fills the common fields and
 * passes the step gate; returns FALSE when the run was stopped (errno set). */
gboolean      nc_recorder_begin            (NcRecorder         *self,
                                            NcCall             *call);
void          nc_recorder_end              (NcRecorder         *self,
                                            NcCall             *call);
/* For calls that never block (byte order helpers): one step, both phases. */
void          nc_recorder_record_instant   (NcRecorder         *self,
                                            NcCall             *call);
/* Adds a call made elsewhere (a forked child's report): on ENTER it gets an
 * id, returned in @id; on RETURN the call with that id is updated. */
void          nc_recorder_add_foreign      (NcRecorder         *self,
                                            const NcCall       *call,
                                            NcCallPhase         phase,
                                            guint32            *id);
guint32       nc_recorder_add_reported     (NcRecorder         *self,
                                            NcReportIds        *ids,
                                            const NcCall       *call);

/* In a forked child: from now on this process's calls are reported as
 * fixed-size NcCall records written with write(2) to @report_fd, with no
 * lock and no allocation (after fork() in a threaded process only
 * async-signal-safe calls are safe). */
void          nc_recorder_enter_child      (int                 report_fd,
                                            guint               actor);
gboolean      nc_recorder_in_child         (void);
void          nc_recorder_enter_report_mode (NcRecorder        *recorder,
                                            int                 report_fd,
                                            NcReportGate       *gate);
/* The preload library tells the wrappers what it knows of the next call. */
void          nc_recorder_set_thread_source (const char        *stack,
                                            guint8              origin);
void          nc_recorder_get_thread_source (const char       **stack,
                                            guint8             *origin);

/* Sockets the recorder's calls opened and have not closed, so stop can wake them. */
void          nc_recorder_track_fd         (NcRecorder         *self,
                                            int                 fd,
                                            gboolean            open);
GArray       *nc_recorder_copy_open_fds    (NcRecorder         *self);

/* Stop: refuse every further call and wake the ones blocked in the kernel
 * (shutdown(2) on every socket the recorder saw opened and not yet closed). */
void          nc_recorder_stop             (NcRecorder         *self);
gboolean      nc_recorder_is_stopped       (NcRecorder         *self);

gint64        nc_now_ns                    (void);

G_END_DECLS
