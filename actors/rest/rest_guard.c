/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rest_guard.c: what keeps the REST API from being starved or forged.
 *
 * Slow peers: every HTTP connection must deliver a complete request (headers
 * and body) within header_timeout_ms of its start or of the previous answer;
 * a watchdog thread shuts down the socket of one that does not (slowloris,
 * non-HTTP garbage), with a log line naming the peer.  The connection limit
 * and the per-address cap are libmicrohttpd options (rest_http.c).
 *
 * Forged requests (a web page in an operator's browser): rest_guard_check()
 * refuses a foreign Origin (403), a Host that is neither an IP literal,
 * "localhost" nor one of the configured names (403: DNS rebinding), and a
 * state-changing request whose body a browser form could have sent (400:
 * it must be application/json, or empty without a form content type). */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "monotime.h"
#include "ratelim.h"
#include "rest.h"

struct gconn {
	int fd;
	int64_t deadline;		/* ms, monotonic; 0: request being answered */
	unsigned served;		/* requests answered on it */
	int seen, killed;		/* a request's headers arrived; closed by us */
	char peer[96];
	struct gconn *prev, *next;
};

struct rest_guard {
	pthread_mutex_t mu;
	pthread_t th;
	int running, stop;
	unsigned timeout_ms;
	struct gconn *head;
	unsigned long killed;
	struct ratelim rl;		/* closing notices: 10 per 10 s */
};

static void *watchdog(void *arg)
{
	struct rest_guard *g = arg;
	for (;;) {
		struct timespec tick = { 0, 200 * 1000000L };
		nanosleep(&tick, NULL);
		pthread_mutex_lock(&g->mu);
		if (g->stop) {
			pthread_mutex_unlock(&g->mu);
			return NULL;
		}
		int64_t now = mono_ms();
		unsigned long held;
		char note[RATELIM_NOTE_MAX];
		for (struct gconn *c = g->head; c; c = c->next) {
			if (!c->deadline || now < c->deadline)
				continue;
			/* the fd stays open until rest_guard_end(): safe under mu */
			if (c->served)
				LOGD(NULL, "http: idle keep-alive connection from %s closed after %u ms "
					   "(%u requests)", c->peer, g->timeout_ms, c->served);
			else if (ratelim_pass(&g->rl, &held))
				LOGN(NULL, "http: closing connection from %s: no complete request within %u ms "
					   "(slow client or not HTTP)%s", c->peer, g->timeout_ms,
				     ratelim_note(held, note, sizeof(note)));
			shutdown(c->fd, SHUT_RDWR);
			c->deadline = 0;
			c->killed = 1;
			g->killed++;
		}
		pthread_mutex_unlock(&g->mu);
	}
}

struct rest_guard *rest_guard_new(unsigned timeout_ms)
{
	struct rest_guard *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	pthread_mutex_init(&g->mu, NULL);
	g->timeout_ms = timeout_ms;
	g->rl = (struct ratelim)RATELIM_INIT(10, 10000);
	if (pthread_create(&g->th, NULL, watchdog, g)) {
		pthread_mutex_destroy(&g->mu);
		free(g);
		return NULL;
	}
	g->running = 1;
	return g;
}

void rest_guard_free(struct rest_guard **gp)
{
	struct rest_guard *g = *gp;
	if (!g)
		return;
	pthread_mutex_lock(&g->mu);
	g->stop = 1;
	pthread_mutex_unlock(&g->mu);
	if (g->running)
		pthread_join(g->th, NULL);
	while (g->head) {
		struct gconn *c = g->head;
		g->head = c->next;
		free(c);
	}
	pthread_mutex_destroy(&g->mu);
	free(g);
	*gp = NULL;
}

struct gconn *rest_guard_start(struct rest_guard *g, int fd, const char *peer)
{
	struct gconn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fd = fd;
	c->deadline = mono_ms() + g->timeout_ms;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	pthread_mutex_lock(&g->mu);
	c->next = g->head;
	if (g->head)
		g->head->prev = c;
	g->head = c;
	pthread_mutex_unlock(&g->mu);
	return c;
}

void rest_guard_busy(struct rest_guard *g, struct gconn *c, int busy)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->mu);
	c->deadline = busy ? 0 : mono_ms() + g->timeout_ms;
	c->served += !busy;
	pthread_mutex_unlock(&g->mu);
}

