/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-lab-main.c: socklens-lab, the helper that runs one scenario where it
 * may capture it, and streams the run as one pcapng on stdout.
 *
 *   socklens-lab NAME [--step] [--port N] [--message T] [--count N]
 *                     [--mode auto|namespace|capabilities|root|calls-only]
 *   socklens-lab --trace [--step] [--timeout S] [--] PROGRAM...  (sl-lab-trace.c)
 *
 * Ways to capture, in the order auto tries them (docs/LAB.md):
 *   namespace     its own user + network namespace: no privileges at all
 *   capabilities  cap_net_raw on this binary: the host's lo, filtered
 *   root          the same as root
 *   calls-only    no packets, and one message saying why and how to fix it
 *
 * The stream: an IDB, a RUN record, MESSAGE records (how it captures),
 * ACTOR records, then as things happen CALL_ENTER/CALL_RETURN records, EPBs,
 * SOCKSTATE, GATE (step mode) and DROP records, and last an END record.
 * Commands on stdin: see sl-lab-control.c.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>
#include <glib-unix.h>

#include "cap-lab-protocol.h"
#include "sl-lab-private.h"

#define QUIET_MS     200   /* after the last actor: stop when the wire is this quiet */
#define QUIET_MAX_MS 3000

static SlLab the_lab;

/* SIGINT, SIGTERM, SIGHUP stop the run like "stop": the stream still ends
 * with what was captured and an END record. (Ctrl+C in a terminal reaches
 * the lab too, as does `timeout -s INT`: they signal the whole group.) The
 * handler only writes to a pipe; a thread does the rest. A handler, not
 * SIG_IGN or a blocked mask, so programs the lab starts get the defaults. */
static int stop_pipe[2] = { -1, -1 };

static void
on_stop_signal (int signum)
{
  int saved = errno;
  char c = (char) signum;

  /* If the pipe is full, a stop is already on its way. */
  (void) !write (stop_pipe[1], &c, 1);
  errno = saved;
}

static gboolean
catch_stop_signals (GError **error)
{
  static const int signums[] = { SIGINT, SIGTERM, SIGHUP };
  struct sigaction sa = { .sa_handler = on_stop_signal, .sa_flags = SA_RESTART };

  if (!g_unix_open_pipe (stop_pipe, FD_CLOEXEC, error) ||
      !g_unix_set_fd_nonblocking (stop_pipe[1], TRUE, error))
    return FALSE;
  sigemptyset (&sa.sa_mask);
  for (guint k = 0; k < G_N_ELEMENTS (signums); k++)
    sigaction (signums[k], &sa, NULL);
  return TRUE;
}

/* Never joined: exit ends it. */
static gpointer
stop_signal_thread (gpointer data)
{
  SlLab *lab = data;
  char c;

  while (read (stop_pipe[0], &c, 1) < 0 && errno == EINTR)
    ;
  sl_lab_request_stop (lab, FALSE);
  return NULL;
}

typedef struct
{
  gboolean  step;
  char     *port;
  char     *message;
  char     *message_length;
  char     *count;
  char     *host;
  char     *mode;
  gboolean  quiet;
  gboolean  trace;
  int       timeout;
} Options;

#define TRACE_TIMEOUT_DEFAULT 60

/* What a traced run is, for the stream's RUN record and the lab's checks */
static NcScenario trace_scenario = {
  .name = "trace",
  .title = "Your programs",
  .n_hosts = 1,
};

