/* SPDX-License-Identifier: GPL-2.0-or-later */
/* card.c: one PC/SC reader and its card, as a small state machine.
 *
 *   NO_SERVICE --context--> NO_READER --regex match--> READER --connect--> OPEN
 *
 * card_tick() does the periodic work of the current state (tick_fn[]); every
 * PC/SC error is classified (pc_class) and the next state is looked up in
 * after_error[state][class].  Every call made from card_tick() returns at
 * once (SCardGetStatusChange with a zero timeout), so the actor loop never
 * waits on PC/SC for longer than one short request.  Losing an open card
 * (removed, reader gone, pcscd gone) calls events->lost once. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <winscard.h>

#include "log.h"
#include "monotime.h"
#include "reader.h"

enum pc_class { PC_OK, PC_SERVICE, PC_READER, PC_CARD, PC_OTHER, PC_CLASS_COUNT };

/* Where an error leaves us, by state (rows) and error class (columns). */
static const enum card_state after_error[CS_COUNT][PC_CLASS_COUNT] = {
	/*                 OK            SERVICE        READER        CARD          OTHER */
	[CS_NO_SERVICE] = { CS_NO_SERVICE, CS_NO_SERVICE, CS_NO_SERVICE, CS_NO_SERVICE, CS_NO_SERVICE },
	[CS_NO_READER]  = { CS_NO_READER,  CS_NO_SERVICE, CS_NO_READER,  CS_NO_READER,  CS_NO_READER },
	[CS_READER]     = { CS_READER,     CS_NO_SERVICE, CS_NO_READER,  CS_READER,     CS_READER },
	[CS_OPEN]       = { CS_OPEN,       CS_NO_SERVICE, CS_NO_READER,  CS_READER,     CS_OPEN },
};

static const char *const state_names[CS_COUNT] = {
	[CS_NO_SERVICE] = "NO_SERVICE", [CS_NO_READER] = "NO_READER",
	[CS_READER] = "READER", [CS_OPEN] = "OPEN",
};

struct card {
	const struct rdr_conf *conf;
	const struct card_events *ev;
	void *ud;
	enum card_state st;
	regex_t rx;
	int have_rx;
	SCARDCONTEXT ctx;
	SCARDHANDLE h;
	DWORD proto;
	char reader[256];
	uint8_t atr[READER_ATR_MAX];
	size_t atr_len;
	int card_present;		/* last seen in READER state: -1 unknown */
	long last_rv;			/* last error logged in this state (no repeats) */
	long long next_try_ms;		/* NO_SERVICE: next SCardEstablishContext */
	unsigned backoff_ms;
	long long last_ok_ms;		/* OPEN: last call that proved the card is there */
};

static enum pc_class classify(LONG rv)
{
	switch (rv) {
	case SCARD_S_SUCCESS:
		return PC_OK;
	case SCARD_E_NO_SERVICE:
	case SCARD_E_SERVICE_STOPPED:
	case SCARD_E_INVALID_HANDLE:
	case SCARD_E_INVALID_PARAMETER:
	case SCARD_F_COMM_ERROR:
		return PC_SERVICE;
	case SCARD_E_READER_UNAVAILABLE:
	case SCARD_E_UNKNOWN_READER:
	case SCARD_E_NO_READERS_AVAILABLE:
		return PC_READER;
	case SCARD_W_REMOVED_CARD:
	case SCARD_E_NO_SMARTCARD:
	case SCARD_W_UNPOWERED_CARD:
	case SCARD_W_UNRESPONSIVE_CARD:
	case SCARD_W_RESET_CARD:
	case SCARD_E_NOT_TRANSACTED:
	case SCARD_E_PROTO_MISMATCH:
		return PC_CARD;
	default:
		return PC_OTHER;
	}
}

const char *card_state_name(enum card_state s)
{
	return s < CS_COUNT ? state_names[s] : "?";
}

static void drop_handle(struct card *c, DWORD disposition)
{
	if (c->h) {
		SCardDisconnect(c->h, disposition);
		c->h = 0;
	}
	c->atr_len = 0;
	c->proto = 0;
}

