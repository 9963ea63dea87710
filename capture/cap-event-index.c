/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-event-index.c: calls' entries and returns and packets in one causal order.
 *
 * Each event has a key, the time that places it:
 *
 *   enter(c)  = c.ts_start
 *   packet(p) = max (p.ts, enter(c) for each call c that caused p)
 *   return(c) = max (c.ts_end, enter(c), packet(p) for each packet p c waited for)
 *
 * and rows are sorted by (key, rank, index) with rank enter < packet < return,
 * so an event whose key was raised to another's lands just after it. The keys
 * depend on each other only one step deep (enters are fixed), so they never
 * need iterating. On loopback the clocks already agree with causality almost
 * always; the keys are the guarantee.
 *
 * Growing: new packets, and calls whose records arrived (noted by
 * cap_recording_add_call), are keyed, sorted among themselves, and merged
 * into the rows from the first place they touch; rows before it stay. An
 * event whose key rose (a link found later) is taken out and merged again.
 */

#include "config.h"

#include "cap-event-index.h"
#include "cap-recording-private.h"

#include <errno.h>

/* A row taken out during an update, until the merge drops it */
#define REMOVED_BIT 0x80
/* A call or packet already queued in this update */
#define QUEUED (CAP_NONE - 1)

typedef struct
{
  gint64   key;
  CapEvent event;
} Keyed;

void
cap_event_index_init (CapEventIndex *index)
{
  index->rows = g_array_new (FALSE, FALSE, sizeof (CapEvent));
  index->keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  index->enter_row = g_array_new (FALSE, FALSE, sizeof (guint32));
  index->return_row = g_array_new (FALSE, FALSE, sizeof (guint32));
  index->packet_row = g_array_new (FALSE, FALSE, sizeof (guint32));
  index->pending_calls = g_array_new (FALSE, FALSE, sizeof (guint32));
  index->changed_from = g_array_new (FALSE, FALSE, sizeof (guint32));
  index->n_packets = 0;
}

void
cap_event_index_clear (CapEventIndex *index)
{
  g_clear_pointer (&index->rows, g_array_unref);
  g_clear_pointer (&index->keys, g_array_unref);
  g_clear_pointer (&index->enter_row, g_array_unref);
  g_clear_pointer (&index->return_row, g_array_unref);
  g_clear_pointer (&index->packet_row, g_array_unref);
  g_clear_pointer (&index->pending_calls, g_array_unref);
  g_clear_pointer (&index->changed_from, g_array_unref);
}

void
cap_event_index_note_call (CapEventIndex *index,
                           guint32        call)
{
  guint n = index->pending_calls->len;

  /* A call's entry and return often come in one batch: note it once. */
  if (n > 0 && g_array_index (index->pending_calls, guint32, n - 1) == call)
    return;
  g_array_append_val (index->pending_calls, call);
}

/* What a link means for the order */

static gboolean
is_receive (guint16 kind)
{
  return nc_call_kind_info (kind)->link == NC_CALL_LINK_RECV;
}

static gboolean
is_send (guint16 kind)
{
  return nc_call_kind_info (kind)->link == NC_CALL_LINK_SEND;
}

/* Did @call wait in the kernel for @pkt before it could return? */
static gboolean
call_waited_for (const NcCall    *call,
                 const CapLink   *link,
                 const CapPacket *pkt)
{
  switch ((CapLinkKind) link->kind)
    {
    case CAP_LINK_DATA:
      /* The copy that delivered the bytes: not one the lab dropped, and a
       * retransmission only if it came before the call returned (a later
       * one repeats bytes an earlier copy delivered). */
      if (!is_receive (call->kind) || (pkt->flags & CAP_PACKET_DROPPED))
        return FALSE;
      return !(pkt->flags & CAP_PACKET_RETRANSMISSION) || pkt->ts <= call->ts_end;
    case CAP_LINK_HANDSHAKE:
      /* A non-blocking connect() returns EINPROGRESS before the SYN/ACK. */
      return call->kind == NC_CALL_ACCEPT || (call->kind == NC_CALL_CONNECT && call->result == 0);
    case CAP_LINK_TEARDOWN:
      return is_receive (call->kind);  /* recv() = 0: the peer's FIN */
    case CAP_LINK_REFUSED:
    case CAP_LINK_READY:
      return TRUE;
    case CAP_LINK_ICMP:
    default:
      return FALSE;
    }
}

