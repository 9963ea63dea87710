/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-console-pane.c: the traced programs' consoles.
 *
 * One page per program (a GtkStack with a switcher naming them), not one
 * view with prefixed lines: the timeline and `socklens trace` already
 * interleave the programs' lines with the calls, and what the console adds
 * is one program's output read whole, a traceback as Python printed it,
 * with no prefixes breaking its indentation. stderr is red, how the program
 * ended is the bold last line, and a page whose program wrote to stderr or
 * ended badly gets the switcher's attention dot.
 *
 * The pages follow SlConsoleModel (bounded per program) by appending only
 * the new lines; a page is rebuilt when the model has dropped as many lines
 * as it keeps, so a page holds at most about twice the model's limit.
 */

#include "config.h"

#include "sl-console-pane.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

typedef struct
{
  GtkStackPage *page;
  GtkTextView  *view;
  guint64       buffer_first;  /* the model's line the buffer starts with */
  guint64       shown_end;     /* the model's lines before this are in the buffer */
} Page;

struct _SlConsolePane
{
  GtkWidget       parent_instance;

  GtkStack       *stack;
  GtkStackSwitcher *switcher;
  GtkLabel       *stdin_label;

  SlSession      *session;
  GSignalGroup   *session_signals;
  SlConsoleModel *model;
  GPtrArray      *pages;      /* Page*, by program */
  gboolean        new_recording;  /* the page shown was another recording's */
};

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SlConsolePane, sl_console_pane, GTK_TYPE_WIDGET)

static void
sl_console_pane_dispose (GObject *object)
{
  SlConsolePane *self = SL_CONSOLE_PANE (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->session);
  g_clear_object (&self->model);
  g_clear_pointer (&self->pages, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), SL_TYPE_CONSOLE_PANE);
  /* GTK 4.8 clears only the children with an id: the template's root goes here. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (sl_console_pane_parent_class)->dispose (object);
}

static void
sl_console_pane_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  SlConsolePane *self = SL_CONSOLE_PANE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sl_console_pane_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  SlConsolePane *self = SL_CONSOLE_PANE (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      sl_console_pane_set_session (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
sl_console_pane_class_init (SlConsolePaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sl_console_pane_dispose;
  object_class->get_property = sl_console_pane_get_property;
  object_class->set_property = sl_console_pane_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SL_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/socklens/Socklens/ui/sl-console-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, SlConsolePane, stack);
  gtk_widget_class_bind_template_child (widget_class, SlConsolePane, switcher);
  gtk_widget_class_bind_template_child (widget_class, SlConsolePane, stdin_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "slconsolepane");
}

/* ---- pages --------------------------------------------------------------- */

/* stderr in the theme's error red, which differs between light and dark */
static void
update_tag_colours (SlConsolePane *self)
{
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());

  for (guint i = 0; self->pages != NULL && i < self->pages->len; i++)
    {
      Page *page = g_ptr_array_index (self->pages, i);
      GtkTextTagTable *table = gtk_text_buffer_get_tag_table (gtk_text_view_get_buffer (page->view));
      GtkTextTag *tag = gtk_text_tag_table_lookup (table, "stderr");

      g_object_set (tag, "foreground", dark ? "#ff7b63" : "#c01c28", NULL);
    }
}

/* A page follows its output to the end (the traceback's last line, how the
 * program ended) until the student scrolls back to read, and again once they
 * scroll to the end. The end is taken when the page's adjustment changes
 * (the text laid out, the page mapped or resized), not when lines are
 * inserted: a page filled while hidden or not yet laid out has nothing to
 * scroll then, and would stay at its top. It is taken with the text view's
 * own scroll to its "end" mark, which the view keeps through its layout (a
 * value set on the adjustment is undone when the view lays out its lines
 * again). A value that changes together with the adjustment's size is the
 * view keeping its place during a layout (GtkAdjustment says
 * "value-changed" before "changed"), not the student scrolling: it does not
 * stop the following either. */
typedef struct
{
  gboolean follow;
  double   upper, page_size;  /* as of the last "changed" */
  double   value;             /* as of the last "value-changed" */
} Follow;

#define FOLLOW_KEY "sl-console-follow"

/* The "end" mark's line is in view: only the bottom margin lies below */
static gboolean
shows_end (GtkTextView   *view,
           GtkAdjustment *adj)
{
  return gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj) >=
         gtk_adjustment_get_upper (adj) - gtk_text_view_get_bottom_margin (view) - 2;
}

static void
on_console_resized (GtkAdjustment *adj,
                    GtkTextView   *view)
{
  Follow *f = g_object_get_data (G_OBJECT (adj), FOLLOW_KEY);

  f->upper = gtk_adjustment_get_upper (adj);
  f->page_size = gtk_adjustment_get_page_size (adj);
  if (f->follow && !shows_end (view, adj))
    gtk_text_view_scroll_to_mark (view, gtk_text_buffer_get_mark (gtk_text_view_get_buffer (view), "end"),
                                  0.0, TRUE, 0.0, 1.0);
}

