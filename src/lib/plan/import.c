/* import.c - profiles of one file (a .reg export, a hive) planned into
 * another (mapiprof_plan_import), and what such an import leaves out
 * (mapiprof_import_ignored). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "plan/admin.h"
#include "plan/tree.h"

/* The Profiles roots an import can be sent to (locate.c, MFCMAPI
 * RegistryDialog.cpp; OutlookTrace for the Office one). */
#define OFFICE_ROOT_FMT "Software\\Microsoft\\Office\\%s\\Outlook\\Profiles"
#define WMS_NT_ROOT                                                                                \
	"Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles"

/* The source profiles the import takes: every one, or the first named
 * opts->profile (mapiprof_profile_find's order).  *idx malloc'd. */
static int
select_profiles(struct mapiprof_file *src, const struct mapiprof_import_opts *opts, size_t **idx,
                size_t *n)
{
	*n = 0;
	if (src->nprofiles == 0) {
		mp_seterr(src->ctx, MAPIPROF_E_NOPROFILES, "no MAPI profile in the file");
		mp_seterr_file(src->ctx, src->name);
		return MAPIPROF_FAILED;
	}
	if ((*idx = calloc(src->nprofiles, sizeof(**idx))) == NULL)
		return mp_nomem(src->ctx);
	if (opts->profile == NULL) {
		for (size_t i = 0; i < src->nprofiles; i++)
			(*idx)[(*n)++] = i;
		return MAPIPROF_OK;
	}
	if (mp_admin_find(src, opts->profile, NULL, *idx) != MAPIPROF_OK) {
		mp_seterr_file(src->ctx, src->name);
		return MAPIPROF_FAILED;
	}
	*n = 1;
	return MAPIPROF_OK;
}

/* Where source profile p goes: root path and kind. */
static int
target_root(struct mp_tree_plan *t, const struct mapiprof_import_opts *opts,
            const struct mapiprof_profile *p, const char **root, const char **kind)
{
	if (opts->office != NULL) {
		*kind = "office";
		*root = mp_arena_printf(&t->plan->arena, OFFICE_ROOT_FMT, opts->office);
	} else if (opts->wms) {
		*kind = "wms";
		*root = WMS_NT_ROOT;
	} else {
		*kind = p->root_kind;
		*root = p->root;
	}
	return *root != NULL ? MAPIPROF_OK : mp_nomem(t->ctx);
}

/* The target's profile named name in root (compared as the registry
 * does), or SIZE_MAX. */
static size_t
existing(const struct mapiprof_file *f, const char *root, const char *name)
{
	for (size_t i = 0; i < f->nprofiles; i++)
		if (mp_name_casecmp(f->profiles[i].pub.root, root) == 0 &&
		    mp_name_casecmp(f->profiles[i].pub.name, name) == 0)
			return i;
	return SIZE_MAX;
}

