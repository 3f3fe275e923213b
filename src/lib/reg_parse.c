/* reg_parse.c - the .reg reader (reg_parse.h): splits the file into physical
 * lines, decodes each to UTF-8 and parses the header, key lines and value
 * lines of reg-and-regf.md §1.1-§1.8, recording the span of each. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "platform.h"
#include "reg_parse.h"
#include "store.h"
#include "utf16.h"

/* The parsed file and the memory it owns. */
struct impl {
	struct mp_reg_file pub; /* first member: mp_reg_parse_free casts back */
	struct mp_arena arena;  /* names, paths, components, value data */
	uint8_t *raw;           /* malloc'd file bytes */
	size_t bcap, vcap;      /* capacity of pub.blocks, pub.values */
};

/* How a physical line's bytes become UTF-8.  DEC_RAW is used for the header
 * line of a file without BOM, before the header tells the encoding. */
enum decode { DEC_RAW, DEC_UTF8, DEC_CP, DEC_UTF16 };

struct reader {
	struct mapiprof_ctx *ctx;
	size_t pos; /* raw offset of the next line */
	enum decode dec;
	const char *cp;     /* DEC_CP: iconv name of the text */
	size_t lineno;      /* current line, 1-based (0 before the first) */
	size_t off, rawlen; /* current line: raw offset, length with terminator */
	char *text;         /* current line as UTF-8 without terminator, malloc'd */
	size_t textcap;
};

struct parser {
	struct reader r;
	struct impl *f;
	const char *payload_cp; /* code page of hex(1|2|7) payloads; NULL: UTF-16LE */
	uint8_t *buf;           /* value data being collected (malloc'd) */
	size_t buflen, bufcap;
};

/* Longest key name, in UTF-16 units (registry limit, reg-and-regf.md §3.6). */
#define KEY_NAME_MAX 255u

#define HEADER_V4 "REGEDIT4"
#define HEADER_V5 "Windows Registry Editor Version 5.00"

/* Root keys regedit accepts, long and short forms (§1.4). */
static const struct {
	const char *name;
	const char *abbr;
	enum mp_reg_root root;
} roots[] = {
    {"HKEY_LOCAL_MACHINE", "HKLM", MP_REG_ROOT_HKLM},
    {"HKEY_USERS", "HKU", MP_REG_ROOT_HKU},
    {"HKEY_CLASSES_ROOT", "HKCR", MP_REG_ROOT_HKCR},
    {"HKEY_CURRENT_CONFIG", "HKCC", MP_REG_ROOT_HKCC},
    {"HKEY_CURRENT_USER", "HKCU", MP_REG_ROOT_HKCU},
    {"HKEY_DYN_DATA", NULL, MP_REG_ROOT_HKDD},
};

static int perr(struct parser *ps, enum mapiprof_error code, const char *fmt, ...) MP_PRINTF(3, 4);

