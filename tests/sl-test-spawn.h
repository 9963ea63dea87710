/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-test-spawn.h: what an independent tool prints (tshark, capinfos,
 * pdftotext, the socklens command line) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs @argv (searched in PATH), which must succeed: a failure ends the
 * test with the tool's own words. Returns its standard output. */
char *sl_test_output_of (const char *const *argv);

G_END_DECLS
