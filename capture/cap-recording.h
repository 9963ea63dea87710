/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-recording.h: one run, or one capture file: calls and packets in time
 * order, TCP/UDP conversations, the sockets that made them, and exact links
 * between calls and packets, followed both ways.
 *
 * Packets are kept as small fixed records (CapPacket); their bytes stay in the
 * file they were loaded from (read back on demand), or in one arena when they
 * arrive from a stream. Not
 * thread-safe: feed and read it from one thread (the main loop in the app).
 */
#pragma once

#include <glib-object.h>

#include "nc-call.h"
#include "nc-recorder.h"
#include "cap-dissect.h"
#include "cap-reader.h"

G_BEGIN_DECLS

#define CAP_NONE G_MAXUINT32  /* "no such id" for endpoints, conversations, sockets */

/* Limits on what a file may claim. Times are clamped into [0, CAP_TIME_MAX]
 * where they enter (2^62 ns, the year 2116), so a sum or difference of two
 * of them never overflows; actor indexes above CAP_ACTORS_MAX are refused. */
#define CAP_TIME_MAX   (G_GINT64_CONSTANT (1) << 62)
#define CAP_ACTORS_MAX 1024

/* An address and port; interned, so ids compare equal when they are equal. */
typedef struct
{
  guint8  family;    /* 4 or 6 (0: other) */
  guint8  addr[16];  /* IPv4 in the first 4 bytes */
  guint16 port;      /* 0 for ICMP */
} CapEndpoint;

typedef enum
{
  CAP_PACKET_TRUNCATED = 1 << 0,  /* as CAP_SUMMARY_TRUNCATED */
  CAP_PACKET_MALFORMED = 1 << 1,
  CAP_PACKET_FRAGMENT  = 1 << 2,
  CAP_PACKET_QUOTED    = 1 << 3,  /* an ICMP error quoting one of our datagrams */
  CAP_PACKET_DROPPED   = 1 << 4,  /* the lab dropped it on purpose (seen by the tap) */
  CAP_PACKET_RETRANSMISSION = 1 << 5,  /* carries stream bytes already sent */
} CapPacketFlags;

/* One captured frame, dissected to what the timeline needs (64 bytes). */
typedef struct
{
  gint64  ts;           /* ns since the epoch */
  guint64 offset;       /* where its bytes are: see cap_recording_get_packet_data () */
  guint32 caplen;
  guint32 len;
  guint32 src;          /* endpoint ids */
  guint32 dst;
  guint32 conv;         /* conversation id or CAP_NONE */
  guint32 seq;          /* TCP, raw */
  guint32 ack;
  guint32 payload_len;  /* transport payload bytes (TCP/UDP), from the IP length */
  guint16 payload_offset;
  guint16 window;       /* raw */
  guint16 iface;
  guint8  family;       /* 0, 4, 6 */
  guint8  proto;        /* IPPROTO_* */
  guint8  tcp_flags;
  guint8  flags;        /* CapPacketFlags */
  guint8  icmp_type;
  guint8  icmp_code;
  guint8  from_b;       /* direction in its conversation: 0 a->b, 1 b->a */
  guint8  linktype_idx; /* index into the recording's interfaces' link types */
} CapPacket;

/* A TCP connection or a UDP flow between two endpoints. @a is whoever sent
 * first (the client for TCP with a SYN). */
typedef struct
{
  guint32 id;
  guint8  proto;
  guint32 a;
  guint32 b;
  guint32 first_packet;
  guint32 last_packet;
  guint32 n_packets;
  guint64 bytes;        /* payload bytes, both ways */
  guint32 isn[2];       /* initial sequence numbers, [0] from a, [1] from b */
  guint8  has_isn[2];
  guint8  syn_seen;
  guint8  fin_seen[2];
  guint8  rst_seen;
} CapConversation;

/* A socket as a lane: from socket() or accept() to close(), in one actor. */
typedef struct
{
  guint32 id;
  guint16 actor;
  gint32  pid;
  gint32  fd;
  guint8  stream;       /* SOCK_STREAM (else datagram or raw) */
  guint8  listening;
  guint32 parent;       /* for accepted sockets: the listening socket's id */
  guint32 first_call;
  guint32 last_call;    /* close(), or the last call so far */
  guint32 local;        /* endpoint ids as the calls reported them, CAP_NONE if unknown */
  guint32 peer;
  guint32 conv;         /* TCP: its connection, once known */
} CapSocket;

typedef enum
{
  CAP_LINK_DATA,       /* send()/recv()/sendto()/recvfrom() <-> the segments of its bytes */
  CAP_LINK_HANDSHAKE,  /* connect()/accept() <-> SYN, SYN/ACK, ACK */
  CAP_LINK_TEARDOWN,   /* close()/shutdown() <-> FIN or RST */
  CAP_LINK_REFUSED,    /* a refused connect() <-> the RST; a failed UDP recv <-> ICMP */
  CAP_LINK_READY,      /* select(): a ready fd <-> the packet that made it ready */
  CAP_LINK_ICMP,       /* sendto() <-> the ICMP error its datagram caused */
} CapLinkKind;

