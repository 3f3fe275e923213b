/* test_cli_wim_load.c - wimlib is loaded by the first WIM call only: no
 * command without a WIM file maps it (nor libxml2, ICU and the rest it
 * pulls in), --image over a WIM file loads it and works, and where it
 * cannot be loaded, --image over a WIM file fails with exit 1 naming the
 * library and the loader's reason, the archive untouched.  Observed, not
 * timed: wimhook.so is preloaded into the CLI and reports at exit whether
 * libwim was in the process's maps, and can make its dlopen fail. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#define EXCH   "exchange-mapi.dat"
#define GC_FIX "exchange2007-gc-referral"

TestSuite(cli_wim_load, .init = tu_setup, .fini = tu_teardown, .timeout = 120);

/* What the hook reported for one run. */
enum mapped { HOOK_SILENT, NOT_MAPPED, MAPPED };

/* Runs the CLI with wimhook.so preloaded (and, with hide, wimlib made
 * impossible to load) and the arguments of the NULL-terminated list, into
 * tu_last; returns what the hook saw. */
static enum mapped
run_hooked(int hide, const char *arg, ...)
{
	char *log = tu_tmp_path("wim.log");
	unlink(log);
	char preload[4096], logvar[4096], asan[4096];
	snprintf(preload, sizeof(preload), "LD_PRELOAD=%s", MP_WIMHOOK);
	snprintf(logvar, sizeof(logvar), "MP_WIM_LOG=%s", log);
	/* A sanitizer runtime wants to come first; the hook is loaded before it. */
	const char *old = getenv("ASAN_OPTIONS");
	snprintf(asan, sizeof(asan), "ASAN_OPTIONS=%s%sverify_asan_link_order=0",
	         old != NULL ? old : "", old != NULL && old[0] != '\0' ? ":" : "");
	char *argv[32] = {"/usr/bin/env", preload, logvar, asan};
	size_t n = 4;
	if (hide)
		argv[n++] = "MP_WIM_HIDE=1";
	argv[n++] = (char *)MP_CLI;
	va_list ap;
	va_start(ap, arg);
	for (const char *a = arg; a != NULL && n < 31; a = va_arg(ap, const char *))
		argv[n++] = (char *)a;
	va_end(ap);
	argv[n] = NULL;
	tu_run_free(&tu_last);
	cr_assert_eq(tu_run(argv, &tu_last), 0, "cannot run mapiprof");

	size_t len = 0;
	char *text = tu_read(log, &len);
	enum mapped m = HOOK_SILENT;
	if (text != NULL && strcmp(text, "libwim mapped\n") == 0)
		m = MAPPED;
	else if (text != NULL && strcmp(text, "libwim not mapped\n") == 0)
		m = NOT_MAPPED;
	else if (text != NULL)
		cr_assert_fail("unexpected hook report: %s", text);
	free(text);
	free(log);
	return m;
}

#define HOOKED(...)      run_hooked(0, __VA_ARGS__, (char *)NULL)
#define HOOKED_HIDE(...) run_hooked(1, __VA_ARGS__, (char *)NULL)

static void
assert_status(int want, const char *what)
{
	cr_assert_eq(tu_last.status, want, "%s: exit %d, want %d\nstdout: %s\nstderr: %s", what,
	             tu_last.status, want, tu_last.out, tu_last.err);
}

/* tu_tmp/golden.wim: one image holding an Exchange user hive, made by
 * wimcapture; returns its path, malloc'd. */
