/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-recording-packets.c: the recording's packets, endpoints and
 * conversations.
 *
 * Each frame becomes one 64-byte CapPacket; its endpoints and conversation
 * are interned through open-addressing id tables (hashed and compared
 * through the arrays the ids index: no key copies, no per-entry
 * allocation), and TCP bookkeeping (initial sequence numbers, FIN/RST,
 * retransmissions) is done as the packet arrives.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "cap-recording-private.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* Id tables */

typedef guint32 (*IdHashFunc) (CapRecording *self, guint32 id);

void
cap_id_table_init (CapIdTable *t)
{
  t->mask = 1023;
  t->used = 0;
  t->slots = g_new0 (guint32, t->mask + 1);
}

void
cap_id_table_clear (CapIdTable *t)
{
  g_clear_pointer (&t->slots, g_free);
}

static guint32
hash_bytes (const guint8 *p,
            gsize         n,
            guint32       h)
{
  /* FNV-1a: short keys, good spread, no allocation */
  for (gsize i = 0; i < n; i++)
    h = (h ^ p[i]) * 16777619u;
  return h;
}

static guint32
endpoint_hash (const CapEndpoint *e)
{
  guint32 h = hash_bytes (&e->family, 1, 2166136261u);
  h = hash_bytes (e->addr, e->family == 4 ? 4 : 16, h);
  return hash_bytes ((const guint8 *) &e->port, 2, h);
}

static gboolean
endpoint_equal (const CapEndpoint *a,
                const CapEndpoint *b)
{
  return a->family == b->family && a->port == b->port &&
         memcmp (a->addr, b->addr, a->family == 4 ? 4 : 16) == 0;
}

static guint32
conv_hash (guint8  proto,
           guint32 a,
           guint32 b)
{
  guint32 lo = MIN (a, b), hi = MAX (a, b);
  return ((lo * 2654435761u) ^ (hi * 2246822519u) ^ proto) * 16777619u;
}

static void id_table_grow (CapRecording *self, CapIdTable *t, IdHashFunc hash);

static guint32
endpoint_hash_id (CapRecording *self,
                  guint32       id)
{
  return endpoint_hash (&g_array_index (self->endpoints, CapEndpoint, id));
}

static guint32
conv_hash_id (CapRecording *self,
              guint32       id)
{
  const CapConversation *c = &g_array_index (self->conversations, CapConversation, id);
  return conv_hash (c->proto, c->a, c->b);
}

static void
id_table_insert (CapRecording *self,
                 CapIdTable   *t,
                 IdHashFunc    hash,
                 guint32       id)
{
  guint32 i;

  if ((t->used + 1) * 4 > (t->mask + 1) * 3)
    id_table_grow (self, t, hash);
  i = hash (self, id) & t->mask;
  while (t->slots[i] != 0)
    i = (i + 1) & t->mask;
  t->slots[i] = id + 1;
  t->used++;
}

static void
id_table_grow (CapRecording *self,
               CapIdTable   *t,
               IdHashFunc    hash)
{
  guint32 *old = t->slots;
  guint32 old_size = t->mask + 1;

  t->mask = old_size * 2 - 1;
  t->slots = g_new0 (guint32, t->mask + 1);
  t->used = 0;
  for (guint32 i = 0; i < old_size; i++)
    if (old[i] != 0)
      id_table_insert (self, t, hash, old[i] - 1);
  g_free (old);
}

/* Endpoints and conversations */

guint32
cap_recording_intern_endpoint (CapRecording *self,
                               guint8        family,
                               const guint8 *addr,
                               guint16       port)
{
  CapEndpoint key = { .family = family, .port = port };
  CapIdTable *t = &self->endpoint_table;
  guint32 i, id;

  memcpy (key.addr, addr, family == 4 ? 4 : 16);
  i = endpoint_hash (&key) & t->mask;
  while (t->slots[i] != 0)
    {
      id = t->slots[i] - 1;
      if (endpoint_equal (&g_array_index (self->endpoints, CapEndpoint, id), &key))
        return id;
      i = (i + 1) & t->mask;
    }

  id = self->endpoints->len;
  g_array_append_val (self->endpoints, key);
  id_table_insert (self, t, endpoint_hash_id, id);
  return id;
}

