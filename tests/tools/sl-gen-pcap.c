/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-gen-pcap: writes a classic pcap of many interleaved, well-formed TCP
 * conversations on a loopback-like link (Ethernet, zero MACs), for
 * benchmarks and tests. Deterministic for a given seed.
 *
 *   sl-gen-pcap -c 1000000 -o big.pcap
 *
 * Each conversation: SYN, SYN/ACK, ACK, a few request/response exchanges
 * with data segmented at the MSS and delayed ACKs, then FIN/ACK both ways.
 */

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSS 1448
#define MAX_CONCURRENT 64

enum { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10 };

typedef struct
{
  uint16_t cport, sport;
  uint32_t cseq, sseq;      /* next sequence number each side sends */
  int      stage;           /* 0 syn, 1 synack, 2 ack, 3 data, 4 fin */
  int      exchanges_left;
  uint32_t pending;         /* bytes of the current message still to send */
  int      from_server;     /* who sends the current message */
  int      unacked;
} Flow;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t
rng (void)
{
  /* xorshift64*: fast and good enough to vary sizes and ports */
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return (uint32_t) ((rng_state * 2685821657736338717ull) >> 32);
}

static uint64_t ts_us = 1700000000ull * 1000000ull;
static unsigned long long written, limit;
static FILE *out;
static uint8_t payload[MSS];

static void
put16be (uint8_t *p, uint16_t v)
{
  p[0] = (uint8_t) (v >> 8);
  p[1] = (uint8_t) v;
}

static void
put32be (uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t) (v >> 24);
  p[1] = (uint8_t) (v >> 16);
  p[2] = (uint8_t) (v >> 8);
  p[3] = (uint8_t) v;
}

static uint16_t
checksum (const uint8_t *p, size_t n)
{
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2)
    sum += (uint32_t) (p[i] << 8 | p[i + 1]);
  if (n & 1)
    sum += (uint32_t) p[n - 1] << 8;
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t) ~sum;
}

static void
emit (uint16_t src_port, uint16_t dst_port, uint32_t seq, uint32_t ack, uint8_t flags,
      uint32_t len)
{
  uint8_t frame[14 + 20 + 20 + MSS] = { 0 };
  uint8_t *ip = frame + 14, *tcp = ip + 20;
  uint32_t total = 14 + 20 + 20 + len;
  uint32_t hdr[4];

  frame[12] = 0x08;  /* IPv4 */
  ip[0] = 0x45;
  put16be (ip + 2, (uint16_t) (20 + 20 + len));
  put16be (ip + 4, (uint16_t) rng ());
  ip[6] = 0x40;  /* DF */
  ip[8] = 64;
  ip[9] = 6;
  ip[12] = 127, ip[15] = 1;
  ip[16] = 127, ip[19] = 1;
  put16be (ip + 10, checksum (ip, 20));
  put16be (tcp, src_port);
  put16be (tcp + 2, dst_port);
  put32be (tcp + 4, seq);
  put32be (tcp + 8, (flags & ACK) ? ack : 0);
  tcp[12] = 5 << 4;
  tcp[13] = flags;
  put16be (tcp + 14, 512);
  if (len)
    memcpy (tcp + 20, payload, len);

  ts_us += 1 + rng () % 40;
  hdr[0] = (uint32_t) (ts_us / 1000000);
  hdr[1] = (uint32_t) (ts_us % 1000000);
  hdr[2] = hdr[3] = total;
  fwrite (hdr, sizeof hdr, 1, out);
  fwrite (frame, total, 1, out);
  written++;
}

static void
flow_start (Flow *f)
{
  memset (f, 0, sizeof *f);
  f->cport = (uint16_t) (32768 + rng () % 28000);
  f->sport = (uint16_t[]){ 9000, 9001, 9002, 9003, 9004, 9005 }[rng () % 6];
  f->cseq = rng ();
  f->sseq = rng ();
  f->exchanges_left = 1 + (int) (rng () % 4);
}

