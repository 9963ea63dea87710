/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-id-set.h: a set of ids (conversations), kept as a sorted GArray of guint32. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean sl_id_set_replace (GArray        **set,
                            const guint32  *ids,
                            guint           n_ids);

G_END_DECLS
