/* regf_patch.c - the fast write path: patches the changed cells of a hive
 * copy in place and appends at most one hbin (reg-and-regf.md §3).
 *
 * Three phases, and nothing is written before the last one starts:
 *   1. read: the base block (§3.1), each key's nk (§3.4), its value list and
 *      vk cells (§3.6) and the data cells of the values the plan touches;
 *      every offset and length is checked against the hive bins first;
 *   2. plan: one action per op (overwrite in place, move the data, delete,
 *      add), cells of the new bin laid out, the touched cells checked not to
 *      overlap; then the new bin is built in memory;
 *   3. write: the new bin, the patched cells, the freed cells, the base block.
 *
 * Cell offsets ("rel") are relative to the first hbin, i.e. file offset
 * minus 4096; 0xFFFFFFFF means none (§3). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hiveinfo.h"
#include "limits.h"
#include "platform.h"
#include "regf_patch.h"
#include "utf16.h"

/* Base block fields (§3.1). */
#define BB_SEQ1      0x004u
#define BB_SEQ2      0x008u
#define BB_TIMESTAMP 0x00Cu
#define BB_MAJOR     0x014u
#define BB_MINOR     0x018u
#define BB_TYPE      0x01Cu
#define BB_FORMAT    0x020u
#define BB_BINS_SIZE 0x028u
#define BB_CHECKSUM  0x1FCu
/* hbin header and bin size unit (§3.2). */
#define HBIN_HDR   32u
#define HBIN_ALIGN 4096u
#define CELL_NONE  0xFFFFFFFFu
/* nk fields, counted from the cell start (4-byte size field, then §3.4). */
#define NK_TIME     (4u + 4u)
#define NK_NVALUES  (4u + 36u)
#define NK_VLIST    (4u + 40u)
#define NK_MAXVNAME (4u + 60u)
#define NK_MAXDATA  (4u + 64u)
#define NK_NAMELEN  (4u + 72u)
#define NK_HDR      (4u + 76u)
/* vk fields, counted from the cell start (§3.6). */
#define VK_NAMELEN   (4u + 2u)
#define VK_DLEN      (4u + 4u)
#define VK_DOFF      (4u + 8u)
#define VK_TYPE      (4u + 12u)
#define VK_FLAGS     (4u + 16u)
#define VK_HDR       (4u + 20u)
#define VK_COMP_NAME 0x0001u
/* Data size with bit 31 set: up to 4 bytes inline in the offset field (§3.6). */
#define DATA_INLINE 0x80000000u
#define INLINE_MAX  4u
/* Largest data a >= 1.4 hive keeps in one cell; more is big data (§3.3, §3.8). */
#define BIG_DATA_MIN 16344u
/* hivex refuses single allocations above this (§3.10); its verify must read
 * back what we write, and MAPI values are a few KiB. */
#define ALLOC_MAX 1000000u
/* Value names are at most 16,383 characters (§3.6). */
#define VALUE_NAME_MAX 16383u
/* Cap on the one new bin: the plan's new cells (values <= ALLOC_MAX). */
#define NEW_BIN_MAX (64u * 1024u * 1024u)
/* Seconds from 1601-01-01 to 1970-01-01: the FILETIME epoch. */
#define FILETIME_UNIX_EPOCH 11644473600u
/* Local result of the read and plan phases: the patcher cannot do this
 * plan (MAPIPROF_OK and MAPIPROF_FAILED keep their meaning). */
#define DECLINE 1
#define NO_VK   ((size_t)-1)

enum act {
	ACT_NONE,    /* delete of an absent value */
	ACT_INPLACE, /* same length: overwrite where the data lies */
	ACT_RESIZE,  /* other length: same vk, data inline or in a new cell */
	ACT_DELETE,  /* drop from the list, free vk and data */
	ACT_NEW,     /* new vk (and data cell) appended to the list */
};

