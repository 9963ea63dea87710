/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-netcore-run.c: scenarios on threads, the step gate, and stop. */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "netcore.h"
#include "scenarios/nc-echo-actors.h"
#include "sl-test-kernel.h"

/* The calls one actor made, as "socket bind listen ..." */
static char *
actor_sequence (NcRecorder *recorder,
                const char *name)
{
  g_autoptr(GArray) calls = nc_recorder_copy_calls (recorder);
  GString *seq = g_string_new (NULL);

  for (guint i = 0; i < calls->len; i++)
    {
      const NcCall *call = &g_array_index (calls, NcCall, i);
      NcActorInfo actor;

      nc_recorder_get_actor (recorder, call->actor, &actor);
      if (g_str_equal (actor.name, name))
        g_string_append_printf (seq, "%s%s", seq->len ? " " : "", nc_call_kind_name (call->kind));
    }
  return g_string_free (seq, FALSE);
}

#define ANY_ACTOR G_MAXUINT

static const NcCall *
find_actor_call (GArray     *calls,
                 guint       actor,
                 NcCallKind  kind,
                 guint       nth)
{
  for (guint i = 0; i < calls->len; i++)
    {
      const NcCall *call = &g_array_index (calls, NcCall, i);
      if (call->kind == kind && (actor == ANY_ACTOR || call->actor == actor) && nth-- == 0)
        return call;
    }
  return NULL;
}

static const NcCall *
find_call (GArray     *calls,
           NcCallKind  kind,
           guint       nth)
{
  return find_actor_call (calls, ANY_ACTOR, kind, nth);
}

static NcRun *
run_scenario (const char *name,
              NcParams  **out_params)
{
  const NcScenario *scenario = nc_scenario_lookup (name);
  NcParams *params;

  g_assert_nonnull (scenario);
  params = nc_params_new (scenario);
  if (out_params)
    *out_params = params;
  else
    {
      NcRun *run = nc_run_new (scenario, params);
      nc_params_free (params);
      return run;
    }
  return nc_run_new (scenario, params);
}

