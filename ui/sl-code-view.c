/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-code-view.c: the code pane. Shows the source of the recording's
 * scenario (embedded by netcore, nc_scenario_load_source) and lights the line
 * of the call the user is looking at: the selected call, the call a selected
 * packet belongs to, or else the last call begun at the playhead. So as a
 * stepped run advances, the lit line walks through the program.
 */

#include "config.h"

#include "sl-code-view.h"

#include <glib/gi18n.h>

#include "netcore.h"

struct _SlCodeView
{
  GtkWidget         parent_instance;

  GtkLabel         *file_label;
  GtkScrolledWindow *scroller;
  GtkTextView      *text_view;
  GtkWidget        *notice_box;
  GtkLabel         *notice_label;

  SlSession        *session;
  GSignalGroup     *session_signals;
  const NcScenario *scenario;     /* whose source is shown */
  char             *program_path; /* or a traced program's own file */
  char             *source_base;  /* its basename, to match NcCall.file */
  GtkTextTag       *current_tag;
  GtkTextTag       *lineno_tag;
  GtkTextTag       *hang_tag;       /* every line: a wrapped line's rest starts after the number */
  GtkTextMark      *current_mark;
  guint             current_line;
  guint             scroll_source;
};

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SlCodeView, sl_code_view, GTK_TYPE_WIDGET)

static void
sl_code_view_dispose (GObject *object)
{
  SlCodeView *self = SL_CODE_VIEW (object);

  g_clear_handle_id (&self->scroll_source, g_source_remove);
  g_clear_object (&self->session_signals);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), SL_TYPE_CODE_VIEW);
  /* GTK 4.8 clears only the children with an id: the template's root goes here. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (sl_code_view_parent_class)->dispose (object);
}

static void
sl_code_view_finalize (GObject *object)
{
  SlCodeView *self = SL_CODE_VIEW (object);

  g_free (self->source_base);
  g_free (self->program_path);

  G_OBJECT_CLASS (sl_code_view_parent_class)->finalize (object);
}

static void
sl_code_view_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  SlCodeView *self = SL_CODE_VIEW (object);

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
sl_code_view_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  SlCodeView *self = SL_CODE_VIEW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      sl_code_view_set_session (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Long lines wrap rather than hide past the pane's edge; their continuation
 * starts under the code, not under the line number. The number's width
 * follows the type size (presentation mode makes it larger). */
static void
update_hanging_indent (SlCodeView *self)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self->text_view),
                                                                  "000  ");
  int width = 0;

  pango_layout_get_pixel_size (layout, &width, NULL);
  g_object_set (self->hang_tag,
                "left-margin", gtk_text_view_get_left_margin (self->text_view) + width,
                "indent", -width,
                NULL);
}

static void
sl_code_view_css_changed (GtkWidget         *widget,
                          GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (sl_code_view_parent_class)->css_changed (widget, change);
  update_hanging_indent (SL_CODE_VIEW (widget));
}

static void
sl_code_view_class_init (SlCodeViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sl_code_view_dispose;
  object_class->finalize = sl_code_view_finalize;
  object_class->get_property = sl_code_view_get_property;
  object_class->set_property = sl_code_view_set_property;
  GTK_WIDGET_CLASS (klass)->css_changed = sl_code_view_css_changed;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SL_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/socklens/Socklens/ui/sl-code-view.ui");
  gtk_widget_class_bind_template_child (widget_class, SlCodeView, file_label);
  gtk_widget_class_bind_template_child (widget_class, SlCodeView, scroller);
  gtk_widget_class_bind_template_child (widget_class, SlCodeView, text_view);
  gtk_widget_class_bind_template_child (widget_class, SlCodeView, notice_box);
  gtk_widget_class_bind_template_child (widget_class, SlCodeView, notice_label);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "slcodeview");
}

/* ---- finding the call to show -------------------------------------------- */

/* The last call begun at or before @ts; calls are kept in order of entry. */
static const NcCall *
call_at (CapRecording *recording,
         gint64        ts)
{
  guint lo = 0, hi = cap_recording_get_n_calls (recording);

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (cap_recording_get_call (recording, mid)->ts_start <= ts)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo > 0 ? cap_recording_get_call (recording, lo - 1) : NULL;
}

