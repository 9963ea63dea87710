/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-scenarios.c: each course scenario run for real on loopback, captured
 * with libpcap, and checked for the calls AND the packets that make its
 * point: what a teacher will show must be what the kernel did.
 *
 * Capturing needs CAP_NET_RAW. Without it the tests skip with a message;
 * CI runs as root, and there a skip fails the run.
 */

#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cap-dissect.h"
#include "sl-test-capture.h"


static const CapPacket *
packet (CapRecording *recording,
        guint32       index)
{
  return cap_recording_get_packet (recording, index);
}

static guint8
syn_ack_rst (CapRecording *recording,
             guint32       index)
{
  return sl_test_tcp_flags (recording, index) & (CAP_TCP_SYN | CAP_TCP_ACK | CAP_TCP_RST);
}

static void
dissect (CapRecording *recording,
         guint32       index,
         CapSummary   *out)
{
  g_assert_true (cap_recording_dissect_packet (recording, index, out));
}

/* tcp-refused: SYN out, RST back, ECONNREFUSED */
static void
test_tcp_refused (void)
{
  g_autoptr(CapRecording) recording = sl_test_capture_run ("tcp-refused", NULL);
  const NcCall *connect_call;
  const CapPacket *syn, *rst;
  guint32 pk[4];

  if (recording == NULL)
    return;
  g_assert_cmpuint (sl_test_count_calls (recording, "server", NC_CALL_LISTEN), ==, 0);
  connect_call = sl_test_find_call (recording, "client", NC_CALL_CONNECT, 0);
  g_assert_cmpint (connect_call->result, ==, -1);
  g_assert_cmpint (connect_call->err, ==, ECONNREFUSED);

  /* Two packets, and no SYN/ACK: the SYN, and the RST that answers it */
  g_assert_cmpuint (sl_test_linked_packets (recording, connect_call, CAP_LINK_REFUSED, pk, 4),
                    ==, 2);
  syn = packet (recording, pk[0]);
  rst = packet (recording, pk[1]);
  g_assert_cmphex (syn_ack_rst (recording, pk[0]), ==, CAP_TCP_SYN);
  g_assert_true (rst->tcp_flags & CAP_TCP_RST);
  g_assert_cmpuint (rst->src, ==, syn->dst);
  g_assert_cmpuint (rst->dst, ==, syn->src);
  g_assert_cmpint (syn->ts, >=, connect_call->ts_start);
  g_assert_cmpint (rst->ts, <=, connect_call->ts_end);
  for (guint p = 0; p < cap_recording_get_n_packets (recording); p++)
    if (packet (recording, p)->conv == syn->conv)
      g_assert_cmphex (syn_ack_rst (recording, p), !=, CAP_TCP_SYN | CAP_TCP_ACK);
}

/* tcp-backlog: every handshake completes in the kernel before accept() is
 * even called, so each accept() returns at once. */
static void
test_tcp_backlog (void)
{
  g_autoptr(CapRecording) recording = sl_test_capture_run ("tcp-backlog", NULL);
  const NcCall *first_accept;
  guint n_clients;

  if (recording == NULL)
    return;
  n_clients = nc_scenario_lookup ("tcp-backlog")->default_count;
  g_assert_cmpuint (n_clients, ==, 3);
  g_assert_cmpuint (sl_test_count_calls (recording, "server", NC_CALL_ACCEPT), ==, n_clients);
  g_assert_cmpuint (sl_test_count_calls (recording, NULL, NC_CALL_CONNECT), ==, n_clients);

  /* All the clients were connected before the server's first accept() */
  first_accept = sl_test_find_call (recording, "server", NC_CALL_ACCEPT, 0);
  for (guint i = 0; i < n_clients; i++)
    {
      const NcCall *connect_call = sl_test_find_call (recording, NULL, NC_CALL_CONNECT, i);
      g_assert_cmpint (connect_call->result, ==, 0);
      g_assert_cmpint (connect_call->ts_end, <, first_accept->ts_start);
    }

  for (guint i = 0; i < n_clients; i++)
    {
      const NcCall *accept_call = sl_test_find_call (recording, "server", NC_CALL_ACCEPT, i);
      guint32 pk[4];

      g_assert_cmpint (accept_call->result, >=, 0);
      g_assert_cmpuint (sl_test_linked_packets (recording, accept_call, CAP_LINK_HANDSHAKE, pk, 4),
                        ==, 3);
      g_assert_cmphex (syn_ack_rst (recording, pk[0]), ==, CAP_TCP_SYN);
      g_assert_cmphex (syn_ack_rst (recording, pk[1]), ==, CAP_TCP_SYN | CAP_TCP_ACK);
      g_assert_cmphex (syn_ack_rst (recording, pk[2]), ==, CAP_TCP_ACK);
      /* The ACK completed the handshake before accept() was called: the
       * connection was in the queue, and accept() only took it. (How long
       * it then took is the scheduler's business, not an assertion.) */
      g_assert_cmpint (packet (recording, pk[2])->ts, <, accept_call->ts_start);
    }
}

