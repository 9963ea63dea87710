/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-toast-queue.h: toasts shown one at a time, none dismissed while it slides in. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SL_TYPE_TOAST_QUEUE (sl_toast_queue_get_type ())
G_DECLARE_FINAL_TYPE (SlToastQueue, sl_toast_queue, SL, TOAST_QUEUE, GObject)

SlToastQueue *sl_toast_queue_new (AdwToastOverlay *overlay);
void          sl_toast_queue_add (SlToastQueue *self, AdwToast *toast);

G_END_DECLS
