/* test_carve.c - the free-cell carver (regf/carve.h) on hive bins built
 * cell by cell: what it recovers (keys, values, their owners and data),
 * and hostile free space: parent chains that loop, names and lists past
 * their cells, sizes that leave the bin, data offsets outside the bins or
 * into allocated cells, one data cell claimed by two values, and random
 * bytes in every free cell. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/ctx.h"
#include "base/le.h"
#include "regf/carve.h"
#include "regf/cells.h"
#include "testutil.h"

TestSuite(carve, .init = tu_setup, .fini = tu_teardown);

#define BIN  4096u
#define ROOT 0x20u

/* One hbin: the root nk allocated at ROOT, then one free cell covering
 * the rest, which the tests fill with the cells they need (each put with
 * its own size field, inside the big free cell's extent). */
static uint8_t *
image(uint32_t bins)
{
	uint8_t *b = calloc(1, bins);
	cr_assert_not_null(b);
	for (uint32_t at = 0; at < bins; at += BIN) {
		memcpy(b + at, "hbin", 4);
		mp_put_le32(b + at + MP_HBIN_OFFSET, at);
		mp_put_le32(b + at + MP_HBIN_SIZE, BIN);
		uint32_t first = at + MP_HBIN_HDR;
		if (at == 0) {
			/* root nk, 0x60 bytes, allocated */
			mp_put_le32(b + ROOT, (uint32_t)-0x60);
			memcpy(b + ROOT + 4, "nk", 2);
			mp_put_le16(b + ROOT + 6, 0x2C);
			mp_put_le32(b + ROOT + MP_NK_VLIST, MP_CELL_NONE);
			mp_put_le16(b + ROOT + MP_NK_NAMELEN, 4);
			memcpy(b + ROOT + MP_NK_HDR, "ROOT", 4);
			first = ROOT + 0x60;
		}
		mp_put_le32(b + first, at + BIN - first); /* one free cell */
	}
	return b;
}

/* A free nk cell at rel named name (Latin-1), parent, time, values. */
static void
put_nk(uint8_t *b, uint32_t rel, const char *name, uint32_t parent, uint64_t time, uint32_t nvalues,
       uint32_t vlist)
{
	uint32_t len = (uint32_t)strlen(name), size = (MP_NK_HDR + len + 7u) & ~7u;
	mp_put_le32(b + rel, size);
	memcpy(b + rel + 4, "nk", 2);
	mp_put_le16(b + rel + 6, 0x20);
	mp_put_le32(b + rel + MP_NK_TIME, (uint32_t)time);
	mp_put_le32(b + rel + MP_NK_TIME + 4, (uint32_t)(time >> 32));
	mp_put_le32(b + rel + 4 + 16, parent);
	mp_put_le32(b + rel + MP_NK_NVALUES, nvalues);
	mp_put_le32(b + rel + MP_NK_VLIST, vlist);
	mp_put_le16(b + rel + MP_NK_NAMELEN, (uint16_t)len);
	memcpy(b + rel + MP_NK_HDR, name, len);
}

/* A free vk cell at rel (Latin-1 name) whose data is at doff (len bytes),
 * or inline when len <= 4. */
static void
put_vk(uint8_t *b, uint32_t rel, const char *name, uint32_t type, uint32_t len, uint32_t doff)
{
	uint32_t nlen = (uint32_t)strlen(name);
	mp_put_le32(b + rel, (MP_VK_HDR + nlen + 7u) & ~7u);
	memcpy(b + rel + 4, "vk", 2);
	mp_put_le16(b + rel + MP_VK_NAMELEN, (uint16_t)nlen);
	mp_put_le32(b + rel + MP_VK_DLEN, len <= 4 ? (len | MP_DATA_INLINE) : len);
	mp_put_le32(b + rel + MP_VK_DOFF, doff);
	mp_put_le32(b + rel + MP_VK_TYPE, type);
	mp_put_le16(b + rel + MP_VK_FLAGS, MP_VK_COMP_NAME);
	memcpy(b + rel + MP_VK_HDR, name, nlen);
}

