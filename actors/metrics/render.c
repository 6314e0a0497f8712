/* SPDX-License-Identifier: GPL-2.0-or-later */
/* render.c: the Prometheus text exposition format (version 0.0.4) of a
 * role's status, slots and mappings.  Every series is labelled with the
 * role; slot series with the slot ("B1:3", "C0:1") and its actor. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

struct out {
	char *buf;
	size_t len, cap;
	int oom;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	for (int tries = 0; tries < 2 && !o->oom; tries++) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->oom = 1;
			return;
		}
		if ((size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		size_t cap = (o->cap + (size_t)n + 1) * 2;
		char *b = realloc(o->buf, cap);
		if (!b) {
			o->oom = 1;
			return;
		}
		o->buf = b;
		o->cap = cap;
	}
}

/* a label value: backslash, quote and newline escaped */
static const char *lv(const char *s, char *buf, size_t len)
{
	size_t o = 0;
	for (; s && *s && o + 3 < len; s++) {
		if (*s == '\\' || *s == '"' || *s == '\n') {
			buf[o++] = '\\';
			buf[o++] = *s == '\n' ? 'n' : *s;
		} else {
			buf[o++] = *s;
		}
	}
	buf[o] = '\0';
	return buf;
}

static void head(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static long long num(const json_t *row, const char *key)
{
	const json_t *v = json_object_get(row, key);
	return json_is_integer(v) ? (long long)json_integer_value(v) : -1;
}

static const char *str(const json_t *row, const char *key)
{
	const char *s = json_string_value(json_object_get(row, key));
	return s ? s : "";
}

static int slot_up(const json_t *row)
{
	const char *st = str(row, "state");
	return !strcmp(st, "OPERATIONAL") || !strncmp(st, "OPEN, serving", 13);
}

/* one counter/gauge per slot row, from key (skipped when absent) */
static void per_slot(struct out *o, const char *role, const json_t *slots, const char *name,
		     const char *type, const char *help, const char *key, const char *extra)
{
	head(o, name, type, help);
	size_t i;
	const json_t *row;
	char a[96], b[96], r[64];
	json_array_foreach(slots, i, row) {
		long long v = key ? num(row, key) : slot_up(row);
		if (v < 0 || !*str(row, "slot"))
			continue;
		put(o, "%s{role=\"%s\",slot=\"%s\",actor=\"%s\"%s} %lld\n", name, lv(role, r, sizeof(r)),
		    lv(str(row, "slot"), a, sizeof(a)), lv(str(row, "actor"), b, sizeof(b)),
		    extra ? extra : "", v);
	}
}

char *metrics_render(const char *role, int up, const json_t *status, const json_t *slots,
		     const json_t *maps)
{
	struct out o = { 0 };
	char r[64], a[96], b[96];
	lv(role, r, sizeof(r));
	head(&o, "remsim_up", "gauge", "1 when the role's control socket answered the scrape");
	put(&o, "remsim_up{role=\"%s\"} %d\n", r, up);
	size_t i;
	const json_t *row;
	if (json_is_array(status)) {
		head(&o, "remsim_actor_up", "gauge", "1 when the actor is running");
		json_array_foreach(status, i, row)
			put(&o, "remsim_actor_up{role=\"%s\",actor=\"%s\"} %d\n", r,
			    lv(str(row, "name"), a, sizeof(a)), !strcmp(str(row, "state"), "running"));
		head(&o, "remsim_actor_restarts_total", "counter", "restarts of the actor by remsimd");
		json_array_foreach(status, i, row)
			put(&o, "remsim_actor_restarts_total{role=\"%s\",actor=\"%s\"} %lld\n", r,
			    lv(str(row, "name"), a, sizeof(a)), num(row, "restarts") < 0 ? 0 : num(row, "restarts"));
	}
	if (json_is_array(slots)) {
		per_slot(&o, role, slots, "remsim_slot_up", "gauge",
			 "1 when the slot serves (reader: card open and a client; usbslot: OPERATIONAL)",
			 NULL, NULL);
		head(&o, "remsim_tpdus_total", "counter", "TPDUs per slot and direction");
		json_array_foreach(slots, i, row) {
			if (!*str(row, "slot") || num(row, "tpdus_tx") < 0)
				continue;
			lv(str(row, "slot"), a, sizeof(a));
			lv(str(row, "actor"), b, sizeof(b));
			put(&o, "remsim_tpdus_total{role=\"%s\",slot=\"%s\",actor=\"%s\",direction=\"to_card\"} %lld\n",
			    r, a, b, num(row, "tpdus_tx"));
			put(&o, "remsim_tpdus_total{role=\"%s\",slot=\"%s\",actor=\"%s\",direction=\"to_modem\"} %lld\n",
			    r, a, b, num(row, "tpdus_rx"));
		}
		per_slot(&o, role, slots, "remsim_tpdu_errors_total", "counter",
			 "TPDUs dropped or failed, and other slot errors", "errors", NULL);
		per_slot(&o, role, slots, "remsim_reconnects_total", "counter",
			 "connections of the slot lost (client) or served (bankd)", "reconnects", NULL);
		per_slot(&o, role, slots, "remsim_resets_total", "counter", "card resets of the slot",
			 "resets", NULL);
		per_slot(&o, role, slots, "remsim_tpdu_rtt_microseconds", "gauge",
			 "TPDU round trip over the last 256 TPDUs", "rtt_p50_us", ",quantile=\"0.5\"");
		json_array_foreach(slots, i, row)
			if (*str(row, "slot") && num(row, "rtt_p99_us") >= 0)
				put(&o, "remsim_tpdu_rtt_microseconds{role=\"%s\",slot=\"%s\",actor=\"%s\","
				    "quantile=\"0.99\"} %lld\n", r, lv(str(row, "slot"), a, sizeof(a)),
				    lv(str(row, "actor"), b, sizeof(b)), num(row, "rtt_p99_us"));
	}
	if (json_is_array(maps)) {
		static const char *const states[] = { "NEW", "UNACKNOWLEDGED", "ACTIVE", "DELETE_REQ",
			"DELETING", NULL };
		head(&o, "remsim_mappings", "gauge", "slot mappings by state");
		for (const char *const *st = states; *st; st++) {
			long long n = 0;
			json_array_foreach(maps, i, row)
				n += !strcmp(str(row, "state"), *st);
			put(&o, "remsim_mappings{role=\"%s\",state=\"%s\"} %lld\n", r, *st, n);
		}
	}
	if (o.oom) {
		free(o.buf);
		return NULL;
	}
	return o.buf ? o.buf : strdup("");
}
