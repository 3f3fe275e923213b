/* relocate.c - mapiprof_plan_relocate: every PST and OST path of a
 * profile that lies under one folder moved under another, wherever the
 * profile holds it: the path properties PR_PST_PATH (0x6700, MSPST.h) and
 * PR_PROFILE_OFFLINE_STORE_PATH (0x6610, EdkMdb.h) in both string types,
 * and the paths inside PST store entry IDs (mapi/pst_entryid.h): a binary
 * value that is one (PR_ENTRYID 01020fff, the account manager's "Delivery
 * Store EntryID") or a PT_MV_BINARY value whose elements are (the store
 * MRU lists of the Outlook section, e.g. 1102039b in the public sample
 * NTUSER_BAGMRU.DAT).  Each value is rebuilt byte for byte in its layout,
 * so relocating back restores the original bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "base/utf16.h"
#include "mapi/decode.h"
#include "mapi/locate.h"
#include "mapi/pst_entryid.h"
#include "mapi/section.h"
#include "mapi/winpath.h"
#include "plan/plan.h"

#define PROP_ID_PST_PATH 0x6700u /* PR_PST_PATH (MSPST.h) */
#define PROP_ID_OST_PATH 0x6610u /* PR_PROFILE_OFFLINE_STORE_PATH (EdkMdb.h) */
/* Microsoft Learn, "Maximum Path Length Limitation": the ANSI file
 * functions take MAX_PATH (260) characters with the NUL; the Unicode ones
 * 32767. */
#define MAX_ANSI_PATH    259u
#define MAX_UNICODE_PATH 32766u

struct relocator {
	struct mapiprof_file *file;
	struct mapiprof_ctx *ctx;
	const char *codepage;
	const char *from, *to;
	size_t from_len, to_len;
	/* Where the value being looked at is, for messages. */
	const char *profile, *section, *value;
	/* Values left alone although an entry ID inside them names a path
	 * under from: how many, and the first (malloc'd). */
	size_t nembedded;
	char *first_embedded;
};

/* Records why the value cannot be relocated.  Returns -1. */
static int
value_error(const struct relocator *r, enum mapiprof_error code, const char *what,
            const char *detail)
{
	mp_seterr(r->ctx, code, "profile '%s', section %s, value %s: %s%s%s", r->profile,
	          r->section, r->value, what, detail != NULL && detail[0] != '\0' ? ": " : "",
	          detail != NULL ? detail : "");
	return -1;
}

/* *out: path moved (malloc'd) when it lies under from; 1, 0 or -1 (NOMEM). */
static int
move(struct relocator *r, const char *path, char **out)
{
	int rc = mp_winpath_move(path, r->from, r->from_len, r->to, r->to_len, out);
	if (rc < 0)
		mp_nomem(r->ctx);
	return rc;
}

/* 1 when bytes p[0..n) in the code page convert to utf8 and back to
 * themselves exactly (so a rewrite keeps the rest byte for byte). */
static int
cp_exact(struct relocator *r, const uint8_t *p, size_t n, const char *utf8)
{
	uint8_t *back = NULL;
	size_t blen = 0;
	if (mp_utf8_to_cp(r->ctx, r->codepage, utf8, strlen(utf8), &back, &blen) != MAPIPROF_OK) {
		mapiprof_clear_error(r->ctx);
		return 0;
	}
	int same = blen == n && (n == 0 || memcmp(back, p, n) == 0);
	free(back);
	return same;
}

/* The new path's encoded length against the limit of its form. */
static int
check_length(const struct relocator *r, const char *form, size_t units, size_t max,
             const char *path)
{
	if (units <= max)
		return 0;
	char detail[96];
	snprintf(detail, sizeof(detail), "%zu %s, more than %zu", units,
	         max == MAX_ANSI_PATH ? "bytes" : "UTF-16 code units", max);
	char *what = NULL;
	size_t n = strlen(path) + strlen(form) + 64;
	if ((what = malloc(n)) == NULL)
		return mp_nomem(r->ctx);
	snprintf(what, n, "the relocated %s path '%s' is too long", form, path);
	value_error(r, MAPIPROF_E_INVALID, what, detail);
	free(what);
	return -1;
}

