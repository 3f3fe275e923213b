/* plan.h - what a plan is inside the library: the public changes and skips,
 * and per section key the final state of every touched value, which the
 * writer (commit.c) and the in-place patcher (regf_patch.c) apply. */
#ifndef MP_PLAN_H
#define MP_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"
#include "store/store.h"

/* The final state of one value after all edits of the plan. */
struct mp_plan_op {
	const char *value_name; /* TTTTIIII: the stored spelling, lower case when new */
	int del;                /* 1: delete the value (unset) */
	uint32_t reg_type;      /* REG_SZ for PT_STRING8, REG_BINARY otherwise */
	const uint8_t *data;
	size_t len;
};

/* One section key to change.  Keys of the store stay valid across a reopen
 * of the same file (hive keys are cell offsets), so the writer can use them
 * on a writable handle of the same bytes. */
struct mp_plan_key {
	size_t profile;      /* profile index in the file */
	mp_key profile_key;  /* the profile's key */
	mp_key key;          /* the section's key; 0 when it must be created */
	const char *uid;     /* section key name (relative to the profile; lower case when new) */
	struct mp_plan_op *ops;
	size_t nops;         /* in the order the edits first touched them */
};

struct mapiprof_plan {
	struct mp_arena arena; /* everything below lives here */
	struct mapiprof_change *changes;
	size_t nchanges;
	struct mapiprof_skip *skips;
	size_t nskips;
	struct mp_plan_key *keys;
	size_t nkeys;
};

#endif
