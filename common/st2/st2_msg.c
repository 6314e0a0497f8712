/* SPDX-License-Identifier: GPL-2.0-or-later */
/* st2_msg.c: SIMtrace2 cardem USB message codec (see st2_msg.h).
 * Each message kind is one row of a table with its name and its payload
 * decoder/encoder; the generic functions dispatch through that table. */
#include "st2_msg.h"

#include <string.h>

typedef int (*st2_dec_fn)(const uint8_t *p, size_t n, struct st2_msg *m);
/* returns payload length written into p (at most cap) or ST2_E_* */
typedef int (*st2_enc_fn)(const struct st2_msg *m, uint8_t *p, size_t cap);

struct st2_kind {
	uint8_t cls, type;
	const char *name;
	st2_dec_fn dec;
	st2_enc_fn enc;
};

/* ---- payload decoders ---------------------------------------------------- */

static int dec_none(const uint8_t *p, size_t n, struct st2_msg *m)
{
	(void)p; (void)n;
	m->is_request = 1;
	return ST2_OK;
}

static int dec_error(const uint8_t *p, size_t n, struct st2_msg *m)
{
	if (n < 5)
		return ST2_E_PAYLOAD;
	m->u.error.severity = p[0];
	m->u.error.subsystem = p[1];
	m->u.error.code = st2_get_u16(p + 2);
	m->u.error.len = p[4];
	if ((size_t)5 + p[4] > n)
		return ST2_E_PAYLOAD;
	m->u.error.msg = p + 5;
	return ST2_OK;
}

static int dec_board_info(const uint8_t *p, size_t n, struct st2_msg *m)
{
	(void)p;
	m->is_request = (n == 0);  /* answer: opaque, see m->raw */
	return ST2_OK;
}

static int dec_data(const uint8_t *p, size_t n, struct st2_msg *m)
{
	if (n < 6)
		return ST2_E_PAYLOAD;
	m->u.data.flags = st2_get_u32(p);
	m->u.data.len = st2_get_u16(p + 4);
	if ((size_t)6 + m->u.data.len != n)
		return ST2_E_PAYLOAD;
	m->u.data.data = p + 6;
	return ST2_OK;
}

static int dec_atr(const uint8_t *p, size_t n, struct st2_msg *m)
{
	if (n < 1 || (size_t)1 + p[0] != n)
		return ST2_E_PAYLOAD;
	m->u.atr.len = p[0];
	m->u.atr.atr = p + 1;
	return ST2_OK;
}

static int dec_status(const uint8_t *p, size_t n, struct st2_msg *m)
{
	if (n == 0) {
		m->is_request = 1;
		return ST2_OK;
	}
	if (n < 13)
		return ST2_E_PAYLOAD;
	m->u.status.flags = st2_get_u32(p);
	m->u.status.voltage_mv = st2_get_u16(p + 4);
	m->u.status.fi = p[6];
	m->u.status.di = p[7];
	m->u.status.wi = p[8];
	m->u.status.waiting_time = st2_get_u32(p + 9);
	return ST2_OK;
}

static int dec_u8_insert(const uint8_t *p, size_t n, struct st2_msg *m)
{
	if (n < 1)
		return ST2_E_PAYLOAD;
	m->u.card_insert = p[0];
	return ST2_OK;
}

static int dec_pts(const uint8_t *p, size_t n, struct st2_msg *m)
{
	if (n < 1 + 2 * ST2_PTS_MAX || p[0] > ST2_PTS_MAX)
		return ST2_E_PAYLOAD;
	m->u.pts.len = p[0];
	memcpy(m->u.pts.req, p + 1, ST2_PTS_MAX);
	memcpy(m->u.pts.resp, p + 1 + ST2_PTS_MAX, ST2_PTS_MAX);
	return ST2_OK;
}

static int dec_config(const uint8_t *p, size_t n, struct st2_msg *m)
{
	/* the firmware applies only the fields present; so do we */
	m->u.config.nfields = 0;
	if (n >= 4) { m->u.config.features = st2_get_u32(p); m->u.config.nfields = 1; }
	if (n >= 5) { m->u.config.slot_mux_nr = p[4]; m->u.config.nfields = 2; }
	if (n >= 6) { m->u.config.pres_pol = p[5]; m->u.config.nfields = 3; }
	if (n > 0 && n < 4)
		return ST2_E_PAYLOAD;
	return ST2_OK;
}

