/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nc-preload.c: libsocklens-preload.so, loaded into a traced program with
 * LD_PRELOAD by the lab.
 *
 * It defines the C library's socket functions; each finds where in the
 * program the call comes from (nc-preload-source.c) and then runs netcore's
 * own wrapper (nc-socket.c, nc-socket-libc.c, compiled into this library
 * with NC_PRELOAD so they call libc's functions through dlsym (RTLD_NEXT)).
 * The recorder is in report mode: each call goes to the lab as two NcReport
 * records on the inherited fd SOCKLENS_REPORT_FD, and when stepping
 * (SOCKLENS_GATE_FD, a shared memory page) a call of the program's own waits
 * for the lab's go.
 *
 * Only sockets count: close(), fcntl(), ioctl(), poll() and select() on
 * other files pass straight through (fstat says which fd is a socket).
 * Calls this library makes itself while recording (getsockname() for the
 * addresses, inet_ntop() for text) are not recorded: a per-thread flag.
 */

#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "nc-preload-source.h"
#include "nc-recorder.h"
#include "nc-report.h"
#include "nc-socket.h"
#include "nc-socket-private.h"
#include "nc-sys.h"

#define EXPORT __attribute__ ((visibility ("default")))

NcSys nc_sys;

static gboolean tracing;     /* the lab gave us a report fd */
static int report_fd = -1;
static int gate_fd = -1;
static int (*real_close_range) (unsigned int, unsigned int, int);
static __thread int busy;    /* inside a wrapper: calls are the library's own */
static __thread NcSource source;

/* sendall(): the send()s after the first continue where the last stopped */
static __thread struct
{
  int         fd;
  const char *buf;
  size_t      len;
  ssize_t     sent;
} last_send = { -1, NULL, 0, 0 };

#define NEXT(name) (*(void **) &nc_sys.name = dlsym (RTLD_NEXT, #name))

void
nc_sys_init (void)
{
  NEXT (socket); NEXT (bind); NEXT (listen); NEXT (accept); NEXT (accept4); NEXT (connect);
  NEXT (send); NEXT (recv); NEXT (sendto); NEXT (recvfrom); NEXT (sendmsg); NEXT (recvmsg);
  NEXT (write); NEXT (read); NEXT (shutdown); NEXT (close); NEXT (ioctl);
  NEXT (setsockopt); NEXT (getsockopt); NEXT (select); NEXT (pselect); NEXT (poll);
  NEXT (ppoll); NEXT (epoll_wait); NEXT (epoll_ctl); NEXT (socketpair); NEXT (getsockname); NEXT (getpeername); NEXT (gethostname);
  NEXT (getaddrinfo); NEXT (getnameinfo); NEXT (gethostbyname); NEXT (gethostbyname_r);
  NEXT (gethostbyaddr); NEXT (gethostbyaddr_r); NEXT (inet_aton); NEXT (inet_ntoa);
  NEXT (inet_pton); NEXT (inet_ntop); NEXT (fork);
  NEXT (sendfile);
  *(void **) &nc_sys.fcntl = dlsym (RTLD_NEXT, "fcntl64");
  if (nc_sys.fcntl == NULL)
    NEXT (fcntl);
}

static int
env_fd (const char *name)
{
  const char *value = getenv (name);
  char *end = NULL;
  long fd;

  if (value == NULL)
    return -1;
  fd = strtol (value, &end, 10);
  return end != value && *end == '\0' && fd >= 0 && fd < G_MAXINT ? (int) fd : -1;
}

/* A C program's stdout is the lab's pipe: a line at a time, as in a
 * terminal, so what it prints comes out beside its calls and not at exit
 * (Python does the same in python/sitecustomize.py). Before main (), while
 * stdio has not written yet. */
static void
line_buffered_stdout (void)
{
  struct stat st;

  if (fstat (STDOUT_FILENO, &st) == 0 && S_ISFIFO (st.st_mode))
    setvbuf (stdout, NULL, _IOLBF, BUFSIZ);
}

__attribute__ ((constructor)) static void
preload_init (void)
{
  NcReportGate *gate = NULL;

  nc_sys_init ();
  *(void **) &real_close_range = dlsym (RTLD_NEXT, "close_range");
  report_fd = env_fd ("SOCKLENS_REPORT_FD");
  if (report_fd < 0)
    return;  /* not started by the lab: stay out of the way */
  gate_fd = env_fd ("SOCKLENS_GATE_FD");
  if (gate_fd >= 0)
    gate = nc_report_gate_map (gate_fd);
  nc_source_init ();
  nc_recorder_enter_report_mode (nc_recorder_new (), report_fd, gate);
  tracing = TRUE;
  line_buffered_stdout ();
}

/* Whether to record this call; if so, finds its source first. */
static gboolean
begin (void *return_address)
{
  if (!tracing || busy)
    return FALSE;
  busy = 1;
  nc_source_find (&source, return_address);
  nc_recorder_set_thread_source (source.stack[0] ? source.stack : NULL, source.origin);
  return TRUE;
}

static void
end (void)
{
  int err = errno;

  nc_recorder_set_thread_source (NULL, NC_CALL_ORIGIN_PROGRAM);
  busy = 0;
  errno = err;
}

static gboolean
is_socket (int fd)
{
  struct stat st;
  int err = errno;
  gboolean ret = fd >= 0 && fd != report_fd && fstat (fd, &st) == 0 && S_ISSOCK (st.st_mode);

  errno = err;
  return ret;
}

#define FILE_LINE source.file[0] ? source.file : NULL, source.line
#define CALLER    __builtin_return_address (0)

/* R NAME (ARGS): records through nc_NAME_at when tracing, else calls libc's */
#define TRACED(type, name, params, args)                          \
  EXPORT type name params                                         \
  {                                                               \
    type ret;                                                     \
    if (!begin (CALLER))                                          \
      return nc_sys.name args;                                    \
    ret = nc_##name##_at (FILE_LINE, NC_UNPAREN args);            \
    end ();                                                       \
    return ret;                                                   \
  }
#define NC_UNPAREN(...) __VA_ARGS__

TRACED (int, socket, (int d, int t, int p), (d, t, p))
TRACED (int, bind, (int fd, const struct sockaddr *a, socklen_t l), (fd, a, l))
TRACED (int, listen, (int fd, int backlog), (fd, backlog))
TRACED (int, accept, (int fd, struct sockaddr *a, socklen_t *l), (fd, a, l))
TRACED (int, accept4, (int fd, struct sockaddr *a, socklen_t *l, int f), (fd, a, l, f))
TRACED (int, connect, (int fd, const struct sockaddr *a, socklen_t l), (fd, a, l))
TRACED (ssize_t, recv, (int fd, void *b, size_t n, int f), (fd, b, n, f))
TRACED (ssize_t, sendto, (int fd, const void *b, size_t n, int f, const struct sockaddr *a,
                          socklen_t l), (fd, b, n, f, a, l))
TRACED (ssize_t, recvfrom, (int fd, void *b, size_t n, int f, struct sockaddr *a, socklen_t *l),
        (fd, b, n, f, a, l))
TRACED (ssize_t, sendmsg, (int fd, const struct msghdr *m, int f), (fd, m, f))
TRACED (ssize_t, recvmsg, (int fd, struct msghdr *m, int f), (fd, m, f))
TRACED (int, socketpair, (int d, int t, int p, int sv[2]), (d, t, p, sv))
TRACED (int, shutdown, (int fd, int how), (fd, how))
TRACED (int, setsockopt, (int fd, int lv, int n, const void *v, socklen_t l), (fd, lv, n, v, l))
TRACED (int, getsockopt, (int fd, int lv, int n, void *v, socklen_t *l), (fd, lv, n, v, l))
TRACED (int, getsockname, (int fd, struct sockaddr *a, socklen_t *l), (fd, a, l))
TRACED (int, getpeername, (int fd, struct sockaddr *a, socklen_t *l), (fd, a, l))
TRACED (int, gethostname, (char *name, size_t len), (name, len))
TRACED (int, getaddrinfo, (const char *node, const char *service, const struct addrinfo *hints,
                           struct addrinfo **res), (node, service, hints, res))
TRACED (int, getnameinfo, (const struct sockaddr *a, socklen_t l, char *h, socklen_t hl, char *s,
                           socklen_t sl, int f), (a, l, h, hl, s, sl, f))
TRACED (struct hostent *, gethostbyname, (const char *name), (name))
TRACED (int, gethostbyname_r, (const char *name, struct hostent *r, char *b, size_t bl,
                               struct hostent **res, int *he), (name, r, b, bl, res, he))
TRACED (struct hostent *, gethostbyaddr, (const void *a, socklen_t l, int t), (a, l, t))
TRACED (int, gethostbyaddr_r, (const void *a, socklen_t l, int t, struct hostent *r, char *b,
                               size_t bl, struct hostent **res, int *he),
        (a, l, t, r, b, bl, res, he))
TRACED (int, inet_aton, (const char *cp, struct in_addr *inp), (cp, inp))
TRACED (char *, inet_ntoa, (struct in_addr in), (in))
TRACED (int, inet_pton, (int af, const char *src, void *dst), (af, src, dst))
TRACED (const char *, inet_ntop, (int af, const void *src, char *dst, socklen_t n),
        (af, src, dst, n))

EXPORT pid_t
fork (void)
{
  pid_t ret;

  if (!begin (CALLER))
    return nc_sys.fork ();
  ret = nc_fork_at (FILE_LINE);
  end ();
  return ret;
}

/* send(): a send() that carries on where the last one on this socket
 * stopped short is sendall()'s loop, not a line of the program. */
EXPORT ssize_t
send (int fd, const void *buf, size_t len, int flags)
{
  gboolean rest;
  ssize_t ret;

  if (!begin (CALLER))
    return nc_sys.send (fd, buf, len, flags);
  rest = last_send.fd == fd && last_send.sent > 0 && (size_t) last_send.sent < last_send.len &&
         (const char *) buf == last_send.buf + last_send.sent &&
         len == last_send.len - (size_t) last_send.sent;
  if (rest)
    nc_recorder_set_thread_source (source.stack[0] ? source.stack : NULL,
                                   NC_CALL_ORIGIN_LIBRARY);
  ret = nc_send_at (FILE_LINE, fd, buf, len, flags);
  last_send.fd = fd;
  last_send.buf = buf;
  last_send.len = len;
  last_send.sent = ret;
  end ();
  return ret;
}

/*
 * The lab's fds stay open. A program that starts another one
 * (subprocess.Popen ([sys.executable, "server.py"]), a "run both" script)
 * closes every fd but its own in the child before exec: Python with
 * close_range (), others with close () one by one. Kept, they reach the
 * program started, whose calls are then traced as a child of this one.
 */
static gboolean
is_lab_fd (int fd)
{
  return tracing && fd >= 0 && (fd == report_fd || fd == gate_fd);
}

EXPORT int
close_range (unsigned int first, unsigned int last, int flags)
{
  int keep[2] = { MIN (report_fd, gate_fd), MAX (report_fd, gate_fd) };

  if (real_close_range == NULL)
    {
      errno = ENOSYS;
      return -1;
    }
  if (!tracing)
    return real_close_range (first, last, flags);
  for (guint i = 0; i < G_N_ELEMENTS (keep); i++)
    {
      unsigned int k = (unsigned int) keep[i];

      if (keep[i] < 0 || k < first || k > last)
        continue;
      if (k > first && real_close_range (first, k - 1, flags) < 0)
        return -1;
      if (k == last)
        return 0;
      first = k + 1;
    }
  return real_close_range (first, last, flags);
}

EXPORT int
close (int fd)
{
  int ret;

  if (is_lab_fd (fd))
    return 0;  /* see close_range () */
  if (!is_socket (fd) || !begin (CALLER))
    {
      if (tracing)
        nc_epoll_forget (fd);  /* an epoll set's fd, or a socket closed by the library */
      return nc_sys.close (fd);
    }
  ret = nc_close_at (FILE_LINE, fd);
  end ();
  return ret;
}

static gboolean
any_socket_in_pollfds (const struct pollfd *fds,
                       nfds_t               n)
{
  for (nfds_t i = 0; i < n; i++)
    if (is_socket (fds[i].fd))
      return TRUE;
  return FALSE;
}

EXPORT int
poll (struct pollfd *fds, nfds_t n, int timeout)
{
  int ret;

  if (!any_socket_in_pollfds (fds, n) || !begin (CALLER))
    return nc_sys.poll (fds, n, timeout);
  ret = nc_poll_at (FILE_LINE, fds, n, timeout);
  end ();
  return ret;
}

EXPORT int
ppoll (struct pollfd *fds, nfds_t n, const struct timespec *t, const sigset_t *mask)
{
  int ret;

  if (!any_socket_in_pollfds (fds, n) || !begin (CALLER))
    return nc_sys.ppoll (fds, n, t, mask);
  ret = nc_ppoll_at (FILE_LINE, fds, n, t, mask);
  end ();
  return ret;
}

static gboolean
any_socket_in_sets (int     nfds,
                    fd_set *sets[3])
{
  for (int fd = 0; fd < nfds && fd < FD_SETSIZE; fd++)
    for (guint s = 0; s < 3; s++)
      if (sets[s] != NULL && FD_ISSET (fd, sets[s]) && is_socket (fd))
        return TRUE;
  return FALSE;
}

EXPORT int
select (int nfds, fd_set *r, fd_set *w, fd_set *x, struct timeval *t)
{
  fd_set *sets[3] = { r, w, x };
  int ret;

  if (!any_socket_in_sets (nfds, sets) || !begin (CALLER))
    return nc_sys.select (nfds, r, w, x, t);
  ret = nc_select_at (FILE_LINE, nfds, r, w, x, t);
  end ();
  return ret;
}

EXPORT int
pselect (int nfds, fd_set *r, fd_set *w, fd_set *x, const struct timespec *t,
         const sigset_t *mask)
{
  fd_set *sets[3] = { r, w, x };
  int ret;

  if (!any_socket_in_sets (nfds, sets) || !begin (CALLER))
    return nc_sys.pselect (nfds, r, w, x, t, mask);
  ret = nc_pselect_at (FILE_LINE, nfds, r, w, x, t, mask);
  end ();
  return ret;
}

/* epoll_wait(): which fds an epoll set watches is not cheap to see, so
 * every wait is recorded; what it reports ready names the sockets. */
EXPORT int
epoll_wait (int epfd, struct epoll_event *events, int max, int timeout)
{
  int ret;

  if (!begin (CALLER))
    return nc_sys.epoll_wait (epfd, events, max, timeout);
  ret = nc_epoll_wait_at (FILE_LINE, epfd, events, max, timeout);
  end ();
  return ret;
}

/* epoll_ctl(): recorded for sockets (selectors' register ()); every
 * change is remembered, so epoll_wait () shows what it waits for */
EXPORT int
epoll_ctl (int epfd, int op, int fd, struct epoll_event *event)
{
  int ret;

  if (!is_socket (fd) || !begin (CALLER))
    return nc_sys.epoll_ctl (epfd, op, fd, event);
  ret = nc_epoll_ctl_at (FILE_LINE, epfd, op, fd, event);
  end ();
  return ret;
}

/* sendfile(): socket.sendfile (). With _FILE_OFFSET_BITS=64 the headers
 * name the first function below sendfile64, which CPython calls; programs
 * built otherwise call sendfile (the same function in a 64-bit glibc). */
static ssize_t
sendfile_common (int out_fd, int in_fd, off_t *offset, size_t count, void *caller)
{
  ssize_t ret;

  if (!is_socket (out_fd) || !begin (caller))
    return nc_sys.sendfile (out_fd, in_fd, offset, count);
  ret = nc_sendfile_at (FILE_LINE, out_fd, in_fd, offset, count);
  end ();
  return ret;
}

EXPORT ssize_t
sendfile (int out_fd, int in_fd, off_t *offset, size_t count)
{
  return sendfile_common (out_fd, in_fd, offset, count, CALLER);
}

EXPORT ssize_t plain_sendfile (int out_fd, int in_fd, off_t *offset, size_t count)
  __asm__ ("sendfile");

EXPORT ssize_t
plain_sendfile (int out_fd, int in_fd, off_t *offset, size_t count)
{
  return sendfile_common (out_fd, in_fd, offset, count, CALLER);
}

static int
fcntl_common (int fd, int cmd, va_list ap, void *caller)
{
  void *arg = va_arg (ap, void *);
  int ret;

  if (cmd != F_SETFL || !is_socket (fd) || !begin (caller))
    return nc_sys.fcntl (fd, cmd, arg);
  ret = nc_fcntl_setfl_at (FILE_LINE, fd, (int) (intptr_t) arg);
  end ();
  return ret;
}

EXPORT int
fcntl (int fd, int cmd, ...)
{
  va_list ap;
  int ret;

  va_start (ap, cmd);
  ret = fcntl_common (fd, cmd, ap, CALLER);
  va_end (ap);
  return ret;
}

/* With _FILE_OFFSET_BITS=64 the headers name the function above fcntl64;
 * programs built otherwise call fcntl. */
EXPORT int plain_fcntl (int fd, int cmd, ...) __asm__ ("fcntl");

EXPORT int
plain_fcntl (int fd, int cmd, ...)
{
  va_list ap;
  int ret;

  va_start (ap, cmd);
  ret = fcntl_common (fd, cmd, ap, CALLER);
  va_end (ap);
  return ret;
}

EXPORT int
ioctl (int fd, unsigned long request, ...)
{
  va_list ap;
  void *arg;
  int ret;

  va_start (ap, request);
  arg = va_arg (ap, void *);
  va_end (ap);
  if (request != FIONBIO || !is_socket (fd) || !begin (CALLER))
    return nc_sys.ioctl (fd, request, arg);
  ret = nc_ioctl_fionbio_at (FILE_LINE, fd, arg);
  end ();
  return ret;
}
