/* SPDX-License-Identifier: GPL-2.0-or-later */
/* progdir.h: where remsim's programs are.  In the build tree every program
 * sits in $(BUILD)/bin; installed, the launchers, remsimd and remsim-ctl are
 * in PREFIX/bin and the actor programs (broker, reader, ...) in
 * PREFIX/libexec/remsim (docs/install.md). */
#ifndef REMSIM_PROGDIR_H
#define REMSIM_PROGDIR_H

#include <stddef.h>

/* Directory of the running executable; 0, or -1 (then buf holds "."). */
int progdir_self(char *buf, size_t len);
/* Directory of the actor programs: $REMSIM_LIBEXEC_DIR if set, else our own
 * directory when a broker sits there (build tree), else ../libexec/remsim
 * relative to it (an install) when that exists, else our own directory. */
void progdir_actors(char *buf, size_t len);

#endif
