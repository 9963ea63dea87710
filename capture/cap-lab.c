/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-lab.c: the app's side of socklens-lab.
 *
 * Capturing needs privileges a GTK program must not have, so the app never
 * captures: it spawns the lab helper, which runs the scenario in its own
 * network namespace and writes one pcapng stream to its stdout as things
 * happen. Here that stream is read on the main loop, a chunk at a time as it
 * comes, and fed into a CapRecording, so a packet is in the model within a
 * frame of being captured. Commands go to the helper's stdin, one per line.
 *
 * The helper may die at any point (a crash, a kill). What arrived stays in
 * the recording; the error then says what happened. A stream read alongside
 * by a second, small parser picks out what is for the lab's controller and
 * not the model: the step gate's waiters and the run's END.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <gio/gunixinputstream.h>

#include "cap-atomic-file.h"
#include "cap-call-codec.h"
#include "cap-lab.h"
#include "cap-lab-protocol.h"
#include "cap-reader.h"

#define READ_CHUNK      (64 * 1024)
#define STOP_GRACE_MS   5000  /* after "stop", the helper has this long to exit */

struct _CapLab
{
  GObject        parent_instance;

  char          *lab_path;
  char          *mode;
  char         **wrapper;      /* argv prefix, e.g. runuser -u USER -- */
  char         **trace;        /* programs to trace instead of a scenario */
  guint          trace_timeout;
  gboolean       interrupted;  /* Ctrl+C stopped the synchronous run */
  GSubprocess   *process;
  GOutputStream *commands;
  GInputStream  *output;
  GCancellable  *cancellable;
  CapRecording  *recording;
  CapReader     *watch;        /* GATE, END and the first MESSAGE */
  GArray        *waiters;      /* NcGateWaiter */
  char          *mode_message;
  guint          kill_timeout;
  guint64        n_captured;    /* as the lab's last capture count said */
  guint64        n_lost;
  gboolean       have_counts;

  /* The stream as it comes, whole pcapng blocks only, beside the target */
  int            stream_fd;
  guint64        stream_size;   /* bytes of whole blocks in the file */
  char          *stream_path;
  GByteArray    *stream_carry;  /* the start of a block not complete yet */
  char          *file_error;

  GError        *error;
  GError        *stream_error;
  GError        *cut_error;     /* the stream ended inside a block */
  char          *end_error;
  gint           end_status;
  guint          got_end : 1;
  guint          eof : 1;
  guint          exited : 1;
  guint          finished : 1;
  guint          started : 1;
};

enum
{
  SIGNAL_CHANGED,
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CapLab, cap_lab, G_TYPE_OBJECT)
G_DEFINE_QUARK (cap-lab-error-quark, cap_lab_error)

static void
cap_lab_dispose (GObject *object)
{
  CapLab *self = CAP_LAB (object);

  /* Nobody will read what it writes. Closing its stdin tells it the app went
   * away: it stops the run and exits, and GLib reaps it. */
  if (self->commands != NULL)
    g_output_stream_close (self->commands, NULL, NULL);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->kill_timeout, g_source_remove);
  g_clear_object (&self->process);
  g_clear_object (&self->commands);
  g_clear_object (&self->output);
  g_clear_object (&self->recording);
  G_OBJECT_CLASS (cap_lab_parent_class)->dispose (object);
}

static void
cap_lab_finalize (GObject *object)
{
  CapLab *self = CAP_LAB (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->watch, cap_reader_free);
  g_clear_pointer (&self->waiters, g_array_unref);
  g_clear_error (&self->error);
  g_clear_error (&self->stream_error);
  g_clear_error (&self->cut_error);
  g_free (self->end_error);
  g_free (self->mode_message);
  if (self->stream_fd >= 0)
    close (self->stream_fd);
  g_free (self->stream_path);
  g_clear_pointer (&self->stream_carry, g_byte_array_unref);
  g_free (self->file_error);
  g_free (self->lab_path);
  g_free (self->mode);
  g_strfreev (self->wrapper);
  g_strfreev (self->trace);
  G_OBJECT_CLASS (cap_lab_parent_class)->finalize (object);
}

