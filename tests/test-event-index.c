/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-event-index.c: the one event order, on real runs: tcp-echo captured
 * on lo in this process, tcp-lossy in the lab (a veth link that loses one
 * segment). Causality holds for every link; a recording built piece by
 * piece, in any order of arrival, ends in the same rows as one built at once.
 *
 * Capturing needs CAP_NET_RAW (CI runs as root; elsewhere these skip).
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdarg.h>
#include <string.h>

#include "cap-call-codec.h"
#include "cap-event-index.h"
#include "cap-lab.h"
#include "cap-reader.h"
#include "sl-test-capture.h"

static char *
lab_path (void)
{
  const char *root = g_getenv ("SOCKLENS_BUILD_ROOT");

  if (g_getenv ("SOCKLENS_LAB") != NULL)
    return g_strdup (g_getenv ("SOCKLENS_LAB"));
  return root ? g_build_filename (root, "app", "socklens-lab", NULL) : g_strdup (SL_TEST_LAB);
}

static gboolean
is_receive (guint16 kind)
{
  return kind == NC_CALL_RECV || kind == NC_CALL_RECVFROM || kind == NC_CALL_READ;
}

/* Every event has exactly one row, and the rows respect each link. */
static void
assert_causal (CapRecording *rec)
{
  guint n_rows = cap_recording_get_n_events (rec);
  guint expected = cap_recording_get_n_packets (rec);
  g_autofree guint8 *seen_packet = g_new0 (guint8, cap_recording_get_n_packets (rec) + 1);

  for (guint c = 0; c < cap_recording_get_n_calls (rec); c++)
    {
      const NcCall *call = cap_recording_get_call (rec, c);
      guint enter = cap_recording_get_call_enter_row (rec, c);
      guint ret = cap_recording_get_call_return_row (rec, c);

      if (call->ts_start == 0)
        continue;
      expected += call->ts_end != 0 ? 2 : 1;
      g_assert_cmpuint (enter, <, n_rows);
      g_assert_cmpuint (cap_recording_get_event (rec, enter)->kind, ==, CAP_EVENT_CALL_ENTER);
      g_assert_cmpuint (cap_recording_get_event (rec, enter)->index, ==, c);
      g_assert_cmpint (cap_recording_get_event_time (rec, enter), ==, call->ts_start);
      if (call->ts_end == 0)
        {
          g_assert_cmpuint (ret, ==, CAP_NONE);
          continue;
        }
      g_assert_cmpuint (ret, >, enter);
      g_assert_cmpuint (cap_recording_get_event (rec, ret)->kind, ==, CAP_EVENT_CALL_RETURN);
      g_assert_cmpint (cap_recording_get_event_time (rec, ret), ==, call->ts_end);
    }
  g_assert_cmpuint (n_rows, ==, expected);

  for (guint p = 0; p < cap_recording_get_n_packets (rec); p++)
    {
      guint row = cap_recording_get_packet_row (rec, p);
      g_assert_cmpuint (row, <, n_rows);
      g_assert_cmpuint (cap_recording_get_event (rec, row)->kind, ==, CAP_EVENT_PACKET);
      g_assert_cmpuint (cap_recording_get_event (rec, row)->index, ==, p);
      g_assert_false (seen_packet[p]);
      seen_packet[p] = TRUE;
    }

  /* the links the lesson is about */
  for (guint c = 0; c < cap_recording_get_n_calls (rec); c++)
    {
      const NcCall *call = cap_recording_get_call (rec, c);
      guint n = 0;
      const CapLink *links = cap_recording_get_call_links (rec, c, &n);

      for (guint i = 0; i < n; i++)
        {
          guint prow = cap_recording_get_packet_row (rec, links[i].packet);
          const CapPacket *pkt = cap_recording_get_packet (rec, links[i].packet);

          if (links[i].kind == CAP_LINK_HANDSHAKE &&
              (call->kind == NC_CALL_ACCEPT || (call->kind == NC_CALL_CONNECT && call->result == 0)))
            g_assert_cmpuint (cap_recording_get_call_return_row (rec, c), >, prow);
          if (links[i].kind == CAP_LINK_HANDSHAKE && call->kind == NC_CALL_CONNECT)
            g_assert_cmpuint (cap_recording_get_call_enter_row (rec, c), <, prow);
          if (links[i].kind == CAP_LINK_DATA && is_receive (call->kind) &&
              !(pkt->flags & (CAP_PACKET_DROPPED | CAP_PACKET_RETRANSMISSION)))
            g_assert_cmpuint (cap_recording_get_call_return_row (rec, c), >, prow);
          if (links[i].kind == CAP_LINK_DATA && !is_receive (call->kind))
            g_assert_cmpuint (cap_recording_get_call_enter_row (rec, c), <, prow);
        }
    }
}

