/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * names-and-bytes: the helpers around the socket calls.
 *
 * Names: gethostname(); getaddrinfo() turns a name into an address (the
 * course's gethostbyname()), getnameinfo() an address into a name (its
 * gethostbyaddr()); getsockname() and getpeername() give the two ends of a
 * connection. Bytes: inet_aton() and inet_ntoa() convert an IPv4 address
 * between text and its four bytes; htons()/htonl() put a number in network
 * byte order (most significant byte first) and ntohs()/ntohl() take it back.
 * The port the client writes with htons() is, byte for byte, the destination
 * port in its SYN.
 *
 * Only names that /etc/hosts answers are looked up: "localhost", and in the
 * lab its machine's own name. Nothing here asks a DNS server.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "netcore.h"
#include "nc-scenario-helpers.h"

#include <errno.h>
#include <netinet/in.h>

static int
names_server (NcActorContext *ctx)
{
  struct sockaddr_storage me, peer;
  socklen_t me_len = sizeof me, peer_len = sizeof peer;
  int fd, conn;

  fd = nc_listening_socket (ctx, 5);  /* socket(), bind(), listen(5) */
  if (fd < 0)
    return -1;

  conn = nc_accept (fd, NULL, NULL);
  if (conn < 0)
    {
      int err = errno;
      nc_close (fd);
      return nc_actor_fail (ctx, err, "accept()");
    }

  /* The same connection from this end: the client's names, mirrored. */
  nc_getsockname (conn, (struct sockaddr *) &me, &me_len);
  nc_getpeername (conn, (struct sockaddr *) &peer, &peer_len);

  nc_close (conn);
  nc_close (fd);
  return 0;
}

/* gethostname(), gethostbyname() and gethostbyaddr() of the course */
static int
look_up_names (NcActorContext *ctx)
{
  struct addrinfo hints = { 0 }, *res = NULL;
  char name[256], host[NI_MAXHOST];
  int ret;

  /* This machine's name */
  nc_gethostname (name, sizeof name);

  /* A name to an address: "localhost" is in /etc/hosts. */
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  ret = nc_getaddrinfo ("localhost", NULL, &hints, &res);
  if (ret != 0)
    return nc_actor_fail (ctx, 0, "getaddrinfo(\"localhost\"): %s", gai_strerror (ret));

  /* And back, from that address to a name. */
  nc_getnameinfo (res->ai_addr, res->ai_addrlen, host, sizeof host, NULL, 0, 0);
  nc_freeaddrinfo (res);

  /* In the lab the machine is "socklens-lab", and the lab's own /etc/hosts
   * names it: look it up too. Elsewhere this machine's name might need a DNS
   * server, which a lesson must never depend on. */
  if (g_str_equal (name, NC_LAB_HOSTNAME))
    {
      ret = nc_getaddrinfo (name, NULL, &hints, &res);
      if (ret != 0)
        return nc_actor_fail (ctx, 0, "getaddrinfo(\"%s\"): %s", name, gai_strerror (ret));
      nc_freeaddrinfo (res);
    }
  return 0;
}

static int
names_client (NcActorContext *ctx)
{
  const NcParams *params = nc_actor_get_params (ctx);
  struct sockaddr_in server = { 0 }, me, peer;
  socklen_t len;
  struct in_addr addr;
  guint32 number;
  guint16 port;
  int fd;

  if (look_up_names (ctx) < 0)
    return -1;

  /* Text to bytes: "127.0.0.1" becomes 7f 00 00 01, already in network order. */
  if (nc_inet_aton (params->host, &addr) == 0)
    return nc_actor_fail (ctx, 0, _("inet_aton(\"%s\"): this lesson needs an IPv4 address"),
                          params->host);
  nc_inet_ntoa (addr);  /* and the bytes back to text */

  /* The same four bytes as a number (2130706433 for 127.0.0.1), and back. */
  number = nc_ntohl (addr.s_addr);
  nc_htonl (number);

  port = nc_actor_wait_port (ctx);
  if (port == 0)
    return -1;

  /* A socket address is filled in network byte order: htons() for the port. */
  server.sin_family = AF_INET;
  server.sin_port = nc_htons (port);  /* these two bytes go into the SYN */
  server.sin_addr = addr;

  fd = nc_socket (AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    return nc_actor_fail (ctx, errno, "socket()");
  if (nc_connect (fd, (struct sockaddr *) &server, sizeof server) < 0)
    {
      int err = errno;
      nc_close (fd);
      return nc_actor_fail (ctx, err, _("connect() to %s port %u"), params->host, port);
    }

  /* Our own end: connect() chose a port for us; ntohs() makes it a number. */
  len = sizeof me;
  nc_getsockname (fd, (struct sockaddr *) &me, &len);
  nc_ntohs (me.sin_port);
  /* The other end: the server's address and port */
  len = sizeof peer;
  nc_getpeername (fd, (struct sockaddr *) &peer, &len);

  nc_close (fd);
  return 0;
}

static const NcActorSpec names_and_bytes_actors[] = {
  { "server", "server", names_server },
  { "client", "client", names_client },
};

const NcScenario nc_scenario_names_and_bytes = {
  .name = "names-and-bytes",
  .title = N_("Names and bytes: host names, addresses, byte order"),
  .topic = N_("Other Socket Functions (1/2, 2/2): gethostname() ... inet_ntoa()"),
  .notice =
    N_("gethostname() gives this machine's name; getaddrinfo(\"localhost\") turns a name into "
    "an address (the course's gethostbyname()) and getnameinfo() turns it back "
    "(gethostbyaddr()). inet_aton() makes the four bytes 7f 00 00 01 from \"127.0.0.1\", "
    "and they are already in network byte order: ntohl() reads them as the number "
    "2130706433. The client writes the port with htons(): on a little-endian PC its two "
    "bytes are swapped in memory, which puts the most significant byte first, and exactly "
    "these two bytes are the destination port in the SYN's TCP header. After connect(), "
    "getsockname() and getpeername() on each side show the same two endpoints, swapped."),
  .default_port = 0,
  .default_message = "hello",
  .default_count = 1,
  .default_host = "127.0.0.1",
  .n_actors = G_N_ELEMENTS (names_and_bytes_actors),
  .actors = names_and_bytes_actors,
};
