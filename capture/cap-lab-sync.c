/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-lab-sync.c: a run in the lab to its end, for the command line.
 *
 * cap_lab_run_sync_with () drives a CapLab on a private main context: it
 * prints each call and packet as it arrives (a batch every
 * PRINT_INTERVAL_MS), shows the step gate's waiters and passes lines from
 * stdin on as commands, stops the run on SIGINT, SIGTERM or SIGHUP keeping
 * everything recorded (CAP_LAB_ERROR_INTERRUPTED), and reports the lab's
 * capture count (packets lost are said, never hidden). Only CapLab's public
 * API is used here.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>

#include "cap-lab.h"
#include "cap-lab-protocol.h"

#define PRINT_INTERVAL_MS 25  /* the command line prints what arrived this often */

typedef struct
{
  struct _SyncRun *run;
  int              signum;
  guint            id;
} SignalWatch;

typedef struct _SyncRun
{
  CapLab           *lab;
  GMainLoop        *loop;
  GDataInputStream *input;
  GCancellable     *cancellable;
  GArray           *shown;     /* the waiters last printed */
  gboolean          asking;    /* a line is being read */
  gboolean          print;     /* each call and packet as it arrives */
  gboolean          step;
  CapTextProgress   progress;  /* what has been printed */
  guint64           lost_shown;
  guint             print_timeout;
  SignalWatch       signals[3];
  int               interrupted_by;  /* the first signal that stopped the run, or 0 */
} SyncRun;

static void ask_for_line (SyncRun *run);

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  SyncRun *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (run->input, result, NULL,
                                                                      &error);
  CapLabCommand command;
  guint actor;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  run->asking = FALSE;
  if (line == NULL)
    {
      /* End of input: run the rest without stopping. */
      cap_lab_run (run->lab);
      return;
    }
  command = cap_lab_command_parse (line, &actor);
  if (command == CAP_LAB_COMMAND_NONE)
    cap_lab_step (run->lab);
  else if (command == CAP_LAB_COMMAND_UNKNOWN || command == CAP_LAB_COMMAND_BAD_ACTOR)
    g_printerr (_("Unknown command “%s” (Enter, %s)\n"), g_strstrip (line),
                CAP_LAB_COMMANDS_HELP);
  else
    cap_lab_send_command (run->lab, command, actor);
  ask_for_line (run);
}

static void
ask_for_line (SyncRun *run)
{
  if (run->asking || run->input == NULL)
    return;
  run->asking = TRUE;
  g_data_input_stream_read_line_async (run->input, G_PRIORITY_DEFAULT, run->cancellable,
                                       on_line, run);
}

/* What arrived since the last time, one batch, flushed; at the @end, the
 * rest, a call still in the kernel as unfinished */
static void
print_progress (SyncRun  *run,
                gboolean  end)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (run->progress.printed == NULL)
    return;
  if (end)
    cap_recording_format_progress_end (cap_lab_get_recording (run->lab), &run->progress, text);
  else
    cap_recording_format_progress (cap_lab_get_recording (run->lab), &run->progress, text);
  if (text->len > 0)
    {
      fwrite (text->str, 1, text->len, stdout);
      fflush (stdout);
    }
}

static gboolean
on_print_timeout (gpointer user_data)
{
  SyncRun *run = user_data;

  run->print_timeout = 0;
  print_progress (run, FALSE);
  return G_SOURCE_REMOVE;
}

/* "next: server accept(), client connect()  [Enter: step]" on stderr */
static void
show_waiters (SyncRun *run)
{
  GArray *waiters = cap_lab_get_waiters (run->lab);
  CapRecording *recording = cap_lab_get_recording (run->lab);
  g_autoptr(GString) line = NULL;

  if (run->shown == NULL || nc_gate_waiters_equal (waiters, run->shown))
    return;
  g_array_set_size (run->shown, 0);
  g_array_append_vals (run->shown, waiters->data, waiters->len);
  if (waiters->len == 0)
    return;

  line = g_string_new ("next:");
  for (guint i = 0; i < waiters->len; i++)
    {
      const NcGateWaiter *w = &g_array_index (waiters, NcGateWaiter, i);

      g_string_append_printf (line, "%s %s %s() [%u]", i ? "," : "",
                              cap_recording_get_actor_name (recording, w->actor),
                              nc_call_kind_name (w->kind), w->actor);
    }
  g_printerr (_("%s  [Enter: step; step N: actor N; run; stop]\n"), line->str);
}

/* A lost packet is said at once, on stderr: never hidden */
static void
show_losses (SyncRun  *run,
             gboolean  at_end)
{
  guint64 n_packets, n_lost;

  if (!cap_lab_get_capture_counts (run->lab, &n_packets, &n_lost))
    return;
  if (n_lost > run->lost_shown)
    g_printerr (_("socklens: the capture LOST %" PRIu64 " packets so far (its buffer was "
                  "full): the timeline and the file miss them\n"), n_lost);
  else if (at_end && n_lost == 0)
    g_printerr (_("socklens: captured %" PRIu64 " packets, none lost\n"), n_packets);
  run->lost_shown = MAX (run->lost_shown, n_lost);
}

