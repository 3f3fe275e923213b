/* plan.h - what a plan is inside the library: the public changes and skips,
 * and per section key the final state of every touched value (changes.h),
 * which the writers apply. */
#ifndef MP_PLAN_H
#define MP_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"
#include "store/changes.h"
#include "store/store.h"

struct mapiprof_plan {
	struct mp_arena arena; /* everything below lives here */
	struct mapiprof_change *changes;
	size_t nchanges;
	struct mapiprof_skip *skips;
	size_t nskips;
	struct mp_key_change *keys;
	size_t nkeys;
};

#endif