/* "127.0.0.1:9000" or "[::1]:9000", as netcore writes addresses. */
guint32
cap_recording_lookup_endpoint_text (CapRecording *self,
                                    const char   *text,
                                    gboolean     *wildcard)
{
  char host[INET6_ADDRSTRLEN + 2];
  const char *colon;
  guint8 addr[16] = { 0 };
  guint8 family;
  guint64 port;
  gsize host_len;

  if (wildcard)
    *wildcard = FALSE;
  if (text == NULL || text[0] == '\0')
    return CAP_NONE;

  colon = strrchr (text, ':');
  if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &port, NULL))
    return CAP_NONE;

  if (text[0] == '[')
    {
      host_len = (gsize) (colon - text) - 2;
      if (host_len >= sizeof host || colon[-1] != ']')
        return CAP_NONE;
      memcpy (host, text + 1, host_len);
      host[host_len] = '\0';
      if (inet_pton (AF_INET6, host, addr) != 1)
        return CAP_NONE;
      family = 6;
      if (wildcard)
        *wildcard = memcmp (addr, &in6addr_any, 16) == 0;
    }
  else
    {
      host_len = (gsize) (colon - text);
      if (host_len >= sizeof host)
        return CAP_NONE;
      memcpy (host, text, host_len);
      host[host_len] = '\0';
      if (inet_pton (AF_INET, host, addr) != 1)
        return CAP_NONE;
      family = 4;
      if (wildcard)
        *wildcard = addr[0] == 0 && addr[1] == 0 && addr[2] == 0 && addr[3] == 0;
    }
  return cap_recording_intern_endpoint (self, family, addr, (guint16) port);
}

/* The slot of @proto's conversation between @a and @b (either way), or -1 */
static gint64
conversation_slot (CapRecording *self,
                   guint8        proto,
                   guint32       a,
                   guint32       b)
{
  CapIdTable *t = &self->conv_table;
  guint32 i = conv_hash (proto, a, b) & t->mask;

  while (t->slots[i] != 0)
    {
      guint32 id = t->slots[i] - 1;
      const CapConversation *c = &g_array_index (self->conversations, CapConversation, id);
      if (c->proto == proto && ((c->a == a && c->b == b) || (c->a == b && c->b == a)))
        return i;
      i = (i + 1) & t->mask;
    }
  return -1;
}

/* The latest conversation of @proto between @a and @b, or CAP_NONE */
guint32
cap_recording_find_conversation (CapRecording *self,
                                 guint8        proto,
                                 guint32       a,
                                 guint32       b)
{
  gint64 slot = conversation_slot (self, proto, a, b);

  return slot < 0 ? CAP_NONE : self->conv_table.slots[slot] - 1;
}

/* Whether a TCP segment from @src opens a new connection on the addresses
 * and ports of @c: a SYN (no ACK) after @c ended, or with another initial
 * sequence number than @c's (a port used again). tshark counts it as a
 * conversation of its own (tcp.stream), and so does the list. */
static gboolean
reopens (const CapConversation *c,
         guint32                src,
         const CapSummary      *s)
{
  guint dir = c->a != src;

  if (c->proto != IPPROTO_TCP || (s->tcp_flags & (CAP_TCP_SYN | CAP_TCP_ACK)) != CAP_TCP_SYN)
    return FALSE;
  return c->rst_seen || c->fin_seen[0] || c->fin_seen[1] ||
         (c->syn_seen && c->has_isn[dir] && c->isn[dir] != s->seq);
}

