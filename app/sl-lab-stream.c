/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-lab-stream.c: the lab's one output, a pcapng stream on stdout.
 *
 * Actor threads (calls), the capture thread (packets), the sock_diag thread
 * (socket states) and the control thread (the step gate) all write here.
 * Each adds whole blocks to one buffer in memory, under one mutex held only
 * for the copy; the sender thread takes what has gathered (a swap of two
 * arrays) and writes it down the pipe with no lock held. It waits for work,
 * not for time: what arrives while one batch goes down the pipe is the next
 * batch, and it yields once before taking one, so the threads that are
 * running add theirs (without that, ping-pong traffic went out a few records
 * a write, and the switching cost the lab half again its CPU). A fast run
 * goes out in large writes and a slow one at once (two
 * records per call, a write each, were once most of what a fast run cost
 * the lab and the app; later a 1 ms timer gathered them, and the actors
 * waited for the pipe under the lock the sender held while it wrote).
 *
 * Frames never wait: a capture thread kept from libpcap's ring loses
 * packets. One that finds more than FRAMES_PENDING_MAX bytes unsent is
 * counted as lost and reported, never silently. Records do wait, above
 * RECORDS_PENDING_MAX: the run goes at the pace of the app that reads it,
 * and nothing the run did is dropped.
 *
 * If the pipe breaks (the app went away), the run is stopped: nobody is
 * left to show it to.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <gio/gunixoutputstream.h>

#include "sl-lab-private.h"

#define FRAMES_PENDING_MAX  (512 * 1024 * 1024)
#define RECORDS_PENDING_MAX (256 * 1024)  /* about 1,000 calls: the app stays within a frame */

static gpointer sender_thread (gpointer data);

