/* test_cli_errors.c - how the built mapiprof fails: each bad file gives one
 * stderr line naming the file and the reason and exit status 1 while the
 * other files of the call are still processed; bad command lines exit 2. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testutil.h"

#define GOOD "real/notatin/win7_ntuser.dat"

static char *tmpdir;
static struct tu_run run;

static void
setup(void)
{
	tmpdir = tu_mkdtemp();
	cr_assert_not_null(tmpdir);
	memset(&run, 0, sizeof(run));
}

static void
teardown(void)
{
	tu_run_free(&run);
	tu_rmtree(tmpdir);
	free(tmpdir);
}

TestSuite(cli_errors, .init = setup, .fini = teardown);

#define CLI(...)                                                                                   \
	do {                                                                                       \
		tu_run_free(&run);                                                                 \
		cr_assert_eq(tu_cli(&run, __VA_ARGS__, (char *)NULL), 0, "cannot run mapiprof");   \
	} while (0)

/* tmpdir/name, malloc'd. */
static char *
in_tmp(const char *name)
{
	size_t n = strlen(tmpdir) + strlen(name) + 2;
	char *p = malloc(n);
	cr_assert_not_null(p);
	snprintf(p, n, "%s/%s", tmpdir, name);
	return p;
}

/* A copy of the clean real hive notatin as tmpdir/name. */
static char *
good_copy(const char *name)
{
	char *src = tu_fixture_src(GOOD), *dst = in_tmp(name);
	cr_assert_eq(tu_copy(src, dst), 0);
	free(src);
	return dst;
}

/* The bad inputs, one per kind; *code gets the JSON code. */
static char *
make_missing(void)
{
	return in_tmp("missing.dat");
}

static char *
make_directory(void)
{
	char *p = in_tmp("adir");
	cr_assert_eq(mkdir(p, 0700), 0);
	return p;
}

static char *
make_nonhive(void)
{
	char *p = in_tmp("text.dat");
	const char text[] = "Windows Registry Editor Version 5.00\r\n\r\nnot a hive at all\r\n";
	cr_assert_eq(tu_write(p, text, sizeof(text) - 1), 0);
	return p;
}

static char *
make_truncated(void)
{
	char *good = good_copy("whole.dat"), *p = in_tmp("truncated.dat");
	size_t len;
	char *buf = tu_read(good, &len);
	cr_assert_not_null(buf);
	cr_assert_eq(tu_write(p, buf, 3 * 4096), 0);
	free(buf);
	free(good);
	return p;
}

/* Flips a byte of the base block's reserved area, so only the checksum at
 * 0x1FC no longer matches (reg-and-regf.md §3). */
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
	char *src = tu_fixture("no-profiles.dat"), *dst = in_tmp("no-profiles.dat");
	cr_assert(tu_exists(src), "fixture %s was not built", src);
	cr_assert_eq(tu_copy(src, dst), 0);
	free(src);
	return dst;
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;
	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* stderr is exactly one line "mapiprof: PATH: ..." containing reason. */
static void
assert_one_diag(const char *path, const char *reason)
{
	cr_assert_eq(count_lines(run.err), 1, "stderr: %s", run.err);
	char head[1024];
	snprintf(head, sizeof(head), "mapiprof: %s: ", path);
	cr_assert_eq(strncmp(run.err, head, strlen(head)), 0, "stderr: %s", run.err);
	cr_assert_not_null(strstr(run.err, reason), "stderr lacks '%s': %s", reason, run.err);
	const char *end = run.err + run.errlen - 2;
	cr_assert(*end != '.', "diagnostic ends with a period: %s", run.err);
}

struct bad {
	char *(*make)(void);
	const char *reason;
	const char *code;
};

static const struct bad bads[] = {
    {make_missing, "no such file", "not_found"},
    {make_directory, "directory", "is_directory"},
    {make_nonhive, "not a registry hive", "format"},
    {make_truncated, "truncated", "truncated"},
    {make_badsum, "checksum", "checksum"},
    {make_noprofiles, "no MAPI profile found", "no_profiles"},
};

