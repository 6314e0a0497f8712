/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fe_ifd.c: the PC/SC reader frontend (--transport ifd:PATH, docs/ifd.md).
 * pcscd's driver libifd_remsim.so is a thin request/reply client (a DEALER
 * framed like a REQ) of a ROUTER bound at ipc://PATH here (the hub's own
 * socket, hubsock.h: no libzmq I/O thread); this file answers its requests with the slot's
 * state (card present = OPERATIONAL, card inserted and the card's ATR
 * received), turns power requests into modem status edges (the bankd makes
 * cold/warm resets of them) and relays APDUs as TpduModemToCard.
 *
 * Request / reply bodies (one frame each, first octet is the opcode):
 *   'S'                 status      -> 'S' present(0|1) ATR...
 *   'U' / 'D' / 'R'     power up / power down / warm reset -> as 'S'
 *   'T' APDU            transmit    -> 'R' R-APDU...   (or 'E' text)
 *   anything else                   -> 'E' text
 * One APDU is in flight at a time.  If the driver gave up on one (timeout)
 * and sends the next, the late answer to the old one is dropped: answers
 * come back in order on the bankd connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hubsock.h"
#include "log.h"
#include "usbslot.h"

#define APDU_MAX 261
#define ENV_FRAMES_MAX 4	/* envelope frames up to the empty delimiter (REQ: id, delimiter) */

/* Where a reply goes: the requester's routing id and the envelope frames
 * of its request (echoed back before the body). */
struct ifd_env {
	int valid;
	uint8_t route[256];
	size_t rlen;
	uint8_t head[64];	/* the envelope frames, one after the other */
	size_t hlen[ENV_FRAMES_MAX];
	size_t nh;
};

struct fe_ifd {
	struct hubsock *hs;
	char ep[300];
	int inserted;		/* card_insert(1) seen (OPERATIONAL) */
	int have_atr;		/* the card's ATR arrived since */
	struct ifd_env pending;	/* envelope of the APDU request waiting for the card */
	unsigned abandoned;	/* answers still due for APDUs the driver gave up on */
};

static struct fe_ifd *F(struct slot *s) { return s->fe_priv; }

static int present(struct slot *s)
{
	struct fe_ifd *f = F(s);
	return f && s->ms == MS_OPERATIONAL && f->inserted && (f->have_atr || s->set.atr_ignore_rspro);
}

/* send body (op + data) back along the envelope env (used up) */
static void reply(struct fe_ifd *f, struct ifd_env *env, char op, const uint8_t *data, size_t len)
{
	uint8_t buf[1 + APDU_MAX + USBSLOT_ATR_MAX];
	if (!env->valid)
		return;
	if (len > sizeof(buf) - 1)
		len = sizeof(buf) - 1;
	buf[0] = (uint8_t)op;
	if (len)
		memcpy(buf + 1, data, len);
	struct iovec v[ENV_FRAMES_MAX + 1];
	size_t off = 0;
	for (size_t i = 0; i < env->nh; i++) {
		v[i] = (struct iovec){ env->head + off, env->hlen[i] };
		off += env->hlen[i];
	}
	v[env->nh] = (struct iovec){ buf, len + 1 };
	/* (a requester gone meanwhile: nobody to answer, as with libzmq) */
	hubsock_sendv_to(f->hs, env->route, env->rlen, v, env->nh + 1);
	env->valid = 0;
}

static void reply_error(struct fe_ifd *f, struct ifd_env *env, const char *text)
{
	reply(f, env, 'E', (const uint8_t *)text, strlen(text));
}

static void reply_status(struct slot *s, struct ifd_env *env)
{
	uint8_t b[1 + USBSLOT_ATR_MAX];
	int p = present(s);
	b[0] = (uint8_t)p;
	size_t n = p ? s->atr_len : 0;
	memcpy(b + 1, s->atr, n);
	reply(F(s), env, 'S', b, n + 1);
}

static void send_status(struct slot *s, int rst, int vcc)
{
	struct rspro_phys_status st = { .reset_active = rst, .vcc_present = (int8_t)vcc,
					.clk_active = (int8_t)vcc, .card_present = 1 };
	slot_mdm_status(s, &st);
}

static void do_power(struct slot *s, char op, struct ifd_env *env)
{
	if (!present(s)) {
		reply_status(s, env);
		return;
	}
	LOGI(SCTX(s), "reader: power %s", op == 'U' ? "up" : op == 'D' ? "down" : "reset");
	if (op == 'D') {
		send_status(s, 1, 0);		/* VCC falling edge: cold reset at the bankd */
	} else {
		send_status(s, 1, 1);		/* RST rising edge: warm reset */
		send_status(s, 0, 1);
	}
	reply_status(s, env);
}

/* T=0 TPDU from a short APDU: case 1 gets P3 = 0, case 4 loses its Le */
static size_t to_tpdu(const uint8_t *apdu, size_t len, uint8_t *out)
{
	memcpy(out, apdu, len);
	if (len == 4) {
		out[4] = 0;
		return 5;
	}
	if (len > 5 && len == 5u + apdu[4] + 1u)
		return len - 1;
	return len;
}

static void do_transmit(struct slot *s, struct ifd_env *env, const uint8_t *apdu, size_t len)
{
	struct fe_ifd *f = F(s);
	if (!present(s)) {
		reply_error(f, env, "no card");
		return;
	}
	if (len < 4 || len > APDU_MAX) {
		reply_error(f, env, "APDU length must be 4..261");
		return;
	}
	if (f->pending.valid) {
		LOGW(SCTX(s), "reader: new APDU while one is outstanding: the old answer will be dropped");
		f->pending.valid = 0;
		f->abandoned++;
	}
	uint8_t tpdu[APDU_MAX];
	size_t n = to_tpdu(apdu, len, tpdu);
	unsigned long before = s->cnt.tpdu_tx;
	slot_mdm_tpdu(s, tpdu, n);
	if (s->cnt.tpdu_tx == before) {
		reply_error(f, env, "TPDU not sent (bankd link down?)");
		return;
	}
	f->pending = *env;
	env->valid = 0;
}

