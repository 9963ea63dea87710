/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-conversation-item.c: a conversation list row, read through from the recording. */

#include "config.h"

#include "sl-conversation-item.h"
#include "nc-format.h"

#include <netinet/in.h>
#include <string.h>

struct _SlConversationItem
{
  GObject       parent_instance;

  CapRecording *recording;
  guint32       id;
  gboolean      chosen;
  char         *title;  /* made on first use: most rows are only sorted, never shown */
};

enum {
  PROP_0,
  PROP_RECORDING,
  PROP_ID,
  PROP_TITLE,
  PROP_PROTOCOL,
  PROP_PACKETS,
  PROP_BYTES,
  PROP_BYTES_TEXT,
  PROP_FIRST_SEEN,
  PROP_FIRST_SEEN_TEXT,
  PROP_CHOSEN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SlConversationItem, sl_conversation_item, G_TYPE_OBJECT)

static const CapConversation *
conversation (SlConversationItem *self)
{
  return cap_recording_get_conversation (self->recording, self->id);
}

static void
sl_conversation_item_finalize (GObject *object)
{
  SlConversationItem *self = SL_CONVERSATION_ITEM (object);

  g_clear_object (&self->recording);
  g_free (self->title);

  G_OBJECT_CLASS (sl_conversation_item_parent_class)->finalize (object);
}

