/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-lab-diag.c: the kernel's own socket table, sampled as the run goes.
 *
 * sock_diag (NETLINK_SOCK_DIAG, inet_diag) lists every TCP socket of a
 * network namespace with its state and queues, including the ones no
 * program holds: a connection the kernel has completed but nobody has
 * accepted yet, a socket in TIME_WAIT after close(). In the lab's own
 * namespace that table is exactly the run's sockets. On a shared host
 * (capabilities or root mode) only sockets with one of the run's own
 * endpoints at one end are kept.
 *
 * Sampling is driven by events. A call that changes a socket's state
 * (listen, accept, connect, shutdown, close) samples at once, on its own
 * thread, so a state that lasts less than a millisecond is still seen.
 * Packets and other calls only wake the sampling thread, which is paced: at
 * most one dump every MIN_INTERVAL_US, a little after the event so the
 * kernel has processed the packet the tap just saw, and once more a few
 * milliseconds after a change; while a socket is in a state the kernel
 * leaves by itself (SYN_RECV until the last ACK is processed, FIN_WAIT1,
 * LAST_ACK ...), again at growing intervals until it has left it, since on a
 * busy machine that ACK can be processed after every sample that followed
 * it, with nothing left in the run to wake a later one (a stepped run's
 * actors are all held at the gate). Only changes are written, as SOCKSTATE
 * records; a socket that disappears is reported once as CLOSE.
 *
 * The rate is bounded because a dump walks the kernel's whole TCP hash
 * table, however few sockets there are: at one a millisecond it was 12 % of
 * a fast UDP run's time. A run without a stream socket is not sampled at
 * all (there is nothing to see); states a lesson needs stay exact: LISTEN,
 * SYN_RECV and TIME_WAIT come from the sample a state-changing call takes
 * at once, or last far longer than the interval (a connection not yet
 * accepted waits for accept()).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sl-lab-private.h"

#define MIN_INTERVAL_US  4000  /* paced dumps: at most one every 4 ms */
#define SETTLE_US        300   /* after a packet, let the kernel take it in */
#define TRAILING_US      5000  /* look once more after a change */
#define TRANSIENT_MAX_US 200000 /* while a handshake or a close is under way: at least this often */
#define LINUX_TCP_CLOSE  7
#define LINUX_TCP_LISTEN 10

struct _SlLabDiag
{
  SlLab      *lab;
  int         fds[SL_LAB_MAX_HOSTS];
  guint       n_fds;
  guint32     seq;
  GThread    *thread;

  GMutex      mutex;
  GCond       cond;
  gboolean    dirty;
  gboolean    stopping;
  gboolean    has_stream;    /* a stream socket was made: something to sample */
  GHashTable *inode_actor;   /* inode -> actor + 1; under mutex */

  GMutex      sample_lock;   /* one dump at a time: the thread's or a call's */
  GHashTable *last;          /* key -> CapSockState; under sample_lock */
};

typedef struct
{
  CapSockState state;
  guint        host;
  guint16      lport;
  guint16      rport;
  guint8       laddr[16];
  guint8       raddr[16];
} Entry;

static int
open_diag_socket (GError **error)
{
  int fd = socket (AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "sock_diag: %s", g_strerror (saved));
    }
  return fd;
}

static void
format_endpoint (guint8        family,
                 const __be32 *addr,
                 __be16        port,
                 char         *out,
                 gsize         out_len)
{
  struct sockaddr_storage ss = { 0 };
  socklen_t len;

  if (family == AF_INET6)
    {
      struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) &ss;
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = port;
      memcpy (&sin6->sin6_addr, addr, 16);
      len = sizeof *sin6;
    }
  else
    {
      struct sockaddr_in *sin = (struct sockaddr_in *) &ss;
      sin->sin_family = AF_INET;
      sin->sin_port = port;
      memcpy (&sin->sin_addr, addr, 4);
      len = sizeof *sin;
    }
  nc_sockaddr_to_text ((struct sockaddr *) &ss, len, out, out_len);
}

