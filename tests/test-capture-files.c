/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-capture-files.c: the pcap/pcapng reader, the pcapng writer and the record codec.
 *
 * Files are built here, byte by byte where the writer cannot make them (classic
 * pcap, other byte orders, several link types, damage), and checked both with
 * our reader and with Wireshark's own tools, which serve as the oracle.
 */
#include "config.h"

#include "sl-test-spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>

#include <arpa/inet.h>

#include "cap-reader.h"
#include "cap-recording.h"
#include "cap-pcapng-writer.h"
#include "cap-call-codec.h"

#define T0 G_GINT64_CONSTANT (1700000000123456789)

static char *tmpdir;

/* --- collecting what the reader delivers -------------------------------- */

typedef struct
{
  CapFrame  f;
  GBytes   *data;
  char     *comment;
} GotFrame;

typedef struct
{
  CapRawRecord r;
  GBytes      *payload;
} GotRecord;

typedef struct
{
  CapInterface i;
  char        *name;
} GotIface;

typedef struct
{
  GArray       *frames;
  GArray       *records;
  GArray       *ifaces;
  const guint8 *base;    /* when set, frame data must point into it (zero copy) */
} Got;

static void
got_frame_clear (gpointer p)
{
  GotFrame *g = p;

  g_bytes_unref (g->data);
  g_free (g->comment);
}

static void
got_record_clear (gpointer p)
{
  g_bytes_unref (((GotRecord *) p)->payload);
}

static void
got_iface_clear (gpointer p)
{
  g_free (((GotIface *) p)->name);
}

static Got *
got_new (void)
{
  Got *got = g_new0 (Got, 1);

  got->frames = g_array_new (FALSE, TRUE, sizeof (GotFrame));
  g_array_set_clear_func (got->frames, got_frame_clear);
  got->records = g_array_new (FALSE, TRUE, sizeof (GotRecord));
  g_array_set_clear_func (got->records, got_record_clear);
  got->ifaces = g_array_new (FALSE, TRUE, sizeof (GotIface));
  g_array_set_clear_func (got->ifaces, got_iface_clear);
  return got;
}

static void
got_free (Got *got)
{
  g_array_unref (got->frames);
  g_array_unref (got->records);
  g_array_unref (got->ifaces);
  g_free (got);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Got, got_free)

static void
on_iface (const CapInterface *iface,
          gpointer            user_data)
{
  Got *got = user_data;
  GotIface g = { *iface, g_strdup (iface->name) };

  g.i.name = NULL;
  g.i.description = NULL;
  g_array_append_val (got->ifaces, g);
}

static void
on_frame (const CapFrame *frame,
          gpointer        user_data)
{
  Got *got = user_data;
  GotFrame g = { *frame, g_bytes_new (frame->data, frame->caplen), g_strdup (frame->comment) };

  if (got->base != NULL)
    g_assert_true (frame->data == got->base + frame->data_offset);
  g.f.data = NULL;
  g.f.comment = NULL;
  g_array_append_val (got->frames, g);
}

static void
on_record (const CapRawRecord *record,
           gpointer            user_data)
{
  Got *got = user_data;
  GotRecord g = { *record, g_bytes_new (record->payload, record->len) };

  g.r.payload = NULL;
  g_array_append_val (got->records, g);
}

static const CapReaderCallbacks got_callbacks = { on_iface, on_frame, on_record };

#define FRAME(got, i) (&g_array_index ((got)->frames, GotFrame, (i)))
#define RECORD(got, i) (&g_array_index ((got)->records, GotRecord, (i)))
#define IFACE(got, i) (&g_array_index ((got)->ifaces, GotIface, (i)))

/* Feeds @data in pieces of @chunk bytes (0: all at once), then finishes. */
static gboolean
read_bytes (const guint8  *data,
            gsize          len,
            gsize          chunk,
            const char    *name,
            Got           *got,
            GError       **error)
{
  g_autoptr(CapReader) reader = cap_reader_new (&got_callbacks, got);

  cap_reader_set_name (reader, name);
  if (chunk == 0)
    {
      got->base = data;
      if (!cap_reader_feed (reader, data, len, error))
        return FALSE;
    }
  else
    {
      got->base = NULL;
      for (gsize pos = 0; pos < len; pos += chunk)
        {
          /* copy each piece, so a pointer kept past its feed would be caught by ASan */
          g_autofree guint8 *piece = g_memdup2 (data + pos, MIN (chunk, len - pos));

          if (!cap_reader_feed (reader, piece, MIN (chunk, len - pos), error))
            return FALSE;
        }
    }
  return cap_reader_finish (reader, error);
}

static void
assert_got_equal (Got *a,
                  Got *b)
{
  g_assert_cmpuint (a->frames->len, ==, b->frames->len);
  for (guint i = 0; i < a->frames->len; i++)
    {
      GotFrame *x = FRAME (a, i), *y = FRAME (b, i);

      g_assert_cmpuint (x->f.index, ==, y->f.index);
      g_assert_cmpuint (x->f.iface, ==, y->f.iface);
      g_assert_cmpuint (x->f.linktype, ==, y->f.linktype);
      g_assert_cmpint (x->f.ts_ns, ==, y->f.ts_ns);
      g_assert_cmpuint (x->f.caplen, ==, y->f.caplen);
      g_assert_cmpuint (x->f.len, ==, y->f.len);
      g_assert_cmpuint (x->f.data_offset, ==, y->f.data_offset);
      g_assert_true (g_bytes_equal (x->data, y->data));
      g_assert_cmpstr (x->comment, ==, y->comment);
    }
  g_assert_cmpuint (a->records->len, ==, b->records->len);
  for (guint i = 0; i < a->records->len; i++)
    {
      GotRecord *x = RECORD (a, i), *y = RECORD (b, i);

      g_assert_cmpuint (x->r.offset, ==, y->r.offset);
      g_assert_cmpint (x->r.ts_ns, ==, y->r.ts_ns);
      g_assert_cmpuint (x->r.iface, ==, y->r.iface);
      g_assert_true (g_bytes_equal (x->payload, y->payload));
    }
  g_assert_cmpuint (a->ifaces->len, ==, b->ifaces->len);
}

/* --- building packets and files ------------------------------------------------ */

static guint16
ip_checksum (const guint8 *p,
             gsize         len)
{
  guint32 sum = 0;

  for (gsize i = 0; i + 1 < len; i += 2)
    sum += (p[i] << 8) | p[i + 1];
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return ~sum;
}

/* An Ethernet frame as lo shows it: zero MACs, IPv4, TCP with PSH|ACK. */
static GByteArray *
make_tcp_frame (guint16       sport,
                guint16       dport,
                guint32       seq,
                const char   *payload)
{
  GByteArray *b = g_byte_array_new ();
  gsize plen = strlen (payload);
  guint8 eth[14] = { 0 };
  guint8 ip[20] = { 0x45, 0, 0, 0, 0x12, 0x34, 0x40, 0, 64, 6, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1 };
  guint8 tcp[20] = { 0 };
  guint16 total = 40 + plen, sum;

  eth[12] = 0x08;
  ip[2] = total >> 8;
  ip[3] = total & 0xff;
  sum = ip_checksum (ip, 20);
  ip[10] = sum >> 8;
  ip[11] = sum & 0xff;
  tcp[0] = sport >> 8;
  tcp[1] = sport & 0xff;
  tcp[2] = dport >> 8;
  tcp[3] = dport & 0xff;
  tcp[4] = seq >> 24;
  tcp[5] = seq >> 16;
  tcp[6] = seq >> 8;
  tcp[7] = seq;
  tcp[12] = 5 << 4;
  tcp[13] = 0x18;
  tcp[14] = 0xff;
  tcp[15] = 0xff;

  g_byte_array_append (b, eth, sizeof eth);
  g_byte_array_append (b, ip, sizeof ip);
  g_byte_array_append (b, tcp, sizeof tcp);
  g_byte_array_append (b, (const guint8 *) payload, plen);
  return b;
}

