/* lazy.c - the read-only store that reads cells on demand (lazy.h).
 *
 * Each op reads what it needs through regf/cells.c and regf/subkeys.c
 * (every offset checked against the hive bins, every count against its
 * cell and the caps of base/limits.h) and answers as hivex's calls behind
 * store/hive.c do (hivex lib/node.c, lib/value.c): where hivex gives a
 * default (an undecodable or overlong name, a bad timestamp) so does this;
 * where it fails, this fails with the same error code.  An op that meets a
 * structure the cell readers leave alone (MP_CELLS_UNUSUAL) is asked of
 * hivex instead, whole.
 *
 * Cell layouts: M. Suhanov, "Windows registry file format specification",
 * sections "Key node", "Subkeys list", "Key values list", "Key value". */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "base/limits.h"
#include "base/platform.h"
#include "base/utf16.h"
#include "regf/base_block.h"
#include "regf/cells.h"
#include "regf/hivex_decides.h"
#include "regf/lazy.h"
#include "regf/subkeys.h"

/* The root cell's offset in the base block (regf spec "Base block"). */
#define BB_ROOT 0x024u
/* What the cell readers put before a message when given no uid
 * (mp_regf_cells_bad); replaced here by the key's path. */
#define CELLS_PREFIX "section '?': "
/* Bytes of a cell read to check its signature. */
#define SIG_HDR 8u

struct lazy {
	struct mp_store base; /* first: a struct mp_store * is a struct lazy * */
	/* Reads that record their failure in the context, and the same reads
	 * recording nothing (where hivex answers a failure with a default). */
	struct mp_regf_cells c, quiet;
	int fd;
	struct mp_readcache *cache; /* of fd, shared by c and quiet */
	mp_key root;
	/* hivex on the same file, opened at the first structure read through
	 * it; NULL until then. */
	struct mp_store *hx;
};

static _Atomic unsigned long fallbacks;

unsigned long
mp_regf_lazy_fallbacks(void)
{
	return atomic_load(&fallbacks);
}

/* ---- cells -------------------------------------------------------------- */

/* Reads the fixed part of the nk cell of key (a file offset) into hdr: an
 * allocated cell holding it, signed "nk". */
static int
read_nk(const struct mp_regf_cells *c, mp_key key, uint8_t hdr[MP_NK_HDR], uint32_t *cell)
{
	if (key < MP_REGF_BASE_BLOCK || key - MP_REGF_BASE_BLOCK >= c->bins) {
		mp_seterr(c->ctx, MAPIPROF_E_FORMAT, "key handle 0x%llx is outside the hive bins",
		          (unsigned long long)key);
		return MAPIPROF_FAILED;
	}
	uint32_t rel = (uint32_t)(key - MP_REGF_BASE_BLOCK);
	int rc = mp_regf_cells_read(c, NULL, "nk cell", rel, hdr, MP_NK_HDR, cell);
	if (rc == MAPIPROF_OK && memcmp(hdr + 4, "nk", 2) != 0)
		return mp_regf_cells_bad(c, NULL, "no 'nk' signature", rel);
	return rc;
}

/* U+FFFD then "#<handle hex>": the name store/hive.c gives a key or value
 * whose name hivex cannot return. */
static int
substitute_name(struct lazy *s, uint64_t handle, char **out)
{
	char buf[40];
	snprintf(buf, sizeof(buf), "\xEF\xBF\xBD#%llx", (unsigned long long)handle);
	*out = strdup(buf);
	return *out != NULL ? MAPIPROF_OK : mp_nomem(s->base.ctx);
}

/* Decodes the name of len bytes at file offset at as hivex does: Latin-1
 * when comp, else UTF-16LE (hivex lib/utf16.c, iconv).  A name that does
 * not fit its cell (hivex: EFAULT), cannot be read or does not decode
 * gets substitute_name(handle). */
