/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-console-model.h: what each traced program printed, per program, for the
 * window's console pane. GLib only (tested headless): it follows a
 * CapRecording's console lines as they arrive and keeps the last
 * @limit_bytes of each program's output, counting what it dropped.
 */
#pragma once

#include <glib-object.h>

#include "cap-recording.h"

G_BEGIN_DECLS

/* What a console keeps per program: enough for a long traceback and a
 * screenful of prints, bounded for a program that prints in a loop. */
#define SL_CONSOLE_MODEL_DEFAULT_LIMIT (64 * 1024)

#define SL_TYPE_CONSOLE_MODEL (sl_console_model_get_type ())
G_DECLARE_FINAL_TYPE (SlConsoleModel, sl_console_model, SL, CONSOLE_MODEL, GObject)

/* Signals: "reset" when the programs changed (a new recording, a program
 * started); "appended" (guint program) after lines went into a program's
 * console, possibly dropping its oldest ones. */

SlConsoleModel *sl_console_model_new               (gsize           limit_bytes);
void            sl_console_model_set_recording     (SlConsoleModel *self,
                                                    CapRecording   *recording);
CapRecording   *sl_console_model_get_recording     (SlConsoleModel *self);
/* Reads the recording's console lines that arrived since the last call
 * (the model calls it itself on the recording's "changed"). */
void            sl_console_model_update            (SlConsoleModel *self);

/* The traced programs, in the order they started */
guint           sl_console_model_get_n_programs    (SlConsoleModel *self);
const char     *sl_console_model_get_name          (SlConsoleModel *self,
                                                    guint           program);
guint           sl_console_model_get_actor         (SlConsoleModel *self,
                                                    guint           program);
/* Lines are numbered from the program's first: those below @first were
 * dropped (@dropped_bytes of them), those up to @end are kept. */
guint64         sl_console_model_get_first_line    (SlConsoleModel *self,
                                                    guint           program);
guint64         sl_console_model_get_end_line      (SlConsoleModel *self,
                                                    guint           program);
guint64         sl_console_model_get_dropped_bytes (SlConsoleModel *self,
                                                    guint           program);
const char     *sl_console_model_get_line          (SlConsoleModel *self,
                                                    guint           program,
                                                    guint64         line,
                                                    CapConsoleStream *stream);
/* The kept lines, each ending in a newline (for copying and tests) */
char           *sl_console_model_dup_text          (SlConsoleModel *self,
                                                    guint           program);
/* How it ended ("client.py exited with status 1."), NULL while it runs */
const char     *sl_console_model_get_exit          (SlConsoleModel *self,
                                                    guint           program);
/* Whether it wrote to stderr or ended badly: its console asks to be read */
gboolean        sl_console_model_get_needs_attention (SlConsoleModel *self,
                                                      guint           program);

G_END_DECLS
