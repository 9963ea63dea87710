/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-session.c: the view state shared by the timeline, the inspectors and
 * the window; no widget code. */

#include "config.h"

#include "sl-session.h"
#include "sl-id-set.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIN_SPAN_NS   1000          /* 1 µs: closer than this nothing is readable */
#define MIN_SPEED     0.1
#define MAX_SPEED     10.0

struct _SlSession
{
  GObject          parent_instance;

  CapRecording    *recording;
  gulong           changed_handler;

  gint64           visible_begin;
  gint64           visible_end;
  gint64           playhead;
  SlSelectionKind  selection_kind;
  guint            selection_index;
  GArray          *conv_filter;     /* guint32 ids, sorted; NULL: no filter */
  double           speed;
  guint            playing : 1;
  guint            follow_live : 1;
};

G_DEFINE_FINAL_TYPE (SlSession, sl_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RECORDING,
  PROP_VISIBLE_BEGIN,
  PROP_VISIBLE_END,
  PROP_PLAYHEAD,
  PROP_SELECTION_KIND,
  PROP_SELECTION_INDEX,
  PROP_PLAYING,
  PROP_SPEED,
  PROP_FOLLOW_LIVE,
  PROP_CONVERSATION_FILTER,
  N_PROPS
};

enum {
  SIGNAL_RECORDING_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* The recording's whole span, with a little room at the end so the last
 * packet's arrow and label are not cut by the edge. */
static void
recording_span (SlSession *self,
                gint64    *begin,
                gint64    *end)
{
  gint64 b, e;

  if (self->recording == NULL)
    {
      *begin = 0;
      *end = MIN_SPAN_NS;
      return;
    }
  b = cap_recording_get_start_time (self->recording);
  e = cap_recording_get_end_time (self->recording);
  if (e - b < MIN_SPAN_NS)
    e = b + MIN_SPAN_NS;
  *begin = b;
  *end = e + (e - b) / 20;
}

static void
on_recording_changed (SlSession *self)
{
  if (self->follow_live && self->recording != NULL)
    {
      gint64 begin, end;

      recording_span (self, &begin, &end);
      /* Keep where the user started looking and only let the end grow;
       * a range from before the first data (an empty recording) is reset. */
      if (self->visible_end < begin)
        sl_session_set_visible (self, begin, end);
      else
        sl_session_set_visible (self, self->visible_begin, MAX (self->visible_end, end));
      sl_session_set_playhead (self, cap_recording_get_end_time (self->recording));
    }
  g_signal_emit (self, signals[SIGNAL_RECORDING_CHANGED], 0);
}

static void
sl_session_dispose (GObject *object)
{
  SlSession *self = SL_SESSION (object);

  if (self->recording != NULL)
    g_clear_signal_handler (&self->changed_handler, self->recording);
  g_clear_object (&self->recording);
  g_clear_pointer (&self->conv_filter, g_array_unref);

  G_OBJECT_CLASS (sl_session_parent_class)->dispose (object);
}

static void
sl_session_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  SlSession *self = SL_SESSION (object);

