/* cells.c - checked reads of nk, value list, vk and data cells from a file
 * descriptor (cells.h), for the in-place patcher and the writer's fast
 * verification.
 *
 * Cell offsets ("rel") are relative to the first hbin, i.e. file offset
 * minus 4096.  Every offset and length is checked against the hive bins
 * before it is read; nothing is read through a pointer into the file. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "base/limits.h"
#include "base/platform.h"
#include "base/utf16.h"
#include "regf/cells.h"

static _Atomic uint64_t read_bytes;

uint64_t
mp_regf_cells_bytes(void)
{
	return atomic_load(&read_bytes);
}

int
mp_regf_cells_pread(const struct mp_regf_cells *c, void *buf, size_t len, uint64_t offset)
{
	atomic_fetch_add(&read_bytes, len);
	if (c->cache != NULL)
		return mp_readcache_read(c->cache, c->ctx, buf, len, offset);
	return mp_pread_full(c->ctx, c->fd, buf, len, offset);
}

int
mp_regf_cells_bad(const struct mp_regf_cells *c, const char *uid, const char *what, uint32_t rel)
{
	mp_seterr(c->ctx, MAPIPROF_E_FORMAT, "section '%.200s': %s at file offset 0x%llx",
	          uid != NULL ? uid : "?", what, (unsigned long long)rel + MP_REGF_BASE_BLOCK);
	return MAPIPROF_FAILED;
}

/* 1 when a cell of at least len bytes may start at rel. */
static int
in_bins(const struct mp_regf_cells *c, uint32_t rel, uint32_t len)
{
	return rel != MP_CELL_NONE && rel % 4u == 0 && rel >= MP_HBIN_HDR && rel < c->bins &&
	       c->bins - rel >= len;
}

