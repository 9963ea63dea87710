/* SPDX-License-Identifier: GPL-3.0-or-later */
/* nc-preload-source.h: where in the traced program a call comes from. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NC_SOURCE_FILE_MAX  256
#define NC_SOURCE_STACK_MAX 1024

typedef struct
{
  char    file[NC_SOURCE_FILE_MAX];    /* the program's own file, or "" */
  int     line;
  char    stack[NC_SOURCE_STACK_MAX];  /* innermost frame first, one per line */
  guint8  origin;                      /* NcCallOrigin */
} NcSource;

void nc_source_init     (void);
/* Fills @source for a call about to be made; @return_address is the
 * caller's, for a program that is not Python. */
void nc_source_find     (NcSource *source,
                         void     *return_address);

G_END_DECLS