void rest_guard_seen(struct rest_guard *g, struct gconn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->mu);
	c->seen = 1;
	pthread_mutex_unlock(&g->mu);
}

void rest_guard_end(struct rest_guard *g, struct gconn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->mu);
	unsigned long held;
	char note[RATELIM_NOTE_MAX];
	if (!c->seen && !c->killed && ratelim_pass(&g->rl, &held))
		LOGN(NULL, "http: connection from %s ended without a valid HTTP request (not HTTP, "
			   "malformed, or closed by the peer)%s", c->peer, ratelim_note(held, note, sizeof(note)));
	if (c->prev)
		c->prev->next = c->next;
	else
		g->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&g->mu);
	free(c);
}

/* ---- request checks ------------------------------------------------------- */

int rest_is_json_type(const char *ct)
{
	static const char want[] = "application/json";
	if (!ct)
		return 0;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, want, sizeof(want) - 1))
		return 0;
	char next = ct[sizeof(want) - 1];
	return next == '\0' || next == ';' || next == ' ' || next == '\t';
}

/* The content types an HTML form (or a "simple" cross-site fetch) can send. */
static int is_form_type(const char *ct)
{
	static const char *const forms[] = { "application/x-www-form-urlencoded",
					     "multipart/form-data", "text/plain" };
	while (*ct == ' ' || *ct == '\t')
		ct++;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		size_t n = strlen(forms[i]);
		if (!strncasecmp(ct, forms[i], n) && strchr("; \t", ct[n]))
			return 1;
	}
	return 0;
}

/* host part of a Host header ("name:port", "[v6]:port") into buf */
static void host_part(const char *host, char *buf, size_t len)
{
	if (host[0] == '[') {
		const char *e = strchr(host, ']');
		size_t n = e ? (size_t)(e - host - 1) : strlen(host + 1);
		snprintf(buf, len, "%.*s", (int)n, host + 1);
		return;
	}
	size_t n = strcspn(host, ":");
	snprintf(buf, len, "%.*s", (int)n, host);
}

static int host_allowed(const struct rest_policy *p, const char *host)
{
	char h[256], a[16];
	host_part(host, h, sizeof(h));
	if (inet_pton(AF_INET, h, a) == 1 || inet_pton(AF_INET6, h, a) == 1)
		return 1;	/* an address cannot be re-bound by DNS */
	if (!strcasecmp(h, "localhost"))
		return 1;
	for (size_t i = 0; i < p->nhosts; i++)
		if (!strcasecmp(h, p->hosts[i]))
			return 1;
	return 0;
}

static int is_safe_method(const char *m)
{
	return !strcmp(m, "GET") || !strcmp(m, "HEAD") || !strcmp(m, "OPTIONS");
}

int rest_guard_check(const struct rest_policy *p, const struct rest_hdrs *h, char *why, size_t len)
{
	if (h->host && !host_allowed(p, h->host)) {
		snprintf(why, len, "Host '%.80s' is not an address, localhost or one of rest.hosts "
			 "(DNS rebinding?)", h->host);
		return 403;
	}
	if (h->origin) {
		static const char scheme[] = "http://";
		const char *o = h->origin;
		int same = h->host && !strncasecmp(o, scheme, sizeof(scheme) - 1) &&
			   !strcasecmp(o + sizeof(scheme) - 1, h->host);
		if (!same) {
			snprintf(why, len, "Origin '%.80s' is not this server (http://%.80s): "
				 "cross-site request refused", o, h->host ? h->host : "?");
			return 403;
		}
	}
	if (!is_safe_method(h->method) && !rest_is_json_type(h->content_type) &&
	    (h->body_len || (h->content_type && is_form_type(h->content_type)))) {
		snprintf(why, len, "%s with Content-Type '%.60s' and %zu octets refused: state-changing "
			 "requests need application/json or an empty body (no form posts)", h->method,
			 h->content_type ? h->content_type : "(none)", h->body_len);
		return 400;
	}
	return 0;
}
