/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-lab-trace.c: socklens-lab --trace PROGRAM...: the students' own programs
 * in the lab.
 *
 * Each program runs in the lab's network namespace with the preload library
 * (netcore/preload/) in LD_PRELOAD. Its calls come back as NcReport records
 * on one pipe (SOCKLENS_REPORT_FD), are given actors (a program, its threads,
 * its forked children) and go into the lab's recorder, whose listener writes
 * them to the stream as for a scenario. What the programs print comes back
 * on pipes and goes into the stream as CONSOLE records.
 *
 * Order: the programs start one after another; the next starts once the
 * previous one is blocked in a socket call in the kernel (its thread
 * sleeping with a call entered and released) or has exited. The run ends
 * when the last program exits; the others get GRACE_MS, then are stopped.
 *
 * Stepping: a call of a program's own waits in its process on a shared
 * memory gate (SOCKLENS_GATE_FD); a thread here holds it at the lab's NcGate
 * like a scenario's call, and on release lets that thread through.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sl-lab-private.h"
#include "cap-recording.h"

#define REPORT_TARGET_FD 1000     /* where programs find the report pipe */
#define GATE_TARGET_FD   1001
#define GRACE_MS         1000     /* after the last program: the others' time to finish */
#define KILL_AFTER_MS    1000     /* after SIGTERM */
#define BLOCKED_POLL_MS  5

typedef struct
{
  char     *name;          /* "server.py" */
  char    **argv;
  GPid      pid;
  int       out_fd;
  int       err_fd;
  guint     actor;         /* its main thread's actor */
  guint     n_threads;
  guint     n_children;
  gboolean  exited;
  int       status;
  gboolean  stopped;       /* we ended it */
} Program;

typedef struct
{
  gint32   pid;
  gint32   tid;
  guint32  id;             /* recorder id */
  gboolean released;       /* past the gate: in the kernel, or about to be */
} Pending;

struct _SlLabTrace
{
  SlLab        *lab;
  NcRecorder   *recorder;
  NcGate       *gate;
  NcReportGate *shared_gate;
  int           gate_fd;
  int           report_pipe[2];
  GPtrArray    *programs;    /* Program* */
  char         *preload;
  char         *roots;

  GMutex        lock;
  GCond         cond;
  GHashTable   *thread_actor;  /* (pid << 32 | tid) -> actor + 1 */
  GHashTable   *pid_program;   /* pid -> program index + 1 */
  GArray       *pending;       /* Pending: calls entered and not returned */
  gboolean      stop;
  GThread      *reader;
  GPtrArray    *consoles;    /* GThread*, one per program started */
  int           wake_pipe[2];  /* tells the console thread the run is over */
};

/* --- programs ------------------------------------------------------------ */

static const char *
python_path (void)
{
  const char *env = g_getenv ("SOCKLENS_PYTHON");

  if (env != NULL && env[0] != '\0')
    return env;
  /* Debian's own, not a wrapper script (pyenv's shim) that would run
   * through a shell with the preload library too */
  if (g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    return "/usr/bin/python3";
  return "python3";
}

/* Whether @path is an ELF executable without a dynamic loader: LD_PRELOAD
 * cannot reach into it. */
static gboolean
is_static_elf (const char *path)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  Elf64_Ehdr eh;
  gboolean has_interp = FALSE;

  if (fd < 0)
    return FALSE;
  if (pread (fd, &eh, sizeof eh, 0) != sizeof eh || memcmp (eh.e_ident, ELFMAG, SELFMAG) != 0 ||
      eh.e_ident[EI_CLASS] != ELFCLASS64)
    {
      close (fd);
      return FALSE;
    }
  for (guint i = 0; i < eh.e_phnum && i < 256; i++)
    {
      Elf64_Phdr ph;
      if (pread (fd, &ph, sizeof ph, (off_t) (eh.e_phoff + (guint64) i * eh.e_phentsize)) !=
          sizeof ph)
        break;
      if (ph.p_type == PT_INTERP)
        has_interp = TRUE;
    }
  close (fd);
  return !has_interp;
}

