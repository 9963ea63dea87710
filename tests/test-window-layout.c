/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-window-layout.c: how the window shares its width (suite 'display').
 *
 * The timeline is what a class reads: at 1280x800 and 1920x1080, in the
 * normal and in presentation mode (a window that is not full screen, as
 * on a teacher's laptop before the projector takes it), with a call
 * selected so the inspector is open, the timeline gets at least its
 * minimum width (SL_TIMELINE_MIN_WIDTH at its type size), the inspector
 * its own, the window does not outgrow the screen, and the code pane is
 * there wherever the room allows it, back as soon as it does again.
 *
 * Xvfb has no window manager: a window keeps the size it asks for, and
 * presentation mode's full screen is not granted, which is the case this
 * tests (full screen at 1920x1080 is the 1920x1080 window).
 */

#include "config.h"

#include <math.h>

#include "sl-code-view.h"
#include "sl-test-window.h"

#define INSPECTOR_MIN_WIDTH 300 /* what sl-window-panes.c promises it */

/* Shown, and by every container up to the window */
static gboolean
shown (GtkWidget *widget)
{
  for (; widget != NULL; widget = gtk_widget_get_parent (widget))
    if (!gtk_widget_get_visible (widget) || !gtk_widget_get_child_visible (widget))
      return FALSE;
  return TRUE;
}

/* The inspector's stack: the widget that holds the call inspector */
static GtkWidget *
inspector (SlWindow *window)
{
  GtkWidget *call = sl_test_find_widget (GTK_WIDGET (window), g_type_from_name ("SlCallInspector"));

  g_assert_nonnull (call);
  return gtk_widget_get_parent (call); /* the stack of the inspectors */
}

typedef struct
{
  SlWindow *window;
  int       width, height;
} Layout;

static gboolean
loaded (gpointer data)
{
  SlWindow     *window = data;
  CapRecording *rec = sl_session_get_recording (sl_window_get_session (window));

  return !sl_window_is_loading (window) && rec != NULL && cap_recording_get_n_calls (rec) > 0;
}

/* The window's size on the screen, its frame included */
static int
surface_width (SlWindow *window)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

  return surface ? gdk_surface_get_width (surface) : 0;
}

/* The window has taken its size and laid itself out for what it shows */
static gboolean
settled (gpointer data)
{
  Layout    *l = data;
  GtkWidget *timeline = sl_test_find_widget (GTK_WIDGET (l->window), SL_TYPE_TIMELINE_VIEW);

  return surface_width (l->window) == l->width && gtk_widget_get_width (timeline) > 0;
}

static void
settle (Layout *l)
{
  if (!sl_test_wait_for (settled, l, 5000))
    g_error (
      "window %d wide (%d on screen), timeline %d", gtk_widget_get_width (GTK_WIDGET (l->window)),
      surface_width (l->window),
      gtk_widget_get_width (sl_test_find_widget (GTK_WIDGET (l->window), SL_TYPE_TIMELINE_VIEW)));
  /* a frame more: a paned that moved its divider lays out again */
  sl_test_spin (300);
}

static int
x_of (GtkWidget *widget, GtkWidget *window)
{
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_compute_bounds (widget, window, &bounds));
  return (int) floor (bounds.origin.x);
}

typedef struct
{
  int      width, height;
  gboolean presentation;
  gboolean code_fits; /* room for the code pane beside both */
} Config;

static const Config configs[] = {
  { 1280, 800, FALSE, TRUE },
  { 1920, 1080, FALSE, TRUE },
  /* presentation type at 1280: the code folds while the inspector is open */
  { 1280, 800, TRUE, FALSE },
  { 1920, 1080, TRUE, TRUE },
};

