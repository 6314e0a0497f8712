/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ifd.c: the IFD handler entry points pcscd calls (pcsc-lite's ifdhandler.h,
 * API 3.0).  One channel per Lun (reader); pcscd may drive several readers
 * of this driver at once, each with its own lock and socket.  Every call is
 * one request to the client role's ifd frontend (docs/ifd.md); a link that
 * does not answer in time is IFD_COMMUNICATION_ERROR (IFD_ICC_NOT_PRESENT
 * for the presence poll), logged, never a hang. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#pragma GCC visibility push(default)
#include <ifdhandler.h>
#include <reader.h>
#pragma GCC visibility pop

#include "ifd_remsim.h"
#include "log.h"

#define MAX_READERS 16
#define ATR_MAX 55
#define PRESENCE_TIMEOUT_MS 500
#define DEFAULT_TIMEOUT_MS 10000

struct chan {
	int used;
	DWORD lun;
	pthread_mutex_t mu;
	struct ifd_link *link;
	struct ifd_target tg;
	uint8_t atr[ATR_MAX];
	size_t atr_len;
	int present;
	char ctx[48];
};

static struct chan chans[MAX_READERS];
static pthread_mutex_t table_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int timeout_ms = DEFAULT_TIMEOUT_MS;

static void init(void)
{
	log_init("ifd_remsim");
	const char *e = getenv("REMSIM_IFD_TIMEOUT_MS");
	if (e && atoi(e) > 0)
		timeout_ms = atoi(e);
}

/* the channel of Lun, locked; NULL if none */
static struct chan *get(DWORD lun)
{
	struct chan *c = NULL;
	pthread_once(&init_once, init);
	pthread_mutex_lock(&table_mu);
	for (int i = 0; i < MAX_READERS; i++)
		if (chans[i].used && chans[i].lun == lun)
			c = &chans[i];
	pthread_mutex_unlock(&table_mu);
	if (c)
		pthread_mutex_lock(&c->mu);
	return c;
}

static void put(struct chan *c)
{
	pthread_mutex_unlock(&c->mu);
}

/* a reply 'S' present ATR: remember it; returns present (0/1) or -1 */
static int take_status(struct chan *c, const uint8_t *rep, int n)
{
	if (n < 2 || rep[0] != 'S')
		return -1;
	int p = rep[1] == 1;
	size_t alen = p ? (size_t)n - 2 : 0;
	if (alen > ATR_MAX)
		alen = ATR_MAX;
	if (p != c->present)
		LOGN(c->ctx, "card %s", p ? "present" : "absent");
	c->present = p;
	memcpy(c->atr, rep + 2, alen);
	c->atr_len = alen;
	return p;
}

static void log_error_reply(struct chan *c, const char *what, const uint8_t *rep, int n)
{
	if (n >= 1 && rep[0] == 'E')
		LOGE(c->ctx, "%s: %.*s", what, n - 1, (const char *)rep + 1);
	else
		LOGE(c->ctx, "%s: unexpected reply (%d octets)", what, n);
}

RESPONSECODE IFDHCreateChannelByName(DWORD Lun, LPSTR DeviceName)
{
	pthread_once(&init_once, init);
	char ctx[48], err[600];
	snprintf(ctx, sizeof(ctx), "reader %lu", (unsigned long)(Lun >> 16));
	struct ifd_target tg;
	if (ifd_target_parse(DeviceName, &tg, err, sizeof(err)) < 0) {
		LOGE(ctx, "%s", err);
		return IFD_COMMUNICATION_ERROR;
	}
	pthread_mutex_lock(&table_mu);
	struct chan *c = NULL;
	for (int i = 0; i < MAX_READERS && !c; i++)
		if (!chans[i].used)
			c = &chans[i];
	if (!c) {
		pthread_mutex_unlock(&table_mu);
		LOGE(ctx, "more than %d readers of this driver", MAX_READERS);
		return IFD_COMMUNICATION_ERROR;
	}
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->mu, NULL);
	c->tg = tg;
	c->lun = Lun;
	snprintf(c->ctx, sizeof(c->ctx), "%s", ctx);
	c->link = ifd_link_open(tg.sock_path, ctx);
	if (!c->link) {
		pthread_mutex_destroy(&c->mu);
		pthread_mutex_unlock(&table_mu);
		return IFD_COMMUNICATION_ERROR;
	}
	c->used = 1;
	pthread_mutex_unlock(&table_mu);
	LOGI(ctx, "DEVICENAME '%s': client role socket %s", DeviceName ? DeviceName : "", tg.sock_path);
	/* first use: start the role unless it runs (as a service, or from an
	 * earlier pcscd); a restarting slot actor leaves its broker alive */
	char ctl[IFD_PATH_MAX + 16];
	snprintf(ctl, sizeof(ctl), "%s/control", tg.run_dir);
	if (!ifd_unix_alive(tg.sock_path) && !ifd_unix_alive(ctl))
		ifd_spawn_role(&tg, ctx);
	return IFD_SUCCESS;
}

