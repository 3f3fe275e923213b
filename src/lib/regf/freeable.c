/* freeable.c - the cells a hivex write frees, checked first (freeable.h). */
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "base/limits.h"
#include "base/platform.h"
#include "regf/freeable.h"

/* Bytes of a bin read at a time while walking its cells. */
#define WALK_CHUNK (64u * 1024u)

int
mp_regf_used_at(const struct mp_regf_used *u, uint32_t rel)
{
	if (rel % 4u != 0 || rel >= u->bins)
		return 0;
	unsigned byte = u->bits[rel / 32u];
	return (byte >> (rel / 4u % 8u) & 1u) != 0;
}

static void
mark(struct mp_regf_used *u, uint32_t rel)
{
	u->bits[rel / 32u] |= (uint8_t)(1u << (rel / 4u % 8u));
}

/* The raw size of the cell at rel (inside the bins), read through a
 * window buffer of WALK_CHUNK bytes starting at *win. */
static int
cell_size(const struct mp_regf_cells *c, uint8_t *buf, uint32_t *win, uint32_t *have, uint32_t rel,
          int32_t *size)
{
	if (rel < *win || rel + 4u > *win + *have) {
		uint32_t want = c->bins - rel < WALK_CHUNK ? c->bins - rel : WALK_CHUNK;
		if (mp_pread_full(c->ctx, c->fd, buf, want, (uint64_t)rel + MP_REGF_BASE_BLOCK) !=
		    MAPIPROF_OK)
			return MAPIPROF_FAILED;
		*win = rel;
		*have = want;
	}
	*size = (int32_t)mp_le32(buf + (rel - *win));
	return MAPIPROF_OK;
}

/* The cells of the bin at rel (len bytes), as hivex walks them: each at
 * least 8 bytes and a multiple of 4, the last one ending at the bin's end. */
