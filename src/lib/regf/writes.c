/* writes.c - writes kept in memory (writes.h). */
#include <stdlib.h>
#include <string.h>

#include "regf/writes.h"

int
mp_regf_writes_add(struct mapiprof_ctx *ctx, struct mp_regf_writes *w, const void *buf, size_t len,
                   uint64_t off)
{
	if (w->n == w->cap) {
		size_t cap = w->cap > 0 ? 2u * w->cap : 64u;
		struct mp_regf_write *v = realloc(w->v, cap * sizeof(*v));
		if (v == NULL)
			return mp_nomem(ctx);
		w->v = v;
		w->cap = cap;
	}
	uint8_t *copy = malloc(len > 0 ? len : 1u);
	if (copy == NULL)
		return mp_nomem(ctx);
	memcpy(copy, buf, len);
	w->v[w->n++] = (struct mp_regf_write){off, len, copy};
	return MAPIPROF_OK;
}

void
mp_regf_writes_free(struct mp_regf_writes *w)
{
	if (w == NULL)
		return;
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i].data);
	free(w->v);
	*w = (struct mp_regf_writes){0};
}
