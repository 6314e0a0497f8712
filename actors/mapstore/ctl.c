/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ctl.c: the server's control commands (docs/control.md): map, unmap, maps,
 * banks, clients, history, reset.  Changes run through the slotmap core and
 * its action list: stored durably first, then sent to bankds/clients, then
 * answered - so an "ok" is never lost by a restart.  The request's "origin"
 * ("rest" from the REST actor, else "ctl") goes into the history. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mapstore.h"

static json_t *ok(json_t *result)
{
	return json_pack("{s:b,s:o}", "ok", 1, "result", result ? result : json_null());
}

static json_t *error(const char *code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static json_t *error(const char *code, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("{s:b,s:s,s:s}", "ok", 0, "error", msg, "code", code);
}

int ms_parse_slot(const char *s, char prefix, struct sm_slot *out)
{
	if (!s)
		return -1;
	if (prefix && (*s == prefix || *s == prefix + 32))
		s++;
	unsigned long v[2];
	for (int i = 0; i < 2; i++) {
		if (*s < '0' || *s > '9')
			return -1;
		char *end;
		errno = 0;
		v[i] = strtoul(s, &end, 10);
		if (errno || v[i] > SM_MAX_ID)
			v[i] = SM_MAX_ID + 1;
		if (*end != (i ? '\0' : ':'))
			return -1;
		s = end + 1;
	}
	if (v[0] > SM_MAX_ID || v[1] > SM_MAX_ID)
		return -2;
	out->id = (uint16_t)v[0];
	out->nr = (uint16_t)v[1];
	return 0;
}

static const char *arg(const json_t *args, size_t i)
{
	return json_string_value(json_array_get(args, i));
}

static json_t *slot_error(int rc, const char *what, const char *text)
{
	if (rc == -2)
		return error("range", "%s %s: ids and slot numbers are 0..%d", what, text, SM_MAX_ID);
	return error("usage", "%s '%s' is not ID:SLOT", what, text ? text : "(none)");
}

static json_t *sm_error(int rc, const char *client, const char *bank)
{
	switch (rc) {
	case SM_ERR_RANGE:
		return error("range", "ids and slot numbers are 0..%d", SM_MAX_ID);
	case SM_ERR_SAME:
		return error("conflict", "C%s is already mapped to B%s", client, bank);
	case SM_ERR_BANK_IN_USE:
		return error("conflict", "bank slot B%s is already mapped", bank);
	case SM_ERR_CLIENT_IN_USE:
		return error("conflict", "client slot C%s is already mapped", client);
	case SM_ERR_NOT_FOUND:
		return error("not_found", "no mapping for %s", client ? client : bank);
	default:
		return error("internal", "%s", sm_strerror(rc));
	}
}

/* Run the pending actions; the reply if storing failed, else NULL. */
static json_t *commit(struct mapstore *ms)
{
	if (ms_run_actions(ms) < 0)
		return error("internal", "storing the change failed; the server restarts its mapstore");
	return NULL;
}

static json_t *do_map(struct mapstore *ms, const json_t *args, enum sm_actor who)
{
	struct sm_slot cs, bs;
	int rc;
	if (json_array_size(args) != 2)
		return error("usage", "map needs CLIENT:SLOT BANK:SLOT");
	if ((rc = ms_parse_slot(arg(args, 0), 'C', &cs)))
		return slot_error(rc, "client slot", arg(args, 0));
	if ((rc = ms_parse_slot(arg(args, 1), 'B', &bs)))
		return slot_error(rc, "bank slot", arg(args, 1));
	char ctext[16], btext[16];
	snprintf(ctext, sizeof(ctext), "%u:%u", cs.id, cs.nr);
	snprintf(btext, sizeof(btext), "%u:%u", bs.id, bs.nr);
	uint64_t id = 0;
	rc = slotmap_create(ms->t, cs, bs, who, &ms->acts, &id);
	if (rc < 0) {
		sm_actions_clear(&ms->acts);
		return sm_error(rc, ctext, btext);
	}
	json_t *e = commit(ms);
	if (e)
		return e;
	const struct sm_map *m = slotmap_get(ms->t, id);
	LOGI(NULL, "map C%s -> B%s by %s", ctext, btext, sm_actor_name(who));
	return ok(m ? js_slotmap(m) : json_null());
}

/* ---- map with several pairs (remsim-ctl map --batch, REST group commit) ----
 * {"cmd":"map","args":[C1,B1,C2,B2,...],"batch":true}: all or nothing.  Every
 * pair is checked (syntax, range, against the table and against the other
 * pairs) before anything changes; the first bad pair is named in the error
 * and nothing is applied.  Otherwise all maps are created and stored in ONE
 * transaction (one fsync) before the reply: an array of <slotmap>.
 * {"cmd":"map","args":[...],"each":true}: every pair on its own (the REST
 * actor's group commit of concurrent POST /slotmaps); still one transaction
 * for all that succeed.  The reply is an array with one reply object
 * ({"ok":true,"result":<slotmap>} or {"ok":false,"error":...,"code":...})
 * per pair, in order. */

struct pair {
	struct sm_slot c, b;
	char ctext[16], btext[16];
};

/* Parse and check pair i (args 2i, 2i+1) against the table; NULL if it can
 * be created now, else the error reply. */
static json_t *check_pair(struct mapstore *ms, const json_t *args, size_t i, struct pair *p)
{
	int rc;
	if ((rc = ms_parse_slot(arg(args, 2 * i), 'C', &p->c)))
		return slot_error(rc, "client slot", arg(args, 2 * i));
	if ((rc = ms_parse_slot(arg(args, 2 * i + 1), 'B', &p->b)))
		return slot_error(rc, "bank slot", arg(args, 2 * i + 1));
	snprintf(p->ctext, sizeof(p->ctext), "%u:%u", p->c.id, p->c.nr);
	snprintf(p->btext, sizeof(p->btext), "%u:%u", p->b.id, p->b.nr);
	const struct sm_map *b = slotmap_find_bank(ms->t, p->b), *c = slotmap_find_client(ms->t, p->c);
	rc = b && b == c ? SM_ERR_SAME : b ? SM_ERR_BANK_IN_USE : c ? SM_ERR_CLIENT_IN_USE : SM_OK;
	return rc ? sm_error(rc, p->ctext, p->btext) : NULL;
}

/* Slots seen so far in a batch: one bit per ID:SLOT (128 KiB each). */
#define SLOT_BITS ((size_t)(SM_MAX_ID + 1) * (SM_MAX_ID + 1))
struct seen {
	uint8_t *client, *bank;
};

static bool test_and_set(uint8_t *bits, struct sm_slot s)
{
	size_t i = (size_t)s.id * (SM_MAX_ID + 1) + s.nr;
	bool was = bits[i / 8] & (1u << (i % 8));
	bits[i / 8] |= (uint8_t)(1u << (i % 8));
	return was;
}

/* The same client or bank slot twice in one batch: the error, else NULL. */
static json_t *check_repeats(struct seen *seen, const struct pair *p)
{
	if (test_and_set(seen->client, p->c))
		return error("conflict", "client slot C%s is in the batch twice", p->ctext);
	if (test_and_set(seen->bank, p->b))
		return error("conflict", "bank slot B%s is in the batch twice", p->btext);
	return NULL;
}

/* "pair N (C..., B...): reason; nothing applied" from an error reply e (consumed) */
static json_t *batch_error(json_t *e, size_t i, const json_t *args)
{
	const char *code = json_string_value(json_object_get(e, "code"));
	json_t *r = error(code ? code : "internal", "pair %zu (%s %s): %s; nothing applied", i + 1,
			  arg(args, 2 * i) ? arg(args, 2 * i) : "?",
			  arg(args, 2 * i + 1) ? arg(args, 2 * i + 1) : "?",
			  json_string_value(json_object_get(e, "error")));
	json_decref(e);
	return r;
}

static json_t *do_map_batch(struct mapstore *ms, const json_t *args, enum sm_actor who, bool each)
{
	size_t n = json_array_size(args) / 2;
	if (n == 0 || json_array_size(args) % 2)
		return error("usage", "map needs pairs: CLIENT:SLOT BANK:SLOT [CLIENT:SLOT BANK:SLOT...]");
	struct pair *v = calloc(n, sizeof(*v));
	json_t **rep = calloc(n, sizeof(*rep));	/* each: per-pair error, NULL = ok */
	uint64_t *ids = calloc(n, sizeof(*ids));
	struct seen seen = { calloc(SLOT_BITS / 8, 1), calloc(SLOT_BITS / 8, 1) };
	json_t *r = NULL;
	if (!v || !rep || !ids || !seen.client || !seen.bank) {
		r = error("internal", "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *e = check_pair(ms, args, i, &v[i]);
		if (!e && !each)
			e = check_repeats(&seen, &v[i]);
		if (e && !each) {
			r = batch_error(e, i, args);
			goto out;
		}
		rep[i] = e;
	}
	for (size_t i = 0; i < n; i++) {
		if (rep[i])
			continue;
		int rc = slotmap_create(ms->t, v[i].c, v[i].b, who, &ms->acts, &ids[i]);
		if (rc < 0 && each) {	/* e.g. the same slot twice among the pairs */
			rep[i] = sm_error(rc, v[i].ctext, v[i].btext);
		} else if (rc < 0) {
			/* checked above, so only out of memory: the table is ahead of
			 * the database; restart (reloads it) rather than half-apply */
			LOGF(NULL, "batch map: %s after the checks; stopping", sm_strerror(rc));
			sm_actions_clear(&ms->acts);
			ms->fatal = true;
			actor_stop(ms->a);
			r = error("internal", "batch map failed (%s); nothing applied", sm_strerror(rc));
			goto out;
		}
	}
	if ((r = commit(ms)))
		goto out;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		if (rep[i]) {
			json_array_append(arr, rep[i]);
			continue;
		}
		const struct sm_map *m = slotmap_get(ms->t, ids[i]);
		json_t *sm = m ? js_slotmap(m) : json_null();
		LOGI(NULL, "map C%s -> B%s by %s (batch)", v[i].ctext, v[i].btext, sm_actor_name(who));
		json_array_append_new(arr, each ? ok(sm) : sm);
	}
	LOGI(NULL, "map batch of %zu pair(s) by %s%s: one transaction", n, sm_actor_name(who),
	     each ? " (each on its own)" : "");
	r = ok(arr);
out:
	for (size_t i = 0; rep && i < n; i++)
		json_decref(rep[i]);
	free(v);
	free(rep);
	free(ids);
	free(seen.client);
	free(seen.bank);
	return r;
}

static json_t *do_unmap(struct mapstore *ms, const json_t *args, enum sm_actor who)
{
	const char *a = arg(args, 0);
	if (json_array_size(args) != 1 || !a)
		return error("usage", "unmap needs one slot: C:S (client) or B:S (bank)");
	bool bank = a[0] == 'B' || a[0] == 'b';
	struct sm_slot s;
	int rc = ms_parse_slot(a, bank ? 'B' : 'C', &s);
	if (rc)
		return slot_error(rc, bank ? "bank slot" : "client slot", a);
	const struct sm_map *m = bank ? slotmap_find_bank(ms->t, s) : slotmap_find_client(ms->t, s);
	if (!m || !sm_state_visible(m->state))
		return error("not_found", "no mapping for %s%u:%u", bank ? "B" : "C", s.id, s.nr);
	json_t *before = js_slotmap(m);
	rc = bank ? slotmap_delete_bank(ms->t, s, who, &ms->acts)
		  : slotmap_delete_client(ms->t, s, who, &ms->acts);
	if (rc < 0) {
		sm_actions_clear(&ms->acts);
		json_decref(before);
		return error(rc == SM_ERR_NOT_FOUND ? "not_found" : "internal", "unmap %s: %s", a,
			     sm_strerror(rc));
	}
	json_t *e = commit(ms);
	if (e) {
		json_decref(before);
		return e;
	}
	LOGI(NULL, "unmap %s by %s", a, sm_actor_name(who));
	return ok(before);
}

static json_t *do_maps(struct mapstore *ms)
{
	json_t *arr = json_array();
	size_t n = slotmap_count(ms->t, false);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, js_slotmap(slotmap_at(ms->t, i, false)));
	return ok(arr);
}

