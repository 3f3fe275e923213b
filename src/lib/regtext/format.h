/* format.h - regedit's text for key lines and value lines (as Wine's
 * Windows-checked programs/reg/tests/export.c expects them), produced in the
 * encoding and line ends of a given .reg file: what the .reg patcher
 * (regtext/patch.c), the exporter and the patch-file writer (write/export.c)
 * write. */
#ifndef MP_REG_FORMAT_H
#define MP_REG_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/ctx.h"
#include "store/reg_doc.h"

/* How new text is written into a file. */
struct mp_reg_style {
	enum mp_reg_encoding encoding;
	/* MP_REG_ENC_CODEPAGE: iconv name of the 8-bit text (required).
	 * MP_REG_ENC_UTF8_BOM: NULL for a 5.00 header; non-NULL ("UTF-8") for
	 * a REGEDIT4 header, whose hex(1|2|7) payloads regtext/parse.c reads as
	 * text in that code page.  Ignored for the other encodings. */
	const char *codepage;
	const char *eol; /* "\r\n", "\n" or "\r" */
};

/* What regedit writes (Wine programs/reg/tests/export.c): UTF-16LE, CRLF. */
extern const struct mp_reg_style mp_reg_style_regedit5;

/* One value line to write. */
struct mp_reg_item {
	const char *name; /* UTF-8; ignored when is_default */
	int is_default;   /* written @= */
	int del;          /* written "name"=- (type and data ignored) */
	uint32_t type;    /* REG_* */
	const uint8_t *data;
	size_t len;
};

/*
 * Appends to out, in st's encoding, the logical line regedit writes for it,
 * ending with st->eol:
 *  - the name quoted with '\' and '"' escaped, or @;
 *  - REG_SZ as "text" only when that parses back to the same bytes (Wine
 *    reg/tests/export.c embedded_null_test: even length, exactly one U+0000
 *    and it is last, no CR, LF or other control character, valid UTF-16,
 *    and in a code-page file every character in the code page); otherwise
 *    hex(1):;
 *  - REG_DWORD of exactly 4 bytes as dword:%08x; REG_BINARY as hex:; every
 *    other type and size as hex(%x): (lower-case type, no leading zeros);
 *  - hex bytes lower case, wrapped exactly as regedit does (Wine regproc.c
 *    export_hex_data): the column counts the escaped name in UTF-16 code
 *    units, a wrap is "," "\" eol and two spaces, 25 bytes per
 *    continuation line;
 *  - in a code-page file (regproc.c prepare_hex_string_data) hex(1),
 *    hex(2) and hex(7) payloads are code-page bytes converted from the
 *    UTF-16LE data (what the parser converts back; so is a UTF-8 BOM style
 *    with a codepage); text that does not convert back to exactly the same
 *    characters fails with MAPIPROF_E_CODEPAGE.
 * Fails with MAPIPROF_E_FORMAT when the name holds NUL, CR or LF (no .reg
 * line can carry it), MAPIPROF_E_CODEPAGE when text must be written in a
 * code page that cannot hold it; the message names the value.
 */
int mp_reg_format_value(struct mapiprof_ctx *ctx, const struct mp_reg_style *st,
                        const struct mp_reg_item *v, struct mp_buf *out);
/* Appends "[path]" (or "[-path]" when del) and st->eol in st's encoding.
 * path is UTF-8 with '\' separators, a full root name first; fails with
 * MAPIPROF_E_FORMAT when it holds NUL, CR or LF. */
int mp_reg_format_key(struct mapiprof_ctx *ctx, const struct mp_reg_style *st, const char *path,
                      int del, struct mp_buf *out);
/* Appends the start of a new file: the BOM of st's encoding (FF FE for
 * UTF-16LE, EF BB BF for MP_REG_ENC_UTF8_BOM, none otherwise) and the
 * header line with st->eol ("Windows Registry Editor Version 5.00", or
 * "REGEDIT4" for a code-page file and a UTF-8 BOM file with a codepage). */
int mp_reg_format_header(struct mapiprof_ctx *ctx, const struct mp_reg_style *st,
                         struct mp_buf *out);
/* Appends UTF-8 text (len bytes, no NUL needed) converted to st's encoding;
 * MAPIPROF_E_CODEPAGE when the code page cannot hold it. */
int mp_reg_encode(struct mapiprof_ctx *ctx, const struct mp_reg_style *st, const char *text,
                  size_t len, struct mp_buf *out);
/* Copies a name or path into out (cap bytes, always NUL-terminated) for an
 * error message: at most 200 bytes, cut between UTF-8 characters, control
 * characters as '?'. */
void mp_reg_format_printable(const char *s, char *out, size_t cap);

#endif
