/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rest_http.c: the libmicrohttpd side of the REST actor.  Collects the
 * request body, enforces the optional bearer token and the cross-site checks
 * (rest_guard.c), strips the API base path, hands the request to
 * rest_route() and sends its answer; logs one line per request (method,
 * path, status, milliseconds).  Connection limits: max_conns in all,
 * max_per_addr from one address, each request within req_timeout_ms. */
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "log.h"
#include "monotime.h"
#include "ratelim.h"
#include "rest.h"

#define IDLE_TIMEOUT_S	10	/* no progress at all (e.g. a reader of our answer) */

struct rest_http {
	struct MHD_Daemon *d;
	struct rest_app *app;
	struct rest_guard *guard;
	unsigned port;
};

/* per-request state, from the first callback to the completion notice */
struct reqstate {
	int64_t t0_ms;
	char *body;
	size_t len, cap;
	int too_big;
	int status;		/* 0 until a response was queued */
	char method[16];
	char *url;
	char why[192];
};

static int append_body(struct reqstate *r, const char *data, size_t n)
{
	if (r->too_big || r->len + n > REST_MAX_BODY) {
		r->too_big = 1;
		return 0;
	}
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap ? r->cap : 1024;
		while (cap < r->len + n + 1)
			cap *= 2;
		char *b = realloc(r->body, cap);
		if (!b)
			return -1;
		r->body = b;
		r->cap = cap;
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return 0;
}

/* copy of s for the log, control characters replaced by '?' */
static char *printable_copy(const char *s)
{
	char *c = strdup(s);
	for (char *p = c; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return c;
}

/* Constant-time comparison of the presented token with ours. */
static int token_ok(const char *want, const char *header)
{
	static const char scheme[] = "Bearer ";
	if (!header || strncasecmp(header, scheme, sizeof(scheme) - 1))
		return 0;
	const char *got = header + sizeof(scheme) - 1;
	while (*got == ' ')
		got++;
	size_t wl = strlen(want), gl = strlen(got);
	unsigned char diff = wl != gl;
	for (size_t i = 0; i < gl; i++)
		diff |= (unsigned char)got[i] ^ (unsigned char)want[i % (wl ? wl : 1)];
	return diff == 0;
}

static enum MHD_Result send_resp(struct MHD_Connection *c, struct reqstate *r, struct rest_resp *rs)
{
	struct MHD_Response *resp;
	if (rs->body) {
		resp = MHD_create_response_from_buffer(strlen(rs->body), rs->body,
						       MHD_RESPMEM_MUST_FREE);
		if (resp) {
			rs->body = NULL;	/* owned by resp now */
			MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
		}
	} else {
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	}
	free(rs->body);
	rs->body = NULL;
	if (!resp)
		return MHD_NO;
	if (rs->status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"remsim\"");
	if (rs->status == MHD_HTTP_METHOD_NOT_ALLOWED && rs->allow[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, rs->allow);
	r->status = rs->status;
	snprintf(r->why, sizeof(r->why), "%s", rs->why);
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)rs->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* query argument of a rest_remsim.c request */
static const char *query_arg(const struct rest_req *rq, const char *key)
{
	return MHD_lookup_connection_value(rq->qctx, MHD_GET_ARGUMENT_KIND, key);
}

static struct rest_req make_req(struct MHD_Connection *c, const struct reqstate *r,
				const char *method, const char *path)
{
	return (struct rest_req){
		.method = method,
		.path = path,
		.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							    MHD_HTTP_HEADER_CONTENT_TYPE),
		.body = r->body,
		.body_len = r->len,
		.query = query_arg,
		.qctx = c,
		.origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin"),
		.host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST),
	};
}

static void fmt_addr(const struct sockaddr *sa, char *buf, size_t len)
{
	char host[64] = "?", serv[16] = "?";
	if (sa)
		getnameinfo(sa, sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in),
			    host, sizeof(host), serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(buf, len, "%s:%s", host, serv);
}

