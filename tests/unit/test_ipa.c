/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_ipa.c: unit tests of common/rspro/ipa.c: stream reassembly under any TCP
 * segmentation, stream errors, RSPRO framing and the CCM reactions of each
 * side (rspro-wire.md §2-3, Appendix B, shared/vectors). */
#include "check.h"
#include "ipa.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Hex to bytes; spaces are skipped.  Returns the byte count. */
static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v;
		char ch = *hex;

		if (ch >= '0' && ch <= '9')
			v = ch - '0';
		else if (ch >= 'a' && ch <= 'f')
			v = ch - 'a' + 10;
		else if (ch >= 'A' && ch <= 'F')
			v = ch - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			if (n < cap)
				out[n] = (uint8_t)(hi << 4 | v);
			n++;
			hi = -1;
		}
	}
	return n;
}

/* The whole upstream session of shared/vectors/session-upstream-1.0.0.txt. */
static const char *const session[] = {
	"0001fe00",	/* server->bankd IPA_PING */
	"0001fe01",	/* bankd->server IPA_PONG */
	"0001fe00",	/* bankd->server IPA_PING */
	"0001fe01",	/* server->bankd IPA_PONG */
	"0039ee073036800102810100a22ea02c30240a0102160a6669786d652d6e616d65800c72656d73696d2d62616e6b648105312e302e30020101020102",	/* bankd->server connectBankReq */
	"0037ee073034800102810100a22ca12a30250a0101160a6669786d652d6e616d65800d72656d73696d2d7365727665728105312e302e300a0100",	/* server->bankd connectBankRes */
	"0001fe00",	/* server->client IPA_PING */
	"0001fe01",	/* client->server IPA_PONG */
	"0001fe00",	/* client->server IPA_PING */
	"0001fe01",	/* server->client IPA_PONG */
	"0034ee073031800102810100a229a227301d0a01001602766d800d72656d73696d2d636c69656e748105312e302e303006020101020100",	/* client->server connectClientReq */
	"0038ee07303580010281020926a22ca32a30250a0101160a6669786d652d6e616d65800d72656d73696d2d7365727665728105312e302e300a0100",	/* server->client connectClientRes */
	"001dee07301a800102810100a212a41030060201010201003006020101020100",	/* server->bankd createMappingReq */
	"0010ee07300d800102810100a205a5030a0100",	/* bankd->server createMappingRes */
	"0021ee07301e800102810100a216b1143006020101020100300a80047f0000010202270f",	/* server->client configClientBankReq */
	"0010ee07300d800102810100a205b2030a0100",	/* client->server configClientBankRes */
	"0001fe00",	/* client->bankd IPA_PING */
	"0034ee073031800102810100a229a227301d0a01001602766d800d72656d73696d2d636c69656e748105312e302e303006020101020100",	/* client->bankd connectClientReq */
	"0001fe01",	/* bankd->client IPA_PONG */
	"0037ee07303480010281020926a22ba32930240a0102160a6669786d652d6e616d65800c72656d73696d2d62616e6b648105312e302e300a0100",	/* bankd->client connectClientRes */
	"001fee07301c800102810100a214aa12300602010102010004083b15138073ff0100",	/* bankd->client setAtrReq */
	"0010ee07300d800102810100a205ab030a0100",	/* client->bankd setAtrRes */
	"0034ee073031800102810100a229ac2730060201010201003006020101020100300c0101000101000101000101000407a0a40000023f00",	/* client->bankd tpduModemToCard */
	"002fee07302c800102810100a224ad2230060201010201003006020101020100300c0101000101000101000101000402610c",	/* bankd->client tpduCardToModem */
	"0034ee073031800102810100a229ac2730060201010201003006020101020100300c010100010100010100010100040700a4000c023f00",	/* client->bankd tpduModemToCard */
	"002fee07302c800102810100a224ad2230060201010201003006020101020100300c01010001010001010001010004029000",	/* bankd->client tpduCardToModem */
	"0034ee073031800102810100a229ac2730060201010201003006020101020100300c010100010100010100010100040700a40000023f00",	/* client->bankd tpduModemToCard */
	"002fee07302c800102810100a224ad2230060201010201003006020101020100300c0101000101000101000101000402610c",	/* bankd->client tpduCardToModem */
	"0032ee07302f800102810100a227ac2530060201010201003006020101020100300c010100010100010100010100040500c000000c",	/* client->bankd tpduModemToCard */
	"003bee073038800102810100a230ad2e30060201010201003006020101020100300c010100010100010100010100040e6f0a83023f008a01058201389000",	/* bankd->client tpduCardToModem */
	"0032ee07302f800102810100a227ac2530060201010201003006020101020100300c01010001010001010001010004050084000008",	/* client->bankd tpduModemToCard */
	"0037ee073034800102810100a22cad2a30060201010201003006020101020100300c010100010100010100010100040a3d8f47bb9cb3cd3b9000",	/* bankd->client tpduCardToModem */
	"0032ee07302f800102810100a227ac2530060201010201003006020101020100300c010100010100010100010100040500b0000010",	/* client->bankd tpduModemToCard */
	"002fee07302c800102810100a224ad2230060201010201003006020101020100300c01010001010001010001010004026986",	/* bankd->client tpduCardToModem */
	"002bee073028800102810100a220ae1e30060201010201003006020101020100300c8001ff8101008201008301ff",	/* client->bankd clientSlotStatusInd */
	"0034ee073031800102810100a229ac2730060201010201003006020101020100300c010100010100010100010100040700a4000c023f00",	/* client->bankd tpduModemToCard */
	"002fee07302c800102810100a224ad2230060201010201003006020101020100300c01010001010001010001010004029000",	/* bankd->client tpduCardToModem */
	"0001fe00",	/* server->bankd IPA_PING */
	"0001fe01",	/* bankd->server IPA_PONG */
	"0001fe00",	/* bankd->server IPA_PING */
	"0001fe01",	/* server->bankd IPA_PONG */
	"0001fe00",	/* server->client IPA_PING */
	"0001fe00",	/* client->server IPA_PING */
	"0001fe01",	/* client->server IPA_PONG */
	"0001fe01",	/* server->client IPA_PONG */
	"0001fe00",	/* client->bankd IPA_PING */
	"0001fe01",	/* bankd->client IPA_PONG */
	"001dee07301a800102810100a212a61030060201010201003006020101020100",	/* server->bankd removeMappingReq */
	"0010ee07300d800102810100a205a7030a0100",	/* bankd->server removeMappingRes */
	"0020ee07301d800102810100a215b11330060201010201003009800400000000020100",	/* server->client configClientBankReq */
	"0010ee07300d800102810100a205b2030a0100",	/* client->server configClientBankRes */
	"001dee07301a800102810100a212a41030060201010201003006020101020100",	/* server->bankd createMappingReq */
	"0010ee07300d800102810100a205a5030a0100",	/* bankd->server createMappingRes */
	"0021ee07301e800102810100a216b1143006020101020100300a80047f0000010202270f",	/* server->client configClientBankReq */
	"0010ee07300d800102810100a205b2030a0100",	/* client->server configClientBankRes */
	"0001fe00",	/* client->bankd IPA_PING */
	"0034ee073031800102810100a229a227301d0a01001602766d800d72656d73696d2d636c69656e748105312e302e303006020101020100",	/* client->bankd connectClientReq */
	"0001fe01",	/* bankd->client IPA_PONG */
	"0037ee07303480010281020926a22ba32930240a0102160a6669786d652d6e616d65800c72656d73696d2d62616e6b648105312e302e300a0100",	/* bankd->client connectClientRes */
	"001fee07301c800102810100a214aa12300602010102010004083b15138073ff0100",	/* bankd->client setAtrReq */
	"0010ee07300d800102810100a205ab030a0100",	/* client->bankd setAtrRes */
	"0034ee073031800102810100a229ac2730060201010201003006020101020100300c010100010100010100010100040700a4000c023f00",	/* client->bankd tpduModemToCard */
	"002fee07302c800102810100a224ad2230060201010201003006020101020100300c01010001010001010001010004029000",	/* bankd->client tpduCardToModem */
	"001dee07301a800102810100a212a61030060201010201003006020101020100",	/* server->bankd removeMappingReq */
	"0010ee07300d800102810100a205a7030a0100",	/* bankd->server removeMappingRes */
	"0020ee07301d800102810100a215b11330060201010201003009800400000000020100",	/* server->client configClientBankReq */
	"0010ee07300d800102810100a205b2030a0100",	/* client->server configClientBankRes */
};
#define NSESSION (sizeof(session) / sizeof(session[0]))

