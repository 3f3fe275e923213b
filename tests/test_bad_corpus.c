/* test_bad_corpus.c - every reading command on every file of the hostile
 * corpus fixtures/bad (written by tools/mkbad.py): the exit status its
 * MANIFEST line expects, never a crash or a hang, a diagnostic naming the
 * file on exit 1, a malformed value shown as ERROR with its raw bytes, no
 * raw control character on the terminal, and the input left byte for byte
 * as it was.  In the long mode (tests/run.sh --long) each command also runs
 * under Valgrind memcheck, which must find no error and no leak. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#define TIMEOUT  "/usr/bin/timeout"
#define VALGRIND "/usr/bin/valgrind"

/* Valgrind's status for an error it found (--error-exitcode). */
#define VG_ERROR 99

enum { LIST, SHOW, INFO, EXPORT, GET, APPLY, NCMD };
static const char *const cmd_names[NCMD] = {"list", "show", "info", "export", "get", "apply"};

struct entry {
	char name[128];
	int want[NCMD]; /* -1: not run */
	char what[512];
};

TestSuite(bad_corpus, .init = tu_setup, .fini = tu_teardown);

/* The MANIFEST's entries whose name ends in suffix. */
static size_t
load(const char *suffix, struct entry *out, size_t max)
{
	char *path = tu_fixture_src("bad/MANIFEST");
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "cannot read %s", path);
	char line[1024];
	size_t n = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		struct entry e;
		char codes[NCMD][4];
		memset(&e, 0, sizeof(e));
		int k = sscanf(line, "%127[^\t]\t%3s %3s %3s %3s %3s %3s\t%511[^\n]", e.name,
		               codes[0], codes[1], codes[2], codes[3], codes[4], codes[5], e.what);
		cr_assert_eq(k, 8, "bad MANIFEST line: %s", line);
		for (int c = 0; c < NCMD; c++)
			e.want[c] = strcmp(codes[c], "-") == 0 ? -1 : atoi(codes[c]);
		size_t nl = strlen(e.name), sl = strlen(suffix);
		if (nl >= sl && strcmp(e.name + nl - sl, suffix) == 0) {
			cr_assert_lt(n, max);
			out[n++] = e;
		}
	}
	fclose(f);
	free(path);
	cr_assert_gt(n, 0, "no %s file in the MANIFEST", suffix);
	return n;
}

/* Runs mapiprof with args (NULL-terminated) under timeout(1), and under
 * Valgrind memcheck in the long mode. */
static void
run(struct tu_run *r, const char *const *args)
{
	const char *argv[32];
	size_t n = 0;
	/* The sanitizer build runs mapiprof in the CLI server (testutil.h),
	 * which a wrapper would bypass; a hang is the plain build's timeout's
	 * to find (and meson's, for the whole program). */
	if ((!TU_UNDER_ASAN || tu_long_mode()) && access(TIMEOUT, X_OK) == 0) {
		argv[n++] = TIMEOUT;
		argv[n++] = "-s";
		argv[n++] = "KILL";
		argv[n++] = tu_long_mode() ? "600" : "120";
	}
	/* Valgrind cannot run a program built with AddressSanitizer (the
	 * sanitizer build checks the same runs its own way). */
	if (tu_long_mode() && !TU_UNDER_ASAN && access(VALGRIND, X_OK) == 0) {
		argv[n++] = VALGRIND;
		argv[n++] = "-q";
		argv[n++] = "--leak-check=full";
		argv[n++] = "--error-exitcode=99";
	}
	argv[n++] = MP_CLI;
	for (size_t i = 0; args[i] != NULL; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	cr_assert_eq(tu_run((char *const *)argv, r), 0, "cannot run mapiprof");
}

/* No raw C0 control (but tab and newline), DEL or C1 control (UTF-8
 * C2 80..C2 9F) reaches the terminal. */
static void
assert_escaped(const char *s, size_t n, const char *label)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int bad = (c < 0x20 && c != '\n' && c != '\t') || c == 0x7F ||
		          (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		           (unsigned char)s[i + 1] <= 0x9F);
		cr_expect(!bad, "%s: raw control byte 0x%02x at %zu", label, c, i);
		if (bad)
			return;
	}
}

/* One command on a fresh copy of the entry's file (or, for a recipe, on a
 * copy of base.dat): status, diagnostics, output, input unchanged. */
