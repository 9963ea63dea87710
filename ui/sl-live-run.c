/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-live-run.c: the window's live run, until CapLab lands.
 *
 * Three kinds of thread meet here. Actor threads report calls through the
 * recorder's listener; a capture thread reads `lo` with libpcap in immediate
 * mode; both only append to queues under a mutex. The main thread drains the
 * queues on a short timer, merges calls and frames in time order and feeds
 * the recording, which is not thread-safe and so is touched only there.
 *
 * Events younger than a few milliseconds are held back one tick, so a packet
 * that the capture thread delivers a little after a later call still lands
 * in time order. Frames on `lo` that belong to no port the run's calls used
 * are dropped: a desktop's loopback carries other programs' traffic.
 */

#include "config.h"

#include "sl-live-run.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <string.h>

#define DRAIN_INTERVAL_MS 15
#define HOLD_BACK_NS      (5 * G_TIME_SPAN_MILLISECOND * 1000)
#define CAPTURE_GRACE_US  (150 * G_TIME_SPAN_MILLISECOND)

typedef struct
{
  NcCall      call;
  NcCallPhase phase;
} QueuedCall;

typedef struct
{
  gint64  ts;
  guint32 caplen;
  guint32 len;
  guint8  data[];
} QueuedFrame;

struct _SlLiveRun
{
  GObject           parent_instance;

  const NcScenario *scenario;
  NcParams         *params;
  NcRun            *run;
  CapRecording     *recording;
  SlLiveRunState    state;
  GError           *error;
  char             *capture_problem;

  /* Shared with the actor and capture threads */
  GMutex            lock;
  GArray           *calls;    /* QueuedCall */
  GPtrArray        *frames;   /* QueuedFrame */
  pcap_t           *pcap;
  guint32           linktype;
  GThread          *capture_thread;
  gint              capture_stop;  /* atomic */

