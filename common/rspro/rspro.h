/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rspro.h: RSPRO messages as plain C values, over the asn1c codec generated
 * from asn1/RSPRO.asn.
 *
 * Build any of the 21 messages with the rspro_build_*() helpers (or fill a
 * struct rspro_msg by hand), DER-encode it with rspro_encode(), BER-decode a
 * received PDU with rspro_decode() (stack-depth limited, lenient like
 * osmo-remsim: trailing octets and unknown extensions are skipped, an unknown
 * CHOICE alternative decodes to RSPRO_MSG_UNKNOWN), and describe it for logs
 * with rspro_summary() / rspro_format().  No call allocates on the encode
 * path; struct rspro_msg owns all its storage. */
#ifndef REMSIM_RSPRO_H
#define REMSIM_RSPRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RSPRO_VERSION		2
#define RSPRO_TAG_CONNECT_RES	2342	/* what osmo-remsim puts in ConnectClientRes */
#define RSPRO_STR_MAX		255	/* longest IA5String we keep (ErrorString's limit) */
#define RSPRO_DATA_MAX		1024	/* longest ATR / TPDU data we keep */
#define RSPRO_PDU_MAX		1100	/* encode buffer that fits every message we build */
#define RSPRO_SLOT_MAX		1023	/* BankId, ClientId, SlotNumber range (not enforced by the codec) */

/* Alternative numbers of RsproPDUchoice = the context tag on the wire. */
enum rspro_msg_type {
	RSPRO_MSG_UNKNOWN = -1,
	RSPRO_MSG_CONNECT_BANK_REQ = 0,
	RSPRO_MSG_CONNECT_BANK_RES = 1,
	RSPRO_MSG_CONNECT_CLIENT_REQ = 2,
	RSPRO_MSG_CONNECT_CLIENT_RES = 3,
	RSPRO_MSG_CREATE_MAPPING_REQ = 4,
	RSPRO_MSG_CREATE_MAPPING_RES = 5,
	RSPRO_MSG_REMOVE_MAPPING_REQ = 6,
	RSPRO_MSG_REMOVE_MAPPING_RES = 7,
	RSPRO_MSG_CONFIG_CLIENT_ID_REQ = 8,
	RSPRO_MSG_CONFIG_CLIENT_ID_RES = 9,
	RSPRO_MSG_SET_ATR_REQ = 10,
	RSPRO_MSG_SET_ATR_RES = 11,
	RSPRO_MSG_TPDU_MODEM_TO_CARD = 12,
	RSPRO_MSG_TPDU_CARD_TO_MODEM = 13,
	RSPRO_MSG_CLIENT_SLOT_STATUS_IND = 14,
	RSPRO_MSG_BANK_SLOT_STATUS_IND = 15,
	RSPRO_MSG_ERROR_IND = 16,
	RSPRO_MSG_CONFIG_CLIENT_BANK_REQ = 17,
	RSPRO_MSG_CONFIG_CLIENT_BANK_RES = 18,
	RSPRO_MSG_RESET_STATE_REQ = 19,
	RSPRO_MSG_RESET_STATE_RES = 20,
	RSPRO_MSG_COUNT = 21,
};

enum rspro_comp_type {
	RSPRO_COMP_CLIENT = 0,
	RSPRO_COMP_SERVER = 1,
	RSPRO_COMP_BANKD = 2,
};

/* ResultCode; extensible: any other long value passes through. */
enum rspro_result {
	RSPRO_RES_OK = 0,
	RSPRO_RES_ILLEGAL_CLIENT_ID = 1,
	RSPRO_RES_ILLEGAL_BANK_ID = 2,
	RSPRO_RES_ILLEGAL_SLOT_ID = 3,
	RSPRO_RES_UNSUPPORTED_PROTOCOL_VERSION = 4,
	RSPRO_RES_UNKNOWN_SLOTMAP = 5,
	RSPRO_RES_IDENTITY_IN_USE = 6,
	RSPRO_RES_CARD_NOT_PRESENT = 100,
	RSPRO_RES_CARD_UNRESPONSIVE = 101,
	RSPRO_RES_CARD_TRANSMISSION_ERROR = 102,
};

enum rspro_error_code {
	RSPRO_ERRC_UNKNOWN_CLIENT_CONNECTED = 1,
	RSPRO_ERRC_UNEXPECTED_DISCONNECT = 2,
	RSPRO_ERRC_UNEXPECTED_PROTOCOL_VERSION = 3,
};

enum rspro_severity {
	RSPRO_SEV_MINOR = 1,
	RSPRO_SEV_MAJOR = 2,
	RSPRO_SEV_FATAL = 3,
};

struct rspro_client_slot { long client_id, slot_nr; };
struct rspro_bank_slot { long bank_id, slot_nr; };

