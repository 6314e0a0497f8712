/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c: the metrics actor: config (group `metrics`), hub membership (so
 * that remsimd and `remsim-ctl status` see it like any actor), and the HTTP
 * listener (libmicrohttpd, its own thread) answering GET /metrics. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <zmq.h>

#include "actor.h"
#include "config.h"
#include "ctlclient.h"
#include "log.h"
#include "metrics.h"

static const char HELP[] =
	"A Prometheus text endpoint for the role (opt-in): GET http://LISTEN/metrics.\n"
	"Reads from the --config file (see docs/metrics.md):\n"
	"  metrics = { listen = \"127.0.0.1:9464\"; role = \"bankd\"; timeout_ms = 2000; };\n"
	"role defaults to server/bankd/client after the role's actors (mapstore, bankmap, usbslot).";

struct metrics {
	struct metrics_conf cf;
	const char *control;
	void *zctx;
	struct MHD_Daemon *d;
};

/* server, bankd or client, after the actors the role runs */
static void guess_role(struct cfg *c, char *role, size_t len)
{
	static const struct { const char *actor, *role; } kinds[] = {
		{ "mapstore", "server" }, { "bankmap", "bankd" }, { "usbslot", "client" },
	};
	config_setting_t *l = cfg_lookup(c, NULL, "actors");
	for (int i = 0; l && i < config_setting_length(l); i++) {
		const char *n = NULL;
		config_setting_lookup_string(config_setting_get_elem(l, (unsigned)i), "name", &n);
		for (size_t k = 0; n && k < sizeof(kinds) / sizeof(kinds[0]); k++)
			if (!strcmp(n, kinds[k].actor)) {
				snprintf(role, len, "%s", kinds[k].role);
				return;
			}
	}
	snprintf(role, len, "remsim");
}

static int load_config(struct metrics_conf *cf, const char *path)
{
	char err[512];
	const char *listen = "127.0.0.1:9464", *role = NULL;
	int timeout = 2000;
	struct cfg *c = path ? cfg_load(path, err, sizeof(err)) : NULL;
	if (path && !c) {
		LOGF(NULL, "%s", err);
		return -1;
	}
	config_setting_t *g = c ? cfg_lookup(c, NULL, "metrics") : NULL;
	static const char *const known[] = { "listen", "role", "timeout_ms", NULL };
	if (g && (cfg_check_keys(c, g, "metrics", known) < 0 ||
		  cfg_get_string(c, g, "listen", listen, sizeof(cf->listen) - 1, &listen) < 0 ||
		  cfg_get_string(c, g, "role", NULL, sizeof(cf->role) - 1, &role) < 0 ||
		  cfg_get_int(c, g, "timeout_ms", 2000, 100, 60000, &timeout) < 0)) {
		LOGF(NULL, "%s", cfg_error(c));
		cfg_free(&c);
		return -1;
	}
	snprintf(cf->listen, sizeof(cf->listen), "%s", listen);
	if (role)
		snprintf(cf->role, sizeof(cf->role), "%s", role);
	else if (c)
		guess_role(c, cf->role, sizeof(cf->role));
	else
		snprintf(cf->role, sizeof(cf->role), "remsim");
	cf->timeout_ms = timeout;
	cfg_free(&c);
	return 0;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned code, char *body, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	enum MHD_Result ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *data_len, void **state)
{
	(void)version;
	(void)data;
	struct metrics *m = cls;
	if (!*state) {		/* first call: headers only */
		*state = m;
		return MHD_YES;
	}
	if (*data_len) {
		*data_len = 0;	/* a body is not expected: ignored */
		return MHD_YES;
	}
	if (strcmp(url, "/metrics"))
		return reply(conn, 404, strdup("not found: the metrics are at /metrics\n"), "text/plain");
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(conn, 405, strdup("only GET\n"), "text/plain");
	char err[300];
	json_t *status = NULL, *slots = NULL, *maps = NULL;
	int up = ctlclient_call(m->zctx, m->control, "status", m->cf.timeout_ms, &status, err, sizeof(err)) == 0;
	if (!up)
		LOGW(NULL, "scrape: %s", err);
	if (up && ctlclient_call(m->zctx, m->control, "slots", m->cf.timeout_ms, &slots, err, sizeof(err)) < 0)
		LOGW(NULL, "scrape: %s", err);
	if (up && !strcmp(m->cf.role, "server") &&
	    ctlclient_call(m->zctx, m->control, "maps", m->cf.timeout_ms, &maps, err, sizeof(err)) < 0)
		LOGW(NULL, "scrape: %s", err);
	char *text = metrics_render(m->cf.role, up, status, slots, maps);
	json_decref(status);
	json_decref(slots);
	json_decref(maps);
	if (!text)
		return reply(conn, 500, strdup("out of memory\n"), "text/plain");
	return reply(conn, 200, text, "text/plain; version=0.0.4; charset=utf-8");
}

static int start_http(struct metrics *m)
{
	char host[64];
	const char *colon = strrchr(m->cf.listen, ':');
	int port = colon ? atoi(colon + 1) : 0;
	if (!colon || port <= 0 || port > 65535 || (size_t)(colon - m->cf.listen) >= sizeof(host)) {
		LOGF(NULL, "metrics.listen \"%s\" is not ADDR:PORT", m->cf.listen);
		return -1;
	}
	memcpy(host, m->cf.listen, (size_t)(colon - m->cf.listen));
	host[colon - m->cf.listen] = '\0';
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		LOGF(NULL, "metrics.listen \"%s\": '%s' is not an IPv4 address", m->cf.listen, host);
		return -1;
	}
	m->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL, NULL, on_request, m,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)16,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)5, MHD_OPTION_END);
	if (!m->d) {
		LOGF(NULL, "metrics: cannot listen on %s (address in use?)", m->cf.listen);
		return -1;
	}
	LOGI(NULL, "metrics of role %s on http://%s/metrics", m->cf.role, m->cf.listen);
	return 0;
}

int main(int argc, char **argv)
{
	struct actor_args args;
	if (actor_parse_args(argc, argv, &args, "metrics", HELP))
		return args.exit_code;
	log_init(args.name);
	static struct metrics m;
	m.control = getenv("REMSIM_CONTROL");
	if (!m.control || !*m.control) {
		LOGF(NULL, "REMSIM_CONTROL is not set: run me under remsimd");
		return 1;
	}
	if (load_config(&m.cf, args.config) < 0)
		return 1;
	if (cfg_check_only())
		return 0;
	m.zctx = zmq_ctx_new();
	struct actor *a = m.zctx ? actor_new(&args, NULL, &m) : NULL;
	int rc = 1;
	if (a && start_http(&m) == 0) {
		actor_run(a);
		rc = 0;
	}
	if (m.d)
		MHD_stop_daemon(m.d);
	actor_destroy(&a);
	if (m.zctx)
		zmq_ctx_term(m.zctx);
	return rc;
}