static gboolean
check_script (const char *path,
              GError    **error)
{
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, _("%s: no such file"), path);
      return FALSE;
    }
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR, _("%s is a folder, not a program"), path);
      return FALSE;
    }
  return TRUE;
}

/*
 * "server.py", "./client", "python3 client.py 127.0.0.1 50007": what to run,
 * checked (exists, executable) so a typo is said before anything starts.
 */
static char **
parse_program (const char *spec,
               char      **out_name,
               char      **out_root,
               GError    **error)
{
  g_auto (GStrv) words = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const char *script = NULL;

  if (!g_shell_parse_argv (spec, NULL, &words, error))
    return NULL;
  if (g_str_has_suffix (words[0], ".py"))
    {
      g_ptr_array_add (argv, g_strdup (python_path ()));
      script = words[0];
    }
  else if (g_str_equal (words[0], "python3") || g_str_equal (words[0], "python"))
    {
      g_free (words[0]);
      words[0] = g_strdup (python_path ());
      for (guint i = 1; words[i] != NULL && script == NULL; i++)
        if (g_str_has_suffix (words[i], ".py"))
          script = words[i];
    }
  else
    {
      g_autofree char *found = strchr (words[0], '/') ? g_strdup (words[0])
                                                      : g_find_program_in_path (words[0]);
      if (found == NULL || !check_script (found, error))
        {
          if (found == NULL)
            g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, _("%s: no such file or command"),
                         words[0]);
          return NULL;
        }
      if (!g_file_test (found, G_FILE_TEST_IS_EXECUTABLE))
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_PERM,
                       _("%s is not executable (chmod +x %s, or name a .py file)"), words[0],
                       words[0]);
          return NULL;
        }
      g_free (words[0]);
      words[0] = g_canonicalize_filename (found, NULL);
      *out_name = g_path_get_basename (found);
      *out_root = g_path_get_dirname (words[0]);
    }

  if (script != NULL)
    {
      g_autofree char *abs = g_canonicalize_filename (script, NULL);

      if (!check_script (abs, error))
        return NULL;
      *out_name = g_path_get_basename (abs);
      *out_root = g_path_get_dirname (abs);
      for (guint i = 0; words[i] != NULL; i++)
        if (words[i] == script)
          {
            g_free (words[i]);
            words[i] = g_strdup (abs);
          }
    }
  for (guint i = 0; words[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (words[i]));
  g_ptr_array_add (argv, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&argv), FALSE);
}

static void
program_free (gpointer data)
{
  Program *p = data;

  g_free (p->name);
  g_strfreev (p->argv);
  if (p->out_fd >= 0)
    close (p->out_fd);
  if (p->err_fd >= 0)
    close (p->err_fd);
  g_free (p);
}

/* --- preparing --------------------------------------------------------- */

static char *
find_preload (GError **error)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = self ? g_path_get_dirname (self) : NULL;
  const char *env = g_getenv ("SOCKLENS_PRELOAD");
  /* in the build tree the library is built beside netcore, not installed */
  gboolean in_build = dir != NULL && g_str_equal (dir, BUILD_APPDIR);
  const char *order[3] = {
    env,
    in_build ? BUILD_PRELOAD_PATH : PRELOAD_PATH,
    in_build ? PRELOAD_PATH : BUILD_PRELOAD_PATH,
  };

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    if (order[i] != NULL && g_file_test (order[i], G_FILE_TEST_EXISTS))
      return g_strdup (order[i]);
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
               _("the preload library is missing (looked for %s): calls cannot be traced"),
               PRELOAD_PATH);
  return NULL;
}

/**
 * sl_lab_trace_new:
 * Checks every program before the lab does anything else.
 */
