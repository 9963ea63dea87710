/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-conversation-list.c: the conversation list of a capture without calls.
 *
 * The chosen set lives in the SlSession (conversation-filter), so the
 * timeline and this list always agree: a check box changes the model, the
 * model's chosen-changed sets the session's filter, and a filter set
 * elsewhere (a new recording, "Busiest") comes back into the model. The rows
 * are an SlConversationModel sorted by the column view's own sorter.
 */

#include "config.h"

#include "sl-conversation-list.h"

#include <glib/gi18n.h>

#include "sl-resources.h"


struct _SlConversationList
{
  GtkWidget            parent_instance;

  /* Template */
  GtkLabel            *count_label;
  GtkScrolledWindow   *scroller;
  GtkColumnView       *column_view;
  GtkSingleSelection  *selection;
  GtkColumnViewColumn *packets_column;
  GtkCustomSorter     *packets_sorter;
  GtkCustomSorter     *bytes_sorter;
  GtkCustomSorter     *first_seen_sorter;

  SlSession           *session;
  GSignalGroup        *session_signals;
  SlConversationModel *model;
  guint32              shown_conv;  /* the conversation last shown on the timeline */
};

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SlConversationList, sl_conversation_list, GTK_TYPE_WIDGET)

/* ---- sorting ------------------------------------------------------------- */

static int
order_of (guint64 a,
          guint64 b)
{
  return a < b ? GTK_ORDERING_SMALLER : a > b ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
}

/* The sorters compare ascending; the column view inverts them for a
 * descending column. They read plain numbers: a sort of 16,000 rows makes
 * no strings. */
static int
compare_packets (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return order_of (sl_conversation_item_get_packets ((gpointer) a),
                   sl_conversation_item_get_packets ((gpointer) b));
}

static int
compare_bytes (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  return order_of (sl_conversation_item_get_bytes ((gpointer) a),
                   sl_conversation_item_get_bytes ((gpointer) b));
}

/* Conversation ids are given in the order first seen */
static int
compare_first_seen (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  return order_of (sl_conversation_item_get_id ((gpointer) a),
                   sl_conversation_item_get_id ((gpointer) b));
}



/* ---- the chosen set, both ways ------------------------------------------- */

static void
update_count (SlConversationList *self)
{
  g_autofree char *text = NULL;
  guint n = self->model ? g_list_model_get_n_items (G_LIST_MODEL (self->model)) : 0;
  guint n_chosen = self->model ? sl_conversation_model_get_n_chosen (self->model) : 0;

  text = g_strdup_printf (g_dngettext (NULL, "%u conversation, %u drawn", "%u conversations, %u drawn", n),
                          n, n_chosen);
  gtk_label_set_label (self->count_label, text);
}

static void
on_model_chosen_changed (SlConversationList *self)
{
  static const guint32 none[1];
  g_autoptr(GArray) ids = sl_conversation_model_dup_chosen_ids (self->model);

  update_count (self);
  /* all boxes cleared is an empty filter (only "others"), not "no filter" */
  if (self->session != NULL)
    sl_session_set_conversation_filter (self->session,
                                        ids->len ? (const guint32 *) ids->data : none, ids->len);
}

static void
update_chosen_from_session (SlConversationList *self)
{
  const guint32 *ids;
  guint n_ids;

  if (self->model == NULL || self->session == NULL)
    return;
  ids = sl_session_get_conversation_filter (self->session, &n_ids);
  /* No filter: the painter picks, and the boxes show none rather than
   * guess. Not echoed back, which would turn "no filter" into "none". */
  g_signal_handlers_block_by_func (self->model, on_model_chosen_changed, self);
  sl_conversation_model_set_chosen_ids (self->model, ids, n_ids);
  g_signal_handlers_unblock_by_func (self->model, on_model_chosen_changed, self);
  update_count (self);
}

