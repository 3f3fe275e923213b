/* newkeys.c - key creation for the in-place patcher (newkeys.h).
 *
 * Layout from M. Suhanov's "Windows registry file format specification"
 * (quoted section names) and libyal libregf's "Windows NT Registry File
 * (REGF) format" ("Named key", "Sub keys list").  A key's subkey list holds
 * its children sorted by upper-cased name, also across the leaves of an
 * "ri" ("Subkeys list"): Windows finds a key by bisection (ReactOS
 * cmindex.c, CmpFindSubKeyInLeaf), so an entry out of order is a key it
 * cannot see.  Hives of version 1.5 and later use "lh" leaves (the hash of
 * the upper-cased name), older ones "lf" leaves (the first four characters
 * as a hint) ("Hash leaf", "Fast leaf").
 *
 * A created key: a new nk (name Latin-1 with COMP_NAME; a plan with other
 * names is left to the hivex path, as their hash and order need Windows'
 * full upper-case table), the parent's security cell with its reference count raised
 * ("Key security"), no class, LastWrite = now.  Each key that gains
 * children gets ONE new list, its old children in their old order merged
 * with the new ones sorted, and its old list cells (an ri and its leaves)
 * are freed.  The lists themselves are regf/subkeys.c's. */
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "base/limits.h"
#include "base/platform.h"
#include "base/utf16.h"
#include "regf/newkeys.h"
#include "regf/subkeys.h"
#include "store/store.h"

/* A leaf or an ri counts its entries in 16 bits ("Subkeys list"). */
#define LIST_COUNT_MAX 0xFFFFu
/* Key names are at most 255 characters (Microsoft Learn, "Registry
 * element size limits"). */
#define KEY_NAME_MAX 255u
/* nk fields from the cell start ("Key node"). */
#define NK_FLAGS    (4u + 2u)
#define NK_PARENT   (4u + 16u)
#define NK_NSUB     (4u + 20u)
#define NK_NVSUB    (4u + 24u)
#define NK_SUBLIST  (4u + 28u)
#define NK_VSUBLIST (4u + 32u)
#define NK_SK       (4u + 44u)
#define NK_CLASS    (4u + 48u)
#define NK_MAXSUB   (4u + 52u)
/* nk flags: name stored one byte per character; keys this code leaves
 * alone (a symbolic link, a predefined handle). */
#define KEY_COMP_NAME 0x0020u
#define KEY_ODD       (0x0010u | 0x0040u)
/* sk: reference count at 0x0C; the fixed part read. */
#define SK_REFS 16u
#define SK_HDR  24u
/* Base block: the root key's cell ("Base block"). */
#define BB_ROOT 0x024u
#define NO_NODE UINT32_MAX

/* A key on the way to a created one: one that exists or one to create. */
struct node {
	uint32_t parent; /* node index, NO_NODE for a start key */
	uint32_t rel;    /* its nk cell (a new one once laid out) */
	uint16_t *units; /* name (NULL for a start key whose name was not read) */
	uint32_t nunits;
	uint32_t hash;      /* "Hash leaf" entry */
	uint8_t hint[4];    /* "Fast leaf" entry */
	int has_hash;       /* hash known (from an old lh, or computed) */
	int is_new;         /* to create */
	int placed;         /* its new nk cell is laid out */
	int loaded;         /* exists, and its children are nodes */
	uint32_t *kids;     /* its old children in list order (loaded) */
	uint32_t nkids;     /* their number */
	uint32_t sk;        /* security cell (a new key: its parent's) */
	uint32_t nnew;      /* new children */
	uint32_t first_new; /* where they start in newkids (gaining keys) */
	uint32_t *merged;   /* every child in new list order (gaining keys) */
	uint32_t nmerged;   /* their number */
	uint8_t *hdr;       /* nk fixed part (MP_NK_HDR) to write */
	struct keyst *k;    /* the plan's key for it (a created one or a shared nk) */
	uint32_t *old;      /* old list cells: (rel, size) pairs */
	uint32_t nold;      /* their number */
	uint32_t list;      /* new list (an ri or a leaf) */
	uint32_t *leaves;   /* leaves below an ri (NULL when one leaf) */
	uint32_t nleaves;
};

