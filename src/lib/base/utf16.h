/* utf16.h - every text conversion goes through iconv here: UTF-16LE (hive
 * strings, PT_UNICODE) and Windows code pages (PT_STRING8 bytes, REGEDIT4). */
#ifndef MP_UTF16_H
#define MP_UTF16_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"

/* Converts len bytes of UTF-16LE to a malloc'd, NUL-terminated UTF-8 string.
 * An odd trailing byte and unpaired surrogates become U+FFFD and set *lossy
 * (if lossy is not NULL).  Embedded U+0000 are kept (check *outlen).
 * Fails only on NOMEM or an iconv set-up error. */
int mp_utf16le_to_utf8(struct mapiprof_ctx *ctx, const uint8_t *p, size_t len, char **out,
                       size_t *outlen, int *lossy);
/* Converts UTF-8 to malloc'd UTF-16LE (no terminator added).  Invalid UTF-8
 * fails with MAPIPROF_E_FORMAT. */
int mp_utf8_to_utf16le(struct mapiprof_ctx *ctx, const char *s, size_t len, uint8_t **out,
                       size_t *outlen);
/* Converts bytes in codepage (an iconv name) to malloc'd UTF-8; bytes the
 * code page cannot map become U+FFFD and set *lossy. */
int mp_cp_to_utf8(struct mapiprof_ctx *ctx, const char *codepage, const uint8_t *p, size_t len,
                  char **out, size_t *outlen, int *lossy);
/* Converts UTF-8 to malloc'd bytes in codepage; unmappable characters fail
 * with MAPIPROF_E_CODEPAGE. */
int mp_utf8_to_cp(struct mapiprof_ctx *ctx, const char *codepage, const char *s, size_t len,
                  uint8_t **out, size_t *outlen);
/* As mp_utf16le_to_utf8 (codepage NULL) or mp_cp_to_utf8, with ctx's
 * converters (ctx may be NULL), but a failure is not ctx's error: its code
 * and message go to *code and msg (msgsize bytes), for callers that mark a
 * bad value instead of failing.  ctx's own error is left as it is. */
int mp_to_utf8_apart(struct mapiprof_ctx *ctx, const char *codepage, const uint8_t *p, size_t len,
                     char **out, size_t *outlen, enum mapiprof_error *code, char *msg,
                     size_t msgsize);
/* Closes the converters ctx keeps open (mapiprof_ctx_free calls it). */
void mp_iconv_cache_free(struct mapiprof_ctx *ctx);
/* 1 when iconv can convert between codepage and UTF-8. */
int mp_codepage_valid(const char *codepage);

#endif
