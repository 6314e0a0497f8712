/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rspro_codec.c: struct rspro_msg <-> asn1c's RsproPDU_t, DER encode and
 * stack-limited BER decode (see rspro.h).
 *
 * Encoding builds the asn1c structure on the stack, pointing into the caller's
 * struct rspro_msg, so nothing is allocated per message.  Decoding lets asn1c
 * allocate, copies the values out and frees the asn1c structure. */
#include "rspro.h"

#include <stdio.h>
#include <string.h>

#include "RsproPDU.h"
#include "der_encoder.h"
#include "ber_decoder.h"

/* asn1c measures stack use between nested decoder calls; 30 KiB bounds the
 * depth of nested unknown extensions to far beyond anything legitimate. */
#define RSPRO_DECODE_STACK_MAX	(30 * 1024)

/* ---------------------------------------------------------------- encode -- */

/* Scratch storage for the pieces an asn1c structure points at. */
struct enc_scratch {
	ComponentName_t opt[5];
	ClientSlot_t cslot;
	BankSlot_t bslot;
	BOOLEAN_t b[3];
	ErrorString_t errstr;
};

static void set_str(OCTET_STRING_t *os, const char *s)
{
	os->buf = (uint8_t *)(uintptr_t)s;
	os->size = (int)strlen(s);
}

static void set_ident(ComponentIdentity_t *ci, const struct rspro_ident *id, struct enc_scratch *sc)
{
	ComponentName_t **opt_ptrs[5] = { &ci->hwManufacturer, &ci->hwModel, &ci->hwSerialNr,
					   &ci->hwVersion, &ci->fwVersion };
	const char *opt_vals[5] = { id->hw_manufacturer, id->hw_model, id->hw_serial_nr,
				    id->hw_version, id->fw_version };
	ci->type = id->type;
	set_str(&ci->name, id->name);
	set_str(&ci->software, id->software);
	set_str(&ci->swVersion, id->sw_version);
	for (int i = 0; i < 5; i++) {
		if (opt_vals[i][0]) {
			set_str(&sc->opt[i], opt_vals[i]);
			*opt_ptrs[i] = &sc->opt[i];
		}
	}
}

static void set_cslot(ClientSlot_t *cs, struct rspro_client_slot s)
{
	cs->clientId = s.client_id;
	cs->slotNr = s.slot_nr;
}

static void set_bslot(BankSlot_t *bs, struct rspro_bank_slot s)
{
	bs->bankId = s.bank_id;
	bs->slotNr = s.slot_nr;
}

static void set_flags(TpduFlags_t *f, struct rspro_tpdu_flags fl)
{
	f->tpduHeaderPresent = fl.tpdu_header_present;
	f->finalPart = fl.final_part;
	f->procByteContinueTx = fl.proc_byte_continue_tx;
	f->procByteContinueRx = fl.proc_byte_continue_rx;
}

static void set_phys(SlotPhysStatus_t *p, struct rspro_phys_status st, struct enc_scratch *sc)
{
	BOOLEAN_t **ptrs[3] = { &p->vccPresent, &p->clkActive, &p->cardPresent };
	int8_t vals[3] = { st.vcc_present, st.clk_active, st.card_present };
	p->resetActive = st.reset_active;
	for (int i = 0; i < 3; i++) {
		if (vals[i] >= 0) {
			sc->b[i] = vals[i] ? 1 : 0;
			*ptrs[i] = &sc->b[i];
		}
	}
}