/* A call with every field set to something distinct and awkward. */
static void
fill_call (NcCall *c,
           guint   i)
{
  NcFdSets watched = { 0 }, ready = { 0 };

  memset (c, 0, sizeof *c);
  c->id = 100 + i;
  c->kind = i % 2 ? NC_CALL_SELECT : NC_CALL_SEND;
  c->actor = 1 + i % 2;
  c->pid = 4242;
  c->tid = 4243 + i;
  c->fd = i == 3 ? -1 : 3 + (gint32) i;
  c->ts_gate = T0 + i * 1000;
  c->ts_start = T0 + i * 1000 + 10;
  c->ts_end = i == 0 ? 0 : T0 + i * 1000 + 500;
  c->result = i == 2 ? -1 : (G_GINT64_CONSTANT (1) << 40) + i;
  c->err = i == 2 ? ECONNREFUSED : 0;
  c->domain = 2;
  c->type = 1;
  c->protocol = 6;
  c->flags = -0x40;
  c->length = (G_GINT64_CONSTANT (1) << 33) + i;
  c->timeout_ns = i % 2 ? 1500000000 : -1;
  c->value_in = G_GUINT64_CONSTANT (0x123456789abcdef0) + i;
  g_strlcpy (c->local, "127.0.0.1:40000", sizeof c->local);
  g_strlcpy (c->peer, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535", sizeof c->peer);
  g_strlcpy (c->text, "h\xc3\xa9llo \xe2\x80\x93 \xe5\xa5\xbd", sizeof c->text);
  c->data_len = i % 2 ? 5 : NC_CALL_DATA_MAX;
  for (guint k = 0; k < c->data_len; k++)
    c->data[k] = (guint8) (k * 37 + i);
  c->data[0] = 0;
  watched.set[NC_SET_READ].n = NC_SELECT_FDS_MAX;
  for (guint k = 0; k < NC_SELECT_FDS_MAX; k++)
    watched.set[NC_SET_READ].fds[k] = 1000 + k;
  watched.set[NC_SET_WRITE].n = 2;
  watched.set[NC_SET_WRITE].fds[0] = 7;
  watched.set[NC_SET_WRITE].fds[1] = -3;
  ready.set[NC_SET_EXCEPT].n = 1;
  ready.set[NC_SET_EXCEPT].fds[0] = 9;
  c->sets_in = nc_fd_sets_intern (&watched);
  c->sets_out = nc_fd_sets_intern (&ready);
  c->tcp_state = 1;
  c->has_queues = 1;
  c->queued_in = 7 + i;
  c->queued_out = 0x80000005u;
  c->file = g_intern_static_string ("scenarios/nc-scenario-tcp-echo.c");
  c->line = 42 + i;
}

static void
assert_call_equal (const NcCall *a,
                   const NcCall *b)
{
  g_assert_cmpuint (a->id, ==, b->id);
  g_assert_cmpuint (a->kind, ==, b->kind);
  g_assert_cmpuint (a->actor, ==, b->actor);
  g_assert_cmpint (a->pid, ==, b->pid);
  g_assert_cmpint (a->tid, ==, b->tid);
  g_assert_cmpint (a->fd, ==, b->fd);
  g_assert_cmpint (a->ts_gate, ==, b->ts_gate);
  g_assert_cmpint (a->ts_start, ==, b->ts_start);
  g_assert_cmpint (a->ts_end, ==, b->ts_end);
  g_assert_cmpint (a->result, ==, b->result);
  g_assert_cmpint (a->err, ==, b->err);
  g_assert_cmpint (a->domain, ==, b->domain);
  g_assert_cmpint (a->type, ==, b->type);
  g_assert_cmpint (a->protocol, ==, b->protocol);
  g_assert_cmpint (a->flags, ==, b->flags);
  g_assert_cmpint (a->length, ==, b->length);
  g_assert_cmpint (a->timeout_ns, ==, b->timeout_ns);
  g_assert_cmpuint (a->value_in, ==, b->value_in);
  g_assert_cmpstr (a->local, ==, b->local);
  g_assert_cmpstr (a->peer, ==, b->peer);
  g_assert_cmpstr (a->text, ==, b->text);
  g_assert_cmpmem (a->data, a->data_len, b->data, b->data_len);
  for (guint s = 0; s < NC_N_SETS; s++)
    for (int ready = 0; ready < 2; ready++)
      {
        const NcFdList *la = nc_call_get_fds (a, ready, s), *lb = nc_call_get_fds (b, ready, s);

        g_assert_cmpmem (la->fds, la->n * sizeof (gint32), lb->fds, lb->n * sizeof (gint32));
      }
  /* interned: equal sets are one stored copy */
  g_assert_true (a->sets_in == b->sets_in);
  g_assert_true (a->sets_out == b->sets_out);
  g_assert_cmpuint (a->tcp_state, ==, b->tcp_state);
  g_assert_cmpuint (a->has_queues, ==, b->has_queues);
  g_assert_cmpuint (a->queued_in, ==, b->queued_in);
  g_assert_cmpuint (a->queued_out, ==, b->queued_out);
  g_assert_cmpstr (a->file, ==, b->file);  /* a copy: files' names are not interned */
  g_assert_cmpuint (a->line, ==, b->line);
  /* and nothing else differs: both were zeroed before being filled */
  g_assert_cmpint (memcmp (a, b, G_STRUCT_OFFSET (NcCall, file)), ==, 0);
  g_assert_cmpint (memcmp ((const char *) a + G_STRUCT_OFFSET (NcCall, file) + sizeof a->file,
                           (const char *) b + G_STRUCT_OFFSET (NcCall, file) + sizeof b->file,
                           sizeof *a - G_STRUCT_OFFSET (NcCall, file) - sizeof a->file), ==, 0);
}

#define N_PACKETS 5
#define N_CALLS   4

/* What write_sample_file () wrote, to compare with what comes back. */
typedef struct
{
  GByteArray *frames[N_PACKETS];
  gint64      ts[N_PACKETS];
  const char *comments[N_PACKETS][3];
  NcCall      calls[N_CALLS];
} Sample;

static void
sample_clear (Sample *s)
{
  for (guint i = 0; i < N_PACKETS; i++)
    g_clear_pointer (&s->frames[i], g_byte_array_unref);
}

/* Record layout of the sample, in file order (after the IDB). */
enum { SAMPLE_RUN, SAMPLE_ACTOR0, SAMPLE_ACTOR1 };

static void
write_record (CapPcapngWriter *w,
              gint64           ts,
              GByteArray      *payload)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cap_pcapng_writer_write_record (w, 0, ts, payload->data, payload->len, &error));
  g_assert_no_error (error);
  g_byte_array_set_size (payload, 0);
}

/*
 * The sample: SHB, IDB (Ethernet, "lo"), RUN, two ACTORs, then for each
 * packet a CALL_ENTER, the EPB and a CALL_RETURN (calls 0..3), a SOCKSTATE,
 * a DROP, a MESSAGE and an END. Packets 1 and 3 carry comments (3 has two),
 * packet 4 is cut (caplen < len).
 */
