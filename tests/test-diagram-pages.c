/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-diagram-pages.c: a long run's diagram, as a student hands it in.
 *
 * The Sequence diagram grows with the run. A PDF cuts it into pages: every
 * page has the column headers and "Page N of M", and every call's label is
 * on exactly one page (poppler's pdfinfo and pdftotext read the file). An
 * SVG or PNG holds one image: a run too long for one is refused with a
 * message that names the file, says why and points to PDF, and nothing is
 * left behind.
 */
#include "config.h"

#include "sl-test-spawn.h"

#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cap-event-index.h"
#include "cap-recording.h"
#include "sl-diagram.h"

#define LONG_RUN_COUNT "400"

static char *dir;
static char *pcapng;
static char *pdf;

static char *
build_path (const char *exe, const char *fallback)
{
  const char *root = g_getenv ("SOCKLENS_BUILD_ROOT");

  return root ? g_build_filename (root, "app", exe, NULL) : g_strdup (fallback);
}

/* One long run, saved and drawn by the command line as a teacher runs it */
static void
make_long_run (void)
{
  g_autofree char *socklens = build_path ("socklens", SL_TEST_SOCKLENS);
  const char      *argv[] = { socklens,   "run",  "udp-echo",  "--count", LONG_RUN_COUNT,
                              "--output", pcapng, "--diagram", pdf,       NULL };
  g_autofree char *out = sl_test_output_of (argv);
}

static guint
pdf_pages (const char *path)
{
  const char      *argv[] = { "pdfinfo", path, NULL };
  g_autofree char *out = sl_test_output_of (argv);
  const char      *line = strstr (out, "\nPages:");

  g_assert_nonnull (line);
  return (guint) g_ascii_strtoull (line + strlen ("\nPages:"), NULL, 10);
}

static char *
pdf_text (const char *path, guint page)
{
  g_autofree char *first = g_strdup_printf ("%u", page);
  const char      *argv[] = { "pdftotext", "-raw", "-f", first, "-l", first, path, "-", NULL };
  const char      *all[] = { "pdftotext", "-raw", path, "-", NULL };

  return sl_test_output_of (page ? argv : all);
}

static guint
count_matches (const char *text, const char *pattern)
{
  g_autoptr (GRegex) regex = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr (GMatchInfo) match = NULL;
  guint n = 0;

  g_regex_match (regex, text, 0, &match);
  while (g_match_info_matches (match))
    {
      n++;
      g_match_info_next (match, NULL);
    }
  return n;
}

/* The calls' labels as the export's painter lays the whole diagram out,
 * counted by the call's name: "sendto" -> 400 */
static GHashTable *
painter_call_names (CapRecording *rec)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  int         height = 0;
  g_autoptr (SlTimelinePainter) painter =
    sl_diagram_new_painter (rec, SL_TIMELINE_LAYOUT_SEQUENCE, &height);
  const SlTimelineLabel *labels;
  guint                  n;

  sl_timeline_painter_layout (painter);
  labels = sl_timeline_painter_get_labels (painter, &n);
  for (guint i = 0; i < n; i++)
    {
      const char *paren = strchr (labels[i].text, '(');
      char       *name;

      if (labels[i].kind != SL_LABEL_CALL || paren == NULL)
        continue;
      g_assert_false (labels[i].ellipsized);
      name = g_strndup (labels[i].text, paren - labels[i].text);
      g_hash_table_insert (
        names, name, GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (names, name)) + 1));
    }
  return names;
}

static void
test_pdf_pages (void)
{
  g_autoptr (CapRecording) rec = cap_recording_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) names = NULL;
  g_autofree char *all = NULL;
  GHashTableIter   iter;
  gpointer         key, value;
  guint            n_pages, n_labelled = 0;

  g_assert_true (cap_recording_load_file (rec, pcapng, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cap_recording_get_n_actors (rec), ==, 2);

  n_pages = pdf_pages (pdf);
  g_assert_cmpuint (n_pages, >, 1);
  for (guint p = 1; p <= n_pages; p++)
    {
      g_autofree char *text = pdf_text (pdf, p);
      g_autofree char *footer = g_strdup_printf ("Page %u of %u", p, n_pages);

      /* the column headers on every page: who is who */
      for (guint a = 0; a < cap_recording_get_n_actors (rec); a++)
        if (strstr (text, cap_recording_get_actor (rec, a)->name) == NULL)
          g_error ("%s page %u: no header “%s”", pdf, p, cap_recording_get_actor (rec, a)->name);
      if (strstr (text, footer) == NULL)
        g_error ("%s page %u: no “%s”", pdf, p, footer);
    }

  /* every call's label exactly once across the pages (a break's
   * "1.2 ms later: client sendto() returns" names a call without args) */
  all = pdf_text (pdf, 0);
  names = painter_call_names (rec);
  g_hash_table_iter_init (&iter, names);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *pattern = g_strdup_printf ("\\b%s\\([^)]", (const char *) key);
      guint            in_pdf = count_matches (all, pattern);

      if (in_pdf != GPOINTER_TO_UINT (value))
        g_error ("%s: %u labels of %s() on its pages, %u in the diagram", pdf, in_pdf,
                 (const char *) key, GPOINTER_TO_UINT (value));
      n_labelled += in_pdf;
    }
  /* 400 messages: each sent and received by each side */
  g_assert_cmpuint (n_labelled, >=, 4 * 400);
}

