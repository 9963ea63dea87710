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
#include "sl-palette.h"
#include "sl-sequence-axis.h"
#include "sl-timeline-painter.h"
#include "cap-atomic-file.h"
#include "cap-event-index.h"

#include <cairo-pdf.h>
#include <glib/gi18n-lib.h>
#include <pango/pangocairo.h>
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
 * (a long run makes a taller page, never a squeezed one: a PDF cuts it into
 * pages, sl_diagram_plan_pages ()); on the Time axis the fixed page.
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

      /* an int, whatever a file holds: a run that long is refused as one
       * image (SL_DIAGRAM_MAX_HEIGHT) and paged as a PDF */
      *height = (int) CLAMP (ceil (natural), SL_DIAGRAM_HEIGHT, SL_DIAGRAM_TALLEST);
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

/* Where page @page's rows may end: at most @room below @start, cut just
 * under a row's band (breaks and lifted rows go with the row after them),
 * never before the row after @first. Returns the cut; *@next is the first
 * row of the next page. */
static double
page_cut (SlSequenceAxis *axis, guint first, double start, double room, guint *next)
{
  guint  n = sl_sequence_axis_get_n_rows (axis);
  double half = sl_timeline_axis_get_row_height (SL_TIMELINE_AXIS (axis)) / 2;
  guint  lo = first + 1, hi = n;

  /* the last row k in (first, n) whose page would end under row k - 1 in room */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (sl_sequence_axis_row_to_display (axis, mid - 1) + half - start <= room)
        lo = mid + 1;
      else
        hi = mid;
    }
  *next = MAX (lo - 1, first + 1);
  return MAX (sl_sequence_axis_row_to_display (axis, *next - 1) + half, start + 1);
}

/**
 * sl_diagram_plan_pages:
 * @painter: from sl_diagram_new_painter ()
 * @height: the height it gave
 *
 * How a PDF cuts the diagram: one page as it is if it fits a page of
 * SL_DIAGRAM_PAGE_HEIGHT (or the Time axis, which fits any page), else
 * pages of that height, each a slice of whole rows under the column
 * headers.
 * Returns: (transfer full): SlDiagramPage, at least one
 */
GArray *
sl_diagram_plan_pages (SlTimelinePainter *painter, int height)
{
  GArray         *pages = g_array_new (FALSE, FALSE, sizeof (SlDiagramPage));
  SlTimelineAxis *axis = sl_timeline_painter_get_axis (painter);
  SlDiagramPage   page = { 0 };
  double          top, bottom, total, room;
  guint           first = 0, n_rows;

  if (height <= SL_DIAGRAM_PAGE_HEIGHT || !SL_IS_SEQUENCE_AXIS (axis))
    {
      page.whole = TRUE;
      g_array_append_val (pages, page);
      return pages;
    }
  sl_timeline_painter_get_plot_area (painter, &top, &bottom);
  total = bottom - top; /* as sl_diagram_new_painter () laid it out, from 0 */
  sl_timeline_painter_set_size (painter, SL_DIAGRAM_WIDTH, SL_DIAGRAM_PAGE_HEIGHT - SL_DIAGRAM_FOOTER);
  sl_timeline_painter_get_plot_area (painter, &top, &bottom);
  room = bottom - top;
  n_rows = sl_sequence_axis_get_n_rows (SL_SEQUENCE_AXIS (axis));
  while (total - page.d0 > room && first + 1 < n_rows)
    {
      page.d1 = page_cut (SL_SEQUENCE_AXIS (axis), first, page.d0, room, &first);
      g_array_append_val (pages, page);
      page.d0 = page.d1;
    }
  page.d1 = MAX (total, page.d0 + 1);
  g_array_append_val (pages, page);
  return pages;
}

/* "Page 2 of 7", centred under the diagram */
static void
draw_footer (cairo_t *cr, guint number, guint n_pages)
{
  g_autoptr (PangoLayout) layout = pango_cairo_create_layout (cr);
  g_autoptr (PangoFontDescription) font = pango_font_description_from_string ("Sans 11");
  g_autofree char *text = g_strdup_printf (_("Page %u of %u"), number, n_pages);
  int w, h;

  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_save (cr);
  cairo_set_source_rgb (cr, 0.35, 0.35, 0.35);
  cairo_move_to (cr, (SL_DIAGRAM_WIDTH - w) / 2.0,
                 SL_DIAGRAM_PAGE_HEIGHT - SL_DIAGRAM_FOOTER + (SL_DIAGRAM_FOOTER - h) / 2.0);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
}

/**
 * sl_diagram_draw_page:
 * @pages: from sl_diagram_plan_pages (@painter, ...)
 *
 * Draws page @index onto @cr (whose page is SL_DIAGRAM_WIDTH wide and, on
 * a paged diagram, SL_DIAGRAM_PAGE_HEIGHT tall): the column headers, its
 * rows, the legend, and "Page 2 of 7" below them.
 */
