/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nc-socket.c: the instrumented socket calls.
 *
 * Every wrapper follows one shape: prepare a record, let the recorder pass it
 * through the step gate and stamp it (enter), make the real system call, then
 * fill in the result, errno and the kernel's view of the socket (leave). errno
 * is preserved across the recording, so callers see exactly what POSIX gives.
 */

#include "config.h"

#include "nc-socket.h"
#include "nc-recorder.h"
#include "nc-sys.h"
#include "nc-socket-private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/un.h>
#include <unistd.h>

/* Record plumbing */

NcRecorder *
nc_wrap_prepare (NcCall     *call,
         NcCallKind  kind,
         int         fd,
         const char *file,
         int         line)
{
  memset (call, 0, sizeof *call);
  call->kind = kind;
  call->fd = fd;
  call->timeout_ns = -1;
  call->file = file;
  call->line = (guint32) line;
  nc_recorder_get_thread_source (&call->stack, &call->origin);
  return nc_recorder_get_thread_default ();
}

gboolean
nc_wrap_enter (NcRecorder *recorder,
       NcCall     *call)
{
  return recorder == NULL || nc_recorder_begin (recorder, call);
}

void
nc_wrap_keep_data (NcCall     *call,
           const void *data,
           gssize      len)
{
  if (data == NULL || len <= 0)
    return;
  call->data_len = (guint16) MIN ((gsize) len, sizeof call->data);
  memcpy (call->data, data, call->data_len);
}

/* Calls after which a socket's addresses may differ (a new descriptor
 * included): what nc-socket-view.c kept of it is forgotten */
static gboolean
changes_addresses (NcCallKind kind)
{
  switch (kind)
    {
    case NC_CALL_SOCKET:
    case NC_CALL_BIND:
    case NC_CALL_LISTEN:
    case NC_CALL_ACCEPT:
    case NC_CALL_ACCEPT4:
    case NC_CALL_CONNECT:
    case NC_CALL_SHUTDOWN:
    case NC_CALL_CLOSE:
      return TRUE;
    default:
      return FALSE;
    }
}

/* The kernel's view is taken before errno is restored, so it never leaks. */
void
nc_wrap_leave_socket (NcRecorder *recorder,
              NcCall     *call,
              gint64      result,
              int         err,
              int         view_fd)
{
  call->result = result;
  call->err = result < 0 ? err : 0;
  if (recorder != NULL)
    {
      if (view_fd >= 0)
        {
          if (changes_addresses (call->kind))
            nc_socket_view_forget (view_fd);
          nc_socket_view_fill (call, view_fd);
        }
      nc_recorder_end (recorder, call);
    }
  errno = err;
}

void
nc_wrap_leave (NcRecorder *recorder,
       NcCall     *call,
       gint64      result,
       int         err)
{
  nc_wrap_leave_socket (recorder, call, result, err, -1);
}

void
nc_wrap_track (NcRecorder *recorder,
       int         fd,
       gboolean    open)
{
  if (recorder != NULL && fd >= 0)
    nc_recorder_track_fd (recorder, fd, open);
}

void
nc_wrap_address_text (const struct sockaddr *addr,
              socklen_t              len,
              char                  *out,
              gsize                  out_len)
{
  if (addr != NULL)
    nc_sockaddr_to_text (addr, len, out, out_len);
}

/* Appends @value in decimal at @p; returns the end */
static char *
append_decimal (char    *p,
                unsigned value)
{
  char digits[12];
  int n = 0;

  do
    digits[n++] = (char) ('0' + value % 10);
  while ((value /= 10) != 0);
  while (n > 0)
    *p++ = digits[--n];
  return p;
}

/* "127.0.0.1:50007" without printf: every traced call's addresses are
 * written as text, and printf was a tenth of a small sendto()'s cost */
static void
ipv4_to_text (const struct sockaddr_in *sin,
              char                     *out,
              gsize                     out_len)
{
  const guint8 *a = (const guint8 *) &sin->sin_addr;
  char text[sizeof "255.255.255.255:65535"];
  char *p = text;

  for (guint i = 0; i < 4; i++)
    {
      p = append_decimal (p, a[i]);
      *p++ = i < 3 ? '.' : ':';
    }
  p = append_decimal (p, ntohs (sin->sin_port));
  *p = '\0';
  g_strlcpy (out, text, out_len);
}

