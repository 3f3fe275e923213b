/* test_regf_binwalk.c - regf/binwalk.c, the writer's check of every hbin
 * and cell of its source: a good hive passes; each kind of damage hivex's
 * open refuses is refused with its file offset named; fed in pieces (as
 * the copy feeds it) it gives the same verdicts, and pieces stopping short
 * are no verdict; a hive only its stricter rules refuse (4-aligned cells)
 * is still written, hivex's open deciding, and one both refuse is left
 * untouched with nothing beside it. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/le.h"
#include "mapiprof/mapiprof.h"
#include "regf/binwalk.h"
#include "regf/hivex_decides.h"
#include "regf/lazy.h"
#include "testutil.h"

TestSuite(regf_binwalk, .init = tu_setup, .fini = tu_teardown);

/* A hive image to damage: a copy of the fixture's bytes. */
struct img {
	uint8_t *b;
	size_t len;
	uint32_t bins;
};

static struct img
load(const char *path)
{
	struct img m = {0};
	m.b = (uint8_t *)tu_read(path, &m.len);
	cr_assert_not_null(m.b);
	cr_assert_geq(m.len, 0x2000u);
	m.bins = mp_le32(m.b + 0x28);
	return m;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Offset from the first hbin of the n-th hbin (0 = first); asserted to exist. */
static uint32_t
nth_bin(const struct img *m, unsigned n)
{
	uint32_t at = 0;
	for (unsigned i = 0; i < n; i++) {
		cr_assert_lt(at, m->bins);
		at += mp_le32(m->b + 0x1000 + at + 8);
	}
	cr_assert_lt(at, m->bins, "hive has fewer than %u bins", n + 1);
	return at;
}

static unsigned
count_bins(const struct img *m)
{
	unsigned n = 0;
	for (uint32_t at = 0; at < m->bins; at += mp_le32(m->b + 0x1000 + at + 8))
		n++;
	return n;
}

/* Offset of the last cell of the bin at rel. */
static uint32_t
last_cell(const struct img *m, uint32_t rel)
{
	uint32_t end = rel + mp_le32(m->b + 0x1000 + rel + 8), at = rel + 32, last = at;
	while (at < end) {
		int32_t raw = (int32_t)mp_le32(m->b + 0x1000 + at);
		last = at;
		at += (uint32_t)(raw < 0 ? -raw : raw);
	}
	return last;
}

/* Runs the walk over the image written to a file; returns its result and
 * leaves its message in tu_ctx. */
static int
walk(const struct img *m)
{
	char *p = tu_tmp_write("walk.dat", m->b, m->len);
	int fd = open(p, O_RDONLY);
	cr_assert_geq(fd, 0);
	int rc = mp_regf_binwalk(tu_ctx, fd, m->bins, mp_le32(m->b + 0x24));
	close(fd);
	free(p);
	return rc;
}

/* Asserts the walk refuses m with MAPIPROF_E_FORMAT naming file offset
 * rel + 4096. */
static void
assert_refused_at(const struct img *m, uint32_t rel)
{
	char off[32];
	snprintf(off, sizeof(off), "file offset 0x%llx ", (unsigned long long)rel + 0x1000u);
	cr_assert_eq(walk(m), MAPIPROF_FAILED, "walk accepted damage at %s", off);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_FORMAT);
	cr_assert(strstr(mapiprof_errmsg(tu_ctx), off) != NULL, "'%s' does not name %s",
	          mapiprof_errmsg(tu_ctx), off);
}

static struct img
fixture(void)
{
	char *p = tu_fixture("exchange-mapi.dat");
	struct img m = load(p);
	free(p);
	cr_assert_geq(count_bins(&m), 3, "the fixture needs a bin in the middle");
	return m;
}

