/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nc-report.h: calls made in another process, reported over a pipe.
 *
 * A forked socketserver handler and a traced program (through the preload
 * library) both write each call twice, on entry and on return, as one
 * fixed-size NcReport with write(2): no lock, no allocation, and under
 * PIPE_BUF, so records of several writers never mix. The reader adds them to
 * its recorder.
 *
 * Stepping a traced program: the lab maps one NcReportGate (a memfd) that
 * every traced process maps too; a call of the program's own waits in
 * nc_report_gate_wait () until the lab releases its thread id.
 */
#pragma once

#include <glib.h>

#include "nc-call.h"
#include "nc-recorder.h"

G_BEGIN_DECLS

#define NC_REPORT_FILE_MAX  256
#define NC_REPORT_STACK_MAX 1024

typedef struct
{
  NcCall call;                        /* call.file, .stack, .sets_in, .sets_out are not valid here */
  NcFdSets sets_in;                   /* the call's select() sets, inline: pointers */
  NcFdSets sets_out;                  /* into one process's memory mean nothing in another */
  char   file[NC_REPORT_FILE_MAX];
  char   stack[NC_REPORT_STACK_MAX];
} NcReport;

void     nc_report_from_call   (NcReport       *report,
                                const NcCall   *call);
void     nc_report_to_call     (const NcReport *report,
                                NcCall         *call);
/* The same, remembering the last file and stack interned: a program's
 * calls in a loop come from one line, and g_intern_string () hashes the
 * whole stack under a global lock */
typedef struct
{
  const char *file;
  const char *stack;
} NcReportInterned;

void     nc_report_to_call_interned (const NcReport   *report,
                                     NcCall           *call,
                                     NcReportInterned *last);
gboolean nc_report_write       (int             fd,
                                const NcReport *report);
gboolean nc_report_read        (int             fd,
                                NcReport       *report);

/* Reading many reports from one pipe: a read () takes as many as the pipe
 * holds, where nc_report_read () makes two system calls for each. */
typedef struct
{
  int   fd;
  gsize start;                        /* unparsed bytes: buf[start, end) */
  gsize end;
  char  buf[64 * 1024];
} NcReportReader;

void     nc_report_reader_init (NcReportReader *reader,
                                int             fd);
/* FALSE at the end of the pipe, a read error or a damaged record */
gboolean nc_report_reader_next (NcReportReader *reader,
                                NcReport       *report);

/* Which recorder id each reported call got: (pid, call.id) -> id */

NcReportIds *nc_report_ids_new  (void);
void         nc_report_ids_free (NcReportIds *ids);
gboolean     nc_report_ids_lookup (NcReportIds  *ids,
                                   const NcCall *call,
                                   guint32      *out_id);
void         nc_report_ids_insert (NcReportIds  *ids,
                                   const NcCall *call,
                                   guint32       id);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcReportIds, nc_report_ids_free)

#define NC_REPORT_GATE_SLOTS 64

typedef struct _NcReportGate
{
  gint32 seq;                          /* futex word: changes on every release */
  gint32 open;                         /* nonzero: nothing waits any more */
  gint32 released[NC_REPORT_GATE_SLOTS];  /* thread ids let through, not yet gone */
} NcReportGate;

NcReportGate *nc_report_gate_new     (int          *out_fd);
NcReportGate *nc_report_gate_map     (int           fd);
void          nc_report_gate_release (NcReportGate *gate,
                                      gint32        tid);
void          nc_report_gate_open    (NcReportGate *gate);
void          nc_report_gate_wait    (NcReportGate *gate,
                                      gint32        tid);
void          nc_report_gate_unmap   (NcReportGate *gate);

G_END_DECLS
