/* SPDX-License-Identifier: GPL-2.0-or-later */
/* launchopt.h: the one command-line parser and validator of the launchers
 * (remsim-server, remsim-bankd, remsim-client, remsim-client-shell).
 *
 * Each program describes its options in a table: long name, short letter,
 * argument kind (which says how the value is checked and stored), help text
 * and where the value goes (an offset into the program's own options
 * struct).  The same table generates --help, so the usage text names exactly
 * what the parser accepts.  Errors have one form:
 *
 *   remsim-client: bad value '99999' for -p/--server-port: a port number 1..65535
 *   remsim-server: unknown option '--prot' (did you mean '--port'?)
 *   remsim-bankd: option -i/--server-host needs a value (HOST)
 *
 * followed by the synopsis and "Try 'PROG --help'", exit status 2.
 * Accepted forms: -x VALUE, -xVALUE, bundled flags (-sT), --name VALUE,
 * --name=VALUE, an unambiguous prefix of a long name, and "--" to end the
 * options.  Any other argument (a positional one) is a usage error. */
#ifndef REMSIM_LAUNCHOPT_H
#define REMSIM_LAUNCHOPT_H

#include <stddef.h>
#include <stdio.h>

/* Argument kinds.  Values are stored at the option's offset as:
 *   int          LO_FLAG (set to 1)
 *   const char * LO_STRING, LO_PATH, LO_HOST, LO_ADDRPORT, LO_LOGMASK, LO_USER
 *   long         LO_PORT, LO_INT, LO_HEX, LO_OSMOLEVEL
 * LO_HELP and LO_VERSION are handled by the parser itself; LO_SECTION is a
 * heading line in the usage text, not an option. */
enum lo_kind {
	LO_SECTION = 0,
	LO_FLAG,
	LO_STRING,	/* any text (opt->check may restrict it) */
	LO_PATH,	/* a file or directory: no quotes, backslashes, newlines */
	LO_HOST,	/* a host name or IP address */
	LO_ADDRPORT,	/* ADDRESS:PORT */
	LO_PORT,	/* 1..65535 */
	LO_INT,		/* decimal, min..max */
	LO_HEX,		/* hexadecimal, min..max */
	LO_LOGMASK,	/* an osmo -d mask or a level name (log_mask_parse) */
	LO_OSMOLEVEL,	/* an osmocom level number 0..8 */
	LO_USER,	/* USER[:GROUP] */
	LO_HELP,
	LO_VERSION,
};

#define LO_NOWHERE ((size_t)-1)	/* accepted, stored nowhere (e.g. -L) */

/* flags */
#define LOF_GROUP_A	0x1u	/* program-defined groups (launch_count) */
#define LOF_GROUP_B	0x2u
#define LOF_GROUP_C	0x4u
#define LOF_ALT		0x100u	/* LO_INT: a value that is not a number goes to alt_off */

struct lopt {
	const char *name;	/* long name without "--"; NULL for LO_SECTION */
	char letter;		/* short option, 0 for none */
	enum lo_kind kind;
	const char *metavar;	/* the value in the usage text: "PORT" */
	const char *help;	/* '\n' starts a continuation line; LO_SECTION: the heading */
	size_t off;		/* where the value goes (offsetof), or LO_NOWHERE */
	long min, max;		/* LO_INT / LO_HEX range */
	unsigned flags;		/* LOF_* */
	/* LO_INT with LOF_ALT: a value that is not a number goes here as a
	 * string (remsim-client's -c: a client id, or a config file) */
	size_t alt_off;
	/* optional extra check of the text and what it must be (for the message) */
	int (*check)(const char *value);
	const char *expect;
};

struct launch_spec {
	const char *prog;	/* "remsim-bankd" */
	const char *synopsis;	/* "usage: remsim-bankd -i SERVER_HOST [options]" */
	const char *intro;	/* text after the synopsis (may be NULL) */
	const char *outro;	/* text after the options (may be NULL) */
	const struct lopt *opts;
	size_t nopts;
	/* options with any of these flags are accepted and ignored with a
	 * warning, and listed under ignored_heading (remsim-client-shell: the
	 * SIMtrace2 options) */
	unsigned ignore_flags;
	const char *ignored_heading;
};

struct launch_result {
	unsigned char seen[64];	/* per table row: given on the command line */
	int exit_code;		/* when launch_parse returns 1 */
};

/* Parse argv[1..] into dst.  Returns 0 to go on, or 1 when the program
 * should exit with res->exit_code (0 after --help/--version; 2 after a
 * usage error, already reported on stderr). */
int launch_parse(const struct launch_spec *spec, int argc, char **argv, void *dst,
		 struct launch_result *res);

/* The whole usage text, generated from the table. */
void launch_usage(const struct launch_spec *spec, FILE *f);

/* A usage error found after parsing (e.g. two options that exclude each
 * other): "PROG: MESSAGE", the synopsis and the --help hint; returns 2. */
int launch_usage_error(const struct launch_spec *spec, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* How many options given have any of the flags; names (e.g. "-i, -p") of
 * the first few into list. */
int launch_count(const struct launch_spec *spec, const struct launch_result *res, unsigned flags,
		 char *list, size_t listlen);
/* Whether the option with this long name was given. */
int launch_given(const struct launch_spec *spec, const struct launch_result *res, const char *name);

/* Validators usable as lopt.check: every octet in hex (spaces and ':'
 * allowed between them), 2..55 octets (an ATR). */
int launch_check_atr(const char *value);

#endif
