/* SPDX-License-Identifier: GPL-2.0-or-later */
/* persist.c: the mapping table kept in the META of the server connection, so
 * that a restarted bankmap (kill -9) gets it back from the broker in WELCOME
 * while the server link stays up.  The table itself stays ephemeral: it dies
 * with the server connection, and the server re-sends every mapping after a
 * reconnect (bankd.md §3).
 *
 * Layout (all numbers big-endian):
 *   "BM1"  link-state(1)  bank-id(2)  number-of-slots(2)
 *   then per mapping: bank-slot(2) client-id(2) client-slot(2)
 * ENV_META_MAX (1024) holds 169 mappings; more are cut (logged by the caller). */
#include <string.h>

#include "bankmap.h"

#define HDR 8

static void put16(uint8_t *p, long v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static long get16(const uint8_t *p) { return (long)p[0] << 8 | p[1]; }

size_t persist_encode(const struct bankmap *bm, uint8_t *buf, size_t cap, bool *truncated)
{
	*truncated = false;
	if (cap < HDR)
		return 0;
	memcpy(buf, "BM1", 3);
	buf[3] = (uint8_t)bm->link;
	put16(buf + 4, bm->bank_id);
	put16(buf + 6, bm->num_slots);
	size_t n = HDR;
	for (long i = 0; i < bm->num_slots; i++) {
		if (!bm->map[i].used)
			continue;
		if (n + 6 > cap) {
			*truncated = true;
			break;
		}
		put16(buf + n, i);
		put16(buf + n + 2, bm->map[i].client.client_id);
		put16(buf + n + 4, bm->map[i].client.slot_nr);
		n += 6;
	}
	return n;
}

int persist_decode(struct bankmap *bm, const uint8_t *buf, size_t len)
{
	if (len < HDR || (len - HDR) % 6 || memcmp(buf, "BM1", 3) || buf[3] > LINK_STOPPED ||
	    get16(buf + 4) != bm->bank_id || get16(buf + 6) != bm->num_slots)
		return -1;
	for (size_t n = HDR; n < len; n += 6)
		if (get16(buf + n) >= bm->num_slots)
			return -1;
	for (long i = 0; i < bm->num_slots; i++)
		bm->map[i].used = false;
	for (size_t n = HDR; n < len; n += 6) {
		struct bm_map *m = &bm->map[get16(buf + n)];
		m->used = true;
		m->client.client_id = get16(buf + n + 2);
		m->client.slot_nr = get16(buf + n + 4);
	}
	bm->link = (enum bm_link_state)buf[3];
	return 0;
}
