/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * painter-recordings.h: recordings built by hand for the painter's tests
 * and benchmark: real Ethernet/IPv4/TCP frames (as libpcap sees them on lo)
 * and the calls that caused them, with known times, so a test can say
 * where each box and arrow must be.
 */
#pragma once

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "cap-recording.h"

#define PR_T0       G_GINT64_CONSTANT (1700000000000000000)  /* ns */
#define PR_US(us)   (PR_T0 + (gint64) ((us) * 1000.0))
#define PR_SERVER_PORT 9000
#define PR_CLIENT_PORT 50412

enum { PR_FIN = 0x01, PR_SYN = 0x02, PR_RST = 0x04, PR_PSH = 0x08, PR_ACK = 0x10 };

/* Frames are byte arrays: fields are written byte by byte, in network
 * order, because an IPv4 header starts at byte 14 and a guint32 store there
 * is misaligned. */
static inline void
pr_put16 (guint8  *p,
          guint16  v)
{
  p[0] = (guint8) (v >> 8);
  p[1] = (guint8) v;
}

static inline void
pr_put32 (guint8  *p,
          guint32  v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
}

/* One Ethernet + IPv4 + TCP frame between 127.0.0.1 ports. */
static inline guint32
pr_add_tcp (CapRecording *rec,
            gint64        ts,
            guint32       src_addr,
            guint16       sport,
            guint32       dst_addr,
            guint16       dport,
            guint8        flags,
            guint32       seq,
            guint32       ack,
            const char   *payload)
{
  guint8 f[14 + 20 + 24 + 1500] = { 0 };
  gsize plen = payload ? strlen (payload) : 0;
  gsize thl = (flags & PR_SYN) ? 24 : 20;
  gsize iplen = 20 + thl + plen;
  guint8 *ip = f + 14, *tcp = ip + 20;

  f[12] = 0x08;                         /* IPv4 */
  ip[0] = 0x45;
  ip[2] = iplen >> 8;
  ip[3] = iplen & 0xff;
  ip[6] = 0x40;                         /* DF */
  ip[8] = 64;
  ip[9] = 6;                            /* TCP */
  pr_put32 (ip + 12, src_addr);
  pr_put32 (ip + 16, dst_addr);
  pr_put16 (tcp + 0, sport);
  pr_put16 (tcp + 2, dport);
  pr_put32 (tcp + 4, seq);
  pr_put32 (tcp + 8, ack);
  tcp[12] = (guint8) ((thl / 4) << 4);
  tcp[13] = flags;
  pr_put16 (tcp + 14, 512);
  if (flags & PR_SYN)
    {
      tcp[20] = 2;                      /* MSS 65495, as on lo */
      tcp[21] = 4;
      pr_put16 (tcp + 22, 65495);
    }
  if (plen)
    memcpy (tcp + thl, payload, plen);
  return cap_recording_add_frame (rec, 1, ts, f, 14 + iplen, 14 + iplen);
}

/* One UDP datagram frame. */
static inline guint32
pr_add_udp (CapRecording *rec,
            gint64        ts,
            guint32       src_addr,
            guint16       sport,
            guint32       dst_addr,
            guint16       dport,
            guint         plen)
{
  guint8 f[14 + 20 + 8 + 1500] = { 0 };
  gsize iplen = 20 + 8 + plen;
  guint8 *ip = f + 14, *udp = ip + 20;

  f[12] = 0x08;
  ip[0] = 0x45;
  ip[2] = iplen >> 8;
  ip[3] = iplen & 0xff;
  ip[8] = 64;
  ip[9] = 17;
  pr_put32 (ip + 12, src_addr);
  pr_put32 (ip + 16, dst_addr);
  pr_put16 (udp + 0, sport);
  pr_put16 (udp + 2, dport);
  pr_put16 (udp + 4, 8 + plen);
  return cap_recording_add_frame (rec, 1, ts, f, 14 + iplen, 14 + iplen);
}

#define LO 0x7f000001u

typedef struct
{
  NcCallKind  kind;
  guint16     actor;
  gint32      fd;
  double      start_us;
  double      end_us;     /* < 0: still in the kernel */
  gint64      result;
  gint32      err;
  const char *local;
  const char *peer;
  const char *data;
  gint64      length;
  guint8      tcp_state;
  double      gate_us;    /* > 0: held at the step gate from then */
} PrCall;

