/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-reader.c: push parser for classic pcap and pcapng: the machinery
 * that feeds units to each format's parser (cap-reader-pcap.c,
 * cap-reader-pcapng.c), keeps a unit split across feeds, and names the input
 * in errors.
 *
 * The parser works on one unit at a time (file header, pcap record or pcapng
 * block) at the current stream offset. A unit is parsed straight from the
 * caller's bytes when they hold all of it, so a file read in large chunks
 * is parsed without a copy; only a unit split across two feeds is gathered in
 * @pending, and only up to its own end. Every length read from the input is
 * checked against what is really there before it is used.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cap-reader-private.h"

G_DEFINE_QUARK (cap-file-error-quark, cap_file_error)

/* Records the error (the reader stays failed) and names the input. */
void
cap_reader_fail (CapReader  *self,
             GError    **error,
             int         code,
             const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_clear_error (&self->error);
  if (self->name != NULL)
    self->error = g_error_new (CAP_FILE_ERROR, code, "%s: %s", self->name, message);
  else
    self->error = g_error_new_literal (CAP_FILE_ERROR, code, message);

  if (error != NULL)
    *error = g_error_copy (self->error);
}

void
cap_reader_emit_frame (CapReader         *self,
            const ReaderIface *iface,
            gint64             ts_ns,
            const guint8      *data,
            guint32            caplen,
            guint32            len,
            guint64            data_offset,
            const char        *comment)
{
  CapFrame frame;

  frame.iface = iface->global;
  frame.linktype = iface->linktype;
  frame.ts_ns = ts_ns;
  frame.caplen = caplen;
  frame.len = len;
  frame.data = data;
  frame.data_offset = data_offset;
  frame.comment = comment;
  frame.index = self->n_frames++;

  if (self->callbacks.frame != NULL)
    self->callbacks.frame (&frame, self->user_data);
}

/* --- the push machinery ---------------------------------------------------- */

static ParseResult
parse_one (CapReader     *self,
           const guint8  *p,
           gsize          avail,
           gsize         *need,
           GError       **error)
{
  if (self->format == CAP_READER_FORMAT_UNKNOWN)
    {
      guint32 magic;

      self->pending_what = N_("file header");
      *need = 4;
      if (avail < 4)
        return PARSE_MORE;

      magic = get_u32 (p, FALSE);
      if (cap_reader_pcap_is_magic (magic))
        self->format = CAP_READER_FORMAT_PCAP;
      else if (magic == PCAPNG_BT_SHB)
        self->format = CAP_READER_FORMAT_PCAPNG;
      else
        {
          cap_reader_fail (self, error, CAP_FILE_ERROR_FORMAT,
                       _("not a pcap or pcapng file (magic %02x %02x %02x %02x at byte 0)"),
                       p[0], p[1], p[2], p[3]);
          return PARSE_ERROR;
        }
    }

  if (self->format == CAP_READER_FORMAT_PCAP)
    {
      if (!self->header_done)
        return cap_reader_parse_pcap_header (self, p, avail, need, error);
      return cap_reader_parse_pcap_record (self, p, avail, need, error);
    }

  return cap_reader_parse_pcapng_block (self, p, avail, need, error);
}

/**
 * cap_reader_new:
 * @callbacks: what to call for interfaces, frames and records (copied)
 * @user_data: passed to the callbacks
 *
 * Returns: (transfer full): a reader waiting for its first bytes
 */
CapReader *
cap_reader_new (const CapReaderCallbacks *callbacks,
                gpointer                  user_data)
{
  CapReader *self = g_new0 (CapReader, 1);

  if (callbacks != NULL)
    self->callbacks = *callbacks;
  self->user_data = user_data;
  self->ifaces = g_array_new (FALSE, FALSE, sizeof (ReaderIface));
  self->options = g_array_new (FALSE, FALSE, sizeof (ReaderOption));
  self->pending = g_byte_array_new ();
  self->comment = g_string_new (NULL);
  self->text1 = g_string_new (NULL);
  self->text2 = g_string_new (NULL);
  self->pending_what = N_("file header");
  return self;
}

void
cap_reader_free (CapReader *self)
{
  if (self == NULL)
    return;

  g_array_unref (self->ifaces);
  g_array_unref (self->options);
  g_byte_array_unref (self->pending);
  g_string_free (self->comment, TRUE);
  g_string_free (self->text1, TRUE);
  g_string_free (self->text2, TRUE);
  g_clear_error (&self->error);
  g_free (self->name);
  g_free (self);
}

/**
 * cap_reader_set_name:
 * @name: (nullable): how error messages name the input, e.g. "run.pcapng"
 */
void
cap_reader_set_name (CapReader  *self,
                     const char *name)
{
  g_return_if_fail (self != NULL);

  g_free (self->name);
  self->name = g_strdup (name);
}