/* A failed conversion of the new path to the code page, said of the value. */
static int
codepage_error(struct relocator *r, const char *path)
{
	char *detail = strdup(mapiprof_errmsg(r->ctx));
	size_t n = strlen(path) + strlen(r->codepage) + 96;
	char *what = malloc(n);
	if (what == NULL || detail == NULL) {
		free(detail);
		free(what);
		return mp_nomem(r->ctx);
	}
	snprintf(what, n,
	         "the relocated path '%s' cannot be written in code page %s (the ANSI form)", path,
	         r->codepage);
	value_error(r, MAPIPROF_E_CODEPAGE, what, detail);
	free(what);
	free(detail);
	return -1;
}

/* ---- path strings --------------------------------------------------------- */

/* A string value holding a path: UTF-16LE (REG_SZ, REG_EXPAND_SZ, or
 * REG_BINARY of a PT_UNICODE) or code-page bytes (REG_BINARY of a
 * PT_STRING8), up to its first NUL; what follows is kept as it is. */
static int
relocate_string(struct relocator *r, const struct mapiprof_prop *pr, int ansi, uint8_t **out,
                size_t *outlen)
{
	int utf16 = pr->reg_type == MP_REG_SZ || pr->reg_type == MP_REG_EXPAND_SZ ||
	            (pr->reg_type == MP_REG_BINARY && !ansi);
	if (!utf16 && pr->reg_type != MP_REG_BINARY)
		return 0;
	size_t unit = utf16 ? 2 : 1, end = 0;
	while (pr->len - end >= unit &&
	       !(pr->data[end] == 0 && (unit == 1 || pr->data[end + 1] == 0)))
		end += unit;
	if (pr->len - end < unit)
		end = pr->len - (pr->len % unit);
	char *text = NULL, *moved = NULL;
	size_t n = 0;
	int lossy = 0, rc;
	rc = utf16 ? mp_utf16le_to_utf8(r->ctx, pr->data, end, &text, &n, &lossy)
	           : mp_cp_to_utf8(r->ctx, r->codepage, pr->data, end, &text, &n, &lossy);
	if (rc != MAPIPROF_OK)
		return -1;
	rc = strlen(text) == n ? move(r, text, &moved) : 0;
	if (rc == 1 && (lossy || (!utf16 && !cp_exact(r, pr->data, end, text))))
		rc = value_error(r, MAPIPROF_E_FORMAT,
		                 "the stored path does not convert exactly to text, so it is not "
		                 "rewritten",
		                 utf16 ? "invalid UTF-16" : r->codepage);
	uint8_t *enc = NULL;
	size_t elen = 0;
	if (rc == 1) {
		int erc =
		    utf16 ? mp_utf8_to_utf16le(r->ctx, moved, strlen(moved), &enc, &elen)
		          : mp_utf8_to_cp(r->ctx, r->codepage, moved, strlen(moved), &enc, &elen);
		if (erc != MAPIPROF_OK)
			rc = utf16 ? -1 : codepage_error(r, moved);
	}
	if (rc == 1) {
		/* A PT_STRING8 is ANSI however it is stored. */
		if (ansi)
			rc = check_length(r, "ANSI", utf16 ? elen / 2 : elen, MAX_ANSI_PATH,
			                  moved) == 0;
		else
			rc = check_length(r, "Unicode", elen / 2, MAX_UNICODE_PATH, moved) == 0;
		rc = rc == 1 ? 1 : -1;
	}
	if (rc == 1) {
		*outlen = elen + (pr->len - end);
		if ((*out = malloc(*outlen ? *outlen : 1)) == NULL) {
			rc = mp_nomem(r->ctx);
		} else {
			if (elen > 0)
				memcpy(*out, enc, elen);
			if (pr->len > end)
				memcpy(*out + elen, pr->data + end, pr->len - end);
		}
	}
	free(enc);
	free(text);
	free(moved);
	return rc;
}

