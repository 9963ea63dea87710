/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nc-gate.c: the step gate.
 *
 * While stepping, every netcore call waits in nc_gate_pass() before its system
 * call until the controller releases it: the call that has waited longest
 * (nc_gate_step) or a chosen actor's (nc_gate_step_actor). Each actor is one
 * thread, so it has at most one call waiting.
 */

#include "config.h"

#include "nc-gate.h"
#include "nc-recorder.h"

typedef struct
{
  NcGateWaiter info;
  gboolean    *released;  /* lives on the waiting thread's stack */
} Waiter;

struct _NcGate
{
  GObject  parent_instance;

  GMutex   mutex;
  GCond    cond;
  GArray  *waiters;  /* Waiter, oldest first */
  guint    n_released;
  guint    stepping : 1;
  guint    stopped : 1;
};

G_DEFINE_FINAL_TYPE (NcGate, nc_gate, G_TYPE_OBJECT)

static void
nc_gate_finalize (GObject *object)
{
  NcGate *self = NC_GATE (object);

  g_array_unref (self->waiters);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (nc_gate_parent_class)->finalize (object);
}

static void
nc_gate_class_init (NcGateClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = nc_gate_finalize;
}

static void
nc_gate_init (NcGate *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->waiters = g_array_new (FALSE, FALSE, sizeof (Waiter));
}

NcGate *
nc_gate_new (void)
{
  return g_object_new (NC_TYPE_GATE, NULL);
}

/* Called with the lock held. */
static void
release_waiter_at (NcGate *self,
                   guint   index)
{
  Waiter *w = &g_array_index (self->waiters, Waiter, index);

  *w->released = TRUE;
  g_array_remove_index (self->waiters, index);
  self->n_released++;
  g_cond_broadcast (&self->cond);
}

static void
release_all (NcGate *self)
{
  while (self->waiters->len > 0)
    release_waiter_at (self, 0);
}

void
nc_gate_set_stepping (NcGate   *self,
                      gboolean  stepping)
{
  g_return_if_fail (NC_IS_GATE (self));

  g_mutex_lock (&self->mutex);
  self->stepping = !!stepping;
  if (!self->stepping)
    release_all (self);
  g_mutex_unlock (&self->mutex);
}

gboolean
nc_gate_get_stepping (NcGate *self)
{
  gboolean ret;

  g_return_val_if_fail (NC_IS_GATE (self), FALSE);

  g_mutex_lock (&self->mutex);
  ret = self->stepping;
  g_mutex_unlock (&self->mutex);
  return ret;
}

/**
 * nc_gate_step:
 * Releases the call that has waited longest.
 * Returns: %FALSE if no call is waiting.
 */
gboolean
nc_gate_step (NcGate *self)
{
  gboolean ret = FALSE;

  g_return_val_if_fail (NC_IS_GATE (self), FALSE);

  g_mutex_lock (&self->mutex);
  if (self->waiters->len > 0)
    {
      release_waiter_at (self, 0);
      ret = TRUE;
    }
  g_mutex_unlock (&self->mutex);
  return ret;
}

/**
 * nc_gate_step_actor:
 * Releases @actor's waiting call, so a class can, say, make the client
 * connect() before the server has called accept().
 * Returns: %FALSE if @actor has no call waiting.
 */
gboolean
nc_gate_step_actor (NcGate *self,
                    guint   actor)
{
  gboolean ret = FALSE;

  g_return_val_if_fail (NC_IS_GATE (self), FALSE);

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->waiters->len; i++)
    if (g_array_index (self->waiters, Waiter, i).info.actor == actor)
      {
        release_waiter_at (self, i);
        ret = TRUE;
        break;
      }
  g_mutex_unlock (&self->mutex);
  return ret;
}

void
nc_gate_run (NcGate *self)
{
  nc_gate_set_stepping (self, FALSE);
}

