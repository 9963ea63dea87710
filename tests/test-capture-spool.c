/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-capture-spool.c: a gzip-compressed capture's packet bytes go to an
 * unlinked spool file in the cache folder while it loads, not into memory,
 * and read back the same as the uncompressed file's; a disk that fills
 * while spooling costs nothing (the rest stays in memory).
 */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "cap-recording.h"
#include "sl-test-root.h"

#define N_PACKETS 3000  /* 1.3 MB decompressed: more than one spool flush */

static char *dir;
static char *plain;
static char *gz;

/* The capture, plain and gzip-compressed: UDP datagrams of 400 bytes,
 * each different */
static void
make_captures (void)
{
  g_autofree char *fixtures = g_test_build_filename (G_TEST_DIST, "fixtures", "foreign", NULL);
  g_autofree char *count = g_strdup_printf ("%d", N_PACKETS);
  const char *script =
    "import gzip, sys\n"
    "sys.path.insert(0, sys.argv[1])\n"
    "from pcapbuild import pcap, eth, udp4\n"
    "frames = [eth(udp4('192.0.2.1', '192.0.2.2', 5000, 6000, bytes((i + j) % 251 for j in range(400))))\n"
    "          for i in range(int(sys.argv[4]))]\n"
    "data = pcap(frames)\n"
    "open(sys.argv[2], 'wb').write(data)\n"
    "open(sys.argv[3], 'wb').write(gzip.compress(data))\n";
  const char *argv[] = { "python3", "-c", script, fixtures, plain, gz, count, NULL };
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* Whether this process holds a deleted file open under @folder */
static gboolean
holds_deleted_file_in (const char *folder)
{
  g_autoptr (GDir) fds = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (fds)) != NULL)
    {
      g_autofree char *link = g_strdup_printf ("/proc/self/fd/%s", name);
      g_autofree char *target = g_file_read_link (link, NULL);

      if (target != NULL && g_str_has_prefix (target, folder) &&
          g_str_has_suffix (target, "(deleted)"))
        return TRUE;
    }
  return FALSE;
}

/* Every packet of @rec has the bytes of the same packet of the plain file */
static void
assert_same_packets (CapRecording *rec)
{
  g_autoptr (CapRecording) ref = cap_recording_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (cap_recording_load_file (ref, plain, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cap_recording_get_n_packets (rec), ==, N_PACKETS);
  g_assert_cmpuint (cap_recording_get_n_packets (ref), ==, N_PACKETS);
  for (guint i = 0; i < N_PACKETS; i++)
    {
      guint32 len = 0, ref_len = 0;
      g_autofree guint8 *bytes = NULL;
      const guint8 *data = cap_recording_get_packet_data (rec, i, &len);

      g_assert_nonnull (data);
      bytes = g_memdup2 (data, len);
      data = cap_recording_get_packet_data (ref, i, &ref_len);
      g_assert_cmpmem (bytes, len, data, ref_len);
    }
  g_assert_true (cap_recording_check_packet_data (rec, &error));
}

static void
test_gzip_spooled (void)
{
  g_autofree char *cache = g_build_filename (g_get_user_cache_dir (), "socklens", NULL);
  g_autoptr (CapRecording) rec = cap_recording_new ();
  g_autoptr (GError) error = NULL;

  g_assert_false (holds_deleted_file_in (cache));
  g_assert_true (cap_recording_load_file (rec, gz, &error));
  g_assert_no_error (error);
  /* the bytes are in the spool file: it was not the arena */
  g_assert_true (holds_deleted_file_in (cache));
  assert_same_packets (rec);
  g_clear_object (&rec);
  g_assert_false (holds_deleted_file_in (cache));
}

/* The cache and temporary folders on a 1100 KiB tmpfs: the spool's first
 * MiB is written, the rest does not fit; what was written is read back
 * into memory and the rest joins it */
static void
full_disk_in_subprocess (void)
{
  g_autofree char *small = g_build_filename (dir, "small", NULL);
  g_autoptr (CapRecording) rec = cap_recording_new ();
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir (small, 0700), ==, 0);
  g_assert_cmpint (unshare (CLONE_NEWNS), ==, 0);
  g_assert_cmpint (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), ==, 0);
  g_assert_cmpint (mount ("socklens-test", small, "tmpfs", 0, "size=1100k"), ==, 0);
  g_setenv ("XDG_CACHE_HOME", small, TRUE);
  g_setenv ("TMPDIR", small, TRUE);

  g_assert_true (cap_recording_load_file (rec, gz, &error));
  g_assert_no_error (error);
  assert_same_packets (rec);
  g_assert_false (holds_deleted_file_in (small));  /* given up: in memory */
  g_assert_cmpint (umount (small), ==, 0);
}

static void
test_full_disk (void)
{
  sl_test_as_root_in_subprocess (full_disk_in_subprocess);
}

int
main (int argc, char **argv)
{
  g_autofree char *cache = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  dir = g_dir_make_tmp ("socklens-spool-XXXXXX", NULL);
  /* a cache folder of the test's own */
  cache = g_build_filename (dir, "cache", NULL);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  plain = g_build_filename (dir, "udp.pcap", NULL);
  gz = g_build_filename (dir, "udp.pcap.gz", NULL);
  make_captures ();

  g_test_add_func ("/capture/spool/gzip", test_gzip_spooled);
  g_test_add_func ("/capture/spool/full-disk", test_full_disk);
  status = g_test_run ();

  g_unlink (plain);
  g_unlink (gz);
  {
    g_autofree char *small = g_build_filename (dir, "small", NULL);
    g_autofree char *socklens = g_build_filename (cache, "socklens", NULL);
    g_rmdir (small);
    g_rmdir (socklens);
    g_rmdir (cache);
  }
  g_rmdir (dir);
  return status;
}
