/* readcache.c - the block cache of readcache.h.  Blocks are handed out in
 * order from one buffer (slot i at mem + i * MP_READCACHE_BLOCK) and found
 * through an open-addressing table of block numbers; everything is dropped
 * at once when the buffer is full or the process has written into a file
 * since the blocks were read. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/platform.h"
#include "base/readcache.h"

/* Table entries: twice the slots, so probes stay short. */
#define TABLE (2u * MP_READCACHE_SLOTS)

struct mp_readcache {
	int fd;
	uint64_t gen;                       /* mp_write_generation() when the blocks were read */
	uint32_t used;                      /* slots handed out */
	uint16_t table[TABLE];              /* slot + 1, 0 for none */
	uint64_t block[MP_READCACHE_SLOTS]; /* block number of each slot */
	uint32_t have[MP_READCACHE_SLOTS];  /* bytes read: fewer where the file ended */
	uint8_t *mem;                       /* the slots' bytes, allocated at the first miss */
};

static _Atomic uint64_t stat_reads, stat_preads;

struct mp_readcache_stats
mp_readcache_stats(void)
{
	struct mp_readcache_stats s = {atomic_load(&stat_reads), atomic_load(&stat_preads)};
	return s;
}

int
mp_readcache_new(struct mapiprof_ctx *ctx, int fd, struct mp_readcache **out)
{
	*out = calloc(1, sizeof(**out));
	if (*out == NULL)
		return mp_nomem(ctx);
	(*out)->fd = fd;
	(*out)->gen = mp_write_generation();
	return MAPIPROF_OK;
}

void
mp_readcache_free(struct mp_readcache *rc)
{
	if (rc == NULL)
		return;
	free(rc->mem);
	free(rc);
}

static void
drop_all(struct mp_readcache *rc, uint64_t gen)
{
	memset(rc->table, 0, sizeof(rc->table));
	rc->used = 0;
	rc->gen = gen;
}

static int
direct(struct mp_readcache *rc, struct mapiprof_ctx *ctx, void *buf, size_t len, uint64_t offset)
{
	atomic_fetch_add(&stat_preads, 1u);
	return mp_pread_full(ctx, rc->fd, buf, len, offset);
}

/* The table entry where block b is, or would go. */
static uint16_t *
entry(struct mp_readcache *rc, uint64_t b)
{
	uint32_t i = (uint32_t)((b * 0x9E3779B97F4A7C15u) >> 40) % TABLE;
	while (rc->table[i] != 0 && rc->block[rc->table[i] - 1u] != b)
		i = (i + 1u) % TABLE;
	return &rc->table[i];
}

/* The slot holding block b, read now if it is not held; -1 when it cannot
 * be read (the caller then reads directly, and reports what that meets). */
static long
slot_of(struct mp_readcache *rc, uint64_t b)
{
	uint16_t *e = entry(rc, b);
	if (*e != 0)
		return (long)*e - 1;
	if (rc->mem == NULL &&
	    (rc->mem = malloc((size_t)MP_READCACHE_SLOTS * MP_READCACHE_BLOCK)) == NULL)
		return -1;
	if (rc->used == MP_READCACHE_SLOTS) {
		drop_all(rc, rc->gen);
		e = entry(rc, b);
	}
	uint32_t s = rc->used;
	size_t got = 0;
	atomic_fetch_add(&stat_preads, 1u);
	if (mp_pread_some(NULL, rc->fd, rc->mem + (size_t)s * MP_READCACHE_BLOCK,
	                  MP_READCACHE_BLOCK, b * MP_READCACHE_BLOCK, &got) != MAPIPROF_OK)
		return -1;
	rc->used++;
	rc->block[s] = b;
	rc->have[s] = (uint32_t)got;
	*e = (uint16_t)(s + 1u);
	return (long)s;
}

int
mp_readcache_read(struct mp_readcache *rc, struct mapiprof_ctx *ctx, void *buf, size_t len,
                  uint64_t offset)
{
	atomic_fetch_add(&stat_reads, 1u);
	if (len == 0)
		return MAPIPROF_OK;
	if (len > MP_READCACHE_BLOCK || offset > (uint64_t)INT64_MAX - len)
		return direct(rc, ctx, buf, len, offset);
	uint64_t gen = mp_write_generation();
	if (gen != rc->gen)
		drop_all(rc, gen);
	uint64_t end = offset + len;
	uint8_t *out = buf;
	/* At most two blocks, len being at most one; the second cannot drop
	 * the first (bytes already copied), and if it does, the copy stays. */
	for (uint64_t at = offset; at < end;) {
		uint64_t b = at / MP_READCACHE_BLOCK, start = b * MP_READCACHE_BLOCK;
		uint64_t stop = end - start < MP_READCACHE_BLOCK ? end : start + MP_READCACHE_BLOCK;
		long s = slot_of(rc, b);
		if (s < 0 || rc->have[s] < stop - start)
			return direct(rc, ctx, buf, len, offset);
		memcpy(out + (at - offset), rc->mem + (size_t)s * MP_READCACHE_BLOCK + (at - start),
		       (size_t)(stop - at));
		at = stop;
	}
	return MAPIPROF_OK;
}
