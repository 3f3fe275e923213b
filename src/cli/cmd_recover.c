/* cmd_recover.c - "mapiprof recover": replays the transaction logs beside
 * each dirty hive, as Windows does when it loads one, and writes the
 * recovered, clean hive in place or to -o OUT (mapiprof_recover; regf spec
 * "Dirty state of a hive", "New format").  One status line (or JSON object)
 * per file; exit 4 for a dirty hive that no log can bring up to date. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mapiprof/mapiprof.h>

#include "cmd.h"
#include "diag.h"
#include "escape.h"
#include "exitcode.h"
#include "image.h"
#include "fmt.h"
#include "opt.h"
#include "out_json.h"
#include "report.h"
#include "stdio_files.h"
#include "sysfile.h"

struct recover_opts {
	int json;
	int consume_logs;       /* --consume-logs: reset the logs after an in-place write */
	const char *output;     /* -o OUT, or NULL: in place */
	const char *output_dir; /* --output-dir DIR: each result to DIR/BASENAME, or NULL */
	const char *image;      /* --image DIR: FILEs inside it, or all its user hives */
	const char *backup;     /* --backup[=SUFFIX]: the suffix, or NULL */
	const char *wait;       /* --wait SECONDS for another writer's lock, or NULL */
	int no_wait;            /* --no-wait */
};

/* What became of one file that did not fail. */
struct recover_result {
	const char *path;
	const struct mapiprof_info *in; /* the facts mapiprof_recover reported */
	int recovered;                  /* state "recovered": logs were replayed */
	const char *written;            /* where the hive went, or NULL: not written */
	char *backup;                   /* the backup made (malloc'd), or NULL */
	int logs_reset;                 /* --consume-logs reset the logs */
};

static int
check(const struct recover_opts *o, char *const files[], int nfiles)
{
	if (nfiles < 1 && o->image == NULL)
		return diag_usage("recover", "no FILE given");
	if (image_is_dir(o->image) && o->backup != NULL)
		return diag_usage("recover", "--backup with --image DIR would leave backup files "
		                             "inside the image: keep a copy of the image instead");
	if (o->image != NULL && o->output_dir != NULL)
		return diag_usage("recover", "--output-dir is not supported with --image");
	if (o->image != NULL && o->output != NULL && nfiles != 1)
		return diag_usage("recover", "-o needs a single FILE");
	for (int i = 0; i < nfiles; i++)
		if (strcmp(files[i], "-") == 0)
			return diag_usage("recover",
			                  "a hive is recovered with the logs beside it on "
			                  "disk: FILE cannot be - (standard input)");
	if (o->output != NULL && strcmp(o->output, "-") == 0)
		return diag_usage("recover", "-o - is not supported: give a file");
	if (o->output != NULL && nfiles > 1)
		return diag_usage("recover", "-o needs a single FILE");
	if (o->output != NULL && o->output[0] == '\0')
		return diag_usage("recover", "empty -o OUT");
	if (o->output != NULL && opt_same_file(o->output, files[0]))
		return diag_usage("recover", "-o OUT must not be the input FILE");
	if (o->output != NULL && o->consume_logs)
		return diag_usage("recover", "--consume-logs resets the logs of a hive recovered "
		                             "in place: not with -o");
	if (opt_backup_suffix("recover", o->backup) != EXIT_OK)
		return EXIT_USAGE;
	if (o->output_dir != NULL && o->consume_logs)
		return diag_usage("recover", "--consume-logs resets the logs of a hive recovered "
		                             "in place: not with --output-dir");
	if (o->output_dir != NULL)
		return opt_output_dir("recover", o->output_dir, o->output, files, (size_t)nfiles);
	return EXIT_OK;
}

static int
parse(int argc, char *argv[], struct recover_opts *o)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, OPT_JSON},
	    {"backup", optional_argument, NULL, OPT_BACKUP},
	    {"consume-logs", no_argument, NULL, OPT_CONSUME_LOGS},
	    {"output-dir", required_argument, NULL, OPT_OUTPUT_DIR},
	    IMAGE_LONGOPT,
	    OPT_WAIT_LONGOPTS,
	    OPT_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int c;
	opt_begin();
	while ((c = getopt_long(argc, argv, OPT_COMMON_SHORTOPTS "o:", longopts, NULL)) != -1) {
		if (c == OPT_JSON)
			o->json = 1;
		else if (c == 'o')
			o->output = optarg;
		else if (c == OPT_BACKUP)
			o->backup = optarg != NULL ? optarg : ".bak";
		else if (c == OPT_CONSUME_LOGS)
			o->consume_logs = 1;
		else if (c == OPT_OUTPUT_DIR)
			o->output_dir = optarg;
		else if (c == OPT_IMAGE)
			o->image = optarg;
		else if (c == OPT_WAIT)
			o->wait = optarg;
		else if (c == OPT_NO_WAIT)
			o->no_wait = 1;
		else
			return opt_common("recover", c, argv);
	}
	int status = check(o, argv + optind, argc - optind);
	return status == EXIT_OK ? -1 : status;
}

