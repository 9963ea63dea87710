/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-packet-inspector.c: the packet pane. The field tree comes from
 * cap_dissect_tree (), the same dissector as the timeline's summary, so the
 * two never disagree. Layers collapse; selecting a field lights its bytes in
 * the hex view, and a multi-byte integer also shows its bytes in network
 * order next to the value the host computes from them: the byte-order lesson.
 */

#include "config.h"

#include <inttypes.h>

#include "sl-packet-inspector.h"

#include <glib/gi18n.h>

#include "sl-field-item.h"

#define HEX_PER_LINE 8  /* narrow enough for a side pane on a projector */
#define HEX_COL_HEX  6  /* "0000  " */
#define HEX_COL_TEXT (HEX_COL_HEX + HEX_PER_LINE * 3 + 1)

struct _SlPacketInspector
{
  GtkWidget     parent_instance;

  GtkLabel     *title_label;
  GtkBox       *links_box;
  GtkListView  *field_list;
  GtkWidget    *order_box;
  GtkLabel     *order_label;
  GtkLabel     *order_detail_label;
  GtkTextView  *hex_view;

  SlSession    *session;
  GSignalGroup *session_signals;
  CapRecording *recording;     /* whose packet is shown (not a reference) */
  guint         packet;        /* G_MAXUINT: none */
  CapFieldTree *tree;
  guint8       *data;          /* a copy of the packet's bytes */
  guint32       caplen;
  GtkTextTag   *highlight_tag;
  GtkTreeListModel   *field_model;     /* SlFieldItem rows, children made on expanding */
  GtkSingleSelection *field_selection;
  char         *order_text;
  const char   *wanted_field;  /* static name to keep selected across packets */
};

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (SlPacketInspector, sl_packet_inspector, GTK_TYPE_WIDGET)

static void
sl_packet_inspector_dispose (GObject *object)
{
  SlPacketInspector *self = SL_PACKET_INSPECTOR (object);

  g_clear_object (&self->session_signals);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), SL_TYPE_PACKET_INSPECTOR);
  /* GTK 4.8 clears only the children with an id: the template's root goes here. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (sl_packet_inspector_parent_class)->dispose (object);
}

static void
sl_packet_inspector_finalize (GObject *object)
{
  SlPacketInspector *self = SL_PACKET_INSPECTOR (object);

  g_clear_pointer (&self->tree, cap_field_tree_free);
  g_clear_pointer (&self->data, g_free);
  g_clear_object (&self->field_selection);
  g_clear_object (&self->field_model);
  g_clear_pointer (&self->order_text, g_free);

  G_OBJECT_CLASS (sl_packet_inspector_parent_class)->finalize (object);
}

static void
sl_packet_inspector_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  SlPacketInspector *self = SL_PACKET_INSPECTOR (object);

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
sl_packet_inspector_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  SlPacketInspector *self = SL_PACKET_INSPECTOR (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      sl_packet_inspector_set_session (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* ---- hex view ------------------------------------------------------------ */

static void
fill_hex (SlPacketInspector *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->hex_view);
  GString *text = g_string_new (NULL);

  for (guint32 line = 0; line * HEX_PER_LINE < self->caplen; line++)
    {
      guint32 base = line * HEX_PER_LINE;

      g_string_append_printf (text, "%04x  ", base);
      for (guint32 i = 0; i < HEX_PER_LINE; i++)
        {
          if (base + i < self->caplen)
            g_string_append_printf (text, "%02x ", self->data[base + i]);
          else
            g_string_append (text, "   ");
        }
      g_string_append_c (text, ' ');
      for (guint32 i = 0; i < HEX_PER_LINE && base + i < self->caplen; i++)
        {
          guint8 c = self->data[base + i];
          g_string_append_c (text, g_ascii_isprint (c) ? (char) c : '.');
        }
      g_string_append_c (text, '\n');
    }
  gtk_text_buffer_set_text (buffer, text->str, (int) text->len);
  g_string_free (text, TRUE);
}