/* The state of the TCP socket @local -> @remote (as "addr:port" texts)
 * in /proc/net/tcp, or -1 if it is not there. IPv4 only. */
static int
proc_tcp_state (const char *local,
                const char *remote)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  guint lport, rport;

  g_assert_true (g_file_get_contents ("/proc/net/tcp", &contents, NULL, NULL));
  g_assert_true (sscanf (strrchr (local, ':') + 1, "%u", &lport) == 1);
  g_assert_true (sscanf (strrchr (remote, ':') + 1, "%u", &rport) == 1);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      guint la, lp, ra, rp, state;
      if (sscanf (lines[i], " %*u: %8X:%4X %8X:%4X %2X", &la, &lp, &ra, &rp, &state) == 5 &&
          lp == lport && rp == rport)
        return (int) state;
    }
  return -1;
}

/* Does the other side acknowledge @fin (ack beyond its data and the FIN)? */
static gboolean
fin_acknowledged (CapRecording *recording,
                  guint32       fin)
{
  const CapPacket *f = packet (recording, fin);
  guint32 after = cap_recording_get_relative_seq (recording, fin) + f->payload_len + 1;

  for (guint32 p = fin + 1; p < cap_recording_get_n_packets (recording); p++)
    if (packet (recording, p)->conv == f->conv && packet (recording, p)->from_b != f->from_b &&
        (sl_test_tcp_flags (recording, p) & CAP_TCP_ACK) &&
        cap_recording_get_relative_ack (recording, p) >= after)
      return TRUE;
  return FALSE;
}

/* tcp-half-close: the client's FIN ends the server's reading; the reply
 * follows it on the same connection; the client waits in TIME_WAIT. */
