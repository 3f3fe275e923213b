/* subkeys.c - subkey lists read and written (subkeys.h).
 *
 * Layout (M. Suhanov's regf specification, "Subkeys list"; libyal libregf,
 * "Sub keys list"): a cell holding a two-byte signature, a 16-bit count and
 * the entries: "li" an nk offset each, "lf" and "lh" an nk offset and four
 * bytes (a name hint, a name hash), "ri" the offsets of li/lf/lh leaves (an
 * ri never points at an ri). */
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "base/limits.h"
#include "base/platform.h"
#include "regf/subkeys.h"
#include "store/store.h"

/* Size field, signature, count. */
#define LIST_HDR 8u

/* Reads the leaf at rel into out (entries n.. on, at most cap in all); its
 * hashes too while out->hash is not NULL and it is an lh, else sets
 * out->hash to NULL. */
static int
read_leaf(const struct mp_regf_cells *c, const char *uid, uint32_t rel, uint32_t cap,
          struct mp_regf_subkeys *out)
{
	uint8_t head[LIST_HDR];
	uint32_t cell = 0;
	int rc = mp_regf_cells_read(c, uid, "subkey list", rel, head, LIST_HDR, &cell);
	if (rc != MAPIPROF_OK)
		return rc;
	int li = memcmp(head + 4, "li", 2) == 0, lh = memcmp(head + 4, "lh", 2) == 0;
	if (!li && !lh && memcmp(head + 4, "lf", 2) != 0)
		return MP_CELLS_UNUSUAL;
	uint32_t count = mp_le16(head + 6), width = li ? 4u : 8u;
	if (count > (cell - LIST_HDR) / width || count > cap - out->n)
		return MP_CELLS_UNUSUAL;
	uint8_t *raw = malloc((size_t)count * width + 1u);
	if (raw == NULL)
		return mp_nomem(c->ctx);
	rc = mp_regf_cells_pread(c, raw, (size_t)count * width,
	                         (uint64_t)rel + MP_REGF_BASE_BLOCK + LIST_HDR);
	if (!lh)
		out->hash = NULL; /* the caller computes every hash */
	for (uint32_t i = 0; rc == MAPIPROF_OK && i < count; i++) {
		if (out->hash != NULL)
			out->hash[out->n] = mp_le32(raw + width * i + 4u);
		out->nk[out->n++] = mp_le32(raw + width * i);
	}
	free(raw);
	out->cells[2u * out->ncells] = rel;
	out->cells[2u * out->ncells + 1u] = cell;
	out->ncells++;
	return rc;
}

int
mp_regf_subkeys_read(const struct mp_regf_cells *c, const char *uid, uint32_t nsub, uint32_t list,
                     struct mp_arena *a, struct mp_regf_subkeys *out)
{
	uint8_t head[LIST_HDR];
	uint32_t cell = 0, nleaves = 0;
	memset(out, 0, sizeof(*out));
	if (nsub == 0)
		return MAPIPROF_OK;
	if (nsub > MP_MAX_SUBKEYS_PER_KEY)
		return MP_CELLS_UNUSUAL;
	int rc = mp_regf_cells_read(c, uid, "subkey list", list, head, LIST_HDR, &cell);
	if (rc != MAPIPROF_OK)
		return rc;
	int ri = memcmp(head + 4, "ri", 2) == 0;
	if (ri && (nleaves = mp_le16(head + 6)) > (cell - LIST_HDR) / 4u)
		return MP_CELLS_UNUSUAL;
	out->nk = mp_arena_calloc(a, nsub, sizeof(*out->nk));
	out->hash = mp_arena_calloc(a, nsub, sizeof(*out->hash));
	out->cells = mp_arena_calloc(a, 2u * (nleaves + 1u), sizeof(*out->cells));
	if (out->nk == NULL || out->hash == NULL || out->cells == NULL)
		return mp_nomem(c->ctx);
	if (!ri) {
		rc = read_leaf(c, uid, list, nsub, out);
		return rc == MAPIPROF_OK && out->n != nsub ? MP_CELLS_UNUSUAL : rc;
	}
	uint8_t *raw = malloc(4u * (size_t)nleaves + 1u);
	if (raw == NULL)
		return mp_nomem(c->ctx);
	rc = mp_regf_cells_pread(c, raw, 4u * (size_t)nleaves,
	                         (uint64_t)list + MP_REGF_BASE_BLOCK + LIST_HDR);
	for (uint32_t i = 0; rc == MAPIPROF_OK && i < nleaves; i++)
		rc = read_leaf(c, uid, mp_le32(raw + 4u * i), nsub, out);
	free(raw);
	out->cells[2u * out->ncells] = list;
	out->cells[2u * out->ncells + 1u] = cell;
	out->ncells++;
	return rc == MAPIPROF_OK && out->n != nsub ? MP_CELLS_UNUSUAL : rc;
}

