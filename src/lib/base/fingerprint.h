/* fingerprint.h - a fast 64-bit fingerprint of a file's bytes, to tell
 * whether a file still holds the bytes read earlier without keeping a copy
 * of them (no defence against a deliberate collision; a writer that wants
 * one can have the file anyway).  Four multiply-xor lanes over
 * little-endian 64-bit words (the multiplier is FNV-1a's 64-bit prime), so
 * it runs at memory speed. */
#ifndef MP_FINGERPRINT_H
#define MP_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

#define MP_FP_BLOCK 32u /* bytes per step: every piece but the last a multiple */

struct mp_fp {
	uint64_t h[4];
	uint64_t len;
};

static inline void
mp_fp_init(struct mp_fp *fp)
{
	for (int i = 0; i < 4; i++)
		fp->h[i] = 14695981039346656037u + (uint64_t)i;
	fp->len = 0;
}

static inline uint64_t
mp_fp_word(const uint8_t *p)
{
	uint64_t w = 0;
	for (int i = 7; i >= 0; i--)
		w = w << 8 | p[i];
	return w;
}

/* Adds p[0..n); n is a multiple of MP_FP_BLOCK except in the last call. */
static inline void
mp_fp_add(struct mp_fp *fp, const uint8_t *p, size_t n)
{
	size_t i = 0;
	for (; i + MP_FP_BLOCK <= n; i += MP_FP_BLOCK)
		for (int k = 0; k < 4; k++)
			fp->h[k] = (fp->h[k] ^ mp_fp_word(p + i + 8 * (size_t)k)) * 1099511628211u;
	for (; i < n; i++)
		fp->h[0] = (fp->h[0] ^ p[i]) * 1099511628211u;
	fp->len += n;
}

static inline uint64_t
mp_fp_final(const struct mp_fp *fp)
{
	uint64_t h = fp->len;
	for (int k = 0; k < 4; k++)
		h = (h ^ fp->h[k] ^ fp->h[k] >> 29) * 1099511628211u;
	return h;
}

#endif