Test(regf_binwalk, accepts_good_hives)
{
	struct img m = fixture();
	cr_assert_eq(walk(&m), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	free(m.b);
	char *p = tu_make_big(4); /* hundreds of bins, read through several windows */
	m = load(p);
	cr_assert_gt(count_bins(&m), 100);
	cr_assert_eq(walk(&m), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	free(m.b);
	free(p);
}

Test(regf_binwalk, refuses_a_bad_hbin_signature)
{
	struct img m = fixture();
	uint32_t bin = nth_bin(&m, 1);
	memcpy(m.b + 0x1000 + bin, "hbiX", 4);
	assert_refused_at(&m, bin);
	free(m.b);
}

Test(regf_binwalk, refuses_a_wrong_hbin_self_offset)
{
	struct img m = fixture();
	uint32_t bin = nth_bin(&m, 2);
	put32(m.b + 0x1000 + bin + 4, bin + 0x1000u);
	assert_refused_at(&m, bin);
	free(m.b);
}

Test(regf_binwalk, refuses_a_bin_size_of_part_units)
{
	struct img m = fixture();
	uint32_t bin = nth_bin(&m, 1);
	put32(m.b + 0x1000 + bin + 8, mp_le32(m.b + 0x1000 + bin + 8) + 8u);
	assert_refused_at(&m, bin);
	free(m.b);
}

Test(regf_binwalk, refuses_a_bin_past_the_hive_bins)
{
	struct img m = fixture();
	uint32_t bin = nth_bin(&m, count_bins(&m) - 1);
	put32(m.b + 0x1000 + bin + 8, mp_le32(m.b + 0x1000 + bin + 8) + 0x1000u);
	assert_refused_at(&m, bin);
	free(m.b);
}

/* The last cell of a bin made 8 bytes longer runs past its bin. */
static void
break_tiling(unsigned nbin)
{
	struct img m = fixture();
	uint32_t cell = last_cell(&m, nth_bin(&m, nbin));
	uint8_t *p = m.b + 0x1000 + cell;
	int32_t raw = (int32_t)mp_le32(p);
	put32(p, (uint32_t)(raw < 0 ? raw - 8 : raw + 8));
	assert_refused_at(&m, cell);
	free(m.b);
}

Test(regf_binwalk, refuses_cells_not_tiling_a_middle_bin)
{
	break_tiling(1);
}

Test(regf_binwalk, refuses_cells_not_tiling_the_last_bin)
{
	struct img m = fixture();
	unsigned n = count_bins(&m);
	free(m.b);
	break_tiling(n - 1);
}

Test(regf_binwalk, refuses_a_zero_size_cell)
{
	struct img m = fixture();
	uint32_t cell = nth_bin(&m, 1) + 32;
	put32(m.b + 0x1000 + cell, 0);
	assert_refused_at(&m, cell);
	free(m.b);
}

Test(regf_binwalk, refuses_a_root_offset_inside_a_cell)
{
	struct img m = fixture();
	put32(m.b + 0x24, mp_le32(m.b + 0x24) + 8u);
	cr_assert_eq(walk(&m), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_FORMAT);
	cr_assert(strstr(mapiprof_errmsg(tu_ctx), "root key") != NULL, "%s",
	          mapiprof_errmsg(tu_ctx));
	free(m.b);
}

/* ---- through apply ------------------------------------------------------ */

/* A free cell of at least 24 bytes past the first bin split into two free
 * cells of 12 and size - 12 bytes: whole 4 bytes, so hivex opens the hive,
 * but not whole 8, so the walk refuses it.  apply still writes it (hivex's
 * open decides) and hivex and reglookup read the result. */
Test(regf_binwalk, a_hive_only_the_walk_refuses_is_written)
{
	char *p = tu_make_big(2);
	struct img m = load(p);
	uint32_t split = 0;
	for (uint32_t bin = nth_bin(&m, 1); bin < m.bins && split == 0;
	     bin += mp_le32(m.b + 0x1000 + bin + 8)) {
		uint32_t end = bin + mp_le32(m.b + 0x1000 + bin + 8);
		for (uint32_t at = bin + 32; at < end && split == 0;) {
			int32_t raw = (int32_t)mp_le32(m.b + 0x1000 + at);
			if (raw >= 24)
				split = at;
			at += (uint32_t)(raw < 0 ? -raw : raw);
		}
	}
	cr_assert_neq(split, 0, "no free cell of 24 bytes or more");
	uint32_t size = mp_le32(m.b + 0x1000 + split);
	put32(m.b + 0x1000 + split, 12);
	put32(m.b + 0x1000 + split + 12, size - 12u);
	cr_assert_eq(tu_write(p, m.b, m.len), 0);
	cr_assert_eq(walk(&m), MAPIPROF_FAILED, "the walk took a 12-byte cell");
	free(m.b);
	TU_CLI_EXPECT(0, "apply", "cached-mode-on", p);
	cr_assert(strstr(tu_last.out, "1 change written") != NULL ||
	              strstr(tu_last.err, "1 change written") != NULL,
	          "%s%s", tu_last.out, tu_last.err);
	char *hx[] = {(char *)"/usr/bin/hivexregedit", (char *)"--export", p, (char *)"\\", NULL};
	struct tu_run r;
	cr_assert_eq(tu_run(hx, &r), 0);
	cr_assert_eq(r.status, 0, "hivexregedit: %s", r.err);
	cr_assert(strstr(r.out, "[\\Software") != NULL, "%.200s", r.out);
	tu_run_free(&r);
	struct tu_dump d = {0};
	tu_dump_reglookup(p, &d);
	cr_assert_gt(d.n, 1000u);
	tu_dump_free(&d);
	free(p);
}

/* Damage both refuse: apply exits 1 naming the file and the offset, and
 * leaves the file as it was. */
Test(regf_binwalk, a_hive_both_refuse_is_left_untouched)
{
	char *p = tu_make_big(2);
	struct img m = load(p);
	uint32_t bin = nth_bin(&m, count_bins(&m) - 2);
	memcpy(m.b + 0x1000 + bin, "XXXX", 4);
	cr_assert_eq(tu_write(p, m.b, m.len), 0);
	free(m.b);
	struct tu_snap snap = tu_snap_take(p);
	char *before = tu_listing(".");
	TU_CLI_EXPECT(1, "apply", "cached-mode-on", p);
	/* The copy stopped at the damage and was never patched nor named. */
	tu_assert_listing(".", before);
	free(before);
	char off[32];
	snprintf(off, sizeof(off), "file offset 0x%llx", (unsigned long long)bin + 0x1000u);
	cr_assert(strstr(tu_last.err, p) != NULL && strstr(tu_last.err, off) != NULL &&
	              strstr(tu_last.err, "hivex cannot open") != NULL,
	          "%s", tu_last.err);
	tu_snap_assert_same(&snap, p);
	free(p);
}

/* The walk fed the image m in pieces of piece bytes (a multiple of 4096)
 * from file offset 0, then ended; its result, the message in tu_ctx. */
static int
walk_pieces(const struct img *m, size_t piece)
{
	struct mp_regf_binwalk w;
	mp_regf_binwalk_begin(&w, tu_ctx, m->bins, mp_le32(m->b + 0x24));
	for (size_t off = 0; off < m->len; off += piece) {
		size_t n = m->len - off < piece ? m->len - off : piece;
		if (mp_regf_binwalk_feed(&w, m->b + off, n, off) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
	}
	return mp_regf_binwalk_end(&w);
}

/* The copy feeds the walk 1 MiB pieces; any cut at a multiple of 4096
 * bytes gives the same verdict and the same message as one read of it
 * all: pieces of one 4 KiB unit (a bin header at the start of nearly
 * every piece, cells running across the cuts) up to the whole file. */
Test(regf_binwalk, pieces_of_any_4k_multiple_give_the_same_verdict)
{
	char *p = tu_make_big(2);
	struct img m = load(p);
	static const size_t pieces[] = {4096, 12288, 1u << 20, 1u << 30};
	for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++)
		cr_assert_eq(walk_pieces(&m, pieces[i]), MAPIPROF_OK, "pieces of %zu: %s",
		             pieces[i], mapiprof_errmsg(tu_ctx));
	/* A cell in the middle of a bin of the second half no longer tiles it. */
	uint32_t bin = nth_bin(&m, count_bins(&m) / 2 + 1), cell = bin + 32;
	put32(m.b + 0x1000 + cell, 0xfffffff4u); /* 12 bytes: not whole 8 */
	cr_assert_eq(walk(&m), MAPIPROF_FAILED);
	char want[sizeof(tu_ctx->msg)];
	snprintf(want, sizeof(want), "%s", mapiprof_errmsg(tu_ctx));
	cr_assert(strstr(want, "cell size does not tile its hbin") != NULL, "%s", want);
	for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++) {
		cr_assert_eq(walk_pieces(&m, pieces[i]), MAPIPROF_FAILED, "pieces of %zu",
		             pieces[i]);
		cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_FORMAT);
		cr_assert_str_eq(mapiprof_errmsg(tu_ctx), want, "pieces of %zu", pieces[i]);
	}
	free(m.b);
	free(p);
}

