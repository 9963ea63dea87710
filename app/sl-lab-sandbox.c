/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-lab-sandbox.c: the lab's own user and network namespaces.
 *
 * unshare(CLONE_NEWUSER) makes the lab root inside a namespace it owns, with
 * no privileges outside it; CLONE_NEWNET gives it a network of its own, with
 * a lo nobody else uses, so it may capture there and nothing leaks out. The
 * kernel refuses CLONE_NEWUSER to a process with more than one thread, so this
 * runs first thing in main(), before anything starts a thread.
 *
 * Scenarios with two hosts get a second network namespace joined to the
 * first by a veth pair (192.0.2.1 and 192.0.2.2, the documentation range),
 * names for them in a private /etc/hosts, and, if the scenario loses a
 * packet, an nftables rule that drops it. Nothing outlives the process: the
 * namespaces go when their last user does, the hosts file is unlinked as
 * soon as it is mounted, and ip/nft run to completion before the run starts.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "sl-lab-private.h"

#define HOST_ADDR_FMT "192.0.2.%u"
#define HOST_MAC_FMT  "02:00:00:00:00:%02x"

static const char *const veth_names[SL_LAB_MAX_HOSTS] = { "va", "vb" };

const char *
sl_lab_mode_name (SlLabMode mode)
{
  switch (mode)
    {
    case SL_LAB_MODE_AUTO: return "auto";
    case SL_LAB_MODE_NAMESPACE: return "namespace";
    case SL_LAB_MODE_CAPABILITIES: return "capabilities";
    case SL_LAB_MODE_ROOT: return "root";
    case SL_LAB_MODE_CALLS_ONLY: return "calls-only";
    default: return "?";
    }
}

gboolean
sl_lab_mode_from_name (const char *name,
                       SlLabMode  *out)
{
  for (SlLabMode m = SL_LAB_MODE_AUTO; m <= SL_LAB_MODE_CALLS_ONLY; m++)
    if (g_str_equal (name, sl_lab_mode_name (m)))
      {
        *out = m;
        return TRUE;
      }
  return FALSE;
}

static gboolean
write_file (const char  *path,
            const char  *text,
            GError     **error)
{
  int fd = open (path, O_WRONLY | O_CLOEXEC);
  gssize len = (gssize) strlen (text);
  int saved;

  if (fd >= 0 && write (fd, text, len) == len)
    {
      close (fd);
      return TRUE;
    }
  saved = errno;
  if (fd >= 0)
    close (fd);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("writing “%s” to %s: %s"),
               g_strchomp (g_strdup (text)), path, g_strerror (saved));
  return FALSE;
}

int
sl_lab_count_threads (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "\nThreads:");
  return line != NULL ? atoi (line + strlen ("\nThreads:")) : -1;
}

/* A new network namespace has lo down: without it even 127.0.0.1 fails. */
static gboolean
bring_up (const char  *ifname,
          GError     **error)
{
  struct ifreq ifr = { 0 };
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int saved = 0;

  g_strlcpy (ifr.ifr_name, ifname, sizeof ifr.ifr_name);
  if (fd < 0 || ioctl (fd, SIOCGIFFLAGS, &ifr) != 0)
    saved = errno;
  else
    {
      ifr.ifr_flags |= IFF_UP;
      if (ioctl (fd, SIOCSIFFLAGS, &ifr) != 0)
        saved = errno;
    }
  if (fd >= 0)
    close (fd);
  if (saved != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not bring %s up: %s"), ifname, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* ip and nft live in /usr/sbin, which a user's PATH may not have. */
static char *
find_tool (const char *name)
{
  static const char *const dirs[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin" };
  char *path = g_find_program_in_path (name);

  for (guint i = 0; path == NULL && i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *candidate = g_build_filename (dirs[i], name, NULL);
      if (g_file_test (candidate, G_FILE_TEST_IS_EXECUTABLE))
        path = g_steal_pointer (&candidate);
    }
  return path;
}

/* Runs a tool to completion in the calling thread's namespaces. */
static gboolean
run_tool (GError **error,
          const char *tool,
          ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *err_text = NULL;
  g_autofree char *path = find_tool (tool);
  const char *arg;
  int status = 0;
  va_list args;

  if (path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("“%s” is not installed (Debian: apt install %s)"), tool,
                   g_str_equal (tool, "nft") ? "nftables" : "iproute2");
      return FALSE;
    }
  g_ptr_array_add (argv, g_strdup (path));
  va_start (args, tool);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                     NULL, &err_text, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *line = g_strjoinv (" ", (char **) argv->pdata + 1);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: %s", tool, line,
                   err_text != NULL ? g_strstrip (err_text) : "failed");
      return FALSE;
    }
  return TRUE;
}

