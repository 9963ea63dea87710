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

#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cap-reader.h"
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

static void
add_call_with_id (CapRecording *rec,
                  guint32       id,
                  gint64        ts)
{
  NcCall c;

  memset (&c, 0, sizeof c);
  c.id = id;
  c.kind = NC_CALL_SOCKET;
  c.fd = -1;
  c.ts_gate = c.ts_start = ts;
  c.ts_end = ts + 1;
  cap_recording_add_call (rec, &c, NC_CALL_PHASE_RETURN);
}

/* Item 1: ids a recorder wrote keep their numbers in any order (a save
 * writes records by time), while ids that would spread the calls array
 * thin are renumbered: the array stays proportional to the calls. */
static void
test_call_id_policy (void)
{
  g_autoptr(CapRecording) rec = cap_recording_new ();
  const guint32 order[] = { 5, 3, 4, 0, 1, 2 };

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    add_call_with_id (rec, order[i], 1000 + order[i]);
  g_assert_cmpuint (cap_recording_get_n_calls (rec), ==, 6);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpint (cap_recording_get_call (rec, i)->ts_start, ==, 1000 + i);

  /* 2,000 calls each 5,000 ids past the last */
  for (guint i = 1; i <= 2000; i++)
    add_call_with_id (rec, 5 + i * 5000, 2000 + i);
  g_assert_cmpuint (cap_recording_get_n_calls (rec), <=, 2 * 2006 + 1024 + 1);
  /* and a return still finds its call */
  add_call_with_id (rec, 5 + 2000 * 5000, 7);
  g_assert_cmpuint (cap_recording_get_n_calls (rec), <=, 2 * 2006 + 1024 + 1);
  for (guint i = 0; i < cap_recording_get_n_calls (rec); i++)
    g_assert_cmpint (cap_recording_get_call (rec, i)->ts_start, !=, 2000 + 2000);
}

/* Item 1: actor 65535 made 65,536 actors and as many diagram columns. */
static void
test_actor_index (void)
{
  g_autoptr(CapRecording) rec = load_fixture ("actor-index.pcapng");
  g_autofree char *text = NULL;

  guint n_real = 0;

  g_assert_cmpuint (cap_recording_get_n_actors (rec), <=, CAP_ACTORS_MAX);
  /* call 0 (actor 65535) was refused; call 1 keeps its number, 0 is a gap */
  for (guint i = 0; i < cap_recording_get_n_calls (rec); i++)
    if (cap_recording_get_call (rec, i)->ts_start != 0)
      {
        g_assert_cmpuint (cap_recording_get_call (rec, i)->actor, ==, 0);
        n_real++;
      }
  g_assert_cmpuint (n_real, ==, 1);
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

/* The times fixture spans 146 years (1970 to CAP_TIME_MAX). On the Time
 * axis of a short pane the tick step it asks for passed 1e18 ns, and the
 * next power of ten overflowed (UBSan: signed overflow in
 * sl_painter_nice_step, found by looking for what fuzz-show's fixed page
 * height never reaches). Every height down to a sliver draws. */
static void
test_times_short_pane (void)
{
  g_autoptr (CapRecording) rec = load_fixture ("times.pcapng");
  g_autoptr (SlTimelinePainter) painter = sl_timeline_painter_new ();
  const int heights[] = { 900, 300, 120, 100, 99 };

  sl_timeline_painter_set_layout (painter, SL_TIMELINE_LAYOUT_TIME);
  sl_timeline_painter_set_recording (painter, rec);
  sl_timeline_painter_set_range (painter, cap_recording_get_start_time (rec),
                                 cap_recording_get_end_time (rec));
  g_assert_cmpint (cap_recording_get_end_time (rec) - cap_recording_get_start_time (rec), >,
                   CAP_TIME_MAX / 2);
  for (guint i = 0; i < G_N_ELEMENTS (heights); i++)
    {
      cairo_surface_t *surface = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);
      cairo_t *cr = cairo_create (surface);
      SlTimelineStats stats;

      sl_timeline_painter_set_size (painter, 640, heights[i]);
      sl_timeline_painter_draw (painter, cr);
      g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
      sl_timeline_painter_get_stats (painter, &stats);
      g_assert_cmpuint (stats.n_columns, >, 0);
      cairo_destroy (cr);
      cairo_surface_destroy (surface);
    }
}

