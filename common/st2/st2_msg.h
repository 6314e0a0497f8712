/* SPDX-License-Identifier: GPL-2.0-or-later */
/* st2_msg.h: encode/decode of the SIMtrace2 card-emulation ("cardem") USB
 * messages (spec simtrace2-cardem.md §3/§4).
 *
 * Every message is an 8-octet header (class, type, seq, slot, reserved,
 * u16 msg_len = total length) followed by a type-specific payload.  All
 * multi-octet fields are little-endian, always encoded/decoded explicitly.
 * Decoding never reads beyond the given length and reports malformed input
 * with one of the ST2_E_* codes below; pointers in a decoded message point
 * into the caller's buffer (zero copy). */
#ifndef REMSIM_ST2_MSG_H
#define REMSIM_ST2_MSG_H

#include <stddef.h>
#include <stdint.h>

#define ST2_HDR_LEN          8
#define ST2_MSG_MAX          280  /* firmware USB buffer: max message size */
#define ST2_TX_DATA_MAX      266  /* data octets in one TX_DATA (280 - 14) */
#define ST2_ATR_MAX          33   /* longest ATR the firmware accepts */
#define ST2_PTS_MAX          6

/* message classes */
enum st2_class {
	ST2_CLASS_GENERIC = 0,
	ST2_CLASS_CARDEM  = 1,
	ST2_CLASS_MODEM   = 2,
	ST2_CLASS_SNIFF   = 3,
};

/* message types (per class) */
enum {
	/* class GENERIC */
	ST2_GEN_DO_ERROR        = 0,
	ST2_GEN_BD_BOARD_INFO   = 1,
	/* class CARDEM */
	ST2_CEMU_TX_DATA        = 1,
	ST2_CEMU_SET_ATR        = 2,
	ST2_CEMU_STATS          = 3,
	ST2_CEMU_STATUS         = 4,
	ST2_CEMU_CARDINSERT     = 5,
	ST2_CEMU_RX_DATA        = 6,
	ST2_CEMU_PTS            = 7,
	ST2_CEMU_CONFIG         = 8,
	/* class MODEM */
	ST2_MODEM_RESET         = 1,
	ST2_MODEM_SIM_SELECT    = 2,
	ST2_MODEM_STATUS        = 3,
};

/* TX_DATA / RX_DATA flags (§4.2) */
#define ST2_DATA_F_TPDU_HDR   0x00000001u
#define ST2_DATA_F_FINAL      0x00000002u
#define ST2_DATA_F_PB_AND_TX  0x00000004u
#define ST2_DATA_F_PB_AND_RX  0x00000008u

/* STATUS flags (§4.5) */
#define ST2_STATUS_F_VCC_PRESENT   0x00000001u
#define ST2_STATUS_F_CLK_ACTIVE    0x00000002u
#define ST2_STATUS_F_RCEMU_ACTIVE  0x00000004u
#define ST2_STATUS_F_CARD_INSERT   0x00000008u
#define ST2_STATUS_F_RESET_ACTIVE  0x00000010u

/* CONFIG features / presence polarity (§4.4) */
#define ST2_FEAT_STATUS_IRQ   0x00000001u
#define ST2_PRES_POL_VALID    0x02
#define ST2_PRES_POL_HIGH     0x01

/* MODEM_RESET asserted values (§4.8) */
enum st2_modem_reset_op {
	ST2_RESET_RELEASE = 0,
	ST2_RESET_ASSERT  = 1,
	ST2_RESET_PULSE   = 2,
};

/* error codes (all negative) */
enum st2_err {
	ST2_OK          = 0,
	ST2_E_SHORT     = -1,  /* fewer than 8 octets: no header */
	ST2_E_MSGLEN    = -2,  /* msg_len < 8 or msg_len > octets available */
	ST2_E_PAYLOAD   = -3,  /* payload too short / inner length inconsistent */
	ST2_E_UNKNOWN   = -4,  /* unknown class/type (header is still decoded) */
	ST2_E_TOOLONG   = -5,  /* encode: exceeds a protocol limit */
	ST2_E_BUFSZ     = -6,  /* encode: output buffer too small */
	ST2_E_INVAL     = -7,  /* bad argument */
};
const char *st2_strerror(int err);

struct st2_hdr {
	uint8_t msg_class;
	uint8_t msg_type;
	uint8_t seq_nr;
	uint8_t slot_nr;
	uint16_t reserved;
	uint16_t msg_len;      /* total length incl. header */
};

