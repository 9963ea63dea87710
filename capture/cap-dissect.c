/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-dissect.c: the packet dissector.
 *
 * One implementation serves both callers: every layer reads its bytes through
 * the bounds-checked CapCursor accessors and writes what it learns into a
 * CapSummary; when a tree sink is present (the inspector) it also records
 * each field with its byte range. On the bulk-loading path the sink is NULL,
 * so nothing is allocated or formatted. */

#include "config.h"

#include "cap-dissect.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CAP_TREE_MAX_DEPTH   16
#define CAP_MAX_VLAN_TAGS    8   /* QinQ uses two; more is an attack or noise */
#define CAP_MAX_IPV6_EXT     16  /* extension headers followed before giving up */
#define CAP_TEXT_PREVIEW_MAX 64

struct _CapFieldTree
{
  GArray    *fields;  /* CapField */
  CapSummary summary;
};

typedef struct
{
  CapSummary              *sum;
  GArray                  *fields;   /* NULL on the fast path */
  const CapDissectOptions *options;
  guint16                  base;     /* depth of the current layer node */
  guint16                  depth;    /* depth of the fields being added */
  guint8                   layer;
  guint8                   quoted;   /* > 0 inside an ICMP error's quote */
  gboolean                 error_node;
  gint32                   last_at_depth[CAP_TREE_MAX_DEPTH];
} CapDissect;

#define TREE(d) G_UNLIKELY ((d)->fields != NULL)

static void dissect_ip_any (CapDissect *d, CapCursor *c, guint8 version);

/* ---- tree sink ---------------------------------------------------------- */

static void
cap_field_clear (gpointer p)
{
  CapField *f = p;

  g_clear_pointer (&f->display, g_free);
}

/* Appends one node; takes @display. Error and generated nodes are leaves,
 * so they never become the parent of what follows. */
