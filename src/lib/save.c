/* save.c - placeholder, being written. */
#include <stdlib.h>

#include "ctx.h"

int
mapiprof_save(struct mapiprof_ctx *ctx, const char *path, const void *data, size_t len)
{
	(void)path, (void)data, (void)len;
	mp_seterr(ctx, MAPIPROF_E_INVALID, "not written yet");
	return MAPIPROF_FAILED;
}
