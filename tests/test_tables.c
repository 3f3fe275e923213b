/* test_tables.c - the tag and flag tables: tools/gentables.py validation,
 * tag lookups by scope and _A/_W sibling, flag descriptions. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mapi/tables.h"
#include "testutil.h"

/* ---- gentables.py ---- */

/* Absolute path of python3 from $PATH (tu_run execs a path). */
static char *
find_python(void)
{
	const char *path = getenv("PATH");
	char buf[4096];
	while (path != NULL && *path != '\0') {
		const char *colon = strchr(path, ':');
		size_t n = colon != NULL ? (size_t)(colon - path) : strlen(path);
		snprintf(buf, sizeof(buf), "%.*s/python3", (int)n, path);
		if (access(buf, X_OK) == 0)
			return strdup(buf);
		path = colon != NULL ? colon + 1 : NULL;
	}
	return NULL;
}

/* Copies data/<name> into dir and appends extra; returns the path and the
 * line number the first appended line gets. */
static char *
copy_table(const char *dir, const char *name, const char *extra, size_t *first_new)
{
	char src[1024], *dst = malloc(1024);
	snprintf(src, sizeof(src), "%s/data/%s", MP_SOURCE_DIR, name);
	snprintf(dst, 1024, "%s/%s", dir, name);
	size_t len = 0;
	char *text = tu_read(src, &len);
	cr_assert_not_null(text, "cannot read %s", src);
	*first_new = tu_count_lines(text) + 1;
	size_t elen = strlen(extra);
	char *all = malloc(len + elen);
	memcpy(all, text, len);
	memcpy(all + len, extra, elen);
	cr_assert_eq(tu_write(dst, all, len + elen), 0);
	free(all);
	free(text);
	return dst;
}

/* Runs gentables.py over the project's tables plus extra rows. */
static void
run_gentables(const char *tag_extra, const char *flag_extra, struct tu_run *r, char **dir,
              size_t *tag_line, size_t *flag_line)
{
	char *py = find_python();
	cr_assert_not_null(py, "python3 not in PATH");
	*dir = tu_mkdtemp();
	char *tags = copy_table(*dir, "proptags.tsv", tag_extra, tag_line);
	char *flags = copy_table(*dir, "flags.tsv", flag_extra, flag_line);
	char script[1024], out[1024];
	snprintf(script, sizeof(script), "%s/tools/gentables.py", MP_SOURCE_DIR);
	snprintf(out, sizeof(out), "%s/out.c", *dir);
	char *argv[] = {py, script, tags, flags, out, NULL};
	cr_assert_eq(tu_run(argv, r), 0);
	free(py);
	free(tags);
	free(flags);
}

static int
out_exists(const char *dir)
{
	char out[1024];
	snprintf(out, sizeof(out), "%s/out.c", dir);
	return tu_exists(out);
}

Test(gentables, project_tables_compile_to_the_linked_counts)
{
	struct tu_run r;
	char *dir;
	size_t tl, fl;
	run_gentables("", "", &r, &dir, &tl, &fl);
	cr_assert_eq(r.status, 0, "stderr: %s", r.err);
	char path[1024];
	snprintf(path, sizeof(path), "%s/out.c", dir);
	char *c = tu_read(path, NULL);
	cr_assert_not_null(c);
	char want[64];
	snprintf(want, sizeof(want), "mp_tables_ntags = %zu;", mapiprof_tag_count());
	cr_assert_not_null(strstr(c, want), "generated file lacks '%s'", want);
	snprintf(want, sizeof(want), "mp_tables_nflags = %zu;", mapiprof_flag_count());
	cr_assert_not_null(strstr(c, want), "generated file lacks '%s'", want);
	free(c);
	tu_run_free(&r);
	tu_rmtree(dir);
	free(dir);
}

