/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcsc_slots_csv.h: osmo-remsim-bankd's `bankd_pcsc_slots.csv` (bankd.md §2):
 * one row per bank slot, `bank_id, slot_nr, reader_name_regex`, e.g.
 *     "1","0","ACS ACR33 ICC Reader 00 00"
 * Parsed like libcsv's default (non-strict) mode: fields separated by
 * commas, optionally quoted with '"' ("" inside quotes is one quote; commas
 * and line breaks inside quotes are data), spaces and tabs around fields
 * dropped, CR, LF or CRLF end a row, empty lines make no row.  Columns 1 and
 * 2 are read like atoi() (garbage gives 0); column 3 and every later one is
 * a POSIX extended regex (the last one wins), matched unanchored.  A row
 * with fewer than 3 columns or an invalid regex rejects the whole file with
 * "FILE:LINE: reason" (LINE = the line where the row starts). */
#ifndef REMSIM_PCSC_SLOTS_CSV_H
#define REMSIM_PCSC_SLOTS_CSV_H

#include <stddef.h>

struct pcsc_slot_row {
	int bank_id, slot_nr;
	char *regex;		/* as written (after CSV unquoting) */
	unsigned line;		/* 1-based line where the row starts */
};

struct pcsc_slots {
	struct pcsc_slot_row *rows;	/* in file order */
	size_t n;
};

/* Parse text; name is used in error messages.  0, or -1 with err set
 * (out is then empty).  Free with pcsc_slots_free() in both cases. */
int pcsc_slots_csv_parse(const char *text, size_t len, const char *name, struct pcsc_slots *out,
			 char *err, size_t errlen);
/* Read and parse a file ("FILE: cannot open: ..." when unreadable). */
int pcsc_slots_csv_load(const char *path, struct pcsc_slots *out, char *err, size_t errlen);
/* The first row for (bank, slot), or NULL. */
const struct pcsc_slot_row *pcsc_slots_find(const struct pcsc_slots *s, int bank_id, int slot_nr);
void pcsc_slots_free(struct pcsc_slots *s);

#endif
