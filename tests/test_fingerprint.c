/* test_fingerprint.c - base/fingerprint.h: the same fingerprint however
 * the bytes are cut into pieces (a byte at a time takes the partial-block
 * path, whole blocks the unrolled one), and a different one when any byte,
 * the length or the order of two blocks differs; the same for the two runs
 * of a file read in halves (mp_fp_split). */
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

/* p[0..n) fed to mp_fp_split with the given split in pieces of 1, 2, ...
 * step bytes, cycling (a split of n hands the first run every piece as it
 * is). */
static void
feed_split(struct mp_fp_split *fp, const uint8_t *p, size_t n, size_t split, size_t step)
{
	mp_fp_split_init(fp, split);
	for (size_t at = 0, k = 1; at < n; k = k % step + 1) {
		size_t m = n - at < k ? n - at : k;
		mp_fp_split_add(fp, p + at, m);
		at += m;
	}
}

/* p[0..n) in pieces of 1, 2, ... step bytes, cycling. */
static uint64_t
cut(const uint8_t *p, size_t n, size_t step)
{
	struct mp_fp_split fp;
	feed_split(&fp, p, n, n, step);
	return mp_fp_final(&fp.run[0]);
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

/* p[0..n) through mp_fp_split with the given split, in pieces up to step
 * bytes (cycling as cut does). */
static uint64_t
split_cut(const uint8_t *p, size_t n, size_t split, size_t step)
{
	struct mp_fp_split fp;
	feed_split(&fp, p, n, split, step);
	return mp_fp_split_final(&fp);
}

/* Two runs (a file read in two halves): the two fingerprints joined,
 * however the bytes come, a piece crossing the split included; split 0 is
 * one run; a byte changed on either side of the split changes it. */
Test(fingerprint, two_runs_give_the_runs_joined_and_see_every_byte)
{
	static const size_t splits[] = {0, 1, 31, 32, 33, 2048, LEN - 1, LEN};
	for (size_t s = 0; s < sizeof(splits) / sizeof(splits[0]); s++) {
		size_t split = splits[s];
		uint64_t want = mp_fp_join(whole(data, split), whole(data + split, LEN - split));
		for (size_t step = 1; step <= 97; step += 8)
			cr_assert_eq(split_cut(data, LEN, split, step), want, "split %zu, step %zu",
			             split, step);
		for (size_t i = 0; i < LEN; i += 101) {
			data[i] ^= 0x04;
			cr_assert_neq(split_cut(data, LEN, split, 13), want, "split %zu, byte %zu",
			              split, i);
			data[i] ^= 0x04;
		}
	}
}
