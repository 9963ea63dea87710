/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-timeline-view.c: the timeline widget.
 *
 * Input, all of it turned into SlSession changes:
 *   click          select the call or packet under the pointer (or, on
 *                  empty space, move the playhead there)
 *   scroll, drag   pan;  ctrl+scroll, pinch, + and -: zoom around the pointer
 *   arrows, PgUp/PgDn pan;  Home/End: start/end;  F: fit all
 *   space          play/pause;  , and .: previous/next event;  Esc: unselect
 *
 * Zoom and pan work in the painter's display time (gate waits collapsed),
 * so a stepped run zooms as smoothly as a free one.
 *
 * Playback moves the playhead on the frame clock. Speed 1x crosses the
 * visible window in PLAY_WINDOW_SECONDS: loopback events are microseconds
 * apart, so real time would be invisible, and a minutes-long capture would
 * be too slow; the window is what the user chose to look at. 0.1x-10x
 * scale that, and the window pages along when the playhead leaves it.
 */

#include "config.h"

#include "sl-timeline-view.h"
#include "cap-event-index.h"

#include <glib/gi18n.h>

#include <adwaita.h>
#include <math.h>
#include <time.h>

#define PLAY_WINDOW_SECONDS 10.0
#define SCROLL_STEP_PX      48.0
#define ZOOM_STEP           1.25
#define DRAG_THRESHOLD      4.0
/* A growing recording is laid out again at most once per this many times
 * the last layout's cost: the main thread spends at most a fifth of its
 * time on it, however long the run */
#define RELAYOUT_SPACING    5
#define RELAYOUT_MAX_WAIT_MS 2000

struct _SlTimelineView
{
  GtkWidget parent_instance;

  SlSession         *session;
  GSignalGroup      *session_signals;
  SlTimelinePainter *painter;
  CapRecording      *recording;
  double             text_scale;
  gboolean           high_contrast; /* forced, whatever the system asks */

  /* pointer, for zooming around it */
  double   pointer_y;
  gboolean pointer_inside;

  /* drag and pinch start from the range they began with */
  double   drag_d0;
  double   drag_d1;
  gboolean dragged;
  double   pinch_d0;
  double   pinch_d1;
  double   pinch_y;

  /* playback */
  guint  tick_id;
  gint64 last_frame_time;
  double play_display; /* sub-ns playhead, so slow play does not stall */

  /* the axis's natural zoom (Sequence: rows at their labels' size) is
   * applied at the next draw, once the plot's height is known */
  gboolean want_natural;

  /* a growing recording's layouts (see RELAYOUT_SPACING) */
  gint64 laid_out_at;   /* µs, monotonic */
  gint64 layout_cost;   /* µs of this thread's CPU the last one took */
  guint  relayout_id;   /* a layout waiting for its turn */
  gboolean relayout_follows; /* ... made while following the run */
};