static void
cap_lab_class_init (CapLabClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cap_lab_dispose;
  object_class->finalize = cap_lab_finalize;

  /**
   * CapLab::changed:
   * New bytes were fed into the recording, or the step gate's waiters changed.
   */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * CapLab::finished:
   * The helper has exited and its stream is read to the end.
   * cap_lab_get_error () says whether the run went well.
   */
  signals[SIGNAL_FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);
}

static void on_watch_record (const CapRawRecord *raw,
                             gpointer            user_data);

static void
cap_lab_init (CapLab *self)
{
  static const CapReaderCallbacks callbacks = { .record = on_watch_record };

  self->cancellable = g_cancellable_new ();
  self->recording = cap_recording_new ();
  self->waiters = g_array_new (FALSE, FALSE, sizeof (NcGateWaiter));
  self->watch = cap_reader_new (&callbacks, self);
  self->stream_fd = -1;
}

/**
 * cap_lab_find_helper:
 *
 * Where socklens-lab is: $SOCKLENS_LAB if set (the test suite sets it),
 * else beside the running program (a build tree, or an install that keeps
 * them together), else in LIBEXECDIR.
 *
 * Returns: (transfer full): its path, or %NULL with %CAP_LAB_ERROR_NOT_FOUND
 */
char *
cap_lab_find_helper (GError **error)
{
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *self_dir = self_exe ? g_path_get_dirname (self_exe) : NULL;
  const char *env = g_getenv (CAP_LAB_HELPER_ENV);
  const char *dirs[] = { self_dir, LIBEXECDIR };

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *path = NULL;

      if (dirs[i] == NULL)
        continue;
      path = g_build_filename (dirs[i], CAP_LAB_HELPER_NAME, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&path);
    }
  g_set_error (error, CAP_LAB_ERROR, CAP_LAB_ERROR_NOT_FOUND,
               _("The lab helper %s was found neither beside %s nor in %s"),
               CAP_LAB_HELPER_NAME, self_dir ? self_dir : _("this program"), LIBEXECDIR);
  return NULL;
}

/**
 * cap_lab_new:
 * @lab_path: (nullable): the helper; %NULL finds it (cap_lab_find_helper ())
 */
CapLab *
cap_lab_new (const char *lab_path)
{
  CapLab *self = g_object_new (CAP_TYPE_LAB, NULL);

  self->lab_path = g_strdup (lab_path);
  return self;
}

const char *
cap_lab_get_lab_path (CapLab *self)
{
  g_return_val_if_fail (CAP_IS_LAB (self), NULL);
  return self->lab_path;
}

/* "auto" (the default), "namespace", "capabilities", "root", "calls-only" */
void
cap_lab_set_mode (CapLab     *self,
                  const char *mode)
{
  g_return_if_fail (CAP_IS_LAB (self));
  g_return_if_fail (!self->started);
  g_free (self->mode);
  self->mode = g_strdup (mode);
}

/**
 * cap_lab_set_wrapper:
 * @wrapper: (nullable) (array zero-terminated=1): a command the lab is run
 *   through, e.g. { "runuser", "-u", "someone", "--", NULL }
 *
 * The helper's pid is then the wrapper's.
 */
void
cap_lab_set_wrapper (CapLab             *self,
                     const char *const  *wrapper)
{
  g_return_if_fail (CAP_IS_LAB (self));
  g_return_if_fail (!self->started);
  g_strfreev (self->wrapper);
  self->wrapper = g_strdupv ((char **) wrapper);
}

/**
 * cap_lab_set_trace:
 * @programs: what to run traced instead of a scenario: .py files,
 *   executables or command lines, started in this order
 * @timeout_s: the run's time limit (0: none)
 *
 * Then cap_lab_start () with a %NULL scenario.
 */
void
cap_lab_set_trace (CapLab             *self,
                   const char *const  *programs,
                   guint               timeout_s)
{
  g_return_if_fail (CAP_IS_LAB (self));

  g_strfreev (self->trace);
  self->trace = g_strdupv ((char **) programs);
  self->trace_timeout = timeout_s;
}

CapRecording *
cap_lab_get_recording (CapLab *self)
{
  g_return_val_if_fail (CAP_IS_LAB (self), NULL);
  return self->recording;
}

