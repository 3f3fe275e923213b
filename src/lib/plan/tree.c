/* tree.c - plans that change the key tree (tree.h): path keys for the
 * writers (store/changes.h) and their public changes, built against the
 * target file's store so that the writers know which keys exist. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/limits.h"
#include "mapi/decode.h"
#include "plan/tree.h"

/* A name the hive store could not decode: U+FFFD then "#<offset>"
 * (store/hive.c); copying it would store that text as a name. */
#define UNDECODABLE_NAME "\xEF\xBF\xBD#"

/* ---- paths ------------------------------------------------------------------ */

const char *
mp_tree_default_key(struct mp_arena *a, const char *root, const char *kind)
{
	const char *last = strrchr(root, '\\');
	if (strcmp(kind, "office") != 0 || last == NULL)
		return mp_arena_strdup(a, root);
	return mp_arena_printf(a, "%.*s", (int)(last - root), root);
}

/* 1 when the plan so far deletes path or a key above it. */
static int
deleted(const struct mp_tree_plan *t, const char *path)
{
	for (size_t i = 0; i < t->nkeys; i++)
		if (t->keys[i].del && mp_store_path_below(path, t->keys[i].uid))
			return 1;
	return 0;
}

/* The key at path in the target as the plan leaves it so far (*key 0 when
 * absent or deleted by the plan), and *stored: path with the stored
 * spelling of the components that exist (arena). */
static int
resolve(struct mp_tree_plan *t, const char *path, mp_key *key, const char **stored)
{
	struct mp_store *s = t->file->store;
	struct mp_buf out = {0};
	mp_key at = 0;
	*key = 0;
	*stored = NULL;
	char *copy = strdup(path);
	int rc = copy != NULL ? s->ops->root(s, &at) : mp_nomem(t->ctx);
	for (char *comp = copy, *next = NULL; rc == MAPIPROF_OK && comp != NULL; comp = next) {
		next = strchr(comp, '\\');
		if (next != NULL)
			*next++ = '\0';
		mp_key child = 0;
		char *name = NULL;
		if (at != 0)
			rc = mp_store_child(s, at, comp, &child);
		if (rc == MAPIPROF_OK && child != 0)
			rc = s->ops->key_name(s, child, &name);
		if (rc == MAPIPROF_OK && out.len > 0)
			rc = mp_buf_add(t->ctx, &out, "\\", 1);
		if (rc == MAPIPROF_OK) {
			const char *shown = name != NULL ? name : comp;
			rc = mp_buf_add(t->ctx, &out, shown, strlen(shown) + 1);
			out.len--; /* the NUL stays after len */
		}
		free(name);
		at = child;
		if (rc == MAPIPROF_OK && at != 0 && deleted(t, (const char *)out.data))
			at = 0;
	}
	if (rc == MAPIPROF_OK) {
		*key = at;
		*stored = mp_arena_strdup(&t->plan->arena, (const char *)out.data);
		if (*stored == NULL)
			rc = mp_nomem(t->ctx);
	}
	free(copy);
	mp_buf_free(&out);
	return rc;
}

/* ---- growing the arrays ------------------------------------------------------ */

static struct mp_key_change *
new_key(struct mp_tree_plan *t)
{
	if (t->nkeys == t->kcap) {
		size_t cap = t->kcap == 0 ? 16 : t->kcap * 2;
		struct mp_key_change *v = realloc(t->keys, cap * sizeof(*v));
		if (v == NULL)
			return NULL;
		t->keys = v;
		t->kcap = cap;
	}
	struct mp_key_change *k = &t->keys[t->nkeys++];
	memset(k, 0, sizeof(*k));
	k->profile = MP_PATH_KEY;
	return k;
}

