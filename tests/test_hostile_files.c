/* test_hostile_files.c - files that are not what a command expects never
 * stall it: a FIFO as the input, as a transaction log beside a clean hive,
 * as a recipe or as a user hive in an image, and devices as the input, each
 * give a clear answer at once.  Every run goes through timeout(1), so a
 * command that blocks fails the test (status 124) instead of hanging it. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#define GC_FIX  "exchange2007-gc-referral"
#define HANGING 124 /* timeout(1)'s status when the command ran out of time */

TestSuite(hostile_files, .init = tu_setup, .fini = tu_teardown);

/* Runs mapiprof with the NULL-terminated arguments under a 30 s timeout. */
static void
run(struct tu_run *r, ...)
{
	char *argv[32] = {"/usr/bin/timeout", "30", MP_CLI};
	size_t n = 3;
	va_list ap;
	va_start(ap, r);
	for (char *a; (a = va_arg(ap, char *)) != NULL;) {
		cr_assert_lt(n, sizeof(argv) / sizeof(argv[0]) - 1);
		argv[n++] = a;
	}
	va_end(ap);
	argv[n] = NULL;
	cr_assert_eq(tu_run(argv, r), 0);
	cr_assert_neq(r->status, HANGING, "%s blocked: %s", argv[3], r->err);
}

static char *
fifo(const char *name)
{
	char *p = tu_tmp_path(name);
	cr_assert_eq(mkfifo(p, 0600), 0, "mkfifo %s", p);
	return p;
}

static int
is_fifo(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISFIFO(st.st_mode);
}

Test(hostile_files, fifo_input_fails_at_once_with_a_clear_error)
{
	char *f = fifo("NTUSER.DAT");
	const char *const cmds[][4] = {
	    {"list", NULL},
	    {"show", NULL},
	    {"info", NULL},
	    {"export", NULL},
	    {"apply", GC_FIX},
	    {"apply", "--check", GC_FIX},
	    {"edit", "-e", "global PR_PROFILE_SERVER_VERSION = 3000"},
	};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		struct tu_run r;
		if (cmds[i][1] == NULL)
			run(&r, cmds[i][0], f, NULL);
		else if (cmds[i][2] == NULL)
			run(&r, cmds[i][0], cmds[i][1], f, NULL);
		else
			run(&r, cmds[i][0], cmds[i][1], cmds[i][2], f, NULL);
		cr_expect_eq(r.status, 1, "%s: status %d, stderr %s", cmds[i][0], r.status, r.err);
		cr_expect(strstr(r.err, "NTUSER.DAT: not a regular file") != NULL, "%s: %s",
		          cmds[i][0], r.err);
		tu_run_free(&r);
	}
	cr_expect(is_fifo(f));
	free(f);
}

Test(hostile_files, devices_as_input_are_refused)
{
	const char *const devs[] = {"/dev/null", "/dev/zero"};
	for (size_t i = 0; i < 2; i++) {
		struct tu_run r;
		run(&r, "list", devs[i], NULL);
		cr_expect_eq(r.status, 1, "%s: %d %s", devs[i], r.status, r.err);
		cr_expect(strstr(r.err, "not a regular file") != NULL, "%s: %s", devs[i], r.err);
		tu_run_free(&r);
	}
}

/* A FIFO where a transaction log would be is no log: the clean hive beside
 * it reads and writes as without one, and the FIFO is left alone. */
Test(hostile_files, fifo_named_as_a_log_is_not_read)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	char *log1 = tu_tmp_path("exchange-mapi.dat.LOG1");
	cr_assert_eq(mkfifo(log1, 0600), 0);
	struct tu_run r;
	run(&r, "list", hive, NULL);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "profile: Exchange") != NULL, "%s", r.out);
	tu_run_free(&r);
	run(&r, "apply", GC_FIX, hive, NULL);
	cr_expect_eq(r.status, 0, "%s", r.err);
	tu_run_free(&r);
	run(&r, "apply", "--check", GC_FIX, hive, NULL);
	cr_expect_eq(r.status, 0, "the fix was not written: %s", r.out);
	tu_run_free(&r);
	cr_expect(is_fifo(log1));
	free(hive);
	free(log1);
}