static int
decode_name(struct lazy *s, uint64_t handle, uint64_t at, uint32_t len, int fits, int comp,
            char **out)
{
	*out = NULL;
	if (!fits)
		return substitute_name(s, handle, out);
	uint8_t *raw = malloc(len > 0 ? len : 1u);
	if (raw == NULL)
		return mp_nomem(s->base.ctx);
	if (len > 0 && mp_regf_cells_pread(&s->quiet, raw, len, at) != MAPIPROF_OK) {
		free(raw);
		return substitute_name(s, handle, out);
	}
	size_t n = 0;
	int lossy = 0, rc;
	if (comp)
		rc = mp_cp_to_utf8(s->base.ctx, "LATIN1", raw, len, out, &n, &lossy);
	else
		rc = mp_utf16le_to_utf8(s->base.ctx, raw, len, out, &n, &lossy);
	free(raw);
	if (rc != MAPIPROF_OK)
		return rc;
	if (lossy) {
		free(*out);
		return substitute_name(s, handle, out);
	}
	return MAPIPROF_OK;
}

/* The name of the key whose nk header is hdr (cell bytes long). */
static int
nk_name(struct lazy *s, mp_key key, const uint8_t *hdr, uint32_t cell, char **out)
{
	uint32_t len = mp_le16(hdr + MP_NK_NAMELEN);
	return decode_name(s, key, key + MP_NK_HDR, len, MP_NK_HDR + len <= cell,
	                   (mp_le16(hdr + MP_NK_FLAGS) & MP_NK_COMP_NAME) != 0, out);
}

/* ---- errors ------------------------------------------------------------- */

/* The structure error just recorded, without the cell readers' prefix,
 * into buf. */
static void
cells_what(const struct mapiprof_ctx *ctx, char *buf, size_t size)
{
	const char *m = ctx->msg;
	if (strncmp(m, CELLS_PREFIX, strlen(CELLS_PREFIX)) == 0)
		m += strlen(CELLS_PREFIX);
	snprintf(buf, size, "%s", m);
}

/* Prepends the name of each key from node up to the root to *path;
 * "..." where a parent cannot be followed. */
static char *
key_path(struct lazy *s, mp_key key)
{
	if (key == s->root)
		return strdup("(root)");
	char *path = strdup("");
	mp_key node = key;
	for (unsigned depth = 0; path != NULL && node != s->root; depth++) {
		uint8_t hdr[MP_NK_HDR];
		uint32_t cell = 0;
		char *name = NULL;
		int ok =
		    depth < MP_MAX_KEY_DEPTH && read_nk(&s->quiet, node, hdr, &cell) == MAPIPROF_OK;
		if (ok && nk_name(s, node, hdr, cell, &name) != MAPIPROF_OK)
			name = NULL;
		if (!ok && (name = strdup("...")) == NULL) {
			free(path);
			return NULL;
		}
		size_t n = (name != NULL ? strlen(name) : 1u) + strlen(path) + 2;
		char *p = malloc(n);
		if (p != NULL)
			snprintf(p, n, "%s%s%s", name != NULL ? name : "?",
			         path[0] != '\0' ? "\\" : "", path);
		free(name);
		free(path);
		path = p;
		if (!ok)
			break;
		node = (mp_key)mp_le32(hdr + MP_NK_PARENT) + MP_REGF_BASE_BLOCK;
	}
	return path;
}

/* Puts "key 'PATH': " before the structure error just recorded about key
 * (the cell readers' own prefix dropped).  Passes any other outcome on. */
static int
key_fail(struct lazy *s, mp_key key, int rc)
{
	struct mapiprof_ctx *ctx = s->base.ctx;
	if (rc != MAPIPROF_FAILED || ctx == NULL ||
	    (ctx->code != MAPIPROF_E_FORMAT && ctx->code != MAPIPROF_E_LIMIT))
		return rc;
	char what[sizeof(ctx->msg)];
	cells_what(ctx, what, sizeof(what));
	enum mapiprof_error code = ctx->code;
	char *path = key_path(s, key);
	mp_seterr(ctx, code, "key '%.200s': %s", path != NULL ? path : "?", what);
	free(path);
	return MAPIPROF_FAILED;
}

