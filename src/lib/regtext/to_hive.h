/* to_hive.h - the fixture builder: a hive made from a .reg file by the
 * project's own code (regtext/parse.c + regf/empty.c + the hive store). */
#ifndef MP_REG_TO_HIVE_H
#define MP_REG_TO_HIVE_H

#include <stdint.h>

#include "base/ctx.h"

/* Parses reg_path and writes a new hive at out_path holding every key and
 * value of it, with the root (HKEY_CURRENT_USER, HKCU, HKEY_USERS\<SID>)
 * mapped to the hive root (the tree of mp_reg_parse_store, store/reg.h).
 * minor is the regf minor version, 3 or 5.  The hive is built in a
 * temporary directory beside out_path and renamed over it, so an existing
 * out_path is replaced only by a complete hive; the temporary files are
 * removed on any failure.  filetime is the last-write time of the hive and
 * of every key in it (mp_regf_create_empty stamps the root; hivex gives a
 * new key its parent's time, lib/write.c hivex_node_add_child); 0 is the
 * current time.
 * The same .reg file, minor and filetime (!= 0) give the same bytes.
 * Returns MAPIPROF_OK or MAPIPROF_FAILED (ctx names the .reg line for parse
 * errors). */
int mp_reg_to_hive(struct mapiprof_ctx *ctx, const char *reg_path, const char *out_path,
                   unsigned minor, int64_t filetime);

#endif