/* ---- entry IDs -------------------------------------------------------------- */

/* One blob that may be a PST store entry ID: 1 with *out (malloc'd) when a
 * path in it moved, 0 when it is none or nothing moved, -1 on error. */
static int
relocate_entryid(struct relocator *r, const uint8_t *p, size_t len, uint8_t **out, size_t *outlen)
{
	struct mp_pst_entryid e;
	if (!mp_pst_entryid_parse(p, len, &e))
		return 0;
	char *ansi = NULL, *uni = NULL, *na = NULL, *nu = NULL;
	int lossy = 0;
	if (mp_pst_entryid_paths(r->ctx, r->codepage, p, &e, &ansi, &uni, &lossy) != MAPIPROF_OK)
		return -1;
	int ra = e.ansi_len > 0 && strlen(ansi) > 0 ? move(r, ansi, &na) : 0;
	int ru = ra >= 0 && uni != NULL ? move(r, uni, &nu) : 0;
	int rc = ra < 0 || ru < 0 ? -1 : (ra || ru);
	if (rc == 1 && (lossy || (ra && !cp_exact(r, p + e.ansi, e.ansi_len, ansi))))
		rc =
		    value_error(r, MAPIPROF_E_FORMAT,
		                "a path in the store entry ID does not convert exactly to text, so "
		                "it is not rewritten",
		                NULL);
	if (rc == 1 && mp_pst_entryid_build(r->ctx, r->codepage, p, len, &e, na, nu, out, outlen) !=
	                   MAPIPROF_OK)
		rc = mapiprof_errcode(r->ctx) == MAPIPROF_E_CODEPAGE ? codepage_error(r, na) : -1;
	if (rc == 1) {
		struct mp_pst_entryid ne;
		mp_pst_entryid_parse(*out, *outlen, &ne);
		if (check_length(r, "ANSI", ne.ansi_len, MAX_ANSI_PATH, na != NULL ? na : ansi) !=
		        0 ||
		    check_length(r, "Unicode", ne.unicode_len / 2, MAX_UNICODE_PATH,
		                 nu != NULL ? nu : (uni != NULL ? uni : "")) != 0) {
			free(*out);
			*out = NULL;
			rc = -1;
		}
	}
	free(ansi);
	free(uni);
	free(na);
	free(nu);
	return rc;
}

/* Element i of a PT_MV_BINARY in offset order, for the rebuild. */
struct element {
	size_t off, len;
	uint8_t *data; /* new bytes (malloc'd), or NULL: unchanged */
	size_t nlen;
};

static int
by_offset(const void *a, const void *b)
{
	const struct element *x = *(const struct element *const *)a;
	const struct element *y = *(const struct element *const *)b;
	return x->off < y->off ? -1 : x->off > y->off;
}

/* The PT_MV_BINARY rebuilt: its descriptor table with new lengths and
 * offsets in the width it had (decode.c), the elements in the order they
 * lay, and every byte between and after them as it was. */
static int
mv_rebuild(struct relocator *r, const struct mapiprof_prop *pr, struct element *el, uint8_t **out,
           size_t *outlen)
{
	size_t count = pr->count, width = (size_t)pr->mv_offset_width;
	size_t hdr = 4 + 2 * width * count;
	struct element **order = malloc(count * sizeof(*order));
	if (order == NULL)
		return mp_nomem(r->ctx);
	size_t total = pr->len;
	for (size_t i = 0; i < count; i++) {
		order[i] = &el[i];
		total = total - el[i].len + (el[i].data != NULL ? el[i].nlen : el[i].len);
	}
	qsort(order, count, sizeof(*order), by_offset);
	for (size_t i = 0; i + 1 < count; i++) {
		if (order[i]->off + order[i]->len > order[i + 1]->off) {
			free(order);
			return value_error(r, MAPIPROF_E_FORMAT,
			                   "its elements overlap, so it cannot be rebuilt", NULL);
		}
	}
	uint8_t *b = malloc(total ? total : 1);
	if (b == NULL) {
		free(order);
		return mp_nomem(r->ctx);
	}
	memcpy(b, pr->data, hdr);
	size_t at = hdr, prev = hdr;
	for (size_t i = 0; i < count; i++) {
		struct element *e = order[i];
		memcpy(b + at, pr->data + prev, e->off - prev);
		at += e->off - prev;
		size_t n = e->data != NULL ? e->nlen : e->len;
		const uint8_t *src = e->data != NULL ? e->data : pr->data + e->off;
		if (n > 0)
			memcpy(b + at, src, n);
		size_t idx = (size_t)(e - el);
		uint8_t *d = b + 4 + 2 * width * idx;
		if (width == 8) {
			mp_put_le64(d, n);
			mp_put_le64(d + 8, at);
		} else {
			mp_put_le32(d, (uint32_t)n);
			mp_put_le32(d + 4, (uint32_t)at);
		}
		at += n;
		prev = e->off + e->len;
	}
	memcpy(b + at, pr->data + prev, pr->len - prev);
	free(order);
	*out = b;
	*outlen = total;
	return 1;
}

