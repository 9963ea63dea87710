/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-window-private.h: what the files of SlWindow share.
 *
 * One class over several files, as GNOME Text Editor splits EditorWindow:
 * sl-window.c (what is shown, runs, the template, settings),
 * sl-window-actions.c (run control and the other win. actions),
 * sl-window-files.c (open, save, recent files, drag and drop),
 * sl-window-params.c (a scenario's port, message and count),
 * sl-window-export.c (diagram export),
 * sl-window-programs.c (students' programs and lecture examples, traced),
 * sl-window-keep.c (nothing lost: unsaved runs on close, Undo, recovery) and
 * sl-window-presentation.c (presentation mode).
 */
#pragma once

#include "sl-window.h"

#include "nc-example.h"

#include "sl-call-inspector.h"
#include "sl-code-view.h"
#include "sl-console-pane.h"
#include "sl-conversation-list.h"
#include "sl-packet-inspector.h"
#include "sl-scenario-picker.h"
#include "sl-timeline-view.h"
#include "sl-toast-queue.h"

G_BEGIN_DECLS

typedef struct _SlKeptRun SlKeptRun;
typedef struct _SlLoadJob SlLoadJob;

struct _SlWindow
{
  AdwApplicationWindow parent_instance;

  /* Template */
  AdwToastOverlay  *toast_overlay;
  GtkMenuButton    *scenario_button;
  GtkPopover       *scenario_popover;
  SlScenarioPicker *scenario_picker;
  GtkMenuButton    *params_button;
  GtkLabel         *params_title;
  GtkEntry         *message_entry;
  GtkSpinButton    *port_spin;
  GtkSpinButton    *count_spin;
  GtkLabel         *scenario_label;
  GtkToggleButton  *side_button;
  GtkSpinner       *spinner;
  GtkLabel         *status_label;
  GtkBox           *load_box;
  GtkProgressBar   *load_progress;
  GtkButton        *load_cancel_button;
  GtkDropDown      *speed_dropdown;
  AdwSplitButton   *open_button;
  GtkButton        *save_button;
  GtkInfoBar       *info_bar;
  GtkLabel         *info_label;
  GtkStack         *main_stack;
  AdwStatusPage    *empty_page;
  GtkButton        *empty_step_button;
  GtkBox           *timeline_slot;
  GtkPaned         *outer_paned;
  GtkStack         *side_stack;
  SlConversationList *conversation_list;
  GtkPaned         *inner_paned;
  GtkStack         *inspector_stack;
  SlCodeView       *code_view;
  SlConsolePane    *console_pane;
  SlPacketInspector *packet_inspector;
  SlCallInspector  *call_inspector;
  GMenu            *recent_submenu;

  SlSession        *session;
  GSettings        *settings;        /* NULL when the schema is not installed */
  const NcScenario *scenario;
  char            **programs;        /* traced in place of the scenario, or NULL */
  char             *programs_title;  /* what the header names them */
  const NcExample  *example;         /* the lecture example they are, or NULL */
  NcParams         *params;          /* the chosen scenario's, for its next run */
  gboolean          params_loading;  /* filling the fields, not the user typing */
  SlLiveRun        *live;
  guint             saved_events;    /* the live run's calls + packets when last saved */
  gboolean          close_confirmed; /* closing drops an unsaved run: the user said so */
  gboolean          close_after_save; /* the close dialog's Save…: close once saved */
  gboolean          disposing;
  SlKeptRun        *kept;            /* a replaced unsaved run, while its Undo toast shows */
  SlToastQueue     *toasts;          /* every toast goes to toast_overlay through it */
  GtkInfoBar       *recovery_bar;
  GtkLabel         *recovery_label;
  char             *recovery_path;   /* the left-behind stream file it offers */
  GFile            *recovered;       /* that file opened, until saved elsewhere */
  GFile            *file;            /* the file shown, if any */
  GCancellable     *load_cancellable;
  SlLoadJob        *load_job;        /* the file being read, for its progress bar */
  guint             load_timeout;
  guint             save_timeout;    /* pulses the bar while a big save runs */
  GMenu            *recent_menu;
  GtkWidget        *timeline;
  SlSelectionKind   pending_kind;    /* sl_window_select_when_loaded () */
  guint             pending_index;
  gboolean          told_capture_problem;
  /* How the width is shared (sl-window-panes.c) */
  int               side_width;           /* the side pane's, as wanted */
  int               side_placed;          /* its divider where we put it */
  int               inner_position;       /* the inspector's divider where we put it */
  gboolean          inspector_width_set;  /* the user moved it */
  gboolean          fitting_panes;

  /* Presentation mode, and what it changed, to put back on leaving */
  gboolean          presentation;
  gboolean          was_fullscreen;
  double            saved_text_scale;
  int               saved_side_width;
  guint             saved_speed;      /* index into speeds[] */
};

/* sl-window.c */
void     _sl_window_toast                  (SlWindow       *self,
                                            const char     *text);
void     _sl_window_add_toast              (SlWindow       *self,
                                            AdwToast       *toast);
void     _sl_window_show_message           (SlWindow       *self,
                                            GtkMessageType  type,
                                            const char     *text);
void     _sl_window_hide_message           (SlWindow       *self);
gboolean _sl_window_recording_has_content  (CapRecording   *recording);
void     _sl_window_update_page            (SlWindow       *self);
void     _sl_window_update_side_pane       (SlWindow       *self);
void     _sl_window_update_inspector       (SlWindow       *self);
void     _sl_window_update_status          (SlWindow       *self);
void     _sl_window_show_recording         (SlWindow       *self,
                                            CapRecording   *recording);
void     _sl_window_drop_live              (SlWindow       *self);
void     _sl_window_adopt_live             (SlWindow       *self,
                                            SlLiveRun      *live);
void     _sl_window_show_ready_recording   (SlWindow       *self,
                                            CapRecording   *ready);
gboolean _sl_window_live_is_active         (SlWindow       *self);
gboolean _sl_window_start_run              (SlWindow       *self,
                                            gboolean        stepping);
void     _sl_window_select_speed           (SlWindow       *self,
                                            double          speed);
void     _sl_window_notify_presentation    (SlWindow       *self);
gboolean _sl_window_showing_foreign_file   (SlWindow       *self);
gboolean _sl_window_showing_result         (SlWindow       *self);
void     _sl_window_choose_scenario        (SlWindow       *self,
                                            const NcScenario *scenario);

/* sl-window-actions.c */
void     _sl_window_class_actions_init     (GtkWidgetClass *widget_class);
void     _sl_window_update_actions         (SlWindow       *self);

/* sl-window-files.c */
/* The bar under the header says "Saving “@file”…" until end_saving (a
 * save or an export writing in a thread) */
void     _sl_window_start_saving (SlWindow *self, GFile *file);
void     _sl_window_end_saving (SlWindow *self);
void     _sl_window_class_files_init       (GtkWidgetClass *widget_class);
void     _sl_window_files_init             (SlWindow       *self);
void     _sl_window_fill_recent_menu       (SlWindow       *self);
gboolean _sl_window_cancel_load            (SlWindow       *self);
void     _sl_window_files_dispose          (SlWindow       *self);

/* sl-window-params.c */
void     _sl_window_class_params_init      (GtkWidgetClass *widget_class);
void     _sl_window_params_load            (SlWindow       *self);

/* sl-window-export.c */
void     _sl_window_class_export_init      (GtkWidgetClass *widget_class);

/* sl-window-programs.c */
void     _sl_window_class_programs_init    (GtkWidgetClass *widget_class);
void     _sl_window_clear_programs         (SlWindow       *self);
char    *_sl_window_describe_program_failures (SlWindow     *self,
                                               CapRecording *recording);

/* sl-window-keep.c */
void     _sl_window_class_keep_init        (GtkWidgetClass *widget_class);
gboolean _sl_window_run_is_unsaved         (SlWindow       *self);
gboolean _sl_window_keep_close_request     (SlWindow       *self);
gboolean _sl_window_keep_saved             (SlWindow       *self,
                                            gboolean        ok,
                                            guint           events);
void     _sl_window_keep_save_cancelled    (SlWindow       *self);
void     _sl_window_keep_stream            (SlWindow       *self);
void     _sl_window_keep_offer_recovery    (SlWindow       *self);
gboolean _sl_window_keep_replaced_run      (SlWindow       *self);
void     _sl_window_keep_dispose           (SlWindow       *self);

/* sl-window-panes.c */
void     _sl_window_panes_init             (SlWindow       *self);
void     _sl_window_fit_panes              (SlWindow       *self);
void     _sl_window_set_side_width         (SlWindow       *self,
                                            int             width);
int      _sl_window_get_timeline_min_width (SlWindow       *self);

/* sl-window-presentation.c */
void     _sl_window_class_presentation_init (GtkWidgetClass *widget_class);

G_END_DECLS