/* One op of a key. */
struct opst {
	const struct mp_plan_op *op;
	uint16_t *units; /* name as UTF-16 code units (matching, UTF-16 storage) */
	size_t nunits;
	int latin1; /* every unit <= 0xFF: stored one byte each, COMP_NAME */
	size_t vk;  /* index of the vk of that name, NO_VK when none */
	enum act act;
	uint32_t new_vk, new_data; /* cells in the new bin, CELL_NONE if none */
};

/* One vk of a touched key, as read (hdr is patched in memory). */
struct vkst {
	uint32_t rel, cell;  /* cell offset and size */
	uint8_t hdr[VK_HDR]; /* size field and fixed part */
	uint32_t len;        /* data length */
	uint32_t data_rel;   /* data cell; CELL_NONE when inline or empty */
	uint32_t data_cell;
	int dirty, deleted;
};

/* One key of the plan. */
struct keyst {
	const struct mp_plan_key *pk;
	uint32_t rel, cell;
	uint8_t nk[NK_HDR];
	uint32_t n; /* values before */
	uint32_t list_rel, list_cell;
	uint32_t *list; /* vk offsets before */
	struct vkst *vks;
	struct opst *ops;
	int relist; /* values added or deleted: a new list */
	uint32_t new_list, new_n;
};

/* A cell the patch writes into or frees. */
struct span {
	uint32_t rel, len;
};

struct patch {
	struct mapiprof_ctx *ctx;
	int fd;
	struct mp_arena arena;
	uint8_t bb[MP_REGF_BASE_BLOCK];
	uint64_t fsize;
	uint32_t bins; /* hive bins size before */
	uint32_t minor;
	struct keyst *keys;
	size_t nkeys;
	struct span *spans;
	size_t nspans;
	uint8_t *name;     /* scratch for one vk name (<= 0xFFFF bytes) */
	uint32_t bin_used; /* bytes of the new bin laid out, header included */
	uint32_t bin_size; /* its size; 0 when no bin is needed */
	uint8_t *bin;
	uint64_t now; /* FILETIME of this write */
};

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void
put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t
round8(uint32_t n)
{
	return (n + 7u) & ~7u;
}

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

/* Writes all len bytes at offset (POSIX pwrite; retries EINTR and short
 * writes). */
