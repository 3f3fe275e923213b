/* main.c - mapiprof(1): the dispatch to the handlers of the command table
 * (commands.c) and "mapiprof help"; handlers return an exit status and
 * only main (mapiprof.c) exits, as OpenBSD's tools do.  The dispatch is a
 * function of its own so that the tests can run it in a forked process
 * instead of executing the program (tests/cli_server.c). */
#include <stdio.h>
#include <string.h>

#include <mapiprof/mapiprof.h>

#include "cli.h"
#include "commands.h"
#include "diag.h"
#include "exitcode.h"
#include "help.h"
#include "stdio_files.h"
#include "stdstreams.h"
#include "suggest.h"

/* "mapiprof help [COMMAND]": the usage and one-line summary of each
 * command, or the help of one (help.c), on stdout. */
static int
cmd_help(int argc, char *argv[])
{
	if (argc > 1 && argv[1][0] == '-' && argv[1][1] != '\0') {
		if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
			help_print(stdout, "help");
		else if (strcmp(argv[1], "--version") == 0)
			printf("mapiprof %s\n", mapiprof_version());
		else
			return diag_usage("help", "unknown option %s", argv[1]);
		return EXIT_OK;
	}
	if (argc > 2)
		return diag_usage("help", "too many arguments");
	if (argc == 2) {
		const struct command *c = command_find(argv[1]);
		if (c == NULL)
			return suggest_command(argv[1]);
		help_print(stdout, c->name);
		return EXIT_OK;
	}
	usage_print(stdout, NULL);
	printf("\ncommands:\n");
	for (size_t i = 0; i < command_count(); i++)
		printf("  %-10s%s\n", command_at(i)->name, command_at(i)->summary);
	printf("\nsee mapiprof(1) and \"mapiprof help COMMAND\"\n");
	return EXIT_OK;
}

int
cli_main(int argc, char *argv[])
{
	int status;
	stdstreams_init();
	if (argc < 2)
		return diag_usage(NULL, "no command given");
	const char *name = argv[1];
	const struct command *c = command_find(name);
	if (strcmp(name, "--version") == 0) {
		printf("mapiprof %s\n", mapiprof_version());
		status = EXIT_OK;
	} else if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
		status = cmd_help(1, argv + 1);
	} else if (c == NULL && name[0] == '-') {
		return diag_usage(NULL, "unknown option %s", name);
	} else if (c == NULL) {
		return suggest_command(name);
	} else if (c->handler == NULL) {
		status = cmd_help(argc - 1, argv + 1);
	} else {
		status = c->handler(argc - 1, argv + 1);
	}
	sf_cleanup();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		diag(NULL, "error writing to standard output");
		status = exit_worst(status, EXIT_ERROR);
	}
	return status;
}
