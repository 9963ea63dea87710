/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-lab-protocol.c: the command lines of the app-to-lab protocol, written
 * and read in one place (see cap-lab-protocol.h). */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cap-lab-protocol.h"

static const struct
{
  CapLabCommand  command;
  const char    *word;
} words[] = {
  { CAP_LAB_COMMAND_STEP, "step" },
  { CAP_LAB_COMMAND_RUN, "run" },
  { CAP_LAB_COMMAND_PAUSE, "pause" },
  { CAP_LAB_COMMAND_STOP, "stop" },
};

static const char *
word_of (CapLabCommand command)
{
  if (command == CAP_LAB_COMMAND_STEP_ACTOR)
    command = CAP_LAB_COMMAND_STEP;
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (words[i].command == command)
      return words[i].word;
  return NULL;
}

/**
 * cap_lab_command_format:
 * @actor: for %CAP_LAB_COMMAND_STEP_ACTOR, the actor to release
 *
 * Returns: (transfer full): the line to send, with its newline; %NULL for
 *   a value that is not a command
 */
char *
cap_lab_command_format (CapLabCommand command,
                        guint         actor)
{
  const char *word = word_of (command);

  if (word == NULL)
    return NULL;
  if (command == CAP_LAB_COMMAND_STEP_ACTOR)
    return g_strdup_printf ("%s %u\n", word, actor);
  return g_strconcat (word, "\n", NULL);
}

/**
 * cap_lab_command_parse:
 * @line: one line, with or without its newline; spaces around are ignored
 * @actor: (out): for "step N", N
 *
 * Returns: the command, %CAP_LAB_COMMAND_NONE for a blank line,
 *   %CAP_LAB_COMMAND_BAD_ACTOR for "step" and no number, or
 *   %CAP_LAB_COMMAND_UNKNOWN
 */
CapLabCommand
cap_lab_command_parse (const char *line,
                       guint      *actor)
{
  g_autofree char *copy = g_strstrip (g_strdup (line));
  char *arg = strchr (copy, ' ');
  CapLabCommand command = CAP_LAB_COMMAND_UNKNOWN;

  *actor = 0;
  if (copy[0] == '\0')
    return CAP_LAB_COMMAND_NONE;
  if (arg != NULL)
    *arg++ = '\0';
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (g_str_equal (copy, words[i].word))
      command = words[i].command;

  if (arg == NULL || command == CAP_LAB_COMMAND_UNKNOWN)
    return command;
  if (command != CAP_LAB_COMMAND_STEP)
    return CAP_LAB_COMMAND_UNKNOWN;   /* only step takes an argument */

  {
    char *end = NULL;
    guint64 n;

    g_strstrip (arg);
    n = g_ascii_strtoull (arg, &end, 10);
    if (end == arg || *end != '\0' || arg[0] == '-' || n > G_MAXUINT)
      return CAP_LAB_COMMAND_BAD_ACTOR;
    *actor = (guint) n;
  }
  return CAP_LAB_COMMAND_STEP_ACTOR;
}

char *
cap_lab_message_to_display (const char *text)
{
  guint64 n_packets = 0, n_lost = 0;
  int end = -1;
  const char *format;

  if (sscanf (text, CAP_LAB_CAPTURE_FORMAT "%n", &n_packets, &n_lost, &end) != 2 || end < 0)
    return g_strdup (text);
  if (text[end] == '\0')
    format = _("Capture: %" PRIu64 " packets, %" PRIu64 " lost");
  else if (strcmp (text + end, CAP_LAB_CAPTURE_SO_FAR) == 0)
    format = _("Capture: %" PRIu64 " packets, %" PRIu64 " lost so far: the kernel's capture "
               "buffer was full");
  else if (strcmp (text + end, CAP_LAB_CAPTURE_MISSED) == 0)
    format = _("Capture: %" PRIu64 " packets, %" PRIu64 " lost: the timeline misses them (a "
               "capture buffer was full)");
  else
    return g_strdup (text);
  return g_strdup_printf (format, n_packets, n_lost);
}
