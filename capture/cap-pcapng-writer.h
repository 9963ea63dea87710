/* SPDX-License-Identifier: GPL-3.0-or-later */
/* cap-pcapng-writer.h: writes packets and Socklens records as pcapng. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CAP_TYPE_PCAPNG_WRITER (cap_pcapng_writer_get_type ())
G_DECLARE_FINAL_TYPE (CapPcapngWriter, cap_pcapng_writer, CAP, PCAPNG_WRITER, GObject)

/* Common LINKTYPE_ values */
#define CAP_LINKTYPE_ETHERNET  1
#define CAP_LINKTYPE_RAW       101
#define CAP_LINKTYPE_LINUX_SLL 113

CapPcapngWriter *cap_pcapng_writer_new           (GOutputStream    *stream);
CapPcapngWriter *cap_pcapng_writer_new_for_path  (const char       *path,
                                                  GError          **error);
CapPcapngWriter *cap_pcapng_writer_new_buffered  (void);
gsize            cap_pcapng_writer_get_pending_size (CapPcapngWriter *self);
GByteArray      *cap_pcapng_writer_swap_pending  (CapPcapngWriter  *self,
                                                  GByteArray       *spare);
gboolean         cap_pcapng_writer_add_interface (CapPcapngWriter  *self,
                                                  guint32           linktype,
                                                  guint32           snaplen,
                                                  const char       *name,
                                                  guint32          *out_iface,
                                                  GError          **error);
gboolean         cap_pcapng_writer_write_packet  (CapPcapngWriter  *self,
                                                  guint32           iface,
                                                  gint64            ts_ns,
                                                  const guint8     *data,
                                                  guint32           caplen,
                                                  guint32           len,
                                                  const char *const *comments,
                                                  GError          **error);
gboolean         cap_pcapng_writer_write_record  (CapPcapngWriter  *self,
                                                  guint32           iface,
                                                  gint64            ts_ns,
                                                  const guint8     *payload,
                                                  gsize             len,
                                                  GError          **error);
gboolean         cap_pcapng_writer_flush         (CapPcapngWriter  *self,
                                                  GError          **error);
gboolean         cap_pcapng_writer_close         (CapPcapngWriter  *self,
                                                  GError          **error);
void             cap_pcapng_writer_abort         (CapPcapngWriter  *self);
guint64          cap_pcapng_writer_get_offset    (CapPcapngWriter  *self);
GOutputStream   *cap_pcapng_writer_get_stream    (CapPcapngWriter  *self);

G_END_DECLS