static void
parse_message (const struct inet_diag_msg *msg,
               guint                       host,
               gint64                      now,
               GArray                     *out)
{
  Entry e = { .host = host };

  e.state.ts_ns = now;
  e.state.family = msg->idiag_family;
  e.state.tcp_state = msg->idiag_state;
  e.state.inq = msg->idiag_rqueue;
  e.state.outq = msg->idiag_wqueue;
  e.state.inode = msg->idiag_inode;
  e.state.actor = -1;
  e.lport = ntohs (msg->id.idiag_sport);
  e.rport = ntohs (msg->id.idiag_dport);
  memcpy (e.laddr, msg->id.idiag_src, sizeof e.laddr);
  memcpy (e.raddr, msg->id.idiag_dst, sizeof e.raddr);
  format_endpoint (msg->idiag_family, msg->id.idiag_src, msg->id.idiag_sport, e.state.local,
                   sizeof e.state.local);
  format_endpoint (msg->idiag_family, msg->id.idiag_dst, msg->id.idiag_dport, e.state.peer,
                   sizeof e.state.peer);
  g_array_append_val (out, e);
}

/* One dump: every TCP socket of @family in the socket's namespace, all states. */
static gboolean
dump_family (SlLabDiag *self,
             int        fd,
             guint      host,
             guint8     family,
             GArray    *out)
{
  struct
  {
    struct nlmsghdr         nlh;
    struct inet_diag_req_v2 req;
  } request = {
    .nlh = {
      .nlmsg_len = sizeof request,
      .nlmsg_type = SOCK_DIAG_BY_FAMILY,
      .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
      .nlmsg_seq = ++self->seq,
    },
    .req = {
      .sdiag_family = family,
      .sdiag_protocol = IPPROTO_TCP,
      .idiag_states = ~0u,
    },
  };
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  gint64 now = nc_now_ns ();
  guint8 buf[32768] __attribute__ ((aligned (NLMSG_ALIGNTO)));

  if (sendto (fd, &request, sizeof request, 0, (struct sockaddr *) &kernel, sizeof kernel) < 0)
    return FALSE;

  for (;;)
    {
      gssize n = recv (fd, buf, sizeof buf, 0);
      struct nlmsghdr *h;

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      for (h = (struct nlmsghdr *) buf; NLMSG_OK (h, (gsize) n); h = NLMSG_NEXT (h, n))
        {
          if (h->nlmsg_seq != self->seq)
            continue;
          if (h->nlmsg_type == NLMSG_DONE)
            return TRUE;
          if (h->nlmsg_type == NLMSG_ERROR)
            return FALSE;
          if (h->nlmsg_len >= NLMSG_LENGTH (sizeof (struct inet_diag_msg)))
            parse_message (NLMSG_DATA (h), host, now, out);
        }
    }
}

/* On a shared network, only what belongs to the run. */
static gboolean
belongs_to_run (SlLabDiag   *self,
                const Entry *e)
{
  if (self->lab->mode_used == SL_LAB_MODE_NAMESPACE)
    return TRUE;
  /* an endpoint of the run's own sockets at one end (sl-lab-confine.c) */
  return sl_lab_confine_owns (self->lab->confine, e->state.family, e->laddr, e->lport) ||
         sl_lab_confine_owns (self->lab->confine, e->state.family, e->raddr, e->rport);
}

static char *
entry_key (const Entry *e)
{
  return g_strdup_printf ("%u|%u|%s|%s", e->host, e->state.family, e->state.local, e->state.peer);
}

/* Whose socket: by inode; a socket without one (not accepted yet, TIME_WAIT)
 * keeps the actor it had, or takes its listener's. */
static gint32
find_actor (SlLabDiag   *self,
            const Entry *e,
            GArray      *sample,
            const char  *key)
{
  const CapSockState *before = g_hash_table_lookup (self->last, key);
  gpointer found;

  if (e->state.inode != 0)
    {
      g_mutex_lock (&self->mutex);
      found = g_hash_table_lookup (self->inode_actor, GSIZE_TO_POINTER ((gsize) e->state.inode));
      g_mutex_unlock (&self->mutex);
      if (found != NULL)
        return GPOINTER_TO_INT (found) - 1;
    }
  if (before != NULL && before->actor >= 0)
    return before->actor;
  for (guint i = 0; i < sample->len; i++)
    {
      const Entry *l = &g_array_index (sample, Entry, i);

      if (l->state.tcp_state == LINUX_TCP_LISTEN && l->host == e->host && l->lport == e->lport &&
          l->state.inode != 0)
        {
          g_mutex_lock (&self->mutex);
          found = g_hash_table_lookup (self->inode_actor,
                                       GSIZE_TO_POINTER ((gsize) l->state.inode));
          g_mutex_unlock (&self->mutex);
          if (found != NULL)
            return GPOINTER_TO_INT (found) - 1;
        }
    }
  return -1;
}

/* A state the kernel leaves by itself as soon as it has processed a packet
 * already on its way (the handshake's last ACK, a FIN's ACK): a busy machine
 * can process it after the sample that followed the packet, and nothing
 * else may happen in the run to look again (every actor held at the step
 * gate), so it is looked at again until it has been left. */
