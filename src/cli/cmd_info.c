/* cmd_info.c - "mapiprof info": what each file is, via
 * mapiprof_inspect_flags: for a hive its header (version, sequence numbers,
 * checksum, transaction logs) and the state the other commands read (the
 * primary file, or its logs replayed in memory), for a .reg file its
 * encoding, header line and line ends; for both the size, sha256 and
 * modification time.  A dirty hive is reported, not an error. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mapiprof/mapiprof.h>

#include "cmd.h"
#include "escape.h"
#include "exitcode.h"
#include "fmt.h"
#include "image.h"
#include "opt.h"
#include "out_json.h"
#include "out_text.h"
#include "report.h"
#include "stdio_files.h"

struct info_opts {
	int json;
	unsigned flags;       /* --no-logs: MAPIPROF_OPEN_NO_LOGS */
	const char *codepage; /* --codepage CP: of REGEDIT4 files */
	const char *image;    /* --image DIR, or NULL */
};

static int
parse(int argc, char *argv[], struct info_opts *o)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, OPT_JSON},
	    {"codepage", required_argument, NULL, OPT_CODEPAGE},
	    OPT_NO_LOGS_LONGOPT,
	    IMAGE_LONGOPT,
	    OPT_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int c;
	opt_begin();
	while ((c = getopt_long(argc, argv, OPT_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (c == OPT_JSON)
			o->json = 1;
		else if (c == OPT_CODEPAGE)
			o->codepage = optarg;
		else if (c == OPT_NO_LOGS)
			o->flags |= MAPIPROF_OPEN_NO_LOGS;
		else if (c == OPT_IMAGE)
			o->image = optarg;
		else
			return opt_common("info", c, argv);
	}
	if (optind >= argc && o->image == NULL)
		return diag_usage("info", "no FILE given");
	return -1;
}

static int
text_log(const struct mapiprof_logfile *l)
{
	char *shown = sf_shown(l->path);
	fputs("log: ", stdout);
	int rc = esc_fputs(shown != NULL ? shown : l->path, stdout);
	free(shown);
	printf(" (%" PRIu64 " bytes", l->size);
	if (l->has_header)
		printf(", sequence %" PRIu32 "/%" PRIu32 ", type %" PRIu32 "%s", l->seq1, l->seq2,
		       l->file_type, l->newer ? ", newer than the hive" : "");
	if (l->replayed)
		fputs(", replayed", stdout);
	else
		fputs(", no header", stdout);
	fputs(")\n", stdout);
	return rc;
}

/* 1 when the file is a .reg file (format "reg"), not a hive. */
static int
is_reg(const struct mapiprof_info *in)
{
	return in->format != NULL && strcmp(in->format, "reg") == 0;
}

/* The modification time (ns since 1970) as ISO 8601 UTC into buf (>= 48
 * bytes); returns 0, or -1 when unknown (0) or out of range. */
static int
mtime_iso(int64_t ns, char *buf, size_t size)
{
	/* FILETIME counts 100 ns from 1601-01-01: 11644473600 s before 1970. */
	const int64_t epoch_1970 = INT64_C(116444736000000000);
	if (ns <= 0)
		return -1;
	return fmt_filetime(ns / 100 + epoch_1970, buf, size);
}

/* "key: value" with the value escaped ("-" when NULL). */
static int
text_field(const char *key, const char *value)
{
	printf("%s: ", key);
	int rc = esc_fputs(value != NULL ? value : "-", stdout);
	fputc('\n', stdout);
	return rc;
}

/* The fields every file has: format, size, sha256, modified; a .reg
 * file's encoding, header line and line ends. */
static int
text_common(const struct mapiprof_info *in)
{
	char when[48];
	int rc = text_field("format", in->format);
	if (is_reg(in)) {
		rc |= text_field("encoding", in->reg_encoding);
		rc |= text_field("header", in->reg_header);
		rc |= text_field("line ends", in->reg_line_ends);
	}
	printf("size: %" PRIu64 "\nsha256: %s\n", in->size, in->sha256);
	if (mtime_iso(in->mtime_ns, when, sizeof(when)) == 0)
		printf("modified: %s\n", when);
	return rc;
}

/* 1 when the state read is the hive with its logs replayed. */
static int
is_recovered(const struct mapiprof_info *in)
{
	return in->state != NULL && strcmp(in->state, "recovered") == 0;
}

/* "state: primary" or "state: recovered (KIND, N entries replayed,
 * sequence S/S)", then "recovery note: NOTE" when there is one. */
static int
text_state(const struct mapiprof_info *in)
{
	int rc = 0;
	fputs("state: ", stdout);
	rc |= esc_fputs(in->state != NULL ? in->state : "-", stdout);
	if (is_recovered(in))
		printf(" (%s, %zu entr%s replayed, sequence %" PRIu32 "/%" PRIu32 ")",
		       fmt_log_format(in->recovered_format), in->recovered_entries,
		       in->recovered_entries == 1 ? "y" : "ies", in->recovered_seq,
		       in->recovered_seq);
	fputc('\n', stdout);
	if (in->recovery_note != NULL)
		rc |= text_field("recovery note", in->recovery_note);
	return rc;
}

static int
info_text(const struct mapiprof_info *in, const char *path)
{
	char when[48];
	int rc = ot_file_header(stdout, path);
	rc |= text_common(in);
	if (is_reg(in))
		return rc;
	printf("version: %" PRIu32 ".%" PRIu32 "\n", in->major, in->minor);
	printf("sequence: %" PRIu32 "/%" PRIu32 "\n", in->seq1, in->seq2);
	printf("dirty: %s\n", in->dirty ? "yes" : "no");
	rc |= text_state(in);
	printf("checksum: stored 0x%08" PRIx32 ", computed 0x%08" PRIx32 " (%s)\n",
	       in->checksum_stored, in->checksum_computed, in->checksum_ok ? "ok" : "bad");
	if (fmt_filetime(in->last_written, when, sizeof(when)) == 0)
		printf("last written: %s\n", when);
	if (in->nlogs == 0)
		fputs("logs: none\n", stdout);
	for (size_t i = 0; i < in->nlogs; i++)
		rc |= text_log(&in->logs[i]);
	return rc;
}

static json_t *
json_log(const struct mapiprof_logfile *l)
{
	json_t *o = json_object();
	int bad = o == NULL;
	if (bad)
		return NULL;
	char *shown = sf_shown(l->path);
	bad |= oj_set(o, "path", oj_string(shown != NULL ? shown : l->path));
	free(shown);
	bad |= oj_set(o, "size", json_integer((json_int_t)l->size));
	bad |= oj_set(o, "has_header", json_boolean(l->has_header));
	bad |= oj_set(o, "seq1", l->has_header ? json_integer(l->seq1) : json_null());
	bad |= oj_set(o, "seq2", l->has_header ? json_integer(l->seq2) : json_null());
	bad |= oj_set(o, "file_type", l->has_header ? json_integer(l->file_type) : json_null());
	bad |= oj_set(o, "newer", json_boolean(l->newer));
	bad |= oj_set(o, "replayed", json_boolean(l->replayed));
	return oj_done(o, bad);
}

static json_t *
json_checksum(const struct mapiprof_info *in)
{
	char st[16], co[16];
	snprintf(st, sizeof(st), "0x%08" PRIx32, in->checksum_stored);
	snprintf(co, sizeof(co), "0x%08" PRIx32, in->checksum_computed);
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	if ((oj_set(o, "stored", json_string(st)) | oj_set(o, "computed", json_string(co)) |
	     oj_set(o, "ok", json_boolean(in->checksum_ok))) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* {"file","format","size","sha256","mtime"} and, for a .reg file,
 * "encoding","header","line_ends"; NULL when out of memory. */
static json_t *
json_common(const struct mapiprof_info *in, const char *path)
{
	char when[48];
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	int bad = oj_set(o, "file", oj_string(path));
	bad |= oj_set(o, "format", oj_string(in->format));
	bad |= oj_set(o, "size", json_integer((json_int_t)in->size));
	bad |= oj_set(o, "sha256", oj_string(in->sha256));
	bad |= oj_set(o, "mtime",
	              mtime_iso(in->mtime_ns, when, sizeof(when)) == 0 ? json_string(when)
	                                                               : json_null());
	if (is_reg(in)) {
		bad |= oj_set(o, "encoding", oj_string(in->reg_encoding));
		bad |= oj_set(o, "header", oj_string(in->reg_header));
		bad |= oj_set(o, "line_ends", oj_string(in->reg_line_ends));
	}
	return oj_done(o, bad);
}

/* "state", and "recovered_format", "recovered_entries", "recovered_seq"
 * (null unless recovered) and "recovery_note" (null when none) into o. */
static int
json_state(json_t *o, const struct mapiprof_info *in)
{
	int rec = is_recovered(in);
	int bad = oj_set(o, "state", oj_string(in->state));
	bad |=
	    oj_set(o, "recovered_format", rec ? json_integer(in->recovered_format) : json_null());
	bad |= oj_set(o, "recovered_entries",
	              rec ? json_integer((json_int_t)in->recovered_entries) : json_null());
	bad |= oj_set(o, "recovered_seq", rec ? json_integer(in->recovered_seq) : json_null());
	bad |= oj_set(o, "recovery_note", oj_string(in->recovery_note));
	return bad;
}

static int
info_json(const struct mapiprof_info *in, const char *path)
{
	char ver[32];
	json_t *o = json_common(in, path);
	if (o == NULL)
		return -1;
	if (is_reg(in))
		return oj_emit(o);
	snprintf(ver, sizeof(ver), "%" PRIu32 ".%" PRIu32, in->major, in->minor);
	json_t *logs = json_array();
	int bad = oj_set(o, "version", json_string(ver));
	bad |= oj_set(o, "major", json_integer(in->major));
	bad |= oj_set(o, "minor", json_integer(in->minor));
	bad |= oj_set(o, "seq1", json_integer(in->seq1));
	bad |= oj_set(o, "seq2", json_integer(in->seq2));
	bad |= oj_set(o, "dirty", json_boolean(in->dirty));
	bad |= json_state(o, in);
	bad |= oj_set(o, "checksum", json_checksum(in));
	bad |= oj_set(o, "last_written", oj_time(in->last_written));
	bad |= oj_set(o, "logs", logs);
	for (size_t i = 0; !bad && i < in->nlogs; i++)
		bad |= oj_push(logs, json_log(&in->logs[i]));
	return oj_emit_unless(o, bad);
}

static int
info_file(const struct run *r, unsigned flags, const char *path)
{
	struct mapiprof_info *in = NULL;
	if (sf_inspect(r->ctx, path, flags, &in) != MAPIPROF_OK)
		return report_lib(r, path);
	int rc = r->json ? info_json(in, path) : info_text(in, path);
	mapiprof_info_free(in);
	if (rc != 0)
		return report_fail(r, path, "no_memory", "out of memory");
	return EXIT_OK;
}

/* One file of the batch (image_each). */
static int
info_one(const struct run *r, const void *arg, const char *path)
{
	return info_file(r, ((const struct info_opts *)arg)->flags, path);
}

int
cmd_info(int argc, char *argv[])
{
	struct info_opts o = {0};
	int status = parse(argc, argv, &o);
	if (status >= 0)
		return status;
	struct run r = {"info", o.json, report_ctx_new()};
	if (r.ctx == NULL)
		return EXIT_ERROR;
	status = opt_codepage(r.ctx, "info", o.codepage);
	if (status != EXIT_USAGE)
		status = exit_worst(status, image_each(&r, o.image, argv + optind,
		                                       (size_t)(argc - optind), info_one, &o));
	mapiprof_ctx_free(r.ctx);
	return status;
}