/* A security cell whose reference count goes up. */
struct skref {
	uint32_t rel, cell, refs, add;
};

struct mp_newkeys {
	struct node *nodes;
	uint32_t n, cap;
	uint32_t *table; /* open addressing: node index + 1, 0 empty */
	uint32_t tcap;
	uint32_t *newkids; /* new children grouped by parent (first_new, nnew) */
	struct skref *sks;
	size_t nsks;
	int lh; /* leaves are lh (else lf) */
};

static int
grow(struct patch *p, struct mp_newkeys *nk)
{
	if (nk->n < nk->cap)
		return MAPIPROF_OK;
	uint32_t cap = nk->cap > 0 ? 2u * nk->cap : 64u;
	struct node *nn = cap > nk->cap ? realloc(nk->nodes, (size_t)cap * sizeof(*nn)) : NULL;
	if (nn == NULL)
		return mp_nomem(p->ctx);
	nk->nodes = nn;
	nk->cap = cap;
	return MAPIPROF_OK;
}

/* Hash of (parent, folded name) or of an nk offset (name NULL). */
static uint32_t
key_hash(uint32_t parent, const uint16_t *units, uint32_t n)
{
	uint32_t h = 2166136261u ^ parent;
	for (uint32_t i = 0; units != NULL && i < n; i++)
		h = (h ^ mp_name_fold(units[i])) * 16777619u;
	return (h ^ (units == NULL)) * 2654435761u;
}

static int
same_name(const uint16_t *a, uint32_t na, const uint16_t *b, uint32_t nb)
{
	if (na != nb)
		return 0;
	for (uint32_t i = 0; i < na; i++)
		if (mp_name_fold(a[i]) != mp_name_fold(b[i]))
			return 0;
	return 1;
}

/* Node index of the child of parent named units, or of the existing key at
 * rel (units NULL); NO_NODE when there is none. */
static uint32_t
lookup(const struct mp_newkeys *nk, uint32_t parent, uint32_t rel, const uint16_t *units,
       uint32_t n)
{
	if (nk->tcap == 0)
		return NO_NODE;
	uint32_t h = key_hash(units != NULL ? parent : rel, units, n);
	for (uint32_t i = h & (nk->tcap - 1u); nk->table[i] != 0; i = (i + 1u) & (nk->tcap - 1u)) {
		const struct node *x = &nk->nodes[nk->table[i] - 1u];
		if (units == NULL ? (!x->is_new && x->rel == rel)
		                  : (x->parent == parent && x->units != NULL &&
		                     same_name(x->units, x->nunits, units, n)))
			return nk->table[i] - 1u;
	}
	return NO_NODE;
}

static void
table_put(struct mp_newkeys *nk, uint32_t h, uint32_t idx)
{
	uint32_t i = h & (nk->tcap - 1u);
	while (nk->table[i] != 0)
		i = (i + 1u) & (nk->tcap - 1u);
	nk->table[i] = idx + 1u;
}

/* Enters node idx under its name (named: when it has one and a parent)
 * and, when it exists, under its nk offset (by_rel).  The table holds at
 * most two entries per node and stays at most half full. */
static int
table_add(struct patch *p, struct mp_newkeys *nk, uint32_t idx, int named, int by_rel)
{
	if (nk->n >= nk->tcap / 4u) {
		uint32_t cap = nk->tcap > 0 ? 2u * nk->tcap : 256u;
		uint32_t *t = cap > nk->tcap ? calloc(cap, sizeof(*t)) : NULL;
		if (t == NULL)
			return mp_nomem(p->ctx);
		free(nk->table);
		nk->table = t;
		nk->tcap = cap;
		named = by_rel = 1;
		for (uint32_t i = 0; i < nk->n; i++)
			if (i != idx)
				table_add(p, nk, i, 1, 1); /* fits: no growth */
	}
	const struct node *x = &nk->nodes[idx];
	if (named && x->units != NULL && x->parent != NO_NODE)
		table_put(nk, key_hash(x->parent, x->units, x->nunits), idx);
	if (by_rel && !x->is_new)
		table_put(nk, key_hash(x->rel, NULL, 0), idx);
	return MAPIPROF_OK;
}

