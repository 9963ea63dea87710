/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-netcore-report.c: the records a traced program sends the lab
 * (nc-report): written with one gathered write each, read back many at a
 * time by NcReportReader, whatever the pipe cuts; a damaged length ends the
 * reading; and the interned text of a run of calls from one line.
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "nc-report.h"

#define N_REPORTS 2000

/* Report @i: its texts of varying lengths, up to each field's whole size
 * (no room for a NUL: the writer must add it) */
static void
make_report (NcReport *report,
             guint     i)
{
  gsize file_len = (i * 7) % (sizeof report->file + 1);
  gsize stack_len = (i * 131) % (sizeof report->stack + 1);

  memset (report, 0, sizeof *report);
  report->call.id = i;
  report->call.fd = (gint32) i;
  report->call.result = -(gint64) i;
  memset (report->file, 'a' + (int) (i % 26), file_len);
  memset (report->stack, 'A' + (int) (i % 26), stack_len);
}

static gpointer
writer_thread (gpointer data)
{
  int fd = GPOINTER_TO_INT (data);
  NcReport report;

  for (guint i = 0; i < N_REPORTS; i++)
    {
      make_report (&report, i);
      g_assert_true (nc_report_write (fd, &report));
    }
  close (fd);
  return NULL;
}

static void
test_many_through_a_pipe (void)
{
  int fds[2];
  GThread *writer;
  g_autofree NcReportReader *reader = g_new (NcReportReader, 1);
  NcReport got, want;
  guint n = 0;

  g_assert_cmpint (pipe (fds), ==, 0);
  writer = g_thread_new ("writer", writer_thread, GINT_TO_POINTER (fds[1]));
  nc_report_reader_init (reader, fds[0]);
  while (nc_report_reader_next (reader, &got))
    {
      make_report (&want, n);
      g_assert_cmpuint (got.call.id, ==, n);
      g_assert_cmpint (got.call.fd, ==, want.call.fd);
      g_assert_cmpint (got.call.result, ==, want.call.result);
      /* a full field comes back one byte short, with its NUL */
      g_assert_cmpuint (strlen (got.file), ==, MIN (strnlen (want.file, sizeof want.file),
                                                    sizeof want.file - 1));
      g_assert_cmpint (strncmp (got.file, want.file, strlen (got.file)), ==, 0);
      g_assert_cmpuint (strlen (got.stack), ==, MIN (strnlen (want.stack, sizeof want.stack),
                                                     sizeof want.stack - 1));
      g_assert_cmpint (strncmp (got.stack, want.stack, strlen (got.stack)), ==, 0);
      n++;
    }
  g_thread_join (writer);
  close (fds[0]);
  g_assert_cmpuint (n, ==, N_REPORTS);
}

/* A length no record can have: the reader stops rather than misread */
static void
test_damaged_length (void)
{
  int fds[2];
  guint32 bad = 3;
  g_autofree NcReportReader *reader = g_new (NcReportReader, 1);
  NcReport report;

  make_report (&report, 5);
  g_assert_cmpint (pipe (fds), ==, 0);
  g_assert_true (nc_report_write (fds[1], &report));
  g_assert_cmpint (write (fds[1], &bad, sizeof bad), ==, sizeof bad);
  close (fds[1]);
  nc_report_reader_init (reader, fds[0]);
  g_assert_true (nc_report_reader_next (reader, &report));
  g_assert_cmpuint (report.call.id, ==, 5);
  g_assert_false (nc_report_reader_next (reader, &report));
  close (fds[0]);
}

static void
test_interned (void)
{
  NcReportInterned last = { NULL, NULL };
  NcReport report;
  NcCall a, b, c;

  make_report (&report, 3);
  nc_report_to_call_interned (&report, &a, &last);
  nc_report_to_call_interned (&report, &b, &last);
  g_assert_true (a.file == b.file && a.stack == b.stack);
  g_assert_true (a.file == g_intern_string (report.file));
  make_report (&report, 4);
  nc_report_to_call_interned (&report, &c, &last);
  g_assert_cmpstr (c.file, ==, report.file);
  g_assert_cmpstr (c.stack, ==, report.stack);
  g_assert_true (c.file != a.file);
  report.file[0] = '\0';
  nc_report_to_call_interned (&report, &c, &last);
  g_assert_null (c.file);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/netcore/report/many-through-a-pipe", test_many_through_a_pipe);
  g_test_add_func ("/netcore/report/damaged-length", test_damaged_length);
  g_test_add_func ("/netcore/report/interned", test_interned);
  return g_test_run ();
}
