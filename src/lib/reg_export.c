/* reg_export.c - placeholder, being written. */
#include <stdlib.h>

#include "ctx.h"
#include "locate.h"

int
mapiprof_export_reg(struct mapiprof_file *file, const size_t *profiles, size_t n,
                    const struct mapiprof_reg_opts *opts, void **out, size_t *len)
{
	(void)profiles, (void)n, (void)opts, (void)out, (void)len;
	mp_seterr(file->ctx, MAPIPROF_E_INVALID, "not written yet");
	return MAPIPROF_FAILED;
}

int
mapiprof_plan_reg(struct mapiprof_file *file, const struct mapiprof_plan *plan,
                  const struct mapiprof_reg_opts *opts, void **out, size_t *len)
{
	(void)plan, (void)opts, (void)out, (void)len;
	mp_seterr(file->ctx, MAPIPROF_E_INVALID, "not written yet");
	return MAPIPROF_FAILED;
}
