/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-lab-trace.c: socklens-lab --trace PROGRAM...: the students' own programs
 * in the lab.
 *
 * Each program runs in the lab's network namespace with the preload library
 * (netcore/preload/) in LD_PRELOAD. Its calls come back as NcReport records
 * on one pipe (SOCKLENS_REPORT_FD), are given actors (a program, its threads,
 * its forked children) and go into the lab's recorder, whose listener writes
 * them to the stream as for a scenario. What the programs print comes back
 * on pipes and goes into the stream as CONSOLE records.
 *
 * Order: the programs start one after another; the next starts once the
 * previous one is blocked in a socket call in the kernel (its thread
 * sleeping with a call entered and released) or has exited. The run ends
 * when the last program exits; the others get GRACE_MS, then are stopped.
 *
 * Stepping: a call of a program's own waits in its process on a shared
 * memory gate (SOCKLENS_GATE_FD); a thread here holds it at the lab's NcGate
 * like a scenario's call, and on release lets that thread through.
 *
 * This file is the run itself (new, prepare, start in order, wait, stop);
 * each program's start and end are in sl-lab-trace-programs.c, the reports
 * and actors in sl-lab-trace-reports.c, the console in
 * sl-lab-trace-console.c (sl-lab-trace-private.h).
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sl-lab-trace-private.h"

/* The same program twice (two clients, or a second server that finds its
 * port taken) gets a name of its own, "client.py (2)", so its columns,
 * console and messages are not taken for the first one's */
static void
name_apart (SlLabTrace *self,
            Program    *p)
{
  g_autofree char *renamed = g_strconcat (p->name, " (", NULL);
  guint same = 1;

  for (guint i = 0; i + 1 < self->programs->len; i++)
    {
      const Program *other = g_ptr_array_index (self->programs, i);
      if (g_str_equal (other->name, p->name) || g_str_has_prefix (other->name, renamed))
        same++;
    }
  if (same > 1)
    {
      char *name = g_strdup_printf ("%s (%u)", p->name, same);
      g_free (p->name);
      p->name = name;
    }
}

/**
 * sl_lab_trace_new:
 * Checks every program before the lab does anything else.
 */
SlLabTrace *
sl_lab_trace_new (SlLab       *lab,
                  char       **specs,
                  GError     **error)
{
  g_autoptr(GPtrArray) roots = g_ptr_array_new_with_free_func (g_free);
  SlLabTrace *self = g_new0 (SlLabTrace, 1);

  self->lab = lab;
  self->gate_fd = -1;
  self->report_pipe[0] = self->report_pipe[1] = -1;
  self->wake_pipe[0] = self->wake_pipe[1] = -1;
  self->programs = g_ptr_array_new_with_free_func (sl_lab_trace_program_free);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->thread_actor = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->pid_program = g_hash_table_new (NULL, NULL);
  self->pending = g_array_new (FALSE, FALSE, sizeof (Pending));
  self->consoles = g_ptr_array_new ();

  for (guint i = 0; specs[i] != NULL; i++)
    {
      Program *p = g_new0 (Program, 1);
      char *root = NULL;

      p->out_fd = p->err_fd = -1;
      g_ptr_array_add (self->programs, p);
      p->argv = sl_lab_trace_parse_program (specs[i], &p->name, &root, &p->stdin_path, error);
      if (p->argv == NULL)
        {
          sl_lab_trace_free (self);
          return NULL;
        }
      name_apart (self, p);
      if (!g_ptr_array_find_with_equal_func (roots, root, g_str_equal, NULL))
        g_ptr_array_add (roots, root);
      else
        g_free (root);
    }
  if (self->programs->len == 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("which programs?"));
      sl_lab_trace_free (self);
      return NULL;
    }
  self->preload = sl_lab_trace_find_preload (error);
  if (self->preload == NULL)
    {
      sl_lab_trace_free (self);
      return NULL;
    }
  g_ptr_array_add (roots, NULL);
  self->roots = g_strjoinv (":", (char **) roots->pdata);
  return self;
}

/* "Your programs: server.py, client.py" */
char *
sl_lab_trace_title (SlLabTrace *self)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < self->programs->len; i++)
    g_string_append_printf (names, "%s%s", i ? ", " : "",
                            ((Program *) g_ptr_array_index (self->programs, i))->name);
  return g_strdup_printf (_("Your programs: %s"), names->str);
}

