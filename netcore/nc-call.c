/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nc-call.c: names and text for socket calls, as a student reads them. */

#include "config.h"

#include "nc-call.h"
#include "nc-format.h"

#include <errno.h>
#include <pthread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

/* The interned select() sets: a table that only grows, as g_intern_string ()'s */
static GMutex fd_sets_lock;
static GHashTable *fd_sets_table;

/* A scenario's forked handler records its calls too: the lock is held
 * across fork () so the child never inherits it taken by another thread. */
static void
fd_sets_lock_take (void)
{
  g_mutex_lock (&fd_sets_lock);
}

static void
fd_sets_lock_give (void)
{
  g_mutex_unlock (&fd_sets_lock);
}

static guint
fd_sets_hash (gconstpointer key)
{
  const guint8 *p = key;
  guint h = 5381;

  for (gsize i = 0; i < sizeof (NcFdSets); i++)
    h = h * 33 + p[i];
  return h;
}

static gboolean
fd_sets_equal (gconstpointer a,
               gconstpointer b)
{
  return memcmp (a, b, sizeof (NcFdSets)) == 0;
}

/**
 * nc_fd_sets_intern:
 * Returns: the one stored copy of @sets (what lies past each list's @n is
 *   not part of it), valid for the life of the process; %NULL if every list
 *   is empty.
 */
const NcFdSets *
nc_fd_sets_intern (const NcFdSets *sets)
{
  NcFdSets key;
  NcFdSets *stored;
  gboolean empty = TRUE;

  memset (&key, 0, sizeof key);
  for (guint s = 0; s < NC_N_SETS; s++)
    {
      key.set[s].n = MIN (sets->set[s].n, NC_SELECT_FDS_MAX);
      memcpy (key.set[s].fds, sets->set[s].fds, key.set[s].n * sizeof (gint32));
      empty = empty && key.set[s].n == 0;
    }
  if (empty)
    return NULL;

  if (g_once_init_enter (&fd_sets_table))
    {
      pthread_atfork (fd_sets_lock_take, fd_sets_lock_give, fd_sets_lock_give);
      g_once_init_leave (&fd_sets_table, g_hash_table_new (fd_sets_hash, fd_sets_equal));
    }
  g_mutex_lock (&fd_sets_lock);
  stored = g_hash_table_lookup (fd_sets_table, &key);
  if (stored == NULL)
    {
      stored = g_memdup2 (&key, sizeof key);
      g_hash_table_add (fd_sets_table, stored);
    }
  g_mutex_unlock (&fd_sets_lock);
  return stored;
}

/**
 * nc_call_get_fds:
 * @ready: %FALSE for what the call watched, %TRUE for what came back ready
 * @set: %NC_SET_READ, %NC_SET_WRITE or %NC_SET_EXCEPT
 * Returns: (transfer none): that list of @call's; an empty one if it has none
 */
const NcFdList *
nc_call_get_fds (const NcCall *call,
                 gboolean      ready,
                 guint         set)
{
  static const NcFdList empty = { 0 };
  const NcFdSets *sets = ready ? call->sets_out : call->sets_in;

  g_return_val_if_fail (set < NC_N_SETS, &empty);
  return sets != NULL ? &sets->set[set] : &empty;
}

gboolean
nc_call_failed (const NcCall *call)
{
  if (call->ts_end == 0)
    return FALSE;
  /* The name services report failure in their result (EAI_*, h_errno), not errno. */
  if (call->kind == NC_CALL_GETADDRINFO || call->kind == NC_CALL_GETNAMEINFO ||
      call->kind == NC_CALL_GETHOSTBYNAME || call->kind == NC_CALL_GETHOSTBYADDR)
    return call->result != 0;
  return call->err != 0;
}

/* A Step releases a call of the program's own; what its runtime does on its
 * behalf (an idle poll loop) runs on without one. */
gboolean
nc_call_waits_at_gate (const NcCall *call)
{
  return call->origin != NC_CALL_ORIGIN_LIBRARY;
}

gboolean
nc_call_in_progress (const NcCall *call)
{
  return call->ts_end == 0;
}

