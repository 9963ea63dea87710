/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-recording-correlate-private.h: what the full correlation pass
 * (cap-recording-correlate.c) and the live, incremental one
 * (cap-recording-correlate-live.c) share: the pass's state, kept between
 * commits while a run goes, and the steps both take.
 */
#pragma once

#include "cap-recording-private.h"

#include <sys/socket.h>

G_BEGIN_DECLS

#define SOCKET_KEY(pid, fd) ((((guint64) (guint32) (pid)) << 32) | (guint32) (fd))
#define PAIR_KEY(src, dst)  ((((guint64) (src)) << 32) | (guint32) (dst))
/* A datagram belongs to a call that returned at most this long before it */
#define DATAGRAM_WINDOW_NS  G_GINT64_CONSTANT (1000000000)

enum
{
  STAGE_UNSEEN,
  STAGE_ENTERED,   /* seen in the kernel: on its lane, not linked yet */
  STAGE_RETURNED,  /* linked */
  STAGE_MASK = 3,
  STAGE_RANGED = 4,  /* its byte range waits for late segments */
};

typedef struct
{
  guint32 call;
  gint32  fd;
  guint32 socket;
  guint8  set;  /* NC_SET_READ or NC_SET_WRITE */
} PendingReady;

/* A conversation's data segments in one direction, sorted by their offset in
 * the stream, so the segments of a byte range are found by binary search. */
typedef struct
{
  guint64 begin;   /* relative to the first data byte */
  guint32 len;
  guint32 packet;
} Segment;

/* A live data call's byte range, so a segment that arrives after the call
 * finds it. */
typedef struct
{
  guint64 begin;
  guint64 end;
  guint32 call;
  gint32  fd;
} Range;

typedef struct
{
  GArray  *packets;      /* guint32: the conversation's packets, in order */
  GArray  *dir[2];       /* Segment, by begin */
  guint32  max_len[2];
  GArray  *ranges[2];    /* Range per direction (live only), by begin */
  guint64  max_range[2];
} ConvIndex;

/* The datagrams one port sent or received, in order: a receiver's queue. */
typedef struct
{
  GArray *packets;  /* guint32 */
  guint   cursor;   /* every packet before it is claimed */
  guint   waiting;  /* live: calls that wait for a datagram, in order */
} Queue;

typedef struct
{
  guint32 icmp;
  guint32 datagram;    /* the datagram it quotes, or CAP_NONE */
  guint16 port;        /* the quoted sender's port */
  guint8  linked_send;
  guint8  linked_refused;
} PendingIcmp;

struct _CapCorrelation
{
  CapRecording *self;
  gboolean      live;
  GHashTable   *open;          /* SOCKET_KEY -> socket id + 1 */
  GArray       *ready;         /* PendingReady */
  guint         ready_done;    /* live: entries before it are linked */
  GHashTable   *convs;         /* conv id -> ConvIndex */
  GArray       *claimed_send;  /* guint8 per packet: a datagram already matched to a send */
  GArray       *claimed_recv;
  GHashTable   *send_queues;   /* source port -> Queue */
  GHashTable   *recv_queues;   /* destination port -> Queue */
  Queue        *any_queue;     /* every datagram: for a socket whose address is unknown */
  Queue        *icmp_queue;    /* every ICMP and ICMPv6 packet: for raw sockets */
  GHashTable   *last_datagram; /* PAIR_KEY (src, dst) -> packet + 1 */
  GHashTable   *refused_calls; /* local port -> GArray of calls that failed with ECONNREFUSED */
  GHashTable   *accepted;      /* accept() call id -> the new socket's id + 1 */
  GArray       *sent;          /* guint64 per socket: stream bytes so far */
  GArray       *received;
  GArray       *offset;        /* guint64 per call: where its stream bytes begin */
  GArray       *stage;         /* guint8 per call */
  GArray       *retry;         /* live: guint32 calls that found nothing yet */
  guint         retry_done;
  guint         n_packets_retried; /* live: packets in when retry was last tried early */
  GArray       *icmp;          /* live: PendingIcmp */
  GArray       *inherited;     /* guint32 pairs: a forked child's socket, its parent's copy */
  guint         n_packets;     /* packets indexed */
};

typedef CapCorrelation Pass;

static inline CapSocket *
socket_at (CapRecording *self,
           guint32       id)
{
  return &g_array_index (self->sockets, CapSocket, id);
}

static inline const NcCall *
call_at (CapRecording *self,
         guint32       id)
{
  return &g_array_index (self->calls, NcCall, id);
}

static inline const CapPacket *
packet_at (CapRecording *self,
           guint32       index)
{
  return &g_array_index (self->packets, CapPacket, index);
}

