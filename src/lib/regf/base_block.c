/* base_block.c - the regf base block: checksum by both rules, field
 * decoding, and the checked read of a hive's base block (base_block.h). */
#include <string.h>

#include "base/le.h"
#include "base/platform.h"
#include "regf/base_block.h"

void
mp_regf_checksum(const uint8_t *base_block, uint32_t *plain, uint32_t *windows)
{
	uint32_t x = 0;
	for (size_t off = 0; off < MP_BB_CHECKSUM; off += 4)
		x ^= mp_le32(base_block + off);
	if (plain != NULL)
		*plain = x;
	if (windows != NULL)
		*windows = x == 0 ? 1u : x == 0xFFFFFFFFu ? 0xFFFFFFFEu : x;
}

void
mp_regf_base_decode(const uint8_t *bb, struct mp_regf_base *b)
{
	b->seq1 = mp_le32(bb + MP_BB_SEQ1);
	b->seq2 = mp_le32(bb + MP_BB_SEQ2);
	b->ts = mp_le64(bb + MP_BB_TIMESTAMP);
	b->major = mp_le32(bb + MP_BB_MAJOR);
	b->minor = mp_le32(bb + MP_BB_MINOR);
	b->type = mp_le32(bb + MP_BB_TYPE);
	b->format = mp_le32(bb + MP_BB_FORMAT);
	b->bins = mp_le32(bb + MP_BB_BINS_SIZE);
	b->cluster = mp_le32(bb + MP_BB_CLUSTER);
	b->flags = mp_le32(bb + MP_BB_FLAGS);
	b->stored = mp_le32(bb + MP_BB_CHECKSUM);
	mp_regf_checksum(bb, &b->plain, &b->windows);
}

int
mp_regf_base_read(struct mapiprof_ctx *ctx, int fd, struct mp_regf_base *b)
{
	enum mp_file_kind kind;
	int64_t mtime = 0;
	memset(b, 0, sizeof(*b));
	if (mp_fd_stat(ctx, fd, &b->fsize, &kind, &mtime) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (b->fsize < MP_REGF_BASE_BLOCK) {
		mp_seterr(ctx, MAPIPROF_E_TRUNCATED, "truncated hive: file has %llu bytes",
		          (unsigned long long)b->fsize);
		return MAPIPROF_FAILED;
	}
	if (mp_pread_full(ctx, fd, b->bb, MP_REGF_BASE_BLOCK, 0) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	mp_regf_base_decode(b->bb, b);
	if (memcmp(b->bb, "regf", 4) != 0 || b->major != 1 || b->bins == 0 ||
	    b->bins % MP_HBIN_ALIGN != 0) {
		mp_seterr(ctx, MAPIPROF_E_FORMAT,
		          "not a regf 1.x hive, or hive bins size 0x%x is not whole bins", b->bins);
		return MAPIPROF_FAILED;
	}
	if (b->fsize - MP_REGF_BASE_BLOCK < b->bins) {
		mp_seterr(ctx, MAPIPROF_E_TRUNCATED,
		          "truncated hive: file has %llu bytes, the header needs %llu",
		          (unsigned long long)b->fsize,
		          (unsigned long long)b->bins + MP_REGF_BASE_BLOCK);
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

int
mp_regf_base_seal(uint8_t *bb)
{
	uint32_t plain = 0, windows = 0;
	int ticks = 0;
	mp_regf_checksum(bb, &plain, &windows);
	/* Each tick changes the XOR; two in a row cannot both land on 0 or
	 * 0xFFFFFFFF except across a carry, so this ends after a few. */
	while ((plain == 0 || plain == 0xFFFFFFFFu) && ticks < 64) {
		mp_put_le64(bb + MP_BB_TIMESTAMP, mp_le64(bb + MP_BB_TIMESTAMP) + 1u);
		ticks++;
		mp_regf_checksum(bb, &plain, &windows);
	}
	mp_put_le32(bb + MP_BB_CHECKSUM, windows);
	return ticks;
}