static gboolean
parse_options (int       *argc,
               char    ***argv,
               Options   *opts,
               GError   **error)
{
  GOptionEntry entries[] = {
    { "step", 's', 0, G_OPTION_ARG_NONE, &opts->step, "Hold each call until told to step", NULL },
    { "port", 'p', 0, G_OPTION_ARG_STRING, &opts->port,
      "Port the server binds, 1 to 65535 (default: its own)", "N" },
    { "message", 'm', 0, G_OPTION_ARG_STRING, &opts->message, "What the client sends", "TEXT" },
    { "message-length", 0, 0, G_OPTION_ARG_STRING, &opts->message_length,
      "The message is the first N bytes of stdin, before the commands (no argv limit)", "N" },
    { "count", 'c', 0, G_OPTION_ARG_STRING, &opts->count, "How many messages or clients", "N" },
    { "host", 0, 0, G_OPTION_ARG_STRING, &opts->host,
      "Loopback address the server binds (one-host scenarios; default 127.0.0.1)", "ADDR" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &opts->mode,
      "How to capture: auto, namespace, capabilities, root, calls-only", "MODE" },
    { "trace", 't', 0, G_OPTION_ARG_NONE, &opts->trace,
      "Run and trace the programs given instead of a scenario (.py, executables, command lines)",
      NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &opts->timeout,
      "With --trace: stop after this many seconds (default 60; 0: no limit)", "S" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &opts->quiet,
      "Messages for the user only in the stream (its reader shows them), not on stderr", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("NAME - run a scenario in the lab");

  opts->timeout = -1;
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
                                "Runs a scenario in a private network namespace, captures its "
                                "packets and writes calls and packets as one pcapng stream to "
                                "stdout. Reads step, step N, run, pause and stop on stdin.");
  return g_option_context_parse (context, argc, argv, error);
}

/* The message, from the first @length bytes of stdin: argv has a limit
 * (E2BIG at 128 KiB per argument), a pipe has none. Read before any thread
 * reads stdin for commands. */
static char *
read_message (const char  *length_text,
              GError     **error)
{
  g_autofree char *text = NULL;
  gint64 length;
  gsize got = 0;

  if (!nc_params_parse_number ("--message-length", length_text, 0, G_MAXINT32, &length, error))
    return NULL;
  text = g_malloc ((gsize) length + 1);
  while (got < (gsize) length)
    {
      gssize n = read (STDIN_FILENO, text + got, (gsize) length - got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("--message-length %" PRId64 ": stdin ended after %zu bytes"), length, got);
          return NULL;
        }
      got += (gsize) n;
    }
  text[length] = '\0';
  if (strlen (text) != (gsize) length)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("the message holds a NUL byte"));
      return NULL;
    }
  return g_steal_pointer (&text);
}

/* --trace PROGRAM...: each checked now, so a typo is said before anything runs */
static gboolean
setup_trace (SlLab    *lab,
             int       argc,
             char    **argv,
             Options  *opts,
             GError  **error)
{
  g_autofree char *title = NULL;

  if (argc < 2)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("which programs?"));
      return FALSE;
    }
  if (opts->mode != NULL && !g_str_equal (opts->mode, "auto") &&
      !g_str_equal (opts->mode, "namespace"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--trace runs programs only in the lab's private network namespace, where "
                     "nothing they send can leave; --mode %s is not possible"), opts->mode);
      return FALSE;
    }
  lab->trace = sl_lab_trace_new (lab, argv + 1, error);
  if (lab->trace == NULL)
    return FALSE;
  title = sl_lab_trace_title (lab->trace);
  trace_scenario.title = g_intern_string (title);
  lab->scenario = &trace_scenario;
  lab->params = nc_params_new (lab->scenario);
  lab->mode = SL_LAB_MODE_NAMESPACE;
  lab->step = opts->step;
  lab->n_hosts = 1;
  lab->timeout_s = opts->timeout < 0 ? TRACE_TIMEOUT_DEFAULT : (guint) opts->timeout;
  return TRUE;
}

static gboolean
setup_params (SlLab    *lab,
              int       argc,
              char    **argv,
              Options  *opts,
              GError  **error)
{
  gint64 value;

  if (opts->trace)
    return setup_trace (lab, argc, argv, opts, error);
  if (argc != 2)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           argc < 2 ? _("which scenario?") : _("one scenario at a time"));
      return FALSE;
    }
  lab->scenario = nc_scenario_lookup (argv[1]);
  if (lab->scenario == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("no scenario named “%s”"),
                   argv[1]);
      return FALSE;
    }
  if (opts->mode != NULL && !sl_lab_mode_from_name (opts->mode, &lab->mode))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, _("no capture mode “%s”"),
                   opts->mode);
      return FALSE;
    }
  if (lab->scenario->n_hosts > SL_LAB_MAX_HOSTS)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("“%s” needs %u hosts; the lab joins at most %u"), lab->scenario->name,
                   lab->scenario->n_hosts, SL_LAB_MAX_HOSTS);
      return FALSE;
    }

  lab->params = nc_params_new (lab->scenario);
  if (opts->port != NULL)
    {
      if (!nc_params_parse_number ("--port", opts->port, 1, G_MAXUINT16, &value, error))
        return FALSE;
      lab->params->port = (guint16) value;
    }
  if (opts->count != NULL)
    {
      if (!nc_params_parse_number ("--count", opts->count, 1, NC_PARAMS_COUNT_MAX, &value, error))
        return FALSE;
      lab->params->count = (guint) value;
    }
  if (opts->message_length != NULL)
    {
      char *message = read_message (opts->message_length, error);

      if (message == NULL)
        return FALSE;
      g_free (lab->params->message);
      lab->params->message = message;
    }
  else if (opts->message != NULL)
    {
      g_free (lab->params->message);
      lab->params->message = g_strdup (opts->message);
    }
  /* Two hosts: the lab's own addresses, whatever was asked */
  if (opts->host != NULL && lab->scenario->n_hosts < 2)
    {
      g_free (lab->params->host);
      lab->params->host = g_strdup (opts->host);
    }
  lab->step = opts->step;
  lab->n_hosts = MAX (lab->scenario->n_hosts, 1);
  /* Before anything is opened: nothing of the run leaves this computer. */
  return nc_params_check (lab->scenario, lab->params, lab->n_hosts >= 2, error);
}

