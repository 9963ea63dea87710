/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-cli.h: the command line: socklens list | run | show. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean sl_cli_handles   (int    argc,
                           char **argv);
int      sl_cli_main      (int    argc,
                           char **argv);

G_END_DECLS
