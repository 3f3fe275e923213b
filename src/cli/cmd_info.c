/* cmd_info.c - "mapiprof info": the hive header of each file (version,
 * sequence numbers, checksum, transaction logs, sha256) via
 * mapiprof_inspect; a dirty hive is reported, not an error. */
#include <inttypes.h>
#include <stdio.h>

#include <mapiprof/mapiprof.h>

#include "cmd.h"
#include "escape.h"
#include "exitcode.h"
#include "fmt.h"
#include "opt.h"
#include "out_json.h"
#include "out_text.h"
#include "report.h"

static int
parse(int argc, char *argv[], int *json)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, OPT_JSON},
	    OPT_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int c;
	opt_begin();
	while ((c = getopt_long(argc, argv, OPT_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (c != OPT_JSON)
			return opt_common("info", c, argv);
		*json = 1;
	}
	if (optind >= argc)
		return diag_usage("info", "no FILE given");
	return -1;
}

static int
text_log(const struct mapiprof_logfile *l)
{
	fputs("log: ", stdout);
	int rc = esc_fputs(l->path, stdout);
	printf(" (%" PRIu64 " bytes", l->size);
	if (l->has_header)
		printf(", sequence %" PRIu32 "/%" PRIu32 ", type %" PRIu32 "%s", l->seq1, l->seq2,
		       l->file_type, l->newer ? ", newer than the hive" : "");
	else
		fputs(", no header", stdout);
	fputs(")\n", stdout);
	return rc;
}

static int
info_text(const struct mapiprof_info *in, const char *path)
{
	char when[48];
	int rc = ot_file_header(stdout, path);
	fputs("format: ", stdout);
	rc |= esc_fputs(in->format != NULL ? in->format : "-", stdout);
	printf("\nsize: %" PRIu64 "\nsha256: %s\nversion: %" PRIu32 ".%" PRIu32 "\n", in->size,
	       in->sha256, in->major, in->minor);
	printf("sequence: %" PRIu32 "/%" PRIu32 "\n", in->seq1, in->seq2);
	printf("dirty: %s\n", in->dirty ? "yes" : "no");
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
	bad |= oj_set(o, "path", oj_string(l->path));
	bad |= oj_set(o, "size", json_integer((json_int_t)l->size));
	bad |= oj_set(o, "has_header", json_boolean(l->has_header));
	bad |= oj_set(o, "seq1", l->has_header ? json_integer(l->seq1) : json_null());
	bad |= oj_set(o, "seq2", l->has_header ? json_integer(l->seq2) : json_null());
	bad |= oj_set(o, "file_type", l->has_header ? json_integer(l->file_type) : json_null());
	bad |= oj_set(o, "newer", json_boolean(l->newer));
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

static int
info_json(const struct mapiprof_info *in, const char *path)
{
	char ver[32];
	snprintf(ver, sizeof(ver), "%" PRIu32 ".%" PRIu32, in->major, in->minor);
	json_t *o = json_object(), *logs = json_array();
	int bad = o == NULL;
	if (!bad) {
		bad |= oj_set(o, "file", oj_string(path));
		bad |= oj_set(o, "format", oj_string(in->format));
		bad |= oj_set(o, "size", json_integer((json_int_t)in->size));
		bad |= oj_set(o, "sha256", oj_string(in->sha256));
		bad |= oj_set(o, "version", json_string(ver));
		bad |= oj_set(o, "major", json_integer(in->major));
		bad |= oj_set(o, "minor", json_integer(in->minor));
		bad |= oj_set(o, "seq1", json_integer(in->seq1));
		bad |= oj_set(o, "seq2", json_integer(in->seq2));
		bad |= oj_set(o, "dirty", json_boolean(in->dirty));
		bad |= oj_set(o, "checksum", json_checksum(in));
		bad |= oj_set(o, "last_written", oj_time(in->last_written));
		bad |= oj_set(o, "logs", logs);
		logs = NULL;
	}
	for (size_t i = 0; !bad && i < in->nlogs; i++)
		bad |= oj_push(json_object_get(o, "logs"), json_log(&in->logs[i]));
	json_decref(logs);
	return oj_emit_unless(o, bad);
}

static int
info_file(const struct run *r, const char *path)
{
	struct mapiprof_info *in = NULL;
	if (mapiprof_inspect(r->ctx, path, &in) != MAPIPROF_OK)
		return report_lib(r, path);
	int rc = r->json ? info_json(in, path) : info_text(in, path);
	mapiprof_info_free(in);
	if (rc != 0)
		return report_fail(r, path, "no_memory", "out of memory");
	return EXIT_OK;
}

int
cmd_info(int argc, char *argv[])
{
	int json = 0;
	int status = parse(argc, argv, &json);
	if (status >= 0)
		return status;
	struct run r = {"info", json, report_ctx_new()};
	if (r.ctx == NULL)
		return EXIT_ERROR;
	status = EXIT_OK;
	for (int i = optind; i < argc; i++)
		status = exit_worst(status, info_file(&r, argv[i]));
	mapiprof_ctx_free(r.ctx);
	return status;
}