/* --- choosing how to capture --------------------------------------------- */

static gboolean
try_namespace (SlLab   *lab,
               GError **error)
{
  g_autoptr(GError) local = NULL;

  if (!sl_lab_enter_namespace (lab, &local))
    {
      lab->no_namespace = g_strdup (local->message);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  lab->mode_used = SL_LAB_MODE_NAMESPACE;
  lab->live = cap_live_new (lab->capture_iface);
  if (!cap_live_open (lab->live, &local))
    {
      /* Inside our own namespace this should not happen; run without packets. */
      lab->no_capture = g_strdup (local->message);
      g_clear_object (&lab->live);
      lab->mode_used = SL_LAB_MODE_CALLS_ONLY;
    }
  return TRUE;
}

/* The host's own lo, shared with every user: opened, confined to nothing
 * until the run's sockets exist (sl-lab-confine.c), and then every
 * capability is given up. */
static gboolean
try_host_capture (SlLab   *lab,
                  GError **error)
{
  g_autoptr(GError) local = NULL;
  gboolean root = geteuid () == 0;

  if (lab->mode == SL_LAB_MODE_ROOT && !root)
    {
      lab->no_capture = g_strdup (_("not running as root"));
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                           _("the lab is not running as root"));
      return FALSE;
    }
  if (lab->scenario->needs_raw_socket && getuid () != 0)
    {
      lab->no_capture = g_strdup (_("a raw socket on the shared lo would see every user's ICMP"));
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _("“%s” needs a raw socket of its own, which would see every ICMP message of "
                     "this computer; the lab gives up cap_net_raw once it captures, so run it in "
                     "a private network namespace (--mode namespace) or as root"),
                   lab->scenario->name);
      return FALSE;
    }
  lab->live = cap_live_new ("lo");
  /* Its filter follows the run's sockets: see cap_live_set_immediate_mode () */
  cap_live_set_immediate_mode (lab->live, TRUE);
  if (!cap_live_open (lab->live, &local) ||
      (lab->confine = sl_lab_confine_new (lab, lab->scenario->needs_raw_socket,
                                          (guint16) getpid (), &local)) == NULL)
    {
      lab->no_capture = g_strdup (local->message);
      g_clear_object (&lab->live);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  lab->capture_iface = g_strdup ("lo");
  lab->mode_used = root ? SL_LAB_MODE_ROOT : SL_LAB_MODE_CAPABILITIES;
  return TRUE;
}

/* Picks the first way that works (or the one asked for). Runs before any
 * thread exists: the namespace needs that. */
static gboolean
choose_mode (SlLab   *lab,
             GError **error)
{
  SlLabMode mode = lab->mode;

  if (mode == SL_LAB_MODE_AUTO || mode == SL_LAB_MODE_NAMESPACE)
    {
      if (try_namespace (lab, mode == SL_LAB_MODE_NAMESPACE ? error : NULL))
        return TRUE;
      if (mode == SL_LAB_MODE_NAMESPACE)
        return FALSE;
    }
  if (mode == SL_LAB_MODE_AUTO || mode == SL_LAB_MODE_CAPABILITIES || mode == SL_LAB_MODE_ROOT)
    {
      if (try_host_capture (lab, mode != SL_LAB_MODE_AUTO ? error : NULL))
        return TRUE;
      if (mode != SL_LAB_MODE_AUTO)
        return FALSE;
    }
  lab->mode_used = SL_LAB_MODE_CALLS_ONLY;
  return TRUE;
}

