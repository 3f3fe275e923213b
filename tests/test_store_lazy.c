/* test_store_lazy.c - the lazy regf store (regf/lazy.h) against the hivex
 * store (store/hive.c): every key of every fixture hive, real hive, hostile
 * hive and generated big hive walked through both must give the same
 * children in the same order, names, timestamps and values (name, type,
 * bytes), and the same error codes where a read fails; reading a profile of
 * a big hive reads a small part of it; damage off the path read does not
 * stop a read command, damage on it does, naming the file and the offset. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/le.h"
#include "mapiprof/mapiprof.h"
#include "regf/cells.h"
#include "regf/lazy.h"
#include "store/store.h"
#include "testutil.h"

#define WMS_PROFILES                                                                               \
	"Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles"

static void walk_end(void);

TestSuite(store_lazy, .init = tu_setup, .fini = walk_end);

/* ---- the walk ----------------------------------------------------------- */

struct side {
	struct mapiprof_ctx *ctx;
	struct mp_store *s;
};

/* Handles seen (an open-addressing set), the stack of keys to visit, and
 * what was compared. */
struct walk {
	const char *file;
	struct side lazy, hx;
	mp_key *set;
	size_t cap, nset;
	mp_key *stack;
	size_t nstack, stack_cap;
	size_t keys, values, failures;
};

static int
seen_add(struct walk *w, mp_key k)
{
	if (2 * (w->nset + 1) > w->cap) {
		size_t ncap = w->cap ? 2 * w->cap : 1024;
		mp_key *nset = calloc(ncap, sizeof(*nset));
		cr_assert_not_null(nset);
		for (size_t i = 0; i < w->cap; i++)
			if (w->set[i] != 0) {
				size_t j = (size_t)(w->set[i] * 0x9E3779B97F4A7C15u) & (ncap - 1);
				while (nset[j] != 0)
					j = (j + 1) & (ncap - 1);
				nset[j] = w->set[i];
			}
		free(w->set);
		w->set = nset;
		w->cap = ncap;
	}
	size_t j = (size_t)(k * 0x9E3779B97F4A7C15u) & (w->cap - 1);
	while (w->set[j] != 0) {
		if (w->set[j] == k)
			return 0;
		j = (j + 1) & (w->cap - 1);
	}
	w->set[j] = k;
	w->nset++;
	return 1;
}

static void
push(struct walk *w, mp_key k)
{
	if (!seen_add(w, k))
		return;
	if (w->nstack == w->stack_cap) {
		w->stack_cap = w->stack_cap ? 2 * w->stack_cap : 256;
		w->stack = realloc(w->stack, w->stack_cap * sizeof(*w->stack));
		cr_assert_not_null(w->stack);
	}
	w->stack[w->nstack++] = k;
}

/* Both sides' outcomes of one op: the same status and, on failure, the same
 * error code.  Returns 1 when both succeeded. */
static int
same_outcome(struct walk *w, mp_key k, const char *op, int ra, int rb)
{
	cr_assert_eq(ra, rb, "%s: key 0x%llx: %s: lazy %d (%s), hivex %d (%s)", w->file,
	             (unsigned long long)k, op, ra, mapiprof_errmsg(w->lazy.ctx), rb,
	             mapiprof_errmsg(w->hx.ctx));
	if (ra != MAPIPROF_OK) {
		cr_assert_eq(mapiprof_errcode(w->lazy.ctx), mapiprof_errcode(w->hx.ctx),
		             "%s: key 0x%llx: %s: lazy code %d (%s), hivex code %d (%s)", w->file,
		             (unsigned long long)k, op, mapiprof_errcode(w->lazy.ctx),
		             mapiprof_errmsg(w->lazy.ctx), mapiprof_errcode(w->hx.ctx),
		             mapiprof_errmsg(w->hx.ctx));
		w->failures++;
	}
	return ra == MAPIPROF_OK;
}

