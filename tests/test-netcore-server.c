/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-netcore-server.c: the socketserver-style framework, on loopback. */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netcore.h"
#include "sl-test-kernel.h"

static GArray *
run_to_end (const char *name,
            NcRun     **out_run)
{
  const NcScenario *scenario = nc_scenario_lookup (name);
  g_autoptr(GError) error = NULL;
  NcRun *run;

  g_assert_nonnull (scenario);
  run = nc_run_new (scenario, NULL);
  g_assert_true (nc_run_start (run, &error));
  g_assert_true (nc_run_wait (run, &error));
  g_assert_no_error (error);
  *out_run = run;
  return nc_recorder_copy_calls (nc_run_get_recorder (run));
}

static guint
count_calls (GArray     *calls,
             guint       actor,
             NcCallKind  kind)
{
  guint n = 0;

  for (guint i = 0; i < calls->len; i++)
    {
      const NcCall *call = &g_array_index (calls, NcCall, i);
      n += call->actor == actor && call->kind == kind;
    }
  return n;
}

static guint
actor_named (NcRecorder *recorder,
             const char *name)
{
  for (guint i = 0; i < nc_recorder_get_n_actors (recorder); i++)
    {
      NcActorInfo info;
      nc_recorder_get_actor (recorder, i, &info);
      if (g_str_equal (info.name, name))
        return i;
    }
  g_assert_not_reached ();
}

/* A thread per request: each handler is an actor of its own, on its own
 * thread, serving a whole session on the connected socket. */
static void
test_threading (void)
{
  NcRun *run = NULL;
  g_autoptr(GArray) calls = run_to_end ("socketserver-tcp", &run);
  NcRecorder *recorder = nc_run_get_recorder (run);
  guint server = actor_named (recorder, "server");
  gint32 server_tid = 0;

  g_assert_cmpuint (count_calls (calls, server, NC_CALL_LISTEN), ==, 1);
  g_assert_cmpuint (count_calls (calls, server, NC_CALL_ACCEPT), ==, 2);
  g_assert_cmpuint (count_calls (calls, server, NC_CALL_RECV), ==, 0);
  for (guint i = 0; i < calls->len; i++)
    if (g_array_index (calls, NcCall, i).actor == server)
      server_tid = g_array_index (calls, NcCall, i).tid;

  for (guint h = 1; h <= 2; h++)
    {
      g_autofree char *name = g_strdup_printf ("handler %u", h);
      guint actor = actor_named (recorder, name);

      /* recv "hello", echo it, recv 0 at the client's FIN, then the framework closes */
      g_assert_cmpuint (count_calls (calls, actor, NC_CALL_RECV), ==, 2);
      g_assert_cmpuint (count_calls (calls, actor, NC_CALL_SEND), ==, 1);
      g_assert_cmpuint (count_calls (calls, actor, NC_CALL_CLOSE), ==, 1);
      for (guint i = 0; i < calls->len; i++)
        {
          const NcCall *call = &g_array_index (calls, NcCall, i);
          if (call->actor == actor)
            {
              g_assert_cmpint (call->tid, !=, server_tid);
              g_assert_cmpint (call->pid, ==, getpid ());
            }
        }
    }
  g_object_unref (run);
}

/* A process per request: the child's calls arrive over the pipe with the
 * child's own pid, and no child outlives the server. */
static void
test_forking (void)
{
  NcRun *run = NULL;
  g_autoptr(GArray) calls = run_to_end ("socketserver-forking", &run);
  NcRecorder *recorder = nc_run_get_recorder (run);

  for (guint h = 1; h <= 2; h++)
    {
      g_autofree char *name = g_strdup_printf ("handler %u", h);
      guint actor = actor_named (recorder, name);
      NcActorInfo info;
      guint n = 0;

      nc_recorder_get_actor (recorder, actor, &info);
      g_assert_cmpint (info.pid, !=, getpid ());
      g_assert_cmpint (info.pid, >, 0);
      for (guint i = 0; i < calls->len; i++)
        {
          const NcCall *call = &g_array_index (calls, NcCall, i);
          if (call->actor != actor)
            continue;
          n++;
          g_assert_cmpint (call->pid, ==, info.pid);
          g_assert_cmpint (call->ts_end, >=, call->ts_start);
          g_assert_cmpint (call->ts_start, >, 0);
        }
      g_assert_cmpuint (n, ==, 4);  /* recv, send, recv (0), close */
      g_assert_cmpuint (count_calls (calls, actor, NC_CALL_SEND), ==, 1);
      /* It was reaped: no such process any more. */
      g_assert_cmpint (kill (info.pid, 0), ==, -1);
      g_assert_cmpint (errno, ==, ESRCH);
    }
  /* The parent closed its copy of each connected socket. */
  g_assert_cmpuint (count_calls (calls, actor_named (recorder, "server"), NC_CALL_CLOSE), ==, 3);
  g_object_unref (run);
}

static void
test_udp (void)
{
  NcRun *run = NULL;
  g_autoptr(GArray) calls = run_to_end ("socketserver-udp", &run);
  guint server = actor_named (nc_run_get_recorder (run), "server");

  /* One request is one datagram: recvfrom(), then handle()'s sendto() */
  g_assert_cmpuint (count_calls (calls, server, NC_CALL_LISTEN), ==, 0);
  g_assert_cmpuint (count_calls (calls, server, NC_CALL_ACCEPT), ==, 0);
  g_assert_cmpuint (count_calls (calls, server, NC_CALL_RECVFROM), ==, 2);
  g_assert_cmpuint (count_calls (calls, server, NC_CALL_SENDTO), ==, 2);
  g_object_unref (run);
}

/* Stopped while its handlers wait: every thread and child ends. */
static void
test_stop_forking (void)
{
  const NcScenario *scenario = nc_scenario_lookup ("socketserver-forking");
  g_autoptr(NcRun) run = nc_run_new (scenario, NULL);
  NcGate *gate = nc_run_get_gate (run);
  g_autoptr(GError) error = NULL;
  static const long in_accept[] = { SYS_accept, SYS_accept4, 0 };

  nc_run_set_stepping (run, TRUE);
  g_assert_true (nc_run_start (run, &error));
  /* Let the server reach its blocking accept(), and stop there. */
  for (guint i = 0; i < 5; i++)
    {
      guint tries = 0;
      /* The clients may be at the gate first: wait for the server's turn. */
      while (!nc_gate_step_actor (gate, 0))
        {
          g_assert_cmpuint (++tries, <, 5000);
          g_usleep (1000);
        }
    }
  /* Only the server's calls were released: its fifth is accept(), asleep
   * in the kernel before the stop. */
  g_assert_true (sl_test_wait_call_in_kernel (nc_run_get_recorder (run), 4, in_accept));
  nc_run_stop (run);
  g_assert_false (nc_run_wait (run, &error));
  g_assert_error (error, NC_RUN_ERROR, NC_RUN_ERROR_STOPPED);
  g_assert_cmpint (waitpid (-1, NULL, WNOHANG), ==, -1);  /* no children left */
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/netcore/server/threading", test_threading);
  g_test_add_func ("/netcore/server/forking", test_forking);
  g_test_add_func ("/netcore/server/udp", test_udp);
  g_test_add_func ("/netcore/server/stop-forking", test_stop_forking);

  return g_test_run ();
}