static void
test_tcp_half_close (void)
{
  g_autoptr(CapRecording) recording = sl_test_capture_run ("tcp-half-close", NULL);
  const NcCall *shutdown_call, *server_eof, *server_send, *server_close, *client_eof;
  const NcCall *connect_call;
  guint32 client_fin, server_fin, reply[4];
  guint n_recv, n;

  if (recording == NULL)
    return;
  shutdown_call = sl_test_find_call (recording, "client", NC_CALL_SHUTDOWN, 0);
  g_assert_cmpint (shutdown_call->domain, ==, SHUT_WR);
  g_assert_cmpuint (sl_test_linked_packets (recording, shutdown_call, CAP_LINK_TEARDOWN,
                                            &client_fin, 1), ==, 1);
  g_assert_true (sl_test_tcp_flags (recording, client_fin) & CAP_TCP_FIN);

  /* The server's last recv() returned 0 because of that FIN */
  n_recv = sl_test_count_calls (recording, "server", NC_CALL_RECV);
  server_eof = sl_test_find_call (recording, "server", NC_CALL_RECV, n_recv - 1);
  g_assert_cmpint (server_eof->result, ==, 0);
  g_assert_true (sl_test_packet_links_call (recording, client_fin, server_eof));

  /* The reply is sent after it, and travels after the client's FIN */
  server_send = sl_test_find_call (recording, "server", NC_CALL_SEND, 0);
  g_assert_cmpint (server_send->ts_start, >=, server_eof->ts_end);
  n = sl_test_linked_packets (recording, server_send, CAP_LINK_DATA, reply, 4);
  g_assert_cmpuint (n, >=, 1);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (packet (recording, reply[i])->ts, >, packet (recording, client_fin)->ts);

  /* Then the server's own FIN, which ends the client's reading */
  server_close = sl_test_find_call (recording, "server", NC_CALL_CLOSE, 0);
  g_assert_cmpuint (sl_test_linked_packets (recording, server_close, CAP_LINK_TEARDOWN,
                                            &server_fin, 1), ==, 1);
  g_assert_true (sl_test_tcp_flags (recording, server_fin) & CAP_TCP_FIN);
  g_assert_cmpuint (server_fin, >, reply[n - 1]);
  n_recv = sl_test_count_calls (recording, "client", NC_CALL_RECV);
  client_eof = sl_test_find_call (recording, "client", NC_CALL_RECV, n_recv - 1);
  g_assert_cmpint (client_eof->result, ==, 0);
  g_assert_true (sl_test_packet_links_call (recording, server_fin, client_eof));

  /* Each FIN is acknowledged by the other side */
  g_assert_true (fin_acknowledged (recording, client_fin));
  g_assert_true (fin_acknowledged (recording, server_fin));

  /* The client closed first: its end of the connection is in TIME_WAIT now,
   * the server's is gone. */
  connect_call = sl_test_find_call (recording, "client", NC_CALL_CONNECT, 0);
  g_assert_cmpint (proc_tcp_state (connect_call->local, connect_call->peer), ==, TCP_TIME_WAIT);
  g_assert_cmpint (proc_tcp_state (connect_call->peer, connect_call->local), ==, -1);
}

static guint64
sum_results (CapRecording *recording,
             const char   *actor,
             NcCallKind    kind)
{
  guint64 total = 0;

  for (guint i = 0; i < sl_test_count_calls (recording, actor, kind); i++)
    {
      const NcCall *call = sl_test_find_call (recording, actor, kind, i);
      g_assert_cmpint (call->result, >=, 0);
      total += (guint64) call->result;
    }
  return total;
}

/* The first packet of @conv, against @data_dir, that acknowledges the
 * first @bytes bytes sent in direction @data_dir */
static guint32
first_ack_of (CapRecording *recording,
              guint32       conv,
              guint8        data_dir,
              guint64       bytes)
{
  for (guint32 p = 0; p < cap_recording_get_n_packets (recording); p++)
    {
      const CapPacket *pkt = packet (recording, p);
      if (pkt->conv == conv && pkt->from_b != data_dir && (pkt->tcp_flags & CAP_TCP_ACK) &&
          cap_recording_get_relative_ack (recording, p) >= bytes + 1)
        return p;
    }
  return G_MAXUINT32;
}

/* tcp-bulk: every byte arrives, in many segments, and send() does not wait
 * for acknowledgements. */
