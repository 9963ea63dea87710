/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-pcapng-writer.c: pcapng in native byte order, one section, nanosecond interfaces.
 *
 * Each block is assembled in memory and written with one write_all, so a
 * reader on the other end of a pipe never waits on half a block for long.
 * Socklens records ride in custom options (code 2989) of Interface
 * Statistics Blocks: Wireshark and libpcap carry those silently, and they
 * add no frames, so frame numbers stay the same everywhere.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>

#include "cap-pcapng-writer.h"
#include "cap-atomic-file.h"
#include "cap-reader.h"

#define BT_SHB          0x0A0D0D0Au
#define BT_IDB          0x00000001u
#define BT_ISB          0x00000005u
#define BT_EPB          0x00000006u
#define BOM             0x1A2B3C4Du

#define OPT_ENDOFOPT    0
#define OPT_COMMENT     1
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME     2
#define OPT_IF_TSRESOL  9
#define OPT_CUSTOM_BIN  2989

#define OPTION_MAX      G_MAXUINT16

struct _CapPcapngWriter
{
  GObject        parent_instance;

  GOutputStream *stream;
  GOutputStream *base;       /* path mode: the file's own stream, for fsync */
  char          *path;       /* path mode: where the file goes on close */
  char          *tmp_path;   /* path mode: where it is written meanwhile */
  char          *display;    /* names the output in messages, or NULL */

  GByteArray    *block;
  GByteArray    *pending;    /* buffered mode: whole blocks the caller has not taken */
  guint64        offset;
  guint32        n_ifaces;
  gboolean       shb_written;
  gboolean       closed;
  gboolean       aborted;
  GError        *error;      /* sticky: after a failed write, nothing more is written */
};

enum {
  PROP_0,
  PROP_STREAM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CapPcapngWriter, cap_pcapng_writer, G_TYPE_OBJECT)

static void
cap_pcapng_writer_dispose (GObject *object)
{
  CapPcapngWriter *self = CAP_PCAPNG_WRITER (object);

  /* Never let a file that was not closed properly replace anything. */
  if (!self->closed && self->tmp_path != NULL)
    cap_pcapng_writer_abort (self);

  g_clear_object (&self->stream);
  g_clear_object (&self->base);

  G_OBJECT_CLASS (cap_pcapng_writer_parent_class)->dispose (object);
}

static void
cap_pcapng_writer_finalize (GObject *object)
{
  CapPcapngWriter *self = CAP_PCAPNG_WRITER (object);

  g_free (self->path);
  g_free (self->tmp_path);
  g_free (self->display);
  g_byte_array_unref (self->block);
  g_clear_pointer (&self->pending, g_byte_array_unref);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (cap_pcapng_writer_parent_class)->finalize (object);
}

