/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tcp-bulk: one MiB through a stream socket.
 *
 * The client calls send() in a loop until all the bytes are handed to its
 * kernel, then closes. send() returns when the bytes are in the kernel's send
 * buffer, not when they have arrived: the kernel cuts them into segments,
 * sends as many as the receiver's window allows, and the receiver's kernel
 * acknowledges them, often one ACK for several segments. The server calls
 * recv() until it returns 0, and counts the bytes.
 *
 * The server fixes its receive buffer at 64 KiB (setting it turns off the
 * kernel's autotuning, which on loopback grows it to megabytes; the kernel
 * doubles the value for its bookkeeping, so the buffer holds at most 128 KiB).
 * Then, before its first recv(), it waits until the client has handed over
 * more than that buffer can hold. Until the server reads, nothing more can be
 * acknowledged, so the send() that went past the buffer certainly returned
 * with bytes still waiting in the client's kernel, however fast or loaded the
 * machine is. (With autotuned buffers and a server that reads at once, the
 * ACKs come back within microseconds and nothing can be seen.)
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "netcore.h"
#include "nc-scenario-helpers.h"

#include <errno.h>
#include <string.h>

#define CHUNK (64 * 1024)       /* bytes handed to each send() */
#define SERVER_RCVBUF (64 * 1024) /* the server's receive buffer, fixed: a window below CHUNK */
/* What the server's kernel can hold at most (it doubles SO_RCVBUF, man 7
 * socket): once the client has sent more, bytes must wait in its own kernel. */
#define SERVER_HOLDS (2 * SERVER_RCVBUF)
/* The client's send buffer, fixed too, and big enough for the bytes the
 * server's kernel cannot take before the server starts reading: the client's
 * send() calls up to then never wait for room (the kernel doubles it too). */
#define CLIENT_SNDBUF (4 * CHUNK)
/* Named rendezvous: the client has sent more than the server's kernel holds. */
#define SIGNAL_OVERFILLED "sent-more-than-the-server-holds"

static int
bulk_server (NcActorContext *ctx)
{
  g_autofree char *buf = g_malloc (CHUNK);
  guint64 total = 0;
  ssize_t n;
  int fd, conn;

  const NcParams *params = nc_actor_get_params (ctx);
  struct sockaddr_storage addr;
  socklen_t addr_len = nc_scenario_make_address (params->host, params->port, &addr);
  int rcvbuf = SERVER_RCVBUF;

  fd = nc_socket (addr.ss_family, SOCK_STREAM, 0);
  if (fd < 0)
    return nc_actor_fail (ctx, errno, "socket()");
  /* Before listen(): the connection inherits it, and the SYN/ACK already
   * announces the small window. */
  nc_setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  if (nc_bind (fd, (struct sockaddr *) &addr, addr_len) < 0 || nc_listen (fd, 5) < 0)
    {
      int err = errno;
      nc_close (fd);
      return nc_actor_fail (ctx, err, _("bind() or listen() on %s port %u"), params->host,
                            params->port);
    }
  nc_getsockname (fd, (struct sockaddr *) &addr, &addr_len);
  nc_actor_publish_port (ctx, nc_scenario_address_port (&addr));

  conn = nc_accept (fd, NULL, NULL);
  if (conn < 0)
    {
      int err = errno;
      nc_close (fd);
      return nc_actor_fail (ctx, err, "accept()");
    }

  /* Not a socket call: the server reads nothing until the client's send()
   * calls have filled its buffer, so the client's kernel must keep the rest. */
  if (!nc_actor_wait_signal (ctx, SIGNAL_OVERFILLED, 1))
    {
      nc_close (conn);
      nc_close (fd);
      return -1;
    }

  /* Each recv() returns what has arrived so far, up to CHUNK bytes: the
   * pieces need not match the client's send() calls. */
  while ((n = nc_recv (conn, buf, CHUNK, 0)) > 0)
    total += (guint64) n;

  nc_close (conn);
  nc_close (fd);
  if (n < 0)
    return nc_actor_fail (ctx, errno, _("recv() after %" PRIu64 " bytes"), total);
  return 0;
}

/* The data: the message over and over, so a segment's bytes are readable. */
static void
fill (char       *buf,
      gsize       len,
      const char *message)
{
  gsize m = MAX (strlen (message), 1);

  for (gsize i = 0; i < len; i++)
    buf[i] = message[0] ? message[i % m] : '.';
}

static int
bulk_client (NcActorContext *ctx)
{
  const NcParams *params = nc_actor_get_params (ctx);
  guint64 total = (guint64) params->count * 1024;  /* count is in KiB */
  guint64 sent = 0;
  g_autofree char *buf = g_malloc (CHUNK);
  int sndbuf = CLIENT_SNDBUF;
  gboolean told = FALSE;
  int fd;

  fill (buf, CHUNK, params->message);

  fd = nc_connected_socket (ctx);  /* socket(), connect() */
  if (fd < 0)
    return -1;
  nc_setsockopt (fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);

  /* send() says how many bytes it took; a loop makes sure it takes all. */
  while (sent < total)
    {
      ssize_t n = nc_send (fd, buf, (size_t) MIN ((guint64) CHUNK, total - sent), 0);
      if (n < 0)
        {
          int err = errno;
          nc_close (fd);
          return nc_actor_fail (ctx, err, _("send() after %" PRIu64 " bytes"), sent);
        }
      sent += (guint64) n;
      if (!told && sent > SERVER_HOLDS)
        {
          nc_actor_signal (ctx, SIGNAL_OVERFILLED);
          told = TRUE;
        }
    }
  if (!told)  /* a --count too small to fill the server's buffer */
    nc_actor_signal (ctx, SIGNAL_OVERFILLED);

  /* close() returns at once too: the kernel still delivers what is queued. */
  nc_close (fd);
  return 0;
}

static const NcActorSpec tcp_bulk_actors[] = {
  { "server", "server", bulk_server },
  { "client", "client", bulk_client },
};

const NcScenario nc_scenario_tcp_bulk = {
  .name = "tcp-bulk",
  .title = N_("TCP bulk transfer: send() in a loop"),
  .topic = N_("Stream Sockets Functions (3/3): send(), recv()"),
  .notice =
    N_("The server fixes its receive buffer at 64 KiB (setsockopt SO_RCVBUF) and reads "
    "nothing until the client has sent more than that buffer holds. Each send() still returns as soon as its bytes "
    "are copied into the kernel's send buffer, long before they are acknowledged: the "
    "call inspector shows the bytes still queued in the client's kernel, and ACKs keep "
    "arriving after the last send() has returned. The kernel cuts the stream into segments of its own size, not "
    "the size of the send() calls, and the server's recv() calls return pieces of yet "
    "other sizes. The receiver's kernel acknowledges several segments with one ACK, and "
    "each ACK carries a window: how many more bytes it is ready to take. Count the bytes: "
    "what the recv() calls return adds up exactly to what the send() calls took."),
  .default_port = 0,
  .default_message = "hello",
  .default_count = 1024,
  .default_host = "127.0.0.1",
  .n_actors = G_N_ELEMENTS (tcp_bulk_actors),
  .actors = tcp_bulk_actors,
};
