/* SPDX-License-Identifier: GPL-2.0-or-later */
/* st2sim.c: simulator of a SIMtrace2 board running the cardem firmware AND
 * of the modem attached to it, for testing the host side without hardware
 * (docs/usb-testing.md).  It listens on a unix stream socket and speaks the
 * SIMtrace2 USB messages framed as in common/st2/st2_simsock.h.  This file: the
 * options, the scripted director (the fixed script, --bench, --bursts), the
 * main loop and the summary; the parts are listed in st2sim.h. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "st2_simsock.h"
#include "monotime.h"
#include "st2sim.h"

/* ---- options / output ------------------------------------------------------------ */

struct sim_opts opt = { .null_ms = 550, .timeout_s = 10, .in_depth = 3, .irq_depth = 3, .turnaround_ms = 0.05,
	  .burst_gap_ms = 3, .status_ms = 300, .boot_ms = 50 };

double now_ms(void)
{
	return mono_usf() / 1e3;
}

void say(const char *fmt, ...)
{
	if (opt.quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

void say_hex(const char *label, const uint8_t *d, size_t n)
{
	if (opt.quiet)
		return;
	printf("%s:", label);
	for (size_t i = 0; i < n; i++)
		printf(" %02x", d[i]);
	printf("\n");
	fflush(stdout);
}

struct sim_stats st;

static double burst_at;   /* when the next burst starts, 0 = not scheduled */
static int burst_phase;   /* 0 burst running, 1 gap, 2 reset done: ATR phase */

/* poll timeout (at most 10 ms): sooner, to the microsecond, when a waiting
 * IN message gets a transfer or a burst is due */
static struct timespec poll_wait(void)
{
	double t = now_ms(), a = inep_next_ms(&ep_in, t), b = inep_next_ms(&ep_irq, t), m = 10;
	if (burst_at && burst_at - t < m)
		m = burst_at > t ? burst_at - t : 0;
	if (a >= 0 && a < m)
		m = a;
	if (b >= 0 && b < m)
		m = b;
	long ns = (long)(m * 1e6);
	return (struct timespec){ .tv_sec = ns / 1000000000L, .tv_nsec = ns % 1000000000L };
}

/* ---- the script ------------------------------------------------------------------------- */

enum step { S_WAIT_HOST, S_POWER_ON, S_PPS, S_JOBS, S_RESET_MID, S_AFTER_RESET, S_POWER_OFF,
	    S_UNPLUG, S_DONE, S_MODEM };

static const char *step_name[] = { "wait for host", "power on", "PPS", "TPDUs", "reset mid-TPDU",
				   "TPDU after reset", "power off", "unplug", "done", "modem" };

static void build_script(void)
{
	uint8_t d[255];
	for (int i = 0; i < 255; i++)
		d[i] = (uint8_t)(0xff - i);
	if (opt.bursts) {
		/* one GSM SELECT (case 4, answered 61xx => GET RESPONSE) per burst */
		job_add("\xa0\xa4\x00\x00\x02", (const uint8_t *)"\x3f\x00", 2, -1);
		return;
	}
	if (opt.bench) {
		/* alternating case 3 and case 2, 16 octets each (jobs 0 and 1 reused) */
		job_add("\x00\xd6\x00\x00\x10", d, 16, -1);
		job_add("\x00\xb0\x00\x00\x10", NULL, 0, 16);
		return;
	}
	job_add("\xa0\xa4\x00\x00\x02", (const uint8_t *)"\x3f\x00", 2, -1);  /* case 4 (GSM SELECT) */
	job_add("\xa0\xf2\x00\x00\x16", NULL, 0, 0x16);                      /* case 2 (STATUS) */
	job_add("\xa0\x04\x00\x00\x00", NULL, 0, -1);                        /* case 1 (INVALIDATE) */
	job_add("\x00\xb0\x00\x00\x00", NULL, 0, 256);                       /* case 2, Le=0: 256 octets */
	job_add("\x00\xd6\x00\x00\xff", d, 255, -1);                         /* case 3, 255 octets */
	job_add("\x00\x20\x00\x01\x08", (const uint8_t *)"1234\xff\xff\xff\xff", 8, -1); /* case 3 VERIFY */
	job_add("\x80\xc2\x00\x00\xff", d, 255, -1);                         /* case 4, 255 octets */
	job_add("\x80\x12\x00\x00\x00", NULL, 0, 256);                       /* case 2 FETCH, 256 octets */
	job_add("\x00\xa4\x00\x04\x02", (const uint8_t *)"\x3f\x00", 2, -1); /* case 4 UICC SELECT */
	for (int i = 0; i < 10; i++)                                         /* back to back */
		job_add("\xa0\xb0\x00\x00\x04", NULL, 0, 4);
}

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static void usage(void)
{
	printf(
"usage: st2sim --socket PATH [options]\n"
"\n"
"Simulates a SIMtrace2-family board with cardem firmware and the modem behind\n"
"each of its cardem interfaces.  Listens on the unix stream socket PATH (a\n"
"leading '@' selects the abstract namespace), accepts a host connection per\n"
"interface (after its CLAIM) and exchanges the SIMtrace2 USB messages framed\n"
"as  u8 tag | u16 LE length | message,  tag = endpoint address: 0x04 bulk OUT\n"
"(host->sim), 0x85 bulk IN, 0x86 interrupt IN; 0x01 CLAIM.\n"
"\n"
"Script (default): wait until the host sent SIM_SELECT remote; power up\n"
"(VCC on with RST asserted, RST released: STATUS IRQs if the host enabled\n"
"STATUS_IRQ, ATR = last SET_ATR); PPS ff 10 94 7b immediately followed by a\n"
"TPDU header; TPDUs of all four cases incl. 255-octet commands and 256-octet\n"
"responses (GET RESPONSE after 61xx, re-issue after 6Cxx); 10 back-to-back\n"
"TPDUs; a warm reset in the middle of a case-3 TPDU (after the ACK) and one\n"
"TPDU after it; power off; unplug (close the connection).  Every completed\n"
"exchange is printed as 'C-APDU: ..' and 'R-APDU: ..', then a SUMMARY line.\n"
"\n"
"options:\n"
"  -s, --socket PATH   unix socket to listen on (required)\n"
"  -b, --bench N       instead of the script: power up, N TPDUs back to back\n"
"                      (alternating case 3 and case 2, 16 octets each), power\n"
"                      off, unplug; print the latency from the first header\n"
"                      octet to SW2 as p50/p90/p99/max in microseconds\n"
"  -n, --null-ms MS    send a NULL procedure byte 0x60 to the modem when the\n"
"                      host has been silent for MS ms while a procedure byte\n"
"                      is awaited (default 550, i.e. WT/2 at 3.25 MHz)\n"
"  -V, --verify        check every R-APDU against the test card of st2host\n"
"                      (tests/tools/st2sim/testcard.h)\n"
"  -P, --no-pps        skip the PPS\n"
"  -U, --no-unplug     at the end wait for the host to disconnect instead of\n"
"                      closing the connection\n"
"  -t, --timeout S     give up when a step makes no progress for S seconds\n"
"                      (default 10)\n"
"  -q, --quiet         print only the summary (and latencies)\n"
"\n"
"firmware model of the IN endpoints (docs/usb-testing.md):\n"
"      --in-queue N    bulk-IN messages that may wait for a host transfer;\n"
"                      one more drops the oldest waiting one (firmware: 3)\n"
"      --irq-queue N   the same for the interrupt endpoint (firmware: 3)\n"
"      --turnaround-ms MS  a transfer the host re-posts becomes usable MS ms\n"
"                      later (the host's turn-around; default 0.05)\n"
"      --bursts N      instead of the script: power up, then N bursts of:\n"
"                      PPS, at once a GSM SELECT header (and its GET RESPONSE),\n"
"                      a warm reset before each further burst; a TPDU left\n"
"                      unanswered for --timeout seconds prints 'STALL: ..'\n"
"      --burst-gap-ms MS  the modem's pause between bursts (default 3)\n"
"\n"
"modem mode (instead of the script):\n"
"      --modem S       for S seconds (from the first SIM_SELECT remote) play a\n"
"                      modem that follows the board: it\n"
"                      powers the card when emulation is on (SIM_SELECT remote)\n"
"                      and the card-insert control says inserted (CARDINSERT 1),\n"
"                      reads the ATR (printed), does PPS and a session (SELECT\n"
"                      MF, DF GSM, EF IMSI, READ BINARY, RUN GSM ALGORITHM),\n"
"                      then STATUS every --status-ms; CARDINSERT 0 powers the\n"
"                      card off ('# modem: card removed'), MODEM_RESET reboots\n"
"                      the modem (card off, --boot-ms later on again: new ATR,\n"
"                      new session).  A host that disconnects may come back.\n"
"      --status-ms MS  STATUS period while idle (default 300: 30 s compressed)\n"
"      --boot-ms MS    modem boot time after its reset is released (default 50)\n"
"      --resession-ms MS  run the session's TPDUs again every MS ms (a\n"
"                      periodic re-authentication; default 0: never)\n"
"      (modem mode prints the TPDU latencies as a BENCH line at the end)\n"
"\n"
"the board on the bus (the host's CLAIM is checked against it):\n"
"      --board NAME    simtrace2 (1d50:60e3, 1 cardem interface), qmod\n"
"                      (1d50:4004, 2), owhw (1d50:4001, 2), qmod4 (1d50:4004,\n"
"                      4 on one device).  With --board, one simulator process\n"
"                      per interface; each claimed connection goes to the one\n"
"                      of its interface, which runs the script/mode given.\n"
"                      Without: a SIMtrace2 with one simulator.\n"
"      --usb-path P --usb-bus N --usb-address N   where the board is (1-1, 1, 2)\n"
"      --log-prefix P  with --board: interface I prints to P.I.log\n"
"      --extra-flags HEX  OR these bits into every RX_DATA's flags (a host\n"
"                      must ignore bits it does not know)\n"
"  -h, --help          this text\n"
"\n"
"The host posts IN transfers with empty frames (tag 0x85 / 0x86, length 0);\n"
"each IN message uses up one of them.\n"
"\n"
"exit status: 0 if all TPDUs completed without protocol (or --verify) errors,\n"
"1 otherwise, 2 on usage errors.\n");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path));
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	else {
		len++;
		unlink(path);
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 1) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	enum { O_INQ = 256, O_IRQQ, O_TURN, O_BURSTS, O_XFLAGS, O_GAP, O_MODEM, O_STATUSMS, O_BOOTMS, O_BOARD, O_UPATH,
	       O_UBUS, O_UADDR, O_LOGP, O_RESESS };
	board.b = board_find("simtrace2");
	board.bus = 1;
	board.address = 2;
	snprintf(board.path, sizeof(board.path), "1-1");
	static const struct option lo[] = {
		{ "socket", 1, NULL, 's' }, { "bench", 1, NULL, 'b' }, { "null-ms", 1, NULL, 'n' },
		{ "verify", 0, NULL, 'V' }, { "no-pps", 0, NULL, 'P' }, { "no-unplug", 0, NULL, 'U' },
		{ "timeout", 1, NULL, 't' }, { "quiet", 0, NULL, 'q' }, { "help", 0, NULL, 'h' },
		{ "in-queue", 1, NULL, O_INQ }, { "irq-queue", 1, NULL, O_IRQQ },
		{ "turnaround-ms", 1, NULL, O_TURN }, { "bursts", 1, NULL, O_BURSTS },
		{ "extra-flags", 1, NULL, O_XFLAGS }, { "burst-gap-ms", 1, NULL, O_GAP },
		{ "modem", 1, NULL, O_MODEM }, { "status-ms", 1, NULL, O_STATUSMS },
		{ "boot-ms", 1, NULL, O_BOOTMS }, { "board", 1, NULL, O_BOARD },
		{ "resession-ms", 1, NULL, O_RESESS },
		{ "usb-path", 1, NULL, O_UPATH }, { "usb-bus", 1, NULL, O_UBUS },
		{ "usb-address", 1, NULL, O_UADDR }, { "log-prefix", 1, NULL, O_LOGP },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "s:b:n:VPUt:qh", lo, NULL)) != -1) {
		switch (c) {
		case 's': opt.sock = optarg; break;
		case 'b': opt.bench = atoi(optarg); break;
		case 'n': opt.null_ms = atoi(optarg); break;
		case 'V': opt.verify = 1; break;
		case 'P': opt.no_pps = 1; break;
		case 'U': opt.no_unplug = 1; break;
		case 't': opt.timeout_s = atoi(optarg); break;
		case 'q': opt.quiet = 1; break;
		case O_INQ: opt.in_depth = atoi(optarg); break;
		case O_IRQQ: opt.irq_depth = atoi(optarg); break;
		case O_TURN: opt.turnaround_ms = atof(optarg); break;
		case O_BURSTS: opt.bursts = atoi(optarg); break;
		case O_XFLAGS: opt.extra_flags = (uint32_t)strtoul(optarg, NULL, 16); break;
		case O_GAP: opt.burst_gap_ms = atof(optarg); break;
		case O_MODEM: opt.modem_s = atof(optarg); break;
		case O_STATUSMS: opt.status_ms = atof(optarg); break;
		case O_BOOTMS: opt.boot_ms = atof(optarg); break;
		case O_BOARD:
			opt.board = optarg;
			if (!(board.b = board_find(optarg))) {
				fprintf(stderr, "st2sim: unknown board '%s' (%s)\n", optarg, board_names());
				return 2;
			}
			break;
		case O_UPATH: snprintf(board.path, sizeof(board.path), "%s", optarg); break;
		case O_UBUS: board.bus = atoi(optarg); break;
		case O_UADDR: board.address = atoi(optarg); break;
		case O_LOGP: opt.log_prefix = optarg; break;
		case O_RESESS: opt.resession_ms = atof(optarg); break;
		case 'h': usage(); return 0;
		default: usage(); return 2;
		}
	}
	if (!opt.sock || opt.bench < 0 || opt.bench > 10000000 || opt.null_ms < 1 || opt.timeout_s < 1) {
		fprintf(stderr, "st2sim: --socket PATH is required; --bench 0..10000000, --null-ms and --timeout > 0\n");
		return 2;
	}
	if (opt.in_depth < 0 || opt.in_depth > INEP_QMAX || opt.irq_depth < 0 || opt.irq_depth > INEP_QMAX ||
	    opt.turnaround_ms < 0 || opt.turnaround_ms > 10000 || opt.bursts < 0 || opt.bursts > 1000000 ||
	    opt.burst_gap_ms < 0 || opt.burst_gap_ms > 60000 || opt.modem_s < 0 || opt.modem_s > 86400 ||
	    opt.status_ms < 1 || opt.boot_ms < 0 || opt.resession_ms < 0 || (opt.bursts && opt.bench) ||
	    (opt.modem_s > 0 && (opt.bursts || opt.bench))) {
		fprintf(stderr, "st2sim: --in-queue/--irq-queue 0..%d, --turnaround-ms 0..10000, "
			"--bursts 0..1000000, --modem 0..86400, --status-ms >= 1; one of --bench, --bursts, "
			"--modem\n", INEP_QMAX);
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	int lfd = listen_on(opt.sock);
	if (lfd < 0) {
		fprintf(stderr, "st2sim: cannot listen on %s: %s\n", opt.sock, strerror(errno));
		return 2;
	}
	say("# listening on %s: %s, %04x:%04x bus %d address %d path %s\n", opt.sock, board.b->what,
	    board.b->vid, board.b->pid, board.bus, board.address, board.path);
	if (board.b->n_if > 1) {
		int r = board_run(&board, lfd, &bus_fd, &stop);
		if (r >= BOARD_PARENT_DONE) {
			close(lfd);
			if (opt.sock[0] != '@')
				unlink(opt.sock);
			return r - BOARD_PARENT_DONE;
		}
		/* the simulator of interface r */
		close(lfd);
		lfd = -1;
		char lp[512];
		snprintf(lp, sizeof(lp), "%s.%d.log", opt.log_prefix ? opt.log_prefix : "/dev/null", r);
		if (opt.log_prefix && !freopen(lp, "w", stdout))
			return 2;
		say("# interface %d of the %s\n", r, board.b->name);
	}

	/* power-on defaults of the firmware */
	static const uint8_t default_atr[] = { 0x3b, 0x80, 0x80, 0x81, 0x1f, 0xc7, 0x59 };
	memcpy(card.atr, default_atr, sizeof(default_atr));
	card.atr_len = sizeof(default_atr);
	card.fi = card.di = 1;
	card.wi = 10;
	inep_init(&ep_in, ST2_SIM_TAG_IN, opt.in_depth, opt.turnaround_ms);
	inep_init(&ep_irq, ST2_SIM_TAG_IRQ, opt.irq_depth, opt.turnaround_ms);
	build_script();
	double *lat = NULL;
	if (opt.bench || opt.modem_s > 0) {
		int nlat = opt.bench ? opt.bench : 1000000;
		lat = calloc((size_t)nlat, sizeof(double));
		if (!lat)
			return 2;
		mo.lat = lat;
		mo.maxlat = nlat;
	}

	enum step step = opt.modem_s > 0 ? S_MODEM : S_WAIT_HOST;
	double step_t = now_ms(), enabled_t = 0, unplug_at = 0, end_t = 0;
	struct st2_sim_rx rx = { .len = 0 };
	int failed = 0;

	while (!stop && step != S_DONE) {
		struct pollfd pp[2] = { { .fd = conn_fd >= 0 ? conn_fd : bus_fd >= 0 ? bus_fd : lfd, .events = POLLIN },
					{ .fd = conn_fd >= 0 ? lfd : -1, .events = POLLIN } };
		struct timespec wait = poll_wait();
		int rc = ppoll(pp, 2, &wait, NULL);
		if (rc < 0 && errno != EINTR)
			break;
		if (rc > 0 && (pp[1].revents & POLLIN)) {
			/* a single-interface board: another host wants it meanwhile */
			int busy = 1, i;
			(void)board_accept(&board, lfd, &busy, &i);
		}
		if (rc > 0 && !(pp[0].revents & (POLLIN | POLLHUP | POLLERR)))
			rc = 0;
		if (rc > 0 && conn_fd < 0) {
			if (bus_fd >= 0 && (conn_fd = board_recv_conn(bus_fd)) < 0) {
				say("# the bus is gone\n");
				break;
			}
			if (bus_fd < 0) {
				int idle = 0, i;
				conn_fd = board_accept(&board, lfd, &idle, &i);
			}
			if (conn_fd >= 0)
				say("# host connected\n");
			rx.len = 0;
			inep_clear(&ep_in);
			inep_clear(&ep_irq);
			step_t = now_ms();
		} else if (rc > 0) {
			int n = st2_sim_rx_fill(&rx, conn_fd);
			if (n <= 0 && !(n < 0 && (errno == EAGAIN || errno == EINTR))) {
				say("# host disconnected\n");
				conn_close();
				if (step == S_UNPLUG) {
					step = S_DONE;
					break;
				}
				if (step == S_MODEM) {
					/* the host program went away, the board stays: wait
					 * for the next one (IN messages waiting are lost) */
					inep_clear(&ep_in);
					inep_clear(&ep_irq);
					rx.len = 0;
					continue;
				}
				failed = 1;
				break;
			}
			uint8_t tag, msg[ST2_SIM_FRAME_MAX];
			size_t len;
			int r = 0;
			while (conn_fd >= 0 && (r = st2_sim_rx_next(&rx, &tag, msg, &len)) == 1) {
				if (tag == ST2_SIM_TAG_OUT)
					host_msg(msg, len);

				else if ((tag == ST2_SIM_TAG_IN || tag == ST2_SIM_TAG_IRQ) && len == 0 &&
					 inep_post(tag == ST2_SIM_TAG_IN ? &ep_in : &ep_irq, now_ms()) < 0)
					fprintf(stderr, "st2sim: host posted more than %d IN transfers\n", INEP_CMAX);
			}
			if (r < 0) {
				fprintf(stderr, "st2sim: corrupt frame from host\n");
				failed = 1;
				break;
			}
		}
		inep_flush(&ep_in, now_ms(), wire_send);
		inep_flush(&ep_irq, now_ms(), wire_send);
		card_null_timer();
		pump();

		/* the director: advance the script when the modem is idle */
		enum step before = step;
		switch (step) {
		case S_WAIT_HOST:
			if (card.enabled && !enabled_t)
				enabled_t = now_ms();
			/* give the host a moment to send SET_ATR / CARDINSERT after SIM_SELECT */
			if (enabled_t && (card.atr_set || now_ms() - enabled_t > 300) && now_ms() - enabled_t > 50)
				step = S_POWER_ON;
			break;
		case S_POWER_ON:
			mo.atr_n = 0;
			card_set_lines(1, 1);
			card_set_lines(1, 0);
			say_hex("ATR", mo.atr, (size_t)mo.atr_n);
			pump();
			step = (opt.no_pps || (opt.bench && !opt.bursts)) ? S_JOBS : S_PPS;
			if (step == S_JOBS && mo.njobs)
				job_start(0);
			break;
		case S_PPS:
			modem_pps_then_job0();
			step = S_JOBS;
			break;
		case S_JOBS:
			if (mo.s == M_IDLE && mo.j == NULL) {
				if (opt.bench && (int)st.tpdus < opt.bench)
					job_start((int)st.tpdus % 2);
				else if (!opt.bench && mo.cur + 1 < mo.njobs)
					job_start(mo.cur + 1);
				else if (opt.bursts && (burst_phase || (int)st.bursts + 1 < opt.bursts)) {
					/* next burst after the gap: warm reset, ATR, then PPS
					 * and the header at once.  On a real line the ATR alone
					 * takes >= 20 ms, far longer than the host needs to
					 * fetch the reset's STATUS interrupts; in compressed
					 * time the modem waits until they have left the board,
					 * so that they are not overtaken by the next header. */
					if (burst_phase == 0) {
						burst_at = now_ms() + opt.burst_gap_ms;
						burst_phase = 1;
					} else if (burst_phase == 1 && now_ms() >= burst_at) {
						st.bursts++;
						mo.njobs = 1;
						modem_warm_reset();
						burst_phase = 2;
					} else if (burst_phase == 2 && ep_irq.qn == 0) {
						burst_phase = 0;
						burst_at = 0;
						modem_pps_then_job0();
					}
				} else {
					if (opt.bursts)
						st.bursts++;   /* the last one */
					step = (opt.bench || opt.bursts) ? S_POWER_OFF : S_RESET_MID;
				}
				pump();
			}
			break;
		case S_RESET_MID:
			if (mo.s == M_IDLE && !mo.want_reset && mo.j == NULL) {
				job_add("\x00\x20\x00\x01\x08", (const uint8_t *)"00000000", 8, -1);
				mo.jobs[mo.njobs - 1].reset_after_ack = 1;
				job_start(mo.njobs - 1);
				pump();
			} else if (mo.want_reset) {
				say("# warm reset in the middle of TPDU %02x %02x (after the ACK)\n",
				    mo.j->hdr[0], mo.j->hdr[1]);
				mo.want_reset = 0;
				mo.j = NULL;
				mo.s = M_IDLE;
				st.aborted++;
				st.tpdus--;          /* counted as aborted, not as a TPDU */
				modem_warm_reset();
				job_add("\xa0\xf2\x00\x00\x16", NULL, 0, 0x16);
				job_start(mo.njobs - 1);
				pump();
				step = S_AFTER_RESET;
			}
			break;
		case S_AFTER_RESET:
			if (mo.s == M_IDLE && mo.j == NULL) {
				if (mo.cur + 1 < mo.njobs) {
					job_start(mo.cur + 1);
					pump();
				} else
					step = S_POWER_OFF;
			}
			break;
		case S_POWER_OFF:
			card_set_lines(0, 0);
			step = S_UNPLUG;
			break;
		case S_UNPLUG:
			/* let the host drain the last messages: 100 ms, longer while
			 * messages still wait for its IN transfers (at most 1 s) */
			if (!unplug_at)
				unplug_at = now_ms() + 100;
			if (!opt.no_unplug && now_ms() >= unplug_at &&
			    ((ep_in.qn == 0 && ep_irq.qn == 0) || now_ms() >= unplug_at + 900)) {
				say("# unplug\n");
				conn_close();
				step = S_DONE;
			}
			break;
		case S_DONE:
			break;
		case S_MODEM:
			if (modem_director(&end_t))
				step = S_POWER_OFF;
			break;
		}
		/* progress = a new step or a completed TPDU */
		if (step != before)
			step_t = now_ms();
		static unsigned last_ok;
		if (st.ok != last_ok) {
			last_ok = st.ok;
			step_t = now_ms();
		}
		int stuck = step == S_MODEM ? (mo.j && now_ms() - mo.t0 > opt.timeout_s * 1000.0)
					    : (step != S_UNPLUG && now_ms() - step_t > opt.timeout_s * 1000.0);
		if (stuck) {
			if (mo.j) {
				st.stalls++;
				printf("STALL: TPDU %02x %02x %02x %02x %02x unanswered for %d s (burst %u; IN "
				       "messages dropped: bulk %u, interrupt %u)\n", mo.j->hdr[0], mo.j->hdr[1],
				       mo.j->hdr[2], mo.j->hdr[3], mo.j->hdr[4], opt.timeout_s, st.bursts + 1,
				       ep_in.dropped, ep_irq.dropped);
			}
			fprintf(stderr, "st2sim: no progress for %d s in step '%s'\n", opt.timeout_s, step_name[step]);
			failed = 1;
			break;
		}
	}
	conn_close();
	if (lfd >= 0) {
		close(lfd);
		if (opt.sock[0] != '@')
			unlink(opt.sock);
	}

	if ((opt.bench || opt.modem_s > 0) && mo.nlat > 0) {
		qsort(lat, (size_t)mo.nlat, sizeof(double), cmp_double);
		printf("BENCH tpdus=%d p50=%.0fus p90=%.0fus p99=%.0fus max=%.0fus\n", mo.nlat,
		       lat[mo.nlat * 50 / 100] * 1000, lat[mo.nlat * 90 / 100] * 1000,
		       lat[mo.nlat * 99 / 100] * 1000, lat[mo.nlat - 1] * 1000);
	}
	free(lat);
	printf("IN bulk: posted=%u sent=%u dropped=%u max_waiting=%u depth=%d; interrupt: posted=%u "
	       "sent=%u dropped=%u max_waiting=%u depth=%d; turnaround=%.1fms\n", ep_in.posted, ep_in.sent,
	       ep_in.dropped, ep_in.max_waiting, ep_in.depth, ep_irq.posted, ep_irq.sent, ep_irq.dropped,
	       ep_irq.max_waiting, ep_irq.depth, opt.turnaround_ms);
	printf("SUMMARY tpdus=%u completed=%u aborted=%u protocol_errors=%u verify_errors=%u "
	       "null_bytes=%u pts=%u atrs=%u status_irqs=%u tx_dropped=%u card_insert=%d host_msgs=%u "
	       "bursts=%u sessions=%u reboots=%u removals=%u stalls=%u in_dropped=%u irq_dropped=%u "
	       "result=%s\n", st.tpdus, st.ok, st.aborted,
	       st.proto_err, st.verify_err, st.nulls, st.pts_sent, st.atrs, st.status_irq, st.tx_dropped,
	       st.card_inserted, st.host_msgs, st.bursts, st.sessions, st.reboots, st.removals, st.stalls,
	       ep_in.dropped, ep_irq.dropped,
	       st.stalls ? "STALL" : (failed || st.proto_err || st.verify_err || st.ok != st.tpdus) ? "FAIL" : "OK");
	return (failed || st.proto_err || st.verify_err || st.ok != st.tpdus) ? 1 : 0;
}
