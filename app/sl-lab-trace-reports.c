/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-lab-trace-reports.c: the calls the traced programs report on the
 * report pipe (NcReport records): each gets the actor of its thread (the
 * program, a thread of it, a forked child), goes into the lab's recorder,
 * and, when stepping, is held at the lab's gate on a thread of its own.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <stdio.h>
#include <string.h>

#include "sl-lab-trace-private.h"

/* --- actors ------------------------------------------------------------ */

guint
sl_lab_trace_new_actor (SlLabTrace *self,
                        const char *name,
                        const char *role,
                        gint32      pid)
{
  guint actor = nc_recorder_add_actor (self->recorder, name, role);
  NcActorInfo info;

  nc_recorder_set_actor_pid (self->recorder, actor, pid);
  if (nc_recorder_get_actor (self->recorder, actor, &info))
    sl_lab_emit_actor (self->lab, &info);
  return actor;
}

/* The program a process belongs to: its own, or its parent's (a forked child) */
static gint
program_of_pid (SlLabTrace *self,
                gint32      pid)
{
  for (guint depth = 0; depth < 8 && pid > 1; depth++)
    {
      gpointer value = g_hash_table_lookup (self->pid_program, GINT_TO_POINTER (pid));
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      const char *paren;
      int ppid = 0;

      if (value != NULL)
        return GPOINTER_TO_INT (value) - 1;
      path = g_strdup_printf ("/proc/%d/stat", pid);
      if (!g_file_get_contents (path, &stat, NULL, NULL) ||
          (paren = strrchr (stat, ')')) == NULL || sscanf (paren + 2, "%*c %d", &ppid) != 1)
        return -1;
      pid = ppid;
    }
  return -1;
}

/* What @pid runs, as a program is named: its script ("client.py" of
 * "python3 client.py 50007"), else its executable; NULL once it is gone */
static char *
command_name (gint32 pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", pid);
  g_autofree char *cmdline = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &cmdline, &len, NULL) || len == 0)
    return NULL;
  for (gsize at = 0; at < len; at += strlen (cmdline + at) + 1)
    if (g_str_has_suffix (cmdline + at, ".py"))
      return g_path_get_basename (cmdline + at);
  return g_path_get_basename (cmdline);
}

/* Whether @p is named after @command ("server.py", "server.py (2)") */
static gboolean
is_named (const Program *p,
          const char    *command)
{
  gsize n = strlen (command);

  return strncmp (p->name, command, n) == 0 && (p->name[n] == '\0' || p->name[n] == ' ');
}

/* With the lock held: the actor of a reported call's thread */
static guint
actor_for (SlLabTrace   *self,
           const NcCall *call)
{
  gint64 key = sl_lab_trace_thread_key (call->pid, call->tid);
  gpointer value = g_hash_table_lookup (self->thread_actor, &key);
  g_autofree char *name = NULL;
  Program *p;
  gint index;
  guint actor;

  if (value != NULL)
    return GPOINTER_TO_UINT (value) - 1;

  index = program_of_pid (self, call->pid);
  p = g_ptr_array_index (self->programs, MAX (index, 0));
  if (call->pid == p->pid && call->tid == p->pid)
    actor = p->actor;
  else if (call->pid == p->pid || g_hash_table_contains (self->pid_program,
                                                         GINT_TO_POINTER (call->pid)))
    {
      name = g_strdup_printf ("%s thread %u", p->name, ++p->n_threads);
      actor = sl_lab_trace_new_actor (self, name, "thread", call->pid);
    }
  else
    {
      /* a forked child (ForkingMixIn's handler): a process of its own;
       * one that ran another program is named after it */
      g_autofree char *command = command_name (call->pid);

      if (command != NULL && !is_named (p, command))
        name = g_strdup_printf ("%s (from %s)", command, p->name);
      else
        name = g_strdup_printf ("%s child %u", p->name, ++p->n_children);
      actor = sl_lab_trace_new_actor (self, name, "child", call->pid);
      g_hash_table_insert (self->pid_program, GINT_TO_POINTER (call->pid),
                           GINT_TO_POINTER (MAX (index, 0) + 1));
    }
  g_hash_table_insert (self->thread_actor, g_memdup2 (&key, sizeof key),
                       GUINT_TO_POINTER (actor + 1));
  return actor;
}

/* --- the reports ------------------------------------------------------- */

typedef struct
{
  SlLabTrace *self;
  NcCall      call;
} Held;

/* Holds one call at the lab's gate, as a scenario's own thread would wait,
 * then lets the program's thread through. */
static gpointer
held_thread (gpointer data)
{
  Held *held = data;
  SlLabTrace *self = held->self;

  nc_gate_pass (self->gate, held->call.actor, held->call.kind, held->call.fd);
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->pending->len; i++)
    {
      Pending *p = &g_array_index (self->pending, Pending, i);
      if (p->pid == held->call.pid && p->tid == held->call.tid)
        p->released = TRUE;
    }
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  nc_report_gate_release (self->shared_gate, held->call.tid);
  g_free (held);
  return NULL;
}

static void
note_pending (SlLabTrace   *self,
              const NcCall *call,
              guint32       id,
              gboolean      held)
{
  if (call->ts_end == 0)
    {
      Pending p = { call->pid, call->tid, id, !held, call->kind };
      g_array_append_val (self->pending, p);
      g_cond_broadcast (&self->cond);
    }
  else
    for (guint i = 0; i < self->pending->len; i++)
      if (g_array_index (self->pending, Pending, i).id == id)
        {
          g_array_remove_index_fast (self->pending, i);
          g_cond_broadcast (&self->cond);
          break;
        }
  /* a call reported once, on its return (a sendto () that cannot wait),
   * changes nothing the waiting thread looks at: it is not woken */
}

gpointer
sl_lab_trace_reader_thread (gpointer data)
{
  SlLabTrace *self = data;
  g_autoptr(NcReportIds) ids = nc_report_ids_new ();
  g_autofree NcReportReader *reader = g_new (NcReportReader, 1);
  NcReportInterned interned = { NULL, NULL };
  NcReport report;
  NcCall call;

  nc_report_reader_init (reader, self->report_pipe[0]);
  while (nc_report_reader_next (reader, &report))
    {
      gboolean held;
      guint32 id;

      nc_report_to_call_interned (&report, &call, &interned);
      g_mutex_lock (&self->lock);
      call.actor = (guint16) actor_for (self, &call);
      g_mutex_unlock (&self->lock);

      held = self->shared_gate != NULL && call.ts_end == 0 && nc_call_waits_at_gate (&call);
      id = nc_recorder_add_reported (self->recorder, ids, &call);

      g_mutex_lock (&self->lock);
      note_pending (self, &call, id, held);
      g_mutex_unlock (&self->lock);

      if (held)
        {
          Held *h = g_new0 (Held, 1);
          h->self = self;
          h->call = call;
          g_thread_unref (g_thread_new ("lab-held-call", held_thread, h));
        }
    }
  return NULL;
}