/* Packets without links keep their capture order and time */
static void
assert_rows_equal (CapRecording *a,
                   CapRecording *b)
{
  g_assert_cmpuint (cap_recording_get_n_events (a), ==, cap_recording_get_n_events (b));
  for (guint r = 0; r < cap_recording_get_n_events (a); r++)
    {
      const CapEvent *x = cap_recording_get_event (a, r);
      const CapEvent *y = cap_recording_get_event (b, r);
      g_assert_cmpuint (x->kind, ==, y->kind);
      g_assert_cmpuint (x->index, ==, y->index);
    }
}


/* The first line (from 0) containing every one of the NULL-ended strings */
static gint
line_with (const char *text,
           ...)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (gint i = 0; lines[i] != NULL; i++)
    {
      gboolean all = TRUE;
      va_list args;
      const char *needle;

      va_start (args, text);
      while ((needle = va_arg (args, const char *)) != NULL)
        all = all && strstr (lines[i], needle) != NULL;
      va_end (args);
      if (all)
        return i;
    }
  return -1;
}

static char *
timeline_text (CapRecording *rec)
{
  GString *text = g_string_new (NULL);

  cap_recording_format_timeline (rec, text);
  return g_string_free (text, FALSE);
}

/* The lines without "# " messages, and without the lab's drop mark: its
 * record follows the packet, so a packet printed live may precede it. */
static char *
without_messages (const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *mark = strstr (lines[i], " [dropped by the lab]");
      if (mark != NULL)
        *mark = '\0';
      if (lines[i][0] != '#' && lines[i][0] != '\0')
        g_string_append_printf (out, "%s\n", lines[i]);
    }
  return g_string_free (out, FALSE);
}

/* The run saved, then fed back in small pieces as from the lab's pipe, printed
 * as it grows by the live printer: the same lines as the whole timeline. */
static void
assert_progress_matches (CapRecording *rec)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("socklens-progress-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "run.pcapng", NULL);
  g_autofree char *bytes = NULL;
  g_autoptr(CapRecording) fed = cap_recording_new ();
  g_autoptr(GString) live = g_string_new (NULL);
  g_autofree char *whole = timeline_text (rec);
  g_autofree char *whole_lines = NULL;
  g_autofree char *live_lines = NULL;
  CapTextProgress progress;
  gsize len;

  g_assert_true (cap_recording_save (rec, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &bytes, &len, &error));
  cap_text_progress_init (&progress);
  for (gsize off = 0; off < len; off += 61)
    {
      g_assert_true (cap_recording_feed (fed, (const guint8 *) bytes + off, MIN (61, len - off),
                                         &error));
      cap_recording_format_progress (fed, &progress, live);
    }
  g_assert_true (cap_recording_finish_feed (fed, &error));
  cap_recording_format_progress_end (fed, &progress, live);
  cap_text_progress_clear (&progress);

  whole_lines = without_messages (whole);
  live_lines = without_messages (live->str);
  g_assert_cmpstr (live_lines, ==, whole_lines);
  g_unlink (path);
  g_rmdir (dir);
}

typedef struct
{
  GArray *order;  /* CapEvent, as the file holds them */
} FileOrder;

static void
on_order_frame (const CapFrame *frame,
                gpointer        user_data)
{
  FileOrder *fo = user_data;
  CapEvent ev = { frame->index, CAP_EVENT_PACKET };
  g_array_append_val (fo->order, ev);
}