static int dec_modem_reset(const uint8_t *p, size_t n, struct st2_msg *m)
{
	if (n < 3)
		return ST2_E_PAYLOAD;
	m->u.reset.asserted = p[0];
	m->u.reset.pulse_ms = st2_get_u16(p + 1);
	return ST2_OK;
}

static int dec_sim_select(const uint8_t *p, size_t n, struct st2_msg *m)
{
	if (n < 1)
		return ST2_E_PAYLOAD;
	m->u.remote_sim = p[0];
	return ST2_OK;
}

static int dec_modem_status(const uint8_t *p, size_t n, struct st2_msg *m)
{
	if (n == 0) {
		m->is_request = 1;
		return ST2_OK;
	}
	if (n < 3)
		return ST2_E_PAYLOAD;
	m->u.mstatus.supported = p[0];
	m->u.mstatus.status = p[1];
	m->u.mstatus.changed = p[2];
	return ST2_OK;
}

/* ---- payload encoders ---------------------------------------------------- */

#define NEED(k) do { if (cap < (size_t)(k)) return ST2_E_BUFSZ; } while (0)

static int enc_none(const struct st2_msg *m, uint8_t *p, size_t cap)
{
	(void)m; (void)p; (void)cap;
	return 0;
}

static int enc_error(const struct st2_msg *m, uint8_t *p, size_t cap)
{
	const struct st2_error *e = &m->u.error;
	if (e->len && !e->msg)
		return ST2_E_INVAL;
	NEED(5 + e->len);
	p[0] = e->severity;
	p[1] = e->subsystem;
	st2_put_u16(p + 2, e->code);
	p[4] = e->len;
	if (e->len)
		memcpy(p + 5, e->msg, e->len);
	return 5 + e->len;
}

static int enc_board_info(const struct st2_msg *m, uint8_t *p, size_t cap)
{
	if (m->is_request || !m->raw_len)
		return 0;
	NEED(m->raw_len);
	memcpy(p, m->raw, m->raw_len);
	return (int)m->raw_len;
}

static int enc_data(const struct st2_msg *m, uint8_t *p, size_t cap)
{
	const struct st2_data *d = &m->u.data;
	if (d->len > ST2_TX_DATA_MAX)
		return ST2_E_TOOLONG;
	if (d->len && !d->data)
		return ST2_E_INVAL;
	NEED(6 + d->len);
	st2_put_u32(p, d->flags);
	st2_put_u16(p + 4, d->len);
	if (d->len)
		memmove(p + 6, d->data, d->len);
	return 6 + d->len;
}

static int enc_atr(const struct st2_msg *m, uint8_t *p, size_t cap)
{
	if (m->u.atr.len > ST2_ATR_MAX)
		return ST2_E_TOOLONG;
	if (m->u.atr.len && !m->u.atr.atr)
		return ST2_E_INVAL;
	NEED(1 + m->u.atr.len);
	p[0] = m->u.atr.len;
	if (m->u.atr.len)
		memmove(p + 1, m->u.atr.atr, m->u.atr.len);
	return 1 + m->u.atr.len;
}

static int enc_status(const struct st2_msg *m, uint8_t *p, size_t cap)
{
	if (m->is_request)
		return 0;
	NEED(13);
	st2_put_u32(p, m->u.status.flags);
	st2_put_u16(p + 4, m->u.status.voltage_mv);
	p[6] = m->u.status.fi;
	p[7] = m->u.status.di;
	p[8] = m->u.status.wi;
	st2_put_u32(p + 9, m->u.status.waiting_time);
	return 13;
}

static int enc_u8_insert(const struct st2_msg *m, uint8_t *p, size_t cap)
{
	NEED(1);
	p[0] = m->u.card_insert;
	return 1;
}

