/* commands.c - the one command table: names, handlers, the synopsis lines
 * of usage(), the summaries of "mapiprof help", and each command's options
 * and operands, from which --help (help.c) and the shell completions
 * (complete.c) are made (commands.h). */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "commands.h"

/* ---- options: each defined once, listed by the commands that take it ---- */

/* Selectors a --section SEL may be (man page, SELECTORS); "service:" takes
 * a service name after it. */
#define SECTION_ROLES "global emsab outlook services instance accounts emsmdb service:"

static const struct cli_option o_help = {
    .name = "help",
    .short_name = 'h',
    .help = "print this help and exit",
};
static const struct cli_option o_version = {
    .name = "version",
    .help = "print the version of mapiprof and exit",
};
const struct cli_option *const common_options[] = {&o_help, &o_version, NULL};

static const struct cli_option o_json = {
    .name = "json",
    .help = "print JSON instead of text",
};
static const struct cli_option o_deleted = {
    .name = "deleted",
    .help = "also report what the hive's free space still holds (deleted keys and values)",
};
static const struct cli_option o_no_logs = {
    .name = "no-logs",
    .help = "read a dirty hive's primary file alone, without replaying its transaction logs",
};
static const struct cli_option o_codepage = {
    .name = "codepage",
    .arg = "CP",
    .kind = VK_CODEPAGE,
    .help = "the code page of 8-bit strings and REGEDIT4 text (default WINDOWS-1252)",
};
static const struct cli_option o_image = {
    .name = "image",
    .arg = "IMAGE",
    .kind = VK_DIR,
    .help = "a Windows volume directory: FILEs are paths in it, none means every user hive",
};
static const struct cli_option o_no_hash = {
    .name = "no-hash",
    .help = "leave the file's sha256 out of the JSON (the whole file is then not read to hash it)",
};
static const struct cli_option o_raw = {
    .name = "raw",
    .help = "also print the stored bytes of every value in hexadecimal",
};
static const struct cli_option o_profile_show = {
    .name = "profile",
    .arg = "NAME",
    .kind = VK_PROFILE,
    .help = "only the profile NAME (case-insensitive); may be given more than once",
};
static const struct cli_option o_profile_one = {
    .name = "profile",
    .arg = "NAME",
    .kind = VK_PROFILE,
    .help = "the profile NAME instead of the default profile",
};
static const struct cli_option o_section_show = {
    .name = "section",
    .arg = "SEL",
    .kind = VK_SECTION,
    .words = SECTION_ROLES,
    .help = "only the sections the selector SEL picks; may be given more than once",
};
static const struct cli_option o_section_get = {
    .name = "section",
    .arg = "SEL",
    .kind = VK_SECTION,
    .words = SECTION_ROLES,
    .help = "the section(s) the selector SEL picks to look in (required)",
};
static const struct cli_option o_section_diff = {
    .name = "section",
    .arg = "SEL",
    .kind = VK_SECTION,
    .words = SECTION_ROLES,
    .help = "only the sections the selector SEL picks in either file",
};
static const struct cli_option o_profile_export = {
    .name = "profile",
    .arg = "NAME",
    .kind = VK_PROFILE,
    .help = "write the profile NAME (case-insensitive); may be given more than once",
};
static const struct cli_option o_all_profiles_export = {
    .name = "all-profiles",
    .help = "write every profile (the default)",
};
static const struct cli_option o_root = {
    .name = "root",
    .arg = "KEY",
    .kind = VK_TEXT,
    .help = "the key the file's root is written under in the .reg (default HKEY_CURRENT_USER)",
};
static const struct cli_option o_out_export = {
    .short_name = 'o',
    .arg = "OUT",
    .kind = VK_FILE,
    .help = "write to OUT (safely replaced) instead of standard output",
};
static const struct cli_option o_edit = {
    .name = "edit",
    .short_name = 'e',
    .arg = "EDIT",
    .kind = VK_TEXT,
    .help = "one edit, SECTION PROP OP [VALUE]; may be given more than once, at least once",
};

