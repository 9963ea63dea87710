/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-dissect-tcp.c: TCP: the header, its options and flags, then the payload. */

#include "config.h"

#include "cap-dissect-private.h"

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
      cap_dissect_malformed (d, start + 1, "TCP option %u has length %u, %u bytes of options left",
                             kind, optlen, cap_cursor_reported_left (c) + 2);
      goto out;
    }
  oc = *c;
  cap_cursor_limit (&oc, optlen - 2);
  if (!tcp_option_length_ok (kind, optlen))
    {
      cap_dissect_malformed (d, start + 1, "%s option with length %u", name, optlen);
      name = "Option with bad length";
      kind = 255;  /* show the bytes, parse nothing */
    }

  switch (kind)
    {
    case 2:
      {
        guint16 mss = 0;

        if (!field_u16 (d, &oc, "MSS value", FALSE, &mss))
          goto out;
        s->mss = mss;
        cap_dissect_node_end (d, index, start + optlen, "Maximum segment size: %u bytes", mss);
        ended = TRUE;
      }
      break;
    case 3:
      {
        guint8 shift = 0;

        if (!field_u8 (d, &oc, "Shift count", &shift))
          goto out;
        s->wscale = MIN (shift, 14);  /* RFC 7323: larger values mean 14 */
        cap_dissect_node_end (d, index, start + optlen, "Window scale: %u (multiply by %u)",
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
              cap_dissect_fail (d, &oc, "SACK block", 8);
              goto out;
            }
          add_text (d, "SACK block", off, 8, "%u-%u", b.left, b.right);
          if (i < CAP_SUMMARY_MAX_SACK)
            s->sack[s->n_sack++] = b;
        }
      break;
    case 8:
      {
        guint32 val = 0, ecr = 0;

        if (!field_u32 (d, &oc, "Timestamp value", FALSE, &val)
            || !field_u32 (d, &oc, "Timestamp echo reply", FALSE, &ecr))
          goto out;
        s->has_ts = 1;
        s->ts_val = val;
        s->ts_ecr = ecr;
        cap_dissect_node_end (d, index, start + optlen, "Timestamps: TSval %u, TSecr %u", val, ecr);
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
      cap_dissect_fail (d, c, name, optlen - 2);
      goto out;
    }
  ok = TRUE;

out:
  if (!ended)
    cap_dissect_node_end (d, index, MIN (start + MAX (optlen, 2u), c->captured_end),
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
          cap_dissect_fail (d, c, "TCP option", 1);
          return;
        }
      if (kind == 0)
        {
          /* the rest of the option area is padding */
          if (TREE (d))
            cap_dissect_tree_push (d, "End of Option List (EOL)",
                                   g_strdup ("End of Option List (EOL)"), offset,
                                   MIN (1 + cap_cursor_reported_left (c),
                            1 + cap_cursor_captured_left (c)),
                                   0, FALSE, 0);
          return;
        }
      if (kind == 1)
        {
          if (TREE (d))
            cap_dissect_tree_push (d, "No-Operation (NOP)", g_strdup ("No-Operation (NOP)"),
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

void
cap_dissect_tcp (CapDissect *d,
                 CapCursor  *c)
{
  CapSummary *s = d->sum;
  guint32 start = c->pos;
  guint32 seq_shown = 0, ack_shown = 0;
  guint16 sport = 0, dport = 0, flags = 0, window = 0, csum, urgent;
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
        cap_dissect_fail (d, c, "Sequence number", 4);
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
        cap_dissect_fail (d, c, "Acknowledgment number", 4);
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
        cap_dissect_fail (d, c, "Header length", 1);
        goto out;
      }
    hdr_len = (offres >> 4) * 4;
    add_uint (d, "Header length", off, 1, offres >> 4, "%u bytes (%u)", hdr_len, offres >> 4);
    c->pos = off;

    if (!cap_get_u16be (c, &flags))
      {
        cap_dissect_fail (d, c, "Flags", 2);
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
      cap_dissect_malformed (d, start + 12, "TCP header length %u is less than 20", hdr_len);
      goto out;
    }
  if (hdr_len > c->reported_end - start)
    {
      cap_dissect_malformed (d, start + 12, "TCP header length %u, but the segment has only %u bytes",
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
      cap_dissect_node_end (d, oi, MIN (start + hdr_len, c->captured_end), "Options: (%u bytes)", hdr_len - 20u);
      if (!cap_cursor_skip (c, hdr_len - 20u))
        {
          if (oc.error == CAP_CURSOR_OK)
            cap_dissect_fail (d, c, "TCP options", hdr_len - 20u);
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
    cap_dissect_data (d, c, "Data", s->payload_len);
}

