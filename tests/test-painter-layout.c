/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-painter-layout.c: the ladder a class reads, asserted from the
 * painter's laid-out labels (not from pixels), on real runs in the lab.
 *
 * For each scenario of the lesson, on the Sequence axis at its natural
 * zoom, at the window's sizes and in presentation type: every call and
 * every packet has its labels, the labels say what the lesson is about,
 * no two label rectangles intersect, and none was dropped for want of
 * room. The order of the rows is causal. And the PDF that
 * `socklens run NAME --diagram` writes holds every word of those labels,
 * as pdftotext reads them.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <netinet/in.h>
#include <string.h>

#include "cap-event-index.h"
#include "cap-lab.h"
#include "sl-diagram.h"
#include "sl-timeline-painter.h"

/* A size the timeline is shown at, and its type size */
typedef struct
{
  const char *name;
  int         width;
  int         height;
  double      scale;
} Screen;

static const Screen screens[] = {
  /* the narrowest the window gives the timeline (beside the code and the
   * inspector at 1280x800), at both type sizes */
  { "inspector pane at 1280x800", SL_TIMELINE_MIN_WIDTH, 700, 1.0 },
  { "narrowest presentation pane", SL_TIMELINE_MIN_WIDTH * 3 / 2, 700, 1.5 },
  { "window pane at 1280x800", 600, 700, 1.0 },       /* beside the code */
  { "presentation pane at 1280x800", 850, 700, 1.5 }, /* beside the code, large type */
  { "1280x800", 1280, 800, 1.0 },
  { "presentation pane at 1920x1080", 1100, 1000, 1.5 },
  { "presentation 1920x1080", 1920, 1080, 1.5 },
};

static GHashTable *runs; /* scenario name -> CapRecording */

static char *
build_path (const char *exe, const char *fallback)
{
  const char *root = g_getenv ("SOCKLENS_BUILD_ROOT");

  return root ? g_build_filename (root, "app", exe, NULL) : g_strdup (fallback);
}

/* One lab run per scenario, shared by the tests that look at it */
static CapRecording *
run (const char *scenario)
{
  CapRecording *rec = g_hash_table_lookup (runs, scenario);
  g_autoptr (GError) error = NULL;
  g_autofree char *lab = NULL;

  if (rec != NULL)
    return rec;
  lab = build_path ("socklens-lab", SL_TEST_LAB);
  cap_lab_run_sync (lab, scenario, NULL, FALSE, NULL, &rec, &error);
  g_assert_no_error (error);
  g_assert_nonnull (rec);
  g_assert_cmpuint (cap_recording_get_n_packets (rec), >, 0);
  g_hash_table_insert (runs, g_strdup (scenario), rec);
  return rec;
}

static gboolean
rects_intersect (const SlTimelineLabel *a, const SlTimelineLabel *b)
{
  return a->x < b->x + b->width && b->x < a->x + a->width && a->y < b->y + b->height &&
         b->y < a->y + a->height;
}

static void
assert_no_overlap (const SlTimelineLabel *labels, guint n, const char *where)
{
  for (guint i = 0; i < n; i++)
    for (guint j = i + 1; j < n; j++)
      if (rects_intersect (&labels[i], &labels[j]))
        g_error ("%s: “%s” (%.0f,%.0f %.0fx%.0f) overlaps “%s” (%.0f,%.0f %.0fx%.0f)", where,
                 labels[i].text, labels[i].x, labels[i].y, labels[i].width, labels[i].height,
                 labels[j].text, labels[j].x, labels[j].y, labels[j].width, labels[j].height);
}

/* Does the segment (x0,y0)-(x1,y1) cross the rectangle of @l?
 * (Liang-Barsky clipping of the segment against the rectangle) */
static gboolean
segment_crosses (const SlTimelineLabel *l, double x0, double y0, double x1, double y1)
{
  double p[4] = { -(x1 - x0), x1 - x0, -(y1 - y0), y1 - y0 };
  double q[4] = { x0 - l->x, l->x + l->width - x0, y0 - l->y, l->y + l->height - y0 };
  double t0 = 0, t1 = 1;

  for (int i = 0; i < 4; i++)
    {
      if (p[i] == 0)
        {
          if (q[i] < 0)
            return FALSE;
          continue;
        }
      double t = q[i] / p[i];
      if (p[i] < 0)
        t0 = MAX (t0, t);
      else
        t1 = MIN (t1, t);
      if (t0 > t1)
        return FALSE;
    }
  return TRUE;
}

/* What was laid out, for a failure's message */
static void
print_labels (const SlTimelineLabel *labels, guint n)
{
  for (guint i = 0; i < n; i++)
    g_printerr ("  %d #%u (%4.0f,%5.0f %3.0fx%2.0f) %s\n", labels[i].kind, labels[i].index,
                labels[i].x, labels[i].y, labels[i].width, labels[i].height, labels[i].text);
}

/* What makes a label readable from the back row, besides not overlapping
 * another: it is whole (no "…"), clear of the gutter's times, and a
 * packet's label is not struck through by another packet's arrow. */
