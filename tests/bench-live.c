/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-live: a live run from the app's side. udp-echo through the lab
 * (socklens-lab, as the window and the command line run it), its stream fed
 * into a CapRecording on the main loop. Prints, never fails:
 *
 * - whether it was recorded completely: packets against sendto() calls;
 * - the app's CPU time per event (feeding, correlating, indexing) for the
 *   first 10,000 events and for the last 10,000: flat if each commit costs
 *   what arrived, not what came before;
 * - latency from a packet's kernel timestamp to its being in the recording,
 *   p50 and p99;
 * - the final exact pass at the end of the stream, and memory per event;
 * - the lab's CPU time (all its threads, as its parent sees it when it has
 *   exited) beside the app's: what the whole run cost.
 *
 *   bench-live [COUNT]    udp-echo --count COUNT (default 100000: 200,000 datagrams)
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "cap-lab.h"

#define WINDOW 10000

typedef struct
{
  guint   events;
  double  cpu_s;   /* this thread's CPU time */
} Mark;

typedef struct
{
  CapLab    *lab;
  GMainLoop *loop;
  GArray    *marks;     /* Mark, one per commit */
  GArray    *latency;   /* gint64 ns per packet */
  guint      n_seen;
  double     cpu_at_last_change;
  double     final_pass_s;
} Bench;

static double
thread_cpu_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
on_changed (CapLab *lab,
            Bench  *b)
{
  CapRecording *rec = cap_lab_get_recording (lab);
  gint64 now_ns = g_get_real_time () * 1000;
  guint n = cap_recording_get_n_packets (rec);
  Mark mark = { cap_recording_get_n_calls (rec) + n, thread_cpu_s () };

  for (; b->n_seen < n; b->n_seen++)
    {
      gint64 latency = now_ns - cap_recording_get_packet (rec, b->n_seen)->ts;
      g_array_append_val (b->latency, latency);
    }
  g_array_append_val (b->marks, mark);
  b->cpu_at_last_change = mark.cpu_s;
}

static void
on_finished (CapLab *lab,
             Bench  *b)
{
  /* The stream's end ran one full pass (exact links, as a file gets) */
  b->final_pass_s = thread_cpu_s () - b->cpu_at_last_change;
  g_main_loop_quit (b->loop);
}

static gint
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

/* CPU per event between the first marks at or after @from and @to events */
static double
cpu_per_event_us (GArray *marks,
                  guint   from,
                  guint   to)
{
  const Mark *a = NULL, *z = NULL;

  for (guint i = 0; i < marks->len; i++)
    {
      const Mark *m = &g_array_index (marks, Mark, i);
      if (a == NULL && m->events >= from)
        a = m;
      if (z == NULL && m->events >= to)
        z = m;
    }
  if (a == NULL || z == NULL || z->events <= a->events)
    return 0;
  return (z->cpu_s - a->cpu_s) * 1e6 / (z->events - a->events);
}

int
main (int    argc,
      char **argv)
{
  guint count = argc > 1 ? (guint) atoi (argv[1]) : 100000;
  g_autoptr(NcParams) params = nc_params_new (nc_scenario_lookup ("udp-echo"));
  g_autoptr(GError) error = NULL;
  Bench b = { 0 };
  CapRecording *rec;
  guint n_calls, n_packets, n_sends = 0, total;
  struct rusage usage, lab_usage;
  double start_cpu;
  gint64 start;

  params->count = count;
  b.lab = cap_lab_new (NULL);
  b.loop = g_main_loop_new (NULL, FALSE);
  b.marks = g_array_new (FALSE, FALSE, sizeof (Mark));
  b.latency = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect (b.lab, "changed", G_CALLBACK (on_changed), &b);
  g_signal_connect (b.lab, "finished", G_CALLBACK (on_finished), &b);

  start = g_get_monotonic_time ();
  start_cpu = thread_cpu_s ();
  {
    Mark zero = { 0, start_cpu };
    g_array_append_val (b.marks, zero);
  }
  if (!cap_lab_start (b.lab, "udp-echo", params, FALSE, &error))
    {
      printf ("bench-live: %s\n", error->message);
      return 0;
    }
  g_main_loop_run (b.loop);

  rec = cap_lab_get_recording (b.lab);
  n_calls = cap_recording_get_n_calls (rec);
  n_packets = cap_recording_get_n_packets (rec);
  total = n_calls + n_packets;
  for (guint i = 0; i < n_calls; i++)
    n_sends += cap_recording_get_call (rec, i)->kind == NC_CALL_SENDTO &&
               cap_recording_get_call (rec, i)->result > 0;
  g_array_sort (b.latency, compare_gint64);
  getrusage (RUSAGE_SELF, &usage);
  getrusage (RUSAGE_CHILDREN, &lab_usage);  /* the lab has exited: "finished" waited for it */

  printf ("udp-echo --count %u, live through the lab: %.2f s wall, %.2f s of the app's CPU\n",
          count, (g_get_monotonic_time () - start) / 1e6, thread_cpu_s () - start_cpu);
  printf ("the lab's CPU: %.2f s user + %.2f s system (%.2f us per event)\n",
          lab_usage.ru_utime.tv_sec + lab_usage.ru_utime.tv_usec / 1e6,
          lab_usage.ru_stime.tv_sec + lab_usage.ru_stime.tv_usec / 1e6,
          (lab_usage.ru_utime.tv_sec + lab_usage.ru_stime.tv_sec +
           (lab_usage.ru_utime.tv_usec + lab_usage.ru_stime.tv_usec) / 1e6) * 1e6 / MAX (total, 1));
  printf ("recorded: %u calls, %u packets for %u sendto() calls: %s\n", n_calls, n_packets,
          n_sends, n_packets == n_sends ? "complete" : "INCOMPLETE");
  printf ("app CPU per event: first %u: %.2f us, last %u: %.2f us (commits: %u)\n", WINDOW,
          cpu_per_event_us (b.marks, 0, WINDOW), WINDOW,
          cpu_per_event_us (b.marks, total > 2 * WINDOW ? total - WINDOW : WINDOW, total),
          b.marks->len - 1);
  if (b.latency->len > 0)
    printf ("kernel timestamp -> in the recording: p50 %.2f ms, p99 %.2f ms (%u packets)\n",
            g_array_index (b.latency, gint64, b.latency->len / 2) / 1e6,
            g_array_index (b.latency, gint64, b.latency->len * 99 / 100) / 1e6, b.latency->len);
  printf ("final exact pass at the end of the stream: %.3f s\n", b.final_pass_s);
  printf ("memory: %.0f MiB peak, %.0f bytes per event; the lab: %.0f MiB peak\n",
          usage.ru_maxrss / 1024.0, usage.ru_maxrss * 1024.0 / MAX (total, 1),
          lab_usage.ru_maxrss / 1024.0);

  g_array_unref (b.marks);
  g_array_unref (b.latency);
  g_main_loop_unref (b.loop);
  g_object_unref (b.lab);
  return 0;
}
