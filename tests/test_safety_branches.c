/* test_safety_branches.c - the refusals that guard a write, each reached on
 * purpose through the disk-step table (write/commit_io.h) or a crafted
 * input: a recovered image that does not verify, a hive or log changed
 * while a recovery read them, a new hive or .reg file that does not verify
 * (hivex path's base block, a key gone, a .reg file's encoding or header,
 * the fast path's hive-bins size), transaction-log and primary base blocks
 * replay refuses (regf spec "Base block", "Format of transaction log
 * files"), a write the kernel cuts short (RLIMIT_FSIZE), and a failing
 * backup copy.  Each refusal names the file and the place, fails with its
 * code or exit status, and leaves every input byte for byte as it was and
 * no temporary file. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/le.h"
#include "base/platform.h"
#include "logmaker.h"
#include "mapi/section.h"
#include "regf/base_block.h"
#include "store/store.h"
#include "testutil.h"
#include "testutil_int.h"
#include "write/commit_io.h"

#define EXCH   "exchange-mapi.dat"
#define HIVE   "NTUSER.DAT"
#define LOG1   HIVE ".LOG1"
#define LOG2   HIVE ".LOG2"
#define GLOBAL "13dbb0c8aa05101a9bb000aa002fc45a"
#define EMSAB  "dca740c8c042101ab4b908002b2fe182"
/* A leaf section of the Exchange profile (exchange-mapi.reg). */
#define LEAF "8503020000000000c000000000000046"

static const uint8_t v_one[4] = {1, 0, 0, 0};
static const uint8_t v_long[40] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14,
                                   15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
                                   29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40};

static void
safety_fini(void)
{
	mp_commit_set_io(NULL);
	tu_teardown();
}

TestSuite(safety, .init = tu_setup, .fini = safety_fini);

/* ---- helpers ------------------------------------------------------------- */

/* The last error has code, a message holding want, and names file. */
static void
assert_error(enum mapiprof_error code, const char *want, const char *file)
{
	const char *msg = mapiprof_errmsg(tu_ctx);
	cr_assert_eq(mapiprof_errcode(tu_ctx), code, "code %d: %s", mapiprof_errcode(tu_ctx), msg);
	cr_assert(strstr(msg, want) != NULL, "want '%s' in: %s", want, msg);
	cr_assert_not_null(mapiprof_errfile(tu_ctx), "no file named: %s", msg);
	cr_assert_str_eq(mapiprof_errfile(tu_ctx), file);
}

/* How a base block is damaged (regf spec "Base block"): every change but
 * BB_CHECKSUM is resealed with the right checksum, so that only it is
 * wrong. */
enum bb_damage {
	BB_SEQ,      /* secondary sequence number one more: "being written" */
	BB_CHECKSUM, /* a bit of the stored checksum flipped */
	BB_TYPE,     /* file type 1 (a transaction log's) */
	BB_MAJOR,    /* major version 2 */
};

static void
damage_bb(uint8_t *bb, enum bb_damage d)
{
	switch (d) {
	case BB_SEQ:
		mp_put_le32(bb + MP_BB_SEQ2, mp_le32(bb + MP_BB_SEQ2) + 1u);
		break;
	case BB_CHECKSUM:
		bb[MP_BB_CHECKSUM] ^= 0x01;
		return;
	case BB_TYPE:
		mp_put_le32(bb + MP_BB_TYPE, 1);
		break;
	case BB_MAJOR:
		mp_put_le32(bb + MP_BB_MAJOR, 2);
		break;
	}
	tu_regf_reseal(bb);
}

/* Damages the base block of the file at path in place. */
static void
damage_file_bb(const char *path, enum bb_damage d)
{
	uint8_t bb[512];
	int fd = open(path, O_RDWR);
	cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
	cr_assert_eq(pread(fd, bb, sizeof(bb), 0), (ssize_t)sizeof(bb));
	damage_bb(bb, d);
	cr_assert_eq(pwrite(fd, bb, sizeof(bb), 0), (ssize_t)sizeof(bb));
	cr_assert_eq(close(fd), 0);
}

/* Makes tu_tmp/w and copies the built fixture hive into it as HIVE; returns
 * its path. */
static char *
stage_hive(void)
{
	char *dir = tu_tmp_path("w"), *src = tu_fixture(EXCH);
	cr_assert_eq(mkdir(dir, 0755), 0);
	char *hive = mp_path_join(dir, HIVE);
	cr_assert_eq(tu_copy(src, hive), 0);
	free(src);
	free(dir);
	return hive;
}

