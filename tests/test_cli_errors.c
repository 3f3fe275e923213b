/* test_cli_errors.c - how the built mapiprof fails: each bad file gives one
 * stderr line naming the file and the reason and exit status 1 while the
 * other files of the call are still processed; bad command lines exit 2. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testjson.h"
#include "testutil.h"

#define GOOD "real/notatin/win7_ntuser.dat"

TestSuite(cli_errors, .init = tu_setup, .fini = tu_teardown);

/* A copy of the clean real hive notatin as tu_tmp/name. */
static char *
good_copy(const char *name)
{
	char *src = tu_fixture_src(GOOD), *dst = tu_stage(src, name);
	free(src);
	return dst;
}

/* The bad inputs, one per kind; *code gets the JSON code. */
static char *
make_missing(void)
{
	return tu_tmp_path("missing.dat");
}

static char *
make_directory(void)
{
	char *p = tu_tmp_path("adir");
	cr_assert_eq(mkdir(p, 0700), 0);
	return p;
}

static char *
make_nonhive(void)
{
	/* Neither a regf hive nor a .reg file (no BOM, no .reg header). */
	const char text[] = "Registry notes\r\n\r\nnot a hive at all\r\n";
	return tu_tmp_write("text.dat", text, sizeof(text) - 1);
}

static char *
make_truncated(void)
{
	char *good = good_copy("whole.dat"), *p = tu_tmp_path("truncated.dat");
	size_t len;
	char *buf = tu_read(good, &len);
	cr_assert_not_null(buf);
	cr_assert_eq(tu_write(p, buf, 3 * 4096), 0);
	free(buf);
	free(good);
	return p;
}

/* Flips a byte of the base block's reserved area, so only the checksum at
 * 0x1FC no longer matches (regf spec "Base block"). */
static char *
make_badsum(void)
{
	char *p = good_copy("badsum.dat");
	size_t len;
	char *buf = tu_read(p, &len);
	cr_assert_not_null(buf);
	buf[0x100] ^= 0x5A;
	cr_assert_eq(tu_write(p, buf, len), 0);
	free(buf);
	return p;
}

static char *
make_noprofiles(void)
{
	return tu_stage_built("no-profiles.dat");
}
/* stderr is exactly one line "mapiprof: PATH: ..." containing reason. */
static void
assert_one_diag(const char *path, const char *reason)
{
	cr_assert_eq(tu_count_lines(tu_last.err), 1, "stderr: %s", tu_last.err);
	char head[1024];
	snprintf(head, sizeof(head), "mapiprof: %s: ", path);
	cr_assert_eq(strncmp(tu_last.err, head, strlen(head)), 0, "stderr: %s", tu_last.err);
	cr_assert_not_null(strstr(tu_last.err, reason), "stderr lacks '%s': %s", reason,
	                   tu_last.err);
	const char *end = tu_last.err + tu_last.errlen - 2;
	cr_assert(*end != '.', "diagnostic ends with a period: %s", tu_last.err);
}

struct bad {
	char *(*make)(void);
	const char *reason;
	const char *code;
};

static const struct bad bads[] = {
    {make_missing, "no such file", "not_found"},     {make_directory, "directory", "is_directory"},
    {make_nonhive, "not a registry hive", "format"}, {make_truncated, "truncated", "truncated"},
    {make_badsum, "checksum", "checksum"},
};

#define NBADS (sizeof(bads) / sizeof(bads[0]))

/* For one command: each bad file alone fails with one line and exit 1. */
static void
each_bad_alone(const char *cmd, size_t nbads)
{
	for (size_t i = 0; i < nbads; i++) {
		char *p = bads[i].make();
		if (strcmp(cmd, "get") == 0)
			TU_CLI("get", "--section", "services", "PR_SERVICES", p);
		else
			TU_CLI(cmd, p);
		cr_assert_eq(tu_last.status, 1, "%s %s: status %d", cmd, p, tu_last.status);
		cr_assert_str_empty(tu_last.out, "%s %s: stdout %s", cmd, p, tu_last.out);
		assert_one_diag(p, bads[i].reason);
		free(p);
	}
}

Test(cli_errors, list_reports_each_bad_file_with_one_line)
{
	each_bad_alone("list", NBADS);
}

Test(cli_errors, show_reports_each_bad_file_with_one_line)
{
	each_bad_alone("show", NBADS);
}

Test(cli_errors, get_reports_each_bad_file_with_one_line)
{
	each_bad_alone("get", NBADS);
	/* get names one property: a file without profiles has none to print. */
	char *p = make_noprofiles();
	TU_CLI("get", "--section", "services", "PR_SERVICES", p);
	cr_assert_eq(tu_last.status, 1);
	assert_one_diag(p, "no MAPI profile found");
	free(p);
}

Test(cli_errors, info_reports_unreadable_files_but_not_a_bad_checksum)
{
	/* missing, directory, non-hive, truncated */
	each_bad_alone("info", 4);
	char *p = make_badsum();
	TU_CLI("info", "--json", p);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	json_t *o = json_loads(tu_last.out, 0, NULL);
	cr_assert_not_null(o);
	cr_assert(json_is_true(json_object_get(o, "dirty")));
	cr_assert(json_is_false(json_object_get(json_object_get(o, "checksum"), "ok")));
	json_decref(o);
	free(p);
}

