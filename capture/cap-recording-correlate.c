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

static gboolean
endpoint_is_wildcard (CapRecording *self,
                      guint32       id)
{
  static const guint8 zero[16] = { 0 };
  const CapEndpoint *e;

  if (id == CAP_NONE)
    return TRUE;
  e = &g_array_index (self->endpoints, CapEndpoint, id);
  return memcmp (e->addr, zero, e->family == 4 ? 4 : 16) == 0;
}

static guint16
endpoint_port (CapRecording *self,
               guint32       id)
{
  return id == CAP_NONE ? 0 : g_array_index (self->endpoints, CapEndpoint, id).port;
}

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

/* Sockets: lanes from socket()/accept() to close() */

static guint32
new_socket (Pass         *pass,
            const NcCall *call,
            gint32        fd,
            gboolean      stream)
{
  CapRecording *self = pass->self;
  CapSocket s = {
    .id = self->sockets->len,
    .actor = call->actor,
    .pid = call->pid,
    .fd = fd,
    .stream = stream,
    .parent = CAP_NONE,
    .first_call = call->id,
    .last_call = call->id,
    .local = CAP_NONE,
    .peer = CAP_NONE,
    .conv = CAP_NONE,
  };
  guint64 zero = 0;

  g_array_append_val (self->sockets, s);
  g_array_append_val (pass->sent, zero);
  g_array_append_val (pass->received, zero);
  g_hash_table_insert (pass->open, g_memdup2 (&(guint64) { SOCKET_KEY (call->pid, fd) },
                                              sizeof (guint64)),
                       GUINT_TO_POINTER (s.id + 1));
  return s.id;
}

static guint32
lookup_socket (Pass         *pass,
               const NcCall *call,
               gint32        fd)
{
  guint64 key = SOCKET_KEY (call->pid, fd);
  gpointer value = g_hash_table_lookup (pass->open, &key);

  return value ? GPOINTER_TO_UINT (value) - 1 : CAP_NONE;
}

static void
forget_socket (Pass         *pass,
               const NcCall *call)
{
  guint64 key = SOCKET_KEY (call->pid, call->fd);
  g_hash_table_remove (pass->open, &key);
}

/* Takes the addresses a call reported into its socket: the specific local
 * address wins over a wildcard one; a datagram socket's peer changes per
 * sendto(), so only connect() or accept() fixes it. */
static void
learn_addresses (Pass         *pass,
                 CapSocket    *s,
                 const NcCall *call)
{
  CapRecording *self = pass->self;
  gboolean wildcard;
  guint32 ep;

  ep = cap_recording_lookup_endpoint_text (self, call->local, &wildcard);
  if (ep != CAP_NONE && endpoint_port (self, ep) != 0 &&
      (!wildcard || s->local == CAP_NONE))
    s->local = ep;

  if (s->stream || call->kind == NC_CALL_CONNECT || call->kind == NC_CALL_GETPEERNAME)
    {
      ep = cap_recording_lookup_endpoint_text (self, call->peer, &wildcard);
      if (ep != CAP_NONE && !wildcard && !nc_call_failed (call))
        s->peer = ep;
    }
}

/* A threading server accepts a connection and hands it to a handler thread:
 * the connection is the handler's from then on, so its lane, its calls and
 * its packets go to the handler's column. Only a socket no call has used
 * since accept() changes hands, so two threads sharing one socket do not
 * make it jump back and forth. */
static void
hand_off (CapRecording *self,
          CapSocket    *s,
          const NcCall *call)
{
  if (call->actor == s->actor || call->pid != s->pid || s->parent == CAP_NONE ||
      s->last_call != s->first_call)
    return;
  s->actor = call->actor;
}

/* A forking server's child uses the connection its parent accepted, under
 * the same fd, in its own process: the child's socket takes the
 * connection's addresses, and once the links are made (the parent's
 * accept() keeps its handshake) the parent's copy, which it only closes,
 * gives the connection up, so its packets are drawn to the child's column.
 * The parent reuses the fd number for the next connection: the oldest
 * connection not yet taken goes to the first child heard from (children
 * are forked in accept order and each one's first call comes at once; a
 * child's recv() reports no addresses to tell). */
