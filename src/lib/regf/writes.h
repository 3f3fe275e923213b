/* writes.h - the writes of a hive patch kept in memory instead of made,
 * for a caller that journals them first (regf/patch.h, write/inplace.c). */
#ifndef MP_REGF_WRITES_H
#define MP_REGF_WRITES_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"

/* One write: len bytes for file offset off. */
struct mp_regf_write {
	uint64_t off;
	size_t len;
	uint8_t *data;
};

/* Writes in the order they were made. */
struct mp_regf_writes {
	struct mp_regf_write *v;
	size_t n, cap;
};

/* Appends a copy of buf[0..len) for offset off.  MAPIPROF_E_NOMEM. */
int mp_regf_writes_add(struct mapiprof_ctx *ctx, struct mp_regf_writes *w, const void *buf,
                       size_t len, uint64_t off);
/* Frees what w holds and empties it. */
void mp_regf_writes_free(struct mp_regf_writes *w);

#endif
