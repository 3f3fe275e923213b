/* test_readcache.c - the block cache of the lazy hive reader
 * (base/readcache.h): every read returns the bytes a pread of the file
 * returns, within a block, across two blocks, longer than a block, at and
 * past the end of the file, after the file grew, after more blocks than the
 * cache holds; a read past the end fails as mp_pread_full fails, with the
 * same message; it reads a block once, not once per field; and once this
 * process has written into the file, directly or by an in-place write of
 * the hive through the library, the next read sees the new bytes, through
 * the cache and through a lazy store (regf/lazy.c) opened before the write. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/platform.h"
#include "base/readcache.h"
#include "mapiprof/mapiprof.h"
#include "regf/lazy.h"
#include "store/store.h"
#include "testutil.h"
#include "testutil_int.h"

#define BLOCK MP_READCACHE_BLOCK

#define WMS_PROFILES                                                                               \
	"Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles"
/* The global section of the Exchange profile of exchange-mapi.dat, which
 * tu_plan_gc_referral changes. */
#define GLOBAL WMS_PROFILES "\\Exchange\\13dbb0c8aa05101a9bb000aa002fc45a"

TestSuite(readcache, .init = tu_setup, .fini = tu_teardown);

/* A file of len pseudo-random bytes (a fixed sequence), its bytes in
 * *data (malloc'd). */
static char *
make_file(const char *name, size_t len, uint8_t **data)
{
	uint8_t *d = malloc(len);
	cr_assert_not_null(d);
	uint32_t x = 0x12345678u;
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		d[i] = (uint8_t)(x >> 16);
	}
	char *p = tu_tmp_write(name, d, len);
	*data = d;
	return p;
}

struct cached {
	int fd;
	struct mp_readcache *rc;
};

static struct cached
open_cached(const char *path)
{
	struct cached c = {-1, NULL};
	cr_assert_eq(mp_open_read(tu_ctx, path, &c.fd), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mp_readcache_new(tu_ctx, c.fd, &c.rc), MAPIPROF_OK);
	return c;
}

static void
close_cached(struct cached *c)
{
	mp_readcache_free(c->rc);
	mp_close(c->fd);
}

/* Reads len bytes at off through c and asserts they are want's. */
static void
assert_reads(struct cached *c, const uint8_t *want, size_t len, uint64_t off)
{
	uint8_t *got = malloc(len > 0 ? len : 1u);
	cr_assert_not_null(got);
	memset(got, 0xA5, len);
	cr_assert_eq(mp_readcache_read(c->rc, tu_ctx, got, len, off), MAPIPROF_OK,
	             "%zu bytes at %llu: %s", len, (unsigned long long)off,
	             mapiprof_errmsg(tu_ctx));
	cr_assert(memcmp(got, want + off, len) == 0, "%zu bytes at %llu differ from the file's",
	          len, (unsigned long long)off);
	free(got);
}

static uint64_t
preads(void)
{
	return mp_readcache_stats().preads;
}

/* ---- the same bytes as the file ------------------------------------------ */

/* Every length from 1 to a block and beyond, at offsets around each block
 * boundary of a file whose end is not on one. */
Test(readcache, returns_the_file_s_bytes_within_and_across_blocks)
{
	size_t len = 5 * BLOCK + 37;
	uint8_t *d = NULL;
	char *p = make_file("f.bin", len, &d);
	struct cached c = open_cached(p);
	for (uint64_t b = 0; b * BLOCK < len; b++)
		for (uint64_t off = b * BLOCK > 5 ? b * BLOCK - 5 : 0;
		     off < b * BLOCK + 5 && off < len; off++)
			for (size_t n = 1; n <= BLOCK + 3 && off + n <= len; n += n < 20 ? 1 : 97)
				assert_reads(&c, d, n, off);
	/* the whole file, longer than a block: straight from the file */
	uint64_t before = preads();
	assert_reads(&c, d, len, 0);
	cr_assert_eq(preads() - before, 1u);
	/* nothing at all */
	assert_reads(&c, d, 0, len);
	close_cached(&c);
	free(d);
	free(p);
}

/* A read straddling two blocks is copied from both, each read once; the
 * fields of a block read one by one cost one pread together. */
Test(readcache, reads_each_block_once)
{
	uint8_t *d = NULL;
	char *p = make_file("f.bin", 4 * BLOCK, &d);
	struct cached c = open_cached(p);
	uint64_t before = preads();
	assert_reads(&c, d, 16, BLOCK - 8); /* blocks 0 and 1 */
	cr_assert_eq(preads() - before, 2u);
	for (uint64_t off = 0; off + 8 <= 2 * BLOCK; off += 8)
		assert_reads(&c, d, 8, off);
	assert_reads(&c, d, BLOCK, BLOCK / 2); /* across 0 and 1 again */
	cr_assert_eq(preads() - before, 2u, "%llu preads for two blocks",
	             (unsigned long long)(preads() - before));
	close_cached(&c);
	free(d);
	free(p);
}

/* More distinct blocks than the cache holds: still the file's bytes,
 * before and after it starts over. */
