/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-painter-states.c: the TCP state band of each lane: the kernel's
 * (sock_diag samples, TCP_INFO after each call) where it was asked, else
 * derived from the packets the lane sent and received.
 */

#include "config.h"

#include "sl-timeline-painter-private.h"
#include "cap-tcp-states.h"

#include <netinet/in.h>
#include <string.h>


typedef struct
{
  gint64 ts;
  guint8 state;
} StatePoint;

static int
compare_points (gconstpointer a, gconstpointer b)
{
  return sl_painter_compare_gint64 (&((const StatePoint *) a)->ts, &((const StatePoint *) b)->ts);
}

static void
lane_add_point (Lane *lane, gint64 ts, guint8 state)
{
  StateSeg *last =
    lane->states->len ? &g_array_index (lane->states, StateSeg, lane->states->len - 1) : NULL;
  StateSeg seg = { ts, 0, state };

  if (last != NULL && last->state == state)
    return;
  if (last != NULL)
    last->t1 = ts;
  g_array_append_val (lane->states, seg);
}

/* Turns sorted points into segments; CLOSE ends the band. */
static void
lane_set_points (SlTimelinePainter *self, Lane *lane, GArray *points)
{
  g_array_sort (points, compare_points);
  for (guint i = 0; i < points->len; i++)
    {
      const StatePoint *p = &g_array_index (points, StatePoint, i);
      lane_add_point (lane, p->ts, p->state);
    }
}

static void
finish_lane_states (SlTimelinePainter *self, Lane *lane)
{
  guint w = 0;

  /* drop the CLOSE segments: the band simply ends there */
  for (guint i = 0; i < lane->states->len; i++)
    {
      StateSeg s = g_array_index (lane->states, StateSeg, i);
      if (s.state == TS_CLOSE || s.state == TS_NONE || s.state >= TS_N)
        continue;
      g_array_index (lane->states, StateSeg, w++) = s;
      self->states_used[s.state] = TRUE;
    }
  g_array_set_size (lane->states, w);
}

