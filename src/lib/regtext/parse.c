/* parse.c - the .reg reader (regtext/parse.h): the byte order mark, the
 * header and the key lines as Wine's Windows-checked tests
 * programs/reg/tests/import.c expect them, each line's kind, and the entry
 * points; regtext/lines.c reads the lines, regtext/value.c parses the value
 * lines, recording the span of each. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/fingerprint.h"
#include "base/limits.h"
#include "base/platform.h"
#include "base/utf16.h"
#include "regtext/parse.h"
#include "regtext/reader.h"
#include "store/reg.h"

/* Longest key name, in UTF-16 units (Microsoft Learn, "Registry element size
 * limits"). */
#define KEY_NAME_MAX 255u

#define HEADER_V4 "REGEDIT4"
#define HEADER_V5 "Windows Registry Editor Version 5.00"

/* Root keys regedit accepts (Wine regedit main.c reg_class_namesW), long and
 * short forms (Wine reg.c path_get_rootkey). */
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

/* ---- header ------------------------------------------------------------ */

/* Looks at the byte order mark (reg/tests/import.c) and sets the decoding of
 * line 1. */
static int
read_bom(struct mp_reg_parser *ps)
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
		ps->r.dec = MP_REG_DEC_UTF16;
	} else if (len >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
		mp_seterr(ps->r.ctx, MAPIPROF_E_FORMAT, "big-endian UTF-16 is not supported");
		return MAPIPROF_FAILED;
	} else if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
		f->bom_len = 3;
		f->encoding = MP_REG_ENC_UTF8_BOM;
		ps->r.dec = MP_REG_DEC_UTF8;
	} else if (len >= 2 && p[0] != 0 && p[1] == 0) {
		mp_seterr(ps->r.ctx, MAPIPROF_E_FORMAT,
		          "line 1: UTF-16 text without a byte order mark");
		return MAPIPROF_FAILED;
	} else {
		f->encoding = MP_REG_ENC_UTF8; /* until the header says otherwise */
		ps->r.dec = MP_REG_DEC_RAW;
	}
	ps->r.pos = f->bom_len;
	return MAPIPROF_OK;
}

/* Settles the text and payload encodings of a file once its header is known
 * (reg/tests/import.c): no BOM + REGEDIT4 is 8-bit text in codepage, no BOM +
 * 5.00 is UTF-8 (as hivexregedit writes); a REGEDIT4 8-bit file has 8-bit
 * hex(1|2|7) payloads. */
