/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * udp-echo: datagram sockets. No listen(), no accept(), no connection:
 * each sendto() names its destination, each recvfrom() learns the sender.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "netcore.h"
#include "nc-echo-actors.h"

#include <errno.h>
#include <string.h>

int
udp_echo_server (NcActorContext *ctx)
{
  const NcParams *params = nc_actor_get_params (ctx);
  struct sockaddr_storage addr, client;
  socklen_t addr_len = nc_scenario_make_address (params->host, params->port, &addr);
  socklen_t client_len;
  char buf[2048];
  int fd;

  fd = nc_socket (addr.ss_family, SOCK_DGRAM, 0);
  if (fd < 0)
    return nc_actor_fail (ctx, errno, "socket()");

  if (nc_bind (fd, (struct sockaddr *) &addr, addr_len) < 0)
    {
      int err = errno;
      nc_close (fd);
      return nc_actor_fail (ctx, err, _("bind() to %s port %u"), params->host, params->port);
    }
  nc_getsockname (fd, (struct sockaddr *) &addr, &addr_len);
  nc_actor_publish_port (ctx, nc_scenario_address_port (&addr));

  for (guint i = 0; i < params->count; i++)
    {
      ssize_t n;

      client_len = sizeof client;
      n = nc_recvfrom (fd, buf, sizeof buf, 0, (struct sockaddr *) &client, &client_len);
      if (n < 0)
        break;
      if (n == 0 && nc_actor_is_stopped (ctx))
        break;
      /* Reply to whoever sent it: the address came with the datagram. */
      if (nc_sendto (fd, buf, (size_t) n, 0, (struct sockaddr *) &client, client_len) < 0)
        {
          int err = errno;
          nc_close (fd);
          return nc_actor_fail (ctx, err, _("sendto() of the echo"));
        }
    }

  nc_close (fd);
  return 0;
}

int
udp_echo_client (NcActorContext *ctx)
{
  const NcParams *params = nc_actor_get_params (ctx);
  struct sockaddr_storage server, from;
  socklen_t server_len, from_len;
  char buf[2048];
  guint16 port;
  int fd;

  port = nc_actor_wait_port (ctx);
  if (port == 0)
    return -1;
  server_len = nc_scenario_make_address (params->host, port, &server);

  fd = nc_socket (server.ss_family, SOCK_DGRAM, 0);
  if (fd < 0)
    return nc_actor_fail (ctx, errno, "socket()");

  for (guint i = 0; i < params->count; i++)
    {
      /* A datagram too big to send (EMSGSIZE) gets no echo: waiting for
       * one would hang the lesson. */
      if (nc_sendto (fd, params->message, strlen (params->message), 0,
                     (struct sockaddr *) &server, server_len) < 0)
        {
          int err = errno;
          nc_close (fd);
          return nc_actor_fail (ctx, err, _("sendto() of %zu bytes"), strlen (params->message));
        }
      from_len = sizeof from;
      if (nc_recvfrom (fd, buf, sizeof buf, 0, (struct sockaddr *) &from, &from_len) < 0)
        break;
    }

  nc_close (fd);
  return 0;
}

static const NcActorSpec udp_echo_actors[] = {
  { "server", "server", udp_echo_server },
  { "client", "client", udp_echo_client },
};

const NcScenario nc_scenario_udp_echo = {
  .name = "udp-echo",
  .title = N_("UDP echo: datagram sockets"),
  .topic = N_("Datagram Sockets Functions: sendto(), recvfrom()"),
  .notice =
    N_("There is no handshake and no accept(): the server only binds and waits in recvfrom(). "
    "Each sendto() is exactly one datagram on the wire, and each recvfrom() returns one "
    "whole datagram together with the address of whoever sent it, which is where the "
    "server sends its reply. Nothing acknowledges a datagram: no ACK follows."),
  .default_port = 0,
  .default_message = "hello",
  .default_count = 1,
  .default_host = "127.0.0.1",
  .n_actors = G_N_ELEMENTS (udp_echo_actors),
  .actors = udp_echo_actors,
  .datagram_message = TRUE,
};
