/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tmpdir.h: where remsim programs put their private files: the folder for
 * temporary ones ($TMPDIR, else /tmp) and the base of a run directory when
 * none is given (/run as root, else $XDG_RUNTIME_DIR, else the temporary
 * folder).  One place, so that programs that must find each other's run
 * dirs (remsim-client --ifd and the pcscd driver) agree. */
#ifndef REMSIM_TMPDIR_H
#define REMSIM_TMPDIR_H

#include <stddef.h>

/* $TMPDIR when set and not empty, else "/tmp". */
const char *tmp_base(void);
/* mkdtemp of tmp_base()/PREFIX.XXXXXX into buf: buf, or NULL (errno). */
char *tmp_mkdtemp(const char *prefix, char *buf, size_t len);
/* "/run" for root, else $XDG_RUNTIME_DIR when set, else tmp_base(). */
const char *run_base(void);

#endif