/* A check box in a row (the factory's template calls this) */
static void
on_check_toggled (GtkCheckButton *check,
                  GtkListItem    *list_item)
{
  SlConversationItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *self = gtk_widget_get_ancestor (GTK_WIDGET (check), SL_TYPE_CONVERSATION_LIST);

  /* the binding sets the box while a row is being bound: same value, no-op */
  if (item == NULL || self == NULL || SL_CONVERSATION_LIST (self)->model == NULL)
    return;
  sl_conversation_model_set_chosen (SL_CONVERSATION_LIST (self)->model,
                                    sl_conversation_item_get_id (item),
                                    gtk_check_button_get_active (check));
}

static void
on_busiest_clicked (SlConversationList *self)
{
  if (self->session != NULL)
    sl_session_choose_busiest_conversations (self->session, SL_SESSION_DEFAULT_CONVERSATIONS);
}

static void
on_none_clicked (SlConversationList *self)
{
  static const guint32 none[1];

  if (self->session != NULL)
    sl_session_set_conversation_filter (self->session, none, 0);
}

/* ---- a row shows its conversation on the timeline ------------------------ */

static void
show_conversation (SlConversationList *self,
                   guint32             id)
{
  CapRecording *rec = sl_conversation_model_get_recording (self->model);
  const CapConversation *conv = cap_recording_get_conversation (rec, id);
  const CapPacket *first = cap_recording_get_packet (rec, conv->first_packet);
  const CapPacket *last = cap_recording_get_packet (rec, conv->last_packet);
  gint64 span;

  if (first == NULL || last == NULL || self->session == NULL)
    return;
  /* Its start, about ten of its packets long (by their mean spacing): a
   * connection can last the whole capture, and its handshake is what a
   * row points at. At least 100 µs, so a lone packet is not zoomed to
   * nothing. */
  span = (last->ts - first->ts) / MAX (conv->n_packets, 1) * MIN (conv->n_packets, 10);
  span = MAX (span, 100000);
  self->shown_conv = id;
  sl_session_set_visible (self->session, first->ts - span / 10, first->ts + span);
  if (sl_session_get_playhead (self->session) < last->ts)
    sl_session_set_playhead (self->session, last->ts);  /* drawn up to the playhead */
  sl_session_select (self->session, SL_SELECTION_PACKET, conv->first_packet);
}

static void
on_selected (SlConversationList *self)
{
  guint position = gtk_single_selection_get_selected (self->selection);
  guint32 id;

  if (self->model == NULL || position == GTK_INVALID_LIST_POSITION)
    return;
  id = sl_conversation_model_get_id (self->model, position);
  /* a re-sort moves the selected row; only a new choice moves the timeline */
  if (id != CAP_NONE && id != self->shown_conv)
    show_conversation (self, id);
}

static void
on_activate (SlConversationList *self,
             guint               position)
{
  guint32 id = self->model ? sl_conversation_model_get_id (self->model, position) : CAP_NONE;

  if (id != CAP_NONE)
    show_conversation (self, id);
}

/* ---- the recording ------------------------------------------------------- */

static void
update_recording (SlConversationList *self)
{
  CapRecording *rec = self->session ? sl_session_get_recording (self->session) : NULL;

  if (self->model != NULL && sl_conversation_model_get_recording (self->model) == rec)
    return;
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  self->shown_conv = CAP_NONE;
  if (rec != NULL)
    {
      self->model = sl_conversation_model_new (rec);
      update_chosen_from_session (self);
      sl_conversation_model_set_sorter (self->model, gtk_column_view_get_sorter (self->column_view));
      g_signal_connect_swapped (self->model, "chosen-changed",
                                G_CALLBACK (on_model_chosen_changed), self);
    }
  gtk_single_selection_set_model (self->selection, G_LIST_MODEL (self->model));
  update_count (self);
}

/* More conversations in a growing recording */
static void
on_recording_changed (SlConversationList *self)
{
  if (self->model == NULL)
    return;
  sl_conversation_model_update (self->model);
  update_chosen_from_session (self);
}

/* ---- GObject ------------------------------------------------------------- */

