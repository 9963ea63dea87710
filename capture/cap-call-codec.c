/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-call-codec.c: encode and decode Socklens records.
 *
 * Every field is tagged, so a reader skips what it does not know and a
 * writer may add fields without breaking older readers. Fixed-size fields
 * must have exactly their size: a mismatch means damage, not a new format
 * (a field that changes type gets a new tag). Decoding trusts nothing: the
 * bytes come from files anyone can write.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "cap-call-codec.h"

/* Tags per record type; never reuse or renumber one. */
enum
{
  RUN_SCENARIO = 1,
  RUN_TITLE = 2,
  RUN_PORT = 3,
  RUN_MESSAGE = 4,
  RUN_COUNT = 5,
  RUN_START_NS = 6,
};

enum
{
  ACTOR_INDEX = 1,
  ACTOR_PID = 2,
  ACTOR_NAME = 3,
  ACTOR_ROLE = 4,
  ACTOR_HOST = 5,
};

enum
{
  CALL_ID = 1,
  CALL_KIND = 2,
  CALL_ACTOR = 3,
  CALL_PID = 4,
  CALL_TID = 5,
  CALL_FD = 6,
  CALL_TS_GATE = 7,
  CALL_TS_START = 8,
  CALL_TS_END = 9,
  CALL_RESULT = 10,
  CALL_ERR = 11,
  CALL_DOMAIN = 12,
  CALL_TYPE = 13,
  CALL_PROTOCOL = 14,
  CALL_FLAGS = 15,
  CALL_LENGTH = 16,
  CALL_TIMEOUT_NS = 17,
  CALL_VALUE_IN = 18,
  CALL_LOCAL = 19,
  CALL_PEER = 20,
  CALL_TEXT = 21,
  CALL_DATA = 22,
  CALL_SETS_IN = 23,
  CALL_SETS_OUT = 24,
  CALL_TCP_STATE = 25,
  CALL_HAS_QUEUES = 26,
  CALL_QUEUED_IN = 27,
  CALL_QUEUED_OUT = 28,
  CALL_FILE = 29,
  CALL_LINE = 30,
  CALL_ORIGIN = 31,
  CALL_STACK = 32,
};

enum
{
  SOCK_TS_NS = 1,
  SOCK_FAMILY = 2,
  SOCK_LOCAL = 3,
  SOCK_PEER = 4,
  SOCK_TCP_STATE = 5,
  SOCK_INQ = 6,
  SOCK_OUTQ = 7,
  SOCK_INODE = 8,
  SOCK_ACTOR = 9,
};

enum
{
  DROP_PACKET_INDEX = 1,
  DROP_TS_NS = 2,
};

enum
{
  MESSAGE_SEVERITY = 1,
  MESSAGE_TEXT = 2,
};

enum
{
  END_EXIT_STATUS = 1,
  END_ERROR = 2,
};

enum
{
  GATE_TS_NS = 1,
  GATE_WAITER = 2,  /* repeated, one per held call: actor, kind, fd, since_ns */
};

enum
{
  CONSOLE_TS_NS = 1,
  CONSOLE_ACTOR = 2,
  CONSOLE_STREAM = 3,
  CONSOLE_TEXT = 4,
};

#define GATE_WAITER_LEN 20

/* --- encoding ---------------------------------------------------------- */

static void
put_header (GByteArray    *out,
            CapRecordType  type)
{
  guint16 version = GUINT16_TO_LE (CAP_RECORD_VERSION);
  guint8 t = type;

  g_byte_array_append (out, (const guint8 *) CAP_SOCKLENS_MAGIC, CAP_SOCKLENS_MAGIC_LEN);
  g_byte_array_append (out, (const guint8 *) &version, 2);
  g_byte_array_append (out, &t, 1);
}

/* One field: tag, length, value, appended with a single resize (a record
 * has some thirty fields, and a fast run encodes two records per call). */
static void
put_field (GByteArray *out,
           guint16     tag,
           const void *value,
           guint16     len)
{
  guint16 t = GUINT16_TO_LE (tag);
  guint16 l = GUINT16_TO_LE (len);
  guint start = out->len;
  guint8 *p;

  g_byte_array_set_size (out, start + 4 + len);
  p = out->data + start;
  memcpy (p, &t, 2);
  memcpy (p + 2, &l, 2);
  if (len > 0)
    memcpy (p + 4, value, len);
}

static void
put_u8 (GByteArray *out,
        guint16     tag,
        guint8      v)
{
  put_field (out, tag, &v, 1);
}

