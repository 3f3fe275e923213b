/* write.c - the write pipeline of edit and apply over a batch of files:
 * each file is opened, planned, printed and written (or only checked) on
 * its own, with one status per file (man page, EXIT STATUS). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mapiprof/mapiprof.h>

#include "diag.h"
#include "escape.h"
#include "exitcode.h"
#include "image.h"
#include "out_plan.h"
#include "report.h"
#include "stdio_files.h"
#include "write.h"

/* What one file came to, for the batch status. */
enum outcome {
	OUTCOME_OK,      /* written, unchanged, skipped or dry run */
	OUTCOME_CHANGE,  /* --check: a change is due */
	OUTCOME_REFUSED, /* refused as unsafe */
	OUTCOME_ERROR,   /* failed */
};

/* One file on its way through the pipeline. */
struct file_run {
	const struct write_opts *o;
	struct mapiprof_ctx *ctx;
	struct plan_result res;
	const char *output; /* -o PATH, DIR/BASENAME of --output-dir, or NULL: in place */
	enum outcome outcome;
	char *msg;    /* malloc'd failure message (res.error) */
	char *backup; /* malloc'd backup path (res.backup) */
	const char
	    *backup_suffix; /* --backup for the library, or NULL (a WIM image keeps its own) */
	void *patch;        /* --emit-reg: the plan as .reg bytes (mapiprof_free) */
	size_t patchlen;
	int forceable; /* mapiprof_write_check refuses it and there is no --force */
};

int
wr_option(struct write_opts *o, int c)
{
	switch (c) {
	case OPT_JSON:
		o->json = 1;
		break;
	case OPT_DRY_RUN:
		o->dry_run = 1;
		break;
	case OPT_CHECK:
		o->check = 1;
		break;
	case OPT_FORCE:
		o->force = 1;
		break;
	case OPT_RECOVER:
		o->recover = 1;
		break;
	case OPT_IN_PLACE:
		o->in_place = 1;
		break;
	case OPT_ALL_PROFILES:
		o->all_profiles = 1;
		break;
	case OPT_PROFILE:
		o->profile = optarg;
		break;
	case OPT_BACKUP:
		o->backup = optarg != NULL ? optarg : ".bak";
		break;
	case 'o':
		o->output = optarg;
		break;
	case OPT_OUTPUT_DIR:
		o->output_dir = optarg;
		break;
	case OPT_IMAGE:
		o->image = optarg;
		break;
	case OPT_CODEPAGE:
		o->codepage = optarg;
		break;
	case OPT_EMIT_REG:
		o->emit_reg = optarg;
		break;
	case OPT_ROOT:
		o->root = optarg;
		break;
	case OPT_WAIT:
		o->wait = optarg;
		break;
	case OPT_NO_WAIT:
		o->no_wait = 1;
		break;
	default:
		return 0;
	}
	return 1;
}

/* The --emit-reg rules (man page, --emit-reg). */
static int
validate_emit(const struct write_opts *o, char *const files[], int nfiles)
{
	if (o->emit_reg[0] == '\0')
		return diag_usage(o->cmd, "empty --emit-reg PATH");
	if (nfiles != 1)
		return diag_usage(o->cmd, "--emit-reg needs a single FILE");
	if (o->check)
		return diag_usage(o->cmd, "--emit-reg and --check exclude each other");
	if (opt_same_file(o->emit_reg, files[0]))
		return diag_usage(o->cmd, "--emit-reg PATH must not be the input FILE");
	if (o->output != NULL && opt_same_file(o->emit_reg, o->output))
		return diag_usage(o->cmd, "--emit-reg PATH must not be the -o PATH");
	if (o->root != NULL && !mapiprof_reg_root_valid(o->root))
		return diag_usage(o->cmd,
		                  "invalid --root '%s': a key path starting with a root such as "
		                  "HKEY_CURRENT_USER, HKCU, HKEY_USERS or HKU",
		                  o->root);
	return EXIT_OK;
}

