/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hexio.c: hex printing of answers (parsing is common/base/hexstr.h). */
#include "pcsc_apdu.h"

#include <stdio.h>

void print_hex(const char *prefix, const uint8_t *b, size_t len)
{
	fputs(prefix, stdout);
	for (size_t i = 0; i < len; i++)
		printf("%02x", b[i]);
	putchar('\n');
}