static void
inherit_connection (Pass         *pass,
                    guint32       sid,
                    const NcCall *call)
{
  CapRecording *self = pass->self;
  CapSocket *s = socket_at (self, sid);

  for (guint32 i = 0; i < sid; i++)
    {
      CapSocket *donor = socket_at (self, i);
      const NcCall *first = call_at (self, donor->first_call);
      gboolean taken = FALSE;

      if (donor->fd != s->fd || donor->pid == s->pid || donor->parent == CAP_NONE ||
          donor->peer == CAP_NONE || first->kind != NC_CALL_ACCEPT ||
          first->ts_start > call->ts_start)
        continue;
      for (guint k = 0; k < pass->inherited->len && !taken; k += 2)
        taken = g_array_index (pass->inherited, guint32, k + 1) == i;
      if (taken)
        continue;
      s->stream = donor->stream;
      s->parent = donor->parent;
      s->local = donor->local;
      s->peer = donor->peer;
      g_array_append_val (pass->inherited, sid);
      g_array_append_val (pass->inherited, i);
      return;
    }
}

/* After the links: each inherited connection is its child's alone */
void
cap_correlate_hand_over_inherited (Pass *pass)
{
  for (guint k = 0; k < pass->inherited->len; k += 2)
    socket_at (pass->self, g_array_index (pass->inherited, guint32, k + 1))->conv = CAP_NONE;
}

static void
note_select (Pass         *pass,
             const NcCall *call)
{
  static const guint8 sets[] = { NC_SET_READ, NC_SET_WRITE };

  for (guint k = 0; k < G_N_ELEMENTS (sets); k++)
    {
      const NcFdList *list = nc_call_get_fds (call, TRUE, sets[k]);
      for (guint i = 0; i < list->n && i < NC_SELECT_FDS_MAX; i++)
        {
          PendingReady r = {
            .call = call->id,
            .fd = list->fds[i],
            .socket = lookup_socket (pass, call, list->fds[i]),
            .set = sets[k],
          };
          if (r.socket != CAP_NONE)
            g_array_append_val (pass->ready, r);
        }
    }
}

/* What call @i does to the sockets. @entered: it was seen in the kernel
 * before (live), and what did not wait for its return is done. */
guint32
cap_correlate_socket_step (Pass     *pass,
             guint     i,
             gboolean  entered)
{
  CapRecording *self = pass->self;
  const NcCall *call = call_at (self, i);
  gboolean returned = call->ts_end != 0;
  guint32 sid = CAP_NONE;

  switch (nc_call_kind_info (call->kind)->link)
    {
    case NC_CALL_LINK_OPEN:
      if (call->result >= 0 && returned)
        sid = new_socket (pass, call, (gint32) call->result, (call->type & 0xf) == SOCK_STREAM);
      break;
    case NC_CALL_LINK_ACCEPT:
      sid = lookup_socket (pass, call, call->fd);
      if (sid != CAP_NONE)
        socket_at (self, sid)->listening = TRUE;
      if (call->result >= 0 && returned)
        {
          guint32 child = new_socket (pass, call, (gint32) call->result, TRUE);
          socket_at (self, child)->parent = sid;
          learn_addresses (pass, socket_at (self, child), call);
          g_hash_table_insert (pass->accepted, GUINT_TO_POINTER (i), GUINT_TO_POINTER (child + 1));
        }
      break;
    case NC_CALL_LINK_READY:
      if (returned && call->result > 0)
        note_select (pass, call);
      break;
    default:
      if (call->fd < 0 || !nc_call_is_socket_call (call->kind))
        break;
      if (entered)
        {
          sid = g_array_index (self->call_socket, guint32, i);
          break;
        }
      sid = lookup_socket (pass, call, call->fd);
      if (sid == CAP_NONE)
        {
          sid = new_socket (pass, call, call->fd, call->tcp_state != NC_TCP_STATE_NONE);
          inherit_connection (pass, sid, call);
        }
      else
        hand_off (self, socket_at (self, sid), call);
      if (nc_call_kind_info (call->kind)->link == NC_CALL_LINK_LISTEN && call->result == 0)
        socket_at (self, sid)->listening = TRUE;
      break;
    }

  if (sid == CAP_NONE)
    return CAP_NONE;
  g_array_index (self->call_socket, guint32, i) = sid;
  socket_at (self, sid)->last_call = MAX (socket_at (self, sid)->last_call, i);
  if (nc_call_kind_info (call->kind)->link != NC_CALL_LINK_ACCEPT)
    learn_addresses (pass, socket_at (self, sid), call);
  if (nc_call_kind_info (call->kind)->link == NC_CALL_LINK_CLOSE && !entered)
    forget_socket (pass, call);
  return sid;
}

