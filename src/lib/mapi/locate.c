/* locate.c - finds every MAPI profile in a store: the Profiles roots of
 * Office and the Windows Messaging Subsystem, the default profile and each
 * profile's services (MFCMAPI RegistryDialog.cpp, OutlookTrace). */
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "mapi/locate.h"

/* Roots relative to the hive root (= HKCU): MFCMAPI's RegistryDialog.cpp,
 * and KB Q183904 for Windows 9x.  Office roots are
 * OFFICE_KEY\<NN.N>\Outlook\Profiles for every version child (OutlookTrace). */
#define OFFICE_KEY "Software\\Microsoft\\Office"
#define WMS_NT_KEY                                                                                 \
	"Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles"
#define WMS_9X_KEY "Software\\Microsoft\\Windows Messaging Subsystem\\Profiles"
/* String value naming the default profile: in the Profiles key for the
 * WMS roots (Grundgeiger, "CDO & MAPI Programming", ch. 2), in
 * Office\<NN.N>\Outlook for Office roots (OutlookTrace). */
#define DEFAULT_VALUE "DefaultProfile"

/* One Profiles key found. */
struct root {
	mp_key profiles;            /* the Profiles key */
	mp_key default_key;         /* key holding DefaultProfile */
	const char *path;           /* Profiles key path as stored */
	const char *kind;           /* "office", "wms", "wms9x" */
	const char *office_version; /* "16.0" as stored, or NULL */
	unsigned long major, minor; /* parsed office_version, for ordering */
	size_t order;               /* discovery order, to keep the sort stable */
};

struct roots {
	struct root *v; /* malloc'd */
	size_t n, cap;
};

static int
roots_add(struct mapiprof_ctx *ctx, struct roots *r, const struct root *add)
{
	if (r->n == r->cap) {
		size_t cap = r->cap == 0 ? 8 : r->cap * 2;
		struct root *nv = realloc(r->v, cap * sizeof(*nv));
		if (nv == NULL)
			return mp_nomem(ctx);
		r->v = nv;
		r->cap = cap;
	}
	r->v[r->n] = *add;
	r->v[r->n].order = r->n;
	r->n++;
	return MAPIPROF_OK;
}

/* Walks the '\'-separated path below from (mp_store_path_stored) and sets
 * *stored to base + the components as stored (arena).  *out = 0 when a
 * component is absent. */
