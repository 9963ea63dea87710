/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nc-i18n.h: the translations' start-up, for every executable of the project.
 *
 * Strings are marked the GNOME way. In netcore/, capture/ and ui/ include
 * "config.h" first, then <glib/gi18n-lib.h>: _() looks in GETTEXT_PACKAGE's
 * catalogue whatever the program's default domain is. Static tables mark
 * with N_() and translate where shown, with _(). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void        nc_i18n_init       (void);
const char *nc_i18n_localedir  (void);

G_END_DECLS
