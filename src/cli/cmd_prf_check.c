/* cmd_prf_check.c - "mapiprof prf check": what a PRF file says (its
 * profile, services and accounts) and every line of it that is malformed;
 * reads only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mapiprof/mapiprof.h>

#include "cmd_prf.h"
#include "diag.h"
#include "escape.h"
#include "exitcode.h"
#include "opt.h"
#include "out_json.h"
#include "report.h"

#define CMD "prf check"

struct check_opts {
	int json;
	const char *codepage;
	const char *path;
};

static int
parse(int argc, char *argv[], struct check_opts *o)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, OPT_JSON},
	    {"codepage", required_argument, NULL, OPT_CODEPAGE},
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
		else
			return opt_common(CMD, c, argv);
	}
	if (argc - optind != 1)
		return diag_usage(CMD, argc - optind < 1 ? "no FILE given" : "one FILE only");
	o->path = argv[optind];
	return -1;
}

/* ---- text ----------------------------------------------------------------- */

/* "  KEY = VALUE" per entry of s, indented by indent spaces. */
static int
entries_text(const struct mapiprof_prf_section *s, int indent)
{
	int rc = 0;
	for (size_t i = 0; s != NULL && i < s->nentries; i++) {
		printf("%*s", indent, "");
		rc |= esc_fputs(s->entries[i].key, stdout);
		fputs(" = ", stdout);
		rc |= esc_fputs(s->entries[i].value, stdout);
		fputc('\n', stdout);
	}
	return rc;
}

/* "  ID = VALUE (line N)" then the entries of its section, or a note that
 * the section is missing. */
static int
items_text(const char *title, const struct mapiprof_prf_item *v, size_t n)
{
	int rc = 0;
	printf("%s: %zu\n", title, n);
	for (size_t i = 0; i < n; i++) {
		fputs("  ", stdout);
		rc |= esc_fputs(v[i].id, stdout);
		fputs(" = ", stdout);
		rc |= esc_fputs(v[i].value, stdout);
		printf(" (line %zu)%s\n", v[i].line,
		       v[i].section == NULL ? ", its section is missing" : "");
		rc |= entries_text(v[i].section, 4);
	}
	return rc;
}

static int
check_text(const char *path, const struct mapiprof_prf *prf)
{
	int rc = 0;
	fputs("file: ", stdout);
	rc |= esc_fputs(path, stdout);
	printf("\nencoding: %s%s\n", prf->encoding, prf->bom ? " (with BOM)" : "");
	printf("profile:%s\n", prf->general == NULL ? " (no [General] section)" : "");
	rc |= entries_text(prf->general, 2);
	rc |= items_text("services", prf->services, prf->nservices);
	rc |= items_text("accounts", prf->accounts, prf->naccounts);
	printf("problems: %zu\n", prf->nproblems + prf->more_problems);
	for (size_t i = 0; i < prf->nproblems; i++) {
		printf("  line %zu: ", prf->problems[i].line);
		rc |= esc_fputs(prf->problems[i].reason, stdout);
		fputc('\n', stdout);
	}
	if (prf->more_problems > 0)
		printf("  ... and %zu more\n", prf->more_problems);
	return rc;
}

/* ---- JSON ------------------------------------------------------------------ */

/* [{"key","value","line"}] of s, or null when s is NULL. */
static json_t *
entries_json(const struct mapiprof_prf_section *s)
{
	if (s == NULL)
		return json_null();
	json_t *a = json_array();
	int bad = a == NULL;
	for (size_t i = 0; !bad && i < s->nentries; i++) {
		json_t *e = json_object();
		bad |= oj_push(a, e);
		if (bad)
			break;
		bad |= oj_set(e, "key", oj_string(s->entries[i].key));
		bad |= oj_set(e, "value", oj_string(s->entries[i].value));
		bad |= oj_set(e, "line", json_integer((json_int_t)s->entries[i].line));
	}
	return oj_done(a, bad);
}

