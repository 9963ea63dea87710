/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-cli.c: the command line at its edges, as a person runs it: numbers
 * that mean something, hosts off this computer, datagrams too big, exports
 * that fail (one of two, a full disk) or go through a symbolic link.
 *
 * What needs root (a network namespace to prove nothing was sent, a tiny
 * tmpfs to fill) runs in CI, which is root; without root it is skipped.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "netcore.h"
#include "sl-test-root.h"

/* A documentation address (RFC 5737): only ever the refused input, and only
 * inside a network namespace with nothing but lo. */
#define OFF_HOST   "198.51.100.7"
#define OFF_HOST6  "2001:db8::7"

static char *
program (const char *name)
{
  const char *root = g_getenv ("SOCKLENS_BUILD_ROOT");

  g_assert_nonnull (root);
  return g_build_filename (root, "app", name, NULL);
}

typedef struct
{
  int   status;  /* exit status, -1 if killed */
  char *out;
  char *err;
} Result;

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

/* Runs @argv to its end in @envp (%NULL: this one), stdin from /dev/null. */
static void
run_in (const char *const *argv,
        char             **envp,
        Result            *r)
{
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_SEARCH_PATH | G_SPAWN_STDIN_FROM_DEV_NULL,
                NULL, NULL, &r->out, &r->err, &status, &error);
  g_assert_no_error (error);
  r->status = WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
run (const char *const *argv,
     Result            *r)
{
  run_in (argv, NULL, r);
}

/* socklens ARGS... */
static void
run_socklens (Result     *r,
              const char *first,
              ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const char *arg;
  va_list args;

  /* a hang ends as a failure (status 124), not a stuck suite */
  g_ptr_array_add (argv, g_strdup ("timeout"));
  g_ptr_array_add (argv, g_strdup ("60"));
  g_ptr_array_add (argv, program ("socklens"));
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);
  run ((const char *const *) argv->pdata, r);
}

static char *
text_of_length (gsize len)
{
  char *text = g_malloc (len + 1);

  memset (text, 'a', len);
  text[len] = '\0';
  return text;
}

/* --- numbers: given means meant ----------------------------------------------- */

static void
test_numbers (void)
{
  static const char *const bad[][2] = {
    { "--count", "0" }, { "--port", "-1" }, { "--port", "0" }, { "--port", "65536" },
    { "--count", "ten" }, { "--count", "1000001" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_auto(Result) r = { 0 };

      run_socklens (&r, "run", "tcp-echo", "--in-process", bad[i][0], bad[i][1], NULL);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, bad[i][0]));
      g_assert_nonnull (strstr (r.err, bad[i][1]));
      g_assert_null (strstr (r.out, "socket("));  /* nothing ran */
    }
}

/* --- a message no datagram can carry (issue 10, item 7) ----------------------- */

static void
test_datagram_limit (void)
{
  g_autofree char *v4_max = text_of_length (NC_UDP_MAX_PAYLOAD_IPV4);
  g_autofree char *v4_over = text_of_length (NC_UDP_MAX_PAYLOAD_IPV4 + 1);
  g_autofree char *v6_over = text_of_length (NC_UDP_MAX_PAYLOAD_IPV6 + 1);
  g_auto(Result) over = { 0 };
  g_auto(Result) over6 = { 0 };
  g_auto(Result) max = { 0 };

  run_socklens (&over, "run", "udp-echo", "--in-process", "--message", v4_over, NULL);
  g_assert_cmpint (over.status, ==, 2);
  g_assert_nonnull (strstr (over.err, "65507"));
  g_assert_null (strstr (over.out, "socket("));

  run_socklens (&over6, "run", "udp-ipv6", "--in-process", "--message", v6_over, NULL);
  g_assert_cmpint (over6.status, ==, 2);
  g_assert_nonnull (strstr (over6.err, "65527"));

  /* the largest datagram there is still goes (and comes back, cut to the
   * server's buffer: that is the lesson's own program) */
  run_socklens (&max, "run", "udp-echo", "--in-process", "--message", v4_max, NULL);
  g_assert_cmpint (max.status, ==, 0);
  g_assert_nonnull (strstr (max.out, "sendto(fd="));
  g_assert_nonnull (strstr (max.out, "= 65507"));
}

/* --- hosts off this computer (issue 10, item 3) -------------------------------- */

