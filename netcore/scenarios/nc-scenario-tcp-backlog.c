/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tcp-backlog: connections wait in the kernel until accept() takes them.
 *
 * The server calls listen() and then, on purpose, does not call accept()
 * until every client's connect() has returned. The kernel completes each
 * handshake by itself and keeps the connections in the listening socket's
 * queue (its backlog); when the server finally calls accept(), each call
 * returns at once with the next connection. Then it echoes one message on
 * each connection, in the order it accepted them.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "netcore.h"
#include "nc-scenario-helpers.h"

#include <errno.h>

#define N_CLIENTS 3  /* client actors below; --count may use fewer */

static void
serve_one (int conn)
{
  char buf[1024];
  ssize_t n;

  /* The client sent its message before we accepted: it waited in the queue too. */
  n = nc_recv (conn, buf, sizeof buf, 0);
  if (n > 0)
    nc_send (conn, buf, (size_t) n, 0);
  nc_close (conn);
}

static int
backlog_server (NcActorContext *ctx)
{
  guint n_clients = nc_clients_in_run (ctx, N_CLIENTS);
  int conns[N_CLIENTS];
  int fd;

  /* socket(), bind(), listen(backlog): room for every client of this run */
  fd = nc_listening_socket (ctx, (int) n_clients);
  if (fd < 0)
    return -1;

  /* Not a socket call: the server just waits until every client's
   * connect() has returned, as a busy server would. */
  if (!nc_actor_wait_signal (ctx, "connected", n_clients))
    {
      nc_close (fd);
      return -1;
    }

  /* The handshakes are done: each accept() only takes one from the queue. */
  for (guint i = 0; i < n_clients; i++)
    {
      conns[i] = nc_accept (fd, NULL, NULL);
      if (conns[i] < 0)
        {
          int err = errno;
          while (i-- > 0)
            nc_close (conns[i]);
          nc_close (fd);
          return nc_actor_fail (ctx, err, "accept()");
        }
    }

  for (guint i = 0; i < n_clients; i++)
    serve_one (conns[i]);
  nc_close (fd);
  return 0;
}

static int
backlog_client (NcActorContext *ctx)
{
  const NcParams *params = nc_actor_get_params (ctx);
  int fd;

  if (!nc_client_takes_part (ctx, N_CLIENTS))
    return 0;

  /* socket(), connect(): returns once the handshake is done, accept() or not */
  fd = nc_connected_socket (ctx);
  if (fd < 0)
    return -1;
  nc_actor_signal (ctx, "connected");

  nc_echo_round (fd, params->message);  /* send(), then recv() the echo */
  nc_close (fd);
  return 0;
}

static const NcActorSpec tcp_backlog_actors[] = {
  { "server", "server", backlog_server },
  { "client 1", "client", backlog_client },
  { "client 2", "client", backlog_client },
  { "client 3", "client", backlog_client },
};

const NcScenario nc_scenario_tcp_backlog = {
  .name = "tcp-backlog",
  .title = N_("TCP backlog: connections wait for accept()"),
  .topic = N_("Stream Sockets Functions (1/3): listen([backlog])"),
  .notice =
    N_("Every client's connect() returns before the server has called accept() even once: "
    "SYN, SYN/ACK, ACK are exchanged by the kernels, and each finished connection "
    "waits in the listening socket's queue, the backlog that listen() sized. The clients "
    "even send their messages, and the server's kernel acknowledges them. When the server "
    "finally calls accept(), each call returns immediately with the next waiting "
    "connection: accept() does not make connections, it only takes them from the queue."),
  .default_port = 0,
  .default_message = "hello",
  .default_count = 3,
  .default_host = "127.0.0.1",
  .n_actors = G_N_ELEMENTS (tcp_backlog_actors),
  .actors = tcp_backlog_actors,
};
