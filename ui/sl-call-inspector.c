/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-call-inspector.c: the call pane. Everything the recording knows about
 * one socket call, in the words of the course: its arguments, what it
 * returned (and errno by name, with the C library's text), how long it was
 * blocked in the kernel, the data it moved, the socket's TCP state and queues
 * right after it, select()'s sets going in and coming out, and the packets it
 * caused, each a click away.
 */

#include "config.h"

#include <inttypes.h>

#include "sl-call-inspector.h"
#include "nc-format.h"

#include <glib/gi18n.h>

struct _SlCallInspector
{
  GtkWidget     parent_instance;

  GtkLabel     *title_label;
  GtkGrid      *grid;
  GtkWidget    *packets_heading;
  GtkListBox   *packets_list;

  SlSession    *session;
  GSignalGroup *session_signals;
  int           n_grid_rows;
};

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SlCallInspector, sl_call_inspector, GTK_TYPE_WIDGET)

static void
sl_call_inspector_dispose (GObject *object)
{
  SlCallInspector *self = SL_CALL_INSPECTOR (object);

  g_clear_object (&self->session_signals);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), SL_TYPE_CALL_INSPECTOR);
  /* GTK 4.8 clears only the children with an id: the template's root goes here. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (sl_call_inspector_parent_class)->dispose (object);
}

static void
sl_call_inspector_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  SlCallInspector *self = SL_CALL_INSPECTOR (object);

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
sl_call_inspector_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  SlCallInspector *self = SL_CALL_INSPECTOR (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      sl_call_inspector_set_session (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* ---- filling ------------------------------------------------------------- */

static void
clear (SlCallInspector *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->grid))) != NULL)
    gtk_grid_remove (self->grid, child);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->packets_list))) != NULL)
    gtk_list_box_remove (self->packets_list, child);
  self->n_grid_rows = 0;
}

static void
add_row (SlCallInspector *self,
         const char      *key,
         const char      *value,
         const char      *css_class)
{
  GtkWidget *k = gtk_label_new (key);
  GtkWidget *v = gtk_label_new (value);

  gtk_label_set_xalign (GTK_LABEL (k), 0);
  gtk_label_set_yalign (GTK_LABEL (k), 0);
  gtk_widget_add_css_class (k, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (v), 0);
  gtk_label_set_wrap (GTK_LABEL (v), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (v), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (v), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (v), 30);
  gtk_widget_set_hexpand (v, TRUE);
  if (css_class != NULL)
    gtk_widget_add_css_class (v, css_class);
  gtk_grid_attach (self->grid, k, 0, self->n_grid_rows, 1, 1);
  gtk_grid_attach (self->grid, v, 1, self->n_grid_rows, 1, 1);
  self->n_grid_rows++;
}

static void
add_select_sets (SlCallInspector *self,
                 const NcCall    *call)
{
  static const char *const names[NC_N_SETS] = { N_("read"), N_("write"), N_("except") };

  for (guint s = 0; s < NC_N_SETS; s++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autofree char *key = NULL;

      if (nc_call_get_fds (call, FALSE, s)->n == 0 && nc_call_get_fds (call, TRUE, s)->n == 0)
        continue;
      nc_format_fd_list (nc_call_get_fds (call, FALSE, s), text);
      g_string_append (text, "  →  ");
      if (call->ts_end != 0)
        {
          nc_format_fd_list (nc_call_get_fds (call, TRUE, s), text);
          g_string_append (text, _(" ready"));
        }
      else
        g_string_append (text, _("(still waiting)"));
      key = g_strdup_printf (_("%s set"), _(names[s]));
      add_row (self, key, text->str, "monospace");
    }
  if (call->timeout_ns >= 0)
    {
      g_autofree char *t = nc_format_duration (call->timeout_ns);
      add_row (self, _("Timeout"), t, NULL);
    }
  else
    add_row (self, _("Timeout"), _("none: blocks until an fd is ready"), NULL);
}

static void
add_result (SlCallInspector *self,
            const NcCall    *call,
            CapRecording    *recording)
{
  g_autofree char *text = NULL;

  if (nc_call_in_progress (call) || call->ts_end == 0)
    {
      add_row (self, _("Result"), _("not returned yet: still in the kernel"), "warning");
      return;
    }
  if (nc_call_failed (call))
    {
      text = g_strdup_printf ("%" G_GINT64_FORMAT "  ·  %s: %s", call->result,
                              nc_errno_name (call->err), g_strerror (call->err));
      add_row (self, _("Result"), text, "error");
    }
  else
    {
      text = g_strdup_printf ("%" G_GINT64_FORMAT, call->result);
      add_row (self, _("Result"), text, NULL);
    }
}

