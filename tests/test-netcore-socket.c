/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-netcore-socket.c: each wrapper against the real kernel, on loopback. */

#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "netcore.h"

typedef struct
{
  NcRecorder *recorder;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->recorder = nc_recorder_new ();
  nc_recorder_add_actor (f->recorder, "test", "client");
  nc_recorder_attach_thread (f->recorder, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  nc_recorder_detach_thread ();
  g_clear_object (&f->recorder);
}

static NcCall
last_call (Fixture *f)
{
  NcCall call = { 0 };
  guint n = nc_recorder_get_n_calls (f->recorder);

  g_assert_cmpuint (n, >, 0);
  g_assert_true (nc_recorder_get_call (f->recorder, n - 1, &call));
  return call;
}

static socklen_t
loopback (guint16                  port,
          struct sockaddr_storage *ss)
{
  return nc_scenario_make_address ("127.0.0.1", port, ss);
}

static int
bound_socket (int       type,
              guint16  *out_port)
{
  struct sockaddr_storage ss;
  socklen_t len = loopback (0, &ss);
  int fd = nc_socket (AF_INET, type, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (nc_bind (fd, (struct sockaddr *) &ss, len), ==, 0);
  g_assert_cmpint (nc_getsockname (fd, (struct sockaddr *) &ss, &len), ==, 0);
  *out_port = nc_scenario_address_port (&ss);
  return fd;
}

static void
test_tcp_exchange (Fixture       *f,
                   gconstpointer  data)
{
  struct sockaddr_storage ss;
  socklen_t len;
  guint16 port;
  char buf[16] = { 0 };
  int lfd, cfd, afd, line;
  NcCall call;

  lfd = bound_socket (SOCK_STREAM, &port);
  g_assert_cmpint (nc_listen (lfd, 5), ==, 0);
  call = last_call (f);
  g_assert_cmpint (call.kind, ==, NC_CALL_LISTEN);
  g_assert_cmpint (call.type, ==, 5);
  g_assert_cmpstr (nc_tcp_state_name (call.tcp_state), ==, "LISTEN");

  cfd = nc_socket (AF_INET, SOCK_STREAM, 0);
  len = loopback (port, &ss);
  line = __LINE__ + 1;
  g_assert_cmpint (nc_connect (cfd, (struct sockaddr *) &ss, len), ==, 0);
  call = last_call (f);
  g_assert_cmpint (call.kind, ==, NC_CALL_CONNECT);
  g_assert_cmpint (call.result, ==, 0);
  g_assert_cmpint (call.err, ==, 0);
  g_assert_cmpint (call.fd, ==, cfd);
  g_assert_cmpstr (nc_tcp_state_name (call.tcp_state), ==, "ESTABLISHED");
  {
    g_autofree char *suffix = g_strdup_printf (":%u", port);
    g_assert_true (g_str_has_suffix (call.peer, suffix));
  }
  g_assert_true (g_str_has_prefix (call.local, "127.0.0.1:"));
  g_assert_cmpuint (call.line, ==, (guint) line);
  g_assert_true (g_str_has_suffix (call.file, "test-netcore-socket.c"));
  g_assert_cmpint (call.ts_start, >, 0);
  g_assert_cmpint (call.ts_end, >=, call.ts_start);
  g_assert_cmpint (call.pid, ==, getpid ());

  afd = nc_accept (lfd, NULL, NULL);
  g_assert_cmpint (afd, >=, 0);
  call = last_call (f);
  g_assert_cmpint (call.kind, ==, NC_CALL_ACCEPT);
  g_assert_cmpint (call.result, ==, afd);
  /* accept()'s peer is the client's own address */
  {
    NcCall connect_call = { 0 };
    nc_recorder_get_call (f->recorder, call.id - 1, &connect_call);
    g_assert_cmpstr (call.peer, ==, connect_call.local);
  }

  g_assert_cmpint (nc_send (cfd, "hello", 5, 0), ==, 5);
  call = last_call (f);
  g_assert_cmpint (call.kind, ==, NC_CALL_SEND);
  g_assert_cmpint (call.length, ==, 5);
  g_assert_cmpmem (call.data, call.data_len, "hello", 5);

  g_assert_cmpint (nc_recv (afd, buf, sizeof buf, 0), ==, 5);
  call = last_call (f);
  g_assert_cmpint (call.kind, ==, NC_CALL_RECV);
  g_assert_cmpint (call.result, ==, 5);
  g_assert_cmpint (call.length, ==, sizeof buf);
  g_assert_cmpmem (call.data, call.data_len, "hello", 5);
  g_assert_cmpuint (call.queued_in, ==, 0);

  g_assert_cmpint (nc_close (cfd), ==, 0);
  call = last_call (f);
  g_assert_cmpint (call.kind, ==, NC_CALL_CLOSE);
  g_assert_cmpint (call.result, ==, 0);
  /* The client's FIN: recv() returns 0, the end of the stream. */
  g_assert_cmpint (nc_recv (afd, buf, sizeof buf, 0), ==, 0);
  g_assert_cmpint (last_call (f).result, ==, 0);
  nc_close (afd);
  nc_close (lfd);

  {
    g_autoptr(GArray) open = nc_recorder_copy_open_fds (f->recorder);
    g_assert_cmpuint (open->len, ==, 0);
  }
}

static void
test_eaddrinuse (Fixture       *f,
                 gconstpointer  data)
{
  struct sockaddr_storage ss;
  socklen_t len;
  guint16 port;
  int a, b;
  NcCall call;

  a = bound_socket (SOCK_STREAM, &port);
  g_assert_cmpint (nc_listen (a, 1), ==, 0);
  b = nc_socket (AF_INET, SOCK_STREAM, 0);
  len = loopback (port, &ss);
  errno = 0;
  g_assert_cmpint (nc_bind (b, (struct sockaddr *) &ss, len), ==, -1);
  g_assert_cmpint (errno, ==, EADDRINUSE);
  call = last_call (f);
  g_assert_cmpint (call.kind, ==, NC_CALL_BIND);
  g_assert_cmpint (call.result, ==, -1);
  g_assert_cmpint (call.err, ==, EADDRINUSE);
  g_assert_cmpstr (nc_errno_name (call.err), ==, "EADDRINUSE");
  g_assert_true (nc_call_failed (&call));
  nc_close (a);
  nc_close (b);
}

static void
test_econnrefused (Fixture       *f,
                   gconstpointer  data)
{
  struct sockaddr_storage ss;
  socklen_t len;
  guint16 port;
  int holder, fd;
  NcCall call;

  /* Bound but not listening: the port is ours, and nobody accepts on it. */
  holder = bound_socket (SOCK_STREAM, &port);
  fd = nc_socket (AF_INET, SOCK_STREAM, 0);
  len = loopback (port, &ss);
  errno = 0;
  g_assert_cmpint (nc_connect (fd, (struct sockaddr *) &ss, len), ==, -1);
  g_assert_cmpint (errno, ==, ECONNREFUSED);
  call = last_call (f);
  g_assert_cmpint (call.err, ==, ECONNREFUSED);
  {
    g_autofree char *text = nc_call_to_string (&call);
    g_assert_nonnull (strstr (text, "ECONNREFUSED"));
    g_assert_true (g_str_has_prefix (text, "connect(fd="));
  }
  nc_close (fd);
  nc_close (holder);
}

static void
connected_pair (Fixture *f,
                int     *client,
                int     *server)
{
  struct sockaddr_storage ss;
  socklen_t len;
  guint16 port;
  int lfd = bound_socket (SOCK_STREAM, &port);

  nc_listen (lfd, 1);
  *client = nc_socket (AF_INET, SOCK_STREAM, 0);
  len = loopback (port, &ss);
  g_assert_cmpint (nc_connect (*client, (struct sockaddr *) &ss, len), ==, 0);
  *server = nc_accept (lfd, NULL, NULL);
  g_assert_cmpint (*server, >=, 0);
  nc_close (lfd);
}

static void
test_nonblocking_eagain (Fixture       *f,
                         gconstpointer  data)
{
  char buf[8];
  int c, s;
  NcCall call;

  connected_pair (f, &c, &s);
  g_assert_cmpint (nc_setblocking (c, 0), ==, 0);
  call = last_call (f);
  g_assert_cmpint (call.kind, ==, NC_CALL_SETBLOCKING);
  g_assert_cmpint (call.domain, ==, 0);

  errno = 0;
  g_assert_cmpint (nc_recv (c, buf, sizeof buf, 0), ==, -1);
  g_assert_true (errno == EAGAIN || errno == EWOULDBLOCK);
  call = last_call (f);
  g_assert_cmpint (call.err, ==, EAGAIN);
  g_assert_cmpuint (call.data_len, ==, 0);
  nc_close (c);
  nc_close (s);
}

static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  char buf[8];
  int c, s;
  NcCall call;

  connected_pair (f, &c, &s);
  g_assert_cmpint (nc_settimeout (c, 0.05), ==, 0);
  call = last_call (f);
  g_assert_cmpint (call.timeout_ns, ==, 50000000);
  errno = 0;
  g_assert_cmpint (nc_recv (c, buf, sizeof buf, 0), ==, -1);
  g_assert_cmpint (errno, ==, EAGAIN);
  call = last_call (f);
  /* It blocked for the timeout: the record shows the wait. */
  g_assert_cmpint (call.ts_end - call.ts_start, >=, 40000000);
  nc_close (c);
  nc_close (s);
}

static void
test_select (Fixture       *f,
             gconstpointer  data)
{
  struct timeval tv = { 0, 20000 };
  fd_set rfds;
  int c, s;
  NcCall call;

  connected_pair (f, &c, &s);

  FD_ZERO (&rfds);
  FD_SET (s, &rfds);
  g_assert_cmpint (nc_select (s + 1, &rfds, NULL, NULL, &tv), ==, 0);
  call = last_call (f);
  g_assert_cmpint (call.kind, ==, NC_CALL_SELECT);
  g_assert_cmpint (call.result, ==, 0);
  g_assert_cmpint (call.timeout_ns, ==, 20000000);
  g_assert_cmpuint (nc_call_get_fds (&call, FALSE, NC_SET_READ)->n, ==, 1);
  g_assert_cmpint (nc_call_get_fds (&call, FALSE, NC_SET_READ)->fds[0], ==, s);
  g_assert_cmpuint (nc_call_get_fds (&call, TRUE, NC_SET_READ)->n, ==, 0);

  nc_send (c, "x", 1, 0);
  FD_ZERO (&rfds);
  FD_SET (s, &rfds);
  FD_SET (c, &rfds);
  tv.tv_sec = 5;
  tv.tv_usec = 0;
  g_assert_cmpint (nc_select (MAX (s, c) + 1, &rfds, NULL, NULL, &tv), ==, 1);
  call = last_call (f);
  g_assert_cmpint (call.result, ==, 1);
  g_assert_cmpuint (nc_call_get_fds (&call, FALSE, NC_SET_READ)->n, ==, 2);
  g_assert_cmpuint (nc_call_get_fds (&call, TRUE, NC_SET_READ)->n, ==, 1);
  g_assert_cmpint (nc_call_get_fds (&call, TRUE, NC_SET_READ)->fds[0], ==, s);
  nc_close (c);
  nc_close (s);
}

static void
test_udp (Fixture       *f,
          gconstpointer  data)
{
  struct sockaddr_storage to, from;
  socklen_t to_len, from_len = sizeof from;
  char buf[32];
  guint16 port;
  int server, client;
  NcCall call;

  server = bound_socket (SOCK_DGRAM, &port);
  client = nc_socket (AF_INET, SOCK_DGRAM, 0);
  to_len = loopback (port, &to);
  g_assert_cmpint (nc_sendto (client, "ping", 4, 0, (struct sockaddr *) &to, to_len), ==, 4);
  call = last_call (f);
  g_assert_cmpint (call.kind, ==, NC_CALL_SENDTO);
  {
    g_autofree char *suffix = g_strdup_printf (":%u", port);
    g_assert_true (g_str_has_suffix (call.peer, suffix));
  }
  g_assert_true (g_str_has_prefix (call.local, "0.0.0.0:") || g_str_has_prefix (call.local, "127."));

  g_assert_cmpint (nc_recvfrom (server, buf, sizeof buf, 0, (struct sockaddr *) &from, &from_len),
                   ==, 4);
  call = last_call (f);
  g_assert_cmpint (call.kind, ==, NC_CALL_RECVFROM);
  g_assert_cmpmem (call.data, call.data_len, "ping", 4);
  g_assert_cmpuint (nc_scenario_address_port (&from), >, 0);
  g_assert_true (g_str_has_prefix (call.peer, "127.0.0.1:"));
  g_assert_cmpint (call.tcp_state, ==, NC_TCP_STATE_NONE);
  nc_close (client);
  nc_close (server);
}

static void
test_names_and_bytes (Fixture       *f,
                      gconstpointer  data)
{
  char host[256];
  struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
  struct addrinfo *res = NULL;
  struct in_addr in;
  NcCall call;

  g_assert_cmpint (nc_gethostname (host, sizeof host), ==, 0);
  call = last_call (f);
  g_assert_cmpstr (call.text, ==, host);

  g_assert_cmpint (nc_getaddrinfo ("localhost", NULL, &hints, &res), ==, 0);
  call = last_call (f);
  g_assert_cmpint (call.kind, ==, NC_CALL_GETADDRINFO);
  g_assert_cmpstr (call.text, ==, "localhost");
  g_assert_true (g_str_has_prefix (call.peer, "127."));
  g_assert_cmpuint (call.data_len, ==, 4);
  g_assert_cmpuint (call.data[0], ==, 127);
  nc_freeaddrinfo (res);

  g_assert_cmpuint (nc_htons (9000), ==, htons (9000));
  call = last_call (f);
  g_assert_cmpint (call.kind, ==, NC_CALL_HTONS);
  g_assert_cmpuint (call.value_in, ==, 9000);
  /* In memory the result is in network order: 0x23 0x28, whatever the host. */
  g_assert_cmpuint (call.data_len, ==, 2);
  g_assert_cmpuint (call.data[0], ==, 0x23);
  g_assert_cmpuint (call.data[1], ==, 0x28);

  g_assert_cmpuint (nc_htonl (0x7f000001), ==, htonl (0x7f000001));
  call = last_call (f);
  g_assert_cmpuint (call.data[0], ==, 0x7f);
  g_assert_cmpuint (call.data[3], ==, 0x01);
  g_assert_cmpuint (nc_ntohs (htons (80)), ==, 80);
  g_assert_cmpuint (nc_ntohl (htonl (80)), ==, 80);

  g_assert_cmpint (nc_inet_aton ("123.45.67.89", &in), ==, 1);
  call = last_call (f);
  g_assert_cmpint (call.kind, ==, NC_CALL_INET_ATON);
  g_assert_cmpuint (call.data_len, ==, 4);
  g_assert_cmpuint (call.data[0], ==, 123);
  g_assert_cmpuint (call.data[3], ==, 89);
  g_assert_cmpint (nc_inet_aton ("not an address", &in), ==, 0);

  nc_inet_aton ("123.45.67.89", &in);
  g_assert_cmpstr (nc_inet_ntoa (in), ==, "123.45.67.89");
  call = last_call (f);
  g_assert_cmpint (call.kind, ==, NC_CALL_INET_NTOA);
  g_assert_cmpstr (call.text, ==, "123.45.67.89");
}

static void
test_getnameinfo (Fixture       *f,
                  gconstpointer  data)
{
  struct sockaddr_storage ss;
  socklen_t len = loopback (0, &ss);
  char host[NI_MAXHOST];
  NcCall call;

  g_assert_cmpint (nc_getnameinfo ((struct sockaddr *) &ss, len, host, sizeof host, NULL, 0, 0),
                   ==, 0);
  call = last_call (f);
  g_assert_cmpint (call.kind, ==, NC_CALL_GETNAMEINFO);
  g_assert_cmpstr (call.text, ==, host);
  g_assert_true (g_str_has_prefix (call.peer, "127.0.0.1:"));
}

static void
test_unrecorded (void)
{
  int fd;

  /* No recorder bound to this thread: the calls just work. */
  g_assert_null (nc_recorder_get_thread_default ());
  fd = nc_socket (AF_INET, SOCK_STREAM, 0);
  g_assert_cmpint (fd, >=, 0);
  errno = 0;
  g_assert_cmpint (nc_close (fd), ==, 0);
  g_assert_cmpint (nc_close (fd), ==, -1);
  g_assert_cmpint (errno, ==, EBADF);
}

static void
test_ids_in_start_order (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GArray) calls = NULL;

  for (int i = 0; i < 20; i++)
    nc_htons ((guint16) i);
  calls = nc_recorder_copy_calls (f->recorder);
  g_assert_cmpuint (calls->len, ==, 20);
  for (guint i = 1; i < calls->len; i++)
    {
      const NcCall *a = &g_array_index (calls, NcCall, i - 1);
      const NcCall *b = &g_array_index (calls, NcCall, i);
      g_assert_cmpuint (b->id, ==, a->id + 1);
      g_assert_cmpint (b->ts_start, >=, a->ts_start);
    }
}

