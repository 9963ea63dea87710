/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sl-exporters.c: the exporter table (see sl-exporters.h). */

#include "config.h"

#include "sl-exporters.h"
#include "sl-diagram.h"
#include "cap-events-export.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

static gboolean
export_events_csv (CapRecording *recording,
                   const char   *path,
                   GError      **error)
{
  return cap_recording_export_events (recording, path, CAP_EVENTS_CSV, error);
}

static gboolean
export_events_json (CapRecording *recording,
                    const char   *path,
                    GError      **error)
{
  return cap_recording_export_events (recording, path, CAP_EVENTS_JSON, error);
}

/* The first of each kind is the default (what a name without an ending gets). */
static const SlExporter exporters[] = {
  { "diagram-svg", N_ ("SVG image (.svg)"), "svg", SL_EXPORT_DIAGRAM, sl_diagram_export_svg },
  { "diagram-pdf", N_ ("PDF document (.pdf)"), "pdf", SL_EXPORT_DIAGRAM, sl_diagram_export_pdf },
  { "diagram-png", N_ ("PNG image (.png)"), "png", SL_EXPORT_DIAGRAM, sl_diagram_export_png },
  { "events-csv", N_ ("Events as CSV (.csv)"), "csv", SL_EXPORT_EVENTS, export_events_csv },
  { "events-json", N_ ("Events as JSON (.json)"), "json", SL_EXPORT_EVENTS, export_events_json },
  { "capture-pcapng", N_ ("pcapng (.pcapng)"), "pcapng", SL_EXPORT_CAPTURE, cap_recording_save },
};

const SlExporter *
sl_exporters_list (guint *n_exporters)
{
  *n_exporters = G_N_ELEMENTS (exporters);
  return exporters;
}

const SlExporter *
sl_exporter_for_path (SlExportKind  kind,
                      const char   *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  for (guint i = 0; i < G_N_ELEMENTS (exporters); i++)
    {
      g_autofree char *suffix = g_strconcat (".", exporters[i].extension, NULL);
      if (exporters[i].kind == kind && g_str_has_suffix (lower, suffix))
        return &exporters[i];
    }
  return NULL;
}

char *
sl_exporter_list_extensions (SlExportKind kind)
{
  GString *out = g_string_new (NULL);
  guint n = 0, total = 0;

  for (guint i = 0; i < G_N_ELEMENTS (exporters); i++)
    total += exporters[i].kind == kind;
  for (guint i = 0; i < G_N_ELEMENTS (exporters); i++)
    {
      if (exporters[i].kind != kind)
        continue;
      if (n > 0)
        g_string_append (out, n + 1 == total ? " or " : ", ");
      g_string_append_printf (out, ".%s", exporters[i].extension);
      n++;
    }
  return g_string_free (out, FALSE);
}

const SlExporter *
sl_exporter_check_path (SlExportKind   kind,
                        const char    *path,
                        GError       **error)
{
  const SlExporter *exporter;
  g_autofree char *known = NULL;
  g_autofree char *display = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  exporter = sl_exporter_for_path (kind, path);
  if (exporter != NULL)
    return exporter;
  known = sl_exporter_list_extensions (kind);
  display = g_filename_display_name (path);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               kind == SL_EXPORT_DIAGRAM  ? _ ("%s: a diagram is written as %s")
               : kind == SL_EXPORT_EVENTS ? _ ("%s: events are written as %s")
                                          : _ ("%s: a recording is saved as %s"),
               display, known);
  return NULL;
}

const SlExporter *
sl_exporter_default (SlExportKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (exporters); i++)
    if (exporters[i].kind == kind)
      return &exporters[i];
  g_return_val_if_reached (NULL);
}

/* "lesson" and "lab v1.2" have none (a version is not a format); "notes.txt"
 * and ".hidden.txt" end in "txt" */
static gboolean
name_has_ending (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  const char      *dot = strrchr (base, '.');
  gboolean         letter = FALSE;

  if (dot == NULL || dot == base || dot[1] == '\0')
    return FALSE;
  for (const char *p = dot + 1; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p))
        return FALSE;
      letter |= g_ascii_isalpha (*p);
    }
  return letter;
}

char *
sl_exporter_complete_path (SlExportKind kind,
                           const char  *path,
                           const char  *extension,
                           GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  if (sl_exporter_for_path (kind, path) != NULL)
    return g_strdup (path);
  if (name_has_ending (path))
    {
      sl_exporter_check_path (kind, path, error);
      return NULL;
    }
  return g_strconcat (path, ".", extension ? extension : sl_exporter_default (kind)->extension,
                      NULL);
}

gboolean
sl_export (SlExportKind   kind,
           CapRecording  *recording,
           const char    *path,
           GError       **error)
{
  const SlExporter *exporter;

  g_return_val_if_fail (CAP_IS_RECORDING (recording), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  exporter = sl_exporter_check_path (kind, path, error);
  return exporter != NULL && exporter->export (recording, path, error);
}
