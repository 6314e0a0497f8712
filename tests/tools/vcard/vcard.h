/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vcard.h: shared declarations of the virtual SIM card (tests/tools/vcard).
 *
 * The card speaks the vpcd protocol (docs/testing-pcsc.md) to a pcscd that loaded the
 * vsmartcard vpcd driver.  Modules: link.c (TCP framing and socket options),
 * card.c (control codes, ATR, APDU entry), cmds.c (command table), fs.c (file
 * tree), algo.c (RUN GSM ALGORITHM), script.c (scripted answers); hex text via common/base/hexstr.h. */
#ifndef VCARD_H
#define VCARD_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define VCARD_MAX_ATR 33
#define VCARD_MAX_RAPDU 258       /* 256 data octets + SW1 SW2 */
#define VCARD_MAX_MSG 65535       /* vpcd LEN field is 16 bits */

#include "hexstr.h"

/* ---- fs.c: a tiny SIM file tree ---- */
enum fs_type { FS_MF, FS_DF, FS_EF_TRANSPARENT };

struct fs_file {
	uint16_t fid;
	enum fs_type type;
	const struct fs_file *parent;
	uint16_t size;            /* EF only */
	const uint8_t *data;      /* EF only, size octets */
};

void fs_init(const char *iccid_digits, const char *imsi_digits);
const struct fs_file *fs_mf(void);
/* Resolve a FID relative to the current DF (children, the DF itself, its
 * parent, sibling DFs, the MF), as GSM 11.11 / TS 102 221 allow. */
const struct fs_file *fs_select_fid(const struct fs_file *cur_df, uint16_t fid);
/* GSM 11.11 response to SELECT/STATUS; returns its length. */
size_t fs_gsm_response(const struct fs_file *f, uint8_t *out, size_t max);
/* TS 102 221 FCP template (tag 62); returns its length. */
size_t fs_fcp(const struct fs_file *f, uint8_t *out, size_t max);

/* ---- algo.c ---- */
/* Deterministic stand-in for A3/A8: SRES (4) and Kc (8) from RAND and Ki. */
void gsm_algo(const uint8_t ki[16], const uint8_t rand_[16], uint8_t sres[4], uint8_t kc[8]);

/* ---- script.c: exact-match C-APDU -> R-APDU overrides ---- */
int script_load(const char *path);
/* Answer for this C-APDU if the script has one: returns length, else -1. */
int script_lookup(const uint8_t *capdu, size_t len, uint8_t *rapdu, size_t max);

/* ---- card.c / cmds.c: card state and command dispatch ---- */
struct card {
	uint8_t atr[VCARD_MAX_ATR];
	size_t atr_len;
	int t1;                          /* ATR offers T=1 (answer case 4 directly) */
	uint8_t ki[16];
	int powered;
	const struct fs_file *cur_df;
	const struct fs_file *cur_ef;    /* NULL if no EF selected */
	uint8_t pending[256];            /* data for GET RESPONSE */
	size_t pending_len;
	unsigned long apdus;             /* C-APDUs answered since start */
};

/* A parsed C-APDU (ISO 7816-3 short form as sent over T=0). */
struct apdu {
	uint8_t cla, ins, p1, p2;
	int gsm;                         /* CLA A0 */
	size_t lc;                       /* command data length */
	const uint8_t *data;
	int has_le;
	size_t le;                       /* 0 in P3 / Le means 256 */
};

/* Response under construction: data then SW. */
struct rapdu {
	uint8_t buf[VCARD_MAX_RAPDU];
	size_t len;
};

void card_init(struct card *c);
void card_power(struct card *c, int on);
/* Answer one C-APDU; returns the R-APDU length (≥ 2). */
size_t card_apdu(struct card *c, const uint8_t *capdu, size_t len, uint8_t *rapdu);
/* Handle one command from the table (cmds.c); fills r, returns SW. */
uint16_t cmds_dispatch(struct card *c, const struct apdu *a, struct rapdu *r);

/* ---- link.c: vpcd TCP transport ---- */
/* Non-blocking connect with timeout; fd ≥ 0 or -1.  Signals in 'waitmask' are
 * deliverable while waiting. */
int link_connect(const char *host, const char *port, int timeout_ms, const sigset_t *waitmask);
/* Receive one framed message (QUICKACK before every recv); returns payload
 * length, 0 on orderly EOF, -1 on error, -2 if interrupted by a signal. */
int link_recv(int fd, uint8_t *buf, size_t max, const sigset_t *waitmask);
/* Send one framed message with a single send(); 0 or -1. */
int link_send(int fd, const uint8_t *payload, size_t len);

#endif