/* Every bad file, a file without profiles and a good one in one call: one
 * diagnostic per bad file, the other two still listed, exit 1. */
Test(cli_errors, batch_goes_on_after_failures_and_exits_1)
{
	char *paths[NBADS + 2];
	for (size_t i = 0; i < NBADS; i++)
		paths[i] = bads[i].make();
	paths[NBADS] = make_noprofiles();
	paths[NBADS + 1] = good_copy("good.dat");
	TU_CLI("list", paths[0], paths[1], paths[2], paths[3], paths[4], paths[5], paths[6]);
	cr_assert_eq(tu_last.status, 1);
	cr_assert_eq(tu_count_lines(tu_last.err), NBADS, "%s", tu_last.err);
	cr_assert_not_null(strstr(tu_last.out, "profile: Outlook (default)"), "%s", tu_last.out);
	cr_assert_not_null(strstr(tu_last.out, "profiles: none"), "%s", tu_last.out);
	for (size_t i = 0; i < NBADS; i++)
		cr_assert_not_null(strstr(tu_last.err, paths[i]));
	for (size_t i = 0; i < NBADS + 2; i++)
		free(paths[i]);
}

Test(cli_errors, batch_json_has_an_error_line_per_bad_file)
{
	char *paths[NBADS + 2];
	for (size_t i = 0; i < NBADS; i++)
		paths[i] = bads[i].make();
	paths[NBADS] = make_noprofiles();
	paths[NBADS + 1] = good_copy("good.dat");
	TU_CLI("show", "--json", paths[0], paths[1], paths[2], paths[3], paths[4], paths[5],
	       paths[6]);
	cr_assert_eq(tu_last.status, 1);
	cr_assert_eq(tu_count_lines(tu_last.out), NBADS + 2);
	for (size_t i = 0; i < NBADS + 2; i++) {
		json_t *o = tj_line(tu_last.out, i);
		cr_assert_str_eq(json_string_value(json_object_get(o, "file")), paths[i]);
		if (i < NBADS) {
			cr_assert_str_eq(json_string_value(json_object_get(o, "code")),
			                 bads[i].code);
			cr_assert(json_is_string(json_object_get(o, "error")));
		} else {
			cr_assert(json_is_array(json_object_get(o, "profiles")));
			cr_assert_str_eq(json_string_value(json_object_get(o, "status")),
			                 i == NBADS ? "no_profiles" : "ok");
		}
		json_decref(o);
	}
	for (size_t i = 0; i < NBADS + 2; i++)
		free(paths[i]);
}

/* A file without any MAPI profile (the Default user's hive) is a valid
 * member of every batch: list and show say so and exit 0; edit and apply
 * report it unchanged and leave it alone. */
Test(cli_errors, file_without_profiles_is_an_empty_result_not_a_failure)
{
	char *p = make_noprofiles();
	char *good = good_copy("good.dat");
	struct tu_snap before = tu_snap_take(p);
	TU_CLI("list", p, good);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	cr_assert_str_empty(tu_last.err, "%s", tu_last.err);
	cr_assert_not_null(strstr(tu_last.out, "profiles: none (no MAPI profile in the file)"));
	TU_CLI("show", "--profile", "Outlook", p);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	TU_CLI("apply", "--all-profiles", "cached-mode-on", p);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	cr_assert_not_null(strstr(tu_last.out, ": unchanged (no MAPI profile in the file)"), "%s",
	                   tu_last.out);
	TU_CLI("edit", "--check", "--json", "-e", "global PR_PROFILE_CONFIG_FLAGS += 0x4", p);
	cr_assert_eq(tu_last.status, 0, "%s", tu_last.err);
	json_t *o = tj_line(tu_last.out, 0);
	cr_assert_str_eq(json_string_value(json_object_get(o, "status")), "no_profiles");
	json_decref(o);
	TU_CLI("list", "--json", p);
	o = tj_line(tu_last.out, 0);
	cr_assert_str_eq(json_string_value(json_object_get(o, "status")), "no_profiles");
	cr_assert_eq(json_array_size(json_object_get(o, "profiles")), 0);
	json_decref(o);
	tu_snap_assert_same(&before, p);
	free(p);
	free(good);
}

/* ---- usage errors: exit 2, usage on stderr, nothing on stdout ---------- */

static void
assert_usage(const char *what)
{
	cr_assert_eq(tu_last.status, 2, "%s: status %d, stderr %s", what, tu_last.status,
	             tu_last.err);
	cr_assert_str_empty(tu_last.out, "%s: stdout %s", what, tu_last.out);
	cr_assert_not_null(strstr(tu_last.err, "usage: mapiprof "), "%s: %s", what, tu_last.err);
	cr_assert_eq(strncmp(tu_last.err, "mapiprof: ", 10), 0, "%s: %s", what, tu_last.err);
}

