/* SPDX-License-Identifier: GPL-2.0-or-later */
/* readers.c: listing readers, finding one by substring, waiting for a card. */
#include "pcsc_apdu.h"
#include "monotime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int readers_list(SCARDCONTEXT ctx, char **names)
{
	DWORD len = 0;
	*names = NULL;
	LONG rv = SCardListReaders(ctx, NULL, NULL, &len);
	if (rv == (LONG)SCARD_E_NO_READERS_AVAILABLE)
		return 0;
	if (rv != SCARD_S_SUCCESS)
		return -1;
	*names = calloc(1, len + 1);
	if (!*names)
		return -1;
	rv = SCardListReaders(ctx, NULL, *names, &len);
	if (rv != SCARD_S_SUCCESS) {
		free(*names);
		*names = NULL;
		return rv == (LONG)SCARD_E_NO_READERS_AVAILABLE ? 0 : -1;
	}
	int n = 0;
	for (const char *p = *names; *p; p += strlen(p) + 1)
		n++;
	return n;
}

const char *readers_find(const char *names, const char *substr)
{
	if (!names)
		return NULL;
	for (const char *p = names; *p; p += strlen(p) + 1)
		if (!substr || !*substr || strstr(p, substr))
			return p;
	return NULL;
}

int readers_print(SCARDCONTEXT ctx)
{
	char *names;
	int n = readers_list(ctx, &names);
	if (n < 0)
		return -1;
	for (const char *p = names; n > 0 && *p; p += strlen(p) + 1) {
		SCARD_READERSTATE rs = { .szReader = p, .dwCurrentState = SCARD_STATE_UNAWARE };
		SCardGetStatusChange(ctx, 0, &rs, 1);
		if (rs.dwEventState & SCARD_STATE_PRESENT) {
			printf("%s\tpresent\t", p);
			print_hex("", rs.rgbAtr, rs.cbAtr);
		} else {
			printf("%s\t%s\n", p, rs.dwEventState & SCARD_STATE_EMPTY ? "empty" : "unknown");
		}
	}
	free(names);
	return 0;
}

static double now_s(void)
{
	return mono_usf() / 1e6;
}

static int state_ok(DWORD st, int want_present)
{
	if (want_present)
		return (st & SCARD_STATE_PRESENT) && !(st & SCARD_STATE_MUTE);
	return (st & SCARD_STATE_EMPTY) != 0;
}

int readers_wait(const char *substr, int want_present, double timeout_s)
{
	double end = now_s() + timeout_s;
	struct timespec pause = { 0, 50 * 1000000L };
	do {
		SCARDCONTEXT ctx;
		if (SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &ctx) != SCARD_S_SUCCESS) {
			nanosleep(&pause, NULL);
			continue;
		}
		char *names;
		const char *r = NULL;
		if (readers_list(ctx, &names) > 0)
			r = readers_find(names, substr);
		SCARD_READERSTATE rs = { .szReader = r, .dwCurrentState = SCARD_STATE_UNAWARE };
		while (r && now_s() < end) {
			double left = end - now_s();
			DWORD ms = left > 0.5 ? 500 : (DWORD)(left * 1000) + 1;
			LONG rv = SCardGetStatusChange(ctx, ms, &rs, 1);
			if (rv == SCARD_S_SUCCESS && state_ok(rs.dwEventState, want_present)) {
				free(names);
				SCardReleaseContext(ctx);
				return 0;
			}
			if (rv != SCARD_S_SUCCESS && rv != (LONG)SCARD_E_TIMEOUT)
				break;         /* pcscd gone or reader removed: start over */
			rs.dwCurrentState = rs.dwEventState & ~SCARD_STATE_CHANGED;
		}
		free(names);
		SCardReleaseContext(ctx);
		if (!r)
			nanosleep(&pause, NULL);
	} while (now_s() < end);
	return -1;
}