static inline gint64
last_packet_ts (CapRecording *self)
{
  return self->packets->len > 0 ? packet_at (self, self->packets->len - 1)->ts : G_MININT64;
}

static inline void
visit (Pass *pass)
{
  pass->self->correlation_visits++;
}

static inline gboolean
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

static inline guint16
endpoint_port (CapRecording *self,
               guint32       id)
{
  return id == CAP_NONE ? 0 : g_array_index (self->endpoints, CapEndpoint, id).port;
}


static inline gboolean
is_send (NcCallKind kind)
{
  return nc_call_kind_info (kind)->link == NC_CALL_LINK_SEND;
}

static inline gboolean
is_recv (NcCallKind kind)
{
  return nc_call_kind_info (kind)->link == NC_CALL_LINK_RECV;
}


/* cap-recording-correlate.c */
gint      cap_correlate_compare_by_call      (gconstpointer a,
                                              gconstpointer b);
gint      cap_correlate_compare_by_packet    (gconstpointer a,
                                              gconstpointer b);
guint     cap_correlate_lower_bound          (GArray       *array,
                                              gconstpointer key,
                                              GCompareFunc  compare);
void      cap_correlate_add_link             (Pass         *pass,
                                              guint32       call,
                                              guint32       packet,
                                              CapLinkKind   kind,
                                              gint32        fd);
Pass     *cap_correlate_pass_new             (CapRecording *self,
                                              gboolean      live);
void      cap_correlate_grow_calls           (Pass         *pass);
gint      cap_correlate_compare_segments     (gconstpointer a,
                                              gconstpointer b);
Queue    *cap_correlate_queue_for            (Pass         *pass,
                                              GHashTable   *table,
                                              guint16       port);
ConvIndex *cap_correlate_conv_index          (Pass         *pass,
                                              guint32       conv,
                                              gboolean      create);
void      cap_correlate_index_packet         (Pass         *pass,
                                              guint32       p);
gboolean  cap_correlate_link_call            (Pass         *pass,
                                              guint         i,
                                              gboolean      first);
void      cap_correlate_link_ready           (Pass               *pass,
                                              const PendingReady *r);

/* cap-recording-correlate-sockets.c */
guint32   cap_correlate_socket_step          (Pass         *pass,
                                              guint         i,
                                              gboolean      entered);
void      cap_correlate_build_sockets        (Pass         *pass);
void      cap_correlate_map_socket           (Pass         *pass,
                                              CapSocket    *s);
void      cap_correlate_map_sockets          (Pass         *pass);
void      cap_correlate_hand_over_inherited  (Pass         *pass);

/* cap-recording-correlate-stream.c */
gboolean  cap_correlate_is_peek              (const NcCall *call);
void      cap_correlate_assign_offset        (Pass         *pass,
                                              guint         i);
guint     cap_correlate_link_handshake       (Pass         *pass,
                                              const NcCall *call,
                                              CapSocket    *s);
guint     cap_correlate_link_refused_connect (Pass         *pass,
                                              const NcCall *call);
gboolean  cap_correlate_link_stream_call     (Pass         *pass,
                                              const NcCall *call,
                                              CapSocket    *s);

/* cap-recording-correlate-datagram.c */
gboolean  cap_correlate_is_raw_socket        (CapRecording    *self,
                                              const CapSocket *s);
gboolean  cap_correlate_link_raw_call        (Pass         *pass,
                                              const NcCall *call);
gboolean  cap_correlate_link_datagram_call   (Pass         *pass,
                                              const NcCall *call,
                                              CapSocket    *s,
                                              gboolean      first);
void      cap_correlate_note_refused_call    (Pass         *pass,
                                              guint         i);
gboolean  cap_correlate_note_icmp            (Pass         *pass,
                                              guint32       icmp,
                                              PendingIcmp  *out);
gboolean  cap_correlate_link_icmp_to_sender  (Pass              *pass,
                                              const PendingIcmp *e);
gboolean  cap_correlate_link_icmp_refused    (Pass              *pass,
                                              const PendingIcmp *e);
void      cap_correlate_link_icmp            (Pass         *pass);

/* cap-recording-correlate-live.c */
void      cap_correlate_insert_link          (CapRecording  *self,
                                              const CapLink *link);
void      cap_correlate_note_range_once      (Pass         *pass,
                                              const NcCall *call,
                                              CapSocket    *s,
                                              guint         dir,
                                              guint64       begin);
void      cap_correlate_link_late_segment    (Pass          *pass,
                                              ConvIndex     *ci,
                                              guint          dir,
                                              const Segment *seg);

G_END_DECLS
