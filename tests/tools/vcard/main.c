/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c: vcard, a virtual SIM card for the vpcd reader driver of pcscd.
 *
 * Options, signals and the connection life cycle: connect to vpcd, serve
 * its requests (control codes and C-APDUs), reconnect when the connection
 * drops, disconnect on SIGUSR1 (card removed) and come back on SIGUSR2
 * (card inserted).  See --help. */
#include "vcard.h"
#include "log.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Default ATRs (TA1 = 11, historical bytes "remsim SIM").  T=0: no TD1, so
 * T=0 only and no TCK.  T=1: TD1 = 01 (T=1 only), TCK = F0. */
static const char ATR_T0[] = "3B1A1172656D73696D2053494D";
static const char ATR_T1[] = "3B9A110172656D73696D2053494DF0";

static volatile sig_atomic_t want_inserted = 1;
static volatile sig_atomic_t want_stop;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		want_inserted = 0;
	else if (sig == SIGUSR2)
		want_inserted = 1;
	else
		want_stop = 1;
}

struct opts {
	const char *host, *port, *script, *apdu_log, *name;
	const char *iccid, *imsi;
	int reconnect_ms;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: vcard [OPTIONS]\n"
		"Virtual SIM card for pcscd's vpcd driver (docs/testing-pcsc.md): connects to vpcd,\n"
		"answers GET ATR and C-APDUs, reconnects whenever the connection drops.\n"
		"\n"
		"  -H, --host HOST        vpcd host (default 127.0.0.1)\n"
		"  -p, --port PORT        vpcd port of the reader slot (default 35963)\n"
		"  -a, --atr HEX          ATR to present (default T=0: %s)\n"
		"  -1, --t1               present the T=1 ATR %s;\n"
		"                         CLA 00 SELECT with Le then returns the FCP directly\n"
		"  -k, --ki HEX           16-octet Ki for RUN GSM ALGORITHM (default 000102..0f)\n"
		"      --iccid DIGITS     EF.ICCID 2FE2 content (default 8949000000000000018)\n"
		"      --imsi DIGITS      EF.IMSI 7F20/6F07 content (default 001010000000001)\n"
		"  -s, --script FILE      scripted answers, lines 'C-APDU-HEX = R-APDU-HEX'\n"
		"                         (exact match wins over the built-in card)\n"
		"  -l, --apdu-log FILE    append '<c-apdu-hex> <r-apdu-hex>' per APDU\n"
		"  -R, --removed          start removed (connect only after SIGUSR2)\n"
		"  -r, --reconnect-ms MS  pause between connection attempts (default 200)\n"
		"  -n, --name NAME        log context (default port:PORT)\n"
		"  -v, --verbose          log every control code and APDU (debug level)\n"
		"  -h, --help             this text\n"
		"\n"
		"Signals: SIGUSR1 = remove the card (close the vpcd connection and stay away),\n"
		"         SIGUSR2 = insert it again (reconnect), SIGTERM/SIGINT = exit.\n"
		"\n"
		"Card: MF 3F00 { EF.ICCID 2FE2, EF.TEST 2F99 (512 octets, octet i =\n"
		"(i mod 256) XOR (i div 256)), DF.TELECOM 7F10, DF.GSM 7F20 { EF.IMSI 6F07 } }.\n"
		"Commands: SELECT (A0/00 A4; 9Fxx or 61xx, then GET RESPONSE A0/00 C0),\n"
		"READ BINARY (A0/00 B0), STATUS (A0/80 F2), RUN GSM ALGORITHM (A0 88: 9F0C,\n"
		"then SRES||Kc with t = RAND xor Ki, SRES[j] = t[j]^t[j+4]^t[j+8]^t[j+12],\n"
		"Kc[k] = t[k]+t[15-k] mod 256).  Other INS: 6D00; other CLA: 6E00.\n",
		ATR_T0, ATR_T1);
}

static int set_atr(struct card *c, const char *hex)
{
	int n = hex_parse(hex, c->atr, sizeof(c->atr));
	if (n < 2)
		return -1;
	c->atr_len = (size_t)n;
	return 0;
}

