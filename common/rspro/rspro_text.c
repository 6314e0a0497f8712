/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rspro_text.c: names of RSPRO messages and enumerations, and the one-line
 * texts that logs and rspro-dump print for a message. */
#include "rspro.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const msg_names[RSPRO_MSG_COUNT] = {
	"connectBankReq", "connectBankRes", "connectClientReq", "connectClientRes",
	"createMappingReq", "createMappingRes", "removeMappingReq", "removeMappingRes",
	"configClientIdReq", "configClientIdRes", "setAtrReq", "setAtrRes",
	"tpduModemToCard", "tpduCardToModem", "clientSlotStatusInd", "bankSlotStatusInd",
	"errorInd", "configClientBankReq", "configClientBankRes", "resetStateReq", "resetStateRes",
};

const char *rspro_msg_name(enum rspro_msg_type type)
{
	if ((int)type < 0 || type >= RSPRO_MSG_COUNT)
		return "unknown";
	return msg_names[type];
}

enum rspro_msg_type rspro_msg_type_by_name(const char *name)
{
	for (int i = 0; name && i < RSPRO_MSG_COUNT; i++)
		if (strcmp(name, msg_names[i]) == 0)
			return (enum rspro_msg_type)i;
	return RSPRO_MSG_UNKNOWN;
}

const char *rspro_result_name(long result)
{
	static const struct { long v; const char *n; } t[] = {
		{ 0, "ok" }, { 1, "illegalClientId" }, { 2, "illegalBankId" }, { 3, "illegalSlotId" },
		{ 4, "unsupportedProtocolVersion" }, { 5, "unknownSlotmap" }, { 6, "identityInUse" },
		{ 100, "cardNotPresent" }, { 101, "cardUnresponsive" }, { 102, "cardTransmissionError" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].v == result)
			return t[i].n;
	return NULL;
}

const char *rspro_comp_type_name(long type)
{
	static const char *const n[] = { "remsimClient", "remsimServer", "remsimBankd" };
	return type >= 0 && type <= 2 ? n[type] : NULL;
}

static const char *severity_name(long v)
{
	static const char *const n[] = { "minor", "major", "fatal" };
	return v >= 1 && v <= 3 ? n[v - 1] : NULL;
}

static const char *error_code_name(long v)
{
	static const char *const n[] = { "unknownClientConnected", "unexpectedDisconnect",
					 "unexpectedProtocolVersion" };
	return v >= 1 && v <= 3 ? n[v - 1] : NULL;
}

const char *rspro_strerror(int err)
{
	switch (err) {
	case RSPRO_OK: return "ok";
	case RSPRO_ERR_TRUNCATED: return "truncated PDU";
	case RSPRO_ERR_MALFORMED: return "malformed PDU";
	case RSPRO_ERR_TOO_DEEP: return "nesting too deep";
	case RSPRO_ERR_TOO_LONG: return "field too long";
	case RSPRO_ERR_BAD_VALUE: return "unrepresentable value";
	case RSPRO_ERR_NOSPACE: return "buffer too small";
	case RSPRO_ERR_EMPTY: return "empty PDU";
	case RSPRO_ERR_INVALID: return "invalid message";
	default: return "unknown error";
	}
}

/* --- a small appender that never overflows ------------------------------- */
struct out { char *buf; size_t len, pos; };