SlLabTrace *
sl_lab_trace_new (SlLab       *lab,
                  char       **specs,
                  GError     **error)
{
  g_autoptr(GPtrArray) roots = g_ptr_array_new_with_free_func (g_free);
  SlLabTrace *self = g_new0 (SlLabTrace, 1);

  self->lab = lab;
  self->gate_fd = -1;
  self->report_pipe[0] = self->report_pipe[1] = -1;
  self->wake_pipe[0] = self->wake_pipe[1] = -1;
  self->programs = g_ptr_array_new_with_free_func (program_free);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->thread_actor = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->pid_program = g_hash_table_new (NULL, NULL);
  self->pending = g_array_new (FALSE, FALSE, sizeof (Pending));
  self->consoles = g_ptr_array_new ();

  for (guint i = 0; specs[i] != NULL; i++)
    {
      Program *p = g_new0 (Program, 1);
      char *root = NULL;

      p->out_fd = p->err_fd = -1;
      g_ptr_array_add (self->programs, p);
      p->argv = parse_program (specs[i], &p->name, &root, error);
      if (p->argv == NULL)
        {
          sl_lab_trace_free (self);
          return NULL;
        }
      if (!g_ptr_array_find_with_equal_func (roots, root, g_str_equal, NULL))
        g_ptr_array_add (roots, root);
      else
        g_free (root);
    }
  if (self->programs->len == 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, _("which programs?"));
      sl_lab_trace_free (self);
      return NULL;
    }
  self->preload = find_preload (error);
  if (self->preload == NULL)
    {
      sl_lab_trace_free (self);
      return NULL;
    }
  g_ptr_array_add (roots, NULL);
  self->roots = g_strjoinv (":", (char **) roots->pdata);
  return self;
}

/* "Your programs: server.py, client.py" */
char *
sl_lab_trace_title (SlLabTrace *self)
{
  g_autoptr(GString) names = g_string_new (NULL);

  for (guint i = 0; i < self->programs->len; i++)
    g_string_append_printf (names, "%s%s", i ? ", " : "",
                            ((Program *) g_ptr_array_index (self->programs, i))->name);
  return g_strdup_printf (_("Your programs: %s"), names->str);
}

NcGate *
sl_lab_trace_get_gate (SlLabTrace *self)
{
  return self->gate;
}

guint
sl_lab_trace_get_n_actors (SlLabTrace *self)
{
  return nc_recorder_get_n_actors (self->recorder);
}

void
sl_lab_trace_free (SlLabTrace *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->programs);
  g_clear_object (&self->recorder);
  g_clear_object (&self->gate);
  nc_report_gate_unmap (self->shared_gate);
  for (guint i = 0; i < 2; i++)
    {
      if (self->report_pipe[i] >= 0)
        close (self->report_pipe[i]);
      if (self->wake_pipe[i] >= 0)
        close (self->wake_pipe[i]);
    }
  if (self->gate_fd >= 0)
    close (self->gate_fd);
  g_hash_table_unref (self->thread_actor);
  g_hash_table_unref (self->pid_program);
  g_array_unref (self->pending);
  g_ptr_array_unref (self->consoles);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->preload);
  g_free (self->roots);
  g_free (self);
}

/* --- actors ------------------------------------------------------------ */

static gint64
thread_key (gint32 pid,
            gint32 tid)
{
  return ((gint64) pid << 32) | (guint32) tid;
}

static guint
new_actor (SlLabTrace *self,
           const char *name,
           const char *role,
           gint32      pid)
{
  guint actor = nc_recorder_add_actor (self->recorder, name, role);
  NcActorInfo info;

  nc_recorder_set_actor_pid (self->recorder, actor, pid);
  if (nc_recorder_get_actor (self->recorder, actor, &info))
    sl_lab_emit_actor (self->lab, &info);
  return actor;
}

