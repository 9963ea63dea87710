/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nc-i18n.c: where the catalogues are, and binding them at start-up. */

#include "config.h"

#include "nc-i18n.h"

#include <glib/gi18n-lib.h>
#include <locale.h>

/* A program running from the build tree reads the catalogues compiled there
 * (as it reads the settings schema there), so `LANG=zh_TW.UTF-8
 * ./build/app/socklens` is translated before anything is installed. */
static gboolean
running_uninstalled (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  return exe != NULL && g_str_has_prefix (exe, BUILD_ROOT "/");
}

/**
 * nc_i18n_localedir:
 * Returns: the directory holding LANG/LC_MESSAGES/GETTEXT_PACKAGE.mo for this
 * program: the build tree's when it runs from there, else LOCALEDIR.
 */
const char *
nc_i18n_localedir (void)
{
  return running_uninstalled () ? BUILD_LOCALEDIR : LOCALEDIR;
}

/**
 * nc_i18n_init:
 * Takes the locale from the environment and binds the project's catalogue
 * as the program's default text domain (GtkBuilder's templates use it).
 */
void
nc_i18n_init (void)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, nc_i18n_localedir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}
