/* cmd_list.c - "mapiprof list": the profiles of each file with their root,
 * default flag and services. */
#include <stdio.h>

#include <mapiprof/mapiprof.h>

#include "cmd.h"
#include "escape.h"
#include "exitcode.h"
#include "fmt.h"
#include "image.h"
#include "opt.h"
#include "out_deleted.h"
#include "out_json.h"
#include "out_text.h"
#include "report.h"
#include "stdio_files.h"

struct list_opts {
	const char *image; /* --image DIR, or NULL */
	int json;
	int deleted;         /* --deleted: also what free space holds */
	unsigned open_flags; /* --no-logs: MAPIPROF_OPEN_NO_LOGS */
	const char *codepage;
};

static int
parse(int argc, char *argv[], struct list_opts *o)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, OPT_JSON},
	    {"codepage", required_argument, NULL, OPT_CODEPAGE},
	    {"deleted", no_argument, NULL, OPT_DELETED},
	    OPT_NO_LOGS_LONGOPT,
	    IMAGE_LONGOPT,
	    OPT_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int c;
	opt_begin();
	while ((c = getopt_long(argc, argv, OPT_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_CODEPAGE:
			o->codepage = optarg;
			break;
		case OPT_NO_LOGS:
			o->open_flags |= MAPIPROF_OPEN_NO_LOGS;
			break;
		case OPT_IMAGE:
			o->image = optarg;
			break;
		case OPT_DELETED:
			o->deleted = 1;
			break;
		default:
			return opt_common("list", c, argv);
		}
	}
	if (optind >= argc && o->image == NULL)
		return diag_usage("list", "no FILE given");
	return -1;
}

static int
text_profile(const struct mapiprof_profile *p)
{
	char when[48];
	int rc = 0;
	fputs("profile: ", stdout);
	rc |= esc_fputs(p->name, stdout);
	fputs(p->is_default ? " (default)\n  root: " : "\n  root: ", stdout);
	rc |= esc_fputs(p->root, stdout);
	fputs(" (", stdout);
	rc |= esc_fputs(p->root_kind != NULL ? p->root_kind : "-", stdout);
	if (p->office_version != NULL) {
		fputc(' ', stdout);
		rc |= esc_fputs(p->office_version, stdout);
	}
	fputs(")\n", stdout);
	if (fmt_filetime(p->last_write, when, sizeof(when)) == 0)
		printf("  last write: %s\n", when);
	fputs("  services:", stdout);
	for (size_t i = 0; i < p->nservices; i++) {
		fputs(i == 0 ? " " : ", ", stdout);
		rc |= esc_fputs(p->services[i], stdout);
	}
	fputs(p->nservices == 0 ? " -\n" : "\n", stdout);
	return rc;
}

static int
list_text(struct mapiprof_file *f, const char *path, int deleted, int *lib_failed)
{
	int rc = ot_file_header(stdout, path);
	if (mapiprof_profile_count(f) == 0)
		fputs(NO_PROFILES_LINE, stdout);
	for (size_t i = 0; i < mapiprof_profile_count(f); i++)
		rc |= text_profile(mapiprof_profile_at(f, i));
	if (rc == 0 && deleted)
		rc = od_list_text(f, lib_failed);
	return rc;
}

static json_t *
json_profile(const struct mapiprof_profile *p)
{
	json_t *o = json_object(), *sv = json_array();
	int bad = o == NULL;
	if (!bad) {
		bad |= oj_set(o, "name", oj_string(p->name));
		bad |= oj_set(o, "root", oj_string(p->root));
		bad |= oj_set(o, "root_kind", oj_string(p->root_kind));
		bad |= oj_set(o, "office_version", oj_string(p->office_version));
		bad |= oj_set(o, "default", json_boolean(p->is_default));
		bad |= oj_set(o, "last_write", oj_time(p->last_write));
		bad |= oj_set(o, "services", sv);
		sv = NULL;
	}
	for (size_t i = 0; !bad && i < p->nservices; i++)
		bad |= oj_push(json_object_get(o, "services"), oj_string(p->services[i]));
	json_decref(sv);
	return oj_done(o, bad);
}

/* {"file","sha256","format","state","status","profiles":[...]} */
static int
list_json(struct mapiprof_file *f, const char *path, int deleted, int *lib_failed)
{
	const struct mapiprof_info *info = mapiprof_file_info(f);
	json_t *o = json_object(), *ps = json_array();
	int bad = o == NULL;
	if (!bad) {
		bad |= oj_set(o, "file", oj_string(path));
		bad |= oj_set(o, "sha256", oj_string(info != NULL ? info->sha256 : NULL));
		bad |= oj_set(o, "format", oj_string(info != NULL ? info->format : NULL));
		bad |= oj_set(o, "state", oj_string(info != NULL ? info->state : NULL));
		bad |= oj_set(o, "status", oj_string(oj_file_status(f)));
		bad |= oj_set(o, "profiles", ps);
		ps = NULL;
	}
	for (size_t i = 0; !bad && i < mapiprof_profile_count(f); i++)
		bad |= oj_push(json_object_get(o, "profiles"),
		               json_profile(mapiprof_profile_at(f, i)));
	json_decref(ps);
	if (!bad && deleted && od_list_json(f, o, lib_failed) != 0) {
		json_decref(o);
		return -1;
	}
	return oj_emit_unless(o, bad);
}

static int
list_file(const struct run *r, const struct list_opts *o, const char *path)
{
	struct mapiprof_file *f = NULL;
	int status = EXIT_OK;
	if (sf_open(r->ctx, path, o->open_flags, &f) != MAPIPROF_OK)
		return report_lib(r, path);
	int lib_failed = 0;
	if ((r->json ? list_json(f, path, o->deleted, &lib_failed)
	             : list_text(f, path, o->deleted, &lib_failed)) != 0)
		status = lib_failed ? report_lib(r, path)
		                    : report_fail(r, path, "no_memory", "out of memory");
	mapiprof_close(f);
	return status;
}

/* One file of the batch (image_each). */
static int
list_one(const struct run *r, const void *arg, const char *path)
{
	return list_file(r, arg, path);
}

int
cmd_list(int argc, char *argv[])
{
	struct list_opts o = {0};
	int status = parse(argc, argv, &o);
	if (status >= 0)
		return status;
	struct run r = {"list", o.json, report_ctx_new()};
	if (r.ctx == NULL)
		return EXIT_ERROR;
	status = opt_codepage(r.ctx, "list", o.codepage);
	if (status != EXIT_USAGE)
		status = exit_worst(status, image_each(&r, o.image, argv + optind,
		                                       (size_t)(argc - optind), list_one, &o));
	mapiprof_ctx_free(r.ctx);
	return status;
}
