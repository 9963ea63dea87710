/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-lab-stream.c: the lab's one output, a pcapng stream on stdout.
 *
 * Actor threads (calls), the capture thread (packets), the sock_diag thread
 * (socket states) and the control thread (the step gate) all write here, so
 * every block goes out under one mutex, whole, into one buffer. The writer
 * thread below sends what is buffered as soon as it can, so the app reads
 * the pipe as the run goes and draws what it gets, in a few large writes
 * instead of one per call (two records per call, a system call each, were
 * most of what a fast run cost the lab and the app: the app woke, read and
 * committed once per record).
 *
 * If the pipe breaks (the app went away), the run is stopped: nobody is
 * left to show it to.
 *
 * Frames do not wait for the pipe. In immediate mode libpcap's ring has one
 * whole-frame slot per packet, about 500 of them: a capture thread that
 * waited while the app was busy lost packets within a millisecond of a fast
 * run. So the capture thread only copies each frame into a queue, and a
 * writer thread of its own writes what is queued, a batch at a time with one
 * flush. The queue is bounded (FRAMES_MAX_BYTES); a frame that finds it full
 * is counted as lost and reported, never silently.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <gio/gunixoutputstream.h>

#include "sl-lab-private.h"

#define FRAMES_MAX_BYTES (512 * 1024 * 1024)
#define OUT_BUFFER_BYTES (64 * 1024)  /* one pipe write at most this large */
/* The writer thread sends at most this often, so a fast run's records go
 * out in batches (a write and a wakeup of the app per record cost more than
 * the record), yet each reaches the app well within a frame (16 ms). */
#define FLUSH_INTERVAL_US 1000

typedef struct
{
  gint64  ts_ns;
  guint32 caplen;
  guint32 len;
  guint8  data[];
} QueuedFrame;

static gpointer frames_writer_thread (gpointer data);

static void
on_write_failed (SlLab  *lab,
                 GError *error)
{
  if (!lab->out_failed)
    {
      lab->out_failed = TRUE;
      sl_lab_complain (lab, _("output: %s; stopping the run"), error->message);
      /* Not nc_run_stop () here: this may run inside the recorder's listener. */
      sl_lab_request_stop (lab, TRUE);
    }
}

gboolean
sl_lab_stream_open (SlLab    *lab,
                    guint32   linktype,
                    guint32   snaplen,
                    GError  **error)
{
  g_autoptr(GOutputStream) raw = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  g_autoptr(GOutputStream) out = g_buffered_output_stream_new_sized (raw, OUT_BUFFER_BYTES);

  lab->writer = cap_pcapng_writer_new (out);
  lab->frames_writer = g_thread_new ("lab-frames", frames_writer_thread, lab);
  return cap_pcapng_writer_add_interface (lab->writer, linktype, snaplen,
                                          lab->capture_iface ? lab->capture_iface : "lo",
                                          &lab->iface, error) &&
         cap_pcapng_writer_flush (lab->writer, error);
}

/* With out_lock held: what is buffered goes out soon, on the writer thread
 * (the caller, an actor's call, does not wait for the pipe), or now if that
 * thread is ending. Returns: whether it was flushed now, and if so, how. */
static gboolean
flush_soon_locked (SlLab   *lab,
                   GError **error)
{
  gboolean now;

  g_mutex_lock (&lab->frames_lock);
  now = lab->frames_closing || lab->frames_writer == NULL;
  if (!now && !lab->flush_wanted)
    {
      lab->flush_wanted = TRUE;
      g_cond_signal (&lab->frames_cond);
    }
  g_mutex_unlock (&lab->frames_lock);
  return !now || cap_pcapng_writer_flush (lab->writer, error);
}

/* With out_lock held */
static void
write_record_locked (SlLab      *lab,
                     gint64      ts_ns,
                     GByteArray *payload)
{
  g_autoptr(GError) error = NULL;

  if (lab->out_failed || lab->writer == NULL)
    return;
  if (!cap_pcapng_writer_write_record (lab->writer, lab->iface, MAX (ts_ns, 0), payload->data,
                                       payload->len, &error) ||
      !flush_soon_locked (lab, &error))
    on_write_failed (lab, error);
}

static void
write_record (SlLab      *lab,
              gint64      ts_ns,
              GByteArray *payload)
{
  g_mutex_lock (&lab->out_lock);
  write_record_locked (lab, ts_ns, payload);
  g_mutex_unlock (&lab->out_lock);
}

void
sl_lab_emit_run (SlLab *lab)
{
  g_autoptr(GByteArray) payload = g_byte_array_new ();
  CapRunInfo info = {
    .scenario = (char *) lab->scenario->name,
    .title = (char *) lab->scenario->title,
    .port = lab->params->port,
    .message = lab->params->message,
    .count = lab->params->count,
    .start_ns = nc_now_ns (),
  };

  cap_record_encode_run (&info, payload);
  write_record (lab, info.start_ns, payload);
}