struct bad_row {
	const char *tag_row;  /* appended to proptags.tsv */
	const char *flag_row; /* appended to flags.tsv */
	const char *message;  /* expected after "file:line: " */
};

static const struct bad_row bad_rows[] = {
    {"PR_BAD\t0x3001001G\tPT_STRING8\t\tx\tS7\n", "", "is not 0x followed by 8 hex digits"},
    {"PR_BAD\t0x3001001F\tPT_UNICODE\t\tx\n", "", "has 5 columns, expected 6"},
    {"PR_BAD\t0x6602001E\tPT_STRING8\texchange\tx\tS5\n", "",
     "with scope 'exchange' duplicates line"},
    {"pr_display_name\t0x30AA001E\tPT_STRING8\t\tx\tS7\n", "",
     "name 'pr_display_name' duplicates line"},
    {"PR_BAD\t0x30AA0003\tPT_BINARY\t\tx\tS7\n", "", "does not match tag"},
    {"PR_BAD\t0x66AA0003\tPT_LONG\t\tx\tS7\n", "", "scope must be a lower-case provider name"},
    {"PR_BAD\t0x30AA0003\tPT_LONG\tpst\tx\tS7\n", "", "scope must be empty outside"},
    {"Bad name\t0x30AA0003\tPT_LONG\t\tx\tS7\n", "", "is not an identifier"},
    {"", "0x30090003\tPR_NO_SUCH\tX\t0x1\t0x1\tbits\t\tx\tS7\n", "no property 'PR_NO_SUCH'"},
    {"", "0x30090003\tPR_RESOURCE_FLAGS\tX\t0x1\t0x3\tbits\t\tx\tS7\n", "mask equal to it"},
    {"", "0x30090003\tPR_RESOURCE_FLAGS\tX\t0x4\t0x3\tenum\t\tx\tS7\n", "inside its"},
    {"", "0x30090003\tPR_RESOURCE_FLAGS\tX\t0x1\t0x1\tbits\tglobal\tx\tS7\n",
     "must be empty, service or provider"},
    {"", "0x30090003\tPR_RESOURCE_FLAGS\tX\t0x1\t0x1\tmaybe\t\tx\tS7\n", "must be bits or enum"},
    {"", "0x30090003\tPR_RESOURCE_FLAGS\tX\t0x1\tbits\t\tx\tS7\n", "has 8 columns, expected 9"},
};

ParameterizedTestParameters(gentables, bad_row_fails_naming_file_and_line)
{
	return tu_index_params(sizeof(bad_rows) / sizeof(bad_rows[0]));
}

ParameterizedTest(size_t *i, gentables, bad_row_fails_naming_file_and_line)
{
	const struct bad_row *b = &bad_rows[*i];
	struct tu_run r;
	char *dir;
	size_t tl, fl;
	run_gentables(b->tag_row, b->flag_row, &r, &dir, &tl, &fl);
	cr_assert_eq(r.status, 1, "status %d, stderr: %s", r.status, r.err);
	char where[64];
	if (b->tag_row[0] != '\0')
		snprintf(where, sizeof(where), "proptags.tsv:%zu: ", tl);
	else
		snprintf(where, sizeof(where), "flags.tsv:%zu: ", fl);
	cr_assert_not_null(strstr(r.err, where), "no '%s' in: %s", where, r.err);
	cr_assert_not_null(strstr(r.err, b->message), "no '%s' in: %s", b->message, r.err);
	cr_assert_not(out_exists(dir), "output written despite the error");
	tu_run_free(&r);
	tu_rmtree(dir);
	free(dir);
}

/* ---- the generated tables ---- */

