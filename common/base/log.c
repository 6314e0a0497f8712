/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.c: logging with per-category levels, component and slot context, to
 * stderr (plain or with journal priorities) or syslog (see log.h). */
#include "log.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static char log_component[48] = "remsim";
static char log_context[64] = "-";
/* read inline by the LOG* macros: the level of each category, the default one */
_Static_assert(LC_COUNT == 10, "one default level per category below");
_Atomic int log_levels_[LC_COUNT] = { LL_INFO, LL_INFO, LL_INFO, LL_INFO, LL_INFO,
				      LL_INFO, LL_INFO, LL_INFO, LL_INFO, LL_NOTICE };
enum log_cat log_cat_ = LC_MAIN;
static int cfg_levels[LC_COUNT];	/* from the role config, if has_cfg */
static int has_cfg;
static int overrides[LC_COUNT] = { -1, -1, -1, -1, -1, -1, -1, -1, -1, -1 };	/* run time; -1 none */
static int log_timestamps = 1;
static int cfg_timestamps = -1;	/* config: 0/1, -1 automatic */
static int log_prio_prefix;	/* "<N>" syslog priority first: the journal reads it */
static int log_to_syslog;

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

/* the timestamp setting: REMSIM_LOG_TIMESTAMPS > config > automatic */
static void apply_timestamps(int journal)
{
	const char *ts = getenv("REMSIM_LOG_TIMESTAMPS");
	log_timestamps = ts && *ts ? atoi(ts) != 0 : cfg_timestamps >= 0 ? cfg_timestamps : !journal;
}

void log_get_levels(int lv[LC_COUNT])
{
	for (int i = 0; i < LC_COUNT; i++)
		lv[i] = atomic_load_explicit(&log_levels_[i], memory_order_relaxed);
}

void log_set_levels(const int lv[LC_COUNT])
{
	for (int i = 0; i < LC_COUNT; i++)
		atomic_store_explicit(&log_levels_[i], lv[i], memory_order_relaxed);
}

/* Every level from its sources, lowest precedence first (log.h).  warn:
 * say so when an environment value is not understood. */
static void recompute(int warn)
{
	int lv[LC_COUNT];
	if (has_cfg)
		memcpy(lv, cfg_levels, sizeof(lv));
	else
		log_levels_default(lv);
	const char *env = getenv("REMSIM_LOG_LEVEL");
	if (env && *env) {
		int l = log_level_parse(env);
		if (l >= 0)
			log_levels_all(lv, l);
		else if (warn)
			LOGW(NULL, "REMSIM_LOG_LEVEL='%s' ignored: not a level name", env);
	}
	const char *mask = getenv("REMSIM_LOG_MASK");
	char err[400];
	if (mask && *mask && log_mask_parse(mask, lv, err, sizeof(err)) < 0 && warn)
		LOGW(NULL, "REMSIM_LOG_MASK ignored: %s", err);
	for (int i = 0; i < LC_COUNT; i++)
		if (overrides[i] >= 0)
			lv[i] = overrides[i];
	log_set_levels(lv);
}

const char *log_runtime_path(const char *run_dir, char *out, size_t outlen)
{
	if (!run_dir)
		run_dir = getenv("REMSIM_RUN_DIR");
	if (!run_dir || !*run_dir)
		snprintf(out, outlen, "%s", "");
	else
		snprintf(out, outlen, "%s/log-levels", run_dir);
	return out;
}

/* The run-time overrides the broker saved (an actor restarted keeps them). */
static void load_runtime(void)
{
	char path[600], line[600];
	FILE *f = *log_runtime_path(NULL, path, sizeof(path)) ? fopen(path, "r") : NULL;
	if (!f)
		return;
	if (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		int lv[LC_COUNT], err_ok;
		char err[400];
		for (int i = 0; i < LC_COUNT; i++)
			lv[i] = -1;
		err_ok = !*line || log_mask_parse_partial(line, lv, err, sizeof(err)) == 0;
		if (!err_ok)
			LOGW(NULL, "%s ignored: %s", path, err);
		for (int i = 0; err_ok && *line && i < LC_COUNT; i++)
			overrides[i] = lv[i];
	}
	fclose(f);
}

