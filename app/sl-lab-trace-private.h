/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-lab-trace-private.h: what the files of socklens-lab --trace share.
 *
 * sl-lab-trace.c           the run: new, prepare, start in order, wait, stop
 * sl-lab-trace-programs.c  each program: what to run, its environment, its start, its end
 * sl-lab-trace-reports.c   the calls the programs report, their actors, the step gate
 * sl-lab-trace-console.c   what the programs print
 */
#pragma once

#include <glib.h>

#include "sl-lab-private.h"
#include "cap-recording.h"

G_BEGIN_DECLS

#define REPORT_TARGET_FD 1000     /* where programs find the report pipe */
#define GATE_TARGET_FD   1001
#define GRACE_MS         1000     /* after the last program: the others' time to finish */
#define KILL_AFTER_MS    1000     /* after SIGTERM */
#define BLOCKED_POLL_MS  5

typedef struct
{
  char     *name;          /* "server.py" */
  char    **argv;
  GPid      pid;
  int       out_fd;
  int       err_fd;
  char     *stdin_path;    /* "client.py < lines.txt": its standard input, or NULL (empty) */
  gboolean  told_stdin;    /* its input () got end of file, and the run said why */
  guint     actor;         /* its main thread's actor */
  guint     n_threads;
  guint     n_children;
  gboolean  exited;
  int       status;
  gboolean  stopped;       /* we ended it */
  gboolean  unreachable;   /* ... as it waited in accept () for nobody */
} Program;

typedef struct
{
  gint32   pid;
  gint32   tid;
  guint32  id;             /* recorder id */
  gboolean released;       /* past the gate: in the kernel, or about to be */
  guint16  kind;           /* NcCallKind */
} Pending;

struct _SlLabTrace
{
  SlLab        *lab;
  NcRecorder   *recorder;
  NcGate       *gate;
  NcReportGate *shared_gate;
  int           gate_fd;
  int           report_pipe[2];
  GPtrArray    *programs;    /* Program* */
  char         *preload;
  char         *roots;

  GMutex        lock;
  GCond         cond;
  GHashTable   *thread_actor;  /* (pid << 32 | tid) -> actor + 1 */
  GHashTable   *pid_program;   /* pid -> program index + 1 */
  GArray       *pending;       /* Pending: calls entered and not returned */
  gboolean      stop;
  gint64        unreachable_since;  /* monotonic µs the last program has waited for nobody */
  GThread      *reader;
  GPtrArray    *consoles;    /* GThread*, one per program started */
  int           wake_pipe[2];  /* tells the console thread the run is over */
};

static inline gint64
sl_lab_trace_thread_key (gint32 pid,
                         gint32 tid)
{
  return ((gint64) pid << 32) | (guint32) tid;
}

/* sl-lab-trace-programs.c */
char    **sl_lab_trace_parse_program   (const char  *spec,
                                        char       **out_name,
                                        char       **out_root,
                                        char       **out_stdin,
                                        GError     **error);
void      sl_lab_trace_program_free    (gpointer     program);
char     *sl_lab_trace_find_preload    (GError     **error);
gboolean  sl_lab_trace_start_program   (SlLabTrace  *self,
                                        guint        index,
                                        GError     **error);
void      sl_lab_trace_report_exits    (SlLabTrace  *self,
                                        gboolean    *any_failed);

/* sl-lab-trace-reports.c */
guint     sl_lab_trace_new_actor       (SlLabTrace  *self,
                                        const char  *name,
                                        const char  *role,
                                        gint32       pid);
gpointer  sl_lab_trace_reader_thread   (gpointer     self);

/* sl-lab-trace-console.c */
GThread  *sl_lab_trace_watch_console   (SlLabTrace  *self,
                                        Program     *program);

G_END_DECLS
