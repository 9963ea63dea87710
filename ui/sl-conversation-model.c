/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-conversation-model.c: conversations as a list model, items on demand.
 *
 * Items are not kept: the model remembers the ones alive (weakly, by id) so
 * a row on screen is the same object each time it is asked for, and so a
 * change of the chosen set reaches the check boxes shown. Once the list
 * drops a row's item it is gone. GtkSortListModel is not used: with a
 * GtkColumnViewSorter it keeps a reference to every item it has sorted
 * (16,000 objects for a big capture); here a sort is a qsort of ids.
 */

#include "config.h"

#include "sl-conversation-model.h"

#include <string.h>

struct _SlConversationModel
{
  GObject             parent_instance;

  CapRecording       *recording;
  GArray             *order;     /* guint32 conversation ids, in row order */
  GByteArray         *chosen;    /* per conversation */
  guint               n_chosen;
  GHashTable         *live;      /* id -> SlConversationItem, weak */
  GtkSorter          *sorter;
  gulong              sorter_changed;
  SlConversationItem *probe[2];  /* stand for the two rows a sort compares */
  gboolean            emptied;   /* while a re-sort says all rows went */
};

enum {
  PROP_0,
  PROP_RECORDING,
  PROP_SORTER,
  N_PROPS
};

enum {
  SIGNAL_CHOSEN_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void sl_conversation_model_list_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (SlConversationModel, sl_conversation_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      sl_conversation_model_list_init))

/* ---- GListModel ---------------------------------------------------------- */

static GType
sl_conversation_model_get_item_type (GListModel *list)
{
  return SL_TYPE_CONVERSATION_ITEM;
}

static guint
sl_conversation_model_get_n_items (GListModel *list)
{
  SlConversationModel *self = SL_CONVERSATION_MODEL (list);

  return self->emptied ? 0 : self->order->len;
}

static gboolean
is_item (gpointer key,
         gpointer value,
         gpointer user_data)
{
  return value == user_data;
}

/* An item was finalized: forget it (a handful are alive, so a scan is cheap) */
static void
on_item_gone (gpointer  data,
              GObject  *where_the_object_was)
{
  SlConversationModel *self = data;

  g_hash_table_foreach_remove (self->live, is_item, where_the_object_was);
}

static gpointer
sl_conversation_model_get_item (GListModel *list,
                                guint       position)
{
  SlConversationModel *self = SL_CONVERSATION_MODEL (list);
  SlConversationItem *item;
  guint32 id;

  if (position >= sl_conversation_model_get_n_items (list))
    return NULL;
  id = g_array_index (self->order, guint32, position);
  item = g_hash_table_lookup (self->live, GUINT_TO_POINTER (id));
  if (item != NULL)
    return g_object_ref (item);

  item = sl_conversation_item_new (self->recording, id, self->chosen->data[id]);
  g_hash_table_insert (self->live, GUINT_TO_POINTER (id), item);
  g_object_weak_ref (G_OBJECT (item), on_item_gone, self);
  return item;
}

static void
sl_conversation_model_list_init (GListModelInterface *iface)
{
  iface->get_item_type = sl_conversation_model_get_item_type;
  iface->get_n_items = sl_conversation_model_get_n_items;
  iface->get_item = sl_conversation_model_get_item;
}

/* ---- sorting ------------------------------------------------------------- */

static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  SlConversationModel *self = user_data;
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  GtkOrdering order;

  sl_conversation_item_retarget (self->probe[0], x);
  sl_conversation_item_retarget (self->probe[1], y);
  order = gtk_sorter_compare (self->sorter, self->probe[0], self->probe[1]);
  if (order != GTK_ORDERING_EQUAL)
    return order;
  return x < y ? -1 : x > y;  /* ties: the first seen first, so a sort is stable */
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return x < y ? -1 : x > y;
}

/* Without a sorter (or one that sorts nothing), rows in the order first seen */
static void
sort_rows (SlConversationModel *self)
{
  if (self->order->len < 2)
    return;
  if (self->sorter == NULL || gtk_sorter_get_order (self->sorter) == GTK_SORTER_ORDER_NONE)
    {
      g_array_sort (self->order, compare_ids);
      return;
    }
  if (self->probe[0] == NULL)
    for (guint i = 0; i < 2; i++)
      self->probe[i] = sl_conversation_item_new (self->recording, 0, FALSE);
  g_array_sort_with_data (self->order, compare_rows, self);
}

/* A new order is a new list: every row goes, then every row comes, so a
 * view starts again at its top (GTK 4.8 has no scroll_to) and follows no
 * row to where the sort moved it. Said as one change, the view kept its
 * rows and then had to be handed the model again to start at the top:
 * the rows on screen and the 200 around them were built twice. */
