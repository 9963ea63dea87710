/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-netcore: what recording adds to a socket call. The same cheap system
 * call (getsockname on a bound socket) is timed bare, through netcore with
 * no recorder, and through netcore recorded (lock, copy, entry and return,
 * the kernel's view of the socket). A benchmark: it prints, never fails.
 */

#include "config.h"

#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netcore.h"

#define ROUNDS 200000

static double
per_call_ns (int      fd,
             gboolean through_netcore)
{
  struct sockaddr_storage ss;
  socklen_t len;
  gint64 start = g_get_monotonic_time ();

  for (int i = 0; i < ROUNDS; i++)
    {
      len = sizeof ss;
      if (through_netcore)
        nc_getsockname (fd, (struct sockaddr *) &ss, &len);
      else
        getsockname (fd, (struct sockaddr *) &ss, &len);
    }
  return (g_get_monotonic_time () - start) * 1000.0 / ROUNDS;
}

int
main (void)
{
  struct sockaddr_storage ss;
  socklen_t len = nc_scenario_make_address ("127.0.0.1", 0, &ss);
  int fd = socket (AF_INET, SOCK_STREAM, 0);
  double bare, unrecorded, recorded;

  bind (fd, (struct sockaddr *) &ss, len);
  bare = per_call_ns (fd, FALSE);
  unrecorded = per_call_ns (fd, TRUE);
  {
    g_autoptr(NcRecorder) recorder = nc_recorder_new ();
    nc_recorder_add_actor (recorder, "bench", "client");
    nc_recorder_attach_thread (recorder, 0);
    recorded = per_call_ns (fd, TRUE);
    nc_recorder_detach_thread ();
    printf ("calls recorded: %u\n", nc_recorder_get_n_calls (recorder));
  }
  close (fd);

  printf ("getsockname bare:                %7.0f ns per call\n", bare);
  printf ("nc_getsockname, no recorder:     %7.0f ns per call\n", unrecorded);
  printf ("nc_getsockname, recorded:        %7.0f ns per call\n", recorded);
  printf ("added by recording:              %7.2f us per call\n", (recorded - bare) / 1000.0);
  printf ("memory per recorded call:        %7zu bytes (one NcCall)\n", sizeof (NcCall));
  return 0;
}
