/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-toast-queue.c: toasts shown one at a time, none dismissed while it
 * slides in.
 *
 * libadwaita 1.2 (Debian 12) frees a toast's record in AdwToastOverlay when
 * its hiding animation ends, while its showing animation still points at
 * that record. A toast dismissed before it has finished sliding in (its
 * button or close button clicked, Escape) can end hiding first: the show's
 * "done" handler then reads freed memory (SIGSEGV in show_done_cb under
 * adw_animation_skip; test-window-keep's Undo crashed so, 1 run in 2 beside
 * two busy loops). Fixed upstream in libadwaita 1.3 by commit 1674ebc9
 * ("toast-overlay: Prevent show_done from firing after hide_done"). Hiding
 * (300 ms) is shorter than a show that replaces a toast (500 ms), and GTK
 * runs the newer tick callback first, so even equal lengths ending in the
 * same frame free the record before the show's last tick.
 *
 * So the overlay holds one toast of ours at a time (the next once the last
 * is freed, its hiding over), and a dismissal that comes while the toast
 * slides in is held, its emission stopped, and emitted again once the
 * overlay's frame clock has passed the longest show (the animation's own
 * clock and rule, not a timer). The toast's own handler has already run by
 * then (it clears the toast's overlay, so adw_toast_dismiss () would do
 * nothing): the held "dismissed" is emitted directly, and a handler the
 * app connected may see it twice.
 */

#include "config.h"

#include "sl-toast-queue.h"

/* libadwaita 1.2's longest showing animation (REPLACE_DURATION) */
#define SLIDE_IN_MS 500

struct _SlToastQueue
{
  GObject parent_instance;

  AdwToastOverlay *overlay; /* weak */
  GQueue           waiting; /* AdwToast, owned */
  AdwToast        *current; /* weak: in the overlay until freed there */
  gint64           slide_start_ms;
  gboolean         sliding_in;
  gboolean         dismissal_held;
  guint            tick_id;
  guint            next_idle_id;
  guint            dismiss_idle_id;
};

G_DEFINE_FINAL_TYPE (SlToastQueue, sl_toast_queue, G_TYPE_OBJECT)

static void show_next (SlToastQueue *self);

static gboolean
dismiss_held_toast (gpointer data)
{
  SlToastQueue *self = data;

  self->dismiss_idle_id = 0;
  if (self->current != NULL)
    g_signal_emit_by_name (self->current, "dismissed");
  return G_SOURCE_REMOVE;
}

/* The show is over (or was skipped): a dismissal held till now goes ahead */
static void
slide_in_over (SlToastQueue *self)
{
  if (self->tick_id != 0 && self->overlay != NULL)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->overlay), self->tick_id);
  self->tick_id = 0;
  self->sliding_in = FALSE;
  if (self->dismissal_held && self->dismiss_idle_id == 0)
    self->dismiss_idle_id = g_idle_add (dismiss_held_toast, self);
  self->dismissal_held = FALSE;
}

static gint64
frame_time_ms (GdkFrameClock *clock)
{
  return gdk_frame_clock_get_frame_time (clock) / 1000;
}

static gboolean
slide_in_tick (GtkWidget *overlay, GdkFrameClock *clock, gpointer data)
{
  SlToastQueue *self = data;

  if (frame_time_ms (clock) - self->slide_start_ms < SLIDE_IN_MS)
    return G_SOURCE_CONTINUE;
  self->tick_id = 0;
  slide_in_over (self);
  return G_SOURCE_REMOVE;
}

/* Unmapped, the overlay skips its animations to their end, as we do */
static void
on_overlay_unmap (SlToastQueue *self)
{
  if (self->sliding_in)
    slide_in_over (self);
}

/* Connected after the toast's own handler and the app's, before the
 * overlay's: stopping here keeps the overlay from hiding the toast yet */
static void
hold_early_dismissal (AdwToast *toast, SlToastQueue *self)
{
  if (toast != self->current || !self->sliding_in)
    return;
  g_signal_stop_emission_by_name (toast, "dismissed");
  self->dismissal_held = TRUE;
}

