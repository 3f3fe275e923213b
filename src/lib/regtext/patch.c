/* patch.c - a plan applied to a .reg file as text (regtext/patch.h): the
 * plan becomes a list of edits (byte ranges of the original replaced,
 * removed, or new text inserted at an offset), and the output is the
 * original with the edits stitched in, so every other byte is copied (a
 * concrete-syntax writer: comments, blank lines and hex line breaks stay). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	const size_t *blocks = NULL;
	size_t nb = 0;
	mp_store_reg_key_blocks(p->s, key, &blocks, &nb);
	for (size_t i = 0; i < nb; i++) {
		const struct mp_reg_block *b = &p->f->blocks[blocks[i]];
		for (size_t j = 0; j < b->nvalues; j++) {
			const struct mp_reg_value *v = &p->f->values[b->first_value + j];
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
	const struct mp_reg_span *sp =
	    b->nvalues > 0 ? &p->f->values[b->first_value + b->nvalues - 1].span : &b->span;
	size_t at = sp->off + sp->len, tlen = 0;
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

/* The user hive root as the file writes it ("HKEY_CURRENT_USER",
 * "HKEY_USERS\S-1-5-21-..."): the path of a key below it without that
 * key's own component; HKEY_CURRENT_USER when no key lies below it. */
static int
root_path(struct patch *p, mp_key root, const char **pre, size_t *plen)
{
	mp_key *kids = NULL;
	size_t n = 0;
	*pre = "HKEY_CURRENT_USER";
	*plen = strlen(*pre);
	if (p->s->ops->children(p->s, root, &kids, &n) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	for (size_t i = 0; i < n; i++) {
		const char *path = NULL;
		size_t len = 0;
		if (mp_store_reg_key_path(p->s, kids[i], &path, &len) != MAPIPROF_OK) {
			mapiprof_clear_error(p->ctx); /* opened by no key line: the next one */
			continue;
		}
		while (len > 0 && path[len - 1] != '\\')
			len--;
		if (len > 1) { /* a key of another root (its child) has no '\' */
			*pre = path;
			*plen = len - 1;
			break;
		}
	}
	free(kids);
	return MAPIPROF_OK;
}

/* "<profile key's path as written>\<uid>", malloc'd into *out; for a key
 * outside the profiles (MP_NO_PROFILE) the root's path and uid. */
static int
new_key_path(struct patch *p, const struct mp_key_change *k, char **out)
{
	const char *pre = NULL;
	size_t plen = 0;
	*out = NULL;
	if (k->profile == MP_NO_PROFILE) {
		if (root_path(p, k->profile_key, &pre, &plen) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
	} else if (mp_store_reg_key_path(p->s, k->profile_key, &pre, &plen) != MAPIPROF_OK)
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

/* The edits of one plan key inside the file (regtext/patch.h); *tail = 1 when
 * it needs a new block at the end instead (done after every key's edits
 * inside, which decide how the file ends). */
static int
patch_key(struct patch *p, const struct mp_key_change *k, int *tail)
{
	const size_t *blocks = NULL;
	size_t nb = 0, nadd = 0;
	int rc = MAPIPROF_OK;
	uint8_t *add = calloc(k->nops + 1, 1);
	if (add == NULL)
		return mp_nomem(p->ctx);
	if (k->key != 0)
		mp_store_reg_key_blocks(p->s, k->key, &blocks, &nb);
	for (size_t j = 0; rc == MAPIPROF_OK && j < k->nops; j++) {
		const struct mp_value_change *op = &k->ops[j];
		const struct mp_reg_value *src =
		    k->key != 0 ? mp_store_reg_value_line(p->s, k->key, op->value_name) : NULL;
		if (op->del)
			rc = nb > 0 ? remove_value(p, k->key, op->value_name) : MAPIPROF_OK;
		else if (src != NULL)
			rc = replace_value(p, k, op, src);
		else {
			add[j] = 1;
			nadd++;
		}
	}
	*tail = nb == 0 && (nadd > 0 || k->key == 0);
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

/* The original with the edits in offset order; two edits of one line are
 * a plan error. */
static int
stitch(struct patch *p, struct mp_buf *out)
{
	const uint8_t *raw = p->f->raw;
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
		if (mp_buf_add(p->ctx, out, raw + pos, e->off - pos) != MAPIPROF_OK ||
		    (e->n > 0 &&
		     mp_buf_add(p->ctx, out, p->text.data + e->start, e->n) != MAPIPROF_OK))
			return MAPIPROF_FAILED;
		pos = e->off + e->len;
	}
	return mp_buf_add(p->ctx, out, raw + pos, p->f->rawlen - pos);
}

int
mp_reg_patch(struct mapiprof_ctx *ctx, struct mp_store *s, const struct mp_key_change *keys,
             size_t n, struct mp_buf *out)
{
	const struct mp_reg_file *f = mp_store_reg_file(s);
	if (f == NULL || (n > 0 && keys == NULL) || out == NULL) {
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
		rc = patch_key(&p, &keys[i], &t);
		tail[i] = (uint8_t)t;
	}
	for (size_t i = 0; rc == MAPIPROF_OK && i < n; i++)
		if (tail[i])
			rc = append_block(&p, &keys[i]);
	if (rc == MAPIPROF_OK)
		rc = stitch(&p, out);
	free(tail);
	free(p.e);
	mp_buf_free(&p.text);
	return rc;
}