/* The options of every write command (write.h). */
static const struct cli_option o_profile_write = {
    .name = "profile",
    .arg = "NAME",
    .kind = VK_PROFILE,
    .help = "change the profile NAME (case-insensitive) instead of the default profile",
};
static const struct cli_option o_all_profiles = {
    .name = "all-profiles",
    .help = "change every profile of the file",
};
static const struct cli_option o_dry_run = {
    .name = "dry-run",
    .help = "print the plan and the status; write nothing",
};
static const struct cli_option o_check = {
    .name = "check",
    .help = "write nothing; exit with status 3 when any file would change",
};
static const struct cli_option o_json_write = {
    .name = "json",
    .help = "print one JSON object per file instead of the plan and status lines",
};
static const struct cli_option o_backup = {
    .name = "backup",
    .arg = "SUFFIX",
    .arg_optional = 1,
    .help = "keep the original file as FILE followed by SUFFIX (default .bak)",
};
static const struct cli_option o_out = {
    .short_name = 'o',
    .arg = "PATH",
    .kind = VK_FILE,
    .help = "write the result to PATH and leave FILE as it is",
};
static const struct cli_option o_output_dir = {
    .name = "output-dir",
    .arg = "DIR",
    .kind = VK_DIR,
    .help = "write each result to DIR under its base name; leave the FILEs as they are",
};
static const struct cli_option o_emit_reg = {
    .name = "emit-reg",
    .arg = "PATH",
    .kind = VK_FILE,
    .help = "also write the plan as a .reg file to PATH",
};
static const struct cli_option o_root_write = {
    .name = "root",
    .arg = "KEY",
    .kind = VK_TEXT,
    .help = "with --emit-reg: the key the hive's root is in the .reg (default HKEY_CURRENT_USER)",
};
static const struct cli_option o_force = {
    .name = "force",
    .help = "write a hive that is refused as unsafe",
};
static const struct cli_option o_recover = {
    .name = "recover",
    .help = "write a dirty hive's recovered state (logs replayed) as a clean hive",
};
static const struct cli_option o_in_place = {
    .name = "in-place",
    .help = "change a hive in the file itself, journaled through FILE.LOG1 as Windows does",
};
static const struct cli_option o_wait = {
    .name = "wait",
    .arg = "SECONDS",
    .kind = VK_TEXT,
    .help = "wait at most SECONDS (0 to 86400, default 60) for another writer's lock",
};
static const struct cli_option o_no_wait = {
    .name = "no-wait",
    .help = "do not wait for another writer's lock (--wait 0)",
};
static const struct cli_option o_codepage_write = {
    .name = "codepage",
    .arg = "CP",
    .kind = VK_CODEPAGE,
    .help = "the code page of 8-bit strings, for reading and for the values printed",
};

/* Office versions whose Outlook keeps its profiles under its own key. */
#define OFFICE_VERSIONS "15.0 16.0"
static const struct cli_option o_office = {
    .name = "office",
    .arg = "VER",
    .kind = VK_WORDS,
    .words = OFFICE_VERSIONS,
    .help = "only the root Software\\Microsoft\\Office\\VER\\Outlook\\Profiles",
};
static const struct cli_option o_wms = {
    .name = "wms",
    .help = "only the Windows Messaging Subsystem root",
};
static const struct cli_option o_replace_profile = {
    .name = "replace",
    .help = "copy, rename: delete an existing profile named NEW first",
};
static const struct cli_option o_profile_import = {
    .name = "profile",
    .arg = "NAME",
    .kind = VK_PROFILE,
    .help = "import only the profile NAME of EXPORT",
};
static const struct cli_option o_as = {
    .name = "as",
    .arg = "NEW",
    .kind = VK_TEXT,
    .help = "import the profile under the name NEW",
};
static const struct cli_option o_default = {
    .name = "default",
    .help = "make the imported profile the default of its root",
};
static const struct cli_option o_replace_import = {
    .name = "replace",
    .help = "delete a profile of the same name in the target root first",
};
static const struct cli_option o_office_stage = {
    .name = "office",
    .arg = "VER",
    .kind = VK_WORDS,
    .words = OFFICE_VERSIONS,
    .help = "the Office version key N.0 (default: the highest of the file with an Outlook key, "
            "else 16.0)",
};

