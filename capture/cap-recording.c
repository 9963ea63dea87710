/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-recording.c: the recording's storage, loading and reading.
 *
 * A million packets must load in about a second and stay small, so each
 * packet becomes one 64-byte CapPacket, endpoints and conversations are
 * interned through id tables, and packet bytes are not kept: they are read
 * back from the file when asked for (pread through a window; a mapping would
 * turn a file cut under us into SIGBUS). Links between calls and packets are derived (see
 * cap-recording-correlate.c) whenever the content changed.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include "cap-recording-private.h"
#include "cap-call-codec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CapRecording, cap_recording, G_TYPE_OBJECT)

static void
clear_console_line (gpointer data)
{
  g_free ((char *) ((CapConsoleLine *) data)->text);
}

/* Id tables */

typedef guint32 (*IdHashFunc) (CapRecording *self, guint32 id);

static void
id_table_init (CapIdTable *t)
{
  t->mask = 1023;
  t->used = 0;
  t->slots = g_new0 (guint32, t->mask + 1);
}

static void
id_table_clear (CapIdTable *t)
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

/* GObject */

static void
cap_recording_finalize (GObject *object)
{
  CapRecording *self = CAP_RECORDING (object);

  for (guint i = 0; i < self->ifaces->len; i++)
    g_free (g_array_index (self->ifaces, CapIface, i).name);
  g_clear_pointer (&self->ifaces, g_array_unref);
  g_clear_pointer (&self->scenario, g_free);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->actors, g_array_unref);
  g_clear_pointer (&self->calls, g_array_unref);
  g_clear_pointer (&self->packets, g_array_unref);
  g_clear_pointer (&self->endpoints, g_array_unref);
  g_clear_pointer (&self->conversations, g_array_unref);
  g_clear_pointer (&self->conv_max_end, g_array_unref);
  g_clear_pointer (&self->samples, g_array_unref);
  g_clear_pointer (&self->messages, g_ptr_array_unref);
  g_clear_pointer (&self->console, g_array_unref);
  g_clear_pointer (&self->message_severity, g_array_unref);
  if (self->file_fd >= 0)
    close (self->file_fd);
  g_clear_pointer (&self->window, g_free);
  g_clear_error (&self->data_error);
  g_clear_pointer (&self->arena, g_byte_array_unref);
  g_clear_pointer (&self->reader, cap_reader_free);
  g_clear_pointer (&self->source_name, g_free);
  g_clear_pointer (&self->feed_linktypes, g_array_unref);
  g_clear_pointer (&self->sockets, g_array_unref);
  g_clear_pointer (&self->call_socket, g_array_unref);
  g_clear_pointer (&self->links, g_array_unref);
  g_clear_pointer (&self->links_by_packet, g_array_unref);
  g_clear_pointer (&self->call_link_start, g_array_unref);
  g_clear_pointer (&self->correlation, cap_correlation_free);
  g_clear_pointer (&self->touched_calls, g_array_unref);
  g_clear_pointer (&self->endpoint_actor, g_hash_table_unref);
  g_clear_pointer (&self->conv_end_actor, g_hash_table_unref);
  g_clear_pointer (&self->port_actor, g_hash_table_unref);
  g_clear_pointer (&self->call_file_id, g_array_unref);
  g_clear_pointer (&self->call_remap, g_hash_table_unref);
  g_clear_pointer (&self->strings, g_string_chunk_free);
  id_table_clear (&self->endpoint_table);
  id_table_clear (&self->conv_table);
  cap_event_index_clear (&self->event_index);

  G_OBJECT_CLASS (cap_recording_parent_class)->finalize (object);
}

