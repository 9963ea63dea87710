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
 * The pass recomputes everything from the calls and packets, so a recording
 * read back from a file gets the very links it was saved with.
 */

#include "config.h"

#include "cap-recording-private.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#define SOCKET_KEY(pid, fd) ((((guint64) (guint32) (pid)) << 32) | (guint32) (fd))

typedef struct
{
  guint32 call;
  gint32  fd;
  guint32 socket;
  guint8  set;  /* NC_SET_READ or NC_SET_WRITE */
} PendingReady;

typedef struct
{
  CapRecording *self;
  GHashTable   *open;          /* SOCKET_KEY -> socket id + 1 */
  GArray       *ready;         /* PendingReady */
  GHashTable   *conv_packets;  /* conv id -> GArray of packet indices */
  GHashTable   *conv_segments; /* conv id -> Segments: data segments by stream offset */
  guint8       *claimed_send;  /* per packet: a datagram already matched to a send */
  guint8       *claimed_recv;
  GArray       *inherited;     /* guint32 pairs: a forked child's socket, its parent's copy */
} Pass;

static CapSocket *
socket_at (CapRecording *self,
           guint32       id)
{
  return &g_array_index (self->sockets, CapSocket, id);
}

static const NcCall *
call_at (CapRecording *self,
         guint32       id)
{
  return &g_array_index (self->calls, NcCall, id);
}

static const CapPacket *
packet_at (CapRecording *self,
           guint32       index)
{
  return &g_array_index (self->packets, CapPacket, index);
}

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