static void
sl_conversation_list_dispose (GObject *object)
{
  SlConversationList *self = SL_CONVERSATION_LIST (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  if (self->session_signals != NULL)
    g_signal_group_set_target (self->session_signals, NULL);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), SL_TYPE_CONVERSATION_LIST);
  /* GTK 4.8 clears only the children bound by name: the root goes here. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  /* the model after the column view, which holds rows of it */
  g_clear_object (&self->model);

  G_OBJECT_CLASS (sl_conversation_list_parent_class)->dispose (object);
}

static void
sl_conversation_list_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  SlConversationList *self = SL_CONVERSATION_LIST (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sl_conversation_list_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  SlConversationList *self = SL_CONVERSATION_LIST (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      sl_conversation_list_set_session (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sl_conversation_list_class_init (SlConversationListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sl_conversation_list_dispose;
  object_class->get_property = sl_conversation_list_get_property;
  object_class->set_property = sl_conversation_list_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SL_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* referenced so the linker keeps the resources: a test may build this
   * list without the window */
  (void) sl_get_resource ();
  /* the row templates look the item type up by name */
  g_type_ensure (SL_TYPE_CONVERSATION_ITEM);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "conversationlist");
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/socklens/Socklens/ui/sl-conversation-list.ui");
  gtk_widget_class_bind_template_child (widget_class, SlConversationList, count_label);
  gtk_widget_class_bind_template_child (widget_class, SlConversationList, scroller);
  gtk_widget_class_bind_template_child (widget_class, SlConversationList, column_view);
  gtk_widget_class_bind_template_child (widget_class, SlConversationList, selection);
  gtk_widget_class_bind_template_child (widget_class, SlConversationList, packets_column);
  gtk_widget_class_bind_template_child (widget_class, SlConversationList, packets_sorter);
  gtk_widget_class_bind_template_child (widget_class, SlConversationList, bytes_sorter);
  gtk_widget_class_bind_template_child (widget_class, SlConversationList, first_seen_sorter);
  gtk_widget_class_bind_template_callback (widget_class, on_check_toggled);
  gtk_widget_class_bind_template_callback (widget_class, on_busiest_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_none_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_selected);
  gtk_widget_class_bind_template_callback (widget_class, on_activate);
}

static void
sl_conversation_list_init (SlConversationList *self)
{
  self->shown_conv = CAP_NONE;
  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_custom_sorter_set_sort_func (self->packets_sorter, compare_packets, NULL, NULL);
  gtk_custom_sorter_set_sort_func (self->bytes_sorter, compare_bytes, NULL, NULL);
  gtk_custom_sorter_set_sort_func (self->first_seen_sorter, compare_first_seen, NULL, NULL);
  /* busiest first, so the chosen 8 are on top */
  gtk_column_view_sort_by_column (self->column_view, self->packets_column, GTK_SORT_DESCENDING);
  /* A new order starts at its top: the model says a sort as all rows gone
   * and all come back, which the list takes for a new list. */

  self->session_signals = g_signal_group_new (SL_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "notify::recording",
                                  G_CALLBACK (update_recording), self);
  g_signal_group_connect_swapped (self->session_signals, "recording-changed",
                                  G_CALLBACK (on_recording_changed), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::conversation-filter",
                                  G_CALLBACK (update_chosen_from_session), self);
  update_count (self);
}

/* ---- public API ---------------------------------------------------------- */

GtkWidget *
sl_conversation_list_new (void)
{
  return g_object_new (SL_TYPE_CONVERSATION_LIST, NULL);
}

SlSession *
sl_conversation_list_get_session (SlConversationList *self)
{
  g_return_val_if_fail (SL_IS_CONVERSATION_LIST (self), NULL);
  return self->session;
}

void
sl_conversation_list_set_session (SlConversationList *self,
                                  SlSession          *session)
{
  g_return_if_fail (SL_IS_CONVERSATION_LIST (self));
  g_return_if_fail (session == NULL || SL_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;
  g_signal_group_set_target (self->session_signals, session);
  update_recording (self);
  update_chosen_from_session (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

SlConversationModel *
sl_conversation_list_get_model (SlConversationList *self)
{
  g_return_val_if_fail (SL_IS_CONVERSATION_LIST (self), NULL);
  return self->model;
}
