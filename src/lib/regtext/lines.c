/* lines.c - the .reg reader's physical lines (regtext/reader.h): each line
 * of the file, found by its terminator and decoded to UTF-8 from UTF-16LE,
 * UTF-8 or a code page, and errors that name it (Wine regproc.c get_lineW,
 * programs/reg/tests/import.c). */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/limits.h"
#include "base/utf16.h"
#include "regtext/reader.h"

/* Bytes of lines read that are added to the fingerprint at a time. */
#define MP_REG_FP_RUN (32u * 1024u)

int
mp_reg_err(struct mp_reg_parser *ps, enum mapiprof_error code, const char *fmt, ...)
{
	char why[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	mp_seterr(ps->r.ctx, code, "line %zu: %s", ps->r.lineno, why);
	return MAPIPROF_FAILED;
}

int
mp_reg_relabel(struct mp_reg_parser *ps)
{
	char msg[sizeof(ps->r.ctx->msg)];
	memcpy(msg, ps->r.ctx->msg, sizeof(msg));
	msg[sizeof(msg) - 1] = '\0';
	return mp_reg_err(ps, ps->r.ctx->code, "%s", msg);
}

/* ---- memory ------------------------------------------------------------ */

size_t
mp_reg_held(const struct mp_reg_parser *ps)
{
	const struct mp_reg_impl *f = ps->f;
	return f->arena.bytes + f->bcap * sizeof(*f->pub.blocks) +
	       f->vcap * sizeof(*f->pub.values) + ps->r.textcap + ps->bufcap;
}

static int
over_budget(struct mp_reg_parser *ps)
{
	return mp_reg_err(ps, MAPIPROF_E_LIMIT,
	                  "the keys and values need more memory than the file's size plus %u MiB",
	                  MP_REG_MEM_SLACK >> 20);
}

/* 1 when this parse may hold want bytes besides the file: within the
 * budget, and, when the file is read in two halves, with the other half's
 * bytes counted too (want is then counted as this half's); else 0. */
static int
count(struct mp_reg_parser *ps, size_t want)
{
	size_t limit = ps->f->pub.rawlen + MP_REG_MEM_SLACK;
	if (ps->budget == NULL)
		return want <= limit;
	size_t held = atomic_load(&ps->budget->held);
	for (;;) {
		size_t next = held - ps->counted + want;
		if (next > limit)
			return 0;
		if (atomic_compare_exchange_weak(&ps->budget->held, &held, next)) {
			ps->counted = want;
			return 1;
		}
	}
}

/* Past the budget: the first half of a file read in two gives the second
 * up and tries again alone (1); otherwise the file is refused (0). */
static int
retry_alone(struct mp_reg_parser *ps)
{
	if (ps->give_up_half == NULL)
		return 0;
	ps->give_up_half(ps);
	return 1;
}

int
mp_reg_check_mem(struct mp_reg_parser *ps)
{
	do {
		if (count(ps, mp_reg_held(ps)))
			return MAPIPROF_OK;
	} while (retry_alone(ps));
	return over_budget(ps);
}

int
mp_reg_grow(struct mp_reg_parser *ps, void **arr, size_t n, size_t *cap, size_t elem)
{
	if (n < *cap)
		return MAPIPROF_OK;
	/* The capacity a one-thread reading would take (the budget alone
	 * decides it), so that the first half of a file read in two grows, and
	 * fails, exactly where that reading does. */
	size_t budget = ps->f->pub.rawlen + MP_REG_MEM_SLACK, ncap = 0;
	do {
		size_t used = mp_reg_held(ps) - *cap * elem;
		ncap = *cap != 0 ? *cap * 2 : 64;
		if (used + ncap * elem > budget)
			ncap = used < budget ? (budget - used) / elem : 0;
		if (ncap > *cap && count(ps, used + ncap * elem))
			break;
		ncap = 0;
	} while (retry_alone(ps));
	if (ncap == 0)
		return over_budget(ps);
	void *p = realloc(*arr, ncap * elem);
	if (p == NULL)
		return mp_nomem(ps->r.ctx);
	*arr = p;
	*cap = ncap;
	return MAPIPROF_OK;
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

/* Makes room for n bytes plus a NUL in the line buffer. */
static int
text_reserve(struct mp_reg_parser *ps, size_t n)
{
	struct mp_reg_reader *r = &ps->r;
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
text_take(struct mp_reg_reader *r, char *s, size_t slen)
{
	free(r->text);
	r->text = s;
	r->textcap = slen + 1;
}

static int
decode_utf16(struct mp_reg_parser *ps, const uint8_t *p, size_t n)
{
	int ascii = 1;
	for (size_t i = 0; i + 1 < n; i += 2) {
		unsigned u = p[i] | (unsigned)p[i + 1] << 8;
		if (u == 0)
			return mp_reg_err(ps, MAPIPROF_E_FORMAT, "NUL character");
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
		return mp_reg_relabel(ps);
	if (lossy) {
		free(s);
		return mp_reg_err(ps, MAPIPROF_E_FORMAT, "invalid UTF-16 (unpaired surrogate)");
	}
	text_take(&ps->r, s, slen);
	return MAPIPROF_OK;
}

static int
decode_8bit(struct mp_reg_parser *ps, const uint8_t *p, size_t n)
{
	if (n > 0 && memchr(p, 0, n) != NULL)
		return mp_reg_err(ps, MAPIPROF_E_FORMAT, "NUL character");
	int ascii = 1;
	for (size_t i = 0; i < n && ascii; i++)
		ascii = p[i] < 0x80;
	if (ps->r.dec == MP_REG_DEC_CP && !ascii) {
		char *s = NULL;
		size_t slen = 0;
		int lossy = 0;
		if (mp_cp_to_utf8(ps->r.ctx, ps->r.cp, p, n, &s, &slen, &lossy) != MAPIPROF_OK)
			return mp_reg_relabel(ps);
		if (lossy) {
			free(s);
			return mp_reg_err(ps, MAPIPROF_E_FORMAT, "text not valid in code page %s",
			                  ps->r.cp);
		}
		text_take(&ps->r, s, slen);
		return MAPIPROF_OK;
	}
	if (ps->r.dec == MP_REG_DEC_UTF8 && !ascii && !utf8_valid(p, n))
		return mp_reg_err(ps, MAPIPROF_E_FORMAT, "invalid UTF-8");
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
note_eol(const struct mp_reg_parser *ps, struct mp_reg_file *f, enum mp_reg_eol style)
{
	if (ps->decoding)
		return;
	if (f->eol == MP_REG_EOL_NONE)
		f->eol = style;
	else if (f->eol != style)
		f->eol = MP_REG_EOL_MIXED;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Eight UTF-16LE code units at p, all in U+000E..U+007F (ASCII other than
 * NUL, CR, LF and the other controls below U+000E, which the unit by unit
 * step takes), are copied narrowed to out: 1 (0: at least one is not,
 * nothing copied).  Most of a large export is such text: eight at a time,
 * not one. */
#define LANES(x) (0x0001000100010001u * (uint64_t)(x))
static inline int
plain4(uint64_t w)
{
	/* no bit above 0x7F; then w + 0x7FF2 carries into 0x8000 exactly
	 * when a unit is at least 0x0E (no carry crosses lanes) */
	return (w & LANES(0xFF80)) == 0 && ((w + LANES(0x7FF2)) & LANES(0x8000)) == LANES(0x8000);
}

/* The low bytes of the four units of w, in order. */
static inline uint32_t
low_bytes(uint64_t w)
{
	w &= LANES(0xFF);
	w = (w | w >> 8) & 0x0000FFFF0000FFFFu;
	return (uint32_t)((w | w >> 16) & 0xFFFFFFFFu);
}

static int
narrow8(const uint8_t *p, char *out)
{
	uint64_t a, b;
	memcpy(&a, p, sizeof(a));
	memcpy(&b, p + 8, sizeof(b));
	if (!plain4(a) || !plain4(b))
		return 0;
	uint32_t x = low_bytes(a), y = low_bytes(b);
	memcpy(out, &x, sizeof(x));
	memcpy(out + 4, &y, sizeof(y));
	return 1;
}
#undef LANES
#else
static int
narrow8(const uint8_t *p, char *out)
{
	(void)p;
	(void)out;
	return 0;
}
#endif

/* The common case of a UTF-16 file, in one pass: finds the end of the line
 * at r->pos (*end: its terminator, or the end of the file) and, while its
 * characters are ASCII other than NUL, copies them narrowed into r->text
 * (as decode_utf16 would).  r->narrowed = 1 when the whole line was
 * (r->text then lacks only its NUL); otherwise decode_utf16 reads it. */
static int
narrow_utf16(struct mp_reg_parser *ps, size_t *end)
{
	struct mp_reg_reader *r = &ps->r;
	const uint8_t *p = ps->f->pub.raw;
	size_t len = ps->f->pub.rawlen, at = r->pos, k = 0;
	int plain = 1;
	for (; at < len; at += 2) {
		while (plain && at + 16 <= len && k + 8 < MP_MAX_REG_LINE / 2) {
			if (k + 9 >= r->textcap && text_reserve(ps, 2 * k + 64) != MAPIPROF_OK)
				return MAPIPROF_FAILED;
			if (!narrow8(p + at, r->text + k))
				break;
			at += 16;
			k += 8;
		}
		if (at >= len)
			break;
		uint8_t lo = p[at], hi = p[at + 1];
		if (hi == 0 && (lo == '\n' || lo == '\r'))
			break;
		if (!plain)
			continue;
		if (hi != 0 || lo == 0 || lo >= 0x80 || k >= MP_MAX_REG_LINE / 2) {
			plain = 0; /* decode_utf16 (or the length check) has its say */
			continue;
		}
		if (k + 1 >= r->textcap && text_reserve(ps, 2 * k + 64) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		r->text[k++] = (char)lo;
	}
	if (k + 1 >= r->textcap && text_reserve(ps, k + 1) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	r->narrowed = plain;
	*end = at;
	return MAPIPROF_OK;
}

int
mp_reg_next_line(struct mp_reg_parser *ps, int *got)
{
	struct mp_reg_reader *r = &ps->r;
	struct mp_reg_file *f = &ps->f->pub;
	const uint8_t *p = f->raw;
	size_t len = f->rawlen;
	size_t unit = r->dec == MP_REG_DEC_UTF16 ? 2 : 1;
	size_t end = r->pos, term = 0;
	int narrowed = 0;
	*got = 0;
	if (r->pos >= len)
		return MAPIPROF_OK;
	if (unit == 2 && narrow_utf16(ps, &end) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	narrowed = unit == 2 && end > r->pos ? r->narrowed : 0;
	/* UTF-16: len - pos is even (checked at the start), so end + 1 < len. */
	for (; end < len; end += unit) {
		unsigned c = unit_at(p, end, unit);
		if (c == '\n') {
			term = unit;
			note_eol(ps, f, MP_REG_EOL_LF);
			break;
		}
		if (c == '\r') {
			int crlf = end + unit < len && unit_at(p, end + unit, unit) == '\n';
			term = crlf ? 2 * unit : unit;
			note_eol(ps, f, crlf ? MP_REG_EOL_CRLF : MP_REG_EOL_CR);
			break;
		}
	}
	r->lineno++;
	r->off = r->pos;
	r->rawlen = end - r->pos + term;
	r->pos = end + term;
	if (!ps->decoding) {
		f->nlines = r->lineno;
		f->final_newline = term > 0;
		/* The lines before this one are read: a large mapped file is not
		 * held whole (regtext/reader.h), and the next step of it is
		 * mapped in at once. */
		/* in runs short enough to find the lines still in the cache */
		if (r->pos - ps->fp_at >= MP_REG_FP_RUN)
			mp_reg_fp_upto(ps, r->pos);
		if (r->off - ps->dropped >= MP_REG_DROP_STEP) {
			mp_reg_fp_upto(ps, r->off);
			mp_map_drop(&ps->f->map, ps->dropped, r->off - ps->dropped);
			ps->dropped = r->off;
		}
		if (r->pos >= ps->mapped) {
			mp_map_populate(&ps->f->map, r->pos, MP_REG_DROP_STEP);
			ps->mapped = r->pos + MP_REG_DROP_STEP;
		}
	}
	if (end - r->off > MP_MAX_REG_LINE)
		return mp_reg_err(ps, MAPIPROF_E_LIMIT, "line longer than %u bytes",
		                  MP_MAX_REG_LINE);
	if (narrowed || (unit == 2 && end == r->off)) {
		r->text[end == r->off ? 0 : (end - r->off) / 2] = '\0';
		*got = 1;
		return MAPIPROF_OK;
	}
	int rc = r->dec == MP_REG_DEC_UTF16 ? decode_utf16(ps, p + r->off, end - r->off)
	                                    : decode_8bit(ps, p + r->off, end - r->off);
	if (rc != MAPIPROF_OK)
		return rc;
	*got = 1;
	return MAPIPROF_OK;
}

void
mp_reg_fp_upto(struct mp_reg_parser *ps, size_t end)
{
	if (end > ps->fp_at)
		mp_fp_add(&ps->fp, ps->f->pub.raw + ps->fp_at, end - ps->fp_at);
	ps->fp_at = end;
}

struct mp_reg_span
mp_reg_span_to_here(const struct mp_reg_parser *ps, size_t line, size_t off)
{
	struct mp_reg_span sp;
	/* The file has at most MP_MAX_REG_FILE bytes, so every figure fits. */
	sp.line = (uint32_t)line;
	sp.nlines = (uint32_t)(ps->r.lineno - line + 1);
	sp.off = (uint32_t)off;
	sp.len = (uint32_t)(ps->r.off + ps->r.rawlen - off);
	return sp;
}