static void
assert_readable (SlTimelinePainter *painter, CapRecording *rec, const char *where)
{
  guint                  n;
  const SlTimelineLabel *labels = sl_timeline_painter_get_labels (painter, &n);
  double                 gutter = sl_timeline_painter_get_gutter_width (painter);

  for (guint i = 0; i < n; i++)
    {
      const SlTimelineLabel *l = &labels[i];

      if (l->ellipsized)
        print_labels (labels, n);
      if (l->ellipsized)
        g_error ("%s: “%s” is cut short (%.0f px wide at x %.0f)", where, l->text, l->width, l->x);
      if (l->x < gutter)
        g_error ("%s: “%s” (x %.0f) reaches into the gutter (%.0f px)", where, l->text, l->x,
                 gutter);
      if (l->kind != SL_LABEL_PACKET)
        continue;
      for (guint p = 0; p < cap_recording_get_n_packets (rec); p++)
        {
          double x0, y0, x1, y1;

          if (p == l->index ||
              !sl_timeline_painter_get_packet_line (painter, p, &x0, &y0, &x1, &y1))
            continue;
          if (segment_crosses (l, x0, y0, x1, y1))
            g_error ("%s: packet %u's arrow (%.0f,%.0f to %.0f,%.0f) strikes through “%s” "
                     "(%.0f,%.0f %.0fx%.0f)",
                     where, p, x0, y0, x1, y1, l->text, l->x, l->y, l->width, l->height);
        }
    }
}

static const SlTimelineLabel *
find_label (const SlTimelineLabel *labels, guint n, SlLabelKind kind, guint index)
{
  for (guint i = 0; i < n; i++)
    if (labels[i].kind == kind && labels[i].index == index)
      return &labels[i];
  return NULL;
}

static gboolean
any_label_contains (const SlTimelineLabel *labels, guint n, const char *text)
{
  for (guint i = 0; i < n; i++)
    if (strstr (labels[i].text, text) != NULL)
      return TRUE;
  return FALSE;
}

/* Every line of every label, as drawn, holds a word: a wrap never leaves
 * a lone ")" (“connect(fd=10” / “)”), nor a call's name cut after its
 * bracket (“socket(” / “TCP)”) */
static void
assert_lines_readable (const SlTimelineLabel *labels, guint n, const char *where)
{
  for (guint i = 0; i < n; i++)
    {
      g_auto (GStrv) lines = g_strsplit (labels[i].lines, "\n", -1);

      for (guint k = 0; lines[k] != NULL; k++)
        {
          gboolean    word = FALSE;
          const char *end = lines[k] + strlen (lines[k]);

          for (const char *p = lines[k]; *p != '\0'; p = g_utf8_next_char (p))
            word |= g_unichar_isalnum (g_utf8_get_char (p));
          while (end > lines[k] && end[-1] == ' ')
            end--;
          if (!word || (lines[k + 1] != NULL && end > lines[k] && end[-1] == '('))
            g_error ("%s: label “%s” is drawn as “%s”: its line “%s” is not readable alone", where,
                     labels[i].text, labels[i].lines, lines[k]);
        }
    }
}

/* The painter as the window has it: Sequence, @screen's size and type,
 * showing the top of the run at the natural zoom */
static SlTimelinePainter *
painter_for (CapRecording *rec, const Screen *screen)
{
  SlTimelinePainter *painter = sl_timeline_painter_new ();
  SlTimelineAxis    *axis;
  double             top, bottom;

  sl_timeline_painter_set_layout (painter, SL_TIMELINE_LAYOUT_SEQUENCE);
  sl_timeline_painter_set_recording (painter, rec);
  sl_timeline_painter_set_text_scale (painter, screen->scale);
  sl_timeline_painter_set_size (painter, screen->width, screen->height);
  sl_timeline_painter_set_show_playhead (painter, FALSE);
  axis = sl_timeline_painter_get_axis (painter);
  g_assert_cmpfloat (sl_timeline_axis_get_natural_px_per_unit (axis), ==, 1);
  sl_timeline_painter_get_plot_area (painter, &top, &bottom);
  sl_timeline_painter_set_range (painter, sl_timeline_axis_from_display (axis, 0),
                                 sl_timeline_axis_from_display (axis, bottom - top));
  return painter;
}

/* Grows @painter to show the whole run at the same zoom, as the scrolled
 * view and the taller export page do */
static void
show_all_rows (SlTimelinePainter *painter, const Screen *screen)
{
  double          natural = sl_timeline_painter_get_natural_height (painter);
  SlTimelineAxis *axis;
  double          top, bottom;

  g_assert_cmpfloat (natural, >, 0);
  sl_timeline_painter_set_size (painter, screen->width, MAX ((int) natural, screen->height));
  axis = sl_timeline_painter_get_axis (painter);
  sl_timeline_painter_get_plot_area (painter, &top, &bottom);
  sl_timeline_painter_set_range (painter, sl_timeline_axis_from_display (axis, 0),
                                 sl_timeline_axis_from_display (axis, bottom - top));
}

/* With SOCKLENS_SCREENSHOT_DIR set, draws what was laid out as NAME.png
 * there: for looking at what a test asserts */
static void
save_png (SlTimelinePainter *painter, const Screen *screen, const char *name)
{
  const char      *dir = g_getenv ("SOCKLENS_SCREENSHOT_DIR");
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  cairo_surface_t *surface;
  cairo_t         *cr;
  double           top, bottom;

  if (dir == NULL)
    return;
  sl_timeline_painter_get_plot_area (painter, &top, &bottom);
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, screen->width,
                                        (int) (bottom + 40 * screen->scale));
  cr = cairo_create (surface);
  sl_timeline_painter_draw (painter, cr);
  cairo_destroy (cr);
  file = g_strdup_printf ("%s.png", name);
  g_strdelimit (file, " ,", '-');
  path = g_build_filename (dir, file, NULL);
  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
  g_test_message ("drawn: %s", path);
}

