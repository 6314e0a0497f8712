/* st2sim.c: simulator of a SIMtrace2 board running the cardem firmware
 * (one slot) AND of the modem attached to it, for testing the host side
 * without hardware.  It listens on a unix stream socket and speaks the
 * SIMtrace2 USB messages framed as in common/st2_simsock.h (tag = endpoint
 * address 0x04 / 0x85 / 0x86, u16 LE length, message).
 *
 * Firmware model (spec simtrace2-cardem.md §4-§5): CONFIG answer, STATUS
 * request answer, spontaneous STATUS on the interrupt endpoint (only with
 * STATUS_IRQ, one per VCC/CLK/RST change), SIM_SELECT gate, SET_ATR <= 33,
 * ATR on every RST release, PPS echo with DO_CEMU_PTS, RX_DATA generation
 * (TPDU_HDR / FINAL), TX_DATA flag rules (PB_AND_TX, PB_AND_RX precedence,
 * FINAL, drop while inactive), NULL bytes 0x60 every --null-ms while the
 * host is late.  The modem plays a script (see usage()). */
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

#include "st2_msg.h"
#include "board.h"
#include "inep.h"
#include "st2_simsock.h"
#include "testcard.h"

/* ---- options / output ------------------------------------------------------------ */

static struct {
	const char *sock;
	int bench;
	int null_ms;
	int verify;
	int no_pps;
	int no_unplug;
	int timeout_s;
	int quiet;
	int in_depth, irq_depth;   /* firmware IN queues (spec §8.3: 3) */
	double turnaround_ms;      /* host turn-around per IN transfer */
	int bursts;                /* burst scenario: N x (reset, PPS + header at once) */
	uint32_t extra_flags;      /* OR-ed into every RX_DATA's flags */
	double burst_gap_ms;       /* pause of the modem between bursts */
	double modem_s;            /* modem mode: run a reacting modem for S seconds */
	double status_ms;          /* modem mode: STATUS period while idle */
	double boot_ms;            /* modem mode: reboot time after MODEM_RESET */
	double resession_ms;       /* modem mode: re-authentication period, 0 none */
	const char *board;         /* --board: a multi-interface bus */
	const char *log_prefix;    /* --log-prefix: per-interface output files */
} opt = { .null_ms = 550, .timeout_s = 10, .in_depth = 3, .irq_depth = 3, .turnaround_ms = 0.05,
	  .burst_gap_ms = 3, .status_ms = 300, .boot_ms = 50 };

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	if (opt.quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static void say_hex(const char *label, const uint8_t *d, size_t n)
{
	if (opt.quiet)
		return;
	printf("%s:", label);
	for (size_t i = 0; i < n; i++)
		printf(" %02x", d[i]);
	printf("\n");
	fflush(stdout);
}

/* ---- statistics -------------------------------------------------------------------- */

static struct {
	unsigned tpdus, ok, proto_err, verify_err, nulls, pts_sent, status_irq, atrs;
	unsigned tx_dropped, host_msgs, unknown_msgs, card_insert_msgs, aborted, stalls, bursts;
	unsigned sim_select_msgs, modem_reset_msgs, set_atr_msgs;
	unsigned sessions, reboots, removals;
	int card_inserted;
} st;

/* ---- connection --------------------------------------------------------------------- */

static int conn_fd = -1;
static int bus_fd = -1;             /* multi-interface board: hand-over socket to the bus */
static struct inep ep_in, ep_irq;   /* bulk IN 0x85, interrupt IN 0x86 */

/* the host connection ends (either side); the interface is free again */
static void conn_close(void)
{
	if (conn_fd < 0)
		return;
	close(conn_fd);
	conn_fd = -1;
	board_release(bus_fd);
}

static struct board_at board;      /* the board and where it sits on the bus */

/* one message = one completed IN transfer on the wire */
static void wire_send(uint8_t tag, const uint8_t *msg, size_t len)
{
	uint8_t frame[ST2_SIM_FRAME_HDR + ST2_SIM_FRAME_MAX];
	if (conn_fd < 0)
		return;
	int n = st2_sim_frame(tag, msg, len, frame, sizeof(frame));
	if (n > 0 && st2_sim_write_all(conn_fd, frame, (size_t)n) < 0) {
		fprintf(stderr, "st2sim: host connection lost: %s\n", strerror(errno));
		conn_close();
	}
}

/* the firmware queues a message for the host on an IN endpoint */
static void host_send(uint8_t tag, const uint8_t *msg, int len)
{
	if (len < 0 || conn_fd < 0)
		return;
	struct inep *e = tag == ST2_SIM_TAG_IRQ ? &ep_irq : &ep_in;
	if (inep_put(e, msg, (size_t)len, now_ms(), wire_send))
		say("# IN 0x%02x: no transfer posted and %d waiting: %s dropped\n", tag, e->depth,
		    st2_msg_name((uint8_t)(e->last_drop >> 8), (uint8_t)e->last_drop));
}

/* ---- the card emulator (firmware) -------------------------------------------------------- */

enum cstate { C_OFF, C_WAIT_RST, C_WAIT_TPDU, C_PTS, C_HDR, C_WAIT_PB, C_TX, C_RX };

struct txmsg { uint32_t flags; uint16_t len, pos; uint8_t data[ST2_TX_DATA_MAX]; };
#define TXQ 64

static struct {
	int enabled;
	uint32_t features;
	uint8_t pres_pol;
	uint8_t atr[ST2_ATR_MAX];
	int atr_len, atr_set;
	int vcc, clk, rst;          /* rst: 1 = asserted */
	enum cstate s;
	uint8_t hdr[5]; int hdr_n;
	uint8_t pps[6]; int pps_n, pps_need;
	uint8_t rx[256]; int rx_n, rx_need;
	struct txmsg q[TXQ]; int q_head, q_n;
	uint8_t fi, di, wi;
	double last_tx;
} card;

/* modem side: octets the modem sent towards the card, processed by pump() */
static uint8_t to_card[1024];
static int to_card_n;

static void modem_rx(uint8_t b);

static void card_to_modem(uint8_t b)
{
	card.last_tx = now_ms();
	modem_rx(b);
}

static void card_discard(void)
{
	card.q_n = 0;
	card.hdr_n = card.pps_n = card.rx_n = 0;
	to_card_n = 0;
}

static uint32_t card_status_flags(void)
{
	return (card.vcc ? ST2_STATUS_F_VCC_PRESENT : 0) | (card.clk ? ST2_STATUS_F_CLK_ACTIVE : 0) |
	       (card.rst ? ST2_STATUS_F_RESET_ACTIVE : 0);
}

static void card_send_status(uint8_t tag)
{
	uint8_t b[32];
	struct st2_status s = { .flags = card_status_flags(), .voltage_mv = 0, .fi = card.fi,
				.di = card.di, .wi = card.wi, .waiting_time = 960u * card.wi * card.di };
	host_send(tag, b, st2_enc_status(b, sizeof(b), &s));
}

static void card_status_irq(void)
{
	if (card.enabled && (card.features & ST2_FEAT_STATUS_IRQ)) {
		card_send_status(ST2_SIM_TAG_IRQ);
		st.status_irq++;
	}
}

/* the modem changes its lines; STATUS per changed line, ATR on release */
static void card_set_lines(int vcc, int rst)
{
	if (!card.enabled)     /* emulation disabled: lines are not looked at */
		return;
	if (vcc && !card.vcc && rst)
		card.rst = 1;      /* cold activation: RST is already held when VCC rises */
	if (vcc != card.vcc) {
		card.vcc = vcc;
		card_status_irq();
		card.clk = vcc;    /* CLK is reported as on exactly while VCC is on */
		card_status_irq();
		if (!vcc) {
			card_discard();
			card.s = C_OFF;
		}
	}
	if (rst != card.rst) {
		card.rst = rst;
		card_status_irq();
		if (rst && card.vcc) {
			card_discard();
			card.s = C_WAIT_RST;
		}
	}
	if (card.vcc && card.clk && !card.rst && (card.s == C_OFF || card.s == C_WAIT_RST)) {
		card.fi = card.di = 1;
		card.wi = 10;
		st.atrs++;
		for (int i = 0; i < card.atr_len; i++)
			card_to_modem(card.atr[i]);
		card.s = C_WAIT_TPDU;
	}
}

static void card_send_rx(uint32_t flags, const uint8_t *d, int n)
{
	uint8_t b[ST2_MSG_MAX];
	host_send(ST2_SIM_TAG_IN, b, st2_enc_rx_data(b, sizeof(b), flags | opt.extra_flags, d, (size_t)n));
	card.last_tx = now_ms();   /* the NULL-byte timer restarts */
}

static void card_rx(uint8_t b)
{
	switch (card.s) {
	case C_WAIT_TPDU:
		if (b == 0xff) {
			card.s = C_PTS;
			card.pps[0] = b;
			card.pps_n = 1;
			card.pps_need = 3;
		} else {
			card.s = C_HDR;
			card.hdr[0] = b;
			card.hdr_n = 1;
		}
		break;
	case C_PTS:
		card.pps[card.pps_n++] = b;
		if (card.pps_n == 2)
			card.pps_need = 3 + !!(b & 0x10) + !!(b & 0x20) + !!(b & 0x40);
		if (card.pps_n == card.pps_need) {
			uint8_t x = 0;
			for (int i = 0; i < card.pps_n; i++)
				x ^= card.pps[i];
			card.s = C_WAIT_TPDU;
			if (x != 0)
				break;     /* bad PCK: silently back to WAIT_TPDU */
			uint8_t m[32];
			host_send(ST2_SIM_TAG_IN, m, st2_enc_pts(m, sizeof(m), card.pps, (size_t)card.pps_n));
			st.pts_sent++;
			for (int i = 0; i < card.pps_n; i++)
				card_to_modem(card.pps[i]);
			if (card.pps[1] & 0x10) {
				card.fi = card.pps[2] >> 4;
				card.di = card.pps[2] & 0x0f;
			}
		}
		break;
	case C_HDR:
		card.hdr[card.hdr_n++] = b;
		if (card.hdr_n == 5) {
			card.s = C_WAIT_PB;
			card_send_rx(ST2_DATA_F_TPDU_HDR, card.hdr, 5);
		}
		break;
	case C_RX:
		card.rx[card.rx_n++] = b;
		if (card.rx_n >= card.rx_need) {
			card.s = C_WAIT_PB;
			card_send_rx(ST2_DATA_F_FINAL, card.rx, card.rx_n);
		}
		break;
	default:
		break;    /* octets while not receiving are ignored */
	}
}

static void card_enter_rx(void)
{
	card.s = C_RX;
	card.rx_n = 0;
	card.rx_need = card.hdr[4] ? card.hdr[4] : 256;
}

/* transmit one queued octet if the state allows; 1 if something was sent */
static int card_tx_one(void)
{
	if (card.q_n == 0 || (card.s != C_WAIT_PB && card.s != C_TX))
		return 0;
	struct txmsg *m = &card.q[card.q_head];
	if (m->len == 0) {
		card.q_head = (card.q_head + 1) % TXQ;
		card.q_n--;
		return 1;
	}
	uint8_t b = m->data[m->pos];
	if (m->pos == 0 && card.s == C_WAIT_PB) {
		if (m->flags & ST2_DATA_F_PB_AND_RX)
			card_enter_rx();
		else if (m->flags & ST2_DATA_F_PB_AND_TX)
			card.s = C_TX;
	}
	uint32_t flags = m->flags;
	int last = (++m->pos == m->len);
	if (last) {
		card.q_head = (card.q_head + 1) % TXQ;
		card.q_n--;
		if (flags & ST2_DATA_F_PB_AND_RX) {
			if (card.s != C_RX)
				card_enter_rx();
		} else if (flags & ST2_DATA_F_FINAL) {
			card.s = C_WAIT_TPDU;
		}
	}
	card_to_modem(b);
	return 1;
}

static void pump(void)
{
	for (;;) {
		if (card_tx_one())
			continue;
		if (to_card_n > 0) {
			uint8_t b = to_card[0];
			memmove(to_card, to_card + 1, (size_t)--to_card_n);
			card_rx(b);
			continue;
		}
		break;
	}
}

static void card_null_timer(void)
{
	if (card.s == C_WAIT_PB && card.q_n == 0 && now_ms() - card.last_tx >= opt.null_ms)
		card_to_modem(0x60);
}

/* what the host did to the modem through the board, for the modem mode */
static struct {
	int insert_changed;    /* CARDINSERT received */
	int modem_reset;       /* MODEM_RESET assert or pulse received */
	double held_ms;        /* how long the reset line is held (the pulse) */
} board_ev;

/* one message from the host (bulk OUT) */
static void host_msg(const uint8_t *buf, size_t len)
{
	struct st2_msg m;
	uint8_t b[64];
	/* several messages may be concatenated in one OUT transfer */
	while (len >= ST2_HDR_LEN) {
		int rc = st2_msg_decode(buf, len, &m);
		if (rc == ST2_E_SHORT || rc == ST2_E_MSGLEN) {
			fprintf(stderr, "st2sim: malformed OUT data (%s), rest of transfer dropped\n", st2_strerror(rc));
			st.unknown_msgs++;
			return;
		}
		st.host_msgs++;
		size_t used = m.hdr.msg_len;
		if (rc < 0) {
			st.unknown_msgs++;      /* unknown / malformed: silently dropped */
		} else if (m.hdr.msg_class == ST2_CLASS_CARDEM) {
			switch (m.hdr.msg_type) {
			case ST2_CEMU_TX_DATA:
				if (!card.enabled || card.s < C_WAIT_TPDU || card.q_n == TXQ) {
					st.tx_dropped++;
					say("# TX_DATA dropped (card not active)\n");
				} else {
					struct txmsg *t = &card.q[(card.q_head + card.q_n++) % TXQ];
					t->flags = m.u.data.flags;
					t->len = m.u.data.len;
					t->pos = 0;
					memcpy(t->data, m.u.data.data, m.u.data.len);
				}
				break;
			case ST2_CEMU_SET_ATR:
				if (m.u.atr.len <= ST2_ATR_MAX) {
					memcpy(card.atr, m.u.atr.atr, m.u.atr.len);
					card.atr_len = m.u.atr.len;
					card.atr_set++;
					st.set_atr_msgs++;
					say_hex("# SET_ATR", card.atr, (size_t)card.atr_len);
				}
				break;
			case ST2_CEMU_STATUS:
				card_send_status(ST2_SIM_TAG_IN);
				break;
			case ST2_CEMU_CARDINSERT:
				st.card_insert_msgs++;
				st.card_inserted = m.u.card_insert;
				board_ev.insert_changed = board.b->card_insert;
				if (!board.b->card_insert)
					say("# (the %s has no card-insert output: the modem sees no change)\n",
					    board.b->name);
				say("# CARDINSERT %u (presence output %s)\n", m.u.card_insert,
				    (m.u.card_insert ? 1 : 0) == (card.pres_pol ? 1 : 0) ? "high" : "low");
				break;
			case ST2_CEMU_CONFIG:
				if (m.u.config.nfields >= 1)
					card.features = m.u.config.features & ST2_FEAT_STATUS_IRQ;
				if (m.u.config.nfields >= 3 && (m.u.config.pres_pol & ST2_PRES_POL_VALID))
					card.pres_pol = m.u.config.pres_pol & 1;
				host_send(ST2_SIM_TAG_IN, b, st2_enc_config(b, sizeof(b), card.features, 0,
									   (uint8_t)(card.pres_pol | ST2_PRES_POL_VALID)));
				break;
			default:
				break;    /* STATS etc.: no answer */
			}
		} else if (m.hdr.msg_class == ST2_CLASS_MODEM) {
			if (m.hdr.msg_type == ST2_MODEM_SIM_SELECT) {
				card.enabled = m.u.remote_sim ? 1 : 0;
				st.sim_select_msgs++;
				say("# SIM_SELECT %s\n", card.enabled ? "remote (emulation on)" : "local");
				if (!card.enabled) {
					card_discard();
					card.vcc = card.clk = card.rst = 0;
					card.s = C_OFF;
				}
			} else if (m.hdr.msg_type == ST2_MODEM_RESET) {
				st.modem_reset_msgs++;
				if (m.u.reset.asserted != 0 && board.b->modem_reset) {
					board_ev.modem_reset = 1;
					board_ev.held_ms = m.u.reset.asserted == ST2_RESET_PULSE ? m.u.reset.pulse_ms : 0;
				}
				else if (!board.b->modem_reset)
					say("# (the %s has no modem reset line: ignored)\n", board.b->name);
				say("# MODEM_RESET %u %u ms\n", m.u.reset.asserted, m.u.reset.pulse_ms);
			}
		}
		buf += used;
		len -= used;
	}
	pump();
}

/* ---- the modem ----------------------------------------------------------------------------- */

struct job {
	uint8_t hdr[5];
	uint8_t data[255];
	int lc;              /* command octets to send after the ACK */
	int le;              /* response octets expected after the ACK, -1 none */
	int reset_after_ack; /* warm-reset instead of sending the command data */
};

enum mstate { M_IDLE, M_PPS, M_WAIT_PB, M_RX_DATA, M_WAIT_SW2 };

#define MAXJOBS 64
static struct {
	enum mstate s;
	struct job jobs[MAXJOBS];
	int njobs, cur;
	struct job *j;
	uint8_t resp[260]; int resp_n, rx_need;
	int sent_data;
	uint8_t sw1;
	uint8_t pps[6]; int pps_n, pps_len;
	double t0;
	int want_reset;       /* set from modem_rx, executed by the director */
	uint8_t atr[64]; int atr_n;
	double *lat; int nlat, maxlat;
} mo;

static void push_to_card(const uint8_t *d, int n)
{
	if (to_card_n + n > (int)sizeof(to_card))
		return;
	memcpy(to_card + to_card_n, d, (size_t)n);
	to_card_n += n;
}

static void job_add(const char *hdr, const uint8_t *data, int lc, int le)
{
	if (mo.njobs >= MAXJOBS)
		return;
	struct job *j = &mo.jobs[mo.njobs++];
	memset(j, 0, sizeof(*j));
	memcpy(j->hdr, hdr, 5);
	j->lc = lc;
	j->le = le;
	if (lc)
		memcpy(j->data, data, (size_t)lc);
}

/* insert a follow-up TPDU right after the current one */
static void job_insert_next(const uint8_t hdr[5], int le)
{
	if (mo.njobs >= MAXJOBS)
		return;
	memmove(&mo.jobs[mo.cur + 2], &mo.jobs[mo.cur + 1], sizeof(struct job) * (size_t)(mo.njobs - mo.cur - 1));
	mo.njobs++;
	struct job *j = &mo.jobs[mo.cur + 1];
	memset(j, 0, sizeof(*j));
	memcpy(j->hdr, hdr, 5);
	j->le = le;
}

static void job_start(int idx)
{
	mo.cur = idx;
	mo.j = &mo.jobs[idx];
	mo.resp_n = 0;
	mo.sent_data = 0;
	mo.s = M_WAIT_PB;
	mo.t0 = now_ms();
	st.tpdus++;
	push_to_card(mo.j->hdr, 5);
}

static void job_done(void)
{
	struct job *j = mo.j;
	double lat = now_ms() - mo.t0;
	if (mo.lat && mo.nlat < mo.maxlat)
		mo.lat[mo.nlat++] = lat;
	uint8_t capdu[260];
	memcpy(capdu, j->hdr, 5);
	memcpy(capdu + 5, j->data, (size_t)j->lc);
	say_hex("C-APDU", capdu, 5 + (size_t)j->lc);
	say_hex("R-APDU", mo.resp, (size_t)mo.resp_n);
	st.ok++;
	if (opt.verify) {
		uint8_t want[260];
		size_t wn = testcard_answer(capdu, 5 + (size_t)j->lc, want);
		if (wn != (size_t)mo.resp_n || memcmp(want, mo.resp, wn) != 0) {
			st.verify_err++;
			say("# VERIFY FAILED (expected %zu octets)\n", wn);
		}
	}
	uint8_t sw1 = mo.resp[mo.resp_n - 2], sw2 = mo.resp[mo.resp_n - 1];
	uint8_t h[5] = { j->hdr[0], 0xc0, 0, 0, sw2 };
	if (sw1 == 0x61 || sw1 == 0x9f) {   /* fetch the response data (9F: GSM 11.11) */
		job_insert_next(h, sw2 ? sw2 : 256);
	} else if (sw1 == 0x6c) {     /* wrong Le: re-issue with Le = SW2 */
		memcpy(h, j->hdr, 4);
		job_insert_next(h, sw2 ? sw2 : 256);
	}
	mo.s = M_IDLE;
	mo.j = NULL;
}

static void proto_error(const char *what, uint8_t b)
{
	st.proto_err++;
	say("# PROTOCOL ERROR: %s (octet %02x)\n", what, b);
}

static void modem_rx(uint8_t b)
{
	switch (mo.s) {
	case M_IDLE:
		if (mo.atr_n < (int)sizeof(mo.atr))
			mo.atr[mo.atr_n++] = b;   /* ATR octets */
		break;
	case M_PPS:
		if (mo.pps_n < 6 && b != mo.pps[mo.pps_n]) proto_error("PPS response differs", b);
		if (++mo.pps_n == mo.pps_len) {
			say_hex("PPS", mo.pps, (size_t)mo.pps_len);
			mo.s = M_IDLE;
			job_start(mo.cur);        /* the next TPDU header follows at once */
		}
		break;
	case M_WAIT_PB:
		if (b == 0x60) {
			st.nulls++;
		} else if (b == mo.j->hdr[1]) {       /* ACK */
			if (mo.j->lc > mo.sent_data) {
				if (mo.j->reset_after_ack) {
					mo.want_reset = 1;
				} else {
					push_to_card(mo.j->data + mo.sent_data, mo.j->lc - mo.sent_data);
					mo.sent_data = mo.j->lc;
				}
			} else if (mo.j->le >= 0 && mo.resp_n == 0) {
				mo.rx_need = mo.j->le;
				mo.s = M_RX_DATA;
			} else {
				proto_error("unexpected ACK", b);
			}
		} else if ((b & 0xf0) == 0x60 || (b & 0xf0) == 0x90) {
			mo.sw1 = b;
			mo.s = M_WAIT_SW2;
		} else {
			proto_error("unexpected procedure byte", b);
		}
		break;
	case M_RX_DATA:
		mo.resp[mo.resp_n++] = b;
		if (mo.resp_n == mo.rx_need)
			mo.s = M_WAIT_PB;
		break;
	case M_WAIT_SW2:
		mo.resp[mo.resp_n++] = mo.sw1;
		mo.resp[mo.resp_n++] = b;
		job_done();
		break;
	}
}

/* ---- modem actions used by the director ---------------------------------------------- */

static void modem_warm_reset(void)
{
	mo.atr_n = 0;
	card_set_lines(1, 1);
	card_set_lines(1, 0);
	say_hex("ATR", mo.atr, (size_t)mo.atr_n);
}

/* PPS ff 10 94 7b; the modem sends job 0's header as soon as the response is in */
static void modem_pps_then_job0(void)
{
	static const uint8_t pps[] = { 0xff, 0x10, 0x94, 0x7b };
	memcpy(mo.pps, pps, sizeof(pps));
	mo.pps_len = 4;
	mo.pps_n = 0;
	mo.cur = 0;
	mo.s = M_PPS;
	push_to_card(pps, 4);
	pump();
}

/* ---- modem mode: a modem that follows what the host does to the board ---------------- */

enum mdm { MD_OFF, MD_BOOT, MD_SESSION, MD_IDLE };
static struct { enum mdm st; double until, resession_at; } md;

/* the start of a GSM session: SELECT MF, DF GSM, EF IMSI, READ BINARY,
 * RUN GSM ALGORITHM (GET RESPONSE follows 61xx / 9Fxx by itself) */
static void session_jobs(void)
{
	static const uint8_t rand16[16] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
					    0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10 };
	mo.njobs = 0;
	job_add("\xa0\xa4\x00\x00\x02", (const uint8_t *)"\x3f\x00", 2, -1);
	job_add("\xa0\xa4\x00\x00\x02", (const uint8_t *)"\x7f\x20", 2, -1);
	job_add("\xa0\xa4\x00\x00\x02", (const uint8_t *)"\x6f\x07", 2, -1);
	job_add("\xa0\xb0\x00\x00\x09", NULL, 0, 9);
	job_add("\xa0\x88\x00\x00\x10", rand16, 16, -1);
}