static void
test_tcp_echo (void)
{
  g_autoptr(NcRun) run = run_scenario ("tcp-echo", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *server = NULL;
  g_autofree char *client = NULL;
  g_autoptr(GArray) calls = NULL;
  const NcCall *recv_call;

  g_assert_true (nc_run_start (run, &error));
  g_assert_true (nc_run_wait (run, &error));
  g_assert_no_error (error);

  server = actor_sequence (nc_run_get_recorder (run), "server");
  client = actor_sequence (nc_run_get_recorder (run), "client");
  g_assert_cmpstr (server, ==, "socket bind listen getsockname accept recv send recv close close");
  g_assert_cmpstr (client, ==, "socket connect send recv close");

  calls = nc_recorder_copy_calls (nc_run_get_recorder (run));
  /* The client's recv() got its own message back. */
  recv_call = find_actor_call (calls, 1, NC_CALL_RECV, 0);
  g_assert_nonnull (recv_call);
  g_assert_cmpmem (recv_call->data, recv_call->data_len, "hello", 5);
  /* The server's last recv() saw the client's FIN. */
  g_assert_cmpint (find_actor_call (calls, 0, NC_CALL_RECV, 1)->result, ==, 0);
  for (guint i = 0; i < calls->len; i++)
    g_assert_false (nc_call_failed (&g_array_index (calls, NcCall, i)));
}

static void
test_udp_echo (void)
{
  g_autoptr(NcRun) run = run_scenario ("udp-echo", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *server = NULL;
  g_autofree char *client = NULL;
  g_autoptr(GArray) calls = NULL;
  const NcCall *call;

  g_assert_true (nc_run_start (run, &error));
  g_assert_true (nc_run_wait (run, &error));

  server = actor_sequence (nc_run_get_recorder (run), "server");
  client = actor_sequence (nc_run_get_recorder (run), "client");
  g_assert_cmpstr (server, ==, "socket bind getsockname recvfrom sendto close");
  g_assert_cmpstr (client, ==, "socket sendto recvfrom close");

  calls = nc_recorder_copy_calls (nc_run_get_recorder (run));
  /* The server (actor 0) replied to the address recvfrom() gave it: the client's. */
  call = find_actor_call (calls, 0, NC_CALL_SENDTO, 0);
  g_assert_cmpstr (call->peer, ==, find_actor_call (calls, 0, NC_CALL_RECVFROM, 0)->peer);
  /* sendto() on an unbound socket bound it implicitly, to 0.0.0.0:port */
  g_assert_cmpstr (strrchr (call->peer, ':'), ==,
                   strrchr (find_actor_call (calls, 1, NC_CALL_SENDTO, 0)->local, ':'));
}

/* The lab's recorder: its listener is the record, so it keeps no copy of
 * the calls (a million exchanges once held 1.8 GB of them in the lab, read
 * by nothing). It still numbers every call, in order, and tells the
 * listener of both halves of each. */
typedef struct
{
  guint entered;
  guint returned;
  gboolean in_order;
} StreamCount;

static void
count_streamed (const NcCall *call,
                NcCallPhase   phase,
                gpointer      user_data)
{
  StreamCount *count = user_data;

  if (phase == NC_CALL_PHASE_ENTER)
    count->in_order &= call->id == count->entered++;
  else
    count->returned++;
}

static void
test_stream_only (void)
{
  const NcScenario *scenario = nc_scenario_lookup ("udp-echo");
  NcParams *params = nc_params_new (scenario);
  g_autoptr(NcRun) run = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) kept = NULL;
  StreamCount count = { 0, 0, TRUE };
  NcCall call;

  params->count = 500;
  run = nc_run_new (scenario, params);
  nc_params_free (params);
  nc_recorder_set_keep_calls (nc_run_get_recorder (run), FALSE);
  nc_recorder_set_listener (nc_run_get_recorder (run), count_streamed, &count);

  g_assert_true (nc_run_start (run, &error));
  g_assert_true (nc_run_wait (run, &error));
  g_assert_no_error (error);

  /* 500 exchanges: each actor's socket, the server's bind and getsockname,
   * 500 sendto and recvfrom each, two close () */
  g_assert_cmpuint (count.entered, ==, 4 * 500 + 6);
  g_assert_cmpuint (count.returned, ==, count.entered);
  g_assert_true (count.in_order);
  g_assert_cmpuint (nc_recorder_get_n_calls (nc_run_get_recorder (run)), ==, count.entered);
  /* ... and holds none of them */
  g_assert_false (nc_recorder_get_call (nc_run_get_recorder (run), 0, &call));
  kept = nc_recorder_copy_calls (nc_run_get_recorder (run));
  g_assert_cmpuint (kept->len, ==, 0);
}

static void
test_port_in_use (void)
{
  NcParams *params = NULL;
  g_autoptr(NcRun) run = NULL;
  g_autoptr(GError) error = NULL;
  struct sockaddr_storage ss;
  socklen_t len = nc_scenario_make_address ("127.0.0.1", 0, &ss);
  int holder = socket (AF_INET, SOCK_STREAM, 0);
  g_autofree char *port_text = NULL;

  g_assert_cmpint (bind (holder, (struct sockaddr *) &ss, len), ==, 0);
  g_assert_cmpint (listen (holder, 1), ==, 0);
  getsockname (holder, (struct sockaddr *) &ss, &len);

  run = run_scenario ("tcp-echo", &params);
  nc_params_free (params);
  params = nc_params_copy (nc_run_get_params (run));
  g_clear_object (&run);
  params->port = nc_scenario_address_port (&ss);
  run = nc_run_new (nc_scenario_lookup ("tcp-echo"), params);

  g_assert_true (nc_run_start (run, &error));
  g_assert_false (nc_run_wait (run, &error));
  g_assert_error (error, NC_RUN_ERROR, NC_RUN_ERROR_PORT_IN_USE);
  port_text = g_strdup_printf ("%u", params->port);
  g_assert_nonnull (strstr (error->message, "EADDRINUSE"));
  g_assert_nonnull (strstr (error->message, port_text));
  nc_params_free (params);
  close (holder);
}

/* Waits until some call is held at the gate, or the run is over. */
static gboolean
settle (NcRun *run)
{
  NcGate *gate = nc_run_get_gate (run);

  while (!nc_run_is_finished (run))
    if (nc_gate_wait_for_waiter (gate, 20 * 1000))
      return TRUE;
  return FALSE;
}

/* After a step: call @id has entered, and its actor has gone as far as it
 * can go: held at the gate again, asleep in the kernel (not on a lock), or
 * finished. The kernel and the gate say so; no time is guessed. */
static gboolean
released_actor_settled (NcRun   *run,
                        guint32  id)
{
  g_autoptr(GArray) waiters = NULL;
  NcCall call;
  long nr;

  if (!nc_recorder_get_call (nc_run_get_recorder (run), id, &call))
    return FALSE;
  waiters = nc_gate_copy_waiters (nc_run_get_gate (run));
  for (guint i = 0; i < waiters->len; i++)
    if (g_array_index (waiters, NcGateWaiter, i).actor == call.actor)
      return TRUE;
  nr = sl_test_thread_sleeping_in (call.tid);
  return nr == SL_TEST_THREAD_GONE || (nr >= 0 && nr != SYS_futex);
}

static gboolean
wait_released_actor_settled (NcRun   *run,
                             guint32  id)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;  /* a hang guard */

  while (g_get_monotonic_time () < deadline)
    {
      if (released_actor_settled (run, id))
        return TRUE;
      g_usleep (500);
    }
  return FALSE;
}