static void
highlight_bytes (SlPacketInspector *self,
                 guint32            offset,
                 guint32            length)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->hex_view);
  GtkTextIter start, end;
  gboolean scrolled = FALSE;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  gtk_text_buffer_remove_tag (buffer, self->highlight_tag, &start, &end);

  /* Each line separately: the hex column and the text column. */
  for (guint32 i = offset; i < offset + length && i < self->caplen;)
    {
      guint32 line = i / HEX_PER_LINE;
      guint32 first = i % HEX_PER_LINE;
      guint32 last = MIN (offset + length, MIN (self->caplen, (line + 1) * HEX_PER_LINE)) - 1;
      guint32 last_col = last % HEX_PER_LINE;

      gtk_text_buffer_get_iter_at_line_offset (buffer, &start, (int) line,
                                               (int) (HEX_COL_HEX + first * 3));
      gtk_text_buffer_get_iter_at_line_offset (buffer, &end, (int) line,
                                               (int) (HEX_COL_HEX + last_col * 3 + 2));
      gtk_text_buffer_apply_tag (buffer, self->highlight_tag, &start, &end);
      gtk_text_buffer_get_iter_at_line_offset (buffer, &start, (int) line,
                                               (int) (HEX_COL_TEXT + first));
      gtk_text_buffer_get_iter_at_line_offset (buffer, &end, (int) line,
                                               (int) (HEX_COL_TEXT + last_col + 1));
      gtk_text_buffer_apply_tag (buffer, self->highlight_tag, &start, &end);

      if (!scrolled)
        {
          gtk_text_view_scroll_to_iter (self->hex_view, &start, 0.1, FALSE, 0, 0);
          scrolled = TRUE;
        }
      i = (line + 1) * HEX_PER_LINE;
    }
}

/* ---- byte order ---------------------------------------------------------- */

static void
show_byte_order (SlPacketInspector *self,
                 const CapField    *field)
{
  g_autoptr(GString) bytes = g_string_new (NULL);
  g_autofree char *markup = NULL;
  g_autofree char *detail = NULL;
  guint64 from_wire = 0;
  const char *fn;

  g_clear_pointer (&self->order_text, g_free);
  gtk_widget_set_visible (self->order_box, FALSE);

  if (field == NULL || !field->is_integer || !field->is_network_order ||
      field->length < 2 || field->length > 8 || field->offset + field->length > self->caplen)
    return;

  for (guint32 i = 0; i < field->length; i++)
    {
      guint8 b = self->data[field->offset + i];
      from_wire = (from_wire << 8) | b;
      g_string_append_printf (bytes, "%s%02x", i ? " " : "", b);
    }
  /* A bit field (TCP's data offset and flags) is not the value of its bytes:
   * no lesson there. */
  if (from_wire != field->value)
    return;

  self->order_text = g_strdup_printf (_("network order %s → host value %" PRIu64),
                                      bytes->str, field->value);
  markup = g_markup_printf_escaped (_("<b>network order</b> %s  →  <b>host value</b> %" PRIu64),
                                    bytes->str, field->value);
  gtk_label_set_markup (self->order_label, markup);

  fn = field->length == 2 ? "htons" : field->length == 4 ? "htonl" : NULL;
  if (fn != NULL)
    {
      g_autoptr(GString) host_bytes = g_string_new (NULL);

      for (guint32 i = 0; i < field->length; i++)
        g_string_append_printf (host_bytes, "%s%02x", i ? " " : "",
                                self->data[field->offset + field->length - 1 - i]);
      /* Say what the host really does: on a little-endian CPU the value of
       * htons(9000) is 0x2823, whose bytes in memory are 23 28. */
      /* Lines broken by hand: a wrapping label here would make the pane
       * as wide as its one-line text (width-for-height in the panes). */
      if (G_BYTE_ORDER == G_LITTLE_ENDIAN)
        detail = g_strdup_printf (_("%" PRIu64 " = 0x%0*" PRIx64 "; "
                                    "%s() puts the high byte first:\n"
                                    "%s on the wire. This little-endian CPU\n"
                                    "keeps it in memory as %s."),
                                  field->value, (int) field->length * 2, field->value,
                                  fn, bytes->str, host_bytes->str);
      else
        detail = g_strdup_printf (_("%" PRIu64 " = 0x%0*" PRIx64 ". "
                                    "This CPU is big-endian:\n%s() changes nothing."),
                                  field->value, (int) field->length * 2, field->value, fn);
    }
  gtk_label_set_label (self->order_detail_label, detail ? detail : "");
  gtk_widget_set_visible (GTK_WIDGET (self->order_detail_label), detail != NULL);
  gtk_widget_set_visible (self->order_box, TRUE);
}

