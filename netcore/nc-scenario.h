/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nc-scenario.h: a lesson as a program: actors that use only netcore. */
#pragma once

#include <gio/gio.h>
#include <sys/socket.h>

G_BEGIN_DECLS

typedef struct _NcActorContext NcActorContext;

/* An actor's body: runs on its own thread; returns 0, or -1 after nc_actor_fail(). */
typedef int (*NcActorFunc) (NcActorContext *ctx);

typedef struct
{
  const char  *name;  /* "server", "client 1" */
  const char  *role;  /* "server" or "client" */
  NcActorFunc  func;
  guint        host;  /* lab host (network namespace) it runs on, from 0; see n_hosts */
} NcActorSpec;

/* The name the lab gives its machine (its own UTS namespace) and writes into
 * its own /etc/hosts: a name a scenario can look up without DNS. */
#define NC_LAB_HOSTNAME "socklens-lab"

/* The largest count a user may ask for (clients, messages, KiB). */
#define NC_PARAMS_COUNT_MAX 1000000

/* The lab's own hosts in a two-host scenario (1 and 2): the documentation
 * range, on a veth pair that exists only inside the lab's namespaces. */
#define NC_LAB_HOST_ADDR_FMT "192.0.2.%u"

/* The most one UDP datagram carries: 65,535 less the IPv4 (20) and UDP (8)
 * headers; IPv6's payload length leaves 65,535 less 8. */
#define NC_UDP_MAX_PAYLOAD_IPV4 65507
#define NC_UDP_MAX_PAYLOAD_IPV6 65527

/* What a user may change from the command line or the window. */
typedef struct
{
  guint16  port;      /* 0: the server binds port 0 and publishes what it got */
  char    *message;
  guint    count;     /* clients, messages or rounds, per scenario */
  char    *host;      /* address the server binds and clients connect to */
} NcParams;

typedef struct
{
  const char        *name;     /* "tcp-echo": what the command line takes */
  const char        *title;    /* "TCP echo: the course's first program" */
  const char        *topic;    /* the lecture's slide it serves */
  const char        *notice;   /* "What to notice": one paragraph */
  guint16            default_port;
  const char        *default_message;
  guint              default_count;
  const char        *default_host;
  guint              n_actors;
  const NcActorSpec *actors;
  /* Lab needs, read by the lab helper */
  guint              n_hosts;        /* 0 or 1: one namespace; 2+: hosts on veths */
  gint               drop_packet;    /* 1-based packet on the link to drop, 0 none */
  gboolean           datagram_message; /* the message travels in one UDP datagram */
  gboolean           needs_raw_socket; /* SOCK_RAW: needs CAP_NET_RAW of its own */
} NcScenario;

const NcScenario *nc_scenario_lookup       (const char       *name);
const NcScenario *const *nc_scenario_list  (guint            *n_scenarios);
const char       *nc_scenario_get_section  (const NcScenario *scenario);
const char       *nc_scenario_get_source_path (const NcScenario *scenario);
GBytes           *nc_scenario_load_source  (const NcScenario *scenario,
                                            GError          **error);

NcParams         *nc_params_new            (const NcScenario *scenario);
NcParams         *nc_params_copy           (const NcParams   *params);
void              nc_params_free           (NcParams         *params);
gboolean          nc_params_check          (const NcScenario *scenario,
                                            const NcParams   *params,
                                            gboolean          lab_hosts,
                                            GError          **error);
gboolean          nc_params_parse_number   (const char       *option,
                                            const char       *text,
                                            gint64            min,
                                            gint64            max,
                                            gint64           *out,
                                            GError          **error);
gboolean          nc_address_is_loopback   (const char       *host);
gboolean          nc_address_is_lab_host   (const char       *host);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NcParams, nc_params_free)

/* For actor bodies */
const NcParams   *nc_actor_get_params      (NcActorContext   *ctx);
const char       *nc_actor_get_name        (NcActorContext   *ctx);
guint             nc_actor_get_index       (NcActorContext   *ctx);
gboolean          nc_actor_is_stopped      (NcActorContext   *ctx);
/* The server tells the clients where it listens (after getsockname()) */
void              nc_actor_publish_port    (NcActorContext   *ctx,
                                            guint16           port);
/* Clients wait for it; returns 0 when the run failed or stopped first */
guint16           nc_actor_wait_port       (NcActorContext   *ctx);
/* Fail the run with a message for the user; unblocks the clients. */
int               nc_actor_fail            (NcActorContext   *ctx,
                                            int               err,
                                            const char       *format,
                                            ...) G_GNUC_PRINTF (3, 4);
/* A rendezvous by name between actors of one run ("clients-connected") */
void              nc_actor_signal          (NcActorContext   *ctx,
                                            const char       *what);
gboolean          nc_actor_wait_signal     (NcActorContext   *ctx,
                                            const char       *what,
                                            guint             count);

/* Builds the address a server binds or a client connects to from the run's
 * host (IPv4 or IPv6 literal) and port; returns its length, 0 if @host is not
 * an address. Not a socket call, so not recorded. */
socklen_t         nc_scenario_make_address (const char       *host,
                                            guint16           port,
                                            struct sockaddr_storage *out);
guint16           nc_scenario_address_port (const struct sockaddr_storage *addr);

G_END_DECLS
