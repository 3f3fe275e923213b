/* carve.c - recovering keys and values from a hive's free cells
 * (carve.h).  Offsets ("rel") count from the first hbin; every read is
 * checked against the image first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "base/limits.h"
#include "base/platform.h"
#include "base/utf16.h"
#include "regf/base_block.h"
#include "regf/carve.h"
#include "regf/cells.h"

/* nk flag: name stored one byte per character ("Key node", Flags). */
#define NK_COMP_NAME 0x0020u
/* Longest key name: 255 UTF-16 units ("Registry element size limits"). */
#define NK_NAME_MAX (255u * 2u)
/* Longest value name: 16383 UTF-16 units (same source). */
#define VK_NAME_MAX (16383u * 2u)
/* Live keys a freed value list is weighed against at most, and live values
 * of one name looked at per recovered value: keeps hostile lists linear. */
#define MATCH_CANDIDATES 64u
#define MATCH_PER_NAME   64u

struct extent {
	uint32_t s, e; /* a free cell [s, e) */
};

/* rel -> index, open addressing (rel + 1 stored, so 0 is empty). */
struct relmap {
	uint32_t *rel;
	size_t *idx;
	size_t cap, n;
};

/* A value of a live key: for weighing freed value lists. */
struct live_val {
	uint32_t hash; /* of the case-folded name */
	uint32_t key;  /* nk rel */
	uint32_t vk;
	const char *name;
	uint32_t type;
	const uint8_t *data;
	size_t len;
};

struct carver {
	struct mapiprof_ctx *ctx;
	struct mp_carve *c;
	uint8_t *used; /* one bit per 4 bytes: an allocated cell starts there */
	struct extent *ext;
	size_t next, capext;
	size_t capk, capv;
	uint32_t *live_nk; /* allocated nk cells */
	size_t nlive, caplive;
	struct relmap keymap;   /* nk rel -> key index */
	struct relmap ownermap; /* live vk rel -> owning nk rel (as index field) */
	struct relmap datamap;  /* data cell rel -> the recovered value that reads it */
	unsigned char *claimed; /* per value: an owner was set */
	struct live_val *lv;
	size_t nlv, caplv;
};

static int
grow(struct mapiprof_ctx *ctx, void **v, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return MAPIPROF_OK;
	size_t ncap = *cap > 0 ? *cap * 2u : 64u;
	while (ncap < need)
		ncap *= 2u;
	void *p = realloc(*v, ncap * size);
	if (p == NULL)
		return mp_nomem(ctx);
	*v = p;
	*cap = ncap;
	return MAPIPROF_OK;
}

/* ---- rel -> index map ---------------------------------------------------- */

static size_t
rel_slot(const struct relmap *m, uint32_t rel)
{
	size_t h = (size_t)(rel * 2654435761u) & (m->cap - 1u);
	while (m->rel[h] != 0 && m->rel[h] != rel + 1u)
		h = (h + 1u) & (m->cap - 1u);
	return h;
}

static size_t
rel_get(const struct relmap *m, uint32_t rel)
{
	if (m->cap == 0)
		return SIZE_MAX;
	size_t h = rel_slot(m, rel);
	return m->rel[h] != 0 ? m->idx[h] : SIZE_MAX;
}

static int
rel_put(struct mapiprof_ctx *ctx, struct relmap *m, uint32_t rel, size_t idx)
{
	if ((m->n + 1u) * 2u > m->cap) {
		struct relmap nm = {0};
		nm.cap = m->cap > 0 ? m->cap * 2u : 256u;
		nm.rel = calloc(nm.cap, sizeof(*nm.rel));
		nm.idx = calloc(nm.cap, sizeof(*nm.idx));
		if (nm.rel == NULL || nm.idx == NULL) {
			free(nm.rel);
			free(nm.idx);
			return mp_nomem(ctx);
		}
		for (size_t i = 0; i < m->cap; i++)
			if (m->rel[i] != 0) {
				size_t h = rel_slot(&nm, m->rel[i] - 1u);
				nm.rel[h] = m->rel[i];
				nm.idx[h] = m->idx[i];
			}
		nm.n = m->n;
		free(m->rel);
		free(m->idx);
		*m = nm;
	}
	size_t h = rel_slot(m, rel);
	if (m->rel[h] == 0)
		m->n++;
	m->rel[h] = rel + 1u;
	m->idx[h] = idx;
	return MAPIPROF_OK;
}

