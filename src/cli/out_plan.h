/* out_plan.h - rendering what a write command did to one file: the plan as
 * text lines (one per change, one per skipped profile) and the per-file
 * JSON object (schema in man/mapiprof.1, JSON OUTPUT). */
#ifndef MP_CLI_OUT_PLAN_H
#define MP_CLI_OUT_PLAN_H

#include <stdio.h>

struct mapiprof_file;
struct mapiprof_plan;

/* The outcome of one file. */
struct plan_result {
	const char *path;
	const char *status;               /* "changed", "unchanged", "would_change", "dry_run",
	                                     "skipped", "no_profiles", "refused" or "error" */
	const struct mapiprof_file *f;    /* NULL when the file did not open */
	const struct mapiprof_plan *plan; /* NULL when no plan was built */
	const char *backup;               /* the backup made, or NULL */
	const char *output;               /* -o PATH, or NULL */
	const char *emit_reg;             /* the --emit-reg PATH written, or NULL */
	const char *state;                /* the state planned on: "primary" or "recovered"
	                                     (mapiprof_info.state), NULL when not opened */
	int logs_reset;                   /* --recover reset the input's logs after writing */
	int in_place;                     /* --in-place wrote the file itself (same inode) */
	const char *note;  /* what the write could not keep (mapiprof_note), or NULL */
	const char *error; /* failure message (refused, error), else NULL */
	const char *code;  /* its code (report_code), else NULL */
};

/* Prints the plan of r to out: for each change a line
 *   FILE: PROFILE: SECTION (ROLE[, new section]): NAME (VALUE-NAME): BEFORE → AFTER
 * (BEFORE "(new)" for a value that is created, AFTER "(deleted)"), values
 * as show prints them with their flag names; a change outside the
 * sections (mapiprof_change.kind) as
 *   "  KEY: VALUE-NAME: BEFORE -> AFTER" ("(absent)", "(deleted)"),
 *   "  KEY: create key" or "  KEY: delete key (and everything below it)";
 * then for each skipped profile
 *   mapiprof: FILE: skipped profile 'NAME': REASON
 * Every string is escaped.  Returns 0, or -1 when out of memory or on a
 * write error. */
int op_plan_text(FILE *out, const struct plan_result *r);
/* Writes the JSON object of r as one line on stdout.  Returns 0, or -1
 * when out of memory (nothing written). */
int op_plan_json(const struct plan_result *r);

#endif
