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
                       const char *const *comments)
{
  CapFrame frame;

  frame.iface = iface->global;
  frame.linktype = iface->linktype;
  frame.ts_ns = ts_ns;
  frame.caplen = caplen;
  frame.len = len;
  frame.data = data;
  frame.data_offset = data_offset;
  frame.comments = comments != NULL && comments[0] != NULL ? comments : NULL;
  frame.comment = frame.comments != NULL ? comments[0] : NULL;
  frame.index = self->n_frames++;
  self->last_ts_ns = ts_ns;

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
      else if (avail < CAP_READER_SNIFF_LEN && !self->finishing)
        {
          /* found by fuzz-reader: "a text file" in pieces, "not a pcap" at once */
          *need = CAP_READER_SNIFF_LEN;
          return PARSE_MORE;
        }
      else
        {
          cap_reader_fail_not_capture (self, p, MIN (avail, CAP_READER_SNIFF_LEN), error);
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
  self->comments = g_ptr_array_new_with_free_func (g_free);
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
  g_ptr_array_unref (self->comments);
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
      self->finishing = TRUE;
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
