/* broker_out.c: outgoing connections by key (OPEN/CANCEL) and their
 * re-establish back-off, as osmo-remsim's RSPRO connection FSM does it
 * (client.md §3.1-3.2): 3 immediate attempts, then 1 s x30, 2 s x30,
 * 4 s x30, 8 s x30, then 16 s; a failed connect waits for T2
 * (connect_timeout_ms) before the next attempt; the index resets when the
 * last attempt started more than 32 units ago.  backoff_unit_ms scales the
 * table (1000 on the wire; small in tests). */
#include "broker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

#define BACKOFF_LAST	123

static int backoff_units(int idx)
{
	if (idx < 3)
		return 0;
	if (idx < 33)
		return 1;
	if (idx < 63)
		return 2;
	if (idx < 93)
		return 4;
	if (idx < BACKOFF_LAST)
		return 8;
	return 16;
}

/* What happens to a key on each event, as a table.  The actions are done
 * by the functions below; this documents and drives the state changes. */
enum okey_event { OE_TIMER, OE_CONNECTED, OE_GONE, OE__COUNT };
static const enum okey_state okey_next[4][OE__COUNT] = {
	/*                 TIMER          CONNECTED   GONE (failed/closed)        */
	[OK_DELAY]      = { OK_CONNECTING, OK_DELAY,  OK_DELAY },
	[OK_CONNECTING] = { OK_DELAY,      OK_UP,     OK_WAIT },	/* T2 expiry: reestablish */
	[OK_WAIT]       = { OK_DELAY,      OK_WAIT,   OK_WAIT },	/* failed: wait for T2 */
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

/* client.md §3.2 "reestablish": schedule the next attempt. */
static void reestablish(struct broker *b, struct outkey *k)
{
	int64_t now = bnow();
	int64_t since = k->last_attempt ? now - k->last_attempt : INT64_MAX / 2;
	int64_t unit = b->cf.backoff_unit_ms;
	if (since > 32 * unit)
		k->idx = 0;
	int64_t delay = backoff_units(k->idx) * unit - since;
	if (delay <= 0)
		delay = 1;
	if (k->idx < BACKOFF_LAST)
		k->idx++;
	k->st = OK_DELAY;
	k->deadline = now + delay;
	broker_arm(b, k->deadline);
	LOGD(NULL, "out:%s next attempt in %lld ms (back-off index %d)", k->key, (long long)delay, k->idx);
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

static void attempt(struct broker *b, struct outkey *k)
{
	int64_t now = bnow();
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
		k->st = OK_WAIT;
		return;
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		LOGE(NULL, "out:%s socket: %s", k->key, strerror(errno));
		k->st = OK_WAIT;
		return;
	}
	tcp_set_nodelay(fd);
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS) {
		LOGW(NULL, "out:%s connect to %s failed: %s", k->key, peer, strerror(errno));
		close(fd);
		k->st = OK_WAIT;
		return;
	}
	struct conn *c = conn_new(b, fd, IPA_SIDE_OUTGOING, peer, origin, k->owner, CS_CONNECTING);
	if (!c) {
		close(fd);
		k->st = OK_WAIT;
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
	enum okey_state prev = k->st;
	k->st = okey_next[k->st][OE_GONE];
	if (prev == OK_UP)
		reestablish(b, k);
	/* CONNECTING -> WAIT: the T2 deadline already set stays */
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
	/* ESTABLISH: index 0, no previous attempt: immediately */
	k->idx = 0;
	k->last_attempt = 0;
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