/* Did @call make the kernel send the packet of @link? */
static gboolean
call_caused (const NcCall  *call,
             const CapLink *link)
{
  switch ((CapLinkKind) link->kind)
    {
    case CAP_LINK_DATA:
      return is_send (call->kind);
    case CAP_LINK_HANDSHAKE:
    case CAP_LINK_REFUSED:
      return call->kind == NC_CALL_CONNECT;
    case CAP_LINK_TEARDOWN:
      return call->kind == NC_CALL_CLOSE || call->kind == NC_CALL_SHUTDOWN;
    case CAP_LINK_ICMP:
      return TRUE;  /* its datagram's ICMP error */
    case CAP_LINK_READY:
    default:
      return FALSE;
    }
}

static const NcCall *
call_at (CapRecording *self,
         guint32       id)
{
  return &g_array_index (self->calls, NcCall, id);
}

static gint64
packet_key (CapRecording *self,
            guint32       packet)
{
  const CapPacket *pkt = &g_array_index (self->packets, CapPacket, packet);
  gint64 key = pkt->ts;
  guint n = 0;
  const CapLink *links = cap_recording_get_packet_links (self, packet, &n);

  for (guint i = 0; i < n; i++)
    {
      const NcCall *call = call_at (self, links[i].call);
      if (call->ts_start != 0 && call_caused (call, &links[i]))
        key = MAX (key, call->ts_start);
    }
  return key;
}

static gint64
return_key (CapRecording *self,
            guint32       call_id)
{
  const NcCall *call = call_at (self, call_id);
  gint64 key = MAX (call->ts_end, call->ts_start);  /* even if the clock stepped back */
  guint n = 0;
  const CapLink *links = cap_recording_get_call_links (self, call_id, &n);

  for (guint i = 0; i < n; i++)
    {
      const CapPacket *pkt = &g_array_index (self->packets, CapPacket, links[i].packet);
      if (call_waited_for (call, &links[i], pkt))
        key = MAX (key, packet_key (self, links[i].packet));
    }
  return key;
}

/* Ordering */

static guint
rank (guint8 kind)
{
  switch (kind & ~REMOVED_BIT)
    {
    case CAP_EVENT_CALL_ENTER: return 0;
    case CAP_EVENT_PACKET: return 1;
    default: return 2;
    }
}

static gint
compare_keyed (const Keyed *x,
               const Keyed *y)
{
  guint rx, ry;

  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  rx = rank (x->event.kind);
  ry = rank (y->event.kind);
  if (rx != ry)
    return rx < ry ? -1 : 1;
  return x->event.index < y->event.index ? -1 : x->event.index > y->event.index;
}

static gint
compare_keyed_func (gconstpointer a,
                    gconstpointer b)
{
  return compare_keyed (a, b);
}

static void
sort_if_needed (GArray *list)
{
  for (guint i = 1; i < list->len; i++)
    if (compare_keyed (&g_array_index (list, Keyed, i - 1), &g_array_index (list, Keyed, i)) > 0)
      {
        g_array_sort (list, compare_keyed_func);
        return;
      }
}

/* Merges two sorted lists into a new one */
static GArray *
merge_sorted (GArray *a,
              GArray *b)
{
  GArray *out = g_array_sized_new (FALSE, FALSE, sizeof (Keyed), a->len + b->len);
  guint i = 0, j = 0;

  while (i < a->len && j < b->len)
    {
      const Keyed *x = &g_array_index (a, Keyed, i);
      const Keyed *y = &g_array_index (b, Keyed, j);
      if (compare_keyed (x, y) <= 0)
        {
          g_array_append_vals (out, x, 1);
          i++;
        }
      else
        {
          g_array_append_vals (out, y, 1);
          j++;
        }
    }
  if (i < a->len)
    g_array_append_vals (out, &g_array_index (a, Keyed, i), a->len - i);
  if (j < b->len)
    g_array_append_vals (out, &g_array_index (b, Keyed, j), b->len - j);
  return out;
}

/* One update's working state */
typedef struct
{
  CapRecording  *self;
  CapEventIndex *index;
  GArray        *packets;  /* Keyed: new and moved packets */
  GArray        *calls;    /* Keyed: new and moved call events */
  guint32        low;      /* lowest row taken out */
} Update;

static guint32 *
row_slot (CapEventIndex *index,
          guint8         kind,
          guint32        id)
{
  GArray *map = kind == CAP_EVENT_PACKET        ? index->packet_row
                : kind == CAP_EVENT_CALL_ENTER ? index->enter_row
                                                : index->return_row;
  return &g_array_index (map, guint32, id);
}

static gboolean
is_row (guint32 row)
{
  return row != CAP_NONE && row != QUEUED;
}

static void
take_out (Update *u,
          guint32 row)
{
  CapEvent *ev = &g_array_index (u->index->rows, CapEvent, row);

  *row_slot (u->index, ev->kind, ev->index) = CAP_NONE;
  ev->kind |= REMOVED_BIT;
  u->low = MIN (u->low, row);
}

