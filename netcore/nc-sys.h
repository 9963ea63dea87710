/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nc-sys.h: how netcore's wrappers reach the C library.
 *
 * In the app, NC_SYS (connect) is plain connect. In the preload library
 * (netcore/preload/), the same wrappers are compiled with NC_PRELOAD and the
 * library defines connect() itself, so the wrappers must call the next
 * definition, libc's, which nc_sys_init () finds with dlsym (RTLD_NEXT).
 */
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#ifdef NC_PRELOAD

typedef struct
{
  __typeof__ (socket)          *socket;
  __typeof__ (bind)            *bind;
  __typeof__ (listen)          *listen;
  __typeof__ (accept)          *accept;
  __typeof__ (accept4)         *accept4;
  __typeof__ (connect)         *connect;
  __typeof__ (send)            *send;
  __typeof__ (recv)            *recv;
  __typeof__ (sendto)          *sendto;
  __typeof__ (recvfrom)        *recvfrom;
  __typeof__ (sendmsg)         *sendmsg;
  __typeof__ (recvmsg)         *recvmsg;
  __typeof__ (write)           *write;
  __typeof__ (read)            *read;
  __typeof__ (shutdown)        *shutdown;
  __typeof__ (close)           *close;
  __typeof__ (fcntl)           *fcntl;
  __typeof__ (ioctl)           *ioctl;
  __typeof__ (setsockopt)      *setsockopt;
  __typeof__ (getsockopt)      *getsockopt;
  __typeof__ (select)          *select;
  __typeof__ (pselect)         *pselect;
  __typeof__ (poll)            *poll;
  __typeof__ (ppoll)           *ppoll;
  __typeof__ (epoll_wait)      *epoll_wait;
  __typeof__ (epoll_ctl)       *epoll_ctl;
  __typeof__ (sendfile)        *sendfile;
  __typeof__ (socketpair)      *socketpair;
  __typeof__ (getsockname)     *getsockname;
  __typeof__ (getpeername)     *getpeername;
  __typeof__ (gethostname)     *gethostname;
  __typeof__ (getaddrinfo)     *getaddrinfo;
  __typeof__ (getnameinfo)     *getnameinfo;
  __typeof__ (gethostbyname)   *gethostbyname;
  __typeof__ (gethostbyname_r) *gethostbyname_r;
  __typeof__ (gethostbyaddr)   *gethostbyaddr;
  __typeof__ (gethostbyaddr_r) *gethostbyaddr_r;
  __typeof__ (inet_aton)       *inet_aton;
  __typeof__ (inet_ntoa)       *inet_ntoa;
  __typeof__ (inet_pton)       *inet_pton;
  __typeof__ (inet_ntop)       *inet_ntop;
  __typeof__ (fork)            *fork;
} NcSys;

extern NcSys nc_sys;
void nc_sys_init (void);

#define NC_SYS(name) (nc_sys.name)
/* A traced program's send() is passed on as it asked */
#define NC_SEND_FLAGS(flags) (flags)

#else

#define NC_SYS(name) name
/* MSG_NOSIGNAL: a peer that went away gives EPIPE, as in Python, not a
 * SIGPIPE that would kill the whole app. */
#define NC_SEND_FLAGS(flags) ((flags) | MSG_NOSIGNAL)

#endif