GPid
cap_lab_get_pid (CapLab *self)
{
  const char *id;

  g_return_val_if_fail (CAP_IS_LAB (self), 0);
  if (self->process == NULL || self->exited)
    return 0;
  id = g_subprocess_get_identifier (self->process);
  return id != NULL ? (GPid) atoi (id) : 0;
}

/* --- what the stream says to the controller -------------------------------- */

static void
on_watch_record (const CapRawRecord *raw,
                 gpointer            user_data)
{
  CapLab *self = user_data;
  g_auto (CapRecord) record = CAP_RECORD_INIT;

  /* Calls are most of the stream and none of the controller's business */
  switch (cap_record_peek_type (raw->payload, raw->len))
    {
    case CAP_RECORD_GATE:
    case CAP_RECORD_MESSAGE:
    case CAP_RECORD_END:
      break;
    default:
      return;
    }
  if (!cap_record_decode (raw->payload, raw->len, &record, NULL))
    return;  /* the recording reports it */

  switch (record.type)
    {
    case CAP_RECORD_GATE:
      g_array_set_size (self->waiters, 0);
      g_array_append_vals (self->waiters, record.gate.waiters, record.gate.n_waiters);
      break;
    case CAP_RECORD_MESSAGE:
      /* The lab's first message says how it captures (or why it cannot). */
      if (self->mode_message == NULL)
        self->mode_message = g_strdup (record.message.text);
      else if (sscanf (record.message.text, CAP_LAB_CAPTURE_FORMAT, &self->n_captured,
                       &self->n_lost) == 2)
        self->have_counts = TRUE;
      break;
    case CAP_RECORD_END:
      self->got_end = TRUE;
      self->end_status = record.end.exit_status;
      g_free (self->end_error);
      self->end_error = g_strdup (record.end.error);
      break;
    default:
      break;
    }
}

/* --- the end ---------------------------------------------------------- */

static char *
describe_received (CapLab *self)
{
  return g_strdup_printf (_("the %u calls and %u packets received before stay in the recording"),
                          cap_recording_get_n_calls (self->recording),
                          cap_recording_get_n_packets (self->recording));
}

static GError *
error_for_end (CapLab *self)
{
  g_autofree char *kept = NULL;
  int status = g_subprocess_get_status (self->process);
  /* Cut inside a block after END: nothing explains it but the cut itself */
  const GError *unreadable = self->stream_error != NULL ? self->stream_error
                             : self->got_end ? self->cut_error : NULL;

  if (unreadable != NULL)
    {
      kept = describe_received (self);
      return g_error_new (CAP_LAB_ERROR, CAP_LAB_ERROR_STREAM,
                          _("The lab's output could not be read (%s); %s"),
                          unreadable->message, kept);
    }
  if (self->got_end)
    {
      if (self->end_status == 0)
        return NULL;
      if (self->end_status == CAP_LAB_EXIT_STOPPED)
        return g_error_new_literal (CAP_LAB_ERROR, CAP_LAB_ERROR_STOPPED,
                                    self->end_error ? self->end_error : _("The run was stopped"));
      return g_error_new_literal (CAP_LAB_ERROR, CAP_LAB_ERROR_FAILED,
                                  self->end_error ? self->end_error : _("The run failed"));
    }

  kept = describe_received (self);
  if (WIFSIGNALED (status))
    return g_error_new (CAP_LAB_ERROR, CAP_LAB_ERROR_CRASHED,
                        _("The lab (socklens-lab) was killed by signal %d (%s) before the run "
                          "ended; %s"), WTERMSIG (status), g_strsignal (WTERMSIG (status)), kept);
  return g_error_new (CAP_LAB_ERROR, CAP_LAB_ERROR_CRASHED,
                      _("The lab (socklens-lab) exited with status %d before the run ended; %s"),
                      WIFEXITED (status) ? WEXITSTATUS (status) : status, kept);
}