/* The program a process belongs to: its own, or its parent's (a forked child) */
static gint
program_of_pid (SlLabTrace *self,
                gint32      pid)
{
  for (guint depth = 0; depth < 8 && pid > 1; depth++)
    {
      gpointer value = g_hash_table_lookup (self->pid_program, GINT_TO_POINTER (pid));
      g_autofree char *path = NULL;
      g_autofree char *stat = NULL;
      const char *paren;
      int ppid = 0;

      if (value != NULL)
        return GPOINTER_TO_INT (value) - 1;
      path = g_strdup_printf ("/proc/%d/stat", pid);
      if (!g_file_get_contents (path, &stat, NULL, NULL) ||
          (paren = strrchr (stat, ')')) == NULL || sscanf (paren + 2, "%*c %d", &ppid) != 1)
        return -1;
      pid = ppid;
    }
  return -1;
}

/* With the lock held: the actor of a reported call's thread */
static guint
actor_for (SlLabTrace   *self,
           const NcCall *call)
{
  gint64 key = thread_key (call->pid, call->tid);
  gpointer value = g_hash_table_lookup (self->thread_actor, &key);
  g_autofree char *name = NULL;
  Program *p;
  gint index;
  guint actor;

  if (value != NULL)
    return GPOINTER_TO_UINT (value) - 1;

  index = program_of_pid (self, call->pid);
  p = g_ptr_array_index (self->programs, MAX (index, 0));
  if (call->pid == p->pid && call->tid == p->pid)
    actor = p->actor;
  else if (call->pid == p->pid || g_hash_table_contains (self->pid_program,
                                                         GINT_TO_POINTER (call->pid)))
    {
      name = g_strdup_printf ("%s thread %u", p->name, ++p->n_threads);
      actor = new_actor (self, name, "thread", call->pid);
    }
  else
    {
      /* a forked child (ForkingMixIn's handler): a process of its own */
      name = g_strdup_printf ("%s child %u", p->name, ++p->n_children);
      actor = new_actor (self, name, "child", call->pid);
      g_hash_table_insert (self->pid_program, GINT_TO_POINTER (call->pid),
                           GINT_TO_POINTER (MAX (index, 0) + 1));
    }
  g_hash_table_insert (self->thread_actor, g_memdup2 (&key, sizeof key),
                       GUINT_TO_POINTER (actor + 1));
  return actor;
}

/* --- the reports ------------------------------------------------------- */

typedef struct
{
  SlLabTrace *self;
  NcCall      call;
} Held;

/* Holds one call at the lab's gate, as a scenario's own thread would wait,
 * then lets the program's thread through. */
static gpointer
held_thread (gpointer data)
{
  Held *held = data;
  SlLabTrace *self = held->self;

  nc_gate_pass (self->gate, held->call.actor, held->call.kind, held->call.fd);
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->pending->len; i++)
    {
      Pending *p = &g_array_index (self->pending, Pending, i);
      if (p->pid == held->call.pid && p->tid == held->call.tid)
        p->released = TRUE;
    }
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  nc_report_gate_release (self->shared_gate, held->call.tid);
  g_free (held);
  return NULL;
}

static void
note_pending (SlLabTrace   *self,
              const NcCall *call,
              guint32       id,
              gboolean      held)
{
  if (call->ts_end == 0)
    {
      Pending p = { call->pid, call->tid, id, !held };
      g_array_append_val (self->pending, p);
      g_cond_broadcast (&self->cond);
    }
  else
    for (guint i = 0; i < self->pending->len; i++)
      if (g_array_index (self->pending, Pending, i).id == id)
        {
          g_array_remove_index_fast (self->pending, i);
          g_cond_broadcast (&self->cond);
          break;
        }
  /* a call reported once, on its return (a sendto () that cannot wait),
   * changes nothing the waiting thread looks at: it is not woken */
}