static char *
write_sample_file (const char *name,
                   Sample     *s)
{
  char *path = g_build_filename (tmpdir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CapPcapngWriter) w = NULL;
  g_autoptr(GByteArray) rec = g_byte_array_new ();
  NcActorInfo actor = { 0 };
  CapRunInfo run = { (char *) "tcp-echo", (char *) "TCP echo", 7007, (char *) "hello", 3, T0 - 5 };
  CapSockState st = { T0 + 9000, 2, "127.0.0.1:7007", "127.0.0.1:40000", 1, 3, 4,
                      G_GUINT64_CONSTANT (0x1122334455), 1 };
  guint32 iface = 99;

  memset (s, 0, sizeof *s);
  s->comments[1][0] = "send() 5 bytes";
  s->comments[3][0] = "first comment";
  s->comments[3][1] = "second, with a comma";

  w = cap_pcapng_writer_new_for_path (path, &error);
  g_assert_no_error (error);
  g_assert_true (cap_pcapng_writer_add_interface (w, CAP_LINKTYPE_ETHERNET, 262144, "lo",
                                                  &iface, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (iface, ==, 0);

  cap_record_encode_run (&run, rec);
  write_record (w, T0 - 5, rec);
  for (guint a = 0; a < 2; a++)
    {
      actor.index = a;
      actor.pid = 4242;
      actor.name = g_intern_static_string (a ? "client" : "server");
      actor.role = g_intern_static_string (a ? "client" : "server");
      actor.host = a ? g_intern_static_string ("alpha") : NULL;
      cap_record_encode_actor (&actor, rec);
      write_record (w, T0 - 4, rec);
    }

  for (guint i = 0; i < N_PACKETS; i++)
    {
      g_autofree char *text = g_strdup_printf ("payload %u", i);
      guint32 caplen;

      if (i < N_CALLS)
        {
          fill_call (&s->calls[i], i);
          cap_record_encode_call (&s->calls[i], NC_CALL_PHASE_ENTER, rec);
          write_record (w, s->calls[i].ts_start, rec);
        }

      s->frames[i] = make_tcp_frame (40000, 7007, 1000 + i, text);
      s->ts[i] = T0 + i * 1000 + 200;
      caplen = i == 4 ? 20 : s->frames[i]->len;
      g_assert_true (cap_pcapng_writer_write_packet (w, 0, s->ts[i], s->frames[i]->data,
                                                     caplen, s->frames[i]->len,
                                                     s->comments[i][0] ? s->comments[i] : NULL,
                                                     &error));
      g_assert_no_error (error);

      if (i < N_CALLS)
        {
          cap_record_encode_call (&s->calls[i], NC_CALL_PHASE_RETURN, rec);
          write_record (w, s->calls[i].ts_end, rec);
        }
    }

  cap_record_encode_sockstate (&st, rec);
  write_record (w, st.ts_ns, rec);
  cap_record_encode_drop (2, T0 + 2200, rec);
  write_record (w, T0 + 2200, rec);
  cap_record_encode_message (CAP_SEVERITY_WARNING, "packet 3 was dropped on purpose", rec);
  write_record (w, T0 + 9500, rec);
  cap_record_encode_end (0, NULL, rec);
  write_record (w, T0 + 10000, rec);

  /* the file appears only on close */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (cap_pcapng_writer_close (w, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  return path;
}

#define SAMPLE_N_RECORDS (3 + 2 * N_CALLS + 4)

static GBytes *
read_file_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (contents, len);
}

/* --- (a) round trip ---------------------------------------------------------- */

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Got) got = got_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_auto(CapRecord) rec = CAP_RECORD_INIT;
  g_autofree char *path = NULL;
  const guint8 *file;
  gsize file_len;
  Sample s;
  guint r = 0;

  path = write_sample_file ("round-trip.pcapng", &s);
  g_assert_true (cap_reader_read_file (path, &got_callbacks, got, &error));
  g_assert_no_error (error);

  bytes = read_file_bytes (path);
  file = g_bytes_get_data (bytes, &file_len);

  g_assert_cmpuint (got->ifaces->len, ==, 1);
  g_assert_cmpuint (IFACE (got, 0)->i.linktype, ==, CAP_LINKTYPE_ETHERNET);
  g_assert_cmpuint (IFACE (got, 0)->i.snaplen, ==, 262144);
  g_assert_cmpuint (IFACE (got, 0)->i.tsresol, ==, CAP_TSRESOL_NSEC);
  g_assert_cmpstr (IFACE (got, 0)->name, ==, "lo");

  g_assert_cmpuint (got->frames->len, ==, N_PACKETS);
  for (guint i = 0; i < N_PACKETS; i++)
    {
      GotFrame *f = FRAME (got, i);
      guint32 caplen = i == 4 ? 20 : s.frames[i]->len;

      g_assert_cmpuint (f->f.index, ==, i);
      g_assert_cmpuint (f->f.iface, ==, 0);
      g_assert_cmpuint (f->f.linktype, ==, CAP_LINKTYPE_ETHERNET);
      g_assert_cmpint (f->f.ts_ns, ==, s.ts[i]);
      g_assert_cmpuint (f->f.caplen, ==, caplen);
      g_assert_cmpuint (f->f.len, ==, s.frames[i]->len);
      g_assert_cmpmem (g_bytes_get_data (f->data, NULL), g_bytes_get_size (f->data),
                       s.frames[i]->data, caplen);
      /* the offset finds the same bytes in the file */
      g_assert_cmpuint (f->f.data_offset + caplen, <=, file_len);
      g_assert_cmpmem (file + f->f.data_offset, caplen, s.frames[i]->data, caplen);
      g_assert_cmpstr (f->comment, ==, s.comments[i][0]);
    }

  g_assert_cmpuint (got->records->len, ==, SAMPLE_N_RECORDS);
  for (guint i = 0; i < got->records->len; i++)
    {
      GotRecord *g = RECORD (got, i);
      gsize len;
      const guint8 *p = g_bytes_get_data (g->payload, &len);

      g_assert_cmpuint (g->r.block_type, ==, 5);
      g_assert_cmpuint (g->r.option_code, ==, 2989);
      g_assert_cmpuint (g->r.iface, ==, 0);
      g_assert_cmpmem (file + g->r.offset, len, p, len);
      g_assert_true (cap_record_decode (p, len, &rec, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (rec.version, ==, CAP_RECORD_VERSION);
    }

  /* RUN */
  g_assert_true (cap_record_decode (g_bytes_get_data (RECORD (got, r)->payload, NULL),
                                    g_bytes_get_size (RECORD (got, r)->payload), &rec, &error));
  g_assert_cmpint (rec.type, ==, CAP_RECORD_RUN);
  g_assert_cmpstr (rec.run.scenario, ==, "tcp-echo");
  g_assert_cmpstr (rec.run.title, ==, "TCP echo");
  g_assert_cmpuint (rec.run.port, ==, 7007);
  g_assert_cmpstr (rec.run.message, ==, "hello");
  g_assert_cmpuint (rec.run.count, ==, 3);
  g_assert_cmpint (rec.run.start_ns, ==, T0 - 5);
  g_assert_cmpint (RECORD (got, r)->r.ts_ns, ==, T0 - 5);
  r++;

  /* ACTORs */
  for (guint a = 0; a < 2; a++, r++)
    {
      g_assert_true (cap_record_decode (g_bytes_get_data (RECORD (got, r)->payload, NULL),
                                        g_bytes_get_size (RECORD (got, r)->payload), &rec, &error));
      g_assert_cmpint (rec.type, ==, CAP_RECORD_ACTOR);
      g_assert_cmpuint (rec.actor.index, ==, a);
      g_assert_cmpint (rec.actor.pid, ==, 4242);
      g_assert_cmpstr (rec.actor.name, ==, a ? "client" : "server");
      g_assert_cmpstr (rec.actor.role, ==, a ? "client" : "server");
      g_assert_cmpstr (rec.actor.host, ==, a ? "alpha" : NULL);
    }

  /* calls, each twice, around its packet */
  for (guint i = 0; i < N_CALLS; i++)
    for (guint phase = 0; phase < 2; phase++, r++)
      {
        g_assert_true (cap_record_decode (g_bytes_get_data (RECORD (got, r)->payload, NULL),
                                          g_bytes_get_size (RECORD (got, r)->payload), &rec,
                                          &error));
        g_assert_cmpint (rec.type, ==, phase ? CAP_RECORD_CALL_RETURN : CAP_RECORD_CALL_ENTER);
        assert_call_equal (&s.calls[i], &rec.call);
        g_assert_cmpint (RECORD (got, r)->r.ts_ns, ==,
                         phase ? s.calls[i].ts_end : s.calls[i].ts_start);
      }

  g_assert_true (cap_record_decode (g_bytes_get_data (RECORD (got, r)->payload, NULL),
                                    g_bytes_get_size (RECORD (got, r)->payload), &rec, &error));
  g_assert_cmpint (rec.type, ==, CAP_RECORD_SOCKSTATE);
  g_assert_cmpint (rec.sockstate.ts_ns, ==, T0 + 9000);
  g_assert_cmpuint (rec.sockstate.family, ==, 2);
  g_assert_cmpstr (rec.sockstate.local, ==, "127.0.0.1:7007");
  g_assert_cmpstr (rec.sockstate.peer, ==, "127.0.0.1:40000");
  g_assert_cmpuint (rec.sockstate.tcp_state, ==, 1);
  g_assert_cmpuint (rec.sockstate.inq, ==, 3);
  g_assert_cmpuint (rec.sockstate.outq, ==, 4);
  g_assert_cmpuint (rec.sockstate.inode, ==, G_GUINT64_CONSTANT (0x1122334455));
  g_assert_cmpint (rec.sockstate.actor, ==, 1);
  r++;

  g_assert_true (cap_record_decode (g_bytes_get_data (RECORD (got, r)->payload, NULL),
                                    g_bytes_get_size (RECORD (got, r)->payload), &rec, &error));
  g_assert_cmpint (rec.type, ==, CAP_RECORD_DROP);
  g_assert_cmpuint (rec.drop.packet_index, ==, 2);
  g_assert_cmpint (rec.drop.ts_ns, ==, T0 + 2200);
  r++;

  g_assert_true (cap_record_decode (g_bytes_get_data (RECORD (got, r)->payload, NULL),
                                    g_bytes_get_size (RECORD (got, r)->payload), &rec, &error));
  g_assert_cmpint (rec.type, ==, CAP_RECORD_MESSAGE);
  g_assert_cmpuint (rec.message.severity, ==, CAP_SEVERITY_WARNING);
  g_assert_cmpstr (rec.message.text, ==, "packet 3 was dropped on purpose");
  r++;

  g_assert_true (cap_record_decode (g_bytes_get_data (RECORD (got, r)->payload, NULL),
                                    g_bytes_get_size (RECORD (got, r)->payload), &rec, &error));
  g_assert_cmpint (rec.type, ==, CAP_RECORD_END);
  g_assert_cmpint (rec.end.exit_status, ==, 0);
  g_assert_null (rec.end.error);

  sample_clear (&s);
}

/* The same bytes fed whole (zero copy) and in pieces of every awkward size give the same. */
static void
test_chunked (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Got) whole = got_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *path = NULL;
  static const gsize chunks[] = { 1, 2, 3, 4, 5, 7, 11, 13, 64, 100, 4096 };
  const guint8 *data;
  gsize len;
  Sample s;

  path = write_sample_file ("chunked.pcapng", &s);
  bytes = read_file_bytes (path);
  data = g_bytes_get_data (bytes, &len);

  g_assert_true (read_bytes (data, len, 0, "chunked.pcapng", whole, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (whole->frames->len, ==, N_PACKETS);

  for (guint c = 0; c < G_N_ELEMENTS (chunks); c++)
    {
      g_autoptr(Got) got = got_new ();

      g_assert_true (read_bytes (data, len, chunks[c], "chunked.pcapng", got, &error));
      g_assert_no_error (error);
      assert_got_equal (whole, got);
    }

  sample_clear (&s);
}

/* --- (b) Wireshark's tools agree ---------------------------------------------- */

static char *
need_tool (const char *name)
{
  char *path = g_find_program_in_path (name);

  if (path == NULL)
    g_error ("%s is not installed (Debian: apt-get install tshark); the tests need it", name);
  return path;
}

/* Lines of `tshark -T fields` output, split on tabs. */
static GPtrArray *
tshark_fields (const char *file,
               const char *const *fields)
{
  g_autofree char *tshark = need_tool ("tshark");
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *out = NULL;
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  g_strv_builder_add_many (argv, tshark, "-n", "-r", file, "-T", "fields",
                           "-E", "occurrence=a", "-E", "aggregator=|", NULL);
  for (guint i = 0; fields[i] != NULL; i++)
    g_strv_builder_add_many (argv, "-e", fields[i], NULL);
  args = g_strv_builder_end (argv);

  out = sl_test_output_of ((const char *const *) args);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (lines[i][0] != '\0')
      g_ptr_array_add (rows, g_strsplit (lines[i], "\t", -1));
  return rows;
}

static void
test_tshark (void)
{
  static const char *const fields[] = { "frame.number", "frame.comment", "frame.len",
                                        "tcp.seq_raw", NULL };
  g_autofree char *capinfos = need_tool ("capinfos");
  g_autofree char *path = NULL;
  g_autofree char *info = NULL;
  g_autofree char *count = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GRegex) re = NULL;
  Sample s;

  path = write_sample_file ("tshark.pcapng", &s);

  /* ISBs with records add no packets */
  info = sl_test_output_of ((const char *const[]) { capinfos, "-c", "-M", path, NULL });
  re = g_regex_new ("^Number of packets:\\s+(\\d+)\\s*$", G_REGEX_MULTILINE, 0, NULL);
  g_assert_true (g_regex_match (re, info, 0, &match));
  count = g_match_info_fetch (match, 1);
  g_assert_cmpstr (count, ==, G_STRINGIFY (N_PACKETS));

  rows = tshark_fields (path, fields);
  g_assert_cmpuint (rows->len, ==, N_PACKETS);
  for (guint i = 0; i < N_PACKETS; i++)
    {
      char **row = g_ptr_array_index (rows, i);
      g_autofree char *number = g_strdup_printf ("%u", i + 1);
      g_autofree char *len = g_strdup_printf ("%u", s.frames[i]->len);
      g_autofree char *seq = g_strdup_printf ("%u", 1000 + i);
      g_autofree char *comments = s.comments[i][0] ? g_strjoinv ("|", (char **) s.comments[i])
                                                   : g_strdup ("");

      g_assert_cmpuint (g_strv_length (row), ==, 4);
      g_assert_cmpstr (row[0], ==, number);
      g_assert_cmpstr (row[1], ==, comments);
      g_assert_cmpstr (row[2], ==, len);
      if (i < 4)  /* the last one is cut inside its IP header */
        g_assert_cmpstr (row[3], ==, seq);
    }

  sample_clear (&s);
}

/* --- hand-built files: classic pcap and pcapng in either byte order ----------- */

typedef struct
{
  GByteArray *b;
  gboolean    swap;
} Builder;

static void
b_u16 (Builder *b,
       guint16  v)
{
  if (b->swap)
    v = GUINT16_SWAP_LE_BE (v);
  g_byte_array_append (b->b, (const guint8 *) &v, 2);
}

static void
b_u32 (Builder *b,
       guint32  v)
{
  if (b->swap)
    v = GUINT32_SWAP_LE_BE (v);
  g_byte_array_append (b->b, (const guint8 *) &v, 4);
}

static void
b_u64 (Builder *b,
       guint64  v)
{
  if (b->swap)
    v = GUINT64_SWAP_LE_BE (v);
  g_byte_array_append (b->b, (const guint8 *) &v, 8);
}

static void
b_pad (Builder *b)
{
  while (b->b->len % 4)
    g_byte_array_append (b->b, (const guint8 *) "", 1);
}

static void
b_option (Builder    *b,
          guint16     code,
          const void *value,
          guint16     len)
{
  b_u16 (b, code);
  b_u16 (b, len);
  g_byte_array_append (b->b, value, len);
  b_pad (b);
}

static guint
b_begin (Builder *b,
         guint32  type)
{
  guint start = b->b->len;

  b_u32 (b, type);
  b_u32 (b, 0);
  return start;
}

static void
b_end (Builder *b,
       guint    start)
{
  guint32 total;

  b_pad (b);
  total = b->b->len - start + 4;
  b_u32 (b, total);
  if (b->swap)
    total = GUINT32_SWAP_LE_BE (total);
  memcpy (b->b->data + start + 4, &total, 4);
}

static void
b_shb (Builder *b)
{
  guint start = b_begin (b, 0x0A0D0D0A);

  b_u32 (b, 0x1A2B3C4D);
  b_u16 (b, 1);
  b_u16 (b, 0);
  b_u64 (b, G_MAXUINT64);
  b_end (b, start);
}

/* tsresol < 0: no if_tsresol option (the default, microseconds) */
static void
b_idb (Builder    *b,
       guint16     linktype,
       int         tsresol,
       gint64      tsoffset,
       const char *name)
{
  guint start = b_begin (b, 1);

  b_u16 (b, linktype);
  b_u16 (b, 0);
  b_u32 (b, 65535);
  if (name != NULL)
    b_option (b, 2, name, strlen (name));
  if (tsresol >= 0)
    {
      guint8 r = tsresol;

      b_option (b, 9, &r, 1);
    }
  if (tsoffset != 0)
    {
      guint64 v = b->swap ? GUINT64_SWAP_LE_BE ((guint64) tsoffset) : (guint64) tsoffset;

      b_option (b, 14, &v, 8);
    }
  b_u32 (b, 0);
  b_end (b, start);
}

static void
b_epb (Builder      *b,
       guint32       iface,
       guint64       ts,
       const guint8 *data,
       guint32       caplen,
       const char   *comment)
{
  guint start = b_begin (b, 6);

  b_u32 (b, iface);
  b_u32 (b, ts >> 32);
  b_u32 (b, ts & 0xffffffff);
  b_u32 (b, caplen);
  b_u32 (b, caplen);
  g_byte_array_append (b->b, data, caplen);
  b_pad (b);
  if (comment != NULL)
    {
      b_option (b, 1, comment, strlen (comment));
      b_u32 (b, 0);
    }
  b_end (b, start);
}

/* A block of any type with an opaque body. */
static void
b_opaque (Builder    *b,
          guint32     type,
          const char *body,
          gsize       len)
{
  guint start = b_begin (b, type);

  g_byte_array_append (b->b, (const guint8 *) body, len);
  b_end (b, start);
}

/* One custom option with @code and @pen in an ISB (or, with @epb_data, an EPB). */
static void
b_custom (Builder      *b,
          guint32       block_type,
          guint16       code,
          guint32       pen,
          const guint8 *payload,
          gsize         len)
{
  guint start = b_begin (b, block_type);
  g_autoptr(GByteArray) value = g_byte_array_new ();
  guint32 p = b->swap ? GUINT32_SWAP_LE_BE (pen) : pen;

  b_u32 (b, 0);
  b_u32 (b, 0);
  b_u32 (b, 1000);
  if (block_type == 6)
    {
      b_u32 (b, 4);
      b_u32 (b, 4);
      g_byte_array_append (b->b, (const guint8 *) "\x01\x02\x03\x04", 4);
    }
  g_byte_array_append (value, (const guint8 *) &p, 4);
  g_byte_array_append (value, payload, len);
  b_option (b, code, value->data, value->len);
  b_u32 (b, 0);
  b_end (b, start);
}

static char *
save_bytes (const char       *name,
            const GByteArray *b)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (tmpdir, name, NULL);

  g_assert_true (g_file_set_contents (path, (const char *) b->data, b->len, &error));
  g_assert_no_error (error);
  return path;
}

/* --- (c) classic pcap ------------------------------------------------------- */

static GByteArray *
make_classic_pcap (gboolean swap,
                   gboolean nsec,
                   guint    n)
{
  Builder b = { g_byte_array_new (), swap };

  b_u32 (&b, nsec ? 0xa1b23c4d : 0xa1b2c3d4);
  b_u16 (&b, 2);
  b_u16 (&b, 4);
  b_u32 (&b, 0);
  b_u32 (&b, 0);
  b_u32 (&b, 65535);
  b_u32 (&b, 1);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = g_strdup_printf ("classic %u", i);
      g_autoptr(GByteArray) frame = make_tcp_frame (5000 + i, 80, 7 * i, text);

      b_u32 (&b, 1700000000 + i);
      b_u32 (&b, nsec ? 123456789 + i : 123456 + i);
      b_u32 (&b, frame->len);
      b_u32 (&b, frame->len);
      g_byte_array_append (b.b, frame->data, frame->len);
    }
  return b.b;
}

static void
test_classic_pcap (void)
{
  static const char *const fields[] = { "frame.number", "frame.time_epoch", "tcp.srcport", NULL };

  for (guint variant = 0; variant < 4; variant++)
    {
      gboolean swap = variant & 1, nsec = variant & 2;
      g_autoptr(GByteArray) file = make_classic_pcap (swap, nsec, 3);
      g_autoptr(Got) got = got_new ();
      g_autoptr(Got) got1 = got_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) rows = NULL;
      g_autofree char *name = g_strdup_printf ("classic-%s-%s.pcap", swap ? "swapped" : "native",
                                               nsec ? "ns" : "us");
      g_autofree char *path = save_bytes (name, file);
      guint64 offset;

      g_assert_true (read_bytes (file->data, file->len, 0, name, got, &error));
      g_assert_no_error (error);
      g_assert_true (read_bytes (file->data, file->len, 1, name, got1, &error));
      g_assert_no_error (error);
      assert_got_equal (got, got1);

      g_assert_cmpuint (got->ifaces->len, ==, 1);
      g_assert_cmpuint (IFACE (got, 0)->i.linktype, ==, 1);
      g_assert_cmpuint (IFACE (got, 0)->i.snaplen, ==, 65535);
      g_assert_cmpuint (IFACE (got, 0)->i.tsresol, ==, nsec ? 9 : 6);
      g_assert_cmpuint (got->records->len, ==, 0);
      g_assert_cmpuint (got->frames->len, ==, 3);

      offset = 24;
      rows = tshark_fields (path, fields);
      g_assert_cmpuint (rows->len, ==, 3);
      for (guint i = 0; i < 3; i++)
        {
          GotFrame *f = FRAME (got, i);
          g_autofree char *text = g_strdup_printf ("classic %u", i);
          g_autoptr(GByteArray) frame = make_tcp_frame (5000 + i, 80, 7 * i, text);
          gint64 want = (1700000000 + (gint64) i) * 1000000000
                        + (nsec ? 123456789 + i : (123456 + i) * 1000);
          g_autofree char *epoch = g_strdup_printf ("%" G_GINT64_FORMAT ".%09" G_GINT64_FORMAT,
                                                    want / 1000000000, want % 1000000000);
          char **row = g_ptr_array_index (rows, i);

          g_assert_cmpint (f->f.ts_ns, ==, want);
          g_assert_cmpuint (f->f.index, ==, i);
          g_assert_cmpuint (f->f.linktype, ==, 1);
          g_assert_cmpuint (f->f.data_offset, ==, offset + 16);
          offset += 16 + f->f.caplen;
          g_assert_cmpmem (g_bytes_get_data (f->data, NULL), f->f.caplen, frame->data, frame->len);
          g_assert_cmpmem (file->data + f->f.data_offset, f->f.caplen, frame->data, frame->len);
          g_assert_null (f->comment);
          /* Wireshark reads the same time and the same packet */
          g_assert_cmpstr (row[1], ==, epoch);
          g_assert_cmpint (atoi (row[2]), ==, 5000 + i);
        }
    }
}

