/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-tcp-states.c: the textbook TCP state machine, driven by packets.
 *
 * Only for recordings where the kernel was not asked (a file from
 * elsewhere): a side's state changes with the flags of the segments it
 * sends and receives, and a FIN counts as acknowledged once an ACK covers
 * the sequence number after it.
 */

#include "config.h"

#include "cap-tcp-states.h"

#include <netinet/in.h>
#include <string.h>

struct _CapTcpStates
{
  GArray *changes;  /* CapTcpStateChange, grouped by side */
  GArray *start;    /* guint32 per conversation side + 1: index into changes */
};

static gboolean
seq_geq (guint32 a,
         guint32 b)
{
  return (gint32) (a - b) >= 0;
}

static CapTcpState
step_sent (CapTcpSide      *side,
           const CapPacket *pkt)
{
  guint8 f = pkt->tcp_flags;
  CapTcpState s = side->state;

  if ((f & CAP_TCP_SYN) && !(f & CAP_TCP_ACK))
    return CAP_TCP_SYN_SENT;
  if ((f & CAP_TCP_SYN) && (f & CAP_TCP_ACK))
    return CAP_TCP_SYN_RECV;
  if (f & CAP_TCP_FIN)
    {
      side->fin_sent = TRUE;
      side->fin_end = pkt->seq + pkt->payload_len + 1;
      if (s == CAP_TCP_ESTABLISHED || s == CAP_TCP_SYN_RECV || s == CAP_TCP_NONE)
        return CAP_TCP_FIN_WAIT1;
      if (s == CAP_TCP_CLOSE_WAIT)
        return CAP_TCP_LAST_ACK;
    }
  if (s == CAP_TCP_NONE && (f & CAP_TCP_ACK))
    return CAP_TCP_ESTABLISHED;  /* joined mid-connection */
  return s;
}

static CapTcpState
step_received (CapTcpSide      *side,
               const CapPacket *pkt)
{
  guint8 f = pkt->tcp_flags;
  CapTcpState s = side->state;
  gboolean fin_acked = side->fin_sent && (f & CAP_TCP_ACK) && seq_geq (pkt->ack, side->fin_end);

  if ((f & CAP_TCP_SYN) && !(f & CAP_TCP_ACK))
    return CAP_TCP_SYN_RECV;
  if ((f & CAP_TCP_SYN) && (f & CAP_TCP_ACK))
    return s == CAP_TCP_SYN_SENT ? CAP_TCP_ESTABLISHED : s;
  if ((s == CAP_TCP_SYN_RECV || s == CAP_TCP_NONE) && (f & CAP_TCP_ACK))
    s = CAP_TCP_ESTABLISHED;
  if (f & CAP_TCP_FIN)
    {
      if (s == CAP_TCP_ESTABLISHED)
        return CAP_TCP_CLOSE_WAIT;
      if (s == CAP_TCP_FIN_WAIT1)
        return fin_acked ? CAP_TCP_TIME_WAIT : CAP_TCP_CLOSING;
      if (s == CAP_TCP_FIN_WAIT2)
        return CAP_TCP_TIME_WAIT;
      return s;
    }
  if (s == CAP_TCP_FIN_WAIT1 && fin_acked)
    return CAP_TCP_FIN_WAIT2;
  if (s == CAP_TCP_CLOSING && fin_acked)
    return CAP_TCP_TIME_WAIT;
  if (s == CAP_TCP_LAST_ACK && fin_acked)
    return CAP_TCP_CLOSE;
  return s;
}

/**
 * cap_tcp_side_step:
 * A reset closes either side; otherwise the flags of what this side sent
 * or received move it along the textbook diagram (RFC 9293, figure 5).
 */
CapTcpState
cap_tcp_side_step (CapTcpSide      *side,
                   const CapPacket *pkt,
                   gboolean         sent)
{
  CapTcpState next;

  g_return_val_if_fail (side != NULL && pkt != NULL, CAP_TCP_NONE);

  if (pkt->tcp_flags & CAP_TCP_RST)
    next = CAP_TCP_CLOSE;
  else
    next = sent ? step_sent (side, pkt) : step_received (side, pkt);
  side->state = (guint8) next;
  return next;
}

