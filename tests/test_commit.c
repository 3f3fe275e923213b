/* test_commit.c - the writer (commit.c): both ways of producing the new
 * file show exactly the planned changes to two independent parsers
 * (reglookup, regfexport) and to hivex; the written hive is clean and keeps
 * the original's permissions; an empty plan touches nothing; backups and -o;
 * a failure at any step leaves the original byte-identical and no temporary
 * file; dirty hives and newer logs are refused unless forced; the
 * temporary file is unnamed until the rename where the system allows, and
 * what killed writers left is removed by the next locked write. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/platform.h"
#include "mapi/locate.h"
#include "plan/plan.h"
#include "regf/cells.h"
#include "regf/hiveinfo.h"
#include "regf/patch.h"
#include "store/store.h"
#include "testutil.h"
#include "testutil_int.h"
#include "write/commit_io.h"

#define GLOBAL   "13dbb0c8aa05101a9bb000aa002fc45a"
#define EMSAB    "dca740c8c042101ab4b908002b2fe182"
#define OUTLOOK  "0a0d020000000000c000000000000046"
#define EXCHANGE "exchange-mapi.dat"
#define HIVE     "NTUSER.DAT"
#define WMS_PROFILES                                                                               \
	"Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles"
#define REGIPY "real/regipy/NTUSER_BAGMRU.DAT"

TestSuite(commit, .init = tu_setup, .fini = tu_teardown);

static const uint8_t v_zero[4] = {0, 0, 0, 0};
static const uint8_t v_ui4000[4] = {0x00, 0x40, 0, 0};
static const uint8_t v_3000[4] = {0xb8, 0x0b, 0, 0};
static const uint8_t v_nine[4] = {9, 0, 0, 0};
static const uint8_t v_one[4] = {1, 0, 0, 0};
static const uint8_t v_long[40] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14,
                                   15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
                                   29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40};

/* ---- steps replaced by the tests ---------------------------------------- */

/* Besides the counters of testutil_int.h. */
static int patch_done, copy_calls;

static int
count_patch(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys, size_t n, int *done)
{
	tu_patch_calls++;
	int rc = mp_commit_default_io()->patch(ctx, fd, keys, n, done);
	patch_done = *done;
	return rc;
}

/* Patches the first op with other bytes of the same length: a writer bug
 * that verify must catch. */
static int
wrong_patch(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys, size_t n, int *done)
{
	static uint8_t other[64];
	struct mp_key_change k[TU_PLAN_MAX_KEYS];
	struct mp_value_change ops[TU_PLAN_MAX_OPS];
	cr_assert(n >= 1 && n <= TU_PLAN_MAX_KEYS && keys[0].nops <= TU_PLAN_MAX_OPS);
	memcpy(k, keys, n * sizeof(*k));
	memcpy(ops, keys[0].ops, keys[0].nops * sizeof(*ops));
	cr_assert(ops[0].len <= sizeof(other));
	memset(other, 0x5a, sizeof(other));
	ops[0].data = other;
	k[0].ops = ops;
	return mp_commit_default_io()->patch(ctx, fd, k, n, done);
}

static int
count_copy(struct mapiprof_ctx *ctx, int in, int out, uint64_t size,
           const struct mp_copy_watch *watch)
{
	copy_calls++;
	return mp_commit_default_io()->copy(ctx, in, out, size, watch);
}

