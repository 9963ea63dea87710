/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-cli-in-process.c: `socklens run --in-process`: the scenario on threads
 * of this process, no lab and no capture, each call printed as it returns.
 * Ctrl+C (SIGINT), SIGTERM and SIGHUP stop it as they stop a lab run: the
 * calls recorded so far are kept, saved and reported.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib-unix.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netcore.h"
#include "cap-lab.h"
#include "sl-cli-private.h"

typedef struct
{
  NcRecorder       *recorder;
  const NcScenario *scenario;
  gint64      t0;
  int         actor_width;
  gboolean    flush;
  GMutex      lock;
} Printer;

static void
print_call (Printer      *printer,
            const NcCall *call)
{
  g_autofree char *text = nc_call_to_string (call);
  /* The scenario's names, not the recorder's: this runs inside the
   * recorder's listener, under its lock. */
  const char *name = call->actor < printer->scenario->n_actors
                       ? printer->scenario->actors[call->actor].name : "?";

  printf ("+%.6f  %-*s  %s\n", (call->ts_start - printer->t0) / 1e9, printer->actor_width,
          name, text);
}

static int
actor_width (const NcScenario *scenario)
{
  int width = 6;

  for (guint i = 0; i < scenario->n_actors; i++)
    width = MAX (width, (int) strlen (scenario->actors[i].name));
  return width;
}

/* The run as a recording: what --output saves and the timeline prints.
 * The run has ended: its calls are read one by one, not copied all at once
 * (a third copy of a million calls, beside the recorder's and the
 * recording's, was a third of the peak memory). */
static CapRecording *
recording_from_run (NcRun *run)
{
  NcRecorder *recorder = nc_run_get_recorder (run);
  const NcScenario *scenario = nc_run_get_scenario (run);
  CapRecording *recording = cap_recording_new ();
  guint n_calls = nc_recorder_get_n_calls (recorder);

  cap_recording_set_run_info (recording, scenario->name, scenario->title);
  for (guint i = 0; i < nc_recorder_get_n_actors (recorder); i++)
    {
      NcActorInfo actor;
      if (nc_recorder_get_actor (recorder, i, &actor))
        cap_recording_add_actor (recording, &actor);
    }
  for (guint i = 0; i < n_calls; i++)
    {
      NcCall call;

      if (nc_recorder_get_call (recorder, i, &call))
        cap_recording_add_call (recording, &call, NC_CALL_PHASE_RETURN);
    }
  cap_recording_commit (recording);
  return recording;
}

/* Each call is printed as it returns (in step mode flushed at once, so the
 * class sees the result of the step it just made). */
static void
on_call_live (const NcCall *call,
              NcCallPhase   phase,
              gpointer      user_data)
{
  Printer *printer = user_data;

  if (phase != NC_CALL_PHASE_RETURN)
    return;
  g_mutex_lock (&printer->lock);
  print_call (printer, call);
  if (printer->flush)
    fflush (stdout);
  g_mutex_unlock (&printer->lock);
}

static void
describe_waiters (NcRun *run)
{
  NcRecorder *recorder = nc_run_get_recorder (run);
  g_autoptr(GArray) waiters = nc_gate_copy_waiters (nc_run_get_gate (run));
  GString *line = g_string_new ("next:");

  for (guint i = 0; i < waiters->len; i++)
    {
      const NcGateWaiter *w = &g_array_index (waiters, NcGateWaiter, i);
      NcActorInfo actor = { 0 };

      nc_recorder_get_actor (recorder, w->actor, &actor);
      g_string_append_printf (line, "%s %s %s()", i ? "," : "", actor.name,
                              nc_call_kind_name (w->kind));
    }
  fprintf (stderr, _("%s  [Enter: step]\n"), line->str);
  g_string_free (line, TRUE);
}

/* Whether stdin has a line to read within @timeout_ms (poll, not a read: a
 * stopped run must not wait for Enter) */
static gboolean
stdin_readable (int timeout_ms)
{
  struct pollfd fd = { .fd = STDIN_FILENO, .events = POLLIN };

  return poll (&fd, 1, timeout_ms) > 0;
}

/* Enter releases the call that has waited longest; end of input runs the
 * rest. Returns when the run ends or is stopped (Ctrl+C). */
static void
drive_steps (NcRun *run)
{
  NcGate *gate = nc_run_get_gate (run);
  char line[256];

  while (!nc_run_is_finished (run) && !nc_gate_is_stopped (gate))
    {
      if (!nc_gate_wait_for_waiter (gate, 50 * 1000))
        continue;
      describe_waiters (run);
      while (!stdin_readable (50))
        if (nc_gate_is_stopped (gate) || nc_run_is_finished (run))
          return;
      if (fgets (line, sizeof line, stdin) == NULL)
        {
          nc_gate_run (gate);
          return;
        }
      nc_gate_step (gate);
    }
}

/* The run, driven and waited for on a thread of its own, while the main
 * thread waits for either its end or a signal. */