Test(readcache, stays_right_past_its_capacity)
{
	size_t len = (MP_READCACHE_SLOTS + 40u) * BLOCK;
	uint8_t *d = NULL;
	char *p = make_file("f.bin", len, &d);
	struct cached c = open_cached(p);
	for (int round = 0; round < 2; round++)
		for (uint64_t off = 3; off + 24 <= len; off += BLOCK + 8)
			assert_reads(&c, d, 24, off);
	close_cached(&c);
	free(d);
	free(p);
}

/* ---- the end of the file ------------------------------------------------- */

/* The context's error after fd's mp_pread_full of len bytes at off. */
static void
pread_error(int fd, size_t len, uint64_t off, char *msg, size_t size, enum mapiprof_error *code)
{
	uint8_t buf[4 * BLOCK];
	cr_assert_leq(len, sizeof(buf));
	cr_assert_eq(mp_pread_full(tu_ctx, fd, buf, len, off), MAPIPROF_FAILED);
	*code = mapiprof_errcode(tu_ctx);
	snprintf(msg, size, "%s", mapiprof_errmsg(tu_ctx));
	mapiprof_clear_error(tu_ctx);
}

/* Up to the last byte reads; a byte further fails as mp_pread_full fails,
 * MAPIPROF_E_TRUNCATED with the same message naming the offset, whether
 * the block is read already or not. */
Test(readcache, a_read_past_the_end_fails_as_pread_does)
{
	size_t len = 2 * BLOCK + 100;
	uint8_t *d = NULL;
	char *p = make_file("f.bin", len, &d);
	struct cached c = open_cached(p);
	const struct {
		size_t n;
		uint64_t off;
	} past[] = {{1, len},       {8, len - 4},   {200, len - 150}, {BLOCK, 2 * BLOCK - 10},
	            {3 * BLOCK, 0}, {4, 10 * BLOCK}};
	for (int warm = 0; warm < 2; warm++) {
		assert_reads(&c, d, 100, 2 * BLOCK); /* the last block, to the end */
		assert_reads(&c, d, 1, len - 1);
		for (size_t i = 0; i < sizeof(past) / sizeof(past[0]); i++) {
			char want[512];
			enum mapiprof_error code = MAPIPROF_E_NONE;
			pread_error(c.fd, past[i].n, past[i].off, want, sizeof(want), &code);
			uint8_t buf[3 * BLOCK];
			cr_assert_eq(mp_readcache_read(c.rc, tu_ctx, buf, past[i].n, past[i].off),
			             MAPIPROF_FAILED, "%zu bytes at %llu", past[i].n,
			             (unsigned long long)past[i].off);
			cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_TRUNCATED);
			cr_assert_eq(code, MAPIPROF_E_TRUNCATED);
			cr_assert_str_eq(mapiprof_errmsg(tu_ctx), want);
			mapiprof_clear_error(tu_ctx);
		}
	}
	close_cached(&c);
	free(d);
	free(p);
}

/* The block that ended the file does not hide what is appended to it
 * later; a file cut short fails where the cut blocks were never read. */
Test(readcache, follows_a_file_that_grows_or_shrinks)
{
	size_t len = BLOCK + 10;
	uint8_t *d = NULL;
	char *p = make_file("f.bin", 3 * BLOCK, &d);
	cr_assert_eq(truncate(p, (off_t)len), 0);
	struct cached c = open_cached(p);
	assert_reads(&c, d, 10, BLOCK); /* the short last block */
	cr_assert_eq(truncate(p, 3 * BLOCK), 0);
	int fd = open(p, O_WRONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pwrite(fd, d + len, 3 * BLOCK - len, (off_t)len), (ssize_t)(3 * BLOCK - len));
	close(fd);
	assert_reads(&c, d, 40, BLOCK);
	assert_reads(&c, d, 40, 2 * BLOCK + 7);
	cr_assert_eq(truncate(p, BLOCK / 2), 0);
	uint8_t buf[16];
	cr_assert_eq(mp_readcache_read(c.rc, tu_ctx, buf, 16, BLOCK / 2 - 8), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_TRUNCATED, "%s", mapiprof_errmsg(tu_ctx));
	close_cached(&c);
	free(d);
	free(p);
}

/* ---- writes -------------------------------------------------------------- */

/* A block read, then changed by this process through another descriptor:
 * the next read returns the new bytes. */
Test(readcache, a_write_by_this_process_drops_what_was_read)
{
	uint8_t *d = NULL;
	char *p = make_file("f.bin", 3 * BLOCK, &d);
	struct cached c = open_cached(p);
	assert_reads(&c, d, 64, BLOCK + 100);
	int fd = -1;
	cr_assert_eq(mp_open_rw(tu_ctx, p, 0, &fd), MAPIPROF_OK);
	for (size_t i = 0; i < 64; i++)
		d[BLOCK + 100 + i] ^= 0xFF;
	cr_assert_eq(mp_pwrite_full(tu_ctx, fd, d + BLOCK + 100, 64, BLOCK + 100), MAPIPROF_OK);
	assert_reads(&c, d, 64, BLOCK + 100);
	/* and a write that appends through the file position */
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	for (size_t i = 0; i < 32; i++)
		d[i] ^= 0x5A;
	assert_reads(&c, d + 0, 0, 0);
	cr_assert_eq(mp_write_full(tu_ctx, fd, d, 32), MAPIPROF_OK);
	assert_reads(&c, d, 48, 0);
	mp_close(fd);
	close_cached(&c);
	free(d);
	free(p);
}