G_DEFINE_FINAL_TYPE (SlTimelineView, sl_timeline_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_TEXT_SCALE,
  PROP_HIGH_CONTRAST,
  PROP_LAYOUT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------------------ */
/* Range helpers, in display time                                            */

static void
visible_display (SlTimelineView *self, double *d0, double *d1)
{
  *d0 =
    sl_timeline_painter_to_display (self->painter, sl_session_get_visible_begin (self->session));
  *d1 = sl_timeline_painter_to_display (self->painter, sl_session_get_visible_end (self->session));
}

static void
set_visible_display (SlTimelineView *self, double d0, double d1)
{
  sl_session_set_visible (self->session, sl_timeline_painter_from_display (self->painter, d0),
                          sl_timeline_painter_from_display (self->painter, d1));
}

static double
px_per_display_ns (SlTimelineView *self)
{
  double top, bottom, d0, d1;

  sl_timeline_painter_get_plot_area (self->painter, &top, &bottom);
  visible_display (self, &d0, &d1);
  return (bottom - top) / MAX (d1 - d0, 1.0);
}

static double
display_at_y (SlTimelineView *self, double y)
{
  double top, bottom, d0, d1;

  sl_timeline_painter_get_plot_area (self->painter, &top, &bottom);
  visible_display (self, &d0, &d1);
  return d0 + (y - top) * (d1 - d0) / MAX (bottom - top, 1.0);
}

/* The user took the wheel: stop following a live run. */
static void
user_moved (SlTimelineView *self)
{
  self->relayout_follows = FALSE;
  sl_session_set_follow_live (self->session, FALSE);
}

static void
zoom_around (SlTimelineView *self, double factor, double y)
{
  double d0, d1, around;

  if (self->session == NULL || self->recording == NULL)
    return;
  visible_display (self, &d0, &d1);
  around = display_at_y (self, y);
  user_moved (self);
  set_visible_display (self, around - (around - d0) / factor, around + (d1 - around) / factor);
}

static void
pan_pixels (SlTimelineView *self, double dy)
{
  double d0, d1, dd;

  if (self->session == NULL || self->recording == NULL)
    return;
  visible_display (self, &d0, &d1);
  dd = dy / px_per_display_ns (self);
  {
    /* no further than the run's first row at the top, its last at the
     * bottom: past them a page shows nothing at all */
    double first =
      sl_timeline_painter_to_display (self->painter, cap_recording_get_start_time (self->recording));
    double last =
      sl_timeline_painter_to_display (self->painter, cap_recording_get_end_time (self->recording));

    if (dd < 0)
      dd = MAX (dd, MIN (first - d0, 0));
    else
      dd = MIN (dd, MAX (last - d1, 0));
  }
  user_moved (self);
  set_visible_display (self, d0 + dd, d1 + dd);
}

static double
zoom_anchor_y (SlTimelineView *self)
{
  if (self->pointer_inside)
    return self->pointer_y;
  return sl_timeline_painter_time_to_y (self->painter, sl_session_get_playhead (self->session));
}

/* ------------------------------------------------------------------------ */
/* Playback                                                                  */

static gboolean
on_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  SlTimelineView *self = SL_TIMELINE_VIEW (widget);
  gint64          frame_time = gdk_frame_clock_get_frame_time (clock);
  double          d0, d1, span, end_display;
  gint64          ts;

  if (self->session == NULL || self->recording == NULL || !sl_session_get_playing (self->session))
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  if (self->last_frame_time == 0)
    {
      self->last_frame_time = frame_time;
      return G_SOURCE_CONTINUE;
    }

  visible_display (self, &d0, &d1);
  span = d1 - d0;
  self->play_display += sl_session_get_speed (self->session) * span / PLAY_WINDOW_SECONDS *
                        (frame_time - self->last_frame_time) / (double) G_USEC_PER_SEC;
  self->last_frame_time = frame_time;

  end_display =
    sl_timeline_painter_to_display (self->painter, cap_recording_get_end_time (self->recording));
  if (self->play_display >= end_display)
    {
      self->play_display = end_display;
      sl_session_set_playing (self->session, FALSE);
    }
  ts = sl_timeline_painter_from_display (self->painter, self->play_display);
  sl_session_set_playhead (self->session, ts);

  /* page along: the playhead re-enters near the top */
  if (self->play_display > d1 || self->play_display < d0)
    set_visible_display (self, self->play_display - span * 0.1, self->play_display + span * 0.9);

  return G_SOURCE_CONTINUE;
}

