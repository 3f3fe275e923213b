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
	cr_assert_not_null(strstr(tu_last.err, "usage: mapiprof prf stage "));
	cr_assert_not_null(strstr(tu_last.err, "\n       mapiprof prf check "));
	TU_CLI_EXPECT(0, "help");
	cr_assert_not_null(strstr(tu_last.out, "  prf     "));
	cr_assert_not_null(strstr(tu_last.out, "mapiprof prf check "));
}

/* ---- prf stage ----------------------------------------------------------------- */

#define WINPATH "C:\\ProgramData\\corp\\outlook.prf"
#define SETUP16 "/Software/Microsoft/Office/16.0/Outlook/Setup"
#define SETUP15 "/Software/Microsoft/Office/15.0/Outlook/Setup"

/* 1 when the reglookup dump d has a record starting with prefix. */
static int
dump_has_prefix(const struct tu_dump *d, const char *prefix)
{
	for (size_t i = 0; i < d->n; i++)
		if (strncmp(d->rec[i], prefix, strlen(prefix)) == 0)
			return 1;
	return 0;
}

/* Every record of before is in after: values exactly, keys by path (their
 * time may change when a subkey is added); except the records that start
 * with gone (NULL: none), which must be absent. */
static void
assert_kept(const struct tu_dump *before, const struct tu_dump *after, const char *gone)
{
	for (size_t i = 0; i < before->n; i++) {
		const char *r = before->rec[i];
		if (gone != NULL && strncmp(r, gone, strlen(gone)) == 0) {
			cr_assert(!tu_dump_has(after, r), "still there: %s", r);
			continue;
		}
		const char *k = strstr(r, ",KEY,");
		if (k == NULL) {
			cr_assert(tu_dump_has(after, r), "lost: %s", r);
			continue;
		}
		char path[4096];
		snprintf(path, sizeof(path), "%.*s,KEY,", (int)(k - r), r);
		cr_assert(dump_has_prefix(after, path), "lost key: %s", r);
	}
}

/* Stages WINPATH into a copy of the built fixture name with the extra
 * arguments (NULL-terminated); checks --check 3, the write, --check 0 and
 * an unchanged second run; returns the copy's path. */
static char *
stage_hive(const char *name, const char *office)
{
	char *h = tu_stage_built(name);
	struct tu_snap snap = tu_snap_take(h);
	const char *o1 = office != NULL ? "--office" : "--json",
	           *o2 = office != NULL ? office : "--json";
	TU_CLI_EXPECT(3, "prf", "stage", "--check", o1, o2, WINPATH, h);
	tu_snap_assert_same(&snap, h);
	TU_CLI_EXPECT(0, "prf", "stage", o1, o2, WINPATH, h);
	TU_CLI_EXPECT(0, "prf", "stage", "--check", o1, o2, WINPATH, h);
	snap = tu_snap_take(h);
	TU_CLI_EXPECT(0, "prf", "stage", o1, o2, WINPATH, h);
	json_t *o = office != NULL ? NULL : tj_line(tu_last.out, 0);
	if (o != NULL) {
		cr_assert_str_eq(tj_str(o, "status"), "unchanged");
		json_decref(o);
	}
	tu_snap_assert_same(&snap, h);
	return h;
}

Test(cli_prf, stage_hive_without_profiles)
{
	char *src = tu_stage_built("no-profiles.dat");
	struct tu_dump before, after;
	tu_dump_reglookup(src, &before);
	char *h = stage_hive("no-profiles.dat", NULL);
	tu_dump_reglookup(h, &after);
	cr_assert(tu_dump_has(&after, SETUP16 "/ImportPRF,SZ," WINPATH ","));
	cr_assert(dump_has_prefix(&after, SETUP16 ",KEY,"));
	assert_kept(&before, &after, NULL);
	cr_assert_eq(after.n, before.n + 2);
	tu_dump_free(&before);
	tu_dump_free(&after);
	free(h);
	free(src);
}

Test(cli_prf, stage_hive_with_profiles)
{
	char *src = tu_stage_built("exchange-mapi.dat");
	struct tu_dump before, after;
	tu_dump_reglookup(src, &before);
	TU_CLI_EXPECT(0, "list", "--json", src);
	char *list = strdup(tu_last.out);
	char *h = stage_hive("exchange-mapi.dat", NULL);
	tu_dump_reglookup(h, &after);
	cr_assert(tu_dump_has(&after, SETUP16 "/ImportPRF,SZ," WINPATH ","));
	assert_kept(&before, &after, NULL);
	/* Software\Microsoft\Office, 16.0, Outlook and Setup, and the value. */
	cr_assert_eq(after.n, before.n + 5);
	TU_CLI_EXPECT(0, "list", "--json", h);
	cr_assert_str_eq(strstr(tu_last.out, "\"profiles\""), strstr(list, "\"profiles\""));
	tu_dump_free(&before);
	tu_dump_free(&after);
	free(list);
	free(h);
	free(src);
}