static void
rel_free(struct relmap *m)
{
	free(m->rel);
	free(m->idx);
}

/* ---- the bins: which cells are free, which allocated ----------------------- */

static int
is_used(const struct carver *k, uint32_t rel)
{
	return rel % 4u == 0 && rel < k->c->bins &&
	       ((unsigned)k->used[rel / 32u] >> (rel / 4u % 8u) & 1u) != 0;
}

/* The free cell holding [rel, rel + len), or NULL. */
static const struct extent *
free_extent(const struct carver *k, uint32_t rel, uint32_t len)
{
	size_t lo = 0, hi = k->next;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2u;
		if (k->ext[mid].e <= rel)
			lo = mid + 1u;
		else
			hi = mid;
	}
	if (lo == k->next || k->ext[lo].s > rel || k->ext[lo].e - rel < len)
		return NULL;
	return &k->ext[lo];
}

/* Walks the bins as hivex does (lib/handle.c): each "hbin" at its own
 * offset, a whole number of 4 KiB, cells of at least 8 bytes tiling it.
 * Stops at the first bin that is not valid; a cell that is not valid ends
 * its bin's walk. */
static int
walk_bins(struct carver *k)
{
	const uint8_t *img = k->c->img;
	uint32_t bins = k->c->bins;
	k->used = calloc((size_t)bins / 32u + 1u, 1);
	if (k->used == NULL)
		return mp_nomem(k->ctx);
	for (uint32_t at = 0; bins - at >= MP_HBIN_HDR;) {
		uint32_t size = mp_le32(img + at + MP_HBIN_SIZE);
		if (memcmp(img + at, "hbin", 4) != 0 || mp_le32(img + at + MP_HBIN_OFFSET) != at ||
		    size < MP_HBIN_ALIGN || size % MP_HBIN_ALIGN != 0 || size > bins - at)
			break;
		for (uint32_t p = at + MP_HBIN_HDR; at + size - p >= 8u;) {
			uint32_t raw = mp_le32(img + p);
			uint32_t cs = (raw & 0x80000000u) != 0 ? 0u - raw : raw;
			if (cs < 8u || cs % 4u != 0 || cs > at + size - p)
				break;
			if ((raw & 0x80000000u) != 0) {
				k->used[p / 32u] |= (uint8_t)(1u << (p / 4u % 8u));
				if (cs >= MP_NK_HDR && memcmp(img + p + 4u, "nk", 2) == 0) {
					if (grow(k->ctx, (void **)&k->live_nk, &k->caplive,
					         k->nlive + 1u, sizeof(*k->live_nk)) != MAPIPROF_OK)
						return MAPIPROF_FAILED;
					k->live_nk[k->nlive++] = p;
				}
			} else {
				if (grow(k->ctx, (void **)&k->ext, &k->capext, k->next + 1u,
				         sizeof(*k->ext)) != MAPIPROF_OK)
					return MAPIPROF_FAILED;
				k->ext[k->next++] = (struct extent){p, p + cs};
			}
			p += cs;
		}
		at += size;
	}
	return MAPIPROF_OK;
}

/* ---- names ----------------------------------------------------------------- */

/* A name as hivex decodes it (Latin-1 when comp, else UTF-16LE), in the
 * arena; *out = NULL when it cannot be decoded. */
static int
decode_name(struct carver *k, const uint8_t *p, uint32_t len, int comp, const char **out)
{
	char *s = NULL;
	size_t n = 0;
	int lossy = 0;
	*out = NULL;
	if (len == 0) {
		*out = "";
		return MAPIPROF_OK;
	}
	/* Latin-1 bytes below 0x80 are their own UTF-8: most names, and no
	 * converter needs opening for them. */
	size_t ascii = 0;
	while (comp && ascii < len && p[ascii] != 0 && p[ascii] < 0x80u)
		ascii++;
	if (comp && ascii == len) {
		*out = mp_arena_strndup(&k->c->arena, (const char *)p, len);
		return *out != NULL ? MAPIPROF_OK : mp_nomem(k->ctx);
	}
	int rc = comp ? mp_cp_to_utf8(k->ctx, "LATIN1", p, len, &s, &n, &lossy)
	              : mp_utf16le_to_utf8(k->ctx, p, len, &s, &n, &lossy);
	if (rc != MAPIPROF_OK)
		return rc;
	if (!lossy && strlen(s) == n && (*out = mp_arena_strdup(&k->c->arena, s)) == NULL)
		rc = mp_nomem(k->ctx);
	free(s);
	return rc;
}

