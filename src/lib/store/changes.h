/* changes.h - a batch of changes to a store: per key, the final state of
 * every value it touches.  A plan (plan/plan.h) is made of these; the
 * writers below the plan layer apply them: the in-place hive patcher
 * (regf/patch.h), the .reg text patcher (regtext/patch.h) and the writer
 * (write/commit.c).  The MAPI fields (profile, section uid) are what the
 * plan layer fills in and what error messages name. */
#ifndef MP_STORE_CHANGES_H
#define MP_STORE_CHANGES_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* The final state of one value after all the changes to its key. */
struct mp_value_change {
	const char *value_name; /* TTTTIIII: the stored spelling, lower case when new */
	int del;                /* 1: delete the value (unset) */
	uint32_t reg_type;      /* REG_SZ for PT_STRING8, REG_BINARY otherwise */
	const uint8_t *data;
	size_t len;
};

/* A key named by its path from the hive root rather than as a section of a
 * profile (mp_key_change.profile): profile administration and imports. */
#define MP_PATH_KEY SIZE_MAX

/* One key to change, with the final state of every value touched.  Keys
 * of the store stay valid across a reopen of the same file (hive keys are
 * cell offsets), so the writer can use them on a writable handle of the
 * same bytes.
 *
 * A section key has profile and profile_key, and uid relative to the
 * profile.  A path key (profile == MP_PATH_KEY, profile_key 0) has uid =
 * its path from the hive root, '\'-separated: the stored spelling of the
 * components that exist, the planned one of those to create.  Writers
 * apply the keys in plan order, so a plan deletes a key before it creates
 * one of the same name, and creates a parent before its children. */
struct mp_key_change {
	size_t profile;     /* profile index in the file, or MP_PATH_KEY */
	mp_key profile_key; /* the profile's key (0 for a path key) */
	mp_key key;         /* the key; 0 when it must be created (missing parents too) */
	const char *uid;    /* section key name (relative to the profile; lower case when new),
	                       or the path of a path key */
	struct mp_value_change *ops;
	size_t nops;  /* in the order the edits first touched them */
	int del;      /* delete the key and everything below it (a path key, no ops) */
	size_t nkids; /* a key to create: the number of children the plan creates below
	                 it (what the verifier expects to find) */
};

/* 1 when k is a path key (see above). */
static inline int
mp_key_change_is_path(const struct mp_key_change *k)
{
	return k->profile == MP_PATH_KEY;
}

/* 1 when k creates or deletes a key (not only values). */
static inline int
mp_key_change_structural(const struct mp_key_change *k)
{
	return k->key == 0 || k->del;
}

#endif