static void
test_step_one_call_per_step (void)
{
  g_autoptr(NcRun) run = run_scenario ("tcp-echo", NULL);
  NcRecorder *recorder = nc_run_get_recorder (run);
  g_autoptr(GError) error = NULL;
  guint steps = 0;

  nc_run_set_stepping (run, TRUE);
  g_assert_true (nc_run_start (run, &error));

  while (settle (run))
    {
      /* Nothing runs without a step: every call so far was released by one. */
      g_assert_cmpuint (nc_recorder_get_n_calls (recorder), ==, steps);
      g_assert_true (nc_gate_step (nc_run_get_gate (run)));
      steps++;
      /* Let the released call enter and its actor go as far as it can;
       * no other call may have followed it. */
      g_assert_true (wait_released_actor_settled (run, steps - 1));
      g_assert_cmpuint (nc_recorder_get_n_calls (recorder), ==, steps);
    }
  g_assert_true (nc_run_wait (run, &error));
  g_assert_cmpuint (steps, ==, 15);
  g_assert_cmpuint (nc_gate_get_n_released (nc_run_get_gate (run)), ==, 15);
}

static gboolean
actor_is_waiting (NcRun *run,
                  guint  actor,
                  NcCallKind kind)
{
  g_autoptr(GArray) waiters = NULL;

  for (int tries = 0; tries < 5000; tries++)
    {
      waiters = nc_gate_copy_waiters (nc_run_get_gate (run));
      for (guint i = 0; i < waiters->len; i++)
        {
          NcGateWaiter *w = &g_array_index (waiters, NcGateWaiter, i);
          if (w->actor == actor && w->kind == kind)
            return TRUE;
        }
      g_clear_pointer (&waiters, g_array_unref);
      g_usleep (1000);
    }
  return FALSE;
}

/* Waits until @actor has a call held at the gate. */
static gboolean
actor_waits (NcRun *run,
             guint  actor)
{
  for (int tries = 0; tries < 5000; tries++)
    {
      g_autoptr(GArray) waiters = nc_gate_copy_waiters (nc_run_get_gate (run));

      for (guint i = 0; i < waiters->len; i++)
        if (g_array_index (waiters, NcGateWaiter, i).actor == actor)
          return TRUE;
      g_usleep (1000);
    }
  return FALSE;
}