static void
assert_everything_labelled (CapRecording *rec, SlTimelinePainter *painter, const char *where)
{
  guint                  n;
  const SlTimelineLabel *labels = sl_timeline_painter_get_labels (painter, &n);

  for (guint c = 0; c < cap_recording_get_n_calls (rec); c++)
    {
      const NcCall     *call = cap_recording_get_call (rec, c);
      cairo_rectangle_t r;

      if (call == NULL || call->ts_start == 0)
        continue;
      g_assert_true (sl_timeline_painter_get_call_rect (painter, c, &r));
      if (find_label (labels, n, SL_LABEL_CALL, c) == NULL ||
          find_label (labels, n, SL_LABEL_CALL_RESULT, c) == NULL)
        {
          print_labels (labels, n);
          g_error ("%s: call %u (%s) has no label", where, c, nc_call_kind_name (call->kind));
        }
    }
  for (guint p = 0; p < cap_recording_get_n_packets (rec); p++)
    {
      double x0, y0, x1, y1;

      /* every packet has an arrow, between two different lanes */
      if (!sl_timeline_painter_get_packet_line (painter, p, &x0, &y0, &x1, &y1) || x0 == x1)
        g_error ("%s: packet %u has no arrow", where, p);
      if (find_label (labels, n, SL_LABEL_PACKET, p) == NULL)
        g_error ("%s: packet %u has no label", where, p);
    }
}

/* The lesson's words, per scenario: what the label must say */
typedef struct
{
  const char *scenario;
  const char *words[6];
} Lesson;

static const Lesson lessons[] = {
  { "tcp-echo",
    { "SYN  seq=0", "SYN/ACK  seq=0  ack=1", "ACK  ack=1", "connect(fd=", "accept(fd=", NULL } },
  { "udp-echo", { "sendto(", "recvfrom(", "UDP len=", NULL } },
  { "udp-unreachable", { "ICMP port unreachable", "sendto(", "ECONNREFUSED", NULL } },
  { "tcp-lossy", { "(dropped)", "(retransmission)", "later: retransmission", NULL } },
  { "nonblocking", { "connect(", "-1 EINPROGRESS", "-1 EAGAIN", NULL } },
  { "names-and-bytes",
    { "gethostname()", "= \"socklens-lab\"", "inet_ntoa(", "= \"127.0.0.1\"",
      "getaddrinfo(\"localhost\")", NULL } },
  { "select-server", { "select(r=", "accept(fd=", "recv(fd=", NULL } },
};

/* The header names each column and its address: inside the timeline, no
 * two columns' lines on one another, and with two columns (a client and a
 * server) both whole: a cut start ("… 92.0.2.1:54666") names another host */
static void
assert_headers_readable (SlTimelinePainter *painter, const Screen *screen, const char *where)
{
  guint n = sl_timeline_painter_get_n_columns (painter);
  g_autoptr (GArray) rects = g_array_new (FALSE, FALSE, sizeof (SlTimelineLabel));
  double top, bottom;

  sl_timeline_painter_get_plot_area (painter, &top, &bottom);
  for (guint c = 0; c < n; c++)
    for (guint line = 0; line < 2; line++)
      {
        SlTimelineLabel r = { 0 };
        gboolean        shortened;

        if (!sl_timeline_painter_get_header_line (painter, c, line, &r.x, &r.y, &r.width, &r.height,
                                                  &shortened))
          continue;
        r.text = sl_timeline_painter_get_column_title (painter, c);
        if (r.x < 0 || r.x + r.width > screen->width)
          g_error ("%s: column %u's header line %u (%.0f..%.0f) leaves the timeline", where, c,
                   line, r.x, r.x + r.width);
        if (r.y + r.height > top)
          g_error ("%s: column %u's header line %u reaches into the plot", where, c, line);
        if (n <= 2 && shortened)
          g_error ("%s: column %u's header line %u is cut", where, c, line);
        /* with more columns an address may lose its host, never be cut
         * into another's ("… 7.0.0.1:38724"): its port stays whole */
        if (line == 1 && shortened)
          g_error ("%s: column %u's address is cut", where, c);
        for (guint k = 0; k < rects->len; k++)
          if (rects_intersect (&g_array_index (rects, SlTimelineLabel, k), &r))
            g_error ("%s: column %u's header line %u runs into column “%s”'s", where, c, line,
                     g_array_index (rects, SlTimelineLabel, k).text);
        g_array_append_val (rects, r);
      }
}

static void
test_labels (gconstpointer data)
{
  const Lesson *lesson = data;
  CapRecording *rec = run (lesson->scenario);

  for (guint s = 0; s < G_N_ELEMENTS (screens); s++)
    {
      g_autoptr (SlTimelinePainter) painter = painter_for (rec, &screens[s]);
      g_autofree char       *where = g_strdup_printf ("%s, %s", lesson->scenario, screens[s].name);
      const SlTimelineLabel *labels;
      SlTimelineStats        stats;
      guint                  n;

      /* what the window shows first: the top rows, none dropped */
      sl_timeline_painter_layout (painter);
      labels = sl_timeline_painter_get_labels (painter, &n);
      sl_timeline_painter_get_stats (painter, &stats);
      g_assert_cmpuint (n, >, 4);
      assert_headers_readable (painter, &screens[s], where);
      if (stats.n_labels_dropped != 0)
        {
          print_labels (labels, n);
          g_error ("%s: %u labels dropped", where, stats.n_labels_dropped);
        }
      assert_no_overlap (labels, n, where);
      assert_lines_readable (labels, n, where);
      assert_readable (painter, rec, where);

      /* and scrolled through: all of it */
      show_all_rows (painter, &screens[s]);
      sl_timeline_painter_layout (painter);
      save_png (painter, &screens[s], where);
      labels = sl_timeline_painter_get_labels (painter, &n);
      sl_timeline_painter_get_stats (painter, &stats);
      if (stats.n_labels_dropped != 0)
        {
          print_labels (labels, n);
          g_error ("%s: %u labels dropped", where, stats.n_labels_dropped);
        }
      assert_no_overlap (labels, n, where);
      assert_lines_readable (labels, n, where);
      assert_readable (painter, rec, where);
      assert_everything_labelled (rec, painter, where);
      for (guint w = 0; lesson->words[w] != NULL; w++)
        if (!any_label_contains (labels, n, lesson->words[w]))
          g_error ("%s: no label says “%s”", where, lesson->words[w]);
    }
}

