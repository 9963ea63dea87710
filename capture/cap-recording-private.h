/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-recording-private.h: what the recording's files share: the object
 * (cap-recording.c), packets and endpoints (-packets.c), loading (-load.c),
 * packet bytes (-bytes.c), correlation (-correlate*.c), saving (-save.c)
 * and the text timeline (-text.c). */
#pragma once

#include "cap-recording.h"
#include "cap-reader.h"
#include "cap-event-index-private.h"

#include <sys/stat.h>

G_BEGIN_DECLS

/* An open-addressing table of ids, hashed and compared through the arrays
 * the ids index: no key copies, no per-entry allocation. */
typedef struct
{
  guint32 *slots;  /* id + 1; 0 is empty */
  guint32  mask;
  guint32  used;
} CapIdTable;

/* The comment a saved file has on a packet the lab dropped on purpose */
#define CAP_COMMENT_DROPPED "dropped on purpose by the Socklens lab"

/* An interface the packets were captured on, as the file described it
 * (pcapng's if_name and snaplen): saving writes each again, so a packet
 * keeps its interface's name */
typedef struct
{
  guint32 linktype;
  char   *name;
  guint32 snaplen;  /* 0: not given */
} CapIface;

/* A live run's correlation, kept between commits (cap-recording-correlate.c) */
typedef struct _CapCorrelation CapCorrelation;

struct _CapRecording
{
  GObject      parent_instance;

  char        *scenario;
  char        *title;
  GArray      *ifaces;        /* CapIface */
  GArray      *actors;        /* NcActorInfo */
  GArray      *calls;         /* NcCall, by id */
  /* the calls' earliest start (gate included) and latest end: asked for
   * every frame, computed once per change of the calls */
  gboolean     call_span_valid;
  gint64       calls_start;   /* G_MAXINT64: none */
  gint64       calls_end;
  GArray      *packets;       /* CapPacket */
  GArray      *frame_skips;   /* guint32, ascending: for each frame of the file that is no
                               * packet (a pcapng Custom Block), the packet it came before */
  GArray      *endpoints;     /* CapEndpoint */
  GArray      *conversations; /* CapConversation */
  GArray      *samples;       /* CapSockSample */
  GPtrArray   *messages;      /* char*, with severity in message_severity */
  GArray      *message_severity;  /* guint8 */
  GArray      *console;       /* CapConsoleLine, text owned, in arrival order */
  CapIdTable   endpoint_table;
  CapIdTable   conv_table;
  GArray      *conv_max_end;  /* guint32[2] per conversation: highest relative seq end sent */

  /* Untrusted input: a file's call ids index the calls only where that
   * keeps the array proportional to the calls in it; others are remapped
   * (call_file_id holds each index's id as the file wrote it, G_MAXUINT32 for
   * a gap; call_remap the ids that are not their own index). Its strings
   * live as long as the recording. */
  GArray      *call_file_id;  /* guint32 per call */
  GHashTable  *call_remap;    /* file id -> index + 1, for ids that differ from their index */
  guint32      n_call_records; /* distinct calls added: bounds how far ahead an id may place itself */
  GStringChunk *strings;      /* actor names, roles, hosts, source file names */
  gboolean     times_clamped; /* a time from the input was out of range (said once) */

  /* Packet bytes: in the file they were loaded from (read back on demand
   * through a window, never mapped: a file cut under us must not raise
   * SIGBUS), or in an arena for frames that came from a stream. */
  int          file_fd;       /* -1: packets are in the arena */
  /* a gzip-compressed file's bytes, decompressed into an unlinked file
   * (file_fd) while it loads: the part not written yet (cap-recording-spool.c) */
  GByteArray  *spool;
  guint64      spool_written;
  struct stat  file_stat;     /* the file as it was loaded, to notice a change */
  guint8      *window;        /* bytes [window_start, window_start + window_len) of the file */
  guint64      window_start;
  gsize        window_len;
  gsize        window_size;   /* allocated */
  GError      *data_error;    /* the file changed: its packet bytes cannot be read any more */
  GByteArray  *arena;

  /* A stream being fed */
  CapReader   *reader;
  char        *source_name;   /* the file's name, for messages */
  GArray      *feed_ifaces;   /* guint8 per reader interface: its index in ifaces */
  /* packet index -> GStrv: the comments the file had on a packet (a
   * teacher's notes, Wireshark's), saved with it again */
  GHashTable  *comments;

  /* Derived by cap_recording_correlate (): sockets and links */
  gboolean     links_dirty;
  gboolean     live;          /* fed from a stream not ended yet: correlate what is new */
  CapCorrelation *correlation;
  GArray      *touched_calls; /* guint32: calls added or changed since the last pass */
  guint64      correlation_visits;
  GArray      *sockets;       /* CapSocket */
  GArray      *call_socket;   /* guint32 per call */
  GArray      *links;         /* CapLink, sorted by call */
  GArray      *links_by_packet; /* CapLink, sorted by packet */
  GArray      *call_link_start;   /* guint32 per call + 1: index into links */
  GHashTable  *endpoint_actor;    /* endpoint id -> actor + 1 */
  GHashTable  *port_actor;        /* (family << 16 | port) -> actor + 1, for wildcard binds */
  GHashTable  *conv_end_actor;    /* (conversation << 32 | endpoint) -> actor + 1: a connection's
                                   * own socket, where threads share one listening address */

  /* Derived, growing with each commit: the one event order (cap-event-index.c) */
  CapEventIndex event_index;
};

/* cap-recording.c */
gint64   cap_recording_clamp_time      (CapRecording  *self,
                                        gint64         ts);
void     cap_recording_ensure_links    (CapRecording  *self);
void     cap_recording_ensure_exact_links (CapRecording *self);

/* cap-recording-packets.c */
void     cap_id_table_init             (CapIdTable    *t);
void     cap_id_table_clear            (CapIdTable    *t);
gboolean      cap_recording_spool_open    (CapRecording  *self);
guint64       cap_recording_spool_append  (CapRecording  *self,
                                           const guint8  *data,
                                           guint32        len);
const guint8 *cap_recording_spool_pending (CapRecording  *self,
                                           guint64        offset,
                                           guint32        len);
void          cap_recording_spool_finish  (CapRecording  *self);
guint8   cap_recording_linktype_index  (CapRecording  *self,
                                        guint32        linktype);
guint32  cap_recording_add_packet      (CapRecording  *self,
                                        guint32        linktype,
                                        gint64         ts_ns,
                                        const guint8  *data,
                                        guint32        caplen,
                                        guint32        len,
                                        guint64        offset);
guint32  cap_recording_intern_endpoint (CapRecording  *self,
                                        guint8         family,
                                        const guint8  *addr,
                                        guint16        port);
guint32  cap_recording_lookup_endpoint_text (CapRecording *self,
                                             const char   *text,
                                             gboolean     *wildcard);
guint32  cap_recording_find_conversation (CapRecording *self,
                                          guint8        proto,
                                          guint32       a,
                                          guint32       b);

/* cap-recording-correlate.c */
void     cap_recording_correlate       (CapRecording  *self);
void     cap_recording_correlate_new   (CapRecording  *self);
void     cap_correlation_free          (CapCorrelation *correlation);

G_END_DECLS
