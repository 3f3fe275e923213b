/* test_cli_import.c - mapiprof import: profiles of a regedit (UTF-16LE)
 * export and of mapiprof export's .reg brought into a hive without
 * profiles and into a .reg file, read back by reglookup and by show --json
 * (equal to the source's), the ignored keys listed, --as/--default/--office,
 * refusals and --replace. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testjson.h"
#include "testutil.h"

#define UTF16_EXPORT MP_FIXTURES_BUILD "/exchange-mapi-utf16.reg"

TestSuite(cli_import, .init = tu_setup, .fini = tu_teardown);

/* show --json's profile name of file (its "profiles"[0]) without name,
 * default flag and root, its sections as an object by uid without their
 * key times (a .reg file has none). */
static json_t *
shown(const char *file, const char *name)
{
	json_t *o = TJ_CLI("show", "--json", "--profile", name, file);
	json_t *p = json_incref(json_array_get(json_object_get(o, "profiles"), 0));
	cr_assert_not_null(p);
	json_object_del(p, "name");
	json_object_del(p, "default");
	json_object_del(p, "root");
	/* Sections by uid: a hive keeps subkeys sorted by name (regf "Subkeys
	 * list"), a .reg file in the order written. */
	json_t *secs = json_object_get(p, "sections"), *byuid = json_object();
	size_t i;
	json_t *sec;
	json_array_foreach(secs, i, sec)
	{
		json_object_del(sec, "last_write");
		json_object_set(byuid, tj_str(sec, "uid"), sec);
	}
	json_object_set_new(p, "sections", byuid);
	json_decref(o);
	return p;
}

static void
assert_same_profile(const char *a, const char *an, const char *b, const char *bn)
{
	json_t *x = shown(a, an), *y = shown(b, bn);
	cr_assert(json_equal(x, y), "%s '%s' and %s '%s' decode differently", a, an, b, bn);
	json_decref(x);
	json_decref(y);
}

