/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-exporters.h: the one table of what a recording can be exported as.
 *
 * The command line (--diagram, --events) and the window (Export Diagram,
 * Export Events) both read it: its file filters, the help text, the
 * messages that list the known endings and the function that writes each
 * format all come from here. Each export writes a temporary file and
 * renames it into place. No GTK: the command line uses it headless.
 */
#pragma once

#include <glib.h>

#include "cap-recording.h"

G_BEGIN_DECLS

typedef enum
{
  SL_EXPORT_DIAGRAM, /* the ladder as a picture (sl-diagram.c) */
  SL_EXPORT_EVENTS,  /* the events as data (capture/cap-events-export.c) */
  SL_EXPORT_CAPTURE, /* the recording itself, as pcapng (Save, --output) */
} SlExportKind;

typedef gboolean (*SlExportFunc) (CapRecording *recording,
                                  const char   *path,
                                  GError      **error);

typedef struct
{
  const char   *id;         /* "diagram-svg", "events-csv" ... */
  const char   *name;       /* for a file filter, untranslated: wrap in _() */
  const char   *extension;  /* without the dot: "svg" */
  SlExportKind  kind;
  SlExportFunc  export;
} SlExporter;

const SlExporter *sl_exporters_list           (guint         *n_exporters);
/* The exporter of @kind whose extension ends @path (any case), or %NULL */
const SlExporter *sl_exporter_for_path        (SlExportKind   kind,
                                               const char    *path);
/* ".svg, .pdf or .png": the endings @kind knows, for help and messages */
char             *sl_exporter_list_extensions (SlExportKind   kind);
/* The exporter of @kind that @path's ending names; else %NULL with
 * G_IO_ERROR_INVALID_ARGUMENT naming @path and the endings known (the
 * command line asks before a run, so a typo costs no run) */
const SlExporter *sl_exporter_check_path      (SlExportKind   kind,
                                               const char    *path,
                                               GError       **error);
/* What a save chooser's name becomes (a chooser adds no ending): @path
 * as it is when its ending is one of @kind's; with ".@extension" (or the
 * default of @kind when %NULL) added when its name has no ending, so
 * "homework3" becomes homework3.pcapng; else %NULL with the error of
 * sl_exporter_check_path (). Free with g_free (). */
char *sl_exporter_complete_path (SlExportKind kind,
                                 const char  *path,
                                 const char  *extension,
                                 GError     **error);
/* The first exporter of @kind: what a name without an ending gets */
const SlExporter *sl_exporter_default (SlExportKind kind);
/* Exports @recording as the exporter of @kind that @path's ending names;
 * an unknown ending is G_IO_ERROR_INVALID_ARGUMENT, naming @path and the
 * endings known. */
gboolean          sl_export                   (SlExportKind   kind,
                                               CapRecording  *recording,
                                               const char    *path,
                                               GError       **error);

G_END_DECLS