static void
add_timing (SlCallInspector *self,
            const NcCall    *call,
            CapRecording    *recording)
{
  /* to 10 µs: calls a few microseconds apart still read apart */
  g_autofree char *start = nc_format_time_at (call->ts_start -
                                              cap_recording_get_start_time (recording),
                                              10 * 1000);
  g_autofree char *started = g_strdup_printf (_("at +%s"), start);

  add_row (self, _("Started"), started, NULL);
  if (call->ts_gate != 0 && call->ts_start - call->ts_gate > 1000000)
    {
      g_autofree char *gate = nc_format_duration (call->ts_start - call->ts_gate);
      g_autofree char *text = g_strdup_printf (_("%s at the step gate (collapsed on the timeline)"),
                                               gate);
      add_row (self, _("Held"), text, NULL);
    }
  if (call->ts_end != 0)
    {
      g_autofree char *in = nc_format_duration (call->ts_end - call->ts_start);
      add_row (self, _("In the kernel"), in, NULL);
    }
}

static void
add_state (SlCallInspector *self,
           const NcCall    *call)
{
  if (call->tcp_state != NC_TCP_STATE_NONE)
    add_row (self, _("TCP state after"), nc_tcp_state_name (call->tcp_state), "tcp-state");
  if (call->has_queues)
    {
      g_autofree char *text = g_strdup_printf (_("%u bytes to read, %u bytes not yet acknowledged"),
                                               call->queued_in, call->queued_out);
      add_row (self, _("Queued"), text, NULL);
    }
}

static void
add_packets (SlCallInspector *self,
             CapRecording    *recording,
             guint            index)
{
  guint n_links = 0;
  const CapLink *links = cap_recording_get_call_links (recording, index, &n_links);

  gtk_widget_set_visible (self->packets_heading, TRUE);
  if (n_links == 0)
    {
      GtkWidget *row = gtk_label_new (cap_recording_get_n_packets (recording) == 0
                                        ? _("No packets captured")
                                        : _("No packets: this call did not put anything on the wire"));
      gtk_widget_add_css_class (row, "dim-label");
      /* Wrapped, so it does not set the inspector's width (large type on a projector) */
      gtk_label_set_wrap (GTK_LABEL (row), TRUE);
      gtk_widget_set_margin_top (row, 8);
      gtk_widget_set_margin_bottom (row, 8);
      gtk_list_box_append (self->packets_list, row);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (gtk_widget_get_parent (row)), FALSE);
      return;
    }

  for (guint i = 0; i < n_links; i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      CapSummary summary;
      GtkWidget *row;
      GtkWidget *label;

      g_string_append_printf (text, "#%u  ", cap_recording_get_packet_frame (recording, links[i].packet));
      if (cap_recording_dissect_packet (recording, links[i].packet, &summary))
        cap_summary_format_label (&summary, text);
      g_string_append_printf (text, "  ·  %s", cap_link_kind_name (links[i].kind));
      if (links[i].kind == CAP_LINK_READY)
        g_string_append_printf (text, _(" (fd %d)"), links[i].fd);

      label = gtk_label_new (text->str);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_margin_start (label, 8);
      gtk_widget_set_margin_top (label, 6);
      gtk_widget_set_margin_bottom (label, 6);
      row = gtk_list_box_row_new ();
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
      gtk_widget_set_tooltip_text (row, _("Show this packet"));
      g_object_set_data (G_OBJECT (row), "packet", GUINT_TO_POINTER (links[i].packet));
      gtk_list_box_append (self->packets_list, row);
    }
}

