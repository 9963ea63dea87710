/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-painter-model.c: the model layout of the ladder, which depends only on
 * the recording: columns (actors, or endpoints of a capture without calls),
 * a lane per socket, each call on its lane, each packet's route from lane
 * to lane. And the geometry, which depends on the width and the type size:
 * the x of every column and lane.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sl-sequence-axis.h"
#include "sl-timeline-painter-private.h"
#include "nc-format.h"

#include <netinet/in.h>
#include <string.h>


void
sl_painter_call_list_init (CallList *list)
{
  list->ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  list->starts = g_array_new (FALSE, FALSE, sizeof (gint64));
  list->max_end = g_array_new (FALSE, FALSE, sizeof (gint64));
}

static void
call_list_clear (CallList *list)
{
  g_clear_pointer (&list->ids, g_array_unref);
  g_clear_pointer (&list->starts, g_array_unref);
  g_clear_pointer (&list->max_end, g_array_unref);
}

void
sl_painter_column_clear (gpointer data)
{
  Column *c = data;

  g_clear_pointer (&c->title, g_free);
  g_clear_pointer (&c->subtitle, g_free);
  call_list_clear (&c->calls);
}

void
sl_painter_lane_clear (gpointer data)
{
  Lane *l = data;

  g_clear_pointer (&l->states, g_array_unref);
  call_list_clear (&l->calls);
}

static int
compare_call_start (gconstpointer a, gconstpointer b, gpointer user_data)
{
  CapRecording *rec = user_data;
  gint64        x = cap_recording_get_call (rec, *(const guint32 *) a)->ts_start;
  gint64        y = cap_recording_get_call (rec, *(const guint32 *) b)->ts_start;

  if (x != y)
    return x < y ? -1 : 1;
  return *(const guint32 *) a < *(const guint32 *) b ? -1 : 1;
}

/* Calls arrive in entry order; threads of one actor may interleave. */
void
sl_painter_call_list_finish (CallList *list, CapRecording *rec)
{
  gint64 max_end = G_MININT64;

  g_array_sort_with_data (list->ids, compare_call_start, rec);
  g_array_set_size (list->starts, 0);
  g_array_set_size (list->max_end, 0);
  for (guint i = 0; i < list->ids->len; i++)
    {
      const NcCall *c = cap_recording_get_call (rec, g_array_index (list->ids, guint32, i));
      max_end = MAX (max_end, sl_painter_call_end_or_max (c));
      g_array_append_val (list->starts, c->ts_start);
      g_array_append_val (list->max_end, max_end);
    }
}

int
sl_painter_compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static int
role_sort_key (const NcActorInfo *actor)
{
  /* Textbook figures put the client on the left, the server on the right. */
  if (actor == NULL || actor->role == NULL)
    return 1;
  if (g_str_has_prefix (actor->role, "client"))
    return 0;
  if (g_str_has_prefix (actor->role, "server"))
    return 2;
  return 1;
}

gint64
sl_painter_call_end_or_max (const NcCall *c)
{
  return c->ts_end ? c->ts_end : G_MAXINT64;
}

guint32
sl_painter_lane_at (SlTimelinePainter *self, guint column, gint32 fd, gint64 ts)
{
  const Column *col = &g_array_index (self->columns, Column, column);

  /* fds are reused after close(): the lane alive at @ts wins */
  for (guint i = 0; i < col->n_lanes; i++)
    {
      guint       li = col->first_lane + i;
      const Lane *l = &g_array_index (self->lanes, Lane, li);
      if (l->fd == fd && ts >= l->t_first && (l->t_last == 0 || ts <= l->t_last))
        return li;
    }
  for (guint i = 0; i < col->n_lanes; i++)
    if (g_array_index (self->lanes, Lane, col->first_lane + i).fd == fd)
      return col->first_lane + i;
  return NO_LANE;
}

