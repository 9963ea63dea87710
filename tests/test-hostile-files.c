/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-hostile-files.c: files anyone can write, read without harm (issue 10).
 *
 * The crafted files are in tests/fixtures/hostile/ (made by make-fixtures.py
 * there; its README says what each carries). Each test reads one the way
 * `socklens show` does and asserts what a person must get: no crash, no
 * terminal control, no unbounded memory, an error that names the file.
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cap-recording.h"
#include "sl-diagram.h"

static char *
fixture (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", "hostile", name, NULL);
}

static CapRecording *
load_fixture (const char *name)
{
  g_autofree char *path = fixture (name);
  g_autoptr(GError) error = NULL;
  CapRecording *rec = cap_recording_new ();

  g_assert_true (cap_recording_load_file (rec, path, &error));
  g_assert_no_error (error);
  return rec;
}

static char *
timeline_text (CapRecording *rec)
{
  GString *text = g_string_new (NULL);

  cap_recording_format_timeline (rec, text);
  return g_string_free (text, FALSE);
}

/* A diagram of the recording, as `socklens show --diagram` draws it. */
static void
draw_diagram (CapRecording *rec)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("socklens-hostile-XXXXXX", &error);
  g_autofree char *svg = g_build_filename (dir, "d.svg", NULL);

  g_assert_no_error (error);
  g_assert_true (sl_diagram_export (rec, svg, &error));
  g_assert_no_error (error);
  g_unlink (svg);
  g_rmdir (dir);
}

/* Item 1: call ids 0xffffffff, 0x7fffffff and 0x01000000 sized the calls
 * array (a wrap and an out-of-bounds write, 2 TB, 13.7 GB). Ids are now
 * indexes in order of arrival, and a return still finds its entry. */
static void
test_call_ids (void)
{
  g_autoptr(CapRecording) rec = load_fixture ("call-ids.pcapng");
  const NcCall *c;

  g_assert_cmpuint (cap_recording_get_n_calls (rec), ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpuint (cap_recording_get_call (rec, i)->id, ==, i);
  /* 0x7fffffff entered second and returned = 4: the return replaced it */
  c = cap_recording_get_call (rec, 1);
  g_assert_cmpint (c->result, ==, 4);
  g_assert_cmpint (c->ts_end, !=, 0);
  /* the others are still in the kernel; id 1 came last and is new */
  g_assert_cmpint (cap_recording_get_call (rec, 0)->ts_end, ==, 0);
  g_assert_cmpint (cap_recording_get_call (rec, 3)->ts_start, ==,
                   cap_recording_get_call (rec, 2)->ts_start + 10);
  draw_diagram (rec);
}

/* Item 1: actor 65535 made 65,536 actors and as many diagram columns. */
static void
test_actor_index (void)
{
  g_autoptr(CapRecording) rec = load_fixture ("actor-index.pcapng");
  g_autofree char *text = NULL;

  g_assert_cmpuint (cap_recording_get_n_actors (rec), <=, CAP_ACTORS_MAX);
  g_assert_cmpuint (cap_recording_get_n_calls (rec), ==, 1);
  text = timeline_text (rec);
  g_assert_nonnull (strstr (text, "skipped a call of actor 65535"));
  draw_diagram (rec);
}

static void
assert_no_controls (const char *text,
                    const char *what)
{
  for (const char *p = text; *p; p++)
    if (((guchar) *p < 0x20 && *p != '\n') || *p == 0x7f)
      g_error ("%s: control byte 0x%02x at %ld: %.40s", what, (guchar) *p, (long) (p - text), p);
}

/* Item 4: ESC ]0; (retitle) and ESC [2J (clear) in messages, the end error,
 * actor names and call addresses reach the terminal escaped. */
static void
test_escapes (void)
{
  g_autoptr(CapRecording) rec = load_fixture ("escapes.pcapng");
  g_autofree char *text = timeline_text (rec);

  assert_no_controls (text, "timeline");
  /* escaped, not dropped: the reader can see what the file said */
  g_assert_nonnull (strstr (text, "hello\\x1b]0;pwned\\x07"));
  g_assert_nonnull (strstr (text, "client\\x1b]0;pwned\\x07  connect("));
  g_assert_nonnull (strstr (text, "bye\\x1b[2J"));
}

/* The same through the real command line, stdout and stderr both. */
static void
test_escapes_cli (void)
{
  g_autofree char *path = fixture ("escapes.pcapng");
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { SL_TEST_SOCKLENS, "show", path, NULL };
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "connect(fd=3"));
  assert_no_controls (out, "stdout");
  assert_no_controls (err, "stderr");
}

/* Item 9: times at both ends of int64 (calls, a socket sample, packets
 * through if_tsoffset) are clamped where they enter, so the text, the
 * correlation and the diagram do arithmetic on them without overflow
 * (UBSan halts on it in ./dev.sh sanitize). */
static void
test_times (void)
{
  g_autoptr(CapRecording) rec = load_fixture ("times.pcapng");
  g_autofree char *text = NULL;

  g_assert_cmpuint (cap_recording_get_n_calls (rec), ==, 3);
  for (guint i = 0; i < cap_recording_get_n_calls (rec); i++)
    {
      const NcCall *c = cap_recording_get_call (rec, i);
      g_assert_cmpint (c->ts_start, >=, 0);
      g_assert_cmpint (c->ts_start, <=, CAP_TIME_MAX);
      g_assert_cmpint (c->ts_gate, >=, 0);
      g_assert_cmpint (c->ts_gate, <=, CAP_TIME_MAX);
      g_assert_cmpint (c->ts_end, >=, 0);
      g_assert_cmpint (c->ts_end, <=, CAP_TIME_MAX);
    }
  /* the call that began before 1970 is still shown, at the start */
  g_assert_cmpint (cap_recording_get_call (rec, 0)->ts_start, >, 0);
  for (guint i = 0; i < cap_recording_get_n_packets (rec); i++)
    g_assert_cmpint (cap_recording_get_packet (rec, i)->ts, <=, CAP_TIME_MAX);
  for (guint i = 0; i < cap_recording_get_n_sock_samples (rec); i++)
    g_assert_cmpint (cap_recording_get_sock_sample (rec, i)->ts, >=, 0);

  text = timeline_text (rec);
  g_assert_nonnull (strstr (text, "some times were out of range"));
  draw_diagram (rec);
}

/* Item 8: names from a file belong to the recording, not to the process's
 * string table, which never frees (g_intern_string is a GQuark). */
static void
test_names (void)
{
  g_autoptr(CapRecording) rec = load_fixture ("names.pcapng");

  g_assert_cmpstr (cap_recording_get_actor (rec, 0)->name, ==, "hostile-actor-name-5b1c");
  g_assert_cmpstr (cap_recording_get_call (rec, 0)->file, ==, "hostile-file-name-5b1c.py");
  g_assert_cmpuint (g_quark_try_string ("hostile-actor-name-5b1c"), ==, 0);
  g_assert_cmpuint (g_quark_try_string ("hostile-role-5b1c"), ==, 0);
  g_assert_cmpuint (g_quark_try_string ("hostile-host-5b1c"), ==, 0);
  g_assert_cmpuint (g_quark_try_string ("hostile-file-name-5b1c.py"), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/hostile/call-ids", test_call_ids);
  g_test_add_func ("/hostile/actor-index", test_actor_index);
  g_test_add_func ("/hostile/escapes", test_escapes);
  g_test_add_func ("/hostile/escapes-cli", test_escapes_cli);
  g_test_add_func ("/hostile/times", test_times);
  g_test_add_func ("/hostile/names", test_names);
  return g_test_run ();
}
