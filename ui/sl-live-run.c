/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-live-run.c: the window's live run, over CapLab.
 *
 * CapLab runs the scenario in the socklens-lab helper and feeds its stream
 * into a CapRecording on the main loop; the helper's gate is told "step",
 * "run", "pause", "stop". What this adds is what the window needs on top:
 *
 * - Every press of Step is exactly one call. The helper ignores a step when
 *   nothing waits at its gate (an actor may still be on its way there, or a
 *   step may already be in flight), so presses are counted here and each is
 *   sent only when a waiter is reported, and the next only once the gate's
 *   report shows the previous one taken.
 * - A state the window can show (stepping, running, finished) and a short
 *   description of what waits at the gate.
 */

#include "config.h"

#include "sl-live-run.h"

#include <glib/gi18n.h>

#include "cap-lab.h"

struct _SlLiveRun
{
  GObject           parent_instance;

  const NcScenario *scenario;  /* NULL when tracing programs */
  NcParams         *params;
  char            **programs;  /* what to trace instead of a scenario, or NULL */
  CapLab           *lab;
  SlLiveRunState    state;
  GArray           *in_flight;  /* the gate's waiters when the last step was sent, or NULL */
  guint             n_pending;
  guint             n_steps;
};

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

enum {
  CHANGED,
  FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (SlLiveRun, sl_live_run, G_TYPE_OBJECT)

static void
sl_live_run_dispose (GObject *object)
{
  SlLiveRun *self = SL_LIVE_RUN (object);

  /* Dropping the lab closes its stdin: the helper stops the run and exits. */
  if (self->lab != NULL)
    g_signal_handlers_disconnect_by_data (self->lab, self);
  g_clear_object (&self->lab);

  G_OBJECT_CLASS (sl_live_run_parent_class)->dispose (object);
}

static void
sl_live_run_finalize (GObject *object)
{
  SlLiveRun *self = SL_LIVE_RUN (object);

  g_clear_pointer (&self->params, nc_params_free);
  g_clear_pointer (&self->programs, g_strfreev);
  g_clear_pointer (&self->in_flight, g_array_unref);

  G_OBJECT_CLASS (sl_live_run_parent_class)->finalize (object);
}

static void
sl_live_run_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  SlLiveRun *self = SL_LIVE_RUN (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_uint (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sl_live_run_class_init (SlLiveRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sl_live_run_dispose;
  object_class->finalize = sl_live_run_finalize;
  object_class->get_property = sl_live_run_get_property;

  properties[PROP_STATE] =
    g_param_spec_uint ("state", NULL, NULL, SL_LIVE_RUN_IDLE, SL_LIVE_RUN_FINISHED,
                       SL_LIVE_RUN_IDLE,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SlLiveRun::changed:
   * New calls or packets are in the recording, or what waits at the gate changed.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * SlLiveRun::finished:
   * The run ended and everything it sent is in the recording. Emitted once.
   */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sl_live_run_init (SlLiveRun *self)
{
  self->lab = cap_lab_new (NULL);
}

SlLiveRun *
sl_live_run_new (const NcScenario *scenario,
                 const NcParams   *params)
{
  SlLiveRun *self;

  g_return_val_if_fail (scenario != NULL, NULL);

  self = g_object_new (SL_TYPE_LIVE_RUN, NULL);
  self->scenario = scenario;
  self->params = params ? nc_params_copy (params) : nc_params_new (scenario);
  return self;
}

/**
 * sl_live_run_new_traced:
 * @programs: students' programs (.py files, executables, command lines),
 *   started in this order, run traced in the lab as `socklens trace` does
 * @timeout_s: the lab's time limit (0: none)
 */
SlLiveRun *
sl_live_run_new_traced (const char *const *programs,
                        guint              timeout_s)
{
  SlLiveRun *self;

  g_return_val_if_fail (programs != NULL && programs[0] != NULL, NULL);

  self = g_object_new (SL_TYPE_LIVE_RUN, NULL);
  self->programs = g_strdupv ((char **) programs);
  cap_lab_set_trace (self->lab, programs, timeout_s);
  return self;
}

const char *const *
sl_live_run_get_programs (SlLiveRun *self)
{
  g_return_val_if_fail (SL_IS_LIVE_RUN (self), NULL);
  return (const char *const *) self->programs;
}

/* ---- steps --------------------------------------------------------------- */

static void
release_pending_steps (SlLiveRun *self)
{
  GArray *waiters;

  if (self->state != SL_LIVE_RUN_STEPPING)
    return;
  waiters = cap_lab_get_waiters (self->lab);
  if (self->in_flight != NULL)
    {
      if (nc_gate_waiters_equal (self->in_flight, waiters))
        return;  /* the gate has not reported the last step taken yet */
      g_clear_pointer (&self->in_flight, g_array_unref);
    }
  if (self->n_pending == 0 || waiters->len == 0)
    return;
  if (!cap_lab_step (self->lab))
    return;
  self->n_pending--;
  self->n_steps++;
  self->in_flight = g_array_copy (waiters);
}

static void
set_state (SlLiveRun      *self,
           SlLiveRunState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
on_lab_changed (SlLiveRun *self)
{
  release_pending_steps (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_lab_finished (SlLiveRun *self)
{
  self->n_pending = 0;
  g_clear_pointer (&self->in_flight, g_array_unref);
  set_state (self, SL_LIVE_RUN_FINISHED);
  g_signal_emit (self, signals[CHANGED], 0);
  g_signal_emit (self, signals[FINISHED], 0);
}

/* ---- public API ---------------------------------------------------------- */

const NcScenario *
sl_live_run_get_scenario (SlLiveRun *self)
{
  g_return_val_if_fail (SL_IS_LIVE_RUN (self), NULL);
  return self->scenario;
}

CapRecording *
sl_live_run_get_recording (SlLiveRun *self)
{
  g_return_val_if_fail (SL_IS_LIVE_RUN (self), NULL);
  return cap_lab_get_recording (self->lab);
}

SlLiveRunState
sl_live_run_get_state (SlLiveRun *self)
{
  g_return_val_if_fail (SL_IS_LIVE_RUN (self), SL_LIVE_RUN_IDLE);
  return self->state;
}

/**
 * sl_live_run_start:
 * @stepping: hold each call at the gate until sl_live_run_step ()
 *
 * Starts the lab. Never blocks: events arrive through ::changed.
 * Returns: %FALSE with @error set if the lab could not start.
 */
gboolean
sl_live_run_start (SlLiveRun  *self,
                   gboolean    stepping,
                   GError    **error)
{
  g_return_val_if_fail (SL_IS_LIVE_RUN (self), FALSE);
  g_return_val_if_fail (self->state == SL_LIVE_RUN_IDLE, FALSE);

  g_signal_connect_swapped (self->lab, "changed", G_CALLBACK (on_lab_changed), self);
  g_signal_connect_swapped (self->lab, "finished", G_CALLBACK (on_lab_finished), self);
  if (!cap_lab_start (self->lab, self->scenario ? self->scenario->name : NULL, self->params,
                      stepping, error))
    return FALSE;
  set_state (self, stepping ? SL_LIVE_RUN_STEPPING : SL_LIVE_RUN_RUNNING);
  return TRUE;
}

/**
 * sl_live_run_step:
 * Lets one call through: the one that has waited longest. If none waits yet,
 * the step is kept and spent as soon as one does.
 */
void
sl_live_run_step (SlLiveRun *self)
{
  g_return_if_fail (SL_IS_LIVE_RUN (self));

  if (self->state != SL_LIVE_RUN_STEPPING)
    return;
  self->n_pending++;
  release_pending_steps (self);
}

void
sl_live_run_step_actor (SlLiveRun *self,
                        guint      actor)
{
  g_return_if_fail (SL_IS_LIVE_RUN (self));

  if (self->state != SL_LIVE_RUN_STEPPING)
    return;
  for (guint i = 0; i < cap_lab_get_waiters (self->lab)->len; i++)
    if (g_array_index (cap_lab_get_waiters (self->lab), NcGateWaiter, i).actor == actor &&
        cap_lab_step_actor (self->lab, actor))
      {
        self->n_steps++;
        return;
      }
}

void
sl_live_run_run (SlLiveRun *self)
{
  g_return_if_fail (SL_IS_LIVE_RUN (self));

  if (self->state != SL_LIVE_RUN_STEPPING)
    return;
  self->n_pending = 0;
  g_clear_pointer (&self->in_flight, g_array_unref);
  cap_lab_run (self->lab);
  set_state (self, SL_LIVE_RUN_RUNNING);
}

void
sl_live_run_pause (SlLiveRun *self)
{
  g_return_if_fail (SL_IS_LIVE_RUN (self));

  if (self->state != SL_LIVE_RUN_RUNNING)
    return;
  cap_lab_pause (self->lab);
  set_state (self, SL_LIVE_RUN_STEPPING);
}

void
sl_live_run_stop (SlLiveRun *self)
{
  g_return_if_fail (SL_IS_LIVE_RUN (self));

  self->n_pending = 0;
  if (self->state == SL_LIVE_RUN_STEPPING || self->state == SL_LIVE_RUN_RUNNING)
    cap_lab_stop (self->lab);
}

guint
sl_live_run_get_n_steps (SlLiveRun *self)
{
  g_return_val_if_fail (SL_IS_LIVE_RUN (self), 0);
  return self->n_steps;
}

guint
sl_live_run_get_n_pending (SlLiveRun *self)
{
  g_return_val_if_fail (SL_IS_LIVE_RUN (self), 0);
  return self->n_pending;
}

/* The lab reports the gate's waiters and the calls from different threads,
 * so the last report can still hold a waiter that was released and whose
 * call has since entered the recording (the report saying so comes a moment
 * later). A waiter arrived at the gate before its call started: if the
 * actor's newest call started at or after the waiter's arrival, that call is
 * the waiter, and it no longer waits. */
static gboolean
waiter_has_run (CapRecording       *recording,
                const NcGateWaiter *waiter)
{
  for (guint i = cap_recording_get_n_calls (recording); i-- > 0;)
    {
      const NcCall *call = cap_recording_get_call (recording, i);

      if (call->actor == waiter->actor)
        return call->ts_start >= waiter->since_ns;
    }
  return FALSE;
}

char *
sl_live_run_describe_waiting (SlLiveRun *self)
{
  CapRecording *recording;
  GArray *waiters;
  GString *text;

  g_return_val_if_fail (SL_IS_LIVE_RUN (self), NULL);

  if (self->state != SL_LIVE_RUN_STEPPING && self->state != SL_LIVE_RUN_RUNNING)
    return NULL;
  waiters = cap_lab_get_waiters (self->lab);
  if (waiters->len == 0)
    return NULL;

  recording = cap_lab_get_recording (self->lab);
  text = g_string_new (NULL);
  for (guint i = 0; i < waiters->len; i++)
    {
      const NcGateWaiter *w = &g_array_index (waiters, NcGateWaiter, i);
      const char *name = NULL;

      if (waiter_has_run (recording, w))
        continue;
      if (w->actor < cap_recording_get_n_actors (recording))
        name = cap_recording_get_actor (recording, w->actor)->name;
      else if (self->scenario != NULL && w->actor < self->scenario->n_actors)
        name = self->scenario->actors[w->actor].name;
      g_string_append_printf (text, "%s%s %s()", text->len ? ", " : "", name ? name : "?",
                              nc_call_kind_name (w->kind));
    }
  if (text->len == 0)
    {
      g_string_free (text, TRUE);
      return NULL;
    }
  return g_string_free (text, FALSE);
}

/**
 * sl_live_run_get_lab_message:
 * Returns: how the lab captures ("private namespace, capturing lo"), or why
 *   it cannot, as the helper said it; %NULL until it has
 */
const char *
sl_live_run_get_lab_message (SlLiveRun *self)
{
  g_return_val_if_fail (SL_IS_LIVE_RUN (self), NULL);
  return cap_lab_get_mode_message (self->lab);
}

const char *
sl_live_run_get_capture_problem (SlLiveRun *self)
{
  CapRecording *recording;

  g_return_val_if_fail (SL_IS_LIVE_RUN (self), NULL);

  /* The lab says how it captures as its first message; a warning or an
   * error there means packets are missing, with the fix in the text. */
  recording = cap_lab_get_recording (self->lab);
  for (guint i = 0; i < cap_recording_get_n_messages (recording); i++)
    {
      CapMessageSeverity severity = CAP_MESSAGE_INFO;
      const char *text = cap_recording_get_message (recording, i, &severity);

      if (severity != CAP_MESSAGE_INFO && g_strcmp0 (text, cap_lab_get_mode_message (self->lab)) == 0)
        return text;
    }
  return NULL;
}

/* Packets the capture lost (its buffer was full), as the lab counted them */
guint64
sl_live_run_get_n_lost (SlLiveRun *self)
{
  guint64 n_packets, n_lost;

  g_return_val_if_fail (SL_IS_LIVE_RUN (self), 0);
  return cap_lab_get_capture_counts (self->lab, &n_packets, &n_lost) ? n_lost : 0;
}

const GError *
sl_live_run_get_error (SlLiveRun *self)
{
  g_return_val_if_fail (SL_IS_LIVE_RUN (self), NULL);
  return cap_lab_get_error (self->lab);
}

gboolean
sl_live_run_was_stopped (SlLiveRun *self)
{
  g_return_val_if_fail (SL_IS_LIVE_RUN (self), FALSE);
  return g_error_matches (cap_lab_get_error (self->lab), CAP_LAB_ERROR, CAP_LAB_ERROR_STOPPED);
}

/**
 * sl_live_run_keep_stream:
 * @target: a file name in the directory the stream file goes to
 *
 * The window's recovery file: see cap_lab_stream_to_file ().
 */
gboolean
sl_live_run_keep_stream (SlLiveRun   *self,
                         const char  *target,
                         GError     **error)
{
  g_return_val_if_fail (SL_IS_LIVE_RUN (self), FALSE);
  g_return_val_if_fail (self->state == SL_LIVE_RUN_IDLE, FALSE);

  return cap_lab_stream_to_file (self->lab, target, error);
}

const char *
sl_live_run_get_stream_path (SlLiveRun *self)
{
  g_return_val_if_fail (SL_IS_LIVE_RUN (self), NULL);
  return self->lab != NULL ? cap_lab_get_stream_path (self->lab) : NULL;
}

const char *
sl_live_run_get_stream_error (SlLiveRun *self)
{
  g_return_val_if_fail (SL_IS_LIVE_RUN (self), NULL);
  return self->lab != NULL ? cap_lab_get_stream_file_error (self->lab) : NULL;
}

void
sl_live_run_drop_stream (SlLiveRun *self,
                         gboolean   remove)
{
  g_return_if_fail (SL_IS_LIVE_RUN (self));
  if (self->lab != NULL)
    cap_lab_close_stream_file (self->lab, remove);
}
