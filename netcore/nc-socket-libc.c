/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nc-socket-libc.c: the calls programs make underneath the lecture's ones.
 *
 * Python's socket module reaches the kernel through these: accept4() for
 * accept(), poll() before a recv() on a socket with a timeout, ioctl(FIONBIO)
 * for setblocking(), gethostbyname_r() for gethostbyname_ex(), and the
 * selectors' poll() and epoll_wait(). They record exactly like the wrappers
 * of nc-socket.c (same steps, nc-socket-private.h), so a traced program and a
 * scenario give the same records.
 */

#include "config.h"

#include "nc-socket.h"
#include "nc-socket-private.h"
#include "nc-sys.h"

#include <errno.h>
#include <string.h>

int
nc_accept4_at (NC_AT, int fd, struct sockaddr *addr, socklen_t *len, int flags)
{
  return nc_wrap_accept (nc_file, nc_line, NC_CALL_ACCEPT4, fd, addr, len, flags);
}

/* The first bytes of a scatter/gather list, as one piece of data */
static void
keep_iov_data (NcCall             *call,
               const struct iovec *iov,
               size_t              n,
               gssize              len)
{
  guint8 buf[NC_CALL_DATA_MAX];
  gsize got = 0;

  for (size_t i = 0; i < n && got < sizeof buf && (gssize) got < len; i++)
    {
      gsize take = MIN (iov[i].iov_len, sizeof buf - got);
      take = MIN (take, (gsize) len - got);
      memcpy (buf + got, iov[i].iov_base, take);
      got += take;
    }
  nc_wrap_keep_data (call, buf, (gssize) got);
}

static gint64
iov_total (const struct iovec *iov,
           size_t              n)
{
  gint64 total = 0;

  for (size_t i = 0; i < n; i++)
    total += (gint64) iov[i].iov_len;
  return total;
}

ssize_t
nc_sendmsg_at (NC_AT, int fd, const struct msghdr *msg, int flags)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_SENDMSG, fd, nc_file, nc_line);
  ssize_t ret;
  int err;

  call.flags = flags;
  call.length = iov_total (msg->msg_iov, msg->msg_iovlen);
  keep_iov_data (&call, msg->msg_iov, msg->msg_iovlen, call.length);
  nc_wrap_address_text (msg->msg_name, msg->msg_namelen, call.peer, sizeof call.peer);
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (sendmsg) (fd, msg, NC_SEND_FLAGS (flags));
  err = errno;
  nc_wrap_leave_socket (rec, &call, ret, err, fd);
  return ret;
}

ssize_t
nc_recvmsg_at (NC_AT, int fd, struct msghdr *msg, int flags)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_RECVMSG, fd, nc_file, nc_line);
  ssize_t ret;
  int err;

  call.flags = flags;
  call.length = iov_total (msg->msg_iov, msg->msg_iovlen);
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (recvmsg) (fd, msg, flags);
  err = errno;
  if (ret > 0)
    keep_iov_data (&call, msg->msg_iov, msg->msg_iovlen, ret);
  if (ret >= 0 && msg->msg_name != NULL && msg->msg_namelen > 0)
    nc_sockaddr_to_text (msg->msg_name, msg->msg_namelen, call.peer, sizeof call.peer);
  nc_wrap_leave_socket (rec, &call, ret, err, fd);
  return ret;
}

/* Waiting for readiness */

static const NcFdSets *
pollfds_to_sets (const struct pollfd *fds,
                 nfds_t               n,
                 gboolean             returned)
{
  NcFdSets lists = { 0 };
  NcFdList *sets = lists.set;

  for (nfds_t i = 0; i < n; i++)
    {
      short ev = returned ? fds[i].revents : fds[i].events;

      if (fds[i].fd < 0)
        continue;
      /* a hang-up or an error makes a socket readable: recv() will say which */
      if (ev & (POLLIN | (returned ? POLLHUP | POLLERR : 0)))
        nc_fd_list_add (&sets[NC_SET_READ], fds[i].fd);
      if (ev & POLLOUT)
        nc_fd_list_add (&sets[NC_SET_WRITE], fds[i].fd);
      if (ev & POLLPRI)
        nc_fd_list_add (&sets[NC_SET_EXCEPT], fds[i].fd);
    }
  return nc_fd_sets_intern (&lists);
}

