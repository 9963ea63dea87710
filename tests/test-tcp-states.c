/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test-tcp-states.c: TCP states derived from packets, checked against the
 * kernel's own word: the state TCP_INFO reported after each call of a real
 * tcp-echo run on lo, and the textbook sequence of both sides.
 *
 * Capturing needs CAP_NET_RAW (CI runs as root; elsewhere this skips).
 */

#include "config.h"

#include "cap-tcp-states.h"
#include "sl-test-capture.h"

static guint
socket_side (CapRecording    *rec,
             const CapSocket *sock)
{
  return cap_recording_get_conversation (rec, sock->conv)->a == sock->local ? 0 : 1;
}

/* The side's states in order, as "SYN_SENT ESTABLISHED ..." */
static char *
sequence (CapTcpStates *states,
          guint32       conv,
          guint         side)
{
  guint n = 0;
  const CapTcpStateChange *changes = cap_tcp_states_get_changes (states, conv, side, &n);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (out, "%s%s", i ? " " : "", nc_tcp_state_name (changes[i].state));
  return g_string_free (out, FALSE);
}

static void
test_tcp_echo (void)
{
  g_autoptr(CapRecording) rec = sl_test_capture_run ("tcp-echo", NULL);
  g_autoptr(CapTcpStates) states = NULL;
  const NcCall *connect_call, *server_eof;
  const CapSocket *client;
  g_autofree char *client_seq = NULL;
  g_autofree char *server_seq = NULL;
  guint checked = 0;

  if (rec == NULL)
    return;
  states = cap_tcp_states_derive (rec);

  connect_call = sl_test_find_call (rec, "client", NC_CALL_CONNECT, 0);
  client = cap_recording_get_socket (rec, cap_recording_get_call_socket (rec, connect_call->id));
  g_assert_cmpuint (client->conv, !=, CAP_NONE);
  g_assert_cmpuint (socket_side (rec, client), ==, 0);  /* the client sent the SYN */

  /* The textbook: the client closes first, the server last-acks. */
  client_seq = sequence (states, client->conv, 0);
  server_seq = sequence (states, client->conv, 1);
  /* FIN_WAIT_2 only if the server acknowledged the FIN before sending its
   * own (else one FIN/ACK does both: FIN_WAIT_1 straight to TIME_WAIT) */
  if (g_strcmp0 (client_seq, "SYN_SENT ESTABLISHED FIN_WAIT_1 TIME_WAIT") != 0)
    g_assert_cmpstr (client_seq, ==, "SYN_SENT ESTABLISHED FIN_WAIT_1 FIN_WAIT_2 TIME_WAIT");
  g_assert_cmpstr (server_seq, ==, "SYN_RECV ESTABLISHED CLOSE_WAIT LAST_ACK CLOSED");
  g_assert_cmpuint (cap_tcp_states_at (states, client->conv, 0, connect_call->ts_start), ==,
                    CAP_TCP_NONE);

  /* Where the kernel said (TCP_INFO after a call), derivation agrees. */
  for (guint c = 0; c < cap_recording_get_n_calls (rec); c++)
    {
      const NcCall *call = cap_recording_get_call (rec, c);
      guint32 sid = cap_recording_get_call_socket (rec, c);
      const CapSocket *sock;

      if (call->tcp_state == NC_TCP_STATE_NONE || call->ts_end == 0 || sid == CAP_NONE ||
          call->kind == NC_CALL_ACCEPT)
        continue;
      sock = cap_recording_get_socket (rec, sid);
      if (sock->conv == CAP_NONE || sock->listening)
        continue;
      g_test_message ("%s() kernel %s", nc_call_kind_name (call->kind),
                      nc_tcp_state_name (call->tcp_state));
      g_assert_cmpstr (nc_tcp_state_name (cap_tcp_states_at (states, sock->conv,
                                                             socket_side (rec, sock),
                                                             call->ts_end)),
                       ==, nc_tcp_state_name (call->tcp_state));
      checked++;
    }
  g_assert_cmpuint (checked, >=, 4);

  /* the server's recv() = 0 saw the client's FIN: CLOSE_WAIT, both ways */
  server_eof = sl_test_find_call (rec, "server", NC_CALL_RECV, 1);
  g_assert_cmpint (server_eof->result, ==, 0);
  g_assert_cmpuint (server_eof->tcp_state, ==, CAP_TCP_CLOSE_WAIT);

  /* a UDP conversation or an unknown id has no states */
  {
    guint n = 7;
    g_assert_null (cap_tcp_states_get_changes (states, CAP_NONE, 0, &n));
    g_assert_cmpuint (n, ==, 0);
  }
}

int
main (int    argc,
      char **argv)
{
  sl_test_capture_isolate ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/capture/tcp-states/tcp-echo", test_tcp_echo);

  return g_test_run ();
}
