/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-toast-queue.c: SlToastQueue on a real AdwToastOverlay under Xvfb.
 *
 * libadwaita 1.2 reads freed memory when a toast is dismissed while it
 * slides in (see sl-toast-queue.c); meson sets MALLOC_PERTURB_, so that
 * read crashed this program every run when the toasts went straight to the
 * overlay. Here toasts show one at a time, a dismissal while one slides in
 * (adw_toast_dismiss, as the overlay's Escape does, or its button) waits
 * for the slide to end, and a window closed in the middle frees all.
 */

#include "config.h"

#include "sl-test-window.h"
#include "sl-toast-queue.h"

typedef struct
{
  GtkWindow       *window;
  AdwToastOverlay *overlay;
  SlToastQueue    *queue;
} Fixture;

static gboolean
mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->window = GTK_WINDOW (gtk_window_new ());
  f->overlay = ADW_TOAST_OVERLAY (adw_toast_overlay_new ());
  adw_toast_overlay_set_child (f->overlay, gtk_label_new ("content"));
  gtk_window_set_child (f->window, GTK_WIDGET (f->overlay));
  gtk_window_set_default_size (f->window, 800, 600);
  gtk_window_present (f->window);
  g_assert_true (sl_test_wait_for (mapped, f->overlay, 10000));
  f->queue = sl_toast_queue_new (f->overlay);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->queue);
  if (f->window != NULL)
    gtk_window_destroy (f->window);
  sl_test_spin (50);
}

static AdwToast *
new_toast (const char *title, const char *button)
{
  AdwToast *toast = adw_toast_new (title);

  adw_toast_set_timeout (toast, 0); /* stays until dismissed */
  if (button != NULL)
    adw_toast_set_button_label (toast, button);
  return toast;
}

static GtkWidget *
find_label (GtkWidget *root, const char *text)
{
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (root)), text) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_label (c, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The overlay's widget for the toast titled @title, or NULL */
static GtkWidget *
toast_widget (Fixture *f, const char *title)
{
  GtkWidget *w = find_label (GTK_WIDGET (f->overlay), title);

  while (w != NULL && gtk_widget_get_parent (w) != GTK_WIDGET (f->overlay))
    w = gtk_widget_get_parent (w);
  return w;
}

/* On screen and not hiding: the overlay stops a hiding toast's input */
static gboolean
toast_current (Fixture *f, const char *title)
{
  GtkWidget *w = toast_widget (f, title);

  return w != NULL && gtk_widget_get_can_target (w);
}

typedef struct
{
  Fixture    *f;
  const char *title;
} Shown;

static gboolean
is_current (gpointer data)
{
  Shown *s = data;

  return toast_current (s->f, s->title);
}

static gboolean
pointer_cleared (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
count_click (AdwToast *toast, guint *clicks)
{
  (*clicks)++;
}

/* The crash's course in test-window-keep: a toast with a button waits
 * behind another, and its button is pressed the moment it appears */
static void
test_dismissed_while_sliding_in (Fixture *f, gconstpointer data)
{
  AdwToast *first = new_toast ("First", NULL);
  AdwToast *second = new_toast ("Second", "_Undo");
  Shown     first_shown = { f, "First" };
  Shown     second_shown = { f, "Second" };
  guint     clicks = 0;

  g_signal_connect (second, "button-clicked", G_CALLBACK (count_click), &clicks);
  g_object_add_weak_pointer (G_OBJECT (first), (gpointer *) &first);
  g_object_add_weak_pointer (G_OBJECT (second), (gpointer *) &second);
  sl_toast_queue_add (f->queue, first);
  sl_toast_queue_add (f->queue, second);
  g_assert_true (toast_current (f, "First"));
  /* One at a time: the second waits for the first to go */
  g_assert_null (toast_widget (f, "Second"));

  /* Dismissed in the frame it appeared: held while it slides in */
  adw_toast_dismiss (first);
  g_assert_true (toast_current (f, "First"));
  g_assert_true (sl_test_wait_for (pointer_cleared, &first, 10000));
  g_assert_null (toast_widget (f, "First"));

  g_assert_true (sl_test_wait_for (is_current, &second_shown, 10000));
  g_signal_emit_by_name (sl_test_find_button (GTK_WIDGET (f->overlay), "_Undo"), "clicked");
  g_assert_cmpuint (clicks, ==, 1);
  g_assert_true (sl_test_wait_for (pointer_cleared, &second, 10000));
  g_assert_null (toast_widget (f, "Second"));
  g_assert_false (is_current (&first_shown));
}

/* The window closed with a dismissal held and a toast waiting: all freed */
static void
test_window_closed_meanwhile (Fixture *f, gconstpointer data)
{
  AdwToast *shown = new_toast ("Shown", NULL);
  AdwToast *waiting = new_toast ("Waiting", NULL);

  g_object_add_weak_pointer (G_OBJECT (shown), (gpointer *) &shown);
  g_object_add_weak_pointer (G_OBJECT (waiting), (gpointer *) &waiting);
  sl_toast_queue_add (f->queue, shown);
  sl_toast_queue_add (f->queue, waiting);
  adw_toast_dismiss (shown);
  g_clear_object (&f->queue);
  g_assert_null (waiting);
  gtk_window_destroy (g_steal_pointer (&f->window));
  g_assert_true (sl_test_wait_for (pointer_cleared, &shown, 10000));
}

int
main (int argc, char **argv)
{
  sl_test_window_init (&argc, &argv);
  g_test_add ("/toast-queue/dismissed-while-sliding-in", Fixture, NULL, fixture_set_up,
              test_dismissed_while_sliding_in, fixture_tear_down);
  g_test_add ("/toast-queue/window-closed-meanwhile", Fixture, NULL, fixture_set_up,
              test_window_closed_meanwhile, fixture_tear_down);
  return sl_test_window_run ();
}
