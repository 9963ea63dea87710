/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nc-example.c: the lecture's examples in Python, in the lecture's order. */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "nc-example.h"

#define PROGRAMS(...) ((const char *const[]) { __VA_ARGS__, NULL })

static const NcExample examples[] = {
  { "tcp", N_("TCP server and client (1-TCPServer.py, 1-TCPClient.py)"),
    N_("TCP network application model"),
    PROGRAMS ("tcp_server.py", "tcp_client.py") },
  { "udp", N_("UDP server and client: recvfrom() and sendto()"), N_("Datagram sockets functions"),
    PROGRAMS ("udp_server.py", "udp_client.py") },
  { "names", N_("Names and byte order: gethostname, gethostbyname, inet_aton..."),
    N_("Other socket functions"), PROGRAMS ("names_and_bytes.py") },
  { "nonblocking", N_("A non-blocking client: EINPROGRESS, EAGAIN and select()"),
    N_("Non-blocking socket"), PROGRAMS ("tcp_server.py", "nonblocking_client.py") },
  { "select", N_("One select() server, three clients"), N_("select: waiting for I/O completion"),
    PROGRAMS ("select_server.py", "select_clients.py") },
  { "socketserver", N_("socketserver.TCPServer and its handler (4-SocketServer.py)"),
    N_("Server libraries"), PROGRAMS ("socketserver_server.py", "socketserver_client.py") },
};

const NcExample *const *
nc_example_list (guint *n_examples)
{
  static const NcExample *list[G_N_ELEMENTS (examples)];

  for (guint i = 0; i < G_N_ELEMENTS (examples); i++)
    list[i] = &examples[i];
  *n_examples = G_N_ELEMENTS (examples);
  return list;
}

const NcExample *
nc_example_lookup (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (examples); i++)
    if (g_strcmp0 (examples[i].name, name) == 0)
      return &examples[i];
  return NULL;
}

/* Installed, or (an uninstalled build) the source tree's; SOCKLENS_EXAMPLES_DIR first. */
const char *
nc_example_dir (void)
{
  const char *env = g_getenv ("SOCKLENS_EXAMPLES_DIR");

  if (env != NULL && env[0] != '\0')
    return env;
  if (g_file_test (EXAMPLES_DIR, G_FILE_TEST_IS_DIR))
    return EXAMPLES_DIR;
  return SOURCE_EXAMPLES_DIR;
}

/* Returns: (transfer full): the example's programs as paths */
char **
nc_example_paths (const NcExample *example)
{
  GPtrArray *paths = g_ptr_array_new ();

  for (guint i = 0; example->programs[i] != NULL; i++)
    g_ptr_array_add (paths, g_build_filename (nc_example_dir (), example->programs[i], NULL));
  g_ptr_array_add (paths, NULL);
  return (char **) g_ptr_array_free (paths, FALSE);
}