static void
test_tcp_bulk (void)
{
  const NcScenario *scenario = nc_scenario_lookup ("tcp-bulk");
  g_autoptr(NcParams) params = nc_params_new (scenario);
  g_autoptr(CapRecording) recording = NULL;
  guint64 total = (guint64) scenario->default_count * 1024;
  guint n_sends, n_segments = 0, n_acks = 0;
  const NcCall *connect_call;
  guint32 conv, syn, last_ack = G_MAXUINT32;
  guint8 client_dir;

  /* Headers are enough here, and small frames keep the capture ring from
   * overflowing while a MiB crosses lo in a few milliseconds. */
  recording = sl_test_capture_run_params ("tcp-bulk", params, 256);
  if (recording == NULL)
    return;
  g_assert_cmpuint (total, ==, 1024 * 1024);
  g_assert_cmpuint (sum_results (recording, "client", NC_CALL_SEND), ==, total);
  g_assert_cmpuint (sum_results (recording, "server", NC_CALL_RECV), ==, total);

  connect_call = sl_test_find_call (recording, "client", NC_CALL_CONNECT, 0);
  g_assert_cmpuint (sl_test_linked_packets (recording, connect_call, CAP_LINK_HANDSHAKE, &syn, 1),
                    ==, 1);
  conv = packet (recording, syn)->conv;
  client_dir = packet (recording, syn)->from_b;

  /* Segments of the kernel's own size, carrying exactly the bytes sent;
   * fewer ACKs than segments (one ACK may cover several). */
  {
    guint64 carried = 0;
    for (guint32 p = 0; p < cap_recording_get_n_packets (recording); p++)
      {
        const CapPacket *pkt = packet (recording, p);
        if (pkt->conv != conv)
          continue;
        if (pkt->from_b == client_dir && pkt->payload_len > 0 &&
            !(pkt->flags & CAP_PACKET_RETRANSMISSION))
          {
            n_segments++;
            carried += pkt->payload_len;
          }
        if (pkt->from_b != client_dir && pkt->payload_len == 0 &&
            (pkt->tcp_flags & (CAP_TCP_SYN | CAP_TCP_FIN)) == 0)
          n_acks++;
      }
    g_assert_cmpuint (carried, ==, total);
  }
  last_ack = first_ack_of (recording, conv, client_dir, total);
  g_assert_cmpuint (n_segments, >=, 16);
  g_assert_cmpuint (n_acks, <, n_segments);

  /* send() does not wait for acknowledgements: some send() calls returned
   * with their bytes still unacknowledged (the kernel says so: SIOCOUTQ),
   * and before the ACK of their last byte came back (the capture says so). */
  n_sends = sl_test_count_calls (recording, "client", NC_CALL_SEND);
  g_assert_cmpuint (n_sends, >=, 16);
  g_assert_cmpuint (last_ack, !=, G_MAXUINT32);
  {
    guint n_unacked = 0, n_before_ack = 0;
    guint64 end = 0;

    for (guint i = 0; i < n_sends; i++)
      {
        const NcCall *send_call = sl_test_find_call (recording, "client", NC_CALL_SEND, i);
        guint32 ack = first_ack_of (recording, conv, client_dir, end += send_call->result);

        if (send_call->has_queues && send_call->queued_out > 0)
          n_unacked++;
        g_assert_cmpuint (ack, !=, G_MAXUINT32);
        if (packet (recording, ack)->ts > send_call->ts_end)
          n_before_ack++;
      }
    g_assert_cmpuint (n_unacked, >, 0);
    g_assert_cmpuint (n_before_ack, >, 0);
  }
}

static gboolean
is_port_unreachable (CapRecording *recording,
                     guint32       p)
{
  const CapPacket *pkt = packet (recording, p);
  return pkt->proto == IPPROTO_ICMP && pkt->icmp_type == 3 && pkt->icmp_code == 3;
}

/* udp-unreachable: the ICMP error is captured, tied to the datagram's call;
 * only the connected socket hears of it. */
