/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-cli.c: the command line.
 *
 *   socklens list
 *   socklens run NAME [--step] [--port N] [--message TEXT] [--count N] [--output FILE]
 *                     [--diagram FILE.svg|.pdf|.png [--layout sequence|time]]
 *                     [--events FILE.csv|.json]
 *   socklens show FILE [--diagram FILE.svg|.pdf|.png [--layout sequence|time]]
 *                      [--events FILE.csv|.json]
 *   socklens trace PROGRAM... (sl-cli-trace.c)
 *
 * A run prints its timeline as text, one line per call: time since the start,
 * the actor, the call with its arguments, and its result or error by name.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sl-cli.h"
#include "sl-cli-private.h"
#include "sl-exit.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netcore.h"
#include "cap-lab.h"
#include "cap-recording.h"
#include "sl-diagram.h"
#include "sl-exporters.h"

#define DEFAULT_SCENARIO "tcp-echo"

static const char *const commands[] = { "list", "run", "show", "trace", NULL };
static const char *const lab_modes[] = { "auto", "namespace", "capabilities", "root", "calls-only",
                                         NULL };

gboolean
sl_cli_handles (int    argc,
                char **argv)
{
  if (argc < 2)
    return FALSE;
  return g_strv_contains (commands, argv[1]) || g_str_equal (argv[1], "--help") ||
         g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help") ||
         g_str_equal (argv[1], "--version");
}

static void
print_usage (FILE *out)
{
  fprintf (out,
           _("Usage:\n"
           "  socklens                     open the window (with no display: run %s)\n"
           "  socklens list                list the scenarios\n"
           "  socklens run NAME [OPTION…]  run a scenario and print its timeline\n"
           "  socklens show FILE [OPTION…] print the timeline of a .pcapng or .pcap file\n"
           "  socklens trace PROGRAM…      run your own programs (.py, executables) traced\n"
           "\n"
           "  socklens --version           print the version\n"
           "\n"
           "Run “socklens run --help” for the options of a run; “man socklens” for more.\n"),
           DEFAULT_SCENARIO);
}

static int
cmd_list (void)
{
  guint n;
  const NcScenario *const *list = nc_scenario_list (&n);

  guint n_examples;
  const NcExample *const *examples = nc_example_list (&n_examples);

  for (guint i = 0; i < n; i++)
    printf ("%-18s %s\n", list[i]->name, _(list[i]->title));
  printf (_("\nLecture examples (Python), in %s; run one with socklens trace --example NAME:\n"),
          nc_example_dir ());
  for (guint i = 0; i < n_examples; i++)
    {
      g_autofree char *programs = g_strjoinv (" ", (char **) examples[i]->programs);
      printf ("%-18s %s\n%-18s   socklens trace %s\n", examples[i]->name, _(examples[i]->title), "",
              programs);
    }
  return SL_EXIT_DONE;
}

void
sl_cli_print_recording (CapRecording *recording)
{
  g_autoptr(GString) text = g_string_new (NULL);

  cap_recording_format_timeline (recording, text);
  fputs (text->str, stdout);
}

gboolean
sl_cli_save_recording (CapRecording *recording,
                const char   *path)
{
  g_autoptr(GError) error = NULL;

  if (!cap_recording_save (recording, path, &error))
    {
      fprintf (stderr, _("socklens: could not save “%s”: %s\n"), path, error->message);
      return FALSE;
    }
  fprintf (stderr, _("socklens: saved %u packets and %u calls to %s\n"),
           cap_recording_get_n_packets (recording), cap_recording_get_n_calls (recording), path);
  return TRUE;
}

/* --diagram and --events: the exporter table picks the format by the ending */
/* --layout: sequence or time; NULL: the one the window opens a recording with */
gboolean
sl_cli_check_layout (const char *command,
                     const char *text)
{
  SlTimelineLayout layout;

  if (text == NULL || sl_timeline_layout_from_string (text, &layout))
    return TRUE;
  fprintf (stderr, _("socklens %s: --layout takes sequence or time, not “%s”\n"), command, text);
  return FALSE;
}

/* Before anything runs or is read: every file named has an ending we write,
 * so a typo costs no run (a run may be long, or stepped by hand). */
