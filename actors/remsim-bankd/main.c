/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c: remsim-bankd, a drop-in for osmo-remsim-bankd's command line.
 * Builds the bankd role config (gencfg.c), writes it to RUN_DIR/bankd.cfg and
 * executes remsimd on it (the supervisor then runs broker, bankmap and
 * reader/0..N-1; see docs/bankd.md). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher.h"
#include "log.h"
#include "version.h"

static void usage(FILE *f)
{
	fprintf(f,
"usage: remsim-bankd -i SERVER_HOST [options]\n"
"Runs the remsim bank daemon (osmo-remsim-bankd compatible options).\n"
"  -h, --help                  this text\n"
"  -V, --version               print the version\n"
"  -i, --server-host HOST      remsim-server address (mandatory unless -c sets it)\n"
"  -p, --server-port PORT      remsim-server port (9998)\n"
"  -b, --bank-id N             bank id, 0..1023 (1)\n"
"  -n, --num-slots N           number of bank slots = reader actors, 1..1023 (8)\n"
"  -N, --component-name NAME   name sent to the server (hostname)\n"
"  -I, --bind-ip IP            address of the client listener (0.0.0.0)\n"
"  -P, --bind-port PORT        port of the client listener (9999)\n"
"  -s, --permit-shared-pcsc    open readers SHARED instead of EXCLUSIVE\n"
"  -g, --gsmtap-ip HOST        trace ATRs and APDUs as GSMTAP to HOST:4729\n"
"  -G, --gsmtap-slot N         trace only bank slot N (-1: all)\n"
"  -e, --log-level N           osmocom level number: 1 debug, 3 info, 5 notice, 7 error, 8 fatal\n"
"  -d, --debug MASK            osmocom mask, e.g. DMAIN,1:DBANKDW,3: the lowest level is used\n"
"  -T, --timestamp             accepted: remsim log lines always carry a timestamp\n"
"  -L, --disable-color         accepted: remsim logs have no colours\n"
"remsim options:\n"
"  -c, --config FILE           our libconfig role file (etc/bankd.cfg) instead of\n"
"                              ./bankd_pcsc_slots.csv; options above override it\n"
"      --csv FILE              the CSV file to read (./bankd_pcsc_slots.csv)\n"
"  -r, --run-dir DIR           ipc sockets and the generated config\n"
"                              (/run/remsim-bankd as root, else /tmp/remsim-bankd-UID)\n"
"      --dry-run               print the generated config and exit\n"
"  -u, --user USER[:GROUP]     run as USER (e.g. remsim; needs the pcscd socket):\n"
"                              remsimd, started as root, creates its dirs, then drops\n"
"Without -c, bankd_pcsc_slots.csv in the working directory maps bank slots to\n"
"PC/SC reader names: \"BANK\",\"SLOT\",\"REGEX\" per line (POSIX extended regex,\n"
"unanchored); a bad line rejects the file, naming FILE:LINE.\n"
"Exit: 1 on a config or CSV error, 2 on a usage error; otherwise remsimd's.\n");
}

