/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-export-save.c: a capture from elsewhere, opened and saved again
 * (the window's Save), keeps what it held, as tshark reads it: every
 * packet on its own interface with that interface's name, its timestamp,
 * and every comment Wireshark or a teacher wrote on it.
 */
#include "config.h"

#include "sl-test-spawn.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cap-recording.h"

static char *dir;

/* An annotated capture as Wireshark writes one: two Ethernet interfaces,
 * eth0 and lo (microseconds, one with if_tsresol, one without), packets on
 * both, comments on two of them, one with two comments and one in Chinese */
static char *
annotated_capture (void)
{
  g_autofree char *fixtures = g_test_build_filename (G_TEST_DIST, "fixtures", "foreign", NULL);
  char *path = g_build_filename (dir, "annotated.pcapng", NULL);
  const char *script =
    "import sys\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "from pcapbuild import conversation4, shb, idb, epb\n"
    "out = shb([(4, b'Wireshark 4.0')])\n"
    "out += idb(1, 262144, [(2, b'eth0')])\n"
    "out += idb(1, 96, [(2, b'lo'), (9, b'\\x06')])\n"
    "for i, f in enumerate(conversation4()):\n"
    "    o = []\n"
    "    if i == 1: o = [(1, 'teacher: the SYN/ACK 看這裡'.encode())]\n"
    "    if i == 3: o = [(1, b'first note'), (1, b'second note')]\n"
    "    out += epb(i % 2, 1700000000 * 10**6 + i * 1000 + 7, f, options=o)\n"
    "open(sys.argv[2], 'wb').write(out)\n";
  const char *argv[] = { "python3", "-c", script, fixtures, path, NULL };
  g_autofree char *out = sl_test_output_of (argv);

  return path;
}

/* frame number, interface name, time, comments: one line per packet */
static char *
tshark_fields (const char *path)
{
  const char *argv[] = { "tshark", "-r", path, "-T", "fields", "-e", "frame.number",
                         "-e", "frame.interface_name", "-e", "frame.time_epoch",
                         "-e", "frame.comment", NULL };

  return sl_test_output_of (argv);
}

static void
test_foreign_kept (void)
{
  g_autofree char *original = annotated_capture ();
  g_autofree char *saved = g_build_filename (dir, "saved again.pcapng", NULL);
  g_autoptr (CapRecording) rec = cap_recording_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  before = tshark_fields (original);
  g_assert_nonnull (strstr (before, "eth0"));
  g_assert_nonnull (strstr (before, "first note,second note"));

  g_assert_true (cap_recording_load_file (rec, original, &error));
  g_assert_no_error (error);
  g_assert_true (cap_recording_save (rec, saved, &error));
  g_assert_no_error (error);

  after = tshark_fields (saved);
  g_test_message ("before:\n%safter:\n%s", before, after);
  g_assert_cmpstr (after, ==, before);
  g_assert_nonnull (strstr (after, "\tlo\t"));
  g_assert_nonnull (strstr (after, "teacher: the SYN/ACK 看這裡"));

  g_unlink (original);
  g_unlink (saved);
}

/* A Socklens run saved again: its own comments (the calls each packet
 * belongs to) are written once, not once more each time it is saved.
 * Annotated in Wireshark (editcap -a, which keeps the comments but drops
 * the calls' records) and saved again: every comment stays, the teacher's
 * note and the calls' */
static void
test_run_saved_again (void)
{
  g_autofree char *fixture =
    g_test_build_filename (G_TEST_DIST, "fixtures", "correlation", "select-server.pcapng", NULL);
  g_autofree char *saved = g_build_filename (dir, "saved.pcapng", NULL);
  g_autofree char *once = g_build_filename (dir, "once.pcapng", NULL);
  g_autofree char *twice = g_build_filename (dir, "twice.pcapng", NULL);
  g_autofree char *resaved = g_build_filename (dir, "resaved.pcapng", NULL);
  g_autoptr (CapRecording) reloaded = cap_recording_new ();
  g_autofree char *plain = NULL;
  g_autofree char *plain_again = NULL;
  const char *editcap[] = { "editcap", "-a", "3:teacher: look here", saved, once, NULL };
  g_autofree char *edited = NULL;
  g_autoptr (CapRecording) rec = cap_recording_new ();
  g_autoptr (CapRecording) again = cap_recording_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  g_assert_true (cap_recording_load_file (rec, fixture, &error));
  g_assert_true (cap_recording_save (rec, saved, &error));
  g_assert_true (cap_recording_load_file (reloaded, saved, &error));
  g_assert_cmpuint (cap_recording_get_n_calls (reloaded), >, 0);
  g_assert_true (cap_recording_save (reloaded, resaved, &error));
  g_assert_no_error (error);
  plain = tshark_fields (saved);
  plain_again = tshark_fields (resaved);
  g_assert_nonnull (strstr (plain, "call 11 (handshake)\n"));
  g_assert_cmpstr (plain_again, ==, plain);

  edited = sl_test_output_of (editcap);
  g_assert_true (cap_recording_load_file (again, once, &error));
  g_assert_true (cap_recording_save (again, twice, &error));
  g_assert_no_error (error);

  first = tshark_fields (once);
  second = tshark_fields (twice);
  g_assert_nonnull (strstr (first, "(handshake)"));
  g_assert_nonnull (strstr (first, "(handshake),teacher: look here\n"));
  g_assert_cmpstr (second, ==, first);
  g_unlink (saved);
  g_unlink (resaved);
  g_unlink (once);
  g_unlink (twice);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("socklens-save-XXXXXX", NULL);
  g_test_add_func ("/export/save/foreign-kept", test_foreign_kept);
  g_test_add_func ("/export/save/run-saved-again", test_run_saved_again);
  status = g_test_run ();
  g_rmdir (dir);
  g_free (dir);
  return status;
}
