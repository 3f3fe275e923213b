/* deleted.c - the public facade of deleted and earlier data: the keys and
 * values regf/carve.c recovers from a hive's free cells, placed below the
 * Profiles roots (mapi/locate.h), given their profile and section role
 * and decoded by mapi/decode.c as live values are. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "mapi/decode.h"
#include "mapi/locate.h"
#include "mapi/section.h"
#include "regf/base_block.h"
#include "regf/carve.h"
#include "store/store.h"
#include "write/recover.h"

/* The Profiles roots (MFCMAPI RegistryDialog.cpp; OutlookTrace), from the
 * hive root; "*" is an Office version ("16.0"). */
static const char *const roots[][6] = {
    {"Software", "Microsoft", "Office", "*", "Outlook", "Profiles"},
    {"Software", "Microsoft", "Windows NT", "CurrentVersion", "Windows Messaging Subsystem",
     "Profiles"},
    {"Software", "Microsoft", "Windows Messaging Subsystem", "Profiles", NULL, NULL},
};

/* The account manager key: its subkeys are accounts (OutlookTrace). */
#define ACCOUNTS_UID "9375CFF0413111d3B88A00104B2A6676"

/* How many names of path form a Profiles root, or 0. */
static size_t
root_len(const char *const *names, size_t depth)
{
	for (size_t r = 0; r < sizeof(roots) / sizeof(roots[0]); r++) {
		size_t n = 0;
		while (n < 6 && roots[r][n] != NULL)
			n++;
		if (depth < n)
			continue;
		size_t i = 0;
		unsigned long major, minor;
		for (; i < n; i++)
			if (strcmp(roots[r][i], "*") == 0
			        ? !mp_office_version_parse(names[i], &major, &minor)
			        : mp_name_casecmp(roots[r][i], names[i]) != 0)
				break;
		if (i == n)
			return n;
	}
	return 0;
}

static const char *
join(struct mp_arena *a, const char *prefix, const char *const *names, size_t n)
{
	size_t len = prefix != NULL ? strlen(prefix) : 0;
	for (size_t i = 0; i < n; i++)
		len += strlen(names[i]) + 1u;
	char *s = mp_arena_alloc(a, len + 1u), *p = s;
	if (s == NULL)
		return NULL;
	if (prefix != NULL)
		p = stpcpy(p, prefix);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			*p++ = '\\';
		p = stpcpy(p, names[i]);
	}
	*p = '\0';
	return s;
}

/* 1 when name is 32 hex digits, as section keys are named. */
static int
is_uid_name(const char *name)
{
	size_t i = 0;
	for (; name[i] != '\0'; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f') ||
		      (name[i] >= 'A' && name[i] <= 'F')))
			return 0;
	return i == 32;
}

struct builder {
	struct mapiprof_file *f;
	struct mp_carve c;
	struct mapiprof_deleted_key *v;
	size_t n, cap;
	/* The values of key k are vals[byk[start[k] .. start[k + 1])], the
	 * orphan values (no key) k = nkeys; so each key's are found once. */
	size_t *start, *byk;
	const char *names[MP_MAX_KEY_DEPTH]; /* a key's path, mp_carve_path */
};

/* The live profile named name in the root at path root, or SIZE_MAX. */
static size_t
live_profile(const struct mapiprof_file *f, const char *root, const char *name)
{
	for (size_t i = 0; i < f->nprofiles; i++)
		if (mp_name_casecmp(f->profiles[i].pub.root, root) == 0 &&
		    mp_name_casecmp(f->profiles[i].pub.name, name) == 0)
			return i;
	return SIZE_MAX;
}

/* The section role of a key below a profile: the live section's, else
 * told by its name and place. */
static const char *
role_of(const struct mapiprof_file *f, size_t prof, const char *const *below, size_t n,
        const char *section, size_t *live_index)
{
	*live_index = SIZE_MAX;
	if (prof != SIZE_MAX) {
		const struct mp_section_set *set = &f->profiles[prof].sections;
		for (size_t i = 0; i < set->n; i++)
			if (mp_name_casecmp(set->v[i].pub.uid, section) == 0) {
				*live_index = i;
				return set->v[i].pub.role;
			}
	}
	const char *r = n == 1 ? mp_section_uid_role(below[0]) : NULL;
	if (r != NULL)
		return r;
	if (n == 2 && mp_name_casecmp(below[0], ACCOUNTS_UID) == 0)
		return "account";
	if (n == 1 && prof != SIZE_MAX && is_uid_name(below[0])) {
		const struct mp_section_set *set = &f->profiles[prof].sections;
		uint8_t uid[16];
		for (size_t i = 0; i < 16; i++) {
			char hx[3] = {below[0][2 * i], below[0][2 * i + 1], '\0'};
			uid[i] = (uint8_t)strtoul(hx, NULL, 16);
		}
		for (size_t i = 0; i < set->nservices; i++)
			if (memcmp(set->services + 16u * i, uid, 16) == 0)
				return "service";
	}
	return "unknown";
}