/* ComponentIdentity.  Optional hw and fw strings are sent only when non-empty. */
struct rspro_ident {
	long type;			/* enum rspro_comp_type */
	char name[RSPRO_STR_MAX + 1];
	char software[RSPRO_STR_MAX + 1];
	char sw_version[RSPRO_STR_MAX + 1];
	char hw_manufacturer[RSPRO_STR_MAX + 1];
	char hw_model[RSPRO_STR_MAX + 1];
	char hw_serial_nr[RSPRO_STR_MAX + 1];
	char hw_version[RSPRO_STR_MAX + 1];
	char fw_version[RSPRO_STR_MAX + 1];
};

struct rspro_tpdu_flags {
	bool tpdu_header_present, final_part, proc_byte_continue_tx, proc_byte_continue_rx;
};

/* SlotPhysStatus; the optional ones are -1 when absent, else 0/1. */
struct rspro_phys_status {
	bool reset_active;
	int8_t vcc_present, clk_active, card_present;
};

struct rspro_ipport {
	bool is_ipv6;
	uint8_t addr[16];		/* ipv4 uses addr[0..3], network order */
	long port;
};

struct rspro_msg {
	long version;			/* RSPRO_VERSION */
	long tag;			/* OperationTag */
	enum rspro_msg_type type;
	union {
		struct { struct rspro_ident identity; long bank_id, num_slots; } connect_bank_req;
		/* connectBankRes and connectClientRes */
		struct { struct rspro_ident identity; long result; } connect_res;
		struct {
			struct rspro_ident identity;
			bool has_client_slot;
			struct rspro_client_slot client_slot;
		} connect_client_req;
		/* createMappingReq and removeMappingReq */
		struct { struct rspro_client_slot client; struct rspro_bank_slot bank; } mapping;
		/* every message whose body is only a ResultCode */
		struct { long result; } res;
		struct { struct rspro_client_slot client_slot; } config_client_id_req;
		struct { struct rspro_bank_slot bank_slot; struct rspro_ipport bankd; } config_client_bank_req;
		struct { struct rspro_client_slot slot; size_t atr_len; uint8_t atr[RSPRO_DATA_MAX]; } set_atr_req;
		/* tpduModemToCard (client -> bank) and tpduCardToModem (bank -> client) */
		struct {
			struct rspro_client_slot client;
			struct rspro_bank_slot bank;
			struct rspro_tpdu_flags flags;
			size_t len;
			uint8_t data[RSPRO_DATA_MAX];
		} tpdu;
		/* clientSlotStatusInd (client -> bank) and bankSlotStatusInd (bank -> client) */
		struct {
			struct rspro_client_slot client;
			struct rspro_bank_slot bank;
			struct rspro_phys_status status;
		} slot_status;
		struct {
			long sender, severity, code;
			bool has_bank_slot, has_client_slot, has_error_string;
			struct rspro_bank_slot bank_slot;
			struct rspro_client_slot client_slot;
			char error_string[RSPRO_STR_MAX + 1];
		} error_ind;
	} u;
};

/* --- errors --------------------------------------------------------------- */
enum rspro_err {
	RSPRO_OK = 0,
	RSPRO_ERR_TRUNCATED = -1,	/* the PDU ends before its encoding does */
	RSPRO_ERR_MALFORMED = -2,	/* not a valid BER RsproPDU (wrong tag/length, missing field...) */
	RSPRO_ERR_TOO_DEEP = -3,	/* nesting beyond the decoder's stack limit */
	RSPRO_ERR_TOO_LONG = -4,	/* a string/octet field beyond what we keep */
	RSPRO_ERR_BAD_VALUE = -5,	/* a value we cannot represent (e.g. IPv4 address not 4 octets) */
	RSPRO_ERR_NOSPACE = -6,		/* encode buffer too small */
	RSPRO_ERR_EMPTY = -7,		/* zero-length input */
	RSPRO_ERR_INVALID = -8,		/* encode: the struct holds an impossible message type */
};
const char *rspro_strerror(int err);

/* What rspro_decode() learned beyond success/failure. */
struct rspro_decode_info {
	size_t consumed;		/* octets of the PDU itself */
	size_t trailing;		/* octets after it (ignored, as osmo-remsim does) */
	bool unknown_choice;		/* msg holds an alternative we do not know */
	char reason[160];		/* on failure: what went wrong, for logs */
};

/* BER-decode one RsproPDU.  Returns RSPRO_OK (msg filled; msg->type may be
 * RSPRO_MSG_UNKNOWN) or a negative enum rspro_err.  info may be NULL. */
int rspro_decode(const uint8_t *buf, size_t len, struct rspro_msg *msg, struct rspro_decode_info *info);

/* DER-encode.  Returns the number of octets written or a negative rspro_err. */
int rspro_encode(const struct rspro_msg *msg, uint8_t *out, size_t cap);

