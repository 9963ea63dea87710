/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-console-model.c: each traced program's console, bounded.
 *
 * A program is an actor of role "program" (the lab gives each traced
 * program's main thread one; its threads and children print through it).
 * Lines are kept in a pointer array with a moving head, so dropping the
 * oldest is cheap; when the kept text passes the limit the oldest lines go,
 * and their count and size are remembered for the pane's note.
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "sl-console-model.h"

typedef struct
{
  guint8 stream;
  gsize  len;
  char   text[];  /* NUL-terminated */
} Line;

typedef struct
{
  guint16    actor;
  char      *name;
  GPtrArray *lines;          /* Line*, from index head */
  guint      head;
  guint64    first;          /* number of the line at head */
  guint64    dropped_bytes;
  gsize      kept_bytes;
  char      *exit;
  gboolean   attention;
} Program;

struct _SlConsoleModel
{
  GObject       parent_instance;

  gsize         limit;
  CapRecording *recording;
  gulong        changed_handler;
  guint         n_seen;      /* console lines of the recording read */
  guint         n_actors_seen;
  GPtrArray    *programs;    /* Program* */
};

G_DEFINE_FINAL_TYPE (SlConsoleModel, sl_console_model, G_TYPE_OBJECT)

enum
{
  SIGNAL_RESET,
  SIGNAL_APPENDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
program_free (gpointer data)
{
  Program *p = data;

  g_ptr_array_unref (p->lines);
  g_free (p->name);
  g_free (p->exit);
  g_free (p);
}

static void
sl_console_model_dispose (GObject *object)
{
  SlConsoleModel *self = SL_CONSOLE_MODEL (object);

  if (self->recording != NULL)
    g_clear_signal_handler (&self->changed_handler, self->recording);
  g_clear_object (&self->recording);
  G_OBJECT_CLASS (sl_console_model_parent_class)->dispose (object);
}

static void
sl_console_model_finalize (GObject *object)
{
  SlConsoleModel *self = SL_CONSOLE_MODEL (object);

  g_ptr_array_unref (self->programs);
  G_OBJECT_CLASS (sl_console_model_parent_class)->finalize (object);
}

static void
sl_console_model_class_init (SlConsoleModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = sl_console_model_dispose;
  object_class->finalize = sl_console_model_finalize;

  /**
   * SlConsoleModel::reset:
   * The programs changed: a new recording, or a program started.
   */
  signals[SIGNAL_RESET] = g_signal_new ("reset", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * SlConsoleModel::appended:
   * @program: its index
   * Lines went into @program's console (its oldest may have been dropped).
   */
  signals[SIGNAL_APPENDED] = g_signal_new ("appended", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                           1, G_TYPE_UINT);
}

static void
sl_console_model_init (SlConsoleModel *self)
{
  self->limit = SL_CONSOLE_MODEL_DEFAULT_LIMIT;
  self->programs = g_ptr_array_new_with_free_func (program_free);
}

/**
 * sl_console_model_new:
 * @limit_bytes: how much of each program's output to keep (0: the default)
 */
SlConsoleModel *
sl_console_model_new (gsize limit_bytes)
{
  SlConsoleModel *self = g_object_new (SL_TYPE_CONSOLE_MODEL, NULL);

  if (limit_bytes > 0)
    self->limit = limit_bytes;
  return self;
}

static Program *
program_at (SlConsoleModel *self,
            guint           program)
{
  g_return_val_if_fail (program < self->programs->len, NULL);
  return g_ptr_array_index (self->programs, program);
}

static gint
find_program (SlConsoleModel *self,
              guint16         actor)
{
  for (guint i = 0; i < self->programs->len; i++)
    if (((Program *) g_ptr_array_index (self->programs, i))->actor == actor)
      return (gint) i;
  return -1;
}

static guint
add_program (SlConsoleModel *self,
             guint16         actor)
{
  Program *p = g_new0 (Program, 1);
  const char *name = cap_recording_get_actor_name (self->recording, actor);

  p->actor = actor;
  p->name = g_strdup (name != NULL ? name : "?");
  p->lines = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->programs, p);
  return self->programs->len - 1;
}

/* Drops the oldest lines until the kept ones fit the limit */
static void
trim (SlConsoleModel *self,
      Program        *p)
{
  while (p->kept_bytes > self->limit && p->head < p->lines->len)
    {
      Line *line = g_ptr_array_index (p->lines, p->head);

      p->kept_bytes -= line->len;
      p->dropped_bytes += line->len;
      g_clear_pointer (&g_ptr_array_index (p->lines, p->head), g_free);
      p->head++;
      p->first++;
    }
  /* the array's dead front is compacted once it is half of it */
  if (p->head > 0 && p->head >= p->lines->len / 2)
    {
      g_ptr_array_remove_range (p->lines, 0, p->head);
      p->head = 0;
    }
}

/* "client.py exited with status 0.": the lab's sentence for a clean exit
 * (app/sl-lab-trace.c), in English or in the language the lab ran in, which
 * is the app's own; the program's name is left out, so the suffix is matched. */
static gboolean
is_clean_exit (const char *text)
{
  g_autofree char *translated = g_strdup_printf (_("%s exited with status %d."), "", 0);

  return g_str_has_suffix (text, " exited with status 0.") ||
         (translated[0] != '\0' && g_str_has_suffix (text, translated));
}

static void
append_line (SlConsoleModel       *self,
             Program              *p,
             const CapConsoleLine *console)
{
  /* one line longer than a quarter of the limit keeps its start */
  gsize max = MAX (self->limit / 4, 1);
  gsize len = strlen (console->text);
  gboolean cut = len > max;
  Line *line;

  if (cut)
    {
      const char *end = NULL;

      /* at a character's start: the text is UTF-8 (the lab made it valid) */
      g_utf8_validate (console->text, (gssize) max, &end);
      len = (gsize) (end - console->text);
    }
  line = g_malloc (sizeof (Line) + len + sizeof "…");
  line->stream = console->stream;
  memcpy (line->text, console->text, len);
  if (cut)
    {
      memcpy (line->text + len, "…", strlen ("…"));
      len += strlen ("…");
    }
  line->text[len] = '\0';
  line->len = len + 1;  /* with its newline */
  g_ptr_array_add (p->lines, line);
  p->kept_bytes += line->len;

  if (console->stream == CAP_CONSOLE_STDERR)
    p->attention = TRUE;
  else if (console->stream == CAP_CONSOLE_EXIT)
    {
      g_free (p->exit);
      p->exit = g_strdup (console->text);
      /* the lab's own sentence: anything but a clean exit asks to be read */
      if (!is_clean_exit (console->text))
        p->attention = TRUE;
    }
  trim (self, p);
}

/* Traced programs that started since the last look (they may print nothing) */
static gboolean
update_programs (SlConsoleModel *self)
{
  guint n = cap_recording_get_n_actors (self->recording);
  gboolean added = FALSE;

  for (; self->n_actors_seen < n; self->n_actors_seen++)
    {
      const NcActorInfo *actor = cap_recording_get_actor (self->recording, self->n_actors_seen);

      if (actor != NULL && g_strcmp0 (actor->role, "program") == 0 &&
          find_program (self, (guint16) self->n_actors_seen) < 0)
        {
          add_program (self, (guint16) self->n_actors_seen);
          added = TRUE;
        }
    }
  return added;
}

void
sl_console_model_update (SlConsoleModel *self)
{
  g_autoptr(GArray) touched = NULL;
  gboolean added;
  guint n;

  g_return_if_fail (SL_IS_CONSOLE_MODEL (self));

  if (self->recording == NULL)
    return;
  added = update_programs (self);
  n = cap_recording_get_n_console_lines (self->recording);
  touched = g_array_new (FALSE, TRUE, sizeof (gboolean));
  g_array_set_size (touched, self->programs->len);
  for (; self->n_seen < n; self->n_seen++)
    {
      const CapConsoleLine *console = cap_recording_get_console_line (self->recording, self->n_seen);
      gint index = find_program (self, console->actor);

      if (index < 0)
        {
          /* a line of an actor not marked as a program: a console of its own */
          index = (gint) add_program (self, console->actor);
          added = TRUE;
          g_array_set_size (touched, self->programs->len);
        }
      append_line (self, g_ptr_array_index (self->programs, index), console);
      g_array_index (touched, gboolean, index) = TRUE;
    }
  if (added)
    g_signal_emit (self, signals[SIGNAL_RESET], 0);
  else
    for (guint i = 0; i < touched->len; i++)
      if (g_array_index (touched, gboolean, i))
        g_signal_emit (self, signals[SIGNAL_APPENDED], 0, i);
}

/**
 * sl_console_model_set_recording:
 * Shows @recording's consoles (none for a scenario's run or a foreign
 * capture), following it as it grows.
 */
void
sl_console_model_set_recording (SlConsoleModel *self,
                                CapRecording   *recording)
{
  g_return_if_fail (SL_IS_CONSOLE_MODEL (self));

  if (self->recording == recording)
    return;
  if (self->recording != NULL)
    g_clear_signal_handler (&self->changed_handler, self->recording);
  g_set_object (&self->recording, recording);
  g_ptr_array_set_size (self->programs, 0);
  self->n_seen = 0;
  self->n_actors_seen = 0;
  if (recording != NULL)
    self->changed_handler = g_signal_connect_object (recording, "changed",
                                                     G_CALLBACK (sl_console_model_update), self,
                                                     G_CONNECT_SWAPPED);
  sl_console_model_update (self);
  /* update () said "reset" only if it found programs */
  if (self->programs->len == 0)
    g_signal_emit (self, signals[SIGNAL_RESET], 0);
}

CapRecording *
sl_console_model_get_recording (SlConsoleModel *self)
{
  g_return_val_if_fail (SL_IS_CONSOLE_MODEL (self), NULL);
  return self->recording;
}

guint
sl_console_model_get_n_programs (SlConsoleModel *self)
{
  g_return_val_if_fail (SL_IS_CONSOLE_MODEL (self), 0);
  return self->programs->len;
}

const char *
sl_console_model_get_name (SlConsoleModel *self,
                           guint           program)
{
  Program *p = program_at (self, program);
  return p ? p->name : NULL;
}

guint
sl_console_model_get_actor (SlConsoleModel *self,
                            guint           program)
{
  Program *p = program_at (self, program);
  return p ? p->actor : 0;
}

guint64
sl_console_model_get_first_line (SlConsoleModel *self,
                                 guint           program)
{
  Program *p = program_at (self, program);
  return p ? p->first : 0;
}

guint64
sl_console_model_get_end_line (SlConsoleModel *self,
                               guint           program)
{
  Program *p = program_at (self, program);
  return p ? p->first + (p->lines->len - p->head) : 0;
}

guint64
sl_console_model_get_dropped_bytes (SlConsoleModel *self,
                                    guint           program)
{
  Program *p = program_at (self, program);
  return p ? p->dropped_bytes : 0;
}

/**
 * sl_console_model_get_line:
 * @line: between the first and end lines
 * Returns: its text, without the newline
 */
const char *
sl_console_model_get_line (SlConsoleModel   *self,
                           guint             program,
                           guint64           line,
                           CapConsoleStream *stream)
{
  Program *p = program_at (self, program);
  Line *l;

  g_return_val_if_fail (p != NULL && line >= p->first &&
                          line < p->first + (p->lines->len - p->head), NULL);
  l = g_ptr_array_index (p->lines, p->head + (guint) (line - p->first));
  if (stream != NULL)
    *stream = (CapConsoleStream) l->stream;
  return l->text;
}

char *
sl_console_model_dup_text (SlConsoleModel *self,
                           guint           program)
{
  Program *p = program_at (self, program);
  GString *text = g_string_new (NULL);

  for (guint i = p ? p->head : 0; p != NULL && i < p->lines->len; i++)
    g_string_append_printf (text, "%s\n", ((Line *) g_ptr_array_index (p->lines, i))->text);
  return g_string_free (text, FALSE);
}

const char *
sl_console_model_get_exit (SlConsoleModel *self,
                           guint           program)
{
  Program *p = program_at (self, program);
  return p ? p->exit : NULL;
}

gboolean
sl_console_model_get_needs_attention (SlConsoleModel *self,
                                      guint           program)
{
  Program *p = program_at (self, program);
  return p ? p->attention : FALSE;
}