#define NBADS (sizeof(bads) / sizeof(bads[0]))

/* For one command: each bad file alone fails with one line and exit 1. */
static void
each_bad_alone(const char *cmd, size_t nbads)
{
	for (size_t i = 0; i < nbads; i++) {
		char *p = bads[i].make();
		if (strcmp(cmd, "get") == 0)
			CLI("get", "--section", "services", "PR_SERVICES", p);
		else
			CLI(cmd, p);
		cr_assert_eq(run.status, 1, "%s %s: status %d", cmd, p, run.status);
		cr_assert_str_empty(run.out, "%s %s: stdout %s", cmd, p, run.out);
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
}

Test(cli_errors, info_reports_unreadable_files_but_not_a_bad_checksum)
{
	/* missing, directory, non-hive, truncated */
	each_bad_alone("info", 4);
	char *p = make_badsum();
	CLI("info", "--json", p);
	cr_assert_eq(run.status, 0, "%s", run.err);
	json_t *o = json_loads(run.out, 0, NULL);
	cr_assert_not_null(o);
	cr_assert(json_is_true(json_object_get(o, "dirty")));
	cr_assert(json_is_false(json_object_get(json_object_get(o, "checksum"), "ok")));
	json_decref(o);
	free(p);
}

/* Every bad file and a good one in one call: one diagnostic per bad file,
 * the good file still listed, exit 1. */
Test(cli_errors, batch_goes_on_after_failures_and_exits_1)
{
	char *paths[NBADS + 1];
	for (size_t i = 0; i < NBADS; i++)
		paths[i] = bads[i].make();
	paths[NBADS] = good_copy("good.dat");
	CLI("list", paths[0], paths[1], paths[2], paths[3], paths[4], paths[5], paths[6]);
	cr_assert_eq(run.status, 1);
	cr_assert_eq(count_lines(run.err), NBADS, "%s", run.err);
	cr_assert_not_null(strstr(run.out, "profile: Outlook (default)"), "%s", run.out);
	for (size_t i = 0; i < NBADS; i++)
		cr_assert_not_null(strstr(run.err, paths[i]));
	for (size_t i = 0; i <= NBADS; i++)
		free(paths[i]);
}

Test(cli_errors, batch_json_has_an_error_line_per_bad_file)
{
	char *paths[NBADS + 1];
	for (size_t i = 0; i < NBADS; i++)
		paths[i] = bads[i].make();
	paths[NBADS] = good_copy("good.dat");
	CLI("show", "--json", paths[0], paths[1], paths[2], paths[3], paths[4], paths[5], paths[6]);
	cr_assert_eq(run.status, 1);
	cr_assert_eq(count_lines(run.out), NBADS + 1);
	const char *line = run.out;
	for (size_t i = 0; i <= NBADS; i++) {
		const char *eol = strchr(line, '\n');
		json_error_t err;
		json_t *o = json_loadb(line, (size_t)(eol - line), 0, &err);
		cr_assert_not_null(o, "line %zu: %s", i, err.text);
		cr_assert_str_eq(json_string_value(json_object_get(o, "file")), paths[i]);
		if (i < NBADS) {
			cr_assert_str_eq(json_string_value(json_object_get(o, "code")),
			                 bads[i].code);
			cr_assert(json_is_string(json_object_get(o, "error")));
		} else {
			cr_assert(json_is_array(json_object_get(o, "profiles")));
		}
		json_decref(o);
		line = eol + 1;
	}
	for (size_t i = 0; i <= NBADS; i++)
		free(paths[i]);
}

/* ---- usage errors: exit 2, usage on stderr, nothing on stdout ---------- */

static void
assert_usage(const char *what)
{
	cr_assert_eq(run.status, 2, "%s: status %d, stderr %s", what, run.status, run.err);
	cr_assert_str_empty(run.out, "%s: stdout %s", what, run.out);
	cr_assert_not_null(strstr(run.err, "usage: mapiprof "), "%s: %s", what, run.err);
	cr_assert_eq(strncmp(run.err, "mapiprof: ", 10), 0, "%s: %s", what, run.err);
}

Test(cli_errors, unknown_command_and_prefixes_are_usage_errors)
{
	CLI("frobnicate");
	assert_usage("unknown command");
	cr_assert_not_null(strstr(run.err, "frobnicate"));
	CLI("lis", "x");
	assert_usage("prefix");
	CLI("--bogus");
	assert_usage("unknown global option");
	tu_run_free(&run);
	char *argv[] = {(char *)MP_CLI, NULL};
	cr_assert_eq(tu_run(argv, &run), 0);
	assert_usage("no command");
}

Test(cli_errors, missing_operands_are_usage_errors)
{
	CLI("list");
	assert_usage("list without FILE");
	CLI("show", "--json");
	assert_usage("show without FILE");
	CLI("info");
	assert_usage("info without FILE");
	char *g = good_copy("g.dat");
	CLI("get", "PR_SERVICES", g);
	assert_usage("get without --section");
	CLI("get", "--section", "services", g);
	assert_usage("get without PROP");
	CLI("get", "--section", "services", "PR_SERVICES", g, g);
	assert_usage("get with two files");
	CLI("tags", "a", "b");
	assert_usage("tags with two patterns");
	free(g);
}

Test(cli_errors, bad_options_are_usage_errors)
{
	char *g = good_copy("g.dat");
	CLI("list", "--frob", g);
	assert_usage("unknown long option");
	cr_assert_not_null(strstr(run.err, "--frob"));
	CLI("list", "-z", g);
	assert_usage("unknown short option");
	cr_assert_not_null(strstr(run.err, "-z"));
	CLI("show", g, "--section");
	assert_usage("missing option argument");
	cr_assert_not_null(strstr(run.err, "--section"));
	CLI("info", "--raw", g);
	assert_usage("option of another command");
	free(g);
}

Test(cli_errors, bad_selector_is_a_usage_error)
{
	char *g = good_copy("g.dat");
	CLI("show", "--section", "bogus", g);
	assert_usage("show bad selector");
	cr_assert_not_null(strstr(run.err, "bogus"));
	CLI("get", "--section", "0123", "PR_SERVICES", g);
	assert_usage("get bad selector");
	/* Checked before any file is read. */
	CLI("show", "--section", "nope:x", "/nonexistent/file");
	assert_usage("selector before file");
	free(g);
}

Test(cli_errors, bad_prop_is_a_usage_error)
{
	char *g = good_copy("g.dat");
	CLI("get", "--section", "services", "PR_NO_SUCH_PROPERTY_EVER", g);
	assert_usage("unknown tag name");
	CLI("get", "--section", "services", "0xZZ", g);
	assert_usage("bad tag");
	CLI("get", "--section", "services", "", g);
	assert_usage("empty PROP");
	free(g);
}

Test(cli_errors, unknown_code_page_is_a_usage_error)
{
	char *g = good_copy("g.dat");
	CLI("list", "--codepage", "no-such-codepage-xyz", g);
	assert_usage("list code page");
	cr_assert_not_null(strstr(run.err, "no-such-codepage-xyz"));
	CLI("show", "--codepage", "no-such-codepage-xyz", g);
	assert_usage("show code page");
	CLI("get", "--codepage", "no-such-codepage-xyz", "--section", "services", "PR_SERVICES", g);
	assert_usage("get code page");
	free(g);
}

Test(cli_errors, help_for_unknown_command_is_a_usage_error)
{
	CLI("help", "nope");
	assert_usage("help nope");
}

Test(cli_errors, selector_matching_nothing_in_get_fails_with_exit_1)
{
	char *g = good_copy("g.dat");
	CLI("get", "--section", "emsmdb", "PR_PROFILE_CONFIG_FLAGS", g);
	cr_assert_eq(run.status, 1, "%s", run.err);
	assert_one_diag(g, "emsmdb");
	CLI("get", "--profile", "NoSuchProfile", "--section", "services", "PR_SERVICES", g);
	cr_assert_eq(run.status, 1, "%s", run.err);
	assert_one_diag(g, "NoSuchProfile");
	free(g);
}
