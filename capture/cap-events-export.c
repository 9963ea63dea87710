/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-events-export.c: the events as CSV or JSON (docs/EVENTS.md).
 *
 * Both formats come from one list of fields per record, so they cannot
 * drift apart. Records are written as they are made, through a buffer, so a
 * million packets need no million-node tree: each JSON record is built and
 * escaped by json-glib on its own. Strings from a file may hold anything:
 * they are made valid UTF-8, and CSV cells are quoted as RFC 4180 says.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "cap-events-export.h"
#include "cap-atomic-file.h"
#include "cap-event-index.h"
#include "cap-reader.h"
#include "nc-format.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#define FLUSH_AT (64 * 1024)

/* The columns, in CSV order */
typedef enum
{
  F_ROW,
  F_EVENT,
  F_TIME_NS,
  F_TIME_S,
  F_CALL,
  F_ACTOR,
  F_PID,
  F_FD,
  F_NAME,
  F_ARGUMENTS,
  F_ENTRY_NS,
  F_RETURN_NS,
  F_RESULT,
  F_ERRNO,
  F_ERRNO_NAME,
  F_DATA,
  F_SOURCE_FILE,
  F_SOURCE_LINE,
  F_FRAME,
  F_SRC,
  F_DST,
  F_PROTOCOL,
  F_FLAGS,
  F_SEQ,
  F_ACK,
  F_LENGTH,
  F_FRAME_LENGTH,
  F_NOTES,
  F_LINKS,
  N_FIELDS
} Field;

static const char *const field_names[N_FIELDS] = {
  "row", "event", "time_ns", "time_s", "call", "actor", "pid", "fd", "name", "arguments",
  "entry_ns", "return_ns", "result", "errno", "errno_name", "data", "source_file",
  "source_line", "frame", "src", "dst", "protocol", "flags", "seq", "ack", "length",
  "frame_length", "notes", "links",
};

typedef enum
{
  V_NONE,
  V_INT,
  V_DOUBLE,
  V_STRING,
} ValueType;

/* One record: a value (or none) per field, and the links */
typedef struct
{
  ValueType type[N_FIELDS];
  gint64    i[N_FIELDS];
  double    d[N_FIELDS];
  char     *s[N_FIELDS];
  gboolean  call_links;  /* links name frames (a call's) or calls (a packet's) */
  CapRecording  *recording;  /* numbers the frames */
  const CapLink *links;
  guint     n_links;
} Record;

typedef struct
{
  CapRecording   *recording;
  CapEventsFormat format;
  int             fd;
  GString        *buf;
  gboolean        first;
  gint64          t0;
  const char     *path;
  GError        **error;
} Writer;

static void
record_clear (Record *r)
{
  for (guint f = 0; f < N_FIELDS; f++)
    g_clear_pointer (&r->s[f], g_free);
  memset (r, 0, sizeof *r);
}

static void
set_int (Record *r,
         Field   f,
         gint64  v)
{
  r->type[f] = V_INT;
  r->i[f] = v;
}

static void
set_str (Record     *r,
         Field       f,
         const char *v)
{
  if (v == NULL)
    return;
  g_free (r->s[f]);
  r->s[f] = g_utf8_make_valid (v, -1);  /* a file's strings may be anything */
  r->type[f] = V_STRING;
}

static void
take_str (Record *r,
          Field   f,
          char   *v)
{
  set_str (r, f, v);
  g_free (v);
}

/* Output */

static gboolean
flush (Writer *w)
{
  gsize done = 0;

  while (done < w->buf->len)
    {
      ssize_t n = write (w->fd, w->buf->str + done, w->buf->len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          g_autofree char *display = g_filename_display_name (w->path);
          g_set_error (w->error, CAP_FILE_ERROR, CAP_FILE_ERROR_IO,
                       _("%s: could not write the events: %s"), display, g_strerror (saved));
          return FALSE;
        }
      done += (gsize) n;
    }
  g_string_truncate (w->buf, 0);
  return TRUE;
}

