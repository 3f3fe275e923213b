/* store.h - one interface over a registry tree, whatever holds it (a regf
 * hive through hivex now, a .reg file later).  Profile, section and property
 * code use only this; they never include a back end's header.
 *
 * Handles (mp_key) are opaque numbers the back end hands out (hivex: node
 * offsets); 0 is never a valid handle.  Every op returns MAPIPROF_OK or
 * MAPIPROF_FAILED with the error recorded in store->ctx.  Strings are UTF-8.
 */
#ifndef MP_STORE_H
#define MP_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"

typedef uint64_t mp_key;

/* Registry value types (winnt.h; regf spec "Data types"). */
enum {
	MP_REG_NONE = 0,
	MP_REG_SZ = 1,
	MP_REG_EXPAND_SZ = 2,
	MP_REG_BINARY = 3,
	MP_REG_DWORD = 4,
	MP_REG_DWORD_BE = 5,
	MP_REG_LINK = 6,
	MP_REG_MULTI_SZ = 7,
	MP_REG_QWORD = 11,
};

/* One value, owned by whoever filled it (see mp_store_values_free). */
struct mp_value {
	char *name;    /* "" for the default value */
	uint32_t type; /* REG_* as stored, any 32-bit number */
	uint8_t *data;
	size_t len;
};

struct mp_store;

struct mp_store_ops {
	const char *format; /* "regf", "reg" */
	/* The root key. */
	int (*root)(struct mp_store *s, mp_key *out);
	/* Children of a key in stored order; *out is malloc'd (free()). */
	int (*children)(struct mp_store *s, mp_key key, mp_key **out, size_t *n);
	/* Name of a key, malloc'd. */
	int (*key_name)(struct mp_store *s, mp_key key, char **out);
	/* Last write time as FILETIME; 0 when the back end has none. */
	int (*key_mtime)(struct mp_store *s, mp_key key, int64_t *out);
	/* Every value of a key in stored order, with data; release with
	 * mp_store_values_free. */
	int (*values)(struct mp_store *s, mp_key key, struct mp_value **out, size_t *n);
	/* -- writing (NULL where the back end is read-only) -- */
	/* Adds a child key (fails if one of that name exists). */
	int (*add_child)(struct mp_store *s, mp_key parent, const char *name, mp_key *out);
	/* Deletes a key (not the root) and everything below it. */
	int (*delete_key)(struct mp_store *s, mp_key key);
	/* Replaces every value of a key with vals[0..n) in one call (hivex
	 * rewrites all values of a key on every set, so batch per key). */
	int (*set_values)(struct mp_store *s, mp_key key, const struct mp_value *vals, size_t n);
	/* Writes the whole store to path (a new file the caller owns; the
	 * caller does temp-file + fsync + rename, see commit.c later). */
	int (*write_to)(struct mp_store *s, const char *path);
	void (*close)(struct mp_store *s);
};

struct mp_store {
	const struct mp_store_ops *ops;
	struct mapiprof_ctx *ctx;
	char *path;
};

/* Finds a child by name, case-insensitively (ASCII and Latin-1 letters, as
 * mp_name_casecmp).  Returns MAPIPROF_OK and sets *out, or MAPIPROF_OK with
 * *out = 0 when there is no such child; fails only on store errors. */
int mp_store_child(struct mp_store *s, mp_key parent, const char *name, mp_key *out);
/* Walks a '\'-separated path from key; *out = 0 when a component is absent. */
int mp_store_path(struct mp_store *s, mp_key from, const char *path, mp_key *out);
/* As mp_store_path; when a is not NULL it also sets *stored to the walked
 * components as the store spells them, '\'-joined, in arena a ("" for an
 * empty path).  *stored is left alone when *out is 0. */
int mp_store_path_stored(struct mp_store *s, mp_key from, const char *path, mp_key *out,
                         struct mp_arena *a, const char **stored);
/* 1 when the '\'-separated path is anc or lies below it, names compared
 * as mp_name_casecmp does. */
int mp_store_path_below(const char *path, const char *anc);
/* Finds a value by name (case-insensitive) in an array from ops->values. */
const struct mp_value *mp_store_value_find(const struct mp_value *vals, size_t n, const char *name);
void mp_store_values_free(struct mp_value *vals, size_t n);
void mp_store_close(struct mp_store *s);

/* Compares two UTF-8 names the way the registry does for the names we
 * meet: ASCII and Latin-1 letters fold to upper case, everything else is
 * compared by code point.  Returns <0, 0, >0. */
int mp_name_casecmp(const char *a, const char *b);
/* The case folding of mp_name_casecmp for one code point (for back ends that
 * compare names in another encoding, e.g. UTF-16 in regf/patch.c). */
uint32_t mp_name_fold(uint32_t c);

/* The hive back end (store/hive.c): opens path with hivex.  writable = 0
 * opens read-only (mmap, never modifies the file). */
int mp_store_hive_open(struct mapiprof_ctx *ctx, const char *path, int writable,
                       struct mp_store **out);

#endif