/* Appends an existing key (the nk at rel) as a node, or finds it. */
static int
existing_node(struct patch *p, uint32_t rel, uint32_t *out)
{
	struct mp_newkeys *nk = p->newkeys;
	*out = lookup(nk, 0, rel, NULL, 0);
	if (*out != NO_NODE)
		return MAPIPROF_OK;
	if (grow(p, nk) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	*out = nk->n;
	nk->nodes[nk->n++] = (struct node){.parent = NO_NODE, .rel = rel, .sk = MP_CELL_NONE};
	return table_add(p, nk, *out, 0, 1);
}

/* Reads the nk at rel (its name into *units, *nunits) for a message label
 * uid; an odd UTF-16 length declines. */
static int
read_nk(struct patch *p, const char *uid, uint32_t rel, struct mp_regf_nk *nk, uint16_t **units,
        uint32_t *nunits)
{
	int rc = mp_regf_cells_nk(&p->cells, uid, (uint64_t)rel + MP_REGF_BASE_BLOCK, nk);
	if (rc != MAPIPROF_OK)
		return rc;
	uint32_t len = mp_le16(nk->hdr + MP_NK_NAMELEN);
	int comp = (mp_le16(nk->hdr + NK_FLAGS) & KEY_COMP_NAME) != 0;
	if (!comp && len % 2u != 0)
		return DECLINE;
	if (units == NULL)
		return MAPIPROF_OK;
	*nunits = comp ? len : len / 2u;
	*units = mp_arena_calloc(&p->arena, *nunits + 1u, sizeof(**units));
	if (*units == NULL)
		return mp_nomem(p->ctx);
	rc = mp_pread_full(p->ctx, p->fd, p->name, len,
	                   (uint64_t)rel + MP_REGF_BASE_BLOCK + MP_NK_HDR);
	for (uint32_t i = 0; rc == MAPIPROF_OK && i < *nunits; i++)
		(*units)[i] = comp ? p->name[i] : mp_le16(p->name + 2u * i);
	return rc;
}

/* Makes x's children (an existing key's) nodes, in their list order. */
static int
load(struct patch *p, const char *uid, uint32_t xi)
{
	struct mp_newkeys *nk = p->newkeys;
	struct mp_regf_nk hdr;
	struct mp_regf_subkeys list;
	int rc = read_nk(p, uid, nk->nodes[xi].rel, &hdr, NULL, NULL);
	if (rc != MAPIPROF_OK)
		return rc;
	struct node *x = &nk->nodes[xi];
	x->loaded = 1;
	x->sk = mp_le32(hdr.hdr + NK_SK);
	if ((x->hdr = mp_arena_memdup(&p->arena, hdr.hdr, MP_NK_HDR)) == NULL)
		return mp_nomem(p->ctx);
	rc = mp_regf_subkeys_read(&p->cells, uid, mp_le32(hdr.hdr + NK_NSUB),
	                          mp_le32(hdr.hdr + NK_SUBLIST), &p->arena, &list);
	x->kids = list.nk; /* nk offsets, then node indices */
	x->nkids = list.n;
	x->old = list.cells;
	x->nold = list.ncells;
	for (uint32_t i = 0; rc == MAPIPROF_OK && i < nk->nodes[xi].nkids; i++) {
		uint32_t rel = nk->nodes[xi].kids[i], ci = 0;
		uint16_t *units = NULL;
		uint32_t nunits = 0;
		struct mp_regf_nk c;
		rc = read_nk(p, uid, rel, &c, &units, &nunits);
		if (rc == MAPIPROF_OK)
			rc = existing_node(p, rel, &ci);
		if (rc != MAPIPROF_OK)
			break;
		struct node *y = &nk->nodes[ci];
		if (y->parent != NO_NODE || y->units != NULL)
			return DECLINE; /* a key listed twice */
		y->parent = xi;
		y->units = units;
		y->nunits = nunits;
		mp_regf_subkeys_hint(units, nunits, y->hint);
		y->has_hash = list.hash != NULL;
		if (list.hash != NULL)
			y->hash = list.hash[i];
		else
			y->has_hash = mp_regf_subkeys_hash(units, nunits, &y->hash);
		nk->nodes[xi].kids[i] = ci;
		rc = table_add(p, nk, ci, 1, 0);
	}
	return rc;
}

/* A key to create below parent: its name must be 1..255 characters, all
 * Latin-1 (stored one byte each) with a known capital. */
static int
new_node(struct patch *p, uint32_t parent, uint16_t *units, uint32_t n, uint32_t *out)
{
	struct mp_newkeys *nk = p->newkeys;
	if (n == 0 || n > KEY_NAME_MAX || grow(p, nk) != MAPIPROF_OK)
		return n == 0 || n > KEY_NAME_MAX ? DECLINE : MAPIPROF_FAILED;
	struct node *x = &nk->nodes[nk->n];
	*x = (struct node){.parent = parent, .units = units, .nunits = n, .is_new = 1};
	if (!mp_regf_subkeys_hash(units, n, &x->hash))
		return DECLINE;
	x->has_hash = 1;
	mp_regf_subkeys_hint(units, n, x->hint);
	x->sk = nk->nodes[parent].sk;
	nk->nodes[parent].nnew++;
	*out = nk->n++;
	return table_add(p, nk, *out, 1, 0);
}

/* Walks k's path from its profile key (a path key: the hive root), making
 * nodes of the keys to create; k names a key that does not exist yet. */
static int
resolve(struct patch *p, struct keyst *k)
{
	struct mp_newkeys *nk = p->newkeys;
	const char *uid = k->pk->uid;
	uint32_t at = 0;
	uint64_t start = mp_key_change_is_path(k->pk)
	                     ? MP_REGF_BASE_BLOCK + mp_le32(p->base.bb + BB_ROOT)
	                     : k->pk->profile_key;
	if (start < MP_REGF_BASE_BLOCK || start - MP_REGF_BASE_BLOCK >= p->bins)
		return mp_regf_cells_bad(&p->cells, uid, "key handle is outside the hive bins", 0);
	int rc = existing_node(p, (uint32_t)(start - MP_REGF_BASE_BLOCK), &at);
	for (const char *c = uid; rc == MAPIPROF_OK && c != NULL;) {
		const char *end = strchr(c, '\\');
		size_t len = end != NULL ? (size_t)(end - c) : strlen(c);
		uint8_t *u16 = NULL;
		size_t bytes = 0;
		if (mp_utf8_to_utf16le(p->ctx, c, len, &u16, &bytes) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		if (bytes / 2u > KEY_NAME_MAX) {
			free(u16);
			return DECLINE; /* longer than a key name may be */
		}
		uint32_t n = (uint32_t)(bytes / 2u);
		uint16_t *units = mp_arena_calloc(&p->arena, n + 1u, sizeof(*units));
		for (uint32_t i = 0; units != NULL && i < n; i++)
			units[i] = mp_le16(u16 + 2u * i);
		free(u16);
		if (units == NULL)
			return mp_nomem(p->ctx);
		if (!nk->nodes[at].is_new && !nk->nodes[at].loaded)
			rc = load(p, uid, at);
		uint32_t child = rc == MAPIPROF_OK ? lookup(nk, at, 0, units, n) : NO_NODE;
		if (rc == MAPIPROF_OK && child == NO_NODE)
			rc = new_node(p, at, units, n, &child);
		else if (rc == MAPIPROF_OK && end == NULL && !nk->nodes[child].is_new)
			rc = DECLINE; /* the key exists: a name collision */
		at = child;
		c = end != NULL ? end + 1 : NULL;
	}
	if (rc != MAPIPROF_OK)
		return rc;
	if (nk->nodes[at].k != NULL)
		return DECLINE; /* a key listed twice */
	nk->nodes[at].k = k;
	k->node = at;
	return MAPIPROF_OK;
}

static int
by_rel(const void *a, const void *b)
{
	const struct keyst *x = *(struct keyst *const *)a, *y = *(struct keyst *const *)b;
	return x->nk.rel < y->nk.rel ? -1 : x->nk.rel > y->nk.rel;
}

/* The planned key (with ops) whose nk is at rel, if any: patch.c patches
 * and writes that nk too, so both work on one copy of it. */
static struct keyst *
planned_nk(struct keyst **sorted, size_t n, uint32_t rel)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2u;
		if (sorted[mid]->nk.rel < rel)
			lo = mid + 1u;
		else
			hi = mid;
	}
	return lo < n && sorted[lo]->nk.rel == rel ? sorted[lo] : NULL;
}