static int enc_pts(const struct st2_msg *m, uint8_t *p, size_t cap)
{
	if (m->u.pts.len > ST2_PTS_MAX)
		return ST2_E_TOOLONG;
	NEED(1 + 2 * ST2_PTS_MAX);
	p[0] = m->u.pts.len;
	memcpy(p + 1, m->u.pts.req, ST2_PTS_MAX);
	memcpy(p + 1 + ST2_PTS_MAX, m->u.pts.resp, ST2_PTS_MAX);
	return 1 + 2 * ST2_PTS_MAX;
}

static int enc_config(const struct st2_msg *m, uint8_t *p, size_t cap)
{
	NEED(6);
	st2_put_u32(p, m->u.config.features);
	p[4] = m->u.config.slot_mux_nr;
	p[5] = m->u.config.pres_pol;
	return 6;
}

static int enc_modem_reset(const struct st2_msg *m, uint8_t *p, size_t cap)
{
	NEED(3);
	p[0] = m->u.reset.asserted;
	st2_put_u16(p + 1, m->u.reset.pulse_ms);
	return 3;
}

static int enc_sim_select(const struct st2_msg *m, uint8_t *p, size_t cap)
{
	NEED(1);
	p[0] = m->u.remote_sim;
	return 1;
}

static int enc_modem_status(const struct st2_msg *m, uint8_t *p, size_t cap)
{
	if (m->is_request)
		return 0;
	NEED(3);
	p[0] = m->u.mstatus.supported;
	p[1] = m->u.mstatus.status;
	p[2] = m->u.mstatus.changed;
	return 3;
}

/* ---- the table ------------------------------------------------------------ */

static const struct st2_kind st2_kinds[] = {
	{ ST2_CLASS_GENERIC, ST2_GEN_DO_ERROR,      "GENERIC/DO_ERROR",      dec_error,        enc_error },
	{ ST2_CLASS_GENERIC, ST2_GEN_BD_BOARD_INFO, "GENERIC/BOARD_INFO",    dec_board_info,   enc_board_info },
	{ ST2_CLASS_CARDEM,  ST2_CEMU_TX_DATA,      "CARDEM/TX_DATA",        dec_data,         enc_data },
	{ ST2_CLASS_CARDEM,  ST2_CEMU_SET_ATR,      "CARDEM/SET_ATR",        dec_atr,          enc_atr },
	{ ST2_CLASS_CARDEM,  ST2_CEMU_STATS,        "CARDEM/STATS",          dec_none,         enc_none },
	{ ST2_CLASS_CARDEM,  ST2_CEMU_STATUS,       "CARDEM/STATUS",         dec_status,       enc_status },
	{ ST2_CLASS_CARDEM,  ST2_CEMU_CARDINSERT,   "CARDEM/CARDINSERT",     dec_u8_insert,    enc_u8_insert },
	{ ST2_CLASS_CARDEM,  ST2_CEMU_RX_DATA,      "CARDEM/RX_DATA",        dec_data,         enc_data },
	{ ST2_CLASS_CARDEM,  ST2_CEMU_PTS,          "CARDEM/PTS",            dec_pts,          enc_pts },
	{ ST2_CLASS_CARDEM,  ST2_CEMU_CONFIG,       "CARDEM/CONFIG",         dec_config,       enc_config },
	{ ST2_CLASS_MODEM,   ST2_MODEM_RESET,       "MODEM/RESET",           dec_modem_reset,  enc_modem_reset },
	{ ST2_CLASS_MODEM,   ST2_MODEM_SIM_SELECT,  "MODEM/SIM_SELECT",      dec_sim_select,   enc_sim_select },
	{ ST2_CLASS_MODEM,   ST2_MODEM_STATUS,      "MODEM/STATUS",          dec_modem_status, enc_modem_status },
};

static const struct st2_kind *st2_kind_find(uint8_t cls, uint8_t type)
{
	for (size_t i = 0; i < sizeof(st2_kinds) / sizeof(st2_kinds[0]); i++)
		if (st2_kinds[i].cls == cls && st2_kinds[i].type == type)
			return &st2_kinds[i];
	return NULL;
}

