/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ipa.h: Osmocom IPA multiplex framing as RSPRO uses it (see
 * docs/envelope.md, "Keep-alive and CCM"): a stream reassembler that accepts any TCP
 * segmentation, RSPRO framing (proto 0xEE, extension 0x07), and the IPA CCM
 * reactions (PING/PONG/ID_GET/ID_RESP/ID_ACK) for each side of a connection. */
#ifndef REMSIM_IPA_H
#define REMSIM_IPA_H

#include <stddef.h>
#include <stdint.h>

#define IPA_HDR_LEN		3
#define IPA_PROTO_CCM		0xFE
#define IPA_PROTO_OSMO		0xEE
#define IPA_EXT_RSPRO		0x07
/* Largest payload (octets after the 3-octet header) we accept by default:
 * osmo-remsim cannot produce an RSPRO PDU above ~1016 octets. */
#define IPA_MAX_PAYLOAD_DEFAULT	1024

enum ipa_ccm_type {
	IPA_CCM_PING = 0x00,
	IPA_CCM_PONG = 0x01,
	IPA_CCM_ID_GET = 0x04,
	IPA_CCM_ID_RESP = 0x05,
	IPA_CCM_ID_ACK = 0x06,
	IPA_CCM_ID_NACK = 0x07,
};

/* Errors are negative; ipa_strerror() gives the reason as text. */
enum ipa_err {
	IPA_OK = 0,
	IPA_ERR_ZERO_LEN = -1,	/* LEN field is 0 */
	IPA_ERR_TOO_BIG = -2,	/* LEN field above the configured maximum */
	IPA_ERR_PROTO = -3,	/* PROTO is neither 0xFE nor 0xEE */
	IPA_ERR_EXT = -4,	/* 0xEE frame whose extension is not 0x07, or no extension octet */
	IPA_ERR_CCM = -5,	/* malformed CCM body (e.g. ID_RESP element overruns) */
	IPA_ERR_NOSPACE = -6,	/* output buffer too small */
	IPA_ERR_NOMEM = -7,
};
const char *ipa_strerror(int err);

/* One reassembled frame.  payload points into the reassembler's buffer and
 * stays valid until the next ipa_reasm_feed()/ipa_reasm_next() call. */
struct ipa_frame {
	uint8_t proto;
	const uint8_t *payload;	/* octets after the header (for 0xEE: starts with the ext octet) */
	size_t len;
};

struct ipa_reasm;
/* max_payload: 0 means IPA_MAX_PAYLOAD_DEFAULT. */
struct ipa_reasm *ipa_reasm_new(size_t max_payload);
void ipa_reasm_destroy(struct ipa_reasm **r);
/* Append received octets.  Returns IPA_OK or IPA_ERR_NOMEM. */
int ipa_reasm_feed(struct ipa_reasm *r, const uint8_t *data, size_t len);
/* 1: *out holds the next whole frame; 0: need more octets; <0: the stream is
 * broken (zero-length or oversized header); the connection should be closed. */
int ipa_reasm_next(struct ipa_reasm *r, struct ipa_frame *out);
/* (Frames of any PROTO are returned; ipa_frame_rspro_pdu() classifies them.) */
/* Octets buffered but not yet returned as frames. */
size_t ipa_reasm_pending(const struct ipa_reasm *r);
/* Forget buffered octets and a sticky error (e.g. for a new connection).
 * (Once ipa_reasm_next() has returned an error it keeps returning it, and
 * ipa_reasm_feed() discards new octets, until this is called.) */
void ipa_reasm_reset(struct ipa_reasm *r);

/* If f is an RSPRO frame, point *pdu and *len at the DER PDU and return 1; if it
 * is a CCM frame return 0; otherwise a negative ipa_err (IPA_ERR_PROTO,
 * IPA_ERR_EXT, IPA_ERR_ZERO_LEN). */
int ipa_frame_rspro_pdu(const struct ipa_frame *f, const uint8_t **pdu, size_t *len);

/* Write LEN|0xEE|0x07|pdu into out.  Returns octets written or IPA_ERR_NOSPACE
 * (also when the frame would exceed 65535 octets of payload). */
int ipa_wrap_rspro(uint8_t *out, size_t cap, const uint8_t *pdu, size_t len);
/* Write a body-less CCM frame (PING, PONG, ID_ACK): 00 01 fe TYPE. */
int ipa_wrap_ccm(uint8_t *out, size_t cap, enum ipa_ccm_type type);

/* The three behaviours of rspro-wire.md §3.1. */
enum ipa_side {
	IPA_SIDE_SERVER_ACCEPTED,	/* a server's accepted bankd/client connection */
	IPA_SIDE_OUTGOING,		/* client or bankd: a connection it opened */
	IPA_SIDE_BANKD_ACCEPTED,	/* a bankd's accepted client data connection */
};

/* What to do with a received CCM frame. */
enum ipa_ccm_action {
	IPA_CCM_ACT_NONE = 0,		/* ignore (maybe logged) */
	IPA_CCM_ACT_REPLY,		/* send the reply octets */
	IPA_CCM_ACT_PONG_RECEIVED,	/* feed the keep-alive */
	IPA_CCM_ACT_CLOSE,		/* close the connection */
};

struct ipa_ccm_result {
	enum ipa_ccm_action action;
	uint8_t reply[128];		/* whole frames to send back, concatenated */
	size_t reply_len;
	const char *reason;		/* for the log: why (static string) */
};

/* Decide the reaction to one CCM frame (f->proto == 0xFE) on a given side:
 * PING -> PONG; PONG -> keep-alive; ID_ACK -> ID_ACK back (accepting sides);
 * ID_GET -> ID_RESP + ID_ACK (outgoing side; unknown tags ignored) or close
 * (server side); ID_RESP -> must carry tag 0x08 (server) or ignored; anything
 * else per the table.  A zero-length CCM frame yields IPA_CCM_ACT_CLOSE.
 * Never fails otherwise. */
void ipa_ccm_react(enum ipa_side side, const struct ipa_frame *f, struct ipa_ccm_result *res);

/* Look up identity tag `tag` in a received ID_RESP frame (proto 0xFE, type
 * 0x05).  1: found, *val points at its VALUE and *vlen is its length (the
 * NUL included, if sent; val and vlen may be NULL);
 * 0: well-formed but absent; IPA_ERR_CCM: not an ID_RESP, or an element
 * overruns the frame. */
int ipa_ccm_idresp_find(const struct ipa_frame *f, uint8_t tag, const uint8_t **val, size_t *vlen);

/* Names for logs: "PING", "ID_GET", ... ("unknown" otherwise). */
const char *ipa_ccm_type_name(uint8_t type);
const char *ipa_side_name(enum ipa_side side);

#endif
