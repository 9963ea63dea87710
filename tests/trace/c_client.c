/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * c_client.c: a student's C client, built as most are (no -rdynamic, so
 * its functions are not in the dynamic symbol table): one datagram to a
 * port where nothing listens, then close ().
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int
main (void)
{
  struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons (50034) };
  int s = socket (AF_INET, SOCK_DGRAM, 0);

  inet_aton ("127.0.0.1", &to.sin_addr);
  if (sendto (s, "from C", 6, 0, (struct sockaddr *) &to, sizeof to) != 6)
    perror ("sendto");
  close (s);
  return 0;
}
