/* format.c - regedit's text for the header, key lines and value lines of a
 * .reg file (regtext/format.h), as Wine's Windows-checked tests
 * programs/reg/tests/export.c and import.c expect it and Wine's regproc.c
 * writes it: each logical line is built as UTF-8, then encoded once into the
 * file's encoding through utf16.c (iconv). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "base/le.h"
#include "base/utf16.h"
#include "regtext/format.h"
#include "store/store.h"

/* Wine's MAX_HEX_CHARS, matched by Windows' own exports: once the text of a
 * hex line reaches this column it is wrapped (regproc.c export_hex_data). */
#define WRAP_COLUMN 77u
/* What a wrap writes before the line end, and the indent of the next line
 * (export_hex_data: continuation lines start with two spaces). */
#define WRAP_MARK   "\\"
#define WRAP_INDENT "  "
/* Bytes of hex text collected before they are appended to the line. */
#define HEX_CHUNK 4096u
/* The two header lines (regproc.c parse_file_header). */
#define HEADER_V5 "Windows Registry Editor Version 5.00"
#define HEADER_V4 "REGEDIT4"
/* ASCII text widened to UTF-16LE this many characters at a time. */
#define WIDEN_CHUNK 2048u

const struct mp_reg_style mp_reg_style_regedit5 = {MP_REG_ENC_UTF16LE, NULL, "\r\n"};

/* ---- styles and messages ------------------------------------------------ */

static int
style_check(struct mapiprof_ctx *ctx, const struct mp_reg_style *st)
{
	if (st == NULL || st->eol == NULL ||
	    (strcmp(st->eol, "\r\n") != 0 && strcmp(st->eol, "\n") != 0 &&
	     strcmp(st->eol, "\r") != 0)) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, ".reg style without a valid line end");
		return MAPIPROF_FAILED;
	}
	if (st->encoding == MP_REG_ENC_CODEPAGE && st->codepage == NULL) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, ".reg style for a code page file without one");
		return MAPIPROF_FAILED;
	}
	return MAPIPROF_OK;
}

/* The code page of hex(1|2|7) payloads, NULL for UTF-16LE ones: as
 * regtext/parse.c reads them (regproc.c prepare_hex_string_data), the code
 * page of a REGEDIT4 8-bit file, or the one given for a UTF-8 file with BOM
 * and REGEDIT4 header. */
static const char *
payload_cp(const struct mp_reg_style *st)
{
	if (st->encoding == MP_REG_ENC_CODEPAGE || st->encoding == MP_REG_ENC_UTF8_BOM)
		return st->codepage;
	return NULL;
}

