/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rest_routes.c: the REST API of osmo-remsim-server (below /api/backend/v1)
 * as a table of method + path pattern -> handler.  Each handler turns its
 * request into at most one control request and shapes the answer the way
 * osmo-remsim-server does (201/200 with empty bodies, {"banks":[...]}...),
 * with its documented quirks fixed: real 404s, /clients/:id matching the
 * clientId, strict 0..1023 and numeric-path checks. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rest.h"

#define MAX_PARAMS 2

typedef void (*handler_fn)(struct rest_app *app, const struct rest_req *rq, char **params,
			   struct rest_resp *rs);

#define fail rest_fail	/* shared with rest_remsim.c (rest.h) */

void rest_fail(struct rest_resp *rs, int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rs->why, sizeof(rs->why), fmt, ap);
	va_end(ap);
	rs->status = status;
	free(rs->body);
	rs->body = NULL;
}

/* 200 with j as body (j is consumed); 500 if it cannot be built */
static void reply_json(struct rest_resp *rs, json_t *j, const char *what)
{
	if (!j) {
		fail(rs, 500, "control reply to '%s' has an unexpected shape", what);
		return;
	}
	rs->body = rj_dump(j);
	json_decref(j);
	rs->status = rs->body ? 200 : 500;
}

/* One control request; 0 with *result, else the response is already set. */
static int ctl(struct rest_app *app, struct rest_resp *rs, const char *cmd, const char *const *args,
	       size_t nargs, json_t **result)
{
	char err[160];
	int st = rest_ctl_call(&app->ctl, cmd, args, nargs, result, err, sizeof(err));
	if (st) {
		fail(rs, st, "%s", err);
		return -1;
	}
	return 0;
}

/* --- handlers ------------------------------------------------------------ */

/* osmo-remsim-server has only a stub here: 200, empty body */
static void h_restart_counter(struct rest_app *app, const struct rest_req *rq, char **params,
			      struct rest_resp *rs)
{
	(void)app, (void)rq, (void)params;
	rs->status = 200;
}

static void list_handler(struct rest_app *app, struct rest_resp *rs, const char *cmd,
			 const char *name, json_t *(*canon)(const json_t *))
{
	json_t *res;
	if (ctl(app, rs, cmd, NULL, 0, &res))
		return;
	reply_json(rs, rj_wrap_list(name, res, canon), cmd);
	json_decref(res);
}

static void h_banks(struct rest_app *app, const struct rest_req *rq, char **params,
		    struct rest_resp *rs)
{
	(void)rq, (void)params;
	list_handler(app, rs, "banks", "banks", rj_bank);
}

static void h_clients(struct rest_app *app, const struct rest_req *rq, char **params,
		      struct rest_resp *rs)
{
	(void)rq, (void)params;
	list_handler(app, rs, "clients", "clients", rj_client);
}

static void h_slotmaps(struct rest_app *app, const struct rest_req *rq, char **params,
		       struct rest_resp *rs)
{
	(void)rq, (void)params;
	list_handler(app, rs, "maps", "slotmaps", rj_slotmap);
}

/* Path id of /banks/:id and /clients/:id: 0..65535 as in osmo-remsim, and
 * (unlike it) digits only. */
static long path_id16(const char *s, struct rest_resp *rs, const char *what)
{
	long long v = rj_parse_uint(s, 65535);
	if (v == -1)
		fail(rs, 400, "%s id '%s' is not a decimal number", what, s);
	else if (v == -2)
		fail(rs, 400, "%s id %s > 65535", what, s);
	return (long)v;
}

static long bank_id_of(const json_t *b)
{
	json_t *v = json_object_get(b, "bankId");
	return json_is_integer(v) ? (long)json_integer_value(v) : -1;
}

static long client_id_of(const json_t *c)
{
	return rj_client_id(c);
}

/* GET /banks/:id and /clients/:id: the first entry of the list whose id matches */
static void one_handler(struct rest_app *app, const char *idtext, struct rest_resp *rs,
			const char *cmd, const char *what, long (*id_of)(const json_t *), json_t *(*canon)(const json_t *))
{
	long id = path_id16(idtext, rs, what);
	if (id < 0)
		return;
	json_t *res;
	if (ctl(app, rs, cmd, NULL, 0, &res))
		return;
	if (!json_is_array(res)) {
		fail(rs, 500, "control reply to '%s' is not an array", cmd);
	} else {
		size_t i;
		json_t *e, *found = NULL;
		json_array_foreach(res, i, e) {
			if (id_of(e) == id) {
				found = e;
				break;
			}
		}
		if (found)
			reply_json(rs, canon(found), cmd);
		else
			fail(rs, 404, "no %s with id %ld", what, id);
	}
	json_decref(res);
}

static void h_bank(struct rest_app *app, const struct rest_req *rq, char **params,
		   struct rest_resp *rs)
{
	(void)rq;
	one_handler(app, params[0], rs, "banks", "bank", bank_id_of, rj_bank);
}

static void h_client(struct rest_app *app, const struct rest_req *rq, char **params,
		     struct rest_resp *rs)
{
	(void)rq;
	one_handler(app, params[0], rs, "clients", "client", client_id_of, rj_client);
}