/**
 * cap_tcp_states_derive:
 * Returns: (transfer full): the derived states of every TCP conversation;
 *   free with cap_tcp_states_free ()
 */
CapTcpStates *
cap_tcp_states_derive (CapRecording *recording)
{
  guint n_conv = cap_recording_get_n_conversations (recording);
  guint n_packets = cap_recording_get_n_packets (recording);
  g_autofree CapTcpSide *sides = g_new0 (CapTcpSide, n_conv * 2 + 1);
  g_autofree guint32 *count = g_new0 (guint32, n_conv * 2 + 1);
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (CapTcpStateChange));
  g_autoptr(GArray) side_of = g_array_new (FALSE, FALSE, sizeof (guint32));
  CapTcpStates *states = g_new0 (CapTcpStates, 1);

  g_return_val_if_fail (CAP_IS_RECORDING (recording), states);

  for (guint i = 0; i < n_packets; i++)
    {
      const CapPacket *pkt = cap_recording_get_packet (recording, i);

      if (pkt->proto != IPPROTO_TCP || pkt->conv == CAP_NONE || pkt->conv >= n_conv)
        continue;
      for (guint side = 0; side < 2; side++)
        {
          guint32 k = pkt->conv * 2 + side;
          guint8 before = sides[k].state;
          CapTcpStateChange change = { pkt->ts, i, 0 };

          change.state = (guint8) cap_tcp_side_step (&sides[k], pkt, pkt->from_b == side);
          if (change.state == before)
            continue;
          g_array_append_val (found, change);
          g_array_append_val (side_of, k);
          count[k]++;
        }
    }

  /* Group the changes by side, keeping packet order within each (a counting sort) */
  states->start = g_array_sized_new (FALSE, TRUE, sizeof (guint32), n_conv * 2 + 1);
  g_array_set_size (states->start, n_conv * 2 + 1);
  for (guint k = 0, at = 0; k <= n_conv * 2; k++)
    {
      g_array_index (states->start, guint32, k) = at;
      at += k < n_conv * 2 ? count[k] : 0;
    }
  states->changes = g_array_sized_new (FALSE, FALSE, sizeof (CapTcpStateChange), found->len);
  g_array_set_size (states->changes, found->len);
  memset (count, 0, sizeof (guint32) * (n_conv * 2 + 1));
  for (guint i = 0; i < found->len; i++)
    {
      guint32 k = g_array_index (side_of, guint32, i);
      guint32 at = g_array_index (states->start, guint32, k) + count[k]++;
      g_array_index (states->changes, CapTcpStateChange, at) =
        g_array_index (found, CapTcpStateChange, i);
    }
  return states;
}

void
cap_tcp_states_free (CapTcpStates *states)
{
  if (states == NULL)
    return;
  g_clear_pointer (&states->changes, g_array_unref);
  g_clear_pointer (&states->start, g_array_unref);
  g_free (states);
}

const CapTcpStateChange *
cap_tcp_states_get_changes (CapTcpStates *states,
                            guint32       conv,
                            guint         side,
                            guint        *n_changes)
{
  guint32 k = conv * 2 + (side ? 1 : 0);
  guint32 begin, end;

  g_return_val_if_fail (states != NULL && n_changes != NULL, NULL);

  *n_changes = 0;
  if (conv == CAP_NONE || k + 1 >= states->start->len)
    return NULL;
  begin = g_array_index (states->start, guint32, k);
  end = g_array_index (states->start, guint32, k + 1);
  *n_changes = end - begin;
  return end > begin ? &g_array_index (states->changes, CapTcpStateChange, begin) : NULL;
}

CapTcpState
cap_tcp_states_at (CapTcpStates *states,
                   guint32       conv,
                   guint         side,
                   gint64        ts)
{
  guint n = 0, lo = 0, hi;
  const CapTcpStateChange *changes = cap_tcp_states_get_changes (states, conv, side, &n);

  /* the last change at or before @ts */
  hi = n;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (changes[mid].ts <= ts)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo == 0 ? CAP_TCP_NONE : (CapTcpState) changes[lo - 1].state;
}
