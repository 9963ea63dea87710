/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nc-run.c: one run of a scenario.
 *
 * Each actor runs on its own thread, bound to the run's recorder, so its
 * netcore calls are recorded under its name and pass the run's step gate.
 * Actors meet only through the rendezvous here (the server's port, named
 * signals), which are not socket calls and so never show on a timeline.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nc-run.h"

#include <errno.h>
#include <unistd.h>

struct _NcActorContext
{
  NcRun             *run;
  guint              index;
  const NcActorSpec *spec;
};

struct _NcRun
{
  GObject           parent_instance;

  const NcScenario *scenario;
  NcParams         *params;
  NcRecorder       *recorder;
  NcGate           *gate;
  NcActorContext   *contexts;
  GPtrArray        *threads;

  GMutex            mutex;
  GCond             cond;
  GHashTable       *signals;  /* name -> count */
  GError           *error;    /* the first failure */
  guint             n_running;
  guint16           port;
  guint             port_published : 1;
  guint             started : 1;
  guint             joined : 1;
  guint             stopped : 1;
  guint             lab_hosts : 1;
};

G_DEFINE_FINAL_TYPE (NcRun, nc_run, G_TYPE_OBJECT)
G_DEFINE_QUARK (nc-run-error-quark, nc_run_error)

static void
nc_run_dispose (GObject *object)
{
  NcRun *self = NC_RUN (object);

  /* A run dropped while going must not leave threads behind. */
  if (self->started && !self->joined)
    {
      nc_run_stop (self);
      nc_run_wait (self, NULL);
    }

  G_OBJECT_CLASS (nc_run_parent_class)->dispose (object);
}

static void
nc_run_finalize (GObject *object)
{
  NcRun *self = NC_RUN (object);

  g_clear_pointer (&self->params, nc_params_free);
  g_clear_object (&self->recorder);
  g_clear_object (&self->gate);
  g_clear_pointer (&self->contexts, g_free);
  g_clear_pointer (&self->threads, g_ptr_array_unref);
  g_clear_pointer (&self->signals, g_hash_table_unref);
  g_clear_error (&self->error);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (nc_run_parent_class)->finalize (object);
}

static void
nc_run_class_init (NcRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = nc_run_dispose;
  object_class->finalize = nc_run_finalize;
}

