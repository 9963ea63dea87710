/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-dump-links FILE: prints the links Socklens finds between the calls and
 * the packets of a recorded .pcapng, as tests/fixtures/correlation/ keeps
 * them (regenerate.sh writes the golden files with it). */
#include "config.h"

#include <stdio.h>

#include "sl-test-links.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CapRecording) recording = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  if (argc != 2)
    {
      fprintf (stderr, "usage: sl-dump-links FILE.pcapng\n");
      return 2;
    }
  recording = cap_recording_new_from_file (argv[1], &error);
  if (recording == NULL || error != NULL)
    {
      fprintf (stderr, "sl-dump-links: %s: %s\n", argv[1], error ? error->message : "?");
      return 1;
    }
  sl_test_format_links (recording, out);
  fputs (out->str, stdout);
  return 0;
}
