/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nc-socket-epoll.c: epoll, as Python's selectors.DefaultSelector and
 * asyncio use it on Linux.
 *
 * epoll_ctl () is recorded for sockets (selector.register (sock) is a line
 * of the program), and what each epoll set watches is remembered here, so an
 * epoll_wait () shows the sockets it waits for as poll () does: r=[3, 5].
 * The kernel drops a socket from every set when it is closed (its last fd),
 * and a set goes with its own fd: nc_epoll_forget () follows both.
 */

#include "config.h"

#include "nc-socket.h"
#include "nc-socket-private.h"
#include "nc-sys.h"

#include <errno.h>
#include <pthread.h>

typedef struct
{
  int     epfd;
  int     fd;
  guint32 events;
} Interest;

/* Every (set, socket) pair the program registered: a short list (a server
 * watches a few sockets), searched linearly under the lock */
static GArray *interests;
static GMutex  interests_lock;

/* A program that forks while another of its threads holds the lock (asyncio
 * registering a socket beside a ForkingMixIn handler) would leave the child
 * a lock nobody gives back: it is taken around fork () */
static void
interests_lock_take (void)
{
  g_mutex_lock (&interests_lock);
}

static void
interests_lock_give (void)
{
  g_mutex_unlock (&interests_lock);
}

static void
interest_set (int epfd, int fd, guint32 events, gboolean keep)
{
  static gsize atfork_set = 0;

  if (g_once_init_enter (&atfork_set))
    {
      pthread_atfork (interests_lock_take, interests_lock_give, interests_lock_give);
      g_once_init_leave (&atfork_set, 1);
    }
  g_mutex_lock (&interests_lock);
  if (interests == NULL)
    g_atomic_pointer_set (&interests, g_array_new (FALSE, FALSE, sizeof (Interest)));
  for (guint i = 0; i < interests->len; i++)
    {
      Interest *in = &g_array_index (interests, Interest, i);
      if (in->epfd == epfd && in->fd == fd)
        {
          g_array_remove_index (interests, i);
          break;
        }
    }
  if (keep)
    {
      Interest in = { epfd, fd, events };
      g_array_append_val (interests, in);
    }
  g_mutex_unlock (&interests_lock);
}

/* What set @epfd watches, as poll ()'s lists */
static const NcFdSets *
interest_sets (int epfd)
{
  NcFdSets lists = { 0 };

  g_mutex_lock (&interests_lock);
  for (guint i = 0; interests != NULL && i < interests->len; i++)
    {
      const Interest *in = &g_array_index (interests, Interest, i);

      if (in->epfd != epfd)
        continue;
      if (in->events & EPOLLIN)
        nc_fd_list_add (&lists.set[NC_SET_READ], in->fd);
      if (in->events & EPOLLOUT)
        nc_fd_list_add (&lists.set[NC_SET_WRITE], in->fd);
    }
  g_mutex_unlock (&interests_lock);
  /* interned outside the lock: its own lock is also taken around fork (),
   * and the two are never held together */
  return nc_fd_sets_intern (&lists);
}

/**
 * nc_epoll_forget:
 * @fd is being closed: as a socket it leaves every set, as an epoll set
 * everything it watched is gone. Cheap when nothing was registered.
 */
void
nc_epoll_forget (int fd)
{
  if (g_atomic_pointer_get (&interests) == NULL)
    return;
  g_mutex_lock (&interests_lock);
  for (guint i = interests->len; i-- > 0;)
    {
      const Interest *in = &g_array_index (interests, Interest, i);
      if (in->fd == fd || in->epfd == fd)
        g_array_remove_index (interests, i);
    }
  g_mutex_unlock (&interests_lock);
}

static void
events_text (guint32 events, GString *out)
{
  static const struct
  {
    guint32     bit;
    const char *name;
  } names[] = {
    { EPOLLIN, "EPOLLIN" },
    { EPOLLOUT, "EPOLLOUT" },
    { EPOLLPRI, "EPOLLPRI" },
    { EPOLLRDHUP, "EPOLLRDHUP" },
    { EPOLLERR, "EPOLLERR" },
    { EPOLLHUP, "EPOLLHUP" },
    { EPOLLET, "EPOLLET" },
    { EPOLLONESHOT, "EPOLLONESHOT" },
    { EPOLLEXCLUSIVE, "EPOLLEXCLUSIVE" },
  };
  guint32 rest = events;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (rest & names[i].bit)
      {
        g_string_append_printf (out, "%s%s", out->str[out->len - 1] == ' ' ? "" : "|",
                                names[i].name);
        rest &= ~names[i].bit;
      }
  if (rest != 0 || events == 0)
    g_string_append_printf (out, "%s0x%x", out->str[out->len - 1] == ' ' ? "" : "|", rest);
}

int
nc_epoll_ctl_at (NC_AT, int epfd, int op, int fd, struct epoll_event *event)
{
  static const char *const ops[] = { [EPOLL_CTL_ADD] = "EPOLL_CTL_ADD",
                                     [EPOLL_CTL_DEL] = "EPOLL_CTL_DEL",
                                     [EPOLL_CTL_MOD] = "EPOLL_CTL_MOD" };
  NcCall                   call;
  NcRecorder              *rec = nc_wrap_prepare (&call, NC_CALL_EPOLL_CTL, fd, nc_file, nc_line);
  g_autoptr (GString) text = g_string_new (NULL);
  int ret, err;

  call.domain = epfd;
  call.flags = op;
  call.value_in = event != NULL ? event->events : 0;
  g_string_append_printf (
    text, "%s, fd=%d", op >= 0 && op < (int) G_N_ELEMENTS (ops) && ops[op] != NULL ? ops[op] : "?",
    fd);
  if (op != EPOLL_CTL_DEL && event != NULL)
    {
      g_string_append (text, ", ");
      events_text (event->events, text);
    }
  g_strlcpy (call.text, text->str, sizeof call.text);
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (epoll_ctl) (epfd, op, fd, event);
  err = errno;
  if (ret == 0)
    interest_set (epfd, fd, event != NULL ? event->events : 0, op != EPOLL_CTL_DEL);
  nc_wrap_leave (rec, &call, ret, err);
  return ret;
}

/* epoll_wait () reports what is ready; what was watched is what
 * epoll_ctl () registered. Python's selectors keep the fd in data.fd. */
int
nc_epoll_wait_at (NC_AT, int epfd, struct epoll_event *events, int max, int timeout_ms)
{
  NcCall      call;
  NcRecorder *rec = nc_wrap_prepare (&call, NC_CALL_EPOLL_WAIT, -1, nc_file, nc_line);
  NcFdSets    ready = { 0 };
  int         ret, err;

  call.timeout_ns = timeout_ms < 0 ? -1 : (gint64) timeout_ms * 1000000;
  call.length = max;
  call.domain = epfd;
  call.sets_in = interest_sets (epfd);
  if (!nc_wrap_enter (rec, &call))
    return -1;
  ret = NC_SYS (epoll_wait) (epfd, events, max, timeout_ms);
  err = errno;
  for (int i = 0; i < ret; i++)
    {
      if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
        nc_fd_list_add (&ready.set[NC_SET_READ], events[i].data.fd);
      if (events[i].events & EPOLLOUT)
        nc_fd_list_add (&ready.set[NC_SET_WRITE], events[i].data.fd);
    }
  call.sets_out = nc_fd_sets_intern (&ready);
  nc_wrap_leave (rec, &call, ret, err);
  return ret;
}