/* Records "line N: reason" for the current line. */
static int
perr(struct parser *ps, enum mapiprof_error code, const char *fmt, ...)
{
	char why[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	mp_seterr(ps->r.ctx, code, "line %zu: %s", ps->r.lineno, why);
	return MAPIPROF_FAILED;
}

/* Prefixes the error a helper (utf16.c) recorded with the current line. */
static int
relabel(struct parser *ps)
{
	char msg[sizeof(ps->r.ctx->msg)];
	memcpy(msg, ps->r.ctx->msg, sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
	return perr(ps, ps->r.ctx->code, "%s", msg);
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static size_t
skip_ws(const char *s, size_t i)
{
	while (is_blank(s[i]))
		i++;
	return i;
}

/* Value of a hex digit, or -1. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 1 when p[0..n) is well-formed UTF-8 (no overlong forms, no surrogates,
 * nothing above U+10FFFF). */
static int
utf8_valid(const uint8_t *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint8_t c = p[i];
		size_t k;
		uint32_t min, cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xC2 && c <= 0xDF) {
			k = 1, min = 0x80, cp = c & 0x1Fu;
		} else if (c >= 0xE0 && c <= 0xEF) {
			k = 2, min = 0x800, cp = c & 0x0Fu;
		} else if (c >= 0xF0 && c <= 0xF4) {
			k = 3, min = 0x10000, cp = c & 0x07u;
		} else {
			return 0;
		}
		if (n - i <= k)
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((p[i + j] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + j] & 0x3Fu);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += k + 1;
	}
	return 1;
}

/* ---- reading physical lines ------------------------------------------ */

/* Makes room for n bytes plus a NUL in the line buffer. */
static int
text_reserve(struct parser *ps, size_t n)
{
	struct reader *r = &ps->r;
	if (n < r->textcap)
		return MAPIPROF_OK;
	char *p = realloc(r->text, n + 1);
	if (p == NULL)
		return mp_nomem(r->ctx);
	r->text = p;
	r->textcap = n + 1;
	return MAPIPROF_OK;
}

/* Replaces the line buffer with s (malloc'd by utf16.c, slen bytes + NUL). */
static void
text_take(struct reader *r, char *s, size_t slen)
{
	free(r->text);
	r->text = s;
	r->textcap = slen + 1;
}

static int
decode_utf16(struct parser *ps, const uint8_t *p, size_t n)
{
	int ascii = 1;
	for (size_t i = 0; i + 1 < n; i += 2) {
		unsigned u = p[i] | (unsigned)p[i + 1] << 8;
		if (u == 0)
			return perr(ps, MAPIPROF_E_FORMAT, "NUL character");
		if (u >= 0x80)
			ascii = 0;
	}
	if (ascii) {
		if (text_reserve(ps, n / 2) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		for (size_t i = 0; i < n / 2; i++)
			ps->r.text[i] = (char)p[2 * i];
		ps->r.text[n / 2] = '\0';
		return MAPIPROF_OK;
	}
	char *s = NULL;
	size_t slen = 0;
	int lossy = 0;
	if (mp_utf16le_to_utf8(ps->r.ctx, p, n, &s, &slen, &lossy) != MAPIPROF_OK)
		return relabel(ps);
	if (lossy) {
		free(s);
		return perr(ps, MAPIPROF_E_FORMAT, "invalid UTF-16 (unpaired surrogate)");
	}
	text_take(&ps->r, s, slen);
	return MAPIPROF_OK;
}

static int
decode_8bit(struct parser *ps, const uint8_t *p, size_t n)
{
	if (n > 0 && memchr(p, 0, n) != NULL)
		return perr(ps, MAPIPROF_E_FORMAT, "NUL character");
	int ascii = 1;
	for (size_t i = 0; i < n && ascii; i++)
		ascii = p[i] < 0x80;
	if (ps->r.dec == DEC_CP && !ascii) {
		char *s = NULL;
		size_t slen = 0;
		int lossy = 0;
		if (mp_cp_to_utf8(ps->r.ctx, ps->r.cp, p, n, &s, &slen, &lossy) != MAPIPROF_OK)
			return relabel(ps);
		if (lossy) {
			free(s);
			return perr(ps, MAPIPROF_E_FORMAT, "text not valid in code page %s",
			            ps->r.cp);
		}
		text_take(&ps->r, s, slen);
		return MAPIPROF_OK;
	}
	if (ps->r.dec == DEC_UTF8 && !ascii && !utf8_valid(p, n))
		return perr(ps, MAPIPROF_E_FORMAT, "invalid UTF-8");
	if (text_reserve(ps, n) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (n > 0)
		memcpy(ps->r.text, p, n);
	ps->r.text[n] = '\0';
	return MAPIPROF_OK;
}

static unsigned
unit_at(const uint8_t *p, size_t at, size_t unit)
{
	return unit == 2 ? (unsigned)(p[at] | (unsigned)p[at + 1] << 8) : p[at];
}

static void
note_eol(struct mp_reg_file *f, enum mp_reg_eol style)
{
	if (f->eol == MP_REG_EOL_NONE)
		f->eol = style;
	else if (f->eol != style)
		f->eol = MP_REG_EOL_MIXED;
}

/* Reads the next physical line (terminated by CRLF, LF or CR, §1.2) into
 * ps->r.text.  *got = 0 at end of file. */
static int
rd_next(struct parser *ps, int *got)
{
	struct reader *r = &ps->r;
	struct mp_reg_file *f = &ps->f->pub;
	const uint8_t *p = f->raw;
	size_t len = f->rawlen;
	size_t unit = r->dec == DEC_UTF16 ? 2 : 1;
	size_t end = r->pos, term = 0;
	*got = 0;
	if (r->pos >= len)
		return MAPIPROF_OK;
	/* UTF-16: len - pos is even (checked at the start), so end + 1 < len. */
	for (; end < len; end += unit) {
		unsigned c = unit_at(p, end, unit);
		if (c == '\n') {
			term = unit;
			note_eol(f, MP_REG_EOL_LF);
			break;
		}
		if (c == '\r') {
			int crlf = end + unit < len && unit_at(p, end + unit, unit) == '\n';
			term = crlf ? 2 * unit : unit;
			note_eol(f, crlf ? MP_REG_EOL_CRLF : MP_REG_EOL_CR);
			break;
		}
	}
	r->lineno++;
	r->off = r->pos;
	r->rawlen = end - r->pos + term;
	r->pos = end + term;
	f->nlines = r->lineno;
	f->final_newline = term > 0;
	if (end - r->off > MP_MAX_REG_LINE)
		return perr(ps, MAPIPROF_E_LIMIT, "line longer than %u bytes", MP_MAX_REG_LINE);
	int rc = r->dec == DEC_UTF16 ? decode_utf16(ps, p + r->off, end - r->off)
	                             : decode_8bit(ps, p + r->off, end - r->off);
	if (rc != MAPIPROF_OK)
		return rc;
	*got = 1;
	return MAPIPROF_OK;
}

/* The span of the lines from (line, off) to the end of the current line. */
static struct mp_reg_span
span_to_here(const struct parser *ps, size_t line, size_t off)
{
	struct mp_reg_span sp;
	sp.line = line;
	sp.nlines = ps->r.lineno - line + 1;
	sp.off = off;
	sp.len = ps->r.off + ps->r.rawlen - off;
	return sp;
}

/* ---- header ------------------------------------------------------------ */

/* Looks at the byte order mark (§1.1) and sets the decoding of line 1. */
static int
read_bom(struct parser *ps)
{
	struct mp_reg_file *f = &ps->f->pub;
	const uint8_t *p = f->raw;
	size_t len = f->rawlen;
	if (len >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
		if (len % 2 != 0) {
			mp_seterr(ps->r.ctx, MAPIPROF_E_FORMAT,
			          "odd-length UTF-16 file (%zu bytes)", len);
			return MAPIPROF_FAILED;
		}
		f->bom_len = 2;
		f->encoding = MP_REG_ENC_UTF16LE;
		ps->r.dec = DEC_UTF16;
	} else if (len >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
		mp_seterr(ps->r.ctx, MAPIPROF_E_FORMAT, "big-endian UTF-16 is not supported");
		return MAPIPROF_FAILED;
	} else if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
		f->bom_len = 3;
		f->encoding = MP_REG_ENC_UTF8_BOM;
		ps->r.dec = DEC_UTF8;
	} else if (len >= 2 && p[0] != 0 && p[1] == 0) {
		mp_seterr(ps->r.ctx, MAPIPROF_E_FORMAT,
		          "line 1: UTF-16 text without a byte order mark");
		return MAPIPROF_FAILED;
	} else {
		f->encoding = MP_REG_ENC_UTF8; /* until the header says otherwise */
		ps->r.dec = DEC_RAW;
	}
	ps->r.pos = f->bom_len;
	return MAPIPROF_OK;
}

/* Settles the text and payload encodings of a file once its header is known
 * (§1.1): no BOM + REGEDIT4 is 8-bit text in codepage, no BOM + 5.00 is
 * UTF-8 (as hivexregedit writes); a REGEDIT4 8-bit file has 8-bit hex(1|2|7)
 * payloads. */
static int
set_encoding(struct parser *ps, const char *codepage)
{
	struct mp_reg_file *f = &ps->f->pub;
	int v4 = f->header == MP_REG_HDR_REGEDIT4;
	if (ps->r.dec != DEC_RAW) {
		/* The BOM told: UTF-16LE payloads are taken as they are. */
		if (f->encoding == MP_REG_ENC_UTF8_BOM && v4)
			ps->payload_cp = "UTF-8";
		return MAPIPROF_OK;
	}
	if (!v4) {
		f->encoding = MP_REG_ENC_UTF8;
		ps->r.dec = DEC_UTF8;
		return MAPIPROF_OK;
	}
	if (!mp_codepage_valid(codepage)) {
		mp_seterr(ps->r.ctx, MAPIPROF_E_CODEPAGE, "unknown code page '%s'", codepage);
		return MAPIPROF_FAILED;
	}
	f->codepage = mp_arena_strdup(&ps->f->arena, codepage);
	if (f->codepage == NULL)
		return mp_nomem(ps->r.ctx);
	f->encoding = MP_REG_ENC_CODEPAGE;
	ps->r.dec = DEC_CP;
	ps->r.cp = f->codepage;
	ps->payload_cp = f->codepage;
	return MAPIPROF_OK;
}

/* Line 1 must be a header, exactly (case-sensitive), after optional blanks
 * (§1.1).  Other REGEDIT* headers, which regedit accepts without importing
 * anything, are refused. */
static int
read_header(struct parser *ps, const char *codepage)
{
	struct mp_reg_file *f = &ps->f->pub;
	int got = 0;
	if (rd_next(ps, &got) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (!got) {
		ps->r.lineno = 1;
		return perr(ps, MAPIPROF_E_FORMAT, "empty file, no header");
	}
	const char *t = ps->r.text + skip_ws(ps->r.text, 0);
	if (strcmp(t, HEADER_V4) == 0)
		f->header = MP_REG_HDR_REGEDIT4;
	else if (strcmp(t, HEADER_V5) == 0)
		f->header = MP_REG_HDR_V5;
	else if (strncmp(t, "REGEDIT", 7) == 0)
		return perr(ps, MAPIPROF_E_FORMAT, "unsupported header '%.40s'", t);
	else
		return perr(ps, MAPIPROF_E_FORMAT, "missing header (REGEDIT4 or " HEADER_V5 ")");
	f->header_span = span_to_here(ps, 1, f->bom_len);
	return set_encoding(ps, codepage);
}

/* ---- key lines --------------------------------------------------------- */

static int
push_block(struct parser *ps, size_t *idx)
{
	struct impl *f = ps->f;
	if (f->pub.nblocks + f->pub.nvalues >= MP_MAX_REG_ITEMS)
		return perr(ps, MAPIPROF_E_LIMIT, "more than %u keys and values", MP_MAX_REG_ITEMS);
	if (f->pub.nblocks == f->bcap) {
		size_t ncap = f->bcap != 0 ? f->bcap * 2 : 64;
		struct mp_reg_block *p = realloc(f->pub.blocks, ncap * sizeof(*p));
		if (p == NULL)
			return mp_nomem(ps->r.ctx);
		f->pub.blocks = p;
		f->bcap = ncap;
	}
	*idx = f->pub.nblocks++;
	memset(&f->pub.blocks[*idx], 0, sizeof(f->pub.blocks[*idx]));
	return MAPIPROF_OK;
}

/* Ends the body of the last block before the current line (or at the end of
 * the file when at_eof). */
static void
close_block(struct parser *ps, int at_eof)
{
	struct mp_reg_file *f = &ps->f->pub;
	if (f->nblocks == 0)
		return;
	struct mp_reg_block *b = &f->blocks[f->nblocks - 1];
	size_t end_off = at_eof ? f->rawlen : ps->r.off;
	size_t end_line = at_eof ? ps->r.lineno + 1 : ps->r.lineno;
	b->body.line = b->span.line;
	b->body.nlines = end_line - b->span.line;
	b->body.off = b->span.off;
	b->body.len = end_off - b->span.off;
}

static int
ascii_ieq(const char *a, size_t alen, const char *b)
{
	if (b == NULL || strlen(b) != alen)
		return 0;
	for (size_t i = 0; i < alen; i++) {
		char x = a[i], y = b[i];
		if (x >= 'a' && x <= 'z')
			x = (char)(x - 32);
		if (y >= 'a' && y <= 'z')
			y = (char)(y - 32);
		if (x != y)
			return 0;
	}
	return 1;
}

/* Counts the non-empty '\'-separated components of s[0..n). */
static size_t
count_components(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '\\' && (i == 0 || s[i - 1] == '\\'))
			count++;
	return count;
}

/* Length in UTF-16 units of valid UTF-8 s[0..n). */
static size_t
utf16_units(const char *s, size_t n)
{
	size_t units = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xC0) != 0x80)
			units += c >= 0xF0 ? 2 : 1;
	}
	return units;
}