  switch (prop_id)
    {
    case PROP_RECORDING:
      g_value_set_object (value, self->recording);
      break;
    case PROP_VISIBLE_BEGIN:
      g_value_set_int64 (value, self->visible_begin);
      break;
    case PROP_VISIBLE_END:
      g_value_set_int64 (value, self->visible_end);
      break;
    case PROP_PLAYHEAD:
      g_value_set_int64 (value, self->playhead);
      break;
    case PROP_SELECTION_KIND:
      g_value_set_int (value, self->selection_kind);
      break;
    case PROP_SELECTION_INDEX:
      g_value_set_uint (value, self->selection_index);
      break;
    case PROP_PLAYING:
      g_value_set_boolean (value, self->playing);
      break;
    case PROP_SPEED:
      g_value_set_double (value, self->speed);
      break;
    case PROP_FOLLOW_LIVE:
      g_value_set_boolean (value, self->follow_live);
      break;
    case PROP_CONVERSATION_FILTER:
      g_value_set_boxed (value, self->conv_filter);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sl_session_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  SlSession *self = SL_SESSION (object);

  switch (prop_id)
    {
    case PROP_RECORDING:
      sl_session_set_recording (self, g_value_get_object (value));
      break;
    case PROP_VISIBLE_BEGIN:
      sl_session_set_visible (self, g_value_get_int64 (value), self->visible_end);
      break;
    case PROP_VISIBLE_END:
      sl_session_set_visible (self, self->visible_begin, g_value_get_int64 (value));
      break;
    case PROP_PLAYHEAD:
      sl_session_set_playhead (self, g_value_get_int64 (value));
      break;
    case PROP_SELECTION_KIND:
      sl_session_select (self, g_value_get_int (value), self->selection_index);
      break;
    case PROP_SELECTION_INDEX:
      sl_session_select (self, self->selection_kind, g_value_get_uint (value));
      break;
    case PROP_PLAYING:
      sl_session_set_playing (self, g_value_get_boolean (value));
      break;
    case PROP_SPEED:
      sl_session_set_speed (self, g_value_get_double (value));
      break;
    case PROP_FOLLOW_LIVE:
      sl_session_set_follow_live (self, g_value_get_boolean (value));
      break;
    case PROP_CONVERSATION_FILTER:
      {
        GArray *filter = g_value_get_boxed (value);
        sl_session_set_conversation_filter (self, filter ? (const guint32 *) filter->data : NULL,
                                            filter ? filter->len : 0);
      }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sl_session_class_init (SlSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = sl_session_dispose;
  object_class->get_property = sl_session_get_property;
  object_class->set_property = sl_session_set_property;

  properties[PROP_RECORDING] =
    g_param_spec_object ("recording", NULL, NULL, CAP_TYPE_RECORDING, flags);
  properties[PROP_VISIBLE_BEGIN] =
    g_param_spec_int64 ("visible-begin", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_VISIBLE_END] =
    g_param_spec_int64 ("visible-end", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_PLAYHEAD] =
    g_param_spec_int64 ("playhead", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_SELECTION_KIND] =
    g_param_spec_int ("selection-kind", NULL, NULL,
                      SL_SELECTION_NONE, SL_SELECTION_PACKET, SL_SELECTION_NONE, flags);
  properties[PROP_SELECTION_INDEX] =
    g_param_spec_uint ("selection-index", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_PLAYING] =
    g_param_spec_boolean ("playing", NULL, NULL, FALSE, flags);
  properties[PROP_SPEED] =
    g_param_spec_double ("speed", NULL, NULL, MIN_SPEED, MAX_SPEED, 1.0, flags);
  properties[PROP_FOLLOW_LIVE] =
    g_param_spec_boolean ("follow-live", NULL, NULL, FALSE, flags);
  /* A GArray of guint32, sorted; replaced, never changed in place. */
  properties[PROP_CONVERSATION_FILTER] =
    g_param_spec_boxed ("conversation-filter", NULL, NULL, G_TYPE_ARRAY, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * SlSession::recording-changed:
   *
   * The recording's content grew or changed (a live run, a file finishing
   * loading). Emitted after the session has followed it (when follow-live),
   * so views redraw once with the new range.
   */
  signals[SIGNAL_RECORDING_CHANGED] =
    g_signal_new ("recording-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
sl_session_init (SlSession *self)
{
  self->speed = 1.0;
}

/* Public API */

SlSession *
sl_session_new (void)
{
  return g_object_new (SL_TYPE_SESSION, NULL);
}

CapRecording *
sl_session_get_recording (SlSession *self)
{
  g_return_val_if_fail (SL_IS_SESSION (self), NULL);
  return self->recording;
}

/**
 * sl_session_set_recording:
 *
 * Shows @recording: the whole of it visible, the playhead at its end (so
 * everything is drawn), nothing selected; for a capture without calls, the
 * busiest 8 conversations chosen as the conversation filter.
 */
void
sl_session_set_recording (SlSession    *self,
                          CapRecording *recording)
{
  g_return_if_fail (SL_IS_SESSION (self));
  g_return_if_fail (recording == NULL || CAP_IS_RECORDING (recording));

  if (self->recording == recording)
    return;

  g_object_freeze_notify (G_OBJECT (self));

  if (self->recording != NULL)
    g_clear_signal_handler (&self->changed_handler, self->recording);
  g_set_object (&self->recording, recording);
  if (recording != NULL)
    /* Swapped: "changed" may gain arguments; the session only needs itself. */
    self->changed_handler = g_signal_connect_swapped (recording, "changed",
                                                      G_CALLBACK (on_recording_changed), self);

  sl_session_select (self, SL_SELECTION_NONE, 0);
  sl_session_fit_all (self);
  sl_session_set_playhead (self, recording ? cap_recording_get_end_time (recording) : 0);
  if (sl_session_is_foreign_capture (self))
    sl_session_choose_busiest_conversations (self, SL_SESSION_DEFAULT_CONVERSATIONS);
  else
    sl_session_set_conversation_filter (self, NULL, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORDING]);

  g_object_thaw_notify (G_OBJECT (self));
}

gint64
sl_session_get_visible_begin (SlSession *self)
{
  g_return_val_if_fail (SL_IS_SESSION (self), 0);
  return self->visible_begin;
}

gint64
sl_session_get_visible_end (SlSession *self)
{
  g_return_val_if_fail (SL_IS_SESSION (self), 0);
  return self->visible_end;
}

/**
 * sl_session_set_visible:
 *
 * Shows [@begin, @end] (ns, absolute). A span under 1 µs is widened around
 * its middle.
 */
void
sl_session_set_visible (SlSession *self,
                        gint64     begin,
                        gint64     end)
{
  g_return_if_fail (SL_IS_SESSION (self));

  if (end < begin)
    {
      gint64 t = begin;
      begin = end;
      end = t;
    }
  if (end - begin < MIN_SPAN_NS)
    {
      gint64 mid = begin + (end - begin) / 2;
      begin = mid - MIN_SPAN_NS / 2;
      end = begin + MIN_SPAN_NS;
    }
  begin = MAX (begin, 0);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->visible_begin != begin)
    {
      self->visible_begin = begin;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE_BEGIN]);
    }
  if (self->visible_end != end)
    {
      self->visible_end = end;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VISIBLE_END]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * sl_session_zoom:
 * @factor: > 1 zooms in (the span shrinks by @factor), < 1 zooms out
 * @around: the time that stays where it is on screen (ns, absolute)
 */
void
sl_session_zoom (SlSession *self,
                 double     factor,
                 gint64     around)
{
  gint64 before, after;

  g_return_if_fail (SL_IS_SESSION (self));
  g_return_if_fail (factor > 0);

  /* distances first: a double holds absolute ns only to 256 ns */
  before = (gint64) llround ((double) (around - self->visible_begin) / factor);
  after = (gint64) llround ((double) (self->visible_end - around) / factor);
  sl_session_set_visible (self, around - before, around + after);
}

void
sl_session_fit_all (SlSession *self)
{
  gint64 begin, end;

  g_return_if_fail (SL_IS_SESSION (self));

  recording_span (self, &begin, &end);
  sl_session_set_visible (self, begin, end);
}

gint64
sl_session_get_playhead (SlSession *self)
{
  g_return_val_if_fail (SL_IS_SESSION (self), 0);
  return self->playhead;
}

void
sl_session_set_playhead (SlSession *self,
                         gint64     ts)
{
  g_return_if_fail (SL_IS_SESSION (self));

  ts = MAX (ts, 0);
  if (self->playhead == ts)
    return;
  self->playhead = ts;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYHEAD]);
}

