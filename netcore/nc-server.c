/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nc-server.c: the socketserver-style framework.
 *
 * Threading: each request runs on a new thread, registered with the run's
 * recorder as an actor of its own ("handler 1"), so its calls get a column.
 * Forking: each request runs in a child process. A child of a threaded
 * process may only make async-signal-safe calls, so it cannot use the
 * recorder's lock or allocate: it writes each call as a fixed-size record
 * with write(2) to a pipe inherited from the parent (see
 * nc_recorder_enter_child), and a reporter thread in the parent adds them to
 * the recorder under the child's own pid.
 */

#include "config.h"

#include "nc-server.h"
#include "nc-recorder.h"
#include "nc-report.h"
#include "nc-socket.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DATAGRAM_MAX 65536

struct _NcServer
{
  NcServerKind   kind;
  NcServerMode   mode;
  NcHandlerFunc  handle;
  gpointer       user_data;
  int            fd;
  guint          n_handlers;
  GPtrArray     *threads;     /* handler threads to join */
  GArray        *children;    /* pid_t of forked handlers */
  int            report_pipe[2];
  GThread       *reporter;
};

typedef struct
{
  NcServer   *server;
  NcRecorder *recorder;
  guint       actor;
  NcRequest   request;
  guint8     *datagram;
} Job;

const char *
nc_server_mode_name (NcServerMode mode)
{
  switch (mode)
    {
    case NC_SERVER_SERIAL: return "serial";
    case NC_SERVER_THREADING: return "threading";
    case NC_SERVER_FORKING: return "forking";
    default: return "?";
    }
}

NcServer *
nc_server_new (NcServerKind  kind,
               NcServerMode  mode,
               NcHandlerFunc handle,
               gpointer      user_data)
{
  NcServer *server = g_new0 (NcServer, 1);

  g_return_val_if_fail (handle != NULL, server);

  server->kind = kind;
  server->mode = mode;
  server->handle = handle;
  server->user_data = user_data;
  server->fd = -1;
  server->threads = g_ptr_array_new ();
  server->children = g_array_new (FALSE, FALSE, sizeof (pid_t));
  server->report_pipe[0] = server->report_pipe[1] = -1;
  return server;
}

/* socket(), bind() and, for TCP, listen(): server_bind () + server_activate () */
int
nc_server_bind_and_activate (NcServer              *server,
                             const struct sockaddr *addr,
                             socklen_t              len)
{
  int type = server->kind == NC_SERVER_TCP ? SOCK_STREAM : SOCK_DGRAM;
  int err;

  server->fd = nc_socket (addr->sa_family, type, 0);
  if (server->fd < 0)
    return -1;
  if (nc_bind (server->fd, addr, len) < 0 ||
      (server->kind == NC_SERVER_TCP && nc_listen (server->fd, 5) < 0))
    {
      err = errno;
      nc_close (server->fd);
      server->fd = -1;
      errno = err;
      return -1;
    }
  return 0;
}

int
nc_server_fileno (NcServer *server)
{
  return server->fd;
}

/* The port the kernel gave us: the lesson's getsockname(). */
guint16
nc_server_get_port (NcServer *server)
{
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;

  if (nc_getsockname (server->fd, (struct sockaddr *) &ss, &len) < 0)
    return 0;
  if (ss.ss_family == AF_INET6)
    return g_ntohs (((struct sockaddr_in6 *) &ss)->sin6_port);
  return g_ntohs (((struct sockaddr_in *) &ss)->sin_port);
}

/* Handling */

static void
finish_request (NcServer  *server,
                NcRequest *request)
{
  server->handle (request, server->user_data);
  /* shutdown_request (): TCP closes the connection; UDP has nothing to close */
  if (server->kind == NC_SERVER_TCP)
    nc_close (request->request);
}

static gpointer
handler_thread (gpointer data)
{
  Job *job = data;

  if (job->recorder != NULL)
    nc_recorder_attach_thread (job->recorder, job->actor);
  finish_request (job->server, &job->request);
  nc_recorder_detach_thread ();
  g_free (job->datagram);
  g_free (job);
  return NULL;
}

/* Reads the forked children's call records and adds them to the recorder.
 * Each record arrives whole (one write(2) under PIPE_BUF). */
static gpointer
reporter_thread (gpointer data)
{
  Job *job = data;
  g_autoptr(NcReportIds) ids = nc_report_ids_new ();
  NcReport report;
  NcCall call;

  /* EOF: the parent and every child closed the pipe */
  while (nc_report_read (job->server->report_pipe[0], &report))
    {
      nc_report_to_call (&report, &call);
      nc_recorder_add_reported (job->recorder, ids, &call);
    }
  g_free (job);
  return NULL;
}

static void
ensure_reporter (NcServer   *server,
                 NcRecorder *recorder)
{
  Job *job;

  if (server->reporter != NULL || recorder == NULL)
    return;
  if (pipe2 (server->report_pipe, O_CLOEXEC) < 0)
    return;
  job = g_new0 (Job, 1);
  job->server = server;
  job->recorder = recorder;
  server->reporter = g_thread_new ("nc-server-reporter", reporter_thread, job);
}

/* In the child: the process's other sockets (other actors' threads, in the
 * same process) must not be held open by it, or a client's close() would
 * not end its connection. close_range(2) is a plain system call, so it is
 * safe after fork(). */
static void
close_other_fds (int keep_a,
                 int keep_b)
{
  int lo, hi;

  if (keep_b < 0)
    keep_b = keep_a;
  lo = MIN (keep_a, keep_b);
  hi = MAX (keep_a, keep_b);
  if (lo > 3)
    close_range (3, (unsigned int) lo - 1, 0);
  if (hi > lo + 1)
    close_range ((unsigned int) lo + 1, (unsigned int) hi - 1, 0);
  close_range ((unsigned int) hi + 1, ~0U, 0);
}

