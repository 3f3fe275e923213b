/* subkeys.h - subkey lists (M. Suhanov's regf specification, "Subkeys
 * list": "li", "lf" and "lh" leaves and the "ri" above them), read and
 * written for the in-place patcher's key creation (regf/newkeys.c). */
#ifndef MP_REGF_SUBKEYS_H
#define MP_REGF_SUBKEYS_H

#include <stdint.h>

#include "base/ctx.h"
#include "regf/cells.h"

/* Entries per leaf before a list becomes an ri of leaves: Windows starts a
 * new leaf at about 500. */
#define MP_REGF_LEAF_MAX 500u

/* A key's subkey list as read. */
struct mp_regf_subkeys {
	uint32_t *nk;    /* the children's nk offsets in list order */
	uint32_t *hash;  /* their lh hashes; NULL when a leaf is not an lh */
	uint32_t n;      /* their number */
	uint32_t *cells; /* the list's cells as (offset, size) pairs */
	uint32_t ncells; /* their number */
};

/* Reads the list at offset list of a key with nsub subkeys (none when nsub
 * is 0), its arrays allocated in a.  MP_CELLS_UNUSUAL for a list that is
 * not a leaf or an ri of leaves, that does not hold nsub entries, or for
 * nsub > MP_MAX_SUBKEYS_PER_KEY; errors as mp_regf_cells_read. */
int mp_regf_subkeys_read(const struct mp_regf_cells *c, const char *uid, uint32_t nsub,
                         uint32_t list, struct mp_arena *a, struct mp_regf_subkeys *out);

/* The lh hash of a name of n UTF-16 units ("Hash leaf").  0 when a unit is
 * outside Latin-1 or is U+00B5 or U+00FF (capitals above U+00FF, from
 * Windows' upper-case table); 1 and *hash otherwise. */
int mp_regf_subkeys_hash(const uint16_t *units, uint32_t n, uint32_t *hash);
/* The lf hint of a name ("Fast leaf"): its first four characters, zero
 * padded; all zero when one of them does not fit a byte. */
void mp_regf_subkeys_hint(const uint16_t *units, uint32_t n, uint8_t hint[4]);

/* Layout of a list of n entries: 0 (one leaf) up to MP_REGF_LEAF_MAX
 * entries, else the number of leaves below an ri. */
uint32_t mp_regf_subkeys_nleaves(uint32_t n);
/* Entries of leaf j of nleaves for n entries (the first n % nleaves leaves
 * hold one more). */
uint32_t mp_regf_subkeys_leaf_count(uint32_t n, uint32_t nleaves, uint32_t j);
/* Cell sizes of a leaf of count entries and of an ri of nleaves. */
uint32_t mp_regf_subkeys_leaf_size(uint32_t count);
uint32_t mp_regf_subkeys_ri_size(uint32_t nleaves);
/* Writes the header of a leaf cell of count entries ("lh" when lh, else
 * "lf"), then entry i: the child's nk offset and its hash or hint. */
void mp_regf_subkeys_put_leaf(uint8_t *cell, int lh, uint32_t count);
void mp_regf_subkeys_put_entry(uint8_t *cell, uint32_t i, uint32_t nk, const uint8_t second[4]);
/* Writes an ri cell pointing at leaves[0..nleaves). */
void mp_regf_subkeys_put_ri(uint8_t *cell, const uint32_t *leaves, uint32_t nleaves);

#endif