gboolean
nc_sockaddr_to_text (const struct sockaddr *addr,
                     socklen_t              len,
                     char                  *out,
                     gsize                  out_len)
{
  char host[INET6_ADDRSTRLEN];

  if (addr == NULL || len < sizeof (sa_family_t))
    {
      g_strlcpy (out, "", out_len);
      return FALSE;
    }

  switch (addr->sa_family)
    {
    case AF_INET:
      {
        const struct sockaddr_in *sin = (const struct sockaddr_in *) addr;
        if (len < sizeof *sin)
          break;
        ipv4_to_text (sin, out, out_len);
        return TRUE;
      }
    case AF_INET6:
      {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) addr;
        if (len < sizeof *sin6)
          break;
        NC_SYS (inet_ntop) (AF_INET6, &sin6->sin6_addr, host, sizeof host);
        g_snprintf (out, out_len, "[%s]:%u", host, ntohs (sin6->sin6_port));
        return TRUE;
      }
    case AF_UNIX:
      {
        const struct sockaddr_un *sun = (const struct sockaddr_un *) addr;
        gsize path_len = len > offsetof (struct sockaddr_un, sun_path)
                           ? len - offsetof (struct sockaddr_un, sun_path)
                           : 0;
        if (path_len == 0)
          g_strlcpy (out, "(unnamed)", out_len);
        else if (sun->sun_path[0] == '\0')
          g_snprintf (out, out_len, "@%.*s", (int) path_len - 1, sun->sun_path + 1);
        else
          g_snprintf (out, out_len, "%.*s", (int) strnlen (sun->sun_path, path_len),
                      sun->sun_path);
        return TRUE;
      }
    default:
      break;
    }

  g_snprintf (out, out_len, "(family %d)", addr->sa_family);
  return FALSE;
}

/* Creating, naming, connecting */

int
nc_socket_at (NC_AT, int domain, int type, int protocol)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_SOCKET, -1, nc_file, nc_line);
  int ret, err;

  call.domain = domain;
  call.type = type;
  call.protocol = protocol;
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (socket) (domain, type, protocol);
  err = errno;
  nc_socket_view_forget (ret);
  nc_wrap_track (rec, ret, TRUE);
  call.fd = ret;
  nc_wrap_leave (rec, &call, ret, err);
  return ret;
}

int
nc_bind_at (NC_AT, int fd, const struct sockaddr *addr, socklen_t len)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_BIND, fd, nc_file, nc_line);
  int ret, err;

  nc_wrap_address_text (addr, len, call.local, sizeof call.local);
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (bind) (fd, addr, len);
  err = errno;
  nc_wrap_leave_socket (rec, &call, ret, err, fd);
  return ret;
}

int
nc_listen_at (NC_AT, int fd, int backlog)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_LISTEN, fd, nc_file, nc_line);
  int ret, err;

  call.type = backlog;
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (listen) (fd, backlog);
  err = errno;
  nc_wrap_leave_socket (rec, &call, ret, err, fd);
  return ret;
}

/* accept() and accept4() (what CPython calls): one call, the second with flags */
int
nc_wrap_accept (NC_AT, NcCallKind kind, int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, kind, fd, nc_file, nc_line);
  struct sockaddr_storage ss;
  socklen_t ss_len = sizeof ss;
  int ret, err;

  call.flags = flags;
  if (!nc_wrap_enter (rec, &call))
    return -1;
  if (kind == NC_CALL_ACCEPT4)
    ret = NC_SYS (accept4) (fd, (struct sockaddr *) &ss, &ss_len, flags);
  else
    ret = NC_SYS (accept) (fd, (struct sockaddr *) &ss, &ss_len);
  err = errno;
  nc_wrap_track (rec, ret, TRUE);
  if (ret >= 0)
    {
      nc_sockaddr_to_text ((struct sockaddr *) &ss, ss_len, call.peer, sizeof call.peer);
      if (addr != NULL && len != NULL)
        {
          memcpy (addr, &ss, MIN (*len, ss_len));
          *len = ss_len;
        }
    }
  nc_wrap_leave_socket (rec, &call, ret, err, ret);
  return ret;
}