static char *
own_path (void)
{
  char *path = g_file_read_link ("/proc/self/exe", NULL);

  return path != NULL ? path : g_strdup (CAP_LAB_HELPER_NAME);
}

/* Without the lab's own hosts, a multi-host lesson runs on this computer's
 * loopback: the same calls, but nothing is lost. */
static void
fall_back_to_one_host (SlLab *lab)
{
  g_autofree char *text = NULL;

  if (lab->n_hosts < 2)
    return;
  lab->n_hosts = 1;
  g_free (lab->params->host);
  lab->params->host = g_strdup ("127.0.0.1");
  text = g_strdup_printf (lab->scenario->drop_packet > 0
                            ? _("“%s” needs two hosts joined by a link that loses a packet, so "
                                "nothing is lost this time; without a private network namespace "
                                "both run on this computer's 127.0.0.1.")
                            : _("“%s” needs two hosts joined by a link; without a private network "
                                "namespace both run on this computer's 127.0.0.1."),
                          lab->scenario->name);
  sl_lab_say (lab, CAP_SEVERITY_WARNING, "%s", text);
}

/* The one message that says how this run captures, or why it does not. */
static void
announce_mode (SlLab *lab)
{
  g_autofree char *self_path = own_path ();
  g_autofree char *text = NULL;
  CapSeverity severity = CAP_SEVERITY_INFO;

  switch (lab->mode_used)
    {
    case SL_LAB_MODE_NAMESPACE:
      if (lab->n_hosts >= 2)
        text = g_strdup_printf (_("Capturing in a private network namespace (no privileges needed): "
                                  "hosts %s (192.0.2.1) and %s (192.0.2.2) joined by a veth link, "
                                  "captured on %s.%s"), lab->host_names[0], lab->host_names[1],
                                lab->capture_iface,
                                lab->scenario->drop_packet > 0 ? _(" The link loses one packet on "
                                                                   "purpose; it is marked.") : "");
      else
        text = g_strdup (_("Capturing in a private network namespace (no privileges needed): "
                           "every packet on the lab's own lo belongs to this run."));
      break;
    case SL_LAB_MODE_CAPABILITIES:
    case SL_LAB_MODE_ROOT:
      {
        g_autofree char *why = lab->no_namespace
          ? g_strdup_printf (_(" (a private network namespace was not possible: %s)"),
                             lab->no_namespace)
          : g_strdup_printf (" (--mode %s)", sl_lab_mode_name (lab->mode));

        text = g_strdup_printf (lab->mode_used == SL_LAB_MODE_ROOT
                                  ? _("Capturing on this computer's lo as root, filtered to the "
                                      "run's own sockets and the ICMP they cause%s.")
                                  : _("Capturing on this computer's lo with the helper's "
                                      "capability (cap_net_raw, given up once the capture was "
                                      "open), filtered to the run's own sockets and the ICMP "
                                      "they cause%s."), why);
      }
      break;
    case SL_LAB_MODE_CALLS_ONLY:
    case SL_LAB_MODE_AUTO:
    default:
      severity = CAP_SEVERITY_WARNING;
      if (lab->mode == SL_LAB_MODE_CALLS_ONLY)
        text = g_strdup (_("Calls only, as asked (--mode calls-only): no packets are captured."));
      else
        text = g_strdup_printf (
          _("Packets are missing: capturing needs a private network namespace or the "
            "CAP_NET_RAW capability, and this system allows neither (user namespace: %s; "
            "capture on lo: %s). Every call is still shown. To fix it, run: "
            "sudo setcap cap_net_raw=ep %s"),
          lab->no_namespace ? lab->no_namespace : _("not tried"),
          lab->no_capture ? lab->no_capture : _("not tried"), self_path);
      break;
    }
  sl_lab_say (lab, severity, "%s", text);
}

/* --- the run ----------------------------------------------------------- */

static __thread gboolean thread_in_host;

/* On the actor's thread, just before the system call (entry) or after it;
 * for a traced program, on the thread that reads its reports. */
