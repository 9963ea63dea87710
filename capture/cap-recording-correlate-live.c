/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-recording-correlate-live.c: correlation while a run goes.
 *
 * cap_recording_correlate_new () keeps the pass (cap-recording-correlate.c)
 * between commits and handles only the calls and packets that arrived since
 * the last one, so a long run costs the same per event at its end as at its
 * start. Links go straight into the recording's sorted indexes. What arrives
 * out of order is caught up: a data segment that comes after its call finds
 * the call through the call's byte range; any other call that found nothing
 * is tried once more when a packet from after its return is in (packets come
 * in time order), and one that links to a handshake or a FIN also whenever
 * packets came in (a stepped run may send nothing after it for long); an
 * ICMP error until its links are found or a second has
 * passed. When the stream ends, one full pass makes the links exactly those
 * of a file of the run.
 */

#include "config.h"

#include "cap-recording-correlate-private.h"

/* Live: the link goes straight into both sorted indexes. Links come for
 * recent calls and packets, so the insertions are near the end. */
void
cap_correlate_insert_link (CapRecording  *self,
                           const CapLink *link)
{
  guint at = cap_correlate_lower_bound (self->links, link, cap_correlate_compare_by_call);

  /* The same pair may be found twice (a FIN that ends a recv and a close) */
  for (guint k = at; k < self->links->len; k++)
    {
      const CapLink *l = &g_array_index (self->links, CapLink, k);
      if (l->call != link->call || l->packet != link->packet)
        break;
      if (l->fd == link->fd)
        return;
    }
  if (at > 0)
    {
      const CapLink *l = &g_array_index (self->links, CapLink, at - 1);
      if (l->call == link->call && l->packet == link->packet && l->fd == link->fd)
        return;
    }
  g_array_insert_val (self->links, at, *link);
  for (guint c = link->call + 1; c < self->call_link_start->len; c++)
    g_array_index (self->call_link_start, guint32, c)++;

  at = cap_correlate_lower_bound (self->links_by_packet, link, cap_correlate_compare_by_packet);
  while (at < self->links_by_packet->len &&
         cap_correlate_compare_by_packet (&g_array_index (self->links_by_packet, CapLink, at), link) == 0)
    at++;
  g_array_insert_val (self->links_by_packet, at, *link);
}

static gint
compare_ranges (gconstpointer a,
                gconstpointer b)
{
  const Range *x = a, *y = b;

  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  return x->call < y->call ? -1 : x->call > y->call;
}

/* Live: remembers a data call's bytes for the segments still to come. */
static void
note_range (Pass         *pass,
            const NcCall *call,
            CapSocket    *s,
            guint         dir,
            guint64       begin,
            guint64       end)
{
  ConvIndex *ci = cap_correlate_conv_index (pass, s->conv, TRUE);
  Range r = { begin, end, call->id, call->fd };
  GArray *list = ci->ranges[dir];
  guint at = list->len;

  while (at > 0 && compare_ranges (&g_array_index (list, Range, at - 1), &r) > 0)
    at--;
  g_array_insert_val (list, at, r);
  ci->max_range[dir] = MAX (ci->max_range[dir], end - begin);
}

void
cap_correlate_link_late_segment (Pass          *pass,
                                 ConvIndex     *ci,
                                 guint          dir,
                                 const Segment *seg)
{
  GArray *list = ci->ranges[dir];
  Range from = { 0 };

  from.begin = seg->begin > ci->max_range[dir] ? seg->begin - ci->max_range[dir] : 0;
  for (guint i = cap_correlate_lower_bound (list, &from, compare_ranges); i < list->len; i++)
    {
      const Range *r = &g_array_index (list, Range, i);
      visit (pass);
      if (r->begin >= seg->begin + seg->len)
        break;
      if (r->end > seg->begin)
        cap_correlate_add_link (pass, r->call, seg->packet, CAP_LINK_DATA, r->fd);
    }
}

/* Live: remembers a data call's range once its conversation is known */
void
cap_correlate_note_range_once (Pass         *pass,
                               const NcCall *call,
                               CapSocket    *s,
                               guint         dir,
                               guint64       begin)
{
  guint8 *stage = &g_array_index (pass->stage, guint8, call->id);

  if (!pass->live || (*stage & STAGE_RANGED))
    return;
  *stage |= STAGE_RANGED;
  note_range (pass, call, s, dir, begin, begin + call->result);
}

/* Live: one call that is new or changed since the last commit */
static void
take_call (Pass *pass,
           guint i)
{
  CapRecording *self = pass->self;
  const NcCall *call = call_at (self, i);
  guint8 *stage = &g_array_index (pass->stage, guint8, i);
  guint32 sid;

  if ((*stage & STAGE_MASK) == STAGE_RETURNED || call->ts_start == 0)
    return;
  sid = cap_correlate_socket_step (pass, i, (*stage & STAGE_MASK) == STAGE_ENTERED);
  if (sid != CAP_NONE)
    cap_correlate_map_socket (pass, socket_at (self, sid));
  if (call->ts_end == 0)
    {
      *stage = STAGE_ENTERED;
      return;
    }
  *stage = (*stage & ~STAGE_MASK) | STAGE_RETURNED;
  cap_correlate_assign_offset (pass, i);
  cap_correlate_note_refused_call (pass, i);
  if (!cap_correlate_link_call (pass, i, TRUE))
    g_array_append_val (pass->retry, i);
}

