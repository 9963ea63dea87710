/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-test-links.c: one line per link, in call order, naming both ends so a
 * reviewer can read the golden file: which call, which packet, and why. */
#include "config.h"

#include "sl-test-links.h"

static void
append_call (CapRecording *recording,
             guint         id,
             GString      *out)
{
  const NcCall *call = cap_recording_get_call (recording, id);
  const NcActorInfo *actor = call->actor < cap_recording_get_n_actors (recording)
                               ? cap_recording_get_actor (recording, call->actor) : NULL;

  g_string_append_printf (out, "call %u %s %s(fd=%d)", id,
                          actor && actor->name ? actor->name : "?",
                          nc_call_kind_name (call->kind), call->fd);
}

void
sl_test_format_links (CapRecording *recording,
                      GString      *out)
{
  guint n_calls = cap_recording_get_n_calls (recording);

  g_string_append_printf (out, "# %u calls, %u packets, %u links\n", n_calls,
                          cap_recording_get_n_packets (recording),
                          cap_recording_get_n_links (recording));
  for (guint c = 0; c < n_calls; c++)
    {
      guint n_links = 0;
      const CapLink *links = cap_recording_get_call_links (recording, c, &n_links);

      for (guint i = 0; i < n_links; i++)
        {
          append_call (recording, c, out);
          g_string_append_printf (out, " -> %s", cap_link_kind_name (links[i].kind));
          if (links[i].kind == CAP_LINK_READY)
            g_string_append_printf (out, " fd=%d", links[i].fd);
          g_string_append_printf (out, " -> packet %u  ", links[i].packet);
          cap_recording_format_packet (recording, links[i].packet, out);
          g_string_append_c (out, '\n');
        }
    }
}
