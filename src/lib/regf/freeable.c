/* freeable.c - the cells a hivex write frees, checked first (freeable.h). */
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "base/platform.h"
#include "regf/freeable.h"

/* Bytes of a bin read at a time while walking its cells. */
#define WALK_CHUNK (64u * 1024u)

int
mp_regf_used_at(const struct mp_regf_used *u, uint32_t rel)
{
	return rel % 4u == 0 && rel < u->bins && (u->bits[rel / 32u] >> (rel / 4u % 8u) & 1u) != 0;
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
		f->cap = cap;
	}
	f->rel[f->n] = rel;
	f->what[f->n] = what;
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

static int
by_rel(const void *a, const void *b)
{
	uint32_t x = **(const uint32_t *const *)a, y = **(const uint32_t *const *)b;
	return x < y ? -1 : x > y;
}

int
mp_regf_freed_check(const struct mp_regf_cells *c, const struct mp_regf_used *u, const char *label,
                    struct mp_regf_freed *f)
{
	for (size_t i = 0; i < f->n; i++) {
		if (!mp_regf_used_at(u, f->rel[i])) {
			mp_seterr(
			    c->ctx, MAPIPROF_E_FORMAT,
			    "key '%.200s': %s: offset 0x%llx is not a cell in use, so the key "
			    "cannot be rewritten (the hive is damaged)",
			    label, f->what[i], (unsigned long long)f->rel[i] + MP_REGF_BASE_BLOCK);
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
		mp_seterr(c->ctx, MAPIPROF_E_FORMAT,
		          "key '%.200s': %s and %s are one cell (file offset 0x%llx), so the key "
		          "cannot be rewritten (the hive is damaged)",
		          label, f->what[x < y ? x : y], f->what[x < y ? y : x],
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
	mp_arena_free(&f->arena);
	memset(f, 0, sizeof(*f));
}
