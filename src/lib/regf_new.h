/* regf_new.h - writes a minimal valid empty hive (hivex cannot create one;
 * reg-and-regf.md §3.9): base block with correct checksum, one hbin, a root
 * nk with flags 0x2C and one sk cell. */
#ifndef MP_REGF_NEW_H
#define MP_REGF_NEW_H

#include "ctx.h"

/* Creates path exclusively (fails if it exists); minor is 3 or 5.  The root
 * key is named root_name (ASCII, e.g. "ROOT").  Returns MAPIPROF_OK or
 * MAPIPROF_FAILED with the error in ctx. */
int mp_regf_create_empty(struct mapiprof_ctx *ctx, const char *path, unsigned minor,
			 const char *root_name);

#endif