/* How far the pixel at (@x, @y) of @surface is from @rgb (0..1 a channel) */
static double
pixel_distance (cairo_surface_t *surface, int x, int y, const SlRgb *rgb)
{
  const guint8 *row =
    cairo_image_surface_get_data (surface) + (gsize) y * cairo_image_surface_get_stride (surface);
  guint32 p = ((const guint32 *) row)[x];
  double  r = ((p >> 16) & 0xff) / 255.0, g = ((p >> 8) & 0xff) / 255.0, b = (p & 0xff) / 255.0;

  return MAX (MAX (fabs (r - rgb->r), fabs (g - rgb->g)), fabs (b - rgb->b));
}

/* A packet's label wider than its short arrow (the SYN/ACK label in
 * presentation type at 1280x800) reaches over the call boxes at the
 * arrow's ends: the boxes must still be seen under it, the ladder whole,
 * not cut by a patch of background (a box's pixels under a boxed halo are
 * 82% background: none is the box's colour). Drawn, and looked at where a
 * label covers a box: the box's colour still shows between the letters
 * and their outline (in large type they cover most of a narrow box). */
static void
test_boxes_under_labels (gconstpointer data)
{
  const Lesson *lesson = data;
  CapRecording *rec = run (lesson->scenario);
  guint         n_crossings = 0;

  for (guint s = 0; s < G_N_ELEMENTS (screens); s++)
    {
      g_autoptr (SlTimelinePainter) painter = painter_for (rec, &screens[s]);
      g_autofree char       *where = g_strdup_printf ("%s, %s", lesson->scenario, screens[s].name);
      const SlPalette       *pal = sl_timeline_painter_get_palette (painter);
      const SlTimelineLabel *labels;
      cairo_surface_t       *surface;
      cairo_t               *cr;
      double                 top, bottom, contrast;
      guint                  n;

      show_all_rows (painter, &screens[s]);
      sl_timeline_painter_get_plot_area (painter, &top, &bottom);
      surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, screens[s].width, (int) bottom);
      cr = cairo_create (surface);
      sl_timeline_painter_draw (painter, cr);
      cairo_destroy (cr);
      cairo_surface_flush (surface);
      labels = sl_timeline_painter_get_labels (painter, &n);
      contrast =
        MAX (MAX (fabs (pal->call.r - pal->background.r), fabs (pal->call.g - pal->background.g)),
             fabs (pal->call.b - pal->background.b));
      for (guint i = 0; i < n; i++)
        for (guint c = 0; c < cap_recording_get_n_calls (rec); c++)
          {
            const SlTimelineLabel *l = &labels[i];
            cairo_rectangle_t      r;
            int                    x0, x1, y0, y1, seen = 0;

            /* a failed call's box is hollow: nothing under a label to hide */
            if (l->kind != SL_LABEL_PACKET || nc_call_failed (cap_recording_get_call (rec, c)) ||
                !sl_timeline_painter_get_call_rect (painter, c, &r))
              continue;
            x0 = (int) ceil (MAX (l->x, r.x + 2));
            x1 = (int) floor (MIN (l->x + l->width, r.x + r.width - 2));
            y0 = (int) ceil (MAX (l->y, r.y + 3));
            y1 = (int) floor (MIN (l->y + l->height, r.y + r.height - 3));
            if (x1 - x0 < 4 || y1 - y0 < 8)
              continue; /* the label does not reach over this box */
            for (int y = y0; y < y1; y++)
              for (int x = x0; x < x1; x++)
                seen += pixel_distance (surface, x, y, &pal->call) < contrast / 3;
            g_test_message ("%s: “%s” over call %u's box: %d of %d px seen", where, l->text, c,
                            seen, (x1 - x0) * (y1 - y0));
            if (seen * 20 < (x1 - x0) * (y1 - y0))
              g_error ("%s: “%s” hides call %u's box under it (%d of %d px still seen)", where,
                       l->text, c, seen, (x1 - x0) * (y1 - y0));
            n_crossings++;
          }
      cairo_surface_destroy (surface);
    }
  /* the case is met: tcp-echo's handshake labels reach over boxes */
  if (strcmp (lesson->scenario, "tcp-echo") == 0)
    g_assert_cmpuint (n_crossings, >, 0);
}

/* Scrolled so that a row has just gone up under the header: its labels
 * do not run over the columns' addresses, cut by the plot's clip (the
 * header ends a line above the plot, 16 px at type scale 1), and no label
 * is dropped for it either; a row in view keeps its labels (the first
 * row's name, when the view is only a few pixels down) */
