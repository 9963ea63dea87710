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
#include <sys/auxv.h>
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
  int       (*FrameGetLasti) (PyObject *);  /* 3.11; without it lines are not memoised */
} py;

/*
 * What a code object says about itself, read once: asking for co_filename
 * and co_name by attribute, and the line of an instruction (a scan of the
 * code's line table) cost more than the socket call itself in a loop of
 * small sendto()s. Direct-mapped by the code object's address; an entry
 * holds a reference, so the address cannot be reused while it is cached
 * (all of it is touched with the GIL held).
 */
#define CODE_CACHE_SIZE 256

typedef struct
{
  PyObject *code;
  gboolean  program;              /* in the program's own files */
  gboolean  socket_py;            /* the socket module itself */
  int       lasti;                /* the last instruction asked about, -1: none */
  int       line;                 /* its line */
  char      file[NC_SOURCE_FILE_MAX];
  char      name[128];
} CodeInfo;

static CodeInfo code_cache[CODE_CACHE_SIZE];

static char **roots;
static void *main_program;  /* dladdr's base of the executable */

#define FIND(field, name) (*(void **) &py.field = dlsym (RTLD_DEFAULT, name))

/* A program the traced one started (subprocess.Popen ([sys.executable,
 * "other/server.py"])) may live in a folder of its own: its script's
 * folder counts as the program's too. The first ".py" argument of the
 * command line is the script. */
static void
add_own_script_root (void)
{
  g_autofree char *cmdline = NULL;
  gsize len = 0;

  if (roots == NULL || !g_file_get_contents ("/proc/self/cmdline", &cmdline, &len, NULL))
    return;
  for (gsize at = 0; at < len; at += strlen (cmdline + at) + 1)
    if (g_str_has_suffix (cmdline + at, ".py"))
      {
        g_autofree char *path = g_canonicalize_filename (cmdline + at, NULL);
        g_autofree char *dir = g_path_get_dirname (path);
        guint n = g_strv_length (roots);

        if (g_strv_contains ((const char *const *) roots, dir))
          return;
        roots = g_renew (char *, roots, n + 2);
        roots[n] = g_steal_pointer (&dir);
        roots[n + 1] = NULL;
        return;
      }
}