static void drop_context(struct card *c)
{
	drop_handle(c, SCARD_LEAVE_CARD);
	if (c->ctx) {
		SCardReleaseContext(c->ctx);
		c->ctx = 0;
	}
}

/* Enter state `to` (releasing what the old state held).  Leaving OPEN
 * calls events->lost unless the release was ours (notify 0). */
static void enter_n(struct card *c, enum card_state to, const char *why, int notify)
{
	enum card_state from = c->st;
	if (from == to)
		return;
	if (to < CS_OPEN)
		drop_handle(c, to == CS_READER ? SCARD_UNPOWER_CARD : SCARD_LEAVE_CARD);
	if (to == CS_NO_SERVICE) {
		drop_context(c);
		c->backoff_ms = c->conf->poll_ms;
		c->next_try_ms = mono_ms() + c->backoff_ms;
	}
	if (to <= CS_NO_READER)
		c->card_present = -1;
	c->st = to;
	c->last_rv = 0;
	LOGI(NULL, "card: %s -> %s%s%s", state_names[from], state_names[to], why ? ": " : "", why ? why : "");
	if (from == CS_OPEN && notify && c->ev->lost)
		c->ev->lost(c->ud, why ? why : state_names[to]);
}

static void enter(struct card *c, enum card_state to, const char *why)
{
	enter_n(c, to, why, 1);
}

/* A PC/SC call failed with rv: log (once per distinct error in a state)
 * and move on as the table says. */
static void pcsc_error(struct card *c, const char *call, LONG rv)
{
	char why[160];
	enum pc_class k = classify(rv);
	snprintf(why, sizeof(why), "%s: %s (0x%08lx)", call, pcsc_stringify_error(rv), (unsigned long)rv);
	enum card_state to = after_error[c->st][k];
	if (to == c->st) {
		if (c->last_rv != rv)
			LOGW(NULL, "%s", why);
		c->last_rv = rv;
		return;
	}
	if (k == PC_SERVICE)
		LOGW(NULL, "PC/SC service lost (%s); re-trying with back-off", why);
	else if (k == PC_READER)
		LOGW(NULL, "reader '%s' gone (%s)", c->reader, why);
	enter(c, to, why);
}

/* --- per-state periodic work -------------------------------------------------- */
static void tick_no_service(struct card *c, int want)
{
	(void)want;
	long long now = mono_ms();
	if (now < c->next_try_ms)
		return;
	LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &c->ctx);
	if (rv != SCARD_S_SUCCESS) {
		c->ctx = 0;
		if (c->last_rv != rv)
			LOGW(NULL, "no PC/SC service: %s (0x%08lx); re-trying every %u ms at most",
			     pcsc_stringify_error(rv), (unsigned long)rv, c->conf->backoff_max_ms);
		c->last_rv = rv;
		c->backoff_ms = c->backoff_ms * 2 > c->conf->backoff_max_ms ? c->conf->backoff_max_ms
									  : c->backoff_ms * 2;
		c->next_try_ms = now + c->backoff_ms;
		return;
	}
	enter(c, CS_NO_READER, "PC/SC context established");
}

static void tick_no_reader(struct card *c, int want)
{
	(void)want;
	char list[8192];
	DWORD len = sizeof(list);
	if (!c->have_rx) {
		if (c->last_rv != 1)
			LOGE(NULL, "no reader configured for bank slot %d (reader.name_pattern / reader.slots)",
			     c->conf->slot);
		c->last_rv = 1;
		return;
	}
	LONG rv = SCardListReaders(c->ctx, NULL, list, &len);
	if (rv == SCARD_E_NO_READERS_AVAILABLE) {
		if (c->last_rv != rv)
			LOGI(NULL, "no PC/SC readers yet; waiting for one matching \"%s\"", c->conf->regex);
		c->last_rv = rv;
		return;
	}
	if (rv != SCARD_S_SUCCESS) {
		pcsc_error(c, "SCardListReaders", rv);
		return;
	}
	for (const char *n = list; n < list + len && *n; n += strlen(n) + 1) {
		if (regexec(&c->rx, n, 0, NULL, 0) == 0) {
			char why[1024];
			snprintf(c->reader, sizeof(c->reader), "%.*s", (int)sizeof(c->reader) - 1, n);
			snprintf(why, sizeof(why), "reader '%.255s' matches \"%.511s\"", n, c->conf->regex);
			enter(c, CS_READER, why);
			return;
		}
	}
	if (c->last_rv != 2)
		LOGI(NULL, "no reader name matches \"%s\" yet; waiting", c->conf->regex);
	c->last_rv = 2;
}

