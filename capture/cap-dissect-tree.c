/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-dissect-tree.c: the field tree the inspector shows, built as the
 * layers read their fields (nothing of it exists on the fast path), the
 * errors found on the way, and the tree's public API. */

#include "config.h"

#include "cap-dissect-private.h"

#include <stdarg.h>

/* ---- tree sink ---------------------------------------------------------- */

void
cap_field_clear (gpointer p)
{
  CapField *f = p;

  g_clear_pointer (&f->display, g_free);
}

/* Appends one node; takes @display. Error and generated nodes are leaves,
 * so they never become the parent of what follows. */
gint
cap_dissect_tree_push (CapDissect *d,
                       const char *name,
                       char       *display,
                       guint32     offset,
                       guint32     length,
                       guint64     value,
                       gboolean    is_integer,
                       guint8      flags)
{
  CapField f = { 0 };
  guint depth = MIN (d->depth, CAP_TREE_MAX_DEPTH - 1);
  gint index;

  f.name = name;
  f.display = display;
  f.value = value;
  f.offset = offset;
  f.length = length;
  f.depth = depth;
  f.parent = depth > 0 ? d->last_at_depth[depth - 1] : -1;
  f.layer = d->layer;
  f.is_integer = is_integer;
  /* the htons lesson: multi-byte integers on the wire are big-endian */
  f.is_network_order = is_integer && length > 1;
  f.flags = flags;
  g_array_append_val (d->fields, f);
  index = d->fields->len - 1;
  if ((flags & (CAP_FIELD_TRUNCATED | CAP_FIELD_MALFORMED | CAP_FIELD_GENERATED)) == 0)
    d->last_at_depth[depth] = index;
  return index;
}

G_GNUC_PRINTF (6, 7)
gint
cap_dissect_add_uint (CapDissect *d,
                      const char *name,
                      guint32     offset,
                      guint32     length,
                      guint64     value,
                      const char *format,
                      ...)
{
  va_list ap;
  g_autofree char *text = NULL;

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  return cap_dissect_tree_push (d, name, g_strdup_printf ("%s: %s", name, text), offset, length, value, TRUE, 0);
}

G_GNUC_PRINTF (5, 6)
gint
cap_dissect_add_text (CapDissect *d,
                      const char *name,
                      guint32     offset,
                      guint32     length,
                      const char *format,
                      ...)
{
  va_list ap;
  g_autofree char *text = NULL;

  va_start (ap, format);
  text = g_strdup_vprintf (format, ap);
  va_end (ap);
  return cap_dissect_tree_push (d, name, g_strdup_printf ("%s: %s", name, text), offset, length, 0, FALSE, 0);
}

/* Closes a node opened by node_begin () or layer_begin (): its length, and
 * its text once the children are known. */
G_GNUC_PRINTF (4, 5)
void
cap_dissect_node_end (CapDissect *d,
                      gint        index,
                      guint32     end,
                      const char *format,
                      ...)
{
  CapField *f;
  va_list ap;

  d->depth--;
  if (!TREE (d) || index < 0)
    return;
  f = tree_get (d, index);
  f->length = end > f->offset ? end - f->offset : 0;
  if (format != NULL)
    {
      g_free (f->display);
      va_start (ap, format);
      f->display = g_strdup_vprintf (format, ap);
      va_end (ap);
    }
}

/* ---- errors ------------------------------------------------------------- */

void
cap_dissect_note_error (CapDissect *d,
                        guint32     flag,
                        guint32     offset,
                        char       *message)
{
  d->sum->flags |= flag;
  /* inside a quote, the outer packet's own checks speak for the frame */
  if (TREE (d) && !d->quoted && !d->error_node)
    {
      cap_dissect_tree_push (d, flag == CAP_SUMMARY_TRUNCATED ? "[Truncated]" : "[Malformed]",
                             message, offset, 0, 0, FALSE,
                             flag == CAP_SUMMARY_TRUNCATED ? CAP_FIELD_TRUNCATED : CAP_FIELD_MALFORMED);
      d->error_node = TRUE;
      return;
    }
  g_free (message);
}

/* A cursor read failed: say what was being read and why it is missing. */
gboolean
cap_dissect_fail (CapDissect *d,
                  CapCursor  *c,
                  const char *what,
                  guint32     need)
{
  char *message = NULL;

  if (c->error == CAP_CURSOR_MALFORMED)
    {
      if (TREE (d))
        message = g_strdup_printf ("[Malformed: %s needs %u bytes at offset %u, "
                                   "but the packet ends at %u]",
                                   what, need, c->pos, c->reported_end);
      cap_dissect_note_error (d, CAP_SUMMARY_MALFORMED, c->pos, message);
    }
  else
    {
      if (TREE (d))
        message = g_strdup_printf ("[Truncated: %s needs %u bytes at offset %u, "
                                   "but the capture ends at %u]",
                                   what, need, c->pos, c->captured_end);
      cap_dissect_note_error (d, CAP_SUMMARY_TRUNCATED, c->pos, message);
    }
  return FALSE;
}

G_GNUC_PRINTF (3, 4)
void
cap_dissect_malformed (CapDissect *d,
                       guint32     offset,
                       const char *format,
                       ...)
{
  char *message = NULL;
  va_list ap;

  if (TREE (d))
    {
      g_autofree char *text = NULL;

      va_start (ap, format);
      text = g_strdup_vprintf (format, ap);
      va_end (ap);
      message = g_strdup_printf ("[Malformed: %s]", text);
    }
  cap_dissect_note_error (d, CAP_SUMMARY_MALFORMED, offset, message);
}

/* ---- the tree's public API ------------------------------------------------- */

guint
cap_field_tree_get_n_fields (const CapFieldTree *tree)
{
  g_return_val_if_fail (tree != NULL, 0);
  return tree->fields->len;
}

const CapField *
cap_field_tree_get_field (const CapFieldTree *tree,
                          guint               index)
{
  g_return_val_if_fail (tree != NULL, NULL);
  g_return_val_if_fail (index < tree->fields->len, NULL);
  return &g_array_index (tree->fields, CapField, index);
}

const CapSummary *
cap_field_tree_get_summary (const CapFieldTree *tree)
{
  g_return_val_if_fail (tree != NULL, NULL);
  return &tree->summary;
}

/* First field named @name in @layer, or -1. */
gint
cap_field_tree_find (const CapFieldTree *tree,
                     CapLayer            layer,
                     const char         *name)
{
  g_return_val_if_fail (tree != NULL, -1);
  g_return_val_if_fail (name != NULL, -1);

  for (guint i = 0; i < tree->fields->len; i++)
    {
      const CapField *f = &g_array_index (tree->fields, CapField, i);

      if (f->layer == layer && g_str_equal (f->name, name))
        return i;
    }
  return -1;
}

/* Indented text with byte ranges: golden files and debugging. */
char *
cap_field_tree_to_string (const CapFieldTree *tree)
{
  GString *out;

  g_return_val_if_fail (tree != NULL, NULL);

  out = g_string_new (NULL);
  for (guint i = 0; i < tree->fields->len; i++)
    {
      const CapField *f = &g_array_index (tree->fields, CapField, i);

      for (guint j = 0; j < f->depth; j++)
        g_string_append (out, "  ");
      g_string_append_printf (out, "%s  [%u+%u]\n", f->display, f->offset, f->length);
    }
  return g_string_free (out, FALSE);
}

void
cap_field_tree_free (CapFieldTree *tree)
{
  if (tree == NULL)
    return;
  g_array_unref (tree->fields);
  g_free (tree);
}

