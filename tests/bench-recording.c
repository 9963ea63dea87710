/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-recording: how fast a large capture becomes a CapRecording, and how
 * much heap it takes, beside a bare libpcap read loop over the same file.
 *
 *   bench-recording [FILE]
 *
 * Without FILE it writes a 1,000,000-packet capture with the project's own
 * generator (sl-gen-pcap, path in $SL_GEN_PCAP) into a temporary directory.
 * A benchmark, not a test: it prints numbers and never fails on them.
 */

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "cap-recording.h"
#include "cap-event-index.h"

static gint64
rss_anon_kib (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "RssAnon:");
  return line ? g_ascii_strtoll (line + 8, NULL, 10) : -1;
}

static double
bare_libpcap_seconds (const char *path,
                      guint      *n_packets)
{
  char errbuf[PCAP_ERRBUF_SIZE];
  struct pcap_pkthdr *hdr;
  const u_char *data;
  gint64 start = g_get_monotonic_time ();
  pcap_t *p = pcap_open_offline (path, errbuf);

  *n_packets = 0;
  if (p == NULL)
    {
      fprintf (stderr, "libpcap: %s\n", errbuf);
      return -1;
    }
  while (pcap_next_ex (p, &hdr, &data) == 1)
    (*n_packets)++;
  pcap_close (p);
  return (g_get_monotonic_time () - start) / 1e6;
}

static char *
generate (const char *dir)
{
  const char *gen = g_getenv ("SL_GEN_PCAP");
  char *path = g_build_filename (dir, "bench-1m.pcap", NULL);
  g_autofree char *cmd = NULL;
  int status = 0;

  if (gen == NULL)
    gen = "sl-gen-pcap";
  cmd = g_strdup_printf ("%s -c 1000000 -o %s", gen, path);
  if (!g_spawn_command_line_sync (cmd, NULL, NULL, &status, NULL) || status != 0)
    {
      fprintf (stderr, "bench-recording: could not run %s\n", cmd);
      g_free (path);
      return NULL;
    }
  return path;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CapRecording) recording = NULL;
  gint64 rss_before, rss_after, start;
  double load_s, bare_s;
  guint bare_n;

  if (argc > 1)
    path = g_strdup (argv[1]);
  else
    {
      dir = g_dir_make_tmp ("socklens-bench-XXXXXX", &error);
      if (dir == NULL || (path = generate (dir)) == NULL)
        return 1;
    }

  rss_before = rss_anon_kib ();
  start = g_get_monotonic_time ();
  recording = cap_recording_new_from_file (path, &error);
  load_s = (g_get_monotonic_time () - start) / 1e6;
  rss_after = rss_anon_kib ();
  if (recording == NULL)
    {
      fprintf (stderr, "bench-recording: %s\n", error->message);
      return 1;
    }

  bare_s = bare_libpcap_seconds (path, &bare_n);

  printf ("file: %s\n", path);
  printf ("packets: %u (libpcap counts %u)\n", cap_recording_get_n_packets (recording), bare_n);
  printf ("conversations: %u, endpoints: %u\n", cap_recording_get_n_conversations (recording),
          cap_recording_get_n_endpoints (recording));
  printf ("load+dissect+correlate: %.3f s (%.0f ns/packet)\n", load_s,
          load_s * 1e9 / MAX (1, cap_recording_get_n_packets (recording)));
  printf ("bare libpcap read loop: %.3f s\n", bare_s);
  printf ("heap (RssAnon) growth: %.1f MiB (%.0f bytes/packet), total RssAnon %.1f MiB\n",
          (rss_after - rss_before) / 1024.0,
          (rss_after - rss_before) * 1024.0 / MAX (1, cap_recording_get_n_packets (recording)),
          rss_after / 1024.0);

  /* The event index as a live run grows it: the same file fed in 64 KiB
   * pieces, each a commit that merges its new events into the rows. */
  {
    g_autoptr(CapRecording) fed = cap_recording_new ();
    g_autoptr(GMappedFile) file = g_mapped_file_new (path, FALSE, NULL);
    const guint8 *bytes = file ? (const guint8 *) g_mapped_file_get_contents (file) : NULL;
    gsize len = file ? g_mapped_file_get_length (file) : 0;
    double fed_s;

    start = g_get_monotonic_time ();
    for (gsize off = 0; off < len; off += 65536)
      cap_recording_feed (fed, bytes + off, MIN (65536, len - off), NULL);
    cap_recording_finish_feed (fed, NULL);
    fed_s = (g_get_monotonic_time () - start) / 1e6;
    printf ("event index: %u rows; fed in %" G_GSIZE_FORMAT " commits of 64 KiB: %.3f s "
            "(%.2fx the one-shot load)\n",
            cap_recording_get_n_events (fed), (len + 65535) / 65536, fed_s, fed_s / load_s);
  }

  if (dir != NULL)
    {
      g_unlink (path);
      g_rmdir (dir);
    }
  return 0;
}