/* A recvfrom() that shutdown() ends returns 0 and names no sender: the
 * line says so without a dangling "from" */
static void
test_recvfrom_after_shutdown (Fixture       *f,
                              gconstpointer  data)
{
  struct sockaddr_storage from;
  socklen_t from_len = sizeof from;
  char buf[16];
  guint16 port;
  int fd = bound_socket (SOCK_DGRAM, &port);
  NcCall call;

  /* Linux shuts an unconnected datagram socket too, but says ENOTCONN */
  (void) shutdown (fd, SHUT_RD);
  g_assert_cmpint (nc_recvfrom (fd, buf, sizeof buf, 0, (struct sockaddr *) &from, &from_len), ==, 0);
  call = last_call (f);
  g_assert_cmpint (call.kind, ==, NC_CALL_RECVFROM);
  {
    g_autofree char *text = nc_call_to_string (&call);
    g_assert_true (g_str_has_suffix (text, "= 0 b\"\""));
  }
  nc_close (fd);
}

/* The view of a socket that is not TCP is kept between calls
 * (nc-socket-view.c): it must follow what changes it. setblocking() sets
 * neither address itself, so both come from the view. */
static NcCall
view_of (Fixture *f,
         int      fd)
{
  g_assert_cmpint (nc_setblocking (fd, TRUE), ==, 0);
  return last_call (f);
}

