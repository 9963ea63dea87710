/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-window-panes.c: how the window's width is shared between the side
 * pane (the code, or a capture's conversations), the timeline and the
 * inspector.
 *
 * The timeline is the product: it never gets less than
 * SL_TIMELINE_MIN_WIDTH at its type size (every label of the lessons reads
 * whole there: tests/test-painter-layout.c), and the side panes yield to
 * it. The inspector, while it shows what was clicked, keeps at least its
 * minimum; the side pane narrows down to its own, and where even that would
 * squeeze the timeline (presentation type in a 1280 px window with a
 * packet selected) it folds away until there is room again. Both paneds
 * hold the minimums too (shrink-*-child false), so a drag cannot squeeze
 * the timeline either.
 */

#include "config.h"

#include <math.h>

#include "sl-window-private.h"

#define INSPECTOR_WIDTH         340 /* px at first: the timeline in the middle gets the most room */
#define INSPECTOR_MIN_WIDTH     300 /* its field names and values side by side */
#define SIDE_MIN_WIDTH          220 /* the code's lines, wrapped; more in presentation type */
#define PRESENTATION_SIDE_SCALE 1.35 /* the code's type in presentation mode (style.css) */
/* the code at its larger type, capped at a third of the window */
#define PRESENTATION_SIDE_WIDTH 620
#define HANDLE_WIDTH            2 /* a paned's divider, with room to spare */

int
_sl_window_get_timeline_min_width (SlWindow *self)
{
  double scale = sl_timeline_view_get_text_scale (SL_TIMELINE_VIEW (self->timeline));

  return (int) ceil (SL_TIMELINE_MIN_WIDTH * scale);
}

static int
side_min_width (SlWindow *self)
{
  return (int) ceil (SIDE_MIN_WIDTH * (self->presentation ? PRESENTATION_SIDE_SCALE : 1));
}

/* The side pane's width wanted now: the user's (or the mode's default);
 * in presentation the code at its larger type, up to a third of @width */
static int
wanted_side_width (SlWindow *self, int width)
{
  if (!self->presentation)
    return self->side_width;
  return MAX (self->side_width, MIN (PRESENTATION_SIDE_WIDTH, width / 3));
}

/* A divider's move the user made, not one we made or the paned's own
 * clamp to its children's minimums */
static gboolean
moved_by_user (GtkPaned *paned, int placed)
{
  int position = gtk_paned_get_position (paned);
  int min = 0, max = 0;

  g_object_get (paned, "min-position", &min, "max-position", &max, NULL);
  return position != placed && position > min && position < max;
}

/**
 * _sl_window_fit_panes:
 *
 * Shares the window's width out again: after it changed, after the
 * inspector opened or closed, when presentation mode came or went.
 */
void
_sl_window_fit_panes (SlWindow *self)
{
  GtkWidget *side = GTK_WIDGET (self->side_stack);
  int        width = gtk_widget_get_width (GTK_WIDGET (self->outer_paned));
  int        timeline_min = _sl_window_get_timeline_min_width (self);
  gboolean   inspector = gtk_widget_get_visible (GTK_WIDGET (self->inspector_stack));
  int        side_min = side_min_width (self);
  int        room, side_width, inner_width;
  gboolean   show_side;

  if (self->fitting_panes)
    return;
  self->fitting_panes = TRUE;
  gtk_widget_set_size_request (GTK_WIDGET (self->timeline_slot), timeline_min, -1);
  gtk_widget_set_size_request (side, side_min, -1);
  gtk_widget_set_size_request (GTK_WIDGET (self->inspector_stack), INSPECTOR_MIN_WIDTH, -1);
  if (width <= 0)
    {
      /* not shown yet: its first allocation calls again */
      self->fitting_panes = FALSE;
      return;
    }

  /* what the side pane may have, the timeline and the inspector served */
  room = width - timeline_min - (inspector ? INSPECTOR_MIN_WIDTH + HANDLE_WIDTH : 0) - HANDLE_WIDTH;
  show_side = gtk_toggle_button_get_active (self->side_button) && room >= side_min;
  gtk_widget_set_visible (side, show_side);

  side_width = CLAMP (wanted_side_width (self, width), side_min, MAX (side_min, room));
  if (show_side)
    {
      self->side_placed = side_width;
      gtk_paned_set_position (self->outer_paned, side_width);
    }

  /* the inspector at its width, unless the user dragged it; the timeline
   * keeps its minimum */
  inner_width = width - (show_side ? side_width + HANDLE_WIDTH : 0);
  if (inspector && !self->inspector_width_set)
    {
      int position = inner_width - INSPECTOR_WIDTH - HANDLE_WIDTH;

      position = MIN (position, inner_width - INSPECTOR_MIN_WIDTH - HANDLE_WIDTH);
      self->inner_position = MAX (position, timeline_min);
      gtk_paned_set_position (self->inner_paned, self->inner_position);
    }
  self->fitting_panes = FALSE;
}

/**
 * _sl_window_set_side_width:
 *
 * The side pane's width, as its content wants it (the code, or a
 * capture's wider conversation list), given to it where the timeline
 * leaves the room.
 */
void
_sl_window_set_side_width (SlWindow *self, int width)
{
  self->side_width = width;
  _sl_window_fit_panes (self);
}

static void
on_outer_paned_moved (GtkPaned *paned, GParamSpec *pspec, SlWindow *self)
{
  if (!self->fitting_panes && gtk_widget_get_visible (GTK_WIDGET (self->side_stack)) &&
      moved_by_user (paned, self->side_placed))
    self->side_width = gtk_paned_get_position (paned);
}

static void
on_inner_paned_moved (GtkPaned *paned, GParamSpec *pspec, SlWindow *self)
{
  if (!self->fitting_panes && self->inner_position != 0 &&
      moved_by_user (paned, self->inner_position))
    self->inspector_width_set = TRUE;
}

/* A paned's max-position changes with its width, or with its end child's
 * minimum (the inspector shown): time to share again */
static void
on_paned_resized (GtkPaned *paned, GParamSpec *pspec, SlWindow *self)
{
  _sl_window_fit_panes (self);
}

void
_sl_window_panes_init (SlWindow *self)
{
  self->side_width = gtk_paned_get_position (self->outer_paned);
  g_signal_connect (self->outer_paned, "notify::max-position", G_CALLBACK (on_paned_resized), self);
  g_signal_connect (self->inner_paned, "notify::max-position", G_CALLBACK (on_paned_resized), self);
  g_signal_connect (self->outer_paned, "notify::position", G_CALLBACK (on_outer_paned_moved), self);
  g_signal_connect (self->inner_paned, "notify::position", G_CALLBACK (on_inner_paned_moved), self);
  g_signal_connect_swapped (self->side_button, "notify::active", G_CALLBACK (_sl_window_fit_panes),
                            self);
}
