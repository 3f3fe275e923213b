/* value.c - the .reg reader's value lines (regtext/reader.h): "name" or @,
 * then the data as a string, dword:, hex: or hex(N): with continuation
 * lines, turned into the bytes the registry stores (as Wine's
 * Windows-checked tests programs/reg/tests/import.c expect them). */
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "base/limits.h"
#include "base/utf16.h"
#include "regtext/reader.h"
#include "store/store.h"

/* An escape other than \\, \", \n and \r (reg/tests/import.c). */
static int
bad_escape(struct mp_reg_parser *ps, char c)
{
	if (c > ' ' && c < 0x7f)
		return mp_reg_err(ps, MAPIPROF_E_FORMAT, "unknown escape '\\%c'", c);
	return mp_reg_err(ps, MAPIPROF_E_FORMAT, "unknown escape sequence");
}

/* parse_quoted without the copy: checks the escapes of s[*i + 1 .. j) (j
 * the closing quote), sets *units to the UTF-16 length of the text they
 * give and moves *i past the quote. */
static int
check_quoted(struct mp_reg_parser *ps, const char *s, size_t *i, size_t j, size_t *units)
{
	size_t n = 0;
	for (size_t k = *i + 1; k < j; k++) {
		unsigned char c = (unsigned char)s[k];
		if (c == '\\') {
			c = (unsigned char)s[++k];
			if (c != 'n' && c != 'r' && c != '\\' && c != '"')
				return bad_escape(ps, (char)c);
		}
		/* valid UTF-8 (regtext/lines.c): a lead byte starts a character,
		 * one above U+FFFF takes two units */
		if ((c & 0xC0) != 0x80)
			n += c >= 0xF0 ? 2 : 1;
	}
	*units = n;
	*i = j + 1;
	return MAPIPROF_OK;
}

/* Parses the quoted string at s[*i] == '"' (reg/tests/import.c): \\ and \"
 * (and, as Wine, \n and \r); any other escape, \0 included, is an error.
 * Returns a malloc'd copy in *out (*outlen bytes) and moves *i past the
 * closing quote. */
static int
parse_quoted(struct mp_reg_parser *ps, const char *s, size_t *i, char **out, size_t *outlen)
{
	size_t j = *i + 1;
	while (s[j] != '"') {
		if (s[j] == '\0' || (s[j] == '\\' && s[j + 1] == '\0'))
			return mp_reg_err(ps, MAPIPROF_E_FORMAT, "unterminated string");
		j += s[j] == '\\' ? 2 : 1;
	}
	if (out == NULL)
		return check_quoted(ps, s, i, j, outlen);
	char *q = malloc(j - *i);
	if (q == NULL)
		return mp_nomem(ps->r.ctx);
	size_t n = 0;
	for (size_t k = *i + 1; k < j; k++) {
		char c = s[k];
		if (c == '\\') {
			c = s[++k];
			if (c == 'n' || c == 'r') {
				c = c == 'n' ? '\n' : '\r';
			} else if (c != '\\' && c != '"') {
				free(q);
				return bad_escape(ps, c);
			}
		}
		q[n++] = c;
	}
	q[n] = '\0';
	*out = q;
	*outlen = n;
	*i = j + 1;
	return MAPIPROF_OK;
}

/* After value data only blanks and a ;comment may follow
 * (reg/tests/import.c). */
static int
expect_eol(struct mp_reg_parser *ps, const char *s, size_t i)
{
	i = mp_reg_skip_ws(s, i);
	if (s[i] != '\0' && s[i] != ';')
		return mp_reg_err(ps, MAPIPROF_E_FORMAT, "unexpected text after the value data");
	return MAPIPROF_OK;
}

