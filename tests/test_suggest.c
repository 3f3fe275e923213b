/* test_suggest.c - "did you mean": the bounded edit distance and nearest
 * name (base/nearest.c, mapiprof_nearest), and the suggestions the built
 * mapiprof gives for a mistyped command, recipe, section selector, profile
 * and property; get's exit statuses and JSON codes for a mistyped property
 * (bad_property, usage) and an absent one (no_property); the flags tags
 * attaches to a provider-defined tag's rows. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include <mapiprof/mapiprof.h>

#include "base/nearest.h"
#include "testjson.h"
#include "testutil.h"

#define EXCH "exchange-mapi.dat"

TestSuite(suggest, .init = tu_setup, .fini = tu_teardown);

/* ---- distance and nearest --------------------------------------------- */

Test(suggest, distance_counts_each_slip_once)
{
	cr_assert_eq(mp_name_distance("list", "list", 3), 0);
	cr_assert_eq(mp_name_distance("LIST", "list", 3), 0, "case is ignored");
	cr_assert_eq(mp_name_distance("lst", "list", 3), 1, "a letter missed");
	cr_assert_eq(mp_name_distance("liist", "list", 3), 1, "a letter doubled");
	cr_assert_eq(mp_name_distance("lust", "list", 3), 1, "a letter wrong");
	cr_assert_eq(mp_name_distance("lsit", "list", 3), 1, "two letters swapped");
	cr_assert_eq(mp_name_distance("", "abc", 3), 3);
	cr_assert_eq(mp_name_distance("kitten", "sitting", 5), 3);
	/* Beyond the bound: max + 1, whether the lengths or the letters differ. */
	cr_assert_eq(mp_name_distance("kitten", "sitting", 2), 3);
	cr_assert_eq(mp_name_distance("a", "abcdef", 2), 3);
	char long_name[MP_NEAREST_MAXLEN + 2];
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	cr_assert_eq(mp_name_distance(long_name, long_name, 1), 2, "too long to compare");
}

Test(suggest, nearest_suggests_only_near_names)
{
	static const char *const names[] = {"list", "show", "get", "edit", "export"};
	size_t n = sizeof(names) / sizeof(names[0]);
	cr_assert_str_eq(mapiprof_nearest("lst", names, n), "list");
	cr_assert_str_eq(mapiprof_nearest("SHWO", names, n), "show");
	cr_assert_str_eq(mapiprof_nearest("exprot", names, n), "export");
	/* Unrelated or too short to tell: nothing. */
	cr_assert_null(mapiprof_nearest("frobnicate", names, n));
	cr_assert_null(mapiprof_nearest("x", names, n));
	cr_assert_null(mapiprof_nearest("zzz", names, n));
	cr_assert_null(mapiprof_nearest(NULL, names, n));
	cr_assert_null(mapiprof_nearest("lst", NULL, 0));
}

/* ---- the CLI ------------------------------------------------------------ */

static void
assert_status(int want)
{
	cr_assert_eq(tu_last.status, want, "exit %d, want %d\nstdout: %s\nstderr: %s",
	             tu_last.status, want, tu_last.out, tu_last.err);
}

static void
assert_err_has(const char *want)
{
	cr_assert_not_null(strstr(tu_last.err, want), "stderr lacks \"%s\":\n%s", want,
	                   tu_last.err);
}

Test(suggest, unknown_command_names_the_nearest_without_the_usage_block)
{
	TU_CLI("lst", "x.dat");
	assert_status(2);
	cr_assert_str_empty(tu_last.out);
	assert_err_has("mapiprof: unknown command 'lst'; did you mean 'list'?\n");
	assert_err_has("\"mapiprof help\"");
	cr_assert_null(strstr(tu_last.err, "usage:"), "%s", tu_last.err);
	TU_CLI("frobnicate");
	assert_status(2);
	assert_err_has("unknown command 'frobnicate'\n");
	cr_assert_null(strstr(tu_last.err, "did you mean"), "%s", tu_last.err);
	/* The name is echoed escaped: no raw control byte reaches a terminal. */
	TU_CLI("ls\x1b[2Jt");
	assert_status(2);
	assert_err_has("unknown command 'ls\\x1b[2Jt'");
	cr_assert_null(strchr(tu_last.err, '\x1b'), "%s", tu_last.err);
	/* "help CMD" answers a mistyped CMD the same way. */
	TU_CLI("help", "shwo");
	assert_status(2);
	assert_err_has("unknown command 'shwo'; did you mean 'show'?\n");
}

