/* hex.h - hex digits both ways, shared by every parser and formatter of the
 * library (MAPI value names, UIDs, .reg hex data, tags, sha256). */
#ifndef MP_HEX_H
#define MP_HEX_H

#include <stddef.h>
#include <stdint.h>

/* The value of one hex digit (either case), or -1 when c is not one.  Takes
 * a char or an unsigned char value; '\0' is not a digit, so it stops scans. */
static inline int
mp_hex_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses exactly n (<= 8) hex digits s[0..n) into *out.  Returns 1, or 0
 * when one is not a hex digit (never reading past it, so a short
 * NUL-terminated s is safe). */
static inline int
mp_hex_u32(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;
	for (size_t i = 0; i < n; i++) {
		int d = mp_hex_val(s[i]);
		if (d < 0)
			return 0;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 1;
}

/* Parses 2 * n hex digits s[0..2n) into n bytes, in order.  Returns 1, or 0
 * when one is not a hex digit (never reading past it). */
static inline int
mp_hex_bytes(const char *s, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t b = 0;
		if (!mp_hex_u32(s + 2 * i, 2, &b))
			return 0;
		out[i] = (uint8_t)b;
	}
	return 1;
}

/* Lower-case hex of n bytes into out, which holds 2 * n + 1 chars; always
 * NUL-terminated. */
static inline void
mp_hex_encode(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0F];
	}
	out[2 * n] = '\0';
}

#endif