/* ---- keys ------------------------------------------------------------------ */

/* Adds the key whose nk cell at rel was checked to hold its name. */
static int
add_key(struct carver *k, uint32_t rel, int live, size_t *idx)
{
	struct mp_carve *c = k->c;
	const uint8_t *nk = c->img + rel;
	*idx = SIZE_MAX;
	if (c->nkeys >= MP_MAX_CARVED) {
		c->truncated = 1;
		return MAPIPROF_OK;
	}
	if (grow(k->ctx, (void **)&c->keys, &k->capk, c->nkeys + 1u, sizeof(*c->keys)) !=
	    MAPIPROF_OK)
		return MAPIPROF_FAILED;
	uint32_t nlen = mp_le16(nk + MP_NK_NAMELEN);
	const char *name = NULL;
	if (decode_name(k, nk + MP_NK_HDR, nlen, (mp_le16(nk + 6u) & NK_COMP_NAME) != 0, &name) !=
	    MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (name == NULL && (name = mp_arena_printf(&c->arena, "\xEF\xBF\xBD#%x",
	                                            rel + MP_REGF_BASE_BLOCK)) == NULL)
		return mp_nomem(k->ctx);
	struct mp_carve_key *key = &c->keys[c->nkeys];
	*key = (struct mp_carve_key){
	    rel, live, name, (int64_t)mp_le64(nk + MP_NK_TIME), SIZE_MAX, rel == c->root, 0};
	if (rel_put(k->ctx, &k->keymap, rel, c->nkeys) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	*idx = c->nkeys++;
	return MAPIPROF_OK;
}

/* 1 when an nk cell with its whole name fits in [rel, end). */
static int
nk_fits(const uint8_t *img, uint32_t rel, uint32_t end)
{
	if (end - rel < MP_NK_HDR || memcmp(img + rel + 4u, "nk", 2) != 0)
		return 0;
	uint32_t raw = mp_le32(img + rel), size = (raw & 0x80000000u) != 0 ? 0u - raw : raw;
	uint32_t nlen = mp_le16(img + rel + MP_NK_NAMELEN);
	return nlen > 0 && nlen <= NK_NAME_MAX && size >= MP_NK_HDR + nlen &&
	       end - rel >= MP_NK_HDR + nlen;
}

/* The key index of the nk at rel: a known key, or a live nk added now;
 * SIZE_MAX when rel is neither. */
static int
key_at(struct carver *k, uint32_t rel, size_t *idx)
{
	*idx = rel_get(&k->keymap, rel);
	if (*idx != SIZE_MAX || rel >= k->c->bins || !is_used(k, rel))
		return MAPIPROF_OK;
	uint32_t raw = mp_le32(k->c->img + rel), size = 0u - raw;
	if (size > k->c->bins - rel || !nk_fits(k->c->img, rel, rel + size))
		return MAPIPROF_OK;
	return add_key(k, rel, 1, idx);
}

/* Links every key to its parent, adding the live keys on the way; each key
 * is linked once, so the work is linear even for hostile chains. */
static int
link_parents(struct carver *k)
{
	for (size_t i = 0; i < k->c->nkeys; i++) {
		struct mp_carve_key *key = &k->c->keys[i];
		if (key->is_root)
			continue;
		uint32_t parent = mp_le32(k->c->img + key->rel + 4u + 16u);
		size_t j = SIZE_MAX;
		if (key_at(k, parent, &j) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		k->c->keys[i].parent = j; /* keys may have moved */
	}
	return MAPIPROF_OK;
}

/* ---- values ---------------------------------------------------------------- */

/* Locates the data of the recovered vk at rel: inline, or a data cell
 * lying wholly in free space, its size holding the data, read by no other
 * recovered value (so the data handed out never exceeds the image). */
static int
vk_data(struct carver *k, struct mp_carve_val *v, size_t idx)
{
	const uint8_t *vk = k->c->img + v->rel;
	uint32_t dlen = mp_le32(vk + MP_VK_DLEN), doff = mp_le32(vk + MP_VK_DOFF);
	v->data_lost = 1;
	if ((dlen & MP_DATA_INLINE) != 0) {
		if ((dlen & ~MP_DATA_INLINE) <= MP_INLINE_MAX) {
			v->len = dlen & ~MP_DATA_INLINE;
			v->data = vk + MP_VK_DOFF;
			v->data_lost = 0;
		}
		return MAPIPROF_OK;
	}
	if (dlen == 0) {
		v->data = vk + MP_VK_DOFF; /* any non-NULL pointer: no bytes */
		v->data_lost = 0;
		return MAPIPROF_OK;
	}
	/* A big-data record ('db') is never rebuilt from free space: its
	 * segments are lost cells hivex leaks and Windows reuses. */
	if (dlen > MP_MAX_VALUE_LEN || doff % 4u != 0 || doff >= k->c->bins ||
	    free_extent(k, doff, 4u + dlen) == NULL || rel_get(&k->datamap, doff) != SIZE_MAX)
		return MAPIPROF_OK;
	uint32_t raw = mp_le32(k->c->img + doff), size = (raw & 0x80000000u) != 0 ? 0u - raw : raw;
	if (size < 4u + dlen)
		return MAPIPROF_OK;
	v->data = k->c->img + doff + 4u;
	v->len = dlen;
	v->data_lost = 0;
	return rel_put(k->ctx, &k->datamap, doff, idx);
}

/* Adds a vk cell found at rel, inside a free cell ending at end. */
static int
try_vk(struct carver *k, uint32_t rel, uint32_t end, uint32_t *span)
{
	const uint8_t *vk = k->c->img + rel;
	*span = 0;
	if (end - rel < MP_VK_HDR)
		return MAPIPROF_OK;
	uint32_t raw = mp_le32(vk), size = (raw & 0x80000000u) != 0 ? 0u - raw : raw;
	uint32_t nlen = mp_le16(vk + MP_VK_NAMELEN);
	if (nlen > VK_NAME_MAX || size < MP_VK_HDR + nlen || end - rel < MP_VK_HDR + nlen)
		return MAPIPROF_OK;
	if (k->c->nvals >= MP_MAX_CARVED) {
		k->c->truncated = 1;
		return MAPIPROF_OK;
	}
	const char *name = NULL;
	if (decode_name(k, vk + MP_VK_HDR, nlen, (mp_le16(vk + MP_VK_FLAGS) & MP_VK_COMP_NAME) != 0,
	                &name) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (name == NULL)
		return MAPIPROF_OK;
	if (grow(k->ctx, (void **)&k->c->vals, &k->capv, k->c->nvals + 1u, sizeof(*k->c->vals)) !=
	    MAPIPROF_OK)
		return MAPIPROF_FAILED;
	struct mp_carve_val *v = &k->c->vals[k->c->nvals++];
	*v = (struct mp_carve_val){rel, name, mp_le32(vk + MP_VK_TYPE), NULL, 0, 1, SIZE_MAX};
	if (vk_data(k, v, k->c->nvals - 1u) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	*span = (MP_VK_HDR + nlen + 7u) & ~7u;
	return MAPIPROF_OK;
}

/* Searches each free cell, and the slack inside it, for nk and vk cells at
 * every 8-byte step; a cell found is skipped over by what it needs, so a
 * cell merged into a bigger free one is still found. */
static int
scan_free(struct carver *k)
{
	for (size_t x = 0; x < k->next; x++) {
		uint32_t end = k->ext[x].e;
		for (uint32_t p = k->ext[x].s; end - p >= 8u;) {
			uint32_t span = 0;
			const uint8_t *sig = k->c->img + p + 4u;
			if (sig[0] == 'n' && sig[1] == 'k' && nk_fits(k->c->img, p, end)) {
				size_t idx;
				if (add_key(k, p, 0, &idx) != MAPIPROF_OK)
					return MAPIPROF_FAILED;
				span =
				    (MP_NK_HDR + mp_le16(k->c->img + p + MP_NK_NAMELEN) + 7u) & ~7u;
			} else if (sig[0] == 'v' && sig[1] == 'k' &&
			           try_vk(k, p, end, &span) != MAPIPROF_OK) {
				return MAPIPROF_FAILED;
			}
			p += span > 8u ? span : 8u;
			if (p > end)
				break;
		}
	}
	return MAPIPROF_OK;
}

/* The recovered value whose vk cell is at rel, or SIZE_MAX (vals are
 * sorted by rel: the scan goes in address order). */
static size_t
val_at(const struct mp_carve *c, uint32_t rel)
{
	size_t lo = 0, hi = c->nvals;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2u;
		if (c->vals[mid].rel < rel)
			lo = mid + 1u;
		else
			hi = mid;
	}
	return lo < c->nvals && c->vals[lo].rel == rel ? lo : SIZE_MAX;
}

static void
claim(struct carver *k, size_t v, size_t key)
{
	if (v == SIZE_MAX || key == SIZE_MAX || k->claimed[v])
		return;
	k->claimed[v] = 1;
	k->c->vals[v].key = key;
	k->c->keys[key].nvals++;
}

/* Values named by each recovered nk's value list, when the list lies
 * wholly in free space. */
static void
claim_by_recovered_lists(struct carver *k, size_t nrecovered)
{
	const uint8_t *img = k->c->img;
	for (size_t i = 0; i < nrecovered; i++) {
		const uint8_t *nk = img + k->c->keys[i].rel;
		uint32_t n = mp_le32(nk + MP_NK_NVALUES), list = mp_le32(nk + MP_NK_VLIST);
		if (n == 0 || n > MP_MAX_VALUES_PER_KEY || list % 4u != 0 || list >= k->c->bins ||
		    free_extent(k, list, 4u + 4u * n) == NULL)
			continue;
		for (uint32_t j = 0; j < n; j++)
			claim(k, val_at(k->c, mp_le32(img + list + 4u + 4u * j)), i);
	}
}

/* The value list of the live nk at rel as (count, entries, capacity);
 * 0 when it is not an allocated cell that holds its count. */
static int
live_list(const struct carver *k, uint32_t rel, uint32_t *n, uint32_t *list, uint32_t *capacity)
{
	const uint8_t *nk = k->c->img + rel;
	*capacity = 0;
	*n = mp_le32(nk + MP_NK_NVALUES);
	*list = mp_le32(nk + MP_NK_VLIST);
	if (*n == 0 || *list >= k->c->bins || !is_used(k, *list))
		return 0;
	uint32_t size = 0u - mp_le32(k->c->img + *list);
	if (size > k->c->bins - *list || size < 4u)
		return 0;
	*capacity = (size - 4u) / 4u;
	return *n <= *capacity;
}

/* Live value lists: the live values are indexed (owner and name), and the
 * slack past a list's count names values Windows removed from it. */
static int
scan_live_lists(struct carver *k)
{
	const uint8_t *img = k->c->img;
	for (size_t i = 0; i < k->nlive; i++) {
		uint32_t rel = k->live_nk[i], n, list, capacity;
		if (!live_list(k, rel, &n, &list, &capacity))
			continue;
		for (uint32_t j = 0; j < capacity; j++) {
			uint32_t vk = mp_le32(img + list + 4u + 4u * j);
			if (j >= n) {
				size_t v = val_at(k->c, vk), key = SIZE_MAX;
				if (v != SIZE_MAX && !k->claimed[v] &&
				    key_at(k, rel, &key) != MAPIPROF_OK)
					return MAPIPROF_FAILED;
				claim(k, v, key);
				continue;
			}
			if (vk >= k->c->bins || !is_used(k, vk) || k->c->bins - vk < MP_VK_HDR ||
			    memcmp(img + vk + 4u, "vk", 2) != 0)
				continue;
			if (rel_put(k->ctx, &k->ownermap, vk, rel) != MAPIPROF_OK)
				return MAPIPROF_FAILED;
			uint32_t nlen = mp_le16(img + vk + MP_VK_NAMELEN);
			uint32_t size = 0u - mp_le32(img + vk);
			if (size > k->c->bins - vk || size < MP_VK_HDR + nlen)
				continue;
			const char *name = NULL;
			if (decode_name(k, img + vk + MP_VK_HDR, nlen,
			                (mp_le16(img + vk + MP_VK_FLAGS) & MP_VK_COMP_NAME) != 0,
			                &name) != MAPIPROF_OK)
				return MAPIPROF_FAILED;
			if (name == NULL || k->nlv >= MP_MAX_CARVED * 4u)
				continue;
			if (grow(k->ctx, (void **)&k->lv, &k->caplv, k->nlv + 1u, sizeof(*k->lv)) !=
			    MAPIPROF_OK)
				return MAPIPROF_FAILED;
			struct live_val *l = &k->lv[k->nlv++];
			*l = (struct live_val){0,    rel, vk, name, mp_le32(img + vk + MP_VK_TYPE),
			                       NULL, 0};
			uint32_t dlen = mp_le32(img + vk + MP_VK_DLEN),
			         doff = mp_le32(img + vk + MP_VK_DOFF);
			if ((dlen & MP_DATA_INLINE) != 0 &&
			    (dlen & ~MP_DATA_INLINE) <= MP_INLINE_MAX) {
				l->data = img + vk + MP_VK_DOFF;
				l->len = dlen & ~MP_DATA_INLINE;
			} else if (dlen <= MP_MAX_VALUE_LEN && doff < k->c->bins &&
			           is_used(k, doff) && (0u - mp_le32(img + doff)) >= 4u + dlen &&
			           k->c->bins - doff >= 4u + dlen) {
				l->data = img + doff + 4u;
				l->len = dlen;
			}
		}
	}
	return MAPIPROF_OK;
}

/* A hash of name with ASCII letters folded, as hivex compares value names
 * (strcasecmp). */
static uint32_t
name_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch >= 'a' && ch <= 'z')
			ch = (unsigned char)(ch - 'a' + 'A');
		h = (h ^ ch) * 16777619u;
	}
	return h;
}

static int
same_name(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
		if (x >= 'a' && x <= 'z')
			x = (unsigned char)(x - 'a' + 'A');
		if (y >= 'a' && y <= 'z')
			y = (unsigned char)(y - 'a' + 'A');
		if (x != y)
			return 0;
	}
	return *a == *b;
}

