/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nc-call-kind.c: the table of call kinds (see nc-call-kind.h). */

#include "config.h"

#include "nc-call-kind.h"

/* clang-format off */
#define SOCKET_CALL(n, b, f, d, l) { n, TRUE, b, NC_CALL_FD_##f, NC_CALL_DRAW_##d, NC_CALL_LINK_##l }
#define HELPER(n) { n, FALSE, FALSE, NC_CALL_FD_NONE, NC_CALL_DRAW_HELPER, NC_CALL_LINK_NONE }

/*                                name           blocks  fd      draw     link */
static const NcCallKindInfo kinds[NC_N_CALL_KINDS] = {
  [NC_CALL_SOCKET]        = SOCKET_CALL ("socket",      FALSE, RESULT, OPEN,    OPEN),
  [NC_CALL_BIND]          = SOCKET_CALL ("bind",        FALSE, ARG,    ADDRESS, NONE),
  [NC_CALL_LISTEN]        = SOCKET_CALL ("listen",      FALSE, ARG,    LISTEN,  LISTEN),
  [NC_CALL_ACCEPT]        = SOCKET_CALL ("accept",      TRUE,  ARG,    ACCEPT,  ACCEPT),
  [NC_CALL_ACCEPT4]       = SOCKET_CALL ("accept4",     TRUE,  ARG,    ACCEPT,  ACCEPT),
  [NC_CALL_CONNECT]       = SOCKET_CALL ("connect",     TRUE,  ARG,    CONNECT, CONNECT),
  [NC_CALL_SEND]          = SOCKET_CALL ("send",        FALSE, ARG,    SEND,    SEND),
  [NC_CALL_SENDTO]        = SOCKET_CALL ("sendto",      FALSE, ARG,    SEND,    SEND),
  [NC_CALL_SENDMSG]       = SOCKET_CALL ("sendmsg",     FALSE, ARG,    SEND,    SEND),
  [NC_CALL_WRITE]         = SOCKET_CALL ("write",       FALSE, ARG,    SEND,    SEND),
  [NC_CALL_SENDFILE]      = SOCKET_CALL ("sendfile",    FALSE, ARG,    SEND,    SEND),
  [NC_CALL_RECV]          = SOCKET_CALL ("recv",        TRUE,  ARG,    RECV,    RECV),
  [NC_CALL_RECVFROM]      = SOCKET_CALL ("recvfrom",    TRUE,  ARG,    RECV,    RECV),
  [NC_CALL_RECVMSG]       = SOCKET_CALL ("recvmsg",     TRUE,  ARG,    RECV,    RECV),
  [NC_CALL_READ]          = SOCKET_CALL ("read",        TRUE,  ARG,    RECV,    RECV),
  [NC_CALL_SHUTDOWN]      = SOCKET_CALL ("shutdown",    FALSE, ARG,    PLAIN,   SHUTDOWN),
  [NC_CALL_CLOSE]         = SOCKET_CALL ("close",       FALSE, ARG,    PLAIN,   CLOSE),
  [NC_CALL_SETBLOCKING]   = SOCKET_CALL ("setblocking", FALSE, ARG,    PLAIN,   NONE),
  [NC_CALL_SETTIMEOUT]    = SOCKET_CALL ("settimeout",  FALSE, ARG,    PLAIN,   NONE),
  [NC_CALL_SETSOCKOPT]    = SOCKET_CALL ("setsockopt",  FALSE, ARG,    PLAIN,   NONE),
  [NC_CALL_GETSOCKOPT]    = SOCKET_CALL ("getsockopt",  FALSE, ARG,    PLAIN,   NONE),
  [NC_CALL_FCNTL]         = SOCKET_CALL ("fcntl",       FALSE, ARG,    PLAIN,   NONE),
  [NC_CALL_IOCTL]         = SOCKET_CALL ("ioctl",       FALSE, ARG,    PLAIN,   NONE),
  [NC_CALL_EPOLL_CTL]     = SOCKET_CALL ("epoll_ctl",   FALSE, ARG,    PLAIN,   NONE),
  [NC_CALL_SOCKETPAIR]    = SOCKET_CALL ("socketpair",  FALSE, ARG,    PLAIN,   NONE),
  [NC_CALL_GETSOCKNAME]   = SOCKET_CALL ("getsockname", FALSE, ARG,    PLAIN,   NONE),
  [NC_CALL_GETPEERNAME]   = SOCKET_CALL ("getpeername", FALSE, ARG,    PLAIN,   NONE),
  [NC_CALL_SELECT]        = SOCKET_CALL ("select",      TRUE,  SETS,   WAIT,    READY),
  [NC_CALL_PSELECT]       = SOCKET_CALL ("pselect",     TRUE,  SETS,   WAIT,    READY),
  [NC_CALL_POLL]          = SOCKET_CALL ("poll",        TRUE,  SETS,   WAIT,    READY),
  [NC_CALL_PPOLL]         = SOCKET_CALL ("ppoll",       TRUE,  SETS,   WAIT,    READY),
  [NC_CALL_EPOLL_WAIT]    = SOCKET_CALL ("epoll_wait",  TRUE,  SETS,   WAIT,    READY),
  [NC_CALL_GETHOSTNAME]   = HELPER ("gethostname"),
  [NC_CALL_GETADDRINFO]   = HELPER ("getaddrinfo"),
  [NC_CALL_GETNAMEINFO]   = HELPER ("getnameinfo"),
  [NC_CALL_GETHOSTBYNAME] = HELPER ("gethostbyname"),
  [NC_CALL_GETHOSTBYADDR] = HELPER ("gethostbyaddr"),
  [NC_CALL_HTONS]         = HELPER ("htons"),
  [NC_CALL_HTONL]         = HELPER ("htonl"),
  [NC_CALL_NTOHS]         = HELPER ("ntohs"),
  [NC_CALL_NTOHL]         = HELPER ("ntohl"),
  [NC_CALL_INET_ATON]     = HELPER ("inet_aton"),
  [NC_CALL_INET_NTOA]     = HELPER ("inet_ntoa"),
  [NC_CALL_INET_PTON]     = HELPER ("inet_pton"),
  [NC_CALL_INET_NTOP]     = HELPER ("inet_ntop"),
  [NC_CALL_FORK]          = HELPER ("fork"),
};
/* clang-format on */

/* A kind this build does not know (a newer file): a plain helper named "?". */
static const NcCallKindInfo unknown_kind = HELPER ("?");

const NcCallKindInfo *
nc_call_kind_info (NcCallKind kind)
{
  if ((guint) kind >= NC_N_CALL_KINDS || kinds[kind].name == NULL)
    return &unknown_kind;
  return &kinds[kind];
}

const char *
nc_call_kind_name (NcCallKind kind)
{
  return nc_call_kind_info (kind)->name;
}

gboolean
nc_call_kind_from_name (const char *name,
                        NcCallKind *out_kind)
{
  for (guint i = 0; i < NC_N_CALL_KINDS; i++)
    if (kinds[i].name != NULL && g_strcmp0 (kinds[i].name, name) == 0)
      {
        *out_kind = (NcCallKind) i;
        return TRUE;
      }
  return FALSE;
}

/* Calls that act on a socket (drawn on a socket's lane), as opposed to
 * helpers such as htons() that are pure computations. */
gboolean
nc_call_is_socket_call (NcCallKind kind)
{
  return nc_call_kind_info (kind)->socket_call;
}