SlSelectionKind
sl_session_get_selection_kind (SlSession *self)
{
  g_return_val_if_fail (SL_IS_SESSION (self), SL_SELECTION_NONE);
  return self->selection_kind;
}

guint
sl_session_get_selection_index (SlSession *self)
{
  g_return_val_if_fail (SL_IS_SESSION (self), 0);
  return self->selection_index;
}

/**
 * sl_session_select:
 *
 * Selects call or packet @index, or nothing (index is then 0).
 */
void
sl_session_select (SlSession       *self,
                   SlSelectionKind  kind,
                   guint            index)
{
  g_return_if_fail (SL_IS_SESSION (self));
  g_return_if_fail (kind <= SL_SELECTION_PACKET);

  if (kind == SL_SELECTION_NONE)
    index = 0;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->selection_kind != kind)
    {
      self->selection_kind = kind;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTION_KIND]);
    }
  if (self->selection_index != index)
    {
      self->selection_index = index;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTION_INDEX]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

gboolean
sl_session_get_playing (SlSession *self)
{
  g_return_val_if_fail (SL_IS_SESSION (self), FALSE);
  return self->playing;
}

void
sl_session_set_playing (SlSession *self,
                        gboolean   playing)
{
  g_return_if_fail (SL_IS_SESSION (self));

  playing = !!playing;
  if (self->playing == playing)
    return;
  self->playing = playing;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

double
sl_session_get_speed (SlSession *self)
{
  g_return_val_if_fail (SL_IS_SESSION (self), 1.0);
  return self->speed;
}

void
sl_session_set_speed (SlSession *self,
                      double     speed)
{
  g_return_if_fail (SL_IS_SESSION (self));

  speed = CLAMP (speed, MIN_SPEED, MAX_SPEED);
  if (self->speed == speed)
    return;
  self->speed = speed;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEED]);
}

