/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-field-item.h: one field of a dissected packet, as a row of the packet
 * inspector's tree (a GtkTreeListModel asks for a field's children when its
 * row is expanded). It copies what the row shows, so it outlives the tree.
 */
#pragma once

#include <gio/gio.h>

#include "cap-dissect.h"

G_BEGIN_DECLS

#define SL_TYPE_FIELD_ITEM (sl_field_item_get_type ())
G_DECLARE_FINAL_TYPE (SlFieldItem, sl_field_item, SL, FIELD_ITEM, GObject)

SlFieldItem *sl_field_item_new          (const CapFieldTree *tree,
                                         guint               index);
/* Its index in the tree it came from */
guint        sl_field_item_get_index    (SlFieldItem        *self);
const char  *sl_field_item_get_name     (SlFieldItem        *self);
const char  *sl_field_item_get_display  (SlFieldItem        *self);
guint8       sl_field_item_get_flags    (SlFieldItem        *self);
guint        sl_field_item_get_depth    (SlFieldItem        *self);
CapLayer     sl_field_item_get_layer    (SlFieldItem        *self);
gboolean     sl_field_item_has_children (SlFieldItem        *self);
/* The items of @index's children in @tree (a layer's fields, a field's bits) */
GListModel  *sl_field_item_list_children (const CapFieldTree *tree,
                                          gint32              parent);

G_END_DECLS
