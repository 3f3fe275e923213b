/* patch.h - the fast write path: patches the changed cells of a copy of
 * a clean hive in place and creates keys, appending at most one hbin (regf
 * spec). */
#ifndef MP_REGF_PATCH_H
#define MP_REGF_PATCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"
#include "regf/writes.h"
#include "store/changes.h"

/* Applies keys[0..nkeys) (the final state of every touched value of each
 * key, plan.h; keys to create included) to the hive open read-write on fd,
 * which must be a byte-exact copy of a clean hive that nothing else writes
 * meanwhile.  keys[i].key is the hivex node handle: the absolute file offset
 * of the key's nk cell, or 0 for a key to create (store/changes.h).
 *
 * Reads and checks everything first (base block, each nk, its value list and
 * vk cells, the data cells of touched values) and writes only when the whole
 * plan can be done this way:
 *   - a value set to data of its current length is overwritten where it lies
 *     (inline in the vk or in its data cell) and its type updated;
 *   - a value set to data of another length keeps its vk (name spelling and
 *     flags unchanged); the data goes inline (<= 4 bytes) or into a new data
 *     cell, and the old data cell is freed;
 *   - a new value gets a new vk cell (name stored Latin-1 with COMP_NAME when
 *     possible, else UTF-16LE) appended after the key's existing values;
 *   - a deleted value is dropped from the list, its vk and data cells freed;
 *   - when a key gains or loses values it gets a new value list (old order
 *     kept) and its old list is freed;
 *   - each changed key's nk gets its value count and list offset, raised
 *     (never lowered) largest-name/largest-data fields, and the current time
 *     as its LastWrite timestamp;
 *   - a key to create (regf/newkeys.h), and each missing key above it, is
 *     found by its path below profile_key (a path key: below the root) and
 *     gets a new nk: name stored Latin-1 with COMP_NAME, its parent, the
 *     security cell of its nearest existing ancestor (whose reference count
 *     goes up by one per new key), no class, the current time as
 *     LastWrite, and its values as new values above;
 *   - each key that gains children gets ONE new subkey list, its old
 *     children in their old order merged with the new ones sorted by
 *     upper-cased name: one leaf ("lh" with name hashes in a hive of
 *     version 1.5 or later, else "lf" with name hints) up to 500 entries,
 *     else an "ri" of leaves of at most 500; its old list cells (an ri and
 *     its leaves) are freed, and its nk gets the new subkey count and list,
 *     a raised largest-subkey-name length and the current time.
 * New cells all go into ONE hbin appended after the last one (at most 64
 * MiB, else the plan is declined).  Last, the
 * base block gets seq1 = seq2 = old seq1 + 1, the new hive-bins size, the
 * current time and a checksum valid for both hivex and Windows (regf spec
 * "Base block"; ReactOS hivesum.c).
 * The file grows by the appended bin; it is neither fsync'd nor verified
 * here (the caller does both).
 *
 * *done = 1 when the file was patched.  *done = 0 and MAPIPROF_OK when the
 * plan needs what this patcher does not do; the file is then untouched:
 * a key to delete (del), a key to create that exists (names compared
 * case-insensitively) or is listed twice, a new key name of more than 255
 * characters, empty, or with a character outside Latin-1 (or U+00B5,
 * U+00FF, whose capitals lie above U+00FF; Windows' hash and order of such
 * names need its upper-case table), a parent that is a symbolic link or
 * predefined-handle key or has volatile subkeys, a subkey list that is not
 * li/lf/lh or an ri of them or does not hold the parent's subkey count, an
 * existing child without a known hash in a >= 1.5 hive, more than
 * MP_MAX_SUBKEYS_PER_KEY subkeys, a touched value held as big data (db), new
 * data > 16344 bytes in a >= 1.4 hive (or > 1,000,000 bytes in any), a dirty
 * or unusual base block (sequence numbers differ, bad checksum, version
 * other than 1.3-1.6, file type not 0, format not 1), two ops or two
 * matching vk cells for one name, a key listed twice, cells the plan
 * touches that overlap, a cell not 8-aligned or not a multiple of 8 bytes,
 * an op without a name (or a set with len > 0 and no data).
 *
 * Errors (MAPIPROF_FAILED, *done = 0; the file is untouched unless the error
 * is from a write, after which the caller discards it): MAPIPROF_E_FORMAT
 * for a structure that is not a hive or is malformed (bad signature, a cell
 * outside the hive bins, free, or too small for what it holds, a value count
 * beyond its list cell), MAPIPROF_E_LIMIT for a key with more values than
 * MP_MAX_VALUES_PER_KEY, MAPIPROF_E_TRUNCATED when the file is shorter than
 * its header says, MAPIPROF_E_IO for a failed read or write,
 * MAPIPROF_E_NOMEM, and MAPIPROF_E_FORMAT for an op name that is not UTF-8.
 * Messages name the section (mp_key_change.uid) and the file offset. */
int mp_regf_patch(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys, size_t nkeys,
                  int *done);

/* As mp_regf_patch, but writes nothing: every write it would make is
 * recorded in *out (fd may be read-only), for a caller that journals them
 * first (write/inplace.c).  Release *out with mp_regf_writes_free, also
 * after a failure or a decline. */
int mp_regf_patch_record(struct mapiprof_ctx *ctx, int fd, const struct mp_key_change *keys,
                         size_t nkeys, struct mp_regf_writes *out, int *done);

#endif