static int
check_opts(struct mapiprof_ctx *ctx, const struct mapiprof_import_opts *opts)
{
	if (opts->office != NULL && opts->wms) {
		mp_seterr(ctx, MAPIPROF_E_INVALID,
		          "an Office root and the Windows Messaging "
		          "Subsystem root exclude each other");
		return MAPIPROF_FAILED;
	}
	if (opts->office != NULL && !mapiprof_office_version_valid(opts->office)) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "invalid Office version '%s' (e.g. 16.0)",
		          opts->office);
		return MAPIPROF_FAILED;
	}
	if (opts->profile != NULL &&
	    mp_admin_check_name(ctx, "profile name", opts->profile) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (opts->as != NULL &&
	    mp_admin_check_name(ctx, "new profile name", opts->as) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return MAPIPROF_OK;
}

/* One source profile into the target: name clash checks, the copy. */
static int
import_one(struct mp_tree_plan *t, struct mapiprof_file *src,
           const struct mapiprof_import_opts *opts, const size_t *sel, size_t k)
{
	const struct mapiprof_profile *p = &src->profiles[sel[k]].pub;
	const char *name = opts->as != NULL ? opts->as : p->name;
	const char *root = NULL, *kind = NULL;
	if (target_root(t, opts, p, &root, &kind) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	for (size_t j = 0; j < k; j++) {
		const struct mapiprof_profile *q = &src->profiles[sel[j]].pub;
		const char *qroot = NULL, *qkind = NULL;
		if (target_root(t, opts, q, &qroot, &qkind) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		if (mp_name_casecmp(qroot, root) == 0 && mp_name_casecmp(q->name, name) == 0) {
			mp_seterr(
			    t->ctx, MAPIPROF_E_INVALID,
			    "two profiles named '%s' would go to %s (import one with --profile)",
			    name, root);
			return MAPIPROF_FAILED;
		}
	}
	size_t e = existing(t->file, root, name);
	if (e != SIZE_MAX) {
		const struct mapiprof_profile *q = &t->file->profiles[e].pub;
		if (!opts->replace) {
			mp_seterr(t->ctx, MAPIPROF_E_INVALID,
			          "a profile named '%s' exists in %s (--replace replaces it)",
			          q->name, q->root);
			return MAPIPROF_FAILED;
		}
		const char *path = mp_arena_printf(&t->plan->arena, "%s\\%s", q->root, q->name);
		if (path == NULL || mp_tree_delete(t, path, e, q->name) != MAPIPROF_OK)
			return path == NULL ? mp_nomem(t->ctx) : MAPIPROF_FAILED;
	}
	const char *to = mp_arena_printf(&t->plan->arena, "%s\\%s", root, name);
	if (to == NULL)
		return mp_nomem(t->ctx);
	return mp_tree_copy(t, src->store, src->profiles[sel[k]].key, to, name);
}

/* --default: in each target root, the imported profile the source names
 * as default (with one profile imported, that one). */
static int
import_default(struct mp_tree_plan *t, struct mapiprof_file *src,
               const struct mapiprof_import_opts *opts, const size_t *sel, size_t n)
{
	int any = 0;
	for (size_t k = 0; k < n; k++) {
		const struct mapiprof_profile *p = &src->profiles[sel[k]].pub;
		if (n > 1 && !p->is_default)
			continue;
		const char *root = NULL, *kind = NULL;
		if (target_root(t, opts, p, &root, &kind) != MAPIPROF_OK ||
		    mp_admin_set_default(t, root, kind, opts->as != NULL ? opts->as : p->name) !=
		        MAPIPROF_OK)
			return MAPIPROF_FAILED;
		any = 1;
	}
	if (any)
		return MAPIPROF_OK;
	mp_seterr(t->ctx, MAPIPROF_E_INVALID,
	          "no default profile to set: %s names none of the %zu profiles imported (pick "
	          "one with --profile)",
	          src->name, n);
	return MAPIPROF_FAILED;
}

int
mapiprof_plan_import(struct mapiprof_file *target, struct mapiprof_file *source,
                     const struct mapiprof_import_opts *opts, struct mapiprof_plan **out)
{
	static const struct mapiprof_import_opts none = {0};
	struct mp_tree_plan t;
	size_t *sel = NULL, n = 0;
	if (out != NULL)
		*out = NULL;
	if (target == NULL || source == NULL || out == NULL)
		return MAPIPROF_FAILED;
	if (opts == NULL)
		opts = &none;
	if (check_opts(target->ctx, opts) != MAPIPROF_OK) {
		mp_seterr_file(target->ctx, NULL);
		return MAPIPROF_FAILED;
	}
	if (select_profiles(source, opts, &sel, &n) != MAPIPROF_OK) {
		free(sel);
		return MAPIPROF_FAILED;
	}
	if (opts->as != NULL && n > 1) {
		free(sel);
		mp_seterr(target->ctx, MAPIPROF_E_INVALID,
		          "%s holds %zu profiles: a new name needs one (pick it with --profile)",
		          source->name, n);
		mp_seterr_file(target->ctx, NULL);
		return MAPIPROF_FAILED;
	}
	int rc = mp_tree_begin(&t, target);
	for (size_t k = 0; rc == MAPIPROF_OK && k < n; k++)
		rc = import_one(&t, source, opts, sel, k);
	if (rc == MAPIPROF_OK && opts->set_default)
		rc = import_default(&t, source, opts, sel, n);
	free(sel);
	if (rc != MAPIPROF_OK) {
		mp_tree_abort(&t);
		mp_seterr_file(target->ctx, target->name);
		return MAPIPROF_FAILED;
	}
	return mp_tree_finish(&t, out);
}

/* ---- what an import leaves out ------------------------------------------- */

struct ignored {
	struct mapiprof_file *src;
	const struct mapiprof_import_opts *opts;
	const char **taken; /* the imported profile keys' paths */
	size_t ntaken;
	char **v; /* malloc'd paths */
	size_t n, cap;
};

static int
ignore(struct ignored *ig, const char *path)
{
	if (ig->n == ig->cap) {
		size_t cap = ig->cap == 0 ? 16 : ig->cap * 2;
		char **v = realloc(ig->v, cap * sizeof(*v));
		if (v == NULL)
			return mp_nomem(ig->src->ctx);
		ig->v = v;
		ig->cap = cap;
	}
	if ((ig->v[ig->n] = strdup(path)) == NULL)
		return mp_nomem(ig->src->ctx);
	ig->n++;
	return MAPIPROF_OK;
}

/* 1 when key (at path, above an imported profile) holds a value the
 * import does not take: any but DefaultProfile of a root's default key
 * with opts->set_default. */
static int
holds_other_values(struct ignored *ig, mp_key key, const char *path, int *holds)
{
	struct mp_store *s = ig->src->store;
	struct mp_value *vals = NULL;
	size_t n = 0;
	*holds = 0;
	if (s->ops->values(s, key, &vals, &n) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int is_default_key = 0;
	for (size_t i = 0; i < ig->src->nprofiles && ig->opts->set_default; i++) {
		const struct mapiprof_profile *p = &ig->src->profiles[i].pub;
		char *dk = p->root_kind != NULL && strcmp(p->root_kind, "office") == 0 &&
		                   strrchr(p->root, '\\') != NULL
		               ? strndup(p->root, (size_t)(strrchr(p->root, '\\') - p->root))
		               : strdup(p->root);
		is_default_key |= dk != NULL && mp_name_casecmp(dk, path) == 0;
		free(dk);
	}
	for (size_t i = 0; i < n; i++)
		if (!is_default_key || mp_name_casecmp(vals[i].name, MP_DEFAULT_PROFILE_VALUE) != 0)
			*holds = 1;
	mp_store_values_free(vals, n);
	return MAPIPROF_OK;
}

/* The children of key (at path, "" for the root): an imported profile is
 * taken, a key above one is walked, anything else is ignored whole. */
static int
walk(struct ignored *ig, mp_key key, const char *path, size_t depth)
{
	struct mp_store *s = ig->src->store;
	mp_key *kids = NULL;
	size_t nk = 0;
	if (depth > MP_MAX_KEY_DEPTH) {
		mp_seterr(ig->src->ctx, MAPIPROF_E_LIMIT, "keys nested more than %u levels deep",
		          MP_MAX_KEY_DEPTH);
		return MAPIPROF_FAILED;
	}
	if (s->ops->children(s, key, &kids, &nk) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = MAPIPROF_OK;
	for (size_t i = 0; rc == MAPIPROF_OK && i < nk; i++) {
		char *name = NULL, *sub = NULL;
		int taken = 0, above = 0, holds = 0;
		rc = s->ops->key_name(s, kids[i], &name);
		if (rc == MAPIPROF_OK) {
			size_t len = strlen(path) + strlen(name) + 2;
			if ((sub = malloc(len)) == NULL)
				rc = mp_nomem(ig->src->ctx);
			else
				snprintf(sub, len, "%s%s%s", path, path[0] != '\0' ? "\\" : "",
				         name);
		}
		for (size_t j = 0; rc == MAPIPROF_OK && j < ig->ntaken; j++) {
			taken |= mp_name_casecmp(ig->taken[j], sub) == 0;
			above |= mp_store_path_below(ig->taken[j], sub);
		}
		if (rc == MAPIPROF_OK && !taken && !above)
			rc = ignore(ig, sub);
		else if (rc == MAPIPROF_OK && !taken) {
			rc = holds_other_values(ig, kids[i], sub, &holds);
			if (rc == MAPIPROF_OK && holds)
				rc = ignore(ig, sub);
			if (rc == MAPIPROF_OK)
				rc = walk(ig, kids[i], sub, depth + 1);
		}
		free(name);
		free(sub);
	}
	free(kids);
	return rc;
}

int
mapiprof_import_ignored(struct mapiprof_file *source, const struct mapiprof_import_opts *opts,
                        char ***paths, size_t *n)
{
	static const struct mapiprof_import_opts none = {0};
	struct ignored ig = {source, opts != NULL ? opts : &none, NULL, 0, NULL, 0, 0};
	size_t *sel = NULL, nsel = 0;
	mp_key root = 0;
	if (paths == NULL || n == NULL || source == NULL)
		return MAPIPROF_FAILED;
	*paths = NULL;
	*n = 0;
	int rc = select_profiles(source, ig.opts, &sel, &nsel);
	if (rc == MAPIPROF_OK && (ig.taken = calloc(nsel + 1, sizeof(*ig.taken))) == NULL)
		rc = mp_nomem(source->ctx);
	for (size_t k = 0; rc == MAPIPROF_OK && k < nsel; k++) {
		const struct mapiprof_profile *p = &source->profiles[sel[k]].pub;
		ig.taken[k] = mp_arena_printf(&source->arena, "%s\\%s", p->root, p->name);
		rc = ig.taken[k] != NULL ? MAPIPROF_OK : mp_nomem(source->ctx);
		ig.ntaken++;
	}
	if (rc == MAPIPROF_OK)
		rc = source->store->ops->root(source->store, &root);
	if (rc == MAPIPROF_OK)
		rc = walk(&ig, root, "", 0);
	free(sel);
	free(ig.taken);
	if (rc != MAPIPROF_OK) {
		for (size_t i = 0; i < ig.n; i++)
			free(ig.v[i]);
		free(ig.v);
		mp_seterr_file(source->ctx, source->name);
		return MAPIPROF_FAILED;
	}
	*paths = ig.v;
	*n = ig.n;
	return MAPIPROF_OK;
}
