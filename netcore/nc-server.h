/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nc-server.h: a server framework after the course's socketserver module.
 *
 * A server is made from a kind (TCP or UDP), a way to run requests (one
 * after another, a thread each, or a forked process each: Python's
 * ThreadingMixIn and ForkingMixIn) and a handler whose handle() serves one
 * request: a whole client session for TCP, one datagram for UDP.
 *
 *   server = nc_server_new (NC_SERVER_TCP, NC_SERVER_THREADING, handle, data);
 *   nc_server_bind_and_activate (server, addr, len);   socket, bind, listen
 *   nc_server_serve (server, 3);                       accept and handle, 3 times
 *   nc_server_close (server);                          waits for its handlers
 *
 * Everything it does goes through netcore, so every call is on the timeline;
 * handler threads and processes appear as actors of their own.
 */
#pragma once

#include <glib.h>
#include <sys/socket.h>

#include "nc-call.h"

G_BEGIN_DECLS

typedef enum
{
  NC_SERVER_TCP,  /* socketserver.TCPServer */
  NC_SERVER_UDP,  /* socketserver.UDPServer */
} NcServerKind;

typedef enum
{
  NC_SERVER_SERIAL,     /* each request handled before the next is taken */
  NC_SERVER_THREADING,  /* ThreadingMixIn: a thread per request */
  NC_SERVER_FORKING,    /* ForkingMixIn: a child process per request */
} NcServerMode;

typedef struct _NcServer NcServer;

/* What handle() gets: Python's self.request, self.client_address, self.server */
typedef struct
{
  NcServer               *server;
  int                     request;            /* TCP: the connected socket; UDP: the server's socket */
  const guint8           *data;               /* UDP: the datagram that arrived */
  gssize                  data_len;
  struct sockaddr_storage client_address;
  socklen_t               client_address_len;
  char                    client_text[NC_ADDR_TEXT_MAX];
} NcRequest;

typedef void (*NcHandlerFunc) (NcRequest *request,
                               gpointer   user_data);

NcServer   *nc_server_new                (NcServerKind           kind,
                                          NcServerMode           mode,
                                          NcHandlerFunc          handle,
                                          gpointer               user_data);
void        nc_server_free               (NcServer              *server);
int         nc_server_bind_and_activate  (NcServer              *server,
                                          const struct sockaddr *addr,
                                          socklen_t              len);
int         nc_server_fileno             (NcServer              *server);
guint16     nc_server_get_port           (NcServer              *server);
int         nc_server_handle_request     (NcServer              *server);
int         nc_server_serve              (NcServer              *server,
                                          guint                  n_requests);
void        nc_server_close              (NcServer              *server);
const char *nc_server_mode_name          (NcServerMode           mode);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcServer, nc_server_free)

G_END_DECLS
