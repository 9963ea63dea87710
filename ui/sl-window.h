/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-window.h: the main window: a scenario, its run or a file, on one timeline. */
#pragma once

#include <adwaita.h>

#include "sl-live-run.h"
#include "sl-session.h"

G_BEGIN_DECLS

#define SL_TYPE_WINDOW (sl_window_get_type ())
G_DECLARE_FINAL_TYPE (SlWindow, sl_window, SL, WINDOW, AdwApplicationWindow)

/* Actions (win.): open, open-recent(s), save, export-diagram, export-events, run, step,
 * step-actor(u), pause, stop, restart, choose-scenario(s), fullscreen, presentation (a toggle),
 * side-pane (show or hide the code or conversation pane). */

SlWindow         *sl_window_new               (GtkApplication *application);
SlSession        *sl_window_get_session       (SlWindow       *self);
/* The live run shown now, or NULL (a file, or nothing yet) */
SlLiveRun        *sl_window_get_live_run      (SlWindow       *self);
const NcScenario *sl_window_get_scenario      (SlWindow       *self);
void              sl_window_set_programs      (SlWindow       *self,
                                               const char *const *programs);
gboolean          sl_window_set_example       (SlWindow       *self,
                                               const char     *name);
/* What Run and Step trace in place of a scenario, or NULL */
const char *const *sl_window_get_programs     (SlWindow       *self);
gboolean          sl_window_set_scenario      (SlWindow       *self,
                                               const char     *name);
/* The chosen scenario's port, message and count for its next run (kept per scenario) */
const NcParams   *sl_window_get_parameters    (SlWindow       *self);
void              sl_window_set_parameters    (SlWindow       *self,
                                               guint16         port,
                                               const char     *message,
                                               guint           count);
/* The header bar's name for what is shown: the scenario, or a foreign file's name */
const char       *sl_window_get_heading       (SlWindow       *self);
/* Loads in a worker thread; the recording is swapped in when it is read. */
void              sl_window_open_file         (SlWindow       *self,
                                               GFile          *file);
/* Dropped or named files: programs to trace, else the first recording */
gboolean          sl_window_open_files        (SlWindow       *self,
                                               GFile         **files,
                                               guint           n_files);
/* What to select once the next file is read (--select) */
void              sl_window_select_when_loaded (SlWindow      *self,
                                                SlSelectionKind kind,
                                                guint          index);
/* TRUE while a file is being read */
gboolean          sl_window_is_loading        (SlWindow       *self);
/* win.save after its file chooser */
void              sl_window_save              (SlWindow       *self,
                                               GFile          *file);
/* TRUE while a recording is being written */
gboolean          sl_window_is_saving         (SlWindow       *self);
/* The message bar's text while it shows, else NULL */
const char       *sl_window_get_message       (SlWindow       *self);
/* Where live runs' recovery files go: ~/.cache/socklens/recovery */
char             *sl_window_get_recovery_dir  (void);
/* The file a run left behind that the recovery bar offers now, or NULL */
const char       *sl_window_get_recovery_offer (SlWindow      *self);
/* win.presentation: full screen, large type, high contrast, slow playback */
gboolean          sl_window_get_presentation  (SlWindow       *self);
void              sl_window_set_presentation  (SlWindow       *self,
                                               gboolean        presentation);
/* win.export-diagram after its file chooser: writes, then a toast or the message bar */
gboolean          sl_window_export_diagram    (SlWindow       *self,
                                               const char     *path,
                                               GError        **error);
/* win.export-events after its file chooser: .csv or .json (docs/EVENTS.md) */
gboolean          sl_window_export_events     (SlWindow       *self,
                                               const char     *path,
                                               GError        **error);

G_END_DECLS