/* [{"id", value_key, "line", "section_line", "entries"}] */
static json_t *
items_json(const struct mapiprof_prf_item *v, size_t n, const char *value_key)
{
	json_t *a = json_array();
	int bad = a == NULL;
	for (size_t i = 0; !bad && i < n; i++) {
		json_t *o = json_object();
		bad |= oj_push(a, o);
		if (bad)
			break;
		bad |= oj_set(o, "id", oj_string(v[i].id));
		bad |= oj_set(o, value_key, oj_string(v[i].value));
		bad |= oj_set(o, "line", json_integer((json_int_t)v[i].line));
		bad |= oj_set(o, "section_line",
		              v[i].section != NULL ? json_integer((json_int_t)v[i].section->line)
		                                   : json_null());
		bad |= oj_set(o, "entries", entries_json(v[i].section));
	}
	return oj_done(a, bad);
}

/* The value of key in [General] as a JSON string, or null. */
static json_t *
general(const struct mapiprof_prf *prf, const char *key)
{
	return oj_string(mapiprof_prf_value(prf->general, key));
}

static int
check_json(const char *path, const struct mapiprof_prf *prf)
{
	json_t *o = json_object(), *pr = json_object(), *probs = json_array();
	int bad = o == NULL || pr == NULL || probs == NULL;
	if (bad) {
		json_decref(o);
		json_decref(pr);
		json_decref(probs);
		return -1;
	}
	bad |= oj_set(o, "file", oj_string(path));
	bad |= oj_set(o, "status", json_string(prf->nproblems > 0 ? "malformed" : "ok"));
	bad |= oj_set(o, "encoding", oj_string(prf->encoding));
	bad |= oj_set(o, "bom", json_boolean(prf->bom));
	bad |= oj_set(pr, "name", general(prf, "ProfileName"));
	bad |= oj_set(pr, "default_profile", general(prf, "DefaultProfile"));
	bad |= oj_set(pr, "overwrite_profile", general(prf, "OverwriteProfile"));
	bad |= oj_set(pr, "entries", entries_json(prf->general));
	bad |= oj_set(o, "profile", pr);
	bad |= oj_set(o, "services", items_json(prf->services, prf->nservices, "name"));
	bad |= oj_set(o, "accounts", items_json(prf->accounts, prf->naccounts, "type"));
	for (size_t i = 0; !bad && i < prf->nproblems; i++) {
		json_t *p = json_object();
		bad |= oj_push(probs, p);
		if (bad)
			break;
		bad |= oj_set(p, "line", json_integer((json_int_t)prf->problems[i].line));
		bad |= oj_set(p, "reason", oj_string(prf->problems[i].reason));
	}
	bad |= oj_set(o, "problems", probs);
	bad |= oj_set(o, "more_problems", json_integer((json_int_t)prf->more_problems));
	return oj_emit_unless(o, bad);
}

int
prf_check(int argc, char *argv[])
{
	struct check_opts o = {0};
	int status = parse(argc, argv, &o);
	if (status >= 0)
		return status;
	struct mapiprof_ctx *ctx = report_ctx_new();
	if (ctx == NULL)
		return EXIT_ERROR;
	struct run r = {CMD, o.json, ctx};
	struct mapiprof_prf *prf = NULL;
	status = opt_codepage(ctx, CMD, o.codepage);
	if (status == EXIT_OK && mapiprof_prf_read(ctx, o.path, &prf) != MAPIPROF_OK)
		status = report_lib(&r, o.path);
	if (prf != NULL) {
		if ((o.json ? check_json(o.path, prf) : check_text(o.path, prf)) != 0) {
			diag(o.path, "out of memory or write error");
			status = EXIT_ERROR;
		} else if (prf->nproblems > 0) {
			diag(o.path, "%zu malformed line%s (first: line %zu)",
			     prf->nproblems + prf->more_problems,
			     prf->nproblems + prf->more_problems == 1 ? "" : "s",
			     prf->problems[0].line);
			status = EXIT_ERROR;
		}
	}
	mapiprof_prf_free(prf);
	mapiprof_ctx_free(ctx);
	return status;
}
