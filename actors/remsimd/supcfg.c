/* SPDX-License-Identifier: GPL-2.0-or-later */
/* supcfg.c: reads remsimd's settings from a role's libconfig file.
 *
 * Only the keys remsimd owns are checked strictly (top-level run_dir,
 * state_dir, user, group, hub,
 * control; the `supervisor` and `log` groups; the `actors` list).  The rest of the file
 * belongs to the actors and is ignored here.  See docs/remsimd.md. */
#include "supcfg.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "logconf.h"
#include "progdir.h"

#define DEFAULT_RUN_DIR "/run/remsim"
#define DEFAULT_HUB	"ipc://@RUN_DIR@/hub"
#define DEFAULT_CONTROL	"ipc://@RUN_DIR@/control"
#define MAX_COUNT	1024

/* Every check below fails through cfg_fail(), which prefixes the message
 * with "FILE:LINE: " of the offending setting. */
#define cfg_err cfg_fail

char *supcfg_subst(const char *tmpl, const char *run_dir, const char *name, int index)
{
	char idx[16];
	snprintf(idx, sizeof(idx), "%d", index);
	const struct { const char *key, *val; } vars[] = {
		{ "@RUN_DIR@", run_dir ? run_dir : "" },
		{ "@NAME@", name ? name : "" },
		{ "@INDEX@", index >= 0 ? idx : "" },
	};
	size_t cap = strlen(tmpl) + 1, len = 0;
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		cap += 8 * strlen(vars[i].val);	/* generous; grown below if needed */
	char *out = malloc(cap);
	if (!out)
		return NULL;
	for (const char *p = tmpl; *p;) {
		const char *val = NULL;
		size_t klen = 0;
		for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
			klen = strlen(vars[i].key);
			if (strncmp(p, vars[i].key, klen) == 0) {
				val = vars[i].val;
				break;
			}
		}
		size_t add = val ? strlen(val) : 1;
		if (len + add + 1 > cap) {
			cap = (len + add + 1) * 2;
			char *n = realloc(out, cap);
			if (!n) {
				free(out);
				return NULL;
			}
			out = n;
		}
		if (val) {
			memcpy(out + len, val, add);
			p += klen;
		} else {
			out[len] = *p++;
		}
		len += add;
	}
	out[len] = '\0';
	return out;
}

/* Optional string setting `key` of group g into *out (malloc'd), else dflt. */
static int get_string(struct cfg *c, const config_setting_t *g, const char *key,
		      const char *dflt, char **out)
{
	const char *v = NULL;
	if (cfg_get_string(c, g, key, dflt, 0, &v) < 0)
		return -1;
	if (v && !*v)
		return cfg_err(c, config_setting_get_member(g, key), "'%s' must not be empty", key);
	*out = v ? strdup(v) : NULL;
	return 0;
}

/* Optional integer setting: *out keeps its value (the default) if absent. */
static int get_int(struct cfg *c, const config_setting_t *g, const char *key,
		   int min, int max, int *out)
{
	return cfg_get_int(c, g, key, *out, min, max, out) < 0 ? -1 : 0;
}