Test(hostile_files, fifo_recipe_is_a_usage_error_at_once)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	char *recipe = fifo("fix.recipe");
	struct tu_snap before = tu_snap_take(hive);
	struct tu_run r;
	run(&r, "apply", recipe, hive, NULL);
	cr_expect_eq(r.status, 2, "%s", r.err);
	cr_expect(strstr(r.err, "cannot read the recipe: not a regular file") != NULL, "%s", r.err);
	tu_run_free(&r);
	tu_snap_assert_same(&before, hive);
	free(hive);
	free(recipe);
}

/* A hostile image: a user's NTUSER.DAT is a FIFO.  It is no hive; the
 * other users' hives are still found and read. */
Test(hostile_files, fifo_user_hive_in_an_image_does_not_stall_the_batch)
{
	char *img = tu_tmp_path("img");
	char *users = tu_tmp_path("img/Users");
	char *bob = tu_tmp_path("img/Users/bob");
	char *alice = tu_tmp_path("img/Users/alice");
	cr_assert_eq(mkdir(img, 0755), 0);
	cr_assert_eq(mkdir(users, 0755), 0);
	cr_assert_eq(mkdir(bob, 0755), 0);
	cr_assert_eq(mkdir(alice, 0755), 0);
	char *bad = fifo("img/Users/bob/NTUSER.DAT");
	char *src = tu_fixture("exchange-mapi.dat");
	char *good = tu_tmp_path("img/Users/alice/NTUSER.DAT");
	cr_assert_eq(tu_copy(src, good), 0);
	struct tu_run r;
	run(&r, "list", "--image", img, NULL);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "profile: Exchange") != NULL, "%s", r.out);
	tu_run_free(&r);
	run(&r, "list", "--image", img, "/Users/bob/NTUSER.DAT", NULL);
	cr_expect_eq(r.status, 1, "%s", r.err);
	tu_run_free(&r);
	cr_expect(is_fifo(bad));
	free(img);
	free(users);
	free(bob);
	free(alice);
	free(bad);
	free(src);
	free(good);
}

/* The number of entries of dir other than . and .. */
static size_t
entries(const char *dir)
{
	char *listing = tu_listing(dir);
	size_t n = listing[0] != '\0';
	for (const char *c = listing; *c != '\0'; c++)
		n += *c == '|';
	free(listing);
	return n;
}

/* Legal long file names (up to NAME_MAX, 255 bytes, also in multibyte
 * UTF-8) can be written: the temporary file's name is cut to fit, and
 * nothing is left beside the result. */
Test(hostile_files, longest_legal_names_can_be_written)
{
	static const size_t lens[] = {240, 250, 255};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (int utf8 = 0; utf8 < 2; utf8++) {
			char name[256], dir[32];
			size_t len = lens[i];
			/* "é" is 2 bytes: an odd tail byte shows a cut inside it. */
			for (size_t k = 0; k < len;)
				if (utf8 && k + 2 <= len - 4) {
					name[k++] = (char)0xC3;
					name[k++] = (char)0xA9;
				} else {
					name[k++] = 'n';
				}
			memcpy(name + len - 4, ".dat", 4);
			name[len] = '\0';
			snprintf(dir, sizeof(dir), "long%zu-%d", len, utf8);
			char *d = tu_tmp_path(dir);
			cr_assert_eq(mkdir(d, 0755), 0);
			size_t pl = strlen(dir) + 1 + len + 1;
			char *rel = malloc(pl);
			cr_assert_not_null(rel);
			snprintf(rel, pl, "%s/%s", dir, name);
			char *src = tu_fixture("exchange-mapi.dat"), *hive = tu_tmp_path(rel);
			cr_assert_eq(tu_copy(src, hive), 0, "%zu bytes", len);
			struct tu_run r;
			run(&r, "apply", GC_FIX, hive, NULL);
			cr_expect_eq(r.status, 0, "%zu-byte name: %s", len, r.err);
			tu_run_free(&r);
			run(&r, "apply", "--check", GC_FIX, hive, NULL);
			cr_expect_eq(r.status, 0, "%zu-byte name: not written", len);
			tu_run_free(&r);
			cr_expect_eq(entries(dir), 1, "%zu-byte name: leftovers beside it", len);
			free(rel);
			free(src);
			free(hive);
			free(d);
		}
	}
}

/* A crafted hive: one entry of the global section's value list changed to
 * name another vk of the list (one byte), so that hivex, replacing the
 * key's values, would free that vk twice and abort the process
 * (mark_block_unused asserts).  The write fails cleanly instead, naming
 * the key and the value, and leaves the hive and its directory alone. */
