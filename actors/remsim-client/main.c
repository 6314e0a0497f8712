/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-client: the client role, started like osmo-remsim-client-st2 (and,
 * when called as remsim-client-shell, like osmo-remsim-client-shell).
 *
 * From osmo-style options it writes a role config into a private run dir
 * and exec()s remsimd on it (broker + one usbslot actor, supervised); with
 * --config FILE (or "-c FILE" where FILE is not a number) it runs remsimd on
 * that file instead, e.g. etc/client.cfg with several slots.  The shell
 * variant runs broker + usbslot itself so stdin/stdout reach the actor
 * (shell.c).  Options: one table for both, parsed and checked by the
 * launchers' common parser (common/launch/launchopt.h); the shell accepts
 * and ignores the SIMtrace2 ones. */
#include <errno.h>
#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher.h"
#include "tmpdir.h"
#include "launchopt.h"
#include "logenv.h"

#define O(f) offsetof(struct launch, f)
#define SLOT LOF_GROUP_A	/* one slot's options: not with a config file */
#define ST2 LOF_GROUP_B		/* remsim-client only (the shell ignores them) */
static const struct lopt options[] = {
	{ .name = "help", .letter = 'h', .kind = LO_HELP, .off = LO_NOWHERE, .help = "this text" },
	{ .name = "version", .letter = 'v', .kind = LO_VERSION, .off = LO_NOWHERE, .help = "print the version" },
	{ .name = "debug", .letter = 'd', .kind = LO_LOGMASK, .metavar = "MASK", .off = O(mask),
	  .help = "log levels per category, osmo's mask: DMAIN:DST2 or\n"
		  "DMAIN,1:DRSPRO,3 (1 debug, 3 info, 5 notice, 7 error,\n"
		  "8 fatal; unnamed categories: errors only), or a level\n"
		  "name (debug|info|notice|warn|error) for every category" },
	{ .name = "server-ip", .letter = 'i', .kind = LO_HOST, .metavar = "HOST", .off = O(server_host),
	  .flags = SLOT, .help = "remsim-server address (127.0.0.1)" },
	{ .name = "server-port", .letter = 'p', .kind = LO_PORT, .metavar = "PORT", .off = O(server_port),
	  .flags = SLOT, .help = "remsim-server port (9998)" },
	{ .name = "client-id", .letter = 'c', .kind = LO_INT, .min = 0, .max = 1023, .metavar = "N",
	  .off = O(client_id), .alt_off = O(config), .flags = SLOT | LOF_ALT,
	  .help = "ClientId (0); a value that is not a number is taken\nas --config FILE" },
	{ .name = "client-slot", .letter = 'n', .kind = LO_INT, .min = 0, .max = 1023, .metavar = "N",
	  .off = O(slot_nr), .flags = SLOT, .help = "client SlotNr (0)" },
	{ .name = "atr", .letter = 'a', .kind = LO_STRING, .metavar = "HEX", .off = O(atr), .flags = SLOT,
	  .check = launch_check_atr, .expect = "an ATR of 2..55 octets in hex (e.g. '3b 00')",
	  .help = "ATR until the bankd sends the card's (3b 00; 2..55 octets)" },
	{ .name = "atr-ignore-rspro", .letter = 'r', .kind = LO_FLAG, .off = O(atr_ignore), .flags = SLOT,
	  .help = "always present the -a ATR" },
	{ .name = "event-script", .letter = 'e', .kind = LO_STRING, .metavar = "CMD", .off = O(event_script),
	  .flags = SLOT, .help = "run '/bin/sh -c \"CMD CAUSE\"' on events" },
	{ .name = "disable-color", .letter = 'L', .kind = LO_FLAG, .off = LO_NOWHERE,
	  .help = "accepted (logs have no colours)" },
	{ .name = "set-sim-presence", .letter = 'Z', .kind = LO_INT, .min = 0, .max = 1, .metavar = "0|1",
	  .off = O(sim_presence), .flags = SLOT | ST2, .help = "SIM-presence pin polarity (sent to the board)" },
	{ .name = "usb-vendor", .letter = 'V', .kind = LO_HEX, .min = 0, .max = 0xffff, .metavar = "HEX",
	  .off = O(vid), .flags = SLOT | ST2, .help = "USB vendor id (1d50)" },
	{ .name = "usb-product", .letter = 'P', .kind = LO_HEX, .min = 0, .max = 0xffff, .metavar = "HEX",
	  .off = O(pid), .flags = SLOT | ST2, .help = "USB product id (any cardem board: 60e3 4004 4001 ...)" },
	{ .name = "usb-config", .letter = 'C', .kind = LO_INT, .min = 0, .max = 255, .metavar = "N",
	  .off = O(usb_config), .flags = SLOT | ST2, .help = "configuration to select (1)" },
	{ .name = "usb-interface", .letter = 'I', .kind = LO_INT, .min = 0, .max = 255, .metavar = "N",
	  .off = O(usb_interface), .flags = SLOT | ST2, .help = "interface = cardem slot (0)" },
	{ .name = "usb-altsetting", .letter = 'S', .kind = LO_INT, .min = 0, .max = 255, .metavar = "N",
	  .off = O(usb_alt), .flags = SLOT | ST2, .help = "altsetting (0)" },
	{ .name = "usb-address", .letter = 'A', .kind = LO_INT, .min = 0, .max = 255, .metavar = "N",
	  .off = O(usb_address), .flags = SLOT | ST2, .help = "USB device address" },
	{ .name = "usb-path", .letter = 'H', .kind = LO_STRING, .metavar = "PATH", .off = O(usb_path),
	  .flags = SLOT | ST2, .help = "USB port path, e.g. 2-1.1" },
	{ .name = "usb-serial", .kind = LO_STRING, .metavar = "STR", .off = O(usb_serial), .flags = SLOT | ST2,
	  .help = "USB serial number string" },
	{ .name = "sim", .kind = LO_PATH, .metavar = "SOCKET", .off = O(sim_socket), .flags = SLOT | ST2,
	  .help = "use the st2sim simulator at SOCKET instead of USB" },
	{ .name = "ifd", .kind = LO_FLAG, .off = O(ifd), .flags = SLOT | ST2,
	  .help = "a PC/SC reader for pcscd's libifd_remsim.so instead of\n"
		  "USB: socket RUN_DIR/ifd.sock, default run dir name\n"
		  "remsim-ifd-C<id>-<slot> (docs/ifd.md)" },
	{ .name = "usb-bulk-in", .kind = LO_INT, .min = 1, .max = 32, .metavar = "N", .off = O(usb_bulk_in),
	  .flags = SLOT | ST2, .help = "bulk-IN transfers kept submitted (4; 1..32; fewer\n"
					 "than 4 only to reproduce OS#4409)" },
	{ .name = "user", .letter = 'u', .kind = LO_USER, .metavar = "USER[:GROUP]", .off = O(user), .flags = ST2,
	  .help = "run as USER (in group remsim for the board, see\n"
		  "etc/udev/): remsimd, started as root, drops to it" },
	{ .name = "config", .kind = LO_PATH, .metavar = "FILE", .off = O(config),
	  .help = "run the role config FILE (e.g. etc/client.cfg, several\n"
		  "slots) instead of one slot from these options" },
	{ .name = "run-dir", .kind = LO_PATH, .metavar = "DIR", .off = O(run_dir),
	  .help = "directory of the ipc sockets and the generated config\n"
		  "(default /run/remsim-client-C<id>-<slot> as root, else\n"
		  "$XDG_RUNTIME_DIR or /tmp)" },
	{ .name = "print-config", .kind = LO_FLAG, .off = O(print),
	  .help = "print the generated role config and exit" },
};

