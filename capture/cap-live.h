/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-live.h: live capture with libpcap on one interface, frames handed out as they arrive. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define CAP_LIVE_ERROR (cap_live_error_quark ())

typedef enum
{
  CAP_LIVE_ERROR_PERMISSION,  /* opening the interface needs CAP_NET_RAW */
  CAP_LIVE_ERROR_NO_DEVICE,   /* no such interface, or it is down */
  CAP_LIVE_ERROR_FILTER,      /* the BPF filter does not compile */
  CAP_LIVE_ERROR_FAILED,      /* anything else libpcap reports */
} CapLiveError;

/**
 * CapLiveFrame:
 * @ts_ns: CLOCK_REALTIME nanoseconds, as the kernel stamped the frame
 * @data: the captured bytes; valid during the callback only
 * @caplen: bytes at @data
 * @len: bytes the frame had on the wire
 * @index: frames delivered so far by this capture, from 0
 */
typedef struct
{
  gint64        ts_ns;
  const guint8 *data;
  guint32       caplen;
  guint32       len;
  guint32       index;
} CapLiveFrame;

/* Called on the capture thread, once per frame, in capture order. */
typedef void (*CapLiveFrameFunc) (const CapLiveFrame *frame,
                                  gpointer            user_data);

#define CAP_TYPE_LIVE (cap_live_get_type ())
G_DECLARE_FINAL_TYPE (CapLive, cap_live, CAP, LIVE, GObject)

GQuark       cap_live_error_quark       (void);
CapLive     *cap_live_new               (const char        *iface);
const char  *cap_live_get_interface     (CapLive           *self);
void         cap_live_set_snaplen       (CapLive           *self,
                                         guint32            snaplen);
guint32      cap_live_get_snaplen       (CapLive           *self);
gboolean     cap_live_open              (CapLive           *self,
                                         GError           **error);
guint32      cap_live_get_linktype      (CapLive           *self);
gboolean     cap_live_set_filter        (CapLive           *self,
                                         const char        *filter,
                                         GError           **error);
gboolean     cap_live_start             (CapLive           *self,
                                         CapLiveFrameFunc   func,
                                         gpointer           user_data,
                                         GError           **error);
gboolean     cap_live_is_running        (CapLive           *self);
void         cap_live_help              (CapLive           *self);
void         cap_live_set_ring_size     (CapLive           *self,
                                         guint32            bytes);
guint32      cap_live_get_n_frames      (CapLive           *self);
guint64      cap_live_get_n_lost        (CapLive           *self);
void         cap_live_set_immediate_mode (CapLive          *self,
                                         gboolean          immediate);
void         cap_live_stop_when_quiet   (CapLive           *self,
                                         guint              quiet_ms,
                                         guint              max_ms);
void         cap_live_stop              (CapLive           *self);

G_END_DECLS
