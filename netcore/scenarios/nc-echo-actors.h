/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nc-echo-actors.h: the echo programs' actors (tcp-echo, udp-echo), shared
 * by the scenarios that run the same programs over another address family
 * (tcp-ipv6, udp-ipv6): the code is the same, only the address differs.
 */
#pragma once

#include "netcore.h"

G_BEGIN_DECLS

int tcp_echo_server (NcActorContext *ctx);
int tcp_echo_client (NcActorContext *ctx);
int udp_echo_server (NcActorContext *ctx);
int udp_echo_client (NcActorContext *ctx);

G_END_DECLS
