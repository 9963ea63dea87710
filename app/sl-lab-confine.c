/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-lab-confine.c: on this computer's shared lo (capabilities or root
 * mode) the lab sees the run's own traffic and nothing else, whatever its
 * arguments say.
 *
 * A helper with cap_net_raw could open lo and read every user's loopback
 * traffic; its command line comes from whoever runs it. So, as dumpcap
 * does, it keeps its privilege only as long as it needs it, and decides by
 * itself what it captures:
 *
 *  - The capture handle opens with a filter that admits nothing, and right
 *    after that every capability is dropped (no_new_privs; still not
 *    dumpable, so nobody can ptrace the open handle away from it).
 *  - The filter then admits the endpoints of the run's own sockets, as the
 *    kernel reports them (getsockname after bind()), never a port or an
 *    address from the arguments. The kernel makes such an endpoint the
 *    run's own: scenarios set neither SO_REUSEADDR nor SO_REUSEPORT, so a
 *    bind that would share another program's endpoint fails (a UDP socket
 *    that does set SO_REUSEADDR is not admitted). A socket about to send to
 *    an address that is not one of the run's is first bound to a port of
 *    its own (what connect() or sendto() would do anyway), so its packets
 *    are told apart from everyone else's by that endpoint.
 *  - ICMP only when it quotes a datagram the run sent (the error for it), or
 *    is the echo of the run's own ping (root only: a raw socket needs
 *    cap_net_raw, which capabilities mode gives up).
 * docs/LAB.md has the threat model.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sl-lab-private.h"

/* Frames are at least 14 bytes long: admits nothing. */
#define FILTER_NOTHING "less 1"

typedef struct
{
  int     proto;     /* IPPROTO_TCP or IPPROTO_UDP */
  int     family;    /* AF_INET or AF_INET6: as on the wire (v4-mapped is AF_INET) */
  gboolean any;      /* bound to the wildcard address */
  guint8  addr[16];
  guint16 port;
  int     fd;        /* the socket it came from, -1 once closed */
} Endpoint;

struct _SlLabConfine
{
  SlLab   *lab;
  GMutex   lock;
  GArray  *endpoints;   /* Endpoint */
  gboolean echo;        /* also the ICMP echo of the run's own ping */
  guint16  echo_id;
};

/* --- privileges ------------------------------------------------------------- */

/**
 * sl_lab_drop_privileges:
 * @keep_net_raw: keep CAP_NET_RAW (root running a raw-socket lesson)
 *
 * Gives up every capability in this thread, before any other exists, so
 * every thread the lab starts has none either. The process stays not
 * dumpable: with no capabilities left, a dumpable lab could be traced by its
 * user and its open capture handle re-filtered to see everything.
 */