/* Queues an event with @key unless it is already in place with that key. */
static void
place (Update *u,
       guint8  kind,
       guint32 id,
       gint64  key)
{
  guint32 *slot = row_slot (u->index, kind, id);
  Keyed k = { key, { id, kind } };

  if (*slot == QUEUED)
    return;
  if (*slot != CAP_NONE)
    {
      if (g_array_index (u->index->keys, gint64, *slot) == key)
        return;
      take_out (u, *slot);
    }
  *slot = QUEUED;
  g_array_append_val (kind == CAP_EVENT_PACKET ? u->packets : u->calls, k);
}

static gint64
row_key (Update *u,
         guint32 row)
{
  return g_array_index (u->index->keys, gint64, row);
}

/* The packets a call caused may have been placed before the call's links
 * were known: they must not stand before its entry. */
static void
follow_caused (Update  *u,
               guint32  call_id)
{
  const NcCall *call = call_at (u->self, call_id);
  guint n = 0;
  const CapLink *links = cap_recording_get_call_links (u->self, call_id, &n);

  for (guint i = 0; i < n; i++)
    {
      guint32 row = *row_slot (u->index, CAP_EVENT_PACKET, links[i].packet);
      if (is_row (row) && call_caused (call, &links[i]) && row_key (u, row) < call->ts_start)
        place (u, CAP_EVENT_PACKET, links[i].packet, packet_key (u->self, links[i].packet));
    }
}

/* A packet placed late may be one a returned call waited for. */
static void
follow_waiting (Update  *u,
                guint32  packet,
                gint64   key)
{
  const CapPacket *pkt = &g_array_index (u->self->packets, CapPacket, packet);
  guint n = 0;
  const CapLink *links = cap_recording_get_packet_links (u->self, packet, &n);

  for (guint i = 0; i < n; i++)
    {
      guint32 row = *row_slot (u->index, CAP_EVENT_CALL_RETURN, links[i].call);
      if (is_row (row) && row_key (u, row) < key &&
          call_waited_for (call_at (u->self, links[i].call), &links[i], pkt))
        place (u, CAP_EVENT_CALL_RETURN, links[i].call, return_key (u->self, links[i].call));
    }
}

static void
grow_map (GArray *map,
          guint   len)
{
  guint old = map->len;

  if (len <= old)
    return;
  g_array_set_size (map, len);
  for (guint i = old; i < len; i++)
    g_array_index (map, guint32, i) = CAP_NONE;
}

static void
collect (Update *u)
{
  CapRecording *self = u->self;
  CapEventIndex *index = u->index;
  GArray *pending = index->pending_calls;

  for (guint32 p = index->n_packets; p < self->packets->len; p++)
    place (u, CAP_EVENT_PACKET, p, packet_key (self, p));
  index->n_packets = self->packets->len;

  for (guint i = 0; i < pending->len; i++)
    {
      guint32 c = g_array_index (pending, guint32, i);
      const NcCall *call = call_at (self, c);

      if (call->ts_start == 0)
        continue;  /* a gap: the call's record never arrived */
      place (u, CAP_EVENT_CALL_ENTER, c, call->ts_start);
      if (call->ts_end != 0)
        follow_caused (u, c);
    }

  for (guint i = 0; i < pending->len; i++)
    {
      guint32 c = g_array_index (pending, guint32, i);
      const NcCall *call = call_at (self, c);
      guint32 row = *row_slot (index, CAP_EVENT_CALL_RETURN, c);

      if (call->ts_start != 0 && call->ts_end != 0)
        place (u, CAP_EVENT_CALL_RETURN, c, return_key (self, c));
      else if (is_row (row))
        take_out (u, row);  /* the call was sent again as entering */
    }

  /* A packet placed now may be one a call that already returned waited
   * for. Without calls (a plain capture) there is nothing to follow. */
  for (guint i = 0; self->calls->len > 0 && i < u->packets->len; i++)
    {
      const Keyed *k = &g_array_index (u->packets, Keyed, i);
      follow_waiting (u, k->event.index, k->key);
    }
  g_array_set_size (pending, 0);
}

