/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-conversation-list.c: the conversation list of a capture without
 * calls. The model (headless): one row per conversation, items made only
 * when asked for and not kept, sorting by a GtkSorter without making items,
 * the chosen set. The widget (on a display, Xvfb): it follows the session's
 * conversation filter both ways, and a selected row shows its conversation.
 */

#include "config.h"

#include <adwaita.h>

#include "painter-recordings.h"
#include "sl-conversation-list.h"
#include "sl-conversation-model.h"

#define N_FLOWS 3000

/* UDP flows, each from its own client port to one server: flow i has
 * (i * 7) % 11 + 1 datagrams of (i * 13) % 200 bytes, so packets and bytes
 * sort differently from the order first seen. */
static CapRecording *
flows_recording (void)
{
  CapRecording *rec = cap_recording_new ();
  gint64 t = PR_T0;

  for (guint i = 0; i < N_FLOWS; i++)
    for (guint p = 0; p < (i * 7) % 11 + 1; p++)
      {
        pr_add_udp (rec, t, LO + 1, 20000 + i, LO, 53, (i * 13) % 200);
        t += 1000;
      }
  cap_recording_commit (rec);
  return rec;
}

static int
compare_packets_descending (gconstpointer a,
                            gconstpointer b,
                            gpointer      user_data)
{
  guint x = sl_conversation_item_get_packets ((gpointer) a);
  guint y = sl_conversation_item_get_packets ((gpointer) b);

  return x > y ? GTK_ORDERING_SMALLER : x < y ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
}

/* A sort is said as every row gone, then every row back (so a view
 * starts at the new order's top): two changes, counted as one */
static void
count_items_changed (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     guint      *count)
{
  /* a model's size, when it says a change, is the size after it */
  g_assert_cmpuint (position, ==, 0);
  if (added == 0)
    g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  else
    {
      g_assert_cmpuint (removed, ==, 0);
      g_assert_cmpuint (added, ==, g_list_model_get_n_items (model));
      (*count)++;
    }
}

static void
count (guint *counter)
{
  (*counter)++;
}

static void
test_model_lazy (void)
{
  g_autoptr(CapRecording) rec = flows_recording ();
  g_autoptr(SlConversationModel) model = sl_conversation_model_new (rec);
  GListModel *list = G_LIST_MODEL (model);
  SlConversationItem *first, *again;

  g_assert_cmpuint (cap_recording_get_n_conversations (rec), ==, N_FLOWS);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, N_FLOWS);
  g_assert_true (g_list_model_get_item_type (list) == SL_TYPE_CONVERSATION_ITEM);
  g_assert_cmpuint (sl_conversation_model_get_n_live_items (model), ==, 0);

  /* asked for, made; asked again while alive, the same object */
  first = g_list_model_get_item (list, 0);
  g_assert_cmpuint (sl_conversation_model_get_n_live_items (model), ==, 1);
  again = g_list_model_get_item (list, 0);
  g_assert_true (first == again);
  g_object_unref (again);
  g_assert_cmpuint (sl_conversation_item_get_id (first), ==, 0);
  g_assert_cmpstr (sl_conversation_item_get_title (first), ==, "127.0.0.2:20000 ↔ 127.0.0.1:53");
  g_assert_cmpstr (sl_conversation_item_get_protocol (first), ==, "UDP");
  g_assert_cmpuint (sl_conversation_item_get_packets (first), ==, 1);
  g_assert_cmpint (sl_conversation_item_get_first_seen (first), ==, 0);
  g_assert_null (g_list_model_get_item (list, N_FLOWS));

  /* dropped by the list, gone */
  g_object_unref (first);
  g_assert_cmpuint (sl_conversation_model_get_n_live_items (model), ==, 0);
}

