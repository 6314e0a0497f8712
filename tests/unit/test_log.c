/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_log.c: the log line format: level, category (when not the process's
 * default), component, context; timestamps and syslog priority prefixes (the
 * journal) switched by the environment; per-category levels, their sources
 * in order (defaults < config `log` group < REMSIM_LOG_LEVEL/REMSIM_LOG_MASK
 * < run-time overrides and their file), arguments of disabled lines not
 * evaluated; the config group's errors with file:line; the FATAL reason file. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "tmpdir.h"
#include "log.h"
#include "logconf.h"

static char tmpdir[256];

/* Run fn with stderr going to a file; return its text (static buffer). */
static const char *capture(void (*fn)(void))
{
	static char buf[4096];
	char path[300];
	snprintf(path, sizeof(path), "%s/stderr", tmpdir);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, STDERR_FILENO);
	close(fd);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

static void two_lines(void)
{
	LOGD("B1:3", "not shown at info");
	LOGI("B1:3 C2:0", "hello %d", 42);
	LOGE(NULL, "bad");
}

static void test_plain(void)
{
	unsetenv("JOURNAL_STREAM");
	setenv("REMSIM_LOG_TIMESTAMPS", "0", 1);
	unsetenv("REMSIM_LOG_PRIORITY");
	log_init("reader/3");
	log_set_level(LL_INFO);
	CHECK_EQ_STR(capture(two_lines), "INFO   reader/3 [B1:3 C2:0] hello 42\nERROR  reader/3 [-] bad\n");
}

static void test_timestamps(void)
{
	unsetenv("REMSIM_LOG_TIMESTAMPS");
	log_init("x");
	const char *out = capture(two_lines);
	/* 2026-12-04T20:10:23.050Z INFO ... */
	CHECK(strlen(out) > 25 && out[4] == '-' && out[10] == 'T' && out[23] == 'Z' && out[24] == ' ');
}

static void test_priority_prefix(void)
{
	setenv("REMSIM_LOG_PRIORITY", "1", 1);
	setenv("REMSIM_LOG_TIMESTAMPS", "0", 1);
	log_init("bankmap");
	CHECK_EQ_STR(capture(two_lines), "<6>INFO   bankmap [B1:3 C2:0] hello 42\n<3>ERROR  bankmap [-] bad\n");
	unsetenv("REMSIM_LOG_PRIORITY");
}

static void init_and_log(void)
{
	log_init("usbslot/0");	/* with stderr already on the "journal" stream */
	two_lines();
}

static void test_journal_detected(void)
{
	/* JOURNAL_STREAM naming the file stderr goes to: priorities, no timestamps */
	char path[300], js[64];
	struct stat st;
	snprintf(path, sizeof(path), "%s/stderr", tmpdir);
	unsetenv("REMSIM_LOG_TIMESTAMPS");
	unsetenv("REMSIM_LOG_PRIORITY");
	int fd = open(path, O_WRONLY | O_CREAT, 0600);	/* capture() reopens the same inode */
	CHECK(fd >= 0 && fstat(fd, &st) == 0);
	close(fd);
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", js, 1);
	CHECK_EQ_STR(capture(init_and_log), "<6>INFO   usbslot/0 [B1:3 C2:0] hello 42\n<3>ERROR  usbslot/0 [-] bad\n");
	unsetenv("JOURNAL_STREAM");
}

static void fatal_line(void)
{
	LOGF("B1:0", "cannot listen on %s", "0.0.0.0:9999");
}

static void test_reason_file(void)
{
	char path[300], got[256] = "";
	snprintf(path, sizeof(path), "%s/reason", tmpdir);
	setenv("REMSIM_REASON_FILE", path, 1);
	setenv("REMSIM_LOG_TIMESTAMPS", "0", 1);
	log_init("broker");
	capture(fatal_line);
	FILE *f = fopen(path, "r");
	CHECK(f != NULL);
	if (f) {
		CHECK(fgets(got, sizeof(got), f) != NULL);
		fclose(f);
	}
	CHECK_EQ_STR(got, "cannot listen on 0.0.0.0:9999\n");
	unsetenv("REMSIM_REASON_FILE");
}


