/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ipa.c: IPA multiplex framing for RSPRO (rspro-wire.md §2-3): the stream
 * reassembler, RSPRO/CCM frame builders and the per-side CCM reaction table.
 *
 * Reassembler buffer layout: [consumed | pending (head..tail) | free].  Frames
 * are handed out in place (no copy); `head` only moves forward and is reset to
 * 0 when everything is consumed.  Pending octets are moved to the front only
 * when a feed does not fit behind them, and the buffer is grown so that the
 * pending part never fills more than half of it afterwards: every byte is
 * therefore moved O(1) times on average, however the stream is segmented. */
#include "ipa.h"

#include <stdlib.h>
#include <string.h>

#define IPA_INITIAL_CAP		4096
#define IPA_LEN_MAX		0xFFFFu

const char *ipa_strerror(int err)
{
	switch (err) {
	case IPA_OK: return "ok";
	case IPA_ERR_ZERO_LEN: return "zero-length IPA frame";
	case IPA_ERR_TOO_BIG: return "IPA frame longer than the maximum";
	case IPA_ERR_PROTO: return "unknown IPA stream identifier";
	case IPA_ERR_EXT: return "Osmocom extension is not RSPRO (0x07) or missing";
	case IPA_ERR_CCM: return "malformed IPA CCM message";
	case IPA_ERR_NOSPACE: return "output buffer too small";
	case IPA_ERR_NOMEM: return "out of memory";
	default: return "unknown IPA error";
	}
}

/* --- stream reassembler ------------------------------------------------- */

struct ipa_reasm {
	uint8_t *buf;
	size_t cap;
	size_t head;		/* first pending octet */
	size_t tail;		/* one past the last pending octet */
	size_t max_payload;
	int err;		/* sticky stream error, 0 while healthy */
};

struct ipa_reasm *ipa_reasm_new(size_t max_payload)
{
	struct ipa_reasm *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (max_payload == 0)
		max_payload = IPA_MAX_PAYLOAD_DEFAULT;
	if (max_payload > IPA_LEN_MAX)
		max_payload = IPA_LEN_MAX;
	r->max_payload = max_payload;
	r->cap = IPA_INITIAL_CAP;
	r->buf = malloc(r->cap);
	if (!r->buf) {
		free(r);
		return NULL;
	}
	return r;
}

void ipa_reasm_destroy(struct ipa_reasm **r)
{
	if (!r || !*r)
		return;
	free((*r)->buf);
	free(*r);
	*r = NULL;
}

void ipa_reasm_reset(struct ipa_reasm *r)
{
	if (!r)
		return;
	r->head = r->tail = 0;
	r->err = 0;
}

size_t ipa_reasm_pending(const struct ipa_reasm *r)
{
	return r ? r->tail - r->head : 0;
}

/* Make room for `len` more octets behind the pending ones. */
static int reasm_make_room(struct ipa_reasm *r, size_t len)
{
	size_t pend = r->tail - r->head;
	size_t need;

	if (len > SIZE_MAX / 4 - pend)
		return IPA_ERR_NOMEM;
	need = pend + len;
	if (need > r->cap / 2) {
		size_t ncap = r->cap * 2;
		uint8_t *nbuf;

		while (ncap < need * 2)
			ncap *= 2;
		nbuf = malloc(ncap);
		if (!nbuf)
			return IPA_ERR_NOMEM;
		if (pend)
			memcpy(nbuf, r->buf + r->head, pend);
		free(r->buf);
		r->buf = nbuf;
		r->cap = ncap;
	} else if (pend) {
		memmove(r->buf, r->buf + r->head, pend);
	}
	r->head = 0;
	r->tail = pend;
	return IPA_OK;
}

int ipa_reasm_feed(struct ipa_reasm *r, const uint8_t *data, size_t len)
{
	if (!r)
		return IPA_ERR_NOMEM;
	if (len == 0 || r->err)
		return IPA_OK;
	if (r->head == r->tail)
		r->head = r->tail = 0;
	if (len > r->cap - r->tail) {
		int rc = reasm_make_room(r, len);
		if (rc < 0)
			return rc;
	}
	memcpy(r->buf + r->tail, data, len);
	r->tail += len;
	return IPA_OK;
}