static void
test_model_sort (void)
{
  g_autoptr(CapRecording) rec = flows_recording ();
  g_autoptr(SlConversationModel) model = sl_conversation_model_new (rec);
  g_autoptr(GtkCustomSorter) sorter = gtk_custom_sorter_new (compare_packets_descending, NULL, NULL);
  guint changed = 0;
  guint prev_packets = G_MAXUINT;
  guint32 prev_id = 0;

  g_signal_connect (model, "items-changed", G_CALLBACK (count_items_changed), &changed);
  sl_conversation_model_set_sorter (model, GTK_SORTER (sorter));
  g_assert_cmpuint (changed, ==, 1);
  /* 3000 rows sorted, not one item made */
  g_assert_cmpuint (sl_conversation_model_get_n_live_items (model), ==, 0);

  /* busiest first; ties in the order first seen */
  for (guint i = 0; i < N_FLOWS; i++)
    {
      guint32 id = sl_conversation_model_get_id (model, i);
      guint packets = cap_recording_get_conversation (rec, id)->n_packets;

      g_assert_cmpuint (packets, <=, prev_packets);
      if (packets == prev_packets)
        g_assert_cmpuint (id, >, prev_id);
      prev_packets = packets;
      prev_id = id;
    }
  g_assert_cmpuint (cap_recording_get_conversation (rec, sl_conversation_model_get_id (model, 0))->n_packets, ==, 11);
  {
    g_autoptr(SlConversationItem) top = g_list_model_get_item (G_LIST_MODEL (model), 0);
    g_assert_cmpuint (sl_conversation_item_get_packets (top), ==, 11);
  }

  /* the sorter changes, the rows follow */
  gtk_custom_sorter_set_sort_func (sorter, NULL, NULL, NULL);
  g_assert_cmpuint (changed, ==, 2);
  for (guint i = 0; i < N_FLOWS; i++)
    g_assert_cmpuint (sl_conversation_model_get_id (model, i), ==, i);
}

static void
test_model_chosen (void)
{
  g_autoptr(CapRecording) rec = flows_recording ();
  g_autoptr(SlConversationModel) model = sl_conversation_model_new (rec);
  g_autoptr(SlConversationItem) item = g_list_model_get_item (G_LIST_MODEL (model), 5);
  g_autoptr(GArray) ids = NULL;
  guint changed = 0, notified = 0;

  g_signal_connect_swapped (model, "chosen-changed", G_CALLBACK (count), &changed);
  g_signal_connect_swapped (item, "notify::chosen", G_CALLBACK (count), &notified);

  sl_conversation_model_set_chosen_ids (model, (const guint32[]) { 5, 7, 99999 }, 3);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpuint (sl_conversation_model_get_n_chosen (model), ==, 2);
  g_assert_true (sl_conversation_item_get_chosen (item));  /* the live row follows */
  g_assert_cmpuint (notified, ==, 1);

  sl_conversation_model_set_chosen (model, 7, TRUE);  /* no change */
  g_assert_cmpuint (changed, ==, 1);
  sl_conversation_model_set_chosen (model, 5, FALSE);
  g_assert_cmpuint (changed, ==, 2);
  g_assert_false (sl_conversation_item_get_chosen (item));

  ids = sl_conversation_model_dup_chosen_ids (model);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpuint (g_array_index (ids, guint32, 0), ==, 7);

  /* an item made now starts with its conversation's state */
  {
    g_autoptr(SlConversationItem) seven = g_list_model_get_item (G_LIST_MODEL (model), 7);
    g_assert_true (sl_conversation_item_get_chosen (seven));
  }
}

/* ---- the widget ---------------------------------------------------------- */

static void
iterate (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

/* Iterates the main loop until @cond holds; fails after 20 s (a guard
 * against a hang, not a timing) */
static void
wait_until (gboolean (*cond) (gpointer), gpointer data)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!cond (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
    }
}

static gboolean
scrolled_down (gpointer adj)
{
  return gtk_adjustment_get_value (adj) > 0;
}

static gboolean
at_top (gpointer adj)
{
  return gtk_adjustment_get_value (adj) == 0;
}

typedef struct
{
  GtkWidget      *list;
  const char     *text;
  GtkInscription *cell;
} CellWait;

static GtkInscription *find_inscription (GtkWidget *widget, const char *text);

static gboolean
cell_laid_out (gpointer data)
{
  CellWait *w = data;

  w->cell = find_inscription (w->list, w->text);
  return w->cell != NULL && gtk_widget_get_width (GTK_WIDGET (w->cell)) > 0;
}

/* The cell that says @text, once the list has given it its width (a busy
 * machine lays the rows out late) */
static GtkInscription *
wait_for_cell (GtkWidget  *list,
               const char *text)
{
  CellWait w = { list, text, NULL };

  wait_until (cell_laid_out, &w);
  return w.cell;
}