static void
check(const struct entry *e, int cmd)
{
	char *src = tu_fixture_src("bad/base.dat");
	char rel[160];
	snprintf(rel, sizeof(rel), "bad/%s", e->name);
	char *bad_src = tu_fixture_src(rel);
	char *target = NULL, *recipe = NULL;
	int is_recipe = strstr(e->name, ".recipe") != NULL;
	if (is_recipe) {
		recipe = tu_stage(bad_src, e->name);
		target = tu_stage(src, "NTUSER.DAT");
	} else {
		target = tu_stage(bad_src, e->name);
	}
	char *out = tu_tmp_path("export-out.reg");
	struct tu_snap snap = tu_snap_take(target);
	struct tu_snap rsnap = {0};
	if (recipe != NULL)
		rsnap = tu_snap_take(recipe);
	const char *args[12];
	size_t n = 0;
	switch (cmd) {
	case EXPORT:
		args[n++] = "export";
		args[n++] = "--all-profiles";
		args[n++] = "-o";
		args[n++] = out;
		break;
	case GET:
		args[n++] = "get";
		args[n++] = "--section";
		args[n++] = "global";
		args[n++] = "PR_PROFILE_CONFIG_FLAGS";
		break;
	case APPLY:
		args[n++] = "apply";
		args[n++] = "--check";
		args[n++] = recipe != NULL ? recipe : "cached-mode-on";
		break;
	default:
		args[n++] = cmd_names[cmd];
		break;
	}
	args[n++] = target;
	args[n] = NULL;

	struct tu_run r;
	char label[1024];
	snprintf(label, sizeof(label), "%s on %s (%s)", cmd_names[cmd], e->name, e->what);
	run(&r, args);
	cr_expect_neq(r.status, VG_ERROR, "%s: Valgrind found an error or a leak:\n%s", label,
	              r.err);
	cr_expect_lt(r.status, 128, "%s: killed (status %d): crash or hang\n%s", label, r.status,
	             r.err);
	cr_expect_eq(r.status, e->want[cmd], "%s: status %d, want %d\nstdout: %.2000s\nstderr: %s",
	             label, r.status, e->want[cmd], r.out, r.err);
	if (r.status == 1 || r.status == 2) {
		/* A clear error: "mapiprof: FILE: ..." naming the file read. */
		const char *named = is_recipe ? recipe : target;
		cr_expect(strstr(r.err, "mapiprof: ") != NULL && strstr(r.err, named) != NULL,
		          "%s: the diagnostic does not name %s: %s", label, named, r.err);
	}
	if (cmd == SHOW && r.status == 0 && strncmp(e->what, "raw:", 4) == 0)
		cr_expect(strstr(r.out, "ERROR:") != NULL && strstr(r.out, "raw: ") != NULL,
		          "%s: no value marked malformed:\n%s", label, r.out);
	assert_escaped(r.out, r.outlen, label);
	assert_escaped(r.err, r.errlen, label);
	tu_snap_assert_same(&snap, target);
	if (recipe != NULL)
		tu_snap_assert_same(&rsnap, recipe);
	tu_run_free(&r);
	unlink(out);
	free(out);
	free(src);
	free(bad_src);
	free(target);
	free(recipe);
}

/* Command cmd (or, when cmd is NCMD, every command) on every file of the
 * corpus whose name ends in suffix, each where its MANIFEST line expects
 * one; asserts that at least one ran. */
static void
check_all(const char *suffix, int cmd)
{
	static struct entry entries[256];
	size_t n = load(suffix, entries, 256), runs = 0;
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < NCMD; c++)
			if ((cmd == NCMD || c == cmd) && entries[i].want[c] >= 0) {
				check(&entries[i], c);
				runs++;
			}
	cr_assert_gt(runs, 0, "no %s file is run with %s", suffix,
	             cmd == NCMD ? "any command" : cmd_names[cmd]);
}

/* One test per command for the larger sets, so that the runner spreads
 * their few hundred runs over its workers. */
ParameterizedTestParameters(bad_corpus, hives)
{
	return tu_index_params(NCMD);
}

ParameterizedTest(size_t *cmd, bad_corpus, hives, .timeout = 0)
{
	check_all(".dat", (int)*cmd);
}

ParameterizedTestParameters(bad_corpus, reg_files)
{
	return tu_index_params(NCMD);
}

ParameterizedTest(size_t *cmd, bad_corpus, reg_files, .timeout = 0)
{
	check_all(".reg", (int)*cmd);
}

Test(bad_corpus, recipes, .timeout = 0)
{
	check_all(".recipe", NCMD);
}

/* The corpus is what tools/mkbad.py writes: a change to either shows. */
Test(bad_corpus, manifest_lists_every_file)
{
	static struct entry all[256];
	size_t n = 0;
	const char *kinds[] = {".dat", ".reg", ".recipe"};
	for (size_t k = 0; k < 3; k++)
		n += load(kinds[k], all + n, 256 - n);
	char *dir = tu_fixture_src("bad");
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "ls '%s' | grep -v '^MANIFEST$' | wc -l", dir);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	size_t files = 0;
	cr_assert_eq(fscanf(p, "%zu", &files), 1);
	pclose(p);
	cr_expect_eq(files, n, "%zu files in %s, %zu in its MANIFEST", files, dir, n);
	free(dir);
}
