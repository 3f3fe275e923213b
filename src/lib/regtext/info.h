/* info.h - the .reg back end of mapiprof_inspect (regtext/info.c): a .reg
 * file read once, hashed and parsed in full, and the parse handed on to the
 * store so the file is read exactly once. */
#ifndef MP_REGINFO_H
#define MP_REGINFO_H

#include "base/ctx.h"
#include "regtext/parse.h"

/*
 * Inspects the .reg file path: size, mtime_ns, mode, sha256 (skipped with
 * MP_INSPECT_NO_HASH, hiveinfo.h), and reg_encoding, reg_header,
 * reg_line_ends from a strict parse of the whole file (mp_reg_parse_buf,
 * REGEDIT4 text in codepage; NULL: windows-1252).  format is "reg"; the
 * regf fields stay 0.  When parsed is not NULL it receives the parse of
 * exactly the bytes hashed (release with mp_reg_parse_free, or hand it to
 * mp_store_reg_from_parsed).  Errors: as mp_reg_parse_buf ("line N:
 * reason"), MAPIPROF_E_NOENT/ISDIR/IO, MAPIPROF_E_FORMAT for a file that is
 * not regular, MAPIPROF_E_LIMIT past MP_MAX_REG_FILE; the error's file is
 * path.
 */
int mp_reginfo_inspect(struct mapiprof_ctx *ctx, const char *path, const char *codepage,
                       unsigned flags, struct mapiprof_info **out, struct mp_reg_file **parsed);

#endif
