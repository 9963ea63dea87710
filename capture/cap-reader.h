/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-reader.h: one push parser for classic pcap and pcapng, fed bytes as they come. */
#pragma once

#include <gio/gio.h>
#include <sys/stat.h>

G_BEGIN_DECLS

#define CAP_FILE_ERROR (cap_file_error_quark ())

typedef enum
{
  CAP_FILE_ERROR_FORMAT,      /* not pcap/pcapng, or a version we cannot read */
  CAP_FILE_ERROR_TRUNCATED,   /* the input ends inside a header, block or record */
  CAP_FILE_ERROR_CORRUPT,     /* a length, offset or reference is impossible */
  CAP_FILE_ERROR_IO,          /* reading or writing the file failed */
  CAP_FILE_ERROR_UNSUPPORTED, /* well formed, but newer than we know (record type, version) */
  CAP_FILE_ERROR_TOO_LARGE,   /* a value does not fit the format (option > 64 KiB) */
} CapFileError;

GQuark cap_file_error_quark (void);

/* Limits that keep a corrupt length from making us buffer gigabytes. */
#define CAP_READER_MAX_BLOCK   (32u * 1024 * 1024)  /* one pcapng block */
#define CAP_READER_MAX_CAPLEN  (16u * 1024 * 1024)  /* one frame's captured bytes */

/* pcapng if_tsresol values: 10^-6 (the default) and 10^-9 */
#define CAP_TSRESOL_USEC 6
#define CAP_TSRESOL_NSEC 9

/* Private Enterprise Number and magic that mark a Socklens record. */
#define CAP_SOCKLENS_PEN   32473u
#define CAP_SOCKLENS_MAGIC "SOCKLENS"
#define CAP_SOCKLENS_MAGIC_LEN 8

/**
 * CapFrame:
 * @iface: interface number, counted over the whole input in the order the
 *   interfaces were described (pcapng sections each restart their own
 *   numbering in the file; this one does not, as in Wireshark)
 * @linktype: the interface's LINKTYPE_ value (1 = Ethernet)
 * @ts_ns: nanoseconds since the epoch
 * @caplen: bytes captured, available at @data
 * @len: bytes the packet had on the wire
 * @data: the captured bytes; valid during the callback only
 * @data_offset: absolute byte offset of @data in the input stream, so a
 *   consumer reading a file can find the bytes again later
 * @comment: the first opt_comment, NUL-terminated, or %NULL; valid during the callback
 * @comments: every opt_comment in the block's order, %NULL-terminated, or
 *   %NULL if it has none (a teacher's notes, Wireshark's); valid during the callback
 * @index: frame number from 0; Wireshark's frame N is @index + 1. Blocks that
 *   Wireshark lists as frames but that carry no packet (pcapng Custom Blocks,
 *   systemd journal entries) use up an index without a callback, so the
 *   numbering keeps matching Wireshark's.
 */
typedef struct
{
  guint32       iface;
  guint32       linktype;
  gint64        ts_ns;
  guint32       caplen;
  guint32       len;
  const guint8 *data;
  guint64       data_offset;
  const char   *comment;
  const char *const *comments;
  guint32       index;
} CapFrame;

/**
 * CapInterface:
 * @index: the number frames use in #CapFrame.iface
 * @section: which pcapng section (from 0) described it; 0 for classic pcap
 * @section_index: its number inside that section, as the file writes it
 * @linktype: LINKTYPE_ value
 * @snaplen: the snapshot length, 0 if none
 * @tsresol: the raw if_tsresol byte (6 = µs, 9 = ns, high bit set = 2^-n)
 * @tsoffset: if_tsoffset, seconds added to every timestamp
 * @name: if_name or %NULL; valid during the callback
 * @description: if_description or %NULL; valid during the callback
 */
typedef struct
{
  guint32     index;
  guint32     section;
  guint32     section_index;
  guint32     linktype;
  guint32     snaplen;
  guint8      tsresol;
  gint64      tsoffset;
  const char *name;
  const char *description;
} CapInterface;

/**
 * CapRawRecord:
 * @block_type: the pcapng block that carried the option (5 = ISB, 6 = EPB ...)
 * @option_code: 2988, 2989, 19372 or 19373
 * @iface: the block's interface (#CapFrame numbering), or %G_MAXUINT32 if it has none
 * @ts_ns: the block's timestamp, or 0 if it has none
 * @payload: the option's bytes after the PEN, starting with "SOCKLENS";
 *   valid during the callback; decode with cap_record_decode ()
 * @len: bytes at @payload
 * @offset: absolute byte offset of @payload in the input
 */
typedef struct
{
  guint32       block_type;
  guint16       option_code;
  guint32       iface;
  gint64        ts_ns;
  const guint8 *payload;
  gsize         len;
  guint64       offset;
} CapRawRecord;

/**
 * CapReaderCallbacks:
 * @interface: an interface was described (classic pcap: once, from the header)
 * @frame: a packet
 * @record: a Socklens custom option (PEN 32473, magic "SOCKLENS")
 *
 * Any member may be %NULL. Callbacks run inside cap_reader_feed (), in file order.
 */
typedef struct
{
  void (*interface) (const CapInterface *iface,
                     gpointer            user_data);
  void (*frame)     (const CapFrame     *frame,
                     gpointer            user_data);
  void (*record)    (const CapRawRecord *record,
                     gpointer            user_data);
} CapReaderCallbacks;

typedef enum
{
  CAP_READER_FORMAT_UNKNOWN,  /* not enough bytes seen yet */
  CAP_READER_FORMAT_PCAP,
  CAP_READER_FORMAT_PCAPNG,
} CapReaderFormat;

typedef struct _CapReader CapReader;

CapReader       *cap_reader_new         (const CapReaderCallbacks *callbacks,
                                         gpointer                  user_data);
void             cap_reader_free        (CapReader                *reader);
void             cap_reader_set_name    (CapReader                *reader,
                                         const char               *name);
gboolean         cap_reader_feed        (CapReader                *reader,
                                         const guint8             *data,
                                         gsize                     len,
                                         GError                  **error);
gboolean         cap_reader_finish      (CapReader                *reader,
                                         GError                  **error);
CapReaderFormat  cap_reader_get_format  (CapReader                *reader);
guint32          cap_reader_get_n_frames (CapReader               *reader);
guint64          cap_reader_get_offset  (CapReader                *reader);
gboolean         cap_reader_feed_fd     (CapReader                *reader,
                                         int                       fd,
                                         GError                  **error);
/* Bytes read so far, after each chunk (a long load's progress bar) */
typedef void (*CapReadProgress) (guint64 bytes_read, gpointer user_data);
/* The same, stopping with G_IO_ERROR_CANCELLED once @cancellable is */
gboolean         cap_reader_feed_fd_full (CapReader               *reader,
                                         int                       fd,
                                         GCancellable             *cancellable,
                                         CapReadProgress           progress,
                                         gpointer                  user_data,
                                         GError                  **error);
gboolean         cap_reader_fd_is_gzip  (int                       fd);
int              cap_reader_open        (const char               *path,
                                         struct stat              *st,
                                         GError                  **error);
gboolean         cap_reader_read_file   (const char               *path,
                                         const CapReaderCallbacks *callbacks,
                                         gpointer                  user_data,
                                         GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CapReader, cap_reader_free)

G_END_DECLS