static void
on_sync_changed (CapLab  *lab,
                 SyncRun *run)
{
  show_losses (run, FALSE);
  /* In step mode, what the last step did, before asking for the next one;
   * else in batches, a few dozen times a second: a fast run prints a
   * hundred thousand lines without the printing being what takes time. */
  if (run->step)
    print_progress (run, FALSE);
  else if (run->print && run->print_timeout == 0)
    {
      /* On this run's own context, not the default one */
      GSource *source = g_timeout_source_new (PRINT_INTERVAL_MS);
      g_source_set_callback (source, on_print_timeout, run, NULL);
      run->print_timeout = g_source_attach (source, g_main_context_get_thread_default ());
      g_source_unref (source);
    }
  show_waiters (run);
}

static void
on_sync_finished (CapLab  *lab,
                  SyncRun *run)
{
  g_main_loop_quit (run->loop);
}

/**
 * cap_lab_signal_name:
 * How a signal that stops a run is named to a person ("SIGINT (Ctrl+C)").
 */
const char *
cap_lab_signal_name (int signum)
{
  switch (signum)
    {
    case SIGINT: return "SIGINT (Ctrl+C)";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    default: return g_strsignal (signum);
    }
}

/**
 * cap_lab_set_interrupted_error:
 * Sets %CAP_LAB_ERROR_INTERRUPTED: @signum stopped the run, and what
 * @recording holds is everything it recorded, kept.
 */
void
cap_lab_set_interrupted_error (GError      **error,
                               int           signum,
                               CapRecording *recording)
{
  g_set_error (error, CAP_LAB_ERROR, CAP_LAB_ERROR_INTERRUPTED,
               _("Interrupted by %s: the run was stopped after %u calls and %u packets, "
                 "all of them kept"), cap_lab_signal_name (signum),
               cap_recording_get_n_calls (recording), cap_recording_get_n_packets (recording));
}

/* SIGINT, SIGTERM, SIGHUP: the first stops the run (the lab wakes blocked
 * calls and ends its stream; what arrived is kept), a second kills the lab. */
static gboolean
on_signal (gpointer user_data)
{
  SignalWatch *watch = user_data;
  SyncRun *run = watch->run;

  if (run->interrupted_by == 0)
    {
      run->interrupted_by = watch->signum;
      g_printerr (_("\nsocklens: %s: stopping the run; everything recorded so far is kept\n"),
                  cap_lab_signal_name (watch->signum));
      cap_lab_stop (run->lab);
    }
  else
    cap_lab_force_exit (run->lab);
  return G_SOURCE_CONTINUE;
}

static void
watch_signals (SyncRun      *run,
               GMainContext *context)
{
  static const int signums[] = { SIGINT, SIGTERM, SIGHUP };

  for (guint k = 0; k < G_N_ELEMENTS (signums); k++)
    {
      GSource *source = g_unix_signal_source_new (signums[k]);

      run->signals[k] = (SignalWatch) { run, signums[k], 0 };
      g_source_set_callback (source, on_signal, &run->signals[k], NULL);
      run->signals[k].id = g_source_attach (source, context);
      g_source_unref (source);
    }
}

static void
unwatch_signals (SyncRun      *run,
                 GMainContext *context)
{
  for (guint k = 0; k < G_N_ELEMENTS (run->signals); k++)
    if (run->signals[k].id != 0)
      g_source_destroy (g_main_context_find_source_by_id (context, run->signals[k].id));
}

/**
 * cap_lab_run_sync_with:
 * @options: (nullable): what else to do while it runs
 * @out_recording: (out) (transfer full) (optional): the recording, set
 *   whenever the lab was started, even if the run then failed: what was
 *   received is kept
 * @out_stream_path: (out) (transfer full) (optional): with
 *   @options->stream_to, the temporary file the run was streamed to; the
 *   caller removes it once the run is saved
 *
 * Runs a scenario in the lab to its end, on a private main context. In step
 * mode, waiting calls are shown on stderr and lines from stdin drive the
 * gate: Enter steps, and "step N", "run", "pause", "stop" are passed on.
 *
 * Returns: %FALSE with @error set if the lab could not start or the run
 *   did not end well; %CAP_LAB_ERROR_INTERRUPTED if a signal stopped it
 */
