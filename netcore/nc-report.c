/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nc-report.c: calls reported by other processes (see nc-report.h). */

#include "config.h"

#include "nc-report.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

G_STATIC_ASSERT (sizeof (guint32) + sizeof (NcReport) <= PIPE_BUF);

/* Only async-signal-safe work: this runs in forked children. */
void
nc_report_from_call (NcReport     *report,
                     const NcCall *call)
{
  static const NcFdSets none = { 0 };

  report->call = *call;
  report->call.file = NULL;
  report->call.stack = NULL;
  report->call.sets_in = report->call.sets_out = NULL;
  report->sets_in = call->sets_in != NULL ? *call->sets_in : none;
  report->sets_out = call->sets_out != NULL ? *call->sets_out : none;
  report->file[0] = report->stack[0] = '\0';
  if (call->file != NULL)
    {
      gsize n = strnlen (call->file, sizeof report->file - 1);
      memcpy (report->file, call->file, n);
      report->file[n] = '\0';
    }
  if (call->stack != NULL)
    {
      gsize n = strnlen (call->stack, sizeof report->stack - 1);
      memcpy (report->stack, call->stack, n);
      report->stack[n] = '\0';
    }
}

void
nc_report_to_call (const NcReport *report,
                   NcCall         *call)
{
  *call = report->call;
  call->file = report->file[0] ? g_intern_string (report->file) : NULL;
  call->stack = report->stack[0] ? g_intern_string (report->stack) : NULL;
  call->sets_in = nc_fd_sets_intern (&report->sets_in);
  call->sets_out = nc_fd_sets_intern (&report->sets_out);
}

/*
 * On the pipe a record is its length (u32), the NcCall, its two NcFdSets
 * (pointers into one process mean nothing in another), then the file and
 * the stack as NUL-terminated strings: short records for the common case,
 * one write(2) under PIPE_BUF, so atomic among the writers.
 */
#define REPORT_FIXED_LEN (sizeof (NcCall) + 2 * sizeof (NcFdSets))

/* @text and its NUL, as one or two parts of a gathered write */
static guint
add_text (struct iovec *parts,
          guint         n,
          const char   *text,
          gsize         len)
{
  static const char nul = '\0';

  if (text[len] == '\0')
    {
      parts[n] = (struct iovec) { (void *) text, len + 1 };
      return n + 1;
    }
  parts[n] = (struct iovec) { (void *) text, len };
  parts[n + 1] = (struct iovec) { (void *) &nul, 1 };
  return n + 2;
}

static const char *
intern_like_last (const char  *text,
                  const char **last)
{
  if (text[0] == '\0')
    return NULL;
  if (*last == NULL || strcmp (*last, text) != 0)
    *last = g_intern_string (text);
  return *last;
}

void
nc_report_to_call_interned (const NcReport   *report,
                            NcCall           *call,
                            NcReportInterned *last)
{
  *call = report->call;
  call->file = intern_like_last (report->file, &last->file);
  call->stack = intern_like_last (report->stack, &last->stack);
  call->sets_in = nc_fd_sets_intern (&report->sets_in);
  call->sets_out = nc_fd_sets_intern (&report->sets_out);
}

gboolean
nc_report_write (int             fd,
                 const NcReport *report)
{
  gsize file_len = strnlen (report->file, sizeof report->file - 1);
  gsize stack_len = strnlen (report->stack, sizeof report->stack - 1);
  guint32 len = (guint32) (REPORT_FIXED_LEN + file_len + 1 + stack_len + 1);
  struct iovec parts[8] = {
    { &len, sizeof len },
    { (void *) &report->call, sizeof (NcCall) },
    { (void *) &report->sets_in, sizeof (NcFdSets) },
    { (void *) &report->sets_out, sizeof (NcFdSets) },
  };
  guint n = 4;

  /* gathered by the kernel rather than copied here first; a record is at
   * most PIPE_BUF bytes, so it is written whole, never between another
   * thread's */
  n = add_text (parts, n, report->file, file_len);
  n = add_text (parts, n, report->stack, stack_len);
  for (;;)
    {
      ssize_t written = writev (fd, parts, (int) n);
      if (written < 0 && errno == EINTR)
        continue;
      return written == (ssize_t) (sizeof len + len);
    }
}

