/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c: the REST actor: osmo-remsim-server's HTTP API (default :9997,
 * /api/backend/v1) translated onto control requests.  Options, the role's
 * libconfig file, signals; the work happens in rest_http.c/rest_routes.c. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "log.h"
#include "logconf.h"
#include "rest.h"
#include "version.h"

struct opts {
	char *listen;
	char *control;
	char *token;
	char *www_dir;		/* dashboard files (rest_static.c) */
	int timeout_ms;
	const char *config;
	int req_timeout_ms, max_conns, max_per_addr;
	char *hosts[REST_MAX_HOSTS];
	size_t nhosts;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rest [options]\n"
		"HTTP API of osmo-remsim-server (base " REST_BASE "), translated onto the\n"
		"role's control socket.\n"
		"  -l, --listen ADDR:PORT  address to listen on (default " REST_DEFAULT_LISTEN ");\n"
		"                          [V6ADDR]:PORT for IPv6; prefer 127.0.0.1:9997 unless\n"
		"                          remote access is needed\n"
		"  -c, --control ENDPOINT  control socket (default: $REMSIM_CONTROL, then the\n"
		"                          config's 'control', then " REST_DEFAULT_CONTROL ")\n"
		"  -t, --token TOKEN       require 'Authorization: Bearer TOKEN' on every request\n"
		"                          (default: $REMSIM_REST_TOKEN, then rest.token; empty =\n"
		"                          NO authentication)\n"
		"  -T, --timeout MS        control reply timeout, then 503 (default %d)\n"
		"  -w, --www-dir DIR       dashboard files served at / (default: rest.www_dir, then\n"
		"                          PREFIX/share/remsim/www when installed, then the source tree's\n"
		"                          actors/rest/www)\n"
		"      --config FILE       role config: rest { listen; token; timeout_ms; www_dir; hosts;\n"
		"                          request_timeout_ms; max_connections; max_per_address; },\n"
		"                          control, run_dir (command line and environment win)\n"
		"      --hub ENDPOINT      accepted for remsimd, unused\n"
		"      --name NAME         accepted for remsimd, unused\n"
		"  -d, --log-level LEVEL   debug|info|notice|warn|error\n"
		"  -h, --help              this text\n"
		"SIGTERM or SIGINT: clean exit 0.\n",
		REST_DEFAULT_TIMEOUT_MS);
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? strdup(v) : NULL;
}

