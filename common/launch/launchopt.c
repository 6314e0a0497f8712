/* SPDX-License-Identifier: GPL-2.0-or-later */
/* launchopt.c: the launchers' table-driven option parser, validator and
 * usage text (see launchopt.h). */
#include "launchopt.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "logmask.h"
#include "suggest.h"
#include "version.h"

#define HELP_COL 30

static const struct lopt *row(const struct launch_spec *s, size_t i)
{
	return &s->opts[i];
}

/* "-p/--server-port", "--state-dir" or "-x" */
static const char *opt_label(const struct lopt *o, char *buf, size_t len)
{
	if (o->letter && o->name)
		snprintf(buf, len, "-%c/--%s", o->letter, o->name);
	else if (o->name)
		snprintf(buf, len, "--%s", o->name);
	else
		snprintf(buf, len, "-%c", o->letter);
	return buf;
}

static void hint(const struct launch_spec *s)
{
	fprintf(stderr, "%s\nTry '%s --help' for the list of options.\n", s->synopsis, s->prog);
}

int launch_usage_error(const struct launch_spec *s, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", s->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	hint(s);
	return 2;
}

/* ---- values ---------------------------------------------------------------- */

static int parse_long(const char *v, int base, long *out)
{
	char *end;
	errno = 0;
	if (!*v || isspace((unsigned char)*v))
		return -1;
	long x = strtol(v, &end, base);
	if (*end || errno)
		return -1;
	*out = x;
	return 0;
}

static int host_ok(const char *v, size_t len)
{
	if (!len || len > 253)
		return 0;
	if (v[0] == '[' && v[len - 1] == ']') {	/* [IPv6] */
		v++;
		len -= 2;
		if (!len)
			return 0;
	}
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)v[i]) && !strchr(".-_:%", v[i]))
			return 0;
	return 1;
}

static int port_ok(const char *v, long *out)
{
	long p;
	if (parse_long(v, 10, &p) < 0 || p < 1 || p > 65535)
		return 0;
	if (out)
		*out = p;
	return 1;
}

static int addrport_ok(const char *v)
{
	const char *c = strrchr(v, ':');
	if (!c || !port_ok(c + 1, NULL))
		return 0;
	/* a bare IPv6 address needs brackets: [::1]:9997 */
	size_t hl = (size_t)(c - v);
	if (memchr(v, ':', hl) && v[0] != '[')
		return 0;
	return host_ok(v, hl);
}

static int path_ok(const char *v)
{
	return *v && !strpbrk(v, "\"\\\n");
}

static int user_ok(const char *v)
{
	const char *c = strchr(v, ':');
	return *v && *v != ':' && (!c || (c[1] && !strchr(c + 1, ':')));
}

int launch_check_atr(const char *v)
{
	int digits = 0;
	for (; *v; v++) {
		if (isxdigit((unsigned char)*v))
			digits++;
		else if (!isspace((unsigned char)*v) && *v != ':')
			return 0;
	}
	return digits % 2 == 0 && digits / 2 >= 2 && digits / 2 <= 55;
}

/* What a kind's value must be, for the message. */
static void expected(const struct lopt *o, char *buf, size_t len)
{
	if (o->expect) {
		snprintf(buf, len, "%s", o->expect);
		return;
	}
	switch (o->kind) {
	case LO_PORT: snprintf(buf, len, "a port number 1..65535"); break;
	case LO_INT: snprintf(buf, len, "a whole number %ld..%ld", o->min, o->max); break;
	case LO_HEX: snprintf(buf, len, "a hexadecimal number %lx..%lx", o->min, o->max); break;
	case LO_HOST: snprintf(buf, len, "a host name or IP address"); break;
	case LO_ADDRPORT: snprintf(buf, len, "ADDRESS:PORT with a port 1..65535 ([ADDRESS] for IPv6)"); break;
	case LO_PATH: snprintf(buf, len, "a path without quotes, backslashes or newlines"); break;
	case LO_OSMOLEVEL:
		snprintf(buf, len, "an osmocom log level 0..8 (1 debug, 3 info, 5 notice, 7 error, 8 fatal)");
		break;
	case LO_USER: snprintf(buf, len, "USER or USER:GROUP"); break;
	default: snprintf(buf, len, "a valid value"); break;
	}
}

static int bad_value(const struct launch_spec *s, const struct lopt *o, const char *v, const char *why)
{
	char lab[80], exp[200];
	if (!why) {
		expected(o, exp, sizeof(exp));
		why = exp;
	}
	return launch_usage_error(s, "bad value '%s' for %s: %s", v, opt_label(o, lab, sizeof(lab)), why);
}

/* Check v and store it; 0, 1 when stored as the alternative (LOF_ALT: not
 * counted as given), or 2 after the message. */
