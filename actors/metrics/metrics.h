/* SPDX-License-Identifier: GPL-2.0-or-later */
/* metrics.h: the metrics actor (opt-in, every role): a Prometheus text
 * endpoint.  On each scrape it asks its role's control socket for `status`,
 * `slots` and, on a server, `maps`, and renders them (render.c); it keeps
 * no state of its own.  See docs/metrics.md. */
#ifndef REMSIM_METRICS_H
#define REMSIM_METRICS_H

#include <jansson.h>
#include <stddef.h>

struct metrics_conf {
	char listen[80];	/* ADDR:PORT */
	char role[32];		/* server, bankd, client (label) */
	int timeout_ms;		/* per control request */
};

/* Append the exposition text for what the role answered (NULL: that
 * request failed; `up` says whether the control socket answered at all).
 * Returns a malloc'd string. */
char *metrics_render(const char *role, int up, const json_t *status, const json_t *slots,
		     const json_t *maps);

#endif
