/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcsc_slots_csv.c: reader for bankd_pcsc_slots.csv (see the header for the
 * accepted syntax).  A small state machine over the octets:
 *
 * | state        | space/tab        | ','             | '"'                  | CR/LF              | other        |
 * |--------------|------------------|-----------------|----------------------|--------------------|--------------|
 * | ROW_START    | skip             | empty field     | quoted field starts  | skip (empty line)  | field starts |
 * | FIELD_START  | skip             | empty field     | quoted field starts  | empty field, row   | field starts |
 * | UNQUOTED     | keep (trailing   | end field       | keep (literal)       | end field, row     | keep         |
 * |              | ones dropped)    |                 |                      |                    |              |
 * | QUOTED       | keep             | keep            | -> QUOTE_SEEN        | keep               | keep         |
 * | QUOTE_SEEN   | pending (dropped | end field       | one '"', -> QUOTED   | end field, row     | '"' + char,  |
 * |              | if the field ends)|                |                      |                    | -> QUOTED    |
 *
 * End of input ends the open field and row (an unterminated quote too). */
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcsc_slots_csv.h"

enum st { ROW_START, FIELD_START, UNQUOTED, QUOTED, QUOTE_SEEN };

struct parser {
	const char *name;
	struct pcsc_slots *out;
	char *err;
	size_t errlen;
	/* current field */
	char *f;
	size_t flen, fcap, keep;	/* keep: length without droppable trailing blanks */
	/* current row */
	unsigned ncols, row_line;
	int bank, slot;
	char *regex;
	int failed;
};

static int fail(struct parser *p, unsigned line, const char *fmt, const char *a, const char *b)
{
	char msg[400];
	snprintf(msg, sizeof(msg), fmt, a, b);
	snprintf(p->err, p->errlen, "%s:%u: %s", p->name, line, msg);
	p->failed = 1;
	return -1;
}

static int put(struct parser *p, char c)
{
	if (p->flen + 2 > p->fcap) {
		size_t cap = p->fcap ? p->fcap * 2 : 64;
		char *n = realloc(p->f, cap);
		if (!n)
			return fail(p, p->row_line, "%s%s", "out of memory", "");
		p->f = n;
		p->fcap = cap;
	}
	p->f[p->flen++] = c;
	return 0;
}

/* atoi() without its undefined overflow. */
static int to_int(const char *s)
{
	long v = strtol(s, NULL, 10);
	return v > INT_MAX ? INT_MAX : v < INT_MIN ? INT_MIN : (int)v;
}

static int end_field(struct parser *p)
{
	if (p->failed)
		return -1;
	if (put(p, '\0') < 0)
		return -1;
	p->f[p->keep] = '\0';
	if (p->ncols == 0) {
		p->bank = to_int(p->f);
	} else if (p->ncols == 1) {
		p->slot = to_int(p->f);
	} else {
		regex_t re;
		int rc = regcomp(&re, p->f, REG_EXTENDED | REG_NOSUB);
		if (rc != 0) {
			char why[200];
			regerror(rc, &re, why, sizeof(why));
			return fail(p, p->row_line, "invalid regular expression \"%s\": %s", p->f, why);
		}
		regfree(&re);
		free(p->regex);
		p->regex = strdup(p->f);
		if (!p->regex)
			return fail(p, p->row_line, "%s%s", "out of memory", "");
	}
	p->ncols++;
	p->flen = p->keep = 0;
	return 0;
}

static int end_row(struct parser *p)
{
	if (p->failed)
		return -1;
	if (p->ncols < 3) {
		char n[16];
		snprintf(n, sizeof(n), "%u", p->ncols);
		return fail(p, p->row_line, "%s column(s); a row needs bank_id, slot_nr and a reader name "
			    "regex%s", n, "");
	}
	struct pcsc_slots *o = p->out;
	struct pcsc_slot_row *rows = realloc(o->rows, (o->n + 1) * sizeof(*rows));
	if (!rows)
		return fail(p, p->row_line, "%s%s", "out of memory", "");
	o->rows = rows;
	rows[o->n++] = (struct pcsc_slot_row){ p->bank, p->slot, p->regex, p->row_line };
	p->regex = NULL;
	p->ncols = 0;
	return 0;
}