/* 1 when entries of log l were replayed into the recovered state. */
static int
log_used(const struct mapiprof_logfile *l)
{
	return l->replayed;
}

/* Prints the names of the logs the replay drew on, ", "-separated. */
static int
text_logs(const struct mapiprof_info *in)
{
	int rc = 0, any = 0;
	for (size_t i = 0; i < in->nlogs; i++) {
		if (!log_used(&in->logs[i]))
			continue;
		size_t start, len;
		pn_last(sysfile_paths(), in->logs[i].path, &start, &len);
		fputs(any ? ", " : " from ", stdout);
		rc |= esc_fputs(in->logs[i].path + start, stdout);
		any = 1;
	}
	return rc;
}

/* "mapiprof: FILE: recovered from KIND: N entries from LOGS; sequence
 * S1/S2 → S/S; written to OUT (backup B); logs reset; replay ended: NOTE"
 * or "mapiprof: FILE: clean (sequence S1/S2): nothing to replay, not
 * rewritten | copied to OUT". */
static int
recover_text(const struct recover_result *res)
{
	const struct mapiprof_info *in = res->in;
	fputs("mapiprof: ", stdout);
	int rc = esc_fputs(res->path, stdout);
	if (!res->recovered) {
		printf(": clean (sequence %" PRIu32 "/%" PRIu32 "): nothing to replay", in->seq1,
		       in->seq2);
		fputs(res->written != NULL ? "; copied to " : ", not rewritten", stdout);
		rc |= res->written != NULL ? esc_fputs(res->written, stdout) : 0;
		fputc('\n', stdout);
		return rc;
	}
	printf(": recovered from %s: %zu entr%s", fmt_log_format(in->recovered_format),
	       in->recovered_entries, in->recovered_entries == 1 ? "y" : "ies");
	rc |= text_logs(in);
	printf("; sequence %" PRIu32 "/%" PRIu32 " \xe2\x86\x92 %" PRIu32 "/%" PRIu32
	       "; written %s",
	       in->seq1, in->seq2, in->recovered_seq, in->recovered_seq,
	       res->written == res->path ? "in place" : "to ");
	if (res->written != res->path)
		rc |= esc_fputs(res->written, stdout);
	if (res->backup != NULL) {
		fputs(" (backup ", stdout);
		rc |= esc_fputs(res->backup, stdout);
		fputc(')', stdout);
	}
	fputs(res->logs_reset ? "; logs reset" : "", stdout);
	if (in->recovery_note != NULL) {
		fputs("; replay ended: ", stdout);
		rc |= esc_fputs(in->recovery_note, stdout);
	}
	fputc('\n', stdout);
	return rc;
}

/* The "logs" array: the paths of the logs the replay drew on. */
static json_t *
json_logs(const struct mapiprof_info *in)
{
	json_t *a = json_array();
	int bad = a == NULL;
	for (size_t i = 0; !bad && i < in->nlogs; i++)
		if (log_used(&in->logs[i]))
			bad |= oj_push(a, oj_string(in->logs[i].path));
	return oj_done(a, bad);
}

/* {"file","status":"recovered"|"clean","format","entries","logs",
 * "seq1","seq2","seq_after","written","backup","logs_reset","note"} */
static int
recover_json(const struct recover_result *res)
{
	const struct mapiprof_info *in = res->in;
	int rec = res->recovered;
	json_t *o = json_object();
	if (o == NULL)
		return -1;
	int bad = oj_set(o, "file", oj_string(res->path));
	bad |= oj_set(o, "status", json_string(rec ? "recovered" : "clean"));
	bad |= oj_set(o, "format", rec ? json_integer(in->recovered_format) : json_null());
	bad |= oj_set(o, "entries", json_integer(rec ? (json_int_t)in->recovered_entries : 0));
	bad |= oj_set(o, "logs", rec ? json_logs(in) : json_array());
	bad |= oj_set(o, "seq1", json_integer(in->seq1));
	bad |= oj_set(o, "seq2", json_integer(in->seq2));
	bad |= oj_set(o, "seq_after", json_integer(rec ? in->recovered_seq : in->seq2));
	bad |= oj_set(o, "written", oj_string(res->written));
	bad |= oj_set(o, "backup", oj_string(res->backup));
	bad |= oj_set(o, "logs_reset", json_boolean(res->logs_reset));
	bad |= oj_set(o, "note", oj_string(in->recovery_note));
	return oj_emit_unless(o, bad);
}

/* A malloc'd "ab"; NULL when out of memory. */
static char *
concat(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *s = malloc(la + lb + 1);
	if (s != NULL) {
		memcpy(s, a, la);
		memcpy(s + la, b, lb + 1);
	}
	return s;
}

/* Reports the failure in the context: a dirty hive that no log brings up
 * to date is refused (exit 4), anything else an error (exit 1). */