struct stream {
	uint8_t *data;
	size_t len;
	size_t off[NSESSION];	/* start of each frame */
	size_t flen[NSESSION];
};

static void stream_build(struct stream *s)
{
	size_t i;

	s->data = malloc(16384);
	s->len = 0;
	for (i = 0; i < NSESSION; i++) {
		s->off[i] = s->len;
		s->flen[i] = unhex(session[i], s->data + s->len, 16384 - s->len);
		s->len += s->flen[i];
	}
}

/* Feed the session in chunks chosen by chunk(); check every frame. */
static void run_session(size_t (*chunk)(size_t pos, unsigned *state))
{
	struct stream s;
	struct ipa_reasm *r = ipa_reasm_new(0);
	struct ipa_frame f;
	size_t pos = 0, got = 0;
	unsigned state = 12345;
	int rc;

	stream_build(&s);
	CHECK(r != NULL);
	while (pos < s.len) {
		size_t n = chunk(pos, &state);

		if (n > s.len - pos)
			n = s.len - pos;
		CHECK_EQ_INT(ipa_reasm_feed(r, s.data + pos, n), IPA_OK);
		pos += n;
		while ((rc = ipa_reasm_next(r, &f)) == 1) {
			const uint8_t *want = s.data + s.off[got];

			CHECK(got < NSESSION);
			if (got >= NSESSION)
				break;
			CHECK_EQ_INT(f.len + IPA_HDR_LEN, s.flen[got]);
			CHECK_EQ_INT(f.proto, want[2]);
			CHECK(memcmp(f.payload, want + 3, f.len) == 0);
			got++;
		}
		CHECK_EQ_INT(rc, 0);
	}
	CHECK_EQ_INT(got, NSESSION);
	CHECK_EQ_INT(ipa_reasm_pending(r), 0);
	ipa_reasm_destroy(&r);
	CHECK(r == NULL);
	free(s.data);
}

