/* SPDX-License-Identifier: GPL-2.0-or-later */
/* broker_conf.c: reads the broker's part of a role config (top-level run_dir,
 * hub, control as remsimd reads them, plus the `broker` group; see
 * docs/envelope.md "Broker configuration").  Errors are "file:line: reason". */
#include "broker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"

#define DEFAULT_RUN_DIR	"/run/remsim"
#define DEFAULT_HUB	"ipc://@RUN_DIR@/hub"
#define DEFAULT_CONTROL	"ipc://@RUN_DIR@/control"

/* Replace @RUN_DIR@ in tmpl (malloc'd). */
static char *subst_run_dir(const char *tmpl, const char *run_dir)
{
	const char *key = "@RUN_DIR@";
	size_t kl = strlen(key), rl = strlen(run_dir), n = 0;
	for (const char *p = strstr(tmpl, key); p; p = strstr(p + kl, key))
		n++;
	char *out = malloc(strlen(tmpl) + n * rl + 1), *o = out;
	if (!out)
		return NULL;
	for (const char *p = tmpl; *p;) {
		if (!strncmp(p, key, kl)) {
			memcpy(o, run_dir, rl);
			o += rl;
			p += kl;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

static const struct { const char *name; enum ipa_side side; } side_names[] = {
	{ "server", IPA_SIDE_SERVER_ACCEPTED },
	{ "bankd", IPA_SIDE_BANKD_ACCEPTED },
};

static int load_listener(struct cfg *cf, config_setting_t *e, unsigned idx, void *arg)
{
	struct bconf *c = arg;
	struct blisten_conf *l = &c->listen[idx];
	const char *name, *bind, *side, *actor;
	int port, ka;
	char defname[32];

	snprintf(defname, sizeof(defname), "l%u", idx);
	if (!config_setting_is_group(e))
		return cfg_fail(cf, e, "broker.listeners[%u] must be a group { port = ...; }", idx);
	static const char *const known[] = { "name", "bind", "port", "side", "actor", "max_connections",
					     "keepalive", NULL };
	if (cfg_check_keys(cf, e, "a broker listener", known))
		return -1;
	if (cfg_get_string(cf, e, "name", defname, sizeof(l->name) - 1, &name) < 0 ||
	    cfg_get_string(cf, e, "bind", "0.0.0.0", sizeof(l->bind) - 1, &bind) < 0 ||
	    cfg_get_string(cf, e, "side", NULL, 16, &side) < 0 ||
	    cfg_get_string(cf, e, "actor", NULL, ENV_NAME_MAX - 1, &actor) < 0 ||
	    cfg_get_int(cf, e, "port", 0, 0, 65535, &port) < 0 ||
	    cfg_get_int(cf, e, "max_connections", 0, 0, 10000000, &l->max_conns) < 0 ||
	    cfg_get_bool(cf, e, "keepalive", 1, &ka) < 0)
		return -1;
	if (!cfg_lookup(cf, e, "port"))
		return cfg_fail(cf, e, "broker.listeners[%u]: 'port' missing", idx);
	if (!side)
		return cfg_fail(cf, e, "broker.listeners[%u]: 'side' missing (\"server\" or \"bankd\")", idx);
	if (!actor || !*actor)
		return cfg_fail(cf, e, "broker.listeners[%u]: 'actor' missing (who gets new connections)", idx);
	size_t k;
	for (k = 0; k < sizeof(side_names) / sizeof(side_names[0]); k++)
		if (!strcmp(side, side_names[k].name))
			break;
	if (k == sizeof(side_names) / sizeof(side_names[0]))
		return cfg_fail(cf, cfg_lookup(cf, e, "side"),
				"broker.listeners[%u]: side must be \"server\" or \"bankd\" (got \"%s\")",
				idx, side);
	snprintf(l->name, sizeof(l->name), "%s", name);
	snprintf(l->bind, sizeof(l->bind), "%s", bind);
	snprintf(l->actor, sizeof(l->actor), "%s", actor);
	l->port = (uint16_t)port;
	l->side = side_names[k].side;
	l->keepalive = ka;
	l->line = (int)config_setting_source_line(e);
	for (unsigned j = 0; j < idx; j++)
		if (!strcmp(c->listen[j].name, l->name))
			return cfg_fail(cf, e, "duplicate listener name '%s'", l->name);
	return 0;
}

static int load_route(struct cfg *cf, config_setting_t *e, unsigned idx, void *arg)
{
	struct bconf *c = arg;
	const char *cmd = config_setting_name(e);
	if (config_setting_type(e) != CONFIG_TYPE_STRING || !*config_setting_get_string(e))
		return cfg_fail(cf, e, "broker.commands.%s must be an actor name (string)", cmd);
	if (strlen(cmd) >= sizeof(c->routes[0].cmd) ||
	    strlen(config_setting_get_string(e)) >= ENV_NAME_MAX)
		return cfg_fail(cf, e, "broker.commands.%s: name too long", cmd);
	if (!strcmp(cmd, "status"))
		return cfg_fail(cf, e, "broker.commands: 'status' is answered by the broker itself");
	snprintf(c->routes[idx].cmd, sizeof(c->routes[idx].cmd), "%s", cmd);
	snprintf(c->routes[idx].actor, sizeof(c->routes[idx].actor), "%s", config_setting_get_string(e));
	return 0;
}

static int endpoint_check(struct cfg *cf, config_setting_t *s, const char *what, const char *ep)
{
	if (!strncmp(ep, "ipc://", 6)) {
		if (strlen(ep + 6) > 100)
			return cfg_fail(cf, s, "%s: ipc path too long (max 100): %s", what, ep);
		return 0;
	}
	if (!strncmp(ep, "tcp://", 6) || !strncmp(ep, "inproc://", 9))
		return 0;
	return cfg_fail(cf, s, "%s must be an ipc:// or tcp:// endpoint (got \"%s\")", what, ep);
}

int bconf_load(struct bconf *c, const char *path, const char *hub_override,
	       const char *control_override, const char *name, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name ? name : "broker");
	c->max_payload = IPA_MAX_PAYLOAD_DEFAULT;
	c->hub_sndhwm = HUB_HWM_DEFAULT;
	c->hub_rcvhwm = HUB_HWM_DEFAULT;
	c->outbuf_max = 64 * 1024;
	c->ka_interval_ms = 30000;
	c->ka_timeout_ms = 10000;
	c->frame_timeout_ms = 10000;
	c->connect_timeout_ms = 10000;
	c->backoff_unit_ms = 1000;
	c->reconnect_min_ms = 100;
	c->reconnect_max_ms = 10000;
	c->reconnect_fast_ms = 1000;
	c->ctl_timeout_ms = 3000;
	c->path = strdup(path ? path : "");

	struct cfg *cf = NULL;
	config_setting_t *g = NULL;
	const char *run_dir = getenv("REMSIM_RUN_DIR"), *hub = NULL, *control = NULL, *s;
	int rc = -1, v;

	if (path) {
		cf = cfg_load(path, err, errlen);
		if (!cf)
			return -1;
		if (cfg_get_string(cf, NULL, "run_dir", run_dir ? run_dir : DEFAULT_RUN_DIR, 0, &run_dir) < 0 ||
		    cfg_get_string(cf, NULL, "hub", NULL, 0, &hub) < 0 ||
		    cfg_get_string(cf, NULL, "control", NULL, 0, &control) < 0)
			goto fail;
		g = cfg_lookup(cf, NULL, "broker");
		if (g && !config_setting_is_group(g)) {
			cfg_fail(cf, g, "'broker' must be a group { ... }");
			goto fail;
		}
	}
	if (!run_dir)
		run_dir = DEFAULT_RUN_DIR;
	c->run_dir = strdup(run_dir);
	if (control && cf)
		c->control_line = (int)config_setting_source_line(cfg_lookup(cf, NULL, "control"));
	if (!hub)
		hub = getenv("REMSIM_HUB");
	if (!control)
		control = getenv("REMSIM_CONTROL");
	if (hub_override)
		hub = hub_override;
	if (control_override) {
		control = control_override;
		c->control_line = 0;
	}
	c->hub = subst_run_dir(hub ? hub : DEFAULT_HUB, run_dir);
	c->control = subst_run_dir(control ? control : DEFAULT_CONTROL, run_dir);

	if (g) {
		static const char *const known[] = {
			"listeners", "commands", "max_frame", "hub_sndhwm", "hub_rcvhwm",
			"tcp_outbuf_max_kib", "keepalive_interval_ms", "keepalive_timeout_ms",
			"frame_timeout_ms", "connect_timeout_ms", "backoff_unit_ms", "ctl_timeout_ms",
			"control_group_writable", "control_curve_cert", "control_curve_clients",
			"reconnect_min_ms", "reconnect_max_ms", "reconnect_fast_ms", "max_connections", NULL,
		};
		if (cfg_check_keys(cf, g, "broker", known))
			goto fail;
		int kib;
		if (cfg_get_int(cf, g, "max_frame", IPA_MAX_PAYLOAD_DEFAULT, 16, 65535, &v) < 0)
			goto fail;
		c->max_payload = (size_t)v;
		if (cfg_get_int(cf, g, "hub_sndhwm", c->hub_sndhwm, 0, 10000000, &c->hub_sndhwm) < 0 ||
		    cfg_get_int(cf, g, "hub_rcvhwm", c->hub_rcvhwm, 0, 10000000, &c->hub_rcvhwm) < 0 ||
		    cfg_get_int(cf, g, "tcp_outbuf_max_kib", 64, 1, 65536, &kib) < 0 ||
		    cfg_get_int(cf, g, "keepalive_interval_ms", c->ka_interval_ms, 1, 86400000, &c->ka_interval_ms) < 0 ||
		    cfg_get_int(cf, g, "keepalive_timeout_ms", c->ka_timeout_ms, 1, 86400000, &c->ka_timeout_ms) < 0 ||
		    cfg_get_int(cf, g, "frame_timeout_ms", c->frame_timeout_ms, 1, 86400000, &c->frame_timeout_ms) < 0 ||
		    cfg_get_int(cf, g, "connect_timeout_ms", c->connect_timeout_ms, 1, 86400000, &c->connect_timeout_ms) < 0 ||
		    cfg_get_int(cf, g, "backoff_unit_ms", c->backoff_unit_ms, 1, 60000, &c->backoff_unit_ms) < 0 ||
		    cfg_get_int(cf, g, "ctl_timeout_ms", c->ctl_timeout_ms, 1, 600000, &c->ctl_timeout_ms) < 0 ||
		    cfg_get_int(cf, g, "reconnect_min_ms", c->reconnect_min_ms, 1, 600000, &c->reconnect_min_ms) < 0 ||
		    cfg_get_int(cf, g, "reconnect_max_ms", c->reconnect_max_ms, 1, 3600000, &c->reconnect_max_ms) < 0 ||
		    cfg_get_int(cf, g, "reconnect_fast_ms", c->reconnect_fast_ms, 1, 3600000, &c->reconnect_fast_ms) < 0 ||
		    cfg_get_int(cf, g, "max_connections", 0, 0, 10000000, &c->max_connections) < 0 ||
		    cfg_get_bool(cf, g, "control_group_writable", 0, &c->control_group_writable) < 0)
			goto fail;
		c->outbuf_max = (size_t)kib * 1024;
		if (cfg_get_string(cf, g, "control_curve_cert", NULL, 0, &s) < 0)
			goto fail;
		c->curve_cert = s ? strdup(s) : NULL;
		if (cfg_get_string(cf, g, "control_curve_clients", NULL, 0, &s) < 0)
			goto fail;
		c->curve_clients = s ? strdup(s) : NULL;

		config_setting_t *ls = cfg_lookup(cf, g, "listeners");
		if (ls) {
			if (!config_setting_is_list(ls) && !config_setting_is_array(ls)) {
				cfg_fail(cf, ls, "broker.listeners must be a list ( { ... }, ... )");
				goto fail;
			}
			c->nlisten = (size_t)config_setting_length(ls);
			c->listen = calloc(c->nlisten + 1, sizeof(*c->listen));
			if (!c->listen || cfg_foreach(cf, g, "listeners", load_listener, c))
				goto fail;
		}
		config_setting_t *rs = cfg_lookup(cf, g, "commands");
		if (rs) {
			if (!config_setting_is_group(rs)) {
				cfg_fail(cf, rs, "broker.commands must be a group { cmd = \"actor\"; ... }");
				goto fail;
			}
			c->nroutes = (size_t)config_setting_length(rs);
			c->routes = calloc(c->nroutes + 1, sizeof(*c->routes));
			if (!c->routes || cfg_foreach(cf, g, "commands", load_route, c))
				goto fail;
		}
	}
	if (cf) {
		if (endpoint_check(cf, cfg_lookup(cf, NULL, "hub"), "hub", c->hub) ||
		    endpoint_check(cf, cfg_lookup(cf, NULL, "control"), "control", c->control))
			goto fail;
	}
	rc = 0;
	goto out;
fail:
	if (cf)
		snprintf(err, errlen, "%s", cfg_error(cf));
out:
	cfg_free(&cf);
	return rc;
}

void bconf_free(struct bconf *c)
{
	free(c->path);
	free(c->run_dir);
	free(c->hub);
	free(c->control);
	free(c->curve_cert);
	free(c->curve_clients);
	free(c->listen);
	free(c->routes);
	memset(c, 0, sizeof(*c));
}