static json_t *do_peers(struct mapstore *ms, enum sc_state st)
{
	json_t *arr = json_array();
	struct sconn **v;
	size_t n = ct_list(ms->ct, st, &v);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, st == SC_CONNECTED_BANKD ? js_bank(v[i]) : js_client(v[i]));
	free(v);
	return ok(arr);
}

static json_t *do_reset(struct mapstore *ms, const json_t *args, enum sm_actor who)
{
	if (json_array_size(args) != 0)
		return error("usage", "reset takes no arguments (it deletes every mapping)");
	int n = slotmap_reset(ms->t, who, &ms->acts);
	if (n < 0) {
		sm_actions_clear(&ms->acts);
		return error("internal", "reset: %s", sm_strerror(n));
	}
	json_t *e = commit(ms);
	if (e)
		return e;
	return ok(json_pack("{s:i}", "removed", n));
}

/* "3:0", or "3" for every slot of 3, with an optional prefix letter */
static int filter_slot(const char *s, char prefix, int *id, int *nr)
{
	struct sm_slot x;
	char buf[24];
	bool whole = s && !strchr(s, ':');
	if (whole)
		snprintf(buf, sizeof(buf), "%s:0", s);
	int rc = ms_parse_slot(whole ? buf : s, prefix, &x);
	if (rc == 0) {
		*id = x.id;
		*nr = whole ? -1 : x.nr;
	}
	return rc;
}

