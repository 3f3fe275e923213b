/* ctx.c - the context: error record, code page, and the arena allocator.
 * The lowest unit of the library: it calls no other (a code page is checked
 * where iconv is, in utf16.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ctx.h"

struct mapiprof_ctx *
mapiprof_ctx_new(void)
{
	struct mapiprof_ctx *ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		return NULL;
	/* Default code page for PT_STRING8 bytes (--codepage). */
	strcpy(ctx->codepage, "WINDOWS-1252");
	ctx->lock_wait = MAPIPROF_LOCK_WAIT_DEFAULT;
	return ctx;
}

void
mapiprof_ctx_set_lock_wait(struct mapiprof_ctx *ctx, unsigned seconds)
{
	if (ctx != NULL)
		ctx->lock_wait = seconds;
}

void
mapiprof_ctx_free(struct mapiprof_ctx *ctx)
{
	if (ctx == NULL)
		return;
	free(ctx->file);
	if (ctx->iconv_free != NULL)
		ctx->iconv_free(ctx);
	free(ctx);
}

const char *
mapiprof_ctx_codepage(const struct mapiprof_ctx *ctx)
{
	return ctx->codepage;
}

static void vset(struct mapiprof_ctx *ctx, enum mapiprof_error code, int err, const char *fmt,
                 va_list ap) MP_PRINTF(4, 0);

static void
vset(struct mapiprof_ctx *ctx, enum mapiprof_error code, int err, const char *fmt, va_list ap)
{
	if (ctx == NULL)
		return;
	ctx->code = code;
	ctx->saved_errno = err;
	vsnprintf(ctx->msg, sizeof(ctx->msg), fmt, ap);
	if (err != 0) {
		size_t used = strlen(ctx->msg);
		snprintf(ctx->msg + used, sizeof(ctx->msg) - used, ": %s", strerror(err));
	}
}

void
mp_seterr(struct mapiprof_ctx *ctx, enum mapiprof_error code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(ctx, code, 0, fmt, ap);
	va_end(ap);
}

void
mp_seterr_errno(struct mapiprof_ctx *ctx, int err, const char *fmt, ...)
{
	enum mapiprof_error code = MAPIPROF_E_IO;
	if (err == ENOENT)
		code = MAPIPROF_E_NOENT;
	else if (err == EISDIR)
		code = MAPIPROF_E_ISDIR;
	else if (err == ENOMEM)
		code = MAPIPROF_E_NOMEM;
	va_list ap;
	va_start(ap, fmt);
	vset(ctx, code, err, fmt, ap);
	va_end(ap);
}

void
mp_seterr_file(struct mapiprof_ctx *ctx, const char *path)
{
	if (ctx == NULL)
		return;
	free(ctx->file);
	ctx->file = path != NULL ? strdup(path) : NULL;
}

int
mp_nomem(struct mapiprof_ctx *ctx)
{
	mp_seterr(ctx, MAPIPROF_E_NOMEM, "out of memory");
	return MAPIPROF_FAILED;
}

enum mapiprof_error
mapiprof_errcode(const struct mapiprof_ctx *ctx)
{
	return ctx->code;
}

int
mapiprof_errno(const struct mapiprof_ctx *ctx)
{
	return ctx->saved_errno;
}

const char *
mapiprof_errfile(const struct mapiprof_ctx *ctx)
{
	return ctx->file;
}

const char *
mapiprof_errmsg(const struct mapiprof_ctx *ctx)
{
	return ctx->msg;
}

const char *
mapiprof_note(const struct mapiprof_ctx *ctx)
{
	return ctx->note;
}

void
mapiprof_clear_note(struct mapiprof_ctx *ctx)
{
	ctx->note[0] = '\0';
}