static gboolean
read_exactly (int    fd,
              void  *buf,
              gsize  len)
{
  char *p = buf;
  gsize got = 0;

  while (got < len)
    {
      ssize_t n = read (fd, p + got, len - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      got += (gsize) n;
    }
  return TRUE;
}

/* A record's body (after its length) into @report */
static gboolean
parse_body (const char *buf,
            guint32     len,
            NcReport   *report)
{
  const char *file, *stack, *end;

  memcpy (&report->call, buf, sizeof (NcCall));
  memcpy (&report->sets_in, buf + sizeof (NcCall), sizeof (NcFdSets));
  memcpy (&report->sets_out, buf + sizeof (NcCall) + sizeof (NcFdSets), sizeof (NcFdSets));
  report->call.sets_in = report->call.sets_out = NULL;
  file = buf + REPORT_FIXED_LEN;
  end = buf + len;
  stack = memchr (file, '\0', (gsize) (end - file));
  if (stack == NULL || memchr (stack + 1, '\0', (gsize) (end - stack - 1)) == NULL)
    return FALSE;
  stack++;
  g_strlcpy (report->file, file, sizeof report->file);
  g_strlcpy (report->stack, stack, sizeof report->stack);
  return TRUE;
}

static gboolean
length_fits (guint32 len)
{
  return len >= REPORT_FIXED_LEN + 2 && len <= sizeof (NcReport);
}

/* FALSE at end of file (every writer has closed the pipe), on error, or on
 * a record that cannot be one of ours. */
gboolean
nc_report_read (int       fd,
                NcReport *report)
{
  char buf[sizeof (NcReport)];
  guint32 len;

  if (!read_exactly (fd, &len, sizeof len) || !length_fits (len) || !read_exactly (fd, buf, len))
    return FALSE;
  return parse_body (buf, len, report);
}

void
nc_report_reader_init (NcReportReader *reader,
                       int             fd)
{
  reader->fd = fd;
  reader->start = reader->end = 0;
}

gboolean
nc_report_reader_next (NcReportReader *reader,
                       NcReport       *report)
{
  G_STATIC_ASSERT (sizeof ((NcReportReader *) 0)->buf >= sizeof (guint32) + sizeof (NcReport));

  for (;;)
    {
      gsize have = reader->end - reader->start;
      guint32 len = 0;
      ssize_t n;

      if (have >= sizeof len)
        {
          memcpy (&len, reader->buf + reader->start, sizeof len);
          if (!length_fits (len))
            return FALSE;
          if (have >= sizeof len + len)
            {
              const char *body = reader->buf + reader->start + sizeof len;

              reader->start += sizeof len + len;
              return parse_body (body, len, report);
            }
        }
      /* a record is cut: move what there is to the front, read more */
      memmove (reader->buf, reader->buf + reader->start, have);
      reader->start = 0;
      reader->end = have;
      n = read (reader->fd, reader->buf + reader->end, sizeof reader->buf - reader->end);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      reader->end += (gsize) n;
    }
}

/* --- the shared gate ------------------------------------------------------ */

static void
futex_wake_all (gint32 *word)
{
  syscall (SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

static void
futex_wait (gint32 *word,
            gint32  value)
{
  syscall (SYS_futex, word, FUTEX_WAIT, value, NULL, NULL, 0);
}

NcReportGate *
nc_report_gate_new (int *out_fd)
{
  int fd = memfd_create ("socklens-gate", 0);  /* inherited by the traced programs */
  NcReportGate *gate;

  if (fd < 0)
    return NULL;
  if (ftruncate (fd, sizeof (NcReportGate)) < 0 || (gate = nc_report_gate_map (fd)) == NULL)
    {
      close (fd);
      return NULL;
    }
  *out_fd = fd;
  return gate;
}

NcReportGate *
nc_report_gate_map (int fd)
{
  void *p = mmap (NULL, sizeof (NcReportGate), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

  return p == MAP_FAILED ? NULL : p;
}

void
nc_report_gate_unmap (NcReportGate *gate)
{
  if (gate != NULL)
    munmap (gate, sizeof *gate);
}

void
nc_report_gate_release (NcReportGate *gate,
                        gint32        tid)
{
  for (guint i = 0; i < NC_REPORT_GATE_SLOTS; i++)
    if (g_atomic_int_compare_and_exchange (&gate->released[i], 0, tid))
      break;
  g_atomic_int_inc (&gate->seq);
  futex_wake_all (&gate->seq);
}

void
nc_report_gate_open (NcReportGate *gate)
{
  g_atomic_int_set (&gate->open, 1);
  g_atomic_int_inc (&gate->seq);
  futex_wake_all (&gate->seq);
}

/* In the traced process: waits until the lab lets thread @tid through. */
void
nc_report_gate_wait (NcReportGate *gate,
                     gint32        tid)
{
  for (;;)
    {
      gint32 seq = g_atomic_int_get (&gate->seq);

      if (g_atomic_int_get (&gate->open))
        return;
      for (guint i = 0; i < NC_REPORT_GATE_SLOTS; i++)
        if (g_atomic_int_compare_and_exchange (&gate->released[i], tid, 0))
          return;
      futex_wait (&gate->seq, seq);
    }
}

/* --- ids ------------------------------------------------------------------ */

struct _NcReportIds
{
  GHashTable *map;  /* (pid << 32 | call id) -> recorder id + 1 */
};

NcReportIds *
nc_report_ids_new (void)
{
  NcReportIds *ids = g_new0 (NcReportIds, 1);

  ids->map = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  return ids;
}

void
nc_report_ids_free (NcReportIds *ids)
{
  if (ids == NULL)
    return;
  g_hash_table_unref (ids->map);
  g_free (ids);
}

static gint64
ids_key (const NcCall *call)
{
  return ((gint64) call->pid << 32) | call->id;
}

gboolean
nc_report_ids_lookup (NcReportIds  *ids,
                      const NcCall *call,
                      guint32      *out_id)
{
  gint64 key = ids_key (call);
  gpointer value = g_hash_table_lookup (ids->map, &key);

  if (value == NULL)
    return FALSE;
  *out_id = GPOINTER_TO_UINT (value) - 1;
  return TRUE;
}

void
nc_report_ids_insert (NcReportIds  *ids,
                      const NcCall *call,
                      guint32       id)
{
  gint64 key = ids_key (call);

  g_hash_table_insert (ids->map, g_memdup2 (&key, sizeof key), GUINT_TO_POINTER (id + 1));
}