static void
assert_shared (Layout *l, const Config *c, gboolean selected, const char *where)
{
  GtkWidget *win = GTK_WIDGET (l->window);
  GtkWidget *timeline = sl_test_find_widget (win, SL_TYPE_TIMELINE_VIEW);
  GtkWidget *code = sl_test_find_widget (win, SL_TYPE_CODE_VIEW);
  GtkWidget *insp = inspector (l->window);
  double     scale = sl_timeline_view_get_text_scale (SL_TIMELINE_VIEW (timeline));
  int        min = (int) ceil (SL_TIMELINE_MIN_WIDTH * scale);
  int        tw = gtk_widget_get_width (timeline);
  int        tx = x_of (timeline, win);

  g_test_message ("%s: window %d, code %s %d, timeline %d at x %d (min %d), inspector %s %d", where,
                  gtk_widget_get_width (win), shown (code) ? "shown" : "folded",
                  gtk_widget_get_width (code), tw, tx, min, shown (insp) ? "shown" : "hidden",
                  gtk_widget_get_width (insp));
  g_assert_cmpfloat (scale, ==, c->presentation ? 1.5 : 1.0);
  /* the window kept the screen's size: nothing grew past its edge */
  g_assert_cmpint (surface_width (l->window), ==, c->width);
  g_assert_cmpint (tw, >=, min);
  g_assert_cmpint (tx + tw, <=, gtk_widget_get_width (win));
  g_assert_true (shown (timeline));
  g_assert_true (shown (insp) == selected);
  if (selected)
    {
      g_assert_cmpint (gtk_widget_get_width (insp), >=, INSPECTOR_MIN_WIDTH);
      g_assert_cmpint (x_of (insp, win), >=, tx + tw);
      g_assert_cmpint (x_of (insp, win) + gtk_widget_get_width (insp), <=,
                       gtk_widget_get_width (win));
    }
  /* the code where there is room for it beside the timeline */
  if (selected && !c->code_fits)
    g_assert_false (shown (code));
  else
    {
      g_assert_true (shown (code));
      g_assert_cmpint (x_of (code, win) + gtk_widget_get_width (code), <=, tx);
    }
}

static void
test_timeline_keeps_room (gconstpointer data)
{
  const Config    *c = data;
  g_autofree char *fixture =
    g_test_build_filename (G_TEST_DIST, "fixtures", "correlation", "tcp-echo.pcapng", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (fixture);
  g_autofree char *where =
    g_strdup_printf ("%dx%d%s", c->width, c->height, c->presentation ? " presentation" : "");
  Layout        l = { .width = c->width, .height = c->height };
  SlSession    *session;
  CapRecording *rec;
  guint         call = G_MAXUINT;

  l.window = sl_window_new (GTK_APPLICATION (sl_test_app ()));
  gtk_window_set_default_size (GTK_WINDOW (l.window), c->width, c->height);
  sl_window_set_presentation (l.window, c->presentation);
  gtk_window_present (GTK_WINDOW (l.window));
  session = sl_window_get_session (l.window);

  sl_window_open_file (l.window, file);
  g_assert_true (sl_test_wait_for (loaded, l.window, 10000));
  settle (&l);
  assert_shared (&l, c, FALSE, where);

  /* a click on the client's connect(): the inspector opens */
  rec = sl_session_get_recording (session);
  for (guint i = 0; i < cap_recording_get_n_calls (rec) && call == G_MAXUINT; i++)
    if (cap_recording_get_call (rec, i)->kind == NC_CALL_CONNECT)
      call = i;
  g_assert_cmpuint (call, !=, G_MAXUINT);
  sl_session_select (session, SL_SELECTION_CALL, call);
  settle (&l);
  assert_shared (&l, c, TRUE, where);

  /* closed again: the code pane is back where it folded */
  sl_session_select (session, SL_SELECTION_NONE, 0);
  settle (&l);
  assert_shared (&l, c, FALSE, where);

  sl_window_set_presentation (l.window, FALSE);
  gtk_window_destroy (GTK_WINDOW (l.window));
}

int
main (int argc, char **argv)
{
  sl_test_window_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (configs); i++)
    {
      g_autofree char *path =
        g_strdup_printf ("/window/layout/%dx%d/%s", configs[i].width, configs[i].height,
                         configs[i].presentation ? "presentation" : "normal");
      g_test_add_data_func (path, &configs[i], test_timeline_keeps_room);
    }
  return sl_test_window_run ();
}
