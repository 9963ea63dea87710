/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-recording-correlate-datagram.c: datagram and raw sockets' calls, and
 * ICMP errors.
 *
 * A datagram call maps to its datagram by addresses and order, through
 * per-port queues with a cursor; a raw socket's call to the frame that ends
 * with its bytes; an ICMP error to the datagram it quotes, that datagram's
 * sendto(), and the next call on its port that failed with ECONNREFUSED.
 */

#include "config.h"

#include "cap-recording-correlate-private.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

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
  Queue *q = own == CAP_NONE ? pass->any_queue
                             : cap_correlate_queue_for (pass, table, endpoint_port (self, own));
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
gboolean
cap_correlate_is_raw_socket (CapRecording    *self,
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

gboolean
cap_correlate_link_raw_call (Pass         *pass,
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

gboolean
cap_correlate_link_datagram_call (Pass         *pass,
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
void
cap_correlate_link_icmp (Pass *pass)
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