void
sl_lab_on_call (const NcCall *call,
                NcCallPhase   phase,
                gpointer      user_data)
{
  SlLab *lab = user_data;

  /* Whoever makes the traffic keeps the capture's ring from overflowing
   * when the capture thread is kept waiting (cap_live_help ()). First:
   * nothing here holds a lock the frame callback takes. */
  if (lab->live != NULL)
    cap_live_help (lab->live);

  /* setns() is per thread: an actor moves to its host before its first call. */
  if (phase == NC_CALL_PHASE_ENTER && !thread_in_host && lab->n_hosts >= 2)
    {
      g_autoptr(GError) error = NULL;

      thread_in_host = TRUE;
      if (call->actor < lab->scenario->n_actors &&
          !sl_lab_join_host (lab, lab->scenario->actors[call->actor].host, &error))
        sl_lab_say (lab, CAP_SEVERITY_WARNING, "%s", error->message);
    }
  /* Before a call sends, after a bind: the filter follows the run's sockets. */
  sl_lab_confine_on_call (lab->confine, call, phase);

  sl_lab_emit_call (lab, call, phase);
  if (phase != NC_CALL_PHASE_RETURN)
    return;

  /* sock_diag starts once there is a stream socket to sample */
  if ((nc_call_kind_info (call->kind)->link == NC_CALL_LINK_OPEN &&
       (call->type & 0xf) == SOCK_STREAM && call->result >= 0) ||
      nc_call_kind_info (call->kind)->link == NC_CALL_LINK_ACCEPT ||
      nc_call_kind_info (call->kind)->link == NC_CALL_LINK_LISTEN)
    sl_lab_diag_note_stream (lab->diag);
  /* The fd is looked up in its process's /proc/PID/fd. */
  if ((nc_call_kind_info (call->kind)->fd == NC_CALL_FD_RESULT ||
       nc_call_kind_info (call->kind)->link == NC_CALL_LINK_ACCEPT) && call->result >= 0)
    sl_lab_diag_note_socket (lab->diag, call->pid, (int) call->result, call->actor);
  switch (nc_call_kind_info (call->kind)->link)
    {
    case NC_CALL_LINK_LISTEN:
    case NC_CALL_LINK_ACCEPT:
    case NC_CALL_LINK_CONNECT:
    case NC_CALL_LINK_SHUTDOWN:
    case NC_CALL_LINK_CLOSE:
      sl_lab_diag_sample_now (lab->diag);
      break;
    default:
      break;
    }
  sl_lab_diag_poke (lab->diag);
}

/* A server's handlers ("handler 1"...) are added as it accepts: named in
 * the stream before their first call. The scenario's own actors were
 * described already, with their hosts. */
static void
on_actor (const NcActorInfo *actor,
          gpointer           user_data)
{
  SlLab *lab = user_data;

  if (actor->index >= lab->scenario->n_actors)
    sl_lab_emit_actor (lab, actor);
}

static void
emit_capture_count (SlLab      *lab,
                    guint64     n_packets,
                    guint64     n_lost,
                    const char *when)
{
  g_autofree char *text = g_strdup_printf (CAP_LAB_CAPTURE_FORMAT "%s", n_packets, n_lost, when);

  sl_lab_emit_message (lab, n_lost > 0 ? CAP_SEVERITY_WARNING : CAP_SEVERITY_INFO, text);
}

static void
on_frame (const CapLiveFrame *frame,
          gpointer            user_data)
{
  SlLab *lab = user_data;
  guint64 lost = cap_live_get_n_lost (lab->live);

  sl_lab_emit_frame (lab, frame);
  sl_lab_diag_poke (lab->diag);
  /* A loss is reported as it happens (rare: this is not the usual path) */
  if (lost > lab->lost_reported)
    {
      lab->lost_reported = lost;
      emit_capture_count (lab, frame->index + 1, lost, CAP_LAB_CAPTURE_SO_FAR);
    }
}

/* At the end: every packet taken, and every one lost, counted */
static void
emit_capture_total (SlLab *lab)
{
  guint64 lost;

  if (lab->live == NULL)
    return;
  g_mutex_lock (&lab->out_lock);
  lost = cap_live_get_n_lost (lab->live) + lab->frames_lost;
  g_mutex_unlock (&lab->out_lock);
  emit_capture_count (lab, lab->n_epb, lost,
                      lost > 0 ? CAP_LAB_CAPTURE_MISSED : "");
}

