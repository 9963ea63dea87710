/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-lab-private.h: the parts of socklens-lab, the helper that runs a scenario in its own
 * network namespace, captures it and streams one pcapng to stdout. */
#pragma once

#include <glib.h>

#include "netcore.h"
#include "cap-live.h"
#include "cap-pcapng-writer.h"
#include "cap-call-codec.h"
#include "cap-lab-protocol.h"

G_BEGIN_DECLS

#define SL_LAB_MAX_HOSTS 2

/* How the lab may capture, in the order auto mode tries them. */
typedef enum
{
  SL_LAB_MODE_AUTO,
  SL_LAB_MODE_NAMESPACE,     /* own user + network namespace: no privileges needed */
  SL_LAB_MODE_CAPABILITIES,  /* cap_net_raw on the binary: the host's lo, filtered */
  SL_LAB_MODE_ROOT,          /* the same, as root */
  SL_LAB_MODE_CALLS_ONLY,    /* no capture at all: calls, and why packets are missing */
} SlLabMode;

typedef struct _SlLabDiag SlLabDiag;
typedef struct _SlLabTrace SlLabTrace;
typedef struct _SlLabConfine SlLabConfine;

typedef struct
{
  /* What to run */
  const NcScenario *scenario;
  NcParams         *params;
  gboolean          step;
  gboolean          quiet;         /* messages only in the stream, not on stderr too */
  SlLabMode         mode;          /* asked for */

  /* The sandbox */
  SlLabMode         mode_used;
  guint             n_hosts;       /* namespaces in use: 1, or 2 joined by a veth pair */
  int               host_ns[SL_LAB_MAX_HOSTS];  /* their /proc/self/ns/net fds, or -1 */
  char             *host_names[SL_LAB_MAX_HOSTS];
  char             *capture_iface; /* "lo", or the veth of host 0 */
  char             *no_namespace;  /* why the private namespace was not possible */
  char             *no_capture;    /* why capturing on the host was not possible */

  /* The output: one pcapng stream, written by several threads */
  GMutex            out_lock;
  CapPcapngWriter  *writer;
  guint32           iface;
  guint32           n_epb;         /* frames written: the next one's index */
  gboolean          out_failed;
  gboolean          out_closing;   /* the sender sends what is left, then ends */
  GCond             out_work;      /* blocks are pending: for the sender */
  GCond             out_room;      /* the sender took them: for records waiting */
  GThread          *sender;
  gboolean          sender_idle;      /* waiting on out_work */
  guint             out_room_waiters; /* records waiting on out_room */
  guint64           frames_lost;   /* the buffer was full: the app did not keep up */
  guint64           lost_reported; /* by the kernel, as last said in the stream */

  /* Capture and run */
  CapLive          *live;
  SlLabConfine     *confine;       /* shared lo: the filter on the run's own sockets */
  NcRun            *run;
  SlLabDiag        *diag;
  guint32           link_ip_frames; /* IP frames seen on the link, for the drop mark */
  GHashTable       *inode_actor;   /* socket inode -> actor + 1, under out_lock */
  GMutex            control_lock;
  GCond             control_cond;
  GThread          *stopper;
  GThread          *gate_watch;
  gboolean          stop_requested; /* under control_lock */
  gboolean          parent_gone;
  gboolean          finished;

  /* Traced programs (--trace) instead of a scenario */
  SlLabTrace       *trace;
  guint             timeout_s;
} SlLab;

/* sl-lab-sandbox.c */
int         sl_lab_count_threads      (void);
const char *sl_lab_mode_name          (SlLabMode    mode);
gboolean    sl_lab_mode_from_name     (const char  *name,
                                       SlLabMode   *out);
gboolean    sl_lab_enter_namespace    (SlLab       *lab,
                                       GError     **error);
gboolean    sl_lab_join_host          (SlLab       *lab,
                                       guint        host,
                                       GError     **error);
void        sl_lab_sandbox_clear      (SlLab       *lab);

/* sl-lab-stream.c */
gboolean    sl_lab_stream_open        (SlLab       *lab,
                                       guint32      linktype,
                                       guint32      snaplen,
                                       GError     **error);
