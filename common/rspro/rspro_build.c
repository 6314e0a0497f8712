/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rspro_build.c: build each of the 21 RSPRO messages from plain C values. */
#include "rspro.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void init(struct rspro_msg *m, enum rspro_msg_type type)
{
	memset(m, 0, sizeof(*m));
	m->version = RSPRO_VERSION;
	m->tag = 0;
	m->type = type;
}

static void copy_str(char *dst, const char *src)
{
	snprintf(dst, RSPRO_STR_MAX + 1, "%s", src ? src : "");
}

void rspro_ident_set(struct rspro_ident *id, enum rspro_comp_type type, const char *name,
		     const char *software, const char *sw_version)
{
	memset(id, 0, sizeof(*id));
	id->type = type;
	copy_str(id->name, name);
	copy_str(id->software, software);
	copy_str(id->sw_version, sw_version);
}

void rspro_build_connect_bank_req(struct rspro_msg *m, const struct rspro_ident *id, long bank_id, long num_slots)
{
	init(m, RSPRO_MSG_CONNECT_BANK_REQ);
	m->u.connect_bank_req.identity = *id;
	m->u.connect_bank_req.bank_id = bank_id;
	m->u.connect_bank_req.num_slots = num_slots;
}

void rspro_build_connect_bank_res(struct rspro_msg *m, const struct rspro_ident *id, long result)
{
	init(m, RSPRO_MSG_CONNECT_BANK_RES);
	m->u.connect_res.identity = *id;
	m->u.connect_res.result = result;
}

void rspro_build_connect_client_req(struct rspro_msg *m, const struct rspro_ident *id,
				    const struct rspro_client_slot *client_slot)
{
	init(m, RSPRO_MSG_CONNECT_CLIENT_REQ);
	m->u.connect_client_req.identity = *id;
	if (client_slot) {
		m->u.connect_client_req.has_client_slot = true;
		m->u.connect_client_req.client_slot = *client_slot;
	}
}

void rspro_build_connect_client_res(struct rspro_msg *m, const struct rspro_ident *id, long result)
{
	init(m, RSPRO_MSG_CONNECT_CLIENT_RES);
	m->tag = RSPRO_TAG_CONNECT_RES;
	m->u.connect_res.identity = *id;
	m->u.connect_res.result = result;
}

static void build_mapping(struct rspro_msg *m, enum rspro_msg_type t, struct rspro_client_slot c,
			  struct rspro_bank_slot b)
{
	init(m, t);
	m->u.mapping.client = c;
	m->u.mapping.bank = b;
}

static void build_res(struct rspro_msg *m, enum rspro_msg_type t, long result)
{
	init(m, t);
	m->u.res.result = result;
}

void rspro_build_create_mapping_req(struct rspro_msg *m, struct rspro_client_slot c, struct rspro_bank_slot b)
{
	build_mapping(m, RSPRO_MSG_CREATE_MAPPING_REQ, c, b);
}

void rspro_build_remove_mapping_req(struct rspro_msg *m, struct rspro_client_slot c, struct rspro_bank_slot b)
{
	build_mapping(m, RSPRO_MSG_REMOVE_MAPPING_REQ, c, b);
}

void rspro_build_create_mapping_res(struct rspro_msg *m, long result)
{
	build_res(m, RSPRO_MSG_CREATE_MAPPING_RES, result);
}

void rspro_build_remove_mapping_res(struct rspro_msg *m, long result)
{
	build_res(m, RSPRO_MSG_REMOVE_MAPPING_RES, result);
}

void rspro_build_config_client_id_req(struct rspro_msg *m, struct rspro_client_slot c)
{
	init(m, RSPRO_MSG_CONFIG_CLIENT_ID_REQ);
	m->u.config_client_id_req.client_slot = c;
}

void rspro_build_config_client_id_res(struct rspro_msg *m, long result)
{
	build_res(m, RSPRO_MSG_CONFIG_CLIENT_ID_RES, result);
}

void rspro_build_config_client_bank_req(struct rspro_msg *m, struct rspro_bank_slot b,
					const uint8_t ipv4[4], long port)
{
	init(m, RSPRO_MSG_CONFIG_CLIENT_BANK_REQ);
	m->u.config_client_bank_req.bank_slot = b;
	if (ipv4)
		memcpy(m->u.config_client_bank_req.bankd.addr, ipv4, 4);
	m->u.config_client_bank_req.bankd.port = port;
}

void rspro_build_config_client_bank_res(struct rspro_msg *m, long result)
{
	build_res(m, RSPRO_MSG_CONFIG_CLIENT_BANK_RES, result);
}

