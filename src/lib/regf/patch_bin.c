/* patch_bin.c - the cells the in-place patcher (regf/patch.c) and its key
 * creation (regf/newkeys.c) add to the one new bin, touch or free
 * (patch_int.h; M. Suhanov's regf specification, "Hive bin", "Cell"). */
#include <stdint.h>

#include "base/le.h"
#include "base/platform.h"
#include "regf/patch_int.h"
#include "regf/writes.h"

/* A cell of size bytes in the new bin; *rel its offset (DECLINE past
 * NEW_BIN_MAX). */
int
mp_patch_bin_alloc(struct patch *p, uint32_t size, uint32_t *rel)
{
	if (p->bin_used == 0)
		p->bin_used = MP_HBIN_HDR;
	if (size > NEW_BIN_MAX - p->bin_used)
		return DECLINE;
	*rel = p->bins + p->bin_used;
	p->bin_used += size;
	return MAPIPROF_OK;
}

void
mp_patch_add_span(struct patch *p, uint32_t rel, uint32_t len)
{
	p->spans[p->nspans].rel = rel;
	p->spans[p->nspans].len = len;
	p->nspans++;
}

/* The new bin's bytes for the cell at rel (inside the new bin). */
uint8_t *
mp_patch_bin_cell(struct patch *p, uint32_t rel)
{
	return p->bin + (rel - p->bins);
}

/* Marks the cell at rel (size cell) free: positive size ("Cell"). */
int
mp_patch_write_free(struct patch *p, uint32_t rel, uint32_t cell)
{
	uint8_t b[4];
	mp_put_le32(b, cell);
	return mp_patch_pwrite(p, b, sizeof(b), (uint64_t)rel + MP_REGF_BASE_BLOCK);
}

int
mp_patch_pwrite(struct patch *p, const void *buf, size_t len, uint64_t off)
{
	if (p->rec != NULL)
		return mp_regf_writes_add(p->ctx, p->rec, buf, len, off);
	return mp_pwrite_full(p->ctx, p->fd, buf, len, off);
}