static size_t chunk_all(size_t pos, unsigned *st) { (void)pos; (void)st; return SIZE_MAX; }
static size_t chunk_one(size_t pos, unsigned *st) { (void)pos; (void)st; return 1; }
static size_t chunk_two(size_t pos, unsigned *st) { (void)pos; (void)st; return 2; }
static size_t chunk_rand(size_t pos, unsigned *st)
{
	(void)pos;
	*st = *st * 1103515245u + 12345u;
	return 1 + (*st >> 16) % 97;
}

static void test_session_coalesced(void) { run_session(chunk_all); }
static void test_session_byte_by_byte(void) { run_session(chunk_one); }
static void test_session_two_by_two(void) { run_session(chunk_two); }
static void test_session_random_chunks(void) { run_session(chunk_rand); }

/* Many tiny frames through one reassembler, coalesced and split. */
static void test_many_small_frames(void)
{
	enum { N = 200000 };
	uint8_t *buf = malloc(N * 4);
	struct ipa_reasm *r = ipa_reasm_new(0);
	struct ipa_frame f;
	size_t i, got = 0, pos = 0;
	int rc;

	for (i = 0; i < N; i++)
		ipa_wrap_ccm(buf + 4 * i, 4, (i & 1) ? IPA_CCM_PONG : IPA_CCM_PING);
	while (pos < (size_t)N * 4) {
		size_t n = 4093;	/* splits frames at varying offsets */

		if (n > (size_t)N * 4 - pos)
			n = (size_t)N * 4 - pos;
		CHECK_EQ_INT(ipa_reasm_feed(r, buf + pos, n), IPA_OK);
		pos += n;
		while ((rc = ipa_reasm_next(r, &f)) == 1) {
			if (f.proto != IPA_PROTO_CCM || f.len != 1 || f.payload[0] != (got & 1))
				break;
			got++;
		}
		CHECK_EQ_INT(rc, 0);
	}
	CHECK_EQ_INT(got, N);
	CHECK_EQ_INT(ipa_reasm_pending(r), 0);
	ipa_reasm_destroy(&r);
	free(buf);
}

/* A caller that feeds a lot before draining: the buffer grows. */
static void test_feed_without_draining(void)
{
	uint8_t ping[4] = { 0x00, 0x01, 0xfe, 0x00 };
	struct ipa_reasm *r = ipa_reasm_new(0);
	struct ipa_frame f;
	int i, n = 0;

	for (i = 0; i < 10000; i++)
		CHECK_EQ_INT(ipa_reasm_feed(r, ping, 4), IPA_OK);
	CHECK_EQ_INT(ipa_reasm_pending(r), 40000);
	while (ipa_reasm_next(r, &f) == 1)
		n++;
	CHECK_EQ_INT(n, 10000);
	CHECK_EQ_INT(ipa_reasm_pending(r), 0);
	ipa_reasm_destroy(&r);
}

static void test_zero_length(void)
{
	static const char *const cases[] = { "0000fe", "0000ee", "000007" };
	size_t k;

	for (k = 0; k < 3; k++) {
		uint8_t buf[16];
		size_t n = unhex("0001fe00", buf, sizeof(buf));
		struct ipa_reasm *r = ipa_reasm_new(0);
		struct ipa_frame f;

		n += unhex(cases[k], buf + n, sizeof(buf) - n);
		n += unhex("0001fe01", buf + n, sizeof(buf) - n);
		CHECK_EQ_INT(ipa_reasm_feed(r, buf, n), IPA_OK);
		CHECK_EQ_INT(ipa_reasm_next(r, &f), 1);	/* the PING before it */
		CHECK_EQ_INT(ipa_reasm_next(r, &f), IPA_ERR_ZERO_LEN);
		CHECK_EQ_INT(ipa_reasm_next(r, &f), IPA_ERR_ZERO_LEN);	/* sticky */
		CHECK_EQ_INT(ipa_reasm_feed(r, buf, 4), IPA_OK);	/* dropped */
		CHECK_EQ_INT(ipa_reasm_next(r, &f), IPA_ERR_ZERO_LEN);
		ipa_reasm_reset(r);
		CHECK_EQ_INT(ipa_reasm_pending(r), 0);
		CHECK_EQ_INT(ipa_reasm_feed(r, buf, 4), IPA_OK);
		CHECK_EQ_INT(ipa_reasm_next(r, &f), 1);
		ipa_reasm_destroy(&r);
	}
	CHECK(strlen(ipa_strerror(IPA_ERR_ZERO_LEN)) > 0);
}

