/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tcp-half-close: "I have finished sending, but I am still listening."
 *
 * The client sends its request and then calls shutdown(SHUT_WR): its kernel
 * sends a FIN, and the server's recv() returns 0, so the server knows the
 * request is complete. The connection is only half closed: the server can
 * still send its reply, and the client still receives it. Then the server
 * closes (its FIN), and the client's recv() returns 0 in turn. The client
 * closed first, so its side waits in TIME_WAIT.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "netcore.h"
#include "nc-scenario-helpers.h"

#include <errno.h>
#include <string.h>

static int
half_close_server (NcActorContext *ctx)
{
  char buf[1024], reply[64];
  size_t total = 0;
  ssize_t n;
  int fd, conn;

  fd = nc_listening_socket (ctx, 5);  /* socket(), bind(), listen(5) */
  if (fd < 0)
    return -1;

  conn = nc_accept (fd, NULL, NULL);
  if (conn < 0)
    {
      int err = errno;
      nc_close (fd);
      return nc_actor_fail (ctx, err, "accept()");
    }

  /* Read the whole request: it ends when recv() returns 0, the client's FIN. */
  while ((n = nc_recv (conn, buf, sizeof buf, 0)) > 0)
    total += (size_t) n;

  /* Only now can the server answer, and the connection still carries it. */
  g_snprintf (reply, sizeof reply, "got %zu bytes", total);
  nc_send (conn, reply, strlen (reply), 0);

  nc_close (conn);
  nc_close (fd);
  return 0;
}

static int
half_close_client (NcActorContext *ctx)
{
  const NcParams *params = nc_actor_get_params (ctx);
  char buf[1024];
  ssize_t n;
  int fd;

  fd = nc_connected_socket (ctx);  /* socket(), connect() */
  if (fd < 0)
    return -1;

  for (guint i = 0; i < params->count; i++)
    nc_send (fd, params->message, strlen (params->message), 0);

  /* No more to send: FIN now. Receiving still works (SHUT_WR, not close()). */
  if (nc_shutdown (fd, SHUT_WR) < 0)
    {
      int err = errno;
      nc_close (fd);
      return nc_actor_fail (ctx, err, "shutdown()");
    }

  /* The reply, then 0: the server's FIN */
  while ((n = nc_recv (fd, buf, sizeof buf, 0)) > 0)
    ;

  nc_close (fd);
  return 0;
}

static const NcActorSpec tcp_half_close_actors[] = {
  { "server", "server", half_close_server },
  { "client", "client", half_close_client },
};

const NcScenario nc_scenario_tcp_half_close = {
  .name = "tcp-half-close",
  .title = N_("TCP half-close: shutdown(SHUT_WR), then the reply"),
  .topic = N_("Stream Sockets Functions (1/3, 3/3): close(), recv()"),
  .notice =
    N_("After sending, the client calls shutdown(SHUT_WR): a FIN goes out, but the socket "
    "stays open for reading. The server's recv() returns 0 because of that FIN: that is "
    "how it learns the request is complete. Only then does the server send its reply, "
    "which travels after the client's FIN on the same connection. Then the server "
    "closes: its FIN makes the client's recv() return 0. Each FIN is acknowledged by the "
    "other side. The client sent the first FIN, so the client's side is the one that "
    "waits in TIME_WAIT (for twice the maximum segment lifetime) after both are done."),
  .default_port = 0,
  .default_message = "hello",
  .default_count = 1,
  .default_host = "127.0.0.1",
  .n_actors = G_N_ELEMENTS (tcp_half_close_actors),
  .actors = tcp_half_close_actors,
};
