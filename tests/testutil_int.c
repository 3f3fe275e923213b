/* testutil_int.c - see testutil_int.h. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ctx.h"
#include "base/le.h"
#include "mapi/locate.h"
#include "store/reg_doc.h"
#include "testutil.h"
#include "testutil_int.h"

/* ---- plans made by hand --------------------------------------------------- */

const struct mp_section *
tu_section_of(size_t p, const char *uid)
{
	const struct mp_section_set *set = &tu_file->profiles[p].sections;
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].depth == 1 && mp_name_casecmp(set->v[i].pub.uid, uid) == 0)
			return &set->v[i];
	return NULL;
}

void
tu_plan_add(struct tu_plan *h, size_t p, const char *uid, const char *name, int del, uint32_t type,
            const void *data, size_t len)
{
	struct mp_key_change *k = NULL;
	for (size_t i = 0; i < h->plan.nkeys && k == NULL; i++)
		if (h->keys[i].profile == p && strcmp(h->keys[i].uid, uid) == 0)
			k = &h->keys[i];
	if (k == NULL) {
		cr_assert_lt(h->plan.nkeys, TU_PLAN_MAX_KEYS);
		size_t i = h->plan.nkeys++;
		k = &h->keys[i];
		const struct mp_section *s = tu_section_of(p, uid);
		*k = (struct mp_key_change){.profile = p,
		                            .profile_key = tu_file->profiles[p].key,
		                            .key = s != NULL ? s->key : 0,
		                            .uid = uid,
		                            .ops = h->ops[i]};
		h->plan.keys = h->keys;
	}
	cr_assert_lt(k->nops, TU_PLAN_MAX_OPS);
	k->ops[k->nops++] = (struct mp_value_change){name, del, type, data, len};
}

void
tu_plan_gc_referral(struct tu_plan *h, size_t p)
{
	static const char global[] = "13dbb0c8aa05101a9bb000aa002fc45a";
	static const char emsab[] = "dca740c8c042101ab4b908002b2fe182";
	static const uint8_t zero[4] = {0, 0, 0, 0}, ui4000[4] = {0x00, 0x40, 0, 0},
	                     v3000[4] = {0xb8, 0x0b, 0, 0}, nine[4] = {9, 0, 0, 0},
	                     one[4] = {1, 0, 0, 0};
	memset(h, 0, sizeof(*h));
	tu_plan_add(h, p, global, "00036604", 0, MP_REG_BINARY, zero, 4);
	tu_plan_add(h, p, global, "00036606", 0, MP_REG_BINARY, ui4000, 4);
	tu_plan_add(h, p, global, "0003661b", 0, MP_REG_BINARY, v3000, 4);
	tu_plan_add(h, p, emsab, "00036619", 0, MP_REG_BINARY, nine, 4);
	tu_plan_add(h, p, emsab, "00036639", 0, MP_REG_BINARY, one, 4);
}

/* ---- failing steps for mp_commit_set_io -------------------------------------- */

int tu_patch_calls, tu_link_calls, tu_rename_calls;
int tu_fail_link_errno = EIO;

int
tu_decline_patch(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys, size_t n,
                 int *done)
{
	(void)ctx, (void)fd, (void)keys, (void)n;
	tu_patch_calls++;
	*done = 0;
	return MAPIPROF_OK;
}

int
tu_fail_fsync(struct mapiprof_ctx *ctx, int fd)
{
	(void)fd;
	mp_seterr_errno(ctx, EIO, "injected fsync failure");
	return MAPIPROF_FAILED;
}

int
tu_fail_link(struct mapiprof_ctx *ctx, const char *from, const char *to)
{
	(void)from, (void)to;
	tu_link_calls++;
	mp_seterr_errno(ctx, tu_fail_link_errno, "injected link failure");
	return MAPIPROF_FAILED;
}

int
tu_fail_rename(struct mapiprof_ctx *ctx, const char *from, const char *to)
{
	(void)from, (void)to;
	tu_rename_calls++;
	mp_seterr_errno(ctx, EIO, "injected rename failure");
	return MAPIPROF_FAILED;
}

/* ---- stores ---------------------------------------------------------------- */