int rspro_build_set_atr_req(struct rspro_msg *m, struct rspro_client_slot c, const uint8_t *atr, size_t atr_len)
{
	init(m, RSPRO_MSG_SET_ATR_REQ);
	if (atr_len > RSPRO_DATA_MAX)
		return RSPRO_ERR_TOO_LONG;
	m->u.set_atr_req.slot = c;
	if (atr_len)
		memcpy(m->u.set_atr_req.atr, atr, atr_len);
	m->u.set_atr_req.atr_len = atr_len;
	return RSPRO_OK;
}

void rspro_build_set_atr_res(struct rspro_msg *m, long result)
{
	build_res(m, RSPRO_MSG_SET_ATR_RES, result);
}

static int build_tpdu(struct rspro_msg *m, enum rspro_msg_type t, struct rspro_client_slot c,
		      struct rspro_bank_slot b, struct rspro_tpdu_flags flags, const uint8_t *data, size_t len)
{
	init(m, t);
	if (len > RSPRO_DATA_MAX)
		return RSPRO_ERR_TOO_LONG;
	m->u.tpdu.client = c;
	m->u.tpdu.bank = b;
	m->u.tpdu.flags = flags;
	if (len)
		memcpy(m->u.tpdu.data, data, len);
	m->u.tpdu.len = len;
	return RSPRO_OK;
}

int rspro_build_tpdu_modem_to_card(struct rspro_msg *m, struct rspro_client_slot from, struct rspro_bank_slot to,
				   struct rspro_tpdu_flags flags, const uint8_t *data, size_t len)
{
	return build_tpdu(m, RSPRO_MSG_TPDU_MODEM_TO_CARD, from, to, flags, data, len);
}

int rspro_build_tpdu_card_to_modem(struct rspro_msg *m, struct rspro_bank_slot from, struct rspro_client_slot to,
				   struct rspro_tpdu_flags flags, const uint8_t *data, size_t len)
{
	return build_tpdu(m, RSPRO_MSG_TPDU_CARD_TO_MODEM, to, from, flags, data, len);
}

void rspro_build_client_slot_status_ind(struct rspro_msg *m, struct rspro_client_slot from,
					struct rspro_bank_slot to, struct rspro_phys_status st)
{
	init(m, RSPRO_MSG_CLIENT_SLOT_STATUS_IND);
	m->u.slot_status.client = from;
	m->u.slot_status.bank = to;
	m->u.slot_status.status = st;
}

void rspro_build_bank_slot_status_ind(struct rspro_msg *m, struct rspro_bank_slot from,
				      struct rspro_client_slot to, struct rspro_phys_status st)
{
	init(m, RSPRO_MSG_BANK_SLOT_STATUS_IND);
	m->u.slot_status.bank = from;
	m->u.slot_status.client = to;
	m->u.slot_status.status = st;
}

void rspro_build_error_ind(struct rspro_msg *m, long sender, long severity, long code,
			   const struct rspro_bank_slot *bank, const struct rspro_client_slot *client,
			   const char *text)
{
	init(m, RSPRO_MSG_ERROR_IND);
	m->u.error_ind.sender = sender;
	m->u.error_ind.severity = severity;
	m->u.error_ind.code = code;
	if (bank) {
		m->u.error_ind.has_bank_slot = true;
		m->u.error_ind.bank_slot = *bank;
	}
	if (client) {
		m->u.error_ind.has_client_slot = true;
		m->u.error_ind.client_slot = *client;
	}
	if (text) {
		m->u.error_ind.has_error_string = true;
		copy_str(m->u.error_ind.error_string, text);
	}
}

void rspro_build_reset_state_req(struct rspro_msg *m)
{
	init(m, RSPRO_MSG_RESET_STATE_REQ);
}

void rspro_build_reset_state_res(struct rspro_msg *m, long result)
{
	build_res(m, RSPRO_MSG_RESET_STATE_RES, result);
}

int rspro_parse_slot_pair(const char *s, long *a, long *b)
{
	char *end;
	if (!s)
		return -1;
	if (*s == 'C' || *s == 'c' || *s == 'B' || *s == 'b')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	long x = strtol(s, &end, 10);
	if (*end != ':' || end[1] < '0' || end[1] > '9')
		return -1;
	long y = strtol(end + 1, &end, 10);
	if (*end != '\0' || x > 1000000 || y > 1000000)
		return -1;
	*a = x;
	*b = y;
	return 0;
}