static void
on_sorter_changed (SlConversationModel *self)
{
  guint n = self->order->len;

  sort_rows (self);
  self->emptied = TRUE;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
  self->emptied = FALSE;
  g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, n);
}

/* ---- GObject ------------------------------------------------------------- */

static void
forget_live_item (gpointer key,
                  gpointer value,
                  gpointer user_data)
{
  g_object_weak_unref (value, on_item_gone, user_data);
}

static void
sl_conversation_model_dispose (GObject *object)
{
  SlConversationModel *self = SL_CONVERSATION_MODEL (object);

  /* items may outlive the model (a row still holds one) */
  g_hash_table_foreach (self->live, forget_live_item, self);
  g_hash_table_remove_all (self->live);
  if (self->sorter != NULL)
    g_clear_signal_handler (&self->sorter_changed, self->sorter);
  g_clear_object (&self->sorter);
  g_clear_object (&self->probe[0]);
  g_clear_object (&self->probe[1]);

  G_OBJECT_CLASS (sl_conversation_model_parent_class)->dispose (object);
}

static void
sl_conversation_model_finalize (GObject *object)
{
  SlConversationModel *self = SL_CONVERSATION_MODEL (object);

  g_clear_object (&self->recording);
  g_clear_pointer (&self->order, g_array_unref);
  g_clear_pointer (&self->chosen, g_byte_array_unref);
  g_clear_pointer (&self->live, g_hash_table_unref);

  G_OBJECT_CLASS (sl_conversation_model_parent_class)->finalize (object);
}