void
sl_painter_build_states (SlTimelinePainter *self, const LaneMaps *maps)
{
  CapRecording *rec = self->recording;
  guint         n_samples = cap_recording_get_n_sock_samples (rec);
  guint         n_lanes = self->lanes->len;
  g_autoptr (GPtrArray) points = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr (GHashTable) by_pair =
    g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autofree guint8     *derive_conv = NULL;
  g_autofree CapTcpSide *sides = NULL;
  gboolean               any_derive = FALSE;

  memset (self->states_used, 0, sizeof self->states_used);
  self->any_kernel_states = self->any_derived_states = FALSE;

  for (guint li = 0; li < n_lanes; li++)
    g_ptr_array_add (points, g_array_new (FALSE, FALSE, sizeof (StatePoint)));

  /* kernel-true states: sock_diag samples and TCP_INFO after each call */
  if (self->has_calls)
    {
      for (guint li = 0; li < n_lanes; li++)
        {
          const Lane      *l = &g_array_index (self->lanes, Lane, li);
          const CapSocket *sock;
          guint64          key;

          if (l->socket == CAP_NONE)
            continue;
          sock = cap_recording_get_socket (rec, l->socket);
          if (sock->local == CAP_NONE)
            continue;
          key = (guint64) sock->local << 32 | (sock->listening ? CAP_NONE : sock->peer);
          g_hash_table_insert (by_pair, g_memdup2 (&key, sizeof key), GUINT_TO_POINTER (li + 1));
        }
      for (guint i = 0; i < n_samples; i++)
        {
          const CapSockSample *smp = cap_recording_get_sock_sample (rec, i);
          guint64              key =
            (guint64) smp->local << 32 | (smp->state == TS_LISTEN ? CAP_NONE : smp->peer);
          gpointer   v = g_hash_table_lookup (by_pair, &key);
          StatePoint p = { smp->ts, smp->state };

          if (v == NULL)
            continue;
          g_array_append_val (g_ptr_array_index (points, GPOINTER_TO_UINT (v) - 1), p);
        }
      for (guint i = 0; i < self->n_call_lane; i++)
        {
          const NcCall *c = cap_recording_get_call (rec, i);
          guint32       li = self->call_lane[i];
          StatePoint    p;

          /* accept() reports the new connection's state, not its lane's */
          if (li == NO_LANE || c->tcp_state == NC_TCP_STATE_NONE || c->ts_end == 0 ||
              nc_call_kind_info (c->kind)->draw == NC_CALL_DRAW_ACCEPT)
            continue;
          p.ts = c->ts_end;
          p.state = c->tcp_state;
          g_array_append_val (g_ptr_array_index (points, li), p);
        }
    }

  derive_conv = g_new0 (guint8, MAX (maps->n_conv, 1));
  for (guint li = 0; li < n_lanes; li++)
    {
      Lane   *l = &g_array_index (self->lanes, Lane, li);
      GArray *pts = g_ptr_array_index (points, li);

      if (pts->len > 0)
        {
          lane_set_points (self, l, pts);
          self->any_kernel_states = TRUE;
          continue;
        }
      l->derived = TRUE;
      if (l->socket != CAP_NONE)
        {
          const CapSocket *sock = cap_recording_get_socket (rec, l->socket);
          if (!sock->stream)
            {
              l->derived = FALSE;
              continue;
            }
          if (sock->listening)
            {
              /* listen() succeeded: LISTEN until close() */
              for (guint c = sock->first_call;
                   c != CAP_NONE && c <= sock->last_call && c < self->n_call_lane; c++)
                {
                  const NcCall *call = cap_recording_get_call (rec, c);
                  if (self->call_lane[c] == li && call->kind == NC_CALL_LISTEN && call->ts_end &&
                      !nc_call_failed (call))
                    {
                      lane_add_point (l, call->ts_end, TS_LISTEN);
                      break;
                    }
                }
              continue;
            }
        }
    }
  for (guint c = 0; c < maps->n_conv; c++)
    for (guint side = 0; side < 2; side++)
      {
        guint32 li = maps->conv_lane[c * 2 + side];
        if (li != NO_LANE && g_array_index (self->lanes, Lane, li).derived &&
            cap_recording_get_conversation (rec, c)->proto == IPPROTO_TCP)
          {
            derive_conv[c] |= 1 << side;
            any_derive = TRUE;
          }
      }

  if (any_derive)
    {
      guint n = cap_recording_get_n_packets (rec);

      sides = g_new0 (CapTcpSide, maps->n_conv * 2);
      for (guint i = 0; i < n; i++)
        {
          const CapPacket *pkt = cap_recording_get_packet (rec, i);
          if (pkt->conv == CAP_NONE || pkt->conv >= maps->n_conv || !derive_conv[pkt->conv] ||
              pkt->proto != IPPROTO_TCP)
            continue;
          for (guint side = 0; side < 2; side++)
            {
              CapTcpSide *st;
              guint8      before, next;

              if (!(derive_conv[pkt->conv] & (1 << side)))
                continue;
              st = &sides[pkt->conv * 2 + side];
              before = st->state;
              /* the packet-derived states live in capture/ (cap-tcp-states.h) */
              next = (guint8) cap_tcp_side_step (st, pkt, pkt->from_b == side);
              if (next != before)
                {
                  lane_add_point (
                    &g_array_index (self->lanes, Lane, maps->conv_lane[pkt->conv * 2 + side]),
                    pkt->ts, next);
                }
            }
        }
    }

  for (guint li = 0; li < n_lanes; li++)
    {
      Lane *l = &g_array_index (self->lanes, Lane, li);
      if (l->derived && l->states->len > 0)
        self->any_derived_states = TRUE;
      finish_lane_states (self, l);
    }
}
