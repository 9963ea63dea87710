/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nc-format.h: small facts shown as text, written once for every view
 * (the text timeline, the ladder's labels, the inspectors, the lists).
 */
#pragma once

#include <glib.h>

#include "nc-call.h"

G_BEGIN_DECLS

char *nc_format_duration (gint64          ns);
char *nc_format_time     (gint64          ns,
                          gint64          scale,
                          gint64          step);
char *nc_format_time_at  (gint64          ns,
                          gint64          step);
void  nc_format_bytes    (const guint8   *data,
                          gsize           len,
                          gsize           max,
                          GString        *out);
void  nc_format_fd_list  (const NcFdList *list,
                          GString        *out);

G_END_DECLS