/* The security cell rel gains one reference. */
static int
add_sk_ref(struct patch *p, uint32_t rel)
{
	struct mp_newkeys *nk = p->newkeys;
	for (size_t i = 0; i < nk->nsks; i++) {
		if (nk->sks[i].rel == rel) {
			nk->sks[i].add++;
			return nk->sks[i].add == 0 ||
			               nk->sks[i].refs + nk->sks[i].add < nk->sks[i].refs
			           ? DECLINE
			           : MAPIPROF_OK;
		}
	}
	uint8_t b[SK_HDR];
	uint32_t cell = 0;
	int rc = mp_regf_cells_read(&p->cells, "?", "security cell", rel, b, sizeof(b), &cell);
	if (rc != MAPIPROF_OK)
		return rc;
	if (memcmp(b + 4, "sk", 2) != 0)
		return mp_regf_cells_bad(&p->cells, "?", "no 'sk' signature", rel);
	struct skref *s = realloc(nk->sks, (nk->nsks + 1u) * sizeof(*s));
	if (s == NULL)
		return mp_nomem(p->ctx);
	nk->sks = s;
	s[nk->nsks++] = (struct skref){rel, cell, mp_le32(b + SK_REFS), 1u};
	return s[nk->nsks - 1u].refs == UINT32_MAX ? DECLINE : MAPIPROF_OK;
}

