/* cmd_timeline.c - "mapiprof timeline": every profile key and section key
 * of the files (of an image with --image) with its last-write time, all
 * files merged and sorted by time, in a forensic timeline format
 * (out_timeline.h).  Reads only. */
#include <stdlib.h>
#include <string.h>

#include <mapiprof/mapiprof.h>

#include "cmd.h"
#include "exitcode.h"
#include "image.h"
#include "opt.h"
#include "out_timeline.h"
#include "report.h"
#include "stdio_files.h"

enum { OPT_FORMAT = 0x200, OPT_HOST, OPT_USER };

/* Every record of the run, in the order found (seq breaks ties of time). */
struct records {
	struct tl_record *v;
	size_t n, cap;
};

struct timeline_opts {
	const char *image;
	enum tl_format format;
	const char *host, *user;
	unsigned open_flags;
	unsigned timeline_flags;
	struct records *out;
};

static int
parse(int argc, char *argv[], struct timeline_opts *o)
{
	static const struct option longopts[] = {
	    {"deleted", no_argument, NULL, OPT_DELETED},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"host", required_argument, NULL, OPT_HOST},
	    {"user", required_argument, NULL, OPT_USER},
	    OPT_NO_LOGS_LONGOPT,
	    IMAGE_LONGOPT,
	    OPT_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int c;
	opt_begin();
	while ((c = getopt_long(argc, argv, OPT_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DELETED:
			o->timeline_flags |= MAPIPROF_TIMELINE_DELETED;
			break;
		case OPT_FORMAT:
			if (tl_format_parse(optarg, &o->format) != 0)
				return diag_usage(
				    "timeline",
				    "unknown --format '%s' (bodyfile, tln, csv or jsonl)", optarg);
			break;
		case OPT_HOST:
			o->host = optarg;
			break;
		case OPT_USER:
			o->user = optarg;
			break;
		case OPT_NO_LOGS:
			o->open_flags |= MAPIPROF_OPEN_NO_LOGS;
			break;
		case OPT_IMAGE:
			o->image = optarg;
			break;
		default:
			return opt_common("timeline", c, argv);
		}
	}
	if (optind >= argc && o->image == NULL)
		return diag_usage("timeline", "no FILE given");
	return -1;
}

static void
record_free(struct tl_record *t)
{
	free(t->file);
	free(t->path);
	free(t->profile);
	free(t->section);
	free(t->role);
}

static char *
dup_or_null(const char *s, int *bad)
{
	if (s == NULL)
		return NULL;
	char *d = strdup(s);
	*bad |= d == NULL;
	return d;
}

/* Copies k (whose strings the open file owns) into the run's records. */
static int
keep(struct records *rs, const char *file, const struct mapiprof_keytime *k)
{
	if (rs->n == rs->cap) {
		size_t cap = rs->cap != 0 ? rs->cap * 2 : 64;
		struct tl_record *nv = realloc(rs->v, cap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		rs->v = nv;
		rs->cap = cap;
	}
	int bad = 0;
	struct tl_record t = {k->last_write,
	                      dup_or_null(file, &bad),
	                      dup_or_null(k->path, &bad),
	                      dup_or_null(k->profile, &bad),
	                      dup_or_null(k->section, &bad),
	                      dup_or_null(k->role, &bad),
	                      k->deleted,
	                      rs->n};
	if (bad) {
		record_free(&t);
		return -1;
	}
	rs->v[rs->n++] = t;
	return 0;
}

static int
collect(const struct run *r, const struct timeline_opts *o, const char *path)
{
	struct mapiprof_file *f = NULL;
	if (sf_open(r->ctx, path, MAPIPROF_OPEN_NO_HASH | o->open_flags, &f) != MAPIPROF_OK)
		return report_lib(r, path);
	const struct mapiprof_info *info = mapiprof_file_info(f);
	int status = EXIT_OK;
	struct mapiprof_keytime *keys = NULL;
	size_t n = 0;
	if (info != NULL && strcmp(info->format, "reg") == 0)
		/* regedit writes no times into a .reg file. */
		status =
		    report_fail(r, path, "no_times",
		                "a .reg file holds no key times: nothing to put on a timeline");
	else if (mapiprof_timeline(f, o->timeline_flags, &keys, &n) != MAPIPROF_OK)
		status = report_lib(r, path);
	for (size_t i = 0; status == EXIT_OK && i < n; i++)
		if (keep(o->out, path, &keys[i]) != 0)
			status = report_fail(r, path, "no_memory", "out of memory");
	mapiprof_free(keys);
	mapiprof_close(f);
	return status;
}

/* One file of the batch (image_each). */
static int
collect_one(const struct run *r, const void *arg, const char *path)
{
	return collect(r, arg, path);
}

/* Oldest first; one time keeps the order found (qsort is not stable). */
static int
cmp_record(const void *pa, const void *pb)
{
	const struct tl_record *a = pa, *b = pb;
	if (a->last_write != b->last_write)
		return a->last_write < b->last_write ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
emit(const struct run *r, const struct timeline_opts *o, struct records *rs)
{
	if (rs->n > 1)
		qsort(rs->v, rs->n, sizeof(*rs->v), cmp_record);
	tl_begin(o->format);
	for (size_t i = 0; i < rs->n; i++)
		if (tl_write(o->format, &rs->v[i], o->host, o->user) != 0)
			return report_fail(r, "-", "no_memory", "out of memory");
	return EXIT_OK;
}

int
cmd_timeline(int argc, char *argv[])
{
	struct records rs = {NULL, 0, 0};
	struct timeline_opts o = {NULL, TL_BODYFILE, NULL, NULL, 0, 0, &rs};
	int status = parse(argc, argv, &o);
	if (status >= 0)
		return status;
	struct run r = {"timeline", o.format == TL_JSONL, report_ctx_new()};
	if (r.ctx == NULL)
		return EXIT_ERROR;
	status = image_each(&r, o.image, argv + optind, (size_t)(argc - optind), collect_one, &o);
	if (status != EXIT_USAGE)
		status = exit_worst(status, emit(&r, &o, &rs));
	for (size_t i = 0; i < rs.n; i++)
		record_free(&rs.v[i]);
	free(rs.v);
	mapiprof_ctx_free(r.ctx);
	return status;
}