/* 1 when a recovered value of key ki is named like a property (TTTTIIII). */
static int
has_tag_value(const struct builder *b, size_t ki)
{
	uint32_t tag;
	int secure;
	for (size_t j = b->start[ki]; j < b->start[ki + 1u]; j++)
		if (mp_parse_value_name(b->c.vals[b->byk[j]].name, &tag, &secure))
			return 1;
	return 0;
}

/* The role a direct child of a profile has by its own recovered values,
 * as the live walk tells it from the same cross-references (section.c):
 * PR_SERVICE_NAME makes a service section, PR_SERVICE_UID a provider's. */
static const char *
role_by_values(const struct builder *b, size_t ki)
{
	int provider = 0;
	for (size_t j = b->start[ki]; j < b->start[ki + 1u]; j++) {
		const char *name = b->c.vals[b->byk[j]].name;
		if (mp_name_casecmp(name, "001e3d09") == 0 ||
		    mp_name_casecmp(name, "001f3d09") == 0)
			return "service";
		provider |= mp_name_casecmp(name, "01023d0c") == 0;
	}
	return provider ? "provider" : "unknown";
}

/* Decodes the values of carve key ki (SIZE_MAX: the orphan values) into
 * out, keeping those only_tags allows. */
static int
decode_values(struct builder *b, size_t ki, const struct mp_scope *scope, int only_tags,
              struct mapiprof_deleted_key *out)
{
	struct mapiprof_file *f = b->f;
	struct mp_value *live = NULL;
	size_t nlive = 0, count = 0;
	int rc = MAPIPROF_OK;
	size_t slot = ki == SIZE_MAX ? b->c.nkeys : ki;
	count = b->start[slot + 1u] - b->start[slot];
	struct mapiprof_deleted_prop *p =
	    mp_arena_calloc(&f->arena, count > 0 ? count : 1u, sizeof(*p));
	if (p == NULL)
		return mp_nomem(f->ctx);
	/* A live key whose values hivex cannot read has no "earlier" values:
	 * what free space holds is still shown. */
	if (ki != SIZE_MAX && b->c.keys[ki].live &&
	    f->store->ops->values(f->store, (mp_key)b->c.keys[ki].rel + MP_REGF_BASE_BLOCK, &live,
	                          &nlive) != MAPIPROF_OK) {
		if (mapiprof_errcode(f->ctx) == MAPIPROF_E_NOMEM)
			return MAPIPROF_FAILED;
		mapiprof_clear_error(f->ctx);
		live = NULL;
		nlive = 0;
	}
	size_t k = 0;
	for (size_t j = b->start[slot]; j < b->start[slot + 1u] && rc == MAPIPROF_OK; j++) {
		const struct mp_carve_val *v = &b->c.vals[b->byk[j]];
		uint32_t tag;
		int secure;
		if (only_tags && !mp_parse_value_name(v->name, &tag, &secure))
			continue;
		/* An old cell holding what the key still holds tells nothing (hivex
		 * rewrites every value of a key to change one). */
		const struct mp_value *now = mp_store_value_find(live, nlive, v->name);
		if (now != NULL && !v->data_lost && now->type == v->type && now->len == v->len &&
		    (v->len == 0 || memcmp(now->data, v->data, v->len) == 0))
			continue;
		struct mapiprof_deleted_prop *d = &p[k++];
		rc = mp_decode_value(f->ctx, &f->arena, scope, f->ctx->codepage, v->name, v->type,
		                     v->data_lost ? NULL : v->data, v->data_lost ? 0 : v->len,
		                     &d->prop);
		d->offset = (uint64_t)v->rel + MP_REGF_BASE_BLOCK;
		d->earlier = now != NULL;
		if (v->data_lost) {
			d->data_overwritten = 1;
			d->prop.kind = MAPIPROF_V_RAW;
			d->prop.error = "data overwritten";
			d->prop.data = NULL;
			d->prop.len = 0;
		}
	}
	mp_store_values_free(live, nlive);
	out->props = p;
	out->nprops = k;
	return rc;
}

