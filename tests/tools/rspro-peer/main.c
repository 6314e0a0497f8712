/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rspro-peer: a scripted RSPRO peer for tests and benchmarks.  It connects
 * to (or accepts one connection on) a TCP address and runs a script of send /
 * expect steps over IPA-framed RSPRO, answering PINGs with PONGs unless told
 * not to.  Built on our codec, so it speaks exactly what we parse.
 *
 * Script lines (file given with -s, else stdin; '#' comments):
 *   send MSG key=value...     build and send an RSPRO message (see spec.h)
 *   sendsplit MSG key=v...    the same, one octet per write, 1 ms apart
 *   sendhex HEX               raw octets, unframed (garbage, CCM, partial frames)
 *   expect MSG [TEXT...]      the next RSPRO message must be MSG and its field
 *                             view (rspro-dump's) must contain every TEXT
 *   await MSG [TEXT...]       like expect, but skips other messages
 *   expect-ccm NAME           next CCM frame: PING PONG ID_GET ID_RESP ID_ACK
 *   expect-close [MS]         the peer closes the connection
 *   expect-silence MS         no RSPRO message arrives for MS milliseconds
 *   sleep MS
 *   mark TEXT                 print "mark TEXT" to stderr (lets a test driving
 *                             the script through a FIFO see a step complete)
 *   reconnect                 close and connect again (connect mode)
 *   close
 *   tpdu-bench N MSG-spec     send the tpduModemToCard N times, each waiting
 *                             for its tpduCardToModem; print latency p50/p90/p99
 *   serve-card MS [N]         play a bankd's card: answer every tpduModemToCard
 *                             at once with a tpduCardToModem (slots swapped, data
 *                             = the test card of tests/tools/st2sim/testcard.h)
 *                             for MS ms, until N were answered or the peer
 *                             closes; prints "serve-card: tpdus=.. status=.. other=.."
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "hexstr.h"
#include "monotime.h"
#include "ipa.h"
#include "log.h"
#include "rspro.h"
#include "spec.h"
#include "../st2sim/testcard.h"

static struct {
	int fd, listen_fd;
	int no_pong;
	long timeout_ms;
	char host[256], port[16];
	int listen_mode;
	struct ipa_reasm *reasm;
	int quiet;
} P = { .fd = -1, .listen_fd = -1, .timeout_ms = 5000 };

static int split_hostport(const char *hp)
{
	const char *c = strrchr(hp, ':');
	if (!c || c == hp)
		return -1;
	snprintf(P.host, sizeof(P.host), "%.*s", (int)(c - hp), hp);
	snprintf(P.port, sizeof(P.port), "%s", c + 1);
	return 0;
}

static int do_connect(void)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	int one = 1;
	if (getaddrinfo(P.host, P.port, &hints, &ai) != 0)
		return -1;
	P.fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (P.fd < 0 || connect(P.fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (P.fd >= 0)
			close(P.fd);
		P.fd = -1;
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	setsockopt(P.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ipa_reasm_destroy(&P.reasm);
	P.reasm = ipa_reasm_new(65535);
	return 0;
}

static int do_accept(void)
{
	int one = 1;
	struct pollfd pfd = { .fd = P.listen_fd, .events = POLLIN };
	if (poll(&pfd, 1, (int)P.timeout_ms * 4) <= 0)
		return -1;
	P.fd = accept(P.listen_fd, NULL, NULL);
	if (P.fd < 0)
		return -1;
	setsockopt(P.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ipa_reasm_destroy(&P.reasm);
	P.reasm = ipa_reasm_new(65535);
	return 0;
}

static int open_listener(void)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *ai;
	int one = 1;
	if (getaddrinfo(P.host, P.port, &hints, &ai) != 0)
		return -1;
	P.listen_fd = socket(ai->ai_family, SOCK_STREAM, 0);
	setsockopt(P.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	int rc = bind(P.listen_fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(P.listen_fd, 4) == 0 ? 0 : -1;
	freeaddrinfo(ai);
	return rc;
}

static int write_all(const uint8_t *b, size_t n)
{
	while (n) {
		ssize_t w = write(P.fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Wait for the next frame until deadline; 1 frame, 0 timeout, -1 closed/error. */
static int next_frame(struct ipa_frame *f, long deadline)
{
	for (;;) {
		int rc = ipa_reasm_next(P.reasm, f);
		if (rc < 0) {
			fprintf(stderr, "rspro-peer: broken stream from peer: %s\n", ipa_strerror(rc));
			return -1;
		}
		if (rc == 1) {
			if (f->proto == IPA_PROTO_CCM && f->len >= 1 && f->payload[0] == IPA_CCM_PING && !P.no_pong) {
				uint8_t pong[4];
				ipa_wrap_ccm(pong, sizeof(pong), IPA_CCM_PONG);
				write_all(pong, 4);
			}
			return 1;
		}
		long left = deadline - mono_ms();
		if (left <= 0)
			return 0;
		struct pollfd pfd = { .fd = P.fd, .events = POLLIN };
		int pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0)
			return 0;
		uint8_t buf[8192];
		ssize_t n = read(P.fd, buf, sizeof(buf));
		if (n <= 0)
			return -1;
		ipa_reasm_feed(P.reasm, buf, (size_t)n);
	}
}

static const char *ccm_name(uint8_t t)
{
	static const char *const n[] = { "PING", "PONG", "?", "?", "ID_GET", "ID_RESP", "ID_ACK", "ID_NACK" };
	return t < 8 ? n[t] : "?";
}

/* Next RSPRO message (CCM frames are skipped, PINGs answered). */
static int next_rspro(struct rspro_msg *m, long deadline)
{
	struct ipa_frame f;
	for (;;) {
		int rc = next_frame(&f, deadline);
		if (rc <= 0)
			return rc;
		const uint8_t *pdu;
		size_t len;
		if (ipa_frame_rspro_pdu(&f, &pdu, &len) != 1)
			continue;
		struct rspro_decode_info info;
		if (rspro_decode(pdu, len, m, &info) < 0) {
			fprintf(stderr, "rspro-peer: undecodable PDU from peer: %s\n", info.reason);
			continue;
		}
		return 1;
	}
}

static int send_msg(const struct rspro_msg *m, int split)
{
	uint8_t der[RSPRO_PDU_MAX], frame[RSPRO_PDU_MAX + 8];
	char text[4096];
	int n = rspro_encode(m, der, sizeof(der));
	if (n < 0)
		return -1;
	n = ipa_wrap_rspro(frame, sizeof(frame), der, (size_t)n);
	if (!P.quiet)
		fprintf(stderr, "> %s\n", rspro_summary(m, text, sizeof(text)));
	if (!split)
		return write_all(frame, (size_t)n);
	for (int i = 0; i < n; i++) {
		if (write_all(frame + i, 1) < 0)
			return -1;
		usleep(1000);
	}
	return 0;
}

static int matches(const struct rspro_msg *m, const char *want, char **texts, int ntexts)
{
	char view[8192];
	if (strcmp(rspro_msg_name(m->type), want) != 0)
		return 0;
	rspro_format(m, view, sizeof(view));
	for (int i = 0; i < ntexts; i++)
		if (!strstr(view, texts[i]))
			return 0;
	return 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int tpdu_bench(long count, const char *spec, char *err, size_t errlen)
{
	static struct rspro_msg req, res;
	if (spec_build(spec, &req, err, errlen) < 0)
		return -1;
	double *lat = calloc((size_t)count, sizeof(double));
	if (!lat)
		return -1;
	int q = P.quiet;
	P.quiet = 1;
	double t0 = mono_usf();
	for (long i = 0; i < count; i++) {
		double s = mono_usf();
		if (send_msg(&req, 0) < 0 || next_rspro(&res, mono_ms() + P.timeout_ms) != 1 ||
		    res.type != RSPRO_MSG_TPDU_CARD_TO_MODEM) {
			snprintf(err, errlen, "tpdu-bench: exchange %ld failed", i);
			free(lat);
			P.quiet = q;
			return -1;
		}
		lat[i] = mono_usf() - s;
	}
	double total = mono_usf() - t0;
	P.quiet = q;
	qsort(lat, (size_t)count, sizeof(double), cmp_double);
	printf("tpdu-bench: n=%ld p50=%.0fus p90=%.0fus p99=%.0fus max=%.0fus rate=%.0f/s\n", count,
	       lat[count / 2], lat[count * 9 / 10], lat[count * 99 / 100], lat[count - 1], count / (total / 1e6));
	free(lat);
	return 0;
}

/* the bankd side of the TPDU relay, answering from the test card */
static int serve_card(long ms, long max)
{
	static struct rspro_msg m, r;
	long deadline = mono_ms() + ms, tpdus = 0, status = 0, other = 0;
	int q = P.quiet;
	P.quiet = 1;
	while ((max <= 0 || tpdus < max) && next_rspro(&m, deadline) == 1) {
		if (m.type == RSPRO_MSG_TPDU_MODEM_TO_CARD) {
			uint8_t resp[ST2_RAPDU_MAX];
			size_t n = testcard_answer(m.u.tpdu.data, m.u.tpdu.len, resp);
			struct rspro_tpdu_flags fl = { false, false, false, false };
			rspro_build_tpdu_card_to_modem(&r, m.u.tpdu.bank, m.u.tpdu.client, fl, resp, n);
			if (send_msg(&r, 0) < 0)
				break;
			tpdus++;
		} else if (m.type == RSPRO_MSG_CLIENT_SLOT_STATUS_IND) {
			status++;
		} else {
			other++;
		}
	}
	P.quiet = q;
	printf("serve-card: tpdus=%ld status=%ld other=%ld\n", tpdus, status, other);
	fflush(stdout);
	return 0;
}

static int run_line(char *line, int lineno)
{
	char err[256] = "";
	char *words[64];
	int nw = 0;
	char *rest;
	static struct rspro_msg m;

	while (*line == ' ' || *line == '\t')
		line++;
	line[strcspn(line, "\r\n")] = '\0';
	if (!*line || *line == '#')
		return 0;
	rest = line + strcspn(line, " \t");
	rest += strspn(rest, " \t");
	char copy[4096];
	snprintf(copy, sizeof(copy), "%s", line);
	for (char *s = NULL, *w = strtok_r(copy, " \t", &s); w && nw < 64; w = strtok_r(NULL, " \t", &s))
		words[nw++] = w;
	const char *cmd = words[0];

	if (!strcmp(cmd, "send") || !strcmp(cmd, "sendsplit")) {
		if (spec_build(rest, &m, err, sizeof(err)) < 0 || send_msg(&m, cmd[4] == 's') < 0)
			goto fail;
	} else if (!strcmp(cmd, "sendhex")) {
		uint8_t raw[8192];
		int n = hex_parse(rest, raw, sizeof(raw));
		if (n < 0 || write_all(raw, (size_t)n) < 0) {
			snprintf(err, sizeof(err), n < 0 ? "bad hex" : "write failed");
			goto fail;
		}
	} else if ((!strcmp(cmd, "expect") || !strcmp(cmd, "await")) && nw >= 2) {
		long deadline = mono_ms() + P.timeout_ms;
		char view[8192];
		for (;;) {
			int rc = next_rspro(&m, deadline);
			if (rc <= 0) {
				snprintf(err, sizeof(err), "wanted %s, got %s", words[1], rc == 0 ? "nothing (timeout)" : "connection closed");
				goto fail;
			}
			if (!P.quiet)
				fprintf(stderr, "< %s\n", rspro_summary(&m, view, sizeof(view)));
			if (matches(&m, words[1], words + 2, nw - 2))
				break;
			if (cmd[0] == 'e') {
				snprintf(err, sizeof(err), "wanted %s, got: %.180s", words[1], rspro_format(&m, view, sizeof(view)));
				goto fail;
			}
		}
	} else if (!strcmp(cmd, "expect-ccm") && nw == 2) {
		struct ipa_frame f;
		int rc = next_frame(&f, mono_ms() + P.timeout_ms);
		if (rc <= 0 || f.proto != IPA_PROTO_CCM || f.len < 1 || strcmp(ccm_name(f.payload[0]), words[1])) {
			snprintf(err, sizeof(err), "wanted CCM %s, got %s", words[1],
				 rc <= 0 ? "nothing" : f.proto != IPA_PROTO_CCM ? "a non-CCM frame" : ccm_name(f.payload[0]));
			goto fail;
		}
	} else if (!strcmp(cmd, "expect-close")) {
		long ms = nw > 1 ? atol(words[1]) : P.timeout_ms;
		long deadline = mono_ms() + ms;
		int rc;
		while ((rc = next_rspro(&m, deadline)) == 1)
			;
		if (rc == 0) {
			snprintf(err, sizeof(err), "connection still open after %ld ms", ms);
			goto fail;
		}
	} else if (!strcmp(cmd, "expect-silence") && nw == 2) {
		char view[4096];
		int rc = next_rspro(&m, mono_ms() + atol(words[1]));
		if (rc == 1) {
			snprintf(err, sizeof(err), "wanted silence, got %s", rspro_summary(&m, view, sizeof(view)));
			goto fail;
		}
	} else if (!strcmp(cmd, "mark")) {
		fprintf(stderr, "mark %s\n", rest);
	} else if (!strcmp(cmd, "sleep") && nw == 2) {
		usleep((useconds_t)atol(words[1]) * 1000);
	} else if (!strcmp(cmd, "close")) {
		close(P.fd);
		P.fd = -1;
	} else if (!strcmp(cmd, "reconnect")) {
		if (P.fd >= 0)
			close(P.fd);
		if ((P.listen_mode ? do_accept() : do_connect()) < 0) {
			snprintf(err, sizeof(err), "reconnect failed");
			goto fail;
		}
	} else if (!strcmp(cmd, "serve-card") && nw >= 2) {
		serve_card(atol(words[1]), nw > 2 ? atol(words[2]) : 0);
	} else if (!strcmp(cmd, "tpdu-bench") && nw >= 3) {
		const char *spec = rest + strcspn(rest, " \t");
		spec += strspn(spec, " \t");
		if (tpdu_bench(atol(words[1]), spec, err, sizeof(err)) < 0)
			goto fail;
	} else {
		snprintf(err, sizeof(err), "unknown or incomplete command");
		goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "rspro-peer: script line %d: %s: %s\n", lineno, line, err);
	return -1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: rspro-peer (-c HOST:PORT | -l HOST:PORT) [-s SCRIPT] [-t TIMEOUT_MS] [--no-pong] [-q]\n"
		   "Runs a script of send/expect steps over one RSPRO connection; see the\n"
		   "comment at the top of tests/tools/rspro-peer/main.c for the commands.\n"
		   "  -c HOST:PORT   connect (retried for the timeout)   -l HOST:PORT  accept one connection\n"
		   "  -s FILE        script (default: stdin)              -t MS         step timeout (5000)\n"
		   "  --no-pong      do not answer PINGs                  -q            quiet\n"
		   "Exit status: 0 script passed, 1 a step failed, 2 usage/connection error.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "no-pong", no_argument, NULL, 'P' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const char *script = NULL;
	int c;
	log_init("rspro-peer");
	while ((c = getopt_long(argc, argv, "c:l:s:t:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': if (split_hostport(optarg) < 0) { usage(stderr); return 2; } break;
		case 'l': if (split_hostport(optarg) < 0) { usage(stderr); return 2; } P.listen_mode = 1; break;
		case 's': script = optarg; break;
		case 't': P.timeout_ms = atol(optarg); break;
		case 'q': P.quiet = 1; break;
		case 'P': P.no_pong = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!P.host[0]) {
		usage(stderr);
		return 2;
	}
	if (P.listen_mode) {
		if (open_listener() < 0 || do_accept() < 0) {
			fprintf(stderr, "rspro-peer: no connection accepted on %s:%s\n", P.host, P.port);
			return 2;
		}
	} else {
		long deadline = mono_ms() + P.timeout_ms;
		while (do_connect() < 0) {
			if (mono_ms() > deadline) {
				fprintf(stderr, "rspro-peer: cannot connect to %s:%s\n", P.host, P.port);
				return 2;
			}
			usleep(50000);
		}
	}
	FILE *in = script ? fopen(script, "r") : stdin;
	if (!in) {
		fprintf(stderr, "rspro-peer: %s: %s\n", script, strerror(errno));
		return 2;
	}
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, rc = 0;
	while (getline(&line, &cap, in) >= 0) {
		lineno++;
		if (run_line(line, lineno) < 0) {
			rc = 1;
			break;
		}
	}
	free(line);
	if (in != stdin)
		fclose(in);
	if (P.fd >= 0)
		close(P.fd);
	if (P.listen_fd >= 0)
		close(P.listen_fd);
	ipa_reasm_destroy(&P.reasm);
	return rc;
}
