/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_config.c: unit tests of common/base/config.c: loading, typed getters with
 * defaults and ranges, iteration, and file:line in every error message. */
#include "check.h"
#include "tmpdir.h"
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[256];	/* tmp_base()/remsim-test-config.XXXXXX */

/* Write text to tmpdir/name; returns the path (static buffer per slot). */
static const char *write_file(const char *name, const char *text)
{
	static char paths[8][512];
	static int slot;
	char *p = paths[slot++ % 8];
	FILE *f;

	snprintf(p, 512, "%s/%s", tmpdir, name);
	f = fopen(p, "w");
	if (!f)
		return p;
	fputs(text, f);
	fclose(f);
	return p;
}

static const char good_cfg[] =
	"# a role config\n"				/* 1 */
	"name = \"bankd-1\";\n"				/* 2 */
	"server = {\n"					/* 3 */
	"  host = \"127.0.0.1\";\n"			/* 4 */
	"  port = 9998;\n"				/* 5 */
	"  keepalive = true;\n"				/* 6 */
	"  ratio = 0.25;\n"				/* 7 */
	"  big = 5000000000L;\n"			/* 8 */
	"};\n"						/* 9 */
	"slots = (\n"					/* 10 */
	"  { reader = \"r0\"; slot = 0; },\n"		/* 11 */
	"  { reader = \"r1\"; slot = 1; }\n"		/* 12 */
	");\n"						/* 13 */
	"ids = [ 3, 5, 7 ];\n"				/* 14 */
	"port_str = \"abc\";\n"				/* 15 */
	"bad_port = 70000;\n";				/* 16 */

static void test_good_file(void)
{
	char err[256];
	const char *path = write_file("good.cfg", good_cfg);
	struct cfg *c = cfg_load(path, err, sizeof(err));
	config_setting_t *srv;
	const char *s = NULL;
	int i = 0, b = 0;
	long long ll = 0;
	double d = 0;

	CHECK(c != NULL);
	if (!c) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	CHECK_EQ_STR(cfg_path(c), path);
	CHECK_EQ_INT(cfg_get_string(c, NULL, "name", "x", 0, &s), 0);
	CHECK_EQ_STR(s, "bankd-1");
	CHECK_EQ_INT(cfg_get_int(c, NULL, "server.port", 1, 1, 65535, &i), 0);
	CHECK_EQ_INT(i, 9998);
	srv = cfg_lookup(c, NULL, "server");
	CHECK(srv != NULL);
	CHECK_EQ_INT(cfg_get_string(c, srv, "host", NULL, 64, &s), 0);
	CHECK_EQ_STR(s, "127.0.0.1");
	CHECK_EQ_INT(cfg_get_bool(c, srv, "keepalive", 0, &b), 0);
	CHECK_EQ_INT(b, 1);
	CHECK_EQ_INT(cfg_get_float(c, srv, "ratio", 1.0, 0.0, 1.0, &d), 0);
	CHECK(d == 0.25);
	CHECK_EQ_INT(cfg_get_float(c, srv, "port", 1.0, 0.0, 1e6, &d), 0);	/* int as float */
	CHECK(d == 9998.0);
	CHECK_EQ_INT(cfg_get_int64(c, srv, "big", 0, 0, 10000000000LL, &ll), 0);
	CHECK_EQ_INT(ll, 5000000000LL);
	CHECK_EQ_INT(cfg_get_int64(c, NULL, "ids.[1]", 0, 0, 10, &ll), 0);
	CHECK_EQ_INT(ll, 5);
	/* absent settings give the default and return 1 */
	CHECK_EQ_INT(cfg_get_int(c, srv, "timeout", 30, 1, 3600, &i), 1);
	CHECK_EQ_INT(i, 30);
	CHECK_EQ_INT(cfg_get_string(c, NULL, "nothing.here", "dflt", 0, &s), 1);
	CHECK_EQ_STR(s, "dflt");
	CHECK_EQ_INT(cfg_get_bool(c, NULL, "verbose", 1, &b), 1);
	CHECK_EQ_INT(b, 1);
	CHECK_EQ_INT(cfg_get_float(c, NULL, "f", 2.5, 0, 10, &d), 1);
	CHECK(d == 2.5);
	CHECK(cfg_root(c) == cfg_lookup(c, NULL, NULL));
	cfg_free(&c);
	CHECK(c == NULL);
	cfg_free(&c);
}

static void test_syntax_error(void)
{
	char err[256];
	const char *path = write_file("syntax.cfg",
		"a = 1;\n"
		"b = {\n"
		"  c = 2;\n"
		"  d = = 3;\n"
		"};\n");
	char want[600];
	struct cfg *c = cfg_load(path, err, sizeof(err));

	CHECK(c == NULL);
	snprintf(want, sizeof(want), "%s:4: syntax error", path);
	CHECK_EQ_STR(err, want);
}

