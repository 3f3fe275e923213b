/* reg_to_hive.h - the fixture builder: a hive made from a .reg file by the
 * project's own code (reg_parse.c + regf_new.c + the hive store). */
#ifndef MP_REG_TO_HIVE_H
#define MP_REG_TO_HIVE_H

#include "ctx.h"

/* Parses reg_path and writes a new hive at out_path (which must not exist)
 * holding every key and value of it, with the root (HKEY_CURRENT_USER, HKCU,
 * HKEY_USERS\<SID>) mapped to the hive root.  Returns MAPIPROF_OK or
 * MAPIPROF_FAILED (ctx names the line). */
int mp_reg_to_hive(struct mapiprof_ctx *ctx, const char *reg_path, const char *out_path,
		   unsigned minor);

#endif