  /* Main thread only */
  GArray           *held_calls;
  GPtrArray        *held_frames;
  GHashTable       *ports;    /* ports the run's calls used */
  guint             n_actors_added;
  guint             n_pending;
  guint             drain_source;
  char             *last_waiting;
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_CAPTURING,
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

static void stop_capture (SlLiveRun *self);

static void
sl_live_run_dispose (GObject *object)
{
  SlLiveRun *self = SL_LIVE_RUN (object);

  g_clear_handle_id (&self->drain_source, g_source_remove);
  if (self->run != NULL)
    nc_run_stop (self->run);
  stop_capture (self);
  g_clear_object (&self->run);
  g_clear_object (&self->recording);

  G_OBJECT_CLASS (sl_live_run_parent_class)->dispose (object);
}

static void
sl_live_run_finalize (GObject *object)
{
  SlLiveRun *self = SL_LIVE_RUN (object);

  g_clear_pointer (&self->params, nc_params_free);
  g_clear_error (&self->error);
  g_clear_pointer (&self->capture_problem, g_free);
  g_clear_pointer (&self->calls, g_array_unref);
  g_clear_pointer (&self->frames, g_ptr_array_unref);
  g_clear_pointer (&self->held_calls, g_array_unref);
  g_clear_pointer (&self->held_frames, g_ptr_array_unref);
  g_clear_pointer (&self->ports, g_hash_table_unref);
  g_clear_pointer (&self->last_waiting, g_free);
  g_mutex_clear (&self->lock);

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
    case PROP_CAPTURING:
      g_value_set_boolean (value, self->pcap != NULL);
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
  properties[PROP_CAPTURING] =
    g_param_spec_boolean ("capturing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SlLiveRun::changed:
   * New calls or packets are in the recording (already committed), or what
   * waits at the gate changed.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * SlLiveRun::finished:
   * Every actor returned and the last packets are in. Emitted once.
   */
  signals[FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sl_live_run_init (SlLiveRun *self)
{
  g_mutex_init (&self->lock);
  self->recording = cap_recording_new ();
  self->calls = g_array_new (FALSE, FALSE, sizeof (QueuedCall));
  self->frames = g_ptr_array_new_with_free_func (g_free);
  self->held_calls = g_array_new (FALSE, FALSE, sizeof (QueuedCall));
  self->held_frames = g_ptr_array_new_with_free_func (g_free);
  self->ports = g_hash_table_new (NULL, NULL);
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
  cap_recording_set_run_info (self->recording, scenario->name, scenario->title);
  return self;
}

/* ---- the other threads ------------------------------------------------- */

/* On an actor's thread: copy and queue, nothing more (it is part of the call's cost). */
static void
on_call (const NcCall *call,
         NcCallPhase   phase,
         gpointer      user_data)
{
  SlLiveRun *self = user_data;
  QueuedCall q = { .call = *call, .phase = phase };

  g_mutex_lock (&self->lock);
  g_array_append_val (self->calls, q);
  g_mutex_unlock (&self->lock);
}

static void
on_frame (u_char                   *user,
          const struct pcap_pkthdr *hdr,
          const u_char             *bytes)
{
  SlLiveRun *self = (SlLiveRun *) user;
  QueuedFrame *f = g_malloc (sizeof *f + hdr->caplen);

  /* Opened with nanosecond precision: tv_usec holds nanoseconds. */
  f->ts = (gint64) hdr->ts.tv_sec * G_GINT64_CONSTANT (1000000000) + hdr->ts.tv_usec;
  f->caplen = hdr->caplen;
  f->len = hdr->len;
  memcpy (f->data, bytes, hdr->caplen);

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->frames, f);
  g_mutex_unlock (&self->lock);
}

static gpointer
capture_thread (gpointer data)
{
  SlLiveRun *self = data;
  struct pollfd pfd = { .fd = pcap_get_selectable_fd (self->pcap), .events = POLLIN };

  while (!g_atomic_int_get (&self->capture_stop))
    {
      if (poll (&pfd, 1, 50) < 0 && errno != EINTR)
        break;
      if (pcap_dispatch (self->pcap, -1, on_frame, (u_char *) self) < 0)
        break;
    }
  /* What the kernel still buffers belongs to the run too. */
  while (pcap_dispatch (self->pcap, -1, on_frame, (u_char *) self) > 0)
    ;
  return NULL;
}

/* Opens `lo` before any actor starts, so the first SYN is not missed. */
static gboolean
start_capture (SlLiveRun *self)
{
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  pcap_t *p = pcap_create ("lo", errbuf);
  int status;

  if (p == NULL)
    goto failed;
  pcap_set_snaplen (p, 262144);
  pcap_set_immediate_mode (p, 1);  /* else packets come up to a second late */
  pcap_set_tstamp_precision (p, PCAP_TSTAMP_PRECISION_NANO);
  status = pcap_activate (p);
  if (status < 0)
    {
      g_strlcpy (errbuf, pcap_geterr (p), sizeof errbuf);
      pcap_close (p);
      goto failed;
    }
  if (pcap_get_tstamp_precision (p) != PCAP_TSTAMP_PRECISION_NANO ||
      pcap_setnonblock (p, 1, errbuf) < 0 || pcap_get_selectable_fd (p) < 0)
    {
      pcap_close (p);
      goto failed;
    }

  self->pcap = p;
  self->linktype = (guint32) pcap_datalink (p);
  self->capture_thread = g_thread_new ("sl-capture", capture_thread, self);
  return TRUE;

failed:
  self->capture_problem =
    g_strdup_printf ("Packets are not captured (%s): only the calls are shown. "
                     "Capturing needs CAP_NET_RAW: run “sudo setcap "
                     "cap_net_raw,cap_net_admin=eip %s” once, or use the lab helper.",
                     errbuf[0] ? errbuf : "loopback capture unavailable",
                     "$(which socklens)");
  return FALSE;
}

static void
stop_capture (SlLiveRun *self)
{
  if (self->capture_thread == NULL)
    return;
  g_atomic_int_set (&self->capture_stop, TRUE);
  g_thread_join (g_steal_pointer (&self->capture_thread));
  g_clear_pointer (&self->pcap, pcap_close);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAPTURING]);
}

/* ---- the main thread: feeding the recording ------------------------------ */

static void
note_port (SlLiveRun  *self,
           const char *address)
{
  const char *colon = strrchr (address, ':');
  guint64 port;

  if (colon == NULL || !g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL))
    return;
  g_hash_table_add (self->ports, GUINT_TO_POINTER ((guint) port));
}

static gboolean
frame_is_ours (SlLiveRun         *self,
               const QueuedFrame *f)
{
  CapSummary s;

  if (!cap_dissect_summary (self->linktype, f->data, f->caplen, f->len, &s) || s.family == 0)
    return FALSE;
  if (s.flags & CAP_SUMMARY_QUOTED)
    return g_hash_table_contains (self->ports, GUINT_TO_POINTER ((guint) s.quoted_sport)) ||
           g_hash_table_contains (self->ports, GUINT_TO_POINTER ((guint) s.quoted_dport));
  if (!(s.flags & CAP_SUMMARY_TRANSPORT))
    return FALSE;
  return g_hash_table_contains (self->ports, GUINT_TO_POINTER ((guint) s.sport)) ||
         g_hash_table_contains (self->ports, GUINT_TO_POINTER ((guint) s.dport));
}

