/* help.h - "mapiprof help COMMAND" and every command's --help: the
 * synopsis, the summary, each option with one line, and the command's
 * details, all from the command table (commands.h). */
#ifndef MP_CLI_HELP_H
#define MP_CLI_HELP_H

#include <stdio.h>

/* Prints the help of cmd ("edit", or "prf stage" for a subcommand's
 * options alone) to f; the usage of every command when cmd is unknown. */
void help_print(FILE *f, const char *cmd);

#endif
