/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-test-window.h: what the window's tests share (test-window-*.c).
 *
 * Each test program drives real SlWindows of one SlApplication under Xvfb:
 * it waits for conditions on the main loop (never for a time), steps and
 * runs live runs through the window's actions as the keyboard would, and
 * looks at what the window shows. Runs go through the real socklens-lab
 * helper; where the lab cannot capture (no user namespaces and no
 * CAP_NET_RAW) packet checks are skipped, and as root (CI) they must pass.
 */
#pragma once

#include <adwaita.h>

#include "sl-application.h"
#include "sl-test-capture.h"
#include "sl-timeline-view.h"
#include "sl-window.h"

G_BEGIN_DECLS

/* Sets up a private HOME, GTK and the application; call first in main () */
void               sl_test_window_init            (int          *argc,
                                                   char       ***argv);
/* Runs the cases added, then frees the application */
int                sl_test_window_run             (void);
SlApplication     *sl_test_app                    (void);
/* A temporary directory of this test program's own */
const char        *sl_test_tmp_dir                (void);

typedef gboolean (*SlTestCondition) (gpointer data);

/* Runs the main loop until @cond holds (TRUE) or @timeout_ms passes (FALSE):
 * the timeout guards against a hang, it is not a timing assertion */
gboolean           sl_test_wait_for               (SlTestCondition cond,
                                                   gpointer        data,
                                                   guint           timeout_ms);
/* Lets the main loop run for @ms, whatever happens */
void               sl_test_spin                   (guint         ms);
/* The first widget of @type under @root (itself included), or NULL */
GtkWidget         *sl_test_find_widget            (GtkWidget    *root,
                                                   GType         type);
/* With SOCKLENS_SCREENSHOT_DIR set, saves what @widget shows now as
 * NAME.png there, rendered by its own renderer: for looking at a live
 * run's state, which a screenshot tool cannot time */
void               sl_test_save_widget_screenshot (GtkWidget    *widget,
                                                   const char   *name);
void               sl_test_save_screenshot        (SlWindow     *window,
                                                   const char   *name);

/* The shown button labelled @label (as given, "_Undo") under @root, or NULL */
GtkWidget         *sl_test_find_button            (GtkWidget    *root,
                                                   const char   *label);
/* A shown toplevel window of @type (a dialog), or NULL */
GtkWindow         *sl_test_find_toplevel          (GType         type);
/* Waits for a file chooser (what GtkFileChooserNative shows with no
 * portal), picks @path in it and presses its accept button, as a person
 * would; returns at once after the press, before the main loop runs */
void               sl_test_answer_file_chooser    (const char   *path);
/* How many frames tshark reads in @path; fails the test if it cannot read it */
guint              sl_test_tshark_count_frames    (const char   *path);

/* A new window of the application, shown */
SlWindow          *sl_test_new_window             (void);
SlTimelineView    *sl_test_window_timeline        (SlWindow     *window);
SlTimelinePainter *sl_test_window_painter         (SlWindow     *window);
/* What the window's timeline drew last, after letting it draw the present */
SlTimelineStats    sl_test_timeline_stats         (SlWindow     *window);
CapRecording      *sl_test_shown_recording        (SlWindow     *window);
/* How many calls of @recording have returned */
guint              sl_test_count_returned         (CapRecording *recording);
/* Whether @live captures packets; fails the test if it does not as root */
gboolean           sl_test_capture_expected       (SlLiveRun    *live);

/* Conditions, on an SlWindow */
gboolean           sl_test_not_loading            (gpointer      window);
gboolean           sl_test_run_finished           (gpointer      window);
/* A call (one not yet run) waits at the gate */
gboolean           sl_test_something_waiting      (gpointer      window);
/* SYN, SYN/ACK and ACK are in what the window shows */
gboolean           sl_test_handshake_captured     (gpointer      window);

typedef struct
{
  SlWindow *window;
  guint     n_steps;
} SlTestStepWait;

/* Presses Step (win.step) and waits until the gate released that call and
 * it reached the recording the window shows */
void               sl_test_step                   (SlWindow       *window,
                                                   SlTestStepWait *w);
/* Chooses @scenario, runs it (win.run) to its end, which must be clean */
void               sl_test_run_to_end             (SlWindow       *window,
                                                   const char     *scenario);
/* Selects the (last) SYN/ACK of what the window shows, as a click would */
void               sl_test_select_synack          (SlWindow       *window);

G_END_DECLS
