/* newkeys.h - key creation for the in-place patcher (regf/patch.c): new nk
 * cells and, for each key that gains children, one new subkey index
 * (M. Suhanov's regf specification, "Key node", "Subkeys list"). */
#ifndef MP_REGF_NEWKEYS_H
#define MP_REGF_NEWKEYS_H

#include <stddef.h>

#include "regf/patch_int.h"

/* Phase 1: resolves the path of every key of the plan marked created
 * (below its profile key, or the hive root for a path key) into the keys
 * that exist and those to create, missing parents included; reads the
 * subkey lists, child names and security cells of the keys that gain
 * children.  Sets *nspans to the number of cells of the old file it will
 * write or free.  DECLINE for what it does not do (see patch.h). */
int mp_newkeys_read(struct patch *p, size_t *nspans);
/* Phase 2, for a created key of the plan: lays out its nk cell in the new
 * bin now, right after its value cells, as hivex and Windows keep a key's
 * cells together (what is left in free space after a delete is then
 * linked to its key by place: regf/carve.c). */
int mp_newkeys_place(struct patch *p, const struct keyst *k);
/* Phase 2: lays out the remaining new nk cells and the subkey lists in the
 * new bin and records the old cells it writes or frees (mp_patch_add_span). */
int mp_newkeys_plan(struct patch *p);
/* Gives each new key its nk fixed part, values none (patch.c's build then
 * sets a planned key's value fields into it). */
int mp_newkeys_init(struct patch *p);
/* Builds the new nk cells and subkey lists in the new bin and patches the
 * gaining parents' nk in memory; after the created keys' value fields
 * were set (patch.c's build). */
void mp_newkeys_build(struct patch *p);
/* Phase 3: writes the patched nk of each existing parent, frees its old
 * subkey list cells and raises the security cells' reference counts. */
int mp_newkeys_write(struct patch *p);
void mp_newkeys_free(struct patch *p);

#endif