/* sock_diag sampling, or a message saying why not */
static void
start_diag (SlLab *lab)
{
  g_autoptr(GError) error = NULL;

  lab->diag = sl_lab_diag_new (lab, &error);
  if (lab->diag == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Socket states are not sampled: %s"),
                                               error->message);
      sl_lab_emit_message (lab, CAP_SEVERITY_WARNING, text);
    }
}

/* After the last actor or program: the capture, the control, the sampling.
 * Returns: whether the app went away. */
static gboolean
finish_run (SlLab *lab)
{
  gboolean parent_gone;

  g_mutex_lock (&lab->control_lock);
  parent_gone = lab->parent_gone;
  g_mutex_unlock (&lab->control_lock);

  /* The last FIN/ACK may still be on its way when the last actor returns. */
  if (lab->live != NULL)
    {
      if (parent_gone)
        cap_live_stop (lab->live);
      else
        cap_live_stop_when_quiet (lab->live, QUIET_MS, QUIET_MAX_MS);
    }
  /* Every frame taken is in the stream (the capture thread wrote it) before END */
  emit_capture_total (lab);
  sl_lab_control_finish (lab);
  g_clear_pointer (&lab->diag, sl_lab_diag_free);
  return parent_gone;
}

static int
run_scenario (SlLab      *lab,
              char      **error_text)
{
  g_autoptr(GError) error = NULL;
  gboolean parent_gone;

  lab->run = nc_run_new (lab->scenario, lab->params);
  nc_run_set_lab_hosts (lab->run, lab->n_hosts >= 2);
  /* The stream is the record: the recorder keeps no copy (flat memory) */
  nc_recorder_set_keep_calls (nc_run_get_recorder (lab->run), FALSE);
  nc_recorder_set_listener (nc_run_get_recorder (lab->run), sl_lab_on_call, lab);
  nc_recorder_set_actor_listener (nc_run_get_recorder (lab->run), on_actor, lab);
  nc_run_set_stepping (lab->run, lab->step);

  start_diag (lab);

  if ((lab->live != NULL && !cap_live_start (lab->live, on_frame, lab, &error)) ||
      !sl_lab_control_start (lab, &error) || !nc_run_start (lab->run, &error))
    {
      *error_text = g_strdup (error->message);
      sl_lab_control_finish (lab);
      return CAP_LAB_EXIT_FAILED;
    }

  nc_run_wait (lab->run, &error);
  parent_gone = finish_run (lab);

  if (error == NULL)
    return CAP_LAB_EXIT_OK;
  if (g_error_matches (error, NC_RUN_ERROR, NC_RUN_ERROR_STOPPED))
    {
      *error_text = g_strdup (parent_gone ? _("The run was stopped: the app went away")
                                          : _("The run was stopped"));
      return CAP_LAB_EXIT_STOPPED;
    }
  *error_text = g_strdup (error->message);
  return CAP_LAB_EXIT_FAILED;
}

static int
run_trace (SlLab  *lab,
           char  **error_text)
{
  g_autoptr(GError) error = NULL;
  int status;

  start_diag (lab);
  if (!sl_lab_trace_prepare (lab->trace, &error) ||
      (lab->live != NULL && !cap_live_start (lab->live, on_frame, lab, &error)) ||
      !sl_lab_control_start (lab, &error))
    {
      *error_text = g_strdup (error->message);
      sl_lab_control_finish (lab);
      return CAP_LAB_EXIT_FAILED;
    }
  status = sl_lab_trace_run (lab->trace, lab->timeout_s, error_text);
  finish_run (lab);
  return status;
}

/* Started with file capabilities (secure execution), the lab runs with
 * privileges its user does not have until the capture is open: nothing from
 * that user's environment may steer it meanwhile (GIO_EXTRA_MODULES and
 * the like load code). Only the locale and a fixed PATH are kept. */
static void
keep_environment_safe (void)
{
  static const char *const kept[] = { "LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES" };
  char *values[G_N_ELEMENTS (kept)];

  if (getauxval (AT_SECURE) == 0)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    values[i] = g_strdup (g_getenv (kept[i]));
  clearenv ();
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    {
      if (values[i] != NULL)
        g_setenv (kept[i], values[i], TRUE);
      g_free (values[i]);
    }
  g_setenv ("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", TRUE);
}

/* Keeps only what the way chosen needs: in its own namespace the lab's
 * privileges end at the namespace's edge; anywhere else it gives up every
 * capability now (root keeps cap_net_raw for a lesson's own raw socket). */
