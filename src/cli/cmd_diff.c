/* cmd_diff.c - "mapiprof diff A B": the decoded differences between the
 * profiles of two files of any formats (mapiprof_diff), profile -> section
 * -> value, as text or one JSON object.  Exit 0 when the same, 3 when they
 * differ.  Reads only. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <mapiprof/mapiprof.h>

#include "cmd.h"
#include "escape.h"
#include "exitcode.h"
#include "fmt.h"
#include "opt.h"
#include "out_json.h"
#include "out_text.h"
#include "report.h"
#include "stdio_files.h"

struct diff_opts {
	int json;
	const char *codepage;
	unsigned open_flags;
	struct mapiprof_diff_opts lib;
};

static int
parse(int argc, char *argv[], struct diff_opts *o)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, OPT_JSON},
	    {"profile", required_argument, NULL, OPT_PROFILE},
	    {"section", required_argument, NULL, OPT_SECTION},
	    {"codepage", required_argument, NULL, OPT_CODEPAGE},
	    OPT_NO_LOGS_LONGOPT,
	    OPT_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int c, status;
	opt_begin();
	while ((c = getopt_long(argc, argv, OPT_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			o->json = 1;
			break;
		case OPT_PROFILE:
			o->lib.profile = optarg;
			break;
		case OPT_SECTION:
			if ((status = opt_selector("diff", optarg)) != EXIT_OK)
				return status;
			o->lib.section = optarg;
			break;
		case OPT_CODEPAGE:
			o->codepage = optarg;
			break;
		case OPT_NO_LOGS:
			o->open_flags |= MAPIPROF_OPEN_NO_LOGS;
			break;
		default:
			return opt_common("diff", c, argv);
		}
	}
	if (argc - optind != 2)
		return diag_usage("diff", argc - optind < 2 ? "two files are needed, A and B"
		                                            : "only two files, A and B");
	return -1;
}

static const char *const change_names[] = {"added", "removed", "changed"};

/* ---- text ---------------------------------------------------------------- */

/* "A|B|0x8": the names, then the bits without one; "-" when none. */
static int
text_bits(const char *const *names, size_t n, uint32_t unknown)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		fputs(i > 0 ? "|" : "", stdout);
		rc |= esc_fputs(names[i], stdout);
	}
	if (unknown != 0)
		printf("%s0x%" PRIx32, n > 0 ? "|" : "", unknown);
	if (n == 0 && unknown == 0)
		fputs("-", stdout);
	return rc;
}

/* Profile and section headings as they change, then one line per value:
 * "changed  VALUE_NAME  NAME: BEFORE -> AFTER", and the bits it sets and
 * clears. */
static int
text_change(const struct mapiprof_diff_change *c, const struct mapiprof_diff_change *prev)
{
	int rc = 0;
	int new_profile = prev == NULL || prev->profile != c->profile || prev->root != c->root;
	if (new_profile) {
		fputs("profile: ", stdout);
		rc |= esc_fputs(c->profile, stdout);
		fputs(" (", stdout);
		rc |= esc_fputs(c->root, stdout);
		fputs(")\n", stdout);
	}
	if (c->section == NULL) {
		printf("  %s: the profile key, with no section\n", change_names[c->change]);
		return rc;
	}
	if (new_profile || prev->section != c->section) {
		fputs("  section: ", stdout);
		rc |= esc_fputs(c->section, stdout);
		fputs(" (", stdout);
		rc |= esc_fputs(c->role, stdout);
		fputs(")\n", stdout);
	}
	if (c->value_name == NULL) {
		printf("    %s: the section key, with no value\n", change_names[c->change]);
		return rc;
	}
	const struct mapiprof_prop *p = c->after != NULL ? c->after : c->before;
	printf("    %-8s ", change_names[c->change]);
	rc |= esc_fputs(c->value_name, stdout);
	if (p->name != NULL) {
		fputs("  ", stdout);
		rc |= esc_fputs(p->name, stdout);
	}
	fputs(": ", stdout);
	if (c->before != NULL)
		rc |= ot_value_cell(stdout, c->before);
	else
		fputs("(absent)", stdout);
	fputs(" -> ", stdout);
	if (c->after != NULL)
		rc |= ot_value_cell(stdout, c->after);
	else
		fputs("(absent)", stdout);
	fputc('\n', stdout);
	if (c->bits_set != 0 || c->bits_cleared != 0) {
		fputs("      bits set: ", stdout);
		rc |= text_bits(c->set_names, c->nset_names, c->unknown_set);
		fputs("  cleared: ", stdout);
		rc |= text_bits(c->cleared_names, c->ncleared_names, c->unknown_cleared);
		fputc('\n', stdout);
	}
	return rc;
}