static void
build_actor_columns (SlTimelinePainter *self)
{
  CapRecording     *rec = self->recording;
  guint             n_actors = cap_recording_get_n_actors (rec);
  guint             n_calls = cap_recording_get_n_calls (rec);
  guint             n_sockets = cap_recording_get_n_sockets (rec);
  g_autofree guint *order = NULL;
  g_autofree guint *column_of_actor = NULL;
  guint             n_cols = n_actors;

  for (guint i = 0; i < n_calls; i++)
    {
      const NcCall *c = cap_recording_get_call (rec, i);
      if (c != NULL && c->ts_start != 0)
        n_cols = MAX (n_cols, (guint) c->actor + 1);
    }
  for (guint s = 0; s < n_sockets; s++)
    n_cols = MAX (n_cols, (guint) cap_recording_get_socket (rec, s)->actor + 1);

  /* order the actors: clients, others, servers; stable by index */
  order = g_new (guint, n_cols);
  column_of_actor = g_new (guint, n_cols);
  for (guint i = 0; i < n_cols; i++)
    order[i] = i;
  for (guint i = 1; i < n_cols; i++)
    for (guint j = i; j > 0; j--)
      {
        const NcActorInfo *a =
          order[j - 1] < n_actors ? cap_recording_get_actor (rec, order[j - 1]) : NULL;
        const NcActorInfo *b = order[j] < n_actors ? cap_recording_get_actor (rec, order[j]) : NULL;
        if (role_sort_key (a) <= role_sort_key (b))
          break;
        guint t = order[j];
        order[j] = order[j - 1];
        order[j - 1] = t;
      }

  self->n_socket_lane = n_sockets;
  self->socket_lane = g_new (guint32, MAX (n_sockets, 1));
  for (guint s = 0; s < n_sockets; s++)
    self->socket_lane[s] = NO_LANE;

  for (guint ci = 0; ci < n_cols; ci++)
    {
      guint              actor = order[ci];
      const NcActorInfo *info = actor < n_actors ? cap_recording_get_actor (rec, actor) : NULL;
      Column             col = { 0 };
      guint32            addr_socket = CAP_NONE;

      column_of_actor[actor] = ci;
      col.actor = actor;
      col.title = g_strdup (info && info->name ? info->name : "actor");
      if (info == NULL || info->name == NULL)
        {
          g_free (col.title);
          col.title = g_strdup_printf ("actor %u", actor);
        }
      col.first_lane = self->lanes->len;
      sl_painter_call_list_init (&col.calls);

      for (guint s = 0; s < n_sockets; s++)
        {
          const CapSocket *sock = cap_recording_get_socket (rec, s);
          Lane             lane = { 0 };
          const NcCall    *first, *last;

          if (sock->actor != actor)
            continue;
          lane.socket = s;
          lane.endpoint = CAP_NONE;
          lane.column = ci;
          lane.fd = sock->fd;
          lane.listening = sock->listening;
          lane.states = g_array_new (FALSE, FALSE, sizeof (StateSeg));
          sl_painter_call_list_init (&lane.calls);
          first =
            sock->first_call != CAP_NONE ? cap_recording_get_call (rec, sock->first_call) : NULL;
          last = sock->last_call != CAP_NONE ? cap_recording_get_call (rec, sock->last_call) : NULL;
          lane.t_first = first ? first->ts_start : self->origin;
          if (last && last->kind == NC_CALL_CLOSE && last->ts_end != 0)
            lane.t_last = last->ts_end;
          /* an accepted connection exists from its SYN, before accept() returns */
          if (sock->conv != CAP_NONE && sock->conv < cap_recording_get_n_conversations (rec))
            {
              const CapConversation *conv = cap_recording_get_conversation (rec, sock->conv);
              if (conv->n_packets > 0)
                lane.t_first =
                  MIN (lane.t_first, cap_recording_get_packet (rec, conv->first_packet)->ts);
            }
          self->socket_lane[s] = self->lanes->len;
          g_array_append_val (self->lanes, lane);
          col.n_lanes++;
          if (sock->local != CAP_NONE && (addr_socket == CAP_NONE || sock->listening))
            addr_socket = s;
        }

      if (addr_socket != CAP_NONE)
        {
          g_autofree char *addr =
            cap_recording_format_endpoint (rec, cap_recording_get_socket (rec, addr_socket)->local);
          col.subtitle =
            info && info->host ? g_strdup_printf ("%s  %s", info->host, addr) : g_strdup (addr);
        }
      else if (info && info->host)
        col.subtitle = g_strdup (info->host);
      g_array_append_val (self->columns, col);
    }

  /* each call on its socket's lane, in its actor's column */
  self->n_call_lane = n_calls;
  self->call_lane = g_new (guint32, MAX (n_calls, 1));
  for (guint i = 0; i < n_calls; i++)
    {
      const NcCall *c = cap_recording_get_call (rec, i);
      guint32       sock;
      Column       *col;

      self->call_lane[i] = NO_LANE;
      if (c == NULL || c->ts_start == 0 || c->actor >= n_cols)
        continue;
      col = &g_array_index (self->columns, Column, column_of_actor[c->actor]);
      sock = cap_recording_get_call_socket (rec, i);
      if (sock != CAP_NONE && sock < n_sockets)
        self->call_lane[i] = self->socket_lane[sock];
      else if (c->fd >= 0)
        self->call_lane[i] =
          sl_painter_lane_at (self, column_of_actor[c->actor], c->fd, c->ts_start);
      if (self->call_lane[i] == NO_LANE && nc_call_kind_info (c->kind)->draw != NC_CALL_DRAW_WAIT)
        {
          if (col->n_lanes == 0)
            {
              /* an actor with no socket still gets a lane for its calls */
              Lane lane = { 0 };
              lane.socket = lane.endpoint = CAP_NONE;
              lane.column = column_of_actor[c->actor];
              lane.fd = -1;
              lane.t_first = c->ts_start;
              lane.states = g_array_new (FALSE, FALSE, sizeof (StateSeg));
              sl_painter_call_list_init (&lane.calls);
              /* appended last: a column's lanes need only be contiguous */
              col->first_lane = self->lanes->len;
              g_array_append_val (self->lanes, lane);
              col->n_lanes = 1;
            }
          self->call_lane[i] = col->first_lane;
        }
      if (self->call_lane[i] != NO_LANE)
        g_array_append_val (g_array_index (self->lanes, Lane, self->call_lane[i]).calls.ids, i);
      else
        g_array_append_val (col->calls.ids, i);
    }

  for (guint ci = 0; ci < self->columns->len; ci++)
    sl_painter_call_list_finish (&g_array_index (self->columns, Column, ci).calls, rec);
  for (guint li = 0; li < self->lanes->len; li++)
    sl_painter_call_list_finish (&g_array_index (self->lanes, Lane, li).calls, rec);
}