int
nc_accept_at (NC_AT, int fd, struct sockaddr *addr, socklen_t *len)
{
  return nc_wrap_accept (nc_file, nc_line, NC_CALL_ACCEPT, fd, addr, len, 0);
}

int
nc_connect_at (NC_AT, int fd, const struct sockaddr *addr, socklen_t len)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_CONNECT, fd, nc_file, nc_line);
  int ret, err;

  nc_wrap_address_text (addr, len, call.peer, sizeof call.peer);
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (connect) (fd, addr, len);
  err = errno;
  nc_wrap_leave_socket (rec, &call, ret, err, fd);
  return ret;
}

/* Data */

ssize_t
nc_send_at (NC_AT, int fd, const void *buf, size_t len, int flags)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_SEND, fd, nc_file, nc_line);
  ssize_t ret;
  int err;

  call.length = (gint64) len;
  call.flags = flags;
  nc_wrap_keep_data (&call, buf, (gssize) len);
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (send) (fd, buf, len, NC_SEND_FLAGS (flags));
  err = errno;
  nc_wrap_leave_socket (rec, &call, ret, err, fd);
  return ret;
}

ssize_t
nc_recv_at (NC_AT, int fd, void *buf, size_t len, int flags)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_RECV, fd, nc_file, nc_line);
  ssize_t ret;
  int err;

  call.length = (gint64) len;
  call.flags = flags;
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (recv) (fd, buf, len, flags);
  err = errno;
  nc_wrap_keep_data (&call, buf, ret);
  nc_wrap_leave_socket (rec, &call, ret, err, fd);
  return ret;
}

ssize_t
nc_sendto_at (NC_AT, int fd, const void *buf, size_t len, int flags,
              const struct sockaddr *to, socklen_t tolen)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_SENDTO, fd, nc_file, nc_line);
  ssize_t ret;
  int err;

  call.length = (gint64) len;
  call.flags = flags;
  nc_wrap_keep_data (&call, buf, (gssize) len);
  nc_wrap_address_text (to, tolen, call.peer, sizeof call.peer);
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (sendto) (fd, buf, len, NC_SEND_FLAGS (flags), to, tolen);
  err = errno;
  nc_wrap_leave_socket (rec, &call, ret, err, fd);
  return ret;
}

ssize_t
nc_recvfrom_at (NC_AT, int fd, void *buf, size_t len, int flags,
                struct sockaddr *from, socklen_t *fromlen)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_RECVFROM, fd, nc_file, nc_line);
  struct sockaddr_storage ss;
  socklen_t ss_len = sizeof ss;
  ssize_t ret;
  int err;

  call.length = (gint64) len;
  call.flags = flags;
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (recvfrom) (fd, buf, len, flags, (struct sockaddr *) &ss, &ss_len);
  err = errno;
  nc_wrap_keep_data (&call, buf, ret);
  if (ret >= 0)
    {
      if (ss_len > 0)
        nc_sockaddr_to_text ((struct sockaddr *) &ss, ss_len, call.peer, sizeof call.peer);
      if (from != NULL && fromlen != NULL)
        {
          memcpy (from, &ss, MIN (*fromlen, ss_len));
          *fromlen = ss_len;
        }
    }
  nc_wrap_leave_socket (rec, &call, ret, err, fd);
  return ret;
}

ssize_t
nc_write_at (NC_AT, int fd, const void *buf, size_t len)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_WRITE, fd, nc_file, nc_line);
  ssize_t ret;
  int err;

  call.length = (gint64) len;
  nc_wrap_keep_data (&call, buf, (gssize) len);
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (write) (fd, buf, len);
  err = errno;
  nc_wrap_leave (rec, &call, ret, err);
  return ret;
}

ssize_t
nc_read_at (NC_AT, int fd, void *buf, size_t len)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_READ, fd, nc_file, nc_line);
  ssize_t ret;
  int err;

  call.length = (gint64) len;
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (read) (fd, buf, len);
  err = errno;
  nc_wrap_keep_data (&call, buf, ret);
  nc_wrap_leave (rec, &call, ret, err);
  return ret;
}

/* Ending */

int
nc_shutdown_at (NC_AT, int fd, int how)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_SHUTDOWN, fd, nc_file, nc_line);
  int ret, err;

  call.domain = how;
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (shutdown) (fd, how);
  err = errno;
  nc_wrap_leave_socket (rec, &call, ret, err, fd);
  return ret;
}

