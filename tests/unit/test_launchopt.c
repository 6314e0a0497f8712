/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_launchopt.c: the launchers' option parser (common/launch/launchopt.c)
 * and the -d/-e hand-over (logenv.c): accepted forms, values stored where
 * the table says, each kind's checks, usage errors (exit 2), the generated
 * usage naming every option, and the masks passed on. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "launchopt.h"
#include "log.h"
#include "logenv.h"

struct o {
	const char *host, *mask, *file, *user;
	long port, n, hex;
	int flag, flag2;
};

#define O(f) offsetof(struct o, f)
static const struct lopt opts[] = {
	{ .name = "help", .letter = 'h', .kind = LO_HELP, .off = LO_NOWHERE, .help = "this text" },
	{ .name = "server-host", .letter = 'i', .kind = LO_HOST, .metavar = "HOST", .off = O(host), .help = "h" },
	{ .name = "server-port", .letter = 'p', .kind = LO_PORT, .metavar = "PORT", .off = O(port),
	  .flags = LOF_GROUP_A, .help = "p" },
	{ .name = "num", .letter = 'n', .kind = LO_INT, .min = 1, .max = 8, .metavar = "N", .off = O(n),
	  .alt_off = O(file), .flags = LOF_ALT | LOF_GROUP_A, .help = "n\ncontinued" },
	{ .kind = LO_SECTION, .help = "More:" },
	{ .name = "vendor", .kind = LO_HEX, .min = 0, .max = 0xffff, .metavar = "HEX", .off = O(hex), .help = "v" },
	{ .name = "debug", .letter = 'd', .kind = LO_LOGMASK, .metavar = "MASK", .off = O(mask), .help = "d" },
	{ .name = "user", .kind = LO_USER, .metavar = "U", .off = O(user), .help = "u" },
	{ .name = "shared", .letter = 's', .kind = LO_FLAG, .off = O(flag), .help = "s" },
	{ .name = "timestamp", .letter = 'T', .kind = LO_FLAG, .off = O(flag2), .help = "t" },
	{ .name = "serial", .kind = LO_STRING, .metavar = "S", .off = LO_NOWHERE, .flags = LOF_GROUP_B, .help = "x" },
};
static const struct launch_spec spec = {
	.prog = "t", .synopsis = "usage: t [options]", .opts = opts, .nopts = sizeof(opts) / sizeof(opts[0]),
};

static int run(struct o *o, struct launch_result *r, int argc, char **argv)
{
	memset(o, 0, sizeof(*o));
	return launch_parse(&spec, argc, argv, o, r) ? r->exit_code : -1;
}

static void test_forms(void)
{
	struct o o;
	struct launch_result r;
	char *a[] = { "t", "-i", "h1", "-p9998", "--num=3", "--vendor", "0x1d50", "-sT", "--deb", "DMAIN:DST2",
		      "--user=remsim:remsim", "--", NULL };
	CHECK_EQ_INT(run(&o, &r, 12, a), -1);
	CHECK_EQ_STR(o.host, "h1");
	CHECK_EQ_INT(o.port, 9998);
	CHECK_EQ_INT(o.n, 3);
	CHECK_EQ_INT(o.hex, 0x1d50);
	CHECK(o.flag && o.flag2);
	CHECK_EQ_STR(o.mask, "DMAIN:DST2");
	CHECK_EQ_STR(o.user, "remsim:remsim");
	CHECK(launch_given(&spec, &r, "num") && !launch_given(&spec, &r, "serial"));
	char list[100];
	CHECK_EQ_INT(launch_count(&spec, &r, LOF_GROUP_A, list, sizeof(list)), 2);
	CHECK_EQ_STR(list, "-p/--server-port, -n/--num");
	/* LOF_ALT: not a number -> the alternative, not counted as the option */
	char *b[] = { "t", "-n", "x.cfg", NULL };
	CHECK_EQ_INT(run(&o, &r, 3, b), -1);
	CHECK_EQ_STR(o.file, "x.cfg");
	CHECK(!launch_given(&spec, &r, "num"));
}

