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

#include "config.h"
#include "log.h"
#include "rest.h"
#include "version.h"

struct opts {
	char *listen;
	char *control;
	char *token;
	int timeout_ms;
	const char *config;
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
		"      --config FILE       role config: rest { listen; token; timeout_ms; },\n"
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

static int load_config(struct opts *o, const char *path)
{
	char err[512];
	struct cfg *c = cfg_load(path, err, sizeof(err));
	if (!c) {
		LOGE(NULL, "%s", err);
		return -1;
	}
	const char *listen, *token, *control, *run_dir;
	int rc = -1;
	if (cfg_get_string(c, NULL, "rest.listen", REST_DEFAULT_LISTEN, 255, &listen) < 0 ||
	    cfg_get_string(c, NULL, "rest.token", "", 255, &token) < 0 ||
	    cfg_get_int(c, NULL, "rest.timeout_ms", o->timeout_ms, 10, 600000, &o->timeout_ms) < 0 ||
	    cfg_get_string(c, NULL, "control", NULL, 1024, &control) < 0 ||
	    cfg_get_string(c, NULL, "run_dir", "/run/remsim", 1024, &run_dir) < 0) {
		LOGE(NULL, "%s", cfg_error(c));
		goto out;
	}
	set_str(&o->listen, listen);
	set_str(&o->token, token);
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
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "hub", required_argument, NULL, OPT_HUB },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "log-level", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *listen = NULL, *control = NULL, *token = NULL, *timeout = NULL;
	int ch;
	while ((ch = getopt_long(argc, argv, "l:c:t:T:d:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'l': listen = optarg; break;
		case 'c': control = optarg; break;
		case 't': token = optarg; break;
		case 'T': timeout = optarg; break;
		case OPT_CONFIG: o->config = optarg; break;
		case OPT_HUB: case OPT_NAME: break;
		case 'd': {
			int l = log_level_parse(optarg);
			if (l < 0) {
				fprintf(stderr, "rest: unknown log level '%s'\n", optarg);
				return 2;
			}
			log_set_level((enum log_level)l);
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

int main(int argc, char **argv)
{
	if (version_flag(argc, argv, "rest"))
		return 0;
	log_init("rest");
	struct opts o = { .timeout_ms = REST_DEFAULT_TIMEOUT_MS };
	int rc = parse_args(&o, argc, argv);
	if (rc) {
		rc = rc == 1 ? 0 : 2;
		goto out;
	}
	/* request threads inherit this mask; only sigwait() below sees them */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct rest_app app = { .token = o.token };
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
	LOGI(NULL, "listening on %s (port %u), base %s, control %s, timeout %d ms, %s", o.listen,
	     rest_http_port(h), REST_BASE, o.control, o.timeout_ms,
	     o.token && *o.token ? "bearer token required" : "NO authentication");

	int sig = 0;
	while (sigwait(&set, &sig) != 0)
		;
	LOGI(NULL, "signal %d: stopping", sig);
	rest_http_stop(&h);
	rest_ctl_fini(&app.ctl);
	rc = 0;
out:
	free(o.listen);
	free(o.control);
	free(o.token);
	return rc;
}
