/* binwalk.c - every hbin and cell of a hive checked in file order
 * (binwalk.h), from the bytes fed to it: each byte is looked at once, and
 * only bin headers and cell size fields at all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "base/platform.h"
#include "regf/base_block.h"
#include "regf/binwalk.h"
#include "regf/cells.h"

/* Bytes read at a time by mp_regf_binwalk (a multiple of 4096). */
#define WINDOW (1u << 20)

static int
bad(struct mp_regf_binwalk *w, const char *what, uint32_t rel, uint32_t value)
{
	mp_seterr(w->ctx, MAPIPROF_E_FORMAT, "%s at file offset 0x%llx (0x%08x)", what,
	          (unsigned long long)rel + MP_REGF_BASE_BLOCK, value);
	return MAPIPROF_FAILED;
}

/* Checks the header h of the hbin at w->at and steps past it into its
 * cells. */
static int
bin_header(struct mp_regf_binwalk *w, const uint8_t *h)
{
	uint32_t rel = w->at;
	if (memcmp(h, "hbin", 4) != 0)
		return bad(w, "no 'hbin' signature", rel, mp_le32(h));
	if (mp_le32(h + MP_HBIN_OFFSET) != rel)
		return bad(w, "hbin's own offset is wrong", rel, mp_le32(h + MP_HBIN_OFFSET));
	uint32_t len = mp_le32(h + MP_HBIN_SIZE);
	if (len == 0 || len % MP_HBIN_ALIGN != 0 || len > w->bins - rel)
		return bad(w, "hbin size is not whole 4 KiB units inside the hive bins", rel, len);
	w->bin_end = rel + len;
	w->at = rel + MP_HBIN_HDR; /* < bin_end: len >= 4096 */
	return MAPIPROF_OK;
}

/* Checks the size field p of the cell at w->at (it must tile its bin) and
 * steps past the cell. */
static int
cell(struct mp_regf_binwalk *w, const uint8_t *p)
{
	uint32_t raw = mp_le32(p);
	uint32_t len = (raw & 0x80000000u) != 0 ? 0u - raw : raw;
	if (len < 8u || len % 8u != 0 || len > w->bin_end - w->at)
		return bad(w, "cell size does not tile its hbin", w->at, raw);
	if (w->at == w->root)
		w->root_seen = 1;
	w->at += len; /* by >= 8, to at most bin_end */
	return MAPIPROF_OK;
}

void
mp_regf_binwalk_begin(struct mp_regf_binwalk *w, struct mapiprof_ctx *ctx, uint32_t bins,
                      uint32_t root)
{
	*w = (struct mp_regf_binwalk){ctx, bins, root, 0, 0, 0};
}

int
mp_regf_binwalk_feed(void *walk, const uint8_t *p, size_t len, uint64_t off)
{
	struct mp_regf_binwalk *w = walk;
	/* The piece as offsets from the first hbin, cut to the hive bins. */
	uint64_t lo = off, hi = off + len, first = MP_REGF_BASE_BLOCK;
	if (hi <= first || lo >= first + w->bins)
		return MAPIPROF_OK;
	if (lo < first) {
		p += first - lo;
		lo = first;
	}
	if (hi > first + w->bins)
		hi = first + w->bins;
	uint32_t from = (uint32_t)(lo - first), to = (uint32_t)(hi - first);
	if (from > w->at) {
		mp_seterr(w->ctx, MAPIPROF_E_INVALID,
		          "the check of the hive bins missed the bytes at file offset 0x%llx",
		          (unsigned long long)w->at + MP_REGF_BASE_BLOCK);
		return MAPIPROF_FAILED;
	}
	while (w->at < to) {
		/* A bin header is never cut by a piece boundary at a multiple of
		 * 4096 bytes (bins are whole 4 KiB units), nor a cell's size
		 * field (cells are whole 8 bytes); a cut one waits in vain and
		 * mp_regf_binwalk_end reports the hive bins unfinished. */
		uint32_t need = w->at == w->bin_end ? MP_HBIN_HDR : 4u;
		if (w->at == w->bin_end && w->bins - w->at < MP_HBIN_HDR)
			return bad(w, "hbin header past the end of the hive bins", w->at, w->bins);
		if (to - w->at < need)
			return MAPIPROF_OK;
		const uint8_t *q = p + (w->at - from);
		if ((w->at == w->bin_end ? bin_header(w, q) : cell(w, q)) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

int
mp_regf_binwalk_end(struct mp_regf_binwalk *w)
{
	if (w->bins == 0) {
		mp_seterr(w->ctx, MAPIPROF_E_FORMAT, "the hive has no hive bins");
		return MAPIPROF_FAILED;
	}
	if (w->at < w->bins) {
		mp_seterr(w->ctx, MAPIPROF_E_TRUNCATED,
		          "the hive bins were not all checked: the bytes from file offset 0x%llx "
		          "on were never read",
		          (unsigned long long)w->at + MP_REGF_BASE_BLOCK);
		return MAPIPROF_FAILED;
	}
	if (!w->root_seen) {
		mp_seterr(w->ctx, MAPIPROF_E_FORMAT,
		          "the root key's offset 0x%llx is not where a cell starts",
		          (unsigned long long)w->root + MP_REGF_BASE_BLOCK);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

int
mp_regf_binwalk(struct mapiprof_ctx *ctx, int fd, uint32_t bins, uint32_t root)
{
	uint8_t *buf = malloc(WINDOW);
	if (buf == NULL)
		return mp_nomem(ctx);
	struct mp_regf_binwalk w;
	mp_regf_binwalk_begin(&w, ctx, bins, root);
	int rc = MAPIPROF_OK;
	uint64_t end = (uint64_t)MP_REGF_BASE_BLOCK + bins;
	for (uint64_t off = MP_REGF_BASE_BLOCK; rc == MAPIPROF_OK && off < end; off += WINDOW) {
		size_t n = end - off < WINDOW ? (size_t)(end - off) : WINDOW;
		rc = mp_pread_full(ctx, fd, buf, n, off);
		if (rc == MAPIPROF_OK)
			rc = mp_regf_binwalk_feed(&w, buf, n, off);
	}
	if (rc == MAPIPROF_OK)
		rc = mp_regf_binwalk_end(&w);
	free(buf);
	return rc;
}