/* Only a move back up stops the following: the view's animated scroll to
 * the end passes through values short of it. */
static void
on_console_scrolled (GtkAdjustment *adj,
                     GtkTextView   *view)
{
  Follow *f = g_object_get_data (G_OBJECT (adj), FOLLOW_KEY);
  double value = gtk_adjustment_get_value (adj);

  if (gtk_adjustment_get_upper (adj) == f->upper &&
      gtk_adjustment_get_page_size (adj) == f->page_size)
    {
      if (shows_end (view, adj))
        f->follow = TRUE;
      else if (value < f->value)
        f->follow = FALSE;
    }
  f->value = value;
}

static void
follow_end (GtkTextView *view)
{
  GtkAdjustment *adj = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (view));
  Follow *f = g_new0 (Follow, 1);

  f->follow = TRUE;
  g_object_set_data_full (G_OBJECT (adj), FOLLOW_KEY, f, g_free);
  g_signal_connect_object (adj, "changed", G_CALLBACK (on_console_resized), view, 0);
  g_signal_connect_object (adj, "value-changed", G_CALLBACK (on_console_scrolled), view, 0);
}

static Page *
add_page (SlConsolePane *self,
          guint          program)
{
  Page *page = g_new0 (Page, 1);
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkTextBuffer *buffer;
  GtkTextIter end;
  g_autofree char *name = g_strdup_printf ("program-%u", program);

  page->view = GTK_TEXT_VIEW (gtk_text_view_new ());
  gtk_text_view_set_editable (page->view, FALSE);
  gtk_text_view_set_cursor_visible (page->view, FALSE);
  gtk_text_view_set_monospace (page->view, TRUE);
  gtk_text_view_set_wrap_mode (page->view, GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_left_margin (page->view, 6);
  gtk_text_view_set_right_margin (page->view, 6);
  gtk_text_view_set_top_margin (page->view, 4);
  gtk_text_view_set_bottom_margin (page->view, 4);
  gtk_widget_add_css_class (GTK_WIDGET (page->view), "console");
  buffer = gtk_text_view_get_buffer (page->view);
  gtk_text_buffer_create_tag (buffer, "stderr", NULL);
  gtk_text_buffer_create_tag (buffer, "exit", "weight", PANGO_WEIGHT_BOLD, NULL);
  gtk_text_buffer_create_tag (buffer, "note", "style", PANGO_STYLE_ITALIC, "foreground",
                              "#8a8a8a", NULL);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_create_mark (buffer, "end", &end, FALSE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (page->view));
  follow_end (page->view);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  page->page = gtk_stack_add_titled (self->stack, scroller, name,
                                     sl_console_model_get_name (self->model, program));
  return page;
}

static void
insert_line (GtkTextBuffer *buffer,
             const char    *text,
             const char    *tag)
{
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  if (tag != NULL)
    gtk_text_buffer_insert_with_tags_by_name (buffer, &end, text, -1, tag, NULL);
  else
    gtk_text_buffer_insert (buffer, &end, text, -1);
  gtk_text_buffer_get_end_iter (buffer, &end);
  gtk_text_buffer_insert (buffer, &end, "\n", 1);
}

/* "Earlier output was dropped: 1,204 lines (70.1 kB). The console keeps each program's last 64.0 kB." */
static void
insert_dropped_note (SlConsolePane *self,
                     GtkTextBuffer *buffer,
                     guint          program)
{
  guint64 lines = sl_console_model_get_first_line (self->model, program);
  g_autofree char *size = g_format_size (sl_console_model_get_dropped_bytes (self->model, program));
  g_autofree char *limit = g_format_size (SL_CONSOLE_MODEL_DEFAULT_LIMIT);
  g_autofree char *text = NULL;

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Earlier output was dropped: %u line (%s). The console "
                                       "keeps the last %s of each program.",
                                       "Earlier output was dropped: %u lines (%s). The console "
                                       "keeps the last %s of each program.",
                                       (gulong) MIN (lines, G_MAXUINT)),
                          (guint) MIN (lines, G_MAXUINT), size, limit);
  insert_line (buffer, text, "note");
}

static const char *
tag_of (CapConsoleStream stream)
{
  switch (stream)
    {
    case CAP_CONSOLE_STDERR:
      return "stderr";
    case CAP_CONSOLE_EXIT:
      return "exit";
    case CAP_CONSOLE_STDOUT:
    default:
      return NULL;
    }
}

/* Brings @program's page up to the model: new lines appended, or the page
 * rebuilt when the model has dropped as many lines as it keeps. */
