/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nc-gate.h: the step gate. When closed, each call waits for the controller. */
#pragma once

#include <glib-object.h>

#include "nc-call.h"

G_BEGIN_DECLS

#define NC_TYPE_GATE (nc_gate_get_type ())
G_DECLARE_FINAL_TYPE (NcGate, nc_gate, NC, GATE, GObject)

/* What is held at the gate, for a controller to show ("next: client connect()"). */
typedef struct
{
  guint      actor;
  NcCallKind kind;
  gint32     fd;
  gint64     since_ns;
} NcGateWaiter;

/* Whether two lists of waiters hold the same calls (since_ns tells a new
 * call of an actor from the one just released). */
gboolean  nc_gate_waiters_equal    (GArray       *a,
                                    GArray       *b);

NcGate   *nc_gate_new              (void);
void      nc_gate_set_stepping     (NcGate       *self,
                                    gboolean      stepping);
gboolean  nc_gate_get_stepping     (NcGate       *self);
gboolean  nc_gate_step             (NcGate       *self);
gboolean  nc_gate_step_actor       (NcGate       *self,
                                    guint         actor);
void      nc_gate_run              (NcGate       *self);
void      nc_gate_pause            (NcGate       *self);
void      nc_gate_stop             (NcGate       *self);
gboolean  nc_gate_is_stopped       (NcGate       *self);
guint     nc_gate_get_n_waiting    (NcGate       *self);
GArray   *nc_gate_copy_waiters     (NcGate       *self);
gboolean  nc_gate_wait_for_waiter  (NcGate       *self,
                                    gint64        timeout_us);
guint     nc_gate_get_n_released   (NcGate       *self);

/* Called by the recorder on the actor's thread; FALSE when stopped. */
gboolean  nc_gate_pass             (NcGate       *self,
                                    guint         actor,
                                    NcCallKind    kind,
                                    gint32        fd);

G_END_DECLS