/* "application/json", optionally followed by parameters ("; charset=utf-8") */
static void h_slotmap_create(struct rest_app *app, const struct rest_req *rq, char **params,
			     struct rest_resp *rs)
{
	(void)params;
	if (!rest_is_json_type(rq->content_type)) {
		fail(rs, 400, "Content-Type is '%s', not application/json",
		     rq->content_type ? rq->content_type : "(none)");
		return;
	}
	char client[32], bank[32];
	if (rj_parse_map_args(rq->body, rq->body_len, client, bank, rs->why, sizeof(rs->why))) {
		rs->status = 400;
		return;
	}
	json_t *res;
	char err[160];
	int st = rest_group_map(&app->ctl, client, bank, &res, err, sizeof(err));
	if (st) {
		fail(rs, st, "%s", err);
		return;
	}
	json_decref(res);
	rs->status = 201;
}

/* slotmap_id = bankId * 65536 + bankSlotNr */
static void h_slotmap_delete(struct rest_app *app, const struct rest_req *rq, char **params,
			     struct rest_resp *rs)
{
	(void)rq;
	long long id = rj_parse_uint(params[0], 0xffffffffULL);
	if (id == -1) {
		fail(rs, 400, "slotmap id '%s' is not a decimal number", params[0]);
		return;
	}
	if (id == -2) {
		fail(rs, 400, "slotmap id %s overflows", params[0]);
		return;
	}
	unsigned bank = (unsigned)(id >> 16), slot = (unsigned)(id & 0xffff);
	if (bank > REST_MAX_ID || slot > REST_MAX_ID) {
		fail(rs, 404, "no slotmap %lld (B%u:%u cannot exist)", id, bank, slot);
		return;
	}
	char b[32];
	snprintf(b, sizeof(b), "B%u:%u", bank, slot);
	const char *args[] = { b };
	json_t *res;
	if (ctl(app, rs, "unmap", args, 1, &res))
		return;
	json_decref(res);
	rs->status = 200;
}

/* request body ignored, as in osmo-remsim-server */
static void h_global_reset(struct rest_app *app, const struct rest_req *rq, char **params,
			   struct rest_resp *rs)
{
	(void)rq, (void)params;
	json_t *res;
	if (ctl(app, rs, "reset", NULL, 0, &res))
		return;
	json_decref(res);
	rs->status = 200;
}

/* --- the table ----------------------------------------------------------- */

static const struct route {
	const char *method;
	const char *pattern;	/* ":name" matches one non-empty path segment */
	handler_fn fn;
} routes[] = {
	{ "GET",    "/restart-counter",      h_restart_counter },
	{ "GET",    "/banks",                h_banks },
	{ "GET",    "/banks/:bank_id",       h_bank },
	{ "GET",    "/clients",              h_clients },
	{ "GET",    "/clients/:client_id",   h_client },
	{ "GET",    "/slotmaps",             h_slotmaps },
	{ "POST",   "/slotmaps",             h_slotmap_create },
	{ "DELETE", "/slotmaps/:slotmap_id", h_slotmap_delete },
	{ "POST",   "/global-reset",         h_global_reset },
};

/* Match path against pattern; captured segments are malloc'd into params. */
static int match(const char *pattern, const char *path, char **params, int *nparams)
{
	*nparams = 0;
	while (*pattern && *path) {
		if (*pattern != '/' || *path != '/')
			return 0;
		pattern++, path++;
		size_t plen = strcspn(pattern, "/"), slen = strcspn(path, "/");
		if (*pattern == ':') {
			if (slen == 0 || *nparams == MAX_PARAMS)
				return 0;
			if (!(params[*nparams] = strndup(path, slen)))
				return 0;	/* out of memory: treated as no match */
			(*nparams)++;
		} else if (plen != slen || strncmp(pattern, path, plen)) {
			return 0;
		}
		pattern += plen, path += slen;
	}
	return !*pattern && !*path;
}

static void free_params(char **params, int n)
{
	for (int i = 0; i < n; i++)
		free(params[i]);
}

void rest_route(struct rest_app *app, const struct rest_req *rq, struct rest_resp *rs)
{
	/* HEAD is GET without the body (libmicrohttpd drops the body) */
	const char *method = strcmp(rq->method, "HEAD") ? rq->method : "GET";
	rs->allow[0] = '\0';
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		char *params[MAX_PARAMS] = { NULL };
		int n;
		int hit = match(routes[i].pattern, rq->path, params, &n);
		if (hit && !strcmp(routes[i].method, method)) {
			routes[i].fn(app, rq, params, rs);
			free_params(params, n);
			return;
		}
		free_params(params, n);
		if (hit) {	/* right path, other method: remember for Allow */
			size_t l = strlen(rs->allow);
			snprintf(rs->allow + l, sizeof(rs->allow) - l, "%s%s", l ? ", " : "",
				 strcmp(routes[i].method, "GET") ? routes[i].method : "GET, HEAD");
		}
	}
	if (rs->allow[0])
		fail(rs, 405, "method %s not allowed here (Allow: %s)", rq->method, rs->allow);
	else
		fail(rs, 404, "no such resource");
}