static int
relocate_mv(struct relocator *r, const struct mapiprof_prop *pr, uint8_t **out, size_t *outlen)
{
	if (pr->kind != MAPIPROF_V_MV_BINARY || pr->count == 0)
		return 0;
	struct element *el = calloc(pr->count, sizeof(*el));
	if (el == NULL)
		return mp_nomem(r->ctx);
	int rc = 0;
	for (size_t i = 0; i < pr->count && rc >= 0; i++) {
		el[i].off = (size_t)(pr->blobs[i].data - pr->data);
		el[i].len = pr->blobs[i].len;
		int one = relocate_entryid(r, pr->blobs[i].data, pr->blobs[i].len, &el[i].data,
		                           &el[i].nlen);
		rc = one < 0 ? -1 : (rc || one);
	}
	/* A value too large for 32-bit offsets stays as it is. */
	if (rc == 1 && pr->mv_offset_width == 4 && pr->len > UINT32_MAX / 2)
		rc = 0;
	if (rc == 1)
		rc = mv_rebuild(r, pr, el, out, outlen);
	for (size_t i = 0; i < pr->count; i++)
		free(el[i].data);
	free(el);
	return rc;
}

/* 1 when a PST store entry ID embedded in p[0..len) names a path under
 * from (its ANSI or Unicode path), 0 when none does, -1 on error. */
static int
embedded_under(struct relocator *r, const uint8_t *p, size_t len)
{
	struct mp_pst_entryid e;
	for (size_t at = mp_pst_entryid_next(p, len, 0, &e); at < len;
	     at = mp_pst_entryid_next(p, len, at + 1, &e)) {
		char *ansi = NULL, *uni = NULL, *m1 = NULL, *m2 = NULL;
		int lossy = 0;
		if (mp_pst_entryid_paths(r->ctx, r->codepage, p + at, &e, &ansi, &uni, &lossy) !=
		    MAPIPROF_OK)
			return -1;
		int a = move(r, ansi, &m1);
		int u = a >= 0 && uni != NULL ? move(r, uni, &m2) : 0;
		free(ansi);
		free(uni);
		free(m1);
		free(m2);
		if (a < 0 || u < 0)
			return -1;
		if (a || u)
			return 1;
	}
	return 0;
}

/* Counts a binary value relocate leaves alone although a store entry ID
 * inside it names a path under from. */
static int
note_embedded(struct relocator *r, const struct mapiprof_prop *pr)
{
	if (pr->reg_type != MP_REG_BINARY)
		return 0;
	int rc = embedded_under(r, pr->data, pr->len);
	if (rc <= 0)
		return rc;
	if (r->nembedded++ == 0) {
		size_t n = strlen(r->profile) + strlen(r->section) + strlen(r->value) + 64;
		if ((r->first_embedded = malloc(n)) == NULL)
			return mp_nomem(r->ctx);
		snprintf(r->first_embedded, n, "profile '%s', section %s, value %s", r->profile,
		         r->section, r->value);
	}
	return 0;
}