static gboolean
show_next_idle (gpointer data)
{
  SlToastQueue *self = data;

  self->next_idle_id = 0;
  show_next (self);
  return G_SOURCE_REMOVE;
}

/* The overlay freed the toast: its hiding is over (called from inside the
 * overlay, so the next one is added from an idle) */
static void
current_gone (gpointer data, GObject *where_it_was)
{
  SlToastQueue *self = data;

  self->current = NULL;
  self->dismissal_held = FALSE;
  slide_in_over (self);
  g_clear_handle_id (&self->dismiss_idle_id, g_source_remove);
  if (self->next_idle_id == 0)
    self->next_idle_id = g_idle_add (show_next_idle, self);
}

/* The overlay animates only when mapped and animations are enabled */
static gboolean
overlay_animates (AdwToastOverlay *overlay)
{
  gboolean enabled = TRUE;

  if (!gtk_widget_get_mapped (GTK_WIDGET (overlay)))
    return FALSE;
  g_object_get (gtk_widget_get_settings (GTK_WIDGET (overlay)), "gtk-enable-animations", &enabled,
                NULL);
  return enabled && gtk_widget_get_frame_clock (GTK_WIDGET (overlay)) != NULL;
}

static void
show_next (SlToastQueue *self)
{
  AdwToast  *toast;
  GtkWidget *overlay = GTK_WIDGET (self->overlay);

  if (self->current != NULL || self->overlay == NULL)
    return;
  toast = g_queue_pop_head (&self->waiting);
  if (toast == NULL)
    return;

  self->current = toast;
  g_object_weak_ref (G_OBJECT (toast), current_gone, self);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (hold_early_dismissal), self, 0);
  self->sliding_in = overlay_animates (self->overlay);
  if (self->sliding_in)
    {
      /* The show reads the same clock, in the same frame */
      self->slide_start_ms = frame_time_ms (gtk_widget_get_frame_clock (overlay));
      self->tick_id = gtk_widget_add_tick_callback (overlay, slide_in_tick, self, NULL);
    }
  adw_toast_overlay_add_toast (self->overlay, toast);
}

static void
sl_toast_queue_dispose (GObject *object)
{
  SlToastQueue *self = SL_TOAST_QUEUE (object);

  self->dismissal_held = FALSE;
  slide_in_over (self);
  g_clear_handle_id (&self->next_idle_id, g_source_remove);
  g_clear_handle_id (&self->dismiss_idle_id, g_source_remove);
  if (self->current != NULL)
    g_object_weak_unref (G_OBJECT (self->current), current_gone, self);
  self->current = NULL;
  g_queue_clear_full (&self->waiting, g_object_unref);
  if (self->overlay != NULL)
    g_signal_handlers_disconnect_by_data (self->overlay, self);
  g_clear_weak_pointer (&self->overlay);

  G_OBJECT_CLASS (sl_toast_queue_parent_class)->dispose (object);
}

static void
sl_toast_queue_class_init (SlToastQueueClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = sl_toast_queue_dispose;
}

static void
sl_toast_queue_init (SlToastQueue *self)
{
  g_queue_init (&self->waiting);
}

/**
 * sl_toast_queue_new:
 * @overlay: where the toasts show; only this queue adds toasts to it
 */
SlToastQueue *
sl_toast_queue_new (AdwToastOverlay *overlay)
{
  SlToastQueue *self;

  g_return_val_if_fail (ADW_IS_TOAST_OVERLAY (overlay), NULL);

  self = g_object_new (SL_TYPE_TOAST_QUEUE, NULL);
  g_set_weak_pointer (&self->overlay, overlay);
  g_signal_connect_swapped (overlay, "unmap", G_CALLBACK (on_overlay_unmap), self);
  return self;
}

/**
 * sl_toast_queue_add:
 * @toast: (transfer full): shown after those added before it
 */
void
sl_toast_queue_add (SlToastQueue *self, AdwToast *toast)
{
  g_return_if_fail (SL_IS_TOAST_QUEUE (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  g_queue_push_tail (&self->waiting, toast);
  show_next (self);
}