static const NcCall *
current_call (SlCodeView *self)
{
  CapRecording *recording = sl_session_get_recording (self->session);
  guint index = sl_session_get_selection_index (self->session);

  if (recording == NULL)
    return NULL;

  switch (sl_session_get_selection_kind (self->session))
    {
    case SL_SELECTION_CALL:
      if (index < cap_recording_get_n_calls (recording))
        return cap_recording_get_call (recording, index);
      break;
    case SL_SELECTION_PACKET:
      {
        guint n_links = 0;
        const CapLink *links = NULL;

        gint sender;

        if (index >= cap_recording_get_n_packets (recording))
          break;
        links = cap_recording_get_packet_links (recording, index, &n_links);
        /* The call that sent it (send(), connect()) rather than the one that read it */
        sender = cap_recording_get_packet_actor (recording, index, FALSE);
        for (guint i = 0; i < n_links; i++)
          if ((gint) cap_recording_get_call (recording, links[i].call)->actor == sender)
            return cap_recording_get_call (recording, links[i].call);
        if (n_links > 0)
          return cap_recording_get_call (recording, links[0].call);
      }
      break;
    case SL_SELECTION_NONE:
    default:
      break;
    }
  return call_at (recording, sl_session_get_playhead (self->session));
}

/* ---- showing ------------------------------------------------------------- */

static gboolean
scroll_to_current (gpointer user_data)
{
  SlCodeView *self = user_data;

  self->scroll_source = 0;
  gtk_text_view_scroll_to_mark (self->text_view, self->current_mark, 0.1, TRUE, 0.0, 0.35);
  return G_SOURCE_REMOVE;
}

static void
set_line (SlCodeView *self,
          guint       line)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter start, end;

  if (line == self->current_line)
    return;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag (buffer, self->current_tag, &start, &end);
  self->current_line = 0;
  if (line == 0 || line > (guint) gtk_text_buffer_get_line_count (buffer))
    return;

  self->current_line = line;
  gtk_text_buffer_get_iter_at_line (buffer, &start, (int) line - 1);
  end = start;
  gtk_text_iter_forward_to_line_end (&end);
  gtk_text_buffer_apply_tag (buffer, self->current_tag, &start, &end);
  gtk_text_buffer_move_mark (buffer, self->current_mark, &start);
  /* Once the view has laid the text out: before that the scroll is lost. */
  if (self->scroll_source == 0)
    self->scroll_source = g_idle_add_full (G_PRIORITY_LOW, scroll_to_current, self, NULL);
}

/* The text with line numbers (GtkTextView 4.8 has no gutter) */
static void
show_text (SlCodeView *self,
           GBytes     *bytes)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->text_view);
  GtkTextIter iter;
  const char *text;
  gsize size;
  guint number = 1;

  text = g_bytes_get_data (bytes, &size);
  gtk_text_buffer_get_start_iter (buffer, &iter);
  for (const char *p = text, *end = text + size; p < end; number++)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      const char *line_end = nl ? nl : end;
      char prefix[16];

      g_snprintf (prefix, sizeof prefix, "%3u  ", number);
      gtk_text_buffer_insert_with_tags (buffer, &iter, prefix, -1, self->lineno_tag, NULL);
      if (g_utf8_validate (p, line_end - p, NULL))
        gtk_text_buffer_insert (buffer, &iter, p, (int) (line_end - p));
      if (nl != NULL)
        gtk_text_buffer_insert (buffer, &iter, "\n", 1);
      p = line_end + 1;
    }
  {
    GtkTextIter start, end;
    gtk_text_buffer_get_bounds (buffer, &start, &end);
    gtk_text_buffer_apply_tag (buffer, self->hang_tag, &start, &end);
  }
}

static void
clear_source (SlCodeView *self)
{
  self->current_line = 0;
  g_clear_pointer (&self->source_base, g_free);
  g_clear_pointer (&self->program_path, g_free);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->text_view), "", 0);
}

static void
show_source (SlCodeView       *self,
             const NcScenario *scenario)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  if (scenario == self->scenario && self->program_path == NULL)
    return;
  self->scenario = scenario;
  clear_source (self);
  gtk_widget_set_visible (self->notice_box, scenario != NULL && scenario->notice != NULL);

  if (scenario == NULL)
    {
      gtk_label_set_label (self->file_label, _("No source: this recording has no calls from a scenario"));
      return;
    }

  gtk_label_set_label (self->notice_label, _(scenario->notice));
  bytes = nc_scenario_load_source (scenario, &error);
  if (bytes == NULL)
    {
      g_autofree char *msg = g_strdup_printf (_("Source not available: %s"), error->message);
      gtk_label_set_label (self->file_label, msg);
      return;
    }

  self->source_base = g_path_get_basename (nc_scenario_get_source_path (scenario));
  gtk_label_set_label (self->file_label, self->source_base);
  show_text (self, bytes);
}

