/* SPDX-License-Identifier: GPL-2.0-or-later */
/* supcfg.h: loads remsimd's part of a role's libconfig file (run_dir, hub,
 * control, the supervisor group and the actors list) into a struct sup.
 * Every error message starts with "FILE:LINE: ". */
#ifndef REMSIMD_SUPCFG_H
#define REMSIMD_SUPCFG_H

#include <stddef.h>
#include "sup.h"

/* Fill s from the file at path.  run_dir_override (may be NULL) replaces the
 * file's run_dir.  Returns 0, or -1 with a message in err. */
int supcfg_load(struct sup *s, const char *path, const char *run_dir_override,
		char *err, size_t errlen);
void supcfg_free(struct sup *s);

/* Replace @RUN_DIR@, @NAME@ and @INDEX@ in tmpl (malloc'd result). */
char *supcfg_subst(const char *tmpl, const char *run_dir, const char *name, int index);

#endif