int
nc_close_at (NC_AT, int fd)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_CLOSE, fd, nc_file, nc_line);
  int ret, err;

  if (rec != NULL)
    {
      /* Before close: afterwards the address is gone with the socket. */
      nc_socket_view_fill_addresses (&call, fd);
      nc_wrap_track (rec, fd, FALSE);
    }
  nc_epoll_forget (fd);
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (close) (fd);
  err = errno;
  nc_socket_view_forget (fd);
  nc_wrap_leave (rec, &call, ret, err);
  return ret;
}

/* Options */

int
nc_setblocking_at (NC_AT, int fd, int blocking)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_SETBLOCKING, fd, nc_file, nc_line);
  int ret, err, flags;

  call.domain = !!blocking;
  if (!nc_wrap_enter (rec, &call))
    return -1;
  flags = NC_SYS (fcntl) (fd, F_GETFL);
  if (flags < 0)
    ret = -1;
  else
    ret = NC_SYS (fcntl) (fd, F_SETFL, blocking ? (flags & ~O_NONBLOCK) : (flags | O_NONBLOCK));
  err = errno;
  nc_wrap_leave_socket (rec, &call, ret < 0 ? -1 : 0, err, fd);
  return ret < 0 ? -1 : 0;
}

int
nc_settimeout_at (NC_AT, int fd, double seconds)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_SETTIMEOUT, fd, nc_file, nc_line);
  struct timeval tv = { 0, 0 };
  int ret, err;

  /* seconds <= 0 removes the timeout: calls block until done, like None. */
  if (seconds > 0)
    {
      tv.tv_sec = (time_t) seconds;
      tv.tv_usec = (suseconds_t) ((seconds - (double) tv.tv_sec) * 1e6);
      call.timeout_ns = (gint64) (seconds * 1e9);
    }
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (setsockopt) (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (ret == 0)
    ret = NC_SYS (setsockopt) (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  err = errno;
  nc_wrap_leave_socket (rec, &call, ret, err, fd);
  return ret;
}

/* "SOL_SOCKET, SO_REUSEADDR" as the course writes it; an option with no
 * name here is its number ("SOL_SOCKET, 9999"), as strace prints it */
static void
sockopt_text (int    level,
              int    name,
              char  *out,
              gsize  out_len)
{
  static const struct { int level, name; const char *text; } names[] = {
    { SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR" }, { SOL_SOCKET, SO_REUSEPORT, "SO_REUSEPORT" },
    { SOL_SOCKET, SO_ERROR, "SO_ERROR" },         { SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF" },
    { SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF" },       { SOL_SOCKET, SO_BROADCAST, "SO_BROADCAST" },
    { SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE" }, { SOL_SOCKET, SO_LINGER, "SO_LINGER" },
    { SOL_SOCKET, SO_TYPE, "SO_TYPE" },           { SOL_SOCKET, SO_RCVTIMEO, "SO_RCVTIMEO" },
    { SOL_SOCKET, SO_SNDTIMEO, "SO_SNDTIMEO" },   { SOL_SOCKET, SO_ACCEPTCONN, "SO_ACCEPTCONN" },
    { SOL_SOCKET, SO_DOMAIN, "SO_DOMAIN" },       { SOL_SOCKET, SO_PROTOCOL, "SO_PROTOCOL" },
    { SOL_SOCKET, SO_OOBINLINE, "SO_OOBINLINE" }, { SOL_SOCKET, SO_DONTROUTE, "SO_DONTROUTE" },
    { SOL_SOCKET, SO_RCVLOWAT, "SO_RCVLOWAT" },   { SOL_SOCKET, SO_BINDTODEVICE, "SO_BINDTODEVICE" },
    { IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY" },  { IPPROTO_TCP, TCP_MAXSEG, "TCP_MAXSEG" },
    { IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE" }, { IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL" },
    { IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT" },  { IPPROTO_TCP, TCP_INFO, "TCP_INFO" },
    { IPPROTO_IP, IP_TTL, "IP_TTL" },             { IPPROTO_IP, IP_MULTICAST_TTL, "IP_MULTICAST_TTL" },
    { IPPROTO_IP, IP_MULTICAST_LOOP, "IP_MULTICAST_LOOP" },
    { IPPROTO_IP, IP_ADD_MEMBERSHIP, "IP_ADD_MEMBERSHIP" },
    { IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY" },
  };
  const char *level_text = level == SOL_SOCKET     ? "SOL_SOCKET"
                           : level == IPPROTO_TCP  ? "IPPROTO_TCP"
                           : level == IPPROTO_IP   ? "IPPROTO_IP"
                           : level == IPPROTO_IPV6 ? "IPPROTO_IPV6"
                                                   : NULL;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (names[i].level == level && names[i].name == name)
      {
        g_snprintf (out, out_len, "%s, %s", level_text, names[i].text);
        return;
      }
  if (level_text != NULL)
    g_snprintf (out, out_len, "%s, %d", level_text, name);
  else
    g_snprintf (out, out_len, "%d, %d", level, name);
}

static guint64
int_option_value (const void *value,
                  socklen_t   len)
{
  int v = 0;

  if (value != NULL && len >= sizeof v)
    memcpy (&v, value, sizeof v);
  return (guint64) (gint64) v;
}

int
nc_setsockopt_at (NC_AT, int fd, int level, int name, const void *value, socklen_t len)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_SETSOCKOPT, fd, nc_file, nc_line);
  int ret, err;

  call.protocol = level;
  call.flags = name;
  call.value_in = int_option_value (value, len);
  sockopt_text (level, name, call.text, sizeof call.text);
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (setsockopt) (fd, level, name, value, len);
  err = errno;
  nc_wrap_leave_socket (rec, &call, ret, err, fd);
  return ret;
}

int
nc_getsockopt_at (NC_AT, int fd, int level, int name, void *value, socklen_t *len)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_GETSOCKOPT, fd, nc_file, nc_line);
  int ret, err;

  call.protocol = level;
  call.flags = name;
  sockopt_text (level, name, call.text, sizeof call.text);
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (getsockopt) (fd, level, name, value, len);
  err = errno;
  if (ret == 0 && len != NULL)
    {
      call.value_in = int_option_value (value, *len);  /* e.g. SO_ERROR's errno */
      nc_wrap_keep_data (&call, value, *len);
    }
  nc_wrap_leave_socket (rec, &call, ret, err, fd);
  return ret;
}

/* select() */

void
nc_wrap_fd_set_to_list (const fd_set *set,
                        int           nfds,
                        NcFdList     *list)
{
  list->n = 0;
  if (set == NULL)
    return;
  for (int fd = 0; fd < nfds && fd < FD_SETSIZE && list->n < NC_SELECT_FDS_MAX; fd++)
    if (FD_ISSET (fd, set))
      list->fds[list->n++] = fd;
}

/* select() and pselect(): the same sets, watched and returned; pselect()
 * takes a timespec and a signal mask (@tv for select(), @ts for pselect()) */
int
nc_wrap_select (NC_AT, NcCallKind kind, int nfds, fd_set *sets[NC_N_SETS], gint64 timeout_ns,
                struct timeval *tv, const struct timespec *ts, const sigset_t *sigmask)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, kind, -1, nc_file, nc_line);
  NcFdSets watched = { 0 }, ready = { 0 };
  int ret, err;

  for (guint s = 0; s < NC_N_SETS; s++)
    nc_wrap_fd_set_to_list (sets[s], nfds, &watched.set[s]);
  call.sets_in = nc_fd_sets_intern (&watched);
  call.timeout_ns = timeout_ns;
  call.length = nfds;
  if (!nc_wrap_enter (rec, &call))
    return -1;
  if (kind == NC_CALL_PSELECT)
    ret = NC_SYS (pselect) (nfds, sets[NC_SET_READ], sets[NC_SET_WRITE], sets[NC_SET_EXCEPT], ts,
                            sigmask);
  else
    ret = NC_SYS (select) (nfds, sets[NC_SET_READ], sets[NC_SET_WRITE], sets[NC_SET_EXCEPT], tv);
  err = errno;
  if (ret >= 0)
    {
      for (guint s = 0; s < NC_N_SETS; s++)
        nc_wrap_fd_set_to_list (sets[s], nfds, &ready.set[s]);
      call.sets_out = nc_fd_sets_intern (&ready);
    }
  nc_wrap_leave (rec, &call, ret, err);
  return ret;
}

int
nc_select_at (NC_AT, int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds,
              struct timeval *timeout)
{
  fd_set *sets[NC_N_SETS] = { readfds, writefds, exceptfds };
  gint64 timeout_ns = -1;

  if (timeout != NULL)
    timeout_ns = (gint64) timeout->tv_sec * 1000000000 + (gint64) timeout->tv_usec * 1000;
  return nc_wrap_select (nc_file, nc_line, NC_CALL_SELECT, nfds, sets, timeout_ns, timeout, NULL,
                         NULL);
}

/* Names */

static int
name_call (NC_AT, NcCallKind kind, int fd, struct sockaddr *addr, socklen_t *len)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, kind, fd, nc_file, nc_line);
  int ret, err;

  if (!nc_wrap_enter (rec, &call))
    return -1;
  if (kind == NC_CALL_GETSOCKNAME)
    ret = NC_SYS (getsockname) (fd, addr, len);
  else
    ret = NC_SYS (getpeername) (fd, addr, len);
  err = errno;
  if (ret == 0)
    nc_sockaddr_to_text (addr, *len, kind == NC_CALL_GETSOCKNAME ? call.local : call.peer,
                         NC_ADDR_TEXT_MAX);
  nc_wrap_leave_socket (rec, &call, ret, err, fd);
  return ret;
}

