/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.c: libconfig wrapper with typed, range-checked getters whose errors
 * name file:line of the offending setting (see config.h). */
#include "config.h"
#include "suggest.h"

#include <errno.h>
#include <float.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cfg {
	config_t lc;
	char *path;
	char *dir;		/* include directory: dirname of path, or NULL */
	char err[512];
};

const char *cfg_error(const struct cfg *c)
{
	return c ? c->err : "";
}

const char *cfg_path(const struct cfg *c)
{
	return c ? c->path : "";
}

/* libconfig may name an @included file as written in the directive; show
 * it as opened, i.e. relative to the main file's directory. */
static const char *shown_file(const struct cfg *c, const char *file, char *buf, size_t len)
{
	size_t dl;

	if (!file || strcmp(file, c->path) == 0)
		return c->path;
	if (!c->dir || file[0] == '/')
		return file;
	dl = strlen(c->dir);
	if (strncmp(file, c->dir, dl) == 0 && file[dl] == '/')
		return file;	/* already resolved by libconfig */
	snprintf(buf, len, "%s%s%s", c->dir, strcmp(c->dir, "/") ? "/" : "", file);
	return buf;
}

struct cfg *cfg_load(const char *path, char *err, size_t errlen)
{
	struct cfg *c;
	const char *slash;
	FILE *f;

