/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-reader.c: libFuzzer target for CapReader and cap_record_decode ().
 *
 * Each input is fed twice: all at once (zero copy: frame data must point
 * into the input) and in pseudo-random pieces, each in its own allocation so
 * ASan sees any pointer kept past its feed; both must deliver the same frames
 * and records and end with the same error. Every Socklens record the reader
 * finds is decoded, and the input itself is also decoded as a record, bare
 * and behind a valid header.
 *
 * Build: CC=clang meson setup build-fuzz -Dfuzzing=true && ninja -C build-fuzz
 * Run:   build-fuzz/tests/fuzz/fuzz-reader -max_len=65536 CORPUS_DIR tests/fuzz/seeds-reader
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cap-reader.h"
#include "cap-call-codec.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

typedef struct
{
  const guint8 *base;      /* set when fed at once: frame data must point into it */
  guint64       total;
  guint32       last_index;
  gboolean      any_frame;
  guint32       n_frames;
  guint32       n_records;
  guint64       digest;    /* over everything delivered, to compare two feeds */
} FuzzState;

static void
mix (FuzzState *st,
     guint64    v)
{
  st->digest = (st->digest ^ v) * G_GUINT64_CONSTANT (0x100000001b3);
}

static void
decode_payload (const guint8 *payload,
                gsize         len)
{
  g_auto(CapRecord) rec = CAP_RECORD_INIT;

  if (cap_record_decode (payload, len, &rec, NULL))
    {
      /* texts must come out as valid, bounded strings */
      if (rec.run.scenario != NULL && !g_utf8_validate (rec.run.scenario, -1, NULL))
        abort ();
      if (rec.message.text != NULL && !g_utf8_validate (rec.message.text, -1, NULL))
        abort ();
      if (strnlen (rec.call.local, sizeof rec.call.local) == sizeof rec.call.local)
        abort ();
      if (rec.call.data_len > NC_CALL_DATA_MAX)
        abort ();
    }
  else if (rec.type != CAP_RECORD_NONE)
    abort ();  /* a failed decode leaves the record cleared */
}

static void
on_frame (const CapFrame *frame,
          gpointer        user_data)
{
  FuzzState *st = user_data;

  if (frame->data_offset + frame->caplen > st->total)
    abort ();
  if (st->base != NULL && frame->data != st->base + frame->data_offset)
    abort ();
  if (st->any_frame && frame->index <= st->last_index)
    abort ();
  st->any_frame = TRUE;
  st->last_index = frame->index;
  st->n_frames++;

  /* touch every byte the reader vouches for */
  for (guint32 i = 0; i < frame->caplen; i++)
    mix (st, frame->data[i]);
  mix (st, frame->index);
  mix (st, frame->iface);
  mix (st, (guint64) frame->ts_ns);
  mix (st, frame->data_offset);
  mix (st, frame->len);
  if (frame->comment != NULL)
    mix (st, g_str_hash (frame->comment));
}

static void
on_interface (const CapInterface *iface,
              gpointer            user_data)
{
  FuzzState *st = user_data;

  mix (st, iface->index);
  mix (st, iface->linktype);
  if (iface->name != NULL)
    mix (st, g_str_hash (iface->name));
  if (iface->description != NULL)
    mix (st, g_str_hash (iface->description));
}

static void
on_record (const CapRawRecord *record,
           gpointer            user_data)
{
  FuzzState *st = user_data;

  if (record->offset + record->len > st->total)
    abort ();
  if (st->base != NULL && record->payload != st->base + record->offset)
    abort ();
  st->n_records++;
  mix (st, record->offset);
  mix (st, record->len);
  decode_payload (record->payload, record->len);
}

static const CapReaderCallbacks callbacks = { on_interface, on_frame, on_record };

/* Feeds @data at once (@seed 0) or in pseudo-random pieces; returns the error message. */
static char *
feed (const guint8 *data,
      size_t        size,
      guint32       seed,
      FuzzState    *st)
{
  g_autoptr(CapReader) reader = cap_reader_new (&callbacks, st);
  g_autoptr(GError) error = NULL;
  gsize max_chunk = seed % 3 == 0 ? 1 : seed % 3 == 1 ? 7 : 4096;
  guint32 rng = seed | 1;

  st->total = size;
  cap_reader_set_name (reader, "fuzz.pcapng");

  if (seed == 0)
    {
      st->base = data;
      if (cap_reader_feed (reader, data, size, &error))
        cap_reader_finish (reader, &error);
      return error ? g_strdup (error->message) : NULL;
    }

  for (gsize pos = 0; pos < size; )
    {
      gsize n;
      guint8 *piece;
      gboolean ok;

      rng ^= rng << 13;
      rng ^= rng >> 17;
      rng ^= rng << 5;
      n = MIN (1 + rng % max_chunk, size - pos);
      /* each piece in its own allocation: a pointer kept past its feed is caught */
      piece = g_memdup2 (data + pos, n);
      ok = cap_reader_feed (reader, piece, n, &error);
      g_free (piece);
      if (!ok)
        return g_strdup (error->message);
      pos += n;
    }
  if (!cap_reader_finish (reader, &error))
    return g_strdup (error->message);
  return NULL;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GByteArray) framed = NULL;
  g_autofree char *whole_error = NULL;
  g_autofree char *chunked_error = NULL;
  FuzzState whole = { 0 }, chunked = { 0 };
  guint32 seed = 2166136261u;

  /* the piece sizes follow from the input, so a crash reproduces */
  for (gsize i = 0; i < size; i++)
    seed = (seed ^ data[i]) * 16777619u;
  if (seed == 0)
    seed = 1;

  /* fed at once or in pieces, the reader must deliver the same and fail the same */
  whole_error = feed (data, size, 0, &whole);
  chunked_error = feed (data, size, seed, &chunked);
  if (whole.n_frames != chunked.n_frames || whole.n_records != chunked.n_records
      || whole.digest != chunked.digest || g_strcmp0 (whole_error, chunked_error) != 0)
    abort ();

  /* the codec on its own: raw, and behind a valid header so its fields are reached */
  decode_payload (data, size);
  framed = g_byte_array_sized_new (size + CAP_RECORD_HEADER_LEN);
  g_byte_array_append (framed, (const guint8 *) CAP_SOCKLENS_MAGIC, CAP_SOCKLENS_MAGIC_LEN);
  g_byte_array_append (framed, (const guint8 *) "\x01\x00", 2);
  g_byte_array_append (framed, data, size);  /* data[0] becomes the record type */
  decode_payload (framed->data, framed->len);

  return 0;
}