/* Pieces that stop before the end of the hive bins (a copy cut short) are
 * not a verdict on the rest: MAPIPROF_E_TRUNCATED naming where the unseen
 * bytes begin; and a gap between pieces is refused, not skipped. */
Test(regf_binwalk, pieces_stopping_short_or_leaving_a_gap_are_refused)
{
	struct img m = fixture();
	struct mp_regf_binwalk w;
	mp_regf_binwalk_begin(&w, tu_ctx, m.bins, mp_le32(m.b + 0x24));
	size_t half = (0x1000u + m.bins / 2) / 4096u * 4096u;
	cr_assert_eq(mp_regf_binwalk_feed(&w, m.b, half, 0), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mp_regf_binwalk_end(&w), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_TRUNCATED);
	cr_assert(strstr(mapiprof_errmsg(tu_ctx), "were not all checked") != NULL, "%s",
	          mapiprof_errmsg(tu_ctx));

	mp_regf_binwalk_begin(&w, tu_ctx, m.bins, mp_le32(m.b + 0x24));
	cr_assert_eq(mp_regf_binwalk_feed(&w, m.b, 0x2000, 0), MAPIPROF_OK);
	cr_assert_eq(mp_regf_binwalk_feed(&w, m.b + 0x3000, m.len - 0x3000, 0x3000),
	             MAPIPROF_FAILED, "a gap of 4 KiB went unnoticed");
	cr_assert(strstr(mapiprof_errmsg(tu_ctx), "missed the bytes") != NULL, "%s",
	          mapiprof_errmsg(tu_ctx));
	free(m.b);
}