static int fill_pdu(RsproPDU_t *pdu, const struct rspro_msg *m, struct enc_scratch *sc)
{
	RsproPDUchoice_t *c = &pdu->msg;
	memset(pdu, 0, sizeof(*pdu));
	pdu->version = m->version;
	pdu->tag = m->tag;
	if (m->type < 0 || m->type >= RSPRO_MSG_COUNT)
		return RSPRO_ERR_INVALID;
	/* asn1c numbers the alternatives from 1 in declaration order */
	c->present = (RsproPDUchoice_PR)(m->type + 1);

	switch (m->type) {
	case RSPRO_MSG_CONNECT_BANK_REQ:
		set_ident(&c->choice.connectBankReq.identity, &m->u.connect_bank_req.identity, sc);
		c->choice.connectBankReq.bankId = m->u.connect_bank_req.bank_id;
		c->choice.connectBankReq.numberOfSlots = m->u.connect_bank_req.num_slots;
		break;
	case RSPRO_MSG_CONNECT_BANK_RES:
		set_ident(&c->choice.connectBankRes.identity, &m->u.connect_res.identity, sc);
		c->choice.connectBankRes.result = m->u.connect_res.result;
		break;
	case RSPRO_MSG_CONNECT_CLIENT_REQ:
		set_ident(&c->choice.connectClientReq.identity, &m->u.connect_client_req.identity, sc);
		if (m->u.connect_client_req.has_client_slot) {
			set_cslot(&sc->cslot, m->u.connect_client_req.client_slot);
			c->choice.connectClientReq.clientSlot = &sc->cslot;
		}
		break;
	case RSPRO_MSG_CONNECT_CLIENT_RES:
		set_ident(&c->choice.connectClientRes.identity, &m->u.connect_res.identity, sc);
		c->choice.connectClientRes.result = m->u.connect_res.result;
		break;
	case RSPRO_MSG_CREATE_MAPPING_REQ:
		set_cslot(&c->choice.createMappingReq.client, m->u.mapping.client);
		set_bslot(&c->choice.createMappingReq.bank, m->u.mapping.bank);
		break;
	case RSPRO_MSG_REMOVE_MAPPING_REQ:
		set_cslot(&c->choice.removeMappingReq.client, m->u.mapping.client);
		set_bslot(&c->choice.removeMappingReq.bank, m->u.mapping.bank);
		break;
	case RSPRO_MSG_CREATE_MAPPING_RES:
		c->choice.createMappingRes.result = m->u.res.result;
		break;
	case RSPRO_MSG_REMOVE_MAPPING_RES:
		c->choice.removeMappingRes.result = m->u.res.result;
		break;
	case RSPRO_MSG_CONFIG_CLIENT_ID_REQ:
		set_cslot(&c->choice.configClientIdReq.clientSlot, m->u.config_client_id_req.client_slot);
		break;
	case RSPRO_MSG_CONFIG_CLIENT_ID_RES:
		c->choice.configClientIdRes.result = m->u.res.result;
		break;
	case RSPRO_MSG_SET_ATR_REQ:
		if (m->u.set_atr_req.atr_len > RSPRO_DATA_MAX)
			return RSPRO_ERR_TOO_LONG;
		set_cslot(&c->choice.setAtrReq.slot, m->u.set_atr_req.slot);
		c->choice.setAtrReq.atr.buf = (uint8_t *)(uintptr_t)m->u.set_atr_req.atr;
		c->choice.setAtrReq.atr.size = (int)m->u.set_atr_req.atr_len;
		break;
	case RSPRO_MSG_SET_ATR_RES:
		c->choice.setAtrRes.result = m->u.res.result;
		break;
	case RSPRO_MSG_TPDU_MODEM_TO_CARD: {
		TpduModemToCard_t *t = &c->choice.tpduModemToCard;
		if (m->u.tpdu.len > RSPRO_DATA_MAX)
			return RSPRO_ERR_TOO_LONG;
		set_cslot(&t->fromClientSlot, m->u.tpdu.client);
		set_bslot(&t->toBankSlot, m->u.tpdu.bank);
		set_flags(&t->flags, m->u.tpdu.flags);
		t->data.buf = (uint8_t *)(uintptr_t)m->u.tpdu.data;
		t->data.size = (int)m->u.tpdu.len;
		break;
	}
	case RSPRO_MSG_TPDU_CARD_TO_MODEM: {
		TpduCardToModem_t *t = &c->choice.tpduCardToModem;
		if (m->u.tpdu.len > RSPRO_DATA_MAX)
			return RSPRO_ERR_TOO_LONG;
		set_bslot(&t->fromBankSlot, m->u.tpdu.bank);
		set_cslot(&t->toClientSlot, m->u.tpdu.client);
		set_flags(&t->flags, m->u.tpdu.flags);
		t->data.buf = (uint8_t *)(uintptr_t)m->u.tpdu.data;
		t->data.size = (int)m->u.tpdu.len;
		break;
	}
	case RSPRO_MSG_CLIENT_SLOT_STATUS_IND: {
		ClientSlotStatusInd_t *s = &c->choice.clientSlotStatusInd;
		set_cslot(&s->fromClientSlot, m->u.slot_status.client);
		set_bslot(&s->toBankSlot, m->u.slot_status.bank);
		set_phys(&s->slotPhysStatus, m->u.slot_status.status, sc);
		break;
	}
	case RSPRO_MSG_BANK_SLOT_STATUS_IND: {
		BankSlotStatusInd_t *s = &c->choice.bankSlotStatusInd;
		set_bslot(&s->fromBankSlot, m->u.slot_status.bank);
		set_cslot(&s->toClientSlot, m->u.slot_status.client);
		set_phys(&s->slotPhysStatus, m->u.slot_status.status, sc);
		break;
	}
	case RSPRO_MSG_ERROR_IND: {
		ErrorInd_t *e = &c->choice.errorInd;
		e->sender = m->u.error_ind.sender;
		e->severity = m->u.error_ind.severity;
		e->code = m->u.error_ind.code;
		if (m->u.error_ind.has_bank_slot) {
			set_bslot(&sc->bslot, m->u.error_ind.bank_slot);
			e->bankSlot = &sc->bslot;
		}
		if (m->u.error_ind.has_client_slot) {
			set_cslot(&sc->cslot, m->u.error_ind.client_slot);
			e->clientSlot = &sc->cslot;
		}
		if (m->u.error_ind.has_error_string) {
			set_str(&sc->errstr, m->u.error_ind.error_string);
			e->errorString = &sc->errstr;
		}
		break;
	}
	case RSPRO_MSG_CONFIG_CLIENT_BANK_REQ: {
		ConfigClientBankReq_t *r = &c->choice.configClientBankReq;
		const struct rspro_ipport *ip = &m->u.config_client_bank_req.bankd;
		set_bslot(&r->bankSlot, m->u.config_client_bank_req.bank_slot);
		if (ip->is_ipv6) {
			r->bankd.ip.present = IpAddress_PR_ipv6;
			r->bankd.ip.choice.ipv6.buf = (uint8_t *)(uintptr_t)ip->addr;
			r->bankd.ip.choice.ipv6.size = 16;
		} else {
			r->bankd.ip.present = IpAddress_PR_ipv4;
			r->bankd.ip.choice.ipv4.buf = (uint8_t *)(uintptr_t)ip->addr;
			r->bankd.ip.choice.ipv4.size = 4;
		}
		r->bankd.port = ip->port;
		break;
	}
	case RSPRO_MSG_CONFIG_CLIENT_BANK_RES:
		c->choice.configClientBankRes.result = m->u.res.result;
		break;
	case RSPRO_MSG_RESET_STATE_REQ:
		break;
	case RSPRO_MSG_RESET_STATE_RES:
		c->choice.resetStateRes.result = m->u.res.result;
		break;
	default:
		return RSPRO_ERR_INVALID;
	}
	return RSPRO_OK;
}