const char *st2_msg_name(uint8_t msg_class, uint8_t msg_type)
{
	const struct st2_kind *k = st2_kind_find(msg_class, msg_type);
	return k ? k->name : "UNKNOWN";
}

const char *st2_strerror(int err)
{
	switch (err) {
	case ST2_OK:        return "ok";
	case ST2_E_SHORT:   return "shorter than the 8-octet header";
	case ST2_E_MSGLEN:  return "msg_len below 8 or beyond the received octets";
	case ST2_E_PAYLOAD: return "payload too short or inner length inconsistent";
	case ST2_E_UNKNOWN: return "unknown message class/type";
	case ST2_E_TOOLONG: return "exceeds a protocol limit";
	case ST2_E_BUFSZ:   return "output buffer too small";
	case ST2_E_INVAL:   return "invalid argument";
	default:            return "unknown error";
	}
}

/* ---- generic decode / encode --------------------------------------------- */

int st2_hdr_decode(const uint8_t *buf, size_t len, struct st2_hdr *h)
{
	if (!buf || len < ST2_HDR_LEN)
		return ST2_E_SHORT;
	h->msg_class = buf[0];
	h->msg_type = buf[1];
	h->seq_nr = buf[2];
	h->slot_nr = buf[3];
	h->reserved = st2_get_u16(buf + 4);
	h->msg_len = st2_get_u16(buf + 6);
	if (h->msg_len < ST2_HDR_LEN || h->msg_len > len)
		return ST2_E_MSGLEN;
	return ST2_OK;
}

int st2_msg_decode(const uint8_t *buf, size_t len, struct st2_msg *m)
{
	if (!m)
		return ST2_E_INVAL;
	memset(m, 0, sizeof(*m));
	int rc = st2_hdr_decode(buf, len, &m->hdr);
	if (rc < 0)
		return rc;
	m->raw = buf + ST2_HDR_LEN;
	m->raw_len = m->hdr.msg_len - ST2_HDR_LEN;
	const struct st2_kind *k = st2_kind_find(m->hdr.msg_class, m->hdr.msg_type);
	if (!k)
		return ST2_E_UNKNOWN;
	rc = k->dec(m->raw, m->raw_len, m);
	return rc < 0 ? rc : m->hdr.msg_len;
}

int st2_msg_encode(const struct st2_msg *m, uint8_t *out, size_t outlen)
{
	if (!m || !out)
		return ST2_E_INVAL;
	const struct st2_kind *k = st2_kind_find(m->hdr.msg_class, m->hdr.msg_type);
	if (!k)
		return ST2_E_UNKNOWN;
	if (outlen < ST2_HDR_LEN)
		return ST2_E_BUFSZ;
	int n = k->enc(m, out + ST2_HDR_LEN, outlen - ST2_HDR_LEN);
	if (n < 0)
		return n;
	size_t total = ST2_HDR_LEN + (size_t)n;
	if (total > ST2_MSG_MAX && k->enc != enc_board_info)
		return ST2_E_TOOLONG;
	if (total > 0xffff)
		return ST2_E_TOOLONG;
	out[0] = m->hdr.msg_class;
	out[1] = m->hdr.msg_type;
	out[2] = m->hdr.seq_nr;
	out[3] = m->hdr.slot_nr;
	st2_put_u16(out + 4, 0);
	st2_put_u16(out + 6, (uint16_t)total);
	return (int)total;
}

/* ---- convenience encoders ------------------------------------------------- */

static void st2_msg_init(struct st2_msg *m, uint8_t cls, uint8_t type)
{
	memset(m, 0, sizeof(*m));
	m->hdr.msg_class = cls;
	m->hdr.msg_type = type;
}

static int enc_data_msg(uint8_t type, uint8_t *out, size_t outlen, uint32_t flags,
			const uint8_t *data, size_t dlen)
{
	struct st2_msg m;
	if (dlen > ST2_TX_DATA_MAX)
		return ST2_E_TOOLONG;
	st2_msg_init(&m, ST2_CLASS_CARDEM, type);
	m.u.data.flags = flags;
	m.u.data.len = (uint16_t)dlen;
	m.u.data.data = data;
	return st2_msg_encode(&m, out, outlen);
}

