/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-client: the client role, started like osmo-remsim-client-st2 (and,
 * when called as remsim-client-shell, like osmo-remsim-client-shell).
 *
 * From osmo-style options it writes a role config into a private run dir
 * and exec()s remsimd on it (broker + one usbslot actor, supervised); with
 * --config FILE (or "-c FILE" where FILE is not a number) it runs remsimd on
 * that file instead, e.g. etc/client.cfg with several slots.  The shell
 * variant runs broker + usbslot itself so stdin/stdout reach the actor
 * (shell.c). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launcher.h"
#include "version.h"

static void usage(FILE *f, int shell)
{
	const char *prog = shell ? "remsim-client-shell" : "remsim-client";
	fprintf(f,
"usage: %s [options]\n"
"The remsim client role%s, with osmo-remsim-client's options.\n"
"  -h, --help                 this text\n"
"  -v, --version              print the version\n"
"  -d, --debug MASK           log level: debug|info|notice|warn|error, or an\n"
"                             osmocom mask like DMAIN,1:DST2,3 (lowest level wins)\n"
"  -i, --server-ip HOST       remsim-server address (127.0.0.1)\n"
"  -p, --server-port PORT     remsim-server port (9998)\n"
"  -c, --client-id N          ClientId (0); a value that is not a number is taken\n"
"                             as --config FILE\n"
"  -n, --client-slot N        client SlotNr (0)\n"
"  -a, --atr HEX              ATR until the bankd sends the card's (3b 00; 2..55 octets)\n"
"  -r, --atr-ignore-rspro     always present the -a ATR\n"
"  -e, --event-script CMD     run '/bin/sh -c \"CMD CAUSE\"' on events\n"
"  -L, --disable-color        accepted (logs have no colours)\n",
		prog, shell ? " with a stdin/stdout frontend (one hex C-APDU per line, RESET;\n"
			      "prints 'R-APDU: ..' and 'SET_ATR: ..'; exits 0 on EOF)" : " for a SIMtrace2 card-emulation board");
	if (!shell)
		fprintf(f,
"  -Z, --set-sim-presence 0|1 SIM-presence pin polarity (sent to the board)\n"
"  -V, --usb-vendor HEX       USB vendor id (1d50)\n"
"  -P, --usb-product HEX      USB product id (any cardem board: 60e3 4004 4001 ...)\n"
"  -C, --usb-config N         configuration to select (1)\n"
"  -I, --usb-interface N      interface = cardem slot (0)\n"
"  -S, --usb-altsetting N     altsetting (0)\n"
"  -A, --usb-address N        USB device address\n"
"  -H, --usb-path PATH        USB port path, e.g. 2-1.1\n"
"      --usb-serial STR       USB serial number string\n"
"      --sim SOCKET           use the st2sim simulator at SOCKET instead of USB\n"
"      --ifd                  a PC/SC reader for pcscd's libifd_remsim.so instead of\n"
"                             USB: socket RUN_DIR/ifd.sock, default run dir name\n"
"                             remsim-ifd-C<id>-<slot> (docs/ifd.md)\n"
"      --usb-bulk-in N        bulk-IN transfers kept submitted (4; 1..32; fewer\n"
"                             than 4 only to reproduce OS#4409)\n"
"  -u, --user USER[:GROUP]    run as USER (in group remsim for the board, see\n"
"                             etc/udev/): remsimd, started as root, drops to it\n");
	fprintf(f,
"      --config FILE          run the role config FILE (e.g. etc/client.cfg, several\n"
"                             slots) instead of one slot from these options\n"
"      --run-dir DIR          directory of the ipc sockets and the generated config\n"
"                             (default /run/remsim-client-C<id>-<slot> as root, else\n"
"                             $XDG_RUNTIME_DIR or /tmp)\n"
"      --print-config         print the generated role config and exit\n"
"%s",
		shell ? "The shell runs the broker and one usbslot actor itself (no remsimd): stdin and\n"
			"stdout belong to the usbslot actor; logs go to stderr.\n"
		      : "Runs remsimd (broker + usbslot actors, restarted when they die); control with\n"
			"remsim-ctl -e ipc://RUN_DIR/control status.\n");
}

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
	if (l->log_level) {
		av[k++] = "-d";
		av[k++] = l->log_level;
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

static int parse_num(const char *v, int base, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, base);
	if (!*v || *end || errno || x < min || x > max)
		return -1;
	*out = x;
	return 0;
}