static void
cap_recording_class_init (CapRecordingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cap_recording_finalize;

  /**
   * CapRecording::changed:
   * Calls, packets or anything else were added; links are up to date.
   */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
cap_recording_init (CapRecording *self)
{
  self->ifaces = g_array_new (FALSE, TRUE, sizeof (CapIface));
  self->actors = g_array_new (FALSE, TRUE, sizeof (NcActorInfo));
  self->calls = g_array_new (FALSE, TRUE, sizeof (NcCall));
  self->packets = g_array_new (FALSE, TRUE, sizeof (CapPacket));
  self->endpoints = g_array_new (FALSE, TRUE, sizeof (CapEndpoint));
  self->conversations = g_array_new (FALSE, TRUE, sizeof (CapConversation));
  self->conv_max_end = g_array_new (FALSE, TRUE, sizeof (guint32) * 2);
  self->samples = g_array_new (FALSE, TRUE, sizeof (CapSockSample));
  self->messages = g_ptr_array_new_with_free_func (g_free);
  self->console = g_array_new (FALSE, FALSE, sizeof (CapConsoleLine));
  g_array_set_clear_func (self->console, clear_console_line);
  self->message_severity = g_array_new (FALSE, TRUE, sizeof (guint8));
  self->arena = g_byte_array_new ();
  self->file_fd = -1;
  self->sockets = g_array_new (FALSE, TRUE, sizeof (CapSocket));
  self->call_socket = g_array_new (FALSE, TRUE, sizeof (guint32));
  self->links = g_array_new (FALSE, TRUE, sizeof (CapLink));
  self->links_by_packet = g_array_new (FALSE, TRUE, sizeof (CapLink));
  self->call_link_start = g_array_new (FALSE, TRUE, sizeof (guint32));
  self->touched_calls = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->endpoint_actor = g_hash_table_new (NULL, NULL);
  self->conv_end_actor = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->port_actor = g_hash_table_new (NULL, NULL);
  self->call_file_id = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->call_remap = g_hash_table_new (NULL, NULL);
  self->strings = g_string_chunk_new (4096);
  id_table_init (&self->endpoint_table);
  id_table_init (&self->conv_table);
  cap_event_index_init (&self->event_index);
}

CapRecording *
cap_recording_new (void)
{
  return g_object_new (CAP_TYPE_RECORDING, NULL);
}

/* Values from untrusted input */

/* Times from a file can be anything: clamp them once, here, so that every
 * later sum or difference of two of them is defined. 0 keeps meaning "not
 * yet" for a call's times. */
static gint64
clamp_time (CapRecording *self,
            gint64        ts)
{
  if (ts >= 0 && ts <= CAP_TIME_MAX)
    return ts;
  if (!self->times_clamped)
    {
      self->times_clamped = TRUE;
      cap_recording_add_message (self, CAP_MESSAGE_WARNING,
                                 _("some times were out of range (before 1970 or after 2116) "
                                   "and were moved to the nearest end of it"));
    }
  /* 1, not 0: a call whose time was before 1970 still happened */
  return ts < 0 ? 1 : CAP_TIME_MAX;
}

/* The recording's own copy of a string: it lives as long as the recording,
 * and equal strings share one copy. */
static const char *
own_string (CapRecording *self,
            const char   *text)
{
  return text != NULL ? g_string_chunk_insert_const (self->strings, text) : NULL;
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

guint32
cap_recording_find_conversation (CapRecording *self,
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
        return id;
      i = (i + 1) & t->mask;
    }
  return CAP_NONE;
}

static guint32
conversation_for (CapRecording *self,
                  guint8        proto,
                  guint32       src,
                  guint32       dst,
                  guint32       packet)
{
  guint32 id = cap_recording_find_conversation (self, proto, src, dst);
  CapConversation conv = { 0 };
  guint32 zero[2] = { 0, 0 };

  if (id != CAP_NONE)
    return id;

  conv.id = self->conversations->len;
  conv.proto = proto;
  conv.a = src;
  conv.b = dst;
  conv.first_packet = packet;
  g_array_append_val (self->conversations, conv);
  g_array_append_vals (self->conv_max_end, zero, 1);
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

static guint8
linktype_index (CapRecording *self,
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
static guint32
add_packet (CapRecording *self,
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

  pkt.ts = clamp_time (self, ts_ns);
  pkt.offset = offset;
  pkt.caplen = caplen;
  pkt.len = len;
  pkt.src = pkt.dst = pkt.conv = CAP_NONE;
  pkt.linktype_idx = linktype_index (self, linktype);
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

          pkt.conv = conversation_for (self, s.ip_proto, pkt.src, pkt.dst, index);
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
  return add_packet (self, linktype, ts_ns, self->arena->data + offset, caplen, len, offset);
}

/* Calls, actors and the rest */

void
cap_recording_set_run_info (CapRecording *self,
                            const char   *scenario,
                            const char   *title)
{
  g_return_if_fail (CAP_IS_RECORDING (self));

  g_free (self->scenario);
  self->scenario = g_strdup (scenario);
  g_free (self->title);
  self->title = g_strdup (title);
}

const char *
cap_recording_get_scenario (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  return self->scenario;
}

const char *
cap_recording_get_title (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  return self->title;
}

static void
refuse_actor (CapRecording *self,
              guint         index,
              const char   *what)
{
  g_autofree char *text = g_strdup_printf (_("%s: skipped %s of actor %u (at most %u actors)"),
                                           self->source_name ? self->source_name : _("input"),
                                           what, index, CAP_ACTORS_MAX);
  cap_recording_add_message (self, CAP_MESSAGE_WARNING, text);
}

void
cap_recording_add_actor (CapRecording      *self,
                         const NcActorInfo *actor)
{
  NcActorInfo *slot;

  g_return_if_fail (CAP_IS_RECORDING (self));

  if (actor->index >= CAP_ACTORS_MAX)
    {
      refuse_actor (self, actor->index, _("the description"));
      return;
    }
  if (actor->index >= self->actors->len)
    g_array_set_size (self->actors, actor->index + 1);
  slot = &g_array_index (self->actors, NcActorInfo, actor->index);
  *slot = *actor;
  slot->name = own_string (self, actor->name);
  slot->role = own_string (self, actor->role);
  slot->host = own_string (self, actor->host);
  self->links_dirty = TRUE;
}

/* Where the call a file numbers @file_id is kept, or CAP_NONE if it is new.
 * An id is its own index when it could be (found without a lookup); any
 * other id (a file may write any 32-bit number) is found through call_remap. */
static guint32
call_index_of (CapRecording *self,
               guint32       file_id)
{
  gpointer value;

  if (file_id < self->call_file_id->len &&
      g_array_index (self->call_file_id, guint32, file_id) == file_id)
    return file_id;
  value = g_hash_table_lookup (self->call_remap, GUINT_TO_POINTER (file_id));
  return value != NULL ? GPOINTER_TO_UINT (value) - 1 : CAP_NONE;
}

/* Ids a recorder writes are dense but need not arrive in order (a save
 * writes records by time, and a forked child's calls are numbered late), so
 * an id keeps its number when that leaves at most as many gaps as there are
 * calls, plus CALL_GAP_SLACK: the array then stays proportional to the
 * records really in the file. A farther id (0xffffffff, 0x7fffffff ...), or
 * one whose slot is taken, gets the next free index instead. */
#define CALL_GAP_SLACK 1024
#define CALL_SLOT_FREE G_MAXUINT32  /* call_file_id of a gap */

static guint32
place_new_call (CapRecording *self,
                guint32       file_id)
{
  guint64 bound = 2 * (guint64) self->n_call_records + CALL_GAP_SLACK;
  guint32 len = self->calls->len;
  guint32 index;

  self->n_call_records++;
  if (file_id < bound && file_id < len &&
      g_array_index (self->call_file_id, guint32, file_id) == CALL_SLOT_FREE)
    index = file_id;  /* fills a gap */
  else if (file_id < bound && file_id >= len)
    index = file_id;  /* ahead of the others: the ids between are gaps */
  else
    index = len;
  if (index >= len)
    {
      g_array_set_size (self->calls, index + 1);
      for (guint32 i = len; i <= index; i++)
        {
          guint32 none = CALL_SLOT_FREE;
          g_array_append_val (self->call_file_id, none);
        }
    }
  g_array_index (self->call_file_id, guint32, index) = file_id;
  if (file_id != index)
    g_hash_table_insert (self->call_remap, GUINT_TO_POINTER (file_id),
                         GUINT_TO_POINTER (index + 1));
  return index;
}

/* A call arrives twice: as it enters the kernel, and as it returns. The
 * second replaces the first, so a blocked call shows while it blocks. */
void
cap_recording_add_call (CapRecording *self,
                        const NcCall *call,
                        NcCallPhase   phase)
{
  guint32 index;
  NcCall *slot;

  g_return_if_fail (CAP_IS_RECORDING (self));

  if (call->actor >= CAP_ACTORS_MAX)
    {
      refuse_actor (self, call->actor, _("a call"));
      return;
    }

  index = call_index_of (self, call->id);
  if (index == CAP_NONE)
    index = place_new_call (self, call->id);

  slot = &g_array_index (self->calls, NcCall, index);
  *slot = *call;
  slot->id = index;
  slot->file = own_string (self, call->file);
  slot->stack = own_string (self, call->stack);
  slot->ts_gate = clamp_time (self, call->ts_gate);
  slot->ts_start = clamp_time (self, call->ts_start);
  slot->ts_end = phase == NC_CALL_PHASE_ENTER ? 0 : clamp_time (self, call->ts_end);
  g_array_append_val (self->touched_calls, index);
  self->links_dirty = TRUE;
  self->call_span_valid = FALSE;
  cap_event_index_note_call (&self->event_index, index);
}

void
cap_recording_mark_dropped (CapRecording *self,
                            guint32       packet)
{
  g_return_if_fail (CAP_IS_RECORDING (self));

  if (packet < self->packets->len)
    g_array_index (self->packets, CapPacket, packet).flags |= CAP_PACKET_DROPPED;
}

void
cap_recording_add_sock_sample (CapRecording        *self,
                               const CapSockSample *sample)
{
  CapSockSample copy;

  g_return_if_fail (CAP_IS_RECORDING (self));

  copy = *sample;
  copy.ts = clamp_time (self, sample->ts);
  g_array_append_val (self->samples, copy);
}

void
cap_recording_add_console (CapRecording *self,
                           gint64        ts,
                           guint16       actor,
                           guint8        stream,
                           const char   *text)
{
  CapConsoleLine line = { ts, actor, stream, g_strdup (text ? text : "") };

  g_return_if_fail (CAP_IS_RECORDING (self));
  g_array_append_val (self->console, line);
}

guint
cap_recording_get_n_console_lines (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);
  return self->console->len;
}

const CapConsoleLine *
cap_recording_get_console_line (CapRecording *self,
                                guint         index)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  g_return_val_if_fail (index < self->console->len, NULL);
  return &g_array_index (self->console, CapConsoleLine, index);
}

void
cap_recording_add_message (CapRecording       *self,
                           CapMessageSeverity  severity,
                           const char         *text)
{
  guint8 sev = (guint8) severity;

  g_return_if_fail (CAP_IS_RECORDING (self));

  /* a file's message record may carry no text: an empty message, never NULL */
  g_ptr_array_add (self->messages, g_strdup (text != NULL ? text : ""));
  g_array_append_val (self->message_severity, sev);
}

/* A live stream brings links up to date with what is new; anything else,
 * and the end of a stream, with one full pass. */
static void
ensure_links (CapRecording *self)
{
  if (!self->links_dirty)
    return;
  if (self->live)
    cap_recording_correlate_new (self);
  else
    cap_recording_correlate (self);
}

void
cap_recording_commit (CapRecording *self)
{
  g_return_if_fail (CAP_IS_RECORDING (self));

  ensure_links (self);
  cap_event_index_update (self);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/* For tests and benchmarks: how many packets, segments and links the
 * correlation has looked at since the recording was made. */
guint64
cap_recording_get_correlation_visits (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);
  return self->correlation_visits;
}

/* Reading files and streams: one reader for both. */

static void
on_reader_interface (const CapInterface *iface,
                     gpointer            user_data)
{
  CapRecording *self = user_data;
  guint32 linktype = iface->linktype;

  g_array_append_val (self->feed_linktypes, linktype);
  if (iface->name != NULL)
    {
      guint8 idx = linktype_index (self, linktype);
      CapIface *ci = &g_array_index (self->ifaces, CapIface, idx);
      if (ci->name == NULL)
        ci->name = g_strdup (iface->name);
    }
}

static guint32
frame_linktype (CapRecording *self,
                guint32       iface)
{
  if (iface < self->feed_linktypes->len)
    return g_array_index (self->feed_linktypes, guint32, iface);
  return CAP_LINKTYPE_ETHERNET;
}

static void
on_reader_frame (const CapFrame *frame,
                 gpointer        user_data)
{
  CapRecording *self = user_data;
  guint32 linktype = frame_linktype (self, frame->iface);

  if (self->file_fd >= 0)
    add_packet (self, linktype, frame->ts_ns, frame->data, frame->caplen, frame->len,
                frame->data_offset);
  else
    cap_recording_add_frame (self, linktype, frame->ts_ns, frame->data, frame->caplen,
                             frame->len);
}

static void
add_sock_state (CapRecording       *self,
                const CapSockState *state)
{
  CapSockSample sample = {
    .ts = state->ts_ns,
    .local = cap_recording_lookup_endpoint_text (self, state->local, NULL),
    .peer = cap_recording_lookup_endpoint_text (self, state->peer, NULL),
    .state = state->tcp_state,
    .queued_in = state->inq,
    .queued_out = state->outq,
  };
  cap_recording_add_sock_sample (self, &sample);
}

static void
on_reader_record (const CapRawRecord *raw,
                  gpointer            user_data)
{
  CapRecording *self = user_data;
  g_auto (CapRecord) record = CAP_RECORD_INIT;
  g_autoptr(GError) error = NULL;

  if (!cap_record_decode (raw->payload, raw->len, &record, &error))
    {
      /* A record we cannot read must not cost the user the rest of the file. */
      g_autofree char *text = g_strdup_printf (_("%s: skipped a Socklens record at byte %"
                                                 PRIu64 ": %s"),
                                               self->source_name ? self->source_name : _("stream"),
                                               raw->offset, error->message);
      cap_recording_add_message (self, CAP_MESSAGE_WARNING, text);
      return;
    }

  switch (record.type)
    {
    case CAP_RECORD_RUN:
      cap_recording_set_run_info (self, record.run.scenario, record.run.title);
      break;
    case CAP_RECORD_ACTOR:
      cap_recording_add_actor (self, &record.actor);
      break;
    case CAP_RECORD_CALL_ENTER:
      cap_recording_add_call (self, &record.call, NC_CALL_PHASE_ENTER);
      break;
    case CAP_RECORD_CALL_RETURN:
      cap_recording_add_call (self, &record.call, NC_CALL_PHASE_RETURN);
      break;
    case CAP_RECORD_SOCKSTATE:
      add_sock_state (self, &record.sockstate);
      break;
    case CAP_RECORD_DROP:
      cap_recording_mark_dropped (self, record.drop.packet_index);
      break;
    case CAP_RECORD_MESSAGE:
      cap_recording_add_message (self, (CapMessageSeverity) record.message.severity,
                                 record.message.text);
      break;
    case CAP_RECORD_CONSOLE:
      cap_recording_add_console (self, record.console.ts_ns, record.console.actor,
                                 record.console.stream, record.console.text);
      break;
    case CAP_RECORD_END:
      if (record.end.error != NULL)
        cap_recording_add_message (self, CAP_MESSAGE_ERROR, record.end.error);
      break;
    case CAP_RECORD_NONE:
    default:
      break;
    }
}

static const CapReaderCallbacks reader_callbacks = {
  .interface = on_reader_interface,
  .frame = on_reader_frame,
  .record = on_reader_record,
};

static CapReader *
ensure_reader (CapRecording *self)
{
  if (self->reader == NULL)
    {
      self->reader = cap_reader_new (&reader_callbacks, self);
      if (self->feed_linktypes == NULL)
        self->feed_linktypes = g_array_new (FALSE, FALSE, sizeof (guint32));
    }
  return self->reader;
}

/**
 * cap_recording_load_file:
 * @path: a pcap or pcapng file, a FIFO, or "-" for standard input
 *
 * Reads a capture into an empty recording. A regular file is read in chunks
 * and stays open: packet bytes are read back from it when asked for, so a
 * million packets take no more memory than their records. A FIFO or standard
 * input is read through the streaming path, its packet bytes kept in memory.
 * If the input is damaged, what came before the damage stays loaded and
 * %FALSE is returned with an error naming the file and the byte offset.
 */
gboolean
cap_recording_load_file (CapRecording *self,
                         const char   *path,
                         GError      **error)
{
  g_autofree char *display = NULL;
  CapReader *reader;
  struct stat st;
  gboolean ok;
  int fd;

  g_return_val_if_fail (CAP_IS_RECORDING (self), FALSE);
  g_return_val_if_fail (self->packets->len == 0 && self->file_fd < 0, FALSE);

  fd = cap_reader_open (path, &st, error);
  if (fd < 0)
    return FALSE;
  /* offsets are from where reading starts: a regular file read from its
   * first byte can be read back later; anything else (a pipe, or standard
   * input already partly read, or a gzip-compressed file, whose offsets
   * count decompressed bytes) keeps its packet bytes in the arena */
  if (S_ISREG (st.st_mode) && lseek (fd, 0, SEEK_CUR) == 0 && !cap_reader_fd_is_gzip (fd))
    {
      self->file_fd = fd;
      self->file_stat = st;
      posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }

  reader = ensure_reader (self);
  display = strcmp (path, "-") == 0 ? g_strdup ("standard input") : g_filename_display_basename (path);
  cap_reader_set_name (reader, display);
  g_free (self->source_name);
  self->source_name = g_strdup (display);
  ok = cap_reader_feed_fd (reader, fd, error) && cap_reader_finish (reader, error);
  g_clear_pointer (&self->reader, cap_reader_free);
  if (self->file_fd < 0)
    close (fd);

  cap_recording_commit (self);
  return ok;
}

CapRecording *
cap_recording_new_from_file (const char *path,
                             GError    **error)
{
  g_autoptr(CapRecording) self = cap_recording_new ();

  if (!cap_recording_load_file (self, path, error))
    return NULL;
  return g_steal_pointer (&self);
}

gboolean
cap_recording_feed (CapRecording *self,
                    const guint8 *data,
                    gsize         len,
                    GError      **error)
{
  gboolean ok;

  g_return_val_if_fail (CAP_IS_RECORDING (self), FALSE);
  g_return_val_if_fail (self->file_fd < 0, FALSE);

  self->live = TRUE;
  ok = cap_reader_feed (ensure_reader (self), data, len, error);
  cap_recording_commit (self);
  return ok;
}

gboolean
cap_recording_finish_feed (CapRecording *self,
                           GError      **error)
{
  gboolean ok = TRUE;

  g_return_val_if_fail (CAP_IS_RECORDING (self), FALSE);

  if (self->reader != NULL)
    ok = cap_reader_finish (self->reader, error);
  /* The links of the whole run, exactly as a file of it will have them */
  self->live = FALSE;
  self->links_dirty = TRUE;
  cap_recording_commit (self);
  return ok;
}

/* Reading the recording */

/* One pass over the calls after each change, not one per question: the
 * painter asks for the start and end every frame. */
static void
ensure_call_span (CapRecording *self)
{
  gint64 start = G_MAXINT64, end = 0;

  if (self->call_span_valid)
    return;
  for (guint i = 0; i < self->calls->len; i++)
    {
      const NcCall *call = &g_array_index (self->calls, NcCall, i);
      /* Not only the first: a forked child's calls are numbered late. */
      if (call->ts_start != 0)
        start = MIN (start, call->ts_gate ? call->ts_gate : call->ts_start);
      end = MAX (end, MAX (call->ts_start, call->ts_end));
    }
  self->calls_start = start;
  self->calls_end = end;
  self->call_span_valid = TRUE;
}

gint64
cap_recording_get_start_time (CapRecording *self)
{
  gint64 start = G_MAXINT64;

  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);

  ensure_call_span (self);
  if (self->packets->len > 0)
    start = g_array_index (self->packets, CapPacket, 0).ts;
  start = MIN (start, self->calls_start);
  return start == G_MAXINT64 ? 0 : start;
}

