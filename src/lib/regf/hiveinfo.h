/* hiveinfo.h - the regf base block read directly (no hivex): version,
 * sequence numbers, checksum, dirty state, transaction logs beside the hive,
 * (regf spec "Base block", "Dirty state of a hive"). */
#ifndef MP_HIVEINFO_H
#define MP_HIVEINFO_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"
#include "regf/base_block.h"

/* mp_hiveinfo_inspect flags: skip the search for transaction logs (nlogs
 * is then 0).  It never hashes the file (info->sha256 stays ""): the
 * facade does (base/filehash.h); MP_INSPECT_NO_HASH only says so. */
#define MP_INSPECT_NO_HASH MAPIPROF_OPEN_NO_HASH
#define MP_INSPECT_NO_LOGS 0x100u

/* mapiprof_inspect() of a regf hive with flags (mapiprof_inspect passes
 * 0); also fills info->mtime_ns and info->mode and each log's mtime_ns.
 * Errors and ownership as mapiprof_inspect. */
int mp_hiveinfo_inspect(struct mapiprof_ctx *ctx, const char *path, unsigned flags,
                        struct mapiprof_info **out);

/* ---- shared by the inspection of every format (file.c, regtext/info.c) ---- */

/* A new, zeroed info record with path (copied) and format (a static
 * string); NULL when out of memory.  Release with mapiprof_info_free. */
struct mapiprof_info *mp_info_new(const char *path, const char *format);
/* s copied into the info record's own memory; NULL when out of memory. */
char *mp_info_strdup(struct mapiprof_info *info, const char *s);
/* Opens info->path read-only into *fd (close it with mp_close, also on
 * failure) and fills info->size, mtime_ns and mode; anything but a regular
 * file fails with MAPIPROF_E_FORMAT "not a regular file". */
int mp_info_open(struct mapiprof_ctx *ctx, struct mapiprof_info *info, int *fd);
/* Sets info->logs[i].replayed (mapiprof_logfile) to on; i out of range is
 * ignored. */
void mp_info_log_replayed(struct mapiprof_info *info, size_t i, int on);
/* sha256 of p[0..n) as lower-case hex into out[65]. */
void mp_sha256_hex(const void *p, size_t n, char out[65]);

#endif