static guint32
conversation_for (CapRecording     *self,
                  const CapSummary *s,
                  guint32           src,
                  guint32           dst,
                  guint32           packet)
{
  gint64 slot = conversation_slot (self, s->ip_proto, src, dst);
  CapConversation conv = { 0 };
  guint32 zero[2] = { 0, 0 };

  if (slot >= 0)
    {
      guint32 id = self->conv_table.slots[slot] - 1;
      if (!reopens (&g_array_index (self->conversations, CapConversation, id), src, s))
        return id;
    }

  conv.id = self->conversations->len;
  conv.proto = s->ip_proto;
  conv.a = src;
  conv.b = dst;
  conv.first_packet = packet;
  g_array_append_val (self->conversations, conv);
  g_array_append_vals (self->conv_max_end, zero, 1);
  if (slot >= 0)
    self->conv_table.slots[slot] = conv.id + 1; /* the new one answers for its addresses now */
  else
    id_table_insert (self, &self->conv_table, conv_hash_id, conv.id);
  return conv.id;
}

/* TCP bookkeeping: initial sequence numbers, FIN/RST, and retransmissions
 * (a segment whose bytes were all sent before). */
static void
track_tcp (CapRecording     *self,
           CapConversation  *conv,
           CapPacket        *pkt,
           const CapSummary *s)
{
  guint dir = pkt->from_b;
  guint32 *max_end = &g_array_index (self->conv_max_end, guint32, conv->id * 2);
  guint32 rel, end;

  if (s->tcp_flags & CAP_TCP_SYN)
    {
      conv->syn_seen = TRUE;
      conv->isn[dir] = s->seq;
      conv->has_isn[dir] = TRUE;
    }
  else if (!conv->has_isn[dir])
    {
      /* Joined mid-stream: count from the first byte seen, as Wireshark does. */
      conv->isn[dir] = s->seq - 1;
      conv->has_isn[dir] = TRUE;
    }
  if (s->tcp_flags & CAP_TCP_FIN)
    conv->fin_seen[dir] = TRUE;
  if (s->tcp_flags & CAP_TCP_RST)
    conv->rst_seen = TRUE;

  if (s->payload_len == 0)
    return;
  rel = s->seq - conv->isn[dir] - 1;
  end = rel + s->payload_len;
  if (end <= max_end[dir])
    pkt->flags |= CAP_PACKET_RETRANSMISSION;
  else
    max_end[dir] = end;
}

guint8
cap_recording_linktype_index (CapRecording *self,
                              guint32       linktype)
{
  for (guint i = 0; i < self->ifaces->len; i++)
    if (g_array_index (self->ifaces, CapIface, i).linktype == linktype)
      return (guint8) i;
  {
    CapIface iface = { .linktype = linktype, .name = NULL };
    g_array_append_val (self->ifaces, iface);
  }
  return (guint8) MIN (self->ifaces->len - 1, 255);
}

