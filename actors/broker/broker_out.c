/* SPDX-License-Identifier: GPL-2.0-or-later */
/* broker_out.c: outgoing connections by key (OPEN/CANCEL) and their
 * re-establish back-off.  osmo-remsim waits 1 s and more between attempts
 * (10 s before a restarted peer is used again); remsim retries fast and
 * still never storms:
 *   - the first attempt after a link is lost (or opened) is immediate;
 *   - then reconnect_min_ms (100) doubling per failed attempt, with +-25 %
 *     jitter so that a fleet of clients does not reconnect in lock-step;
 *   - while the peer has been away for less than 30 s the delay is capped at
 *     reconnect_fast_ms (1000): a peer that restarts is used again within
 *     about a second of listening again, at most 1 attempt/s meanwhile;
 *   - after that the cap is reconnect_max_ms (10000);
 *   - a link that came up resets all this.
 * A connect that hangs is abandoned after connect_timeout_ms (T2), which
 * counts as a failed attempt. */
#include "broker.h"
#include "monotime.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

#define FAST_PERIOD_MS	30000

/* Delay before attempt number idx (0: the first after the loss). */
static int64_t backoff_ms(const struct bconf *cf, int idx, int64_t away_ms)
{
	if (idx <= 0)
		return 0;
	int64_t cap = away_ms < FAST_PERIOD_MS ? cf->reconnect_fast_ms : cf->reconnect_max_ms;
	if (cap > cf->reconnect_max_ms)
		cap = cf->reconnect_max_ms;
	int64_t d = cf->reconnect_min_ms;
	for (int i = 1; i < idx && d < cap; i++)
		d *= 2;
	if (d > cap)
		d = cap;
	/* +-25 % jitter */
	int64_t j = d / 4;
	if (j > 0)
		d += (int64_t)(random() % (2 * j + 1)) - j;
	return d > 0 ? d : 1;
}

/* What happens to a key on each event, as a table.  The actions are done
 * by the functions below; this documents and drives the state changes. */
enum okey_event { OE_TIMER, OE_CONNECTED, OE_GONE, OE__COUNT };
static const enum okey_state okey_next[4][OE__COUNT] = {
	/*                 TIMER          CONNECTED   GONE (failed/closed)        */
	[OK_DELAY]      = { OK_CONNECTING, OK_DELAY,  OK_DELAY },
	[OK_CONNECTING] = { OK_DELAY,      OK_UP,     OK_DELAY },	/* T2 expiry or failed: back-off */
	[OK_WAIT]       = { OK_DELAY,      OK_WAIT,   OK_WAIT },	/* (unused since the fast back-off) */
	[OK_UP]         = { OK_UP,         OK_UP,     OK_DELAY },	/* lost: reestablish */
};

static struct outkey *key_find(struct broker *b, const char *key)
{
	for (struct outkey *k = b->keys; k; k = k->next)
		if (!strcmp(k->key, key))
			return k;
	return NULL;
}

static void key_free(struct broker *b, struct outkey *k)
{
	for (struct outkey **pp = &b->keys; *pp; pp = &(*pp)->next)
		if (*pp == k) {
			*pp = k->next;
			break;
		}
	if (k->conn) {
		k->conn->key = NULL;
		k->conn = NULL;
	}
	free(k);
}

/* Schedule the next attempt of a key (after a loss, a failure or at OPEN). */
static void reestablish(struct broker *b, struct outkey *k)
{
	int64_t now = mono_ms();
	if (!k->down_since)
		k->down_since = now;
	int64_t delay = backoff_ms(&b->cf, k->idx, now - k->down_since);
	if (k->idx < 1000)
		k->idx++;
	k->st = OK_DELAY;
	k->deadline = now + (delay ? delay : 1);
	broker_arm(b, k->deadline);
	LOGD(NULL, "out:%s next attempt in %lld ms (attempt %d, peer away %lld ms)", k->key,
	     (long long)delay, k->idx, (long long)(now - k->down_since));
}

static int resolve(const char *host, uint16_t port, struct sockaddr_storage *ss, socklen_t *sl)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV }, *res = NULL;
	char ps[8];
	snprintf(ps, sizeof(ps), "%u", port);
	int rc = getaddrinfo(host, ps, &hints, &res);
	if (rc == EAI_NONAME) {
		/* a host name: resolved synchronously (rare: roles use addresses) */
		hints.ai_flags = AI_NUMERICSERV;
		rc = getaddrinfo(host, ps, &hints, &res);
	}
	if (rc != 0 || !res)
		return -1;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sl = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

void out_conn_gone(struct broker *b, struct outkey *k, const char *reason, int was_up);

/* An attempt that failed before a connection existed (as a failed connect). */
static void attempt_failed(struct broker *b, struct outkey *k)
{
	out_conn_gone(b, k, "connect failed", 0);
}

