/* test_cli_diff.c - the built mapiprof's diff command on before/after
 * pairs: a hive against itself (exit 0); against its copy after apply of a
 * recipe (exit 3, exactly the plan's changes with their bits set and
 * cleared, as apply --dry-run --json reported them); against its export
 * (0) and an edited export (3), across formats; the --profile and
 * --section filters; usage errors (2), bad files (1); inputs unchanged. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "logmaker.h"
#include "testjson.h"
#include "testutil.h"

#define EXCH "exchange-mapi.dat"

TestSuite(cli_diff, .init = tu_setup, .fini = tu_teardown);

/* A recipe that sets and clears flag bits, changes a string, deletes a
 * value and adds one. */
static const char recipe[] = "description: a change of every kind\n"
                             "applies-to: any\n"
                             "global PR_PROFILE_CONFIG_FLAGS += CONFIG_OST_CACHE_PRIVATE\n"
                             "global PR_PROFILE_TRANSPORT_FLAGS -= TRANSPORT_UPLOAD\n"
                             "global PR_PROFILE_UI_STATE unset\n"
                             "global PR_PROFILE_HOME_SERVER = \"EXCH02\"\n"
                             "global PR_PROFILE_AUTH_PACKAGE = RPC_C_AUTHN_GSS_NEGOTIATE\n";

/* The names in array a (strings) that array b lacks, as a sorted JSON
 * array; a NULL array counts as empty. */
static json_t *
names_minus(json_t *a, json_t *b)
{
	json_t *out = json_array();
	size_t i;
	json_t *x;
	json_array_foreach(a, i, x)
	{
		int found = 0;
		size_t j;
		json_t *y;
		json_array_foreach(b, j, y) found |= json_equal(x, y);
		if (!found)
			json_array_append(out, x);
	}
	return out;
}

/* The flag names of a PROP object that belong to bits (enumeration names
 * are not bits); NULL when it has no flags. */
static json_t *
flags_of(json_t *prop)
{
	return json_is_object(prop) ? json_object_get(prop, "flags") : NULL;
}

/* 1 when the tag (0xIIIITTTT text) has an enumeration flag table. */
static int
is_enum_tag(const char *tag)
{
	TU_CLI_EXPECT(0, "tags", "--json", tag);
	return strstr(tu_last.out, "\"enum\"") != NULL;
}

Test(cli_diff, hive_against_itself_is_same)
{
	char *hive = tu_stage_built(EXCH);
	struct tu_snap snap = tu_snap_take(hive);
	TU_CLI_EXPECT(0, "diff", hive, hive);
	cr_assert(strstr(tu_last.out, "no differences") != NULL, "%s", tu_last.out);
	TU_CLI_EXPECT(0, "diff", "--json", hive, hive);
	json_t *o = tj_line(tu_last.out, 0);
	cr_assert_eq(tj_int(o, "schema_version"), 2);
	cr_assert_eq(json_array_size(json_object_get(o, "changes")), 0);
	cr_assert_str_eq(tj_str(json_object_get(o, "a"), "file"), hive);
	cr_assert_str_eq(tj_str(json_object_get(o, "b"), "format"), "regf");
	json_decref(o);
	tu_snap_assert_same(&snap, hive);
	free(hive);
}