int
wr_validate(const struct write_opts *o, char *const files[], int nfiles)
{
	if (nfiles < 1 && o->image == NULL)
		return diag_usage(o->cmd, "no FILE given");
	if (image_is_dir(o->image) && o->backup != NULL)
		return diag_usage(o->cmd, "--backup with --image DIR would leave backup files "
		                          "inside the image: keep a copy of the image instead");
	if (o->image != NULL && o->output_dir != NULL)
		return diag_usage(o->cmd, "--output-dir with --image is not supported: every user "
		                          "hive is named NTUSER.DAT");
	if (o->image != NULL && o->output != NULL && nfiles != 1)
		return diag_usage(o->cmd, "-o needs a single FILE");
	if (o->profile != NULL && o->all_profiles)
		return diag_usage(o->cmd, "--profile and --all-profiles exclude each other");
	if (o->dry_run && o->check)
		return diag_usage(o->cmd, "--dry-run and --check exclude each other");
	if (o->output != NULL && nfiles > 1)
		return diag_usage(o->cmd, "-o needs a single FILE");
	if (o->output != NULL && o->output[0] == '\0')
		return diag_usage(o->cmd, "empty -o PATH");
	for (int i = 0; i < nfiles; i++)
		if (sf_is_dash(files[i]) && o->output == NULL && o->output_dir == NULL &&
		    !o->dry_run && !o->check)
			return diag_usage(o->cmd, "FILE - (standard input) needs -o PATH, or -o - "
			                          "for standard output");
	if (sf_is_dash(o->output) && sf_is_dash(o->emit_reg))
		return diag_usage(o->cmd, "-o - and --emit-reg - both write to standard output");
	if (o->json && (sf_is_dash(o->output) || sf_is_dash(o->emit_reg)))
		return diag_usage(o->cmd, "--json writes to standard output: not with -o - or "
		                          "--emit-reg -");
	if (sf_is_dash(o->output) && o->backup != NULL)
		return diag_usage(o->cmd, "--backup keeps a file that is replaced: not with -o -");
	if (o->in_place && (o->output != NULL || o->output_dir != NULL || o->backup != NULL))
		return diag_usage(o->cmd,
		                  "--in-place writes FILE itself: not with -o, --output-dir "
		                  "or --backup");
	if (opt_backup_suffix(o->cmd, o->backup) != EXIT_OK)
		return EXIT_USAGE;
	if (o->output_dir != NULL) {
		int status =
		    opt_output_dir(o->cmd, o->output_dir, o->output, files, (size_t)nfiles);
		if (status != EXIT_OK)
			return status;
	}
	if (o->emit_reg != NULL)
		return validate_emit(o, files, nfiles);
	if (o->root != NULL)
		return diag_usage(o->cmd, "--root applies to the --emit-reg file: give --emit-reg");
	return EXIT_OK;
}

int
wr_ctx(const struct write_opts *o, struct mapiprof_ctx **ctx)
{
	*ctx = report_ctx_new();
	if (*ctx == NULL)
		return EXIT_ERROR;
	int status = opt_codepage(*ctx, o->cmd, o->codepage);
	if (status == EXIT_OK)
		status = opt_wait(*ctx, o->cmd, o->wait, o->no_wait);
	if (status != EXIT_OK) {
		mapiprof_ctx_free(*ctx);
		*ctx = NULL;
	}
	return status;
}

int
wr_recipe_error(const struct write_opts *o, struct mapiprof_ctx *ctx)
{
	enum mapiprof_error e = mapiprof_errcode(ctx);
	const char *msg = mapiprof_errmsg(ctx);
	if (msg[0] == '\0')
		msg = e == MAPIPROF_E_NOMEM ? "out of memory" : "invalid recipe";
	if (e == MAPIPROF_E_NOMEM || e == MAPIPROF_E_NONE) {
		diag(o->cmd, "%s", msg);
		mapiprof_clear_error(ctx);
		return EXIT_ERROR;
	}
	/* A recipe file's error names the file, as every bad input's does. */
	const char *file = mapiprof_errfile(ctx);
	int status = diag_usage(file != NULL ? file : o->cmd, "%s", msg);
	mapiprof_clear_error(ctx);
	return status;
}

/* A malloc'd printf; NULL when out of memory. */
static char *format(const char *fmt, ...) DIAG_PRINTF(1, 2);

