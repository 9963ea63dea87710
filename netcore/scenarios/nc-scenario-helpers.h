/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nc-scenario-helpers.h: the steps many TCP scenarios repeat, written once.
 *
 * tcp-echo shows every step of the stream socket model; later scenarios make
 * their own point and leave the usual steps to these helpers. Each helper
 * makes its socket calls on behalf of the line that called it (the macros
 * pass __FILE__ and __LINE__ on), so a timeline and the code pane point at
 * the scenario's own line, not at this file.
 */
#pragma once

#include "netcore.h"

G_BEGIN_DECLS

/* socket(), bind() to the run's host and port, listen(@backlog), then
 * getsockname() to learn the port and publish it to the clients.
 * Returns the listening socket, or -1 after failing the run. */
int      nc_listening_socket_at (NC_AT, NcActorContext *ctx, int backlog);

/* Waits for the server's port, then socket() and connect() to it.
 * Returns the connected socket, or -1 after failing the run. */
int      nc_connected_socket_at (NC_AT, NcActorContext *ctx);

/* send() @message once, then recv() until as many bytes came back (TCP is
 * a byte stream: the echo may come in pieces). FALSE if the stream ended. */
gboolean nc_echo_round_at       (NC_AT, int fd, const char *message);

/* Scenarios with several client actors (server first, then "client 1",
 * "client 2", ...): --count says how many of the @n_clients take part; the
 * others make no call. Not a socket call. */
guint    nc_clients_in_run      (NcActorContext *ctx, guint n_clients);
gboolean nc_client_takes_part   (NcActorContext *ctx, guint n_clients);

#define nc_listening_socket(...) nc_listening_socket_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_connected_socket(...) nc_connected_socket_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_echo_round(...)       nc_echo_round_at (__FILE__, __LINE__, __VA_ARGS__)

G_END_DECLS