/* "Hash leaf": H = 37 H + each upper-cased character (ReactOS cmindex.c,
 * CmpComputeHashKey); the fold is Windows' for Latin-1 but U+00B5 and
 * U+00FF. */
int
mp_regf_subkeys_hash(const uint16_t *units, uint32_t n, uint32_t *hash)
{
	uint32_t h = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (units[i] > 0xFEu || units[i] == 0xB5u)
			return 0;
		h = 37u * h + mp_name_fold(units[i]);
	}
	*hash = h;
	return 1;
}

/* ReactOS cmindex.c, CmpAddToLeaf: the hint is the name's first four
 * characters as stored, all zero when one is wider than a byte. */
void
mp_regf_subkeys_hint(const uint16_t *units, uint32_t n, uint8_t hint[4])
{
	memset(hint, 0, 4);
	for (uint32_t i = 0; i < n && i < 4u; i++) {
		if (units[i] > 0xFFu) {
			memset(hint, 0, 4);
			return;
		}
		hint[i] = (uint8_t)units[i];
	}
}

uint32_t
mp_regf_subkeys_nleaves(uint32_t n)
{
	return n <= MP_REGF_LEAF_MAX ? 0u : (n + MP_REGF_LEAF_MAX - 1u) / MP_REGF_LEAF_MAX;
}

uint32_t
mp_regf_subkeys_leaf_count(uint32_t n, uint32_t nleaves, uint32_t j)
{
	return n / nleaves + (j < n % nleaves ? 1u : 0u);
}

uint32_t
mp_regf_subkeys_leaf_size(uint32_t count)
{
	return mp_round8(LIST_HDR + 8u * count);
}

uint32_t
mp_regf_subkeys_ri_size(uint32_t nleaves)
{
	return mp_round8(LIST_HDR + 4u * nleaves);
}

void
mp_regf_subkeys_put_leaf(uint8_t *cell, int lh, uint32_t count)
{
	mp_put_le32(cell, 0u - mp_regf_subkeys_leaf_size(count));
	memcpy(cell + 4, lh ? "lh" : "lf", 2);
	mp_put_le16(cell + 6, (uint16_t)count);
}

void
mp_regf_subkeys_put_entry(uint8_t *cell, uint32_t i, uint32_t nk, const uint8_t second[4])
{
	mp_put_le32(cell + LIST_HDR + 8u * i, nk);
	memcpy(cell + LIST_HDR + 8u * i + 4u, second, 4);
}

void
mp_regf_subkeys_put_ri(uint8_t *cell, const uint32_t *leaves, uint32_t nleaves)
{
	mp_put_le32(cell, 0u - mp_regf_subkeys_ri_size(nleaves));
	memcpy(cell + 4, "ri", 2);
	mp_put_le16(cell + 6, (uint16_t)nleaves);
	for (uint32_t j = 0; j < nleaves; j++)
		mp_put_le32(cell + LIST_HDR + 4u * j, leaves[j]);
}