static void
maybe_finish (CapLab *self)
{
  g_autoptr(GError) local = NULL;

  if (self->finished || !self->eof || !self->exited)
    return;

  /* A lab killed while a block was half way down the pipe ends its stream
   * inside it: its death is the news (error_for_end), the cut its echo */
  if (self->stream_error == NULL && !cap_recording_finish_feed (self->recording, &local))
    self->cut_error = g_steal_pointer (&local);
  self->finished = TRUE;
  g_clear_handle_id (&self->kill_timeout, g_source_remove);
  g_array_set_size (self->waiters, 0);
  self->error = error_for_end (self);
  /* A file of this run says where and why it ends early */
  if (self->error != NULL)
    cap_recording_add_message (self->recording,
                               g_error_matches (self->error, CAP_LAB_ERROR, CAP_LAB_ERROR_STOPPED)
                                 ? CAP_MESSAGE_INFO : CAP_MESSAGE_ERROR,
                               self->error->message);
  cap_recording_commit (self->recording);
  g_clear_object (&self->commands);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
}

static void
on_wait_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CapLab *self = user_data;
  g_autoptr(GError) error = NULL;

  /* Pending operations hold no reference: dispose cancels them, and then
   * @self may be gone. */
  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->exited = TRUE;
  maybe_finish (self);
}

static void read_next (CapLab *self);

/* The length of the pcapng block at @p, if all of it is in [p, end) */
static gsize
whole_block (const guint8 *p,
             const guint8 *end)
{
  guint32 len;

  if (end - p < 12)
    return 0;
  memcpy (&len, p + 4, sizeof len);  /* the lab writes in this machine's byte order */
  if (len < 12 || len % 4 != 0 || (gsize) (end - p) < len)
    return 0;
  return len;
}

/* Writes all of [data, data + len) unless the file refuses; returns how
 * much it took */
static gsize
write_all (int           fd,
           const guint8 *data,
           gsize         len)
{
  gsize done = 0;

  while (done < len)
    {
      gssize n = write (fd, data + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      done += (gsize) n;
    }
  return done;
}

/* The file refused the rest of [p, p + len), whole blocks, after @taken
 * bytes (a full disk): it is cut back to its last whole block, so what it
 * holds stays a pcapng every reader opens, and it grows no more. */
static void
stream_file_failed (CapLab       *self,
                    const guint8 *p,
                    gsize         taken,
                    int           err)
{
  const guint8 *end = p + taken;
  gsize block, whole = 0;

  while ((block = whole_block (p + whole, end)) > 0)
    whole += block;
  self->stream_size += whole;
  if (ftruncate (self->stream_fd, (off_t) self->stream_size) != 0)
    g_warning ("could not cut %s back to its last whole block: %s", self->stream_path,
               g_strerror (errno));
  self->file_error = g_strdup_printf (_("could not write %s: %s"), self->stream_path,
                                      g_strerror (err));
  close (self->stream_fd);
  self->stream_fd = -1;
}

/* Appends the complete blocks of what arrived to the stream file: if the app
 * itself dies, the file holds a readable pcapng up to the last whole block. */
static void
stream_to_file (CapLab       *self,
                const guint8 *data,
                gsize         len)
{
  GByteArray *carry = self->stream_carry;
  const guint8 *p, *end;
  gsize block, taken;

  if (self->stream_fd < 0)
    return;
  /* Whole blocks go from where they arrived; only a block's start waits in
   * the carry for its end (copying every byte through it was a copy of the
   * whole run) */
  if (carry->len > 0)
    {
      g_byte_array_append (carry, data, len);
      data = carry->data;
      len = carry->len;
    }
  p = data;
  end = data + len;
  while ((block = whole_block (p, end)) > 0)
    p += block;
  if (p > data)
    {
      taken = write_all (self->stream_fd, data, p - data);
      if (taken < (gsize) (p - data))
        stream_file_failed (self, data, taken, errno);
      else
        self->stream_size += taken;
    }
  if (data == carry->data)
    g_byte_array_remove_range (carry, 0, p - data);
  else if (p < end)
    g_byte_array_append (carry, p, end - p);
}

static void
feed (CapLab       *self,
      const guint8 *data,
      gsize         len)
{
  g_autoptr(GError) error = NULL;

  if (self->stream_error != NULL)
    return;
  stream_to_file (self, data, len);
  cap_reader_feed (self->watch, data, len, NULL);
  if (!cap_recording_feed (self->recording, data, len, &error))
    {
      /* Garbage from here on: keep what was good, and end the helper. */
      self->stream_error = g_steal_pointer (&error);
      g_subprocess_force_exit (self->process);
    }
}

static void
on_read_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  CapLab *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      if (error != NULL && self->stream_error == NULL)
        self->stream_error = g_steal_pointer (&error);
      self->eof = TRUE;
      maybe_finish (self);
      return;
    }

  /* A handler may drop the last reference to us. */
  g_object_ref (self);
  feed (self, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  if (!g_cancellable_is_cancelled (self->cancellable))
    read_next (self);
  g_object_unref (self);
}