static char *
make_wim(void)
{
	char *tree = tu_tmp_path("tree"), *wim = tu_tmp_path("golden.wim");
	char dir[4096], hive[4200];
	snprintf(dir, sizeof(dir), "%s/Users/alice", tree);
	char *mk[] = {"/bin/mkdir", "-p", dir, NULL};
	struct tu_run r = {0};
	cr_assert_eq(tu_run(mk, &r), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_run_free(&r);
	char *src = tu_fixture(EXCH);
	snprintf(hive, sizeof(hive), "%s/NTUSER.DAT", dir);
	cr_assert_eq(tu_copy(src, hive), 0);
	free(src);
	char *cap[] = {"/usr/bin/env", "wimcapture", tree, wim, "Golden", NULL};
	cr_assert_eq(tu_run(cap, &r), 0);
	cr_assert_eq(r.status, 0, "wimcapture: %s", r.err);
	tu_run_free(&r);
	free(tree);
	return wim;
}

/* A command without a WIM file, on a hive, a .reg file or an unpacked
 * volume, never maps wimlib; wimlib hidden, they still work. */
Test(cli_wim_load, commands_without_a_wim_file_do_not_map_wimlib)
{
	char *hive = tu_stage_built(EXCH);
	char *reg = tu_stage_src("exchange-mapi.reg");
	char *vol = tu_tmp_path("vol"), dir[4096], copy[4200];
	snprintf(dir, sizeof(dir), "%s/Users/alice", vol);
	char *mk[] = {"/bin/mkdir", "-p", dir, NULL};
	struct tu_run r = {0};
	cr_assert_eq(tu_run(mk, &r), 0);
	tu_run_free(&r);
	snprintf(copy, sizeof(copy), "%s/NTUSER.DAT", dir);
	cr_assert_eq(tu_copy(hive, copy), 0);

	cr_assert_eq(HOOKED("--version"), NOT_MAPPED);
	assert_status(0, "--version");
	cr_assert_eq(HOOKED("list", hive), NOT_MAPPED);
	assert_status(0, "list");
	cr_assert_eq(HOOKED("show", "--json", "--no-hash", hive), NOT_MAPPED);
	assert_status(0, "show --json --no-hash");
	cr_assert_eq(HOOKED("list", reg), NOT_MAPPED);
	assert_status(0, "list of a .reg file");
	cr_assert_eq(HOOKED("apply", GC_FIX, hive), NOT_MAPPED);
	assert_status(0, "apply");
	cr_assert_eq(HOOKED("list", "--image", vol), NOT_MAPPED);
	assert_status(0, "list --image of a directory");
	cr_assert_not_null(strstr(tu_last.out, "NTUSER.DAT"), "%s", tu_last.out);
	cr_assert_eq(HOOKED_HIDE("apply", "--check", "--image", vol, GC_FIX), NOT_MAPPED);
	assert_status(3, "apply --check --image of a directory, wimlib hidden");
	free(hive);
	free(reg);
	free(vol);
}

/* --image over a WIM file loads wimlib and reads and updates the image. */
Test(cli_wim_load, image_of_a_wim_file_loads_wimlib)
{
	if (MP_WIM_SONAME[0] == '\0')
		cr_skip_test("built without WIM support (-Dwim=disabled)");
	char *wim = make_wim();
	cr_assert_eq(HOOKED("list", "--image", wim), MAPPED);
	assert_status(0, "list --image golden.wim");
	cr_assert_not_null(strstr(tu_last.out, "golden.wim:/Users/alice/NTUSER.DAT"), "%s",
	                   tu_last.out);
	cr_assert_eq(HOOKED("apply", "--image", wim, GC_FIX), MAPPED);
	assert_status(0, "apply --image golden.wim");
	cr_assert_eq(HOOKED("apply", "--check", "--image", wim, GC_FIX), MAPPED);
	assert_status(0, "apply --check after the apply");
	free(wim);
}

/* Where wimlib cannot be loaded, a WIM file is refused with exit 1, the
 * message naming the library and the loader's reason; the archive is left
 * as it was. */
Test(cli_wim_load, a_wimlib_that_cannot_be_loaded_is_a_clear_error)
{
	if (MP_WIM_SONAME[0] == '\0')
		cr_skip_test("built without WIM support (-Dwim=disabled)");
	char *wim = make_wim();
	size_t before_len = 0, after_len = 0;
	char *before = tu_read(wim, &before_len);
	cr_assert_not_null(before);

	const char *cmds[][4] = {{"list", "--image", NULL, NULL},
	                         {"apply", "--image", NULL, GC_FIX}};
	for (size_t i = 0; i < 2; i++) {
		if (cmds[i][3] != NULL)
			cr_assert_eq(HOOKED_HIDE(cmds[i][0], cmds[i][1], wim, cmds[i][3]),
			             NOT_MAPPED);
		else
			cr_assert_eq(HOOKED_HIDE(cmds[i][0], cmds[i][1], wim), NOT_MAPPED);
		assert_status(1, cmds[i][0]);
		cr_assert_not_null(strstr(tu_last.err, MP_WIM_SONAME), "%s", tu_last.err);
		/* The loader's own reason (dlerror), naming what it tried. */
		cr_assert_not_null(strstr(tu_last.err, "libwim-hidden-by-wimhook.so"), "%s",
		                   tu_last.err);
		cr_assert_not_null(strstr(tu_last.err, "golden.wim"), "%s", tu_last.err);
	}
	char *after = tu_read(wim, &after_len);
	cr_assert_eq(after_len, before_len);
	cr_assert_eq(memcmp(after, before, before_len), 0, "the archive was changed");
	free(before);
	free(after);
	free(wim);
}
