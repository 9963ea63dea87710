/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-dissect-private.h: what the dissector's files share, and nothing else
 * sees (tests aside). One file per layer, as tcpdump keeps one per protocol:
 *   cap-dissect.c        a frame: link dispatch, trailer, the entry points;
 *                        field readers shared by every layer
 *   cap-dissect-tree.c   the field tree builder and its public API, errors
 *   cap-dissect-link.c   Ethernet/VLAN, Linux cooked (SLL, SLL2), raw, null
 *   cap-dissect-ip.c     IPv4, IPv6 and its extension headers, the transport
 *                        dispatch
 *   cap-dissect-tcp.c, cap-dissect-udp.c, cap-dissect-icmp.c
 *   cap-dissect-text.c   a summary as the timeline's text
 * Every layer reads its bytes only through the bounds-checked cursor below
 * (tcpdump's GET_BE_U_2 / ND_TCHECK): a packet may end at any byte.
 */
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "cap-dissect.h"

G_BEGIN_DECLS

#define CAP_TREE_MAX_DEPTH   16
#define CAP_MAX_VLAN_TAGS    8   /* QinQ uses two; more is an attack or noise */
#define CAP_MAX_IPV6_EXT     16  /* extension headers followed before giving up */
#define CAP_TEXT_PREVIEW_MAX 64

/* ---- bounds-checked byte access --------------------------------------- */

/* Why two ends: a read past captured_end means the snapshot length cut the
 * packet (truncated); a read past reported_end means a header claims more
 * bytes than the packet has (malformed). Like Wireshark's captured and
 * reported tvb lengths, or tcpdump's ND_TCHECK. */
typedef enum
{
  CAP_CURSOR_OK = 0,
  CAP_CURSOR_TRUNCATED,
  CAP_CURSOR_MALFORMED,
} CapCursorError;

typedef struct
{
  const guint8 *data;
  guint32       pos;
  guint32       captured_end;  /* never read at or past this */
  guint32       reported_end;  /* where the packet (or header) really ends */
  guint8        error;         /* CapCursorError of the first failed read */
} CapCursor;

static inline void
cap_cursor_init (CapCursor    *c,
                 const guint8 *data,
                 guint32       caplen,
                 guint32       len)
{
  c->data = data;
  c->pos = 0;
  c->reported_end = MAX (len, caplen);
  c->captured_end = data != NULL ? caplen : 0;
  c->error = CAP_CURSOR_OK;
}

/* Are n more bytes readable at the cursor? Records why not. */
static inline gboolean
cap_cursor_check (CapCursor *c,
                  guint32    n)
{
  if (G_LIKELY (n <= c->captured_end - c->pos))
    return TRUE;
  if (c->error == CAP_CURSOR_OK)
    c->error = n > c->reported_end - c->pos ? CAP_CURSOR_MALFORMED : CAP_CURSOR_TRUNCATED;
  return FALSE;
}

static inline gboolean
cap_get_u8 (CapCursor *c,
            guint8    *out)
{
  if (!cap_cursor_check (c, 1))
    return FALSE;
  *out = c->data[c->pos];
  c->pos += 1;
  return TRUE;
}

static inline gboolean
cap_get_u16be (CapCursor *c,
               guint16   *out)
{
  if (!cap_cursor_check (c, 2))
    return FALSE;
  *out = (guint16) ((c->data[c->pos] << 8) | c->data[c->pos + 1]);
  c->pos += 2;
  return TRUE;
}

static inline gboolean
cap_get_u32be (CapCursor *c,
               guint32   *out)
{
  const guint8 *p;

  if (!cap_cursor_check (c, 4))
    return FALSE;
  p = c->data + c->pos;
  *out = ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
  c->pos += 4;
  return TRUE;
}

static inline gboolean
cap_get_bytes (CapCursor *c,
               guint8    *out,
               guint32    n)
{
  if (!cap_cursor_check (c, n))
    return FALSE;
  memcpy (out, c->data + c->pos, n);
  c->pos += n;
  return TRUE;
}

static inline gboolean
cap_cursor_skip (CapCursor *c,
                 guint32    n)
{
  if (!cap_cursor_check (c, n))
    return FALSE;
  c->pos += n;
  return TRUE;
}

/* Bytes that may still be read (captured) / that the packet still has. */
static inline guint32
cap_cursor_captured_left (const CapCursor *c)
{
  return c->captured_end - c->pos;
}

static inline guint32
cap_cursor_reported_left (const CapCursor *c)
{
  return c->reported_end - c->pos;
}

/* Narrow the cursor to the next @reported_len bytes (a header's length
 * field). Never widens. Returns FALSE if the packet is shorter than that
 * (the caller decides whether that is malformed). */
static inline gboolean
cap_cursor_limit (CapCursor *c,
                  guint32    reported_len)
{
  gboolean fits = reported_len <= c->reported_end - c->pos;

  if (fits)
    c->reported_end = c->pos + reported_len;
  c->captured_end = MIN (c->captured_end, c->reported_end);
  return fits;
}

/* ---- the dissection in progress ------------------------------------------ */

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

/* ---- the tree builder (cap-dissect-tree.c) ------------------------------ */

void cap_field_clear         (gpointer    p);
gint cap_dissect_tree_push   (CapDissect *d,
                              const char *name,
                              char       *display,
                              guint32     offset,
                              guint32     length,
                              guint64     value,
                              gboolean    is_integer,
                              guint8      flags);
G_GNUC_PRINTF (6, 7)
gint cap_dissect_add_uint    (CapDissect *d,
                              const char *name,
                              guint32     offset,
                              guint32     length,
                              guint64     value,
                              const char *format,
                              ...);
G_GNUC_PRINTF (5, 6)
gint cap_dissect_add_text    (CapDissect *d,
                              const char *name,
                              guint32     offset,
                              guint32     length,
                              const char *format,
                              ...);
G_GNUC_PRINTF (4, 5)
void cap_dissect_node_end    (CapDissect *d,
                              gint        index,
                              guint32     end,
                              const char *format,
                              ...);

/* Macros so that on the fast path the arguments (names, formatted values)
 * are not even evaluated: this runs for every field of every packet. */
#define add_uint(d, ...) (TREE (d) ? cap_dissect_add_uint ((d), __VA_ARGS__) : -1)
#define add_text(d, ...) (TREE (d) ? cap_dissect_add_text ((d), __VA_ARGS__) : -1)

static inline CapField *
tree_get (CapDissect *d,
          gint        index)
{
  return &g_array_index (d->fields, CapField, index);
}

/* A parent node whose length and text are known only once its children
 * are read: node_begin, children one level deeper, cap_dissect_node_end. */
static inline gint
node_begin (CapDissect *d,
            const char *name,
            guint32     offset)
{
  gint index = -1;

  if (TREE (d))
    index = cap_dissect_tree_push (d, name, g_strdup (name), offset, 0, 0, FALSE, 0);
  d->depth++;
  return index;
}

/* Layers are parent nodes at the base depth, fields one below. */
static inline gint
layer_begin (CapDissect *d,
             CapLayer    layer,
             const char *name,
             guint32     offset)
{
  gint index = -1;

  d->layer = layer;
  d->depth = d->base;
  if (TREE (d))
    index = cap_dissect_tree_push (d, name, g_strdup (name), offset, 0, 0, FALSE,
                                   CAP_FIELD_PROTOCOL);
  d->depth = d->base + 1;
  return index;
}

#define layer_end(d, index, end, ...) \
  G_STMT_START { cap_dissect_node_end ((d), (index), (end), __VA_ARGS__); (d)->depth = (d)->base + 1; } G_STMT_END

/* ---- errors (cap-dissect-tree.c) ------------------------------------------ */

void     cap_dissect_note_error (CapDissect *d,
                                 guint32     flag,
                                 guint32     offset,
                                 char       *message);
gboolean cap_dissect_fail       (CapDissect *d,
                                 CapCursor  *c,
                                 const char *what,
                                 guint32     need);
G_GNUC_PRINTF (3, 4)
void     cap_dissect_malformed  (CapDissect *d,
                                 guint32     offset,
                                 const char *format,
                                 ...);

/* ---- reading fields (cap-dissect.c; the small ones inline: hot) ---------- */

static inline gboolean
field_u8 (CapDissect *d,
          CapCursor  *c,
          const char *name,
          guint8     *out)
{
  guint32 offset = c->pos;

  if (!cap_get_u8 (c, out))
    return cap_dissect_fail (d, c, name, 1);
  add_uint (d, name, offset, 1, *out, "%u", *out);
  return TRUE;
}

static inline gboolean
field_u16 (CapDissect *d,
           CapCursor  *c,
           const char *name,
           gboolean    hex,
           guint16    *out)
{
  guint32 offset = c->pos;

  if (!cap_get_u16be (c, out))
    return cap_dissect_fail (d, c, name, 2);
  if (hex)
    add_uint (d, name, offset, 2, *out, "0x%04x", *out);
  else
    add_uint (d, name, offset, 2, *out, "%u", *out);
  return TRUE;
}

static inline gboolean
field_u32 (CapDissect *d,
           CapCursor  *c,
           const char *name,
           gboolean    hex,
           guint32    *out)
{
  guint32 offset = c->pos;

  if (!cap_get_u32be (c, out))
    return cap_dissect_fail (d, c, name, 4);
  if (hex)
    add_uint (d, name, offset, 4, *out, "0x%08x", *out);
  else
    add_uint (d, name, offset, 4, *out, "%u", *out);
  return TRUE;
}

static inline gboolean
field_checksum (CapDissect *d,
                CapCursor  *c,
                guint16    *out)
{
  guint32 offset = c->pos;

  if (!cap_get_u16be (c, out))
    return cap_dissect_fail (d, c, "Checksum", 2);
  add_uint (d, "Checksum", offset, 2, *out, "0x%04x [unverified]", *out);
  return TRUE;
}

void     cap_dissect_format_mac  (const guint8 *mac,
                                  guint         n,
                                  char         *buf,
                                  gsize         size);
void     cap_dissect_format_addr (guint8        family,
                                  const guint8 *addr,
                                  char         *buf,
                                  gsize         size);
gboolean cap_dissect_field_mac   (CapDissect   *d,
                                  CapCursor    *c,
                                  const char   *name,
                                  guint8       *mac);
gboolean cap_dissect_field_addr  (CapDissect   *d,
                                  CapCursor    *c,
                                  const char   *name,
                                  guint8        family,
                                  guint8       *addr);
void     cap_dissect_data        (CapDissect   *d,
                                  CapCursor    *c,
                                  const char   *name,
                                  guint32       reported_len);

/* ---- the layers ----------------------------------------------------------- */

/* cap-dissect-link.c: %FALSE for a link type it does not read */
gboolean cap_dissect_link (CapDissect *d,
                           CapCursor  *c,
                           guint32     linktype);
/* cap-dissect-ip.c: the version nibble decides, whatever the link claimed */
void     cap_dissect_ip   (CapDissect *d,
                           CapCursor  *c,
                           guint8      version);
/* cap-dissect-tcp.c, -udp.c, -icmp.c */
void     cap_dissect_tcp  (CapDissect *d,
                           CapCursor  *c);
void     cap_dissect_udp  (CapDissect *d,
                           CapCursor  *c);
void     cap_dissect_icmp (CapDissect *d,
                           CapCursor  *c,
                           gboolean    v6);
const char *cap_dissect_icmp_unreach_name (gboolean v6,
                                           guint8   code);

G_END_DECLS
