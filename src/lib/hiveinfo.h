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

/* mapiprof_inspect() is implemented in hiveinfo.c. */

#endif
