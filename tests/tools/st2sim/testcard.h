/* SPDX-License-Identifier: GPL-2.0-or-later */
/* testcard.h: the deterministic "test card" shared by st2host (which
 * answers C-APDUs with it) and st2sim --verify (which checks that the
 * R-APDUs reaching the modem are exactly these answers):
 *   case 2:  Le octets (P3, 0 = 256), octet i = (i + INS) & 0xff, then 90 00
 *   case 4:  61 xx with xx = Lc (the modem fetches it with GET RESPONSE)
 *   else:    90 00 */
#ifndef ST2_TESTCARD_H
#define ST2_TESTCARD_H

#include <stddef.h>
#include <stdint.h>

#include "st2_tpdu.h"

static inline size_t testcard_answer(const uint8_t *capdu, size_t len, uint8_t *out)
{
	if (len < 5)
		return 0;
	int c = st2_apdu_case(capdu);
	size_t n = 0;
	if (c == 2) {
		size_t le = capdu[4] ? capdu[4] : 256;
		for (size_t i = 0; i < le; i++)
			out[n++] = (uint8_t)(i + capdu[1]);
		out[n++] = 0x90;
		out[n++] = 0x00;
	} else if (c == 4) {
		out[n++] = 0x61;
		out[n++] = capdu[4];
	} else {
		out[n++] = 0x90;
		out[n++] = 0x00;
	}
	return n;
}

#endif
