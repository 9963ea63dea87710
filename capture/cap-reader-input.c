/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-reader-input.c: where the reader's bytes come from: a file, FIFO or
 * standard input read in chunks, decompressed on the way when it is
 * gzip-compressed (as Wireshark and tcpdump read it), and what to say when
 * it is some other kind of file. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gio/gio.h>
#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cap-reader-private.h"

/* Big enough that a 1 GB file is a thousand reads, small enough to stay in cache. */
#define FEED_CHUNK (1024 * 1024)
#define FEED_CHUNK_MIN 4096

/* A small file gets a buffer of its size: a 1 MiB buffer for every little
 * file cost a quarter of fuzz-show's time in ASan's allocator, and loading
 * many small files (a class's homework) pays the same. */
static gsize
feed_chunk_for (int fd)
{
  struct stat st;

  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_size >= 0 &&
      st.st_size < FEED_CHUNK - 1)
    return MAX ((gsize) st.st_size + 1, FEED_CHUNK_MIN);
  return FEED_CHUNK;
}

/* Other files people take for captures, by their first bytes: what each is,
 * and what to do about it. */
static const struct
{
  const char *magic;
  guint       len;
  const char *what;    /* a name, the same in every language */
  const char *advice;
} foreign_files[] = {
  { "\x1f\x8b", 2, "gzip", N_("decompress it first (gunzip)") },
  { "\x28\xb5\x2f\xfd", 4, "zstd", N_("decompress it first (zstd -d)") },
  { "\x04\x22\x4d\x18", 4, "LZ4", N_("decompress it first (lz4 -d)") },
  { "\xfd" "7zXZ", 5, "xz", N_("decompress it first (xz -d)") },
  { "BZh", 3, "bzip2", N_("decompress it first (bunzip2)") },
  { "PK\x03\x04", 4, "zip", N_("take the capture out of it first (unzip)") },
  { "snoop\0\0\0", 8, "Solaris snoop", N_("convert it first: editcap -F pcapng FILE NEW.pcapng") },
  { "GMBU", 4, "Microsoft Network Monitor", N_("convert it first: editcap -F pcapng FILE NEW.pcapng") },
  { "XCP\0", 4, "NetXray/Sniffer", N_("convert it first: editcap -F pcapng FILE NEW.pcapng") },
};

/* RFC 1952: every gzip member starts with the first row's two bytes. */
static gboolean
is_gzip (const guint8 *p,
         gsize         len)
{
  return len >= 2 && memcmp (p, foreign_files[0].magic, 2) == 0;
}

/* Printable UTF-8 and white space (tshark prints arrows), allowing a
 * character cut at the end of what we have. */
static gboolean
looks_like_text (const guint8 *p,
                 gsize         len)
{
  const char *end = NULL;

  g_utf8_validate_len ((const char *) p, len, &end);
  if (len == 0 || end < (const char *) p + len - MIN (len, 3))
    return FALSE;
  for (const guint8 *q = p; q < (const guint8 *) end; q++)
    if (*q < 0x80 && !g_ascii_isprint (*q) && !g_ascii_isspace (*q))
      return FALSE;
  return TRUE;
}

/**
 * cap_reader_fail_not_capture:
 * @p: (array length=len): the input's first bytes (at least 4)
 *
 * Fails the reader with a message that names what the input is when it is a
 * kind of file people mistake for a capture, and what to do about it.
 */
void
cap_reader_fail_not_capture (CapReader     *self,
                             const guint8  *p,
                             gsize          len,
                             GError       **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (foreign_files); i++)
    if (len >= foreign_files[i].len && memcmp (p, foreign_files[i].magic, foreign_files[i].len) == 0)
      {
        cap_reader_fail (self, error, CAP_FILE_ERROR_FORMAT,
                             _("a %s file, not pcap or pcapng: %s (bytes %02x %02x %02x %02x at byte 0)"),
                             foreign_files[i].what, _(foreign_files[i].advice), p[0], p[1], p[2], p[3]);
        return;
      }

  if (looks_like_text (p, MIN (len, CAP_READER_SNIFF_LEN)))
    cap_reader_fail (self, error, CAP_FILE_ERROR_FORMAT,
                         _("a text file, not a capture (bytes %02x %02x %02x %02x at byte 0): save "
                           "packets with tcpdump -w FILE or tshark -w FILE, not their printed output"),
                         p[0], p[1], p[2], p[3]);
  else
    cap_reader_fail (self, error, CAP_FILE_ERROR_FORMAT,
                         _("not a pcap or pcapng file (magic %02x %02x %02x %02x at byte 0)"),
                         p[0], p[1], p[2], p[3]);
}

