/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-format.c: the small facts every view shows the same way
 * (netcore/nc-format.c) and the busiest conversations (capture). */
#include "config.h"

#include <string.h>

#include "netcore.h"
#include "painter-recordings.h"

/* A tick of a Time axis over a damaged file's 146 years: the step is
 * 5e18 ns and the time can be anything (twice the step overflowed: UBSan) */
static void
test_time_far (void)
{
  g_autofree char *a = nc_format_time_at (G_GINT64_CONSTANT (4000000000000000000),
                                          G_GINT64_CONSTANT (5000000000000000000));
  g_autofree char *b = nc_format_time_at (G_MININT64, G_MAXINT64);

  g_assert_cmpstr (a, ==, "4000000000 s");
  g_assert_nonnull (strstr (b, " s"));
}

static void
test_duration (void)
{
  const struct
  {
    gint64      ns;
    const char *text;
  } cases[] = {
    { 0, "0 ns" },
    { 850, "850 ns" },
    { 9999, "10 µs" },
    { 98000, "98 µs" },
    { 1250000, "1.2 ms" },
    { 4200000000, "4.2 s" },
    { 42000000000, "42 s" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = nc_format_duration (cases[i].ns);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_time (void)
{
  g_autofree char *a = nc_format_time_at (100000, 100000);
  g_autofree char *b = nc_format_time_at (1500000, 500000);
  g_autofree char *c = nc_format_time_at (5251400000, 100000);
  /* a column in one unit: 3 µs still reads in ms beside the others */
  g_autofree char *d = nc_format_time (3000, 1000000, 100000);
  g_autofree char *e = nc_format_time (12345678901, 20000000000, 1000000);

  g_assert_cmpstr (a, ==, "100 µs");
  g_assert_cmpstr (b, ==, "1.5 ms");
  g_assert_cmpstr (c, ==, "5.2514 s");
  g_assert_cmpstr (d, ==, "0.0 ms");
  g_assert_cmpstr (e, ==, "12.346 s");
}

static void
test_bytes (void)
{
  const guint8 data[] = { 'h', 'i', '\n', '\r', '"', '\\', 0x00, 0xff, 'z' };
  g_autoptr(GString) all = g_string_new (NULL);
  g_autoptr(GString) cut = g_string_new (NULL);
  g_autoptr(GString) none = g_string_new (NULL);

  nc_format_bytes (data, sizeof data, G_MAXSIZE, all);
  g_assert_cmpstr (all->str, ==, "b\"hi\\n\\r\\\"\\\\\\x00\\xffz\"");
  nc_format_bytes (data, sizeof data, 2, cut);
  g_assert_cmpstr (cut->str, ==, "b\"hi…\"");
  nc_format_bytes (NULL, 0, 12, none);
  g_assert_cmpstr (none->str, ==, "b\"\"");
}

static void
test_fd_list (void)
{
  NcFdList list = { 0 };
  g_autoptr(GString) empty = g_string_new (NULL);
  g_autoptr(GString) two = g_string_new (NULL);

  nc_format_fd_list (&list, empty);
  g_assert_cmpstr (empty->str, ==, "[]");
  list.fds[0] = 3;
  list.fds[1] = 4;
  list.n = 2;
  nc_format_fd_list (&list, two);
  g_assert_cmpstr (two->str, ==, "[3, 4]");
}

/* Three conversations: 1, 3 and 3 datagrams; the later 3 comes second. */
static void
test_rank_conversations (void)
{
  g_autoptr(CapRecording) rec = cap_recording_new ();
  g_autofree guint32 *ids = NULL;
  guint32 lo = 0x7f000001;
  guint n = 99;

  pr_add_udp (rec, PR_US (0), lo, 5000, lo, 6000, 4);
  for (guint i = 0; i < 3; i++)
    pr_add_udp (rec, PR_US (10 + i), lo, 5001, lo, 6001, 4);
  for (guint i = 0; i < 3; i++)
    pr_add_udp (rec, PR_US (20 + i), lo, 5002, lo, 6002, 4);
  g_assert_cmpuint (cap_recording_get_n_conversations (rec), ==, 3);

  ids = cap_recording_rank_conversations (rec, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (ids[0], ==, 1);
  g_assert_cmpuint (ids[1], ==, 2);
  g_assert_cmpuint (ids[2], ==, 0);
}

static void
test_rank_empty (void)
{
  g_autoptr(CapRecording) rec = cap_recording_new ();
  g_autofree guint32 *ids = NULL;
  guint n = 99;

  ids = cap_recording_rank_conversations (rec, &n);
  g_assert_nonnull (ids);
  g_assert_cmpuint (n, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/format/duration", test_duration);
  g_test_add_func ("/format/time", test_time);
  g_test_add_func ("/format/time-far", test_time_far);
  g_test_add_func ("/format/bytes", test_bytes);
  g_test_add_func ("/format/fd-list", test_fd_list);
  g_test_add_func ("/format/rank-conversations", test_rank_conversations);
  g_test_add_func ("/format/rank-conversations/empty", test_rank_empty);

  return g_test_run ();
}
