/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rspro-dump: read IPA frames written as hex (one per line) and print what
 * they carry: one line per frame with the message and its fields, or the
 * frame re-encoded by our codec (--reencode), or asn1c's XER (--xer).
 * Operators use it to read captures; the tests use it on the vectors. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hexstr.h"
#include "ipa.h"
#include "rspro.h"
#include "version.h"

enum mode { MODE_FIELDS, MODE_SUMMARY, MODE_REENCODE, MODE_XER };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: rspro-dump [OPTIONS] [FILE...]\n"
		"Reads IPA frames as hex, one frame per line (spaces between hex digits are\n"
		"allowed; blank lines and lines starting with # are skipped), from the FILEs\n"
		"or from standard input, and prints one line per frame.\n"
		"\n"
		"  (default)         message name, then every field as name=value\n"
		"  -s, --summary     the short one-line summary our logs use\n"
		"  -r, --reencode    the frame decoded and re-encoded (DER) by our codec, as hex\n"
		"  -x, --xer         the XER (XML) view of the RSPRO PDU\n"
		"  -h, --help        this text\n"
		"\n"
		"IPA CCM frames print as IPA_PING, IPA_PONG, IPA_ID_GET ... (re-encoded as read).\n"
		"Exit status: 0 if every frame decoded, 1 if any did not (each failure is\n"
		"reported on stderr as FILE:LINE: reason), 2 on usage errors.\n");
}

static const char *ccm_name(uint8_t t)
{
	switch (t) {
	case IPA_CCM_PING: return "IPA_PING";
	case IPA_CCM_PONG: return "IPA_PONG";
	case IPA_CCM_ID_GET: return "IPA_ID_GET";
	case IPA_CCM_ID_RESP: return "IPA_ID_RESP";
	case IPA_CCM_ID_ACK: return "IPA_ID_ACK";
	case IPA_CCM_ID_NACK: return "IPA_ID_NACK";
	default: return NULL;
	}
}

static void print_hex(const uint8_t *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", d[i]);
	putchar('\n');
}