/* Gives both ends of @conv a column (in @chosen, marked in @endpoint_lane),
 * if that takes at most @max_cols columns in all. */
static gboolean
choose_conversation (const CapConversation *conv,
                     guint32               *endpoint_lane,
                     GArray                *chosen,
                     guint8                *is_server,
                     guint                  max_cols)
{
  guint32 ends[2] = { conv->a, conv->b };
  guint   need = 0;

  for (guint e = 0; e < 2; e++)
    need += endpoint_lane[ends[e]] == NO_LANE;
  if (chosen->len + need > max_cols)
    return FALSE;
  for (guint e = 0; e < 2; e++)
    if (endpoint_lane[ends[e]] == NO_LANE)
      {
        endpoint_lane[ends[e]] = 0; /* marked; numbered below */
        g_array_append_val (chosen, ends[e]);
      }
  is_server[conv->b] = TRUE;
  return TRUE;
}

/* The endpoints of the busiest conversations, while they fit in max_columns */
static void
choose_busiest (SlTimelinePainter *self, guint32 *endpoint_lane, GArray *chosen, guint8 *is_server)
{
  CapRecording       *rec = self->recording;
  guint               n_conv;
  guint               max_cols = self->max_columns ? self->max_columns : DEFAULT_COLUMNS;
  g_autofree guint32 *ranked = cap_recording_rank_conversations (rec, &n_conv);

  for (guint i = 0; i < n_conv && chosen->len < max_cols; i++)
    choose_conversation (cap_recording_get_conversation (rec, ranked[i]), endpoint_lane, chosen,
                         is_server, max_cols);
}

/* Exactly the endpoints of the filter's conversations, in the order the
 * conversations were first seen; ids the recording lacks are skipped. */
static void
choose_filtered (SlTimelinePainter *self, guint32 *endpoint_lane, GArray *chosen, guint8 *is_server)
{
  CapRecording *rec = self->recording;
  guint         n_conv = cap_recording_get_n_conversations (rec);

  for (guint i = 0; i < self->conv_filter->len; i++)
    {
      guint32 id = g_array_index (self->conv_filter, guint32, i);

      if (id < n_conv)
        choose_conversation (cap_recording_get_conversation (rec, id), endpoint_lane, chosen,
                             is_server, G_MAXUINT);
    }
}

/* A capture without calls: endpoints as columns. The endpoints of the
 * chosen conversations (the filter's, or else the busiest) get their own
 * column; the rest share "others", so thousands of endpoints cost one
 * column. */
static void
build_endpoint_columns (SlTimelinePainter *self, guint32 *endpoint_lane)
{
  CapRecording *rec = self->recording;
  guint         n_ep = cap_recording_get_n_endpoints (rec);
  g_autoptr (GArray) chosen = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autofree guint8 *is_server = g_new0 (guint8, MAX (n_ep, 1));
  guint              n_active = n_ep;

  if (self->conv_filter != NULL)
    choose_filtered (self, endpoint_lane, chosen, is_server);
  else
    choose_busiest (self, endpoint_lane, chosen, is_server);

  /* clients first, then servers; each group in the order first seen */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; i < chosen->len; i++)
      {
        guint32 ep = g_array_index (chosen, guint32, i);
        Column  col = { 0 };
        Lane    lane = { 0 };

        if (is_server[ep] != pass)
          continue;
        col.actor = -1;
        col.title = cap_recording_format_endpoint (rec, ep);
        col.subtitle = g_strdup (pass ? "server" : "client");
        col.first_lane = self->lanes->len;
        col.n_lanes = 1;
        lane.socket = CAP_NONE;
        lane.endpoint = ep;
        lane.column = self->columns->len;
        lane.fd = -1;
        lane.t_first = self->origin;
        lane.states = g_array_new (FALSE, FALSE, sizeof (StateSeg));
        sl_painter_call_list_init (&lane.calls);
        sl_painter_call_list_init (&col.calls);
        endpoint_lane[ep] = self->lanes->len;
        g_array_append_val (self->lanes, lane);
        g_array_append_val (self->columns, col);
      }

  if (n_active > chosen->len)
    {
      Column  col = { 0 };
      Lane    lane = { 0 };
      guint32 others = self->lanes->len;

      col.actor = -1;
      col.others = TRUE;
      col.title = g_strdup ("others");
      col.subtitle = g_strdup_printf (
        g_dngettext (GETTEXT_PACKAGE, "%u endpoint", "%u endpoints", n_active - chosen->len),
        n_active - chosen->len);
      col.first_lane = others;
      col.n_lanes = 1;
      lane.socket = lane.endpoint = CAP_NONE;
      lane.column = self->columns->len;
      lane.fd = -1;
      lane.t_first = self->origin;
      lane.states = g_array_new (FALSE, FALSE, sizeof (StateSeg));
      sl_painter_call_list_init (&lane.calls);
      sl_painter_call_list_init (&col.calls);
      g_array_append_val (self->lanes, lane);
      g_array_append_val (self->columns, col);
      for (guint e = 0; e < n_ep; e++)
        if (endpoint_lane[e] == NO_LANE)
          endpoint_lane[e] = others;
    }
}