static inline void
pr_add_calls (CapRecording *rec,
              const PrCall *calls,
              guint         n)
{
  /* ids in entry order, as a recorder gives them */
  g_autofree guint *order = g_new (guint, n);

  for (guint i = 0; i < n; i++)
    order[i] = i;
  for (guint i = 1; i < n; i++)
    for (guint j = i; j > 0 && calls[order[j - 1]].start_us > calls[order[j]].start_us; j--)
      {
        guint t = order[j];
        order[j] = order[j - 1];
        order[j - 1] = t;
      }

  for (guint k = 0; k < n; k++)
    {
      const PrCall *pc = &calls[order[k]];
      NcCall c;

      memset (&c, 0, sizeof c);
      c.id = k;
      c.kind = pc->kind;
      c.actor = pc->actor;
      c.pid = 100 + pc->actor;
      c.tid = c.pid;
      c.fd = pc->fd;
      c.ts_start = PR_US (pc->start_us);
      c.ts_gate = pc->gate_us > 0 ? PR_US (pc->gate_us) : c.ts_start;
      c.ts_end = pc->end_us < 0 ? 0 : PR_US (pc->end_us);
      c.result = pc->result;
      c.err = pc->err;
      c.length = pc->length;
      c.tcp_state = pc->tcp_state;
      c.type = pc->kind == NC_CALL_SOCKET ? SOCK_STREAM : pc->kind == NC_CALL_LISTEN ? 5 : 0;
      c.domain = pc->kind == NC_CALL_SOCKET ? AF_INET : 0;
      c.timeout_ns = -1;
      if (pc->local)
        g_strlcpy (c.local, pc->local, sizeof c.local);
      if (pc->peer)
        g_strlcpy (c.peer, pc->peer, sizeof c.peer);
      if (pc->data)
        {
          c.data_len = (guint16) MIN (strlen (pc->data), NC_CALL_DATA_MAX);
          memcpy (c.data, pc->data, c.data_len);
        }
      cap_recording_add_call (rec, &c, NC_CALL_PHASE_ENTER);
      if (c.ts_end != 0)
        cap_recording_add_call (rec, &c, NC_CALL_PHASE_RETURN);
    }
}

static inline void
pr_add_actors (CapRecording *rec)
{
  NcActorInfo server = { 0, 100, g_intern_static_string ("server"), g_intern_static_string ("server"), NULL };
  NcActorInfo client = { 1, 101, g_intern_static_string ("client"), g_intern_static_string ("client"), NULL };

  cap_recording_add_actor (rec, &server);
  cap_recording_add_actor (rec, &client);
}

#define SRV "127.0.0.1:9000"
#define CLI "127.0.0.1:50412"

/* The course's TCP echo, as in the mockup: times in µs from PR_T0. The
 * server is actor 0, the client actor 1; fds 3 (listening), 4 (accepted)
 * and the client's 3. No sock_diag samples: the states are derived. */
static const PrCall pr_echo_calls[] = {
  { NC_CALL_SOCKET,  0, -1,   0,    5,   3, 0, NULL, NULL, NULL, 0, 0, 0 },
  { NC_CALL_BIND,    0,  3,   6,   10,   0, 0, SRV, NULL, NULL, 0, 0, 0 },
  { NC_CALL_LISTEN,  0,  3,  11,   14,   0, 0, SRV, NULL, NULL, 0, 0, 0 },
  { NC_CALL_ACCEPT,  0,  3,  20,  262,   4, 0, SRV, CLI, NULL, 0, 0, 0 },
  { NC_CALL_SOCKET,  1, -1,  30,   33,   3, 0, NULL, NULL, NULL, 0, 0, 0 },
  { NC_CALL_CONNECT, 1,  3,  40,  138,   0, 0, CLI, SRV, NULL, 0, 0, 0 },
  { NC_CALL_RECV,    0,  4, 280,  370,   5, 0, SRV, CLI, "hello", 1024, 0, 0 },
  { NC_CALL_SEND,    1,  3, 360,  372,   5, 0, CLI, SRV, "hello", 5, 0, 0 },
  { NC_CALL_RECV,    1,  3, 376,  392,   5, 0, CLI, SRV, "hello", 1024, 0, 0 },
  { NC_CALL_SEND,    0,  4, 380,  390,   5, 0, SRV, CLI, "hello", 5, 0, 0 },
  { NC_CALL_RECV,    0,  4, 395,  458,   0, 0, SRV, CLI, NULL, 1024, 0, 0 },
  { NC_CALL_CLOSE,   1,  3, 450,  460,   0, 0, CLI, SRV, NULL, 0, 0, 0 },
  { NC_CALL_CLOSE,   0,  4, 470,  480,   0, 0, SRV, CLI, NULL, 0, 0, 0 },
  { NC_CALL_CLOSE,   0,  3, 490,  495,   0, 0, SRV, NULL, NULL, 0, 0, 0 },
};