/* Handle one frame; returns 0 or -1 after reporting the error. */
static int dump_frame(const char *where, const uint8_t *raw, size_t rawlen, enum mode mode)
{
	static struct rspro_msg msg;	/* large; one at a time */
	struct rspro_decode_info info;
	struct ipa_frame f;
	const uint8_t *pdu;
	size_t pdulen;
	char text[8192];
	int rc;

	struct ipa_reasm *r = ipa_reasm_new(65535);
	if (!r || ipa_reasm_feed(r, raw, rawlen) != IPA_OK) {
		fprintf(stderr, "%s: out of memory\n", where);
		ipa_reasm_destroy(&r);
		return -1;
	}
	rc = ipa_reasm_next(r, &f);
	if (rc <= 0) {
		fprintf(stderr, "%s: %s\n", where, rc == 0 ? "IPA frame shorter than its length field says"
						  : ipa_strerror(rc));
		ipa_reasm_destroy(&r);
		return -1;
	}
	if (ipa_reasm_pending(r)) {
		fprintf(stderr, "%s: %zu octets after the IPA frame\n", where, ipa_reasm_pending(r));
		ipa_reasm_destroy(&r);
		return -1;
	}
	rc = ipa_frame_rspro_pdu(&f, &pdu, &pdulen);
	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", where, ipa_strerror(rc));
		ipa_reasm_destroy(&r);
		return -1;
	}
	if (rc == 0) {			/* CCM */
		const char *n = f.len ? ccm_name(f.payload[0]) : NULL;
		if (mode == MODE_REENCODE)
			print_hex(raw, rawlen);
		else if (mode == MODE_XER)
			printf("%s\n", n ? n : "IPA_CCM");
		else {
			printf("%s", n ? n : "IPA_CCM_UNKNOWN");
			if (f.len > 1) {
				printf(" body=");
				for (size_t i = 1; i < f.len; i++)
					printf("%02x", f.payload[i]);
			}
			putchar('\n');
		}
		ipa_reasm_destroy(&r);
		return 0;
	}

	rc = rspro_decode(pdu, pdulen, &msg, &info);
	if (rc < 0) {
		fprintf(stderr, "%s: RSPRO decode failed: %s (%s)\n", where, rspro_strerror(rc), info.reason);
		ipa_reasm_destroy(&r);
		return -1;
	}
	if (info.unknown_choice)
		fprintf(stderr, "%s: note: RSPRO message of an unknown type (CHOICE alternative we do not know)\n", where);
	if (info.trailing)
		fprintf(stderr, "%s: note: %zu octets after the RSPRO PDU were ignored\n", where, info.trailing);

	switch (mode) {
	case MODE_FIELDS:
		printf("%s\n", rspro_format(&msg, text, sizeof(text)));
		break;
	case MODE_SUMMARY:
		printf("%s\n", rspro_summary(&msg, text, sizeof(text)));
		break;
	case MODE_XER:
		rc = rspro_xer(pdu, pdulen, text, sizeof(text));
		if (rc < 0) {
			fprintf(stderr, "%s: XER failed: %s\n", where, rspro_strerror(rc));
			break;
		}
		printf("%s\n", text);
		break;
	case MODE_REENCODE: {
		uint8_t der[RSPRO_PDU_MAX + 16], frame[RSPRO_PDU_MAX + 32];
		if (msg.type == RSPRO_MSG_UNKNOWN) {
			fprintf(stderr, "%s: cannot re-encode a message of unknown type\n", where);
			rc = -1;
			break;
		}
		rc = rspro_encode(&msg, der, sizeof(der));
		if (rc < 0) {
			fprintf(stderr, "%s: re-encode failed: %s\n", where, rspro_strerror(rc));
			break;
		}
		rc = ipa_wrap_rspro(frame, sizeof(frame), der, (size_t)rc);
		if (rc < 0) {
			fprintf(stderr, "%s: IPA framing failed: %s\n", where, ipa_strerror(rc));
			break;
		}
		print_hex(frame, (size_t)rc);
		rc = 0;
		break;
	}
	}
	ipa_reasm_destroy(&r);
	return rc < 0 ? -1 : 0;
}

static int dump_stream(FILE *in, const char *name, enum mode mode)
{
	char *line = NULL;
	size_t cap = 0;
	long lineno = 0;
	int failures = 0;
	static uint8_t raw[70000];

	while (getline(&line, &cap, in) >= 0) {
		char where[512];
		const char *why = NULL;
		char *p = line;
		lineno++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		snprintf(where, sizeof(where), "%s:%ld", name, lineno);
		long n = hex_parse_why(p, raw, sizeof(raw), &why);
		if (n < 0) {
			fprintf(stderr, "%s: %s\n", where, why);
			failures++;
			continue;
		}
		if (dump_frame(where, raw, (size_t)n, mode) < 0)
			failures++;
		fflush(stdout);
	}
	free(line);
	return failures;
}

int main(int argc, char **argv)
{
	if (version_flag(argc, argv, "rspro-dump"))
		return 0;
	static const struct option opts[] = {
		{ "summary", no_argument, NULL, 's' },
		{ "reencode", no_argument, NULL, 'r' },
		{ "xer", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum mode mode = MODE_FIELDS;
	int c, failures = 0;

	while ((c = getopt_long(argc, argv, "srxh", opts, NULL)) != -1) {
		switch (c) {
		case 's': mode = MODE_SUMMARY; break;
		case 'r': mode = MODE_REENCODE; break;
		case 'x': mode = MODE_XER; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc)
		return dump_stream(stdin, "<stdin>", mode) ? 1 : 0;
	for (int i = optind; i < argc; i++) {
		FILE *f = strcmp(argv[i], "-") == 0 ? stdin : fopen(argv[i], "r");
		if (!f) {
			fprintf(stderr, "rspro-dump: %s: %s\n", argv[i], strerror(errno));
			failures++;
			continue;
		}
		failures += dump_stream(f, argv[i], mode);
		if (f != stdin)
			fclose(f);
	}
	return failures ? 1 : 0;
}