static void
read_next (CapLab *self)
{
  g_input_stream_read_bytes_async (self->output, READ_CHUNK, G_PRIORITY_DEFAULT,
                                   self->cancellable, on_read_done, self);
}

/* --- starting ---------------------------------------------------------- */

static gboolean write_command (GOutputStream *out,
                               const char    *text);

static GPtrArray *
build_argv (CapLab         *self,
            const char     *scenario,
            const NcParams *params,
            gboolean        step)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; self->wrapper != NULL && self->wrapper[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (self->wrapper[i]));
  g_ptr_array_add (argv, g_strdup (self->lab_path));
  if (self->trace != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--trace"));
      g_ptr_array_add (argv, g_strdup_printf ("--timeout=%u", self->trace_timeout));
    }
  else
    g_ptr_array_add (argv, g_strdup (scenario));
  /* Its messages reach the user through the stream (recording messages). */
  g_ptr_array_add (argv, g_strdup ("--quiet"));
  if (step)
    g_ptr_array_add (argv, g_strdup ("--step"));
  if (params != NULL)
    {
      if (params->port != 0)
        g_ptr_array_add (argv, g_strdup_printf ("--port=%u", params->port));
      /* Not on argv, which has a limit (E2BIG at 128 KiB): on stdin, before
       * the commands (cap_lab_start ()). */
      if (params->message != NULL)
        g_ptr_array_add (argv, g_strdup_printf ("--message-length=%" G_GSIZE_FORMAT,
                                                strlen (params->message)));
      if (params->count != 0)
        g_ptr_array_add (argv, g_strdup_printf ("--count=%u", params->count));
      if (params->host != NULL)
        g_ptr_array_add (argv, g_strdup_printf ("--host=%s", params->host));
    }
  if (self->mode != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--mode=%s", self->mode));
  if (self->trace != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--"));
      for (guint i = 0; self->trace[i] != NULL; i++)
        g_ptr_array_add (argv, g_strdup (self->trace[i]));
    }
  g_ptr_array_add (argv, NULL);
  return argv;
}

static gboolean
check_params (const char      *name,
              const NcParams  *params,
              GError         **error)
{
  const NcScenario *scenario = name != NULL ? nc_scenario_lookup (name) : NULL;
  g_autoptr(GError) local = NULL;

  /* An unknown name is the lab's to report; the defaults are always fine. */
  if (scenario == NULL || params == NULL ||
      nc_params_check (scenario, params, scenario->n_hosts >= 2, &local))
    return TRUE;
  g_set_error_literal (error, CAP_LAB_ERROR, CAP_LAB_ERROR_FAILED, local->message);
  return FALSE;
}

/**
 * cap_lab_start:
 * @scenario: its name, e.g. "tcp-echo"
 * @params: (nullable): the scenario's defaults if %NULL
 * @step: start with every call held at the step gate
 *
 * Spawns the helper and starts reading its stream on the thread-default
 * main context. Connect to "changed" and "finished" first.
 */
