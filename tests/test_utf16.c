/* test_utf16.c - iconv conversions, the arena, and registry name compare. */
#include <criterion/criterion.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "base/ctx.h"
#include "base/utf16.h"
#include "store/store.h"

Test(utf16, decodes_bmp_and_surrogate_pairs)
{
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	/* "Ä" U+00C4, "日" U+65E5, U+1F600 as a surrogate pair */
	const uint8_t in[] = {0xC4, 0x00, 0xE5, 0x65, 0x3D, 0xD8, 0x00, 0xDE};
	char *out;
	size_t n;
	int lossy;
	cr_assert_eq(mp_utf16le_to_utf8(ctx, in, sizeof(in), &out, &n, &lossy), MAPIPROF_OK);
	cr_assert_str_eq(out, "\xC3\x84\xE6\x97\xA5\xF0\x9F\x98\x80");
	cr_assert_eq(lossy, 0);
	free(out);
	mapiprof_ctx_free(ctx);
}

Test(utf16, unpaired_surrogate_and_odd_byte_become_replacement)
{
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	const uint8_t in[] = {0x41, 0x00, 0x00, 0xD8, 0x42, 0x00, 0x43};
	char *out;
	size_t n;
	int lossy;
	cr_assert_eq(mp_utf16le_to_utf8(ctx, in, sizeof(in), &out, &n, &lossy), MAPIPROF_OK);
	cr_assert_eq(lossy, 1);
	cr_assert(strncmp(out, "A\xEF\xBF\xBD", 4) == 0, "got %s", out);
	cr_assert(strstr(out, "B") != NULL);
	free(out);
	mapiprof_ctx_free(ctx);
}

Test(utf16, codepage_1252_maps_euro_sign)
{
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	const uint8_t in[] = {0x80, 'x'};
	char *out;
	size_t n;
	cr_assert_eq(mp_cp_to_utf8(ctx, "WINDOWS-1252", in, 2, &out, &n, NULL), MAPIPROF_OK);
	cr_assert_str_eq(out, "\xE2\x82\xAC"
	                      "x");
	free(out);
	mapiprof_ctx_free(ctx);
}

Test(utf16, utf8_round_trips_through_utf16le)
{
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	uint8_t *w;
	size_t wn;
	cr_assert_eq(mp_utf8_to_utf16le(ctx,
	                                "Pr\xC3\xBC"
	                                "f",
	                                5, &w, &wn),
	             MAPIPROF_OK);
	cr_assert_eq(wn, 8);
	cr_assert_eq(w[4], 0xFC);
	char *back;
	size_t bn;
	cr_assert_eq(mp_utf16le_to_utf8(ctx, w, wn, &back, &bn, NULL), MAPIPROF_OK);
	cr_assert_str_eq(back, "Pr\xC3\xBC"
	                       "f");
	free(w);
	free(back);
	mapiprof_ctx_free(ctx);
}

Test(utf16, invalid_utf8_is_a_format_error)
{
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	uint8_t *w;
	size_t wn;
	cr_assert_eq(mp_utf8_to_utf16le(ctx, "\xFF\xFE", 2, &w, &wn), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(ctx), MAPIPROF_E_FORMAT);
	mapiprof_ctx_free(ctx);
}

Test(ctx, unknown_codepage_is_rejected_with_its_name)
{
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	cr_assert_eq(mapiprof_ctx_set_codepage(ctx, "NO-SUCH-CP"), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(ctx), MAPIPROF_E_CODEPAGE);
	cr_assert(strstr(mapiprof_errmsg(ctx), "NO-SUCH-CP") != NULL);
	cr_assert_eq(mapiprof_ctx_set_codepage(ctx, "CP932"), MAPIPROF_OK);
	cr_assert_str_eq(mapiprof_ctx_codepage(ctx), "CP932");
	mapiprof_ctx_free(ctx);
}

Test(ctx, arena_keeps_many_allocations_aligned)
{
	struct mp_arena a = {0};
	char *prev = NULL;
	for (int i = 0; i < 5000; i++) {
		/* Strings are packed; everything else stays aligned for any type. */
		char *s = mp_arena_printf(&a, "value-%d", i);
		cr_assert_not_null(s);
		void *p = mp_arena_alloc(&a, (size_t)(i % 7) + 1);
		cr_assert_not_null(p);
		cr_assert_eq((uintptr_t)p % _Alignof(max_align_t), 0);
		cr_assert(prev == NULL || strncmp(prev, "value-", 6) == 0);
		prev = s;
	}
	char *a1 = mp_arena_strdup(&a, "ab"), *a2 = mp_arena_strdup(&a, "cd");
	cr_assert_str_eq(a1, "ab");
	cr_assert_str_eq(a2, "cd");
	cr_assert_eq(a2, a1 + 3, "strings are packed without padding");
	cr_assert_gt(a.bytes, (size_t)5000 * 8, "the arena counts what it holds");
	void *big = mp_arena_alloc(&a, 100000);
	cr_assert_not_null(big);
	memset(big, 1, 100000);
	mp_arena_free(&a);
	cr_assert_null(a.head);
}

Test(names, compare_folds_ascii_and_latin1_only)
{
	cr_assert_eq(mp_name_casecmp("SOFTWARE", "Software"), 0);
	cr_assert_eq(mp_name_casecmp("\xC3\x84rger", "\xC3\xA4RGER"), 0); /* Ärger */
	cr_assert_neq(mp_name_casecmp("abc", "abd"), 0);
	cr_assert_lt(mp_name_casecmp("ab", "abc"), 0);
	cr_assert_neq(mp_name_casecmp("\xC3\xB7", "\xC3\x97"), 0); /* ÷ is not × */
}

