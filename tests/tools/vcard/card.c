/* SPDX-License-Identifier: GPL-2.0-or-later */
/* card.c: card state, power handling and C-APDU entry (header parsing,
 * scripted overrides, then the command table of cmds.c). */
#include "vcard.h"
#include "log.h"

#include <string.h>

void card_init(struct card *c)
{
	c->powered = 0;
	c->cur_df = fs_mf();
	c->cur_ef = NULL;
	c->pending_len = 0;
}

void card_power(struct card *c, int on)
{
	/* power on, power off and reset all bring the card back to the MF */
	c->powered = on;
	c->cur_df = fs_mf();
	c->cur_ef = NULL;
	c->pending_len = 0;
}

static size_t with_sw(uint8_t *out, size_t len, uint16_t sw)
{
	out[len] = (uint8_t)(sw >> 8);
	out[len + 1] = (uint8_t)sw;
	return len + 2;
}

/* Split a T=0 style command: CLA INS P1 P2 [P3 [data [Le]]]. */
static int parse(const uint8_t *b, size_t len, struct apdu *a)
{
	memset(a, 0, sizeof(*a));
	if (len < 4)
		return -1;
	a->cla = b[0], a->ins = b[1], a->p1 = b[2], a->p2 = b[3];
	a->gsm = a->cla == 0xA0;
	if (len == 4)
		return 0;                                   /* case 1 */
	if (len == 5) {                                     /* case 2 (or case 1 with P3 = 0) */
		a->has_le = 1;
		a->le = b[4] ? b[4] : 256;
		return 0;
	}
	a->lc = b[4];
	a->data = b + 5;
	if (a->lc == 0)
		return -1;
	if (len == 5 + a->lc)
		return 0;                                   /* case 3 */
	if (len == 6 + a->lc) {                             /* case 4 */
		a->has_le = 1;
		a->le = b[len - 1] ? b[len - 1] : 256;
		return 0;
	}
	return -1;
}

size_t card_apdu(struct card *c, const uint8_t *capdu, size_t len, uint8_t *rapdu)
{
	c->apdus++;
	int n = script_lookup(capdu, len, rapdu, VCARD_MAX_RAPDU);
	if (n >= 0) {
		c->pending_len = 0;
		return (size_t)n;
	}
	struct apdu a;
	if (parse(capdu, len, &a) < 0)
		return with_sw(rapdu, 0, 0x6700);            /* wrong length */
	if (a.ins != 0xC0)
		c->pending_len = 0;                     /* GET RESPONSE must follow at once */
	struct rapdu r = { .len = 0 };
	uint16_t sw = cmds_dispatch(c, &a, &r);
	memcpy(rapdu, r.buf, r.len);
	return with_sw(rapdu, r.len, sw);
}