gboolean
sl_session_get_follow_live (SlSession *self)
{
  g_return_val_if_fail (SL_IS_SESSION (self), FALSE);
  return self->follow_live;
}

void
sl_session_set_follow_live (SlSession *self,
                            gboolean   follow)
{
  g_return_if_fail (SL_IS_SESSION (self));

  follow = !!follow;
  if (self->follow_live == follow)
    return;
  self->follow_live = follow;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOW_LIVE]);
}

/* The nearest event time strictly after (direction > 0) or before @from:
 * packets by binary search, calls by a scan (a run has few calls). */
static gboolean
find_event (CapRecording *rec,
            gint64        from,
            int           direction,
            gint64       *out)
{
  guint n_packets = cap_recording_get_n_packets (rec);
  guint n_calls = cap_recording_get_n_calls (rec);
  gboolean found = FALSE;
  gint64 best = 0;

#define CONSIDER(t) \
  G_STMT_START { \
    gint64 t_ = (t); \
    if (t_ != 0 && (direction > 0 ? t_ > from : t_ < from) && \
        (!found || (direction > 0 ? t_ < best : t_ > best))) \
      { best = t_; found = TRUE; } \
  } G_STMT_END

  if (n_packets > 0)
    {
      if (direction > 0)
        {
          guint i = cap_recording_find_packet_at (rec, from + 1);
          if (i < n_packets)
            CONSIDER (cap_recording_get_packet (rec, i)->ts);
        }
      else
        {
          guint i = cap_recording_find_packet_at (rec, from);
          if (i > 0)
            CONSIDER (cap_recording_get_packet (rec, i - 1)->ts);
        }
    }
  for (guint i = 0; i < n_calls; i++)
    {
      const NcCall *call = cap_recording_get_call (rec, i);
      if (call == NULL)
        continue;
      CONSIDER (call->ts_start);
      CONSIDER (call->ts_end);
    }
#undef CONSIDER

  *out = best;
  return found;
}