static void attempt(struct broker *b, struct outkey *k)
{
	int64_t now = mono_ms();
	k->last_attempt = now;
	k->st = okey_next[k->st][OE_TIMER];	/* -> CONNECTING */
	k->deadline = now + b->cf.connect_timeout_ms;
	broker_arm(b, k->deadline);

	char peer[ENV_PEER_MAX], origin[ENV_ORIGIN_MAX];
	snprintf(peer, sizeof(peer), strchr(k->host, ':') ? "[%s]:%u" : "%s:%u", k->host, k->port);
	snprintf(origin, sizeof(origin), "%s%s", ENV_ORIGIN_OUT, k->key);
	struct sockaddr_storage ss;
	socklen_t sl;
	if (resolve(k->host, k->port, &ss, &sl) < 0) {
		LOGE(NULL, "out:%s cannot resolve %s", k->key, k->host);
		attempt_failed(b, k);
		return;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		LOGE(NULL, "out:%s socket: %s", k->key, strerror(errno));
		attempt_failed(b, k);
		return;
	}
	tcp_set_nodelay(fd);
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS) {
		LOGW(NULL, "out:%s connect to %s failed: %s", k->key, peer, strerror(errno));
		close(fd);
		attempt_failed(b, k);
		return;
	}
	struct conn *c = conn_new(b, fd, IPA_SIDE_OUTGOING, peer, origin, k->owner, CS_CONNECTING);
	if (!c) {
		close(fd);
		attempt_failed(b, k);
		return;
	}
	c->key = k;
	k->conn = c;
	LOGD(c->ctx, "connecting (out:%s)", k->key);
}

void out_connected(struct broker *b, struct outkey *k)
{
	(void)b;
	k->st = okey_next[k->st][OE_CONNECTED];
	k->deadline = 0;
	k->idx = 0;		/* up: the next loss retries at once */
	k->down_since = 0;
	if (k->conn)
		LOGI(k->conn->ctx, "connected (out:%s)", k->key);
}

void out_conn_gone(struct broker *b, struct outkey *k, const char *reason, int was_up)
{
	if (k->once) {
		if (!was_up) {
			/* never came up: tell the owner with conn id 0 */
			char peer[ENV_PEER_MAX], origin[ENV_ORIGIN_MAX];
			snprintf(peer, sizeof(peer), "%s:%u", k->host, k->port);
			snprintf(origin, sizeof(origin), "%s%s", ENV_ORIGIN_OUT, k->key);
			struct conn tmp;
			memset(&tmp, 0, sizeof(tmp));
			snprintf(tmp.peer, sizeof(tmp.peer), "%s", peer);
			snprintf(tmp.origin, sizeof(tmp.origin), "%s", origin);
			snprintf(tmp.owner, sizeof(tmp.owner), "%s", k->owner);
			snprintf(tmp.ctx, sizeof(tmp.ctx), "out:%s", k->key);
			hub_down(b, &tmp, reason);
		}
		key_free(b, k);
		return;
	}
	k->st = okey_next[k->st][OE_GONE];
	/* lost (UP -> DELAY: the index was reset when it came up, so this
	 * retries at once) or failed (CONNECTING -> DELAY: the next step) */
	reestablish(b, k);
}

void out_timers(struct broker *b, int64_t now)
{
	for (struct outkey *k = b->keys, *next; k; k = next) {
		next = k->next;
		if (!k->deadline || now < k->deadline) {
			broker_arm(b, k->deadline);
			continue;
		}
		k->deadline = 0;
		switch (k->st) {
		case OK_DELAY:
			attempt(b, k);
			break;
		case OK_CONNECTING:
		case OK_WAIT:
			if (k->conn) {
				LOGW(k->conn->ctx, "out:%s connect timed out after %d ms", k->key,
				     b->cf.connect_timeout_ms);
				struct conn *c = k->conn;
				k->conn = NULL;
				c->key = NULL;
				conn_close(b, c, "connect timeout");
			}
			if (k->once) {
				out_conn_gone(b, k, "connect failed", 0);
				continue;
			}
			k->st = okey_next[k->st][OE_TIMER];
			reestablish(b, k);
			break;
		case OK_UP:
			break;
		}
		/* a key freed above is not touched again (next saved) */
	}
}

void out_open(struct broker *b, const char *owner, const char *key, const char *host,
	      uint16_t port, int once)
{
	struct outkey *k = key_find(b, key);
	if (k && !strcmp(k->host, host) && k->port == port && k->once == once) {
		/* re-claimed, e.g. by a restarted actor: keep the connection */
		if (strcmp(k->owner, owner)) {
			snprintf(k->owner, sizeof(k->owner), "%s", owner);
			if (k->conn)
				conn_set_owner(b, k->conn, owner);
		}
		LOGD(NULL, "out:%s re-claimed by %s", key, owner);
		return;
	}
	if (k)
		out_cancel(b, k->owner, key);
	k = calloc(1, sizeof(*k));
	if (!k) {
		LOGE(NULL, "out:%s: out of memory", key);
		return;
	}
	snprintf(k->key, sizeof(k->key), "%s", key);
	snprintf(k->host, sizeof(k->host), "%s", host);
	snprintf(k->owner, sizeof(k->owner), "%s", owner);
	k->port = port;
	k->once = once;
	k->next = b->keys;
	b->keys = k;
	LOGI(NULL, "out:%s opening %s:%u for %s (%s)", key, host, port, owner,
	     once ? ENV_POLICY_ONCE : ENV_POLICY_RECONNECT);
	/* ESTABLISH: the first attempt at once */
	k->idx = 0;
	k->last_attempt = 0;
	k->down_since = 0;
	reestablish(b, k);
}

void out_cancel(struct broker *b, const char *owner, const char *key)
{
	struct outkey *k = key_find(b, key);
	if (!k) {
		LOGW(NULL, "out:%s CANCEL from %s: no such key", key, owner);
		return;
	}
	LOGI(NULL, "out:%s cancelled by %s", key, owner);
	struct conn *c = k->conn;
	key_free(b, k);
	if (c)
		conn_close(b, c, "cancelled");
}

void out_free_all(struct broker *b)
{
	while (b->keys)
		key_free(b, b->keys);
}
