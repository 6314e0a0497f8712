/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fe_st2.c: the SIMtrace2 frontend (client.md §6, §8) over the transport
 * seam: libusb (--transport usb) or the st2sim simulator socket
 * (--transport sim:PATH).  The T=0 work is done by common/st2/st2_tpdu: every
 * bulk/interrupt IN buffer goes into it, complete C-APDUs come out (-> one
 * TpduModemToCard), the card's answer goes back with
 * st2_tpdu_card_response(); status edges become ClientSlotStatusInd.
 *
 * Event loop integration: the transport's fds (libusb's, or the socket) are
 * put into a private epoll set whose single fd is watched by the actor loop,
 * so fds can come and go (unplug, replug) without touching the loop's poll
 * list; libusb timeouts get a one-shot actor timer.  When the board goes
 * away the transport is closed and re-opened with a back-off (reopen_min_ms
 * doubling up to reopen_max_ms); the RSPRO connections are not touched. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "log.h"
#include "st2_msg.h"
#include "st2_simsock.h"
#include "st2_tpdu.h"
#include "st2_transport.h"
#include "usbslot.h"

#define MAX_FDS 16

struct fe_st2 {
	struct slot *s;
	struct st2_transport *tr;
	struct st2_tpdu tp;
	uint32_t cur_id;		/* id of the C-APDU the bankd answers next */
	int epfd;
	struct pollfd reg[MAX_FDS];	/* fds in the epoll set */
	int nopoll[MAX_FDS];		/* 1: epoll refused it (regular file, e.g. umockdev) */
	int nreg;
	int spin_timer;			/* polls the nopoll fds every millisecond */
	int usb_timer, reopen_timer, close_timer;
	int reopen_ms, attempts;
	char usb_path[64];
	int if_min, if_max;		/* bulk-IN transfers in flight between passes */
	unsigned long passes;
};

static struct fe_st2 *F(struct slot *s) { return s->fe_priv; }

static void schedule_reopen(struct fe_st2 *f);

/* ---- fd / timer integration ------------------------------------------------------ */

static uint32_t ep_events(short ev)
{
	return (ev & POLLIN ? EPOLLIN : 0) | (ev & POLLOUT ? EPOLLOUT : 0);
}

static void handle(struct fe_st2 *f);

static void spin_fn(struct actor *a, void *arg)
{
	(void)a;
	handle(arg);
}

static void sync_fds(struct fe_st2 *f)
{
	struct pollfd now[MAX_FDS];
	int n = f->tr ? st2_transport_pollfds(f->tr, now, MAX_FDS) : 0;
	if (n < 0)
		n = 0;
	/* drop those no longer wanted (or with other events) */
	for (int i = 0; i < f->nreg; i++) {
		int keep = 0;
		for (int j = 0; j < n; j++)
			if (now[j].fd == f->reg[i].fd && now[j].events == f->reg[i].events)
				keep = 1;
		if (!keep) {
			if (!f->nopoll[i])
				epoll_ctl(f->epfd, EPOLL_CTL_DEL, f->reg[i].fd, NULL);
			f->nreg--;
			f->reg[i] = f->reg[f->nreg];
			f->nopoll[i] = f->nopoll[f->nreg];
			i--;
		}
	}
	for (int j = 0; j < n; j++) {
		int have = 0;
		for (int i = 0; i < f->nreg; i++)
			if (f->reg[i].fd == now[j].fd)
				have = 1;
		if (have || f->nreg >= MAX_FDS)
			continue;
		struct epoll_event ev = { .events = ep_events(now[j].events), .data.fd = now[j].fd };
		if (epoll_ctl(f->epfd, EPOLL_CTL_ADD, now[j].fd, &ev) == 0) {
			f->nopoll[f->nreg] = 0;
			f->reg[f->nreg++] = now[j];
		} else if (errno == EPERM) {
			/* not pollable (a regular file, as umockdev's fake usbfs node):
			 * poll() would call it always ready, so check it every 1 ms */
			LOGCN(LC_ST2, SCTX(f->s), "fd %d cannot be watched with epoll: handling it every 1 ms", now[j].fd);
			f->nopoll[f->nreg] = 1;
			f->reg[f->nreg++] = now[j];
		} else {
			LOGCE(LC_ST2, SCTX(f->s), "epoll_ctl ADD fd %d: %s", now[j].fd, strerror(errno));
		}
	}
	int spin = 0;
	for (int i = 0; i < f->nreg; i++)
		spin |= f->nopoll[i];
	if (spin && !f->spin_timer)
		f->spin_timer = actor_timer_add(f->s->a, 1, 0, spin_fn, f);
	else if (!spin && f->spin_timer) {
		actor_timer_cancel(f->s->a, f->spin_timer);
		f->spin_timer = 0;
	}
}

