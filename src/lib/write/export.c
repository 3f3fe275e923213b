/* export.c - profiles and plans written as regedit 5.00 .reg files
 * (mapiprof_export_reg, mapiprof_plan_reg): regedit's layout (Wine
 * programs/reg/tests/export.c) with lines from regtext/format.c, read only
 * through the store interface and the located profiles. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/limits.h"
#include "mapi/locate.h"
#include "plan/plan.h"
#include "regtext/format.h"
#include "regtext/parse.h"
#include "store/store.h"

/* Key path written for the hive root when the caller names none. */
#define DEFAULT_ROOT "HKEY_CURRENT_USER"
/* The string value naming the default profile (OutlookTrace; Grundgeiger,
 * "CDO & MAPI Programming", ch. 2). */
#define DEFAULT_VALUE "DefaultProfile"
/* A name the hive store could not decode: U+FFFD then "#<offset>"
 * (store/hive.c); exporting it would write a name that was never there. */
#define UNDECODABLE_NAME "\xEF\xBF\xBD#"

/* One export in progress. */
struct exporter {
	struct mapiprof_ctx *ctx;
	struct mapiprof_file *file;
	const struct mp_reg_style *st;
	int regf;           /* the hive store: refuse undecodable names */
	struct mp_buf out;  /* the file */
	struct mp_buf path; /* the current key path, UTF-8, NUL after len */
	size_t nkeys;       /* keys written below the current profile */
};

/* ---- key paths ------------------------------------------------------------ */