/* --- (d) several interfaces, link types, resolutions; several sections ---------- */

static void
test_multi_interface (void)
{
  static const char *const fields[] = { "frame.number", "frame.interface_id", "frame.time_epoch",
                                        "frame.comment", NULL };
  g_autoptr(GByteArray) eth = make_tcp_frame (1, 2, 3, "eth");
  g_autoptr(Got) got = got_new ();
  g_autoptr(Got) got1 = got_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *path = NULL;
  Builder b = { g_byte_array_new (), FALSE };
  const guint8 *raw;
  /* expected: iface, linktype, ts_ns */
  static const struct { guint32 iface, linktype; gint64 ts; } want[] = {
    { 0, 1,   G_GINT64_CONSTANT (1700000000123456000) },  /* 10^-6, the default */
    { 1, 101, G_GINT64_CONSTANT (1700000000123456789) },  /* 10^-9 */
    { 2, 1,   G_GINT64_CONSTANT (1700000100500000000) },  /* 2^-1, tsoffset 100 s */
    { 0, 1,   G_GINT64_CONSTANT (1700000001000001000) },
    /* second section, other byte order: numbering goes on */
    { 3, 101, G_GINT64_CONSTANT (1700000002250000000) },  /* 10^-2 */
    { 4, 1,   G_GINT64_CONSTANT (1700000003000000007) },  /* 10^-9 */
  };

  raw = eth->data + 14;  /* LINKTYPE_RAW: the IP packet itself */

  b_shb (&b);
  b_idb (&b, 1, -1, 0, "eth0");
  b_idb (&b, 101, 9, 0, "tun0");
  b_idb (&b, 1, 0x81, 100, NULL);
  b_epb (&b, 0, G_GUINT64_CONSTANT (1700000000123456), eth->data, eth->len, "f1");
  b_epb (&b, 1, G_GUINT64_CONSTANT (1700000000123456789), raw, eth->len - 14, "f2");
  b_epb (&b, 2, G_GUINT64_CONSTANT (3400000001), eth->data, eth->len, "f3");
  b_epb (&b, 0, G_GUINT64_CONSTANT (1700000001000001), eth->data, eth->len, "f4");
  b.swap = TRUE;
  b_shb (&b);
  b_idb (&b, 101, 2, 0, "tun1");
  b_idb (&b, 1, 9, 0, "eth1");
  b_epb (&b, 0, G_GUINT64_CONSTANT (170000000225), raw, eth->len - 14, "f5");
  b_epb (&b, 1, G_GUINT64_CONSTANT (1700000003000000007), eth->data, eth->len, "f6");
  path = save_bytes ("multi.pcapng", b.b);

  g_assert_true (read_bytes (b.b->data, b.b->len, 0, "multi.pcapng", got, &error));
  g_assert_no_error (error);
  g_assert_true (read_bytes (b.b->data, b.b->len, 3, "multi.pcapng", got1, &error));
  g_assert_no_error (error);
  assert_got_equal (got, got1);

  g_assert_cmpuint (got->ifaces->len, ==, 5);
  g_assert_cmpstr (IFACE (got, 0)->name, ==, "eth0");
  g_assert_cmpuint (IFACE (got, 1)->i.tsresol, ==, 9);
  g_assert_null (IFACE (got, 2)->name);
  g_assert_cmpint (IFACE (got, 2)->i.tsoffset, ==, 100);
  g_assert_cmpuint (IFACE (got, 3)->i.section, ==, 1);
  g_assert_cmpuint (IFACE (got, 3)->i.section_index, ==, 0);
  g_assert_cmpuint (IFACE (got, 4)->i.section_index, ==, 1);
  g_assert_cmpstr (IFACE (got, 4)->name, ==, "eth1");

  rows = tshark_fields (path, fields);
  g_assert_cmpuint (got->frames->len, ==, G_N_ELEMENTS (want));
  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      GotFrame *f = FRAME (got, i);
      char **row = g_ptr_array_index (rows, i);
      g_autofree char *comment = g_strdup_printf ("f%u", i + 1);
      g_autofree char *epoch = g_strdup_printf ("%" G_GINT64_FORMAT ".%09" G_GINT64_FORMAT,
                                                want[i].ts / 1000000000, want[i].ts % 1000000000);

      g_assert_cmpuint (f->f.index, ==, i);
      g_assert_cmpuint (f->f.iface, ==, want[i].iface);
      g_assert_cmpuint (f->f.linktype, ==, want[i].linktype);
      g_assert_cmpint (f->f.ts_ns, ==, want[i].ts);
      g_assert_cmpstr (f->comment, ==, comment);
      /* Wireshark agrees on time. Its 4.0 frame.interface_id stays section-local
       * (frames of the second section claim the first section's interfaces,
       * while capinfos lists all five), so compare the first section only. */
      if (i < 4)
        g_assert_cmpint (atoi (row[1]), ==, want[i].iface);
      g_assert_cmpstr (row[2], ==, epoch);
      g_assert_cmpstr (row[3], ==, comment);
    }

  g_byte_array_unref (b.b);
}