/* ---- field tree ---------------------------------------------------------- */

/* The first field called @name ("Source port"), or -1 */
static gint
find_named (const CapFieldTree *tree,
            const char         *name)
{
  for (guint i = 0; i < cap_field_tree_get_n_fields (tree); i++)
    if (g_strcmp0 (cap_field_tree_get_field (tree, i)->name, name) == 0)
      return (gint) i;
  return -1;
}

/* GtkTreeListModel asks for a row's children when it is expanded */
static GListModel *
create_children (gpointer item,
                 gpointer user_data)
{
  SlPacketInspector *self = user_data;
  SlFieldItem *field = SL_FIELD_ITEM (item);

  if (self->tree == NULL || !sl_field_item_has_children (field))
    return NULL;
  return sl_field_item_list_children (self->tree, (gint32) sl_field_item_get_index (field));
}

static SlFieldItem *
item_at (SlPacketInspector *self,
         guint              position,
         GtkTreeListRow   **row_out)
{
  GtkTreeListRow *row = gtk_tree_list_model_get_row (self->field_model, position);
  SlFieldItem *item = row ? SL_FIELD_ITEM (gtk_tree_list_row_get_item (row)) : NULL;

  if (row_out != NULL)
    *row_out = row;
  else
    g_clear_object (&row);
  if (item != NULL)
    g_object_unref (item);  /* the row keeps it */
  return item;
}

/* The position of field @index among the rows shown now, or G_MAXUINT */
static guint
position_of (SlPacketInspector *self,
             guint              index)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->field_model));

  for (guint i = 0; i < n; i++)
    if (sl_field_item_get_index (item_at (self, i, NULL)) == index)
      return i;
  return G_MAXUINT;
}

/* Opens the rows above field @index, top first, so it has a row */
static void
expand_to (SlPacketInspector *self,
           guint              index)
{
  g_autoptr(GArray) chain = g_array_new (FALSE, FALSE, sizeof (gint32));

  for (gint32 p = cap_field_tree_get_field (self->tree, index)->parent; p >= 0;
       p = cap_field_tree_get_field (self->tree, p)->parent)
    g_array_prepend_val (chain, p);
  for (guint i = 0; i < chain->len; i++)
    {
      guint pos = position_of (self, (guint) g_array_index (chain, gint32, i));
      g_autoptr(GtkTreeListRow) row = NULL;

      if (pos == G_MAXUINT)
        return;
      item_at (self, pos, &row);
      gtk_tree_list_row_set_expanded (row, TRUE);
    }
}

static void
clear_fields (SlPacketInspector *self)
{
  gtk_single_selection_set_model (self->field_selection, NULL);
  g_clear_object (&self->field_model);
  g_clear_pointer (&self->tree, cap_field_tree_free);
}

static void
fill_fields (SlPacketInspector *self)
{
  GListModel *roots = sl_field_item_list_children (self->tree, -1);
  gint wanted = -1;

  self->field_model = gtk_tree_list_model_new (roots, FALSE, FALSE, create_children, self, NULL);
  /* As in the mockup: the link and IP layers folded, what the lesson is
   * about (transport and data) open; inside them, flag bits and options
   * folded too, so the ports, numbers and window show without scrolling. */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->field_model)); i++)
    {
      g_autoptr(GtkTreeListRow) row = NULL;
      SlFieldItem *item = item_at (self, i, &row);

      if (sl_field_item_get_depth (item) == 0 && sl_field_item_get_layer (item) >= CAP_LAYER_TRANSPORT)
        gtk_tree_list_row_set_expanded (row, TRUE);
    }
  gtk_single_selection_set_model (self->field_selection, G_LIST_MODEL (self->field_model));
  gtk_single_selection_set_selected (self->field_selection, GTK_INVALID_LIST_POSITION);

  if (self->wanted_field != NULL)
    wanted = find_named (self->tree, self->wanted_field);
  if (wanted >= 0)
    {
      guint pos = position_of (self, (guint) wanted);
      if (pos != G_MAXUINT)
        gtk_single_selection_set_selected (self->field_selection, pos);
    }
}

