/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-test-lsan.h: leaks LeakSanitizer reports in GLib and GTK themselves,
 * told apart from Socklens's own in the sanitizer build (./dev.sh sanitize).
 *
 * tests/lsan.supp cannot name them: Debian's GLib has no frame pointers, so
 * ASan's fast unwinder stops every g_malloc stack at g_malloc, and the slow
 * one is too slow for GTK (and finds no names in GLib's stripped statics).
 * These functions mark exactly those objects with __lsan_ignore_object ();
 * everything else is still reported. They do nothing in other builds.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* GLib's first quark table: call before 2048 quarks exist (first in main) */
void  sl_test_lsan_ignore_glib_quarks  (void);
/* From now until sl_test_lsan_end_gtk_own (), on the main thread: what
 * GTK, and GLib in GTK's service, allocate on their own is not reported */
void  sl_test_lsan_begin_gtk_own       (void);
/* Returns: how many allocations were not to be reported (0 without ASan) */
guint sl_test_lsan_end_gtk_own         (void);

G_END_DECLS