static void
test_scrolled_under_header (void)
{
  CapRecording *rec = run ("tcp-echo");

  for (guint s = 0; s < G_N_ELEMENTS (screens); s++)
    for (guint c = 0; c < cap_recording_get_n_calls (rec); c++)
      for (int above = 0; above < 2; above++)
        {
          g_autoptr (SlTimelinePainter) painter = painter_for (rec, &screens[s]);
          SlTimelineAxis        *axis = sl_timeline_painter_get_axis (painter);
          double                 line = 16 * screens[s].scale;
          double                 top, bottom, d;
          const SlTimelineLabel *labels;
          SlTimelineStats        stats;
          guint                  n;

          show_all_rows (painter, &screens[s]);
          sl_timeline_painter_set_size (painter, screens[s].width, screens[s].height);
          sl_timeline_painter_get_plot_area (painter, &top, &bottom);
          /* the call's entry row three quarters of a line above the top
           * (gone), or just below it (in view) */
          d = sl_timeline_axis_event_to_display (axis, SL_AXIS_CALL_ENTER, c) +
              (above ? 0.75 * line : -3);
          sl_timeline_painter_set_range (painter, sl_timeline_axis_from_display (axis, d),
                                         sl_timeline_axis_from_display (axis, d + bottom - top));
          sl_timeline_painter_layout (painter);
          labels = sl_timeline_painter_get_labels (painter, &n);
          sl_timeline_painter_get_stats (painter, &stats);
          g_assert_cmpuint (stats.n_labels_dropped, ==, 0);
          for (guint i = 0; i < n; i++)
            if (labels[i].y < top - line)
              g_error ("%s, call %u's row under the header: “%s” (y %.0f) runs into the header "
                       "(the plot's top %.0f)",
                       screens[s].name, c, labels[i].text, labels[i].y, top);
          if (!above && find_label (labels, n, SL_LABEL_CALL, c) == NULL)
            g_error ("%s: call %u's row is in view, its name is not", screens[s].name, c);
        }
}

/* --- the Time axis: dense, but nothing lost in silence ------------------ */

/* The painter on the Time axis, the whole run in view, as Fit (F) shows it */
static SlTimelinePainter *
time_painter_for (CapRecording *rec, const Screen *screen)
{
  SlTimelinePainter *painter = sl_timeline_painter_new ();

  sl_timeline_painter_set_layout (painter, SL_TIMELINE_LAYOUT_TIME);
  sl_timeline_painter_set_recording (painter, rec);
  sl_timeline_painter_set_text_scale (painter, screen->scale);
  sl_timeline_painter_set_size (painter, screen->width, screen->height);
  sl_timeline_painter_set_show_playhead (painter, FALSE);
  sl_timeline_painter_set_range (painter, cap_recording_get_start_time (rec),
                                 cap_recording_get_end_time (rec));
  return painter;
}

/* Every call's two labels and every arrow's label is on the plot, or
 * counted in the notice above it; the notice says how to see them */
static void
assert_nothing_lost (SlTimelinePainter *painter, CapRecording *rec, const char *where)
{
  guint                  n, expected = 0, placed = 0, marked = 0;
  const SlTimelineLabel *labels = sl_timeline_painter_get_labels (painter, &n);
  const SlTimelineLabel *notice = NULL;
  SlTimelineStats        stats;

  sl_timeline_painter_get_stats (painter, &stats);
  g_assert_false (stats.aggregated); /* single arrows, each to be named */
  for (guint c = 0; c < cap_recording_get_n_calls (rec); c++)
    if (cap_recording_get_call (rec, c)->ts_start != 0)
      expected += 2;
  for (guint p = 0; p < cap_recording_get_n_packets (rec); p++)
    {
      double x0, y0, x1, y1;

      if (sl_timeline_painter_get_packet_line (painter, p, &x0, &y0, &x1, &y1) && x0 != x1)
        expected++;
    }
  for (guint i = 0; i < n; i++)
    switch (labels[i].kind)
      {
      case SL_LABEL_CALL:
      case SL_LABEL_CALL_RESULT:
      case SL_LABEL_PACKET:
        placed++;
        break;
      case SL_LABEL_HIDDEN:
        if (strstr (labels[i].text, "hidden") != NULL)
          {
            g_assert_null (notice);
            notice = &labels[i];
          }
        else
          marked += labels[i].index;
        break;
      case SL_LABEL_BREAK:
      default:
        break;
      }
  if (placed + stats.n_labels_dropped != expected)
    {
      print_labels (labels, n);
      g_error ("%s: %u labels expected, %u placed and %u counted hidden", where, expected, placed,
               stats.n_labels_dropped);
    }
  if (stats.n_labels_dropped == 0)
    {
      g_assert_null (notice);
      return;
    }
  /* "7 labels hidden: zoom in, or switch to Sequence", above the plot */
  {
    g_autofree char *count = g_strdup_printf ("%u label", stats.n_labels_dropped);
    double           top, bottom;

    g_assert_nonnull (notice);
    g_assert_cmpuint (notice->index, ==, stats.n_labels_dropped);
    g_assert_true (g_str_has_prefix (notice->text, count));
    g_assert_nonnull (strstr (notice->text, "Sequence"));
    g_assert_false (notice->ellipsized);
    sl_timeline_painter_get_plot_area (painter, &top, &bottom);
    g_assert_cmpfloat (notice->y + notice->height, <=, top);
  }
  /* and "+N more" marks where they were, for no more than that */
  g_assert_cmpuint (marked, <=, stats.n_labels_dropped);
}