int rspro_encode(const struct rspro_msg *msg, uint8_t *out, size_t cap)
{
	RsproPDU_t pdu;
	struct enc_scratch sc;
	memset(&sc, 0, sizeof(sc));
	int rc = fill_pdu(&pdu, msg, &sc);
	if (rc < 0)
		return rc;
	asn_enc_rval_t er = der_encode_to_buffer(&asn_DEF_RsproPDU, &pdu, out, cap);
	if (er.encoded < 0)
		return RSPRO_ERR_NOSPACE;
	return (int)er.encoded;
}

/* ---------------------------------------------------------------- decode -- */

/* RSPRO nests at most 6 constructed levels; unknown extensions may add a few.
 * Deeper input is refused before asn1c sees it (asn1c would recurse into it
 * when skipping unknown extensions). */
#define RSPRO_MAX_NESTING	24

/* Outcome of the pre-scan besides a byte count. */
#define SCAN_STOP	(-1000)	/* stop scanning, not our verdict: asn1c judges the rest */
#define SCAN_DEEP	(-1001)
#define SCAN_BAD	(-1002)	/* invalid BER asn1c would loop on; see scan_why */

static const char *scan_why;

/* Length of a BER length field at p (0 if malformed); *val gets the length,
 * SIZE_MAX for the indefinite form. */
