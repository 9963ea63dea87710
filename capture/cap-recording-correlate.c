/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-recording-correlate.c: exact links between calls and packets.
 *
 * Nothing here guesses by time alone. A TCP send() of n bytes, after k bytes
 * sent on that socket before, maps to the segments covering [k, k+n) of its
 * direction of the stream (retransmissions included); recv() likewise.
 * connect()/accept() map to their connection's handshake, close() and
 * shutdown() to the FIN (or RST) their side sent, a refused connect() to the
 * SYN and the RST. A datagram call maps to its datagram by addresses and
 * order, an ICMP error to the datagram it quotes, and each fd a select()
 * reported ready to the last packet that reached that socket before select()
 * returned.
 *
 * Every pass is linear: packets are indexed once (per conversation, per
 * direction by stream offset, per port as datagram queues with a cursor), so
 * a call finds its packets without scanning the recording.
 *
 * This file holds the pass itself (its state, the packet indexes, the
 * dispatch of each call, select()'s ready fds, the final indexes); the
 * steps by kind of socket are in -sockets.c (lanes), -stream.c (TCP) and
 * -datagram.c (UDP, raw, ICMP errors), sharing
 * cap-recording-correlate-private.h.
 *
 * Two ways in. cap_recording_correlate () recomputes everything from the
 * calls and packets, so a recording read back from a file gets the very links
 * it was saved with. A live run (cap-recording-correlate-live.c) keeps the
 * pass between commits and takes each call and packet once, through the same
 * steps.
 */

#include "config.h"

#include "cap-recording-correlate-private.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

/* Links */

gint
cap_correlate_compare_by_call (gconstpointer a,
                               gconstpointer b)
{
  const CapLink *x = a, *y = b;
  if (x->call != y->call)
    return x->call < y->call ? -1 : 1;
  if (x->packet != y->packet)
    return x->packet < y->packet ? -1 : 1;
  if (x->fd != y->fd)
    return x->fd < y->fd ? -1 : 1;
  return (gint) x->kind - (gint) y->kind;
}

gint
cap_correlate_compare_by_packet (gconstpointer a,
                                 gconstpointer b)
{
  const CapLink *x = a, *y = b;
  if (x->packet != y->packet)
    return x->packet < y->packet ? -1 : 1;
  return x->call < y->call ? -1 : x->call > y->call;
}

/* The first element of the sorted @array not less than @key */
guint
cap_correlate_lower_bound (GArray        *array,
                           gconstpointer  key,
                           GCompareFunc   compare)
{
  guint lo = 0, hi = array->len;
  guint size = g_array_get_element_size (array);

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (compare (array->data + (gsize) mid * size, key) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

void
cap_correlate_add_link (Pass     *pass,
                        guint32   call,
                        guint32   packet,
                        CapLinkKind kind,
                        gint32    fd)
{
  CapLink link = { .call = call, .packet = packet, .kind = kind, .fd = fd };

  if (pass->live)
    cap_correlate_insert_link (pass->self, &link);
  else
    g_array_append_val (pass->self->links, link);
}

/* Packets, indexed once: per conversation, per port */

static void
conv_index_free (gpointer data)
{
  ConvIndex *ci = data;

  g_array_unref (ci->packets);
  for (guint d = 0; d < 2; d++)
    {
      g_array_unref (ci->dir[d]);
      g_clear_pointer (&ci->ranges[d], g_array_unref);
    }
  g_free (ci);
}

ConvIndex *
cap_correlate_conv_index (Pass    *pass,
                          guint32  conv,
                          gboolean create)
{
  ConvIndex *ci = g_hash_table_lookup (pass->convs, GUINT_TO_POINTER (conv));

  if (ci == NULL && create)
    {
      ci = g_new0 (ConvIndex, 1);
      ci->packets = g_array_new (FALSE, FALSE, sizeof (guint32));
      for (guint d = 0; d < 2; d++)
        {
          ci->dir[d] = g_array_new (FALSE, FALSE, sizeof (Segment));
          if (pass->live)
            ci->ranges[d] = g_array_new (FALSE, FALSE, sizeof (Range));
        }
      g_hash_table_insert (pass->convs, GUINT_TO_POINTER (conv), ci);
    }
  return ci;
}

gint
cap_correlate_compare_segments (gconstpointer a,
                                gconstpointer b)
{
  const Segment *x = a, *y = b;

  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  return x->packet < y->packet ? -1 : x->packet > y->packet;
}

static void
index_segment (Pass      *pass,
               ConvIndex *ci,
               guint32    p)
{
  CapRecording *self = pass->self;
  const CapPacket *pkt = packet_at (self, p);
  const CapConversation *c = cap_recording_get_conversation (self, pkt->conv);
  /* 32-bit wrap within one lesson is fine */
  Segment seg = { (guint32) (pkt->seq - c->isn[pkt->from_b] - 1), pkt->payload_len, p };
  GArray *list = ci->dir[pkt->from_b];
  guint at = list->len;

  if (pkt->payload_len == 0)
    return;
  /* In stream order but for retransmissions: the place is near the end. */
  while (at > 0 &&
         cap_correlate_compare_segments (&g_array_index (list, Segment, at - 1), &seg) > 0)
    at--;
  g_array_insert_val (list, at, seg);
  ci->max_len[pkt->from_b] = MAX (ci->max_len[pkt->from_b], pkt->payload_len);
  if (ci->ranges[pkt->from_b] != NULL)
    cap_correlate_link_late_segment (pass, ci, pkt->from_b, &seg);
}

Queue *
cap_correlate_queue_for (Pass       *pass,
                         GHashTable *table,
                         guint16     port)
{
  Queue *q = g_hash_table_lookup (table, GUINT_TO_POINTER ((guint) port));

  if (q == NULL)
    {
      q = g_new0 (Queue, 1);
      q->packets = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_hash_table_insert (table, GUINT_TO_POINTER ((guint) port), q);
    }
  return q;
}

static void
queue_free (gpointer data)
{
  Queue *q = data;

  g_array_unref (q->packets);
  g_free (q);
}

void
cap_correlate_index_packet (Pass    *pass,
                            guint32  p)
{
  CapRecording *self = pass->self;
  const CapPacket *pkt = packet_at (self, p);
  guint8 no = 0;

  g_array_append_val (pass->claimed_send, no);
  g_array_append_val (pass->claimed_recv, no);

  if (pkt->proto == IPPROTO_TCP && pkt->conv != CAP_NONE)
    {
      ConvIndex *ci = cap_correlate_conv_index (pass, pkt->conv, pass->live);
      if (ci != NULL)
        {
          g_array_append_val (ci->packets, p);
          index_segment (pass, ci, p);
        }
    }
  else if (pkt->proto == IPPROTO_UDP && pkt->src != CAP_NONE)
    {
      Queue *sent = cap_correlate_queue_for (pass, pass->send_queues,
                                             endpoint_port (self, pkt->src));
      Queue *received = cap_correlate_queue_for (pass, pass->recv_queues,
                                                 endpoint_port (self, pkt->dst));

      g_array_append_val (sent->packets, p);
      g_array_append_val (received->packets, p);
      g_array_append_val (pass->any_queue->packets, p);
      g_hash_table_insert (pass->last_datagram, g_memdup2 (&(guint64) { PAIR_KEY (pkt->src, pkt->dst) },
                                                           sizeof (guint64)),
                           GUINT_TO_POINTER (p + 1));
    }
  else if (pkt->proto == IPPROTO_ICMP || pkt->proto == IPPROTO_ICMPV6)
    g_array_append_val (pass->icmp_queue->packets, p);
}

/* Full pass: only the conversations of the calls' sockets are indexed. */
static void
index_conversations (Pass *pass)
{
  CapRecording *self = pass->self;

  for (guint i = 0; i < self->sockets->len; i++)
    {
      guint32 conv = socket_at (self, i)->conv;
      if (conv != CAP_NONE)
        cap_correlate_conv_index (pass, conv, TRUE);
    }
  for (guint p = 0; p < self->packets->len; p++)
    cap_correlate_index_packet (pass, p);
  pass->n_packets = self->packets->len;
}

/* Links call @i to its packets. Returns FALSE if it found none of those it
 * should have (live: they may come later). */
gboolean
cap_correlate_link_call (Pass     *pass,
                         guint     i,
                         gboolean  first)
{
  CapRecording *self = pass->self;
  const NcCall *call = call_at (self, i);
  guint32 sid = g_array_index (self->call_socket, guint32, i);
  CapSocket *s;

  if (call->ts_end == 0)
    return TRUE;
  if (nc_call_kind_info (call->kind)->link == NC_CALL_LINK_CONNECT && call->err == ECONNREFUSED)
    return cap_correlate_link_refused_connect (pass, call) == 2;
  if (nc_call_kind_info (call->kind)->link == NC_CALL_LINK_ACCEPT && call->result >= 0)
    {
      /* accept() is drawn on the listening lane; its links are the new connection's */
      gpointer child = g_hash_table_lookup (pass->accepted, GUINT_TO_POINTER (i));
      if (child == NULL)
        return TRUE;
      s = socket_at (self, GPOINTER_TO_UINT (child) - 1);
      if (pass->live)
        cap_correlate_map_socket (pass, s);
      return s->conv != CAP_NONE && cap_correlate_link_handshake (pass, call, s) == 3;
    }
  if (sid == CAP_NONE)
    return TRUE;
  s = socket_at (self, sid);
  if (pass->live)
    cap_correlate_map_socket (pass, s);
  if (s->stream)
    return cap_correlate_link_stream_call (pass, call, s);
  if (cap_correlate_is_raw_socket (self, s))
    return cap_correlate_link_raw_call (pass, call);
  return cap_correlate_link_datagram_call (pass, call, s, first);
}

/* select(): what made each fd ready */

static gboolean
made_ready (CapRecording       *self,
            guint32             p,
            const CapSocket    *s,
            const PendingReady *r)
{
  const CapPacket *pkt = packet_at (self, p);
  const CapEndpoint *dst;

  if (pkt->dst == CAP_NONE)
    return FALSE;
  if (r->set == NC_SET_WRITE)
    return s->conv != CAP_NONE && pkt->conv == s->conv &&
           (pkt->tcp_flags & (CAP_TCP_SYN | CAP_TCP_ACK)) == (CAP_TCP_SYN | CAP_TCP_ACK);
  if (s->conv != CAP_NONE)
    return pkt->conv == s->conv && pkt->dst == s->local &&
           (pkt->payload_len > 0 || (pkt->tcp_flags & (CAP_TCP_FIN | CAP_TCP_RST)));

  dst = cap_recording_get_endpoint (self, pkt->dst);
  if (s->local == CAP_NONE || dst->port != endpoint_port (self, s->local))
    return FALSE;
  if (s->listening)
    /* The ACK that completed a handshake put a connection in the queue: the
     * client's bare ACK of the SYN/ACK. Later ACKs, data or FINs to the same
     * port belong to connections already accepted. */
    return pkt->proto == IPPROTO_TCP && pkt->from_b == 0 && pkt->payload_len == 0 &&
           (pkt->tcp_flags & (CAP_TCP_SYN | CAP_TCP_ACK | CAP_TCP_FIN | CAP_TCP_RST)) == CAP_TCP_ACK &&
           cap_recording_get_relative_ack (self, p) == 1;
  return pkt->proto == IPPROTO_UDP;
}

void
cap_correlate_link_ready (Pass               *pass,
                          const PendingReady *r)
{
  CapRecording *self = pass->self;
  const NcCall *call = call_at (self, r->call);
  const CapSocket *s = socket_at (self, r->socket);
  guint p = cap_recording_find_packet_at (self, call->ts_end + 1);

  while (p-- > 0)
    {
      visit (pass);
      if (made_ready (self, p, s, r))
        {
          cap_correlate_add_link (pass, r->call, p, CAP_LINK_READY, r->fd);
          break;
        }
    }
}

/* Indexes */

static void
build_indexes (CapRecording *self)
{
  GArray *links = self->links;
  guint out = 0;

  g_array_sort (links, cap_correlate_compare_by_call);
  /* The same pair may be found twice (a FIN that ends a recv and a close) */
  for (guint i = 0; i < links->len; i++)
    {
      CapLink *l = &g_array_index (links, CapLink, i);
      if (out > 0)
        {
          CapLink *prev = &g_array_index (links, CapLink, out - 1);
          /* One select() may report one packet for two fds: keep both. */
          if (prev->call == l->call && prev->packet == l->packet && prev->fd == l->fd)
            continue;
        }
      g_array_index (links, CapLink, out++) = *l;
    }
  g_array_set_size (links, out);

  g_array_set_size (self->call_link_start, self->calls->len + 1);
  for (guint c = 0, k = 0; c <= self->calls->len; c++)
    {
      while (k < links->len && g_array_index (links, CapLink, k).call < c)
        k++;
      g_array_index (self->call_link_start, guint32, c) = k;
    }

  g_array_set_size (self->links_by_packet, 0);
  g_array_append_vals (self->links_by_packet, links->data, links->len);
  g_array_sort (self->links_by_packet, cap_correlate_compare_by_packet);
}

static void
free_array (gpointer data)
{
  g_array_unref (data);
}

Pass *
cap_correlate_pass_new (CapRecording *self,
                        gboolean      live)
{
  Pass *pass = g_new0 (Pass, 1);

  pass->self = self;
  pass->live = live;
  pass->open = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  pass->ready = g_array_new (FALSE, FALSE, sizeof (PendingReady));
  pass->convs = g_hash_table_new_full (NULL, NULL, NULL, conv_index_free);
  pass->claimed_send = g_array_new (FALSE, TRUE, sizeof (guint8));
  pass->claimed_recv = g_array_new (FALSE, TRUE, sizeof (guint8));
  pass->send_queues = g_hash_table_new_full (NULL, NULL, NULL, queue_free);
  pass->recv_queues = g_hash_table_new_full (NULL, NULL, NULL, queue_free);
  pass->any_queue = g_new0 (Queue, 1);
  pass->any_queue->packets = g_array_new (FALSE, FALSE, sizeof (guint32));
  pass->icmp_queue = g_new0 (Queue, 1);
  pass->icmp_queue->packets = g_array_new (FALSE, FALSE, sizeof (guint32));
  pass->last_datagram = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  pass->refused_calls = g_hash_table_new_full (NULL, NULL, NULL, free_array);
  pass->accepted = g_hash_table_new (NULL, NULL);
  pass->sent = g_array_new (FALSE, TRUE, sizeof (guint64));
  pass->received = g_array_new (FALSE, TRUE, sizeof (guint64));
  pass->offset = g_array_new (FALSE, TRUE, sizeof (guint64));
  pass->stage = g_array_new (FALSE, TRUE, sizeof (guint8));
  pass->retry = g_array_new (FALSE, FALSE, sizeof (guint32));
  pass->icmp = g_array_new (FALSE, FALSE, sizeof (PendingIcmp));
  pass->inherited = g_array_new (FALSE, FALSE, sizeof (guint32));

  g_array_set_size (self->sockets, 0);
  g_array_set_size (self->links, 0);
  g_array_set_size (self->links_by_packet, 0);
  g_array_set_size (self->call_socket, 0);
  g_array_set_size (self->call_link_start, 1);
  g_array_index (self->call_link_start, guint32, 0) = 0;
  g_hash_table_remove_all (self->endpoint_actor);
  g_hash_table_remove_all (self->port_actor);
  g_hash_table_remove_all (self->conv_end_actor);
  return pass;
}

void
cap_correlation_free (CapCorrelation *pass)
{
  if (pass == NULL)
    return;
  g_hash_table_unref (pass->open);
  g_array_unref (pass->ready);
  g_hash_table_unref (pass->convs);
  g_array_unref (pass->claimed_send);
  g_array_unref (pass->claimed_recv);
  g_hash_table_unref (pass->send_queues);
  g_hash_table_unref (pass->recv_queues);
  queue_free (pass->any_queue);
  queue_free (pass->icmp_queue);
  g_hash_table_unref (pass->last_datagram);
  g_hash_table_unref (pass->refused_calls);
  g_hash_table_unref (pass->accepted);
  g_array_unref (pass->sent);
  g_array_unref (pass->received);
  g_array_unref (pass->offset);
  g_array_unref (pass->stage);
  g_array_unref (pass->retry);
  g_array_unref (pass->icmp);
  g_array_unref (pass->inherited);
  g_free (pass);
}

/* Room for every call in the per-call arrays */
void
cap_correlate_grow_calls (Pass *pass)
{
  CapRecording *self = pass->self;
  guint old = self->call_socket->len;
  guint n = self->calls->len;

  if (n <= old)
    return;
  g_array_set_size (self->call_socket, n);
  for (guint i = old; i < n; i++)
    g_array_index (self->call_socket, guint32, i) = CAP_NONE;
  g_array_set_size (pass->offset, n);
  g_array_set_size (pass->stage, n);
  g_array_set_size (self->call_link_start, n + 1);
  for (guint c = old + 1; c <= n; c++)
    g_array_index (self->call_link_start, guint32, c) = self->links->len;
}

/**
 * cap_recording_correlate:
 * Recomputes sockets and links from all calls and packets.
 */
void
cap_recording_correlate (CapRecording *self)
{
  Pass *pass;

  g_clear_pointer (&self->correlation, cap_correlation_free);
  pass = self->correlation = cap_correlate_pass_new (self, FALSE);
  self->links_dirty = FALSE;
  g_array_set_size (self->touched_calls, 0);

  if (self->calls->len > 0)
    {
      cap_correlate_grow_calls (pass);
      cap_correlate_build_sockets (pass);
      cap_correlate_map_sockets (pass);
      index_conversations (pass);
      for (guint i = 0; i < self->calls->len; i++)
        {
          cap_correlate_assign_offset (pass, i);
          cap_correlate_link_call (pass, i, TRUE);
          cap_correlate_note_refused_call (pass, i);
        }
      cap_correlate_link_icmp (pass);
      for (guint i = 0; i < pass->ready->len; i++)
        cap_correlate_link_ready (pass, &g_array_index (pass->ready, PendingReady, i));
      cap_correlate_hand_over_inherited (pass);
    }
  build_indexes (self);
  /* A full pass is not continued: the next live commit starts afresh. */
  g_clear_pointer (&self->correlation, cap_correlation_free);
}

