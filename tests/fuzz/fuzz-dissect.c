/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-dissect.c: libFuzzer target for the packet dissector.
 *
 * Input: one selector byte, then the frame. The selector's low nibble picks
 * the link type (an index into cap_linktypes_supported ()); its high nibble
 * makes the reported length longer than the captured bytes, so the
 * snapshot-length paths are fuzzed too. Seeds: tests/fixtures/dissect/corpus
 * (written by test-capture-dissect with SOCKLENS_UPDATE_GOLDEN=1). */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "cap-dissect.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* The invariants both paths promise, checked on every input. */
static void
check_tree (const CapFieldTree *tree,
            const CapSummary   *fast,
            guint32             caplen)
{
  guint n = cap_field_tree_get_n_fields (tree);

  /* one dissector: the tree pass computes the same summary */
  if (memcmp (fast, cap_field_tree_get_summary (tree), sizeof *fast) != 0)
    abort ();

  for (guint i = 0; i < n; i++)
    {
      const CapField *f = cap_field_tree_get_field (tree, i);

      if ((guint64) f->offset + f->length > caplen)
        abort ();  /* the hex view would highlight bytes we do not have */
      if (f->name == NULL || f->display == NULL)
        abort ();
      if (f->depth == 0 ? f->parent != -1
                        : (f->parent < 0 || (guint) f->parent >= i
                           || cap_field_tree_get_field (tree, f->parent)->depth + 1 != f->depth))
        abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  const guint32 *types;
  guint n_types;
  guint32 linktype, caplen, len;
  guint8 *frame;
  CapSummary fast;
  GString *text;
  CapFieldTree *tree;

  if (size < 1 || size > 1 << 20)
    return 0;
  types = cap_linktypes_supported (&n_types);
  linktype = types[(data[0] & 0x0f) % n_types];
  caplen = size - 1;
  len = caplen + (data[0] >> 4) * 97u;

  /* an exact-size copy, so ASan sees a read one byte past caplen */
  frame = g_memdup2 (data + 1, caplen);

  cap_dissect_summary (linktype, frame, caplen, len, &fast);
  if (caplen < len && !(fast.flags & CAP_SUMMARY_TRUNCATED))
    abort ();

  tree = cap_dissect_tree (linktype, frame, caplen, len);
  check_tree (tree, &fast, caplen);
  g_free (cap_field_tree_to_string (tree));
  cap_field_tree_free (tree);

  text = g_string_new (NULL);
  cap_summary_format_label (&fast, text);
  cap_summary_format_line (&fast, TRUE, 1, 2, text);
  g_string_free (text, TRUE);

  g_free (frame);
  return 0;
}