static gboolean
give_up_privileges (SlLab   *lab,
                    GError **error)
{
  if (lab->mode_used == SL_LAB_MODE_NAMESPACE)
    return TRUE;
  return sl_lab_drop_privileges (getuid () == 0 && lab->scenario->needs_raw_socket, error);
}

/* Before the run: said once, on stderr (unless --quiet) and in the stream's
 * END, which is what the app shows. */
static void
end_early (SlLab      *lab,
           int         status,
           const char *text)
{
  sl_lab_complain (lab, "%s", text);
  if (sl_lab_stream_open (lab, 1, 0, NULL))
    sl_lab_emit_end (lab, status, text);
}

static void
lab_clear (SlLab *lab)
{
  g_clear_object (&lab->run);
  g_clear_pointer (&lab->trace, sl_lab_trace_free);
  g_clear_object (&lab->live);
  g_clear_pointer (&lab->confine, sl_lab_confine_free);
  g_clear_pointer (&lab->params, nc_params_free);
  g_clear_pointer (&lab->no_namespace, g_free);
  g_clear_pointer (&lab->no_capture, g_free);
  sl_lab_sandbox_clear (lab);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *error_text = NULL;
  Options opts = { 0 };
  SlLab *lab = &the_lab;
  int status;

  /* A closed pipe must be an error to handle, not a silent death. */
  signal (SIGPIPE, SIG_IGN);
  keep_environment_safe ();
  nc_i18n_init ();
  if (!catch_stop_signals (&error))
    {
      fprintf (stderr, _("socklens-lab: %s\n"), error->message);
      return CAP_LAB_EXIT_FAILED;
    }

  for (guint h = 0; h < SL_LAB_MAX_HOSTS; h++)
    lab->host_ns[h] = -1;
  g_mutex_init (&lab->out_lock);
  g_cond_init (&lab->out_work);
  g_cond_init (&lab->out_room);
  g_mutex_init (&lab->control_lock);
  g_cond_init (&lab->control_cond);

  if (!parse_options (&argc, &argv, &opts, &error) ||
      !(lab->quiet = opts.quiet, setup_params (lab, argc, argv, &opts, &error)))
    {
      status = CAP_LAB_EXIT_USAGE;
      end_early (lab, status, error->message);
      goto out;
    }
  /* Ctrl+C in the terminal reaches the whole foreground group: for a trace
   * the app tells the lab to stop (stdin), so the lab ends the run itself
   * and keeps it (the programs have process groups of their own). */
  if (lab->trace != NULL)
    signal (SIGINT, SIG_IGN);

  /* First, while this is the only thread: the namespace needs that, and so
   * does giving up capabilities for every thread to come. */
  if (!choose_mode (lab, &error) || !give_up_privileges (lab, &error))
    {
      error_text = g_strdup_printf (_("Cannot capture with --mode %s: %s"),
                                    sl_lab_mode_name (lab->mode), error->message);
      status = CAP_LAB_EXIT_FAILED;
      end_early (lab, status, error_text);
      goto out;
    }

  if (!sl_lab_stream_open (lab, lab->live ? cap_live_get_linktype (lab->live) : 1,
                           lab->live ? cap_live_get_snaplen (lab->live) : 0, &error))
    {
      sl_lab_complain (lab, _("output: %s"), error->message);
      status = CAP_LAB_EXIT_FAILED;
      goto out;
    }
  sl_lab_emit_run (lab);
  if (lab->mode_used != SL_LAB_MODE_NAMESPACE)
    fall_back_to_one_host (lab);
  announce_mode (lab);
  sl_lab_emit_actors (lab);

  g_thread_unref (g_thread_new ("stop-signals", stop_signal_thread, lab));
  status = lab->trace != NULL ? run_trace (lab, &error_text) : run_scenario (lab, &error_text);
  if (status != CAP_LAB_EXIT_OK && !lab->parent_gone)
    sl_lab_complain (lab, "%s: %s", lab->scenario->name, error_text);
  sl_lab_emit_end (lab, status, error_text);

out:
  sl_lab_stream_close (lab);
  lab_clear (lab);
  g_free (opts.port);
  g_free (opts.count);
  g_free (opts.message);
  g_free (opts.message_length);
  g_free (opts.host);
  g_free (opts.mode);
  return status;
}