/* Orders two children as Windows keeps them: by upper-cased name, code
 * unit by code unit, a prefix first ("Subkeys list"). */
static int
node_cmp(const struct node *x, const struct node *y)
{
	uint32_t n = x->nunits < y->nunits ? x->nunits : y->nunits;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t a = mp_name_fold(x->units[i]), b = mp_name_fold(y->units[i]);
		if (a != b)
			return a < b ? -1 : 1;
	}
	return x->nunits < y->nunits ? -1 : x->nunits > y->nunits;
}

static int
node_ptr_cmp(const void *a, const void *b)
{
	return node_cmp(*(const struct node *const *)a, *(const struct node *const *)b);
}

/* x's new list order: its old children as they were, the new ones sorted
 * and merged in.  tmp: scratch for x->nnew pointers.  Every child of the
 * list must have the entry its leaf type needs. */
static int
merge_kids(struct patch *p, uint32_t xi, const struct node **tmp)
{
	struct mp_newkeys *nk = p->newkeys;
	struct node *x = &nk->nodes[xi];
	x->nmerged = x->nkids + x->nnew;
	if (x->nmerged > MP_MAX_SUBKEYS_PER_KEY)
		return DECLINE;
	if ((x->merged = mp_arena_calloc(&p->arena, x->nmerged, sizeof(*x->merged))) == NULL)
		return mp_nomem(p->ctx);
	size_t nt = x->nnew;
	for (uint32_t i = 0; i < x->nnew; i++)
		tmp[i] = &nk->nodes[nk->newkids[x->first_new + i]];
	for (uint32_t i = 0; i < x->nkids; i++)
		if (nk->lh && !nk->nodes[x->kids[i]].has_hash)
			return DECLINE;
	qsort(tmp, nt, sizeof(*tmp), node_ptr_cmp);
	uint32_t a = 0, out = 0;
	size_t b = 0;
	while (a < x->nkids || b < nt) {
		const struct node *old = a < x->nkids ? &nk->nodes[x->kids[a]] : NULL;
		if (old != NULL && (b == nt || node_cmp(old, tmp[b]) <= 0))
			x->merged[out++] = x->kids[a++];
		else
			x->merged[out++] = (uint32_t)(tmp[b++] - nk->nodes);
	}
	return MAPIPROF_OK;
}