static void
compare_values(struct walk *w, mp_key k)
{
	struct mp_value *va = NULL, *vb = NULL;
	size_t na = 0, nb = 0;
	int ra = w->lazy.s->ops->values(w->lazy.s, k, &va, &na);
	int rb = w->hx.s->ops->values(w->hx.s, k, &vb, &nb);
	if (same_outcome(w, k, "values", ra, rb)) {
		cr_assert_eq(na, nb, "%s: key 0x%llx: %zu values, hivex %zu", w->file,
		             (unsigned long long)k, na, nb);
		for (size_t i = 0; i < na; i++) {
			cr_assert_str_eq(va[i].name, vb[i].name, "%s: key 0x%llx value %zu",
			                 w->file, (unsigned long long)k, i);
			cr_assert_eq(va[i].type, vb[i].type, "%s: value '%s'", w->file, va[i].name);
			cr_assert_eq(va[i].len, vb[i].len, "%s: value '%s': %zu bytes, hivex %zu",
			             w->file, va[i].name, va[i].len, vb[i].len);
			cr_assert(va[i].len == 0 || memcmp(va[i].data, vb[i].data, va[i].len) == 0,
			          "%s: value '%s': data differs", w->file, va[i].name);
		}
		w->values += na;
	}
	mp_store_values_free(va, na);
	mp_store_values_free(vb, nb);
}

static void
compare_key(struct walk *w, mp_key k)
{
	char *na = NULL, *nb = NULL;
	int ra = w->lazy.s->ops->key_name(w->lazy.s, k, &na);
	int rb = w->hx.s->ops->key_name(w->hx.s, k, &nb);
	if (same_outcome(w, k, "key_name", ra, rb))
		cr_assert_str_eq(na, nb, "%s: key 0x%llx", w->file, (unsigned long long)k);
	free(na);
	free(nb);
	int64_t ta = -1, tb = -2;
	ra = w->lazy.s->ops->key_mtime(w->lazy.s, k, &ta);
	rb = w->hx.s->ops->key_mtime(w->hx.s, k, &tb);
	if (same_outcome(w, k, "key_mtime", ra, rb))
		cr_assert_eq(ta, tb, "%s: key 0x%llx: mtime", w->file, (unsigned long long)k);
	compare_values(w, k);
	mp_key *ka = NULL, *kb = NULL;
	size_t ca = 0, cb = 0;
	ra = w->lazy.s->ops->children(w->lazy.s, k, &ka, &ca);
	rb = w->hx.s->ops->children(w->hx.s, k, &kb, &cb);
	if (same_outcome(w, k, "children", ra, rb)) {
		cr_assert_eq(ca, cb, "%s: key 0x%llx: %zu children, hivex %zu", w->file,
		             (unsigned long long)k, ca, cb);
		for (size_t i = 0; i < ca; i++) {
			cr_assert_eq(ka[i], kb[i], "%s: key 0x%llx child %zu", w->file,
			             (unsigned long long)k, i);
			push(w, ka[i]);
		}
	}
	free(ka);
	free(kb);
	w->keys++;
}

static struct mapiprof_ctx *ctx_lazy, *ctx_hx;

static void
walk_end(void)
{
	mapiprof_ctx_free(ctx_lazy);
	mapiprof_ctx_free(ctx_hx);
	ctx_lazy = ctx_hx = NULL;
	tu_teardown();
}

/* Walks path through both stores; 0 when hivex cannot open it (nothing
 * compared), else the number of keys compared.  A file hivex opens, the
 * lazy store opens too. */
static size_t
walk_file(const char *path, struct walk *out)
{
	struct walk w = {.file = path};
	/* One pair of contexts for the test (their converters are opened
	 * once), freed by walk_end. */
	if (ctx_lazy == NULL && (ctx_lazy = mapiprof_ctx_new()) == NULL)
		cr_assert_fail("no memory");
	if (ctx_hx == NULL && (ctx_hx = mapiprof_ctx_new()) == NULL)
		cr_assert_fail("no memory");
	w.lazy.ctx = ctx_lazy;
	w.hx.ctx = ctx_hx;
	if (mp_store_hive_open(w.hx.ctx, path, 0, &w.hx.s) != MAPIPROF_OK) {
		return 0;
	}
	if (mp_regf_lazy_open(w.lazy.ctx, path, &w.lazy.s) != MAPIPROF_OK) {
		/* hivex reads a hive whose header claims more bins than the file
		 * holds up to the file's end; mapiprof refuses it before any store
		 * is opened (regf/hiveinfo.c), and so does the lazy store. */
		cr_assert_eq(mapiprof_errcode(w.lazy.ctx), MAPIPROF_E_TRUNCATED,
		             "%s: hivex opens it, the lazy store does not: %s", path,
		             mapiprof_errmsg(w.lazy.ctx));
		mp_store_close(w.hx.s);
		return 0;
	}
	mp_key ra = 0, rb = 0;
	cr_assert_eq(w.lazy.s->ops->root(w.lazy.s, &ra), MAPIPROF_OK);
	cr_assert_eq(w.hx.s->ops->root(w.hx.s, &rb), MAPIPROF_OK);
	cr_assert_eq(ra, rb, "%s: root 0x%llx, hivex 0x%llx", path, (unsigned long long)ra,
	             (unsigned long long)rb);
	push(&w, ra);
	while (w.nstack > 0)
		compare_key(&w, w.stack[--w.nstack]);
	mp_store_close(w.lazy.s);
	mp_store_close(w.hx.s);
	free(w.set);
	free(w.stack);
	if (out != NULL)
		*out = w;
	return w.keys;
}

