/* test_man.c - the manual pages: the EXAMPLES program of mapiprof(3), which
 * the build takes from the page (tools/man_example.py) and compiles against
 * the shipped shared library, runs and does what the page says; the
 * library page lists every exported function; both pages are clean under
 * `mandoc -Tlint -W style`; the pkg-config file the page's users compile
 * with is accepted by pkg-config. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

TestSuite(man, .init = tu_setup, .fini = tu_teardown);

#define PAGE1 MP_SOURCE_DIR "/man/mapiprof.1"
#define PAGE3 MP_SOURCE_DIR "/man/mapiprof.3"

/* The value the example's edit changes, as reglookup prints its path. */
#define CONFIG_FLAGS                                                                               \
	"/Software/Microsoft/Windows NT/CurrentVersion/Windows Messaging Subsystem/Profiles/"      \
	"Exchange/13dbb0c8aa05101a9bb000aa002fc45a/00036601,BINARY,"

static void
run_example(const char *in, const char *out, struct tu_run *r)
{
	char *const argv[] = {(char *)MP_MAN_EXAMPLE, (char *)in, (char *)out, NULL};
	cr_assert_eq(tu_run(argv, r), 0, "cannot run the example of mapiprof(3)");
}

/* 1 when reglookup shows the example's value in hive with the data want
 * (reglookup's %XX form). */
static int
config_flags_are(const char *hive, const char *want)
{
	char *dump = tu_tool_out("/usr/bin/reglookup", hive);
	char line[512];
	snprintf(line, sizeof(line), "\n%s%s,", CONFIG_FLAGS, want);
	int found = strstr(dump, line) != NULL;
	free(dump);
	return found;
}

Test(man, example_lists_the_profiles_and_plans_without_writing)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	struct tu_snap before = tu_snap_take(hive);
	struct tu_run r;
	run_example(hive, NULL, &r);
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_assert_str_eq(r.out, "Exchange (default): 9 sections\n"
	                        "Personal: 5 sections\n"
	                        "13dbb0c8aa05101a9bb000aa002fc45a PR_PROFILE_CONFIG_FLAGS: "
	                        "0x4 -> 0x184\n");
	cr_assert_str_empty(r.err);
	tu_snap_assert_same(&before, hive);
	tu_run_free(&r);
	free(hive);
}

Test(man, example_writes_the_planned_value_as_reglookup_reads_it)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	char *out = tu_tmp_path("patched.dat");
	struct tu_run r;
	run_example(hive, out, &r);
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_assert(config_flags_are(hive, "%04%00%00%00"), "the input changed");
	cr_assert(config_flags_are(out, "%84%01%00%00"), "the output lacks the cached-mode bits");
	tu_run_free(&r);
	free(out);
	free(hive);
}

Test(man, example_reports_the_error_the_context_holds)
{
	char *missing = tu_tmp_path("absent.dat");
	struct tu_run r;
	run_example(missing, NULL, &r);
	cr_assert_eq(r.status, 1, "exit %d", r.status);
	cr_assert_str_empty(r.out);
	char want[4096];
	snprintf(want, sizeof(want), "%s: ", missing);
	cr_assert_eq(strncmp(r.err, want, strlen(want)), 0, "stderr: %s", r.err);
	cr_assert_gt(strlen(r.err), strlen(want) + 1, "no message after the file name");
	tu_run_free(&r);
	free(missing);
}

/* Every exported function (abi/libmapiprof.symbols) has its prototype in
 * the SYNOPSIS of mapiprof(3). */
Test(man, library_page_shows_every_exported_function)
{
	size_t len;
	char *page = tu_read(PAGE3, &len);
	char *list = tu_read(MP_SOURCE_DIR "/abi/libmapiprof.symbols", &len);
	cr_assert_not_null(page);
	cr_assert_not_null(list);
	size_t checked = 0;
	for (char *name = strtok(list, "\n"); name != NULL; name = strtok(NULL, "\n")) {
		if (name[0] == '#')
			continue;
		char fo[128], fn[128];
		snprintf(fo, sizeof(fo), "\n.Fo %s\n", name);
		snprintf(fn, sizeof(fn), "\n.Fn %s void\n", name);
		cr_expect(strstr(page, fo) != NULL || strstr(page, fn) != NULL,
		          "mapiprof(3) has no prototype of %s", name);
		checked++;
	}
	cr_assert_gt(checked, 90);
	free(list);
	free(page);
}

/* mandoc looks up every .Xr in its database; pages missing there (this
 * project's own, before it is installed) are found in a manual tree made of
 * links to the sources, and its complaints about an outdated database
 * describe the machine, not the pages. */
Test(man, pages_are_lint_clean_at_style_level)
{
	if (MP_MANDOC[0] == '\0')
		cr_skip_test("mandoc is not installed");
	static const char *const sub[][2] = {{"man1", PAGE1}, {"man3", PAGE3}};
	for (size_t i = 0; i < 2; i++) {
		char *dir = tu_tmp_path(sub[i][0]);
		cr_assert_eq(mkdir(dir, 0700), 0);
		char link[4096];
		snprintf(link, sizeof(link), "%s/%s", dir, strrchr(sub[i][1], '/') + 1);
		cr_assert_eq(symlink(sub[i][1], link), 0);
		free(dir);
	}
	char manpath[4096];
	snprintf(manpath, sizeof(manpath), "%s:/usr/share/man", tu_tmp);
	cr_assert_eq(setenv("MANPATH", manpath, 1), 0);
	char *const argv[] = {(char *)MP_MANDOC, (char *)"-Tlint", (char *)"-W", (char *)"style",
	                      (char *)PAGE1,     (char *)PAGE3,    NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0, "cannot run mandoc");
	unsetenv("MANPATH");
	/* The findings go to standard output, the database notes to standard
	 * error. */
	size_t findings = 0;
	char *streams[] = {r.out, r.err};
	for (size_t i = 0; i < 2; i++) {
		char *save = NULL;
		for (char *line = strtok_r(streams[i], "\n", &save); line != NULL;
		     line = strtok_r(NULL, "\n", &save)) {
			if (strstr(line, "outdated mandoc.db lacks") != NULL)
				continue;
			cr_log_error("%s", line);
			findings++;
		}
	}
	cr_assert_eq(findings, 0, "mandoc -Tlint -W style: %zu findings (above)", findings);
	tu_run_free(&r);
}

/* "pkg-config --cflags --libs mapiprof" works where the library's own
 * dependencies are installed: the .pc file names no package whose .pc
 * file may be missing (Debian's wimlib.pc needs libntfs-3g.pc and fuse.pc). */
Test(man, pkg_config_accepts_the_library_pc_file)
{
	if (MP_PKGCONFIG[0] == '\0')
		cr_skip_test("pkg-config was not found at configure time");
	char *const argv[] = {(char *)"/usr/bin/env",
	                      (char *)"PKG_CONFIG_PATH=" MP_PC_DIR,
	                      (char *)MP_PKGCONFIG,
	                      (char *)"--cflags",
	                      (char *)"--libs",
	                      (char *)"mapiprof",
	                      NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(argv, &r), 0);
	cr_assert_eq(r.status, 0, "pkg-config mapiprof: %s", r.err);
	cr_assert_not_null(strstr(r.out, "-lmapiprof"), "%s", r.out);
	tu_run_free(&r);
}
