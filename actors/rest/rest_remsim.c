/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rest_remsim.c: remsim's own REST API below /api/remsim/v1, what the
 * operator dashboard needs beyond osmo-remsim's API (docs/rest.md):
 *   GET    /state              banks, clients and slotmaps in one answer
 *   GET    /history?...        the sqlite history, filtered, newest first, paged
 *   POST   /slotmaps           map (osmo-remsim's body), answers the new slotmap
 *   DELETE /slotmaps/B1:5      unmap by bank or client slot, answers the old one
 *   POST   /reset              global reset, only with {"confirm":true}
 * Errors come with {"error":"..."} so the page can show why.  Every
 * state-changing request must be Content-Type application/json (which a
 * cross-site HTML form cannot send) and, when the browser sends an Origin,
 * come from this very host. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rest.h"

#define HISTORY_DEFAULT_LIMIT 50
#define HISTORY_MAX_LIMIT 500
#define HISTORY_MAX_OFFSET 1000000

/* One control request; 0 with *result, else the failure is set in rs. */
static int call(struct rest_app *app, struct rest_resp *rs, const char *cmd,
		const char *const *args, size_t nargs, json_t **result)
{
	int st = rest_ctl_call(&app->ctl, cmd, args, nargs, result, rs->why, sizeof(rs->why));
	if (st)
		rs->status = st;
	return st ? -1 : 0;
}

/* status with j (consumed) as body */
static void reply(struct rest_resp *rs, int status, json_t *j, const char *what)
{
	if (!j) {
		rest_fail(rs, 500, "control reply to '%s' has an unexpected shape", what);
		return;
	}
	rs->body = rj_dump(j);
	json_decref(j);
	rs->status = rs->body ? status : 500;
}

/* GET /state: {"banks":[<bank>...],"clients":[<client>...],"slotmaps":[<slotmap>...]} */
static void h_state(struct rest_app *app, const struct rest_req *rq, const char *param,
		    struct rest_resp *rs)
{
	(void)rq, (void)param;
	static const struct {
		const char *cmd, *key;
		json_t *(*canon)(const json_t *);
	} parts[] = {
		{ "banks", "banks", rj_bank },
		{ "clients", "clients", rj_client },
		{ "maps", "slotmaps", rj_slotmap },
	};
	json_t *out = json_object();
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		json_t *res, *w;
		if (call(app, rs, parts[i].cmd, NULL, 0, &res)) {
			json_decref(out);
			return;
		}
		w = rj_wrap_list(parts[i].key, res, parts[i].canon);
		json_decref(res);
		if (!w) {
			json_decref(out);
			rest_fail(rs, 500, "control reply to '%s' has an unexpected shape", parts[i].cmd);
			return;
		}
		json_object_update(out, w);
		json_decref(w);
	}
	reply(rs, 200, out, "state");
}

/* a query number in 0..max, def when absent; -1 (and rs set) when bad */
static long query_num(const struct rest_req *rq, const char *key, long def, long max,
		      struct rest_resp *rs)
{
	const char *v = rq->query ? rq->query(rq, key) : NULL;
	if (!v || !*v)
		return def;
	long long n = rj_parse_uint(v, (unsigned long long)max);
	if (n < 0)
		rest_fail(rs, 400, "%s='%s': a number 0..%ld", key, v, max);
	return (long)n;
}

/* GET /history?client=C:S&bank=B:S&since=T&until=T&limit=N&offset=N
 * -> {"events":[<event>...],"offset":N,"limit":N,"more":bool} */
static void h_history(struct rest_app *app, const struct rest_req *rq, const char *param,
		      struct rest_resp *rs)
{
	(void)param;
	static const char *const filters[] = { "client", "bank", "since", "until" };
	const char *args[16];
	char optbuf[4][16], limbuf[24], offbuf[24];
	size_t n = 0;
	long limit = query_num(rq, "limit", HISTORY_DEFAULT_LIMIT, HISTORY_MAX_LIMIT, rs);
	long offset = query_num(rq, "offset", 0, HISTORY_MAX_OFFSET, rs);
	if (limit < 0 || offset < 0)
		return;
	if (limit == 0) {
		rest_fail(rs, 400, "limit must be 1..%d", HISTORY_MAX_LIMIT);
		return;
	}
	for (size_t i = 0; i < 4; i++) {
		const char *v = rq->query ? rq->query(rq, filters[i]) : NULL;
		if (!v || !*v)
			continue;
		snprintf(optbuf[i], sizeof(optbuf[i]), "--%s", filters[i]);
		args[n++] = optbuf[i];
		args[n++] = v;
	}
	snprintf(limbuf, sizeof(limbuf), "%ld", limit + 1);	/* one more: is there a next page? */
	snprintf(offbuf, sizeof(offbuf), "%ld", offset);
	args[n++] = "--limit";
	args[n++] = limbuf;
	args[n++] = "--offset";
	args[n++] = offbuf;
	json_t *res;
	if (call(app, rs, "history", args, n, &res))
		return;
	if (!json_is_array(res)) {
		json_decref(res);
		rest_fail(rs, 500, "control reply to 'history' is not an array");
		return;
	}
	bool more = json_array_size(res) > (size_t)limit;
	if (more)
		json_array_remove(res, (size_t)limit);
	reply(rs, 200,
	      json_pack("{s:o,s:i,s:i,s:b}", "events", res, "offset", (int)offset, "limit", (int)limit,
			"more", more),
	      "history");
}

