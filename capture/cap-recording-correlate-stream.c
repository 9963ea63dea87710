/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-recording-correlate-stream.c: stream (TCP) calls and their segments.
 *
 * A send() of n bytes, after k bytes sent on that socket before, maps to the
 * segments covering [k, k+n) of its direction of the stream
 * (retransmissions included); recv() likewise. connect()/accept() map to
 * their connection's handshake, close() and shutdown() to the FIN (or RST)
 * their side sent, a refused connect() to the SYN and the RST.
 */

#include "config.h"

#include "cap-recording-correlate-private.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

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
  for (guint i = cap_correlate_lower_bound (list, &from, cap_correlate_compare_segments);
       i < list->len; i++)
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

guint
cap_correlate_link_handshake (Pass         *pass,
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
guint
cap_correlate_link_refused_connect (Pass         *pass,
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

gboolean
cap_correlate_link_stream_call (Pass         *pass,
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
        return cap_correlate_link_handshake (pass, call, s) == 3;
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