typedef struct
{
  guint32 call;
  guint32 packet;
  guint8  kind;         /* CapLinkKind */
  gint32  fd;           /* for READY: which fd */
} CapLink;

/* A sample of the kernel's socket table in the lab (sock_diag). */
typedef struct
{
  gint64  ts;
  guint32 local;        /* endpoint ids */
  guint32 peer;
  guint8  state;        /* Linux TCP state number */
  guint32 queued_in;
  guint32 queued_out;
} CapSockSample;

typedef enum
{
  CAP_MESSAGE_INFO,
  CAP_MESSAGE_WARNING,
  CAP_MESSAGE_ERROR,
} CapMessageSeverity;

#define CAP_TYPE_RECORDING (cap_recording_get_type ())
G_DECLARE_FINAL_TYPE (CapRecording, cap_recording, CAP, RECORDING, GObject)

CapRecording          *cap_recording_new                (void);

/* Loading. A file that is damaged part way keeps what was read before the
 * damage: the function returns FALSE with @error set, and the packets and
 * calls before it are in the recording. */
CapRecording          *cap_recording_new_from_file      (const char     *path,
                                                         GError        **error);
gboolean               cap_recording_load_file          (CapRecording   *self,
                                                         const char     *path,
                                                         GError        **error);
gboolean               cap_recording_load_file_full     (CapRecording   *self,
                                                         const char     *path,
                                                         GCancellable   *cancellable,
                                                         CapReadProgress progress,
                                                         gpointer        user_data,
                                                         GError        **error);
/* A live stream (the lab's stdout): feed bytes as they come. */
gboolean               cap_recording_feed               (CapRecording   *self,
                                                         const guint8   *data,
                                                         gsize           len,
                                                         GError        **error);
gboolean               cap_recording_finish_feed        (CapRecording   *self,
                                                         GError        **error);

/* Building it directly (in-process runs and tests) */
void                   cap_recording_set_run_info       (CapRecording   *self,
                                                         const char     *scenario,
                                                         const char     *title);
const char            *cap_recording_get_scenario       (CapRecording   *self);
const char            *cap_recording_get_title          (CapRecording   *self);
void                   cap_recording_add_actor          (CapRecording   *self,
                                                         const NcActorInfo *actor);
void                   cap_recording_add_call           (CapRecording   *self,
                                                         const NcCall   *call,
                                                         NcCallPhase     phase);
guint32                cap_recording_add_frame          (CapRecording   *self,
                                                         guint32         linktype,
                                                         gint64          ts_ns,
                                                         const guint8   *data,
                                                         guint32         caplen,
                                                         guint32         len);
void                   cap_recording_mark_dropped       (CapRecording   *self,
                                                         guint32         packet);
void                   cap_recording_add_sock_sample    (CapRecording   *self,
                                                         const CapSockSample *sample);
/* Where a console line came from */
typedef enum
{
  CAP_CONSOLE_STDOUT = 1,
  CAP_CONSOLE_STDERR = 2,
  CAP_CONSOLE_EXIT = 3,  /* the lab's "client.py exited with status 1.", its program's last */
} CapConsoleStream;

/* A line a traced program printed (or how it ended): its program's actor */
typedef struct
{
  gint64      ts;
  guint16     actor;
  guint8      stream;   /* CapConsoleStream */
  const char *text;
} CapConsoleLine;

void                   cap_recording_add_console        (CapRecording   *self,
                                                         gint64          ts,
                                                         guint16         actor,
                                                         guint8          stream,
                                                         const char     *text);
guint                  cap_recording_get_n_console_lines (CapRecording  *self);
const CapConsoleLine  *cap_recording_get_console_line   (CapRecording   *self,
                                                         guint           index);
void                   cap_recording_add_message        (CapRecording   *self,
                                                         CapMessageSeverity severity,
                                                         const char     *text);
/* Tells listeners ("changed") that a batch of additions is complete, and
 * brings links up to date. Feeding and loading call it themselves. */
void                   cap_recording_commit             (CapRecording   *self);

/* Saving: pcapng with calls as records, packets with comments naming their
 * calls; written to a temporary file and renamed into place. */
gboolean               cap_recording_save               (CapRecording   *self,
                                                         const char     *path,
                                                         GError        **error);

/* Reading */
gint64                 cap_recording_get_start_time     (CapRecording   *self);
gint64                 cap_recording_get_end_time       (CapRecording   *self);
guint                  cap_recording_get_n_actors       (CapRecording   *self);
const NcActorInfo     *cap_recording_get_actor          (CapRecording   *self,
                                                         guint           index);
const char            *cap_recording_get_actor_name     (CapRecording   *self,
                                                         guint           index);
guint                  cap_recording_get_n_calls        (CapRecording   *self);
const NcCall          *cap_recording_get_call           (CapRecording   *self,
                                                         guint           id);
