/* SPDX-License-Identifier: GPL-2.0-or-later */
/* spec.c: build an RSPRO message from "MSGNAME key=value ..." (see spec.h). */
#include "spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "hexstr.h"

struct fields {
	long version, tag, bank_id, slots, result, port, sender, severity, code;
	int has_tag, has_client, has_bank, has_ident_type, has_text;
	struct rspro_ident id;
	struct rspro_client_slot client;
	struct rspro_bank_slot bank;
	uint8_t ip[4];
	uint8_t data[RSPRO_DATA_MAX];
	size_t data_len;
	struct rspro_tpdu_flags flags;
	struct rspro_phys_status st;
	char text[RSPRO_STR_MAX + 1];
};

static long result_value(const char *v)
{
	for (long r = 0; r < 200; r++) {
		const char *n = rspro_result_name(r);
		if (n && strcmp(n, v) == 0)
			return r;
	}
	return strtol(v, NULL, 0);
}

static long comp_type(const char *v)
{
	if (strcmp(v, "client") == 0 || strcmp(v, "remsimClient") == 0)
		return RSPRO_COMP_CLIENT;
	if (strcmp(v, "server") == 0 || strcmp(v, "remsimServer") == 0)
		return RSPRO_COMP_SERVER;
	if (strcmp(v, "bankd") == 0 || strcmp(v, "remsimBankd") == 0)
		return RSPRO_COMP_BANKD;
	return strtol(v, NULL, 0);
}

static int set_field(struct fields *f, const char *k, const char *v, char *err, size_t errlen)
{
	struct { const char *key; char *dst; } strs[] = {
		{ "name", f->id.name }, { "software", f->id.software }, { "swversion", f->id.sw_version },
		{ "hwmanufacturer", f->id.hw_manufacturer }, { "hwmodel", f->id.hw_model },
		{ "hwserial", f->id.hw_serial_nr }, { "hwversion", f->id.hw_version },
		{ "fwversion", f->id.fw_version },
	};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		if (strcmp(k, strs[i].key) == 0) {
			snprintf(strs[i].dst, RSPRO_STR_MAX + 1, "%s", v);
			return 0;
		}
	}
	if (!strcmp(k, "version")) f->version = strtol(v, NULL, 0);
	else if (!strcmp(k, "tag")) { f->tag = strtol(v, NULL, 0); f->has_tag = 1; }
	else if (!strcmp(k, "type")) { f->id.type = comp_type(v); f->has_ident_type = 1; }
	else if (!strcmp(k, "bankid")) f->bank_id = strtol(v, NULL, 0);
	else if (!strcmp(k, "slots")) f->slots = strtol(v, NULL, 0);
	else if (!strcmp(k, "result")) f->result = result_value(v);
	else if (!strcmp(k, "port")) f->port = strtol(v, NULL, 0);
	else if (!strcmp(k, "sender")) f->sender = comp_type(v);
	else if (!strcmp(k, "severity")) f->severity = strtol(v, NULL, 0);
	else if (!strcmp(k, "code")) f->code = strtol(v, NULL, 0);
	else if (!strcmp(k, "text")) { snprintf(f->text, sizeof(f->text), "%s", v); f->has_text = 1; }
	else if (!strcmp(k, "client")) {
		if (rspro_parse_slot_pair(v, &f->client.client_id, &f->client.slot_nr) < 0)
			goto bad;
		f->has_client = 1;
	} else if (!strcmp(k, "bank")) {
		if (rspro_parse_slot_pair(v, &f->bank.bank_id, &f->bank.slot_nr) < 0)
			goto bad;
		f->has_bank = 1;
	} else if (!strcmp(k, "ip")) {
		if (inet_pton(AF_INET, v, f->ip) != 1)
			goto bad;
	} else if (!strcmp(k, "data") || !strcmp(k, "atr")) {
		int n = hex_parse(v, f->data, sizeof(f->data));
		if (n < 0)
			goto bad;
		f->data_len = (size_t)n;
	} else if (!strcmp(k, "rst")) f->st.reset_active = atoi(v) != 0;
	else if (!strcmp(k, "vcc")) f->st.vcc_present = (int8_t)atoi(v);
	else if (!strcmp(k, "clk")) f->st.clk_active = (int8_t)atoi(v);
	else if (!strcmp(k, "card")) f->st.card_present = (int8_t)atoi(v);
	else if (!strcmp(k, "flags")) {
		f->flags.tpdu_header_present = strchr(v, 'H') != NULL;
		f->flags.final_part = strchr(v, 'F') != NULL;
		f->flags.proc_byte_continue_tx = strchr(v, 'T') != NULL;
		f->flags.proc_byte_continue_rx = strchr(v, 'R') != NULL;
	} else {
		snprintf(err, errlen, "unknown key '%s'", k);
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "bad value for %s: '%s'", k, v);
	return -1;
}