/* One request: [route, envelope frames..., "", body]. */
static void take_request(struct slot *s, const struct hubsock_frame *fr, size_t n)
{
	struct fe_ifd *f = F(s);
	struct ifd_env env = { .valid = 1 };
	size_t i = 1, off = 0;
	int delim = 0;
	if (n >= 1 && fr[0].len <= sizeof(env.route)) {
		memcpy(env.route, fr[0].data, fr[0].len);
		env.rlen = fr[0].len;
	}
	for (; i < n && !delim && env.nh < ENV_FRAMES_MAX; i++) {
		if (off + fr[i].len > sizeof(env.head))
			break;
		memcpy(env.head + off, fr[i].data, fr[i].len);
		off += fr[i].len;
		env.hlen[env.nh++] = fr[i].len;
		delim = fr[i].len == 0;
	}
	if (!env.rlen || !delim || i + 1 != n || fr[i].len < 1) {
		LOGW(SCTX(s), "reader: malformed request dropped");
		return;
	}
	uint8_t req[1 + APDU_MAX + 8];
	size_t len = fr[i].len < sizeof(req) ? fr[i].len : sizeof(req);
	memcpy(req, fr[i].data, len);
	switch (req[0]) {
	case 'S': reply_status(s, &env); break;
	case 'U': case 'D': case 'R': do_power(s, (char)req[0], &env); break;
	case 'T': do_transmit(s, &env, req + 1, len - 1); break;
	default: reply_error(f, &env, "unknown request"); break;
	}
}

static void on_request(struct actor *a, int fd, void *arg)
{
	(void)a;
	(void)fd;
	struct slot *s = arg;
	const struct hubsock_frame *fr;
	size_t n;
	/* until EAGAIN: its fd says only what the kernel still holds */
	while (F(s) && F(s)->hs && (fr = hubsock_recv(F(s)->hs, &n)))
		take_request(s, fr, n);
}

static int ifd_start(struct slot *s)
{
	struct fe_ifd *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	s->fe_priv = f;
	snprintf(f->ep, sizeof(f->ep), "ipc://%s", s->set.sim_path);
	char err[300];
	/* the socket file gets the mode the process umask gives (as a libzmq
	 * bind did): pcscd's driver must be able to connect */
	mode_t um = umask(077);
	umask(um);
	struct hubsock_opts o = { .mode = 0777 & ~(unsigned)um };
	f->hs = hubsock_bind(f->ep, &o, err, sizeof(err));
	if (!f->hs) {
		LOGE(SCTX(s), "reader: %s", err);
		return -1;
	}
	if (actor_fd_add(s->a, hubsock_fd(f->hs), ZMQ_POLLIN, on_request, s) < 0)
		return -1;
	if (s->ms == MS_OPERATIONAL) {
		/* restarted while mapped: the ATR restored is the card's unless it
		 * is still the default one */
		f->inserted = 1;
		f->have_atr = s->atr_len != s->set.atr_len || memcmp(s->atr, s->set.atr, s->atr_len);
	}
	LOGI(SCTX(s), "reader frontend on %s (card %s)", f->ep, present(s) ? "present" : "absent");
	return 0;
}

static void ifd_stop(struct slot *s)
{
	struct fe_ifd *f = F(s);
	if (!f)
		return;
	if (f->hs) {
		actor_fd_remove(s->a, hubsock_fd(f->hs));
		hubsock_close(&f->hs);
	}
	free(f);
	s->fe_priv = NULL;
}

static void ifd_set_atr(struct slot *s, const uint8_t *atr, size_t len)
{
	struct fe_ifd *f = F(s);
	char h[200];
	if (!f)
		return;
	if (f->inserted && !f->have_atr)
		LOGI(SCTX(s), "reader: card present, ATR %s", hexstr(atr, len, h, sizeof(h)));
	f->have_atr = f->inserted;	/* before card_insert(1): the default ATR */
}

static void ifd_card_insert(struct slot *s, int insert)
{
	struct fe_ifd *f = F(s);
	if (!f)
		return;
	if (!insert && f->inserted)
		LOGI(SCTX(s), "reader: card removed");
	f->inserted = insert;
	f->have_atr = 0;
	if (!insert) {
		f->abandoned = 0;	/* the bankd connection is gone: no late answers */
		if (f->pending.valid)
			reply_error(f, &f->pending, "card removed");
	}
}

static void ifd_noop_int(struct slot *s, int x)
{
	(void)s;
	(void)x;
}

static void ifd_noop(struct slot *s)
{
	(void)s;
}

static void ifd_card2modem(struct slot *s, const uint8_t *data, size_t len)
{
	struct fe_ifd *f = F(s);
	if (!f)
		return;
	if (f->abandoned) {
		f->abandoned--;
		LOGN(SCTX(s), "reader: late answer to an abandoned APDU dropped");
	} else if (f->pending.valid) {
		reply(f, &f->pending, 'R', data, len);
	} else {
		LOGW(SCTX(s), "reader: answer without an APDU dropped");
	}
}

const struct frontend_ops fe_ifd_ops = {
	.name = "ifd",
	.start = ifd_start,
	.stop = ifd_stop,
	.set_atr = ifd_set_atr,
	.card_insert = ifd_card_insert,
	.sim_select = ifd_noop_int,
	.modem_reset = ifd_noop,
	.card2modem = ifd_card2modem,
	.script_env = NULL,
};