/* One packet of the flow's next step; returns 0 when the flow is over. */
static int
flow_step (Flow *f)
{
  switch (f->stage)
    {
    case 0:
      emit (f->cport, f->sport, f->cseq++, 0, SYN, 0);
      f->stage = 1;
      return 1;
    case 1:
      emit (f->sport, f->cport, f->sseq++, f->cseq, SYN | ACK, 0);
      f->stage = 2;
      return 1;
    case 2:
      emit (f->cport, f->sport, f->cseq, f->sseq, ACK, 0);
      f->stage = 3;
      return 1;
    case 3:
      if (f->pending == 0)
        {
          if (f->from_server)
            f->exchanges_left--;
          if (f->exchanges_left == 0)
            {
              f->stage = 4;
              return flow_step (f);
            }
          f->from_server = !f->from_server;
          f->pending = f->from_server ? 200 + rng () % 6000 : 40 + rng () % 400;
        }
      {
        uint32_t len = f->pending < MSS ? f->pending : MSS;
        uint8_t flags = ACK | (len == f->pending ? PSH : 0);
        if (f->from_server)
          emit (f->sport, f->cport, f->sseq, f->cseq, flags, len), f->sseq += len;
        else
          emit (f->cport, f->sport, f->cseq, f->sseq, flags, len), f->cseq += len;
        f->pending -= len;
        /* Delayed ACK: the receiver acknowledges every second segment. */
        if (++f->unacked == 2 || f->pending == 0)
          {
            f->unacked = 0;
            if (written < limit)
              {
                if (f->from_server)
                  emit (f->cport, f->sport, f->cseq, f->sseq, ACK, 0);
                else
                  emit (f->sport, f->cport, f->sseq, f->cseq, ACK, 0);
              }
          }
      }
      return 1;
    case 4:
      emit (f->cport, f->sport, f->cseq++, f->sseq, FIN | ACK, 0);
      f->stage = 5;
      return 1;
    case 5:
      emit (f->sport, f->cport, f->sseq++, f->cseq, FIN | ACK, 0);
      f->stage = 6;
      return 1;
    case 6:
      emit (f->cport, f->sport, f->cseq, f->sseq, ACK, 0);
      return 0;
    default:
      return 0;
    }
}

int
main (int argc, char **argv)
{
  const char *path = NULL;
  Flow flows[MAX_CONCURRENT];
  uint32_t ghdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 262144, 1 };
  int opt;

  limit = 100000;
  while ((opt = getopt (argc, argv, "c:o:s:h")) != -1)
    switch (opt)
      {
      case 'c': limit = strtoull (optarg, NULL, 10); break;
      case 'o': path = optarg; break;
      case 's': rng_state ^= strtoull (optarg, NULL, 10) * 0x100000001b3ull; break;
      default:
        fprintf (stderr, "Usage: sl-gen-pcap [-c PACKETS] [-s SEED] -o FILE\n");
        return opt == 'h' ? 0 : 2;
      }
  if (path == NULL)
    {
      fprintf (stderr, "sl-gen-pcap: -o FILE is required\n");
      return 2;
    }
  out = fopen (path, "wb");
  if (out == NULL)
    {
      fprintf (stderr, "sl-gen-pcap: %s: %s\n", path, strerror (errno));
      return 1;
    }

  /* The pcap global header: magic, version 2.4, snaplen, LINKTYPE_ETHERNET */
  fwrite (ghdr, 4, 2, out);
  fwrite (&ghdr[2], 4, 4, out);
  for (int i = 0; i < 64; i++)
    payload[i * 22 % MSS] = (uint8_t) ('a' + i % 26);
  for (int i = 0; i < MAX_CONCURRENT; i++)
    flow_start (&flows[i]);

  while (written < limit)
    {
      Flow *f = &flows[rng () % MAX_CONCURRENT];
      if (!flow_step (f))
        flow_start (f);
    }

  if (fclose (out) != 0)
    {
      fprintf (stderr, "sl-gen-pcap: %s: %s\n", path, strerror (errno));
      return 1;
    }
  return 0;
}