gboolean
sl_lab_drop_privileges (gboolean   keep_net_raw,
                        GError   **error)
{
  struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { { 0 } };
  int threads = sl_lab_count_threads ();

  /* capset() changes the calling thread only */
  if (threads != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("the lab has %d threads already; it gives up its capabilities with one"),
                   threads);
      return FALSE;
    }
  if (keep_net_raw)
    {
      data[CAP_TO_INDEX (CAP_NET_RAW)].permitted |= CAP_TO_MASK (CAP_NET_RAW);
      data[CAP_TO_INDEX (CAP_NET_RAW)].effective |= CAP_TO_MASK (CAP_NET_RAW);
    }
  prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  if (syscall (SYS_capset, &header, data) != 0 ||
      prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not give up the lab's capabilities: %s"), g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* --- the filter ------------------------------------------------------------ */

static const char *
proto_name (int proto)
{
  return proto == IPPROTO_TCP ? "tcp" : "udp";
}

static void
append_host (GString        *out,
             const Endpoint *e)
{
  char text[INET6_ADDRSTRLEN];

  inet_ntop (e->family, e->addr, text, sizeof text);
  g_string_append (out, text);
}

/* "(udp and ((src host A and src port P) or (dst host A and dst port P)))" */
static void
append_endpoint (GString        *out,
                 const Endpoint *e)
{
  const char *proto = proto_name (e->proto);

  if (e->any)
    {
      g_string_append_printf (out, "(%s %s port %u)", e->family == AF_INET ? "ip and" : "",
                              proto, e->port);
      return;
    }
  g_string_append_printf (out, "(%s and ((src host ", proto);
  append_host (out, e);
  g_string_append_printf (out, " and src port %u) or (dst host ", e->port);
  append_host (out, e);
  g_string_append_printf (out, " and dst port %u)))", e->port);
}

/* An ICMP error quoting a datagram this endpoint sent: the quoted header's
 * protocol, source port and (unless wildcard) source address are its own. */
static void
append_icmp_error (GString        *out,
                   const Endpoint *e)
{
  if (e->family == AF_INET)
    {
      /* icmp[8] starts the quoted IPv4 header; its IHL gives where UDP/TCP starts */
      g_string_append_printf (out,
                              " or (icmp and icmp[0] == 3 and icmp[17] == %d and "
                              "icmp[(8 + ((icmp[8] & 0x0f) << 2)):2] == %u",
                              e->proto, e->port);
      if (!e->any)
        {
          guint32 a;
          memcpy (&a, e->addr, 4);
          g_string_append_printf (out, " and icmp[20:4] == 0x%08x", ntohl (a));
        }
      g_string_append (out, ")");
      return;
    }
  /* ICMPv6 destination unreachable right after the IPv6 header, quoting an
   * IPv6 header (40 bytes) and then UDP/TCP */
  g_string_append_printf (out,
                          " or (icmp6 and ip6[40] == 1 and ip6[54] == %d and ip6[88:2] == %u",
                          e->proto, e->port);
  if (!e->any)
    for (guint i = 0; i < 4; i++)
      {
        guint32 a;
        memcpy (&a, e->addr + 4 * i, 4);
        g_string_append_printf (out, " and ip6[%u:4] == 0x%08x", 56 + 4 * i, ntohl (a));
      }
  g_string_append (out, ")");
}

/* With the lock held */
static char *
build_filter (SlLabConfine *self)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < self->endpoints->len; i++)
    {
      const Endpoint *e = &g_array_index (self->endpoints, Endpoint, i);

      if (out->len > 0)
        g_string_append (out, " or ");
      append_endpoint (out, e);
      append_icmp_error (out, e);
    }
  if (self->echo)
    g_string_append_printf (out, "%s(icmp and (icmp[0] == 0 or icmp[0] == 8) and icmp[4:2] == %u)",
                            out->len > 0 ? " or " : "", self->echo_id);
  if (out->len == 0)
    g_string_append (out, FILTER_NOTHING);
  return g_string_free (out, FALSE);
}

static gboolean
apply_locked (SlLabConfine  *self,
              GError       **error)
{
  g_autofree char *filter = build_filter (self);

  if (self->lab->live == NULL)
    return TRUE;
  return cap_live_set_filter (self->lab->live, filter, error);
}

/* --- the run's sockets ---------------------------------------------------- */

/* Fills @e from what the kernel says @fd is bound to; FALSE if it is not a
 * TCP or UDP socket of an Internet family. */
static gboolean
endpoint_of_fd (int       fd,
                Endpoint *e)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  int type = 0;
  socklen_t type_len = sizeof type;

  memset (e, 0, sizeof *e);
  if (getsockname (fd, (struct sockaddr *) &ss, &len) != 0 ||
      getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &type_len) != 0)
    return FALSE;
  if (type == SOCK_STREAM)
    e->proto = IPPROTO_TCP;
  else if (type == SOCK_DGRAM)
    e->proto = IPPROTO_UDP;
  else
    return FALSE;
  e->fd = fd;
  if (ss.ss_family == AF_INET)
    {
      const struct sockaddr_in *sin = (const struct sockaddr_in *) &ss;
      e->family = AF_INET;
      memcpy (e->addr, &sin->sin_addr, 4);
      e->any = sin->sin_addr.s_addr == htonl (INADDR_ANY);
      e->port = ntohs (sin->sin_port);
      return TRUE;
    }
  if (ss.ss_family == AF_INET6)
    {
      const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) &ss;
      e->port = ntohs (sin6->sin6_port);
      if (IN6_IS_ADDR_V4MAPPED (&sin6->sin6_addr))
        {
          e->family = AF_INET;
          memcpy (e->addr, sin6->sin6_addr.s6_addr + 12, 4);
          return TRUE;
        }
      e->family = AF_INET6;
      memcpy (e->addr, &sin6->sin6_addr, 16);
      e->any = IN6_IS_ADDR_UNSPECIFIED (&sin6->sin6_addr);
      return TRUE;
    }
  return FALSE;
}

static gboolean
same_endpoint (const Endpoint *a,
               const Endpoint *b)
{
  return a->proto == b->proto && a->family == b->family && a->port == b->port &&
         a->any == b->any && memcmp (a->addr, b->addr, 16) == 0;
}

