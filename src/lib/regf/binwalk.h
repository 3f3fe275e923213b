/* binwalk.h - the check of every hbin and cell of a hive that hivex's open
 * makes (hivex lib/handle.c), in one sequential pass over the bytes: the
 * writer's check of its source, made on the bytes as they are copied
 * (write/commit.c), so that they are read once for both. */
#ifndef MP_REGF_BINWALK_H
#define MP_REGF_BINWALK_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"

/* A check of the hive bins [4096, 4096 + bins) in progress: each hbin by
 * the rules of mp_regf_cells_bin (regf/cells.h: signature, its own offset,
 * a size of whole 4 KiB units inside the hive bins, cells of at least 8
 * bytes and a multiple of 8 tiling it exactly), and that root (the root
 * key's offset from the first hbin) is where a cell starts, as hivex
 * requires.  These rules being stricter than hivex's (which takes cells of
 * whole 4 bytes), a refused hive may still be one hivex opens. */
struct mp_regf_binwalk {
	struct mapiprof_ctx *ctx;
	uint32_t bins, root;
	uint32_t at;      /* the next bin header or cell, from the first hbin */
	uint32_t bin_end; /* the end of the bin at is in; at == bin_end: a header */
	int root_seen;
};

void mp_regf_binwalk_begin(struct mp_regf_binwalk *w, struct mapiprof_ctx *ctx, uint32_t bins,
                           uint32_t root);
/* Checks what of the hive bins lies in bytes [off, off + len) of the file,
 * p holding them (w: a struct mp_regf_binwalk; the signature of an
 * mp_copy_watch, base/platform.h).  The file is fed in order from offset
 * 0 or 4096, in pieces that start at multiples of 4096 bytes.
 * MAPIPROF_E_FORMAT naming the file offset of the first fault. */
int mp_regf_binwalk_feed(void *w, const uint8_t *p, size_t len, uint64_t off);
/* After the last piece: the hive bins were all seen, and the root.
 * MAPIPROF_E_TRUNCATED when pieces stopped short of the end of the hive
 * bins, MAPIPROF_E_FORMAT otherwise. */
int mp_regf_binwalk_end(struct mp_regf_binwalk *w);

/* The whole check of the hive open on fd, read 1 MiB at a time.  The
 * caller has checked that the file holds the hive bins
 * (mp_regf_base_read). */
int mp_regf_binwalk(struct mapiprof_ctx *ctx, int fd, uint32_t bins, uint32_t root);

#endif
