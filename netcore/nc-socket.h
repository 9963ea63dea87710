/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nc-socket.h: the socket API as the course teaches it.
 *
 * Each nc_X() does the real system call X with the same arguments, return
 * value and errno, and reports it to the thread's NcRecorder (if any) when it
 * enters and when it returns. The macros add the caller's file and line, so a
 * code pane can show the line that made the call.
 */
#pragma once

#include <glib.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>

G_BEGIN_DECLS

#define NC_AT const char *nc_file, int nc_line

int         nc_socket_at       (NC_AT, int domain, int type, int protocol);
int         nc_bind_at         (NC_AT, int fd, const struct sockaddr *addr, socklen_t len);
int         nc_listen_at       (NC_AT, int fd, int backlog);
int         nc_accept_at       (NC_AT, int fd, struct sockaddr *addr, socklen_t *len);
int         nc_connect_at      (NC_AT, int fd, const struct sockaddr *addr, socklen_t len);
ssize_t     nc_send_at         (NC_AT, int fd, const void *buf, size_t len, int flags);
ssize_t     nc_recv_at         (NC_AT, int fd, void *buf, size_t len, int flags);
ssize_t     nc_sendto_at       (NC_AT, int fd, const void *buf, size_t len, int flags,
                                const struct sockaddr *to, socklen_t tolen);
ssize_t     nc_recvfrom_at     (NC_AT, int fd, void *buf, size_t len, int flags,
                                struct sockaddr *from, socklen_t *fromlen);
int         nc_shutdown_at     (NC_AT, int fd, int how);
int         nc_close_at        (NC_AT, int fd);
int         nc_setblocking_at  (NC_AT, int fd, int blocking);
int         nc_settimeout_at   (NC_AT, int fd, double seconds);
int         nc_setsockopt_at   (NC_AT, int fd, int level, int name, const void *value,
                                socklen_t len);
int         nc_getsockopt_at   (NC_AT, int fd, int level, int name, void *value,
                                socklen_t *len);
int         nc_select_at       (NC_AT, int nfds, fd_set *readfds, fd_set *writefds,
                                fd_set *exceptfds, struct timeval *timeout);
int         nc_getsockname_at  (NC_AT, int fd, struct sockaddr *addr, socklen_t *len);
int         nc_getpeername_at  (NC_AT, int fd, struct sockaddr *addr, socklen_t *len);
int         nc_gethostname_at  (NC_AT, char *name, size_t len);
int         nc_getaddrinfo_at  (NC_AT, const char *node, const char *service,
                                const struct addrinfo *hints, struct addrinfo **res);
int         nc_getnameinfo_at  (NC_AT, const struct sockaddr *addr, socklen_t addrlen,
                                char *host, socklen_t hostlen, char *serv, socklen_t servlen,
                                int flags);
guint16     nc_htons_at        (NC_AT, guint16 x);
guint32     nc_htonl_at        (NC_AT, guint32 x);
guint16     nc_ntohs_at        (NC_AT, guint16 x);
guint32     nc_ntohl_at        (NC_AT, guint32 x);
int         nc_inet_aton_at    (NC_AT, const char *cp, struct in_addr *inp);
char       *nc_inet_ntoa_at    (NC_AT, struct in_addr in);
int         nc_inet_pton_at    (NC_AT, int af, const char *src, void *dst);
const char *nc_inet_ntop_at    (NC_AT, int af, const void *src, char *dst, socklen_t size);
ssize_t     nc_write_at        (NC_AT, int fd, const void *buf, size_t len);
ssize_t     nc_read_at         (NC_AT, int fd, void *buf, size_t len);

/* What programs call underneath (nc-socket-libc.c): the preload library's */
int         nc_accept4_at      (NC_AT, int fd, struct sockaddr *addr, socklen_t *len, int flags);
ssize_t     nc_sendmsg_at      (NC_AT, int fd, const struct msghdr *msg, int flags);
ssize_t     nc_recvmsg_at      (NC_AT, int fd, struct msghdr *msg, int flags);
int         nc_poll_at         (NC_AT, struct pollfd *fds, nfds_t n, int timeout_ms);
int         nc_ppoll_at        (NC_AT, struct pollfd *fds, nfds_t n,
                                const struct timespec *timeout, const sigset_t *sigmask);
int         nc_epoll_wait_at   (NC_AT, int epfd, struct epoll_event *events, int max,
                                int timeout_ms);
int         nc_epoll_ctl_at    (NC_AT, int epfd, int op, int fd, struct epoll_event *event);
ssize_t     nc_sendfile_at     (NC_AT, int out_fd, int in_fd, off_t *offset, size_t count);
int         nc_socketpair_at   (NC_AT, int domain, int type, int protocol, int sv[2]);
int         nc_pselect_at      (NC_AT, int nfds, fd_set *readfds, fd_set *writefds,
                                fd_set *exceptfds, const struct timespec *timeout,
                                const sigset_t *sigmask);
int         nc_fcntl_setfl_at  (NC_AT, int fd, int flags);
int         nc_ioctl_fionbio_at (NC_AT, int fd, int *on);
struct hostent *nc_gethostbyname_at (NC_AT, const char *name);
int         nc_gethostbyname_r_at (NC_AT, const char *name, struct hostent *ret, char *buf,
                                   size_t buflen, struct hostent **result, int *h_errnop);
struct hostent *nc_gethostbyaddr_at (NC_AT, const void *addr, socklen_t len, int type);
int         nc_gethostbyaddr_r_at (NC_AT, const void *addr, socklen_t len, int type,
                                   struct hostent *ret, char *buf, size_t buflen,
                                   struct hostent **result, int *h_errnop);
pid_t       nc_fork_at         (NC_AT);

#define nc_socket(...)       nc_socket_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_bind(...)         nc_bind_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_listen(...)       nc_listen_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_accept(...)       nc_accept_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_connect(...)      nc_connect_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_send(...)         nc_send_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_recv(...)         nc_recv_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_sendto(...)       nc_sendto_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_recvfrom(...)     nc_recvfrom_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_shutdown(...)     nc_shutdown_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_close(...)        nc_close_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_setblocking(...)  nc_setblocking_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_settimeout(...)   nc_settimeout_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_setsockopt(...)   nc_setsockopt_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_getsockopt(...)   nc_getsockopt_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_select(...)       nc_select_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_getsockname(...)  nc_getsockname_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_getpeername(...)  nc_getpeername_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_gethostname(...)  nc_gethostname_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_getaddrinfo(...)  nc_getaddrinfo_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_getnameinfo(...)  nc_getnameinfo_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_htons(...)        nc_htons_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_htonl(...)        nc_htonl_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_ntohs(...)        nc_ntohs_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_ntohl(...)        nc_ntohl_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_inet_aton(...)    nc_inet_aton_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_inet_ntoa(...)    nc_inet_ntoa_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_inet_pton(...)    nc_inet_pton_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_inet_ntop(...)    nc_inet_ntop_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_write(...)        nc_write_at (__FILE__, __LINE__, __VA_ARGS__)
#define nc_read(...)         nc_read_at (__FILE__, __LINE__, __VA_ARGS__)

/* Not calls of the lesson: helpers that are not recorded. */
void        nc_freeaddrinfo    (struct addrinfo *res);
gboolean    nc_sockaddr_to_text (const struct sockaddr *addr,
                                 socklen_t len,
                                 char *out,
                                 gsize out_len);

G_END_DECLS
