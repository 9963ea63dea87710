/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * nc-preload-source.c: the source line of a traced call.
 *
 * Python: CPython's C API, found at run time with dlsym (RTLD_DEFAULT) (the
 * interpreter exports it), so this library needs no libpython. Most socket
 * calls are made with the GIL released; the frame is read holding the GIL
 * (PyGILState_Ensure), and it is released before the real call, which may
 * block, so a threaded program never waits for a blocked thread. Only
 * threads Python knows are asked: a thread of C code has no frame.
 *
 * The innermost frame in the program's own files (SOCKLENS_TRACE_ROOTS, the
 * folders of the programs the lab started) is the call's line. socket.py is
 * the socket API itself (s.accept() is socket.py's accept() around the C
 * one), so its frames do not count; if any other frame stands between the
 * program's line and the call (socketserver.py, selectors.py), the call is
 * the library's, made on the program's behalf.
 *
 * A C program: the function that called, from dladdr () on the return
 * address; calls from shared libraries count as the library's.
 */

#include "config.h"

#include "nc-preload-source.h"
#include "nc-call.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STACK_FRAMES 6

typedef void PyObject;
typedef int PyGILState_STATE;

static struct
{
  gboolean    ready;
  int       (*IsInitialized) (void);
  void     *(*GILState_GetThisThreadState) (void);
  PyGILState_STATE (*GILState_Ensure) (void);
  void      (*GILState_Release) (PyGILState_STATE);
  PyObject *(*EvalGetFrame) (void);
  int       (*FrameGetLineNumber) (PyObject *);
  PyObject *(*FrameGetCode) (PyObject *);
  PyObject *(*FrameGetBack) (PyObject *);
  PyObject *(*GetAttrString) (PyObject *, const char *);
  const char *(*UnicodeAsUTF8) (PyObject *);
  void      (*IncRef) (PyObject *);
  void      (*DecRef) (PyObject *);
  void      (*ErrFetch) (PyObject **, PyObject **, PyObject **);
  void      (*ErrRestore) (PyObject *, PyObject *, PyObject *);
  int       (*IsFinalizing) (void);
} py;

static char **roots;
static void *main_program;  /* dladdr's base of the executable */

#define FIND(field, name) (*(void **) &py.field = dlsym (RTLD_DEFAULT, name))

void
nc_source_init (void)
{
  const char *env = getenv ("SOCKLENS_TRACE_ROOTS");
  Dl_info info;

  if (env != NULL && env[0] != '\0')
    roots = g_strsplit (env, ":", -1);
  if (dladdr (dlsym (RTLD_DEFAULT, "main"), &info) != 0)
    main_program = info.dli_fbase;

  py.ready = FIND (IsInitialized, "Py_IsInitialized") && FIND (GILState_GetThisThreadState, "PyGILState_GetThisThreadState") &&
             FIND (GILState_Ensure, "PyGILState_Ensure") && FIND (GILState_Release, "PyGILState_Release") &&
             FIND (EvalGetFrame, "PyEval_GetFrame") && FIND (FrameGetLineNumber, "PyFrame_GetLineNumber") &&
             FIND (FrameGetCode, "PyFrame_GetCode") && FIND (FrameGetBack, "PyFrame_GetBack") &&
             FIND (GetAttrString, "PyObject_GetAttrString") && FIND (UnicodeAsUTF8, "PyUnicode_AsUTF8") &&
             FIND (IncRef, "Py_IncRef") && FIND (DecRef, "Py_DecRef") && FIND (ErrFetch, "PyErr_Fetch") &&
             FIND (ErrRestore, "PyErr_Restore");
  FIND (IsFinalizing, "_Py_IsFinalizing");
}

static gboolean
is_program_file (const char *file)
{
  if (file == NULL || file[0] == '<')
    return FALSE;
  if (roots == NULL)
    return strstr (file, "/lib/python3") == NULL;
  for (char **r = roots; *r != NULL; r++)
    {
      gsize n = strlen (*r);
      if (n > 0 && strncmp (file, *r, n) == 0 && file[n] == '/' &&
          strstr (file + n, "/site-packages/") == NULL)
        return TRUE;
    }
  return FALSE;
}

