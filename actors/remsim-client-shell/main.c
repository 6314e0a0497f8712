/* SPDX-License-Identifier: GPL-2.0-or-later */
/* remsim-client-shell: the client role with the stdin/stdout frontend,
 * started like osmo-remsim-client-shell.  The work is done by remsim-client
 * (same directory) in its shell mode; this program only runs it, so both
 * share one option parser and one --help. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char self[4096], prog[4200];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		perror("remsim-client-shell: readlink /proc/self/exe");
		return 1;
	}
	self[n] = '\0';
	snprintf(prog, sizeof(prog), "%s/remsim-client", dirname(self));
	char **args = calloc((size_t)argc + 2, sizeof(char *));
	if (!args)
		return 1;
	args[0] = "remsim-client-shell";
	args[1] = "--shell-mode";
	for (int i = 1; i < argc; i++)
		args[i + 1] = argv[i];
	execv(prog, args);
	fprintf(stderr, "remsim-client-shell: cannot run %s: %s\n", prog, strerror(errno));
	free(args);
	return 1;
}
