/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tcp-lossy: TCP echo between two hosts over a link that loses one segment.
 *
 * The client (host 192.0.2.1) connects to the server (host 192.0.2.2), sends
 * one message and waits in recv() for the echo. The link drops the client's
 * first data segment (packet 4, after SYN, SYN/ACK, ACK), so nothing comes
 * back: the client's kernel waits for its retransmission timer (at least
 * 200 ms), sends the segment again, and only then does the server's recv()
 * return and the echo reach the client. The program never sees the loss:
 * TCP repairs it below the socket API, and all it costs is time.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "netcore.h"

#include <errno.h>
#include <string.h>

static int
lossy_server (NcActorContext *ctx)
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

  nc_getsockname (fd, (struct sockaddr *) &addr, &addr_len);
  nc_actor_publish_port (ctx, nc_scenario_address_port (&addr));

  conn = nc_accept (fd, NULL, NULL);
  if (conn < 0)
    {
      int err = errno;
      nc_close (fd);
      return nc_actor_fail (ctx, err, "accept()");
    }

  /* The lost segment never reaches this recv(): it returns with the
   * retransmitted copy, a retransmission timeout later. */
  while ((n = nc_recv (conn, buf, sizeof buf, 0)) > 0)
    nc_send (conn, buf, (size_t) n, 0);

  nc_close (conn);
  nc_close (fd);
  return 0;
}

static int
lossy_client (NcActorContext *ctx)
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

      /* send() returns at once: the bytes are in the kernel's send queue,
       * and stay there until they are acknowledged. */
      nc_send (fd, params->message, len, 0);
      /* Waits here while the kernel retransmits the lost segment. */
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

static const NcActorSpec tcp_lossy_actors[] = {
  { "server", "server", lossy_server, .host = 1 },
  { "client", "client", lossy_client, .host = 0 },
};

const NcScenario nc_scenario_tcp_lossy = {
  .name = "tcp-lossy",
  .title = N_("TCP over a lossy link: retransmission"),
  .topic = N_("TCP reliability: acknowledgements and retransmission"),
  .notice =
    N_("The client and the server are on two hosts joined by a link that loses the client's "
    "first data segment (it still shows in the capture, marked as dropped). The client's "
    "send() returns at once, but its recv() waits: no echo can come. After its retransmission "
    "timeout (at least 200 ms) the client's kernel sends the same bytes again, with the same "
    "sequence number; this copy arrives, the server's recv() returns and the echo follows. "
    "Neither program sees the loss: only the time it cost."),
  .default_port = 0,
  .default_message = "hello",
  .default_count = 1,
  .default_host = "192.0.2.2",
  .n_actors = G_N_ELEMENTS (tcp_lossy_actors),
  .actors = tcp_lossy_actors,
  .n_hosts = 2,
  .drop_packet = 4,
};
