/* main.c - mapiprof(1): the command table and the dispatch to its handlers
 * (style-anchors.md §5.9: one table for usage() and "mapiprof help", exact
 * names only, handlers return an exit status and only main exits). */
#include <stdio.h>
#include <string.h>

#include <mapiprof/mapiprof.h>

#include "cmd.h"
#include "diag.h"
#include "exitcode.h"
#include "main.h"

static int cmd_help(int argc, char *argv[]);

struct command {
	const char *name;
	int (*handler)(int argc, char *argv[]);
	const char *synopsis; /* after "mapiprof "; identical to man/mapiprof.1 SYNOPSIS */
	const char *summary;
};

static const struct command commands[] = {
    {"list", cmd_list, "list [--json] [--no-logs] [--codepage CP] FILE ...",
     "list the MAPI profiles of each file: name, root, default, services"},
    {"show", cmd_show,
     "show [--json] [--raw] [--profile NAME]... [--section SEL]... [--no-logs] [--codepage CP] "
     "FILE ...",
     "show every decoded property of the selected profile sections"},
    {"get", cmd_get,
     "get [--json] [--profile NAME] --section SEL [--no-logs] [--codepage CP] PROP FILE",
     "print one property value, for scripts"},
    {"info", cmd_info, "info [--json] [--no-logs] [--codepage CP] FILE ...",
     "show what each file is: format, size, sha256; the hive header or the .reg encoding"},
    {"export", cmd_export,
     "export [[--profile NAME]... | --all-profiles] [--root KEY] [-o OUT] [--no-logs] "
     "[--codepage CP] FILE",
     "write profiles as a regedit 5.00 .reg file that reg import accepts"},
    {"tags", cmd_tags, "tags [--json] [PATTERN]", "search the property tag and flag tables"},
    {"edit", cmd_edit,
     "edit [--profile NAME | --all-profiles] -e EDIT [-e EDIT]... [--dry-run | --check] [--json] "
     "[--backup[=SUFFIX]] [-o PATH] [--emit-reg PATH [--root KEY]] [--force] [--recover] "
     "[--codepage CP] FILE ...",
     "change property values as the edits say; print the plan, then write safely"},
    {"apply", cmd_apply,
     "apply [--profile NAME | --all-profiles] [--dry-run | --check] [--json] [--backup[=SUFFIX]] "
     "[-o PATH] [--emit-reg PATH [--root KEY]] [--force] [--recover] [--codepage CP] RECIPE "
     "FILE ...",
     "apply a recipe (built-in name or recipe file): plan, then write safely"},
    {"recover", cmd_recover,
     "recover [--json] [-o OUT] [--backup[=SUFFIX]] [--consume-logs] FILE ...",
     "replay a dirty hive's transaction logs and write the recovered hive"},
    {"recipes", cmd_recipes, "recipes [--json] [NAME]",
     "list the built-in recipes, or print one with its rationale"},
    {"help", cmd_help, "help [COMMAND]", "show the usage of every command or of one"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *
find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

void
usage_print(FILE *f, const char *cmd)
{
	const struct command *c = cmd != NULL ? find_command(cmd) : NULL;
	if (c != NULL) {
		fprintf(f, "usage: mapiprof %s\n", c->synopsis);
		return;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "%s mapiprof %s\n", i == 0 ? "usage:" : "      ", commands[i].synopsis);
	fprintf(f, "       mapiprof --version\n");
}

/* "mapiprof help [COMMAND]": the usage and one-line summary of each
 * command (or of one) on stdout. */
static int
cmd_help(int argc, char *argv[])
{
	if (argc > 2)
		return diag_usage("help", "too many arguments");
	if (argc == 2) {
		const struct command *c = find_command(argv[1]);
		if (c == NULL)
			return diag_usage("help", "unknown command '%s'", argv[1]);
		printf("usage: mapiprof %s\n%s\n", c->synopsis, c->summary);
		return EXIT_OK;
	}
	usage_print(stdout, NULL);
	printf("\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		printf("  %-8s%s\n", commands[i].name, commands[i].summary);
	printf("\nsee mapiprof(1) and \"mapiprof help COMMAND\"\n");
	return EXIT_OK;
}

int
main(int argc, char *argv[])
{
	int status;
	if (argc < 2)
		return diag_usage(NULL, "no command given");
	const char *name = argv[1];
	const struct command *c = find_command(name);
	if (strcmp(name, "--version") == 0) {
		printf("mapiprof %s\n", mapiprof_version());
		status = EXIT_OK;
	} else if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
		status = cmd_help(1, argv + 1);
	} else if (c == NULL && name[0] == '-') {
		return diag_usage(NULL, "unknown option %s", name);
	} else if (c == NULL) {
		return diag_usage(NULL, "unknown command '%s'", name);
	} else {
		status = c->handler(argc - 1, argv + 1);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		diag(NULL, "error writing to standard output");
		status = exit_worst(status, EXIT_ERROR);
	}
	return status;
}