Test(suggest, unknown_recipe_names_the_nearest_builtin)
{
	char *hive = tu_stage_built(EXCH);
	TU_CLI("recipes", "cached-mod-on");
	assert_status(2);
	assert_err_has("unknown recipe 'cached-mod-on'");
	assert_err_has("did you mean 'cached-mode-on'?");
	TU_CLI("apply", "--dry-run", "exchange2007-gc-referal", hive);
	assert_status(2);
	assert_err_has("did you mean 'exchange2007-gc-referral'?");
	TU_CLI("recipes", "nothing-like-it");
	assert_status(2);
	cr_assert_null(strstr(tu_last.err, "did you mean"), "%s", tu_last.err);
	free(hive);
}

Test(suggest, bad_section_selector_lists_the_roles_and_the_nearest)
{
	char *hive = tu_stage_built(EXCH);
	const char *const runs[][8] = {
	    {"get", "--section", "globl", "PR_PROFILE_HOME_SERVER", hive, NULL},
	    {"show", "--section", "globl", hive, NULL},
	    {"diff", "--section", "globl", hive, hive, NULL},
	    {"edit", "--dry-run", "-e", "globl PR_PROFILE_HOME_SERVER = X", hive, NULL},
	};
	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		tu_run_free(&tu_last);
		const char *const *a = runs[i];
		cr_assert_eq(
		    tu_cli(&tu_last, a[0], a[1], a[2], a[3], a[4], a[5], a[6], (char *)NULL), 0);
		assert_status(2);
		assert_err_has(
		    "'globl' is not a section selector (expected exchange, global, emsab");
		assert_err_has("service:NAME or a 32-hex-digit UID); did you mean 'global'?");
	}
	TU_CLI("show", "--section", "qqqqqq", hive);
	assert_status(2);
	assert_err_has("'qqqqqq' is not a section selector");
	cr_assert_null(strstr(tu_last.err, "did you mean"), "%s", tu_last.err);
	free(hive);
}

Test(suggest, unknown_profile_lists_the_profiles_and_the_nearest)
{
	char *hive = tu_stage_built(EXCH);
	TU_CLI("get", "--profile", "Exchang", "--section", "global", "PR_PROFILE_HOME_SERVER",
	       hive);
	assert_status(1);
	assert_err_has("no profile named 'Exchang' (profiles: Exchange, Personal); did you mean "
	               "'Exchange'?");
	TU_CLI("show", "--profile", "Nothing Alike", hive);
	assert_status(1);
	assert_err_has("(profiles: Exchange, Personal)");
	cr_assert_null(strstr(tu_last.err, "did you mean"), "%s", tu_last.err);
	TU_CLI("get", "--json", "--profile", "Exchang", "--section", "global",
	       "PR_PROFILE_HOME_SERVER", hive);
	assert_status(1);
	json_t *o = tj_line(tu_last.out, 0);
	cr_assert_str_eq(tj_str(o, "code"), "no_profile");
	cr_assert_not_null(strstr(tj_str(o, "error"), "did you mean 'Exchange'?"));
	json_decref(o);
	free(hive);
}

Test(suggest, profile_admin_and_diff_list_the_profiles_and_the_nearest)
{
	char *hive = tu_stage_built(EXCH);
	struct tu_snap snap = tu_snap_take(hive);
	TU_CLI("profile", "rename", "Exchang", "New", hive);
	assert_status(1);
	assert_err_has("no profile named 'Exchang' (profiles: Exchange, Personal); did you mean "
	               "'Exchange'?");
	/* Only the profiles of the root asked for are listed. */
	TU_CLI("profile", "delete", "Exchange", "--office", "16.0", hive);
	assert_status(1);
	assert_err_has("no profile named 'Exchange' in the Office 16.0 root (profiles: none)\n");
	tu_snap_assert_same(&snap, hive);
	char *two = tu_stage_built("outlook2016-two-accounts.dat");
	TU_CLI("diff", "--profile", "Persnal", hive, two);
	assert_status(1);
	assert_err_has("no profile named 'Persnal' in either file (profiles: Exchange, Personal, "
	               "Work); did you mean 'Personal'?");
	free(two);
	free(hive);
}