static void
sl_conversation_item_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  SlConversationItem *self = SL_CONVERSATION_ITEM (object);

  switch (prop_id)
    {
    case PROP_RECORDING:
      g_value_set_object (value, self->recording);
      break;
    case PROP_ID:
      g_value_set_uint (value, self->id);
      break;
    case PROP_TITLE:
      g_value_set_string (value, sl_conversation_item_get_title (self));
      break;
    case PROP_PROTOCOL:
      g_value_set_string (value, sl_conversation_item_get_protocol (self));
      break;
    case PROP_PACKETS:
      g_value_set_uint (value, sl_conversation_item_get_packets (self));
      break;
    case PROP_BYTES:
      g_value_set_uint64 (value, sl_conversation_item_get_bytes (self));
      break;
    case PROP_BYTES_TEXT:
      g_value_take_string (value, sl_conversation_item_dup_bytes_text (self));
      break;
    case PROP_FIRST_SEEN:
      g_value_set_int64 (value, sl_conversation_item_get_first_seen (self));
      break;
    case PROP_FIRST_SEEN_TEXT:
      g_value_take_string (value, sl_conversation_item_dup_first_seen_text (self));
      break;
    case PROP_CHOSEN:
      g_value_set_boolean (value, self->chosen);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sl_conversation_item_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  SlConversationItem *self = SL_CONVERSATION_ITEM (object);

  switch (prop_id)
    {
    case PROP_RECORDING:
      self->recording = g_value_dup_object (value);
      break;
    case PROP_ID:
      self->id = g_value_get_uint (value);
      break;
    case PROP_CHOSEN:
      self->chosen = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sl_conversation_item_class_init (SlConversationItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS |
                          G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = sl_conversation_item_finalize;
  object_class->get_property = sl_conversation_item_get_property;
  object_class->set_property = sl_conversation_item_set_property;

  properties[PROP_RECORDING] =
    g_param_spec_object ("recording", NULL, NULL, CAP_TYPE_RECORDING, construct);
  properties[PROP_ID] =
    g_param_spec_uint ("id", NULL, NULL, 0, G_MAXUINT32, 0, construct);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, ro);
  properties[PROP_PROTOCOL] = g_param_spec_string ("protocol", NULL, NULL, NULL, ro);
  properties[PROP_PACKETS] = g_param_spec_uint ("packets", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_BYTES] = g_param_spec_uint64 ("bytes", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_BYTES_TEXT] = g_param_spec_string ("bytes-text", NULL, NULL, NULL, ro);
  properties[PROP_FIRST_SEEN] =
    g_param_spec_int64 ("first-seen", NULL, NULL, G_MININT64, G_MAXINT64, 0, ro);
  properties[PROP_FIRST_SEEN_TEXT] = g_param_spec_string ("first-seen-text", NULL, NULL, NULL, ro);
  properties[PROP_CHOSEN] =
    g_param_spec_boolean ("chosen", NULL, NULL, FALSE, construct);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
sl_conversation_item_init (SlConversationItem *self)
{
}

/* Public API */

SlConversationItem *
sl_conversation_item_new (CapRecording *recording,
                          guint32       id,
                          gboolean      chosen)
{
  g_return_val_if_fail (CAP_IS_RECORDING (recording), NULL);
  g_return_val_if_fail (id < cap_recording_get_n_conversations (recording), NULL);

  return g_object_new (SL_TYPE_CONVERSATION_ITEM,
                       "recording", recording, "id", id, "chosen", chosen, NULL);
}

CapRecording *
sl_conversation_item_get_recording (SlConversationItem *self)
{
  g_return_val_if_fail (SL_IS_CONVERSATION_ITEM (self), NULL);
  return self->recording;
}

guint32
sl_conversation_item_get_id (SlConversationItem *self)
{
  g_return_val_if_fail (SL_IS_CONVERSATION_ITEM (self), CAP_NONE);
  return self->id;
}

static gboolean
same_address (const CapEndpoint *a,
              const CapEndpoint *b)
{
  return a != NULL && b != NULL && a->family == b->family && a->family != 0 &&
         memcmp (a->addr, b->addr, a->family == 4 ? 4 : 16) == 0;
}

/**
 * sl_conversation_item_get_title:
 *
 * "a ↔ b", @a being whoever sent first (the client, for TCP). When both
 * are on one host (loopback, a lab) b is just ":port": the list is narrow,
 * and the ports are what tell the rows apart.
 */
const char *
sl_conversation_item_get_title (SlConversationItem *self)
{
  g_return_val_if_fail (SL_IS_CONVERSATION_ITEM (self), NULL);

  if (self->title == NULL)
    {
      const CapConversation *conv = conversation (self);
      const CapEndpoint *eb = cap_recording_get_endpoint (self->recording, conv->b);
      g_autofree char *a = cap_recording_format_endpoint (self->recording, conv->a);
      g_autofree char *b = NULL;

      if (same_address (cap_recording_get_endpoint (self->recording, conv->a), eb) && eb->port != 0)
        b = g_strdup_printf (":%u", eb->port);
      else
        b = cap_recording_format_endpoint (self->recording, conv->b);
      self->title = g_strdup_printf ("%s ↔ %s", a, b);
    }
  return self->title;
}

const char *
sl_conversation_item_get_protocol (SlConversationItem *self)
{
  g_return_val_if_fail (SL_IS_CONVERSATION_ITEM (self), NULL);

  switch (conversation (self)->proto)
    {
    case IPPROTO_TCP:
      return "TCP";
    case IPPROTO_UDP:
      return "UDP";
    default:
      return "IP";
    }
}

guint
sl_conversation_item_get_packets (SlConversationItem *self)
{
  g_return_val_if_fail (SL_IS_CONVERSATION_ITEM (self), 0);
  return conversation (self)->n_packets;
}

/* Transport payload bytes, both ways */
guint64
sl_conversation_item_get_bytes (SlConversationItem *self)
{
  g_return_val_if_fail (SL_IS_CONVERSATION_ITEM (self), 0);
  return conversation (self)->bytes;
}

char *
sl_conversation_item_dup_bytes_text (SlConversationItem *self)
{
  guint64 bytes;

  g_return_val_if_fail (SL_IS_CONVERSATION_ITEM (self), NULL);

  /* "347 B" where g_format_size () says "347 bytes": the column is narrow */
  bytes = conversation (self)->bytes;
  if (bytes < 1000)
    return g_strdup_printf ("%u B", (guint) bytes);
  return g_format_size (bytes);
}

gint64
sl_conversation_item_get_first_seen (SlConversationItem *self)
{
  const CapPacket *first;

  g_return_val_if_fail (SL_IS_CONVERSATION_ITEM (self), 0);

  first = cap_recording_get_packet (self->recording, conversation (self)->first_packet);
  return first ? first->ts - cap_recording_get_start_time (self->recording) : 0;
}

/* In one unit for the whole recording, so the column reads down evenly;
 * 0.1 ms is finer than a row needs, and the list is narrow */
char *
sl_conversation_item_dup_first_seen_text (SlConversationItem *self)
{
  gint64 span, t;

  g_return_val_if_fail (SL_IS_CONVERSATION_ITEM (self), NULL);

  span = cap_recording_get_end_time (self->recording) - cap_recording_get_start_time (self->recording);
  t = sl_conversation_item_get_first_seen (self);
  if (span >= 10 * G_GINT64_CONSTANT (1000000000))
    return nc_format_time (t, span, G_GINT64_CONSTANT (1000000));
  return nc_format_time (t, G_GINT64_CONSTANT (1000000), G_GINT64_CONSTANT (100000));
}

gboolean
sl_conversation_item_get_chosen (SlConversationItem *self)
{
  g_return_val_if_fail (SL_IS_CONVERSATION_ITEM (self), FALSE);
  return self->chosen;
}

void
sl_conversation_item_set_chosen (SlConversationItem *self,
                                 gboolean            chosen)
{
  g_return_if_fail (SL_IS_CONVERSATION_ITEM (self));

  chosen = !!chosen;
  if (self->chosen == chosen)
    return;
  self->chosen = chosen;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHOSEN]);
}

void
sl_conversation_item_retarget (SlConversationItem *self,
                               guint32             id)
{
  g_return_if_fail (SL_IS_CONVERSATION_ITEM (self));
  g_return_if_fail (id < cap_recording_get_n_conversations (self->recording));

  self->id = id;
  g_clear_pointer (&self->title, g_free);
}