/* Walks every *.dat of dir; returns how many files hivex opened. */
static size_t
walk_dir(const char *dir, size_t *keys)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "cannot list %s", dir);
	size_t files = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 4 || strcmp(e->d_name + n - 4, ".dat") != 0)
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		size_t k = walk_file(path, NULL);
		*keys += k;
		files += k > 0;
	}
	closedir(d);
	return files;
}

/* ---- same answers ------------------------------------------------------- */

Test(store_lazy, same_as_hivex_on_every_fixture_hive)
{
	size_t keys = 0;
	size_t files = walk_dir(MP_FIXTURES_BUILD, &keys);
	cr_assert_geq(files, 8, "only %zu fixture hives", files);
	cr_assert_gt(keys, 100);
}

/* The hostile corpus: every hive hivex opens reads the same through both,
 * failures included (same error codes); names hivex cannot decode (a lone
 * surrogate, a name past its cell) substituted alike. */
Test(store_lazy, same_as_hivex_on_the_hostile_corpus)
{
	char *dir = tu_fixture_src("bad");
	size_t keys = 0;
	size_t files = walk_dir(dir, &keys);
	cr_assert_geq(files, 15, "only %zu hostile hives open with hivex", files);
	struct walk w;
	char *p = tu_fixture_src("bad/name-lone-surrogate.dat");
	cr_assert_gt(walk_file(p, &w), 0);
	free(p);
	p = tu_fixture_src("bad/value-name-len-past-cell.dat");
	cr_assert_gt(walk_file(p, &w), 0);
	free(p);
	free(dir);
}

/* Real hives: Latin-1 and UTF-16 key names (notatin, yarp), big data in a
 * regf 1.5 hive (regipy's NTUSER_BAGMRU.DAT holds three 'db' records, read
 * through hivex), an ri list (yarp's OldDirtyHive). */
Test(store_lazy, same_as_hivex_on_the_real_hives)
{
	const char *real[] = {"real/plaso/NTUSER-WIN7.DAT", "real/notatin/win7_ntuser.dat",
	                      "real/regipy/NTUSER_BAGMRU.DAT"};
	for (size_t i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		char *p = tu_fixture_src(real[i]);
		unsigned long fb = mp_regf_lazy_fallbacks();
		cr_assert_gt(walk_file(p, NULL), 1000, "%s", p);
		/* Only the hive with big data needs hivex. */
		cr_assert_eq(mp_regf_lazy_fallbacks() > fb, strstr(real[i], "BAGMRU") != NULL,
		             "%s: hivex opened %lu times", p, mp_regf_lazy_fallbacks() - fb);
		free(p);
	}
	char *tx = tu_unxz_sample("regipy/transactions_NTUSER.DAT", "transactions_NTUSER.DAT");
	cr_assert_gt(walk_file(tx, NULL), 100);
	free(tx);
	const char *yarp[][2] = {{"yarp/OldDirtyHive", "OldDirtyHive"},
	                         {"yarp/OldDirtyHive", "RecoveredHive_Windows7"},
	                         {"yarp/NewDirtyHive1", "NewDirtyHive"},
	                         {"yarp/NewDirtyHive1", "RecoveredHive_Windows10"}};
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/samples/yarp", MP_SHARED_DIR);
	if (!tu_exists(dir)) {
		cr_log_warn(TU_OPTIONAL_SAMPLE_SKIP, dir);
		return;
	}
	for (size_t i = 0; i < sizeof(yarp) / sizeof(yarp[0]); i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/samples/%s/%s", MP_SHARED_DIR, yarp[i][0],
		         yarp[i][1]);
		cr_assert_gt(walk_file(path, NULL), 1, "%s", path);
	}
}

