/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-cli-trace.c: socklens trace [--step] [--output FILE] [--diagram FILE]
 *                 [--layout LAYOUT] [--events FILE.csv|.json] [--timeout S]
 *                 PROGRAM...
 *
 * Runs the programs in the lab, traced (app/sl-lab-trace.c), and prints the
 * timeline: each call with its FILE:LINE, the packets, and what each program
 * printed, under its name.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <glib/gstdio.h>
#include <stdio.h>

#include "sl-cli-private.h"
#include "sl-exit.h"
#include "cap-lab.h"
#include "netcore.h"

#define DEFAULT_TIMEOUT_S 60

int
sl_cli_trace (int    argc,
              char **argv)
{
  gboolean step = FALSE;
  int timeout = DEFAULT_TIMEOUT_S;
  g_autofree char *output = NULL;
  g_autofree char *diagram = NULL;
  g_autofree char *layout_name = NULL;
  g_autofree char *events = NULL;
  g_autofree char *example_name = NULL;
  g_auto (GStrv) example_paths = NULL;
  g_autofree char *diagram_help = sl_cli_export_option_help (SL_EXPORT_DIAGRAM,
                                                             _("Draw the timeline as a diagram"));
  g_autofree char *events_help = sl_cli_export_option_help (SL_EXPORT_EVENTS,
                                                            _("Write every event as data"));
  GOptionEntry entries[] = {
    { "example", 'e', 0, G_OPTION_ARG_STRING, &example_name,
      N_("Run one of the lecture's examples (socklens list shows them)"), N_("NAME") },
    { "step", 's', 0, G_OPTION_ARG_NONE, &step,
      N_("Hold each of your programs' calls until Enter is pressed"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Save the run as pcapng (Wireshark opens it, calls as packet comments)"), N_("FILE") },
    { "diagram", 'd', 0, G_OPTION_ARG_FILENAME, &diagram, diagram_help, N_("FILE") },
    { "layout", 0, 0, G_OPTION_ARG_STRING, &layout_name,
      N_("The diagram's axis: sequence (a row per event, the default) or time"), N_("LAYOUT") },
    { "events", 0, 0, G_OPTION_ARG_FILENAME, &events, events_help, N_("FILE") },
    { "timeout", 't', 0, G_OPTION_ARG_INT, &timeout,
      N_("Stop after this many seconds, keeping what was recorded (default 60; 0: no limit)"), N_("S") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("PROGRAM... - run your programs traced"));
  g_autoptr(GError) error = NULL;
  g_autoptr(CapRecording) recording = NULL;
  g_autofree char *stream_path = NULL;
  gboolean ok, interrupted = FALSE;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Runs your own socket programs in the Socklens lab (a private "
                                "network namespace: nothing leaves it, no root needed) and prints "
                                "every socket call with its FILE:LINE beside the packets.\n"
                                "Each PROGRAM is a .py file (run with python3), an executable, or "
                                "a quoted command line (\"python3 client.py 127.0.0.1\"). They "
                                "start in order: each next one once the one before is waiting in "
                                "a socket call (a server in accept()) or has ended.\n"
                                "A program has no keyboard: what input() reads comes from a file "
                                "named after “<” (\"client.py < lines.txt\")."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, _("socklens trace: %s\n"), error->message);
      return SL_EXIT_USAGE;
    }
  if (example_name != NULL)
    {
      const NcExample *example = nc_example_lookup (example_name);

      if (example == NULL || argc > 1)
        {
          fprintf (stderr, example == NULL ? _("socklens trace: no example named “%s”; "
                                               "“socklens list” shows them\n")
                                           : _("socklens trace: --example %s, or programs; not "
                                               "both\n"), example_name);
          return SL_EXIT_USAGE;
        }
      example_paths = nc_example_paths (example);
    }
  else if (argc < 2)
    {
      fprintf (stderr, _("socklens trace: which programs? e.g. socklens trace server.py client.py\n"));
      return SL_EXIT_USAGE;
    }
  if (!sl_cli_check_layout ("trace", layout_name) ||
      !sl_cli_check_endings ("trace", output, diagram, events))
    return SL_EXIT_USAGE;
  if (timeout < 0)
    {
      fprintf (stderr, _("socklens trace: --timeout takes seconds (0: no limit), not %d\n"), timeout);
      return SL_EXIT_USAGE;
    }

  {
    /* Printed as it happens (a program's output under its name, between
     * its calls), and streamed beside --output, so a crash keeps the run */
    CapLabSyncOptions options = {
      .step = step,
      .print = TRUE,
      .stream_to = output,
      .stop_on_signals = TRUE,
      .programs = example_paths ? (const char *const *) example_paths
                                : (const char *const *) argv + 1,
      .timeout_s = (guint) timeout,
    };

    ok = cap_lab_run_sync_with (NULL, NULL, &options, &recording, &stream_path, &error);
    interrupted = !ok && g_error_matches (error, CAP_LAB_ERROR, CAP_LAB_ERROR_INTERRUPTED);
  }
  if (recording != NULL && output != NULL)
    {
      if (!sl_cli_save_recording (recording, output))
        {
          if (stream_path != NULL)
            fprintf (stderr, _("socklens trace: the run as it came is in %s\n"), stream_path);
          return SL_EXIT_ERROR;
        }
      if (stream_path != NULL)
        g_unlink (stream_path);
    }
  if (recording != NULL && !sl_cli_export_all (recording, diagram, layout_name, events))
    return SL_EXIT_ERROR;
  if (!ok)
    {
      fprintf (stderr, _("socklens trace: %s\n"), error->message);
      return interrupted ? SL_EXIT_INTERRUPTED : SL_EXIT_ERROR;
    }
  return SL_EXIT_DONE;
}
