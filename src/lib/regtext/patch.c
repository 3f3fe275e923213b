/* patch.c - a plan applied to a .reg file as text (regtext/patch.h): the
 * plan becomes a list of edits (byte ranges of the original replaced,
 * removed, or new text inserted at an offset), and the output is the
 * original with the edits stitched in, so every other byte is copied (a
 * concrete-syntax writer: comments, blank lines and hex line breaks stay). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/platform.h"
#include "regtext/format.h"
#include "regtext/patch.h"
#include "store/reg.h"

/* One change of the original: bytes [off, off + len) replaced by the new
 * text text[start, start + n) of the patch (len 0: inserted at off). */
struct edit {
	size_t off, len;
	int tail;   /* a new block at the end of the file: after the other insertions there */
	size_t seq; /* order of making, the last tie-break */
	size_t start, n;
};

struct patch {
	struct mapiprof_ctx *ctx;
	struct mp_store *s;
	const struct mp_reg_file *f;
	struct mp_reg_style st; /* st.eol is set per edit */
	size_t unit;            /* bytes per code unit: 2 in UTF-16LE, else 1 */
	const char *first_eol;  /* the file's first line end (CRLF when none) */
	struct mp_buf text;     /* the new text of every edit */
	struct edit *e;
	size_t ne, ecap;
	int tail_ended; /* the file (with the new blocks so far) ends with a line end */
	int tail_blank; /* ... and its last line is blank */
};

/* ---- line ends ------------------------------------------------------------ */

/* The code unit of the file at byte offset at. */
static unsigned
unit_at(const struct patch *p, size_t at)
{
	const uint8_t *r = p->f->raw;
	return p->unit == 2 ? (unsigned)(r[at] | (unsigned)r[at + 1] << 8) : r[at];
}

/* The terminator of the line that ends at byte offset end ("\r\n", "\n",
 * "\r"), or NULL when it has none (the last line of a file without a final
 * newline).  *tlen is the terminator's length in bytes. */
static const char *
eol_before(const struct patch *p, size_t end, size_t *tlen)
{
	size_t u = p->unit, start = p->f->bom_len;
	*tlen = 0;
	if (end < start + u)
		return NULL;
	unsigned c = unit_at(p, end - u);
	if (c == '\n' && end >= start + 2 * u && unit_at(p, end - 2 * u) == '\r') {
		*tlen = 2 * u;
		return "\r\n";
	}
	if (c == '\n' || c == '\r') {
		*tlen = u;
		return c == '\n' ? "\n" : "\r";
	}
	return NULL;
}

/* The first line end of the file, CRLF in a file without any (as regedit
 * writes, Wine programs/reg/tests/export.c). */
static const char *
first_eol(const struct patch *p)
{
	for (size_t at = p->f->bom_len; at + p->unit <= p->f->rawlen; at += p->unit) {
		unsigned c = unit_at(p, at);
		if (c == '\n')
			return "\n";
		if (c == '\r')
			return at + 2 * p->unit <= p->f->rawlen && unit_at(p, at + p->unit) == '\n'
			           ? "\r\n"
			           : "\r";
	}
	return "\r\n";
}

/* 1 when the file ends with a line end and its last line is empty. */
static int
ends_blank(const struct patch *p)
{
	size_t tlen = 0, tlen2 = 0;
	if (eol_before(p, p->f->rawlen, &tlen) == NULL)
		return 0;
	return eol_before(p, p->f->rawlen - tlen, &tlen2) != NULL;
}

/* ---- edits ---------------------------------------------------------------- */

/* Starts an edit of [off, off + len); its text is what is appended to
 * p->text until the next one starts. */
static int
edit_begin(struct patch *p, size_t off, size_t len, int tail)
{
	if (p->ne == p->ecap) {
		size_t ncap = p->ecap != 0 ? p->ecap * 2 : 16;
		struct edit *q = realloc(p->e, ncap * sizeof(*q));
		if (q == NULL)
			return mp_nomem(p->ctx);
		p->e = q;
		p->ecap = ncap;
	}
	p->e[p->ne] = (struct edit){off, len, tail, p->ne, p->text.len, 0};
	p->ne++;
	return MAPIPROF_OK;
}

/* Ends the current edit's text. */
static void
edit_end(struct patch *p)
{
	struct edit *e = &p->e[p->ne - 1];
	e->n = p->text.len - e->start;
}

/* Appends a line end in the file's encoding. */
static int
put_eol(struct patch *p, const char *eol)
{
	return mp_reg_encode(p->ctx, &p->st, eol, strlen(eol), &p->text);
}