static const struct launch_spec client_spec = {
	.prog = "remsim-client",
	.synopsis = "usage: remsim-client [options]",
	.intro = "The remsim client role for a SIMtrace2 card-emulation board, with\n"
		 "osmo-remsim-client's options.\n",
	.outro = "Runs remsimd (broker + usbslot actors, restarted when they die); control with\n"
		 "remsim-ctl -e ipc://RUN_DIR/control status.\n",
	.opts = options,
	.nopts = sizeof(options) / sizeof(options[0]),
};

static const struct launch_spec shell_spec = {
	.prog = "remsim-client-shell",
	.synopsis = "usage: remsim-client-shell [options]",
	.intro = "The remsim client role with a stdin/stdout frontend (one hex C-APDU per line,\n"
		 "RESET; prints 'R-APDU: ..' and 'SET_ATR: ..'; exits 0 on EOF), with\n"
		 "osmo-remsim-client's options.\n",
	.outro = "The shell runs the broker and one usbslot actor itself (no remsimd): stdin and\n"
		 "stdout belong to the usbslot actor; logs go to stderr.\n",
	.opts = options,
	.nopts = sizeof(options) / sizeof(options[0]),
	.ignore_flags = ST2,
	.ignored_heading = "SIMtrace2/remsimd",
};