int
nc_getsockname_at (NC_AT, int fd, struct sockaddr *addr, socklen_t *len)
{
  return name_call (nc_file, nc_line, NC_CALL_GETSOCKNAME, fd, addr, len);
}

int
nc_getpeername_at (NC_AT, int fd, struct sockaddr *addr, socklen_t *len)
{
  return name_call (nc_file, nc_line, NC_CALL_GETPEERNAME, fd, addr, len);
}

int
nc_gethostname_at (NC_AT, char *name, size_t len)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_GETHOSTNAME, -1, nc_file, nc_line);
  int ret, err;

  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (gethostname) (name, len);
  err = errno;
  if (ret == 0)
    g_strlcpy (call.text, name, sizeof call.text);
  nc_wrap_leave (rec, &call, ret, err);
  return ret;
}

/* getaddrinfo() reports failure in its return value (EAI_*), not errno. */
int
nc_getaddrinfo_at (NC_AT, const char *node, const char *service,
                   const struct addrinfo *hints, struct addrinfo **res)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_GETADDRINFO, -1, nc_file, nc_line);
  int ret;

  g_strlcpy (call.text, node ? node : "", sizeof call.text);
  if (!nc_wrap_enter (rec, &call))
    return EAI_SYSTEM;
  ret = NC_SYS (getaddrinfo) (node, service, hints, res);
  if (ret == 0 && *res != NULL)
    {
      nc_sockaddr_to_text ((*res)->ai_addr, (*res)->ai_addrlen, call.peer, sizeof call.peer);
      /* Keep the raw address bytes: the lesson is what a name turns into. */
      if ((*res)->ai_family == AF_INET)
        nc_wrap_keep_data (&call, &((struct sockaddr_in *) (*res)->ai_addr)->sin_addr, 4);
      else if ((*res)->ai_family == AF_INET6)
        nc_wrap_keep_data (&call, &((struct sockaddr_in6 *) (*res)->ai_addr)->sin6_addr, 16);
    }
  else if (ret != 0)
    g_strlcpy (call.peer, gai_strerror (ret), sizeof call.peer);
  nc_wrap_leave (rec, &call, ret, 0);
  return ret;
}

