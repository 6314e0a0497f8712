/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c: remsim-bankd, a drop-in for osmo-remsim-bankd's command line.
 * Builds the bankd role config (gencfg.c), writes it to RUN_DIR/bankd.cfg and
 * executes remsimd on it (the supervisor then runs broker, bankmap and
 * reader/0..N-1; see docs/bankd.md).  The options are parsed by the
 * launchers' common table-driven parser (common/launch/launchopt.h); -d MASK
 * goes to remsimd unchanged, -e N as every category at that level. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher.h"
#include "launchopt.h"
#include "logenv.h"

#define O(f) offsetof(struct opts, f)
static const struct lopt options[] = {
	{ .name = "help", .letter = 'h', .kind = LO_HELP, .off = LO_NOWHERE, .help = "this text" },
	{ .name = "version", .letter = 'V', .kind = LO_VERSION, .off = LO_NOWHERE, .help = "print the version" },
	{ .name = "server-host", .letter = 'i', .kind = LO_HOST, .metavar = "HOST", .off = O(server_host),
	  .help = "remsim-server address (mandatory unless -c sets it)" },
	{ .name = "server-port", .letter = 'p', .kind = LO_PORT, .metavar = "PORT", .off = O(server_port),
	  .help = "remsim-server port (9998)" },
	{ .name = "bank-id", .letter = 'b', .kind = LO_INT, .min = 0, .max = 1023, .metavar = "N",
	  .off = O(bank_id), .help = "bank id, 0..1023 (1)" },
	{ .name = "num-slots", .letter = 'n', .kind = LO_INT, .min = 1, .max = 1023, .metavar = "N",
	  .off = O(num_slots), .help = "number of bank slots = reader actors, 1..1023 (8)" },
	{ .name = "component-name", .letter = 'N', .kind = LO_STRING, .metavar = "NAME", .off = O(component_name),
	  .help = "name sent to the server (hostname)" },
	{ .name = "bind-ip", .letter = 'I', .kind = LO_HOST, .metavar = "IP", .off = O(bind_ip),
	  .help = "address of the client listener (0.0.0.0)" },
	{ .name = "bind-port", .letter = 'P', .kind = LO_PORT, .metavar = "PORT", .off = O(bind_port),
	  .help = "port of the client listener (9999)" },
	{ .name = "permit-shared-pcsc", .letter = 's', .kind = LO_FLAG, .off = O(shared),
	  .help = "open readers SHARED instead of EXCLUSIVE" },
	{ .name = "gsmtap-ip", .letter = 'g', .kind = LO_HOST, .metavar = "HOST", .off = O(gsmtap_host),
	  .help = "trace ATRs and APDUs as GSMTAP to HOST:4729" },
	{ .name = "gsmtap-slot", .letter = 'G', .kind = LO_INT, .min = -1, .max = 1023, .metavar = "N",
	  .off = O(gsmtap_slot), .help = "trace only bank slot N (-1: all)" },
	{ .name = "log-level", .letter = 'e', .kind = LO_OSMOLEVEL, .metavar = "N", .off = O(osmo_level),
	  .help = "osmocom level number for every category:\n1 debug, 3 info, 5 notice, 7 error, 8 fatal" },
	{ .name = "debug", .letter = 'd', .kind = LO_LOGMASK, .metavar = "MASK", .off = O(mask),
	  .help = "log levels per category, osmo's mask: DMAIN,1:DBANKDW,3\n"
		  "or DMAIN:DRSPRO (unnamed categories: errors only)" },
	{ .name = "timestamp", .letter = 'T', .kind = LO_FLAG, .off = O(timestamps),
	  .help = "timestamps on every log line, also when stderr is\n"
		  "the journal (REMSIM_LOG_TIMESTAMPS=1 for every actor)" },
	{ .name = "disable-color", .letter = 'L', .kind = LO_FLAG, .off = LO_NOWHERE,
	  .help = "accepted: remsim logs have no colours" },
	{ .kind = LO_SECTION, .help = "remsim options:" },
	{ .name = "config", .letter = 'c', .kind = LO_PATH, .metavar = "FILE", .off = O(config_file),
	  .help = "our libconfig role file (etc/bankd.cfg) instead of\n"
		  "./bankd_pcsc_slots.csv; options above override it" },
	{ .name = "csv", .kind = LO_PATH, .metavar = "FILE", .off = O(csv_file),
	  .help = "the CSV file to read (./bankd_pcsc_slots.csv)" },
	{ .name = "run-dir", .letter = 'r', .kind = LO_PATH, .metavar = "DIR", .off = O(run_dir),
	  .help = "ipc sockets and the generated config\n"
		  "(/run/remsim-bankd as root, else /tmp/remsim-bankd-UID)" },
	{ .name = "dry-run", .kind = LO_FLAG, .off = O(dry_run), .help = "print the generated config and exit" },
	{ .name = "user", .letter = 'u', .kind = LO_USER, .metavar = "USER[:GROUP]", .off = O(user),
	  .help = "run as USER (e.g. remsim; needs the pcscd socket):\n"
		  "remsimd, started as root, creates its dirs, then drops" },
};

static const struct launch_spec spec = {
	.prog = "remsim-bankd",
	.synopsis = "usage: remsim-bankd -i SERVER_HOST [options]",
	.intro = "Runs the remsim bank daemon (osmo-remsim-bankd compatible options).\n",
	.outro = "Without -c, bankd_pcsc_slots.csv in the working directory maps bank slots to\n"
		 "PC/SC reader names: \"BANK\",\"SLOT\",\"REGEX\" per line (POSIX extended regex,\n"
		 "unanchored); a bad line rejects the file, naming FILE:LINE.\n"
		 "Exit: 1 on a config or CSV error, 2 on a usage error; otherwise remsimd's.\n",
	.opts = options,
	.nopts = sizeof(options) / sizeof(options[0]),
};

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
	struct opts o = { .server_port = -1, .bank_id = -1, .num_slots = -1, .bind_port = -1,
			  .gsmtap_slot = -2, .osmo_level = -1 };
	struct launch_result res;
	if (launch_parse(&spec, argc, argv, &o, &res))
		return res.exit_code;

	config_t cfg;
	char err[1024];
	int is_usage;
	if (gencfg_build(&o, &cfg, err, sizeof(err), &is_usage) < 0) {
		fprintf(stderr, "remsim-bankd: %s\n", err);
		if (is_usage)
			fprintf(stderr, "%s\nTry 'remsim-bankd --help' for the list of options.\n", spec.synopsis);
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
	char mask[512];
	if (logenv_launch_mask(o.mask, o.osmo_level, mask, sizeof(mask))) {
		args[k++] = "-d";
		args[k++] = mask;
	}
	if (o.timestamps)
		setenv("REMSIM_LOG_TIMESTAMPS", "1", 1);
	if (o.user) {
		args[k++] = "-u";
		args[k++] = (char *)o.user;
	}
	fflush(stdout);
	execv(remsimd, args);
	fprintf(stderr, "remsim-bankd: cannot execute %s: %s\n", remsimd, strerror(errno));
	return 1;
}
