/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_log.c: the log line format: level, component, context; timestamps
 * and syslog priority prefixes (the journal) switched by the environment;
 * levels below the threshold dropped; the FATAL reason file. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "log.h"

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

int main(void)
{
	const char *t = getenv("TMPDIR");
	snprintf(tmpdir, sizeof(tmpdir), "%s/remsim-test-log.XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir))
		return 1;
	RUN(test_plain);
	RUN(test_timestamps);
	RUN(test_priority_prefix);
	RUN(test_journal_detected);
	RUN(test_reason_file);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return check_summary();
}