static void
show_call (SlCallInspector *self,
           CapRecording    *recording,
           guint            index)
{
  const NcCall *call = cap_recording_get_call (recording, index);
  const NcActorInfo *actor = call->actor < cap_recording_get_n_actors (recording)
                               ? cap_recording_get_actor (recording, call->actor) : NULL;
  g_autofree char *text = nc_call_to_string (call);
  g_autofree char *title = g_strdup_printf ("%s  ·  %s",
                                            cap_recording_get_actor_name (recording, call->actor),
                                            text);
  NcCallKind kind = call->kind;
  NcCallDraw draw = nc_call_kind_info (kind)->draw;

  gtk_label_set_label (self->title_label, title);

  add_row (self, _("Call"), nc_call_kind_name (kind), "monospace");
  if (call->fd >= 0)
    {
      g_autofree char *fd = g_strdup_printf ("%d", call->fd);
      add_row (self, _("Socket (fd)"), fd, NULL);
    }
  if (kind == NC_CALL_SOCKET)
    {
      g_autofree char *args = g_strdup_printf ("%s, %s, %d", nc_family_name (call->domain),
                                               nc_socktype_name (call->type), call->protocol);
      add_row (self, _("Arguments"), args, "monospace");
    }
  if (call->local[0])
    add_row (self, _("Local address"), call->local, "monospace");
  if (call->peer[0])
    add_row (self, _("Peer address"), call->peer, "monospace");
  if (draw == NC_CALL_DRAW_SEND || draw == NC_CALL_DRAW_RECV)
    {
      g_autofree char *len = g_strdup_printf (_("%" PRId64 " bytes"), call->length);
      add_row (self, draw == NC_CALL_DRAW_RECV ? _("Buffer") : _("Length"), len, NULL);
    }
  if (draw == NC_CALL_DRAW_WAIT)
    add_select_sets (self, call);

  add_result (self, call, recording);
  if (call->data_len > 0)
    {
      g_autoptr(GString) data = g_string_new (NULL);
      nc_format_bytes (call->data, call->data_len, G_MAXSIZE, data);
      add_row (self, _("Data"), data->str, "monospace");
    }
  add_timing (self, call, recording);
  add_state (self, call);
  if (actor != NULL)
    {
      g_autofree char *who = g_strdup_printf ("%s (%s), pid %d, thread %d", actor->name,
                                              actor->role ? actor->role : "?", call->pid, call->tid);
      add_row (self, _("Actor"), who, NULL);
    }
  if (call->file != NULL)
    {
      g_autofree char *base = g_path_get_basename (call->file);
      g_autofree char *where = g_strdup_printf ("%s:%u", base, call->line);
      add_row (self, _("Source"), where, "monospace");
    }

  add_packets (self, recording, index);
}

static void
update (SlCallInspector *self)
{
  CapRecording *recording = self->session ? sl_session_get_recording (self->session) : NULL;
  guint index = self->session ? sl_session_get_selection_index (self->session) : 0;

  clear (self);
  if (recording == NULL || sl_session_get_selection_kind (self->session) != SL_SELECTION_CALL ||
      index >= cap_recording_get_n_calls (recording))
    {
      gtk_label_set_label (self->title_label, _("No call selected"));
      gtk_widget_set_visible (self->packets_heading, FALSE);
      return;
    }
  show_call (self, recording, index);
}

static void
on_packet_activated (SlCallInspector *self,
                     GtkListBoxRow   *row)
{
  gpointer packet = g_object_get_data (G_OBJECT (row), "packet");

  if (self->session != NULL && g_object_get_data (G_OBJECT (row), "packet") != NULL)
    sl_session_select (self->session, SL_SELECTION_PACKET, GPOINTER_TO_UINT (packet));
}

static void
sl_call_inspector_class_init (SlCallInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sl_call_inspector_dispose;
  object_class->get_property = sl_call_inspector_get_property;
  object_class->set_property = sl_call_inspector_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SL_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/socklens/Socklens/ui/sl-call-inspector.ui");
  gtk_widget_class_bind_template_child (widget_class, SlCallInspector, title_label);
  gtk_widget_class_bind_template_child (widget_class, SlCallInspector, grid);
  gtk_widget_class_bind_template_child (widget_class, SlCallInspector, packets_heading);
  gtk_widget_class_bind_template_child (widget_class, SlCallInspector, packets_list);
  gtk_widget_class_bind_template_callback (widget_class, on_packet_activated);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "slcallinspector");
}

static void
sl_call_inspector_init (SlCallInspector *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->session_signals = g_signal_group_new (SL_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "notify::recording",
                                  G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::selection-kind",
                                  G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::selection-index",
                                  G_CALLBACK (update), self);
  /* A selected call that was still in the kernel returns during a live run */
  g_signal_group_connect_swapped (self->session_signals, "recording-changed",
                                  G_CALLBACK (update), self);
  update (self);
}

GtkWidget *
sl_call_inspector_new (void)
{
  return g_object_new (SL_TYPE_CALL_INSPECTOR, NULL);
}

SlSession *
sl_call_inspector_get_session (SlCallInspector *self)
{
  g_return_val_if_fail (SL_IS_CALL_INSPECTOR (self), NULL);
  return self->session;
}

void
sl_call_inspector_set_session (SlCallInspector *self,
                               SlSession       *session)
{
  g_return_if_fail (SL_IS_CALL_INSPECTOR (self));
  g_return_if_fail (session == NULL || SL_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;
  g_signal_group_set_target (self->session_signals, session);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}
