/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nc-socket-private.h: the steps every wrapper takes (nc-socket.c), shared
 * with the wrappers of nc-socket-libc.c. */
#pragma once

#include <sys/select.h>
#include <sys/socket.h>

#include "nc-call.h"
#include "nc-recorder.h"

G_BEGIN_DECLS

/* Fills the common fields; returns the recorder, or NULL when nothing records. */
NcRecorder *nc_wrap_prepare      (NcCall                *call,
                                  NcCallKind             kind,
                                  int                    fd,
                                  const char            *file,
                                  int                    line);
/* Passes the gate; FALSE: the run was stopped, make no call (errno set). */
gboolean    nc_wrap_enter        (NcRecorder            *recorder,
                                  NcCall                *call);
void        nc_wrap_keep_data    (NcCall                *call,
                                  const void            *data,
                                  gssize                 len);
/* Result, errno, and with @view_fd >= 0 the socket's addresses and TCP view */
void        nc_wrap_leave_socket (NcRecorder            *recorder,
                                  NcCall                *call,
                                  gint64                 result,
                                  int                    err,
                                  int                    view_fd);
void        nc_wrap_leave        (NcRecorder            *recorder,
                                  NcCall                *call,
                                  gint64                 result,
                                  int                    err);
void        nc_wrap_track        (NcRecorder            *recorder,
                                  int                    fd,
                                  gboolean               open);
void        nc_wrap_address_text (const struct sockaddr *addr,
                                  socklen_t              len,
                                  char                  *out,
                                  gsize                  out_len);

/* nc-socket-view.c: the kernel's view of @fd after a call (addresses; for
 * TCP its state and queues), into the fields the call left empty; kept
 * for a socket that is not TCP until nc_socket_view_forget (@fd) */
void        nc_socket_view_fill           (NcCall *call,
                                           int     fd);
void        nc_socket_view_fill_addresses (NcCall *call,
                                           int     fd);
void        nc_socket_view_forget         (int     fd);

/* select()'s sets as lists (the first NC_SELECT_FDS_MAX) */
void        nc_wrap_fd_set_to_list (const fd_set        *set,
                                    int                  nfds,
                                    NcFdList            *list);

/* Appends @fd to a select()/poll() list, up to NC_SELECT_FDS_MAX */
static inline void
nc_fd_list_add (NcFdList *list,
                int       fd)
{
  if (list->n < NC_SELECT_FDS_MAX)
    list->fds[list->n++] = fd;
}

/* @fd is being closed: it leaves the epoll sets (nc-socket-epoll.c) */
void        nc_epoll_forget      (int                    fd);

/* One wrapper for two calls that differ in an argument or two, one in each
 * file: accept() and accept4(); select() and pselect() (@tv for select(),
 * @ts and @sigmask for pselect()) */
int         nc_wrap_accept       (const char            *nc_file,
                                  int                    nc_line,
                                  NcCallKind             kind,
                                  int                    fd,
                                  struct sockaddr       *addr,
                                  socklen_t             *len,
                                  int                    flags);
int         nc_wrap_select       (const char            *nc_file,
                                  int                    nc_line,
                                  NcCallKind             kind,
                                  int                    nfds,
                                  fd_set                *sets[NC_N_SETS],
                                  gint64                 timeout_ns,
                                  struct timeval        *tv,
                                  const struct timespec *ts,
                                  const sigset_t        *sigmask);

G_END_DECLS
