/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-call-codec.h: Socklens records, the payload of a pcapng custom option after its PEN.
 *
 * Layout (little-endian always, whatever the file's byte order):
 *   "SOCKLENS"  8 bytes
 *   version     u16 (CAP_RECORD_VERSION)
 *   type        u8  (CapRecordType)
 *   fields      u16 tag, u16 length, value; repeated to the end
 * Unknown tags are skipped, so files from a newer Socklens that only add
 * fields still read. A higher version means an incompatible change.
 */
#pragma once

#include <glib.h>

#include "nc-call.h"
#include "nc-gate.h"
#include "nc-recorder.h"
#include "cap-reader.h"

G_BEGIN_DECLS

#define CAP_RECORD_VERSION   1
#define CAP_RECORD_HEADER_LEN (CAP_SOCKLENS_MAGIC_LEN + 3)
/* Texts are cut to this many bytes so a record always fits a pcapng option. */
#define CAP_RECORD_TEXT_MAX  8192
#define CAP_RECORD_NAME_MAX  1024

typedef enum
{
  CAP_RECORD_NONE = 0,
  CAP_RECORD_RUN = 1,
  CAP_RECORD_ACTOR = 2,
  CAP_RECORD_CALL_ENTER = 3,
  CAP_RECORD_CALL_RETURN = 4,
  CAP_RECORD_SOCKSTATE = 5,
  CAP_RECORD_DROP = 6,
  CAP_RECORD_MESSAGE = 7,
  CAP_RECORD_END = 8,
  CAP_RECORD_GATE = 9,
  CAP_RECORD_CONSOLE = 10,
} CapRecordType;

typedef enum
{
  CAP_SEVERITY_INFO = 0,
  CAP_SEVERITY_WARNING = 1,
  CAP_SEVERITY_ERROR = 2,
} CapSeverity;

/* RUN: what ran. Decoded strings are owned by the CapRecord. */
typedef struct
{
  char    *scenario;   /* "tcp-echo" */
  char    *title;      /* for people */
  guint16  port;
  char    *message;    /* the text the scenario sends */
  guint32  count;
  gint64   start_ns;
} CapRunInfo;

/* SOCKSTATE: one socket as sock_diag saw it. */
typedef struct
{
  gint64  ts_ns;
  guint8  family;                    /* AF_INET, AF_INET6 */
  char    local[NC_ADDR_TEXT_MAX];
  char    peer[NC_ADDR_TEXT_MAX];
  guint8  tcp_state;                 /* Linux TCP_* number */
  guint32 inq;
  guint32 outq;
  guint64 inode;
  gint32  actor;                     /* actor index, or -1 if unknown */
} CapSockState;

/* DROP: the lab dropped this packet on purpose (it still shows in the capture). */
typedef struct
{
  guint32 packet_index;              /* CapFrame.index of the dropped packet */
  gint64  ts_ns;
} CapDrop;

/* MESSAGE: something the user should be told, e.g. why packets are missing. */
typedef struct
{
  guint8  severity;                  /* CapSeverity */
  char   *text;                      /* owned */
} CapMessage;

/* GATE: the calls held at the step gate now, oldest first; none: nothing waits. */
#define CAP_GATE_WAITERS_MAX 32

typedef struct
{
  gint64       ts_ns;
  guint        n_waiters;
  NcGateWaiter waiters[CAP_GATE_WAITERS_MAX];
} CapGate;

/* CONSOLE: a line a traced program printed, or how it ended. */
typedef struct
{
  gint64  ts_ns;
  guint16 actor;                     /* the program's first actor */
  guint8  stream;                    /* CapConsoleStream (cap-recording.h) */
  char   *text;                      /* owned, without its newline */
} CapConsole;

/* END: the run is over. */
typedef struct
{
  gint32  exit_status;
  char   *error;                     /* owned, NULL if it ended well */
} CapEnd;

/**
 * CapRecord:
 * @type: says which member is filled in
 * @version: the version the record was written with
 * @call: CALL_ENTER / CALL_RETURN; @call.file is owned by the record
 * @actor: ACTOR; its strings are owned by the record (a recording that
 *   keeps them copies them into its own storage)
 *
 * Initialise with CAP_RECORD_INIT; cap_record_decode () clears it before
 * filling it, so one record can be reused in a loop.
 */
typedef struct
{
  CapRecordType type;
  guint16       version;
  NcCall        call;
  NcActorInfo   actor;
  CapRunInfo    run;
  CapSockState  sockstate;
  CapDrop       drop;
  CapMessage    message;
  CapEnd        end;
  CapGate       gate;
  CapConsole    console;
} CapRecord;

#define CAP_RECORD_INIT { 0 }

void        cap_record_encode_call      (const NcCall       *call,
                                         NcCallPhase         phase,
                                         GByteArray         *out);
void        cap_record_encode_run       (const CapRunInfo   *run,
                                         GByteArray         *out);
void        cap_record_encode_actor     (const NcActorInfo  *actor,
                                         GByteArray         *out);
void        cap_record_encode_sockstate (const CapSockState *state,
                                         GByteArray         *out);
void        cap_record_encode_drop      (guint32             packet_index,
                                         gint64              ts_ns,
                                         GByteArray         *out);
void        cap_record_encode_message   (CapSeverity         severity,
                                         const char         *text,
                                         GByteArray         *out);
void        cap_record_encode_end       (gint32              exit_status,
                                         const char         *error_text,
                                         GByteArray         *out);
void        cap_record_encode_gate      (const NcGateWaiter *waiters,
                                         guint               n_waiters,
                                         gint64              ts_ns,
                                         GByteArray         *out);
void        cap_record_encode_console   (const CapConsole   *console,
                                         GByteArray         *out);
gboolean    cap_record_decode           (const guint8       *payload,
                                         gsize               len,
                                         CapRecord          *out,
                                         GError            **error);
void        cap_record_clear            (CapRecord          *record);
CapRecordType cap_record_peek_type      (const guint8       *payload,
                                         gsize               len);
const char *cap_record_type_name        (CapRecordType       type);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CapRecord, cap_record_clear)

G_END_DECLS
