/* buf.h - a growable byte buffer for output built in memory (.reg text),
 * capped so that no input can make it grow without bound. */
#ifndef MP_BUF_H
#define MP_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"

struct mp_buf {
	uint8_t *data; /* malloc'd; NULL while empty */
	size_t len, cap;
};

/* Appends n bytes; fails with MAPIPROF_E_NOMEM, or MAPIPROF_E_LIMIT past
 * MP_MAX_OUTPUT (limits.h). */
int mp_buf_add(struct mapiprof_ctx *ctx, struct mp_buf *b, const void *p, size_t n);
/* Appends a NUL-terminated string (without its NUL). */
int mp_buf_puts(struct mapiprof_ctx *ctx, struct mp_buf *b, const char *s);
/* Hands the bytes to the caller (*out malloc'd, never NULL on success even
 * when empty) and empties b. */
int mp_buf_take(struct mapiprof_ctx *ctx, struct mp_buf *b, void **out, size_t *len);
void mp_buf_free(struct mp_buf *b);

#endif