static void
test_udp_unreachable (void)
{
  g_autoptr(CapRecording) recording = sl_test_capture_run ("udp-unreachable", NULL);
  const NcCall *sendto_call, *recvfrom_call, *send_call, *recv_call;
  guint32 pk[4];

  if (recording == NULL)
    return;
  sendto_call = sl_test_find_call (recording, "client", NC_CALL_SENDTO, 0);
  recvfrom_call = sl_test_find_call (recording, "client", NC_CALL_RECVFROM, 0);
  send_call = sl_test_find_call (recording, "client", NC_CALL_SEND, 0);
  recv_call = sl_test_find_call (recording, "client", NC_CALL_RECV, 0);

  /* sendto() succeeded, its datagram left, and the ICMP error came back */
  g_assert_cmpint (sendto_call->result, ==, 5);
  g_assert_cmpuint (sl_test_linked_packets (recording, sendto_call, CAP_LINK_DATA, pk, 4), ==, 1);
  g_assert_cmpuint (packet (recording, pk[0])->proto, ==, IPPROTO_UDP);
  g_assert_cmpuint (sl_test_linked_packets (recording, sendto_call, CAP_LINK_ICMP, pk, 4), ==, 1);
  g_assert_true (is_port_unreachable (recording, pk[0]));
  g_assert_true (packet (recording, pk[0])->flags & CAP_PACKET_QUOTED);

  /* The unconnected socket is never told: its recvfrom() times out */
  g_assert_cmpint (recvfrom_call->result, ==, -1);
  g_assert_cmpint (recvfrom_call->err, ==, EAGAIN);
  g_assert_cmpuint (sl_test_linked_packets (recording, recvfrom_call, CAP_LINK_REFUSED, pk, 4),
                    ==, 0);

  /* The connected one: send() causes the same error, and recv() reports it */
  g_assert_cmpuint (sl_test_linked_packets (recording, send_call, CAP_LINK_ICMP, pk, 4), ==, 1);
  g_assert_true (is_port_unreachable (recording, pk[0]));
  g_assert_cmpint (recv_call->result, ==, -1);
  g_assert_cmpint (recv_call->err, ==, ECONNREFUSED);
  g_assert_cmpuint (sl_test_linked_packets (recording, recv_call, CAP_LINK_REFUSED, pk, 4), ==, 1);
  g_assert_true (is_port_unreachable (recording, pk[0]));
  g_assert_cmpint (packet (recording, pk[0])->ts, <=, recv_call->ts_end);
}

static gboolean
fd_in (const NcFdList *list,
       gint32          fd)
{
  for (guint i = 0; i < list->n; i++)
    if (list->fds[i] == fd)
      return TRUE;
  return FALSE;
}

/* nonblocking: EINPROGRESS, writable, SO_ERROR 0; EAGAIN, readable, data */
static void
test_nonblocking (void)
{
  g_autoptr(CapRecording) recording = sl_test_capture_run ("nonblocking", NULL);
  const NcCall *connect_call, *select_w, *so_error, *recv_none, *select_r, *recv_data;
  guint32 pk[4];

  if (recording == NULL)
    return;
  connect_call = sl_test_find_call (recording, "client", NC_CALL_CONNECT, 0);
  select_w = sl_test_find_call (recording, "client", NC_CALL_SELECT, 0);
  so_error = sl_test_find_call (recording, "client", NC_CALL_GETSOCKOPT, 0);
  recv_none = sl_test_find_call (recording, "client", NC_CALL_RECV, 0);
  select_r = sl_test_find_call (recording, "client", NC_CALL_SELECT, 1);
  recv_data = sl_test_find_call (recording, "client", NC_CALL_RECV, 1);

  g_assert_cmpint (sl_test_find_call (recording, "client", NC_CALL_SETBLOCKING, 0)->domain, ==, 0);

  /* connect() returned before the handshake, which still happened */
  g_assert_cmpint (connect_call->result, ==, -1);
  g_assert_cmpint (connect_call->err, ==, EINPROGRESS);
  g_assert_cmpuint (sl_test_linked_packets (recording, connect_call, CAP_LINK_HANDSHAKE, pk, 4),
                    ==, 3);

  /* select() found it writable: the SYN/ACK made it so */
  g_assert_cmpint (select_w->result, ==, 1);
  g_assert_true (fd_in (nc_call_get_fds (select_w, TRUE, NC_SET_WRITE), connect_call->fd));
  g_assert_cmpuint (sl_test_linked_packets (recording, select_w, CAP_LINK_READY, pk, 4), ==, 1);
  g_assert_cmphex (syn_ack_rst (recording, pk[0]), ==, CAP_TCP_SYN | CAP_TCP_ACK);
  g_assert_cmpint (packet (recording, pk[0])->ts, <=, select_w->ts_end);

  /* SO_ERROR 0: connected */
  g_assert_cmpint (so_error->result, ==, 0);
  g_assert_cmpint (so_error->flags, ==, SO_ERROR);
  g_assert_cmpuint (so_error->value_in, ==, 0);

  /* Nothing to read yet: EAGAIN, at once */
  g_assert_cmpint (recv_none->result, ==, -1);
  g_assert_true (recv_none->err == EAGAIN || recv_none->err == EWOULDBLOCK);

  /* select() waited for the server's data, and recv() got it */
  g_assert_true (fd_in (nc_call_get_fds (select_r, TRUE, NC_SET_READ), connect_call->fd));
  g_assert_cmpuint (sl_test_linked_packets (recording, select_r, CAP_LINK_READY, pk, 4), ==, 1);
  g_assert_cmpuint (packet (recording, pk[0])->payload_len, ==, 5);
  g_assert_cmpint (recv_data->result, ==, 5);
  g_assert_true (sl_test_packet_links_call (recording, pk[0], recv_data));
}

