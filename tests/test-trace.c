/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-trace.c: real python3 programs run traced in the lab (socklens-lab
 * --trace): their calls, results, errno and FILE:LINE, their packets (read
 * back by tshark), threads, forked children, stepping and bad input.
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "cap-lab.h"
#include "cap-recording.h"
#include "netcore.h"
#include "sl-test-capture.h"

#define TIMEOUT_S 60

static char *
test_program (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "trace", name, NULL);
}

static char *
example (const char *name)
{
  return g_build_filename (SOURCE_EXAMPLES_DIR, name, NULL);
}


static CapRecording *
trace_full (const char *const *programs,
            guint              timeout_s,
            GError           **error)
{
  CapRecording *recording = NULL;

  cap_lab_trace_sync (SL_TEST_LAB, programs, timeout_s, FALSE, &recording, NULL, error);
  g_assert_nonnull (recording);
  return recording;
}

static CapRecording *
trace_ok (const char *const *programs)
{
  g_autoptr(GError) error = NULL;
  CapRecording *recording = trace_full (programs, TIMEOUT_S, &error);

  g_assert_no_error (error);
  return recording;
}

static void
assert_source (const NcCall *call,
               const char   *path,
               const char   *needle,
               NcCallOrigin  origin)
{
  g_autofree char *base = g_path_get_basename (path);

  g_assert_nonnull (call->file);
  g_assert_true (g_str_has_suffix (call->file, base));
  g_assert_cmpuint (call->line, ==, sl_test_line_of (path, needle));
  g_assert_cmpint (call->origin, ==, origin);
  g_assert_nonnull (call->stack);
}

static gboolean
has_message (CapRecording *recording,
             const char   *needle)
{
  for (guint i = 0; i < cap_recording_get_n_messages (recording); i++)
    if (strstr (cap_recording_get_message (recording, i, NULL), needle) != NULL)
      return TRUE;
  return FALSE;
}