/* --- (e) truncated and corrupt files ----------------------------------------- */

typedef struct
{
  guint32 start;
  guint32 len;
  guint32 type;
  guint   frames_before;
} Block;

/* Walks our own (native order) sample file block by block. */
static GArray *
list_blocks (const guint8 *data,
             gsize         len)
{
  GArray *blocks = g_array_new (FALSE, FALSE, sizeof (Block));
  guint frames = 0;

  for (gsize off = 0; off < len; )
    {
      Block blk;

      memcpy (&blk.type, data + off, 4);
      memcpy (&blk.len, data + off + 4, 4);
      blk.start = off;
      blk.frames_before = frames;
      g_assert_cmpuint (blk.len, >=, 12);
      g_array_append_val (blocks, blk);
      if (blk.type == 6)
        frames++;
      off += blk.len;
    }
  return blocks;
}

static const Block *
block_at (GArray *blocks,
          gsize   offset)
{
  for (guint i = 0; i < blocks->len; i++)
    {
      const Block *b = &g_array_index (blocks, Block, i);

      if (offset >= b->start && offset < b->start + b->len)
        return b;
    }
  g_assert_not_reached ();
}

static void
assert_damage (const GError *error,
               int           code,
               const char   *name,
               guint32       offset)
{
  g_autofree char *at = g_strdup_printf (" at byte %u", offset);

  g_assert_error (error, CAP_FILE_ERROR, code);
  if (!g_str_has_prefix (error->message, name) || strstr (error->message, at) == NULL)
    g_error ("message \"%s\" should name %s and say \"%s\"", error->message, name, at);
}

static void
test_truncated (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GArray) blocks = NULL;
  g_autofree char *path = NULL;
  const guint8 *data;
  gsize len;
  Sample s;

  path = write_sample_file ("truncated.pcapng", &s);
  bytes = read_file_bytes (path);
  data = g_bytes_get_data (bytes, &len);
  blocks = list_blocks (data, len);

  for (gsize cut = 0; cut < len; cut++)
    {
      const Block *blk = block_at (blocks, cut);
      static const gsize chunks[] = { 0, 1, 5 };

      for (guint c = 0; c < G_N_ELEMENTS (chunks); c++)
        {
          g_autoptr(Got) got = got_new ();
          g_autoptr(GError) error = NULL;

          if (cut > 0 && cut == blk->start)
            {
              /* cut between blocks: a shorter, valid file */
              g_assert_true (read_bytes (data, cut, chunks[c], "cut.pcapng", got, &error));
              g_assert_no_error (error);
              g_assert_cmpuint (got->frames->len, ==, blk->frames_before);
              continue;
            }
          g_assert_false (read_bytes (data, cut, chunks[c], "cut.pcapng", got, &error));
          assert_damage (error, CAP_FILE_ERROR_TRUNCATED, "cut.pcapng: ", blk->start);
          /* everything before the damage was delivered */
          g_assert_cmpuint (got->frames->len, ==, blk->frames_before);
          if (cut - blk->start >= 12)
            {
              g_autofree char *expect = g_strdup_printf ("expected %u bytes, %u left",
                                                         blk->len, (guint) (cut - blk->start));

              g_assert_nonnull (strstr (error->message, expect));
            }
        }
    }

  /* the same through a file: the message names the path */
  for (gsize cut = len - 1; cut > 0; cut -= 97)
    {
      const Block *blk = block_at (blocks, cut);
      g_autoptr(Got) got = got_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GByteArray) part = g_byte_array_new ();
      g_autofree char *cut_path = NULL;
      g_autofree char *prefix = NULL;

      if (cut == blk->start)
        cut--;
      blk = block_at (blocks, cut);
      g_byte_array_append (part, data, cut);
      cut_path = save_bytes ("half.pcapng", part);
      prefix = g_strdup_printf ("%s: ", cut_path);
      g_assert_false (cap_reader_read_file (cut_path, &got_callbacks, got, &error));
      assert_damage (error, CAP_FILE_ERROR_TRUNCATED, prefix, blk->start);
      g_assert_cmpuint (got->frames->len, ==, blk->frames_before);
      if (cut < 97)
        break;
    }

  sample_clear (&s);
}

static void
put32 (guint8  *p,
       guint32  v)
{
  memcpy (p, &v, 4);
}

typedef enum
{
  DAMAGE_LEN_ZERO,
  DAMAGE_LEN_SMALL,
  DAMAGE_LEN_ODD,
  DAMAGE_LEN_HUGE,
  DAMAGE_LEN_LONGER,
  DAMAGE_TRAILER,
  N_DAMAGES
} Damage;

static void
test_corrupt_lengths (void)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GArray) blocks = NULL;
  g_autofree char *path = NULL;
  const guint8 *data;
  gsize len;
  Sample s;

  path = write_sample_file ("corrupt.pcapng", &s);
  bytes = read_file_bytes (path);
  data = g_bytes_get_data (bytes, &len);
  blocks = list_blocks (data, len);

  for (guint k = 0; k < blocks->len; k++)
    for (Damage d = 0; d < N_DAMAGES; d++)
      {
        const Block *blk = &g_array_index (blocks, Block, k);
        g_autofree guint8 *copy = g_memdup2 (data, len);
        int code = CAP_FILE_ERROR_CORRUPT;

        switch (d)
          {
          case DAMAGE_LEN_ZERO: put32 (copy + blk->start + 4, 0); break;
          case DAMAGE_LEN_SMALL: put32 (copy + blk->start + 4, 8); break;
          case DAMAGE_LEN_ODD: put32 (copy + blk->start + 4, blk->len + 1); break;
          case DAMAGE_LEN_HUGE: put32 (copy + blk->start + 4, 0xfffffff0); break;
          case DAMAGE_LEN_LONGER:
            put32 (copy + blk->start + 4, blk->len + 4);
            if (k == blocks->len - 1)
              code = CAP_FILE_ERROR_TRUNCATED;
            break;
          case DAMAGE_TRAILER: put32 (copy + blk->start + blk->len - 4, blk->len + 4); break;
          case N_DAMAGES:
          default: g_assert_not_reached ();
          }

        for (gsize chunk = 0; chunk <= 7; chunk += 7)
          {
            g_autoptr(Got) got = got_new ();
            g_autoptr(GError) error = NULL;

            g_assert_false (read_bytes (copy, len, chunk, "bad.pcapng", got, &error));
            assert_damage (error, code, "bad.pcapng: ", blk->start);
            g_assert_cmpuint (got->frames->len, ==, blk->frames_before);
          }
      }

  /* damage inside blocks: caplen, option lengths, interface numbers */
  for (guint k = 0; k < blocks->len; k++)
    {
      const Block *blk = &g_array_index (blocks, Block, k);

      if (blk->type != 6)
        continue;

      for (guint what = 0; what < 4; what++)
        {
          g_autofree guint8 *copy = g_memdup2 (data, len);
          g_autoptr(Got) got = got_new ();
          g_autoptr(GError) error = NULL;
          guint32 caplen;

          memcpy (&caplen, copy + blk->start + 20, 4);
          switch (what)
            {
            case 0: put32 (copy + blk->start + 20, 0x7fffffff); break;  /* caplen */
            case 1: put32 (copy + blk->start + 20, blk->len - 28 + 1); break;
            case 2: put32 (copy + blk->start + 8, 7); break;  /* interface */
            case 3:
              /* first option's length runs past the block (or a fake option if none) */
              put32 (copy + blk->start + 28 + ((caplen + 3) & ~3u), 0xfff00001);
              break;
            default: g_assert_not_reached ();
            }

          g_assert_false (read_bytes (copy, len, 0, "bad.pcapng", got, &error));
          assert_damage (error, CAP_FILE_ERROR_CORRUPT, "bad.pcapng: ", blk->start);
          g_assert_cmpuint (got->frames->len, ==, blk->frames_before);
        }
    }

  sample_clear (&s);
}

