/* test_cli_profile.c - mapiprof profile default|copy|rename|delete on copies
 * of the fixture hives and .reg files: results read back by reglookup (an
 * independent parser) and by list/show --json, DefaultProfile following a
 * rename and cleared by a delete, --replace, --check, idempotence, invalid
 * names, and a .reg file changed only in the key blocks concerned. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testjson.h"
#include "testutil.h"

#define OL2016  "outlook2016-two-accounts.dat"
#define MULTI   "multi-root.dat"
#define OL_ROOT "/Software/Microsoft/Office/16.0/Outlook"

TestSuite(cli_profile, .init = tu_setup, .fini = tu_teardown);

/* ---- helpers -------------------------------------------------------------- */

/* 1 when hay[0..n) holds needle[0..m). */
static int
has_bytes(const void *hay, size_t n, const void *needle, size_t m)
{
	for (size_t i = 0; m <= n && i <= n - m; i++)
		if (memcmp((const char *)hay + i, needle, m) == 0)
			return 1;
	return 0;
}

/* reglookup's records (path,type,value without the time) below prefix,
 * with from replaced by to in each path; one per line, malloc'd. */
static char *
reglookup_under(const char *hive, const char *prefix, const char *from, const char *to)
{
	char *argv[] = {"/usr/bin/reglookup", "-H", "-p", (char *)prefix, (char *)hive, NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_eq(r.status, 0, "reglookup: %s", r.err);
	size_t cap = r.outlen * 2 + 1, len = 0;
	char *out = calloc(1, cap);
	for (char *line = strtok(r.out, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		char *last = strrchr(line, ',');
		if (last != NULL)
			*last = '\0';
		char *at = from != NULL ? strstr(line, from) : NULL;
		if (at != NULL)
			len += (size_t)snprintf(out + len, cap - len, "%.*s%s%s\n",
			                        (int)(at - line), line, to, at + strlen(from));
		else
			len += (size_t)snprintf(out + len, cap - len, "%s\n", line);
	}
	tu_run_free(&r);
	return out;
}

/* The "profiles" entry named name of `show --json --profile name file`,
 * with its name and default flag removed (what a copy does not keep). */
static json_t *
shown_profile(const char *file, const char *name)
{
	json_t *o = TJ_CLI("show", "--json", "--profile", name, file);
	json_t *p = json_incref(json_array_get(json_object_get(o, "profiles"), 0));
	cr_assert_not_null(p);
	json_object_del(p, "name");
	json_object_del(p, "default");
	json_decref(o);
	return p;
}

/* The names of list --json's profiles, "name*" for the default, joined
 * by '|'; malloc'd. */
static char *
profile_names(const char *file)
{
	json_t *o = TJ_CLI("list", "--json", file);
	json_t *ps = json_object_get(o, "profiles");
	char *out = calloc(1, 4096);
	size_t i;
	json_t *p;
	json_array_foreach(ps, i, p)
	{
		strcat(out, i > 0 ? "|" : "");
		strcat(out, tj_str(p, "name"));
		strcat(out, json_is_true(json_object_get(p, "default")) ? "*" : "");
	}
	json_decref(o);
	return out;
}

static void
assert_names(const char *file, const char *want)
{
	char *got = profile_names(file);
	cr_assert_str_eq(got, want);
	free(got);
}

/* The DefaultProfile record reglookup reads below key ("" when absent). */
static char *
default_value(const char *hive, const char *key)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/DefaultProfile", key);
	return reglookup_under(hive, path, NULL, NULL);
}

/* ---- default ---------------------------------------------------------------- */

Test(cli_profile, default_sets_the_value_and_a_second_run_changes_nothing)
{
	char *f = tu_stage_built(MULTI);
	assert_names(f, "O16 Default*|Shared|O15 Default*|O15 Other|Shared|WmsDefault*|"
	                "Win9x Default*");
	TU_CLI_EXPECT(3, "profile", "default", "--check", "o15 other", f);
	TU_CLI_EXPECT(0, "profile", "default", "o15 other", f);
	char *v = default_value(f, "/SOFTWARE/Microsoft/Office/15.0/Outlook");
	cr_assert_str_eq(v,
	                 "/SOFTWARE/Microsoft/Office/15.0/Outlook/DefaultProfile,SZ,O15 Other\n");
	free(v);
	assert_names(f, "O16 Default*|Shared|O15 Default|O15 Other*|Shared|WmsDefault*|"
	                "Win9x Default*");
	struct tu_snap s = tu_snap_take(f);
	TU_CLI_EXPECT(0, "profile", "default", "O15 Other", f);
	cr_assert_not_null(strstr(tu_last.out, "unchanged"), "%s", tu_last.out);
	TU_CLI_EXPECT(0, "profile", "default", "--check", "O15 Other", f);
	tu_snap_assert_same(&s, f);
	free(f);
}

Test(cli_profile, default_of_a_wms_profile_is_in_the_profiles_key)
{
	char *f = tu_stage_built(MULTI);
	TU_CLI_EXPECT(0, "profile", "default", "--wms", "shared", f);
	char *v = default_value(f, "/SOFTWARE/Microsoft/Windows NT/CurrentVersion/Windows "
	                           "Messaging Subsystem/Profiles");
	cr_assert_not_null(strstr(v, "DefaultProfile,SZ,Shared\n"), "%s", v);
	free(v);
	assert_names(f, "O16 Default*|Shared|O15 Default*|O15 Other|Shared*|WmsDefault|"
	                "Win9x Default*");
	free(f);
}

/* ---- delete ----------------------------------------------------------------- */

Test(cli_profile, delete_of_the_default_clears_DefaultProfile_and_says_so)
{
	char *f = tu_stage_built(OL2016);
	char *before = reglookup_under(f, OL_ROOT "/Profiles/Work", NULL, NULL);
	cr_assert_gt(strlen(before), 100);
	free(before);
	TU_CLI_EXPECT(3, "profile", "delete", "--check", "WORK", f);
	TU_CLI_EXPECT(0, "profile", "delete", "WORK", f);
	cr_assert_not_null(strstr(tu_last.err, "DefaultProfile is deleted"), "%s", tu_last.err);
	/* Plan lines read as a property's: the file, the key, the change. */
	char want[4096];
	snprintf(want, sizeof(want),
	         "%s: Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles\\Work: delete key "
	         "(and everything below it)\n",
	         f);
	cr_assert_not_null(strstr(tu_last.out, want), "%s", tu_last.out);
	snprintf(want, sizeof(want),
	         "%s: Software\\Microsoft\\Office\\16.0\\Outlook: DefaultProfile: \"Work\" "
	         "\xe2\x86\x92 (deleted)\n",
	         f);
	cr_assert_not_null(strstr(tu_last.out, want), "%s", tu_last.out);
	char *after = reglookup_under(f, OL_ROOT, NULL, NULL);
	cr_assert_null(strstr(after, "/Profiles/Work"), "%s", after);
	cr_assert_null(strstr(after, "DefaultProfile"), "%s", after);
	cr_assert_not_null(strstr(after, OL_ROOT "/Profiles,KEY"), "%s", after);
	free(after);
	TU_CLI("list", f);
	cr_assert_not_null(strstr(tu_last.out, "profiles: none"), "%s", tu_last.out);
	TU_CLI_EXPECT(1, "profile", "delete", "Work", f);
	free(f);
}

Test(cli_profile, delete_picks_the_root_by_office_or_wms)
{
	char *f = tu_stage_built(MULTI);
	TU_CLI_EXPECT(0, "profile", "delete", "--wms", "Shared", f);
	assert_names(f, "O16 Default*|Shared|O15 Default*|O15 Other|WmsDefault*|Win9x Default*");
	/* Without a root: the newest root holding the name, as --profile. */
	TU_CLI_EXPECT(0, "profile", "delete", "Shared", f);
	assert_names(f, "O16 Default*|O15 Default*|O15 Other|WmsDefault*|Win9x Default*");
	TU_CLI_EXPECT(1, "profile", "delete", "--office", "16.0", "O15 Other", f);
	cr_assert_not_null(strstr(tu_last.err, "no profile named 'O15 Other' in the Office 16.0"));
	free(f);
}

Test(cli_profile, delete_emits_a_minus_key_block)
{
	char *f = tu_stage_built(OL2016);
	char *reg = tu_tmp_path("undo.reg");
	TU_CLI_EXPECT(0, "profile", "delete", "--dry-run", "--emit-reg", reg, "Work", f);
	size_t len = 0, wlen = 0;
	char *text = tu_read(reg, &len);
	uint8_t *want = tu_utf16_bom("[-HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\16.0\\"
	                             "Outlook\\Profiles\\Work]\r\n",
	                             &wlen);
	cr_assert(has_bytes(text, len, want + 2, wlen - 2));
	free(want);
	want = tu_utf16_bom("\"DefaultProfile\"=-\r\n", &wlen);
	cr_assert(has_bytes(text, len, want + 2, wlen - 2));
	free(want);
	free(text);
	free(reg);
	free(f);
}

/* The sections of a copy (b) are new keys: each has the time of the write
 * as its last write time (not its source's in a), as Windows gives a key it
 * creates.  Checks that and removes the times from both. */
static void
drop_new_key_times(json_t *a, json_t *b)
{
	json_t *sa = json_object_get(a, "sections"), *sb = json_object_get(b, "sections");
	cr_assert_eq(json_array_size(sa), json_array_size(sb));
	for (size_t i = 0; i < json_array_size(sb); i++) {
		json_t *x = json_array_get(sa, i), *y = json_array_get(sb, i);
		const char *tx = json_string_value(json_object_get(x, "last_write"));
		const char *ty = json_string_value(json_object_get(y, "last_write"));
		cr_assert(tx != NULL && ty != NULL && strcmp(tx, ty) < 0,
		          "section %zu: copy written at %s, source at %s", i, ty, tx);
		json_object_del(x, "last_write");
		json_object_del(y, "last_write");
	}
}

/* ---- copy and rename ---------------------------------------------------------- */

Test(cli_profile, copy_on_a_hive_is_byte_for_byte)
{
	char *f = tu_stage_built(OL2016);
	TU_CLI_EXPECT(0, "profile", "copy", "Work", "Copy", f);
	char *src = reglookup_under(f, OL_ROOT "/Profiles/Work", "/Profiles/Work", "/Profiles/X");
	char *dst = reglookup_under(f, OL_ROOT "/Profiles/Copy", "/Profiles/Copy", "/Profiles/X");
	cr_assert_gt(strlen(src), 1000);
	cr_assert_str_eq(dst, src);
	free(src);
	free(dst);
	json_t *a = shown_profile(f, "Work"), *b = shown_profile(f, "Copy");
	drop_new_key_times(a, b);
	cr_assert(json_equal(a, b), "show --json of the copy differs");
	json_decref(a);
	json_decref(b);
	assert_names(f, "Copy|Work*");
	free(f);
}

Test(cli_profile, copy_refuses_an_existing_name_unless_replace)
{
	char *f = tu_stage_built(MULTI);
	struct tu_snap s = tu_snap_take(f);
	TU_CLI_EXPECT(1, "profile", "copy", "O16 Default", "SHARED", f);
	cr_assert_not_null(strstr(tu_last.err, "a profile named 'Shared' exists"), "%s",
	                   tu_last.err);
	TU_CLI_EXPECT(1, "profile", "copy", "O16 Default", "o16 default", f);
	tu_snap_assert_same(&s, f);
	TU_CLI_EXPECT(0, "profile", "copy", "--replace", "O16 Default", "Shared", f);
	assert_names(f, "O16 Default*|Shared|O15 Default*|O15 Other|Shared|WmsDefault*|"
	                "Win9x Default*");
	json_t *a = shown_profile(f, "O16 Default"), *b = shown_profile(f, "Shared");
	cr_assert(json_equal(a, b));
	json_decref(a);
	json_decref(b);
	free(f);
}

Test(cli_profile, rename_moves_the_default_with_it)
{
	char *f = tu_stage_built(OL2016);
	json_t *before = shown_profile(f, "Work");
	TU_CLI_EXPECT(0, "profile", "rename", "Work", "Home", f);
	assert_names(f, "Home*");
	char *v = default_value(f, OL_ROOT);
	cr_assert_str_eq(v, OL_ROOT "/DefaultProfile,SZ,Home\n");
	free(v);
	json_t *after = shown_profile(f, "Home");
	cr_assert(json_equal(before, after));
	json_decref(before);
	json_decref(after);
	free(f);
}

Test(cli_profile, invalid_names_are_usage_errors)
{
	char *f = tu_stage_built(OL2016);
	struct tu_snap s = tu_snap_take(f);
	TU_CLI_EXPECT(2, "profile", "default", "", f);
	TU_CLI_EXPECT(2, "profile", "copy", "Work", "a\\b", f);
	TU_CLI_EXPECT(2, "profile", "rename", "Work", "a\x01z", f);
	TU_CLI_EXPECT(2, "profile", "frobnicate", "Work", f);
	TU_CLI_EXPECT(2, "profile", "delete", "--replace", "Work", f);
	TU_CLI_EXPECT(1, "profile", "delete", "Nope", f);
	cr_assert_not_null(strstr(tu_last.err, "no profile named 'Nope'"));
	cr_assert_not_null(strstr(tu_last.err, OL2016));
	tu_snap_assert_same(&s, f);
	free(f);
}

Test(cli_profile, json_changes_have_kind_and_key)
{
	char *f = tu_stage_built(OL2016);
	json_t *o = TJ_CLI("profile", "rename", "--json", "--dry-run", "Work", "Home", f);
	json_t *ch = json_object_get(o, "changes");
	json_t *first = json_array_get(ch, 0), *last = json_array_get(ch, json_array_size(ch) - 1);
	cr_assert_str_eq(tj_str(first, "kind"), "key_add");
	cr_assert_str_eq(tj_str(first, "key"), "Software\\Microsoft\\Office\\16.0\\Outlook\\"
	                                       "Profiles\\Home");
	cr_assert_str_eq(tj_str(last, "kind"), "value");
	cr_assert_str_eq(tj_str(last, "value_name"), "DefaultProfile");
	json_t *del = tj_find(ch, "kind", "key_delete");
	cr_assert_str_eq(tj_str(del, "key"), "Software\\Microsoft\\Office\\16.0\\Outlook\\"
	                                     "Profiles\\Work");
	json_decref(o);
	free(f);
}

/* ---- .reg files ------------------------------------------------------------ */

/* The lines of text (split at '\n'), malloc'd array of malloc'd strings. */
static char **
lines_of(const char *text, size_t *n)
{
	char **v = calloc(tu_count_lines(text) + 2, sizeof(*v));
	*n = 0;
	for (const char *p = text; *p != '\0';) {
		const char *e = strchr(p, '\n');
		size_t len = e != NULL ? (size_t)(e - p) + 1 : strlen(p);
		v[(*n)++] = strndup(p, len);
		p += len;
	}
	return v;
}

/* Asserts that out is in with the blocks of keys at or below gone (a key
 * line starting with gone, its value, continuation and blank lines up to
 * the next comment or key line), the line from replaced by to (deleted
 * when to is NULL), and then
 * only lines of new blocks below added (key lines starting with added,
 * value, continuation and blank lines). */
static void
assert_reg_edit(const char *in, const char *out, const char *gone, const char *from, const char *to,
                const char *added)
{
	size_t ni = 0, no = 0, o = 0;
	char **li = lines_of(in, &ni), **lo = lines_of(out, &no);
	int skipping = 0;
	for (size_t i = 0; i < ni; i++) {
		if (li[i][0] == '[')
			skipping = strncmp(li[i], gone, strlen(gone)) == 0;
		if (li[i][0] == ';' && skipping) {
			/* A comment between value lines is inside the block. */
			size_t j = i + 1;
			while (j < ni && li[j][0] != '[' && li[j][0] != '"' && li[j][0] != '@')
				j++;
			skipping = j < ni && li[j][0] != '[';
		}
		if (skipping)
			continue;
		int hit = from != NULL && strcmp(li[i], from) == 0;
		if (hit && to == NULL)
			continue; /* the value was deleted */
		const char *want = hit ? to : li[i];
		cr_assert_lt(o, no, "output ends before input line %zu", i + 1);
		cr_assert_str_eq(lo[o], want, "input line %zu", i + 1);
		o++;
	}
	for (; o < no; o++) {
		int ok =
		    lo[o][0] != '[' || (added != NULL && strncmp(lo[o], added, strlen(added)) == 0);
		cr_assert(ok && lo[o][0] != ';', "unexpected line: %s", lo[o]);
	}
	for (size_t i = 0; i < ni; i++)
		free(li[i]);
	for (size_t i = 0; i < no; i++)
		free(lo[i]);
	free(li);
	free(lo);
}

#define REG_ROOT "[HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\16.0\\Outlook"

Test(cli_profile, rename_in_a_reg_file_changes_only_the_blocks_concerned)
{
	char *f = tu_stage(MP_FIXTURES_SRC "/outlook2016-two-accounts.reg", "p.reg");
	char *in = tu_read(f, NULL);
	TU_CLI_EXPECT(0, "profile", "rename", "Work", "Home", f);
	char *out = tu_read(f, NULL);
	assert_reg_edit(in, out, REG_ROOT "\\Profiles\\Work", "\"DefaultProfile\"=\"Work\"\n",
	                "\"DefaultProfile\"=\"Home\"\n", REG_ROOT "\\Profiles\\Home");
	assert_names(f, "Home*");
	char *orig = tu_stage(MP_FIXTURES_SRC "/outlook2016-two-accounts.reg", "orig.reg");
	json_t *a = shown_profile(orig, "Work"), *b = shown_profile(f, "Home");
	cr_assert(json_equal(a, b));
	json_decref(a);
	json_decref(b);
	free(orig);
	free(in);
	free(out);
	free(f);
}

Test(cli_profile, delete_in_a_reg_file_keeps_every_other_byte)
{
	char *f = tu_stage(MP_FIXTURES_SRC "/multi-root.reg", "m.reg");
	char *in = tu_read(f, NULL);
	TU_CLI_EXPECT(0, "profile", "delete", "--wms", "WmsDefault", f);
	char *out = tu_read(f, NULL);
	assert_reg_edit(in, out,
	                "[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows NT\\CurrentVersion\\"
	                "Windows Messaging Subsystem\\Profiles\\WmsDefault",
	                "\"DefaultProfile\"=\"WmsDefault\"\n", NULL, NULL);
	cr_assert_lt(strlen(out), strlen(in));
	TU_CLI_EXPECT(3, "profile", "copy", "--check", "--wms", "Shared", "New", f);
	free(in);
	free(out);
	free(f);
}
