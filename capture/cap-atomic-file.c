/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-atomic-file.c: what the user saved is never lost. An export is
 * written to a hidden temporary file beside its target (same file system, so
 * rename(2) is atomic) and renamed into place only once it is complete; a
 * failure removes the temporary file and leaves the target as it was.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cap-atomic-file.h"
#include "cap-reader.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINKS 40  /* as the kernel's ELOOP limit */

/* @path, or the file it leads to when it is a symbolic link: a chain is
 * followed to its end (a relative link from its own directory); a dangling
 * link leads to the file it names, which the save creates. */
static char *
resolve_target (const char  *path,
                GError     **error)
{
  g_autofree char *current = g_strdup (path);

  for (guint depth = 0; depth < MAX_LINKS; depth++)
    {
      g_autofree char *link = NULL;
      struct stat st;

      if (lstat (current, &st) != 0 || !S_ISLNK (st.st_mode) ||
          (link = g_file_read_link (current, NULL)) == NULL)
        return g_steal_pointer (&current);
      if (g_path_is_absolute (link))
        {
          g_free (current);
          current = g_steal_pointer (&link);
        }
      else
        {
          g_autofree char *dir = g_path_get_dirname (current);

          g_free (current);
          current = g_build_filename (dir, link, NULL);
        }
    }
  {
    g_autofree char *display = g_filename_display_name (path);
    g_set_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_IO,
                 _("%s: could not create the file: %s"), display, g_strerror (ELOOP));
  }
  return NULL;
}

/**
 * cap_atomic_file_open_temp:
 * @path: the file that will be replaced
 * @tmp_path: (out) (transfer full): the temporary file's name, for the
 *   caller to rename to @target when done (or to unlink on failure)
 * @target: (out) (transfer full): the file to rename it to: @path, or, if
 *   @path is a symbolic link, the file it leads to. Editors write through a
 *   link the same way: the link stays, its target gets the new contents.
 *
 * Creates the temporary file beside @target (one file system: the rename is
 * atomic) with the permissions a new file gets (0666 less the umask), or
 * those of the file it will replace.
 * Returns: an open descriptor, or -1 with @error naming @path
 */
int
cap_atomic_file_open_temp (const char  *path,
                           char       **tmp_path,
                           char       **target,
                           GError     **error)
{
  g_autofree char *resolved = resolve_target (path, error);
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp = NULL;
  struct stat st;
  int fd;

  if (resolved == NULL)
    return -1;
  dir = g_path_get_dirname (resolved);
  base = g_path_get_basename (resolved);
  tmp = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_IO, _("%s: could not create the file: %s"),
                   display, g_strerror (saved));
      return -1;
    }

  /* replacing a file keeps its permissions */
  if (stat (resolved, &st) == 0 && S_ISREG (st.st_mode))
    (void) fchmod (fd, st.st_mode & 07777);

  *tmp_path = g_steal_pointer (&tmp);
  *target = g_steal_pointer (&resolved);
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
      return fail_io (path, _("could not write the file"), saved, error);
    }
  if (close (fd) != 0)
    {
      int saved = errno;
      g_unlink (tmp_path);
      return fail_io (path, _("could not write the file"), saved, error);
    }
  if (g_rename (tmp_path, path) != 0)
    {
      int saved = errno;
      g_unlink (tmp_path);
      return fail_io (path, _("could not put the file in place"), saved, error);
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
