/* tree.c - a Windows volume unpacked or mounted as a directory tree
 * (mapiprof_tree_hives, mapiprof_tree_resolve): its user hives found where
 * Windows keeps them, and paths inside it matched as Windows matches them,
 * case-insensitively.  The profile folders are Users (Windows Vista and
 * later) and Documents and Settings (Windows 2000 and XP); each user's
 * hive is NTUSER.DAT in their folder (Microsoft Learn, "User Profiles"). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/platform.h"
#include "image/names.h"
#include "store/store.h"

/* The folders that hold one folder per user profile. */
static const char *const profile_roots[] = {"Users", "Documents and Settings"};
#define USER_HIVE "NTUSER.DAT"
/* Profile folders read from one profile root at most: a bound on what a
 * hostile tree can make us list. */
#define MAX_USERS 100000u

/* The entry of dir whose name equals name: exactly when one does, else
 * case-insensitively (the first in listing order), or NULL; malloc'd.  A
 * missing dir finds nothing; other listing errors fail. */
static int
find_ci(struct mapiprof_ctx *ctx, const char *dir, const char *name, char **out)
{
	char **names = NULL;
	size_t n = 0;
	int rc = MAPIPROF_OK;
	*out = NULL;
	if (mp_dir_list(ctx, dir, &names, &n) != MAPIPROF_OK) {
		if (mapiprof_errno(ctx) == ENOENT || mapiprof_errno(ctx) == ENOTDIR) {
			mapiprof_clear_error(ctx);
			return MAPIPROF_OK;
		}
		return MAPIPROF_FAILED;
	}
	size_t idx[MP_IMAGE_MAX_CANDIDATES];
	if (mp_image_matches(names, n, name, idx) > 0 &&
	    (*out = mp_path_join(dir, names[idx[0]])) == NULL)
		rc = mp_nomem(ctx);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* 1 when path is a kind, itself and not through a symbolic link: a link in
 * an image (a junction such as Documents and Settings on Windows Vista and
 * later, seen through ntfs-3g) may point out of it, onto the host. */
static int
is_kind(const char *path, enum mp_file_kind kind)
{
	struct mp_file_attr a;
	int exists = 0;
	return mp_path_attr(NULL, path, &a, &exists) == MAPIPROF_OK && exists && !a.is_link &&
	       a.kind == kind;
}

static int
cmp_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the user hives below profile root folder proot to *v. */
static int
add_hives(struct mapiprof_ctx *ctx, const char *proot, char ***v, size_t *n, size_t *cap)
{
	char **users = NULL;
	size_t nusers = 0;
	int rc = MAPIPROF_OK;
	if (mp_dir_list(ctx, proot, &users, &nusers) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	for (size_t i = 0; i < nusers; i++) {
		char *udir = NULL, *hive = NULL;
		if (rc == MAPIPROF_OK && i < MAX_USERS) {
			udir = mp_path_join(proot, users[i]);
			if (udir == NULL)
				rc = mp_nomem(ctx);
			else if (is_kind(udir, MP_FILE_DIR))
				rc = find_ci(ctx, udir, USER_HIVE, &hive);
		}
		if (rc == MAPIPROF_OK && hive != NULL && is_kind(hive, MP_FILE_REGULAR)) {
			if (*n == *cap) {
				size_t ncap = *cap ? *cap * 2 : 16;
				char **p = realloc(*v, ncap * sizeof(*p));
				if (p == NULL) {
					rc = mp_nomem(ctx);
				} else {
					*v = p;
					*cap = ncap;
				}
			}
			if (rc == MAPIPROF_OK) {
				(*v)[(*n)++] = hive;
				hive = NULL;
			}
		}
		free(hive);
		free(udir);
		free(users[i]);
	}
	free(users);
	return rc;
}

int
mapiprof_tree_hives(struct mapiprof_ctx *ctx, const char *root, char ***paths, size_t *n)
{
	size_t cap = 0;
	int rc = MAPIPROF_OK;
	if (ctx == NULL || root == NULL || paths == NULL || n == NULL) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "mapiprof_tree_hives: NULL argument");
		return MAPIPROF_FAILED;
	}
	*paths = NULL;
	*n = 0;
	if (!is_kind(root, MP_FILE_DIR)) {
		mp_seterr(ctx, MAPIPROF_E_NOENT, "not a directory holding a Windows volume");
		mp_seterr_file(ctx, root);
		return MAPIPROF_FAILED;
	}
	/* Every entry of the root that names a profile folder in any case: a
	 * tree unpacked onto a case-sensitive file system may hold both
	 * "Users" and "users". */
	char **names = NULL;
	size_t nnames = 0;
	if (mp_dir_list(ctx, root, &names, &nnames) != MAPIPROF_OK)
		rc = MAPIPROF_FAILED;
	for (size_t i = 0; i < nnames; i++) {
		int wanted = 0;
		for (size_t j = 0; j < sizeof(profile_roots) / sizeof(*profile_roots); j++)
			wanted |= mp_name_casecmp(names[i], profile_roots[j]) == 0;
		char *proot = wanted && rc == MAPIPROF_OK ? mp_path_join(root, names[i]) : NULL;
		if (wanted && rc == MAPIPROF_OK && proot == NULL)
			rc = mp_nomem(ctx);
		if (proot != NULL && is_kind(proot, MP_FILE_DIR))
			rc = add_hives(ctx, proot, paths, n, &cap);
		free(proot);
		free(names[i]);
	}
	free(names);
	if (rc != MAPIPROF_OK) {
		mp_seterr_file(ctx, root);
		mapiprof_free_strings(*paths, *n);
		*paths = NULL;
		*n = 0;
		return MAPIPROF_FAILED;
	}
	if (*n > 1)
		qsort(*paths, *n, sizeof(**paths), cmp_paths);
	return MAPIPROF_OK;
}

