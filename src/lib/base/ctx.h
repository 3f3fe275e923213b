/* ctx.h - the error record every library function reports through, and a
 * small arena allocator for the strings a file hands out. */
#ifndef MP_CTX_H
#define MP_CTX_H

#include <stdarg.h>
#include <stddef.h>

#include "mapiprof/mapiprof.h"

#if defined(__MINGW32__)
/* MinGW's "printf" format is Microsoft's, without %zu and %lld; the build
 * uses MinGW's C99 printf (__USE_MINGW_ANSI_STDIO, meson.build). */
#define MP_PRINTF(a, b) __attribute__((format(gnu_printf, a, b)))
#elif defined(__GNUC__)
#define MP_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define MP_PRINTF(a, b)
#endif

struct mapiprof_ctx {
	enum mapiprof_error code;
	int saved_errno;
	char *file;                   /* file the error is about (owned) */
	char msg[512];                /* place + reason */
	char note[512];               /* what a successful call could not do (mapiprof_note) */
	char codepage[64];            /* iconv name for PT_STRING8 bytes, default windows-1252 */
	unsigned lock_wait;           /* seconds a writer waits for a lock */
	struct mp_iconv_cache *iconv; /* open converters (utf16.c), NULL until first use */
	/* Closes them (set by utf16.c, which the context does not depend on). */
	void (*iconv_free)(struct mapiprof_ctx *ctx);
};

/* The lock wait of ctx in milliseconds (mapiprof_ctx_set_lock_wait). */
static inline unsigned
mp_lock_wait_ms(const struct mapiprof_ctx *ctx)
{
	unsigned s = ctx != NULL ? ctx->lock_wait : 0;
	return s > 4000000u ? 4000000000u : s * 1000u;
}

/* Records an error (code, message) in ctx; never prints.  Safe with ctx == NULL. */
void mp_seterr(struct mapiprof_ctx *ctx, enum mapiprof_error code, const char *fmt, ...)
    MP_PRINTF(3, 4);
/* As mp_seterr, and saves errno (call it before anything can clobber errno). */
void mp_seterr_errno(struct mapiprof_ctx *ctx, int err, const char *fmt, ...) MP_PRINTF(3, 4);
/* Records a note: something a call that succeeds could not do (e.g. keep a
 * file's owner), for the caller to pass on; a later note replaces it. */
void mp_setnote(struct mapiprof_ctx *ctx, const char *fmt, ...) MP_PRINTF(2, 3);
/* As mp_setnote, but after the note already there ("; " between). */
void mp_addnote(struct mapiprof_ctx *ctx, const char *fmt, ...) MP_PRINTF(2, 3);
/* Sets the file the current error refers to (copied). */
void mp_seterr_file(struct mapiprof_ctx *ctx, const char *path);
/* Records MAPIPROF_E_NOMEM. Returns MAPIPROF_FAILED. */
int mp_nomem(struct mapiprof_ctx *ctx);

/* Arena: every allocation lives until mp_arena_free().  Allocation failure
 * returns NULL (callers report it with mp_nomem).  Strings (strdup, strndup,
 * printf) are packed without alignment; other allocations are aligned for
 * any type. */
struct mp_arena {
	struct mp_arena_block *head;
	size_t bytes; /* malloc'd so far, for callers that keep a memory budget */
};
void *mp_arena_alloc(struct mp_arena *a, size_t size);
/* Unaligned: for bytes that are only ever read as bytes. */
void *mp_arena_alloc_bytes(struct mp_arena *a, size_t size);
void *mp_arena_calloc(struct mp_arena *a, size_t n, size_t size);
char *mp_arena_strdup(struct mp_arena *a, const char *s);
/* Moves every block of from into to (from is left empty): what was
 * allocated in from lives as long as to. */
void mp_arena_take(struct mp_arena *to, struct mp_arena *from);
char *mp_arena_strndup(struct mp_arena *a, const char *s, size_t n);
char *mp_arena_printf(struct mp_arena *a, const char *fmt, ...) MP_PRINTF(2, 3);
void *mp_arena_memdup(struct mp_arena *a, const void *p, size_t n);
void mp_arena_free(struct mp_arena *a);

#endif
