/* opt.h - what every command's option parsing shares: getopt_long set-up,
 * -h/--help, --version, option errors and --codepage. */
#ifndef MP_CLI_OPT_H
#define MP_CLI_OPT_H

#include <getopt.h>

struct mapiprof_ctx;

/* Values of long options that have no short form. */
enum {
	OPT_VERSION = 0x100,
	OPT_CODEPAGE,
	OPT_JSON,
	OPT_RAW,
	OPT_PROFILE,
	OPT_SECTION,
	OPT_ALL_PROFILES,
	OPT_DRY_RUN,
	OPT_CHECK,
	OPT_BACKUP,
	OPT_FORCE,
	OPT_EMIT_REG,
	OPT_ROOT,
	OPT_NO_LOGS,
	OPT_RECOVER,
	OPT_CONSUME_LOGS,
	OPT_OUTPUT_DIR,
	OPT_IMAGE,
	OPT_WAIT,
	OPT_NO_WAIT,
	OPT_DELETED,
	OPT_IN_PLACE,
	OPT_NO_HASH,
};

/* The long options of a writer's lock wait (--wait SECONDS, --no-wait). */
#define OPT_WAIT_LONGOPTS                                                                          \
	{"wait", required_argument, NULL, OPT_WAIT},                                               \
	{                                                                                          \
		"no-wait", no_argument, NULL, OPT_NO_WAIT                                          \
	}

/* Long options every command accepts; put them into its table. */
#define OPT_COMMON_LONGOPTS                                                                        \
	{"help", no_argument, NULL, 'h'},                                                          \
	{                                                                                          \
		"version", no_argument, NULL, OPT_VERSION                                          \
	}

/* Short options every command accepts: ":" makes getopt_long return ':' for
 * a missing argument, "h" is -h. */
#define OPT_COMMON_SHORTOPTS ":h"

/* Prepares getopt_long for a command's argv (argv[0] is the command name):
 * restarts the scan and silences getopt's own messages (diag.c prints). */
void opt_begin(void);
/* Handles what getopt_long returned that the command does not: -h/--help
 * (usage on stdout, EXIT_OK), --version (EXIT_OK), an unknown option or a
 * missing argument (diagnostic and usage, EXIT_USAGE).  The command returns
 * the result at once. */
int opt_common(const char *cmd, int c, char *const argv[]);
/* The long option --no-logs of the read commands: read a dirty hive's
 * primary file only, without replaying its transaction logs
 * (MAPIPROF_OPEN_NO_LOGS). */
/* clang-format off */
#define OPT_NO_LOGS_LONGOPT {"no-logs", no_argument, NULL, OPT_NO_LOGS}
/* clang-format on */

/* Sets the code page when cp is not NULL.  Returns EXIT_OK, or EXIT_USAGE
 * after a diagnostic when iconv does not know it. */
int opt_codepage(struct mapiprof_ctx *ctx, const char *cmd, const char *cp);
/* Returns EXIT_OK for a valid --section selector, else EXIT_USAGE after a
 * diagnostic listing the valid ones (mapiprof_selector_check). */
int opt_selector(const char *cmd, const char *selector);
/* Sets how long a writer waits for another's lock on its file: --wait
 * SECONDS (wait, or NULL for the default), --no-wait (no_wait).  Returns
 * EXIT_OK, or EXIT_USAGE after a diagnostic for a SECONDS that is not a
 * whole number from 0 to 86400 or when both are given. */
int opt_wait(struct mapiprof_ctx *ctx, const char *cmd, const char *wait, int no_wait);
/* 1 when the path operands a and b name the same file: the same string, or
 * both exist and are one inode (so that an output never replaces an input);
 * never for "-" (standard input or output). */
int opt_same_file(const char *a, const char *b);

/* --output-dir DIR over the FILE operands files[0..n): DIR not empty, no
 * -o beside it, and no two inputs with the same base name (their results
 * would overwrite each other).  Returns EXIT_OK, or EXIT_USAGE after a
 * diagnostic and the usage, before any file is touched; EXIT_ERROR after a
 * diagnostic when DIR is not a directory. */
int opt_output_dir(const char *cmd, const char *dir, const char *output, char *const files[],
                   size_t n);
/* The path of input's result in dir: "dir/BASENAME" joined by the
 * system's rules (on Windows with the separator dir uses, else '\\'),
 * malloc'd (NULL when out of memory). */
char *opt_output_path(const char *dir, const char *input);
/* --backup=SUFFIX: EXIT_OK, or EXIT_USAGE after a diagnostic when SUFFIX
 * is empty or would name another file (a separator; ':' on Windows). */
int opt_backup_suffix(const char *cmd, const char *suffix);

#endif