/* Does @e (an address a packet goes to) fall on one of the run's endpoints? */
static gboolean
owned_locked (SlLabConfine   *self,
              const Endpoint *e)
{
  for (guint i = 0; i < self->endpoints->len; i++)
    {
      const Endpoint *o = &g_array_index (self->endpoints, Endpoint, i);

      if (o->proto == e->proto && o->port == e->port &&
          (o->any ? (o->family == AF_INET6 || e->family == AF_INET)
                  : (o->family == e->family && memcmp (o->addr, e->addr, 16) == 0)))
        return TRUE;
    }
  return FALSE;
}

/* Adds what @fd is bound to, once. */
static void
admit (SlLabConfine *self,
       int           fd)
{
  g_autoptr(GError) error = NULL;
  Endpoint e;
  int reuse = 0;
  socklen_t reuse_len = sizeof reuse;

  if (!endpoint_of_fd (fd, &e) || e.port == 0)
    return;
  if (e.proto == IPPROTO_UDP &&
      getsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &reuse, &reuse_len) == 0 && reuse)
    {
      sl_lab_say (self->lab, CAP_SEVERITY_WARNING,
                  _("Packets of UDP port %u are not captured: its socket allows sharing the port "
                    "(SO_REUSEADDR), so on this computer's lo they could be another program's."),
                  e.port);
      return;
    }

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->endpoints->len; i++)
    if (same_endpoint (&g_array_index (self->endpoints, Endpoint, i), &e))
      {
        g_array_index (self->endpoints, Endpoint, i).fd = fd;
        g_mutex_unlock (&self->lock);
        return;
      }
  g_array_append_val (self->endpoints, e);
  if (!apply_locked (self, &error))
    sl_lab_say (self->lab, CAP_SEVERITY_WARNING, _("The capture filter could not follow port %u: %s"),
                e.port, error->message);
  g_mutex_unlock (&self->lock);
}

/* "127.0.0.1:5000", "[::1]:5000" (nc_sockaddr_to_text) -> an endpoint */
static gboolean
endpoint_of_text (const char *text,
                  int         proto,
                  Endpoint   *e)
{
  g_autofree char *host = NULL;
  const char *colon = strrchr (text, ':');
  struct sockaddr_storage ss;
  guint64 port;

  if (colon == NULL || colon == text)
    return FALSE;
  if (text[0] == '[' && colon[-1] == ']')
    host = g_strndup (text + 1, (gsize) (colon - text - 2));
  else
    host = g_strndup (text, (gsize) (colon - text));
  port = g_ascii_strtoull (colon + 1, NULL, 10);
  if (port > G_MAXUINT16 || nc_scenario_make_address (host, (guint16) port, &ss) == 0)
    return FALSE;
  memset (e, 0, sizeof *e);
  e->proto = proto;
  e->port = (guint16) port;
  e->family = ss.ss_family;
  if (ss.ss_family == AF_INET)
    memcpy (e->addr, &((struct sockaddr_in *) &ss)->sin_addr, 4);
  else if (IN6_IS_ADDR_V4MAPPED (&((struct sockaddr_in6 *) &ss)->sin6_addr))
    {
      e->family = AF_INET;
      memcpy (e->addr, ((struct sockaddr_in6 *) &ss)->sin6_addr.s6_addr + 12, 4);
    }
  else
    memcpy (e->addr, &((struct sockaddr_in6 *) &ss)->sin6_addr, 16);
  return TRUE;
}

/* Before connect(), sendto() or listen(): a socket that will talk to
 * something that is not the run's own gets an endpoint in the filter before
 * its first packet leaves, a port of its own first if it has none yet (what
 * connect() or sendto() would give it anyway). A socket talking to the
 * run's own endpoint needs nothing: each of its packets has that endpoint at
 * the other end. */
static void
admit_before_sending (SlLabConfine *self,
                      const NcCall *call)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  Endpoint local, dest;
  gboolean to_own = FALSE;

  if (!endpoint_of_fd (call->fd, &local))
    return;
  if (call->kind == NC_CALL_LISTEN && local.port != 0)
    return;  /* bound: admitted when bind() returned */
  if (call->kind != NC_CALL_LISTEN && endpoint_of_text (call->peer, local.proto, &dest))
    {
      g_mutex_lock (&self->lock);
      to_own = owned_locked (self, &dest);
      g_mutex_unlock (&self->lock);
    }
  if (to_own)
    return;

  if (local.port == 0)
    {
      sa_family_t family;

      /* the wildcard address of the socket's family, port 0: the kernel's choice */
      if (getsockname (call->fd, (struct sockaddr *) &ss, &len) != 0)
        return;
      family = ss.ss_family;
      memset (&ss, 0, sizeof ss);
      ss.ss_family = family;
      if (bind (call->fd, (struct sockaddr *) &ss,
                ss.ss_family == AF_INET6 ? sizeof (struct sockaddr_in6)
                                         : sizeof (struct sockaddr_in)) != 0)
        sl_lab_say (self->lab, CAP_SEVERITY_WARNING,
                    _("The run's socket %d could not be given a port of its own (%s): its packets "
                      "may be missing."), call->fd, g_strerror (errno));
    }
  admit (self, call->fd);
}