RESPONSECODE IFDHCreateChannel(DWORD Lun, DWORD Channel)
{
	(void)Channel;	/* no DEVICENAME: the defaults 0:0:127.0.0.1:9998 */
	return IFDHCreateChannelByName(Lun, "");
}

RESPONSECODE IFDHCloseChannel(DWORD Lun)
{
	struct chan *c = get(Lun);
	if (!c)
		return IFD_COMMUNICATION_ERROR;
	LOGI(c->ctx, "closed");
	ifd_link_close(&c->link);
	pthread_mutex_lock(&table_mu);
	c->used = 0;
	pthread_mutex_unlock(&table_mu);
	put(c);
	pthread_mutex_destroy(&c->mu);
	return IFD_SUCCESS;
}

RESPONSECODE IFDHGetCapabilities(DWORD Lun, DWORD Tag, PDWORD Length, PUCHAR Value)
{
	if (Tag == TAG_IFD_SIMULTANEOUS_ACCESS || Tag == TAG_IFD_THREAD_SAFE || Tag == TAG_IFD_SLOTS_NUMBER ||
	    Tag == TAG_IFD_SLOT_THREAD_SAFE) {
		if (*Length < 1)
			return IFD_ERROR_INSUFFICIENT_BUFFER;
		*Length = 1;
		Value[0] = Tag == TAG_IFD_SIMULTANEOUS_ACCESS ? MAX_READERS : Tag == TAG_IFD_SLOT_THREAD_SAFE ? 0 : 1;
		return IFD_SUCCESS;
	}
	if (Tag != TAG_IFD_ATR && Tag != SCARD_ATTR_ATR_STRING)
		return IFD_ERROR_TAG;
	struct chan *c = get(Lun);
	if (!c)
		return IFD_COMMUNICATION_ERROR;
	RESPONSECODE rc = IFD_SUCCESS;
	if (*Length < c->atr_len) {
		rc = IFD_ERROR_INSUFFICIENT_BUFFER;
	} else {
		memcpy(Value, c->atr, c->atr_len);
		*Length = (DWORD)c->atr_len;
	}
	put(c);
	return rc;
}

RESPONSECODE IFDHSetCapabilities(DWORD Lun, DWORD Tag, DWORD Length, PUCHAR Value)
{
	(void)Lun;
	(void)Tag;
	(void)Length;
	(void)Value;
	return IFD_NOT_SUPPORTED;
}

RESPONSECODE IFDHSetProtocolParameters(DWORD Lun, DWORD Protocol, UCHAR Flags, UCHAR PTS1, UCHAR PTS2,
				       UCHAR PTS3)
{
	(void)Lun;
	(void)Flags;
	(void)PTS1;
	(void)PTS2;
	(void)PTS3;
	/* the bank's reader speaks to the card; we relay APDUs either way */
	return Protocol == SCARD_PROTOCOL_T0 || Protocol == SCARD_PROTOCOL_T1 ? IFD_SUCCESS
									  : IFD_PROTOCOL_NOT_SUPPORTED;
}