gint64
cap_recording_get_end_time (CapRecording *self)
{
  gint64 end = 0;

  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);

  ensure_call_span (self);
  if (self->packets->len > 0)
    end = g_array_index (self->packets, CapPacket, self->packets->len - 1).ts;
  return MAX (end, self->calls_end);
}

guint
cap_recording_get_n_actors (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);
  return self->actors->len;
}

const NcActorInfo *
cap_recording_get_actor (CapRecording *self,
                         guint         index)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  g_return_val_if_fail (index < self->actors->len, NULL);
  return &g_array_index (self->actors, NcActorInfo, index);
}

/**
 * cap_recording_get_actor_name:
 *
 * Returns: @index's name as every view shows it, "?" when the recording
 *   does not know the actor or its name
 */
const char *
cap_recording_get_actor_name (CapRecording *self,
                              guint         index)
{
  const NcActorInfo *actor;

  g_return_val_if_fail (CAP_IS_RECORDING (self), "?");

  actor = index < self->actors->len ? &g_array_index (self->actors, NcActorInfo, index) : NULL;
  return actor && actor->name ? actor->name : "?";
}

guint
cap_recording_get_n_calls (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);
  return self->calls->len;
}

const NcCall *
cap_recording_get_call (CapRecording *self,
                        guint         id)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  g_return_val_if_fail (id < self->calls->len, NULL);
  return &g_array_index (self->calls, NcCall, id);
}

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

