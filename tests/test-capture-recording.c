/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-capture-recording.c: real runs on loopback, captured with libpcap,
 * turned into recordings; the links between calls and packets checked
 * exactly; files written and read back, also by tshark.
 *
 * Capturing needs CAP_NET_RAW. Without it the tests skip with a message;
 * CI runs as root, and there a skip fails the run.
 */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "cap-dissect.h"
#include "cap-live.h"
#include "cap-reader.h"
#include "sl-test-capture.h"

static void
assert_tcp_echo_links (CapRecording *recording)
{
  const NcCall *connect_call = sl_test_find_call (recording, "client", NC_CALL_CONNECT, 0);
  const NcCall *accept_call = sl_test_find_call (recording, "server", NC_CALL_ACCEPT, 0);
  const NcCall *client_send = sl_test_find_call (recording, "client", NC_CALL_SEND, 0);
  const NcCall *server_recv = sl_test_find_call (recording, "server", NC_CALL_RECV, 0);
  const NcCall *server_send = sl_test_find_call (recording, "server", NC_CALL_SEND, 0);
  const NcCall *client_recv = sl_test_find_call (recording, "client", NC_CALL_RECV, 0);
  const NcCall *client_close = sl_test_find_call (recording, "client", NC_CALL_CLOSE, 0);
  const NcCall *server_eof = sl_test_find_call (recording, "server", NC_CALL_RECV, 1);
  guint32 pk[8];
  guint n;

  /* connect(): SYN, SYN/ACK, ACK, in that order; accept() shares them. */
  n = sl_test_linked_packets (recording, connect_call, CAP_LINK_HANDSHAKE, pk, 8);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmphex (sl_test_tcp_flags (recording, pk[0]) & 0x17, ==, CAP_TCP_SYN);
  g_assert_cmphex (sl_test_tcp_flags (recording, pk[1]) & 0x17, ==, CAP_TCP_SYN | CAP_TCP_ACK);
  g_assert_cmphex (sl_test_tcp_flags (recording, pk[2]) & 0x17, ==, CAP_TCP_ACK);
  for (guint i = 0; i < 3; i++)
    g_assert_true (sl_test_packet_links_call (recording, pk[i], accept_call));
  /* The handshake is done in the kernels: the SYN/ACK came before accept() returned. */
  g_assert_cmpint (cap_recording_get_packet (recording, pk[2])->ts, <=, accept_call->ts_end);

  /* send("hello") -> one PSH/ACK with 5 bytes, which the server's recv() got */
  n = sl_test_linked_packets (recording, client_send, CAP_LINK_DATA, pk, 8);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (cap_recording_get_packet (recording, pk[0])->payload_len, ==, 5);
  g_assert_true (sl_test_tcp_flags (recording, pk[0]) & CAP_TCP_PSH);
  g_assert_true (sl_test_packet_links_call (recording, pk[0], server_recv));
  {
    guint32 caplen;
    const guint8 *data = cap_recording_get_packet_data (recording, pk[0], &caplen);
    const CapPacket *pkt = cap_recording_get_packet (recording, pk[0]);
    g_assert_cmpmem (data + pkt->payload_offset, 5, "hello", 5);
  }

  /* The echo back */
  n = sl_test_linked_packets (recording, server_send, CAP_LINK_DATA, pk, 8);
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (sl_test_packet_links_call (recording, pk[0], client_recv));
  g_assert_cmpuint (cap_recording_get_relative_seq (recording, pk[0]), ==, 1);

  /* close() sends the FIN that makes the server's recv() return 0 */
  n = sl_test_linked_packets (recording, client_close, CAP_LINK_TEARDOWN, pk, 8);
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (sl_test_tcp_flags (recording, pk[0]) & CAP_TCP_FIN);
  g_assert_cmpint (server_eof->result, ==, 0);
  g_assert_true (sl_test_packet_links_call (recording, pk[0], server_eof));

  /* Whose packets: the SYN is the client's, to the server */
  n = sl_test_linked_packets (recording, connect_call, CAP_LINK_HANDSHAKE, pk, 8);
  g_assert_cmpint (cap_recording_get_packet_actor (recording, pk[0], FALSE), ==,
                   connect_call->actor);
  g_assert_cmpint (cap_recording_get_packet_actor (recording, pk[0], TRUE), ==,
                   accept_call->actor);
}