static guint32
lane_for (SlTimelinePainter *self, const LaneMaps *maps, const CapPacket *pkt, gboolean receiver)
{
  guint   side = receiver ? !pkt->from_b : pkt->from_b;
  guint32 ep = receiver ? pkt->dst : pkt->src;

  if (pkt->conv != CAP_NONE && pkt->conv < maps->n_conv &&
      maps->conv_lane[pkt->conv * 2 + side] != NO_LANE)
    return maps->conv_lane[pkt->conv * 2 + side];
  if (ep == CAP_NONE)
    return NO_LANE;
  if (maps->endpoint_lane[ep] != NO_LANE)
    return maps->endpoint_lane[ep];
  if (maps->port_lane != NULL)
    {
      const CapEndpoint *e = cap_recording_get_endpoint (self->recording, ep);
      gpointer           v =
        g_hash_table_lookup (maps->port_lane, GUINT_TO_POINTER ((guint) e->family << 16 | e->port));
      if (v != NULL)
        return GPOINTER_TO_UINT (v) - 1;
    }
  return NO_LANE;
}

static guint16
route_for (SlTimelinePainter *self, GHashTable *route_ids, guint32 from, guint32 to)
{
  guint64  key = (guint64) from << 32 | to;
  gpointer v;
  Route    r;

  if (g_hash_table_lookup_extended (route_ids, &key, NULL, &v))
    return GPOINTER_TO_UINT (v);
  if (self->routes->len >= NO_ROUTE)
    return NO_ROUTE;
  r.from = from;
  r.to = to;
  r.color = g_array_index (self->lanes, Lane, from).column % SL_PALETTE_N_PACKET;
  g_array_append_val (self->routes, r);
  g_hash_table_insert (route_ids, g_memdup2 (&key, sizeof key),
                       GUINT_TO_POINTER (self->routes->len - 1));
  return self->routes->len - 1;
}

static void
build_lane_maps (SlTimelinePainter *self, LaneMaps *maps)
{
  CapRecording *rec = self->recording;

  maps->n_conv = cap_recording_get_n_conversations (rec);
  maps->conv_lane = g_new (guint32, MAX (maps->n_conv, 1) * 2);
  for (guint i = 0; i < maps->n_conv * 2; i++)
    maps->conv_lane[i] = NO_LANE;

  if (!self->has_calls)
    {
      g_autofree guint *n_convs = g_new0 (guint, MAX (self->lanes->len, 1));

      /* an endpoint with one TCP connection among those drawn is its
       * socket; a server's port with many is not one socket, and gets no
       * state band */
      for (int pass = 0; pass < 2; pass++)
        for (guint li = 0; li < self->lanes->len; li++)
          {
            Lane *l = &g_array_index (self->lanes, Lane, li);
            if (l->endpoint == CAP_NONE)
              continue;
            for (guint c = 0; c < maps->n_conv; c++)
              {
                const CapConversation *conv = cap_recording_get_conversation (rec, c);
                if (conv->proto != IPPROTO_TCP)
                  continue;
                if (conv->a == l->endpoint || conv->b == l->endpoint)
                  {
                    guint   side = conv->b == l->endpoint;
                    guint32 other = side ? conv->a : conv->b;
                    if (maps->endpoint_lane[other] != NO_LANE &&
                        g_array_index (self->lanes, Lane, maps->endpoint_lane[other]).endpoint ==
                          other)
                      {
                        if (pass == 0)
                          n_convs[li]++;
                        else if (n_convs[li] == 1)
                          maps->conv_lane[c * 2 + side] = li;
                      }
                  }
              }
            if (maps->n_conv > 4096)
              break; /* a big capture: endpoints route by address alone */
          }
      return;
    }

  maps->port_lane = g_hash_table_new (NULL, NULL);
  for (guint li = 0; li < self->lanes->len; li++)
    {
      const Lane      *l = &g_array_index (self->lanes, Lane, li);
      const CapSocket *sock;

      if (l->socket == CAP_NONE)
        continue;
      sock = cap_recording_get_socket (rec, l->socket);
      if (sock->local != CAP_NONE)
        {
          const CapEndpoint *e = cap_recording_get_endpoint (rec, sock->local);
          guint              key = (guint) e->family << 16 | e->port;

          /* the listening socket answers for its address until a
           * connection has its own socket */
          if (maps->endpoint_lane[sock->local] == NO_LANE || sock->listening)
            maps->endpoint_lane[sock->local] = li;
          if (e->port != 0 &&
              (!g_hash_table_contains (maps->port_lane, GUINT_TO_POINTER (key)) || sock->listening))
            g_hash_table_insert (maps->port_lane, GUINT_TO_POINTER (key),
                                 GUINT_TO_POINTER (li + 1));
        }
      if (sock->conv != CAP_NONE && sock->conv < maps->n_conv)
        {
          const CapConversation *conv = cap_recording_get_conversation (rec, sock->conv);
          guint                  side;

          if (sock->local != CAP_NONE)
            side = sock->local == conv->b;
          else
            side = sock->peer == conv->a;
          maps->conv_lane[sock->conv * 2 + side] = li;
        }
    }
}