static struct gconn *guard_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct rest_http *h = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fi = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ai = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		char peer[96];
		fmt_addr(ai ? ai->client_addr : NULL, peer, sizeof(peer));
		*socket_context = fi ? rest_guard_start(h->guard, fi->connect_fd, peer) : NULL;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		rest_guard_end(h->guard, *socket_context);
		*socket_context = NULL;
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct rest_http *h = cls;
	struct reqstate *r = *con_cls;
	(void)version;
	if (!r) {	/* headers only so far */
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		r->t0_ms = mono_ms();
		rest_guard_seen(h->guard, guard_of(c));
		snprintf(r->method, sizeof(r->method), "%s", method);
		r->url = printable_copy(url);
		*con_cls = r;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (append_body(r, upload_data, *upload_data_size) < 0)
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}

	rest_guard_busy(h->guard, guard_of(c), 1);
	/* the dashboard's files (rest_static.c): hold no data, need no token */
	if (rest_static_path(url))
		return (enum MHD_Result)rest_static_send(h->app, c, method, url, &r->status, r->why,
							 sizeof(r->why));

	struct rest_resp rs = { .status = 500 };
	const char *token = h->app->token;
	size_t blen = strlen(REST_BASE);
	size_t rlen = strlen(REST_REMSIM_BASE);
	const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	struct rest_hdrs hd = {
		.method = method,
		.host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST),
		.origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ORIGIN),
		.content_type = ctype,
		.body_len = r->len + (size_t)r->too_big,
	};
	int refused;
	if (token && *token &&
	    !token_ok(token, MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION))) {
		rs.status = MHD_HTTP_UNAUTHORIZED;
		snprintf(rs.why, sizeof(rs.why), "missing or wrong bearer token");
	} else if ((refused = rest_guard_check(&h->app->policy, &hd, rs.why, sizeof(rs.why)))) {
		rs.status = refused;
	} else if (r->too_big) {
		rs.status = MHD_HTTP_CONTENT_TOO_LARGE;
		snprintf(rs.why, sizeof(rs.why), "body larger than %d bytes", REST_MAX_BODY);
	} else if (!strncmp(url, REST_REMSIM_BASE, rlen) && url[rlen] == '/') {
		/* remsim's additions (rest_remsim.c) */
		struct rest_req rq = make_req(c, r, method, url + rlen);
		rest_remsim_route(h->app, &rq, &rs);
	} else if (strncmp(url, REST_BASE, blen) || url[blen] != '/') {
		rs.status = MHD_HTTP_NOT_FOUND;
		snprintf(rs.why, sizeof(rs.why), "not below %s", REST_BASE);
	} else {
		struct rest_req rq = make_req(c, r, method, url + blen);
		rest_route(h->app, &rq, &rs);
	}
	return send_resp(c, r, &rs);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct reqstate *r = *con_cls;
	(void)cls, (void)c;
	if (!r)
		return;
	long ms = (long)(mono_ms() - r->t0_ms);
	if (!r->status)
		LOGW(NULL, "%s %s aborted after %ld ms (termination code %d)", r->method,
		     r->url ? r->url : "?", ms, (int)toe);
	else if (r->why[0])
		LOGI(NULL, "%s %s %d %ld ms: %s", r->method, r->url ? r->url : "?", r->status, ms,
		     r->why);
	else
		LOGI(NULL, "%s %s %d %ld ms", r->method, r->url ? r->url : "?", r->status, ms);
	free(r->url);
	free(r->body);
	free(r);
	*con_cls = NULL;
}

/* libmicrohttpd's own messages (e.g. each connection refused by a limit):
 * one line each into our log, at most 10 per 10 s */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static struct ratelim rl = RATELIM_INIT(10, 10000);
	(void)cls;
	char buf[512];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\r\n")] = '\0';
	unsigned long held = 0;
	pthread_mutex_lock(&mu);
	int pass = ratelim_pass(&rl, &held);
	pthread_mutex_unlock(&mu);
	if (!pass)
		return;
	char note[RATELIM_NOTE_MAX];
	LOGW(NULL, "http: %s%s", buf, ratelim_note(held, note, sizeof(note)));
}

/* "ADDR:PORT", "[V6ADDR]:PORT", ":PORT" or "*:PORT" -> socket address */
static int parse_listen(const char *listen, struct sockaddr_storage *ss, unsigned *port,
			char *err, size_t errlen)
{
	char host[256];
	const char *colon = strrchr(listen, ':');
	if (!colon || !colon[1]) {
		snprintf(err, errlen, "--listen '%s': expected ADDR:PORT", listen);
		return -1;
	}
	long long p = rj_parse_uint(colon + 1, 65535);
	if (p < 0) {
		snprintf(err, errlen, "--listen '%s': port must be 0..65535", listen);
		return -1;
	}
	size_t hl = (size_t)(colon - listen);
	const char *hs = listen;
	if (hl >= 2 && hs[0] == '[' && hs[hl - 1] == ']')
		hs++, hl -= 2;
	if (hl >= sizeof(host)) {
		snprintf(err, errlen, "--listen '%s': address too long", listen);
		return -1;
	}
	memcpy(host, hs, hl);
	host[hl] = '\0';
	if (!strcmp(host, "") || !strcmp(host, "*"))
		snprintf(host, sizeof(host), "0.0.0.0");
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(host, colon + 1, &hints, &res);
	if (rc || !res) {
		snprintf(err, errlen, "--listen '%s': %s", listen, gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*port = (unsigned)p;
	freeaddrinfo(res);
	return 0;
}

struct rest_http *rest_http_start(struct rest_app *app, const char *listen, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	unsigned port;
	if (parse_listen(listen, &ss, &port, err, errlen))
		return NULL;
	struct rest_http *h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->app = app;
	h->guard = rest_guard_new(app->req_timeout_ms);
	if (!h->guard) {
		snprintf(err, errlen, "cannot start the connection watchdog");
		free(h);
		return NULL;
	}
	unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, h,
				MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, h,	/* must be first */
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
				MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
				MHD_OPTION_CONNECTION_LIMIT, app->max_conns,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, app->max_per_addr,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
				MHD_OPTION_END);
	if (!h->d) {
		snprintf(err, errlen, "cannot listen on %s (address in use or not local?)", listen);
		rest_guard_free(&h->guard);
		free(h);
		return NULL;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	h->port = di ? di->port : port;
	return h;
}

void rest_http_stop(struct rest_http **h)
{
	if (!*h)
		return;
	MHD_stop_daemon((*h)->d);
	rest_guard_free(&(*h)->guard);
	free(*h);
	*h = NULL;
}

unsigned rest_http_port(const struct rest_http *h)
{
	return h->port;
}
