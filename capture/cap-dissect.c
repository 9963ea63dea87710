/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-dissect.c: the packet dissector, a frame at a time.
 *
 * One implementation serves both callers: every layer reads its bytes through
 * the bounds-checked CapCursor accessors and writes what it learns into a
 * CapSummary; when a tree sink is present (the inspector) it also records
 * each field with its byte range. On the bulk-loading path the sink is NULL,
 * so nothing is allocated or formatted. The layers live one per file
 * (cap-dissect-private.h lists them); here are the frame and the field
 * readers they share. */

#include "config.h"

#include "cap-dissect-private.h"

/* ---- reading fields ----------------------------------------------------- */

void
cap_dissect_format_mac (const guint8 *mac,
                        guint         n,
                        char         *buf,
                        gsize         size)
{
  gsize pos = 0;

  buf[0] = '\0';
  for (guint i = 0; i < n && pos + 3 < size; i++)
    pos += g_snprintf (buf + pos, size - pos, i ? ":%02x" : "%02x", mac[i]);
}

gboolean
cap_dissect_field_mac (CapDissect *d,
                       CapCursor  *c,
                       const char *name,
                       guint8     *mac)
{
  guint32 offset = c->pos;
  char buf[24];

  if (!cap_get_bytes (c, mac, 6))
    return cap_dissect_fail (d, c, name, 6);
  if (TREE (d))
    {
      cap_dissect_format_mac (mac, 6, buf, sizeof buf);
      add_text (d, name, offset, 6, "%s", buf);
    }
  return TRUE;
}

void
cap_dissect_format_addr (guint8        family,
                         const guint8 *addr,
                         char         *buf,
                         gsize         size)
{
  if (inet_ntop (family == 6 ? AF_INET6 : AF_INET, addr, buf, size) == NULL)
    g_strlcpy (buf, "?", size);
}

/* Addresses are bytes, but an IPv4 address is also the classic htonl()
 * example, so it carries its host value too. */
gboolean
cap_dissect_field_addr (CapDissect *d,
                        CapCursor  *c,
                        const char *name,
                        guint8      family,
                        guint8     *addr)
{
  guint32 offset = c->pos;
  guint32 n = family == 6 ? 16 : 4;
  char buf[INET6_ADDRSTRLEN];

  if (!cap_get_bytes (c, addr, n))
    return cap_dissect_fail (d, c, name, n);
  if (TREE (d))
    {
      cap_dissect_format_addr (family, addr, buf, sizeof buf);
      if (family == 4)
        add_uint (d, name, offset, 4,
                  ((guint32) addr[0] << 24) | (addr[1] << 16) | (addr[2] << 8) | addr[3],
                  "%s", buf);
      else
        add_text (d, name, offset, 16, "%s", buf);
    }
  return TRUE;
}

/* Payload bytes: not parsed, only counted and (for the tree) previewed. */
void
cap_dissect_data (CapDissect *d,
                  CapCursor  *c,
                  const char *name,
                  guint32     reported_len)
{
  guint32 offset = c->pos;
  guint32 captured = MIN (reported_len, cap_cursor_captured_left (c));
  char preview[CAP_TEXT_PREVIEW_MAX + 1];
  gboolean printable = TRUE;
  guint32 n;
  gint index;

  if (reported_len == 0 || !TREE (d))
    return;

  index = layer_begin (d, CAP_LAYER_PAYLOAD, name, offset);
  n = MIN (captured, CAP_TEXT_PREVIEW_MAX);
  for (guint32 i = 0; i < n; i++)
    {
      guint8 b;

      if (!cap_get_u8 (c, &b))
        break;
      preview[i] = (char) b;
      if (!g_ascii_isprint (b) && b != '\n' && b != '\r' && b != '\t')
        printable = FALSE;
    }
  preview[n] = '\0';
  if (n > 0 && printable)
    {
      g_autofree char *escaped = g_strescape (preview, NULL);

      add_text (d, "Text", offset, n, "\"%s\"%s", escaped, captured > n ? "..." : "");
    }
  layer_end (d, index, offset + captured, "%s (%u byte%s)", name, reported_len,
             reported_len == 1 ? "" : "s");
}

