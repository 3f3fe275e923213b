/* test_cli_prf.c - the built mapiprof's prf commands.  prf check: the
 * fixture PRFs in each encoding, malformed lines by number, JSON read with
 * jansson, exit statuses, escaping, the file left alone.  prf stage: the
 * ImportPRF value written into hives (read back with reglookup) and .reg
 * files, FirstRun/First-Run removed, --check, the --office default rule,
 * usage errors. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testjson.h"
#include "testutil.h"

TestSuite(cli_prf, .init = tu_setup, .fini = tu_teardown);

/* ---- prf check --------------------------------------------------------------- */

Test(cli_prf, check_utf16_fixture)
{
	char *src = tu_fixture_src("prf/corp-utf16.prf");
	struct tu_snap snap = tu_snap_take(src);
	TU_CLI_EXPECT(0, "prf", "check", src);
	cr_assert_not_null(strstr(tu_last.out, "encoding: UTF-16LE (with BOM)\n"));
	cr_assert_not_null(strstr(tu_last.out, "  ProfileName = Corp Mail\n"));
	cr_assert_not_null(strstr(tu_last.out, "  Service1 = Microsoft Exchange Server (line 13)\n"
	                                       "    OverwriteExistingService = No\n"));
	cr_assert_not_null(strstr(tu_last.out, "    AccountName = Pers\xc3\xb6nlich\n"));
	cr_assert_not_null(strstr(tu_last.out, "problems: 0\n"));
	cr_assert_str_eq(tu_last.err, "");
	tu_snap_assert_same(&snap, src);
	free(src);
}

Test(cli_prf, check_ansi_fixture_and_codepage)
{
	char *src = tu_fixture_src("prf/corp-ansi.prf");
	TU_CLI_EXPECT(0, "prf", "check", src);
	cr_assert_not_null(strstr(tu_last.out, "    AccountName = Pers\xc3\xb6nlich\n"));
	TU_CLI_EXPECT(0, "prf", "check", "--codepage", "ISO-8859-7", src);
	cr_assert_not_null(strstr(tu_last.out, "    AccountName = Pers\xcf\x86nlich\n"));
	TU_CLI_EXPECT(2, "prf", "check", "--codepage", "no-such-codepage", src);
	free(src);
}

Test(cli_prf, check_malformed_fixture)
{
	char *src = tu_fixture_src("prf/malformed.prf");
	TU_CLI_EXPECT(1, "prf", "check", src);
	cr_assert_not_null(strstr(tu_last.out, "problems: 5\n  line 4: "));
	cr_assert_not_null(strstr(tu_last.out, "\n  line 11: "));
	cr_assert_not_null(strstr(tu_last.err, "5 malformed lines (first: line 4)"));
	cr_assert_not_null(strstr(tu_last.err, "malformed.prf"));
	free(src);
}

Test(cli_prf, check_json)
{
	char *src = tu_fixture_src("prf/malformed.prf");
	TU_CLI_EXPECT(1, "prf", "check", "--json", src);
	json_t *o = tj_line(tu_last.out, 0);
	cr_assert_str_eq(tj_str(o, "status"), "malformed");
	json_t *probs = json_object_get(o, "problems");
	static const json_int_t want[] = {4, 5, 8, 9, 11};
	cr_assert_eq(json_array_size(probs), 5);
	for (size_t i = 0; i < 5; i++)
		cr_assert_eq(tj_int(json_array_get(probs, i), "line"), want[i]);
	json_t *svc = json_object_get(o, "services");
	cr_assert_eq(json_array_size(svc), 2);
	json_t *s2 = tj_find(svc, "id", "Service2");
	tj_assert_null(s2, "section_line");
	cr_assert_str_eq(tj_str(s2, "name"), "Outlook Address Book");
	json_t *pr = json_object_get(o, "profile");
	cr_assert_str_eq(tj_str(pr, "name"), "Broken");
	tj_assert_null(pr, "overwrite_profile");
	json_decref(o);
	free(src);

	src = tu_fixture_src("prf/corp-utf16.prf");
	o = TJ_CLI("prf", "check", "--json", src);
	cr_assert_str_eq(tj_str(o, "status"), "ok");
	cr_assert_str_eq(tj_str(o, "encoding"), "UTF-16LE");
	cr_assert(json_is_true(json_object_get(o, "bom")));
	json_t *acc = json_array_get(json_object_get(o, "accounts"), 0);
	cr_assert_str_eq(tj_str(acc, "type"), "I_Mail");
	cr_assert_eq(tj_int(acc, "section_line"), 30);
	json_t *e = tj_find(json_object_get(acc, "entries"), "key", "AccountName");
	cr_assert_str_eq(tj_str(e, "value"), "Pers\xc3\xb6nlich");
	json_decref(o);
	free(src);
}

Test(cli_prf, check_escapes_names)
{
	static const char text[] = "[General]\nProfileName=evil\x1b]0;title\x07\n";
	char *path = tu_tmp_write("evil.prf", text, sizeof(text) - 1);
	TU_CLI_EXPECT(0, "prf", "check", path);
	cr_assert_null(strchr(tu_last.out, '\x1b'));
	cr_assert_not_null(strstr(tu_last.out, "ProfileName = evil\\x1b]0;title\\x07\n"));
	free(path);
}

Test(cli_prf, check_errors_and_usage)
{
	char *absent = tu_tmp_path("absent.prf");
	TU_CLI_EXPECT(1, "prf", "check", absent);
	cr_assert_not_null(strstr(tu_last.err, "absent.prf"));
	free(absent);
	TU_CLI_EXPECT(2, "prf", "check");
	TU_CLI_EXPECT(2, "prf", "check", "a.prf", "b.prf");
	TU_CLI_EXPECT(2, "prf", "check", "--bogus", "a.prf");
	TU_CLI_EXPECT(2, "prf");
	TU_CLI_EXPECT(2, "prf", "frobnicate");
	cr_assert_not_null(strstr(tu_last.err, "usage: mapiprof prf check"));
	TU_CLI_EXPECT(0, "help");
	cr_assert_not_null(strstr(tu_last.out, "  prf     "));
	cr_assert_not_null(strstr(tu_last.out, "mapiprof prf check "));
}