/* Finds comp[i..n) below dir, trying at each level the exact name, then its
 * case variants in listing order; the last component must be a regular
 * file, the others directories, none a symbolic link (*link set when one
 * was met).  *out the path (malloc'd) or NULL. */
static int
walk(struct mapiprof_ctx *ctx, const char *dir, char **comp, size_t i, size_t n, char **out,
     int *link)
{
	char **names = NULL;
	size_t nn = 0, idx[MP_IMAGE_MAX_CANDIDATES];
	int rc = MAPIPROF_OK;
	*out = NULL;
	if (mp_dir_list(ctx, dir, &names, &nn) != MAPIPROF_OK) {
		mapiprof_clear_error(ctx); /* not a directory, or gone: not here */
		return MAPIPROF_OK;
	}
	size_t m = mp_image_matches(names, nn, comp[i], idx);
	for (size_t j = 0; j < m && *out == NULL && rc == MAPIPROF_OK; j++) {
		char *p = mp_path_join(dir, names[idx[j]]);
		if (p == NULL) {
			rc = mp_nomem(ctx);
			break;
		}
		if (!is_kind(p, MP_FILE_DIR) && !is_kind(p, MP_FILE_REGULAR))
			*link = 1;
		else if (i + 1 == n && is_kind(p, MP_FILE_REGULAR)) {
			*out = p; /* found: handed over */
			p = NULL;
		} else if (i + 1 < n && is_kind(p, MP_FILE_DIR))
			rc = walk(ctx, p, comp, i + 1, n, out, link);
		free(p);
	}
	for (size_t k = 0; k < nn; k++)
		free(names[k]);
	free(names);
	return rc;
}

int
mapiprof_tree_resolve(struct mapiprof_ctx *ctx, const char *root, const char *path, char **out)
{
	char *comp[MP_IMAGE_MAX_COMPONENTS];
	size_t n = 0;
	int rc = MAPIPROF_OK, link = 0;
	if (ctx == NULL || root == NULL || path == NULL || out == NULL) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "mapiprof_tree_resolve: NULL argument");
		return MAPIPROF_FAILED;
	}
	*out = NULL;
	rc = mp_image_components(ctx, path, comp, &n);
	if (rc == MAPIPROF_OK)
		rc = walk(ctx, root, comp, 0, n, out, &link);
	if (rc == MAPIPROF_OK && *out == NULL) {
		if (link)
			mp_seterr(ctx, MAPIPROF_E_INVALID,
			          "'%s' in the image is a link or not a file: not followed", path);
		else
			mp_seterr(ctx, MAPIPROF_E_NOENT, "no %s in the image", path);
		rc = MAPIPROF_FAILED;
	}
	mp_image_free_components(comp, n);
	if (rc != MAPIPROF_OK)
		mp_seterr_file(ctx, root);
	return rc;
}

void
mapiprof_free_strings(char **v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}
