/* buf.c - the growable output buffer of buf.h. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/limits.h"

int
mp_buf_add(struct mapiprof_ctx *ctx, struct mp_buf *b, const void *p, size_t n)
{
	if (n == 0)
		return MAPIPROF_OK;
	if (n > MP_MAX_OUTPUT || b->len > MP_MAX_OUTPUT - n) {
		mp_seterr(ctx, MAPIPROF_E_LIMIT, "output larger than %u bytes", MP_MAX_OUTPUT);
		return MAPIPROF_FAILED;
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap != 0 ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *q = realloc(b->data, cap);
		if (q == NULL)
			return mp_nomem(ctx);
		b->data = q;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return MAPIPROF_OK;
}

int
mp_buf_puts(struct mapiprof_ctx *ctx, struct mp_buf *b, const char *s)
{
	return mp_buf_add(ctx, b, s, strlen(s));
}

int
mp_buf_take(struct mapiprof_ctx *ctx, struct mp_buf *b, void **out, size_t *len)
{
	if (b->data == NULL && (b->data = malloc(1)) == NULL)
		return mp_nomem(ctx);
	*out = b->data;
	*len = b->len;
	memset(b, 0, sizeof(*b));
	return MAPIPROF_OK;
}

void
mp_buf_free(struct mp_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}
