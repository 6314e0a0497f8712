/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c: pcsc-apdu, a small PC/SC client for tests and benchmarks.
 *
 * Lists readers, waits for a card, connects to a reader chosen by name
 * substring, prints the ATR and sends hex C-APDUs from the command line or
 * stdin, printing each R-APDU as hex; --repeat/--stats measure latency. */
#include "pcsc_apdu.h"
#include "log.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_APDU 261

struct cmd {
	uint8_t b[MAX_APDU];
	size_t len;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: pcsc-apdu [OPTIONS] [APDU-HEX...]\n"
		"PC/SC test client (set PCSCLITE_CSOCK_NAME to reach a private pcscd).\n"
		"\n"
		"  -l, --list             list readers: NAME<TAB>present<TAB>ATR | NAME<TAB>empty\n"
		"  -r, --reader SUBSTR    use the first reader whose name contains SUBSTR\n"
		"                         (default: the first reader)\n"
		"  -w, --wait STATE       wait until the reader is 'present' (card ready) or\n"
		"                         'empty'; exit 3 on timeout; APDUs may follow\n"
		"  -t, --timeout SEC      for --wait (default 10)\n"
		"  -a, --atr              print 'ATR: <hex>' after connecting\n"
		"  -p, --protocol P       t0, t1 or any (default any)\n"
		"  -x, --exclusive        connect with SCARD_SHARE_EXCLUSIVE (default shared)\n"
		"  -d, --disposition D    on disconnect: leave, reset or unpower (default leave)\n"
		"  -n, --repeat N         send the APDU list N times (default 1)\n"
		"  -S, --stats            print latency 'n= min= p50= p90= p99= max= mean= us'\n"
		"                         of SCardTransmit instead of the answers\n"
		"  -q, --quiet            do not print answers\n"
		"  -v, --verbose          print '> C-APDU' and '< R-APDU'\n"
		"  -h, --help             this text\n"
		"\n"
		"APDUs are hex (spaces and ':' allowed).  Without APDU arguments (and without\n"
		"--list/--wait/--atr), or with the argument '-', APDUs are read from stdin,\n"
		"one per line.  Each answer is printed as lower-case hex on its own line.\n"
		"Exit: 0 ok, 1 PC/SC error or empty answer, 2 usage, 3 --wait timeout.\n");
}

static int read_stdin(struct cmd **cmds, size_t *n)
{
	char line[1024];
	while (fgets(line, sizeof(line), stdin)) {
		char *s = line + strspn(line, " \t\r\n");
		if (!*s || *s == '#')
			continue;
		struct cmd *c = realloc(*cmds, (*n + 1) * sizeof(**cmds));
		if (!c)
			return -1;
		*cmds = c;
		int l = hex_parse(s, c[*n].b, MAX_APDU);
		if (l < 4) {
			LOGE(NULL, "bad APDU line: %s", s);
			return -1;
		}
		c[(*n)++].len = (size_t)l;
	}
	return 0;
}