/* The value's new bytes when a path in it moves: 1 (*out malloc'd), 0, -1. */
static int
relocate_value(struct relocator *r, const struct mapiprof_prop *pr, uint8_t **out, size_t *outlen)
{
	*out = NULL;
	*outlen = 0;
	if (pr->secure)
		return 0;
	if (!pr->is_tag)
		return pr->reg_type == MP_REG_BINARY
		           ? relocate_entryid(r, pr->data, pr->len, out, outlen)
		           : 0;
	uint32_t id = pr->tag >> 16, type = pr->tag & 0xFFFFu;
	if ((id == PROP_ID_PST_PATH || id == PROP_ID_OST_PATH) &&
	    (type == MP_PT_STRING8 || type == MP_PT_UNICODE))
		return relocate_string(r, pr, type == MP_PT_STRING8, out, outlen);
	if (type == MP_PT_BINARY && pr->reg_type == MP_REG_BINARY)
		return relocate_entryid(r, pr->data, pr->len, out, outlen);
	if (type == MP_PT_MV_BINARY && pr->reg_type == MP_REG_BINARY)
		return relocate_mv(r, pr, out, outlen);
	return 0;
}

/* ---- the plan ---------------------------------------------------------------- */

struct builder {
	struct relocator r;
	struct mapiprof_plan *plan;
	struct mp_key_change *keys; /* malloc'd; moved into the plan's arena */
	size_t nkeys, kcap;
	struct mapiprof_change *changes; /* likewise */
	size_t nchanges, ccap;
	const char *edit;
};

static int
decode(struct builder *b, size_t p, size_t s, const struct mapiprof_prop *pr, const uint8_t *data,
       size_t len, const struct mapiprof_prop **out)
{
	struct mp_scope scope;
	struct mp_arena *a = &b->plan->arena;
	mp_section_scope(&b->r.file->profiles[p].sections, s, &scope);
	struct mapiprof_prop *d = mp_arena_calloc(a, 1, sizeof(*d));
	if (d == NULL || mp_decode_value(b->r.ctx, a, &scope, b->r.codepage, pr->value_name,
	                                 pr->reg_type, data, len, d) != MAPIPROF_OK)
		return mp_nomem(b->r.ctx);
	*out = d;
	return MAPIPROF_OK;
}

/* Adds the change of one value of section s of profile p, its op in that
 * section's key (the last key when it is this section's). */
