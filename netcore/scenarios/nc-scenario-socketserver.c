/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * socketserver-tcp, socketserver-udp, socketserver-forking: the course's
 * 4-SocketServer.py. The server is made from an address and a handler whose
 * handle() serves one request; the framework (nc-server.c) does socket(),
 * bind(), listen(), accept() and close() around it.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "netcore.h"
#include "nc-server.h"

#include <errno.h>
#include <string.h>

#define N_CLIENTS 2

/* The handler's handle(): for TCP, a complete client session. */
static void
echo_handle_tcp (NcRequest *request,
                 gpointer   user_data)
{
  char buf[1024];
  ssize_t n;

  while ((n = nc_recv (request->request, buf, sizeof buf, 0)) > 0)
    nc_send (request->request, buf, (size_t) n, 0);
}

/* For UDP, one datagram: self.request is (data, socket). */
static void
echo_handle_udp (NcRequest *request,
                 gpointer   user_data)
{
  nc_sendto (request->request, request->data, (size_t) request->data_len, 0,
             (struct sockaddr *) &request->client_address, request->client_address_len);
}

static int
serve (NcActorContext *ctx,
       NcServerKind    kind,
       NcServerMode    mode)
{
  const NcParams *params = nc_actor_get_params (ctx);
  struct sockaddr_storage addr;
  socklen_t len = nc_scenario_make_address (params->host, params->port, &addr);
  g_autoptr(NcServer) server = nc_server_new (kind, mode,
                                              kind == NC_SERVER_TCP ? echo_handle_tcp
                                                                    : echo_handle_udp,
                                              NULL);

  /* socketserver.TCPServer((host, port), Handler) */
  if (nc_server_bind_and_activate (server, (struct sockaddr *) &addr, len) < 0)
    return nc_actor_fail (ctx, errno, _("binding the server to %s port %u"), params->host,
                          params->port);
  nc_actor_publish_port (ctx, nc_server_get_port (server));

  /* serve_forever(), for as many requests as there are clients */
  nc_server_serve (server, N_CLIENTS);
  nc_server_close (server);
  return 0;
}

static int
threading_tcp_server (NcActorContext *ctx)
{
  return serve (ctx, NC_SERVER_TCP, NC_SERVER_THREADING);
}

static int
forking_tcp_server (NcActorContext *ctx)
{
  return serve (ctx, NC_SERVER_TCP, NC_SERVER_FORKING);
}

static int
udp_server (NcActorContext *ctx)
{
  return serve (ctx, NC_SERVER_UDP, NC_SERVER_SERIAL);
}

static int
tcp_client (NcActorContext *ctx)
{
  const NcParams *params = nc_actor_get_params (ctx);
  struct sockaddr_storage server;
  socklen_t len;
  char buf[1024];
  guint16 port;
  int fd;

  if ((port = nc_actor_wait_port (ctx)) == 0)
    return -1;
  len = nc_scenario_make_address (params->host, port, &server);
  fd = nc_socket (server.ss_family, SOCK_STREAM, 0);
  if (nc_connect (fd, (struct sockaddr *) &server, len) < 0)
    {
      int err = errno;
      nc_close (fd);
      return nc_actor_fail (ctx, err, _("connect() to port %u"), port);
    }
  nc_send (fd, params->message, strlen (params->message), 0);
  nc_recv (fd, buf, sizeof buf, 0);
  nc_close (fd);
  return 0;
}

static int
udp_client (NcActorContext *ctx)
{
  const NcParams *params = nc_actor_get_params (ctx);
  struct sockaddr_storage server;
  socklen_t len;
  char buf[1024];
  guint16 port;
  int fd;

  if ((port = nc_actor_wait_port (ctx)) == 0)
    return -1;
  len = nc_scenario_make_address (params->host, port, &server);
  fd = nc_socket (server.ss_family, SOCK_DGRAM, 0);
  if (fd < 0)
    return nc_actor_fail (ctx, errno, "socket()");
  /* No echo comes for a datagram that was never sent: do not wait for one. */
  if (nc_sendto (fd, params->message, strlen (params->message), 0, (struct sockaddr *) &server,
                 len) < 0)
    {
      int err = errno;
      nc_close (fd);
      return nc_actor_fail (ctx, err, _("sendto() of %zu bytes"), strlen (params->message));
    }
  nc_recvfrom (fd, buf, sizeof buf, 0, NULL, NULL);
  nc_close (fd);
  return 0;
}

static const NcActorSpec threading_actors[] = {
  { "server", "server", threading_tcp_server },
  { "client 1", "client", tcp_client },
  { "client 2", "client", tcp_client },
};

static const NcActorSpec forking_actors[] = {
  { "server", "server", forking_tcp_server },
  { "client 1", "client", tcp_client },
  { "client 2", "client", tcp_client },
};

static const NcActorSpec udp_actors[] = {
  { "server", "server", udp_server },
  { "client 1", "client", udp_client },
  { "client 2", "client", udp_client },
};


const NcScenario nc_scenario_socketserver_tcp = {
  .name = "socketserver-tcp",
  .title = N_("ThreadingTCPServer: a thread per connection"),
  .topic = N_("Server Libraries: socketserver.ThreadingTCPServer (4-SocketServer.py)"),
  .notice =
    N_("The server object does socket(), bind() and listen() for us, then accept() in a loop. "
    "Each accepted connection gets a handler whose handle() serves the complete client "
    "session on a thread of its own: look for the new “handler” columns. The listening "
    "socket stays with the server; each handler works on the connected socket "
    "(self.request) and the framework closes it when handle() returns."),
  .default_message = "hello",
  .default_count = N_CLIENTS,
  .default_host = "127.0.0.1",
  .n_actors = G_N_ELEMENTS (threading_actors),
  .actors = threading_actors,
};

const NcScenario nc_scenario_socketserver_udp = {
  .name = "socketserver-udp",
  .title = N_("UDPServer: one datagram, one request"),
  .topic = N_("Server Libraries: socketserver.UDPServer"),
  .notice =
    N_("A UDP server has no listen() and no accept(): each request is one datagram, taken "
    "with recvfrom(). The handler gets the data and the server's socket (self.request is "
    "(data, socket)) and replies with sendto() to self.client_address. Two clients, two "
    "datagrams, two handle() calls."),
  .default_message = "hello",
  .default_count = N_CLIENTS,
  .default_host = "127.0.0.1",
  .n_actors = G_N_ELEMENTS (udp_actors),
  .actors = udp_actors,
  .datagram_message = TRUE,
};

const NcScenario nc_scenario_socketserver_forking = {
  .name = "socketserver-forking",
  .title = N_("ForkingTCPServer: a process per connection"),
  .topic = N_("Server Libraries: socketserver.ForkingTCPServer"),
  .notice =
    N_("Like the threading server, but each connection is served by a child process made with "
    "fork(): the handler columns have their own process ids. The parent closes its copy of "
    "the connected socket at once; the child serves the session and exits. The FIN to the "
    "client comes from the child's close()."),
  .default_message = "hello",
  .default_count = N_CLIENTS,
  .default_host = "127.0.0.1",
  .n_actors = G_N_ELEMENTS (forking_actors),
  .actors = forking_actors,
};
