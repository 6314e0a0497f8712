/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.h: stderr logging for every remsim process.
 *
 * One line per event:
 *   2026-11-29T06:40:00.123Z INFO  reader/3 [B1:3 C23:0] card opened, T=0
 * i.e. UTC time, level, component (the process/actor name), the slot context
 * in brackets (bank/client/slot the line concerns, "-" when none) and text.
 * The component is set once per process with log_init(); the context is given
 * per call (NULL uses the process default set with log_set_context()).
 * When stderr is the systemd journal (JOURNAL_STREAM matches it), lines
 * start with their syslog priority ("<6>INFO ...") and carry no timestamp
 * of their own; REMSIM_LOG_PRIORITY=0/1 and REMSIM_LOG_TIMESTAMPS=0/1
 * override either, for other supervisors.  A FATAL line's text is also
 * written to REMSIM_REASON_FILE when set (remsimd reports it). */
#ifndef REMSIM_LOG_H
#define REMSIM_LOG_H

#include <stdarg.h>

enum log_level {
	LL_DEBUG = 0,
	LL_INFO,
	LL_NOTICE,
	LL_WARN,
	LL_ERROR,
	LL_FATAL,
};

/* Set the component name shown in each line (copied, at most 47 chars). */
void log_init(const char *component);
/* Lines below this level are dropped.  Default LL_INFO; the environment
 * variable REMSIM_LOG_LEVEL (debug|info|notice|warn|error|fatal) overrides
 * the default at log_init(). */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parse a level name (case-insensitive, also "warning", "err"); -1 if unknown. */
int log_level_parse(const char *name);
const char *log_level_name(enum log_level level);
/* Default context for calls that pass ctx == NULL (copied, at most 63 chars). */
void log_set_context(const char *ctx);
/* Prefix every line with a timestamp (default on). */
void log_set_timestamps(int on);

void log_msg(enum log_level level, const char *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vmsg(enum log_level level, const char *ctx, const char *fmt, va_list ap);

/* The level check comes first, inline: a line below the threshold costs one
 * compare, its arguments (hex dumps, names) are not even evaluated. */
extern enum log_level log_threshold_;
#define LOG_AT_(lvl, ctx, ...) do { if ((lvl) >= log_threshold_) log_msg(lvl, ctx, __VA_ARGS__); } while (0)
#define LOGD(ctx, ...) LOG_AT_(LL_DEBUG, ctx, __VA_ARGS__)
#define LOGI(ctx, ...) LOG_AT_(LL_INFO, ctx, __VA_ARGS__)
#define LOGN(ctx, ...) LOG_AT_(LL_NOTICE, ctx, __VA_ARGS__)
#define LOGW(ctx, ...) LOG_AT_(LL_WARN, ctx, __VA_ARGS__)
#define LOGE(ctx, ...) LOG_AT_(LL_ERROR, ctx, __VA_ARGS__)
#define LOGF(ctx, ...) LOG_AT_(LL_FATAL, ctx, __VA_ARGS__)

#endif