int ipa_reasm_next(struct ipa_reasm *r, struct ipa_frame *out)
{
	const uint8_t *p;
	size_t avail, plen;

	if (!r)
		return IPA_ERR_NOMEM;
	if (r->err)
		return r->err;
	avail = r->tail - r->head;
	if (avail < IPA_HDR_LEN)
		return 0;
	p = r->buf + r->head;
	plen = ((size_t)p[0] << 8) | p[1];
	if (plen == 0)
		return r->err = IPA_ERR_ZERO_LEN;
	if (plen > r->max_payload)
		return r->err = IPA_ERR_TOO_BIG;
	if (avail - IPA_HDR_LEN < plen)
		return 0;
	out->proto = p[2];
	out->payload = p + IPA_HDR_LEN;
	out->len = plen;
	r->head += IPA_HDR_LEN + plen;
	if (r->head == r->tail)		/* data stays in place for *out */
		r->head = r->tail = 0;
	return 1;
}

/* --- RSPRO framing ------------------------------------------------------- */

int ipa_frame_rspro_pdu(const struct ipa_frame *f, const uint8_t **pdu, size_t *len)
{
	if (f->proto != IPA_PROTO_CCM && f->proto != IPA_PROTO_OSMO)
		return IPA_ERR_PROTO;
	if (f->len == 0 || !f->payload)	/* 0xEE: no extension octet */
		return f->proto == IPA_PROTO_CCM ? IPA_ERR_ZERO_LEN : IPA_ERR_EXT;
	if (f->proto == IPA_PROTO_CCM)
		return 0;
	if (f->payload[0] != IPA_EXT_RSPRO)
		return IPA_ERR_EXT;
	*pdu = f->payload + 1;
	*len = f->len - 1;
	return 1;
}

int ipa_wrap_rspro(uint8_t *out, size_t cap, const uint8_t *pdu, size_t len)
{
	if (len >= IPA_LEN_MAX || cap < IPA_HDR_LEN + 1 + len)
		return IPA_ERR_NOSPACE;
	out[0] = (uint8_t)((len + 1) >> 8);
	out[1] = (uint8_t)(len + 1);
	out[2] = IPA_PROTO_OSMO;
	out[3] = IPA_EXT_RSPRO;
	if (len)
		memcpy(out + 4, pdu, len);
	return (int)(IPA_HDR_LEN + 1 + len);
}

int ipa_wrap_ccm(uint8_t *out, size_t cap, enum ipa_ccm_type type)
{
	if (cap < IPA_HDR_LEN + 1)
		return IPA_ERR_NOSPACE;
	out[0] = 0x00;
	out[1] = 0x01;
	out[2] = IPA_PROTO_CCM;
	out[3] = (uint8_t)type;
	return IPA_HDR_LEN + 1;
}

/* --- CCM ----------------------------------------------------------------- */

const char *ipa_ccm_type_name(uint8_t type)
{
	switch (type) {
	case IPA_CCM_PING: return "PING";
	case IPA_CCM_PONG: return "PONG";
	case IPA_CCM_ID_GET: return "ID_GET";
	case IPA_CCM_ID_RESP: return "ID_RESP";
	case IPA_CCM_ID_ACK: return "ID_ACK";
	case IPA_CCM_ID_NACK: return "ID_NACK";
	default: return "unknown";
	}
}

const char *ipa_side_name(enum ipa_side side)
{
	switch (side) {
	case IPA_SIDE_SERVER_ACCEPTED: return "server-accepted";
	case IPA_SIDE_OUTGOING: return "outgoing";
	case IPA_SIDE_BANKD_ACCEPTED: return "bankd-accepted";
	default: return "unknown-side";
	}
}

/* Our identity as an ID_RESP reports it: the all-zero ipaccess unit of
 * osmo-remsim (§3.1).  Indexed by tag; tags 0x09 and up are unknown. */
#define IPA_IDTAG_COUNT		9
#define IPA_IDTAG_UNIT		0x08
static const char *const ipa_id_values[IPA_IDTAG_COUNT] = {
	[0x00] = "",			/* serial number */
	[0x01] = "00-00-00-00-00-00",	/* unit name (from the zero MAC) */
	[0x02] = "",			/* location 1 */
	[0x03] = "",			/* location 2 */
	[0x04] = "",			/* equipment version */
	[0x05] = "",			/* software version */
	[0x06] = "",			/* IP address */
	[0x07] = "00:00:00:00:00:00",	/* MAC address */
	[0x08] = "0/0/0",		/* unit id site/bts/trx */
};

static void put_frame_len(uint8_t *frame, size_t payload_len)
{
	frame[0] = (uint8_t)(payload_len >> 8);
	frame[1] = (uint8_t)payload_len;
}

