/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fe_ifd.c: the PC/SC reader frontend (--transport ifd:PATH, docs/ifd.md).
 * pcscd's driver libifd_remsim.so is a thin REQ client of a ROUTER socket
 * bound at ipc://PATH here; this file answers its requests with the slot's
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

#include <czmq.h>

#include "log.h"
#include "usbslot.h"

#define APDU_MAX 261

struct fe_ifd {
	zsock_t *sock;
	char ep[300];
	int inserted;		/* card_insert(1) seen (OPERATIONAL) */
	int have_atr;		/* the card's ATR arrived since */
	zmsg_t *pending;	/* envelope of the APDU request waiting for the card */
	unsigned abandoned;	/* answers still due for APDUs the driver gave up on */
};

static struct fe_ifd *F(struct slot *s) { return s->fe_priv; }

static int present(struct slot *s)
{
	struct fe_ifd *f = F(s);
	return f && s->ms == MS_OPERATIONAL && f->inserted && (f->have_atr || s->set.atr_ignore_rspro);
}

/* send body (op + data) back along the envelope env (destroyed) */
static void reply(struct fe_ifd *f, zmsg_t **env, char op, const uint8_t *data, size_t len)
{
	uint8_t buf[1 + APDU_MAX + USBSLOT_ATR_MAX];
	if (len > sizeof(buf) - 1)
		len = sizeof(buf) - 1;
	buf[0] = (uint8_t)op;
	if (len)
		memcpy(buf + 1, data, len);
	zmsg_addmem(*env, buf, len + 1);
	zmsg_send(env, f->sock);
	zmsg_destroy(env);
}

static void reply_error(struct fe_ifd *f, zmsg_t **env, const char *text)
{
	reply(f, env, 'E', (const uint8_t *)text, strlen(text));
}

static void reply_status(struct slot *s, zmsg_t **env)
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

static void do_power(struct slot *s, char op, zmsg_t **env)
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

static void do_transmit(struct slot *s, zmsg_t **env, const uint8_t *apdu, size_t len)
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
	if (f->pending) {
		LOGW(SCTX(s), "reader: new APDU while one is outstanding: the old answer will be dropped");
		zmsg_destroy(&f->pending);
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
	*env = NULL;
}

static void on_request(struct actor *a, void *sock, void *arg)
{
	(void)a;
	struct slot *s = arg;
	struct fe_ifd *f = F(s);
	zmsg_t *env = zmsg_recv(sock);
	if (!env)
		return;
	/* envelope: routing id, REQ's request id, empty delimiter; then the body */
	zmsg_t *msg = zmsg_new();
	zframe_t *fr;
	int delim = 0;
	while ((fr = zmsg_pop(env))) {
		if (delim) {
			zmsg_append(msg, &fr);
			continue;
		}
		delim = zframe_size(fr) == 0;
		zmsg_append(msg, &fr);
	}
	zmsg_destroy(&env);
	zframe_t *body = delim ? zmsg_last(msg) : NULL;
	if (!body || zframe_size(body) < 1 || zmsg_size(msg) < 2) {
		LOGW(SCTX(s), "reader: malformed request dropped");
		zmsg_destroy(&msg);
		return;
	}
	uint8_t req[1 + APDU_MAX + 8];
	size_t len = zframe_size(body);
	if (len > sizeof(req))
		len = sizeof(req);
	memcpy(req, zframe_data(body), len);
	zmsg_remove(msg, body);
	zframe_destroy(&body);
	switch (req[0]) {
	case 'S': reply_status(s, &msg); break;
	case 'U': case 'D': case 'R': do_power(s, (char)req[0], &msg); break;
	case 'T': do_transmit(s, &msg, req + 1, len - 1); break;
	default: reply_error(f, &msg, "unknown request"); break;
	}
}

static int ifd_start(struct slot *s)
{
	struct fe_ifd *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	s->fe_priv = f;
	snprintf(f->ep, sizeof(f->ep), "ipc://%s", s->set.sim_path);
	f->sock = zsock_new(ZMQ_ROUTER);
	if (!f->sock || zsock_bind(f->sock, "%s", f->ep) < 0) {
		LOGE(SCTX(s), "reader: cannot bind %s", f->ep);
		return -1;
	}
	zsock_set_linger(f->sock, 0);
	if (actor_sock_add(s->a, f->sock, on_request, s) < 0)
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
	if (f->sock) {
		actor_sock_remove(s->a, f->sock);
		zsock_destroy(&f->sock);
	}
	zmsg_destroy(&f->pending);
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
		if (f->pending)
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
	} else if (f->pending) {
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
