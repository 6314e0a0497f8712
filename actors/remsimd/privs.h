/* SPDX-License-Identifier: GPL-2.0-or-later */
/* privs.h: no-new-privileges and the switch to the role's user (privs.c). */
#ifndef REMSIMD_PRIVS_H
#define REMSIMD_PRIVS_H

#include <stddef.h>

/* prctl(PR_SET_NO_NEW_PRIVS): 0 or -1. */
int privs_no_new(void);
/* With user and/or group set: hand run_dir (and state_dir with its files,
 * if not NULL) to them and switch to them for good (root needed unless we
 * already are them).  0, or -1 with the reason in err.  Both NULL: 0. */
int privs_drop(const char *user, const char *group, const char *run_dir, const char *state_dir,
	       char *err, size_t len);

#endif
