/* SPDX-License-Identifier: GPL-2.0-or-later */
/* launcher.h: remsim-bankd, the osmo-remsim-bankd compatible front end of
 * the bankd role.  main.c parses osmo-remsim-bankd's options; gencfg.c turns
 * them, plus bankd_pcsc_slots.csv or our own -c bankd.cfg, into the role
 * config that remsimd runs (broker + bankmap + reader/0..N-1). */
#ifndef REMSIM_BANKD_LAUNCHER_H
#define REMSIM_BANKD_LAUNCHER_H

#include <libconfig.h>

/* What the command line says; NULL / -1 = not given (gsmtap_slot: -2). */
struct opts {
	const char *server_host, *component_name, *bind_ip, *gsmtap_host;
	const char *config_file, *run_dir, *csv_file;
	long server_port, bank_id, num_slots, bind_port, gsmtap_slot;
	int shared;		/* -s */
	const char *mask;	/* -d MASK (checked), NULL = not given */
	long osmo_level;	/* -e N, -1 = not given */
	const char *user;	/* -u USER[:GROUP] */
	int timestamps;		/* -T */
	int dry_run;
};

/* Build the role config into *out (config_init'ed by the callee; destroy
 * with config_destroy).  0, or -1 with a message (naming file:line where
 * there is one) in err; *usage is set when the error is a usage error
 * (exit 2) rather than a config error (exit 1). */
int gencfg_build(const struct opts *o, config_t *out, char *err, size_t errlen, int *usage);

#endif