static void
update_playing (SlTimelineView *self)
{
  gboolean playing = self->session != NULL && sl_session_get_playing (self->session);

  if (playing && self->tick_id == 0 && self->recording != NULL)
    {
      gint64 start = cap_recording_get_start_time (self->recording);
      gint64 end = cap_recording_get_end_time (self->recording);
      gint64 ph = sl_session_get_playhead (self->session);

      /* play from the start when the playhead sits at the end */
      if (ph >= end || ph < start)
        {
          ph = start;
          sl_session_set_playhead (self->session, ph);
        }
      self->play_display = sl_timeline_painter_to_display (self->painter, ph);
      self->last_frame_time = 0;
      self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
    }
  else if (!playing && self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
}

/* ------------------------------------------------------------------------ */
/* Session and recording                                                     */

/* The call that entered last: in step mode, the one just released */
static guint
latest_call (CapRecording *recording)
{
  guint n = cap_recording_get_n_events (recording);

  for (guint row = n; row > 0; row--)
    {
      const CapEvent *ev = cap_recording_get_event (recording, row - 1);
      if (ev->kind == CAP_EVENT_CALL_ENTER)
        return ev->index;
    }
  return CAP_NONE;
}

/* Following a live run on rows: the newest rows at the bottom, at their
 * natural size, with room below for what the kernel does next (the user's
 * own zoom or scroll stops the following) */
static void
follow_newest_rows (SlTimelineView *self)
{
  SlTimelineAxis *axis = sl_timeline_painter_get_axis (self->painter);
  double          natural = sl_timeline_axis_get_natural_px_per_unit (axis);
  double          top, bottom, span, end, d0;

  if (natural <= 0)
    return;
  sl_timeline_painter_get_plot_area (self->painter, &top, &bottom);
  span = (bottom - top) / natural;
  end = sl_timeline_axis_get_end (axis) + 4 * sl_timeline_axis_get_row_height (axis);
  d0 = MAX (end - span, 0);
  set_visible_display (self, d0, d0 + span);
}

/* µs of CPU this thread has used: a layout's cost, which on a busy
 * machine would look many times larger in wall time and put the next one
 * off for seconds */
static gint64
thread_cpu_time (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return g_get_monotonic_time ();
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Lays the recording out again, now, and notes what that cost; @follow:
 * with the newest rows in view at their natural size, the newest call
 * highlighted */
static void
relayout (SlTimelineView *self,
          gboolean        follow)
{
  gint64 start = thread_cpu_time ();

  g_clear_handle_id (&self->relayout_id, g_source_remove);
  sl_timeline_painter_invalidate (self->painter);
  if (follow && self->session != NULL && self->recording != NULL)
    {
      sl_timeline_painter_set_current_call (self->painter, latest_call (self->recording));
      follow_newest_rows (self);
    }
  else
    sl_timeline_painter_set_current_call (self->painter, CAP_NONE);
  (void) sl_timeline_painter_get_axis (self->painter); /* the layout, now: its cost is measured */
  self->layout_cost = thread_cpu_time () - start;
  self->laid_out_at = g_get_monotonic_time ();
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
on_relayout_due (gpointer data)
{
  SlTimelineView *self = data;

  self->relayout_id = 0;
  relayout (self, self->session != NULL && sl_session_get_follow_live (self->session));
  return G_SOURCE_REMOVE;
}

/* A live run commits a batch many times a second, and a layout is
 * O(events): laid out at every commit, a run of a million datagrams cost
 * the square of its length and froze the window. Until its turn comes the
 * painter draws the layout it has (it bounds every index by what that
 * layout holds), the new events appear with the next one. */
static void
on_recording_content_changed (SlTimelineView *self)
{
  gint64 due = self->laid_out_at + RELAYOUT_SPACING * self->layout_cost;
  gint64 now = g_get_monotonic_time ();
  gboolean follow = self->session != NULL && sl_session_get_follow_live (self->session);

  if (self->relayout_id != 0)
    return;
  if (now >= due)
    {
      relayout (self, follow);
      return;
    }
  self->relayout_follows = follow;
  self->relayout_id = g_timeout_add (MIN ((due - now) / 1000 + 1, RELAYOUT_MAX_WAIT_MS),
                                     on_relayout_due, self);
}

/* A run that ended shows everything recorded at once, not at the next
 * turn of a live layout (seconds away after a long run), and as following
 * it would have: its newest rows at their natural size, labelled, the last
 * call highlighted. A view the user took from the newest rows
 * (user_moved) is laid out where the user put it. */
static void
on_follow_live_changed (SlTimelineView *self)
{
  if (self->relayout_id != 0 && self->session != NULL &&
      !sl_session_get_follow_live (self->session))
    relayout (self, self->relayout_follows);
}

/* Shows the top of the diagram at the axis's natural zoom; the Time axis
 * keeps the session's fit. */
static void
apply_natural_range (SlTimelineView *self)
{
  SlTimelineAxis *axis;
  double          top, bottom, natural;

  self->want_natural = FALSE;
  if (self->session == NULL || self->recording == NULL)
    return;
  axis = sl_timeline_painter_get_axis (self->painter);
  natural = sl_timeline_axis_get_natural_px_per_unit (axis);
  if (natural <= 0)
    return;
  sl_timeline_painter_get_plot_area (self->painter, &top, &bottom);
  if (sl_session_get_follow_live (self->session))
    {
      set_visible_display (self, 0, (bottom - top) / natural);
      follow_newest_rows (self);
    }
  else
    set_visible_display (self, 0, (bottom - top) / natural);
}

/* The session's choice of conversations (a capture without calls) */
static void
update_conversation_filter (SlTimelineView *self)
{
  const guint32 *ids = NULL;
  guint          n_ids = 0;

  if (self->session != NULL)
    ids = sl_session_get_conversation_filter (self->session, &n_ids);
  sl_timeline_painter_set_conversation_filter (self->painter, ids, n_ids);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
update_recording (SlTimelineView *self)
{
  CapRecording *recording = self->session ? sl_session_get_recording (self->session) : NULL;

  update_conversation_filter (self);
  if (self->recording == recording)
    return;
  g_set_object (&self->recording, recording);
  g_clear_handle_id (&self->relayout_id, g_source_remove);
  self->laid_out_at = self->layout_cost = 0;
  sl_timeline_painter_set_recording (self->painter, recording);
  sl_timeline_painter_set_current_call (self->painter, CAP_NONE);
  self->want_natural = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_view_state_changed (SlTimelineView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
update_theme (SlTimelineView *self)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  gboolean         dark = adw_style_manager_get_dark (style);
  gboolean         hc = self->high_contrast || adw_style_manager_get_high_contrast (style);
  SlTheme          theme = hc ? (dark ? SL_THEME_HIGH_CONTRAST_DARK : SL_THEME_HIGH_CONTRAST)
                              : (dark ? SL_THEME_DARK : SL_THEME_LIGHT);

  sl_timeline_painter_set_theme (self->painter, theme);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ------------------------------------------------------------------------ */
/* Input                                                                     */

static void
on_click_released (GtkGestureClick *gesture, int n_press, double x, double y, SlTimelineView *self)
{
  SlSelectionKind kind;
  guint           index;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (self->dragged || self->session == NULL || self->recording == NULL)
    return;
  if (sl_timeline_painter_hit (self->painter, x, y, &kind, &index))
    sl_session_select (self->session, kind, index);
  else
    {
      double top, bottom;

      /* empty space: scrub there */
      sl_timeline_painter_get_plot_area (self->painter, &top, &bottom);
      if (y >= top && y <= bottom)
        {
          sl_session_select (self->session, SL_SELECTION_NONE, 0);
          sl_session_set_playhead (self->session, sl_timeline_painter_y_to_time (self->painter, y));
        }
    }
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, SlTimelineView *self)
{
  self->dragged = FALSE;
  if (self->session == NULL || self->recording == NULL)
    return;
  visible_display (self, &self->drag_d0, &self->drag_d1);
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, SlTimelineView *self)
{
  double dd;

  if (self->session == NULL || self->recording == NULL)
    return;
  if (!self->dragged && hypot (dx, dy) < DRAG_THRESHOLD)
    return;
  self->dragged = TRUE;
  /* content follows the pointer: dragging down shows earlier time */
  dd = -dy * (self->drag_d1 - self->drag_d0) /
       MAX (gtk_widget_get_height (GTK_WIDGET (self)) - 100, 1);
  user_moved (self);
  set_visible_display (self, self->drag_d0 + dd, self->drag_d1 + dd);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, SlTimelineView *self)
{
  GdkModifierType mods =
    gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  GdkScrollUnit unit = gtk_event_controller_scroll_get_unit (controller);
  double        px = unit == GDK_SCROLL_UNIT_WHEEL ? dy * SCROLL_STEP_PX : dy;

  if (self->session == NULL || self->recording == NULL)
    return FALSE;
  if (mods & GDK_CONTROL_MASK)
    zoom_around (self, pow (ZOOM_STEP, -px / SCROLL_STEP_PX), zoom_anchor_y (self));
  else
    pan_pixels (self, px);
  return TRUE;
}

static void
on_motion (GtkEventControllerMotion *controller, double x, double y, SlTimelineView *self)
{
  self->pointer_y = y;
  self->pointer_inside = TRUE;
}

static void
on_leave (GtkEventControllerMotion *controller, SlTimelineView *self)
{
  self->pointer_inside = FALSE;
}

static void
on_zoom_begin (GtkGesture *gesture, GdkEventSequence *sequence, SlTimelineView *self)
{
  double x;

  if (self->session == NULL || self->recording == NULL)
    return;
  visible_display (self, &self->pinch_d0, &self->pinch_d1);
  if (!gtk_gesture_get_bounding_box_center (gesture, &x, &self->pinch_y))
    self->pinch_y = gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
}

static void
on_zoom_scale_changed (GtkGestureZoom *gesture, double scale, SlTimelineView *self)
{
  double top, bottom, around;

  if (self->session == NULL || self->recording == NULL || scale <= 0)
    return;
  sl_timeline_painter_get_plot_area (self->painter, &top, &bottom);
  around = self->pinch_d0 +
           (self->pinch_y - top) * (self->pinch_d1 - self->pinch_d0) / MAX (bottom - top, 1);
  user_moved (self);
  set_visible_display (self, around - (around - self->pinch_d0) / scale,
                       around + (self->pinch_d1 - around) / scale);
}

static void
go_to_edge (SlTimelineView *self, gboolean end)
{
  double d0, d1, span, edge;

  visible_display (self, &d0, &d1);
  span = d1 - d0;
  edge = sl_timeline_painter_to_display (self->painter,
                                         end ? cap_recording_get_end_time (self->recording)
                                             : cap_recording_get_start_time (self->recording));
  user_moved (self);
  if (end)
    set_visible_display (self, edge - span * 0.95, edge + span * 0.05);
  else
    set_visible_display (self, edge, edge + span);
  sl_session_set_playhead (self->session, sl_timeline_painter_from_display (self->painter, edge));
}

/* What on_key_pressed () answers; Space, Right and Escape are the window's
 * (Step, Step, Stop) before they reach here */
static const SlTimelineKey keys[] = {
  { "plus equal KP_Add", N_("Zoom in") },
  { "minus KP_Subtract", N_("Zoom out") },
  { "f", N_("Fit the whole run") },
  { "Home", N_("Go to the start") },
  { "End", N_("Go to the end") },
  { "comma less", N_("Previous event: the playhead to the call or packet before") },
  { "period greater", N_("Next event: the playhead to the next call or packet") },
  { "Up Left", N_("Scroll back in time") },
  { "Down", N_("Scroll on in time") },
  { "Page_Up", N_("Scroll back a page") },
  { "Page_Down", N_("Scroll on a page") },
};

const SlTimelineKey *
sl_timeline_view_get_keys (guint *n_keys)
{
  *n_keys = G_N_ELEMENTS (keys);
  return keys;
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                SlTimelineView        *self)
{
  double page = gtk_widget_get_height (GTK_WIDGET (self)) * 0.8;

  if (self->session == NULL || self->recording == NULL)
    return FALSE;
  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK))
    return FALSE;

  switch (keyval)
    {
    case GDK_KEY_plus:
    case GDK_KEY_equal:
    case GDK_KEY_KP_Add:
      zoom_around (self, ZOOM_STEP * ZOOM_STEP, zoom_anchor_y (self));
      return TRUE;
    case GDK_KEY_minus:
    case GDK_KEY_KP_Subtract:
      zoom_around (self, 1 / (ZOOM_STEP * ZOOM_STEP), zoom_anchor_y (self));
      return TRUE;
    case GDK_KEY_Up:
    case GDK_KEY_Left:
      pan_pixels (self, -SCROLL_STEP_PX);
      return TRUE;
    case GDK_KEY_Down:
    case GDK_KEY_Right:
      pan_pixels (self, SCROLL_STEP_PX);
      return TRUE;
    case GDK_KEY_Page_Up:
      pan_pixels (self, -page);
      return TRUE;
    case GDK_KEY_Page_Down:
      pan_pixels (self, page);
      return TRUE;
    case GDK_KEY_Home:
      go_to_edge (self, FALSE);
      return TRUE;
    case GDK_KEY_End:
      go_to_edge (self, TRUE);
      return TRUE;
    case GDK_KEY_f:
    case GDK_KEY_F:
      user_moved (self);
      sl_session_fit_all (self->session);
      return TRUE;
    case GDK_KEY_space:
      sl_session_set_playing (self->session, !sl_session_get_playing (self->session));
      return TRUE;
    case GDK_KEY_comma:
    case GDK_KEY_less:
      sl_session_set_playing (self->session, FALSE);
      sl_session_step_event (self->session, -1);
      return TRUE;
    case GDK_KEY_period:
    case GDK_KEY_greater:
      sl_session_set_playing (self->session, FALSE);
      sl_session_step_event (self->session, 1);
      return TRUE;
    case GDK_KEY_Escape:
      sl_session_select (self->session, SL_SELECTION_NONE, 0);
      return TRUE;
    default:
      return FALSE;
    }
}

/* ------------------------------------------------------------------------ */
/* GtkWidget                                                                 */

static void
sl_timeline_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  SlTimelineView *self = SL_TIMELINE_VIEW (widget);
  int             width = gtk_widget_get_width (widget);
  int             height = gtk_widget_get_height (widget);
  cairo_t        *cr;

  if (width <= 0 || height <= 0)
    return;

  sl_timeline_painter_set_size (self->painter, width, height);
  if (self->want_natural)
    apply_natural_range (self);
  if (self->session != NULL)
    {
      sl_timeline_painter_set_range (self->painter, sl_session_get_visible_begin (self->session),
                                     sl_session_get_visible_end (self->session));
      sl_timeline_painter_set_playhead (self->painter, sl_session_get_playhead (self->session));
      sl_timeline_painter_set_selection (self->painter,
                                         sl_session_get_selection_kind (self->session),
                                         sl_session_get_selection_index (self->session));
    }

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  sl_timeline_painter_draw (self->painter, cr);
  cairo_destroy (cr);
}

static void
sl_timeline_view_unmap (GtkWidget *widget)
{
  SlTimelineView *self = SL_TIMELINE_VIEW (widget);

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (widget, self->tick_id);
      self->tick_id = 0;
    }
  GTK_WIDGET_CLASS (sl_timeline_view_parent_class)->unmap (widget);
}

static void
sl_timeline_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (sl_timeline_view_parent_class)->map (widget);
  update_playing (SL_TIMELINE_VIEW (widget));
}

static void
sl_timeline_view_dispose (GObject *object)
{
  SlTimelineView *self = SL_TIMELINE_VIEW (object);

  g_clear_handle_id (&self->relayout_id, g_source_remove);
  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->session);
  g_clear_object (&self->recording);
  g_clear_object (&self->painter);

  G_OBJECT_CLASS (sl_timeline_view_parent_class)->dispose (object);
}

