/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * seccomp-deny-unshare: runs a program on a system that refuses user
 * namespaces, as some distributions do, so the lab's fallback can be tested
 * honestly: unshare() and clone() with CLONE_NEWUSER fail with EPERM.
 *
 *   seccomp-deny-unshare PROGRAM [ARG...]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  /* CLONE_NEWUSER */
#endif
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main (int    argc,
      char **argv)
{
  scmp_filter_ctx ctx;
  int rc;

  if (argc < 2)
    {
      fprintf (stderr, "usage: %s PROGRAM [ARG...]\n", argv[0]);
      return 2;
    }

  ctx = seccomp_init (SCMP_ACT_ALLOW);
  if (ctx == NULL)
    {
      fprintf (stderr, "seccomp_init failed\n");
      return 1;
    }
  /* Every unshare(), and clone() asking for a user namespace (clone3 cannot
   * be inspected: make it ENOSYS, so libc falls back to clone). */
  rc = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (EPERM), SCMP_SYS (unshare), 0);
  if (rc == 0)
    rc = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (EPERM), SCMP_SYS (clone), 1,
                           SCMP_A0 (SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER));
  if (rc == 0)
    rc = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (ENOSYS), SCMP_SYS (clone3), 0);
  /* no_new_privs (set by seccomp_load) also keeps file capabilities from
   * applying: the lab has no way to capture left. */
  if (rc == 0)
    rc = seccomp_load (ctx);
  seccomp_release (ctx);
  if (rc != 0)
    {
      fprintf (stderr, "seccomp: %s\n", strerror (-rc));
      return 1;
    }

  execv (argv[1], argv + 1);
  fprintf (stderr, "%s: %s\n", argv[1], strerror (errno));
  return 127;
}