/* select-server: each fd a select() reports ready is tied to a packet that
 * had arrived before select() returned. */
static void
test_select_server (void)
{
  g_autoptr(CapRecording) recording = sl_test_capture_run ("select-server", NULL);
  guint n_selects, n_ready = 0;

  if (recording == NULL)
    return;
  g_assert_cmpuint (sl_test_count_calls (recording, "server", NC_CALL_ACCEPT), ==, 3);
  g_assert_cmpuint (sl_test_count_calls (recording, NULL, NC_CALL_CONNECT), ==, 3);
  n_selects = sl_test_count_calls (recording, "server", NC_CALL_SELECT);
  g_assert_cmpuint (n_selects, >=, 2);

  for (guint i = 0; i < n_selects; i++)
    {
      const NcCall *select_call = sl_test_find_call (recording, "server", NC_CALL_SELECT, i);
      const NcFdList *ready = nc_call_get_fds (select_call, TRUE, NC_SET_READ);
      guint n_links;
      const CapLink *links = cap_recording_get_call_links (recording, select_call->id, &n_links);

      g_assert_cmpint (select_call->result, ==, ready->n);
      for (guint k = 0; k < ready->n; k++)
        {
          gboolean found = FALSE;
          for (guint l = 0; l < n_links; l++)
            if (links[l].kind == CAP_LINK_READY && links[l].fd == ready->fds[k])
              {
                g_assert_cmpint (packet (recording, links[l].packet)->ts, <=, select_call->ts_end);
                found = TRUE;
              }
          g_assert_true (found);
          n_ready++;
        }
    }
  /* 3 connections to accept, 3 messages, 3 ends of stream */
  g_assert_cmpuint (n_ready, ==, 9);
}