/*
 * Every way of running raw-icmp with a host off this computer, inside a
 * network namespace made for the test (only lo: nothing could leave even if
 * the check failed), under strace: refused, said why, and not one socket.
 */
static void
test_host_refused (void)
{
  static const char *const ways[][3] = {
    { "run", "--in-process", NULL },
    { "run", "--mode=root", NULL },
    { "run", "--mode=capabilities", NULL },
    { "run", NULL, NULL },          /* auto */
    { "lab", "--mode=root", NULL }, /* the lab by itself */
  };
  static const char *const hosts[] = { OFF_HOST, OFF_HOST6 };
  g_autofree char *socklens = program ("socklens");
  g_autofree char *lab = program ("socklens-lab");
  g_autofree char *dir = g_dir_make_tmp ("socklens-cli-XXXXXX", NULL);
  g_autofree char *log = g_build_filename (dir, "strace.log", NULL);
  /* LeakSanitizer cannot work under ptrace (the sanitizer build) */
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "ASAN_OPTIONS", "detect_leaks=0", TRUE);

  if (geteuid () != 0)
    {
      g_test_skip ("needs root for a network namespace of its own (CI is root)");
      return;
    }
  for (guint h = 0; h < G_N_ELEMENTS (hosts); h++)
    for (guint w = 0; w < G_N_ELEMENTS (ways); w++)
      {
        g_autofree char *host_arg = g_strdup_printf ("--host=%s", hosts[h]);
        g_autofree char *trace = NULL;
        g_autoptr(GPtrArray) argv = g_ptr_array_new ();
        g_auto(Result) r = { 0 };
        gboolean is_lab = g_str_equal (ways[w][0], "lab");

        g_ptr_array_add (argv, (char *) "unshare");
        g_ptr_array_add (argv, (char *) "--net");
        g_ptr_array_add (argv, (char *) "strace");
        g_ptr_array_add (argv, (char *) "-f");
        g_ptr_array_add (argv, (char *) "-qq");
        g_ptr_array_add (argv, (char *) "-e");
        g_ptr_array_add (argv, (char *) "trace=socket");
        g_ptr_array_add (argv, (char *) "-o");
        g_ptr_array_add (argv, log);
        g_ptr_array_add (argv, is_lab ? lab : socklens);
        if (!is_lab)
          g_ptr_array_add (argv, (char *) "run");
        g_ptr_array_add (argv, (char *) "raw-icmp");
        g_ptr_array_add (argv, host_arg);
        if (ways[w][1] != NULL)
          g_ptr_array_add (argv, (char *) ways[w][1]);
        g_ptr_array_add (argv, NULL);
        run_in ((const char *const *) argv->pdata, envp, &r);

        g_test_message ("%s %s: %d %s", ways[w][0], ways[w][1] ? ways[w][1] : "auto", r.status,
                        r.err);
        g_assert_cmpint (r.status, ==, 2);
        g_assert_nonnull (strstr (r.err, hosts[h]));
        g_assert_nonnull (strstr (r.err, "loopback"));
        g_assert_true (g_file_get_contents (log, &trace, NULL, NULL));
        g_assert_null (strstr (trace, "socket("));
      }
  g_unlink (log);
  g_rmdir (dir);
}

/* Run here, a two-host lesson uses loopback, not the lab's 192.0.2.x. */
static void
test_two_hosts_in_process (void)
{
  g_auto(Result) r = { 0 };

  run_socklens (&r, "run", "tcp-lossy", "--in-process", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "127.0.0.1"));
  g_assert_null (strstr (r.out, "192.0.2."));
  g_assert_nonnull (strstr (r.out, "connect(fd="));
}

/* --mode root as a user: refused, and said once (it used to be three times) */
static void
test_root_refusal_once (void)
{
  g_autofree char *socklens = program ("socklens");
  const char *argv[] = { "runuser", "-u", "socklens-test", "--", socklens, "run", "tcp-echo",
                         "--mode", "root", NULL };
  const char *user[] = { "id", "-u", "socklens-test", NULL };
  g_autofree char *all = NULL;
  g_auto(Result) r = { 0 };
  g_auto(Result) id = { 0 };
  const char *first;

  if (geteuid () != 0)
    {
      g_test_skip ("needs root to run as another user (CI is root)");
      return;
    }
  run (user, &id);
  if (id.status != 0)
    {
      const char *add[] = { "useradd", "--system", "--no-create-home", "socklens-test", NULL };
      g_auto(Result) added = { 0 };
      run (add, &added);
      g_assert_cmpint (added.status, ==, 0);
    }
  run (argv, &r);
  g_assert_cmpint (r.status, ==, 1);
  all = g_strconcat (r.out, r.err, NULL);
  first = strstr (all, "not running as root");
  g_assert_nonnull (first);
  g_assert_null (strstr (first + 1, "not running as root"));
}