static gint64
timespec_ns (const struct timespec *ts)
{
  return ts == NULL ? -1 : (gint64) ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* poll() and ppoll(): ppoll() takes a timespec and a signal mask */
static int
poll_call (NC_AT, NcCallKind kind, struct pollfd *fds, nfds_t n, gint64 timeout_ns,
           int timeout_ms, const struct timespec *ts, const sigset_t *sigmask)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, kind, -1, nc_file, nc_line);
  int ret, err;

  call.sets_in = pollfds_to_sets (fds, n, FALSE);
  call.timeout_ns = timeout_ns;
  call.length = (gint64) n;
  if (!nc_wrap_enter (rec, &call))
    return -1;
  if (kind == NC_CALL_PPOLL)
    ret = NC_SYS (ppoll) (fds, n, ts, sigmask);
  else
    ret = NC_SYS (poll) (fds, n, timeout_ms);
  err = errno;
  if (ret > 0)
    call.sets_out = pollfds_to_sets (fds, n, TRUE);
  nc_wrap_leave (rec, &call, ret, err);
  return ret;
}

int
nc_poll_at (NC_AT, struct pollfd *fds, nfds_t n, int timeout_ms)
{
  return poll_call (nc_file, nc_line, NC_CALL_POLL, fds, n,
                    timeout_ms < 0 ? -1 : (gint64) timeout_ms * 1000000, timeout_ms, NULL, NULL);
}

int
nc_ppoll_at (NC_AT, struct pollfd *fds, nfds_t n, const struct timespec *timeout,
             const sigset_t *sigmask)
{
  return poll_call (nc_file, nc_line, NC_CALL_PPOLL, fds, n, timespec_ns (timeout), -1, timeout,
                    sigmask);
}

int
nc_pselect_at (NC_AT, int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds,
               const struct timespec *timeout, const sigset_t *sigmask)
{
  fd_set *sets[NC_N_SETS] = { readfds, writefds, exceptfds };

  return nc_wrap_select (nc_file, nc_line, NC_CALL_PSELECT, nfds, sets, timespec_ns (timeout), NULL,
                         timeout, sigmask);
}

/* Blocking or not: fcntl (F_SETFL) and ioctl (FIONBIO), which is what
 * CPython's setblocking() and settimeout() use on Linux */

int
nc_fcntl_setfl_at (NC_AT, int fd, int flags)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_FCNTL, fd, nc_file, nc_line);
  int ret, err;

  call.flags = F_SETFL;
  call.value_in = (guint64) flags;
  g_snprintf (call.text, sizeof call.text, "F_SETFL, %s",
              flags & O_NONBLOCK ? "O_NONBLOCK" : "0 (blocking)");
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (fcntl) (fd, F_SETFL, flags);
  err = errno;
  nc_wrap_leave_socket (rec, &call, ret, err, fd);
  return ret;
}

int
nc_ioctl_fionbio_at (NC_AT, int fd, int *on)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_IOCTL, fd, nc_file, nc_line);
  int ret, err;

  call.flags = FIONBIO;
  call.value_in = on != NULL ? (guint64) *on : 0;
  g_snprintf (call.text, sizeof call.text, "FIONBIO, %s",
              on != NULL && *on ? "1 (non-blocking)" : "0 (blocking)");
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (ioctl) (fd, FIONBIO, on);
  err = errno;
  nc_wrap_leave_socket (rec, &call, ret, err, fd);
  return ret;
}

/* The old name services: the lecture's gethostbyname() and gethostbyaddr().
 * They fail through h_errno, not errno: the result is 0 or -1 and the reason
 * is kept as text. */

static void
hostent_first_address (const struct hostent *h,
                       char                 *out,
                       gsize                 out_len)
{
  if (h == NULL || h->h_addr_list == NULL || h->h_addr_list[0] == NULL)
    return;
  NC_SYS (inet_ntop) (h->h_addrtype, h->h_addr_list[0], out, (socklen_t) out_len);
}

static void
leave_lookup (NcRecorder           *rec,
              NcCall               *call,
              const struct hostent *h,
              int                   herr,
              char                 *reason,
              gsize                 reason_len,
              int                   err)
{
  if (h == NULL)
    g_strlcpy (reason, hstrerror (herr), reason_len);
  nc_wrap_leave (rec, call, h != NULL ? 0 : -1, 0);
  errno = err;
}

struct hostent *
nc_gethostbyname_at (NC_AT, const char *name)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_GETHOSTBYNAME, -1, nc_file, nc_line);
  struct hostent *h;
  int err;

  g_strlcpy (call.text, name ? name : "", sizeof call.text);
  if (!nc_wrap_enter (rec, &call))
    return NULL;
  h = NC_SYS (gethostbyname) (name);
  err = errno;
  hostent_first_address (h, call.peer, sizeof call.peer);
  leave_lookup (rec, &call, h, h_errno, call.peer, sizeof call.peer, err);
  return h;
}