/* far-start.pcapng: a call held at the gate since 1970 (gate time 1 ns,
 * start in 2023). On the Sequence axis the recording's start is at most a
 * break's height above the first row (it was 1.7e15 px above it), and the
 * room above still maps back to the times before the first row. */
static void
test_far_start (void)
{
  g_autoptr (CapRecording) rec = load_fixture ("far-start.pcapng");
  g_autoptr (SlTimelinePainter) painter = sl_timeline_painter_new ();
  SlTimelineAxis *axis;
  gint64 start = cap_recording_get_start_time (rec);
  double row_h, first, start_d;

  g_assert_cmpint (start, ==, 1);
  sl_timeline_painter_set_layout (painter, SL_TIMELINE_LAYOUT_SEQUENCE);
  sl_timeline_painter_set_recording (painter, rec);
  sl_timeline_painter_set_size (painter, 1200, 900);
  axis = sl_timeline_painter_get_axis (painter);
  row_h = sl_timeline_axis_get_row_height (axis);
  first = sl_timeline_axis_event_to_display (axis, SL_AXIS_CALL_ENTER, 0);
  start_d = sl_timeline_axis_to_display (axis, start);
  g_assert_cmpfloat (start_d, <, first);
  g_assert_cmpfloat (start_d, >=, first - 2.5 * row_h);
  g_assert_cmpint (ABS (sl_timeline_axis_from_display (axis, start_d) - start), <, 1000000);
  g_assert_cmpint (sl_timeline_axis_from_display (axis, (start_d + first) / 2), >, start);
  draw_diagram (rec);
}

/* message-no-text.pcapng: a message record without its text. The
 * recording keeps an empty message, and the text timeline prints it (it
 * read a NULL string: SIGSEGV, found by fuzz-show). */
static void
test_message_no_text (void)
{
  g_autoptr (CapRecording) rec = load_fixture ("message-no-text.pcapng");
  g_autofree char *text = NULL;

  g_assert_cmpuint (cap_recording_get_n_messages (rec), ==, 1);
  g_assert_cmpstr (cap_recording_get_message (rec, 0, NULL), ==, "");
  text = timeline_text (rec);
  g_assert_nonnull (strstr (text, "socket("));
  draw_diagram (rec);
}

/* Found by fuzz-show: a recording with calls whose packets have no route
 * between lanes (none at all: the painter's routes array is empty). The
 * widest packet label took the address of route NO_ROUTE before checking
 * for it: an offset applied to a NULL pointer (UBSan, so this fails under
 * ./dev.sh sanitize without the fix). The file is the fuzzer's own input. */
static void
test_packet_without_route (void)
{
  g_autoptr (CapRecording) rec = cap_recording_new ();
  g_autofree char *path = fixture ("packet-without-route.pcapng");

  /* cut short on purpose: what came before the damage is shown */
  g_assert_false (cap_recording_load_file (rec, path, NULL));
  g_assert_cmpuint (cap_recording_get_n_calls (rec), >, 0);
  g_assert_cmpuint (cap_recording_get_n_packets (rec), >, 0);
  draw_diagram (rec);
}

/* The reader's error for @data fed in pieces of @piece bytes (0: at once) */
static char *
reader_error (const guint8 *data,
              gsize         len,
              gsize         piece)
{
  static const CapReaderCallbacks none = { 0 };
  CapReader *reader = cap_reader_new (&none, NULL);
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  cap_reader_set_name (reader, "f");
  for (gsize pos = 0; ok && pos < len; pos += piece ? piece : len)
    ok = cap_reader_feed (reader, data + pos, MIN (piece ? piece : len, len - pos), &error);
  if (ok)
    ok = cap_reader_finish (reader, &error);
  cap_reader_free (reader);
  g_assert_false (ok);
  return g_strdup (error->message);
}

