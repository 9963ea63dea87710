/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-live.c: libpcap on one interface, serviced by a capture thread.
 *
 * The handle is opened with nanosecond timestamps and a 1 ms buffer timeout:
 * with the default timeout a frame reaches us up to a second late, which
 * breaks a timeline that animates as the run goes. Not immediate mode:
 * there libpcap's ring has one whole-frame slot (128 KiB on lo) per packet,
 * 256 of them in RING_BYTES, and a fast run overflowed it within a
 * millisecond of the thread being late; with a timeout the kernel packs
 * frames into blocks (TPACKET_V3), so the same ring holds some 100,000
 * small ones, and a block reaches us at most BLOCK_TIMEOUT_MS after its
 * first frame. The thread polls pcap's
 * selectable fd together with a wake-up pipe, so a filter change or a stop
 * is taken at once instead of at the next packet.
 *
 * pcap handles are not thread-safe: once the thread runs, the handle is
 * touched only under handle_lock; other threads hand the capture thread work
 * (a new filter, stop) under the mutex.
 *
 * The kernel's ring is bounded, and with the block timeout its bound is in
 * time as much as in bytes: a block is handed over once BLOCK_TIMEOUT_MS
 * has passed since its first frame, however few frames it holds, so the
 * ring holds about RING_BYTES / 128 KiB blocks x 1 ms of steady traffic.
 * A busy machine could keep the capture thread off the CPU that long while
 * the run's own threads went on sending (udp-echo --count 100000 lost 43
 * packets at a load average over 30), and a bigger ring only moves the
 * bound. So the threads that make the traffic take frames off the ring
 * themselves when the capture thread has not for HELP_AFTER_US
 * (cap_live_help (), which the lab calls at every socket call): whoever
 * sends can only go on sending while the ring is being emptied.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>

#include "cap-live.h"

/* lo's MTU (65536) plus the Ethernet header: a whole frame, and no more, so
 * the kernel's ring holds many frames (with 256 KiB slots a 1 MiB burst
 * overflowed it) */
#define DEFAULT_SNAPLEN (65536 + 14)
/* Room for a bulk transfer on loopback: about 2,000 full-size frames. With
 * the block timeout each 128 KiB block holds at least a millisecond of
 * traffic, so the ring also rides out a capture thread kept off the CPU for
 * a second: 32 MiB (256 blocks) lost datagrams of a fast run at a load
 * average of 30 on 2 cores. */
#define RING_BYTES (128 * 1024 * 1024)
#define POLL_MS         100
#define BLOCK_TIMEOUT_MS 1
/* Two blocks' time without a drain: the capture thread is late */
#define HELP_AFTER_US (2 * BLOCK_TIMEOUT_MS * 1000)

struct _CapLive
{
  GObject           parent_instance;

  char             *iface;
  guint32           snaplen;
  guint32           ring_bytes;     /* the kernel's ring: RING_BYTES unless a test asks */
  pcap_t           *pcap;
  int               linktype;
  int               wake[2];       /* self-pipe: [0] polled by the thread */

  CapLiveFrameFunc  func;
  gpointer          func_data;
  GThread          *thread;

  GMutex            handle_lock;    /* held while using pcap once the thread runs */
  GMutex            mutex;
  GCond             cond;
  char             *pending_filter; /* for the thread to apply */
  GError           *filter_error;   /* its answer */
  guint64           filter_serial;  /* bumped when a pending filter was applied */
  gint64            last_frame_us;  /* monotonic time of the last frame */
  guint32           n_frames;
  guint64           n_dropped;      /* pcap_stats: ps_drop + ps_ifdrop */
  gboolean          immediate;      /* immediate mode instead of the block timeout */
  gint64            stats_us;       /* when they were last read */
  gint64            drained_us;     /* monotonic time the ring was last emptied */
  gboolean          running;        /* the capture thread was started */
  gboolean          stopping;
};