Test(cli_diff, after_apply_exactly_the_planned_changes)
{
	char *hive = tu_stage_built(EXCH), *after = tu_tmp_path("after.dat");
	char *rec = tu_tmp_write("every-kind.recipe", recipe, strlen(recipe));
	TU_CLI_EXPECT(0, "apply", "--dry-run", "--json", rec, hive);
	json_t *plan = tj_line(tu_last.out, 0);
	json_t *planned = json_object_get(plan, "changes");
	cr_assert_eq(json_array_size(planned), 5, "the recipe plans five changes");
	TU_CLI_EXPECT(0, "apply", "-o", after, rec, hive);
	struct tu_snap sa = tu_snap_take(hive), sb = tu_snap_take(after);

	TU_CLI_EXPECT(3, "diff", "--json", hive, after);
	json_t *o = tj_line(tu_last.out, 0);
	json_t *changes = json_object_get(o, "changes");
	cr_assert_eq(json_array_size(changes), json_array_size(planned), "%s", tu_last.out);
	int kinds[3] = {0, 0, 0}, set = 0, cleared = 0;
	size_t i;
	json_t *p;
	json_array_foreach(planned, i, p)
	{
		/* The change of the same value in the diff. */
		json_t *c = NULL;
		size_t k;
		json_t *x;
		json_array_foreach(
		    changes, k,
		    x) if (strcasecmp(tj_str(x, "section"), tj_str(p, "section")) == 0 &&
		           strcmp(tj_str(x, "value_name"), tj_str(p, "value_name")) == 0) c = x;
		cr_assert_not_null(c, "no change of %s in %s", tj_str(p, "value_name"),
		                   tu_last.out);
		cr_assert_str_eq(tj_str(c, "profile"), tj_str(p, "profile"));
		cr_assert_str_eq(tj_str(c, "tag"), tj_str(p, "tag"));
		cr_assert_str_eq(tj_str(c, "name"), tj_str(p, "name"));
		json_t *pb = json_object_get(p, "before"), *pa = json_object_get(p, "after");
		json_t *cb = json_object_get(c, "before"), *ca = json_object_get(c, "after");
		const char *want = json_is_null(pb)   ? "added"
		                   : json_is_null(pa) ? "removed"
		                                      : "changed";
		cr_assert_str_eq(tj_str(c, "change"), want);
		kinds[json_is_null(pb) ? 0 : json_is_null(pa) ? 1 : 2]++;
		/* before and after decoded as apply planned them. */
		cr_assert(json_is_null(pb) ? json_is_null(cb)
		                           : json_equal(json_object_get(pb, "value"),
		                                        json_object_get(cb, "value")),
		          "before of %s", tj_str(p, "value_name"));
		cr_assert(json_is_null(pa) ? json_is_null(ca)
		                           : json_equal(json_object_get(pa, "value"),
		                                        json_object_get(ca, "value")),
		          "after of %s", tj_str(p, "value_name"));
		/* The bits: flag names that appear and disappear (none for an
		 * enumeration, which names a value, not bits). */
		json_t *ws, *wc;
		if (is_enum_tag(tj_str(p, "tag"))) {
			ws = json_array();
			wc = json_array();
		} else {
			ws = names_minus(flags_of(pa), flags_of(pb));
			wc = names_minus(flags_of(pb), flags_of(pa));
		}
		cr_assert(json_equal(json_object_get(c, "bits_set"), ws), "bits_set of %s",
		          tj_str(p, "value_name"));
		cr_assert(json_equal(json_object_get(c, "bits_cleared"), wc), "bits_cleared of %s",
		          tj_str(p, "value_name"));
		set += json_array_size(ws) > 0;
		cleared += json_array_size(wc) > 0;
		json_decref(ws);
		json_decref(wc);
	}
	cr_assert(kinds[0] == 1 && kinds[1] == 1 && kinds[2] == 3, "one added, one removed");
	cr_assert(set == 1 && cleared == 1, "one change sets a bit, one clears one");
	json_decref(o);

	/* The other way round: added and removed swap, and so do the bits. */
	TU_CLI_EXPECT(3, "diff", "--json", after, hive);
	o = tj_line(tu_last.out, 0);
	json_t *back = json_object_get(o, "changes");
	cr_assert_eq(json_array_size(back), json_array_size(planned));
	json_array_foreach(back, i, p)
	{
		const char *ch = tj_str(p, "change");
		if (strcmp(tj_str(p, "value_name"), "00036601") == 0)
			cr_assert_eq(json_array_size(json_object_get(p, "bits_cleared")), 1);
		if (strcmp(ch, "added") == 0)
			cr_assert(json_is_null(json_object_get(p, "before")));
	}
	json_decref(o);

	/* Text: a line per change, the flag names of the bits. */
	TU_CLI_EXPECT(3, "diff", hive, after);
	cr_assert(strstr(tu_last.out, "bits set: CONFIG_OST_CACHE_PRIVATE") != NULL, "%s",
	          tu_last.out);
	cr_assert(strstr(tu_last.out, "cleared: TRANSPORT_UPLOAD") != NULL, "%s", tu_last.out);
	cr_assert_eq(tu_count_lines(tu_last.out), 2 + 2 + 5 + 2, "%s", tu_last.out);
	tu_snap_assert_same(&sa, hive);
	tu_snap_assert_same(&sb, after);
	json_decref(plan);
	free(hive);
	free(after);
	free(rec);
}