/* reglookup's output for path in hive (header left out). */
static char *
reglookup(const char *hive, const char *path)
{
	char *argv[] = {"/usr/bin/reglookup", "-H", "-p", (char *)path, (char *)hive, NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_eq(r.status, 0, "reglookup: %s", r.err);
	char *out = r.out;
	r.out = NULL;
	tu_run_free(&r);
	return out;
}

Test(cli_import, a_regedit_export_into_a_hive_without_profiles)
{
	char *f = tu_stage_built("no-profiles.dat");
	TU_CLI("list", f);
	cr_assert_not_null(strstr(tu_last.out, "profiles: none"));
	TU_CLI_EXPECT(3, "import", "--check", "--profile", "Exchange", UTF16_EXPORT, f);
	TU_CLI_EXPECT(0, "import", "--profile", "Exchange", UTF16_EXPORT, f);
	/* The other profile of the export is named as not imported. */
	cr_assert_not_null(strstr(tu_last.err, "note: not imported: Software\\Microsoft\\Windows "
	                                       "NT\\CurrentVersion\\Windows Messaging "
	                                       "Subsystem\\Profiles\\Personal"),
	                   "%s", tu_last.err);
	assert_same_profile(UTF16_EXPORT, "Exchange", f, "Exchange");
	char *r = reglookup(f, "/Software/Microsoft/Windows NT/CurrentVersion/Windows Messaging "
	                       "Subsystem/Profiles/Exchange");
	cr_assert_gt(tu_count_lines(r), 20, "%s", r);
	free(r);
	/* Again: the profile exists now. */
	TU_CLI_EXPECT(1, "import", "--profile", "Exchange", UTF16_EXPORT, f);
	cr_assert_not_null(strstr(tu_last.err, "a profile named 'Exchange' exists"));
	TU_CLI_EXPECT(0, "import", "--replace", "--profile", "Exchange", UTF16_EXPORT, f);
	assert_same_profile(UTF16_EXPORT, "Exchange", f, "Exchange");
	free(f);
}

Test(cli_import, as_default_into_another_root_creates_the_root)
{
	char *f = tu_stage_built("no-profiles.dat");
	TU_CLI_EXPECT(0, "import", "--profile", "exchange", "--as", "Corp", "--default", "--office",
	              "15.0", UTF16_EXPORT, f);
	json_t *o = TJ_CLI("list", "--json", f);
	json_t *p = json_array_get(json_object_get(o, "profiles"), 0);
	cr_assert_str_eq(tj_str(p, "name"), "Corp");
	cr_assert(json_is_true(json_object_get(p, "default")));
	cr_assert_str_eq(tj_str(p, "root"), "Software\\Microsoft\\Office\\15.0\\Outlook\\Profiles");
	json_decref(o);
	char *r = reglookup(f, "/Software/Microsoft/Office/15.0/Outlook/DefaultProfile");
	cr_assert_str_eq(r, "/Software/Microsoft/Office/15.0/Outlook/DefaultProfile,SZ,Corp,\n");
	free(r);
	assert_same_profile(UTF16_EXPORT, "Exchange", f, "Corp");
	free(f);
}

Test(cli_import, every_profile_of_a_mapiprof_export_into_a_reg_file)
{
	char *src = tu_stage_built("outlook2016-two-accounts.dat");
	char *ex = tu_tmp_path("ex.reg");
	TU_CLI_EXPECT(0, "export", "--all-profiles", "-o", ex, src);
	char *f = tu_stage(MP_FIXTURES_SRC "/no-profiles.reg", "np.reg");
	char *in = tu_read(f, NULL);
	TU_CLI_EXPECT(0, "import", ex, f);
	/* DefaultProfile of the export is not taken without --default. */
	cr_assert_not_null(strstr(tu_last.err, "not imported: Software\\Microsoft\\Office\\16.0\\"
	                                       "Outlook"),
	                   "%s", tu_last.err);
	char *out = tu_read(f, NULL);
	/* Every byte of the file stays; the profile comes after it. */
	cr_assert_eq(strncmp(out, in, strlen(in)), 0);
	assert_same_profile(src, "Work", f, "Work");
	TU_CLI("list", "--json", f);
	cr_assert_null(strstr(tu_last.out, "\"default\": true"));
	free(in);
	free(out);
	free(f);
	free(ex);
	free(src);
}

Test(cli_import, usage_and_refusals)
{
	char *f = tu_stage_built("no-profiles.dat");
	struct tu_snap s = tu_snap_take(f);
	TU_CLI_EXPECT(2, "import", "--as", "Corp", UTF16_EXPORT, f);
	cr_assert_not_null(strstr(tu_last.err, "--as needs --profile"));
	TU_CLI_EXPECT(2, "import", "--as", "a\\b", "--profile", "Exchange", UTF16_EXPORT, f);
	TU_CLI_EXPECT(2, "import", "--office", "16.0", "--wms", UTF16_EXPORT, f);
	TU_CLI_EXPECT(2, "import", "--office", "sixteen", UTF16_EXPORT, f);
	TU_CLI_EXPECT(2, "import", UTF16_EXPORT);
	TU_CLI_EXPECT(1, "import", "--profile", "Nope", UTF16_EXPORT, f);
	cr_assert_not_null(strstr(tu_last.err, "no profile named 'Nope'"));
	tu_snap_assert_same(&s, f);
	free(f);
}

Test(cli_import, ignored_keys_are_listed_then_counted)
{
	const char *text = "Windows Registry Editor Version 5.00\r\n\r\n"
	                   "[HKEY_CURRENT_USER\\Software\\Microsoft\\Windows NT\\CurrentVersion\\"
	                   "Windows Messaging Subsystem\\Profiles\\P]\r\n"
	                   "\"001f3001\"=hex:50,00,00,00\r\n\r\n";
	char buf[8192];
	size_t len = (size_t)snprintf(buf, sizeof(buf), "%s", text);
	for (int i = 0; i < 12; i++)
		len += (size_t)snprintf(
		    buf + len, sizeof(buf) - len,
		    "[HKEY_CURRENT_USER\\Software\\Other%02d]\r\n\"v\"=dword:1\r\n\r\n", i);
	char *ex = tu_tmp_write("ex.reg", buf, len);
	char *f = tu_stage_built("no-profiles.dat");
	TU_CLI_EXPECT(0, "import", ex, f);
	cr_assert_not_null(strstr(tu_last.err, "not imported: Software\\Other00\n"));
	cr_assert_not_null(strstr(tu_last.err, "not imported: Software\\Other09\n"));
	cr_assert_null(strstr(tu_last.err, "Other10"));
	cr_assert_not_null(strstr(tu_last.err, "... and 2 more keys not imported"));
	char *r = reglookup(f, "/Software/Other00");
	cr_assert_str_eq(r, "");
	free(r);
	free(f);
	free(ex);
}