/* What an image export of the long run says and leaves */
static void
assert_image_refused (CapRecording *rec, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *events = g_strdup_printf ("%u events", cap_recording_get_n_events (rec));
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) listing = NULL;
  const char *entry;

  g_assert_false (sl_diagram_export (rec, path, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, events));
  g_assert_nonnull (strstr (error->message, ".pdf"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  /* no temporary file either: only the run and its PDF */
  listing = g_dir_open (dir, 0, NULL);
  while ((entry = g_dir_read_name (listing)) != NULL)
    if (!g_str_has_suffix (entry, ".pcapng") && !g_str_has_suffix (entry, ".pdf"))
      g_error ("%s left behind %s", name, entry);
}

static void
test_image_refused (void)
{
  g_autoptr (CapRecording) rec = cap_recording_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (cap_recording_load_file (rec, pcapng, &error));
  g_assert_no_error (error);
  assert_image_refused (rec, "long.png");
  assert_image_refused (rec, "long.svg");
}

/* The command line says it too, and exits non-zero */
static void
test_image_refused_cli (void)
{
  g_autofree char *socklens = build_path ("socklens", SL_TEST_SOCKLENS);
  g_autofree char *png = g_build_filename (dir, "cli.png", NULL);
  const char      *argv[] = { socklens, "show", pcapng, "--diagram", png, NULL };
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                               &status, &error));
  g_assert_no_error (error);
  g_assert_false (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (err, png));
  g_assert_nonnull (strstr (err, "too many for one image"));
  g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
}

/* A classic pcap of @n UDP datagrams on loopback (Ethernet, zero MACs),
 * 127.0.0.1:40000 -> 127.0.0.1:9000, a millisecond apart */
static GBytes *
udp_capture (guint n)
{
  static const guint8 frame[] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00,               /* Ethernet, IPv4 */
    0x45, 0, 0, 29, 0, 0, 0x40, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1,
    0x9c, 0x40, 0x23, 0x28, 0, 9, 0, 0, 'x',                      /* UDP, 1 byte */
  };
  GByteArray *out = g_byte_array_new ();
  guint32     header[6] = { 0xa1b2c3d4, 2 | (4u << 16), 0, 0, 65535, 1 };

  g_byte_array_append (out, (const guint8 *) header, sizeof header);
  for (guint i = 0; i < n; i++)
    {
      guint32 record[4] = { 1700000000 + i / 1000, (i % 1000) * 1000, sizeof frame, sizeof frame };

      g_byte_array_append (out, (const guint8 *) record, sizeof record);
      g_byte_array_append (out, frame, sizeof frame);
    }
  return g_byte_array_free_to_bytes (out);
}

/* A capture too long for a Sequence PDF of at most SL_DIAGRAM_MAX_PAGES
 * pages is refused before anything is written, saying what to do; the
 * file that was there stays. The Time axis draws it on one page. It used
 * to write every page: a million packets took eight minutes and 27,000
 * pages. */
static void
test_too_many_pages (void)
{
  g_autoptr (GBytes) bytes = udp_capture (60000);
  g_autoptr (CapRecording) rec = cap_recording_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, "huge.pdf", NULL);
  g_autofree char *time_path = g_build_filename (dir, "huge-time.pdf", NULL);
  g_autofree char *kept = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  g_assert_true (cap_recording_feed (rec, data, len, &error));
  g_assert_true (cap_recording_finish_feed (rec, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cap_recording_get_n_packets (rec), ==, 60000);

  g_assert_true (g_file_set_contents (path, "the previous file", -1, NULL));
  g_assert_false (sl_diagram_export_layout (rec, SL_TIMELINE_LAYOUT_SEQUENCE, path, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "60000 events"));
  g_assert_nonnull (strstr (error->message, "Time axis"));
  g_assert_true (g_file_get_contents (path, &kept, NULL, NULL));
  g_assert_cmpstr (kept, ==, "the previous file");
  g_clear_error (&error);

  g_assert_true (sl_diagram_export_layout (rec, SL_TIMELINE_LAYOUT_TIME, time_path, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pdf_pages (time_path), ==, 1);
  g_unlink (path);
  g_unlink (time_path);
}

/* A short run stays one page, as tall as it needs, without a page number */
static void
test_short_run_one_page (void)
{
  g_autofree char *fixture =
    g_test_build_filename (G_TEST_DIST, "fixtures", "hostile", "escapes.pcapng", NULL);
  g_autofree char *out = g_build_filename (dir, "short.pdf", NULL);
  g_autoptr (CapRecording) rec = cap_recording_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_true (cap_recording_load_file (rec, fixture, &error));
  g_assert_true (sl_diagram_export (rec, out, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pdf_pages (out), ==, 1);
  text = pdf_text (out, 1);
  g_assert_null (strstr (text, "Page 1 of"));
  g_unlink (out);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("socklens-pages-XXXXXX", NULL);
  pcapng = g_build_filename (dir, "long.pcapng", NULL);
  pdf = g_build_filename (dir, "long.pdf", NULL);

  make_long_run ();
  g_test_add_func ("/diagram-pages/short-run-one-page", test_short_run_one_page);
  g_test_add_func ("/diagram-pages/pdf-pages", test_pdf_pages);
  g_test_add_func ("/diagram-pages/image-refused", test_image_refused);
  g_test_add_func ("/diagram-pages/image-refused-cli", test_image_refused_cli);
  g_test_add_func ("/diagram-pages/too-many-pages", test_too_many_pages);
  status = g_test_run ();

  g_unlink (pcapng);
  g_unlink (pdf);
  g_rmdir (dir);
  return status;
}