/**
 * sl_session_step_event:
 * @direction: 1 for the next event, -1 for the previous one
 *
 * Moves the playhead to the next (previous) call start, call end or packet,
 * and scrolls the visible range to keep it in view.
 */
void
sl_session_step_event (SlSession *self,
                       int        direction)
{
  gint64 ts;

  g_return_if_fail (SL_IS_SESSION (self));

  if (self->recording == NULL || direction == 0)
    return;
  if (!find_event (self->recording, self->playhead, direction, &ts))
    return;

  sl_session_set_playhead (self, ts);
  if (ts < self->visible_begin || ts > self->visible_end)
    {
      gint64 span = self->visible_end - self->visible_begin;
      sl_session_set_visible (self, ts - span / 2, ts - span / 2 + span);
    }
}

/**
 * sl_session_is_foreign_capture:
 *
 * Whether the recording is a capture without calls (from Wireshark or
 * tcpdump, say) that has conversations: its columns are endpoints, and the
 * conversation filter picks which.
 */
gboolean
sl_session_is_foreign_capture (SlSession *self)
{
  g_return_val_if_fail (SL_IS_SESSION (self), FALSE);

  return self->recording != NULL &&
         cap_recording_get_n_calls (self->recording) == 0 &&
         cap_recording_get_n_sockets (self->recording) == 0 &&
         cap_recording_get_n_conversations (self->recording) > 0;
}

/**
 * sl_session_get_conversation_filter:
 * @n_ids: (out): how many ids
 *
 * Returns: (array length=n_ids) (nullable): the conversations whose
 *   endpoints the timeline draws as columns, in id order, or %NULL for no
 *   filter (the painter's own choice). Valid until the filter changes.
 */
const guint32 *
sl_session_get_conversation_filter (SlSession *self,
                                    guint     *n_ids)
{
  static const guint32 none[1];

  g_return_val_if_fail (SL_IS_SESSION (self), NULL);
  g_return_val_if_fail (n_ids != NULL, NULL);

  *n_ids = self->conv_filter ? self->conv_filter->len : 0;
  if (self->conv_filter == NULL)
    return NULL;
  /* an empty GArray has no data; "none chosen" must not read as "no filter" */
  return self->conv_filter->len ? (const guint32 *) self->conv_filter->data : none;
}

/**
 * sl_session_set_conversation_filter:
 * @ids: (array length=n_ids) (nullable): conversation ids, any order, or %NULL
 *
 * Chooses the conversations whose endpoints a capture without calls shows
 * as columns; every other endpoint is aggregated. %NULL: no filter; an
 * empty non-%NULL list: none chosen. Duplicates are dropped. Notifies
 * conversation-filter only when the set changes.
 */
void
sl_session_set_conversation_filter (SlSession     *self,
                                    const guint32 *ids,
                                    guint          n_ids)
{
  g_return_if_fail (SL_IS_SESSION (self));
  g_return_if_fail (ids != NULL || n_ids == 0);

  if (!sl_id_set_replace (&self->conv_filter, ids, n_ids))
    return;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONVERSATION_FILTER]);
}

/**
 * sl_session_choose_busiest_conversations:
 * @n: how many
 *
 * Sets the conversation filter to the @n conversations with the most
 * packets (ties: the first seen).
 */
void
sl_session_choose_busiest_conversations (SlSession *self,
                                         guint      n)
{
  g_autofree guint32 *ids = NULL;
  guint n_conv = 0;

  g_return_if_fail (SL_IS_SESSION (self));

  /* never NULL: an empty list means "none chosen", NULL "no filter" */
  ids = self->recording ? cap_recording_rank_conversations (self->recording, &n_conv)
                        : g_new (guint32, 1);
  n = MIN (n, n_conv);
  sl_session_set_conversation_filter (self, ids, n);
}
