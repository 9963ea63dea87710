/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-palette.h: the timeline's colours. Okabe-Ito (colour-blind safe) on a
 * light, a dark and a high-contrast background. Plain C + cairo: the painter
 * uses it headless too.
 */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  SL_THEME_LIGHT,
  SL_THEME_DARK,
  SL_THEME_HIGH_CONTRAST,
  SL_THEME_HIGH_CONTRAST_DARK,
  SL_N_THEMES
} SlTheme;

typedef struct
{
  double r, g, b;
} SlRgb;

#define SL_PALETTE_N_PACKET 6
#define SL_PALETTE_N_STATES 13  /* Linux TCP state numbers, 0 = none */

typedef struct
{
  SlRgb  background;
  SlRgb  foreground;     /* titles, call names */
  SlRgb  dim;            /* addresses, results, axis labels */
  SlRgb  grid;           /* tick lines, column axes */
  SlRgb  lane;           /* a socket's lane where no state is known */
  SlRgb  call;           /* call boxes */
  SlRgb  call_text;      /* text on a call box */
  SlRgb  failed;         /* failed calls, malformed packets */
  SlRgb  selection;      /* halo around the selection and what is linked to it */
  SlRgb  playhead;
  SlRgb  label_bg;       /* behind labels that cross lines */
  SlRgb  packet[SL_PALETTE_N_PACKET];  /* by sending column */
  /* The same hues as words on label_bg: dark enough to read from the back
   * row (at least 4.5:1, WCAG AA; Okabe-Ito's sky and orange are 2.3:1 on
   * white, fine for a line, too faint for a label) */
  SlRgb  packet_text[SL_PALETTE_N_PACKET];
  SlRgb  failed_text;
  SlRgb  state[SL_PALETTE_N_STATES];   /* by TCP state */
  double line_scale;     /* high contrast draws thicker */
  double future_alpha;   /* events after the playhead */
} SlPalette;

const SlPalette *sl_palette_get        (SlTheme       theme);
void             sl_palette_set_source (cairo_t      *cr,
                                        const SlRgb  *rgb,
                                        double        alpha);
SlRgb            sl_rgb_mix            (const SlRgb  *a,
                                        const SlRgb  *b,
                                        double        t);

G_END_DECLS