static void test_oversized(void)
{
	static uint8_t big[3 + 65535];
	struct ipa_reasm *r = ipa_reasm_new(0);
	struct ipa_frame f;
	size_t i;

	/* 1024 octets accepted by default, 1025 not (header alone decides) */
	memset(big, 0x5a, sizeof(big));
	big[0] = 0x04; big[1] = 0x00; big[2] = 0xee; big[3] = 0x07;
	CHECK_EQ_INT(ipa_reasm_feed(r, big, 3 + 1024), IPA_OK);
	CHECK_EQ_INT(ipa_reasm_next(r, &f), 1);
	CHECK_EQ_INT(f.len, 1024);
	big[1] = 0x01;
	CHECK_EQ_INT(ipa_reasm_feed(r, big, 3), IPA_OK);
	CHECK_EQ_INT(ipa_reasm_next(r, &f), IPA_ERR_TOO_BIG);
	CHECK_EQ_INT(ipa_reasm_next(r, &f), IPA_ERR_TOO_BIG);
	ipa_reasm_destroy(&r);

	/* LEN 65535 is fine with a large maximum, fed byte by byte */
	r = ipa_reasm_new(70000);	/* clamped to 65535 */
	big[0] = 0xff; big[1] = 0xff;
	for (i = 0; i < sizeof(big) - 1; i++)
		CHECK_EQ_INT(ipa_reasm_feed(r, big + i, 1), IPA_OK);
	CHECK_EQ_INT(ipa_reasm_next(r, &f), 0);
	CHECK_EQ_INT(ipa_reasm_feed(r, big + i, 1), IPA_OK);
	CHECK_EQ_INT(ipa_reasm_next(r, &f), 1);
	CHECK_EQ_INT(f.len, 65535);
	CHECK_EQ_INT(f.proto, 0xee);
	ipa_reasm_destroy(&r);

	r = ipa_reasm_new(16);
	big[0] = 0x00; big[1] = 0x11;
	CHECK_EQ_INT(ipa_reasm_feed(r, big, 3), IPA_OK);
	CHECK_EQ_INT(ipa_reasm_next(r, &f), IPA_ERR_TOO_BIG);
	ipa_reasm_destroy(&r);
}

static void test_truncated_at_eof(void)
{
	uint8_t buf[64];
	size_t n = unhex("0010ee07300d800102810100a205a5030a0100", buf, sizeof(buf));
	struct ipa_reasm *r = ipa_reasm_new(0);
	struct ipa_frame f;

	CHECK_EQ_INT(n, 19);
	CHECK_EQ_INT(ipa_reasm_feed(r, buf, 2), IPA_OK);	/* half a header */
	CHECK_EQ_INT(ipa_reasm_next(r, &f), 0);
	CHECK_EQ_INT(ipa_reasm_pending(r), 2);
	CHECK_EQ_INT(ipa_reasm_feed(r, buf + 2, n - 3), IPA_OK);	/* one octet short */
	CHECK_EQ_INT(ipa_reasm_next(r, &f), 0);
	CHECK_EQ_INT(ipa_reasm_pending(r), n - 1);
	CHECK_EQ_INT(ipa_reasm_feed(r, NULL, 0), IPA_OK);
	CHECK_EQ_INT(ipa_reasm_next(r, &f), 0);
	/* the connection ends here: the caller sees octets still pending */
	CHECK(ipa_reasm_pending(r) > 0);
	ipa_reasm_destroy(&r);
	ipa_reasm_destroy(&r);	/* harmless */
	ipa_reasm_destroy(NULL);
}

static void test_rspro_classify(void)
{
	uint8_t buf[64];
	struct ipa_frame f;
	const uint8_t *pdu = NULL;
	size_t len = 0;

	/* RSPRO frame: PDU starts after the extension octet */
	unhex("0010ee07300d800102810100a205a5030a0100", buf, sizeof(buf));
	f.proto = buf[2]; f.payload = buf + 3; f.len = 16;
	CHECK_EQ_INT(ipa_frame_rspro_pdu(&f, &pdu, &len), 1);
	CHECK(pdu == buf + 4);
	CHECK_EQ_INT(len, 15);
	/* CCM */
	unhex("0001fe00", buf, sizeof(buf));
	f.proto = 0xfe; f.payload = buf + 3; f.len = 1;
	CHECK_EQ_INT(ipa_frame_rspro_pdu(&f, &pdu, &len), 0);
	/* wrong proto */
	f.proto = 0x00;
	CHECK_EQ_INT(ipa_frame_rspro_pdu(&f, &pdu, &len), IPA_ERR_PROTO);
	f.proto = 0xef;
	CHECK_EQ_INT(ipa_frame_rspro_pdu(&f, &pdu, &len), IPA_ERR_PROTO);
	/* wrong extension (0x05 = OML-like, 0x00 = CTRL-less) */
	unhex("0003ee0530 00", buf, sizeof(buf));
	f.proto = 0xee; f.payload = buf + 3; f.len = 3;
	CHECK_EQ_INT(ipa_frame_rspro_pdu(&f, &pdu, &len), IPA_ERR_EXT);
	/* 0xEE without any extension octet */
	f.len = 0;
	CHECK_EQ_INT(ipa_frame_rspro_pdu(&f, &pdu, &len), IPA_ERR_EXT);
	/* zero-length CCM */
	f.proto = 0xfe;
	CHECK_EQ_INT(ipa_frame_rspro_pdu(&f, &pdu, &len), IPA_ERR_ZERO_LEN);
	/* extension octet alone: an empty PDU for the decoder to reject */
	buf[3] = 0x07;
	f.proto = 0xee; f.len = 1;
	CHECK_EQ_INT(ipa_frame_rspro_pdu(&f, &pdu, &len), 1);
	CHECK_EQ_INT(len, 0);
}