/* A generated 4 MiB hive: 3868 keys, ri lists of lh leaves. */
Test(store_lazy, same_as_hivex_on_a_generated_hive_with_ri_lists)
{
	char *p = tu_make_big(4);
	unsigned long fb = mp_regf_lazy_fallbacks();
	cr_assert_gt(walk_file(p, NULL), 3000);
	cr_assert_eq(mp_regf_lazy_fallbacks(), fb, "hivex was opened");
	free(p);
}

/* ---- laziness ------------------------------------------------------------ */

/* Finding the profiles of a 16 MiB hive reads a few dozen KiB of it,
 * without hivex. */
Test(store_lazy, opening_a_big_hive_reads_a_small_part_of_it)
{
	char *p = tu_make_big(16);
	uint64_t size = tu_file_size(p);
	uint64_t before = mp_regf_cells_bytes();
	unsigned long fb = mp_regf_lazy_fallbacks();
	struct mapiprof_file *f = NULL;
	cr_assert_eq(mapiprof_open(tu_ctx, p, MAPIPROF_OPEN_NO_HASH, &f), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mapiprof_profile_count(f), 2);
	for (size_t i = 0; i < mapiprof_profile_count(f); i++)
		cr_assert_gt(mapiprof_section_count(f, i), 0);
	uint64_t read = mp_regf_cells_bytes() - before;
	cr_assert_gt(read, 0);
	cr_assert_lt(read, size / 100, "read %llu of %llu bytes", (unsigned long long)read,
	             (unsigned long long)size);
	cr_assert_eq(mp_regf_lazy_fallbacks(), fb, "hivex was opened");
	mapiprof_close(f);
	free(p);
}

/* The file offset of the last hbin of the hive at path. */
static uint32_t
last_bin(const uint8_t *img, size_t len)
{
	uint32_t bins = mp_le32(img + 0x28), at = 0, last = 0;
	while (at < bins && 0x1000u + at + 32u <= len &&
	       memcmp(img + 0x1000 + at, "hbin", 4) == 0) {
		last = at;
		at += mp_le32(img + 0x1000 + at + 8);
	}
	return last + 0x1000u;
}

/* A broken bin far from the profiles: hivex refuses the hive, list and show
 * read it (they never reach that bin), and a write (which validates the
 * whole hive with hivex first) refuses it, leaving it as it was. */
Test(store_lazy, a_broken_bin_off_the_path_stops_writes_not_reads)
{
	char *p = tu_make_big(4);
	size_t len = 0;
	uint8_t *img = (uint8_t *)tu_read(p, &len);
	uint32_t bin = last_bin(img, len);
	cr_assert_gt(bin, len / 2);
	memcpy(img + bin, "XXXX", 4);
	cr_assert_eq(tu_write(p, img, len), 0);
	free(img);
	struct mp_store *hx = NULL;
	cr_assert_eq(mp_store_hive_open(tu_ctx, p, 0, &hx), MAPIPROF_FAILED, "hivex opened it");
	struct tu_run r;
	tu_cli(&r, "list", p, NULL);
	cr_assert_eq(r.status, 0, "list: %s", r.err);
	cr_assert(strstr(r.out, "profile: Exchange (default)") != NULL, "%s", r.out);
	tu_run_free(&r);
	tu_cli(&r, "show", "--json", "--no-hash", p, NULL);
	cr_assert_eq(r.status, 0, "show: %s", r.err);
	tu_run_free(&r);
	struct tu_snap snap = tu_snap_take(p);
	tu_cli(&r, "apply", "cached-mode-on", p, NULL);
	cr_assert_eq(r.status, 1, "apply: %d %s", r.status, r.err);
	cr_assert(strstr(r.err, p) != NULL && strstr(r.err, "hivex cannot open") != NULL, "%s",
	          r.err);
	tu_run_free(&r);
	tu_snap_assert_same(&snap, p);
	free(p);
}