typedef struct
{
  NcRun        *run;
  gboolean      step;
  GMainContext *context;
  GMainLoop    *loop;
  gboolean      ok;
  GError       *error;
  int           interrupted_by;  /* the first signal that stopped the run, or 0 */
} InProcessRun;

static gboolean
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static gpointer
wait_thread (gpointer user_data)
{
  InProcessRun *ipr = user_data;
  GSource *done;

  if (ipr->step)
    drive_steps (ipr->run);
  ipr->ok = nc_run_wait (ipr->run, &ipr->error);
  done = g_idle_source_new ();
  g_source_set_callback (done, quit_loop, g_main_loop_ref (ipr->loop),
                         (GDestroyNotify) g_main_loop_unref);
  g_source_attach (done, ipr->context);
  g_source_unref (done);
  return NULL;
}

typedef struct
{
  InProcessRun *ipr;
  int           signum;
} SignalWatch;

/* SIGINT, SIGTERM, SIGHUP: the run stops (blocked calls are woken) and
 * what was recorded is kept, as in the lab. */
static gboolean
on_signal (gpointer user_data)
{
  SignalWatch *watch = user_data;

  if (watch->ipr->interrupted_by == 0)
    {
      watch->ipr->interrupted_by = watch->signum;
      fprintf (stderr, _("\nsocklens: %s: stopping the run; everything recorded so far is kept\n"),
               cap_lab_signal_name (watch->signum));
    }
  nc_run_stop (watch->ipr->run);
  return G_SOURCE_CONTINUE;
}

/* Starts the run with SIGINT, SIGTERM and SIGHUP watched on @ipr's context
 * and blocked on every thread but this one (the actors' threads inherit the
 * mask), so a signal never interrupts an actor's call with EINTR. */
static gboolean
start_watching_signals (InProcessRun *ipr,
                        SignalWatch   watches[3],
                        guint         ids[3],
                        GThread     **waiter,
                        GError      **error)
{
  static const int signums[] = { SIGINT, SIGTERM, SIGHUP };
  sigset_t set, old;
  gboolean ok;

  sigemptyset (&set);
  for (guint k = 0; k < G_N_ELEMENTS (signums); k++)
    {
      GSource *source = g_unix_signal_source_new (signums[k]);

      watches[k] = (SignalWatch) { ipr, signums[k] };
      g_source_set_callback (source, on_signal, &watches[k], NULL);
      ids[k] = g_source_attach (source, ipr->context);
      g_source_unref (source);
      sigaddset (&set, signums[k]);
    }
  pthread_sigmask (SIG_BLOCK, &set, &old);
  ok = nc_run_start (ipr->run, error);
  if (ok)
    *waiter = g_thread_new ("in-process-wait", wait_thread, ipr);
  pthread_sigmask (SIG_SETMASK, &old, NULL);
  return ok;
}

/* Runs in this process, with no capture: the calls only. Interrupted by a
 * signal, it returns %CAP_LAB_ERROR_INTERRUPTED with the calls recorded so
 * far in @out_recording. */
gboolean
sl_cli_run_in_process (const NcScenario *scenario,
                       const NcParams   *params,
                       gboolean          step,
                       CapRecording    **out_recording,
                       GError          **error)
{
  g_autoptr(NcRun) run = nc_run_new (scenario, params);
  g_autoptr(GMainContext) context = g_main_context_new ();
  InProcessRun ipr = { .run = run, .step = step, .context = context };
  SignalWatch watches[3];
  guint ids[3] = { 0 };
  GThread *waiter = NULL;
  Printer printer = { 0 };
  gboolean ok;

  printer.recorder = nc_run_get_recorder (run);
  printer.scenario = scenario;
  printer.t0 = nc_recorder_get_start_time (printer.recorder);
  printer.actor_width = actor_width (scenario);
  printer.flush = step;
  g_mutex_init (&printer.lock);
  nc_recorder_set_listener (printer.recorder, on_call_live, &printer);
  if (step)
    nc_run_set_stepping (run, TRUE);

  g_main_context_push_thread_default (context);
  ipr.loop = g_main_loop_new (context, FALSE);
  ok = start_watching_signals (&ipr, watches, ids, &waiter, error);
  if (ok)
    {
      g_main_loop_run (ipr.loop);
      g_thread_join (waiter);
      ok = ipr.ok;
      if (ipr.interrupted_by != 0)
        {
          g_clear_error (&ipr.error);
          ok = FALSE;
        }
      *out_recording = recording_from_run (run);
      if (ipr.interrupted_by != 0)
        cap_lab_set_interrupted_error (error, ipr.interrupted_by, *out_recording);
      else if (!ok)
        g_propagate_error (error, g_steal_pointer (&ipr.error));
    }
  for (guint k = 0; k < G_N_ELEMENTS (ids); k++)
    if (ids[k] != 0)
      g_source_destroy (g_main_context_find_source_by_id (context, ids[k]));
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_loop_unref (ipr.loop);
  g_main_context_pop_thread_default (context);
  nc_recorder_set_listener (printer.recorder, NULL, NULL);
  fflush (stdout);
  g_mutex_clear (&printer.lock);
  return ok;
}
