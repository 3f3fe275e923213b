/* cmd_show.c - "mapiprof show": every decoded property of the selected
 * sections of the selected profiles (default: all of them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

struct show_opts {
	const char *image; /* --image DIR, or NULL */
	int json, raw;
	int deleted;         /* --deleted: also what free space holds */
	int no_hash;         /* --no-hash: no "sha256" in the JSON */
	unsigned open_flags; /* --no-logs: MAPIPROF_OPEN_NO_LOGS */
	const char *codepage;
	const char **profiles; /* --profile NAME..., nprofiles of them */
	size_t nprofiles;
	const char **sections; /* --section SEL... */
	size_t nsections;
};

static int
parse(int argc, char *argv[], struct show_opts *o)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, OPT_JSON},
	    {"raw", no_argument, NULL, OPT_RAW},
	    {"deleted", no_argument, NULL, OPT_DELETED},
	    {"no-hash", no_argument, NULL, OPT_NO_HASH},
	    {"profile", required_argument, NULL, OPT_PROFILE},
	    {"section", required_argument, NULL, OPT_SECTION},
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
		else if (c == OPT_RAW)
			o->raw = 1;
		else if (c == OPT_DELETED)
			o->deleted = 1;
		else if (c == OPT_NO_HASH)
			o->no_hash = 1;
		else if (c == OPT_CODEPAGE)
			o->codepage = optarg;
		else if (c == OPT_NO_LOGS)
			o->open_flags |= MAPIPROF_OPEN_NO_LOGS;
		else if (c == OPT_PROFILE)
			o->profiles[o->nprofiles++] = optarg;
		else if (c == OPT_SECTION)
			o->sections[o->nsections++] = optarg;
		else if (c == OPT_IMAGE)
			o->image = optarg;
		else
			return opt_common("show", c, argv);
	}
	if (optind >= argc && o->image == NULL)
		return diag_usage("show", "no FILE given");
	for (size_t i = 0; i < o->nsections; i++) {
		int status = opt_selector("show", o->sections[i]);
		if (status != EXIT_OK)
			return status;
	}
	return -1;
}

/* 1 when the hive's free space holds a profile named name
 * (case-insensitive, as mapiprof_profile_find compares). */
static int
only_deleted(struct mapiprof_file *f, const char *name)
{
	const struct mapiprof_deleted_key *k = NULL;
	size_t n = 0;
	if (mapiprof_deleted_keys(f, &k, &n, NULL) != MAPIPROF_OK)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (k[i].profile != NULL && strcasecmp(k[i].profile, name) == 0)
			return 1;
	return 0;
}

/* Indices of the profiles to show: the --profile ones (found as
 * mapiprof_profile_find does, duplicates dropped) or all.  *idx is
 * malloc'd.  Returns EXIT_OK or a reported failure. */
static int
pick_profiles(const struct run *r, const struct show_opts *o, struct mapiprof_file *f,
              const char *path, size_t **idx, size_t *n)
{
	size_t count = mapiprof_profile_count(f);
	size_t want = o->nprofiles > 0 ? o->nprofiles : count;
	*n = 0;
	*idx = malloc((want > 0 ? want : 1) * sizeof(**idx));
	if (*idx == NULL)
		return report_fail(r, path, "no_memory", "out of memory");
	for (size_t i = 0; i < want; i++) {
		size_t p = i;
		if (o->nprofiles > 0 &&
		    mapiprof_profile_find(f, o->profiles[i], &p) != MAPIPROF_OK) {
			/* A profile that only free space still holds. */
			if (o->deleted && only_deleted(f, o->profiles[i])) {
				mapiprof_clear_error(r->ctx);
				continue;
			}
			mapiprof_profile_find(f, o->profiles[i], &p); /* its error again */
			return report_lib(r, path);
		}
		size_t j = 0;
		while (j < *n && (*idx)[j] != p)
			j++;
		if (j == *n)
			(*idx)[(*n)++] = p;
	}
	return EXIT_OK;
}

/* Marks in mark[] the sections of profile p that the selectors pick (all
 * of them without --section).  Returns EXIT_OK or a reported failure. */
static int
pick_sections(const struct run *r, const struct show_opts *o, struct mapiprof_file *f,
              const char *path, size_t p, unsigned char *mark, size_t count)
{
	for (size_t i = 0; i < count; i++)
		mark[i] = o->nsections == 0;
	for (size_t k = 0; k < o->nsections; k++) {
		size_t *ix = NULL, n = 0;
		if (mapiprof_select(f, p, o->sections[k], &ix, &n) != MAPIPROF_OK)
			return report_lib(r, path);
		for (size_t i = 0; i < n; i++)
			if (ix[i] < count)
				mark[ix[i]] = 1;
		mapiprof_free(ix);
	}
	return EXIT_OK;
}

