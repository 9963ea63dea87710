/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-lab-trace-programs.c: each traced program: what to run (a .py file, an
 * executable, a command line), the preload library and environment it gets,
 * its start in the lab, and how it ended, in a sentence.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sl-lab-trace-private.h"

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

/* "client.py < lines.txt" (or "<lines.txt"): the file a program reads as
 * its standard input, as a shell would give it; taken out of @words */
static gboolean
take_stdin_file (char  **words,
                 char  **out_stdin,
                 GError **error)
{
  for (guint i = 1; words[i] != NULL; i++)
    {
      const char *file = NULL;
      guint n = 1;

      if (g_str_equal (words[i], "<"))
        {
          file = words[i + 1];
          n = 2;
        }
      else if (words[i][0] == '<')
        file = words[i] + 1;
      else
        continue;
      if (file == NULL || !g_file_test (file, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                       file == NULL ? _("%s: “<” names no file to read as its input")
                                    : _("%s: no such file to read as its input"),
                       file == NULL ? words[0] : file);
          return FALSE;
        }
      g_free (*out_stdin);
      *out_stdin = g_canonicalize_filename (file, NULL);
      for (guint k = i; k < i + n; k++)
        g_free (words[k]);
      memmove (words + i, words + i + n, (g_strv_length (words + i + n) + 1) * sizeof *words);
      i--;
    }
  return TRUE;
}

/*
 * "server.py", "./client", "python3 client.py 127.0.0.1 50007",
 * "hw 3/server.py", "client.py < lines.txt": what to run, checked (exists,
 * executable) so a typo is said before anything starts.
 */