static int parse_args(int argc, char **argv, struct opts *o, struct card *c)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "atr", required_argument, NULL, 'a' },
		{ "t1", no_argument, NULL, '1' },
		{ "ki", required_argument, NULL, 'k' },
		{ "iccid", required_argument, NULL, 'I' },
		{ "imsi", required_argument, NULL, 'M' },
		{ "script", required_argument, NULL, 's' },
		{ "apdu-log", required_argument, NULL, 'l' },
		{ "removed", no_argument, NULL, 'R' },
		{ "reconnect-ms", required_argument, NULL, 'r' },
		{ "name", required_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *atr = NULL;
	int ch;
	while ((ch = getopt_long(argc, argv, "H:p:a:1k:s:l:Rr:n:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'H': o->host = optarg; break;
		case 'p': o->port = optarg; break;
		case 'a': atr = optarg; break;
		case '1': c->t1 = 1; break;
		case 'k':
			if (hex_parse(optarg, c->ki, sizeof(c->ki)) != 16) {
				fprintf(stderr, "vcard: --ki needs 16 octets of hex\n");
				return 2;
			}
			break;
		case 'I': o->iccid = optarg; break;
		case 'M': o->imsi = optarg; break;
		case 's': o->script = optarg; break;
		case 'l': o->apdu_log = optarg; break;
		case 'R': want_inserted = 0; break;
		case 'r': o->reconnect_ms = atoi(optarg); break;
		case 'n': o->name = optarg; break;
		case 'v': log_set_level(LL_DEBUG); break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "vcard: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (set_atr(c, atr ? atr : c->t1 ? ATR_T1 : ATR_T0) < 0) {
		fprintf(stderr, "vcard: --atr needs 2..%d octets of hex\n", VCARD_MAX_ATR);
		return 2;
	}
	if (strspn(o->iccid, "0123456789") != strlen(o->iccid) || strlen(o->iccid) > 20 ||
	    strspn(o->imsi, "0123456789") != strlen(o->imsi) || strlen(o->imsi) > 15 || !*o->imsi) {
		fprintf(stderr, "vcard: --iccid takes up to 20 digits, --imsi 1..15 digits\n");
		return 2;
	}
	if (o->reconnect_ms < 10)
		o->reconnect_ms = 10;
	return 0;
}

static void log_apdu(FILE *f, const uint8_t *c, size_t clen, const uint8_t *r, size_t rlen)
{
	static char ch[2 * VCARD_MAX_MSG + 1], rh[2 * VCARD_MAX_RAPDU + 1];
	if (!f && log_get_level() > LL_DEBUG)
		return;
	hex_format(c, clen, ch);
	hex_format(r, rlen, rh);
	LOGD(NULL, "C-APDU %s -> R-APDU %s", ch, rh);
	if (f) {
		fprintf(f, "%s %s\n", ch, rh);
		fflush(f);
	}
}

/* Serve one vpcd connection until it drops, the card is removed or we stop. */
static void serve(int fd, struct card *c, FILE *apdu_log, const sigset_t *waitmask)
{
	static uint8_t msg[VCARD_MAX_MSG];
	uint8_t rapdu[VCARD_MAX_RAPDU];
	while (!want_stop && want_inserted) {
		int n = link_recv(fd, msg, sizeof(msg), waitmask);
		if (n == -2)
			continue;
		if (n == 0) {
			LOGI(NULL, "vpcd closed the connection");
			return;
		}
		if (n < 0) {
			LOGE(NULL, "vpcd connection failed: %s", strerror(errno));
			return;
		}
		if (n == 1) {
			switch (msg[0]) {
			case 0x00: LOGD(NULL, "power off"); card_power(c, 0); break;
			case 0x01: LOGD(NULL, "power on"); card_power(c, 1); break;
			case 0x02: LOGD(NULL, "reset"); card_power(c, 1); break;
			case 0x04:
				if (link_send(fd, c->atr, c->atr_len) < 0) {
					LOGE(NULL, "sending ATR failed: %s", strerror(errno));
					return;
				}
				break;
			default: LOGD(NULL, "ignoring control code %02x", msg[0]); break;
			}
			continue;
		}
		size_t rlen = card_apdu(c, msg, (size_t)n, rapdu);
		if (link_send(fd, rapdu, rlen) < 0) {
			LOGE(NULL, "sending R-APDU failed: %s", strerror(errno));
			return;
		}
		log_apdu(apdu_log, msg, (size_t)n, rapdu, rlen);
	}
}

static void pause_ms(int ms, const sigset_t *waitmask)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	ppoll(NULL, 0, &ts, waitmask);
}

int main(int argc, char **argv)
{
	struct opts o = { .host = "127.0.0.1", .port = "35963", .reconnect_ms = 200,
			  .iccid = "8949000000000000018", .imsi = "001010000000001" };
	static struct card card;
	log_init("vcard");
	for (int i = 0; i < 16; i++)
		card.ki[i] = (uint8_t)i;
	int rc = parse_args(argc, argv, &o, &card);
	if (rc)
		return rc;
	char ctx[64];
	snprintf(ctx, sizeof(ctx), "%s", o.name ? o.name : "");
	if (!o.name)
		snprintf(ctx, sizeof(ctx), "port:%s", o.port);
	log_set_context(ctx);

	fs_init(o.iccid, o.imsi);
	card_init(&card);
	if (o.script && script_load(o.script) < 0)
		return 1;
	FILE *apdu_log = NULL;
	if (o.apdu_log && !(apdu_log = fopen(o.apdu_log, "a"))) {
		LOGE(NULL, "cannot open %s: %s", o.apdu_log, strerror(errno));
		return 1;
	}

	/* Our signals stay blocked except while waiting (ppoll/sigsuspend with
	 * waitmask), so a signal can never slip in between check and wait. */
	sigset_t block, waitmask;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	char atrhex[2 * VCARD_MAX_ATR + 1];
	hex_format(card.atr, card.atr_len, atrhex);
	LOGI(NULL, "vcard for vpcd %s:%s, ATR %s, pid %d%s", o.host, o.port, atrhex, (int)getpid(),
	     want_inserted ? "" : ", starting removed");
	int failing = 0, was_inserted = want_inserted;
	while (!want_stop) {
		if (!want_inserted) {
			if (was_inserted)
				LOGI(NULL, "card removed");
			was_inserted = 0;
			sigsuspend(&waitmask);
			continue;
		}
		if (!was_inserted)
			LOGI(NULL, "card inserted");
		was_inserted = 1;
		int fd = link_connect(o.host, o.port, 1000, &waitmask);
		if (fd < 0) {
			if (!failing)
				LOGW(NULL, "cannot connect to vpcd %s:%s (%s); retrying every %d ms",
				     o.host, o.port, strerror(errno), o.reconnect_ms);
			failing = 1;
			pause_ms(o.reconnect_ms, &waitmask);
			continue;
		}
		failing = 0;
		LOGI(NULL, "connected to vpcd %s:%s", o.host, o.port);
		card_init(&card);
		serve(fd, &card, apdu_log, &waitmask);
		close(fd);
		LOGI(NULL, "disconnected from vpcd after %lu APDUs", card.apdus);
		if (want_inserted && !want_stop)
			pause_ms(o.reconnect_ms, &waitmask);
	}
	LOGI(NULL, "exiting");
	if (apdu_log)
		fclose(apdu_log);
	return 0;
}