static void
test_corrupt_classic (void)
{
  g_autoptr(GByteArray) file = make_classic_pcap (TRUE, FALSE, 3);
  guint32 second_record;
  guint32 caplen;

  memcpy (&caplen, file->data + 24 + 8, 4);
  caplen = GUINT32_SWAP_LE_BE (caplen);
  second_record = 24 + 16 + caplen;

  /* a huge caplen is refused at once, not waited for */
  {
    g_autofree guint8 *copy = g_memdup2 (file->data, file->len);
    g_autoptr(Got) got = got_new ();
    g_autoptr(CapReader) reader = cap_reader_new (&got_callbacks, got);
    g_autoptr(GError) error = NULL;

    put32 (copy + second_record + 8, GUINT32_SWAP_LE_BE (0x40000000));
    cap_reader_set_name (reader, "c.pcap");
    g_assert_false (cap_reader_feed (reader, copy, second_record + 16, &error));
    assert_damage (error, CAP_FILE_ERROR_CORRUPT, "c.pcap: ", second_record);
    g_assert_cmpuint (got->frames->len, ==, 1);
    /* the reader stays failed */
    g_clear_error (&error);
    g_assert_false (cap_reader_feed (reader, copy, 4, &error));
    g_assert_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_CORRUPT);
    g_clear_error (&error);
    g_assert_false (cap_reader_finish (reader, &error));
    g_assert_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_CORRUPT);
  }

  /* cut inside a record */
  for (gsize cut = 24; cut < file->len; cut++)
    {
      g_autoptr(Got) got = got_new ();
      g_autoptr(GError) error = NULL;
      guint32 start = cut < second_record ? 24 : second_record;
      guint frames = cut < second_record ? 0 : 1;

      if (cut >= second_record + 16 + caplen)
        continue;
      if (cut == 24 || cut == second_record)
        {
          g_assert_true (read_bytes (file->data, cut, 0, "c.pcap", got, &error));
          g_assert_cmpuint (got->frames->len, ==, frames);
          continue;
        }
      g_assert_false (read_bytes (file->data, cut, 0, "c.pcap", got, &error));
      assert_damage (error, CAP_FILE_ERROR_TRUNCATED, "c.pcap: ", start);
      g_assert_cmpuint (got->frames->len, ==, frames);
    }

  /* not a capture at all; an unknown pcap version; empty */
  {
    static const guint8 junk[] = "GIF89a, not a capture file";
    g_autofree guint8 *v3 = g_memdup2 (file->data, file->len);
    g_autoptr(GError) error = NULL;
    g_autoptr(Got) got = got_new ();

    g_assert_false (read_bytes (junk, sizeof junk, 0, "x.pcap", got, &error));
    assert_damage (error, CAP_FILE_ERROR_FORMAT, "x.pcap: ", 0);
    g_clear_error (&error);

    v3[5] = 3;  /* swapped: the major version's low byte */
    g_assert_false (read_bytes (v3, file->len, 0, "x.pcap", got, &error));
    g_assert_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_FORMAT);
    g_clear_error (&error);

    g_assert_false (read_bytes (junk, 0, 0, "x.pcap", got, &error));
    assert_damage (error, CAP_FILE_ERROR_TRUNCATED, "x.pcap: ", 0);
  }
}

/* --- (f) blocks we do not read, custom options ------------------------------------ */

static void
test_unknown_blocks (void)
{
  static const char *const fields[] = { "frame.number", "frame.comment", NULL };
  g_autoptr(GByteArray) eth = make_tcp_frame (1, 2, 3, "x");
  g_autoptr(GByteArray) payload = g_byte_array_new ();
  g_autoptr(Got) got = got_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *path = NULL;
  Builder b = { g_byte_array_new (), FALSE };
  guint tshark_row = 0;

  cap_record_encode_drop (1, 2, payload);

  b_shb (&b);
  b_opaque (&b, 0x0000ABCD, "something new", 13);           /* before any interface */
  b_idb (&b, 1, 9, 0, NULL);
  b_epb (&b, 0, 1, eth->data, eth->len, "a");
  b_opaque (&b, 4, "\0\0\0\0", 4);                           /* name resolution, no names */
  b_opaque (&b, 0x00000102, "unassigned", 10);
  b_opaque (&b, 0x80000001, "local use", 9);
  b_epb (&b, 0, 2, eth->data, eth->len, "b");
  /* custom options, each kind, ours and others' */
  b_custom (&b, 5, 2989, 32473, payload->data, payload->len);   /* ours */
  b_custom (&b, 5, 19373, 32473, payload->data, payload->len);  /* ours, not copyable */
  b_custom (&b, 5, 2988, 32473, payload->data, payload->len);   /* ours, as "string" */
  b_custom (&b, 5, 2989, 12345, payload->data, payload->len);   /* another PEN */
  b_custom (&b, 5, 2989, 32473, (const guint8 *) "NOTSOCKLENS", 11); /* no magic */
  b_custom (&b, 6, 19372, 32473, payload->data, payload->len);  /* ours, on a packet */
  /* a Custom Block, which Wireshark shows as a frame of its own */
  b_opaque (&b, 0x00000BAD, "\xd9\x7e\x00\x00" "custom block", 16);
  b_epb (&b, 0, 3, eth->data, eth->len, "c");
  path = save_bytes ("unknown.pcapng", b.b);

  g_assert_true (read_bytes (b.b->data, b.b->len, 0, "unknown.pcapng", got, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (got->frames->len, ==, 4);
  g_assert_cmpstr (FRAME (got, 0)->comment, ==, "a");
  g_assert_cmpstr (FRAME (got, 1)->comment, ==, "b");
  g_assert_null (FRAME (got, 2)->comment);                /* the EPB carrying a record */
  g_assert_cmpuint (FRAME (got, 2)->f.caplen, ==, 4);
  g_assert_cmpstr (FRAME (got, 3)->comment, ==, "c");
  g_assert_cmpuint (FRAME (got, 3)->f.index, ==, 4);      /* the Custom Block took 3 */

  g_assert_cmpuint (got->records->len, ==, 4);
  g_assert_cmpuint (RECORD (got, 0)->r.option_code, ==, 2989);
  g_assert_cmpuint (RECORD (got, 1)->r.option_code, ==, 19373);
  g_assert_cmpuint (RECORD (got, 2)->r.option_code, ==, 2988);
  g_assert_cmpuint (RECORD (got, 3)->r.option_code, ==, 19372);
  g_assert_cmpuint (RECORD (got, 3)->r.block_type, ==, 6);
  for (guint i = 0; i < 4; i++)
    g_assert_true (g_bytes_get_size (RECORD (got, i)->payload) == payload->len
                   && memcmp (g_bytes_get_data (RECORD (got, i)->payload, NULL),
                              payload->data, payload->len) == 0);

  /* Wireshark's numbering: our index + 1 is its frame number, comment by comment */
  rows = tshark_fields (path, fields);
  for (guint i = 0; i < got->frames->len; i++)
    {
      GotFrame *f = FRAME (got, i);
      g_autofree char *number = g_strdup_printf ("%u", f->f.index + 1);

      for (; tshark_row < rows->len; tshark_row++)
        {
          char **row = g_ptr_array_index (rows, tshark_row);

          if (g_strcmp0 (row[0], number) == 0)
            break;
        }
      g_assert_cmpuint (tshark_row, <, rows->len);
      g_assert_cmpstr (((char **) g_ptr_array_index (rows, tshark_row))[1], ==,
                       f->comment ? f->comment : "");
    }
  g_assert_cmpuint (rows->len, ==, 5);

  g_byte_array_unref (b.b);
}

/* --- (g) a file Wireshark's text2pcap makes ------------------------------------- */

static void
test_text2pcap (void)
{
  g_autofree char *text2pcap = need_tool ("text2pcap");
  g_autoptr(GByteArray) frame = make_tcp_frame (1234, 80, 99, "from text2pcap");
  g_autoptr(GString) dump = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dump_path = g_build_filename (tmpdir, "dump.txt", NULL);

  for (guint p = 0; p < 2; p++)
    {
      g_string_append_printf (dump, "10:00:0%u.250000\n", p);
      for (guint i = 0; i < frame->len; i += 16)
        {
          g_string_append_printf (dump, "%06x ", i);
          for (guint k = i; k < MIN (i + 16, frame->len); k++)
            g_string_append_printf (dump, " %02x", frame->data[k]);
          g_string_append (dump, "\n");
        }
    }
  g_assert_true (g_file_set_contents (dump_path, dump->str, dump->len, &error));
  g_assert_no_error (error);

  for (guint fmt = 0; fmt < 2; fmt++)
    {
      g_autofree char *out = g_build_filename (tmpdir, fmt ? "t2p.pcapng" : "t2p.pcap", NULL);
      g_autofree char *stdout_text = NULL;
      g_autoptr(Got) got = got_new ();

      stdout_text = sl_test_output_of ((const char *const[]) { text2pcap, "-q", "-t", "%H:%M:%S.",
                                                      "-F", fmt ? "pcapng" : "pcap",
                                                      dump_path, out, NULL });
      g_assert_true (cap_reader_read_file (out, &got_callbacks, got, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (got->frames->len, ==, 2);
      for (guint p = 0; p < 2; p++)
        {
          GotFrame *f = FRAME (got, p);

          g_assert_cmpuint (f->f.linktype, ==, 1);
          g_assert_cmpmem (g_bytes_get_data (f->data, NULL), f->f.caplen, frame->data, frame->len);
        }
      /* one second apart, whatever day text2pcap chose */
      g_assert_cmpint (FRAME (got, 1)->f.ts_ns - FRAME (got, 0)->f.ts_ns, ==, 1000000000);
    }
}

/* --- the writer ---------------------------------------------------------------- */

static gboolean
dir_has_temp_files (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] == '.')
      return TRUE;
  return FALSE;
}

static void
write_some (CapPcapngWriter *w,
            guint            n,
            GError         **error)
{
  g_autoptr(GByteArray) frame = make_tcp_frame (1, 2, 3, "some bytes to fill the file up");

  if (!cap_pcapng_writer_add_interface (w, 1, 0, "lo", NULL, error))
    return;
  for (guint i = 0; i < n; i++)
    if (!cap_pcapng_writer_write_packet (w, 0, T0 + i, frame->data, frame->len, frame->len,
                                         NULL, error))
      return;
}

static void
test_writer_atomic (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "atomic.pcapng", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  struct stat st;

  g_assert_true (g_file_set_contents (path, "old", 3, &error));
  g_assert_cmpint (g_chmod (path, 0640), ==, 0);

  /* abandoned: the old file stays, no temporary file is left */
  {
    g_autoptr(CapPcapngWriter) w = cap_pcapng_writer_new_for_path (path, &error);

    g_assert_no_error (error);
    write_some (w, 100, &error);
    g_assert_no_error (error);
    g_assert_true (dir_has_temp_files ());
  }
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "old");
  g_assert_false (dir_has_temp_files ());

  /* aborted explicitly: the same, and close says so */
  {
    g_autoptr(CapPcapngWriter) w = cap_pcapng_writer_new_for_path (path, &error);

    write_some (w, 3, &error);
    cap_pcapng_writer_abort (w);
    g_assert_false (cap_pcapng_writer_close (w, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
  }
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "old");
  g_assert_false (dir_has_temp_files ());

  /* closed: replaced, keeping the permissions */
  {
    g_autoptr(CapPcapngWriter) w = cap_pcapng_writer_new_for_path (path, &error);
    g_autoptr(Got) got = got_new ();

    write_some (w, 3, &error);
    g_assert_true (cap_pcapng_writer_close (w, &error));
    g_assert_no_error (error);
    g_assert_true (cap_pcapng_writer_close (w, &error));  /* twice is harmless */
    g_assert_true (cap_reader_read_file (path, &got_callbacks, got, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (got->frames->len, ==, 3);
  }
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0640);
  g_assert_false (dir_has_temp_files ());

  /* an empty capture is a valid file */
  {
    g_autoptr(CapPcapngWriter) w = cap_pcapng_writer_new_for_path (path, &error);
    g_autoptr(Got) got = got_new ();

    g_assert_true (cap_pcapng_writer_close (w, &error));
    g_assert_true (cap_reader_read_file (path, &got_callbacks, got, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (got->frames->len, ==, 0);
  }

  /* a directory that does not exist */
  {
    g_autofree char *nowhere = g_build_filename (tmpdir, "no", "such", "x.pcapng", NULL);
    g_autoptr(CapPcapngWriter) w = cap_pcapng_writer_new_for_path (nowhere, &error);

    g_assert_null (w);
    g_assert_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_IO);
    g_assert_true (g_str_has_prefix (error->message, nowhere));
    g_clear_error (&error);
  }
}

/* The file grows past RLIMIT_FSIZE, as on a full disk: a clear error naming the path. */
static void
test_writer_disk_full_child (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "full.pcapng", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CapPcapngWriter) w = NULL;
  g_autofree char *contents = NULL;
  struct rlimit lim = { 16 * 1024, 16 * 1024 };

  g_assert_true (g_file_set_contents (path, "old", 3, &error));
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &lim), ==, 0);

  w = cap_pcapng_writer_new_for_path (path, &error);
  g_assert_no_error (error);
  write_some (w, 5000, &error);
  if (error == NULL)
    g_assert_false (cap_pcapng_writer_close (w, &error));
  g_assert_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, g_strerror (EFBIG)));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* sticky, and close fails too */
  g_assert_false (cap_pcapng_writer_write_record (w, 0, T0, (const guint8 *) "SOCKLENS", 8, &error));
  g_assert_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_IO);
  g_clear_error (&error);
  g_assert_false (cap_pcapng_writer_close (w, &error));
  g_assert_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_IO);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "old");
  g_assert_false (dir_has_temp_files ());
}