/* The Profiles key's nk cell broken: list fails with exit 1, naming the
 * file, the key and the file offset. */
Test(store_lazy, a_broken_key_on_the_path_stops_reads)
{
	char *p = tu_make_big(4);
	struct mp_store *s = NULL;
	mp_key root = 0, key = 0;
	cr_assert_eq(mp_regf_lazy_open(tu_ctx, p, &s), MAPIPROF_OK);
	cr_assert_eq(s->ops->root(s, &root), MAPIPROF_OK);
	cr_assert_eq(mp_store_path(s, root, WMS_PROFILES, &key), MAPIPROF_OK);
	cr_assert_neq(key, 0);
	mp_store_close(s);
	size_t len = 0;
	uint8_t *img = (uint8_t *)tu_read(p, &len);
	memcpy(img + key + 4, "xx", 2);
	cr_assert_eq(tu_write(p, img, len), 0);
	free(img);
	char off[32];
	snprintf(off, sizeof(off), "file offset 0x%llx", (unsigned long long)key);
	struct tu_run r;
	tu_cli(&r, "list", p, NULL);
	cr_assert_eq(r.status, 1, "list: %d %s", r.status, r.out);
	cr_assert(strstr(r.err, p) != NULL && strstr(r.err, off) != NULL &&
	              strstr(r.err, "Windows Messaging Subsystem'") != NULL,
	          "%s", r.err);
	tu_run_free(&r);
	free(p);
}

/* ---- hostile structures --------------------------------------------------- */

/* Sets the 4 bytes at off of the file at path to v. */
static void
poke32(const char *path, size_t off, uint32_t v)
{
	uint8_t b[4];
	mp_put_le32(b, v);
	FILE *f = fopen(path, "r+b");
	cr_assert_not_null(f);
	cr_assert_eq(fseek(f, (long)off, SEEK_SET), 0);
	cr_assert_eq(fwrite(b, 1, 4, f), 4u);
	cr_assert_eq(fclose(f), 0);
}

/* Every 4-byte field of the hive bins of a fixture hive set in turn to
 * values a hostile file would hold (0, all ones, a cell's middle): both
 * stores give the same answers or the same error codes, and nothing
 * crashes (the sanitizer build runs this too). */
Test(store_lazy, hostile_fields_read_the_same_through_both)
{
	char *p = tu_stage_built("exchange-mapi.dat");
	size_t len = 0;
	uint8_t *img = (uint8_t *)tu_read(p, &len);
	const uint32_t vals[] = {0u, 0xFFFFFFFFu, 0x24u};
	size_t tried = 0, opened = 0;
	/* Every field in the long mode; every fourth in the quick run, every
	 * eighth under the sanitizers, which run it 5 to 10 times slower. */
	size_t step = tu_long_mode() ? 4u : TU_UNDER_ASAN ? 32u : 16u;
	for (size_t off = 0x1020; off + 4 <= len; off += step) {
		for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
			poke32(p, off, vals[v]);
			opened += walk_file(p, NULL) > 0;
			tried++;
		}
		poke32(p, off, mp_le32(img + off));
	}
	cr_assert_gt(opened, tried / 4, "%zu of %zu mutations opened", opened, tried);
	free(img);
	free(p);
}

/* The file cut short after the store was opened: a read past its new end
 * fails (MAPIPROF_E_TRUNCATED), never reads garbage or crashes. */
Test(store_lazy, a_file_cut_after_opening_fails_cleanly)
{
	char *p = tu_stage_built("exchange-mapi.dat");
	struct mp_store *s = NULL;
	mp_key root = 0, key = 0;
	cr_assert_eq(mp_regf_lazy_open(tu_ctx, p, &s), MAPIPROF_OK);
	cr_assert_eq(s->ops->root(s, &root), MAPIPROF_OK);
	cr_assert_eq(truncate(p, 0x1000 + 0x40), 0);
	int rc = mp_store_path(s, root, WMS_PROFILES, &key);
	cr_assert_eq(rc, MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_TRUNCATED, "%s", mapiprof_errmsg(tu_ctx));
	mp_store_close(s);
	free(p);
}
