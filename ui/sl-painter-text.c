/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-painter-text.c: the words on the ladder: durations, times, call and
 * packet labels (shared with the inspectors and the command line).
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "sl-timeline-painter-private.h"
#include "nc-format.h"

#include <math.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>


static gboolean
call_may_block (NcCallKind kind)
{
  return nc_call_kind_info (kind)->blocks;
}

/* Names and byte order: what the lesson is about is the value, as the
 * text timeline writes it: gethostname() / = "socklens-lab",
 * inet_ntoa(b"\x7f\x00\x00\x01") / = "127.0.0.1" */
static void
format_helper_label (const NcCall *call, GString *name, GString *result)
{
  g_autoptr (GString) full = g_string_new (NULL);
  const char *eq, *note;

  nc_call_format (call, full);
  eq = strstr (full->str, " = ");
  if (eq == NULL)
    {
      g_string_append (name, full->str);
      return;
    }
  g_string_append_len (name, full->str, eq - full->str);
  /* the duration, if any, is said once: "after …" is for blocking calls */
  note = strstr (eq, "  [");
  g_string_append_len (result, eq + 1, note ? note - (eq + 1) : (gssize) strlen (eq + 1));
}

/**
 * sl_format_call_label:
 * @now: where a call still in the kernel is drawn up to
 * @name: receives the first line: the call and its key arguments
 * @result: receives the second line: what it returned, and how long it blocked
 *
 * The two lines of a call's label on the timeline, shorter than
 * nc_call_format (): "connect(fd=3)" / "= 0 after 98 µs".
 */
void
sl_format_call_label (const NcCall *call, gint64 now, GString *name, GString *result)
{
  NcCallKind       kind = call->kind;
  NcCallDraw       draw = nc_call_kind_info (kind)->draw;
  gint64           duration = (call->ts_end ? call->ts_end : now) - call->ts_start;
  g_autofree char *dur = nc_format_duration (MAX (duration, 0));

  if (draw == NC_CALL_DRAW_HELPER && call->ts_end != 0)
    {
      format_helper_label (call, name, result);
      return;
    }
  g_string_append (name, nc_call_kind_name (kind));
  g_string_append_c (name, '(');
  switch (draw)
    {
    case NC_CALL_DRAW_OPEN:
      g_string_append (name, call->type == SOCK_DGRAM    ? "UDP"
                             : call->type == SOCK_STREAM ? "TCP"
                                                         : nc_socktype_name (call->type));
      break;
    case NC_CALL_DRAW_ADDRESS:
      g_string_append_printf (name, "fd=%d, %s", call->fd, call->local);
      break;
    case NC_CALL_DRAW_LISTEN:
      g_string_append_printf (name, "fd=%d, %d", call->fd, call->type);
      break;
    case NC_CALL_DRAW_SEND:
    case NC_CALL_DRAW_RECV:
      g_string_append_printf (name, "fd=%d, %" G_GINT64_FORMAT, call->fd, call->length);
      break;
    case NC_CALL_DRAW_WAIT:
      for (guint s = 0; s < NC_N_SETS; s++)
        if (nc_call_get_fds (call, FALSE, s)->n > 0)
          {
            if (name->str[name->len - 1] != '(')
              g_string_append (name, ", ");
            g_string_append (name, s == NC_SET_READ ? "r=" : s == NC_SET_WRITE ? "w=" : "x=");
            nc_format_fd_list (nc_call_get_fds (call, FALSE, s), name);
          }
      break;
    case NC_CALL_DRAW_ACCEPT:
    case NC_CALL_DRAW_CONNECT:
    case NC_CALL_DRAW_PLAIN:
      g_string_append_printf (name, "fd=%d", call->fd);
      break;
    case NC_CALL_DRAW_HELPER:
    default:
      break;
    }
  g_string_append_c (name, ')');

  if (call->ts_end == 0)
    {
      /* just released by a step: nothing has been waited for yet */
      if (duration <= 0)
        g_string_append (result, _("blocked …"));
      else
        g_string_append_printf (result, _("blocked %s …"), dur);
      return;
    }
  if (nc_call_failed (call))
    {
      g_string_append_printf (result, "= %" G_GINT64_FORMAT " %s", call->result,
                              nc_errno_name (call->err));
      if (call_may_block (kind))
        g_string_append_printf (result, _(" after %s"), dur);
      return;
    }

  switch (draw)
    {
    case NC_CALL_DRAW_SEND:
      nc_format_bytes (call->data, call->data_len, 12, result);
      g_string_append_printf (result, " = %" G_GINT64_FORMAT, call->result);
      break;
    case NC_CALL_DRAW_RECV:
      g_string_append_printf (result, "= %" G_GINT64_FORMAT, call->result);
      if (call->result > 0)
        {
          g_string_append_c (result, ' ');
          nc_format_bytes (call->data, call->data_len, 12, result);
        }
      g_string_append_printf (result, _(" after %s"), dur);
      break;
    case NC_CALL_DRAW_WAIT:
      g_string_append_printf (result, "= %" G_GINT64_FORMAT, call->result);
      for (guint s = 0; s < NC_N_SETS; s++)
        if (nc_call_get_fds (call, TRUE, s)->n > 0)
          {
            g_string_append (result, s == NC_SET_READ ? " r=" : s == NC_SET_WRITE ? " w=" : " x=");
            nc_format_fd_list (nc_call_get_fds (call, TRUE, s), result);
          }
      g_string_append_printf (result, _(" after %s"), dur);
      break;
    default:
      g_string_append_printf (result, "= %" G_GINT64_FORMAT, call->result);
      if (call_may_block (kind))
        g_string_append_printf (result, _(" after %s"), dur);
      break;
    }
}

void
sl_painter_packet_label (SlTimelinePainter *self, guint index, GString *out)
{
  CapRecording    *rec = self->recording;
  const CapPacket *pkt = cap_recording_get_packet (rec, index);
  CapSummary       s;

  memset (&s, 0, sizeof s);
  if (!cap_recording_dissect_packet (rec, index, &s))
    {
      g_string_append (out, "?");
      return;
    }
  cap_summary_format_label (&s, out);
  if (pkt->proto == IPPROTO_TCP && (s.flags & CAP_SUMMARY_TRANSPORT))
    {
      /* as textbooks write them: relative seq on SYNs and FINs, ack on pure
       * ACKs (the MSS and the window are in the inspector) */
      if (s.tcp_flags & (CAP_TCP_SYN | CAP_TCP_FIN))
        g_string_append_printf (out, "  seq=%u", cap_recording_get_relative_seq (rec, index));
      if ((s.tcp_flags & CAP_TCP_ACK) && s.payload_len == 0 && !(s.tcp_flags & CAP_TCP_RST))
        g_string_append_printf (out, "  ack=%u", cap_recording_get_relative_ack (rec, index));
    }
  /* what the lesson is about, in the class's language (SYN, ACK, seq are
   * the protocol's own words) */
  if (pkt->flags & CAP_PACKET_RETRANSMISSION)
    g_string_append (out, _("  (retransmission)"));
  if (pkt->flags & CAP_PACKET_DROPPED)
    g_string_append (out, _("  (dropped)"));
}
