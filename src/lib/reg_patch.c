/* reg_patch.c - placeholder, being written (reg_patch.h). */
#include "reg_patch.h"

int
mp_reg_patch(struct mapiprof_ctx *ctx, struct mp_store *s, const struct mp_plan_key *keys,
             size_t n, struct mp_buf *out)
{
	(void)s, (void)keys, (void)n, (void)out;
	mp_seterr(ctx, MAPIPROF_E_INVALID, "not written yet");
	return MAPIPROF_FAILED;
}