static void
test_writer_disk_full (void)
{
  if (g_test_subprocess ())
    {
      test_writer_disk_full_child ();
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* A stream that fails with ENOSPC (/dev/full): the error says so. */
static void
test_writer_dev_full (void)
{
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(CapPcapngWriter) w = NULL;
  g_autoptr(GError) error = NULL;
  int fd = open ("/dev/full", O_WRONLY | O_CLOEXEC);

  if (fd < 0)
    {
      g_test_skip ("no /dev/full");
      return;
    }
  out = g_unix_output_stream_new (fd, TRUE);
  w = cap_pcapng_writer_new (out);
  g_assert_false (cap_pcapng_writer_add_interface (w, 1, 0, "lo", NULL, &error));
  g_assert_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_IO);
  g_assert_nonnull (strstr (error->message, g_strerror (ENOSPC)));
}

/* Records too big for an option are refused without writing anything. */
static void
test_writer_limits (void)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(CapPcapngWriter) w = cap_pcapng_writer_new (out);
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *big = g_malloc0 (70000);
  g_autoptr(Got) got = got_new ();
  g_autoptr(GByteArray) msg = g_byte_array_new ();
  g_autofree char *long_text = g_strnfill (100000, 'x');
  g_auto(CapRecord) rec = CAP_RECORD_INIT;
  guint64 before;

  memcpy (big, CAP_SOCKLENS_MAGIC, 8);
  g_assert_true (cap_pcapng_writer_add_interface (w, 1, 0, NULL, NULL, &error));
  before = cap_pcapng_writer_get_offset (w);
  g_assert_false (cap_pcapng_writer_write_record (w, 0, T0, big, 65532, &error));
  g_assert_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_assert_cmpuint (cap_pcapng_writer_get_offset (w), ==, before);
  /* the largest that fits */
  g_assert_true (cap_pcapng_writer_write_record (w, 0, T0, big, 65531, &error));
  /* a long message is cut so it always fits */
  cap_record_encode_message (CAP_SEVERITY_ERROR, long_text, msg);
  g_assert_cmpuint (msg->len, <, 65531);
  g_assert_true (cap_pcapng_writer_write_record (w, 0, T0, msg->data, msg->len, &error));
  g_assert_no_error (error);
  /* an interface that does not exist */
  g_assert_false (cap_pcapng_writer_write_packet (w, 1, T0, big, 4, 4, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_true (cap_pcapng_writer_close (w, &error));

  g_assert_true (read_bytes (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                             g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)),
                             0, "mem", got, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (got->records->len, ==, 2);
  g_assert_cmpuint (g_bytes_get_size (RECORD (got, 0)->payload), ==, 65531);
  g_assert_true (cap_record_decode (g_bytes_get_data (RECORD (got, 1)->payload, NULL),
                                    g_bytes_get_size (RECORD (got, 1)->payload), &rec, &error));
  g_assert_cmpuint (strlen (rec.message.text), ==, CAP_RECORD_TEXT_MAX);
}

/* --- the codec on its own -------------------------------------------------------- */

static void
append_field (GByteArray *b,
              guint16     tag,
              guint16     len,
              const void *value)
{
  guint16 t = GUINT16_TO_LE (tag), l = GUINT16_TO_LE (len);

  g_byte_array_append (b, (const guint8 *) &t, 2);
  g_byte_array_append (b, (const guint8 *) &l, 2);
  g_byte_array_append (b, value, len);
}

static void
test_codec_compat (void)
{
  g_autoptr(GByteArray) b = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_auto(CapRecord) rec = CAP_RECORD_INIT;
  NcCall call;

  fill_call (&call, 1);
  cap_record_encode_call (&call, NC_CALL_PHASE_RETURN, b);

  /* a newer writer's extra fields are skipped */
  append_field (b, 999, 5, "hello");
  append_field (b, 1000, 0, "");
  g_assert_true (cap_record_decode (b->data, b->len, &rec, &error));
  g_assert_no_error (error);
  assert_call_equal (&call, &rec.call);

  /* every cut: an error or (at a field boundary) fewer fields, never a crash */
  for (gsize cut = 0; cut < b->len; cut++)
    {
      g_autoptr(GError) e = NULL;

      if (!cap_record_decode (b->data, cut, &rec, &e))
        {
          g_assert_true (e->domain == CAP_FILE_ERROR);
          g_assert_cmpint (rec.type, ==, CAP_RECORD_NONE);  /* cleared on failure */
        }
    }

  /* a version from the future, an unknown type, no magic */
  {
    g_autofree guint8 *copy = g_memdup2 (b->data, b->len);

    copy[8] = 2;
    g_assert_false (cap_record_decode (copy, b->len, &rec, &error));
    g_assert_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_UNSUPPORTED);
    g_clear_error (&error);
    copy[8] = 1;
    copy[10] = 200;
    g_assert_false (cap_record_decode (copy, b->len, &rec, &error));
    g_assert_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_UNSUPPORTED);
    g_clear_error (&error);
    copy[0] = 'X';
    g_assert_false (cap_record_decode (copy, b->len, &rec, &error));
    g_assert_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_FORMAT);
    g_clear_error (&error);
  }

  /* a fixed-size field with the wrong size is damage */
  {
    g_autoptr(GByteArray) bad = g_byte_array_new ();

    cap_record_encode_drop (1, 2, bad);
    append_field (bad, 1, 3, "abc");
    g_assert_false (cap_record_decode (bad->data, bad->len, &rec, &error));
    g_assert_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_CORRUPT);
    g_clear_error (&error);
  }

  /* texts from a file are made valid UTF-8 and fit their buffers */
  {
    g_autoptr(GByteArray) m = g_byte_array_new ();
    g_autofree char *long_addr = g_strnfill (300, '9');

    cap_record_encode_message (CAP_SEVERITY_INFO, "ok", m);
    append_field (m, 2, 6, "bad\xff\xfe!");  /* a later text field replaces the first */
    g_assert_true (cap_record_decode (m->data, m->len, &rec, &error));
    g_assert_true (g_utf8_validate (rec.message.text, -1, NULL));
    g_assert_true (g_str_has_prefix (rec.message.text, "bad"));
    g_assert_true (g_str_has_suffix (rec.message.text, "!"));

    g_byte_array_set_size (m, 0);
    cap_record_encode_call (&call, NC_CALL_PHASE_ENTER, m);
    append_field (m, 19, 300, long_addr);      /* local address, far too long */
    g_assert_true (cap_record_decode (m->data, m->len, &rec, &error));
    g_assert_cmpuint (strlen (rec.call.local), ==, NC_ADDR_TEXT_MAX - 1);
  }

  /* all select() sets full */
  {
    g_autoptr(GByteArray) m = g_byte_array_new ();

    NcFdSets watched = { 0 }, ready = { 0 };

    for (guint s = 0; s < NC_N_SETS; s++)
      {
        watched.set[s].n = NC_SELECT_FDS_MAX;
        ready.set[s].n = NC_SELECT_FDS_MAX;
        for (guint i = 0; i < NC_SELECT_FDS_MAX; i++)
          {
            watched.set[s].fds[i] = s * 100 + i;
            ready.set[s].fds[i] = -(gint32) (s * 100 + i);
          }
      }
    call.sets_in = nc_fd_sets_intern (&watched);
    call.sets_out = nc_fd_sets_intern (&ready);
    call.file = NULL;
    cap_record_encode_call (&call, NC_CALL_PHASE_ENTER, m);
    g_assert_true (cap_record_decode (m->data, m->len, &rec, &error));
    g_assert_cmpint (rec.type, ==, CAP_RECORD_CALL_ENTER);
    assert_call_equal (&call, &rec.call);
  }
}