static void
sl_conversation_model_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  SlConversationModel *self = SL_CONVERSATION_MODEL (object);

  switch (prop_id)
    {
    case PROP_RECORDING:
      g_value_set_object (value, self->recording);
      break;
    case PROP_SORTER:
      g_value_set_object (value, self->sorter);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sl_conversation_model_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  SlConversationModel *self = SL_CONVERSATION_MODEL (object);

  switch (prop_id)
    {
    case PROP_RECORDING:
      self->recording = g_value_dup_object (value);
      break;
    case PROP_SORTER:
      sl_conversation_model_set_sorter (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sl_conversation_model_constructed (GObject *object)
{
  SlConversationModel *self = SL_CONVERSATION_MODEL (object);

  G_OBJECT_CLASS (sl_conversation_model_parent_class)->constructed (object);

  g_assert (self->recording != NULL);
  sl_conversation_model_update (self);
}

static void
sl_conversation_model_class_init (SlConversationModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = sl_conversation_model_constructed;
  object_class->dispose = sl_conversation_model_dispose;
  object_class->finalize = sl_conversation_model_finalize;
  object_class->get_property = sl_conversation_model_get_property;
  object_class->set_property = sl_conversation_model_set_property;

  properties[PROP_RECORDING] =
    g_param_spec_object ("recording", NULL, NULL, CAP_TYPE_RECORDING,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SORTER] =
    g_param_spec_object ("sorter", NULL, NULL, GTK_TYPE_SORTER,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SlConversationModel::chosen-changed:
   *
   * The set of chosen conversations changed.
   */
  signals[SIGNAL_CHOSEN_CHANGED] =
    g_signal_new ("chosen-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sl_conversation_model_init (SlConversationModel *self)
{
  self->order = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->chosen = g_byte_array_new ();
  self->live = g_hash_table_new (NULL, NULL);
}

/* ---- public API ---------------------------------------------------------- */

SlConversationModel *
sl_conversation_model_new (CapRecording *recording)
{
  g_return_val_if_fail (CAP_IS_RECORDING (recording), NULL);

  return g_object_new (SL_TYPE_CONVERSATION_MODEL, "recording", recording, NULL);
}

CapRecording *
sl_conversation_model_get_recording (SlConversationModel *self)
{
  g_return_val_if_fail (SL_IS_CONVERSATION_MODEL (self), NULL);
  return self->recording;
}

GtkSorter *
sl_conversation_model_get_sorter (SlConversationModel *self)
{
  g_return_val_if_fail (SL_IS_CONVERSATION_MODEL (self), NULL);
  return self->sorter;
}

/**
 * sl_conversation_model_set_sorter:
 * @sorter: (nullable): compares SlConversationItems; the column view's
 *
 * Keeps the rows in @sorter's order, re-sorting whenever it changes.
 */
void
sl_conversation_model_set_sorter (SlConversationModel *self,
                                  GtkSorter           *sorter)
{
  g_return_if_fail (SL_IS_CONVERSATION_MODEL (self));
  g_return_if_fail (sorter == NULL || GTK_IS_SORTER (sorter));

  if (self->sorter == sorter)
    return;
  if (self->sorter != NULL)
    g_clear_signal_handler (&self->sorter_changed, self->sorter);
  g_set_object (&self->sorter, sorter);
  if (sorter != NULL)
    self->sorter_changed = g_signal_connect_swapped (sorter, "changed",
                                                     G_CALLBACK (on_sorter_changed), self);
  on_sorter_changed (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORTER]);
}

guint32
sl_conversation_model_get_id (SlConversationModel *self,
                              guint                position)
{
  g_return_val_if_fail (SL_IS_CONVERSATION_MODEL (self), CAP_NONE);

  if (position >= self->order->len)
    return CAP_NONE;
  return g_array_index (self->order, guint32, position);
}

void
sl_conversation_model_update (SlConversationModel *self)
{
  guint old_n, n;

  g_return_if_fail (SL_IS_CONVERSATION_MODEL (self));

  old_n = self->order->len;
  n = cap_recording_get_n_conversations (self->recording);
  if (n <= old_n)
    return;
  for (guint32 id = old_n; id < n; id++)
    g_array_append_val (self->order, id);
  g_byte_array_set_size (self->chosen, n);
  memset (self->chosen->data + old_n, 0, n - old_n);
  sort_rows (self);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, n);
}

gboolean
sl_conversation_model_get_chosen (SlConversationModel *self,
                                  guint32              id)
{
  g_return_val_if_fail (SL_IS_CONVERSATION_MODEL (self), FALSE);

  return id < self->chosen->len && self->chosen->data[id];
}

/* Returns whether it changed; the live item, if any, follows. */
static gboolean
mark_chosen (SlConversationModel *self,
             guint32              id,
             gboolean             chosen)
{
  SlConversationItem *item;

  chosen = !!chosen;
  if (id >= self->chosen->len || self->chosen->data[id] == chosen)
    return FALSE;
  self->chosen->data[id] = chosen;
  self->n_chosen += chosen ? 1 : -1;
  item = g_hash_table_lookup (self->live, GUINT_TO_POINTER (id));
  if (item != NULL)
    sl_conversation_item_set_chosen (item, chosen);
  return TRUE;
}

void
sl_conversation_model_set_chosen (SlConversationModel *self,
                                  guint32              id,
                                  gboolean             chosen)
{
  g_return_if_fail (SL_IS_CONVERSATION_MODEL (self));

  if (mark_chosen (self, id, chosen))
    g_signal_emit (self, signals[SIGNAL_CHOSEN_CHANGED], 0);
}

/**
 * sl_conversation_model_set_chosen_ids:
 *
 * Makes exactly @ids chosen (ids the recording lacks are ignored).
 */
void
sl_conversation_model_set_chosen_ids (SlConversationModel *self,
                                      const guint32       *ids,
                                      guint                n_ids)
{
  g_autoptr(GByteArray) want = NULL;
  gboolean changed = FALSE;

  g_return_if_fail (SL_IS_CONVERSATION_MODEL (self));
  g_return_if_fail (ids != NULL || n_ids == 0);

  want = g_byte_array_sized_new (self->chosen->len);
  g_byte_array_set_size (want, self->chosen->len);
  if (want->len > 0)  /* an empty array has no data: memset (NULL, ...) is undefined */
    memset (want->data, 0, want->len);
  for (guint i = 0; i < n_ids; i++)
    if (ids[i] < want->len)
      want->data[ids[i]] = TRUE;
  for (guint32 id = 0; id < want->len; id++)
    changed |= mark_chosen (self, id, want->data[id]);
  if (changed)
    g_signal_emit (self, signals[SIGNAL_CHOSEN_CHANGED], 0);
}

guint
sl_conversation_model_get_n_chosen (SlConversationModel *self)
{
  g_return_val_if_fail (SL_IS_CONVERSATION_MODEL (self), 0);
  return self->n_chosen;
}

/**
 * sl_conversation_model_dup_chosen_ids:
 *
 * Returns: (transfer full): the chosen conversation ids (guint32), in id order
 */
GArray *
sl_conversation_model_dup_chosen_ids (SlConversationModel *self)
{
  GArray *ids;

  g_return_val_if_fail (SL_IS_CONVERSATION_MODEL (self), NULL);

  ids = g_array_sized_new (FALSE, FALSE, sizeof (guint32), self->n_chosen);
  for (guint32 id = 0; id < self->chosen->len; id++)
    if (self->chosen->data[id])
      g_array_append_val (ids, id);
  return ids;
}

guint
sl_conversation_model_get_n_live_items (SlConversationModel *self)
{
  g_return_val_if_fail (SL_IS_CONVERSATION_MODEL (self), 0);
  return g_hash_table_size (self->live);
}
