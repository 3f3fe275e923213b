/* reg.c - the read-only .reg store (reg.h): the key blocks of a
 * parsed .reg file merged into one tree in file order. */
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "store/reg.h"

/* Indices are 32 bits (a file has at most MP_MAX_REG_ITEMS keys and values)
 * and lists are linked through the records, with no allocation per key: a
 * file of millions of short lines must fit the memory budget of limits.h. */
#define NONE UINT32_MAX

/* A key of the merged tree; handle = index + 1. */
struct rnode {
	const char *name; /* spelling of its first appearance */
	uint32_t parent;  /* NONE for the root */
	uint32_t hnext;   /* next node in its hash chain */
	/* Live children in order of first appearance (a list through
	 * next_sib/prev_sib) and live values in order (through rval.next). */
	uint32_t first_kid, last_kid, next_sib, prev_sib, nkids;
	uint32_t first_val, last_val, nvals;
	/* The blocks that opened it ([key] lines), in file order:
	 * reg_store.blist[bstart .. bstart + nblocks). */
	uint32_t bstart, nblocks;
	unsigned char dead;   /* removed by [-key] (its subtree is unreachable) */
	unsigned char loaded; /* its values are in the tree (load_values) */
};

/* A value of the merged tree. */
struct rval {
	const char *name;               /* spelling of its first appearance */
	const struct mp_reg_value *src; /* the line that set it last */
	uint32_t node;                  /* NONE once removed by "name"=- */
	uint32_t hnext;
	uint32_t next, prev; /* the node's live values */
};

struct reg_store {
	struct mp_store base; /* first: a struct mp_store * is a struct reg_store * */
	struct mp_reg_file *file;
	struct rnode *nodes;
	size_t nnodes, ncap;
	struct rval *vals;
	size_t nvals, vcap;
	uint32_t *nhash, *vhash; /* chain heads, nmask + 1 and vmask + 1 */
	size_t nmask, vmask;
	uint32_t *bnode; /* per block of the file: the node it opened, NONE for [-key] */
	uint32_t *blist; /* the blocks of every node, grouped by node (rnode.bstart) */
	size_t mem;      /* bytes malloc'd for the tree */
};

static const struct mp_store_ops reg_ops;

/* ---- names and hashing ------------------------------------------------- */

/* Next code point of valid UTF-8 (the parser checked it), folded as
 * mp_name_casecmp folds: ASCII and Latin-1 letters to upper case. */
static uint32_t
next_folded(const unsigned char **p)
{
	const unsigned char *s = *p;
	uint32_t c = s[0];
	size_t n = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
	if (n > 0)
		c &= 0x3Fu >> n;
	for (size_t i = 1; i <= n && s[i] != '\0'; i++)
		c = (c << 6) | (s[i] & 0x3Fu);
	for (size_t i = 0; i <= n && **p != '\0'; i++)
		(*p)++;
	if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7))
		c -= 0x20;
	return c;
}

/* FNV-1a over the owner index and the folded name, so that names equal
 * under mp_name_casecmp land in the same chain. */
static size_t
name_hash(size_t mask, size_t owner, const char *name)
{
	uint64_t h = 14695981039346656037u;
	for (int i = 0; i < 8; i++) {
		h ^= (uint64_t)(owner >> (8 * i)) & 0xFF;
		h *= 1099511628211u;
	}
	const unsigned char *p = (const unsigned char *)name;
	while (*p != '\0') {
		h ^= next_folded(&p);
		h *= 1099511628211u;
	}
	return (size_t)h & mask;
}

static int
limit_err(struct reg_store *rs, const struct mp_reg_span *sp, const char *what, unsigned cap)
{
	mp_seterr(rs->base.ctx, MAPIPROF_E_LIMIT, "line %u: more than %u %s", (unsigned)sp->line,
	          cap, what);
	mp_seterr_file(rs->base.ctx, rs->file->name);
	return MAPIPROF_FAILED;
}

/* Grows an array of *cap elements of size elem (doubling, or as far as the
 * budget lets it), keeping rs->mem up to date: the parsed file and the
 * tree together stay within the budget of limits.h (MP_REG_MEM_SLACK). */
