/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fake-hub: a stand-in for the broker in supervisor and remsim-ctl tests.
 *
 *   fake-hub --hub EP [--events FILE] [--control EP] [--curve-cert FILE]
 *   fake-hub --make-cert BASE      (writes a CURVE cert pair BASE, BASE_secret)
 *
 * Binds a ROUTER on the hub and appends every supervisor EVENT to FILE, one
 * line each: "MONO_MS<TAB>name<TAB>kind<TAB>pid<TAB>detail<TAB>restarts".
 * With --control it answers remsim-ctl requests (REP, JSON): "status" from
 * the events seen, "maps" (a fixed array), "banks" (a fixed object),
 * "history" (echoes its args); anything else is refused. */
#include "monotime.h"
#include <czmq.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct entry {
	char name[64], state[16], last_exit[256];
	long pid, restarts;
	int64_t since_ms;
};

static struct entry table[256];
static int nentries;

static struct entry *entry_for(const char *name)
{
	for (int i = 0; i < nentries; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	if (nentries == (int)(sizeof(table) / sizeof(table[0])))
		return NULL;
	struct entry *e = &table[nentries++];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	return e;
}

static void on_event(zmsg_t *m, FILE *log)
{
	char *f[6] = { 0 };
	for (int i = 0; i < 6; i++)
		f[i] = zmsg_popstr(m);
	if (f[0] && strcmp(f[0], "EVENT") == 0 && f[5]) {
		if (log) {
			fprintf(log, "%lld\t%s\t%s\t%s\t%s\t%s\n", (long long)mono_ms(), f[1], f[2], f[3],
				f[4], f[5]);
			fflush(log);
		}
		struct entry *e = entry_for(f[1]);
		if (e) {
			const char *kind = f[2];
			e->pid = strtol(f[3], NULL, 10);
			e->restarts = strtol(f[5], NULL, 10);
			if (strcmp(kind, "started") == 0) {
				snprintf(e->state, sizeof(e->state), "running");
				e->since_ms = mono_ms();
			} else {
				snprintf(e->state, sizeof(e->state), "%s",
					 strcmp(kind, "exited") == 0 ? "restarting" :
					 strcmp(kind, "gaveup") == 0 ? "failed" : "stopped");
				if (*f[4])
					snprintf(e->last_exit, sizeof(e->last_exit), "%s", f[4]);
			}
		}
	}
	for (int i = 0; i < 6; i++)
		zstr_free(&f[i]);
}

static json_t *cmd_status(void)
{
	json_t *arr = json_array();
	for (int i = 0; i < nentries; i++) {
		struct entry *e = &table[i];
		int running = strcmp(e->state, "running") == 0;
		json_array_append_new(arr, json_pack("{s:s,s:I,s:s,s:I,s:o,s:I}", "name", e->name,
			"pid", (json_int_t)(running ? e->pid : 0), "state", e->state,
			"restarts", (json_int_t)e->restarts,
			"last_exit", *e->last_exit ? json_string(e->last_exit) : json_null(),
			"uptime_s", (json_int_t)(running ? (mono_ms() - e->since_ms) / 1000 : 0)));
	}
	return arr;
}

static char *handle_request(const char *req)
{
	json_error_t jerr;
	json_t *in = json_loads(req, 0, &jerr), *out;
	const char *cmd = in ? json_string_value(json_object_get(in, "cmd")) : NULL;
	if (!cmd) {
		out = json_pack("{s:b,s:s}", "ok", 0, "error", "malformed request");
	} else if (strcmp(cmd, "status") == 0) {
		out = json_pack("{s:b,s:o}", "ok", 1, "result", cmd_status());
	} else if (strcmp(cmd, "maps") == 0) {
		out = json_pack("{s:b,s:[{s:s,s:s,s:s},{s:s,s:s,s:s}]}", "ok", 1, "result",
				"client", "3:0", "bank", "1:5", "state", "active",
				"client", "4:1", "bank", "1:6", "state", "new");
	} else if (strcmp(cmd, "banks") == 0) {
		out = json_pack("{s:b,s:{s:i,s:i,s:s}}", "ok", 1, "result",
				"bank_id", 1, "slots", 8, "address", "127.0.0.1:9999");
	} else if (strcmp(cmd, "history") == 0) {
		json_t *args = json_object_get(in, "args");
		out = json_pack("{s:b,s:{s:O,s:O}}", "ok", 1, "result", "args",
				args ? args : json_null(), "json",
				json_object_get(in, "json") ? json_object_get(in, "json") : json_null());
	} else {
		char msg[128];
		snprintf(msg, sizeof(msg), "unknown command '%s'", cmd);
		out = json_pack("{s:b,s:s}", "ok", 0, "error", msg);
	}
	char *s = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	json_decref(in);
	return s;
}

int main(int argc, char **argv)
{
	const char *hub = NULL, *events = NULL, *control = NULL, *curve = NULL;
	for (int i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--hub") == 0)
			hub = argv[++i];
		else if (strcmp(argv[i], "--events") == 0)
			events = argv[++i];
		else if (strcmp(argv[i], "--control") == 0)
			control = argv[++i];
		else if (strcmp(argv[i], "--curve-cert") == 0)
			curve = argv[++i];
		else if (strcmp(argv[i], "--make-cert") == 0) {
			zcert_t *c = zcert_new();
			int rc = zcert_save(c, argv[i + 1]);
			zcert_destroy(&c);
			return rc == 0 ? 0 : 1;
		}
	}
	if (!hub) {
		fprintf(stderr, "fake-hub: --hub EP required\n");
		return 2;
	}
	FILE *log = events ? fopen(events, "a") : NULL;
	zsock_t *router = zsock_new(ZMQ_ROUTER);
	if (zsock_bind(router, "%s", hub) < 0) {
		fprintf(stderr, "fake-hub: cannot bind %s\n", hub);
		return 1;
	}
	zsock_t *rep = NULL;
	if (control) {
		rep = zsock_new(ZMQ_REP);
		if (curve) {
			zcert_t *c = zcert_load(curve);
			if (!c) {
				fprintf(stderr, "fake-hub: cannot load %s\n", curve);
				return 1;
			}
			zcert_apply(c, rep);
			zsock_set_curve_server(rep, 1);
			zcert_destroy(&c);
		}
		if (zsock_bind(rep, "%s", control) < 0) {
			fprintf(stderr, "fake-hub: cannot bind %s\n", control);
			return 1;
		}
	}
	printf("fake-hub up on %s (control %s)\n", hub, control ? control : "-");
	fflush(stdout);
	zpoller_t *poller = zpoller_new(router, rep, NULL);
	while (!zsys_interrupted) {
		void *which = zpoller_wait(poller, 1000);
		if (zpoller_terminated(poller))
			break;
		if (which == router) {
			zmsg_t *m = zmsg_recv(router);
			if (!m)
				break;
			zframe_t *id = zmsg_pop(m);
			zframe_destroy(&id);
			on_event(m, log);
			zmsg_destroy(&m);
		} else if (rep && which == rep) {
			char *req = zstr_recv(rep);
			if (!req)
				break;
			char *resp = handle_request(req);
			zstr_send(rep, resp);
			free(resp);
			zstr_free(&req);
		}
	}
	/* SIGTERM: record the events already on their way (the supervisor
	 * sends "stopped" for the other actors just before stopping us) */
	zpoller_destroy(&poller);
	zsock_set_rcvtimeo(router, 200);
	for (;;) {
		zmsg_t *m = zmsg_recv(router);
		if (!m)
			break;
		zframe_t *id = zmsg_pop(m);
		zframe_destroy(&id);
		on_event(m, log);
		zmsg_destroy(&m);
	}
	zsock_destroy(&rep);
	zsock_destroy(&router);
	if (log)
		fclose(log);
	return 0;
}
