/* SPDX-License-Identifier: GPL-2.0-or-later */
/* logconf.c: the role config's `log` group (see logconf.h). */
#include "logconf.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "log.h"

/* A level setting: a level name or an osmocom number (0..8). */
static int level_of(struct cfg *c, const config_setting_t *s, const char *what, int *out)
{
	if (config_setting_type(s) == CONFIG_TYPE_INT) {
		int n = config_setting_get_int(s);
		if (n < 0 || n > 8)
			return cfg_fail(c, s, "%s must be an osmocom level 0..8 or a level name (got %d)", what, n);
		*out = log_level_from_osmo(n);
		return 0;
	}
	const char *v = config_setting_get_string(s);
	int l = v ? log_level_any(v) : -1;
	if (l < 0)
		return cfg_fail(c, s, "%s must be one of debug, info, notice, warn, error, fatal "
				"(or an osmocom number 0..8), not %s%s%s", what, v ? "'" : "a non-string",
				v ? v : "", v ? "'" : "");
	*out = l;
	return 0;
}

static int read_categories(struct cfg *c, const config_setting_t *s, struct logconf *lc)
{
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		char err[400];
		if (log_mask_parse(config_setting_get_string(s), lc->levels, err, sizeof(err)) < 0)
			return cfg_fail(c, s, "log.categories: %s", err);
		return 0;
	}
	if (!config_setting_is_group(s))
		return cfg_fail(c, s, "log.categories must be an osmo mask string (\"DMAIN,1:DRSPRO,3\") "
				"or a group { DRSPRO = \"debug\"; ... }");
	if (cfg_check_keys(c, s, "log.categories", log_cat_names()))
		return -1;
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
		char what[64];
		snprintf(what, sizeof(what), "log.categories.%s", config_setting_name(m));
		if (level_of(c, m, what, &lc->levels[log_cat_parse(config_setting_name(m))]))
			return -1;
	}
	return 0;
}

static int read_facility(struct cfg *c, const config_setting_t *s, int *out)
{
	static const struct { const char *name; int fac; } facs[] = {
		{ "user", LOG_USER }, { "daemon", LOG_DAEMON }, { "local0", LOG_LOCAL0 },
		{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
		{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
		{ "local7", LOG_LOCAL7 },
	};
	const char *v = config_setting_get_string(s);
	for (size_t i = 0; v && i < sizeof(facs) / sizeof(facs[0]); i++)
		if (!strcasecmp(v, facs[i].name)) {
			*out = facs[i].fac;
			return 0;
		}
	return cfg_fail(c, s, "log.syslog_facility must be one of user, daemon, local0 .. local7%s%s%s",
			v ? " (got '" : "", v ? v : "", v ? "')" : "");
}

int logconf_read(struct cfg *c, struct logconf *lc)
{
	static const char *const known[] = { "level", "categories", "target", "timestamps",
					     "syslog_facility", NULL };
	*lc = (struct logconf){ .timestamps = -1, .facility = LOG_DAEMON };
	log_levels_default(lc->levels);
	const config_setting_t *g = config_setting_get_member(cfg_root(c), "log");
	if (!g)
		return 0;
	if (!config_setting_is_group(g))
		return cfg_fail(c, g, "'log' must be a group { level = \"info\"; ... }");
	if (cfg_check_keys(c, g, "log", known))
		return -1;
	const config_setting_t *s;
	int lvl;
	if ((s = config_setting_get_member(g, "level"))) {
		if (level_of(c, s, "log.level", &lvl))
			return -1;
		log_levels_all(lc->levels, lvl);
	}
	if ((s = config_setting_get_member(g, "categories")) && read_categories(c, s, lc))
		return -1;
	const char *target = NULL;
	if (cfg_get_string(c, g, "target", "stderr", 0, &target) < 0)
		return -1;
	if (strcmp(target, "stderr") && strcmp(target, "syslog"))
		return cfg_fail(c, config_setting_get_member(g, "target"),
				"log.target must be \"stderr\" or \"syslog\" (got '%s')", target);
	lc->syslog = !strcmp(target, "syslog");
	if (config_setting_get_member(g, "timestamps") &&
	    cfg_get_bool(c, g, "timestamps", 1, &lc->timestamps) < 0)
		return -1;
	if ((s = config_setting_get_member(g, "syslog_facility")) && read_facility(c, s, &lc->facility))
		return -1;
	return 0;
}

void logconf_apply(const struct logconf *lc)
{
	log_set_config_levels(lc->levels);
	log_set_config_timestamps(lc->timestamps);
	log_set_syslog(lc->syslog, lc->facility);
}

int logconf_apply_file(const char *path, char *err, size_t errlen)
{
	if (!path || !*path)
		return 0;
	struct cfg *c = cfg_load(path, err, errlen);
	if (!c)
		return -1;
	struct logconf lc;
	int rc = logconf_read(c, &lc);
	if (rc < 0)
		snprintf(err, errlen, "%s", cfg_error(c));
	else
		logconf_apply(&lc);
	cfg_free(&c);
	return rc;
}