static size_t ber_len(const uint8_t *p, size_t avail, size_t *val)
{
	if (avail < 1)
		return 0;
	if (!(p[0] & 0x80)) {
		*val = p[0];
		return 1;
	}
	size_t n = p[0] & 0x7f;
	if (n == 0) {
		*val = SIZE_MAX;
		return 1;
	}
	if (n > 4 || n + 1 > avail)
		return 0;
	size_t v = 0;
	for (size_t i = 1; i <= n; i++)
		v = (v << 8) | p[i];
	*val = v;
	return n + 1;
}

/* Walk the TLVs in p[0..len) before asn1c does, for what asn1c 0.9.28 gets
 * wrong: nesting depth (it recurses without our limit), an identifier octet 00
 * followed by a non-zero octet where an end-of-contents may stand, and a
 * primitive encoding with the indefinite length form (its CHOICE and SEQUENCE
 * decoders then loop forever; both found by fuzzing).  Both are invalid BER.
 * indef: the content of an indefinite-length encoding (ends at 00 00);
 * one: stop after the first TLV.  Returns the octets consumed or SCAN_*. */
static long ber_prescan(const uint8_t *p, size_t len, int depth, bool indef, bool one)
{
	size_t off = 0;
	while (off < len) {
		if (p[off] == 0) {
			if (off + 1 >= len)
				return SCAN_STOP;
			if (p[off + 1] != 0) {
				scan_why = "identifier octet 00 with a non-zero length (broken end-of-contents)";
				return SCAN_BAD;
			}
			if (indef)
				return (long)(off + 2);
			off += 2;			/* stray end-of-contents: asn1c's call */
			continue;
		}
		uint8_t id = p[off++];
		if ((id & 0x1f) == 0x1f) {		/* high tag number form */
			while (off < len && (p[off] & 0x80))
				off++;
			off++;
		}
		size_t val, ll = off < len ? ber_len(p + off, len - off, &val) : 0;
		if (ll == 0)
			return SCAN_STOP;
		off += ll;
		if (id & 0x20) {
			if (depth + 1 > RSPRO_MAX_NESTING)
				return SCAN_DEEP;
			if (val == SIZE_MAX) {
				long r = ber_prescan(p + off, len - off, depth + 1, true, false);
				if (r < 0)
					return r;
				off += (size_t)r;
			} else {
				/* a truncated encoding is still walked as far as it goes:
				 * asn1c reads that far too before it asks for more */
				size_t avail = val <= len - off ? val : len - off;
				long r = ber_prescan(p + off, avail, depth + 1, false, false);
				if (r < 0 && r != SCAN_STOP)
					return r;
				if (val > len - off)
					return SCAN_STOP;
				off += val;
			}
		} else {
			if (val == SIZE_MAX) {
				scan_why = "primitive encoding with the indefinite length form";
				return SCAN_BAD;
			}
			if (val > len - off)
				return SCAN_STOP;
			off += val;
		}
		if (one)
			return (long)off;
	}
	return indef ? SCAN_STOP : (long)off;
}