static void test_missing_file(void)
{
	char err[256], path[512], want[600];
	struct cfg *c;

	snprintf(path, sizeof(path), "%s/does-not-exist.cfg", tmpdir);
	snprintf(want, sizeof(want), "%s: cannot open: ", path);
	c = cfg_load(path, err, sizeof(err));
	CHECK(c == NULL);
	CHECK(strncmp(err, want, strlen(want)) == 0);
	CHECK(strstr(err, "No such file") != NULL);
	c = cfg_load("/nonexistent/x.cfg", NULL, 0);	/* no error buffer: fine */
	CHECK(c == NULL);
}

static void test_wrong_type(void)
{
	char err[256], want[600];
	const char *path = write_file("good2.cfg", good_cfg);
	struct cfg *c = cfg_load(path, err, sizeof(err));
	const char *s = "keep";
	int i = 42, b = 7;
	double d = 1;

	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_EQ_INT(cfg_get_int(c, NULL, "port_str", 1, 1, 65535, &i), -1);
	CHECK_EQ_INT(i, 42);
	snprintf(want, sizeof(want), "%s:15: 'port_str' must be an integer", path);
	CHECK_EQ_STR(cfg_error(c), want);
	CHECK_EQ_INT(cfg_get_int(c, NULL, "server.ratio", 1, 0, 10, &i), -1);
	snprintf(want, sizeof(want), "%s:7: 'server.ratio' must be an integer", path);
	CHECK_EQ_STR(cfg_error(c), want);
	CHECK_EQ_INT(cfg_get_string(c, NULL, "server.port", "d", 0, &s), -1);
	snprintf(want, sizeof(want), "%s:5: 'server.port' must be a string", path);
	CHECK_EQ_STR(cfg_error(c), want);
	CHECK_EQ_STR(s, "keep");
	CHECK_EQ_INT(cfg_get_bool(c, NULL, "slots.[1].slot", 0, &b), -1);
	snprintf(want, sizeof(want), "%s:12: 'slots.[1].slot' must be true or false", path);
	CHECK_EQ_STR(cfg_error(c), want);
	CHECK_EQ_INT(b, 7);
	CHECK_EQ_INT(cfg_get_float(c, NULL, "name", 0, 0, 1, &d), -1);
	snprintf(want, sizeof(want), "%s:2: 'name' must be a number", path);
	CHECK_EQ_STR(cfg_error(c), want);
	CHECK_EQ_INT(cfg_get_int(c, NULL, "server", 0, 0, 1, &i), -1);
	snprintf(want, sizeof(want), "%s:3: 'server' must be an integer", path);
	CHECK_EQ_STR(cfg_error(c), want);
	cfg_free(&c);
}

static void test_out_of_range(void)
{
	char err[256], want[600];
	const char *path = write_file("good3.cfg", good_cfg);
	struct cfg *c = cfg_load(path, err, sizeof(err));
	const char *s = NULL;
	long long ll = 0;
	double d = 0;
	int i = 42;

	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_EQ_INT(cfg_get_int(c, NULL, "bad_port", 9998, 1, 65535, &i), -1);
	CHECK_EQ_INT(i, 42);
	snprintf(want, sizeof(want), "%s:16: 'bad_port' must be between 1 and 65535 (got 70000)", path);
	CHECK_EQ_STR(cfg_error(c), want);
	/* a 64-bit value does not fit an int getter */
	CHECK_EQ_INT(cfg_get_int(c, NULL, "server.big", 0, -2147483647 - 1, 2147483647, &i), -1);
	snprintf(want, sizeof(want), "%s:8: 'server.big' must be between", path);
	CHECK(strncmp(cfg_error(c), want, strlen(want)) == 0);
	CHECK_EQ_INT(cfg_get_int64(c, NULL, "ids.[2]", 0, 0, 6, &ll), -1);
	snprintf(want, sizeof(want), "%s:14: 'ids.[2]' must be between 0 and 6 (got 7)", path);
	CHECK_EQ_STR(cfg_error(c), want);
	CHECK_EQ_INT(cfg_get_float(c, NULL, "server.ratio", 0, 0.5, 1, &d), -1);
	snprintf(want, sizeof(want), "%s:7: 'server.ratio' must be between 0.5 and 1 (got 0.25)", path);
	CHECK_EQ_STR(cfg_error(c), want);
	CHECK_EQ_INT(cfg_get_string(c, NULL, "name", NULL, 3, &s), -1);
	snprintf(want, sizeof(want), "%s:2: 'name' is longer than 3 characters", path);
	CHECK_EQ_STR(cfg_error(c), want);
	cfg_free(&c);
}

struct slot_acc {
	int n;
	int sum;
	char names[64];
};

static int each_slot(struct cfg *c, config_setting_t *e, unsigned idx, void *arg)
{
	struct slot_acc *a = arg;
	const char *r;
	int slot;

	if (cfg_get_string(c, e, "reader", NULL, 16, &r) != 0 ||
	    cfg_get_int(c, e, "slot", 0, 0, 1023, &slot) != 0)
		return -1;
	if ((int)idx != slot)
		return cfg_fail(c, e, "slot %d out of order", slot);
	strncat(a->names, r, sizeof(a->names) - strlen(a->names) - 1);
	a->n++;
	a->sum += slot;
	return 0;
}