static gboolean
is_transient (guint8 tcp_state)
{
  enum { SYN_SENT = 2, SYN_RECV = 3, FIN_WAIT1 = 4, LAST_ACK = 9, CLOSING = 11, NEW_SYN_RECV = 12 };

  switch (tcp_state)
    {
    case SYN_SENT:
    case SYN_RECV:
    case FIN_WAIT1:
    case LAST_ACK:
    case CLOSING:
    case NEW_SYN_RECV:
      return TRUE;
    default:
      return FALSE;
    }
}

static gboolean
same_state (const CapSockState *a,
            const CapSockState *b)
{
  return a->tcp_state == b->tcp_state && a->inq == b->inq && a->outq == b->outq &&
         a->inode == b->inode;
}

/* Dumps every namespace, writes what changed. Returns whether anything
 * did; @transient: whether a socket of the run is in a passing state. */
static gboolean
sample_locked (SlLabDiag *self,
               gboolean  *transient)
{
  g_autoptr(GArray) now = g_array_new (FALSE, FALSE, sizeof (Entry));
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;
  gboolean changed = FALSE;
  gint64 ts = nc_now_ns ();

  for (guint h = 0; h < self->n_fds; h++)
    {
      dump_family (self, self->fds[h], h, AF_INET, now);
      dump_family (self, self->fds[h], h, AF_INET6, now);
    }

  for (guint i = 0; i < now->len; i++)
    {
      Entry *e = &g_array_index (now, Entry, i);
      g_autofree char *k = NULL;
      const CapSockState *before;

      if (!belongs_to_run (self, e))
        continue;
      *transient |= is_transient (e->state.tcp_state);
      k = entry_key (e);
      before = g_hash_table_lookup (self->last, k);
      e->state.actor = find_actor (self, e, now, k);
      if (before == NULL || !same_state (before, &e->state) || before->actor != e->state.actor)
        {
          sl_lab_emit_sockstate (self->lab, &e->state);
          changed = TRUE;
        }
      g_hash_table_replace (seen, g_steal_pointer (&k), g_memdup2 (&e->state, sizeof e->state));
    }

  /* Gone from the table: say so once. */
  g_hash_table_iter_init (&iter, self->last);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (seen, key))
      {
        CapSockState gone = *(CapSockState *) value;

        gone.ts_ns = ts;
        gone.tcp_state = LINUX_TCP_CLOSE;
        gone.inq = gone.outq = 0;
        sl_lab_emit_sockstate (self->lab, &gone);
        changed = TRUE;
      }

  g_hash_table_unref (self->last);
  self->last = g_steal_pointer (&seen);
  return changed;
}

/* @transient (or NULL): as sample_locked () */
static gboolean
sample (SlLabDiag *self,
        gboolean  *transient)
{
  gboolean changed, passing = FALSE;

  g_mutex_lock (&self->sample_lock);
  changed = sample_locked (self, &passing);
  if (transient != NULL)
    *transient = passing;
  g_mutex_unlock (&self->sample_lock);
  return changed;
}

static gpointer
diag_thread (gpointer data)
{
  SlLabDiag *self = data;
  gint64 last_us = 0;
  gint64 trailing_us = 0;
  gint64 transient_delay_us = TRAILING_US;

  g_mutex_lock (&self->mutex);
  for (;;)
    {
      gint64 wait_until;
      gboolean changed, transient;

      while (!self->dirty && !self->stopping)
        {
          if (trailing_us == 0)
            g_cond_wait (&self->cond, &self->mutex);
          else if (!g_cond_wait_until (&self->cond, &self->mutex, trailing_us))
            break;
        }
      if (self->stopping)
        break;
      self->dirty = FALSE;
      trailing_us = 0;
      g_mutex_unlock (&self->mutex);

      wait_until = MAX (last_us + MIN_INTERVAL_US, g_get_monotonic_time () + SETTLE_US);
      if (wait_until > g_get_monotonic_time ())
        g_usleep (wait_until - g_get_monotonic_time ());
      changed = sample (self, &transient);
      last_us = g_get_monotonic_time ();

      g_mutex_lock (&self->mutex);
      if (changed)
        {
          trailing_us = last_us + TRAILING_US;
          transient_delay_us = TRAILING_US;
        }
      else if (transient)
        {
          /* backing off, so a SYN that is never answered costs little */
          transient_delay_us = MIN (transient_delay_us * 2, TRANSIENT_MAX_US);
          trailing_us = last_us + transient_delay_us;
        }
    }
  g_mutex_unlock (&self->mutex);
  return NULL;
}