Test(cli_prf, stage_default_office_and_first_run)
{
	char *src = tu_stage_built("office-versions.dat");
	struct tu_dump before, after;
	tu_dump_reglookup(src, &before);
	cr_assert(dump_has_prefix(&before, SETUP15 "/FirstRun,DWORD,"));
	cr_assert(dump_has_prefix(&before, SETUP15 "/First-Run,BINARY,"));
	char *h = stage_hive("office-versions.dat", NULL);
	tu_dump_reglookup(h, &after);
	cr_assert(tu_dump_has(&after, SETUP15 "/ImportPRF,SZ," WINPATH ","));
	cr_assert(tu_dump_has(&after, SETUP15 "/Other,SZ,keep me,"));
	assert_kept(&before, &after, SETUP15 "/First");
	cr_assert_eq(after.n, before.n - 1);
	cr_assert(!dump_has_prefix(&after, "/Software/Microsoft/Office/16.0/Outlook"));
	tu_dump_free(&after);
	free(h);

	/* --office 16.0: that version, its Outlook key created. */
	h = stage_hive("office-versions.dat", "16.0");
	tu_dump_reglookup(h, &after);
	cr_assert(tu_dump_has(&after, SETUP16 "/ImportPRF,SZ," WINPATH ","));
	assert_kept(&before, &after, NULL);
	tu_dump_free(&after);
	free(h);

	/* Office 15.0 and 16.0 both with Outlook: 16.0 (the fixture spells
	 * the top key SOFTWARE, which the new keys below it keep). */
	h = tu_stage_built("multi-root.dat");
	TU_CLI_EXPECT(0, "prf", "stage", WINPATH, h);
	tu_dump_reglookup(h, &after);
	cr_assert(tu_dump_has(
	    &after, "/SOFTWARE/Microsoft/Office/16.0/Outlook/Setup/ImportPRF,SZ," WINPATH ","));
	cr_assert(!dump_has_prefix(&after, "/SOFTWARE/Microsoft/Office/15.0/Outlook/Setup"));
	tu_dump_free(&after);
	tu_dump_free(&before);
	free(h);
	free(src);
}

/* text without the lines that contain any of the NULL-terminated needles. */
static char *
drop_lines(const char *text, const char *const *needles)
{
	char *out = calloc(1, strlen(text) + 1);
	size_t len = 0;
	for (const char *p = text; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t n = nl != NULL ? (size_t)(nl - p) + 1 : strlen(p);
		int drop = 0;
		for (const char *const *w = needles; *w != NULL; w++) {
			const char *at = strstr(p, *w);
			drop |= at != NULL && at < p + n;
		}
		if (!drop) {
			memcpy(out + len, p, n);
			len += n;
		}
		p += n;
	}
	return out;
}

Test(cli_prf, stage_reg_file_keeps_every_other_byte)
{
	size_t len = 0;
	char *orig = tu_read_src("office-versions.reg", &len);
	char *r = tu_tmp_write("o.reg", orig, len);
	TU_CLI_EXPECT(3, "prf", "stage", "--check", WINPATH, r);
	TU_CLI_EXPECT(0, "prf", "stage", WINPATH, r);
	char *now = tu_read(r, NULL);
	cr_assert_not_null(strstr(now,
	                          "\"Other\"=\"keep me\"\n"
	                          "\"ImportPRF\"=\"C:\\\\ProgramData\\\\corp\\\\outlook.prf\"\n"));
	static const char *const first_run[] = {"\"FirstRun\"", "\"First-Run\"", NULL};
	static const char *const import[] = {"\"ImportPRF\"", NULL};
	char *a = drop_lines(orig, first_run), *b = drop_lines(now, import);
	cr_assert_str_eq(a, b);
	TU_CLI_EXPECT(0, "prf", "stage", "--check", WINPATH, r);
	free(a);
	free(b);
	free(now);
	free(r);
	free(orig);

	/* A new key: the original bytes, then a block at the end. */
	orig = tu_read_src("no-profiles.reg", &len);
	r = tu_tmp_write("n.reg", orig, len);
	TU_CLI_EXPECT(0, "prf", "stage", WINPATH, r);
	now = tu_read(r, NULL);
	cr_assert_eq(memcmp(now, orig, len), 0);
	cr_assert_str_eq(now + len,
	                 "\n[HKEY_CURRENT_USER\\Software\\Microsoft\\Office\\16.0\\Outlook\\"
	                 "Setup]\n\"ImportPRF\"=\"C:\\\\ProgramData\\\\corp\\\\outlook.prf\"\n"
	                 "\n");
	free(now);
	free(r);
	free(orig);
}

