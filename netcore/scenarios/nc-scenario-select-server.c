/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * select-server: one thread serves several clients at once.
 *
 * The server watches the listening socket and every connected socket with
 * one select(). A ready listening socket means a connection is waiting:
 * accept() it and watch it too. A ready connected socket means data (or the
 * end of the stream) has arrived: recv() it and send it back, or close the
 * socket when recv() returns 0. No call ever waits except select() itself.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "netcore.h"
#include "nc-scenario-helpers.h"

#include <errno.h>

#define N_CLIENTS 3  /* client actors below; --count may use fewer */

/* What a ready connected socket has: data to echo, or the end of the stream. */
static gboolean
echo_or_close (int     conn,
               fd_set *watched)
{
  char buf[1024];
  ssize_t n = nc_recv (conn, buf, sizeof buf, 0);

  if (n > 0)
    {
      nc_send (conn, buf, (size_t) n, 0);
      return FALSE;
    }
  /* 0: the client closed (or an error): stop watching this socket. */
  FD_CLR (conn, watched);
  nc_close (conn);
  return TRUE;
}

static int
select_server (NcActorContext *ctx)
{
  guint n_clients = nc_clients_in_run (ctx, N_CLIENTS);
  guint finished = 0;
  fd_set watched, ready;
  int listener, max_fd;

  listener = nc_listening_socket (ctx, 5);  /* socket(), bind(), listen(5) */
  if (listener < 0)
    return -1;

  FD_ZERO (&watched);
  FD_SET (listener, &watched);
  max_fd = listener;

  while (finished < n_clients)
    {
      ready = watched;  /* select() overwrites its sets with the ready ones */
      if (nc_select (max_fd + 1, &ready, NULL, NULL, NULL) < 0)
        {
          int err = errno;
          for (int fd = 0; fd <= max_fd; fd++)
            if (FD_ISSET (fd, &watched))
              nc_close (fd);
          return nc_actor_fail (ctx, err, "select()");
        }

      for (int fd = 0; fd <= max_fd; fd++)
        {
          if (!FD_ISSET (fd, &ready))
            continue;
          if (fd == listener)
            {
              /* A connection is in the queue: this accept() will not wait. */
              int conn = nc_accept (listener, NULL, NULL);
              if (conn >= FD_SETSIZE)
                nc_close (conn);  /* select() cannot watch it */
              else if (conn >= 0)
                {
                  FD_SET (conn, &watched);
                  max_fd = MAX (max_fd, conn);
                }
            }
          else if (echo_or_close (fd, &watched))
            finished++;
        }
    }

  nc_close (listener);
  return 0;
}

static int
select_client (NcActorContext *ctx)
{
  const NcParams *params = nc_actor_get_params (ctx);
  int fd;

  if (!nc_client_takes_part (ctx, N_CLIENTS))
    return 0;

  fd = nc_connected_socket (ctx);  /* socket(), connect() */
  if (fd < 0)
    return -1;
  nc_echo_round (fd, params->message);  /* send(), then recv() the echo */
  nc_close (fd);
  return 0;
}

static const NcActorSpec select_server_actors[] = {
  { "server", "server", select_server },
  { "client 1", "client", select_client },
  { "client 2", "client", select_client },
  { "client 3", "client", select_client },
};

const NcScenario nc_scenario_select_server = {
  .name = "select-server",
  .title = N_("select() server: one thread, three clients"),
  .topic = N_("select — Waiting for I/O completion: select.select(rlist, wlist, xlist)"),
  .notice =
    N_("The server has one thread, yet it serves every client. Its only waiting call is "
    "select(): the read set holds the listening socket and each connected socket, and "
    "select() returns the subset that is ready. The listening socket is ready when a "
    "handshake has completed (its last ACK), so accept() returns at once; a connected "
    "socket is ready when a segment with data, or a FIN, has arrived, so recv() returns "
    "at once. Follow each select() to the packet that made a socket ready, and watch the "
    "read set grow as clients connect and shrink as they close."),
  .default_port = 0,
  .default_message = "hello",
  .default_count = N_CLIENTS,
  .default_host = "127.0.0.1",
  .n_actors = G_N_ELEMENTS (select_server_actors),
  .actors = select_server_actors,
};