__attribute__((format(printf, 2, 3)))
static void put(struct out *o, const char *fmt, ...)
{
	if (o->pos >= o->len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->pos += (size_t)n;
	if (o->pos >= o->len)
		o->pos = o->len - 1;
}

static void put_hex(struct out *o, const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(o, "%02x", d[i]);
}

static void put_enum(struct out *o, const char *name, long v)
{
	if (name)
		put(o, "%s", name);
	else
		put(o, "%ld", v);
}

static void put_ip(struct out *o, const struct rspro_ipport *ip)
{
	if (ip->is_ipv6) {
		put(o, "[");
		for (int i = 0; i < 16; i += 2)
			put(o, "%s%x", i ? ":" : "", (ip->addr[i] << 8) | ip->addr[i + 1]);
		put(o, "]:%ld", ip->port);
	} else {
		put(o, "%u.%u.%u.%u:%ld", ip->addr[0], ip->addr[1], ip->addr[2], ip->addr[3], ip->port);
	}
}

static void put_phys(struct out *o, const struct rspro_phys_status *st)
{
	put(o, "rst=%d", st->reset_active ? 1 : 0);
	if (st->vcc_present >= 0)
		put(o, " vcc=%d", st->vcc_present);
	if (st->clk_active >= 0)
		put(o, " clk=%d", st->clk_active);
	if (st->card_present >= 0)
		put(o, " card=%d", st->card_present);
}

static void put_flags(struct out *o, const struct rspro_tpdu_flags *f)
{
	put(o, "flags=%s%s%s%s", f->tpdu_header_present ? "H" : "-", f->final_part ? "F" : "-",
	    f->proc_byte_continue_tx ? "T" : "-", f->proc_byte_continue_rx ? "R" : "-");
}

char *rspro_summary(const struct rspro_msg *m, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	if (len == 0)
		return buf;
	buf[0] = '\0';
	put(&o, "%s", rspro_msg_name(m->type));
	switch (m->type) {
	case RSPRO_MSG_CONNECT_BANK_REQ: {
		const struct rspro_ident *id = &m->u.connect_bank_req.identity;
		put(&o, " B%ld slots=%ld \"%s\" %s", m->u.connect_bank_req.bank_id,
		    m->u.connect_bank_req.num_slots, id->software, id->sw_version);
		break;
	}
	case RSPRO_MSG_CONNECT_BANK_RES:
	case RSPRO_MSG_CONNECT_CLIENT_RES:
		put(&o, " ");
		put_enum(&o, rspro_result_name(m->u.connect_res.result), m->u.connect_res.result);
		put(&o, " \"%s\" %s", m->u.connect_res.identity.software, m->u.connect_res.identity.sw_version);
		break;
	case RSPRO_MSG_CONNECT_CLIENT_REQ: {
		const struct rspro_ident *id = &m->u.connect_client_req.identity;
		if (m->u.connect_client_req.has_client_slot)
			put(&o, " C%ld:%ld", m->u.connect_client_req.client_slot.client_id,
			    m->u.connect_client_req.client_slot.slot_nr);
		else
			put(&o, " (no clientSlot)");
		put(&o, " \"%s\" %s", id->software, id->sw_version);
		break;
	}
	case RSPRO_MSG_CREATE_MAPPING_REQ:
	case RSPRO_MSG_REMOVE_MAPPING_REQ:
		put(&o, " C%ld:%ld B%ld:%ld", m->u.mapping.client.client_id, m->u.mapping.client.slot_nr,
		    m->u.mapping.bank.bank_id, m->u.mapping.bank.slot_nr);
		break;
	case RSPRO_MSG_CREATE_MAPPING_RES:
	case RSPRO_MSG_REMOVE_MAPPING_RES:
	case RSPRO_MSG_CONFIG_CLIENT_ID_RES:
	case RSPRO_MSG_SET_ATR_RES:
	case RSPRO_MSG_CONFIG_CLIENT_BANK_RES:
	case RSPRO_MSG_RESET_STATE_RES:
		put(&o, " ");
		put_enum(&o, rspro_result_name(m->u.res.result), m->u.res.result);
		break;
	case RSPRO_MSG_CONFIG_CLIENT_ID_REQ:
		put(&o, " C%ld:%ld", m->u.config_client_id_req.client_slot.client_id,
		    m->u.config_client_id_req.client_slot.slot_nr);
		break;
	case RSPRO_MSG_CONFIG_CLIENT_BANK_REQ:
		put(&o, " B%ld:%ld ", m->u.config_client_bank_req.bank_slot.bank_id,
		    m->u.config_client_bank_req.bank_slot.slot_nr);
		put_ip(&o, &m->u.config_client_bank_req.bankd);
		break;
	case RSPRO_MSG_SET_ATR_REQ:
		put(&o, " C%ld:%ld ", m->u.set_atr_req.slot.client_id, m->u.set_atr_req.slot.slot_nr);
		put_hex(&o, m->u.set_atr_req.atr, m->u.set_atr_req.atr_len);
		break;
	case RSPRO_MSG_TPDU_MODEM_TO_CARD:
	case RSPRO_MSG_TPDU_CARD_TO_MODEM:
		if (m->type == RSPRO_MSG_TPDU_MODEM_TO_CARD)
			put(&o, " C%ld:%ld->B%ld:%ld ", m->u.tpdu.client.client_id, m->u.tpdu.client.slot_nr,
			    m->u.tpdu.bank.bank_id, m->u.tpdu.bank.slot_nr);
		else
			put(&o, " B%ld:%ld->C%ld:%ld ", m->u.tpdu.bank.bank_id, m->u.tpdu.bank.slot_nr,
			    m->u.tpdu.client.client_id, m->u.tpdu.client.slot_nr);
		put_hex(&o, m->u.tpdu.data, m->u.tpdu.len);
		break;
	case RSPRO_MSG_CLIENT_SLOT_STATUS_IND:
	case RSPRO_MSG_BANK_SLOT_STATUS_IND:
		if (m->type == RSPRO_MSG_CLIENT_SLOT_STATUS_IND)
			put(&o, " C%ld:%ld->B%ld:%ld ", m->u.slot_status.client.client_id,
			    m->u.slot_status.client.slot_nr, m->u.slot_status.bank.bank_id,
			    m->u.slot_status.bank.slot_nr);
		else
			put(&o, " B%ld:%ld->C%ld:%ld ", m->u.slot_status.bank.bank_id, m->u.slot_status.bank.slot_nr,
			    m->u.slot_status.client.client_id, m->u.slot_status.client.slot_nr);
		put_phys(&o, &m->u.slot_status.status);
		break;
	case RSPRO_MSG_ERROR_IND:
		put(&o, " ");
		put_enum(&o, error_code_name(m->u.error_ind.code), m->u.error_ind.code);
		if (m->u.error_ind.has_error_string)
			put(&o, " \"%s\"", m->u.error_ind.error_string);
		break;
	default:
		break;
	}
	return buf;
}

static void put_ident(struct out *o, const char *field, const struct rspro_ident *id)
{
	static const char *const opt_names[5] = { "hwManufacturer", "hwModel", "hwSerialNr", "hwVersion", "fwVersion" };
	const char *opt[5] = { id->hw_manufacturer, id->hw_model, id->hw_serial_nr, id->hw_version, id->fw_version };
	put(o, " %s={type=", field);
	put_enum(o, rspro_comp_type_name(id->type), id->type);
	put(o, " name=\"%s\" software=\"%s\" swVersion=\"%s\"", id->name, id->software, id->sw_version);
	for (int i = 0; i < 5; i++)
		if (opt[i][0])
			put(o, " %s=\"%s\"", opt_names[i], opt[i]);
	put(o, "}");
}

static void put_result(struct out *o, long r)
{
	put(o, " result=");
	put_enum(o, rspro_result_name(r), r);
}

char *rspro_format(const struct rspro_msg *m, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	if (len == 0)
		return buf;
	buf[0] = '\0';
	put(&o, "%s version=%ld tag=%ld", rspro_msg_name(m->type), m->version, m->tag);
	switch (m->type) {
	case RSPRO_MSG_CONNECT_BANK_REQ:
		put_ident(&o, "identity", &m->u.connect_bank_req.identity);
		put(&o, " bankId=%ld numberOfSlots=%ld", m->u.connect_bank_req.bank_id, m->u.connect_bank_req.num_slots);
		break;
	case RSPRO_MSG_CONNECT_BANK_RES:
	case RSPRO_MSG_CONNECT_CLIENT_RES:
		put_ident(&o, "identity", &m->u.connect_res.identity);
		put_result(&o, m->u.connect_res.result);
		break;
	case RSPRO_MSG_CONNECT_CLIENT_REQ:
		put_ident(&o, "identity", &m->u.connect_client_req.identity);
		if (m->u.connect_client_req.has_client_slot)
			put(&o, " clientSlot=C%ld:%ld", m->u.connect_client_req.client_slot.client_id,
			    m->u.connect_client_req.client_slot.slot_nr);
		break;
	case RSPRO_MSG_CREATE_MAPPING_REQ:
	case RSPRO_MSG_REMOVE_MAPPING_REQ:
		put(&o, " client=C%ld:%ld bank=B%ld:%ld", m->u.mapping.client.client_id, m->u.mapping.client.slot_nr,
		    m->u.mapping.bank.bank_id, m->u.mapping.bank.slot_nr);
		break;
	case RSPRO_MSG_CREATE_MAPPING_RES:
	case RSPRO_MSG_REMOVE_MAPPING_RES:
	case RSPRO_MSG_CONFIG_CLIENT_ID_RES:
	case RSPRO_MSG_SET_ATR_RES:
	case RSPRO_MSG_CONFIG_CLIENT_BANK_RES:
	case RSPRO_MSG_RESET_STATE_RES:
		put_result(&o, m->u.res.result);
		break;
	case RSPRO_MSG_CONFIG_CLIENT_ID_REQ:
		put(&o, " clientSlot=C%ld:%ld", m->u.config_client_id_req.client_slot.client_id,
		    m->u.config_client_id_req.client_slot.slot_nr);
		break;
	case RSPRO_MSG_CONFIG_CLIENT_BANK_REQ:
		put(&o, " bankSlot=B%ld:%ld bankd=", m->u.config_client_bank_req.bank_slot.bank_id,
		    m->u.config_client_bank_req.bank_slot.slot_nr);
		put_ip(&o, &m->u.config_client_bank_req.bankd);
		break;
	case RSPRO_MSG_SET_ATR_REQ:
		put(&o, " slot=C%ld:%ld atr=", m->u.set_atr_req.slot.client_id, m->u.set_atr_req.slot.slot_nr);
		put_hex(&o, m->u.set_atr_req.atr, m->u.set_atr_req.atr_len);
		break;
	case RSPRO_MSG_TPDU_MODEM_TO_CARD:
		put(&o, " fromClientSlot=C%ld:%ld toBankSlot=B%ld:%ld ", m->u.tpdu.client.client_id,
		    m->u.tpdu.client.slot_nr, m->u.tpdu.bank.bank_id, m->u.tpdu.bank.slot_nr);
		put_flags(&o, &m->u.tpdu.flags);
		put(&o, " data=");
		put_hex(&o, m->u.tpdu.data, m->u.tpdu.len);
		break;
	case RSPRO_MSG_TPDU_CARD_TO_MODEM:
		put(&o, " fromBankSlot=B%ld:%ld toClientSlot=C%ld:%ld ", m->u.tpdu.bank.bank_id,
		    m->u.tpdu.bank.slot_nr, m->u.tpdu.client.client_id, m->u.tpdu.client.slot_nr);
		put_flags(&o, &m->u.tpdu.flags);
		put(&o, " data=");
		put_hex(&o, m->u.tpdu.data, m->u.tpdu.len);
		break;
	case RSPRO_MSG_CLIENT_SLOT_STATUS_IND:
		put(&o, " fromClientSlot=C%ld:%ld toBankSlot=B%ld:%ld ", m->u.slot_status.client.client_id,
		    m->u.slot_status.client.slot_nr, m->u.slot_status.bank.bank_id, m->u.slot_status.bank.slot_nr);
		put_phys(&o, &m->u.slot_status.status);
		break;
	case RSPRO_MSG_BANK_SLOT_STATUS_IND:
		put(&o, " fromBankSlot=B%ld:%ld toClientSlot=C%ld:%ld ", m->u.slot_status.bank.bank_id,
		    m->u.slot_status.bank.slot_nr, m->u.slot_status.client.client_id, m->u.slot_status.client.slot_nr);
		put_phys(&o, &m->u.slot_status.status);
		break;
	case RSPRO_MSG_ERROR_IND:
		put(&o, " sender=");
		put_enum(&o, rspro_comp_type_name(m->u.error_ind.sender), m->u.error_ind.sender);
		put(&o, " severity=");
		put_enum(&o, severity_name(m->u.error_ind.severity), m->u.error_ind.severity);
		put(&o, " code=");
		put_enum(&o, error_code_name(m->u.error_ind.code), m->u.error_ind.code);
		if (m->u.error_ind.has_bank_slot)
			put(&o, " bankSlot=B%ld:%ld", m->u.error_ind.bank_slot.bank_id, m->u.error_ind.bank_slot.slot_nr);
		if (m->u.error_ind.has_client_slot)
			put(&o, " clientSlot=C%ld:%ld", m->u.error_ind.client_slot.client_id,
			    m->u.error_ind.client_slot.slot_nr);
		if (m->u.error_ind.has_error_string)
			put(&o, " errorString=\"%s\"", m->u.error_ind.error_string);
		break;
	default:
		break;
	}
	return buf;
}
