/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tcp-echo: the course's first program (1-TCPServer.py, 1-TCPClient.py).
 *
 * The server: socket, bind, listen, accept, then recv and send back until the
 * client closes, then close. The client: socket, connect, send, recv, close.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "netcore.h"
#include "nc-echo-actors.h"

#include <errno.h>
#include <string.h>

int
tcp_echo_server (NcActorContext *ctx)
{
  const NcParams *params = nc_actor_get_params (ctx);
  struct sockaddr_storage addr;
  socklen_t addr_len = nc_scenario_make_address (params->host, params->port, &addr);
  char buf[1024];
  ssize_t n;
  int fd, conn;

  fd = nc_socket (addr.ss_family, SOCK_STREAM, 0);
  if (fd < 0)
    return nc_actor_fail (ctx, errno, "socket()");

  if (nc_bind (fd, (struct sockaddr *) &addr, addr_len) < 0)
    {
      int err = errno;
      nc_close (fd);
      return nc_actor_fail (ctx, err, _("bind() to %s port %u"), params->host, params->port);
    }
  nc_listen (fd, 5);

  /* Port 0 let the kernel choose: ask which one, and tell the client. */
  nc_getsockname (fd, (struct sockaddr *) &addr, &addr_len);
  nc_actor_publish_port (ctx, nc_scenario_address_port (&addr));

  conn = nc_accept (fd, NULL, NULL);
  if (conn < 0)
    {
      int err = errno;
      nc_close (fd);
      return nc_actor_fail (ctx, err, "accept()");
    }

  /* Echo until the client closes: recv() returning 0 is its FIN. */
  while ((n = nc_recv (conn, buf, sizeof buf, 0)) > 0)
    nc_send (conn, buf, (size_t) n, 0);

  nc_close (conn);
  nc_close (fd);
  return 0;
}

int
tcp_echo_client (NcActorContext *ctx)
{
  const NcParams *params = nc_actor_get_params (ctx);
  struct sockaddr_storage server;
  socklen_t server_len;
  size_t len = strlen (params->message);
  char buf[1024];
  guint16 port;
  int fd;

  port = nc_actor_wait_port (ctx);
  if (port == 0)
    return -1;
  server_len = nc_scenario_make_address (params->host, port, &server);

  fd = nc_socket (server.ss_family, SOCK_STREAM, 0);
  if (fd < 0)
    return nc_actor_fail (ctx, errno, "socket()");

  if (nc_connect (fd, (struct sockaddr *) &server, server_len) < 0)
    {
      int err = errno;
      nc_close (fd);
      return nc_actor_fail (ctx, err, _("connect() to %s port %u"), params->host, port);
    }

  for (guint i = 0; i < params->count; i++)
    {
      size_t got = 0;

      nc_send (fd, params->message, len, 0);
      /* TCP is a byte stream: the echo may come back in pieces. */
      while (got < len)
        {
          ssize_t n = nc_recv (fd, buf, sizeof buf, 0);
          if (n <= 0)
            break;
          got += (size_t) n;
        }
    }

  nc_close (fd);
  return 0;
}

static const NcActorSpec tcp_echo_actors[] = {
  { "server", "server", tcp_echo_server },
  { "client", "client", tcp_echo_client },
};

const NcScenario nc_scenario_tcp_echo = {
  .name = "tcp-echo",
  .title = N_("TCP echo: the stream socket model"),
  .topic = N_("TCP 網路應用程式模型 (1-TCPServer.py, 1-TCPClient.py)"),
  .notice =
    N_("The server calls socket(), bind(), listen() and then blocks in accept(). "
    "The client's connect() makes the kernel send SYN, receive SYN/ACK and answer ACK: "
    "the three-way handshake is finished by the kernels before accept() returns. "
    "Each send() becomes a segment with PSH/ACK, answered by an ACK. When the client "
    "closes, its FIN makes the server's recv() return 0, and the server closes too."),
  .default_port = 0,
  .default_message = "hello",
  .default_count = 1,
  .default_host = "127.0.0.1",
  .n_actors = G_N_ELEMENTS (tcp_echo_actors),
  .actors = tcp_echo_actors,
};