static void usb_timer_fn(struct actor *a, void *arg)
{
	(void)a;
	struct fe_st2 *f = arg;
	f->usb_timer = 0;
	handle(f);
}

static void arm_timer(struct fe_st2 *f)
{
	if (f->usb_timer > 0)
		actor_timer_cancel(f->s->a, f->usb_timer);
	f->usb_timer = 0;
	int ms = f->tr && !f->tr->gone ? st2_transport_timeout_ms(f->tr) : -1;
	if (ms >= 0)
		f->usb_timer = actor_timer_add(f->s->a, (unsigned)(ms > 0 ? ms : 1), 1, usb_timer_fn, f);
}

static void handle(struct fe_st2 *f)
{
	if (!f->tr || f->tr->gone)
		return;
	if (st2_transport_handle_events(f->tr) < 0 && !f->tr->gone)
		LOGCW(LC_ST2, SCTX(f->s), "transport event handling failed");
	if (f->tr && !f->tr->gone) {
		int n = st2_transport_in_flight(f->tr);
		if (n < f->if_min)
			f->if_min = n;
		if (n > f->if_max)
			f->if_max = n;
		f->passes++;
		sync_fds(f);
		arm_timer(f);
	}
}

static void log_in_flight(struct fe_st2 *f)
{
	if (f->s->set.transport != TR_SHELL && f->passes)
		LOGCI(LC_ST2, SCTX(f->s), "bulk-IN transfers in flight after each of %lu event passes: min %d max %d",
		     f->passes, f->if_min, f->if_max);
}

static void on_epoll(struct actor *a, int fd, void *arg)
{
	(void)a;
	struct fe_st2 *f = arg;
	struct epoll_event evs[MAX_FDS];
	(void)epoll_wait(fd, evs, MAX_FDS, 0);
	handle(f);
}

/* ---- transport callbacks ---------------------------------------------------------- */

static void on_in(void *priv, const uint8_t *buf, size_t len)
{
	struct fe_st2 *f = priv;
	int rc = st2_tpdu_rx_msg(&f->tp, buf, len);
	if (rc < 0)
		LOGCW(LC_ST2, SCTX(f->s), "malformed SIMtrace2 message (%s): dropped", st2_strerror(rc));
}

static void close_timer_fn(struct actor *a, void *arg)
{
	(void)a;
	struct fe_st2 *f = arg;
	f->close_timer = 0;
	if (!f->tr)
		return;
	if (f->usb_timer > 0)
		actor_timer_cancel(f->s->a, f->usb_timer);
	f->usb_timer = 0;
	st2_tpdu_reset(&f->tp);
	log_in_flight(f);
	st2_transport_close(f->tr);
	f->tr = NULL;
	sync_fds(f);		/* removes everything from the epoll set */
	schedule_reopen(f);
}

static void on_gone(void *priv, enum st2_gone_reason why, const char *detail)
{
	struct fe_st2 *f = priv;
	LOGCW(LC_ST2, SCTX(f->s), "SIMtrace2 board gone (%s: %s): will re-open it",
	     why == ST2_GONE_UNPLUGGED ? "unplugged" : "I/O error", detail);
	/* not from inside the transport's callback: close on the next turn */
	if (!f->close_timer)
		f->close_timer = actor_timer_add(f->s->a, 1, 1, close_timer_fn, f);
}

/* ---- TPDU engine callbacks ---------------------------------------------------------- */

static int tp_send(void *priv, const uint8_t *msg, size_t len)
{
	struct fe_st2 *f = priv;
	if (!f->tr || f->tr->gone)
		return -1;
	return st2_transport_send(f->tr, msg, len);
}