/* After every path is resolved: sort and merge the children of each key
 * that gains some, take over the nk of a planned key, count references. */
static int
prepare(struct patch *p, size_t *nspans)
{
	struct mp_newkeys *nk = p->newkeys;
	size_t nsorted = 0;
	struct keyst **sorted = mp_arena_calloc(&p->arena, p->nkeys + 1u, sizeof(*sorted));
	const struct node **tmp = mp_arena_calloc(&p->arena, nk->n + 1u, sizeof(*tmp));
	if (sorted == NULL || tmp == NULL)
		return mp_nomem(p->ctx);
	for (size_t i = 0; i < p->nkeys; i++)
		if (!p->keys[i].created && p->keys[i].pk->nops > 0)
			sorted[nsorted++] = &p->keys[i];
	qsort(sorted, nsorted, sizeof(*sorted), by_rel);
	if ((nk->newkids = calloc(nk->n + 1u, sizeof(*nk->newkids))) == NULL)
		return mp_nomem(p->ctx);
	uint32_t at = 0;
	for (uint32_t i = 0; i < nk->n; i++) {
		nk->nodes[i].first_new = at;
		at += nk->nodes[i].nnew;
		nk->nodes[i].nnew = 0;
	}
	for (uint32_t i = 0; i < nk->n; i++) {
		struct node *parent = nk->nodes[i].is_new ? &nk->nodes[nk->nodes[i].parent] : NULL;
		if (parent != NULL)
			nk->newkids[parent->first_new + parent->nnew++] = i;
	}
	int rc = MAPIPROF_OK;
	for (uint32_t i = 0; rc == MAPIPROF_OK && i < nk->n; i++) {
		struct node *x = &nk->nodes[i];
		if (x->is_new)
			rc = x->sk == MP_CELL_NONE ? DECLINE : add_sk_ref(p, x->sk);
		if (rc != MAPIPROF_OK || x->nnew == 0)
			continue;
		rc = merge_kids(p, i, tmp);
		if (rc != MAPIPROF_OK || x->is_new)
			continue;
		if ((mp_le16(x->hdr + NK_FLAGS) & KEY_ODD) != 0 || mp_le32(x->hdr + NK_NVSUB) != 0)
			rc = DECLINE; /* a link, a predefined handle, volatile subkeys */
		struct keyst *k = planned_nk(sorted, nsorted, x->rel);
		if (k != NULL) {
			x->hdr = k->nk.hdr; /* read from the same bytes */
			x->k = k;
		}
		*nspans += (k == NULL ? 1u : 0u) + x->nold;
	}
	*nspans += nk->nsks;
	return rc;
}

int
mp_newkeys_read(struct patch *p, size_t *nspans)
{
	*nspans = 0;
	size_t ncreated = 0;
	for (size_t i = 0; i < p->nkeys; i++) {
		if (p->keys[i].pk->del)
			return DECLINE; /* deletions are hivex's */
		ncreated += p->keys[i].created ? 1u : 0u;
	}
	if (ncreated == 0)
		return MAPIPROF_OK;
	if ((p->newkeys = calloc(1, sizeof(*p->newkeys))) == NULL)
		return mp_nomem(p->ctx);
	p->newkeys->lh = p->minor >= 5;
	for (size_t i = 0; i < p->nkeys; i++) {
		if (!p->keys[i].created)
			continue;
		int rc = resolve(p, &p->keys[i]);
		if (rc != MAPIPROF_OK)
			return rc;
	}
	return prepare(p, nspans);
}

static int
place_nk(struct patch *p, struct node *x)
{
	if (!x->is_new || x->placed)
		return MAPIPROF_OK;
	x->placed = 1;
	return mp_patch_bin_alloc(p, mp_round8(MP_NK_HDR + x->nunits), &x->rel);
}

int
mp_newkeys_place(struct patch *p, const struct keyst *k)
{
	struct mp_newkeys *nk = p->newkeys;
	if (nk == NULL || !k->created || k->node >= nk->n || nk->nodes[k->node].k != k)
		return MAPIPROF_OK;
	return place_nk(p, &nk->nodes[k->node]);
}