static int load_policy(struct cfg *c, const config_setting_t *root, struct sup_policy *p)
{
	*p = (struct sup_policy){
		.restart_intensity = 5, .restart_period_s = 10,
		.backoff_initial_ms = 100, .backoff_max_ms = 3000,
		.stable_after_ms = -1, .stop_timeout_ms = 3000, .hub_wait_ms = 5000,
	};
	const config_setting_t *g = config_setting_get_member(root, "supervisor");
	if (g) {
		static const char *const known[] = {
			"restart_intensity", "restart_period_s", "backoff_initial_ms",
			"backoff_max_ms", "stable_after_ms", "stop_timeout_ms", "hub_wait_ms", NULL,
		};
		if (!config_setting_is_group(g))
			return cfg_err(c, g, "'supervisor' must be a group { ... }");
		if (cfg_check_keys(c, g, "supervisor", known))
			return -1;
		if (get_int(c, g, "restart_intensity", 0, 10000, &p->restart_intensity) ||
		    get_int(c, g, "restart_period_s", 1, 86400, &p->restart_period_s) ||
		    get_int(c, g, "backoff_initial_ms", 1, 3600000, &p->backoff_initial_ms) ||
		    get_int(c, g, "backoff_max_ms", 1, 3600000, &p->backoff_max_ms) ||
		    get_int(c, g, "stable_after_ms", 0, 86400000, &p->stable_after_ms) ||
		    get_int(c, g, "stop_timeout_ms", 0, 3600000, &p->stop_timeout_ms) ||
		    get_int(c, g, "hub_wait_ms", 0, 3600000, &p->hub_wait_ms))
			return -1;
		const config_setting_t *mx = config_setting_get_member(g, "backoff_max_ms");
		if (p->backoff_max_ms < p->backoff_initial_ms)
			return cfg_err(c, mx ? mx : g, "backoff_max_ms (%d) < backoff_initial_ms (%d)",
				       p->backoff_max_ms, p->backoff_initial_ms);
	}
	if (p->stable_after_ms < 0)
		p->stable_after_ms = p->restart_period_s * 1000;
	return 0;
}

static int endpoint_ok(struct cfg *c, const config_setting_t *st, const char *key, const char *ep)
{
	if (strncmp(ep, "ipc://", 6) == 0) {
		if (strlen(ep + 6) >= 107)
			return cfg_err(c, st, "'%s' ipc path too long (max 106): %s", key, ep);
		return 0;
	}
	if (strncmp(ep, "tcp://", 6) == 0 || strncmp(ep, "inproc://", 9) == 0)
		return 0;
	return cfg_err(c, st, "'%s' must be an ipc:// or tcp:// endpoint: %s", key, ep);
}

/* Which actors a role cannot do without, unless the entry says `essential`:
 * the broker, the server's mapstore and rest, the bankd's bankmap, and the
 * usbslot of a one-slot client.  A reader (one bank slot) is not: the role
 * keeps serving its other slots. */
static int essential_by_default(const char *kind, int count)
{
	static const char *const always[] = { "broker", "mapstore", "rest", "bankmap", NULL };
	for (const char *const *k = always; *k; k++)
		if (!strcmp(kind, *k))
			return 1;
	return !strcmp(kind, "usbslot") && count <= 1;
}

static int add_actor(struct sup *s, struct cfg *c, const config_setting_t *e,
		     const char *name, const char *program, const config_setting_t *args, int index)
{
	for (int i = 0; i < s->nactors; i++)
		if (strcmp(s->actors[i].name, name) == 0)
			return cfg_err(c, e, "duplicate actor name '%s' (first at line %d)",
				       name, s->actors[i].cfg_line);
	struct actor *n = realloc(s->actors, (size_t)(s->nactors + 1) * sizeof(*n));
	if (!n)
		return cfg_err(c, e, "out of memory");
	s->actors = n;
	struct actor *a = &s->actors[s->nactors];
	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name);
	a->index = index;
	a->cfg_line = (int)config_setting_source_line(e);
	a->is_broker = strcmp(name, "broker") == 0;
	a->state = AS_IDLE;
	char rname[64];
	snprintf(rname, sizeof(rname), "%s", name);
	for (char *p = rname; *p; p++)
		if (*p == '/')
			*p = '.';
	if (asprintf(&a->reason_file, "%s/reason.%s", s->run_dir, rname) < 0)
		a->reason_file = NULL;
	snprintf(a->last_exit, sizeof(a->last_exit), "-");
	s->nactors++;	/* counted now so supcfg_free releases what follows */

	if (strchr(program, '/'))
		a->program = strdup(program);
	else if (asprintf(&a->program, "%s/%s", s->bin_dir, program) < 0)
		a->program = NULL;
	a->nargs = args ? config_setting_length(args) : 0;
	a->args = calloc((size_t)a->nargs + 1, sizeof(char *));
	a->restart_times = calloc((size_t)s->pol.restart_intensity + 1, sizeof(int64_t));
	if (!a->program || !a->args || !a->restart_times)
		return cfg_err(c, e, "out of memory");
	for (int i = 0; i < a->nargs; i++) {
		const char *v = config_setting_get_string_elem(args, i);
		a->args[i] = supcfg_subst(v, s->run_dir, name, index);
		if (!a->args[i])
			return cfg_err(c, e, "out of memory");
	}
	return 0;
}

