/* SPDX-License-Identifier: GPL-2.0-or-later */
/* log.h: stderr logging for every remsim process.
 *
 * One line per event:
 *   2026-11-29T06:40:00.123Z INFO  reader/3 [B1:3 C23:0] card opened, T=0
 *   2026-11-29T06:40:00.124Z INFO  DTPDU reader/3 [B1:3 C23:0] cmd a0a40000023f00
 * i.e. UTC time, level, the category when it is not the process's default
 * one, component (the process/actor name), the slot context in brackets
 * (bank/client/slot the line concerns, "-" when none) and text.
 *
 * Levels are per category (logmask.h): each process has a default category
 * chosen from its component name (broker DBROKER, remsimd DSUP, mapstore
 * DSLOTMAP, rest DREST, reader DBANKDW, others DMAIN) in which LOGD..LOGF
 * log; LOGC*(cat, ...) log in another one (RSPRO Rx/Tx in DRSPRO, TPDUs in
 * DTPDU, ...).  The levels come from, lowest precedence first: the category
 * defaults, the role config's `log` group (logconf.h), REMSIM_LOG_LEVEL and
 * REMSIM_LOG_MASK (osmo `-d` mask), and the run-time overrides of
 * `remsim-ctl log` kept in RUN_DIR/log-levels (REMSIM_RUN_DIR).  See
 * docs/logging.md.
 * Lines go to stderr, or to syslog(3) (log_set_syslog()).
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
#include <stdatomic.h>

#include "logmask.h"

enum log_level {
	LL_DEBUG = 0,
	LL_INFO,
	LL_NOTICE,
	LL_WARN,
	LL_ERROR,
	LL_FATAL,
};

/* Set the component name shown in each line (copied, at most 47 chars) and
 * the default category it implies; recompute every level from the config's
 * (if one was applied before), REMSIM_LOG_LEVEL, REMSIM_LOG_MASK and the
 * run-time file, read again (a bad environment value is logged as a warning
 * and ignored). */
void log_init(const char *component);
/* Every category but DTPDU to this level (as a plain-level mask does). */
void log_set_level(enum log_level level);
/* Re-read REMSIM_LOG_LEVEL / REMSIM_LOG_MASK (after a setenv of them) and
 * recompute every level, keeping config and run-time settings in order. */
void log_reload_env(void);
/* The level of the process's default category. */
enum log_level log_get_level(void);
/* All levels at once (enum log_level per category), e.g. to silence and
 * restore them. */
void log_get_levels(int levels[LC_COUNT]);
void log_set_levels(const int levels[LC_COUNT]);
/* One category (LC_COUNT: all of them) to a level, as a run-time override:
 * kept and re-applied over config and mask when those are re-applied. */
void log_override(int cat, enum log_level level);
/* Whether a run-time override sets category cat. */
int log_overridden(int cat);
/* The process's default category. */
enum log_cat log_default_cat(void);
/* Parse a level name (case-insensitive, also "warning", "err"); -1 if unknown. */
int log_level_parse(const char *name);
const char *log_level_name(enum log_level level);
/* Default context for calls that pass ctx == NULL (copied, at most 63 chars). */
void log_set_context(const char *ctx);
/* Prefix every line with a timestamp (default on; off under the journal). */
void log_set_timestamps(int on);

/* Where the levels below the environment come from: the role config's
 * (logconf.c).  cfg_levels: enum log_level per category, or NULL for the
 * defaults.  Recomputes every level: defaults < config < REMSIM_LOG_LEVEL <
 * REMSIM_LOG_MASK < run-time overrides (file and log_override()). */
void log_set_config_levels(const int cfg_levels[LC_COUNT]);
/* Timestamps from the config: 0/1, or -1 for automatic (off under the
 * journal); REMSIM_LOG_TIMESTAMPS still wins. */
void log_set_config_timestamps(int on);
/* Lines to syslog(3) with ident = component and this facility (LOG_DAEMON
 * ...) instead of stderr; on = 0 back to stderr. */
void log_set_syslog(int on, int facility);

/* The run-time override file: RUN_DIR/log-levels, one mask of the
 * categories set at run time ("DTPDU,info:DRSPRO,debug").  log_runtime_path()
 * gives the path (from REMSIM_RUN_DIR when run_dir is NULL; "" when
 * unknown).  log_runtime_save() writes the current overrides there
 * atomically (0, or -1 with errno). */
const char *log_runtime_path(const char *run_dir, char *out, size_t outlen);
int log_runtime_save(const char *run_dir);
/* Re-read the run-time overrides from that file and apply them: for a
 * process the broker cannot ask (the REST actor is not on the hub), which
 * calls it when the file changed.  1 when a level changed, else 0. */
int log_runtime_reload(void);

void log_msg(enum log_level level, const char *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void log_vmsg(enum log_level level, const char *ctx, const char *fmt, va_list ap);

/* The level check comes first, inline: a line below its category's level
 * costs one array lookup and compare, its arguments (hex dumps, names) are
 * not even evaluated. */
extern _Atomic int log_levels_[LC_COUNT];	/* atomic: the REST actor's HTTP threads
						 * read them while its main thread may
						 * change them (log_runtime_reload) */
extern enum log_cat log_cat_;
#define LOG_ON(cat, lvl) ((int)(lvl) >= atomic_load_explicit(&log_levels_[cat], memory_order_relaxed))
void log_cmsg(enum log_cat cat, enum log_level level, const char *ctx, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define LOG_AT_(lvl, ctx, ...) do { if (LOG_ON(log_cat_, lvl)) log_msg(lvl, ctx, __VA_ARGS__); } while (0)
#define LOGD(ctx, ...) LOG_AT_(LL_DEBUG, ctx, __VA_ARGS__)
#define LOGI(ctx, ...) LOG_AT_(LL_INFO, ctx, __VA_ARGS__)
#define LOGN(ctx, ...) LOG_AT_(LL_NOTICE, ctx, __VA_ARGS__)
#define LOGW(ctx, ...) LOG_AT_(LL_WARN, ctx, __VA_ARGS__)
#define LOGE(ctx, ...) LOG_AT_(LL_ERROR, ctx, __VA_ARGS__)
#define LOGF(ctx, ...) LOG_AT_(LL_FATAL, ctx, __VA_ARGS__)
/* The same in an explicit category (enum log_cat LC_*). */
#define LOGC(cat, lvl, ctx, ...) do { if (LOG_ON(cat, lvl)) log_cmsg(cat, lvl, ctx, __VA_ARGS__); } while (0)
#define LOGCD(cat, ctx, ...) LOGC(cat, LL_DEBUG, ctx, __VA_ARGS__)
#define LOGCI(cat, ctx, ...) LOGC(cat, LL_INFO, ctx, __VA_ARGS__)
#define LOGCN(cat, ctx, ...) LOGC(cat, LL_NOTICE, ctx, __VA_ARGS__)
#define LOGCW(cat, ctx, ...) LOGC(cat, LL_WARN, ctx, __VA_ARGS__)
#define LOGCE(cat, ctx, ...) LOGC(cat, LL_ERROR, ctx, __VA_ARGS__)

#endif