static void
test_time_labels (gconstpointer data)
{
  const Lesson *lesson = data;
  CapRecording *rec = run (lesson->scenario);

  for (guint s = 0; s < G_N_ELEMENTS (screens); s++)
    {
      g_autoptr (SlTimelinePainter) painter = time_painter_for (rec, &screens[s]);
      g_autofree char *where =
        g_strdup_printf ("%s, Time axis, %s", lesson->scenario, screens[s].name);
      const SlTimelineLabel *labels;
      SlTimelineStats        stats;
      guint                  n;

      sl_timeline_painter_layout (painter);
      labels = sl_timeline_painter_get_labels (painter, &n);
      sl_timeline_painter_get_stats (painter, &stats);
      save_png (painter, &screens[s], where);
      g_test_message ("%s: %u labels, %u hidden", where, n, stats.n_labels_dropped);
      assert_no_overlap (labels, n, where);
      assert_lines_readable (labels, n, where);
      assert_nothing_lost (painter, rec, where);
    }
}

/* The handshake on the Time axis, where its three packets and the two calls
 * are microseconds apart: each named, led out of the crowd in order */
static void
test_time_handshake (void)
{
  CapRecording *rec = run ("tcp-echo");
  const char   *order[] = { "SYN  seq=0", "SYN/ACK  seq=0  ack=1", "ACK  ack=1" };
  /* beside the code and in full, at 1280x800 and in presentation */
  const Screen *wide[] = { &screens[2], &screens[3], &screens[4], &screens[5], &screens[6] };

  for (guint s = 0; s < G_N_ELEMENTS (wide); s++)
    {
      g_autoptr (SlTimelinePainter) painter = time_painter_for (rec, wide[s]);
      const SlTimelineLabel *labels;
      double                 last_y = -1;
      guint                  n;

      sl_timeline_painter_layout (painter);
      labels = sl_timeline_painter_get_labels (painter, &n);
      g_assert_true (any_label_contains (labels, n, "connect(fd="));
      g_assert_true (any_label_contains (labels, n, "accept(fd="));
      for (guint w = 0; w < G_N_ELEMENTS (order); w++)
        {
          const SlTimelineLabel *found = NULL;

          for (guint i = 0; i < n && found == NULL; i++)
            if (labels[i].kind == SL_LABEL_PACKET && g_str_has_prefix (labels[i].text, order[w]))
              found = &labels[i];
          if (found == NULL)
            {
              print_labels (labels, n);
              g_error ("%s, Time axis: no “%s”", wide[s]->name, order[w]);
            }
          /* read top to bottom in the order the kernels sent them */
          g_assert_cmpfloat (found->y, >, last_y);
          last_y = found->y;
        }
    }
}

/* The end of a run on the Time axis: tcp-lossy's retransmission, echo and
 * closing handshake, and tcp-echo's last close(), all within a few pixels
 * of the plot's bottom edge, where nothing fits below. With the room above
 * them empty, the crowd rises into it: no label hidden, none past the
 * bottom, and the packets still read top to bottom in the order sent. */
static void
test_time_bottom_crowd (void)
{
  const char   *scenarios[] = { "tcp-lossy", "tcp-echo" };
  const Screen *wide[] = { &screens[2], &screens[3], &screens[4], &screens[5], &screens[6] };

  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    for (guint s = 0; s < G_N_ELEMENTS (wide); s++)
      {
        CapRecording *rec = run (scenarios[i]);
        g_autoptr (SlTimelinePainter) painter = time_painter_for (rec, wide[s]);
        g_autofree char *where = g_strdup_printf ("%s, Time axis, %s", scenarios[i], wide[s]->name);
        const SlTimelineLabel *labels, *last_packet = NULL;
        SlTimelineStats        stats;
        double                 top, bottom;
        guint                  n;

        sl_timeline_painter_layout (painter);
        labels = sl_timeline_painter_get_labels (painter, &n);
        sl_timeline_painter_get_stats (painter, &stats);
        sl_timeline_painter_get_plot_area (painter, &top, &bottom);
        if (stats.n_labels_dropped != 0)
          {
            print_labels (labels, n);
            g_error ("%s: %u labels hidden at the bottom edge", where, stats.n_labels_dropped);
          }
        assert_nothing_lost (painter, rec, where);
        assert_no_overlap (labels, n, where);
        assert_lines_readable (labels, n, where);
        for (guint p = 0; p < cap_recording_get_n_packets (rec); p++)
          {
            const SlTimelineLabel *l = find_label (labels, n, SL_LABEL_PACKET, p);

            if (l == NULL)
              continue;
            if (last_packet != NULL && l->y <= last_packet->y)
              g_error ("%s: “%s” is not below “%s”, sent before it", where, l->text,
                       last_packet->text);
            last_packet = l;
          }
        for (guint k = 0; k < n; k++)
          if (labels[k].y + labels[k].height > bottom + 1)
            g_error ("%s: “%s” (%.0f..%.0f) is past the plot's bottom (%.0f)", where,
                     labels[k].text, labels[k].y, labels[k].y + labels[k].height, bottom);
      }
}

/* --- the order of the rows --------------------------------------------- */