static int
walk_stored(struct mp_store *s, struct mp_arena *a, mp_key from, const char *base, const char *path,
            mp_key *out, const char **stored)
{
	const char *rel = NULL;
	if (mp_store_path_stored(s, from, path, out, a, &rel) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (*out == 0)
		return MAPIPROF_OK;
	*stored = base == NULL ? rel : mp_arena_printf(a, "%s\\%s", base, rel);
	return *stored == NULL ? mp_nomem(s->ctx) : MAPIPROF_OK;
}

int
mp_office_version_parse(const char *name, unsigned long *major, unsigned long *minor)
{
	unsigned long part[2] = {0, 0};
	const char *p = name;
	for (int i = 0; i < 2; i++) {
		size_t digits = 0;
		while (*p >= '0' && *p <= '9' && digits < 10) {
			part[i] = part[i] * 10u + (unsigned long)(*p - '0');
			p++;
			digits++;
		}
		if (digits == 0 || digits > 9)
			return 0;
		if (i == 0 && *p++ != '.')
			return 0;
	}
	*major = part[0];
	*minor = part[1];
	return *p == '\0';
}

/* Adds the root of one Office version key if it has Outlook\Profiles. */
static int
add_office_root(struct mp_store *s, struct mp_arena *a, struct roots *r, mp_key ver,
                const char *office_path)
{
	char *name = NULL;
	if (s->ops->key_name(s, ver, &name) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	struct root root;
	memset(&root, 0, sizeof(root));
	int rc = MAPIPROF_OK;
	if (!mp_office_version_parse(name, &root.major, &root.minor))
		goto out;
	root.kind = "office";
	root.office_version = mp_arena_strdup(a, name);
	const char *base = mp_arena_printf(a, "%s\\%s", office_path, name);
	const char *outlook_path = NULL;
	if (root.office_version == NULL || base == NULL) {
		rc = mp_nomem(s->ctx);
		goto out;
	}
	rc = walk_stored(s, a, ver, base, "Outlook", &root.default_key, &outlook_path);
	if (rc != MAPIPROF_OK || root.default_key == 0)
		goto out;
	rc = walk_stored(s, a, root.default_key, outlook_path, "Profiles", &root.profiles,
	                 &root.path);
	if (rc == MAPIPROF_OK && root.profiles != 0)
		rc = roots_add(s->ctx, r, &root);
out:
	free(name);
	return rc;
}

static int
find_office_roots(struct mp_store *s, struct mp_arena *a, mp_key hive_root, struct roots *r)
{
	mp_key office = 0;
	const char *office_path = NULL;
	if (walk_stored(s, a, hive_root, NULL, OFFICE_KEY, &office, &office_path) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (office == 0)
		return MAPIPROF_OK;
	mp_key *kids = NULL;
	size_t nk = 0;
	if (s->ops->children(s, office, &kids, &nk) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = MAPIPROF_OK;
	for (size_t i = 0; i < nk && rc == MAPIPROF_OK; i++)
		rc = add_office_root(s, a, r, kids[i], office_path);
	free(kids);
	return rc;
}

static int
find_wms_root(struct mp_store *s, struct mp_arena *a, mp_key hive_root, const char *path,
              const char *kind, struct roots *r)
{
	struct root root;
	memset(&root, 0, sizeof(root));
	root.kind = kind;
	if (walk_stored(s, a, hive_root, NULL, path, &root.profiles, &root.path) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (root.profiles == 0)
		return MAPIPROF_OK;
	root.default_key = root.profiles;
	return roots_add(s->ctx, r, &root);
}

/* Office roots first, newest version first; then wms, then wms9x (the
 * header's "newest root first"). */
static int
root_cmp(const void *pa, const void *pb)
{
	const struct root *x = pa, *y = pb;
	int xo = x->office_version != NULL, yo = y->office_version != NULL;
	if (xo != yo)
		return xo ? -1 : 1;
	if (xo && x->major != y->major)
		return x->major > y->major ? -1 : 1;
	if (xo && x->minor != y->minor)
		return x->minor > y->minor ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order ? 1 : 0;
}

static int
find_roots(struct mp_store *s, struct mp_arena *a, struct roots *r)
{
	mp_key hive_root = 0;
	if (s->ops->root(s, &hive_root) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (find_office_roots(s, a, hive_root, r) != MAPIPROF_OK ||
	    find_wms_root(s, a, hive_root, WMS_NT_KEY, "wms", r) != MAPIPROF_OK ||
	    find_wms_root(s, a, hive_root, WMS_9X_KEY, "wms9x", r) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(*r->v), root_cmp);
	return MAPIPROF_OK;
}

/* The DefaultProfile string of a root, or NULL when absent. */
static int
read_default(struct mp_store *s, struct mp_arena *a, const struct root *root, const char **out)
{
	struct mp_value *vals = NULL;
	size_t nv = 0;
	*out = NULL;
	if (s->ops->values(s, root->default_key, &vals, &nv) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = MAPIPROF_OK;
	const struct mp_value *v = mp_store_value_find(vals, nv, DEFAULT_VALUE);
	if (v != NULL)
		rc = mp_section_value_string(s->ctx, a, v, out);
	mp_store_values_free(vals, nv);
	return rc;
}

struct profiles {
	struct mp_profile *v; /* malloc'd */
	size_t n, cap;
};

/* Loads one profile key of root: name, sections, services. */
static int
load_profile(struct mp_store *s, struct mp_arena *a, const struct root *root,
             const char *default_name, mp_key key, struct mp_profile *p)
{
	memset(p, 0, sizeof(*p));
	p->key = key;
	p->pub.root = root->path;
	p->pub.root_kind = root->kind;
	p->pub.office_version = root->office_version;
	char *name = NULL;
	if (s->ops->key_name(s, key, &name) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	p->pub.name = mp_arena_strdup(a, name);
	free(name);
	const char *where =
	    p->pub.name != NULL ? mp_arena_printf(a, "profile '%s'", p->pub.name) : NULL;
	if (where == NULL)
		return mp_nomem(s->ctx);
	p->pub.is_default = default_name != NULL && mp_name_casecmp(default_name, p->pub.name) == 0;
	if (s->ops->key_mtime(s, key, &p->pub.last_write) != MAPIPROF_OK ||
	    mp_section_load(s, a, key, where, &p->sections) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return mp_section_service_names(s->ctx, a, &p->sections, &p->pub.services,
	                                &p->pub.nservices);
}

static int
load_root(struct mp_store *s, struct mp_arena *a, const struct root *root, struct profiles *ps)
{
	const char *default_name = NULL;
	if (read_default(s, a, root, &default_name) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	mp_key *kids = NULL;
	size_t nk = 0;
	if (s->ops->children(s, root->profiles, &kids, &nk) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = MAPIPROF_OK;
	if (nk > MP_MAX_PROFILES) {
		mp_seterr(s->ctx, MAPIPROF_E_LIMIT, "%s: %zu profiles (at most %u)", root->path, nk,
		          MP_MAX_PROFILES);
		rc = MAPIPROF_FAILED;
		goto out;
	}
	if (ps->cap - ps->n < nk) {
		size_t cap = ps->n + nk;
		struct mp_profile *nv = realloc(ps->v, cap * sizeof(*nv));
		if (nv == NULL) {
			rc = mp_nomem(s->ctx);
			goto out;
		}
		ps->v = nv;
		ps->cap = cap;
	}
	for (size_t i = 0; i < nk && rc == MAPIPROF_OK; i++) {
		rc = load_profile(s, a, root, default_name, kids[i], &ps->v[ps->n]);
		if (rc == MAPIPROF_OK)
			ps->n++;
	}
out:
	free(kids);
	return rc;
}

int
mp_locate_profiles(struct mp_store *s, struct mp_arena *a, struct mp_profile **out, size_t *n)
{
	struct roots r = {NULL, 0, 0};
	struct profiles ps = {NULL, 0, 0};
	*out = NULL;
	*n = 0;
	int rc = find_roots(s, a, &r);
	for (size_t i = 0; i < r.n && rc == MAPIPROF_OK; i++)
		rc = load_root(s, a, &r.v[i], &ps);
	if (rc == MAPIPROF_OK && ps.n > 0) {
		*out = mp_arena_memdup(a, ps.v, ps.n * sizeof(*ps.v));
		if (*out == NULL)
			rc = mp_nomem(s->ctx);
		else
			*n = ps.n;
	}
	free(ps.v);
	free(r.v);
	return rc;
}