static int
walk_bin(const struct mp_regf_cells *c, struct mp_regf_used *u, uint8_t *buf, uint32_t rel,
         uint32_t len)
{
	uint32_t win = 0, have = 0;
	for (uint32_t at = rel + MP_HBIN_HDR; at < rel + len;) {
		int32_t raw = 0;
		if (rel + len - at < 4u)
			return mp_regf_cells_bad(c, "hive bins", "cell header cut by the bin's end",
			                         at);
		if (cell_size(c, buf, &win, &have, at, &raw) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		uint32_t size = raw < 0 ? 0u - (uint32_t)raw : (uint32_t)raw;
		if (size <= 4u || size % 4u != 0 || size > rel + len - at)
			return mp_regf_cells_bad(c, "hive bins", "cell size not valid", at);
		if (raw < 0)
			mark(u, at);
		at += size;
	}
	return MAPIPROF_OK;
}

int
mp_regf_used_load(const struct mp_regf_cells *c, struct mp_regf_used *u)
{
	u->bins = c->bins;
	u->bits = calloc((size_t)c->bins / 32u + 1u, 1);
	uint8_t *buf = malloc(WALK_CHUNK);
	int rc = MAPIPROF_OK;
	if (u->bits == NULL || buf == NULL) {
		rc = mp_nomem(c->ctx);
		goto out;
	}
	for (uint32_t rel = 0; rc == MAPIPROF_OK && rel < c->bins;) {
		uint8_t h[12];
		if (c->bins - rel < MP_HBIN_ALIGN) {
			rc = mp_regf_cells_bad(c, "hive bins", "hive bins end inside a bin", rel);
			break;
		}
		rc = mp_pread_full(c->ctx, c->fd, h, sizeof(h), (uint64_t)rel + MP_REGF_BASE_BLOCK);
		if (rc != MAPIPROF_OK)
			break;
		uint32_t len = mp_le32(h + MP_HBIN_SIZE);
		if (memcmp(h, "hbin", 4) != 0 || len <= MP_HBIN_HDR || len % MP_HBIN_ALIGN != 0 ||
		    len > c->bins - rel) {
			rc = mp_regf_cells_bad(c, "hive bins", "not a valid hbin header", rel);
			break;
		}
		rc = walk_bin(c, u, buf, rel, len);
		rel += len;
	}
out:
	free(buf);
	if (rc != MAPIPROF_OK)
		mp_regf_used_free(u);
	return rc;
}

void
mp_regf_used_free(struct mp_regf_used *u)
{
	free(u->bits);
	u->bits = NULL;
	u->bins = 0;
}

static int
add(const struct mp_regf_cells *c, struct mp_regf_freed *f, uint32_t rel, const char *what)
{
	if (f->n == f->cap) {
		size_t cap = f->cap != 0 ? f->cap * 2u : 64u;
		uint32_t *r = realloc(f->rel, cap * sizeof(*r));
		if (r == NULL)
			return mp_nomem(c->ctx);
		f->rel = r;
		const char **w = realloc(f->what, cap * sizeof(*w));
		if (w == NULL)
			return mp_nomem(c->ctx);
		f->what = w;
		const char **k = realloc(f->key, cap * sizeof(*k));
		if (k == NULL)
			return mp_nomem(c->ctx);
		f->key = k;
		f->cap = cap;
	}
	f->rel[f->n] = rel;
	f->what[f->n] = what;
	f->key[f->n] = f->label != NULL ? f->label : "?";
	f->n++;
	return MAPIPROF_OK;
}

/* "value 'NAME'" for messages, NAME as hivex would decode it (or its
 * offset when it cannot be decoded); in f's arena. */
static const char *
value_label(const struct mp_regf_cells *c, const struct mp_regf_vk *vk, struct mp_regf_freed *f)
{
	char *name = NULL;
	int undecodable = 0;
	const char *s = NULL;
	if (mp_regf_cells_vk_name_utf8(c, vk, &name, &undecodable) == MAPIPROF_OK && name != NULL)
		s = mp_arena_printf(&f->arena, "value '%.200s'", name);
	else
		s = mp_arena_printf(&f->arena, "the value at file offset 0x%llx",
		                    (unsigned long long)vk->rel + MP_REGF_BASE_BLOCK);
	free(name);
	return s != NULL ? s : "a value";
}

int
mp_regf_freed_values(const struct mp_regf_cells *c, const char *label, uint64_t key,
                     struct mp_regf_freed *f)
{
	struct mp_regf_nk nk;
	struct mp_arena a = {0};
	uint32_t *list = NULL, list_cell = 0;
	f->label = label;
	int rc = mp_regf_cells_nk(c, label, key, &nk);
	if (rc == MAPIPROF_OK && nk.nvalues > 0)
		rc = mp_regf_cells_vlist(c, label, &nk, &a, &list, &list_cell);
	if (rc == MAPIPROF_OK && nk.nvalues > 0)
		rc = add(c, f, nk.vlist, "its value list");
	for (uint32_t i = 0; rc == MAPIPROF_OK && i < nk.nvalues; i++) {
		struct mp_regf_vk vk;
		rc = mp_regf_cells_vk(c, label, list[i], &vk);
		if (rc != MAPIPROF_OK)
			break;
		const char *what = value_label(c, &vk, f);
		rc = add(c, f, vk.rel, what);
		/* hivex frees the data offset of every value not marked inline,
		 * even an empty one's. */
		if (rc == MAPIPROF_OK && !vk.is_inline) {
			const char *data = mp_arena_printf(&f->arena, "the data of %s", what);
			rc = add(c, f, vk.doff, data != NULL ? data : what);
		}
	}
	mp_arena_free(&a);
	return rc == MP_CELLS_UNUSUAL ? MAPIPROF_OK : rc;
}

/* nk fields past its header part that cells.h reads ("Key node"). */
#define NK_NSUBKEYS (4u + 20u)
#define NK_SUBLIST  (4u + 28u)
#define NK_SK       (4u + 44u)
#define NK_CLASS    (4u + 48u)
/* sk fields ("Key security"): the chain of security cells. */
#define SK_PREV 8u
#define SK_NEXT 12u
#define SK_HDR  16u

/* One subtree walk. */
struct walk {
	const struct mp_regf_cells *c;
	const struct mp_regf_used *u;
	const char *label;
	struct mp_regf_freed *f;
	size_t keys;
};

static int
bad(const struct walk *w, const char *what, uint32_t rel)
{
	mp_seterr(w->c->ctx, MAPIPROF_E_FORMAT,
	          "key '%.200s': %s at file offset 0x%llx is not valid, so the key cannot be "
	          "deleted (the hive is damaged)",
	          w->label, what, (unsigned long long)rel + MP_REGF_BASE_BLOCK);
	return MAPIPROF_FAILED;
}

/* The allocated cell at rel with signature sig (2 bytes): its first len
 * bytes into buf (len <= 16) and its size. */
static int
cell(const struct walk *w, uint32_t rel, const char *sig, const char *what, uint8_t *buf,
     uint32_t len, uint32_t *size)
{
	if (!mp_regf_used_at(w->u, rel) || w->c->bins - rel < len)
		return bad(w, what, rel);
	if (mp_pread_full(w->c->ctx, w->c->fd, buf, len, (uint64_t)rel + MP_REGF_BASE_BLOCK) !=
	    MAPIPROF_OK)
		return MAPIPROF_FAILED;
	*size = 0u - mp_le32(buf);
	if (*size < len || *size > w->c->bins - rel ||
	    (sig != NULL && memcmp(buf + 4, sig, 2) != 0))
		return bad(w, what, rel);
	return MAPIPROF_OK;
}

/* The security cell at rel and the cells before and after it in their
 * chain are sk cells in use. */
static int
check_sk(const struct walk *w, uint32_t rel)
{
	uint8_t h[SK_HDR], o[SK_HDR];
	uint32_t size = 0;
	if (cell(w, rel, "sk", "its security cell", h, SK_HDR, &size) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	const uint32_t chain[2] = {mp_le32(h + SK_PREV), mp_le32(h + SK_NEXT)};
	for (int i = 0; i < 2; i++)
		if (cell(w, chain[i], "sk", "the security cell chained to its own", o, SK_HDR,
		         &size) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
	return MAPIPROF_OK;
}

static int subtree(struct walk *w, uint64_t key, unsigned depth);

/* The subkey list at rel ("Subkeys list": lf, lh, li, or ri, whose
 * entries are lists themselves): added to the freed cells, each child
 * walked. */
static int
sublist(struct walk *w, uint32_t rel, unsigned depth, int top)
{
	uint8_t h[8];
	uint32_t size = 0;
	if (cell(w, rel, NULL, "its subkey list", h, sizeof(h), &size) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int hashed = memcmp(h + 4, "lf", 2) == 0 || memcmp(h + 4, "lh", 2) == 0;
	int ri = memcmp(h + 4, "ri", 2) == 0;
	if (!hashed && !ri && memcmp(h + 4, "li", 2) != 0)
		return bad(w, "its subkey list", rel);
	if (ri && !top)
		return bad(w, "its subkey list (an index inside an index)", rel);
	uint32_t n = mp_le16(h + 6), step = hashed ? 8u : 4u;
	if (n > (size - 8u) / step)
		return bad(w, "its subkey list (more entries than fit)", rel);
	if (add(w->c, w->f, rel, "a subkey list") != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	uint8_t *raw = malloc(n > 0 ? (size_t)n * step : 1u);
	if (raw == NULL)
		return mp_nomem(w->c->ctx);
	int rc = n > 0 ? mp_pread_full(w->c->ctx, w->c->fd, raw, (size_t)n * step,
	                               (uint64_t)rel + MP_REGF_BASE_BLOCK + 8u)
	               : MAPIPROF_OK;
	for (uint32_t i = 0; rc == MAPIPROF_OK && i < n; i++) {
		uint32_t to = mp_le32(raw + (size_t)i * step);
		rc = ri ? sublist(w, to, depth, 0)
		        : subtree(w, (uint64_t)to + MP_REGF_BASE_BLOCK, depth + 1);
	}
	free(raw);
	return rc;
}

static int
subtree(struct walk *w, uint64_t key, unsigned depth)
{
	struct mp_regf_nk nk;
	if (depth > MP_MAX_KEY_DEPTH || ++w->keys > MP_MAX_FREED_KEYS) {
		mp_seterr(w->c->ctx, MAPIPROF_E_LIMIT,
		          "key '%.200s': more than %u levels or %u keys below it (or a loop), so "
		          "it cannot be deleted",
		          w->label, MP_MAX_KEY_DEPTH, MP_MAX_FREED_KEYS);
		return MAPIPROF_FAILED;
	}
	if (key < MP_REGF_BASE_BLOCK || key - MP_REGF_BASE_BLOCK >= w->c->bins ||
	    !mp_regf_used_at(w->u, (uint32_t)(key - MP_REGF_BASE_BLOCK)))
		return bad(w, "a key's nk cell", (uint32_t)(key - MP_REGF_BASE_BLOCK));
	int rc = mp_regf_cells_nk(w->c, w->label, key, &nk);
	if (rc != MAPIPROF_OK)
		return rc == MP_CELLS_UNUSUAL ? bad(w, "a key's nk cell", nk.rel) : rc;
	uint32_t nsub = mp_le32(nk.hdr + NK_NSUBKEYS), list = mp_le32(nk.hdr + NK_SUBLIST);
	uint32_t sk = mp_le32(nk.hdr + NK_SK), cls = mp_le32(nk.hdr + NK_CLASS);
	if (nsub > 0)
		rc = sublist(w, list, depth, 1);
	if (rc == MAPIPROF_OK)
		rc = mp_regf_freed_values(w->c, w->label, key, w->f);
	if (rc == MAPIPROF_OK && sk != MP_CELL_NONE)
		rc = check_sk(w, sk);
	if (rc == MAPIPROF_OK && cls != MP_CELL_NONE)
		rc = add(w->c, w->f, cls, "a class name");
	if (rc == MAPIPROF_OK)
		rc = add(w->c, w->f, nk.rel, "a key's nk cell");
	return rc;
}

int
mp_regf_freed_subtree(const struct mp_regf_cells *c, const struct mp_regf_used *u,
                      const char *label, uint64_t key, struct mp_regf_freed *f)
{
	struct walk w = {c, u, label, f, 0};
	f->label = label;
	return subtree(&w, key, 0);
}

static int
by_rel(const void *a, const void *b)
{
	uint32_t x = **(const uint32_t *const *)a, y = **(const uint32_t *const *)b;
	return x < y ? -1 : x > y;
}

int
mp_regf_freed_check(const struct mp_regf_cells *c, const struct mp_regf_used *u,
                    struct mp_regf_freed *f)
{
	for (size_t i = 0; i < f->n; i++) {
		if (!mp_regf_used_at(u, f->rel[i])) {
			mp_seterr(
			    c->ctx, MAPIPROF_E_FORMAT,
			    "key '%.200s': %s: offset 0x%llx is not a cell in use, so the key "
			    "cannot be rewritten (the hive is damaged)",
			    f->key[i], f->what[i],
			    (unsigned long long)f->rel[i] + MP_REGF_BASE_BLOCK);
			return MAPIPROF_FAILED;
		}
	}
	/* Sorted pointers into rel[], so that a duplicate names both owners. */
	const uint32_t **order = malloc((f->n > 0 ? f->n : 1u) * sizeof(*order));
	if (order == NULL)
		return mp_nomem(c->ctx);
	for (size_t i = 0; i < f->n; i++)
		order[i] = &f->rel[i];
	qsort(order, f->n, sizeof(*order), by_rel);
	int rc = MAPIPROF_OK;
	for (size_t i = 1; i < f->n; i++) {
		if (*order[i] != *order[i - 1])
			continue;
		size_t x = (size_t)(order[i - 1] - f->rel), y = (size_t)(order[i] - f->rel);
		size_t a = x < y ? x : y, b = x < y ? y : x;
		if (strcmp(f->key[a], f->key[b]) == 0)
			mp_seterr(
			    c->ctx, MAPIPROF_E_FORMAT,
			    "key '%.200s': %s and %s are one cell (file offset 0x%llx), so the "
			    "key cannot be rewritten (the hive is damaged)",
			    f->key[a], f->what[a], f->what[b],
			    (unsigned long long)*order[i] + MP_REGF_BASE_BLOCK);
		else
			mp_seterr(
			    c->ctx, MAPIPROF_E_FORMAT,
			    "key '%.200s': %s is also %s of key '%.200s' (file offset 0x%llx), so "
			    "the keys cannot be rewritten (the hive is damaged)",
			    f->key[a], f->what[a], f->what[b], f->key[b],
			    (unsigned long long)*order[i] + MP_REGF_BASE_BLOCK);
		rc = MAPIPROF_FAILED;
		break;
	}
	free(order);
	return rc;
}

void
mp_regf_freed_free(struct mp_regf_freed *f)
{
	free(f->rel);
	free(f->what);
	free(f->key);
	mp_arena_free(&f->arena);
	memset(f, 0, sizeof(*f));
}
