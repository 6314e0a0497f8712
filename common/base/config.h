/* SPDX-License-Identifier: GPL-2.0-or-later */
/* config.h: a thin layer over libconfig for the role configs in etc/.
 *
 * Every error message names the place it comes from, compiler style:
 *   "etc/bankd.cfg:12: syntax error"
 *   "etc/bankd.cfg:7: 'port' must be between 1 and 65535 (got 70000)"
 * Settings are addressed by a libconfig path ("server.port", "slots.[0]")
 * relative to `base`, or to the root when base is NULL.
 *
 * Getters return 0 when the setting was found and is valid, 1 when it is
 * absent (*out = def), or -1 on a wrong type / out-of-range value (*out is
 * left unchanged; cfg_error() tells why). */
#ifndef REMSIM_CONFIG_H
#define REMSIM_CONFIG_H

#include <stddef.h>
#include <libconfig.h>

struct cfg;

/* Parse a file.  NULL on error, with "file:line: reason" (or "file: reason"
 * when the file cannot be read) in err.  @include paths are relative to the
 * directory of `path`. */
struct cfg *cfg_load(const char *path, char *err, size_t errlen);
void cfg_free(struct cfg **c);

/* The message of the last failed call on c ("" if none). */
const char *cfg_error(const struct cfg *c);
/* Path given to cfg_load(). */
const char *cfg_path(const struct cfg *c);

config_setting_t *cfg_root(struct cfg *c);
/* NULL if absent. */
config_setting_t *cfg_lookup(struct cfg *c, const config_setting_t *base, const char *path);

/* Record "file:line: <message>" about setting s (whole file if s is NULL)
 * as the error of c, and return -1.  For checks the roles do themselves. */
int cfg_fail(struct cfg *c, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Strict names: every member of group g (named `what` in messages) must be
 * one of known[] (NULL-terminated), else -1 with "file:line: unknown key
 * 'bind_prot' in bankd (did you mean 'bind_port'?; known: ...)".  0 when
 * all are known or g is NULL. */
int cfg_check_keys(struct cfg *c, const config_setting_t *g, const char *what,
		   const char *const *known);

/* REMSIM_CHECK_CONFIG=1 (set by `remsimd --check` for each actor): load the
 * config, report what is wrong, exit (0: fine) before doing anything else. */
int cfg_check_only(void);

/* Integers (int or 64-bit int settings), checked against [min, max]. */
int cfg_get_int(struct cfg *c, const config_setting_t *base, const char *path,
		int def, int min, int max, int *out);
int cfg_get_int64(struct cfg *c, const config_setting_t *base, const char *path,
		  long long def, long long min, long long max, long long *out);
/* Floats accept integer settings too. */
int cfg_get_float(struct cfg *c, const config_setting_t *base, const char *path,
		  double def, double min, double max, double *out);
int cfg_get_bool(struct cfg *c, const config_setting_t *base, const char *path,
		 int def, int *out);
/* *out points into c (valid until cfg_free) or is def.  max_len 0: no limit;
 * otherwise longer strings are an error. */
int cfg_get_string(struct cfg *c, const config_setting_t *base, const char *path,
		   const char *def, size_t max_len, const char **out);

/* Call fn for each element of the list, array or group at path (absent:
 * no call, returns 0; a scalar there: -1 with an error).  Stops at the first
 * non-zero return of fn and returns it; fn may call cfg_fail(). */
typedef int (*cfg_each_fn)(struct cfg *c, config_setting_t *elem, unsigned idx, void *arg);
int cfg_foreach(struct cfg *c, const config_setting_t *base, const char *path,
		cfg_each_fn fn, void *arg);

#endif