/* Prefixes the error in ctx with the current key path. */
static int
relabel(struct exporter *ex)
{
	struct mapiprof_ctx *ctx = ex->ctx;
	if (ctx->code == MAPIPROF_E_NOMEM)
		return MAPIPROF_FAILED;
	char msg[sizeof(ctx->msg)], shown[256];
	memcpy(msg, ctx->msg, sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
	mp_reg_format_printable((const char *)ex->path.data, shown, sizeof(shown));
	mp_seterr(ctx, ctx->code, "key '%s': %.280s", shown, msg);
	return MAPIPROF_FAILED;
}

/* Cuts the path back to len bytes. */
static void
path_cut(struct exporter *ex, size_t len)
{
	ex->path.len = len;
	ex->path.data[len] = '\0';
}

/* Appends '\' and name (when sep) or name to the path. */
static int
path_add(struct exporter *ex, const char *name, int sep)
{
	if ((sep && mp_buf_add(ex->ctx, &ex->path, "\\", 1) != MAPIPROF_OK) ||
	    mp_buf_add(ex->ctx, &ex->path, name, strlen(name) + 1) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	ex->path.len--; /* the NUL stays after len */
	return MAPIPROF_OK;
}

/* Length of name when s starts with it (ASCII case-insensitively, as
 * regedit reads root names, regproc.c parse_key_name) followed by '\' or
 * its end; else 0. */
static size_t
root_match(const char *s, const char *name)
{
	size_t i = 0;
	while (name[i] != '\0' &&
	       (s[i] == name[i] || (s[i] >= 'a' && s[i] <= 'z' && s[i] - 'a' + 'A' == name[i])))
		i++;
	return name[i] == '\0' && (s[i] == '\0' || s[i] == '\\') ? i : 0;
}

/* Length of the root name s starts with: a full one, or the short form
 * people type after "reg load" (HKCU, HKU\NAME, HKLM\NAME; Wine reg.c
 * path_get_rootkey), with *full the full name the .reg file carries;
 * 0 when s starts with none. */
static size_t
root_prefix(const char *s, const char **full)
{
	for (int r = MP_REG_ROOT_HKLM; r <= MP_REG_ROOT_HKDD; r++) {
		const char *name = mp_reg_parse_root_name((enum mp_reg_root)r);
		const char *abbr = mp_reg_parse_root_abbr((enum mp_reg_root)r);
		size_t n = root_match(s, name);
		if (n == 0 && abbr != NULL)
			n = root_match(s, abbr);
		if (n > 0) {
			*full = name;
			return n;
		}
	}
	return 0;
}

int
mapiprof_reg_root_valid(const char *root)
{
	size_t n = root != NULL ? strlen(root) : 0;
	const char *full = NULL;
	return n > 0 && root_prefix(root, &full) > 0 && strstr(root, "\\\\") == NULL &&
	       root[n - 1] != '\\' && strchr(root, '\r') == NULL && strchr(root, '\n') == NULL;
}

/* opts->root as mapiprof_reg_root_valid wants it. */
static int
check_root(struct mapiprof_ctx *ctx, const char *root)
{
	if (!mapiprof_reg_root_valid(root)) {
		char shown[256];
		mp_reg_format_printable(root, shown, sizeof(shown));
		mp_seterr(ctx, MAPIPROF_E_INVALID,
		          "root '%s' must be a root key name (HKEY_CURRENT_USER or HKCU, "
		          "HKEY_USERS or HKU, ...) and a path without a trailing '\\'",
		          shown);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

/* A key or value name the .reg text must not carry. */
static int
check_name(struct exporter *ex, const char *name, int is_key)
{
	const char *why = NULL;
	if (ex->regf && strncmp(name, UNDECODABLE_NAME, strlen(UNDECODABLE_NAME)) == 0)
		why = "cannot be decoded";
	else if (is_key && (name[0] == '\0' || strchr(name, '\\') != NULL))
		why = "is empty or holds '\\'";
	if (why == NULL)
		return MAPIPROF_OK;
	mp_seterr(ex->ctx, MAPIPROF_E_FORMAT, "the name of a %s %s, so it cannot be exported",
	          is_key ? "subkey" : "value", why);
	return relabel(ex);
}

/* ---- keys and values --------------------------------------------------- */

/* One value line; the default value (name "") is written @=
 * (reg/tests/export.c). */
static int
put_value(struct exporter *ex, const struct mp_value *v)
{
	if (check_name(ex, v->name, 0) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	struct mp_reg_item it = {
	    .name = v->name,
	    .is_default = v->name[0] == '\0',
	    .type = v->type,
	    .data = v->data,
	    .len = v->len,
	};
	if (mp_reg_format_value(ex->ctx, ex->st, &it, &ex->out) != MAPIPROF_OK)
		return relabel(ex);
	return MAPIPROF_OK;
}

/* A blank line and the key line of the current path (reg/tests/export.c). */
static int
put_key_line(struct exporter *ex)
{
	if (mp_reg_encode(ex->ctx, ex->st, ex->st->eol, strlen(ex->st->eol), &ex->out) !=
	    MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return mp_reg_format_key(ex->ctx, ex->st, (const char *)ex->path.data, 0, &ex->out);
}

/* The key at the current path and its values in stored order; with only,
 * just the value of that name, and nothing at all when it is absent. */
static int
put_key(struct exporter *ex, mp_key key, const char *only)
{
	struct mp_store *s = ex->file->store;
	struct mp_value *vals = NULL;
	size_t n = 0;
	if (s->ops->values(s, key, &vals, &n) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = MAPIPROF_OK;
	if (only == NULL || mp_store_value_find(vals, n, only) != NULL)
		rc = put_key_line(ex);
	for (size_t i = 0; i < n && rc == MAPIPROF_OK; i++)
		if (only == NULL || mp_name_casecmp(vals[i].name, only) == 0)
			rc = put_value(ex, &vals[i]);
	mp_store_values_free(vals, n);
	return rc;
}

/* The key at the current path, then its subkeys depth-first in stored
 * order (reg/tests/export.c), depth levels below the profile key. */
static int
put_tree(struct exporter *ex, mp_key key, size_t depth)
{
	struct mp_store *s = ex->file->store;
	if (++ex->nkeys > MP_MAX_SECTIONS_PER_PROFILE || depth > MP_MAX_KEY_DEPTH) {
		mp_seterr(ex->ctx, MAPIPROF_E_LIMIT,
		          "more than %u keys or %u levels below a profile",
		          MP_MAX_SECTIONS_PER_PROFILE, MP_MAX_KEY_DEPTH);
		return relabel(ex);
	}
	if (put_key(ex, key, NULL) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	mp_key *kids = NULL;
	size_t n = 0, len = ex->path.len;
	if (s->ops->children(s, key, &kids, &n) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = MAPIPROF_OK;
	for (size_t i = 0; i < n && rc == MAPIPROF_OK; i++) {
		char *name = NULL;
		rc = s->ops->key_name(s, kids[i], &name);
		if (rc == MAPIPROF_OK)
			rc = check_name(ex, name, 1);
		if (rc == MAPIPROF_OK)
			rc = path_add(ex, name, 1);
		if (rc == MAPIPROF_OK)
			rc = put_tree(ex, kids[i], depth + 1);
		path_cut(ex, len);
		free(name);
	}
	free(kids);
	return rc;
}

/* Sets the path to root\rel (rel may be NULL); *key = the key at rel below
 * the hive root (0 when absent). */
static int
path_at(struct exporter *ex, size_t base, const char *rel, mp_key *key)
{
	struct mp_store *s = ex->file->store;
	mp_key root = 0;
	path_cut(ex, base);
	*key = 0;
	if (rel == NULL || rel[0] == '\0')
		return MAPIPROF_OK;
	if (path_add(ex, rel, 1) != MAPIPROF_OK || s->ops->root(s, &root) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return mp_store_path(s, root, rel, key);
}

/* One profile: its key and everything below it. */
static int
put_profile(struct exporter *ex, size_t base, size_t i)
{
	const struct mp_profile *p = &ex->file->profiles[i];
	mp_key ignored = 0;
	if (path_at(ex, base, p->pub.root, &ignored) != MAPIPROF_OK ||
	    check_name(ex, p->pub.name, 1) != MAPIPROF_OK ||
	    path_add(ex, p->pub.name, 1) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	ex->nkeys = 0;
	return put_tree(ex, p->key, 1);
}

/* The Profiles key of profile i with its values, preceded for an Office
 * root by its parent's DefaultProfile value, which names the default
 * profile there (OutlookTrace). */
static int
put_root(struct exporter *ex, size_t base, size_t i)
{
	const struct mp_profile *p = &ex->file->profiles[i];
	const char *root = p->pub.root;
	const char *last = strrchr(root, '\\');
	mp_key key = 0;
	if (strcmp(p->pub.root_kind, "office") == 0 && last != NULL) {
		char *parent = malloc((size_t)(last - root) + 1);
		if (parent == NULL)
			return mp_nomem(ex->ctx);
		memcpy(parent, root, (size_t)(last - root));
		parent[last - root] = '\0';
		int rc = path_at(ex, base, parent, &key);
		free(parent);
		if (rc != MAPIPROF_OK ||
		    (key != 0 && put_key(ex, key, DEFAULT_VALUE) != MAPIPROF_OK))
			return MAPIPROF_FAILED;
	}
	if (path_at(ex, base, root, &key) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (key == 0) {
		mp_seterr(ex->ctx, MAPIPROF_E_FORMAT, "the Profiles key is gone");
		return relabel(ex);
	}
	return put_key(ex, key, NULL);
}

/* Every profile: per Profiles root, in the order of the located profiles,
 * the root key then each of its profiles. */
static int
put_all(struct exporter *ex, size_t base)
{
	const struct mapiprof_file *f = ex->file;
	for (size_t i = 0; i < f->nprofiles; i++) {
		size_t j = 0;
		while (j < i && strcmp(f->profiles[j].pub.root, f->profiles[i].pub.root) != 0)
			j++;
		if (j < i)
			continue; /* this root was written with its first profile */
		if (put_root(ex, base, i) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		for (j = i; j < f->nprofiles; j++)
			if (strcmp(f->profiles[j].pub.root, f->profiles[i].pub.root) == 0 &&
			    put_profile(ex, base, j) != MAPIPROF_OK)
				return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

/* ---- entry points ------------------------------------------------------- */

/* Starts an export: the root path checked and set, the header written. */
static int
export_start(struct exporter *ex, struct mapiprof_file *file, const struct mapiprof_reg_opts *opts,
             void **out, size_t *len)
{
	memset(ex, 0, sizeof(*ex));
	ex->ctx = file->ctx;
	ex->file = file;
	ex->st = &mp_reg_style_regedit5;
	if (out == NULL || len == NULL || file->store == NULL) {
		mp_seterr(ex->ctx, MAPIPROF_E_INVALID, "export: no output or no open file");
		return MAPIPROF_FAILED;
	}
	*out = NULL;
	*len = 0;
	ex->regf = strcmp(file->store->ops->format, "regf") == 0;
	const char *root = opts != NULL && opts->root != NULL ? opts->root : DEFAULT_ROOT;
	if (check_root(ex->ctx, root) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	/* A short root (HKCU) is written in full, as regedit writes it. */
	const char *full = NULL;
	size_t short_len = root_prefix(root, &full);
	if (path_add(ex, full, 0) != MAPIPROF_OK ||
	    path_add(ex, root + short_len, 0) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return mp_reg_format_header(ex->ctx, ex->st, &ex->out);
}

/* Ends an export: the final blank line (reg/tests/export.c), the bytes handed
 * over. */
static int
export_finish(struct exporter *ex, int rc, void **out, size_t *len)
{
	if (rc == MAPIPROF_OK)
		rc = mp_reg_encode(ex->ctx, ex->st, ex->st->eol, strlen(ex->st->eol), &ex->out);
	if (rc == MAPIPROF_OK)
		rc = mp_buf_take(ex->ctx, &ex->out, out, len);
	if (rc != MAPIPROF_OK)
		mp_seterr_file(ex->ctx, ex->file->name);
	mp_buf_free(&ex->out);
	mp_buf_free(&ex->path);
	return rc;
}

int
mapiprof_export_reg(struct mapiprof_file *file, const size_t *profiles, size_t n,
                    const struct mapiprof_reg_opts *opts, void **out, size_t *len)
{
	struct exporter ex;
	if (file == NULL)
		return MAPIPROF_FAILED;
	int rc = export_start(&ex, file, opts, out, len);
	size_t base = ex.path.len;
	for (size_t i = 0; profiles != NULL && i < n && rc == MAPIPROF_OK; i++) {
		if (profiles[i] >= file->nprofiles) {
			mp_seterr(ex.ctx, MAPIPROF_E_INVALID, "no profile #%zu (the file has %zu)",
			          profiles[i], file->nprofiles);
			rc = MAPIPROF_FAILED;
		} else {
			rc = put_profile(&ex, base, profiles[i]);
		}
	}
	if (profiles == NULL && rc == MAPIPROF_OK)
		rc = put_all(&ex, base);
	return export_finish(&ex, rc, out, len);
}

/* The key of plan key k (profile root, profile, section uid; or a path
 * key's path) and its ops: the final data, or "name"=- for an unset
 * (reg/tests/import.c); a key to delete as "[-KEY]", which regedit reads
 * as "delete it and everything below it" (Wine regproc.c). */
static int
put_plan_key(struct exporter *ex, size_t base, const struct mp_key_change *k)
{
	const struct mapiprof_file *f = ex->file;
	if (mp_key_change_is_path(k)) {
		mp_key ignored = 0;
		if (path_at(ex, base, k->uid, &ignored) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		if (k->del)
			return mp_reg_encode(ex->ctx, ex->st, ex->st->eol, strlen(ex->st->eol),
			                     &ex->out) == MAPIPROF_OK
			           ? mp_reg_format_key(ex->ctx, ex->st, (const char *)ex->path.data,
			                               1, &ex->out)
			           : MAPIPROF_FAILED;
		if (put_key_line(ex) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
	} else if (k->profile >= f->nprofiles || f->profiles[k->profile].key != k->profile_key) {
		mp_seterr(ex->ctx, MAPIPROF_E_INVALID, "plan of another file (profile #%zu)",
		          k->profile);
		return MAPIPROF_FAILED;
	} else {
		const struct mp_profile *p = &f->profiles[k->profile];
		mp_key ignored = 0;
		if (path_at(ex, base, p->pub.root, &ignored) != MAPIPROF_OK ||
		    path_add(ex, p->pub.name, 1) != MAPIPROF_OK ||
		    path_add(ex, k->uid, 1) != MAPIPROF_OK || put_key_line(ex) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
	}
	for (size_t i = 0; i < k->nops; i++) {
		const struct mp_value_change *op = &k->ops[i];
		struct mp_reg_item it = {
		    .name = op->value_name,
		    .is_default = op->value_name[0] == '\0',
		    .del = op->del,
		    .type = op->reg_type,
		    .data = op->data,
		    .len = op->len,
		};
		if (mp_reg_format_value(ex->ctx, ex->st, &it, &ex->out) != MAPIPROF_OK)
			return relabel(ex);
	}
	return MAPIPROF_OK;
}

int
mapiprof_plan_reg(struct mapiprof_file *file, const struct mapiprof_plan *plan,
                  const struct mapiprof_reg_opts *opts, void **out, size_t *len)
{
	struct exporter ex;
	if (file == NULL)
		return MAPIPROF_FAILED;
	int rc = export_start(&ex, file, opts, out, len);
	size_t base = ex.path.len;
	for (size_t i = 0; plan != NULL && i < plan->nkeys && rc == MAPIPROF_OK; i++)
		if (plan->keys[i].nops > 0 || mp_key_change_structural(&plan->keys[i]))
			rc = put_plan_key(&ex, base, &plan->keys[i]);
	return export_finish(&ex, rc, out, len);
}
