/* test_cli_image.c - --image DIR over a Windows volume unpacked as a
 * directory tree: every user hive found (Users and Documents and Settings,
 * names in any case, Default included), paths inside the image matched
 * case-insensitively, links never followed, batches that patch in place
 * and leave every other file of the image byte for byte. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#define GC_FIX "exchange2007-gc-referral"

static char *img;

/* dir/rel, malloc'd. */
static char *
in_img(const char *rel)
{
	size_t len = strlen(img) + strlen(rel) + 2;
	char *p = malloc(len);
	cr_assert_not_null(p);
	snprintf(p, len, "%s/%s", img, rel);
	return p;
}

static void
mkdirs(const char *rel)
{
	char *p = in_img(rel);
	for (char *s = p + strlen(img) + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
	free(p);
}

static void
put_built(const char *fixture, const char *rel)
{
	char *src = tu_fixture(fixture), *dst = in_img(rel);
	cr_assert_eq(tu_copy(src, dst), 0, "%s -> %s", src, dst);
	free(src);
	free(dst);
}

static void
put_text(const char *rel, const char *text)
{
	char *dst = in_img(rel);
	cr_assert_eq(tu_write(dst, text, strlen(text)), 0);
	free(dst);
}

/* A small Windows volume: a profile-less Default hive, an Exchange hive
 * with the empty logs Windows keeps beside it, an Outlook 2016 hive in
 * lower case, an XP-era profile, a machine hive, and a link out of the
 * image where a user folder would be. */
static void
make_image(void)
{
	tu_setup();
	img = tu_tmp_path("image");
	cr_assert_eq(mkdir(img, 0755), 0);
	mkdirs("Users/Default");
	mkdirs("Users/alice");
	mkdirs("users/BOB");
	mkdirs("Documents and Settings/olduser");
	mkdirs("Windows/System32/config");
	put_built("no-profiles.dat", "Users/Default/NTUSER.DAT");
	put_built("exchange-mapi.dat", "Users/alice/NTUSER.DAT");
	put_text("Users/alice/NTUSER.DAT.LOG1", "");
	put_text("Users/alice/NTUSER.DAT.LOG2", "");
	put_built("outlook2016-two-accounts.dat", "users/BOB/ntuser.dat");
	put_built("exchange-mapi.dat", "Documents and Settings/olduser/NTUSER.DAT");
	put_text("Windows/System32/config/SOFTWARE", "not a user hive");
	char *link = in_img("Users/Public");
	cr_assert_eq(symlink("/etc", link), 0);
	free(link);
}

static void
drop_image(void)
{
	free(img);
	img = NULL;
	tu_teardown();
}

TestSuite(cli_image, .init = make_image, .fini = drop_image);

Test(cli_image, list_names_every_user_hive_and_nothing_else)
{
	TU_CLI_EXPECT(0, "list", "--image", img);
	const char *want[] = {"Documents and Settings/olduser/NTUSER.DAT",
	                      "Users/Default/NTUSER.DAT", "Users/alice/NTUSER.DAT",
	                      "users/BOB/ntuser.dat"};
	for (size_t i = 0; i < 4; i++) {
		char *p = in_img(want[i]);
		char line[4096];
		snprintf(line, sizeof(line), "file: %s\n", p);
		cr_assert_not_null(strstr(tu_last.out, line), "no %s in:\n%s", line, tu_last.out);
		free(p);
	}
	cr_assert_null(strstr(tu_last.out, "SOFTWARE"), "%s", tu_last.out);
	cr_assert_null(strstr(tu_last.out, "Public"), "a link is not followed: %s", tu_last.out);
	cr_assert_not_null(strstr(tu_last.out, "profiles: none"), "%s", tu_last.out);
}

Test(cli_image, apply_patches_in_place_and_leaves_every_other_file)
{
	const char *others[] = {"Users/Default/NTUSER.DAT", "users/BOB/ntuser.dat",
	                        "Users/alice/NTUSER.DAT.LOG1", "Users/alice/NTUSER.DAT.LOG2",
	                        "Windows/System32/config/SOFTWARE"};
	struct tu_snap snaps[5];
	for (size_t i = 0; i < 5; i++) {
		char *p = in_img(others[i]);
		snaps[i] = tu_snap_take(p);
		free(p);
	}
	TU_CLI_EXPECT(3, "apply", "--check", "--image", img, GC_FIX);
	TU_CLI_EXPECT(0, "apply", "--image", img, GC_FIX);
	cr_assert_not_null(strstr(tu_last.out, "Users/Default/NTUSER.DAT: unchanged (no MAPI "
	                                       "profile in the file)"),
	                   "%s", tu_last.out);
	TU_CLI_EXPECT(0, "apply", "--check", "--image", img, GC_FIX);
	for (size_t i = 0; i < 5; i++) {
		char *p = in_img(others[i]);
		tu_snap_assert_same(&snaps[i], p);
		free(p);
	}
	/* The patched hives, read by a parser the project did not write. */
	char *alice = in_img("Users/alice/NTUSER.DAT");
	char *dump = tu_tool_out("/usr/bin/reglookup", alice);
	cr_assert_not_null(
	    strstr(dump, "13dbb0c8aa05101a9bb000aa002fc45a/00036604,BINARY,%00%00%00%00"), "%s",
	    dump);
	free(dump);
	free(alice);
	/* A path inside the image, written the Windows way, in any case. */
	TU_CLI_EXPECT(0, "get", "--image", img, "--section", "emsab", "PR_PROFILE_AUTH_PACKAGE",
	              "\\USERS\\Alice\\ntuser.dat");
	cr_assert_str_eq(tu_last.out, "9\n");
}

Test(cli_image, paths_not_in_the_image_fail_naming_the_image_and_the_path)
{
	TU_CLI_EXPECT(1, "list", "--image", img, "/Users/nobody/NTUSER.DAT",
	              "/Users/alice/NTUSER.DAT");
	char want[4096];
	snprintf(want, sizeof(want), "mapiprof: %s: no /Users/nobody/NTUSER.DAT in the image", img);
	cr_assert_not_null(strstr(tu_last.err, want), "%s", tu_last.err);
	cr_assert_not_null(strstr(tu_last.out, "profile: Exchange"), "the batch goes on: %s",
	                   tu_last.out);
	TU_CLI_EXPECT(1, "list", "--image", img, "../../etc/passwd");
	cr_assert_not_null(strstr(tu_last.err, "is not a path inside the image"), "%s",
	                   tu_last.err);
	TU_CLI_EXPECT(1, "list", "--image", img, "/Users/Public/passwd");
	cr_assert_not_null(strstr(tu_last.err, "a link or not a file: not followed"), "%s",
	                   tu_last.err);
	char *none = tu_tmp_path("no-such-image");
	TU_CLI_EXPECT(1, "info", "--image", none);
	cr_assert_not_null(strstr(tu_last.err, "not a directory holding a Windows volume"), "%s",
	                   tu_last.err);
	free(none);
}

Test(cli_image, backups_are_never_written_inside_an_image)
{
	TU_CLI_EXPECT(2, "apply", "--backup", "--image", img, GC_FIX);
	cr_assert_not_null(strstr(tu_last.err, "inside the image"), "%s", tu_last.err);
	TU_CLI_EXPECT(2, "recover", "--backup", "--image", img);
}

Test(cli_image, an_image_without_user_hives_is_reported)
{
	char *empty = tu_tmp_path("empty-image");
	cr_assert_eq(mkdir(empty, 0755), 0);
	TU_CLI_EXPECT(1, "list", "--image", empty);
	cr_assert_not_null(strstr(tu_last.err, "no user hive"), "%s", tu_last.err);
	free(empty);
}