static void
sl_timeline_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  SlTimelineView *self = SL_TIMELINE_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_TEXT_SCALE:
      g_value_set_double (value, self->text_scale);
      break;
    case PROP_HIGH_CONTRAST:
      g_value_set_boolean (value, self->high_contrast);
      break;
    case PROP_LAYOUT:
      g_value_set_string (value, sl_timeline_layout_to_string (sl_timeline_view_get_layout (self)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sl_timeline_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  SlTimelineView *self = SL_TIMELINE_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      sl_timeline_view_set_session (self, g_value_get_object (value));
      break;
    case PROP_TEXT_SCALE:
      sl_timeline_view_set_text_scale (self, g_value_get_double (value));
      break;
    case PROP_HIGH_CONTRAST:
      sl_timeline_view_set_high_contrast (self, g_value_get_boolean (value));
      break;
    case PROP_LAYOUT:
      {
        SlTimelineLayout layout;
        if (sl_timeline_layout_from_string (g_value_get_string (value), &layout))
          sl_timeline_view_set_layout (self, layout);
        else
          g_warning ("SlTimelineView: no layout named “%s”", g_value_get_string (value));
      }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sl_timeline_view_class_init (SlTimelineViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sl_timeline_view_dispose;
  object_class->get_property = sl_timeline_view_get_property;
  object_class->set_property = sl_timeline_view_set_property;

  widget_class->snapshot = sl_timeline_view_snapshot;
  widget_class->map = sl_timeline_view_map;
  widget_class->unmap = sl_timeline_view_unmap;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SL_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TEXT_SCALE] =
    g_param_spec_double ("text-scale", NULL, NULL, 0.5, 4.0, 1.0,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_HIGH_CONTRAST] =
    g_param_spec_boolean ("high-contrast", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* "sequence" or "time", as the settings keep it */
  properties[PROP_LAYOUT] =
    g_param_spec_string ("layout", NULL, NULL, "sequence",
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "timeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
sl_timeline_view_init (SlTimelineView *self)
{
  GtkWidget          *widget = GTK_WIDGET (self);
  GtkGesture         *click, *drag, *zoom;
  GtkEventController *scroll, *motion, *key;
  AdwStyleManager    *style = adw_style_manager_get_default ();

  self->text_scale = 1.0;
  self->painter = sl_timeline_painter_new ();

  gtk_widget_set_focusable (widget, TRUE);
  gtk_widget_set_focus_on_click (widget, TRUE);
  gtk_widget_set_overflow (widget, GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_size_request (widget, 360, 240);

  click = gtk_gesture_click_new ();
  g_signal_connect (click, "released", G_CALLBACK (on_click_released), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (click));

  drag = gtk_gesture_drag_new ();
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (drag));

  zoom = gtk_gesture_zoom_new ();
  g_signal_connect (zoom, "begin", G_CALLBACK (on_zoom_begin), self);
  g_signal_connect (zoom, "scale-changed", G_CALLBACK (on_zoom_scale_changed), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (zoom));

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (widget, scroll);

  motion = gtk_event_controller_motion_new ();
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (widget, motion);

  key = gtk_event_controller_key_new ();
  g_signal_connect (key, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (widget, key);

  /* one group: switching sessions reconnects everything at once */
  self->session_signals = g_signal_group_new (SL_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "notify::recording",
                                  G_CALLBACK (update_recording), self);
  g_signal_group_connect_swapped (self->session_signals, "recording-changed",
                                  G_CALLBACK (on_recording_content_changed), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::follow-live",
                                  G_CALLBACK (on_follow_live_changed), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::playing",
                                  G_CALLBACK (update_playing), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::conversation-filter",
                                  G_CALLBACK (update_conversation_filter), self);
  for (guint i = 0; i < 5; i++)
    {
      static const char *const redraw_on[] = {
        "notify::visible-begin",  "notify::visible-end",     "notify::playhead",
        "notify::selection-kind", "notify::selection-index",
      };
      g_signal_group_connect_swapped (self->session_signals, redraw_on[i],
                                      G_CALLBACK (on_view_state_changed), self);
    }

  g_signal_connect_object (style, "notify::dark", G_CALLBACK (update_theme), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (style, "notify::high-contrast", G_CALLBACK (update_theme), self,
                           G_CONNECT_SWAPPED);
  update_theme (self);
}

/* ------------------------------------------------------------------------ */
/* Public API                                                                */

GtkWidget *
sl_timeline_view_new (SlSession *session)
{
  return g_object_new (SL_TYPE_TIMELINE_VIEW, "session", session, NULL);
}

SlSession *
sl_timeline_view_get_session (SlTimelineView *self)
{
  g_return_val_if_fail (SL_IS_TIMELINE_VIEW (self), NULL);
  return self->session;
}

void
sl_timeline_view_set_session (SlTimelineView *self, SlSession *session)
{
  g_return_if_fail (SL_IS_TIMELINE_VIEW (self));
  g_return_if_fail (session == NULL || SL_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;
  g_signal_group_set_target (self->session_signals, session);
  update_recording (self);
  update_playing (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

/**
 * sl_timeline_view_get_painter:
 *
 * The painter the view draws with, for exports of exactly what is shown.
 */
SlTimelinePainter *
sl_timeline_view_get_painter (SlTimelineView *self)
{
  g_return_val_if_fail (SL_IS_TIMELINE_VIEW (self), NULL);
  return self->painter;
}

double
sl_timeline_view_get_text_scale (SlTimelineView *self)
{
  g_return_val_if_fail (SL_IS_TIMELINE_VIEW (self), 1.0);
  return self->text_scale;
}

/**
 * sl_timeline_view_set_text_scale:
 *
 * Larger type for a projector (presentation mode uses 1.5).
 */
void
sl_timeline_view_set_text_scale (SlTimelineView *self, double scale)
{
  g_return_if_fail (SL_IS_TIMELINE_VIEW (self));

  scale = CLAMP (scale, 0.5, 4.0);
  if (self->text_scale == scale)
    return;
  self->text_scale = scale;
  sl_timeline_painter_set_text_scale (self->painter, scale);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT_SCALE]);
}

gboolean
sl_timeline_view_get_high_contrast (SlTimelineView *self)
{
  g_return_val_if_fail (SL_IS_TIMELINE_VIEW (self), FALSE);
  return self->high_contrast;
}

/**
 * sl_timeline_view_set_high_contrast:
 *
 * Draws with the high-contrast theme even when the system does not ask for
 * it: a projector washes out the normal palette (presentation mode).
 */
void
sl_timeline_view_set_high_contrast (SlTimelineView *self, gboolean high_contrast)
{
  g_return_if_fail (SL_IS_TIMELINE_VIEW (self));

  high_contrast = !!high_contrast;
  if (self->high_contrast == high_contrast)
    return;
  self->high_contrast = high_contrast;
  update_theme (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HIGH_CONTRAST]);
}

SlTimelineLayout
sl_timeline_view_get_layout (SlTimelineView *self)
{
  g_return_val_if_fail (SL_IS_TIMELINE_VIEW (self), SL_TIMELINE_LAYOUT_SEQUENCE);
  return sl_timeline_painter_get_layout (self->painter);
}

/**
 * sl_timeline_view_set_layout:
 *
 * Sequence (a row per event) or Time (real time). The view starts again
 * from the top at the new axis's natural zoom.
 */
void
sl_timeline_view_set_layout (SlTimelineView *self, SlTimelineLayout layout)
{
  g_return_if_fail (SL_IS_TIMELINE_VIEW (self));

  if (sl_timeline_painter_get_layout (self->painter) == layout)
    return;
  sl_timeline_painter_set_layout (self->painter, layout);
  if (layout == SL_TIMELINE_LAYOUT_TIME && self->session != NULL)
    sl_session_fit_all (self->session);
  self->want_natural = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAYOUT]);
}