static void tp_capdu(void *priv, uint32_t id, const uint8_t *apdu, size_t len)
{
	struct fe_st2 *f = priv;
	f->cur_id = id;
	slot_mdm_tpdu(f->s, apdu, len);
}

static void tp_status(void *priv, const struct st2_slot_status *st, unsigned changed)
{
	struct fe_st2 *f = priv;
	(void)changed;
	struct rspro_phys_status ps = { .reset_active = st->reset_active != 0,
					.vcc_present = (int8_t)(st->vcc_present != 0),
					.clk_active = (int8_t)(st->clk_active != 0),
					.card_present = -1 };
	slot_mdm_status(f->s, &ps);
}

static void tp_pts(void *priv, const uint8_t *req, size_t len)
{
	struct fe_st2 *f = priv;
	slot_mdm_pts(f->s, req, len);
}

/* ---- open / re-open ------------------------------------------------------------------- */

static void send_msg(struct fe_st2 *f, const uint8_t *m, int n, const char *what)
{
	if (n < 0) {
		LOGCE(LC_ST2, SCTX(f->s), "cannot encode %s: %s", what, st2_strerror(n));
		return;
	}
	if (tp_send(f, m, (size_t)n) < 0)
		LOGCW(LC_ST2, SCTX(f->s), "%s not sent: no board", what);
}

static int try_open(struct fe_st2 *f)
{
	struct slot *s = f->s;
	struct st2_transport_cbs cbs = { .bulk_in = on_in, .irq_in = on_in, .gone = on_gone, .priv = f };
	/* after the first failures, say it only every 30th time */
	int quiet = f->attempts > 0 && f->attempts % 30 != 0;
	int saved[LC_COUNT];
	log_get_levels(saved);
	if (quiet)
		log_set_level(LL_FATAL);
	f->tr = s->set.transport == TR_USB ? st2_usb_open(&s->set.usb, &cbs, SCTX(s))
					   : st2_simsock_open_sel(s->set.sim_path, &s->set.usb, &cbs, SCTX(s));
	if (quiet)
		log_set_levels(saved);
	f->attempts++;
	if (!f->tr)
		return -1;
	if (f->attempts > 1)
		LOGCI(LC_ST2, SCTX(s), "SIMtrace2 board open again after %d attempts", f->attempts);
	f->attempts = 0;
	f->reopen_ms = s->set.reopen_min_ms;
	f->if_min = st2_transport_in_flight(f->tr);
	f->if_max = f->if_min;
	f->passes = 0;
	f->usb_path[0] = '\0';
	if ((s->set.transport == TR_USB ? st2_usb_get_path(f->tr, f->usb_path, sizeof(f->usb_path))
					: st2_simsock_get_path(f->tr, f->usb_path, sizeof(f->usb_path))) < 0)
		f->usb_path[0] = '\0';
	struct st2_tpdu_ops ops = { .send = tp_send, .capdu = tp_capdu, .status = tp_status,
				    .pts = tp_pts, .priv = f };
	char ctx[32];
	snprintf(ctx, sizeof(ctx), "C%ld:%ld", s->cs.client_id, s->cs.slot_nr);
	st2_tpdu_init(&f->tp, &ops, ctx);
	uint8_t m[64];
	uint8_t pres = s->set.sim_presence < 0 ? 0 : (uint8_t)(ST2_PRES_POL_VALID | (s->set.sim_presence ? ST2_PRES_POL_HIGH : 0));
	send_msg(f, m, st2_enc_config(m, sizeof(m), ST2_FEAT_STATUS_IRQ, 0, pres), "CONFIG");
	sync_fds(f);
	arm_timer(f);
	fsm_frontend_ready(s);
	return 0;
}

static void reopen_fn(struct actor *a, void *arg)
{
	(void)a;
	struct fe_st2 *f = arg;
	f->reopen_timer = 0;
	if (!f->tr && try_open(f) < 0)
		schedule_reopen(f);
}

