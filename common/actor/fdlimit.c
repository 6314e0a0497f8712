/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fdlimit.c: see fdlimit.h. */
#include "fdlimit.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include "log.h"

long fdlimit_raise(const char *who)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		LOGW(NULL, "%s: cannot read the file descriptor limit: %s", who, strerror(errno));
		return -1;
	}
	rlim_t old = rl.rlim_cur;
	if (rl.rlim_cur != rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			LOGW(NULL, "%s: cannot raise the file descriptor limit from %llu to %llu: %s", who,
			     (unsigned long long)old, (unsigned long long)rl.rlim_max, strerror(errno));
			rl.rlim_cur = old;
		}
	}
	long cur = rl.rlim_cur == RLIM_INFINITY ? 1L << 20 : (long)rl.rlim_cur;
	LOGI(NULL, "%s: file descriptor limit %ld (was %llu, hard limit %llu)", who, cur,
	     (unsigned long long)old, (unsigned long long)rl.rlim_max);
	return cur;
}