static int valid_name(const char *n)
{
	if (!*n || strlen(n) > 48)
		return 0;
	for (const char *p = n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.'))
			return 0;
	return 1;
}

static int load_actor(struct sup *s, struct cfg *c, const config_setting_t *e, int pos)
{
	static const char *const known[] = { "name", "program", "count", "args", "essential", NULL };
	if (!config_setting_is_group(e))
		return cfg_err(c, e, "actors[%d] must be a group { name = ...; }", pos);
	if (cfg_check_keys(c, e, "the actor entry", known))
		return -1;
	const config_setting_t *nm = config_setting_get_member(e, "name");
	if (!nm)
		return cfg_err(c, e, "actors[%d]: 'name' missing", pos);
	if (config_setting_type(nm) != CONFIG_TYPE_STRING || !valid_name(config_setting_get_string(nm)))
		return cfg_err(c, nm, "actors[%d]: 'name' must be a string of [A-Za-z0-9_.-], 1..48 chars", pos);
	const char *name = config_setting_get_string(nm);

	const char *program = name;
	const config_setting_t *pg = config_setting_get_member(e, "program");
	if (pg) {
		if (config_setting_type(pg) != CONFIG_TYPE_STRING || !*config_setting_get_string(pg))
			return cfg_err(c, pg, "actor '%s': 'program' must be a non-empty string", name);
		program = config_setting_get_string(pg);
	}
	const config_setting_t *args = config_setting_get_member(e, "args");
	if (args) {
		if (!config_setting_is_aggregate(args) || config_setting_is_group(args))
			return cfg_err(c, args, "actor '%s': 'args' must be a list of strings [ \"...\" ]", name);
		for (int i = 0; i < config_setting_length(args); i++) {
			const config_setting_t *el = config_setting_get_elem(args, (unsigned)i);
			if (config_setting_type(el) != CONFIG_TYPE_STRING)
				return cfg_err(c, el, "actor '%s': args[%d] must be a string", name, i);
		}
	}
	int count = -1;
	const config_setting_t *cn = config_setting_get_member(e, "count");
	if (cn && get_int(c, e, "count", 0, MAX_COUNT, &count))
		return -1;
	int essential = essential_by_default(name, count);
	if (cfg_get_bool(c, e, "essential", essential, &essential) < 0)
		return -1;
	if (strcmp(name, "broker") == 0 && !essential)
		return cfg_err(c, config_setting_get_member(e, "essential"),
			       "the broker is always essential (every byte passes through it)");
	if (count < 0) {
		if (add_actor(s, c, e, name, program, args, -1))
			return -1;
		s->actors[s->nactors - 1].essential = essential;
		return 0;
	}
	if (strcmp(name, "broker") == 0)
		return cfg_err(c, cn, "the broker cannot have a 'count'");
	for (int i = 0; i < count; i++) {
		char full[64];
		snprintf(full, sizeof(full), "%s/%d", name, i);
		if (add_actor(s, c, e, full, program, args, i))
			return -1;
		s->actors[s->nactors - 1].essential = essential;
	}
	return 0;
}

/* Bare program names are looked up in the actors' directory (progdir.h). */
static char *own_bin_dir(void)
{
	char buf[PATH_MAX];
	progdir_actors(buf, sizeof(buf));
	return strdup(buf);
}

/* The settings and groups a role file may have at its top level: remsimd's
 * own and those of the actors (each actor checks the keys of its group). */
static const char *const top_level[] = {
	"run_dir", "state_dir", "user", "group", "hub", "control", "supervisor", "actors", "log",
	"broker", "mapstore", "history", "rest", "bankd", "reader", "client", "metrics", NULL,
};

static int load_root(struct sup *s, struct cfg *c, const char *run_dir_override)
{
	const config_setting_t *root = cfg_root(c);
	char *hub_t = NULL, *ctl_t = NULL;
	if (cfg_check_keys(c, root, "the role file", top_level))
		return -1;
	if (get_string(c, root, "run_dir", DEFAULT_RUN_DIR, &s->run_dir) ||
	    get_string(c, root, "state_dir", NULL, &s->state_dir) ||
	    get_string(c, root, "user", NULL, &s->user) ||
	    get_string(c, root, "group", NULL, &s->group) ||
	    get_string(c, root, "hub", DEFAULT_HUB, &hub_t) ||
	    get_string(c, root, "control", DEFAULT_CONTROL, &ctl_t)) {
		free(hub_t);
		free(ctl_t);
		return -1;
	}
	if (run_dir_override) {
		free(s->run_dir);
		s->run_dir = strdup(run_dir_override);
	}
	s->hub = supcfg_subst(hub_t, s->run_dir, NULL, -1);
	s->control = supcfg_subst(ctl_t, s->run_dir, NULL, -1);
	free(hub_t);
	free(ctl_t);
	const config_setting_t *hs = config_setting_get_member(root, "hub");
	const config_setting_t *cs = config_setting_get_member(root, "control");
	if (endpoint_ok(c, hs, "hub", s->hub) || endpoint_ok(c, cs, "control", s->control))
		return -1;
	if (load_policy(c, root, &s->pol))
		return -1;
	struct logconf lc;	/* the role's `log` group: checked here, applied by each process */
	if (logconf_read(c, &lc))
		return -1;

	const config_setting_t *list = config_setting_get_member(root, "actors");
	if (!list)
		return cfg_err(c, NULL, "'actors' missing: nothing to supervise");
	if (!config_setting_is_list(list) && !config_setting_is_array(list))
		return cfg_err(c, list, "'actors' must be a list ( { name = ...; }, ... )");
	for (int i = 0; i < config_setting_length(list); i++)
		if (load_actor(s, c, config_setting_get_elem(list, (unsigned)i), i))
			return -1;
	if (s->nactors == 0)
		return cfg_err(c, list, "'actors' is empty: nothing to supervise");
	/* the broker is started first, wherever it was written */
	for (int i = 1; i < s->nactors; i++) {
		if (!s->actors[i].is_broker)
			continue;
		struct actor b = s->actors[i];
		memmove(&s->actors[1], &s->actors[0], (size_t)i * sizeof(b));
		s->actors[0] = b;
		break;
	}
	return 0;
}

int supcfg_load(struct sup *s, const char *path, const char *run_dir_override,
		char *err, size_t errlen)
{
	struct cfg *c = cfg_load(path, err, errlen);
	if (!c)
		return -1;
	char abs[PATH_MAX];
	s->config_path = strdup(realpath(path, abs) ? abs : path);
	s->bin_dir = own_bin_dir();
	int rc = load_root(s, c, run_dir_override);
	if (rc < 0)
		snprintf(err, errlen, "%s", cfg_error(c));
	cfg_free(&c);
	return rc;
}

void supcfg_free(struct sup *s)
{
	for (int i = 0; i < s->nactors; i++) {
		struct actor *a = &s->actors[i];
		for (int j = 0; a->args && j < a->nargs; j++)
			free(a->args[j]);
		free(a->args);
		free(a->program);
		free(a->reason_file);
		free(a->restart_times);
	}
	free(s->actors);
	free(s->config_path);
	free(s->run_dir);
	free(s->state_dir);
	free(s->user);
	free(s->group);
	free(s->hub);
	free(s->control);
	free(s->bin_dir);
	s->actors = NULL;
	s->nactors = 0;
}
