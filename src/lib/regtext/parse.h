/* parse.h - the .reg reader: a regedit export (or hand-written .reg file)
 * parsed into key blocks and value lines, each with the exact lines and
 * bytes it came from, so that a writer can later replace exactly those lines
 * and leave every other byte of the file alone. */
#ifndef MP_REG_PARSE_H
#define MP_REG_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "base/ctx.h"
#include "base/platform.h"
#include "store/reg_doc.h"

struct mp_store;

/* Full name of a root ("HKEY_CURRENT_USER"). */
const char *mp_reg_parse_root_name(enum mp_reg_root root);
/* Short name of a root as reg.exe takes it ("HKCU"), or NULL when it has
 * none. */
const char *mp_reg_parse_root_abbr(enum mp_reg_root root);

/*
 * Parses buf[0..len) (the whole file; name is used in errors) strictly: the
 * grammar as regedit reads it (Wine's Windows-checked tests
 * programs/reg/tests/import.c), with anything regedit would silently skip
 * reported as an error instead.  codepage is the iconv name for REGEDIT4
 * 8-bit files (NULL: windows-1252).
 *
 * Data: "text" gives REG_SZ UTF-16LE plus a U+0000 terminator; dword: 4 bytes
 * little-endian; hex(N) the bytes as written (no terminator added, although a
 * Windows import appends one: reg/tests/import.c), except that in a REGEDIT4
 * 8-bit file hex(1), hex(2) and hex(7) payloads are code-page text and are
 * converted to UTF-16LE (Wine regproc.c prepare_hex_string_data).
 *
 * Returns MAPIPROF_OK and *out (release with mp_reg_parse_free), or
 * MAPIPROF_FAILED with MAPIPROF_E_FORMAT and a message "line N: reason"
 * (MAPIPROF_E_LIMIT past a cap, MAPIPROF_E_CODEPAGE for an unknown code
 * page, MAPIPROF_E_NOMEM); the error's file is name.
 */
int mp_reg_parse_buf(struct mapiprof_ctx *ctx, const char *name, const void *buf, size_t len,
                     const char *codepage, struct mp_reg_file **out);
/* The same on raw[0..len), malloc'd, which the result takes over (freed
 * here on failure): a large file is then held once. */
int mp_reg_parse_owned(struct mapiprof_ctx *ctx, const char *name, uint8_t *raw, size_t len,
                       const char *codepage, struct mp_reg_file **out);
/* The same, lazily, on the mapped file map (mp_map_fd), which the result
 * takes over (released here on failure): every line is checked as strictly,
 * but value lines are only counted (blocks[].nvalues, nvalues; values stays
 * NULL) and decoded block by block when first asked for (decode, ndecoded),
 * and the mapping's pages are let go behind the reading, so a large file is
 * neither copied nor held whole.  The file must not change while the result
 * lives. */
int mp_reg_parse_mapped(struct mapiprof_ctx *ctx, const char *name, struct mp_map *map,
                        const char *codepage, struct mp_reg_file **out);
/* Maps path (at most MP_MAX_REG_FILE bytes) and parses it as
 * mp_reg_parse_mapped.  I/O errors are MAPIPROF_E_NOENT/ISDIR/IO. */
int mp_reg_parse_file(struct mapiprof_ctx *ctx, const char *path, const char *codepage,
                      struct mp_reg_file **out);
void mp_reg_parse_free(struct mp_reg_file *f);

/* Parses path as mp_reg_parse_file (codepage NULL: the context's code
 * page) and opens the result as a read-only store (store/reg.h), which
 * then owns it.  Returns MAPIPROF_OK and *out (release with mp_store_close),
 * or MAPIPROF_FAILED with the parser's error ("line N: reason") or
 * MAPIPROF_E_LIMIT past a cap of limits.h. */
int mp_reg_parse_store(struct mapiprof_ctx *ctx, const char *path, const char *codepage,
                       struct mp_store **out);
/* mp_reg_parse_store of a file whose bytes [0, same_len) the caller holds
 * to be those of the parsed file same (and checks afterwards: nothing here
 * compares them): the key blocks of same that end before same_len, with
 * the lines after them up to the next key line, are taken from it (its
 * strings shared: same must outlive the store), not read again; every
 * line from there on is read as strictly.  The result's fingerprint is of
 * the bytes read. */
int mp_reg_parse_store_after(struct mapiprof_ctx *ctx, const char *path, const char *codepage,
                             const struct mp_reg_file *same, size_t same_len,
                             struct mp_store **out);
/* mp_reg_parse_store_after of a file that also ends as same does: its
 * bytes from tail_out on are those of same from tail_in on (the text after
 * the last change of an edited copy of same; same_len <= tail_in <=
 * same's length).  The reading stops at the first key line from tail_out
 * on that opens a block of same: the blocks of same from there on are
 * taken, moved to this file's offsets and line numbers (their values
 * decoded from this file when asked for).  Again nothing here compares the
 * bytes: the caller does. */
int mp_reg_parse_store_edited(struct mapiprof_ctx *ctx, const char *path, const char *codepage,
                              const struct mp_reg_file *same, size_t same_len, size_t tail_in,
                              size_t tail_out, struct mp_store **out);

/* For tests only (not thread-safe): lazy parses of files of at least min
 * bytes read their second half in a second thread, from the first key line
 * at or after offset from (0: the middle), even with one CPU; min 0
 * restores the default (large files, a second CPU there). */
void mp_reg_parse_test_split(size_t min, size_t from);

#endif
