/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_hexstr.c: hex text <-> octets. */
#include "check.h"
#include "hexstr.h"

#include <string.h>

static void test_parse(void)
{
	uint8_t b[8];
	const char *why = NULL;
	CHECK_EQ_INT(hex_parse("a0 A4:00-00", b, sizeof(b)), 4);
	CHECK(b[0] == 0xa0 && b[1] == 0xa4 && b[3] == 0);
	CHECK_EQ_INT(hex_parse("", b, sizeof(b)), 0);
	CHECK_EQ_INT(hex_parse_why("abc", b, sizeof(b), &why), -1);
	CHECK_EQ_STR(why, "odd number of hex digits");
	CHECK_EQ_INT(hex_parse_why("zz", b, sizeof(b), &why), -1);
	CHECK_EQ_STR(why, "not a hex digit");
	CHECK_EQ_INT(hex_parse_why("000102", b, 2, &why), -1);
	CHECK_EQ_STR(why, "too long");
	CHECK_EQ_INT(hex_parse("0001", b, 2), 2);
}

static void test_format(void)
{
	static const uint8_t in[] = { 0x3b, 0x9f, 0x00 };
	char out[7];
	hex_format(in, sizeof(in), out);
	CHECK_EQ_STR(out, "3b9f00");
	hex_format(in, 0, out);
	CHECK_EQ_STR(out, "");
}

static void test_format_sep(void)
{
	static const uint8_t in[] = { 0x3b, 0x9f, 0x00, 0x80 };
	char out[32];
	CHECK_EQ_STR(hex_format_sep(in, 4, " ", out, sizeof(out)), "3b 9f 00 80");
	CHECK_EQ_STR(hex_format_sep(in, 4, ":", out, sizeof(out)), "3b:9f:00:80");
	CHECK_EQ_STR(hex_format_sep(in, 0, " ", out, sizeof(out)), "");
	CHECK_EQ_STR(hex_format_sep(in, 1, " ", out, 3), "3b");	/* exactly fits */
	CHECK_EQ_STR(hex_format_sep(in, 4, " ", out, 9), "3b 9f..");	/* cut, marked */
	CHECK(strlen(hex_format_sep(in, 4, " ", out, 8)) < 8);
}

int main(void)
{
	RUN(test_parse);
	RUN(test_format);
	RUN(test_format_sep);
	return check_summary();
}
