/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-test-root.h: a test case that needs root, run in a child of the test */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs @in_subprocess in a child of this test case, as root: it may mount
 * a small tmpfs in its own mount namespace, which a failed assertion must
 * not leave mounted in the test's own process. Without root the case is
 * skipped (CI is root). Call it as the whole body of the test function. */
void sl_test_as_root_in_subprocess (GTestFunc in_subprocess);

G_END_DECLS
