/* cmd_tags.c - "mapiprof tags": search the built-in property tag and flag
 * tables (mapiprof_tag_at, mapiprof_flag_at), an offline reference. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <mapiprof/mapiprof.h>

#include "cmd.h"
#include "escape.h"
#include "exitcode.h"
#include "fmt.h"
#include "opt.h"
#include "out_json.h"
#include "report.h"

static int
parse(int argc, char *argv[], int *json, const char **pattern)
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
			return opt_common("tags", c, argv);
		*json = 1;
	}
	if (argc - optind > 1)
		return diag_usage("tags", "too many arguments");
	*pattern = optind < argc ? argv[optind] : NULL;
	return -1;
}

/* 1 when needle occurs in hay, ASCII case-insensitively. */
static int
contains(const char *hay, const char *needle)
{
	if (hay == NULL)
		return 0;
	size_t n = strlen(needle);
	for (; *hay != '\0'; hay++) {
		size_t i = 0;
		while (i < n && hay[i] != '\0' &&
		       tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return 1;
	}
	return n == 0;
}

/* 1 when fl belongs to the row t: by tag and by the row's name, since a
 * provider-defined ID means different properties in different provider
 * scopes (PR_PROFILE_CONFIG_FLAGS and the PAB's PAB_ShowNamesBy share
 * 0x66010003) and the flags name the property they belong to, as the
 * decoder attaches them. */
static int
flag_of(const struct mapiprof_flagdef *fl, const struct mapiprof_tagdef *t)
{
	return fl != NULL && fl->tag == t->tag && fl->prop_name != NULL &&
	       strcmp(fl->prop_name, t->name) == 0;
}

static int
flag_matches(const struct mapiprof_flagdef *fl, const char *pat)
{
	return contains(fl->name, pat) || contains(fl->meaning, pat);
}

/* A tag matches by name, meaning, "0xTTTTTTTT" or value name "TTTTIIII",
 * or when one of its flags matches by name or meaning. */
static int
tag_matches(const struct mapiprof_tagdef *t, const char *pat)
{
	char tag[16], vn[16];
	if (pat == NULL)
		return 1;
	fmt_tag(t->tag, tag, sizeof(tag));
	fmt_value_name(t->tag, vn, sizeof(vn));
	if (contains(t->name, pat) || contains(t->meaning, pat) || contains(tag, pat) ||
	    contains(vn, pat))
		return 1;
	for (size_t i = 0; i < mapiprof_flag_count(); i++) {
		const struct mapiprof_flagdef *fl = mapiprof_flag_at(i);
		if (flag_of(fl, t) && flag_matches(fl, pat))
			return 1;
	}
	return 0;
}

static int
text_tag(const struct mapiprof_tagdef *t)
{
	char tag[16], vn[16];
	fmt_tag(t->tag, tag, sizeof(tag));
	fmt_value_name(t->tag, vn, sizeof(vn));
	printf("%s  %s  ", tag, vn);
	int rc = esc_fputs(t->type_name != NULL ? t->type_name : "-", stdout);
	fputs("  ", stdout);
	rc |= esc_fputs(t->scope != NULL && t->scope[0] != '\0' ? t->scope : "-", stdout);
	fputs("  ", stdout);
	rc |= esc_fputs(t->name, stdout);
	fputs("\n    ", stdout);
	rc |= esc_fputs(t->meaning != NULL ? t->meaning : "", stdout);
	fputc('\n', stdout);
	for (size_t i = 0; i < mapiprof_flag_count(); i++) {
		const struct mapiprof_flagdef *fl = mapiprof_flag_at(i);
		if (!flag_of(fl, t))
			continue;
		if (fl->is_enum)
			printf("    enum  0x%08" PRIx32 "/0x%08" PRIx32 "  ", fl->value, fl->mask);
		else
			printf("    bits  0x%08" PRIx32 "  ", fl->value);
		rc |= esc_fputs(fl->name, stdout);
		fputs("  ", stdout);
		rc |= esc_fputs(fl->meaning != NULL ? fl->meaning : "", stdout);
		fputc('\n', stdout);
	}
	return rc;
}

static json_t *
json_flag(const struct mapiprof_flagdef *fl)
{
	char v[16], m[16];
	snprintf(v, sizeof(v), "0x%08" PRIx32, fl->value);
	snprintf(m, sizeof(m), "0x%08" PRIx32, fl->mask);
	json_t *o = json_object();
	if (o == NULL)
		return NULL;
	int bad = oj_set(o, "name", oj_string(fl->name));
	bad |= oj_set(o, "value", json_string(v));
	bad |= oj_set(o, "mask", json_string(m));
	bad |= oj_set(o, "kind", json_string(fl->is_enum ? "enum" : "bits"));
	bad |= oj_set(o, "meaning", oj_string(fl->meaning));
	return oj_done(o, bad);
}

static json_t *
json_tag(const struct mapiprof_tagdef *t)
{
	char tag[16], vn[16];
	fmt_tag(t->tag, tag, sizeof(tag));
	fmt_value_name(t->tag, vn, sizeof(vn));
	json_t *o = json_object(), *fls = json_array();
	if (o == NULL || fls == NULL) {
		json_decref(o);
		json_decref(fls);
		return NULL;
	}
	int bad = oj_set(o, "name", oj_string(t->name));
	bad |= oj_set(o, "tag", json_string(tag));
	bad |= oj_set(o, "value_name", json_string(vn));
	bad |= oj_set(o, "type", oj_string(t->type_name));
	bad |= oj_set(o, "scope", oj_string(t->scope != NULL ? t->scope : ""));
	bad |= oj_set(o, "meaning", oj_string(t->meaning));
	bad |= oj_set(o, "source", oj_string(t->source));
	for (size_t i = 0; !bad && i < mapiprof_flag_count(); i++) {
		const struct mapiprof_flagdef *fl = mapiprof_flag_at(i);
		if (flag_of(fl, t))
			bad |= oj_push(fls, json_flag(fl));
	}
	bad |= oj_set(o, "flags", fls);
	return oj_done(o, bad);
}

int
cmd_tags(int argc, char *argv[])
{
	int json = 0;
	const char *pat = NULL;
	int status = parse(argc, argv, &json, &pat);
	if (status >= 0)
		return status;
	json_t *root = json ? json_object() : NULL, *arr = json ? json_array() : NULL;
	int bad = json && (root == NULL || arr == NULL);
	size_t found = 0;
	for (size_t i = 0; !bad && i < mapiprof_tag_count(); i++) {
		const struct mapiprof_tagdef *t = mapiprof_tag_at(i);
		if (t == NULL || !tag_matches(t, pat))
			continue;
		found++;
		bad |= json ? oj_push(arr, json_tag(t)) : text_tag(t);
	}
	if (json && !bad) {
		int rc = oj_set(root, "tags", arr);
		arr = NULL;
		if (rc == 0) {
			rc = oj_emit(root);
			root = NULL;
		}
		bad |= rc;
	}
	json_decref(arr);
	json_decref(root);
	if (bad) {
		diag("tags", "out of memory");
		return EXIT_ERROR;
	}
	if (found == 0) {
		diag("tags", "no tag matches '%s'", pat != NULL ? pat : "");
		return EXIT_ERROR;
	}
	return EXIT_OK;
}
