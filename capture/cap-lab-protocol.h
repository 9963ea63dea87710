/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cap-lab-protocol.h: what the app and socklens-lab agree on, defined once.
 *
 * The app (capture/cap-lab.c) spawns the helper, writes commands to its
 * stdin, one per line, and reads its exit status (also in the END record).
 * The helper (app/sl-lab-*.c) parses the same lines and exits with the same
 * statuses. Both include this header; capture/ never depends on app/.
 *
 * Commands:
 *   step        release the call that has waited longest
 *   step N      release actor N's call
 *   run         stop holding calls
 *   pause       hold every call again
 *   stop        end the run now (blocked calls are woken)
 * End of input means the app went away: the run is stopped.
 *
 * The run's message is not on the command line (argv has a limit: E2BIG at
 * 128 KiB): the app passes --message-length N and writes the message's N
 * bytes to stdin first; the helper reads them before it reads commands.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The helper's file name: beside the program, or in LIBEXECDIR. */
#define CAP_LAB_HELPER_NAME "socklens-lab"
/* An environment variable naming the helper's path overrides the search
 * (the test suite sets it to the build tree's helper). */
#define CAP_LAB_HELPER_ENV  "SOCKLENS_LAB"

/* The helper's exit statuses, also in the END record. */
typedef enum
{
  CAP_LAB_EXIT_OK = 0,
  CAP_LAB_EXIT_FAILED = 1,    /* the run failed (an actor, the sandbox, the output) */
  CAP_LAB_EXIT_USAGE = 2,
  CAP_LAB_EXIT_STOPPED = 3,   /* stopped on request, or the parent went away */
} CapLabExit;

typedef enum
{
  CAP_LAB_COMMAND_NONE,       /* an empty line */
  CAP_LAB_COMMAND_STEP,
  CAP_LAB_COMMAND_STEP_ACTOR,
  CAP_LAB_COMMAND_RUN,
  CAP_LAB_COMMAND_PAUSE,
  CAP_LAB_COMMAND_STOP,
  CAP_LAB_COMMAND_BAD_ACTOR,  /* "step" with something that is not a number */
  CAP_LAB_COMMAND_UNKNOWN,
} CapLabCommand;

/* The helper's MESSAGE that counts the packets it captured and those it
 * lost (the kernel's capture buffer, or its own queue, was full): during a
 * run when a loss happens ("... lost so far"), and once at the end. */
#define CAP_LAB_CAPTURE_FORMAT "Capture: %" G_GUINT64_FORMAT " packets, %" G_GUINT64_FORMAT " lost"
/* what may follow it: a loss as it happens, or the end's count with losses */
#define CAP_LAB_CAPTURE_SO_FAR " so far: the kernel's capture buffer was full"
#define CAP_LAB_CAPTURE_MISSED ": the timeline misses them (a capture buffer was full)"

/* For messages: the commands as a person types them. */
#define CAP_LAB_COMMANDS_HELP "step, step N, run, pause, stop"

/* A lab message as a person reads it: the packet count (sent in English,
 * as the app parses it) in the reader's language; any other message as is. */
char          *cap_lab_message_to_display (const char *text);
char          *cap_lab_command_format (CapLabCommand  command,
                                       guint          actor);
CapLabCommand  cap_lab_command_parse  (const char    *line,
                                       guint         *actor);

G_END_DECLS
