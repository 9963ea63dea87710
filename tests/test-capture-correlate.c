/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-capture-correlate.c: correlation scales. A recording of 200,000 UDP
 * datagrams (real Ethernet/IPv4/UDP frames, as libpcap gives them on lo)
 * and the 400,000 calls that sent and received them: every call linked to
 * its own datagram, with work (packets looked at, counted by the recording)
 * proportional to calls + packets, not a timer. The same recording fed as a
 * live stream, a chunk at a time, gets the same links after each chunk's
 * incremental pass as a file of it gets from a full pass, and the work of
 * all those passes together stays linear too.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sys/socket.h>

#include "painter-recordings.h"

#define SERVER_PORT 9000
#define CLIENT_PORT 40000
#define N_EXCHANGES 100000   /* 200,000 datagrams, 400,000 calls + 2 socket() */
/* Work allowed per call and packet: a constant, so linear */
#define VISITS_PER_EVENT 4

typedef struct
{
  CapRecording *rec;
  guint         next_id;
} Builder;

static void
add_call (Builder    *b,
          NcCallKind  kind,
          guint16     actor,
          gint32      fd,
          gint64      start,
          gint64      end,
          gint64      result,
          const char *local,
          const char *peer)
{
  NcCall c;

  memset (&c, 0, sizeof c);
  c.id = b->next_id++;
  c.kind = kind;
  c.actor = actor;
  c.pid = c.tid = 100 + actor;
  c.fd = fd;
  c.ts_gate = c.ts_start = start;
  c.ts_end = end;
  c.result = result;
  c.timeout_ns = -1;
  c.type = kind == NC_CALL_SOCKET ? SOCK_DGRAM : 0;
  c.domain = kind == NC_CALL_SOCKET ? AF_INET : 0;
  g_strlcpy (c.local, local, sizeof c.local);
  g_strlcpy (c.peer, peer, sizeof c.peer);
  cap_recording_add_call (b->rec, &c, NC_CALL_PHASE_RETURN);
}

/* udp-echo, n times: the client sends, the server receives and sends it
 * back, the client receives. 1 µs apart. */
static CapRecording *
build_udp_echo (guint n)
{
  Builder b = { cap_recording_new (), 0 };
  const char *server = "127.0.0.1:9000", *client = "127.0.0.1:40000";
  gint64 t = PR_T0;

  pr_add_actors (b.rec);
  add_call (&b, NC_CALL_SOCKET, 0, -1, t, t + 500, 3, "", "");
  add_call (&b, NC_CALL_SOCKET, 1, -1, t, t + 500, 4, "", "");
  for (guint i = 0; i < n; i++)
    {
      t += 10000;
      add_call (&b, NC_CALL_SENDTO, 1, 4, t, t + 2000, 5, client, server);
      pr_add_udp (b.rec, t + 1000, LO, CLIENT_PORT, LO, SERVER_PORT, 5);
      add_call (&b, NC_CALL_RECVFROM, 0, 3, t - 5000, t + 3000, 5, server, client);
      add_call (&b, NC_CALL_SENDTO, 0, 3, t + 4000, t + 6000, 5, server, client);
      pr_add_udp (b.rec, t + 5000, LO, SERVER_PORT, LO, CLIENT_PORT, 5);
      add_call (&b, NC_CALL_RECVFROM, 1, 4, t + 2500, t + 7000, 5, client, server);
    }
  return b.rec;
}

/* Call 2 + 4k + j belongs to datagram 2k + (j < 2 ? 0 : 1). */
static void
assert_echo_links (CapRecording *rec,
                   guint         n)
{
  g_assert_cmpuint (cap_recording_get_n_links (rec), ==, 4 * n);
  for (guint k = 0; k < n; k++)
    for (guint j = 0; j < 4; j++)
      {
        guint n_links;
        const CapLink *links = cap_recording_get_call_links (rec, 2 + 4 * k + j, &n_links);

        g_assert_cmpuint (n_links, ==, 1);
        g_assert_cmpuint (links[0].kind, ==, CAP_LINK_DATA);
        g_assert_cmpuint (links[0].packet, ==, 2 * k + (j < 2 ? 0 : 1));
      }
}

static void
test_linear (void)
{
  g_autoptr(CapRecording) rec = build_udp_echo (N_EXCHANGES);
  guint events;

  cap_recording_commit (rec);
  events = cap_recording_get_n_calls (rec) + cap_recording_get_n_packets (rec);
  g_assert_cmpuint (cap_recording_get_n_packets (rec), ==, 2 * N_EXCHANGES);
  assert_echo_links (rec, N_EXCHANGES);
  g_test_message ("full pass: %" G_GUINT64_FORMAT " visits for %u calls and packets",
                  cap_recording_get_correlation_visits (rec), events);
  g_assert_cmpuint (cap_recording_get_correlation_visits (rec), <=,
                    (guint64) VISITS_PER_EVENT * events);
}

