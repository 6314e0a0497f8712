/* SPDX-License-Identifier: GPL-2.0-or-later */
/* firmware.c: st2sim's model of the board's cardem firmware (spec
 * simtrace2-cardem.md §4-§5): the host connection and its IN endpoints, the
 * card state machine towards the modem (activation, ATR, PPS with
 * DO_CEMU_PTS, RX_DATA generation, TX_DATA flag rules, NULL bytes), and the
 * host's messages on bulk OUT (CONFIG, STATUS, SET_ATR, CARDINSERT,
 * SIM_SELECT, MODEM_RESET). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "st2_simsock.h"
#include "st2sim.h"

/* ---- connection --------------------------------------------------------------------- */

int conn_fd = -1;
static int conn_write_lost;	/* a write to the host failed: said once */
int bus_fd = -1;             /* multi-interface board: hand-over socket to the bus */
struct inep ep_in, ep_irq;

/* the host connection ends (either side); the interface is free again */
void conn_close(void)
{
	if (conn_fd < 0)
		return;
	close(conn_fd);
	conn_fd = -1;
	conn_write_lost = 0;
	board_release(bus_fd);
}

struct board_at board;

/* one message = one completed IN transfer on the wire */
void wire_send(uint8_t tag, const uint8_t *msg, size_t len)
{
	uint8_t frame[ST2_SIM_FRAME_HDR + ST2_SIM_FRAME_MAX];
	if (conn_fd < 0)
		return;
	int n = st2_sim_frame(tag, msg, len, frame, sizeof(frame));
	if (n > 0 && st2_sim_write_all(conn_fd, frame, (size_t)n) < 0) {
		/* not closed here: shut down, so the main loop's read sees the end
		 * and reacts as to any host loss (fail, or wait in modem mode) */
		if (!conn_write_lost)
			fprintf(stderr, "st2sim: host connection lost: %s\n", strerror(errno));
		conn_write_lost = 1;
		shutdown(conn_fd, SHUT_RDWR);
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

struct sim_card card;

uint8_t to_card[1024];
int to_card_n;

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
void card_set_lines(int vcc, int rst)
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

void pump(void)
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

void card_null_timer(void)
{
	if (card.s == C_WAIT_PB && card.q_n == 0 && now_ms() - card.last_tx >= opt.null_ms)
		card_to_modem(0x60);
}

struct sim_board_ev board_ev;

/* one message from the host (bulk OUT) */
void host_msg(const uint8_t *buf, size_t len)
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