const char *
nc_errno_name (int err)
{
  switch (err)
    {
    case 0: return "OK";
    case EAGAIN: return "EAGAIN";  /* == EWOULDBLOCK on Linux */
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case ECONNREFUSED: return "ECONNREFUSED";
    case ECONNRESET: return "ECONNRESET";
    case ECONNABORTED: return "ECONNABORTED";
    case EINPROGRESS: return "EINPROGRESS";
    case EALREADY: return "EALREADY";
    case EISCONN: return "EISCONN";
    case ENOTCONN: return "ENOTCONN";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EHOSTUNREACH: return "EHOSTUNREACH";
    case ENETUNREACH: return "ENETUNREACH";
    case EPIPE: return "EPIPE";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case EINTR: return "EINTR";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ENOTSOCK: return "ENOTSOCK";
    case EDESTADDRREQ: return "EDESTADDRREQ";
    case EMSGSIZE: return "EMSGSIZE";
    case ENOBUFS: return "ENOBUFS";
    case ENOMEM: return "ENOMEM";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case EFAULT: return "EFAULT";
    case ECANCELED: return "ECANCELED";
    case ENOENT: return "ENOENT";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSPC: return "ENOSPC";
    case ENOPROTOOPT: return "ENOPROTOOPT";
    case EPROTOTYPE: return "EPROTOTYPE";
    case ESHUTDOWN: return "ESHUTDOWN";
    default: return "E?";
    }
}

const char *
nc_tcp_state_name (guint8 state)
{
  /* Linux's numbering (include/net/tcp_states.h), which TCP_INFO and
   * sock_diag both report. */
  static const char *const names[] = {
    "NONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT_1", "FIN_WAIT_2",
    "TIME_WAIT", "CLOSED", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV",
  };
  if (state >= G_N_ELEMENTS (names))
    return "?";
  return names[state];
}

const char *
nc_family_name (int family)
{
  switch (family)
    {
    case AF_INET: return "AF_INET";
    case AF_INET6: return "AF_INET6";
    case AF_UNIX: return "AF_UNIX";
    case AF_UNSPEC: return "AF_UNSPEC";
    default: return "AF_?";
    }
}

/* The protocol argument of socket(): 0 means "the usual one for the type". */
static void
format_protocol (int      protocol,
                 GString *out)
{
  switch (protocol)
    {
    case IPPROTO_ICMP: g_string_append (out, "IPPROTO_ICMP"); break;
    case IPPROTO_ICMPV6: g_string_append (out, "IPPROTO_ICMPV6"); break;
    case IPPROTO_TCP: g_string_append (out, "IPPROTO_TCP"); break;
    case IPPROTO_UDP: g_string_append (out, "IPPROTO_UDP"); break;
    case IPPROTO_RAW: g_string_append (out, "IPPROTO_RAW"); break;
    default: g_string_append_printf (out, "%d", protocol); break;
    }
}

