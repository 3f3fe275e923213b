/* patch.c - the fast write path: patches the changed cells of a hive
 * copy in place and appends at most one hbin (M. Suhanov's regf
 * specification; quoted names below are its sections).  Keys to create are
 * regf/newkeys.c's, within the same phases.
 *
 * Three phases, and nothing is written before the last one starts:
 *   1. read (through regf/cells.c): the base block, each key's nk, its
 *      value list and vk cells and the data cells of the values the plan
 *      touches, the paths of the keys to create; every offset and length is
 *      checked against the hive bins first;
 *   2. plan: one action per op (overwrite in place, move the data, delete,
 *      add), cells of the new bin laid out, the touched cells checked not to
 *      overlap; then the new bin is built in memory;
 *   3. write: the new bin, the patched cells, the freed cells, the base block.
 *
 * Cell offsets ("rel") are relative to the first hbin, i.e. file offset
 * minus 4096 ("Base block", note 1); 0xFFFFFFFF means none. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/le.h"
#include "base/limits.h"
#include "base/platform.h"
#include "base/utf16.h"
#include "regf/base_block.h"
#include "regf/cells.h"
#include "regf/hiveinfo.h"
#include "regf/newkeys.h"
#include "regf/patch.h"
#include "regf/patch_int.h"
#include "store/store.h"

/* Largest data a >= 1.4 hive keeps in one cell; more is big data ("Big
 * data"; ReactOS cmlib.h CM_KEY_VALUE_BIG). */
#define BIG_DATA_MIN 16344u
/* hivex refuses single allocations above this (hivex-internal.h); its
 * verify must read back what we write, and MAPI values are a few KiB. */
#define ALLOC_MAX 1000000u
/* Value names are at most 16,383 characters (Microsoft Learn, "Registry
 * element size limits"). */
#define VALUE_NAME_MAX 16383u
/* Seconds from 1601-01-01 to 1970-01-01: the FILETIME epoch. */
#define FILETIME_UNIX_EPOCH 11644473600u
/* Current time as FILETIME (100 ns ticks since 1601-01-01 UTC). */
static uint64_t
filetime_now(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0)
		return (uint64_t)FILETIME_UNIX_EPOCH * 10000000u;
	return ((uint64_t)ts.tv_sec + FILETIME_UNIX_EPOCH) * 10000000u +
	       (uint64_t)ts.tv_nsec / 100u;
}

/* Phase 1: the base block (regf/cells.c: not a hive, a wrong major version
 * or a hive-bins size that is not whole bins is an error); a dirty or
 * unusual header is left to the hivex path ("Base block", "Dirty state of a
 * hive"). */