/* Actors are described before the run starts, so every call finds its
 * actor; their indexes are the order nc_run_start () adds them in. */
void
sl_lab_emit_actors (SlLab *lab)
{
  for (guint i = 0; i < lab->scenario->n_actors; i++)
    {
      const NcActorSpec *spec = &lab->scenario->actors[i];
      NcActorInfo info = {
        .index = i,
        .pid = getpid (),
        .name = g_intern_string (spec->name),
        .role = g_intern_string (spec->role),
        .host = lab->n_hosts >= 2 && spec->host < lab->n_hosts
                  ? g_intern_string (lab->host_names[spec->host]) : NULL,
      };

      sl_lab_emit_actor (lab, &info);
    }
}

void
sl_lab_emit_console (SlLab            *lab,
                     const CapConsole *console)
{
  g_autoptr(GByteArray) payload = g_byte_array_new ();

  cap_record_encode_console (console, payload);
  write_record (lab, console->ts_ns, payload);
}

void
sl_lab_emit_actor (SlLab             *lab,
                   const NcActorInfo *actor)
{
  g_autoptr(GByteArray) payload = g_byte_array_new ();

  cap_record_encode_actor (actor, payload);
  write_record (lab, nc_now_ns (), payload);
}

void
sl_lab_emit_message (SlLab       *lab,
                     CapSeverity  severity,
                     const char  *text)
{
  g_autoptr(GByteArray) payload = g_byte_array_new ();

  cap_record_encode_message (severity, text, payload);
  write_record (lab, nc_now_ns (), payload);
}

void
sl_lab_emit_call (SlLab        *lab,
                  const NcCall *call,
                  NcCallPhase   phase)
{
  g_autoptr(GByteArray) payload = g_byte_array_new ();

  cap_record_encode_call (call, phase, payload);
  write_record (lab, phase == NC_CALL_PHASE_ENTER ? call->ts_start : call->ts_end, payload);
}

/* Ethernet + IPv4 or IPv6: what the drop rule counts (ARP and the like are not
 * in a connection). */
static gboolean
is_ip_frame (const QueuedFrame *frame)
{
  guint16 type;

  if (frame->caplen < 14)
    return FALSE;
  type = (guint16) ((frame->data[12] << 8) | frame->data[13]);
  return type == 0x0800 || type == 0x86DD;
}

/* On the capture thread: a copy into the queue, nothing that can block. */
void
sl_lab_emit_frame (SlLab              *lab,
                   const CapLiveFrame *frame)
{
  QueuedFrame *copy;

  g_mutex_lock (&lab->frames_lock);
  if (lab->frames_closing || lab->frames_bytes + frame->caplen > FRAMES_MAX_BYTES)
    {
      lab->frames_lost++;
      g_mutex_unlock (&lab->frames_lock);
      return;
    }
  copy = g_malloc (sizeof (QueuedFrame) + frame->caplen);
  copy->ts_ns = frame->ts_ns;
  copy->caplen = frame->caplen;
  copy->len = frame->len;
  memcpy (copy->data, frame->data, frame->caplen);
  g_queue_push_tail (&lab->frames, copy);
  lab->frames_bytes += frame->caplen;
  if (lab->frames.length == 1)  /* the writer waits for the first of a batch only */
    g_cond_signal (&lab->frames_cond);
  g_mutex_unlock (&lab->frames_lock);
}

/* With out_lock held: its EPB, and if it is the one the link loses, a DROP
 * record naming it (the tap saw it before nftables dropped it). */
static gboolean
write_frame_locked (SlLab             *lab,
                    const QueuedFrame *frame,
                    GError           **error)
{
  gboolean dropped = FALSE;
  guint32 index = lab->n_epb++;

  if (lab->n_hosts >= 2 && lab->scenario->drop_packet > 0 && is_ip_frame (frame))
    dropped = ++lab->link_ip_frames == (guint32) lab->scenario->drop_packet;
  if (!cap_pcapng_writer_write_packet (lab->writer, lab->iface, frame->ts_ns, frame->data,
                                       frame->caplen, frame->len, NULL, error))
    return FALSE;
  if (dropped)
    {
      g_autoptr(GByteArray) payload = g_byte_array_new ();

      cap_record_encode_drop (index, frame->ts_ns, payload);
      return cap_pcapng_writer_write_record (lab->writer, lab->iface, frame->ts_ns,
                                             payload->data, payload->len, error);
    }
  return TRUE;
}

/* Writes what is queued, all of it, then flushes once (with the records
 * the other threads buffered meanwhile). */