gboolean
sl_cli_check_endings (const char *command,
                      const char *output,
                      const char *diagram,
                      const char *events)
{
  const char *paths[] = { diagram, events };
  const SlExportKind kinds[] = { SL_EXPORT_DIAGRAM, SL_EXPORT_EVENTS };

  if (output != NULL)
    {
      if (sl_exporter_for_path (SL_EXPORT_CAPTURE, output) == NULL)
        {
          g_autofree char *display = g_filename_display_name (output);

          fprintf (stderr, _("socklens %s: --output writes pcapng (Wireshark, tshark and tcpdump "
                             "open it): name the file .pcapng, not “%s”. For a classic .pcap of "
                             "the packets alone, convert it afterwards: editcap -F pcap "
                             "RUN.pcapng RUN.pcap\n"),
                   command, display);
          return FALSE;
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GError) error = NULL;

      if (paths[i] != NULL && sl_exporter_check_path (kinds[i], paths[i], &error) == NULL)
        {
          fprintf (stderr, _("socklens %s: %s\n"), command, error->message);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
export_as (SlExportKind  kind,
           CapRecording *recording,
           const char   *path,
           const char   *layout_name)
{
  g_autoptr(GError) error = NULL;
  SlTimelineLayout layout;
  gboolean ok;

  if (path == NULL)
    return TRUE;
  if (kind == SL_EXPORT_DIAGRAM && layout_name != NULL && sl_timeline_layout_from_string (layout_name, &layout))
    ok = sl_diagram_export_layout (recording, layout, path, &error);
  else
    ok = sl_export (kind, recording, path, &error);
  if (!ok)
    {
      fprintf (stderr, _("socklens: %s\n"), error->message);
      return FALSE;
    }
  fprintf (stderr, kind == SL_EXPORT_DIAGRAM ? _("socklens: drew the timeline to %s\n")
                                             : _("socklens: wrote the events to %s\n"),
           path);
  return TRUE;
}

gboolean
sl_cli_export_all (CapRecording *recording,
            const char   *diagram,
            const char   *layout_name,
            const char   *events)
{
  gboolean ok = export_as (SL_EXPORT_DIAGRAM, recording, diagram, layout_name);
  return export_as (SL_EXPORT_EVENTS, recording, events, NULL) && ok;
}

/* "Draw the timeline as a diagram (.svg, .pdf or .png)" from the exporter table */
char *
sl_cli_export_option_help (SlExportKind kind,
                           const char  *what)
{
  g_autofree char *known = sl_exporter_list_extensions (kind);
  return g_strdup_printf ("%s (%s)", what, known);
}

static int
cmd_show (int    argc,
          char **argv)
{
  g_autofree char *diagram = NULL;
  g_autofree char *events = NULL;
  g_autofree char *layout_name = NULL;
  g_autofree char *diagram_help = sl_cli_export_option_help (SL_EXPORT_DIAGRAM,
                                                      _("Also draw the timeline as a diagram"));
  g_autofree char *events_help = sl_cli_export_option_help (SL_EXPORT_EVENTS,
                                                     _("Also write every event as data"));
  GOptionEntry entries[] = {
    { "diagram", 'd', 0, G_OPTION_ARG_FILENAME, &diagram, diagram_help, N_("FILE") },
    { "layout", 0, 0, G_OPTION_ARG_STRING, &layout_name,
      N_("The diagram's axis: sequence (a row per event, the default) or time"), N_("LAYOUT") },
    { "events", 'e', 0, G_OPTION_ARG_FILENAME, &events, events_help, N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE - print a capture's timeline"));
  g_autoptr(GError) error = NULL;
  g_autoptr(CapRecording) recording = NULL;
  gboolean ok;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("Prints the calls and packets of a Socklens .pcapng, "
                                         "or the packets of any .pcap/.pcapng file.\n"
                                         "FILE may be a pipe (FIFO), or - to read standard input."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, _("socklens show: %s\n"), error->message);
      return SL_EXIT_USAGE;
    }
  if (argc != 2)
    {
      fprintf (stderr, _("socklens show: which file? e.g. socklens show run.pcapng\n"));
      return SL_EXIT_USAGE;
    }
  if (!sl_cli_check_layout ("show", layout_name) ||
      !sl_cli_check_endings ("show", NULL, diagram, events))
    return SL_EXIT_USAGE;

  recording = cap_recording_new ();
  ok = cap_recording_load_file (recording, argv[1], &error);
  /* A damaged file still shows what was read before the damage. */
  sl_cli_print_recording (recording);
  if (!sl_cli_export_all (recording, diagram, layout_name, events))
    return SL_EXIT_ERROR;
  if (!ok)
    fprintf (stderr, _("socklens show: %s\n"), error->message);
  g_clear_error (&error);
  /* a file cut or rewritten while it was shown: say so, after what was shown */
  if (!cap_recording_check_packet_data (recording, &error))
    {
      fprintf (stderr, _("socklens show: %s\n"), error->message);
      return SL_EXIT_ERROR;
    }
  return ok ? SL_EXIT_DONE : SL_EXIT_ERROR;
}

/* The run's parameters from the options given; an option given is an option
 * meant (no value of one stands for "the default"). Checked as the lab and
 * the window check them (nc_params_check): the host must be loopback. */
static gboolean
parse_params (const NcScenario *scenario,
              const char       *port,
              const char       *count,
              const char       *message,
              const char       *host,
              gboolean          lab_hosts,
              NcParams        **out_params,
              GError          **error)
{
  g_autoptr(NcParams) params = nc_params_new (scenario);
  gint64 value;

  if (port != NULL)
    {
      if (!nc_params_parse_number ("--port", port, 1, G_MAXUINT16, &value, error))
        return FALSE;
      params->port = (guint16) value;
    }
  if (count != NULL)
    {
      if (!nc_params_parse_number ("--count", count, 1, NC_PARAMS_COUNT_MAX, &value, error))
        return FALSE;
      params->count = (guint) value;
    }
  if (message != NULL)
    {
      g_free (params->message);
      params->message = g_strdup (message);
    }
  if (host != NULL)
    {
      g_free (params->host);
      params->host = g_strdup (host);
    }
  if (!nc_params_check (scenario, params, lab_hosts, error))
    return FALSE;
  *out_params = g_steal_pointer (&params);
  return TRUE;
}

/* Run here, a two-host lesson has no lab hosts: both ends on 127.0.0.1, as
 * the lab does without its namespace. */
static void
use_loopback_for_lab_hosts (const NcScenario *scenario,
                            NcParams         *params)
{
  if (scenario->n_hosts < 2 || !nc_address_is_lab_host (params->host))
    return;
  fprintf (stderr, _("socklens run: “%s” needs the lab's two hosts; run here, both ends use "
                   "127.0.0.1 instead of %s.\n"), scenario->name, params->host);
  g_free (params->host);
  params->host = g_strdup ("127.0.0.1");
}

static int
cmd_run (int    argc,
         char **argv)
{
  gboolean step = FALSE;
  gboolean in_process = FALSE;
  g_autofree char *port = NULL;
  g_autofree char *count = NULL;
  g_autofree char *message = NULL;
  g_autofree char *host = NULL;
  g_autofree char *output = NULL;
  g_autofree char *diagram = NULL;
  g_autofree char *events = NULL;
  g_autofree char *layout_name = NULL;
  g_autofree char *mode = NULL;
  g_autofree char *stream_path = NULL;
  g_autofree char *diagram_help = sl_cli_export_option_help (SL_EXPORT_DIAGRAM,
                                                      _("Draw the timeline as a diagram"));
  g_autofree char *events_help = sl_cli_export_option_help (SL_EXPORT_EVENTS,
                                                     _("Write every event as data"));
  GOptionEntry entries[] = {
    { "step", 's', 0, G_OPTION_ARG_NONE, &step, N_("Hold each call until Enter is pressed"), NULL },
    { "port", 'p', 0, G_OPTION_ARG_STRING, &port,
      N_("Port the server binds, 1 to 65535 (default: any free port)"), N_("N") },
    { "message", 'm', 0, G_OPTION_ARG_STRING, &message, N_("What the client sends"), N_("TEXT") },
    { "count", 'c', 0, G_OPTION_ARG_STRING, &count, N_("How many messages, clients or KiB"), N_("N") },
    { "host", 0, 0, G_OPTION_ARG_STRING, &host,
      N_("Loopback address to use (default 127.0.0.1; no other host is allowed)"), N_("ADDR") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Save the run as pcapng (Wireshark opens it)"),
      N_("FILE") },
    { "diagram", 'd', 0, G_OPTION_ARG_FILENAME, &diagram, diagram_help, N_("FILE") },
    { "layout", 0, 0, G_OPTION_ARG_STRING, &layout_name,
      N_("The diagram's axis: sequence (a row per event, the default) or time"), N_("LAYOUT") },
    { "events", 'e', 0, G_OPTION_ARG_FILENAME, &events, events_help, N_("FILE") },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &mode,
      N_("How the lab captures: auto, namespace, capabilities, root, calls-only"), N_("MODE") },
    { "in-process", 0, 0, G_OPTION_ARG_NONE, &in_process,
      N_("Run here, without the lab: calls only, no packets"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("NAME - run a scenario"));
  g_autoptr(GError) error = NULL;
  g_autoptr(NcParams) params = NULL;
  g_autoptr(CapRecording) recording = NULL;
  const NcScenario *scenario;
  gboolean exported = TRUE;
  gboolean ok;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context,
                                _("Runs a scenario with real sockets in the Socklens lab (a private "
                                "network namespace: no root needed), captures its packets and "
                                "prints every socket call and packet on one timeline.\n"
                                "“socklens list” shows the scenarios."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, _("socklens run: %s\n"), error->message);
      return SL_EXIT_USAGE;
    }
  if (argc != 2)
    {
      fprintf (stderr, argc < 2 ? _("socklens run: which scenario? “socklens list” shows them.\n")
                                : _("socklens run: one scenario at a time\n"));
      return SL_EXIT_USAGE;
    }
  scenario = nc_scenario_lookup (argv[1]);
  if (scenario == NULL)
    {
      fprintf (stderr, _("socklens run: no scenario named “%s”. “socklens list” shows them.\n"),
               argv[1]);
      return SL_EXIT_USAGE;
    }
  if (!sl_cli_check_layout ("run", layout_name) ||
      !sl_cli_check_endings ("run", output, diagram, events))
    return SL_EXIT_USAGE;
  if (!parse_params (scenario, port, count, message, host, scenario->n_hosts >= 2, &params,
                     &error))
    {
      fprintf (stderr, _("socklens run: %s\n"), error->message);
      return SL_EXIT_USAGE;
    }
  if (mode != NULL && !g_strv_contains (lab_modes, mode))
    {
      g_autofree char *known = g_strjoinv (", ", (char **) lab_modes);
      fprintf (stderr, _("socklens run: --mode takes one of %s, not “%s”\n"), known, mode);
      return SL_EXIT_USAGE;
    }

  printf ("# %s: %s\n", scenario->name, _(scenario->title));
  fflush (stdout);
  if (in_process)
    {
      use_loopback_for_lab_hosts (scenario, params);
      ok = sl_cli_run_in_process (scenario, params, step, &recording, &error);
    }
  else
    {
      CapLabSyncOptions options = {
        .mode = mode,
        .step = step,
        .print = TRUE,
        .stream_to = output,
        .stop_on_signals = TRUE,
      };
      ok = cap_lab_run_sync_with (scenario->name, params, &options, &recording, &stream_path,
                                  &error);
      if (!ok && recording == NULL && g_error_matches (error, CAP_LAB_ERROR, CAP_LAB_ERROR_NOT_FOUND))
        {
          fprintf (stderr, _("socklens run: %s; running here instead, calls only.\n"),
                   error->message);
          g_clear_error (&error);
          use_loopback_for_lab_hosts (scenario, params);
          ok = sl_cli_run_in_process (scenario, params, step, &recording, &error);
        }
    }

  /* The lines were printed as they happened. The file replaces the copy
   * streamed beside it during the run, which is kept if saving fails. Both
   * exports are attempted and both reported: one failing does not cost the
   * other. */
  if (recording != NULL && output != NULL)
    {
      if (sl_cli_save_recording (recording, output))
        {
          if (stream_path != NULL)
            g_unlink (stream_path);
        }
      else
        {
          exported = FALSE;
          if (stream_path != NULL)
            fprintf (stderr, _("socklens run: the run as it came is in %s\n"), stream_path);
        }
    }
  if (recording != NULL && !sl_cli_export_all (recording, diagram, layout_name, events))
    exported = FALSE;
  if (!ok && g_error_matches (error, CAP_LAB_ERROR, CAP_LAB_ERROR_INTERRUPTED))
    {
      fprintf (stderr, _("socklens run: %s: %s\n"), scenario->name, error->message);
      return SL_EXIT_INTERRUPTED;
    }
  if (!ok)
    {
      fprintf (stderr, _("socklens run: %s: %s\n"), scenario->name, error->message);
      if (strstr (error->message, "EADDRINUSE") != NULL)
        fprintf (stderr, _("socklens run: port %u is taken by another program; choose another "
                         "with --port, or leave --port out to let the kernel pick a free one.\n"),
                 params->port);
      return SL_EXIT_ERROR;
    }
  return exported ? SL_EXIT_DONE : SL_EXIT_ERROR;
}

int
sl_cli_main (int    argc,
             char **argv)
{
  if (argc < 2)
    {
      char *default_argv[] = { argv[0], (char *) "run", (char *) DEFAULT_SCENARIO, NULL };
      return sl_cli_main (3, default_argv);
    }

  if (g_str_equal (argv[1], "list"))
    return cmd_list ();
  if (g_str_equal (argv[1], "run"))
    return cmd_run (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "show"))
    return cmd_show (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "trace"))
    return sl_cli_trace (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("socklens %s\n", PACKAGE_VERSION);
      return SL_EXIT_DONE;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return SL_EXIT_DONE;
    }

  fprintf (stderr, _("socklens: unknown command “%s”\n"), argv[1]);
  print_usage (stderr);
  return SL_EXIT_USAGE;
}
