/* SPDX-License-Identifier: GPL-2.0-or-later */
/* progdir.c: finding our own directory and the actor programs' one, for the
 * build tree and the installed layout alike (progdir.h). */
#include "progdir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int progdir_self(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	if (n <= 0) {
		snprintf(buf, len, ".");
		return -1;
	}
	buf[n] = '\0';
	char *slash = strrchr(buf, '/');
	if (slash == buf)
		slash[1] = '\0';	/* "/prog": the root */
	else if (slash)
		*slash = '\0';
	return 0;
}

static int has_broker(const char *dir)
{
	char p[4300];
	if (snprintf(p, sizeof(p), "%.4200s/broker", dir) >= (int)sizeof(p))
		return 0;
	return access(p, X_OK) == 0;
}

void progdir_actors(char *buf, size_t len)
{
	const char *e = getenv("REMSIM_LIBEXEC_DIR");
	if (e && *e) {
		snprintf(buf, len, "%s", e);
		return;
	}
	char self[4096], lx[4200];
	progdir_self(self, sizeof(self));
	snprintf(lx, sizeof(lx), "%.4000s/../libexec/remsim", self);
	if (!has_broker(self) && has_broker(lx))
		snprintf(buf, len, "%s", lx);
	else
		snprintf(buf, len, "%s", self);
}
