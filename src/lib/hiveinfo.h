/* hiveinfo.h - the regf base block read directly (no hivex): version,
 * sequence numbers, checksum, dirty state, transaction logs beside the hive,
 * and the file's sha256 (reg-and-regf.md §3.1, §4). */
#ifndef MP_HIVEINFO_H
#define MP_HIVEINFO_H

#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

#define MP_REGF_BASE_BLOCK 4096u

/* XOR of the 127 dwords at 0x000..0x1F8 (plain, as hivex/libregf), and the
 * same with Windows' 0 -> 1, 0xFFFFFFFF -> 0xFFFFFFFE rule (§3.1). */
void mp_regf_checksum(const uint8_t *base_block, uint32_t *plain, uint32_t *windows);

/* mp_hiveinfo_inspect flags: skip the sha256 (info->sha256 is then ""), and
 * skip the search for transaction logs (nlogs is then 0). */
#define MP_INSPECT_NO_HASH MAPIPROF_OPEN_NO_HASH
#define MP_INSPECT_NO_LOGS 0x100u

/* mapiprof_inspect() with flags (mapiprof_inspect passes 0); also fills
 * info->mtime_ns and info->mode and each log's mtime_ns.  Errors and
 * ownership as mapiprof_inspect. */
int mp_hiveinfo_inspect(struct mapiprof_ctx *ctx, const char *path, unsigned flags,
			struct mapiprof_info **out);

#endif