int st2_enc_tx_data(uint8_t *out, size_t outlen, uint32_t flags, const uint8_t *data, size_t dlen)
{
	return enc_data_msg(ST2_CEMU_TX_DATA, out, outlen, flags, data, dlen);
}

int st2_enc_rx_data(uint8_t *out, size_t outlen, uint32_t flags, const uint8_t *data, size_t dlen)
{
	return enc_data_msg(ST2_CEMU_RX_DATA, out, outlen, flags, data, dlen);
}

int st2_enc_set_atr(uint8_t *out, size_t outlen, const uint8_t *atr, size_t atr_len)
{
	struct st2_msg m;
	if (atr_len > ST2_ATR_MAX)
		return ST2_E_TOOLONG;
	st2_msg_init(&m, ST2_CLASS_CARDEM, ST2_CEMU_SET_ATR);
	m.u.atr.len = (uint8_t)atr_len;
	m.u.atr.atr = atr;
	return st2_msg_encode(&m, out, outlen);
}

int st2_enc_cardinsert(uint8_t *out, size_t outlen, int inserted)
{
	struct st2_msg m;
	st2_msg_init(&m, ST2_CLASS_CARDEM, ST2_CEMU_CARDINSERT);
	m.u.card_insert = inserted ? 1 : 0;
	return st2_msg_encode(&m, out, outlen);
}

int st2_enc_config(uint8_t *out, size_t outlen, uint32_t features, uint8_t mux, uint8_t pres_pol)
{
	struct st2_msg m;
	st2_msg_init(&m, ST2_CLASS_CARDEM, ST2_CEMU_CONFIG);
	m.u.config.features = features;
	m.u.config.slot_mux_nr = mux;
	m.u.config.pres_pol = pres_pol;
	return st2_msg_encode(&m, out, outlen);
}

int st2_enc_status_req(uint8_t *out, size_t outlen)
{
	struct st2_msg m;
	st2_msg_init(&m, ST2_CLASS_CARDEM, ST2_CEMU_STATUS);
	m.is_request = 1;
	return st2_msg_encode(&m, out, outlen);
}

int st2_enc_status(uint8_t *out, size_t outlen, const struct st2_status *st)
{
	struct st2_msg m;
	if (!st)
		return ST2_E_INVAL;
	st2_msg_init(&m, ST2_CLASS_CARDEM, ST2_CEMU_STATUS);
	m.u.status = *st;
	return st2_msg_encode(&m, out, outlen);
}

int st2_enc_pts(uint8_t *out, size_t outlen, const uint8_t *req, size_t req_len)
{
	struct st2_msg m;
	if (req_len > ST2_PTS_MAX)
		return ST2_E_TOOLONG;
	if (req_len && !req)
		return ST2_E_INVAL;
	st2_msg_init(&m, ST2_CLASS_CARDEM, ST2_CEMU_PTS);
	m.u.pts.len = (uint8_t)req_len;
	if (req_len) {
		memcpy(m.u.pts.req, req, req_len);
		memcpy(m.u.pts.resp, req, req_len);  /* firmware echoes the request */
	}
	return st2_msg_encode(&m, out, outlen);
}

int st2_enc_modem_reset(uint8_t *out, size_t outlen, enum st2_modem_reset_op op, uint16_t pulse_ms)
{
	struct st2_msg m;
	if ((unsigned)op > ST2_RESET_PULSE)
		return ST2_E_INVAL;
	st2_msg_init(&m, ST2_CLASS_MODEM, ST2_MODEM_RESET);
	m.u.reset.asserted = (uint8_t)op;
	m.u.reset.pulse_ms = pulse_ms;
	return st2_msg_encode(&m, out, outlen);
}

int st2_enc_sim_select(uint8_t *out, size_t outlen, int remote)
{
	struct st2_msg m;
	st2_msg_init(&m, ST2_CLASS_MODEM, ST2_MODEM_SIM_SELECT);
	m.u.remote_sim = remote ? 1 : 0;
	return st2_msg_encode(&m, out, outlen);
}
