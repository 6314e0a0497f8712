/* SPDX-License-Identifier: GPL-2.0-or-later */
/* maptable.c: the bankd's mapping table and its rules (bankd.md §7).
 * One entry per bank slot of this bank; a client slot appears at most once.
 *
 * createMappingReq(C, B)
 * | condition (checked in this order)          | result         | changes, readers told          |
 * |--------------------------------------------|----------------|--------------------------------|
 * | B.bankId != our bank id                     | illegalBankId  | none                           |
 * | B.slotNr >= numberOfSlots (or < 0)          | illegalSlotId  | none                           |
 * | client id / slot outside 0..65535           | illegalClientId| none                           |
 * | B already mapped to C                       | ok             | none (client undisturbed)      |
 * | B mapped to another client D                | ok             | D dropped from B               |
 * | C mapped to another bank slot B'            | ok             | B' emptied, reader/B' told     |
 * | otherwise                                   | ok             | B := C, reader/B told          |
 *
 * removeMappingReq(C, B)
 * | B.bankId != our bank id                     | illegalBankId  | none                           |
 * | B.slotNr out of range                       | illegalSlotId  | none                           |
 * | B not mapped, or mapped to another client   | unknownSlotmap | none                           |
 * | B mapped to C                               | ok             | B emptied, reader/B told       |
 *
 * resetStateReq: every slot emptied (the caller tells every reader). */
#include <string.h>

#include "bankmap.h"
#include "log.h"

static bool same_client(struct rspro_client_slot a, struct rspro_client_slot b)
{
	return a.client_id == b.client_id && a.slot_nr == b.slot_nr;
}

/* Common checks of both requests; 0 when B is a slot of ours. */
static long check_bank_slot(const struct bankmap *bm, struct rspro_bank_slot b)
{
	if (b.bank_id != bm->bank_id)
		return RSPRO_RES_ILLEGAL_BANK_ID;
	if (b.slot_nr < 0 || b.slot_nr >= bm->num_slots)
		return RSPRO_RES_ILLEGAL_SLOT_ID;
	return RSPRO_RES_OK;
}

/* Log context of a request: its own bank slot (which may not be ours). */
static void req_ctx(struct rspro_bank_slot b, struct rspro_client_slot c, char *buf, size_t len)
{
	snprintf(buf, len, "B%ld:%ld C%ld:%ld", b.bank_id, b.slot_nr, c.client_id, c.slot_nr);
}

long mt_slot_of_client(const struct bankmap *bm, struct rspro_client_slot c)
{
	for (long i = 0; i < bm->num_slots; i++)
		if (bm->map[i].used && same_client(bm->map[i].client, c))
			return i;
	return -1;
}

size_t mt_count(const struct bankmap *bm)
{
	size_t n = 0;
	for (long i = 0; i < bm->num_slots; i++)
		n += bm->map[i].used;
	return n;
}

long mt_create(struct bankmap *bm, struct rspro_client_slot c, struct rspro_bank_slot b,
	       long changed[2], int *nchanged)
{
	char ctx[64];
	long rc = check_bank_slot(bm, b);
	*nchanged = 0;
	req_ctx(b, c, ctx, sizeof(ctx));
	if (rc != RSPRO_RES_OK) {
		LOGW(ctx, "createMapping refused: %s (we are bank %ld with %ld slots)",
		     rspro_result_name(rc), bm->bank_id, bm->num_slots);
		return rc;
	}
	if (c.client_id < 0 || c.client_id > 65535 || c.slot_nr < 0 || c.slot_nr > 65535) {
		LOGW(ctx, "createMapping refused: client slot out of range");
		return RSPRO_RES_ILLEGAL_CLIENT_ID;
	}
	struct bm_map *m = &bm->map[b.slot_nr];
	if (m->used && same_client(m->client, c)) {
		LOGN(ctx, "createMapping: identical mapping exists, nothing changes");
		return RSPRO_RES_OK;
	}
	if (m->used)
		LOGN(ctx, "createMapping: bank slot was mapped to C%ld:%ld, that client is dropped",
		     m->client.client_id, m->client.slot_nr);
	long old = mt_slot_of_client(bm, c);
	if (old >= 0) {
		LOGN(ctx, "createMapping: client moves away from bank slot %ld", old);
		bm->map[old].used = false;
		changed[(*nchanged)++] = old;
	}
	m->used = true;
	m->client = c;
	changed[(*nchanged)++] = b.slot_nr;
	LOGI(ctx, "mapping created");
	return RSPRO_RES_OK;
}

long mt_remove(struct bankmap *bm, struct rspro_client_slot c, struct rspro_bank_slot b,
	       long changed[2], int *nchanged)
{
	char ctx[64];
	long rc = check_bank_slot(bm, b);
	*nchanged = 0;
	req_ctx(b, c, ctx, sizeof(ctx));
	if (rc != RSPRO_RES_OK) {
		LOGW(ctx, "removeMapping refused: %s", rspro_result_name(rc));
		return rc;
	}
	struct bm_map *m = &bm->map[b.slot_nr];
	if (!m->used) {
		LOGW(ctx, "removeMapping: no mapping for this bank slot");
		return RSPRO_RES_UNKNOWN_SLOTMAP;
	}
	if (!same_client(m->client, c)) {
		LOGW(ctx, "removeMapping: bank slot is mapped to C%ld:%ld, not removed",
		     m->client.client_id, m->client.slot_nr);
		return RSPRO_RES_UNKNOWN_SLOTMAP;
	}
	m->used = false;
	changed[(*nchanged)++] = b.slot_nr;
	LOGI(ctx, "mapping removed");
	return RSPRO_RES_OK;
}

void mt_reset(struct bankmap *bm)
{
	size_t n = mt_count(bm);
	for (long i = 0; i < bm->num_slots; i++)
		bm->map[i].used = false;
	LOGI(NULL, "resetState: %zu mapping(s) removed", n);
}

const char *bm_ctx(const struct bankmap *bm, long slot, const struct rspro_client_slot *c, char *buf, size_t len)
{
	char b[24] = "", cl[24] = "";
	if (slot >= 0)
		snprintf(b, sizeof(b), "B%ld:%ld", bm->bank_id, slot);
	if (c)
		snprintf(cl, sizeof(cl), "C%ld:%ld", c->client_id, c->slot_nr);
	snprintf(buf, len, "%s%s%s", b, b[0] && cl[0] ? " " : "", cl[0] || b[0] ? cl : "-");
	return buf;
}
