/* SPDX-License-Identifier: GPL-2.0-or-later */
/* print.c: human output of results.  The generic printer shows an array of
 * objects as a table (columns: the keys in order of first appearance), an
 * object as "key: value" lines and anything else as itself.  The server's
 * mapping commands (maps, banks, clients, history, map, unmap, reset) have
 * their own tables (docs/control.md shapes). */
#include <ctype.h>
#include <string.h>

#include "ctl.h"

/* Scalar as text; nested values as compact JSON.  Caller frees. */
static char *cell_text(const json_t *v)
{
	char buf[64];
	switch (json_typeof(v)) {
	case JSON_STRING:
		return strdup(json_string_value(v));
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return strdup(buf);
	case JSON_REAL:
		snprintf(buf, sizeof(buf), "%g", json_real_value(v));
		return strdup(buf);
	case JSON_TRUE:
		return strdup("yes");
	case JSON_FALSE:
		return strdup("no");
	case JSON_NULL:
		return strdup("-");
	default:
		return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	}
}

static void upper(char *dst, const char *src, size_t len)
{
	size_t i = 0;
	for (; src[i] && i + 1 < len; i++)
		dst[i] = (src[i] >= 'a' && src[i] <= 'z') ? (char)(src[i] - 32) : src[i];
	dst[i] = '\0';
}

static void put_cell(FILE *out, const char *t, size_t width, int last)
{
	if (last)
		fprintf(out, "%s\n", t);
	else
		fprintf(out, "%-*s  ", (int)width, t);
}

/* Print rows (array of objects) under the given columns. */
static void print_table(FILE *out, const json_t *rows, const char *const *cols,
			const char *const *heads, size_t ncols,
			char *(*cell)(const char *col, const json_t *row))
{
	size_t nrows = json_array_size(rows);
	size_t *w = calloc(ncols, sizeof(size_t));
	char **cells = calloc(nrows * ncols + 1, sizeof(char *));
	if (!w || !cells)
		goto out;
	char (*h)[64] = calloc(ncols, sizeof(*h));
	if (!h)
		goto out;
	for (size_t c = 0; c < ncols; c++) {
		upper(h[c], heads ? heads[c] : cols[c], sizeof(h[c]));
		w[c] = strlen(h[c]);
	}
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < ncols; c++) {
			char *t = cell(cols[c], json_array_get(rows, r));
			cells[r * ncols + c] = t;
			if (t && strlen(t) > w[c])
				w[c] = strlen(t);
		}
	for (size_t c = 0; c < ncols; c++)
		put_cell(out, h[c], w[c], c + 1 == ncols);
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < ncols; c++) {
			const char *t = cells[r * ncols + c] ? cells[r * ncols + c] : "";
			put_cell(out, t, w[c], c + 1 == ncols);
		}
	free(h);
out:
	for (size_t i = 0; cells && i < nrows * ncols; i++)
		free(cells[i]);
	free(cells);
	free(w);
}

static char *generic_cell(const char *col, const json_t *row)
{
	const json_t *v = json_is_object(row) ? json_object_get(row, col) : NULL;
	return v ? cell_text(v) : strdup("");
}

void ctl_print_generic(FILE *out, const json_t *result)
{
	if (!result || json_is_null(result))
		return;
	if (json_is_array(result)) {
		if (json_array_size(result) == 0) {
			fprintf(out, "(none)\n");
			return;
		}
		const char *cols[64];
		size_t ncols = 0, i;
		const json_t *row;
		json_array_foreach(result, i, row) {
			const char *key;
			const json_t *val;
			if (!json_is_object(row)) {
				char *t = cell_text(row);
				fprintf(out, "%s\n", t ? t : "");
				free(t);
				continue;
			}
			json_object_foreach((json_t *)row, key, val) {
				size_t k = 0;
				while (k < ncols && strcmp(cols[k], key) != 0)
					k++;
				if (k == ncols && ncols < sizeof(cols) / sizeof(cols[0]))
					cols[ncols++] = key;
			}
		}
		if (ncols)
			print_table(out, result, cols, NULL, ncols, generic_cell);
		return;
	}
	if (json_is_object(result)) {
		const char *key;
		const json_t *val;
		json_object_foreach((json_t *)result, key, val) {
			char *t = cell_text(val);
			fprintf(out, "%s: %s\n", key, t ? t : "");
			free(t);
		}
		return;
	}
	char *t = cell_text(result);
	fprintf(out, "%s\n", t ? t : "");
	free(t);
}

