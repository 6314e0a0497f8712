/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c: remsim-ctl, the command line for a role's control socket.
 *
 *   remsim-ctl [-e ENDPOINT] [--json] [-t TIMEOUT_MS] COMMAND [ARGS]
 *
 * Sends {"cmd":COMMAND,"args":[ARGS],"json":BOOL} as one frame (REQ) and
 * expects {"ok":true,"result":...} or {"ok":false,"error":"..."}.
 * `map --batch FILE` sends the file's pairs as args with "batch":true.
 * Exit codes: 0 ok, 1 refused by the role, 2 usage, 3 not running/no answer. */
#include <czmq.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "logctl.h"
#include "version.h"

#define DEFAULT_ENDPOINT "ipc:///run/remsim/control"
#define DEFAULT_TIMEOUT_MS 3000

static void usage(FILE *f)
{
	fprintf(f,
		"usage: remsim-ctl [OPTIONS] COMMAND [ARGS]\n"
		"\n"
		"Options:\n"
		"  -e, --endpoint EP           control endpoint (default: $REMSIM_CTL_ENDPOINT,\n"
		"                              else " DEFAULT_ENDPOINT ")\n"
		"  -j, --json                  print the raw JSON result instead of a table\n"
		"  -t, --timeout MS            how long to wait for the answer (default %d)\n"
		"      --curve-server-key FILE the role's CURVE public key (zcert file or Z85 line);\n"
		"                              required with a tcp:// endpoint\n"
		"      --curve-client-cert FILE our CURVE certificate (zcert; secret in FILE_secret);\n"
		"                              required with a tcp:// endpoint\n"
		"  -h, --help                  this text\n"
		"\n"
		"Commands (which ones a role answers depends on the role):\n",
		DEFAULT_TIMEOUT_MS);
	ctl_print_commands(f);
	fprintf(f,
		"\n"
		"Exit status: 0 ok; 1 refused by the role (its error is printed);\n"
		"2 usage error; 3 role not running or no answer within the timeout.\n");
}

static int parse_timeout(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v <= 0 || v > 3600000)
		return -1;
	*out = (int)v;
	return 0;
}

/* status: exit 1 when any actor is "failed", for scripts and monitoring */
static int status_has_failed(const json_t *res)
{
	size_t i;
	const json_t *a;
	if (!json_is_array(res))
		return 0;
	json_array_foreach(res, i, a) {
		const char *st = json_string_value(json_object_get(a, "state"));
		if (st && !strcmp(st, "failed"))
			return 1;
	}
	return 0;
}

static int print_reply(const char *reply, const struct ctl_command *cmd, int json_out,
		       const char *ep)
{
	json_error_t jerr;
	json_t *r = json_loads(reply, 0, &jerr);
	const json_t *ok = r ? json_object_get(r, "ok") : NULL;
	if (!json_is_boolean(ok)) {
		fprintf(stderr, "remsim-ctl: malformed reply from %s: %.200s\n", ep, reply);
		json_decref(r);
		return CTL_REFUSED;
	}
	int rc = CTL_OK;
	if (!json_is_true(ok)) {
		const char *e = json_string_value(json_object_get(r, "error"));
		fprintf(stderr, "remsim-ctl: %s: %s\n", cmd->name, e ? e : "refused (no reason given)");
		rc = CTL_REFUSED;
	} else {
		const json_t *res = json_object_get(r, "result");
		if (json_out) {
			char *s = json_dumps(res ? res : json_null(), JSON_INDENT(2) | JSON_ENCODE_ANY);
			printf("%s\n", s ? s : "null");
			free(s);
		} else {
			cmd->print(stdout, res);
		}
		if (!strcmp(cmd->name, "status") && status_has_failed(res)) {
			fprintf(stderr, "remsim-ctl: status: an actor of the role has failed (given up)\n");
			rc = CTL_REFUSED;
		}
	}
	json_decref(r);
	return rc;
}