/* Read back at least this much at once, so reading packets in order (the
 * text timeline, a save) costs one pread () per window, not per packet. */
#define WINDOW_MIN (256 * 1024)

static void
set_data_error (CapRecording *self,
                const char   *why)
{
  if (self->data_error == NULL)
    self->data_error = g_error_new (CAP_FILE_ERROR, CAP_FILE_ERROR_IO,
                                    _("“%s” changed after it was opened (%s): its packets "
                                      "can no longer be read; open it again"),
                                    self->source_name ? self->source_name : _("the file"), why);
}

/* Whether the file is still the one that was loaded: same size or longer,
 * not modified since. */
static gboolean
file_unchanged (CapRecording *self)
{
  struct stat now;

  if (fstat (self->file_fd, &now) != 0)
    {
      set_data_error (self, g_strerror (errno));
      return FALSE;
    }
  if (now.st_size < self->file_stat.st_size)
    {
      g_autofree char *why = g_strdup_printf (_("cut from %" PRId64 " to %" PRId64
                                                " bytes"), (gint64) self->file_stat.st_size,
                                              (gint64) now.st_size);
      set_data_error (self, why);
      return FALSE;
    }
  if (now.st_mtim.tv_sec != self->file_stat.st_mtim.tv_sec ||
      now.st_mtim.tv_nsec != self->file_stat.st_mtim.tv_nsec)
    {
      set_data_error (self, _("it was written to"));
      return FALSE;
    }
  return TRUE;
}

