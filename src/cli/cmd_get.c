/* cmd_get.c - "mapiprof get": one property value, for scripts.  Text mode
 * prints the value alone; JSON mode one object. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <mapiprof/mapiprof.h>

#include "cmd.h"
#include "exitcode.h"
#include "image.h"
#include "opt.h"
#include "out_json.h"
#include "out_text.h"
#include "report.h"
#include "stdio_files.h"

struct get_opts {
	int json;
	unsigned open_flags; /* --no-logs: MAPIPROF_OPEN_NO_LOGS */
	const char *profile; /* NULL: the default profile */
	const char *section;
	const char *codepage;
	const char *prop;
	const char *file;
	const char *image; /* --image DIR: FILE is a path inside it */
};

static int
parse(int argc, char *argv[], struct get_opts *o)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, OPT_JSON},
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
		else if (c == OPT_PROFILE)
			o->profile = optarg;
		else if (c == OPT_SECTION)
			o->section = optarg;
		else if (c == OPT_CODEPAGE)
			o->codepage = optarg;
		else if (c == OPT_NO_LOGS)
			o->open_flags |= MAPIPROF_OPEN_NO_LOGS;
		else if (c == OPT_IMAGE)
			o->image = optarg;
		else
			return opt_common("get", c, argv);
	}
	if (o->section == NULL)
		return diag_usage("get", "--section is required");
	if (argc - optind != 2)
		return diag_usage("get", argc - optind < 2 ? "PROP and FILE are required"
		                                           : "too many arguments");
	o->prop = argv[optind];
	o->file = argv[optind + 1];
	if (!mapiprof_selector_valid(o->section))
		return opt_selector("get", o->section);
	return -1;
}

/* 1 when spec claims to be a tag name or a tag ("PR_...", "0x..."), so
 * that a parse failure is a usage error before any file is read; other
 * names may be non-tag value names, which only the section can tell. */
static int
looks_like_tag(const char *spec)
{
	return (toupper((unsigned char)spec[0]) == 'P' && toupper((unsigned char)spec[1]) == 'R' &&
	        spec[2] == '_') ||
	       (spec[0] == '0' && (spec[1] == 'x' || spec[1] == 'X'));
}

/* A tag name or tag that the tag table does not know is a usage error
 * ("bad_property", as edit refuses it), unlike a known property absent
 * from the section ("no_property", exit 1). */
static int
check_prop(const struct run *r, const char *spec, const char *file)
{
	uint32_t tag;
	if (spec[0] == '\0')
		return diag_usage("get", "empty PROP");
	if (mapiprof_parse_propspec(r->ctx, spec, &tag) == MAPIPROF_OK || !looks_like_tag(spec)) {
		mapiprof_clear_error(r->ctx);
		return EXIT_OK;
	}
	const char *msg = mapiprof_errmsg(r->ctx);
	int st = report_usage(r, file, "bad_property",
	                      msg[0] != '\0' ? msg : "not a property name, tag or value name");
	mapiprof_clear_error(r->ctx);
	return st;
}

/* The first section picked by the selector that has the property.
 * Returns EXIT_OK with *profile, *section and *out set, or a reported
 * failure. */
static int
find_prop(const struct run *r, const struct get_opts *o, struct mapiprof_file *f, size_t *profile,
          size_t *section, const struct mapiprof_prop **out)
{
	size_t *ix = NULL, n = 0;
	int status = -1;
	if (mapiprof_profile_count(f) == 0)
		return report_fail(r, o->file, "no_profiles", "no MAPI profile found");
	if (mapiprof_profile_find(f, o->profile, profile) != MAPIPROF_OK)
		return report_lib(r, o->file);
	if (mapiprof_select(f, *profile, o->section, &ix, &n) != MAPIPROF_OK)
		return report_lib(r, o->file);
	for (size_t i = 0; status < 0 && i < n; i++) {
		if (mapiprof_prop_find(f, *profile, ix[i], o->prop, out) == MAPIPROF_OK) {
			*section = ix[i];
			status = EXIT_OK;
		} else if (mapiprof_errcode(r->ctx) == MAPIPROF_E_NOPROP) {
			mapiprof_clear_error(r->ctx);
		} else {
			status = report_lib(r, o->file);
		}
	}
	mapiprof_free(ix);
	if (status >= 0)
		return status;
	if (n == 0)
		return report_fail(r, o->file, "no_section", "no section matches '%s'", o->section);
	return report_fail(r, o->file, "no_property", "%s: no such property in section '%s'",
	                   o->prop, o->section);
}

/* {"file","profile","section", PROP fields with "flags" always}. */
static int
get_json(struct mapiprof_file *f, const struct get_opts *o, size_t p, size_t s,
         const struct mapiprof_prop *prop)
{
	json_t *obj = json_object();
	if (obj == NULL)
		return -1;
	int bad = oj_set(obj, "file", oj_string(o->file));
	bad |= oj_set(obj, "profile", oj_string(mapiprof_profile_at(f, p)->name));
	bad |= oj_set(obj, "section", oj_string(mapiprof_section_at(f, p, s)->uid));
	bad |= bad ? 0 : oj_prop_fill(obj, f, p, prop, 0, 1);
	return oj_emit_unless(obj, bad);
}

static int
get_file(const struct run *r, const struct get_opts *o)
{
	struct mapiprof_file *f = NULL;
	const struct mapiprof_prop *prop = NULL;
	size_t p = 0, s = 0;
	if (sf_open(r->ctx, o->file, MAPIPROF_OPEN_NO_HASH | o->open_flags, &f) != MAPIPROF_OK)
		return report_lib(r, o->file);
	int status = find_prop(r, o, f, &p, &s, &prop);
	if (status == EXIT_OK) {
		/* A malformed value: JSON still carries it (raw hex and
		 * error), text prints nothing; both fail. */
		if (prop->error != NULL && !r->json)
			status = EXIT_ERROR;
		else if ((r->json ? get_json(f, o, p, s, prop) : ot_value_lines(stdout, prop)) != 0)
			status = report_fail(r, o->file, "no_memory", "out of memory");
		if (prop->error != NULL) {
			diag(o->file, "%s: malformed value: %s", prop->value_name, prop->error);
			status = EXIT_ERROR;
		}
	}
	mapiprof_close(f);
	return status;
}

/* The FILE operand, or the path it names inside --image (image_each). */
static int
get_one(const struct run *r, const void *arg, const char *path)
{
	struct get_opts o = *(const struct get_opts *)arg;
	o.file = path;
	return get_file(r, &o);
}

int
cmd_get(int argc, char *argv[])
{
	struct get_opts o = {0};
	int status = parse(argc, argv, &o);
	if (status >= 0)
		return status;
	struct run r = {"get", o.json, report_ctx_new()};
	if (r.ctx == NULL)
		return EXIT_ERROR;
	status = opt_codepage(r.ctx, "get", o.codepage);
	if (status == EXIT_OK)
		status = check_prop(&r, o.prop, o.file);
	if (status == EXIT_OK)
		status = image_each(&r, o.image, (char *const *)&o.file, 1, get_one, &o);
	mapiprof_ctx_free(r.ctx);
	return status;
}
