/* profile_admin.c - the plans of profile administration (mapiprof.h):
 * default, delete, copy and rename, as path keys (plan/tree.h) on the
 * located profiles of an open file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf16.h"
#include "mapi/profiles.h"
#include "plan/admin.h"
#include "plan/tree.h"

/* Longest key name: 255 characters ("Registry element size limits"). */
#define KEY_NAME_MAX_CHARS 255u

int
mapiprof_profile_name_valid(const char *name)
{
	size_t chars = 0;
	if (name == NULL || name[0] == '\0')
		return 0;
	for (const unsigned char *c = (const unsigned char *)name; *c != '\0'; c++) {
		if (*c < 0x20 || *c == 0x7F || *c == '\\')
			return 0;
		chars += (*c & 0xC0) != 0x80;
	}
	return chars <= KEY_NAME_MAX_CHARS;
}

int
mp_admin_check_name(struct mapiprof_ctx *ctx, const char *what, const char *name)
{
	if (mapiprof_profile_name_valid(name))
		return MAPIPROF_OK;
	mp_seterr(ctx, MAPIPROF_E_INVALID,
	          "invalid %s '%s': a profile name is 1 to 255 characters without '\\' or "
	          "control characters",
	          what, name != NULL ? name : "");
	return MAPIPROF_FAILED;
}

/* 1 when profile p lies in the root opts names (any root without one). */
static int
in_root(const struct mapiprof_profile *p, const struct mapiprof_admin_opts *opts)
{
	if (opts != NULL && opts->office != NULL)
		return strcmp(p->root_kind, "office") == 0 && p->office_version != NULL &&
		       strcmp(p->office_version, opts->office) == 0;
	if (opts != NULL && opts->wms)
		return strcmp(p->root_kind, "wms") == 0;
	return 1;
}

/* in_root for mp_profile_names. */
static int
in_root_of(const struct mapiprof_profile *p, const void *opts)
{
	return in_root(p, opts);
}

int
mp_admin_find(struct mapiprof_file *file, const char *name, const struct mapiprof_admin_opts *opts,
              size_t *index)
{
	if (file->nprofiles == 0) {
		mp_seterr(file->ctx, MAPIPROF_E_NOPROFILES, "no MAPI profile in the file");
		return MAPIPROF_FAILED;
	}
	for (size_t i = 0; i < file->nprofiles; i++) {
		const struct mapiprof_profile *p = &file->profiles[i].pub;
		if (in_root(p, opts) && mp_name_casecmp(p->name, name) == 0) {
			*index = i;
			return MAPIPROF_OK;
		}
	}
	char where[64] = "", list[MP_PROFILE_LIST_MAX] = "";
	if (opts != NULL && opts->office != NULL)
		snprintf(where, sizeof(where), " in the Office %.16s root", opts->office);
	else if (opts != NULL && opts->wms)
		snprintf(where, sizeof(where), " in the Windows Messaging Subsystem root");
	struct mp_nearest near;
	mp_nearest_init(&near, name);
	mp_profile_names(file, in_root_of, opts, &near, list, sizeof(list));
	char hint[MP_DID_YOU_MEAN_MAX];
	mp_seterr(file->ctx, MAPIPROF_E_NOPROFILE, "no profile named '%s'%s (profiles: %s)%s", name,
	          where, list[0] != '\0' ? list : "none",
	          mp_did_you_mean(mp_nearest_best(&near), hint, sizeof(hint)));
	return MAPIPROF_FAILED;
}