/* How far back an ICMP error's datagram is looked for */
#define QUOTED_LOOKBACK 64

static gboolean
same_port (CapRecording *rec, guint32 endpoint, guint16 port)
{
  return endpoint != CAP_NONE && cap_recording_get_endpoint (rec, endpoint)->port == port;
}

/* An ICMP error (port unreachable) has no ports of its own: it goes back
 * the way the datagram it quotes came, from the lane it was sent to, to
 * the lane that sent it. */
static guint16
quoted_route (SlTimelinePainter *self, GHashTable *route_ids, guint icmp)
{
  CapRecording *rec = self->recording;
  CapSummary    s = { 0 };

  if (!cap_recording_dissect_packet (rec, icmp, &s) || !(s.flags & CAP_SUMMARY_QUOTED))
    return NO_ROUTE;
  for (guint back = 1; back <= QUOTED_LOOKBACK && back <= icmp; back++)
    {
      guint            p = icmp - back;
      const CapPacket *pkt = cap_recording_get_packet (rec, p);
      const Route     *r;

      if (pkt->proto != s.quoted_proto || !same_port (rec, pkt->src, s.quoted_sport) ||
          !same_port (rec, pkt->dst, s.quoted_dport) || self->packet_route[p] == NO_ROUTE)
        continue;
      r = &g_array_index (self->routes, Route, self->packet_route[p]);
      return route_for (self, route_ids, r->to, r->from);
    }
  return NO_ROUTE;
}

static void
build_routes (SlTimelinePainter *self, LaneMaps *maps)
{
  CapRecording *rec = self->recording;
  guint         n = cap_recording_get_n_packets (rec);
  g_autoptr (GHashTable) route_ids =
    g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  guint64 last_key = G_MAXUINT64;
  guint16 last_route = NO_ROUTE;

  self->n_routed = n;
  self->packet_route = g_new (guint16, MAX (n, 1));
  self->block_mask = g_new0 (guint64, (n >> BLOCK_SHIFT) + 1);
  self->n_unplaced = 0;

  for (guint i = 0; i < n; i++)
    {
      const CapPacket *pkt = cap_recording_get_packet (rec, i);
      guint32          from = lane_for (self, maps, pkt, FALSE);
      guint32          to = lane_for (self, maps, pkt, TRUE);
      guint16          r = NO_ROUTE;

      if (from != NO_LANE && to != NO_LANE)
        {
          guint64 key = (guint64) from << 32 | to;
          /* consecutive packets mostly share a route: skip the hash */
          if (key != last_key)
            {
              last_key = key;
              last_route = route_for (self, route_ids, from, to);
            }
          r = last_route;
        }
      if (r == NO_ROUTE && (pkt->flags & CAP_PACKET_QUOTED))
        r = quoted_route (self, route_ids, i);
      self->packet_route[i] = r;
      if (r != NO_ROUTE)
        self->block_mask[i >> BLOCK_SHIFT] |= G_GUINT64_CONSTANT (1) << (r & 63);
      else
        self->n_unplaced++;
    }
}

