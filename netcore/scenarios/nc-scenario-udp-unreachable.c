/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * udp-unreachable: sendto() a port where no socket is bound.
 *
 * The "server" takes a port and closes its socket again, so nothing receives
 * there any more. The client's datagram still goes out (UDP asks no one
 * first), and the receiving kernel answers with an ICMP "port unreachable"
 * message. What the client learns of it depends on its socket:
 *   - unconnected (sendto() with an address each time): nothing at all;
 *   - connected (connect(), then send()): its next recv() fails with
 *     ECONNREFUSED.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "netcore.h"

#include <errno.h>
#include <string.h>

static int
gone_server (NcActorContext *ctx)
{
  const NcParams *params = nc_actor_get_params (ctx);
  struct sockaddr_storage addr;
  socklen_t addr_len = nc_scenario_make_address (params->host, params->port, &addr);
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

  /* The server goes away: from now on no socket is bound to this port. */
  nc_close (fd);
  nc_actor_publish_port (ctx, nc_scenario_address_port (&addr));
  return 0;
}

static int
unreachable_client (NcActorContext *ctx)
{
  const NcParams *params = nc_actor_get_params (ctx);
  size_t len = strlen (params->message);
  struct sockaddr_storage server;
  socklen_t server_len;
  char buf[2048];
  guint16 port;
  ssize_t n;
  int fd, connected_fd, err;

  port = nc_actor_wait_port (ctx);
  if (port == 0)
    return -1;
  server_len = nc_scenario_make_address (params->host, port, &server);

  /* 1. An unconnected socket. sendto() succeeds: the datagram left. */
  fd = nc_socket (server.ss_family, SOCK_DGRAM, 0);
  if (fd < 0)
    return nc_actor_fail (ctx, errno, "socket()");
  nc_sendto (fd, params->message, len, 0, (struct sockaddr *) &server, server_len);

  /* The ICMP error comes back, but an unconnected socket is not told:
   * recvfrom() would wait for ever, so wait half a second only. */
  nc_settimeout (fd, 0.5);
  n = nc_recvfrom (fd, buf, sizeof buf, 0, NULL, NULL);
  err = errno;
  if (n >= 0 || (err != EAGAIN && err != EWOULDBLOCK))
    {
      nc_close (fd);
      return nc_actor_fail (ctx, n >= 0 ? 0 : err,
                            _("recvfrom() on the unconnected socket should have timed out"));
    }

  /* 2. A connected socket: connect() sends nothing, it only fixes the
   * address, so the kernel can pass the ICMP error on to this socket. */
  connected_fd = nc_socket (server.ss_family, SOCK_DGRAM, 0);
  if (connected_fd < 0)
    {
      err = errno;
      nc_close (fd);
      return nc_actor_fail (ctx, err, "socket()");
    }
  nc_connect (connected_fd, (struct sockaddr *) &server, server_len);
  nc_send (connected_fd, params->message, len, 0);

  /* The error waits on the socket: the next call reports it. (A timeout,
   * so a lost ICMP message cannot hang the lesson.) */
  nc_settimeout (connected_fd, 2.0);
  n = nc_recv (connected_fd, buf, sizeof buf, 0);
  err = errno;

  /* Both closed only now, so the two sockets never share a port. */
  nc_close (connected_fd);
  nc_close (fd);

  if (n >= 0 || err != ECONNREFUSED)
    return nc_actor_fail (ctx, n >= 0 ? 0 : err,
                          _("recv() on the connected socket should fail with ECONNREFUSED"));
  return 0;
}

static const NcActorSpec udp_unreachable_actors[] = {
  { "server", "server", gone_server },
  { "client", "client", unreachable_client },
};

const NcScenario nc_scenario_udp_unreachable = {
  .name = "udp-unreachable",
  .title = N_("UDP to a closed port: ICMP port unreachable"),
  .topic = N_("Datagram Sockets Functions: sendto(), recvfrom()"),
  .notice =
    N_("The server binds a port and closes it again. The client's sendto() succeeds anyway: "
    "UDP has no handshake, so the datagram simply leaves. The receiving kernel has no "
    "socket for it and answers with an ICMP \"destination unreachable, port "
    "unreachable\" message, which quotes the start of the lost datagram. The unconnected "
    "socket is never told: its recvfrom() just times out. The second socket is connected "
    "(connect() on a datagram socket sends nothing; it fixes the peer): after its send(), "
    "the same ICMP message makes its next recv() fail with ECONNREFUSED."),
  .default_port = 0,
  .default_message = "hello",
  .default_count = 1,
  .default_host = "127.0.0.1",
  .n_actors = G_N_ELEMENTS (udp_unreachable_actors),
  .actors = udp_unreachable_actors,
  .datagram_message = TRUE,
};