static int stop_at_second(struct cfg *c, config_setting_t *e, unsigned idx, void *arg)
{
	(void)e;
	(void)arg;
	if (idx == 1)
		return cfg_fail(c, e, "stopped at %u", idx);
	return 0;
}

static void test_foreach(void)
{
	char err[256], want[600];
	const char *path = write_file("good4.cfg", good_cfg);
	struct cfg *c = cfg_load(path, err, sizeof(err));
	struct slot_acc a = { 0, 0, "" };

	CHECK(c != NULL);
	if (!c)
		return;
	CHECK_EQ_INT(cfg_foreach(c, NULL, "slots", each_slot, &a), 0);
	CHECK_EQ_INT(a.n, 2);
	CHECK_EQ_INT(a.sum, 1);
	CHECK_EQ_STR(a.names, "r0r1");
	/* a group iterates over its members */
	a.n = 0;
	CHECK_EQ_INT(cfg_foreach(c, NULL, "server", stop_at_second, &a), -1);
	snprintf(want, sizeof(want), "%s:5: stopped at 1", path);
	CHECK_EQ_STR(cfg_error(c), want);
	/* absent: nothing to do */
	CHECK_EQ_INT(cfg_foreach(c, NULL, "nothing", each_slot, &a), 0);
	/* a scalar cannot be iterated */
	CHECK_EQ_INT(cfg_foreach(c, NULL, "name", each_slot, &a), -1);
	snprintf(want, sizeof(want), "%s:2: 'name' must be a list, array or group", path);
	CHECK_EQ_STR(cfg_error(c), want);
	/* cfg_fail without a setting names the file only */
	CHECK_EQ_INT(cfg_fail(c, NULL, "no %s", "bankd"), -1);
	snprintf(want, sizeof(want), "%s: no bankd", path);
	CHECK_EQ_STR(cfg_error(c), want);
	cfg_free(&c);
}

static void test_include_errors_name_included_file(void)
{
	char err[256], want[600];
	const char *inc = write_file("inc.cfg", "\nport = \"x\";\n");
	const char *path = write_file("main.cfg", "a = 1;\n@include \"inc.cfg\"\n");
	struct cfg *c;
	int i;

	c = cfg_load(path, err, sizeof(err));
	CHECK(c != NULL);
	if (!c) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	CHECK_EQ_INT(cfg_get_int(c, NULL, "port", 0, 0, 10, &i), -1);
	snprintf(want, sizeof(want), "%s:2: 'port' must be an integer", inc);
	CHECK_EQ_STR(cfg_error(c), want);
	cfg_free(&c);

	/* a syntax error inside the included file names that file */
	write_file("inc.cfg", "x = 1;\ny = ;\n");
	c = cfg_load(path, err, sizeof(err));
	CHECK(c == NULL);
	snprintf(want, sizeof(want), "%s:2: syntax error", inc);
	CHECK_EQ_STR(err, want);
}

/* The usual case: a path relative to the working directory ("etc/x.cfg"). */
static void test_relative_path(void)
{
	char err[256], cwd[512], dir[600];
	struct cfg *c;

	CHECK(getcwd(cwd, sizeof(cwd)) != NULL);
	snprintf(dir, sizeof(dir), "%s/etc", tmpdir);
	CHECK(mkdir(dir, 0700) == 0);
	write_file("etc/rel.cfg", "a = 1;\n@include \"relinc.cfg\"\n");
	write_file("etc/relinc.cfg", "b = 2;\n\nc = 3 3;\n");
	CHECK(chdir(tmpdir) == 0);
	c = cfg_load("etc/rel.cfg", err, sizeof(err));
	CHECK(c == NULL);
	CHECK_EQ_STR(err, "etc/relinc.cfg:3: syntax error");
	write_file("etc/relinc.cfg", "b = 2;\n");
	write_file("etc/rel.cfg", "a = 1;\n@include \"relinc.cfg\"\nx = ;\n");
	c = cfg_load("etc/rel.cfg", err, sizeof(err));
	CHECK(c == NULL);
	CHECK_EQ_STR(err, "etc/rel.cfg:3: syntax error");
	CHECK(chdir(cwd) == 0);
	cfg_free(&c);
}

static void cleanup(void)
{
	static const char *const names[] = {
		"good.cfg", "good2.cfg", "good3.cfg", "good4.cfg", "syntax.cfg",
		"inc.cfg", "main.cfg", "etc/rel.cfg", "etc/relinc.cfg",
	};
	char p[600];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", tmpdir, names[i]);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/etc", tmpdir);
	rmdir(p);
	rmdir(tmpdir);
}

int main(void)
{
	if (!tmp_mkdtemp("remsim-test-config", tmpdir, sizeof(tmpdir))) {
		perror("mkdtemp");
		return 1;
	}
	RUN(test_good_file);
	RUN(test_syntax_error);
	RUN(test_missing_file);
	RUN(test_wrong_type);
	RUN(test_out_of_range);
	RUN(test_foreach);
	RUN(test_include_errors_name_included_file);
	RUN(test_relative_path);
	cleanup();
	return check_summary();
}
