/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz_ipa.c: libFuzzer target for common/rspro/ipa.c.
 *
 * The input is a raw TCP byte stream.  It is reassembled three times, in one
 * piece, octet by octet and in chunks whose sizes come from a generator
 * seeded by the input; all three must yield the same frames and the same
 * end state.  Every frame is classified, re-framed (RSPRO frames must come
 * back byte-identical) and run through ipa_ccm_react() for every side;
 * replies must be well-formed IPA frames that fit the result buffer. */
#include "fnv.h"
#include "ipa.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(x) do { if (!(x)) abort(); } while (0)

struct rec {
	uint8_t proto;
	size_t len;
	size_t off;	/* into the copy buffer */
};

struct run {
	struct rec *recs;
	size_t nrecs, maxrecs;
	uint8_t *copy;	/* payloads of the reference pass */
	size_t used;
	int reference;	/* 1: record; 0: compare */
	size_t idx;
	int end_rc;
	size_t pending;
};

static uint32_t seed_of(const uint8_t *d, size_t n)
{
	return fnv1a(d, n);
}

/* A reply must be whole CCM frames of 4 or more octets, nothing else. */
static void check_reply(const struct ipa_ccm_result *res)
{
	size_t pos = 0;

	FUZZ_ASSERT(res->reply_len <= sizeof(res->reply));
	while (pos < res->reply_len) {
		size_t l;

		FUZZ_ASSERT(res->reply_len - pos >= IPA_HDR_LEN + 1);
		l = ((size_t)res->reply[pos] << 8) | res->reply[pos + 1];
		FUZZ_ASSERT(l >= 1 && res->reply[pos + 2] == IPA_PROTO_CCM);
		FUZZ_ASSERT(l <= res->reply_len - pos - IPA_HDR_LEN);
		pos += IPA_HDR_LEN + l;
	}
}

static void inspect(const struct ipa_frame *f)
{
	static const enum ipa_side sides[] = {
		IPA_SIDE_SERVER_ACCEPTED, IPA_SIDE_OUTGOING, IPA_SIDE_BANKD_ACCEPTED,
	};
	const uint8_t *pdu = NULL;
	size_t plen = 0, i;
	int rc = ipa_frame_rspro_pdu(f, &pdu, &plen);

	if (rc == 1) {
		static uint8_t out[IPA_HDR_LEN + 65536];
		int n = ipa_wrap_rspro(out, sizeof(out), pdu, plen);

		FUZZ_ASSERT(n == (int)(f->len + IPA_HDR_LEN));
		FUZZ_ASSERT(out[2] == f->proto && memcmp(out + IPA_HDR_LEN, f->payload, f->len) == 0);
	}
	FUZZ_ASSERT(rc >= IPA_ERR_EXT && rc <= 1);
	for (i = 0; i < sizeof(sides) / sizeof(sides[0]); i++) {
		struct ipa_ccm_result res;

		ipa_ccm_react(sides[i], f, &res);
		FUZZ_ASSERT(res.reason != NULL);
		FUZZ_ASSERT(res.action >= IPA_CCM_ACT_NONE && res.action <= IPA_CCM_ACT_CLOSE);
		if (res.action == IPA_CCM_ACT_REPLY)
			FUZZ_ASSERT(res.reply_len >= IPA_HDR_LEN + 1);
		else
			FUZZ_ASSERT(res.reply_len == 0);
		if (rc != 0)	/* only CCM frames get reactions */
			FUZZ_ASSERT(res.action == IPA_CCM_ACT_NONE);
		check_reply(&res);
	}
	if (rc == 0) {
		const uint8_t *val = NULL;
		size_t vlen = 0;
		int fr = ipa_ccm_idresp_find(f, 0x08, &val, &vlen);

		if (fr == 1)
			FUZZ_ASSERT(val >= f->payload && val + vlen <= f->payload + f->len);
	}
}

static void on_frame(struct run *r, const struct ipa_frame *f)
{
	if (r->reference) {
		FUZZ_ASSERT(r->nrecs < r->maxrecs);
		r->recs[r->nrecs].proto = f->proto;
		r->recs[r->nrecs].len = f->len;
		r->recs[r->nrecs].off = r->used;
		memcpy(r->copy + r->used, f->payload, f->len);
		r->used += f->len;
		r->nrecs++;
		inspect(f);
	} else {
		const struct rec *want;

		FUZZ_ASSERT(r->idx < r->nrecs);
		want = &r->recs[r->idx++];
		FUZZ_ASSERT(want->proto == f->proto && want->len == f->len);
		FUZZ_ASSERT(memcmp(r->copy + want->off, f->payload, f->len) == 0);
	}
}

/* mode 0: one feed; 1: octet by octet; 2: generated chunk sizes. */
static void pass(struct run *r, const uint8_t *data, size_t size, int mode, size_t max)
{
	struct ipa_reasm *ra = ipa_reasm_new(max);
	struct ipa_frame f;
	uint32_t st = seed_of(data, size);
	size_t pos = 0;
	int rc = 0;

	FUZZ_ASSERT(ra != NULL);
	r->idx = 0;
	while (pos < size && rc >= 0) {
		size_t n = size - pos;

		if (mode == 1) {
			n = 1;
		} else if (mode == 2) {
			st = st * 1103515245u + 12345u;
			n = 1 + (st >> 16) % ((st & 1) ? 8 : 1500);
			if (n > size - pos)
				n = size - pos;
		}
		FUZZ_ASSERT(ipa_reasm_feed(ra, data + pos, n) == IPA_OK);
		pos += n;
		while ((rc = ipa_reasm_next(ra, &f)) == 1)
			on_frame(r, &f);
	}
	if (rc < 0)
		FUZZ_ASSERT(ipa_reasm_next(ra, &f) == rc);	/* sticky */
	if (r->reference) {
		r->end_rc = rc;
		r->pending = ipa_reasm_pending(ra);
	} else {
		FUZZ_ASSERT(r->idx == r->nrecs);
		FUZZ_ASSERT(rc == r->end_rc);
		if (rc == 0)
			FUZZ_ASSERT(ipa_reasm_pending(ra) == r->pending);
	}
	ipa_reasm_reset(ra);
	FUZZ_ASSERT(ipa_reasm_pending(ra) == 0);
	ipa_reasm_destroy(&ra);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r;
	size_t max;

	memset(&r, 0, sizeof(r));
	r.maxrecs = size / (IPA_HDR_LEN + 1) + 1;
	r.recs = malloc(r.maxrecs * sizeof(*r.recs));
	r.copy = malloc(size + 1);
	if (!r.recs || !r.copy)
		abort();
	/* the wire default, and a maximum picked by the input */
	for (max = 0; max <= 1; max++) {
		size_t m = max ? 1 + seed_of(data, size) % 65535 : 0;

		r.nrecs = r.used = 0;
		r.reference = 1;
		pass(&r, data, size, 0, m);
		r.reference = 0;
		pass(&r, data, size, 1, m);
		pass(&r, data, size, 2, m);
	}
	free(r.recs);
	free(r.copy);
	return 0;
}
