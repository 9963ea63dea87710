/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nc-call-kind.h: the kinds of call netcore records, and one table of what
 * each kind is. Everything that treats kinds differently (the formatter,
 * correlation, the painter, the lab, the interposer) reads these facts, so a
 * new kind is one enum value and one table row.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Order follows the lecture: socket calls, then names and byte order helpers.
 * The numbers are saved in recordings: add new kinds at the end, never
 * renumber. What each kind is (a socket call? may it block? ...) is in the
 * table of nc-call-kind.h. */
typedef enum
{
  NC_CALL_SOCKET,
  NC_CALL_BIND,
  NC_CALL_LISTEN,
  NC_CALL_ACCEPT,
  NC_CALL_CONNECT,
  NC_CALL_SEND,
  NC_CALL_RECV,
  NC_CALL_SENDTO,
  NC_CALL_RECVFROM,
  NC_CALL_SHUTDOWN,
  NC_CALL_CLOSE,
  NC_CALL_SETBLOCKING,
  NC_CALL_SETTIMEOUT,
  NC_CALL_SETSOCKOPT,
  NC_CALL_GETSOCKOPT,
  NC_CALL_SELECT,
  NC_CALL_GETSOCKNAME,
  NC_CALL_GETPEERNAME,
  NC_CALL_GETHOSTNAME,
  NC_CALL_GETADDRINFO,
  NC_CALL_GETNAMEINFO,
  NC_CALL_HTONS,
  NC_CALL_HTONL,
  NC_CALL_NTOHS,
  NC_CALL_NTOHL,
  NC_CALL_INET_ATON,
  NC_CALL_INET_NTOA,
  NC_CALL_INET_PTON,
  NC_CALL_INET_NTOP,
  NC_CALL_WRITE,
  NC_CALL_READ,
  NC_CALL_FORK,
  /* What traced programs call underneath (libc, as CPython uses it) */
  NC_CALL_ACCEPT4,
  NC_CALL_SENDMSG,
  NC_CALL_RECVMSG,
  NC_CALL_POLL,
  NC_CALL_PPOLL,
  NC_CALL_EPOLL_WAIT,
  NC_CALL_PSELECT,
  NC_CALL_FCNTL,
  NC_CALL_GETHOSTBYNAME,
  NC_CALL_GETHOSTBYADDR,
  NC_CALL_IOCTL,
  NC_CALL_EPOLL_CTL,   /* a socket joins, changes in or leaves an epoll set */
  NC_CALL_SENDFILE,    /* a file's bytes sent by the kernel (socket.sendfile ()) */
  NC_CALL_SOCKETPAIR,  /* two connected sockets (fd, and the other in value_in) */
  NC_N_CALL_KINDS
} NcCallKind;
/* Which socket a call acts on */
typedef enum
{
  NC_CALL_FD_NONE,    /* none: a helper such as htons() */
  NC_CALL_FD_ARG,     /* NcCall.fd */
  NC_CALL_FD_RESULT,  /* the socket it returns (socket()) */
  NC_CALL_FD_SETS,    /* the fds of its sets (select(), poll()) */
} NcCallFd;

/* How the painter draws it */
typedef enum
{
  NC_CALL_DRAW_HELPER,   /* a computation or name lookup: the actor's column only */
  NC_CALL_DRAW_PLAIN,    /* a socket call with no data: "close(fd=3)" */
  NC_CALL_DRAW_OPEN,     /* creates a socket: its lane starts here */
  NC_CALL_DRAW_ADDRESS,  /* names an address: bind() */
  NC_CALL_DRAW_LISTEN,
  NC_CALL_DRAW_ACCEPT,   /* on the listening lane; waits for a peer */
  NC_CALL_DRAW_CONNECT,
  NC_CALL_DRAW_SEND,     /* data out: the bytes in its label */
  NC_CALL_DRAW_RECV,     /* data in: waits, then the bytes */
  NC_CALL_DRAW_WAIT,     /* waits for readiness: select(), poll(), with its fd sets */
} NcCallDraw;

/* How correlation links it to packets */
typedef enum
{
  NC_CALL_LINK_NONE,
  NC_CALL_LINK_OPEN,      /* a new socket, no packet */
  NC_CALL_LINK_LISTEN,    /* marks the socket as listening */
  NC_CALL_LINK_ACCEPT,    /* the handshake of the connection it returns */
  NC_CALL_LINK_CONNECT,   /* the handshake (or the RST that refused it) */
  NC_CALL_LINK_SEND,      /* the segments or datagram carrying its bytes */
  NC_CALL_LINK_RECV,      /* the segments or datagram it read, or the FIN (0) */
  NC_CALL_LINK_SHUTDOWN,  /* the FIN it sends (not SHUT_RD) */
  NC_CALL_LINK_CLOSE,     /* the FIN or RST of the close */
  NC_CALL_LINK_READY,     /* the sockets it reported ready */
} NcCallLink;

typedef struct
{
  const char *name;         /* as the course writes it: "accept" */
  guint       socket_call : 1;  /* acts on a socket (drawn on its lane) */
  guint       blocks : 1;   /* may wait in the kernel for a peer or a timeout */
  NcCallFd    fd;
  NcCallDraw  draw;
  NcCallLink  link;
} NcCallKindInfo;

const NcCallKindInfo *nc_call_kind_info      (NcCallKind  kind);
const char           *nc_call_kind_name      (NcCallKind  kind);
gboolean              nc_call_is_socket_call (NcCallKind  kind);
gboolean              nc_call_kind_from_name (const char *name,
                                              NcCallKind *out_kind);

G_END_DECLS