int main(int argc, char **argv)
{
	if (version_flag(argc, argv, "remsim-ctl"))
		return 0;
	enum { OPT_SKEY = 256, OPT_CCERT };
	static const struct option opts[] = {
		{ "endpoint", required_argument, NULL, 'e' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "curve-server-key", required_argument, NULL, OPT_SKEY },
		{ "curve-client-cert", required_argument, NULL, OPT_CCERT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_transport_opts o = { .timeout_ms = DEFAULT_TIMEOUT_MS };
	int json_out = 0, c;
	o.endpoint = getenv("REMSIM_CTL_ENDPOINT");
	if (!o.endpoint || !*o.endpoint)
		o.endpoint = DEFAULT_ENDPOINT;
	while ((c = getopt_long(argc, argv, "+e:jt:h", opts, NULL)) != -1) {
		switch (c) {
		case 'e': o.endpoint = optarg; break;
		case 'j': json_out = 1; break;
		case 't':
			if (parse_timeout(optarg, &o.timeout_ms)) {
				fprintf(stderr, "remsim-ctl: bad timeout '%s' (milliseconds, > 0)\n", optarg);
				return CTL_USAGE;
			}
			break;
		case OPT_SKEY: o.curve_server_key = optarg; break;
		case OPT_CCERT: o.curve_client_cert = optarg; break;
		case 'h': usage(stdout); return CTL_OK;
		default: usage(stderr); return CTL_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "remsim-ctl: no command given (try --help)\n");
		return CTL_USAGE;
	}
	const struct ctl_command *cmd = ctl_find_command(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "remsim-ctl: unknown command '%s' (try --help)\n", argv[optind]);
		return CTL_USAGE;
	}
	int nargs = argc - optind - 1;
	if (nargs < cmd->min_args || nargs > cmd->max_args) {
		fprintf(stderr, "remsim-ctl: usage: remsim-ctl %s %s\n", cmd->name, cmd->usage);
		return CTL_USAGE;
	}
	if (!strcmp(cmd->name, "log") && nargs) {
		int cat, level;
		char why[400];
		if (nargs != 2) {
			fprintf(stderr, "remsim-ctl: usage: remsim-ctl %s %s\n", cmd->name, cmd->usage);
			return CTL_USAGE;
		}
		if (logctl_parse_names(argv[optind + 1], argv[optind + 2], &cat, &level, why, sizeof(why)) < 0) {
			fprintf(stderr, "remsim-ctl: log: %s\n", why);
			return CTL_USAGE;
		}
	}
	if ((o.curve_server_key != NULL) != (o.curve_client_cert != NULL)) {
		fprintf(stderr, "remsim-ctl: --curve-server-key and --curve-client-cert go together\n");
		return CTL_USAGE;
	}

	json_t *args = json_array();
	int batch = !strcmp(cmd->name, "map") && !strcmp(argv[optind + 1], "--batch");
	if (batch) {
		char why[512];
		json_decref(args);
		if (ctl_read_pairs(argv[optind + 2], &args, why, sizeof(why)) < 0) {
			fprintf(stderr, "remsim-ctl: map --batch: %s\n", why);
			return CTL_USAGE;
		}
	}
	for (int i = optind + 1; !batch && i < argc; i++)
		json_array_append_new(args, json_string(argv[i]));
	json_t *req = json_pack("{s:s,s:o,s:b}", "cmd", cmd->name, "args", args, "json", json_out);
	if (batch)
		json_object_set_new(req, "batch", json_true());
	char *req_s = json_dumps(req, JSON_COMPACT);
	json_decref(req);

	zsys_handler_set(NULL);
	char err[512] = "", *reply = NULL;
	int rc = ctl_request(&o, req_s, &reply, err, sizeof(err));
	free(req_s);
	if (rc == CTL_OK)
		rc = print_reply(reply, cmd, json_out, o.endpoint);
	else
		fprintf(stderr, "remsim-ctl: %s\n", err);
	zstr_free(&reply);
	zsys_shutdown();
	return rc;
}