static void
build_sockets (Pass *pass)
{
  CapRecording *self = pass->self;

  for (guint i = 0; i < self->calls->len; i++)
    {
      g_array_index (self->call_socket, guint32, i) = CAP_NONE;
      if (call_at (self, i)->ts_start != 0)  /* else a gap: the call's record never arrived */
        cap_correlate_socket_step (pass, i, FALSE);
    }
}

/* Which conversation each stream socket is, and which actor owns which address */

void
cap_correlate_map_socket (Pass      *pass,
            CapSocket *s)
{
  CapRecording *self = pass->self;

  if (s->stream && !s->listening && s->local != CAP_NONE && s->peer != CAP_NONE &&
      s->conv == CAP_NONE)
    s->conv = cap_recording_find_conversation (self, IPPROTO_TCP, s->local, s->peer);
  if (s->conv != CAP_NONE)
    g_hash_table_insert (self->conv_end_actor,
                         g_memdup2 (&(gint64) { ((gint64) s->conv << 32) | s->local },
                                    sizeof (gint64)),
                         GUINT_TO_POINTER ((guint) s->actor + 1));

  if (s->local == CAP_NONE)
    return;
  if (endpoint_is_wildcard (self, s->local))
    {
      const CapEndpoint *e = cap_recording_get_endpoint (self, s->local);
      g_hash_table_insert (self->port_actor,
                           GUINT_TO_POINTER (((guint) e->family << 16) | e->port),
                           GUINT_TO_POINTER ((guint) s->actor + 1));
    }
  else
    g_hash_table_insert (self->endpoint_actor, GUINT_TO_POINTER (s->local),
                         GUINT_TO_POINTER ((guint) s->actor + 1));
}

