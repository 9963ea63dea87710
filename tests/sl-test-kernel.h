/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-test-kernel.h: what the kernel says a thread of this process is doing,
 * so a test waits for the condition it needs ("the server is blocked in
 * accept()") instead of sleeping and hoping. /proc/self/task/TID/stat gives
 * the state ('S': asleep), /proc/self/task/TID/syscall the system call it is
 * asleep in ("running" while on a CPU, -1 when not in one).
 */
#pragma once

#include <glib.h>
#include <stdlib.h>
#include <sys/syscall.h>

#include "netcore.h"

#define SL_TEST_THREAD_GONE (-2)

/* The system call @tid sleeps in, -1 if it is not asleep in one, or
 * SL_TEST_THREAD_GONE once it has exited. */
static inline long
sl_test_thread_sleeping_in (int tid)
{
  g_autofree char *stat_path = g_strdup_printf ("/proc/self/task/%d/stat", tid);
  g_autofree char *sys_path = g_strdup_printf ("/proc/self/task/%d/syscall", tid);
  g_autofree char *stat = NULL;
  g_autofree char *sys = NULL;
  const char *state;

  if (!g_file_get_contents (stat_path, &stat, NULL, NULL)
      || !g_file_get_contents (sys_path, &sys, NULL, NULL))
    return SL_TEST_THREAD_GONE;
  /* "TID (comm) S ...": the comm may hold spaces and parentheses */
  state = strrchr (stat, ')');
  if (state == NULL || state[1] != ' ' || state[2] != 'S')
    return -1;
  if (!g_ascii_isdigit (sys[0]))
    return -1;   /* "running", or "-1 ...": not in a system call */
  return strtol (sys, NULL, 10);
}

/* Whether the thread of recorded call @id sleeps in one of @syscalls
 * (0-terminated) while that call has not returned: it is in the kernel. */
static inline gboolean
sl_test_call_in_kernel (NcRecorder *recorder,
                        guint32     id,
                        const long *syscalls)
{
  NcCall call;
  long nr;

  if (!nc_recorder_get_call (recorder, id, &call) || call.ts_end != 0)
    return FALSE;
  nr = sl_test_thread_sleeping_in (call.tid);
  for (guint i = 0; syscalls[i] != 0; i++)
    if (nr == syscalls[i])
      return nc_recorder_get_call (recorder, id, &call) && call.ts_end == 0;
  return FALSE;
}

/* Waits (a 10 s guard against hangs) until call @id is in the kernel,
 * asleep in one of @syscalls (0-terminated). */
static inline gboolean
sl_test_wait_call_in_kernel (NcRecorder *recorder,
                             guint32     id,
                             const long *syscalls)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;

  while (g_get_monotonic_time () < deadline)
    {
      if (sl_test_call_in_kernel (recorder, id, syscalls))
        return TRUE;
      g_usleep (500);
    }
  return FALSE;
}