gboolean
cap_lab_start (CapLab          *self,
               const char      *scenario,
               const NcParams  *params,
               gboolean         step,
               GError         **error)
{
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (CAP_IS_LAB (self), FALSE);
  g_return_val_if_fail (scenario != NULL || self->trace != NULL, FALSE);
  g_return_val_if_fail (!self->started, FALSE);

  /* What the lab would refuse (a host off this computer...) is refused
   * here already, for the window and the command line alike. */
  if (!check_params (scenario, params, error))
    return FALSE;
  if (self->lab_path == NULL && (self->lab_path = cap_lab_find_helper (error)) == NULL)
    return FALSE;

  argv = build_argv (self, scenario, params, step);
  self->process = g_subprocess_newv ((const char *const *) argv->pdata,
                                     G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                     G_SUBPROCESS_FLAGS_STDOUT_PIPE, &local);
  if (self->process == NULL)
    {
      g_set_error (error, CAP_LAB_ERROR, CAP_LAB_ERROR_SPAWN, _("Could not start the lab (%s): %s"),
                   self->lab_path, local->message);
      return FALSE;
    }
  self->started = TRUE;
  self->commands = g_object_ref (g_subprocess_get_stdin_pipe (self->process));
  self->output = g_object_ref (g_subprocess_get_stdout_pipe (self->process));
  /* The lab reads the message first thing: this write waits at most until
   * it has started. If it died first, its stream says why. */
  if (params != NULL && params->message != NULL)
    write_command (self->commands, params->message);
  cap_reader_set_name (self->watch, "socklens-lab");

  g_subprocess_wait_async (self->process, self->cancellable, on_wait_done, self);
  read_next (self);
  return TRUE;
}

/**
 * cap_lab_stream_to_file:
 * @target: the file the run will be saved to
 *
 * Before cap_lab_start (): while the run goes on, its stream is appended, in
 * whole pcapng blocks, to a hidden temporary file beside @target, so a crash
 * of the app itself still leaves a readable pcapng of what arrived. Remove
 * it with cap_lab_close_stream_file () once @target is saved.
 */
gboolean
cap_lab_stream_to_file (CapLab      *self,
                        const char  *target,
                        GError     **error)
{
  g_autofree char *resolved = NULL;

  g_return_val_if_fail (CAP_IS_LAB (self), FALSE);
  g_return_val_if_fail (!self->started && self->stream_fd < 0, FALSE);

  self->stream_fd = cap_atomic_file_open_temp (target, &self->stream_path, &resolved, error);
  if (self->stream_fd < 0)
    return FALSE;
  self->stream_carry = g_byte_array_new ();
  return TRUE;
}

/* The temporary file, or %NULL */
const char *
cap_lab_get_stream_path (CapLab *self)
{
  g_return_val_if_fail (CAP_IS_LAB (self), NULL);
  return self->stream_path;
}

/* Why the stream file stopped growing (disk full...), or %NULL */
const char *
cap_lab_get_stream_file_error (CapLab *self)
{
  g_return_val_if_fail (CAP_IS_LAB (self), NULL);
  return self->file_error;
}

/* Closes the stream file, and removes it if @remove (the run is saved). */
void
cap_lab_close_stream_file (CapLab   *self,
                           gboolean  remove)
{
  g_return_if_fail (CAP_IS_LAB (self));

  if (self->stream_fd >= 0)
    close (self->stream_fd);
  self->stream_fd = -1;
  if (remove && self->stream_path != NULL)
    g_unlink (self->stream_path);
}

/* --- commands ---------------------------------------------------------- */

/* The lab may have died before the main loop has seen it exit: then the
 * write finds no reader and raises SIGPIPE, which kills the app (GLib ignores
 * it only once a GSocket exists; the command line has none). The signal is
 * blocked on this thread for the write (write(2) sends it to the writing
 * thread) and one the write raised is taken back, so the command just fails. */
static gboolean
write_command (GOutputStream *out,
               const char    *text)
{
  const struct timespec no_wait = { 0, 0 };
  sigset_t pipe_set, old_set, pending;
  gboolean was_pending;
  gboolean ok;

  sigemptyset (&pipe_set);
  sigaddset (&pipe_set, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_set, &old_set);
  sigpending (&pending);
  was_pending = sigismember (&pending, SIGPIPE);

  /* A line is far below the pipe's buffer: this does not block. */
  ok = g_output_stream_write_all (out, text, strlen (text), NULL, NULL, NULL);

  if (!ok && !was_pending)
    while (sigtimedwait (&pipe_set, NULL, &no_wait) < 0 && errno == EINTR)
      ;
  pthread_sigmask (SIG_SETMASK, &old_set, NULL);
  return ok;
}

