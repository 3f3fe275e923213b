/* report.h - reporting a file that fails: the diagnostic on stderr and, in
 * JSON mode, its {"file","error","code"} line on stdout. */
#ifndef MP_CLI_REPORT_H
#define MP_CLI_REPORT_H

#include <mapiprof/mapiprof.h>

#include "diag.h"

/* What a command run shares with its helpers. */
struct run {
	const char *cmd;          /* command name, for usage errors */
	int json;                 /* --json */
	struct mapiprof_ctx *ctx; /* the library context */
};

/* The JSON "code" of a library error ("not_found", "format", ...). */
const char *report_code(enum mapiprof_error e);
/* Reports the error in r->ctx about path and clears it.  Returns
 * EXIT_USAGE for a bad selector, PROP or code page, EXIT_UNSAFE when
 * another writer holds the file's lock, else EXIT_ERROR. */
int report_lib(const struct run *r, const char *path);
/* Reports a failure found by the command itself (code as in the JSON
 * schema, e.g. "no_profiles").  Returns EXIT_ERROR. */
int report_fail(const struct run *r, const char *path, const char *code, const char *fmt, ...)
    DIAG_PRINTF(4, 5);
/* Reports a usage error in an operand about path (the diagnostic, the
 * command's synopsis and, in JSON mode, the error line with code, e.g.
 * "bad_property").  Returns EXIT_USAGE. */
int report_usage(const struct run *r, const char *path, const char *code, const char *msg);
/* Creates the context for a command; reports and returns NULL when out of
 * memory. */
struct mapiprof_ctx *report_ctx_new(void);

#endif