/* --- exports ---------------------------------------------------------------- */

static char *
read_head (const char *path,
           gsize       n)
{
  g_autofree char *all = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &all, &len, NULL))
    return NULL;
  return g_strndup (all, MIN (n, len));
}

/* --output fails: --diagram is still drawn, and both are reported. */
static void
test_output_fails_diagram_drawn (void)
{
  g_autofree char *dir = g_dir_make_tmp ("socklens-cli-XXXXXX", NULL);
  g_autofree char *bad = g_build_filename (dir, "no-such-dir", "run.pcapng", NULL);
  g_autofree char *svg = g_build_filename (dir, "run.svg", NULL);
  g_autofree char *head = NULL;
  g_auto(Result) r = { 0 };

  run_socklens (&r, "run", "tcp-echo", "--in-process", "--output", bad, "--diagram", svg, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "run.pcapng"));
  g_assert_nonnull (strstr (r.err, "drew the timeline to"));
  head = read_head (svg, 5);
  g_assert_cmpstr (head, ==, "<?xml");
  g_unlink (svg);
  g_rmdir (dir);
}

/* An output that is a symbolic link: its target gets the file, the link stays. */
static void
test_symlink_written_through (void)
{
  g_autofree char *dir = g_dir_make_tmp ("socklens-cli-XXXXXX", NULL);
  g_autofree char *real_dir = g_build_filename (dir, "real", NULL);
  g_autofree char *target = g_build_filename (real_dir, "kept.pcapng", NULL);
  g_autofree char *svg_target = g_build_filename (real_dir, "kept.svg", NULL);
  g_autofree char *link = g_build_filename (dir, "run.pcapng", NULL);
  g_autofree char *svg_link = g_build_filename (dir, "run.svg", NULL);
  g_autofree char *head = NULL;
  const char *capinfos[] = { "capinfos", "-c", target, NULL };
  g_auto(Result) r = { 0 };
  g_auto(Result) info = { 0 };
  struct stat st;

  g_assert_cmpint (g_mkdir (real_dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (target, "the old file", -1, NULL));
  g_assert_cmpint (symlink ("real/kept.pcapng", link), ==, 0);   /* relative */
  g_assert_cmpint (symlink (svg_target, svg_link), ==, 0);       /* absolute, dangling */

  run_socklens (&r, "run", "tcp-echo", "--in-process", "--output", link, "--diagram", svg_link,
                NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpint (lstat (link, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  g_assert_cmpint (lstat (svg_link, &st), ==, 0);
  g_assert_true (S_ISLNK (st.st_mode));
  run (capinfos, &info);  /* an independent reader of the target */
  g_assert_cmpint (info.status, ==, 0);
  head = read_head (svg_target, 5);
  g_assert_cmpstr (head, ==, "<?xml");

  g_unlink (link);
  g_unlink (svg_link);
  g_unlink (target);
  g_unlink (svg_target);
  g_rmdir (real_dir);
  g_rmdir (dir);
}

static gboolean only_entries (const char *dir, const char *a, const char *b);

/* --- an ending we do not write ---------------------------------------------- */

/* Refused before anything runs or is read (status 2: the command line is
 * wrong), naming the file and what is written; nothing is created. It used
 * to run the scenario first and fail after it (status 1). */
static void
test_unknown_ending_refused_first (void)
{
  g_autofree char *dir = g_dir_make_tmp ("socklens-cli-XXXXXX", NULL);
  g_autofree char *jpg = g_build_filename (dir, "ladder.jpg", NULL);
  g_autofree char *txt = g_build_filename (dir, "events.txt", NULL);
  g_autofree char *pcap = g_build_filename (dir, "run.pcap", NULL);
  g_autofree char *good = g_build_filename (dir, "run.pcapng", NULL);
  g_autofree char *example = g_build_filename (g_getenv ("SOCKLENS_BUILD_ROOT"), "..", "data",
                                               "examples", "tcp_client.py", NULL);
  const struct
  {
    const char *argv[8];
    const char *words[3];
  } cases[] = {
    { { "run", "tcp-echo", "--in-process", "--diagram", jpg }, { "ladder.jpg", ".svg, .pdf or .png" } },
    { { "run", "tcp-echo", "--in-process", "--events", txt }, { "events.txt", ".csv or .json" } },
    { { "run", "tcp-echo", "--in-process", "--output", pcap }, { "run.pcap", ".pcapng", "editcap" } },
    { { "show", good, "--diagram", jpg }, { "ladder.jpg", ".svg, .pdf or .png" } },
    { { "trace", example, "--events", txt }, { "events.txt", ".csv or .json" } },
    { { "trace", example, "--output", pcap }, { "run.pcap", ".pcapng" } },
  };

  /* a file to show: written by a run with endings it knows */
  {
    g_auto(Result) r = { 0 };
    run_socklens (&r, "run", "tcp-echo", "--in-process", "--output", good, NULL);
    g_assert_cmpint (r.status, ==, 0);
  }
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Result) r = { 0 };
      const char *const *a = cases[i].argv;

      run_socklens (&r, a[0], a[1], a[2], a[3], a[4], a[5], NULL);
      g_test_message ("%s %s: %d %s", a[0], a[3], r.status, r.err);
      g_assert_cmpint (r.status, ==, 2);
      for (guint w = 0; w < G_N_ELEMENTS (cases[i].words) && cases[i].words[w] != NULL; w++)
        g_assert_nonnull (strstr (r.err, cases[i].words[w]));
      g_assert_cmpstr (r.out, ==, "");  /* nothing ran, nothing was shown */
      g_assert_true (only_entries (dir, "run.pcapng", "run.pcapng"));
    }
  g_unlink (good);
  g_rmdir (dir);
}

/* --- a full disk (issue 10, item 5) ------------------------------------------ */

#define PREVIOUS "the previous, good diagram\n"

/* Fills the file system of @dir, then frees @room bytes of it. */
static char *
fill_leaving (const char *dir,
              gsize       room)
{
  char *filler = g_build_filename (dir, "filler", NULL);
  char block[4096] = { 0 };
  int fd = open (filler, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  off_t size = 0;

  g_assert_cmpint (fd, >=, 0);
  for (;;)
    {
      gssize n = write (fd, block, sizeof block);
      if (n <= 0)
        break;
      size += n;
    }
  g_assert_cmpint (errno, ==, ENOSPC);
  g_assert_cmpint (ftruncate (fd, size > (off_t) room ? size - (off_t) room : 0), ==, 0);
  close (fd);
  return filler;
}

static gboolean
only_entries (const char *dir,
              const char *a,
              const char *b)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (d)) != NULL)
    if (!g_str_equal (name, a) && !g_str_equal (name, b))
      {
        g_test_message ("left behind: %s", name);
        return FALSE;
      }
  return TRUE;
}