static void
on_field_selected (SlPacketInspector *self)
{
  const CapField *field = NULL;
  guint pos = gtk_single_selection_get_selected (self->field_selection);

  if (self->hex_view == NULL)  /* rows going away during dispose */
    return;
  if (pos != GTK_INVALID_LIST_POSITION && self->tree != NULL && self->field_model != NULL)
    {
      field = cap_field_tree_get_field (self->tree, sl_field_item_get_index (item_at (self, pos, NULL)));
      self->wanted_field = field->name;  /* static in the dissector */
    }
  if (field != NULL && !(field->flags & CAP_FIELD_GENERATED))
    highlight_bytes (self, field->offset, field->length);
  else
    highlight_bytes (self, 0, 0);
  show_byte_order (self, field);
}

/* A row: an expander (indented by depth, a triangle where there are
 * children) holding the field's text */
static void
setup_field_row (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item)
{
  GtkWidget *expander = gtk_tree_expander_new ();
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), label);
  gtk_list_item_set_child (list_item, expander);
}

static void
bind_field_row (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item)
{
  GtkTreeListRow *row = gtk_list_item_get_item (list_item);
  GtkWidget *expander = gtk_list_item_get_child (list_item);
  GtkWidget *label = gtk_tree_expander_get_child (GTK_TREE_EXPANDER (expander));
  SlFieldItem *item = SL_FIELD_ITEM (gtk_tree_list_row_get_item (row));
  guint8 flags = sl_field_item_get_flags (item);

  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), row);
  gtk_label_set_label (GTK_LABEL (label), sl_field_item_get_display (item));
  gtk_widget_set_tooltip_text (label, sl_field_item_get_display (item));
  if (flags & CAP_FIELD_PROTOCOL)
    gtk_widget_add_css_class (label, "layer");
  else
    gtk_widget_remove_css_class (label, "layer");
  if (flags & (CAP_FIELD_MALFORMED | CAP_FIELD_TRUNCATED))
    gtk_widget_add_css_class (label, "error");
  else
    gtk_widget_remove_css_class (label, "error");
  if (flags & CAP_FIELD_GENERATED)
    gtk_widget_add_css_class (label, "dim-label");
  else
    gtk_widget_remove_css_class (label, "dim-label");
  g_object_unref (item);
}

static void
setup_field_list (SlPacketInspector *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_field_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_field_row), NULL);
  self->field_selection = gtk_single_selection_new (NULL);
  gtk_single_selection_set_autoselect (self->field_selection, FALSE);
  gtk_single_selection_set_can_unselect (self->field_selection, TRUE);
  g_signal_connect_swapped (self->field_selection, "notify::selected",
                            G_CALLBACK (on_field_selected), self);
  gtk_list_view_set_factory (self->field_list, factory);
  gtk_list_view_set_model (self->field_list, GTK_SELECTION_MODEL (self->field_selection));
}

/* ---- the packet ---------------------------------------------------------- */

static void
on_link_clicked (GtkButton         *button,
                 SlPacketInspector *self)
{
  guint call = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "call"));

  if (self->session != NULL)
    sl_session_select (self->session, SL_SELECTION_CALL, call);
}