Test(cli_errors, unknown_command_and_prefixes_are_usage_errors)
{
	/* An unknown command gets a hint (test_suggest.c), not the usage. */
	TU_CLI("frobnicate");
	cr_assert_eq(tu_last.status, 2, "status %d", tu_last.status);
	cr_assert_not_null(strstr(tu_last.err, "mapiprof: unknown command 'frobnicate'"));
	cr_assert_null(strstr(tu_last.err, "usage: mapiprof "), "%s", tu_last.err);
	TU_CLI("lis", "x");
	cr_assert_eq(tu_last.status, 2, "prefix: status %d", tu_last.status);
	cr_assert_not_null(strstr(tu_last.err, "unknown command 'lis'"), "%s", tu_last.err);
	TU_CLI("--bogus");
	assert_usage("unknown global option");
	tu_run_free(&tu_last);
	char *argv[] = {(char *)tu_cli_program(), NULL};
	cr_assert_eq(tu_run(argv, &tu_last), 0);
	assert_usage("no command");
}

Test(cli_errors, missing_operands_are_usage_errors)
{
	TU_CLI("list");
	assert_usage("list without FILE");
	TU_CLI("show", "--json");
	assert_usage("show without FILE");
	TU_CLI("info");
	assert_usage("info without FILE");
	char *g = good_copy("g.dat");
	TU_CLI("get", "PR_SERVICES", g);
	assert_usage("get without --section");
	TU_CLI("get", "--section", "services", g);
	assert_usage("get without PROP");
	TU_CLI("get", "--section", "services", "PR_SERVICES", g, g);
	assert_usage("get with two files");
	TU_CLI("tags", "a", "b");
	assert_usage("tags with two patterns");
	free(g);
}

Test(cli_errors, bad_options_are_usage_errors)
{
	char *g = good_copy("g.dat");
	TU_CLI("list", "--frob", g);
	assert_usage("unknown long option");
	cr_assert_not_null(strstr(tu_last.err, "--frob"));
	TU_CLI("list", "-z", g);
	assert_usage("unknown short option");
	cr_assert_not_null(strstr(tu_last.err, "-z"));
	TU_CLI("show", g, "--section");
	assert_usage("missing option argument");
	cr_assert_not_null(strstr(tu_last.err, "--section"));
	TU_CLI("info", "--raw", g);
	assert_usage("option of another command");
	free(g);
}

Test(cli_errors, bad_selector_is_a_usage_error)
{
	char *g = good_copy("g.dat");
	TU_CLI("show", "--section", "bogus", g);
	assert_usage("show bad selector");
	cr_assert_not_null(strstr(tu_last.err, "bogus"));
	TU_CLI("get", "--section", "0123", "PR_SERVICES", g);
	assert_usage("get bad selector");
	/* Checked before any file is read. */
	TU_CLI("show", "--section", "nope:x", "/nonexistent/file");
	assert_usage("selector before file");
	free(g);
}

Test(cli_errors, bad_prop_is_a_usage_error)
{
	char *g = good_copy("g.dat");
	TU_CLI("get", "--section", "services", "PR_NO_SUCH_PROPERTY_EVER", g);
	assert_usage("unknown tag name");
	TU_CLI("get", "--section", "services", "0xZZ", g);
	assert_usage("bad tag");
	TU_CLI("get", "--section", "services", "", g);
	assert_usage("empty PROP");
	free(g);
}

Test(cli_errors, unknown_code_page_is_a_usage_error)
{
	char *g = good_copy("g.dat");
	TU_CLI("list", "--codepage", "no-such-codepage-xyz", g);
	assert_usage("list code page");
	cr_assert_not_null(strstr(tu_last.err, "no-such-codepage-xyz"));
	TU_CLI("show", "--codepage", "no-such-codepage-xyz", g);
	assert_usage("show code page");
	TU_CLI("get", "--codepage", "no-such-codepage-xyz", "--section", "services", "PR_SERVICES",
	       g);
	assert_usage("get code page");
	free(g);
}

Test(cli_errors, help_for_unknown_command_is_a_usage_error)
{
	/* As for "mapiprof nope": exit 2, a pointer to the list, no usage block. */
	TU_CLI("help", "nope");
	cr_assert_eq(tu_last.status, 2, "%s", tu_last.err);
	cr_assert_str_empty(tu_last.out, "%s", tu_last.out);
	cr_assert_not_null(strstr(tu_last.err, "mapiprof: unknown command 'nope'\n"), "%s",
	                   tu_last.err);
	cr_assert_not_null(strstr(tu_last.err, "\"mapiprof help\" lists the commands"), "%s",
	                   tu_last.err);
}

Test(cli_errors, selector_matching_nothing_in_get_fails_with_exit_1)
{
	char *g = good_copy("g.dat");
	TU_CLI("get", "--section", "emsmdb", "PR_PROFILE_CONFIG_FLAGS", g);
	cr_assert_eq(tu_last.status, 1, "%s", tu_last.err);
	assert_one_diag(g, "emsmdb");
	TU_CLI("get", "--profile", "NoSuchProfile", "--section", "services", "PR_SERVICES", g);
	cr_assert_eq(tu_last.status, 1, "%s", tu_last.err);
	assert_one_diag(g, "NoSuchProfile");
	free(g);
}
