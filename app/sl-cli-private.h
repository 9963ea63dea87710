/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-cli-private.h: what the command line's commands share. */
#pragma once

#include "cap-recording.h"
#include "sl-exporters.h"
#include "netcore.h"

G_BEGIN_DECLS

void     sl_cli_print_recording (CapRecording *recording);
gboolean sl_cli_save_recording  (CapRecording *recording,
                                 const char   *path);
/* --diagram (drawn with --layout, NULL: the default) and --events; each may be NULL */
gboolean sl_cli_export_all      (CapRecording *recording,
                                 const char   *diagram,
                                 const char   *layout_name,
                                 const char   *events);
/* --layout's value is sequence, time or NULL; else says so for COMMAND */
gboolean sl_cli_check_layout    (const char   *command,
                                 const char   *text);
/* --output is .pcapng, --diagram and --events endings the exporter table
 * knows (each may be NULL); else says so for COMMAND, before anything runs */
gboolean sl_cli_check_endings   (const char   *command,
                                 const char   *output,
                                 const char   *diagram,
                                 const char   *events);
/* an option's help WHAT followed by the exporter table's endings for KIND */
char    *sl_cli_export_option_help (SlExportKind kind,
                                    const char  *what);
gboolean sl_cli_run_in_process  (const NcScenario *scenario,
                                 const NcParams   *params,
                                 gboolean          step,
                                 CapRecording    **out_recording,
                                 GError          **error);
int      sl_cli_trace           (int           argc,
                                 char        **argv);

G_END_DECLS