static const char *
base_name (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash != NULL ? slash + 1 : path;
}

/* A string attribute of a code object, copied into @out */
static void
code_text (PyObject   *code,
           const char *attr,
           char       *out,
           gsize       out_len)
{
  PyObject *value = py.GetAttrString (code, attr);
  const char *text = value != NULL ? py.UnicodeAsUTF8 (value) : NULL;

  g_strlcpy (out, text != NULL ? text : "?", out_len);
  if (value != NULL)
    py.DecRef (value);
}

/* With the GIL held */
static void
walk_frames (NcSource *source)
{
  PyObject *frame = py.EvalGetFrame ();
  gboolean direct = TRUE;  /* only socket.py's frames so far */
  guint depth = 0;
  gsize used = 0;

  if (frame == NULL)
    return;
  py.IncRef (frame);
  while (frame != NULL && (depth < STACK_FRAMES || source->file[0] == '\0'))
    {
      PyObject *code = py.FrameGetCode (frame);
      PyObject *back;
      char file[NC_SOURCE_FILE_MAX], name[128];
      int line = py.FrameGetLineNumber (frame);

      code_text (code, "co_filename", file, sizeof file);
      code_text (code, "co_name", name, sizeof name);
      py.DecRef (code);

      if (source->file[0] == '\0' && is_program_file (file))
        {
          g_strlcpy (source->file, file, sizeof source->file);
          source->line = line;
          source->origin = direct ? NC_CALL_ORIGIN_PROGRAM : NC_CALL_ORIGIN_LIBRARY;
        }
      else if (source->file[0] == '\0' && !g_str_equal (base_name (file), "socket.py"))
        direct = FALSE;
      if (depth < STACK_FRAMES && used < sizeof source->stack)
        used += (gsize) MAX (0, g_snprintf (source->stack + used, sizeof source->stack - used,
                                            "%s%s (%s:%d)", depth ? "\n" : "", name,
                                            base_name (file), line));
      depth++;
      back = py.FrameGetBack (frame);  /* a new reference */
      py.DecRef (frame);
      frame = back;
    }
  if (frame != NULL)
    py.DecRef (frame);
}

static gboolean
python_source (NcSource *source)
{
  PyGILState_STATE state;
  PyObject *type, *value, *tb;

  if (!py.ready || !py.IsInitialized () || (py.IsFinalizing != NULL && py.IsFinalizing ()))
    return FALSE;
  /* A thread Python does not know (C code's own) has no frame to read. */
  if (py.GILState_GetThisThreadState () == NULL)
    return FALSE;
  state = py.GILState_Ensure ();
  py.ErrFetch (&type, &value, &tb);  /* an exception being raised stays as it was */
  walk_frames (source);
  py.ErrRestore (type, value, tb);
  py.GILState_Release (state);
  if (source->file[0] == '\0' && source->stack[0] != '\0')
    source->origin = NC_CALL_ORIGIN_LIBRARY;  /* only the library's frames */
  return source->stack[0] != '\0';
}

static void
c_source (NcSource *source,
          void     *return_address)
{
  Dl_info info;

  if (return_address == NULL || dladdr (return_address, &info) == 0)
    return;
  source->origin = info.dli_fbase == main_program ? NC_CALL_ORIGIN_PROGRAM
                                                  : NC_CALL_ORIGIN_LIBRARY;
  g_snprintf (source->stack, sizeof source->stack, "%s+0x%tx (%s)",
              info.dli_sname ? info.dli_sname : "?",
              (char *) return_address - (char *) (info.dli_saddr ? info.dli_saddr : info.dli_fbase),
              info.dli_fname ? base_name (info.dli_fname) : "?");
  if (source->origin == NC_CALL_ORIGIN_PROGRAM && info.dli_fname != NULL)
    g_strlcpy (source->file, info.dli_fname, sizeof source->file);
}

void
nc_source_find (NcSource *source,
                void     *return_address)
{
  source->file[0] = source->stack[0] = '\0';
  source->line = 0;
  source->origin = NC_CALL_ORIGIN_PROGRAM;
  if (!python_source (source))
    c_source (source, return_address);
}