/* hivex's store on the same file, opened the first time; a failure says
 * why hivex was needed. */
static int
hivex_store(struct lazy *s, mp_key key, struct mp_store **out)
{
	if (s->hx == NULL) {
		atomic_fetch_add(&fallbacks, 1u);
		if (mp_store_hive_open(s->base.ctx, s->base.path, 0, &s->hx) != MAPIPROF_OK) {
			struct mapiprof_ctx *ctx = s->base.ctx;
			char why[sizeof(ctx->msg)];
			snprintf(why, sizeof(why), "%s", ctx->msg);
			enum mapiprof_error code = ctx->code;
			char *path = key_path(s, key);
			mp_seterr(
			    ctx, code,
			    "key '%.200s' holds big data, a 4-aligned cell or an unusual subkey "
			    "list, read through hivex, which refuses the file: %s",
			    path != NULL ? path : "?", why);
			free(path);
			return MAPIPROF_FAILED;
		}
	}
	*out = s->hx;
	return MAPIPROF_OK;
}

/* ---- children ----------------------------------------------------------- */

/* Checks that each of n subkey offsets is an allocated cell signed "nk"
 * (hivex lib/node.c check_child_is_nk_block) and writes their handles. */
static int
check_children(struct lazy *s, const uint32_t *nk, uint32_t n, mp_key *out)
{
	for (uint32_t i = 0; i < n; i++) {
		uint8_t h[SIG_HDR];
		uint32_t cell = 0;
		int rc =
		    mp_regf_cells_read(&s->c, NULL, "subkey's nk cell", nk[i], h, SIG_HDR, &cell);
		if (rc != MAPIPROF_OK)
			return rc;
		if (memcmp(h + 4, "nk", 2) != 0)
			return mp_regf_cells_bad(&s->c, NULL, "subkey is not an nk cell", nk[i]);
		out[i] = (mp_key)nk[i] + MP_REGF_BASE_BLOCK;
	}
	return MAPIPROF_OK;
}

static int
fast_children(struct lazy *s, mp_key key, mp_key **out, size_t *n)
{
	uint8_t hdr[MP_NK_HDR];
	uint32_t cell = 0;
	int rc = read_nk(&s->c, key, hdr, &cell);
	if (rc != MAPIPROF_OK)
		return rc;
	uint32_t nsub = mp_le32(hdr + MP_NK_NSUB);
	if (nsub > MP_MAX_SUBKEYS_PER_KEY) {
		mp_seterr(s->base.ctx, MAPIPROF_E_LIMIT, "%u subkeys exceed the cap of %u",
		          (unsigned)nsub, MP_MAX_SUBKEYS_PER_KEY);
		return MAPIPROF_FAILED;
	}
	mp_key *arr = malloc((nsub > 0 ? nsub : 1u) * sizeof(*arr));
	if (arr == NULL)
		return mp_nomem(s->base.ctx);
	struct mp_arena a = {0};
	struct mp_regf_subkeys sk;
	rc = mp_regf_subkeys_read(&s->c, NULL, nsub, mp_le32(hdr + MP_NK_SUBLIST), &a, &sk);
	if (rc == MAPIPROF_OK)
		rc = check_children(s, sk.nk, sk.n, arr);
	mp_arena_free(&a);
	if (rc != MAPIPROF_OK) {
		free(arr);
		return rc;
	}
	*out = arr;
	*n = nsub;
	return MAPIPROF_OK;
}

/* ---- values ------------------------------------------------------------- */

/* The data of the value whose vk header is h into v (len bytes): inline,
 * or in a data cell that holds it (hivex lib/value.c hivex_value_value,
 * which checks the data cell even for no bytes); a too small cell that is
 * big data is MP_CELLS_UNUSUAL. */