/* In a private mount namespace (a fresh subprocess: still one thread), on a
 * 64 KiB tmpfs: each format, with a little room (the PDF used to be cut at
 * 16 KiB and called drawn) and with none. */
static void
full_disk_in_subprocess (void)
{
  static const char *const formats[] = { "pdf", "svg", "png" };
  static const gsize rooms[] = { 16 * 1024, 0 };
  g_autofree char *dir = g_dir_make_tmp ("socklens-full-XXXXXX", NULL);

  g_assert_cmpint (unshare (CLONE_NEWNS), ==, 0);
  g_assert_cmpint (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), ==, 0);
  g_assert_cmpint (mount ("socklens-test", dir, "tmpfs", 0, "size=64k"), ==, 0);

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    for (guint k = 0; k < G_N_ELEMENTS (rooms); k++)
      {
        g_autofree char *name = g_strdup_printf ("y.%s", formats[f]);
        g_autofree char *path = g_build_filename (dir, name, NULL);
        g_autofree char *filler = NULL;
        g_autofree char *now = NULL;
        g_auto(Result) r = { 0 };

        g_assert_true (g_file_set_contents (path, PREVIOUS, -1, NULL));
        filler = fill_leaving (dir, rooms[k]);
        run_socklens (&r, "run", "tcp-echo", "--in-process", "--diagram", path, NULL);

        g_test_message ("%s, %" G_GSIZE_FORMAT " bytes free: %d %s", name, rooms[k], r.status,
                        r.err);
        g_assert_cmpint (r.status, ==, 1);
        g_assert_nonnull (strstr (r.err, name));
        g_assert_nonnull (strstr (r.err, "No space left on device"));
        g_assert_null (strstr (r.err, "drew the timeline"));
        g_assert_true (g_file_get_contents (path, &now, NULL, NULL));
        g_assert_cmpstr (now, ==, PREVIOUS);
        g_assert_true (only_entries (dir, name, "filler"));
        g_unlink (filler);
        g_unlink (path);
      }
  g_assert_cmpint (umount (dir), ==, 0);
  g_rmdir (dir);
}