/* Adds one frame whose bytes live at @offset (in the loaded file or the arena). */
guint32
cap_recording_add_packet (CapRecording *self,
                          guint32       linktype,
                          gint64        ts_ns,
                          const guint8 *data,
                          guint32       caplen,
                          guint32       len,
                          guint64       offset)
{
  CapSummary s;
  CapPacket pkt = { 0 };
  guint32 index = self->packets->len;

  memset (&s, 0, sizeof s);
  cap_dissect_summary (linktype, data, caplen, len, &s);

  pkt.ts = cap_recording_clamp_time (self, ts_ns);
  pkt.offset = offset;
  pkt.caplen = caplen;
  pkt.len = len;
  pkt.src = pkt.dst = pkt.conv = CAP_NONE;
  pkt.linktype_idx = cap_recording_linktype_index (self, linktype);
  pkt.flags = s.flags & (CAP_PACKET_TRUNCATED | CAP_PACKET_MALFORMED | CAP_PACKET_FRAGMENT |
                         CAP_PACKET_QUOTED);
  pkt.family = s.family;
  pkt.proto = s.ip_proto;

  if (s.family != 0)
    {
      gboolean ports = (s.flags & CAP_SUMMARY_TRANSPORT) &&
                       (s.ip_proto == IPPROTO_TCP || s.ip_proto == IPPROTO_UDP);
      pkt.src = cap_recording_intern_endpoint (self, s.family, s.src, ports ? s.sport : 0);
      pkt.dst = cap_recording_intern_endpoint (self, s.family, s.dst, ports ? s.dport : 0);
      pkt.icmp_type = s.icmp_type;
      pkt.icmp_code = s.icmp_code;

      if (ports)
        {
          CapConversation *conv;

          pkt.conv = conversation_for (self, &s, pkt.src, pkt.dst, index);
          conv = &g_array_index (self->conversations, CapConversation, pkt.conv);
          pkt.from_b = conv->a != pkt.src;
          pkt.payload_len = s.payload_len;
          pkt.payload_offset = (guint16) MIN (s.payload_offset, G_MAXUINT16);
          conv->last_packet = index;
          conv->n_packets++;
          conv->bytes += s.payload_len;
          if (s.ip_proto == IPPROTO_TCP)
            {
              pkt.seq = s.seq;
              pkt.ack = s.ack;
              pkt.window = s.window;
              pkt.tcp_flags = s.tcp_flags;
              track_tcp (self, conv, &pkt, &s);
            }
        }
    }

  g_array_append_val (self->packets, pkt);
  self->links_dirty = TRUE;
  return index;
}

guint32
cap_recording_add_frame (CapRecording *self,
                         guint32       linktype,
                         gint64        ts_ns,
                         const guint8 *data,
                         guint32       caplen,
                         guint32       len)
{
  guint64 offset;

  g_return_val_if_fail (CAP_IS_RECORDING (self), CAP_NONE);
  g_return_val_if_fail (self->file_fd < 0, CAP_NONE);

  offset = self->arena->len;
  g_byte_array_append (self->arena, data, caplen);
  return cap_recording_add_packet (self, linktype, ts_ns, self->arena->data + offset, caplen, len, offset);
}

/* Calls, actors and the rest */
guint
cap_recording_get_n_packets (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);
  return self->packets->len;
}

const CapPacket *
cap_recording_get_packet (CapRecording *self,
                          guint         index)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  g_return_val_if_fail (index < self->packets->len, NULL);
  return &g_array_index (self->packets, CapPacket, index);
}

/**
 * cap_recording_get_packet_frame:
 * @index: a packet
 *
 * The packet's frame number as Wireshark shows it for the file it came
 * from, counting from 1: the packet's place, plus every frame before it
 * that carried no packet (a pcapng Custom Block, which Wireshark lists).
 */
guint32
cap_recording_get_packet_frame (CapRecording *self,
                                guint         index)
{
  guint lo = 0, hi;

  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);

  /* skips at or before @index: the first entry greater than it */
  hi = self->frame_skips->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (self->frame_skips, guint32, mid) <= index)
        lo = mid + 1;
      else
        hi = mid;
    }
  return index + 1 + lo;
}

guint
cap_recording_get_n_endpoints (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);
  return self->endpoints->len;
}

const CapEndpoint *
cap_recording_get_endpoint (CapRecording *self,
                            guint32       id)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  g_return_val_if_fail (id < self->endpoints->len, NULL);
  return &g_array_index (self->endpoints, CapEndpoint, id);
}

char *
cap_recording_format_endpoint (CapRecording *self,
                               guint32       id)
{
  const CapEndpoint *e;
  char host[INET6_ADDRSTRLEN];

  if (id == CAP_NONE || id >= self->endpoints->len)
    return g_strdup ("?");
  e = &g_array_index (self->endpoints, CapEndpoint, id);
  inet_ntop (e->family == 6 ? AF_INET6 : AF_INET, e->addr, host, sizeof host);
  if (e->port == 0)
    return g_strdup (host);
  return e->family == 6 ? g_strdup_printf ("[%s]:%u", host, e->port)
                        : g_strdup_printf ("%s:%u", host, e->port);
}