static gpointer
reader_thread (gpointer data)
{
  SlLabTrace *self = data;
  g_autoptr(NcReportIds) ids = nc_report_ids_new ();
  g_autofree NcReportReader *reader = g_new (NcReportReader, 1);
  NcReportInterned interned = { NULL, NULL };
  NcReport report;
  NcCall call;

  nc_report_reader_init (reader, self->report_pipe[0]);
  while (nc_report_reader_next (reader, &report))
    {
      gboolean held;
      guint32 id;

      nc_report_to_call_interned (&report, &call, &interned);
      g_mutex_lock (&self->lock);
      call.actor = (guint16) actor_for (self, &call);
      g_mutex_unlock (&self->lock);

      held = self->shared_gate != NULL && call.ts_end == 0 && nc_call_waits_at_gate (&call);
      id = nc_recorder_add_reported (self->recorder, ids, &call);

      g_mutex_lock (&self->lock);
      note_pending (self, &call, id, held);
      g_mutex_unlock (&self->lock);

      if (held)
        {
          Held *h = g_new0 (Held, 1);
          h->self = self;
          h->call = call;
          g_thread_unref (g_thread_new ("lab-held-call", held_thread, h));
        }
    }
  return NULL;
}

/* --- what the programs print ------------------------------------------- */

typedef struct
{
  int      fd;
  guint    actor;
  guint8   stream;
  GString *partial;
} ConsoleSource;

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
      console = (CapConsole) { nc_now_ns (), (guint16) src->actor, src->stream, text };
      sl_lab_emit_console (self->lab, &console);
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
  ConsoleSource out = { p->out_fd, p->actor, CAP_CONSOLE_STDOUT, g_string_new (NULL) };
  ConsoleSource err = { p->err_fd, p->actor, CAP_CONSOLE_STDERR, g_string_new (NULL) };
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

/* --- starting, waiting, stopping --------------------------------------- */

