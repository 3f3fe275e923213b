/* marvin32.h - the Marvin32 hash, which checks the entries of new-format
 * (HvLE) transaction logs (regf spec "Log entries", notes 1-3). */
#ifndef MP_MARVIN32_H
#define MP_MARVIN32_H

#include <stddef.h>
#include <stdint.h>

/* The seed of HvLE Hash-1 and Hash-2 as a 64-bit number: the spec lists it
 * as the bytes 82 EF 4D 88 7A 4E 55 C5, which is this value written most
 * significant byte first (its low half 0x7A4E55C5 seeds the first state
 * word); checked against the hashes in the sample logs. */
#define MP_MARVIN32_REGF_SEED UINT64_C(0x82EF4D887A4E55C5)

/* Marvin32 of p[0..n) with seed: the two 32-bit state words as
 * (high << 32) | low, the layout of the published test vectors (.NET's
 * MarvinTests) and of the 8-byte hashes stored in an HvLE entry (read
 * little-endian).  p may be NULL when n is 0. */
uint64_t mp_marvin32(const uint8_t *p, size_t n, uint64_t seed);

#endif
