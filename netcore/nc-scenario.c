/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nc-scenario.c: the list of scenarios and their parameters. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nc-scenario.h"
#include "nc-resources.h"
#include "nc-scenario-list.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <string.h>

/* From netcore/meson.build's list, in the lecture's order */
static const NcScenario *const scenarios[] = { NC_SCENARIOS };
static const char *const sources[] = { NC_SCENARIO_SOURCES };
G_STATIC_ASSERT (G_N_ELEMENTS (scenarios) == G_N_ELEMENTS (sources));

/* The lecture's sections, each named at its first scenario: a picker
 * groups by them. */
static const struct
{
  const char *first;
  const char *title;
} sections[] = {
  { "tcp-echo", N_("The first program: a TCP echo") },
  { "tcp-backlog", N_("Stream and datagram socket functions") },
  { "tcp-ipv6", N_("Creating sockets: IPv6 and raw") },
  { "names-and-bytes", N_("Other functions, non-blocking sockets, select()") },
  { "socketserver-tcp", N_("Server libraries: socketserver") },
};

/**
 * nc_scenario_get_section:
 * Returns: the title of the lecture section @scenario belongs to.
 */
const char *
nc_scenario_get_section (const NcScenario *scenario)
{
  const char *section = sections[0].title;

  g_return_val_if_fail (scenario != NULL, NULL);

  for (guint i = 0, s = 0; i < G_N_ELEMENTS (scenarios); i++)
    {
      if (s < G_N_ELEMENTS (sections) && g_str_equal (scenarios[i]->name, sections[s].first))
        section = sections[s++].title;
      if (scenarios[i] == scenario)
        return _(section);
    }
  return _(section);
}

const NcScenario *const *
nc_scenario_list (guint *n_scenarios)
{
  if (n_scenarios != NULL)
    *n_scenarios = G_N_ELEMENTS (scenarios);
  return scenarios;
}

const NcScenario *
nc_scenario_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    if (g_str_equal (scenarios[i]->name, name))
      return scenarios[i];
  return NULL;
}

/**
 * nc_scenario_get_source_path:
 *
 * Returns: the resource path of the C source of @scenario's actors, e.g.
 *   "/org/socklens/scenarios/nc-scenario-tcp-echo.c"
 */
const char *
nc_scenario_get_source_path (const NcScenario *scenario)
{
  g_return_val_if_fail (scenario != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    if (scenarios[i] == scenario)
      return sources[i];
  g_return_val_if_reached (NULL);
}

/**
 * nc_scenario_load_source:
 * Returns: (transfer full): the C source of the scenario's actors, exactly
 *   as compiled, so line numbers in its calls match.
 */
GBytes *
nc_scenario_load_source (const NcScenario *scenario,
                         GError          **error)
{
  g_return_val_if_fail (scenario != NULL, NULL);

  /* Through our own GResource: in a static library its constructor that
   * would register it globally may never be linked in. */
  return g_resource_lookup_data (nc_get_resource (), nc_scenario_get_source_path (scenario),
                                 G_RESOURCE_LOOKUP_FLAGS_NONE, error);
}

NcParams *
nc_params_new (const NcScenario *scenario)
{
  NcParams *params = g_new0 (NcParams, 1);

  g_return_val_if_fail (scenario != NULL, params);

  params->port = scenario->default_port;
  params->message = g_strdup (scenario->default_message ? scenario->default_message : "hello");
  params->count = scenario->default_count ? scenario->default_count : 1;
  params->host = g_strdup (scenario->default_host ? scenario->default_host : "127.0.0.1");
  return params;
}

NcParams *
nc_params_copy (const NcParams *params)
{
  NcParams *copy = g_new0 (NcParams, 1);

  *copy = *params;
  copy->message = g_strdup (params->message);
  copy->host = g_strdup (params->host);
  return copy;
}

void
nc_params_free (NcParams *params)
{
  if (params == NULL)
    return;
  g_free (params->message);
  g_free (params->host);
  g_free (params);
}

socklen_t
nc_scenario_make_address (const char              *host,
                          guint16                  port,
                          struct sockaddr_storage *out)
{
  struct sockaddr_in *sin = (struct sockaddr_in *) out;
  struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *) out;

  memset (out, 0, sizeof *out);
  if (inet_pton (AF_INET, host, &sin->sin_addr) == 1)
    {
      sin->sin_family = AF_INET;
      sin->sin_port = htons (port);
      return sizeof *sin;
    }
  if (inet_pton (AF_INET6, host, &sin6->sin6_addr) == 1)
    {
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons (port);
      return sizeof *sin6;
    }
  return 0;
}