/* @in_subprocess in a child of this test, as root: it mounts a small tmpfs,
 * which a failed assertion must not leave mounted in the test's own process */
static void
on_small_tmpfs (GTestFunc in_subprocess)
{
  sl_test_as_root_in_subprocess (in_subprocess);
}

static void
test_full_disk (void)
{
  on_small_tmpfs (full_disk_in_subprocess);
}

/* The hidden stream file socklens run leaves in @dir, or %NULL */
static char *
stream_file_in (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (d)) != NULL)
    if (name[0] == '.')
      return g_build_filename (dir, name, NULL);
  return NULL;
}

/* A run saved to a disk that fills up while it goes (a 1 MiB tmpfs, a run
 * of several MiB): the save fails, saying so and where; the copy streamed
 * during the run is left, holding whole pcapng blocks up to where the disk
 * filled, so tshark reads it without "cut short" and it holds packets. It
 * used to end in the middle of a block. */
static void
run_on_full_disk_in_subprocess (void)
{
  g_autofree char *dir = g_dir_make_tmp ("socklens-full-run-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "run.pcapng", NULL);
  g_autofree char *stream = NULL;
  g_auto(Result) r = { 0 };
  g_auto(Result) read = { 0 };
  g_auto(Result) count = { 0 };

  g_assert_cmpint (unshare (CLONE_NEWNS), ==, 0);
  g_assert_cmpint (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), ==, 0);
  g_assert_cmpint (mount ("socklens-test", dir, "tmpfs", 0, "size=1m"), ==, 0);

  run_socklens (&r, "run", "udp-echo", "--count", "20000", "--output", path, NULL);
  g_test_message ("exit %d: %s", r.status, r.err);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "No space left on device"));
  g_assert_nonnull (strstr (r.err, "run.pcapng"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  stream = stream_file_in (dir);
  g_assert_nonnull (stream);
  g_assert_nonnull (strstr (r.err, stream));  /* the message says where it is */
  {
    const char *tshark[] = { "tshark", "-r", stream, "-c", "1", NULL };
    const char *capinfos[] = { "capinfos", "-M", "-c", stream, NULL };

    run (tshark, &read);
    g_test_message ("tshark: %d %s", read.status, read.err);
    g_assert_cmpint (read.status, ==, 0);
    g_assert_null (strstr (read.err, "cut short"));
    run (capinfos, &count);
    g_assert_cmpint (count.status, ==, 0);
    g_assert_null (strstr (count.err, "cut short"));
    g_assert_null (strstr (count.out, "Number of packets:   0\n"));
  }
  g_unlink (stream);
  g_assert_cmpint (umount (dir), ==, 0);
  g_rmdir (dir);
}

static void
test_run_on_full_disk (void)
{
  on_small_tmpfs (run_on_full_disk_in_subprocess);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/numbers", test_numbers);
  g_test_add_func ("/cli/datagram-limit", test_datagram_limit);
  g_test_add_func ("/cli/host-refused", test_host_refused);
  g_test_add_func ("/cli/two-hosts-in-process", test_two_hosts_in_process);
  g_test_add_func ("/cli/root-refusal-once", test_root_refusal_once);
  g_test_add_func ("/cli/export/output-fails-diagram-drawn", test_output_fails_diagram_drawn);
  g_test_add_func ("/cli/export/symlink", test_symlink_written_through);
  g_test_add_func ("/cli/export/unknown-ending", test_unknown_ending_refused_first);
  g_test_add_func ("/cli/export/full-disk", test_full_disk);
  g_test_add_func ("/cli/run/full-disk", test_run_on_full_disk);

  return g_test_run ();
}