/* names-and-bytes: htons() and inet_aton() make the very bytes of the SYN */
static void
test_names_and_bytes (void)
{
  g_autoptr(CapRecording) recording = sl_test_capture_run ("names-and-bytes", NULL);
  const NcCall *htons_call, *aton_call, *gai_call, *connect_call;
  const NcCall *client_name, *client_peer, *server_name, *server_peer;
  static const guint8 loopback[4] = { 127, 0, 0, 1 };
  const guint8 *data;
  guint32 syn, caplen;
  CapSummary s;

  if (recording == NULL)
    return;
  gai_call = sl_test_find_call (recording, "client", NC_CALL_GETADDRINFO, 0);
  g_assert_cmpint (gai_call->result, ==, 0);
  g_assert_cmpmem (gai_call->data, gai_call->data_len, loopback, 4);
  g_assert_cmpstr (sl_test_find_call (recording, "client", NC_CALL_GETNAMEINFO, 0)->text, ==,
                   "localhost");
  g_assert_cmpint (sl_test_find_call (recording, "client", NC_CALL_NTOHL, 0)->result, ==,
                   0x7f000001);

  htons_call = sl_test_find_call (recording, "client", NC_CALL_HTONS, 0);
  aton_call = sl_test_find_call (recording, "client", NC_CALL_INET_ATON, 0);
  connect_call = sl_test_find_call (recording, "client", NC_CALL_CONNECT, 0);
  g_assert_cmpuint (sl_test_linked_packets (recording, connect_call, CAP_LINK_HANDSHAKE, &syn, 1),
                    ==, 1);
  g_assert_cmphex (syn_ack_rst (recording, syn), ==, CAP_TCP_SYN);
  dissect (recording, syn, &s);
  data = cap_recording_get_packet_data (recording, syn, &caplen);

  /* The two bytes htons() returned are the SYN's destination port field */
  g_assert_cmpuint (htons_call->data_len, ==, 2);
  g_assert_cmpmem (htons_call->data, 2, data + s.transport_offset + 2, 2);
  g_assert_cmpuint (htons_call->value_in, ==, s.dport);
  /* and the four from inet_aton() its IPv4 destination address */
  g_assert_cmpuint (s.family, ==, 4);
  g_assert_cmpmem (aton_call->data, aton_call->data_len, data + s.network_offset + 16, 4);

  /* The two ends of one connection, seen from each side */
  client_name = sl_test_find_call (recording, "client", NC_CALL_GETSOCKNAME, 0);
  client_peer = sl_test_find_call (recording, "client", NC_CALL_GETPEERNAME, 0);
  server_name = sl_test_find_call (recording, "server", NC_CALL_GETSOCKNAME, 1);
  server_peer = sl_test_find_call (recording, "server", NC_CALL_GETPEERNAME, 0);
  g_assert_cmpstr (client_name->local, ==, server_peer->peer);
  g_assert_cmpstr (client_peer->peer, ==, server_name->local);
  g_assert_cmpuint (sl_test_find_call (recording, "client", NC_CALL_NTOHS, 0)->result, ==,
                    s.sport);
}

/* raw-icmp: our echo request and the kernel's reply, both on the wire */
static void
test_raw_icmp (void)
{
  g_autoptr(CapRecording) recording = sl_test_capture_run ("raw-icmp", NULL);
  guint32 request = G_MAXUINT32, reply = G_MAXUINT32;
  const NcCall *sendto_call;
  guint n_recvfrom;

  if (recording == NULL)
    return;
  sendto_call = sl_test_find_call (recording, "ping", NC_CALL_SENDTO, 0);
  g_assert_cmpint (sendto_call->result, ==, 8 + 5);

  for (guint32 p = 0; p < cap_recording_get_n_packets (recording); p++)
    {
      CapSummary s;
      if (packet (recording, p)->proto != IPPROTO_ICMP)
        continue;
      dissect (recording, p, &s);
      if (s.icmp_id != (guint16) getpid () || s.icmp_seq != 1)
        continue;  /* someone else's ping */
      if (s.icmp_type == 8 && request == G_MAXUINT32)
        request = p;
      else if (s.icmp_type == 0 && reply == G_MAXUINT32)
        reply = p;
    }
  g_assert_cmpuint (request, !=, G_MAXUINT32);
  g_assert_cmpuint (reply, !=, G_MAXUINT32);
  g_assert_cmpuint (request, <, reply);
  g_assert_cmpint (packet (recording, request)->ts, >=, sendto_call->ts_start);
  /* The bytes the program built are the request's ICMP message */
  {
    guint32 caplen;
    const guint8 *data = cap_recording_get_packet_data (recording, request, &caplen);
    CapSummary s;
    dissect (recording, request, &s);
    g_assert_cmpmem (data + s.transport_offset, 13, sendto_call->data, 13);
  }

  /* The last recvfrom() read the reply, IP header included */
  n_recvfrom = sl_test_count_calls (recording, "ping", NC_CALL_RECVFROM);
  {
    const NcCall *last = sl_test_find_call (recording, "ping", NC_CALL_RECVFROM, n_recvfrom - 1);
    g_assert_cmpint (last->result, ==, 20 + 8 + 5);
    g_assert_cmpuint (last->data[0] >> 4, ==, 4);  /* IPv4 */
    g_assert_cmpuint (last->data[20], ==, 0);      /* echo reply */

    /* ... and correlation says so: linked by their bytes, raw sockets
     * having no ports (sendto() to the request it sent, that recvfrom()
     * to the reply it read) */
    {
      guint32 pk[4];

      g_assert_cmpuint (sl_test_linked_packets (recording, sendto_call, CAP_LINK_DATA, pk, 4), ==, 1);
      g_assert_cmpuint (pk[0], ==, request);
      g_assert_cmpuint (sl_test_linked_packets (recording, last, CAP_LINK_DATA, pk, 4), ==, 1);
      g_assert_cmpuint (pk[0], ==, reply);
    }
  }
}