static int
add_change(struct builder *b, size_t p, size_t s, const struct mapiprof_prop *pr,
           const uint8_t *data, size_t len)
{
	struct mp_arena *a = &b->plan->arena;
	const struct mp_profile *prof = &b->r.file->profiles[p];
	const struct mp_section *sec = &prof->sections.v[s];
	if (b->nkeys == 0 || b->keys[b->nkeys - 1].key != sec->key ||
	    b->keys[b->nkeys - 1].profile != p) {
		if (b->nkeys == b->kcap) {
			size_t cap = b->kcap ? b->kcap * 2 : 8;
			struct mp_key_change *v = realloc(b->keys, cap * sizeof(*v));
			if (v == NULL)
				return mp_nomem(b->r.ctx);
			b->keys = v;
			b->kcap = cap;
		}
		struct mp_key_change *k = &b->keys[b->nkeys++];
		memset(k, 0, sizeof(*k));
		k->profile = p;
		k->profile_key = prof->key;
		k->key = sec->key;
		k->uid = mp_arena_strdup(a, sec->pub.uid);
		if (k->uid == NULL)
			return mp_nomem(b->r.ctx);
	}
	struct mp_key_change *k = &b->keys[b->nkeys - 1];
	struct mp_value_change *ops = mp_arena_calloc(a, k->nops + 1, sizeof(*ops));
	if (ops == NULL)
		return mp_nomem(b->r.ctx);
	if (k->nops > 0)
		memcpy(ops, k->ops, k->nops * sizeof(*ops));
	struct mp_value_change *op = &ops[k->nops];
	op->value_name = mp_arena_strdup(a, pr->value_name);
	op->reg_type = pr->reg_type;
	op->data = mp_arena_memdup(a, len > 0 ? data : (const uint8_t *)"", len);
	op->len = len;
	k->ops = ops;
	k->nops++;
	if (b->nchanges == b->ccap) {
		size_t cap = b->ccap ? b->ccap * 2 : 8;
		struct mapiprof_change *v = realloc(b->changes, cap * sizeof(*v));
		if (v == NULL)
			return mp_nomem(b->r.ctx);
		b->changes = v;
		b->ccap = cap;
	}
	struct mapiprof_change *c = &b->changes[b->nchanges++];
	memset(c, 0, sizeof(*c));
	c->profile = p;
	c->profile_name = mp_arena_strdup(a, prof->pub.name);
	c->section = k->uid;
	c->role = sec->pub.role;
	c->edit = b->edit;
	c->value_name = op->value_name;
	c->tag = pr->is_tag ? pr->tag : 0;
	c->prop_name = pr->name != NULL ? mp_arena_strdup(a, pr->name) : NULL;
	c->kind = MAPIPROF_CHANGE_PROP;
	c->key = mp_arena_printf(a, "%s\\%s\\%s", prof->pub.root, prof->pub.name, sec->pub.uid);
	if (op->data == NULL || op->value_name == NULL || c->profile_name == NULL ||
	    (pr->name != NULL && c->prop_name == NULL) || c->key == NULL)
		return mp_nomem(b->r.ctx);
	if (decode(b, p, s, pr, pr->data, pr->len, &c->before) != MAPIPROF_OK ||
	    decode(b, p, s, pr, data, len, &c->after) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return MAPIPROF_OK;
}

static int
plan_profile(struct builder *b, size_t p)
{
	const struct mp_profile *prof = &b->r.file->profiles[p];
	b->r.profile = prof->pub.name;
	for (size_t s = 0; s < prof->sections.n; s++) {
		const struct mapiprof_prop *props = NULL;
		size_t n = 0;
		if (mapiprof_section_props(b->r.file, p, s, &props, &n) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		b->r.section = prof->sections.v[s].pub.uid;
		for (size_t i = 0; i < n; i++) {
			uint8_t *data = NULL;
			size_t len = 0;
			b->r.value = props[i].value_name;
			int rc = relocate_value(&b->r, &props[i], &data, &len);
			if (rc == 0 && !props[i].secure)
				rc = note_embedded(&b->r, &props[i]);
			if (rc == 1 &&
			    (len != props[i].len || memcmp(data, props[i].data, len) != 0))
				rc = add_change(b, p, s, &props[i], data, len) == MAPIPROF_OK ? 1
				                                                              : -1;
			free(data);
			if (rc < 0)
				return MAPIPROF_FAILED;
		}
	}
	return MAPIPROF_OK;
}

/* Moves the arrays into the plan's arena. */
static int
finish(struct builder *b)
{
	struct mapiprof_plan *plan = b->plan;
	plan->keys = mp_arena_calloc(&plan->arena, b->nkeys + 1, sizeof(*plan->keys));
	plan->changes = mp_arena_calloc(&plan->arena, b->nchanges + 1, sizeof(*plan->changes));
	if (plan->keys == NULL || plan->changes == NULL)
		return mp_nomem(b->r.ctx);
	if (b->nkeys > 0)
		memcpy(plan->keys, b->keys, b->nkeys * sizeof(*b->keys));
	if (b->nchanges > 0)
		memcpy(plan->changes, b->changes, b->nchanges * sizeof(*b->changes));
	plan->nkeys = b->nkeys;
	plan->nchanges = b->nchanges;
	return MAPIPROF_OK;
}

/* Why s (FROM when is_from, else TO) is not a path relocate takes, or
 * NULL. */
static const char *
path_invalid(const char *s, int is_from)
{
	static const char *const why[][2] = {
	    {"TO is empty", "FROM is empty"},
	    {"TO is only '\\'", "FROM is only '\\'"},
	    {"TO is longer than 32766 characters", "FROM is longer than 32766 characters"},
	    {"TO holds a control character", "FROM holds a control character"},
	    {"TO is not valid UTF-8", "FROM is not valid UTF-8"},
	};
	int k = -1;
	if (s == NULL || s[0] == '\0')
		k = 0;
	else if (strspn(s, "\\") == strlen(s))
		k = 1;
	else if (strlen(s) > 4 * MAX_UNICODE_PATH)
		k = 2;
	for (const unsigned char *p = (const unsigned char *)s; k < 0 && *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7F)
			k = 3;
	if (k < 0) {
		uint8_t *u16 = NULL;
		size_t n = 0;
		if (mp_utf8_to_utf16le(NULL, s, strlen(s), &u16, &n) != MAPIPROF_OK)
			k = 4;
		free(u16);
	}
	return k < 0 ? NULL : why[k][is_from];
}

int
mapiprof_relocate_valid(const char *from, const char *to, const char **why)
{
	const char *w = path_invalid(from, 1);
	if (w == NULL)
		w = path_invalid(to, 0);
	if (why != NULL)
		*why = w;
	return w == NULL;
}

int
mapiprof_plan_relocate(struct mapiprof_file *file, const size_t *profiles, size_t nprofiles,
                       const char *from, const char *to, struct mapiprof_plan **out)
{
	const char *why = NULL;
	if (out != NULL)
		*out = NULL;
	if (file == NULL || out == NULL)
		return MAPIPROF_FAILED;
	if (!mapiprof_relocate_valid(from, to, &why)) {
		mp_seterr(file->ctx, MAPIPROF_E_INVALID, "relocate: %s", why);
		mp_seterr_file(file->ctx, NULL);
		return MAPIPROF_FAILED;
	}
	for (size_t i = 0; profiles != NULL && i < nprofiles; i++) {
		if (profiles[i] >= file->nprofiles) {
			mp_seterr(file->ctx, MAPIPROF_E_INVALID, "no profile %zu", profiles[i]);
			mp_seterr_file(file->ctx, NULL);
			return MAPIPROF_FAILED;
		}
	}
	struct builder b = {0};
	mapiprof_clear_note(file->ctx);
	b.r = (struct relocator){.file = file,
	                         .ctx = file->ctx,
	                         .codepage = file->ctx->codepage,
	                         .from = from,
	                         .to = to,
	                         .from_len = mp_winpath_trim(from),
	                         .to_len = mp_winpath_trim(to)};
	int rc = MAPIPROF_FAILED;
	if ((b.plan = calloc(1, sizeof(*b.plan))) == NULL) {
		mp_nomem(file->ctx);
		goto out;
	}
	if ((b.edit = mp_arena_printf(&b.plan->arena, "relocate %s %s", from, to)) == NULL) {
		mp_nomem(file->ctx);
		goto out;
	}
	if (profiles == NULL)
		nprofiles = file->nprofiles;
	for (size_t i = 0; i < nprofiles; i++) {
		size_t p = profiles != NULL ? profiles[i] : i;
		int seen = 0;
		for (size_t j = 0; profiles != NULL && j < i; j++)
			seen |= profiles[j] == p;
		if (!seen && plan_profile(&b, p) != MAPIPROF_OK)
			goto out;
	}
	rc = finish(&b);
	if (rc == MAPIPROF_OK && b.r.nembedded > 0) {
		mp_setnote(
		    file->ctx,
		    "%s holds a PST store entry ID with a path under %s inside a structure "
		    "relocate does not rewrite (its lengths are not documented): left as it is",
		    b.r.first_embedded, from);
		if (b.r.nembedded > 1)
			mp_addnote(file->ctx, "and %zu more value%s", b.r.nembedded - 1,
			           b.r.nembedded > 2 ? "s" : "");
	}
out:
	free(b.r.first_embedded);
	free(b.keys);
	free(b.changes);
	if (rc != MAPIPROF_OK) {
		mp_seterr_file(file->ctx, file->path);
		mapiprof_plan_free(b.plan);
		return rc;
	}
	*out = b.plan;
	return MAPIPROF_OK;
}