/* Feeds @path's bytes in chunks, as the lab's stream comes; after each
 * chunk the links must be those of the file cut there. */
static void
test_live_equals_file (void)
{
  const guint n = 20000;
  g_autoptr(CapRecording) rec = build_udp_echo (n);
  g_autoptr(CapRecording) file = NULL;
  g_autoptr(CapRecording) live = cap_recording_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("socklens-correlate-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "udp.pcapng", NULL);
  g_autofree char *bytes = NULL;
  gsize len, events;

  g_assert_true (cap_recording_save (rec, path, &error));
  g_assert_no_error (error);
  file = cap_recording_new_from_file (path, &error);
  g_assert_no_error (error);
  assert_echo_links (file, n);
  g_assert_true (g_file_get_contents (path, &bytes, &len, &error));

  for (gsize at = 0; at < len; at += 4096)
    {
      g_assert_true (cap_recording_feed (live, (const guint8 *) bytes + at, MIN (4096, len - at),
                                         &error));
      g_assert_no_error (error);
    }
  /* Before the end of the stream: every link came from incremental passes */
  events = cap_recording_get_n_calls (live) + cap_recording_get_n_packets (live);
  g_test_message ("%zu chunks: %" G_GUINT64_FORMAT " visits for %zu calls and packets",
                  (len + 4095) / 4096, cap_recording_get_correlation_visits (live), events);
  g_assert_cmpuint (cap_recording_get_correlation_visits (live), <=,
                    (guint64) VISITS_PER_EVENT * events);
  assert_echo_links (live, n);
  for (guint i = 0; i < cap_recording_get_n_packets (file); i++)
    {
      guint na, nb;
      const CapLink *la = cap_recording_get_packet_links (file, i, &na);
      const CapLink *lb = cap_recording_get_packet_links (live, i, &nb);
      g_assert_cmpuint (na, ==, nb);
      for (guint k = 0; k < na; k++)
        g_assert_cmpuint (la[k].call, ==, lb[k].call);
    }

  g_assert_true (cap_recording_finish_feed (live, &error));
  assert_echo_links (live, n);
  g_unlink (path);
  g_rmdir (dir);
}

/* A stepped run: connect()'s return reaches the recording before the
 * capture delivers its handshake, and then nothing more comes (every actor
 * is held at the step gate), so no packet from after its return will ever
 * say that all of its packets are in. The handshake is linked as it comes. */
static void
test_live_handshake_after_return (void)
{
  g_autoptr(CapRecording) rec = cap_recording_new ();
  g_autoptr(GError) error = NULL;
  static const guint8 nothing[1];
  PrCall calls[6];
  guint connect_call, n_links, n_handshake = 0;
  const CapLink *links;

  /* live, as the lab's stream makes it: the first (empty) chunk */
  g_assert_true (cap_recording_feed (rec, nothing, 0, &error));
  g_assert_no_error (error);
  pr_add_actors (rec);
  /* tcp-echo up to the client's connect(), the server's accept() still in the kernel */
  memcpy (calls, pr_echo_calls, sizeof calls);
  g_assert_cmpint (calls[3].kind, ==, NC_CALL_ACCEPT);
  g_assert_cmpint (calls[5].kind, ==, NC_CALL_CONNECT);
  calls[3].end_us = -1;
  pr_add_calls (rec, calls, G_N_ELEMENTS (calls));
  cap_recording_commit (rec);
  connect_call = pr_find_call (rec, NC_CALL_CONNECT, 1, 0);
  cap_recording_get_call_links (rec, connect_call, &n_links);
  g_assert_cmpuint (n_links, ==, 0);

  /* SYN, SYN/ACK, ACK: all before connect() returned */
  pr_add_tcp (rec, PR_US (50), LO, PR_CLIENT_PORT, LO, PR_SERVER_PORT, PR_SYN, 1000, 0, NULL);
  pr_add_tcp (rec, PR_US (90), LO, PR_SERVER_PORT, LO, PR_CLIENT_PORT, PR_SYN | PR_ACK, 5000, 1001,
              NULL);
  pr_add_tcp (rec, PR_US (130), LO, PR_CLIENT_PORT, LO, PR_SERVER_PORT, PR_ACK, 1001, 5001, NULL);
  cap_recording_commit (rec);
  links = cap_recording_get_call_links (rec, connect_call, &n_links);
  for (guint i = 0; i < n_links; i++)
    n_handshake += links[i].kind == CAP_LINK_HANDSHAKE;
  g_assert_cmpuint (n_handshake, ==, 3);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/capture/correlate/linear", test_linear);
  g_test_add_func ("/capture/correlate/live-equals-file", test_live_equals_file);
  g_test_add_func ("/capture/correlate/live-handshake-after-return",
                   test_live_handshake_after_return);
  return g_test_run ();
}