void
sl_diagram_draw_page (SlTimelinePainter *painter, GArray *pages, guint index, cairo_t *cr)
{
  const SlDiagramPage *page = &g_array_index (pages, SlDiagramPage, index);

  if (page->whole)
    {
      sl_timeline_painter_draw (painter, cr);
      return;
    }
  /* the footer's strip, as the painter paints its own */
  cairo_save (cr);
  sl_palette_set_source (cr, &sl_palette_get (SL_THEME_LIGHT)->background, 1);
  cairo_paint (cr);
  cairo_restore (cr);
  sl_timeline_painter_set_page (painter, page->d0, page->d1);
  sl_timeline_painter_draw (painter, cr);
  draw_footer (cr, index + 1, pages->len);
}

/**
 * sl_diagram_draw:
 * @layout: the axis
 *
 * What a PDF export draws, onto any cairo context (the fuzz target draws
 * it onto a recording surface): every page, each followed by
 * cairo_show_page ().
 */
void
sl_diagram_draw (CapRecording     *recording,
                 SlTimelineLayout  layout,
                 cairo_t          *cr)
{
  int height;
  g_autoptr (SlTimelinePainter) painter = sl_diagram_new_painter (recording, layout, &height);
  g_autoptr (GArray) pages = sl_diagram_plan_pages (painter, height);

  for (guint i = 0; i < pages->len; i++)
    {
      sl_diagram_draw_page (painter, pages, i, cr);
      cairo_show_page (cr);
    }
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

/* Draws @pages of @painter into @sink in @format (an image format has one
 * page). Every surface is finished and its status checked after that (a
 * PDF writes most of itself when finished), and any write error the sink
 * saw counts too. */
static cairo_status_t
render (SlTimelinePainter *painter,
        GArray            *pages,
        int                height,
        Format             format,
        Sink              *sink)
{
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  if (!g_array_index (pages, SlDiagramPage, 0).whole)
    height = SL_DIAGRAM_PAGE_HEIGHT;
  if (format == FORMAT_SVG)
    surface = cairo_svg_surface_create_for_stream (sink_write, sink, SL_DIAGRAM_WIDTH, height);
  else if (format == FORMAT_PDF)
    surface = cairo_pdf_surface_create_for_stream (sink_write, sink, SL_DIAGRAM_WIDTH, height);
  else
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, SL_DIAGRAM_WIDTH, height);

  cr = cairo_create (surface);
  for (guint i = 0; i < pages->len; i++)
    {
      sl_diagram_draw_page (painter, pages, i, cr);
      if (pages->len > 1)
        cairo_show_page (cr);
    }
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

/* A single image (SVG, PNG) holds the whole run or is not written: cutting
 * off its end would hand in a diagram that silently stops. */
static gboolean
check_fits_one_image (CapRecording  *recording,
                      const char    *path,
                      int            height,
                      GError       **error)
{
  g_autofree char *display = NULL;
  guint            n_events;

  if (height <= SL_DIAGRAM_MAX_HEIGHT)
    return TRUE;
  display = g_filename_display_name (path);
  n_events = cap_recording_get_n_events (recording);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               g_dngettext (GETTEXT_PACKAGE,
                            "%s: the run has %u event, too many for one image (%d pixels "
                            "tall, at most %d); a PDF has pages: export it as .pdf",
                            "%s: the run has %u events, too many for one image (%d pixels "
                            "tall, at most %d); a PDF has pages: export it as .pdf",
                            n_events),
               display, n_events, height, SL_DIAGRAM_MAX_HEIGHT);
  return FALSE;
}

/* A PDF of more than SL_DIAGRAM_MAX_PAGES pages is nobody's homework: say
 * so before writing, and what to do instead. */
static gboolean
check_page_count (CapRecording  *recording,
                  const char    *path,
                  guint          n_pages,
                  GError       **error)
{
  g_autofree char *display = NULL;
  guint            n_events;

  if (n_pages <= SL_DIAGRAM_MAX_PAGES)
    return TRUE;
  display = g_filename_display_name (path);
  n_events = cap_recording_get_n_events (recording);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               g_dngettext (GETTEXT_PACKAGE,
                            "%s: the run has %u event, a row each on the Sequence axis: %u pages "
                            "(at most %d); draw it on the Time axis (--layout time), or a part "
                            "of it (editcap -r FILE PART.pcapng 1-5000)",
                            "%s: the run has %u events, a row each on the Sequence axis: %u pages "
                            "(at most %d); draw it on the Time axis (--layout time), or a part "
                            "of it (editcap -r FILE PART.pcapng 1-5000)",
                            n_events),
               display, n_events, n_pages, SL_DIAGRAM_MAX_PAGES);
  return FALSE;
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
  g_autoptr (SlTimelinePainter) painter = NULL;
  g_autoptr (GArray) pages = NULL;
  Sink sink = { .fd = -1 };
  cairo_status_t status;
  int height, fd;

  g_return_val_if_fail (CAP_IS_RECORDING (recording), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  painter = sl_diagram_new_painter (recording, layout, &height);
  if (format == FORMAT_PDF)
    {
      pages = sl_diagram_plan_pages (painter, height);
      if (!check_page_count (recording, path, pages->len, error))
        return FALSE;
    }
  else if (!check_fits_one_image (recording, path, height, error))
    return FALSE;
  else
    pages = sl_diagram_plan_pages (painter, 0); /* the whole, as one page */

  fd = cap_atomic_file_open_temp (path, &tmp_path, &target, error);
  if (fd < 0)
    return FALSE;

  sink.fd = fd;
  status = render (painter, pages, height, format, &sink);
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