static int evaluated;
static const char *count_eval(void)
{
	evaluated++;
	return "x";
}

static void cat_lines(void)
{
	LOGCI(LC_TPDU, "B1:3 C2:0", "cmd %s", count_eval());
	LOGCD(LC_RSPRO, NULL, "Rx %s", count_eval());
	LOGI(NULL, "own %s", count_eval());
	LOGCI(LC_BANKDW, NULL, "default category, no tag");
}

static void test_categories(void)
{
	setenv("REMSIM_LOG_TIMESTAMPS", "0", 1);
	unsetenv("REMSIM_LOG_MASK");
	unsetenv("REMSIM_LOG_LEVEL");
	unsetenv("REMSIM_RUN_DIR");
	log_init("reader/3");
	CHECK_EQ_INT(log_default_cat(), LC_BANKDW);
	evaluated = 0;
	CHECK_EQ_STR(capture(cat_lines), "INFO   reader/3 [-] own x\nINFO   reader/3 [-] default category, no tag\n");
	CHECK_EQ_INT(evaluated, 1);	/* DTPDU (notice) and DRSPRO (info) lines: arguments untouched */
	log_override(LC_TPDU, LL_INFO);
	log_override(LC_RSPRO, LL_DEBUG);
	evaluated = 0;
	CHECK_EQ_STR(capture(cat_lines), "INFO   DTPDU reader/3 [B1:3 C2:0] cmd x\nDEBUG  DRSPRO reader/3 [-] Rx x\n"
		     "INFO   reader/3 [-] own x\nINFO   reader/3 [-] default category, no tag\n");
	CHECK_EQ_INT(evaluated, 3);
	log_init("broker");
	CHECK_EQ_INT(log_default_cat(), LC_BROKER);
	CHECK_EQ_INT(log_get_level(), LL_INFO);
	CHECK(!log_overridden(LC_TPDU));	/* a new log_init starts afresh */
	log_init("usbslot/0");
	CHECK_EQ_INT(log_default_cat(), LC_MAIN);
	log_init("remsimd");
	CHECK_EQ_INT(log_default_cat(), LC_SUP);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_sources_in_order(void)
{
	char cfg[300], err[512];
	int lv[LC_COUNT];
	snprintf(cfg, sizeof(cfg), "%s/role.cfg", tmpdir);
	write_file(cfg, "actors = ();\nlog = { level = \"warn\";\n  categories = { DTPDU = \"info\"; DRSPRO = 1; };\n};\n");
	unsetenv("REMSIM_LOG_MASK");
	unsetenv("REMSIM_LOG_LEVEL");
	setenv("REMSIM_RUN_DIR", tmpdir, 1);
	log_init("reader/0");
	CHECK_EQ_INT(logconf_apply_file(cfg, err, sizeof(err)), 0);
	log_get_levels(lv);
	CHECK_EQ_INT(lv[LC_BANKDW], LL_WARN);		/* config: level */
	CHECK_EQ_INT(lv[LC_TPDU], LL_INFO);		/* config: categories */
	CHECK_EQ_INT(lv[LC_RSPRO], LL_DEBUG);		/* an osmocom number */
	/* REMSIM_LOG_MASK over the config (osmo: unnamed categories down to error) */
	setenv("REMSIM_LOG_MASK", "DBANKDW,3:DGSMTAP,1", 1);
	CHECK_EQ_INT(logconf_apply_file(cfg, err, sizeof(err)), 0);
	log_get_levels(lv);
	CHECK_EQ_INT(lv[LC_BANKDW], LL_INFO);
	CHECK_EQ_INT(lv[LC_GSMTAP], LL_DEBUG);
	CHECK_EQ_INT(lv[LC_TPDU], LL_ERROR);
	/* run-time overrides over both, kept in RUN_DIR/log-levels for a restart */
	log_override(LC_TPDU, LL_INFO);
	CHECK_EQ_INT(log_runtime_save(NULL), 0);
	char path[400], got[200] = "";
	FILE *f = fopen(log_runtime_path(NULL, path, sizeof(path)), "r");
	CHECK(f && fgets(got, sizeof(got), f));
	if (f)
		fclose(f);
	CHECK_EQ_STR(got, "DTPDU,INFO\n");
	log_init("reader/0");			/* "restarted" */
	CHECK(log_overridden(LC_TPDU));
	CHECK_EQ_INT(logconf_apply_file(cfg, err, sizeof(err)), 0);
	log_get_levels(lv);
	CHECK_EQ_INT(lv[LC_TPDU], LL_INFO);
	CHECK_EQ_INT(lv[LC_BANKDW], LL_INFO);
	log_override(LC_COUNT, LL_NOTICE);	/* all */
	log_get_levels(lv);
	for (int i = 0; i < LC_COUNT; i++)
		CHECK_EQ_INT(lv[i], LL_NOTICE);
	/* REMSIM_LOG_LEVEL: every category but DTPDU */
	unlink(path);
	unsetenv("REMSIM_LOG_MASK");
	setenv("REMSIM_LOG_LEVEL", "debug", 1);
	log_set_config_levels(NULL);	/* (log_init keeps what the config set) */
	log_init("mapstore");
	log_get_levels(lv);
	CHECK_EQ_INT(lv[LC_SLOTMAP], LL_DEBUG);
	CHECK_EQ_INT(lv[LC_TPDU], LL_NOTICE);
	unsetenv("REMSIM_LOG_LEVEL");
	unsetenv("REMSIM_RUN_DIR");
	log_init("x");
}

static void test_config_errors(void)
{
	static const struct { const char *group, *want; } bad[] = {
		{ "{ categories = { DTPUD = \"info\"; }; }",
		  ":2: unknown key 'DTPUD' in log.categories (did you mean 'DTPDU'?; known: DMAIN, " },
		{ "{ level = \"loud\"; }", ":2: log.level must be one of debug, info," },
		{ "{ level = 9; }", ":2: log.level must be an osmocom level 0..8" },
		{ "{ categories = \"DMAIN,1:DNOPE\"; }", ":2: log.categories: unknown log category 'DNOPE'" },
		{ "{ categories = 3; }", ":2: log.categories must be an osmo mask string" },
		{ "{ target = \"file\"; }", ":2: log.target must be \"stderr\" or \"syslog\" (got 'file')" },
		{ "{ timestamps = \"yes\"; }", ":2: " },
		{ "{ syslog_facility = \"kern\"; }", ":2: log.syslog_facility must be one of user, daemon," },
		{ "{ colour = true; }", ":2: unknown key 'colour' in log (known: level, categories, target, " },
		{ "5", ":2: 'log' must be a group" },
	};
	char cfg[300], text[300], err[512];
	snprintf(cfg, sizeof(cfg), "%s/bad.cfg", tmpdir);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "actors = ();\nlog = %s;\n", bad[i].group);
		write_file(cfg, text);
		err[0] = '\0';
		CHECK_EQ_INT(logconf_apply_file(cfg, err, sizeof(err)), -1);
		if (!strstr(err, bad[i].want) || strncmp(err, cfg, strlen(cfg)))
			fprintf(stderr, "  config %s: got '%s'\n", bad[i].group, err);
		CHECK(strstr(err, bad[i].want) != NULL && !strncmp(err, cfg, strlen(cfg)));
	}
}

int main(void)
{
	if (!tmp_mkdtemp("remsim-test-log", tmpdir, sizeof(tmpdir)))
		return 1;
	RUN(test_plain);
	RUN(test_timestamps);
	RUN(test_priority_prefix);
	RUN(test_journal_detected);
	RUN(test_reason_file);
	RUN(test_categories);
	RUN(test_sources_in_order);
	RUN(test_config_errors);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return check_summary();
}