static char *
format(const char *fmt, ...)
{
	va_list ap, cp;
	va_start(ap, fmt);
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (s != NULL)
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* Records a failure: status "error" (or "refused" when refused) with the
 * message msg and code.  Returns -1 for the caller to stop. */
static int
fail(struct file_run *fr, int refused, const char *code, const char *msg)
{
	free(fr->msg);
	fr->msg = format("%s", msg);
	fr->res.status = refused ? "refused" : "error";
	fr->res.error = fr->msg != NULL ? fr->msg : "out of memory";
	fr->res.code = code;
	fr->outcome = refused ? OUTCOME_REFUSED : OUTCOME_ERROR;
	return -1;
}

/* Records the error in the context, about the --emit-reg PATH, as the
 * file's failure and clears it; done says what was written before. */
static int
fail_emit(struct file_run *fr, const char *done)
{
	enum mapiprof_error e = mapiprof_errcode(fr->ctx);
	const char *msg = mapiprof_errmsg(fr->ctx);
	char *text = format("%s--emit-reg %s: %s", done, fr->o->emit_reg,
	                    msg[0] != '\0' ? msg : "unknown error");
	int rc = fail(fr, 0, report_code(e), text != NULL ? text : "out of memory");
	free(text);
	mapiprof_clear_error(fr->ctx);
	return rc;
}

/* 1 when f was read with its transaction logs replayed (state
 * "recovered"), so that --recover writes that state. */
static int
is_recovered(const struct mapiprof_file *f)
{
	const struct mapiprof_info *in = f != NULL ? mapiprof_file_info(f) : NULL;
	return in != NULL && in->state != NULL && strcmp(in->state, "recovered") == 0;
}

/* Records the error in the context as the file's failure and clears it.
 * An unsafe hive (and, for a write, a bad checksum) is refused, with why
 * that matters (regf spec "Dirty state of a hive"); --force is offered only
 * when it would help (not for a file that changed after it was read). */
static int
fail_lib(struct file_run *fr)
{
	enum mapiprof_error e = mapiprof_errcode(fr->ctx);
	const char *msg = mapiprof_errmsg(fr->ctx);
	char *why = NULL;
	if (msg[0] == '\0')
		msg = "unknown error";
	if (e == MAPIPROF_E_UNSAFE)
		why = format(
		    fr->forceable ? "refused: %s (--force writes it anyway)" : "refused: %s", msg);
	else if (e == MAPIPROF_E_CHECKSUM)
		why = format("refused: %s: the hive is damaged or was copied while being "
		             "written",
		             msg);
	int rc =
	    fail(fr, e == MAPIPROF_E_UNSAFE || e == MAPIPROF_E_CHECKSUM || e == MAPIPROF_E_BUSY,
	         report_code(e), why != NULL ? why : msg);
	free(why);
	mapiprof_clear_error(fr->ctx);
	return rc;
}

/* The profiles to plan: all of them, the --profile one or the default
 * one.  *idx is malloc'd.  Returns 0, or -1 after recording the failure. */
static int
pick_profiles(struct file_run *fr, struct mapiprof_file *f, size_t **idx, size_t *n)
{
	size_t count = mapiprof_profile_count(f);
	*n = 0;
	if ((*idx = malloc(count * sizeof(**idx))) == NULL)
		return fail(fr, 0, "no_memory", "out of memory");
	if (!fr->o->all_profiles) {
		if (mapiprof_profile_find(f, fr->o->profile, *idx) != MAPIPROF_OK)
			return fail_lib(fr);
		*n = 1;
		return 0;
	}
	for (size_t i = 0; i < count; i++)
		(*idx)[i] = i;
	*n = count;
	return 0;
}

/* Whether writing would be refused: with --force a loud warning (the
 * write goes ahead), in --dry-run / --check a note.  Nothing with
 * --recover on a recovered hive: its recovered state is written, which is
 * safe.  Never fails. */
static void
warn_unsafe(struct file_run *fr, struct mapiprof_file *f)
{
	if ((fr->o->recover && is_recovered(f)) || mapiprof_write_check(f) == MAPIPROF_OK)
		return;
	if (mapiprof_errcode(fr->ctx) == MAPIPROF_E_UNSAFE) {
		const char *msg = mapiprof_errmsg(fr->ctx);
		if (fr->o->dry_run || fr->o->check)
			diag(fr->res.path, "note: writing would be refused: %s", msg);
		else
			diag(fr->res.path, "WARNING: --force: writing a file refused as unsafe: %s",
			     msg);
	}
	mapiprof_clear_error(fr->ctx);
}

/* Writes the plan (not empty) and records the outcome.  --force is
 * offered for a refused hive only when it was read as its primary file;
 * for a hive read with its logs replayed, --recover is the way (the
 * library's refusal names it): it also resets the logs. */
static int
commit(struct file_run *fr, struct mapiprof_file *f, const struct mapiprof_plan *plan)
{
	const struct write_opts *o = fr->o;
	struct mapiprof_write_opts wo = {fr->output, fr->backup_suffix, o->force, o->recover};
	const char *target = fr->output != NULL ? fr->output : fr->res.path;
	int recovered = is_recovered(f);
	struct stat st;
	/* The library keeps a backup only of a target that exists. */
	int replaces = stat(target, &st) == 0;
	if (o->force)
		warn_unsafe(fr, f);
	else
		fr->forceable = !recovered && mapiprof_write_check(f) != MAPIPROF_OK;
	mapiprof_clear_error(fr->ctx);
	mapiprof_clear_note(fr->ctx);
	if ((o->in_place ? mapiprof_plan_write_in_place : mapiprof_plan_write)(f, plan, &wo) !=
	    MAPIPROF_OK)
		return fail_lib(fr);
	/* What the file system could not keep (an owner on a FUSE mount):
	 * said once for the file, the write stands. */
	if (mapiprof_note(fr->ctx)[0] != '\0') {
		fr->res.note = mapiprof_note(fr->ctx);
		diag(fr->res.path, "note: %s", fr->res.note);
	}
	if (fr->backup_suffix != NULL && replaces) {
		fr->backup = format("%s%s", target, fr->backup_suffix);
		fr->res.backup = fr->backup;
	}
	/* --in-place kept the file (the library says why when it could not). */
	struct stat now;
	fr->res.in_place = o->in_place && replaces && stat(target, &now) == 0 &&
	                   now.st_dev == st.st_dev && now.st_ino == st.st_ino;
	/* The logs beside the input are reset only when it was replaced. */
	fr->res.logs_reset = o->recover && recovered && fr->output == NULL;
	fr->res.status = "changed";
	return 0;
}

/* --emit-reg: makes the plan's .reg text, before anything is written, so
 * that a plan a .reg cannot hold fails with the input untouched. */
static int
patch_make(struct file_run *fr, struct mapiprof_file *f, const struct mapiprof_plan *plan)
{
	if (fr->o->emit_reg == NULL)
		return 0;
	struct mapiprof_reg_opts ro = {fr->o->root};
	if (mapiprof_plan_reg(f, plan, &ro, &fr->patch, &fr->patchlen) != MAPIPROF_OK)
		return fail_emit(fr, "");
	return 0;
}

/* --emit-reg: saves the text patch_make made (atomically, mapiprof_save);
 * written says whether the input was written before. */
static int
patch_save(struct file_run *fr, int written)
{
	if (fr->patch == NULL)
		return 0;
	if (sf_is_dash(fr->o->emit_reg)) {
		if (fwrite(fr->patch, 1, fr->patchlen, stdout) != fr->patchlen ||
		    fflush(stdout) != 0)
			return fail(fr, 0, "io", "--emit-reg -: error writing to standard output");
		fr->res.emit_reg = fr->o->emit_reg;
		return 0;
	}
	if (mapiprof_save(fr->ctx, fr->o->emit_reg, fr->patch, fr->patchlen) != MAPIPROF_OK)
		return fail_emit(fr, written ? "the changes were written, but " : "");
	fr->res.emit_reg = fr->o->emit_reg;
	return 0;
}

/* After planning: print-only modes, nothing to do, or the write; then the
 * --emit-reg file. */
static int
settle(struct file_run *fr, struct mapiprof_file *f, const struct mapiprof_plan *plan,
       size_t nprofiles)
{
	size_t n = mapiprof_plan_count(plan);
	if (patch_make(fr, f, plan) != 0)
		return -1;
	if (n == 0) {
		size_t skipped = mapiprof_plan_skip_count(plan);
		fr->res.status = skipped > 0 && skipped >= nprofiles ? "skipped" : "unchanged";
		return patch_save(fr, 0);
	}
	if (fr->o->dry_run || fr->o->check) {
		if (!fr->o->force)
			warn_unsafe(fr, f);
		fr->res.status = fr->o->check ? "would_change" : "dry_run";
		fr->outcome = fr->o->check ? OUTCOME_CHANGE : OUTCOME_OK;
		return patch_save(fr, 0);
	}
	if (commit(fr, f, plan) != 0)
		return -1;
	return patch_save(fr, 1);
}

/* "mapiprof: FILE: TEXT" on out, escaped. */
static int
status_line(FILE *out, const char *path, const char *text)
{
	fputs("mapiprof: ", out);
	int rc = esc_fputs(path, out);
	fputs(": ", out);
	rc |= esc_fputs(text != NULL ? text : "out of memory", out);
	fputc('\n', out);
	return rc;
}

/* Where the plan and status lines go: standard error when standard output
 * carries the data (-o -, --emit-reg -). */
static FILE *
text_out(const struct write_opts *o)
{
	return sf_is_dash(o->output) || sf_is_dash(o->emit_reg) ? stderr : stdout;
}

/* The status text of a file that did not fail, before the --emit-reg
 * note. */
static char *
status_base(const struct file_run *fr)
{
	const struct plan_result *r = &fr->res;
	size_t n = r->plan != NULL ? mapiprof_plan_count(r->plan) : 0;
	const char *s = n == 1 ? "" : "s";
	/* --recover wrote the recovered state (commit). */
	int recovered = fr->o->recover && r->state != NULL && strcmp(r->state, "recovered") == 0;
	if (strcmp(r->status, "changed") == 0)
		return format(
		    "%zu change%s written%s%s%s%s%s%s%s%s", n, s, r->in_place ? " in place" : "",
		    r->output ? " to " : "", r->output ? r->output : "",
		    r->backup ? " (backup " : "", r->backup ? r->backup : "", r->backup ? ")" : "",
		    recovered ? "; logs replayed" : "", r->logs_reset ? " and reset" : "");
	if (strcmp(r->status, "would_change") == 0)
		return format("would change %zu value%s", n, s);
	if (strcmp(r->status, "dry_run") == 0 && r->emit_reg != NULL)
		return format("would change %zu value%s (dry run: only %s written)", n, s,
		              r->emit_reg);
	if (strcmp(r->status, "dry_run") == 0)
		return format("would change %zu value%s (dry run: nothing written)", n, s);
	if (strcmp(r->status, "skipped") == 0)
		return format("unchanged (every profile skipped)");
	if (strcmp(r->status, "no_profiles") == 0)
		return format("unchanged (no MAPI profile in the file)");
	return format("unchanged");
}

/* The status text of a file that did not fail: status_base, and where the
 * --emit-reg file went (a dry run already says it). */
static char *
status_text(const struct file_run *fr)
{
	char *base = status_base(fr);
	const char *emitted = fr->res.emit_reg;
	if (base == NULL || emitted == NULL || strcmp(fr->res.status, "dry_run") == 0)
		return base;
	char *text = format("%s; .reg written to %s", base, emitted);
	free(base);
	return text;
}

/* Prints the outcome: plan lines and the status line (text) or the JSON
 * object; a failure also as a diagnostic on stderr. */
static void
emit(struct file_run *fr)
{
	int bad;
	if (fr->o->json) {
		bad = op_plan_json(&fr->res);
	} else {
		bad = op_plan_text(text_out(fr->o), &fr->res);
		if (fr->res.error == NULL) {
			char *text = status_text(fr);
			bad |= status_line(text_out(fr->o), fr->res.path, text);
			free(text);
		}
	}
	if (fr->res.error != NULL)
		diag(fr->res.path, "%s", fr->res.error);
	if (bad) {
		diag(fr->res.path, "out of memory");
		fr->outcome = OUTCOME_ERROR;
	}
}

/* One file of the batch, from its opening to its outcome. */
struct file_job {
	struct file_run fr;
	struct mapiprof_file *f;
	struct mapiprof_plan *plan;
	size_t *idx;
	char *out_path;
	struct sf_out so;
};

/* Opens, plans and writes (or checks) the file at path; the outcome is
 * printed by job_finish.  backup_suffix: --backup for the library. */
static void
job_run(struct file_job *j, const struct write_opts *o, struct mapiprof_ctx *ctx,
        const struct mapiprof_recipe *recipe, const char *path, const char *backup_suffix)
{
	struct file_run *fr = &j->fr;
	size_t n = 0;
	*fr = (struct file_run){.o = o, .ctx = ctx, .outcome = OUTCOME_OK};
	fr->backup_suffix = backup_suffix;
	fr->res.path = path;
	fr->output = o->output;
	if (sf_is_dash(o->output) && sf_out_begin(&j->so) != 0) {
		fail(fr, 0, "io", "cannot make a temporary file for standard output");
		return;
	}
	if (j->so.path != NULL)
		fr->output = j->so.path; /* copied to standard output once written */
	if (o->output_dir != NULL &&
	    (fr->output = j->out_path = opt_output_path(o->output_dir, path)) == NULL) {
		fail(fr, 0, "no_memory", "out of memory");
		return;
	}
	fr->res.output = j->so.path != NULL ? "-" : fr->output;
	/* A writer locks the file before reading it, so that two writers of
	 * one file never lose each other's changes. */
	unsigned lock = o->dry_run || o->check ? 0 : MAPIPROF_OPEN_LOCK;
	if (sf_open(ctx, path, MAPIPROF_OPEN_NO_HASH | lock, &j->f) != MAPIPROF_OK) {
		fail_lib(fr);
		return;
	}
	fr->res.f = j->f;
	fr->res.state = mapiprof_file_info(j->f) != NULL ? mapiprof_file_info(j->f)->state : NULL;
	if (o->planner != NULL) {
		/* Not a recipe: a hive without profiles is a normal target. */
		if (o->planner(o, j->f, o->planner_arg, &j->plan) != MAPIPROF_OK) {
			fail_lib(fr);
			return;
		}
		fr->res.plan = j->plan;
		settle(fr, j->f, j->plan, 0);
		return;
	}
	if (mapiprof_profile_count(j->f) == 0) {
		/* A hive without MAPI profiles (a Default user's, a service
		 * account's) is a normal member of a batch: nothing to plan. */
		fr->res.status = "no_profiles";
		if (patch_make(fr, j->f, NULL) == 0)
			patch_save(fr, 0);
		return;
	}
	if (pick_profiles(fr, j->f, &j->idx, &n) != 0)
		return;
	if (mapiprof_plan_build(j->f, recipe, j->idx, n, &j->plan) != MAPIPROF_OK) {
		fail_lib(fr);
		return;
	}
	fr->res.plan = j->plan;
	settle(fr, j->f, j->plan, n);
}

/* Prints the outcome of job_run and frees the job. */
static enum outcome
job_finish(struct file_job *j)
{
	struct file_run *fr = &j->fr;
	const struct write_opts *o = fr->o;
	/* -o -: standard output gets the whole file, changed or not, so that a
	 * pipeline never receives an empty hive. */
	if (j->so.path != NULL && fr->res.error == NULL && !o->dry_run && !o->check &&
	    sf_copy_out(strcmp(fr->res.status, "changed") == 0 ? j->so.path
	                                                       : sf_source(fr->res.path)) != 0)
		fail(fr, 0, "io", "could not write the result to standard output");
	emit(fr);
	if (j->plan != NULL)
		mapiprof_plan_free(j->plan);
	free(j->idx);
	mapiprof_close(j->f);
	free(fr->msg);
	free(fr->backup);
	free(j->out_path);
	sf_out_end(&j->so);
	mapiprof_free(fr->patch);
	return fr->outcome;
}

/* 1 when the job wrote its file in place (into a WIM image's copy). */
static int
job_changed(const struct file_job *j)
{
	return j->fr.res.error == NULL && j->fr.res.status != NULL &&
	       strcmp(j->fr.res.status, "changed") == 0;
}

/* A WIM image: every hive the batch changed goes back into the image in
 * one commit; when that fails, none did, and each says so. */
static void
wim_commit(const struct write_opts *o, const struct run *r, const struct image_files *in,
           struct file_job *jobs)
{
	int *put = calloc(in->n ? in->n : 1, sizeof(*put));
	int *logs = calloc(in->n ? in->n : 1, sizeof(*logs));
	int any = 0, rc = MAPIPROF_FAILED;
	for (size_t i = 0; put != NULL && logs != NULL && i < in->n; i++) {
		put[i] = job_changed(&jobs[i]);
		logs[i] = put[i] && jobs[i].fr.res.logs_reset;
		any |= put[i];
	}
	if (put != NULL && logs != NULL)
		rc = any ? image_commit(r, in, put, logs, o->backup) : MAPIPROF_OK;
	const char *msg = mapiprof_errmsg(r->ctx);
	char *why = rc == MAPIPROF_OK ? NULL
	                              : format("not written into %s: %s", o->image,
	                                       msg[0] != '\0' ? msg : "out of memory");
	char *bak = rc == MAPIPROF_OK && any && o->backup != NULL
	                ? format("%s%s", mapiprof_wim_file(in->wim), o->backup)
	                : NULL;
	for (size_t i = 0; i < in->n; i++) {
		if (!(put != NULL ? put[i] : job_changed(&jobs[i])))
			continue;
		if (rc != MAPIPROF_OK) {
			fail(&jobs[i].fr, 0, report_code(mapiprof_errcode(r->ctx)),
			     why != NULL ? why : "out of memory");
		} else if (bak != NULL) {
			jobs[i].fr.backup = format("%s", bak);
			jobs[i].fr.res.backup = jobs[i].fr.backup;
		}
	}
	if (mapiprof_note(r->ctx)[0] != '\0')
		diag(o->image, "note: %s", mapiprof_note(r->ctx));
	mapiprof_clear_error(r->ctx);
	free(why);
	free(bak);
	free(put);
	free(logs);
}

int
wr_files(const struct write_opts *o, struct mapiprof_ctx *ctx, const struct mapiprof_recipe *recipe,
         char *const files[], size_t n)
{
	int seen[OUTCOME_ERROR + 1] = {0};
	struct run r = {o->cmd, o->json, ctx};
	struct image_files in;
	/* A WIM image is written only when a hive of it is written in place. */
	int into_wim = o->image != NULL && !image_is_dir(o->image) && o->output == NULL &&
	               !o->dry_run && !o->check;
	int status = image_expand(&r, o->image, files, n, into_wim ? IMAGE_WRITE : 0, &in);
	if (status != EXIT_OK) {
		image_files_free(&in);
		return status;
	}
	struct file_job *jobs = calloc(in.n ? in.n : 1, sizeof(*jobs));
	if (jobs == NULL) {
		diag(o->cmd, "out of memory");
		image_files_free(&in);
		return EXIT_ERROR;
	}
	/* A hive of a WIM image is written to its extracted copy (no backup
	 * there: the archive is kept whole) and put back by wim_commit; its
	 * outcome is printed after that. */
	const char *lib_backup = in.wim != NULL && o->output == NULL ? NULL : o->backup;
	for (size_t i = 0; i < in.n; i++) {
		job_run(&jobs[i], o, ctx, recipe, in.v[i], lib_backup);
		if (in.wim == NULL)
			seen[job_finish(&jobs[i])] = 1;
	}
	if (in.wim != NULL) {
		if (into_wim)
			wim_commit(o, &r, &in, jobs);
		for (size_t i = 0; i < in.n; i++)
			seen[job_finish(&jobs[i])] = 1;
	}
	free(jobs);
	seen[OUTCOME_ERROR] |= in.failed;
	image_files_free(&in);
	if (seen[OUTCOME_ERROR])
		return EXIT_ERROR;
	if (seen[OUTCOME_REFUSED])
		return EXIT_UNSAFE;
	if (seen[OUTCOME_CHANGE])
		return EXIT_CHANGE;
	return EXIT_OK;
}