static gint64
queued_call_ts (const QueuedCall *q)
{
  return q->phase == NC_CALL_PHASE_ENTER ? q->call.ts_start : q->call.ts_end;
}

static void
add_new_actors (SlLiveRun *self)
{
  NcRecorder *recorder = nc_run_get_recorder (self->run);
  guint n = nc_recorder_get_n_actors (recorder);

  for (; self->n_actors_added < n; self->n_actors_added++)
    {
      NcActorInfo info;

      if (nc_recorder_get_actor (recorder, self->n_actors_added, &info))
        cap_recording_add_actor (self->recording, &info);
    }
}

/* Moves everything the threads queued, older than @horizon, into the
 * recording, calls and frames merged by time. Returns whether it added any. */
static gboolean
drain (SlLiveRun *self,
       gint64     horizon)
{
  guint ci = 0, fi = 0;
  guint n_calls, n_frames;
  gboolean added = FALSE;

  g_mutex_lock (&self->lock);
  g_array_append_vals (self->held_calls, self->calls->data, self->calls->len);
  g_array_set_size (self->calls, 0);
  g_ptr_array_extend_and_steal (self->held_frames, g_steal_pointer (&self->frames));
  self->frames = g_ptr_array_new_with_free_func (g_free);
  g_mutex_unlock (&self->lock);

  add_new_actors (self);

  /* Both queues are in order by themselves; capture order is time order. */
  n_calls = self->held_calls->len;
  n_frames = self->held_frames->len;
  for (guint i = 0; i < n_calls; i++)
    {
      const NcCall *call = &g_array_index (self->held_calls, QueuedCall, i).call;
      note_port (self, call->local);
      note_port (self, call->peer);
    }

  while (ci < n_calls || fi < n_frames)
    {
      QueuedCall *q = ci < n_calls ? &g_array_index (self->held_calls, QueuedCall, ci) : NULL;
      QueuedFrame *f = fi < n_frames ? g_ptr_array_index (self->held_frames, fi) : NULL;
      gint64 cts = q ? queued_call_ts (q) : G_MAXINT64;
      gint64 fts = f ? f->ts : G_MAXINT64;

      if (MIN (cts, fts) > horizon)
        break;
      if (q != NULL && cts <= fts)
        {
          cap_recording_add_call (self->recording, &q->call, q->phase);
          ci++;
          added = TRUE;
        }
      else
        {
          if (frame_is_ours (self, f))
            {
              cap_recording_add_frame (self->recording, self->linktype, f->ts, f->data,
                                       f->caplen, f->len);
              added = TRUE;
            }
          fi++;
        }
    }
  g_array_remove_range (self->held_calls, 0, ci);
  g_ptr_array_remove_range (self->held_frames, 0, fi);

  if (added)
    cap_recording_commit (self->recording);
  return added;
}

static void
release_pending_steps (SlLiveRun *self)
{
  NcGate *gate = nc_run_get_gate (self->run);

  while (self->n_pending > 0 && nc_gate_step (gate))
    self->n_pending--;
}