/* Packet indices of pr_echo_recording () */
enum {
  PR_ECHO_SYN, PR_ECHO_SYNACK, PR_ECHO_ACK, PR_ECHO_DATA, PR_ECHO_ECHO, PR_ECHO_DATA_ACK,
  PR_ECHO_FIN1, PR_ECHO_FIN2, PR_ECHO_LAST_ACK, PR_ECHO_N_PACKETS
};

static inline void
pr_echo_packets (CapRecording *rec)
{
  const guint32 C = 1000, S = 5000;  /* ISNs */

  pr_add_tcp (rec, PR_US (50), LO, PR_CLIENT_PORT, LO, PR_SERVER_PORT, PR_SYN, C, 0, NULL);
  pr_add_tcp (rec, PR_US (90), LO, PR_SERVER_PORT, LO, PR_CLIENT_PORT, PR_SYN | PR_ACK, S, C + 1, NULL);
  pr_add_tcp (rec, PR_US (130), LO, PR_CLIENT_PORT, LO, PR_SERVER_PORT, PR_ACK, C + 1, S + 1, NULL);
  pr_add_tcp (rec, PR_US (365), LO, PR_CLIENT_PORT, LO, PR_SERVER_PORT, PR_PSH | PR_ACK, C + 1, S + 1, "hello");
  pr_add_tcp (rec, PR_US (385), LO, PR_SERVER_PORT, LO, PR_CLIENT_PORT, PR_PSH | PR_ACK, S + 1, C + 6, "hello");
  pr_add_tcp (rec, PR_US (420), LO, PR_CLIENT_PORT, LO, PR_SERVER_PORT, PR_ACK, C + 6, S + 6, NULL);
  pr_add_tcp (rec, PR_US (455), LO, PR_CLIENT_PORT, LO, PR_SERVER_PORT, PR_FIN | PR_ACK, C + 6, S + 6, NULL);
  pr_add_tcp (rec, PR_US (475), LO, PR_SERVER_PORT, LO, PR_CLIENT_PORT, PR_FIN | PR_ACK, S + 6, C + 7, NULL);
  pr_add_tcp (rec, PR_US (485), LO, PR_CLIENT_PORT, LO, PR_SERVER_PORT, PR_ACK, C + 7, S + 7, NULL);
}

static inline CapRecording *
pr_echo_recording (void)
{
  CapRecording *rec = cap_recording_new ();

  cap_recording_set_run_info (rec, "tcp-echo", "TCP echo");
  pr_add_actors (rec);
  pr_add_calls (rec, pr_echo_calls, G_N_ELEMENTS (pr_echo_calls));
  pr_echo_packets (rec);
  cap_recording_commit (rec);
  return rec;
}

/* Which call id a (kind, actor, nth) has in a recording */
static inline guint
pr_find_call (CapRecording *rec,
              NcCallKind    kind,
              guint16       actor,
              guint         nth)
{
  for (guint i = 0; i < cap_recording_get_n_calls (rec); i++)
    {
      const NcCall *c = cap_recording_get_call (rec, i);
      if (c->kind == kind && c->actor == actor && nth-- == 0)
        return i;
    }
  g_assert_not_reached ();
  return 0;
}

static inline guint32
pr_socket_of (CapRecording *rec,
              guint16       actor,
              gint32        fd)
{
  guint32 last = CAP_NONE;

  for (guint i = 0; i < cap_recording_get_n_sockets (rec); i++)
    {
      const CapSocket *s = cap_recording_get_socket (rec, i);
      if (s->actor == actor && s->fd == fd)
        last = i;
    }
  return last;
}