static gint
compare_ids (gconstpointer a,
             gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return x < y ? -1 : x > y;
}

/* A call that links to its connection's flagged packets (the handshake, a
 * FIN or RST), not to bytes */
static gboolean
links_flagged_packets (const NcCall *call)
{
  switch (nc_call_kind_info (call->kind)->link)
    {
    case NC_CALL_LINK_CONNECT:
    case NC_CALL_LINK_ACCEPT:
    case NC_CALL_LINK_SHUTDOWN:
    case NC_CALL_LINK_CLOSE:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Live: a call still waiting for its packets tries again as soon as any
 * came in, without waiting for one from after its return: in a stepped run
 * none may come for as long as the person likes (every actor held at the
 * gate), and the capture can deliver the handshake after connect()'s return
 * reached the recording. Only calls that link to flagged packets: linking
 * one twice adds nothing, and there are few of them at a time (a data call
 * needs no retry: a late segment finds its call through its bytes). */
static void
retry_early (Pass *pass)
{
  CapRecording *self = pass->self;

  if (self->packets->len == pass->n_packets_retried)
    return;
  pass->n_packets_retried = self->packets->len;
  for (guint k = pass->retry_done; k < pass->retry->len; k++)
    {
      guint32 i = g_array_index (pass->retry, guint32, k);

      visit (pass);
      if (links_flagged_packets (call_at (self, i)))
        cap_correlate_link_call (pass, i, FALSE);
    }
}

/* Live: what waited for packets from after its call's return, once they are in */
static void
catch_up (Pass *pass)
{
  CapRecording *self = pass->self;
  gint64 now = last_packet_ts (self);
  guint keep = 0;

  retry_early (pass);
  for (; pass->retry_done < pass->retry->len; pass->retry_done++)
    {
      guint32 i = g_array_index (pass->retry, guint32, pass->retry_done);
      if (call_at (self, i)->ts_end > now)
        break;
      cap_correlate_link_call (pass, i, FALSE);
    }
  if (pass->retry_done == pass->retry->len)
    {
      g_array_set_size (pass->retry, 0);
      pass->retry_done = 0;
    }

  for (; pass->ready_done < pass->ready->len; pass->ready_done++)
    {
      const PendingReady *r = &g_array_index (pass->ready, PendingReady, pass->ready_done);
      if (call_at (self, r->call)->ts_end >= now)
        break;
      cap_correlate_link_ready (pass, r);
    }

  /* ICMP errors: until both links are found, or a second has passed */
  for (guint k = 0; k < pass->icmp->len; k++)
    {
      PendingIcmp *e = &g_array_index (pass->icmp, PendingIcmp, k);
      e->linked_send = e->linked_send || cap_correlate_link_icmp_to_sender (pass, e);
      e->linked_refused = e->linked_refused || cap_correlate_link_icmp_refused (pass, e);
      if (!(e->linked_send && e->linked_refused) &&
          packet_at (self, e->icmp)->ts + DATAGRAM_WINDOW_NS > now)
        g_array_index (pass->icmp, PendingIcmp, keep++) = *e;
    }
  g_array_set_size (pass->icmp, keep);
}

/**
 * cap_recording_correlate_new:
 * Live: brings sockets and links up to date with what arrived since the
 * last call, in time proportional to that.
 */
void
cap_recording_correlate_new (CapRecording *self)
{
  Pass *pass = self->correlation;
  GArray *touched = self->touched_calls;

  if (pass == NULL || !pass->live)
    {
      /* From the start, as if everything had just arrived */
      g_clear_pointer (&self->correlation, cap_correlation_free);
      pass = self->correlation = cap_correlate_pass_new (self, TRUE);
      g_array_set_size (touched, self->calls->len);
      for (guint i = 0; i < self->calls->len; i++)
        g_array_index (touched, guint32, i) = i;
    }
  self->links_dirty = FALSE;
  cap_correlate_grow_calls (pass);

  for (; pass->n_packets < self->packets->len; pass->n_packets++)
    {
      PendingIcmp e;
      cap_correlate_index_packet (pass, pass->n_packets);
      if ((packet_at (self, pass->n_packets)->flags & CAP_PACKET_QUOTED) &&
          cap_correlate_note_icmp (pass, pass->n_packets, &e))
        g_array_append_val (pass->icmp, e);
    }

  g_array_sort (touched, compare_ids);
  for (guint k = 0; k < touched->len; k++)
    if (k == 0 || g_array_index (touched, guint32, k) != g_array_index (touched, guint32, k - 1))
      take_call (pass, g_array_index (touched, guint32, k));
  g_array_set_size (touched, 0);

  catch_up (pass);
  cap_correlate_hand_over_inherited (pass);
}