void
nc_gate_pause (NcGate *self)
{
  nc_gate_set_stepping (self, TRUE);
}

void
nc_gate_stop (NcGate *self)
{
  g_return_if_fail (NC_IS_GATE (self));

  g_mutex_lock (&self->mutex);
  self->stopped = TRUE;
  release_all (self);
  g_mutex_unlock (&self->mutex);
}

gboolean
nc_gate_is_stopped (NcGate *self)
{
  gboolean ret;

  g_return_val_if_fail (NC_IS_GATE (self), TRUE);

  g_mutex_lock (&self->mutex);
  ret = self->stopped;
  g_mutex_unlock (&self->mutex);
  return ret;
}

guint
nc_gate_get_n_waiting (NcGate *self)
{
  guint ret;

  g_return_val_if_fail (NC_IS_GATE (self), 0);

  g_mutex_lock (&self->mutex);
  ret = self->waiters->len;
  g_mutex_unlock (&self->mutex);
  return ret;
}

guint
nc_gate_get_n_released (NcGate *self)
{
  guint ret;

  g_return_val_if_fail (NC_IS_GATE (self), 0);

  g_mutex_lock (&self->mutex);
  ret = self->n_released;
  g_mutex_unlock (&self->mutex);
  return ret;
}

/**
 * nc_gate_copy_waiters:
 * Returns: (transfer full): an array of #NcGateWaiter, oldest first.
 */
GArray *
nc_gate_copy_waiters (NcGate *self)
{
  GArray *ret = g_array_new (FALSE, FALSE, sizeof (NcGateWaiter));

  g_return_val_if_fail (NC_IS_GATE (self), ret);

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->waiters->len; i++)
    g_array_append_val (ret, g_array_index (self->waiters, Waiter, i).info);
  g_mutex_unlock (&self->mutex);
  return ret;
}

/**
 * nc_gate_wait_for_waiter:
 * @timeout_us: how long to wait at most; negative waits until stopped
 * Returns: %TRUE when some call is waiting at the gate.
 */
gboolean
nc_gate_wait_for_waiter (NcGate *self,
                         gint64  timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;
  gboolean ret;

  g_return_val_if_fail (NC_IS_GATE (self), FALSE);

  g_mutex_lock (&self->mutex);
  while (self->waiters->len == 0 && !self->stopped)
    {
      if (timeout_us < 0)
        g_cond_wait (&self->cond, &self->mutex);
      else if (!g_cond_wait_until (&self->cond, &self->mutex, deadline))
        break;
    }
  ret = self->waiters->len > 0;
  g_mutex_unlock (&self->mutex);
  return ret;
}

/**
 * nc_gate_pass:
 * Called by the recorder on the actor's own thread before each call.
 * Blocks while stepping until released.
 * Returns: %FALSE if the run was stopped, so the call must not happen.
 */
gboolean
nc_gate_pass (NcGate     *self,
              guint       actor,
              NcCallKind  kind,
              gint32      fd)
{
  gboolean released = FALSE;
  gboolean ret;

  g_mutex_lock (&self->mutex);
  if (self->stepping && !self->stopped)
    {
      Waiter w = {
        .info = { .actor = actor, .kind = kind, .fd = fd, .since_ns = nc_now_ns () },
        .released = &released,
      };
      g_array_append_val (self->waiters, w);
      g_cond_broadcast (&self->cond);
      while (!released)
        g_cond_wait (&self->cond, &self->mutex);
    }
  ret = !self->stopped;
  g_mutex_unlock (&self->mutex);
  return ret;
}

gboolean
nc_gate_waiters_equal (GArray *a,
                       GArray *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      const NcGateWaiter *x = &g_array_index (a, NcGateWaiter, i);
      const NcGateWaiter *y = &g_array_index (b, NcGateWaiter, i);

      if (x->actor != y->actor || x->kind != y->kind || x->since_ns != y->since_ns)
        return FALSE;
    }
  return TRUE;
}
