/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-diagram.c: exports the ladder diagram for slides and homework.
 *
 * The same painter as the window draws the whole recording on a cairo SVG,
 * PDF or image surface, so an export needs no display. The file is written
 * under a temporary name beside the target and renamed into place only when
 * complete: a failed export never leaves a half-written file, nor replaces a
 * good one.
 */

#include "config.h"

#include "sl-diagram.h"
#include "sl-exporters.h"
#include "sl-timeline-painter.h"
#include "cap-atomic-file.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <unistd.h>

typedef enum
{
  FORMAT_SVG,
  FORMAT_PDF,
  FORMAT_PNG,
} Format;

void
sl_diagram_draw (CapRecording *recording,
                 cairo_t      *cr)
{
  g_autoptr(SlTimelinePainter) painter = sl_timeline_painter_new ();
  gint64 begin = cap_recording_get_start_time (recording);
  gint64 end = cap_recording_get_end_time (recording);
  /* a little room after the last event, so its label is not on the edge */
  gint64 margin = MAX ((end - begin) / 20, 1000);

  sl_timeline_painter_set_recording (painter, recording);
  sl_timeline_painter_set_size (painter, SL_DIAGRAM_WIDTH, SL_DIAGRAM_HEIGHT);
  sl_timeline_painter_set_range (painter, begin, end + margin);
  sl_timeline_painter_set_show_playhead (painter, FALSE);
  sl_timeline_painter_draw (painter, cr);
}

/* Draws into a file of @format at @tmp_path; cairo reports failures in the
 * surface's status, which is checked once everything is flushed. */
static cairo_status_t
render (CapRecording *recording,
        Format        format,
        const char   *tmp_path)
{
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  if (format == FORMAT_SVG)
    surface = cairo_svg_surface_create (tmp_path, SL_DIAGRAM_WIDTH, SL_DIAGRAM_HEIGHT);
  else if (format == FORMAT_PDF)
    surface = cairo_pdf_surface_create (tmp_path, SL_DIAGRAM_WIDTH, SL_DIAGRAM_HEIGHT);
  else
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, SL_DIAGRAM_WIDTH,
                                          SL_DIAGRAM_HEIGHT);

  cr = cairo_create (surface);
  sl_diagram_draw (recording, cr);
  status = cairo_status (cr);
  cairo_destroy (cr);

  if (status == CAIRO_STATUS_SUCCESS && format == FORMAT_PNG)
    status = cairo_surface_write_to_png (surface, tmp_path);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  return status;
}

/* Draws the whole @recording in @format to a temporary file, renamed to
 * @path when complete. */
static gboolean
export_format (CapRecording *recording,
               const char   *path,
               Format        format,
               GError      **error)
{
  g_autofree char *tmp_path = NULL;
  cairo_status_t status;
  int fd;

  g_return_val_if_fail (CAP_IS_RECORDING (recording), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  /* cairo opens the file itself, by name: only the name is needed */
  fd = cap_atomic_file_open_temp (path, &tmp_path, error);
  if (fd < 0)
    return FALSE;
  close (fd);

  status = render (recording, format, tmp_path);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_unlink (tmp_path);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: could not write the diagram: %s",
                   path, cairo_status_to_string (status));
      return FALSE;
    }
  if (g_rename (tmp_path, path) != 0)
    {
      int saved = errno;
      g_unlink (tmp_path);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "%s: could not write the diagram: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
sl_diagram_export_svg (CapRecording *recording,
                       const char   *path,
                       GError      **error)
{
  return export_format (recording, path, FORMAT_SVG, error);
}

gboolean
sl_diagram_export_pdf (CapRecording *recording,
                       const char   *path,
                       GError      **error)
{
  return export_format (recording, path, FORMAT_PDF, error);
}

gboolean
sl_diagram_export_png (CapRecording *recording,
                       const char   *path,
                       GError      **error)
{
  return export_format (recording, path, FORMAT_PNG, error);
}

/**
 * sl_diagram_export:
 * @path: where; the format follows the name's ending, as the exporter
 *   table (sl-exporters.h) lists them (.svg, .pdf, .png)
 *
 * Draws the whole @recording as a ladder diagram, as the window shows it.
 * Returns: %FALSE with @error set (naming @path) if it could not be written;
 *   then nothing at @path has changed.
 */
gboolean
sl_diagram_export (CapRecording *recording,
                   const char   *path,
                   GError      **error)
{
  return sl_export (SL_EXPORT_DIAGRAM, recording, path, error);
}