static void
fill_page (SlConsolePane *self,
           guint          program)
{
  Page *page = g_ptr_array_index (self->pages, program);
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (page->view);
  guint64 first = sl_console_model_get_first_line (self->model, program);
  guint64 end = sl_console_model_get_end_line (self->model, program);
  guint64 from = page->shown_end;

  if (page->shown_end < first || first - page->buffer_first > end - first)
    {
      gtk_text_buffer_set_text (buffer, "", 0);
      if (first > 0)
        insert_dropped_note (self, buffer, program);
      page->buffer_first = first;
      from = first;
    }
  for (guint64 line = from; line < end; line++)
    {
      CapConsoleStream stream = CAP_CONSOLE_STDOUT;
      const char *text = sl_console_model_get_line (self->model, program, line, &stream);

      insert_line (buffer, text, tag_of (stream));
    }
  page->shown_end = end;
  gtk_stack_page_set_needs_attention (page->page,
                                      sl_console_model_get_needs_attention (self->model, program));
}

static void
on_model_appended (SlConsolePane *self,
                   guint          program)
{
  if (self->pages != NULL && program < self->pages->len)
    fill_page (self, program);
}

static void
on_model_reset (SlConsolePane *self)
{
  guint n = sl_console_model_get_n_programs (self->model);
  g_autofree char *visible =
    self->new_recording ? NULL : g_strdup (gtk_stack_get_visible_child_name (self->stack));

  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self->stack))) != NULL;)
    gtk_stack_remove (self->stack, child);
  g_ptr_array_set_size (self->pages, 0);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (self->pages, add_page (self, i));
  update_tag_colours (self);
  for (guint i = 0; i < n; i++)
    fill_page (self, i);
  /* the same program stays shown as others start; else the first whose
   * output asks to be read (a reopened run's traceback) */
  if (visible != NULL && gtk_stack_get_child_by_name (self->stack, visible) != NULL)
    gtk_stack_set_visible_child_name (self->stack, visible);
  else
    for (guint i = 0; i < n; i++)
      if (sl_console_model_get_needs_attention (self->model, i))
        {
          gtk_stack_set_visible_child (self->stack,
                                       gtk_stack_page_get_child (((Page *) g_ptr_array_index (
                                                                   self->pages, i))->page));
          break;
        }
  gtk_widget_set_visible (GTK_WIDGET (self), n > 0);
  if (n > 0)
    self->new_recording = FALSE;
}

static void
on_session_recording (SlConsolePane *self)
{
  self->new_recording = TRUE;
  sl_console_model_set_recording (self->model,
                                  self->session ? sl_session_get_recording (self->session) : NULL);
}

static void
sl_console_pane_init (SlConsolePane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->pages = g_ptr_array_new_with_free_func (g_free);
  self->model = sl_console_model_new (SL_CONSOLE_MODEL_DEFAULT_LIMIT);
  g_signal_connect_swapped (self->model, "reset", G_CALLBACK (on_model_reset), self);
  g_signal_connect_swapped (self->model, "appended", G_CALLBACK (on_model_appended), self);
  self->session_signals = g_signal_group_new (SL_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "notify::recording",
                                  G_CALLBACK (on_session_recording), self);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_tag_colours), self, G_CONNECT_SWAPPED);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
sl_console_pane_new (void)
{
  return g_object_new (SL_TYPE_CONSOLE_PANE, NULL);
}

SlSession *
sl_console_pane_get_session (SlConsolePane *self)
{
  g_return_val_if_fail (SL_IS_CONSOLE_PANE (self), NULL);
  return self->session;
}

void
sl_console_pane_set_session (SlConsolePane *self,
                             SlSession     *session)
{
  g_return_if_fail (SL_IS_CONSOLE_PANE (self));
  g_return_if_fail (session == NULL || SL_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;
  g_signal_group_set_target (self->session_signals, session);
  on_session_recording (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

SlConsoleModel *
sl_console_pane_get_model (SlConsolePane *self)
{
  g_return_val_if_fail (SL_IS_CONSOLE_PANE (self), NULL);
  return self->model;
}

char *
sl_console_pane_dup_text (SlConsolePane *self,
                          guint          program)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (SL_IS_CONSOLE_PANE (self), NULL);
  g_return_val_if_fail (program < self->pages->len, NULL);

  buffer = gtk_text_view_get_buffer (((Page *) g_ptr_array_index (self->pages, program))->view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

guint
sl_console_pane_get_visible_program (SlConsolePane *self)
{
  const char *name;

  g_return_val_if_fail (SL_IS_CONSOLE_PANE (self), 0);
  name = gtk_stack_get_visible_child_name (self->stack);
  return name != NULL && g_str_has_prefix (name, "program-")
           ? (guint) g_ascii_strtoull (name + strlen ("program-"), NULL, 10)
           : 0;
}