G_DEFINE_FINAL_TYPE (CapLive, cap_live, G_TYPE_OBJECT)
G_DEFINE_QUARK (cap-live-error-quark, cap_live_error)

static void
cap_live_dispose (GObject *object)
{
  CapLive *self = CAP_LIVE (object);

  cap_live_stop (self);
  G_OBJECT_CLASS (cap_live_parent_class)->dispose (object);
}

static void
cap_live_finalize (GObject *object)
{
  CapLive *self = CAP_LIVE (object);

  g_clear_pointer (&self->pcap, pcap_close);
  for (guint i = 0; i < 2; i++)
    if (self->wake[i] >= 0)
      close (self->wake[i]);
  g_free (self->iface);
  g_free (self->pending_filter);
  g_clear_error (&self->filter_error);
  g_mutex_clear (&self->handle_lock);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (cap_live_parent_class)->finalize (object);
}

static void
cap_live_class_init (CapLiveClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cap_live_dispose;
  object_class->finalize = cap_live_finalize;
}

static void
cap_live_init (CapLive *self)
{
  g_mutex_init (&self->handle_lock);
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->snaplen = DEFAULT_SNAPLEN;
  self->ring_bytes = RING_BYTES;
  self->linktype = -1;
  self->wake[0] = self->wake[1] = -1;
}

/**
 * cap_live_new:
 * @iface: (nullable): the interface, "lo" if %NULL
 *
 * Nothing is opened yet: cap_live_open () does that, so a caller can learn
 * whether capturing is allowed before it commits to a way of running.
 */
CapLive *
cap_live_new (const char *iface)
{
  CapLive *self = g_object_new (CAP_TYPE_LIVE, NULL);

  self->iface = g_strdup (iface != NULL ? iface : "lo");
  return self;
}

const char *
cap_live_get_interface (CapLive *self)
{
  g_return_val_if_fail (CAP_IS_LIVE (self), NULL);
  return self->iface;
}

void
cap_live_set_snaplen (CapLive *self,
                      guint32  snaplen)
{
  g_return_if_fail (CAP_IS_LIVE (self));
  g_return_if_fail (self->pcap == NULL);
  self->snaplen = snaplen > 0 ? snaplen : DEFAULT_SNAPLEN;
}

guint32
cap_live_get_snaplen (CapLive *self)
{
  g_return_val_if_fail (CAP_IS_LIVE (self), 0);
  return self->snaplen;
}

/* libpcap's own text is the most precise ("socket: Operation not permitted");
 * its status name is the fallback. */
static const char *
pcap_reason (pcap_t *p,
             int     status)
{
  const char *text = pcap_geterr (p);

  return text != NULL && text[0] != '\0' ? text : pcap_statustostr (status);
}

static void
set_activate_error (CapLive  *self,
                    int       status,
                    GError  **error)
{
  const char *reason = pcap_reason (self->pcap, status);

  switch (status)
    {
    case PCAP_ERROR_PERM_DENIED:
      g_set_error (error, CAP_LIVE_ERROR, CAP_LIVE_ERROR_PERMISSION,
                   _("Cannot capture on %s: %s (needs CAP_NET_RAW; run the lab in its own "
                     "network namespace, or as described in docs/LAB.md)"), self->iface, reason);
      break;
    case PCAP_ERROR_NO_SUCH_DEVICE:
    case PCAP_ERROR_IFACE_NOT_UP:
      g_set_error (error, CAP_LIVE_ERROR, CAP_LIVE_ERROR_NO_DEVICE,
                   _("Cannot capture on %s: %s"), self->iface, reason);
      break;
    default:
      g_set_error (error, CAP_LIVE_ERROR, CAP_LIVE_ERROR_FAILED,
                   _("Cannot capture on %s: %s"), self->iface, reason);
      break;
    }
}

