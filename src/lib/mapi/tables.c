/* tables.c - lookups in the property-tag and flag tables that
 * tools/gentables.py compiles from data/proptags.tsv and data/flags.tsv
 * (tables.h), and the public accessors of those tables. */
#include <string.h>
#include <strings.h>

#include "base/nearest.h"
#include "mapi/tables.h"

/* tables_gen.c (generated): tags sorted by (tag, scope), flags sorted by
 * tag with the data file's order kept within a tag. */
extern const struct mapiprof_tagdef mp_tables_tags[];
extern const size_t mp_tables_ntags;
extern const struct mapiprof_flagdef mp_tables_flags[];
extern const size_t mp_tables_nflags;

/* Provider-defined IDs (EdkMdb.h pidProfileMin; MFCMAPI genTagArray.h). */
#define PROVIDER_ID_MIN 0x6600u
#define PROVIDER_ID_MAX 0x67FFu

static int
is_provider_id(uint32_t tag)
{
	uint32_t id = tag >> 16;
	return id >= PROVIDER_ID_MIN && id <= PROVIDER_ID_MAX;
}

/* First index in the tag table whose tag is >= tag. */
static size_t
tag_lower_bound(uint32_t tag)
{
	size_t lo = 0, hi = mp_tables_ntags;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (mp_tables_tags[mid].tag < tag)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* First index in the flag table whose tag is >= tag. */
static size_t
flag_lower_bound(uint32_t tag)
{
	size_t lo = 0, hi = mp_tables_nflags;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (mp_tables_flags[mid].tag < tag)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The row for exactly this tag: for provider IDs the row of
 * scope->provider, else "exchange", else the first; otherwise the first
 * (only) row.  NULL when the tag has no row. */
static const struct mapiprof_tagdef *
exact_row(uint32_t tag, const struct mp_scope *scope)
{
	size_t lo = tag_lower_bound(tag), hi = lo;
	while (hi < mp_tables_ntags && mp_tables_tags[hi].tag == tag)
		hi++;
	if (lo == hi)
		return NULL;
	if (!is_provider_id(tag))
		return &mp_tables_tags[lo];
	const char *want[2] = {scope != NULL ? scope->provider : NULL, "exchange"};
	for (size_t w = 0; w < 2; w++) {
		if (want[w] == NULL)
			continue;
		for (size_t i = lo; i < hi; i++)
			if (strcmp(mp_tables_tags[i].scope, want[w]) == 0)
				return &mp_tables_tags[i];
	}
	return &mp_tables_tags[lo];
}

/* The _A/_W sibling of a string tag (0x001E <-> 0x001F, 0x101E <-> 0x101F),
 * or 0 when the tag is not a string type. */
static uint32_t
sibling_tag(uint32_t tag)
{
	switch (tag & 0xFFFFu) {
	case 0x001Eu:
	case 0x101Eu:
		return tag + 1;
	case 0x001Fu:
	case 0x101Fu:
		return tag - 1;
	default:
		return 0;
	}
}

static int
has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	return len >= n && strcasecmp(s + len - n, suffix) == 0;
}

/* Name of the sibling form of row name: wanting Unicode, "X" or "X_A"
 * becomes "X_W"; wanting 8-bit, "X_W" becomes "X" (the table's bare names
 * are the 8-bit form) and any other "X" becomes "X_A".  Arena string or
 * NULL on NOMEM. */
static const char *
sibling_name(struct mp_arena *a, const char *name, int want_unicode)
{
	size_t len = strlen(name);
	if (want_unicode) {
		if (has_suffix(name, len, "_A"))
			len -= 2;
		return mp_arena_printf(a, "%.*s_W", (int)len, name);
	}
	if (has_suffix(name, len, "_W"))
		return mp_arena_strndup(a, name, len - 2);
	return mp_arena_printf(a, "%s_A", name);
}

const struct mapiprof_tagdef *
mp_tag_lookup(uint32_t tag, const struct mp_scope *scope, struct mp_arena *a, const char **name_out)
{
	if (name_out != NULL)
		*name_out = NULL;
	const struct mapiprof_tagdef *td = exact_row(tag, scope);
	if (td != NULL) {
		if (name_out != NULL)
			*name_out = td->name;
		return td;
	}
	/* The sibling fallback never crosses into provider-defined IDs, whose
	 * meaning depends on the section (MFCMAPI genTagArray.h, MSPST.h). */
	uint32_t sib = sibling_tag(tag);
	if (is_provider_id(tag) || sib == 0)
		return NULL;
	td = exact_row(sib, scope);
	if (td != NULL && name_out != NULL && a != NULL)
		*name_out = sibling_name(a, td->name, (tag & 0x1u) != 0);
	return td;
}

const struct mapiprof_tagdef *
mp_tag_by_name(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < mp_tables_ntags; i++)
		if (strcasecmp(mp_tables_tags[i].name, name) == 0)
			return &mp_tables_tags[i];
	/* "PR_X_A" names the 8-bit row stored under the bare name "PR_X". */
	size_t len = strlen(name);
	if (!has_suffix(name, len, "_A"))
		return NULL;
	for (size_t i = 0; i < mp_tables_ntags; i++) {
		const struct mapiprof_tagdef *t = &mp_tables_tags[i];
		uint32_t type = t->tag & 0xFFFFu;
		if ((type == 0x001Eu || type == 0x101Eu) && strlen(t->name) == len - 2 &&
		    strncasecmp(t->name, name, len - 2) == 0)
			return t;
	}
	return NULL;
}