static GtkColumnView *
find_column_view (GtkWidget *widget)
{
  if (GTK_IS_COLUMN_VIEW (widget))
    return GTK_COLUMN_VIEW (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkColumnView *found = find_column_view (child);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The list's cell that shows @text */
static GtkInscription *
find_inscription (GtkWidget *widget, const char *text)
{
  if (GTK_IS_INSCRIPTION (widget) &&
      g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (widget)), text) == 0)
    return GTK_INSCRIPTION (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkInscription *found = find_inscription (child, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_widget (void)
{
  g_autoptr(CapRecording) rec = flows_recording ();
  g_autoptr(SlSession) session = sl_session_new ();
  GtkWidget *window = gtk_window_new ();
  GtkWidget *list = sl_conversation_list_new ();
  SlConversationModel *model;
  GtkSelectionModel *selection;
  const guint32 *ids;
  guint n = 0;
  guint32 top;
  const CapConversation *conv;

  sl_conversation_list_set_session (SL_CONVERSATION_LIST (list), session);
  gtk_window_set_default_size (GTK_WINDOW (window), 420, 600);
  gtk_window_set_child (GTK_WINDOW (window), list);
  gtk_window_present (GTK_WINDOW (window));
  sl_session_set_recording (session, rec);
  iterate (300);

  model = sl_conversation_list_get_model (SL_CONVERSATION_LIST (list));
  g_assert_nonnull (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, N_FLOWS);
  /* only the rows on screen and around them have items (GTK 4.8's list
   * views keep some 200 rows bound), not one per conversation */
  g_assert_cmpuint (sl_conversation_model_get_n_live_items (model), >, 0);
  g_assert_cmpuint (sl_conversation_model_get_n_live_items (model), <, 300);

  /* the session chose the busiest, the model shows them; sorted busiest first */
  ids = sl_session_get_conversation_filter (session, &n);
  g_assert_cmpuint (n, ==, SL_SESSION_DEFAULT_CONVERSATIONS);
  g_assert_cmpuint (sl_conversation_model_get_n_chosen (model), ==,
                    SL_SESSION_DEFAULT_CONVERSATIONS);
  top = sl_conversation_model_get_id (model, 0);
  g_assert_cmpuint (cap_recording_get_conversation (rec, top)->n_packets, ==, 11);
  g_assert_true (sl_conversation_model_get_chosen (model, top));

  /* a box cleared in the list reaches the session */
  sl_conversation_model_set_chosen (model, top, FALSE);
  ids = sl_session_get_conversation_filter (session, &n);
  g_assert_cmpuint (n, ==, SL_SESSION_DEFAULT_CONVERSATIONS - 1);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (ids[i], !=, top);
  /* and a filter set elsewhere reaches the list */
  sl_session_set_conversation_filter (session, (const guint32[]) { 1, 2 }, 2);
  g_assert_cmpuint (sl_conversation_model_get_n_chosen (model), ==, 2);
  g_assert_true (sl_conversation_model_get_chosen (model, 2));
  /* all cleared is "none chosen", not "no filter" */
  sl_conversation_model_set_chosen (model, 1, FALSE);
  sl_conversation_model_set_chosen (model, 2, FALSE);
  g_assert_nonnull (sl_session_get_conversation_filter (session, &n));
  g_assert_cmpuint (n, ==, 0);

  /* selecting the third row shows its conversation and selects its first packet */
  selection = gtk_column_view_get_model (find_column_view (list));
  gtk_selection_model_select_item (selection, 2, TRUE);
  conv = cap_recording_get_conversation (rec, sl_conversation_model_get_id (model, 2));
  g_assert_cmpint (sl_session_get_selection_kind (session), ==, SL_SELECTION_PACKET);
  g_assert_cmpuint (sl_session_get_selection_index (session), ==, conv->first_packet);
  g_assert_cmpint (sl_session_get_visible_begin (session), <, cap_recording_get_packet (rec, conv->first_packet)->ts);
  g_assert_cmpint (sl_session_get_visible_end (session), >, cap_recording_get_packet (rec, conv->first_packet)->ts);
  g_assert_cmpint (sl_session_get_visible_end (session) - sl_session_get_visible_begin (session), <,
                   (cap_recording_get_end_time (rec) - cap_recording_get_start_time (rec)) / 100);

  /* each conversation's two ends are read whole in the list's narrow
   * column (two lines), not cut at the start into another address */
  {
    g_autoptr (SlConversationItem) item = g_list_model_get_item (G_LIST_MODEL (model), 0);
    const char     *title = sl_conversation_item_get_title (item);
    GtkInscription *cell;
    g_autoptr (PangoLayout) layout = NULL;

    cell = wait_for_cell (list, title);
    layout = gtk_widget_create_pango_layout (GTK_WIDGET (cell), title);
    pango_layout_set_width (layout, gtk_widget_get_width (GTK_WIDGET (cell)) * PANGO_SCALE);
    pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (cell)), >, 0);
    if (pango_layout_get_line_count (layout) > (int) gtk_inscription_get_min_lines (cell))
      g_error ("“%s” needs %d lines at %d px; its cell shows %u", title,
               pango_layout_get_line_count (layout), gtk_widget_get_width (GTK_WIDGET (cell)),
               gtk_inscription_get_min_lines (cell));
  }

  /* a new order starts at its top, wherever the list was scrolled: the
   * first row shown is the new order's first */
  {
    GtkColumnView *view = find_column_view (list);
    GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (view), GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
    GListModel *columns = gtk_column_view_get_columns (view);
    g_autoptr (GtkColumnViewColumn) first_seen = NULL;

    for (guint i = 0; i < g_list_model_get_n_items (columns) && first_seen == NULL; i++)
      {
        g_autoptr (GtkColumnViewColumn) column = g_list_model_get_item (columns, i);
        if (g_strcmp0 (gtk_column_view_column_get_title (column), "First Seen") == 0)
          first_seen = g_steal_pointer (&column);
      }
    g_assert_nonnull (first_seen);
    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) / 2);
    wait_until (scrolled_down, adj);
    gtk_column_view_sort_by_column (view, first_seen, GTK_SORT_ASCENDING);
    wait_until (at_top, adj);
    g_assert_cmpuint (sl_conversation_model_get_id (model, 0), ==, 0);
    /* it stays there once the list has laid the new rows out */
    iterate (100);
    g_assert_cmpfloat (gtk_adjustment_get_value (adj), ==, 0);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (gtk_column_view_get_model (view))), ==, N_FLOWS);
  }

  /* a new recording: a new model */
  sl_session_set_recording (session, NULL);
  g_assert_null (sl_conversation_list_get_model (SL_CONVERSATION_LIST (list)));
  gtk_window_destroy (GTK_WINDOW (window));
  iterate (50);
}

