/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tcp-refused: connect() to a port where nobody listens.
 *
 * The "server" only holds a port: socket() and bind(), but no listen(), so
 * no connection can be accepted there. The client's connect() sends a SYN;
 * the server's kernel, finding no listening socket on that port, answers
 * with RST, and connect() fails with ECONNREFUSED ("Connection refused").
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "netcore.h"

#include <errno.h>

static int
refused_server (NcActorContext *ctx)
{
  const NcParams *params = nc_actor_get_params (ctx);
  struct sockaddr_storage addr;
  socklen_t addr_len = nc_scenario_make_address (params->host, params->port, &addr);
  int fd;

  fd = nc_socket (addr.ss_family, SOCK_STREAM, 0);
  if (fd < 0)
    return nc_actor_fail (ctx, errno, "socket()");

  if (nc_bind (fd, (struct sockaddr *) &addr, addr_len) < 0)
    {
      int err = errno;
      nc_close (fd);
      return nc_actor_fail (ctx, err, _("bind() to %s port %u"), params->host, params->port);
    }
  /* No listen(): the port is taken, so nobody else gets it, but it does not
   * accept connections. */
  nc_getsockname (fd, (struct sockaddr *) &addr, &addr_len);
  nc_actor_publish_port (ctx, nc_scenario_address_port (&addr));

  /* Keep the port until the client has tried (not a socket call). */
  nc_actor_wait_signal (ctx, "client-tried", 1);
  nc_close (fd);
  return 0;
}

static int
refused_client (NcActorContext *ctx)
{
  const NcParams *params = nc_actor_get_params (ctx);
  struct sockaddr_storage server;
  socklen_t server_len;
  guint16 port;
  int fd, ret, err;

  port = nc_actor_wait_port (ctx);
  if (port == 0)
    return -1;
  server_len = nc_scenario_make_address (params->host, port, &server);

  fd = nc_socket (server.ss_family, SOCK_STREAM, 0);
  if (fd < 0)
    return nc_actor_fail (ctx, errno, "socket()");

  /* SYN out, RST back: connect() returns -1 with errno ECONNREFUSED.
   * (Python raises ConnectionRefusedError.) */
  ret = nc_connect (fd, (struct sockaddr *) &server, server_len);
  err = errno;
  nc_actor_signal (ctx, "client-tried");
  nc_close (fd);

  if (ret == 0)
    return nc_actor_fail (ctx, 0, _("connect() to %s port %u succeeded: something listens there"),
                          params->host, port);
  if (err != ECONNREFUSED)
    return nc_actor_fail (ctx, err, _("connect() to %s port %u"), params->host, port);
  return 0;  /* refused, as this lesson expects */
}

static const NcActorSpec tcp_refused_actors[] = {
  { "server", "server", refused_server },
  { "client", "client", refused_client },
};

const NcScenario nc_scenario_tcp_refused = {
  .name = "tcp-refused",
  .title = N_("TCP refused: connect() where nobody listens"),
  .topic = N_("Stream Sockets Functions (2/3): connect()"),
  .notice =
    N_("The server binds a port but never calls listen(). The client's connect() still sends "
    "a SYN, but no SYN/ACK comes back: the server's kernel answers at once with RST "
    "(reset), and connect() returns -1 with errno ECONNREFUSED. No program on the server "
    "side ran any code for this: refusing is the kernel's job, and the whole exchange is "
    "two packets. Compare with tcp-echo, where listen() made the same SYN succeed."),
  .default_port = 0,
  .default_message = "hello",
  .default_count = 1,
  .default_host = "127.0.0.1",
  .n_actors = G_N_ELEMENTS (tcp_refused_actors),
  .actors = tcp_refused_actors,
};