/* Asserts the same values, in the same order, at ka of a and kb of b. */
static void
assert_same_values(struct mp_store *a, mp_key ka, struct mp_store *b, mp_key kb, const char *where)
{
	struct mp_value *va = NULL, *vb = NULL;
	size_t na = 0, nb = 0;
	cr_assert_eq(a->ops->values(a, ka, &va, &na), MAPIPROF_OK, "%s: %s", where,
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(b->ops->values(b, kb, &vb, &nb), MAPIPROF_OK, "%s: %s", where,
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(na, nb, "%s: %zu values vs %zu", where, na, nb);
	for (size_t i = 0; i < na; i++) {
		cr_assert_str_eq(va[i].name, vb[i].name, "%s: value %zu", where, i);
		cr_assert_eq(va[i].type, vb[i].type, "%s: '%s' type", where, va[i].name);
		cr_assert_eq(va[i].len, vb[i].len, "%s: '%s' length", where, va[i].name);
		cr_assert(va[i].len == 0 || memcmp(va[i].data, vb[i].data, va[i].len) == 0,
		          "%s: '%s' bytes", where, va[i].name);
	}
	mp_store_values_free(va, na);
	mp_store_values_free(vb, nb);
}

/* The subkey of b's key kb (subkeys cb) that pairs with a's i-th subkey,
 * named name; asserts that it is spelled the same. */
static mp_key
pair_of(struct mp_store *b, mp_key kb, const mp_key *cb, size_t i, const char *name,
        enum tu_tree_order order, const char *where)
{
	mp_key y = cb[i];
	if (order == TU_BY_NAME) {
		cr_assert_eq(mp_store_child(b, kb, name, &y), MAPIPROF_OK);
		cr_assert_neq(y, 0, "%s: subkey '%s' missing", where, name);
	}
	char *yname = NULL;
	cr_assert_eq(b->ops->key_name(b, y, &yname), MAPIPROF_OK);
	cr_assert_str_eq(name, yname, "%s: subkey %zu", where, i);
	free(yname);
	return y;
}

size_t
tu_assert_same_tree(struct mp_store *a, mp_key ka, struct mp_store *b, mp_key kb, const char *where,
                    enum tu_tree_order order)
{
	size_t keys = 1, na = 0, nb = 0;
	assert_same_values(a, ka, b, kb, where);
	mp_key *ca = NULL, *cb = NULL;
	cr_assert_eq(a->ops->children(a, ka, &ca, &na), MAPIPROF_OK);
	cr_assert_eq(b->ops->children(b, kb, &cb, &nb), MAPIPROF_OK);
	cr_assert_eq(na, nb, "%s: %zu subkeys vs %zu", where, na, nb);
	for (size_t i = 0; i < na; i++) {
		char *name = NULL;
		cr_assert_eq(a->ops->key_name(a, ca[i], &name), MAPIPROF_OK);
		mp_key y = pair_of(b, kb, cb, i, name, order, where);
		size_t wl = strlen(where) + strlen(name) + 2;
		char *sub = malloc(wl);
		cr_assert_not_null(sub);
		snprintf(sub, wl, "%s\\%s", where, name);
		keys += tu_assert_same_tree(a, ca[i], b, y, sub, order);
		free(sub);
		free(name);
	}
	free(ca);
	free(cb);
	return keys;
}

/* ---- regf images ------------------------------------------------------------ */

void
tu_assert_clean_image(const uint8_t *b, size_t len)
{
	cr_assert_geq(len, 8192u, "a hive has a base block and a bin");
	cr_assert_eq(memcmp(b, "regf", 4), 0);
	cr_assert_eq(mp_le32(b + 4), mp_le32(b + 8), "sequence numbers");
	cr_assert_eq(mp_le32(b + 28), 0, "file type");
	cr_assert_eq((size_t)mp_le32(b + 40), len - 4096u, "hive-bins size");
	uint32_t x = 0;
	for (size_t off = 0; off < 508; off += 4)
		x ^= mp_le32(b + off);
	cr_assert_eq(mp_le32(b + 508), x, "checksum (plain XOR, hivex)");
	cr_assert(x != 0 && x != 0xFFFFFFFFu, "checksum (Windows rule)");
	size_t pos = 0, bins = len - 4096u;
	while (pos < bins) {
		const uint8_t *h = b + 4096 + pos;
		uint32_t size = mp_le32(h + 8);
		cr_assert_eq(memcmp(h, "hbin", 4), 0, "bin at %zu", pos);
		cr_assert_eq(mp_le32(h + 4), pos);
		cr_assert(size >= 4096 && size % 4096 == 0 && size <= bins - pos, "bin at %zu",
		          pos);
		pos += size;
	}
}

void
tu_assert_clean_file(const char *path)
{
	size_t len = 0;
	uint8_t *p = (uint8_t *)tu_read(path, &len);
	cr_assert_not_null(p, "cannot read %s", path);
	tu_assert_clean_image(p, len);
	free(p);
}

void
tu_assert_same_reg_blocks(const struct mp_reg_file *a, const struct mp_reg_file *b, size_t len)
{
	cr_assert_eq(a->nblocks, b->nblocks, "after byte %zu: %zu %zu", len, a->nblocks,
	             b->nblocks);
	cr_assert_eq(a->nvalues, b->nvalues, "after byte %zu", len);
	cr_assert_eq(a->nlines, b->nlines, "after byte %zu: %zu %zu", len, a->nlines, b->nlines);
	cr_assert_eq(a->eol, b->eol, "after byte %zu", len);
	for (size_t i = 0; i < a->nblocks; i++) {
		const struct mp_reg_block *x = &a->blocks[i], *y = &b->blocks[i];
		cr_assert_str_eq(x->path, y->path, "block %zu after byte %zu", i, len);
		cr_assert_eq(x->ncomp, y->ncomp);
		for (size_t j = 0; j < x->ncomp; j++)
			cr_assert_str_eq(x->comp[j], y->comp[j]);
		cr_assert(x->is_delete == y->is_delete && x->root == y->root &&
		              x->nvalues == y->nvalues && x->first_value == y->first_value &&
		              x->vend == y->vend,
		          "block %zu after byte %zu", i, len);
		cr_assert(memcmp(&x->span, &y->span, sizeof(x->span)) == 0 &&
		              memcmp(&x->body, &y->body, sizeof(x->body)) == 0,
		          "block %zu after byte %zu: span or body", i, len);
	}
}