static gboolean
configure (CapLive  *self,
           GError  **error)
{
  if (pcap_set_snaplen (self->pcap, (int) self->snaplen) != 0 ||
      (self->immediate ? pcap_set_immediate_mode (self->pcap, 1)
                       : pcap_set_timeout (self->pcap, BLOCK_TIMEOUT_MS)) != 0 ||
      pcap_set_tstamp_precision (self->pcap, PCAP_TSTAMP_PRECISION_NANO) != 0 ||
      pcap_set_buffer_size (self->pcap, (int) self->ring_bytes) != 0)
    {
      g_set_error (error, CAP_LIVE_ERROR, CAP_LIVE_ERROR_FAILED,
                   _("Cannot capture on %s: %s"), self->iface, pcap_geterr (self->pcap));
      return FALSE;
    }
  return TRUE;
}

/**
 * cap_live_open:
 *
 * Opens the interface (pcap_create, pcap_activate). This is where missing
 * privileges show: the error then says so (%CAP_LIVE_ERROR_PERMISSION).
 */
gboolean
cap_live_open (CapLive  *self,
               GError  **error)
{
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  int status;

  g_return_val_if_fail (CAP_IS_LIVE (self), FALSE);
  g_return_val_if_fail (self->pcap == NULL, FALSE);

  self->pcap = pcap_create (self->iface, errbuf);
  if (self->pcap == NULL)
    {
      g_set_error (error, CAP_LIVE_ERROR, CAP_LIVE_ERROR_FAILED, _("Cannot capture on %s: %s"),
                   self->iface, errbuf);
      return FALSE;
    }
  if (!configure (self, error))
    {
      g_clear_pointer (&self->pcap, pcap_close);
      return FALSE;
    }

  status = pcap_activate (self->pcap);
  if (status < 0)
    {
      set_activate_error (self, status, error);
      g_clear_pointer (&self->pcap, pcap_close);
      return FALSE;
    }
  /* status > 0 is a warning (say, no hardware timestamps): harmless here. */

  self->linktype = pcap_datalink (self->pcap);
  if (pcap_setnonblock (self->pcap, 1, errbuf) != 0)
    {
      g_set_error (error, CAP_LIVE_ERROR, CAP_LIVE_ERROR_FAILED, _("Cannot capture on %s: %s"),
                   self->iface, errbuf);
      g_clear_pointer (&self->pcap, pcap_close);
      return FALSE;
    }
  return TRUE;
}

/* The link type for pcapng (1, Ethernet, for lo and veth), 0 before open.
 * DLT_ and LINKTYPE_ numbers agree for every type Linux gives these. */
guint32
cap_live_get_linktype (CapLive *self)
{
  g_return_val_if_fail (CAP_IS_LIVE (self), 0);
  return self->linktype >= 0 ? (guint32) self->linktype : 0;
}

/* Only on the thread that owns the handle. An empty filter takes everything. */
static gboolean
apply_filter (CapLive     *self,
              const char  *filter,
              GError     **error)
{
  struct bpf_program program;

  if (pcap_compile (self->pcap, &program, filter != NULL ? filter : "", 1,
                    PCAP_NETMASK_UNKNOWN) != 0)
    {
      g_set_error (error, CAP_LIVE_ERROR, CAP_LIVE_ERROR_FILTER, _("Bad capture filter “%s”: %s"),
                   filter, pcap_geterr (self->pcap));
      return FALSE;
    }
  if (pcap_setfilter (self->pcap, &program) != 0)
    {
      g_set_error (error, CAP_LIVE_ERROR, CAP_LIVE_ERROR_FILTER,
                   _("Could not set the capture filter “%s”: %s"), filter, pcap_geterr (self->pcap));
      pcap_freecode (&program);
      return FALSE;
    }
  pcap_freecode (&program);
  return TRUE;
}

static void
wake_thread (CapLive *self)
{
  char c = 1;

  if (self->wake[1] >= 0)
    while (write (self->wake[1], &c, 1) < 0 && errno == EINTR)
      ;
}

