/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-atomic-file.h: files written under a temporary name, renamed into place when complete. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int      cap_atomic_file_open_temp (const char  *path,
                                    char       **tmp_path,
                                    char       **target,
                                    GError     **error);
/* Flushes and closes @fd, then renames @tmp_path to @path (the @target
 * cap_atomic_file_open_temp () gave); on failure the temporary file is
 * removed and @error names @path. */
gboolean cap_atomic_file_commit    (int          fd,
                                    const char  *tmp_path,
                                    const char  *path,
                                    GError     **error);
/* Closes @fd and removes @tmp_path: nothing was written to @path. */
void     cap_atomic_file_abort     (int          fd,
                                    const char  *tmp_path);

G_END_DECLS
