/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-lab-control.c: what the app tells the lab, and what the step gate holds.
 *
 * Commands come one per line on stdin, as capture/cap-lab-protocol.h
 * defines them. End of input means the app went away: the run is stopped
 * and the lab exits.
 *
 * Stopping happens on a thread of its own, because a stop may be asked for
 * from places that hold the recorder's lock (a failed write in its listener).
 * In step mode, a watcher reports the gate's waiters as GATE records whenever
 * they change, so the app can say "next: client connect()".
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sl-lab-private.h"

#define GATE_POLL_US 2000

void
sl_lab_request_stop (SlLab    *lab,
                     gboolean  parent_gone)
{
  g_mutex_lock (&lab->control_lock);
  lab->stop_requested = TRUE;
  lab->parent_gone |= parent_gone;
  g_cond_broadcast (&lab->control_cond);
  g_mutex_unlock (&lab->control_lock);
}

static gpointer
stopper_thread (gpointer data)
{
  SlLab *lab = data;
  gboolean stop;

  g_mutex_lock (&lab->control_lock);
  while (!lab->stop_requested && !lab->finished)
    g_cond_wait (&lab->control_cond, &lab->control_lock);
  stop = lab->stop_requested;
  g_mutex_unlock (&lab->control_lock);

  if (stop && lab->trace != NULL)
    sl_lab_trace_stop (lab->trace);
  else if (stop)
    nc_run_stop (lab->run);
  return NULL;
}

static NcGate *
lab_gate (SlLab *lab)
{
  return lab->trace != NULL ? sl_lab_trace_get_gate (lab->trace) : nc_run_get_gate (lab->run);
}

static guint
lab_n_actors (SlLab *lab)
{
  return lab->trace != NULL ? sl_lab_trace_get_n_actors (lab->trace) : lab->scenario->n_actors;
}

static void
do_command (SlLab      *lab,
            NcGate     *gate,
            const char *line)
{
  guint actor;

  switch (cap_lab_command_parse (line, &actor))
    {
    case CAP_LAB_COMMAND_NONE:
      break;
    case CAP_LAB_COMMAND_STEP:
      nc_gate_step (gate);
      break;
    case CAP_LAB_COMMAND_STEP_ACTOR:
      if (actor >= lab_n_actors (lab))
        sl_lab_say (lab, CAP_SEVERITY_WARNING, _("step: no actor %u"), actor);
      else if (!nc_gate_step_actor (gate, actor))
        sl_lab_say (lab, CAP_SEVERITY_WARNING, _("step %u: that actor has no call waiting"), actor);
      break;
    case CAP_LAB_COMMAND_RUN:
      nc_gate_run (gate);
      break;
    case CAP_LAB_COMMAND_PAUSE:
      nc_gate_pause (gate);
      break;
    case CAP_LAB_COMMAND_STOP:
      sl_lab_request_stop (lab, FALSE);
      break;
    case CAP_LAB_COMMAND_BAD_ACTOR:
    case CAP_LAB_COMMAND_UNKNOWN:
    default:
      sl_lab_say (lab, CAP_SEVERITY_WARNING, _("unknown command “%s” (%s)"), line,
                  CAP_LAB_COMMANDS_HELP);
      break;
    }
}

/* What the stdin reader uses. It holds its own reference to the gate: it is
 * never joined, so a command may come while main () frees the run on its
 * way out. */
typedef struct
{
  SlLab  *lab;
  NcGate *gate;
} Reader;

/* Blocks in read(2) for the whole run; never joined: exit ends it. */
static gpointer
stdin_thread (gpointer data)
{
  Reader *reader = data;
  SlLab *lab = reader->lab;
  g_autoptr(GString) pending = g_string_new (NULL);
  char buf[256];

  for (;;)
    {
      gssize n = read (STDIN_FILENO, buf, sizeof buf);
      char *nl;

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      g_string_append_len (pending, buf, n);
      while ((nl = memchr (pending->str, '\n', pending->len)) != NULL)
        {
          g_autofree char *line = g_strndup (pending->str, nl - pending->str);

          g_string_erase (pending, 0, nl - pending->str + 1);
          do_command (lab, reader->gate, line);
        }
    }

  sl_lab_request_stop (lab, TRUE);
  g_object_unref (reader->gate);
  g_free (reader);
  return NULL;
}

static gboolean
control_finished (SlLab *lab)
{
  gboolean ret;

  g_mutex_lock (&lab->control_lock);
  ret = lab->finished;
  g_mutex_unlock (&lab->control_lock);
  return ret;
}

/* The gate has no change notification; a poll every 2 ms is far below what
 * a person stepping can notice, and costs nothing while nothing changes. */
static gpointer
gate_watch_thread (gpointer data)
{
  SlLab *lab = data;
  g_autoptr(GArray) last = g_array_new (FALSE, FALSE, sizeof (NcGateWaiter));

  while (!control_finished (lab))
    {
      g_autoptr(GArray) now = nc_gate_copy_waiters (lab_gate (lab));

      if (!nc_gate_waiters_equal (now, last))
        {
          sl_lab_emit_gate (lab, now);
          g_array_set_size (last, 0);
          g_array_append_vals (last, now->data, now->len);
        }
      g_usleep (GATE_POLL_US);
    }
  return NULL;
}

gboolean
sl_lab_control_start (SlLab   *lab,
                      GError **error)
{
  Reader *reader_data;
  GThread *reader;

  lab->stopper = g_thread_try_new ("lab-stopper", stopper_thread, lab, error);
  if (lab->stopper == NULL)
    return FALSE;
  if (lab->step)
    {
      lab->gate_watch = g_thread_try_new ("lab-gate", gate_watch_thread, lab, error);
      if (lab->gate_watch == NULL)
        return FALSE;
    }
  reader_data = g_new0 (Reader, 1);
  reader_data->lab = lab;
  reader_data->gate = g_object_ref (lab_gate (lab));
  reader = g_thread_try_new ("lab-stdin", stdin_thread, reader_data, error);
  if (reader == NULL)
    {
      g_object_unref (reader_data->gate);
      g_free (reader_data);
      return FALSE;
    }
  g_thread_unref (reader);
  return TRUE;
}

/* The run is over: the helper threads end (the stdin reader with the process). */
void
sl_lab_control_finish (SlLab *lab)
{
  g_mutex_lock (&lab->control_lock);
  lab->finished = TRUE;
  g_cond_broadcast (&lab->control_cond);
  g_mutex_unlock (&lab->control_lock);

  if (lab->stopper != NULL)
    g_thread_join (g_steal_pointer (&lab->stopper));
  if (lab->gate_watch != NULL)
    g_thread_join (g_steal_pointer (&lab->gate_watch));
}