static double elapsed_us(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e6 + (double)(b->tv_nsec - a->tv_nsec) / 1e3;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "list", no_argument, NULL, 'l' },       { "reader", required_argument, NULL, 'r' },
		{ "wait", required_argument, NULL, 'w' }, { "timeout", required_argument, NULL, 't' },
		{ "atr", no_argument, NULL, 'a' },        { "protocol", required_argument, NULL, 'p' },
		{ "exclusive", no_argument, NULL, 'x' },  { "disposition", required_argument, NULL, 'd' },
		{ "repeat", required_argument, NULL, 'n' }, { "stats", no_argument, NULL, 'S' },
		{ "quiet", no_argument, NULL, 'q' },      { "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },       { NULL, 0, NULL, 0 },
	};
	const char *reader_sub = NULL, *wait = NULL;
	int list = 0, show_atr = 0, stats = 0, quiet = 0, verbose = 0;
	double timeout = 10;
	long repeat = 1;
	DWORD protos = SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, share = SCARD_SHARE_SHARED;
	DWORD disp = SCARD_LEAVE_CARD;
	int ch;
	log_init("pcsc-apdu");
	while ((ch = getopt_long(argc, argv, "lr:w:t:ap:xd:n:Sqvh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'l': list = 1; break;
		case 'r': reader_sub = optarg; break;
		case 'w': wait = optarg; break;
		case 't': timeout = atof(optarg); break;
		case 'a': show_atr = 1; break;
		case 'p':
			if (!strcmp(optarg, "t0")) protos = SCARD_PROTOCOL_T0;
			else if (!strcmp(optarg, "t1")) protos = SCARD_PROTOCOL_T1;
			else if (!strcmp(optarg, "any")) protos = SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1;
			else { usage(stderr); return 2; }
			break;
		case 'x': share = SCARD_SHARE_EXCLUSIVE; break;
		case 'd':
			if (!strcmp(optarg, "leave")) disp = SCARD_LEAVE_CARD;
			else if (!strcmp(optarg, "reset")) disp = SCARD_RESET_CARD;
			else if (!strcmp(optarg, "unpower")) disp = SCARD_UNPOWER_CARD;
			else { usage(stderr); return 2; }
			break;
		case 'n': repeat = atol(optarg); break;
		case 'S': stats = 1; quiet = 1; break;
		case 'q': quiet = 1; break;
		case 'v': verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (repeat < 1 || (wait && strcmp(wait, "present") && strcmp(wait, "empty"))) {
		usage(stderr);
		return 2;
	}

	struct cmd *cmds = NULL;
	size_t n_cmds = 0;
	int use_stdin = optind == argc && !list && !wait && !show_atr;
	for (int i = optind; i < argc; i++) {
		if (!strcmp(argv[i], "-")) {
			use_stdin = 1;
			continue;
		}
		struct cmd *c = realloc(cmds, (n_cmds + 1) * sizeof(*cmds));
		if (!c)
			return 1;
		cmds = c;
		int l = hex_parse(argv[i], c[n_cmds].b, MAX_APDU);
		if (l < 4) {
			LOGE(NULL, "bad APDU '%s'", argv[i]);
			return 2;
		}
		c[n_cmds++].len = (size_t)l;
	}
	if (use_stdin && read_stdin(&cmds, &n_cmds) < 0)
		return 2;

	if (wait && readers_wait(reader_sub, !strcmp(wait, "present"), timeout) < 0) {
		LOGE(NULL, "timeout waiting for reader '%s' to be %s", reader_sub ? reader_sub : "", wait);
		return 3;
	}

	SCARDCONTEXT ctx;
	LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx);
	if (rv != SCARD_S_SUCCESS) {
		LOGE(NULL, "SCardEstablishContext: %s (0x%08lx)", pcsc_stringify_error(rv), (unsigned long)rv);
		return 1;
	}
	int rc = 0;
	if (list && readers_print(ctx) < 0) {
		LOGE(NULL, "cannot list readers");
		rc = 1;
	}
	if (rc || (!show_atr && !n_cmds)) {
		SCardReleaseContext(ctx);
		free(cmds);
		return rc;
	}

	char *names = NULL;
	readers_list(ctx, &names);
	const char *reader = readers_find(names, reader_sub);
	if (!reader) {
		LOGE(NULL, "no reader matches '%s'", reader_sub ? reader_sub : "");
		free(names);
		SCardReleaseContext(ctx);
		return 1;
	}
	SCARDHANDLE card;
	DWORD proto = 0;
	rv = SCardConnect(ctx, reader, share, protos, &card, &proto);
	if (rv != SCARD_S_SUCCESS) {
		LOGE(NULL, "SCardConnect(%s): %s (0x%08lx)", reader, pcsc_stringify_error(rv), (unsigned long)rv);
		free(names);
		SCardReleaseContext(ctx);
		return 1;
	}
	if (show_atr) {
		BYTE atr[MAX_ATR_SIZE];
		DWORD atr_len = sizeof(atr), st, pr, rl = 0;
		rv = SCardStatus(card, NULL, &rl, &st, &pr, atr, &atr_len);
		if (rv == SCARD_S_SUCCESS)
			print_hex("ATR: ", atr, atr_len);
		else
			rc = 1;
	}
	const SCARD_IO_REQUEST *pci = proto == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
	double *lat = stats ? malloc((size_t)repeat * n_cmds * sizeof(double) + 1) : NULL;
	size_t n_lat = 0;
	for (long r = 0; r < repeat && !rc; r++) {
		for (size_t i = 0; i < n_cmds && !rc; i++) {
			BYTE resp[4096];
			DWORD resp_len = sizeof(resp);
			struct timespec t0, t1;
			clock_gettime(CLOCK_MONOTONIC, &t0);
			rv = SCardTransmit(card, pci, cmds[i].b, (DWORD)cmds[i].len, NULL, resp, &resp_len);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if (rv != SCARD_S_SUCCESS) {
				LOGE(NULL, "SCardTransmit: %s (0x%08lx)", pcsc_stringify_error(rv), (unsigned long)rv);
				rc = 1;
				break;
			}
			if (lat)
				lat[n_lat++] = elapsed_us(&t0, &t1);
			if (verbose)
				print_hex("> ", cmds[i].b, cmds[i].len);
			if (verbose)
				print_hex("< ", resp, resp_len);
			else if (!quiet)
				print_hex("", resp, resp_len);
			if (resp_len == 0) {
				LOGE(NULL, "empty answer (card removed?)");
				rc = 1;
			}
		}
	}
	fflush(stdout);
	if (stats && !rc)
		stats_print(lat, n_lat);
	free(lat);
	SCardDisconnect(card, disp);
	free(names);
	SCardReleaseContext(ctx);
	free(cmds);
	return rc;
}
