/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reader.h: the bankd's reader actor, one process per bank slot.
 *
 * It owns one PC/SC reader (found by regex) and the one client connection
 * the bankmap actor hands it (BIND), and relays TPDUs between them:
 *   rconf.c    configuration (role file: bankd.bank_id, reader { ... })
 *   card.c     PC/SC context / reader / card life cycle (a state table)
 *   session.c  the client connection: RSPRO in, RSPRO out, resets by edges
 *   gsmtap.c   optional GSMTAP (SIM) tracing of ATRs and APDUs
 *   main.c     actor wiring, bankmap messages, timers
 * See docs/reader.md. */
#ifndef REMSIM_READER_H
#define REMSIM_READER_H

#include <jansson.h>
#include <stdint.h>
#include <stddef.h>
#include <winscard.h>

#include "rspro.h"
#include "version.h"

#define READER_SW_NAME		"remsim-bankd"
#ifndef REMSIM_VERSION
#define REMSIM_VERSION		remsim_version_short()	/* version.h */
#endif
#define READER_ATR_MAX		33	/* pcsc-lite MAX_ATR_SIZE */
#define READER_TPDU_MIN		5
#define READER_TPDU_MAX		260
#define READER_RAPDU_MAX	1024	/* SCardTransmit receive buffer, as osmo-remsim */
#define READER_MAX_CONNS	8	/* connections held at once (only one is served) */

/* --- configuration (rconf.c) ----------------------------------------------- */
struct rdr_conf {
	int slot;			/* bank slot number = actor index */
	long bank_id;
	char regex[512];		/* extended POSIX regex, unanchored ("" = none) */
	char pcsc_socket[512];		/* PCSCLITE_CSOCK_NAME ("" = library default) */
	int shared;			/* SCARD_SHARE_SHARED instead of EXCLUSIVE */
	DWORD protocols;		/* SCARD_PROTOCOL_T0 / T1 / both */
	unsigned poll_ms;		/* reader/card watch period */
	unsigned backoff_max_ms;	/* cap of the PC/SC service re-try back-off */
	char gsmtap_host[256];		/* "" = no tracing */
	int gsmtap_slot;		/* -1: all slots; else only this slot traces */
};

/* Fill c for slot `slot` from the role file `path` (NULL: defaults only).
 * Returns 0, or -1 with "file:line: reason" in err. */
int rconf_load(struct rdr_conf *c, const char *path, int slot, char *err, size_t errlen);

/* --- PC/SC card (card.c) ----------------------------------------------------- */
enum card_state {
	CS_NO_SERVICE = 0,	/* no PC/SC context (pcscd absent or gone) */
	CS_NO_READER,		/* context, but no reader matches the regex */
	CS_READER,		/* reader present, card not opened by us */
	CS_OPEN,		/* card connected: TPDUs can flow */
	CS_COUNT
};

struct card;
/* What the card tells its owner (session.c). */
struct card_events {
	void (*opened)(void *ud);			/* card connected; ATR available */
	void (*lost)(void *ud, const char *why);	/* an open card went away */
};

struct card *card_new(const struct rdr_conf *conf, const struct card_events *ev, void *ud);
void card_free(struct card **c);
/* Periodic work: (re-)establish the context, find the reader, watch the
 * card; open it if `want` (a client needs it), release it if not.  Every
 * PC/SC call made here has a zero timeout. */
void card_tick(struct card *c, int want);
enum card_state card_state(const struct card *c);
const char *card_state_name(enum card_state s);
const uint8_t *card_atr(const struct card *c, size_t *len);
const char *card_proto_name(const struct card *c);	/* "T=0", "T=1" or "-" */
/* SCardTransmit.  Returns 0 with *rlen set, or -1 (already logged; the card
 * state has been updated and `lost` called when the card is gone). */
int card_transmit(struct card *c, const uint8_t *cmd, size_t len, uint8_t *resp, size_t *rlen);
/* Cold (SCARD_UNPOWER_CARD) or warm (SCARD_RESET_CARD) reset of an open
 * card; re-reads the ATR.  0 ok, -1 error (logged). */
int card_reset(struct card *c, int cold);
/* Disconnect (unpowering) if open. */
void card_release(struct card *c);
/* Human summary for logs and the status command. */
const char *card_reader_name(const struct card *c);

/* --- GSMTAP (gsmtap.c) --------------------------------------------------------- */
struct gsmtap;
/* NULL if host is empty or cannot be resolved (logged). */
struct gsmtap *gsmtap_open(const char *host);
void gsmtap_close(struct gsmtap **g);
void gsmtap_atr(struct gsmtap *g, const uint8_t *atr, size_t len);
void gsmtap_apdu(struct gsmtap *g, const uint8_t *c, size_t clen, const uint8_t *r, size_t rlen);

/* --- the client side (session.c) ------------------------------------------------ */
struct actor;
struct actor_conn;
struct session;

struct session *session_new(struct actor *a, const struct rdr_conf *conf);
void session_free(struct session **s);
void session_conn_up(struct session *s, const struct actor_conn *c, int restored);
void session_conn_down(struct session *s, uint32_t conn, const char *reason);
void session_rspro(struct session *s, uint32_t conn, const uint8_t *der, size_t len);
/* bankmap: client slot mapped to us (NULL: none).  Connections of other
 * client slots are closed at once, without another PDU. */
void session_mapping(struct session *s, const struct rspro_client_slot *client);
/* bankmap: ResetStateReq: close every client connection. */
void session_reset_state(struct session *s);
/* Timer: drive the card. */
void session_tick(struct session *s);
/* For the reader-status control command. */
json_t *session_status(const struct session *s);

#endif