static void
on_write_failed (SlLab  *lab,
                 GError *error)
{
  if (!lab->out_failed)
    {
      lab->out_failed = TRUE;
      g_cond_broadcast (&lab->out_room);
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
  gboolean ok;

  lab->writer = cap_pcapng_writer_new_buffered ();
  lab->sender = g_thread_new ("lab-sender", sender_thread, lab);
  g_mutex_lock (&lab->out_lock);
  ok = cap_pcapng_writer_add_interface (lab->writer, linktype, snaplen,
                                        lab->capture_iface ? lab->capture_iface : "lo",
                                        &lab->iface, error);
  g_cond_signal (&lab->out_work);
  g_mutex_unlock (&lab->out_lock);
  return ok;
}

/* With out_lock held, when the buffer has just stopped being empty: a
 * condition's signal is a system call even with nobody waiting, and the
 * sender waits only when it has sent everything. */
static void
wake_sender_locked (SlLab *lab)
{
  if (lab->sender_idle)
    g_cond_signal (&lab->out_work);
}

/* With out_lock held */
static void
write_record_locked (SlLab      *lab,
                     gint64      ts_ns,
                     GByteArray *payload)
{
  g_autoptr(GError) error = NULL;
  gsize pending;

  /* Far ahead of the app: wait for the sender (the run goes at the app's
   * pace; nothing is dropped) */
  while (lab->writer != NULL && !lab->out_failed && !lab->out_closing &&
         cap_pcapng_writer_get_pending_size (lab->writer) > RECORDS_PENDING_MAX)
    {
      lab->out_room_waiters++;
      g_cond_wait (&lab->out_room, &lab->out_lock);
      lab->out_room_waiters--;
    }
  /* Closed (a late message from a thread still ending): nothing to add to */
  if (lab->out_failed || lab->out_closing || lab->writer == NULL)
    return;
  pending = cap_pcapng_writer_get_pending_size (lab->writer);
  if (!cap_pcapng_writer_write_record (lab->writer, lab->iface, MAX (ts_ns, 0), payload->data,
                                       payload->len, &error))
    on_write_failed (lab, error);
  else if (pending == 0)
    wake_sender_locked (lab);
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

/* Each thread encodes its calls into one array of its own, kept for the
 * next (two records per call: an allocation and its growth each were a
 * tenth of an actor's time in the lab) */
static GPrivate call_payload = G_PRIVATE_INIT ((GDestroyNotify) g_byte_array_unref);

void
sl_lab_emit_call (SlLab        *lab,
                  const NcCall *call,
                  NcCallPhase   phase)
{
  GByteArray *payload = g_private_get (&call_payload);

  if (payload == NULL)
    {
      payload = g_byte_array_sized_new (1024);
      g_private_set (&call_payload, payload);
    }
  g_byte_array_set_size (payload, 0);
  cap_record_encode_call (call, phase, payload);
  write_record (lab, phase == NC_CALL_PHASE_ENTER ? call->ts_start : call->ts_end, payload);
}

/* Ethernet + IPv4 or IPv6: what the drop rule counts (ARP and the like are not
 * in a connection). */
static gboolean
is_ip_frame (const CapLiveFrame *frame)
{
  guint16 type;

  if (frame->caplen < 14)
    return FALSE;
  type = (guint16) ((frame->data[12] << 8) | frame->data[13]);
  return type == 0x0800 || type == 0x86DD;
}

/* With out_lock held: its EPB, and if it is the one the link loses, a DROP
 * record naming it (the tap saw it before nftables dropped it). */
static gboolean
write_frame_locked (SlLab              *lab,
                    const CapLiveFrame *frame,
                    GError            **error)
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

/* On the capture thread: a copy into the buffer, nothing that waits for the
 * pipe (the lock is held only for copies). */
void
sl_lab_emit_frame (SlLab              *lab,
                   const CapLiveFrame *frame)
{
  g_autoptr(GError) error = NULL;
  gsize pending;

  g_mutex_lock (&lab->out_lock);
  if (lab->out_failed || lab->out_closing || lab->writer == NULL)
    {
      g_mutex_unlock (&lab->out_lock);
      return;
    }
  pending = cap_pcapng_writer_get_pending_size (lab->writer);
  if (pending + frame->caplen > FRAMES_PENDING_MAX)
    lab->frames_lost++;
  else if (!write_frame_locked (lab, frame, &error))
    on_write_failed (lab, error);
  else if (pending == 0)
    wake_sender_locked (lab);
  g_mutex_unlock (&lab->out_lock);
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* Sends what has gathered, a batch at a time, until the stream is closed
 * and all of it sent (or the pipe broke). */
static gpointer
sender_thread (gpointer data)
{
  SlLab *lab = data;
  GByteArray *sending = g_byte_array_new ();

  g_mutex_lock (&lab->out_lock);
  for (;;)
    {
      lab->sender_idle = TRUE;
      while (!lab->out_failed && !lab->out_closing &&
             cap_pcapng_writer_get_pending_size (lab->writer) == 0)
        g_cond_wait (&lab->out_work, &lab->out_lock);
      lab->sender_idle = FALSE;
      if (lab->out_failed || cap_pcapng_writer_get_pending_size (lab->writer) == 0)
        break;  /* broken, or closed with everything sent */
      /* Let the threads that are running add what they have before the
       * batch goes (a hint to the scheduler, not a wait) */
      g_mutex_unlock (&lab->out_lock);
      g_thread_yield ();
      g_mutex_lock (&lab->out_lock);
      sending = cap_pcapng_writer_swap_pending (lab->writer, sending);
      if (lab->out_room_waiters > 0)
        g_cond_broadcast (&lab->out_room);
      g_mutex_unlock (&lab->out_lock);

      if (!write_all (STDOUT_FILENO, sending->data, sending->len))
        {
          int saved = errno;
          g_autoptr(GError) error = g_error_new (G_IO_ERROR, g_io_error_from_errno (saved),
                                                 _("could not write to the app: %s"),
                                                 g_strerror (saved));

          g_mutex_lock (&lab->out_lock);
          on_write_failed (lab, error);
          break;
        }
      g_mutex_lock (&lab->out_lock);
    }
  g_mutex_unlock (&lab->out_lock);
  g_byte_array_unref (sending);
  return NULL;
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

  g_mutex_lock (&lab->out_lock);
  if (lab->writer != NULL && !lab->out_failed &&
      !cap_pcapng_writer_close (lab->writer, &error))
    sl_lab_complain (lab, _("output: %s"), error->message);
  /* The sender sends what is left, then ends */
  lab->out_closing = TRUE;
  g_cond_signal (&lab->out_work);
  g_cond_broadcast (&lab->out_room);
  g_mutex_unlock (&lab->out_lock);
  if (lab->sender != NULL)
    g_thread_join (g_steal_pointer (&lab->sender));
  g_mutex_lock (&lab->out_lock);
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
