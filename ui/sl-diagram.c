/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-diagram.c: exports the ladder diagram for slides and homework.
 *
 * The same painter as the window draws the whole recording on a cairo SVG,
 * PDF or image surface, so an export needs no display. The file is written
 * under a temporary name beside the target and renamed into place only when
 * complete and on the disk: a failed export never leaves a half-written
 * file, nor replaces a good one, whatever the format. A symbolic link is
 * written through: its target is replaced, the link stays.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sl-diagram.h"
#include "sl-exporters.h"
#include "sl-timeline-painter.h"
#include "cap-atomic-file.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <errno.h>
#include <math.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <unistd.h>

typedef enum
{
  FORMAT_SVG,
  FORMAT_PDF,
  FORMAT_PNG,
} Format;

/**
 * sl_diagram_new_painter:
 * @height: (out): the page's height, for a width of SL_DIAGRAM_WIDTH
 *
 * The painter an export draws with, set up for the whole recording, and
 * the page it needs: on the Sequence axis every row at its labels' size
 * (a long run makes a taller page, never a squeezed one); on the Time axis
 * the fixed page.
 * Returns: (transfer full): the painter
 */
SlTimelinePainter *
sl_diagram_new_painter (CapRecording *recording, SlTimelineLayout layout, int *height)
{
  SlTimelinePainter *painter = sl_timeline_painter_new ();
  SlTimelineAxis    *axis;
  gint64             begin = cap_recording_get_start_time (recording);
  gint64             end = cap_recording_get_end_time (recording);
  double             natural;

  sl_timeline_painter_set_layout (painter, layout);
  sl_timeline_painter_set_recording (painter, recording);
  sl_timeline_painter_set_size (painter, SL_DIAGRAM_WIDTH, SL_DIAGRAM_HEIGHT);
  sl_timeline_painter_set_show_playhead (painter, FALSE);
  natural = sl_timeline_painter_get_natural_height (painter);
  if (natural > 0)
    {
      double top, bottom;

      /* cairo's surfaces hold at most 32767 pixels a side */
      *height = (int) CLAMP (ceil (natural), SL_DIAGRAM_HEIGHT, SL_DIAGRAM_MAX_HEIGHT);
      sl_timeline_painter_set_size (painter, SL_DIAGRAM_WIDTH, *height);
      sl_timeline_painter_get_plot_area (painter, &top, &bottom);
      axis = sl_timeline_painter_get_axis (painter);
      sl_timeline_painter_set_range (painter, sl_timeline_axis_from_display (axis, 0),
                                     sl_timeline_axis_from_display (axis, bottom - top));
    }
  else
    {
      /* a little room after the last event, so its label is not on the edge */
      gint64 margin = MAX ((end - begin) / 20, 1000);

      *height = SL_DIAGRAM_HEIGHT;
      sl_timeline_painter_set_range (painter, begin, end + margin);
    }
  return painter;
}

void
sl_diagram_draw (CapRecording *recording,
                 cairo_t      *cr)
{
  int height;
  g_autoptr (SlTimelinePainter) painter =
    sl_diagram_new_painter (recording, sl_timeline_layout_default_for (recording), &height);

  sl_timeline_painter_draw (painter, cr);
}

/* Where cairo's bytes go: the temporary file, with the first write error
 * kept (cairo's own file output loses it: a PDF cut short on a full disk
 * was reported as written). */
typedef struct
{
  int fd;
  int error;  /* errno of the first failed write, 0 if none */
} Sink;