static void
process_forking (NcServer   *server,
                 NcRecorder *recorder,
                 NcRequest  *request)
{
  guint actor = 0;
  pid_t pid;

  ensure_reporter (server, recorder);
  if (recorder != NULL)
    {
      g_autofree char *name = g_strdup_printf ("handler %u", ++server->n_handlers);
      actor = nc_recorder_add_actor (recorder, name, "handler");
    }

  pid = fork ();
  if (pid == 0)
    {
      /* The child: only async-signal-safe calls from here to _exit(). */
      close_other_fds (request->request, server->report_pipe[1]);
      /* Without the pipe (pipe2 () failed) the child's calls go unrecorded:
       * the parent's recorder is not for a child (its lock may be held by a
       * thread that is not here; its listener would write into the lab's
       * stream from this process). */
      if (recorder != NULL && server->report_pipe[1] >= 0)
        nc_recorder_enter_child (server->report_pipe[1], actor);
      else
        nc_recorder_detach_thread ();
      finish_request (server, request);
      _exit (0);
    }
  if (pid < 0)
    {
      finish_request (server, request);  /* could not fork: serve it here */
      return;
    }

  if (recorder != NULL)
    nc_recorder_set_actor_pid (recorder, actor, pid);
  g_array_append_val (server->children, pid);
  /* The parent's copy of the connection: the child has its own. */
  if (server->kind == NC_SERVER_TCP)
    nc_close (request->request);
}

static void
process_request (NcServer  *server,
                 NcRequest *request,
                 guint8    *datagram)
{
  NcRecorder *recorder = nc_recorder_get_thread_default ();
  Job *job;

  switch (server->mode)
    {
    case NC_SERVER_THREADING:
      job = g_new0 (Job, 1);
      job->server = server;
      job->recorder = recorder;
      job->request = *request;
      job->datagram = datagram;
      job->request.data = datagram;
      if (recorder != NULL)
        {
          g_autofree char *name = g_strdup_printf ("handler %u", ++server->n_handlers);
          job->actor = nc_recorder_add_actor (recorder, name, "handler");
        }
      g_ptr_array_add (server->threads, g_thread_new ("nc-handler", handler_thread, job));
      return;
    case NC_SERVER_FORKING:
      process_forking (server, recorder, request);
      break;
    case NC_SERVER_SERIAL:
    default:
      finish_request (server, request);
      break;
    }
  g_free (datagram);
}

/**
 * nc_server_handle_request:
 * Takes one request (accept() for TCP, recvfrom() for UDP) and handles it.
 * Returns: 0, or -1 with errno set when taking the request failed (for
 *   instance because the run was stopped).
 */
int
nc_server_handle_request (NcServer *server)
{
  NcRequest request = { .server = server };
  guint8 *datagram = NULL;

  request.client_address_len = sizeof request.client_address;
  if (server->kind == NC_SERVER_TCP)
    {
      request.request = nc_accept (server->fd, (struct sockaddr *) &request.client_address,
                                   &request.client_address_len);
      if (request.request < 0)
        return -1;
    }
  else
    {
      datagram = g_malloc (DATAGRAM_MAX);
      request.request = server->fd;
      request.data_len = nc_recvfrom (server->fd, datagram, DATAGRAM_MAX, 0,
                                      (struct sockaddr *) &request.client_address,
                                      &request.client_address_len);
      if (request.data_len <= 0)
        {
          int err = errno;
          g_free (datagram);
          errno = request.data_len == 0 ? ECANCELED : err;
          return -1;
        }
      request.data = datagram;
    }
  nc_sockaddr_to_text ((struct sockaddr *) &request.client_address, request.client_address_len,
                       request.client_text, sizeof request.client_text);
  process_request (server, &request, datagram);
  return 0;
}

/* serve_forever (), bounded: a lesson serves a known number of requests. */
int
nc_server_serve (NcServer *server,
                 guint     n_requests)
{
  for (guint i = 0; i < n_requests; i++)
    if (nc_server_handle_request (server) < 0)
      return -1;
  return 0;
}

static void
reap_children (NcServer *server)
{
  NcRecorder *recorder = nc_recorder_get_thread_default ();
  gboolean stopped = recorder != NULL && nc_recorder_is_stopped (recorder);

  for (guint i = 0; i < server->children->len; i++)
    {
      pid_t pid = g_array_index (server->children, pid_t, i);
      /* After a stop a child may wait on a peer that is gone: end it. */
      if (stopped)
        kill (pid, SIGTERM);
      while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
        ;
    }
  g_array_set_size (server->children, 0);
}

/* server_close (): closes the socket, then waits for every handler. */
void
nc_server_close (NcServer *server)
{
  if (server->fd >= 0)
    {
      nc_close (server->fd);
      server->fd = -1;
    }
  for (guint i = 0; i < server->threads->len; i++)
    g_thread_join (g_ptr_array_index (server->threads, i));
  g_ptr_array_set_size (server->threads, 0);

  reap_children (server);
  if (server->reporter != NULL)
    {
      /* Every child has exited; closing our end lets the reporter see EOF. */
      close (server->report_pipe[1]);
      server->report_pipe[1] = -1;
      g_thread_join (server->reporter);
      server->reporter = NULL;
      close (server->report_pipe[0]);
      server->report_pipe[0] = -1;
    }
}

void
nc_server_free (NcServer *server)
{
  if (server == NULL)
    return;
  nc_server_close (server);
  g_ptr_array_unref (server->threads);
  g_array_unref (server->children);
  g_free (server);
}
