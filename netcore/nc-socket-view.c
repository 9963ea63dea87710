/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nc-socket-view.c: the kernel's view of a socket after a call (its
 * addresses; for TCP its state and queues), as every recorded call carries.
 *
 * Asking costs system calls: getsockname, getpeername and TCP_INFO, plus
 * two ioctls for a TCP socket's queues. A UDP exchange asked twice per call
 * (getsockname, and a TCP_INFO that fails), as many system calls as the
 * calls themselves. What a socket that is not TCP answers changes only
 * through a call that binds, connects, listens, shuts down, accepts,
 * creates (socket, socketpair) or closes, so for such a socket it is
 * kept, per thread, and asked again once one of those calls touched the
 * descriptor (a count per descriptor, bumped by nc_socket_view_forget ()).
 * TCP is always asked:
 * its state and queues change with every segment, and its peer goes with
 * a reset.
 *
 * Kept only on a scenario's own threads (attached to a recorder), whose
 * descriptors change only through these wrappers. A traced program (the
 * preload library) can dup2 () over a socket behind our back: it is always
 * asked.
 */

#include "config.h"

#include "nc-recorder.h"
#include "nc-socket.h"
#include "nc-sys.h"
#include "nc-socket-private.h"

#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/ioctl.h>

#define VIEW_FDS   1024  /* descriptors past this are always asked */
#define VIEW_SLOTS 8     /* per thread: an actor uses a socket or two */

/* Bumped when a descriptor's addresses may have changed */
static gint view_gen[VIEW_FDS];

typedef struct
{
  int      fd;
  gint     gen;          /* view_gen[fd] when this was learnt */
  gboolean not_tcp;      /* TCP_INFO failed: the rest may be kept */
  gboolean local_known;
  gboolean peer_known;
  char     local[NC_ADDR_TEXT_MAX];
  char     peer[NC_ADDR_TEXT_MAX];
} ViewSlot;

static __thread ViewSlot view_slots[VIEW_SLOTS];

void
nc_socket_view_forget (int fd)
{
  if (fd >= 0 && fd < VIEW_FDS)
    g_atomic_int_inc (&view_gen[fd]);
}

/* Returns: whether @fd is a TCP socket (its view was taken) */
static gboolean
sample_tcp (NcCall *call,
            int     fd)
{
  struct tcp_info info;
  socklen_t len = sizeof info;
  int queued;

  memset (&info, 0, sizeof info);
  if (NC_SYS (getsockopt) (fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0)
    return FALSE;
  call->tcp_state = info.tcpi_state;

  if (info.tcpi_state == 10 /* LISTEN */)
    {
      /* For a listening socket Linux reports the accept queue here. */
      call->queued_in = info.tcpi_unacked;
      call->has_queues = TRUE;
      return TRUE;
    }
  if (NC_SYS (ioctl) (fd, SIOCINQ, &queued) == 0)
    call->queued_in = (guint32) MAX (queued, 0);
  if (NC_SYS (ioctl) (fd, SIOCOUTQ, &queued) == 0)
    call->queued_out = (guint32) MAX (queued, 0);
  call->has_queues = TRUE;
  return TRUE;
}

/* getsockname () or getpeername () as text; "" if it fails. Returns:
 * whether the answer is settled (an IP address with a port: an unbound
 * socket's port 0 becomes one at its first send) */
static gboolean
ask_address (int       fd,
             gboolean  peer,
             char     *out,
             gsize     out_len)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  int ret = peer ? NC_SYS (getpeername) (fd, (struct sockaddr *) &ss, &len)
                 : NC_SYS (getsockname) (fd, (struct sockaddr *) &ss, &len);

  if (ret != 0)
    {
      out[0] = '\0';
      return peer;  /* no peer until a connect (), which forgets */
    }
  nc_sockaddr_to_text ((struct sockaddr *) &ss, len, out, out_len);
  if (ss.ss_family == AF_INET)
    return ((struct sockaddr_in *) &ss)->sin_port != 0;
  if (ss.ss_family == AF_INET6)
    return ((struct sockaddr_in6 *) &ss)->sin6_port != 0;
  return FALSE;
}

/* An address field the call did not set itself, from the slot or asked */
static void
fill_address (char     *field,
              int       fd,
              gboolean  peer,
              ViewSlot *slot)
{
  gboolean *known;
  char *kept;

  if (field[0] != '\0')
    return;
  if (slot == NULL)
    {
      ask_address (fd, peer, field, NC_ADDR_TEXT_MAX);
      return;
    }
  known = peer ? &slot->peer_known : &slot->local_known;
  kept = peer ? slot->peer : slot->local;
  if (!*known)
    *known = ask_address (fd, peer, kept, NC_ADDR_TEXT_MAX);
  g_strlcpy (field, kept, NC_ADDR_TEXT_MAX);
}

/* This thread's slot for @fd, emptied if what it held is out of date;
 * NULL where nothing may be kept */
static ViewSlot *
slot_for (int fd)
{
  ViewSlot *slot;
  gint gen;

  if (fd < 0 || fd >= VIEW_FDS || !nc_recorder_thread_is_attached ())
    return NULL;
  /* Read before asking the kernel: a change made meanwhile bumps past it */
  gen = g_atomic_int_get (&view_gen[fd]);
  slot = &view_slots[fd % VIEW_SLOTS];
  if (slot->fd != fd || slot->gen != gen)
    {
      memset (slot, 0, sizeof *slot);
      slot->fd = fd;
      slot->gen = gen;
    }
  return slot;
}

void
nc_socket_view_fill_addresses (NcCall *call,
                               int     fd)
{
  ViewSlot *slot = slot_for (fd);

  if (slot != NULL && !slot->not_tcp)
    slot = NULL;  /* only what is not TCP is kept */
  fill_address (call->local, fd, FALSE, slot);
  fill_address (call->peer, fd, TRUE, slot);
}

void
nc_socket_view_fill (NcCall *call,
                     int     fd)
{
  ViewSlot *slot = slot_for (fd);

  if (slot == NULL || !slot->not_tcp)
    {
      if (sample_tcp (call, fd))
        slot = NULL;
      else if (slot != NULL)
        slot->not_tcp = TRUE;
    }
  fill_address (call->local, fd, FALSE, slot);
  fill_address (call->peer, fd, TRUE, slot);
}