Test(cli_diff, filters_by_profile_and_section)
{
	char *hive = tu_stage_built(EXCH), *after = tu_tmp_path("after.dat");
	char *rec = tu_tmp_write("every-kind.recipe", recipe, strlen(recipe));
	TU_CLI_EXPECT(0, "apply", "-o", after, rec, hive);
	TU_CLI_EXPECT(3, "diff", "--section", "global", hive, after);
	TU_CLI_EXPECT(0, "diff", "--section", "emsmdb", hive, after);
	TU_CLI_EXPECT(0, "diff", "--profile", "Personal", hive, after);
	TU_CLI_EXPECT(3, "diff", "--profile", "exchange", "--section", "global", hive, after);
	TU_CLI_EXPECT(1, "diff", "--profile", "No Such Profile", hive, after);
	cr_assert(strstr(tu_last.err, "No Such Profile") != NULL, "%s", tu_last.err);
	free(hive);
	free(after);
	free(rec);
}

Test(cli_diff, hive_against_its_export_is_same_and_an_edit_shows)
{
	char *hive = tu_stage_built(EXCH), *reg = tu_tmp_path("export.reg");
	TU_CLI_EXPECT(0, "export", "--all-profiles", "-o", reg, hive);
	TU_CLI_EXPECT(0, "diff", hive, reg);
	TU_CLI_EXPECT(0, "diff", reg, hive);
	/* The .reg file patched in place; the hive left as it was. */
	TU_CLI_EXPECT(0, "edit", "-e",
	              "global PR_PROFILE_CONNECT_FLAGS += CONNECT_USE_SEPARATE_CONNECTION", reg);
	struct tu_snap s = tu_snap_take(reg);
	TU_CLI_EXPECT(3, "diff", "--json", hive, reg);
	json_t *o = tj_line(tu_last.out, 0);
	cr_assert_str_eq(tj_str(json_object_get(o, "a"), "format"), "regf");
	cr_assert_str_eq(tj_str(json_object_get(o, "b"), "format"), "reg");
	json_t *changes = json_object_get(o, "changes");
	cr_assert_eq(json_array_size(changes), 1, "%s", tu_last.out);
	json_t *c = json_array_get(changes, 0);
	cr_assert_str_eq(tj_str(c, "change"), "changed");
	cr_assert_str_eq(tj_str(c, "name"), "PR_PROFILE_CONNECT_FLAGS");
	cr_assert_str_eq(tj_str(c, "value_name"), "00036604");
	json_t *set = json_object_get(c, "bits_set");
	cr_assert_eq(json_array_size(set), 1);
	cr_assert_str_eq(json_string_value(json_array_get(set, 0)),
	                 "CONNECT_USE_SEPARATE_CONNECTION");
	cr_assert_eq(json_array_size(json_object_get(c, "bits_cleared")), 0);
	cr_assert_eq(tj_int(json_object_get(c, "after"), "value") &
	                 ~tj_int(json_object_get(c, "before"), "value"),
	             tj_int(json_object_get(c, "after"), "value") -
	                 tj_int(json_object_get(c, "before"), "value"),
	             "one bit added");
	json_decref(o);
	tu_snap_assert_same(&s, reg);
	free(hive);
	free(reg);
}

