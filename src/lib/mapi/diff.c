/* diff.c - a decoded comparison of the profiles of two open files
 * (mapiprof_diff): profile -> section -> value, added, removed or changed,
 * with the flag bits a change sets and clears.  Any two files compare, a
 * hive and a .reg file alike, since only decoded profiles are compared. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mapi/locate.h"
#include "mapi/profiles.h"

struct mapiprof_diff {
	struct mp_arena arena; /* flag name lists */
	struct mapiprof_diff_change *v;
	size_t n, cap;
};

/* What one comparison shares. */
struct differ {
	struct mapiprof_file *a, *b;
	const struct mapiprof_diff_opts *opts;
	struct mapiprof_diff *d;
};

/* A name and where it is, for sorted lookups by registry name. */
struct named {
	const char *name;
	size_t index;
};

static int
cmp_named(const void *pa, const void *pb)
{
	const struct named *a = pa, *b = pb;
	int c = mp_name_casecmp(a->name, b->name);
	if (c != 0)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* Index of the first entry named name in v[0..n) (sorted), or SIZE_MAX. */
static size_t
find_named(const struct named *v, size_t n, const char *name)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (mp_name_casecmp(v[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && mp_name_casecmp(v[lo].name, name) == 0 ? v[lo].index : SIZE_MAX;
}

static int
push(struct differ *df, const struct mapiprof_diff_change *c)
{
	struct mapiprof_diff *d = df->d;
	if (d->n == d->cap) {
		size_t cap = d->cap != 0 ? d->cap * 2 : 32;
		struct mapiprof_diff_change *nv = realloc(d->v, cap * sizeof(*nv));
		if (nv == NULL)
			return mp_nomem(df->a->ctx);
		d->v = nv;
		d->cap = cap;
	}
	d->v[d->n++] = *c;
	return MAPIPROF_OK;
}

/* ---- values ---------------------------------------------------------- */

static int
same_value(const struct mapiprof_prop *x, const struct mapiprof_prop *y)
{
	return x->reg_type == y->reg_type && x->len == y->len &&
	       (x->len == 0 || memcmp(x->data, y->data, x->len) == 0);
}

/* 1 when name is an enumeration value of tag's flag table (its names say
 * which value, not which bits). */
static int
is_enum_name(uint32_t tag, const char *name)
{
	for (size_t i = 0; i < mapiprof_flag_count(); i++) {
		const struct mapiprof_flagdef *f = mapiprof_flag_at(i);
		if (f->tag == tag && strcmp(f->name, name) == 0)
			return f->is_enum;
	}
	return 0;
}

/* The bits of tag's values that hold enumerations (the masks of its
 * enumeration rows; all bits for a value that is one enumeration): not
 * flag bits, so never reported as set or cleared. */
static uint32_t
enum_mask(uint32_t tag)
{
	uint32_t m = 0;
	for (size_t i = 0; i < mapiprof_flag_count(); i++) {
		const struct mapiprof_flagdef *f = mapiprof_flag_at(i);
		if (f->tag == tag && f->is_enum)
			m |= f->mask;
	}
	return m;
}

static int
has_name(const struct mapiprof_prop *p, const char *name)
{
	for (size_t i = 0; p != NULL && i < p->nflags; i++)
		if (strcmp(p->flags[i], name) == 0)
			return 1;
	return 0;
}

/* The bit flags of to that from lacks, into the diff's arena. */
static int
new_names(struct differ *df, const struct mapiprof_prop *from, const struct mapiprof_prop *to,
          const char *const **names, size_t *n)
{
	*names = NULL;
	*n = 0;
	if (to == NULL || to->nflags == 0)
		return MAPIPROF_OK;
	const char **v = mp_arena_calloc(&df->d->arena, to->nflags, sizeof(*v));
	if (v == NULL)
		return mp_nomem(df->a->ctx);
	size_t k = 0;
	for (size_t i = 0; i < to->nflags; i++)
		if (!has_name(from, to->flags[i]) && !is_enum_name(to->tag, to->flags[i]))
			v[k++] = to->flags[i];
	*names = v;
	*n = k;
	return MAPIPROF_OK;
}

/* An integer with a flag table, or absent. */
static int
flag_int(const struct mapiprof_prop *p)
{
	return p == NULL || (p->kind == MAPIPROF_V_INT && p->has_flags);
}

/* The bits and flag names a change sets and clears. */
static int
fill_bits(struct differ *df, struct mapiprof_diff_change *c)
{
	const struct mapiprof_prop *x = c->before, *y = c->after;
	if (!flag_int(x) || !flag_int(y) || (x == NULL && y == NULL))
		return MAPIPROF_OK;
	uint32_t vx = x != NULL ? (uint32_t)x->i : 0, vy = y != NULL ? (uint32_t)y->i : 0;
	uint32_t flag_bits = ~enum_mask(x != NULL ? x->tag : y->tag);
	c->bits_set = vy & ~vx & flag_bits;
	c->bits_cleared = vx & ~vy & flag_bits;
	c->unknown_set = y != NULL ? c->bits_set & y->unknown_bits : 0;
	c->unknown_cleared = x != NULL ? c->bits_cleared & x->unknown_bits : 0;
	if (new_names(df, x, y, &c->set_names, &c->nset_names) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return new_names(df, y, x, &c->cleared_names, &c->ncleared_names);
}

/* ---- sections -------------------------------------------------------- */

/* A side of a comparison: a profile and a section of a file, either
 * SIZE_MAX when absent. */
struct side {
	struct mapiprof_file *f;
	size_t profile, section;
};

static void
change_init(struct mapiprof_diff_change *c, const struct side *x, const struct side *y)
{
	const struct side *s = x->section != SIZE_MAX ? x : y;
	const struct mapiprof_profile *p = x->profile != SIZE_MAX
	                                       ? mapiprof_profile_at(x->f, x->profile)
	                                       : mapiprof_profile_at(y->f, y->profile);
	memset(c, 0, sizeof(*c));
	c->profile = p->name;
	c->root = p->root;
	if (s->section != SIZE_MAX) {
		const struct mapiprof_section *sec =
		    mapiprof_section_at(s->f, s->profile, s->section);
		c->section = sec->uid;
		c->role = sec->role;
	}
	c->profile_a = x->profile;
	c->section_a = x->section;
	c->profile_b = y->profile;
	c->section_b = y->section;
}

static int
push_prop(struct differ *df, const struct side *x, const struct side *y,
          enum mapiprof_diff_kind kind, const struct mapiprof_prop *before,
          const struct mapiprof_prop *after)
{
	struct mapiprof_diff_change c;
	change_init(&c, x, y);
	c.change = kind;
	c.before = before;
	c.after = after;
	c.value_name = before != NULL ? before->value_name : after->value_name;
	if (fill_bits(df, &c) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return push(df, &c);
}

static int
props_of(const struct side *s, const struct mapiprof_prop **v, size_t *n)
{
	*v = NULL;
	*n = 0;
	if (s->section == SIZE_MAX)
		return MAPIPROF_OK;
	return mapiprof_section_props(s->f, s->profile, s->section, v, n);
}

/* The values of section x (of a) against section y (of b). */
static int
diff_section(struct differ *df, const struct side *x, const struct side *y)
{
	const struct mapiprof_prop *pa, *pb;
	size_t na, nb, before = df->d->n;
	if (props_of(x, &pa, &na) != MAPIPROF_OK || props_of(y, &pb, &nb) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	struct named *byname = calloc(nb + 1, sizeof(*byname));
	unsigned char *seen = calloc(nb + 1, 1);
	int rc = byname != NULL && seen != NULL ? MAPIPROF_OK : mp_nomem(df->a->ctx);
	for (size_t j = 0; rc == MAPIPROF_OK && j < nb; j++)
		byname[j] = (struct named){pb[j].value_name, j};
	if (rc == MAPIPROF_OK)
		qsort(byname, nb, sizeof(*byname), cmp_named);
	/* Values match by name, the first of each name on either side (a
	 * .reg file may repeat one). */
	for (size_t i = 0; rc == MAPIPROF_OK && i < na; i++) {
		size_t j = find_named(byname, nb, pa[i].value_name);
		if (j == SIZE_MAX)
			rc = push_prop(df, x, y, MAPIPROF_DIFF_REMOVED, &pa[i], NULL);
		else if (seen[j])
			continue; /* a's second value of that name */
		else if ((seen[j] = 1, !same_value(&pa[i], &pb[j])))
			rc = push_prop(df, x, y, MAPIPROF_DIFF_CHANGED, &pa[i], &pb[j]);
	}
	for (size_t j = 0; rc == MAPIPROF_OK && j < nb; j++)
		if (!seen[j] && find_named(byname, nb, pb[j].value_name) == j)
			rc = push_prop(df, x, y, MAPIPROF_DIFF_ADDED, NULL, &pb[j]);
	free(byname);
	free(seen);
	if (rc == MAPIPROF_OK && df->d->n == before &&
	    (x->section == SIZE_MAX) != (y->section == SIZE_MAX)) {
		struct mapiprof_diff_change c;
		change_init(&c, x, y);
		c.change = x->section == SIZE_MAX ? MAPIPROF_DIFF_ADDED : MAPIPROF_DIFF_REMOVED;
		rc = push(df, &c);
	}
	return rc;
}

/* ---- profiles -------------------------------------------------------- */

/* Which sections of profile p of f the section selector picks: *sel
 * (malloc'd, one byte per section, all 1 without a selector). */
static int
selected(const struct differ *df, struct mapiprof_file *f, size_t p, unsigned char **sel)
{
	size_t n = p != SIZE_MAX ? mapiprof_section_count(f, p) : 0;
	*sel = calloc(n + 1, 1);
	if (*sel == NULL)
		return mp_nomem(df->a->ctx);
	if (df->opts->section == NULL) {
		memset(*sel, 1, n);
		return MAPIPROF_OK;
	}
	if (p == SIZE_MAX)
		return MAPIPROF_OK;
	size_t *idx = NULL, k = 0;
	if (mapiprof_select(f, p, df->opts->section, &idx, &k) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	for (size_t i = 0; i < k; i++)
		if (idx[i] < n)
			(*sel)[idx[i]] = 1;
	mapiprof_free(idx);
	return MAPIPROF_OK;
}

/* The sections of profile pa of a against profile pb of b (either may be
 * SIZE_MAX: a profile only on one side). */
static int
diff_profile(struct differ *df, size_t pa, size_t pb)
{
	size_t na = pa != SIZE_MAX ? mapiprof_section_count(df->a, pa) : 0;
	size_t nb = pb != SIZE_MAX ? mapiprof_section_count(df->b, pb) : 0;
	size_t before = df->d->n;
	unsigned char *sel_a = NULL, *sel_b = NULL, *seen = calloc(nb + 1, 1);
	struct named *byuid = calloc(nb + 1, sizeof(*byuid));
	int rc = seen != NULL && byuid != NULL ? MAPIPROF_OK : mp_nomem(df->a->ctx);
	if (rc == MAPIPROF_OK)
		rc = selected(df, df->a, pa, &sel_a);
	if (rc == MAPIPROF_OK)
		rc = selected(df, df->b, pb, &sel_b);
	for (size_t j = 0; rc == MAPIPROF_OK && j < nb; j++)
		byuid[j] = (struct named){mapiprof_section_at(df->b, pb, j)->uid, j};
	if (rc == MAPIPROF_OK)
		qsort(byuid, nb, sizeof(*byuid), cmp_named);
	for (size_t i = 0; rc == MAPIPROF_OK && i < na; i++) {
		size_t j = find_named(byuid, nb, mapiprof_section_at(df->a, pa, i)->uid);
		if (j != SIZE_MAX && seen[j])
			j = SIZE_MAX;
		if (j != SIZE_MAX)
			seen[j] = 1;
		if (!sel_a[i] && (j == SIZE_MAX || !sel_b[j]))
			continue;
		struct side x = {df->a, pa, i}, y = {df->b, pb, j};
		rc = diff_section(df, &x, &y);
	}
	for (size_t j = 0; rc == MAPIPROF_OK && j < nb; j++) {
		if (seen[j] || !sel_b[j])
			continue;
		struct side x = {df->a, pa, SIZE_MAX}, y = {df->b, pb, j};
		rc = diff_section(df, &x, &y);
	}
	/* A profile key on one side only, with nothing below it that differs. */
	if (rc == MAPIPROF_OK && df->d->n == before && (pa == SIZE_MAX) != (pb == SIZE_MAX) &&
	    df->opts->section == NULL) {
		struct side x = {df->a, pa, SIZE_MAX}, y = {df->b, pb, SIZE_MAX};
		struct mapiprof_diff_change c;
		change_init(&c, &x, &y);
		c.change = pa == SIZE_MAX ? MAPIPROF_DIFF_ADDED : MAPIPROF_DIFF_REMOVED;
		rc = push(df, &c);
	}
	free(sel_a);
	free(sel_b);
	free(seen);
	free(byuid);
	return rc;
}

/* 1 when profile i of f is one the options take. */
static int
wanted(const struct differ *df, const struct mapiprof_file *f, size_t i)
{
	return df->opts->profile == NULL ||
	       mp_name_casecmp(mapiprof_profile_at(f, i)->name, df->opts->profile) == 0;
}

/* The profile of b with p's root and name, or SIZE_MAX. */
static size_t
match_profile(const struct mapiprof_file *b, const struct mapiprof_profile *p)
{
	for (size_t j = 0; j < mapiprof_profile_count(b); j++) {
		const struct mapiprof_profile *q = mapiprof_profile_at(b, j);
		if (mp_name_casecmp(q->name, p->name) == 0 &&
		    mp_name_casecmp(q->root, p->root) == 0)
			return j;
	}
	return SIZE_MAX;
}

static int
diff_all(struct differ *df)
{
	size_t na = mapiprof_profile_count(df->a), nb = mapiprof_profile_count(df->b);
	unsigned char *matched = calloc(nb + 1, 1);
	int rc = matched != NULL ? MAPIPROF_OK : mp_nomem(df->a->ctx);
	for (size_t i = 0; rc == MAPIPROF_OK && i < na; i++) {
		if (!wanted(df, df->a, i))
			continue;
		size_t j = match_profile(df->b, mapiprof_profile_at(df->a, i));
		if (j != SIZE_MAX)
			matched[j] = 1;
		rc = diff_profile(df, i, j);
	}
	for (size_t j = 0; rc == MAPIPROF_OK && j < nb; j++)
		if (!matched[j] && wanted(df, df->b, j))
			rc = diff_profile(df, SIZE_MAX, j);
	free(matched);
	return rc;
}

/* 1 when a profile of that name is in f. */
static int
has_profile(const struct mapiprof_file *f, const char *name)
{
	for (size_t i = 0; i < mapiprof_profile_count(f); i++)
		if (mp_name_casecmp(mapiprof_profile_at(f, i)->name, name) == 0)
			return 1;
	return 0;
}

int
mapiprof_diff(struct mapiprof_file *a, struct mapiprof_file *b,
              const struct mapiprof_diff_opts *opts, struct mapiprof_diff **out)
{
	static const struct mapiprof_diff_opts none = {NULL, NULL};
	*out = NULL;
	if (opts == NULL)
		opts = &none;
	if (opts->section != NULL &&
	    mp_section_selector_check(a->ctx, opts->section) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (opts->profile != NULL && !has_profile(a, opts->profile) &&
	    !has_profile(b, opts->profile)) {
		char list[MP_PROFILE_LIST_MAX] = "";
		struct mp_nearest near;
		mp_nearest_init(&near, opts->profile);
		mp_profile_names(a, NULL, NULL, &near, list, sizeof(list));
		mp_profile_names(b, NULL, NULL, &near, list, sizeof(list));
		char hint[MP_DID_YOU_MEAN_MAX];
		mp_seterr(a->ctx, MAPIPROF_E_NOPROFILE,
		          "no profile named '%s' in either file (profiles: %s)%s", opts->profile,
		          list[0] != '\0' ? list : "none",
		          mp_did_you_mean(mp_nearest_best(&near), hint, sizeof(hint)));
		mp_seterr_file(a->ctx, NULL);
		return MAPIPROF_FAILED;
	}
	struct mapiprof_diff *d = calloc(1, sizeof(*d));
	if (d == NULL)
		return mp_nomem(a->ctx);
	struct differ df = {a, b, opts, d};
	if (diff_all(&df) != MAPIPROF_OK) {
		mapiprof_diff_free(d);
		return MAPIPROF_FAILED;
	}
	*out = d;
	return MAPIPROF_OK;
}

size_t
mapiprof_diff_count(const struct mapiprof_diff *diff)
{
	return diff != NULL ? diff->n : 0;
}

const struct mapiprof_diff_change *
mapiprof_diff_at(const struct mapiprof_diff *diff, size_t i)
{
	return diff != NULL && i < diff->n ? &diff->v[i] : NULL;
}

void
mapiprof_diff_free(struct mapiprof_diff *diff)
{
	if (diff == NULL)
		return;
	mp_arena_free(&diff->arena);
	free(diff->v);
	free(diff);
}