void
mp_reg_format_printable(const char *s, char *out, size_t cap)
{
	size_t n = 0;
	for (; s[n] != '\0' && n < 200 && n + 1 < cap; n++)
		out[n] = (unsigned char)s[n] < 0x20 || s[n] == 0x7f ? '?' : s[n];
	/* Cut short: not inside a UTF-8 sequence. */
	while (n > 0 && s[n] != '\0' && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	out[n] = '\0';
}

/* Prefixes the error in ctx with "what 'name': " (out of memory stays as it
 * is).  Returns MAPIPROF_FAILED. */
static int
relabel(struct mapiprof_ctx *ctx, const char *what, const char *name)
{
	if (ctx == NULL || ctx->code == MAPIPROF_E_NOMEM)
		return MAPIPROF_FAILED;
	char msg[sizeof(ctx->msg)], shown[256];
	memcpy(msg, ctx->msg, sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
	if (name == NULL) {
		mp_seterr(ctx, ctx->code, "%s: %.400s", what, msg);
	} else {
		mp_reg_format_printable(name, shown, sizeof(shown));
		mp_seterr(ctx, ctx->code, "%s '%s': %.280s", what, shown, msg);
	}
	return MAPIPROF_FAILED;
}

static int
has_cr_lf(const char *s)
{
	return strchr(s, '\r') != NULL || strchr(s, '\n') != NULL;
}

/* ---- encoding ------------------------------------------------------------ */

static int
is_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/* ASCII text in any encoding of a .reg file: the same bytes, or widened to
 * UTF-16LE (every code page a REGEDIT4 file may use keeps ASCII, as
 * regtext/lines.c assumes too). */
static int
add_ascii(struct mapiprof_ctx *ctx, enum mp_reg_encoding enc, const char *s, size_t n,
          struct mp_buf *out)
{
	if (enc != MP_REG_ENC_UTF16LE)
		return mp_buf_add(ctx, out, s, n);
	uint8_t wide[2 * WIDEN_CHUNK];
	while (n > 0) {
		size_t k = n < WIDEN_CHUNK ? n : WIDEN_CHUNK;
		for (size_t i = 0; i < k; i++) {
			wide[2 * i] = (uint8_t)s[i];
			wide[2 * i + 1] = 0;
		}
		if (mp_buf_add(ctx, out, wide, 2 * k) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		s += k;
		n -= k;
	}
	return MAPIPROF_OK;
}

/* UTF-8 text to code page cp, only when the bytes convert back to exactly
 * the same text (a code page that maps two characters to one byte cannot
 * hold either faithfully).  *out malloc'd.  MAPIPROF_E_CODEPAGE otherwise. */
static int
to_cp_exact(struct mapiprof_ctx *ctx, const char *cp, const char *s, size_t n, uint8_t **out,
            size_t *outlen)
{
	char *back = NULL;
	size_t blen = 0;
	int lossy = 0;
	if (mp_utf8_to_cp(ctx, cp, s, n, out, outlen) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (mp_cp_to_utf8(ctx, cp, *out, *outlen, &back, &blen, &lossy) != MAPIPROF_OK)
		goto fail;
	int same = !lossy && blen == n && memcmp(back, s, n) == 0;
	free(back);
	if (same)
		return MAPIPROF_OK;
	mp_seterr(ctx, MAPIPROF_E_CODEPAGE, "text cannot be written exactly in code page %s", cp);
fail:
	free(*out);
	*out = NULL;
	return MAPIPROF_FAILED;
}

int
mp_reg_encode(struct mapiprof_ctx *ctx, const struct mp_reg_style *st, const char *text, size_t len,
              struct mp_buf *out)
{
	if (style_check(ctx, st) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (is_ascii(text, len))
		return add_ascii(ctx, st->encoding, text, len, out);
	uint8_t *conv = NULL;
	size_t clen = 0;
	int rc;
	if (st->encoding == MP_REG_ENC_CODEPAGE) {
		rc = to_cp_exact(ctx, st->codepage, text, len, &conv, &clen);
	} else {
		/* UTF-8 files take the text as it is, once iconv found it valid. */
		rc = mp_utf8_to_utf16le(ctx, text, len, &conv, &clen);
		if (rc == MAPIPROF_OK && st->encoding != MP_REG_ENC_UTF16LE) {
			free(conv);
			return mp_buf_add(ctx, out, text, len);
		}
	}
	if (rc == MAPIPROF_OK)
		rc = mp_buf_add(ctx, out, conv, clen);
	free(conv);
	return rc;
}

/* ---- pieces of a value line ------------------------------------------- */

/* Appends s[0..n) with '\' and '"' escaped (reg/tests/export.c). */
static int
put_escaped(struct mapiprof_ctx *ctx, struct mp_buf *line, const char *s, size_t n)
{
	size_t from = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\' && s[i] != '"')
			continue;
		if (mp_buf_add(ctx, line, s + from, i - from) != MAPIPROF_OK ||
		    mp_buf_add(ctx, line, "\\", 1) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		from = i;
	}
	return mp_buf_add(ctx, line, s + from, n - from);
}

/* Width of UTF-8 text in UTF-16 code units, the unit of the wrap column
 * (export_hex_data counts them): one per character, two for a character
 * above U+FFFF. */
static size_t
utf16_units(const uint8_t *p, size_t n)
{
	size_t units = 0;
	for (size_t i = 0; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			units++;
		if (p[i] >= 0xF0)
			units++;
	}
	return units;
}

/* 1 when UTF-8 text holds a control character: C0, DEL or C1. */
static int
has_control(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			return 1;
		if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] < 0xA0)
			return 1;
	}
	return 0;
}

/*
 * The text of a REG_SZ when "text" re-imports to exactly its bytes
 * (reg/tests/import.c, reg/tests/export.c embedded_null_test): even length,
 * one U+0000 and it is last, valid UTF-16, no control character, and in a
 * code page file every character held exactly by the code page.  *text
 * malloc'd, NULL when the value must be written hex(1).
 */
static int
quotable_text(struct mapiprof_ctx *ctx, const struct mp_reg_style *st, const uint8_t *p, size_t n,
              char **text, size_t *tlen)
{
	*text = NULL;
	if (n < 2 || n % 2 != 0 || p[n - 2] != 0 || p[n - 1] != 0)
		return MAPIPROF_OK;
	for (size_t i = 0; i + 2 < n; i += 2)
		if (p[i] == 0 && p[i + 1] == 0)
			return MAPIPROF_OK;
	char *u8 = NULL;
	size_t len = 0;
	int lossy = 0;
	if (mp_utf16le_to_utf8(ctx, p, n - 2, &u8, &len, &lossy) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int ok = !lossy && !has_control(u8, len);
	if (ok && st->encoding == MP_REG_ENC_CODEPAGE) {
		uint8_t *cp = NULL;
		size_t cplen = 0;
		/* A probe: a failure only means hex(1), so no error is kept. */
		ok = to_cp_exact(NULL, st->codepage, u8, len, &cp, &cplen) == MAPIPROF_OK;
		free(cp);
	}
	if (!ok) {
		free(u8);
		return MAPIPROF_OK;
	}
	*text = u8;
	*tlen = len;
	return MAPIPROF_OK;
}

/* hex(1|2|7) payload of a code page file: the UTF-16LE data as code page
 * text (what regtext/parse.c converts back, prepare_hex_string_data).  *out
 * malloc'd. */
static int
payload_to_cp(struct mapiprof_ctx *ctx, const char *cp, const uint8_t *p, size_t n, uint8_t **out,
              size_t *outlen)
{
	char *u8 = NULL;
	size_t len = 0;
	int lossy = 0;
	if (mp_utf16le_to_utf8(ctx, p, n, &u8, &len, &lossy) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = MAPIPROF_FAILED;
	if (lossy)
		mp_seterr(ctx, MAPIPROF_E_CODEPAGE,
		          "data is not valid UTF-16 text, which a %s file cannot hold", cp);
	else
		rc = to_cp_exact(ctx, cp, u8, len, out, outlen);
	free(u8);
	return rc;
}

/* Appends the bytes as lower-case hex joined by ',', wrapped as regedit wraps
 * (export_hex_data): col is the width of the line so far; after each byte but
 * the last comes ',', and once the line reaches WRAP_COLUMN, '\', the line
 * end and the indent of the next line. */
static int
put_wrapped(struct mapiprof_ctx *ctx, const char *eol, const uint8_t *p, size_t n, size_t col,
            struct mp_buf *line)
{
	char chunk[HEX_CHUNK + 16];
	size_t k = 0, el = strlen(eol);
	for (size_t i = 0; i < n; i++) {
		char hx[3];
		mp_hex_encode(p + i, 1, hx);
		chunk[k++] = hx[0];
		chunk[k++] = hx[1];
		if (i + 1 < n) {
			chunk[k++] = ',';
			col += 3;
			if (col >= WRAP_COLUMN) {
				chunk[k++] = WRAP_MARK[0];
				memcpy(chunk + k, eol, el);
				memcpy(chunk + k + el, WRAP_INDENT, 2);
				k += el + 2;
				col = 2;
			}
		}
		if (k >= HEX_CHUNK) {
			if (mp_buf_add(ctx, line, chunk, k) != MAPIPROF_OK)
				return MAPIPROF_FAILED;
			k = 0;
		}
	}
	return mp_buf_add(ctx, line, chunk, k);
}

/* hex: for REG_BINARY, hex(N): (N lower case, no leading zeros) for every
 * other type (reg/tests/export.c), then the wrapped bytes. */
static int
put_hex(struct mapiprof_ctx *ctx, const struct mp_reg_style *st, const struct mp_reg_item *v,
        size_t col, struct mp_buf *line)
{
	char tag[24];
	const uint8_t *p = v->data;
	size_t n = v->len;
	uint8_t *conv = NULL;
	if (v->type == MP_REG_BINARY)
		snprintf(tag, sizeof(tag), "hex:");
	else
		snprintf(tag, sizeof(tag), "hex(%x):", (unsigned)v->type);
	const char *cp = payload_cp(st);
	if (cp != NULL &&
	    (v->type == MP_REG_SZ || v->type == MP_REG_EXPAND_SZ || v->type == MP_REG_MULTI_SZ)) {
		if (payload_to_cp(ctx, cp, p, n, &conv, &n) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		p = conv;
	}
	int rc = mp_buf_puts(ctx, line, tag);
	if (rc == MAPIPROF_OK)
		rc = put_wrapped(ctx, st->eol, p, n, col + strlen(tag), line);
	free(conv);
	return rc;
}

/* The data after '=': -, "text", dword:%08x or hex (reg/tests/export.c and
 * reg/tests/import.c). */
static int
put_data(struct mapiprof_ctx *ctx, const struct mp_reg_style *st, const struct mp_reg_item *v,
         size_t col, struct mp_buf *line)
{
	if (v->del)
		return mp_buf_puts(ctx, line, "-");
	if (v->type == MP_REG_DWORD && v->len == 4) {
		char dw[16];
		snprintf(dw, sizeof(dw), "dword:%08x", (unsigned)mp_le32(v->data));
		return mp_buf_puts(ctx, line, dw);
	}
	if (v->type == MP_REG_SZ) {
		char *text = NULL;
		size_t tlen = 0;
		if (quotable_text(ctx, st, v->data, v->len, &text, &tlen) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		if (text != NULL) {
			int rc = mp_buf_puts(ctx, line, "\"");
			if (rc == MAPIPROF_OK)
				rc = put_escaped(ctx, line, text, tlen);
			if (rc == MAPIPROF_OK)
				rc = mp_buf_puts(ctx, line, "\"");
			free(text);
			return rc;
		}
	}
	return put_hex(ctx, st, v, col, line);
}

/* ---- lines ----------------------------------------------------------------- */

/* The logical line of v as UTF-8 into line. */
static int
value_line(struct mapiprof_ctx *ctx, const struct mp_reg_style *st, const struct mp_reg_item *v,
           struct mp_buf *line)
{
	if (!v->is_default && has_cr_lf(v->name)) {
		mp_seterr(ctx, MAPIPROF_E_FORMAT, "a .reg file cannot hold a name with CR or LF");
		return MAPIPROF_FAILED;
	}
	if (v->len > 0 && v->data == NULL && !v->del) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "data missing");
		return MAPIPROF_FAILED;
	}
	int rc;
	if (v->is_default) {
		rc = mp_buf_puts(ctx, line, "@=");
	} else {
		rc = mp_buf_puts(ctx, line, "\"");
		if (rc == MAPIPROF_OK)
			rc = put_escaped(ctx, line, v->name, strlen(v->name));
		if (rc == MAPIPROF_OK)
			rc = mp_buf_puts(ctx, line, "\"=");
	}
	if (rc == MAPIPROF_OK)
		rc = put_data(ctx, st, v, utf16_units(line->data, line->len), line);
	if (rc == MAPIPROF_OK)
		rc = mp_buf_puts(ctx, line, st->eol);
	return rc;
}

int
mp_reg_format_value(struct mapiprof_ctx *ctx, const struct mp_reg_style *st,
                    const struct mp_reg_item *v, struct mp_buf *out)
{
	struct mp_buf line = {NULL, 0, 0};
	if (style_check(ctx, st) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (v == NULL || (!v->is_default && v->name == NULL)) {
		mp_seterr(ctx, MAPIPROF_E_INVALID, "value without a name");
		return MAPIPROF_FAILED;
	}
	int rc = value_line(ctx, st, v, &line);
	if (rc == MAPIPROF_OK)
		rc = mp_reg_encode(ctx, st, (const char *)line.data, line.len, out);
	if (rc != MAPIPROF_OK)
		relabel(ctx, v->is_default ? "default value" : "value",
		        v->is_default ? NULL : v->name);
	mp_buf_free(&line);
	return rc;
}

int
mp_reg_format_key(struct mapiprof_ctx *ctx, const struct mp_reg_style *st, const char *path,
                  int del, struct mp_buf *out)
{
	struct mp_buf line = {NULL, 0, 0};
	if (style_check(ctx, st) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (path == NULL || has_cr_lf(path)) {
		mp_seterr(ctx, MAPIPROF_E_FORMAT,
		          "a .reg file cannot hold a key path with CR or LF");
		return path == NULL ? MAPIPROF_FAILED : relabel(ctx, "key", path);
	}
	int rc = mp_buf_puts(ctx, &line, del ? "[-" : "[");
	if (rc == MAPIPROF_OK)
		rc = mp_buf_puts(ctx, &line, path);
	if (rc == MAPIPROF_OK)
		rc = mp_buf_puts(ctx, &line, "]");
	if (rc == MAPIPROF_OK)
		rc = mp_buf_puts(ctx, &line, st->eol);
	if (rc == MAPIPROF_OK)
		rc = mp_reg_encode(ctx, st, (const char *)line.data, line.len, out);
	if (rc != MAPIPROF_OK)
		relabel(ctx, "key", path);
	mp_buf_free(&line);
	return rc;
}

int
mp_reg_format_header(struct mapiprof_ctx *ctx, const struct mp_reg_style *st, struct mp_buf *out)
{
	static const uint8_t bom16[] = {0xFF, 0xFE}, bom8[] = {0xEF, 0xBB, 0xBF};
	if (style_check(ctx, st) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int rc = MAPIPROF_OK;
	if (st->encoding == MP_REG_ENC_UTF16LE)
		rc = mp_buf_add(ctx, out, bom16, sizeof(bom16));
	else if (st->encoding == MP_REG_ENC_UTF8_BOM)
		rc = mp_buf_add(ctx, out, bom8, sizeof(bom8));
	const char *h = payload_cp(st) != NULL ? HEADER_V4 : HEADER_V5;
	if (rc == MAPIPROF_OK)
		rc = mp_reg_encode(ctx, st, h, strlen(h), out);
	if (rc == MAPIPROF_OK)
		rc = mp_reg_encode(ctx, st, st->eol, strlen(st->eol), out);
	return rc;
}