int
mp_admin_set_default(struct mp_tree_plan *t, const char *root, const char *kind, const char *name)
{
	const char *key = mp_tree_default_key(&t->plan->arena, root, kind);
	uint8_t *u = NULL;
	size_t ulen = 0;
	if (key == NULL)
		return mp_nomem(t->ctx);
	if (mp_utf8_to_utf16le(t->ctx, name, strlen(name), &u, &ulen) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	/* REG_SZ data ends with a UTF-16 NUL, as regedit writes it. */
	uint8_t *data = realloc(u, ulen + 2);
	if (data == NULL) {
		free(u);
		return mp_nomem(t->ctx);
	}
	data[ulen] = data[ulen + 1] = 0;
	int rc =
	    mp_tree_set_value(t, key, MP_DEFAULT_PROFILE_VALUE, 0, MP_REG_SZ, data, ulen + 2, name);
	free(data);
	return rc;
}

/* The path of profile i's key from the hive root (arena of t's plan). */
static const char *
profile_path(struct mp_tree_plan *t, size_t i)
{
	const struct mapiprof_profile *p = &t->file->profiles[i].pub;
	const char *path = mp_arena_printf(&t->plan->arena, "%s\\%s", p->root, p->name);
	if (path == NULL)
		mp_nomem(t->ctx);
	return path;
}

/* Deletes profile i, and DefaultProfile with it when it is the default. */
static int
delete_profile(struct mp_tree_plan *t, size_t i)
{
	const struct mapiprof_profile *p = &t->file->profiles[i].pub;
	const char *path = profile_path(t, i);
	if (path == NULL || mp_tree_delete(t, path, i, p->name) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (!p->is_default)
		return MAPIPROF_OK;
	const char *key = mp_tree_default_key(&t->plan->arena, p->root, p->root_kind);
	if (key == NULL)
		return mp_nomem(t->ctx);
	return mp_tree_set_value(t, key, MP_DEFAULT_PROFILE_VALUE, 1, 0, NULL, 0, p->name);
}

/* Profile i copied to NEW in its root; an existing NEW deleted first with
 * opts->replace, refused otherwise. */
static int
copy_profile(struct mp_tree_plan *t, size_t i, const char *new_name,
             const struct mapiprof_admin_opts *opts)
{
	const struct mapiprof_file *f = t->file;
	const struct mapiprof_profile *p = &f->profiles[i].pub;
	if (mp_admin_check_name(t->ctx, "new profile name", new_name) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (mp_name_casecmp(p->name, new_name) == 0) {
		mp_seterr(t->ctx, MAPIPROF_E_INVALID, "'%s' is the profile '%s' itself", new_name,
		          p->name);
		return MAPIPROF_FAILED;
	}
	for (size_t j = 0; j < f->nprofiles; j++) {
		const struct mapiprof_profile *q = &f->profiles[j].pub;
		if (strcmp(q->root, p->root) != 0 || mp_name_casecmp(q->name, new_name) != 0)
			continue;
		if (opts == NULL || !opts->replace) {
			mp_seterr(t->ctx, MAPIPROF_E_INVALID,
			          "a profile named '%s' exists in %s (--replace replaces it)",
			          q->name, q->root);
			return MAPIPROF_FAILED;
		}
		/* Only the key: the name stays, so DefaultProfile may keep naming it. */
		const char *path = profile_path(t, j);
		if (path == NULL || mp_tree_delete(t, path, j, q->name) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
	}
	const char *to = mp_arena_printf(&t->plan->arena, "%s\\%s", p->root, new_name);
	if (to == NULL)
		return mp_nomem(t->ctx);
	return mp_tree_copy(t, f->store, f->profiles[i].key, to, new_name);
}

enum admin_op { OP_DEFAULT, OP_DELETE, OP_COPY, OP_RENAME };

static int
plan_admin(struct mapiprof_file *file, enum admin_op op, const char *name, const char *new_name,
           const struct mapiprof_admin_opts *opts, struct mapiprof_plan **out)
{
	struct mp_tree_plan t;
	size_t i = 0;
	if (out != NULL)
		*out = NULL;
	if (file == NULL || out == NULL)
		return MAPIPROF_FAILED;
	if (mp_admin_check_name(file->ctx, "profile name", name) != MAPIPROF_OK ||
	    mp_admin_find(file, name, opts, &i) != MAPIPROF_OK) {
		mp_seterr_file(file->ctx, file->name);
		return MAPIPROF_FAILED;
	}
	if (mp_tree_begin(&t, file) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	const struct mapiprof_profile *p = &file->profiles[i].pub;
	int rc = MAPIPROF_OK;
	switch (op) {
	case OP_DEFAULT:
		rc = mp_admin_set_default(&t, p->root, p->root_kind, p->name);
		break;
	case OP_DELETE:
		rc = delete_profile(&t, i);
		break;
	case OP_COPY:
		rc = copy_profile(&t, i, new_name, opts);
		break;
	case OP_RENAME:
		rc = copy_profile(&t, i, new_name, opts);
		if (rc == MAPIPROF_OK) {
			const char *path = profile_path(&t, i);
			rc = path != NULL ? mp_tree_delete(&t, path, i, p->name) : MAPIPROF_FAILED;
		}
		if (rc == MAPIPROF_OK && p->is_default)
			rc = mp_admin_set_default(&t, p->root, p->root_kind, new_name);
		break;
	}
	if (rc != MAPIPROF_OK) {
		mp_tree_abort(&t);
		mp_seterr_file(file->ctx, file->name);
		return MAPIPROF_FAILED;
	}
	return mp_tree_finish(&t, out);
}

int
mapiprof_plan_profile_default(struct mapiprof_file *file, const char *name,
                              const struct mapiprof_admin_opts *opts, struct mapiprof_plan **out)
{
	return plan_admin(file, OP_DEFAULT, name, NULL, opts, out);
}

int
mapiprof_plan_profile_delete(struct mapiprof_file *file, const char *name,
                             const struct mapiprof_admin_opts *opts, struct mapiprof_plan **out)
{
	return plan_admin(file, OP_DELETE, name, NULL, opts, out);
}

int
mapiprof_plan_profile_copy(struct mapiprof_file *file, const char *src, const char *new_name,
                           const struct mapiprof_admin_opts *opts, struct mapiprof_plan **out)
{
	return plan_admin(file, OP_COPY, src, new_name, opts, out);
}

int
mapiprof_plan_profile_rename(struct mapiprof_file *file, const char *old_name, const char *new_name,
                             const struct mapiprof_admin_opts *opts, struct mapiprof_plan **out)
{
	return plan_admin(file, OP_RENAME, old_name, new_name, opts, out);
}