/* Found by fuzz-reader: what a file that is no capture is was told from
 * however many bytes the first feed brought: four bytes of line ends
 * looked like text ("a text file"), the whole file did not ("not a pcap or
 * pcapng file"). Read at once or byte by byte, one answer now. */
static void
test_sniff_in_pieces (void)
{
  g_autofree char *path = fixture ("sniff-in-pieces.bin");
  g_autofree guint8 *data = NULL;
  g_autofree char *whole = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, (char **) &data, &len, NULL));
  whole = reader_error (data, len, 0);
  g_assert_nonnull (strstr (whole, "not a pcap or pcapng file"));
  for (gsize piece = 1; piece <= 70; piece++)
    {
      g_autofree char *in_pieces = reader_error (data, len, piece);
      g_assert_cmpstr (in_pieces, ==, whole);
    }
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


/* A classic pcap of @n UDP frames, each with its number in its payload, so
 * every packet's bytes differ. */
static GByteArray *
make_pcap (guint n)
{
  GByteArray *b = g_byte_array_new ();
  const guint32 header[6] = { 0xa1b2c3d4u, 2 | (4u << 16), 0, 0, 65535, 1 };

  g_byte_array_append (b, (const guint8 *) header, sizeof header);
  for (guint i = 0; i < n; i++)
    {
      guint8 frame[14 + 20 + 8 + 64] = { 0 };
      guint32 rec[4] = { 1700000000u + i / 1000, (i % 1000) * 1000, sizeof frame, sizeof frame };

      frame[12] = 0x08;
      frame[14] = 0x45;
      frame[16] = 0;
      frame[17] = 20 + 8 + 64;
      frame[22] = 64;
      frame[23] = 17;
      frame[26] = frame[30] = 127;
      frame[29] = frame[33] = 1;
      frame[34] = 0x9c;  /* 40000 */
      frame[35] = 0x40;
      frame[36] = 0x23;  /* 9000 */
      frame[37] = 0x28;
      frame[39] = 8 + 64;
      for (guint k = 0; k < 64; k++)
        frame[42 + k] = (guint8) (i * 7 + k);
      memcpy (frame + 42, &i, sizeof i);
      g_byte_array_append (b, (const guint8 *) rec, sizeof rec);
      g_byte_array_append (b, frame, sizeof frame);
    }
  return b;
}

/* Item 6: the file is cut while the recording is open. Reading its packets
 * afterwards must give an error naming the file, never SIGBUS; the text and
 * the diagram still come out; a save refuses and leaves nothing behind. */