static const struct cli_option o_out_recover = {
    .short_name = 'o',
    .arg = "OUT",
    .kind = VK_FILE,
    .help = "write the recovered hive to OUT and leave FILE as it is",
};
static const struct cli_option o_output_dir_recover = {
    .name = "output-dir",
    .arg = "DIR",
    .kind = VK_DIR,
    .help = "write each recovered hive to DIR under its base name",
};
static const struct cli_option o_backup_recover = {
    .name = "backup",
    .arg = "SUFFIX",
    .arg_optional = 1,
    .help = "keep the file replaced as FILE followed by SUFFIX (default .bak)",
};
static const struct cli_option o_consume_logs = {
    .name = "consume-logs",
    .help = "after writing the recovered hive in place, reset its transaction logs",
};

static const struct cli_option o_format = {
    .name = "format",
    .arg = "FORMAT",
    .kind = VK_WORDS,
    .words = "bodyfile tln csv jsonl",
    .help = "bodyfile (the default), tln, csv or jsonl",
};
static const struct cli_option o_host = {
    .name = "host",
    .arg = "H",
    .kind = VK_TEXT,
    .help = "the host field of TLN lines",
};
static const struct cli_option o_user = {
    .name = "user",
    .arg = "U",
    .kind = VK_TEXT,
    .help = "the user field of TLN lines",
};
static const struct cli_option o_deleted_timeline = {
    .name = "deleted",
    .help = "also the keys recovered from the hive's free space",
};

static const struct cli_option o_office_import = {
    .name = "office",
    .arg = "VER",
    .kind = VK_WORDS,
    .words = OFFICE_VERSIONS,
    .help = "put the profiles into the root of Office VER instead of the one they had",
};
static const struct cli_option o_wms_import = {
    .name = "wms",
    .help = "put the profiles into the Windows Messaging Subsystem root",
};
static const struct cli_option o_codepage_prf = {
    .name = "codepage",
    .arg = "CP",
    .kind = VK_CODEPAGE,
    .help = "the code page of a PRF without a byte order mark that is not UTF-8",
};

/* The options every write command shares, in synopsis order. */
#define WRITE_OPTIONS                                                                              \
	&o_dry_run, &o_check, &o_json_write, &o_backup, &o_out, &o_output_dir, &o_emit_reg,        \
	    &o_root_write, &o_force, &o_recover, &o_in_place, &o_wait, &o_no_wait,                 \
	    &o_codepage_write, &o_image

static const struct cli_option *const list_opts[] = {&o_json,     &o_deleted, &o_no_logs,
                                                     &o_codepage, &o_image,   NULL};
static const struct cli_option *const show_opts[] = {
    &o_json,         &o_no_hash, &o_raw,      &o_deleted, &o_profile_show,
    &o_section_show, &o_no_logs, &o_codepage, &o_image,   NULL};
static const struct cli_option *const get_opts[] = {
    &o_json, &o_profile_one, &o_section_get, &o_no_logs, &o_codepage, &o_image, NULL};
static const struct cli_option *const info_opts[] = {&o_json, &o_no_logs, &o_codepage, &o_image,
                                                     NULL};
static const struct cli_option *const export_opts[] = {&o_profile_export, &o_all_profiles_export,
                                                       &o_root,           &o_out_export,
                                                       &o_no_logs,        &o_codepage,
                                                       &o_image,          NULL};
static const struct cli_option *const json_opts[] = {&o_json, NULL};
static const struct cli_option *const edit_opts[] = {&o_profile_write, &o_all_profiles, &o_edit,
                                                     WRITE_OPTIONS, NULL};
static const struct cli_option *const apply_opts[] = {&o_profile_write, &o_all_profiles,
                                                      WRITE_OPTIONS, NULL};
static const struct cli_option *const profile_opts[] = {&o_office, &o_wms, &o_replace_profile,
                                                        WRITE_OPTIONS, NULL};
