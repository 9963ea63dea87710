/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-show.c: libFuzzer target for the whole `socklens show` path.
 *
 * The input is a capture file. It is written to a memfd and loaded by path
 * as `socklens show FILE` loads it (reader, call records, dissection,
 * recording, correlation), then everything show produces is produced from
 * it: the text timeline, every link both ways, and the diagram the painter
 * draws on both axes, every page of it (onto a cairo recording surface: no
 * file, no display). Nothing may
 * crash, trip a sanitizer or leak; the text must hold no control byte.
 *
 * Build: ./dev.sh fuzz (or CC=clang meson setup build-fuzz -Dfuzzing=true)
 * Run:   build-fuzz/tests/fuzz/fuzz-show CORPUS_DIR tests/fuzz/seeds-show
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cairo.h>

#include "cap-recording.h"
#include "sl-diagram.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

static void
check_text (const GString *text)
{
  for (gsize i = 0; i < text->len; i++)
    if (((guchar) text->str[i] < 0x20 && text->str[i] != '\n') || text->str[i] == 0x7f)
      abort ();  /* a terminal control escaped the escaping */
}

static void
follow_links (CapRecording *rec)
{
  guint n_calls = cap_recording_get_n_calls (rec);
  guint n_packets = cap_recording_get_n_packets (rec);

  for (guint i = 0; i < n_calls; i++)
    {
      guint n = 0;
      const CapLink *links = cap_recording_get_call_links (rec, i, &n);

      for (guint k = 0; k < n; k++)
        if (links[k].call != i || links[k].packet >= n_packets)
          abort ();
      (void) cap_recording_get_call_socket (rec, i);
    }
  for (guint p = 0; p < n_packets; p++)
    {
      guint n = 0;
      const CapLink *links = cap_recording_get_packet_links (rec, p, &n);
      CapSummary summary;

      for (guint k = 0; k < n; k++)
        if (links[k].packet != p || links[k].call >= n_calls)
          abort ();
      (void) cap_recording_get_packet_actor (rec, p, FALSE);
      (void) cap_recording_get_packet_actor (rec, p, TRUE);
      (void) cap_recording_dissect_packet (rec, p, &summary);
    }
}

/* The diagram as a PDF export draws it, every page, on @layout's axis */
static void
draw (CapRecording *rec, SlTimelineLayout layout)
{
  cairo_surface_t *surface = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);
  cairo_t *cr = cairo_create (surface);

  sl_diagram_draw (rec, layout, cr);
  if (cairo_status (cr) != CAIRO_STATUS_SUCCESS)
    abort ();
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(CapRecording) rec = cap_recording_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *path = NULL;
  int fd = memfd_create ("fuzz-show.pcapng", MFD_CLOEXEC);

  if (fd < 0 || write (fd, data, size) != (ssize_t) size)
    abort ();
  path = g_strdup_printf ("/proc/self/fd/%d", fd);

  /* a damaged file still shows what was read before the damage */
  (void) cap_recording_load_file (rec, path, NULL);
  cap_recording_format_timeline (rec, text);
  check_text (text);
  follow_links (rec);
  /* both axes: the window offers both, and so does --layout */
  draw (rec, SL_TIMELINE_LAYOUT_SEQUENCE);
  draw (rec, SL_TIMELINE_LAYOUT_TIME);

  g_clear_object (&rec);
  close (fd);
  return 0;
}
