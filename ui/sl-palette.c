/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-palette.c: Okabe-Ito colours for the timeline in every theme.
 *
 * Okabe & Ito, "Color Universal Design" (2008): black #000000, orange
 * #E69F00, sky blue #56B4E9, bluish green #009E73, yellow #F0E442, blue
 * #0072B2, vermillion #D55E00, reddish purple #CC79A7. They stay apart for
 * the common colour-vision deficiencies; shapes (dashes, outlines, text)
 * carry the meaning too, so nothing depends on colour alone. */

#include "config.h"

#include "sl-palette.h"

#define HEX(v) { ((v) >> 16 & 0xff) / 255.0, ((v) >> 8 & 0xff) / 255.0, ((v) & 0xff) / 255.0 }

#define OI_BLACK      HEX (0x000000)
#define OI_ORANGE     HEX (0xE69F00)
#define OI_SKY        HEX (0x56B4E9)
#define OI_GREEN      HEX (0x009E73)
#define OI_YELLOW     HEX (0xF0E442)
#define OI_BLUE       HEX (0x0072B2)
#define OI_VERMILLION HEX (0xD55E00)
#define OI_PURPLE     HEX (0xCC79A7)
#define GREY          HEX (0x999999)

/* States by Linux number: NONE ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT1
 * FIN_WAIT2 TIME_WAIT CLOSE CLOSE_WAIT LAST_ACK LISTEN CLOSING NEW_SYN_RECV.
 * The handshake states are warm, the open state green, the closing states
 * blue, the passive close vermillion (LAST_ACK lighter), what lingers
 * grey: the textbook's order reads as a colour ramp. */
#define STATES(blue_closing) \
  { GREY, OI_GREEN, OI_ORANGE, OI_YELLOW, OI_SKY, blue_closing, GREY, GREY, \
    OI_VERMILLION, HEX (0xEBAE80), OI_PURPLE, HEX (0xA9D8F3), OI_YELLOW }

static const SlPalette palettes[SL_N_THEMES] = {
  [SL_THEME_LIGHT] = {
    .background = HEX (0xFFFFFF),
    .foreground = HEX (0x1E1E1E),
    .dim = HEX (0x5E5C64),
    .grid = HEX (0xC0BFBC),
    .lane = HEX (0xDEDDDA),
    .call = OI_BLUE,
    .call_text = HEX (0xFFFFFF),
    .failed = OI_VERMILLION,
    .selection = OI_ORANGE,
    .playhead = HEX (0x1E1E1E),
    .label_bg = HEX (0xFFFFFF),
    .packet = { OI_VERMILLION, OI_SKY, OI_PURPLE, OI_GREEN, OI_ORANGE, OI_BLUE },
    .packet_text = { HEX (0xB34F00), HEX (0x1F6F9E), HEX (0xA04E7E), HEX (0x007A5A),
                     HEX (0x8A6100), OI_BLUE },
    .failed_text = HEX (0xB34F00),
    .state = STATES (OI_BLUE),
    .line_scale = 1.0,
    .future_alpha = 0.22,
  },
  [SL_THEME_DARK] = {
    .background = HEX (0x242424),
    .foreground = HEX (0xF6F5F4),
    .dim = HEX (0xB0AFAC),
    .grid = HEX (0x5E5C64),
    .lane = HEX (0x48474C),
    .call = HEX (0x3D9BD9),  /* Okabe-Ito blue, lightened to read on dark grey */
    .call_text = HEX (0x101010),
    .failed = HEX (0xFF7A2E),
    .selection = OI_YELLOW,
    .playhead = HEX (0xF6F5F4),
    .label_bg = HEX (0x242424),
    .packet = { HEX (0xFF7A2E), OI_SKY, OI_PURPLE, OI_GREEN, OI_ORANGE, HEX (0x3D9BD9) },
    .packet_text = { HEX (0xFF7A2E), OI_SKY, OI_PURPLE, HEX (0x00B383), OI_ORANGE,
                     HEX (0x3D9BD9) },
    .failed_text = HEX (0xFF7A2E),
    .state = STATES (HEX (0x3D9BD9)),
    .line_scale = 1.0,
    .future_alpha = 0.3,
  },
  [SL_THEME_HIGH_CONTRAST] = {
    .background = HEX (0xFFFFFF),
    .foreground = OI_BLACK,
    .dim = OI_BLACK,
    .grid = HEX (0x767676),
    .lane = HEX (0x767676),
    .call = HEX (0x00466E),
    .call_text = HEX (0xFFFFFF),
    .failed = HEX (0xA33F00),
    .selection = HEX (0xB36F00),
    .playhead = OI_BLACK,
    .label_bg = HEX (0xFFFFFF),
    .packet = { HEX (0xA33F00), HEX (0x00466E), HEX (0x8E3B6B), HEX (0x00664A),
                HEX (0x7A5500), OI_BLACK },
    .packet_text = { HEX (0xA33F00), HEX (0x00466E), HEX (0x8E3B6B), HEX (0x00664A),
                     HEX (0x7A5500), OI_BLACK },
    .failed_text = HEX (0xA33F00),
    .state = STATES (OI_BLUE),
    .line_scale = 1.6,
    .future_alpha = 0.3,
  },
  [SL_THEME_HIGH_CONTRAST_DARK] = {
    .background = OI_BLACK,
    .foreground = HEX (0xFFFFFF),
    .dim = HEX (0xFFFFFF),
    .grid = HEX (0xA0A0A0),
    .lane = HEX (0xA0A0A0),
    .call = HEX (0x6CC4FF),
    .call_text = OI_BLACK,
    .failed = HEX (0xFF8C4A),
    .selection = OI_YELLOW,
    .playhead = HEX (0xFFFFFF),
    .label_bg = OI_BLACK,
    .packet = { HEX (0xFF8C4A), HEX (0x8AD0FF), HEX (0xF0A6D0), HEX (0x3FD9A8),
                OI_YELLOW, HEX (0xFFFFFF) },
    .packet_text = { HEX (0xFF8C4A), HEX (0x8AD0FF), HEX (0xF0A6D0), HEX (0x3FD9A8),
                     OI_YELLOW, HEX (0xFFFFFF) },
    .failed_text = HEX (0xFF8C4A),
    .state = STATES (HEX (0x6CC4FF)),
    .line_scale = 1.6,
    .future_alpha = 0.35,
  },
};

const SlPalette *
sl_palette_get (SlTheme theme)
{
  if ((guint) theme >= SL_N_THEMES)
    theme = SL_THEME_LIGHT;
  return &palettes[theme];
}

void
sl_palette_set_source (cairo_t     *cr,
                       const SlRgb *rgb,
                       double       alpha)
{
  if (alpha >= 1.0)
    cairo_set_source_rgb (cr, rgb->r, rgb->g, rgb->b);
  else
    cairo_set_source_rgba (cr, rgb->r, rgb->g, rgb->b, alpha);
}

SlRgb
sl_rgb_mix (const SlRgb *a,
            const SlRgb *b,
            double       t)
{
  SlRgb out = {
    a->r + (b->r - a->r) * t,
    a->g + (b->g - a->g) * t,
    a->b + (b->b - a->b) * t,
  };
  return out;
}