static void
on_order_record (const CapRawRecord *raw,
                 gpointer            user_data)
{
  FileOrder *fo = user_data;
  g_auto (CapRecord) record = CAP_RECORD_INIT;
  CapEvent ev;

  g_assert_true (cap_record_decode (raw->payload, raw->len, &record, NULL));
  if (record.type != CAP_RECORD_CALL_ENTER && record.type != CAP_RECORD_CALL_RETURN)
    return;
  ev.index = record.call.id;
  ev.kind = record.type == CAP_RECORD_CALL_ENTER ? CAP_EVENT_CALL_ENTER : CAP_EVENT_CALL_RETURN;
  g_array_append_val (fo->order, ev);
}

/* The save writes its frames and call records in the rows' order */
static void
assert_saved_in_order (CapRecording *rec)
{
  static const CapReaderCallbacks callbacks = { .frame = on_order_frame,
                                                .record = on_order_record };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("socklens-order-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "run.pcapng", NULL);
  g_autofree char *bytes = NULL;
  FileOrder fo = { g_array_new (FALSE, FALSE, sizeof (CapEvent)) };
  CapReader *reader = cap_reader_new (&callbacks, &fo);
  gsize len;

  g_assert_true (cap_recording_save (rec, path, &error));
  g_assert_true (g_file_get_contents (path, &bytes, &len, &error));
  g_assert_true (cap_reader_feed (reader, (const guint8 *) bytes, len, &error));
  g_assert_true (cap_reader_finish (reader, &error));
  g_assert_no_error (error);
  cap_reader_free (reader);

  g_assert_cmpuint (fo.order->len, ==, cap_recording_get_n_events (rec));
  for (guint r = 0; r < fo.order->len; r++)
    {
      const CapEvent *want = cap_recording_get_event (rec, r);
      const CapEvent *got = &g_array_index (fo.order, CapEvent, r);
      g_assert_cmpuint (got->kind, ==, want->kind);
      g_assert_cmpuint (got->index, ==, want->index);
    }
  g_array_unref (fo.order);
  g_unlink (path);
  g_rmdir (dir);
}

static guint
handshake_ack_row (CapRecording *rec,
                   const NcCall *call)
{
  guint32 pk[4];
  guint n = sl_test_linked_packets (rec, call, CAP_LINK_HANDSHAKE, pk, 4);

  g_assert_cmpuint (n, ==, 3);
  g_assert_cmphex (sl_test_tcp_flags (rec, pk[2]) & 0x17, ==, CAP_TCP_ACK);
  return cap_recording_get_packet_row (rec, pk[2]);
}

/* A copy of @rec whose calls arrive after all the packets, one commit each,
 * and whose @skewed call's return is stamped @skew_ns earlier. */
static CapRecording *
rebuild (CapRecording *rec,
         gboolean      calls_last,
         guint         skewed,
         gint64        skew_ns)
{
  CapRecording *copy = cap_recording_new ();
  guint n_calls = cap_recording_get_n_calls (rec);
  guint n_packets = cap_recording_get_n_packets (rec);

  for (guint i = 0; i < cap_recording_get_n_actors (rec); i++)
    cap_recording_add_actor (copy, cap_recording_get_actor (rec, i));

  for (guint step = 0; step < 2; step++)
    {
      gboolean packets_now = calls_last ? step == 0 : step == 1;
      if (packets_now)
        for (guint p = 0; p < n_packets; p++)
          {
            guint32 caplen;
            const guint8 *data = cap_recording_get_packet_data (rec, p, &caplen);
            cap_recording_add_frame (copy, cap_recording_get_packet_linktype (rec, p),
                                     cap_recording_get_packet (rec, p)->ts, data, caplen,
                                     cap_recording_get_packet (rec, p)->len);
            cap_recording_commit (copy);
          }
      else
        for (guint c = 0; c < n_calls; c++)
          {
            NcCall call = *cap_recording_get_call (rec, c);
            cap_recording_add_call (copy, &call, NC_CALL_PHASE_ENTER);
            cap_recording_commit (copy);
            if (c == skewed)
              call.ts_end -= skew_ns;
            cap_recording_add_call (copy, &call, NC_CALL_PHASE_RETURN);
            cap_recording_commit (copy);
          }
    }
  return copy;
}

static void
test_tcp_echo (void)
{
  g_autoptr(CapRecording) rec = sl_test_capture_run ("tcp-echo", NULL);
  const NcCall *accept_call, *connect_call;
  guint32 pk[4];

  if (rec == NULL)
    return;
  assert_causal (rec);

  /* accept() returns after the handshake's ACK, connect() too */
  accept_call = sl_test_find_call (rec, "server", NC_CALL_ACCEPT, 0);
  connect_call = sl_test_find_call (rec, "client", NC_CALL_CONNECT, 0);
  g_assert_cmpuint (cap_recording_get_call_return_row (rec, accept_call->id), >,
                    handshake_ack_row (rec, accept_call));
  g_assert_cmpuint (cap_recording_get_call_return_row (rec, connect_call->id), >,
                    handshake_ack_row (rec, connect_call));
  /* the SYN after connect() entered */
  g_assert_cmpuint (sl_test_linked_packets (rec, connect_call, CAP_LINK_HANDSHAKE, pk, 4), ==, 3);
  g_assert_cmpuint (cap_recording_get_packet_row (rec, pk[0]), >,
                    cap_recording_get_call_enter_row (rec, connect_call->id));
  /* connect() blocked while its handshake went out and back: events stand
   * between. (Not asserted of accept(): the client may connect before the
   * server's thread has entered accept(), and then it need not block.) */
  g_assert_true (cap_recording_call_is_interleaved (rec, connect_call->id));

  /* The text: connect() enters unfinished, its SYN follows, and its result
   * follows the handshake's ACK; the live printer prints the same lines. */
  {
    g_autofree char *text = timeline_text (rec);
    gint syn = line_with (text, "client -> server  TCP [SYN] seq=0 ", NULL);
    gint ack = line_with (text, "client -> server  TCP [ACK] seq=1 ack=1 ", NULL);
    gint entry = line_with (text, "client  connect(fd=", "<unfinished ...>", NULL);
    gint result = line_with (text, "client  <... connect resumed> = 0", NULL);
    gint accepted = line_with (text, "server  ", "accept", " = ", " from 127.0.0.1:", NULL);

    g_assert_cmpint (syn, >=, 0);
    g_assert_cmpint (ack, >, syn);
    g_assert_cmpint (entry, >=, 0);
    g_assert_cmpint (entry, <, syn);
    g_assert_cmpint (result, >, ack);
    g_assert_cmpint (line_with (text, "client  connect(fd=", ") = ", NULL), ==, -1);
    /* accept()'s result, unfinished or not, comes after the ACK */
    g_assert_cmpint (accepted, >, ack);
  }
  assert_progress_matches (rec);
  assert_saved_in_order (rec);

  /* connect() returned, its clock says, the moment it entered: before the
   * SYN/ACK it waited for. Causality wins over the clock. */
  {
    gint64 skew = connect_call->ts_end - connect_call->ts_start;
    g_autoptr(CapRecording) skewed = rebuild (rec, FALSE, connect_call->id, skew);
    const NcCall *c = cap_recording_get_call (skewed, connect_call->id);
    guint ack_row = handshake_ack_row (skewed, c);
    gint64 ack_ts = cap_recording_get_packet (skewed, pk[2])->ts;

    g_assert_cmpint (c->ts_end, <, ack_ts);
    g_assert_cmpuint (cap_recording_get_call_return_row (skewed, c->id), >, ack_row);
    assert_causal (skewed);
    /* a row placed by the ACK: a search at the ACK's time finds the ACK first */
    g_assert_cmpuint (cap_recording_find_row_at (skewed, ack_ts), ==, ack_row);
  }
}

/* Built incrementally in either order of arrival, the same rows as at once */
static void
test_incremental (void)
{
  g_autoptr(CapRecording) rec = sl_test_capture_run ("tcp-echo", NULL);
  g_autoptr(CapRecording) calls_last = NULL;
  g_autoptr(CapRecording) packets_last = NULL;
  g_autoptr(CapRecording) from_file = NULL;
  g_autoptr(CapRecording) fed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *bytes = NULL;
  gsize len;

  if (rec == NULL)
    return;
  calls_last = rebuild (rec, TRUE, CAP_NONE, 0);
  packets_last = rebuild (rec, FALSE, CAP_NONE, 0);
  assert_causal (calls_last);
  assert_rows_equal (rec, calls_last);
  assert_rows_equal (rec, packets_last);

  /* The save, read at once and fed in 97-byte pieces as from the lab's pipe */
  dir = g_dir_make_tmp ("socklens-index-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "run.pcapng", NULL);
  g_assert_true (cap_recording_save (rec, path, &error));
  g_assert_no_error (error);
  from_file = cap_recording_new_from_file (path, &error);
  g_assert_no_error (error);
  assert_rows_equal (rec, from_file);

  g_assert_true (g_file_get_contents (path, &bytes, &len, &error));
  fed = cap_recording_new ();
  for (gsize off = 0; off < len; off += 97)
    g_assert_true (cap_recording_feed (fed, (const guint8 *) bytes + off, MIN (97, len - off),
                                       &error));
  g_assert_true (cap_recording_finish_feed (fed, &error));
  g_assert_no_error (error);
  assert_rows_equal (rec, fed);

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_tcp_lossy (void)
{
  g_autofree char *path = lab_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CapRecording) rec = NULL;
  const NcCall *server_recv;
  guint32 pk[8];
  guint n, retransmission = CAP_NONE, dropped = CAP_NONE;

  cap_lab_run_sync (path, "tcp-lossy", NULL, FALSE, NULL, &rec, &error);
  if (error != NULL && g_error_matches (error, CAP_LAB_ERROR, CAP_LAB_ERROR_NOT_FOUND))
    {
      g_test_skip (error->message);
      return;
    }
  g_assert_no_error (error);
  assert_causal (rec);

  server_recv = sl_test_find_call (rec, "server", NC_CALL_RECV, 0);
  n = sl_test_linked_packets (rec, server_recv, CAP_LINK_DATA, pk, 8);
  for (guint i = 0; i < n; i++)
    {
      const CapPacket *p = cap_recording_get_packet (rec, pk[i]);
      if (p->flags & CAP_PACKET_DROPPED)
        dropped = pk[i];
      else if (p->flags & CAP_PACKET_RETRANSMISSION)
        retransmission = pk[i];
    }
  g_assert_cmpuint (dropped, !=, CAP_NONE);
  g_assert_cmpuint (retransmission, !=, CAP_NONE);
  /* recv() entered before the lost segment, returned after its retransmission */
  g_assert_cmpuint (cap_recording_get_call_return_row (rec, server_recv->id), >,
                    cap_recording_get_packet_row (rec, retransmission));
  g_assert_cmpuint (cap_recording_get_packet_row (rec, dropped), <,
                    cap_recording_get_packet_row (rec, retransmission));
  g_assert_true (cap_recording_call_is_interleaved (rec, server_recv->id));

  /* The text: the server's recv() result after the retransmission's line */
  {
    g_autofree char *text = timeline_text (rec);
    gint again = line_with (text, "client -> server  TCP [PSH, ACK]", "[retransmission]", NULL);
    gint lost = line_with (text, "client -> server  TCP [PSH, ACK]", "[dropped by the lab]", NULL);
    gint entry = line_with (text, "server  recv(fd=", "<unfinished ...>", NULL);
    gint result = line_with (text, "server  <... recv resumed> = 5 b\"hello\"", NULL);

    g_assert_cmpint (lost, >=, 0);
    g_assert_cmpint (again, >, lost);
    g_assert_cmpint (entry, >=, 0);
    g_assert_cmpint (entry, <, again);
    g_assert_cmpint (result, >, again);
  }
  assert_progress_matches (rec);
  assert_saved_in_order (rec);
}

int
main (int    argc,
      char **argv)
{
  sl_test_capture_isolate ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/capture/event-index/tcp-echo", test_tcp_echo);
  g_test_add_func ("/capture/event-index/incremental", test_incremental);
  g_test_add_func ("/capture/event-index/tcp-lossy", test_tcp_lossy);

  return g_test_run ();
}