/* ID_GET body: elements `L <L octets>`, the first of which is the requested
 * tag (peers send L = 1).  Answer each known tag once, in request order,
 * then ID_ACK.  Unknown tags and a truncated last element are ignored. */
static void build_id_resp(const uint8_t *body, size_t len, struct ipa_ccm_result *res)
{
	uint8_t *out = res->reply;
	const size_t room = sizeof(res->reply) - (IPA_HDR_LEN + 1);	/* keep ID_ACK room */
	size_t pos = IPA_HDR_LEN + 1, i = 0;
	unsigned seen = 0;

	out[2] = IPA_PROTO_CCM;
	out[3] = IPA_CCM_ID_RESP;
	while (i < len) {
		size_t el = body[i];
		uint8_t tag;
		size_t vlen;

		if (el == 0) {
			i++;
			continue;
		}
		if (el > len - i - 1)
			break;
		tag = body[i + 1];
		i += 1 + el;
		if (tag >= IPA_IDTAG_COUNT || (seen & (1u << tag)))
			continue;
		seen |= 1u << tag;
		vlen = strlen(ipa_id_values[tag]) + 1;
		if (pos + 3 + vlen > room)
			break;	/* cannot happen with deduplicated tags */
		out[pos++] = (uint8_t)((vlen + 1) >> 8);
		out[pos++] = (uint8_t)(vlen + 1);
		out[pos++] = tag;
		memcpy(out + pos, ipa_id_values[tag], vlen);
		pos += vlen;
	}
	put_frame_len(out, pos - IPA_HDR_LEN);
	pos += (size_t)ipa_wrap_ccm(out + pos, sizeof(res->reply) - pos, IPA_CCM_ID_ACK);
	res->reply_len = pos;
}

int ipa_ccm_idresp_find(const struct ipa_frame *f, uint8_t tag, const uint8_t **val, size_t *vlen)
{
	const uint8_t *b;
	size_t len, i = 0;
	int found = 0;

	if (!f || f->proto != IPA_PROTO_CCM || f->len < 1 || !f->payload ||
	    f->payload[0] != IPA_CCM_ID_RESP)
		return IPA_ERR_CCM;
	b = f->payload + 1;
	len = f->len - 1;
	/* elements: LEN16 TAG VALUE, LEN16 = 1 + len(VALUE); check them all */
	while (i < len) {
		size_t el;

		if (len - i < 3)
			return IPA_ERR_CCM;
		el = ((size_t)b[i] << 8) | b[i + 1];
		if (el == 0 || el > len - i - 2)
			return IPA_ERR_CCM;
		if (!found && b[i + 2] == tag) {
			found = 1;
			if (val)
				*val = b + i + 3;
			if (vlen)
				*vlen = el - 1;
		}
		i += 2 + el;
	}
	return found;
}

/* What a side does with a CCM message type (rspro-wire.md §3.1). */
enum ccm_do {
	DO_IGNORE,
	DO_CLOSE,
	DO_PONG,		/* reply PONG */
	DO_ACK,			/* reply ID_ACK */
	DO_KEEPALIVE,		/* PONG received */
	DO_ID_RESP,		/* reply ID_RESP + ID_ACK */
	DO_CHECK_UNIT,		/* ID_RESP must hold a non-empty unit id */
};

enum ccm_row { ROW_PING, ROW_PONG, ROW_ID_GET, ROW_ID_RESP, ROW_ID_ACK, ROW_OTHER, ROW_COUNT };

struct ccm_rule {
	enum ccm_do what;
	const char *reason;
};

