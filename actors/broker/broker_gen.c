/* SPDX-License-Identifier: GPL-2.0-or-later */
/* broker_gen.c: the broker's generation.  Every broker start is a new
 * generation (1..255), kept in RUN_DIR/broker.generation and advanced on
 * each start, so that two consecutive brokers of a role never share one.
 * The generation is the top octet of every connection id the broker hands
 * out (ENV_CONN_GEN), and it is sent in WELCOME: an actor that sees a new
 * generation knows that every connection of the old one is gone. */
#include "broker.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static uint32_t gen_next(uint32_t g)
{
	return g >= ENV_GEN_MAX ? 1 : g + 1;
}

uint32_t broker_generation(const char *run_dir)
{
	char path[512], buf[16] = "";
	uint32_t prev = 0;
	snprintf(path, sizeof(path), "%s/broker.generation", run_dir ? run_dir : ".");
	FILE *f = fopen(path, "r");
	if (f) {
		if (fgets(buf, sizeof(buf), f))
			prev = (uint32_t)strtoul(buf, NULL, 10);
		fclose(f);
	}
	if (prev == 0 || prev > ENV_GEN_MAX) {
		/* no record (first start, or run_dir wiped): any start value
		 * differs from a broker that ran without one with high odds */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		prev = (uint32_t)((ts.tv_nsec ^ getpid()) % ENV_GEN_MAX) + 1;
	}
	uint32_t g = gen_next(prev);
	char tmp[520];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int n = snprintf(buf, sizeof(buf), "%u\n", g);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int ok = fd >= 0 && write(fd, buf, (size_t)n) == n;
	if (fd >= 0 && close(fd) < 0)
		ok = 0;
	if (!ok || rename(tmp, path) < 0) {
		LOGW(NULL, "cannot record the broker generation in %s: %s (using %u)", path,
		     strerror(errno), g);
		unlink(tmp);
	}
	return g;
}