/* A traced program's call: the student's own file, read from disk */
static void
show_program_file (SlCodeView *self,
                   const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (self->program_path != NULL && g_str_equal (self->program_path, path))
    return;
  self->scenario = NULL;
  clear_source (self);
  gtk_widget_set_visible (self->notice_box, FALSE);
  self->program_path = g_strdup (path);
  self->source_base = g_path_get_basename (path);
  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      g_autofree char *msg = g_strdup_printf (_("Source not available: %s"), error->message);
      gtk_label_set_label (self->file_label, msg);
      g_clear_pointer (&self->source_base, g_free);
      return;
    }
  gtk_label_set_label (self->file_label, self->source_base);
  {
    g_autoptr(GBytes) bytes = g_bytes_new_take (g_steal_pointer (&contents), len);
    show_text (self, bytes);
  }
}

static void
update (SlCodeView *self)
{
  CapRecording *recording = self->session ? sl_session_get_recording (self->session) : NULL;
  const NcScenario *scenario = NULL;
  const NcCall *call;
  g_autofree char *call_base = NULL;

  if (recording != NULL && cap_recording_get_scenario (recording) != NULL)
    scenario = nc_scenario_lookup (cap_recording_get_scenario (recording));
  call = recording != NULL ? current_call (self) : NULL;
  /* A traced program's call (it has a stack) names its own file */
  if (scenario == NULL && call != NULL && call->stack != NULL && call->file != NULL &&
      g_path_is_absolute (call->file))
    show_program_file (self, call->file);
  else if (scenario != NULL || self->program_path == NULL)
    show_source (self, scenario);

  if (self->source_base == NULL)
    return;
  if (call == NULL || call->file == NULL || call->line == 0)
    {
      set_line (self, 0);
      return;
    }
  /* Only a line of the file shown: a call could come from a helper file. */
  call_base = g_path_get_basename (call->file);
  set_line (self, g_str_equal (call_base, self->source_base) ? call->line : 0);
}

static void
on_session_changed (SlCodeView *self)
{
  update (self);
}

static void
sl_code_view_init (SlCodeView *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start;

  gtk_widget_init_template (GTK_WIDGET (self));

  buffer = gtk_text_view_get_buffer (self->text_view);
  self->current_tag = gtk_text_buffer_create_tag (buffer, "current",
                                                  "paragraph-background", "rgba(246,211,45,0.45)",
                                                  "weight", PANGO_WEIGHT_BOLD,
                                                  NULL);
  self->lineno_tag = gtk_text_buffer_create_tag (buffer, "lineno",
                                                 "foreground", "#8a8a8a",
                                                 NULL);
  self->hang_tag = gtk_text_buffer_create_tag (buffer, "hang", NULL);
  update_hanging_indent (self);
  gtk_text_buffer_get_start_iter (buffer, &start);
  self->current_mark = gtk_text_buffer_create_mark (buffer, "current", &start, TRUE);

  self->session_signals = g_signal_group_new (SL_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "notify::recording",
                                  G_CALLBACK (on_session_changed), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::playhead",
                                  G_CALLBACK (on_session_changed), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::selection-kind",
                                  G_CALLBACK (on_session_changed), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::selection-index",
                                  G_CALLBACK (on_session_changed), self);
  g_signal_group_connect_swapped (self->session_signals, "recording-changed",
                                  G_CALLBACK (on_session_changed), self);
}

GtkWidget *
sl_code_view_new (void)
{
  return g_object_new (SL_TYPE_CODE_VIEW, NULL);
}

SlSession *
sl_code_view_get_session (SlCodeView *self)
{
  g_return_val_if_fail (SL_IS_CODE_VIEW (self), NULL);
  return self->session;
}

void
sl_code_view_set_session (SlCodeView *self,
                          SlSession  *session)
{
  g_return_if_fail (SL_IS_CODE_VIEW (self));
  g_return_if_fail (session == NULL || SL_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;
  g_signal_group_set_target (self->session_signals, session);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

guint
sl_code_view_get_current_line (SlCodeView *self)
{
  g_return_val_if_fail (SL_IS_CODE_VIEW (self), 0);
  return self->current_line;
}

const NcScenario *
sl_code_view_get_scenario (SlCodeView *self)
{
  g_return_val_if_fail (SL_IS_CODE_VIEW (self), NULL);
  return self->scenario;
}