int log_runtime_save(const char *run_dir)
{
	char path[600], tmp[620], line[600];
	size_t o = 0;
	line[0] = '\0';
	for (int i = 0; i < LC_COUNT; i++)
		if (overrides[i] >= 0)
			o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%s,%s", o ? ":" : "",
					      log_cat_name((enum log_cat)i), log_level_name((enum log_level)overrides[i]));
	if (!*log_runtime_path(run_dir, path, sizeof(path)))
		return 0;	/* nowhere to keep them: this process only */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	int bad = fprintf(f, "%s\n", line) < 0;
	bad |= fclose(f) != 0;
	if (bad || rename(tmp, path) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

void log_init(const char *component)
{
	snprintf(log_component, sizeof(log_component), "%s", component ? component : "remsim");
	log_cat_ = log_cat_for_component(log_component);
	for (int i = 0; i < LC_COUNT; i++)
		overrides[i] = -1;
	/* Under the journal: syslog priorities, and no timestamps of our own
	 * (the journal has them).  REMSIM_LOG_TIMESTAMPS and
	 * REMSIM_LOG_PRIORITY (0/1) override either way. */
	int journal = stderr_is_journal();
	const char *pp = getenv("REMSIM_LOG_PRIORITY");
	apply_timestamps(journal);
	log_prio_prefix = pp && *pp ? atoi(pp) != 0 : journal;
	load_runtime();
	recompute(1);
}

void log_set_config_levels(const int lv[LC_COUNT])
{
	has_cfg = lv != NULL;
	if (lv)
		memcpy(cfg_levels, lv, sizeof(cfg_levels));
	recompute(0);
}

void log_set_config_timestamps(int on)
{
	cfg_timestamps = on;
	apply_timestamps(stderr_is_journal());
}

void log_set_syslog(int on, int facility)
{
	if (log_to_syslog)
		closelog();
	log_to_syslog = on;
	if (on)
		openlog(log_component, LOG_PID | LOG_NDELAY, facility);
}

void log_reload_env(void) { recompute(1); }

void log_set_level(enum log_level level)
{
	int lv[LC_COUNT];
	log_levels_all(lv, level);
	log_set_levels(lv);
}

enum log_level log_get_level(void)
{
	return (enum log_level)atomic_load_explicit(&log_levels_[log_cat_], memory_order_relaxed);
}

int log_runtime_reload(void)
{
	int before[LC_COUNT], after[LC_COUNT];
	log_get_levels(before);
	for (int i = 0; i < LC_COUNT; i++)
		overrides[i] = -1;
	load_runtime();
	recompute(0);
	log_get_levels(after);
	return memcmp(before, after, sizeof(before)) != 0;
}
enum log_cat log_default_cat(void) { return log_cat_; }
void log_set_timestamps(int on) { log_timestamps = on; }

int log_overridden(int cat)
{
	return cat >= 0 && cat < LC_COUNT && overrides[cat] >= 0;
}

void log_override(int cat, enum log_level level)
{
	for (int i = 0; i < LC_COUNT; i++)
		if (cat == i || cat == LC_COUNT)
			overrides[i] = level;
	recompute(0);
}

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

/* One line of category cat (its level checked by the caller). */
static void emit(enum log_cat cat, enum log_level level, const char *ctx, const char *fmt, va_list ap)
{
	/* syslog priorities: debug 7, info 6, notice 5, warning 4, err 3, crit 2 */
	static const char prio[] = { [LL_DEBUG] = '7', [LL_INFO] = '6', [LL_NOTICE] = '5',
				     [LL_WARN] = '4', [LL_ERROR] = '3', [LL_FATAL] = '2' };
	if ((int)level < 0 || level > LL_FATAL)
		level = LL_FATAL;
	char line[1024];
	size_t n = 0;
	if (log_prio_prefix && !log_to_syslog) {
		line[n++] = '<';
		line[n++] = prio[level];
		line[n++] = '>';
	}
	if (log_timestamps && !log_to_syslog) {
		struct timespec ts;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		n += strftime(line + n, sizeof(line) - n, "%Y-%m-%dT%H:%M:%S", &tm);
		n += (size_t)snprintf(line + n, sizeof(line) - n, ".%03ldZ ", ts.tv_nsec / 1000000);
	}
	size_t body = n;	/* syslog: what follows the level and component */
	n += (size_t)snprintf(line + n, sizeof(line) - n, "%-6s %s%s%s ", log_level_name(level),
			      cat != log_cat_ ? log_cat_name(cat) : "", cat != log_cat_ ? " " : "",
			      log_component);
	if (log_to_syslog)
		n = body + (size_t)snprintf(line + body, sizeof(line) - body, "%s%s", cat != log_cat_ ?
					    log_cat_name(cat) : "", cat != log_cat_ ? " " : "");
	n += (size_t)snprintf(line + n, sizeof(line) - n, "[%s] ", ctx && *ctx ? ctx : log_context);
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
	if (log_to_syslog) {
		line[n - 1] = '\0';
		syslog(prio[level] - '0', "%s", line + body);
		line[n - 1] = '\n';
	} else {
		fwrite(line, 1, n, stderr);
	}
	if (level == LL_FATAL)
		log_reason(line + hdr, n - hdr);
}

void log_vmsg(enum log_level level, const char *ctx, const char *fmt, va_list ap)
{
	if (LOG_ON(log_cat_, level))
		emit(log_cat_, level, ctx, fmt, ap);
}

void log_msg(enum log_level level, const char *ctx, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vmsg(level, ctx, fmt, ap);
	va_end(ap);
}

void log_cmsg(enum log_cat cat, enum log_level level, const char *ctx, const char *fmt, ...)
{
	if ((int)cat < 0 || cat >= LC_COUNT)
		cat = log_cat_;
	if (!LOG_ON(cat, level))
		return;
	va_list ap;
	va_start(ap, fmt);
	emit(cat, level, ctx, fmt, ap);
	va_end(ap);
}