static void
cap_pcapng_writer_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CapPcapngWriter *self = CAP_PCAPNG_WRITER (object);

  switch (prop_id)
    {
    case PROP_STREAM:
      g_value_set_object (value, self->stream);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cap_pcapng_writer_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CapPcapngWriter *self = CAP_PCAPNG_WRITER (object);

  switch (prop_id)
    {
    case PROP_STREAM:
      g_set_object (&self->stream, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cap_pcapng_writer_class_init (CapPcapngWriterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cap_pcapng_writer_dispose;
  object_class->finalize = cap_pcapng_writer_finalize;
  object_class->get_property = cap_pcapng_writer_get_property;
  object_class->set_property = cap_pcapng_writer_set_property;

  /**
   * CapPcapngWriter:stream:
   *
   * Where the blocks go. Each block is one write, so an unbuffered stream
   * (a pipe) sees every block as soon as it is written.
   */
  properties[PROP_STREAM] =
    g_param_spec_object ("stream", NULL, NULL,
                         G_TYPE_OUTPUT_STREAM,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cap_pcapng_writer_init (CapPcapngWriter *self)
{
  self->block = g_byte_array_sized_new (256);
}

/* --- block assembly --------------------------------------------------- */

static void
put_u16 (GByteArray *b,
         guint16     v)
{
  g_byte_array_append (b, (const guint8 *) &v, sizeof v);
}

static void
put_u32 (GByteArray *b,
         guint32     v)
{
  g_byte_array_append (b, (const guint8 *) &v, sizeof v);
}

static void
put_u64 (GByteArray *b,
         guint64     v)
{
  g_byte_array_append (b, (const guint8 *) &v, sizeof v);
}

static void
put_padding (GByteArray *b)
{
  static const guint8 zeros[4] = { 0 };

  g_byte_array_append (b, zeros, (4 - b->len % 4) % 4);
}

static void
put_option (GByteArray   *b,
            guint16       code,
            const void   *value,
            guint16       len)
{
  put_u16 (b, code);
  put_u16 (b, len);
  if (len > 0)
    g_byte_array_append (b, value, len);
  put_padding (b);
}

static void
put_end_of_options (GByteArray *b)
{
  put_u16 (b, OPT_ENDOFOPT);
  put_u16 (b, 0);
}

static void
begin_block (CapPcapngWriter *self,
             guint32          type)
{
  g_byte_array_set_size (self->block, 0);
  put_u32 (self->block, type);
  put_u32 (self->block, 0);  /* length, filled in by end_block () */
}

static void
end_block (CapPcapngWriter *self)
{
  guint32 total;

  put_padding (self->block);
  total = self->block->len + 4;
  memcpy (self->block->data + 4, &total, sizeof total);
  put_u32 (self->block, total);
}

/* Timestamps are in nanoseconds: every interface says if_tsresol=9. */
static void
put_timestamp (GByteArray *b,
               gint64      ts_ns)
{
  guint64 ts = (guint64) ts_ns;

  put_u32 (b, (guint32) (ts >> 32));
  put_u32 (b, (guint32) (ts & 0xffffffffu));
}

static gboolean
check_usable (CapPcapngWriter  *self,
              GError          **error)
{
  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return FALSE;
    }
  if (self->closed)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED, _("%s%sthe capture writer is closed"),
                   self->display ? self->display : "", self->display ? ": " : "");
      return FALSE;
    }
  return TRUE;
}

/* Remembers @local as the writer's error, naming the output. */
static void
fail_io (CapPcapngWriter  *self,
         GError          **error,
         const char       *what,
         GError           *local)
{
  g_clear_error (&self->error);
  self->error = g_error_new (CAP_FILE_ERROR, CAP_FILE_ERROR_IO, "%s%s%s: %s",
                             self->display ? self->display : "",
                             self->display ? ": " : "",
                             what, local->message);
  g_error_free (local);
  if (error != NULL)
    *error = g_error_copy (self->error);
}

static gboolean
write_block (CapPcapngWriter  *self,
             GError          **error)
{
  GError *local = NULL;

  if (self->pending != NULL)
    g_byte_array_append (self->pending, self->block->data, self->block->len);
  else if (!g_output_stream_write_all (self->stream, self->block->data, self->block->len,
                                       NULL, NULL, &local))
    {
      fail_io (self, error, _("could not write the capture"), local);
      return FALSE;
    }
  self->offset += self->block->len;
  return TRUE;
}

static gboolean
ensure_shb (CapPcapngWriter  *self,
            GError          **error)
{
  static const char userappl[] = "Socklens";

  if (self->shb_written)
    return TRUE;

  begin_block (self, BT_SHB);
  put_u32 (self->block, BOM);
  put_u16 (self->block, 1);       /* major */
  put_u16 (self->block, 0);       /* minor */
  put_u64 (self->block, G_MAXUINT64);  /* section length: not known in advance */
  put_option (self->block, OPT_SHB_USERAPPL, userappl, strlen (userappl));
  put_end_of_options (self->block);
  end_block (self);

  if (!write_block (self, error))
    return FALSE;
  self->shb_written = TRUE;
  return TRUE;
}

/* An option holds at most 64 KiB: cut long text at a character boundary. */
static guint16
utf8_clamp (const char *text,
            gsize       len)
{
  const char *end;

  if (len <= OPTION_MAX)
    return len;
  end = g_utf8_find_prev_char (text, text + OPTION_MAX + 1);
  return end != NULL ? end - text : 0;
}

/* --- public API ------------------------------------------------------ */

/**
 * cap_pcapng_writer_new:
 * @stream: where to write; a pipe, a socket, a memory stream
 *
 * The section header is written with the first interface (or on close).
 *
 * Returns: (transfer full): a writer
 */
CapPcapngWriter *
cap_pcapng_writer_new (GOutputStream *stream)
{
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), NULL);

  return g_object_new (CAP_TYPE_PCAPNG_WRITER, "stream", stream, NULL);
}

/**
 * cap_pcapng_writer_new_buffered:
 *
 * A writer that writes nowhere: its blocks gather in memory, whole, until
 * the caller takes them (cap_pcapng_writer_swap_pending ()) and sends them
 * where it likes, without holding up whoever writes the next block. The
 * lab's stream is made this way: its threads add blocks under a lock, and
 * one thread sends them down the pipe.
 *
 * Returns: (transfer full): a writer
 */