static void default_ident(struct fields *f, enum rspro_comp_type t, const char *sw)
{
	if (!f->has_ident_type)
		f->id.type = t;
	if (!f->id.name[0])
		snprintf(f->id.name, sizeof(f->id.name), "test-peer");
	if (!f->id.software[0])
		snprintf(f->id.software, sizeof(f->id.software), "%s", sw);
	if (!f->id.sw_version[0])
		snprintf(f->id.sw_version, sizeof(f->id.sw_version), "1.0.0");
}

int spec_build(const char *text, struct rspro_msg *m, char *err, size_t errlen)
{
	static struct fields f;
	char buf[4096], *save = NULL;
	memset(&f, 0, sizeof(f));
	f.version = RSPRO_VERSION;
	f.bank_id = 1;
	f.slots = 1;
	f.st.vcc_present = f.st.clk_active = f.st.card_present = -1;
	f.severity = RSPRO_SEV_MINOR;
	f.code = RSPRO_ERRC_UNEXPECTED_DISCONNECT;
	snprintf(buf, sizeof(buf), "%s", text);

	char *name = strtok_r(buf, " \t", &save);
	if (!name) {
		snprintf(err, errlen, "empty message spec");
		return -1;
	}
	enum rspro_msg_type t = rspro_msg_type_by_name(name);
	if (t == RSPRO_MSG_UNKNOWN) {
		snprintf(err, errlen, "unknown message '%s'", name);
		return -1;
	}
	for (char *kv; (kv = strtok_r(NULL, " \t", &save));) {
		char *eq = strchr(kv, '=');
		if (!eq) {
			snprintf(err, errlen, "expected key=value, got '%s'", kv);
			return -1;
		}
		*eq = '\0';
		if (set_field(&f, kv, eq + 1, err, errlen) < 0)
			return -1;
	}

	switch (t) {
	case RSPRO_MSG_CONNECT_BANK_REQ:
		default_ident(&f, RSPRO_COMP_BANKD, "remsim-bankd");
		rspro_build_connect_bank_req(m, &f.id, f.bank_id, f.slots);
		break;
	case RSPRO_MSG_CONNECT_BANK_RES:
		default_ident(&f, RSPRO_COMP_SERVER, "remsim-server");
		rspro_build_connect_bank_res(m, &f.id, f.result);
		break;
	case RSPRO_MSG_CONNECT_CLIENT_REQ:
		default_ident(&f, RSPRO_COMP_CLIENT, "remsim-client");
		rspro_build_connect_client_req(m, &f.id, f.has_client ? &f.client : NULL);
		break;
	case RSPRO_MSG_CONNECT_CLIENT_RES:
		default_ident(&f, RSPRO_COMP_SERVER, "remsim-server");
		rspro_build_connect_client_res(m, &f.id, f.result);
		break;
	case RSPRO_MSG_CREATE_MAPPING_REQ: rspro_build_create_mapping_req(m, f.client, f.bank); break;
	case RSPRO_MSG_REMOVE_MAPPING_REQ: rspro_build_remove_mapping_req(m, f.client, f.bank); break;
	case RSPRO_MSG_CONFIG_CLIENT_ID_REQ: rspro_build_config_client_id_req(m, f.client); break;
	case RSPRO_MSG_CONFIG_CLIENT_BANK_REQ: rspro_build_config_client_bank_req(m, f.bank, f.ip, f.port); break;
	case RSPRO_MSG_SET_ATR_REQ: rspro_build_set_atr_req(m, f.client, f.data, f.data_len); break;
	case RSPRO_MSG_TPDU_MODEM_TO_CARD:
		rspro_build_tpdu_modem_to_card(m, f.client, f.bank, f.flags, f.data, f.data_len);
		break;
	case RSPRO_MSG_TPDU_CARD_TO_MODEM:
		rspro_build_tpdu_card_to_modem(m, f.bank, f.client, f.flags, f.data, f.data_len);
		break;
	case RSPRO_MSG_CLIENT_SLOT_STATUS_IND: rspro_build_client_slot_status_ind(m, f.client, f.bank, f.st); break;
	case RSPRO_MSG_BANK_SLOT_STATUS_IND: rspro_build_bank_slot_status_ind(m, f.bank, f.client, f.st); break;
	case RSPRO_MSG_ERROR_IND:
		rspro_build_error_ind(m, f.sender, f.severity, f.code, f.has_bank ? &f.bank : NULL,
				      f.has_client ? &f.client : NULL, f.has_text ? f.text : NULL);
		break;
	case RSPRO_MSG_RESET_STATE_REQ: rspro_build_reset_state_req(m); break;
	default:
		/* every *Res that only carries a result */
		memset(m, 0, sizeof(*m));
		m->type = t;
		m->u.res.result = f.result;
		break;
	}
	m->version = f.version;
	if (f.has_tag)
		m->tag = f.tag;
	return 0;
}