/* --- names and text ----------------------------------------------------------- */
/* "connectBankReq" ... ; "unknown" for RSPRO_MSG_UNKNOWN or out of range. */
const char *rspro_msg_name(enum rspro_msg_type type);
/* Inverse of rspro_msg_name (exact, case-sensitive); RSPRO_MSG_UNKNOWN if none. */
enum rspro_msg_type rspro_msg_type_by_name(const char *name);
const char *rspro_result_name(long result);	/* "ok", "cardNotPresent", or NULL if unknown */
const char *rspro_comp_type_name(long type);	/* "remsimClient" ..., NULL if unknown */
/* One line for logs, e.g.  connectClientReq C1:0 "remsim-client" 1.0.0
 * Returns buf. */
char *rspro_summary(const struct rspro_msg *msg, char *buf, size_t len);
/* Every field as name=value, e.g. for rspro-dump.  Returns buf. */
char *rspro_format(const struct rspro_msg *msg, char *buf, size_t len);
/* The canonical XER (one line) of a BER-encoded PDU, as asn1c prints it.
 * Returns the length written (without NUL) or a negative rspro_err. */
int rspro_xer(const uint8_t *buf, size_t len, char *out, size_t cap);

/* --- builders ----------------------------------------------------------------- */
/* Every builder clears msg, sets version 2 and tag 0 (ConnectClientRes: 2342),
 * then fills the body from plain values. */
void rspro_ident_set(struct rspro_ident *id, enum rspro_comp_type type, const char *name,
		     const char *software, const char *sw_version);

void rspro_build_connect_bank_req(struct rspro_msg *m, const struct rspro_ident *id, long bank_id, long num_slots);
void rspro_build_connect_bank_res(struct rspro_msg *m, const struct rspro_ident *id, long result);
/* client_slot may be NULL (no clientSlot component) */
void rspro_build_connect_client_req(struct rspro_msg *m, const struct rspro_ident *id,
				    const struct rspro_client_slot *client_slot);
void rspro_build_connect_client_res(struct rspro_msg *m, const struct rspro_ident *id, long result);
void rspro_build_create_mapping_req(struct rspro_msg *m, struct rspro_client_slot c, struct rspro_bank_slot b);
void rspro_build_create_mapping_res(struct rspro_msg *m, long result);
void rspro_build_remove_mapping_req(struct rspro_msg *m, struct rspro_client_slot c, struct rspro_bank_slot b);
void rspro_build_remove_mapping_res(struct rspro_msg *m, long result);
void rspro_build_config_client_id_req(struct rspro_msg *m, struct rspro_client_slot c);
void rspro_build_config_client_id_res(struct rspro_msg *m, long result);
/* ipv4: network order octets; NULL means 0.0.0.0 ("unmapped" with port 0) */
void rspro_build_config_client_bank_req(struct rspro_msg *m, struct rspro_bank_slot b,
					const uint8_t ipv4[4], long port);
void rspro_build_config_client_bank_res(struct rspro_msg *m, long result);
/* Returns RSPRO_OK or RSPRO_ERR_TOO_LONG (atr_len > RSPRO_DATA_MAX). */
int rspro_build_set_atr_req(struct rspro_msg *m, struct rspro_client_slot c, const uint8_t *atr, size_t atr_len);
void rspro_build_set_atr_res(struct rspro_msg *m, long result);
int rspro_build_tpdu_modem_to_card(struct rspro_msg *m, struct rspro_client_slot from, struct rspro_bank_slot to,
				   struct rspro_tpdu_flags flags, const uint8_t *data, size_t len);
int rspro_build_tpdu_card_to_modem(struct rspro_msg *m, struct rspro_bank_slot from, struct rspro_client_slot to,
				   struct rspro_tpdu_flags flags, const uint8_t *data, size_t len);
void rspro_build_client_slot_status_ind(struct rspro_msg *m, struct rspro_client_slot from,
					struct rspro_bank_slot to, struct rspro_phys_status st);
void rspro_build_bank_slot_status_ind(struct rspro_msg *m, struct rspro_bank_slot from,
				      struct rspro_client_slot to, struct rspro_phys_status st);
/* bank / client / text may be NULL (component omitted) */
void rspro_build_error_ind(struct rspro_msg *m, long sender, long severity, long code,
			   const struct rspro_bank_slot *bank, const struct rspro_client_slot *client,
			   const char *text);
void rspro_build_reset_state_req(struct rspro_msg *m);
void rspro_build_reset_state_res(struct rspro_msg *m, long result);

/* Parse "C:S" / "B:S" style pairs ("3:0", also "C3:0", "B1:5"); 0 ok, -1 bad. */
int rspro_parse_slot_pair(const char *s, long *a, long *b);

#endif
