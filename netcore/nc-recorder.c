/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nc-recorder.c: the sink every netcore call reports to.
 *
 * Calls are numbered and time-stamped under one lock, so their ids are in
 * start-time order and a reader can take a consistent copy while the run goes
 * on. Each thread is bound to one recorder and one actor (thread-local), which
 * is how nc_send() knows whose send() it is without an extra argument: the
 * scenario code reads like the lecture's programs.
 */

#include "config.h"

#include "nc-recorder.h"
#include "nc-gate.h"
#include "nc-report.h"

#include <errno.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct _NcRecorder
{
  GObject             parent_instance;

  GMutex              mutex;
  GPtrArray          *calls;     /* NcCall*, by id; empty when not kept */
  guint               n_calls;   /* ids given so far */
  gboolean            keep_calls;
  GArray             *actors;    /* NcActorInfo */
  GHashTable         *open_fds;  /* set of GINT_TO_POINTER (fd + 1) */
  NcGate             *gate;
  NcRecorderListener  listener;
  gpointer            listener_data;
  NcRecorderActorListener actor_listener;
  gpointer            actor_listener_data;
  gint64              start_time;
  gboolean            stopped;
};

G_DEFINE_FINAL_TYPE (NcRecorder, nc_recorder, G_TYPE_OBJECT)

static __thread NcRecorder *thread_recorder;
static __thread guint thread_actor;
/* The preload library: what it learnt of the call about to be made */
static __thread const char *thread_stack;
static __thread guint8 thread_origin;

/* Set only in a forked child or a traced process: where its calls go, their
 * process-local sequence number, and the lab's gate when stepping. */
static int child_report_fd = -1;
static gint child_seq;
static NcReportGate *child_gate;
/* A traced process's threads are not attached: they use this one. */
static NcRecorder *process_recorder;

gint64
nc_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_REALTIME, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static void
nc_recorder_finalize (GObject *object)
{
  NcRecorder *self = NC_RECORDER (object);

  g_clear_pointer (&self->calls, g_ptr_array_unref);
  g_clear_pointer (&self->actors, g_array_unref);
  g_clear_pointer (&self->open_fds, g_hash_table_unref);
  g_clear_object (&self->gate);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (nc_recorder_parent_class)->finalize (object);
}

static void
nc_recorder_class_init (NcRecorderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = nc_recorder_finalize;
}

static void
nc_recorder_init (NcRecorder *self)
{
  g_mutex_init (&self->mutex);
  self->calls = g_ptr_array_new_with_free_func (g_free);
  self->keep_calls = TRUE;
  self->actors = g_array_new (FALSE, TRUE, sizeof (NcActorInfo));
  self->open_fds = g_hash_table_new (NULL, NULL);
  self->start_time = nc_now_ns ();
}

NcRecorder *
nc_recorder_new (void)
{
  return g_object_new (NC_TYPE_RECORDER, NULL);
}

gint64
nc_recorder_get_start_time (NcRecorder *self)
{
  g_return_val_if_fail (NC_IS_RECORDER (self), 0);
  return self->start_time;
}

/* Actors */

