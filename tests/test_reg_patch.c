/* test_reg_patch.c - .reg files: format detection and inspect (file.c,
 * regtext/info.c), the text patcher (regtext/patch.c: byte-exact round trip, changed
 * lines only, insertions and new keys where regtext/patch.h says) and
 * mapiprof_plan_write on .reg files (commit.c: backup, -o, failure
 * injection, re-read check, verify). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/platform.h"
#include "mapi/locate.h"
#include "plan/plan.h"
#include "regf/hiveinfo.h"
#include "regtext/parse.h"
#include "regtext/patch.h"
#include "store/reg.h"
#include "testutil.h"
#include "testutil_int.h"
#include "write/commit_io.h"

#define GLOBAL "13dbb0c8aa05101a9bb000aa002fc45a"
#define EMSAB  "dca740c8c042101ab4b908002b2fe182"
#define MSEMS  "5a3f9e0c1b2d4e6f708192a3b4c5d6e7"
#define NEWUID "0123456789abcdef0123456789abcdef"
#define CAFE   "Caf\xc3\xa9"
#define HAND   "hand-edited.reg"

TestSuite(reg_patch, .init = tu_setup, .fini = tu_teardown);

static const uint8_t v_zero[4] = {0, 0, 0, 0};
static const uint8_t v_one[4] = {1, 0, 0, 0};
static const uint8_t v_seven[4] = {7, 0, 0, 0};
static const uint8_t v_nine[4] = {9, 0, 0, 0};
/* 40 bytes: a line that wraps (Wine regproc.c export_hex_data). */
static const uint8_t v_long[40] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14,
                                   15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
                                   29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40};

/* Every .reg fixture: the readable sources, then the variants
 * fixtures/meson.build makes (build dir). */
static const char *const sources[] = {
    "exchange-mapi.reg", "outlook2016-two-accounts.reg",
    "every-type.reg",    "malformed.reg",
    "hostile-names.reg", "no-profiles.reg",
    "multi-root.reg",    HAND,
};
#define NSOURCES (sizeof(sources) / sizeof(sources[0]))

/* A built variant, what mapiprof_inspect reports for it (CP: the code
 * page of the context, whose default iconv name is WINDOWS-1252). */
#define CP NULL
struct variant {
	const char *name;
	const char *encoding, *header, *line_ends;
	int final_newline;
};

