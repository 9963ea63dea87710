/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-correlation-golden.c: the product's central claim, checked on every
 * machine. Each scenario was run once in the lab and saved
 * (tests/fixtures/correlation/NAME.pcapng, real calls and real packets);
 * NAME.links holds the links between them as they were reviewed. Loading
 * the file correlates it again from scratch: the links must be the same.
 * No capture, no privileges. tests/fixtures/correlation/README says how to
 * regenerate both.
 */
#include "config.h"

#include "netcore.h"
#include "sl-test-links.h"

static char *
fixture_path (const char *name,
              const char *suffix)
{
  g_autofree char *file = g_strconcat (name, suffix, NULL);

  return g_test_build_filename (G_TEST_DIST, "fixtures", "correlation", file, NULL);
}

static void
test_scenario (gconstpointer data)
{
  const NcScenario *scenario = data;
  g_autofree char *capture = fixture_path (scenario->name, ".pcapng");
  g_autofree char *golden = fixture_path (scenario->name, ".links");
  g_autoptr(GError) error = NULL;
  g_autoptr(CapRecording) recording = NULL;
  g_autoptr(GString) links = g_string_new (NULL);
  g_autofree char *expected = NULL;

  if (!g_file_test (capture, G_FILE_TEST_EXISTS))
    g_error ("%s has no recording %s: run tests/fixtures/correlation/regenerate.sh",
             scenario->name, capture);
  recording = cap_recording_new_from_file (capture, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (golden, &expected, NULL, &error));
  g_assert_no_error (error);

  /* what the lab recorded: calls and packets, never one without the other */
  g_assert_cmpuint (cap_recording_get_n_calls (recording), >, 0);
  g_assert_cmpuint (cap_recording_get_n_packets (recording), >, 0);

  sl_test_format_links (recording, links);
  if (g_strcmp0 (links->str, expected) != 0)
    {
      g_test_message ("links of %s now:\n%s", capture, links->str);
      g_test_message ("expected (%s):\n%s", golden, expected);
    }
  g_assert_cmpstr (links->str, ==, expected);
}

int
main (int    argc,
      char **argv)
{
  const NcScenario *const *list;
  guint n;

  g_test_init (&argc, &argv, NULL);

  /* one recording per scenario: a new one fails here until it has its own */
  list = nc_scenario_list (&n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strconcat ("/correlation/golden/", list[i]->name, NULL);

      g_test_add_data_func (path, list[i], test_scenario);
    }
  return g_test_run ();
}