guint16
nc_scenario_address_port (const struct sockaddr_storage *addr)
{
  if (addr->ss_family == AF_INET6)
    return ntohs (((const struct sockaddr_in6 *) addr)->sin6_port);
  return ntohs (((const struct sockaddr_in *) addr)->sin_port);
}

/**
 * nc_params_parse_number:
 * @option: its name for the message, e.g. "--port"
 *
 * A number given on a command line, in [@min, @max]. Given means meant:
 * "--port -1" or "--count 0" is an error, never the default.
 */
gboolean
nc_params_parse_number (const char  *option,
                        const char  *text,
                        gint64       min,
                        gint64       max,
                        gint64      *out,
                        GError     **error)
{
  gint64 value;

  if (!g_ascii_string_to_signed (text, 10, min, max, &value, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("%s takes a number from %" PRId64 " to %" PRId64
                     ", not “%s”"), option, min, max, text);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

/* 127.0.0.0/8, ::1, and 127.0.0.0/8 as an IPv4-mapped IPv6 address. */
gboolean
nc_address_is_loopback (const char *host)
{
  struct in_addr in;
  struct in6_addr in6;

  if (host == NULL)
    return FALSE;
  if (inet_pton (AF_INET, host, &in) == 1)
    return (ntohl (in.s_addr) >> 24) == 127;
  if (inet_pton (AF_INET6, host, &in6) == 1)
    return IN6_IS_ADDR_LOOPBACK (&in6) ||
           (IN6_IS_ADDR_V4MAPPED (&in6) && in6.s6_addr[12] == 127);
  return FALSE;
}

/* One of the lab's two hosts (NC_LAB_HOST_ADDR_FMT), exactly as written. */
gboolean
nc_address_is_lab_host (const char *host)
{
  for (guint h = 1; h <= 2; h++)
    {
      g_autofree char *addr = g_strdup_printf (NC_LAB_HOST_ADDR_FMT, h);
      if (host != NULL && g_str_equal (host, addr))
        return TRUE;
    }
  return FALSE;
}

/**
 * nc_params_check:
 * @lab_hosts: the run happens where the lab's own hosts exist (its two-host
 *   namespaces), so their addresses are allowed too
 *
 * Everything a user may set, checked in one place before a socket is made:
 * by the command line, the window's lab, the lab itself and nc_run_start ().
 * A lesson's traffic never leaves the machine: the host must be loopback
 * (or one of the lab's own hosts), whatever the mode. A message that must
 * fit one datagram must fit the largest one its family carries.
 *
 * Returns: %FALSE with @error (%G_IO_ERROR_INVALID_ARGUMENT) saying why
 */
gboolean
nc_params_check (const NcScenario *scenario,
                 const NcParams   *params,
                 gboolean          lab_hosts,
                 GError          **error)
{
  struct sockaddr_storage ss;
  gsize message_len, max_len;

  g_return_val_if_fail (scenario != NULL && params != NULL, FALSE);

  if (params->host == NULL || nc_scenario_make_address (params->host, 0, &ss) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("--host takes an IPv4 or IPv6 address, not “%s”"),
                   params->host ? params->host : "");
      return FALSE;
    }
  if (!nc_address_is_loopback (params->host) &&
      !(lab_hosts && nc_address_is_lab_host (params->host)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("--host %s is refused: a lesson's traffic stays on this computer, so the "
                     "host must be a loopback address (127.0.0.1, ::1)%s"),
                   params->host, lab_hosts ? _(" or one of the lab's own hosts") : "");
      return FALSE;
    }
  if (params->count < 1 || params->count > NC_PARAMS_COUNT_MAX)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("--count takes 1 to %d, not %u"), NC_PARAMS_COUNT_MAX, params->count);
      return FALSE;
    }
  message_len = params->message != NULL ? strlen (params->message) : 0;
  max_len = ss.ss_family == AF_INET6 ? NC_UDP_MAX_PAYLOAD_IPV6 : NC_UDP_MAX_PAYLOAD_IPV4;
  if (scenario->datagram_message && message_len > max_len)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("--message is %zu bytes; “%s” sends it in one UDP "
                     "datagram, which carries at most %zu bytes over %s"),
                   message_len, scenario->name, max_len,
                   ss.ss_family == AF_INET6 ? "IPv6" : "IPv4");
      return FALSE;
    }
  return TRUE;
}
