/* SPDX-License-Identifier: GPL-2.0-or-later */
/* batch.c: reads the pairs of `remsim-ctl map --batch FILE` (FILE "-" is
 * stdin): one "CLIENT:SLOT BANK:SLOT" per line, blank lines and lines
 * starting with '#' ignored.  The role checks the slots themselves (and
 * names a bad pair); here only the shape of each line is checked. */
#include <errno.h>
#include <string.h>

#include "ctl.h"

#define MAX_PAIRS 16384	/* one request; the table is scanned per pair */

int ctl_read_pairs(const char *path, json_t **args, char *err, size_t errlen)
{
	int use_stdin = !strcmp(path, "-");
	FILE *f = use_stdin ? stdin : fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	const char *name = use_stdin ? "(stdin)" : path;
	json_t *a = json_array();
	char line[256];
	int ln = 0, rc = 0;
	while (fgets(line, sizeof(line), f)) {
		ln++;
		char *save, *p = line + strspn(line, " \t\r\n");
		if (!*p || *p == '#')
			continue;
		char *c = strtok_r(p, " \t\r\n", &save), *b = strtok_r(NULL, " \t\r\n", &save);
		if (!b || strtok_r(NULL, " \t\r\n", &save)) {
			snprintf(err, errlen, "%s:%d: want 'CLIENT:SLOT BANK:SLOT'", name, ln);
			rc = -1;
			break;
		}
		if (json_array_size(a) >= 2 * MAX_PAIRS) {
			snprintf(err, errlen, "%s:%d: more than %d pairs", name, ln, MAX_PAIRS);
			rc = -1;
			break;
		}
		json_array_append_new(a, json_string(c));
		json_array_append_new(a, json_string(b));
	}
	if (!rc && ferror(f)) {
		snprintf(err, errlen, "reading %s: %s", name, strerror(errno));
		rc = -1;
	}
	if (!rc && json_array_size(a) == 0) {
		snprintf(err, errlen, "%s: no pairs", name);
		rc = -1;
	}
	if (!use_stdin)
		fclose(f);
	if (rc)
		json_decref(a);
	else
		*args = a;
	return rc;
}