/* ---- a dirty hive and its logs -------------------------------------------- */

/* The edit `edit` on the Exchange profile of in, written to out. */
static void
edit_to(const char *in, const char *out, const char *edit)
{
	struct mapiprof_file *f = NULL;
	struct mapiprof_recipe *r = NULL;
	struct mapiprof_plan *plan = NULL;
	struct mapiprof_write_opts o = {.output = out};
	size_t p = 0;
	cr_assert_eq(mapiprof_open(tu_ctx, in, 0, &f), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mapiprof_profile_find(f, "Exchange", &p), MAPIPROF_OK);
	cr_assert_eq(mapiprof_recipe_from_edits(tu_ctx, &edit, 1, &r), MAPIPROF_OK);
	cr_assert_eq(mapiprof_plan_build(f, r, &p, 1, &plan), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mapiprof_plan_write(f, plan, &o), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	mapiprof_plan_free(plan);
	mapiprof_recipe_free(r);
	mapiprof_close(f);
}

/* tu_tmp/w/HIVE made dirty by the test log builder (logmaker.h) with LOG1
 * holding one change (one HvLE entry) and an empty LOG2, and snapshots of
 * the three. */
struct dirty {
	char *hive, *log1, *log2;
	struct tu_snap s[3];
};

static void
make_dirty(struct dirty *d)
{
	char *clean = tu_stage_built(EXCH), *changed = tu_tmp_path("changed.dat");
	char *dir = tu_tmp_path("w");
	cr_assert_eq(mkdir(dir, 0755), 0);
	d->hive = tu_tmp_path("w/" HIVE);
	d->log1 = tu_tmp_path("w/" LOG1);
	d->log2 = tu_tmp_path("w/" LOG2);
	edit_to(clean, changed, "global PR_PROFILE_HOME_SERVER = \"EXCH99\"");
	struct lm_opts o = {.entries = 1, .empty_log2 = 1};
	cr_assert_eq(lm_make_dirty_opts(clean, changed, d->hive, &o, NULL), 0, "%s", lm_error());
	free(dir);
	free(changed);
	free(clean);
}

static void
dirty_snap(struct dirty *d)
{
	d->s[0] = tu_snap_take(d->hive);
	d->s[1] = tu_snap_take(d->log1);
	d->s[2] = tu_snap_take(d->log2);
}

/* The hive and both logs are as dirty_snap found them (LOG2's time is not
 * compared when skip_log2_time), and nothing else is in tu_tmp/w. */
static void
dirty_assert_same(struct dirty *d, int skip_log2_time)
{
	tu_snap_assert_same(&d->s[0], d->hive);
	tu_snap_assert_same(&d->s[1], d->log1);
	if (skip_log2_time)
		d->s[2].mtime = tu_mtime_ns(d->log2);
	tu_snap_assert_same(&d->s[2], d->log2);
	tu_assert_listing("w", HIVE "|" LOG1 "|" LOG2);
}

static void
dirty_free(struct dirty *d)
{
	free(d->hive);
	free(d->log1);
	free(d->log2);
}

/* mapiprof_recover in place (backups kept, logs consumed) with io in
 * force: it must fail. */
static void
recover_fails(struct dirty *d, const struct mp_commit_io *io)
{
	struct mapiprof_recover_opts o = {.backup_suffix = ".bak", .consume_logs = 1};
	mp_commit_set_io(io);
	int rc = mapiprof_recover(tu_ctx, d->hive, &o, NULL);
	mp_commit_set_io(NULL);
	cr_assert_eq(rc, MAPIPROF_FAILED);
}

/* ---- a recovered image that does not verify (recover.c verify_image) ---- */

/* How the recovered image is written wrong. */
static enum image_damage {
	IMG_BB,   /* base block damaged as img_bb says */
	IMG_TAIL, /* a page of zeros past the hive bins */
	IMG_HBIN, /* the first bin's signature broken */
} img_damage;
static enum bb_damage img_bb;

static int
damaged_image_write(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len)
{
	size_t n = len + (img_damage == IMG_TAIL ? MP_HBIN_ALIGN : 0u);
	uint8_t *img = calloc(1, n);
	cr_assert_not_null(img);
	memcpy(img, buf, len);
	if (img_damage == IMG_BB)
		damage_bb(img, img_bb);
	if (img_damage == IMG_HBIN)
		img[MP_REGF_BASE_BLOCK + 3] ^= 0x20; /* "hbin" -> "hbiN" */
	int rc = mp_write_full(ctx, fd, img, n);
	free(img);
	return rc;
}

static const struct {
	enum image_damage how;
	enum bb_damage bb;
	const char *want;
} image_cases[] = {
    {IMG_BB, BB_SEQ, "did not verify: its base block is not clean (sequence numbers "},
    {IMG_BB, BB_CHECKSUM, "did not verify: its base block is not clean"},
    {IMG_BB, BB_TYPE, ", type 1, hive bins "},
    {IMG_TAIL, BB_SEQ, "did not verify: its base block is not clean"},
    {IMG_HBIN, BB_SEQ, "the written file did not verify: hivex cannot open the hive: "},
};

ParameterizedTestParameters(safety, a_recovered_image_that_does_not_verify_is_not_put_in_place)
{
	return tu_index_params(sizeof(image_cases) / sizeof(image_cases[0]));
}

ParameterizedTest(size_t *i, safety, a_recovered_image_that_does_not_verify_is_not_put_in_place)
{
	struct dirty d;
	make_dirty(&d);
	dirty_snap(&d);
	img_damage = image_cases[*i].how;
	img_bb = image_cases[*i].bb;
	recover_fails(&d, &(struct mp_commit_io){.write = damaged_image_write});
	assert_error(MAPIPROF_E_VERIFY, image_cases[*i].want, d.hive);
	dirty_assert_same(&d, 0);
	dirty_free(&d);
}

/* ---- the hive or its logs changed while a recovery read them ------------- */

static const char *touch_path;

/* Another program touches touch_path just before the image is written. */
static int
touch_then_write(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len)
{
	const struct timespec t[2] = {{0, UTIME_OMIT}, {1000000000, 0}};
	cr_assert_eq(utimensat(AT_FDCWD, touch_path, t, 0), 0, "%s", strerror(errno));
	return mp_write_full(ctx, fd, buf, len);
}

Test(safety, a_log_changed_while_a_recovery_read_it_is_refused)
{
	struct dirty d;
	make_dirty(&d);
	dirty_snap(&d);
	touch_path = d.log2;
	recover_fails(&d, &(struct mp_commit_io){.write = touch_then_write});
	assert_error(MAPIPROF_E_UNSAFE,
	             "the hive or its transaction logs changed while they were read; nothing "
	             "written, run again",
	             d.hive);
	cr_assert_eq(tu_mtime_ns(d.log2), INT64_C(1000000000) * 1000000000, "the touch happened");
	dirty_assert_same(&d, 1);
	dirty_free(&d);
}

/* ---- a written hive that does not verify (commit.c) ---------------------- */

/* Stages the hive (w/HIVE), opens it and plans 00036604 = 1 on the Exchange
 * profile's GLOBAL section, plus grow (a 40-byte value that needs a new
 * bin) when asked; returns the hive's path. */
static char *
open_and_plan(struct tu_plan *h, int grow)
{
	char *hive = stage_hive();
	tu_open(hive);
	size_t p = tu_profile("Exchange");
	memset(h, 0, sizeof(*h));
	tu_plan_add(h, p, GLOBAL, "00036604", 0, MP_REG_BINARY, v_one, 4);
	if (grow)
		tu_plan_add(h, p, GLOBAL, "00036660", 0, MP_REG_BINARY, v_long, sizeof(v_long));
	return hive;
}

/* Writes plan in place with io (and opts) in force; it must fail with code
 * and a message holding want, naming path, which keeps its bytes and time,
 * alone in tu_tmp/w. */
static void
write_fails(const char *path, const struct mapiprof_plan *plan, const struct mp_commit_io *io,
            const struct mapiprof_write_opts *opts, enum mapiprof_error code, const char *want)
{
	struct tu_snap s = tu_snap_take(path);
	char *base = mp_path_base(path);
	mp_commit_set_io(io);
	int rc = mapiprof_plan_write(tu_file, plan, opts);
	mp_commit_set_io(NULL);
	cr_assert_eq(rc, MAPIPROF_FAILED);
	assert_error(code, want, path);
	tu_snap_assert_same(&s, path);
	tu_assert_listing("w", base);
	free(base);
}

/* The hivex path's check of the base block (verify_header). */
static enum bb_damage hive_bb;

static int
damaged_hive_write(struct mp_store *s, const char *path)
{
	int rc = mp_commit_default_io()->write_hive(s, path);
	if (rc == MAPIPROF_OK)
		damage_file_bb(path, hive_bb);
	return rc;
}

static const struct {
	enum bb_damage bb;
	const char *want;
} header_cases[] = {
    {BB_SEQ, "its base block is not clean (sequence numbers "},
    {BB_CHECKSUM, ", checksum bad, version 1."},
    {BB_TYPE, ", type 1)"},
    {BB_MAJOR, ", version 2."},
};

ParameterizedTestParameters(safety, hivex_path_refuses_a_new_file_whose_base_block_is_not_clean)
{
	return tu_index_params(sizeof(header_cases) / sizeof(header_cases[0]));
}

ParameterizedTest(size_t *i, safety, hivex_path_refuses_a_new_file_whose_base_block_is_not_clean)
{
	struct tu_plan h;
	char *hive = open_and_plan(&h, 0);
	hive_bb = header_cases[*i].bb;
	write_fails(
	    hive, &h.plan,
	    &(struct mp_commit_io){.patch = tu_decline_patch, .write_hive = damaged_hive_write},
	    NULL, MAPIPROF_E_VERIFY, "the written file did not verify: ");
	assert_error(MAPIPROF_E_VERIFY, header_cases[*i].want, hive);
	free(hive);
}

/* The key at drop_path (from the root) is deleted from the store hivex
 * writes: a writer that loses a key. */
static char drop_path[1024];

static int
drop_key_write(struct mp_store *s, const char *path)
{
	mp_key root = 0, key = 0;
	cr_assert_eq(s->ops->root(s, &root), MAPIPROF_OK);
	cr_assert_eq(mp_store_path(s, root, drop_path, &key), MAPIPROF_OK);
	cr_assert_neq(key, 0, "no key %s", drop_path);
	cr_assert_eq(s->ops->delete_key(s, key), MAPIPROF_OK, "%s", mapiprof_errmsg(s->ctx));
	return mp_commit_default_io()->write_hive(s, path);
}

/* drop_path := the profile's root\name\uid. */
static void
set_drop_path(size_t p, const char *uid)
{
	const struct mapiprof_profile *pr = mapiprof_profile_at(tu_file, p);
	snprintf(drop_path, sizeof(drop_path), "%s\\%s\\%s", pr->root, pr->name, uid);
}

Test(safety, a_planned_key_missing_from_the_new_file_fails_verify)
{
	struct tu_plan h;
	char *hive = open_and_plan(&h, 0);
	set_drop_path(tu_profile("Exchange"), GLOBAL);
	char want[1200];
	snprintf(want, sizeof(want), "the written file did not verify: key %s is missing",
	         drop_path);
	write_fails(hive, &h.plan,
	            &(struct mp_commit_io){.patch = tu_decline_patch, .write_hive = drop_key_write},
	            NULL, MAPIPROF_E_VERIFY, want);
	free(hive);
}

Test(safety, a_key_the_plan_leaves_alone_missing_after_a_key_delete_fails_verify)
{
	char *hive = stage_hive();
	tu_open(hive);
	size_t p = tu_profile("Exchange");
	const struct mp_section *leaf = tu_section_of(p, LEAF);
	cr_assert_not_null(leaf);
	/* A plan deleting one section by its path (as profile administration
	 * plans do), whose writer also loses EMSAB. */
	char path[1024];
	set_drop_path(p, LEAF);
	snprintf(path, sizeof(path), "%s", drop_path);
	struct mp_key_change k = {.profile = MP_PATH_KEY, .key = leaf->key, .uid = path, .del = 1};
	struct mapiprof_plan plan = {.keys = &k, .nkeys = 1};
	set_drop_path(p, EMSAB);
	write_fails(hive, &plan, &(struct mp_commit_io){.write_hive = drop_key_write}, NULL,
	            MAPIPROF_E_VERIFY,
	            "the written file did not verify: key Exchange\\" EMSAB " is missing");
	free(hive);
}

/* A key at add_below (from the root) named add_name is added to the store
 * hivex writes: a writer that keeps a deleted key, or makes one too many. */
static const char *add_below;
/* A profile key's path from the root (path_key_below_profile). */
static char profile_path[1024];
static const char *add_name;

static int
add_key_write(struct mp_store *s, const char *path)
{
	mp_key root = 0, parent = 0, kid = 0;
	cr_assert_eq(s->ops->root(s, &root), MAPIPROF_OK);
	cr_assert_eq(mp_store_path(s, root, add_below, &parent), MAPIPROF_OK);
	cr_assert_neq(parent, 0, "no key %s", add_below);
	cr_assert_eq(s->ops->add_child(s, parent, add_name, &kid), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(s->ctx));
	return mp_commit_default_io()->write_hive(s, path);
}

/* add_below := the profile's root\name; path := add_below\name, the uid
 * of a path key (as profile administration plans name keys). */
static void
path_key_below_profile(size_t p, const char *name, char *path, size_t size)
{
	const struct mapiprof_profile *pr = mapiprof_profile_at(tu_file, p);
	snprintf(profile_path, sizeof(profile_path), "%s\\%s", pr->root, pr->name);
	add_below = profile_path;
	snprintf(path, size, "%s\\%s", profile_path, name);
}

Test(safety, a_deleted_key_still_in_the_new_file_fails_verify)
{
	char *hive = stage_hive();
	tu_open(hive);
	size_t p = tu_profile("Exchange");
	const struct mp_section *leaf = tu_section_of(p, LEAF);
	cr_assert_not_null(leaf);
	char path[1100], want[1200];
	path_key_below_profile(p, LEAF, path, sizeof(path));
	add_name = LEAF;
	struct mp_key_change k = {.profile = MP_PATH_KEY, .key = leaf->key, .uid = path, .del = 1};
	struct mapiprof_plan plan = {.keys = &k, .nkeys = 1};
	snprintf(want, sizeof(want), "the written file did not verify: key %s was to be deleted",
	         path);
	write_fails(hive, &plan, &(struct mp_commit_io){.write_hive = add_key_write}, NULL,
	            MAPIPROF_E_VERIFY, want);
	free(hive);
}

Test(safety, a_created_key_with_an_unplanned_subkey_fails_verify)
{
	char *hive = stage_hive();
	tu_open(hive);
	char path[1100], want[1200];
	path_key_below_profile(tu_profile("Exchange"), "made", path, sizeof(path));
	/* The writer adds "extra" below the key the plan creates. */
	add_below = path;
	add_name = "extra";
	struct mp_key_change k = {.profile = MP_PATH_KEY, .uid = path, .nkids = 0};
	struct mapiprof_plan plan = {.keys = &k, .nkeys = 1};
	snprintf(want, sizeof(want),
	         "the written file did not verify: key %s has 1 subkeys, planned 0", path);
	write_fails(hive, &plan,
	            &(struct mp_commit_io){.patch = tu_decline_patch, .write_hive = add_key_write},
	            NULL, MAPIPROF_E_VERIFY, want);
	free(hive);
}

/* The fast path's check of the base block against the input's
 * (fast_base): the hive-bins size and the file's size. */
static enum { BINS_LOWERED, FILE_LONGER } bins_damage;

static int
bins_damage_patch(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys, size_t n,
                  int *done)
{
	int rc = mp_commit_default_io()->patch(ctx, fd, keys, n, done);
	cr_assert(rc == MAPIPROF_OK && *done, "%s", mapiprof_errmsg(ctx));
	struct stat st;
	cr_assert_eq(fstat(fd, &st), 0);
	if (bins_damage == FILE_LONGER) {
		cr_assert_eq(ftruncate(fd, st.st_size + MP_HBIN_ALIGN), 0);
		return rc;
	}
	uint8_t bb[512];
	cr_assert_eq(pread(fd, bb, sizeof(bb), 0), (ssize_t)sizeof(bb));
	mp_put_le32(bb + MP_BB_BINS_SIZE, mp_le32(bb + MP_BB_BINS_SIZE) - MP_HBIN_ALIGN);
	tu_regf_reseal(bb);
	cr_assert_eq(pwrite(fd, bb, sizeof(bb), 0), (ssize_t)sizeof(bb));
	return rc;
}

Test(safety, fast_path_refuses_a_hive_bins_size_that_does_not_match_the_file)
{
	for (int c = 0; c < 2; c++) {
		bins_damage = c == 0 ? BINS_LOWERED : FILE_LONGER;
		struct tu_plan h;
		char *hive = open_and_plan(&h, 0);
		const struct mapiprof_info *in = mapiprof_file_info(tu_file);
		char want[200];
		snprintf(want, sizeof(want),
		         "the written file did not verify: hive bins size 0x%x (was 0x%x) does not "
		         "match its %llu bytes",
		         (unsigned)(bins_damage == BINS_LOWERED ? in->bins_size - MP_HBIN_ALIGN
		                                                : in->bins_size),
		         (unsigned)in->bins_size,
		         (unsigned long long)(in->size +
		                              (bins_damage == FILE_LONGER ? MP_HBIN_ALIGN : 0u)));
		write_fails(hive, &h.plan, &(struct mp_commit_io){.patch = bins_damage_patch}, NULL,
		            MAPIPROF_E_VERIFY, want);
		mapiprof_close(tu_file);
		tu_file = NULL;
		cr_assert_eq(unlink(hive), 0);
		char *dir = tu_tmp_path("w");
		cr_assert_eq(rmdir(dir), 0);
		free(dir);
		free(hive);
	}
}

/* ---- a .reg file whose encoding or header changed ------------------------- */

#define V5_HEADER "Windows Registry Editor Version 5.00"

/* How the new text is written wrong: without its UTF-8 byte order mark,
 * or with the REGEDIT4 header. */
static enum { REG_NO_BOM, REG_REGEDIT4 } reg_damage;

static int
damaged_reg_write(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t hl = strlen(V5_HEADER);
	/* The text comes in pieces: only the first starts with the header. */
	if (!(len > 3 + hl && memcmp(p, "\xEF\xBB\xBF" V5_HEADER, 3 + hl) == 0))
		return mp_write_full(ctx, fd, p, len);
	if (reg_damage == REG_NO_BOM)
		return mp_write_full(ctx, fd, p + 3, len - 3);
	if (mp_write_full(ctx, fd,
	                  "\xEF\xBB\xBF"
	                  "REGEDIT4",
	                  11) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return mp_write_full(ctx, fd, p + 3 + hl, len - 3 - hl);
}

Test(safety, a_reg_file_whose_encoding_or_header_changed_fails_verify)
{
	size_t len = 0;
	char *text = tu_read_src("exchange-mapi.reg", &len);
	cr_assert(len > strlen(V5_HEADER) && memcmp(text, V5_HEADER, strlen(V5_HEADER)) == 0);
	for (int c = 0; c < 2; c++) {
		reg_damage = c == 0 ? REG_NO_BOM : REG_REGEDIT4;
		char *dir = tu_tmp_path("w"), *path = tu_tmp_path("w/p.reg");
		cr_assert_eq(mkdir(dir, 0755), 0);
		FILE *f = fopen(path, "wb");
		cr_assert_not_null(f);
		cr_assert_eq(fwrite("\xEF\xBB\xBF", 1, 3, f), 3u);
		cr_assert_eq(fwrite(text, 1, len, f), len);
		cr_assert_eq(fclose(f), 0);
		tu_open(path);
		struct tu_plan h;
		memset(&h, 0, sizeof(h));
		tu_plan_add(&h, tu_profile("Exchange"), GLOBAL, "00036604", 0, MP_REG_BINARY, v_one,
		            4);
		write_fails(path, &h.plan, &(struct mp_commit_io){.write = damaged_reg_write}, NULL,
		            MAPIPROF_E_VERIFY,
		            "the written file did not verify: its encoding or header changed");
		mapiprof_close(tu_file);
		tu_file = NULL;
		cr_assert_eq(unlink(path), 0);
		cr_assert_eq(rmdir(dir), 0);
		free(path);
		free(dir);
	}
	free(text);
}

/* ---- a write the kernel cuts short -------------------------------------- */

/* The file-size limit the patch runs under (RLIMIT_FSIZE): a pwrite that
 * crosses it writes up to it and returns the shorter count, the next one
 * fails with EFBIG (SIGXFSZ ignored). */
static rlim_t fsize_limit;

static int
limited_patch(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys, size_t n,
              int *done)
{
	struct rlimit old, lim;
	cr_assert_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = fsize_limit;
	void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	int rc = mp_commit_default_io()->patch(ctx, fd, keys, n, done);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, was);
	return rc;
}

Test(safety, a_short_pwrite_is_continued_and_its_failure_names_the_offset)
{
	struct tu_plan h;
	char *hive = open_and_plan(&h, 1);
	uint64_t size = mapiprof_file_info(tu_file)->size;
	/* The new bin goes at the end of the copy: 512 of its bytes fit. */
	fsize_limit = (rlim_t)(size + 512u);
	char want[200];
	snprintf(want, sizeof(want), "bytes at offset %llu", (unsigned long long)fsize_limit);
	write_fails(hive, &h.plan, &(struct mp_commit_io){.patch = limited_patch}, NULL,
	            MAPIPROF_E_IO, want);
	cr_assert_eq(mapiprof_errno(tu_ctx), EFBIG, "%s", mapiprof_errmsg(tu_ctx));
	/* Without the limit the same write goes through. */
	cr_assert_eq(mapiprof_plan_write(tu_file, &h.plan, NULL), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	tu_assert_listing("w", HIVE);
	free(hive);
}

/* ---- a failing backup copy ---------------------------------------------- */

static int copy_calls;

/* The first copy (the input, for the patch) goes through; the next (the
 * backup, as hard links are unsupported here) stops halfway on a full
 * disk. */
static int
second_copy_fails(struct mapiprof_ctx *ctx, int in, int out, uint64_t size,
                  const struct mp_copy_watch *watch)
{
	if (++copy_calls == 1)
		return mp_commit_default_io()->copy(ctx, in, out, size, watch);
	if (mp_copy_fd(ctx, in, out, size / 2, watch) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	mp_seterr_errno(ctx, ENOSPC, "cannot copy the backup");
	return MAPIPROF_FAILED;
}

Test(safety, a_failing_backup_copy_leaves_the_original_and_no_backup)
{
	struct tu_plan h;
	char *hive = open_and_plan(&h, 0);
	struct mapiprof_write_opts opts = {.backup_suffix = ".bak"};
	tu_fail_link_errno = EPERM; /* what vfat answers to link(2) */
	write_fails(hive, &h.plan,
	            &(struct mp_commit_io){.link = tu_fail_link, .copy = second_copy_fails}, &opts,
	            MAPIPROF_E_IO, "cannot copy the backup");
	cr_assert_eq(copy_calls, 2);
	cr_assert_eq(tu_link_calls, 1);
	cr_assert_eq(mapiprof_errno(tu_ctx), ENOSPC);
	free(hive);
}

/* The logs' backups are copies (they are truncated in place afterwards):
 * the first one failing stops the recovery before the rename. */
static int
copy_fails(struct mapiprof_ctx *ctx, int in, int out, uint64_t size,
           const struct mp_copy_watch *watch)
{
	(void)in, (void)out, (void)size, (void)watch;
	copy_calls++;
	mp_seterr_errno(ctx, EIO, "cannot copy the log's backup");
	return MAPIPROF_FAILED;
}

Test(safety, a_failing_backup_copy_of_a_log_stops_the_recovery_before_the_rename)
{
	struct dirty d;
	make_dirty(&d);
	dirty_snap(&d);
	recover_fails(&d, &(struct mp_commit_io){.copy = copy_fails});
	assert_error(MAPIPROF_E_IO, "cannot copy the log's backup", d.hive);
	cr_assert_eq(copy_calls, 1);
	/* The hive's own backup (a hard link, made first) holds its bytes. */
	char *bak = tu_tmp_path("w/" HIVE ".bak");
	tu_snap_assert_same(&d.s[0], d.hive);
	tu_snap_assert_same(&d.s[1], d.log1);
	tu_snap_assert_same(&d.s[2], d.log2);
	size_t len = 0;
	char *orig = tu_read(d.hive, &len);
	tu_assert_file_is(bak, orig, len);
	tu_assert_listing("w", HIVE "|" LOG1 "|" LOG2 "|" HIVE ".bak");
	free(orig);
	free(bak);
	dirty_free(&d);
}

/* ---- base blocks replay refuses (regf/log.c) ------------------------------ */

/* How the dirty hive's LOG1 (new format, file type 6) or the hive itself is
 * broken. */
enum log_damage {
	LOG_CHECKSUM,   /* a bit of the stored checksum */
	LOG_TYPE,       /* file type 3: no log type */
	LOG_MAJOR,      /* major version 2 */
	LOG_NO_DIRT,    /* file type 1 (old format), no "DIRT" at 512 */
	LOG_SHORT_DIRT, /* file type 1, "DIRT" at 512, the file ends 2 bytes later */
	LOG_HUGE_DIRT,  /* file type 1, a hive-bins size past the image cap */
	PRIMARY_TYPE,   /* the hive's file type 1 */
	PRIMARY_MAJOR,  /* the hive's major version 2 */
};

/* What replay says: head, then (number != NONE) LOG1's hive-bins size or
 * the length of its dirty vector, then tail. */
enum log_number { NONE, BINS, VECTOR };

static const struct {
	enum log_damage how;
	const char *head;
	enum log_number number;
	const char *tail;
} log_cases[] = {
    {LOG_CHECKSUM, LOG1 ": bad base block checksum at offset 508", NONE, ""},
    {LOG_TYPE, LOG1 ": file type 3 at offset 28 is not a transaction log", NONE, ""},
    {LOG_MAJOR, LOG1 ": unsupported base block (major 2, format 1, clustering 1, hive bins ", BINS,
     ")"},
    {LOG_NO_DIRT, LOG1 ": no 'DIRT' signature at offset 512", NONE, ""},
    {LOG_SHORT_DIRT, LOG1 ": dirty vector truncated: ", VECTOR, " bytes at offset 516 needed"},
    {LOG_HUGE_DIRT, LOG1 ": hive-bins size 4294963200 at offset 40 exceeds the ", NONE, ""},
    {PRIMARY_TYPE, "primary hive: file type 1 at offset 28 is not a primary file", NONE, ""},
    {PRIMARY_MAJOR, "primary hive: unsupported base block (major 2, hive bins ", BINS,
     " at offset 40)"},
};

/* Breaks d as log_cases[i] says; returns LOG1's hive-bins size. */
static uint32_t
break_input(struct dirty *d, enum log_damage how)
{
	size_t len = 0;
	uint8_t *log = (uint8_t *)tu_read(d->log1, &len);
	cr_assert(log != NULL && len > 1024);
	uint32_t bins = mp_le32(log + MP_BB_BINS_SIZE);
	switch (how) {
	case LOG_CHECKSUM:
		log[MP_BB_CHECKSUM] ^= 0x01;
		break;
	case LOG_TYPE:
		mp_put_le32(log + MP_BB_TYPE, 3);
		break;
	case LOG_MAJOR:
		mp_put_le32(log + MP_BB_MAJOR, 2);
		break;
	case LOG_NO_DIRT:
		mp_put_le32(log + MP_BB_TYPE, 1);
		break;
	case LOG_SHORT_DIRT:
		mp_put_le32(log + MP_BB_TYPE, 1);
		memcpy(log + 512, "DIRT", 4);
		len = 512 + 4 + 2;
		break;
	case LOG_HUGE_DIRT:
		mp_put_le32(log + MP_BB_TYPE, 1);
		mp_put_le32(log + MP_BB_BINS_SIZE, 0xFFFFF000u);
		break;
	case PRIMARY_TYPE:
	case PRIMARY_MAJOR:
		break;
	}
	if (how != LOG_CHECKSUM)
		tu_regf_reseal(log);
	cr_assert_eq(tu_write(d->log1, log, len), 0);
	free(log);
	if (how == PRIMARY_TYPE || how == PRIMARY_MAJOR) {
		damage_file_bb(d->hive, how == PRIMARY_TYPE ? BB_TYPE : BB_MAJOR);
		uint8_t bb[512];
		int fd = open(d->hive, O_RDONLY);
		cr_assert_geq(fd, 0);
		cr_assert_eq(pread(fd, bb, sizeof(bb), 0), (ssize_t)sizeof(bb));
		close(fd);
		return mp_le32(bb + MP_BB_BINS_SIZE);
	}
	return bins;
}

ParameterizedTestParameters(safety, recover_refuses_a_broken_log_or_primary_base_block)
{
	return tu_index_params(sizeof(log_cases) / sizeof(log_cases[0]));
}

ParameterizedTest(size_t *i, safety, recover_refuses_a_broken_log_or_primary_base_block)
{
	struct dirty d;
	make_dirty(&d);
	uint32_t bins = break_input(&d, log_cases[*i].how);
	char num[16] = "", want[300], full[1500];
	/* One bit per 512-byte page of the hive bins (regf spec "Dirty vector"). */
	if (log_cases[*i].number != NONE)
		snprintf(num, sizeof(num), "%u",
		         log_cases[*i].number == BINS ? (unsigned)bins : (unsigned)(bins / 4096u));
	snprintf(want, sizeof(want), "%s%s%s", log_cases[*i].head, num, log_cases[*i].tail);
	dirty_snap(&d);
	char *out = tu_tmp_path("out.dat");
	TU_CLI_EXPECT(1, "recover", "-o", out, d.hive);
	snprintf(full, sizeof(full), "%s: %s", d.hive, want);
	cr_assert(strstr(tu_last.err, full) != NULL, "want '%s' in: %s", full, tu_last.err);
	cr_assert(!tu_exists(out), "nothing is written");
	dirty_assert_same(&d, 0);
	/* The library says the same, naming the hive. */
	dirty_snap(&d);
	cr_assert_eq(mapiprof_recover(tu_ctx, d.hive, NULL, NULL), MAPIPROF_FAILED);
	assert_error(MAPIPROF_E_FORMAT, want, d.hive);
	dirty_assert_same(&d, 0);
	free(out);
	dirty_free(&d);
}
