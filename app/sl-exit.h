/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sl-exit.h: the exit statuses of `socklens`, one place for all of them
 * (documented in socklens(1), data/socklens.1).
 */
#pragma once

#define SL_EXIT_DONE        0    /* it did what was asked */
#define SL_EXIT_ERROR       1    /* it could not: a run failed, a file could not be read or written */
#define SL_EXIT_USAGE       2    /* the command line was wrong: an unknown command, option or name */
#define SL_EXIT_INTERRUPTED 130  /* stopped by Ctrl+C (SIGINT), SIGTERM or SIGHUP, as shells
                                  * report 128 + 2; what was recorded up to then is kept */