static gpointer
frames_writer_thread (gpointer data)
{
  SlLab *lab = data;
  gint64 last_flush = 0;

  for (;;)
    {
      GQueue batch = G_QUEUE_INIT;
      g_autoptr(GError) error = NULL;
      QueuedFrame *frame;
      gboolean ok = TRUE;

      g_mutex_lock (&lab->frames_lock);
      while (g_queue_is_empty (&lab->frames) && !lab->flush_wanted && !lab->frames_closing)
        g_cond_wait (&lab->frames_cond, &lab->frames_lock);
      /* Let a batch gather: no more than one flush per interval */
      while (!lab->frames_closing && g_get_monotonic_time () < last_flush + FLUSH_INTERVAL_US)
        g_cond_wait_until (&lab->frames_cond, &lab->frames_lock, last_flush + FLUSH_INTERVAL_US);
      if (g_queue_is_empty (&lab->frames) && !lab->flush_wanted)
        {
          g_mutex_unlock (&lab->frames_lock);
          break;
        }
      lab->flush_wanted = FALSE;
      batch = lab->frames;
      g_queue_init (&lab->frames);
      lab->frames_bytes = 0;
      g_mutex_unlock (&lab->frames_lock);

      g_mutex_lock (&lab->out_lock);
      while ((frame = g_queue_pop_head (&batch)) != NULL)
        {
          if (ok && !lab->out_failed && lab->writer != NULL)
            ok = write_frame_locked (lab, frame, &error);
          g_free (frame);
        }
      if (ok && !lab->out_failed && lab->writer != NULL)
        ok = cap_pcapng_writer_flush (lab->writer, &error);
      if (!ok)
        on_write_failed (lab, error);
      g_mutex_unlock (&lab->out_lock);
      last_flush = g_get_monotonic_time ();
    }
  return NULL;
}

/* After the capture has stopped: every frame it took is written, then the
 * writer thread ends. */
void
sl_lab_stream_drain_frames (SlLab *lab)
{
  g_mutex_lock (&lab->frames_lock);
  lab->frames_closing = TRUE;
  g_cond_signal (&lab->frames_cond);
  g_mutex_unlock (&lab->frames_lock);
  if (lab->frames_writer != NULL)
    g_thread_join (g_steal_pointer (&lab->frames_writer));
}

void
sl_lab_emit_sockstate (SlLab              *lab,
                       const CapSockState *state)
{
  g_autoptr(GByteArray) payload = g_byte_array_new ();

  cap_record_encode_sockstate (state, payload);
  write_record (lab, state->ts_ns, payload);
}

void
sl_lab_emit_gate (SlLab  *lab,
                  GArray *waiters)
{
  g_autoptr(GByteArray) payload = g_byte_array_new ();
  gint64 now = nc_now_ns ();

  cap_record_encode_gate ((const NcGateWaiter *) waiters->data, waiters->len, now, payload);
  write_record (lab, now, payload);
}

void
sl_lab_emit_end (SlLab      *lab,
                 int         status,
                 const char *error_text)
{
  g_autoptr(GByteArray) payload = g_byte_array_new ();

  cap_record_encode_end (status, error_text, payload);
  write_record (lab, nc_now_ns (), payload);
}

gboolean
sl_lab_stream_failed (SlLab *lab)
{
  gboolean ret;

  g_mutex_lock (&lab->out_lock);
  ret = lab->out_failed;
  g_mutex_unlock (&lab->out_lock);
  return ret;
}

void
sl_lab_stream_close (SlLab *lab)
{
  g_autoptr(GError) error = NULL;

  sl_lab_stream_drain_frames (lab);
  g_mutex_lock (&lab->out_lock);
  if (lab->writer != NULL && !lab->out_failed &&
      !cap_pcapng_writer_close (lab->writer, &error))
    sl_lab_complain (lab, _("output: %s"), error->message);
  g_clear_object (&lab->writer);
  g_mutex_unlock (&lab->out_lock);
}

/**
 * sl_lab_complain:
 *
 * On stderr, unless --quiet: what cannot go into the stream (it is broken, or
 * not open yet). Under --quiet the stream is the only voice the lab has: its
 * reader shows what it says, and the lab writes nothing else.
 */
void
sl_lab_complain (SlLab      *lab,
                 const char *format,
                 ...)
{
  g_autofree char *text = NULL;
  va_list args;

  if (lab->quiet)
    return;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, _("socklens-lab: %s\n"), text);
}

/* A message for the user: in the stream, and on stderr unless --quiet. */
void
sl_lab_say (SlLab       *lab,
            CapSeverity  severity,
            const char  *format,
            ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  sl_lab_emit_message (lab, severity, text);
  sl_lab_complain (lab, "%s", text);
}