CapPcapngWriter *
cap_pcapng_writer_new_buffered (void)
{
  CapPcapngWriter *self = g_object_new (CAP_TYPE_PCAPNG_WRITER, NULL);

  self->pending = g_byte_array_new ();
  return self;
}

/* Bytes of whole blocks written to a buffered writer and not taken yet */
gsize
cap_pcapng_writer_get_pending_size (CapPcapngWriter *self)
{
  g_return_val_if_fail (CAP_IS_PCAPNG_WRITER (self), 0);
  g_return_val_if_fail (self->pending != NULL, 0);
  return self->pending->len;
}

/**
 * cap_pcapng_writer_swap_pending:
 * @spare: (transfer full): an array to gather the next blocks in (emptied)
 *
 * Takes what a buffered writer gathered: whole blocks, in the order they
 * were written. @spare, emptied, takes its place, so two arrays passed back
 * and forth serve a whole run without reallocating.
 *
 * Returns: (transfer full): the blocks gathered so far
 */
GByteArray *
cap_pcapng_writer_swap_pending (CapPcapngWriter *self,
                                GByteArray      *spare)
{
  GByteArray *ret;

  g_return_val_if_fail (CAP_IS_PCAPNG_WRITER (self), spare);
  g_return_val_if_fail (self->pending != NULL, spare);
  g_return_val_if_fail (spare != NULL, NULL);

  ret = self->pending;
  g_byte_array_set_size (spare, 0);
  self->pending = spare;
  return ret;
}

/**
 * cap_pcapng_writer_new_for_path:
 * @path: the file to create or replace
 *
 * Writes into a hidden temporary file beside @path, which becomes @path only
 * when cap_pcapng_writer_close () succeeds. Until then an existing file is
 * untouched, and a failed or abandoned writer leaves nothing behind.
 * (g_file_replace () would write a new file in place, so it is not used.)
 *
 * Returns: (transfer full): a writer, or %NULL with @error naming @path
 */
CapPcapngWriter *
cap_pcapng_writer_new_for_path (const char  *path,
                                GError     **error)
{
  g_autofree char *tmp = NULL;
  g_autofree char *target = NULL;
  g_autoptr(GOutputStream) raw = NULL;
  CapPcapngWriter *self;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  /* through a symbolic link: its target is replaced, the link stays */
  fd = cap_atomic_file_open_temp (path, &tmp, &target, error);
  if (fd < 0)
    return NULL;

  raw = g_unix_output_stream_new (fd, TRUE);
  self = g_object_new (CAP_TYPE_PCAPNG_WRITER, NULL);
  self->base = g_object_ref (raw);
  self->stream = g_buffered_output_stream_new_sized (raw, 64 * 1024);
  self->path = g_steal_pointer (&target);
  self->tmp_path = g_steal_pointer (&tmp);
  self->display = g_filename_display_name (path);
  return self;
}

/**
 * cap_pcapng_writer_add_interface:
 * @linktype: LINKTYPE_ value, e.g. %CAP_LINKTYPE_ETHERNET
 * @snaplen: the snapshot length, 0 for none
 * @name: (nullable): if_name, e.g. "lo"
 * @out_iface: (out) (optional): the number to pass to write_packet ()
 *
 * Writes an Interface Description Block with nanosecond timestamps.
 */
gboolean
cap_pcapng_writer_add_interface (CapPcapngWriter  *self,
                                 guint32           linktype,
                                 guint32           snaplen,
                                 const char       *name,
                                 guint32          *out_iface,
                                 GError          **error)
{
  const guint8 tsresol = CAP_TSRESOL_NSEC;

  g_return_val_if_fail (CAP_IS_PCAPNG_WRITER (self), FALSE);
  g_return_val_if_fail (linktype <= G_MAXUINT16, FALSE);

  if (!check_usable (self, error) || !ensure_shb (self, error))
    return FALSE;

  begin_block (self, BT_IDB);
  put_u16 (self->block, linktype);
  put_u16 (self->block, 0);
  put_u32 (self->block, snaplen);
  if (name != NULL)
    put_option (self->block, OPT_IF_NAME, name, utf8_clamp (name, strlen (name)));
  put_option (self->block, OPT_IF_TSRESOL, &tsresol, 1);
  put_end_of_options (self->block);
  end_block (self);

  if (!write_block (self, error))
    return FALSE;

  if (out_iface != NULL)
    *out_iface = self->n_ifaces;
  self->n_ifaces++;
  return TRUE;
}

