/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * raw-icmp: ping, written with a raw socket.
 *
 * A SOCK_RAW socket of protocol IPPROTO_ICMP has no ports and no TCP or UDP
 * header: the program writes the ICMP message itself (here an echo request,
 * RFC 792) and the kernel only adds the IP header. Reading, it gets whole IP
 * packets, IP header included, and every ICMP message that arrives, so it
 * must pick out the echo reply that answers its own request.
 *
 * Raw sockets need the CAP_NET_RAW capability: the lab has it, or root.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "netcore.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define ICMP_ECHO_REPLY    0
#define ICMP_ECHO_REQUEST  8

/*
 * An ICMP echo message (RFC 792):
 *
 *   0               8               16                              31
 *  +---------------+---------------+-------------------------------+
 *  |   type (8)    |   code (0)    |           checksum            |
 *  +---------------+---------------+-------------------------------+
 *  |          identifier           |        sequence number        |
 *  +-------------------------------+-------------------------------+
 *  |  data ...
 */
typedef struct
{
  guint8  type;
  guint8  code;
  guint16 checksum;
  guint16 id;
  guint16 seq;
} EchoHeader;

/* The Internet checksum (RFC 1071): the one's complement of the one's
 * complement sum of the message taken as 16-bit words. Summed as the bytes
 * lie in memory, so the result is stored as it is, with no htons(). */
static guint16
internet_checksum (const void *data,
                   gsize       len)
{
  const guint8 *p = data;
  guint32 sum = 0;

  for (; len > 1; p += 2, len -= 2)
    {
      guint16 word;
      memcpy (&word, p, 2);
      sum += word;
    }
  if (len == 1)
    {
      guint16 word = 0;  /* an odd last byte, padded with a zero byte */
      memcpy (&word, p, 1);
      sum += word;
    }
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);  /* fold the carries back in */
  return (guint16) ~sum;
}

/* Is this IP packet (as a raw socket reads it) the echo reply to our request? */
static gboolean
is_our_reply (const guint8 *packet,
              gssize        len,
              guint16       id)
{
  gsize ip_header_len;
  EchoHeader echo;

  if (len < 20)
    return FALSE;
  ip_header_len = (gsize) (packet[0] & 0x0f) * 4;  /* IHL, in 32-bit words */
  if ((gsize) len < ip_header_len + sizeof echo)
    return FALSE;
  memcpy (&echo, packet + ip_header_len, sizeof echo);
  return echo.type == ICMP_ECHO_REPLY && echo.id == id;
}

static int
ping_client (NcActorContext *ctx)
{
  const NcParams *params = nc_actor_get_params (ctx);
  size_t data_len = MIN (strlen (params->message), 1024);
  guint8 request[sizeof (EchoHeader) + 1024], reply[2048];
  struct sockaddr_in to = { 0 }, from;
  socklen_t from_len;
  EchoHeader echo = { 0 };
  int fd;

  to.sin_family = AF_INET;
  if (nc_inet_pton (AF_INET, params->host, &to.sin_addr) != 1)
    return nc_actor_fail (ctx, 0, _("ping needs an IPv4 address, not “%s”"), params->host);

  fd = nc_socket (AF_INET, SOCK_RAW, IPPROTO_ICMP);
  if (fd < 0)
    {
      int err = errno;
      if (err == EPERM || err == EACCES)
        return nc_actor_fail (ctx, err,
                              _("socket(AF_INET, SOCK_RAW, IPPROTO_ICMP): raw sockets need "
                                "the CAP_NET_RAW capability: run this scenario in the lab, "
                                "or as root"));
      return nc_actor_fail (ctx, err, "socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)");
    }

  /* The echo request, built by hand: header fields in network byte order,
   * then the data; the checksum covers both and is computed last. */
  echo.type = ICMP_ECHO_REQUEST;
  echo.code = 0;
  echo.id = nc_htons ((guint16) getpid ());  /* as ping does: tells our replies from others' */
  echo.seq = nc_htons (1);
  memcpy (request, &echo, sizeof echo);
  memcpy (request + sizeof echo, params->message, data_len);
  echo.checksum = internet_checksum (request, sizeof echo + data_len);
  memcpy (request, &echo, sizeof echo);

  /* No port: the address says only which host. The kernel adds the IP header. */
  nc_sendto (fd, request, sizeof echo + data_len, 0, (struct sockaddr *) &to, sizeof to);

  /* A raw socket receives every ICMP message that arrives, on lo even our own
   * request: read until the reply with our identifier. (A timeout, so a ping
   * that is never answered cannot hang the lesson.) */
  nc_settimeout (fd, 2.0);
  for (;;)
    {
      gssize n;

      from_len = sizeof from;
      n = nc_recvfrom (fd, reply, sizeof reply, 0, (struct sockaddr *) &from, &from_len);
      if (n < 0)
        {
          int err = errno;
          nc_close (fd);
          return nc_actor_fail (ctx, err, _("recvfrom(): no echo reply from %s"), params->host);
        }
      if (is_our_reply (reply, n, echo.id))
        break;
    }

  nc_close (fd);
  return 0;
}

static const NcActorSpec raw_icmp_actors[] = {
  { "ping", "client", ping_client },
};

const NcScenario nc_scenario_raw_icmp = {
  .name = "raw-icmp",
  .title = N_("Raw socket: ping with ICMP echo"),
  .topic = N_("Creating sockets: socket type SOCK_RAW"),
  .notice =
    N_("There is no server program: the kernel itself answers a ping. The raw socket has no "
    "port, so sendto() names only a host, and the bytes it sends are a complete ICMP echo "
    "request that the program built itself: type 8, code 0, a checksum, an identifier and "
    "a sequence number, then the data. The kernel adds only the IP header. The reply "
    "(type 0) carries the same identifier, sequence number and data back. Reading a raw "
    "socket returns the whole IP packet, header included, and every ICMP message that "
    "arrives: on loopback the first one is our own request, coming in."),
  .default_port = 0,
  .default_message = "hello",
  .default_count = 1,
  .default_host = "127.0.0.1",
  .n_actors = G_N_ELEMENTS (raw_icmp_actors),
  .actors = raw_icmp_actors,
  .needs_raw_socket = TRUE,
};