char **
sl_lab_trace_parse_program (const char *spec,
                            char      **out_name,
                            char      **out_root,
                            char      **out_stdin,
                            GError    **error)
{
  g_auto (GStrv) words = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const char *script = NULL;

  /* A file that exists is one program, whatever its path holds (spaces,
   * quotes: "My Homework/server.py"); anything else is a command line. */
  if (g_file_test (spec, G_FILE_TEST_IS_REGULAR))
    words = g_strdupv ((char *[]) { (char *) spec, NULL });
  else if (!g_shell_parse_argv (spec, NULL, &words, error) ||
           !take_stdin_file (words, out_stdin, error))
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
      if (script == NULL)
        {
          /* "python3 -m http.server", "python3 -c '...'": no file of its
           * own; named after what it runs, its lines those of the folder
           * it runs in */
          for (guint i = 1; words[i] != NULL && *out_name == NULL; i++)
            if (g_str_equal (words[i], "-m") && words[i + 1] != NULL)
              *out_name = g_strdup_printf ("python3 -m %s", words[i + 1]);
            else if (g_str_equal (words[i], "-c"))
              *out_name = g_strdup ("python3 -c");
          if (*out_name == NULL)
            *out_name = g_strdup ("python3");
          *out_root = g_get_current_dir ();
        }
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

void
sl_lab_trace_program_free (gpointer data)
{
  Program *p = data;

  g_free (p->name);
  g_free (p->stdin_path);
  g_strfreev (p->argv);
  if (p->out_fd >= 0)
    close (p->out_fd);
  if (p->err_fd >= 0)
    close (p->err_fd);
  g_free (p);
}


char *
sl_lab_trace_find_preload (GError **error)
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

/* --- starting ------------------------------------------------------------ */

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
  g_autofree char *preload_dir = g_path_get_dirname (self->preload);
  g_autofree char *site_dir = g_build_filename (preload_dir, "python", NULL);
  g_autofree char *site = g_build_filename (site_dir, "sitecustomize.py", NULL);
  const char *old_path = g_environ_getenv (env, "PYTHONPATH");

  env = g_environ_setenv (env, "LD_PRELOAD", preload, TRUE);
  env = g_environ_setenv (env, "SOCKLENS_REPORT_FD", report, TRUE);
  env = g_environ_setenv (env, "SOCKLENS_TRACE_ROOTS", self->roots, TRUE);
  /* print as it happens, so it lands beside its calls: a line at a time
   * (python/sitecustomize.py, beside the preload library), or unbuffered
   * if that is missing */
  if (g_file_test (site, G_FILE_TEST_EXISTS))
    {
      g_autofree char *path = old_path && old_path[0]
                                ? g_strdup_printf ("%s:%s", site_dir, old_path)
                                : g_strdup (site_dir);
      env = g_environ_setenv (env, "PYTHONPATH", path, TRUE);
      env = g_environ_unsetenv (env, "PYTHONUNBUFFERED");
    }
  else
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

gboolean
sl_lab_trace_start_program (SlLabTrace *self,
                            guint       index,
                            GError    **error)
{
  Program *p = g_ptr_array_index (self->programs, index);
  g_auto (GStrv) env = program_env (self);
  int source_fds[2] = { self->report_pipe[1], self->gate_fd };
  int target_fds[2] = { REPORT_TARGET_FD, GATE_TARGET_FD };
  g_autofree char *text = NULL;
  int input = -1;

  if (is_static_elf (p->argv[0]))
    {
      text = g_strdup_printf (_("%s is statically linked: its calls cannot be seen (the preload "
                                "library needs the dynamic loader). Its packets are still "
                                "captured."), p->name);
      sl_lab_emit_message (self->lab, CAP_SEVERITY_WARNING, text);
    }
  /* its standard input: the file named after "<", else empty */
  if (p->stdin_path != NULL && (input = open (p->stdin_path, O_RDONLY | O_CLOEXEC)) < 0)
    {
      int err = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (err), "%s: %s: %s", p->name,
                   p->stdin_path, g_strerror (err));
      return FALSE;
    }
  g_mutex_lock (&self->lock);
  if (!g_spawn_async_with_pipes_and_fds (NULL, (const char *const *) p->argv,
                                         (const char *const *) env,
                                         G_SPAWN_DO_NOT_REAP_CHILD |
                                           (input < 0 ? G_SPAWN_STDIN_FROM_DEV_NULL : 0),
                                         child_setup, NULL, input, -1, -1, source_fds, target_fds,
                                         self->gate_fd >= 0 ? 2 : 1, &p->pid, NULL, &p->out_fd,
                                         &p->err_fd, error))
    {
      g_mutex_unlock (&self->lock);
      if (input >= 0)
        close (input);
      g_prefix_error (error, "%s: ", p->name);
      return FALSE;
    }
  if (input >= 0)
    close (input);
  p->actor = sl_lab_trace_new_actor (self, p->name, "program", p->pid);
  g_ptr_array_add (self->consoles, sl_lab_trace_watch_console (self, p));
  g_hash_table_insert (self->pid_program, GINT_TO_POINTER (p->pid), GINT_TO_POINTER (index + 1));
  {
    gint64 key = sl_lab_trace_thread_key (p->pid, p->pid);
    g_hash_table_insert (self->thread_actor, g_memdup2 (&key, sizeof key),
                         GUINT_TO_POINTER (p->actor + 1));
  }
  g_mutex_unlock (&self->lock);
  return TRUE;
}



/* How @p ended, in a sentence */
static char *
describe_exit (const Program *p,
               CapSeverity   *severity)
{
  int sig = WIFSIGNALED (p->status) ? WTERMSIG (p->status) : 0;

  *severity = CAP_SEVERITY_INFO;
  if (p->stopped && p->unreachable)
    {
      *severity = CAP_SEVERITY_WARNING;
      return g_strdup_printf (_("%s waited in accept() and no program was left to connect to "
                                "it, so the run ended there. Programs start in the order "
                                "given: name the server first (socklens trace server.py "
                                "client.py)."), p->name);
    }
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
void
sl_lab_trace_report_exits (SlLabTrace *self,
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
