/* freeable.h - the cells a hivex write will free, checked before hivex
 * sees them.  hivex 1.3 frees a cell with mark_block_unused (lib/write.c),
 * which asserts that the offset starts a cell in use, and so aborts the
 * whole process on a hive where a value list names one vk twice, two
 * values share a data cell, or a data offset points into the middle of a
 * cell, which its readers accept.  A write that would free such a cell
 * fails here instead, naming the key and the value. */
#ifndef MP_REGF_FREEABLE_H
#define MP_REGF_FREEABLE_H

#include <stddef.h>
#include <stdint.h>

#include "regf/cells.h"

/* Where every cell in use starts, found as hivex's open finds it
 * (lib/handle.c): hbins one after the other, cells tiling each. */
struct mp_regf_used {
	uint8_t *bits; /* one bit per 4 bytes of the hive bins */
	uint32_t bins;
};

/* Walks the hive bins of c (c->bins bytes) and marks each cell in use.
 * MAPIPROF_E_FORMAT for a bin or cell hivex would not open either. */
int mp_regf_used_load(const struct mp_regf_cells *c, struct mp_regf_used *u);
void mp_regf_used_free(struct mp_regf_used *u);
/* 1 when a cell in use starts at rel. */
int mp_regf_used_at(const struct mp_regf_used *u, uint32_t rel);

/* The cells a write frees, collected before any is freed. */
struct mp_regf_freed {
	uint32_t *rel;
	const char **what; /* for messages: "value 'NAME'" etc. (arena) */
	const char **key;  /* the key each was added for (the caller's label) */
	const char *label; /* the key being added */
	size_t n, cap;
	struct mp_arena arena;
};

/* Adds the cells hivex frees when it replaces every value of the key at
 * file offset key (hivex_node_set_values, delete_values): the value list,
 * each vk cell and each data cell not held inline.  label names the key
 * in messages. */
int mp_regf_freed_values(const struct mp_regf_cells *c, const char *label, uint64_t key,
                         struct mp_regf_freed *f);
/* Adds the cells hivex frees when it deletes the key at file offset key
 * and everything below it (hivex_node_delete_child, delete_node): for each
 * key its subkey lists, its values as mp_regf_freed_values, its class name
 * and its nk cell.  Also checks each key's security cell and the two it is
 * chained to, which hivex rewrites unchecked when it frees the last user of
 * one (delete_sk).  At most MP_MAX_KEY_DEPTH levels and MP_MAX_FREED_KEYS
 * keys (MAPIPROF_E_LIMIT). */
int mp_regf_freed_subtree(const struct mp_regf_cells *c, const struct mp_regf_used *u,
                          const char *label, uint64_t key, struct mp_regf_freed *f);
/* Keys a subtree may hold before mp_regf_freed_subtree gives up. */
#define MP_MAX_FREED_KEYS 200000u

/* Checks that each cell of f starts a cell in use and that none is freed
 * twice; MAPIPROF_E_FORMAT naming the cell's owner otherwise. */
int mp_regf_freed_check(const struct mp_regf_cells *c, const struct mp_regf_used *u,
                        struct mp_regf_freed *f);
void mp_regf_freed_free(struct mp_regf_freed *f);

#endif