static int collect_event(void *arg, const struct mapdb_event *ev)
{
	json_array_append_new(arg, js_event(ev));
	return 0;
}

static json_t *do_history(struct mapstore *ms, const json_t *args)
{
	struct mapdb_history_filter f;
	mapdb_history_filter_init(&f);
	f.limit = 100;
	int offset = 0;
	size_t n = json_array_size(args);
	for (size_t i = 0; i < n; i++) {
		const char *o = arg(args, i), *v = NULL;
		char opt[16];
		if (!o)
			return error("usage", "history arguments must be strings");
		if (!strcmp(o, "--prune")) {
			if (n != 1)
				return error("usage", "history: --prune takes no other option");
			json_t *r = retention_prune_now(ms);
			return r ? ok(r) : error("internal", "history: %s", mapdb_errmsg(ms->db));
		}
		const char *eq = strchr(o, '=');
		if (eq && eq - o < (long)sizeof(opt)) {
			snprintf(opt, sizeof(opt), "%.*s", (int)(eq - o), o);
			v = eq + 1;
		} else {
			snprintf(opt, sizeof(opt), "%s", o);
			v = i + 1 < n ? arg(args, ++i) : NULL;
		}
		if (!v)
			return error("usage", "history: %s needs a value", opt);
		int rc;
		if (!strcmp(opt, "--client")) {
			if ((rc = filter_slot(v, 'C', &f.client_id, &f.client_slot)))
				return slot_error(rc, "client", v);
		} else if (!strcmp(opt, "--bank")) {
			if ((rc = filter_slot(v, 'B', &f.bank_id, &f.bank_slot)))
				return slot_error(rc, "bank", v);
		} else if (!strcmp(opt, "--since")) {
			f.since = v;
		} else if (!strcmp(opt, "--until")) {
			f.until = v;
		} else if (!strcmp(opt, "--limit") || !strcmp(opt, "--offset")) {
			bool lim = !strcmp(opt, "--limit");
			char *end;
			long l = strtol(v, &end, 10);
			if (!*v || *end || l < !!lim || l > 1000000)
				return error("usage", "history: %s needs a %s number, not '%s'", opt,
					     lim ? "positive" : "non-negative", v);
			*(lim ? &f.limit : &offset) = (int)l;
		} else {
			return error("usage", "history: unknown option '%s' (--client C:S, --bank B:S, "
					      "--since TIME, --until TIME, --limit N, --offset N, or --prune)", o);
		}
	}
	f.limit += offset;	/* the newest limit+offset, of which the newest offset are skipped */
	json_t *arr = json_array();
	int rc = mapdb_history(ms->db, &f, collect_event, arr);
	if (rc == -2) {
		json_decref(arr);
		return error("usage", "history: cannot parse time '%s'", f.since);
	}
	if (rc < 0) {
		json_decref(arr);
		return error("internal", "history: %s", mapdb_errmsg(ms->db));
	}
	json_t *rev = json_array();	/* newest first */
	for (size_t i = json_array_size(arr); i-- > 0;)
		if (json_array_size(arr) - i > (size_t)offset)
			json_array_append(rev, json_array_get(arr, i));
	json_decref(arr);
	return ok(rev);
}