guint
cap_recording_get_n_conversations (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);
  return self->conversations->len;
}

const CapConversation *
cap_recording_get_conversation (CapRecording *self,
                                guint32       id)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  g_return_val_if_fail (id < self->conversations->len, NULL);
  return &g_array_index (self->conversations, CapConversation, id);
}

typedef struct
{
  guint32 id;
  guint32 n_packets;
} ConversationRank;

static int
compare_busier (gconstpointer a,
                gconstpointer b)
{
  const ConversationRank *x = a, *y = b;

  if (x->n_packets != y->n_packets)
    return x->n_packets > y->n_packets ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;  /* ties: the first seen */
}

/**
 * cap_recording_rank_conversations:
 * @n_ids: (out): how many: every conversation
 *
 * Returns: (transfer full) (array length=n_ids): conversation ids, the
 *   busiest (most packets) first; of equally busy ones, the first seen first
 */
guint32 *
cap_recording_rank_conversations (CapRecording *self,
                                  guint        *n_ids)
{
  g_autofree ConversationRank *ranks = NULL;
  guint32 *ids;
  guint n;

  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);

  n = self->conversations->len;
  ranks = g_new (ConversationRank, MAX (n, 1));
  ids = g_new (guint32, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    {
      ranks[i].id = i;
      ranks[i].n_packets = g_array_index (self->conversations, CapConversation, i).n_packets;
    }
  qsort (ranks, n, sizeof (ConversationRank), compare_busier);
  for (guint i = 0; i < n; i++)
    ids[i] = ranks[i].id;
  *n_ids = n;
  return ids;
}

static const CapConversation *
packet_conversation (CapRecording    *self,
                     const CapPacket *pkt)
{
  if (pkt->conv == CAP_NONE || pkt->proto != IPPROTO_TCP)
    return NULL;
  return &g_array_index (self->conversations, CapConversation, pkt->conv);
}

guint32
cap_recording_get_relative_seq (CapRecording *self,
                                guint         packet)
{
  const CapPacket *pkt = cap_recording_get_packet (self, packet);
  const CapConversation *conv = packet_conversation (self, pkt);

  return conv ? pkt->seq - conv->isn[pkt->from_b] : pkt->seq;
}

guint32
cap_recording_get_relative_ack (CapRecording *self,
                                guint         packet)
{
  const CapPacket *pkt = cap_recording_get_packet (self, packet);
  const CapConversation *conv = packet_conversation (self, pkt);

  return conv ? pkt->ack - conv->isn[!pkt->from_b] : pkt->ack;
}

guint
cap_recording_find_packet_at (CapRecording *self,
                              gint64        ts)
{
  guint lo = 0, hi;

  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);

  hi = self->packets->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (self->packets, CapPacket, mid).ts < ts)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

guint
cap_recording_find_packet_from (CapRecording *self,
                                gint64        ts,
                                guint         from)
{
  const CapPacket *p;
  guint            n, lo, hi, step = 1;

  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);

  p = (const CapPacket *) self->packets->data;
  n = self->packets->len;
  /* the answer lies at or after @from only if the packet before is earlier */
  if (from > n || (from > 0 && p[from - 1].ts >= ts))
    return cap_recording_find_packet_at (self, ts);
  /* gallop: [lo, hi] holds the first packet at or after ts (n: none) */
  lo = from;
  for (;;)
    {
      hi = lo + step - 1;
      if (hi >= n)
        {
          hi = n;
          break;
        }
      if (p[hi].ts >= ts)
        break;
      lo = hi + 1;
      step *= 2;
    }
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (p[mid].ts < ts)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