static void
child_setup (gpointer data)
{
  /* Its own process group, so stopping it reaches its forked children; and
   * it dies with the lab. */
  setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static char **
program_env (SlLabTrace *self)
{
  char **env = g_get_environ ();
  const char *old = g_environ_getenv (env, "LD_PRELOAD");
  g_autofree char *preload = old && old[0] ? g_strdup_printf ("%s:%s", self->preload, old)
                                           : g_strdup (self->preload);
  g_autofree char *report = g_strdup_printf ("%d", REPORT_TARGET_FD);

  env = g_environ_setenv (env, "LD_PRELOAD", preload, TRUE);
  env = g_environ_setenv (env, "SOCKLENS_REPORT_FD", report, TRUE);
  env = g_environ_setenv (env, "SOCKLENS_TRACE_ROOTS", self->roots, TRUE);
  /* print as it happens, so it lands beside its calls */
  env = g_environ_setenv (env, "PYTHONUNBUFFERED", "1", TRUE);
  env = g_environ_setenv (env, "PYTHONDONTWRITEBYTECODE", "1", TRUE);
  if (self->shared_gate != NULL)
    {
      g_autofree char *gate = g_strdup_printf ("%d", GATE_TARGET_FD);
      env = g_environ_setenv (env, "SOCKLENS_GATE_FD", gate, TRUE);
    }
  else
    env = g_environ_unsetenv (env, "SOCKLENS_GATE_FD");
  return env;
}

static gboolean
start_program (SlLabTrace *self,
               guint       index,
               GError    **error)
{
  Program *p = g_ptr_array_index (self->programs, index);
  g_auto (GStrv) env = program_env (self);
  int source_fds[2] = { self->report_pipe[1], self->gate_fd };
  int target_fds[2] = { REPORT_TARGET_FD, GATE_TARGET_FD };
  g_autofree char *text = NULL;

  if (is_static_elf (p->argv[0]))
    {
      text = g_strdup_printf (_("%s is statically linked: its calls cannot be seen (the preload "
                                "library needs the dynamic loader). Its packets are still "
                                "captured."), p->name);
      sl_lab_emit_message (self->lab, CAP_SEVERITY_WARNING, text);
    }
  g_mutex_lock (&self->lock);
  if (!g_spawn_async_with_pipes_and_fds (NULL, (const char *const *) p->argv,
                                         (const char *const *) env,
                                         G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL,
                                         child_setup, NULL, -1, -1, -1, source_fds, target_fds,
                                         self->gate_fd >= 0 ? 2 : 1, &p->pid, NULL, &p->out_fd,
                                         &p->err_fd, error))
    {
      g_mutex_unlock (&self->lock);
      g_prefix_error (error, "%s: ", p->name);
      return FALSE;
    }
  p->actor = new_actor (self, p->name, "program", p->pid);
  {
    ConsoleJob *job = g_new0 (ConsoleJob, 1);

    job->self = self;
    job->program = p;
    g_ptr_array_add (self->consoles, g_thread_new ("lab-console", console_thread, job));
  }
  g_hash_table_insert (self->pid_program, GINT_TO_POINTER (p->pid), GINT_TO_POINTER (index + 1));
  {
    gint64 key = thread_key (p->pid, p->pid);
    g_hash_table_insert (self->thread_actor, g_memdup2 (&key, sizeof key),
                         GUINT_TO_POINTER (p->actor + 1));
  }
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/* With the lock held: the thread is asleep in the kernel ('S' in its stat) */
static gboolean
thread_sleeping (gint32 pid,
                 gint32 tid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d/stat", pid, tid);
  g_autofree char *stat = NULL;
  const char *paren;

  if (!g_file_get_contents (path, &stat, NULL, NULL) || (paren = strrchr (stat, ')')) == NULL)
    return FALSE;
  return paren[1] == ' ' && (paren[2] == 'S' || paren[2] == 'D');
}

/* With the lock held: the thread waits in futex (), as it does at the step
 * gate for a call whose report the reader has not taken yet: not a socket
 * call's wait, so the next program must not start on it. FALSE when the
 * kernel does not say. */
static gboolean
thread_in_futex (gint32 pid,
                 gint32 tid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/task/%d/syscall", pid, tid);
  g_autofree char *text = NULL;

  return g_file_get_contents (path, &text, NULL, NULL) &&
         g_ascii_strtoll (text, NULL, 10) == SYS_futex;
}

/* With the lock held: a call of the program's, past the gate, waits in the kernel */
static gboolean
program_blocked (SlLabTrace *self,
                 guint       index)
{
  for (guint i = 0; i < self->pending->len; i++)
    {
      const Pending *p = &g_array_index (self->pending, Pending, i);
      gpointer value = g_hash_table_lookup (self->pid_program, GINT_TO_POINTER (p->pid));

      if (value != NULL && (guint) GPOINTER_TO_INT (value) - 1 == index && p->released &&
          thread_sleeping (p->pid, p->tid) && !thread_in_futex (p->pid, p->tid))
        return TRUE;
    }
  return FALSE;
}

static void
reap (SlLabTrace *self)
{
  for (guint i = 0; i < self->programs->len; i++)
    {
      Program *p = g_ptr_array_index (self->programs, i);
      int status;

      if (p->pid <= 0 || p->exited)
        continue;
      if (waitpid (p->pid, &status, WNOHANG) == p->pid)
        {
          p->exited = TRUE;
          p->status = status;
        }
    }
}

/* Waits (lock held) until @done says so, the run is stopped or @deadline
 * (monotonic µs, 0: none) passes; the check runs on every change and every
 * BLOCKED_POLL_MS, since a thread falling asleep in the kernel and a
 * program exiting send no notice here. */
static gboolean
wait_until (SlLabTrace *self,
            gboolean  (*done) (SlLabTrace *, guint),
            guint       index,
            gint64      deadline)
{
  for (;;)
    {
      reap (self);
      if (self->stop || done (self, index))
        return !self->stop;
      if (deadline != 0 && g_get_monotonic_time () >= deadline)
        return FALSE;
      g_cond_wait_until (&self->cond, &self->lock,
                         g_get_monotonic_time () + BLOCKED_POLL_MS * 1000);
    }
}

static gboolean
program_ready_for_next (SlLabTrace *self,
                        guint       index)
{
  Program *p = g_ptr_array_index (self->programs, index);

  return p->exited || program_blocked (self, index);
}

static gboolean
program_exited (SlLabTrace *self,
                guint       index)
{
  return ((Program *) g_ptr_array_index (self->programs, index))->exited;
}

static gboolean
all_exited (SlLabTrace *self,
            guint       unused)
{
  for (guint i = 0; i < self->programs->len; i++)
    if (!program_exited (self, i) && ((Program *) g_ptr_array_index (self->programs, i))->pid > 0)
      return FALSE;
  return TRUE;
}

static void
signal_all (SlLabTrace *self,
            int         sig,
            gboolean    mark)
{
  for (guint i = 0; i < self->programs->len; i++)
    {
      Program *p = g_ptr_array_index (self->programs, i);
      if (p->pid > 0 && !p->exited)
        {
          kill (-p->pid, sig);
          if (mark)
            p->stopped = TRUE;
        }
    }
}

/* Ends whatever still runs: SIGTERM, then SIGKILL (lock held) */
static void
stop_the_rest (SlLabTrace *self)
{
  signal_all (self, SIGTERM, TRUE);
  if (self->shared_gate != NULL)
    nc_report_gate_open (self->shared_gate);
  nc_gate_stop (self->gate);
  self->stop = FALSE;  /* wait for them to go */
  if (!wait_until (self, all_exited, 0, g_get_monotonic_time () + KILL_AFTER_MS * 1000))
    {
      signal_all (self, SIGKILL, FALSE);
      wait_until (self, all_exited, 0, 0);
    }
}

/* How @p ended, in a sentence */
static char *
describe_exit (const Program *p,
               CapSeverity   *severity)
{
  int sig = WIFSIGNALED (p->status) ? WTERMSIG (p->status) : 0;

  *severity = CAP_SEVERITY_INFO;
  if (p->stopped)
    return sig != 0 ? g_strdup_printf (sig == SIGKILL
                                         ? _("%s was still running at the end and was stopped: "
                                             "killed by signal %d (%s) after the grace period.")
                                         : _("%s was still running at the end and was stopped: "
                                             "killed by signal %d (%s)."),
                                       p->name, sig, g_strsignal (sig))
                    : g_strdup_printf (_("%s was still running at the end and was stopped (it "
                                         "then exited with status %d)."), p->name,
                                       WEXITSTATUS (p->status));
  if (WIFEXITED (p->status))
    {
      if (WEXITSTATUS (p->status) != 0)
        *severity = CAP_SEVERITY_WARNING;
      return g_strdup_printf (_("%s exited with status %d."), p->name, WEXITSTATUS (p->status));
    }
  if (sig != 0)
    {
      *severity = CAP_SEVERITY_ERROR;
      return g_strdup_printf (WCOREDUMP (p->status)
                                ? _("%s was killed by signal %d (%s), core dumped; its calls "
                                    "until then are kept.")
                                : _("%s was killed by signal %d (%s); its calls until then are "
                                    "kept."),
                              p->name, sig, g_strsignal (sig));
    }
  return NULL;
}

/* What happened to each program: a message, and its console's last line */
static void
report_exits (SlLabTrace *self,
              gboolean   *any_failed)
{
  for (guint i = 0; i < self->programs->len; i++)
    {
      Program *p = g_ptr_array_index (self->programs, i);
      g_autofree char *text = NULL;
      CapSeverity severity;
      CapConsole console;

      if (p->pid <= 0 || (text = describe_exit (p, &severity)) == NULL)
        continue;
      if (severity != CAP_SEVERITY_INFO)
        *any_failed = TRUE;
      console = (CapConsole) { nc_now_ns (), (guint16) p->actor, CAP_CONSOLE_EXIT, text };
      sl_lab_emit_console (self->lab, &console);
      sl_lab_emit_message (self->lab, severity, text);
    }
}

static void
on_trace_call (const NcCall *call,
               NcCallPhase   phase,
               gpointer      user_data)
{
  sl_lab_on_call (call, phase, user_data);
}

/**
 * sl_lab_trace_prepare:
 * The recorder, the gate and the pipes, before the control thread reads
 * commands for them.
 */
gboolean
sl_lab_trace_prepare (SlLabTrace *self,
                      GError    **error)
{
  self->recorder = nc_recorder_new ();
  nc_recorder_set_keep_calls (self->recorder, FALSE);  /* the stream is the record */
  self->gate = nc_gate_new ();
  nc_gate_set_stepping (self->gate, self->lab->step);
  nc_recorder_set_listener (self->recorder, on_trace_call, self->lab);
  if (self->lab->step && (self->shared_gate = nc_report_gate_new (&self->gate_fd)) == NULL)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   _("no shared memory for the step gate: %s"), g_strerror (errno));
      return FALSE;
    }
  if (pipe2 (self->report_pipe, O_CLOEXEC) < 0 || pipe2 (self->wake_pipe, O_CLOEXEC) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "pipe: %s",
                   g_strerror (errno));
      return FALSE;
    }
  return TRUE;
}

