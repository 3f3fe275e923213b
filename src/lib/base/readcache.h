/* readcache.h - a bounded read-through cache of one file's blocks, for a
 * reader that makes many small positional reads (the lazy hive reader,
 * regf/lazy.c: a field of a few bytes at a time, mostly within a few
 * pages).  A miss reads the whole aligned block in one pread, so neighbouring
 * fields cost a copy instead of a system call.
 *
 * What it returns is what a pread made at the same moment would have
 * returned, as far as this process knows: every block is dropped once this
 * process has written into any file (mp_write_generation, base/platform.h),
 * e.g. an in-place write of the very hive being read.  A change made by
 * another process shows in the blocks read after it (as with a mapping or a
 * copy taken at open, a reader racing a writer of another process sees some
 * mix).  Memory stays bounded whatever the file: MP_READCACHE_SLOTS blocks
 * of MP_READCACHE_BLOCK bytes.  Errors are those of mp_pread_full, naming
 * the same offset and length: a read the cache cannot serve whole (past the
 * end of a block that ended the file, or a failed block read) is made
 * directly. */
#ifndef MP_READCACHE_H
#define MP_READCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"

/* Blocks of 1 KiB, kept side by side in the order they are first read:
 * the reads of a walk are scattered over the file (a key's cells mostly lie
 * within a page, the next key's elsewhere), and where a page fault costs
 * more than a small pread (a virtual machine), every page of cache memory
 * touched counts: a page of 4 KiB blocks filled one per miss would cost a
 * fault per miss. */
#define MP_READCACHE_BLOCK 1024u
/* At most 1 MiB of blocks per open file; when all are used, all are
 * dropped and reused. */
#define MP_READCACHE_SLOTS 1024u

struct mp_readcache;

/* A cache of fd's blocks (fd stays the caller's).  MAPIPROF_E_NOMEM. */
int mp_readcache_new(struct mapiprof_ctx *ctx, int fd, struct mp_readcache **out);
void mp_readcache_free(struct mp_readcache *rc);

/* Reads exactly len bytes at offset into buf, as mp_pread_full(ctx, fd, ...)
 * does: a read longer than a block goes straight to the file; a shorter one
 * is copied from the one or two blocks it touches, each read once. */
int mp_readcache_read(struct mp_readcache *rc, struct mapiprof_ctx *ctx, void *buf, size_t len,
                      uint64_t offset);

/* Counts, for this process, of the reads asked of caches and of the
 * preads they made (block fills and direct reads); for tests. */
struct mp_readcache_stats {
	uint64_t reads, preads;
};
struct mp_readcache_stats mp_readcache_stats(void);

#endif
