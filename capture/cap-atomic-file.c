/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-atomic-file.c: what the user saved is never lost. An export is
 * written to a hidden temporary file beside its target (same file system, so
 * rename(2) is atomic) and renamed into place only once it is complete; a
 * failure removes the temporary file and leaves the target as it was.
 */

#include "config.h"

#include "cap-atomic-file.h"
#include "cap-reader.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

/**
 * cap_atomic_file_open_temp:
 * @path: the file that will be replaced
 * @tmp_path: (out) (transfer full): the temporary file's name, for the
 *   caller to rename to @path when done (or to unlink on failure)
 *
 * Creates the temporary file with the permissions a new file gets (0666
 * less the umask), or those of the file it will replace.
 * Returns: an open descriptor, or -1 with @error naming @path
 */
int
cap_atomic_file_open_temp (const char  *path,
                           char       **tmp_path,
                           GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmp = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  struct stat st;
  int fd;

  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_IO, "%s: could not create the file: %s",
                   display, g_strerror (saved));
      return -1;
    }

  /* replacing a file keeps its permissions */
  if (stat (path, &st) == 0 && S_ISREG (st.st_mode))
    (void) fchmod (fd, st.st_mode & 07777);

  *tmp_path = g_steal_pointer (&tmp);
  return fd;
}

static gboolean
fail_io (const char  *path,
         const char  *what,
         int          err,
         GError     **error)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_IO, "%s: %s: %s", display, what,
               g_strerror (err));
  return FALSE;
}

gboolean
cap_atomic_file_commit (int          fd,
                        const char  *tmp_path,
                        const char  *path,
                        GError     **error)
{
  if (fdatasync (fd) != 0)
    {
      int saved = errno;
      cap_atomic_file_abort (fd, tmp_path);
      return fail_io (path, "could not write the file", saved, error);
    }
  if (close (fd) != 0)
    {
      int saved = errno;
      g_unlink (tmp_path);
      return fail_io (path, "could not write the file", saved, error);
    }
  if (g_rename (tmp_path, path) != 0)
    {
      int saved = errno;
      g_unlink (tmp_path);
      return fail_io (path, "could not put the file in place", saved, error);
    }
  return TRUE;
}

void
cap_atomic_file_abort (int         fd,
                       const char *tmp_path)
{
  if (fd >= 0)
    close (fd);
  g_unlink (tmp_path);
}