static int num(const char *opt, const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end) {
		fprintf(stderr, "remsim-bankd: %s wants a number, not '%s'\n", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* osmocom level numbers (1 debug .. 8 fatal) onto ours */
static int osmo_level(long n)
{
	return n <= 1 ? LL_DEBUG : n <= 3 ? LL_INFO : n <= 5 ? LL_NOTICE : n <= 7 ? LL_ERROR : LL_FATAL;
}

/* "DMAIN,1:DBANKDW,3" -> the lowest level named; -1 if none */
static int mask_level(const char *mask)
{
	long best = -1;
	for (const char *p = strchr(mask, ','); p; p = strchr(p + 1, ',')) {
		long v = strtol(p + 1, NULL, 10);
		if (v > 0 && (best < 0 || v < best))
			best = v;
	}
	return best < 0 ? -1 : osmo_level(best);
}

static int write_config(config_t *c, const char *run_dir /* < PATH_MAX */, char *path, size_t cap)
{
	char tmp[PATH_MAX + 64];
	if (strlen(run_dir) + 16 > cap) {
		fprintf(stderr, "remsim-bankd: run dir path too long\n");
		return -1;
	}
	if (mkdir(run_dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "remsim-bankd: cannot create run dir %s: %s\n", run_dir, strerror(errno));
		return -1;
	}
	snprintf(path, cap, "%.*s/bankd.cfg", (int)(cap - 16), run_dir);
	snprintf(tmp, sizeof(tmp), "%s/.bankd.cfg.tmp", run_dir);
	if (config_write_file(c, tmp) != CONFIG_TRUE || rename(tmp, path) < 0) {
		fprintf(stderr, "remsim-bankd: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	enum { OPT_DRY = 1000, OPT_CSV };
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, 'V' },
		{ "debug", required_argument, NULL, 'd' }, { "server-host", required_argument, NULL, 'i' },
		{ "server-port", required_argument, NULL, 'p' }, { "bank-id", required_argument, NULL, 'b' },
		{ "num-slots", required_argument, NULL, 'n' }, { "component-name", required_argument, NULL, 'N' },
		{ "bind-ip", required_argument, NULL, 'I' }, { "bind-port", required_argument, NULL, 'P' },
		{ "permit-shared-pcsc", no_argument, NULL, 's' }, { "gsmtap-ip", required_argument, NULL, 'g' },
		{ "gsmtap-slot", required_argument, NULL, 'G' }, { "disable-color", no_argument, NULL, 'L' },
		{ "timestamp", no_argument, NULL, 'T' }, { "log-level", required_argument, NULL, 'e' },
		{ "config", required_argument, NULL, 'c' }, { "run-dir", required_argument, NULL, 'r' },
		{ "csv", required_argument, NULL, OPT_CSV }, { "dry-run", no_argument, NULL, OPT_DRY },
		{ "user", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .server_port = -1, .bank_id = -1, .num_slots = -1, .bind_port = -1,
			  .gsmtap_slot = -2, .log_level = -1 };
	long v;
	int c;
	opterr = 0;		/* (our own messages below) */
	const char *user = NULL;
	while ((c = getopt_long(argc, argv, ":hVd:i:p:b:n:N:I:P:sg:G:LTe:c:r:u:", lo, NULL)) != -1) {
		switch (c) {
		case 'u': user = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': return version_print("remsim-bankd");
		case 'd': o.log_level = mask_level(optarg) >= 0 ? mask_level(optarg) : o.log_level; break;
		case 'e':
			if (num("-e", optarg, &v) < 0)
				return 2;
			o.log_level = osmo_level(v);
			break;
		case 'i': o.server_host = optarg; break;
		case 'p': if (num("-p", optarg, &o.server_port) < 0) return 2; break;
		case 'b': if (num("-b", optarg, &o.bank_id) < 0) return 2; break;
		case 'n': if (num("-n", optarg, &o.num_slots) < 0) return 2; break;
		case 'N': o.component_name = optarg; break;
		case 'I': o.bind_ip = optarg; break;
		case 'P': if (num("-P", optarg, &o.bind_port) < 0) return 2; break;
		case 's': o.shared = 1; break;
		case 'g': o.gsmtap_host = optarg; break;
		case 'G': if (num("-G", optarg, &o.gsmtap_slot) < 0) return 2; break;
		case 'L': case 'T': break;
		case 'c': o.config_file = optarg; break;
		case 'r': o.run_dir = optarg; break;
		case OPT_CSV: o.csv_file = optarg; break;
		case OPT_DRY: o.dry_run = 1; break;
		case ':':
			fprintf(stderr, "remsim-bankd: option %s needs a value\n", argv[optind - 1]);
			usage(stderr);
			return 2;
		default:	/* unlike osmo-remsim-bankd, which ignores them */
			fprintf(stderr, "remsim-bankd: unknown option %s\n", argv[optind - 1]);
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "remsim-bankd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}

	config_t cfg;
	char err[1024];
	int is_usage;
	if (gencfg_build(&o, &cfg, err, sizeof(err), &is_usage) < 0) {
		fprintf(stderr, "remsim-bankd: %s\n", err);
		if (is_usage)
			usage(stderr);
		config_destroy(&cfg);
		return is_usage ? 2 : 1;
	}
	const char *rd = "";
	config_lookup_string(&cfg, "run_dir", &rd);
	char path[PATH_MAX + 32], run_dir[PATH_MAX];
	snprintf(run_dir, sizeof(run_dir), "%s", rd);
	if (o.dry_run) {
		config_write(&cfg, stdout);
		config_destroy(&cfg);
		return 0;
	}
	int rc = write_config(&cfg, run_dir, path, sizeof(path));
	config_destroy(&cfg);
	if (rc < 0)
		return 1;

	/* remsimd lives beside us (build/bin, or the install's bin dir) */
	char self[PATH_MAX], remsimd[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		fprintf(stderr, "remsim-bankd: cannot find my own executable: %s\n", strerror(errno));
		return 1;
	}
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	*slash = '\0';
	snprintf(remsimd, sizeof(remsimd), "%s/remsimd", self);
	char *args[8] = { remsimd, "-c", path, NULL, NULL, NULL, NULL, NULL };
	int k = 3;
	if (o.log_level >= 0) {
		args[k++] = "-d";
		args[k++] = (char *)log_level_name((enum log_level)o.log_level);
	}
	if (user) {
		args[k++] = "-u";
		args[k++] = (char *)user;
	}
	fflush(stdout);
	execv(remsimd, args);
	fprintf(stderr, "remsim-bankd: cannot execute %s: %s\n", remsimd, strerror(errno));
	return 1;
}
