/* commands.h - the command table (commands.c): what main.c dispatches on,
 * and the synopsis lines every usage message prints.  Exact names only. */
#ifndef MP_CLI_COMMANDS_H
#define MP_CLI_COMMANDS_H

#include <stddef.h>
#include <stdio.h>

struct command {
	const char *name;
	/* The handler (cmd.h); NULL for "help", which main.c answers from
	 * this table. */
	int (*handler)(int argc, char *argv[]);
	const char *synopsis; /* after "mapiprof "; identical to man/mapiprof.1 SYNOPSIS */
	const char *summary;
};

/* The command named name, or NULL. */
const struct command *command_find(const char *name);
/* The commands in table order (help's order). */
size_t command_count(void);
const struct command *command_at(size_t i);

/* Prints "usage: mapiprof SYNOPSIS" for cmd, or one line per command when
 * cmd is NULL or unknown (later lines indented to align). */
void usage_print(FILE *f, const char *cmd);

#endif