static void
map_sockets (Pass *pass)
{
  CapRecording *self = pass->self;

  g_hash_table_remove_all (self->endpoint_actor);
  g_hash_table_remove_all (self->port_actor);
  g_hash_table_remove_all (self->conv_end_actor);
  for (guint i = 0; i < self->sockets->len; i++)
    cap_correlate_map_socket (pass, socket_at (self, i));
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

static gint
compare_segments (gconstpointer a,
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
  while (at > 0 && compare_segments (&g_array_index (list, Segment, at - 1), &seg) > 0)
    at--;
  g_array_insert_val (list, at, seg);
  ci->max_len[pkt->from_b] = MAX (ci->max_len[pkt->from_b], pkt->payload_len);
  if (ci->ranges[pkt->from_b] != NULL)
    cap_correlate_link_late_segment (pass, ci, pkt->from_b, &seg);
}

static Queue *
queue_for (Pass       *pass,
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
      g_array_append_val (queue_for (pass, pass->send_queues, endpoint_port (self, pkt->src))->packets,
                          p);
      g_array_append_val (queue_for (pass, pass->recv_queues, endpoint_port (self, pkt->dst))->packets,
                          p);
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

/* Stream sockets */

/* 0 if the socket is its conversation's a side (it sent the first packet) */
static guint
socket_direction (CapRecording    *self,
                  const CapSocket *s)
{
  const CapConversation *c = cap_recording_get_conversation (self, s->conv);
  return c->a == s->local ? 0 : 1;
}

static guint
link_stream_bytes (Pass         *pass,
                   const NcCall *call,
                   CapSocket    *s,
                   guint         dir,
                   guint64       begin,
                   guint64       end)
{
  ConvIndex *ci = cap_correlate_conv_index (pass, s->conv, FALSE);
  GArray *list = ci ? ci->dir[dir] : NULL;
  Segment from = { 0 };
  guint found = 0;

  if (list == NULL)
    return 0;
  /* No segment is longer than max_len: one that overlaps [begin, end)
   * starts after begin - max_len. Retransmissions are in the list too. */
  from.begin = begin > ci->max_len[dir] ? begin - ci->max_len[dir] : 0;
  for (guint i = cap_correlate_lower_bound (list, &from, compare_segments); i < list->len; i++)
    {
      const Segment *seg = &g_array_index (list, Segment, i);
      visit (pass);
      if (seg->begin >= end)
        break;
      if (seg->begin + seg->len > begin)
        {
          cap_correlate_add_link (pass, call->id, seg->packet, CAP_LINK_DATA, call->fd);
          found++;
        }
    }
  return found;
}

static guint
link_handshake (Pass         *pass,
                const NcCall *call,
                CapSocket    *s)
{
  CapRecording *self = pass->self;
  ConvIndex *ci = cap_correlate_conv_index (pass, s->conv, FALSE);
  gboolean have_syn = FALSE, have_syn_ack = FALSE;
  guint syn_dir = 0;

  for (guint i = 0; ci != NULL && i < ci->packets->len; i++)
    {
      guint32 p = g_array_index (ci->packets, guint32, i);
      const CapPacket *pkt = packet_at (self, p);
      guint8 f = pkt->tcp_flags & (CAP_TCP_SYN | CAP_TCP_ACK);

      visit (pass);
      if (!have_syn && f == CAP_TCP_SYN)
        {
          have_syn = TRUE;
          syn_dir = pkt->from_b;
        }
      else if (have_syn && !have_syn_ack && f == (CAP_TCP_SYN | CAP_TCP_ACK))
        have_syn_ack = TRUE;
      else if (have_syn_ack && f == CAP_TCP_ACK && pkt->from_b == syn_dir)
        {
          /* The third packet completes it; it may already carry data. */
          cap_correlate_add_link (pass, call->id, p, CAP_LINK_HANDSHAKE, call->fd);
          return 3;
        }
      else
        continue;
      cap_correlate_add_link (pass, call->id, p, CAP_LINK_HANDSHAKE, call->fd);
    }
  return have_syn + have_syn_ack;
}

/* The first packet of the conversation from @dir with one of @flags, at or
 * after @since */
static guint32
find_flagged (Pass      *pass,
              CapSocket *s,
              guint      dir,
              guint8     flags,
              gint64     since)
{
  CapRecording *self = pass->self;
  ConvIndex *ci = cap_correlate_conv_index (pass, s->conv, FALSE);

  for (guint i = 0; ci != NULL && i < ci->packets->len; i++)
    {
      guint32 p = g_array_index (ci->packets, guint32, i);
      const CapPacket *pkt = packet_at (self, p);
      visit (pass);
      if (pkt->from_b == dir && (pkt->tcp_flags & flags) && pkt->ts >= since)
        return p;
    }
  return CAP_NONE;
}

/* The FIN (or, failing that, the RST) this side sent at or after the call */
static guint
link_teardown (Pass         *pass,
               const NcCall *call,
               CapSocket    *s,
               guint         dir)
{
  guint32 p = find_flagged (pass, s, dir, CAP_TCP_FIN, call->ts_start);

  if (p == CAP_NONE)
    p = find_flagged (pass, s, dir, CAP_TCP_RST, call->ts_start);
  if (p == CAP_NONE)
    return 0;
  cap_correlate_add_link (pass, call->id, p, CAP_LINK_TEARDOWN, call->fd);
  return 1;
}

/* recv() returning 0: the peer's FIN that ended the stream */
static guint
link_end_of_stream (Pass         *pass,
                    const NcCall *call,
                    CapSocket    *s,
                    guint         dir_in)
{
  guint32 p = find_flagged (pass, s, dir_in, CAP_TCP_FIN | CAP_TCP_RST, G_MININT64);

  if (p == CAP_NONE)
    return 0;
  cap_correlate_add_link (pass, call->id, p, CAP_LINK_TEARDOWN, call->fd);
  return 1;
}

/* A refused connect(): its SYN, found by destination and time, and the RST. */
static guint
link_refused_connect (Pass         *pass,
                      const NcCall *call)
{
  CapRecording *self = pass->self;
  gboolean wildcard;
  guint32 peer = cap_recording_lookup_endpoint_text (self, call->peer, &wildcard);
  guint p = cap_recording_find_packet_at (self, call->ts_start);

  if (peer == CAP_NONE)
    return 2;  /* nothing to look for */
  for (; p < self->packets->len && packet_at (self, p)->ts <= call->ts_end; p++)
    {
      const CapPacket *syn = packet_at (self, p);
      visit (pass);
      if (syn->proto != IPPROTO_TCP || syn->dst != peer ||
          (syn->tcp_flags & (CAP_TCP_SYN | CAP_TCP_ACK)) != CAP_TCP_SYN)
        continue;
      cap_correlate_add_link (pass, call->id, p, CAP_LINK_REFUSED, call->fd);
      for (guint q = p + 1; q < self->packets->len; q++)
        {
          const CapPacket *rst = packet_at (self, q);
          visit (pass);
          if (rst->conv == syn->conv && (rst->tcp_flags & CAP_TCP_RST))
            {
              cap_correlate_add_link (pass, call->id, q, CAP_LINK_REFUSED, call->fd);
              return 2;
            }
        }
      return 1;
    }
  return 0;
}

/* A receive with MSG_PEEK: it reads what the next receive will read again */
gboolean
cap_correlate_is_peek (const NcCall *call)
{
  return nc_call_kind_info (call->kind)->link == NC_CALL_LINK_RECV && (call->flags & MSG_PEEK);
}

static gboolean
is_send (NcCallKind kind)
{
  return nc_call_kind_info (kind)->link == NC_CALL_LINK_SEND;
}

static gboolean
is_recv (NcCallKind kind)
{
  return nc_call_kind_info (kind)->link == NC_CALL_LINK_RECV;
}

/* Where a returned stream call's bytes begin in its direction: calls are
 * taken in order per socket, as the kernel took them. */
void
cap_correlate_assign_offset (Pass *pass,
               guint i)
{
  CapRecording *self = pass->self;
  const NcCall *call = call_at (self, i);
  guint32 sid = g_array_index (self->call_socket, guint32, i);
  GArray *counter;

  if (sid == CAP_NONE || !socket_at (self, sid)->stream || call->result <= 0)
    return;
  if (is_send (call->kind))
    counter = pass->sent;
  else if (is_recv (call->kind))
    counter = pass->received;
  else
    return;
  g_array_index (pass->offset, guint64, i) = g_array_index (counter, guint64, sid);
  /* recv (MSG_PEEK) reads bytes and leaves them queued: the next recv()
   * gets them again, from the same offset */
  if (!cap_correlate_is_peek (call))
    g_array_index (counter, guint64, sid) += call->result;
}

/* Whether the other process's copy of connection @s is still open when
 * @close_call closes this one: a forking server's parent and its child
 * each hold the connection the parent accepted. Only the last close() of a
 * connection sends its FIN; one of a descriptor the other process still
 * holds sends nothing, so it has no packet to link. */
static gboolean
other_copy_open (Pass         *pass,
                 CapSocket    *s,
                 const NcCall *close_call)
{
  CapRecording *self = pass->self;

  for (guint k = 0; k < pass->inherited->len; k += 2)
    {
      guint32 child = g_array_index (pass->inherited, guint32, k);
      guint32 parent = g_array_index (pass->inherited, guint32, k + 1);
      const NcCall *last;

      if (s->id != child && s->id != parent)
        continue;
      last = call_at (self, socket_at (self, s->id == child ? parent : child)->last_call);
      return nc_call_kind_info (last->kind)->link != NC_CALL_LINK_CLOSE ||
             last->ts_start > close_call->ts_start;
    }
  return FALSE;
}

static gboolean
link_stream_call (Pass         *pass,
                  const NcCall *call,
                  CapSocket    *s)
{
  CapRecording *self = pass->self;
  guint64 begin = g_array_index (pass->offset, guint64, call->id);
  guint dir;

  if (s->conv == CAP_NONE)
    /* Live: its packets may not be in yet */
    switch (nc_call_kind_info (call->kind)->link)
      {
      case NC_CALL_LINK_CONNECT:
      case NC_CALL_LINK_CLOSE:
      case NC_CALL_LINK_SHUTDOWN:
      case NC_CALL_LINK_SEND:
      case NC_CALL_LINK_RECV:
        return FALSE;
      default:
        return TRUE;
      }

  dir = socket_direction (self, s);
  switch (nc_call_kind_info (call->kind)->link)
    {
    case NC_CALL_LINK_CONNECT:
      if (call->result == 0 || call->err == EINPROGRESS)
        return link_handshake (pass, call, s) == 3;
      break;
    case NC_CALL_LINK_SEND:
      if (call->result > 0)
        {
          cap_correlate_note_range_once (pass, call, s, dir, begin);
          link_stream_bytes (pass, call, s, dir, begin, begin + call->result);
        }
      break;
    case NC_CALL_LINK_RECV:
      if (call->result > 0)
        {
          cap_correlate_note_range_once (pass, call, s, !dir, begin);
          link_stream_bytes (pass, call, s, !dir, begin, begin + call->result);
        }
      else if (call->result == 0 && call->err == 0)
        return link_end_of_stream (pass, call, s, !dir) > 0;
      break;
    case NC_CALL_LINK_SHUTDOWN:
      if (call->result == 0 && call->domain != SHUT_RD)
        return link_teardown (pass, call, s, dir) > 0;
      break;
    case NC_CALL_LINK_CLOSE:
      if (other_copy_open (pass, s, call))
        return TRUE;
      return link_teardown (pass, call, s, dir) > 0;
    default:
      break;
    }
  return TRUE;
}

/* Datagram sockets: by addresses and order */

static gboolean
datagram_matches (CapRecording    *self,
                  const CapPacket *pkt,
                  guint32          from,
                  guint32          to)
{
  const CapEndpoint *src = cap_recording_get_endpoint (self, pkt->src);
  const CapEndpoint *dst = cap_recording_get_endpoint (self, pkt->dst);

  /* A wildcard local address matches any address on its port. */
  if (from != CAP_NONE &&
      (endpoint_is_wildcard (self, from) ? src->port != endpoint_port (self, from)
                                         : pkt->src != from))
    return FALSE;
  if (to != CAP_NONE &&
      (endpoint_is_wildcard (self, to) ? dst->port != endpoint_port (self, to) : pkt->dst != to))
    return FALSE;
  return TRUE;
}

static gint
compare_packet_ts (gconstpointer a,
                   gconstpointer b,
                   gpointer      user_data)
{
  const CapPacket *packets = user_data;
  gint64 x = packets[*(const guint32 *) a].ts, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* The first datagram of @q at or after @ts */
static guint
queue_find_time (CapRecording *self,
                 Queue        *q,
                 gint64        ts)
{
  guint lo = q->cursor, hi = q->packets->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (compare_packet_ts (&g_array_index (q->packets, guint32, mid), &ts,
                             self->packets->data) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* The oldest datagram not yet taken that matches: for a receive, the head
 * of its port's queue; for a send, the first one sent after the call began.
 * Live, a call whose datagram is not in yet waits (@first is its first
 * try), and so do the calls after it on that queue, so none takes another's
 * datagram. */
static gboolean
link_datagram (Pass         *pass,
               const NcCall *call,
               guint32       from,
               guint32       to,
               gboolean      sending,
               gboolean      first)
{
  CapRecording *self = pass->self;
  guint32 own = sending ? from : to;
  GHashTable *table = sending ? pass->send_queues : pass->recv_queues;
  guint8 *claimed = (guint8 *) (sending ? pass->claimed_send : pass->claimed_recv)->data;
  Queue *q = own == CAP_NONE ? pass->any_queue : queue_for (pass, table, endpoint_port (self, own));
  guint i;

  if (pass->live)
    {
      if (first && q->waiting > 0)
        {
          q->waiting++;
          return FALSE;
        }
      if (!first && q->waiting > 0)
        q->waiting--;
    }
  while (q->cursor < q->packets->len && claimed[g_array_index (q->packets, guint32, q->cursor)])
    q->cursor++;
  i = sending ? queue_find_time (self, q, call->ts_start) : q->cursor;
  for (; i < q->packets->len; i++)
    {
      guint32 p = g_array_index (q->packets, guint32, i);
      const CapPacket *pkt = packet_at (self, p);

      visit (pass);
      if (pkt->ts > call->ts_end + DATAGRAM_WINDOW_NS)
        break;
      if (claimed[p] || !datagram_matches (self, pkt, from, to))
        continue;
      /* a peek leaves the datagram queued for the receive after it */
      claimed[p] = sending || !cap_correlate_is_peek (call);
      cap_correlate_add_link (pass, call->id, p, CAP_LINK_DATA, call->fd);
      return TRUE;
    }
  if (pass->live && first)
    q->waiting++;
  return FALSE;
}

/* Raw sockets (SOCK_RAW) have no ports: the program writes the ICMP message
 * itself and reads whole IP packets, every ICMP message that arrives. So a
 * raw call is linked by its bytes: a sendto() to the first ICMP packet
 * after it began whose frame ends with the message it sent (the kernel adds
 * only the IP header), a recvfrom() to the oldest one not yet read, of the
 * second before it returned, whose frame ends with the IP packet it read. */
static gboolean
is_raw_socket (CapRecording    *self,
               const CapSocket *s)
{
  const NcCall *first = call_at (self, s->first_call);

  return first->kind == NC_CALL_SOCKET && (first->type & 0xf) == SOCK_RAW;
}

/* Whether packet @p's whole frame ends with @len bytes that begin with the
 * bytes @call kept */
static gboolean
frame_ends_with_call_data (CapRecording *self,
                           guint32       p,
                           const NcCall *call,
                           gint64        len)
{
  guint32 caplen = 0;
  const guint8 *data = cap_recording_get_packet_data (self, p, &caplen);

  if (data == NULL || caplen != packet_at (self, p)->len || call->data_len == 0 ||
      len < call->data_len || (guint64) len > caplen)
    return FALSE;
  return memcmp (data + caplen - len, call->data, call->data_len) == 0;
}

static gboolean
link_raw_call (Pass         *pass,
               const NcCall *call)
{
  CapRecording *self = pass->self;
  Queue *q = pass->icmp_queue;
  gboolean sending = is_send (call->kind);
  guint8 *claimed = (guint8 *) (sending ? pass->claimed_send : pass->claimed_recv)->data;
  guint32 found = CAP_NONE;

  if (call->result <= 0 || (!sending && !is_recv (call->kind)))
    return TRUE;
  if (sending)
    for (guint i = queue_find_time (self, q, call->ts_start); i < q->packets->len; i++)
      {
        guint32 p = g_array_index (q->packets, guint32, i);

        visit (pass);
        if (packet_at (self, p)->ts > call->ts_end + DATAGRAM_WINDOW_NS)
          break;
        if (!claimed[p] && frame_ends_with_call_data (self, p, call, call->result))
          {
            found = p;
            break;
          }
      }
  else
    for (guint i = queue_find_time (self, q, call->ts_end + 1); i-- > q->cursor;)
      {
        guint32 p = g_array_index (q->packets, guint32, i);

        visit (pass);
        if (packet_at (self, p)->ts < call->ts_end - DATAGRAM_WINDOW_NS)
          break;
        if (!claimed[p] && frame_ends_with_call_data (self, p, call, call->result))
          found = p;
      }
  if (found == CAP_NONE)
    return FALSE;
  claimed[found] = TRUE;
  cap_correlate_add_link (pass, call->id, found, CAP_LINK_DATA, call->fd);
  return TRUE;
}

static gboolean
link_datagram_call (Pass         *pass,
                    const NcCall *call,
                    CapSocket    *s,
                    gboolean      first)
{
  guint32 peer;

  if (call->result <= 0)
    return TRUE;
  peer = cap_recording_lookup_endpoint_text (pass->self, call->peer, NULL);
  if (peer == CAP_NONE)
    peer = s->peer;
  if (is_send (call->kind))
    return link_datagram (pass, call, s->local, peer, TRUE, first);
  /* A receive takes the oldest datagram queued for it, which may have
   * arrived long before the call. */
  if (is_recv (call->kind))
    return link_datagram (pass, call, peer, s->local, FALSE, first);
  return TRUE;
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
    return link_refused_connect (pass, call) == 2;
  if (nc_call_kind_info (call->kind)->link == NC_CALL_LINK_ACCEPT && call->result >= 0)
    {
      /* accept() is drawn on the listening lane; its links are the new connection's */
      gpointer child = g_hash_table_lookup (pass->accepted, GUINT_TO_POINTER (i));
      if (child == NULL)
        return TRUE;
      s = socket_at (self, GPOINTER_TO_UINT (child) - 1);
      if (pass->live)
        cap_correlate_map_socket (pass, s);
      return s->conv != CAP_NONE && link_handshake (pass, call, s) == 3;
    }
  if (sid == CAP_NONE)
    return TRUE;
  s = socket_at (self, sid);
  if (pass->live)
    cap_correlate_map_socket (pass, s);
  if (s->stream)
    return link_stream_call (pass, call, s);
  if (is_raw_socket (self, s))
    return link_raw_call (pass, call);
  return link_datagram_call (pass, call, s, first);
}

/* ICMP errors: the datagram they quote, its sendto(), and the call that failed */

void
cap_correlate_note_refused_call (Pass *pass,
                   guint i)
{
  CapRecording *self = pass->self;
  const NcCall *call = call_at (self, i);
  guint32 sid = g_array_index (self->call_socket, guint32, i);
  guint port;
  GArray *list;

  if (call->err != ECONNREFUSED || sid == CAP_NONE)
    return;
  port = endpoint_port (self, socket_at (self, sid)->local);
  list = g_hash_table_lookup (pass->refused_calls, GUINT_TO_POINTER (port));
  if (list == NULL)
    {
      list = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_hash_table_insert (pass->refused_calls, GUINT_TO_POINTER (port), list);
    }
  g_array_append_val (list, i);
}

/* Reads the quoted datagram's addresses; the datagram is the last one with
 * them before the ICMP packet. */
gboolean
cap_correlate_note_icmp (Pass        *pass,
           guint32      icmp,
           PendingIcmp *out)
{
  CapRecording *self = pass->self;
  CapSummary s;
  guint32 src, dst;
  gpointer last;

  if (!cap_recording_dissect_packet (self, icmp, &s) || !(s.flags & CAP_SUMMARY_QUOTED) ||
      s.quoted_proto != IPPROTO_UDP)
    return FALSE;
  src = cap_recording_intern_endpoint (self, s.quoted_family, s.quoted_src, s.quoted_sport);
  dst = cap_recording_intern_endpoint (self, s.quoted_family, s.quoted_dst, s.quoted_dport);
  last = g_hash_table_lookup (pass->last_datagram, &(guint64) { PAIR_KEY (src, dst) });
  *out = (PendingIcmp) {
    .icmp = icmp,
    .datagram = last ? GPOINTER_TO_UINT (last) - 1 : CAP_NONE,
    .port = endpoint_port (self, src),
  };
  return TRUE;
}

/* The ICMP error goes to each call that sent the datagram it quotes. */
gboolean
cap_correlate_link_icmp_to_sender (Pass              *pass,
                     const PendingIcmp *e)
{
  CapRecording *self = pass->self;
  const CapLink *links;
  guint n, found = 0;
  g_autofree CapLink *copy = NULL;

  if (e->datagram == CAP_NONE)
    return TRUE;
  links = cap_recording_get_packet_links (self, e->datagram, &n);
  copy = g_memdup2 (links, n * sizeof (CapLink));  /* adding links moves them */
  for (guint k = 0; k < n; k++)
    {
      visit (pass);
      NcCallKind kind = call_at (self, copy[k].call)->kind;
      if (!is_recv (kind) && copy[k].kind != CAP_LINK_READY)
        {
          cap_correlate_add_link (pass, copy[k].call, e->icmp, CAP_LINK_ICMP, copy[k].fd);
          found++;
        }
    }
  return found > 0;
}

/* ...and to the next call on that port's socket that failed with ECONNREFUSED */
gboolean
cap_correlate_link_icmp_refused (Pass              *pass,
                   const PendingIcmp *e)
{
  CapRecording *self = pass->self;
  GArray *list = g_hash_table_lookup (pass->refused_calls, GUINT_TO_POINTER ((guint) e->port));
  gint64 ts = packet_at (self, e->icmp)->ts;

  for (guint k = 0; list != NULL && k < list->len; k++)
    {
      const NcCall *call = call_at (self, g_array_index (list, guint32, k));
      visit (pass);
      if (call->ts_end >= ts)
        {
          cap_correlate_add_link (pass, call->id, e->icmp, CAP_LINK_REFUSED, call->fd);
          return TRUE;
        }
    }
  return FALSE;
}

/* Full pass: links by packet are needed to find the datagrams' senders. */
static void
link_icmp (Pass *pass)
{
  CapRecording *self = pass->self;

  g_array_set_size (self->links_by_packet, 0);
  g_array_append_vals (self->links_by_packet, self->links->data, self->links->len);
  g_array_sort (self->links_by_packet, cap_correlate_compare_by_packet);
  /* The datagrams' last senders as of each ICMP packet: a second sweep */
  g_hash_table_remove_all (pass->last_datagram);

  for (guint p = 0; p < self->packets->len; p++)
    {
      const CapPacket *pkt = packet_at (self, p);
      PendingIcmp e;

      if (pkt->proto == IPPROTO_UDP && pkt->src != CAP_NONE)
        g_hash_table_insert (pass->last_datagram,
                             g_memdup2 (&(guint64) { PAIR_KEY (pkt->src, pkt->dst) }, sizeof (guint64)),
                             GUINT_TO_POINTER (p + 1));
      if (!(pkt->flags & CAP_PACKET_QUOTED) || !cap_correlate_note_icmp (pass, p, &e))
        continue;
      cap_correlate_link_icmp_to_sender (pass, &e);
      cap_correlate_link_icmp_refused (pass, &e);
    }
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
      build_sockets (pass);
      map_sockets (pass);
      index_conversations (pass);
      for (guint i = 0; i < self->calls->len; i++)
        {
          cap_correlate_assign_offset (pass, i);
          cap_correlate_link_call (pass, i, TRUE);
          cap_correlate_note_refused_call (pass, i);
        }
      link_icmp (pass);
      for (guint i = 0; i < pass->ready->len; i++)
        cap_correlate_link_ready (pass, &g_array_index (pass->ready, PendingReady, i));
      cap_correlate_hand_over_inherited (pass);
    }
  build_indexes (self);
  /* A full pass is not continued: the next live commit starts afresh. */
  g_clear_pointer (&self->correlation, cap_correlation_free);
}

