/* recover.c - placeholder, being written (mapiprof_recover, issue 5). */
#include "ctx.h"

int
mapiprof_recover(struct mapiprof_ctx *ctx, const char *path,
                 const struct mapiprof_recover_opts *opts, struct mapiprof_info **info)
{
	(void)path, (void)opts;
	if (info != NULL)
		*info = NULL;
	mp_seterr(ctx, MAPIPROF_E_INVALID, "not written yet");
	return MAPIPROF_FAILED;
}