/* Bytes [offset, offset + len) of the loaded file, through the window. */
static const guint8 *
file_bytes (CapRecording *self,
            guint64       offset,
            guint32       len)
{
  gsize want, got = 0;

  if (self->window != NULL && offset >= self->window_start &&
      offset - self->window_start <= self->window_len &&
      len <= self->window_len - (offset - self->window_start))
    return self->window + (offset - self->window_start);
  if (self->data_error != NULL || !file_unchanged (self))
    return NULL;

  want = MAX ((gsize) len, WINDOW_MIN);
  if (want > self->window_size)
    {
      self->window = g_realloc (self->window, want);
      self->window_size = want;
    }
  self->window_start = offset;
  self->window_len = 0;
  while (got < want)
    {
      gssize n = pread (self->file_fd, self->window + got, want - got, (off_t) (offset + got));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      got += (gsize) n;
    }
  if (got < len)
    {
      set_data_error (self, _("it ends before its packets do"));
      return NULL;
    }
  self->window_len = got;
  return self->window;
}

/**
 * cap_recording_get_packet_data:
 * @caplen: (out) (optional): the captured length, 0 when the bytes cannot be read
 *
 * Returns: the packet's captured bytes, valid until the next call that reads
 *   packet bytes (this one, cap_recording_dissect_packet ()); %NULL if the
 *   file they were in changed (cap_recording_check_packet_data () says how)
 */