static guint
nth_call (CapRecording *rec, const char *actor, NcCallKind kind, gboolean with_data)
{
  for (guint c = 0; c < cap_recording_get_n_calls (rec); c++)
    {
      const NcCall      *call = cap_recording_get_call (rec, c);
      const NcActorInfo *info;

      if (call == NULL || call->kind != kind || (with_data && call->result <= 0))
        continue;
      info = cap_recording_get_actor (rec, call->actor);
      if (g_strcmp0 (info->name, actor) == 0)
        return c;
    }
  g_error ("no %s() by %s", nc_call_kind_name (kind), actor);
  return CAP_NONE;
}

/* Both the event index and the painter put @later's row below @earlier's */
static void
assert_below (SlTimelinePainter *painter,
              guint              later_row,
              SlAxisEvent        later_event,
              guint              later,
              guint              earlier_row,
              SlAxisEvent        earlier_event,
              guint              earlier)
{
  SlTimelineAxis *axis = sl_timeline_painter_get_axis (painter);

  g_assert_cmpuint (later_row, !=, CAP_NONE);
  g_assert_cmpuint (earlier_row, !=, CAP_NONE);
  g_assert_cmpuint (later_row, >, earlier_row);
  g_assert_cmpfloat (sl_timeline_axis_event_to_display (axis, later_event, later), >,
                     sl_timeline_axis_event_to_display (axis, earlier_event, earlier));
}

static void
test_order_tcp_echo (void)
{
  CapRecording *rec = run ("tcp-echo");
  g_autoptr (SlTimelinePainter) painter = painter_for (rec, &screens[1]);
  guint accept = nth_call (rec, "server", NC_CALL_ACCEPT, FALSE);
  guint ack = CAP_NONE;

  /* the handshake's ACK: the first segment with only ACK set */
  for (guint p = 0; p < cap_recording_get_n_packets (rec) && ack == CAP_NONE; p++)
    {
      const CapPacket *pkt = cap_recording_get_packet (rec, p);
      if (pkt->proto == IPPROTO_TCP && pkt->tcp_flags == CAP_TCP_ACK && pkt->payload_len == 0)
        ack = p;
    }
  g_assert_cmpuint (ack, !=, CAP_NONE);
  /* accept() returns after the handshake completed */
  assert_below (painter, cap_recording_get_call_return_row (rec, accept), SL_AXIS_CALL_RETURN,
                accept, cap_recording_get_packet_row (rec, ack), SL_AXIS_PACKET, ack);
}

static void
test_order_tcp_lossy (void)
{
  CapRecording *rec = run ("tcp-lossy");
  g_autoptr (SlTimelinePainter) painter = painter_for (rec, &screens[1]);
  guint recv = nth_call (rec, "server", NC_CALL_RECV, TRUE);
  guint retrans = CAP_NONE;

  for (guint p = 0; p < cap_recording_get_n_packets (rec) && retrans == CAP_NONE; p++)
    if (cap_recording_get_packet (rec, p)->flags & CAP_PACKET_RETRANSMISSION)
      retrans = p;
  g_assert_cmpuint (retrans, !=, CAP_NONE);
  /* the server's recv() returns with the bytes the retransmission brought */
  assert_below (painter, cap_recording_get_call_return_row (rec, recv), SL_AXIS_CALL_RETURN, recv,
                cap_recording_get_packet_row (rec, retrans), SL_AXIS_PACKET, retrans);
  /* and the 200 ms of waiting are a break that says so, not a void */
  {
    SlTimelineAxis *axis = sl_timeline_painter_get_axis (painter);
    gboolean        said = FALSE;

    for (guint i = 0; i < sl_timeline_axis_get_n_breaks (axis); i++)
      said |=
        g_str_has_suffix (sl_timeline_axis_get_break (axis, i)->text, "later: retransmission");
    g_assert_true (said);
  }
}

/* --- the export: what the window shows, every word --------------------- */

static GHashTable *
pdf_words (const char *pdf)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  const char *argv[] = { "pdftotext", "-raw", pdf, "-", NULL };
  GHashTable *words = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto (GStrv) tokens = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  tokens = g_strsplit_set (out, " \n\t\f", -1);
  for (guint i = 0; tokens[i] != NULL; i++)
    if (*tokens[i] != '\0')
      g_hash_table_add (words, g_strdup (tokens[i]));
  return words;
}

