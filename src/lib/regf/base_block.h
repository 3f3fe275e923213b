/* base_block.h - the regf base block (the first 4096 bytes of a hive): its
 * field offsets, its checksum and its decoding, in one place for every
 * reader of hives and logs (M. Suhanov, "Windows registry file format
 * specification", section "Base block"; libyal libregf, "File header"). */
#ifndef MP_REGF_BASE_BLOCK_H
#define MP_REGF_BASE_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"

#define MP_REGF_BASE_BLOCK 4096u
/* The hive bins size is a whole number of these (spec "Hive bin"). */
#define MP_HBIN_ALIGN 4096u

/* Base block field offsets (spec "Base block"). */
#define MP_BB_SEQ1      0x004u
#define MP_BB_SEQ2      0x008u
#define MP_BB_TIMESTAMP 0x00Cu
#define MP_BB_MAJOR     0x014u
#define MP_BB_MINOR     0x018u
#define MP_BB_TYPE      0x01Cu
#define MP_BB_FORMAT    0x020u
#define MP_BB_ROOT      0x024u /* root key cell, from the first hbin */
#define MP_BB_BINS_SIZE 0x028u
#define MP_BB_CLUSTER   0x02Cu
#define MP_BB_FLAGS     0x090u /* Windows 10: bit 0 = KTM locked */
#define MP_BB_CHECKSUM  0x1FCu

/* XOR of the 127 dwords at 0x000..0x1F8 (plain, as hivex/libregf), and the
 * same with Windows' 0 -> 1, 0xFFFFFFFF -> 0xFFFFFFFE rule (spec "Base
 * block", note 2;
 * ReactOS sdk/lib/cmlib/hivesum.c). */
void mp_regf_checksum(const uint8_t *base_block, uint32_t *plain, uint32_t *windows);

/* A base block as read, with the size of its file. */
struct mp_regf_base {
	uint8_t bb[MP_REGF_BASE_BLOCK];
	uint64_t fsize;
	uint32_t seq1, seq2, major, minor, type, format;
	uint32_t bins;           /* hive bins size */
	uint32_t stored;         /* checksum as stored */
	uint32_t plain, windows; /* as computed by the two rules (mp_regf_checksum) */
	uint64_t ts;             /* last-written timestamp (FILETIME) */
	uint32_t cluster, flags; /* clustering factor; flags (MP_BB_FLAGS) */
};

/* Decodes the fields of the base block at bb into b (all but b->bb and
 * b->fsize, which are left as they are).  Reads only bb's first 512 bytes,
 * all a transaction log holds of a base block (regf spec "Old format: Base
 * block"); checks nothing. */
void mp_regf_base_decode(const uint8_t *bb, struct mp_regf_base *b);

/* Reads and decodes the base block of fd.  MAPIPROF_E_TRUNCATED when the
 * file is shorter than the base block or than its hive bins size says,
 * MAPIPROF_E_FORMAT when it is not "regf" major version 1 with a hive bins
 * size of whole bins, MAPIPROF_E_IO when a read fails. */
int mp_regf_base_read(struct mapiprof_ctx *ctx, int fd, struct mp_regf_base *b);

/* Seals a base block bb[0..4096) about to be written (a replay's result,
 * a patched hive): stores the checksum by the
 * Windows rule, first moving the last-written timestamp (offset 12) on by
 * one tick at a time while the plain XOR is 0 or 0xFFFFFFFF, so that the
 * plain and the Windows-rule checksums agree.  Returns the ticks added. */
int mp_regf_base_seal(uint8_t *bb);

#endif