static int
lv_cmp(const void *a, const void *b)
{
	const struct live_val *x = a, *y = b;
	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

struct candidate {
	uint32_t key;
	size_t shared, fields, exact, names; /* fields: its nk records the list's maxima */
};

static struct candidate *
candidate(struct candidate *cand, size_t *n, uint32_t key)
{
	for (size_t i = 0; i < *n; i++)
		if (cand[i].key == key)
			return &cand[i];
	if (*n >= MATCH_CANDIDATES)
		return NULL;
	cand[*n] = (struct candidate){key, 0, 0, 0, 0};
	return &cand[(*n)++];
}

/* 1 when a is a better match than b. */
static int
better(const struct candidate *a, const struct candidate *b)
{
	if (a->shared != b->shared)
		return a->shared > b->shared;
	if (a->fields != b->fields)
		return a->fields > b->fields;
	if (a->exact != b->exact)
		return a->exact > b->exact;
	return a->names > b->names;
}

/* Weighs the recovered value v against the live values of the same name. */
static void
weigh(const struct carver *k, const struct mp_carve_val *v, struct candidate *cand, size_t *ncand)
{
	struct live_val probe = {.hash = name_hash(v->name)};
	if (k->nlv == 0)
		return;
	const struct live_val *hit = bsearch(&probe, k->lv, k->nlv, sizeof(*k->lv), lv_cmp);
	if (hit == NULL)
		return;
	while (hit > k->lv && hit[-1].hash == probe.hash)
		hit--;
	for (size_t m = 0; hit < k->lv + k->nlv && hit->hash == probe.hash && m < MATCH_PER_NAME;
	     hit++, m++) {
		if (!same_name(hit->name, v->name))
			continue;
		struct candidate *cd = candidate(cand, ncand, hit->key);
		if (cd == NULL)
			continue;
		cd->names++;
		if (!v->data_lost && hit->data != NULL && hit->type == v->type &&
		    hit->len == v->len && memcmp(hit->data, v->data, v->len) == 0)
			cd->exact++;
	}
}

/* The largest value name (UTF-16 bytes) and data of the values of a
 * freed list, as an nk cell records them ("Key node"). */
static void
list_maxima(const struct carver *k, const struct mp_carve_val *v, uint32_t *name, uint32_t *data)
{
	const uint8_t *vk = k->c->img + v->rel;
	uint32_t nlen = mp_le16(vk + MP_VK_NAMELEN);
	if ((mp_le16(vk + MP_VK_FLAGS) & MP_VK_COMP_NAME) != 0)
		nlen *= 2u;
	uint32_t dlen = mp_le32(vk + MP_VK_DLEN) & ~MP_DATA_INLINE;
	*name = nlen > *name ? nlen : *name;
	*data = dlen > *data ? dlen : *data;
}

/* 1 when the nk at rel records exactly these maxima. */
static int
nk_maxima(const struct carver *k, uint32_t rel, uint32_t name, uint32_t data)
{
	const uint8_t *nk = k->c->img + rel;
	return (mp_le32(nk + MP_NK_MAXVNAME) & 0xFFFFu) == name &&
	       mp_le32(nk + MP_NK_MAXDATA) == data;
}

static uint32_t
distance(uint32_t a, uint32_t b)
{
	return a > b ? a - b : b - a;
}

/* The recovered key without values nearest to the list at rel whose nk
 * records the list's maxima: hivex empties a key's value count and list
 * offset before it frees the key (lib/write.c delete_values), so these
 * fields and the place are what is left to link them. */
static size_t
recovered_owner(const struct carver *k, size_t nrecovered, uint32_t rel, uint32_t name,
                uint32_t data)
{
	size_t best = SIZE_MAX;
	uint32_t dist = UINT32_MAX;
	for (size_t i = 0; i < nrecovered; i++) {
		const struct mp_carve_key *key = &k->c->keys[i];
		if (key->nvals != 0 || !nk_maxima(k, key->rel, name, data))
			continue;
		if (distance(key->rel, rel) < dist) {
			dist = distance(key->rel, rel);
			best = i;
		}
	}
	return best;
}

/* Picks the owner of the freed list at rel among the weighed live
 * candidates and the recovered key nearest to it that records the list's
 * maxima: a live key whose vk cells the list still names; else of the
 * keys whose nk records the list's maxima (hivex raises them and never
 * lowers them, lib/write.c) and, for a live one, that share a value name
 * with it, the one nearest to the list (a writer puts a key's cells
 * together: hivex appends them in one run); else the one live key with
 * the most names in common.  *owner = SIZE_MAX: none, or a tie. */
static int
pick_owner(struct carver *k, struct candidate *cand, size_t ncand, uint32_t rel, size_t recovered,
           uint32_t name, uint32_t data, size_t *owner)
{
	size_t best = SIZE_MAX, near = SIZE_MAX;
	int tie = 0;
	uint32_t dist =
	    recovered != SIZE_MAX ? distance(k->c->keys[recovered].rel, rel) : UINT32_MAX;
	*owner = SIZE_MAX;
	for (size_t i = 0; i < ncand; i++) {
		cand[i].fields = nk_maxima(k, cand[i].key, name, data) ? 1u : 0u;
		if (cand[i].fields && cand[i].names > 0 && distance(cand[i].key, rel) < dist) {
			dist = distance(cand[i].key, rel);
			near = i;
		}
	}
	for (size_t i = 0; i < ncand; i++) {
		if (best == SIZE_MAX || better(&cand[i], &cand[best])) {
			best = i;
			tie = 0;
		} else if (!better(&cand[best], &cand[i])) {
			tie = 1;
		}
	}
	if (best != SIZE_MAX && tie)
		best = SIZE_MAX;
	if (best != SIZE_MAX && cand[best].shared > 0)
		return key_at(k, cand[best].key, owner);
	if (near != SIZE_MAX)
		return key_at(k, cand[near].key, owner);
	if (recovered != SIZE_MAX) {
		*owner = recovered;
		return MAPIPROF_OK;
	}
	if (best != SIZE_MAX && cand[best].names > 0)
		return key_at(k, cand[best].key, owner);
	return MAPIPROF_OK;
}

/* A freed cell read as a value list: offsets of recovered or live vk cells
 * from its start on; pick_owner gets its unclaimed values. */
static int
claim_by_freed_lists(struct carver *k, size_t nrecovered)
{
	const uint8_t *img = k->c->img;
	struct candidate cand[MATCH_CANDIDATES];
	for (size_t i = 0; i < k->nlv; i++)
		k->lv[i].hash = name_hash(k->lv[i].name);
	if (k->nlv > 0)
		qsort(k->lv, k->nlv, sizeof(*k->lv), lv_cmp);
	for (size_t x = 0; x < k->next; x++) {
		size_t ncand = 0, mine = 0;
		uint32_t first = k->ext[x].s + 4u, p = first, name = 0, data = 0;
		for (; k->ext[x].e - p >= 4u; p += 4u) {
			uint32_t vk = mp_le32(img + p);
			size_t v = val_at(k->c, vk);
			size_t owner = rel_get(&k->ownermap, vk);
			if (v == SIZE_MAX && owner == SIZE_MAX)
				break;
			if (owner != SIZE_MAX) {
				struct candidate *cd = candidate(cand, &ncand, (uint32_t)owner);
				if (cd != NULL)
					cd->shared++;
			} else if (!k->claimed[v]) {
				mine++;
				list_maxima(k, &k->c->vals[v], &name, &data);
				weigh(k, &k->c->vals[v], cand, &ncand);
			}
		}
		if (mine == 0)
			continue;
		size_t key = SIZE_MAX;
		if (pick_owner(k, cand, ncand, k->ext[x].s,
		               recovered_owner(k, nrecovered, k->ext[x].s, name, data), name, data,
		               &key) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		for (uint32_t q = first; q < p; q += 4u)
			claim(k, val_at(k->c, mp_le32(img + q)), key);
	}
	return MAPIPROF_OK;
}

/* ---- entry points ------------------------------------------------------------ */

int
mp_regf_carve(struct mapiprof_ctx *ctx, uint8_t *img, uint32_t bins, uint32_t root,
              struct mp_carve *out)
{
	memset(out, 0, sizeof(*out));
	out->img = img;
	out->bins = bins;
	out->root = root;
	struct carver k = {.ctx = ctx, .c = out};
	int rc = walk_bins(&k);
	if (rc == MAPIPROF_OK)
		rc = scan_free(&k);
	size_t nrecovered = out->nkeys;
	if (rc == MAPIPROF_OK && (k.claimed = calloc(out->nvals + 1u, 1)) == NULL)
		rc = mp_nomem(ctx);
	if (rc == MAPIPROF_OK) {
		claim_by_recovered_lists(&k, nrecovered);
		rc = scan_live_lists(&k);
	}
	if (rc == MAPIPROF_OK)
		rc = claim_by_freed_lists(&k, nrecovered);
	if (rc == MAPIPROF_OK)
		rc = link_parents(&k);
	free(k.used);
	free(k.ext);
	free(k.live_nk);
	free(k.claimed);
	free(k.lv);
	rel_free(&k.keymap);
	rel_free(&k.ownermap);
	rel_free(&k.datamap);
	if (rc != MAPIPROF_OK)
		mp_carve_free(out);
	return rc;
}

int
mp_regf_carve_file(struct mapiprof_ctx *ctx, const char *path, struct mp_carve *out)
{
	struct mp_regf_base b;
	int fd = -1, rc = MAPIPROF_FAILED;
	uint8_t *img = NULL;
	memset(out, 0, sizeof(*out));
	if (mp_open_read(ctx, path, &fd) != MAPIPROF_OK ||
	    mp_regf_base_read(ctx, fd, &b) != MAPIPROF_OK)
		goto out;
	if (b.bins > MP_MAX_HIVE_IMAGE) {
		mp_seterr(ctx, MAPIPROF_E_LIMIT, "hive bins of %u bytes exceed the cap %u", b.bins,
		          MP_MAX_HIVE_IMAGE);
		goto out;
	}
	if ((img = malloc(b.bins > 0 ? b.bins : 1u)) == NULL) {
		rc = mp_nomem(ctx);
		goto out;
	}
	if (mp_pread_full(ctx, fd, img, b.bins, MP_REGF_BASE_BLOCK) != MAPIPROF_OK)
		goto out;
	rc = mp_regf_carve(ctx, img, b.bins, mp_le32(b.bb + 0x24u), out);
	img = NULL;
out:
	free(img);
	mp_close(fd);
	return rc;
}

void
mp_carve_path(const struct mp_carve *c, size_t i, const char **names, size_t *depth, int *orphan)
{
	size_t n = 0, at = i;
	*orphan = 1;
	while (n < MP_MAX_KEY_DEPTH && at != SIZE_MAX && !c->keys[at].is_root) {
		n++;
		at = c->keys[at].parent;
	}
	if (at != SIZE_MAX && c->keys[at].is_root)
		*orphan = 0;
	at = i;
	for (size_t j = n; j > 0; j--) {
		names[j - 1u] = c->keys[at].name;
		at = c->keys[at].parent;
	}
	*depth = n;
}

void
mp_carve_free(struct mp_carve *c)
{
	free(c->img);
	free(c->keys);
	free(c->vals);
	mp_arena_free(&c->arena);
	memset(c, 0, sizeof(*c));
}
