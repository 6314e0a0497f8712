/* SPDX-License-Identifier: GPL-2.0-or-later */
/* version.h: the version of this build (git describe at build time, else the
 * VERSION file), and the --version flag every program answers. */
#ifndef REMSIM_VERSION_H
#define REMSIM_VERSION_H

/* The full version, e.g. "0.1.0-12-g7fe77df-dirty". */
const char *remsim_version(void);
/* The form sent on the wire as the RSPRO identity's swVersion: the full
 * version without "-dirty", cut to the ComponentName limit (32). */
const char *remsim_version_short(void);
/* If argv holds "--version" (before any "--"), print "PROG VERSION" to
 * stdout and return 1; else 0. */
int version_flag(int argc, char **argv, const char *prog);
/* Print "PROG VERSION" to stdout; returns 0 (the exit code). */
int version_print(const char *prog);

#endif