static void
put_u16 (GByteArray *out,
         guint16     tag,
         guint16     v)
{
  v = GUINT16_TO_LE (v);
  put_field (out, tag, &v, 2);
}

static void
put_u32 (GByteArray *out,
         guint16     tag,
         guint32     v)
{
  v = GUINT32_TO_LE (v);
  put_field (out, tag, &v, 4);
}

static void
put_u64 (GByteArray *out,
         guint16     tag,
         guint64     v)
{
  v = GUINT64_TO_LE (v);
  put_field (out, tag, &v, 8);
}

/* A call's fields that are zero (or empty) are left out: a decoded record
 * starts zeroed, so the record means the same, and most of a call's
 * arguments are zero for most kinds. */
#define PUT_NONZERO(put, out, tag, v) \
  G_STMT_START { if ((v) != 0) put ((out), (tag), (v)); } G_STMT_END

/* Cuts at a character boundary, so what is kept is still valid UTF-8. */
static gsize
utf8_clamp (const char *text,
            gsize       len,
            gsize       max)
{
  const char *end;

  if (len <= max)
    return len;
  end = g_utf8_find_prev_char (text, text + max + 1);
  return end != NULL ? (gsize) (end - text) : 0;
}

static void
put_text (GByteArray *out,
          guint16     tag,
          const char *text,
          gsize       max)
{
  if (text == NULL)
    return;
  put_field (out, tag, text, utf8_clamp (text, strlen (text), max));
}

/* Interned sets are never all empty: NULL stands for none */
static void
put_fd_sets (GByteArray     *out,
             guint16         tag,
             const NcFdSets *interned)
{
  guint8 buf[NC_N_SETS * (1 + 4 * NC_SELECT_FDS_MAX)];
  gsize pos = 0;

  if (interned == NULL)
    return;
  for (guint s = 0; s < NC_N_SETS; s++)
    {
      const NcFdList *list = &interned->set[s];
      guint8 n = MIN (list->n, NC_SELECT_FDS_MAX);

      buf[pos++] = n;
      for (guint i = 0; i < n; i++)
        {
          guint32 fd = GUINT32_TO_LE ((guint32) list->fds[i]);

          memcpy (buf + pos, &fd, 4);
          pos += 4;
        }
    }
  put_field (out, tag, buf, pos);
}

/**
 * cap_record_encode_call:
 * @call: the call as it is now
 * @phase: entering or returning
 * @out: the encoded record is appended here
 *
 * Encodes every field of @call (CALL_ENTER or CALL_RETURN).
 */
void
cap_record_encode_call (const NcCall *call,
                        NcCallPhase   phase,
                        GByteArray   *out)
{
  g_return_if_fail (call != NULL);
  g_return_if_fail (out != NULL);

  put_header (out, phase == NC_CALL_PHASE_ENTER ? CAP_RECORD_CALL_ENTER : CAP_RECORD_CALL_RETURN);
  PUT_NONZERO (put_u32, out, CALL_ID, call->id);
  PUT_NONZERO (put_u16, out, CALL_KIND, call->kind);
  PUT_NONZERO (put_u16, out, CALL_ACTOR, call->actor);
  PUT_NONZERO (put_u32, out, CALL_PID, (guint32) call->pid);
  PUT_NONZERO (put_u32, out, CALL_TID, (guint32) call->tid);
  /* fd and timeout are left out when they are the default (-1, see
   * set_defaults ()): fd 0 and a timeout of 0 (poll () that does not
   * wait) are values, not absences */
  if (call->fd != -1)
    put_u32 (out, CALL_FD, (guint32) call->fd);
  PUT_NONZERO (put_u64, out, CALL_TS_GATE, (guint64) call->ts_gate);
  PUT_NONZERO (put_u64, out, CALL_TS_START, (guint64) call->ts_start);
  PUT_NONZERO (put_u64, out, CALL_TS_END, (guint64) call->ts_end);
  PUT_NONZERO (put_u64, out, CALL_RESULT, (guint64) call->result);
  PUT_NONZERO (put_u32, out, CALL_ERR, (guint32) call->err);
  PUT_NONZERO (put_u32, out, CALL_DOMAIN, (guint32) call->domain);
  PUT_NONZERO (put_u32, out, CALL_TYPE, (guint32) call->type);
  PUT_NONZERO (put_u32, out, CALL_PROTOCOL, (guint32) call->protocol);
  PUT_NONZERO (put_u32, out, CALL_FLAGS, (guint32) call->flags);
  PUT_NONZERO (put_u64, out, CALL_LENGTH, (guint64) call->length);
  if (call->timeout_ns != -1)
    put_u64 (out, CALL_TIMEOUT_NS, (guint64) call->timeout_ns);
  PUT_NONZERO (put_u64, out, CALL_VALUE_IN, call->value_in);
  if (call->local[0] != '\0')
    put_field (out, CALL_LOCAL, call->local, strnlen (call->local, sizeof call->local));
  if (call->peer[0] != '\0')
    put_field (out, CALL_PEER, call->peer, strnlen (call->peer, sizeof call->peer));
  if (call->text[0] != '\0')
    put_field (out, CALL_TEXT, call->text, strnlen (call->text, sizeof call->text));
  if (call->data_len > 0)
    put_field (out, CALL_DATA, call->data, MIN (call->data_len, NC_CALL_DATA_MAX));
  put_fd_sets (out, CALL_SETS_IN, call->sets_in);
  put_fd_sets (out, CALL_SETS_OUT, call->sets_out);
  PUT_NONZERO (put_u8, out, CALL_TCP_STATE, call->tcp_state);
  PUT_NONZERO (put_u8, out, CALL_HAS_QUEUES, call->has_queues);
  PUT_NONZERO (put_u32, out, CALL_QUEUED_IN, call->queued_in);
  PUT_NONZERO (put_u32, out, CALL_QUEUED_OUT, call->queued_out);
  put_text (out, CALL_FILE, call->file, CAP_RECORD_NAME_MAX);
  PUT_NONZERO (put_u32, out, CALL_LINE, call->line);
  if (call->origin != NC_CALL_ORIGIN_PROGRAM)
    put_u8 (out, CALL_ORIGIN, call->origin);
  if (call->stack != NULL)
    put_text (out, CALL_STACK, call->stack, CAP_RECORD_TEXT_MAX);
}