static int
pwrite_full(struct patch *p, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *b = buf;
	for (size_t done = 0; done < len;) {
		ssize_t r = pwrite(p->fd, b + done, len - done, (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			mp_seterr_errno(p->ctx, r < 0 ? errno : EIO,
			                "cannot write %zu bytes at offset %llu", len - done,
			                (unsigned long long)(off + done));
			return MAPIPROF_FAILED;
		}
		done += (size_t)r;
	}
	return MAPIPROF_OK;
}

static int
bad(struct patch *p, const char *uid, const char *fmt, uint32_t rel)
{
	mp_seterr(p->ctx, MAPIPROF_E_FORMAT, "section '%.200s': %s at file offset 0x%llx", uid, fmt,
	          (unsigned long long)rel + MP_REGF_BASE_BLOCK);
	return MAPIPROF_FAILED;
}

/* Reads the first len bytes (len >= 4) of the cell at rel into buf and its
 * size into *cell: the cell must start inside the hive bins past the first
 * bin header, be allocated (negative size, §3.3), hold len bytes and end
 * inside the hive bins.  what names it in messages (uid: the section). */
static int
read_cell(struct patch *p, const char *uid, const char *what, uint32_t rel, uint8_t *buf,
          uint32_t len, uint32_t *cell)
{
	char msg[128];
	if (rel == CELL_NONE || rel % 4u != 0 || rel < HBIN_HDR || rel >= p->bins ||
	    p->bins - rel < len) {
		snprintf(msg, sizeof(msg), "%s offset is outside the hive bins", what);
		return bad(p, uid, msg, rel);
	}
	if (rel % 8u != 0)
		return DECLINE; /* hivex accepts 4-aligned cells; Windows never writes them */
	if (mp_pread_full(p->ctx, p->fd, buf, len, (uint64_t)rel + MP_REGF_BASE_BLOCK) !=
	    MAPIPROF_OK)
		return MAPIPROF_FAILED;
	uint32_t raw = get32(buf);
	uint32_t size = 0u - raw;
	if ((raw & 0x80000000u) == 0 || size < len || size > p->bins - rel) {
		snprintf(msg, sizeof(msg), "%s is free or its size 0x%08x is not valid", what, raw);
		return bad(p, uid, msg, rel);
	}
	if (size % 8u != 0)
		return DECLINE;
	*cell = size;
	return MAPIPROF_OK;
}

/* Phase 1: the base block.  Not a hive, a wrong major version or a hive-bins
 * size that is not whole bins is an error; a dirty or unusual header is left
 * to the hivex path (§3.1, §4). */
static int
read_base(struct patch *p)
{
	uint8_t *bb = p->bb;
	enum mp_file_kind kind;
	int64_t mtime = 0;
	if (mp_fd_stat(p->ctx, p->fd, &p->fsize, &kind, &mtime) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (p->fsize < MP_REGF_BASE_BLOCK) {
		mp_seterr(p->ctx, MAPIPROF_E_TRUNCATED, "truncated hive: file has %llu bytes",
		          (unsigned long long)p->fsize);
		return MAPIPROF_FAILED;
	}
	if (mp_pread_full(p->ctx, p->fd, bb, MP_REGF_BASE_BLOCK, 0) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	p->bins = get32(bb + BB_BINS_SIZE);
	p->minor = get32(bb + BB_MINOR);
	if (memcmp(bb, "regf", 4) != 0 || get32(bb + BB_MAJOR) != 1 || p->bins == 0 ||
	    p->bins % HBIN_ALIGN != 0) {
		mp_seterr(p->ctx, MAPIPROF_E_FORMAT,
		          "not a regf 1.x hive, or hive bins size 0x%x is not whole bins", p->bins);
		return MAPIPROF_FAILED;
	}
	if (p->fsize - MP_REGF_BASE_BLOCK < p->bins) {
		mp_seterr(p->ctx, MAPIPROF_E_TRUNCATED,
		          "truncated hive: file has %llu bytes, the header needs %llu",
		          (unsigned long long)p->fsize,
		          (unsigned long long)p->bins + MP_REGF_BASE_BLOCK);
		return MAPIPROF_FAILED;
	}
	uint32_t plain = 0, windows = 0, stored = get32(bb + BB_CHECKSUM);
	mp_regf_checksum(bb, &plain, &windows);
	if (p->minor < 3 || p->minor > 6 || get32(bb + BB_TYPE) != 0 ||
	    get32(bb + BB_FORMAT) != 1 || get32(bb + BB_SEQ1) != get32(bb + BB_SEQ2) ||
	    (stored != plain && stored != windows))
		return DECLINE;
	return MAPIPROF_OK;
}

/* Converts the op names of k to UTF-16 units once (vk names are compared
 * unit by unit, and stored from them).  Two ops for one name, a name longer
 * than the registry allows or a set without data decline. */
static int
prep_ops(struct patch *p, struct keyst *k)
{
	const struct mp_plan_key *pk = k->pk;
	for (size_t j = 0; j < pk->nops; j++) {
		struct opst *o = &k->ops[j];
		const struct mp_plan_op *op = &pk->ops[j];
		o->op = op;
		o->vk = NO_VK;
		o->new_vk = o->new_data = CELL_NONE;
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
			o->units[i] = get16(u16 + 2 * i);
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

/* Case folding of the registry for the names we meet: ASCII and Latin-1
 * letters to upper case (as mp_name_casecmp). */
static uint32_t
fold(uint32_t c)
{
	if (c >= 'a' && c <= 'z')
		return c - 0x20;
	if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
		return c - 0x20;
	return c;
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
		uint32_t c = comp ? name[i] : get16(name + 2 * i);
		if (fold(c) != fold(o->units[i]))
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
				same = fold(a->units[u]) == fold(b->units[u]);
			if (same)
				return DECLINE;
		}
	}
	return MAPIPROF_OK;
}

/* Reads k's nk cell (§3.4) and value list (§3.6); the count is checked
 * against the list cell by division before the list is read. */
static int
read_key(struct patch *p, struct keyst *k)
{
	const char *uid = k->pk->uid != NULL ? k->pk->uid : "?";
	mp_key key = k->pk->key;
	if (key == 0)
		return DECLINE; /* a key to create */
	if (key < MP_REGF_BASE_BLOCK || key - MP_REGF_BASE_BLOCK > UINT32_MAX)
		return bad(p, uid, "key handle is outside the hive bins", 0);
	k->rel = (uint32_t)(key - MP_REGF_BASE_BLOCK);
	int rc = read_cell(p, uid, "nk cell", k->rel, k->nk, NK_HDR, &k->cell);
	if (rc != MAPIPROF_OK)
		return rc;
	if (memcmp(k->nk + 4, "nk", 2) != MAPIPROF_OK)
		return bad(p, uid, "no 'nk' signature", k->rel);
	if (NK_HDR + (uint32_t)get16(k->nk + NK_NAMELEN) > k->cell)
		return bad(p, uid, "key name longer than its nk cell", k->rel);
	k->n = get32(k->nk + NK_NVALUES);
	k->list_rel = get32(k->nk + NK_VLIST);
	if (k->n == 0)
		return MAPIPROF_OK;
	if (k->n > MP_MAX_VALUES_PER_KEY) {
		mp_seterr(p->ctx, MAPIPROF_E_LIMIT, "section '%.200s': %u values exceed the cap %u",
		          uid, k->n, MP_MAX_VALUES_PER_KEY);
		return MAPIPROF_FAILED;
	}
	uint8_t head[4];
	rc = read_cell(p, uid, "value list", k->list_rel, head, sizeof(head), &k->list_cell);
	if (rc != MAPIPROF_OK)
		return rc;
	if (k->n > (k->list_cell - 4u) / 4u)
		return bad(p, uid, "value count exceeds its value list cell", k->list_rel);
	uint8_t *raw = mp_arena_alloc(&p->arena, (size_t)k->n * 4u);
	k->list = mp_arena_calloc(&p->arena, k->n, sizeof(*k->list));
	k->vks = mp_arena_calloc(&p->arena, k->n, sizeof(*k->vks));
	if (raw == NULL || k->list == NULL || k->vks == NULL)
		return mp_nomem(p->ctx);
	if (mp_pread_full(p->ctx, p->fd, raw, (size_t)k->n * 4u,
	                  (uint64_t)k->list_rel + MP_REGF_BASE_BLOCK + 4u) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	for (uint32_t i = 0; i < k->n; i++)
		k->list[i] = get32(raw + 4u * i);
	return MAPIPROF_OK;
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

/* Reads vk i of k (§3.6) and binds it to the op of its name.  A name
 * matched by two vks declines (the value would be ambiguous). */
static int
read_vk(struct patch *p, struct keyst *k, uint32_t i)
{
	const char *uid = k->pk->uid != NULL ? k->pk->uid : "?";
	struct vkst *v = &k->vks[i];
	v->rel = k->list[i];
	v->data_rel = CELL_NONE;
	int rc = read_cell(p, uid, "vk cell", v->rel, v->hdr, VK_HDR, &v->cell);
	if (rc != MAPIPROF_OK)
		return rc;
	if (memcmp(v->hdr + 4, "vk", 2) != MAPIPROF_OK)
		return bad(p, uid, "no 'vk' signature", v->rel);
	uint32_t nlen = get16(v->hdr + VK_NAMELEN);
	if (VK_HDR + nlen > v->cell)
		return bad(p, uid, "value name longer than its vk cell", v->rel);
	int comp = (get16(v->hdr + VK_FLAGS) & VK_COMP_NAME) != 0;
	if (!len_may_match(k, nlen, comp))
		return MAPIPROF_OK;
	if (nlen > 0 &&
	    mp_pread_full(p->ctx, p->fd, p->name, nlen,
	                  (uint64_t)v->rel + MP_REGF_BASE_BLOCK + VK_HDR) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	for (size_t j = 0; j < k->pk->nops; j++) {
		if (!name_eq(&k->ops[j], p->name, nlen, comp))
			continue;
		if (k->ops[j].vk != NO_VK)
			return DECLINE;
		k->ops[j].vk = i;
	}
	return MAPIPROF_OK;
}

/* Finds where the data of vk v lies (§3.6): inline (bit 31 of the size,
 * at most 4 bytes), nowhere (length 0) or in a data cell that must hold it.
 * A data cell too small that is a big-data record (§3.8) declines. */
static int
read_data(struct patch *p, const struct keyst *k, struct vkst *v)
{
	const char *uid = k->pk->uid != NULL ? k->pk->uid : "?";
	uint32_t raw = get32(v->hdr + VK_DLEN);
	v->len = raw & ~DATA_INLINE;
	if ((raw & DATA_INLINE) != 0) {
		if (v->len > INLINE_MAX)
			return bad(p, uid, "inline data longer than 4 bytes in vk", v->rel);
		return MAPIPROF_OK;
	}
	if (v->len == 0)
		return MAPIPROF_OK;
	uint8_t head[8];
	uint32_t off = get32(v->hdr + VK_DOFF);
	int rc = read_cell(p, uid, "data cell", off, head, sizeof(head), &v->data_cell);
	if (rc != MAPIPROF_OK)
		return rc;
	if (v->data_cell - 4u < v->len) {
		if (memcmp(head + 4, "db", 2) == 0)
			return DECLINE;
		return bad(p, uid, "data cell smaller than the value's length", off);
	}
	v->data_rel = off;
	return MAPIPROF_OK;
}

/* Reads every key of the plan with at least one op. */
static int
read_all(struct patch *p, const struct mp_plan_key *keys, size_t nkeys)
{
	size_t nspans = 0;
	p->nkeys = nkeys;
	p->keys = mp_arena_calloc(&p->arena, nkeys > 0 ? nkeys : 1, sizeof(*p->keys));
	p->name = malloc(0x10000u);
	if (p->keys == NULL || p->name == NULL)
		return mp_nomem(p->ctx);
	for (size_t i = 0; i < nkeys; i++) {
		struct keyst *k = &p->keys[i];
		k->pk = &keys[i];
		if (k->pk->nops == 0)
			continue;
		k->ops = mp_arena_calloc(&p->arena, k->pk->nops, sizeof(*k->ops));
		if (k->ops == NULL)
			return mp_nomem(p->ctx);
		int rc = read_key(p, k);
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
	p->spans = mp_arena_calloc(&p->arena, nspans > 0 ? nspans : 1, sizeof(*p->spans));
	return p->spans == NULL ? mp_nomem(p->ctx) : MAPIPROF_OK;
}

/* Phase 2: a cell of size bytes in the new bin; *rel its offset. */
static int
bin_alloc(struct patch *p, uint32_t size, uint32_t *rel)
{
	if (p->bin_used == 0)
		p->bin_used = HBIN_HDR;
	if (size > NEW_BIN_MAX - p->bin_used)
		return DECLINE;
	*rel = p->bins + p->bin_used;
	p->bin_used += size;
	return MAPIPROF_OK;
}

static void
add_span(struct patch *p, uint32_t rel, uint32_t len)
{
	p->spans[p->nspans].rel = rel;
	p->spans[p->nspans].len = len;
	p->nspans++;
}

/* A data cell in the new bin for o's data unless it goes inline; data
 * Windows would read as big data (§3.8) or hivex would not allocate
 * (§3.10) declines. */
static int
new_data(struct patch *p, struct opst *o)
{
	size_t len = o->op->len;
	if (len <= INLINE_MAX)
		return MAPIPROF_OK;
	if (len > ALLOC_MAX || (p->minor >= 4 && len > BIG_DATA_MIN))
		return DECLINE;
	return bin_alloc(p, round8(4u + (uint32_t)len), &o->new_data);
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
		int rc = bin_alloc(p, round8(VK_HDR + nbytes), &o->new_vk);
		return rc != MAPIPROF_OK ? rc : new_data(p, o);
	}
	struct vkst *v = &k->vks[o->vk];
	int rc = read_data(p, k, v);
	if (rc != MAPIPROF_OK)
		return rc;
	add_span(p, v->rel, v->cell);
	if (v->data_rel != CELL_NONE)
		add_span(p, v->data_rel, v->data_cell);
	if (o->op->del) {
		o->act = ACT_DELETE;
		v->deleted = 1;
		k->relist = 1;
		return MAPIPROF_OK;
	}
	if (o->op->len == v->len) {
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
	add_span(p, k->rel, k->cell);
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
		add_span(p, k->list_rel, k->list_cell);
	k->new_n = k->n - removed + added;
	if (k->new_n > MP_MAX_VALUES_PER_KEY)
		return DECLINE;
	k->new_list = CELL_NONE;
	if (k->new_n == 0)
		return MAPIPROF_OK;
	return bin_alloc(p, round8(4u + 4u * k->new_n), &k->new_list);
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
	if (p->bins > UINT32_MAX - NEW_BIN_MAX - HBIN_ALIGN)
		return DECLINE;
	for (size_t i = 0; i < p->nkeys; i++) {
		if (p->keys[i].pk->nops == 0)
			continue;
		int rc = decide_key(p, &p->keys[i]);
		if (rc != MAPIPROF_OK)
			return rc;
	}
	qsort(p->spans, p->nspans, sizeof(*p->spans), span_cmp);
	for (size_t i = 1; i < p->nspans; i++)
		if (p->spans[i].rel - p->spans[i - 1].rel < p->spans[i - 1].len)
			return DECLINE;
	if (p->bin_used > 0)
		p->bin_size = (p->bin_used + HBIN_ALIGN - 1u) / HBIN_ALIGN * HBIN_ALIGN;
	return MAPIPROF_OK;
}

/* The new bin's bytes for the cell at rel (inside the new bin). */
static uint8_t *
bin_cell(struct patch *p, uint32_t rel)
{
	return p->bin + (rel - p->bins);
}

/* Sets the data fields of a vk (hdr) to op's data: inline when <= 4 bytes
 * (size | bit 31, bytes at the offset field's lowest address, §3.6), else
 * the length and the data cell data_rel. */
static void
set_vk_data(uint8_t *hdr, const struct mp_plan_op *op, uint32_t data_rel)
{
	if (data_rel == CELL_NONE) {
		put32(hdr + VK_DLEN, (uint32_t)op->len | DATA_INLINE);
		memset(hdr + VK_DOFF, 0, 4);
		if (op->len > 0)
			memcpy(hdr + VK_DOFF, op->data, op->len);
		return;
	}
	put32(hdr + VK_DLEN, (uint32_t)op->len);
	put32(hdr + VK_DOFF, data_rel);
}

/* Writes a new vk cell for o into the new bin (§3.6); returns its header. */
static uint8_t *
fill_new_vk(struct patch *p, const struct opst *o)
{
	uint8_t *c = bin_cell(p, o->new_vk);
	uint32_t nbytes = (uint32_t)(o->latin1 ? o->nunits : 2u * o->nunits);
	put32(c, 0u - round8(VK_HDR + nbytes));
	memcpy(c + 4, "vk", 2);
	put16(c + VK_NAMELEN, nbytes);
	put16(c + VK_FLAGS, o->latin1 ? VK_COMP_NAME : 0u);
	for (size_t i = 0; i < o->nunits; i++) {
		if (o->latin1)
			c[VK_HDR + i] = (uint8_t)o->units[i];
		else
			put16(c + VK_HDR + 2u * i, o->units[i]);
	}
	return c;
}

/* Fills o's new cells and patches its vk header (in the bin or in memory). */
static void
fill_op(struct patch *p, struct keyst *k, const struct opst *o)
{
	const struct mp_plan_op *op = o->op;
	if (o->new_data != CELL_NONE) {
		uint8_t *c = bin_cell(p, o->new_data);
		put32(c, 0u - round8(4u + (uint32_t)op->len));
		memcpy(c + 4, op->data, op->len);
	}
	uint8_t *hdr = NULL;
	if (o->act == ACT_NEW) {
		hdr = fill_new_vk(p, o);
	} else if (o->act == ACT_INPLACE || o->act == ACT_RESIZE) {
		k->vks[o->vk].dirty = 1;
		hdr = k->vks[o->vk].hdr;
	} else {
		return;
	}
	put32(hdr + VK_TYPE, op->reg_type);
	/* Same length in a data cell (written in write_key) or none at all:
	 * the size and offset fields stay as they are. */
	if (o->act == ACT_INPLACE && (k->vks[o->vk].data_rel != CELL_NONE || op->len == 0))
		return;
	set_vk_data(hdr, op, o->new_data);
}

/* Patches k's nk in memory (§3.4): LastWrite = now, value count and list
 * when they change, largest name (UTF-16 bytes) and data raised. */
static void
patch_nk(struct patch *p, struct keyst *k)
{
	put64(k->nk + NK_TIME, p->now);
	if (k->relist) {
		put32(k->nk + NK_NVALUES, k->new_n);
		put32(k->nk + NK_VLIST, k->new_list);
	}
	for (size_t j = 0; j < k->pk->nops; j++) {
		const struct opst *o = &k->ops[j];
		if (o->op->del)
			continue;
		uint32_t name = (uint32_t)(2u * o->nunits), len = (uint32_t)o->op->len;
		if (name > get32(k->nk + NK_MAXVNAME))
			put32(k->nk + NK_MAXVNAME, name);
		if (len > get32(k->nk + NK_MAXDATA))
			put32(k->nk + NK_MAXDATA, len);
	}
}

/* k's new value list, if any (§3.6: a plain array of vk offsets). */
static void
fill_list(struct patch *p, const struct keyst *k)
{
	if (!k->relist || k->new_list == CELL_NONE)
		return;
	uint8_t *c = bin_cell(p, k->new_list);
	put32(c, 0u - round8(4u + 4u * k->new_n));
	uint32_t at = 0;
	for (uint32_t i = 0; i < k->n; i++)
		if (!k->vks[i].deleted)
			put32(c + 4u + 4u * at++, k->list[i]);
	for (size_t j = 0; j < k->pk->nops; j++)
		if (k->ops[j].act == ACT_NEW)
			put32(c + 4u + 4u * at++, k->ops[j].new_vk);
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

/* Builds the new bin in memory (§3.2: "hbin", its offset, its size; cells
 * with negative sizes; the rest one free cell) and patches the nk and vk
 * headers in memory. */
static int
build(struct patch *p)
{
	p->now = filetime_now();
	if (p->bin_size > 0) {
		p->bin = mp_arena_calloc(&p->arena, p->bin_size, 1);
		if (p->bin == NULL)
			return mp_nomem(p->ctx);
		memcpy(p->bin, "hbin", 4);
		put32(p->bin + 4, p->bins);
		put32(p->bin + 8, p->bin_size);
		if (p->bin_used < p->bin_size)
			put32(p->bin + p->bin_used, p->bin_size - p->bin_used);
	}
	for (size_t i = 0; i < p->nkeys; i++) {
		struct keyst *k = &p->keys[i];
		if (k->pk->nops == 0 || !key_changes(k))
			continue;
		for (size_t j = 0; j < k->pk->nops; j++)
			fill_op(p, k, &k->ops[j]);
		fill_list(p, k);
		patch_nk(p, k);
	}
	return MAPIPROF_OK;
}

/* Phase 3: marks the cell at rel (size cell) free: positive size (§3.3). */
static int
write_free(struct patch *p, uint32_t rel, uint32_t cell)
{
	uint8_t b[4];
	put32(b, cell);
	return pwrite_full(p, b, sizeof(b), (uint64_t)rel + MP_REGF_BASE_BLOCK);
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
		if (o->act == ACT_INPLACE && v->data_rel != CELL_NONE)
			rc = pwrite_full(p, o->op->data, o->op->len,
			                 (uint64_t)v->data_rel + MP_REGF_BASE_BLOCK + 4u);
		else if (o->act != ACT_INPLACE && v->data_rel != CELL_NONE)
			rc = write_free(p, v->data_rel, v->data_cell);
		if (rc == MAPIPROF_OK && v->dirty)
			rc = pwrite_full(p, v->hdr, VK_HDR, (uint64_t)v->rel + MP_REGF_BASE_BLOCK);
		if (rc == MAPIPROF_OK && v->deleted)
			rc = write_free(p, v->rel, v->cell);
	}
	if (rc == MAPIPROF_OK && k->relist && k->n > 0)
		rc = write_free(p, k->list_rel, k->list_cell);
	if (rc == MAPIPROF_OK)
		rc = pwrite_full(p, k->nk, NK_HDR, (uint64_t)k->rel + MP_REGF_BASE_BLOCK);
	return rc;
}

/* The base block (§3.1): seq1 = seq2 = old seq1 + 1 (as hivex's commit),
 * new hive-bins size, timestamp now, checksum.  The timestamp is nudged one
 * tick at a time while the plain XOR is 0 or 0xFFFFFFFF, where hivex and
 * Windows disagree; each nudge changes the XOR, so a few passes do. */
static int
write_base(struct patch *p)
{
	uint8_t *bb = p->bb;
	uint32_t seq = get32(bb + BB_SEQ1) + 1u;
	put32(bb + BB_SEQ1, seq);
	put32(bb + BB_SEQ2, seq);
	put32(bb + BB_BINS_SIZE, p->bins + p->bin_size);
	uint64_t ts = p->now;
	uint32_t plain = 0, windows = 0;
	for (int pass = 0; pass < 16; pass++, ts++) {
		put64(bb + BB_TIMESTAMP, ts);
		mp_regf_checksum(bb, &plain, &windows);
		if (plain != 0 && plain != 0xFFFFFFFFu)
			break;
	}
	put32(bb + BB_CHECKSUM, windows);
	return pwrite_full(p, bb, BB_CHECKSUM + 4u, 0);
}

/* The new bin first (the file grows), then each key, then the base block. */
static int
write_all(struct patch *p)
{
	int rc = MAPIPROF_OK;
	if (p->bin_size > 0)
		rc = pwrite_full(p, p->bin, p->bin_size, (uint64_t)p->bins + MP_REGF_BASE_BLOCK);
	for (size_t i = 0; rc == MAPIPROF_OK && i < p->nkeys; i++) {
		const struct keyst *k = &p->keys[i];
		if (k->pk->nops > 0 && key_changes(k))
			rc = write_key(p, k);
	}
	return rc == MAPIPROF_OK ? write_base(p) : rc;
}

int
mp_regf_patch(struct mapiprof_ctx *ctx, int fd, const struct mp_plan_key *keys, size_t nkeys,
              int *done)
{
	struct patch *p = calloc(1, sizeof(*p));
	*done = 0;
	if (p == NULL)
		return mp_nomem(ctx);
	p->ctx = ctx;
	p->fd = fd;
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
	mp_arena_free(&p->arena);
	free(p);
	return rc == DECLINE ? MAPIPROF_OK : rc;
}