static const struct variant variants[] = {
    {"exchange-mapi-utf16.reg", "utf-16le", "Windows Registry Editor Version 5.00", "crlf", 1},
    {"exchange-mapi-regedit4.reg", CP, "REGEDIT4", "crlf", 1},
    {"hand-edited-utf16.reg", "utf-16le", "Windows Registry Editor Version 5.00", "crlf", 1},
    {"hand-edited-regedit4.reg", CP, "REGEDIT4", "crlf", 1},
    {"hand-edited-utf8bom.reg", "utf-8-bom", "Windows Registry Editor Version 5.00", "crlf", 1},
    {"hand-edited-crlf.reg", "utf-8", "Windows Registry Editor Version 5.00", "crlf", 1},
    {"hand-edited-cr.reg", "utf-8", "Windows Registry Editor Version 5.00", "cr", 1},
    {"hand-edited-mixed.reg", "utf-8", "Windows Registry Editor Version 5.00", "mixed", 1},
    {"hand-edited-nofinal.reg", "utf-16le", "Windows Registry Editor Version 5.00", "crlf", 0},
    {"hand-edited-regedit4-nofinal.reg", CP, "REGEDIT4", "lf", 0},
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

/* ---- plans made by hand (plan.h) ------------------------------------------ */

static void
hp_set(struct tu_plan *h, const char *uid, const char *name, const void *data, size_t len)
{
	tu_plan_add(h, 0, uid, name, 0, MP_REG_BINARY, data, len);
}

static void
hp_unset(struct tu_plan *h, const char *uid, const char *name)
{
	tu_plan_add(h, 0, uid, name, 1, MP_REG_BINARY, NULL, 0);
}

/* mp_reg_patch of tu_file's store; *len the output's size; malloc'd. */
static uint8_t *
patch_mem(const struct mapiprof_plan *pl, size_t *len)
{
	struct mp_buf out = {0};
	void *p = NULL;
	cr_assert_eq(mp_reg_patch(tu_ctx, tu_file->store, pl->keys, pl->nkeys, &out), MAPIPROF_OK,
	             "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mp_buf_take(tu_ctx, &out, &p, len), MAPIPROF_OK);
	return p;
}

/* Opens a copy of built fixture name (UTF-8 sources: fixtures/name). */
static char *
open_copy(const char *name, int built)
{
	char *src = built ? tu_fixture(name) : tu_fixture_src(name);
	char *path = tu_stage(src, name);
	tu_open(path);
	free(src);
	return path;
}

/* text with the one occurrence of from replaced by to; malloc'd. */
static char *
replace_once(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	cr_assert_not_null(at, "no '%s'", from);
	cr_assert_null(strstr(at + 1, from), "'%s' more than once", from);
	size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
	char *out = malloc(n);
	cr_assert_not_null(out);
	snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	return out;
}

/* Asserts that mp_reg_patch of tu_file's store with h's plan gives exactly
 * the text want. */
static void
assert_patch_gives(const struct tu_plan *h, const char *want)
{
	size_t len = 0;
	uint8_t *got = patch_mem(&h->plan, &len);
	cr_assert_eq(len, strlen(want), "got %zu bytes, want %zu:\n%.*s", len, strlen(want),
	             (int)len, (const char *)got);
	cr_assert(memcmp(got, want, len) == 0, "got:\n%.*s", (int)len, (const char *)got);
	free(got);
}

/* ---- lines and a line diff ------------------------------------------------ */

struct tline {
	size_t off, len; /* bytes, the terminator included */
	size_t term;     /* bytes of the terminator (0: the last line has none) */
};

struct lines {
	const uint8_t *p;
	struct tline *v;
	size_t n;
};

/* Splits p[0..n) into physical lines (CRLF, LF or CR, as Wine's import
 * tests), in code units of 2 bytes when it starts with the UTF-16LE BOM. */
static void
split(const uint8_t *p, size_t n, struct lines *out)
{
	size_t u = n >= 2 && p[0] == 0xFF && p[1] == 0xFE ? 2 : 1;
	out->p = p;
	out->v = calloc(n / u + 1, sizeof(*out->v));
	out->n = 0;
	cr_assert_not_null(out->v);
	for (size_t start = 0, i = 0; i < n; start = i) {
		size_t t = 0;
		for (; i + u <= n && t == 0; i += u) {
			unsigned c = u == 2 ? (unsigned)(p[i] | p[i + 1] << 8) : p[i];
			unsigned d =
			    i + 2 * u <= n
			        ? (u == 2 ? (unsigned)(p[i + u] | p[i + u + 1] << 8) : p[i + u])
			        : 0;
			if (c == '\n' || c == '\r')
				t = c == '\r' && d == '\n' ? 2 : 1;
		}
		if (t == 2)
			i += u;
		out->v[out->n++] = (struct tline){start, i - start, t * u};
	}
}

/* Lines are equal when their text is and so are their terminators, or
 * one has none (a last line without a line end, which new lines after it
 * must end). */
static int
line_eq(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	const struct tline *x = &a->v[i], *y = &b->v[j];
	size_t xn = x->len - x->term, yn = y->len - y->term;
	if (xn != yn || memcmp(a->p + x->off, b->p + y->off, xn) != 0)
		return 0;
	return x->term == 0 || y->term == 0 ||
	       (x->term == y->term && memcmp(a->p + x->off + xn, b->p + y->off + yn, x->term) == 0);
}

/* Longest common subsequence of the lines of a and b: akeep[i] / bkeep[j]
 * are 1 for the lines both keep. */
static void
diff(const struct lines *a, const struct lines *b, uint8_t *akeep, uint8_t *bkeep)
{
	size_t w = b->n + 1;
	size_t *t = calloc((a->n + 1) * w, sizeof(*t));
	cr_assert_not_null(t);
	for (size_t i = a->n; i-- > 0;)
		for (size_t j = b->n; j-- > 0;)
			t[i * w + j] = line_eq(a, i, b, j) ? t[(i + 1) * w + j + 1] + 1
			               : t[(i + 1) * w + j] > t[i * w + j + 1] ? t[(i + 1) * w + j]
			                                                       : t[i * w + j + 1];
	size_t i = 0, j = 0;
	while (i < a->n && j < b->n) {
		if (line_eq(a, i, b, j)) {
			akeep[i++] = bkeep[j++] = 1;
		} else if (t[(i + 1) * w + j] >= t[i * w + j + 1]) {
			i++;
		} else {
			j++;
		}
	}
	free(t);
}

/* 1 when block b of f is the key of plan key k (profile root, name, uid of
 * tu_file), compared as the registry compares names. */
static int
block_is(const struct mp_reg_block *b, const struct mp_key_change *k)
{
	const struct mapiprof_profile *p = mapiprof_profile_at(tu_file, k->profile);
	char want[2048], got[2048] = "";
	snprintf(want, sizeof(want), "%s\\%s\\%s", p->root, p->name, k->uid);
	for (size_t i = 0; i < b->ncomp; i++) {
		if (i > 0)
			strncat(got, "\\", sizeof(got) - strlen(got) - 1);
		strncat(got, b->comp[i], sizeof(got) - strlen(got) - 1);
	}
	return !b->is_delete && mp_name_casecmp(got, want) == 0;
}

/* mark[line - 1] = 1 for the lines of f the plan may change: the value
 * lines its ops name in its keys' blocks, and with new_blocks the key lines
 * of its keys. */
static void
mark_planned(const struct mp_reg_file *f, const struct mapiprof_plan *pl, int new_blocks,
             uint8_t *mark)
{
	for (size_t bi = 0; bi < f->nblocks; bi++) {
		const struct mp_reg_block *b = &f->blocks[bi];
		for (size_t ki = 0; ki < pl->nkeys; ki++) {
			const struct mp_key_change *k = &pl->keys[ki];
			if (!block_is(b, k))
				continue;
			if (new_blocks)
				mark[b->span.line - 1] = 1;
			for (size_t vi = 0; vi < b->nvalues; vi++) {
				const struct mp_reg_value *v = &f->values[b->first_value + vi];
				for (size_t j = 0; j < k->nops; j++)
					if (mp_name_casecmp(v->name, k->ops[j].value_name) == 0)
						memset(mark + v->span.line - 1, 1, v->span.nlines);
			}
		}
	}
}

/* The text after differs from before only in the lines of the plan's
 * values (and with new_blocks, in new key lines and blank lines); returns
 * the number of lines that differ. */
static size_t
assert_only_planned_lines(const uint8_t *before, size_t blen, const uint8_t *after, size_t alen,
                          const struct mapiprof_plan *pl, int new_blocks)
{
	struct mp_reg_file *fb = NULL, *fa = NULL;
	const char *cp = mapiprof_ctx_codepage(tu_ctx);
	cr_assert_eq(mp_reg_parse_buf(tu_ctx, "before", before, blen, cp, &fb), MAPIPROF_OK);
	cr_assert_eq(mp_reg_parse_buf(tu_ctx, "after", after, alen, cp, &fa), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	struct lines lb, la;
	split(before, blen, &lb);
	split(after, alen, &la);
	cr_assert_eq(lb.n, fb->nlines);
	cr_assert_eq(la.n, fa->nlines);
	uint8_t *kb = calloc(lb.n + 1, 1), *ka = calloc(la.n + 1, 1);
	uint8_t *mb = calloc(lb.n + 1, 1), *ma = calloc(la.n + 1, 1);
	cr_assert(kb != NULL && ka != NULL && mb != NULL && ma != NULL);
	diff(&lb, &la, kb, ka);
	mark_planned(fb, pl, 0, mb);
	mark_planned(fa, pl, new_blocks, ma);
	size_t changed = 0;
	for (size_t i = 0; i < lb.n; i++) {
		cr_assert(kb[i] || mb[i], "line %zu changed but is not a planned value's", i + 1);
		if (!kb[i])
			changed++;
	}
	for (size_t j = 0; j < la.n; j++) {
		int blank = la.v[j].len == la.v[j].term;
		cr_assert(ka[j] || ma[j] || (new_blocks && blank),
		          "new line %zu is not a planned value's: %.*s", j + 1, (int)la.v[j].len,
		          (const char *)la.p + la.v[j].off);
		if (!ka[j])
			changed++;
	}
	free(kb), free(ka), free(mb), free(ma), free(lb.v), free(la.v);
	mp_reg_parse_free(fb);
	mp_reg_parse_free(fa);
	return changed;
}

/* ---- reading values back ---------------------------------------------- */

/* The bytes of value name in section uid of profile prof of file f (NULL
 * when absent). */
static const struct mapiprof_prop *
prop_of(struct mapiprof_file *f, const char *prof, const char *uid, const char *name)
{
	size_t p = 0, *idx = NULL, n = 0;
	const struct mapiprof_prop *props = NULL, *out = NULL;
	size_t np = 0;
	cr_assert_eq(mapiprof_profile_find(f, prof, &p), MAPIPROF_OK);
	cr_assert_eq(mapiprof_select(f, p, uid, &idx, &n), MAPIPROF_OK);
	cr_assert_eq(n, 1, "no section %s", uid);
	cr_assert_eq(mapiprof_section_props(f, p, idx[0], &props, &np), MAPIPROF_OK);
	for (size_t i = 0; i < np && out == NULL; i++)
		if (mp_name_casecmp(props[i].value_name, name) == 0)
			out = &props[i];
	mapiprof_free(idx);
	return out;
}

/* Value name of section uid of the default profile in f is (type, data). */
static void
assert_value(struct mapiprof_file *f, const char *uid, const char *name, uint32_t type,
             const void *data, size_t len)
{
	const struct mapiprof_prop *v = prop_of(f, NULL, uid, name);
	cr_assert_not_null(v, "%s\\%s is missing", uid, name);
	cr_assert_eq(v->reg_type, type, "%s: type %u", name, v->reg_type);
	cr_assert_eq(v->len, len, "%s: %zu bytes", name, v->len);
	cr_assert(len == 0 || memcmp(v->data, data, len) == 0, "%s: other bytes", name);
}

/* Opens len bytes of text as a new file tu_tmp/name; returns the file. */
static struct mapiprof_file *
open_bytes(const char *name, const void *p, size_t len)
{
	char *path = tu_tmp_write(name, p, len);
	struct mapiprof_file *f = NULL;
	cr_assert_eq(mapiprof_open(tu_ctx, path, 0, &f), MAPIPROF_OK, "%s: %s", name,
	             mapiprof_errmsg(tu_ctx));
	free(path);
	return f;
}

/* ---- detection and inspect ------------------------------------------------ */

ParameterizedTestParameters(reg_patch, inspect_reports_each_variant)
{
	return tu_index_params(NVARIANTS);
}

ParameterizedTest(size_t *i, reg_patch, inspect_reports_each_variant)
{
	const struct variant *v = &variants[*i];
	char *path = tu_fixture(v->name);
	size_t len = 0;
	char *raw = tu_read(path, &len);
	struct mapiprof_info *info = NULL;
	cr_assert_not_null(raw);
	cr_assert_eq(mapiprof_inspect(tu_ctx, path, &info), MAPIPROF_OK, "%s: %s", v->name,
	             mapiprof_errmsg(tu_ctx));
	cr_assert_str_eq(info->format, "reg");
	cr_assert_str_eq(info->reg_encoding,
	                 v->encoding != CP ? v->encoding : mapiprof_ctx_codepage(tu_ctx));
	cr_assert_str_eq(info->reg_header, v->header);
	cr_assert_str_eq(info->reg_line_ends, v->line_ends);
	cr_assert_eq(info->size, len);
	cr_assert_eq(info->seq1 | info->major | info->checksum_stored | info->nlogs, 0);
	cr_assert_gt(info->mtime_ns, 0);
	cr_assert_neq(info->mode, 0);
	char want[65];
	mp_sha256_hex(raw, len, want);
	cr_assert_str_eq(info->sha256, want);
	mapiprof_info_free(info);
	struct mapiprof_file *f = NULL;
	cr_assert_eq(mapiprof_open(tu_ctx, path, MAPIPROF_OPEN_NO_HASH, &f), MAPIPROF_OK);
	cr_assert_str_eq(mapiprof_file_info(f)->format, "reg");
	cr_assert_str_eq(mapiprof_file_info(f)->sha256, "");
	cr_assert_gt(mapiprof_profile_count(f), 0);
	mapiprof_close(f);
	free(raw);
	free(path);
}

Test(reg_patch, inspect_hashes_the_file_and_needs_no_extension)
{
	const char text[] = "REGEDIT4\r\n";
	char *path = tu_tmp_write("profile.dat", text, sizeof(text) - 1);
	struct mapiprof_info *info = NULL;
	cr_assert_eq(mapiprof_inspect(tu_ctx, path, &info), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_str_eq(info->format, "reg");
	cr_assert_str_eq(info->sha256,
	                 "853448e59c9bb7599fa8a5ff03a0b608781a02d41f58576f1192e0c48cb8d635");
	cr_assert_str_eq(info->reg_encoding, mapiprof_ctx_codepage(tu_ctx));
	cr_assert_str_eq(info->reg_line_ends, "crlf");
	mapiprof_info_free(info);
	free(path);
}

Test(reg_patch, regedit4_takes_the_contexts_code_page)
{
	const char text[] = "REGEDIT4\n\n[HKEY_CURRENT_USER\\Software\\x]\n\"a\"=\"\x82\"\n";
	char *path = tu_tmp_write("cp.reg", text, sizeof(text) - 1);
	struct mapiprof_info *info = NULL;
	cr_assert_eq(mapiprof_ctx_set_codepage(tu_ctx, "CP437"), MAPIPROF_OK);
	cr_assert_eq(mapiprof_inspect(tu_ctx, path, &info), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_str_eq(info->reg_encoding, "CP437");
	mapiprof_info_free(info);
	/* CP437 0x82 is U+00E9 (windows-1252 would give U+201A). */
	static const uint8_t e_acute[] = {0xE9, 0, 0, 0};
	struct mp_store *s = NULL;
	struct mp_value *vals = NULL;
	size_t n = 0;
	mp_key root = 0, key = 0;
	tu_open(path);
	s = tu_file->store;
	cr_assert_eq(s->ops->root(s, &root), MAPIPROF_OK);
	cr_assert_eq(mp_store_path(s, root, "Software\\x", &key), MAPIPROF_OK);
	cr_assert_eq(s->ops->values(s, key, &vals, &n), MAPIPROF_OK);
	cr_assert_eq(n, 1);
	cr_assert_eq(vals[0].len, sizeof(e_acute));
	cr_assert(memcmp(vals[0].data, e_acute, sizeof(e_acute)) == 0);
	mp_store_values_free(vals, n);
	free(path);
}

/* Each case: the file's bytes, the code the open fails with, and what the
 * message holds. */
static const struct {
	const char *text;
	size_t len;
	enum mapiprof_error code;
	const char *msg;
} bad_files[] = {
    {"Windows Registry Editor Version 5.00\r\n\r\nnot a value\r\n", 53, MAPIPROF_E_FORMAT,
     "line 3: unrecognised line"},
    {"REGEDIT4\n[HKEY_CURRENT_USER\\x]\n\"a\"=hex:zz\n", 41, MAPIPROF_E_FORMAT, "line 3:"},
    {"\xef\xbb\xbfnot a header\n", 16, MAPIPROF_E_FORMAT, "line 1: missing header"},
    {"\xff\xfe\x41\x00\x0a\x00", 6, MAPIPROF_E_FORMAT, "line 1: missing header"},
    {"\nREGEDIT4\n", 10, MAPIPROF_E_FORMAT, "line 1: missing header"},
    {"hello, world\n", 13, MAPIPROF_E_FORMAT, "not a registry hive"},
    {"REGEDIT5\n", 9, MAPIPROF_E_FORMAT, "not a registry hive"},
};

ParameterizedTestParameters(reg_patch, a_bad_file_fails_as_reg_or_as_hive)
{
	return tu_index_params(sizeof(bad_files) / sizeof(bad_files[0]));
}

ParameterizedTest(size_t *i, reg_patch, a_bad_file_fails_as_reg_or_as_hive)
{
	char *path = tu_tmp_write("bad", bad_files[*i].text, bad_files[*i].len);
	struct mapiprof_info *info = NULL;
	struct mapiprof_file *f = NULL;
	cr_assert_eq(mapiprof_inspect(tu_ctx, path, &info), MAPIPROF_FAILED);
	cr_assert_null(info);
	cr_assert_eq(mapiprof_errcode(tu_ctx), bad_files[*i].code);
	cr_assert(strstr(mapiprof_errmsg(tu_ctx), bad_files[*i].msg) != NULL, "%s",
	          mapiprof_errmsg(tu_ctx));
	cr_assert_str_eq(mapiprof_errfile(tu_ctx), path);
	cr_assert_eq(mapiprof_open(tu_ctx, path, 0, &f), MAPIPROF_FAILED);
	cr_assert(strstr(mapiprof_errmsg(tu_ctx), bad_files[*i].msg) != NULL, "%s",
	          mapiprof_errmsg(tu_ctx));
	cr_assert_str_eq(mapiprof_errfile(tu_ctx), path);
	free(path);
}

Test(reg_patch, write_check_passes_for_a_reg_file)
{
	char *path = open_copy(HAND, 0);
	cr_assert_eq(mapiprof_write_check(tu_file), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	free(path);
}

/* ---- round trip ------------------------------------------------------------ */

ParameterizedTestParameters(reg_patch, empty_patch_reproduces_every_fixture_byte_for_byte)
{
	return tu_index_params(NSOURCES + NVARIANTS);
}

ParameterizedTest(size_t *i, reg_patch, empty_patch_reproduces_every_fixture_byte_for_byte)
{
	char *path =
	    *i < NSOURCES ? tu_fixture_src(sources[*i]) : tu_fixture(variants[*i - NSOURCES].name);
	size_t len = 0, olen = 0;
	char *raw = tu_read(path, &len);
	struct mp_store *s = NULL;
	struct mp_buf out = {0};
	cr_assert_not_null(raw);
	cr_assert_eq(mp_reg_parse_store(tu_ctx, path, NULL, &s), MAPIPROF_OK, "%s: %s", path,
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mp_reg_patch(tu_ctx, s, NULL, 0, &out), MAPIPROF_OK);
	olen = out.len;
	cr_assert_eq(olen, len, "%s: %zu bytes, want %zu", path, olen, len);
	cr_assert(memcmp(out.data, raw, len) == 0, "%s differs", path);
	mp_buf_free(&out);
	mp_store_close(s);
	free(raw);
	free(path);
}

Test(reg_patch, a_store_of_another_back_end_is_refused)
{
	char *hive = tu_stage_built("exchange-mapi.dat");
	struct mp_store *s = NULL;
	struct mp_buf out = {0};
	cr_assert_eq(mp_store_hive_open(tu_ctx, hive, 0, &s), MAPIPROF_OK);
	cr_assert_eq(mp_reg_patch(tu_ctx, s, NULL, 0, &out), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_INVALID);
	cr_assert_eq(out.len, 0);
	mp_store_close(s);
	free(hive);
}

/* ---- where the patch writes (hand-edited.reg, UTF-8 and LF) --------------- */

/* The source text of hand-edited.reg, NUL-terminated. */
static char *
hand_text(void)
{
	size_t n = 0;
	char *t = tu_read_src(HAND, &n);
	cr_assert_not_null(t);
	return t;
}

/* Writes the .reg text (n bytes) to tu_tmp/k.reg and opens it. */
static void
open_text(const char *text, size_t n)
{
	char *path = tu_tmp_write("k.reg", text, n);
	tu_open(path);
	free(path);
}

Test(reg_patch, a_set_value_replaces_only_the_line_that_last_set_it)
{
	struct tu_plan h = {0};
	char *path = open_copy(HAND, 0), *src = hand_text();
	hp_set(&h, GLOBAL, "00036604", v_seven, 4);
	hp_set(&h, EMSAB, "00036619", v_nine, 4);
	char *a =
	    replace_once(src, "\"00036604\"=hex:06,00,00,00\n", "\"00036604\"=hex:07,00,00,00\n");
	char *b =
	    replace_once(a, "\"00036619\"=hex:0a,00,00,00\n", "\"00036619\"=hex:09,00,00,00\n");
	assert_patch_gives(&h, b);
	free(a), free(b), free(src), free(path);
}

Test(reg_patch, a_wrapped_value_is_replaced_with_all_its_continuation_lines)
{
	struct tu_plan h = {0};
	char *path = open_copy(HAND, 0), *src = hand_text();
	hp_set(&h, MSEMS, "001f6700", v_one, 4);
	const char *at = strstr(src, "\"001f6700\"=hex:");
	cr_assert_not_null(at);
	const char *end = strstr(at, ",00,00,00\n") + strlen(",00,00,00\n");
	char want[8192];
	snprintf(want, sizeof(want), "%.*s\"001f6700\"=hex:01,00,00,00\n%s", (int)(at - src), src,
	         end);
	assert_patch_gives(&h, want);
	free(src), free(path);
}

Test(reg_patch, a_new_long_value_is_wrapped_as_regedit_wraps_it)
{
	struct tu_plan h = {0};
	char *path = open_copy(HAND, 0), *src = hand_text();
	hp_set(&h, EMSAB, "01026700", v_long, sizeof(v_long));
	char *want = replace_once(
	    src, "\"001e6600\"=\"gc01.example.com\"\n",
	    "\"001e6600\"=\"gc01.example.com\"\n"
	    "\"01026700\"=hex:01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,0e,0f,10,11,12,13,14,15,\\\n"
	    "  16,17,18,19,1a,1b,1c,1d,1e,1f,20,21,22,23,24,25,26,27,28\n");
	assert_patch_gives(&h, want);
	free(want), free(src), free(path);
}

Test(reg_patch, unset_removes_every_line_of_a_value_set_in_several_blocks)
{
	struct tu_plan h = {0};
	char *path = open_copy(HAND, 0), *src = hand_text();
	hp_unset(&h, GLOBAL, "00036604");
	hp_unset(&h, GLOBAL, "00036605");
	const char *gone[] = {
	    "  \"00036604\" = hex:02,00,00,00 ; PR_PROFILE_CONNECT_FLAGS, written with blanks\n",
	    "\"00036604\"=hex:06,00,00,00\n",
	    "\"00036605\"=hex:03,00,00,00\n\n; The MUIDEMSAB",
	    "\"00036605\"=-\n",
	    "; set again after its deletion\n\"00036605\"=hex:03,00,00,00\n",
	};
	const char *keep[] = {"", "", "\n; The MUIDEMSAB", "", "; set again after its deletion\n"};
	char *want = strdup(src);
	for (size_t i = 0; i < sizeof(gone) / sizeof(gone[0]); i++) {
		char *next = replace_once(want, gone[i], keep[i]);
		free(want);
		want = next;
	}
	assert_patch_gives(&h, want);
	free(want), free(src), free(path);
}

Test(reg_patch, a_new_value_goes_after_the_last_value_line_of_the_keys_last_block_in_op_order)
{
	struct tu_plan h = {0};
	char *path = open_copy(HAND, 0), *src = hand_text();
	hp_set(&h, GLOBAL, "0003661c", v_one, 4);
	hp_set(&h, GLOBAL, "00036604", v_zero, 4);
	hp_set(&h, GLOBAL, "0003661a", v_nine, 4);
	char *a =
	    replace_once(src, "\"00036604\"=hex:06,00,00,00\n", "\"00036604\"=hex:00,00,00,00\n");
	char *b = replace_once(a, "\"00036606\"=hex:00,00,00,00\n",
	                       "\"00036606\"=hex:00,00,00,00\n\"0003661c\"=hex:01,00,00,00\n"
	                       "\"0003661a\"=hex:09,00,00,00\n");
	assert_patch_gives(&h, b);
	free(a), free(b), free(src), free(path);
}

Test(reg_patch, lines_of_a_deleted_life_of_a_key_are_left_alone)
{
	struct tu_plan h = {0};
	char *path = open_copy(HAND, 0), *src = hand_text();
	hp_set(&h, MSEMS, "00036601", v_one, 4);
	hp_unset(&h, MSEMS, "001e3d09");
	/* The first life's "00036601"=hex:ff,... and "001e3d09" stay. */
	char *a = replace_once(src,
	                       "; ... and created again: only this life counts.\n"
	                       "[",
	                       "@@");
	char *b = replace_once(a, "\"001e3d09\"=\"MSEMS\"\n; PR_PST_PATH_W", "; PR_PST_PATH_W");
	char *c = replace_once(b, "66,00,65,00,2e,00,6f,00,73,00,74,00,00,00\n",
	                       "66,00,65,00,2e,00,6f,00,73,00,74,00,00,00\n"
	                       "\"00036601\"=hex:01,00,00,00\n");
	char *want = replace_once(c, "@@", "; ... and created again: only this life counts.\n[");
	assert_patch_gives(&h, want);
	free(a), free(b), free(c), free(want), free(src), free(path);
}

Test(reg_patch, a_new_section_goes_at_the_end_under_the_profile_path_as_the_file_writes_it)
{
	struct tu_plan h = {0};
	char *path = open_copy(HAND, 0), *src = hand_text();
	hp_set(&h, NEWUID, "00036619", v_nine, 4);
	hp_set(&h, NEWUID, "00036639", v_one, 4);
	cr_assert_eq(h.keys[0].key, 0);
	/* The file ends with a blank line already: no second one. */
	char want[16384];
	snprintf(want, sizeof(want),
	         "%s[HKEY_USERS\\S-1-5-21-1004336348-1177238915-682003330-1001\\Software\\"
	         "Microsoft\\Office\\16.0\\Outlook\\Profiles\\" CAFE "\\" NEWUID "]\n"
	         "\"00036619\"=hex:09,00,00,00\n\"00036639\"=hex:01,00,00,00\n\n",
	         src);
	assert_patch_gives(&h, want);
	free(src), free(path);
}

Test(reg_patch, a_key_without_a_block_of_its_own_gets_one_at_the_end)
{
	const char text[] = TU_REG_HEADER TU_SYNTH_KEY GLOBAL "\\sub]\n"
	                                                      "\"00036601\"=hex:01,00,00,00\n";
	struct tu_plan h = {0};
	open_text(text, sizeof(text) - 1);
	hp_set(&h, GLOBAL, "00036604", v_one, 4);
	cr_assert_neq(h.keys[0].key, 0);
	assert_patch_gives(&h,
	                   TU_REG_HEADER TU_SYNTH_KEY GLOBAL "\\sub]\n"
	                                                     "\"00036601\"=hex:01,00,00,00\n"
	                                                     "\n" TU_SYNTH_KEY GLOBAL "]\n"
	                                                     "\"00036604\"=hex:01,00,00,00\n\n");
}

Test(reg_patch, a_new_value_in_a_block_without_values_follows_its_key_line)
{
	const char text[] = TU_REG_HEADER TU_SYNTH_KEY GLOBAL "]\n; nothing yet\n\n"
	                                                      "[HKEY_CURRENT_USER\\Software\\x]\n";
	struct tu_plan h = {0};
	open_text(text, sizeof(text) - 1);
	hp_set(&h, GLOBAL, "00036604", v_one, 4);
	assert_patch_gives(&h, TU_REG_HEADER TU_SYNTH_KEY GLOBAL
	                   "]\n\"00036604\"=hex:01,00,00,00\n"
	                   "; nothing yet\n\n[HKEY_CURRENT_USER\\Software\\x]\n");
}

Test(reg_patch, a_last_line_without_a_line_end_keeps_none_when_replaced)
{
	const char text[] = "Windows Registry Editor Version 5.00\r\n\r\n" TU_SYNTH_KEY GLOBAL
	                    "]\r\n\"00036604\"=hex:02,00,00,00";
	struct tu_plan h = {0};
	open_text(text, sizeof(text) - 1);
	hp_set(&h, GLOBAL, "00036604", v_long, sizeof(v_long));
	assert_patch_gives(
	    &h, "Windows Registry Editor Version 5.00\r\n\r\n" TU_SYNTH_KEY GLOBAL
	        "]\r\n\"00036604\"=hex:01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,0e,0f,10,11,12,"
	        "13,14,15,\\\r\n  16,17,18,19,1a,1b,1c,1d,1e,1f,20,21,22,23,24,25,26,27,28");
}

Test(reg_patch, a_line_added_after_a_last_line_without_a_line_end_ends_it_first)
{
	const char text[] = "Windows Registry Editor Version 5.00\r\n\r\n" TU_SYNTH_KEY GLOBAL
	                    "]\r\n\"00036604\"=hex:02,00,00,00";
	struct tu_plan h = {0};
	open_text(text, sizeof(text) - 1);
	hp_set(&h, GLOBAL, "00036601", v_one, 4);
	hp_set(&h, NEWUID, "00036601", v_one, 4);
	assert_patch_gives(&h,
	                   "Windows Registry Editor Version 5.00\r\n\r\n" TU_SYNTH_KEY GLOBAL
	                   "]\r\n\"00036604\"=hex:02,00,00,00\r\n\"00036601\"=hex:01,00,00,00\r\n"
	                   "\r\n" TU_SYNTH_KEY NEWUID "]\r\n\"00036601\"=hex:01,00,00,00\r\n\r\n");
}

Test(reg_patch, new_lines_take_the_line_end_of_the_line_they_follow)
{
	/* LF file but for one CRLF line, the last of the key. */
	const char text[] = TU_REG_HEADER TU_SYNTH_KEY GLOBAL "]\n\"00036604\"=hex:02,00,00,00\r\n";
	struct tu_plan h = {0};
	open_text(text, sizeof(text) - 1);
	hp_set(&h, GLOBAL, "00036601", v_long, sizeof(v_long));
	assert_patch_gives(
	    &h, TU_REG_HEADER TU_SYNTH_KEY GLOBAL
	    "]\n\"00036604\"=hex:02,00,00,00\r\n"
	    "\"00036601\"=hex:01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,0e,0f,10,11,12,13,14,15,"
	    "\\\r\n  16,17,18,19,1a,1b,1c,1d,1e,1f,20,21,22,23,24,25,26,27,28\r\n");
}

Test(reg_patch, the_default_value_keeps_the_form_of_the_line_that_set_it)
{
	const char text[] = TU_REG_HEADER TU_SYNTH_KEY GLOBAL "]\n@=hex:02\n\"\"=hex:03\n"
	                                                      "[HKEY_CURRENT_USER\\Software\\x]\n"
	                                                      "@=hex:04\n";
	struct tu_plan h = {0};
	open_text(text, sizeof(text) - 1);
	hp_set(&h, GLOBAL, "", v_one, 1);
	/* "" and @ name one value; the line that set it last keeps its form. */
	assert_patch_gives(&h, TU_REG_HEADER TU_SYNTH_KEY GLOBAL
	                   "]\n@=hex:02\n\"\"=hex:01\n"
	                   "[HKEY_CURRENT_USER\\Software\\x]\n@=hex:04\n");
}

Test(reg_patch, two_ops_on_one_line_are_refused)
{
	struct tu_plan h = {0};
	struct mp_buf out = {0};
	char *path = open_copy(HAND, 0);
	hp_set(&h, GLOBAL, "00036604", v_one, 4);
	hp_set(&h, GLOBAL, "00036604", v_zero, 4);
	cr_assert_eq(mp_reg_patch(tu_ctx, tu_file->store, h.plan.keys, h.plan.nkeys, &out),
	             MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_INVALID);
	cr_assert(strstr(mapiprof_errmsg(tu_ctx), "twice") != NULL, "%s", mapiprof_errmsg(tu_ctx));
	mp_buf_free(&out);
	free(path);
}

/* ---- every variant: changed lines only, encoding and line ends kept -------- */

/* variants[FIRST_HAND...] are those of hand-edited.reg (the exchange-mapi
 * ones are patched by the recipe tests below). */
#define FIRST_HAND 2u

ParameterizedTestParameters(reg_patch, a_patched_variant_differs_only_in_the_changed_lines)
{
	return tu_index_params(NVARIANTS - FIRST_HAND);
}

ParameterizedTest(size_t *i, reg_patch, a_patched_variant_differs_only_in_the_changed_lines)
{
	const struct variant *var = &variants[FIRST_HAND + *i];
	cr_assert(strncmp(var->name, "hand-edited", 11) == 0);
	struct tu_plan h = {0};
	size_t blen = 0, alen = 0;
	char *path = open_copy(var->name, 1);
	uint8_t *before = (uint8_t *)tu_read(path, &blen);
	hp_set(&h, GLOBAL, "00036604", v_seven, 4);
	hp_unset(&h, GLOBAL, "00036605");
	hp_set(&h, GLOBAL, "0003661c", v_long, sizeof(v_long));
	hp_set(&h, EMSAB, "00036619", v_nine, 4);
	hp_set(&h, MSEMS, "001f6700", v_one, 4);
	tu_plan_add(&h, 0, NEWUID, "00036601", 0, MP_REG_BINARY, v_one, 4);
	uint8_t *after = patch_mem(&h.plan, &alen);
	size_t changed = assert_only_planned_lines(before, blen, after, alen, &h.plan, 1);
	cr_assert_geq(changed, 10, "%zu lines changed", changed);
	struct mapiprof_file *f = open_bytes("after.reg", after, alen);
	const struct mapiprof_info *in = mapiprof_file_info(f);
	cr_assert_str_eq(in->reg_encoding,
	                 var->encoding != CP ? var->encoding : mapiprof_ctx_codepage(tu_ctx));
	cr_assert_str_eq(in->reg_header, var->header);
	cr_assert_str_eq(in->reg_line_ends, var->line_ends);
	assert_value(f, GLOBAL, "00036604", MP_REG_BINARY, v_seven, 4);
	assert_value(f, GLOBAL, "0003661c", MP_REG_BINARY, v_long, sizeof(v_long));
	cr_assert_null(prop_of(f, NULL, GLOBAL, "00036605"));
	assert_value(f, EMSAB, "00036619", MP_REG_BINARY, v_nine, 4);
	assert_value(f, MSEMS, "001f6700", MP_REG_BINARY, v_one, 4);
	assert_value(f, NEWUID, "00036601", MP_REG_BINARY, v_one, 4);
	mapiprof_close(f);
	free(before), free(after), free(path);
}

/* ---- mapiprof_plan_write on .reg files ------------------------------------ */

/* Copies fixture name (built: build/fixtures) into tu_tmp/w/p.reg, mode
 * 0640, and opens it; *orig gets its bytes. */
static char *
stage_w(const char *name, int built, char **orig, size_t *olen)
{
	char *dir = tu_tmp_path("w");
	cr_assert_eq(mkdir(dir, 0755), 0);
	char *src = built ? tu_fixture(name) : tu_fixture_src(name);
	char *p = mp_path_join(dir, "p.reg");
	cr_assert_eq(tu_copy(src, p), 0);
	cr_assert_eq(chmod(p, 0640), 0);
	*orig = tu_read(p, olen);
	tu_open(p);
	free(src);
	free(dir);
	return p;
}

/* The hand-edited plan of a_patched_variant_... on tu_file. */
static void
hand_plan(struct tu_plan *h)
{
	memset(h, 0, sizeof(*h));
	hp_set(h, GLOBAL, "00036604", v_seven, 4);
	hp_unset(h, GLOBAL, "00036605");
	hp_set(h, EMSAB, "00036619", v_nine, 4);
	tu_plan_add(h, 0, NEWUID, "00036601", 0, MP_REG_BINARY, v_one, 4);
}

static int
write_io(const struct tu_plan *h, const struct mapiprof_write_opts *opts,
         const struct mp_commit_io *io)
{
	mp_commit_set_io(io);
	int rc = mapiprof_plan_write(tu_file, &h->plan, opts);
	mp_commit_set_io(NULL);
	return rc;
}

/* The file path holds what mp_reg_patch makes of the plan. */
static void
assert_patched(const char *path, const struct tu_plan *h)
{
	size_t len = 0;
	uint8_t *want = patch_mem(&h->plan, &len);
	tu_assert_file_is(path, want, len);
	free(want);
}

static void
assert_mode(const char *path, unsigned mode)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_mode & 07777, mode, "mode %o", (unsigned)(st.st_mode & 07777));
}

Test(reg_patch, plan_write_patches_in_place_keeping_a_backup_and_the_mode)
{
	struct tu_plan h;
	size_t olen = 0;
	char *orig = NULL, *path = stage_w("hand-edited-utf16.reg", 1, &orig, &olen);
	hand_plan(&h);
	struct mapiprof_write_opts opts = {.backup_suffix = ".bak"};
	cr_assert_eq(write_io(&h, &opts, NULL), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	assert_patched(path, &h);
	char *bak = tu_tmp_path("w/p.reg.bak");
	tu_assert_file_is(bak, orig, olen);
	tu_assert_listing("w", "p.reg|p.reg.bak");
	assert_mode(path, 0640);
	struct mapiprof_file *f = NULL;
	cr_assert_eq(mapiprof_open(tu_ctx, path, 0, &f), MAPIPROF_OK);
	assert_value(f, GLOBAL, "00036604", MP_REG_BINARY, v_seven, 4);
	assert_value(f, NEWUID, "00036601", MP_REG_BINARY, v_one, 4);
	mapiprof_close(f);
	free(bak), free(orig), free(path);
}

Test(reg_patch, plan_write_with_output_leaves_the_input_untouched)
{
	struct tu_plan h;
	size_t olen = 0;
	char *orig = NULL, *path = stage_w("hand-edited-regedit4.reg", 1, &orig, &olen);
	char *out = tu_tmp_path("w/out.reg");
	hand_plan(&h);
	struct mapiprof_write_opts opts = {.output = out};
	cr_assert_eq(write_io(&h, &opts, NULL), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	tu_assert_file_is(path, orig, olen);
	assert_patched(out, &h);
	tu_assert_listing("w", "out.reg|p.reg");
	free(out), free(orig), free(path);
}

static int
fail_write(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len)
{
	if (mp_write_full(ctx, fd, buf, len / 2) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	mp_seterr_errno(ctx, ENOSPC, "injected write failure");
	return MAPIPROF_FAILED;
}

/* Writes buf with the character at offset at of the first occurrence of
 * needle replaced by c.  The text comes in pieces (the unchanged spans and
 * the new lines): a piece without needle is written as it is, and the
 * error the test expects shows that one had it. */
static int
write_changed(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len, const char *needle,
              size_t at, char c)
{
	char *copy = malloc(len + 1);
	cr_assert_not_null(copy);
	memcpy(copy, buf, len);
	copy[len] = '\0';
	char *p = strstr(copy, needle);
	if (p != NULL)
		p[at] = c;
	int rc = mp_write_full(ctx, fd, copy, len);
	free(copy);
	return rc;
}

/* Writes the text with the first "hex:07," (the planned 00036604 in UTF-8
 * files) turned into "hex:08,": a patcher bug verify must catch. */
static int
wrong_write(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len)
{
	return write_changed(ctx, fd, buf, len, "\"00036604\"=hex:07,",
	                     strlen("\"00036604\"=hex:0"), '8');
}

/* Writes the text with an unplanned value changed ("gc01" to "gc02" in
 * 001e6600 of the MUIDEMSAB section): verify must notice that too. */
static int
other_write(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len)
{
	return write_changed(ctx, fd, buf, len, "\"gc01.", 4, '2');
}

/* Each failure: the step replaced, the error code, what the message holds. */
static const struct {
	struct mp_commit_io io;
	enum mapiprof_error code;
	const char *msg;
} failures[] = {
    {{.write = fail_write}, MAPIPROF_E_IO, "injected write failure"},
    {{.fsync = tu_fail_fsync}, MAPIPROF_E_IO, "injected fsync failure"},
    {{.rename = tu_fail_rename}, MAPIPROF_E_IO, "injected rename failure"},
    {{.link = tu_fail_link}, MAPIPROF_E_IO, "injected link failure"},
    {{.write = wrong_write}, MAPIPROF_E_VERIFY, "00036604 has the wrong data"},
    {{.write = other_write}, MAPIPROF_E_VERIFY, "001e6600 has the wrong data"},
};

ParameterizedTestParameters(reg_patch, a_failed_step_leaves_the_original_and_no_temporary_file)
{
	return tu_index_params(sizeof(failures) / sizeof(failures[0]));
}

ParameterizedTest(size_t *i, reg_patch, a_failed_step_leaves_the_original_and_no_temporary_file)
{
	struct tu_plan h;
	size_t olen = 0;
	char *orig = NULL, *path = stage_w("hand-edited-crlf.reg", 1, &orig, &olen);
	hand_plan(&h);
	struct mapiprof_write_opts opts = {.backup_suffix = ".bak"};
	cr_assert_eq(write_io(&h, &opts, &failures[*i].io), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), failures[*i].code, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert(strstr(mapiprof_errmsg(tu_ctx), failures[*i].msg) != NULL, "%s",
	          mapiprof_errmsg(tu_ctx));
	tu_assert_file_is(path, orig, olen);
	/* A failed rename of the new file may leave the backup (the original's
	 * bytes); never a temporary file. */
	char *got = tu_listing("w");
	cr_assert(strcmp(got, "p.reg") == 0 || strcmp(got, "p.reg|p.reg.bak") == 0, "%s", got);
	free(got), free(orig), free(path);
}

/* ---- long unchanged spans: copied from the input file ------------------ */

/* Appends to b a key of n string values (about 60 bytes each), lines
 * ended by eol. */
static void
add_padding_key(struct mp_buf *b, const char *key, size_t n, const char *eol)
{
	char line[128];
	snprintf(line, sizeof(line), "%s[HKEY_CURRENT_USER\\Software\\%s]%s", eol, key, eol);
	cr_assert_eq(mp_buf_add(tu_ctx, b, line, strlen(line)), MAPIPROF_OK);
	for (size_t i = 0; i < n; i++) {
		snprintf(line, sizeof(line),
		         "\"v%05zu\"=\"padding padding padding padding %05zu\"%s", i, i, eol);
		cr_assert_eq(mp_buf_add(tu_ctx, b, line, strlen(line)), MAPIPROF_OK);
	}
}

/* HAND with a key of padding after its header and another at its end, so
 * that the spans before its first change and after its last one are
 * longer than MP_REG_COPY_MIN; staged as stage_w does, *orig its bytes. */
static char *
stage_padded(char **orig, size_t *olen)
{
	size_t hlen = 0;
	char *hand = tu_read_src(HAND, &hlen);
	const char *nl = memchr(hand, '\n', hlen);
	cr_assert_not_null(nl);
	const char *eol = nl > hand && nl[-1] == '\r' ? "\r\n" : "\n";
	size_t head = (size_t)(nl - hand) + 1;
	struct mp_buf b = {0};
	cr_assert_eq(mp_buf_add(tu_ctx, &b, hand, head), MAPIPROF_OK);
	add_padding_key(&b, "PaddingBefore", 1500, eol);
	cr_assert_eq(mp_buf_add(tu_ctx, &b, hand + head, hlen - head), MAPIPROF_OK);
	add_padding_key(&b, "PaddingAfter", 1500, eol);
	char *dir = tu_tmp_path("w");
	cr_assert_eq(mkdir(dir, 0755), 0);
	char *p = mp_path_join(dir, "p.reg");
	cr_assert_eq(tu_write(p, b.data, b.len), 0);
	*orig = tu_read(p, olen);
	tu_open(p);
	mp_buf_free(&b);
	free(hand);
	free(dir);
	return p;
}

/* What went through the copy_span step: calls and bytes. */
static unsigned span_calls;
static uint64_t span_bytes;

static int
counted_span(struct mapiprof_ctx *ctx, int in, uint64_t off, int out, uint64_t len)
{
	span_calls++;
	span_bytes += len;
	return mp_copy_span(ctx, in, off, out, len);
}

/* The span before the first change and the one after the last go
 * through copy_span, and the file is what the in-memory patch makes. */
Test(reg_patch, the_long_unchanged_spans_are_copied_from_the_input_file)
{
	struct tu_plan h;
	size_t olen = 0;
	char *orig = NULL, *path = stage_padded(&orig, &olen);
	hand_plan(&h);
	size_t want_len = 0;
	uint8_t *want = patch_mem(&h.plan, &want_len);
	span_calls = 0;
	span_bytes = 0;
	cr_assert_eq(write_io(&h, NULL, &(struct mp_commit_io){.copy_span = counted_span}),
	             MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(span_calls, 2u);
	cr_assert_geq(span_bytes, 2u * MP_REG_COPY_MIN);
	cr_assert_lt(span_bytes, (uint64_t)olen);
	tu_assert_file_is(path, want, want_len);
	tu_assert_listing("w", "p.reg");
	free(want), free(orig), free(path);
}

static int
fail_span(struct mapiprof_ctx *ctx, int in, uint64_t off, int out, uint64_t len)
{
	if (mp_copy_span(ctx, in, off, out, len / 2) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	mp_seterr_errno(ctx, ENOSPC, "injected span copy failure");
	return MAPIPROF_FAILED;
}

/* A letter in the middle of each copied span changed case after the copy
 * (the text still parses): a kernel or file system that copied wrong. */
static int
wrong_span(struct mapiprof_ctx *ctx, int in, uint64_t off, int out, uint64_t len)
{
	if (mp_copy_span(ctx, in, off, out, len) != MAPIPROF_OK)
		return MAPIPROF_FAILED;
	off_t at = lseek(out, 0, SEEK_CUR) - (off_t)(len / 2);
	char ch = 0;
	do
		cr_assert_eq(pread(out, &ch, 1, ++at), 1);
	while (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')));
	ch = (char)(ch ^ 0x20);
	cr_assert_eq(pwrite(out, &ch, 1, at), 1);
	return MAPIPROF_OK;
}

static const struct {
	struct mp_commit_io io;
	enum mapiprof_error code;
	const char *msg;
} span_failures[] = {
    {{.copy_span = fail_span}, MAPIPROF_E_IO, "injected span copy failure"},
    {{.copy_span = wrong_span}, MAPIPROF_E_VERIFY, "is not the one written"},
};

ParameterizedTestParameters(reg_patch, a_failed_or_wrong_span_copy_leaves_the_original)
{
	return tu_index_params(sizeof(span_failures) / sizeof(span_failures[0]));
}

ParameterizedTest(size_t *i, reg_patch, a_failed_or_wrong_span_copy_leaves_the_original)
{
	struct tu_plan h;
	size_t olen = 0;
	char *orig = NULL, *path = stage_padded(&orig, &olen);
	hand_plan(&h);
	cr_assert_eq(write_io(&h, NULL, &span_failures[*i].io), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), span_failures[*i].code, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert(strstr(mapiprof_errmsg(tu_ctx), span_failures[*i].msg) != NULL, "%s",
	          mapiprof_errmsg(tu_ctx));
	tu_assert_file_is(path, orig, olen);
	tu_assert_listing("w", "p.reg");
	free(orig), free(path);
}

/* A parse that takes the key blocks before a byte from an earlier parse of
 * the same bytes (what the check of a written file does up to its first
 * change) holds the same blocks as a whole parse, wherever the cut falls,
 * and its keys decode to the same values. */
Test(reg_patch, a_parse_after_a_same_start_holds_the_same_blocks)
{
	const char *files[] = {"hand-edited-crlf.reg", "hand-edited-utf16.reg",
	                       "exchange-mapi-utf16.reg", "hand-edited-regedit4.reg"};
	/* Each cut parses the rest of the file again: every 7th byte in the
	 * long mode, fewer in the quick run.  Odd steps still cut at every
	 * position modulo 4 (UTF-16 units, four at a time). */
	size_t step = tu_long_mode() ? 7u : TU_UNDER_ASAN ? 61u : 23u;
	for (size_t f = 0; f < sizeof(files) / sizeof(*files); f++) {
		char *path = tu_fixture(files[f]);
		struct mp_store *whole = NULL;
		cr_assert_eq(mp_reg_parse_store(tu_ctx, path, NULL, &whole), MAPIPROF_OK, "%s",
		             mapiprof_errmsg(tu_ctx));
		const struct mp_reg_file *wf = mp_store_reg_file(whole);
		for (size_t len = 0; len <= wf->rawlen; len += step) {
			struct mp_store *part = NULL;
			cr_assert_eq(mp_reg_parse_store_after(tu_ctx, path, NULL, wf, len, &part),
			             MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
			const struct mp_reg_file *pf = mp_store_reg_file(part);
			tu_assert_same_reg_blocks(wf, pf, len);
			/* Blocks before the cut were taken, not read: the bytes read
			 * (their fingerprint) are fewer. */
			const struct mp_reg_span *b0 = &wf->blocks[0].body;
			if ((size_t)b0->off + b0->len < len)
				cr_assert_neq(pf->fingerprint, wf->fingerprint, "after byte %zu",
				              len);
			for (size_t b = 0; b < pf->nblocks; b++) {
				cr_assert_eq(pf->decode((struct mp_reg_file *)pf, tu_ctx, b),
				             MAPIPROF_OK);
				cr_assert_eq(wf->decode((struct mp_reg_file *)wf, tu_ctx, b),
				             MAPIPROF_OK);
				for (size_t v = 0; v < pf->blocks[b].nvalues; v++) {
					const struct mp_reg_value *x = &wf->blocks[b].values[v],
					                          *y = &pf->blocks[b].values[v];
					cr_assert_str_eq(x->name, y->name);
					cr_assert(
					    x->len == y->len && x->type == y->type &&
					    (x->len == 0 || memcmp(x->data, y->data, x->len) == 0));
				}
			}
			mp_store_close(part);
		}
		mp_store_close(whole);
		free(path);
	}
}

/* text (ASCII) in the encoding of f: UTF-16LE or as it is; malloc'd, *n
 * bytes. */
static uint8_t *
encode_like(const struct mp_reg_file *f, const char *text, size_t *n)
{
	size_t len = strlen(text), unit = f->encoding == MP_REG_ENC_UTF16LE ? 2 : 1;
	uint8_t *out = calloc(len * unit + 1, 1);
	cr_assert_not_null(out);
	for (size_t i = 0; i < len; i++)
		out[i * unit] = (uint8_t)text[i];
	*n = len * unit;
	return out;
}

/* The offsets where the lines of f start (after the header), *n of them
 * (malloc'd). */
static size_t *
line_starts(const struct mp_reg_file *f, size_t *n)
{
	size_t unit = f->encoding == MP_REG_ENC_UTF16LE ? 2 : 1, cap = 64;
	size_t *at = malloc(cap * sizeof(*at));
	cr_assert_not_null(at);
	*n = 0;
	for (size_t i = f->header_span.off + f->header_span.len; i < f->rawlen; i += unit) {
		unsigned c = f->raw[i] | (unit == 2 ? (unsigned)f->raw[i + 1] << 8 : 0u);
		int start = i == f->header_span.off + f->header_span.len;
		if (!start) {
			unsigned p = f->raw[i - unit] |
			             (unit == 2 ? (unsigned)f->raw[i - unit + 1] << 8 : 0u);
			start = p == '\n' || (p == '\r' && c != '\n');
		}
		if (!start)
			continue;
		if (*n == cap) {
			cap *= 2;
			at = realloc(at, cap * sizeof(*at));
			cr_assert_not_null(at);
		}
		at[(*n)++] = i;
	}
	return at;
}

/* A parse of an edited copy that takes the blocks after the last change
 * from the original's parse (what the check of a written file does after
 * its last change) holds the same blocks, values and line count as a
 * whole parse of the copy, or fails as it does: for a comment line, a new
 * key with a value, a value line put in, and a line taken out, at the start
 * of each line (inside continued hex data too, and where a key line goes,
 * so that blocks merge), in UTF-8, UTF-16LE and code-page files. */
Test(reg_patch, a_parse_of_an_edited_copy_takes_the_unchanged_end_as_a_whole_parse_reads_it)
{
	const char *files[] = {"hand-edited-crlf.reg", "hand-edited-utf16.reg",
	                       "exchange-mapi-utf16.reg", "hand-edited-regedit4.reg"};
	const char *put[] = {"; inserted\r\n",
	                     "[HKEY_CURRENT_USER\\Software\\Inserted]\r\n\"v\"=dword:00000001\r\n",
	                     "\"w\"=\"text\"\r\n", NULL};
	size_t step = tu_long_mode() ? 1u : TU_UNDER_ASAN ? 11u : 3u, taken = 0;
	for (size_t fi = 0; fi < sizeof(files) / sizeof(*files); fi++) {
		char *path = tu_fixture(files[fi]);
		struct mp_store *orig = NULL;
		cr_assert_eq(mp_reg_parse_store(tu_ctx, path, NULL, &orig), MAPIPROF_OK, "%s",
		             mapiprof_errmsg(tu_ctx));
		const struct mp_reg_file *of = mp_store_reg_file(orig);
		size_t nl = 0, *starts = line_starts(of, &nl);
		for (size_t li = 0; li < nl; li += step)
			for (size_t k = 0; k < sizeof(put) / sizeof(*put); k++) {
				size_t at = starts[li], ilen = 0;
				/* put[k] == NULL: the line at `at` is taken out */
				size_t dlen =
				    put[k] != NULL
				        ? 0
				        : (li + 1 < nl ? starts[li + 1] : of->rawlen) - at;
				uint8_t *ins = encode_like(of, put[k] != NULL ? put[k] : "", &ilen);
				size_t len = of->rawlen - dlen + ilen;
				uint8_t *text = malloc(len + 1);
				cr_assert_not_null(text);
				memcpy(text, of->raw, at);
				memcpy(text + at, ins, ilen);
				memcpy(text + at + ilen, of->raw + at + dlen,
				       of->rawlen - at - dlen);
				char *copy = tu_tmp_write("edited.reg", text, len);
				struct mp_store *whole = NULL, *part = NULL;
				int rw = mp_reg_parse_store(tu_ctx, copy, NULL, &whole);
				char why[512];
				snprintf(why, sizeof(why), "%s", mapiprof_errmsg(tu_ctx));
				int rp = mp_reg_parse_store_edited(tu_ctx, copy, NULL, of, at,
				                                   at + dlen, at + ilen, &part);
				cr_assert_eq(rp, rw, "%s, edit %zu at byte %zu: %s / %s", files[fi],
				             k, at, why, mapiprof_errmsg(tu_ctx));
				if (rw != MAPIPROF_OK) {
					cr_assert_str_eq(mapiprof_errmsg(tu_ctx), why);
				} else {
					const struct mp_reg_file *wf = mp_store_reg_file(whole),
					                         *pf = mp_store_reg_file(part);
					tu_assert_same_reg_blocks(wf, pf, at);
					cr_assert_eq(pf->final_newline, wf->final_newline);
					taken += pf->fingerprint != wf->fingerprint;
					for (size_t b = 0; b < pf->nblocks; b++) {
						cr_assert_eq(
						    pf->decode((struct mp_reg_file *)pf, tu_ctx, b),
						    MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
						cr_assert_eq(
						    wf->decode((struct mp_reg_file *)wf, tu_ctx, b),
						    MAPIPROF_OK);
						for (size_t v = 0; v < pf->blocks[b].nvalues; v++) {
							const struct mp_reg_value
							    *x = &wf->blocks[b].values[v],
							    *y = &pf->blocks[b].values[v];
							cr_assert_str_eq(x->name, y->name);
							cr_assert(
							    x->len == y->len &&
							    x->type == y->type &&
							    memcmp(&x->span, &y->span,
							           sizeof(x->span)) == 0 &&
							    (x->len == 0 || memcmp(x->data, y->data,
							                           x->len) == 0));
						}
					}
				}
				mp_store_close(part);
				mp_store_close(whole);
				free(copy), free(text), free(ins);
			}
		free(starts);
		mp_store_close(orig);
		free(path);
	}
	/* Most edits leave blocks after them: those were taken, not read. */
	cr_assert_gt(taken, 0);
}

/* One letter of the written text has its case flipped on the way to the
 * disk: the first at or after byte flip_at of the whole text (the pieces
 * come in order).  A different case of a name or a hex digit still reads
 * as the same keys and values, so only a comparison of the bytes sees it. */
static size_t flip_at, flip_seen;
static int flipped;

static int
flip_write(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len)
{
	char *copy = malloc(len > 0 ? len : 1);
	cr_assert_not_null(copy);
	memcpy(copy, buf, len);
	for (size_t i = 0; i < len && !flipped; i++) {
		unsigned char ch = (unsigned char)copy[i];
		if (flip_seen + i >= flip_at &&
		    ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))) {
			copy[i] = (char)(ch ^ 0x20);
			flipped = 1;
		}
	}
	flip_seen += len;
	int rc = mp_write_full(ctx, fd, copy, len);
	free(copy);
	return rc;
}

ParameterizedTestParameters(reg_patch, a_written_file_changed_anywhere_is_refused)
{
	return tu_index_params(3);
}

/* A byte of the new file changed at its start (the first key line), in the
 * middle or at its end: the write is refused and the input left as it was,
 * with no temporary file behind. */
ParameterizedTest(size_t *i, reg_patch, a_written_file_changed_anywhere_is_refused)
{
	struct tu_plan h;
	size_t olen = 0;
	char *orig = NULL, *path = stage_w("hand-edited-crlf.reg", 1, &orig, &olen);
	hand_plan(&h);
	const char *first_key = memchr(orig, '[', olen);
	cr_assert_not_null(first_key);
	size_t at[] = {(size_t)(first_key - orig) + 1, olen / 2, olen - 12};
	flip_at = at[*i];
	flip_seen = 0;
	flipped = 0;
	cr_assert_eq(write_io(&h, NULL, &(struct mp_commit_io){.write = flip_write}),
	             MAPIPROF_FAILED);
	cr_assert(flipped, "no letter at or after byte %zu", flip_at);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_VERIFY, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert(strstr(mapiprof_errmsg(tu_ctx), "is not the one written") != NULL, "%s",
	          mapiprof_errmsg(tu_ctx));
	tu_assert_file_is(path, orig, olen);
	tu_assert_listing("w", "p.reg");
	free(orig), free(path);
}

/* The write was refused because the input changed after it was read: the
 * input holds orig (what the test left there) and nothing is beside it. */
static void
assert_refused_as_changed(const char *path, const char *orig, size_t olen)
{
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_UNSAFE, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert(strstr(mapiprof_errmsg(tu_ctx), "changed after it was read") != NULL, "%s",
	          mapiprof_errmsg(tu_ctx));
	tu_assert_file_is(path, orig, olen);
	tu_assert_listing("w", "p.reg");
}

Test(reg_patch, a_file_changed_after_it_was_read_is_refused)
{
	struct tu_plan h;
	size_t olen = 0;
	char *orig = NULL, *path = stage_w(HAND, 0, &orig, &olen);
	hand_plan(&h);
	/* Same size, one byte different. */
	orig[olen - 2] = orig[olen - 2] == 'x' ? 'y' : 'x';
	cr_assert_eq(tu_write(path, orig, olen), 0);
	cr_assert_eq(write_io(&h, NULL, NULL), MAPIPROF_FAILED);
	assert_refused_as_changed(path, orig, olen);
	free(orig), free(path);
}

/* The input and its byte a writer changes in place while the new file
 * is being written (change_write). */
static const char *change_path;
static off_t change_at;
static int change_done;

/* Writes through, and at the first piece changes a byte of the input in
 * place (same file, same size): after it was opened again and checked
 * to be the file parsed, before its end is copied. */
static int
change_write(struct mapiprof_ctx *ctx, int fd, const void *buf, size_t len)
{
	if (!change_done) {
		int in = open(change_path, O_RDWR);
		cr_assert(in >= 0);
		char ch = 0;
		cr_assert_eq(pread(in, &ch, 1, change_at), 1);
		ch = ch == 'x' ? 'y' : 'x';
		cr_assert_eq(pwrite(in, &ch, 1, change_at), 1);
		cr_assert_eq(close(in), 0);
		change_done = 1;
	}
	return mp_write_full(ctx, fd, buf, len);
}

Test(reg_patch, a_file_changed_in_place_while_written_is_refused)
{
	struct tu_plan h;
	size_t olen = 0;
	char *orig = NULL, *path = stage_w(HAND, 0, &orig, &olen);
	hand_plan(&h);
	change_path = path;
	change_at = (off_t)olen - 2;
	change_done = 0;
	cr_assert_eq(write_io(&h, NULL, &(struct mp_commit_io){.write = change_write}),
	             MAPIPROF_FAILED);
	cr_assert(change_done);
	orig[olen - 2] = orig[olen - 2] == 'x' ? 'y' : 'x'; /* as change_write left it */
	assert_refused_as_changed(path, orig, olen);
	free(orig), free(path);
}

/* Another file renamed over the input, one byte different: its bytes are
 * read to be compared (the parse's mapping is still of the old file). */
Test(reg_patch, a_file_replaced_after_it_was_read_is_refused)
{
	struct tu_plan h;
	size_t olen = 0;
	char *orig = NULL, *path = stage_w(HAND, 0, &orig, &olen);
	hand_plan(&h);
	orig[olen - 2] = orig[olen - 2] == 'x' ? 'y' : 'x';
	char *other = tu_tmp_path("w/other");
	cr_assert_eq(tu_write(other, orig, olen), 0);
	cr_assert_eq(rename(other, path), 0);
	cr_assert_eq(write_io(&h, NULL, NULL), MAPIPROF_FAILED);
	assert_refused_as_changed(path, orig, olen);
	free(orig), free(path), free(other);
}

Test(reg_patch, a_file_only_touched_after_it_was_read_is_written)
{
	struct tu_plan h;
	size_t olen = 0;
	char *orig = NULL, *path = stage_w(HAND, 0, &orig, &olen);
	hand_plan(&h);
	cr_assert_eq(tu_write(path, orig, olen), 0);
	cr_assert_eq(write_io(&h, NULL, NULL), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	assert_patched(path, &h);
	free(orig), free(path);
}

Test(reg_patch, text_outside_a_regedit4_code_page_fails_naming_the_value_and_writes_nothing)
{
	static const uint8_t nihon[] = {0xE5, 0x65, 0x2C, 0x67, 0, 0}; /* U+65E5 U+672C */
	struct tu_plan h = {0};
	size_t olen = 0;
	char *orig = NULL, *path = stage_w("hand-edited-regedit4.reg", 1, &orig, &olen);
	tu_plan_add(&h, 0, GLOBAL, "001e6602", 0, MP_REG_SZ, nihon, sizeof(nihon));
	cr_assert_eq(write_io(&h, NULL, NULL), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_CODEPAGE, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert(strstr(mapiprof_errmsg(tu_ctx), "001e6602") != NULL, "%s",
	          mapiprof_errmsg(tu_ctx));
	tu_assert_file_is(path, orig, olen);
	tu_assert_listing("w", "p.reg");
	free(orig), free(path);
}

Test(reg_patch, a_string_in_the_code_page_is_written_as_regedit4_text)
{
	static const uint8_t cafe[] = {'C', 0, 'a', 0, 'f', 0, 0xE9, 0, 0, 0};
	struct tu_plan h = {0};
	size_t olen = 0, nlen = 0;
	char *orig = NULL, *path = stage_w("hand-edited-regedit4.reg", 1, &orig, &olen);
	tu_plan_add(&h, 0, GLOBAL, "001e6602", 0, MP_REG_SZ, cafe, sizeof(cafe));
	cr_assert_eq(write_io(&h, NULL, NULL), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	char *now = tu_read(path, &nlen);
	cr_assert(strstr(now, "\"001e6602\"=\"Caf\xe9\"\r\n") != NULL);
	assert_only_planned_lines((uint8_t *)orig, olen, (uint8_t *)now, nlen, &h.plan, 0);
	free(now), free(orig), free(path);
}

/* ---- a recipe on a hive and on its .reg source ------------------------------ */

/* Plans the exchange2007-gc-referral recipe on profile Exchange of tu_file
 * and writes it; returns the number of changes. */
static size_t
apply_gc_recipe(void)
{
	struct mapiprof_recipe *r = NULL;
	struct mapiprof_plan *plan = NULL;
	size_t p = tu_profile("Exchange");
	cr_assert_eq(mapiprof_recipe_load(tu_ctx, "exchange2007-gc-referral", &r), MAPIPROF_OK,
	             "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mapiprof_plan_build(tu_file, r, &p, 1, &plan), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	size_t n = mapiprof_plan_count(plan);
	cr_assert_eq(mapiprof_plan_write(tu_file, plan, NULL), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	mapiprof_plan_free(plan);
	mapiprof_recipe_free(r);
	return n;
}

/* The value of props[0..n) named name, or NULL. */
static const struct mapiprof_prop *
find_prop(const struct mapiprof_prop *props, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (mp_name_casecmp(props[i].value_name, name) == 0)
			return &props[i];
	return NULL;
}

/* Section s of profile p of a and the section of b with its uid decode
 * alike (same value names, types, kinds and bytes). */
static void
assert_same_section(struct mapiprof_file *a, struct mapiprof_file *b, size_t p, size_t s)
{
	const struct mapiprof_prop *pa = NULL, *pb = NULL;
	size_t na = 0, nb = 0, *idx = NULL, n = 0;
	const char *uid = mapiprof_section_at(a, p, s)->uid;
	cr_assert_eq(mapiprof_select(b, p, uid, &idx, &n), MAPIPROF_OK);
	cr_assert_eq(n, 1, "section %s in one file only", uid);
	cr_assert_eq(mapiprof_section_props(a, p, s, &pa, &na), MAPIPROF_OK);
	cr_assert_eq(mapiprof_section_props(b, p, idx[0], &pb, &nb), MAPIPROF_OK);
	cr_assert_eq(na, nb, "section %s: %zu / %zu values", uid, na, nb);
	for (size_t i = 0; i < na; i++) {
		const struct mapiprof_prop *x = &pa[i], *y = find_prop(pb, nb, x->value_name);
		cr_assert_not_null(y, "%s\\%s missing", uid, x->value_name);
		cr_assert_eq(x->reg_type, y->reg_type);
		cr_assert_eq(x->kind, y->kind);
		cr_assert_eq(x->len, y->len, "%s\\%s", uid, x->value_name);
		cr_assert(x->len == 0 || memcmp(x->data, y->data, x->len) == 0);
	}
	mapiprof_free(idx);
}

/* Every profile, section and value of a and b decode alike. */
static void
assert_same_profiles(struct mapiprof_file *a, struct mapiprof_file *b)
{
	cr_assert_eq(mapiprof_profile_count(a), mapiprof_profile_count(b));
	for (size_t p = 0; p < mapiprof_profile_count(a); p++) {
		cr_assert_str_eq(mapiprof_profile_at(a, p)->name, mapiprof_profile_at(b, p)->name);
		cr_assert_eq(mapiprof_section_count(a, p), mapiprof_section_count(b, p));
		for (size_t s = 0; s < mapiprof_section_count(a, p); s++)
			assert_same_section(a, b, p, s);
	}
}

/* Reopens path (a written file) as a new file. */
static struct mapiprof_file *
reopen(const char *path)
{
	struct mapiprof_file *f = NULL;
	cr_assert_eq(mapiprof_open(tu_ctx, path, 0, &f), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	return f;
}

ParameterizedTestParameters(reg_patch, gc_recipe_on_the_hive_and_on_its_reg_source_agrees)
{
	return tu_index_params(3);
}

ParameterizedTest(size_t *i, reg_patch, gc_recipe_on_the_hive_and_on_its_reg_source_agrees)
{
	static const char *const regs[] = {"exchange-mapi.reg", "exchange-mapi-utf16.reg",
	                                   "exchange-mapi-regedit4.reg"};
	char *hive = tu_stage_built("exchange-mapi.dat");
	char *src = *i == 0 ? tu_fixture_src(regs[0]) : tu_fixture(regs[*i]);
	char *reg = tu_stage(src, regs[*i]);
	size_t olen = 0, nlen = 0;
	char *orig = tu_read(reg, &olen);
	tu_open(hive);
	cr_assert_eq(apply_gc_recipe(), 5);
	tu_open(reg);
	struct mapiprof_recipe *r = NULL;
	struct mapiprof_plan *plan = NULL;
	size_t p = tu_profile("Exchange");
	cr_assert_eq(mapiprof_recipe_load(tu_ctx, "exchange2007-gc-referral", &r), MAPIPROF_OK);
	cr_assert_eq(mapiprof_plan_build(tu_file, r, &p, 1, &plan), MAPIPROF_OK);
	cr_assert_eq(mapiprof_plan_count(plan), 5);
	cr_assert_eq(mapiprof_plan_write(tu_file, plan, NULL), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	char *now = tu_read(reg, &nlen);
	size_t changed =
	    assert_only_planned_lines((uint8_t *)orig, olen, (uint8_t *)now, nlen, plan, 0);
	cr_assert_geq(changed, 5);
	struct mapiprof_file *a = reopen(hive), *b = reopen(reg);
	assert_same_profiles(a, b);
	mapiprof_close(a);
	mapiprof_close(b);
	mapiprof_plan_free(plan);
	mapiprof_recipe_free(r);
	free(now), free(orig), free(reg), free(src), free(hive);
}

Test(reg_patch, a_second_run_of_the_recipe_plans_nothing_and_leaves_the_file_alone)
{
	char *src = tu_fixture("exchange-mapi-utf16.reg");
	char *reg = tu_stage(src, "x.reg");
	tu_open(reg);
	cr_assert_eq(apply_gc_recipe(), 5);
	size_t n = 0;
	char *once = tu_read(reg, &n);
	int64_t mtime = tu_mtime_ns(reg);
	tu_open(reg);
	cr_assert_eq(apply_gc_recipe(), 0);
	tu_assert_file_is(reg, once, n);
	cr_assert_eq(tu_mtime_ns(reg), mtime);
	free(once), free(reg), free(src);
}