static void
test_export_words (gconstpointer data)
{
  const char      *scenario = data;
  g_autofree char *dir = g_dir_make_tmp ("socklens-layout-XXXXXX", NULL);
  g_autofree char *pcapng = g_build_filename (dir, "run.pcapng", NULL);
  g_autofree char *pdf = g_build_filename (dir, "run.pdf", NULL);
  g_autofree char *socklens = build_path ("socklens", SL_TEST_SOCKLENS);
  const char *argv[] = { socklens, "run", scenario, "--output", pcapng, "--diagram", pdf, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (CapRecording) rec = cap_recording_new ();
  g_autoptr (SlTimelinePainter) painter = NULL;
  g_autoptr (GHashTable) words = NULL;
  const SlTimelineLabel *labels;
  guint                  n, n_checked = 0;
  int                    status = 0, height = 0;

  /* the command line, as a teacher runs it: one run, saved and drawn */
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL,
                               G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (cap_recording_load_file (rec, pcapng, &error));
  g_assert_no_error (error);

  /* what its labels are: the export's painter over the same run */
  painter = sl_diagram_new_painter (rec, SL_TIMELINE_LAYOUT_SEQUENCE, &height);
  sl_timeline_painter_layout (painter);
  labels = sl_timeline_painter_get_labels (painter, &n);
  assert_everything_labelled (rec, painter, pdf);
  assert_no_overlap (labels, n, pdf);

  words = pdf_words (pdf);
  for (guint i = 0; i < n; i++)
    {
      g_auto (GStrv) tokens = g_strsplit (labels[i].text, " ", -1);

      g_assert_false (labels[i].ellipsized);
      for (guint t = 0; tokens[t] != NULL; t++)
        {
          if (*tokens[t] == '\0')
            continue;
          if (!g_hash_table_contains (words, tokens[t]))
            g_error ("%s: “%s” (of label “%s”) is not in the PDF", pdf, tokens[t], labels[i].text);
          n_checked++;
        }
    }
  g_assert_cmpuint (n_checked, >, 40);

  g_unlink (pcapng);
  g_unlink (pdf);
  g_rmdir (dir);
}

/* Between the sizes the tests above take, at every width a pane may have
 * (in steps of 40 px, a few characters), on both axes and at both type sizes: no
 * label wraps into a line a person cannot read alone */
static void
test_wrap_sweep (gconstpointer data)
{
  const Lesson *lesson = data;
  CapRecording *rec = run (lesson->scenario);

  for (int width = SL_TIMELINE_MIN_WIDTH; width <= 1280; width += 40)
    for (guint big = 0; big < 2; big++)
      for (guint time = 0; time < 2; time++)
        {
          Screen screen = { "sweep", width, 700, big ? 1.5 : 1.0 };
          g_autoptr (SlTimelinePainter) painter =
            time ? time_painter_for (rec, &screen) : painter_for (rec, &screen);
          g_autofree char *where =
            g_strdup_printf ("%s, %s axis, %dx700 at %.1fx", lesson->scenario,
                             time ? "Time" : "Sequence", width, screen.scale);
          const SlTimelineLabel *labels;
          guint                  n;

          if (width * 2 < SL_TIMELINE_MIN_WIDTH * 3 && big)
            continue; /* the large type's pane is never this narrow */
          sl_timeline_painter_layout (painter);
          labels = sl_timeline_painter_get_labels (painter, &n);
          assert_lines_readable (labels, n, where);
        }
}

/* The gutter of the Sequence axis, the whole run in view: each row's time
 * said once, so no two times one under the other read the same (a column
 * of "955 µs" says nothing of what happened when) */
static void
test_gutter_times (gconstpointer data)
{
  const Lesson *lesson = data;
  CapRecording *rec = run (lesson->scenario);
  g_autoptr (SlTimelinePainter) painter = painter_for (rec, &screens[4]);
  g_autoptr (GArray) ticks = sl_axis_ticks_new ();
  SlTimelineAxis *axis;

  show_all_rows (painter, &screens[4]);
  axis = sl_timeline_painter_get_axis (painter);
  sl_timeline_axis_collect_ticks (axis, 0, sl_timeline_axis_get_end (axis), 1, 0, ticks);
  g_assert_cmpuint (ticks->len, >, 2);
  for (guint k = 1; k < ticks->len; k++)
    {
      const SlAxisTick *a = &g_array_index (ticks, SlAxisTick, k - 1);
      const SlAxisTick *b = &g_array_index (ticks, SlAxisTick, k);

      if (strcmp (a->text, b->text) == 0)
        g_error ("%s: the gutter says “%s” at rows %.0f and %.0f, one under the other",
                 lesson->scenario, b->text, a->display, b->display);
    }
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  runs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);

  for (guint i = 0; i < G_N_ELEMENTS (lessons); i++)
    {
      g_autofree char *path = g_strdup_printf ("/painter/sequence/labels/%s", lessons[i].scenario);
      g_test_add_data_func (path, &lessons[i], test_labels);
    }
  for (guint i = 0; i < G_N_ELEMENTS (lessons); i++)
    {
      g_autofree char *path = NULL;

      path = g_strdup_printf ("/painter/sequence/boxes-under-labels/%s", lessons[i].scenario);
      g_test_add_data_func (path, &lessons[i], test_boxes_under_labels);
    }
  for (guint i = 0; i < G_N_ELEMENTS (lessons); i++)
    {
      g_autofree char *path = g_strdup_printf ("/painter/time/labels/%s", lessons[i].scenario);
      g_test_add_data_func (path, &lessons[i], test_time_labels);
    }
  for (guint i = 0; i < G_N_ELEMENTS (lessons); i++)
    {
      g_autofree char *path = g_strdup_printf ("/painter/wrap/%s", lessons[i].scenario);
      g_test_add_data_func (path, &lessons[i], test_wrap_sweep);
    }
  for (guint i = 0; i < G_N_ELEMENTS (lessons); i++)
    {
      g_autofree char *path = g_strdup_printf ("/painter/sequence/gutter/%s", lessons[i].scenario);
      g_test_add_data_func (path, &lessons[i], test_gutter_times);
    }
  g_test_add_func ("/painter/sequence/scrolled-under-header", test_scrolled_under_header);
  g_test_add_func ("/painter/time/handshake", test_time_handshake);
  g_test_add_func ("/painter/time/bottom-crowd", test_time_bottom_crowd);
  g_test_add_func ("/painter/sequence/order/tcp-echo", test_order_tcp_echo);
  g_test_add_func ("/painter/sequence/order/tcp-lossy", test_order_tcp_lossy);
  g_test_add_data_func ("/painter/sequence/export/tcp-echo", "tcp-echo", test_export_words);
  g_test_add_data_func ("/painter/sequence/export/names-and-bytes", "names-and-bytes",
                        test_export_words);

  status = g_test_run ();
  g_hash_table_unref (runs);
  return status;
}