static void
dissect_frame (CapDissect   *d,
               guint32       linktype,
               const guint8 *data,
               guint32       caplen,
               guint32       len)
{
  CapSummary *s = d->sum;
  CapCursor c;
  guint32 net_end;

  memset (s, 0, sizeof *s);
  s->wscale = -1;
  s->linktype = linktype;
  cap_cursor_init (&c, data, caplen, len);

  if (!cap_dissect_link (d, &c, linktype))
    {
      s->flags |= CAP_SUMMARY_UNSUPPORTED_LINK;
      d->depth = 0;
      d->layer = CAP_LAYER_LINK;
      if (TREE (d))
        cap_dissect_tree_push (d, "Unsupported link type",
                               g_strdup_printf ("Unsupported link type %u (%u bytes)",
                                                linktype, len),
                               0, MIN (caplen, len), linktype, FALSE, CAP_FIELD_PROTOCOL);
    }

  d->depth = 0;
  /* bytes after the IP datagram: Ethernet padding or a trailer */
  net_end = s->network_offset + s->ip_len;
  if (TREE (d) && s->ip_len > 0 && net_end < MAX (len, caplen) && net_end <= caplen)
    {
      d->layer = CAP_LAYER_LINK;
      cap_dissect_tree_push (d, "Trailer",
                             g_strdup_printf ("Trailer (%u bytes)", MAX (len, caplen) - net_end),
                             net_end, caplen - net_end, 0, FALSE, 0);
    }
  if (caplen > len && len != 0)
    {
      d->layer = CAP_LAYER_LINK;
      cap_dissect_malformed (d, len, "captured length %u is more than the packet length %u", caplen, len);
    }
  if (caplen < len)
    {
      d->layer = CAP_LAYER_LINK;
      cap_dissect_note_error (d, CAP_SUMMARY_TRUNCATED, caplen,
                              TREE (d) ? g_strdup_printf ("[Truncated: %u of %u bytes captured]", caplen, len)
                           : NULL);
    }
}

/**
 * cap_dissect_summary:
 * @linktype: LINKTYPE_ of the frame
 * @data: the captured bytes (@caplen of them)
 * @caplen: bytes captured
 * @len: bytes the frame had on the wire
 * @out: (out caller-allocates): the summary
 *
 * The bulk-loading path: no allocation, no formatting. Never reads past
 * @caplen.
 *
 * Returns: %TRUE if an IP header was found (out->family is 4 or 6)
 */
gboolean
cap_dissect_summary (guint32       linktype,
                     const guint8 *data,
                     guint32       caplen,
                     guint32       len,
                     CapSummary   *out)
{
  CapDissect d = { 0 };

  g_return_val_if_fail (out != NULL, FALSE);

  d.sum = out;
  dissect_frame (&d, linktype, data, caplen, len);
  return out->family != 0;
}


/* ---- field tree ------------------------------------------------------------- */

CapFieldTree *
cap_dissect_tree_full (guint32                  linktype,
                       const guint8            *data,
                       guint32                  caplen,
                       guint32                  len,
                       const CapDissectOptions *options)
{
  CapFieldTree *tree = g_new0 (CapFieldTree, 1);
  CapDissect d = { 0 };

  tree->fields = g_array_sized_new (FALSE, TRUE, sizeof (CapField), 64);
  g_array_set_clear_func (tree->fields, cap_field_clear);
  d.sum = &tree->summary;
  d.fields = tree->fields;
  d.options = options;
  for (guint i = 0; i < CAP_TREE_MAX_DEPTH; i++)
    d.last_at_depth[i] = -1;
  dissect_frame (&d, linktype, data, caplen, len);
  return tree;
}

/**
 * cap_dissect_tree:
 *
 * The inspector's path: the same dissection as cap_dissect_summary(), with
 * every field recorded in a flat, depth-first array.
 *
 * Returns: (transfer full): the tree, never %NULL
 */
CapFieldTree *
cap_dissect_tree (guint32       linktype,
                  const guint8 *data,
                  guint32       caplen,
                  guint32       len)
{
  return cap_dissect_tree_full (linktype, data, caplen, len, NULL);
}