/* Fills b->root and b->comp from path[0..n) (§1.4): the root name, then the
 * components; *nrest is the number of components after the root. */
static int
split_path(struct parser *ps, struct mp_reg_block *b, const char *path, size_t n, size_t *nrest)
{
	const char *bs = memchr(path, '\\', n);
	size_t rlen = bs != NULL ? (size_t)(bs - path) : n;
	size_t ri = 0, nroots = sizeof(roots) / sizeof(roots[0]);
	while (ri < nroots && !ascii_ieq(path, rlen, roots[ri].name) &&
	       !ascii_ieq(path, rlen, roots[ri].abbr))
		ri++;
	if (ri == nroots)
		return perr(ps, MAPIPROF_E_FORMAT, "unknown root key '%.*s'",
		            (int)(rlen < 64 ? rlen : 64), path);
	b->root = roots[ri].root;
	const char *rest = path + rlen;
	size_t restn = n - rlen;
	*nrest = count_components(rest, restn);
	if (*nrest > MP_MAX_KEY_DEPTH)
		return perr(ps, MAPIPROF_E_LIMIT, "key path deeper than %u keys", MP_MAX_KEY_DEPTH);
	/* HKCU\x and HKU\<SID>\x are x below the user hive root; others keep
	 * their root name as the first component. */
	size_t skip = b->root == MP_REG_ROOT_HKU && *nrest > 0 ? 1 : 0;
	const char *prefix = b->root == MP_REG_ROOT_HKCU || skip ? NULL : roots[ri].name;
	const char **comp = mp_arena_calloc(&ps->f->arena, *nrest + 1, sizeof(*comp));
	if (comp == NULL)
		return mp_nomem(ps->r.ctx);
	size_t k = 0, seen = 0;
	if (prefix != NULL)
		comp[k++] = prefix;
	for (size_t i = 0; i < restn;) {
		size_t j = i;
		while (j < restn && rest[j] != '\\')
			j++;
		if (j > i && seen++ >= skip) {
			if (utf16_units(rest + i, j - i) > KEY_NAME_MAX)
				return perr(ps, MAPIPROF_E_LIMIT,
				            "key name longer than %u characters", KEY_NAME_MAX);
			if ((comp[k++] = mp_arena_strndup(&ps->f->arena, rest + i, j - i)) == NULL)
				return mp_nomem(ps->r.ctx);
		}
		i = j + 1;
	}
	b->comp = comp;
	b->ncomp = k;
	return MAPIPROF_OK;
}