void
nc_freeaddrinfo (struct addrinfo *res)
{
  if (res != NULL)
    freeaddrinfo (res);
}

int
nc_getnameinfo_at (NC_AT, const struct sockaddr *addr, socklen_t addrlen,
                   char *host, socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_GETNAMEINFO, -1, nc_file, nc_line);
  int ret;

  nc_wrap_address_text (addr, addrlen, call.peer, sizeof call.peer);
  call.flags = flags;
  if (!nc_wrap_enter (rec, &call))
    return EAI_SYSTEM;
  ret = NC_SYS (getnameinfo) (addr, addrlen, host, hostlen, serv, servlen, flags);
  if (ret == 0 && host != NULL)
    g_strlcpy (call.text, host, sizeof call.text);
  else if (ret != 0)
    g_strlcpy (call.text, gai_strerror (ret), sizeof call.text);
  nc_wrap_leave (rec, &call, ret, 0);
  return ret;
}

/* Byte order and address conversion: pure computations, recorded so a class
 * can see the value and the bytes it becomes in memory (and on the wire). */

/* errno is kept: a computation must not change it (recording after a stop
 * sets ECANCELED) */
static void
record_conversion (NC_AT, NcCallKind kind, guint64 in, guint64 out, const void *bytes, gsize n)
{
  NcCall call;
  int saved = errno;
  NcRecorder *rec = nc_wrap_prepare (&call, kind, -1, nc_file, nc_line);

  if (rec != NULL)
    {
      call.value_in = in;
      call.result = (gint64) out;
      nc_wrap_keep_data (&call, bytes, (gssize) n);
      nc_recorder_record_instant (rec, &call);
    }
  errno = saved;
}