const char *
nc_socktype_name (int type)
{
  switch (type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
    {
    case SOCK_STREAM: return "SOCK_STREAM";
    case SOCK_DGRAM: return "SOCK_DGRAM";
    case SOCK_RAW: return "SOCK_RAW";
    case SOCK_SEQPACKET: return "SOCK_SEQPACKET";
    default: return "SOCK_?";
    }
}

/* poll() and epoll_wait(): only the sets in use, "r=[3], w=[4]"; FALSE if none */
static gboolean
format_ready_sets (const NcCall *call,
                   gboolean      ready,
                   GString      *out)
{
  static const char *const names[NC_N_SETS] = { "r=", "w=", "x=" };
  gboolean any = FALSE;

  for (guint s = 0; s < NC_N_SETS; s++)
    if (nc_call_get_fds (call, ready, s)->n > 0)
      {
        g_string_append (out, any ? ", " : "");
        g_string_append (out, names[s]);
        nc_format_fd_list (nc_call_get_fds (call, ready, s), out);
        any = TRUE;
      }
  return any;
}

static void
format_timeout (gint64   timeout_ns,
                GString *out)
{
  if (timeout_ns < 0)
    g_string_append (out, "None");
  else
    g_string_append_printf (out, "%.3g s", timeout_ns / 1e9);
}

/* ", MSG_PEEK": the flags a send or receive was given, by name (Python's
 * s.recv (5, socket.MSG_PEEK)); nothing for 0 */
static void
format_msg_flags (gint32   flags,
                  GString *out)
{
  static const struct { int flag; const char *name; } names[] = {
    { MSG_OOB, "MSG_OOB" },         { MSG_PEEK, "MSG_PEEK" },
    { MSG_DONTROUTE, "MSG_DONTROUTE" }, { MSG_DONTWAIT, "MSG_DONTWAIT" },
    { MSG_WAITALL, "MSG_WAITALL" }, { MSG_TRUNC, "MSG_TRUNC" },
    { MSG_NOSIGNAL, "MSG_NOSIGNAL" }, { MSG_MORE, "MSG_MORE" },
  };
  guint32 rest = (guint32) flags;
  const char *sep = ", ";

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (rest & (guint32) names[i].flag)
      {
        g_string_append_printf (out, "%s%s", sep, names[i].name);
        rest &= ~(guint32) names[i].flag;
        sep = "|";
      }
  if (rest != 0)
    g_string_append_printf (out, "%s0x%x", sep, rest);
}

/* Decimal digits by hand: a run prints a line per call, and printf (with
 * the string GLib formats into and frees for each) was a third of it */
static void
append_int (GString *out,
            gint64   value)
{
  char digits[24];
  int n = 0;
  guint64 v = value < 0 ? -(guint64) value : (guint64) value;

  do
    digits[n++] = (char) ('0' + v % 10);
  while ((v /= 10) != 0);
  if (value < 0)
    g_string_append_c (out, '-');
  while (n > 0)
    g_string_append_c (out, digits[--n]);
}

/* "fd=3, " and @then */
static void
append_fd (GString    *out,
           int         fd,
           const char *then)
{
  g_string_append (out, "fd=");
  append_int (out, fd);
  g_string_append (out, ", ");
  g_string_append (out, then);
}

/* " = 5" and @then */
static void
append_result (GString    *out,
               gint64      result,
               const char *then)
{
  g_string_append (out, " = ");
  append_int (out, result);
  g_string_append (out, then);
}

static void
format_arguments (const NcCall *call,
                  GString      *out)
{
  switch ((NcCallKind) call->kind)
    {
    case NC_CALL_SOCKET:
    case NC_CALL_SOCKETPAIR:
      g_string_append_printf (out, "%s, %s, ", nc_family_name (call->domain),
                              nc_socktype_name (call->type));
      format_protocol (call->protocol, out);
      break;
    case NC_CALL_BIND:
      append_fd (out, call->fd, call->local);
      break;
    case NC_CALL_CONNECT:
      append_fd (out, call->fd, call->peer);
      break;
    case NC_CALL_LISTEN:
      g_string_append_printf (out, "fd=%d, backlog=%d", call->fd, call->type);
      break;
    case NC_CALL_SEND:
    case NC_CALL_SENDMSG:
    case NC_CALL_WRITE:
      append_fd (out, call->fd, "");
      nc_format_bytes (call->data, call->data_len, G_MAXSIZE, out);
      if (call->length > call->data_len)
        g_string_append (out, "...");
      g_string_append (out, " (");
      append_int (out, call->length);
      g_string_append (out, " bytes)");
      if (call->kind != NC_CALL_WRITE)
        format_msg_flags (call->flags, out);
      /* sendmsg () with a destination (msg_name), as sendto () */
      if (call->kind == NC_CALL_SENDMSG && call->peer[0] != '\0')
        g_string_append_printf (out, ", %s", call->peer);
      break;
    case NC_CALL_SENDTO:
      append_fd (out, call->fd, "");
      nc_format_bytes (call->data, call->data_len, G_MAXSIZE, out);
      g_string_append (out, " (");
      append_int (out, call->length);
      g_string_append (out, " bytes)");
      format_msg_flags (call->flags, out);
      g_string_append (out, ", ");
      g_string_append (out, call->peer);
      break;
    case NC_CALL_RECV:
    case NC_CALL_RECVFROM:
    case NC_CALL_RECVMSG:
    case NC_CALL_READ:
      append_fd (out, call->fd, "");
      append_int (out, call->length);
      if (call->kind != NC_CALL_READ)
        format_msg_flags (call->flags, out);
      break;
    case NC_CALL_FCNTL:
    case NC_CALL_IOCTL:
      g_string_append_printf (out, "fd=%d, %s", call->fd, call->text);
      break;
    case NC_CALL_EPOLL_CTL:
      /* text: "EPOLL_CTL_ADD, fd=5, EPOLLIN", as strace writes it */
      g_string_append_printf (out, "epfd=%d, %s", call->domain, call->text);
      break;
    case NC_CALL_SENDFILE:
      /* the file's first bytes, read where the kernel started */
      g_string_append_printf (out, "fd=%d, file fd=%d, ", call->fd, call->domain);
      nc_format_bytes (call->data, call->data_len, G_MAXSIZE, out);
      if (call->length > call->data_len)
        g_string_append (out, "...");
      g_string_append_printf (out, " (%" G_GINT64_FORMAT " bytes)", call->length);
      break;
    case NC_CALL_SHUTDOWN:
      g_string_append_printf (out, "fd=%d, %s", call->fd,
                              call->domain == SHUT_RD   ? "SHUT_RD"
                              : call->domain == SHUT_WR ? "SHUT_WR"
                                                        : "SHUT_RDWR");
      break;
    case NC_CALL_SETBLOCKING:
      g_string_append_printf (out, "fd=%d, %s", call->fd, call->domain ? "True" : "False");
      break;
    case NC_CALL_SETTIMEOUT:
      append_fd (out, call->fd, "");
      format_timeout (call->timeout_ns, out);
      break;
    case NC_CALL_SETSOCKOPT:
      g_string_append_printf (out, "fd=%d, %s, %" G_GINT64_FORMAT, call->fd, call->text,
                              (gint64) call->value_in);
      break;
    case NC_CALL_GETSOCKOPT:
      g_string_append_printf (out, "fd=%d, %s", call->fd, call->text);
      break;
    case NC_CALL_SELECT:
    case NC_CALL_PSELECT:
      for (guint s = 0; s < NC_N_SETS; s++)
        {
          nc_format_fd_list (nc_call_get_fds (call, FALSE, s), out);
          g_string_append (out, ", ");
        }
      format_timeout (call->timeout_ns, out);
      break;
    case NC_CALL_POLL:
    case NC_CALL_PPOLL:
    case NC_CALL_EPOLL_WAIT:
      if (format_ready_sets (call, FALSE, out))
        g_string_append (out, ", ");
      format_timeout (call->timeout_ns, out);
      break;
    case NC_CALL_GETHOSTNAME:
      break;
    case NC_CALL_GETHOSTBYNAME:
    case NC_CALL_GETADDRINFO:
    case NC_CALL_INET_ATON:
    case NC_CALL_INET_PTON:
      g_string_append_printf (out, "\"%s\"", call->text);
      break;
    case NC_CALL_GETNAMEINFO:
    case NC_CALL_GETHOSTBYADDR:
      g_string_append (out, call->peer);
      break;
    case NC_CALL_INET_NTOA:
    case NC_CALL_INET_NTOP:
      nc_format_bytes (call->data, call->data_len, G_MAXSIZE, out);
      break;
    case NC_CALL_HTONS:
    case NC_CALL_NTOHS:
      g_string_append_printf (out, "0x%04" G_GINT64_MODIFIER "x", (gint64) call->value_in);
      break;
    case NC_CALL_HTONL:
    case NC_CALL_NTOHL:
      g_string_append_printf (out, "0x%08" G_GINT64_MODIFIER "x", (gint64) call->value_in);
      break;
    case NC_CALL_ACCEPT:
    case NC_CALL_ACCEPT4:
    case NC_CALL_CLOSE:
    case NC_CALL_GETSOCKNAME:
    case NC_CALL_GETPEERNAME:
      g_string_append_printf (out, "fd=%d", call->fd);
      break;
    case NC_CALL_FORK:
    case NC_N_CALL_KINDS:
    default:
      break;
    }
}

static void
format_result (const NcCall *call,
               GString      *out)
{
  if (nc_call_in_progress (call))
    {
      g_string_append (out, " ... (blocked)");
      return;
    }

  if (call->err != 0)
    {
      g_string_append_printf (out, " = %" G_GINT64_FORMAT " %s (%s)", call->result,
                              nc_errno_name (call->err), g_strerror (call->err));
      return;
    }
  if (nc_call_failed (call))
    {
      g_string_append_printf (out, " = %" G_GINT64_FORMAT " (%s)", call->result,
                              call->kind == NC_CALL_GETADDRINFO ||
                                  call->kind == NC_CALL_GETHOSTBYNAME
                                ? call->peer : call->text);
      return;
    }

  switch ((NcCallKind) call->kind)
    {
    case NC_CALL_ACCEPT:
    case NC_CALL_ACCEPT4:
      g_string_append_printf (out, " = %" G_GINT64_FORMAT " from %s", call->result, call->peer);
      break;
    case NC_CALL_CONNECT:
      g_string_append_printf (out, " = %" G_GINT64_FORMAT " (local %s)", call->result, call->local);
      break;
    case NC_CALL_RECV:
    case NC_CALL_READ:
      append_result (out, call->result, " ");
      nc_format_bytes (call->data, call->data_len, G_MAXSIZE, out);
      break;
    case NC_CALL_RECVMSG:
    case NC_CALL_RECVFROM:
      append_result (out, call->result, " ");
      nc_format_bytes (call->data, call->data_len, G_MAXSIZE, out);
      /* a recvfrom() woken by shutdown() returns 0 and fills no address */
      if (call->peer[0] != '\0')
        {
          g_string_append (out, " from ");
          g_string_append (out, call->peer);
        }
      break;
    case NC_CALL_SELECT:
    case NC_CALL_PSELECT:
      g_string_append_printf (out, " = %" G_GINT64_FORMAT " ready ", call->result);
      for (guint s = 0; s < NC_N_SETS; s++)
        {
          if (s)
            g_string_append (out, ", ");
          nc_format_fd_list (nc_call_get_fds (call, TRUE, s), out);
        }
      break;
    case NC_CALL_POLL:
    case NC_CALL_PPOLL:
    case NC_CALL_EPOLL_WAIT:
      append_result (out, call->result, "");
      if (call->result > 0)
        {
          g_string_append (out, " ready ");
          format_ready_sets (call, TRUE, out);
        }
      break;
    case NC_CALL_GETSOCKNAME:
      g_string_append_printf (out, " = %s", call->local);
      break;
    case NC_CALL_GETPEERNAME:
      g_string_append_printf (out, " = %s", call->peer);
      break;
    case NC_CALL_GETHOSTNAME:
    case NC_CALL_GETNAMEINFO:
    case NC_CALL_GETHOSTBYADDR:
    case NC_CALL_INET_NTOA:
    case NC_CALL_INET_NTOP:
      g_string_append_printf (out, " = \"%s\"", call->text);
      break;
    case NC_CALL_GETADDRINFO:
    case NC_CALL_GETHOSTBYNAME:
      g_string_append_printf (out, " = %s", call->peer);
      break;
    case NC_CALL_INET_ATON:
    case NC_CALL_INET_PTON:
      append_result (out, call->result, " ");
      nc_format_bytes (call->data, call->data_len, G_MAXSIZE, out);
      break;
    case NC_CALL_HTONS:
    case NC_CALL_NTOHS:
      g_string_append_printf (out, " = 0x%04" G_GINT64_MODIFIER "x", call->result);
      break;
    case NC_CALL_HTONL:
    case NC_CALL_NTOHL:
      g_string_append_printf (out, " = 0x%08" G_GINT64_MODIFIER "x", call->result);
      break;
    case NC_CALL_GETSOCKOPT:
      if (call->flags == SO_ERROR && call->protocol == SOL_SOCKET)
        g_string_append_printf (out, " = %" G_GINT64_FORMAT ", value %s", call->result,
                                nc_errno_name ((int) call->value_in));
      else
        g_string_append_printf (out, " = %" G_GINT64_FORMAT ", value %" G_GINT64_FORMAT,
                                call->result, (gint64) call->value_in);
      break;
    case NC_CALL_SOCKETPAIR:
      g_string_append_printf (out, " = %" G_GINT64_FORMAT " [%d, %d]", call->result, call->fd,
                              (int) call->value_in);
      break;
    default:
      append_result (out, call->result, "");
      break;
    }
}

/**
 * nc_call_format:
 * Appends the call as the course would write it:
 * `connect(fd=3, 127.0.0.1:9000) = 0 (local 127.0.0.1:50412)`
 */
void
nc_call_format (const NcCall *call,
                GString      *out)
{
  nc_call_format_entry (call, out);
  format_result (call, out);
}

/**
 * nc_call_format_entry:
 * Appends the call as it enters, without its result: `recv(fd=4, 1024)`.
 */
void
nc_call_format_entry (const NcCall *call,
                      GString      *out)
{
  g_string_append_printf (out, "%s(", nc_call_kind_name (call->kind));
  format_arguments (call, out);
  g_string_append_c (out, ')');
}

/**
 * nc_call_format_result:
 * Appends what the call returned, as nc_call_format () ends: ` = 5 b"hello"`.
 */
void
nc_call_format_result (const NcCall *call,
                       GString      *out)
{
  format_result (call, out);
}

/**
 * nc_call_format_source:
 * Appends where the call was made, as a person looks for it: the file's
 * base name and line ("tcp_server.py:12"), or for a program without line
 * information the function ("main+0x4f (client)"). Only for a traced
 * program's calls (they carry a stack): a scenario's are in its code pane.
 * Returns: %FALSE if there is nothing to say.
 */
gboolean
nc_call_format_source (const NcCall *call,
                       GString      *out)
{
  if (call->stack == NULL)
    return FALSE;
  if (call->file != NULL && call->line > 0)
    {
      const char *slash = strrchr (call->file, '/');

      g_string_append_printf (out, "%s:%u", slash ? slash + 1 : call->file, call->line);
      return TRUE;
    }
  if (call->stack != NULL && call->stack[0] != '\0')
    {
      const char *nl = strchr (call->stack, '\n');

      g_string_append_len (out, call->stack, nl ? nl - call->stack : (gssize) strlen (call->stack));
      return TRUE;
    }
  return FALSE;
}

char *
nc_call_to_string (const NcCall *call)
{
  GString *s = g_string_new (NULL);
  nc_call_format (call, s);
  return g_string_free (s, FALSE);
}