static const struct cli_option *const import_opts[] = {
    &o_profile_import, &o_as,         &o_default,    &o_replace_import,
    &o_office_import,  &o_wms_import, WRITE_OPTIONS, NULL};
static const struct cli_option *const stage_opts[] = {&o_office_stage, WRITE_OPTIONS, NULL};
static const struct cli_option *const check_opts[] = {&o_json, &o_codepage_prf, NULL};
static const struct cli_option *const recover_opts[] = {
    &o_json,           &o_out_recover,  &o_output_dir_recover,
    &o_backup_recover, &o_consume_logs, &o_wait,
    &o_no_wait,        &o_image,        NULL};
static const struct cli_option *const timeline_opts[] = {
    &o_deleted_timeline, &o_format, &o_host, &o_user, &o_no_logs, &o_image, NULL};
static const struct cli_option *const diff_opts[] = {&o_json,    &o_profile_one, &o_section_diff,
                                                     &o_no_logs, &o_codepage,    NULL};
static const struct cli_option *const no_opts[] = {NULL};

/* ---- operands ----------------------------------------------------------- */

static const enum value_kind files[] = {VK_FILE, VK_NONE};
static const enum value_kind prop_file[] = {VK_TEXT, VK_FILE, VK_NONE};
static const enum value_kind pattern[] = {VK_TEXT, VK_NONE};
static const enum value_kind recipe_files[] = {VK_RECIPE, VK_FILE, VK_NONE};
static const enum value_kind recipe_name[] = {VK_RECIPE_NAME, VK_NONE};
/* NAME [NEW] FILE ...: NEW is free text, so a FILE is offered there. */
static const enum value_kind name_files[] = {VK_PROFILE, VK_FILE, VK_NONE};
static const enum value_kind from_to_files[] = {VK_TEXT, VK_TEXT, VK_FILE, VK_NONE};
static const enum value_kind winpath_files[] = {VK_TEXT, VK_FILE, VK_NONE};
static const enum value_kind command_name[] = {VK_COMMAND, VK_NONE};

static const struct subcommand profile_subs[] = {
    {"default", "make NAME the default profile of its root", NULL, NULL},
    {"copy", "copy the profile NAME as NEW", NULL, NULL},
    {"rename", "rename the profile NAME to NEW", NULL, NULL},
    {"delete", "delete the profile NAME", NULL, NULL},
};
static const struct subcommand prf_subs[] = {
    {"stage", "make Outlook import the PRF at WINPATH at its next start", stage_opts,
     winpath_files},
    {"check", "check that a PRF file is well formed", check_opts, files},
};

/* The edit grammar in brief (man page, EDIT GRAMMAR). */
#define EDIT_GRAMMAR                                                                               \
	"edits: SECTION PROP OP [VALUE]\n"                                                         \
	"  SECTION  a selector: global, emsab, outlook, services, instance, accounts,\n"           \
	"           emsmdb, service:NAME or a section's 32-digit UID; or exchange\n"               \
	"  PROP     a tag name (PR_PROFILE_CONNECT_FLAGS), a tag (0x66040003) or a\n"              \
	"           value name\n"                                                                  \
	"  OP       = (set), += (set flag bits), -= (clear flag bits),\n"                          \
	"           >= (raise to at least), unset (delete; no VALUE)\n"                            \
	"  VALUE    as PROP's type: a number or flag names joined by |, true or false,\n"          \
	"           a string (\"quoted\" or the rest), hex bytes, {CLSID}, UTC time\n"

#define SEE_ALSO "\nsee mapiprof(1) for the details\n"

static const char edit_details[] = EDIT_GRAMMAR
    "\nexamples:\n"
    "  mapiprof edit -e 'global PR_PROFILE_CONNECT_FLAGS -= "
    "CONNECT_NO_RPC_ENCRYPTION' NTUSER.DAT\n"
    "  mapiprof edit --all-profiles --dry-run \\\n"
    "      -e 'emsab PR_PROFILE_AUTH_PACKAGE = RPC_C_AUTHN_GSS_NEGOTIATE' NTUSER.DAT\n" SEE_ALSO;