guint
nc_recorder_add_actor (NcRecorder *self,
                       const char *name,
                       const char *role)
{
  NcActorInfo info = { 0 };
  guint index;

  g_return_val_if_fail (NC_IS_RECORDER (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  g_mutex_lock (&self->mutex);
  index = self->actors->len;
  info.index = index;
  info.pid = getpid ();
  info.name = g_intern_string (name);
  info.role = g_intern_string (role ? role : "");
  g_array_append_val (self->actors, info);
  if (self->actor_listener != NULL)
    self->actor_listener (&info, self->actor_listener_data);
  g_mutex_unlock (&self->mutex);

  return index;
}

guint
nc_recorder_get_n_actors (NcRecorder *self)
{
  guint ret;

  g_return_val_if_fail (NC_IS_RECORDER (self), 0);

  g_mutex_lock (&self->mutex);
  ret = self->actors->len;
  g_mutex_unlock (&self->mutex);
  return ret;
}

gboolean
nc_recorder_get_actor (NcRecorder  *self,
                       guint        index,
                       NcActorInfo *out)
{
  gboolean ret = FALSE;

  g_return_val_if_fail (NC_IS_RECORDER (self), FALSE);

  g_mutex_lock (&self->mutex);
  if (index < self->actors->len)
    {
      *out = g_array_index (self->actors, NcActorInfo, index);
      ret = TRUE;
    }
  g_mutex_unlock (&self->mutex);
  return ret;
}

void
nc_recorder_set_actor_pid (NcRecorder *self,
                           guint       index,
                           gint32      pid)
{
  g_return_if_fail (NC_IS_RECORDER (self));

  g_mutex_lock (&self->mutex);
  if (index < self->actors->len)
    {
      g_array_index (self->actors, NcActorInfo, index).pid = pid;
      if (self->actor_listener != NULL)
        self->actor_listener (&g_array_index (self->actors, NcActorInfo, index),
                              self->actor_listener_data);
    }
  g_mutex_unlock (&self->mutex);
}

void
nc_recorder_set_actor_host (NcRecorder *self,
                            guint       index,
                            const char *host)
{
  g_return_if_fail (NC_IS_RECORDER (self));

  g_mutex_lock (&self->mutex);
  if (index < self->actors->len)
    g_array_index (self->actors, NcActorInfo, index).host = g_intern_string (host);
  g_mutex_unlock (&self->mutex);
}

/**
 * nc_recorder_set_keep_calls:
 * @keep: whether to keep a copy of every call (the default)
 *
 * A recorder whose listener is the record (the lab streams each call to the
 * app as it enters and returns) need not keep the calls too: with @keep
 * %FALSE it still numbers them and tells the listener, but holds none, so
 * its memory does not grow with the run (a million exchanges kept 1.8 GB of
 * calls in the lab that nothing read). nc_recorder_get_call () then finds
 * none and nc_recorder_copy_calls () returns an empty array. Set it before
 * the first call.
 */
void
nc_recorder_set_keep_calls (NcRecorder *self,
                            gboolean    keep)
{
  g_return_if_fail (NC_IS_RECORDER (self));

  g_mutex_lock (&self->mutex);
  self->keep_calls = keep;
  g_mutex_unlock (&self->mutex);
}

/* Listener and gate */

/**
 * nc_recorder_set_listener:
 * The listener runs on the calling actor's thread with the recorder locked,
 * so it sees calls in id order; it must not call back into the recorder.
 * An entry report's ts_start is provisional: the return report has the time
 * the system call really began.
 */
void
nc_recorder_set_listener (NcRecorder         *self,
                          NcRecorderListener  listener,
                          gpointer            user_data)
{
  g_return_if_fail (NC_IS_RECORDER (self));

  g_mutex_lock (&self->mutex);
  self->listener = listener;
  self->listener_data = user_data;
  g_mutex_unlock (&self->mutex);
}

/**
 * nc_recorder_set_actor_listener:
 * Told of every actor added from now on, and again when its pid changes (a
 * forked handler): a server's handlers are added while the run goes on, and
 * a stream of the run must name them before their first call. Runs with the
 * recorder locked, like the call listener, and must not call back into it.
 */
void
nc_recorder_set_actor_listener (NcRecorder              *self,
                                NcRecorderActorListener  listener,
                                gpointer                 user_data)
{
  g_return_if_fail (NC_IS_RECORDER (self));

  g_mutex_lock (&self->mutex);
  self->actor_listener = listener;
  self->actor_listener_data = user_data;
  g_mutex_unlock (&self->mutex);
}

void
nc_recorder_set_gate (NcRecorder *self,
                      NcGate     *gate)
{
  g_return_if_fail (NC_IS_RECORDER (self));

  g_mutex_lock (&self->mutex);
  g_set_object (&self->gate, gate);
  g_mutex_unlock (&self->mutex);
}

NcGate *
nc_recorder_get_gate (NcRecorder *self)
{
  g_return_val_if_fail (NC_IS_RECORDER (self), NULL);
  return self->gate;
}

/* Reading */

guint
nc_recorder_get_n_calls (NcRecorder *self)
{
  guint ret;

  g_return_val_if_fail (NC_IS_RECORDER (self), 0);

  g_mutex_lock (&self->mutex);
  ret = self->n_calls;
  g_mutex_unlock (&self->mutex);
  return ret;
}

gboolean
nc_recorder_get_call (NcRecorder *self,
                      guint       id,
                      NcCall     *out)
{
  gboolean ret = FALSE;

  g_return_val_if_fail (NC_IS_RECORDER (self), FALSE);

  g_mutex_lock (&self->mutex);
  if (id < self->calls->len)
    {
      *out = *(NcCall *) g_ptr_array_index (self->calls, id);
      ret = TRUE;
    }
  g_mutex_unlock (&self->mutex);
  return ret;
}

/**
 * nc_recorder_copy_calls:
 * Returns: (transfer full): every call so far, as #NcCall values in start order.
 */
GArray *
nc_recorder_copy_calls (NcRecorder *self)
{
  GArray *ret;

  g_return_val_if_fail (NC_IS_RECORDER (self), NULL);

  g_mutex_lock (&self->mutex);
  ret = g_array_sized_new (FALSE, FALSE, sizeof (NcCall), self->calls->len);
  for (guint i = 0; i < self->calls->len; i++)
    g_array_append_vals (ret, g_ptr_array_index (self->calls, i), 1);
  g_mutex_unlock (&self->mutex);
  return ret;
}

/* Thread binding */

void
nc_recorder_attach_thread (NcRecorder *self,
                           guint       actor)
{
  g_return_if_fail (NC_IS_RECORDER (self));

  thread_recorder = self;
  thread_actor = actor;
}

void
nc_recorder_detach_thread (void)
{
  thread_recorder = NULL;
  thread_actor = 0;
}

/* A scenario's thread (not a traced program's, whose threads use the
 * process's recorder): its descriptors change only through netcore */
gboolean
nc_recorder_thread_is_attached (void)
{
  return thread_recorder != NULL;
}

NcRecorder *
nc_recorder_get_thread_default (void)
{
  return thread_recorder != NULL ? thread_recorder : process_recorder;
}

void
nc_recorder_set_thread_source (const char *stack,
                               guint8      origin)
{
  thread_stack = stack;
  thread_origin = origin;
}

void
nc_recorder_get_thread_source (const char **stack,
                               guint8      *origin)
{
  *stack = thread_stack;
  *origin = thread_origin;
}

guint
nc_recorder_get_thread_actor (void)
{
  return thread_actor;
}

/* Forked children */

void
nc_recorder_enter_child (int   report_fd,
                         guint actor)
{
  child_report_fd = report_fd;
  child_seq = 0;
  thread_actor = actor;
}

/**
 * nc_recorder_enter_report_mode:
 * For the preload library in a traced program: every thread's calls are
 * reported to @report_fd (as a forked child's are), and when @gate is set a
 * call of the program's own waits there for the lab. @recorder only marks
 * the process as recording; it keeps nothing.
 */
void
nc_recorder_enter_report_mode (NcRecorder   *recorder,
                               int           report_fd,
                               NcReportGate *gate)
{
  process_recorder = recorder;
  child_report_fd = report_fd;
  child_gate = gate;
}

gboolean
nc_recorder_in_child (void)
{
  return child_report_fd >= 0;
}

/* write(2) of one record: under PIPE_BUF, so atomic among the children. */
static void
child_report (const NcCall *call)
{
  NcReport report;

  nc_report_from_call (&report, call);
  nc_report_write (child_report_fd, &report);
}

/* Recording */

/* getpid () and gettid () are system calls (glibc caches neither), and
 * every call is stamped with both: they are kept, and forgotten in a
 * forked child (whose one thread is the forking one). */
static gint32 cached_pid;
static __thread gint32 cached_tid;

static void
forget_ids_in_child (void)
{
  cached_pid = 0;
  cached_tid = 0;
}

static void
fill_identity (NcCall *call)
{
  static gsize registered;

  if (g_once_init_enter (&registered))
    {
      pthread_atfork (NULL, NULL, forget_ids_in_child);
      g_once_init_leave (&registered, 1);
    }
  if (cached_pid == 0)
    cached_pid = getpid ();
  if (cached_tid == 0)
    cached_tid = gettid ();
  call->actor = thread_actor;
  call->pid = cached_pid;
  call->tid = cached_tid;
}

/* With the lock held: number the call, stamp it and tell the listener. */
static void
append_locked (NcRecorder *self,
               NcCall     *call,
               NcCallPhase phase)
{
  call->id = self->n_calls++;
  if (call->ts_start == 0)
    call->ts_start = nc_now_ns ();
  if (self->keep_calls)
    g_ptr_array_add (self->calls, g_memdup2 (call, sizeof *call));
  if (self->listener)
    self->listener (call, phase, self->listener_data);
}

/**
 * nc_recorder_begin:
 * Passes the step gate, then numbers and stamps @call as entering the kernel.
 * Returns: %FALSE if the run was stopped: the wrapper must not make the call
 *   (errno is set to ECANCELED).
 */
gboolean
nc_recorder_begin (NcRecorder *self,
                   NcCall     *call)
{
  if (child_report_fd >= 0)
    {
      /* A forked child or a traced process: no lock; the lab numbers the
       * call and, when stepping, releases it through the shared gate. */
      fill_identity (call);
      call->id = (guint32) g_atomic_int_add (&child_seq, 1);
      call->ts_gate = call->ts_start = nc_now_ns ();
      /* A call that cannot wait for a peer is reported once, when it
       * returns (the reader takes a return without an entry), unless the
       * lab holds it at the gate */
      if (child_gate != NULL || nc_call_kind_info (call->kind)->blocks)
        child_report (call);
      if (child_gate != NULL && nc_call_waits_at_gate (call))
        {
          nc_report_gate_wait (child_gate, call->tid);
          call->ts_start = nc_now_ns ();
        }
      return TRUE;
    }

  g_return_val_if_fail (NC_IS_RECORDER (self), FALSE);

  fill_identity (call);
  call->ts_gate = nc_now_ns ();

  /* After stop every call is refused, except close(): a stopped run must
   * not leak its sockets. */
  if ((self->gate != NULL && !nc_gate_pass (self->gate, call->actor, call->kind, call->fd)) ||
      g_atomic_int_get (&self->stopped))
    {
      if (call->kind != NC_CALL_CLOSE)
        {
          errno = ECANCELED;
          return FALSE;
        }
    }

  g_mutex_lock (&self->mutex);
  call->ts_start = nc_now_ns ();
  append_locked (self, call, NC_CALL_PHASE_ENTER);
  g_mutex_unlock (&self->mutex);

  /* The listener (the lab writes to a pipe) must not count as time in the
   * kernel: stamp again just before the system call. The return report
   * carries this time and replaces the entry's. */
  call->ts_start = MAX (call->ts_start, nc_now_ns ());
  return TRUE;
}

void
nc_recorder_end (NcRecorder *self,
                 NcCall     *call)
{
  call->ts_end = nc_now_ns ();
  if (call->ts_end <= call->ts_start)
    call->ts_end = call->ts_start + 1;  /* 0 means "still in the kernel" */

  if (child_report_fd >= 0)
    {
      child_report (call);
      return;
    }

  g_return_if_fail (NC_IS_RECORDER (self));

  g_mutex_lock (&self->mutex);
  if (call->id < self->calls->len)
    *(NcCall *) g_ptr_array_index (self->calls, call->id) = *call;
  if (self->listener)
    self->listener (call, NC_CALL_PHASE_RETURN, self->listener_data);
  g_mutex_unlock (&self->mutex);
}

void
nc_recorder_record_instant (NcRecorder *self,
                            NcCall     *call)
{
  if (nc_recorder_begin (self, call))
    nc_recorder_end (self, call);
}

/**
 * nc_recorder_add_reported:
 * Adds a call another process reported (see nc-report.h): its entry gets a
 * new id, its return updates that call. A return whose entry never came (the
 * entry was not sent) is added whole. Returns: the call's id here.
 */
guint32
nc_recorder_add_reported (NcRecorder   *self,
                          NcReportIds  *ids,
                          const NcCall *call)
{
  guint32 id = 0;

  if (call->ts_end != 0 && nc_report_ids_lookup (ids, call, &id))
    {
      nc_recorder_add_foreign (self, call, NC_CALL_PHASE_RETURN, &id);
      return id;
    }
  nc_recorder_add_foreign (self, call, NC_CALL_PHASE_ENTER, &id);
  /* a call reported whole (it could not wait) has no later report to find it */
  if (call->ts_end == 0)
    nc_report_ids_insert (ids, call, id);
  else
    nc_recorder_add_foreign (self, call, NC_CALL_PHASE_RETURN, &id);
  return id;
}

void
nc_recorder_add_foreign (NcRecorder   *self,
                         const NcCall *call,
                         NcCallPhase   phase,
                         guint32      *id)
{
  NcCall copy = *call;

  g_return_if_fail (NC_IS_RECORDER (self));
  g_return_if_fail (id != NULL);

  g_mutex_lock (&self->mutex);
  if (phase == NC_CALL_PHASE_ENTER)
    {
      copy.ts_end = 0;
      append_locked (self, &copy, NC_CALL_PHASE_ENTER);
      *id = copy.id;
    }
  else if (*id < self->n_calls)
    {
      copy.id = *id;
      if (copy.id < self->calls->len)
        *(NcCall *) g_ptr_array_index (self->calls, copy.id) = copy;
      if (self->listener)
        self->listener (&copy, NC_CALL_PHASE_RETURN, self->listener_data);
    }
  g_mutex_unlock (&self->mutex);
}

/* Sockets and stop */

void
nc_recorder_track_fd (NcRecorder *self,
                      int         fd,
                      gboolean    open)
{
  if (fd < 0 || child_report_fd >= 0)
    return;  /* a forked child's sockets are its own: stop reaches it by signal */

  g_return_if_fail (NC_IS_RECORDER (self));

  g_mutex_lock (&self->mutex);
  if (open)
    g_hash_table_add (self->open_fds, GINT_TO_POINTER (fd + 1));
  else
    g_hash_table_remove (self->open_fds, GINT_TO_POINTER (fd + 1));
  g_mutex_unlock (&self->mutex);
}

GArray *
nc_recorder_copy_open_fds (NcRecorder *self)
{
  GArray *ret = g_array_new (FALSE, FALSE, sizeof (int));
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (NC_IS_RECORDER (self), ret);

  g_mutex_lock (&self->mutex);
  g_hash_table_iter_init (&iter, self->open_fds);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      int fd = GPOINTER_TO_INT (key) - 1;
      g_array_append_val (ret, fd);
    }
  g_mutex_unlock (&self->mutex);
  return ret;
}

/**
 * nc_recorder_stop:
 * Ends a run promptly: later calls fail with ECANCELED, and calls blocked in
 * the kernel (accept(), recv(), select(), connect()) are woken by shutting
 * down every socket the run opened. The sockets are closed by their owners
 * (close() still works after stop) or by the run when its threads are gone.
 */
void
nc_recorder_stop (NcRecorder *self)
{
  GHashTableIter iter;
  gpointer key;

  g_return_if_fail (NC_IS_RECORDER (self));

  g_atomic_int_set (&self->stopped, TRUE);
  if (self->gate)
    nc_gate_stop (self->gate);

  g_mutex_lock (&self->mutex);
  g_hash_table_iter_init (&iter, self->open_fds);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    shutdown (GPOINTER_TO_INT (key) - 1, SHUT_RDWR);
  g_mutex_unlock (&self->mutex);
}

gboolean
nc_recorder_is_stopped (NcRecorder *self)
{
  g_return_val_if_fail (NC_IS_RECORDER (self), TRUE);
  return g_atomic_int_get (&self->stopped);
}