/* [path] or [-path] (§1.4): no blank right after '[' or '[-'; the path ends
 * at the last ']'; only blanks or a ;comment may follow. */
static int
parse_key_line(struct parser *ps, const char *s, size_t i)
{
	int del = 0;
	i++;
	if (is_blank(s[i]))
		return perr(ps, MAPIPROF_E_FORMAT, "blank after '['");
	if (s[i] == '-') {
		del = 1;
		i++;
		if (is_blank(s[i]))
			return perr(ps, MAPIPROF_E_FORMAT, "blank after '[-'");
	}
	const char *close = strrchr(s + i, ']');
	if (close == NULL)
		return perr(ps, MAPIPROF_E_FORMAT, "missing ']'");
	size_t t = skip_ws(s, (size_t)(close - s) + 1);
	if (s[t] != '\0' && s[t] != ';')
		return perr(ps, MAPIPROF_E_FORMAT, "text after ']'");
	size_t plen = (size_t)(close - (s + i));
	if (plen == 0)
		return perr(ps, MAPIPROF_E_FORMAT, "empty key path");
	close_block(ps, 0);
	size_t idx = 0, nrest = 0;
	if (push_block(ps, &idx) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	struct mp_reg_block *b = &ps->f->pub.blocks[idx];
	b->is_delete = del;
	b->span = span_to_here(ps, ps->r.lineno, ps->r.off);
	b->body = b->span;
	b->first_value = ps->f->pub.nvalues;
	if ((b->path = mp_arena_strndup(&ps->f->arena, s + i, plen)) == NULL)
		return mp_nomem(ps->r.ctx);
	if (split_path(ps, b, s + i, plen, &nrest) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (del && (nrest == 0 || b->ncomp == 0))
		return perr(ps, MAPIPROF_E_FORMAT, "cannot delete a root key");
	return MAPIPROF_OK;
}

/* ---- value lines ------------------------------------------------------- */

/* Parses the quoted string at s[*i] == '"' (§1.5): \\ and \" (and, as Wine,
 * \n and \r); any other escape, \0 included, is an error.  Returns a
 * malloc'd copy in *out (*outlen bytes) and moves *i past the closing
 * quote. */
static int
parse_quoted(struct parser *ps, const char *s, size_t *i, char **out, size_t *outlen)
{
	size_t j = *i + 1;
	while (s[j] != '"') {
		if (s[j] == '\0' || (s[j] == '\\' && s[j + 1] == '\0'))
			return perr(ps, MAPIPROF_E_FORMAT, "unterminated string");
		j += s[j] == '\\' ? 2 : 1;
	}
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
				if (c > ' ' && c < 0x7f)
					return perr(ps, MAPIPROF_E_FORMAT, "unknown escape '\\%c'",
					            c);
				return perr(ps, MAPIPROF_E_FORMAT, "unknown escape sequence");
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

/* After value data only blanks and a ;comment may follow (§1.5, §1.6). */
static int
expect_eol(struct parser *ps, const char *s, size_t i)
{
	i = skip_ws(s, i);
	if (s[i] != '\0' && s[i] != ';')
		return perr(ps, MAPIPROF_E_FORMAT, "unexpected text after the value data");
	return MAPIPROF_OK;
}

/* "text" -> REG_SZ: UTF-16LE plus a U+0000 terminator (§1.5). */
static int
parse_string_data(struct parser *ps, const char *s, size_t i, struct mp_reg_value *v)
{
	char *text = NULL;
	uint8_t *u = NULL;
	size_t tlen = 0, ulen = 0;
	int rc = MAPIPROF_FAILED;
	if (parse_quoted(ps, s, &i, &text, &tlen) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (expect_eol(ps, s, i) != MAPIPROF_OK)
		goto out;
	if (mp_utf8_to_utf16le(ps->r.ctx, text, tlen, &u, &ulen) != MAPIPROF_OK) {
		relabel(ps);
		goto out;
	}
	if (ulen > MP_MAX_VALUE_LEN - 2) {
		perr(ps, MAPIPROF_E_LIMIT, "value data longer than %u bytes", MP_MAX_VALUE_LEN);
		goto out;
	}
	uint8_t *d = mp_arena_alloc(&ps->f->arena, ulen + 2);
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
	v->len = ulen + 2;
	rc = MAPIPROF_OK;
out:
	free(u);
	free(text);
	return rc;
}

/* dword: then 1 to 8 hex digits (§1.6), stored little-endian. */
static int
parse_dword(struct parser *ps, const char *s, size_t i, struct mp_reg_value *v)
{
	uint32_t x = 0;
	size_t n = 0;
	i = skip_ws(s, i + 6);
	for (; hexval(s[i]) >= 0; i++, n++)
		if (n < 8)
			x = x << 4 | (uint32_t)hexval(s[i]);
	if (n == 0 || n > 8)
		return perr(ps, MAPIPROF_E_FORMAT, "dword: needs 1 to 8 hex digits");
	if (expect_eol(ps, s, i) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	uint8_t *d = mp_arena_alloc(&ps->f->arena, 4);
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

/* "hex:" is REG_BINARY; "hex(N):" has N of 1 to 8 hex digits (§1.7). */
static int
parse_hex_type(struct parser *ps, const char *s, size_t *i, uint32_t *type)
{
	size_t j = *i + 3;
	if (s[j] == ':') {
		*type = MP_REG_BINARY;
		*i = j + 1;
		return MAPIPROF_OK;
	}
	uint32_t t = 0;
	size_t n = 0;
	for (j++; hexval(s[j]) >= 0; j++, n++)
		if (n < 8)
			t = t << 4 | (uint32_t)hexval(s[j]);
	if (n == 0 || n > 8 || s[j] != ')' || s[j + 1] != ':')
		return perr(ps, MAPIPROF_E_FORMAT, "bad hex(N) type (N is 1 to 8 hex digits)");
	*type = t;
	*i = j + 2;
	return MAPIPROF_OK;
}

static int
buf_push(struct parser *ps, uint8_t byte)
{
	if (ps->buflen == ps->bufcap) {
		if (ps->buflen >= MP_MAX_VALUE_LEN)
			return perr(ps, MAPIPROF_E_LIMIT, "value data longer than %u bytes",
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
 * skipping blank and ;comment lines (§1.7).  *more = 0 at end of file (the
 * value keeps the bytes read so far). */
static int
next_continuation(struct parser *ps, int *more)
{
	for (;;) {
		int got = 0;
		if (rd_next(ps, &got) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		if (!got) {
			*more = 0;
			return MAPIPROF_OK;
		}
		size_t i = skip_ws(ps->r.text, 0);
		if (ps->r.text[i] != '\0' && ps->r.text[i] != ';') {
			*more = 1;
			return MAPIPROF_OK;
		}
	}
}

/* Handles "\" in hex data at s[i]: must follow a comma (or the colon) and
 * end the line; reads the continuation.  *done = 1 at end of file. */
static int
hex_continue(struct parser *ps, size_t i, int want_byte, size_t *ni, int *done)
{
	const char *s = ps->r.text;
	if (!want_byte)
		return perr(ps, MAPIPROF_E_FORMAT, "missing ',' before '\\'");
	i = skip_ws(s, i + 1);
	if (s[i] != '\0' && s[i] != ';')
		return perr(ps, MAPIPROF_E_FORMAT, "text after '\\'");
	int more = 0;
	if (next_continuation(ps, &more) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	*done = !more;
	if (!more)
		return MAPIPROF_OK;
	*ni = skip_ws(ps->r.text, 0);
	if (hexval(ps->r.text[*ni]) < 0)
		return perr(ps, MAPIPROF_E_FORMAT, "bad continuation line in hex data");
	return MAPIPROF_OK;
}

/* Collects the comma-separated bytes of hex data into ps->buf, reading
 * continuation lines; start_off is the value's first byte in the file. */
static int
parse_hex_bytes(struct parser *ps, size_t i, size_t start_off)
{
	int want_byte = 1;
	ps->buflen = 0;
	for (;;) {
		const char *s = ps->r.text;
		i = skip_ws(s, i);
		if (s[i] == '\0' || s[i] == ';')
			return MAPIPROF_OK; /* a trailing comma is fine (§1.7) */
		if (s[i] == '\\') {
			int done = 0;
			if (hex_continue(ps, i, want_byte, &i, &done) != MAPIPROF_OK)
				return MAPIPROF_FAILED;
			if (done)
				return MAPIPROF_OK;
			if (ps->r.off + ps->r.rawlen - start_off > MP_MAX_REG_LINE)
				return perr(ps, MAPIPROF_E_LIMIT, "value longer than %u bytes",
				            MP_MAX_REG_LINE);
			continue;
		}
		if (hexval(s[i]) < 0)
			return perr(ps, MAPIPROF_E_FORMAT, "bad hex data");
		if (!want_byte)
			return perr(ps, MAPIPROF_E_FORMAT, "missing ',' between hex bytes");
		unsigned byte = 0;
		for (; hexval(s[i]) >= 0; i++) {
			byte = byte << 4 | (unsigned)hexval(s[i]);
			if (byte > 0xff)
				return perr(ps, MAPIPROF_E_FORMAT, "hex byte greater than ff");
		}
		if (buf_push(ps, (uint8_t)byte) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		i = skip_ws(s, i);
		want_byte = s[i] == ',';
		if (want_byte)
			i++;
	}
}

/* REGEDIT4 8-bit files: hex(1|2|7) payloads are text in the file's code page
 * and become UTF-16LE (§1.7). */
static int
convert_payload(struct parser *ps, struct mp_reg_value *v)
{
	char *u8 = NULL;
	uint8_t *u16 = NULL;
	size_t u8len = 0, u16len = 0;
	int lossy = 0, rc = MAPIPROF_FAILED;
	if (mp_cp_to_utf8(ps->r.ctx, ps->payload_cp, ps->buf, ps->buflen, &u8, &u8len, &lossy) !=
	    MAPIPROF_OK) {
		relabel(ps);
		goto out;
	}
	if (lossy) {
		perr(ps, MAPIPROF_E_FORMAT, "hex(%x) text not valid in code page %s", v->type,
		     ps->payload_cp);
		goto out;
	}
	if (mp_utf8_to_utf16le(ps->r.ctx, u8, u8len, &u16, &u16len) != MAPIPROF_OK) {
		relabel(ps);
		goto out;
	}
	if (u16len > MP_MAX_VALUE_LEN) {
		perr(ps, MAPIPROF_E_LIMIT, "value data longer than %u bytes", MP_MAX_VALUE_LEN);
		goto out;
	}
	v->data = mp_arena_memdup(&ps->f->arena, u16, u16len);
	v->len = u16len;
	rc = v->data != NULL ? MAPIPROF_OK : mp_nomem(ps->r.ctx);
out:
	free(u16);
	free(u8);
	return rc;
}

static int
parse_hex(struct parser *ps, const char *s, size_t i, struct mp_reg_value *v)
{
	if (parse_hex_type(ps, s, &i, &v->type) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (parse_hex_bytes(ps, i, v->span.off) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	v->syntax = MP_REG_SYN_HEX;
	int text =
	    v->type == MP_REG_SZ || v->type == MP_REG_EXPAND_SZ || v->type == MP_REG_MULTI_SZ;
	if (text && ps->payload_cp != NULL)
		return convert_payload(ps, v);
	v->data = mp_arena_memdup(&ps->f->arena, ps->buf, ps->buflen);
	v->len = ps->buflen;
	return v->data != NULL ? MAPIPROF_OK : mp_nomem(ps->r.ctx);
}

/* The data after '=' (§1.5-§1.8); may read continuation lines. */
static int
parse_data(struct parser *ps, const char *s, size_t i, struct mp_reg_value *v)
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
		return perr(ps, MAPIPROF_E_FORMAT, "missing value data");
	return perr(ps, MAPIPROF_E_FORMAT, "unknown value data type");
}

static int
push_value(struct parser *ps, const struct mp_reg_value *v)
{
	struct impl *f = ps->f;
	if (f->pub.nblocks + f->pub.nvalues >= MP_MAX_REG_ITEMS)
		return perr(ps, MAPIPROF_E_LIMIT, "more than %u keys and values", MP_MAX_REG_ITEMS);
	if (f->pub.nvalues == f->vcap) {
		size_t ncap = f->vcap != 0 ? f->vcap * 2 : 64;
		struct mp_reg_value *p = realloc(f->pub.values, ncap * sizeof(*p));
		if (p == NULL)
			return mp_nomem(ps->r.ctx);
		f->pub.values = p;
		f->vcap = ncap;
	}
	f->pub.values[f->pub.nvalues++] = *v;
	f->pub.blocks[f->pub.nblocks - 1].nvalues++;
	return MAPIPROF_OK;
}

/* "name"=data or @=data (§1.5). */
static int
parse_value_line(struct parser *ps, const char *s, size_t i)
{
	struct mp_reg_value v;
	memset(&v, 0, sizeof(v));
	if (ps->f->pub.nblocks == 0)
		return perr(ps, MAPIPROF_E_FORMAT, "value line before any key");
	v.block = ps->f->pub.nblocks - 1;
	v.span = span_to_here(ps, ps->r.lineno, ps->r.off);
	if (s[i] == '@') {
		v.name = "";
		v.is_default = 1;
		i++;
	} else {
		char *name = NULL;
		size_t nlen = 0;
		if (parse_quoted(ps, s, &i, &name, &nlen) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		if (nlen >= MP_MAX_NAME_BYTES) {
			free(name);
			return perr(ps, MAPIPROF_E_LIMIT, "value name longer than %u bytes",
			            MP_MAX_NAME_BYTES - 1);
		}
		v.name = mp_arena_strndup(&ps->f->arena, name, nlen);
		free(name);
		if (v.name == NULL)
			return mp_nomem(ps->r.ctx);
	}
	i = skip_ws(s, i);
	if (s[i] != '=')
		return perr(ps, MAPIPROF_E_FORMAT, "missing '=' after the value name");
	if (parse_data(ps, s, skip_ws(s, i + 1), &v) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	v.span = span_to_here(ps, v.span.line, v.span.off);
	return push_value(ps, &v);
}

/* ---- the file ---------------------------------------------------------- */

/* Every line after the header: blank and comment lines (';', and '#' as
 * regedit skips them), key lines and value lines; anything else is an
 * error. */
static int
parse_lines(struct parser *ps)
{
	for (;;) {
		int got = 0;
		if (rd_next(ps, &got) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		if (!got)
			break;
		const char *s = ps->r.text;
		size_t i = skip_ws(s, 0);
		int rc = MAPIPROF_OK;
		if (s[i] == '[')
			rc = parse_key_line(ps, s, i);
		else if (s[i] == '@' || s[i] == '"')
			rc = parse_value_line(ps, s, i);
		else if (s[i] != '\0' && s[i] != ';' && s[i] != '#')
			rc = perr(ps, MAPIPROF_E_FORMAT, "unrecognised line");
		if (rc != MAPIPROF_OK)
			return rc;
	}
	close_block(ps, 1);
	return MAPIPROF_OK;
}

/* Parses raw[0..len) (taking ownership of raw). */
static int
parse_owned(struct mapiprof_ctx *ctx, const char *name, uint8_t *raw, size_t len,
            const char *codepage, struct mp_reg_file **out)
{
	struct parser ps;
	memset(&ps, 0, sizeof(ps));
	*out = NULL;
	struct impl *f = calloc(1, sizeof(*f));
	if (f == NULL) {
		free(raw);
		return mp_nomem(ctx);
	}
	f->raw = raw;
	f->pub.raw = raw;
	f->pub.rawlen = len;
	ps.f = f;
	ps.r.ctx = ctx;
	int rc = MAPIPROF_FAILED;
	if ((f->pub.name = mp_arena_strdup(&f->arena, name)) == NULL)
		mp_nomem(ctx);
	else if (len > MP_MAX_REG_FILE)
		mp_seterr(ctx, MAPIPROF_E_LIMIT, "file larger than %u bytes", MP_MAX_REG_FILE);
	else if (read_bom(&ps) == MAPIPROF_OK &&
	         read_header(&ps, codepage != NULL ? codepage : "WINDOWS-1252") == MAPIPROF_OK)
		rc = parse_lines(&ps);
	free(ps.r.text);
	free(ps.buf);
	if (rc != MAPIPROF_OK) {
		mp_seterr_file(ctx, name);
		mp_reg_parse_free(&f->pub);
		return MAPIPROF_FAILED;
	}
	*out = &f->pub;
	return MAPIPROF_OK;
}

int
mp_reg_parse_buf(struct mapiprof_ctx *ctx, const char *name, const void *buf, size_t len,
                 const char *codepage, struct mp_reg_file **out)
{
	*out = NULL;
	if (len > MP_MAX_REG_FILE) {
		mp_seterr(ctx, MAPIPROF_E_LIMIT, "file larger than %u bytes", MP_MAX_REG_FILE);
		mp_seterr_file(ctx, name);
		return MAPIPROF_FAILED;
	}
	uint8_t *raw = malloc(len > 0 ? len : 1);
	if (raw == NULL)
		return mp_nomem(ctx);
	if (len > 0)
		memcpy(raw, buf, len);
	return parse_owned(ctx, name, raw, len, codepage, out);
}

int
mp_reg_parse_file(struct mapiprof_ctx *ctx, const char *path, const char *codepage,
                  struct mp_reg_file **out)
{
	int fd = -1;
	uint64_t size = 0;
	enum mp_file_kind kind;
	uint8_t *raw = NULL;
	*out = NULL;
	if (mp_open_read(ctx, path, &fd) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (mp_fd_stat(ctx, fd, &size, &kind, NULL) != MAPIPROF_OK)
		goto fail;
	if (kind != MP_FILE_REGULAR) {
		mp_seterr(ctx, MAPIPROF_E_IO, "not a regular file");
		goto fail;
	}
	if (size > MP_MAX_REG_FILE) {
		mp_seterr(ctx, MAPIPROF_E_LIMIT, "file larger than %u bytes", MP_MAX_REG_FILE);
		goto fail;
	}
	if ((raw = malloc(size > 0 ? (size_t)size : 1)) == NULL) {
		mp_nomem(ctx);
		goto fail;
	}
	if (mp_pread_full(ctx, fd, raw, (size_t)size, 0) != MAPIPROF_OK)
		goto fail;
	mp_close(fd);
	return parse_owned(ctx, path, raw, (size_t)size, codepage, out);
fail:
	free(raw);
	mp_close(fd);
	mp_seterr_file(ctx, path);
	return MAPIPROF_FAILED;
}

void
mp_reg_parse_free(struct mp_reg_file *f)
{
	if (f == NULL)
		return;
	struct impl *im = (struct impl *)f;
	free(im->pub.blocks);
	free(im->pub.values);
	free(im->raw);
	mp_arena_free(&im->arena);
	free(im);
}

const char *
mp_reg_parse_root_name(enum mp_reg_root root)
{
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (roots[i].root == root)
			return roots[i].name;
	return "?";
}
