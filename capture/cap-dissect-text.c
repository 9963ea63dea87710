/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-dissect-text.c: a summary as the timeline's text: labels, lines,
 * addresses, flags. */

#include "config.h"

#include "cap-dissect-private.h"

#include <stdio.h>

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
  cap_dissect_format_addr (family, addr, buf, sizeof buf);
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
  gboolean v6 = s->ip_proto == IPPROTO_ICMPV6;

  if (!v6)
    switch (s->icmp_type)
      {
      case 0: return "echo reply";
      case 8: return "echo request";
      case 3: return cap_dissect_icmp_unreach_name (FALSE, s->icmp_code) ? cap_dissect_icmp_unreach_name (FALSE, s->icmp_code)
                                                       : "destination unreachable";
      case 4: return "source quench";
      case 5: return "redirect";
      case 9: return "router advertisement";
      case 10: return "router solicitation";
      case 11: return "time exceeded";
      case 12: return "parameter problem";
      case 13: return "timestamp request";
      case 14: return "timestamp reply";
      default: return NULL;
      }
  switch (s->icmp_type)
    {
    case 128: return "echo request";
    case 129: return "echo reply";
    case 1: return cap_dissect_icmp_unreach_name (TRUE, s->icmp_code) ? cap_dissect_icmp_unreach_name (TRUE, s->icmp_code)
                                                      : "destination unreachable";
    case 2: return "packet too big";
    case 3: return "time exceeded";
    case 4: return "parameter problem";
    case 130: return "multicast listener query";
    case 131: return "multicast listener report";
    case 132: return "multicast listener done";
    case 133: return "router solicitation";
    case 134: return "router advertisement";
    case 135: return "neighbor solicitation";
    case 136: return "neighbor advertisement";
    case 137: return "redirect";
    case 143: return "multicast listener report v2";
    default: return NULL;
    }
}

static void
format_icmp_name (const CapSummary *s,
                  GString          *out)
{
  const char *name = icmp_short_name (s);

  g_string_append (out, s->ip_proto == IPPROTO_ICMPV6 ? "ICMPv6 " : "ICMP ");
  if (name != NULL)
    g_string_append (out, name);
  else
    g_string_append_printf (out, "type %u code %u", s->icmp_type, s->icmp_code);
}

/* What a frame without IP is, as far as its link layer says: a link type
 * not read here (named, so the student knows what the file holds), an IP
 * header cut short by the snapshot length or unreadable, or a named
 * EtherType (ARP). */
static void
format_non_ip (const CapSummary *s,
               gboolean          line,
               GString          *out)
{
  const char *ethertype = s->ethertype != 0 ? cap_ethertype_name (s->ethertype) : NULL;

  if (s->flags & CAP_SUMMARY_UNSUPPORTED_LINK)
    {
      const char *name = cap_linktype_name (s->linktype);

      if (!line)
        g_string_append (out, "unsupported link");
      else if (name != NULL)
        g_string_append_printf (out, "link type %u (%s), which Socklens does not read", s->linktype, name);
      else
        g_string_append_printf (out, "link type %u, which Socklens does not read", s->linktype);
    }
  else if (s->ethertype == 0x0800 || s->ethertype == 0x86dd)
    {
      gboolean cut = (s->flags & CAP_SUMMARY_TRUNCATED) != 0;

      if (line)
        g_string_append_printf (out, "%s header %s (ethertype 0x%04x)", ethertype,
                                cut ? "cut short" : "unreadable", s->ethertype);
      else
        g_string_append_printf (out, "%s, %s", ethertype, cut ? "cut short" : "malformed");
    }
  else if (ethertype != NULL)
    g_string_append_printf (out, line ? "%s (ethertype 0x%04x)" : "%s", ethertype, s->ethertype);
  else if (s->ethertype != 0 && line)
    g_string_append_printf (out, "non-IP ethertype 0x%04x", s->ethertype);
  else
    g_string_append (out, "non-IP");
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
      format_non_ip (s, FALSE, out);
      return;
    }
  if (s->frag_offset != 0)
    {
      g_string_append_printf (out, "IPv%u fragment", s->family);
      return;
    }
  switch (s->ip_proto)
    {
    case IPPROTO_TCP:
      cap_tcp_flags_format (s->tcp_flags, "/", out);
      if (s->payload_len > 0)
        g_string_append_printf (out, " len=%u", s->payload_len);
      break;
    case IPPROTO_UDP:
      g_string_append_printf (out, "UDP len=%u", s->payload_len);
      break;
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
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
      format_non_ip (s, TRUE, out);
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
    case IPPROTO_TCP:
      format_tcp_line (s, relative, seq_base, ack_base, out);
      break;
    case IPPROTO_UDP:
      g_string_append (out, "UDP ");
      format_endpoint (s->family, s->src, s->sport, out);
      g_string_append (out, " -> ");
      format_endpoint (s->family, s->dst, s->dport, out);
      g_string_append_printf (out, " len=%u", s->payload_len);
      break;
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
      {
        gboolean v6 = s->ip_proto == IPPROTO_ICMPV6;
        gboolean echo = v6 ? (s->icmp_type == 128 || s->icmp_type == 129)
                           : (s->icmp_type == 0 || s->icmp_type == 8);
        gboolean unreach = s->icmp_type == (v6 ? 1 : 3);

        if (unreach)
          {
            const char *why = v6 ? cap_dissect_icmp_unreach_name (TRUE, s->icmp_code)
                                 : cap_dissect_icmp_unreach_name (FALSE, s->icmp_code);

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
            if (s->quoted_proto == IPPROTO_TCP || s->quoted_proto == IPPROTO_UDP)
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