void
nc_source_init (void)
{
  const char *env = getenv ("SOCKLENS_TRACE_ROOTS");
  Dl_info info;

  if (env != NULL && env[0] != '\0')
    roots = g_strsplit (env, ":", -1);
  add_own_script_root ();
  /* The executable, by its entry point: "main" is not in the dynamic
   * symbol table of a program built without -rdynamic (most are) */
  if (dladdr ((void *) getauxval (AT_ENTRY), &info) != 0)
    main_program = info.dli_fbase;

  py.ready = FIND (IsInitialized, "Py_IsInitialized") && FIND (GILState_GetThisThreadState, "PyGILState_GetThisThreadState") &&
             FIND (GILState_Ensure, "PyGILState_Ensure") && FIND (GILState_Release, "PyGILState_Release") &&
             FIND (EvalGetFrame, "PyEval_GetFrame") && FIND (FrameGetLineNumber, "PyFrame_GetLineNumber") &&
             FIND (FrameGetCode, "PyFrame_GetCode") && FIND (FrameGetBack, "PyFrame_GetBack") &&
             FIND (GetAttrString, "PyObject_GetAttrString") && FIND (UnicodeAsUTF8, "PyUnicode_AsUTF8") &&
             FIND (IncRef, "Py_IncRef") && FIND (DecRef, "Py_DecRef") && FIND (ErrFetch, "PyErr_Fetch") &&
             FIND (ErrRestore, "PyErr_Restore");
  FIND (IsFinalizing, "_Py_IsFinalizing");
  FIND (FrameGetLasti, "PyFrame_GetLasti");
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

/* With the GIL held: @code's entry, filled on first sight; @code is a new
 * reference, which the cache takes or drops */
static CodeInfo *
code_info (PyObject *code)
{
  CodeInfo *info = &code_cache[((guintptr) code >> 4) % CODE_CACHE_SIZE];

  if (info->code == code)
    {
      py.DecRef (code);
      return info;
    }
  if (info->code != NULL)
    py.DecRef (info->code);
  info->code = code;
  info->lasti = -1;
  code_text (code, "co_filename", info->file, sizeof info->file);
  code_text (code, "co_name", info->name, sizeof info->name);
  info->program = is_program_file (info->file);
  /* socket.py's __repr__ () asks getsockname () and getpeername () for
   * the text of a socket: for a print () or a ResourceWarning, not a call
   * the program made */
  info->socket_py = g_str_equal (base_name (info->file), "socket.py") &&
                    !g_str_equal (info->name, "__repr__");
  return info;
}

/* With the GIL held: the line @frame is at, remembered per code object for
 * the instruction last asked about (a loop calls from the same one) */
static int
frame_line (PyObject *frame,
            CodeInfo *info)
{
  int lasti = py.FrameGetLasti != NULL ? py.FrameGetLasti (frame) : -1;

  if (lasti >= 0 && lasti == info->lasti)
    return info->line;
  info->line = py.FrameGetLineNumber (frame);
  info->lasti = lasti;
  return info->line;
}

/* Appends @text to @out (of @out_len bytes, @used so far), cut to fit */
static gsize
append_text (char       *out,
             gsize       out_len,
             gsize       used,
             const char *text)
{
  gsize n = strlen (text);

  if (used + 1 >= out_len)
    return used;
  n = MIN (n, out_len - 1 - used);
  memcpy (out + used, text, n);
  out[used + n] = '\0';
  return used + n;
}

/* "name (file.py:12)": one line of the stack, without printf's cost */
static gsize
append_frame (NcSource       *source,
              gsize           used,
              guint           depth,
              const CodeInfo *info,
              int             line)
{
  char number[16];
  char *p = number + sizeof number;
  unsigned int n = (unsigned int) MAX (line, 0);

  *--p = '\0';
  do
    *--p = (char) ('0' + n % 10);
  while ((n /= 10) != 0 && p > number);
  if (depth > 0)
    used = append_text (source->stack, sizeof source->stack, used, "\n");
  used = append_text (source->stack, sizeof source->stack, used, info->name);
  used = append_text (source->stack, sizeof source->stack, used, " (");
  used = append_text (source->stack, sizeof source->stack, used, base_name (info->file));
  used = append_text (source->stack, sizeof source->stack, used, ":");
  used = append_text (source->stack, sizeof source->stack, used, p);
  return append_text (source->stack, sizeof source->stack, used, ")");
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
      CodeInfo *info = code_info (py.FrameGetCode (frame));
      int line = frame_line (frame, info);
      PyObject *back;

      if (source->file[0] == '\0' && info->program)
        {
          g_strlcpy (source->file, info->file, sizeof source->file);
          source->line = line;
          source->origin = direct ? NC_CALL_ORIGIN_PROGRAM : NC_CALL_ORIGIN_LIBRARY;
        }
      else if (source->file[0] == '\0' && !info->socket_py)
        direct = FALSE;
      if (depth < STACK_FRAMES)
        used = append_frame (source, used, depth, info, line);
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

/* A call Python makes with no frame of the program's running: at exit, the
 * garbage collector closing a socket the program left open (an uncaught
 * exception, sys.exit () before close ()), and the getsockname () and
 * getpeername () of its "unclosed socket" warning. Named as what it is,
 * not as an address inside the interpreter. */
static gboolean
python_without_frame (NcSource *source)
{
  gboolean exiting;

  if (!py.ready)
    return FALSE;
  exiting = !py.IsInitialized () || (py.IsFinalizing != NULL && py.IsFinalizing ());
  g_strlcpy (source->stack,
             exiting ? "python3 at exit (a socket the program left open)"
                     : "python3 itself (no line of the program)",
             sizeof source->stack);
  source->origin = NC_CALL_ORIGIN_LIBRARY;
  return TRUE;
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
  /* "main+0x1f (client)"; an unexported function is an offset in its file */
  g_snprintf (source->stack, sizeof source->stack, "%s+0x%tx (%s)",
              info.dli_sname ? info.dli_sname
                             : info.dli_fname ? base_name (info.dli_fname) : "?",
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
  if (!python_source (source) && !python_without_frame (source))
    c_source (source, return_address);
}
