/* carve.h - keys and values recovered from the free cells of a hive
 * image (M. Suhanov, "Windows registry file format specification",
 * sections "Cell", "Key node", "Key values list", "Key value").  A freed
 * cell keeps its bytes: Windows only flips the sign of its size and may
 * merge it with free neighbours; hivex frees cells the same way and never
 * reuses them (hivex(3), "unused blocks"), so a key hivex deleted and the
 * old value cells of a key it rewrote stay readable until something
 * allocates over them.
 *
 * Everything read from free space is hostile: every offset, size,
 * signature and name length is checked against the image, parent chains
 * are walked at most MP_MAX_KEY_DEPTH steps, and the number of records is
 * capped (MP_MAX_CARVED), so time and memory stay linear in the image. */
#ifndef MP_REGF_CARVE_H
#define MP_REGF_CARVE_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"

/* Keys, and values, kept from one image; the rest is dropped and
 * truncated set. */
#define MP_MAX_CARVED 200000u

/* A key: recovered from a free nk cell, or a live (allocated) nk that
 * holds recovered values or lies on a recovered key's parent chain. */
struct mp_carve_key {
	uint32_t rel;     /* its nk cell, from the first hbin */
	int live;         /* the nk cell is allocated */
	const char *name; /* UTF-8 (arena); U+FFFD#offset when undecodable */
	int64_t time;     /* LastWrite FILETIME from the nk cell */
	size_t parent; /* index of the parent key; SIZE_MAX at the root or where the chain breaks */
	int is_root;   /* the hive's root key (base block) */
	size_t nvals;  /* recovered values attributed to it */
};

/* A value recovered from a free vk cell. */
struct mp_carve_val {
	uint32_t rel;        /* its vk cell */
	const char *name;    /* UTF-8 (arena); "" for the default value */
	uint32_t type;       /* REG_* as stored */
	const uint8_t *data; /* into the image; NULL when data_lost */
	size_t len;          /* 0 when data_lost */
	int data_lost;       /* its data cell is allocated again, cut, shared, or big data */
	size_t key;          /* owning key index, SIZE_MAX: no owner found (orphan) */
};

struct mp_carve {
	uint8_t *img;  /* the hive bins (file offset 4096 on), owned */
	uint32_t bins; /* their size */
	uint32_t root; /* root nk cell (base block) */
	struct mp_carve_key *keys;
	size_t nkeys;
	struct mp_carve_val *vals; /* by vk offset */
	size_t nvals;
	int truncated; /* more than MP_MAX_CARVED keys or values were found */
	struct mp_arena arena;
};

/* Carves the hive bins img[0..bins) (taken over: freed by mp_carve_free,
 * also on failure) whose root nk cell is root.  Bins are walked as hivex
 * walks them, stopping at the first that is not valid; every free cell and
 * the slack inside it is searched for nk and vk cells.  A recovered value
 * belongs to a key when (in this order) a recovered nk's value list names
 * it, an allocated value list names it past its value count (Windows
 * shortens lists in place), or a freed value list names it and one live
 * key matches that list best (the list also names that key's live vk
 * cells, or holds the most values of the same name, type and data, or of
 * the same name as that key's values; a tie is no match).  Fails only on
 * NOMEM. */
int mp_regf_carve(struct mapiprof_ctx *ctx, uint8_t *img, uint32_t bins, uint32_t root,
                  struct mp_carve *out);
/* Reads the hive at path (base block checked as mp_regf_base_read does,
 * at most MP_MAX_HIVE_IMAGE bytes of bins) and carves it. */
int mp_regf_carve_file(struct mapiprof_ctx *ctx, const char *path, struct mp_carve *out);
/* The names from the root's child down to key i into names[0..*depth)
 * (names has room for MP_MAX_KEY_DEPTH; the strings are c's).  *orphan = 1
 * when the parent chain does not reach the root within MP_MAX_KEY_DEPTH
 * steps: the names then start at the highest key reached. */
void mp_carve_path(const struct mp_carve *c, size_t i, const char **names, size_t *depth,
                   int *orphan);
void mp_carve_free(struct mp_carve *c);

#endif
