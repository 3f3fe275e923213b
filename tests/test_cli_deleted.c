/* test_cli_deleted.c - list --deleted and show --deleted on copies of the
 * fixture hives whose profiles, sections and values were deleted or
 * rewritten by the project's own writers (profile delete, edit ... unset)
 * and by hivex (hivexsh setval / del): each recovered key and value is
 * found with the parent, last-write time and decoded value it had, read
 * before the change by show --json; a .reg file has nothing to recover;
 * the input is never changed. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testjson.h"
#include "testutil.h"

#define EXCH "exchange-mapi.dat"
#define WMS_ROOT                                                                                   \
	"Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles"
#define GLOBAL   "13dbb0c8aa05101a9bb000aa002fc45a"
#define PROVIDER "33f642b74c6f5f0ade2adfe3ca98a66c"
#define SERVICE  "570e782c6d99b09e2912e61a460c0425"
#define HIVEXSH  "/usr/bin/hivexsh"

TestSuite(cli_deleted, .init = tu_setup, .fini = tu_teardown);

/* The "deleted" array of `show --deleted --json file` (a new reference). */
static json_t *
deleted_of(const char *file)
{
	json_t *o = TJ_CLI("show", "--deleted", "--json", file);
	json_t *d = json_object_get(o, "deleted");
	cr_assert(json_is_array(d), "no deleted array: %s", tu_last.out);
	json_incref(d);
	json_decref(o);
	return d;
}

/* The recovered key of that path, or NULL. */
static json_t *
key_at(json_t *deleted, const char *path)
{
	size_t i;
	json_t *k;
	json_array_foreach(deleted, i, k)
	{
		json_t *p = json_object_get(k, "path");
		if (json_is_string(p) && strcmp(json_string_value(p), path) == 0)
			return k;
	}
	return NULL;
}

/* The "sections" of profile name in `show --json --profile name file`. */
static json_t *
sections_before(const char *file, const char *name)
{
	json_t *o = TJ_CLI("show", "--json", "--profile", name, file);
	json_t *s = tj_first_sections(o);
	json_incref(s);
	json_decref(o);
	return s;
}

/* Asserts that every property of the live section sec (as show --json
 * gave it) is among the recovered key's properties with the same type and
 * decoded value, marked deleted. */
static void
assert_props_recovered(json_t *sec, json_t *key)
{
	json_t *want = json_object_get(sec, "properties"),
	       *got = json_object_get(key, "properties");
	size_t i;
	json_t *p;
	cr_assert_eq(json_array_size(got), json_array_size(want), "%s: %zu values, want %zu",
	             tj_str(key, "path"), json_array_size(got), json_array_size(want));
	json_array_foreach(want, i, p)
	{
		json_t *r = tj_find(got, "value_name", tj_str(p, "value_name"));
		cr_assert(json_equal(json_object_get(r, "value"), json_object_get(p, "value")),
		          "%s %s: value differs", tj_str(key, "path"), tj_str(p, "value_name"));
		cr_assert(json_equal(json_object_get(r, "type"), json_object_get(p, "type")));
		cr_assert(
		    json_equal(json_object_get(r, "reg_type"), json_object_get(p, "reg_type")));
		cr_assert(json_is_true(json_object_get(r, "deleted")));
		cr_assert(json_is_false(json_object_get(r, "earlier")));
	}
}

