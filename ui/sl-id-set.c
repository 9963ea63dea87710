/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-id-set.c: the set of conversations a capture's timeline draws is held
 * by the session and by the painter; both keep it the same way, so that the
 * same set in another order, or with repeats, is no change.
 */

#include "config.h"

#include "sl-id-set.h"

#include <string.h>

static int
compare_guint32 (gconstpointer a,
                 gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

static gboolean
same_set (GArray *a,
          GArray *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return a->len == b->len && memcmp (a->data, b->data, a->len * sizeof (guint32)) == 0;
}

/**
 * sl_id_set_replace:
 * @set: (inout) (nullable): the stored set, %NULL for "no set"
 * @ids: (array length=n_ids) (nullable): the new ids, any order, repeats
 *   allowed; %NULL for "no set" (an empty non-%NULL list is an empty set)
 *
 * Returns: %TRUE if *@set changed.
 */
gboolean
sl_id_set_replace (GArray        **set,
                   const guint32  *ids,
                   guint           n_ids)
{
  g_autoptr(GArray) fresh = NULL;

  g_return_val_if_fail (set != NULL, FALSE);
  g_return_val_if_fail (ids != NULL || n_ids == 0, FALSE);

  if (ids != NULL)
    {
      guint n = 0;

      fresh = g_array_sized_new (FALSE, FALSE, sizeof (guint32), n_ids);
      g_array_append_vals (fresh, ids, n_ids);
      g_array_sort (fresh, compare_guint32);
      for (guint i = 0; i < fresh->len; i++)
        if (n == 0 || g_array_index (fresh, guint32, i) != g_array_index (fresh, guint32, n - 1))
          g_array_index (fresh, guint32, n++) = g_array_index (fresh, guint32, i);
      g_array_set_size (fresh, n);
    }

  if (same_set (fresh, *set))
    return FALSE;
  g_clear_pointer (set, g_array_unref);
  *set = g_steal_pointer (&fresh);
  return TRUE;
}
