/* fuzz_regf_log.c - libFuzzer harness for transaction-log replay: arbitrary
 * bytes as a primary hive and up to two logs for mp_regf_recover
 * (regf/replay.h), with the result's invariants checked.
 *
 * Input layout (little-endian):
 *   byte 0     bits 0-1: number of logs (3 counts as 2); bit 2: re-hash the
 *              logs' HvLE entries and re-checksum their base blocks; bit 3:
 *              re-checksum the primary's base block (so that mutations get
 *              past the hashes to the checks behind them)
 *   bytes 1-4  length of the primary (clamped to what is left)
 *   bytes 5-8  length of log 1 (clamped); log 2 is the rest
 * Each part is copied into its own buffer of exactly its length, so that
 * AddressSanitizer sees any read past its end. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "regf/hiveinfo.h"
#include "regf/marvin32.h"
#include "regf/replay.h"

#define HDR 9u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
take(const uint8_t *p, size_t left)
{
	size_t n = mp_le32(p);
	return n < left ? n : left;
}

static uint8_t *
copy(const uint8_t *p, size_t n)
{
	uint8_t *q = malloc(n > 0 ? n : 1);
	if (q == NULL)
		abort();
	memcpy(q, p, n);
	return q;
}

static void
fix_checksum(uint8_t *bb, size_t n)
{
	uint32_t windows = 0;
	if (n < 512)
		return;
	mp_regf_checksum(bb, NULL, &windows);
	mp_put_le32(bb + 508, windows);
}

/* Re-hashes every well-formed HvLE entry from offset 512 on. */
static void
fix_log(uint8_t *p, size_t n)
{
	fix_checksum(p, n);
	for (size_t off = 512; n > off && n - off >= 40;) {
		uint32_t sz = mp_le32(p + off + 4);
		if (memcmp(p + off, "HvLE", 4) != 0 || sz < 512 || sz % 512 != 0 || sz > n - off)
			break;
		mp_put_le64(p + off + 24,
		            mp_marvin32(p + off + 40, sz - 40u, MP_MARVIN32_REGF_SEED));
		mp_put_le64(p + off + 32, mp_marvin32(p + off, 32, MP_MARVIN32_REGF_SEED));
		off += sz;
	}
}

/* What every successful replay must give (regf/replay.h). */
static void
check(const struct mp_buf *out, const struct mp_regf_recovery *rep, const uint8_t *p, size_t plen)
{
	if (rep->format == MP_REGF_LOG_NONE) {
		if (out->len != plen || memcmp(out->data, p, plen) != 0)
			abort();
		return;
	}
	uint32_t plain = 0, windows = 0;
	if (out->len < 4096 || out->len > out->cap)
		abort();
	mp_regf_checksum(out->data, &plain, &windows);
	if (mp_le32(out->data + 4) != mp_le32(out->data + 8) ||
	    mp_le32(out->data + 4) != rep->seq_after || mp_le32(out->data + 28) != 0 ||
	    mp_le32(out->data + 40) != out->len - 4096u || mp_le32(out->data + 508) != plain ||
	    plain != windows)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < HDR)
		return 0;
	unsigned flags = data[0];
	size_t left = size - HDR, plen = take(data + 1, left);
	size_t l1 = take(data + 5, left - plen), l2 = left - plen - l1;
	size_t nlogs = (flags & 3u) == 3u ? 2u : flags & 3u;
	uint8_t *p = copy(data + HDR, plen);
	uint8_t *a = copy(data + HDR + plen, l1), *b = copy(data + HDR + plen + l1, l2);
	if (flags & 4u) {
		fix_log(a, l1);
		fix_log(b, l2);
	}
	if (flags & 8u && plen >= 4096)
		fix_checksum(p, plen);
	struct mp_regf_log_input in[2] = {{"fuzz.LOG1", a, l1}, {"fuzz.LOG2", b, l2}};
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	struct mp_buf out;
	struct mp_regf_recovery rep;
	if (ctx == NULL)
		abort();
	if (mp_regf_recover(ctx, p, plen, in, nlogs, &out, &rep) == MAPIPROF_OK)
		check(&out, &rep, p, plen);
	else if (out.data != NULL || mapiprof_errcode(ctx) == MAPIPROF_E_NONE)
		abort();
	mp_buf_free(&out);
	mapiprof_ctx_free(ctx);
	free(p);
	free(a);
	free(b);
	return 0;
}