static int
value_data(struct lazy *s, uint32_t rel, const uint8_t *h, uint32_t len, struct mp_value *v)
{
	int is_inline = (mp_le32(h + MP_VK_DLEN) & MP_DATA_INLINE) != 0;
	if (is_inline && len > MP_INLINE_MAX)
		return mp_regf_cells_bad(&s->c, NULL, "inline data longer than 4 bytes in vk", rel);
	if ((v->data = malloc(len > 0 ? len : 1u)) == NULL)
		return mp_nomem(s->base.ctx);
	v->len = len;
	if (is_inline) {
		memcpy(v->data, h + MP_VK_DOFF, len);
		return MAPIPROF_OK;
	}
	uint8_t head[SIG_HDR];
	uint32_t doff = mp_le32(h + MP_VK_DOFF), cell = 0;
	int rc = mp_regf_cells_read(&s->c, NULL, "data cell", doff, head, SIG_HDR, &cell);
	if (rc != MAPIPROF_OK)
		return rc;
	if (len > cell - 4u) {
		if (memcmp(head + 4, "db", 2) == 0)
			return MP_CELLS_UNUSUAL;
		return mp_regf_cells_bad(&s->c, NULL, "data cell smaller than the value's length",
		                         doff);
	}
	if (len == 0)
		return MAPIPROF_OK;
	return mp_regf_cells_pread(&s->c, v->data, len, (uint64_t)doff + MP_REGF_BASE_BLOCK + 4u);
}

/* Reads the value whose vk cell is at rel into v. */
static int
read_value(struct lazy *s, uint32_t rel, struct mp_value *v)
{
	uint8_t h[MP_VK_HDR];
	uint32_t cell = 0;
	int rc = mp_regf_cells_read(&s->c, NULL, "vk cell", rel, h, MP_VK_HDR, &cell);
	if (rc != MAPIPROF_OK)
		return rc;
	if (memcmp(h + 4, "vk", 2) != 0)
		return mp_regf_cells_bad(&s->c, NULL, "no 'vk' signature", rel);
	uint64_t at = (uint64_t)rel + MP_REGF_BASE_BLOCK;
	uint32_t name_len = mp_le16(h + MP_VK_NAMELEN);
	rc = decode_name(s, at, at + MP_VK_HDR, name_len, MP_VK_HDR + name_len <= cell,
	                 (mp_le16(h + MP_VK_FLAGS) & MP_VK_COMP_NAME) != 0, &v->name);
	if (rc != MAPIPROF_OK)
		return rc;
	v->type = mp_le32(h + MP_VK_TYPE);
	uint32_t len = mp_le32(h + MP_VK_DLEN) & ~MP_DATA_INLINE;
	if (len > MP_MAX_VALUE_LEN) {
		mp_seterr(s->base.ctx, MAPIPROF_E_LIMIT,
		          "value '%.200s': %u bytes exceed the cap of %u", v->name, (unsigned)len,
		          MP_MAX_VALUE_LEN);
		return MAPIPROF_FAILED;
	}
	return value_data(s, rel, h, len, v);
}

static int
fast_values(struct lazy *s, mp_key key, struct mp_value **out, size_t *n)
{
	struct mp_regf_nk nk;
	memset(&nk, 0, sizeof(nk));
	int rc = read_nk(&s->c, key, nk.hdr, &nk.cell);
	if (rc != MAPIPROF_OK)
		return rc;
	nk.rel = (uint32_t)(key - MP_REGF_BASE_BLOCK);
	nk.nvalues = mp_le32(nk.hdr + MP_NK_NVALUES);
	nk.vlist = mp_le32(nk.hdr + MP_NK_VLIST);
	if (nk.nvalues > MP_MAX_VALUES_PER_KEY) {
		mp_seterr(s->base.ctx, MAPIPROF_E_LIMIT, "%u values exceed the cap of %u",
		          (unsigned)nk.nvalues, MP_MAX_VALUES_PER_KEY);
		return MAPIPROF_FAILED;
	}
	struct mp_arena a = {0};
	uint32_t *list = NULL, list_cell = 0;
	rc = mp_regf_cells_vlist(&s->c, NULL, &nk, &a, &list, &list_cell);
	struct mp_value *vals = NULL;
	size_t done = 0;
	if (rc == MAPIPROF_OK &&
	    (vals = calloc(nk.nvalues > 0 ? nk.nvalues : 1u, sizeof(*vals))) == NULL)
		rc = mp_nomem(s->base.ctx);
	/* done counts a partly filled entry too, to be freed */
	for (; rc == MAPIPROF_OK && done < nk.nvalues; done++)
		rc = read_value(s, list[done], &vals[done]);
	mp_arena_free(&a);
	if (rc != MAPIPROF_OK) {
		mp_store_values_free(vals, done);
		return rc;
	}
	*out = vals;
	*n = nk.nvalues;
	return MAPIPROF_OK;
}