void
cap_record_encode_run (const CapRunInfo *run,
                       GByteArray       *out)
{
  g_return_if_fail (run != NULL);
  g_return_if_fail (out != NULL);

  put_header (out, CAP_RECORD_RUN);
  put_text (out, RUN_SCENARIO, run->scenario, CAP_RECORD_NAME_MAX);
  put_text (out, RUN_TITLE, run->title, CAP_RECORD_NAME_MAX);
  put_u16 (out, RUN_PORT, run->port);
  put_text (out, RUN_MESSAGE, run->message, CAP_RECORD_TEXT_MAX);
  put_u32 (out, RUN_COUNT, run->count);
  put_u64 (out, RUN_START_NS, (guint64) run->start_ns);
}

void
cap_record_encode_actor (const NcActorInfo *actor,
                         GByteArray        *out)
{
  g_return_if_fail (actor != NULL);
  g_return_if_fail (out != NULL);

  put_header (out, CAP_RECORD_ACTOR);
  put_u16 (out, ACTOR_INDEX, actor->index);
  put_u32 (out, ACTOR_PID, (guint32) actor->pid);
  put_text (out, ACTOR_NAME, actor->name, CAP_RECORD_NAME_MAX);
  put_text (out, ACTOR_ROLE, actor->role, CAP_RECORD_NAME_MAX);
  put_text (out, ACTOR_HOST, actor->host, CAP_RECORD_NAME_MAX);
}

void
cap_record_encode_sockstate (const CapSockState *state,
                             GByteArray         *out)
{
  g_return_if_fail (state != NULL);
  g_return_if_fail (out != NULL);

  put_header (out, CAP_RECORD_SOCKSTATE);
  put_u64 (out, SOCK_TS_NS, (guint64) state->ts_ns);
  put_u8 (out, SOCK_FAMILY, state->family);
  put_field (out, SOCK_LOCAL, state->local, strnlen (state->local, sizeof state->local));
  put_field (out, SOCK_PEER, state->peer, strnlen (state->peer, sizeof state->peer));
  put_u8 (out, SOCK_TCP_STATE, state->tcp_state);
  put_u32 (out, SOCK_INQ, state->inq);
  put_u32 (out, SOCK_OUTQ, state->outq);
  put_u64 (out, SOCK_INODE, state->inode);
  put_u32 (out, SOCK_ACTOR, (guint32) state->actor);
}

void
cap_record_encode_drop (guint32     packet_index,
                        gint64      ts_ns,
                        GByteArray *out)
{
  g_return_if_fail (out != NULL);

  put_header (out, CAP_RECORD_DROP);
  put_u32 (out, DROP_PACKET_INDEX, packet_index);
  put_u64 (out, DROP_TS_NS, (guint64) ts_ns);
}