	if (err && errlen)
		err[0] = '\0';
	f = fopen(path, "r");
	if (!f) {
		if (err && errlen)
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	fclose(f);
	c = calloc(1, sizeof(*c));
	if (!c || !(c->path = strdup(path))) {
		free(c);
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	slash = strrchr(path, '/');
	if (slash)
		c->dir = slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
	config_init(&c->lc);
	if (c->dir)
		config_set_include_dir(&c->lc, c->dir);
	if (config_read_file(&c->lc, path) != CONFIG_TRUE) {
		if (err && errlen) {
			char buf[512];
			const char *file = shown_file(c, config_error_file(&c->lc), buf, sizeof(buf));
			int line = config_error_line(&c->lc);

			if (line > 0)
				snprintf(err, errlen, "%s:%d: %s", file, line, config_error_text(&c->lc));
			else
				snprintf(err, errlen, "%s: %s", file, config_error_text(&c->lc));
		}
		cfg_free(&c);
		return NULL;
	}
	return c;
}

void cfg_free(struct cfg **c)
{
	if (!c || !*c)
		return;
	config_destroy(&(*c)->lc);
	free((*c)->path);
	free((*c)->dir);
	free(*c);
	*c = NULL;
}

config_setting_t *cfg_root(struct cfg *c)
{
	return config_root_setting(&c->lc);
}

config_setting_t *cfg_lookup(struct cfg *c, const config_setting_t *base, const char *path)
{
	config_setting_t *b = base ? (config_setting_t *)base : cfg_root(c);

	if (!path || !*path)
		return b;
	return config_setting_lookup(b, path);
}

/* "server.slots.[2].name" for messages. */
static void setting_name(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *parent;
	size_t used;

	buf[0] = '\0';
	if (!s || config_setting_is_root(s))
		return;
	parent = config_setting_parent(s);
	setting_name(parent, buf, len);
	used = strlen(buf);
	if (used && used + 1 < len)
		buf[used++] = '.', buf[used] = '\0';
	if (config_setting_name(s))
		snprintf(buf + used, len - used, "%s", config_setting_name(s));
	else
		snprintf(buf + used, len - used, "[%d]", config_setting_index(s));
}

static int vfail(struct cfg *c, const config_setting_t *s, const char *fmt, va_list ap)
{
	char buf[512];
	const char *file = shown_file(c, s ? config_setting_source_file(s) : NULL, buf, sizeof(buf));
	unsigned line = s ? config_setting_source_line(s) : 0;
	int n;

	if (line)
		n = snprintf(c->err, sizeof(c->err), "%s:%u: ", file, line);
	else
		n = snprintf(c->err, sizeof(c->err), "%s: ", file);
	if (n < 0 || (size_t)n >= sizeof(c->err))
		return -1;
	vsnprintf(c->err + n, sizeof(c->err) - (size_t)n, fmt, ap);
	return -1;
}

int cfg_fail(struct cfg *c, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(c, s, fmt, ap);
	va_end(ap);
	return -1;
}

/* Find `path`; 1 if absent, 0 if present with one of the accepted types,
 * -1 (error recorded) otherwise. */
static int find_typed(struct cfg *c, const config_setting_t *base, const char *path,
		      unsigned type_mask, const char *what, config_setting_t **out)
{
	char name[256];

	c->err[0] = '\0';
	*out = cfg_lookup(c, base, path);
	if (!*out)
		return 1;
	if (type_mask & (1u << config_setting_type(*out)))
		return 0;
	setting_name(*out, name, sizeof(name));
	return cfg_fail(c, *out, "'%s' must be %s", name, what);
}

#define T(x) (1u << CONFIG_TYPE_##x)

int cfg_get_int64(struct cfg *c, const config_setting_t *base, const char *path,
		  long long def, long long min, long long max, long long *out)
{
	config_setting_t *s;
	char name[256];
	long long v;
	int rc = find_typed(c, base, path, T(INT) | T(INT64), "an integer", &s);

	if (rc == 1)
		*out = def;
	if (rc)
		return rc;
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		setting_name(s, name, sizeof(name));
		return cfg_fail(c, s, "'%s' must be between %lld and %lld (got %lld)",
				name, min, max, v);
	}
	*out = v;
	return 0;
}

int cfg_get_int(struct cfg *c, const config_setting_t *base, const char *path,
		int def, int min, int max, int *out)
{
	long long v;
	int rc = cfg_get_int64(c, base, path, def, min, max, &v);

	if (rc >= 0)
		*out = (int)v;
	return rc;
}

int cfg_get_float(struct cfg *c, const config_setting_t *base, const char *path,
		  double def, double min, double max, double *out)
{
	config_setting_t *s;
	char name[256];
	double v;
	int rc = find_typed(c, base, path, T(INT) | T(INT64) | T(FLOAT), "a number", &s);

	if (rc == 1)
		*out = def;
	if (rc)
		return rc;
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		v = config_setting_get_float(s);
	else
		v = (double)config_setting_get_int64(s);
	if (!(v >= min && v <= max)) {
		setting_name(s, name, sizeof(name));
		return cfg_fail(c, s, "'%s' must be between %g and %g (got %g)", name, min, max, v);
	}
	*out = v;
	return 0;
}

int cfg_get_bool(struct cfg *c, const config_setting_t *base, const char *path,
		 int def, int *out)
{
	config_setting_t *s;
	int rc = find_typed(c, base, path, T(BOOL), "true or false", &s);

	if (rc == 1)
		*out = def;
	if (rc)
		return rc;
	*out = config_setting_get_bool(s) ? 1 : 0;
	return 0;
}

int cfg_get_string(struct cfg *c, const config_setting_t *base, const char *path,
		   const char *def, size_t max_len, const char **out)
{
	config_setting_t *s;
	char name[256];
	const char *v;
	int rc = find_typed(c, base, path, T(STRING), "a string", &s);

	if (rc == 1)
		*out = def;
	if (rc)
		return rc;
	v = config_setting_get_string(s);
	if (max_len && strlen(v) > max_len) {
		setting_name(s, name, sizeof(name));
		return cfg_fail(c, s, "'%s' is longer than %zu characters", name, max_len);
	}
	*out = v;
	return 0;
}

int cfg_foreach(struct cfg *c, const config_setting_t *base, const char *path,
		cfg_each_fn fn, void *arg)
{
	config_setting_t *s;
	int n, i, rc = find_typed(c, base, path, T(LIST) | T(ARRAY) | T(GROUP),
				  "a list, array or group", &s);

	if (rc == 1)
		return 0;
	if (rc)
		return rc;
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		rc = fn(c, config_setting_get_elem(s, (unsigned)i), (unsigned)i, arg);
		if (rc)
			return rc;
	}
	return 0;
}

int cfg_check_keys(struct cfg *c, const config_setting_t *g, const char *what,
		   const char *const *known)
{
	if (!g || !config_setting_is_group(g))
		return 0;
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		const char *nm = config_setting_name(m);
		const char *const *k = known;
		while (*k && (!nm || strcmp(*k, nm)))
			k++;
		if (*k)
			continue;
		const char *best = suggest_nearest(nm, known, 0);
		char list[600];
		suggest_list(known, list, sizeof(list));
		char hint[96] = "";
		if (best)
			snprintf(hint, sizeof(hint), "did you mean '%s'?; ", best);
		return cfg_fail(c, m, "unknown %s '%s' in %s (%sknown: %s)",
				config_setting_is_group(m) ? "group" : "key", nm ? nm : "?", what, hint, list);
	}
	return 0;
}

int cfg_check_only(void)
{
	const char *e = getenv("REMSIM_CHECK_CONFIG");
	return e && *e == '1';
}
