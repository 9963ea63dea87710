/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-lab-trace-console.c: what the traced programs print, one CONSOLE
 * record a line, from a thread per program reading its stdout and stderr.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "sl-lab-trace-private.h"

/* --- what the programs print ------------------------------------------- */

typedef struct
{
  int      fd;
  Program *program;
  guint8   stream;
  GString *partial;
} ConsoleSource;

/* Python's input () at the end of standard input: say why, once, and how
 * to give a program lines to read (the lab's words, said after the
 * traceback's last line) */
static void
note_end_of_input (SlLabTrace    *self,
                   ConsoleSource *src,
                   const char    *text)
{
  Program *p = src->program;
  g_autofree char *message = NULL;
  CapConsole console;

  if (src->stream != CAP_CONSOLE_STDERR || p->told_stdin ||
      !g_str_has_prefix (text, "EOFError: EOF when reading a line"))
    return;
  p->told_stdin = TRUE;
  if (p->stdin_path != NULL)
    message = g_strdup_printf (_("%s read all of %s and wanted more: input() got end of file."),
                               p->name, p->stdin_path);
  else
    message = g_strdup_printf (_("%s called input(), but a traced program has no keyboard: its "
                                 "standard input is empty, so input() got end of file "
                                 "(EOFError). To give it lines, put them in a file and name it "
                                 "after “<”: socklens trace server.py \"%s < lines.txt\""),
                               p->name, p->name);
  /* as the lab says how a program ended: in its console, and among the run's messages */
  console = (CapConsole) { nc_now_ns (), (guint16) p->actor, CAP_CONSOLE_EXIT, message };
  sl_lab_emit_console (self->lab, &console);
  sl_lab_emit_message (self->lab, CAP_SEVERITY_WARNING, message);
}

static void
emit_console_lines (SlLabTrace    *self,
                    ConsoleSource *src,
                    gboolean       flush)
{
  char *nl;

  while ((nl = memchr (src->partial->str, '\n', src->partial->len)) != NULL || flush)
    {
      gsize n = nl ? (gsize) (nl - src->partial->str) : src->partial->len;
      g_autofree char *text = NULL;
      CapConsole console;

      if (n == 0 && nl == NULL)
        break;
      text = g_utf8_make_valid (src->partial->str, (gssize) n);
      console = (CapConsole) { nc_now_ns (), (guint16) src->program->actor, src->stream, text };
      sl_lab_emit_console (self->lab, &console);
      note_end_of_input (self, src, text);
      g_string_erase (src->partial, 0, nl ? (gssize) n + 1 : (gssize) n);
      if (nl == NULL)
        break;
    }
}

typedef struct
{
  SlLabTrace *self;
  Program    *program;
} ConsoleJob;

/* A program's stdout and stderr, line by line, until both are closed (or
 * the run is over: a forked child may hold them open) */
static gpointer
console_thread (gpointer data)
{
  ConsoleJob *job = data;
  SlLabTrace *self = job->self;
  Program *p = job->program;
  g_autoptr(GArray) srcs = g_array_new (FALSE, TRUE, sizeof (ConsoleSource));
  ConsoleSource out = { p->out_fd, p, CAP_CONSOLE_STDOUT, g_string_new (NULL) };
  ConsoleSource err = { p->err_fd, p, CAP_CONSOLE_STDERR, g_string_new (NULL) };
  guint open_count = 0;
  gboolean draining = FALSE;

  g_free (job);
  g_array_append_val (srcs, out);
  g_array_append_val (srcs, err);
  for (guint i = 0; i < srcs->len; i++)
    if (g_array_index (srcs, ConsoleSource, i).fd >= 0)
      open_count++;

  while (open_count > 0)
    {
      g_autofree struct pollfd *fds = g_new0 (struct pollfd, srcs->len + 1);
      char buf[4096];
      int ready;

      for (guint i = 0; i < srcs->len; i++)
        {
          fds[i].fd = g_array_index (srcs, ConsoleSource, i).fd;
          fds[i].events = POLLIN;
        }
      fds[srcs->len].fd = self->wake_pipe[0];
      fds[srcs->len].events = POLLIN;
      /* Once woken (the run is over) only what is already there is read. */
      ready = poll (fds, srcs->len + (draining ? 0 : 1), draining ? 0 : -1);
      if ((ready < 0 && errno != EINTR) || (draining && ready == 0))
        break;
      for (guint i = 0; i < srcs->len; i++)
        {
          ConsoleSource *src = &g_array_index (srcs, ConsoleSource, i);
          ssize_t n;

          if (src->fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
          n = read (src->fd, buf, sizeof buf);
          if (n > 0)
            {
              g_string_append_len (src->partial, buf, n);
              emit_console_lines (self, src, FALSE);
            }
          else if (n == 0 || errno != EINTR)
            {
              emit_console_lines (self, src, TRUE);
              src->fd = -1;  /* the Program closes it */
              open_count--;
            }
        }
      if (fds[srcs->len].revents & POLLIN)
        draining = TRUE;  /* the run is over and the grace is past */
    }
  for (guint i = 0; i < srcs->len; i++)
    {
      ConsoleSource *src = &g_array_index (srcs, ConsoleSource, i);
      emit_console_lines (self, src, TRUE);
      g_string_free (src->partial, TRUE);
    }
  return NULL;
}

/* Reads @program's stdout and stderr until they close or the run ends */
GThread *
sl_lab_trace_watch_console (SlLabTrace *self,
                            Program    *program)
{
  ConsoleJob *job = g_new0 (ConsoleJob, 1);

  job->self = self;
  job->program = program;
  return g_thread_new ("lab-console", console_thread, job);
}
