/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * udp-ipv6: the UDP echo programs over IPv6.
 *
 * The very same server and client as udp-echo (nc-scenario-udp-echo.c); only
 * the address differs: ::1, IPv6's loopback.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "netcore.h"
#include "nc-echo-actors.h"

static const NcActorSpec udp_ipv6_actors[] = {
  { "server", "server", udp_echo_server },
  { "client", "client", udp_echo_client },
};

const NcScenario nc_scenario_udp_ipv6 = {
  .name = "udp-ipv6",
  .title = N_("UDP echo over IPv6 (::1)"),
  .topic = N_("Creating sockets: address family AF_INET6"),
  .notice =
    N_("The programs are udp-echo's, line for line; only the address is ::1, so socket() is "
    "called with AF_INET6 and recvfrom() reports the sender as an IPv6 address and port. "
    "Each datagram is now carried in an IPv6 packet, and the UDP header inside is the "
    "same eight bytes as over IPv4 (over IPv6 its checksum is no longer optional)."),
  .default_port = 0,
  .default_message = "hello",
  .default_count = 1,
  .default_host = "::1",
  .n_actors = G_N_ELEMENTS (udp_ipv6_actors),
  .actors = udp_ipv6_actors,
  .datagram_message = TRUE,
};