Test(cli_prf, stage_reg_file_new_block_spells_the_root_as_the_file)
{
	static const char text[] = "Windows Registry Editor Version 5.00\r\n\r\n"
	                           "[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\r\n\"a\"=\"b\"\r\n\r\n"
	                           "[HKEY_USERS\\S-1-5-21-9\\Software\\Microsoft]\r\n";
	char *r = tu_tmp_write("u.reg", text, sizeof(text) - 1);
	TU_CLI_EXPECT(0, "prf", "stage", "--office", "15.0", WINPATH, r);
	char *now = tu_read(r, NULL);
	cr_assert_eq(memcmp(now, text, sizeof(text) - 1), 0);
	cr_assert_str_eq(
	    now + sizeof(text) - 1,
	    "\r\n[HKEY_USERS\\S-1-5-21-9\\Software\\Microsoft\\Office\\15.0\\"
	    "Outlook\\Setup]\r\n\"ImportPRF\"=\"C:\\\\ProgramData\\\\corp\\\\outlook.prf\"\r\n"
	    "\r\n");
	TU_CLI_EXPECT(0, "prf", "stage", "--check", "--office", "15.0", WINPATH, r);
	free(now);
	free(r);
}

Test(cli_prf, stage_emit_reg_is_importable)
{
	char *h = tu_stage_built("office-versions.dat");
	char *out = tu_tmp_path("stage.reg");
	struct tu_snap snap = tu_snap_take(h);
	TU_CLI_EXPECT(0, "prf", "stage", "--dry-run", "--emit-reg", out, "--root",
	              "HKEY_USERS\\.DEFAULT", WINPATH, h);
	tu_snap_assert_same(&snap, h);
	size_t want_len = 0, got_len = 0;
	uint8_t *want = tu_utf16_bom(
	    "Windows Registry Editor Version 5.00\r\n\r\n"
	    "[HKEY_USERS\\.DEFAULT\\Software\\Microsoft\\Office\\15.0\\Outlook\\Setup]\r\n"
	    "\"ImportPRF\"=\"C:\\\\ProgramData\\\\corp\\\\outlook.prf\"\r\n"
	    "\"FirstRun\"=-\r\n\"First-Run\"=-\r\n\r\n",
	    &want_len);
	char *got = tu_read(out, &got_len);
	cr_assert_eq(got_len, want_len);
	cr_assert_eq(memcmp(got, want, want_len), 0);
	free(got);
	free(want);
	free(out);
	free(h);
}

Test(cli_prf, stage_usage_errors)
{
	char *h = tu_stage_built("no-profiles.dat");
	struct tu_snap snap = tu_snap_take(h);
	TU_CLI_EXPECT(2, "prf", "stage", "--office", "16", WINPATH, h);
	TU_CLI_EXPECT(2, "prf", "stage", "--office", "16.1", WINPATH, h);
	TU_CLI_EXPECT(2, "prf", "stage", "--office", "x6.0", WINPATH, h);
	TU_CLI_EXPECT(2, "prf", "stage", "", h);
	TU_CLI_EXPECT(2, "prf", "stage", "C:\\a\nb.prf", h);
	cr_assert_not_null(strstr(tu_last.err, "control character"));
	TU_CLI_EXPECT(2, "prf", "stage", "--profile", "X", WINPATH, h);
	TU_CLI_EXPECT(2, "prf", "stage", WINPATH);
	TU_CLI_EXPECT(2, "prf", "stage");
	TU_CLI_EXPECT(2, "prf", "stage", "--dry-run", "--check", WINPATH, h);
	tu_snap_assert_same(&snap, h);
	snap = tu_snap_take(h);
	/* Warnings only: a relative path, another extension. */
	TU_CLI_EXPECT(3, "prf", "stage", "--check", "corp\\outlook.ini", h);
	cr_assert_not_null(strstr(tu_last.err, "not an absolute Windows path"));
	cr_assert_not_null(strstr(tu_last.err, "does not end in .prf"));
	tu_snap_assert_same(&snap, h);
	free(h);
}
