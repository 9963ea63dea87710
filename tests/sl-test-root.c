/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-test-root.c: see sl-test-root.h */
#include "config.h"

#include "sl-test-root.h"

#include <unistd.h>

void
sl_test_as_root_in_subprocess (GTestFunc in_subprocess)
{
  if (g_test_subprocess ())
    {
      in_subprocess ();
      return;
    }
  if (geteuid () != 0)
    {
      g_test_skip ("needs root to mount a small tmpfs (CI is root)");
      return;
    }
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDOUT);
  g_test_trap_assert_passed ();
}
