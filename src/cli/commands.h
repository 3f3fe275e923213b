/* commands.h - the command table (commands.c): what main.c dispatches on,
 * the synopsis lines every usage message prints, and each command's option
 * descriptors, from which "--help" (help.c) and the shell completions
 * (complete.c) are made.  Exact names only. */
#ifndef MP_CLI_COMMANDS_H
#define MP_CLI_COMMANDS_H

#include <stddef.h>
#include <stdio.h>

/* What an option's argument or an operand is, for completion. */
enum value_kind {
	VK_NONE,        /* no argument */
	VK_TEXT,        /* free text: nothing to offer */
	VK_FILE,        /* a file name */
	VK_DIR,         /* a directory name */
	VK_RECIPE,      /* a built-in recipe name, or a recipe file */
	VK_PROFILE,     /* a profile name of a FILE on the command line */
	VK_SECTION,     /* a section selector (man page, SELECTORS) */
	VK_CODEPAGE,    /* an iconv code page name */
	VK_WORDS,       /* one of the words of the descriptor */
	VK_COMMAND,     /* a command name */
	VK_RECIPE_NAME, /* a built-in recipe name only */
};

struct cli_option {
	const char *name; /* long name without "--", or NULL (short only) */
	char short_name;  /* 0: none */
	const char *arg;  /* the argument's name in help, NULL: none */
	int arg_optional; /* "--name[=ARG]" */
	enum value_kind kind;
	const char *words; /* VK_WORDS: the values, blank-separated */
	const char *help;  /* one line */
};

/* A subcommand ("prf stage", "profile copy"). */
struct subcommand {
	const char *name;
	const char *summary;
	/* NULL: the command's options and operands. */
	const struct cli_option *const *options;
	const enum value_kind *operands;
};

struct command {
	const char *name;
	/* The handler (cmd.h); NULL for "help", which main.c answers from
	 * this table. */
	int (*handler)(int argc, char *argv[]);
	const char *synopsis; /* after "mapiprof "; identical to man/mapiprof.1 SYNOPSIS */
	const char *summary;
	/* NULL-terminated; -h/--help and --version (every command takes
	 * them) are not listed. */
	const struct cli_option *const *options;
	/* The kinds of the operands in order, VK_NONE-terminated; the last
	 * one repeats (FILE ...). */
	const enum value_kind *operands;
	const struct subcommand *subs; /* nsubs of them; the first operand */
	size_t nsubs;
	const char *details; /* more help after the options, or NULL */
};

/* The options every command takes, after its own. */
extern const struct cli_option *const common_options[];

/* The command named name, or NULL; also finds the hidden commands. */
const struct command *command_find(const char *name);
/* The command of cmd, "NAME" or "NAME SUB" ("prf check"), or NULL when
 * cmd is NULL or names no command. */
const struct command *command_of(const char *cmd);
/* The commands in table order (help's order), without the hidden ones. */
size_t command_count(void);
const struct command *command_at(size_t i);
/* The subcommand of c named name, or NULL. */
const struct subcommand *command_sub(const struct command *c, const char *name);

/* Prints "usage: mapiprof SYNOPSIS" for cmd, or one line per command when
 * cmd is NULL or unknown (later lines indented to align). */
void usage_print(FILE *f, const char *cmd);

#endif