Test(tables, tags_sorted_by_tag_and_scope_with_identifier_names)
{
	size_t n = mapiprof_tag_count();
	cr_assert_gt(n, 180);
	for (size_t i = 0; i < n; i++) {
		const struct mapiprof_tagdef *t = mapiprof_tag_at(i);
		cr_assert_not_null(t);
		cr_assert(strspn(t->name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		                          "0123456789_") == strlen(t->name),
		          "name '%s'", t->name);
		cr_assert_str_not_empty(t->source, "%s has no source", t->name);
		if (i == 0)
			continue;
		const struct mapiprof_tagdef *p = mapiprof_tag_at(i - 1);
		cr_assert(p->tag < t->tag || (p->tag == t->tag && strcmp(p->scope, t->scope) < 0),
		          "%s after %s", t->name, p->name);
	}
	cr_assert_null(mapiprof_tag_at(n));
}

Test(tables, flags_sorted_by_tag)
{
	size_t n = mapiprof_flag_count();
	cr_assert_gt(n, 100);
	for (size_t i = 1; i < n; i++)
		cr_assert_leq(mapiprof_flag_at(i - 1)->tag, mapiprof_flag_at(i)->tag);
	cr_assert_null(mapiprof_flag_at(n));
}

Test(tables, real_hive_tags_are_present)
{
	static const uint32_t tags[] = {
	    0x3001001Fu, 0x3006001Fu, 0x30090003u, 0x300A001Fu, 0x300B0102u, 0x300C0102u,
	    0x3D09001Fu, 0x3D0A001Fu, 0x3D0B001Fu, 0x3D0C0102u, 0x3D0E0102u, 0x3D0F101Eu,
	    0x3D13001Fu, 0x3E030003u, 0x0FFF0102u, 0x0FF90102u, 0x6700001Fu,
	};
	struct mp_scope pst = {"pst", NULL};
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		cr_assert_not_null(mp_tag_lookup(tags[i], &pst, NULL, NULL), "0x%08X", tags[i]);
}

/* ---- tag lookups ---- */

Test(tables, provider_scope_picks_the_providers_name)
{
	struct mp_scope ex = {"exchange", "global"}, ldap = {"ldap", "provider"};
	const char *name = NULL;
	const struct mapiprof_tagdef *t = mp_tag_lookup(0x6602001Eu, &ex, NULL, &name);
	cr_assert_not_null(t);
	cr_assert_str_eq(t->name, "PR_PROFILE_HOME_SERVER");
	cr_assert_str_eq(name, "PR_PROFILE_HOME_SERVER");
	t = mp_tag_lookup(0x6602001Eu, &ldap, NULL, &name);
	cr_assert_str_eq(t->name, "PROP_AB_PROVIDER_USER_NAME");
	cr_assert_str_eq(t->scope, "ldap");
}

Test(tables, provider_scope_falls_back_to_exchange)
{
	struct mp_scope pst = {"pst", NULL};
	cr_assert_str_eq(mp_tag_lookup(0x6602001Eu, NULL, NULL, NULL)->name,
	                 "PR_PROFILE_HOME_SERVER");
	cr_assert_str_eq(mp_tag_lookup(0x6602001Eu, &pst, NULL, NULL)->name,
	                 "PR_PROFILE_HOME_SERVER");
	struct mp_scope pab = {"pab", NULL};
	cr_assert_str_eq(mp_tag_lookup(0x66010003u, &pab, NULL, NULL)->name, "PAB_ShowNamesBy");
	/* no exchange row: the only row */
	cr_assert_str_eq(mp_tag_lookup(0x66010102u, NULL, NULL, NULL)->name, "PR_CONTAB_UID");
}

Test(tables, unicode_form_falls_back_to_the_8bit_row_with_W_name)
{
	struct mp_arena a = {0};
	const char *name = NULL;
	const struct mapiprof_tagdef *t = mp_tag_lookup(0x0270001Fu, NULL, &a, &name);
	cr_assert_not_null(t);
	cr_assert_eq(t->tag, 0x0270001Eu);
	cr_assert_str_eq(name, "FormDirectoryPage_W");
	t = mp_tag_lookup(0x3D16001Eu, NULL, &a, &name);
	cr_assert_not_null(t);
	cr_assert_eq(t->tag, 0x3D16001Fu);
	cr_assert_str_eq(name, "PR_EMSMDB_CRED_USERNAME_A");
	/* exact rows keep their own name */
	t = mp_tag_lookup(0x3001001Fu, NULL, &a, &name);
	cr_assert_str_eq(name, "PR_DISPLAY_NAME_W");
	mp_arena_free(&a);
}