Test(suggest, get_mistyped_property_is_a_usage_error_with_the_nearest_name)
{
	char *hive = tu_stage_built(EXCH);
	/* The property exists in the fixture: the typo is the only fault. */
	TU_CLI("get", "--section", "global", "PR_PROFILE_HOME_SERVER", hive);
	assert_status(0);
	cr_assert_str_eq(tu_last.out, "EXCH01\n");
	TU_CLI("get", "--section", "global", "PR_PROFILE_HOME_SERVR", hive);
	assert_status(2);
	cr_assert_str_empty(tu_last.out);
	assert_err_has("'PR_PROFILE_HOME_SERVR' is not a property name like PR_..., a tag like "
	               "0xIIIITTTT or a value name like TTTTIIII; did you mean "
	               "'PR_PROFILE_HOME_SERVER'?");
	TU_CLI("get", "--section", "global", "PR_PST_PATH_WW", hive);
	assert_status(2);
	assert_err_has("did you mean 'PR_PST_PATH_W'?");
	TU_CLI("get", "--json", "--section", "global", "PR_PST_PATH_WW", hive);
	assert_status(2);
	json_t *o = tj_line(tu_last.out, 0);
	cr_assert_str_eq(tj_str(o, "code"), "bad_property");
	cr_assert_str_eq(tj_str(o, "file"), hive);
	cr_assert_not_null(strstr(tj_str(o, "error"), "did you mean 'PR_PST_PATH_W'?"));
	json_decref(o);
	/* The same in edit, whose message it shares. */
	TU_CLI("edit", "--dry-run", "-e", "global PR_PST_PATH_WW = x", hive);
	assert_status(2);
	assert_err_has("did you mean 'PR_PST_PATH_W'?");
	free(hive);
}

Test(suggest, get_known_property_absent_from_the_section_exits_1)
{
	char *hive = tu_stage_built(EXCH);
	TU_CLI("get", "--section", "global", "PR_PST_PATH_W", hive);
	assert_status(1);
	cr_assert_str_empty(tu_last.out);
	assert_err_has("PR_PST_PATH_W: no such property in section 'global'");
	TU_CLI("get", "--json", "--section", "global", "PR_PST_PATH_W", hive);
	assert_status(1);
	json_t *o = tj_line(tu_last.out, 0);
	cr_assert_str_eq(tj_str(o, "code"), "no_property");
	json_decref(o);
	free(hive);
}

/* ---- tags: flags by (tag, provider scope) ------------------------------ */

/* The names of the flags "tags --json NAME" shows for the row named NAME. */
static char *
tag_flags(const char *name)
{
	json_t *o = TJ_CLI("tags", "--json", name);
	json_t *row = tj_find(json_object_get(o, "tags"), "name", name);
	cr_assert_not_null(row, "no row %s: %s", name, tu_last.out);
	json_t *flags = json_object_get(row, "flags");
	cr_assert(json_is_array(flags));
	size_t i;
	json_t *fl;
	char *names = calloc(1, 1);
	json_array_foreach(flags, i, fl)
	{
		const char *fn = tj_str(fl, "name");
		size_t len = strlen(names);
		names = realloc(names, len + strlen(fn) + 2);
		cr_assert_not_null(names);
		snprintf(names + len, strlen(fn) + 2, "%s ", fn);
	}
	json_decref(o);
	return names;
}

Test(suggest, tags_attach_flags_to_the_row_of_their_provider_scope)
{
	/* 0x66010003: exchange's PR_PROFILE_CONFIG_FLAGS, the PAB's ShowNamesBy. */
	char *f = tag_flags("PR_PROFILE_CONFIG_FLAGS");
	cr_assert_not_null(strstr(f, "CONFIG_SHOW_CONNECT_UI "), "%s", f);
	free(f);
	f = tag_flags("PAB_ShowNamesBy");
	cr_assert_null(strstr(f, "CONFIG_"), "%s", f);
	free(f);
	/* 0x66230003: exchange's PR_ROH_FLAGS, an LDAP provider's search base. */
	f = tag_flags("PR_ROH_FLAGS");
	cr_assert_not_null(strstr(f, "ROHFLAGS_USE_ROH "), "%s", f);
	free(f);
	f = tag_flags("PROP_AB_PROVIDER_SEARCH_BASE_DEFAULT");
	cr_assert_null(strstr(f, "ROHFLAGS_"), "%s", f);
	free(f);
	/* Text mode: a search no longer finds the PAB row by exchange's bits. */
	TU_CLI("tags", "PAB_ShowNamesBy");
	assert_status(0);
	cr_assert_not_null(strstr(tu_last.out, "PAB_ShowNamesBy"), "%s", tu_last.out);
	cr_assert_null(strstr(tu_last.out, "CONFIG_"), "%s", tu_last.out);
	TU_CLI("tags", "CONFIG_SHOW_CONNECT_UI");
	assert_status(0);
	cr_assert_not_null(strstr(tu_last.out, "PR_PROFILE_CONFIG_FLAGS"), "%s", tu_last.out);
	cr_assert_null(strstr(tu_last.out, "PAB_ShowNamesBy"), "%s", tu_last.out);
}