static const char apply_details[] =
    "RECIPE is a built-in recipe (see \"mapiprof recipes\") or a file of edits, one\n"
    "per line, with # comments.\n\n" EDIT_GRAMMAR "\nexamples:\n"
    "  mapiprof apply --dry-run cached-mode-on NTUSER.DAT\n"
    "  printf 'global PR_PROFILE_HOME_SERVER = \"EXCH02\"\\n' >home.recipe\n"
    "  mapiprof apply --backup home.recipe NTUSER.DAT\n" SEE_ALSO;

static const struct command commands[] = {
    {"list", cmd_list,
     "list [--json] [--deleted] [--no-logs] [--codepage CP] [--image IMAGE] FILE ...",
     "list the MAPI profiles of each file: name, root, default, services", list_opts, files, NULL,
     0, NULL},
    {"show", cmd_show,
     "show [--json] [--no-hash] [--raw] [--deleted] [--profile NAME]... [--section SEL]... "
     "[--no-logs] [--codepage CP] [--image IMAGE] FILE ...",
     "show every decoded property of the selected profile sections", show_opts, files, NULL, 0,
     NULL},
    {"get", cmd_get,
     "get [--json] [--profile NAME] --section SEL [--no-logs] [--codepage CP] [--image IMAGE] "
     "PROP FILE",
     "print one property value, for scripts", get_opts, prop_file, NULL, 0, NULL},
    {"info", cmd_info, "info [--json] [--no-logs] [--codepage CP] [--image IMAGE] FILE ...",
     "show what each file is: format, size, sha256; the hive header or the .reg encoding",
     info_opts, files, NULL, 0, NULL},
    {"export", cmd_export,
     "export [[--profile NAME]... | --all-profiles] [--root KEY] [-o OUT] [--no-logs] "
     "[--codepage CP] [--image IMAGE] FILE",
     "write profiles as a regedit 5.00 .reg file that reg import accepts", export_opts, files, NULL,
     0, NULL},
    {"tags", cmd_tags, "tags [--json] [PATTERN]", "search the property tag and flag tables",
     json_opts, pattern, NULL, 0, NULL},
    {"edit", cmd_edit,
     "edit [--profile NAME | --all-profiles] -e EDIT [-e EDIT]... [--dry-run | --check] [--json] "
     "[--backup[=SUFFIX]] [-o PATH | --output-dir DIR] [--emit-reg PATH [--root KEY]] [--force] "
     "[--recover] [--in-place] [--wait SECONDS | --no-wait] [--codepage CP] [--image IMAGE] "
     "FILE ...",
     "change property values as the edits say; print the plan, then write safely", edit_opts, files,
     NULL, 0, edit_details},
    {"apply", cmd_apply,
     "apply [--profile NAME | --all-profiles] [--dry-run | --check] [--json] [--backup[=SUFFIX]] "
     "[-o PATH | --output-dir DIR] [--emit-reg PATH [--root KEY]] [--force] [--recover] "
     "[--in-place] [--wait SECONDS | --no-wait] [--codepage CP] [--image IMAGE] RECIPE FILE ...",
     "apply a recipe (built-in name or recipe file): plan, then write safely", apply_opts,
     recipe_files, NULL, 0, apply_details},
    {"profile", cmd_profile,
     "profile default|copy|rename|delete NAME [NEW] [--office VER | --wms] [--replace] "
     "[--dry-run | --check] [--json] [--backup[=SUFFIX]] [-o PATH | --output-dir DIR] "
     "[--emit-reg PATH [--root KEY]] [--force] [--recover] [--in-place] "
     "[--wait SECONDS | --no-wait] [--codepage CP] [--image IMAGE] FILE ...",
     "set the default profile, or copy, rename or delete a profile; plan, then write "
     "safely",
     profile_opts, name_files, profile_subs, 4, NULL},
    {"import", cmd_import,
     "import [--profile NAME] [--as NEW] [--default] [--replace] [--office VER | --wms] "
     "[--dry-run | --check] [--json] [--backup[=SUFFIX]] [-o PATH | --output-dir DIR] "
     "[--emit-reg PATH [--root KEY]] [--force] [--recover] [--in-place] "
     "[--wait SECONDS | --no-wait] [--codepage CP] [--image IMAGE] EXPORT FILE ...",
     "bring profiles from a .reg export into each file; plan, then write safely", import_opts,
     files, NULL, 0, NULL},
    {"relocate", cmd_relocate,
     "relocate [--profile NAME | --all-profiles] [--dry-run | --check] [--json] "
     "[--backup[=SUFFIX]] [-o PATH | --output-dir DIR] [--emit-reg PATH [--root KEY]] [--force] "
     "[--recover] [--in-place] [--wait SECONDS | --no-wait] [--codepage CP] [--image IMAGE] "
     "FROM TO FILE ...",
     "move PST and OST paths from folder FROM to TO, in entry IDs too; plan, then write "
     "safely",
     apply_opts, from_to_files, NULL, 0, NULL},
    {"recover", cmd_recover,
     "recover [--json] [-o OUT | --output-dir DIR] [--backup[=SUFFIX]] [--consume-logs] "
     "[--wait SECONDS | --no-wait] [--image IMAGE] FILE ...",
     "replay a dirty hive's transaction logs and write the recovered hive", recover_opts, files,
     NULL, 0, NULL},
    {"recipes", cmd_recipes, "recipes [--json] [NAME]",
     "list the built-in recipes, or print one with its rationale", json_opts, recipe_name, NULL, 0,
     NULL},
    {"prf", cmd_prf,
     "prf stage [--office VER] [--dry-run | --check] [--json] [--backup[=SUFFIX]] [-o PATH | "
     "--output-dir DIR] [--emit-reg PATH [--root KEY]] [--force] [--recover] [--in-place] "
     "[--wait SECONDS | --no-wait] [--codepage CP] [--image IMAGE] WINPATH FILE ...\n       "
     "mapiprof prf check "
     "[--json] "
     "[--codepage "
     "CP] FILE",
     "Outlook profile files (PRF): stage one for Outlook's next start, or check one", NULL, NULL,
     prf_subs, 2, NULL},
    {"timeline", cmd_timeline,
     "timeline [--deleted] [--format bodyfile|tln|csv|jsonl] [--host H] [--user U] [--no-logs] "
     "[--image IMAGE] FILE ...",
     "the profile and section keys of each file by last-write time, for forensic timelines",
     timeline_opts, files, NULL, 0, NULL},
    {"diff", cmd_diff,
     "diff [--json] [--profile NAME] [--section SEL] [--no-logs] [--codepage CP] A B",
     "compare the decoded profiles of two files: values added, removed, changed", diff_opts, files,
     NULL, 0, NULL},
    {"help", NULL, "help [COMMAND]", "show the usage of every command or of one", no_opts,
     command_name, NULL, 0, NULL},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Not in the usage nor in help: what the shell completion scripts ask
 * (complete.c). */
static const struct command hidden[] = {
    {"complete", cmd_complete, "complete INDEX WORD ...",
     "the completions of word INDEX of a mapiprof command line, for the shell scripts", no_opts,
     NULL, NULL, 0, NULL},
};

const struct command *
command_find(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		if (strcmp(hidden[i].name, name) == 0)
			return &hidden[i];
	return NULL;
}

const struct subcommand *
command_sub(const struct command *c, const char *name)
{
	for (size_t i = 0; i < c->nsubs; i++)
		if (strcmp(c->subs[i].name, name) == 0)
			return &c->subs[i];
	return NULL;
}

const struct command *
command_of(const char *cmd)
{
	if (cmd == NULL)
		return NULL;
	char name[32];
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(cmd, " "), cmd);
	return command_find(name);
}

void
usage_print(FILE *f, const char *cmd)
{
	/* A subcommand ("prf check") prints its command's synopsis. */
	const struct command *c = command_of(cmd);
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