/* ---- the store ops ------------------------------------------------------ */

static int
op_root(struct mp_store *st, mp_key *out)
{
	struct lazy *s = (struct lazy *)st;
	if (s->hx != NULL && s->root == 0)
		return s->hx->ops->root(s->hx, out);
	*out = s->root;
	return MAPIPROF_OK;
}

static int
op_children(struct mp_store *st, mp_key key, mp_key **out, size_t *n)
{
	struct lazy *s = (struct lazy *)st;
	struct mp_store *h = NULL;
	*out = NULL;
	*n = 0;
	int rc = fast_children(s, key, out, n);
	if (rc == MP_CELLS_UNUSUAL)
		return hivex_store(s, key, &h) != MAPIPROF_OK ? MAPIPROF_FAILED
		                                              : h->ops->children(h, key, out, n);
	return key_fail(s, key, rc);
}

/* hivex_node_name fails on a cell that is no key, and store/hive.c names
 * such a key with substitute_name: so does this. */
static int
op_key_name(struct mp_store *st, mp_key key, char **out)
{
	struct lazy *s = (struct lazy *)st;
	struct mp_store *h = NULL;
	uint8_t hdr[MP_NK_HDR];
	uint32_t cell = 0;
	*out = NULL;
	int rc = read_nk(&s->quiet, key, hdr, &cell);
	if (rc == MP_CELLS_UNUSUAL)
		return hivex_store(s, key, &h) != MAPIPROF_OK ? MAPIPROF_FAILED
		                                              : h->ops->key_name(h, key, out);
	if (rc != MAPIPROF_OK)
		return substitute_name(s, key, out);
	return nk_name(s, key, hdr, cell, out);
}

/* A timestamp hivex cannot give (no key there, a negative one) is 0, as
 * store/hive.c makes it. */
static int
op_key_mtime(struct mp_store *st, mp_key key, int64_t *out)
{
	struct lazy *s = (struct lazy *)st;
	struct mp_store *h = NULL;
	uint8_t hdr[MP_NK_HDR];
	uint32_t cell = 0;
	*out = 0;
	int rc = read_nk(&s->quiet, key, hdr, &cell);
	if (rc == MP_CELLS_UNUSUAL)
		return hivex_store(s, key, &h) != MAPIPROF_OK ? MAPIPROF_FAILED
		                                              : h->ops->key_mtime(h, key, out);
	int64_t t = rc == MAPIPROF_OK ? (int64_t)mp_le64(hdr + MP_NK_TIME) : 0;
	*out = t > 0 ? t : 0;
	return MAPIPROF_OK;
}

static int
op_values(struct mp_store *st, mp_key key, struct mp_value **out, size_t *n)
{
	struct lazy *s = (struct lazy *)st;
	struct mp_store *h = NULL;
	*out = NULL;
	*n = 0;
	int rc = fast_values(s, key, out, n);
	if (rc == MP_CELLS_UNUSUAL)
		return hivex_store(s, key, &h) != MAPIPROF_OK ? MAPIPROF_FAILED
		                                              : h->ops->values(h, key, out, n);
	return key_fail(s, key, rc);
}