/* RFC 4180: a cell with a comma, quote or line break is quoted, quotes doubled */
static void
append_csv_cell (GString    *out,
                 const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static char *
links_text (const Record *r)
{
  GString *out = g_string_new (NULL);

  for (guint k = 0; k < r->n_links; k++)
    {
      const CapLink *l = &r->links[k];
      g_string_append_printf (out, "%s%s:%u", k ? " " : "", cap_link_kind_name (l->kind),
                              r->call_links ? cap_recording_get_packet_frame (r->recording, l->packet)
                                            : l->call);
    }
  return g_string_free (out, FALSE);
}

static void
write_csv_record (Writer *w,
                  Record *r)
{
  for (guint f = 0; f < N_FIELDS; f++)
    {
      if (f > 0)
        g_string_append_c (w->buf, ',');
      if (f == F_LINKS)
        {
          g_autofree char *text = links_text (r);
          append_csv_cell (w->buf, text);
          continue;
        }
      switch (r->type[f])
        {
        case V_INT:
          g_string_append_printf (w->buf, "%" G_GINT64_FORMAT, r->i[f]);
          break;
        case V_DOUBLE:
          g_string_append_printf (w->buf, "%.9f", r->d[f]);
          break;
        case V_STRING:
          append_csv_cell (w->buf, r->s[f]);
          break;
        case V_NONE:
        default:
          break;
        }
    }
  g_string_append (w->buf, "\r\n");
}

static void
write_json_record (Writer *w,
                   Record *r)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  for (guint f = 0; f < F_LINKS; f++)
    {
      if (r->type[f] == V_NONE)
        continue;
      json_builder_set_member_name (b, field_names[f]);
      if (r->type[f] == V_INT)
        json_builder_add_int_value (b, r->i[f]);
      else if (r->type[f] == V_DOUBLE)
        json_builder_add_double_value (b, r->d[f]);
      else
        json_builder_add_string_value (b, r->s[f]);
    }
  json_builder_set_member_name (b, field_names[F_LINKS]);
  json_builder_begin_array (b);
  for (guint k = 0; k < r->n_links; k++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, r->call_links ? "frame" : "call");
      json_builder_add_int_value (b, r->call_links
                                       ? cap_recording_get_packet_frame (r->recording, r->links[k].packet)
                                       : r->links[k].call);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, cap_link_kind_name (r->links[k].kind));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  g_string_append (w->buf, w->first ? "\n    " : ",\n    ");
  g_string_append (w->buf, text);
}

static gboolean
emit (Writer *w,
      Record *r)
{
  if (w->format == CAP_EVENTS_CSV)
    write_csv_record (w, r);
  else
    write_json_record (w, r);
  w->first = FALSE;
  return w->buf->len < FLUSH_AT || flush (w);
}

/* Records */

static const char *
event_name (guint8 kind)
{
  switch (kind)
    {
    case CAP_EVENT_CALL_ENTER: return "call-enter";
    case CAP_EVENT_CALL_RETURN: return "call-return";
    default: return "packet";
    }
}

/* "fd=4, 1024": what nc_call_format_entry () puts between the parentheses */
static char *
call_arguments (const NcCall *call)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *open;

  nc_call_format_entry (call, text);
  open = strchr (text->str, '(');
  if (open == NULL || text->len < 2 || text->str[text->len - 1] != ')')
    return g_strdup (text->str);
  return g_strndup (open + 1, text->len - (gsize) (open - text->str) - 2);
}

static void
fill_call (Writer       *w,
           Record       *r,
           guint         id,
           gboolean      returned)
{
  CapRecording *rec = w->recording;
  const NcCall *call = cap_recording_get_call (rec, id);

  set_int (r, F_CALL, id);
  set_str (r, F_ACTOR, cap_recording_get_actor_name (rec, call->actor));
  set_int (r, F_PID, call->pid);
  if (call->fd >= 0)
    set_int (r, F_FD, call->fd);
  set_str (r, F_NAME, nc_call_kind_name (call->kind));
  take_str (r, F_ARGUMENTS, call_arguments (call));
  set_int (r, F_ENTRY_NS, call->ts_start);
  if (call->ts_end != 0)
    set_int (r, F_RETURN_NS, call->ts_end);
  if (returned)
    {
      set_int (r, F_RESULT, call->result);
      set_int (r, F_ERRNO, call->err);
      if (call->err != 0)
        set_str (r, F_ERRNO_NAME, nc_errno_name (call->err));
    }
  if (call->data_len > 0)
    {
      GString *data = g_string_new (NULL);
      nc_format_bytes (call->data, call->data_len, G_MAXSIZE, data);
      take_str (r, F_DATA, g_string_free (data, FALSE));
    }
  if (call->file != NULL)
    {
      set_str (r, F_SOURCE_FILE, call->file);
      set_int (r, F_SOURCE_LINE, call->line);
    }
  r->call_links = TRUE;
  r->recording = rec;
  r->links = cap_recording_get_call_links (rec, id, &r->n_links);
}

