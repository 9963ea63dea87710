/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nc-example.h: the lecture's examples in Python (data/examples/), run traced. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char        *name;      /* "tcp": what `socklens trace --example` takes */
  const char        *title;
  const char        *topic;     /* the lecture's slide */
  const char *const *programs;  /* file names in the examples folder, in start order */
} NcExample;

const NcExample *const *nc_example_list     (guint           *n_examples);
const NcExample       *nc_example_lookup   (const char      *name);
const char            *nc_example_dir      (void);
char                 **nc_example_paths    (const NcExample *example);

G_END_DECLS