static void schedule_reopen(struct fe_st2 *f)
{
	if (f->reopen_timer)
		return;
	f->reopen_timer = actor_timer_add(f->s->a, (unsigned)f->reopen_ms, 1, reopen_fn, f);
	f->reopen_ms *= 2;
	if (f->reopen_ms > f->s->set.reopen_max_ms)
		f->reopen_ms = f->s->set.reopen_max_ms;
}

/* ---- frontend ops ----------------------------------------------------------------------- */

static int st2_start(struct slot *s)
{
	struct fe_st2 *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->s = s;
	s->fe_priv = f;
	f->reopen_ms = s->set.reopen_min_ms;
	f->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (f->epfd < 0 || actor_fd_add(s->a, f->epfd, ZMQ_POLLIN, on_epoll, f) < 0) {
		LOGCE(LC_ST2, SCTX(s), "epoll set-up failed: %s", strerror(errno));
		return -1;
	}
	if (try_open(f) < 0) {
		LOGCW(LC_ST2, SCTX(s), "SIMtrace2 board not available yet: retrying");
		schedule_reopen(f);
	}
	return 0;
}

static void st2_stop(struct slot *s)
{
	struct fe_st2 *f = F(s);
	if (!f)
		return;
	if (f->tr) {
		log_in_flight(f);
		st2_transport_close(f->tr);
	}
	f->tr = NULL;
	sync_fds(f);		/* empties the epoll set, stops the 1 ms timer */
	if (f->epfd >= 0) {
		actor_fd_remove(s->a, f->epfd);
		close(f->epfd);
	}
	free(f);
	s->fe_priv = NULL;
}

static void st2_set_atr(struct slot *s, const uint8_t *atr, size_t len)
{
	uint8_t m[64];
	if (len > ST2_ATR_MAX) {
		LOGCE(LC_ST2, SCTX(s), "ATR of %zu octets is longer than the board accepts (%d)", len, ST2_ATR_MAX);
		return;
	}
	send_msg(F(s), m, st2_enc_set_atr(m, sizeof(m), atr, len), "SET_ATR");
}

static void st2_card_insert(struct slot *s, int insert)
{
	uint8_t m[16];
	if (!insert && F(s)->tr)
		st2_tpdu_reset(&F(s)->tp);	/* a TPDU in progress is abandoned */
	send_msg(F(s), m, st2_enc_cardinsert(m, sizeof(m), insert), "CARDINSERT");
}

static void st2_sim_select(struct slot *s, int remote)
{
	uint8_t m[16];
	send_msg(F(s), m, st2_enc_sim_select(m, sizeof(m), remote), "SIM_SELECT");
}

static void st2_modem_reset(struct slot *s)
{
	uint8_t m[16];
	send_msg(F(s), m, st2_enc_modem_reset(m, sizeof(m), ST2_RESET_PULSE, 300), "MODEM_RESET");
}

static void st2_card2modem(struct slot *s, const uint8_t *data, size_t len)
{
	struct fe_st2 *f = F(s);
	if (!f->tr) {
		LOGCW(LC_ST2, SCTX(s), "response for the modem dropped: no board");
		return;
	}
	if (st2_tpdu_card_response(&f->tp, f->cur_id, data, len) < 0)
		LOGCW(LC_ST2, SCTX(s), "response of %zu octets not delivered to the modem (TPDU state %s)", len,
		     st2_tpdu_state_name(f->tp.state));
}

static int st2_script_env(struct slot *s, char **env, int max)
{
	int n = 0;
	if (s->set.transport == TR_SHELL || max < 2)
		return 0;		/* USB and the simulated board both have a path */
	if (asprintf(&env[n], "REMSIM_USB_PATH=%s", F(s)->usb_path) >= 0)
		n++;
	if (asprintf(&env[n], "REMSIM_USB_INTERFACE=%u",
		     s->set.usb_interface_given ? (unsigned)s->set.usb.interface : 4294967295u) >= 0)
		n++;
	return n;
}

const struct frontend_ops fe_st2_ops = {
	.name = "simtrace2",
	.start = st2_start,
	.stop = st2_stop,
	.set_atr = st2_set_atr,
	.card_insert = st2_card_insert,
	.sim_select = st2_sim_select,
	.modem_reset = st2_modem_reset,
	.card2modem = st2_card2modem,
	.script_env = st2_script_env,
};
