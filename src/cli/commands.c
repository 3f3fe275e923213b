/* commands.c - the one command table: names, handlers, the synopsis lines
 * of usage() and the summaries of "mapiprof help" (commands.h). */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "commands.h"

static const struct command commands[] = {
    {"list", cmd_list,
     "list [--json] [--deleted] [--no-logs] [--codepage CP] [--image IMAGE] FILE ...",
     "list the MAPI profiles of each file: name, root, default, services"},
    {"show", cmd_show,
     "show [--json] [--raw] [--deleted] [--profile NAME]... [--section SEL]... [--no-logs] "
     "[--codepage CP] "
     "[--image IMAGE] FILE ...",
     "show every decoded property of the selected profile sections"},
    {"get", cmd_get,
     "get [--json] [--profile NAME] --section SEL [--no-logs] [--codepage CP] [--image IMAGE] "
     "PROP FILE",
     "print one property value, for scripts"},
    {"info", cmd_info, "info [--json] [--no-logs] [--codepage CP] [--image IMAGE] FILE ...",
     "show what each file is: format, size, sha256; the hive header or the .reg encoding"},
    {"export", cmd_export,
     "export [[--profile NAME]... | --all-profiles] [--root KEY] [-o OUT] [--no-logs] "
     "[--codepage CP] [--image IMAGE] FILE",
     "write profiles as a regedit 5.00 .reg file that reg import accepts"},
    {"tags", cmd_tags, "tags [--json] [PATTERN]", "search the property tag and flag tables"},
    {"edit", cmd_edit,
     "edit [--profile NAME | --all-profiles] -e EDIT [-e EDIT]... [--dry-run | --check] [--json] "
     "[--backup[=SUFFIX]] [-o PATH | --output-dir DIR] [--emit-reg PATH [--root KEY]] [--force] "
     "[--recover] [--wait SECONDS | --no-wait] [--codepage CP] [--image IMAGE] FILE ...",
     "change property values as the edits say; print the plan, then write safely"},
    {"apply", cmd_apply,
     "apply [--profile NAME | --all-profiles] [--dry-run | --check] [--json] [--backup[=SUFFIX]] "
     "[-o PATH | --output-dir DIR] [--emit-reg PATH [--root KEY]] [--force] [--recover] "
     "[--wait SECONDS | --no-wait] [--codepage CP] [--image IMAGE] RECIPE FILE ...",
     "apply a recipe (built-in name or recipe file): plan, then write safely"},
    {"profile", cmd_profile,
     "profile default|copy|rename|delete NAME [NEW] [--office VER | --wms] [--replace] "
     "[--dry-run | --check] [--json] [--backup[=SUFFIX]] [-o PATH | --output-dir DIR] "
     "[--emit-reg PATH [--root KEY]] [--force] [--recover] [--wait SECONDS | --no-wait] "
     "[--codepage CP] [--image IMAGE] FILE ...",
     "set the default profile, or copy, rename or delete a profile; plan, then write "
     "safely"},
    {"import", cmd_import,
     "import [--profile NAME] [--as NEW] [--default] [--replace] [--office VER | --wms] "
     "[--dry-run | --check] [--json] [--backup[=SUFFIX]] [-o PATH | --output-dir DIR] "
     "[--emit-reg PATH [--root KEY]] [--force] [--recover] [--wait SECONDS | --no-wait] "
     "[--codepage CP] [--image IMAGE] EXPORT FILE ...",
     "bring profiles from a .reg export into each file; plan, then write safely"},
    {"relocate", cmd_relocate,
     "relocate [--profile NAME | --all-profiles] [--dry-run | --check] [--json] "
     "[--backup[=SUFFIX]] [-o PATH | --output-dir DIR] [--emit-reg PATH [--root KEY]] [--force] "
     "[--recover] [--wait SECONDS | --no-wait] [--codepage CP] [--image IMAGE] FROM TO FILE ...",
     "move PST and OST paths from folder FROM to TO, in entry IDs too; plan, then write "
     "safely"},
    {"recover", cmd_recover,
     "recover [--json] [-o OUT | --output-dir DIR] [--backup[=SUFFIX]] [--consume-logs] "
     "[--wait SECONDS | --no-wait] [--image IMAGE] FILE ...",
     "replay a dirty hive's transaction logs and write the recovered hive"},
    {"recipes", cmd_recipes, "recipes [--json] [NAME]",
     "list the built-in recipes, or print one with its rationale"},
    {"prf", cmd_prf,
     "prf stage [--office VER] [--dry-run | --check] [--json] [--backup[=SUFFIX]] [-o PATH | "
     "--output-dir DIR] [--emit-reg PATH [--root KEY]] [--force] [--recover] [--wait SECONDS "
     "| --no-wait] [--image IMAGE] WINPATH FILE ...\n       mapiprof prf check [--json] "
     "[--codepage "
     "CP] FILE",
     "Outlook profile files (PRF): stage one for Outlook's next start, or check one"},
    {"timeline", cmd_timeline,
     "timeline [--deleted] [--format bodyfile|tln|csv|jsonl] [--host H] [--user U] [--no-logs] "
     "[--image IMAGE] FILE ...",
     "the profile and section keys of each file by last-write time, for forensic timelines"},
    {"diff", cmd_diff,
     "diff [--json] [--profile NAME] [--section SEL] [--no-logs] [--codepage CP] A B",
     "compare the decoded profiles of two files: values added, removed, changed"},
    {"help", NULL, "help [COMMAND]", "show the usage of every command or of one"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

const struct command *
command_find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

void
usage_print(FILE *f, const char *cmd)
{
	/* A subcommand ("prf check") prints its command's synopsis. */
	char name[32] = "";
	if (cmd != NULL)
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(cmd, " "), cmd);
	const struct command *c = cmd != NULL ? command_find(name) : NULL;
	if (c != NULL) {
		fprintf(f, "usage: mapiprof %s\n", c->synopsis);
		return;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "%s mapiprof %s\n", i == 0 ? "usage:" : "      ", commands[i].synopsis);
	fprintf(f, "       mapiprof --version\n");
}

size_t
command_count(void)
{
	return NCOMMANDS;
}

const struct command *
command_at(size_t i)
{
	return i < NCOMMANDS ? &commands[i] : NULL;
}