void
sl_painter_clear_layout (SlTimelinePainter *self)
{
  g_array_set_size (self->columns, 0);
  g_array_set_size (self->lanes, 0);
  g_array_set_size (self->routes, 0);
  g_clear_pointer (&self->packet_route, g_free);
  g_clear_pointer (&self->block_mask, g_free);
  g_clear_pointer (&self->call_lane, g_free);
  g_clear_pointer (&self->socket_lane, g_free);
  self->n_routed = self->n_call_lane = self->n_socket_lane = 0;
  self->hl_valid = FALSE;
  self->dense.valid = FALSE;
}

void
sl_painter_ensure_layout (SlTimelinePainter *self)
{
  CapRecording *rec = self->recording;
  LaneMaps      maps = { 0 };
  guint         n_ep;

  if (self->layout_valid)
    return;
  sl_painter_clear_layout (self);
  self->layout_valid = TRUE;
  self->geometry_valid = FALSE;
  sl_timeline_axis_set_recording (self->axis, rec);
  if (rec == NULL)
    return;

  self->origin = cap_recording_get_start_time (rec);
  self->rec_end = cap_recording_get_end_time (rec);
  self->has_calls = cap_recording_get_n_calls (rec) > 0 || cap_recording_get_n_sockets (rec) > 0;

  n_ep = cap_recording_get_n_endpoints (rec);
  maps.endpoint_lane = g_new (guint32, MAX (n_ep, 1));
  for (guint i = 0; i < n_ep; i++)
    maps.endpoint_lane[i] = NO_LANE;

  if (self->has_calls)
    build_actor_columns (self);
  else
    build_endpoint_columns (self, maps.endpoint_lane);
  build_lane_maps (self, &maps);
  build_routes (self, &maps);
  sl_painter_build_states (self, &maps);

  g_free (maps.endpoint_lane);
  g_free (maps.conv_lane);
  g_clear_pointer (&maps.port_lane, g_hash_table_unref);
}

static void
set_font_size (PangoFontDescription *font, double px)
{
  pango_font_description_set_absolute_size (font, px * PANGO_SCALE);
}

/* The widest of the name and result labels of @col's calls (the first
 * MEASURED_CALLS of each list: a long run repeats its first calls' shapes) */
#define MEASURED_CALLS 256
static double
widest_call_label (SlTimelinePainter *self, const Column *col)
{
  g_autoptr (GString) name = g_string_new (NULL);
  g_autoptr (GString) result = g_string_new (NULL);
  double widest = 0;

  for (guint li = 0; li <= col->n_lanes; li++)
    {
      const CallList *list = li < col->n_lanes
                               ? &g_array_index (self->lanes, Lane, col->first_lane + li).calls
                               : &col->calls;

      for (guint i = 0; i < MIN (list->ids->len, MEASURED_CALLS); i++)
        {
          const NcCall *c =
            cap_recording_get_call (self->recording, g_array_index (list->ids, guint32, i));
          int w, h;

          g_string_truncate (name, 0);
          g_string_truncate (result, 0);
          sl_format_call_label (c, self->rec_end, name, result);
          sl_painter_text_size (self, self->font_bold, name->str, &w, &h);
          widest = MAX (widest, w);
          sl_painter_text_size (self, self->font_small, result->str, &w, &h);
          widest = MAX (widest, w);
        }
    }
  return widest;
}

/* The widest label of the first packets' arrows ("SYN/ACK  seq=0  ack=1") */
#define MEASURED_PACKETS 256
static double
widest_packet_label (SlTimelinePainter *self)
{
  g_autoptr (GString) text = g_string_new (NULL);
  guint  n = MIN (cap_recording_get_n_packets (self->recording), MEASURED_PACKETS);
  double widest = 0;

  for (guint i = 0; i < MIN (n, self->n_routed); i++)
    {
      const Route *r;
      int          w, h;

      /* NO_ROUTE is no index: not even its address may be taken (with no
       * routes at all, the array's data is NULL) */
      if (self->packet_route[i] == NO_ROUTE)
        continue;
      r = &g_array_index (self->routes, Route, self->packet_route[i]);
      if (r->from == r->to)
        continue;
      g_string_truncate (text, 0);
      sl_painter_packet_label (self, i, text);
      sl_painter_text_size (self, self->font_bold, text->str, &w, &h);
      widest = MAX (widest, w);
    }
  return widest;
}

/* The room left of the first column (@room_a) and right of the last
 * (@room_b), from the gutter and the right edge to the column's centre:
 * as wide as their widest call label needs, so a label is read whole
 * (the server's "getsockname(fd=7)" in a pane beside the inspector),
 * while the columns keep at least MIN_SPAN apart for the arrows. Room
 * beyond the labels' need is given to the arrows first, where their
 * labels are wider than the arrows between two columns' lanes (a
 * projector's large type at 1280x800): a label wider than its arrow
 * reaches over the lanes at its ends, and its halo cuts them. */