static int is_number(const char *v)
{
	if (*v == '-' || *v == '+')
		v++;
	if (!*v)
		return 0;
	for (; *v; v++)
		if (!isdigit((unsigned char)*v))
			return 0;
	return 1;
}

/* osmocom log mask "DMAIN,1:DST2,3" or a level name -> our level name */
static const char *map_level(const char *v)
{
	static const char *const names[] = { "debug", "info", "notice", "warn", "error" };
	for (int i = 0; i < 5; i++)
		if (!strcasecmp(v, names[i]))
			return names[i];
	int lowest = 99;
	for (const char *p = strchr(v, ','); p; p = strchr(p + 1, ',')) {
		int n = atoi(p + 1);
		if (n > 0 && n < lowest)
			lowest = n;
	}
	if (lowest == 99)
		return NULL;
	/* osmocom: 1 DEBUG, 3 INFO, 5 NOTICE, 7 ERROR, 8 FATAL */
	return lowest <= 1 ? "debug" : lowest <= 3 ? "info" : lowest <= 5 ? "notice" : "error";
}

static int hex_ok(const char *v)
{
	int digits = 0;
	for (; *v; v++) {
		if (isxdigit((unsigned char)*v))
			digits++;
		else if (!isspace((unsigned char)*v) && *v != ':')
			return 0;
	}
	return digits % 2 == 0 && digits / 2 >= 2 && digits / 2 <= 55;
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
	const char *prog = l.shell ? "remsim-client-shell" : "remsim-client";
	enum { O_CONFIG = 256, O_RUNDIR, O_SERIAL, O_SIM, O_PRINT, O_IFD, O_BULKIN };
	static const struct option lo[] = {
		{ "help", 0, NULL, 'h' }, { "version", 0, NULL, 'v' }, { "debug", 1, NULL, 'd' },
		{ "server-ip", 1, NULL, 'i' }, { "server-port", 1, NULL, 'p' }, { "client-id", 1, NULL, 'c' },
		{ "client-slot", 1, NULL, 'n' }, { "atr", 1, NULL, 'a' }, { "atr-ignore-rspro", 0, NULL, 'r' },
		{ "event-script", 1, NULL, 'e' }, { "disable-color", 0, NULL, 'L' },
		{ "set-sim-presence", 1, NULL, 'Z' }, { "usb-vendor", 1, NULL, 'V' },
		{ "usb-product", 1, NULL, 'P' }, { "usb-config", 1, NULL, 'C' },
		{ "usb-interface", 1, NULL, 'I' }, { "usb-altsetting", 1, NULL, 'S' },
		{ "usb-address", 1, NULL, 'A' }, { "usb-path", 1, NULL, 'H' },
		{ "usb-serial", 1, NULL, O_SERIAL }, { "sim", 1, NULL, O_SIM }, { "ifd", 0, NULL, O_IFD },
		{ "config", 1, NULL, O_CONFIG }, { "run-dir", 1, NULL, O_RUNDIR },
		{ "print-config", 0, NULL, O_PRINT }, { "usb-bulk-in", 1, NULL, O_BULKIN },
		{ "user", 1, NULL, 'u' }, { NULL, 0, NULL, 0 },
	};
	const char *shortopts = ":hvd:i:p:c:n:a:re:LZ:V:P:C:I:S:A:H:u:";	/* (the shell ignores the SIMtrace2 ones) */
	int c, print = 0, bad = 0;
	long v;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, lo, NULL)) != -1) {
		int usbopt = strchr("ZVPCISAH", c) != NULL || c == O_SERIAL || c == O_SIM || c == O_IFD ||
			     c == O_BULKIN;
		if (l.shell && c != '?' && c != ':' && usbopt) {
			fprintf(stderr, "%s: ignoring SIMtrace2 option '%s'\n", prog, argv[optind - 1]);
			continue;
		}
		switch (c) {
		case 'h': usage(stdout, l.shell); return 0;
		case 'v': return version_print(prog);
		case 'd':
			l.log_level = map_level(optarg);
			if (!l.log_level)
				fprintf(stderr, "%s: log mask '%s' not understood: using the default\n", prog, optarg);
			break;
		case 'i': l.server_host = optarg; l.slot_opts++; break;
		case 'p': bad = parse_num(optarg, 10, 1, 65535, &l.server_port); l.slot_opts++; break;
		case 'c':
			if (is_number(optarg)) {
				l.client_id = atol(optarg);	/* osmo: atoi, no range check */
				l.slot_opts++;
			} else {
				l.config = optarg;
			}
			break;
		case 'n': l.slot_nr = atol(optarg); l.slot_opts++; break;
		case 'a':
			if (!hex_ok(optarg)) {
				fprintf(stderr, "ATR malformed\n");
				return 2;
			}
			l.atr = optarg;
			l.slot_opts++;
			break;
		case 'r': l.atr_ignore = 1; l.slot_opts++; break;
		case 'u': l.user = optarg; break;
		case 'e': l.event_script = optarg; l.slot_opts++; break;
		case 'L': break;
		case 'Z': bad = parse_num(optarg, 10, 0, 1, &v); l.sim_presence = (int)v; l.slot_opts++; break;
		case 'V': bad = parse_num(optarg, 16, 0, 0xffff, &l.vid); l.slot_opts++; break;
		case 'P': bad = parse_num(optarg, 16, 0, 0xffff, &l.pid); l.slot_opts++; break;
		case 'C': bad = parse_num(optarg, 10, 0, 255, &l.usb_config); l.slot_opts++; break;
		case 'I': bad = parse_num(optarg, 10, 0, 255, &l.usb_interface); l.slot_opts++; break;
		case 'S': bad = parse_num(optarg, 10, 0, 255, &l.usb_alt); l.slot_opts++; break;
		case 'A': bad = parse_num(optarg, 10, 0, 255, &l.usb_address); l.slot_opts++; break;
		case 'H': l.usb_path = optarg; l.slot_opts++; break;
		case O_SERIAL: l.usb_serial = optarg; l.slot_opts++; break;
		case O_SIM: l.sim_socket = optarg; l.slot_opts++; break;
		case O_IFD: l.ifd = 1; l.slot_opts++; break;
		case O_BULKIN: bad = parse_num(optarg, 10, 1, 32, &l.usb_bulk_in); l.slot_opts++; break;
		case O_CONFIG: l.config = optarg; break;
		case O_RUNDIR: l.run_dir = optarg; break;
		case O_PRINT: print = 1; break;
		case ':':
			fprintf(stderr, "%s: option '%s' needs a value\n", prog, argv[optind - 1]);
			return 2;
		default:	/* unlike osmo-remsim-client, which ignores them */
			fprintf(stderr, "%s: unknown option '%s'\n", prog, argv[optind - 1]);
			usage(stderr, l.shell);
			return 2;
		}
		if (bad) {
			/* the option itself, whether its value was attached or the next argument */
			const char *o = optind >= 2 && argv[optind - 1] == optarg ? argv[optind - 2] : argv[optind - 1];
			fprintf(stderr, "%s: bad value '%s' for '%s'\n", prog, optarg, o);
			return 2;
		}
	}
	for (int i = optind; i < argc; i++)
		fprintf(stderr, "%s: ignoring argument '%s'\n", prog, argv[i]);

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
	if (l.log_level)
		setenv("REMSIM_LOG_LEVEL", l.log_level, 1);

	if (l.config) {
		if (l.slot_opts) {
			fprintf(stderr, "%s: with a config file the slot options (-i -p -c N -n -a -r -e and\n"
				"the USB ones) belong into the file (group client, see etc/client.cfg)\n", prog);
			return 2;
		}
		if (l.shell) {
			fprintf(stderr, "%s: --config is for remsim-client; the shell runs one slot\n", prog);
			return 2;
		}
		if (print) {
			execlp("cat", "cat", l.config, (char *)NULL);
			return 1;
		}
		return exec_remsimd(prog, remsimd, &l, l.config, l.run_dir);
	}

	char rd[4096];
	if (!l.run_dir) {
		const char *base = getenv("XDG_RUNTIME_DIR");
		if (getuid() == 0)
			base = "/run";
		if (!base || !*base)
			base = getenv("TMPDIR");
		if (!base || !*base)
			base = "/tmp";
		snprintf(rd, sizeof(rd), "%s/%s-C%ld-%ld", base, l.ifd ? "remsim-ifd" : prog, l.client_id,
			 l.slot_nr);
		l.run_dir = rd;
	}
	char cfg[4200];
	if (print) {
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
	if (l.shell)
		return shell_run(&l, cfg);
	fprintf(stderr, "%s: running %s -c %s\n", prog, remsimd, cfg);
	return exec_remsimd(prog, remsimd, &l, cfg, NULL);
}