json_t *ms_ctl(struct actor *a, json_t *req, void *ud)
{
	(void)a;
	struct mapstore *ms = ud;
	sc_restore_flush(ms);
	ms_run_actions(ms);	/* deferred ones (ms_run_actions_soon) first */
	const char *cmd = json_string_value(json_object_get(req, "cmd"));
	json_t *args = json_object_get(req, "args");
	const char *origin = json_string_value(json_object_get(req, "origin"));
	enum sm_actor who = origin && !strcmp(origin, "rest") ? SM_ACTOR_REST : SM_ACTOR_CTL;
	if (!args)
		args = json_array();
	else if (!json_is_array(args))
		return error("usage", "args must be an array");
	else
		json_incref(args);
	json_t *r;
	if (!cmd)
		r = error("usage", "request without cmd");
	else if (ms->fatal)
		r = error("unavailable", "mapstore is restarting");
	else if (!strcmp(cmd, "map") && (json_is_true(json_object_get(req, "batch")) ||
					  json_is_true(json_object_get(req, "each"))))
		r = do_map_batch(ms, args, who, json_is_true(json_object_get(req, "each")));
	else if (!strcmp(cmd, "map"))
		r = do_map(ms, args, who);
	else if (!strcmp(cmd, "unmap"))
		r = do_unmap(ms, args, who);
	else if (!strcmp(cmd, "maps"))
		r = do_maps(ms);
	else if (!strcmp(cmd, "banks"))
		r = do_peers(ms, SC_CONNECTED_BANKD);
	else if (!strcmp(cmd, "clients"))
		r = do_peers(ms, SC_CONNECTED_CLIENT);
	else if (!strcmp(cmd, "history"))
		r = do_history(ms, args);
	else if (!strcmp(cmd, "reset"))
		r = do_reset(ms, args, who);
	else
		r = error("usage", "unknown command '%s'", cmd);
	json_decref(args);
	return r;
}