static int
recover_fail(const struct run *r, const char *path)
{
	enum mapiprof_error e = mapiprof_errcode(r->ctx);
	if (e != MAPIPROF_E_UNSAFE && e != MAPIPROF_E_BUSY)
		return report_lib(r, path);
	report_fail(r, path, report_code(e), "refused: %s", mapiprof_errmsg(r->ctx));
	mapiprof_clear_error(r->ctx);
	return EXIT_UNSAFE;
}

static int
recover_one(const struct run *r, const struct recover_opts *o, const char *path, int *wrote)
{
	struct mapiprof_recover_opts ro = {o->output, o->backup, o->consume_logs};
	struct recover_result res = {.path = path};
	struct mapiprof_info *in = NULL;
	const char *target = o->output != NULL ? o->output : path;
	struct stat st;
	/* The library keeps a backup only of a target that exists. */
	int replaces = stat(target, &st) == 0;
	mapiprof_clear_note(r->ctx);
	if (mapiprof_recover(r->ctx, sf_source(path), &ro, &in) != MAPIPROF_OK || in == NULL) {
		mapiprof_info_free(in);
		return recover_fail(r, path);
	}
	res.in = in;
	res.recovered = in->state != NULL && strcmp(in->state, "recovered") == 0;
	if (mapiprof_note(r->ctx)[0] != '\0')
		diag(path, "note: %s", mapiprof_note(r->ctx));
	/* A clean hive is not rewritten in place; with -o it is copied. */
	if (res.recovered || o->output != NULL)
		res.written = target;
	res.logs_reset = res.recovered && o->consume_logs && o->output == NULL;
	*wrote = res.recovered && o->output == NULL;
	int status = EXIT_OK;
	if (res.written != NULL && o->backup != NULL && replaces &&
	    (res.backup = concat(target, o->backup)) == NULL)
		status = report_fail(r, path, "no_memory", "out of memory");
	else if ((r->json ? recover_json(&res) : recover_text(&res)) != 0)
		status = report_fail(r, path, "no_memory", "out of memory");
	free(res.backup);
	mapiprof_info_free(in);
	return status;
}

/* One file, with its --output-dir path as its -o OUT. */
static int
recover_file(const struct run *r, const struct recover_opts *o, const char *path, int *wrote)
{
	*wrote = 0;
	if (o->output_dir == NULL)
		return recover_one(r, o, path, wrote);
	struct recover_opts one = *o;
	char *out = opt_output_path(o->output_dir, path);
	if (out == NULL)
		return report_fail(r, path, "no_memory", "out of memory");
	one.output = out;
	int status = recover_one(r, &one, path, wrote);
	free(out);
	return status;
}

int
cmd_recover(int argc, char *argv[])
{
	struct recover_opts o = {0};
	int status = parse(argc, argv, &o);
	if (status >= 0)
		return status;
	struct run r = {"recover", o.json, report_ctx_new()};
	if (r.ctx == NULL)
		return EXIT_ERROR;
	if ((status = opt_wait(r.ctx, "recover", o.wait, o.no_wait)) != EXIT_OK) {
		mapiprof_ctx_free(r.ctx);
		return status;
	}
	/* Over a batch, as edit and apply: an error over a refusal. */
	int seen_error = 0, seen_refused = 0;
	struct image_files in;
	int into_wim = o.image != NULL && !image_is_dir(o.image) && o.output == NULL;
	status = image_expand(&r, o.image, argv + optind, (size_t)(argc - optind),
	                      into_wim ? IMAGE_WRITE : 0, &in);
	if (status == EXIT_USAGE) {
		image_files_free(&in);
		mapiprof_ctx_free(r.ctx);
		return status;
	}
	seen_error = status == EXIT_ERROR;
	seen_refused = status == EXIT_UNSAFE;
	int *put = calloc(in.n ? in.n : 1, sizeof(*put)),
	    *logs = calloc(in.n ? in.n : 1, sizeof(*logs));
	struct recover_opts one = o;
	if (in.wim != NULL && o.output == NULL)
		one.backup = NULL; /* the archive is kept whole, not the copy */
	for (size_t i = 0; put != NULL && logs != NULL && i < in.n; i++) {
		status = recover_file(&r, &one, in.v[i], &put[i]);
		logs[i] = put[i] && o.consume_logs;
		seen_error |= status == EXIT_ERROR;
		seen_refused |= status == EXIT_UNSAFE;
	}
	seen_error |= put == NULL || logs == NULL;
	/* A WIM image: the recovered hives go back in one commit. */
	if (into_wim && in.wim != NULL && put != NULL && logs != NULL &&
	    image_commit(&r, &in, put, logs, o.backup) != MAPIPROF_OK)
		seen_error |= report_lib(&r, o.image) != EXIT_OK;
	else if (into_wim && in.wim != NULL && mapiprof_note(r.ctx)[0] != '\0')
		diag(o.image, "note: %s", mapiprof_note(r.ctx));
	free(put);
	free(logs);
	seen_error |= in.failed;
	image_files_free(&in);
	mapiprof_ctx_free(r.ctx);
	return seen_error ? EXIT_ERROR : seen_refused ? EXIT_UNSAFE : EXIT_OK;
}