int
nc_gethostbyname_r_at (NC_AT, const char *name, struct hostent *ret, char *buf, size_t buflen,
                       struct hostent **result, int *h_errnop)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_GETHOSTBYNAME, -1, nc_file, nc_line);
  int r, err;

  g_strlcpy (call.text, name ? name : "", sizeof call.text);
  if (!nc_wrap_enter (rec, &call))
    return ECANCELED;
  r = NC_SYS (gethostbyname_r) (name, ret, buf, buflen, result, h_errnop);
  err = errno;
  hostent_first_address (*result, call.peer, sizeof call.peer);
  leave_lookup (rec, &call, *result, h_errnop ? *h_errnop : 0, call.peer, sizeof call.peer, err);
  return r;
}

static void
host_address_text (const void *addr,
                   socklen_t   len,
                   int         type,
                   char       *out,
                   gsize       out_len)
{
  if (addr != NULL && ((type == AF_INET && len >= 4) || (type == AF_INET6 && len >= 16)))
    NC_SYS (inet_ntop) (type, addr, out, (socklen_t) out_len);
}

struct hostent *
nc_gethostbyaddr_at (NC_AT, const void *addr, socklen_t len, int type)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_GETHOSTBYADDR, -1, nc_file, nc_line);
  struct hostent *h;
  int err;

  host_address_text (addr, len, type, call.peer, sizeof call.peer);
  if (!nc_wrap_enter (rec, &call))
    return NULL;
  h = NC_SYS (gethostbyaddr) (addr, len, type);
  err = errno;
  if (h != NULL && h->h_name != NULL)
    g_strlcpy (call.text, h->h_name, sizeof call.text);
  leave_lookup (rec, &call, h, h_errno, call.text, sizeof call.text, err);
  return h;
}

int
nc_gethostbyaddr_r_at (NC_AT, const void *addr, socklen_t len, int type, struct hostent *ret,
                       char *buf, size_t buflen, struct hostent **result, int *h_errnop)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_GETHOSTBYADDR, -1, nc_file, nc_line);
  int r, err;

  host_address_text (addr, len, type, call.peer, sizeof call.peer);
  if (!nc_wrap_enter (rec, &call))
    return ECANCELED;
  r = NC_SYS (gethostbyaddr_r) (addr, len, type, ret, buf, buflen, result, h_errnop);
  err = errno;
  if (*result != NULL && (*result)->h_name != NULL)
    g_strlcpy (call.text, (*result)->h_name, sizeof call.text);
  leave_lookup (rec, &call, *result, h_errnop ? *h_errnop : 0, call.text, sizeof call.text, err);
  return r;
}

/* sendfile(): socket.sendfile () hands the kernel a file to send; its
 * first bytes are read (pread, the file's position untouched) where the
 * kernel starts, as send () shows what it sends. */
ssize_t
nc_sendfile_at (NC_AT, int out_fd, int in_fd, off_t *offset, size_t count)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_SENDFILE, out_fd, nc_file, nc_line);
  off_t from = offset != NULL ? *offset : lseek (in_fd, 0, SEEK_CUR);
  guint8 first[NC_CALL_DATA_MAX];
  ssize_t ret, got = 0;
  int err;

  call.domain = in_fd;
  call.length = (gint64) count;
  if (rec != NULL && from >= 0)
    got = pread (in_fd, first, MIN (count, sizeof first), from);
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (sendfile) (out_fd, in_fd, offset, count);
  err = errno;
  nc_wrap_keep_data (&call, first, MIN (got, ret));
  nc_wrap_leave_socket (rec, &call, ret, err, out_fd);
  return ret;
}

/* socketpair(): two sockets connected to each other, no address, no
 * packet; the first is the call's fd, the second its value */
int
nc_socketpair_at (NC_AT, int domain, int type, int protocol, int sv[2])
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_SOCKETPAIR, -1, nc_file, nc_line);
  int ret, err;

  call.domain = domain;
  call.type = type;
  call.protocol = protocol;
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (socketpair) (domain, type, protocol, sv);
  err = errno;
  if (ret == 0)
    {
      call.fd = sv[0];
      call.value_in = (guint64) sv[1];
      nc_wrap_track (rec, sv[0], TRUE);
      nc_wrap_track (rec, sv[1], TRUE);
      nc_socket_view_forget (sv[0]);
      nc_socket_view_forget (sv[1]);
    }
  nc_wrap_leave (rec, &call, ret, err);
  return ret;
}

/* fork(): the parent's record returns the child's pid; the child reports
 * its own return, 0, as its first call. */
pid_t
nc_fork_at (NC_AT)
{
  NcCall call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_FORK, -1, nc_file, nc_line);
  pid_t ret;
  int err;

  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (fork) ();
  err = errno;
  if (ret == 0)
    {
      call.pid = getpid ();
      call.tid = gettid ();
    }
  nc_wrap_leave (rec, &call, ret, err);
  return ret;
}
