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

/* One key to change, with the final state of every value touched.  Keys
 * of the store stay valid across a reopen of the same file (hive keys are
 * cell offsets), so the writer can use them on a writable handle of the
 * same bytes. */
/* The profile of a key outside every profile: its profile_key is the
 * store's root and its uid the key's path from the root. */
#define MP_NO_PROFILE SIZE_MAX

struct mp_key_change {
	size_t profile;     /* profile index in the file, or MP_NO_PROFILE */
	mp_key profile_key; /* the profile's key */
	mp_key key;         /* the section's key; 0 when it must be created */
	const char *uid;    /* section key name (relative to the profile; lower case when new) */
	struct mp_value_change *ops;
	size_t nops; /* in the order the edits first touched them */
};

#endif