Test(tables, no_sibling_fallback_in_provider_range)
{
	struct mp_arena a = {0};
	const char *name = "x";
	/* PR_PROFILE_HOME_SERVER_FQDN exists only as 0x662A001F */
	cr_assert_null(mp_tag_lookup(0x662A001Eu, NULL, &a, &name));
	cr_assert_null(name);
	cr_assert_null(mp_tag_lookup(0x7FF00003u, NULL, &a, &name));
	mp_arena_free(&a);
}

Test(tables, by_name_is_case_insensitive_and_knows_A_suffix)
{
	const struct mapiprof_tagdef *t = mp_tag_by_name("pr_profile_connect_flags");
	cr_assert_not_null(t);
	cr_assert_eq(t->tag, 0x66040003u);
	t = mp_tag_by_name("PR_DISPLAY_NAME_A");
	cr_assert_not_null(t);
	cr_assert_eq(t->tag, 0x3001001Eu);
	cr_assert_eq(mp_tag_by_name("PR_DISPLAY_NAME_W")->tag, 0x3001001Fu);
	cr_assert_eq(mp_tag_by_name("PAB_ShowNamesBy")->tag, 0x66010003u);
	cr_assert_null(mp_tag_by_name("PR_NO_SUCH_TAG"));
	cr_assert_null(mp_tag_by_name("PR_PROFILE_CONNECT_FLAGS_A"));
}

/* ---- flags ---- */

struct described {
	int has;
	const char **names;
	size_t n;
	uint32_t unknown;
};

static struct described
describe(struct mp_arena *a, uint32_t tag, const char *provider, const char *role, uint32_t value)
{
	struct mp_scope s = {provider, role};
	struct described d;
	cr_assert_eq(mp_flags_describe(a, tag, &s, value, &d.has, &d.names, &d.n, &d.unknown),
	             MAPIPROF_OK);
	return d;
}

static void
assert_names(struct described d, const char *const *want, size_t n)
{
	cr_assert_eq(d.n, n, "got %zu names", d.n);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(d.names[i], want[i]);
}

Test(flags, connect_flags_name_set_bits_and_keep_unknown_ones)
{
	struct mp_arena a = {0};
	struct described d = describe(&a, 0x66040003u, "exchange", "global", 0x00018006u);
	static const char *const want[] = {
	    "CONNECT_NO_RPC_ENCRYPTION", "CONNECT_USE_SEPARATE_CONNECTION", "CONNECT_IGNORE_NO_PF"};
	cr_assert(d.has);
	assert_names(d, want, 3);
	cr_assert_eq(d.unknown, 0x00010000u);
	mp_arena_free(&a);
}

Test(flags, alias_bits_show_once_under_the_first_name)
{
	struct mp_arena a = {0};
	struct described d = describe(&a, 0x66040003u, "exchange", NULL, 0x20u);
	static const char *const want[] = {"CONNECT_NO_NOTIFICATIONS"};
	assert_names(d, want, 1);
	cr_assert_eq(d.unknown, 0);
	mp_arena_free(&a);
}

Test(flags, config_cache_private_needs_both_bits)
{
	struct mp_arena a = {0};
	static const char *const both[] = {"CONFIG_SHOW_CONNECT_UI", "CONFIG_OST_CACHE_PRIVATE"};
	struct described d = describe(&a, 0x66010003u, "exchange", NULL, 0x184u);
	assert_names(d, both, 2);
	cr_assert_eq(d.unknown, 0);
	d = describe(&a, 0x66010003u, "exchange", NULL, 0x80u);
	cr_assert(d.has);
	cr_assert_eq(d.n, 0);
	cr_assert_eq(d.unknown, 0x80u);
	mp_arena_free(&a);
}