/* Reassembled wrong-proto / wrong-ext frames are delivered, then classified. */
static void test_reasm_wrong_proto_and_ext(void)
{
	uint8_t buf[32];
	size_t n = unhex("0002 12 abcd  0002 ee 06 00  0001 ee 00  0001 ee 07", buf, sizeof(buf));
	struct ipa_reasm *r = ipa_reasm_new(0);
	struct ipa_frame f;
	const uint8_t *pdu;
	size_t len;

	CHECK_EQ_INT(ipa_reasm_feed(r, buf, n), IPA_OK);
	CHECK_EQ_INT(ipa_reasm_next(r, &f), 1);
	CHECK_EQ_INT(ipa_frame_rspro_pdu(&f, &pdu, &len), IPA_ERR_PROTO);
	CHECK_EQ_INT(ipa_reasm_next(r, &f), 1);
	CHECK_EQ_INT(ipa_frame_rspro_pdu(&f, &pdu, &len), IPA_ERR_EXT);
	CHECK_EQ_INT(ipa_reasm_next(r, &f), 1);
	CHECK_EQ_INT(ipa_frame_rspro_pdu(&f, &pdu, &len), IPA_ERR_EXT);
	CHECK_EQ_INT(ipa_reasm_next(r, &f), 1);
	CHECK_EQ_INT(ipa_frame_rspro_pdu(&f, &pdu, &len), 1);
	CHECK_EQ_INT(len, 0);
	CHECK_EQ_INT(ipa_reasm_next(r, &f), 0);
	ipa_reasm_destroy(&r);
}

static void test_wrap(void)
{
	uint8_t out[2048], pdu[1100], want[64];
	size_t i;

	CHECK_EQ_INT(ipa_wrap_ccm(out, sizeof(out), IPA_CCM_PING), 4);
	CHECK(memcmp(out, "\x00\x01\xfe\x00", 4) == 0);
	CHECK_EQ_INT(ipa_wrap_ccm(out, sizeof(out), IPA_CCM_PONG), 4);
	CHECK(memcmp(out, "\x00\x01\xfe\x01", 4) == 0);
	CHECK_EQ_INT(ipa_wrap_ccm(out, sizeof(out), IPA_CCM_ID_ACK), 4);
	CHECK(memcmp(out, "\x00\x01\xfe\x06", 4) == 0);
	CHECK_EQ_INT(ipa_wrap_ccm(out, 3, IPA_CCM_PING), IPA_ERR_NOSPACE);

	/* §2 example: a 28-octet PDU is framed as 00 1d ee 07 <28 octets> */
	for (i = 0; i < sizeof(pdu); i++)
		pdu[i] = (uint8_t)i;
	CHECK_EQ_INT(ipa_wrap_rspro(out, sizeof(out), pdu, 28), 32);
	CHECK(memcmp(out, "\x00\x1d\xee\x07", 4) == 0);
	CHECK(memcmp(out + 4, pdu, 28) == 0);
	CHECK_EQ_INT(ipa_wrap_rspro(out, 31, pdu, 28), IPA_ERR_NOSPACE);
	/* Appendix A createMappingRes(ok) */
	unhex("0010ee07300d800102810100a205a5030a0100", want, sizeof(want));
	CHECK_EQ_INT(ipa_wrap_rspro(out, sizeof(out), want + 4, 15), 19);
	CHECK(memcmp(out, want, 19) == 0);
	CHECK_EQ_INT(ipa_wrap_rspro(out, sizeof(out), pdu, 1100), 1104);
	CHECK(memcmp(out, "\x04\x4d\xee\x07", 4) == 0);
	CHECK_EQ_INT(ipa_wrap_rspro(out, sizeof(out), NULL, 0), 4);
	CHECK(memcmp(out, "\x00\x01\xee\x07", 4) == 0);
}

static void test_wrap_limit(void)
{
	static uint8_t pdu[65535], out[65540];

	CHECK_EQ_INT(ipa_wrap_rspro(out, sizeof(out), pdu, 65534), 65538);
	CHECK(out[0] == 0xff && out[1] == 0xff);
	CHECK_EQ_INT(ipa_wrap_rspro(out, sizeof(out), pdu, 65535), IPA_ERR_NOSPACE);
}

/* --- CCM ---------------------------------------------------------------- */

static const enum ipa_side sides[3] = {
	IPA_SIDE_SERVER_ACCEPTED, IPA_SIDE_OUTGOING, IPA_SIDE_BANKD_ACCEPTED,
};