gboolean
cap_lab_run_sync_with (const char              *scenario,
                       const NcParams          *params,
                       const CapLabSyncOptions *options,
                       CapRecording           **out_recording,
                       char                   **out_stream_path,
                       GError                 **error)
{
  static const CapLabSyncOptions defaults = { 0 };
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(CapLab) lab = NULL;
  g_autoptr(GInputStream) in = NULL;
  SyncRun run = { 0 };
  gboolean ok;

  if (options == NULL)
    options = &defaults;
  lab = cap_lab_new (options->lab_path);
  run.lab = lab;
  run.step = options->step;
  run.print = options->print;

  g_main_context_push_thread_default (context);
  run.loop = g_main_loop_new (context, FALSE);
  run.cancellable = g_cancellable_new ();
  g_signal_connect (lab, "finished", G_CALLBACK (on_sync_finished), &run);

  if (options->mode != NULL)
    cap_lab_set_mode (lab, options->mode);
  if (options->programs != NULL)
    cap_lab_set_trace (lab, options->programs, options->timeout_s);
  ok = (options->stream_to == NULL || cap_lab_stream_to_file (lab, options->stream_to, error)) &&
       cap_lab_start (lab, scenario, params, options->step, error);
  if (ok)
    {
      if (options->stop_on_signals)
        watch_signals (&run, context);
      if (options->step || options->print)
        cap_text_progress_init (&run.progress);
      if (options->step)
        {
          in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
          run.input = g_data_input_stream_new (in);
          run.shown = g_array_new (FALSE, FALSE, sizeof (NcGateWaiter));
          ask_for_line (&run);
        }
      g_signal_connect (lab, "changed", G_CALLBACK (on_sync_changed), &run);
      g_main_loop_run (run.loop);

      if (run.interrupted_by != 0)
        {
          cap_lab_set_interrupted_error (error, run.interrupted_by, cap_lab_get_recording (lab));
          ok = FALSE;
        }
      else if (cap_lab_get_error (lab) != NULL)
        {
          g_propagate_error (error, g_error_copy (cap_lab_get_error (lab)));
          ok = FALSE;
        }
      if (out_recording != NULL)
        *out_recording = g_object_ref (cap_lab_get_recording (lab));
    }

  unwatch_signals (&run, context);
  if (run.print_timeout != 0)
    g_source_destroy (g_main_context_find_source_by_id (context, run.print_timeout));
  g_cancellable_cancel (run.cancellable);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_signal_handlers_disconnect_by_data (lab, &run);
  g_clear_object (&run.input);
  g_clear_object (&run.cancellable);
  g_clear_pointer (&run.shown, g_array_unref);
  /* The last lines, from after the final step or batch */
  print_progress (&run, TRUE);
  if (run.print)
    show_losses (&run, TRUE);
  if (run.progress.printed != NULL)
    cap_text_progress_clear (&run.progress);
  /* Kept until the caller has saved the run: closed, not removed */
  cap_lab_close_stream_file (lab, FALSE);
  if (out_stream_path != NULL)
    *out_stream_path = g_strdup (cap_lab_get_stream_path (lab));
  if (cap_lab_get_stream_file_error (lab) != NULL)
    g_printerr (_("socklens: the copy streamed during the run is incomplete (%s): it holds "
                  "the run up to there, every block whole\n"),
                cap_lab_get_stream_file_error (lab));
  g_main_loop_unref (run.loop);
  g_main_context_pop_thread_default (context);
  return ok;
}

/* cap_lab_run_sync_with () for tests: nothing printed but the step prompts */
gboolean
cap_lab_run_sync (const char      *lab_path,
                  const char      *scenario,
                  const NcParams  *params,
                  gboolean         step,
                  const char      *mode,
                  CapRecording   **out_recording,
                  GError         **error)
{
  CapLabSyncOptions options = { .lab_path = lab_path, .mode = mode, .step = step };

  return cap_lab_run_sync_with (scenario, params, &options, out_recording, NULL, error);
}

/**
 * cap_lab_trace_sync:
 * Like cap_lab_run_sync () for traced programs (cap_lab_set_trace ()).
 * SIGINT, SIGTERM and SIGHUP stop the run and keep everything recorded
 * until then; @out_interrupted (optional) says whether one did, and @error
 * is then %CAP_LAB_ERROR_INTERRUPTED.
 */
gboolean
cap_lab_trace_sync (const char         *lab_path,
                    const char *const  *programs,
                    guint               timeout_s,
                    gboolean            step,
                    CapRecording      **out_recording,
                    gboolean           *out_interrupted,
                    GError            **error)
{
  CapLabSyncOptions options = {
    .lab_path = lab_path,
    .step = step,
    .stop_on_signals = TRUE,
    .programs = programs,
    .timeout_s = timeout_s,
  };
  GError *local_error = NULL;
  gboolean ok;

  ok = cap_lab_run_sync_with (NULL, NULL, &options, out_recording, NULL, &local_error);
  if (out_interrupted != NULL)
    *out_interrupted = g_error_matches (local_error, CAP_LAB_ERROR, CAP_LAB_ERROR_INTERRUPTED);
  if (local_error != NULL)
    g_propagate_error (error, local_error);
  return ok;
}
