/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-application.h: the GUI application (org.socklens.Socklens). */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define SL_TYPE_APPLICATION (sl_application_get_type ())
G_DECLARE_FINAL_TYPE (SlApplication, sl_application, SL, APPLICATION, AdwApplication)

SlApplication *sl_application_new          (void);
/* Whether GTK can open the display (gtk_init_check ()); FALSE means headless */
gboolean       sl_application_display_works (void);
/* NULL when the settings schema is neither installed nor in the build tree */
GSettings     *sl_application_get_settings (SlApplication *self);

G_END_DECLS