static char *
address_text (const char *host,
              guint16     port)
{
  return g_strdup_printf ("%s:%u", host, port);
}

static void
test_udp_view_follows_changes (Fixture       *f,
                               gconstpointer  data)
{
  struct sockaddr_storage ss;
  socklen_t len;
  guint16 server_port, port_a, port_b;
  int server, a, b;
  g_autofree char *server_text = NULL;
  g_autofree char *a_text = NULL;
  g_autofree char *b_text = NULL;
  NcCall call;

  server = bound_socket (SOCK_DGRAM, &server_port);
  server_text = address_text ("127.0.0.1", server_port);

  /* Unbound: no port yet, then the one its first send gave it */
  a = nc_socket (AF_INET, SOCK_DGRAM, 0);
  call = view_of (f, a);
  g_assert_cmpstr (call.local, ==, "0.0.0.0:0");
  g_assert_cmpstr (call.peer, ==, "");
  len = loopback (server_port, &ss);
  g_assert_cmpint (nc_sendto (a, "x", 1, 0, (struct sockaddr *) &ss, len), ==, 1);
  len = sizeof ss;
  g_assert_cmpint (getsockname (a, (struct sockaddr *) &ss, &len), ==, 0);
  port_a = nc_scenario_address_port (&ss);
  a_text = address_text ("0.0.0.0", port_a);
  for (guint i = 0; i < 3; i++)
    {
      call = view_of (f, a);
      g_assert_cmpstr (call.local, ==, a_text);
      g_assert_cmpstr (call.peer, ==, "");
      g_assert_cmpint (call.tcp_state, ==, NC_TCP_STATE_NONE);
      g_assert_false (call.has_queues);
    }

  /* connect() gives it a peer and a local address of its own */
  len = loopback (server_port, &ss);
  g_assert_cmpint (nc_connect (a, (struct sockaddr *) &ss, len), ==, 0);
  g_free (a_text);
  a_text = address_text ("127.0.0.1", port_a);
  for (guint i = 0; i < 2; i++)
    {
      call = view_of (f, a);
      g_assert_cmpstr (call.local, ==, a_text);
      g_assert_cmpstr (call.peer, ==, server_text);
    }

  /* A new socket on the same descriptor is asked anew, even when the old
   * one was closed behind netcore's back */
  close (a);
  b = nc_socket (AF_INET, SOCK_DGRAM, 0);
  g_assert_cmpint (b, ==, a);  /* the lowest free descriptor */
  call = view_of (f, b);
  g_assert_cmpstr (call.local, ==, "0.0.0.0:0");
  g_assert_cmpstr (call.peer, ==, "");
  len = loopback (0, &ss);
  g_assert_cmpint (nc_bind (b, (struct sockaddr *) &ss, len), ==, 0);
  len = sizeof ss;
  g_assert_cmpint (getsockname (b, (struct sockaddr *) &ss, &len), ==, 0);
  port_b = nc_scenario_address_port (&ss);
  g_assert_cmpuint (port_b, !=, port_a);
  b_text = address_text ("127.0.0.1", port_b);
  for (guint i = 0; i < 2; i++)
    {
      call = view_of (f, b);
      g_assert_cmpstr (call.local, ==, b_text);
      g_assert_cmpstr (call.peer, ==, "");
    }
  /* close() still names the socket it closes */
  nc_close (b);
  call = last_call (f);
  g_assert_cmpint (call.kind, ==, NC_CALL_CLOSE);
  g_assert_cmpstr (call.local, ==, b_text);

  /* ... and a TCP socket on it is asked at every call (its state) */
  b = nc_socket (AF_INET, SOCK_STREAM, 0);
  g_assert_cmpint (b, ==, a);
  call = view_of (f, b);
  g_assert_cmpstr (nc_tcp_state_name (call.tcp_state), ==, "CLOSED");
  g_assert_true (call.has_queues);
  nc_close (b);
  nc_close (server);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/netcore/socket/tcp-exchange", test_tcp_exchange);
  ADD ("/netcore/socket/eaddrinuse", test_eaddrinuse);
  ADD ("/netcore/socket/econnrefused", test_econnrefused);
  ADD ("/netcore/socket/nonblocking-eagain", test_nonblocking_eagain);
  ADD ("/netcore/socket/timeout", test_timeout);
  ADD ("/netcore/socket/select", test_select);
  ADD ("/netcore/socket/udp", test_udp);
  ADD ("/netcore/socket/udp-view-follows-changes", test_udp_view_follows_changes);
  ADD ("/netcore/socket/recvfrom-after-shutdown", test_recvfrom_after_shutdown);
  ADD ("/netcore/socket/names-and-bytes", test_names_and_bytes);
  ADD ("/netcore/socket/getnameinfo", test_getnameinfo);
  ADD ("/netcore/socket/ids-in-start-order", test_ids_in_start_order);
#undef ADD
  g_test_add_func ("/netcore/socket/unrecorded", test_unrecorded);

  return g_test_run ();
}