static int get_str(char *dst, const OCTET_STRING_t *os, const char *what, struct rspro_decode_info *info)
{
	if (os->size < 0 || (size_t)os->size > RSPRO_STR_MAX) {
		snprintf(info->reason, sizeof(info->reason), "%s is %d octets long (we keep at most %d)",
			 what, os->size, RSPRO_STR_MAX);
		return RSPRO_ERR_TOO_LONG;
	}
	if (os->size)
		memcpy(dst, os->buf, (size_t)os->size);
	dst[os->size] = '\0';
	return RSPRO_OK;
}

static int get_bytes(uint8_t *dst, size_t *dlen, const OCTET_STRING_t *os, const char *what,
		     struct rspro_decode_info *info)
{
	if (os->size < 0 || (size_t)os->size > RSPRO_DATA_MAX) {
		snprintf(info->reason, sizeof(info->reason), "%s is %d octets long (we keep at most %d)",
			 what, os->size, RSPRO_DATA_MAX);
		return RSPRO_ERR_TOO_LONG;
	}
	if (os->size)
		memcpy(dst, os->buf, (size_t)os->size);
	*dlen = (size_t)os->size;
	return RSPRO_OK;
}

static int get_ident(struct rspro_ident *id, const ComponentIdentity_t *ci, struct rspro_decode_info *info)
{
	const ComponentName_t *opt[5] = { ci->hwManufacturer, ci->hwModel, ci->hwSerialNr,
					  ci->hwVersion, ci->fwVersion };
	char *dst[5] = { id->hw_manufacturer, id->hw_model, id->hw_serial_nr, id->hw_version, id->fw_version };
	static const char *const names[5] = { "hwManufacturer", "hwModel", "hwSerialNr", "hwVersion", "fwVersion" };
	int rc;
	id->type = ci->type;
	if ((rc = get_str(id->name, &ci->name, "identity name", info)) < 0 ||
	    (rc = get_str(id->software, &ci->software, "identity software", info)) < 0 ||
	    (rc = get_str(id->sw_version, &ci->swVersion, "identity swVersion", info)) < 0)
		return rc;
	for (int i = 0; i < 5; i++)
		if (opt[i] && (rc = get_str(dst[i], opt[i], names[i], info)) < 0)
			return rc;
	return RSPRO_OK;
}

static struct rspro_client_slot get_cslot(const ClientSlot_t *cs)
{
	return (struct rspro_client_slot){ .client_id = cs->clientId, .slot_nr = cs->slotNr };
}

static struct rspro_bank_slot get_bslot(const BankSlot_t *bs)
{
	return (struct rspro_bank_slot){ .bank_id = bs->bankId, .slot_nr = bs->slotNr };
}

static struct rspro_tpdu_flags get_flags(const TpduFlags_t *f)
{
	return (struct rspro_tpdu_flags){
		.tpdu_header_present = f->tpduHeaderPresent != 0,
		.final_part = f->finalPart != 0,
		.proc_byte_continue_tx = f->procByteContinueTx != 0,
		.proc_byte_continue_rx = f->procByteContinueRx != 0,
	};
}

static int8_t get_opt_bool(const BOOLEAN_t *b)
{
	return b ? (*b ? 1 : 0) : -1;
}

static struct rspro_phys_status get_phys(const SlotPhysStatus_t *p)
{
	return (struct rspro_phys_status){
		.reset_active = p->resetActive != 0,
		.vcc_present = get_opt_bool(p->vccPresent),
		.clk_active = get_opt_bool(p->clkActive),
		.card_present = get_opt_bool(p->cardPresent),
	};
}

