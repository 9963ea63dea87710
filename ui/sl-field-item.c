/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-field-item.c: one field of a dissected packet, a row of the field tree. */

#include "config.h"

#include "sl-field-item.h"

#include <gio/gio.h>

struct _SlFieldItem
{
  GObject     parent_instance;

  guint       index;
  const char *name;     /* static in the dissector */
  char       *display;
  guint8      flags;
  guint16     depth;
  guint8      layer;
  gboolean    has_children;
};

G_DEFINE_FINAL_TYPE (SlFieldItem, sl_field_item, G_TYPE_OBJECT)

static void
sl_field_item_finalize (GObject *object)
{
  g_free (SL_FIELD_ITEM (object)->display);
  G_OBJECT_CLASS (sl_field_item_parent_class)->finalize (object);
}

static void
sl_field_item_class_init (SlFieldItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sl_field_item_finalize;
}

static void
sl_field_item_init (SlFieldItem *self)
{
}

SlFieldItem *
sl_field_item_new (const CapFieldTree *tree,
                   guint               index)
{
  const CapField *field = cap_field_tree_get_field (tree, index);
  guint n = cap_field_tree_get_n_fields (tree);
  SlFieldItem *self = g_object_new (SL_TYPE_FIELD_ITEM, NULL);

  self->index = index;
  self->name = field->name;
  self->display = g_strdup (field->display ? field->display : field->name);
  self->flags = field->flags;
  self->depth = field->depth;
  self->layer = field->layer;
  /* A field's children follow it directly */
  self->has_children = index + 1 < n &&
                       cap_field_tree_get_field (tree, index + 1)->parent == (gint32) index;
  return self;
}

GListModel *
sl_field_item_list_children (const CapFieldTree *tree,
                             gint32              parent)
{
  GListStore *store = g_list_store_new (SL_TYPE_FIELD_ITEM);
  guint n = cap_field_tree_get_n_fields (tree);

  for (guint i = parent < 0 ? 0 : (guint) parent + 1; i < n; i++)
    {
      const CapField *field = cap_field_tree_get_field (tree, i);

      if (field->parent == parent)
        {
          g_autoptr(SlFieldItem) item = sl_field_item_new (tree, i);
          g_list_store_append (store, item);
        }
      else if (parent >= 0 && field->depth <= cap_field_tree_get_field (tree, parent)->depth)
        break;  /* past the parent's subtree */
    }
  return G_LIST_MODEL (store);
}

guint
sl_field_item_get_index (SlFieldItem *self)
{
  g_return_val_if_fail (SL_IS_FIELD_ITEM (self), 0);
  return self->index;
}

const char *
sl_field_item_get_name (SlFieldItem *self)
{
  g_return_val_if_fail (SL_IS_FIELD_ITEM (self), NULL);
  return self->name;
}

const char *
sl_field_item_get_display (SlFieldItem *self)
{
  g_return_val_if_fail (SL_IS_FIELD_ITEM (self), NULL);
  return self->display;
}

guint8
sl_field_item_get_flags (SlFieldItem *self)
{
  g_return_val_if_fail (SL_IS_FIELD_ITEM (self), 0);
  return self->flags;
}

guint
sl_field_item_get_depth (SlFieldItem *self)
{
  g_return_val_if_fail (SL_IS_FIELD_ITEM (self), 0);
  return self->depth;
}

CapLayer
sl_field_item_get_layer (SlFieldItem *self)
{
  g_return_val_if_fail (SL_IS_FIELD_ITEM (self), 0);
  return (CapLayer) self->layer;
}

gboolean
sl_field_item_has_children (SlFieldItem *self)
{
  g_return_val_if_fail (SL_IS_FIELD_ITEM (self), FALSE);
  return self->has_children;
}
