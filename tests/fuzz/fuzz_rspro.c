/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_rspro.c: libFuzzer target for the RSPRO decoder.  Every input is
 * decoded; what decodes is summarised, formatted, re-encoded, and the
 * re-encoding must decode again to the same message type. */
#include <stdlib.h>
#include <string.h>

#include "rspro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rspro_msg m, again;
	static char text[8192];
	static uint8_t der[RSPRO_PDU_MAX * 4];
	struct rspro_decode_info info;

	if (rspro_decode(data, size, &m, &info) < 0)
		return 0;
	rspro_summary(&m, text, sizeof(text));
	rspro_format(&m, text, sizeof(text));
	rspro_xer(data, size, text, sizeof(text));
	if (m.type == RSPRO_MSG_UNKNOWN)
		return 0;
	int n = rspro_encode(&m, der, sizeof(der));
	if (n < 0)
		abort();
	if (rspro_decode(der, (size_t)n, &again, &info) < 0 || again.type != m.type)
		abort();
	return 0;
}