/**
 * cap_reader_feed:
 * @data: (array length=len): the next bytes of the input
 *
 * Parses every complete unit in @data (after whatever was left over from the
 * previous call) and calls back for each; a partial unit at the end is kept.
 * Callbacks see pointers into @data when a unit lies wholly inside it.
 *
 * Returns: %FALSE if the input is damaged; frames before the damage have
 *   been delivered, and every later call fails the same way
 */
gboolean
cap_reader_feed (CapReader     *self,
                 const guint8  *data,
                 gsize          len,
                 GError       **error)
{
  gsize need;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return FALSE;
    }

  /* First finish a unit split across feeds, taking only the bytes it needs,
   * so everything after it is parsed in place. */
  while (self->pending->len > 0)
    {
      ParseResult r = parse_one (self, self->pending->data, self->pending->len, &need, error);

      if (r == PARSE_ERROR)
        return FALSE;
      if (r == PARSE_DONE)
        {
          g_assert (need > 0 && need <= self->pending->len);
          g_byte_array_remove_range (self->pending, 0, need);
          self->offset += need;
          continue;
        }

      g_assert (need > self->pending->len);
      if (len == 0)
        return TRUE;
      {
        gsize take = MIN (need - self->pending->len, len);

        g_byte_array_append (self->pending, data, take);
        data += take;
        len -= take;
      }
    }

  while (len > 0)
    {
      ParseResult r = parse_one (self, data, len, &need, error);

      if (r == PARSE_ERROR)
        return FALSE;
      if (r == PARSE_MORE)
        {
          /* need is bounded by the block and caplen limits, so this is too */
          g_assert (need > len);
          g_byte_array_append (self->pending, data, len);
          return TRUE;
        }

      g_assert (need > 0 && need <= len);
      data += need;
      len -= need;
      self->offset += need;
    }

  return TRUE;
}

/**
 * cap_reader_finish:
 *
 * Says the input has ended.
 *
 * Returns: %FALSE if it ended inside a unit (or had no header at all)
 */
gboolean
cap_reader_finish (CapReader  *self,
                   GError    **error)
{
  gsize need = 0;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return FALSE;
    }

  if (self->format == CAP_READER_FORMAT_UNKNOWN && self->pending->len == 0)
    {
      cap_reader_fail (self, error, CAP_FILE_ERROR_TRUNCATED,
                   _("empty: no pcap or pcapng header at byte 0"));
      return FALSE;
    }

  if (self->pending->len == 0 && self->format == CAP_READER_FORMAT_PCAP && !self->header_done)
    need = CAP_READER_PCAP_HEADER_LEN;
  else if (self->pending->len > 0)
    {
      if (parse_one (self, self->pending->data, self->pending->len, &need, error) == PARSE_ERROR)
        return FALSE;
    }

  if (need > self->pending->len)
    {
      cap_reader_fail (self, error, CAP_FILE_ERROR_TRUNCATED,
                   _("truncated %s at byte %" PRIu64
                     " (expected %zu bytes, %u left)"),
                   _(self->pending_what), self->offset, need, self->pending->len);
      return FALSE;
    }

  return TRUE;
}

CapReaderFormat
cap_reader_get_format (CapReader *self)
{
  g_return_val_if_fail (self != NULL, CAP_READER_FORMAT_UNKNOWN);
  return self->format;
}

/* Frame numbers used so far (including frameless blocks Wireshark counts). */
guint32
cap_reader_get_n_frames (CapReader *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_frames;
}

/* Stream offset of the first byte not yet parsed. */
guint64
cap_reader_get_offset (CapReader *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->offset;
}

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

/**
 * cap_reader_feed_fd:
 * @fd: a file, pipe, FIFO or terminal, read from where it stands to its end
 *
 * Feeds everything @fd holds, in chunks. Nothing is mapped: a file cut or
 * rewritten while it is read ends early with an error naming the input (or
 * delivers what was there), never with SIGBUS. Does not call
 * cap_reader_finish () and does not close @fd.
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

gboolean
cap_reader_feed_fd_full (CapReader       *self,
                         int              fd,
                         GCancellable    *cancellable,
                         CapReadProgress  progress,
                         gpointer         user_data,
                         GError         **error)
{
  gsize chunk = feed_chunk_for (fd);
  g_autofree guint8 *buf = g_malloc (chunk);
  guint64 bytes_read = 0;

  g_return_val_if_fail (self != NULL, FALSE);

  for (;;)
    {
      gssize n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      n = read (fd, buf, chunk);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          cap_reader_fail (self, error, CAP_FILE_ERROR_IO, _("could not read at byte %" PRIu64
                         ": %s"), self->offset + self->pending->len, g_strerror (saved));
          return FALSE;
        }
      if (n == 0)
        return TRUE;
      if (!cap_reader_feed (self, buf, (gsize) n, error))
        return FALSE;
      bytes_read += (guint64) n;
      if (progress != NULL)
        progress (bytes_read, user_data);
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
