/* tables.h - the project's property-tag and flag tables (data/proptags.tsv and flags.tsv,
 * compiled into tables_gen.c by tools/gentables.py at build time). */
#ifndef MP_TABLES_H
#define MP_TABLES_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"

/* Where a value lives: decides names in the provider-defined range
 * 0x6600..0x67FF and which flag table applies (EdkMdb.h, MFCMAPI
 * genTagArray.h). */
struct mp_scope {
	const char *provider; /* "exchange", "contab", "ldap", "pst", "pab", "outlook", or NULL */
	const char *role;     /* section role ("service", "provider", "global", ...), or NULL */
};

/* The best row for a tag in a scope: for IDs 0x6600..0x67FF a row whose
 * scope matches scope->provider, else the "exchange" row, else the first;
 * for other IDs the exact tag, else the _A/_W sibling (0x001E <-> 0x001F,
 * 0x101E <-> 0x101F) with the name adjusted.  name_out may receive an
 * arena-allocated adjusted name.  Returns NULL when unknown. */
const struct mapiprof_tagdef *mp_tag_lookup(uint32_t tag, const struct mp_scope *scope,
                                            struct mp_arena *a, const char **name_out);
/* Row whose name equals name (case-insensitive), or NULL. */
const struct mapiprof_tagdef *mp_tag_by_name(const char *name);
/* The table name nearest to a mistyped name (base/nearest.h), or NULL. */
const char *mp_tag_nearest_name(const char *name);

/* Describes value for tag in scope: sets *has = 1 when the tag has flag
 * rows; *names (arena) gets the names of set bits, or the enumeration name;
 * *unknown the bits with no name (0 for enumerations that matched).
 * Fails only on NOMEM. */
int mp_flags_describe(struct mp_arena *a, uint32_t tag, const struct mp_scope *scope,
                      uint32_t value, int *has, const char ***names, size_t *n, uint32_t *unknown);

#endif