void
cap_record_encode_message (CapSeverity  severity,
                           const char  *text,
                           GByteArray  *out)
{
  g_return_if_fail (out != NULL);

  put_header (out, CAP_RECORD_MESSAGE);
  put_u8 (out, MESSAGE_SEVERITY, severity);
  put_text (out, MESSAGE_TEXT, text != NULL ? text : "", CAP_RECORD_TEXT_MAX);
}

void
cap_record_encode_console (const CapConsole *console,
                           GByteArray       *out)
{
  g_return_if_fail (console != NULL);
  g_return_if_fail (out != NULL);

  put_header (out, CAP_RECORD_CONSOLE);
  put_u64 (out, CONSOLE_TS_NS, (guint64) console->ts_ns);
  put_u16 (out, CONSOLE_ACTOR, console->actor);
  put_u8 (out, CONSOLE_STREAM, console->stream);
  put_text (out, CONSOLE_TEXT, console->text != NULL ? console->text : "", CAP_RECORD_TEXT_MAX);
}

void
cap_record_encode_end (gint32      exit_status,
                       const char *error_text,
                       GByteArray *out)
{
  g_return_if_fail (out != NULL);

  put_header (out, CAP_RECORD_END);
  put_u32 (out, END_EXIT_STATUS, (guint32) exit_status);
  put_text (out, END_ERROR, error_text, CAP_RECORD_TEXT_MAX);
}

/**
 * cap_record_encode_gate:
 * @waiters: (array length=n_waiters): what waits at the step gate, oldest first
 * @ts_ns: when the gate looked like this
 *
 * Encodes a GATE record; waiters past %CAP_GATE_WAITERS_MAX are left out.
 */
void
cap_record_encode_gate (const NcGateWaiter *waiters,
                        guint               n_waiters,
                        gint64              ts_ns,
                        GByteArray         *out)
{
  g_return_if_fail (waiters != NULL || n_waiters == 0);
  g_return_if_fail (out != NULL);

  put_header (out, CAP_RECORD_GATE);
  put_u64 (out, GATE_TS_NS, (guint64) ts_ns);
  for (guint i = 0; i < MIN (n_waiters, CAP_GATE_WAITERS_MAX); i++)
    {
      guint32 actor = GUINT32_TO_LE (waiters[i].actor);
      guint32 kind = GUINT32_TO_LE ((guint32) waiters[i].kind);
      guint32 fd = GUINT32_TO_LE ((guint32) waiters[i].fd);
      guint64 since = GUINT64_TO_LE ((guint64) waiters[i].since_ns);
      guint8 buf[GATE_WAITER_LEN];

      memcpy (buf, &actor, 4);
      memcpy (buf + 4, &kind, 4);
      memcpy (buf + 8, &fd, 4);
      memcpy (buf + 12, &since, 8);
      put_field (out, GATE_WAITER, buf, sizeof buf);
    }
}

/* --- decoding ------------------------------------------------------------ */

typedef struct
{
  guint16       tag;
  guint16       len;
  const guint8 *value;
} Field;

static gboolean
want_len (const Field   *f,
          gsize          expected,
          GError       **error)
{
  if (f->len == expected)
    return TRUE;
  g_set_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_CORRUPT,
               _("corrupt Socklens record: field %u has %u bytes, expected %zu"),
               f->tag, f->len, expected);
  return FALSE;
}

static guint8
f_u8 (const Field *f)
{
  return f->value[0];
}

static guint16
f_u16 (const Field *f)
{
  guint16 v;

  memcpy (&v, f->value, 2);
  return GUINT16_FROM_LE (v);
}

static guint32
f_u32 (const Field *f)
{
  guint32 v;

  memcpy (&v, f->value, 4);
  return GUINT32_FROM_LE (v);
}

static guint64
f_u64 (const Field *f)
{
  guint64 v;

  memcpy (&v, f->value, 8);
  return GUINT64_FROM_LE (v);
}

/* Readable text from untrusted bytes: stops at a NUL, repairs bad UTF-8, cuts at @max. */
static char *
f_text (const Field *f,
        gsize        max)
{
  gsize len = strnlen ((const char *) f->value, f->len);
  g_autofree char *valid = g_utf8_make_valid ((const char *) f->value, len);

  return g_strndup (valid, utf8_clamp (valid, strlen (valid), max));
}