int pcsc_slots_csv_parse(const char *text, size_t len, const char *name, struct pcsc_slots *out,
			 char *err, size_t errlen)
{
	struct parser p = { .name = name, .out = out, .err = err, .errlen = errlen };
	enum st s = ROW_START;
	unsigned line = 1;
	out->rows = NULL;
	out->n = 0;
	if (errlen)
		err[0] = '\0';
	for (size_t i = 0; i < len && !p.failed; i++) {
		char c = text[i];
		int blank = c == ' ' || c == '\t', term = c == '\r' || c == '\n';
		switch (s) {
		case ROW_START:
		case FIELD_START:
			if (blank)
				break;
			if (s == ROW_START && !term)
				p.row_line = line;
			if (c == ',') {
				end_field(&p);
				s = FIELD_START;
			} else if (c == '"') {
				s = QUOTED;
			} else if (term) {
				if (s == FIELD_START) {
					end_field(&p);
					end_row(&p);
				}
				s = ROW_START;
			} else {
				put(&p, c);
				p.keep = p.flen;
				s = UNQUOTED;
			}
			break;
		case UNQUOTED:
			if (c == ',') {
				end_field(&p);
				s = FIELD_START;
			} else if (term) {
				end_field(&p);
				end_row(&p);
				s = ROW_START;
			} else {
				put(&p, c);
				if (!blank)
					p.keep = p.flen;
			}
			break;
		case QUOTED:
			if (c == '"') {
				s = QUOTE_SEEN;
			} else {
				put(&p, c);
				p.keep = p.flen;
			}
			break;
		case QUOTE_SEEN:
			if (c == ',') {
				end_field(&p);
				s = FIELD_START;
			} else if (term) {
				end_field(&p);
				end_row(&p);
				s = ROW_START;
			} else if (blank) {
				put(&p, c);		/* dropped if the field ends here */
			} else if (c == '"' && p.flen == p.keep) {
				put(&p, '"');		/* "" inside quotes */
				p.keep = p.flen;
				s = QUOTED;
			} else {
				/* non-strict: the quote was data, and so are the blanks after it */
				size_t blanks = p.flen - p.keep;
				p.flen = p.keep;
				put(&p, '"');
				for (size_t k = 0; k < blanks; k++)
					put(&p, ' ');
				put(&p, c);
				p.keep = p.flen;
				s = QUOTED;
			}
			break;
		}
		if (c == '\n' || (c == '\r' && (i + 1 >= len || text[i + 1] != '\n')))
			line++;
	}
	if (!p.failed && s != ROW_START) {
		end_field(&p);
		end_row(&p);
	}
	free(p.f);
	free(p.regex);
	if (p.failed) {
		pcsc_slots_free(out);
		return -1;
	}
	return 0;
}

int pcsc_slots_csv_load(const char *path, struct pcsc_slots *out, char *err, size_t errlen)
{
	out->rows = NULL;
	out->n = 0;
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len + 4096 > cap) {
			char *n = realloc(buf, cap = cap ? cap * 2 : 8192);
			if (!n) {
				free(buf);
				fclose(f);
				snprintf(err, errlen, "%s: out of memory", path);
				return -1;
			}
			buf = n;
		}
		size_t r = fread(buf + len, 1, cap - len, f);
		len += r;
		if (r == 0)
			break;
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		snprintf(err, errlen, "%s: read error", path);
		return -1;
	}
	int rc = pcsc_slots_csv_parse(buf ? buf : "", len, path, out, err, errlen);
	free(buf);
	return rc;
}

const struct pcsc_slot_row *pcsc_slots_find(const struct pcsc_slots *s, int bank_id, int slot_nr)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->rows[i].bank_id == bank_id && s->rows[i].slot_nr == slot_nr)
			return &s->rows[i];
	return NULL;
}

void pcsc_slots_free(struct pcsc_slots *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->rows[i].regex);
	free(s->rows);
	s->rows = NULL;
	s->n = 0;
}
