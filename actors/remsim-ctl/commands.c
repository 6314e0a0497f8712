/* SPDX-License-Identifier: GPL-2.0-or-later */
/* commands.c: the command table.  Adding a command is one line here (plus a
 * printer in print.c if the generic one does not suit it).  Every command is
 * sent as {"cmd":NAME,"args":[strings],"json":BOOL}; the role decides. */
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static const struct ctl_command commands[] = {
	{ "status", 0, 0, "", "actors of the role: pid, state, restarts, last exit, uptime",
	  ctl_print_status },
	{ "slots", 0, 0, "", "per slot: state, peer, mapping, counters, TPDU round trip (every role)",
	  ctl_print_slots },
	{ "log", 0, 2, "[CATEGORY|all LEVEL]", "log levels of every process of the role; with CATEGORY LEVEL:\n"
	  "                                   set them at run time (kept for restarted actors)",
	  ctl_print_log },
	{ "map", 2, 2, "CLIENT:SLOT BANK:SLOT", "map a client slot to a bank slot (server), or\n"
	  "      --batch FILE|-               every pair of FILE (- = stdin), one per line, in one\n"
	  "                                   transaction, all or nothing", ctl_print_map },
	{ "unmap", 1, 1, "[C]CLIENT:SLOT|BBANK:SLOT", "remove the mapping of a client or bank slot (server)",
	  ctl_print_unmap },
	{ "maps", 0, 0, "", "list the slot mappings", ctl_print_maps },
	{ "clients", 0, 0, "", "list the connected clients", ctl_print_clients },
	{ "banks", 0, 0, "", "list the connected bankds", ctl_print_banks },
	{ "history", 0, 12, "[--client C:S] [--bank B:S] [--since TIME] [--until TIME] [--limit N] [--offset N] | --prune",
	  "mapping history, oldest first; --prune: apply the retention now (server)", ctl_print_history },
	{ "reset", 0, 0, "", "delete every mapping (server)", ctl_print_reset },
};

const struct ctl_command *ctl_find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

void ctl_print_commands(FILE *out)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char left[160];
		snprintf(left, sizeof(left), "%s %s", commands[i].name, commands[i].usage);
		if (strlen(left) > 32)	/* a long synopsis gets a line of its own */
			fprintf(out, "  %s\n  %-32s %s\n", left, "", commands[i].help);
		else
			fprintf(out, "  %-32s %s\n", left, commands[i].help);
	}
}
