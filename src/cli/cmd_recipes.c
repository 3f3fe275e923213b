/* cmd_recipes.c - "mapiprof recipes": the built-in recipes, or the whole
 * text of one (its comments are its rationale). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mapiprof/mapiprof.h>

#include "cmd.h"
#include "diag.h"
#include "escape.h"
#include "exitcode.h"
#include "opt.h"
#include "out_json.h"
#include "report.h"

struct recipes_opts {
	int json;
	const char *name; /* NULL: list them all */
};

static int
parse(int argc, char *argv[], struct recipes_opts *o)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, OPT_JSON},
	    OPT_COMMON_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int c;
	opt_begin();
	while ((c = getopt_long(argc, argv, OPT_COMMON_SHORTOPTS, longopts, NULL)) != -1) {
		if (c == OPT_JSON)
			o->json = 1;
		else
			return opt_common("recipes", c, argv);
	}
	if (argc - optind > 1)
		return diag_usage("recipes", "too many arguments");
	o->name = optind < argc ? argv[optind] : NULL;
	return -1;
}

/* {"name","applies_to","description","edits":[...]} and "text" when
 * with_text. */
static json_t *
recipe_json(const struct mapiprof_recipe_info *ri, int with_text)
{
	json_t *o = json_object(), *ed = json_array();
	int bad = o == NULL;
	if (!bad) {
		bad |= oj_set(o, "name", oj_string(ri->name));
		bad |= oj_set(o, "applies_to", oj_string(ri->applies_to));
		bad |= oj_set(o, "description", oj_string(ri->description));
		bad |= oj_set(o, "edits", ed);
		ed = NULL;
	}
	for (size_t i = 0; !bad && i < ri->nedits; i++)
		bad |= oj_push(json_object_get(o, "edits"), oj_string(ri->edits[i]));
	if (!bad && with_text)
		bad |= oj_set(o, "text", oj_string(ri->text));
	json_decref(ed);
	return oj_done(o, bad);
}

/* "NAME  APPLIES-TO  DESCRIPTION", names and scopes padded to the longest. */
static int
list_text(void)
{
	size_t w = 4, ws = 8;
	int rc = 0;
	for (size_t i = 0; i < mapiprof_builtin_count(); i++) {
		const struct mapiprof_recipe_info *ri = mapiprof_builtin_at(i);
		size_t len = strlen(ri->name);
		size_t slen = ri->applies_to != NULL ? strlen(ri->applies_to) : 3;
		w = len > w ? len : w;
		ws = slen > ws ? slen : ws;
	}
	for (size_t i = 0; i < mapiprof_builtin_count(); i++) {
		const struct mapiprof_recipe_info *ri = mapiprof_builtin_at(i);
		rc |= esc_fputs(ri->name, stdout);
		printf("%*s  %-*s  ", (int)(w - strlen(ri->name)), "", (int)ws,
		       ri->applies_to != NULL ? ri->applies_to : "any");
		rc |= esc_fputs(ri->description != NULL ? ri->description : "", stdout);
		fputc('\n', stdout);
	}
	return rc;
}

static int
list_json(void)
{
	json_t *o = json_object(), *a = json_array();
	if (o == NULL) {
		json_decref(a);
		return -1;
	}
	int bad = oj_set(o, "recipes", a);
	for (size_t i = 0; !bad && i < mapiprof_builtin_count(); i++)
		bad |= oj_push(a, recipe_json(mapiprof_builtin_at(i), 0));
	return oj_emit_unless(o, bad);
}

/* The recipe text as it is, each line escaped on its own (tabs kept). */
static int
text_lines(const char *text)
{
	size_t len = strlen(text);
	char *buf = malloc(len + 1);
	int rc = 0;
	if (buf == NULL)
		return -1;
	memcpy(buf, text, len + 1);
	for (char *p = buf; rc == 0 && *p != '\0';) {
		size_t n = strcspn(p, "\n\t");
		char sep = p[n];
		p[n] = '\0';
		rc = esc_fputs(p, stdout);
		if (sep == '\0')
			break;
		fputc(sep, stdout);
		p += n + 1;
	}
	if (len > 0 && text[len - 1] != '\n')
		fputc('\n', stdout);
	free(buf);
	return rc;
}

/* One recipe: a built-in by name, else a recipe file loaded (and so
 * checked) as apply would. */
static int
show_one(const struct recipes_opts *o)
{
	struct mapiprof_ctx *ctx = report_ctx_new();
	struct mapiprof_recipe *recipe = NULL;
	if (ctx == NULL)
		return EXIT_ERROR;
	int status = EXIT_OK;
	if (mapiprof_recipe_load(ctx, o->name, &recipe) != MAPIPROF_OK) {
		const char *msg = mapiprof_errmsg(ctx);
		status = mapiprof_errcode(ctx) == MAPIPROF_E_NOMEM
		             ? (diag("recipes", "out of memory"), EXIT_ERROR)
		             : diag_usage("recipes", "%s", msg[0] != '\0' ? msg : "unknown recipe");
		goto out;
	}
	const struct mapiprof_recipe_info *ri = mapiprof_recipe_info(recipe);
	int bad =
	    o->json ? oj_emit(recipe_json(ri, 1)) : text_lines(ri->text != NULL ? ri->text : "");
	if (bad) {
		diag("recipes", "out of memory");
		status = EXIT_ERROR;
	}
out:
	if (recipe != NULL)
		mapiprof_recipe_free(recipe);
	mapiprof_ctx_free(ctx);
	return status;
}

int
cmd_recipes(int argc, char *argv[])
{
	struct recipes_opts o = {0};
	int status = parse(argc, argv, &o);
	if (status >= 0)
		return status;
	if (o.name != NULL)
		return show_one(&o);
	if ((o.json ? list_json() : list_text()) != 0) {
		diag("recipes", "out of memory");
		return EXIT_ERROR;
	}
	return EXIT_OK;
}
