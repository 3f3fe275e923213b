/* log_write.h - the writer of new-format (HvLE) transaction logs: a base
 * block and one entry holding whole pages of the hive bins, as Windows 8.1
 * and later write before they change a hive in place (M. Suhanov, "Windows
 * registry file format specification", "Format of transaction log files",
 * "New format"; log.c reads what this writes). */
#ifndef MP_REGF_LOG_WRITE_H
#define MP_REGF_LOG_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"

/* Pages of the hive bins are journaled in units of this many bytes. */
#define MP_LOG_PAGE 4096u

/* Consecutive pages of the hive bins: offset and length (multiples of
 * MP_LOG_PAGE) and their new bytes. */
struct mp_regf_page_run {
	uint32_t off, len;
	const uint8_t *data;
};

/* Builds a log image in *out (malloc'd, *len bytes; free()): the first 512
 * bytes of the primary's base block bb (4096 bytes) as a log's (file type
 * 6, both sequence numbers seq, checksum), then one HvLE entry of sequence
 * seq for a hive-bins size of bins holding runs[0..n), Marvin32 Hash-1 and
 * Hash-2 set, padded to a multiple of 512 bytes.  n >= 1.  Fails with
 * MAPIPROF_E_NOMEM, or MAPIPROF_E_LIMIT when the entry would not fit its
 * 32-bit size. */
int mp_regf_log_build(struct mapiprof_ctx *ctx, const uint8_t *bb, uint32_t seq, uint32_t bins,
                      const struct mp_regf_page_run *runs, size_t n, uint8_t **out, size_t *len);

#endif