static void
test_truncated_under_recording (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("socklens-hostile-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "packets.pcapng", NULL);
  g_autofree char *saved = g_build_filename (dir, "saved.pcapng", NULL);
  g_autofree char *src = fixture ("packets.pcapng");
  g_autofree char *contents = NULL;
  g_autofree char *text = NULL;
  g_autoptr(CapRecording) rec = cap_recording_new ();
  g_autoptr(GDir) listing = NULL;
  gsize len;
  guint n;

  g_assert_true (g_file_get_contents (src, &contents, &len, &error));
  g_assert_true (g_file_set_contents (path, contents, len, &error));
  g_assert_true (cap_recording_load_file (rec, path, &error));
  n = cap_recording_get_n_packets (rec);
  g_assert_cmpuint (n, ==, 64);

  g_assert_cmpint (truncate (path, 100), ==, 0);

  for (guint i = 0; i < n; i++)
    {
      CapSummary s;

      /* a mapping raised SIGBUS here, on the first page past the cut */
      g_assert_false (cap_recording_dissect_packet (rec, i, &s));
    }
  for (guint i = 0; i < n; i++)
    {
      guint32 caplen = 1;

      g_assert_null (cap_recording_get_packet_data (rec, i, &caplen));
      g_assert_cmpuint (caplen, ==, 0);
    }
  g_assert_false (cap_recording_check_packet_data (rec, &error));
  g_assert_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "packets.pcapng"));
  g_assert_nonnull (strstr (error->message, "changed after it was opened"));
  g_clear_error (&error);

  /* what was loaded still shows */
  text = timeline_text (rec);
  g_assert_nonnull (strstr (text, "127.0.0.1:40000 -> 127.0.0.1:9000"));
  draw_diagram (rec);

  g_assert_false (cap_recording_save (rec, saved, &error));
  g_assert_nonnull (strstr (error->message, "changed after it was opened"));
  listing = g_dir_open (dir, 0, NULL);
  for (const char *name; (name = g_dir_read_name (listing)) != NULL;)
    g_assert_cmpstr (name, ==, "packets.pcapng");  /* no saved file, no temporary */

  g_unlink (path);
  g_rmdir (dir);
}

/* The bytes read back from the file are the packets' bytes, in any order,
 * across many windows (the file is larger than one). */
static void
test_packet_bytes_read_back (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("socklens-hostile-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "many.pcap", NULL);
  g_autoptr(GByteArray) file = make_pcap (6000);
  g_autoptr(CapRecording) rec = cap_recording_new ();
  const guint order[] = { 5999, 0, 3000, 2999, 17, 4500, 1, 5998 };

  g_assert_cmpuint (file->len, >, 512 * 1024);
  g_assert_true (g_file_set_contents (path, (const char *) file->data, file->len, &error));
  g_assert_true (cap_recording_load_file (rec, path, &error));
  g_assert_cmpuint (cap_recording_get_n_packets (rec), ==, 6000);
  for (guint k = 0; k < G_N_ELEMENTS (order); k++)
    {
      guint32 caplen = 0, number;
      const guint8 *data = cap_recording_get_packet_data (rec, order[k], &caplen);

      g_assert_nonnull (data);
      g_assert_cmpuint (caplen, ==, 14 + 20 + 8 + 64);
      memcpy (&number, data + 42, sizeof number);
      g_assert_cmpuint (number, ==, order[k]);
      g_assert_cmpuint (data[42 + 63], ==, (guint8) (order[k] * 7 + 63));
    }
  g_assert_true (cap_recording_check_packet_data (rec, NULL));
  g_unlink (path);
  g_rmdir (dir);
}

/* File-input edges: a folder gets a message naming it as a folder. */
static void
test_directory (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("socklens-folder-XXXXXX", &error);
  g_autoptr(CapRecording) rec = cap_recording_new ();
  g_autofree char *base = g_path_get_basename (dir);

  g_assert_false (cap_recording_load_file (rec, dir, &error));
  g_assert_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, base));
  g_assert_nonnull (strstr (error->message, "is a folder, not a capture file"));
  g_rmdir (dir);
}

static gpointer
write_fifo (gpointer data)
{
  const char *path = data;
  g_autofree char *src = fixture ("packets.pcapng");
  g_autofree char *contents = NULL;
  gsize len;
  FILE *f;

  g_assert_true (g_file_get_contents (src, &contents, &len, NULL));
  f = fopen (path, "wb");  /* blocks until the reader opens it */
  g_assert_nonnull (f);
  /* in pieces, so units are split across reads */
  for (gsize pos = 0; pos < len; pos += 333)
    {
      fwrite (contents + pos, 1, MIN (333, len - pos), f);
      fflush (f);
    }
  fclose (f);
  return NULL;
}