struct st2_data {          /* TX_DATA and RX_DATA */
	uint32_t flags;
	uint16_t len;
	const uint8_t *data;
};

struct st2_status {        /* STATUS (device -> host) */
	uint32_t flags;
	uint16_t voltage_mv;
	uint8_t fi;
	uint8_t di;
	uint8_t wi;
	uint32_t waiting_time;
};

struct st2_pts {
	uint8_t len;
	uint8_t req[ST2_PTS_MAX];
	uint8_t resp[ST2_PTS_MAX];
};

struct st2_config {
	uint32_t features;
	uint8_t slot_mux_nr;
	uint8_t pres_pol;
	uint8_t nfields;       /* decode: fields present (0..3); encode: ignored (all 3) */
};

struct st2_error {
	uint8_t severity;
	uint8_t subsystem;
	uint16_t code;
	uint8_t len;
	const uint8_t *msg;
};

struct st2_modem_status {
	uint8_t supported;
	uint8_t status;
	uint8_t changed;
};

/* A decoded (or to-be-encoded) message.  `is_request` distinguishes the
 * payload-less request form of STATUS / BOARD_INFO / MODEM_STATUS from the
 * answer form (decode sets it; encode obeys it).  For BOARD_INFO answers and
 * other opaque payloads, `raw`/`raw_len` give the payload. */
struct st2_msg {
	struct st2_hdr hdr;
	int is_request;
	union {
		struct st2_data data;          /* CEMU TX_DATA, RX_DATA */
		struct { uint8_t len; const uint8_t *atr; } atr;  /* SET_ATR */
		struct st2_status status;      /* CEMU STATUS (answer) */
		uint8_t card_insert;           /* CARDINSERT */
		struct st2_pts pts;            /* PTS */
		struct st2_config config;      /* CONFIG */
		struct { uint8_t asserted; uint16_t pulse_ms; } reset; /* MODEM_RESET */
		uint8_t remote_sim;            /* SIM_SELECT */
		struct st2_modem_status mstatus;/* MODEM_STATUS (answer) */
		struct st2_error error;        /* DO_ERROR */
	} u;
	const uint8_t *raw;                /* payload (decode) */
	size_t raw_len;
};

/* Decode one message at the start of buf (len octets available; more may
 * follow, e.g. several messages concatenated in one OUT read).  Returns the
 * number of octets consumed (= msg_len) or a negative ST2_E_*.  On
 * ST2_E_UNKNOWN/ST2_E_PAYLOAD the header in *m is valid and msg_len octets
 * may be skipped. */
int st2_msg_decode(const uint8_t *buf, size_t len, struct st2_msg *m);

/* Decode only the header; returns ST2_OK or ST2_E_SHORT/ST2_E_MSGLEN. */
int st2_hdr_decode(const uint8_t *buf, size_t len, struct st2_hdr *h);

/* Encode m (hdr.msg_class/msg_type/seq_nr/slot_nr used; msg_len computed)
 * into out.  Returns the total length or a negative ST2_E_*. */
int st2_msg_encode(const struct st2_msg *m, uint8_t *out, size_t outlen);

/* Convenience encoders; each returns the length written or ST2_E_*. */
int st2_enc_tx_data(uint8_t *out, size_t outlen, uint32_t flags, const uint8_t *data, size_t dlen);
int st2_enc_rx_data(uint8_t *out, size_t outlen, uint32_t flags, const uint8_t *data, size_t dlen);
int st2_enc_set_atr(uint8_t *out, size_t outlen, const uint8_t *atr, size_t atr_len);
int st2_enc_cardinsert(uint8_t *out, size_t outlen, int inserted);
int st2_enc_config(uint8_t *out, size_t outlen, uint32_t features, uint8_t mux, uint8_t pres_pol);
int st2_enc_status_req(uint8_t *out, size_t outlen);
int st2_enc_status(uint8_t *out, size_t outlen, const struct st2_status *st);
int st2_enc_pts(uint8_t *out, size_t outlen, const uint8_t *req, size_t req_len);
int st2_enc_modem_reset(uint8_t *out, size_t outlen, enum st2_modem_reset_op op, uint16_t pulse_ms);
int st2_enc_sim_select(uint8_t *out, size_t outlen, int remote);

/* "CARDEM/RX_DATA" style name for logs; never NULL. */
const char *st2_msg_name(uint8_t msg_class, uint8_t msg_type);

/* Little-endian helpers (also used by the simulator and transports). */
static inline uint16_t st2_get_u16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t st2_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline void st2_put_u16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void st2_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

#endif
