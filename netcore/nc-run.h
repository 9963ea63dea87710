/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nc-run.h: one run of a scenario: actors on threads, a recorder, a gate. */
#pragma once

#include <glib-object.h>

#include "nc-gate.h"
#include "nc-recorder.h"
#include "nc-scenario.h"

G_BEGIN_DECLS

#define NC_RUN_ERROR (nc_run_error_quark ())

typedef enum
{
  NC_RUN_ERROR_FAILED,      /* an actor failed; the message says which and why */
  NC_RUN_ERROR_PORT_IN_USE, /* the chosen port is taken (EADDRINUSE) */
  NC_RUN_ERROR_STOPPED,     /* the user stopped the run */
} NcRunError;

#define NC_TYPE_RUN (nc_run_get_type ())
G_DECLARE_FINAL_TYPE (NcRun, nc_run, NC, RUN, GObject)

GQuark            nc_run_error_quark    (void);
NcRun            *nc_run_new            (const NcScenario *scenario,
                                         const NcParams   *params);
const NcScenario *nc_run_get_scenario   (NcRun            *self);
const NcParams   *nc_run_get_params     (NcRun            *self);
NcRecorder       *nc_run_get_recorder   (NcRun            *self);
NcGate           *nc_run_get_gate       (NcRun            *self);
void              nc_run_set_stepping   (NcRun            *self,
                                         gboolean          stepping);
void              nc_run_set_lab_hosts  (NcRun            *self,
                                         gboolean          lab_hosts);
gboolean          nc_run_start          (NcRun            *self,
                                         GError          **error);
gboolean          nc_run_is_finished    (NcRun            *self);
gboolean          nc_run_wait           (NcRun            *self,
                                         GError          **error);
void              nc_run_stop           (NcRun            *self);

G_END_DECLS