NcGate *
sl_lab_trace_get_gate (SlLabTrace *self)
{
  return self->gate;
}

guint
sl_lab_trace_get_n_actors (SlLabTrace *self)
{
  return nc_recorder_get_n_actors (self->recorder);
}

void
sl_lab_trace_free (SlLabTrace *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->programs);
  g_clear_object (&self->recorder);
  g_clear_object (&self->gate);
  nc_report_gate_unmap (self->shared_gate);
  for (guint i = 0; i < 2; i++)
    {
      if (self->report_pipe[i] >= 0)
        close (self->report_pipe[i]);
      if (self->wake_pipe[i] >= 0)
        close (self->wake_pipe[i]);
    }
  if (self->gate_fd >= 0)
    close (self->gate_fd);
  g_hash_table_unref (self->thread_actor);
  g_hash_table_unref (self->pid_program);
  g_array_unref (self->pending);
  g_ptr_array_unref (self->consoles);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->preload);
  g_free (self->roots);
  g_free (self);
}

static gboolean
thread_sleeping (gint32 pid,
                 gint32 tid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d/stat", pid, tid);
  g_autofree char *stat = NULL;
  const char *paren;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (paren = strrchr (stat, ')')) == NULL)
    return FALSE;
  return paren[1] == ' ' && (paren[2] == 'S' || paren[2] == 'D');
}

/* With the lock held: the thread waits in futex (), as it does at the step
 * gate for a call whose report the reader has not taken yet: not a socket
 * call's wait, so the next program must not start on it. FALSE when the
 * kernel does not say. */
static gboolean
thread_in_futex (gint32 pid,
                 gint32 tid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d/syscall", pid, tid);
  g_autofree char *text = NULL;

  return g_file_get_contents (path, &text, NULL, NULL) &&
         g_ascii_strtoll (text, NULL, 10) == SYS_futex;
}

/* With the lock held: a call of the program's, past the gate, waits in the kernel */
static gboolean
program_blocked (SlLabTrace *self,
                 guint       index)
{
  for (guint i = 0; i < self->pending->len; i++)
    {
      const Pending *p = &g_array_index (self->pending, Pending, i);
      gpointer value = g_hash_table_lookup (self->pid_program, GINT_TO_POINTER (p->pid));

      if (value != NULL && (guint) GPOINTER_TO_INT (value) - 1 == index && p->released &&
          thread_sleeping (p->pid, p->tid) && !thread_in_futex (p->pid, p->tid))
        return TRUE;
    }
  return FALSE;
}

static void
reap (SlLabTrace *self)
{
  for (guint i = 0; i < self->programs->len; i++)
    {
      Program *p = g_ptr_array_index (self->programs, i);
      int status;

      if (p->pid <= 0 || p->exited)
        continue;
      if (waitpid (p->pid, &status, WNOHANG) == p->pid)
        {
          p->exited = TRUE;
          p->status = status;
        }
    }
}

/* Waits (lock held) until @done says so, the run is stopped or @deadline
 * (monotonic µs, 0: none) passes; the check runs on every change and every
 * BLOCKED_POLL_MS, since a thread falling asleep in the kernel and a
 * program exiting send no notice here. */
static gboolean
wait_until (SlLabTrace *self,
            gboolean  (*done) (SlLabTrace *, guint),
            guint       index,
            gint64      deadline)
{
  for (;;)
    {
      reap (self);
      if (self->stop || done (self, index))
        return !self->stop;
      if (deadline != 0 && g_get_monotonic_time () >= deadline)
        return FALSE;
      g_cond_wait_until (&self->cond, &self->lock,
                         g_get_monotonic_time () + BLOCKED_POLL_MS * 1000);
    }
}

static gboolean
program_ready_for_next (SlLabTrace *self,
                        guint       index)
{
  Program *p = g_ptr_array_index (self->programs, index);

  return p->exited || program_blocked (self, index);
}

static gboolean
program_exited (SlLabTrace *self,
                guint       index)
{
  return ((Program *) g_ptr_array_index (self->programs, index))->exited;
}