static char *uptime_text(json_int_t s)
{
	char buf[32];
	if (s <= 0)
		snprintf(buf, sizeof(buf), "-");
	else if (s < 60)
		snprintf(buf, sizeof(buf), "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, sizeof(buf), "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, sizeof(buf), "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
	else
		snprintf(buf, sizeof(buf), "%lldd%02lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
	return strdup(buf);
}

static char *status_cell(const char *col, const json_t *row)
{
	const json_t *v = json_object_get(row, col);
	if (strcmp(col, "uptime_s") == 0)
		return uptime_text(json_is_integer(v) ? json_integer_value(v) : 0);
	if (strcmp(col, "pid") == 0 && (!json_is_integer(v) || json_integer_value(v) <= 0))
		return strdup("-");
	if (!v || (json_is_string(v) && !*json_string_value(v)))
		return strdup("-");
	return cell_text(v);
}

void ctl_print_status(FILE *out, const json_t *result)
{
	static const char *const cols[] = { "name", "pid", "state", "restarts", "uptime_s", "last_exit" };
	static const char *const heads[] = { "name", "pid", "state", "restarts", "uptime", "last exit" };
	if (!json_is_array(result)) {
		ctl_print_generic(out, result);
		return;
	}
	if (json_array_size(result) == 0) {
		fprintf(out, "(no actors)\n");
		return;
	}
	print_table(out, result, cols, heads, sizeof(cols) / sizeof(cols[0]), status_cell);
}

/* ---- slots (every role) ------------------------------------------------------ */

static char *int_or_dash(const json_t *v, const char *unit)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return strdup("-");
	char buf[48];
	snprintf(buf, sizeof(buf), "%lld%s", (long long)json_integer_value(v), unit);
	return strdup(buf);
}

static char *slot_cell(const char *col, const json_t *row)
{
	if (!strcmp(col, "tpdus")) {
		char buf[64];
		json_int_t tx = json_integer_value(json_object_get(row, "tpdus_tx"));
		json_int_t rx = json_integer_value(json_object_get(row, "tpdus_rx"));
		snprintf(buf, sizeof(buf), "%lld/%lld", (long long)tx, (long long)rx);
		return strdup(buf);
	}
	if (!strcmp(col, "rtt")) {
		char *a = int_or_dash(json_object_get(row, "rtt_p50_us"), "");
		char *b = int_or_dash(json_object_get(row, "rtt_p99_us"), "");
		char buf[64];
		snprintf(buf, sizeof(buf), "%s/%s us", a ? a : "-", b ? b : "-");
		free(a);
		free(b);
		return strdup(buf);
	}
	if (!strcmp(col, "last_tpdu_s"))
		return int_or_dash(json_object_get(row, col), " s ago");
	const json_t *v = json_object_get(row, col);
	if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
		return strdup("-");
	return cell_text(v);
}

void ctl_print_slots(FILE *out, const json_t *result)
{
	static const char *const cols[] = { "actor", "slot", "state", "peer", "mapped", "tpdus",
		"errors", "resets", "reconnects", "last_tpdu_s", "rtt", "last_error" };
	static const char *const heads[] = { "actor", "slot", "state", "peer", "mapped", "tpdus tx/rx",
		"errors", "resets", "reconnects", "last tpdu", "rtt p50/p99", "last error" };
	if (!json_is_array(result)) {
		ctl_print_generic(out, result);
		return;
	}
	if (json_array_size(result) == 0) {
		fprintf(out, "(no slots)\n");
		return;
	}
	print_table(out, result, cols, heads, sizeof(cols) / sizeof(cols[0]), slot_cell);
}

/* ---- log levels ------------------------------------------------------------ */

static char *str_or_dash(const json_t *v);

/* "info", "debug*" (* = set at run time), or the row's error */
static char *log_cell(const char *col, const json_t *row)
{
	if (!strcmp(col, "actor") || !strcmp(col, "default"))
		return str_or_dash(json_object_get(row, col));
	const json_t *lv = json_object_get(json_object_get(row, "levels"), col);
	if (!json_is_string(lv))
		return strdup(!strcmp(col, "DMAIN") && json_object_get(row, "error") ?
			      json_string_value(json_object_get(row, "error")) : "-");
	char buf[32];
	size_t i;
	const json_t *o;
	int over = 0;
	json_array_foreach(json_object_get(row, "overridden"), i, o)
		over |= json_is_string(o) && !strcmp(json_string_value(o), col);
	snprintf(buf, sizeof(buf), "%s%s", json_string_value(lv), over ? "*" : "");
	for (char *p = buf; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return strdup(buf);
}

void ctl_print_log(FILE *out, const json_t *result)
{
	static const char *const cols[] = { "actor", "default", "DMAIN", "DST2", "DRSPRO", "DREST",
		"DSLOTMAP", "DBANKDW", "DGSMTAP", "DBROKER", "DSUP", "DTPDU" };
	if (!json_is_array(result)) {
		ctl_print_generic(out, result);
		return;
	}
	print_table(out, result, cols, NULL, sizeof(cols) / sizeof(cols[0]), log_cell);
	fprintf(out, "(* set at run time; kept for restarted actors)\n");
}

/* ---- server role: mapping tables ------------------------------------------ */

static json_int_t int_at(const json_t *o, const char *a, const char *b)
{
	const json_t *v = json_object_get(o, a);
	if (b)
		v = json_object_get(v, b);
	return json_is_integer(v) ? json_integer_value(v) : -1;
}

static char *pair_text(const json_t *row, const char *obj, const char *idkey, char prefix)
{
	char buf[48];
	snprintf(buf, sizeof(buf), "%c%lld:%lld", prefix, (long long)int_at(row, obj, idkey),
		 (long long)int_at(row, obj, "slotNr"));
	return strdup(buf);
}

static char *str_or_dash(const json_t *v)
{
	const char *s = json_string_value(v);
	return strdup(s && *s ? s : "-");
}

static char *map_cell(const char *col, const json_t *row)
{
	if (!strcmp(col, "client"))
		return pair_text(row, "client", "clientId", 'C');
	if (!strcmp(col, "bank"))
		return pair_text(row, "bank", "bankId", 'B');
	return str_or_dash(json_object_get(row, col));
}

/* A table of the server's shape if the rows have key `probe` of type
 * `type`; anything else goes to the generic printer. */
static void print_rows(FILE *out, const json_t *result, const char *const *cols,
		       const char *const *heads, size_t ncols,
		       char *(*cell)(const char *col, const json_t *row), const char *none,
		       const char *probe, json_type type)
{
	const json_t *first = json_array_get(result, 0);
	const json_t *p = first ? json_object_get(first, probe) : NULL;
	if (!json_is_array(result) || (first && (!p || json_typeof(p) != type))) {
		ctl_print_generic(out, result);
		return;
	}
	if (json_array_size(result) == 0) {
		fprintf(out, "%s\n", none);
		return;
	}
	print_table(out, result, cols, heads, ncols, cell);
}

void ctl_print_maps(FILE *out, const json_t *result)
{
	static const char *const cols[] = { "client", "bank", "state" };
	print_rows(out, result, cols, NULL, 3, map_cell, "(no mappings)", "client",
		   JSON_OBJECT);
}

/* component_id fields and the bank's numbers */
static char *peer_cell(const char *col, const json_t *row)
{
	const json_t *id = json_object_get(row, "component_id");
	if (!strcmp(col, "numberOfSlots")) {
		char buf[24];
		snprintf(buf, sizeof(buf), "%lld", (long long)int_at(row, col, NULL));
		return strdup(buf);
	}
	if (!strcmp(col, "name") || !strcmp(col, "software") || !strcmp(col, "swVersion") ||
	    !strcmp(col, "hwModel"))
		return str_or_dash(json_object_get(id, col));
	return str_or_dash(json_object_get(row, col));
}

void ctl_print_banks(FILE *out, const json_t *result)
{
	static const char *const cols[] = { "peer", "numberOfSlots", "state", "name", "software",
					    "swVersion" };
	static const char *const heads[] = { "bank", "slots", "state", "name", "software", "version" };
	print_rows(out, result, cols, heads, 6, peer_cell, "(no bankds connected)",
		   "component_id", JSON_OBJECT);
}

/* a bankd's rows: strings, and integers as numbers */
static char *bankd_client_cell(const char *col, const json_t *row)
{
	const json_t *v = json_object_get(row, col);
	if (json_is_integer(v)) {
		char buf[24];
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return strdup(buf);
	}
	return str_or_dash(v);
}

void ctl_print_clients(FILE *out, const json_t *result)
{
	const json_t *first = json_array_get(result, 0);
	if (json_object_get(first, "bank_slot")) {	/* a bankd: who its readers serve */
		static const char *const bcols[] = { "bank_slot", "client", "peer", "state", "since", "tpdus",
						     "conn" };
		static const char *const bheads[] = { "bank slot", "client", "peer", "state", "since", "tpdus",
						      "conn" };
		print_rows(out, result, bcols, bheads, 7, bankd_client_cell, "(no clients connected)", "bank_slot",
			   JSON_STRING);
		return;
	}
	static const char *const cols[] = { "peer", "state", "name", "software", "swVersion" };
	static const char *const heads[] = { "client", "state", "name", "software", "version" };
	print_rows(out, result, cols, heads, 5, peer_cell, "(no clients connected)",
		   "component_id", JSON_OBJECT);
}

static char *event_cell(const char *col, const json_t *row)
{
	return str_or_dash(json_object_get(row, col));
}

/* The reply is newest first; people read logs oldest first. */
void ctl_print_history(FILE *out, const json_t *result)
{
	static const char *const cols[] = { "time", "event", "client", "bank", "state", "origin",
					    "detail" };
	json_int_t pruned = int_at(result, "pruned", NULL);
	if (json_is_object(result) && pruned >= 0) {	/* history --prune */
		fprintf(out, "%lld history row(s) pruned, %lld left (keep %lld days, at most %lld rows)%s\n",
			(long long)pruned, (long long)int_at(result, "rows", NULL),
			(long long)int_at(result, "keep_days", NULL), (long long)int_at(result, "max_rows", NULL),
			json_is_true(json_object_get(result, "more")) ? "; more in the background" : "");
		return;
	}
	if (!json_is_array(result)) {
		ctl_print_generic(out, result);
		return;
	}
	json_t *rev = json_array();
	for (size_t i = json_array_size(result); i-- > 0;)
		json_array_append(rev, json_array_get(result, i));
	print_rows(out, rev, cols, NULL, 7, event_cell, "(no events)", "event", JSON_STRING);
	json_decref(rev);
}

static void print_one_map(FILE *out, const char *what, const json_t *m)
{
	if (!json_is_object(m)) {
		ctl_print_generic(out, m);
		return;
	}
	char *c = map_cell("client", m), *b = map_cell("bank", m), *s = map_cell("state", m);
	fprintf(out, "%s %s -> %s (%s)\n", what, c, b, s);
	free(c);
	free(b);
	free(s);
}

void ctl_print_map(FILE *out, const json_t *result)
{
	if (!json_is_array(result)) {
		print_one_map(out, "mapped", result);
		return;
	}
	size_t i;
	const json_t *m;
	json_array_foreach(result, i, m)	/* map --batch */
		print_one_map(out, "mapped", m);
	fprintf(out, "%zu mapping(s) created\n", json_array_size(result));
}

void ctl_print_unmap(FILE *out, const json_t *result)
{
	print_one_map(out, "unmapped", result);
}

void ctl_print_reset(FILE *out, const json_t *result)
{
	json_int_t n = int_at(result, "removed", NULL);
	if (n < 0)
		ctl_print_generic(out, result);
	else
		fprintf(out, "%lld mapping(s) removed\n", (long long)n);
}
