/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcsc_apdu.h: shared declarations of the pcsc-apdu test client. */
#ifndef PCSC_APDU_H
#define PCSC_APDU_H

#include <stddef.h>
#include <stdint.h>
#include <winscard.h>

/* readers.c */
/* Multi-string of reader names into *names (free with free()); count or -1. */
int readers_list(SCARDCONTEXT ctx, char **names);
/* First reader whose name contains 'substr' (NULL/"" = first reader). */
const char *readers_find(const char *names, const char *substr);
/* Print "name<TAB>present<TAB>ATR-hex" / "name<TAB>empty" per reader. */
int readers_print(SCARDCONTEXT ctx);
/* Wait until the reader matching substr shows a card (want_present) or no
 * card; re-establishes the context while pcscd is away.  0 ok, -1 timeout. */
int readers_wait(const char *substr, int want_present, double timeout_s);

/* stats.c */
void stats_print(const double *us, size_t n);

/* hexio.c */
#include "hexstr.h"
void print_hex(const char *prefix, const uint8_t *b, size_t len);

#endif