/* tmpl with every "@RUN_DIR@" replaced by run_dir (malloc'd) */
static char *subst_run_dir(const char *tmpl, const char *run_dir)
{
	static const char key[] = "@RUN_DIR@";
	size_t n = 0;
	for (const char *p = tmpl; (p = strstr(p, key)); p += sizeof(key) - 1)
		n++;
	char *out = malloc(strlen(tmpl) + n * strlen(run_dir) + 1);
	if (!out)
		return NULL;
	char *o = out;
	for (const char *p = tmpl; *p;) {
		if (!strncmp(p, key, sizeof(key) - 1)) {
			o = stpcpy(o, run_dir);
			p += sizeof(key) - 1;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

static int add_host(struct cfg *c, config_setting_t *e, unsigned idx, void *arg)
{
	struct opts *o = arg;
	const char *v = config_setting_get_string(e);
	(void)idx;
	if (!v || !*v || strlen(v) > 253)
		return cfg_fail(c, e, "rest.hosts: each entry must be a host name (1..253 characters)");
	if (o->nhosts == REST_MAX_HOSTS)
		return cfg_fail(c, e, "rest.hosts: at most %d names", REST_MAX_HOSTS);
	o->hosts[o->nhosts++] = strdup(v);
	return 0;
}

static int load_config(struct opts *o, const char *path)
{
	char err[512];
	struct cfg *c = cfg_load(path, err, sizeof(err));
	if (!c) {
		LOGF(NULL, "%s", err);
		return -1;
	}
	const char *listen, *token, *control, *run_dir, *www;
	int rc = -1;
	static const char *const known[] = { "listen", "token", "www_dir", "timeout_ms",
		"request_timeout_ms", "max_connections", "max_per_address", "hosts", NULL };
	if (cfg_check_keys(c, cfg_lookup(c, NULL, "rest"), "rest", known) < 0 ||
	    cfg_get_string(c, NULL, "rest.listen", REST_DEFAULT_LISTEN, 255, &listen) < 0 ||
	    cfg_get_string(c, NULL, "rest.token", "", 255, &token) < 0 ||
	    cfg_get_string(c, NULL, "rest.www_dir", NULL, 1024, &www) < 0 ||
	    cfg_get_int(c, NULL, "rest.timeout_ms", o->timeout_ms, 10, 600000, &o->timeout_ms) < 0 ||
	    cfg_get_int(c, NULL, "rest.request_timeout_ms", o->req_timeout_ms, 100, 600000,
			&o->req_timeout_ms) < 0 ||
	    cfg_get_int(c, NULL, "rest.max_connections", o->max_conns, 1, 4096, &o->max_conns) < 0 ||
	    cfg_get_int(c, NULL, "rest.max_per_address", o->max_per_addr, 1, 4096, &o->max_per_addr) < 0 ||
	    cfg_foreach(c, NULL, "rest.hosts", add_host, o) < 0 ||
	    cfg_get_string(c, NULL, "control", NULL, 1024, &control) < 0 ||
	    cfg_get_string(c, NULL, "run_dir", "/run/remsim", 1024, &run_dir) < 0) {
		LOGF(NULL, "%s", cfg_error(c));
		goto out;
	}
	set_str(&o->listen, listen);
	set_str(&o->token, token);
	if (www && *www)
		set_str(&o->www_dir, www);
	if (control) {
		const char *rd = getenv("REMSIM_RUN_DIR");
		free(o->control);
		o->control = subst_run_dir(control, rd && *rd ? rd : run_dir);
	}
	rc = 0;
out:
	cfg_free(&c);
	return rc;
}

enum { OPT_CONFIG = 256, OPT_HUB, OPT_NAME };

static int parse_args(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "control", required_argument, NULL, 'c' },
		{ "token", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "www-dir", required_argument, NULL, 'w' },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "hub", required_argument, NULL, OPT_HUB },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "log-level", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen = NULL, *control = NULL, *token = NULL, *timeout = NULL, *www = NULL;
	int ch;
	while ((ch = getopt_long(argc, argv, "l:c:t:T:w:d:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'l': listen = optarg; break;
		case 'c': control = optarg; break;
		case 't': token = optarg; break;
		case 'T': timeout = optarg; break;
		case 'w': www = optarg; break;
		case OPT_CONFIG: o->config = optarg; break;
		case OPT_HUB: case OPT_NAME: break;
		case 'd': {
			int l = log_level_parse(optarg);
			if (l < 0) {
				fprintf(stderr, "rest: unknown log level '%s'\n", optarg);
				return 2;
			}
			log_set_level((enum log_level)l);
			setenv("REMSIM_LOG_LEVEL", optarg, 1);	/* stays over the config's `log` group */
			break;
		}
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "rest: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	/* defaults < config file < environment < command line */
	if (o->config && load_config(o, o->config))
		return 2;
	const char *env;
	if ((env = getenv("REMSIM_CONTROL")) && *env)
		set_str(&o->control, env);
	if ((env = getenv("REMSIM_REST_TOKEN")) && *env)
		set_str(&o->token, env);
	if (listen)
		set_str(&o->listen, listen);
	if (control)
		set_str(&o->control, control);
	if (token)
		set_str(&o->token, token);
	if (www)
		set_str(&o->www_dir, www);
	if (!o->www_dir)
		o->www_dir = rest_static_default_dir();
	if (timeout) {
		long long t = rj_parse_uint(timeout, 600000);
		if (t < 10) {
			fprintf(stderr, "rest: --timeout must be 10..600000 ms\n");
			return 2;
		}
		o->timeout_ms = (int)t;
	}
	if (!o->listen)
		set_str(&o->listen, REST_DEFAULT_LISTEN);
	if (!o->control)
		set_str(&o->control, REST_DEFAULT_CONTROL);
	return 0;
}

/* RUN_DIR/log-levels as last seen: the broker replaces it (rename) on
 * every `remsim-ctl log` change. */
struct runtime_file {
	int seen;
	struct stat st;
};

/* 1 when the file is new, gone or replaced since the last call. */
static int runtime_file_changed(struct runtime_file *rf)
{
	char path[600];
	struct stat st;
	int there = *log_runtime_path(NULL, path, sizeof(path)) && stat(path, &st) == 0;
	int changed = there != rf->seen ||
		      (there && (st.st_ino != rf->st.st_ino || st.st_mtim.tv_sec != rf->st.st_mtim.tv_sec ||
				 st.st_mtim.tv_nsec != rf->st.st_mtim.tv_nsec || st.st_size != rf->st.st_size));
	rf->seen = there;
	if (there)
		rf->st = st;
	return changed;
}

/* 1 if the listen address is a loopback one (127/8, ::1) */
static int is_loopback(const char *listen)
{
	return !strncmp(listen, "127.", 4) || !strncmp(listen, "[::1]:", 6) ||
	       !strncmp(listen, "localhost:", 10);
}

int main(int argc, char **argv)
{
	if (version_flag(argc, argv, "rest"))
		return 0;
	log_init("rest");
	struct opts o = { .timeout_ms = REST_DEFAULT_TIMEOUT_MS, .req_timeout_ms = REST_DEFAULT_REQ_TIMEOUT_MS,
			  .max_conns = REST_DEFAULT_MAX_CONNS, .max_per_addr = REST_DEFAULT_MAX_PER_ADDR };
	int rc = parse_args(&o, argc, argv);
	if (rc) {
		rc = rc == 1 ? 0 : 2;
		goto out;
	}
	if (cfg_check_only())
		goto out;
	char lerr[512];
	if (logconf_apply_file(o.config, lerr, sizeof(lerr)) < 0) {
		LOGF(NULL, "%s", lerr);
		rc = 1;
		goto out;
	}
	/* request threads inherit this mask; only sigwait() below sees them */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct rest_app app = { .token = o.token, .www_dir = o.www_dir,
				.req_timeout_ms = (unsigned)o.req_timeout_ms,
				.max_conns = (unsigned)o.max_conns, .max_per_addr = (unsigned)o.max_per_addr };
	for (size_t i = 0; i < o.nhosts; i++)
		app.policy.hosts[app.policy.nhosts++] = o.hosts[i];
	if (rest_ctl_init(&app.ctl, o.control, o.timeout_ms)) {
		LOGE(NULL, "cannot create ZeroMQ context");
		rc = 1;
		goto out;
	}
	char err[256];
	struct rest_http *h = rest_http_start(&app, o.listen, err, sizeof(err));
	if (!h) {
		LOGE(NULL, "%s", err);
		rest_ctl_fini(&app.ctl);
		rc = 1;
		goto out;
	}
	if (o.www_dir && rest_static_usable(o.www_dir))
		LOGI(NULL, "dashboard at http://%s/ from %s", o.listen, o.www_dir);
	else if (o.www_dir)
		LOGW(NULL, "no index.html in %s (rest.www_dir): / answers 404", o.www_dir);
	else
		LOGW(NULL, "no dashboard files found (set rest.www_dir): / answers 404");
	LOGI(NULL, "listening on %s (port %u), base %s, control %s, timeout %d ms, %s", o.listen,
	     rest_http_port(h), REST_BASE, o.control, o.timeout_ms,
	     o.token && *o.token ? "bearer token required" : "NO authentication");
	LOGI(NULL, "limits: %d connections, %d per address, %d ms per request; Host: addresses, "
		   "localhost and %zu configured names", o.max_conns, o.max_per_addr, o.req_timeout_ms, o.nhosts);
	if (!(o.token && *o.token) && !is_loopback(o.listen))
		LOGW(NULL, "REST API on %s (port %u) WITHOUT authentication: anyone who can reach this "
			   "port on %s can create and delete mappings; set rest.token, or rest.listen / "
			   "--rest-listen to 127.0.0.1:%u", o.listen, rest_http_port(h),
		     strncmp(o.listen, "0.0.0.0:", 8) && strncmp(o.listen, ":", 1) && strncmp(o.listen, "*:", 2) &&
				     strncmp(o.listen, "[::]:", 5)
			     ? "that address"
			     : "ANY interface of this host",
		     rest_http_port(h));

	/* Not on the hub, so the broker cannot tell this process of a
	 * `remsim-ctl log` change: it looks at the file the broker keeps them
	 * in (RUN_DIR/log-levels) once a second instead. */
	int sig;
	struct runtime_file rf = { 0 };
	runtime_file_changed(&rf);
	for (;;) {
		struct timespec one = { 1, 0 };
		sig = sigtimedwait(&set, NULL, &one);
		if (sig > 0)
			break;
		if (runtime_file_changed(&rf) && log_runtime_reload()) {
			int lv[LC_COUNT];
			char mask[400];
			log_get_levels(lv);
			LOGN(NULL, "run-time log levels changed: %s", log_mask_format(lv, mask, sizeof(mask)));
		}
	}
	LOGI(NULL, "signal %d: stopping", sig);
	rest_http_stop(&h);
	rest_ctl_fini(&app.ctl);
	rc = 0;
out:
	free(o.listen);
	free(o.control);
	free(o.token);
	free(o.www_dir);
	for (size_t i = 0; i < o.nhosts; i++)
		free(o.hosts[i]);
	return rc;
}