/* A context keeps its converters open between calls: a conversion that
 * failed half-way through a stateful encoding must not leave the next one
 * in the shifted state (ISO-2022-JP: ESC $ B switches to JIS X 0208, and a
 * fresh converter writes plain ASCII without any escape). */
Test(utf16, converter_starts_each_conversion_in_its_initial_state)
{
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	uint8_t *out = NULL;
	size_t n = 0;
	cr_assert_eq(mp_utf8_to_cp(ctx, "ISO-2022-JP", "\xE6\x97\xA5\xF0\x9F\x98\x80", 7, &out, &n),
	             MAPIPROF_FAILED, "U+1F600 has no ISO-2022-JP form");
	cr_assert_eq(mapiprof_errcode(ctx), MAPIPROF_E_CODEPAGE);
	cr_assert_eq(mp_utf8_to_cp(ctx, "ISO-2022-JP", "A", 1, &out, &n), MAPIPROF_OK);
	cr_assert_eq(n, 1, "got %zu bytes: the converter kept the shift state", n);
	cr_assert_eq(out[0], 'A');
	free(out);
	mapiprof_ctx_free(ctx);
}

/* More code pages than the context keeps converters for, each used twice,
 * in turn: every conversion uses its own code page. */
Test(utf16, many_code_pages_in_turn_each_convert_with_their_own_table)
{
	static const struct {
		const char *cp, *utf8;
		uint8_t byte;
	} t[] = {
	    {"WINDOWS-1252", "\xE2\x82\xAC", 0x80},
	    {"ISO-8859-15", "\xE2\x82\xAC", 0xA4},
	    {"CP858", "\xE2\x82\xAC", 0xD5},
	    {"IBM037", "A", 0xC1},
	    {"CP437", "\xC3\xA9", 0x82},
	    {"ISO-8859-1", "\xC3\xA9", 0xE9},
	    {"KOI8-R", "\xD0\xB6", 0xD6},
	    {"WINDOWS-1251", "\xD0\xB6", 0xE6},
	};
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	for (int round = 0; round < 2; round++)
		for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			uint8_t *out = NULL;
			size_t n = 0;
			cr_assert_eq(
			    mp_utf8_to_cp(ctx, t[i].cp, t[i].utf8, strlen(t[i].utf8), &out, &n),
			    MAPIPROF_OK, "%s: %s", t[i].cp, mapiprof_errmsg(ctx));
			cr_assert_eq(n, 1, "%s", t[i].cp);
			cr_assert_eq(out[0], t[i].byte, "%s gave 0x%02x", t[i].cp, out[0]);
			free(out);
			char *back = NULL;
			int lossy = 1;
			cr_assert_eq(mp_cp_to_utf8(ctx, t[i].cp, &t[i].byte, 1, &back, &n, &lossy),
			             MAPIPROF_OK);
			cr_assert_str_eq(back, t[i].utf8, "%s", t[i].cp);
			cr_assert_eq(lossy, 0);
			free(back);
		}
	mapiprof_ctx_free(ctx);
}

/* iconv's own Latin-1 to UTF-8 of the len bytes at p, *n bytes (the
 * reference the library's answer is checked against). */
static char *
iconv_latin1(const uint8_t *p, size_t len, size_t *n)
{
	iconv_t cd = iconv_open("UTF-8", "LATIN1");
	cr_assert_neq(cd, (iconv_t)-1);
	char *buf = calloc(1, 2 * len + 1), *in = (char *)(uintptr_t)p, *o = buf;
	size_t inleft = len, oleft = 2 * len;
	cr_assert_not_null(buf);
	cr_assert_neq(iconv(cd, &in, &inleft, &o, &oleft), (size_t)-1);
	iconv_close(cd);
	*n = (size_t)(o - buf);
	return buf;
}

/* Latin-1 names (compressed key and value names), all ASCII or not, decode
 * to what iconv makes of them: every byte value alone, and runs of ASCII,
 * of both, and nothing. */
Test(utf16, latin1_names_decode_as_iconv_decodes_them)
{
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	uint8_t all[256];
	for (size_t b = 0; b < 256; b++)
		all[b] = (uint8_t)b;
	const struct {
		size_t off, len;
	} runs[] = {{0, 128}, {1, 127}, {65, 26}, {0, 256}, {120, 20}, {0, 0}};
	size_t nruns = sizeof(runs) / sizeof(runs[0]);
	for (size_t i = 0; i < 256 + nruns; i++) {
		size_t off = i < 256 ? i : runs[i - 256].off, len = i < 256 ? 1 : runs[i - 256].len;
		size_t n = 0, want_n = 0;
		char *out = NULL, *want = iconv_latin1(all + off, len, &want_n);
		int lossy = 1;
		cr_assert_eq(mp_cp_to_utf8(ctx, "LATIN1", all + off, len, &out, &n, &lossy),
		             MAPIPROF_OK);
		cr_assert_eq(lossy, 0);
		cr_assert_eq(n, want_n, "%zu bytes at %zu", len, off);
		cr_assert(memcmp(out, want, n) == 0, "%zu bytes at %zu", len, off);
		cr_assert_eq(out[n], '\0');
		free(out);
		free(want);
	}
	mapiprof_ctx_free(ctx);
}
