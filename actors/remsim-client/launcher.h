/* SPDX-License-Identifier: GPL-2.0-or-later */
/* launcher.h: remsim-client / remsim-client-shell, the client role's
 * command-line front doors (osmo-remsim-client-st2 / -shell compatible
 * options).  main.c parses the options; rolecfg.c writes the role config
 * that remsimd (SIMtrace2) or the shell's mini-supervisor (shell.c) runs. */
#ifndef REMSIM_CLIENT_LAUNCHER_H
#define REMSIM_CLIENT_LAUNCHER_H

#include <stdio.h>


struct launch {
	int shell;			/* remsim-client-shell */
	const char *config;		/* a role config file given by the user */
	const char *run_dir;
	const char *mask;		/* -d MASK (checked), NULL = default */
	const char *user;		/* -u USER[:GROUP] for remsimd */
	/* osmo-remsim-client options */
	const char *server_host;
	long server_port;
	long client_id, slot_nr;
	long sim_presence;		/* -1 not given */
	const char *atr;
	int atr_ignore;
	const char *event_script;
	long vid, pid, usb_config, usb_interface, usb_alt, usb_address;	/* -1 not given */
	long usb_bulk_in;		/* --usb-bulk-in N, -1 not given */
	const char *usb_path, *usb_serial;
	const char *sim_socket;		/* --sim PATH: st2sim instead of USB */
	int ifd;			/* --ifd: PC/SC reader frontend (docs/ifd.md) */
	int print;			/* --print-config */
	char bindir[4096];		/* directory of our executable */
};

/* Write the generated role config for l into path; 0 or -1 (errno). */
int rolecfg_write(const struct launch *l, const char *path);
/* Run the shell frontend: broker child + exec of usbslot.  Returns only on
 * failure (exit status). */
int shell_run(const struct launch *l, const char *cfg);

#endif