static gint
tree_push (CapDissect *d,
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

static CapField *
tree_get (CapDissect *d,
          gint        index)
{
  return &g_array_index (d->fields, CapField, index);
}

G_GNUC_PRINTF (6, 7) static gint
add_uint_real (CapDissect *d,
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
  return tree_push (d, name, g_strdup_printf ("%s: %s", name, text), offset, length, value, TRUE, 0);
}

G_GNUC_PRINTF (5, 6) static gint
add_text_real (CapDissect *d,
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
  return tree_push (d, name, g_strdup_printf ("%s: %s", name, text), offset, length, 0, FALSE, 0);
}

/* Macros so that on the fast path the arguments (names, formatted values)
 * are not even evaluated: this runs for every field of every packet. */
#define add_uint(d, ...) (TREE (d) ? add_uint_real ((d), __VA_ARGS__) : -1)
#define add_text(d, ...) (TREE (d) ? add_text_real ((d), __VA_ARGS__) : -1)

/* A parent node whose length and text are known only once its children
 * are read: node_begin, children one level deeper, node_end. */
static gint
node_begin (CapDissect *d,
            const char *name,
            guint32     offset)
{
  gint index = -1;

  if (TREE (d))
    index = tree_push (d, name, g_strdup (name), offset, 0, 0, FALSE, 0);
  d->depth++;
  return index;
}

G_GNUC_PRINTF (4, 5) static void
node_end (CapDissect *d,
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

/* Layers are parent nodes at the base depth, fields one below. */
static gint
layer_begin (CapDissect *d,
             CapLayer    layer,
             const char *name,
             guint32     offset)
{
  gint index = -1;

  d->layer = layer;
  d->depth = d->base;
  if (TREE (d))
    index = tree_push (d, name, g_strdup (name), offset, 0, 0, FALSE, CAP_FIELD_PROTOCOL);
  d->depth = d->base + 1;
  return index;
}

#define layer_end(d, index, end, ...) \
  G_STMT_START { node_end ((d), (index), (end), __VA_ARGS__); (d)->depth = (d)->base + 1; } G_STMT_END

/* ---- errors ------------------------------------------------------------- */

static void
note_error (CapDissect *d,
            guint32     flag,
            guint32     offset,
            char       *message)
{
  d->sum->flags |= flag;
  /* inside a quote, the outer packet's own checks speak for the frame */
  if (TREE (d) && !d->quoted && !d->error_node)
    {
      tree_push (d, flag == CAP_SUMMARY_TRUNCATED ? "[Truncated]" : "[Malformed]",
                 message, offset, 0, 0, FALSE,
                 flag == CAP_SUMMARY_TRUNCATED ? CAP_FIELD_TRUNCATED : CAP_FIELD_MALFORMED);
      d->error_node = TRUE;
      return;
    }
  g_free (message);
}

/* A cursor read failed: say what was being read and why it is missing. */
static gboolean
fail (CapDissect *d,
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
      note_error (d, CAP_SUMMARY_MALFORMED, c->pos, message);
    }
  else
    {
      if (TREE (d))
        message = g_strdup_printf ("[Truncated: %s needs %u bytes at offset %u, "
                                   "but the capture ends at %u]",
                                   what, need, c->pos, c->captured_end);
      note_error (d, CAP_SUMMARY_TRUNCATED, c->pos, message);
    }
  return FALSE;
}

G_GNUC_PRINTF (3, 4) static void
malformed (CapDissect *d,
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
  note_error (d, CAP_SUMMARY_MALFORMED, offset, message);
}

/* ---- reading fields ----------------------------------------------------- */

static gboolean
field_u8 (CapDissect *d,
          CapCursor  *c,
          const char *name,
          guint8     *out)
{
  guint32 offset = c->pos;

  if (!cap_get_u8 (c, out))
    return fail (d, c, name, 1);
  add_uint (d, name, offset, 1, *out, "%u", *out);
  return TRUE;
}

static gboolean
field_u16 (CapDissect *d,
           CapCursor  *c,
           const char *name,
           gboolean    hex,
           guint16    *out)
{
  guint32 offset = c->pos;

  if (!cap_get_u16be (c, out))
    return fail (d, c, name, 2);
  if (hex)
    add_uint (d, name, offset, 2, *out, "0x%04x", *out);
  else
    add_uint (d, name, offset, 2, *out, "%u", *out);
  return TRUE;
}

static gboolean
field_u32 (CapDissect *d,
           CapCursor  *c,
           const char *name,
           gboolean    hex,
           guint32    *out)
{
  guint32 offset = c->pos;

  if (!cap_get_u32be (c, out))
    return fail (d, c, name, 4);
  if (hex)
    add_uint (d, name, offset, 4, *out, "0x%08x", *out);
  else
    add_uint (d, name, offset, 4, *out, "%u", *out);
  return TRUE;
}

static gboolean
field_checksum (CapDissect *d,
                CapCursor  *c,
                guint16    *out)
{
  guint32 offset = c->pos;

  if (!cap_get_u16be (c, out))
    return fail (d, c, "Checksum", 2);
  add_uint (d, "Checksum", offset, 2, *out, "0x%04x [unverified]", *out);
  return TRUE;
}

static void
format_mac (const guint8 *mac,
            guint         n,
            char         *buf,
            gsize         size)
{
  gsize pos = 0;

  buf[0] = '\0';
  for (guint i = 0; i < n && pos + 3 < size; i++)
    pos += g_snprintf (buf + pos, size - pos, i ? ":%02x" : "%02x", mac[i]);
}

static gboolean
field_mac (CapDissect *d,
           CapCursor  *c,
           const char *name,
           guint8     *mac)
{
  guint32 offset = c->pos;
  char buf[24];

  if (!cap_get_bytes (c, mac, 6))
    return fail (d, c, name, 6);
  if (TREE (d))
    {
      format_mac (mac, 6, buf, sizeof buf);
      add_text (d, name, offset, 6, "%s", buf);
    }
  return TRUE;
}

static void
format_addr (guint8        family,
             const guint8 *addr,
             char         *buf,
             gsize         size)
{
  if (inet_ntop (family == 6 ? AF_INET6 : AF_INET, addr, buf, size) == NULL)
    g_strlcpy (buf, "?", size);
}

/* Addresses are bytes, but an IPv4 address is also the classic htonl()
 * example, so it carries its host value too. */
static gboolean
field_addr (CapDissect *d,
            CapCursor  *c,
            const char *name,
            guint8      family,
            guint8     *addr)
{
  guint32 offset = c->pos;
  guint32 n = family == 6 ? 16 : 4;
  char buf[INET6_ADDRSTRLEN];

  if (!cap_get_bytes (c, addr, n))
    return fail (d, c, name, n);
  if (TREE (d))
    {
      format_addr (family, addr, buf, sizeof buf);
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
static void
dissect_data (CapDissect *d,
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

/* ---- transport ------------------------------------------------------------ */

static const char *
tcp_option_name (guint8 kind)
{
  switch (kind)
    {
    case 0: return "End of Option List (EOL)";
    case 1: return "No-Operation (NOP)";
    case 2: return "Maximum segment size";
    case 3: return "Window scale";
    case 4: return "SACK permitted";
    case 5: return "SACK";
    case 8: return "Timestamps";
    case 19: return "MD5 signature";
    case 28: return "User timeout";
    case 29: return "TCP authentication";
    case 30: return "Multipath TCP";
    case 34: return "TCP Fast Open cookie";
    default: return "Unknown option";
    }
}

/* Checks an option's length against what its kind requires. */
static gboolean
tcp_option_length_ok (guint8 kind,
                      guint8 optlen)
{
  switch (kind)
    {
    case 2: return optlen == 4;
    case 3: return optlen == 3;
    case 4: return optlen == 2;
    case 5: return optlen >= 10 && (optlen - 2) % 8 == 0;
    case 8: return optlen == 10;
    default: return optlen >= 2;
    }
}

/* One option with kind >= 2: kind, length, value. @c is limited to the
 * option area; returns FALSE to stop the walk. */
static gboolean
dissect_tcp_option (CapDissect *d,
                    CapCursor  *c,
                    guint8      kind)
{
  CapSummary *s = d->sum;
  guint32 start = c->pos - 1;
  const char *name = tcp_option_name (kind);
  CapCursor oc = *c;
  guint8 optlen = 0;
  gint index;
  gboolean ok = FALSE, ended = FALSE;

  index = node_begin (d, name, start);
  add_uint (d, "Kind", start, 1, kind, "%u", kind);
  if (!field_u8 (d, c, "Length", &optlen))
    goto out;
  if (optlen < 2 || optlen - 2u > cap_cursor_reported_left (c))
    {
      malformed (d, start + 1, "TCP option %u has length %u, %u bytes of options left",
                 kind, optlen, cap_cursor_reported_left (c) + 2);
      goto out;
    }
  oc = *c;
  cap_cursor_limit (&oc, optlen - 2);
  if (!tcp_option_length_ok (kind, optlen))
    {
      malformed (d, start + 1, "%s option with length %u", name, optlen);
      name = "Option with bad length";
      kind = 255;  /* show the bytes, parse nothing */
    }

  switch (kind)
    {
    case 2:
      {
        guint16 mss;

        if (!field_u16 (d, &oc, "MSS value", FALSE, &mss))
          goto out;
        s->mss = mss;
        node_end (d, index, start + optlen, "Maximum segment size: %u bytes", mss);
        ended = TRUE;
      }
      break;
    case 3:
      {
        guint8 shift;

        if (!field_u8 (d, &oc, "Shift count", &shift))
          goto out;
        s->wscale = MIN (shift, 14);  /* RFC 7323: larger values mean 14 */
        node_end (d, index, start + optlen, "Window scale: %u (multiply by %u)",
                  shift, 1u << MIN (shift, 14));
        ended = TRUE;
      }
      break;
    case 4:
      s->sack_perm = 1;
      break;
    case 5:
      for (guint i = 0; cap_cursor_reported_left (&oc) >= 8; i++)
        {
          CapSackBlock b;
          guint32 off = oc.pos;

          if (!cap_get_u32be (&oc, &b.left) || !cap_get_u32be (&oc, &b.right))
            {
              oc.pos = off;
              fail (d, &oc, "SACK block", 8);
              goto out;
            }
          add_text (d, "SACK block", off, 8, "%u-%u", b.left, b.right);
          if (i < CAP_SUMMARY_MAX_SACK)
            s->sack[s->n_sack++] = b;
        }
      break;
    case 8:
      {
        guint32 val, ecr;

        if (!field_u32 (d, &oc, "Timestamp value", FALSE, &val)
            || !field_u32 (d, &oc, "Timestamp echo reply", FALSE, &ecr))
          goto out;
        s->has_ts = 1;
        s->ts_val = val;
        s->ts_ecr = ecr;
        node_end (d, index, start + optlen, "Timestamps: TSval %u, TSecr %u", val, ecr);
        ended = TRUE;
      }
      break;
    default:
      if (optlen > 2)
        add_text (d, "Data", oc.pos, MIN (optlen - 2u, cap_cursor_captured_left (&oc)),
                  "%u bytes", optlen - 2u);
      break;
    }

  /* skipping checks that the whole option was captured */
  if (!cap_cursor_skip (c, optlen - 2))
    {
      fail (d, c, name, optlen - 2);
      goto out;
    }
  ok = TRUE;

out:
  if (!ended)
    node_end (d, index, MIN (start + MAX (optlen, 2u), c->captured_end),
              "%s (%u bytes)", name, optlen);
  return ok;
}

static void
dissect_tcp_options (CapDissect *d,
                     CapCursor  *c)
{
  guint n = 0;

  while (cap_cursor_reported_left (c) > 0 && n++ < 40)
    {
      guint32 offset = c->pos;
      guint8 kind;

      if (!cap_get_u8 (c, &kind))
        {
          fail (d, c, "TCP option", 1);
          return;
        }
      if (kind == 0)
        {
          /* the rest of the option area is padding */
          if (TREE (d))
            tree_push (d, "End of Option List (EOL)",
                       g_strdup ("End of Option List (EOL)"), offset,
                       MIN (1 + cap_cursor_reported_left (c),
                            1 + cap_cursor_captured_left (c)),
                       0, FALSE, 0);
          return;
        }
      if (kind == 1)
        {
          if (TREE (d))
            tree_push (d, "No-Operation (NOP)", g_strdup ("No-Operation (NOP)"),
                       offset, 1, 1, FALSE, 0);
          continue;
        }
      if (!dissect_tcp_option (d, c, kind))
        return;
    }
}

static void
format_tcp_flags_long (guint16  flags,
                       GString *out)
{
  static const char *names[] = { "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS" };
  gboolean first = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (flags & (1u << i))
      {
        g_string_append_printf (out, "%s%s", first ? "" : ", ", names[i]);
        first = FALSE;
      }
}

static void
add_tcp_flag_bits (CapDissect *d,
                   guint32     offset,
                   guint16     flags)
{
  static const struct { guint16 bit; const char *name; } bits[] = {
    { 0x100, "Nonce" }, { 0x80, "Congestion window reduced (CWR)" },
    { 0x40, "ECN-Echo (ECE)" }, { 0x20, "Urgent (URG)" }, { 0x10, "Acknowledgment (ACK)" },
    { 0x08, "Push (PSH)" }, { 0x04, "Reset (RST)" }, { 0x02, "Syn (SYN)" },
    { 0x01, "Fin (FIN)" },
  };

  if (!TREE (d))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (bits); i++)
    {
      gboolean set = (flags & bits[i].bit) != 0;
      gint index = add_uint (d, bits[i].name, bits[i].bit == 0x100 ? offset : offset + 1,
                             1, set, "%s", set ? "Set" : "Not set");

      tree_get (d, index)->is_network_order = FALSE;
    }
}

static void
tcp_seq_text (CapDissect *d,
              guint32     raw,
              guint32     base,
              char       *buf,
              gsize       size)
{
  if (d->options != NULL && d->options->relative)
    g_snprintf (buf, size, "%u (relative; raw %u)", raw - base, raw);
  else
    g_snprintf (buf, size, "%u", raw);
}

static void
dissect_tcp (CapDissect *d,
             CapCursor  *c)
{
  CapSummary *s = d->sum;
  guint32 start = c->pos;
  guint32 seq_shown = 0, ack_shown = 0;
  guint16 sport = 0, dport = 0, flags = 0, window, csum, urgent;
  guint8 offres = 0, hdr_len = 0;
  guint step = 0;
  gint index;
  char buf[48];

  s->transport_offset = start;
  index = layer_begin (d, CAP_LAYER_TRANSPORT, "Transmission Control Protocol", start);

  if (!field_u16 (d, c, "Source port", FALSE, &sport))
    goto out;
  s->sport = sport;
  step++;
  if (!field_u16 (d, c, "Destination port", FALSE, &dport))
    goto out;
  s->dport = dport;
  step++;

  {
    guint32 off = c->pos;

    if (!cap_get_u32be (c, &s->seq))
      {
        fail (d, c, "Sequence number", 4);
        goto out;
      }
    if (TREE (d))
      {
        tcp_seq_text (d, s->seq, d->options ? d->options->seq_base : 0, buf, sizeof buf);
        add_uint (d, "Sequence number", off, 4, s->seq, "%s", buf);
        seq_shown = s->seq - (d->options && d->options->relative ? d->options->seq_base : 0);
      }
    step++;
    off = c->pos;
    if (!cap_get_u32be (c, &s->ack))
      {
        fail (d, c, "Acknowledgment number", 4);
        goto out;
      }
    if (TREE (d))
      {
        tcp_seq_text (d, s->ack, d->options ? d->options->ack_base : 0, buf, sizeof buf);
        add_uint (d, "Acknowledgment number", off, 4, s->ack, "%s", buf);
        ack_shown = s->ack - (d->options && d->options->relative ? d->options->ack_base : 0);
      }

    off = c->pos;
    if (!cap_get_u8 (c, &offres))
      {
        fail (d, c, "Header length", 1);
        goto out;
      }
    hdr_len = (offres >> 4) * 4;
    add_uint (d, "Header length", off, 1, offres >> 4, "%u bytes (%u)", hdr_len, offres >> 4);
    c->pos = off;

    if (!cap_get_u16be (c, &flags))
      {
        fail (d, c, "Flags", 2);
        goto out;
      }
    flags &= 0x0fff;
    s->tcp_flags = flags & 0xff;
    step++;
    if (TREE (d))
      {
        g_autoptr (GString) names = g_string_new (NULL);
        gint fi;

        format_tcp_flags_long (flags, names);
        fi = add_uint (d, "Flags", off, 2, flags, "0x%03x (%s)", flags, names->str);
        tree_get (d, fi)->length = 2;
        d->depth++;
        add_tcp_flag_bits (d, off, flags);
        d->depth--;
      }
  }

  if (!field_u16 (d, c, "Window", FALSE, &window))
    goto out;
  s->window = window;
  if (!field_checksum (d, c, &csum) || !field_u16 (d, c, "Urgent pointer", FALSE, &urgent))
    goto out;

  if (hdr_len < 20)
    {
      malformed (d, start + 12, "TCP header length %u is less than 20", hdr_len);
      goto out;
    }
  if (hdr_len > c->reported_end - start)
    {
      malformed (d, start + 12, "TCP header length %u, but the segment has only %u bytes",
                 hdr_len, c->reported_end - start);
      goto out;
    }
  /* the fixed header is whole: ports, flags and lengths are known even if
   * a snapshot length cuts the options */
  step++;
  s->flags |= CAP_SUMMARY_TRANSPORT;
  s->payload_offset = start + hdr_len;
  s->payload_len = c->reported_end - (start + hdr_len);
  if (hdr_len > 20)
    {
      CapCursor oc = *c;
      gint oi;

      cap_cursor_limit (&oc, hdr_len - 20u);
      oi = node_begin (d, "Options", c->pos);
      dissect_tcp_options (d, &oc);
      node_end (d, oi, MIN (start + hdr_len, c->captured_end), "Options: (%u bytes)", hdr_len - 20u);
      if (!cap_cursor_skip (c, hdr_len - 20u))
        {
          if (oc.error == CAP_CURSOR_OK)
            fail (d, c, "TCP options", hdr_len - 20u);
          goto out;
        }
      if (oc.error != CAP_CURSOR_OK)
        goto out;
    }
  step++;

out:
  if (TREE (d))
    {
      g_autoptr (GString) text = g_string_new ("Transmission Control Protocol");

      if (step >= 1)
        g_string_append_printf (text, ", Src Port: %u", sport);
      if (step >= 2)
        g_string_append_printf (text, ", Dst Port: %u", dport);
      if (step >= 3)
        g_string_append_printf (text, ", Seq: %u", seq_shown);
      if (step >= 4 && (flags & CAP_TCP_ACK))
        g_string_append_printf (text, ", Ack: %u", ack_shown);
      if (step >= 5)
        g_string_append_printf (text, ", Len: %u", s->payload_len);
      layer_end (d, index, step >= 5 ? MIN (s->payload_offset, c->captured_end) : c->pos,
                 "%s", text->str);
    }
  else
    layer_end (d, index, c->pos, NULL);

  if (step >= 6)
    dissect_data (d, c, "Data", s->payload_len);
}

static void
dissect_udp (CapDissect *d,
             CapCursor  *c)
{
  CapSummary *s = d->sum;
  guint32 start = c->pos;
  guint32 avail = cap_cursor_reported_left (c);
  guint16 sport = 0, dport = 0, ulen = 0, csum;
  guint step = 0;
  gint index;

  s->transport_offset = start;
  index = layer_begin (d, CAP_LAYER_TRANSPORT, "User Datagram Protocol", start);
  if (!field_u16 (d, c, "Source port", FALSE, &sport))
    goto out;
  s->sport = sport;
  step++;
  if (!field_u16 (d, c, "Destination port", FALSE, &dport))
    goto out;
  s->dport = dport;
  step++;
  if (!field_u16 (d, c, "Length", FALSE, &ulen) || !field_checksum (d, c, &csum))
    goto out;
  step++;

  s->flags |= CAP_SUMMARY_TRANSPORT;
  s->payload_offset = c->pos;
  if (ulen == 0 && avail > 0xffff)
    s->payload_len = avail - 8;  /* jumbogram (RFC 2675) */
  else if (ulen < 8)
    {
      malformed (d, start + 4, "UDP length %u is less than 8", ulen);
      s->payload_len = avail - 8;
    }
  else if (ulen > avail)
    {
      /* a first fragment carries only part of what the UDP length counts */
      if (!(s->flags & CAP_SUMMARY_FRAGMENT) && !d->quoted)
        malformed (d, start + 4, "UDP length %u, but the IP payload has only %u bytes",
                   ulen, avail);
      s->payload_len = avail - 8;
    }
  else
    s->payload_len = ulen - 8u;

out:
  layer_end (d, index, c->pos,
             step >= 2 ? "User Datagram Protocol, Src Port: %u, Dst Port: %u"
                       : step == 1 ? "User Datagram Protocol, Src Port: %u" : "User Datagram Protocol",
             sport, dport);
  if (step >= 3)
    dissect_data (d, c, "Data", s->payload_len);
}

static const char *
icmp_type_name (guint8 type)
{
  switch (type)
    {
    case 0: return "Echo (ping) reply";
    case 3: return "Destination unreachable";
    case 4: return "Source quench";
    case 5: return "Redirect";
    case 8: return "Echo (ping) request";
    case 9: return "Router advertisement";
    case 10: return "Router solicitation";
    case 11: return "Time-to-live exceeded";
    case 12: return "Parameter problem";
    case 13: return "Timestamp request";
    case 14: return "Timestamp reply";
    default: return "Unknown";
    }
}

static const char *
icmp6_type_name (guint8 type)
{
  switch (type)
    {
    case 1: return "Destination unreachable";
    case 2: return "Packet too big";
    case 3: return "Time exceeded";
    case 4: return "Parameter problem";
    case 128: return "Echo (ping) request";
    case 129: return "Echo (ping) reply";
    case 133: return "Router solicitation";
    case 134: return "Router advertisement";
    case 135: return "Neighbor solicitation";
    case 136: return "Neighbor advertisement";
    case 137: return "Redirect";
    case 143: return "Multicast listener report v2";
    default: return "Unknown";
    }
}

static const char *
icmp_unreach_name (guint8 code)
{
  static const char *names[] = {
    "network unreachable", "host unreachable", "protocol unreachable", "port unreachable",
    "fragmentation needed", "source route failed", "destination network unknown",
    "destination host unknown", "source host isolated", "network administratively prohibited",
    "host administratively prohibited", "network unreachable for TOS",
    "host unreachable for TOS", "communication administratively prohibited",
    "host precedence violation", "precedence cutoff in effect",
  };

  return code < G_N_ELEMENTS (names) ? names[code] : NULL;
}

static const char *
icmp6_unreach_name (guint8 code)
{
  static const char *names[] = {
    "no route to destination", "administratively prohibited", "beyond scope of source address",
    "address unreachable", "port unreachable", "source address failed policy",
    "reject route to destination",
  };

  return code < G_N_ELEMENTS (names) ? names[code] : NULL;
}

/* An ICMP error quotes the datagram that caused it: dissect that with the
 * same code into a scratch summary (on the stack), then copy what matters. */
static void
dissect_quoted (CapDissect *d,
                CapCursor  *c)
{
  CapSummary inner = { 0 };
  CapSummary *outer = d->sum;
  CapCursor q = *c;
  guint16 base = d->base, depth = d->depth;
  guint8 layer = d->layer;
  guint8 vhl;

  if (d->quoted || cap_cursor_reported_left (c) == 0)
    {
      dissect_data (d, c, "Data", cap_cursor_reported_left (c));
      return;
    }
  if (!cap_get_u8 (&q, &vhl))
    return;  /* the outer check reports the cut */
  q.pos--;

  inner.wscale = -1;
  d->sum = &inner;
  d->quoted++;
  d->base = d->depth;
  dissect_ip_any (d, &q, vhl >> 4);
  d->quoted--;
  d->sum = outer;
  d->base = base;
  d->depth = depth;
  d->layer = layer;

  if (inner.family != 0)
    {
      outer->flags |= CAP_SUMMARY_QUOTED;
      outer->quoted_family = inner.family;
      outer->quoted_proto = inner.ip_proto;
      outer->quoted_sport = inner.sport;
      outer->quoted_dport = inner.dport;
      memcpy (outer->quoted_src, inner.src, 16);
      memcpy (outer->quoted_dst, inner.dst, 16);
    }
}

static gboolean
icmp_is_error (gboolean v6,
               guint8   type)
{
  if (v6)
    return type >= 1 && type <= 4;
  return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

static void
dissect_icmp (CapDissect *d,
              CapCursor  *c,
              gboolean    v6)
{
  CapSummary *s = d->sum;
  guint32 start = c->pos;
  guint8 type = 0, code = 0;
  guint16 csum;
  gboolean ok = FALSE;
  gint index;

  s->transport_offset = start;
  index = layer_begin (d, CAP_LAYER_TRANSPORT,
                       v6 ? "Internet Control Message Protocol v6"
                          : "Internet Control Message Protocol", start);
  {
    guint32 off = c->pos;

    if (!cap_get_u8 (c, &type))
      {
        fail (d, c, "Type", 1);
        goto out;
      }
    s->icmp_type = type;
    add_uint (d, "Type", off, 1, type, "%u (%s)", type,
              v6 ? icmp6_type_name (type) : icmp_type_name (type));
  }
  if (!field_u8 (d, c, "Code", &code))
    goto out;
  s->icmp_code = code;
  if (!field_checksum (d, c, &csum))
    goto out;

  if ((!v6 && (type == 0 || type == 8)) || (v6 && (type == 128 || type == 129)))
    {
      guint32 off = c->pos;

      if (!cap_get_u16be (c, &s->icmp_id))
        {
          fail (d, c, "Identifier", 2);
          goto out;
        }
      add_uint (d, "Identifier", off, 2, s->icmp_id, "%u (0x%04x)", s->icmp_id, s->icmp_id);
      if (!field_u16 (d, c, "Sequence number", FALSE, &s->icmp_seq))
        goto out;
    }
  else if (icmp_is_error (v6, type))
    {
      guint32 value;

      if ((!v6 && type == 3 && code == 4) || (v6 && type == 2))
        {
          guint16 unused, mtu = 0;
          guint32 mtu32 = 0;

          if (v6 ? !field_u32 (d, c, "MTU", FALSE, &mtu32)
                 : (!field_u16 (d, c, "Unused", TRUE, &unused)
                    || !field_u16 (d, c, "MTU of next hop", FALSE, &mtu)))
            goto out;
        }
      else if (!v6 && type == 5)
        {
          guint8 gw[16];

          if (!field_addr (d, c, "Gateway address", 4, gw))
            goto out;
        }
      else if (v6 && type == 4)
        {
          if (!field_u32 (d, c, "Pointer", FALSE, &value))
            goto out;
        }
      else if (!v6 && type == 12)
        {
          guint8 pointer;

          if (!field_u8 (d, c, "Pointer", &pointer) || !cap_cursor_skip (c, 3))
            {
              if (c->error != CAP_CURSOR_OK)
                fail (d, c, "Unused", 3);
              goto out;
            }
        }
      else if (!field_u32 (d, c, "Unused", TRUE, &value))
        goto out;
    }
  else
    {
      /* other messages: the body is shown as data below */
    }
  ok = TRUE;
  s->flags |= CAP_SUMMARY_TRANSPORT;
  s->payload_offset = c->pos;
  s->payload_len = cap_cursor_reported_left (c);

out:
  if (TREE (d))
    {
      const char *name = v6 ? "Internet Control Message Protocol v6"
                            : "Internet Control Message Protocol";
      const char *detail = NULL;

      if (ok && !v6 && type == 3)
        detail = icmp_unreach_name (code);
      else if (ok && v6 && type == 1)
        detail = icmp6_unreach_name (code);
      if (c->pos > start)
        layer_end (d, index, c->pos, "%s, %s%s%s%s", name,
                   v6 ? icmp6_type_name (type) : icmp_type_name (type),
                   detail ? " (" : "", detail ? detail : "", detail ? ")" : "");
      else
        layer_end (d, index, c->pos, "%s", name);
    }
  else
    layer_end (d, index, c->pos, NULL);

  if (!ok)
    return;
  if (icmp_is_error (v6, type))
    {
      d->depth = d->base + 1;
      d->layer = CAP_LAYER_TRANSPORT;
      /* the quote nests under the ICMP node, as in Wireshark */
      d->last_at_depth[d->base] = index;
      dissect_quoted (d, c);
    }
  else
    dissect_data (d, c, "Data", s->payload_len);
}

static void
dissect_transport (CapDissect *d,
                   CapCursor  *c,
                   guint8      proto,
                   guint8      family)
{
  switch (proto)
    {
    case 6:
      dissect_tcp (d, c);
      break;
    case 17:
      dissect_udp (d, c);
      break;
    case 1:
      if (family == 4)
        dissect_icmp (d, c, FALSE);
      else
        dissect_data (d, c, "Data", cap_cursor_reported_left (c));
      break;
    case 58:
      if (family == 6)
        dissect_icmp (d, c, TRUE);
      else
        dissect_data (d, c, "Data", cap_cursor_reported_left (c));
      break;
    case 59:  /* IPv6 no next header */
      break;
    default:
      d->sum->payload_offset = c->pos;
      d->sum->payload_len = cap_cursor_reported_left (c);
      dissect_data (d, c, "Data", cap_cursor_reported_left (c));
      break;
    }
}

/* ---- network ---------------------------------------------------------------- */

const char *
cap_ip_proto_name (guint8 ip_proto)
{
  switch (ip_proto)
    {
    case 0: return "IPv6 Hop-by-Hop Option";
    case 1: return "ICMP";
    case 2: return "IGMP";
    case 4: return "IPv4";
    case 6: return "TCP";
    case 17: return "UDP";
    case 41: return "IPv6";
    case 43: return "IPv6 Routing";
    case 44: return "IPv6 Fragment";
    case 47: return "GRE";
    case 50: return "ESP";
    case 51: return "AH";
    case 58: return "ICMPv6";
    case 59: return "IPv6 No Next Header";
    case 60: return "IPv6 Destination Options";
    case 132: return "SCTP";
    default: return NULL;
    }
}

static gint
add_proto (CapDissect *d,
           const char *name,
           guint32     offset,
           guint8      proto)
{
  const char *pname = cap_ip_proto_name (proto);

  return add_uint (d, name, offset, 1, proto, "%s (%u)", pname ? pname : "Unknown", proto);
}

/* One's-complement sum over the IPv4 header, for the inspector only. */
static guint16
ipv4_header_checksum (CapCursor c,
                      guint32   start,
                      guint32   hlen)
{
  guint32 sum = 0;

  c.pos = start;
  for (guint32 i = 0; i + 1 < hlen; i += 2)
    {
      guint16 w;

      if (!cap_get_u16be (&c, &w))
        return 0;
      if (i != 10)
        sum += w;
    }
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (guint16) ~sum;
}

static const char *
ipv4_option_name (guint8 type)
{
  switch (type)
    {
    case 0: return "End of Options List (EOL)";
    case 1: return "No-Operation (NOP)";
    case 7: return "Record Route";
    case 68: return "Time Stamp";
    case 130: return "Security";
    case 131: return "Loose Source Route";
    case 137: return "Strict Source Route";
    case 148: return "Router Alert";
    default: return "Unknown option";
    }
}

static void
dissect_ipv4_options (CapDissect *d,
                      CapCursor  *c)
{
  for (guint n = 0; cap_cursor_reported_left (c) > 0 && n < 40; n++)
    {
      guint32 offset = c->pos;
      guint8 type, optlen;

      if (!cap_get_u8 (c, &type))
        {
          fail (d, c, "IP option", 1);
          return;
        }
      if (type == 0 || type == 1)
        {
          add_text (d, "IP option", offset, 1, "%s", ipv4_option_name (type));
          if (type == 0)
            return;
          continue;
        }
      if (!cap_get_u8 (c, &optlen))
        {
          fail (d, c, "IP option length", 1);
          return;
        }
      if (optlen < 2 || optlen - 2u > cap_cursor_reported_left (c))
        {
          malformed (d, offset + 1, "IP option %u has length %u", type, optlen);
          return;
        }
      if (!cap_cursor_skip (c, optlen - 2u))
        {
          fail (d, c, ipv4_option_name (type), optlen - 2u);
          return;
        }
      add_text (d, "IP option", offset, optlen, "%s (%u bytes)", ipv4_option_name (type), optlen);
    }
}

/* Sets how long the datagram is, from its length field; the cursor is
 * narrowed to it, so the transport cannot read past the IP payload. */
static void
limit_datagram (CapDissect *d,
                CapCursor  *c,
                guint32     start,
                guint32     length_field,
                guint32     dgram_len,
                const char *what)
{
  guint32 avail = c->reported_end - start;

  if (d->quoted)
    dgram_len = avail;  /* a quote is cut short on purpose */
  else if (dgram_len > avail)
    {
      malformed (d, length_field, "%s says %u bytes, but the frame has only %u after the header start",
                 what, dgram_len, avail);
      dgram_len = avail;
    }
  d->sum->ip_len = dgram_len;
  c->reported_end = MAX (start + dgram_len, c->pos);
  c->captured_end = MIN (c->captured_end, c->reported_end);
}

static void
dissect_ipv4 (CapDissect *d,
              CapCursor  *c)
{
  CapSummary *s = d->sum;
  guint32 start = c->pos;
  guint8 vhl = 0, tos, ttl = 0, proto = 0;
  guint16 tot_len = 0, id, frag = 0, csum;
  guint8 src[16] = { 0 }, dst[16] = { 0 };
  guint32 hlen;
  gint index;
  gboolean ok = FALSE;

  s->network_offset = start;
  index = layer_begin (d, CAP_LAYER_NETWORK, "Internet Protocol Version 4", start);
  if (!cap_get_u8 (c, &vhl))
    {
      fail (d, c, "Version", 1);
      goto out;
    }
  hlen = (vhl & 0x0f) * 4u;
  add_uint (d, "Version", start, 1, vhl >> 4, "%u", vhl >> 4);
  add_uint (d, "Header length", start, 1, vhl & 0x0f, "%u bytes (%u)", hlen, vhl & 0x0f);
  if ((vhl >> 4) != 4)
    {
      malformed (d, start, "IP version %u where IPv4 was expected", vhl >> 4);
      goto out;
    }
  if (hlen < 20)
    {
      malformed (d, start, "IPv4 header length %u is less than 20", hlen);
      goto out;
    }

  {
    guint32 off = c->pos;

    if (!cap_get_u8 (c, &tos))
      {
        fail (d, c, "Differentiated services", 1);
        goto out;
      }
    add_uint (d, "Differentiated services", off, 1, tos, "0x%02x (DSCP %u, ECN %u)",
              tos, tos >> 2, tos & 3);
  }
  if (!field_u16 (d, c, "Total length", FALSE, &tot_len))
    goto out;
  if (tot_len != 0 && tot_len < hlen && !d->quoted)
    {
      malformed (d, start + 2, "IPv4 total length %u is less than the header length %u",
                 tot_len, hlen);
      goto out;
    }
  /* 0 appears in captures of outgoing TSO packets: use the frame's length */
  limit_datagram (d, c, start, start + 2, tot_len ? tot_len : c->reported_end - start,
                  "IPv4 total length");

  {
    guint32 off = c->pos;

    if (!cap_get_u16be (c, &id))
      {
        fail (d, c, "Identification", 2);
        goto out;
      }
    s->ip_id = id;
    add_uint (d, "Identification", off, 2, id, "0x%04x (%u)", id, id);
    off = c->pos;
    if (!cap_get_u16be (c, &frag))
      {
        fail (d, c, "Flags", 2);
        goto out;
      }
    if (TREE (d))
      {
        gint fi = add_uint (d, "Flags", off, 1, frag >> 13, "0x%x%s%s", frag >> 13,
                            frag & 0x4000 ? ", Don't fragment" : "",
                            frag & 0x2000 ? ", More fragments" : "");

        tree_get (d, fi)->is_network_order = FALSE;
        d->depth++;
        add_uint (d, "Reserved bit", off, 1, (frag >> 15) & 1, "%s", frag & 0x8000 ? "Set" : "Not set");
        add_uint (d, "Don't fragment", off, 1, (frag >> 14) & 1, "%s", frag & 0x4000 ? "Set" : "Not set");
        add_uint (d, "More fragments", off, 1, (frag >> 13) & 1, "%s", frag & 0x2000 ? "Set" : "Not set");
        d->depth--;
        add_uint (d, "Fragment offset", off, 2, frag & 0x1fff, "%u bytes (%u)",
                  (frag & 0x1fffu) * 8, frag & 0x1fff);
      }
    s->frag_offset = (frag & 0x1fffu) * 8;
    if ((frag & 0x2000) || (frag & 0x1fff))
      s->flags |= CAP_SUMMARY_FRAGMENT;
  }
  if (!field_u8 (d, c, "Time to live", &ttl))
    goto out;
  s->ttl = ttl;
  {
    guint32 off = c->pos;

    if (!cap_get_u8 (c, &proto))
      {
        fail (d, c, "Protocol", 1);
        goto out;
      }
    s->ip_proto = proto;
    add_proto (d, "Protocol", off, proto);
  }
  {
    guint32 off = c->pos;

    if (!cap_get_u16be (c, &csum))
      {
        fail (d, c, "Header checksum", 2);
        goto out;
      }
    if (TREE (d))
      {
        guint16 good = ipv4_header_checksum (*c, start, MIN (hlen, c->captured_end - start));

        if (hlen <= c->captured_end - start)
          add_uint (d, "Header checksum", off, 2, csum, "0x%04x [%s]", csum,
                    good == csum ? "correct" : "incorrect");
        else
          add_uint (d, "Header checksum", off, 2, csum, "0x%04x [unverified]", csum);
      }
  }
  if (!field_addr (d, c, "Source address", 4, src)
      || !field_addr (d, c, "Destination address", 4, dst))
    goto out;
  memcpy (s->src, src, 4);
  memcpy (s->dst, dst, 4);
  s->family = 4;

  if (hlen > 20)
    {
      CapCursor oc = *c;
      gint oi;

      cap_cursor_limit (&oc, hlen - 20);
      oi = node_begin (d, "Options", c->pos);
      dissect_ipv4_options (d, &oc);
      node_end (d, oi, MIN (start + hlen, c->captured_end), "Options: (%u bytes)", hlen - 20);
      if (!cap_cursor_skip (c, hlen - 20))
        {
          if (oc.error == CAP_CURSOR_OK)
            fail (d, c, "IP options", hlen - 20);
          goto out;
        }
    }
  ok = TRUE;

out:
  if (TREE (d))
    {
      char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

      format_addr (4, src, a, sizeof a);
      format_addr (4, dst, b, sizeof b);
      if (s->family == 4)
        layer_end (d, index, c->pos, "Internet Protocol Version 4, Src: %s, Dst: %s", a, b);
      else
        layer_end (d, index, c->pos, "Internet Protocol Version 4");
    }
  else
    layer_end (d, index, c->pos, NULL);

  if (!ok)
    return;
  if (frag & 0x1fff)
    {
      /* only the first fragment starts with the transport header */
      s->payload_offset = c->pos;
      s->payload_len = cap_cursor_reported_left (c);
      dissect_data (d, c, "Fragment data", s->payload_len);
      return;
    }
  dissect_transport (d, c, proto, 4);
}

static gboolean
ipv6_is_extension (guint8 nxt)
{
  return nxt == 0 || nxt == 43 || nxt == 44 || nxt == 60 || nxt == 51;
}

static const char *
ipv6_option_name (guint8 type)
{
  switch (type)
    {
    case 0x00: return "Pad1";
    case 0x01: return "PadN";
    case 0x04: return "Tunnel encapsulation limit";
    case 0x05: return "Router alert";
    case 0x26: return "Quick-Start";
    case 0x63: return "RPL option";
    case 0xc2: return "Jumbo payload";
    case 0xc9: return "Home address";
    default: return "Unknown option";
    }
}

/* Hop-by-hop and destination options share one TLV format. */
static void
dissect_ipv6_options (CapDissect *d,
                      CapCursor  *c)
{
  for (guint n = 0; cap_cursor_reported_left (c) > 0 && n < 256; n++)
    {
      guint32 offset = c->pos;
      guint8 type, optlen;

      if (!cap_get_u8 (c, &type))
        {
          fail (d, c, "IPv6 option", 1);
          return;
        }
      if (type == 0)
        {
          add_text (d, "IPv6 option", offset, 1, "Pad1");
          continue;
        }
      if (!cap_get_u8 (c, &optlen))
        {
          fail (d, c, "IPv6 option length", 1);
          return;
        }
      if (optlen > cap_cursor_reported_left (c))
        {
          malformed (d, offset + 1, "IPv6 option 0x%02x has length %u, %u bytes left",
                     type, optlen, cap_cursor_reported_left (c));
          return;
        }
      if (type == 0xc2 && optlen == 4)
        {
          guint32 jumbo;

          if (!cap_get_u32be (c, &jumbo))
            {
              fail (d, c, "Jumbo payload length", 4);
              return;
            }
          if (TREE (d))
            {
              gint ji = add_uint (d, "Jumbo payload length", offset, 6, jumbo, "%u", jumbo);

              tree_get (d, ji)->is_network_order = TRUE;  /* a u32 in a 6-byte option */
            }
          continue;
        }
      if (!cap_cursor_skip (c, optlen))
        {
          fail (d, c, ipv6_option_name (type), optlen);
          return;
        }
      add_text (d, "IPv6 option", offset, 2u + optlen, "%s (0x%02x, %u bytes)",
                ipv6_option_name (type), type, 2u + optlen);
    }
}

static const char *
ipv6_ext_name (guint8 nxt)
{
  switch (nxt)
    {
    case 0: return "IPv6 Hop-by-Hop Option";
    case 43: return "Routing Header for IPv6";
    case 44: return "Fragment Header for IPv6";
    case 60: return "Destination Options for IPv6";
    case 51: return "Authentication Header";
    default: return "IPv6 extension header";
    }
}

/* One extension header; returns FALSE to stop. Sets *nxt to the next one. */
static gboolean
dissect_ipv6_ext (CapDissect *d,
                  CapCursor  *c,
                  guint8     *nxt,
                  gboolean   *later_fragment)
{
  CapSummary *s = d->sum;
  guint8 this = *nxt, next = 0, hlen8 = 0;
  guint32 start = c->pos, total;
  gboolean ok = FALSE;
  gint index;

  index = node_begin (d, ipv6_ext_name (this), start);
  {
    guint32 off = c->pos;

    if (!cap_get_u8 (c, &next))
      {
        fail (d, c, "Next header", 1);
        goto out;
      }
    add_proto (d, "Next header", off, next);
  }

  if (this == 44)
    {
      guint8 reserved;
      guint16 offm;
      guint32 ident;

      total = 8;
      if (!field_u8 (d, c, "Reserved", &reserved))
        goto out;
      {
        guint32 off = c->pos;

        if (!cap_get_u16be (c, &offm))
          {
            fail (d, c, "Offset", 2);
            goto out;
          }
        add_uint (d, "Offset", off, 2, offm >> 3, "%u bytes (%u)", (offm >> 3) * 8u, offm >> 3);
        add_uint (d, "More fragments", off + 1, 1, offm & 1, "%s", offm & 1 ? "Yes" : "No");
      }
      if (!field_u32 (d, c, "Identification", TRUE, &ident))
        goto out;
      s->flags |= CAP_SUMMARY_FRAGMENT;
      s->frag_offset = (offm >> 3) * 8u;
      s->ip_id = ident;
      *later_fragment = (offm >> 3) != 0;
    }
  else
    {
      if (!field_u8 (d, c, "Length", &hlen8))
        goto out;
      /* AH counts 4-byte units minus 2, the others 8-byte units minus 1 */
      total = this == 51 ? (hlen8 + 2u) * 4 : (hlen8 + 1u) * 8;
      if (TREE (d))
        {
          CapField *f = tree_get (d, d->fields->len - 1);

          g_free (f->display);
          f->display = g_strdup_printf ("Length: %u (%u bytes)", hlen8, total);
        }
      if (total > c->reported_end - start)
        {
          malformed (d, start + 1, "%s is %u bytes, but only %u are left",
                     ipv6_ext_name (this), total, c->reported_end - start);
          goto out;
        }
      if (this == 0 || this == 60)
        {
          CapCursor oc = *c;

          cap_cursor_limit (&oc, total - 2);
          dissect_ipv6_options (d, &oc);
          if (oc.error != CAP_CURSOR_OK)
            goto out;
        }
      else if (this == 43)
        {
          guint8 rtype, left;

          if (!field_u8 (d, c, "Type", &rtype) || !field_u8 (d, c, "Segments left", &left))
            goto out;
          if (total > 4)
            add_text (d, "Type-specific data", c->pos,
                      MIN (total - 4, cap_cursor_captured_left (c)), "%u bytes", total - 4);
        }
      if (!cap_cursor_skip (c, total - (c->pos - start)))
        {
          fail (d, c, ipv6_ext_name (this), total - (c->pos - start));
          goto out;
        }
    }
  *nxt = next;
  ok = TRUE;

out:
  node_end (d, index, c->pos, NULL);
  return ok;
}

static void
dissect_ipv6 (CapDissect *d,
              CapCursor  *c)
{
  CapSummary *s = d->sum;
  guint32 start = c->pos, vtf = 0;
  guint16 plen = 0;
  guint8 nxt = 0, hlim = 0;
  guint8 src[16] = { 0 }, dst[16] = { 0 };
  gboolean ok = FALSE, later_fragment = FALSE;
  guint n;
  gint index;

  s->network_offset = start;
  index = layer_begin (d, CAP_LAYER_NETWORK, "Internet Protocol Version 6", start);
  if (!cap_get_u32be (c, &vtf))
    {
      fail (d, c, "Version, traffic class and flow label", 4);
      goto out;
    }
  if (TREE (d))
    {
      gint i;

      add_uint (d, "Version", start, 1, vtf >> 28, "%u", vtf >> 28);
      i = add_uint (d, "Traffic class", start, 2, (vtf >> 20) & 0xff, "0x%02x (DSCP %u, ECN %u)",
                    (vtf >> 20) & 0xff, (vtf >> 22) & 0x3f, (vtf >> 20) & 3);
      tree_get (d, i)->is_network_order = FALSE;  /* 8 bits straddling two bytes */
      add_uint (d, "Flow label", start + 1, 3, vtf & 0xfffff, "0x%05x", vtf & 0xfffff);
    }
  if ((vtf >> 28) != 6)
    {
      malformed (d, start, "IP version %u where IPv6 was expected", vtf >> 28);
      goto out;
    }
  if (!field_u16 (d, c, "Payload length", FALSE, &plen))
    goto out;
  /* 0 means a jumbogram or a TSO capture: the frame says how long */
  limit_datagram (d, c, start, start + 4, plen ? 40u + plen : c->reported_end - start,
                  "IPv6 payload length");
  {
    guint32 off = c->pos;

    if (!cap_get_u8 (c, &nxt))
      {
        fail (d, c, "Next header", 1);
        goto out;
      }
    add_proto (d, "Next header", off, nxt);
  }
  if (!field_u8 (d, c, "Hop limit", &hlim))
    goto out;
  s->ttl = hlim;
  if (!field_addr (d, c, "Source address", 6, src)
      || !field_addr (d, c, "Destination address", 6, dst))
    goto out;
  memcpy (s->src, src, 16);
  memcpy (s->dst, dst, 16);
  s->family = 6;

  /* each header is at least 8 bytes, but a bound keeps the walk cheap
   * whatever the lengths say */
  for (n = 0; n < CAP_MAX_IPV6_EXT && ipv6_is_extension (nxt) && !later_fragment; n++)
    if (!dissect_ipv6_ext (d, c, &nxt, &later_fragment))
      goto out;
  if (n == CAP_MAX_IPV6_EXT && ipv6_is_extension (nxt))
    {
      malformed (d, c->pos, "more than %u IPv6 extension headers", CAP_MAX_IPV6_EXT);
      goto out;
    }
  s->ip_proto = nxt;
  ok = TRUE;

out:
  if (TREE (d))
    {
      char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

      format_addr (6, src, a, sizeof a);
      format_addr (6, dst, b, sizeof b);
      if (s->family == 6)
        layer_end (d, index, c->pos, "Internet Protocol Version 6, Src: %s, Dst: %s", a, b);
      else
        layer_end (d, index, c->pos, "Internet Protocol Version 6");
    }
  else
    layer_end (d, index, c->pos, NULL);

  if (!ok)
    return;
  if (later_fragment)
    {
      s->payload_offset = c->pos;
      s->payload_len = cap_cursor_reported_left (c);
      dissect_data (d, c, "Fragment data", s->payload_len);
      return;
    }
  dissect_transport (d, c, nxt, 6);
}

/* The version nibble decides, whatever the link layer claimed. */
static void
dissect_ip_any (CapDissect *d,
                CapCursor  *c,
                guint8      version)
{
  if (version == 6)
    dissect_ipv6 (d, c);
  else
    dissect_ipv4 (d, c);
}

/* ---- link ------------------------------------------------------------------- */

static const char *
ethertype_name (guint16 type)
{
  switch (type)
    {
    case 0x0800: return "IPv4";
    case 0x0806: return "ARP";
    case 0x86dd: return "IPv6";
    case 0x8100: return "802.1Q Virtual LAN";
    case 0x88a8: return "802.1ad";
    case 0x9100: return "802.1Q (QinQ)";
    case 0x88cc: return "LLDP";
    default: return "Unknown";
    }
}

static gboolean
field_ethertype (CapDissect *d,
                 CapCursor  *c,
                 const char *name,
                 guint16    *type)
{
  guint32 off = c->pos;

  if (!cap_get_u16be (c, type))
    return fail (d, c, name, 2);
  add_uint (d, name, off, 2, *type, "%s (0x%04x)", ethertype_name (*type), *type);
  return TRUE;
}

static gboolean
ethertype_is_vlan (guint16 type)
{
  return type == 0x8100 || type == 0x88a8 || type == 0x9100;
}

static void
dissect_ethertype (CapDissect *d,
                   CapCursor  *c,
                   guint16     type)
{
  guint tags = 0;

  while (ethertype_is_vlan (type))
    {
      guint32 start = c->pos;
      guint16 tci = 0;
      gint index;
      gboolean ok;

      if (tags++ == CAP_MAX_VLAN_TAGS)
        {
          malformed (d, start, "more than %u VLAN tags", CAP_MAX_VLAN_TAGS);
          return;
        }
      d->depth = d->base;
      index = layer_begin (d, CAP_LAYER_LINK, "802.1Q Virtual LAN", start);
      ok = cap_get_u16be (c, &tci);
      if (!ok)
        fail (d, c, "VLAN tag", 2);
      else
        {
          d->sum->vlan_id = tci & 0x0fff;
          add_uint (d, "Priority", start, 1, tci >> 13, "%u", tci >> 13);
          add_uint (d, "DEI", start, 1, (tci >> 12) & 1, "%u", (tci >> 12) & 1);
          add_uint (d, "ID", start, 2, tci & 0x0fff, "%u", tci & 0x0fff);
          ok = field_ethertype (d, c, "Type", &type);
        }
      layer_end (d, index, c->pos, "802.1Q Virtual LAN, PRI: %u, DEI: %u, ID: %u",
                 tci >> 13, (tci >> 12) & 1, tci & 0x0fff);
      if (!ok)
        return;
    }

  d->sum->ethertype = type;
  if (type == 0x0800 || type == 0x86dd)
    {
      guint8 vhl;
      CapCursor peek = *c;

      if (!cap_get_u8 (&peek, &vhl) || (vhl >> 4) == (type == 0x0800 ? 4 : 6))
        dissect_ip_any (d, c, type == 0x0800 ? 4 : 6);
      else
        {
          /* dissect what the header really is, and say the link lied */
          malformed (d, c->pos, "ethertype %s carries IP version %u",
                     ethertype_name (type), vhl >> 4);
          dissect_ip_any (d, c, vhl >> 4);
        }
    }
  else
    dissect_data (d, c, "Data", cap_cursor_reported_left (c));
}

static void
dissect_ethernet (CapDissect *d,
                  CapCursor  *c)
{
  guint8 dst[6] = { 0 }, src[6] = { 0 };
  guint16 type = 0;
  gboolean ok;
  gint index;

  index = layer_begin (d, CAP_LAYER_LINK, "Ethernet II", 0);
  ok = field_mac (d, c, "Destination", dst) && field_mac (d, c, "Source", src)
       && field_ethertype (d, c, "Type", &type);
  if (TREE (d))
    {
      char a[24], b[24];

      format_mac (src, 6, a, sizeof a);
      format_mac (dst, 6, b, sizeof b);
      layer_end (d, index, c->pos, "Ethernet II, Src: %s, Dst: %s", a, b);
    }
  else
    layer_end (d, index, c->pos, NULL);
  if (!ok)
    return;
  if (type < 0x0600)
    {
      /* an 802.3 length field: LLC follows, not IP */
      dissect_data (d, c, "Logical-Link Control", cap_cursor_reported_left (c));
      return;
    }
  dissect_ethertype (d, c, type);
}

static const char *
sll_pkttype_name (guint16 type)
{
  switch (type)
    {
    case 0: return "Unicast to us";
    case 1: return "Broadcast";
    case 2: return "Multicast";
    case 3: return "Unicast to another host";
    case 4: return "Sent by us";
    default: return "Unknown";
    }
}

static gboolean
field_sll_address (CapDissect *d,
                   CapCursor  *c,
                   guint16     addr_len)
{
  guint32 off = c->pos;
  guint8 addr[8];
  char buf[32];

  if (!cap_get_bytes (c, addr, 8))
    return fail (d, c, "Source", 8);
  if (TREE (d))
    {
      format_mac (addr, MIN (addr_len, 8), buf, sizeof buf);
      add_text (d, "Source", off, 8, "%s", buf);
    }
  return TRUE;
}

static void
dissect_sll_payload (CapDissect *d,
                     CapCursor  *c,
                     guint16     hatype,
                     guint16     proto)
{
  /* netlink captures carry a netlink family, and 1/4 mean 802.3 / 802.2 */
  if (hatype == 824 || proto < 0x0600)
    dissect_data (d, c, "Data", cap_cursor_reported_left (c));
  else
    dissect_ethertype (d, c, proto);
}

static void
dissect_sll (CapDissect *d,
             CapCursor  *c)
{
  guint16 pkttype = 0, hatype = 0, alen = 0, proto = 0;
  gboolean ok;
  gint index;

  index = layer_begin (d, CAP_LAYER_LINK, "Linux cooked capture v1", 0);
  {
    guint32 off = c->pos;

    ok = cap_get_u16be (c, &pkttype);
    if (!ok)
      fail (d, c, "Packet type", 2);
    else
      add_uint (d, "Packet type", off, 2, pkttype, "%s (%u)", sll_pkttype_name (pkttype), pkttype);
  }
  ok = ok && field_u16 (d, c, "Link-layer address type", FALSE, &hatype)
       && field_u16 (d, c, "Link-layer address length", FALSE, &alen)
       && field_sll_address (d, c, alen)
       && field_ethertype (d, c, "Protocol", &proto);
  layer_end (d, index, c->pos, NULL);
  if (ok)
    dissect_sll_payload (d, c, hatype, proto);
}

static void
dissect_sll2 (CapDissect *d,
              CapCursor  *c)
{
  guint16 proto = 0, reserved, hatype = 0;
  guint32 ifindex;
  guint8 pkttype = 0, alen = 0;
  gboolean ok;
  gint index;

  index = layer_begin (d, CAP_LAYER_LINK, "Linux cooked capture v2", 0);
  ok = field_ethertype (d, c, "Protocol", &proto)
       && field_u16 (d, c, "Reserved", TRUE, &reserved)
       && field_u32 (d, c, "Interface index", FALSE, &ifindex)
       && field_u16 (d, c, "Link-layer address type", FALSE, &hatype);
  if (ok)
    {
      guint32 off = c->pos;

      ok = cap_get_u8 (c, &pkttype);
      if (!ok)
        fail (d, c, "Packet type", 1);
      else
        add_uint (d, "Packet type", off, 1, pkttype, "%s (%u)", sll_pkttype_name (pkttype), pkttype);
    }
  ok = ok && field_u8 (d, c, "Link-layer address length", &alen)
       && field_sll_address (d, c, alen);
  layer_end (d, index, c->pos, NULL);
  if (ok)
    dissect_sll_payload (d, c, hatype, proto);
}

/* Raw IP: no link header; the version nibble (or the link type) decides. */
static void
dissect_raw (CapDissect *d,
             CapCursor  *c,
             guint8      forced_version)
{
  guint8 vhl = 0;
  CapCursor peek = *c;
  gint index;

  index = layer_begin (d, CAP_LAYER_LINK, "Raw packet data", 0);
  layer_end (d, index, 0, NULL);
  if (forced_version != 0)
    {
      dissect_ip_any (d, c, forced_version);
      return;
    }
  if (!cap_get_u8 (&peek, &vhl))
    {
      fail (d, &peek, "IP version", 1);
      return;
    }
  if ((vhl >> 4) != 4 && (vhl >> 4) != 6)
    {
      malformed (d, 0, "raw IP packet with version %u", vhl >> 4);
      dissect_data (d, c, "Data", cap_cursor_reported_left (c));
      return;
    }
  dissect_ip_any (d, c, vhl >> 4);
}

static guint8
bsd_af_version (guint32 af)
{
  switch (af)
    {
    case 2:
      return 4;
    case 10: /* Linux */
    case 23: /* Windows */
    case 24: /* NetBSD, OpenBSD, BSD/OS */
    case 28: /* FreeBSD, DragonFly */
    case 30: /* macOS */
      return 6;
    default:
      return 0;
    }
}

/* DLT_NULL stores the AF in the capturing host's byte order, which a file
 * does not record; AF values fit in 16 bits, so swap when they don't. */
static void
dissect_null (CapDissect *d,
              CapCursor  *c,
              gboolean    network_order)
{
  guint32 af = 0;
  guint8 version = 0;
  gboolean ok;
  gint index;

  index = layer_begin (d, CAP_LAYER_LINK, "Null/Loopback", 0);
  ok = cap_get_u32be (c, &af);
  if (!ok)
    fail (d, c, "Family", 4);
  else
    {
      gint fi;

      if (!network_order && (af & 0xffff0000u))
        af = GUINT32_SWAP_LE_BE (af);
      version = bsd_af_version (af);
      fi = add_uint (d, "Family", 0, 4, af, "%s (%u)%s",
                     version == 4 ? "IP" : version == 6 ? "IPv6" : "Unknown", af,
                     network_order ? "" : ", host byte order");
      if (fi >= 0)
        tree_get (d, fi)->is_network_order = network_order;
    }
  layer_end (d, index, c->pos, NULL);
  if (!ok)
    return;
  if (version == 0)
    dissect_data (d, c, "Data", cap_cursor_reported_left (c));
  else
    dissect_ip_any (d, c, version);
}

static const guint32 supported_linktypes[] = {
  CAP_LINKTYPE_ETHERNET, CAP_LINKTYPE_LINUX_SLL, CAP_LINKTYPE_LINUX_SLL2, CAP_LINKTYPE_RAW,
  CAP_LINKTYPE_IPV4, CAP_LINKTYPE_IPV6, CAP_LINKTYPE_NULL, CAP_LINKTYPE_LOOP,
  CAP_LINKTYPE_DLT_RAW12, CAP_LINKTYPE_DLT_RAW14,
};

/* The link types this dissector reads, in a fixed order (the fuzzer's
 * first byte indexes it). */
const guint32 *
cap_linktypes_supported (guint *n_out)
{
  if (n_out != NULL)
    *n_out = G_N_ELEMENTS (supported_linktypes);
  return supported_linktypes;
}

gboolean
cap_linktype_is_supported (guint32 linktype)
{
  switch (linktype)
    {
    case CAP_LINKTYPE_NULL:
    case CAP_LINKTYPE_ETHERNET:
    case CAP_LINKTYPE_DLT_RAW12:
    case CAP_LINKTYPE_DLT_RAW14:
    case CAP_LINKTYPE_RAW:
    case CAP_LINKTYPE_LOOP:
    case CAP_LINKTYPE_LINUX_SLL:
    case CAP_LINKTYPE_IPV4:
    case CAP_LINKTYPE_IPV6:
    case CAP_LINKTYPE_LINUX_SLL2:
      return TRUE;
    default:
      return FALSE;
    }
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
  cap_cursor_init (&c, data, caplen, len);

  switch (linktype)
    {
    case CAP_LINKTYPE_ETHERNET:
      dissect_ethernet (d, &c);
      break;
    case CAP_LINKTYPE_LINUX_SLL:
      dissect_sll (d, &c);
      break;
    case CAP_LINKTYPE_LINUX_SLL2:
      dissect_sll2 (d, &c);
      break;
    case CAP_LINKTYPE_RAW:
    case CAP_LINKTYPE_DLT_RAW12:
    case CAP_LINKTYPE_DLT_RAW14:
      dissect_raw (d, &c, 0);
      break;
    case CAP_LINKTYPE_IPV4:
      dissect_raw (d, &c, 4);
      break;
    case CAP_LINKTYPE_IPV6:
      dissect_raw (d, &c, 6);
      break;
    case CAP_LINKTYPE_NULL:
      dissect_null (d, &c, FALSE);
      break;
    case CAP_LINKTYPE_LOOP:
      dissect_null (d, &c, TRUE);
      break;
    default:
      s->flags |= CAP_SUMMARY_UNSUPPORTED_LINK;
      d->depth = 0;
      d->layer = CAP_LAYER_LINK;
      if (TREE (d))
        tree_push (d, "Unsupported link type",
                   g_strdup_printf ("Unsupported link type %u (%u bytes)", linktype, len),
                   0, MIN (caplen, len), linktype, FALSE, CAP_FIELD_PROTOCOL);
      break;
    }

  d->depth = 0;
  /* bytes after the IP datagram: Ethernet padding or a trailer */
  net_end = s->network_offset + s->ip_len;
  if (TREE (d) && s->ip_len > 0 && net_end < MAX (len, caplen) && net_end <= caplen)
    {
      d->layer = CAP_LAYER_LINK;
      tree_push (d, "Trailer",
                 g_strdup_printf ("Trailer (%u bytes)", MAX (len, caplen) - net_end),
                 net_end, caplen - net_end, 0, FALSE, 0);
    }
  if (caplen > len && len != 0)
    {
      d->layer = CAP_LAYER_LINK;
      malformed (d, len, "captured length %u is more than the packet length %u", caplen, len);
    }
  if (caplen < len)
    {
      d->layer = CAP_LAYER_LINK;
      note_error (d, CAP_SUMMARY_TRUNCATED, caplen,
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

/* ---- text for the timeline ------------------------------------------------ */

void
cap_summary_format_address (guint8        family,
                            const guint8 *addr,
                            GString      *out)
{
  char buf[INET6_ADDRSTRLEN];

  if (family != 4 && family != 6)
    {
      g_string_append (out, "?");
      return;
    }
  format_addr (family, addr, buf, sizeof buf);
  g_string_append (out, buf);
}

static void
format_endpoint (guint8        family,
                 const guint8 *addr,
                 guint16       port,
                 GString      *out)
{
  if (family == 6)
    g_string_append_c (out, '[');
  cap_summary_format_address (family, addr, out);
  if (family == 6)
    g_string_append_c (out, ']');
  g_string_append_printf (out, ":%u", port);
}

/* Wireshark's order (FIN, SYN, RST, PSH, ACK, ...) reads as the textbook
 * does: "SYN/ACK", "FIN/ACK", "PSH/ACK". */
void
cap_tcp_flags_format (guint8      tcp_flags,
                      const char *separator,
                      GString    *out)
{
  static const char *names[] = { "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR" };
  gboolean first = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (tcp_flags & (1u << i))
      {
        if (!first)
          g_string_append (out, separator);
        g_string_append (out, names[i]);
        first = FALSE;
      }
  if (first)
    g_string_append (out, "no flags");
}

/* "port unreachable", "echo request": the lower-case words after "ICMP ". */
static const char *
icmp_short_name (const CapSummary *s)
{
  gboolean v6 = s->ip_proto == 58;

  if (!v6)
    switch (s->icmp_type)
      {
      case 0: return "echo reply";
      case 8: return "echo request";
      case 3: return icmp_unreach_name (s->icmp_code) ? icmp_unreach_name (s->icmp_code)
                                                       : "destination unreachable";
      case 4: return "source quench";
      case 5: return "redirect";
      case 11: return "time exceeded";
      case 12: return "parameter problem";
      default: return NULL;
      }
  switch (s->icmp_type)
    {
    case 128: return "echo request";
    case 129: return "echo reply";
    case 1: return icmp6_unreach_name (s->icmp_code) ? icmp6_unreach_name (s->icmp_code)
                                                      : "destination unreachable";
    case 2: return "packet too big";
    case 3: return "time exceeded";
    case 4: return "parameter problem";
    case 133: return "router solicitation";
    case 134: return "router advertisement";
    case 135: return "neighbor solicitation";
    case 136: return "neighbor advertisement";
    case 137: return "redirect";
    default: return NULL;
    }
}

static void
format_icmp_name (const CapSummary *s,
                  GString          *out)
{
  const char *name = icmp_short_name (s);

  g_string_append (out, s->ip_proto == 58 ? "ICMPv6 " : "ICMP ");
  if (name != NULL)
    g_string_append (out, name);
  else
    g_string_append_printf (out, "type %u code %u", s->icmp_type, s->icmp_code);
}

/**
 * cap_summary_format_label:
 *
 * The short text on a timeline arrow, as a textbook draws it: "SYN",
 * "SYN/ACK", "PSH/ACK len=12", "UDP len=5", "ICMP port unreachable".
 */
void
cap_summary_format_label (const CapSummary *s,
                          GString          *out)
{
  g_return_if_fail (s != NULL);
  g_return_if_fail (out != NULL);

  if (s->family == 0)
    {
      g_string_append (out, s->flags & CAP_SUMMARY_UNSUPPORTED_LINK ? "unsupported link" : "non-IP");
      return;
    }
  if (s->frag_offset != 0)
    {
      g_string_append_printf (out, "IPv%u fragment", s->family);
      return;
    }
  switch (s->ip_proto)
    {
    case 6:
      cap_tcp_flags_format (s->tcp_flags, "/", out);
      if (s->payload_len > 0)
        g_string_append_printf (out, " len=%u", s->payload_len);
      break;
    case 17:
      g_string_append_printf (out, "UDP len=%u", s->payload_len);
      break;
    case 1:
    case 58:
      format_icmp_name (s, out);
      break;
    default:
      {
        const char *name = cap_ip_proto_name (s->ip_proto);

        if (name != NULL)
          g_string_append (out, name);
        else
          g_string_append_printf (out, "IP proto %u", s->ip_proto);
      }
      break;
    }
}

static void
format_flag_suffix (const CapSummary *s,
                    GString          *out)
{
  if (s->flags & CAP_SUMMARY_FRAGMENT)
    g_string_append (out, " [fragment]");
  if (s->flags & CAP_SUMMARY_MALFORMED)
    g_string_append (out, " [malformed]");
  if (s->flags & CAP_SUMMARY_TRUNCATED)
    g_string_append (out, " [truncated]");
}

static void
format_tcp_line (const CapSummary *s,
                 gboolean          relative,
                 guint32           seq_base,
                 guint32           ack_base,
                 GString          *out)
{
  if (!relative)
    seq_base = ack_base = 0;
  g_string_append (out, "TCP [");
  cap_tcp_flags_format (s->tcp_flags, ", ", out);
  g_string_append_printf (out, "] seq=%u", s->seq - seq_base);
  if (s->tcp_flags & CAP_TCP_ACK)
    g_string_append_printf (out, " ack=%u", s->ack - ack_base);
  g_string_append_printf (out, " win=%u", s->window);
  if (s->payload_len > 0)
    g_string_append_printf (out, " len=%u", s->payload_len);
  if (s->mss != 0)
    g_string_append_printf (out, " mss=%u", s->mss);
  if (s->wscale >= 0)
    g_string_append_printf (out, " ws=%d", s->wscale);
  if (s->sack_perm)
    g_string_append (out, " sack_perm");
  for (guint i = 0; i < s->n_sack && i < CAP_SUMMARY_MAX_SACK; i++)
    g_string_append_printf (out, " sack=%u-%u", s->sack[i].left - ack_base,
                            s->sack[i].right - ack_base);
}

/**
 * cap_summary_format_line:
 * @relative: subtract @seq_base from seq and @ack_base from ack and SACK
 *
 * One line for the packet list, after the caller's time and "client ->
 * server": "TCP [PSH, ACK] seq=1 ack=1 win=512 len=5",
 * "UDP 127.0.0.1:40000 -> 127.0.0.1:9000 len=5".
 */
void
cap_summary_format_line (const CapSummary *s,
                         gboolean          relative,
                         guint32           seq_base,
                         guint32           ack_base,
                         GString          *out)
{
  g_return_if_fail (s != NULL);
  g_return_if_fail (out != NULL);

  if (s->family == 0)
    {
      if (s->flags & CAP_SUMMARY_UNSUPPORTED_LINK)
        g_string_append (out, "unsupported link type");
      else if (s->ethertype != 0)
        g_string_append_printf (out, "non-IP ethertype 0x%04x", s->ethertype);
      else
        g_string_append (out, "non-IP");
      format_flag_suffix (s, out);
      return;
    }
  if (s->frag_offset != 0)
    {
      const char *name = cap_ip_proto_name (s->ip_proto);

      g_string_append_printf (out, "IPv%u fragment id=0x%x offset=%u len=%u", s->family,
                              s->ip_id, s->frag_offset, s->payload_len);
      if (name != NULL)
        g_string_append_printf (out, " (%s)", name);
      format_flag_suffix (s, out);
      return;
    }

  switch (s->ip_proto)
    {
    case 6:
      format_tcp_line (s, relative, seq_base, ack_base, out);
      break;
    case 17:
      g_string_append (out, "UDP ");
      format_endpoint (s->family, s->src, s->sport, out);
      g_string_append (out, " -> ");
      format_endpoint (s->family, s->dst, s->dport, out);
      g_string_append_printf (out, " len=%u", s->payload_len);
      break;
    case 1:
    case 58:
      {
        gboolean v6 = s->ip_proto == 58;
        gboolean echo = v6 ? (s->icmp_type == 128 || s->icmp_type == 129)
                           : (s->icmp_type == 0 || s->icmp_type == 8);
        gboolean unreach = s->icmp_type == (v6 ? 1 : 3);

        if (unreach)
          {
            const char *why = v6 ? icmp6_unreach_name (s->icmp_code)
                                 : icmp_unreach_name (s->icmp_code);

            g_string_append (out, v6 ? "ICMPv6 destination unreachable" : "ICMP destination unreachable");
            if (why != NULL)
              g_string_append_printf (out, " (%s)", why);
            else
              g_string_append_printf (out, " (code %u)", s->icmp_code);
          }
        else
          format_icmp_name (s, out);
        if (echo)
          g_string_append_printf (out, " id=0x%04x seq=%u", s->icmp_id, s->icmp_seq);
        if (s->flags & CAP_SUMMARY_QUOTED)
          {
            const char *name = cap_ip_proto_name (s->quoted_proto);

            g_string_append (out, " for ");
            if (name != NULL)
              g_string_append_printf (out, "%s ", name);
            else
              g_string_append_printf (out, "proto %u ", s->quoted_proto);
            if (s->quoted_proto == 6 || s->quoted_proto == 17)
              {
                format_endpoint (s->quoted_family, s->quoted_src, s->quoted_sport, out);
                g_string_append (out, " -> ");
                format_endpoint (s->quoted_family, s->quoted_dst, s->quoted_dport, out);
              }
            else
              {
                cap_summary_format_address (s->quoted_family, s->quoted_src, out);
                g_string_append (out, " -> ");
                cap_summary_format_address (s->quoted_family, s->quoted_dst, out);
              }
          }
      }
      break;
    default:
      {
        const char *name = cap_ip_proto_name (s->ip_proto);

        if (name != NULL)
          g_string_append (out, name);
        else
          g_string_append_printf (out, "IP proto %u", s->ip_proto);
        g_string_append_c (out, ' ');
        cap_summary_format_address (s->family, s->src, out);
        g_string_append (out, " -> ");
        cap_summary_format_address (s->family, s->dst, out);
        g_string_append_printf (out, " len=%u", s->payload_len);
      }
      break;
    }
  format_flag_suffix (s, out);
}