static void
f_text_into (const Field *f,
             char        *dst,
             gsize        size)
{
  gsize len = strnlen ((const char *) f->value, f->len);
  g_autofree char *text = NULL;

  /* Valid UTF-8 that fits (every record Socklens writes) is copied as is */
  if (len < size && g_utf8_validate_len ((const char *) f->value, len, NULL))
    {
      memcpy (dst, f->value, len);
      dst[len] = '\0';
      return;
    }
  text = f_text (f, size - 1);
  memcpy (dst, text, strlen (text) + 1);
}

static gboolean
f_fd_sets (const Field     *f,
           const NcFdSets **out,
           GError         **error)
{
  NcFdSets lists = { 0 };
  NcFdList *sets = lists.set;
  gsize pos = 0;

  for (guint s = 0; s < NC_N_SETS; s++)
    {
      guint n;

      if (pos >= f->len)
        goto short_field;
      n = f->value[pos++];
      if ((gsize) n * 4 > f->len - pos)
        goto short_field;

      /* keep what fits; a newer writer may list more */
      sets[s].n = MIN (n, NC_SELECT_FDS_MAX);
      for (guint i = 0; i < n; i++, pos += 4)
        if (i < NC_SELECT_FDS_MAX)
          {
            guint32 fd;

            memcpy (&fd, f->value + pos, 4);
            sets[s].fds[i] = (gint32) GUINT32_FROM_LE (fd);
          }
    }
  *out = nc_fd_sets_intern (&lists);
  return TRUE;

short_field:
  g_set_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_CORRUPT,
               _("corrupt Socklens record: select() sets in field %u end early"), f->tag);
  return FALSE;
}

#define FIXED(f, n) if (!want_len ((f), (n), error)) return FALSE

static gboolean
decode_call_field (CapRecord    *rec,
                   const Field  *f,
                   GError      **error)
{
  NcCall *c = &rec->call;

  switch (f->tag)
    {
    case CALL_ID: FIXED (f, 4); c->id = f_u32 (f); break;
    case CALL_KIND: FIXED (f, 2); c->kind = f_u16 (f); break;
    case CALL_ACTOR: FIXED (f, 2); c->actor = f_u16 (f); break;
    case CALL_PID: FIXED (f, 4); c->pid = (gint32) f_u32 (f); break;
    case CALL_TID: FIXED (f, 4); c->tid = (gint32) f_u32 (f); break;
    case CALL_FD: FIXED (f, 4); c->fd = (gint32) f_u32 (f); break;
    case CALL_TS_GATE: FIXED (f, 8); c->ts_gate = (gint64) f_u64 (f); break;
    case CALL_TS_START: FIXED (f, 8); c->ts_start = (gint64) f_u64 (f); break;
    case CALL_TS_END: FIXED (f, 8); c->ts_end = (gint64) f_u64 (f); break;
    case CALL_RESULT: FIXED (f, 8); c->result = (gint64) f_u64 (f); break;
    case CALL_ERR: FIXED (f, 4); c->err = (gint32) f_u32 (f); break;
    case CALL_DOMAIN: FIXED (f, 4); c->domain = (gint32) f_u32 (f); break;
    case CALL_TYPE: FIXED (f, 4); c->type = (gint32) f_u32 (f); break;
    case CALL_PROTOCOL: FIXED (f, 4); c->protocol = (gint32) f_u32 (f); break;
    case CALL_FLAGS: FIXED (f, 4); c->flags = (gint32) f_u32 (f); break;
    case CALL_LENGTH: FIXED (f, 8); c->length = (gint64) f_u64 (f); break;
    case CALL_TIMEOUT_NS: FIXED (f, 8); c->timeout_ns = (gint64) f_u64 (f); break;
    case CALL_VALUE_IN: FIXED (f, 8); c->value_in = f_u64 (f); break;
    case CALL_LOCAL: f_text_into (f, c->local, sizeof c->local); break;
    case CALL_PEER: f_text_into (f, c->peer, sizeof c->peer); break;
    case CALL_TEXT: f_text_into (f, c->text, sizeof c->text); break;
    case CALL_DATA:
      /* raw bytes, not text: keep them as they are, up to what NcCall holds */
      c->data_len = MIN (f->len, NC_CALL_DATA_MAX);
      memcpy (c->data, f->value, c->data_len);
      break;
    case CALL_SETS_IN: return f_fd_sets (f, &c->sets_in, error);
    case CALL_SETS_OUT: return f_fd_sets (f, &c->sets_out, error);
    case CALL_TCP_STATE: FIXED (f, 1); c->tcp_state = f_u8 (f); break;
    case CALL_HAS_QUEUES: FIXED (f, 1); c->has_queues = f_u8 (f); break;
    case CALL_QUEUED_IN: FIXED (f, 4); c->queued_in = f_u32 (f); break;
    case CALL_QUEUED_OUT: FIXED (f, 4); c->queued_out = f_u32 (f); break;
    case CALL_FILE:
      {
        g_autofree char *file = f_text (f, CAP_RECORD_NAME_MAX);

        /* owned by the record: interning would keep every name a file
         * invents for the life of the process */
        g_free ((char *) c->file);
        c->file = file[0] != '\0' ? g_steal_pointer (&file) : NULL;
      }
      break;
    case CALL_LINE: FIXED (f, 4); c->line = f_u32 (f); break;
    case CALL_ORIGIN: FIXED (f, 1); c->origin = f_u8 (f); break;
    case CALL_STACK:
      {
        g_autofree char *stack = f_text (f, CAP_RECORD_TEXT_MAX);

        g_free ((char *) c->stack);
        c->stack = stack[0] != '\0' ? g_steal_pointer (&stack) : NULL;
      }
      break;
    default: break;
    }
  return TRUE;
}

