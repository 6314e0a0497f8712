/* SPDX-License-Identifier: GPL-2.0-or-later */
/* echo-actor: a test actor on common/actor/actor.h that sends every RSPRO PDU it
 * receives back on the same connection (with --defer-ms, later, from a
 * timer: sends from a timer while PDUs arrive are the event loop's hard
 * case; with --bind-to NAME it hands each connection over to actor NAME
 * with its first PDU instead, as bankmap does).  Control commands: "echo-count" (PDUs echoed since start, and
 * connections held), "echo-meta" (store args[0] as the metadata of every
 * held connection), "echo-conns" (held connections with peer, origin and
 * metadata). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actor.h"
#include "log.h"

/* a PDU waiting for the timer (--defer-ms) */
struct held {
	uint32_t conn;
	size_t len;
	struct held *next;
	uint8_t der[];
};

struct echo {
	unsigned long count;
	int quiet;
	const char *bind_to;	/* hand each connection over to this actor with its first PDU */
	unsigned defer_ms;	/* 0: echo at once */
	int timer;		/* armed while PDUs are held */
	struct held *first, **last;
	char told[16][600];	/* the last messages told by other actors: "FROM TEXT" */
	unsigned ntold;		/* how many were told in all (told[ntold % 16] is next) */
};

static void echo_one(struct actor *a, struct echo *e, uint32_t conn, const uint8_t *der, size_t len)
{
	e->count++;
	if (actor_send_rspro(a, conn, der, len) < 0 && !e->quiet)
		LOGW(NULL, "echo on conn %u failed", conn);
}

static void release_held(struct actor *a, void *arg)
{
	struct echo *e = arg;
	e->timer = 0;
	while (e->first) {
		struct held *h = e->first;
		e->first = h->next;
		echo_one(a, e, h->conn, h->der, h->len);
		free(h);
	}
	e->last = &e->first;
}

static void on_rspro(struct actor *a, uint32_t conn, const uint8_t *der, size_t len, void *ud)
{
	struct echo *e = ud;
	if (e->bind_to) {
		if (actor_bind(a, conn, e->bind_to, der, len) < 0)
			LOGW(NULL, "BIND of conn %u to %s failed", conn, e->bind_to);
		else
			LOGI(NULL, "conn %u handed over to %s with its first PDU", conn, e->bind_to);
		return;
	}
	struct held *h = e->defer_ms ? malloc(sizeof(*h) + len) : NULL;
	if (!h) {
		echo_one(a, e, conn, der, len);
		return;
	}
	h->conn = conn;
	h->len = len;
	h->next = NULL;
	memcpy(h->der, der, len);
	*e->last = h;
	e->last = &h->next;
	if (!e->timer)
		e->timer = actor_timer_add(a, e->defer_ms, 1, release_held, e);
}

static void on_up(struct actor *a, const struct actor_conn *c, int restored, void *ud)
{
	(void)a;
	struct echo *e = ud;
	if (!e->quiet)
		LOGI(NULL, "conn %u %s up (%s)%s meta=%.*s", c->id, c->peer, c->origin,
		     restored ? " restored" : "", (int)c->meta_len, c->meta ? (const char *)c->meta : "");
}

static void on_down(struct actor *a, uint32_t conn, const char *peer, const char *origin,
		    const char *reason, void *ud)
{
	(void)a;
	struct echo *e = ud;
	if (!e->quiet)
		LOGI(NULL, "conn %u %s down (%s): %s", conn, peer, origin, reason);
}

/* Messages between actors: "ping:X" is answered with "pong:X"; anything
 * else is kept (the last 16) for the echo-told and echo-told-all commands. */
static void on_tell(struct actor *a, const char *from, const uint8_t *data, size_t len, void *ud)
{
	struct echo *e = ud;
	if (len >= 5 && memcmp(data, "ping:", 5) == 0) {
		char reply[512];
		int n = snprintf(reply, sizeof(reply), "pong:%.*s", (int)(len - 5), (const char *)data + 5);
		actor_tell(a, from, reply, (size_t)n);
		return;
	}
	snprintf(e->told[e->ntold++ % 16], sizeof(e->told[0]), "%s %.*s", from, (int)len, (const char *)data);
}