/**
 * cap_reader_fd_is_gzip:
 * @fd: a regular file
 *
 * Whether the file is gzip-compressed (its first two bytes say so), so that
 * its frames' offsets refer to the decompressed bytes, not to the file.
 */
gboolean
cap_reader_fd_is_gzip (int fd)
{
  guint8 magic[2];

  return pread (fd, magic, sizeof magic, 0) == sizeof magic && is_gzip (magic, sizeof magic);
}

/* A gzip-compressed input: decompressed with zlib (through GIO) and fed on. */
typedef struct
{
  GConverter *gz;
  guint8     *out;
  gsize       out_size;
  guint64     in_offset;  /* compressed bytes consumed, for messages */
  gboolean    finished;   /* the last member ended exactly at the input's end */
} Inflate;

static void
inflate_fail (CapReader    *self,
              Inflate      *inf,
              const GError *cause,
              GError      **error)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
    cap_reader_fail (self, error, CAP_FILE_ERROR_TRUNCATED,
                         _("the gzip-compressed data ends early, after %" PRIu64
                           " compressed bytes (%" PRIu64 " bytes of capture were read)"),
                         inf->in_offset, self->offset + self->pending->len);
  else
    cap_reader_fail (self, error, CAP_FILE_ERROR_CORRUPT,
                         _("damaged gzip-compressed data at compressed byte %" PRIu64
                           " (%" PRIu64 " bytes of capture were read): %s"),
                         inf->in_offset, self->offset + self->pending->len, cause->message);
}

/* Decompresses @len bytes and feeds what they hold; with @at_end, says the
 * compressed input has ended, which fails if it ends inside a member.
 * Members that follow one another (`cat a.gz b.gz`) are read one after another. */