const guint8 *
cap_recording_get_packet_data (CapRecording *self,
                               guint         index,
                               guint32      *caplen)
{
  const CapPacket *pkt;
  const guint8 *data;

  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  g_return_val_if_fail (index < self->packets->len, NULL);

  pkt = &g_array_index (self->packets, CapPacket, index);
  if (self->file_fd < 0)
    data = self->arena->data + pkt->offset;
  else
    data = file_bytes (self, pkt->offset, pkt->caplen);
  if (caplen)
    *caplen = data != NULL ? pkt->caplen : 0;
  return data;
}

/**
 * cap_recording_check_packet_data:
 *
 * Returns: %FALSE, with an error naming the file, if packet bytes could not
 *   be read back because the file changed after it was loaded
 */
gboolean
cap_recording_check_packet_data (CapRecording *self,
                                 GError      **error)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), FALSE);

  if (self->data_error == NULL)
    return TRUE;
  g_propagate_error (error, g_error_copy (self->data_error));
  return FALSE;
}

guint32
cap_recording_get_packet_linktype (CapRecording *self,
                                   guint         index)
{
  const CapPacket *pkt = cap_recording_get_packet (self, index);

  return g_array_index (self->ifaces, CapIface, pkt->linktype_idx).linktype;
}

gboolean
cap_recording_dissect_packet (CapRecording *self,
                              guint         index,
                              CapSummary   *out)
{
  guint32 caplen;
  const guint8 *data = cap_recording_get_packet_data (self, index, &caplen);

  memset (out, 0, sizeof *out);
  if (data == NULL)
    return FALSE;
  return cap_dissect_summary (cap_recording_get_packet_linktype (self, index), data, caplen,
                              cap_recording_get_packet (self, index)->len, out);
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

guint
cap_recording_get_n_sock_samples (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);
  return self->samples->len;
}