static cairo_status_t
sink_write (void                *closure,
            const unsigned char *data,
            unsigned int         length)
{
  Sink *sink = closure;

  while (length > 0 && sink->error == 0)
    {
      gssize n = write (sink->fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          sink->error = n < 0 ? errno : ENOSPC;
          break;
        }
      data += n;
      length -= (unsigned int) n;
    }
  return sink->error == 0 ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* Draws into @sink in @format. Every surface is finished and its status
 * checked after that (a PDF writes most of itself when finished), and any
 * write error the sink saw counts too. */
static cairo_status_t
render (CapRecording     *recording,
        SlTimelineLayout  layout,
        Format            format,
        Sink             *sink)
{
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  int height = SL_DIAGRAM_HEIGHT;
  g_autoptr(SlTimelinePainter) painter = sl_diagram_new_painter (recording, layout, &height);

  if (format == FORMAT_SVG)
    surface = cairo_svg_surface_create_for_stream (sink_write, sink, SL_DIAGRAM_WIDTH, height);
  else if (format == FORMAT_PDF)
    surface = cairo_pdf_surface_create_for_stream (sink_write, sink, SL_DIAGRAM_WIDTH, height);
  else
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, SL_DIAGRAM_WIDTH, height);

  cr = cairo_create (surface);
  sl_timeline_painter_draw (painter, cr);
  status = cairo_status (cr);
  cairo_destroy (cr);

  if (status == CAIRO_STATUS_SUCCESS && format == FORMAT_PNG)
    status = cairo_surface_write_to_png_stream (surface, sink_write, sink);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status == CAIRO_STATUS_SUCCESS && sink->error != 0)
    status = CAIRO_STATUS_WRITE_ERROR;
  return status;
}

static void
set_write_error (GError     **error,
                 const char  *path,
                 int          err,
                 const char  *reason)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, G_IO_ERROR, err != 0 ? g_io_error_from_errno (err) : G_IO_ERROR_FAILED,
               _("%s: could not write the diagram: %s"), display, reason);
}

/* Draws the whole @recording in @format to a temporary file beside @path's
 * target, which it replaces only when complete and on the disk. */
static gboolean
export_format (CapRecording     *recording,
               const char       *path,
               SlTimelineLayout  layout,
               Format            format,
               GError          **error)
{
  g_autofree char *tmp_path = NULL;
  g_autofree char *target = NULL;
  Sink sink = { .fd = -1 };
  cairo_status_t status;
  int fd;

  g_return_val_if_fail (CAP_IS_RECORDING (recording), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  fd = cap_atomic_file_open_temp (path, &tmp_path, &target, error);
  if (fd < 0)
    return FALSE;

  sink.fd = fd;
  status = render (recording, layout, format, &sink);
  if (status != CAIRO_STATUS_SUCCESS || sink.error != 0)
    {
      cap_atomic_file_abort (fd, tmp_path);
      set_write_error (error, path, sink.error,
                       sink.error != 0 ? g_strerror (sink.error) : cairo_status_to_string (status));
      return FALSE;
    }
  /* Only a complete file, on the disk, replaces what was there. */
  return cap_atomic_file_commit (fd, tmp_path, target, error);
}

gboolean
sl_diagram_export_svg (CapRecording *recording,
                       const char   *path,
                       GError      **error)
{
  return export_format (recording, path, sl_timeline_layout_default_for (recording), FORMAT_SVG, error);
}

gboolean
sl_diagram_export_pdf (CapRecording *recording,
                       const char   *path,
                       GError      **error)
{
  return export_format (recording, path, sl_timeline_layout_default_for (recording), FORMAT_PDF, error);
}

gboolean
sl_diagram_export_png (CapRecording *recording,
                       const char   *path,
                       GError      **error)
{
  return export_format (recording, path, sl_timeline_layout_default_for (recording), FORMAT_PNG, error);
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

/**
 * sl_diagram_export_layout:
 * @layout: Sequence (a row per event: the page grows with the run, so no
 *   label is squeezed out) or Time
 * @path: where; the format follows the name's ending, as for
 *   sl_diagram_export ()
 *
 * Draws the whole @recording on @layout's axis, as the window shows it.
 * Returns: %FALSE with @error set (naming @path) if it could not be written;
 *   then nothing at @path has changed.
 */
gboolean
sl_diagram_export_layout (CapRecording     *recording,
                          SlTimelineLayout  layout,
                          const char       *path,
                          GError          **error)
{
  const SlExporter *exporter = sl_exporter_for_path (SL_EXPORT_DIAGRAM, path);
  Format format;

  if (exporter == NULL)
    return sl_export (SL_EXPORT_DIAGRAM, recording, path, error);  /* names the endings known */
  if (g_str_equal (exporter->extension, "svg"))
    format = FORMAT_SVG;
  else if (g_str_equal (exporter->extension, "pdf"))
    format = FORMAT_PDF;
  else
    format = FORMAT_PNG;
  return export_format (recording, path, layout, format, error);
}
