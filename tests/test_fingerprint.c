/* test_fingerprint.c - base/fingerprint.h: the same fingerprint however
 * the bytes are cut into pieces (a byte at a time takes the partial-block
 * path, whole blocks the unrolled one), and a different one when any byte,
 * the length or the order of two blocks differs. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/fingerprint.h"

#define LEN 4099u /* whole blocks and a partial one */

static uint8_t data[LEN];

static void
fill(void)
{
	uint32_t x = 2463534242u; /* xorshift32: any bytes will do */
	for (size_t i = 0; i < LEN; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		data[i] = (uint8_t)x;
	}
}

TestSuite(fingerprint, .init = fill);

static uint64_t
whole(const uint8_t *p, size_t n)
{
	struct mp_fp fp;
	mp_fp_init(&fp);
	mp_fp_add(&fp, p, n);
	return mp_fp_final(&fp);
}

/* p[0..n) in pieces of 1, 2, ... step bytes, cycling. */
static uint64_t
cut(const uint8_t *p, size_t n, size_t step)
{
	struct mp_fp fp;
	mp_fp_init(&fp);
	for (size_t at = 0, k = 1; at < n; k = k % step + 1) {
		size_t m = n - at < k ? n - at : k;
		mp_fp_add(&fp, p + at, m);
		at += m;
	}
	return mp_fp_final(&fp);
}

Test(fingerprint, pieces_of_any_size_give_the_whole_s)
{
	uint64_t want = whole(data, LEN);
	cr_assert_eq(cut(data, LEN, 1), want, "a byte at a time");
	for (size_t step = 2; step <= 97; step++)
		cr_assert_eq(cut(data, LEN, step), want, "pieces up to %zu bytes", step);
}

Test(fingerprint, any_byte_changed_changes_it)
{
	uint64_t was = whole(data, LEN);
	/* Every word of a block (each lane), and the partial block at the end. */
	for (size_t i = 0; i < LEN; i += 7) {
		data[i] ^= 0x01;
		cr_assert_neq(whole(data, LEN), was, "byte %zu changed", i);
		cr_assert_neq(cut(data, LEN, 1), was, "byte %zu changed, a byte at a time", i);
		data[i] ^= 0x01;
	}
	cr_assert_eq(whole(data, LEN), was);
}

Test(fingerprint, the_length_and_the_order_of_blocks_count)
{
	uint64_t was = whole(data, LEN);
	cr_assert_neq(whole(data, LEN - 1), was);
	uint8_t *swapped = malloc(LEN);
	cr_assert_not_null(swapped);
	memcpy(swapped, data, LEN);
	memcpy(swapped, data + MP_FP_BLOCK, MP_FP_BLOCK);
	memcpy(swapped + MP_FP_BLOCK, data, MP_FP_BLOCK);
	cr_assert_neq(whole(swapped, LEN), was);
	free(swapped);
}