/* The lesson of step mode: the client's connect() completes (the kernel does
 * the handshake) before the server has even called accept(). */
static void
test_step_chosen_actor (void)
{
  g_autoptr(NcRun) run = run_scenario ("tcp-echo", NULL);
  NcGate *gate = nc_run_get_gate (run);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) calls = NULL;
  const guint server = 0, client = 1;
  const NcCall *connect_call;

  nc_run_set_stepping (run, TRUE);
  g_assert_true (nc_run_start (run, &error));

  /* Server: socket, bind, listen, getsockname; then it waits before accept. */
  for (guint i = 0; i < 4; i++)
    {
      g_assert_true (settle (run));
      g_assert_true (nc_gate_step_actor (gate, server));
    }
  g_assert_true (actor_is_waiting (run, server, NC_CALL_ACCEPT));
  g_assert_true (actor_is_waiting (run, client, NC_CALL_SOCKET));

  g_assert_true (nc_gate_step_actor (gate, client));
  g_assert_true (actor_is_waiting (run, client, NC_CALL_CONNECT));
  g_assert_true (nc_gate_step_actor (gate, client));
  g_assert_true (actor_is_waiting (run, client, NC_CALL_SEND));

  calls = nc_recorder_copy_calls (nc_run_get_recorder (run));
  connect_call = find_call (calls, NC_CALL_CONNECT, 0);
  g_assert_nonnull (connect_call);
  g_assert_cmpint (connect_call->result, ==, 0);
  g_assert_cmpint (connect_call->ts_end, >, 0);
  g_assert_null (find_call (calls, NC_CALL_ACCEPT, 0));
  /* Time held at the gate is kept apart from time in the kernel. */
  g_assert_cmpint (connect_call->ts_gate, <=, connect_call->ts_start);

  nc_gate_run (gate);
  g_assert_true (nc_run_wait (run, &error));
}

typedef struct
{
  NcRun  *run;
  GMutex  lock;
  GCond   cond;
  gboolean done;
} WaitData;

static gpointer
wait_thread (gpointer data)
{
  WaitData *wd = data;

  nc_run_wait (wd->run, NULL);
  g_mutex_lock (&wd->lock);
  wd->done = TRUE;
  g_cond_signal (&wd->cond);
  g_mutex_unlock (&wd->lock);
  return NULL;
}

static guint
count_open_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  while (dir && g_dir_read_name (dir))
    n++;
  return n;
}

static void
test_stop_blocked (gconstpointer data)
{
  NcCallKind blocked_in = GPOINTER_TO_INT (data);
  const char *scenario = blocked_in == NC_CALL_ACCEPT ? "tcp-echo" : "udp-echo";
  guint fds_before = count_open_fds ();
  g_autoptr(NcRun) run = run_scenario (scenario, NULL);
  NcGate *gate = nc_run_get_gate (run);
  g_autoptr(GError) error = NULL;
  WaitData wd = { 0 };
  GThread *waiter;
  gint64 deadline;
  guint server_steps = blocked_in == NC_CALL_ACCEPT ? 5 : 4;
  static const long in_accept[] = { SYS_accept, SYS_accept4, 0 };
  static const long in_recvfrom[] = { SYS_recvfrom, 0 };

  nc_run_set_stepping (run, TRUE);
  g_assert_true (nc_run_start (run, &error));
  /* Release the server up to and including its blocking call; the client
   * stays held at the gate, so nobody will ever wake the server. Wait for
   * the server's own call, not any: once its port is published the client's
   * socket() may reach the gate before the server's next call does. */
  for (guint i = 0; i < server_steps; i++)
    {
      g_assert_true (actor_waits (run, 0));
      g_assert_true (nc_gate_step_actor (gate, 0));
    }
  /* Only the server's calls have entered: its last one is asleep in the kernel. */
  g_assert_true (sl_test_wait_call_in_kernel (nc_run_get_recorder (run), server_steps - 1,
                                              blocked_in == NC_CALL_ACCEPT ? in_accept
                                                                           : in_recvfrom));

  wd.run = run;
  g_mutex_init (&wd.lock);
  g_cond_init (&wd.cond);
  nc_run_stop (run);
  waiter = g_thread_new ("wait", wait_thread, &wd);

  /* A guard against hangs, not a benchmark. */
  deadline = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;
  g_mutex_lock (&wd.lock);
  while (!wd.done)
    if (!g_cond_wait_until (&wd.cond, &wd.lock, deadline))
      break;
  g_mutex_unlock (&wd.lock);
  g_assert_true (wd.done);
  g_thread_join (waiter);

  g_assert_false (nc_run_wait (run, &error));
  g_assert_error (error, NC_RUN_ERROR, NC_RUN_ERROR_STOPPED);
  {
    g_autoptr(GArray) open = nc_recorder_copy_open_fds (nc_run_get_recorder (run));
    g_assert_cmpuint (open->len, ==, 0);
  }
  g_assert_cmpuint (count_open_fds (), ==, fds_before);
  g_mutex_clear (&wd.lock);
  g_cond_clear (&wd.cond);
}

