/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-test-links.c: one line per link, naming both ends so a reviewer can
 * read the golden file: which call, which packet, and why. A call is named
 * by its actor and its place among that actor's calls (program order),
 * not by its id, which depends on how a file orders its records. */
#include "config.h"

#include "sl-test-links.h"

#include <stdlib.h>

typedef struct
{
  guint  id;
  guint  actor;
  gint64 ts_start;
} CallRef;

static int
compare_program_order (gconstpointer a,
                       gconstpointer b)
{
  const CallRef *x = a, *y = b;

  if (x->actor != y->actor)
    return x->actor < y->actor ? -1 : 1;
  if (x->ts_start != y->ts_start)
    return x->ts_start < y->ts_start ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

void
sl_test_format_links (CapRecording *recording,
                      GString      *out)
{
  guint n_calls = cap_recording_get_n_calls (recording);
  g_autofree CallRef *order = g_new (CallRef, MAX (n_calls, 1));
  guint nth = 0;

  g_string_append_printf (out, "# %u calls, %u packets, %u links\n", n_calls,
                          cap_recording_get_n_packets (recording),
                          cap_recording_get_n_links (recording));
  for (guint c = 0; c < n_calls; c++)
    {
      const NcCall *call = cap_recording_get_call (recording, c);

      order[c] = (CallRef) { c, call->actor, call->ts_start };
    }
  qsort (order, n_calls, sizeof (CallRef), compare_program_order);

  for (guint i = 0; i < n_calls; i++)
    {
      const NcCall *call = cap_recording_get_call (recording, order[i].id);
      guint n_links = 0;
      const CapLink *links = cap_recording_get_call_links (recording, order[i].id, &n_links);

      nth = i > 0 && order[i - 1].actor == order[i].actor ? nth + 1 : 1;
      for (guint l = 0; l < n_links; l++)
        {
          g_string_append_printf (out, "%s (actor %u) call %u: %s(fd=%d) -> %s",
                                  cap_recording_get_actor_name (recording, call->actor), call->actor, nth,
                                  nc_call_kind_name (call->kind), call->fd,
                                  cap_link_kind_name (links[l].kind));
          if (links[l].kind == CAP_LINK_READY)
            g_string_append_printf (out, " fd=%d", links[l].fd);
          g_string_append_printf (out, " -> packet %u  ", links[l].packet);
          cap_recording_format_packet (recording, links[l].packet, out);
          g_string_append_c (out, '\n');
        }
    }
}
