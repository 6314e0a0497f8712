/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rest_static.c: serves the operator dashboard's static files (index.html,
 * its CSS and JS) from www_dir at "/".  Only flat names of a known type are
 * served ("/", "/NAME.html|css|js|svg", NAME of [A-Za-z0-9_-]), so no path
 * can leave www_dir.  The files hold no data (the page fetches everything
 * from the API with the bearer token), so they need no token themselves.
 * Headers keep the page same-origin: a CSP that allows only 'self' scripts
 * and connections, no framing, no sniffing, no referrer. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "rest.h"

#define STATIC_MAX_FILE (1024 * 1024)

static const struct {
	const char *ext;
	const char *type;
} types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
};

static const char *type_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return NULL;
}

int rest_static_path(const char *url)
{
	if (!strcmp(url, "/"))
		return 1;
	if (url[0] != '/' || !type_of(url))
		return 0;
	const char *dot = strrchr(url, '.');
	if (dot == url + 1 || dot - url > 64)
		return 0;
	for (const char *p = url + 1; p < dot; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return 0;
	return 1;
}

/* whole file (malloc'd) or NULL with errno */
static char *read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	struct stat st;
	char *buf = NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > STATIC_MAX_FILE) {
		errno = errno ? errno : EINVAL;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (buf && got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n <= 0) {
			free(buf);
			buf = NULL;
			errno = n ? errno : EIO;
			break;
		}
		got += (size_t)n;
	}
	*len = got;
out:
	close(fd);
	return buf;
}

static void add_headers(struct MHD_Response *r, const char *type)
{
	if (type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'none'; script-src 'self'; style-src 'self'; "
				"img-src 'self'; connect-src 'self'; form-action 'none'; "
				"frame-ancestors 'none'; base-uri 'none'");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
}

int rest_static_send(const struct rest_app *app, struct MHD_Connection *c, const char *method,
		     const char *url, int *status, char *why, size_t whylen)
{
	char *body = NULL;
	size_t len = 0;
	const char *name = strcmp(url, "/") ? url + 1 : "index.html";
	*status = MHD_HTTP_OK;
	why[0] = '\0';
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		*status = MHD_HTTP_METHOD_NOT_ALLOWED;
		snprintf(why, whylen, "dashboard files: GET or HEAD only");
	} else if (!app->www_dir) {
		*status = MHD_HTTP_NOT_FOUND;
		snprintf(why, whylen, "no dashboard files (rest.www_dir not set, none found)");
	} else {
		char path[PATH_MAX + 80];
		snprintf(path, sizeof(path), "%s/%s", app->www_dir, name);
		if (!(body = read_file(path, &len))) {
			*status = errno == ENOENT ? MHD_HTTP_NOT_FOUND : MHD_HTTP_FORBIDDEN;
			snprintf(why, whylen, "%s: %s", path, strerror(errno));
		}
	}
	struct MHD_Response *r =
		body ? MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE)
		     : MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	add_headers(r, body ? type_of(name) : NULL);
	if (*status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)*status, r);
	MHD_destroy_response(r);
	return ret;
}

int rest_static_usable(const char *dir)
{
	char idx[PATH_MAX + 64];
	snprintf(idx, sizeof(idx), "%s/index.html", dir);
	return access(idx, R_OK) == 0;
}

/* dir if it holds index.html (malloc'd), else NULL */
static char *dir_if_dashboard(const char *dir)
{
	return rest_static_usable(dir) ? realpath(dir, NULL) : NULL;
}

char *rest_static_default_dir(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	const char *bindir = dirname(exe);	/* PREFIX/libexec/remsim, PREFIX/bin or BUILD/bin */
	static const char *const rel[] = { "/../../share/remsim/www", "/../share/remsim/www",
					   "/../../actors/rest/www" };
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		char d[PATH_MAX + 32];
		snprintf(d, sizeof(d), "%s%s", bindir, rel[i]);
		char *r = dir_if_dashboard(d);
		if (r)
			return r;
	}
	return NULL;
}