void        sl_lab_emit_run           (SlLab       *lab);
void        sl_lab_emit_actors        (SlLab       *lab);
void        sl_lab_emit_actor         (SlLab       *lab,
                                       const NcActorInfo *actor);
void        sl_lab_emit_console       (SlLab       *lab,
                                       const CapConsole *console);
void        sl_lab_emit_message       (SlLab       *lab,
                                       CapSeverity  severity,
                                       const char  *text);
void        sl_lab_emit_call          (SlLab       *lab,
                                       const NcCall *call,
                                       NcCallPhase  phase);
void        sl_lab_emit_frame         (SlLab       *lab,
                                       const CapLiveFrame *frame);
void        sl_lab_emit_sockstate     (SlLab       *lab,
                                       const CapSockState *state);
void        sl_lab_emit_gate          (SlLab       *lab,
                                       GArray      *waiters);
void        sl_lab_emit_end           (SlLab       *lab,
                                       int          status,
                                       const char  *error_text);
gboolean    sl_lab_stream_failed      (SlLab       *lab);
void        sl_lab_stream_close       (SlLab       *lab);
void        sl_lab_say                (SlLab       *lab,
                                       CapSeverity  severity,
                                       const char  *format,
                                       ...) G_GNUC_PRINTF (3, 4);
void        sl_lab_complain           (SlLab       *lab,
                                       const char  *format,
                                       ...) G_GNUC_PRINTF (2, 3);

/* sl-lab-confine.c: on the shared lo, the run's own traffic only */
gboolean      sl_lab_drop_privileges  (gboolean      keep_net_raw,
                                       GError      **error);
SlLabConfine *sl_lab_confine_new      (SlLab        *lab,
                                       gboolean      echo,
                                       guint16       echo_id,
                                       GError      **error);
void          sl_lab_confine_on_call  (SlLabConfine *self,
                                       const NcCall *call,
                                       NcCallPhase   phase);
gboolean      sl_lab_confine_owns     (SlLabConfine *self,
                                       int           family,
                                       const void   *addr,
                                       guint16       port);
void          sl_lab_confine_free     (SlLabConfine *self);

/* sl-lab-diag.c: sock_diag sampling in the lab's namespaces */
SlLabDiag  *sl_lab_diag_new           (SlLab       *lab,
                                       GError     **error);
void        sl_lab_diag_poke          (SlLabDiag   *diag);
void        sl_lab_diag_sample_now    (SlLabDiag   *diag);
void        sl_lab_diag_note_stream   (SlLabDiag   *diag);
void        sl_lab_diag_note_socket   (SlLabDiag   *diag,
                                       gint32       pid,
                                       int          fd,
                                       guint        actor);
void        sl_lab_diag_free          (SlLabDiag   *diag);

/* sl-lab-main.c */
void        sl_lab_on_call            (const NcCall *call,
                                       NcCallPhase  phase,
                                       gpointer     user_data);

/* sl-lab-trace.c: the students' programs, traced */
SlLabTrace *sl_lab_trace_new          (SlLab       *lab,
                                       char       **specs,
                                       GError     **error);
char       *sl_lab_trace_title        (SlLabTrace  *trace);
gboolean    sl_lab_trace_prepare      (SlLabTrace  *trace,
                                       GError     **error);
int         sl_lab_trace_run          (SlLabTrace  *trace,
                                       guint        timeout_s,
                                       char       **error_text);
void        sl_lab_trace_stop         (SlLabTrace  *trace);
NcGate     *sl_lab_trace_get_gate     (SlLabTrace  *trace);
guint       sl_lab_trace_get_n_actors (SlLabTrace  *trace);
void        sl_lab_trace_free         (SlLabTrace  *trace);

/* sl-lab-control.c: commands on stdin, the step gate's waiters */
gboolean    sl_lab_control_start      (SlLab       *lab,
                                       GError     **error);
void        sl_lab_request_stop       (SlLab       *lab,
                                       gboolean     parent_gone);
void        sl_lab_control_finish     (SlLab       *lab);

G_END_DECLS