/* A FIFO is read through the streaming path: every packet, bytes included. */
static void
test_fifo (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("socklens-hostile-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "pipe", NULL);
  g_autoptr(CapRecording) rec = cap_recording_new ();
  GThread *writer;

  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  writer = g_thread_new ("fifo-writer", write_fifo, path);
  g_assert_true (cap_recording_load_file (rec, path, &error));
  g_assert_no_error (error);
  g_thread_join (writer);

  g_assert_cmpuint (cap_recording_get_n_packets (rec), ==, 64);
  for (guint i = 0; i < 64; i++)
    {
      guint32 caplen = 0;
      const guint8 *data = cap_recording_get_packet_data (rec, i, &caplen);

      g_assert_nonnull (data);
      g_assert_cmpmem (data + caplen - 4, 4, "ping", 4);
    }
  g_unlink (path);
  g_rmdir (dir);
}

/* `socklens show -` reads standard input. */
static void
test_stdin_cli (void)
{
  g_autofree char *path = fixture ("packets.pcapng");
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL, *err = NULL;
  guint lines = 0;

  g_subprocess_launcher_set_stdin_file_path (launcher, path);
  proc = g_subprocess_launcher_spawn (launcher, &error, SL_TEST_SOCKLENS, "show", "-", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  for (const char *p = out; (p = strstr (p, "UDP 127.0.0.1:40000 -> 127.0.0.1:9000")) != NULL; p++)
    lines++;
  g_assert_cmpuint (lines, ==, 64);
}

/* Standard input already partly read (here: a 4-byte prefix consumed): the
 * packets' bytes are the ones after it, not at the file's own offsets. */
static void
test_stdin_partly_read (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("socklens-hostile-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "prefixed", NULL);
  g_autofree char *src = fixture ("packets.pcapng");
  g_autofree char *contents = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  GString *prefixed = g_string_new ("xxxx");
  guint lines = 0;
  char skip[4];
  gsize len;
  int fd;

  g_assert_true (g_file_get_contents (src, &contents, &len, &error));
  g_string_append_len (prefixed, contents, len);
  g_assert_true (g_file_set_contents (path, prefixed->str, prefixed->len, &error));
  g_string_free (prefixed, TRUE);
  fd = open (path, O_RDONLY);
  g_assert_cmpint (read (fd, skip, 4), ==, 4);
  g_subprocess_launcher_take_stdin_fd (launcher, fd);
  proc = g_subprocess_launcher_spawn (launcher, &error, SL_TEST_SOCKLENS, "show", "-", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  for (const char *p = out; (p = strstr (p, "UDP 127.0.0.1:40000 -> 127.0.0.1:9000 len=4")) != NULL; p++)
    lines++;
  g_assert_cmpuint (lines, ==, 64);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/hostile/call-ids", test_call_ids);
  g_test_add_func ("/hostile/call-id-policy", test_call_id_policy);
  g_test_add_func ("/hostile/actor-index", test_actor_index);
  g_test_add_func ("/hostile/escapes", test_escapes);
  g_test_add_func ("/hostile/escapes-cli", test_escapes_cli);
  g_test_add_func ("/hostile/times", test_times);
  g_test_add_func ("/hostile/times-short-pane", test_times_short_pane);
  g_test_add_func ("/hostile/far-start", test_far_start);
  g_test_add_func ("/hostile/message-no-text", test_message_no_text);
  g_test_add_func ("/hostile/names", test_names);
  g_test_add_func ("/hostile/packet-without-route", test_packet_without_route);
  g_test_add_func ("/hostile/sniff-in-pieces", test_sniff_in_pieces);
  g_test_add_func ("/hostile/truncated-under-recording", test_truncated_under_recording);
  g_test_add_func ("/hostile/packet-bytes-read-back", test_packet_bytes_read_back);
  g_test_add_func ("/input/directory", test_directory);
  g_test_add_func ("/input/fifo", test_fifo);
  g_test_add_func ("/input/stdin-cli", test_stdin_cli);
  g_test_add_func ("/input/stdin-partly-read", test_stdin_partly_read);
  return g_test_run ();
}
