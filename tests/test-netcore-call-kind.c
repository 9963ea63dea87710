/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-netcore-call-kind.c: the table of call kinds, and the numbers recordings keep. */

#include "config.h"

#include <string.h>

#include "netcore.h"

/* Recordings store the kind's number: these must never change. */
static void
test_numbers_are_stable (void)
{
  g_assert_cmpint (NC_CALL_SOCKET, ==, 0);
  g_assert_cmpint (NC_CALL_ACCEPT, ==, 3);
  g_assert_cmpint (NC_CALL_CLOSE, ==, 10);
  g_assert_cmpint (NC_CALL_SELECT, ==, 15);
  g_assert_cmpint (NC_CALL_GETPEERNAME, ==, 17);
  g_assert_cmpint (NC_CALL_INET_NTOP, ==, 28);
  g_assert_cmpint (NC_CALL_FORK, ==, 31);
  g_assert_cmpint (NC_CALL_ACCEPT4, ==, 32);
  g_assert_cmpint (NC_CALL_GETHOSTBYADDR, ==, 41);
}

static void
test_every_kind_has_a_row (void)
{
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint k = 0; k < NC_N_CALL_KINDS; k++)
    {
      const NcCallKindInfo *info = nc_call_kind_info ((NcCallKind) k);
      NcCallKind back;

      g_assert_cmpstr (info->name, !=, "?");
      g_assert_false (g_hash_table_contains (names, info->name));
      g_hash_table_add (names, (gpointer) info->name);
      g_assert_true (nc_call_kind_from_name (info->name, &back));
      g_assert_cmpint (back, ==, k);
      /* a helper is drawn in its actor's column; a socket call on a lane */
      g_assert_cmpint (info->socket_call, ==, info->draw != NC_CALL_DRAW_HELPER);
      g_assert_cmpint (info->socket_call, ==, info->fd != NC_CALL_FD_NONE);
    }
  g_assert_cmpstr (nc_call_kind_name (NC_N_CALL_KINDS + 5), ==, "?");
  g_assert_false (nc_call_is_socket_call (NC_N_CALL_KINDS + 5));
}

/* The facts that used to be the enum's order and the correlation's switches */
static void
test_facts (void)
{
  for (guint k = NC_CALL_SOCKET; k <= NC_CALL_GETPEERNAME; k++)
    g_assert_true (nc_call_is_socket_call (k));
  for (guint k = NC_CALL_GETHOSTNAME; k <= NC_CALL_INET_NTOP; k++)
    g_assert_false (nc_call_is_socket_call (k));
  g_assert_true (nc_call_is_socket_call (NC_CALL_WRITE));
  g_assert_false (nc_call_is_socket_call (NC_CALL_FORK));
  g_assert_false (nc_call_is_socket_call (NC_CALL_GETHOSTBYNAME));

  g_assert_cmpint (nc_call_kind_info (NC_CALL_ACCEPT4)->link, ==, NC_CALL_LINK_ACCEPT);
  g_assert_cmpint (nc_call_kind_info (NC_CALL_SENDMSG)->link, ==, NC_CALL_LINK_SEND);
  g_assert_cmpint (nc_call_kind_info (NC_CALL_RECVMSG)->link, ==, NC_CALL_LINK_RECV);
  g_assert_cmpint (nc_call_kind_info (NC_CALL_POLL)->link, ==, NC_CALL_LINK_READY);
  g_assert_cmpint (nc_call_kind_info (NC_CALL_EPOLL_WAIT)->draw, ==, NC_CALL_DRAW_WAIT);
  g_assert_true (nc_call_kind_info (NC_CALL_RECV)->blocks);
  g_assert_true (nc_call_kind_info (NC_CALL_PPOLL)->blocks);
  g_assert_false (nc_call_kind_info (NC_CALL_BIND)->blocks);
}

static void
test_format_new_kinds (void)
{
  NcCall call = { .kind = NC_CALL_POLL, .fd = -1, .timeout_ns = 500000000, .ts_start = 1, .ts_end = 2 };
  NcFdSets watched = { .set[NC_SET_READ] = { .n = 1, .fds = { 3 } } };
  g_autofree char *text = NULL;

  call.sets_in = nc_fd_sets_intern (&watched);
  text = nc_call_to_string (&call);
  g_assert_cmpstr (text, ==, "poll(r=[3], 0.5 s) = 0");
  g_free (text);

  call.result = 1;
  call.sets_out = call.sets_in;
  text = nc_call_to_string (&call);
  g_assert_cmpstr (text, ==, "poll(r=[3], 0.5 s) = 1 ready r=[3]");
  g_free (text);

  memset (&call, 0, sizeof call);
  call.kind = NC_CALL_GETHOSTBYNAME;
  call.ts_start = 1;
  call.ts_end = 2;
  g_strlcpy (call.text, "localhost", sizeof call.text);
  g_strlcpy (call.peer, "127.0.0.1", sizeof call.peer);
  text = nc_call_to_string (&call);
  g_assert_cmpstr (text, ==, "gethostbyname(\"localhost\") = 127.0.0.1");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/netcore/call-kind/numbers-are-stable", test_numbers_are_stable);
  g_test_add_func ("/netcore/call-kind/every-kind-has-a-row", test_every_kind_has_a_row);
  g_test_add_func ("/netcore/call-kind/facts", test_facts);
  g_test_add_func ("/netcore/call-kind/format-new-kinds", test_format_new_kinds);
  return g_test_run ();
}