#define MIN_SPAN 96
static void
outer_label_rooms (SlTimelinePainter *self,
                   const Column      *first,
                   const Column      *last,
                   double             room,
                   double            *room_a,
                   double            *room_b)
{
  double s = self->scale;
  /* lanes spread around a column's centre: a server's per connection */
  double spread = last->n_lanes > 1 ? 30 * s * (last->n_lanes - 1) / 2 : 0;
  double spread_a = first->n_lanes > 1 ? 30 * s * (first->n_lanes - 1) / 2 : 0;
  double span = (MIN_SPAN * s) * (self->columns->len - 1);
  double need_a = widest_call_label (self, first) + 8 * s + self->box_w / 2 + 2 * s + spread_a;
  double need_b = widest_call_label (self, last) + 10 * s + self->box_w / 2 + self->band_w + 4 * s;
  double avail = self->width - self->gutter - spread - span;
  /* between two neighbours' nearest lanes: the label, clear of the boxes
   * and state bands at both ends */
  double arrows =
    (widest_packet_label (self) + self->box_w + self->band_w + 14 * s + spread_a + spread) *
    (self->columns->len - 1);
  double over = MAX (room, need_a) + MAX (room, need_b) -
                (self->width - self->gutter - spread - MAX (span, arrows));

  *room_a = MAX (room, need_a);
  *room_b = MAX (room, need_b);
  if (over > 0)
    {
      /* the room beyond the labels' need goes to the arrows */
      double slack_a = *room_a - need_a, slack_b = *room_b - need_b;
      double take = MIN (over, slack_a + slack_b);

      if (take > 0)
        {
          *room_a -= take * slack_a / (slack_a + slack_b);
          *room_b -= take * slack_b / (slack_a + slack_b);
        }
    }
  if (*room_a + *room_b > avail && avail > 0)
    {
      /* too narrow for both: each side gets its share, its labels wrap */
      double k = avail / (*room_a + *room_b);
      *room_a = MAX (*room_a * k, MIN (room, avail / 2));
      *room_b = MAX (*room_b * k, MIN (room, avail / 2));
    }
}

static double
text_height (SlTimelinePainter *self, PangoFontDescription *font, const char *text)
{
  int w, h;

  sl_painter_text_size (self, font, text, &w, &h);
  return h;
}

/* The gutter: as wide as the widest time it shows, the run's last ("15.377
 * ms"; on the Time axis "9.656622 s" after stepping), so no time loses its
 * first digits; wider beside a wide plot. */
static double
gutter_width (SlTimelinePainter *self)
{
  double           s = self->scale;
  double           least = (self->width < 640 * s ? 64 : 84) * s;
  g_autofree char *last = NULL;
  int              w, h;

  if (self->recording == NULL)
    return least;
  last = nc_format_time_at (
    SL_IS_SEQUENCE_AXIS (self->axis)
      ? sl_sequence_axis_run_offset (SL_SEQUENCE_AXIS (self->axis), self->rec_end)
      : self->rec_end - cap_recording_get_start_time (self->recording),
    1000);
  sl_painter_text_size (self, self->font_small, last, &w, &h);
  return MAX (least, w + 12 * s);
}

/* The header's lines stacked by the heights pango gives them: a CJK face
 * (Noto Sans CJK, chosen under zh_TW even for Latin text) is a third taller
 * than DejaVu, so fixed offsets made the title run into the address. The
 * plot starts below the header, never higher than it did with Latin fonts. */
static void
layout_headers (SlTimelinePainter *self)
{
  double s = self->scale;
  double title_h = 0, subtitle_h = 0;

  for (guint ci = 0; ci < self->columns->len; ci++)
    {
      const Column *col = &g_array_index (self->columns, Column, ci);

      PangoFontDescription *font = self->has_calls ? self->font_title : self->font_bold;

      title_h = MAX (title_h, text_height (self, font, col->title));
      if (col->subtitle)
        subtitle_h = MAX (subtitle_h, text_height (self, self->font_small, col->subtitle));
    }
  self->header_title_y = 10 * s;
  self->header_subtitle_y = self->header_title_y + title_h + 2 * s;
  self->header_rows = 1;
  self->header_row_h = title_h + 2 * s + subtitle_h + 4 * s;
  self->top = MAX (64 * s, self->header_subtitle_y + subtitle_h + 16 * s);
}

/* The plot's bottom, room for the legend under it: the one part of the
 * geometry that follows the height */
double
sl_painter_plot_bottom (SlTimelinePainter *self)
{
  return self->height - 34 * self->scale;
}

