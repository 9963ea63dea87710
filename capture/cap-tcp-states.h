/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-tcp-states.h: TCP states derived from packets alone.
 *
 * A run in the lab has the kernel's own states (sock_diag samples, TCP_INFO
 * after each call). A file from elsewhere has only its packets: there the
 * textbook state machine, driven by the segments each side sent and
 * received, gives each side of each TCP conversation a state over time.
 * Whatever shows these must say they are derived ("TCP state derived from
 * packets"), not the kernel's word.
 *
 * States use Linux's numbers (include/net/tcp_states.h), as TCP_INFO and
 * sock_diag do, so nc_tcp_state_name () names both kinds alike.
 *
 * Two ways in:
 *  - cap_tcp_states_derive (): every TCP conversation of a recording, both
 *    sides, as lists of changes (one pass over the packets, O(packets));
 *  - CapTcpSide + cap_tcp_side_step (): one side, one packet at a time, for
 *    a caller that walks the packets itself (e.g. only some conversations).
 */
#pragma once

#include "cap-recording.h"

G_BEGIN_DECLS

typedef enum
{
  CAP_TCP_NONE,           /* not yet seen */
  CAP_TCP_ESTABLISHED,
  CAP_TCP_SYN_SENT,
  CAP_TCP_SYN_RECV,
  CAP_TCP_FIN_WAIT1,
  CAP_TCP_FIN_WAIT2,
  CAP_TCP_TIME_WAIT,
  CAP_TCP_CLOSE,          /* closed (or reset): the state band ends here */
  CAP_TCP_CLOSE_WAIT,
  CAP_TCP_LAST_ACK,
  CAP_TCP_LISTEN,
  CAP_TCP_CLOSING,
  CAP_TCP_NEW_SYN_RECV,
  CAP_TCP_N_STATES
} CapTcpState;

/* One side of a connection as the state machine follows it. Zero-initialise. */
typedef struct
{
  guint8  state;     /* CapTcpState */
  guint8  fin_sent;
  guint32 fin_end;   /* the sequence number that acknowledges our FIN */
} CapTcpSide;

/* Feeds @pkt, which this side sent (@sent) or received, and returns the
 * side's state after it (also stored in @side). */
CapTcpState cap_tcp_side_step (CapTcpSide      *side,
                               const CapPacket *pkt,
                               gboolean         sent);

/* A change of a side's derived state, made by a packet */
typedef struct
{
  gint64  ts;      /* the packet's time */
  guint32 packet;  /* the packet that made it */
  guint8  state;   /* CapTcpState after it */
} CapTcpStateChange;

typedef struct _CapTcpStates CapTcpStates;

/* Derives both sides of every TCP conversation in @recording. Side 0 is the
 * conversation's a (who sent first: the client, with a SYN), side 1 its b. */
CapTcpStates            *cap_tcp_states_derive      (CapRecording *recording);
void                     cap_tcp_states_free        (CapTcpStates *states);
/* The changes of one side, in packet order (empty for UDP or an unknown id) */
const CapTcpStateChange *cap_tcp_states_get_changes (CapTcpStates *states,
                                                     guint32       conv,
                                                     guint         side,
                                                     guint        *n_changes);
/* The side's derived state at @ts (after the packets at @ts); CAP_TCP_NONE
 * before its first packet */
CapTcpState              cap_tcp_states_at          (CapTcpStates *states,
                                                     guint32       conv,
                                                     guint         side,
                                                     gint64        ts);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CapTcpStates, cap_tcp_states_free)

G_END_DECLS
