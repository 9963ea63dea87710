/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c: socklens: the window, or the command line when asked or headless. */

#include "config.h"

#include <glib.h>
#include <stdio.h>

#include "sl-application.h"
#include "sl-cli.h"
#include "nc-i18n.h"

static gboolean
have_display (void)
{
  return g_getenv ("DISPLAY") != NULL || g_getenv ("WAYLAND_DISPLAY") != NULL;
}

int
main (int    argc,
      char **argv)
{
  nc_i18n_init ();

  /* A DISPLAY that cannot be opened (a stale variable over ssh) is headless too. */
  if (sl_cli_handles (argc, argv) || !have_display () || !sl_application_display_works ())
    return sl_cli_main (argc, argv);

  {
    g_autoptr(SlApplication) app = sl_application_new ();
    return g_application_run (G_APPLICATION (app), argc, argv);
  }
}