/* A name owned by the record; a repeated field replaces the earlier one. */
static void
set_name (const char **slot,
          const Field *f)
{
  g_free ((char *) *slot);
  *slot = f_text (f, CAP_RECORD_NAME_MAX);
}

static gboolean
decode_actor_field (CapRecord    *rec,
                    const Field  *f,
                    GError      **error)
{
  NcActorInfo *a = &rec->actor;

  switch (f->tag)
    {
    case ACTOR_INDEX: FIXED (f, 2); a->index = f_u16 (f); break;
    case ACTOR_PID: FIXED (f, 4); a->pid = (gint32) f_u32 (f); break;
    case ACTOR_NAME: set_name (&a->name, f); break;
    case ACTOR_ROLE: set_name (&a->role, f); break;
    case ACTOR_HOST: set_name (&a->host, f); break;
    default: break;
    }
  return TRUE;
}

/* A repeated text field replaces the earlier one rather than leaking it. */
static void
set_owned (char       **slot,
           const Field *f,
           gsize        max)
{
  g_free (*slot);
  *slot = f_text (f, max);
}

static gboolean
decode_run_field (CapRecord    *rec,
                  const Field  *f,
                  GError      **error)
{
  CapRunInfo *r = &rec->run;

  switch (f->tag)
    {
    case RUN_SCENARIO: set_owned (&r->scenario, f, CAP_RECORD_NAME_MAX); break;
    case RUN_TITLE: set_owned (&r->title, f, CAP_RECORD_NAME_MAX); break;
    case RUN_PORT: FIXED (f, 2); r->port = f_u16 (f); break;
    case RUN_MESSAGE: set_owned (&r->message, f, CAP_RECORD_TEXT_MAX); break;
    case RUN_COUNT: FIXED (f, 4); r->count = f_u32 (f); break;
    case RUN_START_NS: FIXED (f, 8); r->start_ns = (gint64) f_u64 (f); break;
    default: break;
    }
  return TRUE;
}

static gboolean
decode_sockstate_field (CapRecord    *rec,
                        const Field  *f,
                        GError      **error)
{
  CapSockState *s = &rec->sockstate;

  switch (f->tag)
    {
    case SOCK_TS_NS: FIXED (f, 8); s->ts_ns = (gint64) f_u64 (f); break;
    case SOCK_FAMILY: FIXED (f, 1); s->family = f_u8 (f); break;
    case SOCK_LOCAL: f_text_into (f, s->local, sizeof s->local); break;
    case SOCK_PEER: f_text_into (f, s->peer, sizeof s->peer); break;
    case SOCK_TCP_STATE: FIXED (f, 1); s->tcp_state = f_u8 (f); break;
    case SOCK_INQ: FIXED (f, 4); s->inq = f_u32 (f); break;
    case SOCK_OUTQ: FIXED (f, 4); s->outq = f_u32 (f); break;
    case SOCK_INODE: FIXED (f, 8); s->inode = f_u64 (f); break;
    case SOCK_ACTOR: FIXED (f, 4); s->actor = (gint32) f_u32 (f); break;
    default: break;
    }
  return TRUE;
}

static gboolean
decode_drop_field (CapRecord    *rec,
                   const Field  *f,
                   GError      **error)
{
  switch (f->tag)
    {
    case DROP_PACKET_INDEX: FIXED (f, 4); rec->drop.packet_index = f_u32 (f); break;
    case DROP_TS_NS: FIXED (f, 8); rec->drop.ts_ns = (gint64) f_u64 (f); break;
    default: break;
    }
  return TRUE;
}

