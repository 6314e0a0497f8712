/* SPDX-License-Identifier: GPL-2.0-or-later */
/* script.c: optional scripted answers (--script FILE).
 *
 * Each non-empty line not starting with '#' is "C-APDU-HEX = R-APDU-HEX".
 * A C-APDU that matches a line exactly gets that R-APDU instead of the
 * built-in behaviour; everything else goes to the command table. */
#include "vcard.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct script_entry {
	uint8_t c[261];
	size_t clen;
	uint8_t r[VCARD_MAX_RAPDU];
	size_t rlen;
};

static struct script_entry *entries;
static size_t n_entries;

int script_load(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		LOGE(NULL, "cannot open script %s", path);
		return -1;
	}
	char line[2048];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		char *s = line + strspn(line, " \t");
		if (*s == '#' || *s == '\n' || *s == '\0')
			continue;
		char *eq = strchr(s, '=');
		struct script_entry e;
		if (!eq) {
			rc = -1;
		} else {
			*eq = '\0';
			int cl = hex_parse(s, e.c, sizeof(e.c));
			int rl = hex_parse(eq + 1, e.r, sizeof(e.r));
			if (cl < 4 || rl < 2)
				rc = -1;
			e.clen = (size_t)cl;
			e.rlen = (size_t)rl;
		}
		if (rc) {
			LOGE(NULL, "%s:%d: expected 'C-APDU-HEX = R-APDU-HEX'", path, lineno);
			break;
		}
		struct script_entry *n = realloc(entries, (n_entries + 1) * sizeof(*n));
		if (!n) {
			rc = -1;
			break;
		}
		entries = n;
		entries[n_entries++] = e;
	}
	fclose(f);
	if (!rc)
		LOGI(NULL, "script %s: %zu answers", path, n_entries);
	return rc;
}

int script_lookup(const uint8_t *capdu, size_t len, uint8_t *rapdu, size_t max)
{
	for (size_t i = 0; i < n_entries; i++) {
		const struct script_entry *e = &entries[i];
		if (e->clen == len && memcmp(e->c, capdu, len) == 0 && e->rlen <= max) {
			memcpy(rapdu, e->r, e->rlen);
			return (int)e->rlen;
		}
	}
	return -1;
}