/* Lays out the new nk cells not placed yet (missing parents), then each
 * new list (a leaf, or an ri of leaves, subkeys.h). */
int
mp_newkeys_plan(struct patch *p)
{
	struct mp_newkeys *nk = p->newkeys;
	int rc = MAPIPROF_OK;
	for (uint32_t i = 0; nk != NULL && rc == MAPIPROF_OK && i < nk->n; i++)
		rc = place_nk(p, &nk->nodes[i]);
	for (uint32_t i = 0; nk != NULL && rc == MAPIPROF_OK && i < nk->n; i++) {
		struct node *x = &nk->nodes[i];
		if (x->nnew == 0)
			continue;
		if (!x->is_new) {
			if (x->k == NULL)
				mp_patch_add_span(p, x->rel, 0u - mp_le32(x->hdr));
			for (uint32_t j = 0; j < x->nold; j++)
				mp_patch_add_span(p, x->old[2u * j], x->old[2u * j + 1u]);
		}
		x->nleaves = mp_regf_subkeys_nleaves(x->nmerged);
		if (x->nleaves == 0) {
			rc = mp_patch_bin_alloc(p, mp_regf_subkeys_leaf_size(x->nmerged), &x->list);
			continue;
		}
		if (x->nleaves > LIST_COUNT_MAX)
			return DECLINE;
		x->leaves = mp_arena_calloc(&p->arena, x->nleaves, sizeof(*x->leaves));
		if (x->leaves == NULL)
			return mp_nomem(p->ctx);
		rc = mp_patch_bin_alloc(p, mp_regf_subkeys_ri_size(x->nleaves), &x->list);
		for (uint32_t j = 0; rc == MAPIPROF_OK && j < x->nleaves; j++) {
			uint32_t n = mp_regf_subkeys_leaf_count(x->nmerged, x->nleaves, j);
			rc = mp_patch_bin_alloc(p, mp_regf_subkeys_leaf_size(n), &x->leaves[j]);
		}
	}
	for (size_t i = 0; nk != NULL && i < nk->nsks; i++)
		mp_patch_add_span(p, nk->sks[i].rel, nk->sks[i].cell);
	return rc;
}

/* The fixed part of a new key's nk ("Key node"), no values yet (patch.c
 * fills them for a planned key); subkey fields are set with its list. */
static void
init_new_nk(struct patch *p, struct node *x)
{
	uint8_t *h = x->hdr;
	memset(h, 0, MP_NK_HDR);
	mp_put_le32(h, 0u - mp_round8(MP_NK_HDR + x->nunits));
	memcpy(h + 4, "nk", 2);
	mp_put_le16(h + NK_FLAGS, KEY_COMP_NAME);
	mp_put_le32(h + NK_PARENT, p->newkeys->nodes[x->parent].rel);
	mp_put_le32(h + NK_SUBLIST, MP_CELL_NONE);
	mp_put_le32(h + NK_VSUBLIST, MP_CELL_NONE);
	mp_put_le32(h + MP_NK_VLIST, MP_CELL_NONE);
	mp_put_le32(h + NK_SK, x->sk);
	mp_put_le32(h + NK_CLASS, MP_CELL_NONE);
	mp_put_le16(h + MP_NK_NAMELEN, (uint16_t)x->nunits);
}

/* Gives every new key its nk fixed part (before patch.c's build sets a
 * planned key's value fields into it). */
int
mp_newkeys_init(struct patch *p)
{
	struct mp_newkeys *nk = p->newkeys;
	for (uint32_t i = 0; nk != NULL && i < nk->n; i++) {
		struct node *x = &nk->nodes[i];
		if (!x->is_new)
			continue;
		x->hdr = x->k != NULL ? x->k->nk.hdr : mp_arena_calloc(&p->arena, MP_NK_HDR, 1);
		if (x->hdr == NULL)
			return mp_nomem(p->ctx);
		init_new_nk(p, x);
	}
	return MAPIPROF_OK;
}