static LONG fetch_atr(struct card *c)
{
	char name[256];
	DWORD nlen = sizeof(name), state, proto, alen = sizeof(c->atr);
	LONG rv = SCardStatus(c->h, name, &nlen, &state, &proto, c->atr, &alen);
	if (rv != SCARD_S_SUCCESS) {
		c->atr_len = 0;
		return rv;
	}
	c->atr_len = alen;
	c->proto = proto;
	c->last_ok_ms = mono_ms();
	return rv;
}

static int read_atr(struct card *c)
{
	LONG rv = fetch_atr(c);
	if (rv != SCARD_S_SUCCESS) {
		pcsc_error(c, "SCardStatus", rv);
		return -1;
	}
	return 0;
}

static void tick_reader(struct card *c, int want)
{
	SCARD_READERSTATE rs = { .szReader = c->reader, .dwCurrentState = SCARD_STATE_UNAWARE };
	LONG rv = SCardGetStatusChange(c->ctx, 0, &rs, 1);
	if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT) {
		pcsc_error(c, "SCardGetStatusChange", rv);
		return;
	}
	if (rs.dwEventState & (SCARD_STATE_UNKNOWN | SCARD_STATE_IGNORE)) {
		LOGW(NULL, "reader '%s' gone", c->reader);
		enter(c, CS_NO_READER, "reader gone");
		return;
	}
	int present = (rs.dwEventState & SCARD_STATE_PRESENT) && !(rs.dwEventState & SCARD_STATE_MUTE);
	if (present != c->card_present) {
		if (c->card_present >= 0 || !present)
			LOGN(NULL, "reader '%s': card %s", c->reader, present ? "inserted" : "absent");
		c->card_present = present;
	}
	if (!want || !present)
		return;
	DWORD share = c->conf->shared ? SCARD_SHARE_SHARED : SCARD_SHARE_EXCLUSIVE;
	rv = SCardConnect(c->ctx, c->reader, share, c->conf->protocols, &c->h, &c->proto);
	if (rv != SCARD_S_SUCCESS) {
		c->h = 0;
		pcsc_error(c, "SCardConnect", rv);
		return;
	}
	if ((rv = fetch_atr(c)) != SCARD_S_SUCCESS) {
		drop_handle(c, SCARD_LEAVE_CARD);
		pcsc_error(c, "SCardStatus", rv);
		return;
	}
	char why[128];
	snprintf(why, sizeof(why), "card connected %s, %s", card_proto_name(c),
		 c->conf->shared ? "shared" : "exclusive");
	enter(c, CS_OPEN, why);
	if (c->ev->opened)
		c->ev->opened(c->ud);
}

static void tick_open(struct card *c, int want)
{
	if (!want) {
		enter_n(c, CS_READER, "no client: card released (unpowered)", 0);
		return;
	}
	if (mono_ms() - c->last_ok_ms < (long long)c->conf->poll_ms)
		return;		/* a recent call proved the card is there */
	DWORD state, proto, alen = READER_ATR_MAX, nlen = 0;
	uint8_t atr[READER_ATR_MAX];
	LONG rv = SCardStatus(c->h, NULL, &nlen, &state, &proto, atr, &alen);
	if (rv != SCARD_S_SUCCESS)
		pcsc_error(c, "SCardStatus", rv);
	else
		c->last_ok_ms = mono_ms();
}

static void (*const tick_fn[CS_COUNT])(struct card *, int) = {
	[CS_NO_SERVICE] = tick_no_service, [CS_NO_READER] = tick_no_reader,
	[CS_READER] = tick_reader, [CS_OPEN] = tick_open,
};

