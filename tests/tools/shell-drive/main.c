/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c: shell-drive, a driver for client-shell programs (ours and
 * osmo-remsim-client-shell) in benchmarks and latency tests.
 *
 *   shell-drive [OPTIONS] -- CMD [ARGS...]
 *
 * Runs CMD with its stdin and stdout on pipes, waits for the card's ATR
 * (the first "SET_ATR: " line that differs from the default ATR; the default
 * one marks entering OPERATIONAL, i.e. the bankd connection is up), prints
 *   READY pid=PID connect_to_atr_us=X [first_us=Y]
 * and then obeys commands on its own stdin, one per line:
 *   run N HEX   send the C-APDU HEX N times, one at a time (write a line,
 *               wait for its "R-APDU: " line: osmo-remsim's client-shell
 *               needs that), then print
 *               DONE n= min= p50= p90= p99= max= mean= us not9000=K
 * EOF on stdin closes CMD's stdin (both shells then exit) and waits for it.
 * Any failure prints "FAIL reason" on stdout and exits 1.
 *
 * Options:
 *   --first HEX         send HEX the moment the card's ATR is seen and report
 *                       the time from that ATR to its R-APDU (first_us)
 *   --default-atr HEX   the shell's default ATR (default 3b00)
 *   --atr-timeout SEC   wait for the card's ATR (default 30)
 *   --apdu-timeout SEC  wait for one R-APDU (default 5)
 *
 * SHELL_DRIVE_RAW=PATH (environment): after each run, append one line per
 * APDU, "START LATENCY" in us (START from the run's beginning), to PATH.PID;
 * kept in memory during the run so that writing it does not disturb it.
 * For looking at the tail: when the slow APDUs of a run come, and whether
 * they come in step with something. */
#include "hexstr.h"
#include "monotime.h"
#include "latstat.h"
#include "log.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_APDU 261

struct child {
	pid_t pid;
	int in, out;		/* its stdin (we write), its stdout (we read) */
	char buf[8192];
	size_t len;		/* octets in buf */
};

static int spawn(struct child *c, char **argv)
{
	int pin[2], pout[2];
	if (pipe(pin) < 0 || pipe(pout) < 0)
		return -1;
	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (c->pid == 0) {
		dup2(pin[0], 0);
		dup2(pout[1], 1);
		close(pin[0]), close(pin[1]), close(pout[0]), close(pout[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "shell-drive: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pin[0]);
	close(pout[1]);
	c->in = pin[1];
	c->out = pout[0];
	c->len = 0;
	return 0;
}

/* Next line of the child's stdout into line (without the newline), waiting
 * until deadline (monotonic us).  1 line, 0 timeout, -1 EOF/error. */
static int read_line(struct child *c, char *line, size_t size, double deadline)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		if (nl) {
			size_t l = (size_t)(nl - c->buf);
			size_t k = l < size - 1 ? l : size - 1;
			memcpy(line, c->buf, k);
			line[k] = '\0';
			c->len -= l + 1;
			memmove(c->buf, nl + 1, c->len);
			return 1;
		}
		if (c->len == sizeof(c->buf))
			c->len = 0;	/* an absurd line: drop it */
		double left = deadline - mono_usf();
		if (left <= 0)
			return 0;
		struct pollfd p = { c->out, POLLIN, 0 };
		int r = poll(&p, 1, (int)(left / 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			continue;
		ssize_t n = read(c->out, c->buf + c->len, sizeof(c->buf) - c->len);
		if (n <= 0)
			return -1;
		c->len += (size_t)n;
	}
}

/* Hex octets of a "PREFIX xx xx ... " line into b; length or -1. */
static int line_octets(const char *line, const char *prefix, uint8_t *b, size_t size)
{
	size_t pl = strlen(prefix);
	if (strncmp(line, prefix, pl))
		return -1;
	return hex_parse(line + pl, b, size);
}

/* Send one APDU line and wait for its R-APDU; the R-APDU's SW in *sw.
 * Round trip in us, or -1 (reason logged). */
static double transact(struct child *c, const char *hex, double timeout_us, unsigned *sw)
{
	char line[2048];
	uint8_t r[MAX_APDU + 2];
	size_t hl = strlen(hex);
	char out[2 * MAX_APDU + 2];
	memcpy(out, hex, hl);
	out[hl] = '\n';
	double t0 = mono_usf();
	if (write(c->in, out, hl + 1) != (ssize_t)(hl + 1)) {
		LOGE(NULL, "write to the shell: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		int rc = read_line(c, line, sizeof(line), t0 + timeout_us);
		if (rc <= 0) {
			LOGE(NULL, "%s waiting for the R-APDU of %s", rc ? "EOF" : "timeout", hex);
			return -1;
		}
		int n = line_octets(line, "R-APDU: ", r, sizeof(r));
		if (n < 0)
			continue;	/* e.g. a SET_ATR line */
		*sw = n >= 2 ? (unsigned)(r[n - 2] << 8 | r[n - 1]) : 0;
		return mono_usf() - t0;
	}
}

static int wait_atr(struct child *c, const uint8_t *def, int def_len, double timeout_us,
		    double *t_connect, double *t_atr)
{
	char line[2048];
	uint8_t atr[64];
	double deadline = mono_usf() + timeout_us;
	*t_connect = 0;
	for (;;) {
		int rc = read_line(c, line, sizeof(line), deadline);
		if (rc <= 0) {
			LOGE(NULL, "%s waiting for the card's ATR", rc ? "EOF" : "timeout");
			return -1;
		}
		int n = line_octets(line, "SET_ATR: ", atr, sizeof(atr));
		if (n < 0)
			continue;
		double t = mono_usf();
		if (n == def_len && !memcmp(atr, def, (size_t)n)) {
			if (!*t_connect)
				*t_connect = t;
			continue;
		}
		if (!*t_connect)
			*t_connect = t;
		*t_atr = t;
		return 0;
	}
}

static int run_cmd(struct child *c, const char *args, double apdu_timeout)
{
	long n = 0;
	char hex[2 * MAX_APDU + 1];
	uint8_t tmp[MAX_APDU];
	if (sscanf(args, "%ld %522s", &n, hex) != 2 || n < 1 || n > 10000000 ||
	    hex_parse(hex, tmp, sizeof(tmp)) < 5) {
		printf("FAIL bad command 'run %s' (want: run N HEX)\n", args);
		return -1;
	}
	double *lat = malloc((size_t)n * sizeof(*lat));
	if (!lat)
		return -1;
	long not9000 = 0;
	const char *raw = getenv("SHELL_DRIVE_RAW");
	FILE *rf = NULL;
	if (raw && *raw) {
		char rp[4096];
		snprintf(rp, sizeof(rp), "%s.%ld", raw, (long)getpid());
		rf = fopen(rp, "a");
	}
	double *t_at = rf ? malloc((size_t)n * sizeof(*t_at)) : NULL;
	double t_run = mono_usf();
	for (long i = 0; i < n; i++) {
		unsigned sw;
		double t_i = mono_usf();
		lat[i] = transact(c, hex, apdu_timeout, &sw);
		if (t_at)
			t_at[i] = t_i - t_run;
		if (lat[i] < 0) {
			printf("FAIL no R-APDU for APDU %ld of %ld\n", i + 1, n);
			if (rf)
				fclose(rf);
			free(t_at);
			free(lat);
			return -1;
		}
		not9000 += sw != 0x9000;
	}
	if (rf) {
		for (long i = 0; t_at && i < n; i++)
			fprintf(rf, "%.0f %.1f\n", t_at[i], lat[i]);
		fclose(rf);
	}
	free(t_at);
	struct latstat l;
	latstat_compute(lat, (size_t)n, &l);
	printf("DONE n=%zu min=%.1f p50=%.1f p90=%.1f p99=%.1f max=%.1f mean=%.1f us not9000=%ld\n",
	       l.n, l.min, l.p50, l.p90, l.p99, l.max, l.mean, not9000);
	free(lat);
	return 0;
}

static void finish_child(struct child *c)
{
	close(c->in);
	for (int i = 0; i < 100; i++) {
		if (waitpid(c->pid, NULL, WNOHANG) == c->pid)
			return;
		usleep(50000);
	}
	kill(c->pid, SIGTERM);
	usleep(200000);
	kill(c->pid, SIGKILL);
	waitpid(c->pid, NULL, 0);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: shell-drive [--first HEX] [--default-atr HEX] [--atr-timeout SEC]\n"
		   "                   [--apdu-timeout SEC] -- CMD [ARGS...]\n"
		   "Commands on stdin: 'run N HEX'; EOF ends CMD.  See the top of main.c.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "first", required_argument, NULL, 'f' },
		{ "default-atr", required_argument, NULL, 'd' },
		{ "atr-timeout", required_argument, NULL, 'a' },
		{ "apdu-timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *first = NULL;
	uint8_t def[64], tmp[MAX_APDU];
	int def_len = hex_parse("3b00", def, sizeof(def));
	double atr_timeout = 30e6, apdu_timeout = 5e6;
	int ch;
	log_init("shell-drive");
	while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f': first = optarg; break;
		case 'd': def_len = hex_parse(optarg, def, sizeof(def)); break;
		case 'a': atr_timeout = atof(optarg) * 1e6; break;
		case 't': apdu_timeout = atof(optarg) * 1e6; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc || def_len < 1 || atr_timeout <= 0 || apdu_timeout <= 0 ||
	    (first && hex_parse(first, tmp, sizeof(tmp)) < 5)) {
		usage(stderr);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	struct child c;
	if (spawn(&c, argv + optind) < 0) {
		printf("FAIL cannot start %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	double t_connect, t_atr, first_us = -1;
	unsigned sw;
	if (wait_atr(&c, def, def_len, atr_timeout, &t_connect, &t_atr) < 0) {
		printf("FAIL no card ATR from %s\n", argv[optind]);
		finish_child(&c);
		return 1;
	}
	if (first && (first_us = transact(&c, first, apdu_timeout, &sw)) < 0) {
		printf("FAIL no R-APDU for the first APDU\n");
		finish_child(&c);
		return 1;
	}
	printf("READY pid=%d connect_to_atr_us=%.0f", (int)c.pid, t_atr - t_connect);
	if (first)
		printf(" first_us=%.0f sw=%04x", first_us, sw);
	printf("\n");

	char cmd[1024];
	int rc = 0;
	while (!rc && fgets(cmd, sizeof(cmd), stdin)) {
		cmd[strcspn(cmd, "\r\n")] = '\0';
		if (!strncmp(cmd, "run ", 4))
			rc = run_cmd(&c, cmd + 4, apdu_timeout) < 0;
		else if (*cmd)
			printf("FAIL unknown command '%s'\n", cmd), rc = 1;
	}
	finish_child(&c);
	return rc;
}