/* With the lock held: @tid of @pid sleeps in accept () */
static gboolean
thread_in_accept (SlLabTrace *self,
                  gint32      pid,
                  gint32      tid)
{
  for (guint i = 0; i < self->pending->len; i++)
    {
      const Pending *p = &g_array_index (self->pending, Pending, i);

      if (p->pid == pid && p->tid == tid && p->released &&
          (p->kind == NC_CALL_ACCEPT || p->kind == NC_CALL_ACCEPT4))
        return thread_sleeping (pid, tid);
    }
  return FALSE;
}

/* With the lock held: program @index waits in accept () in every thread it
 * has, and nothing else of the run is left (every other program and every
 * process of theirs is gone): no one can ever connect to it. A student who
 * named the client before the server: "socklens trace client.py server.py".
 * Only after other programs: one program alone is not a mistake of order. */
static gboolean
waits_for_nobody (SlLabTrace *self,
                  guint       index)
{
  Program *last = g_ptr_array_index (self->programs, index);
  g_autofree char *tasks_path = g_strdup_printf ("/proc/%d/task", last->pid);
  g_autoptr(GDir) tasks = NULL;
  const char *tid;
  gboolean any = FALSE;

  /* a server alone waits as long as it is let: for a Stop, or the limit */
  if (last->exited || last->pid <= 0 || self->programs->len < 2)
    return FALSE;
  for (guint i = 0; i < self->programs->len; i++)
    {
      const Program *p = g_ptr_array_index (self->programs, i);
      /* a program's process group: itself and what it forked */
      if (p->pid > 0 && p->pid != last->pid && kill (-p->pid, 0) == 0)
        return FALSE;
    }
  {
    /* the last one's own forked children */
    GHashTableIter iter;
    gpointer pid, value;

    g_hash_table_iter_init (&iter, self->pid_program);
    while (g_hash_table_iter_next (&iter, &pid, &value))
      if (GPOINTER_TO_INT (pid) != last->pid && kill (GPOINTER_TO_INT (pid), 0) == 0)
        return FALSE;
  }
  if ((tasks = g_dir_open (tasks_path, 0, NULL)) == NULL)
    return FALSE;
  while ((tid = g_dir_read_name (tasks)) != NULL)
    {
      if (!thread_in_accept (self, last->pid, (gint32) g_ascii_strtoll (tid, NULL, 10)))
        return FALSE;
      any = TRUE;
    }
  return any;
}

/* The last program ended, or has waited for nobody for GRACE_MS */
static gboolean
last_program_done (SlLabTrace *self,
                   guint       index)
{
  if (program_exited (self, index))
    return TRUE;
  if (!waits_for_nobody (self, index))
    {
      self->unreachable_since = 0;
      return FALSE;
    }
  if (self->unreachable_since == 0)
    self->unreachable_since = g_get_monotonic_time ();
  return g_get_monotonic_time () - self->unreachable_since >= GRACE_MS * 1000;
}


static gboolean
all_exited (SlLabTrace *self,
            guint       unused)
{
  for (guint i = 0; i < self->programs->len; i++)
    if (!program_exited (self, i) && ((Program *) g_ptr_array_index (self->programs, i))->pid > 0)
      return FALSE;
  return TRUE;
}

static void
signal_all (SlLabTrace *self,
            int         sig,
            gboolean    mark)
{
  for (guint i = 0; i < self->programs->len; i++)
    {
      Program *p = g_ptr_array_index (self->programs, i);
      if (p->pid > 0 && !p->exited)
        {
          kill (-p->pid, sig);
          if (mark)
            p->stopped = TRUE;
        }
    }
}

/* Ends whatever still runs: SIGTERM, then SIGKILL (lock held) */
static void
stop_the_rest (SlLabTrace *self)
{
  signal_all (self, SIGTERM, TRUE);
  if (self->shared_gate != NULL)
    nc_report_gate_open (self->shared_gate);
  nc_gate_stop (self->gate);
  self->stop = FALSE;  /* wait for them to go */
  if (!wait_until (self, all_exited, 0, g_get_monotonic_time () + KILL_AFTER_MS * 1000))
    {
      signal_all (self, SIGKILL, FALSE);
      wait_until (self, all_exited, 0, 0);
    }
}

static void
on_trace_call (const NcCall *call,
               NcCallPhase   phase,
               gpointer      user_data)
{
  sl_lab_on_call (call, phase, user_data);
}

