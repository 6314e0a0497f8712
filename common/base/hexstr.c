/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hexstr.c: hex text <-> octets (see hexstr.h). */
#include "hexstr.h"

#include <string.h>

static int nibble(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int hex_parse_why(const char *s, uint8_t *out, size_t max, const char **why)
{
	const char *dummy;
	size_t n = 0;
	int hi = -1;
	if (!why)
		why = &dummy;
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == ':' || *s == '-')
			continue;
		int v = nibble(*s);
		if (v < 0) {
			*why = "not a hex digit";
			return -1;
		}
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= max) {
			*why = "too long";
			return -1;
		}
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0) {
		*why = "odd number of hex digits";
		return -1;
	}
	return (int)n;
}

int hex_parse(const char *s, uint8_t *out, size_t max)
{
	return hex_parse_why(s, out, max, NULL);
}

static const char digits[] = "0123456789abcdef";

void hex_format(const uint8_t *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

char *hex_format_sep(const uint8_t *in, size_t len, const char *sep, char *out, size_t outlen)
{
	size_t o = 0, sl = strlen(sep);
	for (size_t i = 0; i < len; i++) {
		size_t need = (i ? sl : 0) + 2;
		/* room for this octet, and for ".." should a next one not fit */
		if (o + need + (i + 1 < len ? sl + 2 : 0) >= outlen) {
			if (o + 3 <= outlen) {
				memcpy(out + o, "..", 2);
				o += 2;
			}
			break;
		}
		if (i) {
			memcpy(out + o, sep, sl);
			o += sl;
		}
		out[o++] = digits[in[i] >> 4];
		out[o++] = digits[in[i] & 15];
	}
	out[o] = '\0';
	return out;
}