static void
test_unknown_scenario (void)
{
  g_assert_null (nc_scenario_lookup ("no-such-scenario"));
}

static void
test_scenario_source (void)
{
  guint n;
  const NcScenario *const *list = nc_scenario_list (&n);

  g_assert_cmpuint (n, >=, 2);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) source = nc_scenario_load_source (list[i], &error);
      g_assert_no_error (error);
      /* The embedded file holds the actors' bodies, whose lines the calls name */
      g_assert_nonnull (g_strstr_len (g_bytes_get_data (source, NULL), g_bytes_get_size (source),
                                      "(NcActorContext *ctx)"));
      g_assert_nonnull (list[i]->notice);
      g_assert_nonnull (list[i]->title);
    }
}

/* --- a datagram no UDP can carry ------------------------------------------ */

#define HANG_GUARD_US (10 * G_USEC_PER_SEC)  /* against a hang, not a timing assertion */

/* udp-echo's own actors, without the scenario's check on the message: what
 * the actors do when sendto() fails. */
static const NcActorSpec unchecked_actors[] = {
  { "server", "server", udp_echo_server },
  { "client", "client", udp_echo_client },
};

static const NcScenario unchecked_udp_echo = {
  .name = "udp-echo-unchecked",
  .title = "udp-echo's actors, no message check",
  .default_message = "hello",
  .default_count = 1,
  .default_host = "127.0.0.1",
  .n_actors = G_N_ELEMENTS (unchecked_actors),
  .actors = unchecked_actors,
};

static NcParams *
params_with_message (const NcScenario *scenario,
                     gsize             len)
{
  NcParams *params = nc_params_new (scenario);

  g_free (params->message);
  params->message = g_malloc (len + 1);
  memset (params->message, 'x', len);
  params->message[len] = '\0';
  return params;
}

/* The client's sendto() fails with EMSGSIZE: the run ends, saying so, where
 * it used to hang with both actors in recvfrom(). */
static void
test_actor_failure_ends_run (void)
{
  g_autoptr(NcParams) params = params_with_message (&unchecked_udp_echo,
                                                    NC_UDP_MAX_PAYLOAD_IPV4 + 1);
  g_autoptr(NcRun) run = nc_run_new (&unchecked_udp_echo, params);
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + HANG_GUARD_US;
  gboolean finished;

  g_assert_true (nc_run_start (run, &error));
  while (!(finished = nc_run_is_finished (run)) && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  if (!finished)
    nc_run_stop (run);  /* so the failure below is reported, not a hung test */
  g_assert_true (finished);
  g_assert_false (nc_run_wait (run, &error));
  g_assert_error (error, NC_RUN_ERROR, NC_RUN_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "client"));
  g_assert_nonnull (strstr (error->message, "EMSGSIZE"));
}