/**
 * cap_live_set_filter:
 * @filter: (nullable): a BPF expression, or %NULL/"" for everything
 *
 * Before start this applies at once; while capturing, the capture thread
 * applies it and this waits until it has, so the caller knows frames from
 * now on pass the new filter (say, once a server has learnt its port).
 */
gboolean
cap_live_set_filter (CapLive     *self,
                     const char  *filter,
                     GError     **error)
{
  guint64 serial;

  g_return_val_if_fail (CAP_IS_LIVE (self), FALSE);
  g_return_val_if_fail (self->pcap != NULL, FALSE);

  if (self->thread == NULL)
    return apply_filter (self, filter, error);

  g_mutex_lock (&self->mutex);
  g_free (self->pending_filter);
  self->pending_filter = g_strdup (filter != NULL ? filter : "");
  serial = self->filter_serial;
  wake_thread (self);
  while (self->filter_serial == serial && !self->stopping)
    g_cond_wait (&self->cond, &self->mutex);
  if (self->filter_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->filter_error));
      g_mutex_unlock (&self->mutex);
      return FALSE;
    }
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

static void
on_pcap_frame (u_char                   *user,
               const struct pcap_pkthdr *header,
               const u_char             *bytes)
{
  CapLive *self = (CapLive *) user;
  CapLiveFrame frame = {
    /* nanosecond precision: tv_usec holds nanoseconds */
    .ts_ns = (gint64) header->ts.tv_sec * G_GINT64_CONSTANT (1000000000) + header->ts.tv_usec,
    .data = bytes,
    .caplen = header->caplen,
    .len = header->len,
  };

  g_mutex_lock (&self->mutex);
  frame.index = self->n_frames++;
  self->last_frame_us = g_get_monotonic_time ();
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  if (self->func != NULL)
    self->func (&frame, self->func_data);
}

