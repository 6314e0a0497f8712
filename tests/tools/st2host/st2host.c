/* SPDX-License-Identifier: GPL-2.0-or-later */
/* st2host.c: minimal SIMtrace2 host for tests: opens a transport (the
 * st2sim simulator socket or a libusb device), sends the osmo-remsim
 * start-up sequence (CONFIG STATUS_IRQ, SIM_SELECT remote, SET_ATR,
 * CARDINSERT 1, MODEM_RESET pulse), runs the st2_tpdu engine and answers
 * every C-APDU with the deterministic test card (../st2sim/testcard.h).
 * It watches the number of bulk-IN transfers in flight and prints a
 * summary when the device goes away (or --duration expires). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "st2_msg.h"
#include "st2_simsock.h"
#include "st2_tpdu.h"
#include "st2_transport.h"
#include "st2_usb.h"
#include "../st2sim/testcard.h"

static struct st2_transport *tr;
static struct st2_tpdu tp;
static int gone_reason, quiet;

static void print_hex(const char *label, uint32_t id, const uint8_t *d, size_t n)
{
	if (quiet)
		return;
	printf("%s #%u:", label, (unsigned)id);
	for (size_t i = 0; i < n; i++)
		printf(" %02x", d[i]);
	printf("\n");
	fflush(stdout);
}

static int tp_send(void *priv, const uint8_t *msg, size_t len)
{
	(void)priv;
	return st2_transport_send(tr, msg, len);
}

static void tp_capdu(void *priv, uint32_t id, const uint8_t *apdu, size_t len)
{
	uint8_t resp[ST2_RAPDU_MAX];
	(void)priv;
	size_t n = testcard_answer(apdu, len, resp);
	print_hex("host C-APDU", id, apdu, len);
	print_hex("host R-APDU", id, resp, n);
	st2_tpdu_card_response(&tp, id, resp, n);
}

static void tp_status(void *priv, const struct st2_slot_status *s, unsigned changed)
{
	(void)priv;
	if (!quiet)
		printf("host STATUS vcc=%d clk=%d rst=%d changed=0x%x\n", s->vcc_present, s->clk_active,
		       s->reset_active, changed);
}

static void on_in(void *priv, const uint8_t *buf, size_t len)
{
	(void)priv;
	st2_tpdu_rx_msg(&tp, buf, len);
}

static void on_gone(void *priv, enum st2_gone_reason why, const char *detail)
{
	(void)priv;
	gone_reason = why;
	if (!quiet)
		printf("host device gone (%s): %s\n", why == ST2_GONE_UNPLUGGED ? "unplugged" : "I/O error", detail);
}

static int parse_hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	while (*s) {
		if (*s == ' ' || *s == ':') { s++; continue; }
		unsigned v;
		if (n >= max || sscanf(s, "%2x", &v) != 1)
			return -1;
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return (int)n;
}

static void usage(void)
{
	printf(
"usage: st2host (--socket PATH | --usb) [options]\n"
"Test host for SIMtrace2 cardem: start-up sequence, TPDU engine, test card.\n"
"  -s, --socket PATH     connect to the st2sim simulator at PATH\n"
"  -u, --usb             use libusb (device selection below)\n"
"      --vid HEX --pid HEX --serial STR --path BUS-PORT[.PORT] --bus N --addr N\n"
"      --config N (default 1, -1 keep) --interface N (0) --alt N (0)\n"
"      --no-dev-mem      heap transfer buffers instead of libusb_dev_mem_alloc()\n"
"      --in-transfers N  bulk-IN transfers kept submitted (default 4)\n"
"  -a, --atr HEX         ATR to set (default 3b 00)\n"
"  -d, --duration S      stop after S seconds (default: run until the device goes away)\n"
"  -m, --min-in-flight N fail if fewer than N bulk-IN transfers are ever pending\n"
"                        after start-up (checked after every event loop pass)\n"
"  -q, --quiet           summary only\n"
"exit status 0: device unplugged (or duration over) and the in-flight check held.\n");
}

int main(int argc, char **argv)
{
	enum { O_VID = 256, O_PID, O_SERIAL, O_PATH, O_BUS, O_ADDR, O_CONFIG, O_INTF, O_ALT, O_NODEVMEM, O_NIN };
	static const struct option lo[] = {
		{ "socket", 1, NULL, 's' }, { "usb", 0, NULL, 'u' }, { "atr", 1, NULL, 'a' },
		{ "duration", 1, NULL, 'd' }, { "min-in-flight", 1, NULL, 'm' }, { "quiet", 0, NULL, 'q' },
		{ "help", 0, NULL, 'h' }, { "vid", 1, NULL, O_VID }, { "pid", 1, NULL, O_PID },
		{ "serial", 1, NULL, O_SERIAL }, { "path", 1, NULL, O_PATH }, { "bus", 1, NULL, O_BUS },
		{ "addr", 1, NULL, O_ADDR }, { "config", 1, NULL, O_CONFIG }, { "interface", 1, NULL, O_INTF },
		{ "alt", 1, NULL, O_ALT }, { "no-dev-mem", 0, NULL, O_NODEVMEM },
		{ "in-transfers", 1, NULL, O_NIN }, { NULL, 0, NULL, 0 },
	};
	const char *sock = NULL;
	int use_usb = 0, min_if = 0;
	double duration = 0;
	uint8_t atr[ST2_ATR_MAX] = { 0x3b, 0x00 };
	int atr_len = 2;
	struct st2_usb_sel sel;
	st2_usb_sel_default(&sel);
	int c;
	while ((c = getopt_long(argc, argv, "s:ua:d:m:qh", lo, NULL)) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 'u': use_usb = 1; break;
		case 'a': atr_len = parse_hex(optarg, atr, sizeof(atr)); break;
		case 'd': duration = atof(optarg); break;
		case 'm': min_if = atoi(optarg); break;
		case 'q': quiet = 1; break;
		case O_VID: sel.vid = (uint16_t)strtoul(optarg, NULL, 16); break;
		case O_PID: sel.pid = (uint16_t)strtoul(optarg, NULL, 16); break;
		case O_SERIAL: sel.serial = optarg; break;
		case O_PATH: sel.path = optarg; break;
		case O_BUS: sel.bus = atoi(optarg); break;
		case O_ADDR: sel.address = atoi(optarg); break;
		case O_CONFIG: sel.config = atoi(optarg); break;
		case O_INTF: sel.interface = atoi(optarg); break;
		case O_ALT: sel.altsetting = atoi(optarg); break;
		case O_NODEVMEM: sel.no_dev_mem = 1; break;
		case O_NIN: sel.n_bulk_in = atoi(optarg); break;
		case 'h': usage(); return 0;
		default: usage(); return 2;
		}
	}
	if ((!sock && !use_usb) || atr_len < 1) {
		usage();
		return 2;
	}
	log_init("st2host");
	struct st2_transport_cbs cbs = { .bulk_in = on_in, .irq_in = on_in, .gone = on_gone };
	tr = use_usb ? st2_usb_open(&sel, &cbs, "H0:0") : st2_simsock_open_sel(sock, &sel, &cbs, "H0:0");
	if (!tr)
		return 1;
	struct st2_tpdu_ops ops = { .send = tp_send, .capdu = tp_capdu, .status = tp_status };
	st2_tpdu_init(&tp, &ops, "H0:0");

	uint8_t m[64];
	int n;
	n = st2_enc_config(m, sizeof(m), ST2_FEAT_STATUS_IRQ, 0, 0);       st2_transport_send(tr, m, (size_t)n);
	n = st2_enc_sim_select(m, sizeof(m), 1);                            st2_transport_send(tr, m, (size_t)n);
	n = st2_enc_set_atr(m, sizeof(m), atr, (size_t)atr_len);            st2_transport_send(tr, m, (size_t)n);
	n = st2_enc_cardinsert(m, sizeof(m), 1);                            st2_transport_send(tr, m, (size_t)n);
	n = st2_enc_modem_reset(m, sizeof(m), ST2_RESET_PULSE, 300);        st2_transport_send(tr, m, (size_t)n);

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int if_min = st2_transport_in_flight(tr), if_max = if_min;
	long passes = 0;
	while (!tr->gone) {
		st2_transport_run_once(tr, 50);
		passes++;
		if (!tr->gone) {
			int f = st2_transport_in_flight(tr);
			if (f < if_min) if_min = f;
			if (f > if_max) if_max = f;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (duration > 0 && (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9 > duration)
			break;
	}
	printf("HOST capdus=%u rapdus=%u status_reports=%u pts=%u resets=%u aborted=%u stale=%u "
	       "in_flight_min=%d in_flight_max=%d passes=%ld gone=%s\n", tp.cnt.capdus, tp.cnt.rapdus,
	       tp.cnt.status_reports, tp.cnt.pts, tp.cnt.resets, tp.cnt.aborted, tp.cnt.stale_resp,
	       if_min, if_max, passes,
	       gone_reason == ST2_GONE_UNPLUGGED ? "unplugged" : gone_reason ? "io-error" : "no");
	int ok = (gone_reason == ST2_GONE_UNPLUGGED || (duration > 0 && !gone_reason)) && if_min >= min_if;
	st2_transport_close(tr);
	return ok ? 0 : 1;
}
