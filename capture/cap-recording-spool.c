/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-recording-spool.c: the packet bytes of a gzip-compressed capture,
 * on disk instead of in memory.
 *
 * A compressed file cannot be read back at an offset, so its packets'
 * bytes used to be kept in the arena: 140 MiB for 200,000 packets. They
 * go instead, as they are decompressed, to an unlinked temporary file in
 * the user's cache folder (or the temporary folder), read back through the
 * same window as a plain file's. The last MiB waits in memory until it is
 * written. If the disk refuses it (full, read-only), the bytes move to the
 * arena, as before: nothing is lost, the load goes on.
 */

#include "config.h"

#include "cap-recording-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#define SPOOL_FLUSH (1024 * 1024)

/* An unlinked file in @dir, or -1 */
static int
open_unlinked_in (const char *dir)
{
  if (g_mkdir_with_parents (dir, 0700) != 0)
    return -1;
  return open (dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
}

/**
 * cap_recording_spool_open:
 *
 * Packets added from now on keep their bytes in a temporary file that
 * file_fd reads back. Returns: %FALSE if no such file could be made (the
 * arena keeps them then).
 */
gboolean
cap_recording_spool_open (CapRecording *self)
{
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "socklens", NULL);
  int fd;

  g_return_val_if_fail (self->file_fd < 0 && self->arena->len == 0, FALSE);

  fd = open_unlinked_in (cache);
  if (fd < 0)
    fd = open_unlinked_in (g_get_tmp_dir ());
  if (fd < 0)
    return FALSE;
  self->file_fd = fd;
  self->spool = g_byte_array_sized_new (SPOOL_FLUSH);
  self->spool_written = 0;
  return TRUE;
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         len,
           guint64       offset)
{
  while (len > 0)
    {
      gssize n = pwrite (fd, data, len, (off_t) offset);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
      offset += (guint64) n;
    }
  return TRUE;
}

/* The disk refused: every byte spooled so far goes to the arena, at the
 * same offsets, and the rest follows it there. */
static void
move_to_arena (CapRecording *self)
{
  guint64 done = 0;

  g_byte_array_set_size (self->arena, (guint) self->spool_written);
  while (done < self->spool_written)
    {
      gssize n = pread (self->file_fd, self->arena->data + done, self->spool_written - done,
                        (off_t) done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;  /* cannot happen to a file we wrote; the bytes read as zeros */
      done += (guint64) n;
    }
  g_byte_array_append (self->arena, self->spool->data, self->spool->len);
  close (self->file_fd);
  self->file_fd = -1;
  g_clear_pointer (&self->spool, g_byte_array_unref);
  g_clear_pointer (&self->window, g_free);
  self->window_size = self->window_len = 0;
}

static void
flush (CapRecording *self)
{
  if (self->spool->len == 0)
    return;
  if (!write_all (self->file_fd, self->spool->data, self->spool->len, self->spool_written))
    {
      move_to_arena (self);
      return;
    }
  self->spool_written += self->spool->len;
  g_byte_array_set_size (self->spool, 0);
}

/**
 * cap_recording_spool_append:
 *
 * Keeps @len bytes of a packet. Returns: their offset, in the spool file or
 * (once the disk refused) in the arena; the same numbers either way.
 */
guint64
cap_recording_spool_append (CapRecording *self,
                            const guint8 *data,
                            guint32       len)
{
  guint64 offset;

  if (self->spool == NULL)
    {
      offset = self->arena->len;
      g_byte_array_append (self->arena, data, len);
      return offset;
    }
  offset = self->spool_written + self->spool->len;
  g_byte_array_append (self->spool, data, len);
  if (self->spool->len >= SPOOL_FLUSH)
    flush (self);
  return offset;
}

/**
 * cap_recording_spool_pending:
 *
 * The bytes [@offset, @offset + @len) if they still wait in memory, else
 * %NULL (they are in the file, or there is no spool).
 */
const guint8 *
cap_recording_spool_pending (CapRecording *self,
                             guint64       offset,
                             guint32       len)
{
  if (self->spool == NULL || offset < self->spool_written ||
      offset + len > self->spool_written + self->spool->len)
    return NULL;
  return self->spool->data + (offset - self->spool_written);
}

/**
 * cap_recording_spool_finish:
 *
 * Writes what waits; from now on the spool file is read as a loaded file
 * is (nobody else can write to it: it has no name).
 */
void
cap_recording_spool_finish (CapRecording *self)
{
  if (self->spool == NULL)
    return;
  flush (self);
  if (self->spool == NULL)
    return;  /* moved to the arena */
  g_clear_pointer (&self->spool, g_byte_array_unref);
  if (fstat (self->file_fd, &self->file_stat) != 0)
    memset (&self->file_stat, 0, sizeof self->file_stat);
}