static void
take_pending_filter (CapLive *self)
{
  g_autofree char *filter = NULL;
  GError *local = NULL;

  g_mutex_lock (&self->mutex);
  filter = g_steal_pointer (&self->pending_filter);
  g_mutex_unlock (&self->mutex);
  if (filter == NULL)
    return;

  g_mutex_lock (&self->handle_lock);
  apply_filter (self, filter, &local);
  g_mutex_unlock (&self->handle_lock);

  g_mutex_lock (&self->mutex);
  g_clear_error (&self->filter_error);
  self->filter_error = local;
  self->filter_serial++;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

static gboolean
is_stopping (CapLive *self)
{
  gboolean ret;

  g_mutex_lock (&self->mutex);
  ret = self->stopping;
  g_mutex_unlock (&self->mutex);
  return ret;
}

#define STATS_INTERVAL_US 50000

/* The kernel's count of frames it could not give us (its ring was full).
 * Only on the capture thread, at most every STATS_INTERVAL_US unless @now. */
static void
read_stats (CapLive  *self,
            gboolean  now)
{
  struct pcap_stat ps;
  gint64 t = g_get_monotonic_time ();

  if (!now && t - self->stats_us < STATS_INTERVAL_US)
    return;
  self->stats_us = t;
  if (pcap_stats (self->pcap, &ps) != 0)
    return;
  g_mutex_lock (&self->mutex);
  self->n_dropped = (guint64) ps.ps_drop + ps.ps_ifdrop;
  g_mutex_unlock (&self->mutex);
}

/* With handle_lock held: takes every frame the kernel has handed over.
 * Returns: FALSE on a capture error (the interface went away). */
static gboolean
drain_locked (CapLive *self)
{
  int n;

  while ((n = pcap_dispatch (self->pcap, -1, on_pcap_frame, (u_char *) self)) > 0)
    ;
  read_stats (self, FALSE);
  g_mutex_lock (&self->mutex);
  self->drained_us = g_get_monotonic_time ();
  g_mutex_unlock (&self->mutex);
  return n != PCAP_ERROR;
}

static gpointer
capture_thread (gpointer data)
{
  CapLive *self = data;
  struct pollfd fds[2] = {
    { .fd = pcap_get_selectable_fd (self->pcap), .events = POLLIN },
    { .fd = self->wake[0], .events = POLLIN },
  };

  while (!is_stopping (self))
    {
      char drain[64];
      gboolean ok = TRUE;

      take_pending_filter (self);
      if (poll (fds, 2, POLL_MS) < 0 && errno != EINTR)
        break;
      if (fds[1].revents & POLLIN)
        while (read (self->wake[0], drain, sizeof drain) > 0)
          ;
      /* Non-blocking: takes what is there, returns 0 when nothing is. */
      g_mutex_lock (&self->handle_lock);
      if (fds[0].revents & (POLLIN | POLLERR))
        ok = drain_locked (self);
      else
        read_stats (self, FALSE);
      g_mutex_unlock (&self->handle_lock);
      if (!ok)
        break;
    }

  /* What arrived before the stop still counts. */
  g_mutex_lock (&self->handle_lock);
  drain_locked (self);
  read_stats (self, TRUE);
  g_mutex_unlock (&self->handle_lock);

  /* The loop also ends on an error (the interface went away): then nobody
   * would apply a pending filter, and cap_live_set_filter () would wait for
   * it forever (in the lab, inside the recorder's listener: the whole run
   * hangs). Whatever the reason, the capture is over. */
  g_mutex_lock (&self->mutex);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
  return NULL;
}

/**
 * cap_live_help:
 *
 * For the threads that make the traffic, before each thing they send or
 * receive: if the capture thread has not emptied the kernel's ring for
 * HELP_AFTER_US (the machine is busy and it is waiting for a CPU), the
 * caller takes the frames itself, on the capture thread's behalf (the same
 * callback, in the same order). If the capture thread was kept waiting in
 * the middle of taking frames, this waits for it: the caller sends nothing
 * more until the ring is being emptied. Costs a clock read when the capture
 * thread keeps up. Must not be called from the frame callback, nor holding
 * a lock the callback takes.
 */
void
cap_live_help (CapLive *self)
{
  gboolean due;

  g_return_if_fail (CAP_IS_LIVE (self));

  g_mutex_lock (&self->mutex);
  due = self->running && !self->stopping &&
        g_get_monotonic_time () - self->drained_us >= HELP_AFTER_US;
  g_mutex_unlock (&self->mutex);
  if (!due)
    return;
  g_mutex_lock (&self->handle_lock);
  /* After a stop the capture thread's last drain is the last one */
  if (!is_stopping (self))
    drain_locked (self);
  g_mutex_unlock (&self->handle_lock);
}

/**
 * cap_live_start:
 * @func: called on the capture thread for each frame
 *
 * Opens the interface first if cap_live_open () was not called.
 */
gboolean
cap_live_start (CapLive           *self,
                CapLiveFrameFunc   func,
                gpointer           user_data,
                GError           **error)
{
  g_return_val_if_fail (CAP_IS_LIVE (self), FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  if (self->pcap == NULL && !cap_live_open (self, error))
    return FALSE;
  if (pcap_get_selectable_fd (self->pcap) < 0)
    {
      g_set_error (error, CAP_LIVE_ERROR, CAP_LIVE_ERROR_FAILED,
                   _("Cannot capture on %s: no selectable descriptor"), self->iface);
      return FALSE;
    }
  if (!g_unix_open_pipe (self->wake, FD_CLOEXEC, error) ||
      !g_unix_set_fd_nonblocking (self->wake[0], TRUE, error))
    return FALSE;

  self->func = func;
  self->func_data = user_data;
  self->last_frame_us = g_get_monotonic_time ();
  self->drained_us = self->last_frame_us;
  self->thread = g_thread_try_new ("capture", capture_thread, self, error);
  g_mutex_lock (&self->mutex);
  self->running = self->thread != NULL;
  g_mutex_unlock (&self->mutex);
  return self->thread != NULL;
}

gboolean
cap_live_is_running (CapLive *self)
{
  g_return_val_if_fail (CAP_IS_LIVE (self), FALSE);
  return self->thread != NULL;
}

guint32
cap_live_get_n_frames (CapLive *self)
{
  guint32 ret;

  g_return_val_if_fail (CAP_IS_LIVE (self), 0);
  g_mutex_lock (&self->mutex);
  ret = self->n_frames;
  g_mutex_unlock (&self->mutex);
  return ret;
}

/**
 * cap_live_set_ring_size:
 * @bytes: the kernel's ring for the capture, 0 for the default (128 MiB)
 *
 * Before cap_live_open (). A smaller ring holds less of a burst: for tests
 * that need it to overflow while the capture thread is kept waiting.
 */
void
cap_live_set_ring_size (CapLive *self,
                        guint32  bytes)
{
  g_return_if_fail (CAP_IS_LIVE (self));
  g_return_if_fail (self->pcap == NULL);
  self->ring_bytes = bytes > 0 ? bytes : RING_BYTES;
}

/**
 * cap_live_set_immediate_mode:
 * Before cap_live_open (): immediate mode (one whole-frame slot per packet)
 * instead of the 1 ms block timeout. For a capture whose filter changes
 * while it runs: with libpcap 1.10's block ring, frames that arrived around
 * a filter change were not delivered (udp-echo on a filtered lo lost 4 of
 * its 6 datagrams); in immediate mode they are.
 */
void
cap_live_set_immediate_mode (CapLive  *self,
                             gboolean  immediate)
{
  g_return_if_fail (CAP_IS_LIVE (self));
  g_return_if_fail (self->pcap == NULL);
  self->immediate = immediate;
}

/**
 * cap_live_get_n_lost:
 * Frames the kernel captured but could not hand over (its buffer was
 * full), as pcap_stats () says, read every 50 ms and at the stop. On lo
 * the kernel counts each frame twice (it also sees the outgoing copy that
 * libpcap discards), so there the count is halved.
 */
guint64
cap_live_get_n_lost (CapLive *self)
{
  guint64 ret;

  g_return_val_if_fail (CAP_IS_LIVE (self), 0);
  g_mutex_lock (&self->mutex);
  ret = self->n_dropped;
  g_mutex_unlock (&self->mutex);
  return g_strcmp0 (self->iface, "lo") == 0 ? (ret + 1) / 2 : ret;
}

/**
 * cap_live_stop_when_quiet:
 * @quiet_ms: stop once no frame has come for this long
 * @max_ms: stop after this long whatever comes
 *
 * For the end of a run: the last actor has returned, but its FIN/ACK may
 * still be on the way. Blocks, then stops the capture.
 */
void
cap_live_stop_when_quiet (CapLive *self,
                          guint    quiet_ms,
                          guint    max_ms)
{
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + (gint64) max_ms * 1000;

  g_return_if_fail (CAP_IS_LIVE (self));

  if (self->thread == NULL)
    return;

  g_mutex_lock (&self->mutex);
  /* Quiet is counted from now at the earliest: frames sent just before the
   * call may not have reached the tap yet. */
  self->last_frame_us = MAX (self->last_frame_us, start);
  while (!self->stopping)
    {
      gint64 until = MIN (self->last_frame_us + (gint64) quiet_ms * 1000, deadline);

      if (g_get_monotonic_time () >= until)
        break;
      g_cond_wait_until (&self->cond, &self->mutex, until);
    }
  g_mutex_unlock (&self->mutex);

  cap_live_stop (self);
}

/* Stops the capture thread after it has taken what is already buffered. */
void
cap_live_stop (CapLive *self)
{
  g_return_if_fail (CAP_IS_LIVE (self));

  if (self->thread == NULL)
    return;

  g_mutex_lock (&self->mutex);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  wake_thread (self);
  g_mutex_unlock (&self->mutex);

  g_thread_join (g_steal_pointer (&self->thread));
}