static gboolean
on_drain_tick (gpointer user_data)
{
  SlLiveRun *self = user_data;
  g_autofree char *waiting = NULL;
  gboolean changed;

  release_pending_steps (self);
  changed = drain (self, nc_now_ns () - HOLD_BACK_NS);

  waiting = sl_live_run_describe_waiting (self);
  if (g_strcmp0 (waiting, self->last_waiting) != 0)
    {
      g_free (self->last_waiting);
      self->last_waiting = g_steal_pointer (&waiting);
      changed = TRUE;
    }

  if (changed)
    g_signal_emit (self, signals[CHANGED], 0);
  return G_SOURCE_CONTINUE;
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

/* In a worker: wait for the actors, give the last packets time to arrive. */
static void
wait_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SlLiveRun *self = source_object;
  GError *error = NULL;

  nc_run_wait (self->run, &error);
  g_usleep (CAPTURE_GRACE_US);
  if (self->capture_thread != NULL)
    {
      g_atomic_int_set (&self->capture_stop, TRUE);
      g_thread_join (g_steal_pointer (&self->capture_thread));
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_run_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  SlLiveRun *self = SL_LIVE_RUN (source);

  g_task_propagate_boolean (G_TASK (result), &self->error);
  g_clear_handle_id (&self->drain_source, g_source_remove);
  g_clear_pointer (&self->pcap, pcap_close);
  drain (self, G_MAXINT64);
  cap_recording_commit (self->recording);
  g_clear_pointer (&self->last_waiting, g_free);

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
  return self->recording;
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
 * Starts the actors. Never blocks: events arrive through ::changed.
 * Returns: %FALSE with @error set if the actors could not start.
 */
gboolean
sl_live_run_start (SlLiveRun  *self,
                   gboolean    stepping,
                   GError    **error)
{
  g_autoptr(GTask) task = NULL;

  g_return_val_if_fail (SL_IS_LIVE_RUN (self), FALSE);
  g_return_val_if_fail (self->state == SL_LIVE_RUN_IDLE, FALSE);

  self->run = nc_run_new (self->scenario, self->params);
  nc_run_set_stepping (self->run, stepping);
  nc_recorder_set_listener (nc_run_get_recorder (self->run), on_call, self);

  start_capture (self);
  if (!nc_run_start (self->run, error))
    {
      stop_capture (self);
      return FALSE;
    }

  set_state (self, stepping ? SL_LIVE_RUN_STEPPING : SL_LIVE_RUN_RUNNING);
  self->drain_source = g_timeout_add (DRAIN_INTERVAL_MS, on_drain_tick, self);

  task = g_task_new (self, NULL, on_run_done, NULL);
  g_task_set_source_tag (task, sl_live_run_start);
  g_task_run_in_thread (task, wait_thread);
  return TRUE;
}

/**
 * sl_live_run_step:
 * Lets one call through: the one that has waited longest. If none waits yet
 * (an actor is still on its way to the gate), the step is kept and spent as
 * soon as one arrives, so every press of Step is exactly one call.
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

  if (self->state == SL_LIVE_RUN_STEPPING)
    nc_gate_step_actor (nc_run_get_gate (self->run), actor);
}

void
sl_live_run_run (SlLiveRun *self)
{
  g_return_if_fail (SL_IS_LIVE_RUN (self));

  if (self->state != SL_LIVE_RUN_STEPPING)
    return;
  self->n_pending = 0;
  nc_gate_run (nc_run_get_gate (self->run));
  set_state (self, SL_LIVE_RUN_RUNNING);
}

void
sl_live_run_pause (SlLiveRun *self)
{
  g_return_if_fail (SL_IS_LIVE_RUN (self));

  if (self->state != SL_LIVE_RUN_RUNNING)
    return;
  nc_gate_pause (nc_run_get_gate (self->run));
  set_state (self, SL_LIVE_RUN_STEPPING);
}

void
sl_live_run_stop (SlLiveRun *self)
{
  g_return_if_fail (SL_IS_LIVE_RUN (self));

  self->n_pending = 0;
  if (self->run != NULL && self->state != SL_LIVE_RUN_FINISHED)
    nc_run_stop (self->run);
}

guint
sl_live_run_get_n_steps (SlLiveRun *self)
{
  g_return_val_if_fail (SL_IS_LIVE_RUN (self), 0);
  return self->run ? nc_gate_get_n_released (nc_run_get_gate (self->run)) : 0;
}

guint
sl_live_run_get_n_pending (SlLiveRun *self)
{
  g_return_val_if_fail (SL_IS_LIVE_RUN (self), 0);
  return self->n_pending;
}

char *
sl_live_run_describe_waiting (SlLiveRun *self)
{
  g_autoptr(GArray) waiters = NULL;
  NcRecorder *recorder;
  GString *text;

  g_return_val_if_fail (SL_IS_LIVE_RUN (self), NULL);

  if (self->run == NULL || self->state == SL_LIVE_RUN_FINISHED)
    return NULL;
  waiters = nc_gate_copy_waiters (nc_run_get_gate (self->run));
  if (waiters->len == 0)
    return NULL;

  recorder = nc_run_get_recorder (self->run);
  text = g_string_new (NULL);
  for (guint i = 0; i < waiters->len; i++)
    {
      const NcGateWaiter *w = &g_array_index (waiters, NcGateWaiter, i);
      NcActorInfo actor = { 0 };

      nc_recorder_get_actor (recorder, w->actor, &actor);
      g_string_append_printf (text, "%s%s %s()", i ? ", " : "", actor.name ? actor.name : "?",
                              nc_call_kind_name (w->kind));
    }
  return g_string_free (text, FALSE);
}

const char *
sl_live_run_get_capture_problem (SlLiveRun *self)
{
  g_return_val_if_fail (SL_IS_LIVE_RUN (self), NULL);
  return self->capture_problem;
}

const GError *
sl_live_run_get_error (SlLiveRun *self)
{
  g_return_val_if_fail (SL_IS_LIVE_RUN (self), NULL);
  return self->error;
}