guint16
nc_htons_at (NC_AT, guint16 x)
{
  guint16 r = htons (x);

  record_conversion (nc_file, nc_line, NC_CALL_HTONS, x, r, &r, sizeof r);
  return r;
}

guint32
nc_htonl_at (NC_AT, guint32 x)
{
  guint32 r = htonl (x);

  record_conversion (nc_file, nc_line, NC_CALL_HTONL, x, r, &r, sizeof r);
  return r;
}

guint16
nc_ntohs_at (NC_AT, guint16 x)
{
  guint16 r = ntohs (x);

  record_conversion (nc_file, nc_line, NC_CALL_NTOHS, x, r, &x, sizeof x);
  return r;
}

guint32
nc_ntohl_at (NC_AT, guint32 x)
{
  guint32 r = ntohl (x);

  record_conversion (nc_file, nc_line, NC_CALL_NTOHL, x, r, &x, sizeof x);
  return r;
}

int
nc_inet_aton_at (NC_AT, const char *cp, struct in_addr *inp)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_INET_ATON, -1, nc_file, nc_line);
  int ret, saved = errno;

  g_strlcpy (call.text, cp ? cp : "", sizeof call.text);
  ret = NC_SYS (inet_aton) (cp, inp);
  if (ret)
    nc_wrap_keep_data (&call, inp, 4);
  call.result = ret;
  if (rec != NULL)
    nc_recorder_record_instant (rec, &call);
  errno = saved;  /* recording (after a stop: ECANCELED) must not show through */
  return ret;
}

char *
nc_inet_ntoa_at (NC_AT, struct in_addr in)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_INET_NTOA, -1, nc_file, nc_line);
  int saved = errno;
  char *ret;

  nc_wrap_keep_data (&call, &in, 4);
  ret = NC_SYS (inet_ntoa) (in);
  g_strlcpy (call.text, ret, sizeof call.text);
  if (rec != NULL)
    nc_recorder_record_instant (rec, &call);
  errno = saved;
  return ret;
}

int
nc_inet_pton_at (NC_AT, int af, const char *src, void *dst)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_INET_PTON, -1, nc_file, nc_line);
  int ret, err;

  call.domain = af;
  g_strlcpy (call.text, src ? src : "", sizeof call.text);
  ret = NC_SYS (inet_pton) (af, src, dst);
  err = errno;
  if (ret == 1)
    nc_wrap_keep_data (&call, dst, af == AF_INET6 ? 16 : 4);
  call.result = ret;
  call.err = ret < 0 ? err : 0;
  if (rec != NULL)
    nc_recorder_record_instant (rec, &call);
  errno = err;
  return ret;
}

const char *
nc_inet_ntop_at (NC_AT, int af, const void *src, char *dst, socklen_t size)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_INET_NTOP, -1, nc_file, nc_line);
  const char *ret;
  int err;

  call.domain = af;
  nc_wrap_keep_data (&call, src, af == AF_INET6 ? 16 : 4);
  ret = NC_SYS (inet_ntop) (af, src, dst, size);
  err = errno;
  call.result = ret != NULL ? 0 : -1;
  call.err = ret != NULL ? 0 : err;
  if (ret != NULL)
    g_strlcpy (call.text, ret, sizeof call.text);
  if (rec != NULL)
    nc_recorder_record_instant (rec, &call);
  errno = err;
  return ret;
}
