/* pst_entryid.h - the PST store entry ID (mspst.dll, also for Unicode
 * PSTs) taken apart into its parts with their offsets, and rebuilt with
 * new paths in the layout it had, for relocating PST files.  Layout
 * (MS-OXCDATA 2.2.4.3 for the wrapper; the wrapped part as MFCMAPI
 * EntryIdStruct reads it, and as the PR_ENTRYID and "Delivery Store
 * EntryID" values of the public sample hives NTUSER_BAGMRU.DAT (regipy),
 * win7_ntuser.dat (notatin) and NTUSER-WIN7.DAT (plaso) hold it):
 *   0  flags (4)              4  wrapped store UID 38A1BB1005E5101AA1BB08002B2A56C2 (16)
 *   20 version (1)            21 flag (1)
 *   22 provider DLL name, ASCII, NUL, then 0 to 3 zero bytes of padding
 *   the PST part: flags (4), MSPST UID 4E495441F9BFB80100AA0037D96E0000 (16),
 *      reserved (1), ANSI path and NUL, optional UTF-16LE path and NUL
 *   then only zero bytes, if any.
 * No field holds a length: a new path means a new tail. */
#ifndef MP_PST_ENTRYID_H
#define MP_PST_ENTRYID_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"

/* Where the parts of one PST store entry ID lie (byte offsets into it). */
struct mp_pst_entryid {
	size_t pst;  /* the PST part (its flags) */
	size_t ansi; /* ANSI path, ansi_len bytes, then its NUL */
	size_t ansi_len;
	int has_unicode; /* a UTF-16LE path follows the ANSI one */
	size_t unicode;  /* UTF-16LE path, unicode_len bytes, then 00 00 */
	size_t unicode_len;
	size_t tail; /* the zero bytes after the last NUL, up to the end */
};

/* 1 when p[0..len) is exactly one PST store entry ID (*e filled), else 0. */
int mp_pst_entryid_parse(const uint8_t *p, size_t len, struct mp_pst_entryid *e);

/* Where the next PST store entry ID inside p[0..len) starts, at or after
 * from (len when none): one embedded in another structure, taken to end
 * at its last NUL; *e (offsets from its start) filled.  For finding, not
 * rewriting: the structure around it may hold its length. */
size_t mp_pst_entryid_next(const uint8_t *p, size_t len, size_t from, struct mp_pst_entryid *e);

/* Its ANSI path (in codepage) and UTF-16LE path (NULL without one) as
 * malloc'd UTF-8; *lossy set when either holds bytes that do not convert
 * exactly (such a path cannot be rewritten byte for byte). */
int mp_pst_entryid_paths(struct mapiprof_ctx *ctx, const char *codepage, const uint8_t *p,
                         const struct mp_pst_entryid *e, char **ansi, char **unicode, int *lossy);

/* A new entry ID: p's bytes with the ANSI path replaced by ansi (UTF-8,
 * converted to codepage; NULL keeps it) and the UTF-16LE path by unicode
 * (NULL keeps it; ignored without one); everything else byte for byte.
 * *out is malloc'd.  A character codepage cannot hold fails with
 * MAPIPROF_E_CODEPAGE, invalid UTF-8 with MAPIPROF_E_FORMAT. */
int mp_pst_entryid_build(struct mapiprof_ctx *ctx, const char *codepage, const uint8_t *p,
                         size_t len, const struct mp_pst_entryid *e, const char *ansi,
                         const char *unicode, uint8_t **out, size_t *outlen);

#endif