static int
grow(struct reg_store *rs, void **arr, size_t *cap, size_t elem, const struct mp_reg_span *sp)
{
	size_t budget = rs->file->rawlen + MP_REG_MEM_SLACK;
	size_t used = rs->file->mem + rs->mem - *cap * elem;
	size_t ncap = *cap != 0 ? *cap * 2 : 64;
	if (used + ncap * elem > budget)
		ncap = used < budget ? (budget - used) / elem : 0;
	if (ncap <= *cap) {
		mp_seterr(rs->base.ctx, MAPIPROF_E_LIMIT,
		          "line %u: the keys and values need more memory than the file's size "
		          "plus %u MiB",
		          (unsigned)sp->line, MP_REG_MEM_SLACK >> 20);
		mp_seterr_file(rs->base.ctx, rs->file->name);
		return MAPIPROF_FAILED;
	}
	void *p = realloc(*arr, ncap * elem);
	if (p == NULL)
		return mp_nomem(rs->base.ctx);
	*arr = p;
	rs->mem = used + ncap * elem - rs->file->mem;
	*cap = ncap;
	return MAPIPROF_OK;
}

/* ---- building the tree ------------------------------------------------- */

/* The live child of parent named name (case-insensitively), or NONE. */
static uint32_t
find_child(const struct reg_store *rs, uint32_t parent, const char *name)
{
	uint32_t i = rs->nhash[name_hash(rs->nmask, parent, name)];
	for (; i != NONE; i = rs->nodes[i].hnext)
		if (!rs->nodes[i].dead && rs->nodes[i].parent == parent &&
		    mp_name_casecmp(rs->nodes[i].name, name) == 0)
			return i;
	return NONE;
}

static uint32_t
find_value(const struct reg_store *rs, uint32_t node, const char *name)
{
	uint32_t i = rs->vhash[name_hash(rs->vmask, node, name)];
	for (; i != NONE; i = rs->vals[i].hnext)
		if (rs->vals[i].node == node && mp_name_casecmp(rs->vals[i].name, name) == 0)
			return i;
	return NONE;
}