static void
op_close(struct mp_store *st)
{
	struct lazy *s = (struct lazy *)st;
	mp_store_close(s->hx);
	mp_readcache_free(s->cache);
	mp_close(s->fd);
	free(s->base.path);
	free(s);
}

static const struct mp_store_ops lazy_ops = {
    .format = "regf",
    .root = op_root,
    .children = op_children,
    .key_name = op_key_name,
    .key_mtime = op_key_mtime,
    .values = op_values,
    .add_child = NULL,
    .delete_key = NULL,
    .set_values = NULL,
    .write_to = NULL,
    .close = op_close,
};

/* The first hbin, where the root key lies, checked as hivex_open checks
 * every bin (regf/cells.h mp_regf_cells_bin): a hive whose first bin is
 * damaged is refused as before.  The check is stricter than hivex's (cells
 * of whole 8 bytes), so where it fails hivex's own open decides. */
static int
first_bin(struct lazy *s)
{
	struct mapiprof_ctx *ctx = s->base.ctx;
	uint32_t size = 0;
	if (mp_regf_cells_bin(&s->c, NULL, 0, &size) == MAPIPROF_OK)
		return MAPIPROF_OK;
	if (ctx->code != MAPIPROF_E_FORMAT)
		return MAPIPROF_FAILED;
	char why[sizeof(ctx->msg)];
	cells_what(ctx, why, sizeof(why));
	mp_seterr(ctx, MAPIPROF_E_FORMAT, "%s", why);
	atomic_fetch_add(&fallbacks, 1u);
	return mp_regf_hivex_decides(ctx, s->base.path, "first hive bin", &s->hx);
}

/* Checks the base block as hivex_open does (lib/handle.c: "regf", major
 * version 1, the plain XOR checksum) and the root key's cell. */
static int
open_checks(struct lazy *s)
{
	struct mapiprof_ctx *ctx = s->base.ctx;
	struct mp_regf_base b;
	if (mp_regf_base_read(ctx, s->fd, &b) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (b.stored != b.plain) {
		mp_seterr(ctx, MAPIPROF_E_FORMAT,
		          "bad base block checksum (stored 0x%08x, computed 0x%08x)",
		          (unsigned)b.stored, (unsigned)b.plain);
		return MAPIPROF_FAILED;
	}
	if (mp_readcache_new(ctx, s->fd, &s->cache) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	s->c = (struct mp_regf_cells){ctx, s->fd, b.bins, s->cache};
	s->quiet = (struct mp_regf_cells){NULL, s->fd, b.bins, s->cache};
	mp_key root = (mp_key)mp_le32(b.bb + BB_ROOT) + MP_REGF_BASE_BLOCK;
	uint8_t hdr[MP_NK_HDR];
	uint32_t cell = 0;
	int rc = read_nk(&s->c, root, hdr, &cell);
	if (rc == MP_CELLS_UNUSUAL) /* hivex checks it as it opens */
		return hivex_store(s, root, &s->hx);
	if (rc != MAPIPROF_OK) {
		char why[sizeof(ctx->msg)];
		cells_what(ctx, why, sizeof(why));
		mp_seterr(ctx, ctx->code, "root key: %s", why);
		return MAPIPROF_FAILED;
	}
	s->root = root;
	return first_bin(s);
}

int
mp_regf_lazy_open(struct mapiprof_ctx *ctx, const char *path, struct mp_store **out)
{
	*out = NULL;
	struct lazy *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return mp_nomem(ctx);
	s->base.ops = &lazy_ops;
	s->base.ctx = ctx;
	s->fd = -1;
	if ((s->base.path = strdup(path)) == NULL) {
		free(s);
		return mp_nomem(ctx);
	}
	if (mp_open_read(ctx, path, &s->fd) != MAPIPROF_OK || open_checks(s) != MAPIPROF_OK) {
		mp_seterr_file(ctx, path);
		op_close(&s->base);
		return MAPIPROF_FAILED;
	}
	*out = &s->base;
	return MAPIPROF_OK;
}