static gboolean
decode_console_field (CapRecord    *rec,
                      const Field  *f,
                      GError      **error)
{
  switch (f->tag)
    {
    case CONSOLE_TS_NS: FIXED (f, 8); rec->console.ts_ns = (gint64) f_u64 (f); break;
    case CONSOLE_ACTOR: FIXED (f, 2); rec->console.actor = f_u16 (f); break;
    case CONSOLE_STREAM: FIXED (f, 1); rec->console.stream = f_u8 (f); break;
    case CONSOLE_TEXT: set_owned (&rec->console.text, f, CAP_RECORD_TEXT_MAX); break;
    default: break;
    }
  return TRUE;
}

static gboolean
decode_message_field (CapRecord    *rec,
                      const Field  *f,
                      GError      **error)
{
  switch (f->tag)
    {
    case MESSAGE_SEVERITY: FIXED (f, 1); rec->message.severity = f_u8 (f); break;
    case MESSAGE_TEXT: set_owned (&rec->message.text, f, CAP_RECORD_TEXT_MAX); break;
    default: break;
    }
  return TRUE;
}

static gboolean
decode_end_field (CapRecord    *rec,
                  const Field  *f,
                  GError      **error)
{
  switch (f->tag)
    {
    case END_EXIT_STATUS: FIXED (f, 4); rec->end.exit_status = (gint32) f_u32 (f); break;
    case END_ERROR: set_owned (&rec->end.error, f, CAP_RECORD_TEXT_MAX); break;
    default: break;
    }
  return TRUE;
}

static gboolean
decode_gate_field (CapRecord    *rec,
                   const Field  *f,
                   GError      **error)
{
  CapGate *g = &rec->gate;

  switch (f->tag)
    {
    case GATE_TS_NS: FIXED (f, 8); g->ts_ns = (gint64) f_u64 (f); break;
    case GATE_WAITER:
      FIXED (f, GATE_WAITER_LEN);
      if (g->n_waiters < CAP_GATE_WAITERS_MAX)
        {
          NcGateWaiter *w = &g->waiters[g->n_waiters++];
          Field part = *f;

          w->actor = f_u32 (&part);
          part.value = f->value + 4;
          w->kind = (NcCallKind) MIN (f_u32 (&part), (guint32) NC_N_CALL_KINDS);
          part.value = f->value + 8;
          w->fd = (gint32) f_u32 (&part);
          part.value = f->value + 12;
          w->since_ns = (gint64) f_u64 (&part);
        }
      break;
    default: break;
    }
  return TRUE;
}

#undef FIXED

typedef gboolean (*FieldDecoder) (CapRecord    *rec,
                                  const Field  *f,
                                  GError      **error);

static FieldDecoder
decoder_for (CapRecordType type)
{
  switch (type)
    {
    case CAP_RECORD_RUN: return decode_run_field;
    case CAP_RECORD_ACTOR: return decode_actor_field;
    case CAP_RECORD_CALL_ENTER:
    case CAP_RECORD_CALL_RETURN: return decode_call_field;
    case CAP_RECORD_SOCKSTATE: return decode_sockstate_field;
    case CAP_RECORD_DROP: return decode_drop_field;
    case CAP_RECORD_MESSAGE: return decode_message_field;
    case CAP_RECORD_END: return decode_end_field;
    case CAP_RECORD_GATE: return decode_gate_field;
    case CAP_RECORD_CONSOLE: return decode_console_field;
    case CAP_RECORD_NONE:
    default: return NULL;
    }
}

/* Values a field has when the record does not carry it. */
static void
set_defaults (CapRecord *rec)
{
  rec->call.fd = -1;
  rec->call.timeout_ns = -1;
  rec->sockstate.actor = -1;
}

/**
 * cap_record_decode:
 * @payload: (array length=len): a custom option's bytes after the PEN
 * @out: an initialised record (CAP_RECORD_INIT or a used one): it is cleared first
 *
 * Returns: %FALSE on a bad magic (%CAP_FILE_ERROR_FORMAT), a record from a
 *   newer Socklens (%CAP_FILE_ERROR_UNSUPPORTED: skip it) or damage
 *   (%CAP_FILE_ERROR_CORRUPT); @out is then cleared
 */