static gboolean
set_ns (int       fd,
        GError  **error)
{
  if (setns (fd, CLONE_NEWNET) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not enter a lab host's network namespace: %s"), g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* A run has no business with IPv6 neighbour discovery or router solicitations:
 * on a veth they would be packets on the timeline that no call made. */
static void
quiet_ipv6 (void)
{
  write_file ("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1\n", NULL);
  write_file ("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1\n", NULL);
}

static gboolean
open_current_ns (int     *out,
                 GError **error)
{
  *out = open ("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (*out < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not open the lab's network namespace: %s"), g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* In host @h's namespace: its end of the veth up, addressed, and its peer's
 * MAC known in advance, so no ARP exchange shows up before the lesson's first
 * packet (and the link's packets are numbered as the lesson counts them). */
static gboolean
configure_host_link (guint    h,
                     GError **error)
{
  g_autofree char *addr = g_strdup_printf (HOST_ADDR_FMT "/24", h + 1);
  g_autofree char *peer = g_strdup_printf (HOST_ADDR_FMT, (1 - h) + 1);
  g_autofree char *peer_mac = g_strdup_printf (HOST_MAC_FMT, (1 - h) + 1);

  return run_tool (error, "ip", "addr", "add", addr, "dev", veth_names[h], NULL) &&
         run_tool (error, "ip", "link", "set", veth_names[h], "up", NULL) &&
         run_tool (error, "ip", "neigh", "replace", peer, "lladdr", peer_mac, "dev",
                   veth_names[h], "nud", "permanent", NULL);
}

/*
 * Loses the scenario's chosen packet, the same one every time. Each host
 * drops, on input, the packet that is number N of its connection; conntrack
 * counts a connection's packets in both directions on both hosts, so both
 * agree on the numbering, and the one that receives packet N drops it (the
 * sender's tap has already seen it: the capture shows the lost packet). Its
 * retransmission is N+1 and passes. netem would do this too, but this
 * kernel does not have it.
 */
static gboolean
install_drop_rule (int       packet,
                   GError  **error)
{
  g_autofree char *rules = g_strdup_printf (
    "add table inet socklens_lab; "
    "add chain inet socklens_lab input { type filter hook input priority 0; policy accept; }; "
    "add rule inet socklens_lab input ct packets %d counter drop", packet);

  if (!run_tool (error, "nft", rules, NULL))
    return FALSE;
  /* Per-connection packet counts; the sysctl exists once conntrack is in use. */
  return write_file ("/proc/sys/net/netfilter/nf_conntrack_acct", "1\n", error);
}

/* /etc/hosts of the lab's own mount namespace names the lab's machine and
 * its hosts for getaddrinfo(), so scenarios look names up with no DNS. The
 * file is unlinked once mounted: nothing is left behind. */
static gboolean
mount_hosts_file (SlLab   *lab,
                  GError **error)
{
  g_autoptr(GString) text = g_string_new ("127.0.0.1\tlocalhost " NC_LAB_HOSTNAME "\n"
                                          "::1\tlocalhost ip6-localhost\n");
  g_autofree char *tmp = NULL;
  gboolean ok;
  int fd, saved;

  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
    {
      saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not make the lab's mounts private: %s"), g_strerror (saved));
      return FALSE;
    }
  for (guint h = 0; h < lab->n_hosts; h++)
    g_string_append_printf (text, HOST_ADDR_FMT "\t%s\n", h + 1, lab->host_names[h]);

  fd = g_file_open_tmp ("socklens-lab-hosts-XXXXXX", &tmp, error);
  if (fd < 0)
    return FALSE;
  ok = write (fd, text->str, text->len) == (gssize) text->len;
  saved = errno;
  close (fd);
  if (ok && mount (tmp, "/etc/hosts", NULL, MS_BIND, NULL) != 0)
    {
      ok = FALSE;
      saved = errno;
    }
  g_unlink (tmp);
  if (!ok)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not give the lab its own /etc/hosts: %s"), g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

static char *
host_name_for (const NcScenario *scenario,
               guint             host)
{
  for (guint i = 0; i < scenario->n_actors; i++)
    if (scenario->actors[i].host == host)
      return g_strdup (scenario->actors[i].role);
  return g_strdup_printf ("host%u", host + 1);
}

static gboolean
setup_hosts (SlLab   *lab,
             GError **error)
{
  g_autofree char *peer_ns = NULL;
  g_autofree char *mac_a = g_strdup_printf (HOST_MAC_FMT, 1);
  g_autofree char *mac_b = g_strdup_printf (HOST_MAC_FMT, 2);

  for (guint h = 0; h < lab->n_hosts; h++)
    lab->host_names[h] = host_name_for (lab->scenario, h);

  quiet_ipv6 ();
  if (!open_current_ns (&lab->host_ns[0], error))
    return FALSE;

  /* Host 1: a second network namespace, owned by the same user namespace. */
  if (unshare (CLONE_NEWNET) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not create the second lab host: %s"), g_strerror (saved));
      return FALSE;
    }
  quiet_ipv6 ();
  if (!bring_up ("lo", error) || !open_current_ns (&lab->host_ns[1], error) ||
      !set_ns (lab->host_ns[0], error))
    return FALSE;

  /* ip opens the path itself: our fd, seen through /proc. */
  peer_ns = g_strdup_printf ("/proc/%d/fd/%d", getpid (), lab->host_ns[1]);
  if (!run_tool (error, "ip", "link", "add", "name", veth_names[0], "address", mac_a,
                 "type", "veth", "peer", "name", veth_names[1], "address", mac_b,
                 "netns", peer_ns, NULL))
    return FALSE;

  for (guint h = 0; h < lab->n_hosts; h++)
    {
      if (!set_ns (lab->host_ns[h], error) || !configure_host_link (h, error))
        return FALSE;
      if (lab->scenario->drop_packet > 0 && !install_drop_rule (lab->scenario->drop_packet, error))
        return FALSE;
    }
  if (!set_ns (lab->host_ns[0], error))
    return FALSE;

  lab->capture_iface = g_strdup (veth_names[0]);
  return mount_hosts_file (lab, error);
}

/* unshare, the id maps, lo up: the part that depends on what the system allows. */
static gboolean
become_root_in_namespace (int       flags,
                          GError  **error)
{
  g_autofree char *uid_map = g_strdup_printf ("0 %u 1\n", (guint) getuid ());
  g_autofree char *gid_map = g_strdup_printf ("0 %u 1\n", (guint) getgid ());

  if (unshare (flags) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "unshare(CLONE_NEWUSER|CLONE_NEWNET): %s", g_strerror (saved));
      return FALSE;
    }

  /* setgroups must be denied before an unprivileged gid_map is accepted. */
  return write_file ("/proc/self/setgroups", "deny\n", error) &&
         write_file ("/proc/self/uid_map", uid_map, error) &&
         write_file ("/proc/self/gid_map", gid_map, error) &&
         bring_up ("lo", error);
}

/*
 * Tries it in a child first. Some systems let unshare() succeed and refuse
 * what follows (AppArmor's restriction of user namespaces, say); a process
 * half way into a namespace could neither capture nor fall back to the
 * host's lo, while the child's failure costs nothing.
 */
static gboolean
probe_namespace (int       flags,
                 GError  **error)
{
  char message[512] = "";
  int fds[2];
  int status = 0;
  gssize n;
  pid_t pid;

  if (pipe2 (fds, O_CLOEXEC) != 0)
    return TRUE;  /* cannot probe: let the real attempt speak */

  pid = fork ();
  if (pid == 0)
    {
      GError *local = NULL;

      /* The app's pipes are the lab's, not the probe's: a lab killed while
       * its probe lives must still look dead to the app at once. */
      close (STDIN_FILENO);
      close (STDOUT_FILENO);
      close (fds[0]);
      if (become_root_in_namespace (flags, &local))
        _exit (0);
      n = write (fds[1], local->message, strlen (local->message));
      _exit (n >= 0 ? 1 : 2);
    }
  close (fds[1]);
  if (pid < 0)
    {
      close (fds[0]);
      return TRUE;
    }
  n = read (fds[0], message, sizeof message - 1);
  close (fds[0]);
  message[MAX (n, 0)] = '\0';
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                       message[0] ? message : _("the namespace probe failed"));
  return FALSE;
}

/**
 * sl_lab_enter_namespace:
 *
 * Makes the process root of its own user namespace with its own network,
 * mounts (its /etc/hosts) and host name. Must run before any thread exists.
 */
gboolean
sl_lab_enter_namespace (SlLab   *lab,
                        GError **error)
{
  int flags = CLONE_NEWUSER | CLONE_NEWNET;
  int threads = sl_lab_count_threads ();

  if (threads != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("the lab has %d threads already; a user namespace needs exactly one"),
                   threads);
      return FALSE;
    }
  /* Its own mounts (for /etc/hosts) and its own host name, always: the
   * names lesson looks the lab's machine up. */
  flags |= CLONE_NEWNS | CLONE_NEWUTS;

  /* A binary with file capabilities is not dumpable, and then /proc/self is
   * not ours to write the id maps into. */
  prctl (PR_SET_DUMPABLE, 1, 0, 0, 0);

  if (!probe_namespace (flags, error) || !become_root_in_namespace (flags, error))
    return FALSE;

  if (sethostname (NC_LAB_HOSTNAME, strlen (NC_LAB_HOSTNAME)) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not name the lab's machine: %s"), g_strerror (saved));
      return FALSE;
    }
  if (lab->n_hosts >= 2)
    return setup_hosts (lab, error);

  lab->capture_iface = g_strdup ("lo");
  return mount_hosts_file (lab, error);
}

/**
 * sl_lab_join_host:
 *
 * Moves the calling thread (an actor) into host @host's network namespace.
 * setns() is per thread, so each actor does this itself, before its first
 * socket call (host 0 is where every thread starts). A no-op with one host.
 */
gboolean
sl_lab_join_host (SlLab   *lab,
                  guint    host,
                  GError **error)
{
  if (host >= lab->n_hosts || host >= SL_LAB_MAX_HOSTS || lab->host_ns[host] < 0)
    return TRUE;
  return set_ns (lab->host_ns[host], error);
}

void
sl_lab_sandbox_clear (SlLab *lab)
{
  for (guint h = 0; h < SL_LAB_MAX_HOSTS; h++)
    {
      if (lab->host_ns[h] >= 0)
        close (lab->host_ns[h]);
      lab->host_ns[h] = -1;
      g_clear_pointer (&lab->host_names[h], g_free);
    }
  g_clear_pointer (&lab->capture_iface, g_free);
}