static int take(const struct launch_spec *s, const struct lopt *o, const char *v, void *dst)
{
	char *base = dst;
	long n = 0;
	int ok = 1;
	switch (o->kind) {
	case LO_PORT:
		ok = port_ok(v, &n);
		break;
	case LO_INT:
		if (parse_long(v, 10, &n) < 0) {
			if (o->flags & LOF_ALT) {
				*(const char **)(base + o->alt_off) = v;
				return 1;
			}
			ok = 0;
		} else {
			ok = n >= o->min && n <= o->max;
		}
		break;
	case LO_HEX: {
		const char *h = strncasecmp(v, "0x", 2) ? v : v + 2;
		ok = parse_long(h, 16, &n) == 0 && n >= o->min && n <= o->max && *h != '-' && *h != '+';
		break;
	}
	case LO_OSMOLEVEL:
		ok = parse_long(v, 10, &n) == 0 && n >= 0 && n <= 8;
		break;
	case LO_HOST: ok = host_ok(v, strlen(v)); break;
	case LO_ADDRPORT: ok = addrport_ok(v); break;
	case LO_PATH: ok = path_ok(v); break;
	case LO_USER: ok = user_ok(v); break;
	case LO_LOGMASK: {
		int levels[LC_COUNT] = { 0 };
		char err[400];
		if (log_mask_parse(v, levels, err, sizeof(err)) < 0)
			return bad_value(s, o, v, err);
		break;
	}
	default: break;
	}
	if (ok && o->check && !o->check(v))
		ok = 0;
	if (!ok)
		return bad_value(s, o, v, NULL);
	if (o->off == LO_NOWHERE)
		return 0;
	switch (o->kind) {
	case LO_PORT: case LO_INT: case LO_HEX: case LO_OSMOLEVEL:
		*(long *)(base + o->off) = n;
		break;
	case LO_FLAG:
		*(int *)(base + o->off) = 1;
		break;
	default:
		*(const char **)(base + o->off) = v;
		break;
	}
	return 0;
}

static int takes_value(const struct lopt *o)
{
	return o->kind != LO_FLAG && o->kind != LO_HELP && o->kind != LO_VERSION;
}

/* ---- lookup ---------------------------------------------------------------- */

static long find_short(const struct launch_spec *s, char c)
{
	for (size_t i = 0; i < s->nopts; i++)
		if (row(s, i)->kind != LO_SECTION && row(s, i)->letter == c)
			return (long)i;
	return -1;
}

/* exact name, else the one option the prefix names; -1 unknown, -2 ambiguous */
static long find_long(const struct launch_spec *s, const char *name, size_t len)
{
	long hit = -1;
	int n = 0;
	for (size_t i = 0; i < s->nopts; i++) {
		const char *ln = row(s, i)->name;
		if (row(s, i)->kind == LO_SECTION || !ln || strncmp(ln, name, len))
			continue;
		if (strlen(ln) == len)
			return (long)i;
		hit = (long)i;
		n++;
	}
	return n == 1 ? hit : n > 1 ? -2 : -1;
}

static int unknown_long(const struct launch_spec *s, const char *arg, size_t len)
{
	const char *names[s->nopts + 1];
	size_t k = 0;
	for (size_t i = 0; i < s->nopts; i++)
		if (row(s, i)->kind != LO_SECTION && row(s, i)->name)
			names[k++] = row(s, i)->name;
	names[k] = NULL;
	char word[64];
	snprintf(word, sizeof(word), "%.*s", (int)(len < 63 ? len : 63), arg);
	const char *best = suggest_nearest(word, names, 0);
	if (best)
		return launch_usage_error(s, "unknown option '--%s' (did you mean '--%s'?)", word, best);
	return launch_usage_error(s, "unknown option '--%s'", word);
}

/* ---- parse ----------------------------------------------------------------- */

/* One option found; value may be NULL for flags.  0 or the exit code
 * (with res->exit_code set, returning 1 from launch_parse). */
static int apply(const struct launch_spec *s, size_t i, const char *value, void *dst, struct launch_result *res)
{
	const struct lopt *o = row(s, i);
	char lab[80];
	if (o->kind == LO_HELP) {
		launch_usage(s, stdout);
		res->exit_code = 0;
		return 1;
	}
	if (o->kind == LO_VERSION) {
		res->exit_code = version_print(s->prog);
		return 1;
	}
	if (o->flags & s->ignore_flags) {
		fprintf(stderr, "%s: ignoring %s option %s\n", s->prog,
			s->ignored_heading ? s->ignored_heading : "this", opt_label(o, lab, sizeof(lab)));
		return 0;
	}
	int rc = 0;
	if (o->kind == LO_FLAG) {
		if (o->off != LO_NOWHERE)
			*(int *)((char *)dst + o->off) = 1;
	} else {
		rc = take(s, o, value, dst);
	}
	if (rc == 2) {
		res->exit_code = 2;
		return 1;
	}
	if (rc == 0 && i < sizeof(res->seen))
		res->seen[i] = 1;
	return 0;
}

static int missing(const struct launch_spec *s, const struct lopt *o, struct launch_result *res)
{
	char lab[80];
	res->exit_code = launch_usage_error(s, "option %s needs a value (%s)", opt_label(o, lab, sizeof(lab)),
					    o->metavar ? o->metavar : "a value");
	return 1;
}