/* First row at or after @k among the rows (taken-out rows keep their keys) */
static guint32
lower_bound (CapEventIndex *index,
             const Keyed   *k)
{
  guint lo = 0, hi = index->rows->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      Keyed m = { g_array_index (index->keys, gint64, mid),
                  g_array_index (index->rows, CapEvent, mid) };
      if (compare_keyed (&m, k) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
merge_into_rows (Update *u,
                 GArray *incoming)
{
  CapEventIndex *index = u->index;
  guint32 from = u->low;
  g_autoptr(GArray) tail = g_array_new (FALSE, FALSE, sizeof (Keyed));
  g_autoptr(GArray) merged = NULL;

  if (incoming->len > 0)
    from = MIN (from, lower_bound (index, &g_array_index (incoming, Keyed, 0)));
  for (guint32 r = from; r < index->rows->len; r++)
    {
      Keyed k = { g_array_index (index->keys, gint64, r), g_array_index (index->rows, CapEvent, r) };
      if (!(k.event.kind & REMOVED_BIT))
        g_array_append_val (tail, k);
    }
  merged = merge_sorted (tail, incoming);

  g_array_set_size (index->rows, from + merged->len);
  g_array_set_size (index->keys, from + merged->len);
  for (guint i = 0; i < merged->len; i++)
    {
      const Keyed *k = &g_array_index (merged, Keyed, i);
      guint32 row = from + i;
      g_array_index (index->rows, CapEvent, row) = k->event;
      g_array_index (index->keys, gint64, row) = k->key;
      *row_slot (index, k->event.kind, k->event.index) = row;
    }
  g_array_append_val (index->changed_from, from);
}

void
cap_event_index_update (CapRecording *self)
{
  CapEventIndex *index = &self->event_index;
  g_autoptr(GArray) packets = NULL;
  g_autoptr(GArray) calls = NULL;
  g_autoptr(GArray) incoming = NULL;
  Update u;

  if (index->pending_calls->len == 0 && index->n_packets == self->packets->len)
    return;

  grow_map (index->enter_row, self->calls->len);
  grow_map (index->return_row, self->calls->len);
  grow_map (index->packet_row, self->packets->len);

  packets = g_array_new (FALSE, FALSE, sizeof (Keyed));
  calls = g_array_new (FALSE, FALSE, sizeof (Keyed));
  u = (Update) { self, index, packets, calls, index->rows->len };
  collect (&u);

  /* Packets come mostly in time order already; calls are few. */
  sort_if_needed (packets);
  sort_if_needed (calls);
  incoming = merge_sorted (packets, calls);
  if (incoming->len > 0 || u.low < index->rows->len)
    merge_into_rows (&u, incoming);
}

guint32
cap_event_index_changed_since (CapRecording *self,
                               guint        *serial)
{
  CapEventIndex *index = &self->event_index;
  guint32 low = G_MAXUINT32;

  cap_event_index_update (self);
  for (guint i = *serial; i < index->changed_from->len; i++)
    low = MIN (low, g_array_index (index->changed_from, guint32, i));
  *serial = index->changed_from->len;
  return low;
}

/* Reading */

static CapEventIndex *
ensure_index (CapRecording *self)
{
  cap_event_index_update (self);
  return &self->event_index;
}

guint
cap_recording_get_n_events (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);
  return ensure_index (self)->rows->len;
}

const CapEvent *
cap_recording_get_event (CapRecording *self,
                         guint         row)
{
  CapEventIndex *index;

  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  index = ensure_index (self);
  g_return_val_if_fail (row < index->rows->len, NULL);
  return &g_array_index (index->rows, CapEvent, row);
}

gint64
cap_recording_get_event_time (CapRecording *self,
                              guint         row)
{
  const CapEvent *ev = cap_recording_get_event (self, row);

  if (ev == NULL)
    return 0;
  switch (ev->kind)
    {
    case CAP_EVENT_CALL_ENTER: return call_at (self, ev->index)->ts_start;
    case CAP_EVENT_CALL_RETURN: return call_at (self, ev->index)->ts_end;
    default: return g_array_index (self->packets, CapPacket, ev->index).ts;
    }
}

static guint
lookup_row (GArray *map,
            guint   id)
{
  return id < map->len ? g_array_index (map, guint32, id) : CAP_NONE;
}

guint
cap_recording_get_call_enter_row (CapRecording *self,
                                  guint         call)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), CAP_NONE);
  return lookup_row (ensure_index (self)->enter_row, call);
}

guint
cap_recording_get_call_return_row (CapRecording *self,
                                   guint         call)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), CAP_NONE);
  return lookup_row (ensure_index (self)->return_row, call);
}

guint
cap_recording_get_packet_row (CapRecording *self,
                              guint         packet)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), CAP_NONE);
  return lookup_row (ensure_index (self)->packet_row, packet);
}

guint
cap_recording_find_row_at (CapRecording *self,
                           gint64        ts)
{
  CapEventIndex *index;
  guint lo = 0, hi;

  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);
  index = ensure_index (self);
  hi = index->rows->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (index->keys, gint64, mid) < ts)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

gboolean
cap_recording_call_is_interleaved (CapRecording *self,
                                   guint         call)
{
  guint enter = cap_recording_get_call_enter_row (self, call);
  guint ret = cap_recording_get_call_return_row (self, call);

  return enter != CAP_NONE && ret != CAP_NONE && ret > enter + 1;
}