/* Opens a sock_diag socket in each of the lab's hosts and starts sampling. */
SlLabDiag *
sl_lab_diag_new (SlLab   *lab,
                 GError **error)
{
  g_autoptr(GError) local = NULL;
  SlLabDiag *self = g_new0 (SlLabDiag, 1);
  guint n_hosts = lab->mode_used == SL_LAB_MODE_NAMESPACE ? MAX (lab->n_hosts, 1) : 1;

  self->lab = lab;
  g_mutex_init (&self->mutex);
  g_mutex_init (&self->sample_lock);
  g_cond_init (&self->cond);
  self->inode_actor = g_hash_table_new (NULL, NULL);
  self->last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  /* A netlink socket answers for the namespace it was made in. */
  for (guint h = 0; h < n_hosts; h++)
    {
      int fd;

      if (!sl_lab_join_host (lab, h, error))
        break;
      fd = open_diag_socket (error);
      if (fd < 0)
        break;
      self->fds[self->n_fds++] = fd;
    }
  sl_lab_join_host (lab, 0, NULL);

  if (self->n_fds != n_hosts)
    {
      sl_lab_diag_free (self);
      return NULL;
    }
  self->thread = g_thread_try_new ("lab-diag", diag_thread, self, error);
  if (self->thread == NULL)
    {
      sl_lab_diag_free (self);
      return NULL;
    }
  return self;
}

/* Something happened (a call returned, a packet went by): sample soon. */
void
sl_lab_diag_poke (SlLabDiag *self)
{
  /* Every call and every frame pokes: the usual answer (nothing to sample,
   * or a sample already due) is read without the lock. A poke missed as
   * has_stream turns TRUE is made up by the next one. */
  if (self == NULL || !g_atomic_int_get (&self->has_stream) || g_atomic_int_get (&self->dirty))
    return;
  g_mutex_lock (&self->mutex);
  if (self->has_stream && !self->dirty)
    {
      self->dirty = TRUE;
      g_cond_signal (&self->cond);
    }
  g_mutex_unlock (&self->mutex);
}

/* A call just changed a socket's state: look now, on the caller's thread.
 * Netlink sockets work from any thread; in a multi-host lab each host's
 * socket was made in that host's namespace. */
void
sl_lab_diag_sample_now (SlLabDiag *self)
{
  if (self == NULL)
    return;
  sample (self, NULL);
}

/* A stream socket exists (in any process of the run): from now on packets
 * and calls make samples. */
void
sl_lab_diag_note_stream (SlLabDiag *self)
{
  if (self == NULL)
    return;
  g_mutex_lock (&self->mutex);
  g_atomic_int_set (&self->has_stream, TRUE);
  g_mutex_unlock (&self->mutex);
}

/* @fd was just returned by socket() or accept() in @actor: remember its inode. */
void
sl_lab_diag_note_socket (SlLabDiag *self,
                         gint32     pid,
                         int        fd,
                         guint      actor)
{
  g_autofree char *path = NULL;
  char link[64];
  gssize n;
  guint64 inode;

  if (self == NULL || fd < 0)
    return;
  path = g_strdup_printf ("/proc/%d/fd/%d", pid, fd);
  n = readlink (path, link, sizeof link - 1);
  if (n <= 0)
    return;
  link[n] = '\0';
  if (sscanf (link, "socket:[%" G_GUINT64_FORMAT "]", &inode) != 1)
    return;

  g_mutex_lock (&self->mutex);
  g_hash_table_replace (self->inode_actor, GSIZE_TO_POINTER ((gsize) inode),
                        GINT_TO_POINTER ((int) actor + 1));
  g_mutex_unlock (&self->mutex);
}

/* Stops sampling after a last look (TIME_WAIT shows there), and frees. */
void
sl_lab_diag_free (SlLabDiag *self)
{
  if (self == NULL)
    return;
  if (self->thread != NULL)
    {
      g_mutex_lock (&self->mutex);
      self->stopping = TRUE;
      g_cond_signal (&self->cond);
      g_mutex_unlock (&self->mutex);
      g_thread_join (self->thread);
      sample (self, NULL);
    }
  for (guint h = 0; h < self->n_fds; h++)
    close (self->fds[h]);
  g_hash_table_unref (self->inode_actor);
  g_hash_table_unref (self->last);
  g_mutex_clear (&self->mutex);
  g_mutex_clear (&self->sample_lock);
  g_cond_clear (&self->cond);
  g_free (self);
}