static int
text_section(struct mapiprof_file *f, size_t p, size_t s, const struct mapiprof_prop *props,
             size_t n, int raw)
{
	const struct mapiprof_section *sec = mapiprof_section_at(f, p, s);
	char when[48];
	if (fmt_filetime(sec->last_write, when, sizeof(when)) != 0)
		strcpy(when, "-");
	fputs("  section: ", stdout);
	int rc = esc_fputs(sec->uid, stdout);
	fputs("\n    role: ", stdout);
	rc |= esc_fputs(sec->role != NULL ? sec->role : "-", stdout);
	fputs(", service: ", stdout);
	rc |= esc_fputs(sec->service != NULL ? sec->service : "-", stdout);
	if (sec->owner != NULL) {
		fputs(", owner: ", stdout);
		rc |= esc_fputs(sec->owner, stdout);
	}
	printf(", last write: %s\n", when);
	const struct mapiprof_decoded *acct = NULL;
	if (sec->account_type != NULL) {
		if (mapiprof_account(f, p, s, &acct) != MAPIPROF_OK)
			return -1;
		rc |= ot_decoded(stdout, acct, 4, 0);
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		rc |= ot_prop(stdout, f, p, &props[i], 4, raw);
	return rc;
}

static json_t *
json_section(struct mapiprof_file *f, size_t p, size_t s, const struct mapiprof_prop *props,
             size_t n, int raw)
{
	const struct mapiprof_section *sec = mapiprof_section_at(f, p, s);
	json_t *o = json_object(), *a = json_array();
	if (o == NULL || a == NULL) {
		json_decref(o);
		json_decref(a);
		return NULL;
	}
	int bad = oj_set(o, "uid", oj_string(sec->uid));
	bad |= oj_set(o, "role", oj_string(sec->role));
	bad |= oj_set(o, "service", oj_string(sec->service));
	bad |= oj_set(o, "owner", oj_string(sec->owner));
	bad |= oj_set(o, "last_write", oj_time(sec->last_write));
	if (!bad && sec->account_type != NULL) {
		const struct mapiprof_decoded *acct = NULL;
		bad |= oj_set(o, "account_type", oj_string(sec->account_type));
		bad |= mapiprof_account(f, p, s, &acct) != MAPIPROF_OK;
		bad |= bad ? 0 : oj_set(o, "account", oj_decoded(acct, 0));
	}
	for (size_t i = 0; !bad && i < n; i++) {
		json_t *po = json_object();
		bad |= oj_push(a, po);
		bad |= bad ? 0 : oj_prop_fill(po, f, p, &props[i], raw, 0);
	}
	bad |= oj_set(o, "properties", a);
	return oj_done(o, bad);
}

static int
text_profile(const struct mapiprof_profile *pr)
{
	fputs("profile: ", stdout);
	int rc = esc_fputs(pr->name, stdout);
	fputs(pr->is_default ? " (default)\n  root: " : "\n  root: ", stdout);
	rc |= esc_fputs(pr->root, stdout);
	fputc('\n', stdout);
	return rc;
}

static json_t *
json_profile(const struct mapiprof_profile *pr)
{
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	int bad = oj_set(o, "name", oj_string(pr->name));
	bad |= oj_set(o, "root", oj_string(pr->root));
	bad |= oj_set(o, "default", json_boolean(pr->is_default));
	bad |= oj_set(o, "sections", json_array());
	return oj_done(o, bad);
}

/* One profile: its header, then each picked section.  jp is its JSON
 * object in JSON mode.  Returns EXIT_OK or a reported failure. */
static int
show_profile(const struct run *r, const struct show_opts *o, struct mapiprof_file *f,
             const char *path, size_t p, json_t *jp)
{
	size_t count = mapiprof_section_count(f, p);
	unsigned char *mark = malloc(count > 0 ? count : 1);
	if (mark == NULL)
		return report_fail(r, path, "no_memory", "out of memory");
	int status = pick_sections(r, o, f, path, p, mark, count);
	if (status == EXIT_OK && !r->json && text_profile(mapiprof_profile_at(f, p)) != 0)
		status = report_fail(r, path, "no_memory", "out of memory");
	for (size_t s = 0; status == EXIT_OK && s < count; s++) {
		const struct mapiprof_prop *props = NULL;
		size_t n = 0;
		if (!mark[s])
			continue;
		if (mapiprof_section_props(f, p, s, &props, &n) != MAPIPROF_OK) {
			status = report_lib(r, path);
			break;
		}
		int bad = r->json ? oj_push(json_object_get(jp, "sections"),
		                            json_section(f, p, s, props, n, o->raw))
		                  : text_section(f, p, s, props, n, o->raw);
		/* an account summary that could not be read left its error */
		if (bad)
			status = mapiprof_errcode(r->ctx) != MAPIPROF_E_NONE
			             ? report_lib(r, path)
			             : report_fail(r, path, "no_memory", "out of memory");
	}
	free(mark);
	return status;
}

/* The JSON object of a file before its profiles are added; "sha256" holds
 * its place (null) until set_sha256, unless --no-hash. */
static json_t *
json_file(const struct show_opts *opts, struct mapiprof_file *f, const char *path)
{
	const struct mapiprof_info *info = mapiprof_file_info(f);
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	int bad = oj_set(o, "file", oj_string(path));
	if (!opts->no_hash)
		bad |= oj_set(o, "sha256", json_null());
	bad |= oj_set(o, "format", oj_string(info != NULL ? info->format : NULL));
	bad |= oj_set(o, "state", oj_string(info != NULL ? info->state : NULL));
	bad |= oj_set(o, "status", oj_string(oj_file_status(f)));
	bad |= oj_set(o, "profiles", json_array());
	return oj_done(o, bad);
}

/* The picked profiles of an open file, into jf (JSON) or stdout (text). */
static int
show_profiles(const struct run *r, const struct show_opts *o, struct mapiprof_file *f,
              const char *path, json_t *jf)
{
	size_t *pix = NULL, np = 0;
	int status = pick_profiles(r, o, f, path, &pix, &np);
	if (status == EXIT_OK && !r->json && ot_file_header(stdout, path) != 0)
		status = report_fail(r, path, "no_memory", "out of memory");
	for (size_t i = 0; status == EXIT_OK && i < np; i++) {
		json_t *jp = NULL;
		if (r->json) {
			jp = json_profile(mapiprof_profile_at(f, pix[i]));
			if (oj_push(json_object_get(jf, "profiles"), jp) != 0) {
				status = report_fail(r, path, "no_memory", "out of memory");
				break;
			}
		}
		status = show_profile(r, o, f, path, pix[i], jp);
	}
	free(pix);
	return status;
}

/* The file's sha256 into jf's "sha256", last: the hash MAPIPROF_OPEN_HASH_LATER
 * started ran while the profiles were decoded. */
static int
set_sha256(const struct run *r, struct mapiprof_file *f, const char *path, json_t *jf)
{
	const char *sha = mapiprof_file_sha256(f);
	if (sha == NULL)
		return report_lib(r, path);
	if (oj_set(jf, "sha256", oj_string(sha)) != 0)
		return report_fail(r, path, "no_memory", "out of memory");
	return EXIT_OK;
}

static int
show_file(const struct run *r, const struct show_opts *o, const char *path)
{
	struct mapiprof_file *f = NULL;
	json_t *jf = NULL;
	int status;
	/* Only the JSON shows the hash. */
	unsigned hash = r->json && !o->no_hash ? MAPIPROF_OPEN_HASH_LATER : MAPIPROF_OPEN_NO_HASH;
	if (sf_open(r->ctx, path, o->open_flags | hash, &f) != MAPIPROF_OK)
		return report_lib(r, path);
	if (r->json && (jf = json_file(o, f, path)) == NULL) {
		status = report_fail(r, path, "no_memory", "out of memory");
		goto out;
	}
	/* No profile at all is an empty result, not a failure: a batch over
	 * every user's hive meets the Default user's. */
	if (mapiprof_profile_count(f) == 0)
		status = !r->json && (ot_file_header(stdout, path) != 0 ||
		                      fputs(NO_PROFILES_LINE, stdout) == EOF)
		             ? report_fail(r, path, "no_memory", "out of memory")
		             : EXIT_OK;
	else
		status = show_profiles(r, o, f, path, jf);
	if (status == EXIT_OK && o->deleted) {
		const struct od_filter flt = {o->profiles, o->nprofiles, o->sections, o->nsections,
		                              o->raw};
		int lib_failed = 0;
		if ((r->json ? od_show_json(f, &flt, jf, &lib_failed)
		             : od_show_text(f, &flt, &lib_failed)) != 0)
			status = lib_failed ? report_lib(r, path)
			                    : report_fail(r, path, "no_memory", "out of memory");
	}
	if (status == EXIT_OK && jf != NULL && hash == MAPIPROF_OPEN_HASH_LATER)
		status = set_sha256(r, f, path, jf);
	if (status == EXIT_OK && jf != NULL) {
		if (oj_emit(jf) != 0)
			status = report_fail(r, path, "no_memory", "out of memory");
		jf = NULL;
	}
out:
	json_decref(jf);
	mapiprof_close(f);
	return status;
}

/* One file of the batch (image_each). */
static int
show_one(const struct run *r, const void *arg, const char *path)
{
	return show_file(r, arg, path);
}

int
cmd_show(int argc, char *argv[])
{
	struct show_opts o = {0};
	size_t cap = argc > 0 ? (size_t)argc : 1;
	o.profiles = malloc(cap * sizeof(*o.profiles));
	o.sections = malloc(cap * sizeof(*o.sections));
	struct run r = {"show", 0, NULL};
	int status = EXIT_ERROR;
	if (o.profiles == NULL || o.sections == NULL) {
		diag("show", "out of memory");
		goto out;
	}
	if ((status = parse(argc, argv, &o)) >= 0)
		goto out;
	r.json = o.json;
	status = EXIT_ERROR;
	if ((r.ctx = report_ctx_new()) == NULL)
		goto out;
	status = opt_codepage(r.ctx, "show", o.codepage);
	if (status != EXIT_USAGE)
		status = exit_worst(status, image_each(&r, o.image, argv + optind,
		                                       (size_t)(argc - optind), show_one, &o));
out:
	mapiprof_ctx_free(r.ctx);
	free(o.profiles);
	free(o.sections);
	return status;
}