/* Run one CCM frame (whole frame in hex) on one side. */
static void react_hex(enum ipa_side side, const char *hex, struct ipa_ccm_result *res)
{
	static uint8_t buf[512];
	struct ipa_frame f;
	size_t n = unhex(hex, buf, sizeof(buf));

	memset(res, 0xa5, sizeof(*res));
	f.proto = buf[2];
	f.payload = buf + 3;
	f.len = n - 3;
	ipa_ccm_react(side, &f, res);
	CHECK(res->reason != NULL);
	CHECK(res->reply_len <= sizeof(res->reply));
	if (res->action != IPA_CCM_ACT_REPLY)
		CHECK_EQ_INT(res->reply_len, 0);
}

static int reply_is(const struct ipa_ccm_result *res, const char *hex)
{
	uint8_t want[256];
	size_t n = unhex(hex, want, sizeof(want));

	return res->action == IPA_CCM_ACT_REPLY && res->reply_len == n &&
		memcmp(res->reply, want, n) == 0;
}

static void test_ccm_ping(void)
{
	struct ipa_ccm_result res;
	int i;

	for (i = 0; i < 3; i++) {
		react_hex(sides[i], "0001fe00", &res);
		CHECK(reply_is(&res, "0001fe01"));
	}
}

static void test_ccm_pong(void)
{
	struct ipa_ccm_result res;

	react_hex(IPA_SIDE_SERVER_ACCEPTED, "0001fe01", &res);
	CHECK_EQ_INT(res.action, IPA_CCM_ACT_PONG_RECEIVED);
	react_hex(IPA_SIDE_OUTGOING, "0001fe01", &res);
	CHECK_EQ_INT(res.action, IPA_CCM_ACT_PONG_RECEIVED);
	react_hex(IPA_SIDE_BANKD_ACCEPTED, "0001fe01", &res);	/* we run keep-alive there too */
	CHECK_EQ_INT(res.action, IPA_CCM_ACT_PONG_RECEIVED);
}

static void test_ccm_id_ack(void)
{
	struct ipa_ccm_result res;

	react_hex(IPA_SIDE_SERVER_ACCEPTED, "0001fe06", &res);
	CHECK(reply_is(&res, "0001fe06"));
	react_hex(IPA_SIDE_OUTGOING, "0001fe06", &res);
	CHECK_EQ_INT(res.action, IPA_CCM_ACT_NONE);
	react_hex(IPA_SIDE_BANKD_ACCEPTED, "0001fe06", &res);
	CHECK(reply_is(&res, "0001fe06"));
}

/* Appendix B: ID_GET(unit name, unit id) -> ID_RESP + ID_ACK, byte-exact. */
#define APPB_ID_GET	"0005fe0401010108"
#define APPB_ID_RESP	"001ffe05 0013 01 30302d30302d30302d30302d30302d303000 0007 08 302f302f3000"

static void test_ccm_id_get_appendix_b(void)
{
	struct ipa_ccm_result res;

	react_hex(IPA_SIDE_OUTGOING, APPB_ID_GET, &res);
	CHECK(reply_is(&res, APPB_ID_RESP "0001fe06"));
	react_hex(IPA_SIDE_SERVER_ACCEPTED, APPB_ID_GET, &res);
	CHECK_EQ_INT(res.action, IPA_CCM_ACT_CLOSE);
	react_hex(IPA_SIDE_BANKD_ACCEPTED, APPB_ID_GET, &res);
	CHECK_EQ_INT(res.action, IPA_CCM_ACT_NONE);
}

/* message-types.txt: ID_GET asking for every tag 0x00..0x08. */
static void test_ccm_id_get_all_tags(void)
{
	struct ipa_ccm_result res;

	react_hex(IPA_SIDE_OUTGOING, "0013fe04010001010102010301040105010601070108", &res);
	CHECK(reply_is(&res,
		"004cfe05"
		"0002 00 00"
		"0013 01 30302d30302d30302d30302d30302d303000"
		"0002 02 00" "0002 03 00" "0002 04 00" "0002 05 00" "0002 06 00"
		"0013 07 30303a30303a30303a30303a30303a303000"
		"0007 08 302f302f3000"
		"0001fe06"));
	react_hex(IPA_SIDE_SERVER_ACCEPTED, "0013fe04010001010102010301040105010601070108", &res);
	CHECK_EQ_INT(res.action, IPA_CCM_ACT_CLOSE);
	react_hex(IPA_SIDE_BANKD_ACCEPTED, "0013fe04010001010102010301040105010601070108", &res);
	CHECK_EQ_INT(res.action, IPA_CCM_ACT_NONE);
}

