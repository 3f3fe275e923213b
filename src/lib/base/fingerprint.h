/* fingerprint.h - a fast 64-bit fingerprint of a file's bytes, to tell
 * whether a file still holds the bytes read earlier without keeping a copy
 * of them (no defence against a deliberate collision; a writer that wants
 * one can have the file anyway).  Four multiply-xor lanes over
 * 64-bit words (the multiplier is FNV-1a's 64-bit prime), so
 * it runs at memory speed. */
#ifndef MP_FINGERPRINT_H
#define MP_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MP_FP_BLOCK 32u /* bytes per step of the four lanes */

struct mp_fp {
	uint64_t h[4];
	uint64_t len;
	uint8_t part[MP_FP_BLOCK]; /* a step's bytes not yet taken */
	size_t npart;
};

static inline void
mp_fp_init(struct mp_fp *fp)
{
	for (int i = 0; i < 4; i++)
		fp->h[i] = 14695981039346656037u + (uint64_t)i;
	fp->len = 0;
	fp->npart = 0;
}

/* A word in the machine's byte order: fingerprints are compared within
 * one process only. */
static inline uint64_t
mp_fp_word(const uint8_t *p)
{
	uint64_t w;
	memcpy(&w, p, sizeof(w));
	return w;
}

static inline void
mp_fp_step(struct mp_fp *fp, const uint8_t *p)
{
	for (int k = 0; k < 4; k++)
		fp->h[k] = (fp->h[k] ^ mp_fp_word(p + 8 * k)) * 1099511628211u;
}

/* Adds p[0..n): the same result however the bytes are cut into pieces. */
static inline void
mp_fp_add(struct mp_fp *fp, const uint8_t *p, size_t n)
{
	size_t i = 0;
	fp->len += n;
	if (fp->npart > 0) {
		while (i < n && fp->npart < MP_FP_BLOCK)
			fp->part[fp->npart++] = p[i++];
		if (fp->npart < MP_FP_BLOCK)
			return;
		mp_fp_step(fp, fp->part);
		fp->npart = 0;
	}
	/* The lanes in locals: stores to fp->h could alias p (uint8_t), so
	 * the compiler would otherwise load and store them at every step. */
	uint64_t h0 = fp->h[0], h1 = fp->h[1], h2 = fp->h[2], h3 = fp->h[3];
	for (; i + MP_FP_BLOCK <= n; i += MP_FP_BLOCK) {
		h0 = (h0 ^ mp_fp_word(p + i)) * 1099511628211u;
		h1 = (h1 ^ mp_fp_word(p + i + 8)) * 1099511628211u;
		h2 = (h2 ^ mp_fp_word(p + i + 16)) * 1099511628211u;
		h3 = (h3 ^ mp_fp_word(p + i + 24)) * 1099511628211u;
	}
	fp->h[0] = h0, fp->h[1] = h1, fp->h[2] = h2, fp->h[3] = h3;
	while (i < n)
		fp->part[fp->npart++] = p[i++];
}

static inline uint64_t
mp_fp_final(const struct mp_fp *fp)
{
	uint64_t h = fp->len;
	for (size_t i = 0; i < fp->npart; i++)
		h = (h ^ fp->part[i]) * 1099511628211u;
	for (int k = 0; k < 4; k++)
		h = (h ^ fp->h[k] ^ fp->h[k] >> 29) * 1099511628211u;
	return h;
}

/* The fingerprint of bytes taken in two runs, [0, split) and [split, end),
 * each fingerprinted on its own (two threads read a file's halves): the
 * two results joined.  split 0 is the whole as one run. */
static inline uint64_t
mp_fp_join(uint64_t first, uint64_t second)
{
	return (first ^ (second * 0x9E3779B97F4A7C15u)) * 1099511628211u;
}

/* mp_fp_join's two runs, fed the bytes in order, each piece to the run
 * (or the two runs) it falls in. */
struct mp_fp_split {
	struct mp_fp run[2];
	uint64_t split, at;
};

static inline void
mp_fp_split_init(struct mp_fp_split *s, uint64_t split)
{
	mp_fp_init(&s->run[0]);
	mp_fp_init(&s->run[1]);
	s->split = split;
	s->at = 0;
}

static inline void
mp_fp_split_add(struct mp_fp_split *s, const uint8_t *p, size_t n)
{
	if (s->at < s->split) {
		size_t k = s->split - s->at < n ? (size_t)(s->split - s->at) : n;
		mp_fp_add(&s->run[0], p, k);
		p += k;
		n -= k;
		s->at += k;
	}
	mp_fp_add(&s->run[1], p, n);
	s->at += n;
}

static inline uint64_t
mp_fp_split_final(const struct mp_fp_split *s)
{
	return mp_fp_join(mp_fp_final(&s->run[0]), mp_fp_final(&s->run[1]));
}

#endif