void
sl_painter_ensure_geometry (SlTimelinePainter *self)
{
  double s = self->scale;
  guint  n_cols;
  double xa, xb, room;

  sl_painter_ensure_layout (self);
  if (self->geometry_valid)
    return;
  self->geometry_valid = TRUE;
  self->dense.valid = FALSE;                  /* the axis's rows may have changed size */
  g_hash_table_remove_all (self->text_cache); /* shaped at the old type size */
  g_hash_table_remove_all (self->text_seen);

  set_font_size (self->font, 13 * s);
  set_font_size (self->font_bold, 13 * s);
  set_font_size (self->font_small, 11 * s);
  set_font_size (self->font_title, 16 * s);
  self->line_h = 16 * s;

  layout_headers (self);
  self->bottom = sl_painter_plot_bottom (self);
  self->box_w = 16 * s;
  self->band_w = 6 * s;
  self->slant = 18 * s;
  /* a row holds one line of labels, with a little air */
  self->row_h = self->line_h + 5 * s;
  sl_timeline_axis_set_row_height (self->axis, self->row_h);
  /* the rows' times as the axis gives them (a stepped run's without the
   * waits for the clicks); a narrow pane keeps room for labels */
  self->gutter = gutter_width (self);

  n_cols = self->columns->len;
  if (n_cols == 0)
    return;

  /* room for call labels outside the first and last columns */
  room = CLAMP ((self->width - self->gutter) * 0.28, 70 * s, 260 * s);
  if (!self->has_calls)
    room = CLAMP ((self->width - self->gutter) * 0.5 / n_cols, 60 * s, 120 * s);
  {
    const Column *first = &g_array_index (self->columns, Column, 0);
    const Column *last = &g_array_index (self->columns, Column, n_cols - 1);
    /* The last column's lanes spread to the right of its centre: keep its
     * labels' room clear of them (a server has a lane per connection). */
    double spread = last->n_lanes > 1 ? 30 * s * (last->n_lanes - 1) / 2 : 0;
    double room_a = room, room_b = room;

    if (self->has_calls && n_cols > 1)
      outer_label_rooms (self, first, last, room, &room_a, &room_b);
    xa = self->gutter + room_a;
    xb = self->width - room_b - MIN (spread, room_b);
  }
  if (xb < xa)
    xb = xa;

  for (guint ci = 0; ci < n_cols; ci++)
    {
      Column *col = &g_array_index (self->columns, Column, ci);
      double  span = n_cols > 1 ? (xb - xa) / (n_cols - 1) : (xb - xa);
      double  pitch = 30 * s;
      double  group;

      col->x = n_cols > 1 ? xa + ci * span : (xa + xb) / 2;
      if (col->n_lanes > 1)
        pitch = MIN (pitch, span * 0.45 / (col->n_lanes - 1));
      pitch = MAX (pitch, self->box_w * 0.5);
      group = pitch * (col->n_lanes ? col->n_lanes - 1 : 0);
      for (guint i = 0; i < col->n_lanes; i++)
        {
          Lane *l = &g_array_index (self->lanes, Lane, col->first_lane + i);
          l->x = col->x - group / 2 + i * pitch;
        }
      col->x_left = col->x - group / 2 - self->box_w / 2;
      col->x_right = col->x + group / 2 + self->box_w / 2 + self->band_w + 2 * s;
      col->label_side = (ci == 0 && n_cols > 1) ? -1 : 1;
      if (ci == 0 && n_cols > 1)
        col->label_room = col->x_left - self->gutter - 8 * s;
      else if (ci + 1 < n_cols)
        col->label_room = span * 0.5;
      else
        col->label_room = self->width - col->x_right - 10 * s;
      col->row_label_side = col->label_side;
      col->row_label_room = col->label_room;
    }

  /* On rows a label has its row to itself: a middle column's may run on
   * up to the next column's lanes. */
  for (guint ci = 0; ci + 1 < n_cols; ci++)
    {
      Column       *col = &g_array_index (self->columns, Column, ci);
      const Column *next = &g_array_index (self->columns, Column, ci + 1);

      if (col->label_side > 0)
        col->row_label_room = MAX (col->label_room, next->x_left - col->x_right - 12 * s);
      /* too narrow even so (many columns, a narrow pane): across the
       * other columns' lanes, on its halo, rather than no label */
      if (col->label_side > 0 && col->row_label_room < 110 * s)
        col->row_label_room = self->width - col->x_right - 10 * s;
    }
  /* The outer columns likewise, where their outer side is too narrow for
   * their labels on one or two lines (four actors in a pane beside the
   * inspector): the first's labels run right, the last's left, across the
   * others' lanes on their own rows. */
  if (n_cols > 1)
    {
      Column *first = &g_array_index (self->columns, Column, 0);
      Column *last = &g_array_index (self->columns, Column, n_cols - 1);

      if (first->row_label_room < 0.75 * widest_call_label (self, first) &&
          self->width - first->x_right > first->row_label_room)
        {
          first->row_label_side = 1;
          first->row_label_room = self->width - first->x_right - 10 * s;
        }
      if (last->row_label_room < 0.75 * widest_call_label (self, last) &&
          last->x_left - self->gutter > last->row_label_room)
        {
          last->row_label_side = -1;
          last->row_label_room = last->x_left - self->gutter - 8 * s;
        }
    }
  sl_painter_stagger_headers (self);
}