static void test_ccm_id_get_unknown_tags(void)
{
	struct ipa_ccm_result res;
	uint8_t many[3 + 1 + 2 * 250];
	char hex[2 * sizeof(many) + 1];
	size_t i;

	/* unknown tags around a known one: only the known one is answered */
	react_hex(IPA_SIDE_OUTGOING, "0009fe04 0109 0108 01ff 0180", &res);
	CHECK(reply_is(&res, "000afe05 0007 08 302f302f3000 0001fe06"));
	/* only unknown tags: an empty ID_RESP, then ID_ACK */
	react_hex(IPA_SIDE_OUTGOING, "0005fe04 0109 01ff", &res);
	CHECK(reply_is(&res, "0001fe05 0001fe06"));
	/* no body at all */
	react_hex(IPA_SIDE_OUTGOING, "0001fe04", &res);
	CHECK(reply_is(&res, "0001fe05 0001fe06"));
	/* truncated last element, zero-length element, longer element */
	react_hex(IPA_SIDE_OUTGOING, "0006fe04 00 0208ff 05", &res);
	CHECK(reply_is(&res, "000afe05 0007 08 302f302f3000 0001fe06"));
	/* 250 requests for the unit name: answered once, never overflows */
	many[0] = 0x01; many[1] = 0xf5; many[2] = 0xfe; many[3] = 0x04;
	for (i = 0; i < 250; i++) {
		many[4 + 2 * i] = 0x01;
		many[5 + 2 * i] = (uint8_t)(i % 2 ? 0x01 : 0x07);
	}
	for (i = 0; i < sizeof(many); i++)
		sprintf(hex + 2 * i, "%02x", many[i]);
	react_hex(IPA_SIDE_OUTGOING, hex, &res);
	CHECK(reply_is(&res,
		"002bfe05"
		"0013 07 30303a30303a30303a30303a30303a303000"
		"0013 01 30302d30302d30302d30302d30302d303000"
		"0001fe06"));
	/* the other sides stay as they were */
	react_hex(IPA_SIDE_SERVER_ACCEPTED, "0005fe04 0109 01ff", &res);
	CHECK_EQ_INT(res.action, IPA_CCM_ACT_CLOSE);
	react_hex(IPA_SIDE_BANKD_ACCEPTED, "0005fe04 0109 01ff", &res);
	CHECK_EQ_INT(res.action, IPA_CCM_ACT_NONE);
}

static void test_ccm_id_resp(void)
{
	struct ipa_ccm_result res;
	int i;

	/* Appendix B answer carries a unit id: accepted by the server */
	react_hex(IPA_SIDE_SERVER_ACCEPTED, APPB_ID_RESP, &res);
	CHECK_EQ_INT(res.action, IPA_CCM_ACT_NONE);
	/* message-types.txt: unit name "abc" only, no unit id -> close */
	react_hex(IPA_SIDE_SERVER_ACCEPTED, "0007fe05000401616263", &res);
	CHECK_EQ_INT(res.action, IPA_CCM_ACT_CLOSE);
	/* unit id with an empty value -> close; with 1 octet -> fine */
	react_hex(IPA_SIDE_SERVER_ACCEPTED, "0004fe05000108", &res);
	CHECK_EQ_INT(res.action, IPA_CCM_ACT_CLOSE);
	react_hex(IPA_SIDE_SERVER_ACCEPTED, "0005fe0500020800", &res);
	CHECK_EQ_INT(res.action, IPA_CCM_ACT_NONE);
	/* empty ID_RESP -> close */
	react_hex(IPA_SIDE_SERVER_ACCEPTED, "0001fe05", &res);
	CHECK_EQ_INT(res.action, IPA_CCM_ACT_CLOSE);
	for (i = 1; i < 3; i++) {
		react_hex(sides[i], APPB_ID_RESP, &res);
		CHECK_EQ_INT(res.action, IPA_CCM_ACT_NONE);
		react_hex(sides[i], "0007fe05000401616263", &res);
		CHECK_EQ_INT(res.action, IPA_CCM_ACT_NONE);
	}
}

static void test_ccm_id_resp_overrun(void)
{
	static const char *const bad[] = {
		"0007fe05 0010 08 302f30",		/* LEN16 beyond the frame */
		"000ffe05 0007 08 302f302f3000 00",	/* 1 stray octet */
		"0010fe05 0007 08 302f302f3000 0003",	/* element cut in its header */
		"0005fe05 0000 08 00",			/* LEN16 = 0 */
		"000efe05 0003 01 6162 ffff 08 00 00 00", /* second element overruns */
	};
	struct ipa_ccm_result res;
	size_t k;
	int i;

	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		react_hex(IPA_SIDE_SERVER_ACCEPTED, bad[k], &res);
		CHECK_EQ_INT(res.action, IPA_CCM_ACT_CLOSE);
		for (i = 1; i < 3; i++) {
			react_hex(sides[i], bad[k], &res);
			CHECK_EQ_INT(res.action, IPA_CCM_ACT_NONE);
		}
	}
}

static void test_ccm_idresp_find(void)
{
	uint8_t buf[64];
	size_t n = unhex(APPB_ID_RESP, buf, sizeof(buf));
	struct ipa_frame f = { .proto = 0xfe, .payload = buf + 3, .len = n - 3 };
	const uint8_t *val = NULL;
	size_t vlen = 0;

	CHECK_EQ_INT(ipa_ccm_idresp_find(&f, 0x08, &val, &vlen), 1);
	CHECK_EQ_INT(vlen, 6);
	CHECK(val && memcmp(val, "0/0/0", 6) == 0);
	CHECK_EQ_INT(ipa_ccm_idresp_find(&f, 0x01, &val, &vlen), 1);
	CHECK_EQ_INT(vlen, 18);
	CHECK_EQ_INT(ipa_ccm_idresp_find(&f, 0x07, NULL, NULL), 0);
	f.len = n - 4;	/* cut the last octet */
	CHECK_EQ_INT(ipa_ccm_idresp_find(&f, 0x08, NULL, NULL), IPA_ERR_CCM);
	buf[3] = 0x04;	/* not an ID_RESP */
	CHECK_EQ_INT(ipa_ccm_idresp_find(&f, 0x08, NULL, NULL), IPA_ERR_CCM);
	CHECK_EQ_INT(ipa_ccm_idresp_find(NULL, 0x08, NULL, NULL), IPA_ERR_CCM);
}