/**
 * sl_lab_trace_run:
 * Runs the programs to their end, the time limit, or a stop.
 * Returns: the lab's exit status; @error_text says why when not OK
 */
int
sl_lab_trace_run (SlLabTrace *self,
                  guint       timeout_s,
                  char      **error_text)
{
  gint64 deadline = timeout_s == 0 ? 0
                                    : g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  g_autoptr(GError) error = NULL;
  gboolean timed_out = FALSE, any_failed = FALSE, stopped;
  guint last = self->programs->len - 1;
  guint started = 0;

  self->reader = g_thread_new ("lab-reports", reader_thread, self);
  for (; started < self->programs->len; started++)
    {
      if (!start_program (self, started, &error))
        break;
      if (started == last)
        {
          started++;
          break;
        }
      g_mutex_lock (&self->lock);
      timed_out = !wait_until (self, program_ready_for_next, started, deadline) && !self->stop;
      stopped = self->stop;
      g_mutex_unlock (&self->lock);
      if (timed_out || stopped)
        {
          started++;
          break;
        }
    }
  /* Every program that will start has: only they hold the write end now. */
  close (self->report_pipe[1]);
  self->report_pipe[1] = -1;

  g_mutex_lock (&self->lock);
  if (error == NULL && !timed_out && !self->stop)
    timed_out = !wait_until (self, program_exited, started - 1, deadline) && !self->stop;
  stopped = self->stop;
  if (!stopped && !timed_out)
    wait_until (self, all_exited, 0, g_get_monotonic_time () + GRACE_MS * 1000);
  stop_the_rest (self);
  g_mutex_unlock (&self->lock);

  /* The pipes end when the last process holding them is gone. */
  if (write (self->wake_pipe[1], "x", 1) < 0)
    g_warning ("wake pipe: %s", g_strerror (errno));
  for (guint i = 0; i < self->consoles->len; i++)
    g_thread_join (g_ptr_array_index (self->consoles, i));
  g_ptr_array_set_size (self->consoles, 0);
  g_thread_join (g_steal_pointer (&self->reader));

  report_exits (self, &any_failed);
  if (error != NULL)
    {
      *error_text = g_strdup (error->message);
      return CAP_LAB_EXIT_FAILED;
    }
  if (timed_out)
    {
      *error_text = g_strdup_printf (_("Stopped at the time limit (%u s); everything until then is "
                                       "kept. A program that should end did not: is a server "
                                       "waiting for a client that never came?"), timeout_s);
      return CAP_LAB_EXIT_STOPPED;
    }
  if (stopped)
    {
      *error_text = g_strdup ("The run was stopped");
      return CAP_LAB_EXIT_STOPPED;
    }
  return CAP_LAB_EXIT_OK;
}

/* From the control thread (stop, Ctrl+C, the app went away) */
void
sl_lab_trace_stop (SlLabTrace *self)
{
  g_mutex_lock (&self->lock);
  self->stop = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}