/* Any command of cap-lab-protocol.h, as a line on the helper's stdin */
gboolean
cap_lab_send_command (CapLab        *self,
                      CapLabCommand  command,
                      guint          actor)
{
  g_autofree char *text = cap_lab_command_format (command, actor);

  g_return_val_if_fail (CAP_IS_LAB (self), FALSE);

  if (text == NULL || self->commands == NULL || self->exited)
    return FALSE;
  return write_command (self->commands, text);
}

/* Releases the call that has waited longest at the step gate. */
gboolean
cap_lab_step (CapLab *self)
{
  return cap_lab_send_command (self, CAP_LAB_COMMAND_STEP, 0);
}

/* Releases @actor's call (actors are numbered as in the recording). */
gboolean
cap_lab_step_actor (CapLab *self,
                    guint   actor)
{
  return cap_lab_send_command (self, CAP_LAB_COMMAND_STEP_ACTOR, actor);
}

gboolean
cap_lab_run (CapLab *self)
{
  return cap_lab_send_command (self, CAP_LAB_COMMAND_RUN, 0);
}

gboolean
cap_lab_pause (CapLab *self)
{
  return cap_lab_send_command (self, CAP_LAB_COMMAND_PAUSE, 0);
}

static gboolean
on_kill_timeout (gpointer user_data)
{
  CapLab *self = user_data;

  self->kill_timeout = 0;
  if (self->process != NULL && !self->exited)
    g_subprocess_force_exit (self->process);
  return G_SOURCE_REMOVE;
}

/* Ends the run: the lab wakes blocked calls, writes END and exits. If it has
 * not exited a few seconds later, it is killed. */
gboolean
cap_lab_stop (CapLab *self)
{
  gboolean sent = cap_lab_send_command (self, CAP_LAB_COMMAND_STOP, 0);

  if (self->process != NULL && !self->exited && self->kill_timeout == 0)
    self->kill_timeout = g_timeout_add (STOP_GRACE_MS, on_kill_timeout, self);
  return sent;
}

/* Kills the helper at once (SIGKILL); "finished" follows with what arrived. */
void
cap_lab_force_exit (CapLab *self)
{
  g_return_if_fail (CAP_IS_LAB (self));
  if (self->process != NULL && !self->exited)
    g_subprocess_force_exit (self->process);
}

/* --- state ------------------------------------------------------------- */

gboolean
cap_lab_is_running (CapLab *self)
{
  g_return_val_if_fail (CAP_IS_LAB (self), FALSE);
  return self->started && !self->finished;
}

gboolean
cap_lab_is_finished (CapLab *self)
{
  g_return_val_if_fail (CAP_IS_LAB (self), FALSE);
  return self->finished;
}

/* %NULL while running and after a run that went well. */
const GError *
cap_lab_get_error (CapLab *self)
{
  g_return_val_if_fail (CAP_IS_LAB (self), NULL);
  return self->error;
}

/**
 * cap_lab_get_waiters:
 * Returns: (transfer none) (element-type NcGateWaiter): the calls held at the
 *   step gate now, oldest first; empty when none (or not stepping)
 */
GArray *
cap_lab_get_waiters (CapLab *self)
{
  g_return_val_if_fail (CAP_IS_LAB (self), NULL);
  return self->waiters;
}

/**
 * cap_lab_get_capture_counts:
 * Returns: %FALSE until the lab has counted: at the end of the run, or
 *   during it as soon as a packet was lost
 */
gboolean
cap_lab_get_capture_counts (CapLab  *self,
                            guint64 *n_packets,
                            guint64 *n_lost)
{
  g_return_val_if_fail (CAP_IS_LAB (self), FALSE);
  *n_packets = self->n_captured;
  *n_lost = self->n_lost;
  return self->have_counts;
}

/* How the lab captures, or why packets are missing; %NULL until it says. */
const char *
cap_lab_get_mode_message (CapLab *self)
{
  g_return_val_if_fail (CAP_IS_LAB (self), NULL);
  return self->mode_message;
}
