/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-test-capture.c: a scenario run in-process, captured on lo, as a recording. */

#include "config.h"

#include "sl-test-capture.h"

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cap-live.h"

void
sl_test_capture_isolate (void)
{
  struct ifreq ifr = { 0 };
  int fd;

  if (getuid () != 0)
    return;
  if (unshare (CLONE_NEWNET) != 0)
    {
      g_printerr ("# sl_test_capture_isolate: unshare(CLONE_NEWNET): %s: capturing the shared lo\n",
                  g_strerror (errno));
      return;
    }
  /* A new namespace's lo is down */
  fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  g_strlcpy (ifr.ifr_name, "lo", sizeof ifr.ifr_name);
  g_assert_cmpint (ioctl (fd, SIOCGIFFLAGS, &ifr), ==, 0);
  ifr.ifr_flags |= IFF_UP;
  g_assert_cmpint (ioctl (fd, SIOCSIFFLAGS, &ifr), ==, 0);
  close (fd);
}

typedef struct
{
  GMutex      lock;
  GArray     *frames;  /* CapLiveFrame; data is an offset into bytes */
  GByteArray *bytes;
} Collected;

static void
on_frame (const CapLiveFrame *frame,
          gpointer            user_data)
{
  Collected *c = user_data;
  CapLiveFrame copy = *frame;

  g_mutex_lock (&c->lock);
  copy.data = GSIZE_TO_POINTER ((gsize) c->bytes->len);  /* offset until the end */
  g_byte_array_append (c->bytes, frame->data, frame->caplen);
  g_array_append_val (c->frames, copy);
  g_mutex_unlock (&c->lock);
}

static CapRecording *
recording_from (NcRun     *run,
                CapLive   *live,
                Collected *c)
{
  const NcScenario *scenario = nc_run_get_scenario (run);
  NcRecorder *recorder = nc_run_get_recorder (run);
  CapRecording *recording = cap_recording_new ();
  g_autoptr(GArray) calls = nc_recorder_copy_calls (recorder);

  cap_recording_set_run_info (recording, scenario->name, scenario->title);
  for (guint i = 0; i < nc_recorder_get_n_actors (recorder); i++)
    {
      NcActorInfo actor;
      nc_recorder_get_actor (recorder, i, &actor);
      cap_recording_add_actor (recording, &actor);
    }
  for (guint i = 0; i < calls->len; i++)
    cap_recording_add_call (recording, &g_array_index (calls, NcCall, i), NC_CALL_PHASE_RETURN);
  for (guint i = 0; i < c->frames->len; i++)
    {
      CapLiveFrame *f = &g_array_index (c->frames, CapLiveFrame, i);
      cap_recording_add_frame (recording, cap_live_get_linktype (live), f->ts_ns,
                               c->bytes->data + GPOINTER_TO_SIZE (f->data), f->caplen, f->len);
    }
  cap_recording_commit (recording);
  return recording;
}

CapRecording *
sl_test_capture_run_params (const char     *name,
                            const NcParams *params,
                            guint32         snaplen)
{
  const NcScenario *scenario = nc_scenario_lookup (name);
  g_autoptr(CapLive) live = cap_live_new ("lo");
  g_autoptr(NcRun) run = NULL;
  g_autoptr(GError) error = NULL;
  CapRecording *recording;
  Collected c = { 0 };

  g_assert_nonnull (scenario);
  /* In immediate mode each frame takes a snaplen-sized slot of the kernel's
   * ring: at the default 256 KiB, a burst of big segments overruns it. */
  cap_live_set_snaplen (live, snaplen > 0 ? snaplen : SL_TEST_SNAPLEN_WHOLE);
  if (!cap_live_open (live, &error))
    {
      g_autofree char *why = g_strdup_printf ("cannot capture here: %s", error->message);
      g_test_skip (why);
      return NULL;
    }

  g_mutex_init (&c.lock);
  c.frames = g_array_new (FALSE, FALSE, sizeof (CapLiveFrame));
  c.bytes = g_byte_array_new ();
  g_assert_true (cap_live_start (live, on_frame, &c, &error));
  g_assert_no_error (error);

  run = nc_run_new (scenario, params);
  g_assert_true (nc_run_start (run, &error));
  g_assert_no_error (error);
  nc_run_wait (run, &error);
  g_assert_no_error (error);
  /* The last FIN/ACK may still be on its way when the actors return. */
  cap_live_stop_when_quiet (live, 200, 3000);

  recording = recording_from (run, live, &c);
  g_array_unref (c.frames);
  g_byte_array_unref (c.bytes);
  g_mutex_clear (&c.lock);
  return recording;
}

CapRecording *
sl_test_capture_run (const char *name,
                     const char *message)
{
  const NcScenario *scenario = nc_scenario_lookup (name);
  g_autoptr(NcParams) params = NULL;

  g_assert_nonnull (scenario);
  params = nc_params_new (scenario);
  if (message != NULL)
    {
      g_free (params->message);
      params->message = g_strdup (message);
    }
  return sl_test_capture_run_params (name, params, 0);
}

static gboolean
made_by (CapRecording *recording,
         const NcCall *call,
         const char   *actor)
{
  return actor == NULL || g_str_equal (cap_recording_get_actor (recording, call->actor)->name, actor);
}

const NcCall *
sl_test_find_call (CapRecording *recording,
                   const char   *actor,
                   NcCallKind    kind,
                   guint         nth)
{
  guint wanted = nth;

  for (guint i = 0; i < cap_recording_get_n_calls (recording); i++)
    {
      const NcCall *call = cap_recording_get_call (recording, i);
      if (call->kind == kind && made_by (recording, call, actor) && nth-- == 0)
        return call;
    }
  g_error ("no %s() call number %u by %s", nc_call_kind_name (kind), wanted,
           actor ? actor : "anyone");
}

guint
sl_test_count_calls (CapRecording *recording,
                     const char   *actor,
                     NcCallKind    kind)
{
  guint n = 0;

  for (guint i = 0; i < cap_recording_get_n_calls (recording); i++)
    {
      const NcCall *call = cap_recording_get_call (recording, i);
      if (call->kind == kind && made_by (recording, call, actor))
        n++;
    }
  return n;
}

guint
sl_test_linked_packets (CapRecording *recording,
                        const NcCall *call,
                        CapLinkKind   kind,
                        guint32      *out,
                        guint         max)
{
  guint n = 0, n_out = 0;
  const CapLink *links = cap_recording_get_call_links (recording, call->id, &n);

  for (guint i = 0; i < n; i++)
    if (links[i].kind == kind && n_out < max)
      out[n_out++] = links[i].packet;
  return n_out;
}

gboolean
sl_test_packet_links_call (CapRecording *recording,
                           guint32       packet,
                           const NcCall *call)
{
  guint n = 0;
  const CapLink *links = cap_recording_get_packet_links (recording, packet, &n);

  for (guint i = 0; i < n; i++)
    if (links[i].call == call->id)
      return TRUE;
  return FALSE;
}

guint8
sl_test_tcp_flags (CapRecording *recording,
                   guint32       packet)
{
  return cap_recording_get_packet (recording, packet)->tcp_flags;
}

guint
sl_test_line_of (const char *path,
                 const char *needle)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], needle) != NULL)
      return i + 1;
  g_error ("no “%s” in %s", needle, path);
}