static struct mapiprof_change *
new_change(struct mp_tree_plan *t, enum mapiprof_change_kind kind, const char *key,
           const char *name)
{
	if (t->nchanges == t->ccap) {
		size_t cap = t->ccap == 0 ? 16 : t->ccap * 2;
		struct mapiprof_change *v = realloc(t->changes, cap * sizeof(*v));
		if (v == NULL)
			return NULL;
		t->changes = v;
		t->ccap = cap;
	}
	struct mapiprof_change *c = &t->changes[t->nchanges++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->key = key;
	c->profile = SIZE_MAX;
	c->profile_name = name;
	return c;
}

/* The value as a decoded prop of the plan (no section scope: a value
 * outside the sections, or of a key being created). */
static int
decode(struct mp_tree_plan *t, const char *vname, uint32_t type, const uint8_t *data, size_t len,
       const struct mapiprof_prop **out)
{
	static const struct mp_scope none = {NULL, NULL};
	struct mp_arena *a = &t->plan->arena;
	struct mapiprof_prop *p = mp_arena_calloc(a, 1, sizeof(*p));
	if (p == NULL || mp_decode_value(t->ctx, a, &none, t->ctx->codepage, vname, type, data, len,
	                                 p) != MAPIPROF_OK)
		return mp_nomem(t->ctx);
	*out = p;
	return MAPIPROF_OK;
}

/* A VALUE change of key path: before/after decoded (NULL: absent). */
static int
value_change(struct mp_tree_plan *t, const char *path, const char *name,
             const struct mp_value_change *op, const struct mp_value *before)
{
	struct mapiprof_change *c = new_change(t, MAPIPROF_CHANGE_VALUE, path, name);
	if (c == NULL)
		return mp_nomem(t->ctx);
	c->value_name = op->value_name;
	if ((before != NULL && decode(t, op->value_name, before->type, before->data, before->len,
	                              &c->before) != MAPIPROF_OK) ||
	    (!op->del &&
	     decode(t, op->value_name, op->reg_type, op->data, op->len, &c->after) != MAPIPROF_OK))
		return MAPIPROF_FAILED;
	const struct mapiprof_prop *shown = c->after != NULL ? c->after : c->before;
	if (shown != NULL && shown->is_tag) {
		c->tag = shown->tag;
		c->prop_name = shown->name;
	}
	return MAPIPROF_OK;
}

/* ---- keys to create ------------------------------------------------------- */

/* Index of the key to create at path in the plan, or SIZE_MAX. */
static size_t
created_at(const struct mp_tree_plan *t, const char *path)
{
	for (size_t i = t->nkeys; i-- > 0;) {
		if (t->keys[i].del && mp_store_path_below(path, t->keys[i].uid))
			return SIZE_MAX;
		if (t->keys[i].key == 0 && !t->keys[i].del &&
		    mp_name_casecmp(t->keys[i].uid, path) == 0)
			return i;
	}
	return SIZE_MAX;
}

/* A key to create at stored (its parent planned or existing), counted
 * as a child of its parent when the plan creates that too; *index its
 * place in t->keys. */
static int
add_created(struct mp_tree_plan *t, const char *stored, const char *name, size_t parent,
            size_t *index)
{
	struct mp_key_change *k = new_key(t);
	if (k == NULL || new_change(t, MAPIPROF_CHANGE_KEY_ADD, stored, name) == NULL)
		return mp_nomem(t->ctx);
	k->uid = stored;
	if (parent != SIZE_MAX)
		t->keys[parent].nkids++;
	*index = t->nkeys - 1;
	return MAPIPROF_OK;
}

/* Plans the creation of every missing key above stored (the path of a key
 * to create): each its own key to create, so that the verifier knows the
 * children of every key the plan makes.  *parent: the plan index of the
 * key to create right above stored, or SIZE_MAX when that exists. */
static int
ensure_parents(struct mp_tree_plan *t, const char *stored, const char *name, size_t *parent)
{
	*parent = SIZE_MAX;
	for (const char *sep = strchr(stored, '\\'); sep != NULL; sep = strchr(sep + 1, '\\')) {
		char *head = mp_arena_strndup(&t->plan->arena, stored, (size_t)(sep - stored));
		mp_key key = 0;
		const char *ignored = NULL;
		if (head == NULL)
			return mp_nomem(t->ctx);
		size_t at = created_at(t, head);
		if (at != SIZE_MAX) {
		*parent = at;
		continue;
		}
		if (resolve(t, head, &key, &ignored) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		if (key != 0)
			continue;
		if (add_created(t, head, name, *parent, parent) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
}
return MAPIPROF_OK;
}

/* ---- the operations ------------------------------------------------------- */

int
mp_tree_begin(struct mp_tree_plan *t, struct mapiprof_file *file)
{
	memset(t, 0, sizeof(*t));
	t->file = file;
	t->ctx = file->ctx;
	t->plan = calloc(1, sizeof(*t->plan));
	return t->plan != NULL ? MAPIPROF_OK : mp_nomem(t->ctx);
}

int
mp_tree_delete(struct mp_tree_plan *t, const char *path, size_t profile, const char *name)
{
	mp_key key = 0;
	const char *stored = NULL;
	if (resolve(t, path, &key, &stored) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (key == 0) {
		mp_seterr(t->ctx, MAPIPROF_E_INVALID, "key %s does not exist", path);
		return MAPIPROF_FAILED;
	}
	struct mp_key_change *k = new_key(t);
	if (k == NULL)
		return mp_nomem(t->ctx);
	k->key = key;
	k->uid = stored;
	k->del = 1;
	struct mapiprof_change *c = new_change(t, MAPIPROF_CHANGE_KEY_DELETE, stored, name);
	if (c == NULL)
		return mp_nomem(t->ctx);
	c->profile = profile;
	return MAPIPROF_OK;
}

/* The plan key for path that sets values (not a delete), or NULL. */
static struct mp_key_change *
planned(struct mp_tree_plan *t, const char *path)
{
	for (size_t i = t->nkeys; i-- > 0;) {
		if (t->keys[i].del && mp_store_path_below(path, t->keys[i].uid))
			return NULL;
		if (!t->keys[i].del && mp_name_casecmp(t->keys[i].uid, path) == 0)
			return &t->keys[i];
	}
	return NULL;
}

/* Adds op to k's ops (arena), k's ops before it kept. */
static int
add_op(struct mp_tree_plan *t, struct mp_key_change *k, const struct mp_value_change *op)
{
	struct mp_value_change *v = mp_arena_calloc(&t->plan->arena, k->nops + 1, sizeof(*v));
	if (v == NULL)
		return mp_nomem(t->ctx);
	if (k->nops > 0)
		memcpy(v, k->ops, k->nops * sizeof(*v));
	v[k->nops] = *op;
	k->ops = v;
	k->nops++;
	return MAPIPROF_OK;
}

/* The stored value vname of key (0: none), copied into *out (release with
 * mp_store_values_free(out, 1) when *found). */
static int
stored_value(struct mp_tree_plan *t, mp_key key, const char *vname, struct mp_value *out,
             int *found)
{
	struct mp_store *s = t->file->store;
	struct mp_value *vals = NULL;
	size_t n = 0;
	*found = 0;
	if (key == 0)
		return MAPIPROF_OK;
	if (s->ops->values(s, key, &vals, &n) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	for (size_t i = 0; i < n; i++) {
		if (!*found && mp_name_casecmp(vals[i].name, vname) == 0) {
			*out = vals[i];
			*found = 1;
			continue;
		}
		free(vals[i].name);
		free(vals[i].data);
	}
	free(vals);
	return MAPIPROF_OK;
}

int
mp_tree_set_value(struct mp_tree_plan *t, const char *path, const char *vname, int del,
                  uint32_t type, const uint8_t *data, size_t len, const char *name)
{
	mp_key key = 0;
	const char *stored = NULL;
	struct mp_value cur = {0};
	int found = 0;
	struct mp_key_change *k = planned(t, path);
	/* A key the plan already touches may hold the value too (a second
	 * value of one key): its stored state decides as for the first. */
	if (k != NULL)
		key = k->key;
	else if (resolve(t, path, &key, &stored) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (stored_value(t, key, vname, &cur, &found) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int same = found ? !del && cur.type == type && cur.len == len &&
	                       (len == 0 || memcmp(cur.data, data, len) == 0)
	                 : del;
	int rc = MAPIPROF_OK;
	struct mp_value_change op = {.del = del, .reg_type = type, .len = len};
	if (same)
		goto out;
	op.value_name = mp_arena_strdup(&t->plan->arena, found ? cur.name : vname);
	op.data = del ? NULL
	              : mp_arena_memdup(&t->plan->arena, len > 0 ? data : (const uint8_t *)"", len);
	if (op.value_name == NULL || (!del && op.data == NULL)) {
		rc = mp_nomem(t->ctx);
		goto out;
	}
	if (k == NULL && key == 0) {
		size_t parent = SIZE_MAX, at = SIZE_MAX;
		rc = ensure_parents(t, stored, name, &parent);
		if (rc == MAPIPROF_OK)
			rc = add_created(t, stored, name, parent, &at);
		if (rc != MAPIPROF_OK)
			goto out;
		k = &t->keys[at];
	} else if (k == NULL) {
		if ((k = new_key(t)) == NULL) {
			rc = mp_nomem(t->ctx);
			goto out;
		}
		k->key = key;
		k->uid = stored;
	}
	rc = add_op(t, k, &op);
	if (rc == MAPIPROF_OK)
		rc = value_change(t, k->uid, name, &op, found ? &cur : NULL);
out:
	free(cur.name);
	free(cur.data);
	return rc;
}

/* A key or value name read from src that a copy cannot write. */
static int
check_name(struct mp_tree_plan *t, const char *path, const char *name, int is_key)
{
	const char *why = NULL;
	if (strncmp(name, UNDECODABLE_NAME, strlen(UNDECODABLE_NAME)) == 0)
		why = "cannot be decoded";
	else if (is_key && (name[0] == '\0' || strchr(name, '\\') != NULL))
		why = "is empty or holds '\\'";
	if (why == NULL)
		return MAPIPROF_OK;
	mp_seterr(t->ctx, MAPIPROF_E_FORMAT, "key %s: the name of a %s %s, so it cannot be copied",
	          path, is_key ? "subkey" : "value", why);
	return MAPIPROF_FAILED;
}

/* The values of from as ops of k (arena), with a VALUE change each. */
static int
copy_values(struct mp_tree_plan *t, struct mp_store *src, mp_key from, struct mp_key_change *k,
            const char *name)
{
	struct mp_value *vals = NULL;
	size_t n = 0;
	if (src->ops->values(src, from, &vals, &n) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	struct mp_arena *a = &t->plan->arena;
	int rc = MAPIPROF_OK;
	k->ops = mp_arena_calloc(a, n + 1, sizeof(*k->ops));
	if (k->ops == NULL)
		rc = mp_nomem(t->ctx);
	for (size_t i = 0; rc == MAPIPROF_OK && i < n; i++) {
		struct mp_value_change *op = &k->ops[k->nops];
		rc = check_name(t, k->uid, vals[i].name, 0);
		if (rc != MAPIPROF_OK)
			break;
		op->value_name = mp_arena_strdup(a, vals[i].name);
		op->reg_type = vals[i].type;
		op->len = vals[i].len;
		op->data =
		    mp_arena_memdup(a, vals[i].len > 0 ? vals[i].data : (uint8_t *)"", vals[i].len);
		if (op->value_name == NULL || op->data == NULL) {
			rc = mp_nomem(t->ctx);
			break;
		}
		k->nops++;
		rc = value_change(t, k->uid, name, op, NULL);
	}
	mp_store_values_free(vals, n);
	return rc;
}

/* Copies from (of src) to path (below the key to create at plan index
 * parent, or SIZE_MAX) and recurses into its children. */
static int
copy_key(struct mp_tree_plan *t, struct mp_store *src, mp_key from, const char *path,
         const char *name, size_t parent, size_t depth)
{
	if (++t->ncopied > MP_MAX_SECTIONS_PER_PROFILE || depth > MP_MAX_KEY_DEPTH) {
		mp_seterr(t->ctx, MAPIPROF_E_LIMIT,
		          "key %s: more than %u keys or %u levels to copy", path,
		          MP_MAX_SECTIONS_PER_PROFILE, MP_MAX_KEY_DEPTH);
		return MAPIPROF_FAILED;
	}
	size_t ki = SIZE_MAX; /* an index: t->keys moves when it grows */
	if (add_created(t, path, name, parent, &ki) != MAPIPROF_OK ||
	    copy_values(t, src, from, &t->keys[ki], name) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	mp_key *kids = NULL;
	size_t n = 0;
	if (src->ops->children(src, from, &kids, &n) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = MAPIPROF_OK;
	for (size_t i = 0; rc == MAPIPROF_OK && i < n; i++) {
		char *kn = NULL;
		const char *sub = NULL;
		rc = src->ops->key_name(src, kids[i], &kn);
		if (rc == MAPIPROF_OK)
			rc = check_name(t, path, kn, 1);
		if (rc == MAPIPROF_OK &&
		    (sub = mp_arena_printf(&t->plan->arena, "%s\\%s", path, kn)) == NULL)
			rc = mp_nomem(t->ctx);
		if (rc == MAPIPROF_OK)
			rc = copy_key(t, src, kids[i], sub, name, ki, depth + 1);
		free(kn);
	}
	free(kids);
	return rc;
}

int
mp_tree_copy(struct mp_tree_plan *t, struct mp_store *src, mp_key from, const char *path,
             const char *name)
{
	mp_key key = 0;
	const char *stored = NULL;
	if (resolve(t, path, &key, &stored) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (key != 0) {
		mp_seterr(t->ctx, MAPIPROF_E_INVALID, "key %s exists", stored);
		return MAPIPROF_FAILED;
	}
	size_t parent = SIZE_MAX;
	t->ncopied = 0;
	if (ensure_parents(t, stored, name, &parent) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return copy_key(t, src, from, stored, name, parent, 0);
}

void
mp_tree_abort(struct mp_tree_plan *t)
{
	free(t->keys);
	free(t->changes);
	mapiprof_plan_free(t->plan);
	memset(t, 0, sizeof(*t));
}

int
mp_tree_finish(struct mp_tree_plan *t, struct mapiprof_plan **out)
{
	struct mapiprof_plan *plan = t->plan;
	struct mapiprof_ctx *ctx = t->ctx;
	plan->keys = mp_arena_calloc(&plan->arena, t->nkeys + 1, sizeof(*t->keys));
	plan->changes = mp_arena_calloc(&plan->arena, t->nchanges + 1, sizeof(*t->changes));
	if (plan->keys == NULL || plan->changes == NULL) {
		mp_tree_abort(t);
		return mp_nomem(ctx);
	}
	if (t->nkeys > 0)
		memcpy(plan->keys, t->keys, t->nkeys * sizeof(*t->keys));
	if (t->nchanges > 0)
		memcpy(plan->changes, t->changes, t->nchanges * sizeof(*t->changes));
	plan->nkeys = t->nkeys;
	plan->nchanges = t->nchanges;
	free(t->keys);
	free(t->changes);
	memset(t, 0, sizeof(*t));
	*out = plan;
	return MAPIPROF_OK;
}