Test(hostile_files, a_value_cell_named_twice_fails_the_write_cleanly)
{
	static const char *const modes[][2] = {{NULL, NULL}, {"--force", NULL}, {"-o", "out.dat"}};
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		char dir[16];
		snprintf(dir, sizeof(dir), "dup%zu", m);
		char *d = tu_tmp_path(dir);
		cr_assert_eq(mkdir(d, 0755), 0);
		char rel[64];
		snprintf(rel, sizeof(rel), "%s/NTUSER.DAT", dir);
		char *src = tu_fixture("exchange-mapi.dat"), *hive = tu_tmp_path(rel);
		size_t len = 0;
		uint8_t *buf = (uint8_t *)tu_read(src, &len);
		cr_assert_not_null(buf);
		/* The global key's value list (cell 0x2410 of the fixture):
		 * an entry 0x1628 (the vk of 0003661b) becomes 0x1600, the vk of
		 * 00036606. */
		cr_assert(len > 0x2434 && buf[0x2430] == 0x28 && buf[0x2431] == 0x16,
		          "the fixture changed: find the global value list again");
		buf[0x2430] = 0x00;
		cr_assert_eq(tu_write(hive, buf, len), 0);
		free(buf);
		struct tu_snap before = tu_snap_take(hive);
		char out[64];
		snprintf(out, sizeof(out), "%s/out.dat", dir);
		char *outp = tu_tmp_path(out);
		struct tu_run r;
		if (modes[m][0] == NULL)
			run(&r, "apply", GC_FIX, hive, NULL);
		else if (modes[m][1] == NULL)
			run(&r, "apply", modes[m][0], GC_FIX, hive, NULL);
		else
			run(&r, "apply", "-o", outp, GC_FIX, hive, NULL);
		cr_expect_eq(r.status, 1, "mode %zu: status %d: %s", m, r.status, r.err);
		cr_expect(strstr(r.err, "key '13dbb0c8aa05101a9bb000aa002fc45a': value '00036606' "
		                        "and value '00036606' are one cell") != NULL,
		          "mode %zu: %s", m, r.err);
		tu_run_free(&r);
		tu_snap_assert_same(&before, hive);
		cr_expect_eq(entries(dir), 1, "mode %zu: a file was left beside the hive", m);
		free(d);
		free(src);
		free(hive);
		free(outp);
	}
}

/* The fixture hive with the byte at off set to val (and the three before
 * it to the rest of a little-endian word when word): tu_tmp/name. */
static char *
crafted(const char *name, size_t off, uint32_t val, int word)
{
	char *src = tu_fixture("exchange-mapi.dat"), *hive = tu_tmp_path(name);
	size_t len = 0;
	uint8_t *buf = (uint8_t *)tu_read(src, &len);
	cr_assert(buf != NULL && len > off + 4);
	buf[off] = (uint8_t)val;
	if (word)
		for (int i = 1; i < 4; i++)
			buf[off + (size_t)i] = (uint8_t)(val >> (8 * i));
	cr_assert_eq(tu_write(hive, buf, len), 0);
	free(buf);
	free(src);
	return hive;
}

/* Deleting a profile frees every cell below its key (hivex
 * hivex_node_delete_child): the doubly named vk of the global section is
 * found first, and so is a security cell chained to garbage, which hivex
 * would follow unchecked when it frees that cell's last user. */
Test(hostile_files, a_profile_delete_on_a_damaged_subtree_fails_cleanly)
{
	static const struct {
		const char *name, *want;
		size_t off;
		uint32_t val;
		int word;
	} cases[] = {
	    {"dupvk.dat", "value '00036606' and value '00036606' are one cell", 0x2430, 0, 0},
	    /* The security cell of the profile's keys (at 0x1078 in the fixture):
	     * its link to the previous one points past the hive. */
	    {"badsk.dat", "the security cell chained to its own at file offset 0x80000ff0", 0x1080,
	     0x7ffffff0u, 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *hive = crafted(cases[i].name, cases[i].off, cases[i].val, cases[i].word);
		struct tu_snap before = tu_snap_take(hive);
		struct tu_run r;
		run(&r, "profile", "delete", "Exchange", hive, NULL);
		cr_expect_eq(r.status, 1, "%s: status %d: %s", cases[i].name, r.status, r.err);
		cr_expect(strstr(r.err, cases[i].want) != NULL, "%s: %s", cases[i].name, r.err);
		tu_run_free(&r);
		tu_snap_assert_same(&before, hive);
		free(hive);
	}
}