/* tcp-ipv6 and udp-ipv6: the echo programs, on IPv6 packets */
static void
assert_calls_on_ipv6 (CapRecording *recording,
                      const char   *actor,
                      NcCallKind    kind,
                      CapLinkKind   link,
                      guint         n_expected)
{
  const NcCall *call = sl_test_find_call (recording, actor, kind, 0);
  guint32 pk[8];
  guint n = sl_test_linked_packets (recording, call, link, pk, 8);

  g_assert_cmpuint (n, ==, n_expected);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (packet (recording, pk[i])->family, ==, 6);
}

static void
test_tcp_ipv6 (void)
{
  g_autoptr(CapRecording) recording = sl_test_capture_run ("tcp-ipv6", NULL);

  if (recording == NULL)
    return;
  g_assert_cmpint (sl_test_find_call (recording, "server", NC_CALL_SOCKET, 0)->domain, ==, AF_INET6);
  assert_calls_on_ipv6 (recording, "client", NC_CALL_CONNECT, CAP_LINK_HANDSHAKE, 3);
  assert_calls_on_ipv6 (recording, "server", NC_CALL_ACCEPT, CAP_LINK_HANDSHAKE, 3);
  assert_calls_on_ipv6 (recording, "client", NC_CALL_SEND, CAP_LINK_DATA, 1);
  assert_calls_on_ipv6 (recording, "server", NC_CALL_SEND, CAP_LINK_DATA, 1);
  assert_calls_on_ipv6 (recording, "client", NC_CALL_CLOSE, CAP_LINK_TEARDOWN, 1);
}

static void
test_udp_ipv6 (void)
{
  g_autoptr(CapRecording) recording = sl_test_capture_run ("udp-ipv6", NULL);

  if (recording == NULL)
    return;
  g_assert_cmpint (sl_test_find_call (recording, "client", NC_CALL_SOCKET, 0)->domain, ==, AF_INET6);
  assert_calls_on_ipv6 (recording, "client", NC_CALL_SENDTO, CAP_LINK_DATA, 1);
  assert_calls_on_ipv6 (recording, "server", NC_CALL_RECVFROM, CAP_LINK_DATA, 1);
  assert_calls_on_ipv6 (recording, "server", NC_CALL_SENDTO, CAP_LINK_DATA, 1);
  assert_calls_on_ipv6 (recording, "client", NC_CALL_RECVFROM, CAP_LINK_DATA, 1);
}

int
main (int    argc,
      char **argv)
{
  sl_test_capture_isolate ();
  g_test_init (&argc, &argv, NULL);

  /* In the lecture's order, as `socklens list` shows them */
  g_test_add_func ("/scenarios/tcp-backlog", test_tcp_backlog);
  g_test_add_func ("/scenarios/tcp-refused", test_tcp_refused);
  g_test_add_func ("/scenarios/tcp-bulk", test_tcp_bulk);
  g_test_add_func ("/scenarios/tcp-half-close", test_tcp_half_close);
  g_test_add_func ("/scenarios/udp-unreachable", test_udp_unreachable);
  g_test_add_func ("/scenarios/tcp-ipv6", test_tcp_ipv6);
  g_test_add_func ("/scenarios/udp-ipv6", test_udp_ipv6);
  g_test_add_func ("/scenarios/raw-icmp", test_raw_icmp);
  g_test_add_func ("/scenarios/names-and-bytes", test_names_and_bytes);
  g_test_add_func ("/scenarios/nonblocking", test_nonblocking);
  g_test_add_func ("/scenarios/select-server", test_select_server);

  return g_test_run ();
}