const CapSockSample *
cap_recording_get_sock_sample (CapRecording *self,
                               guint         index)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  g_return_val_if_fail (index < self->samples->len, NULL);
  return &g_array_index (self->samples, CapSockSample, index);
}

guint
cap_recording_get_n_messages (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);
  return self->messages->len;
}

const char *
cap_recording_get_message (CapRecording       *self,
                           guint               index,
                           CapMessageSeverity *severity)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  g_return_val_if_fail (index < self->messages->len, NULL);

  if (severity)
    *severity = g_array_index (self->message_severity, guint8, index);
  return g_ptr_array_index (self->messages, index);
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

/* Links and sockets (derived) */

guint
cap_recording_get_n_sockets (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);
  ensure_links (self);
  return self->sockets->len;
}

const CapSocket *
cap_recording_get_socket (CapRecording *self,
                          guint32       id)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  ensure_links (self);
  g_return_val_if_fail (id < self->sockets->len, NULL);
  return &g_array_index (self->sockets, CapSocket, id);
}

guint32
cap_recording_get_call_socket (CapRecording *self,
                               guint         call)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), CAP_NONE);
  ensure_links (self);
  if (call >= self->call_socket->len)
    return CAP_NONE;
  return g_array_index (self->call_socket, guint32, call);
}