static void test_errors(void)
{
	struct o o;
	struct launch_result r;
	char *bad[][4] = {
		{ "t", "-p", "99999", NULL }, { "t", "-p", "0x10", NULL }, { "t", "-n", "9", NULL },
		{ "t", "--vendor", "10000", NULL }, { "t", "-i", "a b", NULL }, { "t", "-d", "DMAIN:DNOPE", NULL },
		{ "t", "--user", ":g", NULL }, { "t", "--s", NULL }, { "t", "--bogus", NULL }, { "t", "-x", NULL },
		{ "t", "-p", NULL }, { "t", "extra", NULL }, { "t", "--shared=1", NULL },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int argc = 0;
		while (bad[i][argc])
			argc++;
		CHECK_EQ_INT(run(&o, &r, argc, bad[i]), 2);
	}
	char *ok[] = { "t", "-p", "1", "-p", "65535", "-n", "8", "-i", "[::1]", "-d", "info", NULL };
	CHECK_EQ_INT(run(&o, &r, 11, ok), -1);
	CHECK_EQ_INT(o.port, 65535);
}

static void test_usage(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	launch_usage(&spec, f);
	fclose(f);
	for (size_t i = 0; i < spec.nopts; i++) {
		char want[64];
		if (opts[i].kind == LO_SECTION)
			continue;
		snprintf(want, sizeof(want), "--%s", opts[i].name);
		CHECK(strstr(buf, want) != NULL);
	}
	CHECK(strstr(buf, "  -p, --server-port PORT") != NULL);
	CHECK(strstr(buf, "\nMore:\n") != NULL);
	CHECK(strstr(buf, "n\n                              continued\n") != NULL);
	free(buf);
}

static void test_masks(void)
{
	char out[512];
	CHECK(logenv_launch_mask(NULL, -1, out, sizeof(out)) == NULL);
	CHECK_EQ_STR(logenv_launch_mask("DMAIN:DST2", -1, out, sizeof(out)), "DMAIN:DST2");
	CHECK_EQ_STR(logenv_launch_mask(NULL, 1, out, sizeof(out)), "DEBUG");
	CHECK_EQ_STR(logenv_launch_mask(NULL, 7, out, sizeof(out)), "ERROR");
	const char *both = logenv_launch_mask("DMAIN,1:DRSPRO,5", 3, out, sizeof(out));
	CHECK(both && strstr(both, "DMAIN,INFO") && strstr(both, "DRSPRO,NOTICE") && strstr(both, "DST2,ERROR"));
	char err[300];
	CHECK_EQ_INT(logenv_export("DMAIN,3:DRSPRO,1", err, sizeof(err)), 0);
	CHECK_EQ_STR(getenv("REMSIM_LOG_MASK"), "DMAIN,3:DRSPRO,1");
	CHECK_EQ_STR(getenv("REMSIM_LOG_LEVEL"), "DEBUG");
	/* this process applies the mask itself, per category */
	int lv[LC_COUNT];
	log_get_levels(lv);
	CHECK_EQ_INT(log_get_level(), LL_INFO);	/* DMAIN,3 */
	CHECK_EQ_INT(lv[LC_RSPRO], LL_DEBUG);
	CHECK_EQ_INT(lv[LC_ST2], LL_ERROR);	/* not named: errors only */
	CHECK_EQ_INT(logenv_export("notice", err, sizeof(err)), 0);
	CHECK_EQ_STR(getenv("REMSIM_LOG_LEVEL"), "NOTICE");
	CHECK_EQ_INT(logenv_export("DMAIN:DXYZ", err, sizeof(err)), -1);
	CHECK(strstr(err, "DXYZ") != NULL);
	CHECK_EQ_STR(getenv("REMSIM_LOG_MASK"), "notice");
}

int main(void)
{
	RUN(test_forms);
	RUN(test_errors);
	RUN(test_usage);
	RUN(test_masks);
	return check_summary();
}
