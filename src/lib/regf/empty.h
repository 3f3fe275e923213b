/* empty.h - writes a minimal valid empty hive (hivex(3) cannot create one):
 * base block with correct checksum, one hbin, a root nk with flags 0x2C and
 * one sk cell. */
#ifndef MP_REGF_NEW_H
#define MP_REGF_NEW_H

#include <stdint.h>

#include "base/ctx.h"

/* Creates path exclusively (fails if it exists); minor is 3 or 5.  The root
 * key is named root_name (ASCII, e.g. "ROOT").  filetime (100 ns ticks since
 * 1601-01-01 UTC) is stamped into the base block, the first bin and the root
 * key (a tick or three later when the checksum would otherwise be 0 or
 * 0xFFFFFFFF, ReactOS hivesum.c); 0 stamps the current time.  The same
 * arguments (filetime != 0) give the same bytes.  Returns MAPIPROF_OK or
 * MAPIPROF_FAILED with the error in ctx (MAPIPROF_E_INVALID for a bad minor,
 * root name or negative filetime). */
int mp_regf_create_empty(struct mapiprof_ctx *ctx, const char *path, unsigned minor,
                         const char *root_name, int64_t filetime);

#endif
