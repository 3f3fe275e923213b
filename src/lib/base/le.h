/* le.h - little-endian reads and writes of the fixed-width integers that
 * registry files and MAPI values are made of (all little-endian: regf spec
 * "Base block", MFCMAPI registryProperty.cpp).  Callers check bounds. */
#ifndef MP_LE_H
#define MP_LE_H

#include <stdint.h>

static inline uint16_t
mp_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

static inline uint32_t
mp_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t
mp_le64(const uint8_t *p)
{
	return (uint64_t)mp_le32(p) | (uint64_t)mp_le32(p + 4) << 32;
}

static inline void
mp_put_le16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v & 0xFFu);
	p[1] = (uint8_t)((v >> 8) & 0xFFu);
}

static inline void
mp_put_le32(uint8_t *p, uint32_t v)
{
	mp_put_le16(p, v & 0xFFFFu);
	mp_put_le16(p + 2, v >> 16);
}

static inline void
mp_put_le64(uint8_t *p, uint64_t v)
{
	mp_put_le32(p, (uint32_t)v);
	mp_put_le32(p + 4, (uint32_t)(v >> 32));
}

/* Cell sizes are multiples of 8 (regf spec "Cell"). */
static inline uint32_t
mp_round8(uint32_t n)
{
	return (n + 7u) & ~7u;
}

#endif