/**
 * cap_pcapng_writer_write_packet:
 * @iface: from add_interface ()
 * @ts_ns: nanoseconds since the epoch, not negative
 * @data: (array length=caplen): the captured bytes
 * @len: the packet's length on the wire, at least @caplen
 * @comments: (nullable) (array zero-terminated=1): opt_comment texts, shown
 *   by Wireshark; each is cut to 64 KiB
 *
 * Writes an Enhanced Packet Block.
 */
gboolean
cap_pcapng_writer_write_packet (CapPcapngWriter   *self,
                                guint32            iface,
                                gint64             ts_ns,
                                const guint8      *data,
                                guint32            caplen,
                                guint32            len,
                                const char *const *comments,
                                GError           **error)
{
  g_return_val_if_fail (CAP_IS_PCAPNG_WRITER (self), FALSE);
  g_return_val_if_fail (data != NULL || caplen == 0, FALSE);
  g_return_val_if_fail (ts_ns >= 0, FALSE);
  g_return_val_if_fail (len >= caplen, FALSE);

  if (!check_usable (self, error))
    return FALSE;
  if (iface >= self->n_ifaces)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("packet for interface %u, but only %u were added"), iface, self->n_ifaces);
      return FALSE;
    }
  if (caplen > CAP_READER_MAX_CAPLEN)
    {
      g_set_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_TOO_LARGE,
                   _("packet of %u captured bytes is larger than the limit of %u"),
                   caplen, CAP_READER_MAX_CAPLEN);
      return FALSE;
    }

  begin_block (self, BT_EPB);
  put_u32 (self->block, iface);
  put_timestamp (self->block, ts_ns);
  put_u32 (self->block, caplen);
  put_u32 (self->block, len);
  if (caplen > 0)
    g_byte_array_append (self->block, data, caplen);
  put_padding (self->block);
  if (comments != NULL && comments[0] != NULL)
    {
      for (guint i = 0; comments[i] != NULL; i++)
        put_option (self->block, OPT_COMMENT, comments[i],
                    utf8_clamp (comments[i], strlen (comments[i])));
      put_end_of_options (self->block);
    }
  end_block (self);

  return write_block (self, error);
}

/**
 * cap_pcapng_writer_write_record:
 * @iface: the interface the record belongs to (any added one)
 * @ts_ns: when it happened, nanoseconds since the epoch
 * @payload: (array length=len): an encoded record, starting with "SOCKLENS"
 *   (see cap-call-codec.h)
 *
 * Writes one Interface Statistics Block carrying one custom option (2989)
 * whose content is the PEN 32473 followed by @payload.
 *
 * Returns: %FALSE if it failed; %CAP_FILE_ERROR_TOO_LARGE (and nothing
 *   written) if the payload does not fit an option
 */
gboolean
cap_pcapng_writer_write_record (CapPcapngWriter  *self,
                                guint32           iface,
                                gint64            ts_ns,
                                const guint8     *payload,
                                gsize             len,
                                GError          **error)
{
  guint32 pen = CAP_SOCKLENS_PEN;

  g_return_val_if_fail (CAP_IS_PCAPNG_WRITER (self), FALSE);
  g_return_val_if_fail (payload != NULL || len == 0, FALSE);
  g_return_val_if_fail (ts_ns >= 0, FALSE);

  if (!check_usable (self, error))
    return FALSE;
  if (iface >= self->n_ifaces)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("record for interface %u, but only %u were added"), iface, self->n_ifaces);
      return FALSE;
    }
  if (len > OPTION_MAX - sizeof pen)
    {
      g_set_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_TOO_LARGE,
                   _("record of %zu bytes does not fit a pcapng option "
                     "(at most %u)"), len, (guint) (OPTION_MAX - sizeof pen));
      return FALSE;
    }

  begin_block (self, BT_ISB);
  put_u32 (self->block, iface);
  put_timestamp (self->block, ts_ns);
  put_u16 (self->block, OPT_CUSTOM_BIN);
  put_u16 (self->block, sizeof pen + len);
  put_u32 (self->block, pen);
  if (len > 0)
    g_byte_array_append (self->block, payload, len);
  put_padding (self->block);
  put_end_of_options (self->block);
  end_block (self);

  return write_block (self, error);
}

