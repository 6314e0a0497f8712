/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hexstr.h: hex text <-> octets, for options, scripts, captures and logs. */
#ifndef REMSIM_HEXSTR_H
#define REMSIM_HEXSTR_H

#include <stddef.h>
#include <stdint.h>

/* Parse hex digits (either case) into out; white space, ':' and '-' between
 * digits are skipped.  Returns the number of octets, or -1 (bad digit, odd
 * number of digits, more than max octets) with *why set when why != NULL. */
int hex_parse_why(const char *s, uint8_t *out, size_t max, const char **why);
int hex_parse(const char *s, uint8_t *out, size_t max);
/* Lower-case hex of in; out must hold 2 * len + 1 characters. */
void hex_format(const uint8_t *in, size_t len, char *out);
/* Lower-case hex of in with sep (e.g. " ") between octets, into out of
 * outlen characters (> 2); what does not fit ends in "..".  Returns out. */
char *hex_format_sep(const uint8_t *in, size_t len, const char *sep, char *out, size_t outlen);

#endif