/* The values of key path of s (a store), as name=hex lines (malloc'd). */
static char *
values_of(struct mp_store *s, const char *path)
{
	mp_key root = 0, key = 0;
	cr_assert_eq(s->ops->root(s, &root), MAPIPROF_OK);
	cr_assert_eq(mp_store_path(s, root, path, &key), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(s->ctx));
	struct mp_value *v = NULL;
	size_t n = 0;
	cr_assert_eq(s->ops->values(s, key, &v, &n), MAPIPROF_OK, "%s", mapiprof_errmsg(s->ctx));
	size_t cap = 64, len = 0;
	char *out = malloc(cap);
	cr_assert_not_null(out);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t need = strlen(v[i].name) + 2 * v[i].len + 16;
		if (len + need >= cap) {
			cap = 2 * (len + need);
			out = realloc(out, cap);
			cr_assert_not_null(out);
		}
		len += (size_t)sprintf(out + len, "%s=", v[i].name);
		for (size_t j = 0; j < v[i].len; j++)
			len += (size_t)sprintf(out + len, "%02x", v[i].data[j]);
		out[len++] = '\n';
		out[len] = '\0';
	}
	mp_store_values_free(v, n);
	return out;
}

/* A lazy store open on a hive, its global section read (its blocks
 * cached), then the hive written in place through the library: the same
 * store now reads the new values, as a store opened afterwards does. */
Test(readcache, a_store_open_during_an_in_place_write_reads_the_new_values)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	cr_assert_not_null(ctx);
	struct mp_store *early = NULL;
	cr_assert_eq(mp_regf_lazy_open(ctx, hive, &early), MAPIPROF_OK, "%s", mapiprof_errmsg(ctx));
	char *before = values_of(early, GLOBAL);
	cr_assert(strstr(before, "00036606=00400000\n") == NULL, "the fixture has the new value");
	struct stat st0, st1;
	cr_assert_eq(stat(hive, &st0), 0);

	struct tu_plan h;
	cr_assert_eq(mapiprof_open(tu_ctx, hive, MAPIPROF_OPEN_LOCK, &tu_file), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	tu_plan_gc_referral(&h, tu_profile("Exchange"));
	cr_assert_eq(mapiprof_plan_write_in_place(tu_file, &h.plan, NULL), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert(mapiprof_note(tu_ctx) == NULL || mapiprof_note(tu_ctx)[0] == '\0',
	          "not written in place: %s", mapiprof_note(tu_ctx));
	mapiprof_close(tu_file);
	tu_file = NULL;
	cr_assert_eq(stat(hive, &st1), 0);
	cr_assert_eq(st0.st_ino, st1.st_ino, "the hive was replaced, not written in place");

	char *after = values_of(early, GLOBAL);
	cr_assert(strstr(after, "00036606=00400000\n") != NULL, "the open store reads:\n%s", after);
	struct mp_store *late = NULL;
	cr_assert_eq(mp_regf_lazy_open(ctx, hive, &late), MAPIPROF_OK, "%s", mapiprof_errmsg(ctx));
	char *fresh = values_of(late, GLOBAL);
	cr_assert_str_eq(after, fresh);
	cr_assert_str_neq(before, after);
	mp_store_close(early);
	mp_store_close(late);
	mapiprof_ctx_free(ctx);
	free(before);
	free(after);
	free(fresh);
	free(hive);
}

/* ---- the lazy store ------------------------------------------------------ */

/* Finding the profiles of a generated hive and reading their sections
 * asks the cells reader for hundreds of fields and reads the file a few
 * dozen times: a pread per block, not per field. */
Test(readcache, the_lazy_store_reads_a_block_once_not_each_field)
{
	char *p = tu_make_big(4);
	struct mp_readcache_stats s0 = mp_readcache_stats();
	struct mapiprof_file *f = NULL;
	cr_assert_eq(mapiprof_open(tu_ctx, p, MAPIPROF_OPEN_NO_HASH, &f), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mapiprof_profile_count(f), 2);
	for (size_t i = 0; i < mapiprof_profile_count(f); i++)
		cr_assert_gt(mapiprof_section_count(f, i), 0);
	struct mp_readcache_stats s1 = mp_readcache_stats();
	uint64_t reads = s1.reads - s0.reads, made = s1.preads - s0.preads;
	cr_assert_gt(reads, 200u);
	cr_assert_lt(made * 5u, reads, "%llu preads for %llu reads", (unsigned long long)made,
	             (unsigned long long)reads);
	mapiprof_close(f);
	free(p);
}