/**
 * sl_lab_trace_prepare:
 * The recorder, the gate and the pipes, before the control thread reads
 * commands for them.
 */
gboolean
sl_lab_trace_prepare (SlLabTrace *self,
                      GError    **error)
{
  self->recorder = nc_recorder_new ();
  nc_recorder_set_keep_calls (self->recorder, FALSE);  /* the stream is the record */
  self->gate = nc_gate_new ();
  nc_gate_set_stepping (self->gate, self->lab->step);
  nc_recorder_set_listener (self->recorder, on_trace_call, self->lab);
  if (self->lab->step && (self->shared_gate = nc_report_gate_new (&self->gate_fd)) == NULL)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   _("no shared memory for the step gate: %s"), g_strerror (errno));
      return FALSE;
    }
  if (pipe2 (self->report_pipe, O_CLOEXEC) < 0 || pipe2 (self->wake_pipe, O_CLOEXEC) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "pipe: %s",
                   g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/**
 * sl_lab_trace_run:
 * Runs the programs to their end, the time limit, or a stop.
 * Returns: the lab's exit status; @error_text says why when not OK
 */
int
sl_lab_trace_run (SlLabTrace *self,
                  guint       timeout_s,
                  char      **error_text)
{
  gint64 deadline = timeout_s == 0 ? 0
                                    : g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  g_autoptr(GError) error = NULL;
  gboolean timed_out = FALSE, any_failed = FALSE, stopped;
  guint last = self->programs->len - 1;
  guint started = 0;

  self->reader = g_thread_new ("lab-reports", sl_lab_trace_reader_thread, self);
  for (; started < self->programs->len; started++)
    {
      if (!sl_lab_trace_start_program (self, started, &error))
        break;
      if (started == last)
        {
          started++;
          break;
        }
      g_mutex_lock (&self->lock);
      timed_out = !wait_until (self, program_ready_for_next, started, deadline) && !self->stop;
      stopped = self->stop;
      g_mutex_unlock (&self->lock);
      if (timed_out || stopped)
        {
          started++;
          break;
        }
    }
  /* Every program that will start has: only they hold the write end now. */
  close (self->report_pipe[1]);
  self->report_pipe[1] = -1;

  g_mutex_lock (&self->lock);
  if (error == NULL && !timed_out && !self->stop)
    timed_out = !wait_until (self, last_program_done, started - 1, deadline) && !self->stop;
  /* ended early, waiting for nobody: its end says why (describe_exit ()) */
  if (error == NULL && !timed_out && !self->stop && !program_exited (self, started - 1))
    ((Program *) g_ptr_array_index (self->programs, started - 1))->unreachable = TRUE;
  stopped = self->stop;
  if (!stopped && !timed_out)
    wait_until (self, all_exited, 0, g_get_monotonic_time () + GRACE_MS * 1000);
  stop_the_rest (self);
  g_mutex_unlock (&self->lock);

  /* The pipes end when the last process holding them is gone. */
  if (write (self->wake_pipe[1], "x", 1) < 0)
    g_warning ("wake pipe: %s", g_strerror (errno));
  for (guint i = 0; i < self->consoles->len; i++)
    g_thread_join (g_ptr_array_index (self->consoles, i));
  g_ptr_array_set_size (self->consoles, 0);
  g_thread_join (g_steal_pointer (&self->reader));

  sl_lab_trace_report_exits (self, &any_failed);
  if (error != NULL)
    {
      *error_text = g_strdup (error->message);
      return CAP_LAB_EXIT_FAILED;
    }
  if (timed_out)
    {
      *error_text = g_strdup_printf (_("Stopped at the time limit (%u s); everything until then is "
                                       "kept. A program that should end did not: is a server "
                                       "waiting for a client that never came?"), timeout_s);
      return CAP_LAB_EXIT_STOPPED;
    }
  if (stopped)
    {
      *error_text = g_strdup ("The run was stopped");
      return CAP_LAB_EXIT_STOPPED;
    }
  return CAP_LAB_EXIT_OK;
}

/* From the control thread (stop, Ctrl+C, the app went away) */
void
sl_lab_trace_stop (SlLabTrace *self)
{
  g_mutex_lock (&self->lock);
  self->stop = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}
