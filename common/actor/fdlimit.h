/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fdlimit.h: raise RLIMIT_NOFILE to its hard limit at start (every role and
 * its broker), so that a role is not capped at systemd's default of 1024
 * file descriptors by accident; the value is logged and returned. */
#ifndef REMSIM_FDLIMIT_H
#define REMSIM_FDLIMIT_H

/* Raise the soft limit to the hard one; returns the soft limit in force
 * afterwards (logged at INFO with `who`), or -1 if it cannot be read. */
long fdlimit_raise(const char *who);

#endif