static int
read_base(struct patch *p)
{
	struct mp_regf_base *b = &p->base;
	if (mp_regf_base_read(p->ctx, p->fd, b) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	p->bins = b->bins;
	p->minor = b->minor;
	p->cells = (struct mp_regf_cells){p->ctx, p->fd, b->bins, NULL};
	if (b->minor < 3 || b->minor > 6 || b->type != 0 || b->format != 1 || b->seq1 != b->seq2 ||
	    (b->stored != b->plain && b->stored != b->windows))
		return DECLINE;
	return MAPIPROF_OK;
}

/* Converts the op names of k to UTF-16 units once (vk names are compared
 * unit by unit, and stored from them).  Two ops for one name, a name longer
 * than the registry allows or a set without data decline. */
static int
prep_ops(struct patch *p, struct keyst *k)
{
	const struct mp_key_change *pk = k->pk;
	for (size_t j = 0; j < pk->nops; j++) {
		struct opst *o = &k->ops[j];
		const struct mp_value_change *op = &pk->ops[j];
		o->op = op;
		o->vk = NO_VK;
		o->new_vk = o->new_data = MP_CELL_NONE;
		if (op->value_name == NULL || (!op->del && op->len > 0 && op->data == NULL))
			return DECLINE;
		uint8_t *u16 = NULL;
		size_t len = 0;
		if (mp_utf8_to_utf16le(p->ctx, op->value_name, strlen(op->value_name), &u16,
		                       &len) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		o->nunits = len / 2;
		o->units = mp_arena_calloc(&p->arena, o->nunits + 1, sizeof(uint16_t));
		o->latin1 = 1;
		for (size_t i = 0; o->units != NULL && i < o->nunits; i++) {
			o->units[i] = mp_le16(u16 + 2 * i);
			o->latin1 = o->latin1 && o->units[i] <= 0xFF;
		}
		free(u16);
		if (o->units == NULL)
			return mp_nomem(p->ctx);
		if (o->nunits > VALUE_NAME_MAX)
			return DECLINE;
	}
	return MAPIPROF_OK;
}

/* 1 when the stored name (len bytes; Latin-1 when comp, else UTF-16LE)
 * equals o's name case-insensitively. */
static int
name_eq(const struct opst *o, const uint8_t *name, size_t len, int comp)
{
	size_t width = comp ? 1 : 2;
	if (len != o->nunits * width)
		return 0;
	for (size_t i = 0; i < o->nunits; i++) {
		uint32_t c = comp ? name[i] : mp_le16(name + 2 * i);
		if (mp_name_fold(c) != mp_name_fold(o->units[i]))
			return 0;
	}
	return 1;
}

/* Two ops of one key naming the same value decline. */
static int
check_dup_ops(const struct keyst *k)
{
	for (size_t j = 0; j < k->pk->nops; j++) {
		const struct opst *a = &k->ops[j];
		for (size_t i = 0; i < j; i++) {
			const struct opst *b = &k->ops[i];
			int same = a->nunits == b->nunits;
			for (size_t u = 0; same && u < a->nunits; u++)
				same = mp_name_fold(a->units[u]) == mp_name_fold(b->units[u]);
			if (same)
				return DECLINE;
		}
	}
	return MAPIPROF_OK;
}

/* Reads k's nk cell ("Key node") and value list ("Key values list")
 * (regf/cells.c). */
static int
read_key(struct patch *p, struct keyst *k)
{
	const char *uid = k->pk->uid;
	if (k->pk->key == 0 || k->pk->del)
		return DECLINE; /* a key to create or delete */
	int rc = mp_regf_cells_nk(&p->cells, uid, k->pk->key, &k->nk);
	if (rc != MAPIPROF_OK)
		return rc;
	k->n = k->nk.nvalues;
	rc = mp_regf_cells_vlist(&p->cells, uid, &k->nk, &p->arena, &k->list, &k->list_cell);
	if (rc != MAPIPROF_OK || k->n == 0)
		return rc;
	k->vks = mp_arena_calloc(&p->arena, k->n, sizeof(*k->vks));
	return k->vks == NULL ? mp_nomem(p->ctx) : MAPIPROF_OK;
}

/* 1 when some op of k has a name that could be stored in len bytes. */
static int
len_may_match(const struct keyst *k, size_t len, int comp)
{
	for (size_t j = 0; j < k->pk->nops; j++)
		if (len == k->ops[j].nunits * (comp ? 1u : 2u))
			return 1;
	return 0;
}

/* Reads vk i of k ("Key value") and binds it to the op of its name.  A name
 * matched by two vks declines (the value would be ambiguous). */
static int
read_vk(struct patch *p, struct keyst *k, uint32_t i)
{
	struct mp_regf_vk *v = &k->vks[i].c;
	int rc = mp_regf_cells_vk(&p->cells, k->pk->uid, k->list[i], v);
	if (rc != MAPIPROF_OK)
		return rc;
	if (!len_may_match(k, v->name_len, v->comp))
		return MAPIPROF_OK;
	if (mp_regf_cells_vk_name(&p->cells, v, p->name) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	for (size_t j = 0; j < k->pk->nops; j++) {
		if (!name_eq(&k->ops[j], p->name, v->name_len, v->comp))
			continue;
		if (k->ops[j].vk != NO_VK)
			return DECLINE;
		k->ops[j].vk = i;
	}
	return MAPIPROF_OK;
}

/* Reads every key of the plan with at least one op, and what creating the
 * plan's new keys needs (regf/newkeys.c). */
static int
read_all(struct patch *p, const struct mp_key_change *keys, size_t nkeys)
{
	size_t nspans = 0, extra = 0;
	p->nkeys = nkeys;
	p->keys = mp_arena_calloc(&p->arena, nkeys > 0 ? nkeys : 1, sizeof(*p->keys));
	p->name = malloc(0x10000u);
	if (p->keys == NULL || p->name == NULL)
		return mp_nomem(p->ctx);
	for (size_t i = 0; i < nkeys; i++) {
		struct keyst *k = &p->keys[i];
		k->pk = &keys[i];
		k->created = k->pk->key == 0 && !k->pk->del;
		if (k->pk->nops == 0)
			continue;
		k->ops = mp_arena_calloc(&p->arena, k->pk->nops, sizeof(*k->ops));
		if (k->ops == NULL)
			return mp_nomem(p->ctx);
		int rc = k->created ? MAPIPROF_OK : read_key(p, k);
		if (rc == MAPIPROF_OK)
			rc = prep_ops(p, k);
		if (rc == MAPIPROF_OK)
			rc = check_dup_ops(k);
		for (uint32_t v = 0; rc == MAPIPROF_OK && v < k->n; v++)
			rc = read_vk(p, k, v);
		if (rc != MAPIPROF_OK)
			return rc;
		/* The nk, the old list, and per op a vk and a data cell. */
		if (k->pk->nops > (SIZE_MAX / sizeof(struct span) - nspans - 2u) / 2u)
			return mp_nomem(p->ctx);
		nspans += 2u + 2u * k->pk->nops;
	}
	int rc = mp_newkeys_read(p, &extra);
	if (rc != MAPIPROF_OK)
		return rc;
	if (extra > SIZE_MAX / sizeof(struct span) - nspans - 1u)
		return mp_nomem(p->ctx);
	nspans += extra;
	p->spans = mp_arena_calloc(&p->arena, nspans > 0 ? nspans : 1, sizeof(*p->spans));
	return p->spans == NULL ? mp_nomem(p->ctx) : MAPIPROF_OK;
}

/* A data cell in the new bin for o's data unless it goes inline; data
 * Windows would read as big data ("Big data"; ReactOS cmlib.h) or hivex
 * would not allocate (hivex-internal.h) declines. */
static int
new_data(struct patch *p, struct opst *o)
{
	size_t len = o->op->len;
	if (len <= MP_INLINE_MAX)
		return MAPIPROF_OK;
	if (len > ALLOC_MAX || (p->minor >= 4 && len > BIG_DATA_MIN))
		return DECLINE;
	return mp_patch_bin_alloc(p, mp_round8(4u + (uint32_t)len), &o->new_data);
}

/* Chooses what to do for op o of k (see enum act). */
static int
decide_op(struct patch *p, struct keyst *k, struct opst *o)
{
	if (o->vk == NO_VK) {
		if (o->op->del) {
			o->act = ACT_NONE;
			return MAPIPROF_OK;
		}
		o->act = ACT_NEW;
		k->relist = 1;
		uint32_t nbytes = (uint32_t)(o->latin1 ? o->nunits : 2u * o->nunits);
		int rc = mp_patch_bin_alloc(p, mp_round8(MP_VK_HDR + nbytes), &o->new_vk);
		return rc != MAPIPROF_OK ? rc : new_data(p, o);
	}
	struct vkst *v = &k->vks[o->vk];
	int rc = mp_regf_cells_data(&p->cells, k->pk->uid, &v->c);
	if (rc != MAPIPROF_OK)
		return rc;
	mp_patch_add_span(p, v->c.rel, v->c.cell);
	if (v->c.data_rel != MP_CELL_NONE)
		mp_patch_add_span(p, v->c.data_rel, v->c.data_cell);
	if (o->op->del) {
		o->act = ACT_DELETE;
		v->deleted = 1;
		k->relist = 1;
		return MAPIPROF_OK;
	}
	if (o->op->len == v->c.len) {
		o->act = ACT_INPLACE;
		return MAPIPROF_OK;
	}
	o->act = ACT_RESIZE;
	return new_data(p, o);
}

/* Decides every op of k and, when values come or go, lays out its new
 * value list (old order, deleted ones dropped, new ones appended). */
static int
decide_key(struct patch *p, struct keyst *k)
{
	if (!k->created)
		mp_patch_add_span(p, k->nk.rel, k->nk.cell);
	uint32_t added = 0, removed = 0;
	for (size_t j = 0; j < k->pk->nops; j++) {
		struct opst *o = &k->ops[j];
		int rc = decide_op(p, k, o);
		if (rc != MAPIPROF_OK)
			return rc;
		added += o->act == ACT_NEW;
		removed += o->act == ACT_DELETE;
	}
	if (!k->relist)
		return MAPIPROF_OK;
	if (k->n > 0)
		mp_patch_add_span(p, k->nk.vlist, k->list_cell);
	k->new_n = k->n - removed + added;
	if (k->new_n > MP_MAX_VALUES_PER_KEY)
		return DECLINE;
	k->new_list = MP_CELL_NONE;
	if (k->new_n == 0)
		return MAPIPROF_OK;
	return mp_patch_bin_alloc(p, mp_round8(4u + 4u * k->new_n), &k->new_list);
}

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->rel < y->rel ? -1 : x->rel > y->rel;
}

/* Decides every key; cells the patch writes or frees must not overlap (a
 * key listed twice, cells shared between values) or it declines. */
static int
plan_all(struct patch *p)
{
	if (p->bins > UINT32_MAX - NEW_BIN_MAX - MP_HBIN_ALIGN)
		return DECLINE;
	for (size_t i = 0; i < p->nkeys; i++) {
		if (p->keys[i].pk->nops == 0)
			continue;
		int rc = decide_key(p, &p->keys[i]);
		if (rc == MAPIPROF_OK)
			rc = mp_newkeys_place(p, &p->keys[i]);
		if (rc != MAPIPROF_OK)
			return rc;
	}
	int rc = mp_newkeys_plan(p);
	if (rc != MAPIPROF_OK)
		return rc;
	qsort(p->spans, p->nspans, sizeof(*p->spans), span_cmp);
	for (size_t i = 1; i < p->nspans; i++)
		if (p->spans[i].rel - p->spans[i - 1].rel < p->spans[i - 1].len)
			return DECLINE;
	if (p->bin_used > 0)
		p->bin_size = (p->bin_used + MP_HBIN_ALIGN - 1u) / MP_HBIN_ALIGN * MP_HBIN_ALIGN;
	return MAPIPROF_OK;
}

/* Sets the data fields of a vk (hdr) to op's data: inline when <= 4 bytes
 * (size | bit 31, bytes at the offset field's lowest address, "Data
 * size"), else the length and the data cell data_rel. */
static void
set_vk_data(uint8_t *hdr, const struct mp_value_change *op, uint32_t data_rel)
{
	if (data_rel == MP_CELL_NONE) {
		mp_put_le32(hdr + MP_VK_DLEN, (uint32_t)op->len | MP_DATA_INLINE);
		memset(hdr + MP_VK_DOFF, 0, 4);
		if (op->len > 0)
			memcpy(hdr + MP_VK_DOFF, op->data, op->len);
		return;
	}
	mp_put_le32(hdr + MP_VK_DLEN, (uint32_t)op->len);
	mp_put_le32(hdr + MP_VK_DOFF, data_rel);
}

/* Writes a new vk cell for o into the new bin ("Key value"); returns its
 * header. */
static uint8_t *
fill_new_vk(struct patch *p, const struct opst *o)
{
	uint8_t *c = mp_patch_bin_cell(p, o->new_vk);
	uint32_t nbytes = (uint32_t)(o->latin1 ? o->nunits : 2u * o->nunits);
	mp_put_le32(c, 0u - mp_round8(MP_VK_HDR + nbytes));
	memcpy(c + 4, "vk", 2);
	mp_put_le16(c + MP_VK_NAMELEN, nbytes);
	mp_put_le16(c + MP_VK_FLAGS, o->latin1 ? MP_VK_COMP_NAME : 0u);
	for (size_t i = 0; i < o->nunits; i++) {
		if (o->latin1)
			c[MP_VK_HDR + i] = (uint8_t)o->units[i];
		else
			mp_put_le16(c + MP_VK_HDR + 2u * i, o->units[i]);
	}
	return c;
}

/* Fills o's new cells and patches its vk header (in the bin or in memory). */
static void
fill_op(struct patch *p, struct keyst *k, const struct opst *o)
{
	const struct mp_value_change *op = o->op;
	if (o->new_data != MP_CELL_NONE) {
		uint8_t *c = mp_patch_bin_cell(p, o->new_data);
		mp_put_le32(c, 0u - mp_round8(4u + (uint32_t)op->len));
		memcpy(c + 4, op->data, op->len);
	}
	uint8_t *hdr = NULL;
	if (o->act == ACT_NEW) {
		hdr = fill_new_vk(p, o);
	} else if (o->act == ACT_INPLACE || o->act == ACT_RESIZE) {
		k->vks[o->vk].dirty = 1;
		hdr = k->vks[o->vk].c.hdr;
	} else {
		return;
	}
	mp_put_le32(hdr + MP_VK_TYPE, op->reg_type);
	/* Same length in a data cell (written in write_key) or none at all:
	 * the size and offset fields stay as they are. */
	if (o->act == ACT_INPLACE && (k->vks[o->vk].c.data_rel != MP_CELL_NONE || op->len == 0))
		return;
	set_vk_data(hdr, op, o->new_data);
}

/* Patches k's nk in memory ("Key node"): LastWrite = now, value count and
 * list when they change, largest name (UTF-16 bytes) and data raised. */
static void
patch_nk(struct patch *p, struct keyst *k)
{
	mp_put_le64(k->nk.hdr + MP_NK_TIME, p->now);
	if (k->relist) {
		mp_put_le32(k->nk.hdr + MP_NK_NVALUES, k->new_n);
		mp_put_le32(k->nk.hdr + MP_NK_VLIST, k->new_list);
	}
	for (size_t j = 0; j < k->pk->nops; j++) {
		const struct opst *o = &k->ops[j];
		if (o->op->del)
			continue;
		uint32_t name = (uint32_t)(2u * o->nunits), len = (uint32_t)o->op->len;
		if (name > mp_le32(k->nk.hdr + MP_NK_MAXVNAME))
			mp_put_le32(k->nk.hdr + MP_NK_MAXVNAME, name);
		if (len > mp_le32(k->nk.hdr + MP_NK_MAXDATA))
			mp_put_le32(k->nk.hdr + MP_NK_MAXDATA, len);
	}
}

/* k's new value list, if any ("Key values list": a plain array of vk
 * offsets). */
static void
fill_list(struct patch *p, const struct keyst *k)
{
	if (!k->relist || k->new_list == MP_CELL_NONE)
		return;
	uint8_t *c = mp_patch_bin_cell(p, k->new_list);
	mp_put_le32(c, 0u - mp_round8(4u + 4u * k->new_n));
	uint32_t at = 0;
	for (uint32_t i = 0; i < k->n; i++)
		if (!k->vks[i].deleted)
			mp_put_le32(c + 4u + 4u * at++, k->list[i]);
	for (size_t j = 0; j < k->pk->nops; j++)
		if (k->ops[j].act == ACT_NEW)
			mp_put_le32(c + 4u + 4u * at++, k->ops[j].new_vk);
}

/* 1 when some op of k changes something. */
static int
key_changes(const struct keyst *k)
{
	for (size_t j = 0; j < k->pk->nops; j++)
		if (k->ops[j].act != ACT_NONE)
			return 1;
	return 0;
}

/* Builds the new bin in memory ("Hive bin": "hbin", its offset, its size;
 * cells with negative sizes; the rest one free cell) and patches the nk and
 * vk headers in memory. */
static int
build(struct patch *p)
{
	p->now = filetime_now();
	if (p->bin_size > 0) {
		p->bin = mp_arena_calloc(&p->arena, p->bin_size, 1);
		if (p->bin == NULL)
			return mp_nomem(p->ctx);
		memcpy(p->bin, "hbin", 4);
		mp_put_le32(p->bin + 4, p->bins);
		mp_put_le32(p->bin + 8, p->bin_size);
		if (p->bin_used < p->bin_size)
			mp_put_le32(p->bin + p->bin_used, p->bin_size - p->bin_used);
	}
	if (mp_newkeys_init(p) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	for (size_t i = 0; i < p->nkeys; i++) {
		struct keyst *k = &p->keys[i];
		if (k->pk->nops == 0 || !key_changes(k))
			continue;
		for (size_t j = 0; j < k->pk->nops; j++)
			fill_op(p, k, &k->ops[j]);
		fill_list(p, k);
		patch_nk(p, k);
	}
	mp_newkeys_build(p);
	return MAPIPROF_OK;
}

/* Writes k's same-length data where it lies, its patched vk headers, its
 * freed cells and its nk. */
static int
write_key(struct patch *p, const struct keyst *k)
{
	int rc = MAPIPROF_OK;
	for (size_t j = 0; rc == MAPIPROF_OK && j < k->pk->nops; j++) {
		const struct opst *o = &k->ops[j];
		if (o->act != ACT_INPLACE && o->act != ACT_RESIZE && o->act != ACT_DELETE)
			continue;
		const struct vkst *v = &k->vks[o->vk];
		if (o->act == ACT_INPLACE && v->c.data_rel != MP_CELL_NONE)
			rc = mp_patch_pwrite(p, o->op->data, o->op->len,
			                     (uint64_t)v->c.data_rel + MP_REGF_BASE_BLOCK + 4u);
		else if (o->act != ACT_INPLACE && v->c.data_rel != MP_CELL_NONE)
			rc = mp_patch_write_free(p, v->c.data_rel, v->c.data_cell);
		if (rc == MAPIPROF_OK && v->dirty)
			rc = mp_patch_pwrite(p, v->c.hdr, MP_VK_HDR,
			                     (uint64_t)v->c.rel + MP_REGF_BASE_BLOCK);
		if (rc == MAPIPROF_OK && v->deleted)
			rc = mp_patch_write_free(p, v->c.rel, v->c.cell);
	}
	if (rc == MAPIPROF_OK && k->relist && k->n > 0)
		rc = mp_patch_write_free(p, k->nk.vlist, k->list_cell);
	if (rc == MAPIPROF_OK)
		rc = mp_patch_pwrite(p, k->nk.hdr, MP_NK_HDR,
		                     (uint64_t)k->nk.rel + MP_REGF_BASE_BLOCK);
	return rc;
}

/* The base block ("Base block"): seq1 = seq2 = old seq1 + 1 (as hivex's
 * commit), new hive-bins size, timestamp now, checksum.  mp_regf_base_seal
 * nudges the timestamp while the plain XOR is 0 or 0xFFFFFFFF, where hivex
 * and Windows disagree, then stores the checksum. */
static int
write_base(struct patch *p)
{
	uint8_t *bb = p->base.bb;
	uint32_t seq = mp_le32(bb + MP_BB_SEQ1) + 1u;
	mp_put_le32(bb + MP_BB_SEQ1, seq);
	mp_put_le32(bb + MP_BB_SEQ2, seq);
	mp_put_le32(bb + MP_BB_BINS_SIZE, p->bins + p->bin_size);
	mp_put_le64(bb + MP_BB_TIMESTAMP, p->now);
	mp_regf_base_seal(bb);
	return mp_patch_pwrite(p, bb, MP_BB_CHECKSUM + 4u, 0);
}

/* The new bin first (the file grows), then each key, the parents of new
 * keys, then the base block. */
static int
write_all(struct patch *p)
{
	int rc = MAPIPROF_OK;
	if (p->bin_size > 0)
		rc =
		    mp_patch_pwrite(p, p->bin, p->bin_size, (uint64_t)p->bins + MP_REGF_BASE_BLOCK);
	for (size_t i = 0; rc == MAPIPROF_OK && i < p->nkeys; i++) {
		const struct keyst *k = &p->keys[i];
		if (k->pk->nops > 0 && !k->created && key_changes(k))
			rc = write_key(p, k);
	}
	if (rc == MAPIPROF_OK)
		rc = mp_newkeys_write(p);
	return rc == MAPIPROF_OK ? write_base(p) : rc;
}

/* Both entries: a patch written to fd, or recorded in rec (not NULL). */
static int
patch_run(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys, size_t nkeys,
          struct mp_regf_writes *rec, int *done)
{
	struct patch *p = calloc(1, sizeof(*p));
	*done = 0;
	if (p == NULL)
		return mp_nomem(ctx);
	p->ctx = ctx;
	p->fd = fd;
	p->rec = rec;
	int rc = read_base(p);
	if (rc == MAPIPROF_OK)
		rc = read_all(p, keys, nkeys);
	if (rc == MAPIPROF_OK)
		rc = plan_all(p);
	if (rc == MAPIPROF_OK)
		rc = build(p);
	if (rc == MAPIPROF_OK)
		rc = write_all(p);
	if (rc == MAPIPROF_OK)
		*done = 1;
	free(p->name);
	mp_newkeys_free(p);
	mp_arena_free(&p->arena);
	free(p);
	return rc == DECLINE ? MAPIPROF_OK : rc;
}

int
mp_regf_patch(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys, size_t nkeys,
              int *done)
{
	return patch_run(ctx, fd, keys, nkeys, NULL, done);
}

int
mp_regf_patch_record(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys,
                     size_t nkeys, struct mp_regf_writes *out, int *done)
{
	*out = (struct mp_regf_writes){0};
	return patch_run(ctx, fd, keys, nkeys, out, done);
}