static int
diff_text(const char *a, const char *b, const struct mapiprof_diff *d)
{
	int rc = 0;
	fputs("a: ", stdout);
	rc |= esc_fputs(a, stdout);
	fputs("\nb: ", stdout);
	rc |= esc_fputs(b, stdout);
	fputc('\n', stdout);
	if (mapiprof_diff_count(d) == 0)
		fputs("no differences\n", stdout);
	for (size_t i = 0; i < mapiprof_diff_count(d); i++)
		rc |=
		    text_change(mapiprof_diff_at(d, i), i > 0 ? mapiprof_diff_at(d, i - 1) : NULL);
	return rc;
}

/* ---- JSON ---------------------------------------------------------------- */

/* {"file","format","state","sha256"} of one side (hashed by run_diff). */
static json_t *
json_side(const char *path, struct mapiprof_file *f)
{
	const struct mapiprof_info *info = mapiprof_file_info(f);
	json_t *o = json_object();
	int bad = o == NULL;
	if (!bad) {
		bad |= oj_set(o, "file", oj_string(path));
		bad |= oj_set(o, "format", oj_string(info != NULL ? info->format : NULL));
		bad |= oj_set(o, "state", oj_string(info != NULL ? info->state : NULL));
		bad |= oj_set(o, "sha256", oj_string(info != NULL ? info->sha256 : NULL));
	}
	return oj_done(o, bad);
}

/* The PROP object of p (show's), or null when absent. */
static json_t *
json_prop(struct mapiprof_file *f, size_t profile, const struct mapiprof_prop *p)
{
	if (p == NULL)
		return json_null();
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	return oj_done(o, oj_prop_fill(o, f, profile, p, 0, 0) != 0);
}

/* ["NAME", ..., "0x8"]: the flag names, then the bits without one. */
static json_t *
json_bits(const char *const *names, size_t n, uint32_t unknown)
{
	json_t *a = json_array();
	int bad = a == NULL;
	for (size_t i = 0; !bad && i < n; i++)
		bad |= oj_push(a, oj_string(names[i]));
	if (!bad && unknown != 0) {
		char buf[16];
		snprintf(buf, sizeof(buf), "0x%" PRIx32, unknown);
		bad |= oj_push(a, json_string(buf));
	}
	return oj_done(a, bad);
}

static json_t *
json_change(struct mapiprof_file *a, struct mapiprof_file *b, const struct mapiprof_diff_change *c)
{
	const struct mapiprof_prop *p = c->after != NULL ? c->after : c->before;
	char tag[16];
	json_t *o = json_object();
	int bad = o == NULL;
	if (bad)
		return NULL;
	if (p != NULL)
		fmt_tag(p->tag, tag, sizeof(tag));
	bad |= oj_set(o, "profile", oj_string(c->profile));
	bad |= oj_set(o, "root", oj_string(c->root));
	bad |= oj_set(o, "section", oj_string(c->section));
	bad |= oj_set(o, "role", oj_string(c->role));
	bad |= oj_set(o, "value_name", oj_string(c->value_name));
	bad |= oj_set(o, "tag", p != NULL && p->is_tag ? json_string(tag) : json_null());
	bad |= oj_set(o, "name", oj_string(p != NULL ? p->name : NULL));
	bad |= oj_set(o, "change", json_string(change_names[c->change]));
	bad |= oj_set(o, "before", json_prop(a, c->profile_a, c->before));
	bad |= oj_set(o, "after", json_prop(b, c->profile_b, c->after));
	bad |= oj_set(o, "bits_set", json_bits(c->set_names, c->nset_names, c->unknown_set));
	bad |= oj_set(o, "bits_cleared",
	              json_bits(c->cleared_names, c->ncleared_names, c->unknown_cleared));
	return oj_done(o, bad);
}

