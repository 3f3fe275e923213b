/* timeline.c - the keys of an open file's profiles with their last-write
 * times (mapi/timeline.h): one record per profile key and section key,
 * sorted by time for forensic timelines, with any further records (keys
 * recovered from free space) merged in. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mapi/locate.h"
#include "mapi/timeline.h"

/* A record and the order it was added in: qsort is not stable, and the
 * order breaks ties so that equal times keep file order. */
struct entry {
	struct mapiprof_keytime rec;
	size_t seq;
};

struct keytimes {
	struct entry *v;
	size_t n, cap;
};

static int
add(struct mapiprof_file *file, struct keytimes *k, const struct mapiprof_keytime *rec)
{
	if (k->n == k->cap) {
		size_t cap = k->cap != 0 ? k->cap * 2 : 64;
		struct entry *nv = realloc(k->v, cap * sizeof(*nv));
		if (nv == NULL)
			return mp_nomem(file->ctx);
		k->v = nv;
		k->cap = cap;
	}
	k->v[k->n].rec = *rec;
	k->v[k->n].seq = k->n;
	k->n++;
	return MAPIPROF_OK;
}

/* Every profile key, then its sections in pre-order. */
static int
add_live(struct mapiprof_file *file, struct keytimes *k)
{
	for (size_t i = 0; i < file->nprofiles; i++) {
		const struct mp_profile *p = &file->profiles[i];
		const char *ppath =
		    mp_arena_printf(&file->arena, "%s\\%s", p->pub.root, p->pub.name);
		if (ppath == NULL)
			return mp_nomem(file->ctx);
		struct mapiprof_keytime rec = {p->pub.last_write, ppath, p->pub.name, NULL,
		                               "profile",         0};
		if (add(file, k, &rec) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		for (size_t j = 0; j < p->sections.n; j++) {
			const struct mapiprof_section *s = &p->sections.v[j].pub;
			rec.last_write = s->last_write;
			rec.path = mp_arena_printf(&file->arena, "%s\\%s", ppath, s->uid);
			rec.section = s->uid;
			rec.role = s->role;
			if (rec.path == NULL)
				return mp_nomem(file->ctx);
			if (add(file, k, &rec) != MAPIPROF_OK)
				return MAPIPROF_FAILED;
		}
	}
	return MAPIPROF_OK;
}

static int
cmp_entry(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	if (a->rec.last_write != b->rec.last_write)
		return a->rec.last_write < b->rec.last_write ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

int
mp_timeline(struct mapiprof_file *file, const struct mapiprof_keytime *more, size_t nmore,
            struct mapiprof_keytime **out, size_t *n)
{
	struct keytimes k = {NULL, 0, 0};
	*out = NULL;
	*n = 0;
	int rc = add_live(file, &k);
	for (size_t i = 0; rc == MAPIPROF_OK && i < nmore; i++)
		rc = add(file, &k, &more[i]);
	struct mapiprof_keytime *sorted = NULL;
	if (rc == MAPIPROF_OK && (sorted = malloc((k.n + 1) * sizeof(*sorted))) == NULL)
		rc = mp_nomem(file->ctx);
	if (rc == MAPIPROF_OK) {
		if (k.n > 1)
			qsort(k.v, k.n, sizeof(*k.v), cmp_entry);
		for (size_t i = 0; i < k.n; i++)
			sorted[i] = k.v[i].rec;
		*out = sorted;
		*n = k.n;
	}
	free(k.v);
	return rc;
}