static void test_ccm_other_types(void)
{
	static const char *const other[] = {
		"0001fe07", "0001fe02", "0001fe03", "0001fe08", "0001fe09", "0001feff",
		"0003fe070102",
	};
	struct ipa_ccm_result res;
	size_t k;
	int i;

	for (k = 0; k < sizeof(other) / sizeof(other[0]); k++) {
		react_hex(IPA_SIDE_SERVER_ACCEPTED, other[k], &res);
		CHECK_EQ_INT(res.action, IPA_CCM_ACT_CLOSE);
		for (i = 1; i < 3; i++) {
			react_hex(sides[i], other[k], &res);
			CHECK_EQ_INT(res.action, IPA_CCM_ACT_NONE);
		}
	}
	/* trailing octets after body-less types do not matter */
	react_hex(IPA_SIDE_OUTGOING, "0003fe00aabb", &res);
	CHECK(reply_is(&res, "0001fe01"));
}

static void test_ccm_zero_length_and_misuse(void)
{
	struct ipa_ccm_result res;
	struct ipa_frame f = { .proto = 0xfe, .payload = NULL, .len = 0 };
	uint8_t b = 0;
	int i;

	for (i = 0; i < 3; i++) {
		memset(&res, 0, sizeof(res));
		ipa_ccm_react(sides[i], &f, &res);
		CHECK_EQ_INT(res.action, IPA_CCM_ACT_CLOSE);
		CHECK_EQ_INT(res.reply_len, 0);
		f.payload = &b;
		ipa_ccm_react(sides[i], &f, &res);
		CHECK_EQ_INT(res.action, IPA_CCM_ACT_CLOSE);
		f.payload = NULL;
	}
	/* a non-CCM frame or a bogus side is never acted upon */
	f.proto = 0xee; f.payload = &b; f.len = 1;
	ipa_ccm_react(IPA_SIDE_OUTGOING, &f, &res);
	CHECK_EQ_INT(res.action, IPA_CCM_ACT_NONE);
	f.proto = 0xfe;
	ipa_ccm_react((enum ipa_side)7, &f, &res);
	CHECK_EQ_INT(res.action, IPA_CCM_ACT_NONE);
	ipa_ccm_react(IPA_SIDE_OUTGOING, NULL, &res);
	CHECK_EQ_INT(res.action, IPA_CCM_ACT_NONE);
}

/* The whole session through the reassembler and the CCM table of the
 * receiving side of each line: every CCM frame in it is a PING or PONG. */
static void test_ccm_session_frames(void)
{
	size_t i;

	for (i = 0; i < NSESSION; i++) {
		struct ipa_ccm_result res;
		int s;

		if (strncmp(session[i] + 4, "fe", 2) != 0)
			continue;
		for (s = 0; s < 3; s++) {
			react_hex(sides[s], session[i], &res);
			if (strcmp(session[i], "0001fe00") == 0)
				CHECK(reply_is(&res, "0001fe01"));
			else
				CHECK(res.action == IPA_CCM_ACT_PONG_RECEIVED ||
				      (s == 2 && res.action == IPA_CCM_ACT_NONE));
		}
	}
}

static void test_names(void)
{
	int e;

	for (e = 0; e >= -8; e--)
		CHECK(ipa_strerror(e) && *ipa_strerror(e));
	CHECK_EQ_STR(ipa_ccm_type_name(IPA_CCM_ID_GET), "ID_GET");
	CHECK_EQ_STR(ipa_ccm_type_name(0x42), "unknown");
	CHECK_EQ_STR(ipa_side_name(IPA_SIDE_OUTGOING), "outgoing");
}

int main(void)
{
	RUN(test_session_coalesced);
	RUN(test_session_byte_by_byte);
	RUN(test_session_two_by_two);
	RUN(test_session_random_chunks);
	RUN(test_many_small_frames);
	RUN(test_feed_without_draining);
	RUN(test_zero_length);
	RUN(test_oversized);
	RUN(test_truncated_at_eof);
	RUN(test_rspro_classify);
	RUN(test_reasm_wrong_proto_and_ext);
	RUN(test_wrap);
	RUN(test_wrap_limit);
	RUN(test_ccm_ping);
	RUN(test_ccm_pong);
	RUN(test_ccm_id_ack);
	RUN(test_ccm_id_get_appendix_b);
	RUN(test_ccm_id_get_all_tags);
	RUN(test_ccm_id_get_unknown_tags);
	RUN(test_ccm_id_resp);
	RUN(test_ccm_id_resp_overrun);
	RUN(test_ccm_idresp_find);
	RUN(test_ccm_other_types);
	RUN(test_ccm_zero_length_and_misuse);
	RUN(test_ccm_session_frames);
	RUN(test_names);
	return check_summary();
}
