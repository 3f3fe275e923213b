/* binwalk.h - the check of every hbin and cell of a hive that hivex's open
 * makes (hivex lib/handle.c), done with large sequential reads of the file
 * instead of a walk over a mapping of it: the writer's check of its source
 * before copying it (write/commit.c). */
#ifndef MP_REGF_BINWALK_H
#define MP_REGF_BINWALK_H

#include <stdint.h>

#include "base/ctx.h"

/* Checks the hive bins [4096, 4096 + bins) of the hive open on fd: each
 * hbin by the rules of mp_regf_cells_bin (regf/cells.h: signature, its own
 * offset, a size of whole 4 KiB units inside the hive bins, cells of at
 * least 8 bytes and a multiple of 8 tiling it exactly), and that root (the
 * root key's offset from the first hbin) is where a cell starts, as hivex
 * requires.  The caller has checked that the file holds the hive bins
 * (mp_regf_base_read).  MAPIPROF_E_FORMAT naming the file offset of the
 * first fault otherwise; these rules being stricter than hivex's (which
 * takes cells of whole 4 bytes), a refused hive may still be one hivex
 * opens. */
int mp_regf_binwalk(struct mapiprof_ctx *ctx, int fd, uint32_t bins, uint32_t root);

#endif
