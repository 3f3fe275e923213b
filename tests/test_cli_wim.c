/* test_cli_wim.c - --image over a WIM file (wimlib): hives named IMAGE:/PATH,
 * found and matched as on directory trees; a batch puts every changed hive
 * back in one commit that wimverify accepts, leaving every other file of
 * the image and its metadata as they were; image selection, --backup,
 * and the inputs refused with the archive untouched.  The archives are made
 * and checked with wimlib's own tools (wimcapture, wimapply, wimdir,
 * wimverify, wimsplit, wimmountrw), the hives with reglookup. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logmaker.h"
#include "testutil.h"

#define GC_FIX "exchange2007-gc-referral"
#define ALICE  "/Users/alice/NTUSER.DAT"

static char *tree, *wim;

/* tu_tmp/rel, malloc'd. */
static char *
tmp(const char *rel)
{
	return tu_tmp_path(rel);
}

/* Runs a shell command line; returns its exit status, output in *out
 * (malloc'd) when out is not NULL. */
static int
sh(char **out, const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	va_start(ap, fmt);
/* Positional arguments (%1$s) are POSIX, not ISO C: no format attribute,
 * so the format is not a literal here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
#pragma GCC diagnostic pop
	va_end(ap);
	char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	struct tu_run r = {0};
	cr_assert_eq(tu_run(argv, &r), 0, "%s", cmd);
	if (out != NULL) {
		*out = r.out;
		r.out = NULL;
	}
	int status = r.status;
	tu_run_free(&r);
	return status;
}

static void
put_built(const char *fixture, const char *rel)
{
	char *src = tu_fixture(fixture);
	char dst[4096];
	snprintf(dst, sizeof(dst), "%s/%s", tree, rel);
	cr_assert_eq(tu_copy(src, dst), 0, "%s -> %s", src, dst);
	free(src);
}

static void
put_text(const char *rel, const char *text)
{
	char dst[4096];
	snprintf(dst, sizeof(dst), "%s/%s", tree, rel);
	cr_assert_eq(tu_write(dst, text, strlen(text)), 0);
}

/* A small Windows volume, captured: a profile-less Default hive, an
 * Exchange hive with the empty logs Windows keeps beside it, an Outlook
 * 2016 hive in lower case, an XP-era Exchange profile and other files. */
static void
make_wim(void)
{
	tu_setup();
	tree = tmp("tree");
	wim = tmp("golden.wim");
	cr_assert_eq(sh(NULL,
	                "mkdir -p '%1$s/Users/Default' '%1$s/Users/alice' '%1$s/users/BOB' "
	                "'%1$s/Documents and Settings/olduser' '%1$s/Windows/System32/config'",
	                tree),
	             0);
	put_built("no-profiles.dat", "Users/Default/NTUSER.DAT");
	put_built("exchange-mapi.dat", "Users/alice/NTUSER.DAT");
	put_text("Users/alice/NTUSER.DAT.LOG1", "");
	put_text("Users/alice/NTUSER.DAT.LOG2", "");
	put_built("outlook2016-two-accounts.dat", "users/BOB/ntuser.dat");
	put_built("exchange-mapi.dat", "Documents and Settings/olduser/NTUSER.DAT");
	put_text("Windows/System32/config/SOFTWARE", "not a user hive");
	put_text("Users/alice/notes.txt", "hello");
	cr_assert_eq(sh(NULL, "wimcapture '%s' '%s' Golden >/dev/null", tree, wim), 0);
}

static void
drop_wim(void)
{
	/* A mount a failed test left (the_same_flow_through_a_wimmountrw_mount). */
	sh(NULL, "mountpoint -q '%1$s/mnt' && wimunmount '%1$s/mnt' >/dev/null 2>&1; true", tu_tmp);
	free(tree);
	free(wim);
	tree = wim = NULL;
	tu_teardown();
}

TestSuite(cli_wim, .init = make_wim, .fini = drop_wim, .timeout = 300);

/* Every test of a WIM archive but the last: the Windows build has no WIM
 * support (no wimlib build for MinGW). */
#define NEEDS_WIM()                                                                                \
	TU_SKIP_ON_WINDOWS("the Windows build has no WIM support (no wimlib build for it)")

/* wimdir --detailed of one path of image 1 of archive a. */
static char *
detail(const char *a, const char *path)
{
	char *out = NULL;
	/* Where a resource lies in the archive changes with the rebuild. */
	cr_assert_eq(
	    sh(&out, "wimdir '%s' 1 --detailed --path='%s' | grep -v 'Offset in WIM'", a, path), 0);
	return out;
}

/* The value of "Key = value" in a wimdir --detailed block, malloc'd. */
static char *
field(const char *block, const char *key)
{
	const char *p = strstr(block, key);
	cr_assert_not_null(p, "no %s in:\n%s", key, block);
	p = strchr(p, '=');
	cr_assert_not_null(p);
	p += 2;
	return strndup(p, strcspn(p, "\n"));
}

Test(cli_wim, list_names_every_user_hive_as_image_and_path)
{
	NEEDS_WIM();
	TU_CLI_EXPECT(0, "list", "--image", wim);
	const char *want[] = {"/Documents and Settings/olduser/NTUSER.DAT",
	                      "/Users/Default/NTUSER.DAT", ALICE, "/users/BOB/ntuser.dat"};
	for (size_t i = 0; i < 4; i++) {
		char line[4096];
		snprintf(line, sizeof(line), "file: %s:%s\n", wim, want[i]);
		cr_assert_not_null(strstr(tu_last.out, line), "no %s in:\n%s", line, tu_last.out);
	}
	cr_assert_null(strstr(tu_last.out, "SOFTWARE"), "%s", tu_last.out);
	/* A path inside the image in any case, written the Windows way. */
	TU_CLI_EXPECT(0, "get", "--image", wim, "--section", "emsab", "PR_PROFILE_AUTH_PACKAGE",
	              "\\USERS\\Alice\\ntuser.dat");
	cr_assert_str_eq(tu_last.out, "10\n");
	/* A hive's logs are named inside the image too, never where they were
	 * streamed out to. */
	TU_CLI_EXPECT(0, "info", "--image", wim, ALICE);
	char log[4096];
	snprintf(log, sizeof(log), "log: %s:%s.LOG1 (0 bytes", wim, ALICE);
	cr_assert_not_null(strstr(tu_last.out, log), "no %s in:\n%s", log, tu_last.out);
	cr_assert_null(strstr(tu_last.out, "mapiprof-wim"), "%s", tu_last.out);
	/* Nothing is left behind in $TMPDIR, also when a hive fails. */
	char *left = NULL;
	cr_assert_eq(sh(&left,
	                "mkdir '%1$s/t' && TMPDIR='%1$s/t' '%2$s' list --image '%3$s' >/dev/null; "
	                "TMPDIR='%1$s/t' '%2$s' list --image '%3$s' / /Users/x >/dev/null 2>&1; "
	                "ls -A '%1$s/t'",
	                tu_tmp, MP_CLI, wim),
	             0);
	cr_assert_str_eq(left, "");
	free(left);
}

Test(cli_wim, apply_patches_in_one_commit_and_leaves_every_other_file_and_its_metadata)
{
	NEEDS_WIM();
	char *before = tmp("before"), *after = tmp("after");
	char *alice0 = detail(wim, ALICE), *def0 = detail(wim, "/Users/Default/NTUSER.DAT");
	char *log0 = detail(wim, ALICE ".LOG1");
	cr_assert_eq(sh(NULL, "wimapply '%s' 1 '%s' >/dev/null", wim, before), 0);

	TU_CLI_EXPECT(3, "apply", "--check", "--image", wim, GC_FIX);
	char *bak = tmp("golden.wim.bak");
	TU_CLI_EXPECT(0, "apply", "--backup", "--image", wim, GC_FIX);
	char want[8192];
	snprintf(want, sizeof(want), "%s:%s: 5 changes written (backup %s)", wim, ALICE, bak);
	cr_assert_not_null(strstr(tu_last.out, want), "%s", tu_last.out);
	snprintf(want, sizeof(want), "%s:/Documents and Settings/olduser/NTUSER.DAT: 5 changes",
	         wim);
	cr_assert_not_null(strstr(tu_last.out, want), "%s", tu_last.out);
	/* One commit: the backup, made before it, holds neither change. */
	char *orig = tmp("orig.wim");
	cr_assert_eq(sh(NULL, "wimapply '%s' 1 '%s' >/dev/null && diff -r '%s' '%s'", bak, orig,
	                orig, before),
	             0, "the backup is not the archive as it was");
	TU_CLI_EXPECT(0, "apply", "--check", "--image", wim, GC_FIX);
	cr_assert_eq(sh(NULL, "wimverify '%s' >/dev/null 2>&1", wim), 0);

	/* Every other file byte for byte: the tree as wimapply gives it, with
	 * the two patched hives put back as they were, is the old tree. */
	cr_assert_eq(sh(NULL, "wimapply '%s' 1 '%s' >/dev/null", wim, after), 0);
	char *dump = NULL;
	cr_assert_eq(sh(&dump, "reglookup '%s%s'", after, ALICE), 0);
	cr_assert_not_null(
	    strstr(dump, "13dbb0c8aa05101a9bb000aa002fc45a/00036604,BINARY,%00%00%00%00"), "%s",
	    dump);
	free(dump);
	cr_assert_neq(sh(NULL, "cmp -s '%1$s%3$s' '%2$s%3$s'", before, after, ALICE), 0);
	cr_assert_eq(sh(NULL,
	                "cp '%1$s%3$s' '%2$s%3$s' && cp '%1$s/Documents and "
	                "Settings/olduser/NTUSER.DAT' '%2$s/Documents and Settings/olduser/' && "
	                "diff -r '%1$s' '%2$s'",
	                before, after, ALICE),
	             0, "a file other than the patched hives changed");
	/* The same through wimextract of single files. */
	cr_assert_eq(sh(NULL,
	                "cd '%s' && wimextract '%s' 1 /Users/alice/notes.txt "
	                "/Windows/System32/config/SOFTWARE --dest-dir=x >/dev/null && "
	                "cmp x/notes.txt '%s/Users/alice/notes.txt' && cmp x/SOFTWARE "
	                "'%s/Windows/System32/config/SOFTWARE'",
	                tu_tmp, wim, before, before),
	             0);

	/* Metadata: other files' entries are unchanged, hash included; the
	 * patched hive keeps its attributes (those wimcapture gives on Linux:
	 * no security descriptor, FILE_ATTRIBUTE_NORMAL) and last access time;
	 * its creation time becomes its last write time (man page: lost). */
	char *def1 = detail(wim, "/Users/Default/NTUSER.DAT"), *log1 = detail(wim, ALICE ".LOG1");
	cr_assert_str_eq(def1, def0);
	cr_assert_str_eq(log1, log0);
	char *alice1 = detail(wim, ALICE);
	char *a0 = field(alice0, "Attributes"), *a1 = field(alice1, "Attributes");
	cr_assert_str_eq(a1, a0);
	cr_assert_null(strstr(alice0, "Security"), "wimcapture on Linux gave an SD: %s", alice0);
	char *acc0 = field(alice0, "Last Access Time"), *acc1 = field(alice1, "Last Access Time");
	cr_assert_str_eq(acc1, acc0);
	char *cre1 = field(alice1, "Creation Time"), *wr1 = field(alice1, "Last Write Time");
	cr_assert_str_eq(cre1, wr1);
	char *h0 = field(alice0, "Hash"), *h1 = field(alice1, "Hash");
	cr_assert_str_neq(h1, h0);
	free(a0), free(a1), free(acc0), free(acc1), free(cre1), free(wr1), free(h0), free(h1);
	free(alice0), free(alice1), free(def0), free(def1), free(log0), free(log1);
	/* No backup inside the image. */
	char *list = NULL;
	cr_assert_eq(sh(&list, "wimdir '%s' 1", wim), 0);
	cr_assert_null(strstr(list, ".bak"), "%s", list);
	free(list);
	free(before), free(after), free(bak), free(orig);
}

Test(cli_wim, nothing_to_change_leaves_the_archive_alone)
{
	NEEDS_WIM();
	struct tu_snap s = tu_snap_take(wim);
	TU_CLI_EXPECT(0, "apply", "--image", wim, GC_FIX, "/users/bob/NTUSER.DAT");
	cr_assert_not_null(strstr(tu_last.out, "unchanged"), "%s", tu_last.out);
	TU_CLI_EXPECT(0, "apply", "--dry-run", "--image", wim, GC_FIX);
	TU_CLI_EXPECT(0, "edit", "--image", wim, "--json", "-e",
	              "emsab PR_PROFILE_AUTH_PACKAGE = 10", ALICE);
	cr_assert_not_null(strstr(tu_last.out, "\"unchanged\""), "%s", tu_last.out);
	tu_snap_assert_same(&s, wim);
}

Test(cli_wim, images_are_chosen_by_index_or_name)
{
	NEEDS_WIM();
	put_text("Users/alice/extra.txt", "second image");
	cr_assert_eq(sh(NULL, "wimappend '%s' '%s' Other >/dev/null", tree, wim), 0);
	TU_CLI_EXPECT(2, "list", "--image", wim);
	cr_assert_not_null(strstr(tu_last.err, "holds 2 images (1 \"Golden\", 2 \"Other\")"), "%s",
	                   tu_last.err);
	char spec[2048];
	snprintf(spec, sizeof(spec), "%s:2", wim);
	TU_CLI_EXPECT(0, "list", "--image", spec, ALICE);
	char want[8192];
	snprintf(want, sizeof(want), "file: %s:%s\n", spec, ALICE);
	cr_assert_not_null(strstr(tu_last.out, want), "%s", tu_last.out);
	snprintf(spec, sizeof(spec), "%s:Other", wim);
	TU_CLI_EXPECT(3, "apply", "--check", "--image", spec, GC_FIX, ALICE);
	struct tu_snap s = tu_snap_take(wim);
	snprintf(spec, sizeof(spec), "%s:Other", wim);
	TU_CLI_EXPECT(0, "apply", "--image", spec, GC_FIX, ALICE);
	/* Only image 2 changed. */
	cr_assert_eq(sh(NULL, "wimverify '%s' >/dev/null 2>&1", wim), 0);
	TU_CLI_EXPECT(0, "apply", "--check", "--image", spec, GC_FIX, ALICE);
	snprintf(spec, sizeof(spec), "%s:Golden", wim);
	TU_CLI_EXPECT(3, "apply", "--check", "--image", spec, GC_FIX, ALICE);
	free(s.data); /* the archive was rewritten */
}

Test(cli_wim, bad_inputs_fail_naming_the_image_and_leave_it_alone)
{
	NEEDS_WIM();
	cr_assert_eq(sh(NULL, "wimappend '%s' '%s' Other >/dev/null", tree, wim), 0);
	struct tu_snap s = tu_snap_take(wim);
	char spec[2048];
	snprintf(spec, sizeof(spec), "%s:3", wim);
	TU_CLI_EXPECT(1, "apply", "--image", spec, GC_FIX);
	cr_assert_not_null(strstr(tu_last.err, "no image '3' in the WIM file"), "%s", tu_last.err);
	snprintf(spec, sizeof(spec), "%s:Nope", wim);
	TU_CLI_EXPECT(1, "list", "--image", spec);
	snprintf(spec, sizeof(spec), "%s:1", wim);
	TU_CLI_EXPECT(1, "apply", "--image", spec, GC_FIX, "/Users/nobody/NTUSER.DAT");
	char want[8192];
	snprintf(want, sizeof(want), "mapiprof: %s: no /Users/nobody/NTUSER.DAT in the image",
	         spec);
	cr_assert_not_null(strstr(tu_last.err, want), "%s", tu_last.err);
	TU_CLI_EXPECT(1, "apply", "--image", spec, GC_FIX, "../../etc/passwd");
	cr_assert_not_null(strstr(tu_last.err, "is not a path inside the image"), "%s",
	                   tu_last.err);
	tu_snap_assert_same(&s, wim);

	char *text = tu_tmp_write("not.wim", "MSWIM? no", 9);
	TU_CLI_EXPECT(1, "list", "--image", text);
	snprintf(want, sizeof(want), "mapiprof: %s: not a WIM file, nor a directory", text);
	cr_assert_not_null(strstr(tu_last.err, want), "%s", tu_last.err);
	free(text);
	char *none = tmp("none.wim");
	TU_CLI_EXPECT(1, "list", "--image", none);
	free(none);
}

Test(cli_wim, a_split_wim_is_read_but_never_updated)
{
	NEEDS_WIM();
	/* 3 MiB that do not compress, so that 1 MiB parts make several. */
	cr_assert_eq(sh(NULL,
	                "head -c 3145728 /dev/urandom > '%s/Windows/filler' && wimcapture '%s' "
	                "'%s/big.wim' Big >/dev/null && wimsplit '%s/big.wim' '%s/big.swm' 1 "
	                ">/dev/null && ls '%s'/big*.swm | wc -l | grep -qv '^1$'",
	                tree, tree, tu_tmp, tu_tmp, tu_tmp, tu_tmp),
	             0);
	char *swm = tmp("big.swm");
	struct tu_snap s = tu_snap_take(swm);
	TU_CLI_EXPECT(3, "apply", "--check", "--image", swm, GC_FIX, ALICE);
	TU_CLI_EXPECT(1, "apply", "--image", swm, GC_FIX, ALICE);
	cr_assert_not_null(strstr(tu_last.err, "wimlib cannot update a split WIM"), "%s",
	                   tu_last.err);
	tu_snap_assert_same(&s, swm);
	free(swm);
}

Test(cli_wim, a_wim_we_may_not_write_is_refused)
{
	NEEDS_WIM();
	/* As root every file is writable: run the tool as nobody. */
	const char *as =
	    geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
	cr_assert_eq(sh(NULL, "chmod 0755 '%s' && chmod 0444 '%s'", tu_tmp, wim), 0);
	struct tu_snap s = tu_snap_take(wim);
	char *err = NULL;
	int status = sh(&err, "%s'%s' apply --image '%s' " GC_FIX " 2>&1", as, MP_CLI, wim);
	cr_assert_eq(status, 1, "%s", err);
	cr_assert_not_null(strstr(err, "wimlib cannot update this WIM file"), "%s", err);
	free(err);
	/* Reading it is fine. */
	status = sh(&err, "%s'%s' apply --check --image '%s' " GC_FIX " 2>&1", as, MP_CLI, wim);
	cr_assert_eq(status, 3, "%s", err);
	free(err);
	tu_snap_assert_same(&s, wim);
}

Test(cli_wim, backup_with_a_directory_image_stays_refused)
{
	NEEDS_WIM();
	TU_CLI_EXPECT(2, "apply", "--backup", "--image", tree, GC_FIX);
	cr_assert_not_null(strstr(tu_last.err, "inside the image"), "%s", tu_last.err);
	TU_CLI_EXPECT(2, "apply", "--output-dir", tu_tmp, "--image", wim, GC_FIX);
}

Test(cli_wim, the_same_flow_through_a_wimmountrw_mount)
{
	NEEDS_WIM();
	if (access("/dev/fuse", R_OK | W_OK) != 0 ||
	    sh(NULL,
	       /* The mount's daemon must not keep the test runner's
	        * descriptors open: Criterion waits for them to close. */
	       "mkdir '%s/mnt' && bash -c 'for fd in $(ls /proc/$$/fd); do ((fd > 2)) && eval "
	       "\"exec $fd>&-\"; done; exec wimmountrw \"$0\" 1 \"$1/mnt\"' '%s' '%s' "
	       "</dev/null >/dev/null 2>&1",
	       tu_tmp, wim, tu_tmp) != 0) {
		cr_skip_test("/dev/fuse is not usable here: no wimmountrw");
	}
	char *mnt = tmp("mnt");
	TU_CLI_EXPECT(3, "apply", "--check", "--image", mnt, GC_FIX);
	TU_CLI_EXPECT(0, "apply", "--image", mnt, GC_FIX);
	TU_CLI_EXPECT(0, "apply", "--check", "--image", mnt, GC_FIX);
	cr_assert_eq(sh(NULL, "wimunmount --commit '%s' >/dev/null", mnt), 0);
	cr_assert_eq(sh(NULL, "wimverify '%s' >/dev/null 2>&1", wim), 0);
	TU_CLI_EXPECT(0, "apply", "--check", "--image", wim, GC_FIX);
	free(mnt);
}

/* ---- a dirty hive travels with its logs ------------------------------------ */

#define LOGGED "gc-logged.contoso.com" /* the value only the log holds */
#define CAROL  "/Users/carol/NTUSER.DAT"

/* A captured image whose only user hive is dirty: exchange-mapi.dat with a
 * .LOG1 holding `emsab PR_PROFILE_HOME_SERVER = LOGGED` (tests/logmaker.h)
 * and an empty .LOG2, as a copy of a running system's volume holds them.
 * Returns the archive's path. */
static char *
make_dirty_wim(const char *name)
{
	char *clean = tu_stage_built("exchange-mapi.dat"), *changed = tmp("changed.dat");
	char *dtree = tmp("dirty-tree"), *h = NULL, *a = tmp(name);
	TU_CLI_EXPECT(0, "edit", "-o", changed, "-e", "emsab PR_PROFILE_HOME_SERVER = " LOGGED,
	              clean);
	cr_assert_eq(sh(NULL, "mkdir -p '%s/Users/carol'", dtree), 0);
	char path[4096];
	snprintf(path, sizeof(path), "%s/Users/carol/NTUSER.DAT", dtree);
	h = strdup(path);
	struct lm_opts lo = {.entries = 1, .empty_log2 = 1};
	struct lm_result res;
	cr_assert_eq(lm_make_dirty_opts(clean, changed, h, &lo, &res), 0, "logmaker: %s",
	             lm_error());
	cr_assert_eq(sh(NULL, "wimcapture '%s' '%s' Dirty >/dev/null", dtree, a), 0);
	free(clean);
	free(changed);
	free(dtree);
	free(h);
	return a;
}

/* The size of path inside image 1 of archive a (wimdir --detailed). */
static long
size_in(const char *a, const char *path)
{
	char *d = detail(a, path), *v = field(d, "Uncompressed size");
	long n = strtol(v, NULL, 10);
	free(v);
	free(d);
	return n;
}

Test(cli_wim, a_dirty_hive_is_read_recovered_refused_for_writing_and_recovered_in_the_image)
{
	NEEDS_WIM();
	char *a = make_dirty_wim("dirty.wim");
	char *img = NULL, *before = NULL;
	size_t blen = 0;
	before = tu_read(a, &blen);
	cr_assert_not_null(before);
	/* Read as Windows would load it: the logs travel with the hive. */
	TU_CLI_EXPECT(0, "get", "--image", a, "--section", "emsab", "PR_PROFILE_HOME_SERVER",
	              CAROL);
	cr_assert_str_eq(tu_last.out, LOGGED "\n");
	/* A write would make Windows ignore the logs: refused, archive untouched. */
	TU_CLI_EXPECT(4, "apply", "--image", a, GC_FIX);
	tu_assert_file_is(a, before, blen);
	/* --recover writes the recovered state with the fix, and the reset logs,
	 * back in the one commit. */
	TU_CLI_EXPECT(0, "apply", "--recover", "--image", a, GC_FIX);
	cr_assert_eq(sh(NULL, "wimverify '%s' >/dev/null 2>&1", a), 0, "wimverify");
	TU_CLI_EXPECT(0, "apply", "--check", "--image", a, GC_FIX);
	cr_assert_eq(size_in(a, CAROL ".LOG1"), 0, "the .LOG1 in the image was not reset");
	img = tmp("carol.dat");
	cr_assert_eq(
	    sh(NULL, "wimextract '%s' 1 '%s' --dest-dir='%s' >/dev/null", a, CAROL, tu_tmp), 0);
	char *x = tmp("NTUSER.DAT");
	/* Clean now, alone: the logged value and the fix are in the file itself. */
	tu_assert_get_no_logs("emsab", "PR_PROFILE_HOME_SERVER", x, LOGGED);
	tu_assert_get_no_logs("emsab", "PR_PROFILE_AUTH_PACKAGE", x, "9");
	TU_CLI_EXPECT(0, "info", "--json", x);
	cr_assert(strstr(tu_last.out, "\"dirty\":false") != NULL, "%s", tu_last.out);
	free(x);
	free(img);
	free(before);
	free(a);
}

Test(cli_wim, recover_puts_the_recovered_hive_back_in_the_image)
{
	NEEDS_WIM();
	char *a = make_dirty_wim("dirty2.wim");
	TU_CLI_EXPECT(0, "recover", "--consume-logs", "--image", a);
	cr_assert_eq(sh(NULL, "wimverify '%s' >/dev/null 2>&1", a), 0, "wimverify");
	cr_assert_eq(size_in(a, CAROL ".LOG1"), 0, "the .LOG1 in the image was not reset");
	/* The hive alone now holds what only the log held. */
	TU_CLI_EXPECT(0, "get", "--no-logs", "--image", a, "--section", "emsab",
	              "PR_PROFILE_HOME_SERVER", CAROL);
	cr_assert_str_eq(tu_last.out, LOGGED "\n");
	free(a);
}

/* Two writers of one archive take turns on its lock: the rebuild writes a
 * whole new archive from what each read, so without it one's change would
 * be lost.  With --no-wait a held lock is "busy" (exit 4), archive alone. */
Test(cli_wim, two_writers_of_one_archive_both_keep_their_changes)
{
	NEEDS_WIM();
	for (int t = 0; t < 3; t++) {
		cr_assert_eq(
		    sh(NULL,
		       "'%1$s' edit --image '%2$s' -e 'global PR_PROFILE_SERVER_VERSION = "
		       "%3$d' '%4$s' >/dev/null & "
		       "'%1$s' edit --image '%2$s' -e 'emsab PR_PROFILE_AUTH_PACKAGE = %3$d' "
		       "'%4$s' >/dev/null & "
		       "s=0; for p in $(jobs -p); do wait $p || s=1; done; exit $s",
		       MP_CLI, wim, 3001 + t, ALICE),
		    0, "an edit failed");
		char want[32];
		snprintf(want, sizeof(want), "%d\n", 3001 + t);
		TU_CLI_EXPECT(0, "get", "--image", wim, "--section", "global",
		              "PR_PROFILE_SERVER_VERSION", ALICE);
		cr_assert_str_eq(tu_last.out, want, "trial %d: the first change was lost", t);
		TU_CLI_EXPECT(0, "get", "--image", wim, "--section", "emsab",
		              "PR_PROFILE_AUTH_PACKAGE", ALICE);
		cr_assert_str_eq(tu_last.out, want, "trial %d: the second change was lost", t);
	}
	cr_assert_eq(sh(NULL, "wimverify '%s' >/dev/null 2>&1", wim), 0, "wimverify");
	size_t blen = 0;
	char *before = tu_read(wim, &blen);
	cr_assert_not_null(before);
	char *err = NULL;
	cr_assert_eq(sh(&err,
	                "flock '%1$s' '%2$s' apply --no-wait --image '%1$s' " GC_FIX " 2>&1; "
	                "echo status=$?",
	                wim, MP_CLI),
	             0);
	cr_assert_not_null(strstr(err, "busy: another program is writing it"), "%s", err);
	cr_assert_not_null(strstr(err, "status=4"), "%s", err);
	tu_assert_file_is(wim, before, blen);
	free(err);
	free(before);
}

/* The Windows build says it cannot open a WIM archive, names it, exits 1
 * (as for a file it cannot read), and leaves it alone; the native build has
 * WIM support (every test above). */
Test(cli_wim, the_windows_build_refuses_a_wim_archive_clearly)
{
	if (!tu_cli_windows()) {
		fprintf(stderr, "skipped: the native build has WIM support\n");
		cr_skip_test("only the Windows build is built without WIM support");
	}
	struct tu_snap s = tu_snap_take(wim);
	char want[4096];
	snprintf(want, sizeof(want), "mapiprof: %s: not built with WIM support", wim);
	TU_CLI_EXPECT(1, "list", "--image", wim);
	cr_assert_not_null(strstr(tu_last.err, want), "%s", tu_last.err);
	TU_CLI_EXPECT(1, "apply", "--image", wim, GC_FIX);
	cr_assert_not_null(strstr(tu_last.err, want), "%s", tu_last.err);
	TU_CLI_EXPECT(1, "list", "--json", "--image", wim);
	cr_assert_not_null(strstr(tu_last.out, "\"code\":\"invalid\""), "%s", tu_last.out);
	tu_snap_assert_same(&s, wim);
}