static void
fill_links (SlPacketInspector *self,
            CapRecording      *recording,
            guint              packet)
{
  guint n_links = 0;
  const CapLink *links = cap_recording_get_packet_links (recording, packet, &n_links);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->links_box))) != NULL)
    gtk_box_remove (self->links_box, child);

  for (guint i = 0; i < n_links; i++)
    {
      const NcCall *call = cap_recording_get_call (recording, links[i].call);
      const NcActorInfo *actor = call->actor < cap_recording_get_n_actors (recording)
                                   ? cap_recording_get_actor (recording, call->actor) : NULL;
      g_autofree char *text = nc_call_to_string (call);
      g_autofree char *label = g_strdup_printf ("%s: %s %s", cap_link_kind_name (links[i].kind),
                                                actor && actor->name ? actor->name : "",
                                                text);
      GtkWidget *button = gtk_button_new_with_label (label);

      gtk_widget_add_css_class (button, "flat");
      gtk_widget_add_css_class (button, "link-row");
      gtk_label_set_xalign (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))), 0);
      gtk_label_set_ellipsize (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))),
                               PANGO_ELLIPSIZE_END);
      gtk_label_set_max_width_chars (GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button))), 36);
      gtk_widget_set_tooltip_text (button, _("Show this call"));
      g_object_set_data (G_OBJECT (button), "call", GUINT_TO_POINTER (links[i].call));
      g_signal_connect (button, "clicked", G_CALLBACK (on_link_clicked), self);
      gtk_box_append (self->links_box, button);
    }
}

static void
show_packet (SlPacketInspector *self,
             CapRecording      *recording,
             guint              packet)
{
  const CapPacket *p;
  const guint8 *data;
  CapDissectOptions options = { 0 };
  g_autoptr(GString) title = g_string_new (NULL);

  if (recording == self->recording && packet == self->packet)
    return;
  self->recording = recording;
  self->packet = packet;
  clear_fields (self);
  g_clear_pointer (&self->data, g_free);
  self->caplen = 0;

  if (recording == NULL || packet >= cap_recording_get_n_packets (recording))
    {
      gtk_label_set_label (self->title_label, _("No packet selected"));
      fill_hex (self);
      show_byte_order (self, NULL);
      return;
    }

  p = cap_recording_get_packet (recording, packet);
  data = cap_recording_get_packet_data (recording, packet, &self->caplen);
  if (data == NULL)
    {
      /* the file changed after it was opened: say so, show no stale bytes */
      g_autoptr(GError) error = NULL;

      cap_recording_check_packet_data (recording, &error);
      gtk_label_set_label (self->title_label, error != NULL ? error->message : "");
      fill_hex (self);
      show_byte_order (self, NULL);
      return;
    }
  self->data = g_memdup2 (data, self->caplen);

  /* Relative sequence numbers, as the timeline and Wireshark show them */
  if (p->conv != CAP_NONE)
    {
      const CapConversation *conv = cap_recording_get_conversation (recording, p->conv);
      guint from = p->from_b ? 1 : 0;

      if (conv != NULL && conv->has_isn[from] && conv->has_isn[!from])
        {
          options.relative = TRUE;
          options.seq_base = conv->isn[from];
          options.ack_base = conv->isn[!from];
        }
    }
  self->tree = cap_dissect_tree_full (cap_recording_get_packet_linktype (recording, packet),
                                      self->data, self->caplen, p->len, &options);

  /* Wireshark's frame number, so the student finds the same packet there */
  g_string_append_printf (title, _("Packet %u"), cap_recording_get_packet_frame (recording, packet));
  if (self->tree != NULL)
    {
      g_string_append (title, "  ·  ");
      cap_summary_format_label (cap_field_tree_get_summary (self->tree), title);
    }
  if (p->flags & CAP_PACKET_DROPPED)
    g_string_append (title, _("  ·  dropped by the lab"));
  if (p->flags & CAP_PACKET_RETRANSMISSION)
    g_string_append (title, _("  ·  retransmission"));
  gtk_label_set_label (self->title_label, title->str);

  fill_links (self, recording, packet);
  fill_hex (self);
  show_byte_order (self, NULL);
  if (self->tree != NULL)
    fill_fields (self);
}