int launch_parse(const struct launch_spec *s, int argc, char **argv, void *dst, struct launch_result *res)
{
	memset(res->seen, 0, sizeof(res->seen));
	res->exit_code = 0;
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (a[0] != '-' || !a[1])
			break;
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			long k = find_long(s, name, len);
			if (k == -2) {
				res->exit_code = launch_usage_error(s, "option '--%.*s' is ambiguous", (int)len, name);
				return 1;
			}
			if (k < 0) {
				res->exit_code = unknown_long(s, name, len);
				return 1;
			}
			const struct lopt *o = row(s, (size_t)k);
			const char *v = NULL;
			if (takes_value(o)) {
				if (eq)
					v = eq + 1;
				else if (i + 1 < argc)
					v = argv[++i];
				else
					return missing(s, o, res);
			} else if (eq) {
				char lab[80];
				res->exit_code = launch_usage_error(s, "option %s takes no value",
								    opt_label(o, lab, sizeof(lab)));
				return 1;
			}
			if (apply(s, (size_t)k, v, dst, res))
				return 1;
			continue;
		}
		for (const char *p = a + 1; *p; p++) {	/* -x, -xVALUE, -x VALUE, -sT */
			long k = find_short(s, *p);
			if (k < 0) {
				res->exit_code = launch_usage_error(s, "unknown option '-%c'", *p);
				return 1;
			}
			const struct lopt *o = row(s, (size_t)k);
			if (!takes_value(o)) {
				if (apply(s, (size_t)k, NULL, dst, res))
					return 1;
				continue;
			}
			const char *v = p[1] ? p + 1 : i + 1 < argc ? argv[++i] : NULL;
			if (!v)
				return missing(s, o, res);
			if (apply(s, (size_t)k, v, dst, res))
				return 1;
			break;
		}
	}
	if (i < argc) {
		res->exit_code = launch_usage_error(s, "unexpected argument '%s' (%s takes options only)", argv[i],
						    s->prog);
		return 1;
	}
	return 0;
}

/* ---- usage ----------------------------------------------------------------- */

static void usage_line(FILE *f, const struct lopt *o)
{
	char left[96], sh[8] = "    ";
	const char *meta = takes_value(o) && o->metavar ? o->metavar : NULL;
	if (o->letter)
		snprintf(sh, sizeof(sh), "-%c%s", o->letter, o->name ? ", " : "");
	int n = snprintf(left, sizeof(left), "  %s%s%s%s%s", sh, o->name ? "--" : "", o->name ? o->name : "",
			 meta ? " " : "", meta ? meta : "");
	fputs(left, f);
	const char *h = o->help ? o->help : "";
	if (n + 1 >= HELP_COL)
		fprintf(f, "\n%*s", HELP_COL, "");
	else
		fprintf(f, "%*s", HELP_COL - n, "");
	for (const char *nl; (nl = strchr(h, '\n')); h = nl + 1)
		fprintf(f, "%.*s\n%*s", (int)(nl - h), h, HELP_COL, "");
	fprintf(f, "%s\n", h);
}

void launch_usage(const struct launch_spec *s, FILE *f)
{
	fprintf(f, "%s\n", s->synopsis);
	if (s->intro)
		fprintf(f, "%s", s->intro);
	for (size_t i = 0; i < s->nopts; i++) {
		const struct lopt *o = row(s, i);
		if (o->flags & s->ignore_flags)
			continue;
		if (o->kind == LO_SECTION)
			fprintf(f, "%s\n", o->help);
		else
			usage_line(f, o);
	}
	if (s->ignore_flags) {
		int col = fprintf(f, "Accepted and ignored (the %s options):",
				  s->ignored_heading ? s->ignored_heading : "other");
		for (size_t i = 0; i < s->nopts; i++) {
			const struct lopt *o = row(s, i);
			if (o->kind == LO_SECTION || !(o->flags & s->ignore_flags))
				continue;
			char lab[80];
			opt_label(o, lab, sizeof(lab));
			if (col + 1 + (int)strlen(lab) > 78)
				col = fprintf(f, "\n ") - 1;
			col += fprintf(f, " %s", lab);
		}
		fputc('\n', f);
	}
	if (s->outro)
		fprintf(f, "%s", s->outro);
}

int launch_count(const struct launch_spec *s, const struct launch_result *res, unsigned flags, char *list,
		 size_t listlen)
{
	int n = 0;
	size_t o = 0;
	if (list && listlen)
		list[0] = '\0';
	for (size_t i = 0; i < s->nopts && i < sizeof(res->seen); i++) {
		if (!res->seen[i] || !(row(s, i)->flags & flags))
			continue;
		n++;
		if (list && o < listlen) {
			char lab[80];
			o += (size_t)snprintf(list + o, listlen - o, "%s%s", o ? ", " : "",
					      opt_label(row(s, i), lab, sizeof(lab)));
		}
	}
	return n;
}

int launch_given(const struct launch_spec *s, const struct launch_result *res, const char *name)
{
	for (size_t i = 0; i < s->nopts && i < sizeof(res->seen); i++)
		if (row(s, i)->name && !strcmp(row(s, i)->name, name))
			return res->seen[i];
	return 0;
}