static int from_pdu(struct rspro_msg *m, const RsproPDU_t *pdu, struct rspro_decode_info *info)
{
	const RsproPDUchoice_t *c = &pdu->msg;
	int rc = RSPRO_OK;

	m->version = pdu->version;
	m->tag = pdu->tag;
	if (c->present <= RsproPDUchoice_PR_NOTHING || (int)c->present > (int)RSPRO_MSG_COUNT) {
		m->type = RSPRO_MSG_UNKNOWN;
		info->unknown_choice = true;
		return RSPRO_OK;
	}
	m->type = (enum rspro_msg_type)(c->present - 1);

	switch (m->type) {
	case RSPRO_MSG_CONNECT_BANK_REQ:
		rc = get_ident(&m->u.connect_bank_req.identity, &c->choice.connectBankReq.identity, info);
		m->u.connect_bank_req.bank_id = c->choice.connectBankReq.bankId;
		m->u.connect_bank_req.num_slots = c->choice.connectBankReq.numberOfSlots;
		break;
	case RSPRO_MSG_CONNECT_BANK_RES:
		rc = get_ident(&m->u.connect_res.identity, &c->choice.connectBankRes.identity, info);
		m->u.connect_res.result = c->choice.connectBankRes.result;
		break;
	case RSPRO_MSG_CONNECT_CLIENT_REQ:
		rc = get_ident(&m->u.connect_client_req.identity, &c->choice.connectClientReq.identity, info);
		if (c->choice.connectClientReq.clientSlot) {
			m->u.connect_client_req.has_client_slot = true;
			m->u.connect_client_req.client_slot = get_cslot(c->choice.connectClientReq.clientSlot);
		}
		break;
	case RSPRO_MSG_CONNECT_CLIENT_RES:
		rc = get_ident(&m->u.connect_res.identity, &c->choice.connectClientRes.identity, info);
		m->u.connect_res.result = c->choice.connectClientRes.result;
		break;
	case RSPRO_MSG_CREATE_MAPPING_REQ:
		m->u.mapping.client = get_cslot(&c->choice.createMappingReq.client);
		m->u.mapping.bank = get_bslot(&c->choice.createMappingReq.bank);
		break;
	case RSPRO_MSG_REMOVE_MAPPING_REQ:
		m->u.mapping.client = get_cslot(&c->choice.removeMappingReq.client);
		m->u.mapping.bank = get_bslot(&c->choice.removeMappingReq.bank);
		break;
	case RSPRO_MSG_CREATE_MAPPING_RES:
		m->u.res.result = c->choice.createMappingRes.result;
		break;
	case RSPRO_MSG_REMOVE_MAPPING_RES:
		m->u.res.result = c->choice.removeMappingRes.result;
		break;
	case RSPRO_MSG_CONFIG_CLIENT_ID_REQ:
		m->u.config_client_id_req.client_slot = get_cslot(&c->choice.configClientIdReq.clientSlot);
		break;
	case RSPRO_MSG_CONFIG_CLIENT_ID_RES:
		m->u.res.result = c->choice.configClientIdRes.result;
		break;
	case RSPRO_MSG_SET_ATR_REQ:
		m->u.set_atr_req.slot = get_cslot(&c->choice.setAtrReq.slot);
		rc = get_bytes(m->u.set_atr_req.atr, &m->u.set_atr_req.atr_len, &c->choice.setAtrReq.atr, "ATR", info);
		break;
	case RSPRO_MSG_SET_ATR_RES:
		m->u.res.result = c->choice.setAtrRes.result;
		break;
	case RSPRO_MSG_TPDU_MODEM_TO_CARD: {
		const TpduModemToCard_t *t = &c->choice.tpduModemToCard;
		m->u.tpdu.client = get_cslot(&t->fromClientSlot);
		m->u.tpdu.bank = get_bslot(&t->toBankSlot);
		m->u.tpdu.flags = get_flags(&t->flags);
		rc = get_bytes(m->u.tpdu.data, &m->u.tpdu.len, &t->data, "TPDU data", info);
		break;
	}
	case RSPRO_MSG_TPDU_CARD_TO_MODEM: {
		const TpduCardToModem_t *t = &c->choice.tpduCardToModem;
		m->u.tpdu.bank = get_bslot(&t->fromBankSlot);
		m->u.tpdu.client = get_cslot(&t->toClientSlot);
		m->u.tpdu.flags = get_flags(&t->flags);
		rc = get_bytes(m->u.tpdu.data, &m->u.tpdu.len, &t->data, "TPDU data", info);
		break;
	}
	case RSPRO_MSG_CLIENT_SLOT_STATUS_IND: {
		const ClientSlotStatusInd_t *s = &c->choice.clientSlotStatusInd;
		m->u.slot_status.client = get_cslot(&s->fromClientSlot);
		m->u.slot_status.bank = get_bslot(&s->toBankSlot);
		m->u.slot_status.status = get_phys(&s->slotPhysStatus);
		break;
	}
	case RSPRO_MSG_BANK_SLOT_STATUS_IND: {
		const BankSlotStatusInd_t *s = &c->choice.bankSlotStatusInd;
		m->u.slot_status.bank = get_bslot(&s->fromBankSlot);
		m->u.slot_status.client = get_cslot(&s->toClientSlot);
		m->u.slot_status.status = get_phys(&s->slotPhysStatus);
		break;
	}
	case RSPRO_MSG_ERROR_IND: {
		const ErrorInd_t *e = &c->choice.errorInd;
		m->u.error_ind.sender = e->sender;
		m->u.error_ind.severity = e->severity;
		m->u.error_ind.code = e->code;
		if (e->bankSlot) {
			m->u.error_ind.has_bank_slot = true;
			m->u.error_ind.bank_slot = get_bslot(e->bankSlot);
		}
		if (e->clientSlot) {
			m->u.error_ind.has_client_slot = true;
			m->u.error_ind.client_slot = get_cslot(e->clientSlot);
		}
		if (e->errorString) {
			m->u.error_ind.has_error_string = true;
			rc = get_str(m->u.error_ind.error_string, e->errorString, "errorString", info);
		}
		break;
	}
	case RSPRO_MSG_CONFIG_CLIENT_BANK_REQ: {
		const ConfigClientBankReq_t *r = &c->choice.configClientBankReq;
		struct rspro_ipport *ip = &m->u.config_client_bank_req.bankd;
		m->u.config_client_bank_req.bank_slot = get_bslot(&r->bankSlot);
		if (r->bankd.ip.present == IpAddress_PR_ipv4 && r->bankd.ip.choice.ipv4.size == 4) {
			memcpy(ip->addr, r->bankd.ip.choice.ipv4.buf, 4);
		} else if (r->bankd.ip.present == IpAddress_PR_ipv6 && r->bankd.ip.choice.ipv6.size == 16) {
			ip->is_ipv6 = true;
			memcpy(ip->addr, r->bankd.ip.choice.ipv6.buf, 16);
		} else {
			snprintf(info->reason, sizeof(info->reason),
				 "configClientBankReq: bankd address is not a 4-octet IPv4 or 16-octet IPv6 address");
			rc = RSPRO_ERR_BAD_VALUE;
		}
		ip->port = r->bankd.port;
		break;
	}
	case RSPRO_MSG_CONFIG_CLIENT_BANK_RES:
		m->u.res.result = c->choice.configClientBankRes.result;
		break;
	case RSPRO_MSG_RESET_STATE_REQ:
		break;
	case RSPRO_MSG_RESET_STATE_RES:
		m->u.res.result = c->choice.resetStateRes.result;
		break;
	default:
		m->type = RSPRO_MSG_UNKNOWN;
		info->unknown_choice = true;
		break;
	}
	return rc;
}

