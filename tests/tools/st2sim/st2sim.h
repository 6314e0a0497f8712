/* SPDX-License-Identifier: GPL-2.0-or-later */
/* st2sim.h: the parts of the SIMtrace2 simulator and what they share.
 *   st2sim.c      options, output, the scripted director, the main loop
 *   firmware.c    the board's cardem firmware: the host connection, the
 *                 card state machine, the host's messages (bulk OUT)
 *   modem.c       the modem's T=0 side: TPDU jobs, procedure bytes, PPS
 *   modem_mode.c  --modem: a modem that follows the board
 *   inep.c        the firmware's IN endpoints (posted transfers, queue)
 *   board.c       the boards, the host's CLAIM, the multi-interface bus */
#ifndef ST2SIM_H
#define ST2SIM_H

#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "inep.h"
#include "st2_msg.h"

/* ---- options, output, statistics (st2sim.c) ---- */

struct sim_opts {
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
};
extern struct sim_opts opt;

struct sim_stats {
	unsigned tpdus, ok, proto_err, verify_err, nulls, pts_sent, status_irq, atrs;
	unsigned tx_dropped, host_msgs, unknown_msgs, card_insert_msgs, aborted, stalls, bursts;
	unsigned sim_select_msgs, modem_reset_msgs, set_atr_msgs;
	unsigned sessions, reboots, removals;
	int card_inserted;
};
extern struct sim_stats st;

double now_ms(void);
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void say_hex(const char *label, const uint8_t *d, size_t n);

/* ---- the firmware (firmware.c) ---- */

enum cstate { C_OFF, C_WAIT_RST, C_WAIT_TPDU, C_PTS, C_HDR, C_WAIT_PB, C_TX, C_RX };

struct txmsg { uint32_t flags; uint16_t len, pos; uint8_t data[ST2_TX_DATA_MAX]; };
#define TXQ 64

struct sim_card {
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
};
extern struct sim_card card;

/* what the host did to the modem through the board, for the modem mode */
struct sim_board_ev {
	int insert_changed;    /* CARDINSERT received */
	int modem_reset;       /* MODEM_RESET assert or pulse received */
	double held_ms;        /* how long the reset line is held (the pulse) */
};
extern struct sim_board_ev board_ev;

extern int conn_fd, bus_fd;
extern struct inep ep_in, ep_irq;   /* bulk IN 0x85, interrupt IN 0x86 */
extern struct board_at board;       /* the board and where it sits on the bus */
/* octets the modem sent towards the card, processed by pump() */
extern uint8_t to_card[1024];
extern int to_card_n;

void conn_close(void);
void wire_send(uint8_t tag, const uint8_t *msg, size_t len);
void card_set_lines(int vcc, int rst);
void pump(void);
void card_null_timer(void);
void host_msg(const uint8_t *buf, size_t len);

/* ---- the modem (modem.c) ---- */

struct job {
	uint8_t hdr[5];
	uint8_t data[255];
	int lc;              /* command octets to send after the ACK */
	int le;              /* response octets expected after the ACK, -1 none */
	int reset_after_ack; /* warm-reset instead of sending the command data */
};

enum mstate { M_IDLE, M_PPS, M_WAIT_PB, M_RX_DATA, M_WAIT_SW2 };

#define MAXJOBS 64
struct sim_modem {
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
};
extern struct sim_modem mo;

void modem_rx(uint8_t b);
void push_to_card(const uint8_t *d, int n);
void job_add(const char *hdr, const uint8_t *data, int lc, int le);
void job_start(int idx);
void modem_warm_reset(void);
void modem_pps_then_job0(void);

/* ---- modem mode (modem_mode.c) ---- */

int modem_director(double *end_at);

#endif