gboolean
cap_record_decode (const guint8  *payload,
                   gsize          len,
                   CapRecord     *out,
                   GError       **error)
{
  FieldDecoder decode;
  guint16 version;
  guint8 type;
  gsize pos;

  g_return_val_if_fail (payload != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  cap_record_clear (out);

  if (len < CAP_RECORD_HEADER_LEN)
    {
      g_set_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_CORRUPT,
                   _("corrupt Socklens record: %zu bytes, shorter than its header"),
                   len);
      return FALSE;
    }
  if (memcmp (payload, CAP_SOCKLENS_MAGIC, CAP_SOCKLENS_MAGIC_LEN) != 0)
    {
      g_set_error_literal (error, CAP_FILE_ERROR, CAP_FILE_ERROR_FORMAT,
                           _("not a Socklens record (no \"SOCKLENS\" magic)"));
      return FALSE;
    }

  memcpy (&version, payload + CAP_SOCKLENS_MAGIC_LEN, 2);
  version = GUINT16_FROM_LE (version);
  type = payload[CAP_SOCKLENS_MAGIC_LEN + 2];
  if (version == 0 || version > CAP_RECORD_VERSION)
    {
      g_set_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_UNSUPPORTED,
                   _("Socklens record version %u is not supported (this Socklens reads %u)"),
                   version, CAP_RECORD_VERSION);
      return FALSE;
    }

  decode = decoder_for (type);
  if (decode == NULL)
    {
      g_set_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_UNSUPPORTED,
                   _("Socklens record type %u is not known"), type);
      return FALSE;
    }

  out->type = type;
  out->version = version;
  set_defaults (out);

  for (pos = CAP_RECORD_HEADER_LEN; pos < len; )
    {
      Field f;

      if (len - pos < 4)
        {
          g_set_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_CORRUPT,
                       _("corrupt Socklens record: %zu stray bytes at its end"),
                       len - pos);
          goto fail;
        }

      memcpy (&f.tag, payload + pos, 2);
      memcpy (&f.len, payload + pos + 2, 2);
      f.tag = GUINT16_FROM_LE (f.tag);
      f.len = GUINT16_FROM_LE (f.len);
      f.value = payload + pos + 4;
      if (f.len > len - pos - 4)
        {
          g_set_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_CORRUPT,
                       _("corrupt Socklens record: field %u at byte %zu claims %u bytes, %zu left"),
                       f.tag, pos, f.len, len - pos - 4);
          goto fail;
        }

      if (!decode (out, &f, error))
        goto fail;
      pos += 4 + (gsize) f.len;
    }

  return TRUE;

fail:
  cap_record_clear (out);
  return FALSE;
}

/**
 * cap_record_clear:
 *
 * Frees what a decoded record owns and zeroes it; it can be decoded into again.
 */
void
cap_record_clear (CapRecord *record)
{
  g_return_if_fail (record != NULL);

  g_free (record->run.scenario);
  g_free (record->run.title);
  g_free (record->run.message);
  g_free (record->message.text);
  g_free (record->end.error);
  g_free (record->console.text);
  g_free ((char *) record->call.file);
  g_free ((char *) record->actor.name);
  g_free ((char *) record->actor.role);
  g_free ((char *) record->actor.host);
  g_free ((char *) record->call.stack);
  memset (record, 0, sizeof *record);
}

/**
 * cap_record_peek_type:
 * The type of the record at @payload without decoding it (for a reader
 * that wants only some types), or %CAP_RECORD_NONE if it is not one.
 */
CapRecordType
cap_record_peek_type (const guint8 *payload,
                      gsize         len)
{
  if (len < CAP_RECORD_HEADER_LEN || memcmp (payload, CAP_SOCKLENS_MAGIC, CAP_SOCKLENS_MAGIC_LEN) != 0)
    return CAP_RECORD_NONE;
  return payload[CAP_SOCKLENS_MAGIC_LEN + 2];
}

const char *
cap_record_type_name (CapRecordType type)
{
  switch (type)
    {
    case CAP_RECORD_RUN: return "run";
    case CAP_RECORD_ACTOR: return "actor";
    case CAP_RECORD_CALL_ENTER: return "call-enter";
    case CAP_RECORD_CALL_RETURN: return "call-return";
    case CAP_RECORD_SOCKSTATE: return "sockstate";
    case CAP_RECORD_DROP: return "drop";
    case CAP_RECORD_MESSAGE: return "message";
    case CAP_RECORD_END: return "end";
    case CAP_RECORD_GATE: return "gate";
    case CAP_RECORD_CONSOLE: return "console";
    case CAP_RECORD_NONE:
    default: return "none";
    }
}
