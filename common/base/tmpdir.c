/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tmpdir.c: temporary folder and run directory base (see tmpdir.h). */
#include "tmpdir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char *tmp_base(void)
{
	const char *t = getenv("TMPDIR");
	return t && *t ? t : "/tmp";
}

char *tmp_mkdtemp(const char *prefix, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/%s.XXXXXX", tmp_base(), prefix) >= len) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return mkdtemp(buf);
}

const char *run_base(void)
{
	if (geteuid() == 0)
		return "/run";
	const char *x = getenv("XDG_RUNTIME_DIR");
	return x && *x ? x : tmp_base();
}
