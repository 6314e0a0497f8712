/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.c: stderr logging with level, component and slot context (see log.h). */
#include "log.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char log_component[48] = "remsim";
static char log_context[64] = "-";
enum log_level log_threshold_ = LL_INFO;	/* read inline by the LOG* macros */
static int log_timestamps = 1;
static int log_prio_prefix;	/* "<N>" syslog priority first: the journal reads it */

static const char *const level_names[] = {
	[LL_DEBUG] = "DEBUG", [LL_INFO] = "INFO", [LL_NOTICE] = "NOTICE",
	[LL_WARN] = "WARN", [LL_ERROR] = "ERROR", [LL_FATAL] = "FATAL",
};

/* Is stderr the systemd journal?  systemd sets JOURNAL_STREAM=DEV:INODE of
 * the stream it connected; a redirected stderr no longer matches. */
static int stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) < 0)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_init(const char *component)
{
	snprintf(log_component, sizeof(log_component), "%s", component ? component : "remsim");
	const char *env = getenv("REMSIM_LOG_LEVEL");
	if (env && log_level_parse(env) >= 0)
		log_threshold_ = (enum log_level)log_level_parse(env);
	/* Under the journal: syslog priorities, and no timestamps of our own
	 * (the journal has them).  REMSIM_LOG_TIMESTAMPS and
	 * REMSIM_LOG_PRIORITY (0/1) override either way. */
	int journal = stderr_is_journal();
	const char *ts = getenv("REMSIM_LOG_TIMESTAMPS"), *pp = getenv("REMSIM_LOG_PRIORITY");
	log_timestamps = ts && *ts ? atoi(ts) != 0 : !journal;
	log_prio_prefix = pp && *pp ? atoi(pp) != 0 : journal;
}

void log_set_level(enum log_level level) { log_threshold_ = level; }
enum log_level log_get_level(void) { return log_threshold_; }
void log_set_timestamps(int on) { log_timestamps = on; }

void log_set_context(const char *ctx)
{
	snprintf(log_context, sizeof(log_context), "%s", ctx && *ctx ? ctx : "-");
}

int log_level_parse(const char *name)
{
	static const struct { const char *name; enum log_level level; } names[] = {
		{ "debug", LL_DEBUG }, { "info", LL_INFO }, { "notice", LL_NOTICE },
		{ "warn", LL_WARN }, { "warning", LL_WARN }, { "error", LL_ERROR },
		{ "err", LL_ERROR }, { "fatal", LL_FATAL },
	};
	if (!name)
		return -1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(name, names[i].name) == 0)
			return names[i].level;
	return -1;
}

const char *log_level_name(enum log_level level)
{
	if ((int)level < 0 || level > LL_FATAL)
		return "?";
	return level_names[level];
}

/* A FATAL line is also the process's reason to exit: written (the text
 * alone, the last one wins) to the file REMSIM_REASON_FILE names, where
 * remsimd reads it when the process has exited (docs/remsimd.md). */
static void log_reason(const char *text, size_t len)
{
	const char *path = getenv("REMSIM_REASON_FILE");
	if (!path || !*path)
		return;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	ssize_t w = write(fd, text, len);
	(void)w;
	close(fd);
}

void log_vmsg(enum log_level level, const char *ctx, const char *fmt, va_list ap)
{
	if (level < log_threshold_)
		return;
	char line[1024];
	size_t n = 0;
	if (log_prio_prefix) {
		/* syslog priorities: debug 7, info 6, notice 5, warning 4, err 3, crit 2 */
		static const char prio[] = { [LL_DEBUG] = '7', [LL_INFO] = '6', [LL_NOTICE] = '5',
					     [LL_WARN] = '4', [LL_ERROR] = '3', [LL_FATAL] = '2' };
		line[n++] = '<';
		line[n++] = prio[level <= LL_FATAL ? level : LL_FATAL];
		line[n++] = '>';
	}
	if (log_timestamps) {
		struct timespec ts;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		n += strftime(line + n, sizeof(line) - n, "%Y-%m-%dT%H:%M:%S", &tm);
		n += (size_t)snprintf(line + n, sizeof(line) - n, ".%03ldZ ", ts.tv_nsec / 1000000);
	}
	n += (size_t)snprintf(line + n, sizeof(line) - n, "%-6s %s [%s] ", log_level_name(level),
			      log_component, ctx && *ctx ? ctx : log_context);
	size_t hdr = n < sizeof(line) ? n : 0;	/* where the text starts */
	if (n < sizeof(line)) {
		int m = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
		if (m > 0)
			n += (size_t)m;
	}
	if (n >= sizeof(line) - 1) {
		n = sizeof(line) - 2;
		memcpy(line + n - 3, "...", 3);
	}
	/* strip trailing newlines the caller may have put, then add exactly one */
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	line[n++] = '\n';
	fwrite(line, 1, n, stderr);
	if (level == LL_FATAL)
		log_reason(line + hdr, n - hdr);
}

void log_msg(enum log_level level, const char *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, ctx, fmt, ap);
	va_end(ap);
}