int
mp_regf_cells_read(const struct mp_regf_cells *c, const char *uid, const char *what, uint32_t rel,
                   uint8_t *buf, uint32_t len, uint32_t *cell)
{
	char msg[128];
	if (!in_bins(c, rel, len)) {
		snprintf(msg, sizeof(msg), "%s offset is outside the hive bins", what);
		return mp_regf_cells_bad(c, uid, msg, rel);
	}
	if (rel % 8u != 0)
		return MP_CELLS_UNUSUAL; /* hivex accepts 4-aligned cells; Windows never writes them
		                          */
	if (mp_regf_cells_pread(c, buf, len, (uint64_t)rel + MP_REGF_BASE_BLOCK) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	uint32_t raw = mp_le32(buf);
	uint32_t size = 0u - raw;
	if ((raw & 0x80000000u) == 0 || size < len || size > c->bins - rel) {
		snprintf(msg, sizeof(msg), "%s is free or its size 0x%08x is not valid", what, raw);
		return mp_regf_cells_bad(c, uid, msg, rel);
	}
	if (size % 8u != 0)
		return MP_CELLS_UNUSUAL;
	*cell = size;
	return MAPIPROF_OK;
}

int
mp_regf_cells_nk(const struct mp_regf_cells *c, const char *uid, uint64_t key,
                 struct mp_regf_nk *nk)
{
	memset(nk, 0, sizeof(*nk));
	if (key < MP_REGF_BASE_BLOCK || key - MP_REGF_BASE_BLOCK > UINT32_MAX)
		return mp_regf_cells_bad(c, uid, "key handle is outside the hive bins", 0);
	nk->rel = (uint32_t)(key - MP_REGF_BASE_BLOCK);
	int rc = mp_regf_cells_read(c, uid, "nk cell", nk->rel, nk->hdr, MP_NK_HDR, &nk->cell);
	if (rc != MAPIPROF_OK)
		return rc;
	if (memcmp(nk->hdr + 4, "nk", 2) != 0)
		return mp_regf_cells_bad(c, uid, "no 'nk' signature", nk->rel);
	if (MP_NK_HDR + (uint32_t)mp_le16(nk->hdr + MP_NK_NAMELEN) > nk->cell)
		return mp_regf_cells_bad(c, uid, "key name longer than its nk cell", nk->rel);
	nk->nvalues = mp_le32(nk->hdr + MP_NK_NVALUES);
	nk->vlist = mp_le32(nk->hdr + MP_NK_VLIST);
	nk->maxvname = mp_le32(nk->hdr + MP_NK_MAXVNAME);
	nk->maxdata = mp_le32(nk->hdr + MP_NK_MAXDATA);
	if (nk->nvalues > MP_MAX_VALUES_PER_KEY) {
		mp_seterr(c->ctx, MAPIPROF_E_LIMIT, "section '%.200s': %u values exceed the cap %u",
		          uid != NULL ? uid : "?", nk->nvalues, MP_MAX_VALUES_PER_KEY);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

int
mp_regf_cells_vlist(const struct mp_regf_cells *c, const char *uid, const struct mp_regf_nk *nk,
                    struct mp_arena *a, uint32_t **list, uint32_t *list_cell)
{
	uint8_t head[4];
	*list = NULL;
	*list_cell = 0;
	if (nk->nvalues == 0)
		return MAPIPROF_OK;
	int rc = mp_regf_cells_read(c, uid, "value list", nk->vlist, head, sizeof(head), list_cell);
	if (rc != MAPIPROF_OK)
		return rc;
	if (nk->nvalues > (*list_cell - 4u) / 4u)
		return mp_regf_cells_bad(c, uid, "value count exceeds its value list cell",
		                         nk->vlist);
	uint8_t *raw = mp_arena_alloc(a, (size_t)nk->nvalues * 4u);
	uint32_t *out = mp_arena_calloc(a, nk->nvalues, sizeof(*out));
	if (raw == NULL || out == NULL)
		return mp_nomem(c->ctx);
	if (mp_regf_cells_pread(c, raw, (size_t)nk->nvalues * 4u,
	                        (uint64_t)nk->vlist + MP_REGF_BASE_BLOCK + 4u) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	for (uint32_t i = 0; i < nk->nvalues; i++)
		out[i] = mp_le32(raw + 4u * i);
	*list = out;
	return MAPIPROF_OK;
}

int
mp_regf_cells_vk(const struct mp_regf_cells *c, const char *uid, uint32_t rel,
                 struct mp_regf_vk *vk)
{
	memset(vk, 0, sizeof(*vk));
	vk->rel = rel;
	vk->data_rel = MP_CELL_NONE;
	int rc = mp_regf_cells_read(c, uid, "vk cell", rel, vk->hdr, MP_VK_HDR, &vk->cell);
	if (rc != MAPIPROF_OK)
		return rc;
	if (memcmp(vk->hdr + 4, "vk", 2) != 0)
		return mp_regf_cells_bad(c, uid, "no 'vk' signature", rel);
	vk->name_len = mp_le16(vk->hdr + MP_VK_NAMELEN);
	if (MP_VK_HDR + vk->name_len > vk->cell)
		return mp_regf_cells_bad(c, uid, "value name longer than its vk cell", rel);
	vk->comp = (mp_le16(vk->hdr + MP_VK_FLAGS) & MP_VK_COMP_NAME) != 0;
	vk->type = mp_le32(vk->hdr + MP_VK_TYPE);
	uint32_t raw = mp_le32(vk->hdr + MP_VK_DLEN);
	vk->len = raw & ~MP_DATA_INLINE;
	vk->is_inline = (raw & MP_DATA_INLINE) != 0;
	vk->doff = mp_le32(vk->hdr + MP_VK_DOFF);
	return MAPIPROF_OK;
}

int
mp_regf_cells_vk_name(const struct mp_regf_cells *c, const struct mp_regf_vk *vk, uint8_t *buf)
{
	if (vk->name_len == 0)
		return MAPIPROF_OK;
	return mp_regf_cells_pread(c, buf, vk->name_len,
	                           (uint64_t)vk->rel + MP_REGF_BASE_BLOCK + MP_VK_HDR);
}

int
mp_regf_cells_data(const struct mp_regf_cells *c, const char *uid, struct mp_regf_vk *vk)
{
	vk->data_rel = MP_CELL_NONE;
	vk->data_cell = 0;
	if (vk->is_inline) {
		if (vk->len > MP_INLINE_MAX)
			return mp_regf_cells_bad(c, uid, "inline data longer than 4 bytes in vk",
			                         vk->rel);
		return MAPIPROF_OK;
	}
	if (vk->len == 0)
		return MAPIPROF_OK;
	uint8_t head[8];
	uint32_t off = vk->doff, cell = 0;
	int rc = mp_regf_cells_read(c, uid, "data cell", off, head, sizeof(head), &cell);
	if (rc != MAPIPROF_OK)
		return rc;
	if (cell - 4u < vk->len) {
		if (memcmp(head + 4, "db", 2) == 0)
			return MP_CELLS_UNUSUAL;
		return mp_regf_cells_bad(c, uid, "data cell smaller than the value's length", off);
	}
	vk->data_rel = off;
	vk->data_cell = cell;
	return MAPIPROF_OK;
}

int
mp_regf_cells_data_read(const struct mp_regf_cells *c, const struct mp_regf_vk *vk, uint8_t *buf)
{
	if (vk->len == 0)
		return MAPIPROF_OK;
	if (vk->data_rel == MP_CELL_NONE) {
		memcpy(buf, vk->hdr + MP_VK_DOFF, vk->len); /* inline: at most 4 bytes */
		return MAPIPROF_OK;
	}
	return mp_regf_cells_pread(c, buf, vk->len,
	                           (uint64_t)vk->data_rel + MP_REGF_BASE_BLOCK + 4u);
}

int
mp_regf_cells_vk_name_utf8(const struct mp_regf_cells *c, const struct mp_regf_vk *vk, char **out,
                           int *undecodable)
{
	*out = NULL;
	*undecodable = 0;
	uint8_t *raw = malloc(vk->name_len > 0 ? vk->name_len : 1u);
	if (raw == NULL)
		return mp_nomem(c->ctx);
	int rc = mp_regf_cells_vk_name(c, vk, raw);
	size_t len = 0;
	int lossy = 0;
	if (rc == MAPIPROF_OK && vk->comp)
		rc = mp_cp_to_utf8(c->ctx, "LATIN1", raw, vk->name_len, out, &len, &lossy);
	else if (rc == MAPIPROF_OK)
		rc = mp_utf16le_to_utf8(c->ctx, raw, vk->name_len, out, &len, &lossy);
	free(raw);
	if (rc == MAPIPROF_OK && lossy) {
		free(*out);
		*out = NULL;
		*undecodable = 1;
	}
	return rc;
}

int
mp_regf_cells_size(const struct mp_regf_cells *c, const char *uid, uint32_t rel, uint32_t *raw)
{
	uint8_t b[4];
	if (!in_bins(c, rel, sizeof(b)))
		return mp_regf_cells_bad(c, uid, "cell offset is outside the hive bins", rel);
	if (mp_regf_cells_pread(c, b, sizeof(b), (uint64_t)rel + MP_REGF_BASE_BLOCK) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	*raw = mp_le32(b);
	return MAPIPROF_OK;
}

/* Walks the cells of the bin [rel, rel + size): each at least 8 bytes, a
 * multiple of 8, the last ending exactly at the bin's end. */
static int
check_bin_cells(const struct mp_regf_cells *c, const char *uid, uint32_t rel, uint32_t size)
{
	for (uint32_t at = rel + MP_HBIN_HDR; at < rel + size;) {
		uint32_t raw = 0;
		if (mp_regf_cells_size(c, uid, at, &raw) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		uint32_t len = (raw & 0x80000000u) != 0 ? 0u - raw : raw;
		if (len < 8u || len % 8u != 0 || len > rel + size - at)
			return mp_regf_cells_bad(c, uid, "cell size does not tile its hbin", at);
		at += len; /* advances by >= 8 */
	}
	return MAPIPROF_OK;
}

int
mp_regf_cells_bin(const struct mp_regf_cells *c, const char *uid, uint32_t rel, uint32_t *size)
{
	uint8_t h[12];
	*size = 0;
	if (rel % MP_HBIN_ALIGN != 0 || rel >= c->bins || c->bins - rel < MP_HBIN_ALIGN)
		return mp_regf_cells_bad(c, uid, "hbin offset is outside the hive bins", rel);
	if (mp_regf_cells_pread(c, h, sizeof(h), (uint64_t)rel + MP_REGF_BASE_BLOCK) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	uint32_t len = mp_le32(h + MP_HBIN_SIZE);
	if (memcmp(h, "hbin", 4) != 0 || mp_le32(h + MP_HBIN_OFFSET) != rel || len == 0 ||
	    len % MP_HBIN_ALIGN != 0 || len > c->bins - rel)
		return mp_regf_cells_bad(c, uid, "not a valid hbin header", rel);
	if (check_bin_cells(c, uid, rel, len) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	*size = len;
	return MAPIPROF_OK;
}
