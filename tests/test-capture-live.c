/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-capture-live.c: CapLive keeps every frame when its capture thread is
 * kept off the CPU.
 *
 * The capture thread is made SCHED_IDLE and pinned, with the sending thread,
 * to one CPU: while the sender is runnable the capture thread does not run,
 * as on a machine whose load is far above its cores. The sender calls
 * cap_live_help () before each datagram, as the lab does before each socket
 * call: every datagram must be captured and none lost.
 *
 * The ring is cut to 4 MiB so that the burst overflows it when nobody
 * empties it (with the help left out, 40,000 of the 60,000 were lost), yet
 * it holds what help lets through: help empties it once the last drain is
 * 2 ms old, and 2 ms of sending is up to 2,500 of these datagrams, each
 * recorded twice on lo (going out and coming in), some 6 of the ring's 32
 * blocks of 128 KiB. (A 1 MiB ring, 8 blocks, was sized for a block per ms
 * of traffic, but a block of these small frames fills in under a ms: it
 * lost 13 to 21 datagrams about 1 run in 100 beside two busy loops.)
 *
 * Needs root (capture, its own network namespace): CI runs it.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cap-live.h"
#include "sl-test-capture.h"

#define N_DATAGRAMS 60000
#define SMALL_RING  (4 * 1024 * 1024)

static void
on_frame (const CapLiveFrame *frame,
          gpointer            user_data)
{
  g_atomic_int_inc ((gint *) user_data);
}

/* The id of this process's thread named @name, or 0 */
static pid_t
find_thread (const char *name)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;

  g_assert_nonnull (dir);
  while ((tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/comm", tid);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL) && g_strcmp0 (g_strstrip (comm), name) == 0)
        return (pid_t) g_ascii_strtoll (tid, NULL, 10);
    }
  return 0;
}

static void
pin_to_cpu (pid_t tid,
            int   cpu)
{
  cpu_set_t set;

  CPU_ZERO (&set);
  CPU_SET (cpu, &set);
  g_assert_cmpint (sched_setaffinity (tid, sizeof set, &set), ==, 0);
}

/* The first CPU this process may run on */
static int
first_cpu (void)
{
  cpu_set_t set;

  g_assert_cmpint (sched_getaffinity (0, sizeof set, &set), ==, 0);
  for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
    if (CPU_ISSET (cpu, &set))
      return cpu;
  g_assert_not_reached ();
}

static int
udp_socket_on_lo (struct sockaddr_in *addr)
{
  socklen_t len = sizeof *addr;
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  memset (addr, 0, sizeof *addr);
  addr->sin_family = AF_INET;
  addr->sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (fd, (struct sockaddr *) addr, sizeof *addr), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) addr, &len), ==, 0);
  return fd;
}

static void
test_starved_thread_loses_nothing (void)
{
  g_autoptr(CapLive) live = NULL;
  g_autoptr(GError) error = NULL;
  struct sched_param idle = { 0 }, normal = { 0 };
  struct sockaddr_in to, from;
  gint frames = 0;
  int receiver, sender, cpu;
  pid_t capture;

  if (getuid () != 0)
    {
      g_test_skip ("capturing needs root (CI runs this as root)");
      return;
    }
  sl_test_capture_isolate ();  /* before any thread: the capture thread joins it */
  receiver = udp_socket_on_lo (&to);
  sender = udp_socket_on_lo (&from);

  live = cap_live_new ("lo");
  cap_live_set_ring_size (live, SMALL_RING);
  g_assert_true (cap_live_start (live, on_frame, &frames, &error));
  g_assert_no_error (error);
  /* the new thread names itself once it runs: wait for the name */
  for (guint tries = 0; (capture = find_thread ("capture")) == 0 && tries < 5000; tries++)
    g_usleep (1000);
  g_assert_cmpint (capture, >, 0);

  /* The capture thread gets the CPU only when the sender leaves it */
  cpu = first_cpu ();
  pin_to_cpu (capture, cpu);
  pin_to_cpu (0, cpu);
  g_assert_cmpint (sched_setscheduler (capture, SCHED_IDLE, &idle), ==, 0);

  for (guint i = 0; i < N_DATAGRAMS; i++)
    {
      cap_live_help (live);
      g_assert_cmpint (sendto (sender, "hello", 5, 0, (struct sockaddr *) &to, sizeof to), ==, 5);
      /* the receiver's queue may overflow: the wire has the datagram anyway */
    }

  g_assert_cmpint (sched_setscheduler (capture, SCHED_OTHER, &normal), ==, 0);
  cap_live_stop_when_quiet (live, 200, 5000);
  g_test_message ("%d frames captured, %" G_GUINT64_FORMAT " lost", g_atomic_int_get (&frames),
                  cap_live_get_n_lost (live));
  g_assert_cmpuint (cap_live_get_n_lost (live), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&frames), ==, N_DATAGRAMS);
  close (sender);
  close (receiver);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/capture/live/starved-thread-loses-nothing", test_starved_thread_loses_nothing);
  return g_test_run ();
}
