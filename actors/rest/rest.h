/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rest.h: the pieces of the REST actor (osmo-remsim-server compatible HTTP
 * API translated onto control requests) and how they fit together:
 *   main.c        options, config file, signals, start/stop
 *   rest_http.c   libmicrohttpd glue: body collection, bearer token, logging
 *   rest_routes.c the route table (method + path pattern -> handler)
 *   rest_json.c   request validation and canonical JSON output (key order)
 *   rest_ctl.c    one control request round trip over ZeroMQ
 *   rest_group.c  group commit of concurrent POST /slotmaps
 *   rest_remsim.c remsim's own API below /api/remsim/v1 (dashboard data)
 *   rest_static.c the dashboard's static files at / (docs/dashboard.md)
 *   rest_guard.c  slow-peer watchdog, Origin/Host/content-type checks */
#ifndef REMSIM_REST_H
#define REMSIM_REST_H

#include <jansson.h>
#include <stddef.h>

#define REST_BASE		"/api/backend/v1"
#define REST_DEFAULT_LISTEN	"0.0.0.0:9997"
#define REST_DEFAULT_CONTROL	"ipc:///run/remsim/control"
#define REST_DEFAULT_TIMEOUT_MS	3000
#define REST_MAX_BODY		(64 * 1024)
#define REST_MAX_ID		1023	/* bank, client and slot numbers: 0..1023 */
#define REST_REMSIM_BASE	"/api/remsim/v1"	/* remsim's additions (rest_remsim.c) */
#define REST_DEFAULT_REQ_TIMEOUT_MS	5000	/* a whole request must arrive within */
#define REST_DEFAULT_MAX_CONNS		256
#define REST_DEFAULT_MAX_PER_ADDR	16
#define REST_MAX_HOSTS			16

/* --- rest_ctl.c ---------------------------------------------------------- */
struct rest_ctl {
	void *zctx;		/* libzmq context, shared by all request threads */
	const char *endpoint;
	int timeout_ms;
};

int rest_ctl_init(struct rest_ctl *c, const char *endpoint, int timeout_ms);
void rest_ctl_fini(struct rest_ctl *c);
/* Send {"cmd":cmd[,"args":[...]],"origin":"rest"} and wait for the reply.
 * Returns 0 with *result (a new reference, never NULL) on {"ok":true},
 * else the HTTP status for the failure with a reason in err. */
int rest_ctl_call(struct rest_ctl *c, const char *cmd, const char *const *args, size_t nargs,
		  json_t **result, char *err, size_t errlen);
/* The same with "<flag>":true in the request (NULL: none). */
int rest_ctl_call_flag(struct rest_ctl *c, const char *cmd, const char *const *args, size_t nargs,
		       const char *flag, json_t **result, char *err, size_t errlen);
/* HTTP status for a control error code (usage/range/conflict 400, ...). */
int rest_ctl_status_for_code(const char *code);

/* --- rest_group.c -------------------------------------------------------- */
/* `map` client -> bank for one HTTP request, group-committed with the
 * requests of other threads that arrive while one is being stored: they go
 * to the mapstore together as one request ("each": every pair on its own,
 * one transaction, one fsync).  Returns like rest_ctl_call(); *result is the
 * new <slotmap>. */
int rest_group_map(struct rest_ctl *c, const char *client, const char *bank, json_t **result,
		   char *err, size_t errlen);

/* --- rest_json.c --------------------------------------------------------- */
/* Canonical copies (keys in the order osmo-remsim-server emits them; keys
 * not in its shapes are dropped).  NULL if `in` is not an object. */
json_t *rj_slotmap(const json_t *in);
json_t *rj_bank(const json_t *in);
json_t *rj_client(const json_t *in);
/* {"<name>":[canonical(elem)...]}; NULL if list is not an array of objects. */
json_t *rj_wrap_list(const char *name, const json_t *list, json_t *(*canon)(const json_t *));
/* Compact JSON text (malloc'd), NULL on failure. */
char *rj_dump(const json_t *j);
/* Validate a POST /slotmaps body; ids = {bankId, bankSlot, clientId, clientSlot}.
 * 0 if valid, else -1 with a reason in err. */
int rj_parse_slotmap_post(const char *body, size_t len, unsigned ids[4], char *err, size_t errlen);
/* The same, as control arguments "C:S" (client) and "B:S" (bank). */
int rj_parse_map_args(const char *body, size_t len, char client[32], char bank[32], char *err,
		      size_t errlen);