RESPONSECODE IFDHPowerICC(DWORD Lun, DWORD Action, PUCHAR Atr, PDWORD AtrLength)
{
	uint8_t req[1], rep[2 + ATR_MAX];
	const char *what;
	switch (Action) {
	case IFD_POWER_UP: req[0] = 'U'; what = "power up"; break;
	case IFD_POWER_DOWN: req[0] = 'D'; what = "power down"; break;
	case IFD_RESET: req[0] = 'R'; what = "reset"; break;
	default: return IFD_NOT_SUPPORTED;
	}
	struct chan *c = get(Lun);
	if (!c)
		return IFD_COMMUNICATION_ERROR;
	RESPONSECODE rc = IFD_SUCCESS;
	*AtrLength = 0;
	int n = ifd_link_ask(c->link, req, 1, rep, sizeof(rep), timeout_ms, 0);
	int p = n < 0 ? -1 : take_status(c, rep, n);
	if (n < 0) {
		rc = IFD_COMMUNICATION_ERROR;
	} else if (p < 0) {
		log_error_reply(c, what, rep, n);
		rc = IFD_COMMUNICATION_ERROR;
	} else if (Action == IFD_POWER_DOWN) {
		c->atr_len = 0;
	} else if (!p) {
		LOGW(c->ctx, "%s: no card", what);
		rc = IFD_ERROR_POWER_ACTION;
	} else {
		memcpy(Atr, c->atr, c->atr_len);
		*AtrLength = (DWORD)c->atr_len;
	}
	put(c);
	return rc;
}

RESPONSECODE IFDHTransmitToICC(DWORD Lun, SCARD_IO_HEADER SendPci, PUCHAR TxBuffer, DWORD TxLength,
			       PUCHAR RxBuffer, PDWORD RxLength, PSCARD_IO_HEADER RecvPci)
{
	(void)SendPci;
	uint8_t req[1 + 261], rep[1 + 258];
	DWORD max = *RxLength;
	*RxLength = 0;
	if (RecvPci)
		RecvPci->Protocol = SendPci.Protocol;
	struct chan *c = get(Lun);
	if (!c)
		return IFD_COMMUNICATION_ERROR;
	RESPONSECODE rc = IFD_COMMUNICATION_ERROR;
	if (TxLength < 4 || TxLength > 261) {
		LOGE(c->ctx, "APDU of %lu octets not sent (short APDUs only: 4..261)", (unsigned long)TxLength);
		put(c);
		return IFD_COMMUNICATION_ERROR;
	}
	req[0] = 'T';
	memcpy(req + 1, TxBuffer, TxLength);
	int n = ifd_link_ask(c->link, req, 1 + TxLength, rep, sizeof(rep), timeout_ms, 0);
	if (n >= 1 && rep[0] == 'R') {
		if ((DWORD)(n - 1) > max) {
			LOGE(c->ctx, "response of %d octets does not fit %lu", n - 1, (unsigned long)max);
			rc = IFD_ERROR_INSUFFICIENT_BUFFER;
		} else {
			memcpy(RxBuffer, rep + 1, (size_t)n - 1);
			*RxLength = (DWORD)(n - 1);
			rc = IFD_SUCCESS;
		}
	} else if (n >= 0) {
		log_error_reply(c, "transmit", rep, n);
	}
	put(c);
	return rc;
}

RESPONSECODE IFDHControl(DWORD Lun, DWORD dwControlCode, PUCHAR TxBuffer, DWORD TxLength, PUCHAR RxBuffer,
			 DWORD RxLength, LPDWORD pdwBytesReturned)
{
	(void)Lun;
	(void)dwControlCode;
	(void)TxBuffer;
	(void)TxLength;
	(void)RxBuffer;
	(void)RxLength;
	if (pdwBytesReturned)
		*pdwBytesReturned = 0;
	return IFD_ERROR_NOT_SUPPORTED;
}

RESPONSECODE IFDHICCPresence(DWORD Lun)
{
	uint8_t req[1] = { 'S' }, rep[2 + ATR_MAX];
	struct chan *c = get(Lun);
	if (!c)
		return IFD_COMMUNICATION_ERROR;
	int n = ifd_link_ask(c->link, req, 1, rep, sizeof(rep), PRESENCE_TIMEOUT_MS, 1);
	int p = n < 0 ? 0 : take_status(c, rep, n);
	if (n < 0 && c->present) {
		LOGN(c->ctx, "card absent (no link)");
		c->present = 0;
	}
	put(c);
	return p > 0 ? IFD_ICC_PRESENT : IFD_ICC_NOT_PRESENT;
}
