/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nc-call.h: one socket call as the course teaches it, recorded as it enters and returns. */
#pragma once

#include <glib.h>

#include "nc-call-kind.h"

G_BEGIN_DECLS


/* Where a call is in its life: a recorder reports each call twice. */
typedef enum
{
  NC_CALL_PHASE_ENTER,
  NC_CALL_PHASE_RETURN,
} NcCallPhase;

#define NC_CALL_DATA_MAX   64  /* first bytes of data sent or received */
#define NC_ADDR_TEXT_MAX   64  /* "[ffff:...:ffff]:65535" fits */
#define NC_CALL_TEXT_MAX   96  /* host names, dotted quads, option names */
#define NC_SELECT_FDS_MAX  16  /* fds listed per select() set */
#define NC_TCP_STATE_NONE  0   /* not a TCP socket, or unknown */

typedef struct
{
  guint8 n;
  gint32 fds[NC_SELECT_FDS_MAX];
} NcFdList;

/* Which of the select() sets */
enum { NC_SET_READ, NC_SET_WRITE, NC_SET_EXCEPT, NC_N_SETS };

/* The three lists of one select() or poll(), kept once however many calls
 * share them (nc_fd_sets_intern ()): most calls have none, and a server's
 * loop watches the same few sockets call after call. */
typedef struct
{
  NcFdList set[NC_N_SETS];
} NcFdSets;

/*
 * NcCall: a plain, copyable record. Strings are inline so a copy taken under
 * the recorder's lock stays valid; @file is a static or interned string, and
 * the select() sets are interned (never freed), so a copy shares them.
 */
typedef struct
{
  guint32     id;           /* order of entry in its recorder, from 0 */
  guint16     kind;         /* NcCallKind */
  guint16     actor;        /* actor index in the run */
  gint32      pid;
  gint32      tid;
  gint32      fd;           /* socket the call acts on, or -1 */

  gint64      ts_gate;      /* arrived at the step gate (== ts_start when not held) */
  gint64      ts_start;     /* CLOCK_REALTIME ns: the system call begins */
  gint64      ts_end;       /* returned; 0 while still in the kernel */

  gint64      result;       /* the return value as POSIX gives it */
  gint32      err;          /* errno when result says failure, else 0 */

  /* Arguments (meaning per kind; see nc_call_format ()) */
  gint32      domain;       /* socket(): family;  shutdown(): how; setblocking(): flag */
  gint32      type;         /* socket(): type;    listen(): backlog */
  gint32      protocol;     /* socket(): protocol; sockopt: level */
  gint32      flags;        /* send/recv flags; sockopt: option name */
  gint64      length;       /* bytes asked for (send, recv buffer size) */
  gint64      timeout_ns;   /* select()/settimeout(); -1 means none (block) */
  guint64     value_in;     /* htons() & co: the argument */
  char        local[NC_ADDR_TEXT_MAX];  /* this socket's address after the call */
  char        peer[NC_ADDR_TEXT_MAX];   /* the other end, or the destination */
  char        text[NC_CALL_TEXT_MAX];   /* names: gethostname(), getaddrinfo() ... */

  guint16     data_len;     /* bytes kept in @data */
  guint8      data[NC_CALL_DATA_MAX];

  const NcFdSets *sets_in;   /* select(), poll(): what was watched; interned, NULL if none */
  const NcFdSets *sets_out;  /* what came back ready; interned, NULL if none */

  /* The kernel's view after the call, on stream sockets (TCP_INFO, SIOCINQ/OUTQ) */
  guint8      tcp_state;    /* Linux TCP_* state number, NC_TCP_STATE_NONE if unknown */
  guint8      has_queues;
  guint32     queued_in;
  guint32     queued_out;

  const char *file;         /* source of the call, for the code pane */
  guint32     line;
  /* Traced programs: who made the call, and the stack that led to it */
  guint8      origin;       /* NcCallOrigin */
  const char *stack;        /* "handle (server.py:12)\n..." innermost first; interned or NULL */
} NcCall;

/* Whether the program's own code made the call, or its runtime on its
 * behalf (socketserver's poll loop, the later send()s of sendall()). */
typedef enum
{
  NC_CALL_ORIGIN_PROGRAM = 0,
  NC_CALL_ORIGIN_LIBRARY = 1,
} NcCallOrigin;

const NcFdSets *nc_fd_sets_intern (const NcFdSets *sets);
const NcFdList *nc_call_get_fds   (const NcCall   *call,
                                   gboolean        ready,
                                   guint           set);

gboolean    nc_call_failed        (const NcCall *call);
gboolean    nc_call_in_progress   (const NcCall *call);
gboolean    nc_call_waits_at_gate (const NcCall *call);
const char *nc_errno_name         (int err);
const char *nc_tcp_state_name     (guint8 state);
const char *nc_family_name        (int family);
const char *nc_socktype_name      (int type);
void        nc_call_format        (const NcCall *call,
                                   GString *out);
gboolean    nc_call_format_source (const NcCall *call,
                                   GString *out);
/* The two halves of nc_call_format (), for a call printed where it enters
 * and again where it returns */
void        nc_call_format_entry  (const NcCall *call,
                                   GString *out);
void        nc_call_format_result (const NcCall *call,
                                   GString *out);
char       *nc_call_to_string     (const NcCall *call);

G_END_DECLS