guint
cap_recording_get_n_links (CapRecording *self)
{
  g_return_val_if_fail (CAP_IS_RECORDING (self), 0);
  ensure_links (self);
  return self->links->len;
}

const CapLink *
cap_recording_get_call_links (CapRecording *self,
                              guint         call,
                              guint        *n_links)
{
  guint32 start, end;

  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  ensure_links (self);

  *n_links = 0;
  if (call + 1 >= self->call_link_start->len)
    return NULL;
  start = g_array_index (self->call_link_start, guint32, call);
  end = g_array_index (self->call_link_start, guint32, call + 1);
  *n_links = end - start;
  return end > start ? &g_array_index (self->links, CapLink, start) : NULL;
}

const CapLink *
cap_recording_get_packet_links (CapRecording *self,
                                guint         packet,
                                guint        *n_links)
{
  GArray *by_packet;
  guint lo = 0, hi, first;

  g_return_val_if_fail (CAP_IS_RECORDING (self), NULL);
  ensure_links (self);

  by_packet = self->links_by_packet;
  hi = by_packet->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (by_packet, CapLink, mid).packet < packet)
        lo = mid + 1;
      else
        hi = mid;
    }
  first = lo;
  while (lo < by_packet->len && g_array_index (by_packet, CapLink, lo).packet == packet)
    lo++;
  *n_links = lo - first;
  return lo > first ? &g_array_index (by_packet, CapLink, first) : NULL;
}

gint
cap_recording_get_packet_actor (CapRecording *self,
                                guint         packet,
                                gboolean      receiver)
{
  const CapPacket *pkt = cap_recording_get_packet (self, packet);
  guint32 ep = receiver ? pkt->dst : pkt->src;
  gpointer value;

  ensure_links (self);
  if (ep == CAP_NONE)
    return -1;
  if (pkt->conv != CAP_NONE)
    {
      gint64 key = ((gint64) pkt->conv << 32) | ep;
      value = g_hash_table_lookup (self->conv_end_actor, &key);
      if (value != NULL)
        return GPOINTER_TO_INT (value) - 1;
    }
  value = g_hash_table_lookup (self->endpoint_actor, GUINT_TO_POINTER (ep));
  if (value == NULL)
    {
      const CapEndpoint *e = &g_array_index (self->endpoints, CapEndpoint, ep);
      value = g_hash_table_lookup (self->port_actor,
                                   GUINT_TO_POINTER (((guint) e->family << 16) | e->port));
    }
  return value ? GPOINTER_TO_INT (value) - 1 : -1;
}

const char *
cap_link_kind_name (CapLinkKind kind)
{
  switch (kind)
    {
    case CAP_LINK_DATA: return "data";
    case CAP_LINK_HANDSHAKE: return "handshake";
    case CAP_LINK_TEARDOWN: return "teardown";
    case CAP_LINK_REFUSED: return "refused";
    case CAP_LINK_READY: return "ready";
    case CAP_LINK_ICMP: return "icmp";
    default: return "?";
    }
}