Test(cli_diff, dirty_hive_against_its_recovered_state)
{
	/* A dirty primary whose log holds one edit (logmaker): read with its
	 * logs replayed it is the edited hive; its primary alone (--no-logs)
	 * differs from the hive recover writes by exactly that edit. */
	char *clean = tu_stage_built(EXCH), *changed = tu_tmp_path("changed.dat");
	char *dirty = tu_tmp_path("NTUSER.DAT"), *rec = tu_tmp_path("recovered.dat");
	TU_CLI_EXPECT(0, "edit", "-e", "global PR_PROFILE_HOME_SERVER = EXCH09", "-o", changed,
	              clean);
	cr_assert_eq(lm_make_dirty(clean, changed, dirty), 0, "logmaker: %s", lm_error());
	struct tu_snap s = tu_snap_take(dirty);
	TU_CLI_EXPECT(0, "recover", "-o", rec, dirty);
	TU_CLI_EXPECT(0, "diff", dirty, rec);
	TU_CLI_EXPECT(0, "diff", dirty, changed);
	TU_CLI_EXPECT(3, "diff", "--json", "--no-logs", dirty, rec);
	json_t *o = tj_line(tu_last.out, 0);
	cr_assert_str_eq(tj_str(json_object_get(o, "a"), "state"), "primary");
	json_t *changes = json_object_get(o, "changes");
	cr_assert_eq(json_array_size(changes), 1, "%s", tu_last.out);
	json_t *c = json_array_get(changes, 0);
	cr_assert_str_eq(tj_str(c, "name"), "PR_PROFILE_HOME_SERVER");
	cr_assert_str_eq(tj_str(json_object_get(c, "after"), "value"), "EXCH09");
	json_decref(o);
	tu_snap_assert_same(&s, dirty);
	free(clean);
	free(changed);
	free(dirty);
	free(rec);
}

Test(cli_diff, profile_only_on_one_side)
{
	char *hive = tu_stage_built(EXCH), *after = tu_tmp_path("after.dat");
	TU_CLI_EXPECT(0, "profile", "delete", "Personal", "-o", after, hive);
	TU_CLI_EXPECT(3, "diff", "--json", hive, after);
	json_t *o = tj_line(tu_last.out, 0);
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(o, "changes"), i, c)
	{
		cr_assert_str_eq(tj_str(c, "profile"), "Personal");
		cr_assert_str_eq(tj_str(c, "change"), "removed");
		cr_assert(json_is_null(json_object_get(c, "after")));
	}
	cr_assert_gt(json_array_size(json_object_get(o, "changes")), 0);
	json_decref(o);
	TU_CLI_EXPECT(3, "diff", "--json", after, hive);
	o = tj_line(tu_last.out, 0);
	json_array_foreach(json_object_get(o, "changes"), i, c)
	    cr_assert_str_eq(tj_str(c, "change"), "added");
	json_decref(o);
	free(hive);
	free(after);
}

Test(cli_diff, usage_errors_exit_2)
{
	char *hive = tu_stage_built(EXCH);
	TU_CLI_EXPECT(2, "diff");
	TU_CLI_EXPECT(2, "diff", hive);
	TU_CLI_EXPECT(2, "diff", hive, hive, hive);
	TU_CLI_EXPECT(2, "diff", "--section", "no:such:selector", hive, hive);
	TU_CLI_EXPECT(2, "diff", "--bogus", hive, hive);
	TU_CLI_EXPECT(2, "diff", "--codepage", "NO-SUCH-CODEPAGE", hive, hive);
	free(hive);
}

Test(cli_diff, bad_files_exit_1)
{
	char *hive = tu_stage_built(EXCH), *missing = tu_tmp_path("missing.dat");
	char *junk =
	    tu_tmp_write("junk.reg", "Windows Registry Editor Version 5.00\n\n[broken\n", 47);
	struct tu_snap s = tu_snap_take(junk);
	TU_CLI_EXPECT(1, "diff", hive, missing);
	cr_assert(strstr(tu_last.err, missing) != NULL, "%s", tu_last.err);
	TU_CLI_EXPECT(1, "diff", missing, hive);
	TU_CLI_EXPECT(1, "diff", hive, junk);
	cr_assert(strstr(tu_last.err, junk) != NULL, "%s", tu_last.err);
	TU_CLI_EXPECT(1, "diff", "--json", junk, hive);
	json_t *o = tj_line(tu_last.out, 0);
	cr_assert_str_eq(tj_str(o, "file"), junk);
	json_decref(o);
	tu_snap_assert_same(&s, junk);
	free(hive);
	free(missing);
	free(junk);
}