/* hivex's open judges what the project's own checks refuse: a good hive is
 * taken (error cleared, hivex's store handed over); a hive hivex refuses
 * too gets one message with both reasons; an error that is not about the
 * format is no refusal to judge.  The lazy reader's check of the first
 * bin goes through it. */
Test(regf_binwalk, hivex_decides_what_our_checks_refuse)
{
	char *good = tu_fixture("exchange-mapi.dat");
	mp_seterr(tu_ctx, MAPIPROF_E_IO, "cannot read");
	cr_assert_eq(mp_regf_hivex_decides(tu_ctx, good, NULL, NULL), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_IO);
	cr_assert_str_eq(mapiprof_errmsg(tu_ctx), "cannot read");

	struct mp_store *hx = NULL;
	mp_seterr(tu_ctx, MAPIPROF_E_FORMAT, "our reason");
	cr_assert_eq(mp_regf_hivex_decides(tu_ctx, good, "what", &hx), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_NONE);
	cr_assert_not_null(hx);
	mp_store_close(hx);

	struct img m = load(good);
	memcpy(m.b + 0x1000, "XXXX", 4); /* the first bin's signature */
	char *bad = tu_tmp_write("first.dat", m.b, m.len);
	free(m.b);
	mp_seterr(tu_ctx, MAPIPROF_E_FORMAT, "our reason");
	cr_assert_eq(mp_regf_hivex_decides(tu_ctx, bad, NULL, NULL), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_FORMAT);
	cr_assert(strncmp(mapiprof_errmsg(tu_ctx), "our reason; hivex cannot open", 29) == 0, "%s",
	          mapiprof_errmsg(tu_ctx));

	struct mp_store *s = NULL;
	cr_assert_eq(mp_regf_lazy_open(tu_ctx, bad, &s), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_FORMAT);
	cr_assert(strstr(mapiprof_errmsg(tu_ctx), "first hive bin: ") != NULL &&
	              strstr(mapiprof_errmsg(tu_ctx), "; hivex cannot open") != NULL,
	          "%s", mapiprof_errmsg(tu_ctx));
	free(bad);
	free(good);
}