int rspro_decode(const uint8_t *buf, size_t len, struct rspro_msg *msg, struct rspro_decode_info *info)
{
	struct rspro_decode_info local;
	RsproPDU_t *pdu = NULL;
	asn_codec_ctx_t ctx = { .max_stack_size = RSPRO_DECODE_STACK_MAX };
	int rc;

	if (!info)
		info = &local;
	memset(info, 0, sizeof(*info));
	memset(msg, 0, sizeof(*msg));
	msg->type = RSPRO_MSG_UNKNOWN;
	if (len == 0) {
		snprintf(info->reason, sizeof(info->reason), "empty PDU");
		return RSPRO_ERR_EMPTY;
	}

	long scan = ber_prescan(buf, len, 0, false, true);
	if (scan == SCAN_DEEP) {
		snprintf(info->reason, sizeof(info->reason),
			 "nesting deeper than %d constructed levels", RSPRO_MAX_NESTING);
		return RSPRO_ERR_TOO_DEEP;
	}
	if (scan == SCAN_BAD) {
		snprintf(info->reason, sizeof(info->reason), "%s", scan_why);
		return RSPRO_ERR_MALFORMED;
	}
	asn_dec_rval_t dr = ber_decode(&ctx, &asn_DEF_RsproPDU, (void **)&pdu, buf, len);
	switch (dr.code) {
	case RC_OK:
		info->consumed = dr.consumed;
		info->trailing = len - dr.consumed;
		rc = from_pdu(msg, pdu, info);
		break;
	case RC_WMORE:
		snprintf(info->reason, sizeof(info->reason),
			 "truncated: %zu octets end inside the PDU (decoded up to octet %zu)", len, dr.consumed);
		rc = RSPRO_ERR_TRUNCATED;
		break;
	default:
		snprintf(info->reason, sizeof(info->reason),
			 "not a valid RsproPDU (BER decode failed near octet %zu of %zu)", dr.consumed, len);
		rc = RSPRO_ERR_MALFORMED;
		break;
	}
	ASN_STRUCT_FREE(asn_DEF_RsproPDU, pdu);
	if (rc < 0)
		msg->type = RSPRO_MSG_UNKNOWN;
	return rc;
}