const char *
mp_tag_nearest_name(const char *name)
{
	struct mp_nearest near;
	mp_nearest_init(&near, name);
	for (size_t i = 0; i < mp_tables_ntags; i++)
		mp_nearest_offer(&near, mp_tables_tags[i].name);
	return mp_nearest_best(&near);
}

/* A flag row applies when it belongs to the property row the tag resolves
 * to in this scope (td; any row of the tag when td is NULL) and its role
 * scope is empty or equals scope->role. */
static int
flag_for_prop(const struct mapiprof_flagdef *f, const struct mapiprof_tagdef *td)
{
	return td == NULL || strcmp(f->prop_name, td->name) == 0;
}

static int
flag_for_role(const struct mapiprof_flagdef *f, const struct mp_scope *scope)
{
	if (f->scope[0] == '\0')
		return 1;
	return scope != NULL && scope->role != NULL && strcmp(f->scope, scope->role) == 0;
}

/* 1 when an earlier applicable row in [lo, i) has the same kind, value and
 * mask: aliases (CONNECT_NO_NOTIFICATIONS / _NO_TABLE_NOTIFICATIONS) show
 * once, under the first name. */
static int
is_alias(size_t lo, size_t i, const struct mapiprof_tagdef *td, const struct mp_scope *scope)
{
	const struct mapiprof_flagdef *f = &mp_tables_flags[i];
	for (size_t j = lo; j < i; j++) {
		const struct mapiprof_flagdef *g = &mp_tables_flags[j];
		if (flag_for_prop(g, td) && flag_for_role(g, scope) && g->is_enum == f->is_enum &&
		    g->value == f->value && g->mask == f->mask)
			return 1;
	}
	return 0;
}

int
mp_flags_describe(struct mp_arena *a, uint32_t tag, const struct mp_scope *scope, uint32_t value,
                  int *has, const char ***names, size_t *n, uint32_t *unknown)
{
	*has = 0;
	*names = NULL;
	*n = 0;
	*unknown = 0;
	const struct mapiprof_tagdef *td = mp_tag_lookup(tag, scope, NULL, NULL);
	size_t lo = flag_lower_bound(tag), hi = lo, rows = 0;
	for (; hi < mp_tables_nflags && mp_tables_flags[hi].tag == tag; hi++)
		rows += (size_t)flag_for_prop(&mp_tables_flags[hi], td);
	if (rows == 0)
		return MAPIPROF_OK;
	*has = 1;
	const char **v = mp_arena_calloc(a, rows, sizeof(*v));
	if (v == NULL)
		return MAPIPROF_FAILED;
	uint32_t covered = 0;
	size_t count = 0;
	for (size_t i = lo; i < hi; i++) {
		const struct mapiprof_flagdef *f = &mp_tables_flags[i];
		if (!flag_for_prop(f, td) || !flag_for_role(f, scope))
			continue;
		/* bits: named only when every bit of the value is set (0x180);
		 * enum: (value & mask) == flag value. */
		uint32_t bits = f->is_enum ? f->mask : f->value;
		if ((value & bits) != f->value || is_alias(lo, i, td, scope))
			continue;
		v[count++] = f->name;
		covered |= bits;
	}
	*names = v;
	*n = count;
	*unknown = value & ~covered;
	return MAPIPROF_OK;
}

size_t
mapiprof_tag_count(void)
{
	return mp_tables_ntags;
}

const struct mapiprof_tagdef *
mapiprof_tag_at(size_t i)
{
	return i < mp_tables_ntags ? &mp_tables_tags[i] : NULL;
}

size_t
mapiprof_flag_count(void)
{
	return mp_tables_nflags;
}

const struct mapiprof_flagdef *
mapiprof_flag_at(size_t i)
{
	return i < mp_tables_nflags ? &mp_tables_flags[i] : NULL;
}