static void
test_tcp_echo (void)
{
  g_autoptr(CapRecording) recording = sl_test_capture_run ("tcp-echo", NULL);
  g_autoptr(GString) text = g_string_new (NULL);

  if (recording == NULL)
    return;
  assert_tcp_echo_links (recording);

  cap_recording_format_timeline (recording, text);
  g_assert_nonnull (strstr (text->str, "client -> server  TCP [SYN] seq=0"));
  g_assert_nonnull (strstr (text->str, "server -> client  TCP [SYN, ACK] seq=0 ack=1"));
  g_assert_nonnull (strstr (text->str, "client  connect(fd="));
}

static void
test_udp_echo (void)
{
  g_autoptr(CapRecording) recording = sl_test_capture_run ("udp-echo", "ping!");
  const NcCall *c_sendto, *s_recvfrom, *s_sendto, *c_recvfrom;
  guint32 pk[4];

  if (recording == NULL)
    return;
  c_sendto = sl_test_find_call (recording, "client", NC_CALL_SENDTO, 0);
  s_recvfrom = sl_test_find_call (recording, "server", NC_CALL_RECVFROM, 0);
  s_sendto = sl_test_find_call (recording, "server", NC_CALL_SENDTO, 0);
  c_recvfrom = sl_test_find_call (recording, "client", NC_CALL_RECVFROM, 0);

  /* One sendto() is one datagram, and the matching recvfrom() got exactly it. */
  g_assert_cmpuint (sl_test_linked_packets (recording, c_sendto, CAP_LINK_DATA, pk, 4), ==, 1);
  g_assert_cmpuint (cap_recording_get_packet (recording, pk[0])->proto, ==, IPPROTO_UDP);
  g_assert_cmpuint (cap_recording_get_packet (recording, pk[0])->payload_len, ==, 5);
  g_assert_true (sl_test_packet_links_call (recording, pk[0], s_recvfrom));
  g_assert_cmpuint (sl_test_linked_packets (recording, s_sendto, CAP_LINK_DATA, pk, 4), ==, 1);
  g_assert_true (sl_test_packet_links_call (recording, pk[0], c_recvfrom));
}

static char *
run_tool (const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                     &status, &error))
    g_error ("could not run %s: %s", argv[0], error->message);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s failed: %s\n%s", argv[0], error->message, err);
  return g_steal_pointer (&out);
}

/* Saved, then read by tshark and by us: same frames, same numbers, comments
 * naming the calls, and every call and link back. */
static void
test_save_and_read_back (void)
{
  g_autoptr(CapRecording) recording = sl_test_capture_run ("tcp-echo", NULL);
  g_autoptr(CapRecording) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *fields = NULL;
  g_auto (GStrv) lines = NULL;
  const NcCall *connect_call;
  guint32 syn;

  if (recording == NULL)
    return;
  dir = g_dir_make_tmp ("socklens-test-XXXXXX", &error);
  path = g_build_filename (dir, "run.pcapng", NULL);
  g_assert_true (cap_recording_save (recording, path, &error));
  g_assert_no_error (error);

  /* tshark's frame numbers are ours + 1, and it shows our comments */
  fields = run_tool ((const char *const[]){ "tshark", "-r", path, "-T", "fields", "-E",
                                            "separator=|", "-e", "frame.number", "-e",
                                            "tcp.flags", "-e", "frame.comment", NULL });
  lines = g_strsplit (g_strstrip (fields), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, cap_recording_get_n_packets (recording));

  connect_call = sl_test_find_call (recording, "client", NC_CALL_CONNECT, 0);
  sl_test_linked_packets (recording, connect_call, CAP_LINK_HANDSHAKE, &syn, 1);
  {
    g_auto (GStrv) cols = g_strsplit (lines[syn], "|", 3);
    g_autofree char *number = g_strdup_printf ("%u", syn + 1);
    g_assert_cmpstr (cols[0], ==, number);
    g_assert_cmpstr (cols[1], ==, "0x0002");
    g_assert_nonnull (strstr (cols[2], "client connect(fd="));
  }

  back = cap_recording_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cap_recording_get_n_packets (back), ==, cap_recording_get_n_packets (recording));
  g_assert_cmpuint (cap_recording_get_n_calls (back), ==, cap_recording_get_n_calls (recording));
  g_assert_cmpuint (cap_recording_get_n_actors (back), ==, cap_recording_get_n_actors (recording));
  g_assert_cmpuint (cap_recording_get_n_links (back), ==, cap_recording_get_n_links (recording));
  g_assert_cmpstr (cap_recording_get_scenario (back), ==, "tcp-echo");
  for (guint i = 0; i < cap_recording_get_n_calls (recording); i++)
    {
      const NcCall *a = cap_recording_get_call (recording, i);
      const NcCall *b = cap_recording_get_call (back, i);
      guint na, nb;
      const CapLink *la = cap_recording_get_call_links (recording, i, &na);
      const CapLink *lb = cap_recording_get_call_links (back, i, &nb);

      g_assert_cmpint (a->kind, ==, b->kind);
      g_assert_cmpint (a->result, ==, b->result);
      g_assert_cmpint (a->ts_start, ==, b->ts_start);
      g_assert_cmpint (a->ts_end, ==, b->ts_end);
      g_assert_cmpstr (a->peer, ==, b->peer);
      g_assert_cmpmem (a->data, a->data_len, b->data, b->data_len);
      g_assert_cmpuint (a->line, ==, b->line);
      g_assert_cmpuint (na, ==, nb);
      for (guint k = 0; k < na; k++)
        {
          g_assert_cmpuint (la[k].packet, ==, lb[k].packet);
          g_assert_cmpuint (la[k].kind, ==, lb[k].kind);
        }
    }
  assert_tcp_echo_links (back);

  g_unlink (path);
  g_rmdir (dir);
}