static void
update (SlPacketInspector *self)
{
  CapRecording *recording = self->session ? sl_session_get_recording (self->session) : NULL;

  if (recording != NULL && sl_session_get_selection_kind (self->session) == SL_SELECTION_PACKET)
    show_packet (self, recording, sl_session_get_selection_index (self->session));
  else
    show_packet (self, NULL, G_MAXUINT);
}

static void
on_recording_replaced (SlPacketInspector *self)
{
  /* Same index, other recording: force a refill. */
  self->recording = NULL;
  update (self);
}

static void
sl_packet_inspector_class_init (SlPacketInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = sl_packet_inspector_dispose;
  object_class->finalize = sl_packet_inspector_finalize;
  object_class->get_property = sl_packet_inspector_get_property;
  object_class->set_property = sl_packet_inspector_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, SL_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/socklens/Socklens/ui/sl-packet-inspector.ui");
  gtk_widget_class_bind_template_child (widget_class, SlPacketInspector, title_label);
  gtk_widget_class_bind_template_child (widget_class, SlPacketInspector, links_box);
  gtk_widget_class_bind_template_child (widget_class, SlPacketInspector, field_list);
  gtk_widget_class_bind_template_child (widget_class, SlPacketInspector, order_box);
  gtk_widget_class_bind_template_child (widget_class, SlPacketInspector, order_label);
  gtk_widget_class_bind_template_child (widget_class, SlPacketInspector, order_detail_label);
  gtk_widget_class_bind_template_child (widget_class, SlPacketInspector, hex_view);
  g_type_ensure (SL_TYPE_FIELD_ITEM);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "slpacketinspector");
}

static void
sl_packet_inspector_init (SlPacketInspector *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  setup_field_list (self);

  self->packet = G_MAXUINT;
  self->wanted_field = "Destination port";
  self->highlight_tag = gtk_text_buffer_create_tag (gtk_text_view_get_buffer (self->hex_view),
                                                    "highlight",
                                                    "background", "rgba(53,132,228,0.35)",
                                                    "weight", PANGO_WEIGHT_BOLD,
                                                    NULL);

  self->session_signals = g_signal_group_new (SL_TYPE_SESSION);
  g_signal_group_connect_swapped (self->session_signals, "notify::recording",
                                  G_CALLBACK (on_recording_replaced), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::selection-kind",
                                  G_CALLBACK (update), self);
  g_signal_group_connect_swapped (self->session_signals, "notify::selection-index",
                                  G_CALLBACK (update), self);
  update (self);
}

GtkWidget *
sl_packet_inspector_new (void)
{
  return g_object_new (SL_TYPE_PACKET_INSPECTOR, NULL);
}

SlSession *
sl_packet_inspector_get_session (SlPacketInspector *self)
{
  g_return_val_if_fail (SL_IS_PACKET_INSPECTOR (self), NULL);
  return self->session;
}

void
sl_packet_inspector_set_session (SlPacketInspector *self,
                                 SlSession         *session)
{
  g_return_if_fail (SL_IS_PACKET_INSPECTOR (self));
  g_return_if_fail (session == NULL || SL_IS_SESSION (session));

  if (!g_set_object (&self->session, session))
    return;
  g_signal_group_set_target (self->session_signals, session);
  on_recording_replaced (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

gboolean
sl_packet_inspector_select_field (SlPacketInspector *self,
                                  const char        *name)
{
  gint index;
  guint pos;

  g_return_val_if_fail (SL_IS_PACKET_INSPECTOR (self), FALSE);

  if (self->tree == NULL || self->field_model == NULL ||
      (index = find_named (self->tree, name)) < 0)
    return FALSE;
  expand_to (self, (guint) index);
  pos = position_of (self, (guint) index);
  if (pos == G_MAXUINT)
    return FALSE;
  gtk_single_selection_set_selected (self->field_selection, pos);
  return TRUE;
}

const char *
sl_packet_inspector_get_byte_order_text (SlPacketInspector *self)
{
  g_return_val_if_fail (SL_IS_PACKET_INSPECTOR (self), NULL);
  return self->order_text;
}
