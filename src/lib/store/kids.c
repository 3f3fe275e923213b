/* kids.c - children by name, sorted once per parent (store/kids.h). */
#include <stdlib.h>
#include <string.h>

#include "store/kids.h"

/* Parents kept: a walk from the root to a profile's sections passes about
 * eight; a key's children are looked up together. */
#define SLOTS 16u

struct kid {
	char *name;
	mp_key key;
};

struct slot {
	mp_key parent; /* 0: empty */
	struct kid *kids;
	size_t n, cap;
};

struct mp_kids {
	struct mp_store *s;
	struct slot slot[SLOTS];
	size_t next; /* the slot to reuse next */
};

struct mp_kids *
mp_kids_new(struct mp_store *s)
{
	struct mp_kids *k = calloc(1, sizeof(*k));
	if (k == NULL) {
		mp_nomem(s->ctx);
		return NULL;
	}
	k->s = s;
	return k;
}

static void
slot_clear(struct slot *sl)
{
	for (size_t i = 0; i < sl->n; i++)
		free(sl->kids[i].name);
	free(sl->kids);
	memset(sl, 0, sizeof(*sl));
}

void
mp_kids_free(struct mp_kids *k)
{
	if (k == NULL)
		return;
	for (size_t i = 0; i < SLOTS; i++)
		slot_clear(&k->slot[i]);
	free(k);
}

static int
kid_cmp(const void *a, const void *b)
{
	return mp_name_casecmp(((const struct kid *)a)->name, ((const struct kid *)b)->name);
}

/* The slot holding parent's children, read and sorted on first use. */
static int
slot_of(struct mp_kids *k, mp_key parent, struct slot **out)
{
	for (size_t i = 0; i < SLOTS; i++) {
		if (k->slot[i].parent == parent) {
			*out = &k->slot[i];
			return MAPIPROF_OK;
		}
	}
	struct slot *sl = &k->slot[k->next];
	k->next = (k->next + 1) % SLOTS;
	slot_clear(sl);
	mp_key *keys = NULL;
	size_t n = 0;
	if (k->s->ops->children(k->s, parent, &keys, &n) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	sl->kids = calloc(n > 0 ? n : 1, sizeof(*sl->kids));
	if (sl->kids == NULL) {
		free(keys);
		return mp_nomem(k->s->ctx);
	}
	sl->cap = n > 0 ? n : 1;
	for (size_t i = 0; i < n; i++) {
		if (k->s->ops->key_name(k->s, keys[i], &sl->kids[i].name) != MAPIPROF_OK) {
			sl->n = i;
			slot_clear(sl);
			free(keys);
			return MAPIPROF_FAILED;
		}
		sl->kids[i].key = keys[i];
	}
	free(keys);
	sl->n = n;
	qsort(sl->kids, n, sizeof(*sl->kids), kid_cmp);
	sl->parent = parent;
	*out = sl;
	return MAPIPROF_OK;
}

/* The index of the first child not below name. */
static size_t
lower_bound(const struct slot *sl, const char *name)
{
	size_t lo = 0, hi = sl->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (mp_name_casecmp(sl->kids[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
mp_kids_child(struct mp_kids *k, mp_key parent, const char *name, mp_key *out)
{
	struct slot *sl = NULL;
	*out = 0;
	if (slot_of(k, parent, &sl) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	size_t i = lower_bound(sl, name);
	if (i < sl->n && mp_name_casecmp(sl->kids[i].name, name) == 0)
		*out = sl->kids[i].key;
	return MAPIPROF_OK;
}

int
mp_kids_path(struct mp_kids *k, mp_key from, const char *path, mp_key *out)
{
	mp_key cur = from;
	*out = 0;
	for (const char *p = path; *p != '\0';) {
		size_t len = strcspn(p, "\\");
		if (len > 0) {
			char *comp = strndup(p, len);
			if (comp == NULL)
				return mp_nomem(k->s->ctx);
			int rc = mp_kids_child(k, cur, comp, &cur);
			free(comp);
			if (rc != MAPIPROF_OK)
				return MAPIPROF_FAILED;
			if (cur == 0)
				return MAPIPROF_OK;
		}
		p += len;
		if (*p == '\\')
			p++;
	}
	*out = cur;
	return MAPIPROF_OK;
}

int
mp_kids_added(struct mp_kids *k, mp_key parent, const char *name, mp_key child)
{
	struct slot *sl = NULL;
	for (size_t i = 0; i < SLOTS && sl == NULL; i++)
		if (k->slot[i].parent == parent)
			sl = &k->slot[i];
	if (sl == NULL)
		return MAPIPROF_OK; /* read in full when next asked */
	if (sl->n == sl->cap) {
		size_t ncap = sl->cap * 2;
		struct kid *p = realloc(sl->kids, ncap * sizeof(*p));
		if (p == NULL)
			return mp_nomem(k->s->ctx);
		sl->kids = p;
		sl->cap = ncap;
	}
	char *copy = strdup(name);
	if (copy == NULL)
		return mp_nomem(k->s->ctx);
	size_t i = lower_bound(sl, name);
	memmove(sl->kids + i + 1, sl->kids + i, (sl->n - i) * sizeof(*sl->kids));
	sl->kids[i].name = copy;
	sl->kids[i].key = child;
	sl->n++;
	return MAPIPROF_OK;
}
