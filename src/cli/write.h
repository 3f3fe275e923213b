/* write.h - what the write commands (edit, apply) share: their options, and
 * running one recipe over a batch of files, each file on its own: open ->
 * profiles -> plan -> print -> write, one status per file, and the batch
 * exit status (man page, EXIT STATUS). */
#ifndef MP_CLI_WRITE_H
#define MP_CLI_WRITE_H

#include <stddef.h>

#include "opt.h"

struct mapiprof_ctx;
struct mapiprof_file;
struct mapiprof_plan;
struct mapiprof_recipe;

/* The options of edit and apply (man/mapiprof.1, COMMANDS). */
struct write_opts {
	const char *cmd;     /* "edit" or "apply", for diagnostics */
	int json;            /* --json */
	int dry_run;         /* --dry-run: print the plan, write nothing */
	int check;           /* --check: write nothing, exit 3 when a change is due */
	int force;           /* --force: write a hive refused as unsafe */
	int recover;         /* --recover: write a dirty hive's recovered state, reset its logs */
	int in_place;        /* --in-place: change a hive in its file, journaled */
	int all_profiles;    /* --all-profiles */
	const char *profile; /* --profile NAME, or NULL: the default profile */
	const char *backup;  /* --backup[=SUFFIX]: the suffix, or NULL */
	const char *output;  /* -o PATH, or NULL */
	const char *output_dir; /* --output-dir DIR: each result to DIR/BASENAME, or NULL */
	const char *image;      /* --image DIR: FILEs inside it, or all its user hives */
	const char *codepage;   /* --codepage CP, or NULL */
	const char *emit_reg;   /* --emit-reg PATH: also write the plan as a .reg, or NULL */
	const char *root;       /* --root KEY: the hive root's path in that .reg, or NULL */
	const char *wait;       /* --wait SECONDS for another writer's lock, or NULL */
	int no_wait;            /* --no-wait: busy at once when another writer holds it */
	/* A command that is not a recipe (profile, import, prf stage): builds
	 * the plan of one open file; NULL: the recipe path. */
	int (*planner)(const struct write_opts *o, struct mapiprof_file *f, const void *arg,
	               struct mapiprof_plan **out);
	const void *planner_arg;
};

/* Short and long options of the write commands, for their getopt_long
 * tables (each command adds its own and OPT_COMMON_*). */
#define WRITE_SHORTOPTS "o:"
/* clang-format off */
#define WRITE_LONGOPTS                                                  \
	{"profile", required_argument, NULL, OPT_PROFILE},              \
	{"all-profiles", no_argument, NULL, OPT_ALL_PROFILES},          \
	{"dry-run", no_argument, NULL, OPT_DRY_RUN},                    \
	{"check", no_argument, NULL, OPT_CHECK},                        \
	{"json", no_argument, NULL, OPT_JSON},                          \
	{"backup", optional_argument, NULL, OPT_BACKUP},                \
	{"force", no_argument, NULL, OPT_FORCE},                        \
	{"recover", no_argument, NULL, OPT_RECOVER},                    \
	{"in-place", no_argument, NULL, OPT_IN_PLACE},                  \
	{"codepage", required_argument, NULL, OPT_CODEPAGE},            \
	{"emit-reg", required_argument, NULL, OPT_EMIT_REG},            \
	{"root", required_argument, NULL, OPT_ROOT},                    \
	{"output-dir", required_argument, NULL, OPT_OUTPUT_DIR},        \
	{"image", required_argument, NULL, OPT_IMAGE},                  \
	OPT_WAIT_LONGOPTS
/* clang-format on */

/* Stores what getopt_long returned (c, with optarg) when it is a write
 * option.  Returns 1 when it was one, else 0 (the command handles c). */
int wr_option(struct write_opts *o, int c);
/* Checks the options against each other and the FILE operands (nfiles of
 * them at files): --emit-reg needs exactly one FILE and no --check, and
 * must name neither that FILE nor the -o PATH; --root needs --emit-reg and
 * a valid key (mapiprof_reg_root_valid); --output-dir as opt_output_dir.
 * Returns EXIT_OK, or EXIT_USAGE (EXIT_ERROR for an --output-dir that is
 * not a directory) after a diagnostic. */
int wr_validate(const struct write_opts *o, char *const files[], int nfiles);
/* Creates the context and sets --codepage.  Returns EXIT_OK with *ctx set
 * (free it with mapiprof_ctx_free), or EXIT_ERROR / EXIT_USAGE after a
 * diagnostic. */
int wr_ctx(const struct write_opts *o, struct mapiprof_ctx **ctx);
/* Reports the failure in ctx of mapiprof_recipe_load or
 * mapiprof_recipe_from_edits: a bad edit, an unknown recipe or a recipe
 * file that is not valid is a usage error (EXIT_USAGE, with the usage);
 * anything else (out of memory) EXIT_ERROR. */
int wr_recipe_error(const struct write_opts *o, struct mapiprof_ctx *ctx);
/* Plans recipe on each of the n files and writes it (or only prints it
 * with --dry-run / --check), printing the plan and one status per file.
 * With --emit-reg the plan is also written as a .reg file
 * (mapiprof_plan_reg): made before the input is touched, saved after the
 * input was written (or, with --dry-run, instead of writing it), also when
 * the plan is empty (a header-only file, a valid no-op import).
 * Returns the batch status: EXIT_ERROR when any file failed, else
 * EXIT_UNSAFE when any was refused, else EXIT_CHANGE with --check when any
 * would change, else EXIT_OK. */
/* recipe may be NULL when o->planner is set. */
int wr_files(const struct write_opts *o, struct mapiprof_ctx *ctx,
             const struct mapiprof_recipe *recipe, char *const files[], size_t n);

#endif
