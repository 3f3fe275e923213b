/* binwalk.c - every hbin and cell of a hive checked from a window of 1 MiB
 * moved forward through the file (binwalk.h).  Bins and cells are visited
 * in file order, so each byte is read at most once, and only the windows
 * holding a bin header or a cell's size field are read at all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "regf/base_block.h"
#include "regf/binwalk.h"
#include "regf/cells.h"

#define WINDOW (1u << 20)

/* The bytes [start, start + len) of the file (offsets from the first hbin)
 * in buf. */
struct window {
	struct mp_regf_cells c;
	uint8_t *buf;
	uint32_t start, len;
};

/* Points *p at n bytes at rel (rel + n within the hive bins, checked by
 * the caller), reading the window on from rel's 4 KiB unit when they are
 * not in it. */
static int
window_at(struct window *w, uint32_t rel, uint32_t n, const uint8_t **p)
{
	if (rel < w->start || rel - w->start > w->len || w->len - (rel - w->start) < n) {
		uint32_t start = rel - rel % MP_HBIN_ALIGN;
		uint32_t len = w->c.bins - start < WINDOW ? w->c.bins - start : WINDOW;
		w->len = 0;
		if (mp_regf_cells_pread(&w->c, w->buf, len, (uint64_t)start + MP_REGF_BASE_BLOCK) !=
		    MAPIPROF_OK)
			return MAPIPROF_FAILED;
		w->start = start;
		w->len = len;
	}
	*p = w->buf + (rel - w->start);
	return MAPIPROF_OK;
}

static int
bad(struct window *w, const char *what, uint32_t rel, uint32_t value)
{
	mp_seterr(w->c.ctx, MAPIPROF_E_FORMAT, "%s at file offset 0x%llx (0x%08x)", what,
	          (unsigned long long)rel + MP_REGF_BASE_BLOCK, value);
	return MAPIPROF_FAILED;
}

/* Checks the header of the hbin at rel; sets *size to its size. */
static int
bin_header(struct window *w, uint32_t rel, uint32_t *size)
{
	const uint8_t *h = NULL;
	if (w->c.bins - rel < MP_HBIN_HDR)
		return bad(w, "hbin header past the end of the hive bins", rel, w->c.bins);
	if (window_at(w, rel, MP_HBIN_HDR, &h) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (memcmp(h, "hbin", 4) != 0)
		return bad(w, "no 'hbin' signature", rel, mp_le32(h));
	if (mp_le32(h + MP_HBIN_OFFSET) != rel)
		return bad(w, "hbin's own offset is wrong", rel, mp_le32(h + MP_HBIN_OFFSET));
	uint32_t len = mp_le32(h + MP_HBIN_SIZE);
	if (len == 0 || len % MP_HBIN_ALIGN != 0 || len > w->c.bins - rel)
		return bad(w, "hbin size is not whole 4 KiB units inside the hive bins", rel, len);
	*size = len;
	return MAPIPROF_OK;
}

/* Checks that the cells of the bin [rel, rel + size) tile it; sets
 * *root_seen when one starts at root. */
static int
bin_cells(struct window *w, uint32_t rel, uint32_t size, uint32_t root, int *root_seen)
{
	uint32_t end = rel + size; /* <= bins: checked by bin_header */
	for (uint32_t at = rel + MP_HBIN_HDR; at < end;) {
		const uint8_t *p = NULL;
		if (window_at(w, at, 4u, &p) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		uint32_t raw = mp_le32(p);
		uint32_t len = (raw & 0x80000000u) != 0 ? 0u - raw : raw;
		if (len < 8u || len % 8u != 0 || len > end - at)
			return bad(w, "cell size does not tile its hbin", at, raw);
		if (at == root)
			*root_seen = 1;
		at += len; /* by >= 8, to at most end */
	}
	return MAPIPROF_OK;
}

int
mp_regf_binwalk(struct mapiprof_ctx *ctx, int fd, uint32_t bins, uint32_t root)
{
	struct window w = {{ctx, fd, bins, NULL}, malloc(WINDOW), 0, 0};
	if (w.buf == NULL)
		return mp_nomem(ctx);
	int rc = MAPIPROF_OK, root_seen = 0;
	for (uint32_t rel = 0, size = 0; rc == MAPIPROF_OK && rel < bins; rel += size) {
		rc = bin_header(&w, rel, &size);
		if (rc == MAPIPROF_OK)
			rc = bin_cells(&w, rel, size, root, &root_seen);
	}
	if (rc == MAPIPROF_OK && bins == 0) {
		mp_seterr(ctx, MAPIPROF_E_FORMAT, "the hive has no hive bins");
		rc = MAPIPROF_FAILED;
	}
	if (rc == MAPIPROF_OK && !root_seen) {
		mp_seterr(ctx, MAPIPROF_E_FORMAT,
		          "the root key's offset 0x%llx is not where a cell starts",
		          (unsigned long long)root + MP_REGF_BASE_BLOCK);
		rc = MAPIPROF_FAILED;
	}
	free(w.buf);
	return rc;
}