static void
nc_run_init (NcRun *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->recorder = nc_recorder_new ();
  self->gate = nc_gate_new ();
  nc_recorder_set_gate (self->recorder, self->gate);
  self->threads = g_ptr_array_new ();
  self->signals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

NcRun *
nc_run_new (const NcScenario *scenario,
            const NcParams   *params)
{
  NcRun *self;

  g_return_val_if_fail (scenario != NULL, NULL);

  self = g_object_new (NC_TYPE_RUN, NULL);
  self->scenario = scenario;
  self->params = params ? nc_params_copy (params) : nc_params_new (scenario);
  return self;
}

const NcScenario *
nc_run_get_scenario (NcRun *self)
{
  g_return_val_if_fail (NC_IS_RUN (self), NULL);
  return self->scenario;
}

const NcParams *
nc_run_get_params (NcRun *self)
{
  g_return_val_if_fail (NC_IS_RUN (self), NULL);
  return self->params;
}

NcRecorder *
nc_run_get_recorder (NcRun *self)
{
  g_return_val_if_fail (NC_IS_RUN (self), NULL);
  return self->recorder;
}

NcGate *
nc_run_get_gate (NcRun *self)
{
  g_return_val_if_fail (NC_IS_RUN (self), NULL);
  return self->gate;
}

void
nc_run_set_stepping (NcRun    *self,
                     gboolean  stepping)
{
  g_return_if_fail (NC_IS_RUN (self));
  nc_gate_set_stepping (self->gate, stepping);
}

static gpointer
actor_thread (gpointer data)
{
  NcActorContext *ctx = data;
  NcRun *self = ctx->run;

  nc_recorder_attach_thread (self->recorder, ctx->index);
  if (ctx->spec->func (ctx) != 0)
    /* An actor that gave up without saying why still ends the run: the
     * others may be blocked waiting for it. (After nc_actor_fail () or a
     * stop this adds nothing.) */
    nc_actor_fail (ctx, 0, _("gave up"));
  nc_recorder_detach_thread ();

  g_mutex_lock (&self->mutex);
  self->n_running--;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
  return NULL;
}

gboolean
nc_run_start (NcRun   *self,
              GError **error)
{
  const NcScenario *scenario;

  g_return_val_if_fail (NC_IS_RUN (self), FALSE);
  g_return_val_if_fail (!self->started, FALSE);

  scenario = self->scenario;
  /* The last word on what a user asked for, in every mode: nothing leaves
   * the machine, whoever started the run. */
  if (!nc_params_check (scenario, self->params, self->lab_hosts, error))
    return FALSE;
  self->started = TRUE;
  self->contexts = g_new0 (NcActorContext, scenario->n_actors);

  for (guint i = 0; i < scenario->n_actors; i++)
    {
      const NcActorSpec *spec = &scenario->actors[i];
      NcActorContext *ctx = &self->contexts[i];
      GThread *thread;

      ctx->run = self;
      ctx->spec = spec;
      ctx->index = nc_recorder_add_actor (self->recorder, spec->name, spec->role);

      g_mutex_lock (&self->mutex);
      self->n_running++;
      g_mutex_unlock (&self->mutex);

      thread = g_thread_try_new (spec->name, actor_thread, ctx, error);
      if (thread == NULL)
        {
          g_mutex_lock (&self->mutex);
          self->n_running--;
          g_mutex_unlock (&self->mutex);
          g_prefix_error (error, _("Could not start actor “%s”: "), spec->name);
          nc_run_stop (self);
          nc_run_wait (self, NULL);
          return FALSE;
        }
      g_ptr_array_add (self->threads, thread);
    }
  return TRUE;
}

/**
 * nc_run_set_lab_hosts:
 * The run happens in the lab's two-host namespaces, where the lab's own
 * host addresses exist: nc_run_start () accepts them as the host.
 */
void
nc_run_set_lab_hosts (NcRun    *self,
                      gboolean  lab_hosts)
{
  g_return_if_fail (NC_IS_RUN (self));
  g_return_if_fail (!self->started);
  self->lab_hosts = !!lab_hosts;
}

gboolean
nc_run_is_finished (NcRun *self)
{
  gboolean ret;

  g_return_val_if_fail (NC_IS_RUN (self), TRUE);

  g_mutex_lock (&self->mutex);
  ret = self->started && self->n_running == 0;
  g_mutex_unlock (&self->mutex);
  return ret;
}

/* Sockets an actor left open when it returned early (after stop or failure). */
static void
close_leftover_sockets (NcRun *self)
{
  g_autoptr(GArray) fds = nc_recorder_copy_open_fds (self->recorder);

  for (guint i = 0; i < fds->len; i++)
    {
      int fd = g_array_index (fds, int, i);
      nc_recorder_track_fd (self->recorder, fd, FALSE);
      close (fd);
    }
}

/**
 * nc_run_wait:
 * Waits for every actor to finish, then closes what they left open.
 * Returns: %FALSE with @error set if an actor failed or the run was stopped.
 */
gboolean
nc_run_wait (NcRun   *self,
             GError **error)
{
  g_return_val_if_fail (NC_IS_RUN (self), FALSE);

  if (!self->joined)
    {
      for (guint i = 0; i < self->threads->len; i++)
        g_thread_join (g_ptr_array_index (self->threads, i));
      g_ptr_array_set_size (self->threads, 0);
      self->joined = TRUE;
      close_leftover_sockets (self);
    }

  g_mutex_lock (&self->mutex);
  if (self->error != NULL)
    {
      if (error != NULL)
        *error = g_error_copy (self->error);
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }
  if (self->stopped)
    {
      g_set_error_literal (error, NC_RUN_ERROR, NC_RUN_ERROR_STOPPED, _("The run was stopped"));
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

/**
 * nc_run_stop:
 * Ends the run promptly, even with actors blocked in accept() or recv().
 * Safe from any thread; nc_run_wait() then returns quickly.
 */
void
nc_run_stop (NcRun *self)
{
  g_return_if_fail (NC_IS_RUN (self));

  g_mutex_lock (&self->mutex);
  self->stopped = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  nc_recorder_stop (self->recorder);
}

/* What actors may use */

const NcParams *
nc_actor_get_params (NcActorContext *ctx)
{
  return ctx->run->params;
}

const char *
nc_actor_get_name (NcActorContext *ctx)
{
  return ctx->spec->name;
}

guint
nc_actor_get_index (NcActorContext *ctx)
{
  return ctx->index;
}

gboolean
nc_actor_is_stopped (NcActorContext *ctx)
{
  gboolean ret;

  g_mutex_lock (&ctx->run->mutex);
  ret = ctx->run->stopped;
  g_mutex_unlock (&ctx->run->mutex);
  return ret;
}

void
nc_actor_publish_port (NcActorContext *ctx,
                       guint16         port)
{
  NcRun *self = ctx->run;

  g_mutex_lock (&self->mutex);
  self->port = port;
  self->port_published = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

guint16
nc_actor_wait_port (NcActorContext *ctx)
{
  NcRun *self = ctx->run;
  guint16 port;

  g_mutex_lock (&self->mutex);
  while (!self->port_published && self->error == NULL && !self->stopped)
    g_cond_wait (&self->cond, &self->mutex);
  port = (self->error == NULL && !self->stopped) ? self->port : 0;
  g_mutex_unlock (&self->mutex);
  return port;
}

/**
 * nc_actor_fail:
 * @err: the errno of the call that failed, or 0
 * Fails the run with a message naming the actor, the call and the error.
 * A failure that only follows a stop is not one: it is not reported.
 * Returns: -1, so an actor can `return nc_actor_fail (...)`.
 */
int
nc_actor_fail (NcActorContext *ctx,
               int             err,
               const char     *format,
               ...)
{
  NcRun *self = ctx->run;
  g_autofree char *what = NULL;
  gboolean first;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  g_mutex_lock (&self->mutex);
  first = self->error == NULL && !self->stopped;
  if (first)
    {
      int code = err == EADDRINUSE ? NC_RUN_ERROR_PORT_IN_USE : NC_RUN_ERROR_FAILED;

      if (err != 0)
        self->error = g_error_new (NC_RUN_ERROR, code, "%s: %s: %s (%s)", ctx->spec->name, what,
                                   nc_errno_name (err), g_strerror (err));
      else
        self->error = g_error_new (NC_RUN_ERROR, code, "%s: %s", ctx->spec->name, what);
    }
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  /* The others may be blocked in the kernel waiting for this one (a server
   * in accept() for a client that failed): a failed run ends, like a stop. */
  if (first)
    nc_recorder_stop (self->recorder);
  return -1;
}

void
nc_actor_signal (NcActorContext *ctx,
                 const char     *what)
{
  NcRun *self = ctx->run;
  guint count;

  g_mutex_lock (&self->mutex);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (self->signals, what));
  g_hash_table_replace (self->signals, g_strdup (what), GUINT_TO_POINTER (count + 1));
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

/**
 * nc_actor_wait_signal:
 * Waits until @what has been signalled @count times in this run.
 * Returns: %FALSE if the run failed or was stopped first.
 */
gboolean
nc_actor_wait_signal (NcActorContext *ctx,
                      const char     *what,
                      guint           count)
{
  NcRun *self = ctx->run;
  gboolean ret;

  g_mutex_lock (&self->mutex);
  while (GPOINTER_TO_UINT (g_hash_table_lookup (self->signals, what)) < count &&
         self->error == NULL && !self->stopped)
    g_cond_wait (&self->cond, &self->mutex);
  ret = self->error == NULL && !self->stopped;
  g_mutex_unlock (&self->mutex);
  return ret;
}