/* {"schema_version":2,"a":SIDE,"b":SIDE,"changes":[...]} */
static int
diff_json(const char *pa, struct mapiprof_file *a, const char *pb, struct mapiprof_file *b,
          const struct mapiprof_diff *d)
{
	json_t *o = json_object(), *changes = json_array();
	int bad = o == NULL || changes == NULL;
	for (size_t i = 0; !bad && i < mapiprof_diff_count(d); i++)
		bad |= oj_push(changes, json_change(a, b, mapiprof_diff_at(d, i)));
	if (!bad) {
		bad |= oj_set(o, "schema_version", json_integer(2));
		bad |= oj_set(o, "a", json_side(pa, a));
		bad |= oj_set(o, "b", json_side(pb, b));
		bad |= oj_set(o, "changes", changes);
		changes = NULL;
	}
	json_decref(changes);
	return oj_emit_unless(o, bad);
}

/* ---- the command ----------------------------------------------------------- */

static int
run_diff(const struct run *r, const struct diff_opts *o, const char *pa, const char *pb)
{
	struct mapiprof_file *a = NULL, *b = NULL;
	struct mapiprof_diff *d = NULL;
	int status = EXIT_OK;
	/* Only the JSON shows the files' hashes. */
	unsigned hash = r->json ? MAPIPROF_OPEN_HASH_LATER : MAPIPROF_OPEN_NO_HASH;
	if (sf_open(r->ctx, pa, o->open_flags | hash, &a) != MAPIPROF_OK)
		status = report_lib(r, pa);
	else if (sf_open(r->ctx, pb, o->open_flags | hash, &b) != MAPIPROF_OK)
		status = report_lib(r, pb);
	else if (hash == MAPIPROF_OPEN_HASH_LATER && mapiprof_file_sha256(a) == NULL)
		status = report_lib(r, pa);
	else if (hash == MAPIPROF_OPEN_HASH_LATER && mapiprof_file_sha256(b) == NULL)
		status = report_lib(r, pb);
	else if (mapiprof_diff(a, b, &o->lib, &d) != MAPIPROF_OK) {
		/* An error about neither file (an option) names the files. */
		const char *about = mapiprof_errfile(r->ctx);
		status = report_lib(r, about != NULL ? about : pa);
	} else if ((r->json ? diff_json(pa, a, pb, b, d) : diff_text(pa, pb, d)) != 0)
		status = report_fail(r, pa, "no_memory", "out of memory");
	else
		status = mapiprof_diff_count(d) > 0 ? EXIT_CHANGE : EXIT_OK;
	mapiprof_diff_free(d);
	mapiprof_close(b);
	mapiprof_close(a);
	return status;
}

int
cmd_diff(int argc, char *argv[])
{
	struct diff_opts o = {0};
	int status = parse(argc, argv, &o);
	if (status >= 0)
		return status;
	struct run r = {"diff", o.json, report_ctx_new()};
	if (r.ctx == NULL)
		return EXIT_ERROR;
	status = opt_codepage(r.ctx, "diff", o.codepage);
	if (status == EXIT_OK)
		status = run_diff(&r, &o, argv[optind], argv[optind + 1]);
	mapiprof_ctx_free(r.ctx);
	return status;
}
