/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ctl.h: remsim-ctl internals: exit codes, the command table, the request
 * transport and the printers. */
#ifndef REMSIM_CTL_H
#define REMSIM_CTL_H

#include <jansson.h>
#include <stdio.h>

enum ctl_exit {
	CTL_OK = 0,		/* the role answered ok */
	CTL_REFUSED = 1,	/* the role answered {"ok":false,...} */
	CTL_USAGE = 2,		/* bad command line */
	CTL_UNREACHABLE = 3,	/* nothing listens / no answer within the timeout */
};

/* Print a command's result for humans. */
typedef void (*ctl_printer)(FILE *out, const json_t *result);

struct ctl_command {
	const char *name;
	int min_args, max_args;
	const char *usage;	/* arguments, e.g. "CLIENT:SLOT BANK:SLOT" */
	const char *help;	/* one line */
	ctl_printer print;
};

/* commands.c */
const struct ctl_command *ctl_find_command(const char *name);
void ctl_print_commands(FILE *out);

/* batch.c: `map --batch FILE`: the pairs of FILE ("-": stdin) as the flat
 * args array [C1,B1,C2,B2,...].  0, or -1 with the reason (file:line) in err. */
int ctl_read_pairs(const char *path, json_t **args, char *err, size_t errlen);

/* print.c */
void ctl_print_generic(FILE *out, const json_t *result);
void ctl_print_status(FILE *out, const json_t *result);
void ctl_print_slots(FILE *out, const json_t *result);
void ctl_print_log(FILE *out, const json_t *result);
/* server role */
void ctl_print_maps(FILE *out, const json_t *result);
void ctl_print_banks(FILE *out, const json_t *result);
void ctl_print_clients(FILE *out, const json_t *result);
void ctl_print_history(FILE *out, const json_t *result);
void ctl_print_map(FILE *out, const json_t *result);
void ctl_print_unmap(FILE *out, const json_t *result);
void ctl_print_reset(FILE *out, const json_t *result);

struct ctl_transport_opts {
	const char *endpoint;
	int timeout_ms;
	const char *curve_server_key;	/* file: zcert public file or Z85 key */
	const char *curve_client_cert;	/* file: zcert (with FILE_secret) */
};

/* transport.c: send one request frame and wait for one reply frame.
 * Returns CTL_OK with *reply (caller frees), or an exit code with a message
 * in err. */
int ctl_request(const struct ctl_transport_opts *o, const char *request, char **reply,
		char *err, size_t errlen);

#endif
