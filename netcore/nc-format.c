/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nc-format.c: durations, times, bytes and fd sets as a person reads them,
 * the same in every view. */
#include "config.h"

#include <math.h>

#include "nc-format.h"

#define NS_PER_US G_GINT64_CONSTANT (1000)
#define NS_PER_MS G_GINT64_CONSTANT (1000000)
#define NS_PER_S  G_GINT64_CONSTANT (1000000000)

/* The unit a span of @scale nanoseconds reads best in. */
static const char *
unit_for (gint64  scale,
          double *div)
{
  if (scale < NS_PER_US)
    {
      *div = 1;
      return "ns";
    }
  if (scale < NS_PER_MS)
    {
      *div = 1e3;
      return "µs";
    }
  if (scale < NS_PER_S)
    {
      *div = 1e6;
      return "ms";
    }
  *div = 1e9;
  return "s";
}

/**
 * nc_format_duration:
 *
 * A duration as a person reads it: "850 ns", "98 µs", "1.2 ms", "4.2 s"
 * (two significant digits below ten, whole units above).
 *
 * Returns: (transfer full): the text
 */
char *
nc_format_duration (gint64 ns)
{
  double div, v;
  const char *unit = unit_for (ABS (ns) < 1 ? 1 : ABS (ns), &div);

  v = ns / div;
  if (fabs (v) >= 9.95 || div == 1)  /* 9.96 reads "10", not "10.0" */
    return g_strdup_printf ("%.0f %s", v, unit);
  return g_strdup_printf ("%.1f %s", v, unit);
}

/**
 * nc_format_time:
 * @ns: a time relative to the recording's start
 * @scale: picks the unit: a column of times that share it reads down evenly
 * @step: the finest difference that matters, which picks the decimals
 *
 * Returns: (transfer full): e.g. "5.2514 s" for a 100 µs step at 5 s
 */
char *
nc_format_time (gint64 ns,
                gint64 scale,
                gint64 step)
{
  double div;
  const char *unit = unit_for (MAX (scale, 1), &div);
  double step_u = MAX (step, 1) / div;
  int decimals = step_u >= 1 ? 0 : (int) ceil (-log10 (step_u) - 1e-9);

  return g_strdup_printf ("%.*f %s", CLAMP (decimals, 0, 6), ns / div, unit);
}

/**
 * nc_format_time_at:
 * @ns: a time relative to the recording's start
 * @step: a time axis's tick step, which picks the unit and the decimals
 *
 * The unit of the value, the decimals of the step: "5.2514 s" rather than
 * "5251400 µs"; 500 µs steps read as 0.5 ms, 100 µs steps as 100 µs.
 *
 * Returns: (transfer full): the text
 */
char *
nc_format_time_at (gint64 ns,
                   gint64 step)
{
  /* a damaged file's times span up to 146 years: steps up to 5e18 ns,
   * whose double would overflow */
  gint64 twice = MAX (step, 1) > G_MAXINT64 / 2 ? G_MAXINT64 : MAX (step, 1) * 2;
  gint64 size = ns < -G_MAXINT64 ? G_MAXINT64 : ABS (ns);

  return nc_format_time (ns, MAX (twice, size), step);
}

/**
 * nc_format_bytes:
 * @max: how many bytes to show at most; more end in "…" (G_MAXSIZE: all)
 *
 * Data as a Python bytes literal shows it, the course's b"hello\n".
 */
void
nc_format_bytes (const guint8 *data,
                 gsize         len,
                 gsize         max,
                 GString      *out)
{
  g_string_append (out, "b\"");
  for (gsize i = 0; i < len && i < max; i++)
    {
      guint8 c = data[i];

      if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c >= 0x20 && c < 0x7f)
        g_string_append_c (out, (char) c);
      else
        g_string_append_printf (out, "\\x%02x", c);
    }
  if (len > max)
    g_string_append (out, "…");
  g_string_append_c (out, '"');
}

/* An fd set as the Python list select() takes: "[3, 4]". */
void
nc_format_fd_list (const NcFdList *list,
                   GString        *out)
{
  g_string_append_c (out, '[');
  for (guint i = 0; i < list->n && i < NC_SELECT_FDS_MAX; i++)
    g_string_append_printf (out, "%s%d", i ? ", " : "", list->fds[i]);
  g_string_append_c (out, ']');
}