/* clientId of a <client> ("peer":"C<id>:<slot>"), -1 if not parsable. */
long rj_client_id(const json_t *client);
/* Strict decimal number (digits only, no sign/space); -1 if not, -2 if
 * larger than max. */
long long rj_parse_uint(const char *s, unsigned long long max);

/* --- rest_guard.c -------------------------------------------------------- */
/* Names the Host header may carry besides IP literals and "localhost". */
struct rest_policy {
	const char *hosts[REST_MAX_HOSTS];
	size_t nhosts;
};

/* What rest_guard_check() looks at (NULL: header absent). */
struct rest_hdrs {
	const char *method, *host, *origin, *content_type;
	size_t body_len;
};

/* 0 if the request may go on, else the HTTP status (403 foreign Origin or
 * Host, 400 form-like body on a state-changing method) with a reason. */
int rest_guard_check(const struct rest_policy *p, const struct rest_hdrs *h, char *why, size_t len);
/* "application/json", parameters allowed. */
int rest_is_json_type(const char *ct);

/* Slow-peer watchdog: a connection gets timeout_ms for each request. */
struct rest_guard;
struct gconn;
struct rest_guard *rest_guard_new(unsigned timeout_ms);
void rest_guard_free(struct rest_guard **g);
struct gconn *rest_guard_start(struct rest_guard *g, int fd, const char *peer);
/* busy 1: request complete, being answered (no deadline); 0: waiting for the next one */
void rest_guard_busy(struct rest_guard *g, struct gconn *c, int busy);
/* a request's headers arrived (a connection without one is logged at its end) */
void rest_guard_seen(struct rest_guard *g, struct gconn *c);
void rest_guard_end(struct rest_guard *g, struct gconn *c);

/* --- rest_routes.c -------------------------------------------------------- */
struct rest_app {
	struct rest_ctl ctl;
	const char *token;	/* bearer token; NULL or "" = no authentication */
	const char *www_dir;	/* dashboard files; NULL = no dashboard (rest_static.c) */
	struct rest_policy policy;
	unsigned req_timeout_ms, max_conns, max_per_addr;
};

struct rest_req {
	const char *method;
	const char *path;		/* below REST_BASE, e.g. "/slotmaps/65541" */
	const char *content_type;	/* NULL if absent */
	const char *body;
	size_t body_len;
	/* for rest_remsim.c: query argument by name (NULL if absent), and the
	 * Origin and Host headers (NULL if absent) */
	const char *(*query)(const struct rest_req *rq, const char *key);
	void *qctx;
	const char *origin, *host;
};

struct rest_resp {
	int status;
	char *body;		/* malloc'd compact JSON, NULL = empty body */
	char allow[64];		/* Allow header for 405, "" otherwise */
	char why[192];		/* reason of an error, for the log */
};

/* Set an error status and its reason (for the log), dropping any body. */
void rest_fail(struct rest_resp *rs, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Dispatch a request (path already stripped of REST_BASE) to its handler. */
void rest_route(struct rest_app *app, const struct rest_req *rq, struct rest_resp *rs);

/* --- rest_remsim.c ------------------------------------------------------- */
/* Dispatch a request below REST_REMSIM_BASE (path stripped of it).  Errors
 * carry a JSON body {"error":"..."}. */
void rest_remsim_route(struct rest_app *app, const struct rest_req *rq, struct rest_resp *rs);

/* --- rest_static.c ------------------------------------------------------- */
struct MHD_Connection;
/* Is url one of the dashboard's file paths ("/", "/NAME.html|css|js|svg")? */
int rest_static_path(const char *url);
/* Queue the file's response (or 404/405); status and a reason for the log. */
int rest_static_send(const struct rest_app *app, struct MHD_Connection *c, const char *method,
		     const char *url, int *status, char *why, size_t whylen);
/* 1 if dir holds a readable index.html */
int rest_static_usable(const char *dir);
/* The default www_dir: the first of EXE/../share/remsim/www and (build tree)
 * EXE/../../actors/rest/www holding index.html; NULL if none (malloc'd). */
char *rest_static_default_dir(void);

/* --- rest_http.c --------------------------------------------------------- */
struct rest_http;
/* Start serving on listen ("ADDR:PORT", "[V6ADDR]:PORT").  NULL on error
 * with the reason in err. */
struct rest_http *rest_http_start(struct rest_app *app, const char *listen, char *err, size_t errlen);
void rest_http_stop(struct rest_http **h);
/* The port actually bound (useful with port 0). */
unsigned rest_http_port(const struct rest_http *h);

#endif