/* Copies, then fails as a full disk would. */
static int
fail_copy(struct mapiprof_ctx *ctx, int in, int out, uint64_t size,
          const struct mp_copy_watch *watch)
{
	copy_calls++;
	if (mp_copy_fd(ctx, in, out, size / 2, watch) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	mp_seterr_errno(ctx, ENOSPC, "injected copy failure");
	return MAPIPROF_FAILED;
}

static int
fail_write_hive(struct mp_store *s, const char *path)
{
	(void)path;
	mp_seterr_errno(s->ctx, ENOSPC, "injected write failure");
	return MAPIPROF_FAILED;
}

static int
fail_fsync_dir(struct mapiprof_ctx *ctx, const char *dir)
{
	(void)dir;
	mp_seterr_errno(ctx, EIO, "injected directory fsync failure");
	return MAPIPROF_FAILED;
}

/* Fails the last rename (the new file over the target), not the backup's. */
static int
fail_second_rename(struct mapiprof_ctx *ctx, const char *from, const char *to)
{
	if (++tu_rename_calls == 1)
		return mp_rename(ctx, from, to);
	mp_seterr_errno(ctx, EIO, "injected rename failure");
	return MAPIPROF_FAILED;
}

/* ---- helpers ------------------------------------------------------------- */

/* Makes tu_tmp/w (the target's directory) holding a copy of src as HIVE
 * with mode 0640; returns the hive's path. */
static char *
stage_in_w(const char *src)
{
	char *dir = tu_tmp_path("w");
	cr_assert_eq(mkdir(dir, 0755), 0);
	char *p = mp_path_join(dir, HIVE);
	cr_assert_eq(tu_copy(src, p), 0);
	cr_assert_eq(chmod(p, 0640), 0);
	free(dir);
	return p;
}

static char *
stage_built(const char *name)
{
	char *src = tu_fixture(name);
	char *p = stage_in_w(src);
	free(src);
	return p;
}

/* tu_plan_add of a REG_BINARY value (every property here). */
static void
hp_add(struct tu_plan *h, size_t p, const char *uid, const char *name, int del, const void *data,
       size_t len)
{
	tu_plan_add(h, p, uid, name, del, MP_REG_BINARY, data, len);
}

/* The Exchange 2007 GC-referral fix on profile "Exchange" (five values,
 * one of them new) plus a delete, all on existing keys. */
static void
gc_plan(struct tu_plan *h, size_t p)
{
	memset(h, 0, sizeof(*h));
	hp_add(h, p, GLOBAL, "00036604", 0, v_zero, 4);
	hp_add(h, p, GLOBAL, "00036606", 0, v_ui4000, 4);
	hp_add(h, p, GLOBAL, "0003661b", 0, v_3000, 4);
	hp_add(h, p, EMSAB, "00036619", 0, v_nine, 4);
	hp_add(h, p, EMSAB, "00036639", 0, v_one, 4);
	hp_add(h, p, GLOBAL, "00036605", 1, NULL, 0);
}

static int
write_plan(struct tu_plan *h, const struct mapiprof_write_opts *opts)
{
	struct mapiprof_write_opts none = {0};
	return mapiprof_plan_write(tu_file, &h->plan, opts != NULL ? opts : &none);
}

/* reglookup's "/path/to/key" of section uid of profile p. */
static void
key_path(size_t p, const char *uid, char *buf, size_t size)
{
	const struct mapiprof_profile *pr = mapiprof_profile_at(tu_file, p);
	snprintf(buf, size, "/%s/%s/%s", pr->root, pr->name, uid);
	for (char *c = buf; *c != '\0'; c++)
		*c = *c == '\\' ? '/' : *c;
}

/* reglookup's line for a REG_BINARY value: bytes outside printable ASCII
 * (and '%', ',', '"') as %XX. */
static void
reglookup_line(const char *kpath, const struct mp_value_change *op, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s,BINARY,", kpath, op->value_name);
	for (size_t i = 0; i < op->len && n > 0 && (size_t)n < size; i++) {
		uint8_t b = op->data[i];
		int plain = b >= 0x20 && b < 0x7f && b != '%' && b != ',' && b != '"';
		n += plain ? snprintf(buf + n, size - (size_t)n, "%c", b)
		           : snprintf(buf + n, size - (size_t)n, "%%%02X", b);
	}
	snprintf(buf + n, size - (size_t)n, ",");
}

/* 1 when record r names a value or key of the plan: a reglookup line of a
 * planned value, of a planned key or of a created key's parent, a regfexport
 * record of a planned value or of a created key. */
static int
about_plan(const struct mapiprof_plan *pl, const char *r)
{
	for (size_t i = 0; i < pl->nkeys; i++) {
		const struct mp_key_change *k = &pl->keys[i];
		char kp[2048], want[2100];
		key_path(k->profile, k->uid, kp, sizeof(kp));
		snprintf(want, sizeof(want), "%s,KEY,", kp);
		if (strncasecmp(r, want, strlen(want)) == 0)
			return 1;
		for (size_t j = 0; j < k->nops; j++) {
			snprintf(want, sizeof(want), "%s/%s,", kp, k->ops[j].value_name);
			if (strncasecmp(r, want, strlen(want)) == 0)
				return 1;
			snprintf(want, sizeof(want), "\\%s|%s\n", k->uid, k->ops[j].value_name);
			if (r[0] == 'V' && strstr(r, want) != NULL)
				return 1;
		}
		/* A created key's parent gets the write's time, as in Windows. */
		char *slash = strrchr(kp, '/');
		if (k->key == 0 && slash != NULL) {
			snprintf(want, sizeof(want), "%.*s,KEY,", (int)(slash - kp), kp);
			if (strncasecmp(r, want, strlen(want)) == 0)
				return 1;
		}
		snprintf(want, sizeof(want), "\\%s", k->uid);
		size_t rl = strcspn(r, "\n"), wl = strlen(want);
		if (k->key == 0 && r[0] == 'K' && rl > wl && strncmp(r + rl - wl, want, wl) == 0)
			return 1;
	}
	return 0;
}

/* Every record in a but not in b is about the plan; returns how many. */
static size_t
only_planned(const struct mapiprof_plan *pl, const struct tu_dump *a, const struct tu_dump *b)
{
	size_t n = 0;
	for (size_t i = 0; i < a->n; i++) {
		if (tu_dump_has(b, a->rec[i]))
			continue;
		cr_assert(about_plan(pl, a->rec[i]), "unplanned difference: %.300s", a->rec[i]);
		n++;
	}
	return n;
}

/* Each planned set shows in reglookup's dump of the new hive exactly; each
 * planned delete is absent. */
static void
assert_reglookup_shows(const struct mapiprof_plan *pl, const struct tu_dump *after)
{
	for (size_t i = 0; i < pl->nkeys; i++) {
		const struct mp_key_change *k = &pl->keys[i];
		char kp[2048], line[4096];
		key_path(k->profile, k->uid, kp, sizeof(kp));
		for (size_t j = 0; j < k->nops; j++) {
			reglookup_line(kp, &k->ops[j], line, sizeof(line));
			if (!k->ops[j].del) {
				cr_assert(tu_dump_has(after, line), "reglookup lacks %s", line);
				continue;
			}
			snprintf(line, sizeof(line), "%s/%s,", kp, k->ops[j].value_name);
			for (size_t r = 0; r < after->n; r++)
				cr_assert(strncmp(after->rec[r], line, strlen(line)) != 0,
				          "deleted value still there: %s", after->rec[r]);
		}
	}
}

/* reglookup sees exactly the plan's changes between the hives before and
 * after (key timestamps of planned keys aside). */
static void
assert_reglookup_planned(const struct mapiprof_plan *pl, const char *before, const char *after)
{
	struct tu_dump a, b;
	tu_dump_reglookup(before, &a);
	tu_dump_reglookup(after, &b);
	only_planned(pl, &a, &b);
	cr_assert_gt(only_planned(pl, &b, &a), 0, "reglookup sees no change");
	assert_reglookup_shows(pl, &b);
	tu_dump_free(&a);
	tu_dump_free(&b);
}

/* Both independent parsers see exactly the plan's changes. */
static void
assert_only_planned(const struct mapiprof_plan *pl, const char *before, const char *after)
{
	struct tu_dump a, b;
	assert_reglookup_planned(pl, before, after);
	tu_dump_regfexport(before, &a);
	tu_dump_regfexport(after, &b);
	only_planned(pl, &a, &b);
	cr_assert_gt(only_planned(pl, &b, &a), 0, "regfexport sees no change");
	tu_dump_free(&a);
	tu_dump_free(&b);
}

/* hivex reads every planned value back exactly (deleted ones absent), from
 * the hive's root by names. */
static void
assert_hivex_reads(const struct mapiprof_plan *pl, const char *hive)
{
	struct mp_store *s = NULL;
	mp_key root = 0;
	cr_assert_eq(mp_store_hive_open(tu_ctx, hive, 0, &s), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(s->ops->root(s, &root), MAPIPROF_OK);
	for (size_t i = 0; i < pl->nkeys; i++) {
		const struct mp_key_change *k = &pl->keys[i];
		const struct mapiprof_profile *pr = mapiprof_profile_at(tu_file, k->profile);
		char path[2048];
		snprintf(path, sizeof(path), "%s\\%s\\%s", pr->root, pr->name, k->uid);
		mp_key key = 0;
		struct mp_value *vals = NULL;
		size_t n = 0;
		cr_assert_eq(mp_store_path(s, root, path, &key), MAPIPROF_OK);
		cr_assert_neq(key, 0, "no key %s", path);
		cr_assert_eq(s->ops->values(s, key, &vals, &n), MAPIPROF_OK);
		for (size_t j = 0; j < k->nops; j++) {
			const struct mp_value_change *op = &k->ops[j];
			const struct mp_value *v = mp_store_value_find(vals, n, op->value_name);
			cr_assert_eq(v != NULL, !op->del, "%s: present %d", op->value_name,
			             v != NULL);
			if (v == NULL)
				continue;
			cr_assert_eq(v->type, op->reg_type, "%s: type %u", op->value_name, v->type);
			cr_assert_eq(v->len, op->len, "%s: %zu bytes", op->value_name, v->len);
			cr_assert(op->len == 0 || memcmp(v->data, op->data, op->len) == 0);
		}
		mp_store_values_free(vals, n);
	}
	mp_store_close(s);
}

/* The base block of hive is clean: equal sequence numbers, good checksum. */
static void
assert_clean(const char *hive, uint32_t min_seq)
{
	struct mapiprof_info *info = NULL;
	cr_assert_eq(mapiprof_inspect(tu_ctx, hive, &info), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(info->seq1, info->seq2);
	cr_assert_geq(info->seq1, min_seq);
	cr_assert(info->checksum_ok);
	cr_assert_eq(info->mode, 0640u, "mode %o", (unsigned)info->mode);
	mapiprof_info_free(info);
}

/* Copies hive to tu_tmp/ref.dat (the bytes a failed write must leave);
 * returns the copy's path, malloc'd. */
static char *
keep_ref(const char *hive)
{
	char *ref = tu_tmp_path("ref.dat");
	cr_assert_eq(tu_copy(hive, ref), 0);
	return ref;
}

/* Stages exchange-mapi.dat, keeps a reference copy in *ref and opens the
 * staged one; returns its path. */
static char *
open_exchange_ref(char **ref)
{
	char *hive = stage_built(EXCHANGE);
	*ref = keep_ref(hive);
	tu_open(hive);
	return hive;
}

/* As open_exchange_ref, and plans the GC-referral fix on profile
 * Exchange. */
static char *
open_exchange(struct tu_plan *h, char **ref)
{
	char *hive = open_exchange_ref(ref);
	gc_plan(h, tu_profile("Exchange"));
	return hive;
}

/* write_plan(h, opts) with io in force for the call. */
static int
write_plan_io(struct tu_plan *h, const struct mapiprof_write_opts *opts,
              const struct mp_commit_io *io)
{
	mp_commit_set_io(io);
	int rc = write_plan(h, opts);
	mp_commit_set_io(NULL);
	return rc;
}

/* mapiprof_plan_write(plan) with io in force for the call succeeds. */
static void
plan_write_io_ok(const struct mapiprof_plan *plan, const struct mp_commit_io *io)
{
	mp_commit_set_io(io);
	cr_assert_eq(mapiprof_plan_write(tu_file, plan, NULL), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	mp_commit_set_io(NULL);
}

/* The last error has code and (unless want is NULL) a message holding
 * want. */
static void
assert_error(enum mapiprof_error code, const char *want)
{
	const char *msg = mapiprof_errmsg(tu_ctx);
	cr_assert_eq(mapiprof_errcode(tu_ctx), code, "code %d: %s", mapiprof_errcode(tu_ctx), msg);
	if (want != NULL)
		cr_assert(strstr(msg, want) != NULL, "want '%s' in: %s", want, msg);
}

static uint32_t
seq_of(const char *hive)
{
	struct mapiprof_info *info = NULL;
	cr_assert_eq(mapiprof_inspect(tu_ctx, hive, &info), MAPIPROF_OK);
	uint32_t s = info->seq1;
	mapiprof_info_free(info);
	return s;
}

/* A failed write left the original as ref and no temporary file. */
static void
assert_untouched(const char *hive, const char *ref, const char *listing_want)
{
	tu_assert_same_file(hive, ref);
	tu_assert_listing("w", listing_want);
}

/* hive differs from ref in exactly the planned values (regfexport), hivex
 * reads them back, and the base block is clean with a sequence number of
 * at least min_seq. */
static void
assert_written(const struct mapiprof_plan *pl, const char *ref, const char *hive, uint32_t min_seq)
{
	assert_only_planned(pl, ref, hive);
	assert_hivex_reads(pl, hive);
	assert_clean(hive, min_seq);
}

/* ---- both paths ------------------------------------------------------------ */

Test(commit, fast_path_writes_exactly_the_planned_values)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	uint32_t seq = seq_of(hive);
	cr_assert_eq(write_plan_io(&h, NULL, &(struct mp_commit_io){.patch = count_patch}),
	             MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(tu_patch_calls, 1);
	cr_assert_eq(patch_done, 1, "the in-place patcher wrote the file");
	assert_written(&h.plan, ref, hive, seq + 1);
	tu_assert_listing("w", HIVE);
	free(hive);
	free(ref);
}

Test(commit, hivex_path_writes_exactly_the_planned_values_when_the_patcher_declines)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	uint32_t seq = seq_of(hive);
	cr_assert_eq(write_plan_io(&h, NULL, &(struct mp_commit_io){.patch = tu_decline_patch}),
	             MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(tu_patch_calls, 1);
	assert_written(&h.plan, ref, hive, seq + 1);
	tu_assert_listing("w", HIVE);
	free(hive);
	free(ref);
}

Test(commit, both_paths_give_the_same_values)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	char *fast = tu_tmp_path("fast.dat"), *slow = tu_tmp_path("slow.dat");
	struct mapiprof_write_opts o1 = {.output = fast}, o2 = {.output = slow};
	cr_assert_eq(write_plan(&h, &o1), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(write_plan_io(&h, &o2, &(struct mp_commit_io){.patch = tu_decline_patch}),
	             MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	/* Key lines carry timestamps (the patcher stamps changed keys, hivex
	 * does not): compare the value lines only. */
	struct tu_dump a, b;
	tu_dump_reglookup(fast, &a);
	tu_dump_reglookup(slow, &b);
	cr_assert_eq(a.n, b.n);
	for (size_t i = 0; i < a.n; i++)
		if (strstr(a.rec[i], ",KEY,") == NULL)
			cr_assert(tu_dump_has(&b, a.rec[i]), "only the fast path has %s", a.rec[i]);
	tu_dump_free(&a);
	tu_dump_free(&b);
	free(fast);
	free(slow);
	free(hive);
	free(ref);
}

Test(commit, hivex_path_creates_a_missing_section_in_lower_case_when_the_patcher_declines)
{
	char *ref = NULL, *hive = open_exchange_ref(&ref);
	size_t p = tu_profile("Personal");
	cr_assert_null(tu_section_of(p, EMSAB), "Personal has no emsab section");
	struct tu_plan h;
	memset(&h, 0, sizeof(h));
	hp_add(&h, p, EMSAB, "00036619", 0, v_nine, 4);
	hp_add(&h, p, EMSAB, "01020fff", 0, v_long, sizeof(v_long));
	hp_add(&h, p, GLOBAL, "00036601", 0, v_one, 4);
	cr_assert_eq(write_plan_io(&h, NULL, &(struct mp_commit_io){.patch = tu_decline_patch}),
	             MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(tu_patch_calls, 1, "the patcher was asked and declined");
	assert_written(&h.plan, ref, hive, 1);
	struct tu_dump d;
	tu_dump_reglookup(hive, &d);
	char kp[2048], want[2100];
	key_path(p, EMSAB, kp, sizeof(kp));
	snprintf(want, sizeof(want), "%s,KEY,", kp);
	size_t found = 0;
	for (size_t i = 0; i < d.n; i++)
		found += strncmp(d.rec[i], want, strlen(want)) == 0;
	cr_assert_eq(found, 1, "the new key is spelled %s", EMSAB);
	tu_dump_free(&d);
	tu_assert_listing("w", HIVE);
	free(hive);
	free(ref);
}

Test(commit, fast_path_creates_a_missing_section_in_lower_case)
{
	char *ref = NULL, *hive = open_exchange_ref(&ref);
	size_t p = tu_profile("Personal");
	cr_assert_null(tu_section_of(p, EMSAB), "Personal has no emsab section");
	struct tu_plan h;
	memset(&h, 0, sizeof(h));
	hp_add(&h, p, EMSAB, "00036619", 0, v_nine, 4);
	hp_add(&h, p, EMSAB, "01020fff", 0, v_long, sizeof(v_long));
	hp_add(&h, p, GLOBAL, "00036601", 0, v_one, 4);
	cr_assert_eq(write_plan_io(&h, NULL, &(struct mp_commit_io){.patch = count_patch}),
	             MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(tu_patch_calls, 1);
	cr_assert_eq(patch_done, 1, "the in-place patcher created the key");
	assert_written(&h.plan, ref, hive, 1);
	struct tu_dump d;
	tu_dump_reglookup(hive, &d);
	char kp[2048], want[2100];
	key_path(p, EMSAB, kp, sizeof(kp));
	snprintf(want, sizeof(want), "%s,KEY,", kp);
	size_t found = 0;
	for (size_t i = 0; i < d.n; i++)
		found += strncmp(d.rec[i], want, strlen(want)) == 0;
	cr_assert_eq(found, 1, "the new key is spelled %s", EMSAB);
	tu_dump_free(&d);
	tu_assert_listing("w", HIVE);
	free(hive);
	free(ref);
}

Test(commit, rewritten_hive_reopens_with_the_new_values)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	cr_assert_eq(write_plan(&h, NULL), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	tu_open(hive);
	size_t p = tu_profile("Exchange");
	const struct mapiprof_prop *pr = tu_prop(p, tu_section(p, GLOBAL), "0x66040003");
	cr_assert_eq(pr->i, 0);
	pr = tu_prop(p, tu_section(p, EMSAB), "PR_PROFILE_AUTH_PACKAGE");
	cr_assert_eq(pr->i, 9);
	const struct mapiprof_prop *gone = NULL;
	cr_assert_eq(mapiprof_prop_find(tu_file, p, tu_section(p, GLOBAL), "00036605", &gone),
	             MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_NOPROP);
	free(hive);
	free(ref);
}

/* ---- through the planner (recipe -> plan -> write) --------------------- */

/* Plans recipe on profile name of tu_file. */
static struct mapiprof_plan *
plan_recipe(const struct mapiprof_recipe *r, const char *name)
{
	size_t p = tu_profile(name);
	struct mapiprof_plan *plan = NULL;
	cr_assert_eq(mapiprof_plan_build(tu_file, r, &p, 1, &plan), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	return plan;
}

Test(commit, edits_planned_by_the_planner_are_written_exactly)
{
	const char *edits[] = {
	    "global PR_PROFILE_CONNECT_FLAGS -= CONNECT_NO_RPC_ENCRYPTION",
	    "global PR_PROFILE_SERVER_VERSION >= 3000",
	    "emsab PR_PROFILE_AUTH_PACKAGE = 9",
	    "global PR_PROFILE_TRANSPORT_FLAGS unset",
	};
	char *ref = NULL, *hive = open_exchange_ref(&ref);
	struct mapiprof_recipe *r = NULL;
	cr_assert_eq(mapiprof_recipe_from_edits(tu_ctx, edits, 4, &r), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	struct mapiprof_plan *plan = plan_recipe(r, "Exchange");
	cr_assert_eq(mapiprof_plan_count(plan), 4);
	plan_write_io_ok(plan, &(struct mp_commit_io){.patch = count_patch});
	cr_assert_eq(patch_done, 1);
	assert_only_planned(plan, ref, hive);
	assert_hivex_reads(plan, hive);
	mapiprof_plan_free(plan);
	mapiprof_recipe_free(r);
	free(ref);
	free(hive);
}

Test(commit, planner_section_creation_goes_through_the_patcher)
{
	const char *edits[] = {"emsab PR_PROFILE_AUTH_PACKAGE = 9"};
	char *ref = NULL, *hive = open_exchange_ref(&ref);
	struct mapiprof_recipe *r = NULL;
	cr_assert_eq(mapiprof_recipe_from_edits(tu_ctx, edits, 1, &r), MAPIPROF_OK);
	struct mapiprof_plan *plan = plan_recipe(r, "Personal");
	cr_assert_eq(mapiprof_plan_count(plan), 1);
	cr_assert(mapiprof_plan_at(plan, 0)->new_section);
	plan_write_io_ok(plan, &(struct mp_commit_io){.patch = count_patch});
	cr_assert_eq(tu_patch_calls, 1);
	cr_assert_eq(patch_done, 1, "the in-place patcher created the section");
	assert_only_planned(plan, ref, hive);
	assert_hivex_reads(plan, hive);
	mapiprof_plan_free(plan);
	mapiprof_recipe_free(r);
	free(ref);
	free(hive);
}

Test(commit, gc_referral_recipe_writes_five_changes_and_a_second_run_writes_nothing)
{
	char *ref = NULL, *hive = open_exchange_ref(&ref);
	struct mapiprof_recipe *r = NULL;
	cr_assert_eq(mapiprof_recipe_load(tu_ctx, "exchange2007-gc-referral", &r), MAPIPROF_OK,
	             "%s", mapiprof_errmsg(tu_ctx));
	struct mapiprof_plan *plan = plan_recipe(r, "Exchange");
	cr_assert_eq(mapiprof_plan_count(plan), 5);
	plan_write_io_ok(plan, NULL);
	assert_only_planned(plan, ref, hive);
	mapiprof_plan_free(plan);
	size_t n = 0;
	char *once = tu_read(hive, &n);
	int64_t mtime = tu_mtime_ns(hive);
	tu_open(hive);
	plan = plan_recipe(r, "Exchange");
	cr_assert_eq(mapiprof_plan_count(plan), 0);
	cr_assert_eq(mapiprof_plan_write(tu_file, plan, NULL), MAPIPROF_OK);
	tu_assert_file_is(hive, once, n);
	cr_assert_eq(tu_mtime_ns(hive), mtime);
	tu_assert_listing("w", HIVE);
	mapiprof_plan_free(plan);
	mapiprof_recipe_free(r);
	free(once);
	free(ref);
	free(hive);
}

/* ---- permissions, empty plan, backup, -o ------------------------------ */

Test(commit, keeps_the_permissions_of_the_original)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	cr_assert_eq(chmod(hive, 0604), 0);
	cr_assert_eq(write_plan(&h, NULL), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	struct stat st;
	cr_assert_eq(stat(hive, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0604u, "mode %o", (unsigned)(st.st_mode & 07777));
	free(hive);
	free(ref);
}

Test(commit, keeps_the_owner_when_run_as_root)
{
	if (geteuid() != 0)
		cr_skip_test("only root can give a file away");
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	cr_assert_eq(chown(hive, 65534, 65534), 0);
	cr_assert_eq(write_plan(&h, NULL), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	struct stat st;
	cr_assert_eq(stat(hive, &st), 0);
	cr_assert_eq(st.st_uid, 65534u);
	cr_assert_eq(st.st_gid, 65534u);
	free(hive);
	free(ref);
}

Test(commit, empty_plan_leaves_the_file_byte_identical_with_the_same_mtime)
{
	char *hive = stage_built(EXCHANGE);
	struct timespec old[2] = {{1600000000, 123456789}, {1600000000, 123456789}};
	cr_assert_eq(utimensat(AT_FDCWD, hive, old, 0), 0);
	size_t n = 0;
	char *before = tu_read(hive, &n);
	int64_t mtime = tu_mtime_ns(hive);
	tu_open(hive);
	struct tu_plan h;
	memset(&h, 0, sizeof(h));
	struct mapiprof_write_opts opts = {.backup_suffix = ".bak"};
	const struct mp_commit_io count = {.copy = count_copy, .patch = count_patch};
	cr_assert_eq(write_plan_io(&h, &opts, &count), MAPIPROF_OK);
	plan_write_io_ok(NULL, &count);
	cr_assert_eq(copy_calls + tu_patch_calls, 0);
	tu_assert_file_is(hive, before, n);
	cr_assert_eq(tu_mtime_ns(hive), mtime);
	tu_assert_listing("w", HIVE);
	free(before);
	free(hive);
}

Test(commit, empty_plan_on_a_dirty_hive_is_not_refused)
{
	char *src = tu_fixture_src(REGIPY);
	char *hive = stage_in_w(src);
	/* Dirty: the base block's sequence numbers (offsets 4 and 8) differ. */
	size_t n = 0;
	uint8_t *base = (uint8_t *)tu_read(hive, &n);
	cr_assert(base != NULL && n >= 512);
	cr_assert(memcmp(base + 4, base + 8, 4) != 0, "the regipy hive is no longer dirty");
	free(base);
	struct tu_snap before = tu_snap_take(hive);
	tu_open(hive);
	struct tu_plan h;
	memset(&h, 0, sizeof(h));
	cr_assert_eq(write_plan(&h, NULL), MAPIPROF_OK, "nothing to write, nothing refused");
	/* Nothing to write: not a byte, not the time, no file beside it. */
	tu_snap_assert_same(&before, hive);
	tu_assert_listing("w", HIVE);
	free(hive);
	free(src);
}

Test(commit, backup_keeps_the_original_bytes_as_bak)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	struct mapiprof_write_opts opts = {.backup_suffix = ".bak"};
	cr_assert_eq(write_plan(&h, &opts), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	char *bak = tu_tmp_path("w/" HIVE ".bak");
	tu_assert_same_file(bak, ref);
	tu_assert_listing("w", HIVE "|" HIVE ".bak");
	assert_only_planned(&h.plan, bak, hive);
	free(bak);
	free(hive);
	free(ref);
}

Test(commit, backup_with_a_custom_suffix_replaces_an_older_one)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	char *bak = tu_tmp_path("w/" HIVE ".orig");
	cr_assert_eq(tu_write(bak, "stale", 5), 0);
	struct mapiprof_write_opts opts = {.backup_suffix = ".orig"};
	cr_assert_eq(write_plan(&h, &opts), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	tu_assert_same_file(bak, ref);
	tu_assert_listing("w", HIVE "|" HIVE ".orig");
	free(bak);
	free(hive);
	free(ref);
}

Test(commit, backup_is_copied_where_hard_links_are_unsupported)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	tu_fail_link_errno = EPERM; /* what vfat answers to link(2) */
	struct mapiprof_write_opts opts = {.backup_suffix = ".bak"};
	cr_assert_eq(
	    write_plan_io(&h, &opts,
	                  &(struct mp_commit_io){.link = tu_fail_link, .copy = count_copy}),
	    MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(tu_link_calls, 1);
	cr_assert_eq(copy_calls, 2, "the input for the patch, the target for the backup");
	char *bak = tu_tmp_path("w/" HIVE ".bak");
	tu_assert_same_file(bak, ref);
	struct stat st;
	cr_assert_eq(stat(bak, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0640u, "the copy keeps the mode");
	tu_assert_listing("w", HIVE "|" HIVE ".bak");
	free(bak);
	free(hive);
	free(ref);
}

Test(commit, output_path_leaves_the_input_untouched)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	int64_t mtime = tu_mtime_ns(hive);
	char *outdir = tu_tmp_path("out");
	cr_assert_eq(mkdir(outdir, 0755), 0);
	char *out = mp_path_join(outdir, "patched.dat");
	struct mapiprof_write_opts opts = {.output = out, .backup_suffix = ".bak"};
	cr_assert_eq(write_plan(&h, &opts), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	assert_untouched(hive, ref, HIVE);
	cr_assert_eq(tu_mtime_ns(hive), mtime);
	char *got = tu_listing("out");
	cr_assert_str_eq(got, "patched.dat", "a new output has nothing to back up");
	assert_only_planned(&h.plan, ref, out);
	assert_clean(out, 1);
	free(got);
	free(out);
	free(outdir);
	free(hive);
	free(ref);
}

Test(commit, output_over_an_existing_file_backs_that_file_up)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	char *out = tu_tmp_path("w/out.dat");
	cr_assert_eq(tu_write(out, "previous", 8), 0);
	struct mapiprof_write_opts opts = {.output = out, .backup_suffix = ".bak"};
	cr_assert_eq(write_plan(&h, &opts), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	char *bak = tu_tmp_path("w/out.dat.bak");
	tu_assert_file_is(bak, "previous", 8);
	assert_untouched(hive, ref, HIVE "|out.dat|out.dat.bak");
	assert_hivex_reads(&h.plan, out);
	free(bak);
	free(out);
	free(hive);
	free(ref);
}

/* ---- failures leave the original and no temporary file --------------- */

/* Writes h with io and opts, expects failure with code naming hive, and
 * checks that hive is byte-identical to ref and the directory holds only
 * HIVE. */
static void
assert_write_fails(struct tu_plan *h, const char *hive, const char *ref,
                   const struct mp_commit_io *io, const struct mapiprof_write_opts *opts,
                   enum mapiprof_error code)
{
	cr_assert_eq(write_plan_io(h, opts, io), MAPIPROF_FAILED);
	assert_error(code, NULL);
	cr_assert_str_eq(mapiprof_errfile(tu_ctx), hive);
	assert_untouched(hive, ref, HIVE);
}

/* Runs the GC plan with io, expects failure with code, and checks that
 * the original is byte-identical and the directory holds only HIVE. */
static void
fail_with(const struct mp_commit_io *io, const struct mapiprof_write_opts *opts,
          enum mapiprof_error code)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	assert_write_fails(&h, hive, ref, io, opts, code);
	free(hive);
	free(ref);
}

Test(commit, failed_copy_leaves_the_original_and_no_temporary_file)
{
	fail_with(&(struct mp_commit_io){.copy = fail_copy}, NULL, MAPIPROF_E_IO);
	cr_assert_eq(copy_calls, 1);
	cr_assert_eq(mapiprof_errno(tu_ctx), ENOSPC);
}

Test(commit, failed_hivex_write_leaves_the_original_and_no_temporary_file)
{
	fail_with(&(struct mp_commit_io){.patch = tu_decline_patch, .write_hive = fail_write_hive},
	          NULL, MAPIPROF_E_IO);
	cr_assert_eq(tu_patch_calls, 1);
}

Test(commit, failed_fsync_leaves_the_original_and_no_temporary_file)
{
	fail_with(&(struct mp_commit_io){.fsync = tu_fail_fsync}, NULL, MAPIPROF_E_IO);
	cr_assert_eq(mapiprof_errno(tu_ctx), EIO);
}

Test(commit, failed_rename_leaves_the_original_and_no_temporary_file)
{
	fail_with(&(struct mp_commit_io){.rename = tu_fail_rename}, NULL, MAPIPROF_E_IO);
	cr_assert_eq(tu_rename_calls, 1);
}

Test(commit, failed_backup_link_leaves_the_original_and_no_temporary_file)
{
	struct mapiprof_write_opts opts = {.backup_suffix = ".bak"};
	tu_fail_link_errno = EIO;
	fail_with(&(struct mp_commit_io){.link = tu_fail_link}, &opts, MAPIPROF_E_IO);
	cr_assert_eq(tu_link_calls, 1);
}

Test(commit, failed_rename_after_the_backup_keeps_only_original_bytes)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	struct mapiprof_write_opts opts = {.backup_suffix = ".bak"};
	cr_assert_eq(write_plan_io(&h, &opts, &(struct mp_commit_io){.rename = fail_second_rename}),
	             MAPIPROF_FAILED);
	cr_assert_eq(tu_rename_calls, 2);
	char *bak = tu_tmp_path("w/" HIVE ".bak");
	tu_assert_same_file(bak, ref);
	assert_untouched(hive, ref, HIVE "|" HIVE ".bak");
	free(bak);
	free(hive);
	free(ref);
}

Test(commit, a_value_planned_twice_is_refused_and_leaves_the_original)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	hp_add(&h, tu_profile("Exchange"), GLOBAL, "00036604", 0, v_one, 4);
	cr_assert_eq(write_plan(&h, NULL), MAPIPROF_FAILED);
	assert_error(MAPIPROF_E_INVALID, "twice");
	assert_untouched(hive, ref, HIVE);
	free(hive);
	free(ref);
}

Test(commit, wrong_bytes_fail_verify_and_leave_the_original)
{
	fail_with(&(struct mp_commit_io){.patch = wrong_patch}, NULL, MAPIPROF_E_VERIFY);
	assert_error(MAPIPROF_E_VERIFY, "00036604");
}

/* ---- the fast path's verification catches a writer bug ------------------ */

/* File offset of the vk named name in the key whose nk is at key, in the
 * hive on fd (read with the patcher's own cell reader). */
static uint64_t
vk_offset(int fd, mp_key key, const char *name)
{
	struct mp_regf_base b;
	struct mp_regf_nk nk;
	struct mp_arena a = {0};
	uint32_t *list = NULL, list_cell = 0;
	uint64_t found = 0;
	cr_assert_eq(mp_regf_base_read(tu_ctx, fd, &b), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	struct mp_regf_cells c = {tu_ctx, fd, b.bins, NULL};
	cr_assert_eq(mp_regf_cells_nk(&c, "t", key, &nk), MAPIPROF_OK);
	cr_assert_eq(mp_regf_cells_vlist(&c, "t", &nk, &a, &list, &list_cell), MAPIPROF_OK);
	for (uint32_t i = 0; i < nk.nvalues && found == 0; i++) {
		struct mp_regf_vk vk;
		char *vname = NULL;
		int undecodable = 0;
		cr_assert_eq(mp_regf_cells_vk(&c, "t", list[i], &vk), MAPIPROF_OK);
		cr_assert_eq(mp_regf_cells_vk_name_utf8(&c, &vk, &vname, &undecodable),
		             MAPIPROF_OK);
		if (vname != NULL && strcasecmp(vname, name) == 0)
			found = (uint64_t)vk.rel + MP_REGF_BASE_BLOCK;
		free(vname);
	}
	mp_arena_free(&a);
	cr_assert_neq(found, 0, "no value %s", name);
	return found;
}

/* XORs the byte at off of fd with x. */
static void
flip(int fd, uint64_t off, uint8_t x)
{
	uint8_t b = 0;
	cr_assert_eq(pread(fd, &b, 1, (off_t)off), 1);
	b ^= x;
	cr_assert_eq(pwrite(fd, &b, 1, (off_t)off), 1);
}

/* Writes the 32-bit little-endian v at off of fd. */
static void
put_le32(int fd, uint64_t off, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
	cr_assert_eq(pwrite(fd, b, 4, (off_t)off), 4);
}

/* The real patcher, which must patch in place. */
static int
real_patch(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys, size_t n, int *done)
{
	int rc = mp_commit_default_io()->patch(ctx, fd, keys, n, done);
	cr_assert(rc == MAPIPROF_OK && *done);
	return rc;
}

/* Patches, then changes the new inline data of 00036604 (GLOBAL, keys[0]). */
static int
corrupt_data_patch(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys, size_t n,
                   int *done)
{
	int rc = real_patch(ctx, fd, keys, n, done);
	flip(fd, vk_offset(fd, keys[0].key, "00036604") + MP_VK_DOFF, 0x01);
	return rc;
}

/* Patches, then changes one byte of the base block's timestamp. */
static int
corrupt_base_patch(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys, size_t n,
                   int *done)
{
	int rc = real_patch(ctx, fd, keys, n, done);
	flip(fd, MP_BB_TIMESTAMP, 0x10);
	return rc;
}

/* Patches keys with op added to keys[0]: a writer that does more than the
 * plan says. */
static int
patch_plus(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys, size_t n, int *done,
           const struct mp_value_change *op)
{
	struct mp_key_change k[TU_PLAN_MAX_KEYS];
	struct mp_value_change ops[TU_PLAN_MAX_OPS + 1];
	cr_assert(n >= 1 && n <= TU_PLAN_MAX_KEYS && keys[0].nops <= TU_PLAN_MAX_OPS);
	memcpy(k, keys, n * sizeof(*k));
	memcpy(ops, keys[0].ops, keys[0].nops * sizeof(*ops));
	ops[k[0].nops++] = *op;
	k[0].ops = ops;
	return real_patch(ctx, fd, k, n, done);
}

/* Name of a value of the GLOBAL section the GC plan does not touch. */
static char untouched[64];

/* Also deletes the untouched value. */
static int
drop_value_patch(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys, size_t n,
                 int *done)
{
	const struct mp_value_change del = {untouched, 1, MP_REG_BINARY, NULL, 0};
	return patch_plus(ctx, fd, keys, n, done, &del);
}

/* Also adds a value nobody planned. */
static int
extra_value_patch(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys, size_t n,
                  int *done)
{
	const struct mp_value_change add = {"0003fffe", 0, MP_REG_BINARY, v_one, 4};
	return patch_plus(ctx, fd, keys, n, done, &add);
}

/* Patches, then makes the nk cell of keys[0] 8 bytes longer (its old bin no
 * longer tiles). */
static int
resize_cell_patch(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys, size_t n,
                  int *done)
{
	uint8_t b[4];
	int rc = real_patch(ctx, fd, keys, n, done);
	cr_assert_eq(pread(fd, b, 4, (off_t)keys[0].key), 4);
	uint32_t raw =
	    (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	put_le32(fd, keys[0].key, raw - 8u);
	return rc;
}

/* Patches, then changes the parent offset in the nk of keys[0] (regf spec
 * "Key node"). */
static int
corrupt_nk_patch(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys, size_t n,
                 int *done)
{
	int rc = real_patch(ctx, fd, keys, n, done);
	flip(fd, keys[0].key + 4u + 16u, 0x08);
	return rc;
}

/* Patches, then lowers the largest-data field in the nk of keys[0]. */
static int
lower_maxdata_patch(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys, size_t n,
                    int *done)
{
	int rc = real_patch(ctx, fd, keys, n, done);
	put_le32(fd, keys[0].key + MP_NK_MAXDATA, 0);
	return rc;
}

/* Patches (the plan needs a new bin), then breaks the new bin's signature. */
static int
break_bin_patch(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys, size_t n,
                int *done)
{
	int rc = real_patch(ctx, fd, keys, n, done);
	flip(fd, (uint64_t)mapiprof_file_info(tu_file)->bins_size + MP_REGF_BASE_BLOCK, 0x20);
	return rc;
}

/* Picks a value of the GLOBAL section that the GC plan leaves alone. */
static void
pick_untouched(const struct tu_plan *h)
{
	struct mp_store *s = tu_file->store;
	struct mp_value *vals = NULL;
	size_t n = 0;
	untouched[0] = '\0';
	cr_assert_eq(s->ops->values(s, h->keys[0].key, &vals, &n), MAPIPROF_OK);
	for (size_t i = 0; i < n && untouched[0] == '\0'; i++) {
		int planned = 0;
		for (size_t j = 0; j < h->keys[0].nops; j++)
			planned |= strcasecmp(vals[i].name, h->keys[0].ops[j].value_name) == 0;
		if (!planned)
			snprintf(untouched, sizeof(untouched), "%s", vals[i].name);
	}
	mp_store_values_free(vals, n);
	cr_assert_neq(untouched[0], '\0', "the GLOBAL section has no untouched value");
}

/* As fail_with(io, NULL, MAPIPROF_E_VERIFY) with the GC plan, whose first
 * key is GLOBAL, plus the extra op (if any) on it; the message must hold
 * want. */
static void
fail_verify(const struct mp_commit_io *io, const struct mp_value_change *extra, const char *want)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	cr_assert_str_eq(h.keys[0].uid, GLOBAL);
	if (extra != NULL)
		hp_add(&h, tu_profile("Exchange"), GLOBAL, extra->value_name, extra->del,
		       extra->data, extra->len);
	pick_untouched(&h);
	assert_write_fails(&h, hive, ref, io, NULL, MAPIPROF_E_VERIFY);
	assert_error(MAPIPROF_E_VERIFY, "did not verify");
	assert_error(MAPIPROF_E_VERIFY, want);
	free(hive);
	free(ref);
}

Test(commit, fast_path_verify_catches_a_corrupted_byte_in_a_changed_cell)
{
	fail_verify(&(struct mp_commit_io){.patch = corrupt_data_patch}, NULL,
	            "value 00036604 has the wrong data");
}

Test(commit, fast_path_verify_catches_a_corrupted_byte_in_the_base_block)
{
	fail_verify(&(struct mp_commit_io){.patch = corrupt_base_patch}, NULL,
	            "base block is not clean");
}

Test(commit, fast_path_verify_catches_a_missing_value)
{
	char want[128];
	fail_verify(&(struct mp_commit_io){.patch = drop_value_patch}, NULL, "is missing");
	snprintf(want, sizeof(want), "value %s is missing", untouched);
	assert_error(MAPIPROF_E_VERIFY, want);
}

Test(commit, fast_path_verify_catches_an_extra_value)
{
	fail_verify(&(struct mp_commit_io){.patch = extra_value_patch}, NULL, "values, planned");
	assert_error(MAPIPROF_E_VERIFY, GLOBAL);
}

Test(commit, fast_path_verify_catches_an_old_cell_that_changed_its_size)
{
	fail_verify(&(struct mp_commit_io){.patch = resize_cell_patch}, NULL, "changed its size");
}

/* ---- a structure the cell reader leaves alone: hivex verifies ---------- */

/* A 16-byte value "big" of GLOBAL held as big data (a db record, its list
 * and one segment, regf spec "Big data"), made in place in a hive: the
 * patcher adds it with 40 bytes of data, then its 48-byte data cell is cut
 * into the three cells of a db value. */
static const uint8_t big16[16] = {0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8,
                                  0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf, 0xc0};

static void
add_db_value(const char *hive)
{
	struct mp_store *s = NULL;
	mp_key root = 0, nk = 0;
	cr_assert_eq(mp_store_hive_open(tu_ctx, hive, 0, &s), MAPIPROF_OK);
	cr_assert_eq(s->ops->root(s, &root), MAPIPROF_OK);
	cr_assert_eq(mp_store_path(s, root, WMS_PROFILES "\\Exchange\\" GLOBAL, &nk), MAPIPROF_OK);
	mp_store_close(s);
	cr_assert_neq(nk, 0);
	struct mp_value_change op = {"big", 0, MP_REG_BINARY, v_long, sizeof(v_long)};
	struct mp_key_change k = {.key = nk, .uid = GLOBAL, .ops = &op, .nops = 1};
	int fd = open(hive, O_RDWR), done = 0;
	cr_assert_geq(fd, 0);
	cr_assert_eq(mp_regf_patch(tu_ctx, fd, &k, 1, &done), MAPIPROF_OK);
	cr_assert_eq(done, 1);
	struct mp_regf_base b;
	struct mp_regf_vk vk;
	uint64_t at = vk_offset(fd, nk, "big");
	cr_assert_eq(mp_regf_base_read(tu_ctx, fd, &b), MAPIPROF_OK);
	struct mp_regf_cells c = {tu_ctx, fd, b.bins, NULL};
	cr_assert_eq(mp_regf_cells_vk(&c, "t", (uint32_t)(at - MP_REGF_BASE_BLOCK), &vk),
	             MAPIPROF_OK);
	uint64_t d = (uint64_t)vk.doff + MP_REGF_BASE_BLOCK;
	uint8_t cells[48] = {0};
	cells[0] = 0xf0, cells[1] = cells[2] = cells[3] = 0xff; /* -16: the db record */
	memcpy(cells + 4, "db", 2);
	cells[6] = 1; /* one segment */
	uint32_t list = vk.doff + 16u, seg = vk.doff + 24u;
	for (int i = 0; i < 4; i++) {
		cells[8 + i] = (uint8_t)(list >> (8 * i));
		cells[20 + i] = (uint8_t)(seg >> (8 * i));
	}
	cells[16] = 0xf8, cells[17] = cells[18] = cells[19] = 0xff; /* -8: the list */
	cells[24] = 0xe8, cells[25] = cells[26] = cells[27] = 0xff; /* -24: the segment */
	memcpy(cells + 28, big16, sizeof(big16));
	cr_assert_eq(pwrite(fd, cells, sizeof(cells), (off_t)d), (ssize_t)sizeof(cells));
	put_le32(fd, at + MP_VK_DLEN, sizeof(big16));
	cr_assert_eq(close(fd), 0);
}

/* Stages exchange-mapi.dat with the big-data value, keeps a reference
 * copy, opens it and plans the GC fix. */
static char *
open_exchange_db(struct tu_plan *h, char **ref)
{
	char *hive = stage_built(EXCHANGE);
	add_db_value(hive);
	*ref = keep_ref(hive);
	tu_open(hive);
	gc_plan(h, tu_profile("Exchange"));
	return hive;
}

Test(commit, a_big_data_value_in_a_patched_key_is_verified_by_hivex)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange_db(&h, &ref);
	const struct mapiprof_prop *p = NULL;
	patch_done = 0;
	cr_assert_eq(write_plan_io(&h, NULL, &(struct mp_commit_io){.patch = count_patch}),
	             MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(patch_done, 1, "the in-place patcher wrote the file");
	assert_hivex_reads(&h.plan, hive);
	tu_assert_listing("w", HIVE);
	tu_open(hive);
	size_t prof = tu_profile("Exchange");
	p = tu_prop(prof, tu_section(prof, GLOBAL), "big");
	cr_assert_eq(p->len, sizeof(big16), "big: %zu bytes", p->len);
	cr_assert_arr_eq(p->data, big16, sizeof(big16));
	free(hive);
	free(ref);
}

Test(commit, a_big_data_value_in_a_patched_key_still_fails_verify_on_wrong_bytes)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange_db(&h, &ref);
	cr_assert_eq(write_plan_io(&h, NULL, &(struct mp_commit_io){.patch = corrupt_data_patch}),
	             MAPIPROF_FAILED);
	assert_error(MAPIPROF_E_VERIFY, "00036604");
	assert_untouched(hive, ref, HIVE);
	free(hive);
	free(ref);
}

Test(commit, fast_path_verify_catches_a_changed_key_cell)
{
	fail_verify(&(struct mp_commit_io){.patch = corrupt_nk_patch}, NULL,
	            "its key cell changed");
}

Test(commit, fast_path_verify_catches_a_lowered_largest_data_field)
{
	fail_verify(&(struct mp_commit_io){.patch = lower_maxdata_patch}, NULL,
	            "its key cell changed");
}

Test(commit, fast_path_verify_catches_a_broken_new_bin)
{
	const struct mp_value_change grow = {"00036660", 0, MP_REG_BINARY, v_long, sizeof(v_long)};
	fail_verify(&(struct mp_commit_io){.patch = break_bin_patch}, &grow, "hbin");
}

Test(commit, failed_directory_sync_is_reported_after_the_rename)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	cr_assert_eq(write_plan_io(&h, NULL, &(struct mp_commit_io){.fsync_dir = fail_fsync_dir}),
	             MAPIPROF_FAILED);
	assert_error(MAPIPROF_E_IO, "in place");
	assert_hivex_reads(&h.plan, hive);
	tu_assert_listing("w", HIVE);
	free(hive);
	free(ref);
}

Test(commit, unwritable_directory_is_a_clean_error)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	char *dir = tu_tmp_path("w");
	int root = geteuid() == 0;
	cr_assert_eq(chmod(tu_tmp, 0755), 0);
	cr_assert_eq(chmod(dir, 0555), 0);
	cr_assert_eq(chmod(hive, 0644), 0);
	cr_assert_eq(root ? seteuid(65534) : 0, 0, "cannot drop to nobody");
	int rc = write_plan(&h, NULL);
	cr_assert_eq(root ? seteuid(0) : 0, 0);
	cr_assert_eq(chmod(dir, 0755), 0);
	cr_assert_eq(rc, MAPIPROF_FAILED);
	assert_error(MAPIPROF_E_IO, "temporary file");
	cr_assert_eq(mapiprof_errno(tu_ctx), EACCES);
	assert_untouched(hive, ref, HIVE);
	free(dir);
	free(hive);
	free(ref);
}

Test(commit, missing_output_directory_is_a_clean_error)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	char *out = tu_tmp_path("nowhere/out.dat");
	struct mapiprof_write_opts opts = {.output = out};
	cr_assert_eq(write_plan(&h, &opts), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errno(tu_ctx), ENOENT);
	assert_untouched(hive, ref, HIVE);
	free(out);
	free(hive);
	free(ref);
}

Test(commit, symbolic_link_target_is_refused)
{
	struct tu_plan h;
	char *hive = stage_built(EXCHANGE), *ref = keep_ref(hive);
	char *link = tu_tmp_path("w/link.dat");
	cr_assert_eq(symlink(HIVE, link), 0);
	tu_open(link);
	gc_plan(&h, tu_profile("Exchange"));
	cr_assert_eq(write_plan(&h, NULL), MAPIPROF_FAILED);
	assert_error(MAPIPROF_E_INVALID, "symbolic link");
	assert_untouched(hive, ref, HIVE "|link.dat");
	free(link);
	free(hive);
	free(ref);
}

Test(commit, file_changed_after_open_is_refused)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	struct timespec t[2] = {{1500000000, 0}, {1500000000, 0}};
	cr_assert_eq(utimensat(AT_FDCWD, hive, t, 0), 0);
	cr_assert_eq(write_plan(&h, NULL), MAPIPROF_FAILED);
	assert_error(MAPIPROF_E_UNSAFE, "changed");
	assert_untouched(hive, ref, HIVE);
	free(hive);
	free(ref);
}

/* ---- dirty hives and logs ------------------------------------------------ */

/* A plan on the regipy hive's Outlook profile: one value set in place. */
static void
regipy_plan(struct tu_plan *h, size_t p)
{
	memset(h, 0, sizeof(*h));
	hp_add(h, p, OUTLOOK, "00030429", 0, v_nine, 4);
}

Test(commit, dirty_hive_is_refused_naming_both_sequence_numbers)
{
	char *src = tu_fixture_src(REGIPY);
	char *hive = stage_in_w(src), *ref = keep_ref(hive);
	tu_open(hive);
	cr_assert_eq(mapiprof_write_check(tu_file), MAPIPROF_FAILED);
	assert_error(MAPIPROF_E_UNSAFE, "primary 29989, secondary 29988");
	assert_error(MAPIPROF_E_UNSAFE, "Windows ignore");
	struct tu_plan h;
	regipy_plan(&h, tu_profile("Outlook"));
	cr_assert_eq(write_plan(&h, NULL), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_UNSAFE);
	assert_untouched(hive, ref, HIVE);
	free(ref);
	free(hive);
	free(src);
}

Test(commit, force_writes_a_dirty_hive_through_hivex)
{
	/* Rewriting and checking the 6.5 MB hive takes some 40 s under
	 * AddressSanitizer; the sanitizer build's quick run covers forced writes and
	 * the hivex path on the small fixtures. */
	if (TU_UNDER_ASAN && !tu_long_mode())
		cr_skip_test("the 6.5 MB hive runs in the sanitizer build's long mode only "
		             "(tests/run.sh --long)");
	char *src = tu_fixture_src(REGIPY);
	char *hive = stage_in_w(src), *ref = keep_ref(hive);
	tu_open(hive);
	struct tu_plan h;
	regipy_plan(&h, tu_profile("Outlook"));
	struct mapiprof_write_opts opts = {.force = 1};
	cr_assert_eq(write_plan_io(&h, &opts, &(struct mp_commit_io){.patch = count_patch}),
	             MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(patch_done, 0, "the patcher declines a dirty hive");
	/* regfexport takes seconds on this 6 MiB hive: reglookup only. */
	assert_reglookup_planned(&h.plan, ref, hive);
	assert_hivex_reads(&h.plan, hive);
	assert_clean(hive, 29990);
	free(ref);
	free(hive);
	free(src);
}

/* Writes path with len bytes of data (NULL: zeros) and the given mtime. */
static void
write_log(const char *path, const void *data, size_t len, time_t mtime)
{
	char *buf = calloc(1, len + 1);
	cr_assert_not_null(buf);
	if (data != NULL)
		memcpy(buf, data, len);
	cr_assert_eq(tu_write(path, buf, len), 0);
	struct timespec t[2] = {{mtime, 0}, {mtime, 0}};
	cr_assert_eq(utimensat(AT_FDCWD, path, t, 0), 0);
	free(buf);
}

Test(commit, clean_hive_with_a_newer_log1_is_refused_and_force_writes)
{
	char *hive = stage_built(EXCHANGE);
	size_t n = 0;
	char *bytes = tu_read(hive, &n);
	char *log = tu_tmp_path("w/" HIVE ".LOG1");
	/* Its base block carries the hive's own sequence number: started no
	 * earlier than the hive's last write (hiveinfo.c read_log). */
	write_log(log, bytes, 8192, 1500000000);
	tu_open(hive);
	cr_assert_eq(mapiprof_write_check(tu_file), MAPIPROF_FAILED);
	assert_error(MAPIPROF_E_UNSAFE, "may live only in " HIVE ".LOG1");
	struct tu_plan h;
	gc_plan(&h, tu_profile("Exchange"));
	cr_assert_eq(write_plan(&h, NULL), MAPIPROF_FAILED);
	tu_assert_file_is(hive, bytes, n);
	struct mapiprof_write_opts opts = {.force = 1};
	cr_assert_eq(write_plan(&h, &opts), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	assert_hivex_reads(&h.plan, hive);
	tu_assert_listing("w", HIVE "|" HIVE ".LOG1");
	free(log);
	free(bytes);
	free(hive);
}

Test(commit, log_modified_after_the_hive_is_refused)
{
	char *hive = stage_built(EXCHANGE);
	struct timespec t[2] = {{1500000000, 0}, {1500000000, 0}};
	cr_assert_eq(utimensat(AT_FDCWD, hive, t, 0), 0);
	char *log = tu_tmp_path("w/" HIVE ".log2");
	write_log(log, NULL, 4096, 1600000000);
	tu_open(hive);
	cr_assert_eq(mapiprof_write_check(tu_file), MAPIPROF_FAILED);
	assert_error(MAPIPROF_E_UNSAFE, "modified after the hive");
	free(log);
	free(hive);
}

Test(commit, older_or_empty_logs_do_not_block_a_write)
{
	char *hive = stage_built(EXCHANGE);
	struct timespec t[2] = {{1600000000, 0}, {1600000000, 0}};
	cr_assert_eq(utimensat(AT_FDCWD, hive, t, 0), 0);
	char *log1 = tu_tmp_path("w/" HIVE ".LOG1"), *log2 = tu_tmp_path("w/" HIVE ".LOG2");
	write_log(log1, NULL, 4096, 1500000000); /* older, no base block */
	write_log(log2, NULL, 0, 1700000000);    /* newer, but empty */
	tu_open(hive);
	cr_assert_eq(mapiprof_write_check(tu_file), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	struct tu_plan h;
	gc_plan(&h, tu_profile("Exchange"));
	cr_assert_eq(write_plan(&h, NULL), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	tu_assert_listing("w", HIVE "|" HIVE ".LOG1|" HIVE ".LOG2");
	free(log1);
	free(log2);
	free(hive);
}

/* ---- open flags, inspect fields, platform ------------------------------- */

Test(commit, open_hashes_only_when_asked_and_fills_mtime_and_mode)
{
	char *hive = stage_built(EXCHANGE);
	struct mapiprof_file *f = NULL;
	cr_assert_eq(mapiprof_open(tu_ctx, hive, MAPIPROF_OPEN_NO_HASH, &f), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	const struct mapiprof_info *info = mapiprof_file_info(f);
	cr_assert_str_eq(info->sha256, "");
	cr_assert_eq(info->mode, 0640u);
	cr_assert_eq(info->mtime_ns, tu_mtime_ns(hive));
	mapiprof_close(f);
	/* Then on demand. */
	cr_assert_eq(mapiprof_open(tu_ctx, hive, MAPIPROF_OPEN_NO_HASH, &f), MAPIPROF_OK);
	const char *sha = mapiprof_file_sha256(f);
	cr_assert_not_null(sha, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(strlen(sha), 64u);
	cr_assert_str_eq(mapiprof_file_info(f)->sha256, sha);
	/* Without flags the info has it when mapiprof_open returns, as in
	 * 0.1.0 (a caller built then reads the field). */
	tu_open(hive);
	cr_assert_str_eq(mapiprof_file_info(tu_file)->sha256, sha);
	mapiprof_close(f);
	cr_assert_eq(mapiprof_open(tu_ctx, hive, 0x80, &f), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_INVALID);
	free(hive);
}

Test(commit, inspect_gives_each_log_its_mtime)
{
	char *hive = stage_built(EXCHANGE);
	char *log = tu_tmp_path("w/" HIVE ".LOG1");
	write_log(log, NULL, 600, 1500000000);
	struct mapiprof_info *info = NULL;
	cr_assert_eq(mapiprof_inspect(tu_ctx, hive, &info), MAPIPROF_OK);
	cr_assert_eq(info->nlogs, 1u);
	cr_assert_eq(info->logs[0].mtime_ns, INT64_C(1500000000) * 1000000000);
	mapiprof_info_free(info);
	free(log);
	free(hive);
}

Test(commit, copy_reports_a_short_input_as_truncated)
{
	char *a = tu_tmp_write("a", "0123456789", 10);
	char *b = tu_tmp_path("b");
	int in = open(a, O_RDONLY), out = open(b, O_RDWR | O_CREAT | O_EXCL, 0600);
	cr_assert(in >= 0 && out >= 0);
	cr_assert_eq(mp_copy_fd(tu_ctx, in, out, 10, NULL), MAPIPROF_OK);
	tu_assert_file_is(b, "0123456789", 10);
	cr_assert_eq(mp_copy_fd(tu_ctx, in, out, 20, NULL), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_TRUNCATED);
	close(in);
	close(out);
	free(a);
	free(b);
}

/* len bytes of a pattern that differs from page to page (malloc'd); *sum
 * their sum. */
static uint8_t *
patterned(size_t len, uint64_t *sum)
{
	uint8_t *data = malloc(len);
	cr_assert_not_null(data);
	*sum = 0;
	for (size_t i = 0; i < len; i++) {
		data[i] = (uint8_t)(i * 7u + i / 4096u);
		*sum += data[i];
	}
	return data;
}

/* mp_copy_span appends a range of the input at the output's position
 * (which moves past it), however long, and reports a short input. */
Test(commit, copy_span_appends_a_range_at_the_output_position)
{
	size_t len = 3u * 1024u * 1024u + 77u;
	uint64_t sum = 0;
	uint8_t *data = patterned(len, &sum);
	char *a = tu_tmp_write("a", data, len);
	char *b = tu_tmp_path("b");
	int in = open(a, O_RDONLY), out = open(b, O_RDWR | O_CREAT | O_EXCL, 0600);
	cr_assert(in >= 0 && out >= 0);
	size_t from = 4099, n = len - 2 * 4099;
	cr_assert_eq(write(out, "XY", 2), 2);
	cr_assert_eq(mp_copy_span(tu_ctx, in, from, out, n), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(write(out, "Z", 1), 1);
	cr_assert_eq(mp_copy_span(tu_ctx, in, 3, out, 5), MAPIPROF_OK);
	cr_assert_eq(lseek(in, 0, SEEK_CUR), 0, "the input's position moved");
	size_t got_len = 0;
	uint8_t *got = (uint8_t *)tu_read(b, &got_len);
	cr_assert_eq(got_len, 2 + n + 1 + 5);
	cr_assert(memcmp(got, "XY", 2) == 0);
	cr_assert(memcmp(got + 2, data + from, n) == 0);
	cr_assert_eq(got[2 + n], 'Z');
	cr_assert(memcmp(got + 3 + n, data + 3, 5) == 0);
	cr_assert_eq(mp_copy_span(tu_ctx, in, len - 10, out, 20), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_TRUNCATED, "%s", mapiprof_errmsg(tu_ctx));
	close(in);
	close(out);
	free(got), free(data), free(a), free(b);
}

/* What a watch saw of a copy: where the pieces began, how many bytes it
 * saw, and their sum; it refuses the piece at refuse_at (UINT64_MAX:
 * none). */
struct seen {
	uint64_t next, bytes, sum, refuse_at;
	unsigned pieces;
};

static int
see_piece(void *arg, const uint8_t *p, size_t len, uint64_t off)
{
	struct seen *s = arg;
	cr_assert_eq(off, s->next, "piece at %llu, expected %llu", (unsigned long long)off,
	             (unsigned long long)s->next);
	cr_assert_eq(off % 4096u, 0u);
	s->next = off + len;
	s->bytes += len;
	s->pieces++;
	for (size_t i = 0; i < len; i++)
		s->sum += p[i];
	if (off == s->refuse_at) {
		mp_seterr(tu_ctx, MAPIPROF_E_FORMAT, "refused at %llu", (unsigned long long)off);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

/* A watched copy shows every byte once, in order, in pieces starting at
 * multiples of 4096, and writes them all; a refused piece stops it before
 * that piece is written, with the watch's error. */
Test(commit, a_watched_copy_shows_every_byte_once_and_stops_where_refused)
{
	size_t len = 3u * 1024u * 1024u + 100u;
	uint64_t sum = 0;
	uint8_t *data = patterned(len, &sum);
	char *a = tu_tmp_write("a", data, len);
	char *b = tu_tmp_path("b"), *c = tu_tmp_path("c");
	int in = open(a, O_RDONLY), out = open(b, O_RDWR | O_CREAT | O_EXCL, 0600);
	cr_assert(in >= 0 && out >= 0);
	struct seen s = {.refuse_at = UINT64_MAX};
	struct mp_copy_watch w = {see_piece, &s};
	cr_assert_eq(mp_copy_fd(tu_ctx, in, out, len, &w), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(s.bytes, len);
	cr_assert_eq(s.sum, sum);
	cr_assert_gt(s.pieces, 1u);
	tu_assert_file_is(b, (const char *)data, len);
	close(out);

	out = open(c, O_RDWR | O_CREAT | O_EXCL, 0600);
	cr_assert(out >= 0);
	s = (struct seen){.refuse_at = 1024u * 1024u};
	cr_assert_eq(mp_copy_fd(tu_ctx, in, out, len, &w), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_FORMAT);
	cr_assert_str_eq(mapiprof_errmsg(tu_ctx), "refused at 1048576");
	struct stat st;
	cr_assert_eq(fstat(out, &st), 0);
	cr_assert_eq(st.st_size, 1024 * 1024, "the refused piece was written (%lld bytes)",
	             (long long)st.st_size);
	tu_assert_file_is(c, (const char *)data, 1024u * 1024u);
	close(out);
	close(in);
	free(data);
	free(a);
	free(b);
	free(c);
}

Test(commit, temp_files_are_created_exclusively_with_the_given_mode)
{
	struct mp_file_attr like = {
	    .mode = 0604, .uid = (uint32_t)geteuid(), .gid = (uint32_t)getegid()};
	char *p1 = NULL, *p2 = NULL;
	int f1 = -1, f2 = -1;
	cr_assert_eq(mp_temp_create(tu_ctx, tu_tmp, HIVE, &like, &p1, &f1), MAPIPROF_OK);
	cr_assert_eq(mp_temp_create(tu_ctx, tu_tmp, HIVE, &like, &p2, &f2), MAPIPROF_OK);
	cr_assert_str_neq(p1, p2);
	char *want = tu_tmp_path("." HIVE ".mapiprof-");
	cr_assert_eq(strncmp(p1, want, strlen(want)), 0, "%s", p1);
	cr_assert_eq(strlen(p1), strlen(want) + 6);
	struct stat st;
	cr_assert_eq(fstat(f1, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0604u);
	close(f1);
	close(f2);
	free(want);
	free(p1);
	free(p2);
}

/* ---- what a file system cannot keep ------------------------------------ */

/* A FUSE mount (wimmountrw without --unix-data) refuses chown with ENOTSUP,
 * vfat refuses chmod with EPERM. */
static int
chown_enotsup(int fd, uint32_t uid, uint32_t gid)
{
	(void)fd, (void)uid, (void)gid;
	return ENOTSUP;
}

static int
chmod_eperm(int fd, uint32_t mode)
{
	(void)fd, (void)mode;
	return EPERM;
}

static int
chown_eio(int fd, uint32_t uid, uint32_t gid)
{
	(void)fd, (void)uid, (void)gid;
	return EIO;
}

/* The owner of the original, as no process here can give a file: the
 * write goes ahead and the note says what was not kept. */
static void
chown_original(const char *hive, uid_t uid, gid_t gid)
{
	cr_assert_eq(chown(hive, uid, gid), 0, "chown: %s", strerror(errno));
}

Test(commit, owner_a_file_system_cannot_keep_is_a_note_not_a_failure)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	if (geteuid() != 0)
		cr_skip_test("needs root to give the original another owner");
	chown_original(hive, 4242, 4343);
	cr_assert_eq(write_plan_io(&h, NULL, &(struct mp_commit_io){.chown = chown_enotsup}),
	             MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	const char *note = mapiprof_note(tu_ctx);
	cr_assert(strstr(note, "the owner (uid 4242, gid 4343) of '") != NULL, "%s", note);
	cr_assert(strstr(note, "was not kept (Operation not supported)") != NULL, "%s", note);
	assert_hivex_reads(&h.plan, hive);
	tu_assert_listing("w", HIVE);
	struct stat st;
	cr_assert_eq(stat(hive, &st), 0);
	cr_assert_eq(st.st_uid, 0, "the new file keeps the writer's owner");
	free(hive);
	free(ref);
}

Test(commit, permissions_a_file_system_cannot_keep_are_a_note)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	cr_assert_eq(chmod(hive, 0640), 0);
	cr_assert_eq(write_plan_io(&h, NULL, &(struct mp_commit_io){.chmod = chmod_eperm}),
	             MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	const char *note = mapiprof_note(tu_ctx);
	cr_assert(strstr(note, "the permissions (0640) of '") != NULL, "%s", note);
	cr_assert(strstr(note, "the new file has mode 0600") != NULL, "%s", note);
	assert_hivex_reads(&h.plan, hive);
	free(hive);
	free(ref);
}

Test(commit, a_write_that_keeps_everything_leaves_no_note)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	cr_assert_eq(write_plan(&h, NULL), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_str_empty(mapiprof_note(tu_ctx));
	free(hive);
	free(ref);
}

Test(commit, other_chown_errors_still_fail_cleanly)
{
	fail_with(&(struct mp_commit_io){.chown = chown_eio}, NULL, MAPIPROF_E_IO);
	cr_assert_eq(mapiprof_errno(tu_ctx), EIO);
}

/* ---- a target replaced or changed while it is written ------------------- */

/* The target and what happens to it during the temporary file's fsync
 * (after the file was read and planned, before the backup and rename). */
static const char *meddle_target;
static int meddle_replace; /* 1: another file renamed over it; 0: appended to */

static int
meddle_fsync(struct mapiprof_ctx *ctx, int fd)
{
	if (meddle_target != NULL) {
		char *other = tu_tmp_path("w/other");
		if (meddle_replace) {
			cr_assert_eq(tu_write(other, "replacement", 11), 0);
			cr_assert_eq(rename(other, meddle_target), 0);
		} else {
			int f = open(meddle_target, O_WRONLY | O_APPEND);
			cr_assert_geq(f, 0);
			cr_assert_eq(write(f, "x", 1), 1);
			close(f);
		}
		free(other);
		meddle_target = NULL;
	}
	return mp_commit_default_io()->fsync(ctx, fd);
}

/* The target is left as the other program made it, with no backup and no
 * temporary file, and the error says what happened. */
static void
assert_meddling_wins(int replace, const char *backup)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	meddle_target = hive;
	meddle_replace = replace;
	struct mapiprof_write_opts opts = {.backup_suffix = backup};
	cr_assert_eq(write_plan_io(&h, &opts, &(struct mp_commit_io){.fsync = meddle_fsync}),
	             MAPIPROF_FAILED);
	cr_assert_null(meddle_target, "the hook did not run");
	assert_error(MAPIPROF_E_UNSAFE,
	             replace ? "another file was put in its place" : "the file was changed");
	size_t len = 0;
	char *now = tu_read(hive, &len);
	cr_assert_not_null(now);
	if (replace)
		cr_assert(len == 11 && memcmp(now, "replacement", 11) == 0, "overwritten");
	else
		cr_assert_eq(len, tu_file_size(ref) + 1, "overwritten");
	free(now);
	tu_assert_listing("w", HIVE);
	free(hive);
	free(ref);
}

Test(commit, a_target_replaced_while_written_is_left_as_it_is)
{
	assert_meddling_wins(1, NULL);
}

Test(commit, a_target_replaced_before_its_backup_is_left_as_it_is)
{
	assert_meddling_wins(1, ".bak");
}

Test(commit, a_target_changed_in_place_while_written_is_left_as_it_is)
{
	assert_meddling_wins(0, NULL);
}

/* ---- the temporary file, and what killed writers leave ----------------- */

#define TEMP_PREFIX "." HIVE ".mapiprof-"

/* Whether the file system of tu_tmp has unnamed files (O_TMPFILE). */
static int
unnamed_files_here(void)
{
	int fd = -1;
	char *reopen = NULL;
	int ok = mp_temp_open_unnamed(tu_ctx, tu_tmp, &fd, &reopen) == MAPIPROF_OK;
	mp_close(fd);
	free(reopen);
	return ok;
}

/* What the temporary file looked like when it was fsync'd: its link count
 * and the directory's listing. */
static nlink_t temp_links = 99;
static char *temp_listing;

static int
look_at_temp_fsync(struct mapiprof_ctx *ctx, int fd)
{
	struct stat st;
	cr_assert_eq(fstat(fd, &st), 0);
	temp_links = st.st_nlink;
	free(temp_listing);
	temp_listing = tu_listing("w");
	return mp_commit_default_io()->fsync(ctx, fd);
}

static int
unnamed_unsupported(struct mapiprof_ctx *ctx, const char *dir, int *fd, char **reopen)
{
	(void)dir;
	*fd = -1;
	*reopen = NULL;
	mp_seterr_errno(ctx, EOPNOTSUPP, "injected: no O_TMPFILE here");
	return MAPIPROF_FAILED;
}

static int
unnamed_eio(struct mapiprof_ctx *ctx, const char *dir, int *fd, char **reopen)
{
	(void)dir;
	*fd = -1;
	*reopen = NULL;
	mp_seterr_errno(ctx, EIO, "injected unnamed file failure");
	return MAPIPROF_FAILED;
}

static int link_unnamed_calls;

static int
fail_link_unnamed(struct mapiprof_ctx *ctx, const char *reopen, const char *to)
{
	(void)reopen, (void)to;
	link_unnamed_calls++;
	mp_seterr_errno(ctx, EIO, "injected failure to name the new file");
	return MAPIPROF_FAILED;
}

static int
count_link_unnamed(struct mapiprof_ctx *ctx, const char *reopen, const char *to)
{
	link_unnamed_calls++;
	return mp_commit_default_io()->link_unnamed(ctx, reopen, to);
}

/* Opens hive with the writer lock, as the CLI's writers do. */
static void
open_locked(const char *hive)
{
	mapiprof_close(tu_file);
	tu_file = NULL;
	cr_assert_eq(mapiprof_open(tu_ctx, hive, MAPIPROF_OPEN_LOCK, &tu_file), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
}

Test(commit, the_temporary_file_has_no_name_until_the_rename)
{
	if (!unnamed_files_here())
		cr_skip_test("the file system of %s has no unnamed files (O_TMPFILE)", tu_tmp);
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	cr_assert_eq(write_plan_io(&h, NULL,
	                           &(struct mp_commit_io){.fsync = look_at_temp_fsync,
	                                                  .link_unnamed = count_link_unnamed}),
	             MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(temp_links, 0, "the temporary file had %u names", (unsigned)temp_links);
	cr_assert_str_eq(temp_listing, HIVE);
	cr_assert_eq(link_unnamed_calls, 1);
	assert_written(&h.plan, ref, hive, 2);
	tu_assert_listing("w", HIVE);
	free(temp_listing);
	temp_listing = NULL;
	free(hive);
	free(ref);
}

Test(commit, without_unnamed_files_a_named_temporary_file_is_used)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	cr_assert_eq(write_plan_io(&h, NULL,
	                           &(struct mp_commit_io){.open_unnamed = unnamed_unsupported,
	                                                  .fsync = look_at_temp_fsync,
	                                                  .link_unnamed = count_link_unnamed}),
	             MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(temp_links, 1);
	cr_assert(strncmp(temp_listing, HIVE "|", strlen(HIVE) + 1) != 0 &&
	              strstr(temp_listing, TEMP_PREFIX) == temp_listing,
	          "%s", temp_listing);
	cr_assert_eq(link_unnamed_calls, 0);
	assert_written(&h.plan, ref, hive, 2);
	tu_assert_listing("w", HIVE);
	free(temp_listing);
	temp_listing = NULL;
	free(hive);
	free(ref);
}

Test(commit, an_unnamed_file_failing_otherwise_fails_cleanly)
{
	fail_with(&(struct mp_commit_io){.open_unnamed = unnamed_eio}, NULL, MAPIPROF_E_IO);
	cr_assert_eq(mapiprof_errno(tu_ctx), EIO);
}

Test(commit, failing_to_name_the_new_file_leaves_the_original_and_nothing_else)
{
	if (!unnamed_files_here())
		cr_skip_test("the file system of %s has no unnamed files (O_TMPFILE)", tu_tmp);
	fail_with(&(struct mp_commit_io){.link_unnamed = fail_link_unnamed}, NULL, MAPIPROF_E_IO);
	cr_assert_eq(link_unnamed_calls, 1);
	cr_assert_eq(mapiprof_errno(tu_ctx), EIO);
}

static int
die_in_fsync(struct mapiprof_ctx *ctx, int fd)
{
	(void)ctx, (void)fd;
	raise(SIGKILL);
	return MAPIPROF_FAILED;
}

/* A child process opens hive locked and writes the GC plan with io, which
 * kills it (SIGKILL) part way. */
static void
killed_writer(const char *hive, const struct mp_commit_io *io)
{
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct tu_plan h;
		mapiprof_close(tu_file);
		tu_file = NULL;
		if (mapiprof_open(tu_ctx, hive, MAPIPROF_OPEN_LOCK, &tu_file) != MAPIPROF_OK)
			_exit(3);
		gc_plan(&h, tu_profile("Exchange"));
		mp_commit_set_io(io);
		write_plan(&h, NULL);
		_exit(4);
	}
	int status = 0;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status 0x%x", status);
}

Test(commit, a_writer_killed_before_the_rename_leaves_nothing_behind)
{
	if (!unnamed_files_here())
		cr_skip_test("the file system of %s has no unnamed files (O_TMPFILE)", tu_tmp);
	char *ref = NULL, *hive = open_exchange_ref(&ref);
	killed_writer(hive, &(struct mp_commit_io){.fsync = die_in_fsync});
	assert_untouched(hive, ref, HIVE);
	free(hive);
	free(ref);
}

/* The single leftover of a killed writer without unnamed files. */
static void
assert_one_leftover(void)
{
	char *now = tu_listing("w");
	cr_assert(strncmp(now, TEMP_PREFIX, strlen(TEMP_PREFIX)) == 0, "%s", now);
	cr_assert_str_eq(now + strlen(TEMP_PREFIX) + 6, "|" HIVE, "%s", now);
	free(now);
}

Test(commit, the_next_locked_write_removes_a_killed_writers_temporary_file)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange_ref(&ref);
	killed_writer(hive, &(struct mp_commit_io){.open_unnamed = unnamed_unsupported,
	                                           .fsync = die_in_fsync});
	tu_assert_same_file(hive, ref);
	assert_one_leftover();
	open_locked(hive);
	gc_plan(&h, tu_profile("Exchange"));
	cr_assert_eq(write_plan(&h, NULL), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	const char *note = mapiprof_note(tu_ctx);
	cr_assert(strstr(note, "removed 1 temporary file that an interrupted earlier write left "
	                       "beside '") != NULL &&
	              strstr(note, "(" TEMP_PREFIX) != NULL,
	          "%s", note);
	tu_assert_listing("w", HIVE);
	assert_written(&h.plan, ref, hive, 2);
	free(hive);
	free(ref);
}

/* Puts a file named name (in w) there, with no writer holding it. */
static void
put_in_w(const char *name)
{
	char rel[512];
	snprintf(rel, sizeof(rel), "w/%s", name);
	free(tu_tmp_write(rel, "left", 4));
}

/* Writes the GC plan on the staged hive opened with open_flags and opts;
 * the write succeeds. */
static void
write_gc(const char *hive, unsigned open_flags, const struct mapiprof_write_opts *opts)
{
	struct tu_plan h;
	mapiprof_close(tu_file);
	tu_file = NULL;
	cr_assert_eq(mapiprof_open(tu_ctx, hive, open_flags, &tu_file), MAPIPROF_OK);
	gc_plan(&h, tu_profile("Exchange"));
	cr_assert_eq(write_plan(&h, opts), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
}

Test(commit, temporary_names_are_recognised_also_when_the_base_is_cut)
{
	char base[256];
	/* Short; the longest kept whole; cut, where the cut falls inside a
	 * 2-byte UTF-8 character (\xc3\xa9 from offset 1 on). */
	static const size_t lens[] = {11, 239, 251};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		base[0] = 'a';
		for (size_t j = 1; j < lens[i]; j += 2)
			memcpy(base + j, "\xc3\xa9", 2);
		base[lens[i]] = '\0';
		char *p = mp_temp_path("d", base), *name = mp_path_base(p);
		cr_assert_leq(strlen(name), 255u);
		cr_assert(mp_temp_name_of(name, base), "%zu: %s", lens[i], name);
		base[0] = 'b';
		cr_assert(!mp_temp_name_of(name, base), "%zu", lens[i]);
		free(name);
		free(p);
	}
}

Test(commit, a_live_writers_temporary_file_is_left_alone)
{
	char *hive = stage_built(EXCHANGE), *dir = tu_tmp_path("w"), *live = NULL;
	int fd = -1;
	cr_assert_eq(mp_temp_create(tu_ctx, dir, HIVE, NULL, &live, &fd), MAPIPROF_OK);
	write_gc(hive, MAPIPROF_OPEN_LOCK, NULL);
	cr_assert(tu_exists(live), "a live writer's file was removed");
	cr_assert_str_empty(mapiprof_note(tu_ctx));
	close(fd);
	free(live);
	free(dir);
	free(hive);
}

Test(commit, only_our_own_regular_files_named_exactly_as_the_targets_are_removed)
{
	char *hive = stage_built(EXCHANGE);
	put_in_w(TEMP_PREFIX "dead12");         /* removed */
	put_in_w(TEMP_PREFIX "Dead34");         /* removed */
	put_in_w(TEMP_PREFIX "short");          /* 5 letters */
	put_in_w(TEMP_PREFIX "toolong");        /* 7 */
	put_in_w(TEMP_PREFIX "dot.12");         /* not a letter or digit */
	put_in_w(".OTHER.DAT.mapiprof-abcdef"); /* another file's */
	put_in_w("NTUSER.DAT.mapiprof-abcdef"); /* no leading dot */
	char *d = tu_tmp_path("w/" TEMP_PREFIX "dir123");
	cr_assert_eq(mkdir(d, 0700), 0);
	char *l = tu_tmp_path("w/" TEMP_PREFIX "lnk123");
	cr_assert_eq(symlink("elsewhere", l), 0);
	const char *kept = TEMP_PREFIX
	    "dir123|" TEMP_PREFIX "dot.12|" TEMP_PREFIX "lnk123|" TEMP_PREFIX "short|" TEMP_PREFIX
	    "toolong|.OTHER.DAT.mapiprof-abcdef|" HIVE "|NTUSER.DAT.mapiprof-abcdef";
	if (geteuid() == 0) {
		put_in_w(TEMP_PREFIX "own123");
		char *o = tu_tmp_path("w/" TEMP_PREFIX "own123");
		cr_assert_eq(chown(o, 4242, 4242), 0);
		free(o);
		kept = TEMP_PREFIX "dir123|" TEMP_PREFIX "dot.12|" TEMP_PREFIX "lnk123|" TEMP_PREFIX
		                   "own123|" TEMP_PREFIX "short|" TEMP_PREFIX
		                   "toolong|.OTHER.DAT.mapiprof-abcdef|" HIVE
		                   "|NTUSER.DAT.mapiprof-abcdef";
	}
	write_gc(hive, MAPIPROF_OPEN_LOCK, NULL);
	tu_assert_listing("w", kept);
	cr_assert(strstr(mapiprof_note(tu_ctx), "removed 2 temporary files") != NULL, "%s",
	          mapiprof_note(tu_ctx));
	free(d);
	free(l);
	free(hive);
}

Test(commit, a_write_without_the_lock_removes_nothing)
{
	char *hive = stage_built(EXCHANGE);
	put_in_w(TEMP_PREFIX "dead12");
	write_gc(hive, 0, NULL);
	tu_assert_listing("w", TEMP_PREFIX "dead12|" HIVE);
	free(hive);
}

Test(commit, an_output_file_is_not_cleaned_as_it_is_not_locked)
{
	char *hive = stage_built(EXCHANGE), *out = tu_tmp_path("w/out.dat");
	put_in_w(".out.dat.mapiprof-dead12");
	struct mapiprof_write_opts opts = {.output = out};
	write_gc(hive, MAPIPROF_OPEN_LOCK, &opts);
	tu_assert_listing("w", ".out.dat.mapiprof-dead12|" HIVE "|out.dat");
	free(out);
	free(hive);
}

Test(commit, a_killed_writers_backup_copy_is_removed_too)
{
	char *hive = stage_built(EXCHANGE);
	put_in_w("." HIVE ".bak.mapiprof-dead12");
	struct mapiprof_write_opts opts = {.backup_suffix = ".bak"};
	write_gc(hive, MAPIPROF_OPEN_LOCK, &opts);
	tu_assert_listing("w", HIVE "|" HIVE ".bak");
	free(hive);
}

/* ---- more failures: silently short writes, named temporary files ------- */

/* Copies only half, and says it copied all: a short write nobody
 * reported. */
static int
short_copy(struct mapiprof_ctx *ctx, int in, int out, uint64_t size,
           const struct mp_copy_watch *watch)
{
	return mp_copy_fd(ctx, in, out, size / 2, watch);
}

/* hivex writes the whole hive, then the file loses its second half. */
static int
short_write_hive(struct mp_store *s, const char *path)
{
	if (mp_commit_default_io()->write_hive(s, path) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(truncate(path, st.st_size / 2), 0);
	return MAPIPROF_OK;
}

Test(commit, a_silently_short_copy_is_caught_and_leaves_the_original)
{
	/* The patcher finds the copy shorter than the hive it describes. */
	fail_with(&(struct mp_commit_io){.copy = short_copy}, NULL, MAPIPROF_E_TRUNCATED);
}

Test(commit, a_silently_short_hivex_write_fails_verify_and_leaves_the_original)
{
	fail_with(&(struct mp_commit_io){.patch = tu_decline_patch, .write_hive = short_write_hive},
	          NULL, MAPIPROF_E_VERIFY);
}

/* Fails the second fsync: the backup copy's (the temporary file's is the
 * first). */
static int fsync_calls;

static int
fail_second_fsync(struct mapiprof_ctx *ctx, int fd)
{
	if (++fsync_calls == 1)
		return mp_fsync(ctx, fd);
	mp_seterr_errno(ctx, EIO, "injected fsync failure of the backup");
	return MAPIPROF_FAILED;
}

Test(commit, failed_fsync_of_a_backup_copy_leaves_the_original_and_no_temporary_file)
{
	struct mapiprof_write_opts opts = {.backup_suffix = ".bak"};
	tu_fail_link_errno = EPERM; /* no hard links here: the backup is a copy */
	fail_with(&(struct mp_commit_io){.link = tu_fail_link, .fsync = fail_second_fsync}, &opts,
	          MAPIPROF_E_IO);
	cr_assert_eq(fsync_calls, 2);
	assert_error(MAPIPROF_E_IO, "of the backup");
}

/* Each failing step again, with named temporary files (a file system
 * without O_TMPFILE): the named file is removed too. */
static const struct {
	struct mp_commit_io io;
	enum mapiprof_error code;
} named_failures[] = {
    {{.copy = fail_copy}, MAPIPROF_E_IO},
    {{.copy = short_copy}, MAPIPROF_E_TRUNCATED},
    {{.patch = tu_decline_patch, .write_hive = fail_write_hive}, MAPIPROF_E_IO},
    {{.patch = tu_decline_patch, .write_hive = short_write_hive}, MAPIPROF_E_VERIFY},
    {{.fsync = tu_fail_fsync}, MAPIPROF_E_IO},
    {{.rename = tu_fail_rename}, MAPIPROF_E_IO},
    {{.patch = wrong_patch}, MAPIPROF_E_VERIFY},
};

ParameterizedTestParameters(commit, with_named_temporary_files_a_failed_step_leaves_nothing)
{
	return tu_index_params(sizeof(named_failures) / sizeof(named_failures[0]));
}

ParameterizedTest(size_t *i, commit, with_named_temporary_files_a_failed_step_leaves_nothing)
{
	struct mp_commit_io io = named_failures[*i].io;
	io.open_unnamed = unnamed_unsupported;
	io.link_unnamed = fail_link_unnamed;
	fail_with(&io, NULL, named_failures[*i].code);
	cr_assert_eq(link_unnamed_calls, 0);
}

Test(commit, with_named_temporary_files_a_failed_directory_sync_leaves_only_the_new_file)
{
	struct tu_plan h;
	char *ref = NULL, *hive = open_exchange(&h, &ref);
	cr_assert_eq(write_plan_io(&h, NULL,
	                           &(struct mp_commit_io){.open_unnamed = unnamed_unsupported,
	                                                  .fsync_dir = fail_fsync_dir}),
	             MAPIPROF_FAILED);
	assert_error(MAPIPROF_E_IO, "in place");
	assert_hivex_reads(&h.plan, hive);
	tu_assert_listing("w", HIVE);
	free(hive);
	free(ref);
}
