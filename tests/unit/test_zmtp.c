/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_zmtp.c: the ZMTP octets of the hub's sockets (zmtp.h): the greeting
 * (ours is accepted, other versions and mechanisms are not), frame headers
 * at the short/long boundary, READY built and parsed (and refused when
 * truncated or without a socket type), socket type pairs, PING -> PONG. */
#include "check.h"
#include "zmtp.h"

static void test_greeting(void)
{
	uint8_t g[ZMTP_GREETING_LEN];
	zmtp_greeting(g);
	CHECK(g[0] == 0xff && g[9] == 0x7f && g[10] == 3 && !memcmp(g + 12, "NULL", 4));
	CHECK(zmtp_greeting_ok(g));
	uint8_t bad[ZMTP_GREETING_LEN];
	memcpy(bad, g, sizeof(bad));
	bad[10] = 2;			/* ZMTP 2.0 */
	CHECK(!zmtp_greeting_ok(bad));
	memcpy(bad, g, sizeof(bad));
	memcpy(bad + 12, "CURVE", 5);	/* a mechanism we do not speak */
	CHECK(!zmtp_greeting_ok(bad));
	memcpy(bad, g, sizeof(bad));
	bad[0] = 0x01;			/* ZMTP 1.0 framing */
	CHECK(!zmtp_greeting_ok(bad));
}

static void test_headers(void)
{
	uint8_t h[ZMTP_HDR_MAX], fl;
	uint64_t sz;
	CHECK_EQ_INT(zmtp_put_hdr(h, 255, ZMTP_F_MORE), 2);
	CHECK(h[0] == ZMTP_F_MORE && h[1] == 255);
	CHECK_EQ_INT(zmtp_get_hdr(h, 2, &fl, &sz), 2);
	CHECK(fl == ZMTP_F_MORE && sz == 255);
	CHECK_EQ_INT(zmtp_put_hdr(h, 256, 0), 9);
	CHECK(h[0] == ZMTP_F_LONG && h[7] == 1 && h[8] == 0);
	CHECK_EQ_INT(zmtp_get_hdr(h, 8, &fl, &sz), 0);	/* incomplete */
	CHECK_EQ_INT(zmtp_get_hdr(h, 9, &fl, &sz), 9);
	CHECK(sz == 256 && (fl & ZMTP_F_LONG));
	CHECK_EQ_INT(zmtp_get_hdr(h, 1, &fl, &sz), 0);
	CHECK_EQ_INT(zmtp_put_hdr(h, 0x0102030405ULL, ZMTP_F_COMMAND), 9);
	CHECK_EQ_INT(zmtp_get_hdr(h, 9, &fl, &sz), 9);
	CHECK(sz == 0x0102030405ULL && (fl & ZMTP_F_COMMAND));
}

static void test_ready(void)
{
	uint8_t b[ZMTP_READY_MAX];
	size_t n = zmtp_ready_build(b, "DEALER", "reader/3");
	struct zmtp_ready r;
	CHECK_EQ_INT(zmtp_ready_parse(b, n, &r), 0);
	CHECK(r.typelen == 6 && !memcmp(r.type, "DEALER", 6));
	CHECK(r.idlen == 8 && !memcmp(r.id, "reader/3", 8));
	CHECK(zmtp_types_fit("ROUTER", r.type, r.typelen));
	CHECK(!zmtp_types_fit("DEALER", (const uint8_t *)"PUB", 3));
	CHECK(zmtp_types_fit("DEALER", (const uint8_t *)"ROUTER", 6));
	CHECK(!zmtp_types_fit("ROUTER", (const uint8_t *)"SUB", 3));
	/* truncated anywhere: refused, never read beyond */
	for (size_t k = 0; k < n; k++)
		if (zmtp_ready_parse(b, k, &r) == 0 && k < n)
			CHECK(k >= 6 + 1 + 11 + 4 + 6);	/* only after the whole Socket-Type */
	/* no Socket-Type: refused */
	uint8_t nt[ZMTP_READY_MAX];
	size_t m = zmtp_ready_build(nt, "DEALER", "x");
	memcpy(nt + 7, "Xocket-Type", 11);
	CHECK_EQ_INT(zmtp_ready_parse(nt, m, &r), -1);
	CHECK_EQ_INT(zmtp_ready_parse((const uint8_t *)"\x05READX", 6, &r), -1);
	/* names are case-insensitive */
	memcpy(nt + 7, "socket-type", 11);
	CHECK_EQ_INT(zmtp_ready_parse(nt, m, &r), 0);
}

static void test_pong(void)
{
	const uint8_t ping[] = { 4, 'P', 'I', 'N', 'G', 0, 10, 'c', 't', 'x' };
	uint8_t out[2 + 5 + 16];
	size_t k = zmtp_pong_for(ping, sizeof(ping), out);
	CHECK_EQ_INT(k, 2 + 5 + 3);
	CHECK(out[0] == ZMTP_F_COMMAND && out[1] == 8 && !memcmp(out + 2, "\x04PONGctx", 8));
	CHECK_EQ_INT(zmtp_pong_for(ping, 6, out), 0);	/* no TTL */
	uint8_t big[7 + 17] = { 4, 'P', 'I', 'N', 'G' };
	CHECK_EQ_INT(zmtp_pong_for(big, sizeof(big), out), 0);	/* context above 16 */
}

int main(void)
{
	RUN(test_greeting);
	RUN(test_headers);
	RUN(test_ready);
	RUN(test_pong);
	return check_summary();
}