static void
add_link (CapRecording *self,
          guint32       call,
          guint32       packet,
          CapLinkKind   kind,
          gint32        fd)
{
  CapLink link = { .call = call, .packet = packet, .kind = kind, .fd = fd };
  g_array_append_val (self->links, link);
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

  g_array_append_val (self->sockets, s);
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
static void
hand_over_inherited (Pass *pass)
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
      const NcFdList *list = &call->sets_out[sets[k]];
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

static void
build_sockets (Pass *pass)
{
  CapRecording *self = pass->self;

  g_array_set_size (self->call_socket, self->calls->len);
  for (guint i = 0; i < self->calls->len; i++)
    {
      const NcCall *call = call_at (self, i);
      guint32 sid = CAP_NONE;

      g_array_index (self->call_socket, guint32, i) = CAP_NONE;
      if (call->ts_start == 0)
        continue;  /* a gap: the call's record never arrived */

      switch (nc_call_kind_info (call->kind)->link)
        {
        case NC_CALL_LINK_OPEN:
          if (call->result >= 0 && call->ts_end != 0)
            sid = new_socket (pass, call, (gint32) call->result,
                              (call->type & 0xf) == SOCK_STREAM);
          break;
        case NC_CALL_LINK_ACCEPT:
          sid = lookup_socket (pass, call, call->fd);
          if (sid != CAP_NONE)
            socket_at (self, sid)->listening = TRUE;
          if (call->result >= 0 && call->ts_end != 0)
            {
              guint32 child = new_socket (pass, call, (gint32) call->result, TRUE);
              socket_at (self, child)->parent = sid;
              learn_addresses (pass, socket_at (self, child), call);
            }
          break;
        case NC_CALL_LINK_READY:
          if (call->ts_end != 0 && call->result > 0)
            note_select (pass, call);
          break;
        default:
          if (call->fd < 0 || !nc_call_is_socket_call (call->kind))
            break;
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
        continue;
      g_array_index (self->call_socket, guint32, i) = sid;
      socket_at (self, sid)->last_call = i;
      if (nc_call_kind_info (call->kind)->link != NC_CALL_LINK_ACCEPT)
        learn_addresses (pass, socket_at (self, sid), call);
      if (nc_call_kind_info (call->kind)->link == NC_CALL_LINK_CLOSE)
        forget_socket (pass, call);
    }
}

/* Which conversation each stream socket is, and which actor owns which address */

static void
map_sockets (Pass *pass)
{
  CapRecording *self = pass->self;

  g_hash_table_remove_all (self->endpoint_actor);
  g_hash_table_remove_all (self->port_actor);
  g_hash_table_remove_all (self->conv_end_actor);

  for (guint i = 0; i < self->sockets->len; i++)
    {
      CapSocket *s = socket_at (self, i);

      if (s->stream && !s->listening && s->local != CAP_NONE && s->peer != CAP_NONE)
        s->conv = cap_recording_find_conversation (self, IPPROTO_TCP, s->local, s->peer);
      if (s->conv != CAP_NONE)
        g_hash_table_insert (self->conv_end_actor,
                             g_memdup2 (&(gint64) { ((gint64) s->conv << 32) | s->local },
                                        sizeof (gint64)),
                             GUINT_TO_POINTER ((guint) s->actor + 1));

      if (s->local == CAP_NONE)
        continue;
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
}

/* A conversation's data segments in one direction, sorted by their offset in
 * the stream, so the segments of a byte range are found by binary search. */
typedef struct
{
  guint64 begin;   /* relative to the first data byte */
  guint32 len;
  guint32 packet;
} Segment;

typedef struct
{
  GArray  *dir[2];   /* Segment, by begin */
  guint32  max_len[2];
} Segments;

static void
segments_free (gpointer data)
{
  Segments *segs = data;

  g_array_unref (segs->dir[0]);
  g_array_unref (segs->dir[1]);
  g_free (segs);
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

static GArray *
conv_packets (Pass    *pass,
              guint32  conv)
{
  return g_hash_table_lookup (pass->conv_packets, GUINT_TO_POINTER (conv));
}

static void
index_segments (Pass *pass)
{
  CapRecording *self = pass->self;
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, pass->conv_packets);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const CapConversation *c = cap_recording_get_conversation (self, GPOINTER_TO_UINT (key));
      GArray *list = value;
      Segments *segs = g_new0 (Segments, 1);

      segs->dir[0] = g_array_new (FALSE, FALSE, sizeof (Segment));
      segs->dir[1] = g_array_new (FALSE, FALSE, sizeof (Segment));
      for (guint i = 0; i < list->len; i++)
        {
          guint32 p = g_array_index (list, guint32, i);
          const CapPacket *pkt = packet_at (self, p);
          /* 32-bit wrap within one lesson is fine */
          Segment seg = { (guint32) (pkt->seq - c->isn[pkt->from_b] - 1), pkt->payload_len, p };

          if (pkt->payload_len == 0)
            continue;
          g_array_append_val (segs->dir[pkt->from_b], seg);
          segs->max_len[pkt->from_b] = MAX (segs->max_len[pkt->from_b], pkt->payload_len);
        }
      g_array_sort (segs->dir[0], compare_segments);
      g_array_sort (segs->dir[1], compare_segments);
      g_hash_table_insert (pass->conv_segments, key, segs);
    }
}

static void
index_conversations (Pass *pass)
{
  CapRecording *self = pass->self;

  for (guint i = 0; i < self->sockets->len; i++)
    {
      guint32 conv = socket_at (self, i)->conv;
      if (conv != CAP_NONE && conv_packets (pass, conv) == NULL)
        g_hash_table_insert (pass->conv_packets, GUINT_TO_POINTER (conv),
                             g_array_new (FALSE, FALSE, sizeof (guint32)));
    }
  if (g_hash_table_size (pass->conv_packets) == 0)
    return;
  for (guint p = 0; p < self->packets->len; p++)
    {
      const CapPacket *pkt = packet_at (self, p);
      GArray *list;
      if (pkt->conv != CAP_NONE && (list = conv_packets (pass, pkt->conv)) != NULL)
        g_array_append_val (list, p);
    }
  index_segments (pass);
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

static void
link_stream_bytes (Pass         *pass,
                   const NcCall *call,
                   CapSocket    *s,
                   guint         dir,
                   guint64       begin,
                   guint64       end)
{
  Segments *segs = g_hash_table_lookup (pass->conv_segments, GUINT_TO_POINTER (s->conv));
  GArray *list = segs ? segs->dir[dir] : NULL;
  guint64 from;
  guint lo = 0, hi;

  if (list == NULL)
    return;
  /* No segment is longer than max_len: one that overlaps [begin, end)
   * starts after begin - max_len. Retransmissions are in the list too. */
  from = begin > segs->max_len[dir] ? begin - segs->max_len[dir] : 0;
  hi = list->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (list, Segment, mid).begin < from)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (guint i = lo; i < list->len; i++)
    {
      const Segment *seg = &g_array_index (list, Segment, i);
      if (seg->begin >= end)
        break;
      if (seg->begin + seg->len > begin)
        add_link (pass->self, call->id, seg->packet, CAP_LINK_DATA, call->fd);
    }
}

static void
link_handshake (Pass         *pass,
                const NcCall *call,
                CapSocket    *s)
{
  CapRecording *self = pass->self;
  GArray *list = conv_packets (pass, s->conv);
  gboolean have_syn = FALSE, have_syn_ack = FALSE;
  guint syn_dir = 0;

  for (guint i = 0; i < list->len; i++)
    {
      guint32 p = g_array_index (list, guint32, i);
      const CapPacket *pkt = packet_at (self, p);
      guint8 f = pkt->tcp_flags & (CAP_TCP_SYN | CAP_TCP_ACK);

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
          add_link (self, call->id, p, CAP_LINK_HANDSHAKE, call->fd);
          return;
        }
      else
        continue;
      add_link (self, call->id, p, CAP_LINK_HANDSHAKE, call->fd);
    }
}

/* The FIN (or, failing that, the RST) this side sent at or after the call */
static void
link_teardown (Pass         *pass,
               const NcCall *call,
               CapSocket    *s,
               guint         dir)
{
  CapRecording *self = pass->self;
  GArray *list = conv_packets (pass, s->conv);
  guint8 wanted[] = { CAP_TCP_FIN, CAP_TCP_RST };

  for (guint w = 0; w < G_N_ELEMENTS (wanted); w++)
    for (guint i = 0; i < list->len; i++)
      {
        guint32 p = g_array_index (list, guint32, i);
        const CapPacket *pkt = packet_at (self, p);
        if (pkt->from_b == dir && (pkt->tcp_flags & wanted[w]) && pkt->ts >= call->ts_start)
          {
            add_link (self, call->id, p, CAP_LINK_TEARDOWN, call->fd);
            return;
          }
      }
}

/* recv() returning 0: the peer's FIN that ended the stream */
static void
link_end_of_stream (Pass         *pass,
                    const NcCall *call,
                    CapSocket    *s,
                    guint         dir_in)
{
  CapRecording *self = pass->self;
  GArray *list = conv_packets (pass, s->conv);

  for (guint i = 0; i < list->len; i++)
    {
      guint32 p = g_array_index (list, guint32, i);
      const CapPacket *pkt = packet_at (self, p);
      if (pkt->from_b == dir_in && (pkt->tcp_flags & (CAP_TCP_FIN | CAP_TCP_RST)))
        {
          add_link (self, call->id, p, CAP_LINK_TEARDOWN, call->fd);
          return;
        }
    }
}

/* A refused connect(): its SYN, found by destination and time, and the RST. */
static void
link_refused_connect (Pass         *pass,
                      const NcCall *call)
{
  CapRecording *self = pass->self;
  gboolean wildcard;
  guint32 peer = cap_recording_lookup_endpoint_text (self, call->peer, &wildcard);
  guint p = cap_recording_find_packet_at (self, call->ts_start);

  if (peer == CAP_NONE)
    return;
  for (; p < self->packets->len && packet_at (self, p)->ts <= call->ts_end; p++)
    {
      const CapPacket *syn = packet_at (self, p);
      if (syn->proto != IPPROTO_TCP || syn->dst != peer ||
          (syn->tcp_flags & (CAP_TCP_SYN | CAP_TCP_ACK)) != CAP_TCP_SYN)
        continue;
      add_link (self, call->id, p, CAP_LINK_REFUSED, call->fd);
      for (guint q = p + 1; q < self->packets->len; q++)
        {
          const CapPacket *rst = packet_at (self, q);
          if (rst->conv == syn->conv && (rst->tcp_flags & CAP_TCP_RST))
            {
              add_link (self, call->id, q, CAP_LINK_REFUSED, call->fd);
              break;
            }
        }
      return;
    }
}

static void
link_stream_calls (Pass *pass)
{
  CapRecording *self = pass->self;
  guint64 *sent = g_new0 (guint64, self->sockets->len + 1);
  guint64 *received = g_new0 (guint64, self->sockets->len + 1);

  for (guint i = 0; i < self->calls->len; i++)
    {
      const NcCall *call = call_at (self, i);
      guint32 sid = g_array_index (self->call_socket, guint32, i);
      CapSocket *s;
      NcCallLink link;
      guint dir;

      if (call->ts_end == 0)
        continue;
      link = nc_call_kind_info (call->kind)->link;
      if (link == NC_CALL_LINK_CONNECT && call->err == ECONNREFUSED)
        {
          link_refused_connect (pass, call);
          continue;
        }
      if (link == NC_CALL_LINK_ACCEPT && call->result >= 0)
        {
          /* accept() is drawn on the listening lane; its links are the new connection's */
          for (guint k = 0; k < self->sockets->len; k++)
            if (socket_at (self, k)->first_call == i && socket_at (self, k)->conv != CAP_NONE &&
                socket_at (self, k)->fd == call->result)
              link_handshake (pass, call, socket_at (self, k));
          continue;
        }
      if (sid == CAP_NONE || (s = socket_at (self, sid))->conv == CAP_NONE)
        continue;

      dir = socket_direction (self, s);
      switch (link)
        {
        case NC_CALL_LINK_CONNECT:
          if (call->result == 0 || call->err == EINPROGRESS)
            link_handshake (pass, call, s);
          break;
        case NC_CALL_LINK_SEND:
          if (call->result > 0)
            {
              link_stream_bytes (pass, call, s, dir, sent[sid], sent[sid] + call->result);
              sent[sid] += call->result;
            }
          break;
        case NC_CALL_LINK_RECV:
          if (call->result > 0)
            {
              link_stream_bytes (pass, call, s, !dir, received[sid],
                                 received[sid] + call->result);
              received[sid] += call->result;
            }
          else if (call->result == 0 && call->err == 0)
            link_end_of_stream (pass, call, s, !dir);
          break;
        case NC_CALL_LINK_SHUTDOWN:
          if (call->result == 0 && call->domain != SHUT_RD)
            link_teardown (pass, call, s, dir);
          break;
        case NC_CALL_LINK_CLOSE:
          link_teardown (pass, call, s, dir);
          break;
        default:
          break;
        }
    }
  g_free (sent);
  g_free (received);
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

static void
link_datagram (Pass         *pass,
               const NcCall *call,
               guint32       from,
               guint32       to,
               guint8       *claimed,
               guint         first)
{
  CapRecording *self = pass->self;

  for (guint p = first; p < self->packets->len; p++)
    {
      const CapPacket *pkt = packet_at (self, p);
      if (pkt->ts > call->ts_end + G_GINT64_CONSTANT (1000000000))
        break;
      if (claimed[p] || pkt->proto != IPPROTO_UDP || !datagram_matches (self, pkt, from, to))
        continue;
      claimed[p] = TRUE;
      add_link (self, call->id, p, CAP_LINK_DATA, call->fd);
      return;
    }
}

static void
link_datagram_calls (Pass *pass)
{
  CapRecording *self = pass->self;

  for (guint i = 0; i < self->calls->len; i++)
    {
      const NcCall *call = call_at (self, i);
      guint32 sid = g_array_index (self->call_socket, guint32, i);
      CapSocket *s;
      guint32 peer;

      if (call->ts_end == 0 || call->result <= 0 || sid == CAP_NONE)
        continue;
      s = socket_at (self, sid);
      if (s->stream)
        continue;
      peer = cap_recording_lookup_endpoint_text (self, call->peer, NULL);
      if (peer == CAP_NONE)
        peer = s->peer;

      switch (nc_call_kind_info (call->kind)->link)
        {
        case NC_CALL_LINK_SEND:
          /* Sent after the call began: search from there. */
          link_datagram (pass, call, s->local, peer, pass->claimed_send,
                         cap_recording_find_packet_at (self, call->ts_start));
          break;
        case NC_CALL_LINK_RECV:
          /* A receive takes the oldest datagram queued for it, which may
           * have arrived long before the call. */
          link_datagram (pass, call, peer, s->local, pass->claimed_recv, 0);
          break;
        default:
          break;
        }
    }
}

/* ICMP errors: the datagram they quote, its sendto(), and the call that failed */

static guint32
link_icmp_to_sender (Pass    *pass,
                     guint32  icmp)
{
  CapRecording *self = pass->self;
  CapSummary s;
  guint32 src, dst;

  if (!cap_recording_dissect_packet (self, icmp, &s) || !(s.flags & CAP_SUMMARY_QUOTED) ||
      s.quoted_proto != IPPROTO_UDP)
    return CAP_NONE;
  src = cap_recording_intern_endpoint (self, s.quoted_family, s.quoted_src, s.quoted_sport);
  dst = cap_recording_intern_endpoint (self, s.quoted_family, s.quoted_dst, s.quoted_dport);

  for (gint64 p = (gint64) icmp - 1; p >= 0; p--)
    {
      const CapPacket *pkt = packet_at (self, (guint32) p);
      guint n = self->links->len;

      if (pkt->proto != IPPROTO_UDP || pkt->src != src || pkt->dst != dst)
        continue;
      for (guint k = 0; k < n; k++)
        {
          CapLink link = g_array_index (self->links, CapLink, k);
          if (link.packet == (guint32) p &&
              nc_call_kind_info (call_at (self, link.call)->kind)->link != NC_CALL_LINK_RECV)
            add_link (self, link.call, icmp, CAP_LINK_ICMP, link.fd);
        }
      return src;
    }
  return src;
}

static void
link_icmp (Pass *pass)
{
  CapRecording *self = pass->self;

  for (guint p = 0; p < self->packets->len; p++)
    {
      const CapPacket *pkt = packet_at (self, p);
      guint16 port;
      guint32 src;

      if (!(pkt->flags & CAP_PACKET_QUOTED))
        continue;
      src = link_icmp_to_sender (pass, p);
      if (src == CAP_NONE)
        continue;
      port = endpoint_port (self, src);

      /* The next call on that port's socket that failed with ECONNREFUSED */
      for (guint i = 0; i < self->calls->len; i++)
        {
          const NcCall *call = call_at (self, i);
          guint32 sid = g_array_index (self->call_socket, guint32, i);
          if (call->err == ECONNREFUSED && sid != CAP_NONE && call->ts_end >= pkt->ts &&
              endpoint_port (self, socket_at (self, sid)->local) == port)
            {
              add_link (self, call->id, p, CAP_LINK_REFUSED, call->fd);
              break;
            }
        }
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

static void
link_select (Pass *pass)
{
  CapRecording *self = pass->self;

  for (guint i = 0; i < pass->ready->len; i++)
    {
      const PendingReady *r = &g_array_index (pass->ready, PendingReady, i);
      const NcCall *call = call_at (self, r->call);
      const CapSocket *s = socket_at (self, r->socket);
      guint p = cap_recording_find_packet_at (self, call->ts_end + 1);

      while (p-- > 0)
        if (made_ready (self, p, s, r))
          {
            add_link (self, r->call, p, CAP_LINK_READY, r->fd);
            break;
          }
    }
}

/* Indexes */

static gint
compare_by_call (gconstpointer a,
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

static gint
compare_by_packet (gconstpointer a,
                   gconstpointer b)
{
  const CapLink *x = a, *y = b;
  if (x->packet != y->packet)
    return x->packet < y->packet ? -1 : 1;
  return x->call < y->call ? -1 : x->call > y->call;
}

static void
build_indexes (CapRecording *self)
{
  GArray *links = self->links;
  guint out = 0;

  g_array_sort (links, compare_by_call);
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
  g_array_sort (self->links_by_packet, compare_by_packet);
}

static void
free_array (gpointer data)
{
  g_array_unref (data);
}

void
cap_recording_correlate (CapRecording *self)
{
  Pass pass = {
    .self = self,
    .open = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL),
    .ready = g_array_new (FALSE, FALSE, sizeof (PendingReady)),
    .conv_packets = g_hash_table_new_full (NULL, NULL, NULL, free_array),
    .conv_segments = g_hash_table_new_full (NULL, NULL, NULL, segments_free),
    .inherited = g_array_new (FALSE, FALSE, sizeof (guint32)),
  };

  g_array_set_size (self->sockets, 0);
  g_array_set_size (self->links, 0);
  self->links_dirty = FALSE;

  if (self->calls->len > 0)
    {
      pass.claimed_send = g_new0 (guint8, self->packets->len + 1);
      pass.claimed_recv = g_new0 (guint8, self->packets->len + 1);
      build_sockets (&pass);
      map_sockets (&pass);
      index_conversations (&pass);
      link_stream_calls (&pass);
      link_datagram_calls (&pass);
      link_icmp (&pass);
      link_select (&pass);
      hand_over_inherited (&pass);
    }
  else
    {
      g_array_set_size (self->call_socket, 0);
      g_hash_table_remove_all (self->endpoint_actor);
      g_hash_table_remove_all (self->port_actor);
      g_hash_table_remove_all (self->conv_end_actor);
    }
  build_indexes (self);

  g_hash_table_unref (pass.open);
  g_array_unref (pass.ready);
  g_array_unref (pass.inherited);
  g_hash_table_unref (pass.conv_packets);
  g_hash_table_unref (pass.conv_segments);
  g_free (pass.claimed_send);
  g_free (pass.claimed_recv);
}