static int
push(struct builder *b, struct mapiprof_deleted_key **out)
{
	if (b->n == b->cap) {
		size_t ncap = b->cap > 0 ? b->cap * 2u : 16u;
		void *p = realloc(b->v, ncap * sizeof(*b->v));
		if (p == NULL)
			return mp_nomem(b->f->ctx);
		b->v = p;
		b->cap = ncap;
	}
	*out = &b->v[b->n++];
	memset(*out, 0, sizeof(**out));
	(*out)->live_profile = SIZE_MAX;
	return MAPIPROF_OK;
}

/* Places carve key ki: below a Profiles root, as an orphan that looks
 * like profile data, or not at all. */
static int
place(struct builder *b, size_t ki)
{
	struct mapiprof_file *f = b->f;
	const struct mp_carve_key *ck = &b->c.keys[ki];
	const char **names = b->names;
	size_t depth = 0, r = 0;
	int orphan = 0;
	if (ck->live && ck->nvals == 0)
		return MAPIPROF_OK;
	mp_carve_path(&b->c, ki, names, &depth, &orphan);
	/* As deep as the live walk goes below a profile (mapi/section.h), so
	 * that the paths kept stay within a few times the image's size. */
	if (!orphan && ((r = root_len(names, depth)) == 0 || depth <= r ||
	                depth - r - 1u > MP_MAX_SECTION_DEPTH))
		return MAPIPROF_OK;
	if (orphan && depth > MP_MAX_SECTION_DEPTH + 1u) {
		names += depth - MP_MAX_SECTION_DEPTH - 1u;
		depth = MP_MAX_SECTION_DEPTH + 1u;
	}
	if (orphan && (ck->live || (!is_uid_name(ck->name) && !has_tag_value(b, ki))))
		return MAPIPROF_OK;
	struct mapiprof_deleted_key *d = NULL;
	if (push(b, &d) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	d->orphan = orphan;
	d->deleted = !ck->live;
	d->last_write = ck->time;
	d->offset = (uint64_t)ck->rel + MP_REGF_BASE_BLOCK;
	d->path = join(&f->arena, orphan ? "?\\" : NULL, names, depth);
	struct mp_scope scope = {NULL, NULL};
	if (orphan) {
		d->role = is_uid_name(ck->name) ? mp_section_uid_role(ck->name) : NULL;
		d->role = d->role != NULL ? d->role : "unknown";
		d->section = is_uid_name(ck->name) ? mp_arena_strdup(&f->arena, ck->name) : NULL;
	} else {
		d->root = join(&f->arena, NULL, names, r);
		d->profile = mp_arena_strdup(&f->arena, names[r]);
		d->live_profile = d->root != NULL && d->profile != NULL
		                      ? live_profile(f, d->root, d->profile)
		                      : SIZE_MAX;
		size_t live_sec = SIZE_MAX;
		if (depth == r + 1u) {
			d->role = "profile";
		} else {
			d->section = join(&f->arena, NULL, names + r + 1u, depth - r - 1u);
			if (d->section == NULL)
				return mp_nomem(f->ctx);
			d->role = role_of(f, d->live_profile, names + r + 1u, depth - r - 1u,
			                  d->section, &live_sec);
			if (strcmp(d->role, "unknown") == 0 && depth == r + 2u)
				d->role = role_by_values(b, ki);
		}
		if (live_sec != SIZE_MAX)
			mp_section_scope(&f->profiles[d->live_profile].sections, live_sec, &scope);
	}
	if (d->path == NULL || (!orphan && (d->root == NULL || d->profile == NULL)))
		return mp_nomem(f->ctx);
	if (scope.role == NULL) {
		scope.role = d->role;
		if (strcmp(d->role, "global") == 0 || strcmp(d->role, "emsab") == 0 ||
		    strcmp(d->role, "emsmdb") == 0)
			scope.provider = "exchange";
		else if (strcmp(d->role, "outlook") == 0)
			scope.provider = "outlook";
	}
	/* Every value of a placed key is its; an orphan's only when named
	 * like a property. */
	if (decode_values(b, ki, &scope, orphan, d) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	/* A live key whose old cells all equal what it holds now. */
	if (!d->deleted && d->nprops == 0)
		b->n--;
	return MAPIPROF_OK;
}

/* Groups the values by key (counting sort, in vk offset order). */
static int
index_values(struct builder *b)
{
	size_t nk = b->c.nkeys;
	b->start = calloc(nk + 2u, sizeof(*b->start));
	b->byk = malloc((b->c.nvals > 0 ? b->c.nvals : 1u) * sizeof(*b->byk));
	if (b->start == NULL || b->byk == NULL)
		return mp_nomem(b->f->ctx);
	for (size_t i = 0; i < b->c.nvals; i++) {
		size_t k = b->c.vals[i].key != SIZE_MAX ? b->c.vals[i].key : nk;
		b->start[k + 1u]++;
	}
	for (size_t k = 0; k <= nk; k++)
		b->start[k + 1u] += b->start[k];
	size_t *fill = calloc(nk + 1u, sizeof(*fill));
	if (fill == NULL)
		return mp_nomem(b->f->ctx);
	for (size_t i = 0; i < b->c.nvals; i++) {
		size_t k = b->c.vals[i].key != SIZE_MAX ? b->c.vals[i].key : nk;
		b->byk[b->start[k] + fill[k]++] = i;
	}
	free(fill);
	return MAPIPROF_OK;
}

static int
key_cmp(const void *x, const void *y)
{
	const struct mapiprof_deleted_key *a = x, *b = y;
	if ((a->path == NULL) != (b->path == NULL))
		return a->path == NULL ? 1 : -1;
	if (a->orphan != b->orphan)
		return a->orphan - b->orphan;
	if (a->path == NULL)
		return 0;
	int c = mp_name_casecmp(a->path, b->path);
	return c != 0 ? c : (a->offset > b->offset) - (a->offset < b->offset);
}

static int
load(struct mapiprof_file *f)
{
	struct builder b = {.f = f};
	const char *path = f->recovered != NULL ? f->recovered->path : f->path;
	if (mp_regf_carve_file(f->ctx, path, &b.c) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = index_values(&b);
	for (size_t i = 0; i < b.c.nkeys && rc == MAPIPROF_OK; i++)
		rc = place(&b, i);
	struct mapiprof_deleted_key *orph = NULL;
	if (rc == MAPIPROF_OK && (rc = push(&b, &orph)) == MAPIPROF_OK) {
		orph->orphan = 1;
		orph->deleted = 1;
		orph->role = "unknown";
		rc = decode_values(&b, SIZE_MAX, &(struct mp_scope){NULL, NULL}, 1, orph);
		if (rc == MAPIPROF_OK && orph->nprops == 0)
			b.n--;
	}
	if (rc == MAPIPROF_OK && b.n > 0) {
		qsort(b.v, b.n, sizeof(*b.v), key_cmp);
		f->deleted = mp_arena_memdup(&f->arena, b.v, b.n * sizeof(*b.v));
		if (f->deleted == NULL)
			rc = mp_nomem(f->ctx);
	}
	if (rc == MAPIPROF_OK) {
		f->ndeleted = b.n;
		f->deleted_truncated = b.c.truncated;
		f->deleted_loaded = 1;
	}
	free(b.v);
	free(b.start);
	free(b.byk);
	mp_carve_free(&b.c);
	return rc;
}

int
mapiprof_deleted_supported(const struct mapiprof_file *file)
{
	return file != NULL && file->store != NULL && strcmp(file->store->ops->format, "regf") == 0;
}

int
mapiprof_deleted_keys(struct mapiprof_file *file, const struct mapiprof_deleted_key **keys,
                      size_t *n, int *truncated)
{
	if (file == NULL || keys == NULL || n == NULL) {
		mp_seterr(file != NULL ? file->ctx : NULL, MAPIPROF_E_INVALID,
		          "mapiprof_deleted_keys: NULL argument");
		return MAPIPROF_FAILED;
	}
	*keys = NULL;
	*n = 0;
	if (truncated != NULL)
		*truncated = 0;
	if (!mapiprof_deleted_supported(file))
		return MAPIPROF_OK;
	if (!file->deleted_loaded && load(file) != MAPIPROF_OK) {
		mp_seterr_file(file->ctx, file->name);
		return MAPIPROF_FAILED;
	}
	*keys = file->deleted;
	*n = file->ndeleted;
	if (truncated != NULL)
		*truncated = file->deleted_truncated;
	return MAPIPROF_OK;
}