/* Pushes buffered blocks out (path mode buffers; a plain stream may too). */
gboolean
cap_pcapng_writer_flush (CapPcapngWriter  *self,
                         GError          **error)
{
  GError *local = NULL;

  g_return_val_if_fail (CAP_IS_PCAPNG_WRITER (self), FALSE);

  if (!check_usable (self, error))
    return FALSE;
  if (self->stream != NULL && !g_output_stream_flush (self->stream, NULL, &local))
    {
      fail_io (self, error, _("could not write the capture"), local);
      return FALSE;
    }
  return TRUE;
}

/**
 * cap_pcapng_writer_close:
 *
 * Writes what is buffered and closes the stream; in path mode, makes the
 * file durable and moves it into place. On failure the temporary file is
 * removed and an existing file at the path is left as it was.
 *
 * Returns: %FALSE with @error naming the file if anything failed
 */
gboolean
cap_pcapng_writer_close (CapPcapngWriter  *self,
                         GError          **error)
{
  GError *local = NULL;

  g_return_val_if_fail (CAP_IS_PCAPNG_WRITER (self), FALSE);

  if (self->closed && self->error == NULL && !self->aborted)
    return TRUE;
  if (self->aborted && self->error == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("%s%sthe capture was abandoned"),
                   self->display ? self->display : "", self->display ? ": " : "");
      return FALSE;
    }
  if (self->error != NULL)
    {
      cap_pcapng_writer_abort (self);
      g_propagate_error (error, g_error_copy (self->error));
      return FALSE;
    }

  /* an empty capture is still a valid file: one section, no interfaces */
  if (!ensure_shb (self, error))
    goto fail;
  if (self->pending != NULL)
    {
      /* buffered: the caller sends what is pending */
      self->closed = TRUE;
      return TRUE;
    }

  if (!g_output_stream_flush (self->stream, NULL, &local))
    {
      fail_io (self, error, _("could not write the capture"), local);
      goto fail;
    }

  if (self->base != NULL
      && fdatasync (g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (self->base))) != 0)
    {
      int saved = errno;

      fail_io (self, error, _("could not write the capture"),
               g_error_new_literal (G_IO_ERROR, g_io_error_from_errno (saved), g_strerror (saved)));
      goto fail;
    }

  if (!g_output_stream_close (self->stream, NULL, &local))
    {
      fail_io (self, error, _("could not close the capture"), local);
      goto fail;
    }

  if (self->tmp_path != NULL && g_rename (self->tmp_path, self->path) != 0)
    {
      int saved = errno;

      fail_io (self, error, _("could not move the capture into place"),
               g_error_new_literal (G_IO_ERROR, g_io_error_from_errno (saved), g_strerror (saved)));
      goto fail;
    }

  g_clear_pointer (&self->tmp_path, g_free);
  self->closed = TRUE;
  return TRUE;

fail:
  cap_pcapng_writer_abort (self);
  return FALSE;
}

/**
 * cap_pcapng_writer_abort:
 *
 * Gives up: closes the stream and, in path mode, removes the temporary file,
 * leaving whatever was at the path before.
 */
void
cap_pcapng_writer_abort (CapPcapngWriter *self)
{
  g_return_if_fail (CAP_IS_PCAPNG_WRITER (self));

  if (self->closed)
    return;
  self->closed = TRUE;
  self->aborted = TRUE;

  if (self->tmp_path != NULL)
    {
      g_autoptr(GCancellable) cancel = g_cancellable_new ();

      /* a cancelled close does not try to flush the (maybe failing) buffer again */
      g_cancellable_cancel (cancel);
      if (self->stream != NULL)
        g_output_stream_close (self->stream, cancel, NULL);
      if (self->base != NULL && !g_output_stream_is_closed (self->base))
        g_output_stream_close (self->base, NULL, NULL);
      g_unlink (self->tmp_path);
      g_clear_pointer (&self->tmp_path, g_free);
    }
}

/* Bytes written (or buffered) so far: the offset the next block starts at. */
guint64
cap_pcapng_writer_get_offset (CapPcapngWriter *self)
{
  g_return_val_if_fail (CAP_IS_PCAPNG_WRITER (self), 0);
  return self->offset;
}

/**
 * cap_pcapng_writer_get_stream:
 *
 * Returns: (transfer none): the stream blocks are written to
 */
GOutputStream *
cap_pcapng_writer_get_stream (CapPcapngWriter *self)
{
  g_return_val_if_fail (CAP_IS_PCAPNG_WRITER (self), NULL);
  return self->stream;
}