static gboolean
has_console (CapRecording *recording,
             guint8        stream,
             const char   *needle)
{
  for (guint i = 0; i < cap_recording_get_n_console_lines (recording); i++)
    {
      const CapConsoleLine *line = cap_recording_get_console_line (recording, i);
      if (line->stream == stream && strstr (line->text, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static char *
run_tool (const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH |
                               G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status,
                               &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  return out;
}

/* The shipped TCP example, through the command line: what a student types */
static void
test_tcp_example_cli (void)
{
  g_autofree char *server = example ("tcp_server.py");
  g_autofree char *client = example ("tcp_client.py");
  g_autofree char *dir = g_dir_make_tmp ("socklens-trace-XXXXXX", NULL);
  g_autofree char *output = g_build_filename (dir, "run.pcapng", NULL);
  g_autofree char *socklens = g_build_filename (BUILD_APPDIR, "socklens", NULL);
  const char *argv[] = { socklens, "trace", server, client, "--output", output, NULL };
  g_autofree char *text = run_tool (argv);
  const char *tshark_argv[] = { "tshark", "-r", output, "-T", "fields", "-e", "tcp.flags.str",
                                "-e", "frame.comment", NULL };
  g_autofree char *packets = NULL;
  /* entry, result, where: a call interleaved with packets prints as
   * "entry <unfinished ...>  FILE:LINE" and later "<... X resumed> result" */
  struct { const char *entry; const char *result; const char *path; const char *needle; } expect[] = {
    { "socket(AF_INET, SOCK_STREAM, 0)", "= 3", server, "s = socket.socket" },
    { "bind(fd=3, 127.0.0.1:50007)", "= 0", server, "s.bind" },
    { "listen(fd=3, backlog=1)", "= 0", server, "s.listen" },
    { "accept4(fd=3)", "= 4 from 127.0.0.1:", server, "s.accept" },
    { "connect(fd=3, 127.0.0.1:50007)", "= 0 (local 127.0.0.1:", client, "s.connect" },
    { "send(fd=3, b\"Hello, world\" (12 bytes))", "= 12", client, "s.send" },
    { "recv(fd=3, 1024)", "= 12 b\"Hello, world\"", client, "data = s.recv" },
    { "recv(fd=4, 1024)", "= 0 b\"\"", server, "data = conn.recv" },
    { "close(fd=4)", "= 0", server, "conn.close" },
    { "close(fd=3)", "= 0", client, "s.close" },
  };
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      g_autofree char *base = g_path_get_basename (expect[i].path);
      g_autofree char *where = g_strdup_printf ("  %s:%u", base,
                                                sl_test_line_of (expect[i].path, expect[i].needle));
      g_autofree char *kind = g_strndup (expect[i].entry, strcspn (expect[i].entry, "("));
      g_autofree char *resumed = g_strdup_printf ("%s  <... %s resumed> %s", base, kind,
                                                  expect[i].result);
      gboolean found = FALSE;

      for (guint l = 0; lines[l] != NULL && !found; l++)
        {
          const char *at = strstr (lines[l], expect[i].entry);

          if (at == NULL || !g_str_has_suffix (lines[l], where) ||
              strstr (lines[l], base) == NULL)
            continue;
          if (strstr (at, " <unfinished ...>") != NULL)
            {
              /* its result further down, on its resumed line */
              for (guint r = l + 1; lines[r] != NULL && !found; r++)
                found = strstr (lines[r], resumed) != NULL;
            }
          else
            found = strstr (at, expect[i].result) != NULL;
        }
      if (!found)
        g_error ("no “%s %s” at%s in:\n%s", expect[i].entry, expect[i].result, where, text);
    }
  g_assert_nonnull (strstr (text, "TCP [SYN]"));
  g_assert_nonnull (strstr (text, "TCP [SYN, ACK]"));
  g_assert_nonnull (strstr (text, "tcp_server.py (stdout)  Connected by ('127.0.0.1',"));
  g_assert_nonnull (strstr (text, "tcp_client.py (stdout)  Received b'Hello, world'"));

  /* Wireshark's own reader: the handshake, the data, the calls as comments */
  packets = run_tool (tshark_argv);
  g_assert_nonnull (strstr (packets, "··········S·"));
  g_assert_nonnull (strstr (packets, "client.py connect(fd=3)"));
  g_assert_nonnull (strstr (packets, "(data) at tcp_client.py:"));
  g_assert_nonnull (strstr (packets, "tcp_server.py recv(fd=4)"));
  g_unlink (output);
  g_rmdir (dir);
}

/* The calls' facts in the recording: results, errno, lines, links */
static void
test_tcp_example_calls (void)
{
  g_autofree char *server = example ("tcp_server.py");
  g_autofree char *client = example ("tcp_client.py");
  const char *programs[] = { server, client, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  const NcCall *accept, *connect, *recv;
  guint32 syn[4];

  accept = sl_test_find_call (rec, "tcp_server.py", NC_CALL_ACCEPT4, 0);
  connect = sl_test_find_call (rec, "tcp_client.py", NC_CALL_CONNECT, 0);
  recv = sl_test_find_call (rec, "tcp_client.py", NC_CALL_RECV, 0);
  assert_source (accept, server, "s.accept", NC_CALL_ORIGIN_PROGRAM);
  assert_source (connect, client, "s.connect", NC_CALL_ORIGIN_PROGRAM);
  g_assert_cmpint (connect->result, ==, 0);
  g_assert_cmpint (connect->err, ==, 0);
  g_assert_cmpint (recv->result, ==, 12);
  g_assert_cmpmem (recv->data, recv->data_len, "Hello, world", 12);
  /* the client started once the server was waiting in accept() */
  g_assert_cmpint (connect->ts_start, >, accept->ts_start);
  /* correlation works on traced calls as on a scenario's */
  g_assert_cmpuint (sl_test_linked_packets (rec, connect, CAP_LINK_HANDSHAKE, syn, 4), ==, 3);
  g_assert_true (has_message (rec, "tcp_client.py exited with status 0"));
}

/* socketserver: the library's calls marked, handle()'s own lines, idle polls folded */
static void
test_socketserver_library (void)
{
  g_autofree char *server = example ("socketserver_server.py");
  g_autofree char *client = test_program ("idle_client.py");
  const char *programs[] = { server, client, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  g_autoptr(GString) text = g_string_new (NULL);
  const NcCall *accept = sl_test_find_call (rec, "socketserver_server.py", NC_CALL_ACCEPT4, 0);
  const NcCall *recv = sl_test_find_call (rec, "socketserver_server.py", NC_CALL_RECV, 0);
  guint idle = 0, printed = 0;
  g_auto (GStrv) lines = NULL;
  g_autofree char *where = g_strdup_printf ("socketserver_server.py:%u (library)",
                                            sl_test_line_of (server, "server.serve_forever"));

  assert_source (accept, server, "server.serve_forever", NC_CALL_ORIGIN_LIBRARY);
  assert_source (recv, server, "self.request.recv", NC_CALL_ORIGIN_PROGRAM);
  g_assert_nonnull (strstr (recv->stack, "handle (socketserver_server.py:"));
  for (guint i = 0; i < cap_recording_get_n_calls (rec); i++)
    {
      const NcCall *call = cap_recording_get_call (rec, i);
      if (call->kind == NC_CALL_POLL && call->ts_end != 0 && call->result == 0 &&
          call->origin == NC_CALL_ORIGIN_LIBRARY && call->timeout_ns == 500 * 1000 * 1000)
        idle++;
    }
  g_assert_cmpuint (idle, >=, 3);  /* 1.6 s of 0.5 s polls before the client */

  cap_recording_format_timeline (rec, text);
  lines = g_strsplit (text->str, "\n", -1);
  for (guint l = 0; lines[l] != NULL; l++)
    if (strstr (lines[l], "poll(r=[3], 0.5 s) = 0") != NULL)
      {
        g_assert_true (g_str_has_suffix (lines[l], where));
        printed++;
      }
  /* a run of idle polls is one line and a count, not one line each */
  g_assert_cmpuint (printed, <, idle);
  g_assert_nonnull (strstr (text->str, "more idle poll() calls like it"));
  g_assert_true (has_message (rec, "socketserver_server.py was still running at the end and "
                                   "was stopped"));
}

/* ThreadingTCPServer: the handlers' calls under their own threads, no deadlock */
static void
test_threads (void)
{
  g_autofree char *server = test_program ("threaded_server.py");
  g_autofree char *client = test_program ("three_clients.py");
  const char *programs[] = { server, client, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  guint handler_recvs = 0;

  for (guint i = 0; i < cap_recording_get_n_calls (rec); i++)
    {
      const NcCall *call = cap_recording_get_call (rec, i);
      const NcActorInfo *actor = cap_recording_get_actor (rec, call->actor);

      if (call->kind != NC_CALL_RECV || !g_str_has_prefix (actor->name, "threaded_server.py"))
        continue;
      g_assert_true (strstr (actor->name, "thread") != NULL);
      g_assert_cmpint (call->tid, !=, call->pid);
      assert_source (call, server, "self.request.recv", NC_CALL_ORIGIN_PROGRAM);
      g_assert_cmpint (call->result, ==, 6);
      handler_recvs++;
    }
  g_assert_cmpuint (handler_recvs, ==, 3);
  g_assert_true (has_console (rec, 1, "served 3"));
  g_assert_true (has_message (rec, "threaded_server.py exited with status 0"));
}

/* ForkingTCPServer: fork() recorded, each child's calls under its own actor */
static void
test_forking (void)
{
  g_autofree char *server = test_program ("forking_server.py");
  g_autofree char *client_path = test_program ("three_clients.py");
  g_autofree char *client = g_strdup_printf ("python3 %s 50021", client_path);
  const char *programs[] = { server, client, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  guint forks = 0, child_recvs = 0;

  for (guint i = 0; i < cap_recording_get_n_calls (rec); i++)
    {
      const NcCall *call = cap_recording_get_call (rec, i);
      const NcActorInfo *actor = cap_recording_get_actor (rec, call->actor);

      if (call->kind == NC_CALL_FORK && call->result > 0)
        forks++;
      if (call->kind == NC_CALL_RECV && strstr (actor->name, "child") != NULL)
        {
          /* a process of its own, not the server's */
          g_assert_cmpint (call->pid, ==, actor->pid);
          g_assert_cmpint (call->pid, !=, cap_recording_get_actor (rec, 0)->pid);
          assert_source (call, server, "self.request.recv", NC_CALL_ORIGIN_PROGRAM);
          child_recvs++;
        }
    }
  g_assert_cmpuint (forks, ==, 3);
  g_assert_cmpuint (child_recvs, ==, 3);
}

/* settimeout(): CPython polls before recv(); the poll times out, no recv() */
static void
test_socket_timeout (void)
{
  g_autofree char *server = test_program ("silent_server.py");
  g_autofree char *client = test_program ("timeout_client.py");
  const char *programs[] = { server, client, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  const NcCall *poll = sl_test_find_call (rec, "timeout_client.py", NC_CALL_POLL, 0);
  const NcCall *nonblock = sl_test_find_call (rec, "timeout_client.py", NC_CALL_IOCTL, 0);

  g_assert_cmpint (nonblock->value_in, ==, 1);
  assert_source (nonblock, client, "s.settimeout", NC_CALL_ORIGIN_PROGRAM);
  g_assert_cmpint (poll->timeout_ns, ==, 200 * 1000 * 1000);
  g_assert_cmpint (poll->result, ==, 0);
  g_assert_cmpint (poll->ts_end - poll->ts_start, >=, 150 * 1000 * 1000);
  assert_source (poll, client, "s.recv", NC_CALL_ORIGIN_PROGRAM);
  g_assert_cmpuint (sl_test_count_calls (rec, "timeout_client.py", NC_CALL_RECV), ==, 0);
  g_assert_true (has_console (rec, 1, "timed out"));
}

/* sendall() of 1 MB: the send()s the kernel took, the first the program's */
static void
test_sendall_1mb (void)
{
  g_autofree char *server = test_program ("sink_server.py");
  g_autofree char *client = test_program ("sendall_client.py");
  const char *programs[] = { server, client, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  guint n = sl_test_count_calls (rec, "sendall_client.py", NC_CALL_SEND);
  gint64 sent = 0, received = 0;

  g_assert_cmpuint (n, >=, 1);
  for (guint i = 0; i < n; i++)
    {
      const NcCall *send = sl_test_find_call (rec, "sendall_client.py", NC_CALL_SEND, i);
      g_assert_cmpint (send->result, >, 0);
      g_assert_cmpint (send->length, ==, (1 << 20) - sent);
      assert_source (send, client, "s.sendall",
                     i == 0 ? NC_CALL_ORIGIN_PROGRAM : NC_CALL_ORIGIN_LIBRARY);
      sent += send->result;
    }
  g_assert_cmpint (sent, ==, 1 << 20);
  for (guint i = 0; i < sl_test_count_calls (rec, "sink_server.py", NC_CALL_RECV); i++)
    received += MAX (sl_test_find_call (rec, "sink_server.py", NC_CALL_RECV, i)->result, 0);
  g_assert_cmpint (received, ==, 1 << 20);
  g_assert_true (has_console (rec, 1, "total 1048576"));
}

/* selectors.DefaultSelector is epoll on Linux: register () is an
 * epoll_ctl () at its line, and each epoll_wait () names the sockets it
 * waits for, as poll () does */
static void
test_selectors_epoll (void)
{
  g_autofree char *server = test_program ("homework/selectors_server.py");
  g_autofree char *client = test_program ("homework/selectors_clients.py");
  const char *programs[] = { server, client, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  const NcCall *listen = sl_test_find_call (rec, "selectors_server.py", NC_CALL_LISTEN, 0);
  const NcCall *first = sl_test_find_call (rec, "selectors_server.py", NC_CALL_EPOLL_CTL, 0);
  const NcCall *accept = sl_test_find_call (rec, "selectors_server.py", NC_CALL_ACCEPT4, 0);
  const NcCall *conn = sl_test_find_call (rec, "selectors_server.py", NC_CALL_EPOLL_CTL, 1);
  guint n_waits = sl_test_count_calls (rec, "selectors_server.py", NC_CALL_EPOLL_WAIT);
  gboolean waited_for_both = FALSE;
  g_autofree char *text = NULL;

  g_assert_true (has_console (rec, CAP_CONSOLE_STDOUT, "selector: EpollSelector"));
  g_assert_cmpint (first->fd, ==, listen->fd);
  g_assert_cmpint (first->flags, ==, EPOLL_CTL_ADD);
  g_assert_cmpuint (first->value_in, ==, EPOLLIN);
  assert_source (first, server, "sel.register(lsock", NC_CALL_ORIGIN_LIBRARY);
  g_assert_cmpint (conn->fd, ==, accept->result);
  assert_source (conn, server, "sel.register(conn", NC_CALL_ORIGIN_LIBRARY);
  text = nc_call_to_string (conn);
  g_assert_cmpstr (strstr (text, "epoll_ctl("), ==, text);
  g_assert_nonnull (strstr (text, "EPOLL_CTL_ADD, fd="));
  g_assert_nonnull (strstr (text, ", EPOLLIN) = 0"));
  /* each unregister () before close () leaves the set */
  g_assert_cmpuint (sl_test_count_calls (rec, "selectors_server.py", NC_CALL_EPOLL_CTL), ==, 8);
  for (guint i = 0; i < n_waits; i++)
    {
      const NcCall *wait = sl_test_find_call (rec, "selectors_server.py", NC_CALL_EPOLL_WAIT, i);
      const NcFdList *watched = nc_call_get_fds (wait, FALSE, NC_SET_READ);

      g_assert_cmpuint (watched->n, >=, 1);
      g_assert_cmpint (watched->fds[0], ==, listen->fd);
      assert_source (wait, server, "sel.select(", NC_CALL_ORIGIN_LIBRARY);
      for (guint k = 1; k < watched->n; k++)
        waited_for_both |= watched->fds[k] == accept->result;
    }
  g_assert_true (waited_for_both);
  g_assert_true (has_message (rec, "selectors_server.py exited with status 0"));
}

/* socket.sendfile (): the kernel sends a file; the call, its first bytes
 * and the segments that carried them, as for send () */
static void
test_sendfile (void)
{
  g_autofree char *server = test_program ("homework/sendfile_server.py");
  g_autofree char *client = test_program ("homework/sendfile_client.py");
  const char *programs[] = { server, client, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  const NcCall *sendfile = sl_test_find_call (rec, "sendfile_server.py", NC_CALL_SENDFILE, 0);
  const NcCall *accept = sl_test_find_call (rec, "sendfile_server.py", NC_CALL_ACCEPT4, 0);
  guint32 packets[64];
  guint n_packets;
  gint64 carried = 0;

  g_assert_cmpint (sendfile->fd, ==, accept->result);
  g_assert_cmpint (sendfile->result, ==, 95000);
  g_assert_cmpuint (sendfile->data_len, ==, NC_CALL_DATA_MAX);
  g_assert_cmpmem (sendfile->data, 19, "line of the report\n", 19);
  assert_source (sendfile, server, "conn.sendfile", NC_CALL_ORIGIN_PROGRAM);
  n_packets = sl_test_linked_packets (rec, sendfile, CAP_LINK_DATA, packets, G_N_ELEMENTS (packets));
  g_assert_cmpuint (n_packets, >=, 1);
  for (guint i = 0; i < n_packets; i++)
    carried += cap_recording_get_packet (rec, packets[i])->payload_len;
  /* every byte in a segment linked to it (a loaded machine may retransmit
   * one, which is linked too) */
  g_assert_cmpint (carried, >=, 95000);
  g_assert_true (has_console (rec, CAP_CONSOLE_STDOUT, "downloaded 95000 bytes, 5000 lines"));
}

/* socket.socketpair (): both sockets named by the one call, used across a fork */
static void
test_socketpair (void)
{
  g_autofree char *program = test_program ("homework/socketpair_fork.py");
  const char *programs[] = { program, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  const NcCall *pair = sl_test_find_call (rec, "socketpair_fork.py", NC_CALL_SOCKETPAIR, 0);
  const NcCall *send = sl_test_find_call (rec, "socketpair_fork.py", NC_CALL_SEND, 0);
  g_autofree char *text = nc_call_to_string (pair);

  g_assert_cmpint (pair->result, ==, 0);
  g_assert_cmpint (pair->domain, ==, AF_UNIX);
  g_assert_cmpint (pair->type & 0xf, ==, SOCK_STREAM);
  assert_source (pair, program, "= socket.socketpair()", NC_CALL_ORIGIN_PROGRAM);
  g_assert_cmpint (send->fd, ==, pair->fd);
  g_autofree char *expected = g_strdup_printf ("socketpair(AF_UNIX, SOCK_STREAM, 0) = 0 [%d, %d]",
                                               pair->fd, (int) pair->value_in);
  g_assert_cmpstr (text, ==, expected);
  g_assert_true (has_console (rec, CAP_CONSOLE_STDOUT, "b'ping -> pong'"));
}

/* A program's stdout is a terminal: a line it has begun (print (...,
 * end=' ') before accept ()) is not cut by the line a forked child prints
 * meanwhile, as in the terminal the student ran it in */
static void
test_console_lines_whole (void)
{
  g_autofree char *program = test_program ("waiting_forking_server.py");
  const char *programs[] = { program, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  guint n_stdout = 0;

  for (guint i = 0; i < cap_recording_get_n_console_lines (rec); i++)
    if (cap_recording_get_console_line (rec, i)->stream == CAP_CONSOLE_STDOUT)
      n_stdout++;
  g_assert_true (has_console (rec, CAP_CONSOLE_STDOUT, "client: the server is waiting, I connect"));
  g_assert_true (has_console (rec, CAP_CONSOLE_STDOUT, "Waiting for a client ... connected"));
  g_assert_false (has_console (rec, CAP_CONSOLE_STDOUT, "... client:"));
  g_assert_cmpuint (n_stdout, ==, 2);
  g_assert_true (has_message (rec, "waiting_forking_server.py exited with status 0"));
}

/* input (): a traced program has no keyboard. "client.py < lines.txt"
 * gives it lines from a file, as a shell would; with none, the run says
 * why input () got end of file and how to give it lines */
static void
test_input_from_file (void)
{
  g_autofree char *server = test_program ("homework/udp_print_server.py");
  g_autofree char *client = test_program ("homework/input_client.py");
  g_autofree char *dir = g_dir_make_tmp ("socklens-input-XXXXXX", NULL);
  g_autofree char *lines = g_build_filename (dir, "lines.txt", NULL);
  g_autofree char *spec = g_strdup_printf ("%s < '%s'", client, lines);
  const char *programs[] = { server, spec, NULL };
  const char *alone[] = { client, NULL };
  g_autoptr(CapRecording) rec = NULL;
  g_autoptr(CapRecording) eof = NULL;
  const NcCall *send;

  g_assert_true (g_file_set_contents (lines, "hello\n你好\nbye\n", -1, NULL));
  rec = trace_ok (programs);
  g_assert_cmpuint (sl_test_count_calls (rec, "input_client.py", NC_CALL_SENDTO), ==, 3);
  send = sl_test_find_call (rec, "input_client.py", NC_CALL_SENDTO, 1);
  g_assert_cmpmem (send->data, send->data_len, "你好", strlen ("你好"));
  assert_source (send, client, "s.sendto", NC_CALL_ORIGIN_PROGRAM);
  g_assert_true (has_console (rec, CAP_CONSOLE_STDOUT, "sent 你好"));
  g_assert_true (has_console (rec, CAP_CONSOLE_STDOUT, "收到 bye"));
  g_assert_true (has_message (rec, "input_client.py read all of"));
  g_assert_true (has_message (rec, "udp_print_server.py exited with status 0"));

  eof = trace_ok (alone);
  g_assert_cmpuint (sl_test_count_calls (eof, "input_client.py", NC_CALL_SENDTO), ==, 0);
  g_assert_true (has_console (eof, CAP_CONSOLE_EXIT, "input_client.py called input(), but a "
                                                     "traced program has no keyboard"));
  g_assert_true (has_message (eof, "\"input_client.py < lines.txt\""));
  g_unlink (lines);
  g_rmdir (dir);
}

/* Sockets the program drops: the collector closes them at the line that
 * dropped them, and the getsockname () of the ResourceWarning's text
 * (socket.py's __repr__ ()) is Python's, not the program's */
static void
test_garbage_collected (void)
{
  g_autofree char *program = test_program ("homework/gc_close.py");
  const char *programs[] = { program, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  guint del_line = sl_test_line_of (program, "del conn");
  guint n_names = sl_test_count_calls (rec, "gc_close.py", NC_CALL_GETSOCKNAME);
  gboolean closed_at_del = FALSE, named_at_del = FALSE;

  for (guint i = 0; i < n_names; i++)
    {
      const NcCall *call = sl_test_find_call (rec, "gc_close.py", NC_CALL_GETSOCKNAME, i);
      if (call->line != del_line)
        continue;
      assert_source (call, program, "del conn", NC_CALL_ORIGIN_LIBRARY);
      g_assert_nonnull (strstr (call->stack, "__repr__ (socket.py:"));
      named_at_del = TRUE;
    }
  for (guint i = 0; i < sl_test_count_calls (rec, "gc_close.py", NC_CALL_CLOSE); i++)
    {
      const NcCall *call = sl_test_find_call (rec, "gc_close.py", NC_CALL_CLOSE, i);
      if (call->line == del_line)
        {
          assert_source (call, program, "del conn", NC_CALL_ORIGIN_PROGRAM);
          closed_at_del = TRUE;
        }
    }
  g_assert_true (named_at_del);
  g_assert_true (closed_at_del);
  g_assert_true (has_console (rec, CAP_CONSOLE_STDERR, "ResourceWarning: unclosed <socket.socket"));
  g_assert_true (has_console (rec, CAP_CONSOLE_STDOUT, "end"));
}

/* Socket options by name, as strace writes them; one with no name is its
 * number, and its error is named */
static void
test_socket_options (void)
{
  g_autofree char *program = test_program ("homework/sockopts.py");
  const char *programs[] = { program, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  const NcCall *type = sl_test_find_call (rec, "sockopts.py", NC_CALL_GETSOCKOPT, 3);
  const NcCall *broadcast = sl_test_find_call (rec, "sockopts.py", NC_CALL_SETSOCKOPT, 4);
  const NcCall *bad = sl_test_find_call (rec, "sockopts.py", NC_CALL_SETSOCKOPT, 5);
  g_autofree char *type_text = nc_call_to_string (type);
  g_autofree char *bad_text = nc_call_to_string (bad);

  assert_source (type, program, "socket.SO_TYPE", NC_CALL_ORIGIN_PROGRAM);
  g_assert_cmpstr (type_text, ==, "getsockopt(fd=3, SOL_SOCKET, SO_TYPE) = 0, value 1");
  g_assert_cmpstr (broadcast->text, ==, "SOL_SOCKET, SO_BROADCAST");
  assert_source (bad, program, "9999", NC_CALL_ORIGIN_PROGRAM);
  g_assert_cmpint (bad->err, ==, ENOPROTOOPT);
  g_assert_cmpstr (bad_text, ==, "setsockopt(fd=3, SOL_SOCKET, 9999, 1) = -1 ENOPROTOOPT "
                                 "(Protocol not available)");
  g_assert_true (has_console (rec, CAP_CONSOLE_STDOUT, "bad option: [Errno 92]"));
}

/* asyncio streams: the loop's calls (epoll, non-blocking connect ()) are
 * the library's at the program's await lines; a poll that does not wait
 * (timeout 0) is told from one that waits for ever (None) */
static void
test_asyncio_streams (void)
{
  g_autofree char *server = test_program ("homework/async_echo_server.py");
  g_autofree char *client = test_program ("homework/async_echo_client.py");
  const char *programs[] = { server, client, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  const NcCall *connect = sl_test_find_call (rec, "async_echo_client.py", NC_CALL_CONNECT, 0);
  const NcCall *send = sl_test_find_call (rec, "async_echo_client.py", NC_CALL_SEND, 0);
  const NcCall *listen = sl_test_find_call (rec, "async_echo_server.py", NC_CALL_LISTEN, 0);
  guint n_waits = sl_test_count_calls (rec, "async_echo_server.py", NC_CALL_EPOLL_WAIT);
  gboolean no_wait = FALSE, watched_listener = FALSE;

  assert_source (connect, client, "asyncio.open_connection", NC_CALL_ORIGIN_LIBRARY);
  g_assert_cmpint (connect->err, ==, EINPROGRESS);
  assert_source (send, client, "writer.write", NC_CALL_ORIGIN_LIBRARY);
  for (guint i = 0; i < n_waits; i++)
    {
      const NcCall *wait = sl_test_find_call (rec, "async_echo_server.py", NC_CALL_EPOLL_WAIT, i);
      const NcFdList *watched = nc_call_get_fds (wait, FALSE, NC_SET_READ);
      g_autofree char *text = nc_call_to_string (wait);

      if (wait->timeout_ns == 0 && wait->result == 0)
        {
          g_assert_nonnull (strstr (text, ", 0 s) = 0"));
          no_wait = TRUE;
        }
      for (guint k = 0; k < watched->n; k++)
        watched_listener |= watched->fds[k] == listen->fd;
    }
  g_assert_true (no_wait);
  g_assert_true (watched_listener);
  g_assert_true (has_console (rec, CAP_CONSOLE_STDOUT, "alice got HELLO FROM ALICE"));
  g_assert_true (has_console (rec, CAP_CONSOLE_STDOUT, "served 2"));
}

/* sendmsg ()/recvmsg () on UDP name the other end, as sendto ()/recvfrom () */
static void
test_sendmsg_addresses (void)
{
  g_autofree char *program = test_program ("homework/recv_into.py");
  const char *programs[] = { program, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  const NcCall *sendmsg = sl_test_find_call (rec, "recv_into.py", NC_CALL_SENDMSG, 0);
  const NcCall *recvmsg = sl_test_find_call (rec, "recv_into.py", NC_CALL_RECVMSG, 0);
  g_autofree char *sent = nc_call_to_string (sendmsg);
  g_autofree char *received = nc_call_to_string (recvmsg);

  assert_source (sendmsg, program, "b.sendmsg", NC_CALL_ORIGIN_PROGRAM);
  g_assert_cmpstr (sent, ==, "sendmsg(fd=4, b\"two parts\" (9 bytes), 127.0.0.1:50123) = 9");
  g_assert_true (g_str_has_prefix (received, "recvmsg(fd=3, 100) = 9 b\"two parts\" from 127.0.0.1:"));
}

/* A program killed by a signal: what it did until then stays */
static void
test_crash (void)
{
  g_autofree char *server = test_program ("silent_server.py");
  g_autofree char *client = test_program ("crash_client.py");
  const char *programs[] = { server, client, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CapRecording) rec = trace_full (programs, TIMEOUT_S, &error);
  const NcCall *send = sl_test_find_call (rec, "crash_client.py", NC_CALL_SEND, 0);

  g_assert_cmpint (send->result, ==, 10);
  g_assert_true (has_message (rec, "crash_client.py was killed by signal 11"));
  /* what it sent before dying arrived: the kernel had it */
  g_assert_cmpint (sl_test_find_call (rec, "silent_server.py", NC_CALL_RECV, 0)->result, ==, 10);
  g_assert_true (has_message (rec, "silent_server.py exited with status 0"));
}

/* An uncaught exception leaves a socket open: Python closes it at exit,
 * with no line of the program running; those calls say so, not an address
 * inside the interpreter */
static void
test_left_open_at_exit (void)
{
  g_autofree char *program = test_program ("traceback_client.py");
  const char *programs[] = { program, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  const NcCall *connect = sl_test_find_call (rec, "traceback_client.py", NC_CALL_CONNECT, 0);
  const NcCall *close = sl_test_find_call (rec, "traceback_client.py", NC_CALL_CLOSE, 0);

  g_assert_cmpint (connect->err, ==, ECONNREFUSED);
  assert_source (connect, program, "s.connect", NC_CALL_ORIGIN_PROGRAM);
  g_assert_cmpint (close->fd, ==, connect->fd);
  g_assert_cmpint (close->result, ==, 0);
  g_assert_null (close->file);
  g_assert_cmpint (close->origin, ==, NC_CALL_ORIGIN_LIBRARY);
  g_assert_cmpstr (close->stack, ==, "python3 at exit (a socket the program left open)");
  g_assert_true (has_message (rec, "traceback_client.py exited with status 1"));
}

/* The same server twice: the second finds the port taken. It has a name
 * of its own, so its failed bind(), its traceback and its end are not
 * taken for the first one's, which serves the client */
static void
test_port_in_use (void)
{
  g_autofree char *server = test_program ("silent_server.py");
  g_autofree char *client = test_program ("crash_client.py");
  const char *programs[] = { server, server, client, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CapRecording) rec = trace_full (programs, TIMEOUT_S, &error);
  const NcCall *bind = sl_test_find_call (rec, "silent_server.py (2)", NC_CALL_BIND, 0);
  const NcCall *recv = sl_test_find_call (rec, "silent_server.py", NC_CALL_RECV, 0);
  gboolean traceback = FALSE;

  g_assert_no_error (error);
  g_assert_cmpint (bind->result, ==, -1);
  g_assert_cmpint (bind->err, ==, EADDRINUSE);
  assert_source (bind, server, "s.bind", NC_CALL_ORIGIN_PROGRAM);
  g_assert_cmpint (recv->result, ==, 10);
  for (guint i = 0; i < cap_recording_get_n_console_lines (rec); i++)
    {
      const CapConsoleLine *line = cap_recording_get_console_line (rec, i);
      if (strstr (line->text, "Address already in use") != NULL)
        {
          g_assert_cmpstr (cap_recording_get_actor (rec, line->actor)->name, ==,
                           "silent_server.py (2)");
          traceback = TRUE;
        }
    }
  g_assert_true (traceback);
  g_assert_true (has_message (rec, "silent_server.py (2) exited with status 1"));
  g_assert_true (has_message (rec, "silent_server.py exited with status 0"));
}

/* An address outside the lab: the kernel's error on the call; no packet */
static void
test_outside_address (void)
{
  g_autofree char *program = test_program ("outside.py");
  const char *programs[] = { program, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  const NcCall *connect = sl_test_find_call (rec, "outside.py", NC_CALL_CONNECT, 0);

  g_assert_cmpint (connect->result, ==, -1);
  g_assert_cmpint (connect->err, ==, ENETUNREACH);
  g_assert_cmpstr (connect->peer, ==, "192.0.2.1:80");
  g_assert_cmpuint (cap_recording_get_n_packets (rec), ==, 0);
}

static void
test_syntax_error (void)
{
  g_autofree char *program = test_program ("syntax_error.py");
  const char *programs[] = { program, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);

  g_assert_true (has_console (rec, 2, "SyntaxError"));
  g_assert_true (has_message (rec, "syntax_error.py exited with status 1"));
  g_assert_cmpuint (cap_recording_get_n_calls (rec), ==, 0);
}

/* Never ends: the time limit stops it and keeps its calls */
static void
test_time_limit (void)
{
  g_autofree char *program = test_program ("never_ends.py");
  const char *programs[] = { program, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CapRecording) rec = trace_full (programs, 2, &error);
  const NcCall *accept = sl_test_find_call (rec, "never_ends.py", NC_CALL_ACCEPT4, 0);

  g_assert_error (error, CAP_LAB_ERROR, CAP_LAB_ERROR_STOPPED);
  g_assert_nonnull (strstr (error->message, "time limit (2 s)"));
  g_assert_true (nc_call_in_progress (accept));
  g_assert_true (has_message (rec, "never_ends.py was still running at the end and was stopped"));
}

/* The parent of process @pid (/proc/PID/stat), or 0 */
static GPid
parent_of (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *end;

  /* "PID (comm) S PPID ...": the comm may hold spaces and parentheses */
  if (!g_file_get_contents (path, &stat, NULL, NULL) || (end = strrchr (stat, ')')) == NULL)
    return 0;
  return (GPid) g_ascii_strtoll (end + 4, NULL, 10);
}

/* Whether @pid was started by @ancestor, or by one of its descendants: another
 * test of the same program may run on the machine at the same time */
static gboolean
descends_from (GPid pid,
               GPid ancestor)
{
  for (guint depth = 0; pid > 1 && depth < 64; depth++)
    {
      pid = parent_of (pid);
      if (pid == ancestor)
        return TRUE;
    }
  return FALSE;
}

/* Whether a process that @ancestor started, whose command line holds
 * @needle, has its main thread in the system call @nr (the kernel says so:
 * /proc/PID/syscall) */
static gboolean
process_in_syscall (GPid        ancestor,
                    const char *needle,
                    long        nr)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *cmdline_path = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree char *syscall_path = g_build_filename ("/proc", name, "syscall", NULL);
      g_autofree char *cmdline = NULL, *syscall_text = NULL;
      gsize len = 0;

      if (!g_ascii_isdigit (name[0]) ||
          !g_file_get_contents (cmdline_path, &cmdline, &len, NULL) || len == 0)
        continue;
      for (gsize i = 0; i + 1 < len; i++)
        if (cmdline[i] == '\0')
          cmdline[i] = ' ';
      if (strstr (cmdline, needle) == NULL || strstr (cmdline, "socklens") != NULL ||
          !descends_from ((GPid) g_ascii_strtoll (name, NULL, 10), ancestor))
        continue;
      if (g_file_get_contents (syscall_path, &syscall_text, NULL, NULL) &&
          g_ascii_strtoll (syscall_text, NULL, 10) == nr)
        return TRUE;
    }
  return FALSE;
}

static void
new_process_group (gpointer data)
{
  setpgid (0, 0);
}

/* Ctrl+C: the run ends, what it recorded is printed and saved, status 130 */
static void
test_interrupt (void)
{
  g_autofree char *program = test_program ("never_ends.py");
  g_autofree char *dir = g_dir_make_tmp ("socklens-trace-XXXXXX", NULL);
  g_autofree char *output = g_build_filename (dir, "run.pcapng", NULL);
  g_autofree char *socklens = g_build_filename (BUILD_APPDIR, "socklens", NULL);
  const char *argv[] = { socklens, "trace", program, "--output", output, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CapRecording) rec = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  GPid pid;
  int status;

  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
                                G_SPAWN_STDERR_TO_DEV_NULL, new_process_group, NULL, &pid,
                                &error));
  g_assert_no_error (error);
  /* the program waits in accept4() (288) in the kernel: then the key is pressed */
  while (!process_in_syscall (pid, "never_ends.py", 288))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * 1000);  /* polling the kernel's state, not waiting for time to pass */
    }
  g_assert_cmpint (kill (-pid, SIGINT), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 130);

  rec = cap_recording_new_from_file (output, &error);
  g_assert_no_error (error);
  g_assert_true (nc_call_in_progress (sl_test_find_call (rec, "never_ends.py", NC_CALL_ACCEPT4, 0)));
  g_assert_true (has_message (rec, "never_ends.py was still running at the end and was stopped"));
  g_unlink (output);
  g_rmdir (dir);
}

/* Index of the first line of @lines holding @needle; fails if none */
static guint
line_with (char      **lines,
           const char *needle,
           const char *text)
{
  for (guint l = 0; lines[l] != NULL; l++)
    if (strstr (lines[l], needle) != NULL)
      return l;
  g_error ("no line with “%s” in:\n%s", needle, text);
}

/* What `socklens trace` prints as the run goes: a program's output between
 * the calls it came between, how each program ended (killed, exit status),
 * and a run of console lines only counts from its first line */
static void
test_cli_console_and_ends (void)
{
  g_autofree char *dies = test_program ("talks_then_dies.py");
  g_autofree char *syntax = test_program ("syntax_error.py");
  g_autofree char *socklens = g_build_filename (BUILD_APPDIR, "socklens", NULL);
  const char *argv[] = { socklens, "trace", dies, NULL };
  const char *syntax_argv[] = { socklens, "trace", syntax, NULL };
  g_autofree char *text = run_tool (argv);
  g_autofree char *syntax_text = run_tool (syntax_argv);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_auto (GStrv) syntax_lines = g_strsplit (syntax_text, "\n", -1);
  guint sendto = line_with (lines, "sendto(fd=3, b\"last words\"", text);
  guint printed = line_with (lines, "talks_then_dies.py (stdout)  after sendto", text);
  guint close = line_with (lines, "close(fd=3)", text);
  guint killed = line_with (lines, "# talks_then_dies.py was killed by signal 9", text);
  guint error = line_with (syntax_lines, "syntax_error.py (stderr)  SyntaxError", syntax_text);

  g_assert_cmpuint (sendto, <, printed);
  g_assert_cmpuint (printed, <, close);  /* 0.1 s apart */
  g_assert_cmpuint (close, <, killed);
  g_assert_true (g_str_has_prefix (syntax_lines[error], "+0.0"));
  line_with (syntax_lines, "# syntax_error.py exited with status 1.", syntax_text);
}

static void
add_returned_call (CapRecording *rec,
                   guint32       id,
                   NcCallKind    kind,
                   gint64        start)
{
  NcCall c;

  memset (&c, 0, sizeof c);
  c.id = id;
  c.kind = kind;
  c.pid = c.tid = 100;
  c.fd = 3;
  c.ts_gate = c.ts_start = start;
  c.ts_end = start + 100;
  c.result = kind == NC_CALL_SOCKET ? 3 : 0;
  c.timeout_ns = -1;
  c.domain = AF_INET;
  c.type = SOCK_DGRAM;
  cap_recording_add_call (rec, &c, NC_CALL_PHASE_ENTER);
  cap_recording_add_call (rec, &c, NC_CALL_PHASE_RETURN);
}

/* The live printer, given one batch: a console line printed between two
 * calls stands between them, not after the batch; how the program ended
 * is printed; a run of console lines only counts from its first line */
static void
test_live_text_order (void)
{
  g_autoptr(CapRecording) rec = cap_recording_new ();
  g_autoptr(CapRecording) only_console = cap_recording_new ();
  NcActorInfo actor = { 0, 100, g_intern_static_string ("prog.py"),
                        g_intern_static_string ("program"), NULL };
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) console_text = g_string_new (NULL);
  const gint64 t0 = G_GINT64_CONSTANT (1700000000000000000);
  CapTextProgress progress;
  const char *socket_line, *between, *close_line, *message;

  cap_recording_add_actor (rec, &actor);
  add_returned_call (rec, 0, NC_CALL_SOCKET, t0);
  cap_recording_add_console (rec, t0 + 1000, 0, CAP_CONSOLE_STDOUT, "between");
  add_returned_call (rec, 1, NC_CALL_CLOSE, t0 + 2000);
  cap_recording_add_console (rec, t0 + 3000, 0, CAP_CONSOLE_EXIT,
                             "prog.py was killed by signal 9 (Killed)");
  cap_recording_commit (rec);
  cap_text_progress_init (&progress);
  cap_recording_format_progress_end (rec, &progress, text);
  cap_text_progress_clear (&progress);
  socket_line = strstr (text->str, "socket(");
  between = strstr (text->str, "prog.py (stdout)  between");
  close_line = strstr (text->str, "close(fd=3)");
  message = strstr (text->str, "# prog.py was killed by signal 9 (Killed)");
  g_assert_true (socket_line != NULL && between != NULL && close_line != NULL && message != NULL);
  g_assert_true (socket_line < between && between < close_line && close_line < message);

  cap_recording_add_actor (only_console, &actor);
  cap_recording_add_console (only_console, t0, 0, CAP_CONSOLE_STDERR, "SyntaxError");
  cap_recording_commit (only_console);
  cap_text_progress_init (&progress);
  cap_recording_format_progress_end (only_console, &progress, console_text);
  cap_text_progress_clear (&progress);
  g_assert_true (g_str_has_prefix (console_text->str, "+0.000000  prog.py (stderr)  SyntaxError"));
}

/* A select() chat server, as students write one: each select() has the
 * program's line, the fds it watched and those it found ready; the
 * listening socket ready links to the ACK that completed a handshake, a
 * user's socket to the segment of the message; what one user sent reaches
 * the other */
static void
test_select_chat (void)
{
  g_autofree char *server = test_program ("chat_server.py");
  g_autofree char *clients = test_program ("chat_clients.py");
  const char *programs[] = { server, clients, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  const NcCall *first = sl_test_find_call (rec, "chat_server.py", NC_CALL_SELECT, 0);
  const NcCall *accept = sl_test_find_call (rec, "chat_server.py", NC_CALL_ACCEPT4, 0);
  const NcCall *sendall = sl_test_find_call (rec, "chat_clients.py", NC_CALL_SEND, 0);
  const NcFdList *watched = nc_call_get_fds (first, FALSE, 0);
  const NcFdList *ready = nc_call_get_fds (first, TRUE, 0);
  gboolean message_ready = FALSE;
  guint n_links = 0;
  const CapLink *links = cap_recording_get_call_links (rec, first->id, &n_links);
  guint32 segment[4];

  assert_source (first, server, "select.select(", NC_CALL_ORIGIN_PROGRAM);
  g_assert_cmpint (first->result, ==, 1);
  g_assert_cmpuint (watched->n, ==, 1);
  g_assert_cmpuint (ready->n, ==, 1);
  g_assert_cmpint (ready->fds[0], ==, accept->fd);
  /* ready because a handshake completed: linked to a packet of it */
  g_assert_cmpuint (n_links, >=, 1);
  g_assert_cmpint (links[0].kind, ==, CAP_LINK_READY);
  g_assert_cmpint (links[0].fd, ==, accept->fd);

  /* the select() that woke for 小明's message links to its segment */
  g_assert_cmpuint (sl_test_linked_packets (rec, sendall, CAP_LINK_DATA, segment, 4), ==, 1);
  for (guint i = 0; i < cap_recording_get_n_calls (rec); i++)
    {
      const NcCall *call = cap_recording_get_call (rec, i);
      guint32 packet[4];
      guint n = call->kind == NC_CALL_SELECT
                  ? sl_test_linked_packets (rec, call, CAP_LINK_READY, packet, 4) : 0;

      for (guint k = 0; k < n; k++)
        message_ready |= packet[k] == segment[0];
    }
  g_assert_true (message_ready);
  g_assert_true (has_console (rec, CAP_CONSOLE_STDOUT, "小明: 嗨"));
  g_assert_true (has_console (rec, CAP_CONSOLE_STDOUT, "小華: 你好"));
  g_assert_true (has_message (rec, "chat_server.py exited with status 0"));
}

/* recv (MSG_PEEK) reads bytes that stay queued: the receive after it reads
 * them again, so both link to the segment (or datagram) that carried them,
 * and the text names the flag */
static void
test_peek (void)
{
  g_autofree char *server = test_program ("peek_server.py");
  g_autofree char *client = test_program ("peek_client.py");
  const char *programs[] = { server, client, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  g_autoptr(GString) text = g_string_new (NULL);
  const NcCall *sendto = sl_test_find_call (rec, "peek_client.py", NC_CALL_SENDTO, 0);
  const NcCall *udp_peek = sl_test_find_call (rec, "peek_server.py", NC_CALL_RECVFROM, 0);
  const NcCall *udp_take = sl_test_find_call (rec, "peek_server.py", NC_CALL_RECVFROM, 1);
  guint32 sent[4], peeked[4], read[4];

  /* each message: its send, the peek at its length, the read of all of it */
  for (guint m = 0; m < 2; m++)
    {
      const NcCall *send = sl_test_find_call (rec, "peek_client.py", NC_CALL_SEND, m);
      const NcCall *peek = sl_test_find_call (rec, "peek_server.py", NC_CALL_RECV, 2 * m);
      const NcCall *whole = sl_test_find_call (rec, "peek_server.py", NC_CALL_RECV, 2 * m + 1);

      g_assert_cmpint (peek->result, ==, 4);
      g_assert_cmpint (whole->result, ==, send->result);
      assert_source (peek, server, "socket.MSG_PEEK)", NC_CALL_ORIGIN_PROGRAM);
      g_assert_cmpuint (sl_test_linked_packets (rec, send, CAP_LINK_DATA, sent, 4), ==, 1);
      g_assert_cmpuint (sl_test_linked_packets (rec, peek, CAP_LINK_DATA, peeked, 4), ==, 1);
      g_assert_cmpuint (sl_test_linked_packets (rec, whole, CAP_LINK_DATA, read, 4), ==, 1);
      g_assert_cmpuint (peeked[0], ==, sent[0]);
      g_assert_cmpuint (read[0], ==, sent[0]);
    }

  g_assert_cmpint (udp_peek->result, ==, 12);
  g_assert_cmpint (udp_take->result, ==, 12);
  g_assert_cmpuint (sl_test_linked_packets (rec, sendto, CAP_LINK_DATA, sent, 4), ==, 1);
  g_assert_cmpuint (sl_test_linked_packets (rec, udp_peek, CAP_LINK_DATA, peeked, 4), ==, 1);
  g_assert_cmpuint (sl_test_linked_packets (rec, udp_take, CAP_LINK_DATA, read, 4), ==, 1);
  g_assert_cmpuint (peeked[0], ==, sent[0]);
  g_assert_cmpuint (read[0], ==, sent[0]);

  cap_recording_format_timeline (rec, text);
  g_assert_nonnull (strstr (text->str, ", 4, MSG_PEEK)"));
  g_assert_nonnull (strstr (text->str, ", 9, MSG_WAITALL)"));
  g_assert_nonnull (strstr (text->str, ", 100, MSG_PEEK)"));
}

/* A program that starts others (subprocess, which closes every fd but its
 * own in them before exec): they are traced too, under their own names,
 * with their own files' lines, their packets linked */
static void
test_subprocess (void)
{
  g_autofree char *launcher = test_program ("launcher.py");
  g_autofree char *server = g_test_build_filename (G_TEST_DIST, "trace", "作業 3", "伺服器.py",
                                                   NULL);
  g_autofree char *client = g_test_build_filename (G_TEST_DIST, "trace", "作業 3", "客戶端.py",
                                                   NULL);
  const char *programs[] = { launcher, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  const NcCall *accept = sl_test_find_call (rec, "伺服器.py (from launcher.py)", NC_CALL_ACCEPT4, 0);
  const NcCall *connect = sl_test_find_call (rec, "客戶端.py (from launcher.py)", NC_CALL_CONNECT, 0);
  const NcCall *recv = sl_test_find_call (rec, "客戶端.py (from launcher.py)", NC_CALL_RECV, 0);
  guint32 handshake[4];

  assert_source (accept, server, "s.accept", NC_CALL_ORIGIN_PROGRAM);
  assert_source (connect, client, "c.connect", NC_CALL_ORIGIN_PROGRAM);
  g_assert_cmpint (connect->result, ==, 0);
  g_assert_cmpint (recv->result, ==, strlen ("你好，同學！"));
  g_assert_cmpuint (sl_test_linked_packets (rec, connect, CAP_LINK_HANDSHAKE, handshake, 4), ==, 3);
  g_assert_true (has_console (rec, CAP_CONSOLE_STDOUT, "both done 0 0"));
  g_assert_true (has_message (rec, "launcher.py exited with status 0"));
}

/* A student's folder with a space and Chinese in its name: each path is
 * one program (not split at the space), its calls carry its own lines and
 * its Chinese output arrives whole */
static void
test_folder_with_spaces (void)
{
  g_autofree char *server = g_test_build_filename (G_TEST_DIST, "trace", "作業 3", "伺服器.py",
                                                   NULL);
  g_autofree char *client = g_test_build_filename (G_TEST_DIST, "trace", "作業 3", "客戶端.py",
                                                   NULL);
  const char *programs[] = { server, client, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  const NcCall *accept = sl_test_find_call (rec, "伺服器.py", NC_CALL_ACCEPT4, 0);
  const NcCall *connect = sl_test_find_call (rec, "客戶端.py", NC_CALL_CONNECT, 0);
  const NcCall *recv = sl_test_find_call (rec, "客戶端.py", NC_CALL_RECV, 0);

  assert_source (accept, server, "s.accept", NC_CALL_ORIGIN_PROGRAM);
  assert_source (connect, client, "c.connect", NC_CALL_ORIGIN_PROGRAM);
  g_assert_true (g_str_has_suffix (accept->file, "/作業 3/伺服器.py"));
  g_assert_cmpint (connect->result, ==, 0);
  g_assert_cmpint (recv->result, ==, strlen ("你好，同學！"));
  g_assert_true (has_console (rec, CAP_CONSOLE_STDOUT, "收到: 你好，同學！"));
  g_assert_true (has_console (rec, CAP_CONSOLE_STDOUT, "連線來自 ('127.0.0.1',"));
  g_assert_true (has_message (rec, "客戶端.py exited with status 0"));
}

/* The client named before the server: the client is refused and ends, the
 * server then waits in accept() with no program left to connect to it. The
 * run ends there, saying so, instead of at the time limit */
static void
test_server_named_last (void)
{
  g_autofree char *server = example ("tcp_server.py");
  g_autofree char *client = example ("tcp_client.py");
  const char *programs[] = { client, server, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(CapRecording) rec = trace_full (programs, 20, &error);
  const NcCall *connect = sl_test_find_call (rec, "tcp_client.py", NC_CALL_CONNECT, 0);
  const NcCall *accept = sl_test_find_call (rec, "tcp_server.py", NC_CALL_ACCEPT4, 0);

  g_assert_no_error (error);
  g_assert_cmpint (connect->err, ==, ECONNREFUSED);
  g_assert_true (nc_call_in_progress (accept));
  /* its end says why, and what to do: in the messages and its console */
  g_assert_true (has_message (rec, "tcp_server.py waited in accept() and no program was left to "
                                   "connect to it, so the run ended there"));
  g_assert_true (has_console (rec, CAP_CONSOLE_EXIT, "name the server first"));
}

/* A command line with no .py file ("python3 -c ...") is named after what
 * it runs, not "(null)" */
static void
test_python_command (void)
{
  const char *programs[] = {
    "python3 -c \"import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
    ".sendto(b'x', ('127.0.0.1', 9))\"", NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  const NcCall *sendto = sl_test_find_call (rec, "python3 -c", NC_CALL_SENDTO, 0);

  g_assert_cmpint (sendto->result, ==, 1);
  g_assert_true (has_message (rec, "python3 -c exited with status 0"));
}

static void
test_missing_file (void)
{
  const char *programs[] = { "/nonexistent/server.py", NULL };
  g_autoptr(GError) error = NULL;
  CapRecording *rec = NULL;

  g_assert_false (cap_lab_trace_sync (SL_TEST_LAB, programs, 5, FALSE, &rec, NULL, &error));
  g_assert_nonnull (error);
  g_clear_object (&rec);
}

static void
test_not_executable (void)
{
  g_autofree char *dir = g_dir_make_tmp ("socklens-trace-XXXXXX", NULL);
  g_autofree char *program = g_build_filename (dir, "client", NULL);
  const char *programs[] = { program, NULL };
  g_autoptr(GError) error = NULL;
  CapRecording *rec = NULL;

  g_assert_true (g_file_set_contents (program, "#!/bin/sh\n", -1, NULL));  /* mode 0644 */
  g_assert_false (cap_lab_trace_sync (SL_TEST_LAB, programs, 5, FALSE, &rec, NULL, &error));
  g_assert_nonnull (error);
  g_clear_object (&rec);
  g_unlink (program);
  g_rmdir (dir);
}

/* A statically linked program: said so; it still runs */
/* A dynamically linked C program: its own calls are the program's (they
 * wait at the step gate), named by its file and offset, not the library's */
static void
test_c_program (void)
{
  const char *programs[] = { SL_TEST_C_CLIENT, NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);
  const NcCall *sendto = sl_test_find_call (rec, "trace-c-client", NC_CALL_SENDTO, 0);
  const NcCall *close = sl_test_find_call (rec, "trace-c-client", NC_CALL_CLOSE, 0);

  g_assert_cmpint (sendto->result, ==, 6);
  g_assert_cmpstr (sendto->peer, ==, "127.0.0.1:50034");
  g_assert_cmpint (sendto->origin, ==, NC_CALL_ORIGIN_PROGRAM);
  g_assert_cmpint (close->origin, ==, NC_CALL_ORIGIN_PROGRAM);
  g_assert_cmpstr (sendto->file, ==, SL_TEST_C_CLIENT);
  g_assert_true (g_str_has_prefix (sendto->stack, "trace-c-client+0x"));
  g_assert_true (has_message (rec, "trace-c-client exited with status 0"));
}

static void
test_static_binary (void)
{
  const char *programs[] = { "/sbin/ldconfig --version", NULL };
  g_autoptr(CapRecording) rec = trace_ok (programs);

  g_assert_true (has_message (rec, "ldconfig is statically linked"));
  g_assert_true (has_console (rec, 1, "ldconfig"));
}

/* --step: each step releases exactly one of the program's calls */
typedef struct
{
  CapLab    *lab;
  GMainLoop *loop;
  GArray    *seen;
  guint      steps;
  guint      returned_at_step[64];
  gboolean   finished;
} Stepper;

static guint
returned_program_calls (CapRecording *rec)
{
  guint n = 0;

  for (guint i = 0; i < cap_recording_get_n_calls (rec); i++)
    {
      const NcCall *call = cap_recording_get_call (rec, i);
      if (call->ts_end != 0 && call->origin == NC_CALL_ORIGIN_PROGRAM)
        n++;
    }
  return n;
}

static void
on_step_changed (CapLab  *lab,
                 Stepper *s)
{
  GArray *waiters = cap_lab_get_waiters (lab);

  if (waiters->len == 0 || s->steps >= G_N_ELEMENTS (s->returned_at_step) ||
      nc_gate_waiters_equal (waiters, s->seen))
    return;
  g_array_set_size (s->seen, 0);
  g_array_append_vals (s->seen, waiters->data, waiters->len);
  /* A new waiter: everything before it has returned. */
  s->returned_at_step[s->steps++] = returned_program_calls (cap_lab_get_recording (lab));
  g_assert_true (cap_lab_step (lab));
}

static void
on_step_finished (CapLab  *lab,
                  Stepper *s)
{
  s->finished = TRUE;
  g_main_loop_quit (s->loop);
}

static void
test_step (void)
{
  g_autofree char *program = example ("names_and_bytes.py");
  const char *programs[] = { program, NULL };
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(CapLab) lab = cap_lab_new (SL_TEST_LAB);
  g_autoptr(GError) error = NULL;
  Stepper s = { .lab = lab };
  guint total;

  s.seen = g_array_new (FALSE, FALSE, sizeof (NcGateWaiter));
  g_main_context_push_thread_default (context);
  s.loop = g_main_loop_new (context, FALSE);
  g_signal_connect (lab, "changed", G_CALLBACK (on_step_changed), &s);
  g_signal_connect (lab, "finished", G_CALLBACK (on_step_finished), &s);
  cap_lab_set_trace (lab, programs, TIMEOUT_S);
  g_assert_true (cap_lab_start (lab, NULL, NULL, TRUE, &error));
  g_main_loop_run (s.loop);
  g_main_loop_unref (s.loop);
  g_main_context_pop_thread_default (context);
  g_array_unref (s.seen);

  g_assert_no_error (cap_lab_get_error (lab));
  total = returned_program_calls (cap_lab_get_recording (lab));
  g_assert_cmpuint (total, >=, 10);
  g_assert_cmpuint (s.steps, ==, total);
  /* the gate held one call at a time: before step k, k-1 calls had returned */
  for (guint k = 0; k < s.steps; k++)
    g_assert_cmpuint (s.returned_at_step[k], ==, k);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/trace/tcp-example/cli", test_tcp_example_cli);
  g_test_add_func ("/trace/tcp-example/calls", test_tcp_example_calls);
  g_test_add_func ("/trace/socketserver-library", test_socketserver_library);
  g_test_add_func ("/trace/threads", test_threads);
  g_test_add_func ("/trace/forking", test_forking);
  g_test_add_func ("/trace/socket-timeout", test_socket_timeout);
  g_test_add_func ("/trace/sendall-1mb", test_sendall_1mb);
  g_test_add_func ("/trace/selectors-epoll", test_selectors_epoll);
  g_test_add_func ("/trace/sendfile", test_sendfile);
  g_test_add_func ("/trace/socketpair", test_socketpair);
  g_test_add_func ("/trace/console-lines-whole", test_console_lines_whole);
  g_test_add_func ("/trace/input-from-file", test_input_from_file);
  g_test_add_func ("/trace/garbage-collected", test_garbage_collected);
  g_test_add_func ("/trace/socket-options", test_socket_options);
  g_test_add_func ("/trace/asyncio-streams", test_asyncio_streams);
  g_test_add_func ("/trace/sendmsg-addresses", test_sendmsg_addresses);
  g_test_add_func ("/trace/crash", test_crash);
  g_test_add_func ("/trace/left-open-at-exit", test_left_open_at_exit);
  g_test_add_func ("/trace/port-in-use", test_port_in_use);
  g_test_add_func ("/trace/outside-address", test_outside_address);
  g_test_add_func ("/trace/syntax-error", test_syntax_error);
  g_test_add_func ("/trace/time-limit", test_time_limit);
  g_test_add_func ("/trace/interrupt", test_interrupt);
  g_test_add_func ("/trace/cli-console-and-ends", test_cli_console_and_ends);
  g_test_add_func ("/trace/live-text-order", test_live_text_order);
  g_test_add_func ("/trace/select-chat", test_select_chat);
  g_test_add_func ("/trace/peek", test_peek);
  g_test_add_func ("/trace/folder-with-spaces", test_folder_with_spaces);
  g_test_add_func ("/trace/subprocess", test_subprocess);
  g_test_add_func ("/trace/python-command", test_python_command);
  g_test_add_func ("/trace/server-named-last", test_server_named_last);
  g_test_add_func ("/trace/missing-file", test_missing_file);
  g_test_add_func ("/trace/not-executable", test_not_executable);
  g_test_add_func ("/trace/c-program", test_c_program);
  g_test_add_func ("/trace/static-binary", test_static_binary);
  g_test_add_func ("/trace/step", test_step);
  return g_test_run ();
}