static json_t *on_ctl(struct actor *a, const char *cmd, json_t *args, int want_json,
		      char *err, size_t errlen, void *ud)
{
	(void)want_json;
	struct echo *e = ud;
	if (!strcmp(cmd, "echo-count"))
		return json_pack("{s:I, s:I}", "echoed", (json_int_t)e->count,
				 "connections", (json_int_t)actor_conn_count(a));
	if (!strcmp(cmd, "echo-meta")) {
		const char *m = json_string_value(json_array_get(args, 0));
		if (!m) {
			snprintf(err, errlen, "usage: echo-meta TEXT");
			return NULL;
		}
		for (size_t i = 0; i < actor_conn_count(a); i++)
			actor_set_meta(a, actor_conn_at(a, i)->id, m, strlen(m));
		return json_integer((json_int_t)actor_conn_count(a));
	}
	if (!strcmp(cmd, "echo-tell")) {
		const char *to = json_string_value(json_array_get(args, 0));
		const char *text = json_string_value(json_array_get(args, 1));
		if (!to || !text) {
			snprintf(err, errlen, "usage: echo-tell ACTOR TEXT");
			return NULL;
		}
		return json_integer(actor_tell(a, to, text, strlen(text)));
	}
	if (!strcmp(cmd, "echo-told"))
		return json_string(e->ntold ? e->told[(e->ntold - 1) % 16] : "");
	if (!strcmp(cmd, "echo-told-all")) {	/* oldest first */
		json_t *arr = json_array();
		for (unsigned i = e->ntold > 16 ? e->ntold - 16 : 0; i < e->ntold; i++)
			json_array_append_new(arr, json_string(e->told[i % 16]));
		return arr;
	}
	if (!strcmp(cmd, "echo-conns")) {
		json_t *arr = json_array();
		for (size_t i = 0; i < actor_conn_count(a); i++) {
			const struct actor_conn *c = actor_conn_at(a, i);
			json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s#}", "id", (json_int_t)c->id,
				"peer", c->peer, "origin", c->origin, "meta",
				c->meta ? (const char *)c->meta : "", (int)c->meta_len));
		}
		return arr;
	}
	snprintf(err, errlen, "echo-actor does not know '%s'", cmd);
	return NULL;
}

int main(int argc, char **argv)
{
	struct actor_args args;
	if (actor_parse_args(argc, argv, &args, "echo-actor",
			    "Echoes every RSPRO PDU back on its connection (a test tool).\n"
			    "  --quiet          no per-connection log lines\n"
			    "  --defer-ms N     echo from a timer N ms after a PDU came (with those\n"
			    "                   that came meanwhile), not at once\n"
			    "  --bind-to NAME   hand each connection over to actor NAME with its first\n"
			    "                   PDU (BIND), as bankmap does to a reader\n"
			    "  --open KEY:HOST:PORT[:once]  open an outgoing connection (reconnecting\n"
			    "                   unless :once) and echo on it too\n"
			    "Control commands: echo-count, echo-meta TEXT, echo-conns, echo-tell ACTOR TEXT\n"
			    "(tell another actor; \"ping:X\" is answered with \"pong:X\"), echo-told (last message told),\n"
			    "echo-told-all (the last 16, oldest first)."))
		return args.exit_code;
	struct echo e = { .count = 0 };
	e.last = &e.first;
	const char *open_spec = NULL;
	for (int i = 1; i < args.argc; i++) {
		if (!strcmp(args.argv[i], "--quiet")) {
			e.quiet = 1;
		} else if (!strcmp(args.argv[i], "--defer-ms") && i + 1 < args.argc) {
			e.defer_ms = (unsigned)atoi(args.argv[++i]);
		} else if (!strcmp(args.argv[i], "--bind-to") && i + 1 < args.argc) {
			e.bind_to = args.argv[++i];
		} else if (!strcmp(args.argv[i], "--open") && i + 1 < args.argc) {
			open_spec = args.argv[++i];
		} else {
			fprintf(stderr, "echo-actor: unknown argument '%s'\n", args.argv[i]);
			return 2;
		}
	}
	struct actor_cbs cbs = { .on_rspro = on_rspro, .on_conn_up = on_up,
				 .on_conn_down = on_down, .on_ctl = on_ctl,
				 .on_tell = on_tell };
	struct actor *a = actor_new(&args, &cbs, &e);
	if (!a)
		return 1;
	if (open_spec) {
		char key[64], host[64], pol[16] = "";
		unsigned port = 0;
		if (sscanf(open_spec, "%63[^:]:%63[^:]:%u:%15s", key, host, &port, pol) < 3 ||
		    port == 0 || port > 65535) {
			fprintf(stderr, "echo-actor: --open wants KEY:HOST:PORT[:once]\n");
			actor_destroy(&a);
			return 2;
		}
		actor_open(a, key, host, (uint16_t)port,
			   !strcmp(pol, "once") ? ENV_POLICY_ONCE : ENV_POLICY_RECONNECT);
	}
	actor_run(a);
	LOGI(NULL, "stopping after %lu echoes", e.count);
	e.defer_ms = 0;
	while (e.first) {
		struct held *h = e.first;
		e.first = h->next;
		free(h);
	}
	actor_destroy(&a);
	return 0;
}