/* --- setup ----------------------------------------------------------------------- */

/* --- captures from elsewhere (tests/fixtures/foreign) ------------------------- */

static char *
foreign_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", "foreign", name, NULL);
}

/* tshark's "1700000000.001000005" in ns; -1 where it has no time (an SPB). */
static gint64
tshark_time_ns (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text, ".", 2);
  char frac[10] = "000000000";

  if (text[0] == '\0')
    return -1;
  if (parts[1] != NULL)
    memcpy (frac, parts[1], MIN (strlen (parts[1]), 9));
  return g_ascii_strtoll (parts[0], NULL, 10) * G_GINT64_CONSTANT (1000000000)
         + g_ascii_strtoll (frac, NULL, 10);
}

static void
assert_endpoint (CapRecording *rec,
                 guint32       id,
                 const char   *tshark_v4,
                 const char   *tshark_v6,
                 const char   *tshark_port)
{
  const CapEndpoint *ep = cap_recording_get_endpoint (rec, id);
  char text[INET6_ADDRSTRLEN] = "";

  g_assert_nonnull (ep);
  if (ep->family == 4)
    inet_ntop (AF_INET, ep->addr, text, sizeof text);
  else if (ep->family == 6)
    inet_ntop (AF_INET6, ep->addr, text, sizeof text);
  g_assert_cmpstr (text, ==, ep->family == 6 ? tshark_v6 : tshark_v4);
  g_assert_cmpuint (ep->port, ==, g_ascii_strtoull (tshark_port, NULL, 10));
}

/* Each packet of a file as tshark reads it, found by its frame number (a
 * Custom Block is a frame for tshark, no packet for us): time, length,
 * addresses, ports, TCP flags and raw sequence numbers. */
static void
assert_like_tshark (const char   *path,
                    CapRecording *rec)
{
  static const char *const fields[] = {
    "frame.number", "frame.time_epoch", "frame.len", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
    "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport", "tcp.flags", "tcp.seq_raw",
    "tcp.ack_raw", NULL
  };
  g_autoptr(GPtrArray) rows = tshark_fields (path, fields);
  guint n = cap_recording_get_n_packets (rec);

  g_assert_cmpuint (n, <=, rows->len);
  g_assert_cmpuint (n > 0 ? cap_recording_get_packet_frame (rec, n - 1) : 0, <=, rows->len);
  for (guint i = 0; i < n; i++)
    {
      guint32 frame = cap_recording_get_packet_frame (rec, i);
      char **row = g_ptr_array_index (rows, frame - 1);
      const CapPacket *p = cap_recording_get_packet (rec, i);
      gint64 ts = tshark_time_ns (row[1]);
      gboolean tcp = row[7][0] != '\0';

      g_test_message ("%s, frame %u", path, frame);
      g_assert_cmpuint (g_strv_length (row), ==, 14);
      g_assert_cmpuint (g_ascii_strtoull (row[0], NULL, 10), ==, frame);
      if (ts >= 0)
        g_assert_cmpint (p->ts, ==, ts);
      else /* no timestamp (a Simple Packet Block): the one before's, not 1970 */
        g_assert_cmpint (p->ts, ==, i > 0 ? cap_recording_get_packet (rec, i - 1)->ts : 0);
      g_assert_cmpuint (p->len, ==, g_ascii_strtoull (row[2], NULL, 10));
      if (row[3][0] == '\0' && row[5][0] == '\0')
        {
          g_assert_cmpuint (p->family, ==, 0);  /* not IP, for both */
          continue;
        }
      g_assert_cmpuint (p->family, !=, 0);  /* IP, as tshark read it */
      assert_endpoint (rec, p->src, row[3], row[5], tcp ? row[7] : row[9]);
      assert_endpoint (rec, p->dst, row[4], row[6], tcp ? row[8] : row[10]);
      if (tcp)
        {
          g_assert_cmpuint (p->tcp_flags, ==, g_ascii_strtoull (row[11], NULL, 16));
          g_assert_cmpuint (p->seq, ==, g_ascii_strtoull (row[12], NULL, 10));
          g_assert_cmpuint (p->ack, ==, g_ascii_strtoull (row[13], NULL, 10));
        }
    }
}

/* Captures as people bring them, each read as Wireshark reads it: gzip-
 * compressed (one member or several), Kuznetzov's pcap variant, a Simple
 * Packet Block without a timestamp, Custom Blocks that take frame numbers,
 * PPP with and without its HDLC framing and with a compressed protocol,
 * Cisco HDLC. One test per file. */
typedef struct
{
  const char *name;
  guint       n_packets;
} ForeignFile;

static const ForeignFile foreign_files[] = {
  { "gzip-eth-tcp.pcap.gz", 8 },
  { "gzip-two-members.pcapng.gz", 8 },
  { "kuznetzov-eth-tcp.pcap", 8 },
  { "spb-between-epbs.pcapng", 4 },
  { "custom-block-frames.pcapng", 3 },
  { "ppp-tcp.pcap", 8 },
  { "ppp-bare-pfc.pcap", 3 },
  { "ppp-hdlc-ipv6.pcap", 1 },
  { "chdlc-udp.pcap", 2 },
};

static void
test_foreign (gconstpointer data)
{
  const ForeignFile *file = data;
  g_autofree char *path = foreign_path (file->name);
  g_autoptr(GError) error = NULL;
  g_autoptr(CapRecording) rec = cap_recording_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (cap_recording_get_n_packets (rec), ==, file->n_packets);
  assert_like_tshark (path, rec);
}

/* A gzip-compressed capture cut short: what was decompressed is delivered,
 * and the message says the compressed data ends early. */
static void
test_foreign_gzip_cut (void)
{
  g_autofree char *path = foreign_path ("gzip-eth-tcp.pcap.gz");
  g_autofree char *cut = g_build_filename (tmpdir, "cut.pcap.gz", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CapRecording) rec = cap_recording_new ();
  g_autofree char *data = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_true (g_file_set_contents (cut, data, len - 12, NULL));

  g_assert_false (cap_recording_load_file (rec, cut, &error));
  g_assert_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_TRUNCATED);
  g_assert_nonnull (strstr (error->message, "cut.pcap.gz"));
  g_assert_nonnull (strstr (error->message, "gzip"));
  g_assert_cmpuint (cap_recording_get_n_packets (rec), >, 0);
}

/* Files that are not captures say what they are and what to do. */
static void
test_foreign_not_captures (void)
{
  static const struct
  {
    const char *name;
    const char *says;
  } files[] = {
    { "tshark-printout.txt", "a text file" },
    { "capture.pcap.zst", "zstd -d" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = foreign_path (files[i].name);
      g_autoptr(GError) error = NULL;
      g_autoptr(CapRecording) rec = cap_recording_new ();

      g_assert_false (cap_recording_load_file (rec, path, &error));
      g_assert_error (error, CAP_FILE_ERROR, CAP_FILE_ERROR_FORMAT);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, files[i].name));
      g_assert_nonnull (strstr (error->message, files[i].says));
    }
}

static void
remove_tmpdir (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmpdir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmpdir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (tmpdir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  tmpdir = g_dir_make_tmp ("socklens-capture-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/capture/files/round-trip", test_round_trip);
  g_test_add_func ("/capture/files/chunked", test_chunked);
  g_test_add_func ("/capture/files/tshark", test_tshark);
  g_test_add_func ("/capture/files/classic-pcap", test_classic_pcap);
  g_test_add_func ("/capture/files/multi-interface", test_multi_interface);
  g_test_add_func ("/capture/files/truncated", test_truncated);
  g_test_add_func ("/capture/files/corrupt-lengths", test_corrupt_lengths);
  g_test_add_func ("/capture/files/corrupt-classic", test_corrupt_classic);
  g_test_add_func ("/capture/files/unknown-blocks", test_unknown_blocks);
  g_test_add_func ("/capture/files/text2pcap", test_text2pcap);
  g_test_add_func ("/capture/files/writer-atomic", test_writer_atomic);
  g_test_add_func ("/capture/files/writer-disk-full", test_writer_disk_full);
  g_test_add_func ("/capture/files/writer-dev-full", test_writer_dev_full);
  g_test_add_func ("/capture/files/writer-limits", test_writer_limits);
  g_test_add_func ("/capture/files/codec-compat", test_codec_compat);
  for (guint i = 0; i < G_N_ELEMENTS (foreign_files); i++)
    {
      g_autofree char *name = g_strdup_printf ("/capture/files/foreign/%s", foreign_files[i].name);

      g_test_add_data_func (name, &foreign_files[i], test_foreign);
    }
  g_test_add_func ("/capture/files/foreign/gzip-cut", test_foreign_gzip_cut);
  g_test_add_func ("/capture/files/foreign/not-captures", test_foreign_not_captures);

  ret = g_test_run ();
  remove_tmpdir ();
  return ret;
}
