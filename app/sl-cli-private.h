/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-cli-private.h: what the command line's commands share. */
#pragma once

#include "cap-recording.h"

G_BEGIN_DECLS

void     sl_cli_print_recording (CapRecording *recording);
gboolean sl_cli_save_recording  (CapRecording *recording,
                                 const char   *path);
gboolean sl_cli_export_diagram  (CapRecording *recording,
                                 const char   *path);
int      sl_cli_trace           (int           argc,
                                 char        **argv);

G_END_DECLS