guint                  cap_recording_get_n_packets      (CapRecording   *self);
const CapPacket       *cap_recording_get_packet         (CapRecording   *self,
                                                         guint           index);
guint32                cap_recording_get_packet_frame   (CapRecording   *self,
                                                         guint           index);
const guint8          *cap_recording_get_packet_data    (CapRecording   *self,
                                                         guint           index,
                                                         guint32        *caplen);
gboolean               cap_recording_check_packet_data  (CapRecording   *self,
                                                         GError        **error);
guint32                cap_recording_get_packet_linktype (CapRecording  *self,
                                                         guint           index);
gboolean               cap_recording_dissect_packet     (CapRecording   *self,
                                                         guint           index,
                                                         CapSummary     *out);
const CapEndpoint     *cap_recording_get_endpoint       (CapRecording   *self,
                                                         guint32         id);
guint                  cap_recording_get_n_endpoints    (CapRecording   *self);
char                  *cap_recording_format_endpoint    (CapRecording   *self,
                                                         guint32         id);
guint                  cap_recording_get_n_conversations (CapRecording  *self);
const CapConversation *cap_recording_get_conversation   (CapRecording   *self,
                                                         guint32         id);
guint32               *cap_recording_rank_conversations (CapRecording   *self,
                                                         guint          *n_ids);
guint                  cap_recording_get_n_sockets      (CapRecording   *self);
const CapSocket       *cap_recording_get_socket         (CapRecording   *self,
                                                         guint32         id);
guint32                cap_recording_get_call_socket    (CapRecording   *self,
                                                         guint           call);
guint                  cap_recording_get_n_sock_samples (CapRecording   *self);
const CapSockSample   *cap_recording_get_sock_sample    (CapRecording   *self,
                                                         guint           index);
guint                  cap_recording_get_n_messages     (CapRecording   *self);
const char            *cap_recording_get_message        (CapRecording   *self,
                                                         guint           index,
                                                         CapMessageSeverity *severity);
/* Whose packet is it: the actor whose socket sent it, or -1 (a capture without calls) */
gint                   cap_recording_get_packet_actor   (CapRecording   *self,
                                                         guint           packet,
                                                         gboolean        receiver);
/* Relative TCP sequence numbers, as Wireshark shows them */
guint32                cap_recording_get_relative_seq   (CapRecording   *self,
                                                         guint           packet);
guint32                cap_recording_get_relative_ack   (CapRecording   *self,
                                                         guint           packet);

/* Links, both ways. The returned arrays are owned by the recording and valid
 * until the next change. */
const CapLink         *cap_recording_get_call_links     (CapRecording   *self,
                                                         guint           call,
                                                         guint          *n_links);
const CapLink         *cap_recording_get_packet_links   (CapRecording   *self,
                                                         guint           packet,
                                                         guint          *n_links);
guint                  cap_recording_get_n_links        (CapRecording   *self);

/* The index of the first packet/call at or after @ts (binary search) */
guint                  cap_recording_find_packet_at     (CapRecording   *self,
                                                         gint64          ts);
/* The same, searching forward from @from (an earlier answer, for a later
 * @ts): O(log distance), and the packets it reads are near each other,
 * where a search of the whole array reads ~20 far apart. Any @from gives
 * the same answer as cap_recording_find_packet_at (). */
guint                  cap_recording_find_packet_from   (CapRecording   *self,
                                                         gint64          ts,
                                                         guint           from);

/* Text, as `socklens run` and `socklens show` print it */
void                   cap_recording_format_packet      (CapRecording   *self,
                                                         guint           packet,
                                                         GString        *out);
void                   cap_recording_format_timeline    (CapRecording   *self,
                                                         GString        *out);

/* A live run printed as it goes, in the event order (see
 * cap_recording_format_progress ()). */
typedef struct
{
  GArray *printed;          /* guint8 per call: what of it was printed */
  GArray *printed_packets;  /* guint8 per packet */
  guint   next_row;         /* event rows before it are printed */
  guint   serial;           /* event index updates seen */
  guint   n_packets_seen;
  gint64  newest_packet_ts; /* the capture has delivered everything before it */
  guint   n_console;        /* console lines printed so far */
  gint64  t0;               /* the recording's start, as the lines count from it */
} CapTextProgress;

void                   cap_text_progress_init           (CapTextProgress *progress);
void                   cap_text_progress_clear          (CapTextProgress *progress);
void                   cap_recording_format_progress    (CapRecording   *self,
                                                         CapTextProgress *progress,
                                                         GString        *out);
void                   cap_recording_format_progress_end (CapRecording  *self,
                                                         CapTextProgress *progress,
                                                         GString        *out);

const char            *cap_link_kind_name               (CapLinkKind     kind);
/* For tests and benchmarks: the work correlation has done (packets,
 * segments and links looked at), which grows linearly with the recording. */
guint64                cap_recording_get_correlation_visits (CapRecording *self);

G_END_DECLS
