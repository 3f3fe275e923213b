/* log_write.c - a new-format transaction log of one entry (log_write.h;
 * regf spec "Base block", "New format: Log entries", notes 1-3). */
#include <stdlib.h>
#include <string.h>

#include "base/le.h"
#include "regf/base_block.h"
#include "regf/log.h"
#include "regf/log_write.h"
#include "regf/marvin32.h"

/* HvLE entry header: "HvLE", size, flags, sequence, hive-bins size, page
 * count, Hash-1 (of everything after the header), Hash-2 (of the first 32
 * bytes); 8-byte page references (offset, size) follow, then the pages. */
#define LE_HDR        40u
#define LE_REF        8u
#define LE_HASH2_SPAN 32u
/* Base block file type of a new-format log ("Base block", File type). */
#define TYPE_LOG_NEW 6u

int
mp_regf_log_build(struct mapiprof_ctx *ctx, const uint8_t *bb, uint32_t seq, uint32_t bins,
                  const struct mp_regf_page_run *runs, size_t n, uint8_t **out, size_t *len)
{
	uint64_t size = LE_HDR + (uint64_t)n * LE_REF;
	for (size_t i = 0; i < n; i++)
		size += runs[i].len;
	size = (size + MP_HVLE_ALIGN - 1u) / MP_HVLE_ALIGN * MP_HVLE_ALIGN;
	*out = NULL;
	*len = 0;
	if (size > UINT32_MAX || n > UINT32_MAX) {
		mp_seterr(ctx, MAPIPROF_E_LIMIT, "transaction log entry of %llu bytes is too large",
		          (unsigned long long)size);
		return MAPIPROF_FAILED;
	}
	/* The entry follows the log's 512 bytes of base block; the buffer
	 * holds the whole 4096 while the base block is sealed. */
	uint8_t *img = calloc(1, MP_REGF_BASE_BLOCK + (size_t)size);
	if (img == NULL)
		return mp_nomem(ctx);
	/* A log keeps the first 512 bytes of a base block ("Old format: Base
	 * block"). */
	memcpy(img, bb, MP_REGF_BASE_BLOCK);
	mp_put_le32(img + MP_BB_SEQ1, seq);
	mp_put_le32(img + MP_BB_SEQ2, seq);
	mp_put_le32(img + MP_BB_TYPE, TYPE_LOG_NEW);
	mp_regf_base_seal(img);
	uint8_t *e = img + MP_LOG_BB_SIZE;
	memset(e, 0, (size_t)size); /* the padding too */
	memcpy(e, "HvLE", 4);
	mp_put_le32(e + 4, (uint32_t)size);
	/* Bit 0 of the base block's flags travels with each entry (note 11). */
	mp_put_le32(e + 8, mp_le32(bb + MP_BB_FLAGS) & 1u);
	mp_put_le32(e + 12, seq);
	mp_put_le32(e + 16, bins);
	mp_put_le32(e + 20, (uint32_t)n);
	uint8_t *ref = e + LE_HDR, *page = ref + n * LE_REF;
	for (size_t i = 0; i < n; i++) {
		mp_put_le32(ref + i * LE_REF, runs[i].off);
		mp_put_le32(ref + i * LE_REF + 4u, runs[i].len);
		memcpy(page, runs[i].data, runs[i].len);
		page += runs[i].len;
	}
	mp_put_le64(e + 24, mp_marvin32(e + LE_HDR, (size_t)size - LE_HDR, MP_MARVIN32_REGF_SEED));
	mp_put_le64(e + 32, mp_marvin32(e, LE_HASH2_SPAN, MP_MARVIN32_REGF_SEED));
	*out = img;
	*len = MP_LOG_BB_SIZE + (size_t)size;
	return MAPIPROF_OK;
}
