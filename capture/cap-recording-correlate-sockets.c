/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-recording-correlate-sockets.c: sockets as lanes, from socket() or
 * accept() to close(), and which actor owns which address.
 *
 * A socket is keyed by (pid, fd) while it is open. An accepted socket first
 * used by another thread of the same process is that thread's (a threading
 * server's handler), and a forked child's first call on a connection its
 * parent accepted takes that connection (a forking server's handler), so a
 * server's handlers have their own columns.
 */

#include "config.h"

#include "cap-recording-correlate-private.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

/* Sockets: lanes from socket()/accept() to close() */

static guint32
new_socket (Pass         *pass,
            const NcCall *call,
            gint32        fd,
            gboolean      stream)
{
  CapRecording *self = pass->self;
  CapSocket s = {
    .id = self->sockets->len,
    .actor = call->actor,
    .pid = call->pid,
    .fd = fd,
    .stream = stream,
    .parent = CAP_NONE,
    .first_call = call->id,
    .last_call = call->id,
    .local = CAP_NONE,
    .peer = CAP_NONE,
    .conv = CAP_NONE,
  };
  guint64 zero = 0;

  g_array_append_val (self->sockets, s);
  g_array_append_val (pass->sent, zero);
  g_array_append_val (pass->received, zero);
  g_hash_table_insert (pass->open, g_memdup2 (&(guint64) { SOCKET_KEY (call->pid, fd) },
                                              sizeof (guint64)),
                       GUINT_TO_POINTER (s.id + 1));
  return s.id;
}

static guint32
lookup_socket (Pass         *pass,
               const NcCall *call,
               gint32        fd)
{
  guint64 key = SOCKET_KEY (call->pid, fd);
  gpointer value = g_hash_table_lookup (pass->open, &key);

  return value ? GPOINTER_TO_UINT (value) - 1 : CAP_NONE;
}

static void
forget_socket (Pass         *pass,
               const NcCall *call)
{
  guint64 key = SOCKET_KEY (call->pid, call->fd);
  g_hash_table_remove (pass->open, &key);
}

/* Takes the addresses a call reported into its socket: the specific local
 * address wins over a wildcard one; a datagram socket's peer changes per
 * sendto(), so only connect() or accept() fixes it. */
static void
learn_addresses (Pass         *pass,
                 CapSocket    *s,
                 const NcCall *call)
{
  CapRecording *self = pass->self;
  gboolean wildcard;
  guint32 ep;

  ep = cap_recording_lookup_endpoint_text (self, call->local, &wildcard);
  if (ep != CAP_NONE && endpoint_port (self, ep) != 0 &&
      (!wildcard || s->local == CAP_NONE))
    s->local = ep;

  if (s->stream || call->kind == NC_CALL_CONNECT || call->kind == NC_CALL_GETPEERNAME)
    {
      ep = cap_recording_lookup_endpoint_text (self, call->peer, &wildcard);
      if (ep != CAP_NONE && !wildcard && !nc_call_failed (call))
        s->peer = ep;
    }
}

/* A threading server accepts a connection and hands it to a handler thread:
 * the connection is the handler's from then on, so its lane, its calls and
 * its packets go to the handler's column. Only a socket no call has used
 * since accept() changes hands, so two threads sharing one socket do not
 * make it jump back and forth. */
static void
hand_off (CapRecording *self,
          CapSocket    *s,
          const NcCall *call)
{
  if (call->actor == s->actor || call->pid != s->pid || s->parent == CAP_NONE ||
      s->last_call != s->first_call)
    return;
  s->actor = call->actor;
}

/* A forking server's child uses the connection its parent accepted, under
 * the same fd, in its own process: the child's socket takes the
 * connection's addresses, and once the links are made (the parent's
 * accept() keeps its handshake) the parent's copy, which it only closes,
 * gives the connection up, so its packets are drawn to the child's column.
 * The parent reuses the fd number for the next connection: the oldest
 * connection not yet taken goes to the first child heard from (children
 * are forked in accept order and each one's first call comes at once; a
 * child's recv() reports no addresses to tell). */
static void
inherit_connection (Pass         *pass,
                    guint32       sid,
                    const NcCall *call)
{
  CapRecording *self = pass->self;
  CapSocket *s = socket_at (self, sid);

  for (guint32 i = 0; i < sid; i++)
    {
      CapSocket *donor = socket_at (self, i);
      const NcCall *first = call_at (self, donor->first_call);
      gboolean taken = FALSE;

      if (donor->fd != s->fd || donor->pid == s->pid || donor->parent == CAP_NONE ||
          donor->peer == CAP_NONE || first->kind != NC_CALL_ACCEPT ||
          first->ts_start > call->ts_start)
        continue;
      for (guint k = 0; k < pass->inherited->len && !taken; k += 2)
        taken = g_array_index (pass->inherited, guint32, k + 1) == i;
      if (taken)
        continue;
      s->stream = donor->stream;
      s->parent = donor->parent;
      s->local = donor->local;
      s->peer = donor->peer;
      g_array_append_val (pass->inherited, sid);
      g_array_append_val (pass->inherited, i);
      return;
    }
}

/* After the links: each inherited connection is its child's alone */
void
cap_correlate_hand_over_inherited (Pass *pass)
{
  for (guint k = 0; k < pass->inherited->len; k += 2)
    socket_at (pass->self, g_array_index (pass->inherited, guint32, k + 1))->conv = CAP_NONE;
}

static void
note_select (Pass         *pass,
             const NcCall *call)
{
  static const guint8 sets[] = { NC_SET_READ, NC_SET_WRITE };

  for (guint k = 0; k < G_N_ELEMENTS (sets); k++)
    {
      const NcFdList *list = nc_call_get_fds (call, TRUE, sets[k]);
      for (guint i = 0; i < list->n && i < NC_SELECT_FDS_MAX; i++)
        {
          PendingReady r = {
            .call = call->id,
            .fd = list->fds[i],
            .socket = lookup_socket (pass, call, list->fds[i]),
            .set = sets[k],
          };
          if (r.socket != CAP_NONE)
            g_array_append_val (pass->ready, r);
        }
    }
}

/* What call @i does to the sockets. @entered: it was seen in the kernel
 * before (live), and what did not wait for its return is done. */
guint32
cap_correlate_socket_step (Pass     *pass,
                           guint     i,
                           gboolean  entered)
{
  CapRecording *self = pass->self;
  const NcCall *call = call_at (self, i);
  gboolean returned = call->ts_end != 0;
  guint32 sid = CAP_NONE;

  switch (nc_call_kind_info (call->kind)->link)
    {
    case NC_CALL_LINK_OPEN:
      if (call->result >= 0 && returned)
        sid = new_socket (pass, call, (gint32) call->result, (call->type & 0xf) == SOCK_STREAM);
      break;
    case NC_CALL_LINK_ACCEPT:
      sid = lookup_socket (pass, call, call->fd);
      if (sid != CAP_NONE)
        socket_at (self, sid)->listening = TRUE;
      if (call->result >= 0 && returned)
        {
          guint32 child = new_socket (pass, call, (gint32) call->result, TRUE);
          socket_at (self, child)->parent = sid;
          learn_addresses (pass, socket_at (self, child), call);
          g_hash_table_insert (pass->accepted, GUINT_TO_POINTER (i), GUINT_TO_POINTER (child + 1));
        }
      break;
    case NC_CALL_LINK_READY:
      if (returned && call->result > 0)
        note_select (pass, call);
      break;
    default:
      if (call->fd < 0 || !nc_call_is_socket_call (call->kind))
        break;
      if (entered)
        {
          sid = g_array_index (self->call_socket, guint32, i);
          break;
        }
      sid = lookup_socket (pass, call, call->fd);
      if (sid == CAP_NONE)
        {
          sid = new_socket (pass, call, call->fd, call->tcp_state != NC_TCP_STATE_NONE);
          inherit_connection (pass, sid, call);
        }
      else
        hand_off (self, socket_at (self, sid), call);
      if (nc_call_kind_info (call->kind)->link == NC_CALL_LINK_LISTEN && call->result == 0)
        socket_at (self, sid)->listening = TRUE;
      break;
    }

  if (sid == CAP_NONE)
    return CAP_NONE;
  g_array_index (self->call_socket, guint32, i) = sid;
  socket_at (self, sid)->last_call = MAX (socket_at (self, sid)->last_call, i);
  if (nc_call_kind_info (call->kind)->link != NC_CALL_LINK_ACCEPT)
    learn_addresses (pass, socket_at (self, sid), call);
  if (nc_call_kind_info (call->kind)->link == NC_CALL_LINK_CLOSE && !entered)
    forget_socket (pass, call);
  return sid;
}

void
cap_correlate_build_sockets (Pass *pass)
{
  CapRecording *self = pass->self;

  for (guint i = 0; i < self->calls->len; i++)
    {
      g_array_index (self->call_socket, guint32, i) = CAP_NONE;
      if (call_at (self, i)->ts_start != 0)  /* else a gap: the call's record never arrived */
        cap_correlate_socket_step (pass, i, FALSE);
    }
}

/* Which conversation each stream socket is, and which actor owns which address */

void
cap_correlate_map_socket (Pass      *pass,
                          CapSocket *s)
{
  CapRecording *self = pass->self;

  if (s->stream && !s->listening && s->local != CAP_NONE && s->peer != CAP_NONE &&
      s->conv == CAP_NONE)
    s->conv = cap_recording_find_conversation (self, IPPROTO_TCP, s->local, s->peer);
  if (s->conv != CAP_NONE)
    g_hash_table_insert (self->conv_end_actor,
                         g_memdup2 (&(gint64) { ((gint64) s->conv << 32) | s->local },
                                    sizeof (gint64)),
                         GUINT_TO_POINTER ((guint) s->actor + 1));

  if (s->local == CAP_NONE)
    return;
  if (endpoint_is_wildcard (self, s->local))
    {
      const CapEndpoint *e = cap_recording_get_endpoint (self, s->local);
      g_hash_table_insert (self->port_actor,
                           GUINT_TO_POINTER (((guint) e->family << 16) | e->port),
                           GUINT_TO_POINTER ((guint) s->actor + 1));
    }
  else
    g_hash_table_insert (self->endpoint_actor, GUINT_TO_POINTER (s->local),
                         GUINT_TO_POINTER ((guint) s->actor + 1));
}

void
cap_correlate_map_sockets (Pass *pass)
{
  CapRecording *self = pass->self;

  g_hash_table_remove_all (self->endpoint_actor);
  g_hash_table_remove_all (self->port_actor);
  g_hash_table_remove_all (self->conv_end_actor);
  for (guint i = 0; i < self->sockets->len; i++)
    cap_correlate_map_socket (pass, socket_at (self, i));
}

