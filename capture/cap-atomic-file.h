/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-atomic-file.h: files written under a temporary name, renamed into place when complete. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int cap_atomic_file_open_temp (const char  *path,
                               char       **tmp_path,
                               char       **target,
                               GError     **error);

G_END_DECLS