/* One leaf of entries merged[from, from + n) at rel. */
static void
fill_leaf(struct patch *p, const struct node *x, uint32_t rel, uint32_t from, uint32_t n)
{
	const struct mp_newkeys *nk = p->newkeys;
	uint8_t *c = mp_patch_bin_cell(p, rel), second[4];
	mp_regf_subkeys_put_leaf(c, nk->lh, n);
	for (uint32_t i = 0; i < n; i++) {
		const struct node *y = &nk->nodes[x->merged[from + i]];
		if (nk->lh)
			mp_put_le32(second, y->hash);
		else
			memcpy(second, y->hint, 4);
		mp_regf_subkeys_put_entry(c, i, y->rel, second);
	}
}

/* x's new list and its nk's subkey fields. */
static void
fill_list(struct patch *p, struct node *x)
{
	const struct mp_newkeys *nk = p->newkeys;
	if (x->leaves == NULL) {
		fill_leaf(p, x, x->list, 0, x->nmerged);
	} else {
		mp_regf_subkeys_put_ri(mp_patch_bin_cell(p, x->list), x->leaves, x->nleaves);
		for (uint32_t j = 0, from = 0; j < x->nleaves; j++) {
			uint32_t n = mp_regf_subkeys_leaf_count(x->nmerged, x->nleaves, j);
			fill_leaf(p, x, x->leaves[j], from, n);
			from += n;
		}
	}
	uint32_t maxsub = mp_le32(x->hdr + NK_MAXSUB);
	for (uint32_t i = 0; i < x->nmerged; i++) {
		const struct node *y = &nk->nodes[x->merged[i]];
		if (y->is_new && 2u * y->nunits > (maxsub & 0xFFFFu))
			maxsub = (maxsub & 0xFFFF0000u) | (2u * y->nunits);
	}
	mp_put_le32(x->hdr + NK_MAXSUB, maxsub);
	mp_put_le32(x->hdr + NK_NSUB, x->nmerged);
	mp_put_le32(x->hdr + NK_SUBLIST, x->list);
}

void
mp_newkeys_build(struct patch *p)
{
	struct mp_newkeys *nk = p->newkeys;
	for (uint32_t i = 0; nk != NULL && i < nk->n; i++) {
		struct node *x = &nk->nodes[i];
		if (!x->is_new && x->nnew == 0)
			continue;
		mp_put_le64(x->hdr + MP_NK_TIME, p->now);
		if (x->nnew > 0)
			fill_list(p, x);
		if (!x->is_new)
			continue;
		uint8_t *c = mp_patch_bin_cell(p, x->rel);
		memcpy(c, x->hdr, MP_NK_HDR);
		for (uint32_t j = 0; j < x->nunits; j++)
			c[MP_NK_HDR + j] = (uint8_t)x->units[j];
	}
}

int
mp_newkeys_write(struct patch *p)
{
	struct mp_newkeys *nk = p->newkeys;
	int rc = MAPIPROF_OK;
	for (uint32_t i = 0; nk != NULL && rc == MAPIPROF_OK && i < nk->n; i++) {
		const struct node *x = &nk->nodes[i];
		if (x->is_new || x->nnew == 0)
			continue;
		rc = mp_patch_pwrite(p, x->hdr, MP_NK_HDR, (uint64_t)x->rel + MP_REGF_BASE_BLOCK);
		for (uint32_t j = 0; rc == MAPIPROF_OK && j < x->nold; j++)
			rc = mp_patch_write_free(p, x->old[2u * j], x->old[2u * j + 1u]);
	}
	for (size_t i = 0; nk != NULL && rc == MAPIPROF_OK && i < nk->nsks; i++) {
		uint8_t b[4];
		mp_put_le32(b, nk->sks[i].refs + nk->sks[i].add);
		rc = mp_patch_pwrite(p, b, sizeof(b),
		                     (uint64_t)nk->sks[i].rel + MP_REGF_BASE_BLOCK + SK_REFS);
	}
	return rc;
}

void
mp_newkeys_free(struct patch *p)
{
	if (p->newkeys == NULL)
		return;
	free(p->newkeys->nodes);
	free(p->newkeys->table);
	free(p->newkeys->newkids);
	free(p->newkeys->sks);
	free(p->newkeys);
	p->newkeys = NULL;
}