static const char *
protocol_name (const CapPacket *pkt)
{
  switch (pkt->proto)
    {
    case IPPROTO_TCP: return "TCP";
    case IPPROTO_UDP: return "UDP";
    case IPPROTO_ICMP: return "ICMP";
    case IPPROTO_ICMPV6: return "ICMPv6";
    default: return pkt->family == 6 ? "IPv6" : pkt->family == 4 ? "IPv4" : "other";
    }
}

static char *
packet_notes (const CapPacket *pkt)
{
  GString *out = g_string_new (NULL);
  static const struct
  {
    guint8      flag;
    const char *word;
  } notes[] = {
    { CAP_PACKET_RETRANSMISSION, "retransmission" },
    { CAP_PACKET_DROPPED, "dropped" },
    { CAP_PACKET_TRUNCATED, "truncated" },
    { CAP_PACKET_MALFORMED, "malformed" },
    { CAP_PACKET_FRAGMENT, "fragment" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (notes); i++)
    if (pkt->flags & notes[i].flag)
      g_string_append_printf (out, "%s%s", out->len ? " " : "", notes[i].word);
  if (pkt->proto == IPPROTO_ICMP || pkt->proto == IPPROTO_ICMPV6)
    g_string_append_printf (out, "%sicmp-type=%u icmp-code=%u", out->len ? " " : "",
                            pkt->icmp_type, pkt->icmp_code);
  return g_string_free (out, FALSE);
}

static void
fill_packet (Writer *w,
             Record *r,
             guint   index)
{
  CapRecording *rec = w->recording;
  const CapPacket *pkt = cap_recording_get_packet (rec, index);

  set_int (r, F_FRAME, cap_recording_get_packet_frame (rec, index));
  if (pkt->src != CAP_NONE)
    take_str (r, F_SRC, cap_recording_format_endpoint (rec, pkt->src));
  if (pkt->dst != CAP_NONE)
    take_str (r, F_DST, cap_recording_format_endpoint (rec, pkt->dst));
  set_str (r, F_PROTOCOL, protocol_name (pkt));
  if (pkt->proto == IPPROTO_TCP)
    {
      GString *flags = g_string_new (NULL);
      if (pkt->tcp_flags != 0)
        cap_tcp_flags_format (pkt->tcp_flags, ",", flags);
      take_str (r, F_FLAGS, g_string_free (flags, FALSE));
      /* relative, as Wireshark shows them */
      set_int (r, F_SEQ, cap_recording_get_relative_seq (rec, index));
      if (pkt->tcp_flags & CAP_TCP_ACK)
        set_int (r, F_ACK, cap_recording_get_relative_ack (rec, index));
    }
  if (pkt->proto == IPPROTO_TCP || pkt->proto == IPPROTO_UDP)
    set_int (r, F_LENGTH, pkt->payload_len);
  set_int (r, F_FRAME_LENGTH, pkt->len);
  take_str (r, F_NOTES, packet_notes (pkt));
  r->call_links = FALSE;
  r->recording = rec;
  r->links = cap_recording_get_packet_links (rec, index, &r->n_links);
}

static gboolean
write_events (Writer *w)
{
  CapRecording *rec = w->recording;
  guint n = cap_recording_get_n_events (rec);
  Record r = { 0 };

  for (guint row = 0; row < n; row++)
    {
      const CapEvent *ev = cap_recording_get_event (rec, row);
      gint64 ts = cap_recording_get_event_time (rec, row);

      set_int (&r, F_ROW, row);
      set_str (&r, F_EVENT, event_name (ev->kind));
      set_int (&r, F_TIME_NS, ts);
      r.type[F_TIME_S] = V_DOUBLE;
      r.d[F_TIME_S] = (ts - w->t0) / 1e9;
      if (ev->kind == CAP_EVENT_PACKET)
        fill_packet (w, &r, ev->index);
      else
        fill_call (w, &r, ev->index, ev->kind == CAP_EVENT_CALL_RETURN);
      if (!emit (w, &r))
        {
          record_clear (&r);
          return FALSE;
        }
      record_clear (&r);
    }
  return TRUE;
}

static void
write_head (Writer *w)
{
  CapRecording *rec = w->recording;

  if (w->format == CAP_EVENTS_CSV)
    {
      for (guint f = 0; f < N_FIELDS; f++)
        g_string_append_printf (w->buf, "%s%s", f ? "," : "", field_names[f]);
      g_string_append (w->buf, "\r\n");
      return;
    }

  {
    g_autoptr(JsonBuilder) b = json_builder_new ();
    g_autoptr(JsonGenerator) gen = json_generator_new ();
    g_autoptr(JsonNode) root = NULL;
    g_autofree char *text = NULL;

    /* The header's members; "events" follows, written record by record. */
    json_builder_begin_object (b);
    json_builder_set_member_name (b, "format");
    json_builder_add_string_value (b, "socklens-events");
    json_builder_set_member_name (b, "version");
    json_builder_add_int_value (b, CAP_EVENTS_FORMAT_VERSION);
    if (cap_recording_get_scenario (rec) != NULL)
      {
        g_autofree char *scenario = g_utf8_make_valid (cap_recording_get_scenario (rec), -1);
        json_builder_set_member_name (b, "scenario");
        json_builder_add_string_value (b, scenario);
      }
    json_builder_set_member_name (b, "start_ns");
    json_builder_add_int_value (b, w->t0);
    json_builder_set_member_name (b, "n_calls");
    json_builder_add_int_value (b, cap_recording_get_n_calls (rec));
    json_builder_set_member_name (b, "n_packets");
    json_builder_add_int_value (b, cap_recording_get_n_packets (rec));
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    json_generator_set_root (gen, root);
    text = json_generator_to_data (gen, NULL);
    /* "{...}" without its closing brace, then the events array */
    g_string_append_len (w->buf, text, (gssize) strlen (text) - 1);
    g_string_append (w->buf, ",\n  \"events\": [");
  }
}

static void
write_tail (Writer *w)
{
  if (w->format == CAP_EVENTS_JSON)
    g_string_append (w->buf, "\n  ]\n}\n");
}

/**
 * cap_recording_export_events:
 * @format: CSV or JSON (see docs/EVENTS.md)
 *
 * Writes one record per event of @recording, in the event index's order,
 * to a temporary file that is renamed to @path once complete.
 * Returns: %FALSE with @error set (naming @path) if it could not be written
 */
gboolean
cap_recording_export_events (CapRecording    *recording,
                             const char      *path,
                             CapEventsFormat  format,
                             GError         **error)
{
  g_autofree char *tmp = NULL;
  g_autofree char *target = NULL;
  g_autoptr(GString) buf = g_string_sized_new (FLUSH_AT + 4096);
  Writer w;

  g_return_val_if_fail (CAP_IS_RECORDING (recording), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  w = (Writer) {
    .recording = recording,
    .format = format,
    .buf = buf,
    .first = TRUE,
    .t0 = cap_recording_get_start_time (recording),
    .path = path,
    .error = error,
  };
  w.fd = cap_atomic_file_open_temp (path, &tmp, &target, error);
  if (w.fd < 0)
    return FALSE;

  write_head (&w);
  if (!write_events (&w))
    goto fail;
  write_tail (&w);
  if (!flush (&w))
    goto fail;
  return cap_atomic_file_commit (w.fd, tmp, target, error);

fail:
  cap_atomic_file_abort (w.fd, tmp);
  return FALSE;
}