/* exec remsimd -c CFG [-r RUN_DIR] [-d LEVEL] [-u USER]; returns 1 on failure */
static int exec_remsimd(const char *prog, const char *remsimd, const struct launch *l, const char *cfg,
			const char *run_dir)
{
	const char *av[10];
	int k = 0;
	av[k++] = "remsimd";
	av[k++] = "-c";
	av[k++] = cfg;
	if (run_dir) {
		av[k++] = "-r";
		av[k++] = run_dir;
	}
	if (l->mask) {
		av[k++] = "-d";
		av[k++] = l->mask;
	}
	if (l->user) {
		av[k++] = "-u";
		av[k++] = l->user;
	}
	av[k] = NULL;
	execv(remsimd, (char *const *)av);
	fprintf(stderr, "%s: cannot run %s: %s\n", prog, remsimd, strerror(errno));
	return 1;
}

static int make_dir(const char *dir)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s", dir);
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		mkdir(p, 0755);
		*q = '/';
	}
	if (mkdir(p, 0700) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct launch l = { .server_host = "127.0.0.1", .server_port = 9998, .sim_presence = -1,
			    .vid = -1, .pid = -1, .usb_config = -1, .usb_interface = -1, .usb_alt = -1,
			    .usb_address = -1, .usb_bulk_in = -1 };
	char *a0 = strdup(argv[0]);
	l.shell = a0 && !strcmp(basename(a0), "remsim-client-shell");
	free(a0);
	if (argc > 1 && !strcmp(argv[1], "--shell-mode")) {	/* used by remsim-client-shell */
		l.shell = 1;
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	const struct launch_spec *spec = l.shell ? &shell_spec : &client_spec;
	const char *prog = spec->prog;
	struct launch_result res;
	if (launch_parse(spec, argc, argv, &l, &res))
		return res.exit_code;
	char slot_list[300];
	int slot_opts = launch_count(spec, &res, SLOT, slot_list, sizeof(slot_list));

	/* where our sibling programs are */
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		perror("readlink /proc/self/exe");
		return 1;
	}
	self[n] = '\0';
	snprintf(l.bindir, sizeof(l.bindir), "%s", dirname(self));
	char remsimd[4200];
	snprintf(remsimd, sizeof(remsimd), "%s/remsimd", l.bindir);

	if (l.config) {
		if (slot_opts)
			return launch_usage_error(spec, "with a config file the slot options belong into the "
						  "file (group client, see etc/client.cfg): %s", slot_list);
		if (l.shell)
			return launch_usage_error(spec, "--config is for remsim-client; the shell runs one slot");
		if (l.print) {
			execlp("cat", "cat", l.config, (char *)NULL);
			return 1;
		}
		return exec_remsimd(prog, remsimd, &l, l.config, l.run_dir);
	}

	char rd[4096];
	if (!l.run_dir) {
		snprintf(rd, sizeof(rd), "%s/%s-C%ld-%ld", run_base(), l.ifd ? "remsim-ifd" : prog, l.client_id,
			 l.slot_nr);
		l.run_dir = rd;
	}
	char cfg[4200];
	if (l.print) {
		snprintf(cfg, sizeof(cfg), "/dev/stdout");
		return rolecfg_write(&l, cfg) < 0 ? 1 : 0;
	}
	if (make_dir(l.run_dir) < 0) {
		fprintf(stderr, "%s: cannot create run dir %s: %s\n", prog, l.run_dir, strerror(errno));
		return 1;
	}
	snprintf(cfg, sizeof(cfg), "%s/client.cfg", l.run_dir);
	if (rolecfg_write(&l, cfg) < 0) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, cfg, strerror(errno));
		return 1;
	}
	if (l.shell) {
		char merr[400];
		if (l.mask && logenv_export(l.mask, merr, sizeof(merr)) < 0)	/* (checked already) */
			return launch_usage_error(spec, "%s", merr);
		return shell_run(&l, cfg);
	}
	fprintf(stderr, "%s: running %s -c %s\n", prog, remsimd, cfg);
	return exec_remsimd(prog, remsimd, &l, cfg, NULL);
}