static gboolean
inflate_feed (CapReader     *self,
              Inflate       *inf,
              const guint8  *in,
              gsize          len,
              gboolean       at_end,
              GError       **error)
{
  if (len > 0)
    inf->finished = FALSE;
  else if (inf->finished)
    return TRUE;

  for (;;)
    {
      g_autoptr(GError) local = NULL;
      gsize nread = 0, nwritten = 0;
      GConverterResult r;

      r = g_converter_convert (inf->gz, in, len, inf->out, inf->out_size,
                               at_end ? G_CONVERTER_INPUT_AT_END : G_CONVERTER_NO_FLAGS,
                               &nread, &nwritten, &local);
      if (r == G_CONVERTER_ERROR)
        {
          if (!at_end && g_error_matches (local, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
            return TRUE;  /* everything given is used up: wait for more */
          inflate_fail (self, inf, local, error);
          return FALSE;
        }

      in += nread;
      len -= nread;
      inf->in_offset += nread;
      if (nwritten > 0 && !cap_reader_feed (self, inf->out, nwritten, error))
        return FALSE;

      if (r == G_CONVERTER_FINISHED)
        {
          g_converter_reset (inf->gz);
          if (len == 0)
            {
              inf->finished = TRUE;
              return TRUE;
            }
        }
      else if (len == 0 && nwritten < inf->out_size && !at_end)
        return TRUE;
    }
}

/* Reads at least two bytes (or to the end), so the first read can tell gzip. */
static gssize
read_start (int     fd,
            guint8 *buf,
            gsize   size)
{
  gsize got = 0;

  while (got < 2)
    {
      gssize n = read (fd, buf + got, size - got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        break;
      got += (gsize) n;
    }
  return (gssize) got;
}

/**
 * cap_reader_feed_fd:
 * @fd: a file, pipe, FIFO or terminal, read from where it stands to its end
 *
 * Feeds everything @fd holds, in chunks. Nothing is mapped: a file cut or
 * rewritten while it is read ends early with an error naming the input (or
 * delivers what was there), never with SIGBUS. A gzip-compressed input
 * (Wireshark and tcpdump read those too) is decompressed on the way; its
 * frames' offsets then count decompressed bytes, and messages say so. Does
 * not call cap_reader_finish () and does not close @fd.
 *
 * Returns: %FALSE on damage or a read error
 */
gboolean
cap_reader_feed_fd (CapReader  *self,
                    int         fd,
                    GError    **error)
{
  return cap_reader_feed_fd_full (self, fd, NULL, NULL, NULL, error);
}

/* cap_reader_feed_fd () that stops with G_IO_ERROR_CANCELLED once
 * @cancellable is, and tells @progress the bytes read from @fd (compressed,
 * for a gzip input: as far as it is through the file) after each chunk */
gboolean
cap_reader_feed_fd_full (CapReader       *self,
                         int              fd,
                         GCancellable    *cancellable,
                         CapReadProgress  progress,
                         gpointer         user_data,
                         GError         **error)
{
  guint64 bytes_read = 0;
  gsize chunk = feed_chunk_for (fd);
  g_autofree guint8 *buf = g_malloc (chunk);
  g_autofree guint8 *out = NULL;
  g_autoptr(GZlibDecompressor) gz = NULL;
  Inflate inf = { 0 };
  gboolean first = self->offset == 0 && self->pending->len == 0;

  g_return_val_if_fail (self != NULL, FALSE);

  for (;;)
    {
      gssize n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      n = first ? read_start (fd, buf, chunk) : read (fd, buf, chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n > 0 && progress != NULL)
        progress (bytes_read += (guint64) n, user_data);
      if (n < 0)
        {
          int saved = errno;

          cap_reader_fail (self, error, CAP_FILE_ERROR_IO, _("could not read at byte %" PRIu64
                             ": %s"), inf.gz != NULL ? inf.in_offset : self->offset + self->pending->len,
                               g_strerror (saved));
          return FALSE;
        }
      if (first && is_gzip (buf, (gsize) n))
        {
          g_autofree char *name = g_strdup_printf (_("%s, decompressed"),
                                                   self->name != NULL ? self->name : _("input"));

          gz = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
          out = g_malloc (FEED_CHUNK);
          inf.gz = G_CONVERTER (gz);
          inf.out = out;
          inf.out_size = FEED_CHUNK;
          cap_reader_set_name (self, name);
        }
      first = FALSE;
      if (inf.gz != NULL)
        {
          if (!inflate_feed (self, &inf, buf, (gsize) n, n == 0, error))
            return FALSE;
          if (n == 0)
            return TRUE;
          continue;
        }
      if (n == 0)
        return TRUE;
      if (!cap_reader_feed (self, buf, (gsize) n, error))
        return FALSE;
    }
}

/**
 * cap_reader_read_file:
 * @path: a .pcap or .pcapng file
 *
 * Reads a whole file (or FIFO, or "-" for standard input) in chunks; frame
 * offsets refer to the file itself. Errors name @path.
 *
 * Returns: %FALSE on damage or I/O failure; frames before it were delivered
 */
gboolean
cap_reader_read_file (const char               *path,
                      const CapReaderCallbacks *callbacks,
                      gpointer                  user_data,
                      GError                  **error)
{
  g_autoptr(CapReader) reader = NULL;
  g_autofree char *display = NULL;
  gboolean ok;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);

  display = g_filename_display_name (path);
  fd = cap_reader_open (path, NULL, error);
  if (fd < 0)
    return FALSE;

  reader = cap_reader_new (callbacks, user_data);
  cap_reader_set_name (reader, display);
  ok = cap_reader_feed_fd (reader, fd, error) && cap_reader_finish (reader, error);
  close (fd);
  return ok;
}

/**
 * cap_reader_open:
 * @path: a file, a FIFO, a character device, or "-" for standard input
 * @st: (out) (optional): what fstat () says about it
 *
 * Opens an input for reading, with the errors a person needs: a folder is
 * named as a folder, a missing file as missing.
 *
 * Returns: a file descriptor to close, or -1 with @error set
 */
int
cap_reader_open (const char   *path,
                 struct stat  *st,
                 GError      **error)
{
  g_autofree char *display = NULL;
  struct stat local;
  int fd, saved;

  g_return_val_if_fail (path != NULL, -1);

  if (st == NULL)
    st = &local;
  if (strcmp (path, "-") == 0)
    fd = fcntl (STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
  else
    fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  saved = errno;
  display = strcmp (path, "-") == 0 ? g_strdup (_("standard input")) : g_filename_display_name (path);
  if (fd < 0)
    {
      g_set_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_IO, _("could not open “%s”: %s"), display,
                   g_strerror (saved));
      return -1;
    }
  if (fstat (fd, st) != 0)
    {
      saved = errno;
      close (fd);
      g_set_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_IO, _("could not read “%s”: %s"), display,
                   g_strerror (saved));
      return -1;
    }
  if (S_ISDIR (st->st_mode))
    {
      close (fd);
      g_set_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_IO,
                   _("“%s” is a folder, not a capture file: name a .pcapng or .pcap file in it"),
                   display);
      return -1;
    }
  return fd;
}