/* Prefixes the error of the formatter with the section it was writing. */
static int
relabel(struct patch *p, const struct mp_key_change *k)
{
	char msg[sizeof(p->ctx->msg)];
	memcpy(msg, p->ctx->msg, sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
	mp_seterr(p->ctx, p->ctx->code, "section %s: %.400s", k->uid, msg);
	return MAPIPROF_FAILED;
}

/* Appends the value line of op (named as written when src is the line it
 * replaces) with line end eol. */
static int
put_value(struct patch *p, const struct mp_key_change *k, const struct mp_value_change *op,
          const struct mp_reg_value *src, const char *eol)
{
	struct mp_reg_item it = {op->value_name, 0, 0, op->reg_type, op->data, op->len};
	if (src != NULL) {
		it.name = src->name;
		it.is_default = src->is_default;
	}
	p->st.eol = eol;
	if (mp_reg_format_value(p->ctx, &p->st, &it, &p->text) != MAPIPROF_OK)
		return relabel(p, k);
	return MAPIPROF_OK;
}

/* ---- the ops of one key ------------------------------------------------- */

/* The line that last set op's value is replaced by the new line, with that
 * line's line end (none when it had none: the file keeps its end). */
static int
replace_value(struct patch *p, const struct mp_key_change *k, const struct mp_value_change *op,
              const struct mp_reg_value *src)
{
	size_t end = src->span.off + src->span.len, tlen = 0;
	const char *eol = eol_before(p, end, &tlen);
	if (edit_begin(p, src->span.off, src->span.len, 0) != MAPIPROF_OK ||
	    put_value(p, k, op, src, eol != NULL ? eol : p->first_eol) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (eol == NULL) {
		/* Drop the line end the formatter wrote: the original had none. */
		size_t keep = p->text.len;
		if (put_eol(p, p->first_eol) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		size_t elen = p->text.len - keep;
		p->text.len = keep;
		if (elen > keep - p->e[p->ne - 1].start ||
		    memcmp(p->text.data + keep - elen, p->text.data + keep, elen) != 0) {
			mp_seterr(p->ctx, MAPIPROF_E_INVALID,
			          "section %s: value %s: the new line does not end with a line end",
			          k->uid, op->value_name);
			return MAPIPROF_FAILED;
		}
		p->text.len = keep - elen;
	}
	edit_end(p);
	return MAPIPROF_OK;
}

/* Removes every line of key's current life that sets or deletes name. */
static int
remove_value(struct patch *p, mp_key key, const char *name)
{
	const uint32_t *blocks = NULL;
	size_t nb = 0;
	mp_store_reg_key_blocks(p->s, key, &blocks, &nb);
	for (size_t i = 0; i < nb; i++) {
		const struct mp_reg_block *b = &p->f->blocks[blocks[i]];
		const struct mp_reg_value *vals = NULL;
		if (mp_store_reg_block_values(p->s, blocks[i], &vals) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		for (size_t j = 0; j < b->nvalues; j++) {
			const struct mp_reg_value *v = &vals[j];
			if (mp_name_casecmp(v->name, name) != 0)
				continue;
			if (edit_begin(p, v->span.off, v->span.len, 0) != MAPIPROF_OK)
				return MAPIPROF_FAILED;
			edit_end(p);
		}
	}
	return MAPIPROF_OK;
}

/* The new values (ops with add[j] set, in op order) after the last value
 * line of the key's last block, or after its key line when it has none. */
static int
insert_values(struct patch *p, const struct mp_key_change *k, const uint8_t *add,
              const struct mp_reg_block *b)
{
	size_t at = b->vend, tlen = 0;
	const char *eol = eol_before(p, at, &tlen);
	if (edit_begin(p, at, 0, 0) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (eol == NULL) {
		/* The line it follows ends the file without a line end. */
		eol = p->first_eol;
		if (put_eol(p, eol) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
	}
	for (size_t j = 0; j < k->nops; j++)
		if (add[j] && put_value(p, k, &k->ops[j], NULL, eol) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
	edit_end(p);
	if (at == p->f->rawlen) {
		/* New blocks at the end come after these lines. */
		p->tail_ended = 1;
		p->tail_blank = 0;
	}
	return MAPIPROF_OK;
}

/* A path key's path as the file would write it: the written path of its
 * deepest key that the file has (the hive root's when none), then the rest
 * of k->uid.  *pre and *plen: that written path, *rest: the rest ("" or
 * starting after a '\'). */
static int
path_key_prefix(struct patch *p, const struct mp_key_change *k, const char **pre, size_t *plen,
                const char **rest)
{
	mp_key at = 0, deepest = 0;
	const char *uid = k->uid;
	*rest = uid;
	if (p->s->ops->root(p->s, &at) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	for (const char *c = uid; at != 0 && *c != '\0';) {
		const char *end = strchr(c, '\\');
		size_t n = end != NULL ? (size_t)(end - c) : strlen(c);
		char *comp = strndup(c, n);
		mp_key child = 0;
		if (comp == NULL)
			return mp_nomem(p->ctx);
		int rc = mp_store_child(p->s, at, comp, &child);
		free(comp);
		if (rc != MAPIPROF_OK)
			return rc;
		if ((at = child) == 0)
			break;
		deepest = child;
		c += n;
		c += *c == '\\';
		*rest = c;
	}
	if (deepest == 0) {
		mp_store_reg_root_path(p->s, pre, plen);
		return MAPIPROF_OK;
	}
	return mp_store_reg_key_path(p->s, deepest, pre, plen);
}

/* "<profile key's path as written>\<uid>" (a path key: path_key_prefix),
 * malloc'd into *out. */
static int
new_key_path(struct patch *p, const struct mp_key_change *k, char **out)
{
	const char *pre = NULL;
	size_t plen = 0;
	*out = NULL;
	if (mp_key_change_is_path(k)) {
		const char *rest = NULL;
		if (path_key_prefix(p, k, &pre, &plen, &rest) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		size_t len = plen + 1 + strlen(rest) + 1;
		if ((*out = malloc(len)) == NULL)
			return mp_nomem(p->ctx);
		snprintf(*out, len, "%.*s%s%s", (int)plen, pre, rest[0] != '\0' ? "\\" : "", rest);
		return MAPIPROF_OK;
	}
	if (mp_store_reg_key_path(p->s, k->profile_key, &pre, &plen) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	size_t len = plen + 1 + strlen(k->uid) + 1;
	if ((*out = malloc(len)) == NULL)
		return mp_nomem(p->ctx);
	snprintf(*out, len, "%.*s\\%s", (int)plen, pre, k->uid);
	return MAPIPROF_OK;
}

/* A new block at the end of the file (regedit's layout, reg/tests/export.c) for
 * k, which holds no value (a key to create, or one without a block of its
 * own): a blank line before it (unless the file ends with one), the key line,
 * a line per op that sets a value, a blank line.  The line end is the last
 * line's (the first one when the last has none). */
static int
append_block(struct patch *p, const struct mp_key_change *k)
{
	size_t tlen = 0;
	const char *eol = eol_before(p, p->f->rawlen, &tlen);
	char *path = NULL;
	if (eol == NULL)
		eol = p->first_eol;
	int rc = new_key_path(p, k, &path);
	if (rc == MAPIPROF_OK)
		rc = edit_begin(p, p->f->rawlen, 0, 1);
	if (rc == MAPIPROF_OK && !p->tail_ended)
		rc = put_eol(p, eol);
	if (rc == MAPIPROF_OK && !p->tail_blank)
		rc = put_eol(p, eol);
	p->st.eol = eol;
	if (rc == MAPIPROF_OK &&
	    mp_reg_format_key(p->ctx, &p->st, path, 0, &p->text) != MAPIPROF_OK)
		rc = relabel(p, k);
	for (size_t j = 0; rc == MAPIPROF_OK && j < k->nops; j++)
		if (!k->ops[j].del)
			rc = put_value(p, k, &k->ops[j], NULL, eol);
	if (rc == MAPIPROF_OK)
		rc = put_eol(p, eol);
	free(path);
	if (rc != MAPIPROF_OK)
		return rc;
	edit_end(p);
	p->tail_ended = p->tail_blank = 1;
	return MAPIPROF_OK;
}

/* ---- deleting a key ------------------------------------------------------- */

/* 1 when keys[0..n) deletes key. */
static int
is_deleted(const struct mp_key_change *keys, size_t n, mp_key key)
{
	for (size_t i = 0; i < n; i++)
		if (keys[i].del && keys[i].key == key)
			return 1;
	return 0;
}

/* The bytes of block b that a delete removes: its key line, its value
 * lines and whatever lies between them, and the blank lines after the
 * last of them; comment lines after those stay (they precede, and so
 * usually describe, the next key). */
static void
block_range(const struct patch *p, const struct mp_reg_block *b, size_t *off, size_t *len)
{
	size_t end = b->vend, stop = b->body.off + b->body.len;
	while (end < stop) {
		unsigned c = unit_at(p, end);
		size_t n =
		    c == '\r' && end + 2 * p->unit <= stop && unit_at(p, end + p->unit) == '\n' ? 2
		    : c == '\r' || c == '\n'                                                    ? 1
		                                                                                : 0;
		if (n == 0)
			break;
		end += n * p->unit;
	}
	*off = b->span.off;
	*len = end - b->span.off;
}

/* Removes every block of key's current life and of every key below it
 * (block_range); *first: the offset of the first removed (SIZE_MAX when
 * none). */
static int
remove_tree(struct patch *p, mp_key key, size_t depth, size_t *first)
{
	const uint32_t *blocks = NULL;
	size_t nb = 0, nk = 0;
	mp_key *kids = NULL;
	if (depth > MP_MAX_KEY_DEPTH) {
		mp_seterr(p->ctx, MAPIPROF_E_LIMIT, "keys nested more than %u levels deep",
		          MP_MAX_KEY_DEPTH);
		return MAPIPROF_FAILED;
	}
	mp_store_reg_key_blocks(p->s, key, &blocks, &nb);
	for (size_t i = 0; i < nb; i++) {
		size_t off = 0, len = 0;
		block_range(p, &p->f->blocks[blocks[i]], &off, &len);
		if (edit_begin(p, off, len, 0) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		edit_end(p);
		if (off < *first)
			*first = off;
	}
	if (p->s->ops->children(p->s, key, &kids, &nk) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = MAPIPROF_OK;
	for (size_t i = 0; rc == MAPIPROF_OK && i < nk; i++)
		rc = remove_tree(p, kids[i], depth + 1, first);
	free(kids);
	return rc;
}

/* 1 when a key line of the file still opens key or a key below it once
 * the plan's deletes are done (else the key would vanish with them). */
static int
keeps_blocks(struct patch *p, const struct mp_key_change *keys, size_t n, mp_key key, size_t depth,
             int *keeps)
{
	const uint32_t *blocks = NULL;
	size_t nb = 0, nk = 0;
	mp_key *kids = NULL;
	if (is_deleted(keys, n, key) || depth > MP_MAX_KEY_DEPTH)
		return MAPIPROF_OK;
	mp_store_reg_key_blocks(p->s, key, &blocks, &nb);
	if (nb > 0) {
		*keeps = 1;
		return MAPIPROF_OK;
	}
	if (p->s->ops->children(p->s, key, &kids, &nk) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = MAPIPROF_OK;
	for (size_t i = 0; rc == MAPIPROF_OK && !*keeps && i < nk; i++)
		rc = keeps_blocks(p, keys, n, kids[i], depth + 1, keeps);
	free(kids);
	return rc;
}

/* The deleted key's parent stays: when no key line would open it any more
 * (its path was written only in the lines removed) and the plan creates
 * nothing below it, a key line of its own goes where the first removed
 * block was. */
static int
keep_parent(struct patch *p, const struct mp_key_change *keys, size_t n,
            const struct mp_key_change *k, size_t first)
{
	const char *sep = strrchr(k->uid, '\\');
	mp_key root = 0, parent = 0;
	int keeps = 0;
	if (sep == NULL || first == SIZE_MAX)
		return MAPIPROF_OK; /* a key of the hive root, which stays anyway */
	char *ppath = strndup(k->uid, (size_t)(sep - k->uid));
	if (ppath == NULL)
		return mp_nomem(p->ctx);
	int rc = p->s->ops->root(p->s, &root);
	if (rc == MAPIPROF_OK)
		rc = mp_store_path(p->s, root, ppath, &parent);
	if (rc == MAPIPROF_OK && parent != 0)
		rc = keeps_blocks(p, keys, n, parent, 0, &keeps);
	for (size_t i = 0; rc == MAPIPROF_OK && !keeps && i < n; i++)
		keeps = !keys[i].del && mp_key_change_is_path(&keys[i]) &&
		        mp_store_path_below(keys[i].uid, ppath);
	free(ppath);
	if (rc != MAPIPROF_OK || keeps || parent == 0)
		return rc;
	const char *pre = NULL;
	size_t plen = 0, tlen = 0;
	if (mp_store_reg_key_path(p->s, parent, &pre, &plen) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	char *path = strndup(pre, plen);
	if (path == NULL)
		return mp_nomem(p->ctx);
	const char *eol = eol_before(p, first, &tlen);
	p->st.eol = eol != NULL ? eol : p->first_eol;
	rc = edit_begin(p, first, 0, 0);
	if (rc == MAPIPROF_OK &&
	    mp_reg_format_key(p->ctx, &p->st, path, 0, &p->text) != MAPIPROF_OK)
		rc = relabel(p, k);
	if (rc == MAPIPROF_OK)
		rc = put_eol(p, p->st.eol);
	if (rc == MAPIPROF_OK)
		edit_end(p);
	free(path);
	return rc;
}

/* A key to delete: its blocks and those of every key below it go. */
static int
delete_key(struct patch *p, const struct mp_key_change *keys, size_t n,
           const struct mp_key_change *k)
{
	size_t first = SIZE_MAX;
	if (remove_tree(p, k->key, 0, &first) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return keep_parent(p, keys, n, k, first);
}

/* The edits of one plan key inside the file (regtext/patch.h); *tail = 1 when
 * it needs a new block at the end instead (done after every key's edits
 * inside, which decide how the file ends). */
static int
patch_key(struct patch *p, const struct mp_key_change *k, int *tail)
{
	const uint32_t *blocks = NULL;
	size_t nb = 0, nadd = 0;
	int rc = MAPIPROF_OK;
	uint8_t *add = calloc(k->nops + 1, 1);
	if (add == NULL)
		return mp_nomem(p->ctx);
	if (k->key != 0)
		mp_store_reg_key_blocks(p->s, k->key, &blocks, &nb);
	for (size_t j = 0; rc == MAPIPROF_OK && j < k->nops; j++) {
		const struct mp_value_change *op = &k->ops[j];
		const struct mp_reg_value *src = NULL;
		if (k->key != 0 &&
		    mp_store_reg_value_line(p->s, k->key, op->value_name, &src) != MAPIPROF_OK) {
			rc = MAPIPROF_FAILED;
			break;
		}
		if (op->del)
			rc = nb > 0 ? remove_value(p, k->key, op->value_name) : MAPIPROF_OK;
		else if (src != NULL)
			rc = replace_value(p, k, op, src);
		else {
			add[j] = 1;
			nadd++;
		}
	}
	/* A new key gets a block of its own, unless it is only the parent of
	 * other new keys: their key lines create it (as regedit reads them). */
	int implied = k->key == 0 && k->nops == 0 && k->nkids > 0;
	*tail = nb == 0 && (nadd > 0 || (k->key == 0 && !implied));
	if (rc == MAPIPROF_OK && nb > 0 && nadd > 0)
		rc = insert_values(p, k, add, &p->f->blocks[blocks[nb - 1]]);
	free(add);
	return rc;
}

/* ---- stitching ------------------------------------------------------------ */

static int
cmp_edit(const void *a, const void *b)
{
	const struct edit *x = a, *y = b;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	/* At one offset: insertions (after the line before), then a range. */
	if ((x->len > 0) != (y->len > 0))
		return x->len > 0 ? 1 : -1;
	if (x->tail != y->tail)
		return x->tail ? 1 : -1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Bytes of the original handed to the sink at a time: a mapped file's
 * pages are let go behind them. */
#define COPY_CHUNK (8u * 1024u * 1024u)

/* Hands raw[from, to) to the sink. */
static int
copy_span(struct patch *p, const struct mp_reg_sink *sink, size_t from, size_t to)
{
	if (sink->copy != NULL && to - from >= MP_REG_COPY_MIN)
		return sink->copy(sink->arg, from, to - from);
	while (from < to) {
		size_t n = to - from < COPY_CHUNK ? to - from : COPY_CHUNK;
		if (sink->put(sink->arg, p->f->raw + from, n) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		if (p->f->map != NULL)
			mp_map_drop(p->f->map, from, n);
		from += n;
	}
	return MAPIPROF_OK;
}

/* The original with the edits in offset order; two edits of one line are
 * a plan error. */
static int
stitch(struct patch *p, const struct mp_reg_sink *sink)
{
	size_t pos = 0;
	if (p->ne > 0)
		qsort(p->e, p->ne, sizeof(*p->e), cmp_edit);
	for (size_t i = 0; i < p->ne; i++) {
		const struct edit *e = &p->e[i];
		if (e->off < pos) {
			mp_seterr(p->ctx, MAPIPROF_E_INVALID,
			          "the plan changes the line at byte offset %zu twice", e->off);
			return MAPIPROF_FAILED;
		}
		if (copy_span(p, sink, pos, e->off) != MAPIPROF_OK ||
		    (e->n > 0 &&
		     sink->put(sink->arg, p->text.data + e->start, e->n) != MAPIPROF_OK))
			return MAPIPROF_FAILED;
		pos = e->off + e->len;
	}
	return copy_span(p, sink, pos, p->f->rawlen);
}

/* The edits in offset order, for the caller (mp_reg_edits). */
static int
give_edits(struct patch *p, struct mp_reg_edits *out)
{
	size_t total = 0;
	for (size_t i = 0; i < p->ne; i++)
		total += p->e[i].n;
	out->e = malloc((p->ne > 0 ? p->ne : 1) * sizeof(*out->e));
	out->text = malloc(total > 0 ? total : 1);
	if (out->e == NULL || out->text == NULL) {
		mp_reg_edits_free(out);
		return mp_nomem(p->ctx);
	}
	for (size_t i = 0; i < p->ne; i++) {
		out->e[i] = (struct mp_reg_edit){p->e[i].off, p->e[i].len, p->e[i].n};
		if (p->e[i].n > 0)
			memcpy(out->text + out->textlen, p->text.data + p->e[i].start, p->e[i].n);
		out->textlen += p->e[i].n;
	}
	out->n = p->ne;
	return MAPIPROF_OK;
}

void
mp_reg_edits_free(struct mp_reg_edits *edits)
{
	free(edits->e);
	free(edits->text);
	*edits = (struct mp_reg_edits){0};
}

struct buf_sink {
	struct mapiprof_ctx *ctx;
	struct mp_buf *out;
};

static int
put_buf(void *arg, const void *data, size_t n)
{
	struct buf_sink *b = arg;
	return mp_buf_add(b->ctx, b->out, data, n);
}

int
mp_reg_patch_to(struct mapiprof_ctx *ctx, struct mp_store *s, const struct mp_key_change *keys,
                size_t n, const struct mp_reg_sink *sink, struct mp_reg_edits *edits)
{
	const struct mp_reg_file *f = mp_store_reg_file(s);
	if (edits != NULL)
		*edits = (struct mp_reg_edits){0};
	if (f == NULL || (n > 0 && keys == NULL) || sink == NULL) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "mp_reg_patch: not a .reg store");
		return MAPIPROF_FAILED;
	}
	struct patch p = {.ctx = ctx, .s = s, .f = f};
	p.st.encoding = f->encoding;
	p.st.codepage = f->codepage;
	/* A UTF-8 file with BOM and REGEDIT4 header has UTF-8 hex(1|2|7)
	 * payloads (regtext/parse.c), which regtext/format.h takes from st.codepage. */
	if (f->encoding == MP_REG_ENC_UTF8_BOM && f->header == MP_REG_HDR_REGEDIT4)
		p.st.codepage = "UTF-8";
	p.unit = f->encoding == MP_REG_ENC_UTF16LE ? 2 : 1;
	p.first_eol = first_eol(&p);
	p.st.eol = p.first_eol;
	p.tail_ended = f->final_newline;
	p.tail_blank = ends_blank(&p);
	int rc = MAPIPROF_OK;
	uint8_t *tail = calloc(n + 1, 1);
	if (tail == NULL)
		rc = mp_nomem(ctx);
	for (size_t i = 0; rc == MAPIPROF_OK && i < n; i++) {
		int t = 0;
		if (keys[i].del)
			rc = delete_key(&p, keys, n, &keys[i]);
		else
			rc = patch_key(&p, &keys[i], &t);
		tail[i] = (uint8_t)t;
	}
	for (size_t i = 0; rc == MAPIPROF_OK && i < n; i++)
		if (tail[i])
			rc = append_block(&p, &keys[i]);
	if (rc == MAPIPROF_OK)
		rc = stitch(&p, sink);
	if (rc == MAPIPROF_OK && edits != NULL)
		rc = give_edits(&p, edits);
	free(tail);
	free(p.e);
	mp_buf_free(&p.text);
	return rc;
}

int
mp_reg_patch(struct mapiprof_ctx *ctx, struct mp_store *s, const struct mp_key_change *keys,
             size_t n, struct mp_buf *out)
{
	if (out == NULL) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "mp_reg_patch: not a .reg store");
		return MAPIPROF_FAILED;
	}
	struct buf_sink b = {ctx, out};
	const struct mp_reg_sink sink = {put_buf, NULL, &b};
	return mp_reg_patch_to(ctx, s, keys, n, &sink, NULL);
}
