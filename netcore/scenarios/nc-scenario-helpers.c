/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nc-scenario-helpers.c: the stream socket model's usual steps, as in
 * tcp-echo, for scenarios whose lesson is elsewhere.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nc-scenario-helpers.h"

#include <errno.h>
#include <string.h>

int
nc_listening_socket_at (NC_AT,
                        NcActorContext *ctx,
                        int             backlog)
{
  const NcParams *params = nc_actor_get_params (ctx);
  struct sockaddr_storage addr;
  socklen_t addr_len = nc_scenario_make_address (params->host, params->port, &addr);
  int fd;

  if (addr_len == 0)
    return nc_actor_fail (ctx, 0, _("“%s” is not an IPv4 or IPv6 address"), params->host);

  fd = nc_socket_at (nc_file, nc_line, addr.ss_family, SOCK_STREAM, 0);
  if (fd < 0)
    return nc_actor_fail (ctx, errno, "socket()");

  if (nc_bind_at (nc_file, nc_line, fd, (struct sockaddr *) &addr, addr_len) < 0)
    {
      int err = errno;
      nc_close_at (nc_file, nc_line, fd);
      return nc_actor_fail (ctx, err, _("bind() to %s port %u"), params->host, params->port);
    }
  if (nc_listen_at (nc_file, nc_line, fd, backlog) < 0)
    {
      int err = errno;
      nc_close_at (nc_file, nc_line, fd);
      return nc_actor_fail (ctx, err, "listen()");
    }

  /* Port 0 let the kernel choose: ask which one, and tell the clients. */
  nc_getsockname_at (nc_file, nc_line, fd, (struct sockaddr *) &addr, &addr_len);
  nc_actor_publish_port (ctx, nc_scenario_address_port (&addr));
  return fd;
}

int
nc_connected_socket_at (NC_AT,
                        NcActorContext *ctx)
{
  const NcParams *params = nc_actor_get_params (ctx);
  struct sockaddr_storage server;
  socklen_t server_len;
  guint16 port;
  int fd;

  port = nc_actor_wait_port (ctx);
  if (port == 0)
    return -1;  /* the server failed, or the run was stopped */
  server_len = nc_scenario_make_address (params->host, port, &server);

  fd = nc_socket_at (nc_file, nc_line, server.ss_family, SOCK_STREAM, 0);
  if (fd < 0)
    return nc_actor_fail (ctx, errno, "socket()");

  if (nc_connect_at (nc_file, nc_line, fd, (struct sockaddr *) &server, server_len) < 0)
    {
      int err = errno;
      nc_close_at (nc_file, nc_line, fd);
      return nc_actor_fail (ctx, err, _("connect() to %s port %u"), params->host, port);
    }
  return fd;
}

gboolean
nc_echo_round_at (NC_AT,
                  int         fd,
                  const char *message)
{
  size_t len = strlen (message);
  size_t got = 0;
  char buf[1024];

  if (nc_send_at (nc_file, nc_line, fd, message, len, 0) < 0)
    return FALSE;
  while (got < len)
    {
      ssize_t n = nc_recv_at (nc_file, nc_line, fd, buf, sizeof buf, 0);
      if (n <= 0)
        return FALSE;
      got += (size_t) n;
    }
  return TRUE;
}

guint
nc_clients_in_run (NcActorContext *ctx,
                   guint           n_clients)
{
  return CLAMP (nc_actor_get_params (ctx)->count, 1, n_clients);
}

gboolean
nc_client_takes_part (NcActorContext *ctx,
                      guint           n_clients)
{
  /* Actor 0 is the server; clients are 1, 2, ... in the order of the list. */
  return nc_actor_get_index (ctx) <= nc_clients_in_run (ctx, n_clients);
}