/* the card-presence line as the modem sees it: driven by CARDINSERT on
 * boards with a card-insert output, else the card is always there */
static int modem_sees_card(void)
{
	return board.b->card_insert ? st.card_inserted : 1;
}

/* the card goes unpowered; a TPDU in progress is abandoned */
static void modem_power_off(const char *why)
{
	if (mo.j) {
		st.aborted++;
		st.tpdus--;
		mo.j = NULL;
	}
	mo.s = M_IDLE;
	say("# modem: %s%s\n", why, card.vcc ? ": card off" : "");
	card_set_lines(0, 0);
}

/* one pass; returns 1 when the run is over (end time reached, no TPDU open).
 * The run's time starts when a host first enables emulation. */
static int modem_director(double *end_at)
{
	double t = now_ms();
	if (!*end_at && card.enabled)
		*end_at = t + opt.modem_s * 1000;
	double end_t = *end_at ? *end_at : t + 1e9;
	if (board_ev.insert_changed) {
		board_ev.insert_changed = 0;
		if (!modem_sees_card() && (md.st == MD_SESSION || md.st == MD_IDLE)) {
			st.removals++;
			modem_power_off("card removed");
			md.st = MD_OFF;
		}
	}
	if (board_ev.modem_reset) {
		board_ev.modem_reset = 0;
		st.reboots++;
		modem_power_off("modem reset, rebooting");
		md.st = MD_BOOT;
		md.until = t + board_ev.held_ms + opt.boot_ms;   /* it boots once the reset is released */
	}
	if (!card.enabled && (md.st == MD_SESSION || md.st == MD_IDLE)) {
		modem_power_off("emulation off (SIM_SELECT local)");
		md.st = MD_OFF;
	}
	switch (md.st) {
	case MD_OFF:
		if (modem_sees_card() && card.enabled && t < end_t) {
			md.st = MD_BOOT;
			md.until = t + opt.boot_ms;
		}
		break;
	case MD_BOOT:
		if (t < md.until)
			break;
		if (!modem_sees_card() || !card.enabled || t >= end_t) {
			md.st = MD_OFF;
			break;
		}
		st.sessions++;
		mo.atr_n = 0;
		card_set_lines(1, 1);
		card_set_lines(1, 0);
		say_hex("ATR", mo.atr, (size_t)mo.atr_n);
		session_jobs();
		md.resession_at = t + opt.resession_ms;
		if (opt.no_pps)
			job_start(0);
		else
			modem_pps_then_job0();
		md.st = MD_SESSION;
		break;
	case MD_SESSION:
		if (mo.s == M_IDLE && !mo.j) {
			if (mo.cur + 1 < mo.njobs) {
				job_start(mo.cur + 1);
			} else {
				md.st = MD_IDLE;
				md.until = t + opt.status_ms;
			}
		}
		break;
	case MD_IDLE:
		if (opt.resession_ms > 0 && t >= md.resession_at && t < end_t) {
			session_jobs();          /* authenticate again (no reset) */
			md.resession_at = t + opt.resession_ms;
			job_start(0);
			md.st = MD_SESSION;
		} else if (t >= md.until && t < end_t) {
			mo.njobs = 0;
			job_add("\xa0\xf2\x00\x00\x16", NULL, 0, 0x16);   /* STATUS */
			job_start(0);
			md.st = MD_SESSION;
		}
		break;
	}
	pump();
	return t >= end_t && !mo.j && mo.s == M_IDLE;
}

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
"Simulates a SIMtrace2 board with cardem firmware (one slot) and the modem\n"
"behind it.  Listens on the unix stream socket PATH (a leading '@' selects\n"
"the abstract namespace), accepts one host connection and exchanges the\n"
"SIMtrace2 USB messages framed as  u8 tag | u16 LE length | message,  tag =\n"
"endpoint address: 0x04 bulk OUT (host->sim), 0x85 bulk IN, 0x86 interrupt IN.\n"
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