/* --- API ----------------------------------------------------------------------- */
struct card *card_new(const struct rdr_conf *conf, const struct card_events *ev, void *ud)
{
	struct card *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->conf = conf;
	c->ev = ev;
	c->ud = ud;
	c->st = CS_NO_SERVICE;
	c->card_present = -1;
	c->backoff_ms = conf->poll_ms;
	if (conf->regex[0]) {
		if (regcomp(&c->rx, conf->regex, REG_EXTENDED | REG_NOSUB) == 0)
			c->have_rx = 1;
		else
			LOGE(NULL, "invalid reader regex \"%s\"", conf->regex);
	}
	/* libpcsclite reads the variable once, at its first connect. */
	if (conf->pcsc_socket[0])
		setenv("PCSCLITE_CSOCK_NAME", conf->pcsc_socket, 1);
	return c;
}

void card_free(struct card **cp)
{
	struct card *c = *cp;
	if (!c)
		return;
	drop_handle(c, SCARD_UNPOWER_CARD);
	drop_context(c);
	if (c->have_rx)
		regfree(&c->rx);
	free(c);
	*cp = NULL;
}

void card_tick(struct card *c, int want)
{
	enum card_state before;
	int rounds = 0;
	/* Run on while the state advances (context -> reader -> card at once). */
	do {
		before = c->st;
		tick_fn[c->st](c, want);
	} while (c->st != before && c->st != CS_NO_SERVICE && ++rounds < 4);
}

enum card_state card_state(const struct card *c)
{
	return c->st;
}

const uint8_t *card_atr(const struct card *c, size_t *len)
{
	*len = c->atr_len;
	return c->atr;
}

const char *card_proto_name(const struct card *c)
{
	return c->proto == SCARD_PROTOCOL_T1 ? "T=1" : c->proto == SCARD_PROTOCOL_T0 ? "T=0" : "-";
}

const char *card_reader_name(const struct card *c)
{
	return c->st >= CS_READER ? c->reader : "";
}

int card_transmit(struct card *c, const uint8_t *cmd, size_t len, uint8_t *resp, size_t *rlen)
{
	if (c->st != CS_OPEN)
		return -1;
	DWORD n = (DWORD)*rlen;
	LONG rv = SCardTransmit(c->h, c->proto == SCARD_PROTOCOL_T1 ? SCARD_PCI_T1 : SCARD_PCI_T0,
				cmd, (DWORD)len, NULL, resp, &n);
	if (rv != SCARD_S_SUCCESS) {
		LOGE(NULL, "SCardTransmit: %s (0x%08lx)", pcsc_stringify_error(rv), (unsigned long)rv);
		pcsc_error(c, "SCardTransmit", rv);
		return -1;
	}
	if (n < 2) {
		/* vpcd answers a pending transmit with 0 octets when the card goes */
		LOGE(NULL, "SCardTransmit: %lu-octet response (card removed?)", (unsigned long)n);
		enter(c, CS_READER, "empty response from the card");
		return -1;
	}
	c->last_ok_ms = mono_ms();
	*rlen = n;
	return 0;
}

int card_reset(struct card *c, int cold)
{
	if (c->st != CS_OPEN) {
		LOGW(NULL, "%s reset ignored: card not open (%s)", cold ? "cold" : "warm", state_names[c->st]);
		return -1;
	}
	DWORD share = c->conf->shared ? SCARD_SHARE_SHARED : SCARD_SHARE_EXCLUSIVE;
	LONG rv = SCardReconnect(c->h, share, c->conf->protocols,
				 cold ? SCARD_UNPOWER_CARD : SCARD_RESET_CARD, &c->proto);
	if (rv != SCARD_S_SUCCESS) {
		LOGE(NULL, "%s reset: SCardReconnect: %s (0x%08lx)", cold ? "cold" : "warm",
		     pcsc_stringify_error(rv), (unsigned long)rv);
		pcsc_error(c, "SCardReconnect", rv);
		return -1;
	}
	if (read_atr(c) < 0)
		return -1;
	LOGI(NULL, "%s reset done (SCardReconnect %s), %s", cold ? "cold" : "warm",
	     cold ? "SCARD_UNPOWER_CARD" : "SCARD_RESET_CARD", card_proto_name(c));
	return 0;
}

void card_release(struct card *c)
{
	if (c->st == CS_OPEN)
		enter_n(c, CS_READER, "card released (unpowered)", 0);
}
