/* cmd_list.c - "mapiprof list": the profiles of each file with their root,
 * default flag and services. */
#include <stdio.h>
#include <string.h>

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

/* The string field name of an account summary, or NULL. */
static const char *
acct_field(const struct mapiprof_decoded *d, const char *name)
{
	for (size_t i = 0; i < d->nfields; i++)
		if (d->fields[i].type == MAPIPROF_F_STRING && strcmp(d->fields[i].name, name) == 0)
			return d->fields[i].s;
	return NULL;
}

/* "TYPE" or "mapi/SERVICE" of an account summary. */
static void
acct_type(const struct mapiprof_decoded *d, char *buf, size_t size)
{
	const char *t = acct_field(d, "type"), *svc = acct_field(d, "service");
	snprintf(buf, size, "%s%s%s", t != NULL ? t : "unknown", svc != NULL ? "/" : "",
	         svc != NULL ? svc : "");
}

/* The server, else the data file's path, of an account summary. */
static const char *
acct_where(const struct mapiprof_decoded *d)
{
	const char *w = acct_field(d, "server");
	return w != NULL ? w : acct_field(d, "path");
}

/* One line per account of profile p: "  account: TYPE  NAME  SERVER|PATH". */
static int
text_accounts(struct mapiprof_file *f, size_t p)
{
	int rc = 0;
	for (size_t s = 0; rc == 0 && s < mapiprof_section_count(f, p); s++) {
		const struct mapiprof_decoded *d = NULL;
		char type[96];
		if (mapiprof_section_at(f, p, s)->account_type == NULL)
			continue;
		if (mapiprof_account(f, p, s, &d) != MAPIPROF_OK)
			return 1;
		acct_type(d, type, sizeof(type));
		fputs("  account: ", stdout);
		rc |= esc_fputs(type, stdout);
		fputs("  ", stdout);
		const char *name = acct_field(d, "account_name"), *where = acct_where(d);
		rc |= esc_fputs(name != NULL ? name : "-", stdout);
		fputs("  ", stdout);
		rc |= esc_fputs(where != NULL ? where : "-", stdout);
		fputc('\n', stdout);
	}
	return rc;
}

/* 0, -1 when out of memory, 1 when an account could not be read (the
 * error is in the context). */
static int
list_text(struct mapiprof_file *f, const char *path, int deleted, int *lib_failed)
{
	int rc = ot_file_header(stdout, path);
	if (mapiprof_profile_count(f) == 0)
		fputs(NO_PROFILES_LINE, stdout);
	for (size_t i = 0; rc == 0 && i < mapiprof_profile_count(f); i++) {
		rc |= text_profile(mapiprof_profile_at(f, i));
		if (rc == 0)
			rc = text_accounts(f, i);
	}
	if (rc == 0 && deleted)
		rc = od_list_text(f, lib_failed);
	return rc;
}

/* [{"section","type","service","account_name","server"|"path"}] of profile p;
 * NULL when out of memory or an account cannot be read. */
static json_t *
json_accounts(struct mapiprof_file *f, size_t p)
{
	json_t *a = json_array();
	int bad = a == NULL;
	for (size_t s = 0; !bad && s < mapiprof_section_count(f, p); s++) {
		const struct mapiprof_section *sec = mapiprof_section_at(f, p, s);
		const struct mapiprof_decoded *d = NULL;
		if (sec->account_type == NULL)
			continue;
		if (mapiprof_account(f, p, s, &d) != MAPIPROF_OK) {
			bad = 1;
			break;
		}
		json_t *o = oj_decoded(d, 0);
		bad |= oj_push(a, o);
		bad |= bad ? 0 : oj_set(o, "section", oj_string(sec->uid));
	}
	return oj_done(a, bad);
}

static json_t *
json_profile(struct mapiprof_file *f, size_t index)
{
	const struct mapiprof_profile *p = mapiprof_profile_at(f, index);
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
		bad |= oj_set(o, "accounts", json_accounts(f, index));
	}
	for (size_t i = 0; !bad && i < p->nservices; i++)
		bad |= oj_push(json_object_get(o, "services"), oj_string(p->services[i]));
	json_decref(sv);
	return oj_done(o, bad);
}

/* {"file","sha256","format","state","status","profiles":[...]}; the hash
 * is list_file's. */
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
		bad |= oj_push(json_object_get(o, "profiles"), json_profile(f, i));
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
	/* Only the JSON shows the file's hash. */
	unsigned hash = r->json ? MAPIPROF_OPEN_HASH_LATER : MAPIPROF_OPEN_NO_HASH;
	if (sf_open(r->ctx, path, o->open_flags | hash, &f) != MAPIPROF_OK)
		return report_lib(r, path);
	if (hash == MAPIPROF_OPEN_HASH_LATER && mapiprof_file_sha256(f) == NULL) {
		status = report_lib(r, path);
		mapiprof_close(f);
		return status;
	}
	int lib_failed = 0;
	if ((r->json ? list_json(f, path, o->deleted, &lib_failed)
	             : list_text(f, path, o->deleted, &lib_failed)) != 0)
		status = lib_failed || mapiprof_errcode(r->ctx) != MAPIPROF_E_NONE
		             ? report_lib(r, path)
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