void
mp_setnote(struct mapiprof_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	if (ctx == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(ctx->note, sizeof(ctx->note), fmt, ap);
	va_end(ap);
}

void
mp_addnote(struct mapiprof_ctx *ctx, const char *fmt, ...)
{
	va_list ap;
	if (ctx == NULL)
		return;
	size_t at = strlen(ctx->note);
	if (at > 0 && at + 2 < sizeof(ctx->note)) {
		memcpy(ctx->note + at, "; ", 3);
		at += 2;
	}
	if (at + 1 >= sizeof(ctx->note))
		return;
	va_start(ap, fmt);
	vsnprintf(ctx->note + at, sizeof(ctx->note) - at, fmt, ap);
	va_end(ap);
}

void
mapiprof_clear_error(struct mapiprof_ctx *ctx)
{
	ctx->code = MAPIPROF_E_NONE;
	ctx->saved_errno = 0;
	ctx->msg[0] = '\0';
	free(ctx->file);
	ctx->file = NULL;
}

const char *
mapiprof_version(void)
{
	return MAPIPROF_VERSION;
}

void
mapiprof_free(void *p)
{
	free(p);
}

/* ---- arena ---- */

struct mp_arena_block {
	struct mp_arena_block *next;
	size_t used, cap;
	/* max_align_t alignment for what follows */
	union {
		max_align_t align;
		unsigned char bytes[1];
	} data;
};

#define ARENA_BLOCK 16384u

/* size bytes at a multiple of align (a power of two) within the head block,
 * or in a new block. */
static void *
arena_alloc_aligned(struct mp_arena *a, size_t size, size_t align)
{
	if (size == 0)
		size = 1;
	struct mp_arena_block *b = a->head;
	size_t at = b != NULL ? (b->used + align - 1) & ~(align - 1) : 0;
	if (b == NULL || at > b->cap || b->cap - at < size) {
		size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
		if (cap > SIZE_MAX - sizeof(*b))
			return NULL;
		b = malloc(sizeof(*b) + cap);
		if (b == NULL)
			return NULL;
		b->cap = cap;
		b->used = 0;
		b->next = a->head;
		a->head = b;
		a->bytes += sizeof(*b) + cap;
		at = 0;
	}
	void *p = b->data.bytes + at;
	b->used = at + size;
	return p;
}

void *
mp_arena_alloc(struct mp_arena *a, size_t size)
{
	return arena_alloc_aligned(a, size, _Alignof(max_align_t));
}

void *
mp_arena_alloc_bytes(struct mp_arena *a, size_t size)
{
	return arena_alloc_aligned(a, size, 1);
}

void *
mp_arena_calloc(struct mp_arena *a, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	void *p = mp_arena_alloc(a, n * size);
	if (p != NULL)
		memset(p, 0, n * size);
	return p;
}

void *
mp_arena_memdup(struct mp_arena *a, const void *p, size_t n)
{
	void *q = mp_arena_alloc(a, n);
	if (q != NULL && n > 0)
		memcpy(q, p, n);
	return q;
}

char *
mp_arena_strndup(struct mp_arena *a, const char *s, size_t n)
{
	if (n == SIZE_MAX)
		return NULL;
	char *q = arena_alloc_aligned(a, n + 1, 1);
	if (q != NULL) {
		memcpy(q, s, n);
		q[n] = '\0';
	}
	return q;
}

char *
mp_arena_strdup(struct mp_arena *a, const char *s)
{
	return mp_arena_strndup(a, s, strlen(s));
}

char *
mp_arena_printf(struct mp_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *q = arena_alloc_aligned(a, (size_t)n + 1, 1);
	if (q == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(q, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return q;
}

void
mp_arena_take(struct mp_arena *to, struct mp_arena *from)
{
	struct mp_arena_block *tail = from->head;
	if (tail == NULL)
		return;
	while (tail->next != NULL)
		tail = tail->next;
	/* from's head, which may have room left, is where to allocates next */
	tail->next = to->head;
	to->head = from->head;
	to->bytes += from->bytes;
	from->head = NULL;
	from->bytes = 0;
}

void
mp_arena_free(struct mp_arena *a)
{
	struct mp_arena_block *b = a->head;
	while (b != NULL) {
		struct mp_arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
	a->bytes = 0;
}