Test(flags, auth_package_is_an_enumeration)
{
	struct mp_arena a = {0};
	static const char *const neg[] = {"RPC_C_AUTHN_GSS_NEGOTIATE"};
	struct described d = describe(&a, 0x66190003u, "exchange", NULL, 9);
	assert_names(d, neg, 1);
	cr_assert_eq(d.unknown, 0);
	static const char *const def[] = {"RPC_C_AUTHN_DEFAULT"};
	assert_names(describe(&a, 0x66190003u, "exchange", NULL, 0xFFFFFFFFu), def, 1);
	static const char *const none[] = {"RPC_C_AUTHN_NONE"};
	assert_names(describe(&a, 0x66190003u, "exchange", NULL, 0), none, 1);
	d = describe(&a, 0x66190003u, "exchange", NULL, 7);
	cr_assert(d.has);
	cr_assert_eq(d.n, 0);
	cr_assert_eq(d.unknown, 7);
	mp_arena_free(&a);
}

Test(flags, masked_enumeration_leaves_other_bits_unknown)
{
	struct mp_arena a = {0};
	static const char *const want[] = {"Online"};
	struct described d = describe(&a, 0x03980003u, NULL, NULL, 0x102u);
	assert_names(d, want, 1);
	cr_assert_eq(d.unknown, 0x100u);
	mp_arena_free(&a);
}

Test(flags, resource_flags_follow_the_section_role)
{
	struct mp_arena a = {0};
	static const char *const svc[] = {"SERVICE_DEFAULT_STORE"};
	static const char *const prov[] = {"STATUS_DEFAULT_OUTBOUND", "STATUS_DEFAULT_STORE"};
	assert_names(describe(&a, 0x30090003u, NULL, "service", 0x1u), svc, 1);
	struct described d = describe(&a, 0x30090003u, NULL, "provider", 0x3u);
	assert_names(d, prov, 2);
	d = describe(&a, 0x30090003u, NULL, NULL, 0x1u);
	cr_assert(d.has);
	cr_assert_eq(d.n, 0);
	cr_assert_eq(d.unknown, 0x1u);
	mp_arena_free(&a);
}

Test(flags, provider_scope_selects_the_flag_set)
{
	struct mp_arena a = {0};
	static const char *const pst[] = {"PSTF_COMPRESSABLE_ENCRYPTION"};
	static const char *const ost[] = {"OSTF_COMPRESSABLE_ENCRYPTION"};
	assert_names(describe(&a, 0x67020003u, "pst", "provider", 0x40000000u), pst, 1);
	assert_names(describe(&a, 0x67020003u, "exchange", "provider", 0x40000000u), ost, 1);
	/* 0x6623 is PR_ROH_FLAGS for Exchange but an LDAP setting without flags */
	static const char *const roh[] = {"ROHFLAGS_USE_ROH", "ROHFLAGS_SSL_ONLY",
	                                  "ROHFLAGS_HTTP_FIRST_ON_SLOW"};
	assert_names(describe(&a, 0x66230003u, "exchange", NULL, 0x23u), roh, 3);
	struct described d = describe(&a, 0x66230003u, "ldap", NULL, 1);
	cr_assert_not(d.has);
	cr_assert_eq(d.n, 0);
	mp_arena_free(&a);
}

Test(flags, tag_without_flags_has_none)
{
	struct mp_arena a = {0};
	struct described d = describe(&a, 0x3001001Fu, NULL, NULL, 5);
	cr_assert_not(d.has);
	cr_assert_eq(d.n, 0);
	cr_assert_eq(d.unknown, 0);
	mp_arena_free(&a);
}
