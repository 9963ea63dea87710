/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-painter-wrap.c: how a label too wide for its room breaks into two
 * lines: where a person reads it whole ("socket" / "(TCP)", never
 * "connect(fd=10" / ")"), and the lines as drawn, for tests.
 */

#include "config.h"

#include "sl-timeline-painter-private.h"

#include <string.h>

/* Does @text from @from to @to hold a letter or a digit (not only
 * brackets, commas, spaces)? */
static gboolean
has_word (const char *from, const char *to)
{
  for (const char *p = from; p < to; p = g_utf8_next_char (p))
    if (g_unichar_isalnum (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

/* How good a place to break a line the start of @p is: 2 after a space or
 * before a call's "(" ("socket" / "(TCP)"), 1 where a word starts after
 * other punctuation ("send(fd=" / "11, 5)"), 0 between any two characters */
static int
break_quality (const char *prev, const char *p)
{
  gboolean word = g_unichar_isalnum (g_utf8_get_char (p));
  gboolean after_word = g_unichar_isalnum (g_utf8_get_char (prev));

  if ((*prev == ' ' && *p != ' ') || (*p == '(' && *prev != ' '))
    return 2;
  return word && !after_word && *prev != '(' ? 1 : 0;
}

/* Where @text (shaped on one line in @layout) is best broken for its first
 * line to fit in @max_w: at the best place (break_quality ()) that lets the
 * second fit too, else at the best place the first fits (the second cut
 * short); never leaving a line without a word (a lone ")"), nor a line
 * ending in "(". The byte index the second line starts at, or 0: none. */
static int
break_index (PangoLayout *layout, const char *text, double max_w)
{
  const char    *end = text + strlen (text);
  int            whole[3] = { 0 }, first_only[3] = { 0 };
  double         limit = max_w * PANGO_SCALE;
  PangoRectangle last;

  pango_layout_index_to_pos (layout, end - text, &last);
  for (const char *p = g_utf8_next_char (text); p < end; p = g_utf8_next_char (p))
    {
      const char    *prev = g_utf8_prev_char (p);
      const char    *line_end = p;
      PangoRectangle pos, rest;
      int            q = break_quality (prev, p);

      while (line_end > text && line_end[-1] == ' ')
        line_end--;
      pango_layout_index_to_pos (layout, line_end - text, &pos);
      if (pos.x > limit)
        break;
      if (*p == ' ' || line_end[-1] == '(' || !has_word (text, line_end) || !has_word (p, end))
        continue;
      pango_layout_index_to_pos (layout, p - text, &rest);
      first_only[q] = p - text;
      if (last.x - rest.x <= limit)
        whole[q] = p - text;
    }
  for (int q = 2; q >= 0; q--)
    if (whole[q] > 0)
      return whole[q];
  for (int q = 2; q >= 0; q--)
    if (first_only[q] > 0)
      return first_only[q];
  return 0;
}

/* Measures @text as it will be drawn: on one line where it fits, else on
 * two broken where break_index () says (Pango's own wrap would break
 * "connect(fd=10)" before its ")"), the second cut short ("…") if it is
 * still too long */
gboolean
sl_painter_measure_label (PangoLayout          *layout,
                          PangoFontDescription *font,
                          const char           *text,
                          double                max_w,
                          double               *w,
                          double               *h)
{
  int pw, ph;

  pango_layout_set_font_description (layout, font);
  pango_layout_set_height (layout, -2);
  pango_layout_set_width (layout, max_w > 0 ? (int) (max_w * PANGO_SCALE) : -1);
  pango_layout_set_text (layout, text, -1);
  if (max_w > 0 && pango_layout_get_line_count (layout) > 1 && strchr (text, '\n') == NULL)
    {
      int break_at;

      pango_layout_set_width (layout, -1);
      break_at = break_index (layout, text, max_w);
      if (break_at > 0)
        {
          g_autofree char *two = NULL;
          int              first = break_at;

          while (first > 0 && text[first - 1] == ' ')
            first--;
          two = g_strdup_printf ("%.*s\n%s", first, text, text + break_at);
          pango_layout_set_text (layout, two, -1);
          pango_layout_set_height (layout, -1); /* one line per paragraph */
        }
      pango_layout_set_width (layout, (int) (max_w * PANGO_SCALE));
    }
  pango_layout_get_pixel_size (layout, &pw, &ph);
  *w = pw;
  *h = ph;
  return pango_layout_is_ellipsized (layout);
}

/* The label's text as Pango laid it out: a '\n' where each line ends
 * (@text itself when it is on one line) */
const char *
sl_painter_label_lines (SlTimelinePainter *self, PangoLayout *layout, const char *text)
{
  const char *laid = pango_layout_get_text (layout);
  g_autoptr (GString) lines = NULL;

  if (pango_layout_get_line_count (layout) < 2)
    return text;
  lines = g_string_new (NULL);
  for (GSList *l = pango_layout_get_lines_readonly (layout); l != NULL; l = l->next)
    {
      PangoLayoutLine *line = l->data;

      if (lines->len > 0)
        g_string_append_c (lines, '\n');
      g_string_append_len (lines, laid + line->start_index, line->length);
    }
  return g_string_chunk_insert (self->label_text, lines->str);
}
