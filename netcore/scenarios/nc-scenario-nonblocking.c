/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nonblocking: calls that would wait return at once with an error instead.
 *
 * The client makes its socket non-blocking (Python: s.setblocking(False)).
 * Its connect() cannot wait for the handshake: it sends the SYN and fails
 * with EINPROGRESS; select() then waits until the socket is writable, and
 * getsockopt(SO_ERROR) tells whether the connection succeeded. Its recv()
 * with nothing to read fails with EAGAIN (EWOULDBLOCK: Python raises
 * BlockingIOError); select() waits until it is readable, and recv() works.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "netcore.h"
#include "nc-scenario-helpers.h"

#include <errno.h>
#include <string.h>

static int
nonblocking_server (NcActorContext *ctx)
{
  const NcParams *params = nc_actor_get_params (ctx);
  char buf[1024];
  int fd, conn;

  fd = nc_listening_socket (ctx, 5);  /* socket(), bind(), listen(5) */
  if (fd < 0)
    return -1;

  conn = nc_accept (fd, NULL, NULL);  /* an ordinary, blocking socket */
  if (conn < 0)
    {
      int err = errno;
      nc_close (fd);
      return nc_actor_fail (ctx, err, "accept()");
    }

  /* Not a socket call: send only after the client's recv() found nothing. */
  if (nc_actor_wait_signal (ctx, "recv-would-block", 1))
    {
      nc_send (conn, params->message, strlen (params->message), 0);
      nc_recv (conn, buf, sizeof buf, 0);  /* 0: the client closed */
    }

  nc_close (conn);
  nc_close (fd);
  return 0;
}

/* Waits with select() until @fd is ready: for writing if @for_writing,
 * else for reading. Returns select()'s result. */
static int
wait_until_ready (int      fd,
                  gboolean for_writing)
{
  fd_set set;

  FD_ZERO (&set);
  FD_SET (fd, &set);
  /* No timeout: block until the socket is ready. */
  if (for_writing)
    return nc_select (fd + 1, NULL, &set, NULL, NULL);
  return nc_select (fd + 1, &set, NULL, NULL, NULL);
}

static int
fail_and_close (NcActorContext *ctx,
                int             fd,
                int             err,
                const char     *what)
{
  nc_close (fd);
  return nc_actor_fail (ctx, err, "%s", what);
}

static int
nonblocking_client (NcActorContext *ctx)
{
  const NcParams *params = nc_actor_get_params (ctx);
  struct sockaddr_storage server;
  socklen_t server_len, len;
  char buf[1024];
  int so_error = 0;
  guint16 port;
  ssize_t n;
  int fd;

  port = nc_actor_wait_port (ctx);
  if (port == 0)
    return -1;
  server_len = nc_scenario_make_address (params->host, port, &server);

  fd = nc_socket (server.ss_family, SOCK_STREAM, 0);
  if (fd < 0)
    return nc_actor_fail (ctx, errno, "socket()");
  nc_setblocking (fd, FALSE);

  /* 1. connect(): the SYN leaves, and the call returns without waiting. */
  if (nc_connect (fd, (struct sockaddr *) &server, server_len) < 0 && errno != EINPROGRESS)
    return fail_and_close (ctx, fd, errno, "connect()");

  /* Writable means the handshake is over, one way or the other ... */
  if (wait_until_ready (fd, TRUE) < 0)
    return fail_and_close (ctx, fd, errno, "select()");
  /* ... and SO_ERROR says which way: 0 is connected. */
  len = sizeof so_error;
  if (nc_getsockopt (fd, SOL_SOCKET, SO_ERROR, &so_error, &len) < 0)
    return fail_and_close (ctx, fd, errno, "getsockopt(SO_ERROR)");
  if (so_error != 0)
    return fail_and_close (ctx, fd, so_error, _("connect() in the background"));

  /* 2. recv() with nothing to read yet: no waiting, EAGAIN instead. */
  n = nc_recv (fd, buf, sizeof buf, 0);
  if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
    return fail_and_close (ctx, fd, n >= 0 ? 0 : errno, _("recv() should have found nothing"));
  nc_actor_signal (ctx, "recv-would-block");

  /* The way to wait on a non-blocking socket: select() until readable. */
  if (wait_until_ready (fd, FALSE) < 0)
    return fail_and_close (ctx, fd, errno, "select()");
  nc_recv (fd, buf, sizeof buf, 0);

  nc_close (fd);
  return 0;
}

static const NcActorSpec nonblocking_actors[] = {
  { "server", "server", nonblocking_server },
  { "client", "client", nonblocking_client },
};

const NcScenario nc_scenario_nonblocking = {
  .name = "nonblocking",
  .title = N_("Non-blocking socket: EINPROGRESS, EAGAIN and select()"),
  .topic = N_("Non-blocking Socket: s.setblocking(False)"),
  .notice =
    N_("After setblocking(False) no call on the client's socket waits. connect() sends the SYN "
    "and returns -1 with EINPROGRESS at once; the handshake finishes in the kernel, and "
    "select() reports the socket writable when the SYN/ACK has arrived. Writable is not "
    "yet success: getsockopt(SO_ERROR) returns 0 when the connection was made. Then "
    "recv() is called before the server has sent anything: it returns -1 with EAGAIN "
    "(\"try again\") instead of waiting. select() is how a non-blocking program waits: "
    "it returns when the server's data has arrived, and the next recv() gets it."),
  .default_port = 0,
  .default_message = "hello",
  .default_count = 1,
  .default_host = "127.0.0.1",
  .n_actors = G_N_ELEMENTS (nonblocking_actors),
  .actors = nonblocking_actors,
};