/* Adds a child named name below parent (NONE: the root); *out its index. */
static int
add_node(struct reg_store *rs, uint32_t parent, const char *name, const struct mp_reg_span *sp,
         uint32_t *out)
{
	if (rs->nnodes >= MP_MAX_REG_ITEMS)
		return limit_err(rs, sp, "keys in the file", MP_MAX_REG_ITEMS);
	if (parent != NONE && rs->nodes[parent].nkids >= MP_MAX_SUBKEYS_PER_KEY)
		return limit_err(rs, sp, "subkeys in one key", MP_MAX_SUBKEYS_PER_KEY);
	if (rs->nnodes == rs->ncap &&
	    grow(rs, (void **)&rs->nodes, &rs->ncap, sizeof(*rs->nodes), sp) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	uint32_t idx = (uint32_t)rs->nnodes;
	struct rnode *n = &rs->nodes[idx];
	memset(n, 0, sizeof(*n));
	n->name = name;
	n->parent = parent;
	n->first_kid = n->last_kid = n->next_sib = n->prev_sib = NONE;
	n->first_val = n->last_val = NONE;
	if (parent != NONE) {
		struct rnode *pn = &rs->nodes[parent];
		n->prev_sib = pn->last_kid;
		if (pn->last_kid != NONE)
			rs->nodes[pn->last_kid].next_sib = idx;
		else
			pn->first_kid = idx;
		pn->last_kid = idx;
		pn->nkids++;
	}
	size_t h = name_hash(rs->nmask, parent, name);
	n->hnext = rs->nhash[h];
	rs->nhash[h] = idx;
	rs->nnodes++;
	*out = idx;
	return MAPIPROF_OK;
}

/* Takes the live child i out of its parent's list (a [-key] line). */
static void
unlink_node(struct reg_store *rs, uint32_t i)
{
	struct rnode *n = &rs->nodes[i];
	struct rnode *pn = &rs->nodes[n->parent];
	if (n->prev_sib != NONE)
		rs->nodes[n->prev_sib].next_sib = n->next_sib;
	else
		pn->first_kid = n->next_sib;
	if (n->next_sib != NONE)
		rs->nodes[n->next_sib].prev_sib = n->prev_sib;
	else
		pn->last_kid = n->prev_sib;
	pn->nkids--;
	n->dead = 1;
}

/* Sets (or with a deletion line, removes) one value of node. */
static int
apply_value(struct reg_store *rs, uint32_t node, const struct mp_reg_value *v)
{
	struct rnode *n = &rs->nodes[node];
	uint32_t slot = find_value(rs, node, v->name);
	if (v->syntax == MP_REG_SYN_DELETE) {
		if (slot != NONE) {
			struct rval *r = &rs->vals[slot];
			if (r->prev != NONE)
				rs->vals[r->prev].next = r->next;
			else
				n->first_val = r->next;
			if (r->next != NONE)
				rs->vals[r->next].prev = r->prev;
			else
				n->last_val = r->prev;
			n->nvals--;
			r->node = NONE;
		}
		return MAPIPROF_OK;
	}
	if (slot != NONE) {
		rs->vals[slot].src = v;
		return MAPIPROF_OK;
	}
	if (n->nvals >= MP_MAX_VALUES_PER_KEY)
		return limit_err(rs, &v->span, "values in one key", MP_MAX_VALUES_PER_KEY);
	if (rs->nvals == rs->vcap &&
	    grow(rs, (void **)&rs->vals, &rs->vcap, sizeof(*rs->vals), &v->span) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	n = &rs->nodes[node];
	uint32_t idx = (uint32_t)rs->nvals;
	struct rval *r = &rs->vals[idx];
	r->name = v->name;
	r->src = v;
	r->node = node;
	r->next = NONE;
	r->prev = n->last_val;
	if (n->last_val != NONE)
		rs->vals[n->last_val].next = idx;
	else
		n->first_val = idx;
	n->last_val = idx;
	n->nvals++;
	size_t h = name_hash(rs->vmask, node, v->name);
	r->hnext = rs->vhash[h];
	rs->vhash[h] = idx;
	rs->nvals++;
	return MAPIPROF_OK;
}

/* Applies one key block: [-key] removes the key if present; [key] creates
 * the path and applies its values in order. */
static int
apply_block(struct reg_store *rs, size_t bi)
{
	const struct mp_reg_block *b = &rs->file->blocks[bi];
	uint32_t cur = 0;
	for (size_t i = 0; i < b->ncomp && cur != NONE; i++) {
		uint32_t next = find_child(rs, cur, b->comp[i]);
		if (next == NONE && !b->is_delete &&
		    add_node(rs, cur, b->comp[i], &b->span, &next) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		cur = next;
	}
	if (b->is_delete) {
		/* The parser refuses to delete the root (ncomp > 0). */
		if (cur != NONE && cur != 0)
			unlink_node(rs, cur);
		return MAPIPROF_OK;
	}
	rs->nodes[cur].nblocks++;
	rs->bnode[bi] = cur;
	return MAPIPROF_OK;
}

static uint32_t *alloc_hash(struct reg_store *rs, size_t n, size_t *mask);

/* Puts the values of node i into the tree on its first use: the value
 * lines of its blocks (decoded now when the parse was lazy), in file
 * order.  A lazy parse of a large file so decodes only the keys read. */
static int
load_values(struct reg_store *rs, uint32_t i)
{
	if (rs->nodes[i].loaded)
		return MAPIPROF_OK;
	if (rs->vhash == NULL &&
	    (rs->vhash = alloc_hash(rs, rs->file->nvalues, &rs->vmask)) == NULL)
		return MAPIPROF_FAILED;
	const struct rnode *n = &rs->nodes[i];
	for (uint32_t k = 0; k < n->nblocks; k++) {
		size_t bi = rs->blist[n->bstart + k];
		const struct mp_reg_block *b = &rs->file->blocks[bi];
		if (rs->file->decode(rs->file, rs->base.ctx, bi) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		for (size_t j = 0; j < b->nvalues; j++)
			if (apply_value(rs, i, &b->values[j]) != MAPIPROF_OK)
				return MAPIPROF_FAILED;
		n = &rs->nodes[i];
	}
	rs->nodes[i].loaded = 1;
	return MAPIPROF_OK;
}

/* Allocates n elements of size elem within the budget of grow(). */
static void *
budget_alloc(struct reg_store *rs, size_t n, size_t elem)
{
	void *p = NULL;
	size_t cap = 0;
	struct mp_reg_span none = {0, 0, 0, 0};
	if (n == 0)
		n = 1;
	while (cap < n)
		if (grow(rs, &p, &cap, elem, &none) != MAPIPROF_OK) {
			free(p);
			return NULL;
		}
	return p;
}

/* Groups the blocks by node (rnode.bstart, nblocks), each node's in file
 * order. */
static int
list_blocks(struct reg_store *rs)
{
	size_t nb = rs->file->nblocks;
	if ((rs->blist = budget_alloc(rs, nb, sizeof(*rs->blist))) == NULL)
		return MAPIPROF_FAILED;
	uint32_t at = 0;
	for (size_t i = 0; i < rs->nnodes; i++) {
		rs->nodes[i].bstart = at;
		at += rs->nodes[i].nblocks;
		rs->nodes[i].nblocks = 0;
	}
	for (size_t bi = 0; bi < nb; bi++) {
		if (rs->bnode[bi] == NONE)
			continue;
		struct rnode *n = &rs->nodes[rs->bnode[bi]];
		rs->blist[n->bstart + n->nblocks++] = (uint32_t)bi;
	}
	return MAPIPROF_OK;
}

/* Chain heads for n names: a power of two from 64 to 2^22 (chains just
 * get longer beyond that). */
static uint32_t *
alloc_hash(struct reg_store *rs, size_t n, size_t *mask)
{
	size_t size = 64;
	while (size < n && size < ((size_t)1 << 22))
		size *= 2;
	*mask = size - 1;
	uint32_t *heads = budget_alloc(rs, size, sizeof(*heads));
	if (heads != NULL)
		memset(heads, 0xFF, size * sizeof(*heads)); /* NONE */
	return heads;
}

static int
build_tree(struct reg_store *rs)
{
	uint32_t root;
	struct mp_reg_span none = {0, 0, 0, 0};
	size_t nb = rs->file->nblocks;
	if ((rs->nhash = alloc_hash(rs, nb, &rs->nmask)) == NULL ||
	    (rs->bnode = budget_alloc(rs, nb, sizeof(*rs->bnode))) == NULL)
		return MAPIPROF_FAILED;
	if (add_node(rs, NONE, "", &none, &root) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	for (size_t i = 0; i < nb; i++) {
		rs->bnode[i] = NONE;
		if (apply_block(rs, i) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
	}
	return list_blocks(rs);
}

/* ---- store ops --------------------------------------------------------- */

/* The node of a handle, or NULL (and an error) for a bad handle. */
static struct rnode *
node_of(struct mp_store *s, mp_key key)
{
	struct reg_store *rs = (struct reg_store *)s;
	if (key == 0 || key > rs->nnodes) {
		mp_seterr(s->ctx, MAPIPROF_E_INVALID, "invalid key handle %llu",
		          (unsigned long long)key);
		return NULL;
	}
	return &rs->nodes[key - 1];
}

static int
op_root(struct mp_store *s, mp_key *out)
{
	(void)s;
	*out = 1;
	return MAPIPROF_OK;
}

static int
op_children(struct mp_store *s, mp_key key, mp_key **out, size_t *n)
{
	struct rnode *nd = node_of(s, key);
	*out = NULL;
	*n = 0;
	if (nd == NULL)
		return MAPIPROF_FAILED;
	struct reg_store *rs = (struct reg_store *)s;
	mp_key *kids = malloc((nd->nkids > 0 ? nd->nkids : 1) * sizeof(*kids));
	if (kids == NULL)
		return mp_nomem(s->ctx);
	size_t i = 0;
	for (uint32_t k = nd->first_kid; k != NONE; k = rs->nodes[k].next_sib)
		kids[i++] = (mp_key)k + 1;
	*out = kids;
	*n = nd->nkids;
	return MAPIPROF_OK;
}

static int
op_key_name(struct mp_store *s, mp_key key, char **out)
{
	struct rnode *nd = node_of(s, key);
	*out = NULL;
	if (nd == NULL)
		return MAPIPROF_FAILED;
	if ((*out = strdup(nd->name)) == NULL)
		return mp_nomem(s->ctx);
	return MAPIPROF_OK;
}

static int
op_key_mtime(struct mp_store *s, mp_key key, int64_t *out)
{
	*out = 0;
	return node_of(s, key) != NULL ? MAPIPROF_OK : MAPIPROF_FAILED;
}

static int
op_values(struct mp_store *s, mp_key key, struct mp_value **out, size_t *n)
{
	struct reg_store *rs = (struct reg_store *)s;
	struct rnode *nd = node_of(s, key);
	*out = NULL;
	*n = 0;
	if (nd == NULL || load_values(rs, (uint32_t)(key - 1)) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	nd = &rs->nodes[key - 1];
	struct mp_value *vals = calloc(nd->nvals > 0 ? nd->nvals : 1, sizeof(*vals));
	if (vals == NULL)
		return mp_nomem(s->ctx);
	uint32_t slot = nd->first_val;
	for (size_t i = 0; i < nd->nvals; i++, slot = rs->vals[slot].next) {
		const struct rval *r = &rs->vals[slot];
		vals[i].name = strdup(r->name);
		vals[i].type = r->src->type;
		vals[i].len = r->src->len;
		vals[i].data = malloc(r->src->len > 0 ? r->src->len : 1);
		if (vals[i].name == NULL || vals[i].data == NULL) {
			mp_store_values_free(vals, i + 1);
			return mp_nomem(s->ctx);
		}
		if (r->src->len > 0)
			memcpy(vals[i].data, r->src->data, r->src->len);
	}
	*out = vals;
	*n = nd->nvals;
	return MAPIPROF_OK;
}

static void
op_close(struct mp_store *s)
{
	struct reg_store *rs = (struct reg_store *)s;
	free(rs->bnode);
	free(rs->blist);
	free(rs->nodes);
	free(rs->vals);
	free(rs->nhash);
	free(rs->vhash);
	if (rs->file != NULL)
		rs->file->release(rs->file);
	free(rs->base.path);
	free(rs);
}

static const struct mp_store_ops reg_ops = {
    .format = "reg",
    .root = op_root,
    .children = op_children,
    .key_name = op_key_name,
    .key_mtime = op_key_mtime,
    .values = op_values,
    .add_child = NULL,
    .set_values = NULL,
    .write_to = NULL,
    .close = op_close,
};

int
mp_store_reg_from_parsed(struct mapiprof_ctx *ctx, struct mp_reg_file *file, struct mp_store **out)
{
	*out = NULL;
	struct reg_store *rs = calloc(1, sizeof(*rs));
	if (rs == NULL) {
		file->release(file);
		return mp_nomem(ctx);
	}
	rs->base.ops = &reg_ops;
	rs->base.ctx = ctx;
	rs->file = file;
	if ((rs->base.path = strdup(file->name)) == NULL) {
		op_close(&rs->base);
		return mp_nomem(ctx);
	}
	if (build_tree(rs) != MAPIPROF_OK) {
		op_close(&rs->base);
		return MAPIPROF_FAILED;
	}
	*out = &rs->base;
	return MAPIPROF_OK;
}

const struct mp_reg_file *
mp_store_reg_file(const struct mp_store *s)
{
	if (s == NULL || s->ops != &reg_ops)
		return NULL;
	return ((const struct reg_store *)s)->file;
}

/* ---- queries for the text patcher (regtext/patch.c) ------------------------- */

/* The store behind s, or NULL (and no error) for another back end. */
static const struct reg_store *
reg_of(const struct mp_store *s)
{
	return s != NULL && s->ops == &reg_ops ? (const struct reg_store *)s : NULL;
}

void
mp_store_reg_key_blocks(const struct mp_store *s, mp_key key, const uint32_t **blocks, size_t *n)
{
	const struct reg_store *rs = reg_of(s);
	*blocks = NULL;
	*n = 0;
	if (rs == NULL || key == 0 || key > rs->nnodes)
		return;
	*blocks = rs->blist + rs->nodes[key - 1].bstart;
	*n = rs->nodes[key - 1].nblocks;
}

int
mp_store_reg_value_line(struct mp_store *s, mp_key key, const char *name,
                        const struct mp_reg_value **line)
{
	struct reg_store *rs = s != NULL && s->ops == &reg_ops ? (struct reg_store *)s : NULL;
	*line = NULL;
	if (rs == NULL || key == 0 || key > rs->nnodes || rs->nodes[key - 1].dead)
		return MAPIPROF_OK;
	if (load_values(rs, (uint32_t)(key - 1)) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	uint32_t slot = find_value(rs, (uint32_t)(key - 1), name);
	*line = slot != NONE ? rs->vals[slot].src : NULL;
	return MAPIPROF_OK;
}

int
mp_store_reg_block_values(struct mp_store *s, size_t block, const struct mp_reg_value **vals)
{
	struct reg_store *rs = s != NULL && s->ops == &reg_ops ? (struct reg_store *)s : NULL;
	*vals = NULL;
	if (rs == NULL || block >= rs->file->nblocks) {
		mp_seterr(s->ctx, MAPIPROF_E_INVALID, "not a block of a .reg store");
		return MAPIPROF_FAILED;
	}
	if (rs->file->decode(rs->file, s->ctx, block) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	*vals = rs->file->blocks[block].values;
	return MAPIPROF_OK;
}

/* 1 when p[i] starts a path component (p[0] is the root name, never). */
static int
starts_comp(const char *p, size_t i)
{
	return i > 0 && p[i] != '\\' && p[i - 1] == '\\';
}

/* Length of the start of b->path that names b's first ncomp components
 * (regtext/parse.h comp; Wine regproc.c parse_key_name): HKCU\x names x,
 * HKU\<SID>\x names x, any other root names itself first.  Doubled
 * backslashes inside are kept; there is no trailing backslash. */
static size_t
path_prefix_len(const struct mp_reg_block *b, size_t ncomp)
{
	const char *p = b->path;
	size_t n = strlen(p), root = 0, nseg = 0;
	while (root < n && p[root] != '\\')
		root++;
	for (size_t i = root; i < n; i++)
		if (starts_comp(p, i))
			nseg++;
	size_t want = b->root == MP_REG_ROOT_HKCU              ? ncomp
	              : b->root == MP_REG_ROOT_HKU && nseg > 0 ? ncomp + 1
	              : ncomp > 0                              ? ncomp - 1
	                                                       : 0;
	size_t end = root, seen = 0;
	for (size_t i = root; i < n && seen < want; i++) {
		if (starts_comp(p, i))
			seen++;
		end = i + 1;
	}
	while (end < n && p[end] != '\\')
		end++;
	return end;
}

/* Depth of node i (the root has 0); *below = 1 when anc is i or one of its
 * ancestors (a dead node keeps its parent, so a block that made a key
 * since deleted still shows the path to its live ancestors). */
static size_t
depth_below(const struct reg_store *rs, uint32_t i, uint32_t anc, int *below)
{
	size_t d = 0;
	*below = 0;
	for (uint32_t j = i; j != NONE; j = rs->nodes[j].parent) {
		if (j == anc)
			*below = 1;
		if (j != 0)
			d++;
	}
	return d;
}

int
mp_store_reg_key_path(struct mp_store *s, mp_key key, const char **path, size_t *len)
{
	const struct reg_store *rs = reg_of(s);
	*path = NULL;
	*len = 0;
	if (rs == NULL || key <= 1 || key > rs->nnodes) {
		mp_seterr(s->ctx, MAPIPROF_E_INVALID, "not a key of a .reg store");
		return MAPIPROF_FAILED;
	}
	int below = 0;
	uint32_t node = (uint32_t)(key - 1);
	size_t depth = depth_below(rs, node, NONE, &below);
	for (size_t bi = rs->file->nblocks; bi-- > 0;) {
		if (rs->bnode[bi] == NONE)
			continue;
		(void)depth_below(rs, rs->bnode[bi], node, &below);
		if (!below)
			continue;
		*path = rs->file->blocks[bi].path;
		*len = path_prefix_len(&rs->file->blocks[bi], depth);
		return MAPIPROF_OK;
	}
	mp_seterr(s->ctx, MAPIPROF_E_INVALID, "no key line of the file opens key %s",
	          rs->nodes[key - 1].name);
	return MAPIPROF_FAILED;
}

void
mp_store_reg_root_path(const struct mp_store *s, const char **path, size_t *len)
{
	const struct reg_store *rs = reg_of(s);
	*path = "HKEY_CURRENT_USER";
	*len = strlen(*path);
	for (size_t bi = 0; rs != NULL && bi < rs->file->nblocks; bi++) {
		const struct mp_reg_block *b = &rs->file->blocks[bi];
		size_t at = path_prefix_len(b, 0), n = strlen(b->path);
		/* HKEY_USERS alone (or a user's key itself) is not below a user
		 * hive root: its prefix is the whole path. */
		int user = b->root == MP_REG_ROOT_HKCU || (b->root == MP_REG_ROOT_HKU && at < n);
		if (user && b->ncomp > 0) {
			*path = b->path;
			*len = at;
			return;
		}
	}
}
