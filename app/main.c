/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c: socklens: the window, or the command line when asked or headless. */

#include "config.h"

#include <glib.h>
#include <locale.h>
#include <stdio.h>

#include "sl-cli.h"

static gboolean
have_display (void)
{
  return g_getenv ("DISPLAY") != NULL || g_getenv ("WAYLAND_DISPLAY") != NULL;
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");

  if (sl_cli_handles (argc, argv) || !have_display ())
    return sl_cli_main (argc, argv);

  /* The window arrives with the ui/ work; until then the command line serves. */
  fprintf (stderr, "socklens: the window is not built yet; running the default scenario.\n");
  return sl_cli_main (1, argv);
}