/* a control command whose result is a <slotmap>: status with it as body */
static void call_slotmap(struct rest_app *app, struct rest_resp *rs, const char *cmd,
			 const char *const *args, size_t nargs, int status)
{
	json_t *res;
	if (call(app, rs, cmd, args, nargs, &res))
		return;
	reply(rs, status, rj_slotmap(res), cmd);
	json_decref(res);
}

/* POST /slotmaps with osmo-remsim's body -> 201 <slotmap> */
static void h_map(struct rest_app *app, const struct rest_req *rq, const char *param,
		  struct rest_resp *rs)
{
	(void)param;
	char client[32], bank[32];
	if (rj_parse_map_args(rq->body, rq->body_len, client, bank, rs->why, sizeof(rs->why))) {
		rs->status = 400;
		return;
	}
	call_slotmap(app, rs, "map", (const char *const[]){ client, bank }, 2, 201);
}

/* DELETE /slotmaps/B1:5 or /slotmaps/C3:0 -> 200 <slotmap> as it was */
static void h_unmap(struct rest_app *app, const struct rest_req *rq, const char *param,
		    struct rest_resp *rs)
{
	(void)rq;
	if (param[0] != 'B' && param[0] != 'C') {
		rest_fail(rs, 400, "'%s': name a bank slot B<id>:<slot> or a client slot C<id>:<slot>", param);
		return;
	}
	call_slotmap(app, rs, "unmap", &param, 1, 200);
}

/* POST /reset {"confirm":true} -> 200 {"removed":N} */
static void h_reset(struct rest_app *app, const struct rest_req *rq, const char *param,
		    struct rest_resp *rs)
{
	(void)param;
	json_t *body = json_loadb(rq->body ? rq->body : "", rq->body_len, 0, NULL);
	bool confirmed = json_is_true(json_object_get(body, "confirm"));
	json_decref(body);
	if (!confirmed) {
		rest_fail(rs, 400, "reset deletes every mapping: send {\"confirm\":true}");
		return;
	}
	json_t *res;
	if (call(app, rs, "reset", NULL, 0, &res))
		return;
	reply(rs, 200, json_incref(res), "reset");
	json_decref(res);
}

/* Content-Type and Origin of a state-changing request; 0 if acceptable */
static int guard(const struct rest_req *rq, struct rest_resp *rs)
{
	if (!rest_is_json_type(rq->content_type)) {
		rest_fail(rs, 415, "Content-Type is '%s', not application/json",
			  rq->content_type ? rq->content_type : "(none)");
		return -1;
	}
	if (rq->origin) {
		const char *o = rq->origin;
		size_t skip = !strncasecmp(o, "http://", 7) ? 7 : !strncasecmp(o, "https://", 8) ? 8 : 0;
		if (!skip || !rq->host || strcasecmp(o + skip, rq->host)) {
			rest_fail(rs, 403, "cross-origin request from '%s' refused", o);
			return -1;
		}
	}
	return 0;
}

typedef void (*remsim_fn)(struct rest_app *app, const struct rest_req *rq, const char *param,
			  struct rest_resp *rs);

static const struct {
	const char *method;
	const char *path;	/* a trailing '/' takes one more segment as param */
	remsim_fn fn;
	bool changes;		/* state-changing: guard() applies */
} routes[] = {
	{ "GET", "/state", h_state, false },
	{ "GET", "/history", h_history, false },
	{ "POST", "/slotmaps", h_map, true },
	{ "DELETE", "/slotmaps/", h_unmap, true },
	{ "POST", "/reset", h_reset, true },
};

/* param of path against a route path, NULL if no match */
static const char *match(const char *rpath, const char *path)
{
	size_t l = strlen(rpath);
	if (strncmp(rpath, path, l))
		return NULL;
	if (rpath[l - 1] == '/')
		return path[l] && !strchr(path + l, '/') ? path + l : NULL;
	return path[l] ? NULL : path + l;
}

static void route(struct rest_app *app, const struct rest_req *rq, struct rest_resp *rs)
{
	const char *method = strcmp(rq->method, "HEAD") ? rq->method : "GET";
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const char *param = match(routes[i].path, rq->path);
		if (!param)
			continue;
		if (strcmp(routes[i].method, method)) {
			size_t l = strlen(rs->allow);
			snprintf(rs->allow + l, sizeof(rs->allow) - l, "%s%s", l ? ", " : "",
				 routes[i].method);
			continue;
		}
		if (routes[i].changes && guard(rq, rs))
			return;
		routes[i].fn(app, rq, param, rs);
		return;
	}
	if (rs->allow[0])
		rest_fail(rs, 405, "method %s not allowed here (Allow: %s)", rq->method,
			  rs->allow);
	else
		rest_fail(rs, 404, "no such resource below " REST_REMSIM_BASE);
}

void rest_remsim_route(struct rest_app *app, const struct rest_req *rq, struct rest_resp *rs)
{
	rs->allow[0] = '\0';
	rs->body = NULL;
	route(app, rq, rs);
	if (rs->status >= 400) {
		json_t *e = json_pack("{s:s}", "error", rs->why);
		free(rs->body);
		rs->body = rj_dump(e);
		json_decref(e);
	}
}
