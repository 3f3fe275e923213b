/* cmd_prf.c - "mapiprof prf SUBCOMMAND": Outlook profile configuration
 * files (PRF).  "stage" makes Outlook import one at its next start, "check"
 * reads one; each subcommand is in its cmd_prf_*.c. */
#include <string.h>

#include "cmd.h"
#include "cmd_prf.h"
#include "commands.h"
#include "diag.h"
#include "exitcode.h"
#include "help.h"

static const struct {
	const char *name;
	int (*handler)(int argc, char *argv[]);
} subcommands[] = {
    {"stage", prf_stage},
    {"check", prf_check},
};

int
cmd_prf(int argc, char *argv[])
{
	if (argc < 2)
		return diag_usage("prf", "no subcommand given (stage, check)");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		help_print(stdout, "prf");
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(argv[1], subcommands[i].name) == 0)
			return subcommands[i].handler(argc - 1, argv + 1);
	return diag_usage("prf", "unknown subcommand '%s'", argv[1]);
}
