/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-bare-udp-echo: the calls of `socklens run udp-echo --count N`, bare:
 * a server thread echoes N datagrams to a client thread on 127.0.0.1, no
 * recording, no capture. The anchor the run benchmarks compare with.
 *
 *   sl-bare-udp-echo N     prints the seconds it took
 */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long count;
static int server_fd;

static void *
server (void *arg)
{
  char buf[2048];

  (void) arg;
  for (long i = 0; i < count; i++)
    {
      struct sockaddr_in from;
      socklen_t len = sizeof from;
      ssize_t n = recvfrom (server_fd, buf, sizeof buf, 0, (struct sockaddr *) &from, &len);
      if (n < 0 || sendto (server_fd, buf, (size_t) n, 0, (struct sockaddr *) &from, len) < 0)
        {
          perror ("server");
          exit (1);
        }
    }
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof addr;
  struct timespec t0, t1;
  pthread_t thread;
  char buf[2048];
  int fd;

  count = argc > 1 ? atol (argv[1]) : 100000;
  server_fd = socket (AF_INET, SOCK_DGRAM, 0);
  fd = socket (AF_INET, SOCK_DGRAM, 0);
  if (server_fd < 0 || fd < 0 || bind (server_fd, (struct sockaddr *) &addr, sizeof addr) < 0 ||
      getsockname (server_fd, (struct sockaddr *) &addr, &len) < 0)
    {
      perror ("socket");
      return 1;
    }

  clock_gettime (CLOCK_MONOTONIC, &t0);
  pthread_create (&thread, NULL, server, NULL);
  for (long i = 0; i < count; i++)
    if (sendto (fd, "hello", 5, 0, (struct sockaddr *) &addr, sizeof addr) < 0 ||
        recvfrom (fd, buf, sizeof buf, 0, NULL, NULL) < 0)
      {
        perror ("client");
        return 1;
      }
  pthread_join (thread, NULL);
  clock_gettime (CLOCK_MONOTONIC, &t1);
  printf ("%.3f\n", (double) (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
  return 0;
}