static int
set_encoding(struct mp_reg_parser *ps, const char *codepage)
{
	struct mp_reg_file *f = &ps->f->pub;
	int v4 = f->header == MP_REG_HDR_REGEDIT4;
	if (ps->r.dec != MP_REG_DEC_RAW) {
		/* The BOM told: UTF-16LE payloads are taken as they are. */
		if (f->encoding == MP_REG_ENC_UTF8_BOM && v4)
			ps->payload_cp = "UTF-8";
		return MAPIPROF_OK;
	}
	if (!v4) {
		f->encoding = MP_REG_ENC_UTF8;
		ps->r.dec = MP_REG_DEC_UTF8;
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
	ps->r.dec = MP_REG_DEC_CP;
	ps->r.cp = f->codepage;
	ps->payload_cp = f->codepage;
	return MAPIPROF_OK;
}

/* Line 1 must be a header, exactly (case-sensitive), after optional blanks
 * (reg/tests/import.c).  Other REGEDIT* headers, which regedit accepts
 * without importing anything, are refused. */
static int
read_header(struct mp_reg_parser *ps, const char *codepage)
{
	struct mp_reg_file *f = &ps->f->pub;
	int got = 0;
	if (mp_reg_next_line(ps, &got) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (!got) {
		ps->r.lineno = 1;
		return mp_reg_err(ps, MAPIPROF_E_FORMAT, "empty file, no header");
	}
	const char *t = ps->r.text + mp_reg_skip_ws(ps->r.text, 0);
	if (strcmp(t, HEADER_V4) == 0)
		f->header = MP_REG_HDR_REGEDIT4;
	else if (strcmp(t, HEADER_V5) == 0)
		f->header = MP_REG_HDR_V5;
	else if (strncmp(t, "REGEDIT", 7) == 0)
		return mp_reg_err(ps, MAPIPROF_E_FORMAT, "unsupported header '%.40s'", t);
	else
		return mp_reg_err(ps, MAPIPROF_E_FORMAT,
		                  "missing header (REGEDIT4 or " HEADER_V5 ")");
	f->header_span = mp_reg_span_to_here(ps, 1, f->bom_len);
	return set_encoding(ps, codepage);
}

/* ---- key lines --------------------------------------------------------- */

static int
push_block(struct mp_reg_parser *ps, size_t *idx)
{
	struct mp_reg_impl *f = ps->f;
	if (f->pub.nblocks + f->pub.nvalues >= MP_MAX_REG_ITEMS)
		return mp_reg_err(ps, MAPIPROF_E_LIMIT, "more than %u keys and values",
		                  MP_MAX_REG_ITEMS);
	if (mp_reg_check_mem(ps) != MAPIPROF_OK ||
	    mp_reg_grow(ps, (void **)&f->pub.blocks, f->pub.nblocks, &f->bcap,
	                sizeof(*f->pub.blocks)) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	*idx = f->pub.nblocks++;
	memset(&f->pub.blocks[*idx], 0, sizeof(f->pub.blocks[*idx]));
	return MAPIPROF_OK;
}

/* Ends the body of the last block before the current line (or at the end of
 * the file when at_eof). */
static void
close_block(struct mp_reg_parser *ps, int at_eof)
{
	struct mp_reg_file *f = &ps->f->pub;
	if (f->nblocks == 0)
		return;
	struct mp_reg_block *b = &f->blocks[f->nblocks - 1];
	size_t end_off = at_eof ? f->rawlen : ps->r.off;
	size_t end_line = at_eof ? ps->r.lineno + 1 : ps->r.lineno;
	b->body.line = b->span.line;
	b->body.nlines = (uint32_t)(end_line - b->span.line);
	b->body.off = b->span.off;
	b->body.len = (uint32_t)(end_off - b->span.off);
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

/* Fills b->root and b->comp from path[0..n) (regproc.c parse_key_name): the
 * root name, then the components; *nrest is the number of components after
 * the root. */
static int
split_path(struct mp_reg_parser *ps, struct mp_reg_block *b, const char *path, size_t n,
           size_t *nrest)
{
	const char *bs = memchr(path, '\\', n);
	size_t rlen = bs != NULL ? (size_t)(bs - path) : n;
	size_t ri = 0, nroots = sizeof(roots) / sizeof(roots[0]);
	while (ri < nroots && !ascii_ieq(path, rlen, roots[ri].name) &&
	       !ascii_ieq(path, rlen, roots[ri].abbr))
		ri++;
	if (ri == nroots)
		return mp_reg_err(ps, MAPIPROF_E_FORMAT, "unknown root key '%.*s'",
		                  (int)(rlen < 64 ? rlen : 64), path);
	b->root = roots[ri].root;
	const char *rest = path + rlen;
	size_t restn = n - rlen;
	*nrest = count_components(rest, restn);
	if (*nrest > MP_MAX_KEY_DEPTH)
		return mp_reg_err(ps, MAPIPROF_E_LIMIT, "key path deeper than %u keys",
		                  MP_MAX_KEY_DEPTH);
	/* HKCU\x and HKU\<SID>\x are x below the user hive root; others keep
	 * their root name as the first component. */
	size_t skip = b->root == MP_REG_ROOT_HKU && *nrest > 0 ? 1 : 0;
	const char *prefix = b->root == MP_REG_ROOT_HKCU || skip ? NULL : roots[ri].name;
	const char **comp = mp_arena_calloc(&ps->f->arena, *nrest + 1, sizeof(*comp));
	if (comp == NULL)
		return mp_nomem(ps->r.ctx);
	size_t k = 0, seen = 0;
	/* 1 while comp[0..k) are the strings of the last key line's */
	int same = ps->prev_ncomp > 0 && (prefix == NULL || ps->prev_comp[0] == prefix);
	if (prefix != NULL)
		comp[k++] = prefix;
	for (size_t i = 0; i < restn;) {
		size_t j = i;
		while (j < restn && rest[j] != '\\')
			j++;
		if (j > i && seen++ >= skip) {
			if (utf16_units(rest + i, j - i) > KEY_NAME_MAX)
				return mp_reg_err(ps, MAPIPROF_E_LIMIT,
				                  "key name longer than %u characters",
				                  KEY_NAME_MAX);
			const char *prev = same && k < ps->prev_ncomp ? ps->prev_comp[k] : NULL;
			same = prev != NULL && strncmp(prev, rest + i, j - i) == 0 &&
			       prev[j - i] == '\0';
			comp[k] = same ? prev : mp_arena_strndup(&ps->f->arena, rest + i, j - i);
			if (comp[k++] == NULL)
				return mp_nomem(ps->r.ctx);
		}
		i = j + 1;
	}
	b->comp = comp;
	b->ncomp = (uint32_t)k; /* at most MP_MAX_KEY_DEPTH + 1 */
	ps->prev_comp = comp;
	ps->prev_ncomp = k;
	return MAPIPROF_OK;
}

/* [path] or [-path] (reg/tests/import.c): no blank right after '[' or '[-';
 * the path ends at the last ']'; only blanks or a ;comment may follow. */
static int
parse_key_line(struct mp_reg_parser *ps, const char *s, size_t i)
{
	int del = 0;
	i++;
	if (mp_reg_is_blank(s[i]))
		return mp_reg_err(ps, MAPIPROF_E_FORMAT, "blank after '['");
	if (s[i] == '-') {
		del = 1;
		i++;
		if (mp_reg_is_blank(s[i]))
			return mp_reg_err(ps, MAPIPROF_E_FORMAT, "blank after '[-'");
	}
	const char *close = strrchr(s + i, ']');
	if (close == NULL)
		return mp_reg_err(ps, MAPIPROF_E_FORMAT, "missing ']'");
	size_t t = mp_reg_skip_ws(s, (size_t)(close - s) + 1);
	if (s[t] != '\0' && s[t] != ';')
		return mp_reg_err(ps, MAPIPROF_E_FORMAT, "text after ']'");
	size_t plen = (size_t)(close - (s + i));
	if (plen == 0)
		return mp_reg_err(ps, MAPIPROF_E_FORMAT, "empty key path");
	close_block(ps, 0);
	size_t idx = 0, nrest = 0;
	if (push_block(ps, &idx) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	struct mp_reg_block *b = &ps->f->pub.blocks[idx];
	b->is_delete = del != 0;
	b->span = mp_reg_span_to_here(ps, ps->r.lineno, ps->r.off);
	b->body = b->span;
	b->first_value = (uint32_t)ps->f->pub.nvalues; /* < MP_MAX_REG_ITEMS */
	b->vend = b->span.off + b->span.len;
	if ((b->path = mp_arena_strndup(&ps->f->arena, s + i, plen)) == NULL)
		return mp_nomem(ps->r.ctx);
	if (split_path(ps, b, s + i, plen, &nrest) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	if (del && (nrest == 0 || b->ncomp == 0))
		return mp_reg_err(ps, MAPIPROF_E_FORMAT, "cannot delete a root key");
	return MAPIPROF_OK;
}

/* ---- the file ---------------------------------------------------------- */

/* The bytes [0, len) of the file being parsed are those of the parsed file
 * same (mp_reg_parse_store_after): its key blocks that end before len are
 * taken as they are, and the reading goes on at the key line after them.
 * With tail set, the bytes [tail_out, end) of the file are also those of
 * same from tail_in to its end: the reading stops at the first key line
 * there that opens a block of same, whose blocks from it on are taken. */
struct seed {
	const struct mp_reg_file *same;
	size_t len;
	int tail;
	size_t tail_in, tail_out;
};

/* The index of the block of f whose key line starts at byte off, or
 * f->nblocks when none does. */
static size_t
block_at(const struct mp_reg_file *f, size_t off)
{
	size_t lo = 0, hi = f->nblocks;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->blocks[mid].span.off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->nblocks && f->blocks[lo].span.off == off ? lo : f->nblocks;
}

/* At a line start r.pos >= sd->tail_out, before any of it is read: when
 * that line opens block k of sd->same (the same bytes, so the same key line
 * read in the same state, the start of a line outside any value), the rest
 * of the file reads as same does from there on.  Its blocks k.. are taken,
 * moved to their offsets and line numbers here, their values left to
 * decode from this file; *taken = 1 and the parse is done.  A file of mixed
 * line ends is read on (its tail's own line ends are not known). */
static int
take_tail(struct mp_reg_parser *ps, const struct seed *sd, int *taken)
{
	struct mp_reg_impl *f = ps->f;
	const struct mp_reg_file *same = sd->same;
	*taken = 0;
	/* only a lazy parse, whose values are decoded block by block */
	if (!ps->check_only || same->encoding != f->pub.encoding || same->header != f->pub.header ||
	    same->eol == MP_REG_EOL_MIXED ||
	    ps->r.pos - sd->tail_out + sd->tail_in >= same->rawlen ||
	    f->pub.rawlen - sd->tail_out != same->rawlen - sd->tail_in)
		return MAPIPROF_OK;
	size_t k = block_at(same, ps->r.pos - sd->tail_out + sd->tail_in);
	if (k == same->nblocks)
		return MAPIPROF_OK;
	size_t nb = same->nblocks - k, nv = same->nvalues - same->blocks[k].first_value;
	if (f->pub.nblocks + nb + f->pub.nvalues + nv >= MP_MAX_REG_ITEMS)
		return MAPIPROF_OK; /* read on: the limit's error names the line */
	/* The open block ends here, as the key line would end it. */
	if (f->pub.nblocks > 0) {
		struct mp_reg_block *b = &f->pub.blocks[f->pub.nblocks - 1];
		b->body.nlines = (uint32_t)(ps->r.lineno + 1 - b->span.line);
		b->body.len = (uint32_t)(ps->r.pos - b->span.off);
	}
	for (size_t i = 0; i < nb; i++) {
		size_t idx = 0;
		if (push_block(ps, &idx) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
	}
	/* Offsets and line numbers move by these (modulo 2^32: every result
	 * fits, the files being at most MP_MAX_REG_FILE bytes). */
	uint32_t doff = (uint32_t)(sd->tail_out - sd->tail_in);
	uint32_t dline = (uint32_t)(ps->r.lineno + 1 - same->blocks[k].span.line);
	uint32_t dval = (uint32_t)(f->pub.nvalues - same->blocks[k].first_value);
	struct mp_reg_block *to = &f->pub.blocks[f->pub.nblocks - nb];
	for (size_t i = 0; i < nb; i++) {
		to[i] = same->blocks[k + i];
		to[i].values = NULL;
		to[i].span.off += doff, to[i].span.line += dline;
		to[i].body.off += doff, to[i].body.line += dline;
		to[i].vend += doff;
		to[i].first_value += dval;
	}
	f->pub.nvalues += nv;
	f->pub.nlines = (uint32_t)(same->nlines + dline);
	f->pub.final_newline = same->final_newline;
	if (f->pub.eol == MP_REG_EOL_NONE)
		f->pub.eol = same->eol;
	else if (same->eol != MP_REG_EOL_NONE && same->eol != f->pub.eol)
		f->pub.eol = MP_REG_EOL_MIXED;
	mp_reg_fp_upto(ps, ps->r.pos);
	ps->r.pos = f->pub.rawlen;
	ps->fp_at = f->pub.rawlen;
	*taken = 1;
	return MAPIPROF_OK;
}

/* Every line after the header: blank and comment lines (';', and '#' as
 * regedit skips them), key lines and value lines; anything else is an
 * error. */
static int
parse_lines(struct mp_reg_parser *ps, const struct seed *sd)
{
	for (;;) {
		int got = 0, taken = 0;
		/* at a line start: the rest is the other thread's (parse_halves),
		 * the open block left open */
		if (ps->split != 0 && ps->r.pos >= ps->split)
			return MAPIPROF_OK;
		/* the second half, given up by the first */
		if (ps->budget != NULL && ps->give_up_half == NULL &&
		    atomic_load(&ps->budget->give_up))
			return mp_reg_err(ps, MAPIPROF_E_LIMIT, "given up");
		if (sd != NULL && sd->tail && ps->r.pos >= sd->tail_out) {
			if (take_tail(ps, sd, &taken) != MAPIPROF_OK)
				return MAPIPROF_FAILED;
			if (taken)
				return MAPIPROF_OK;
		}
		if (mp_reg_next_line(ps, &got) != MAPIPROF_OK)
			return MAPIPROF_FAILED;
		if (!got)
			break;
		const char *s = ps->r.text;
		size_t i = mp_reg_skip_ws(s, 0);
		int rc = MAPIPROF_OK;
		if (s[i] == '[')
			rc = parse_key_line(ps, s, i);
		else if (s[i] == '@' || s[i] == '"')
			rc = mp_reg_value_line(ps, s, i);
		else if (s[i] != '\0' && s[i] != ';' && s[i] != '#')
			rc = mp_reg_err(ps, MAPIPROF_E_FORMAT, "unrecognised line");
		if (rc != MAPIPROF_OK)
			return rc;
	}
	close_block(ps, 1);
	return MAPIPROF_OK;
}

/* ---- a large file in two halves -----------------------------------------
 *
 * A lazy parse of a large file reads its second half, from a key line near
 * the middle, in a second thread, as a parse of its own (its own records,
 * arena and context), while this thread reads the first half up to that
 * line.  The second half's blocks are then moved behind the first's, their
 * line numbers and value indices shifted.  Whenever the result could differ
 * from a reading straight through (the first half ran past the line, as a
 * continuation line would; the second half failed, whose error would name
 * the wrong line; the limits of the whole are passed), the second half's
 * work is thrown away and this thread reads on from the line itself: the
 * result, errors included, is always that of the one-thread reading. */

/* Files smaller than this are read in one thread; tests change it. */
#define SPLIT_MIN (32u * 1024u * 1024u)
static size_t split_min = SPLIT_MIN;
static size_t split_from; /* where the search for the key line starts (0: the middle) */
static int split_always;  /* even with one CPU */

void
mp_reg_parse_test_split(size_t min, size_t from)
{
	split_min = min != 0 ? min : SPLIT_MIN;
	split_from = from;
	split_always = min != 0;
}

/* The offset of the first line at or after from (and after the header)
 * that starts with '[' right after a line end, or 0 when there is none. */
static size_t
find_split(const struct mp_reg_parser *ps, size_t from)
{
	const uint8_t *p = ps->f->pub.raw;
	size_t len = ps->f->pub.rawlen, start = ps->r.pos;
	size_t unit = ps->r.dec == MP_REG_DEC_UTF16 ? 2 : 1;
	if (from < start + unit)
		from = start + unit;
	for (size_t at = from; at < len;) {
		const uint8_t *q = memchr(p + at, '[', len - at);
		if (q == NULL)
			return 0;
		at = (size_t)(q - p);
		/* a whole unit (UTF-16: from the BOM's even offset), after a
		 * line end */
		if ((at - start) % unit == 0 && (unit == 1 || (at + 1 < len && p[at + 1] == 0)) &&
		    (p[at - unit] == '\n' || p[at - unit] == '\r') &&
		    (unit == 1 || p[at - unit + 1] == 0))
			return at;
		at++;
	}
	return 0;
}

/* The second half: a parser of its own over the same bytes, the memory
 * budget shared with the first. */
struct mp_reg_half {
	struct mp_reg_parser ps;
	struct mp_reg_impl f;
	struct mapiprof_ctx ctx;
	struct mp_reg_budget budget;
	int rc;
	pthread_t thread;
};

/* Enough for the parse's frames (its largest buffers are on the heap). */
#define HALF_STACK (512u * 1024u)

static void *
read_half(void *arg)
{
	struct mp_reg_half *h = arg;
	h->rc = parse_lines(&h->ps, NULL);
	mp_reg_fp_upto(&h->ps, h->ps.r.pos);
	return NULL;
}

/* Starts the reading of [split, end) of ps's file: 1 when the thread runs. */
static int
start_half(const struct mp_reg_parser *ps, size_t split, struct mp_reg_half *h)
{
	const struct mp_reg_impl *f = ps->f;
	memset(h, 0, sizeof(*h));
	h->f.pub.raw = f->pub.raw;
	h->f.pub.rawlen = f->pub.rawlen;
	h->f.pub.encoding = f->pub.encoding;
	h->f.pub.header = f->pub.header;
	h->f.pub.codepage = f->pub.codepage;
	h->f.pub.bom_len = f->pub.bom_len;
	h->f.map = f->map; /* for its advice only: ps's file owns the mapping */
	memcpy(h->ctx.codepage, ps->r.ctx->codepage, sizeof(h->ctx.codepage));
	h->ps.f = &h->f;
	h->ps.r.ctx = &h->ctx;
	h->ps.r.pos = split;
	h->ps.r.dec = ps->r.dec;
	h->ps.r.cp = ps->r.cp;
	h->ps.payload_cp = ps->payload_cp;
	h->ps.check_only = 1;
	h->ps.dropped = h->ps.mapped = h->ps.fp_at = split;
	mp_fp_init(&h->ps.fp);
	atomic_init(&h->budget.held, 0);
	atomic_init(&h->budget.give_up, 0);
	h->ps.budget = &h->budget;
	pthread_attr_t attr;
	if (pthread_attr_init(&attr) != 0)
		return 0;
	int started = pthread_attr_setstacksize(&attr, HALF_STACK) == 0 &&
	              pthread_create(&h->thread, &attr, read_half, h) == 0;
	pthread_attr_destroy(&attr);
	return started;
}

static void
free_half(struct mp_reg_half *h)
{
	free(h->ps.r.text);
	free(h->ps.buf);
	free(h->f.pub.blocks);
	mp_arena_free(&h->f.arena);
	if (h->ctx.iconv_free != NULL)
		h->ctx.iconv_free(&h->ctx);
	free(h->ctx.file);
	free(h);
}

/* ps reads on by itself: no second half, its own budget, no split. */
static void
read_alone(struct mp_reg_parser *ps)
{
	ps->half = NULL;
	ps->give_up_half = NULL;
	ps->budget = NULL;
	ps->counted = 0;
	ps->split = 0;
}

/* The two halves together need more than the budget: the first stops the
 * second and frees what it holds, then reads on alone past the split (a
 * one-thread reading, whose own limits then speak). */
static void
give_up_half(struct mp_reg_parser *ps)
{
	struct mp_reg_half *h = ps->half;
	atomic_store(&h->budget.give_up, 1);
	pthread_join(h->thread, NULL);
	free_half(h);
	read_alone(ps);
}

/* Puts the second half's blocks (read from split) behind those of ps (read
 * up to split): *joined = 0, and nothing changed, when the whole would pass
 * a limit (the reading on from split then says which, at its line). */
static int
join_half(struct mp_reg_parser *ps, struct mp_reg_half *h, size_t split, int *joined)
{
	struct mp_reg_impl *f = ps->f;
	struct mp_reg_file *a = &f->pub;
	const struct mp_reg_file *b = &h->f.pub;
	*joined = 0;
	if (a->nblocks + b->nblocks + a->nvalues + b->nvalues >= MP_MAX_REG_ITEMS ||
	    mp_reg_held(ps) + b->nblocks * sizeof(*a->blocks) + h->f.arena.bytes >
	        a->rawlen + MP_REG_MEM_SLACK)
		return MAPIPROF_OK;
	size_t n = a->nblocks + b->nblocks;
	if (n > f->bcap) {
		struct mp_reg_block *grown = realloc(a->blocks, n * sizeof(*grown));
		if (grown == NULL)
			return mp_nomem(ps->r.ctx);
		a->blocks = grown;
		f->bcap = n;
	}
	/* The open block ends at the key line at split, as that line would
	 * end it (close_block). */
	size_t lines = ps->r.lineno;
	if (a->nblocks > 0) {
		struct mp_reg_block *last = &a->blocks[a->nblocks - 1];
		last->body.line = last->span.line;
		last->body.nlines = (uint32_t)(lines + 1 - last->span.line);
		last->body.off = last->span.off;
		last->body.len = (uint32_t)(split - last->span.off);
	}
	/* Line numbers and value indices move by these (every result fits:
	 * the file has at most MP_MAX_REG_FILE bytes). */
	uint32_t dline = (uint32_t)lines, dval = (uint32_t)a->nvalues;
	for (size_t i = 0; i < b->nblocks; i++) {
		struct mp_reg_block *to = &a->blocks[a->nblocks + i];
		*to = b->blocks[i];
		to->span.line += dline;
		to->body.line += dline;
		to->first_value += dval;
	}
	a->nblocks = n;
	a->nvalues += b->nvalues;
	a->nlines = lines + b->nlines;
	a->final_newline = b->final_newline;
	if (a->eol == MP_REG_EOL_NONE)
		a->eol = b->eol;
	else if (b->eol != MP_REG_EOL_NONE && b->eol != a->eol)
		a->eol = MP_REG_EOL_MIXED;
	mp_arena_take(&f->arena, &h->f.arena);
	ps->r.lineno = a->nlines;
	ps->r.pos = a->rawlen;
	ps->fp_at = a->rawlen; /* the second half's bytes are in its own run */
	*joined = 1;
	return MAPIPROF_OK;
}

/* A lazy parse's lines after the header: a large file in two halves when a
 * second CPU is there (*fp_split and *fp_second then give the fingerprint's
 * second run), else in one run.  Not under an address-space limit, which
 * the second thread's stack and malloc arena would eat into. */
static int
parse_halves(struct mp_reg_parser *ps, size_t *fp_split, uint64_t *fp_second)
{
	size_t len = ps->f->pub.rawlen, split = 0;
	struct mp_reg_half *h = NULL;
	*fp_split = 0;
	if (len < split_min ||
	    (!split_always && (!mp_second_cpu() || mp_address_space_limited())) ||
	    (split = find_split(ps, split_from != 0 ? split_from : len / 2)) == 0 ||
	    (h = calloc(1, sizeof(*h))) == NULL)
		return parse_lines(ps, NULL);
	if (!start_half(ps, split, h)) {
		free_half(h);
		return parse_lines(ps, NULL);
	}
	ps->split = split;
	ps->half = h;
	ps->give_up_half = give_up_half;
	ps->budget = &h->budget;
	int rc = parse_lines(ps, NULL);
	if (ps->half == NULL)
		return rc; /* given up: this thread read on to the end alone */
	/* A failed first half, or one that ran past the split, has no use for
	 * the second: it stops at its next line. */
	if (rc != MAPIPROF_OK || ps->r.pos != split)
		atomic_store(&h->budget.give_up, 1);
	pthread_join(h->thread, NULL);
	read_alone(ps);
	int joined = 0;
	if (rc == MAPIPROF_OK && ps->r.pos == split && h->rc == MAPIPROF_OK) {
		mp_reg_fp_upto(ps, split);
		rc = join_half(ps, h, split, &joined);
	}
	if (joined) {
		*fp_split = split;
		*fp_second = mp_fp_final(&h->ps.fp);
	}
	free_half(h);
	if (rc != MAPIPROF_OK || joined)
		return rc;
	return parse_lines(ps, NULL); /* on from where the first half stopped */
}

static void
note_mem(struct mp_reg_impl *f)
{
	f->pub.mem =
	    f->arena.bytes + f->bcap * sizeof(*f->pub.blocks) + f->vcap * sizeof(*f->pub.values);
}

static int
take_blocks(struct mp_reg_parser *ps, const struct seed *sd)
{
	struct mp_reg_impl *f = ps->f;
	const struct mp_reg_file *same = sd->same;
	size_t k = 0, nvalues = 0;
	if (same->encoding != f->pub.encoding || same->header != f->pub.header)
		return MAPIPROF_OK; /* read it all: the check of the bytes refuses it */
	while (k < same->nblocks &&
	       (size_t)same->blocks[k].body.off + same->blocks[k].body.len < sd->len)
		nvalues += same->blocks[k++].nvalues;
	if (k == 0)
		return MAPIPROF_OK;
	const struct mp_reg_block *last = &same->blocks[k - 1];
	size_t resume = (size_t)last->body.off + last->body.len;
	if (resume < ps->r.pos)
		return MAPIPROF_OK;
	if ((f->pub.blocks = malloc(k * sizeof(*f->pub.blocks))) == NULL)
		return mp_nomem(ps->r.ctx);
	memcpy(f->pub.blocks, same->blocks, k * sizeof(*f->pub.blocks));
	f->bcap = f->pub.nblocks = k;
	f->pub.nvalues = nvalues;
	f->pub.eol = same->eol;
	mp_reg_fp_upto(ps, ps->r.pos);
	ps->fp_at = resume;
	ps->r.pos = resume;
	ps->r.lineno = (size_t)last->body.line + last->body.nlines - 1u;
	f->pub.nlines = ps->r.lineno;
	ps->prev_comp = last->comp;
	ps->prev_ncomp = last->ncomp;
	return mp_reg_check_mem(ps);
}

/* Parses f (raw or map set; takes it over, freed on failure).  lazy: value
 * lines are checked, not kept (check_only, regtext/reader.h).  sd: the
 * blocks of a file with the same first bytes are taken (NULL: none). */
static int
parse_impl(struct mapiprof_ctx *ctx, const char *name, struct mp_reg_impl *f, const char *codepage,
           int lazy, const struct seed *sd, struct mp_reg_file **out)
{
	struct mp_reg_parser ps;
	memset(&ps, 0, sizeof(ps));
	*out = NULL;
	f->pub.release = mp_reg_parse_free;
	ps.f = f;
	ps.r.ctx = ctx;
	ps.check_only = lazy;
	mp_fp_init(&ps.fp);
	int rc = MAPIPROF_FAILED;
	size_t fp_split = 0;
	uint64_t fp_second = 0;
	if ((f->pub.name = mp_arena_strdup(&f->arena, name)) == NULL)
		mp_nomem(ctx);
	else if (f->pub.rawlen > MP_MAX_REG_FILE)
		mp_seterr(ctx, MAPIPROF_E_LIMIT, "file larger than %u bytes", MP_MAX_REG_FILE);
	else if (read_bom(&ps) == MAPIPROF_OK &&
	         read_header(&ps, codepage != NULL ? codepage : "WINDOWS-1252") == MAPIPROF_OK &&
	         (sd == NULL || take_blocks(&ps, sd) == MAPIPROF_OK))
		rc = sd == NULL && lazy ? parse_halves(&ps, &fp_split, &fp_second)
		                        : parse_lines(&ps, sd);
	mp_reg_fp_upto(&ps, ps.r.pos);
	free(ps.r.text);
	free(ps.buf);
	note_mem(f);
	if (fp_split != 0) {
		f->pub.fingerprint = mp_fp_join(mp_fp_final(&ps.fp), fp_second);
	} else {
		struct mp_fp none;
		mp_fp_init(&none);
		f->pub.fingerprint = mp_fp_join(mp_fp_final(&none), mp_fp_final(&ps.fp));
	}
	f->pub.fp_split = fp_split;
	f->dec = ps.r.dec;
	f->payload_cp = ps.payload_cp;
	if (rc != MAPIPROF_OK) {
		mp_seterr_file(ctx, name);
		mp_reg_parse_free(&f->pub);
		return MAPIPROF_FAILED;
	}
	f->pub.decode = mp_reg_decode_block;
	/* An eager parse decoded every block (values no longer moves). */
	for (size_t i = 0; !lazy && f->pub.values != NULL && i < f->pub.nblocks; i++)
		f->pub.blocks[i].values = f->pub.values + f->pub.blocks[i].first_value;
	*out = &f->pub;
	return MAPIPROF_OK;
}

int
mp_reg_parse_owned(struct mapiprof_ctx *ctx, const char *name, uint8_t *raw, size_t len,
                   const char *codepage, struct mp_reg_file **out)
{
	*out = NULL;
	struct mp_reg_impl *f = calloc(1, sizeof(*f));
	if (f == NULL) {
		free(raw);
		return mp_nomem(ctx);
	}
	f->raw = raw;
	f->pub.raw = raw;
	f->pub.rawlen = len;
	return parse_impl(ctx, name, f, codepage, 0, NULL, out);
}

static int
parse_mapped(struct mapiprof_ctx *ctx, const char *name, struct mp_map *map, const char *codepage,
             const struct seed *sd, struct mp_reg_file **out)
{
	*out = NULL;
	struct mp_reg_impl *f = calloc(1, sizeof(*f));
	if (f == NULL) {
		mp_unmap(map);
		return mp_nomem(ctx);
	}
	f->map = *map;
	memset(map, 0, sizeof(*map));
	f->pub.raw = f->map.p;
	f->pub.rawlen = f->map.len;
	f->pub.map = &f->map;
	return parse_impl(ctx, name, f, codepage, 1, sd, out);
}

int
mp_reg_parse_mapped(struct mapiprof_ctx *ctx, const char *name, struct mp_map *map,
                    const char *codepage, struct mp_reg_file **out)
{
	return parse_mapped(ctx, name, map, codepage, NULL, out);
}

int
mp_reg_decode_block(struct mp_reg_file *pub, struct mapiprof_ctx *ctx, size_t block)
{
	struct mp_reg_impl *f = (struct mp_reg_impl *)pub;
	struct mp_reg_block *b = &pub->blocks[block];
	if (b->values != NULL || b->nvalues == 0)
		return MAPIPROF_OK;
	struct mp_reg_parser ps;
	memset(&ps, 0, sizeof(ps));
	ps.f = f;
	ps.r.ctx = ctx;
	ps.r.dec = f->dec;
	ps.r.cp = pub->codepage;
	ps.payload_cp = f->payload_cp;
	ps.decoding = 1;
	ps.block = (uint32_t)block;
	/* From the line after the key line to the end of its last value. */
	ps.r.pos = b->span.off + b->span.len;
	ps.r.lineno = b->span.line + b->span.nlines - 1u;
	ps.out = mp_arena_calloc(&f->arena, b->nvalues, sizeof(*ps.out));
	int rc = ps.out != NULL ? MAPIPROF_OK : mp_nomem(ctx);
	while (rc == MAPIPROF_OK && ps.r.pos < b->vend) {
		int got = 0;
		rc = mp_reg_next_line(&ps, &got);
		if (rc != MAPIPROF_OK || !got)
			break;
		size_t i = mp_reg_skip_ws(ps.r.text, 0);
		if (ps.r.text[i] == '@' || ps.r.text[i] == '"')
			rc = mp_reg_value_line(&ps, ps.r.text, i);
	}
	if (rc == MAPIPROF_OK && ps.nout != b->nvalues)
		rc = mp_reg_err(&ps, MAPIPROF_E_UNSAFE,
		                "the file changed after it was read; run again");
	free(ps.r.text);
	free(ps.buf);
	note_mem(f);
	if (rc != MAPIPROF_OK) {
		mp_seterr_file(ctx, pub->name);
		return MAPIPROF_FAILED;
	}
	b->values = ps.out;
	pub->ndecoded += b->nvalues;
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
	return mp_reg_parse_owned(ctx, name, raw, len, codepage, out);
}

static int
parse_file(struct mapiprof_ctx *ctx, const char *path, const char *codepage, const struct seed *sd,
           struct mp_reg_file **out)
{
	int fd = -1;
	uint64_t size = 0;
	enum mp_file_kind kind;
	struct mp_map map;
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
	if (mp_map_fd(ctx, fd, (size_t)size, &map) != MAPIPROF_OK)
		goto fail;
	mp_close(fd);
	return parse_mapped(ctx, path, &map, codepage, sd, out);
fail:
	mp_close(fd);
	mp_seterr_file(ctx, path);
	return MAPIPROF_FAILED;
}

int
mp_reg_parse_file(struct mapiprof_ctx *ctx, const char *path, const char *codepage,
                  struct mp_reg_file **out)
{
	return parse_file(ctx, path, codepage, NULL, out);
}

void
mp_reg_parse_free(struct mp_reg_file *f)
{
	if (f == NULL)
		return;
	struct mp_reg_impl *im = (struct mp_reg_impl *)f;
	free(im->pub.blocks);
	free(im->pub.values);
	free(im->raw);
	mp_unmap(&im->map);
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

const char *
mp_reg_parse_root_abbr(enum mp_reg_root root)
{
	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++)
		if (roots[i].root == root)
			return roots[i].abbr;
	return NULL;
}

int
mp_reg_parse_store(struct mapiprof_ctx *ctx, const char *path, const char *codepage,
                   struct mp_store **out)
{
	struct mp_reg_file *file = NULL;
	*out = NULL;
	if (mp_reg_parse_file(ctx, path, codepage != NULL ? codepage : ctx->codepage, &file) !=
	    MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return mp_store_reg_from_parsed(ctx, file, out);
}

int
mp_reg_parse_store_after(struct mapiprof_ctx *ctx, const char *path, const char *codepage,
                         const struct mp_reg_file *same, size_t same_len, struct mp_store **out)
{
	struct mp_reg_file *file = NULL;
	const struct seed sd = {same, same_len, 0, 0, 0};
	*out = NULL;
	if (parse_file(ctx, path, codepage != NULL ? codepage : ctx->codepage,
	               same != NULL ? &sd : NULL, &file) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return mp_store_reg_from_parsed(ctx, file, out);
}

int
mp_reg_parse_store_edited(struct mapiprof_ctx *ctx, const char *path, const char *codepage,
                          const struct mp_reg_file *same, size_t same_len, size_t tail_in,
                          size_t tail_out, struct mp_store **out)
{
	struct mp_reg_file *file = NULL;
	const struct seed sd = {same, same_len, 1, tail_in, tail_out};
	*out = NULL;
	if (tail_in > same->rawlen || same_len > tail_in)
		return mp_reg_parse_store_after(ctx, path, codepage, same, same_len, out);
	if (parse_file(ctx, path, codepage != NULL ? codepage : ctx->codepage, &sd, &file) !=
	    MAPIPROF_OK)
		return MAPIPROF_FAILED;
	return mp_store_reg_from_parsed(ctx, file, out);
}
