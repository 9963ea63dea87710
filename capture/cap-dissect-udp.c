/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-dissect-udp.c: UDP: the header, then the payload. */

#include "config.h"

#include "cap-dissect-private.h"

void
cap_dissect_udp (CapDissect *d,
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
      cap_dissect_malformed (d, start + 4, "UDP length %u is less than 8", ulen);
      s->payload_len = avail - 8;
    }
  else if (ulen > avail)
    {
      /* a first fragment carries only part of what the UDP length counts */
      if (!(s->flags & CAP_SUMMARY_FRAGMENT) && !d->quoted)
        cap_dissect_malformed (d, start + 4, "UDP length %u, but the IP payload has only %u bytes",
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
    cap_dissect_data (d, c, "Data", s->payload_len);
}