/* A free data cell at rel holding data. */
static void
put_data(uint8_t *b, uint32_t rel, const void *data, uint32_t len)
{
	mp_put_le32(b + rel, (4u + len + 7u) & ~7u);
	memcpy(b + rel + 4, data, len);
}

static void
carve(uint8_t *b, uint32_t bins, struct mp_carve *c)
{
	cr_assert_eq(mp_regf_carve(tu_ctx, b, bins, ROOT, c), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
}

static size_t
key_named(const struct mp_carve *c, const char *name)
{
	for (size_t i = 0; i < c->nkeys; i++)
		if (strcmp(c->keys[i].name, name) == 0)
			return i;
	return SIZE_MAX;
}

static size_t
val_named(const struct mp_carve *c, const char *name)
{
	for (size_t i = 0; i < c->nvals; i++)
		if (strcmp(c->vals[i].name, name) == 0)
			return i;
	return SIZE_MAX;
}

Test(carve, recovers_key_below_root_with_its_values_and_data)
{
	uint8_t *b = image(BIN);
	static const uint8_t blob[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	put_nk(b, 0x100, "Deleted", ROOT, 0x01D9000000000000ull, 2, 0x200);
	mp_put_le32(b + 0x200, 16); /* value list: 2 entries */
	mp_put_le32(b + 0x204, 0x300);
	mp_put_le32(b + 0x208, 0x340);
	put_vk(b, 0x300, "00036601", 3, 4, 0x00000184);
	put_vk(b, 0x340, "01020fff", 3, 12, 0x400);
	put_data(b, 0x400, blob, sizeof(blob));
	struct mp_carve c;
	carve(b, BIN, &c);
	size_t k = key_named(&c, "Deleted");
	cr_assert_neq(k, SIZE_MAX);
	cr_assert_eq(c.keys[k].live, 0);
	cr_assert_eq(c.keys[k].time, (int64_t)0x01D9000000000000ll);
	cr_assert_eq(c.keys[k].nvals, 2);
	const char *names[512];
	size_t depth;
	int orphan;
	mp_carve_path(&c, k, names, &depth, &orphan);
	cr_assert_eq(orphan, 0);
	cr_assert_eq(depth, 1);
	cr_assert_str_eq(names[0], "Deleted");
	size_t v = val_named(&c, "00036601"), w = val_named(&c, "01020fff");
	cr_assert_eq(c.vals[v].key, k);
	cr_assert_eq(c.vals[v].len, 4);
	cr_assert_eq(mp_le32(c.vals[v].data), 0x184);
	cr_assert_eq(c.vals[w].key, k);
	cr_assert_eq(c.vals[w].data_lost, 0);
	cr_assert_eq(c.vals[w].len, sizeof(blob));
	cr_assert_eq(memcmp(c.vals[w].data, blob, sizeof(blob)), 0);
	mp_carve_free(&c);
}

Test(carve, parent_cycles_are_orphans_and_bounded)
{
	uint8_t *b = image(BIN);
	put_nk(b, 0x100, "A", 0x200, 1, 0, MP_CELL_NONE);
	put_nk(b, 0x200, "B", 0x100, 2, 0, MP_CELL_NONE);
	put_nk(b, 0x300, "Self", 0x300, 3, 0, MP_CELL_NONE);
	put_nk(b, 0x400, "Nowhere", 0xFFFFFFF0u, 4, 0, MP_CELL_NONE);
	struct mp_carve c;
	carve(b, BIN, &c);
	const char *want[] = {"A", "B", "Self", "Nowhere"};
	for (size_t i = 0; i < 4; i++) {
		size_t k = key_named(&c, want[i]);
		cr_assert_neq(k, SIZE_MAX, "%s", want[i]);
		const char *names[512];
		size_t depth;
		int orphan;
		mp_carve_path(&c, k, names, &depth, &orphan);
		cr_assert_eq(orphan, 1, "%s", want[i]);
		cr_assert_leq(depth, 512u);
		cr_assert_str_eq(names[depth - 1], want[i]);
	}
	mp_carve_free(&c);
}

Test(carve, names_and_lists_past_their_cells_are_not_trusted)
{
	uint8_t *b = image(BIN);
	/* nk whose name length runs past the end of the bin */
	put_nk(b, BIN - 0x60, "Cut", ROOT, 1, 0, MP_CELL_NONE);
	mp_put_le16(b + BIN - 0x60 + MP_NK_NAMELEN, 0x200);
	/* nk whose own size is smaller than its name */
	put_nk(b, 0x100, "Small", ROOT, 1, 0, MP_CELL_NONE);
	mp_put_le32(b + 0x100, 0x50);
	/* vk with a name past the bin */
	put_vk(b, BIN - 0x20, "x", 3, 4, 0);
	mp_put_le16(b + BIN - 0x20 + MP_VK_NAMELEN, 0x4000);
	/* nk whose value list claims a huge count */
	put_nk(b, 0x200, "Listed", ROOT, 1, 0x7FFFFFFFu, 0x300);
	put_vk(b, 0x400, "00030001", 3, 4, 7);
	mp_put_le32(b + 0x300, 0x10);
	mp_put_le32(b + 0x304, 0x400);
	struct mp_carve c;
	carve(b, BIN, &c);
	cr_assert_eq(key_named(&c, "Cut"), SIZE_MAX);
	cr_assert_eq(key_named(&c, "Small"), SIZE_MAX);
	size_t k = key_named(&c, "Listed");
	cr_assert_neq(k, SIZE_MAX);
	cr_assert_eq(c.keys[k].nvals, 0, "a list past its cell gave values");
	for (size_t i = 0; i < c.nvals; i++)
		cr_assert_neq(c.vals[i].rel, BIN - 0x20);
	mp_carve_free(&c);
}

Test(carve, data_outside_free_space_or_shared_is_overwritten)
{
	uint8_t *b = image(2 * BIN);
	static const uint8_t blob[8] = {0xAA, 0xBB, 0xCC, 0xDD, 1, 2, 3, 4};
	put_data(b, 0x500, blob, sizeof(blob));
	put_vk(b, 0x100, "first", 3, 8, 0x500);
	put_vk(b, 0x140, "second", 3, 8, 0x500); /* the same data cell */
	put_vk(b, 0x180, "outside", 3, 8, 0x7FFFFFF0u);
	put_vk(b, 0x1C0, "intoroot", 3, 8, ROOT); /* an allocated cell */
	put_vk(b, 0x200, "huge", 3, 0x7FFFFFF0u, 0x500);
	put_vk(b, 0x240, "unaligned", 3, 8, 0x501);
	put_vk(b, 0x280, "cut", 3, 64, BIN - 16); /* data runs past the bin's free cell */
	put_data(b, BIN - 16, blob, 8);
	struct mp_carve c;
	carve(b, 2 * BIN, &c);
	size_t f = val_named(&c, "first");
	cr_assert_eq(c.vals[f].data_lost, 0);
	cr_assert_eq(memcmp(c.vals[f].data, blob, 8), 0);
	const char *lost[] = {"second", "outside", "intoroot", "huge", "unaligned", "cut"};
	for (size_t i = 0; i < sizeof(lost) / sizeof(lost[0]); i++) {
		size_t v = val_named(&c, lost[i]);
		cr_assert_neq(v, SIZE_MAX, "%s", lost[i]);
		cr_assert_eq(c.vals[v].data_lost, 1, "%s", lost[i]);
		cr_assert_null(c.vals[v].data);
	}
	mp_carve_free(&c);
}

Test(carve, bad_bins_and_cell_sizes_stop_the_walk)
{
	uint8_t *b = image(2 * BIN);
	put_nk(b, BIN + 0x100, "SecondBin", ROOT, 1, 0, MP_CELL_NONE);
	/* first bin: a cell size that leaves the bin ends this bin's walk */
	mp_put_le32(b + ROOT + 0x60, 0x7FFFFFF8u);
	struct mp_carve c;
	carve(b, 2 * BIN, &c);
	cr_assert_neq(key_named(&c, "SecondBin"), SIZE_MAX, "the next bin is still walked");
	mp_carve_free(&c);

	b = image(2 * BIN);
	put_nk(b, BIN + 0x100, "SecondBin", ROOT, 1, 0, MP_CELL_NONE);
	mp_put_le32(b + BIN + MP_HBIN_OFFSET, 0); /* the second bin lies about its place */
	carve(b, 2 * BIN, &c);
	cr_assert_eq(key_named(&c, "SecondBin"), SIZE_MAX, "a bad bin ends the walk");
	mp_carve_free(&c);
}

Test(carve, live_list_slack_names_a_removed_value)
{
	uint8_t *b = image(BIN);
	/* a live key "Live" (allocated) with one value, its list cell holding
	 * two entries: the second is a removed value, as Windows leaves it */
	mp_put_le32(b + 0x80, (uint32_t)-0x60);
	memcpy(b + 0x84, "nk", 2);
	mp_put_le16(b + 0x86, 0x20);
	mp_put_le32(b + 0x80 + 4 + 16, ROOT);
	mp_put_le32(b + 0x80 + MP_NK_NVALUES, 1);
	mp_put_le32(b + 0x80 + MP_NK_VLIST, 0xE0);
	mp_put_le16(b + 0x80 + MP_NK_NAMELEN, 4);
	memcpy(b + 0x80 + MP_NK_HDR, "Live", 4);
	mp_put_le32(b + 0xE0, (uint32_t)-0x10);
	mp_put_le32(b + 0xE4, 0xF0);
	mp_put_le32(b + 0xE8, 0x200);
	mp_put_le32(b + 0xF0, (uint32_t)-0x28);
	memcpy(b + 0xF4, "vk", 2);
	mp_put_le16(b + 0xF0 + MP_VK_NAMELEN, 8);
	mp_put_le32(b + 0xF0 + MP_VK_DLEN, 4 | MP_DATA_INLINE);
	mp_put_le16(b + 0xF0 + MP_VK_FLAGS, MP_VK_COMP_NAME);
	memcpy(b + 0xF0 + MP_VK_HDR, "00030002", 8);
	mp_put_le32(b + 0x118, 0x1000 - 0x118); /* the rest is free */
	put_vk(b, 0x200, "00030003", 3, 4, 42);
	struct mp_carve c;
	carve(b, BIN, &c);
	size_t v = val_named(&c, "00030003");
	cr_assert_neq(v, SIZE_MAX);
	cr_assert_neq(c.vals[v].key, SIZE_MAX);
	cr_assert_str_eq(c.keys[c.vals[v].key].name, "Live");
	cr_assert_eq(c.keys[c.vals[v].key].live, 1);
	mp_carve_free(&c);
}

Test(carve, random_free_space_never_crashes)
{
	uint32_t seed = 12345u;
	for (int round = 0; round < 3000; round++) {
		uint8_t *b = image(2 * BIN);
		/* random bytes over every free cell, with nk/vk signatures and
		 * plausible offsets sprinkled in */
		for (uint32_t i = ROOT + 0x60 + 4; i < 2 * BIN; i++) {
			if (i >= BIN && i < BIN + MP_HBIN_HDR + 4)
				continue;
			seed = seed * 1103515245u + 12345u;
			uint8_t r = (uint8_t)(seed >> 16);
			b[i] = (seed >> 8) % 7u == 0 ? (uint8_t)(r & 0x38) : r;
			if ((seed >> 24) % 31u == 0 && i + 2 < 2 * BIN && i % 8u == 4u)
				memcpy(b + i, (seed & 1u) != 0 ? "nk" : "vk", 2);
		}
		struct mp_carve c;
		carve(b, 2 * BIN, &c);
		for (size_t k = 0; k < c.nkeys; k++) {
			const char *names[512];
			size_t depth;
			int orphan;
			mp_carve_path(&c, k, names, &depth, &orphan);
			cr_assert_leq(depth, 512u);
		}
		for (size_t v = 0; v < c.nvals; v++)
			cr_assert(c.vals[v].data_lost || c.vals[v].len <= 2 * BIN);
		mp_carve_free(&c);
	}
}