/* ------------------------------------------------------------------- XER -- */

struct xer_sink { char *out; size_t cap, len; int overflow; };

static int xer_cb(const void *buf, size_t size, void *key)
{
	struct xer_sink *s = key;
	if (s->len + size + 1 > s->cap) {
		s->overflow = 1;
		return -1;
	}
	memcpy(s->out + s->len, buf, size);
	s->len += size;
	return 0;
}

int rspro_xer(const uint8_t *buf, size_t len, char *out, size_t cap)
{
	RsproPDU_t *pdu = NULL;
	asn_codec_ctx_t ctx = { .max_stack_size = RSPRO_DECODE_STACK_MAX };
	struct xer_sink sink = { .out = out, .cap = cap };
	int rc;

	if (cap == 0)
		return RSPRO_ERR_NOSPACE;
	long scan = ber_prescan(buf, len, 0, false, true);
	if (scan == SCAN_DEEP || scan == SCAN_BAD) {
		out[0] = '\0';
		return scan == SCAN_DEEP ? RSPRO_ERR_TOO_DEEP : RSPRO_ERR_MALFORMED;
	}
	asn_dec_rval_t dr = ber_decode(&ctx, &asn_DEF_RsproPDU, (void **)&pdu, buf, len);
	if (dr.code != RC_OK) {
		rc = dr.code == RC_WMORE ? RSPRO_ERR_TRUNCATED : RSPRO_ERR_MALFORMED;
	} else {
		asn_enc_rval_t er = xer_encode(&asn_DEF_RsproPDU, pdu, XER_F_CANONICAL, xer_cb, &sink);
		rc = er.encoded < 0 ? (sink.overflow ? RSPRO_ERR_NOSPACE : RSPRO_ERR_MALFORMED) : (int)sink.len;
	}
	out[rc >= 0 ? (size_t)rc : 0] = '\0';
	ASN_STRUCT_FREE(asn_DEF_RsproPDU, pdu);
	return rc;
}