/* A closed UDP socket leaves nothing on the wire: its port may be someone
 * else's from now on. (TCP's end still has FINs and TIME_WAIT to come, and
 * holds its port meanwhile.) */
static void
forget (SlLabConfine *self,
        int           fd)
{
  g_autoptr(GError) error = NULL;
  gboolean changed = FALSE;

  g_mutex_lock (&self->lock);
  for (guint i = self->endpoints->len; i-- > 0;)
    {
      Endpoint *e = &g_array_index (self->endpoints, Endpoint, i);

      if (e->fd != fd)
        continue;
      if (e->proto == IPPROTO_UDP)
        {
          g_array_remove_index (self->endpoints, i);
          changed = TRUE;
        }
      else
        e->fd = -1;
    }
  if (changed && !apply_locked (self, &error))
    sl_lab_say (self->lab, CAP_SEVERITY_WARNING, _("The capture filter could not be narrowed: %s"),
                error->message);
  g_mutex_unlock (&self->lock);
}

/**
 * sl_lab_confine_on_call:
 *
 * On the actor's thread: before a call that sends (entry) and after a
 * bind() or close() (return), the filter follows the run's sockets.
 */
void
sl_lab_confine_on_call (SlLabConfine *self,
                        const NcCall *call,
                        NcCallPhase   phase)
{
  if (self == NULL || call->fd < 0 || call->pid != getpid ())
    return;
  if (phase == NC_CALL_PHASE_ENTER)
    {
      switch (call->kind)
        {
        case NC_CALL_CONNECT:
        case NC_CALL_SENDTO:
        case NC_CALL_LISTEN:
          admit_before_sending (self, call);
          break;
        default:
          break;
        }
      return;
    }
  if (call->kind == NC_CALL_BIND && call->result == 0)
    admit (self, call->fd);
  else if (call->kind == NC_CALL_CLOSE && call->result == 0)
    forget (self, call->fd);
}

/**
 * sl_lab_confine_owns:
 * @addr: 4 or 16 bytes, network order
 *
 * Is this TCP endpoint (from sock_diag) one of the run's?
 */
gboolean
sl_lab_confine_owns (SlLabConfine *self,
                     int           family,
                     const void   *addr,
                     guint16       port)
{
  Endpoint e = { .proto = IPPROTO_TCP, .family = family, .port = port };
  gboolean owned;

  if (self == NULL)
    return FALSE;
  memcpy (e.addr, addr, family == AF_INET6 ? 16 : 4);
  if (family == AF_INET6 && IN6_IS_ADDR_V4MAPPED ((const struct in6_addr *) addr))
    {
      e.family = AF_INET;
      memset (e.addr, 0, 16);
      memcpy (e.addr, (const guint8 *) addr + 12, 4);
    }
  g_mutex_lock (&self->lock);
  owned = owned_locked (self, &e);
  g_mutex_unlock (&self->lock);
  return owned;
}

/**
 * sl_lab_confine_new:
 *
 * Sets the filter that admits nothing on the lab's open capture handle.
 * With @echo_id, the ICMP echo request and reply with that identifier are
 * admitted too (a raw-socket ping, which only root may run).
 */
SlLabConfine *
sl_lab_confine_new (SlLab    *lab,
                    gboolean  echo,
                    guint16   echo_id,
                    GError  **error)
{
  SlLabConfine *self = g_new0 (SlLabConfine, 1);

  self->lab = lab;
  self->endpoints = g_array_new (FALSE, FALSE, sizeof (Endpoint));
  self->echo = echo;
  self->echo_id = echo_id;
  g_mutex_init (&self->lock);
  if (!apply_locked (self, error))
    {
      sl_lab_confine_free (self);
      return NULL;
    }
  return self;
}

void
sl_lab_confine_free (SlLabConfine *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->endpoints);
  g_mutex_clear (&self->lock);
  g_free (self);
}