/* A file cut short: a clear error naming the file and the byte, and every
 * packet before the cut still there. */
static void
test_truncated_file (void)
{
  g_autoptr(CapRecording) recording = sl_test_capture_run ("tcp-echo", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *cut_path = NULL;
  g_autofree char *contents = NULL;
  gsize len;
  guint n_full;

  if (recording == NULL)
    return;
  dir = g_dir_make_tmp ("socklens-test-XXXXXX", &error);
  path = g_build_filename (dir, "run.pcapng", NULL);
  cut_path = g_build_filename (dir, "cut.pcapng", NULL);
  g_assert_true (cap_recording_save (recording, path, &error));
  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  n_full = cap_recording_get_n_packets (recording);

  /* len - 1 is inside the last block, never on a boundary. */
  {
    g_autoptr(CapRecording) partial = cap_recording_new ();
    g_autoptr(GError) cut_error = NULL;
    g_assert_true (g_file_set_contents (cut_path, contents, (gssize) len - 1, &error));
    g_assert_false (cap_recording_load_file (partial, cut_path, &cut_error));
    g_assert_error (cut_error, CAP_FILE_ERROR, CAP_FILE_ERROR_TRUNCATED);
  }
  for (gsize cut = len - 1; cut > len / 2; cut -= 97)
    {
      g_autoptr(CapRecording) partial = cap_recording_new ();
      g_autoptr(GError) cut_error = NULL;

      g_assert_true (g_file_set_contents (cut_path, contents, (gssize) cut, &error));
      /* A cut exactly between two blocks leaves a shorter, valid file; any
       * other cut is damage, reported with the file's name and the byte. */
      if (!cap_recording_load_file (partial, cut_path, &cut_error))
        {
          g_assert_nonnull (cut_error);
          g_assert_nonnull (strstr (cut_error->message, "cut.pcapng"));
          g_assert_nonnull (strstr (cut_error->message, "byte"));
        }
      g_assert_cmpuint (cap_recording_get_n_packets (partial), <=, n_full);
      if (cut == len - 1)
        g_assert_cmpuint (cap_recording_get_n_packets (partial), >=, n_full - 1);
    }
  g_unlink (cut_path);
  g_unlink (path);
  g_rmdir (dir);
}

/* A capture from elsewhere (no calls): packets, conversations, no links */
static void
test_foreign_capture (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("socklens-test-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "gen.pcap", NULL);
  const char *gen = g_getenv ("SL_GEN_PCAP");
  g_autoptr(CapRecording) recording = NULL;
  g_autofree char *count = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  g_assert_nonnull (gen);
  g_free (run_tool ((const char *const[]){ gen, "-c", "2000", "-o", path, NULL }));
  recording = cap_recording_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cap_recording_get_n_packets (recording), ==, 2000);
  g_assert_cmpuint (cap_recording_get_n_calls (recording), ==, 0);
  g_assert_cmpuint (cap_recording_get_n_links (recording), ==, 0);
  g_assert_cmpuint (cap_recording_get_n_conversations (recording), >, 10);

  /* tshark agrees on how many TCP conversations there are */
  count = run_tool ((const char *const[]){ "tshark", "-r", path, "-q", "-z", "conv,tcp", NULL });
  {
    guint lines = 0;
    for (const char *p = count; (p = strstr (p, "<->")) != NULL; p += 3)
      lines++;
    g_assert_cmpuint (lines, ==, cap_recording_get_n_conversations (recording));
  }

  cap_recording_format_timeline (recording, text);
  g_assert_nonnull (strstr (text->str, "127.0.0.1:"));
  g_assert_nonnull (strstr (text->str, "TCP [SYN]"));
  g_unlink (path);
  g_rmdir (dir);
}

/* --- a capture whose interface goes away ---------------------------------- */

static gboolean
ip (const char *command)
{
  g_autofree char *line = g_strdup_printf ("ip %s", command);
  int status = 0;

  return g_spawn_command_line_sync (line, NULL, NULL, &status, NULL) &&
         g_spawn_check_wait_status (status, NULL);
}

/* Whether this process still has a thread named @name. */
static gboolean
has_thread (const char *name)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  const char *tid;

  while (dir != NULL && (tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/self/task/%s/comm", tid);
      g_autofree char *comm = NULL;

      if (g_file_get_contents (path, &comm, NULL, NULL) && g_str_equal (g_strchomp (comm), name))
        return TRUE;
    }
  return FALSE;
}

typedef struct
{
  CapLive  *live;
  GMutex    lock;
  GCond     cond;
  gboolean  done;
  char     *skip;
} GoneData;

static void
ignore_frame (const CapLiveFrame *frame,
              gpointer            user_data)
{
}

static gpointer
set_filter_thread (gpointer data)
{
  GoneData *gd = data;

  cap_live_set_filter (gd->live, "tcp", NULL);
  g_mutex_lock (&gd->lock);
  gd->done = TRUE;
  g_cond_signal (&gd->cond);
  g_mutex_unlock (&gd->lock);
  return NULL;
}

/* On a thread of its own: unshare() moves only the calling thread (and the
 * threads and processes it starts) into the new network namespace. */
static gpointer
interface_gone_thread (gpointer data)
{
  GoneData *gd = data;
  g_autoptr(GError) error = NULL;
  GThread *setter;
  gint64 deadline;

  if (unshare (CLONE_NEWNET) != 0)
    {
      gd->skip = g_strdup_printf ("unshare(CLONE_NEWNET): %s", g_strerror (errno));
      return NULL;
    }
  if (!ip ("link add sltest0 type veth peer name sltest1") || !ip ("link set sltest0 up"))
    {
      gd->skip = g_strdup ("ip link add ... type veth failed (iproute2, veth module)");
      return NULL;
    }
  gd->live = cap_live_new ("sltest0");
  g_assert_true (cap_live_start (gd->live, ignore_frame, NULL, &error));
  g_assert_no_error (error);
  /* The thread names itself once it runs. */
  deadline = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;
  while (!has_thread ("capture") && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_assert_true (has_thread ("capture"));

  /* The interface goes: pcap reports an error and the capture thread ends. */
  g_assert_true (ip ("link del sltest0"));
  deadline = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;
  while (has_thread ("capture") && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_assert_false (has_thread ("capture"));

  /* Nobody is left to apply the filter: this must not wait forever (in the
   * lab it waits inside the recorder's listener, and the run hung). */
  setter = g_thread_new ("set-filter", set_filter_thread, gd);
  deadline = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;
  g_mutex_lock (&gd->lock);
  while (!gd->done)
    if (!g_cond_wait_until (&gd->cond, &gd->lock, deadline))
      break;
  g_mutex_unlock (&gd->lock);
  g_assert_true (gd->done);
  g_thread_join (setter);

  cap_live_stop_when_quiet (gd->live, 200, 3000);
  g_clear_object (&gd->live);
  return NULL;
}

static void
test_live_interface_gone (void)
{
  GoneData gd = { 0 };

  if (geteuid () != 0)
    {
      g_test_skip ("needs root (a network namespace with a veth pair; CI is root)");
      return;
    }
  g_mutex_init (&gd.lock);
  g_cond_init (&gd.cond);
  g_thread_join (g_thread_new ("interface-gone", interface_gone_thread, &gd));
  if (gd.skip != NULL)
    g_test_skip (gd.skip);
  g_free (gd.skip);
  g_mutex_clear (&gd.lock);
  g_cond_clear (&gd.cond);
}

int
main (int    argc,
      char **argv)
{
  sl_test_capture_isolate ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/capture/recording/tcp-echo", test_tcp_echo);
  g_test_add_func ("/capture/recording/udp-echo", test_udp_echo);
  g_test_add_func ("/capture/recording/save-and-read-back", test_save_and_read_back);
  g_test_add_func ("/capture/recording/truncated-file", test_truncated_file);
  g_test_add_func ("/capture/recording/foreign-capture", test_foreign_capture);
  g_test_add_func ("/capture/live/interface-gone", test_live_interface_gone);

  return g_test_run ();
}