/* A cell saying @text that is on screen: the list keeps unbound and
 * off-screen rows too, with cells of no width */
static GtkInscription *
find_shown_inscription (GtkWidget *widget, const char *text)
{
  if (GTK_IS_INSCRIPTION (widget) && gtk_widget_get_mapped (widget) &&
      gtk_widget_get_width (widget) > 0 &&
      g_strcmp0 (gtk_inscription_get_text (GTK_INSCRIPTION (widget)), text) == 0)
    return GTK_INSCRIPTION (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkInscription *found = find_shown_inscription (child, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkLabel *
find_label (GtkWidget *widget, const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return GTK_LABEL (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkLabel *found = find_label (child, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* @widget is inside @list's width, whole: not scrolled or cut off at its right */
static void
assert_inside (GtkWidget *widget, GtkWidget *list, const char *what, int pane)
{
  graphene_rect_t r;

  g_assert_true (gtk_widget_compute_bounds (widget, list, &r));
  if (r.origin.x < 0 || r.origin.x + r.size.width > gtk_widget_get_width (list) + 0.5)
    g_error ("side pane %d px: “%s” (%.0f..%.0f) is cut by the list's edge (%d)", pane, what,
             r.origin.x, r.origin.x + r.size.width, gtk_widget_get_width (list));
}

/* Every column of the list at the side pane's widths (its own, and what it
 * keeps beside the inspector at 1280x800): each title read whole, and the
 * first row's every value (the conversation, its protocol, packets, bytes,
 * and when it was first seen) inside the list, none cut at its edge. */
static void
test_columns_fit (void)
{
  g_autoptr (CapRecording) rec = flows_recording ();
  /* the pane's own width, and what it keeps beside the inspector */
  const int   panes[] = { 460, 428 };
  const char *titles[] = { "Conversation", "Proto", "Packets", "Bytes", "First Seen" };

  for (guint w = 0; w < G_N_ELEMENTS (panes); w++)
    {
      g_autoptr (SlSession) session = sl_session_new ();
      GtkWidget *window = gtk_window_new ();
      GtkWidget *list = sl_conversation_list_new ();
      SlConversationModel *model;
      g_autoptr (SlConversationItem) item = NULL;
      g_autofree char *packets = NULL, *bytes = NULL, *first_seen = NULL;
      const char *cells[5];
      GtkWidget  *row;

      sl_conversation_list_set_session (SL_CONVERSATION_LIST (list), session);
      gtk_window_set_default_size (GTK_WINDOW (window), panes[w], 600);
      gtk_window_set_child (GTK_WINDOW (window), list);
      gtk_window_present (GTK_WINDOW (window));
      sl_session_set_recording (session, rec);
      {
        g_autoptr (SlConversationItem) top = g_list_model_get_item (
          G_LIST_MODEL (sl_conversation_list_get_model (SL_CONVERSATION_LIST (list))), 0);
        wait_for_cell (list, sl_conversation_item_get_title (top)); /* laid out */
      }
      g_assert_cmpint (gtk_widget_get_width (list), <=, panes[w]);

      for (guint t = 0; t < G_N_ELEMENTS (titles); t++)
        {
          GtkLabel *label = find_label (list, titles[t]);

          g_assert_nonnull (label);
          assert_inside (GTK_WIDGET (label), list, titles[t], panes[w]);
          if (pango_layout_is_ellipsized (gtk_label_get_layout (label)))
            g_error ("side pane %d px: the title “%s” is shortened", panes[w], titles[t]);
        }

      model = sl_conversation_list_get_model (SL_CONVERSATION_LIST (list));
      item = g_list_model_get_item (G_LIST_MODEL (model), 0);
      packets = g_strdup_printf ("%u", sl_conversation_item_get_packets (item));
      bytes = sl_conversation_item_dup_bytes_text (item);
      first_seen = sl_conversation_item_dup_first_seen_text (item);
      cells[0] = sl_conversation_item_get_title (item);
      cells[1] = sl_conversation_item_get_protocol (item);
      cells[2] = packets;
      cells[3] = bytes;
      cells[4] = first_seen;
      /* the first row's cells, in the row of its conversation's cell, once
       * the list has laid it out (a loaded machine takes its time): one
       * allocation gives the row all its cells */
      {
        gint64          until = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
        GtkInscription *title;

        while ((title = find_shown_inscription (list, cells[0])) == NULL &&
               g_get_monotonic_time () < until)
          g_main_context_iteration (NULL, FALSE);
        if (title == NULL)
          g_error ("side pane %d px: the first row, “%s”, is not shown", panes[w], cells[0]);
        row = gtk_widget_get_parent (gtk_widget_get_parent (GTK_WIDGET (title))); /* cell, row */
      }
      for (guint c = 0; c < G_N_ELEMENTS (cells); c++)
        {
          GtkInscription *cell = find_shown_inscription (row, cells[c]);

          if (cell == NULL)
            g_error ("side pane %d px: the first row has no cell that says “%s”", panes[w], cells[c]);

          assert_inside (GTK_WIDGET (cell), list, cells[c], panes[w]);
          if (c > 0)
            {
              /* the widest a size is written ("113.7 kB" wrapped "113.7 k-B") */
              g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (
                GTK_WIDGET (cell), c == 3 ? "888.8 kB" : cells[c]);
              int lw, lh;

              pango_layout_get_pixel_size (layout, &lw, &lh);
              if (lw > gtk_widget_get_width (GTK_WIDGET (cell)))
                g_error ("side pane %d px: “%s” needs %d px, its cell has %d", panes[w],
                         pango_layout_get_text (layout), lw,
                         gtk_widget_get_width (GTK_WIDGET (cell)));
            }
        }
      gtk_window_destroy (GTK_WINDOW (window));
      iterate (50);
    }
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *tmp_dir = g_dir_make_tmp ("socklens-test-conv-XXXXXX", NULL);

  g_setenv ("HOME", tmp_dir, TRUE);
  g_setenv ("XDG_CACHE_HOME", tmp_dir, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_test_init (&argc, &argv, NULL);
  /* Not gtk_test_init (): with no session bus here its fatal warnings abort. */
  if (!gtk_init_check ())
    g_error ("no display: run under xvfb-run -a (meson test does)");
  adw_init ();
  {
    /* the window's style, as AdwApplication loads it */
    g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (css, "/org/socklens/Socklens/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

  g_test_add_func ("/ui/conversation-list/model/lazy", test_model_lazy);
  g_test_add_func ("/ui/conversation-list/model/sort", test_model_sort);
  g_test_add_func ("/ui/conversation-list/model/chosen", test_model_chosen);
  g_test_add_func ("/ui/conversation-list/widget", test_widget);
  g_test_add_func ("/ui/conversation-list/columns-fit", test_columns_fit);

  return g_test_run ();
}
