/* marvin32.c - Marvin32 (Niels Ferguson's hash of .NET and Windows), from
 * its published description: a two-word state mixed by add-rotate-xor
 * rounds, one round per little-endian 32-bit word, then the tail padded
 * with 0x80 and one more empty round. */
#include "base/le.h"
#include "regf/marvin32.h"

static uint32_t
rotl32(uint32_t x, unsigned n)
{
	return x << n | x >> (32u - n);
}

/* One mixing round with the word v added to the low state word. */
static void
mix(uint32_t *lo, uint32_t *hi, uint32_t v)
{
	*lo += v;
	*hi ^= *lo;
	*lo = rotl32(*lo, 20) + *hi;
	*hi = rotl32(*hi, 9) ^ *lo;
	*lo = rotl32(*lo, 27) + *hi;
	*hi = rotl32(*hi, 19);
}

uint64_t
mp_marvin32(const uint8_t *p, size_t n, uint64_t seed)
{
	uint32_t lo = (uint32_t)seed, hi = (uint32_t)(seed >> 32);
	size_t i = 0;
	for (; n - i >= 4; i += 4)
		mix(&lo, &hi, mp_le32(p + i));
	/* The 0-3 bytes left, little-endian, followed by one 0x80 byte. */
	uint32_t tail = 0x80u;
	for (size_t k = n - i; k > 0; k--)
		tail = tail << 8 | p[i + k - 1];
	mix(&lo, &hi, tail);
	mix(&lo, &hi, 0);
	return (uint64_t)hi << 32 | lo;
}
