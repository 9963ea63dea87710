/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tcp-ipv6: the TCP echo programs over IPv6.
 *
 * The very same server and client as tcp-echo (nc-scenario-tcp-echo.c); only
 * the address differs: ::1, IPv6's loopback. The programs take the address
 * family from the address (AF_INET6 here), so nothing else changes.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "netcore.h"
#include "nc-echo-actors.h"

static const NcActorSpec tcp_ipv6_actors[] = {
  { "server", "server", tcp_echo_server },
  { "client", "client", tcp_echo_client },
};

const NcScenario nc_scenario_tcp_ipv6 = {
  .name = "tcp-ipv6",
  .title = N_("TCP echo over IPv6 (::1)"),
  .topic = N_("Creating sockets: address family AF_INET6"),
  .notice =
    N_("The programs are tcp-echo's, line for line; only the address is ::1 instead of "
    "127.0.0.1, so socket() is called with AF_INET6. The socket calls, their order and "
    "their results are the same. On the wire the packets are IPv6 (a 40-byte header, "
    "128-bit addresses, \"hop limit\" for TTL) but the TCP segments inside are unchanged: "
    "the same handshake, data, ACKs and FINs. The transport layer does not care which "
    "network layer carries it."),
  .default_port = 0,
  .default_message = "hello",
  .default_count = 1,
  .default_host = "::1",
  .n_actors = G_N_ELEMENTS (tcp_ipv6_actors),
  .actors = tcp_ipv6_actors,
};