/* Runs hivexsh -w with the script on hive (hivex's own writer). */
static void
hivexsh(const char *hive, const char *script)
{
	char *sp = tu_tmp_write("script.hivexsh", script, strlen(script));
	char *argv[] = {(char *)HIVEXSH, (char *)"-w", (char *)"-f", sp, (char *)hive, NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_eq(r.status, 0, "hivexsh: %s", r.err);
	tu_run_free(&r);
	free(sp);
}

/* reglookup's output for the hive (an independent parser). */
static char *
reglookup(const char *hive)
{
	return tu_tool_out("/usr/bin/reglookup", hive);
}

/* ---- a profile deleted by mapiprof profile delete (hivex) -------------------- */

Test(cli_deleted, deleted_profile_and_its_sections_with_values_and_times)
{
	char *h = tu_stage_built(EXCH);
	json_t *before = sections_before(h, "Personal");
	cr_assert_gt(json_array_size(before), 0);
	TU_CLI_EXPECT(0, "profile", "delete", "Personal", h);
	char *rl = reglookup(h);
	cr_assert_null(strstr(rl, "/Profiles/Personal"), "reglookup still sees Personal");
	free(rl);

	struct tu_snap snap = tu_snap_take(h);
	json_t *d = deleted_of(h);
	json_t *pk = key_at(d, WMS_ROOT "\\Personal");
	cr_assert_not_null(pk, "profile key not recovered: %s", tu_last.out);
	cr_assert(json_is_true(json_object_get(pk, "deleted")));
	cr_assert(json_is_false(json_object_get(pk, "orphan")));
	cr_assert_str_eq(tj_str(pk, "role"), "profile");
	cr_assert_str_eq(tj_str(pk, "profile"), "Personal");
	cr_assert_str_eq(tj_str(pk, "root"), WMS_ROOT);
	size_t i;
	json_t *sec;
	json_array_foreach(before, i, sec)
	{
		char path[512];
		snprintf(path, sizeof(path), WMS_ROOT "\\Personal\\%s", tj_str(sec, "uid"));
		json_t *k = key_at(d, path);
		cr_assert_not_null(k, "section %s not recovered", path);
		cr_assert(json_is_true(json_object_get(k, "deleted")));
		cr_assert_str_eq(tj_str(k, "section"), tj_str(sec, "uid"));
		cr_assert_str_eq(tj_str(k, "last_write"), tj_str(sec, "last_write"));
		cr_assert_str_eq(tj_str(k, "role"), tj_str(sec, "role"));
		assert_props_recovered(sec, k);
	}
	/* Nothing of the live profile is reported. */
	json_t *k;
	json_array_foreach(d, i, k) cr_assert(json_is_null(json_object_get(k, "profile")) ||
	                                          strcmp(tj_str(k, "profile"), "Personal") == 0,
	                                      "unexpected key %s", tj_str(k, "path"));
	json_decref(d);

	/* list --deleted: the profile, marked, with its counts. */
	json_t *l = TJ_CLI("list", "--deleted", "--json", h);
	json_t *ld = tj_find(json_object_get(l, "deleted"), "name", "Personal");
	cr_assert(json_is_true(json_object_get(ld, "deleted")));
	cr_assert_eq(tj_int(ld, "keys"), (json_int_t)json_array_size(before) + 1);
	json_decref(l);
	TU_CLI_EXPECT(0, "list", "--deleted", h);
	cr_assert_not_null(strstr(tu_last.out, "profile: Personal [deleted]\n"), "%s", tu_last.out);
	TU_CLI_EXPECT(0, "show", "--deleted", "--profile", "Personal", h);
	cr_assert_not_null(strstr(tu_last.out, "\\Personal [deleted]\n    role: profile"), "%s",
	                   tu_last.out);
	cr_assert_not_null(
	    strstr(tu_last.out, "    [deleted] 001e3001  0x3001001e  PR_DISPLAY_NAME"), "%s",
	    tu_last.out);
	/* A name neither live nor deleted is still an error. */
	TU_CLI_EXPECT(1, "show", "--deleted", "--profile", "Nowhere", h);
	tu_snap_assert_same(&snap, h);
	json_decref(before);
	free(h);
}

/* ---- a value deleted by mapiprof edit (the in-place patcher) ------------------- */

Test(cli_deleted, value_unset_by_edit_is_found_under_its_live_section)
{
	char *h = tu_stage_built(EXCH);
	json_t *before = sections_before(h, "Exchange");
	json_t *old = tj_find(json_object_get(tj_find(before, "uid", GLOBAL), "properties"),
	                      "value_name", "00036606");
	TU_CLI_EXPECT(0, "edit", "--profile", "Exchange", "-e", "global 00036606 unset", h);
	json_t *after = sections_before(h, "Exchange");
	json_t *live = tj_find(after, "uid", GLOBAL);

	json_t *d = deleted_of(h);
	json_t *k = key_at(d, WMS_ROOT "\\Exchange\\" GLOBAL);
	cr_assert_not_null(k, "%s", tu_last.out);
	cr_assert(json_is_false(json_object_get(k, "deleted")));
	cr_assert_str_eq(tj_str(k, "role"), "global");
	/* The key's time is the live key's, as the edit stamped it. */
	cr_assert_str_eq(tj_str(k, "last_write"), tj_str(live, "last_write"));
	cr_assert_str_neq(tj_str(k, "last_write"), "2024-01-01T00:00:00Z");
	json_t *p = tj_find(json_object_get(k, "properties"), "value_name", "00036606");
	cr_assert(json_equal(json_object_get(p, "value"), json_object_get(old, "value")));
	cr_assert_str_eq(tj_str(p, "name"), "PR_PROFILE_UI_STATE");
	cr_assert(json_is_true(json_object_get(p, "deleted")));
	cr_assert(json_is_false(json_object_get(p, "earlier")));
	cr_assert_eq(json_array_size(json_object_get(k, "properties")), 1);
	json_decref(d);
	json_decref(before);
	json_decref(after);
	free(h);
}

/* ---- values rewritten and a section deleted by hivex ------------------------------ */

Test(cli_deleted, hivex_rewrite_leaves_earlier_versions_and_deleted_section)
{
	char *h = tu_stage_built(EXCH);
	json_t *before = sections_before(h, "Exchange");
	json_t *prov = tj_find(before, "uid", PROVIDER);
	json_t *svc = tj_find(before, "uid", SERVICE);
	char script[1024];
	snprintf(script, sizeof(script),
	         "cd \\" WMS_ROOT "\\Exchange\\" PROVIDER "\n"
	         "setval 1\n001e3001\nstring:Renamed\n"
	         "cd ..\ncd " SERVICE "\ndel\ncommit\n");
	hivexsh(h, script);

	json_t *d = deleted_of(h);
	json_t *k = key_at(d, WMS_ROOT "\\Exchange\\" PROVIDER);
	cr_assert_not_null(k, "%s", tu_last.out);
	cr_assert(json_is_false(json_object_get(k, "deleted")));
	json_t *props = json_object_get(k, "properties");
	json_t *was = json_object_get(prov, "properties");
	cr_assert_eq(json_array_size(props), json_array_size(was));
	size_t i;
	json_t *p;
	json_array_foreach(was, i, p)
	{
		json_t *r = tj_find(props, "value_name", tj_str(p, "value_name"));
		cr_assert(json_equal(json_object_get(r, "value"), json_object_get(p, "value")));
		/* The one value the key still has is an earlier version of it. */
		int earlier = strcmp(tj_str(p, "value_name"), "001e3001") == 0;
		cr_assert_eq(json_is_true(json_object_get(r, "earlier")), earlier, "%s",
		             tj_str(p, "value_name"));
	}
	json_t *s = key_at(d, WMS_ROOT "\\Exchange\\" SERVICE);
	cr_assert_not_null(s);
	cr_assert(json_is_true(json_object_get(s, "deleted")));
	cr_assert_str_eq(tj_str(s, "role"), "service");
	assert_props_recovered(svc, s);
	TU_CLI_EXPECT(0, "show", "--deleted", "--section", PROVIDER, h);
	cr_assert_not_null(
	    strstr(tu_last.out,
	           "    [deleted, earlier version] 001e3001  0x3001001e  PR_DISPLAY_NAME"),
	    "%s", tu_last.out);
	cr_assert_null(strstr(tu_last.out, SERVICE " [deleted]"), "--section filters");
	json_decref(d);
	json_decref(before);
	free(h);
}

/* ---- inputs with nothing to recover --------------------------------------------- */

Test(cli_deleted, reg_file_has_nothing_to_recover)
{
	char *reg = tu_fixture_src("exchange-mapi.reg");
	TU_CLI_EXPECT(0, "list", "--deleted", reg);
	cr_assert_not_null(strstr(tu_last.out, "deleted: nothing to recover"), "%s", tu_last.out);
	TU_CLI_EXPECT(0, "show", "--deleted", reg);
	cr_assert_not_null(strstr(tu_last.out, "deleted: nothing to recover"), "%s", tu_last.out);
	json_t *o = TJ_CLI("show", "--deleted", "--json", reg);
	cr_assert_eq(json_array_size(json_object_get(o, "deleted")), 0);
	cr_assert_str_eq(tj_str(o, "deleted_note"), "a .reg file keeps no deleted data");
	json_decref(o);
	free(reg);
}

Test(cli_deleted, fresh_fixture_hive_recovers_nothing)
{
	char *h = tu_stage_built(EXCH);
	json_t *d = deleted_of(h);
	cr_assert_eq(json_array_size(d), 0, "%s", tu_last.out);
	json_decref(d);
	TU_CLI_EXPECT(0, "list", "--deleted", h);
	cr_assert_not_null(strstr(tu_last.out, "deleted: nothing recovered\n"), "%s", tu_last.out);
	free(h);
}

/* ---- a deleted copy whose values equal a live profile's -------------------------- */

Test(cli_deleted, deleted_copy_is_told_from_the_live_original)
{
	char *h = tu_stage_built("outlook2016-two-accounts.dat");
	json_t *before = sections_before(h, "Work");
	TU_CLI_EXPECT(0, "profile", "copy", "Work", "Old", h);
	TU_CLI_EXPECT(0, "profile", "delete", "Old", h);
	json_t *d = deleted_of(h);
	size_t i;
	json_t *sec;
	json_array_foreach(before, i, sec)
	{
		char path[512];
		snprintf(path, sizeof(path),
		         "Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles\\Old\\%s",
		         tj_str(sec, "uid"));
		json_t *k = key_at(d, path);
		cr_assert_not_null(k, "section %s not recovered", path);
		assert_props_recovered(sec, k);
	}
	/* The live profile it was copied from holds no recovered value. */
	json_t *k;
	json_array_foreach(d, i, k)
	    cr_assert_str_eq(tj_str(k, "profile"), "Old", "%s", tj_str(k, "path"));
	json_decref(d);
	json_decref(before);
	free(h);
}

/* ---- a broken parent chain: placed as far as it holds ---------------------------- */

Test(cli_deleted, broken_parent_chain_gives_orphans_with_partial_paths)
{
	char *h = tu_stage_built(EXCH);
	TU_CLI_EXPECT(0, "profile", "delete", "Personal", h);
	json_t *d = deleted_of(h);
	json_t *pk = key_at(d, WMS_ROOT "\\Personal");
	cr_assert_not_null(pk);
	json_int_t off = tj_int(pk, "offset");
	json_decref(d);
	/* The freed profile nk's parent offset (nk +4 +16) now points past the
	 * hive bins: its sections still chain up to it, no further. */
	size_t len = 0;
	char *img = tu_read(h, &len);
	cr_assert((size_t)off + 24 <= len);
	memcpy(img + off + 20, "\xf0\xff\xff\x7f", 4);
	cr_assert_eq(tu_write(h, img, len), 0);
	free(img);
	d = deleted_of(h);
	json_t *orph = key_at(d, "?\\Personal\\" GLOBAL);
	cr_assert_not_null(orph, "%s", tu_last.out);
	cr_assert(json_is_true(json_object_get(orph, "orphan")));
	cr_assert(json_is_null(json_object_get(orph, "profile")));
	cr_assert_str_eq(tj_str(orph, "role"), "global");
	cr_assert_null(key_at(d, WMS_ROOT "\\Personal"));
	/* Orphans come after every placed key. */
	json_t *last = json_array_get(d, json_array_size(d) - 1);
	cr_assert(json_is_true(json_object_get(last, "orphan")));
	TU_CLI_EXPECT(0, "show", "--deleted", h);
	cr_assert_not_null(strstr(tu_last.out, "  orphan: ?\\Personal\\" GLOBAL " [deleted]\n"),
	                   "%s", tu_last.out);
	json_decref(d);
	free(h);
}

/* ---- an edit written through hivex (hivexregedit --merge) ------------------------ */

Test(cli_deleted, edit_through_hivex_leaves_the_earlier_version_only)
{
	char *h = tu_stage_built(EXCH);
	/* hivex rewrites every value of the emsab key to change one (its
	 * hivex_node_set_value replaces the whole value list). */
	static const char reg[] =
	    "Windows Registry Editor Version 5.00\r\n\r\n"
	    "[\\" WMS_ROOT "\\Exchange\\dca740c8c042101ab4b908002b2fe182]\r\n"
	    "\"001e6602\"=hex:67,63,30,32,2e,63,6f,6e,74,6f,73,6f,2e,65,78,61,6d,70,6c,65,2e,63,"
	    "6f,6d,00\r\n";
	char *rp = tu_tmp_write("merge.reg", reg, strlen(reg));
	char *argv[] = {(char *)"/usr/bin/hivexregedit", (char *)"--merge", (char *)h, rp, NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_eq(r.status, 0, "hivexregedit: %s", r.err);
	tu_run_free(&r);
	free(rp);
	TU_CLI_EXPECT(0, "get", "--section", "emsab", "PR_PROFILE_HOME_SERVER", h);
	cr_assert_str_eq(tu_last.out, "gc02.contoso.example.com\n");
	json_t *d = deleted_of(h);
	cr_assert_eq(json_array_size(d), 1, "%s", tu_last.out);
	json_t *k = key_at(d, WMS_ROOT "\\Exchange\\dca740c8c042101ab4b908002b2fe182");
	cr_assert_not_null(k, "%s", tu_last.out);
	cr_assert_str_eq(tj_str(k, "role"), "emsab");
	json_t *props = json_object_get(k, "properties");
	/* The unchanged values' old cells equal the live ones: not shown. */
	cr_assert_eq(json_array_size(props), 1, "%s", tu_last.out);
	json_t *p = json_array_get(props, 0);
	cr_assert_str_eq(tj_str(p, "value_name"), "001e6602");
	cr_assert_str_eq(tj_str(p, "value"), "gc01.contoso.com");
	cr_assert(json_is_true(json_object_get(p, "earlier")));
	json_decref(d);
	free(h);
}
