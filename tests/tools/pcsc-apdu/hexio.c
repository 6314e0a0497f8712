/* hexio.c: hex parsing of APDUs and hex printing of answers. */
#include "pcsc_apdu.h"

#include <ctype.h>
#include <stdio.h>

int hex_to_bin(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	int hi = -1;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (isspace(ch) || ch == ':' || ch == '-')
			continue;
		if (!isxdigit(ch))
			return -1;
		int v = isdigit(ch) ? ch - '0' : tolower(ch) - 'a' + 10;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= max)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (int)n : -1;
}

void print_hex(const char *prefix, const uint8_t *b, size_t len)
{
	fputs(prefix, stdout);
	for (size_t i = 0; i < len; i++)
		printf("%02x", b[i]);
	putchar('\n');
}