/* "text" -> REG_SZ: UTF-16LE plus a U+0000 terminator (reg/tests/import.c). */
static int
parse_string_data(struct mp_reg_parser *ps, const char *s, size_t i, struct mp_reg_value *v)
{
	char *text = NULL;
	uint8_t *u = NULL;
	size_t tlen = 0, ulen = 0;
	int rc = MAPIPROF_FAILED;
	if (ps->check_only) {
		size_t units = 0;
		if (parse_quoted(ps, s, &i, NULL, &units) != MAPIPROF_OK ||
		    expect_eol(ps, s, i) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		if (units > (MP_MAX_VALUE_LEN - 2) / 2)
			return mp_reg_err(ps, MAPIPROF_E_LIMIT, "value data longer than %u bytes",
			                  MP_MAX_VALUE_LEN);
		v->syntax = MP_REG_SYN_STRING;
		v->type = MP_REG_SZ;
		return MAPIPROF_OK;
	}
	if (parse_quoted(ps, s, &i, &text, &tlen) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (expect_eol(ps, s, i) != MAPIPROF_OK)
		goto out;
	if (mp_utf8_to_utf16le(ps->r.ctx, text, tlen, &u, &ulen) != MAPIPROF_OK) {
		mp_reg_relabel(ps);
		goto out;
	}
	if (ulen > MP_MAX_VALUE_LEN - 2) {
		mp_reg_err(ps, MAPIPROF_E_LIMIT, "value data longer than %u bytes",
		           MP_MAX_VALUE_LEN);
		goto out;
	}
	uint8_t *d = mp_arena_alloc_bytes(&ps->f->arena, ulen + 2);
	if (d == NULL) {
		mp_nomem(ps->r.ctx);
		goto out;
	}
	if (ulen > 0)
		memcpy(d, u, ulen);
	d[ulen] = 0;
	d[ulen + 1] = 0;
	v->syntax = MP_REG_SYN_STRING;
	v->type = MP_REG_SZ;
	v->data = d;
	v->len = (uint32_t)(ulen + 2); /* at most MP_MAX_VALUE_LEN */
	rc = MAPIPROF_OK;
out:
	free(u);
	free(text);
	return rc;
}

/* dword: then 1 to 8 hex digits (reg/tests/import.c), stored little-endian. */
static int
parse_dword(struct mp_reg_parser *ps, const char *s, size_t i, struct mp_reg_value *v)
{
	uint32_t x = 0;
	size_t n = 0;
	i = mp_reg_skip_ws(s, i + 6);
	for (; mp_hex_val(s[i]) >= 0; i++, n++)
		if (n < 8)
			x = x << 4 | (uint32_t)mp_hex_val(s[i]);
	if (n == 0 || n > 8)
		return mp_reg_err(ps, MAPIPROF_E_FORMAT, "dword: needs 1 to 8 hex digits");
	if (expect_eol(ps, s, i) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	v->syntax = MP_REG_SYN_DWORD;
	v->type = MP_REG_DWORD;
	v->len = 4;
	if (ps->check_only)
		return MAPIPROF_OK;
	uint8_t *d = mp_arena_alloc_bytes(&ps->f->arena, 4);
	if (d == NULL)
		return mp_nomem(ps->r.ctx);
	for (int k = 0; k < 4; k++)
		d[k] = (uint8_t)(x >> (8 * k));
	v->syntax = MP_REG_SYN_DWORD;
	v->type = MP_REG_DWORD;
	v->data = d;
	v->len = 4;
	return MAPIPROF_OK;
}

/* "hex:" is REG_BINARY; "hex(N):" has N of 1 to 8 hex digits
 * (reg/tests/import.c). */
static int
parse_hex_type(struct mp_reg_parser *ps, const char *s, size_t *i, uint32_t *type)
{
	size_t j = *i + 3;
	if (s[j] == ':') {
		*type = MP_REG_BINARY;
		*i = j + 1;
		return MAPIPROF_OK;
	}
	uint32_t t = 0;
	size_t n = 0;
	for (j++; mp_hex_val(s[j]) >= 0; j++, n++)
		if (n < 8)
			t = t << 4 | (uint32_t)mp_hex_val(s[j]);
	if (n == 0 || n > 8 || s[j] != ')' || s[j + 1] != ':')
		return mp_reg_err(ps, MAPIPROF_E_FORMAT,
		                  "bad hex(N) type (N is 1 to 8 hex digits)");
	*type = t;
	*i = j + 2;
	return MAPIPROF_OK;
}

static int
buf_push(struct mp_reg_parser *ps, uint8_t byte)
{
	if (ps->count_only) {
		if (ps->buflen >= MP_MAX_VALUE_LEN)
			return mp_reg_err(ps, MAPIPROF_E_LIMIT, "value data longer than %u bytes",
			                  MP_MAX_VALUE_LEN);
		ps->buflen++;
		return MAPIPROF_OK;
	}
	if (ps->buflen == ps->bufcap) {
		if (ps->buflen >= MP_MAX_VALUE_LEN)
			return mp_reg_err(ps, MAPIPROF_E_LIMIT, "value data longer than %u bytes",
			                  MP_MAX_VALUE_LEN);
		size_t ncap = ps->bufcap != 0 ? ps->bufcap * 2 : 256;
		if (ncap > MP_MAX_VALUE_LEN)
			ncap = MP_MAX_VALUE_LEN;
		uint8_t *p = realloc(ps->buf, ncap);
		if (p == NULL)
			return mp_nomem(ps->r.ctx);
		ps->buf = p;
		ps->bufcap = ncap;
	}
	ps->buf[ps->buflen++] = byte;
	return MAPIPROF_OK;
}

/* Moves to the next line holding hex bytes after a ",\" continuation,
 * skipping blank and ;comment lines (reg/tests/import.c).  *more = 0 at end
 * of file (the value keeps the bytes read so far). */
static int
next_continuation(struct mp_reg_parser *ps, int *more)
{
	for (;;) {
		int got = 0;
		if (mp_reg_next_line(ps, &got) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		if (!got) {
			*more = 0;
			return MAPIPROF_OK;
		}
		size_t i = mp_reg_skip_ws(ps->r.text, 0);
		if (ps->r.text[i] != '\0' && ps->r.text[i] != ';') {
			*more = 1;
			return MAPIPROF_OK;
		}
	}
}

/* Handles "\" in hex data at s[i]: must follow a comma (or the colon) and
 * end the line; reads the continuation.  *done = 1 at end of file. */
static int
hex_continue(struct mp_reg_parser *ps, size_t i, int want_byte, size_t *ni, int *done)
{
	const char *s = ps->r.text;
	if (!want_byte)
		return mp_reg_err(ps, MAPIPROF_E_FORMAT, "missing ',' before '\\'");
	i = mp_reg_skip_ws(s, i + 1);
	if (s[i] != '\0' && s[i] != ';')
		return mp_reg_err(ps, MAPIPROF_E_FORMAT, "text after '\\'");
	int more = 0;
	if (next_continuation(ps, &more) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	*done = !more;
	if (!more)
		return MAPIPROF_OK;
	*ni = mp_reg_skip_ws(ps->r.text, 0);
	if (mp_hex_val(ps->r.text[*ni]) < 0)
		return mp_reg_err(ps, MAPIPROF_E_FORMAT, "bad continuation line in hex data");
	return MAPIPROF_OK;
}

/* mp_hex_val from a table: hex data is most of a large export's text. */
#define HX(c, v) [c] = (v) + 1
static const unsigned char hex_table[256] = {
    HX('0', 0),  HX('1', 1),  HX('2', 2),  HX('3', 3),  HX('4', 4),  HX('5', 5),
    HX('6', 6),  HX('7', 7),  HX('8', 8),  HX('9', 9),  HX('a', 10), HX('b', 11),
    HX('c', 12), HX('d', 13), HX('e', 14), HX('f', 15), HX('A', 10), HX('B', 11),
    HX('C', 12), HX('D', 13), HX('E', 14), HX('F', 15),
};
#undef HX

static inline int
hex_val(char c)
{
	return (int)hex_table[(unsigned char)c] - 1;
}

/* Collects the comma-separated bytes of hex data into ps->buf, reading
 * continuation lines; start_off is the value's first byte in the file. */
static int
parse_hex_bytes(struct mp_reg_parser *ps, size_t i, size_t start_off)
{
	int want_byte = 1;
	ps->buflen = 0;
	for (;;) {
		const char *s = ps->r.text;
		i = mp_reg_skip_ws(s, i);
		if (s[i] == '\0' || s[i] == ';')
			return MAPIPROF_OK; /* regedit accepts a trailing comma */
		if (s[i] == '\\') {
			int done = 0;
			if (hex_continue(ps, i, want_byte, &i, &done) != MAPIPROF_OK)
				return MAPIPROF_FAILED;
			if (done)
				return MAPIPROF_OK;
			if (ps->r.off + ps->r.rawlen - start_off > MP_MAX_REG_LINE)
				return mp_reg_err(ps, MAPIPROF_E_LIMIT,
				                  "value longer than %u bytes", MP_MAX_REG_LINE);
			continue;
		}
		/* The common form, two digits and a comma, a byte at a time
		 * (what the general steps below make of it). */
		while (want_byte && hex_val(s[i]) >= 0 && hex_val(s[i + 1]) >= 0 &&
		       s[i + 2] == ',') {
			if (ps->count_only && ps->buflen < MP_MAX_VALUE_LEN)
				ps->buflen++;
			else if (buf_push(ps, (uint8_t)(hex_val(s[i]) << 4 | hex_val(s[i + 1]))) !=
			         MAPIPROF_OK)
				return MAPIPROF_FAILED;
			i += 3;
		}
		if (s[i] == '\\' || mp_reg_is_blank(s[i]) || s[i] == '\0' || s[i] == ';')
			continue;
		if (hex_val(s[i]) < 0)
			return mp_reg_err(ps, MAPIPROF_E_FORMAT, "bad hex data");
		if (!want_byte)
			return mp_reg_err(ps, MAPIPROF_E_FORMAT, "missing ',' between hex bytes");
		unsigned byte = 0;
		for (int d; (d = hex_val(s[i])) >= 0; i++) {
			byte = byte << 4 | (unsigned)d;
			if (byte > 0xff)
				return mp_reg_err(ps, MAPIPROF_E_FORMAT,
				                  "hex byte greater than ff");
		}
		if (buf_push(ps, (uint8_t)byte) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		i = mp_reg_skip_ws(s, i);
		want_byte = s[i] == ',';
		if (want_byte)
			i++;
	}
}

/* REGEDIT4 8-bit files: hex(1|2|7) payloads are text in the file's code page
 * and become UTF-16LE (Wine regproc.c prepare_hex_string_data). */
static int
convert_payload(struct mp_reg_parser *ps, struct mp_reg_value *v)
{
	char *u8 = NULL;
	uint8_t *u16 = NULL;
	size_t u8len = 0, u16len = 0;
	int lossy = 0, rc = MAPIPROF_FAILED;
	if (mp_cp_to_utf8(ps->r.ctx, ps->payload_cp, ps->buf, ps->buflen, &u8, &u8len, &lossy) !=
	    MAPIPROF_OK) {
		mp_reg_relabel(ps);
		goto out;
	}
	if (lossy) {
		mp_reg_err(ps, MAPIPROF_E_FORMAT, "hex(%x) text not valid in code page %s", v->type,
		           ps->payload_cp);
		goto out;
	}
	if (mp_utf8_to_utf16le(ps->r.ctx, u8, u8len, &u16, &u16len) != MAPIPROF_OK) {
		mp_reg_relabel(ps);
		goto out;
	}
	if (u16len > MP_MAX_VALUE_LEN) {
		mp_reg_err(ps, MAPIPROF_E_LIMIT, "value data longer than %u bytes",
		           MP_MAX_VALUE_LEN);
		goto out;
	}
	v->len = (uint32_t)u16len; /* at most MP_MAX_VALUE_LEN */
	if (ps->check_only) {
		rc = MAPIPROF_OK;
		goto out;
	}
	uint8_t *d = mp_arena_alloc_bytes(&ps->f->arena, u16len);
	if (d != NULL && u16len > 0)
		memcpy(d, u16, u16len);
	v->data = d;
	rc = v->data != NULL ? MAPIPROF_OK : mp_nomem(ps->r.ctx);
out:
	free(u16);
	free(u8);
	return rc;
}

static int
parse_hex(struct mp_reg_parser *ps, const char *s, size_t i, struct mp_reg_value *v)
{
	if (parse_hex_type(ps, s, &i, &v->type) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	int text =
	    v->type == MP_REG_SZ || v->type == MP_REG_EXPAND_SZ || v->type == MP_REG_MULTI_SZ;
	int convert = text && ps->payload_cp != NULL;
	/* Checking only: the bytes are needed only to check their conversion. */
	ps->count_only = ps->check_only && !convert;
	int rc = parse_hex_bytes(ps, i, v->span.off);
	ps->count_only = 0;
	if (rc != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	v->syntax = MP_REG_SYN_HEX;
	if (convert)
		return convert_payload(ps, v);
	v->len = (uint32_t)ps->buflen; /* at most MP_MAX_VALUE_LEN */
	if (ps->check_only)
		return MAPIPROF_OK;
	uint8_t *d = mp_arena_alloc_bytes(&ps->f->arena, ps->buflen);
	if (d != NULL && ps->buflen > 0)
		memcpy(d, ps->buf, ps->buflen);
	v->data = d;
	v->len = (uint32_t)ps->buflen; /* at most MP_MAX_VALUE_LEN */
	return v->data != NULL ? MAPIPROF_OK : mp_nomem(ps->r.ctx);
}

/* The data after '=' (reg/tests/import.c); may read continuation lines. */
static int
parse_data(struct mp_reg_parser *ps, const char *s, size_t i, struct mp_reg_value *v)
{
	if (s[i] == '-') {
		v->syntax = MP_REG_SYN_DELETE;
		return expect_eol(ps, s, i + 1);
	}
	if (s[i] == '"')
		return parse_string_data(ps, s, i, v);
	if (strncmp(s + i, "dword:", 6) == 0)
		return parse_dword(ps, s, i, v);
	if (strncmp(s + i, "hex", 3) == 0 && (s[i + 3] == ':' || s[i + 3] == '('))
		return parse_hex(ps, s, i, v);
	if (s[i] == '\0' || s[i] == ';')
		return mp_reg_err(ps, MAPIPROF_E_FORMAT, "missing value data");
	return mp_reg_err(ps, MAPIPROF_E_FORMAT, "unknown value data type");
}

static int
push_value(struct mp_reg_parser *ps, const struct mp_reg_value *v)
{
	struct mp_reg_impl *f = ps->f;
	if (ps->decoding) {
		/* The lines were counted by the parse that checked them. */
		if (ps->nout >= f->pub.blocks[ps->block].nvalues)
			return mp_reg_err(ps, MAPIPROF_E_UNSAFE,
			                  "the file changed after it was read; run again");
		ps->out[ps->nout++] = *v;
		return MAPIPROF_OK;
	}
	struct mp_reg_block *b = &f->pub.blocks[f->pub.nblocks - 1];
	if (ps->check_only) {
		if (f->pub.nblocks + f->pub.nvalues >= MP_MAX_REG_ITEMS)
			return mp_reg_err(ps, MAPIPROF_E_LIMIT, "more than %u keys and values",
			                  MP_MAX_REG_ITEMS);
		f->pub.nvalues++;
		b->nvalues++;
		b->vend = v->span.off + v->span.len;
		return MAPIPROF_OK;
	}
	if (f->pub.nblocks + f->pub.nvalues >= MP_MAX_REG_ITEMS)
		return mp_reg_err(ps, MAPIPROF_E_LIMIT, "more than %u keys and values",
		                  MP_MAX_REG_ITEMS);
	if (mp_reg_check_mem(ps) != MAPIPROF_OK ||
	    mp_reg_grow(ps, (void **)&f->pub.values, f->pub.nvalues, &f->vcap,
	                sizeof(*f->pub.values)) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	f->pub.values[f->pub.nvalues++] = *v;
	b = &f->pub.blocks[f->pub.nblocks - 1];
	b->nvalues++;
	b->vend = v->span.off + v->span.len;
	return MAPIPROF_OK;
}

/* A value name checked as parse_quoted would take it, without the copy:
 * its escapes, and its length in UTF-8 bytes once they are resolved. */
static int
check_name(struct mp_reg_parser *ps, const char *s, size_t *i)
{
	size_t start = *i, units = 0, bytes = 0;
	if (parse_quoted(ps, s, i, NULL, &units) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	for (size_t k = start + 1; k + 1 < *i; k++, bytes++)
		k += s[k] == '\\';
	if (bytes >= MP_MAX_NAME_BYTES)
		return mp_reg_err(ps, MAPIPROF_E_LIMIT, "value name longer than %u bytes",
		                  MP_MAX_NAME_BYTES - 1);
	return MAPIPROF_OK;
}

int
mp_reg_value_line(struct mp_reg_parser *ps, const char *s, size_t i)
{
	struct mp_reg_value v;
	memset(&v, 0, sizeof(v));
	if (ps->f->pub.nblocks == 0)
		return mp_reg_err(ps, MAPIPROF_E_FORMAT, "value line before any key");
	v.block = ps->decoding ? ps->block : (uint32_t)(ps->f->pub.nblocks - 1);
	v.span = mp_reg_span_to_here(ps, ps->r.lineno, ps->r.off);
	if (s[i] == '@') {
		v.name = "";
		v.is_default = 1;
		i++;
	} else {
		char *name = NULL;
		size_t nlen = 0;
		if (ps->check_only && check_name(ps, s, &i) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		if (!ps->check_only && parse_quoted(ps, s, &i, &name, &nlen) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		if (nlen >= MP_MAX_NAME_BYTES) {
			free(name);
			return mp_reg_err(ps, MAPIPROF_E_LIMIT, "value name longer than %u bytes",
			                  MP_MAX_NAME_BYTES - 1);
		}
		v.name = ps->check_only ? "" : mp_arena_strndup(&ps->f->arena, name, nlen);
		free(name);
		if (v.name == NULL)
			return mp_nomem(ps->r.ctx);
	}
	i = mp_reg_skip_ws(s, i);
	if (s[i] != '=')
		return mp_reg_err(ps, MAPIPROF_E_FORMAT, "missing '=' after the value name");
	if (parse_data(ps, s, mp_reg_skip_ws(s, i + 1), &v) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	v.span = mp_reg_span_to_here(ps, v.span.line, v.span.off);
	return push_value(ps, &v);
}