#define SIDE_COUNT 3
static const struct ccm_rule ccm_table[ROW_COUNT][SIDE_COUNT] = {
	[ROW_PING] = {
		[IPA_SIDE_SERVER_ACCEPTED] = { DO_PONG, "PING answered with PONG" },
		[IPA_SIDE_OUTGOING] = { DO_PONG, "PING answered with PONG" },
		[IPA_SIDE_BANKD_ACCEPTED] = { DO_PONG, "PING answered with PONG" },
	},
	[ROW_PONG] = {
		[IPA_SIDE_SERVER_ACCEPTED] = { DO_KEEPALIVE, "PONG received" },
		[IPA_SIDE_OUTGOING] = { DO_KEEPALIVE, "PONG received" },
		[IPA_SIDE_BANKD_ACCEPTED] = { DO_KEEPALIVE, "PONG received" },
	},
	[ROW_ID_GET] = {
		[IPA_SIDE_SERVER_ACCEPTED] = { DO_CLOSE, "unknown IPA message type ID_GET" },
		[IPA_SIDE_OUTGOING] = { DO_ID_RESP, "ID_GET answered with ID_RESP + ID_ACK" },
		[IPA_SIDE_BANKD_ACCEPTED] = { DO_IGNORE, "ID_GET ignored (not implemented)" },
	},
	[ROW_ID_RESP] = {
		[IPA_SIDE_SERVER_ACCEPTED] = { DO_CHECK_UNIT, "ID_RESP accepted" },
		[IPA_SIDE_OUTGOING] = { DO_IGNORE, "ID_RESP ignored" },
		[IPA_SIDE_BANKD_ACCEPTED] = { DO_IGNORE, "ID_RESP ignored (not implemented)" },
	},
	[ROW_ID_ACK] = {
		[IPA_SIDE_SERVER_ACCEPTED] = { DO_ACK, "ID_ACK answered with ID_ACK" },
		[IPA_SIDE_OUTGOING] = { DO_IGNORE, "ID_ACK ignored" },
		[IPA_SIDE_BANKD_ACCEPTED] = { DO_ACK, "ID_ACK answered with ID_ACK" },
	},
	[ROW_OTHER] = {
		[IPA_SIDE_SERVER_ACCEPTED] = { DO_CLOSE, "unknown IPA message type" },
		[IPA_SIDE_OUTGOING] = { DO_IGNORE, "unknown IPA message type ignored" },
		[IPA_SIDE_BANKD_ACCEPTED] = { DO_IGNORE, "unknown IPA message type ignored (not implemented)" },
	},
};

static enum ccm_row ccm_row_of(uint8_t type)
{
	switch (type) {
	case IPA_CCM_PING: return ROW_PING;
	case IPA_CCM_PONG: return ROW_PONG;
	case IPA_CCM_ID_GET: return ROW_ID_GET;
	case IPA_CCM_ID_RESP: return ROW_ID_RESP;
	case IPA_CCM_ID_ACK: return ROW_ID_ACK;
	default: return ROW_OTHER;
	}
}

static void set_result(struct ipa_ccm_result *res, enum ipa_ccm_action a, const char *reason)
{
	res->action = a;
	res->reason = reason;
}

void ipa_ccm_react(enum ipa_side side, const struct ipa_frame *f, struct ipa_ccm_result *res)
{
	const struct ccm_rule *rule;
	int rc;

	res->reply_len = 0;
	if (!f || (unsigned)side >= SIDE_COUNT) {
		set_result(res, IPA_CCM_ACT_NONE, "no frame or unknown side");
		return;
	}
	if (f->proto != IPA_PROTO_CCM) {
		set_result(res, IPA_CCM_ACT_NONE, "not a CCM frame");
		return;
	}
	if (f->len == 0 || !f->payload) {
		set_result(res, IPA_CCM_ACT_CLOSE, "zero-length CCM frame");
		return;
	}
	rule = &ccm_table[ccm_row_of(f->payload[0])][side];
	switch (rule->what) {
	case DO_IGNORE:
		set_result(res, IPA_CCM_ACT_NONE, rule->reason);
		break;
	case DO_CLOSE:
		set_result(res, IPA_CCM_ACT_CLOSE, rule->reason);
		break;
	case DO_KEEPALIVE:
		set_result(res, IPA_CCM_ACT_PONG_RECEIVED, rule->reason);
		break;
	case DO_PONG:
	case DO_ACK:
		res->reply_len = (size_t)ipa_wrap_ccm(res->reply, sizeof(res->reply),
			rule->what == DO_PONG ? IPA_CCM_PONG : IPA_CCM_ID_ACK);
		set_result(res, IPA_CCM_ACT_REPLY, rule->reason);
		break;
	case DO_ID_RESP:
		build_id_resp(f->payload + 1, f->len - 1, res);
		set_result(res, IPA_CCM_ACT_REPLY, rule->reason);
		break;
	case DO_CHECK_UNIT: {
		size_t vlen = 0;

		rc = ipa_ccm_idresp_find(f, IPA_IDTAG_UNIT, NULL, &vlen);
		if (rc < 0)
			set_result(res, IPA_CCM_ACT_CLOSE, "malformed ID_RESP (element overruns the frame)");
		else if (rc == 0 || vlen == 0)
			set_result(res, IPA_CCM_ACT_CLOSE, "ID_RESP without unit id (tag 0x08)");
		else
			set_result(res, IPA_CCM_ACT_NONE, rule->reason);
		break;
	}
	}
}
