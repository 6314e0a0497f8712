/* SPDX-License-Identifier: GPL-2.0-or-later */
/* algo.c: the card's deterministic, NOT secure stand-in for GSM A3/A8.
 *
 *   t[i]    = RAND[i] XOR Ki[i]                         i = 0..15
 *   SRES[j] = t[j] XOR t[j+4] XOR t[j+8] XOR t[j+12]    j = 0..3
 *   Kc[k]   = (t[k] + t[15-k]) mod 256                  k = 0..7
 *
 * Default Ki = 00 01 02 ... 0f (option --ki).  Tests recompute it to check
 * that RAND reached the card and SRES/Kc came back unchanged. */
#include "vcard.h"

void gsm_algo(const uint8_t ki[16], const uint8_t rand_[16], uint8_t sres[4], uint8_t kc[8])
{
	uint8_t t[16];
	for (int i = 0; i < 16; i++)
		t[i] = rand_[i] ^ ki[i];
	for (int j = 0; j < 4; j++)
		sres[j] = t[j] ^ t[j + 4] ^ t[j + 8] ^ t[j + 12];
	for (int k = 0; k < 8; k++)
		kc[k] = (uint8_t)(t[k] + t[15 - k]);
}