/* The scenario itself refuses it before any socket exists. */
static void
test_datagram_too_big_refused (void)
{
  const NcScenario *udp = nc_scenario_lookup ("udp-echo");
  g_autoptr(NcParams) ok = params_with_message (udp, NC_UDP_MAX_PAYLOAD_IPV4);
  g_autoptr(NcParams) big = params_with_message (udp, NC_UDP_MAX_PAYLOAD_IPV4 + 1);
  g_autoptr(NcRun) run = nc_run_new (udp, big);
  g_autoptr(GError) error = NULL;

  g_assert_true (nc_params_check (udp, ok, FALSE, NULL));
  g_assert_false (nc_run_start (run, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "65507"));
  g_assert_cmpuint (nc_recorder_get_n_calls (nc_run_get_recorder (run)), ==, 0);
}

/* netcore/meson.build's list is the only registration: every scenario a
 * file in netcore/scenarios/ defines is in it, once, under its own name. */
static void
test_scenario_registry (void)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "..", "netcore", "scenarios", NULL);
  g_autoptr(GDir) files = g_dir_open (dir, 0, NULL);
  g_autoptr(GRegex) definition = g_regex_new ("^const NcScenario nc_scenario_(\\w+) = \\{",
                                              G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  const NcScenario *const *list;
  const char *file;
  guint n, n_defined = 0;

  list = nc_scenario_list (&n);
  for (guint i = 0; i < n; i++)
    {
      g_assert_true (g_hash_table_add (names, (gpointer) list[i]->name));
      g_assert_true (nc_scenario_lookup (list[i]->name) == list[i]);
      g_assert_true (g_str_has_prefix (nc_scenario_get_source_path (list[i]),
                                       "/org/socklens/scenarios/nc-scenario-"));
    }

  g_assert_nonnull (files);
  while ((file = g_dir_read_name (files)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, file, NULL);
      g_autofree char *text = NULL;
      g_autoptr(GMatchInfo) match = NULL;

      if (!g_str_has_suffix (file, ".c"))
        continue;
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      for (g_regex_match (definition, text, 0, &match); g_match_info_matches (match);
           g_match_info_next (match, NULL))
        {
          g_autofree char *symbol = g_match_info_fetch (match, 1);
          g_autofree char *name = g_strdelimit (g_strdup (symbol), "_", '-');

          if (nc_scenario_lookup (name) == NULL)
            g_error ("%s defines scenario %s, which netcore/meson.build's nc_scenarios lacks",
                     file, name);
          n_defined++;
        }
    }
  g_assert_cmpuint (n_defined, ==, n);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/netcore/run/tcp-echo", test_tcp_echo);
  g_test_add_func ("/netcore/run/udp-echo", test_udp_echo);
  g_test_add_func ("/netcore/run/stream-only", test_stream_only);
  g_test_add_func ("/netcore/run/actor-failure-ends-run", test_actor_failure_ends_run);
  g_test_add_func ("/netcore/run/datagram-too-big", test_datagram_too_big_refused);
  g_test_add_func ("/netcore/run/port-in-use", test_port_in_use);
  g_test_add_func ("/netcore/run/step/one-call-per-step", test_step_one_call_per_step);
  g_test_add_func ("/netcore/run/step/chosen-actor", test_step_chosen_actor);
  g_test_add_data_func ("/netcore/run/stop/blocked-in-accept", GINT_TO_POINTER (NC_CALL_ACCEPT),
                        test_stop_blocked);
  g_test_add_data_func ("/netcore/run/stop/blocked-in-recvfrom",
                        GINT_TO_POINTER (NC_CALL_RECVFROM), test_stop_blocked);
  g_test_add_func ("/netcore/run/unknown-scenario", test_unknown_scenario);
  g_test_add_func ("/netcore/run/scenario-source", test_scenario_source);
  g_test_add_func ("/netcore/run/scenario-registry", test_scenario_registry);

  return g_test_run ();
}
