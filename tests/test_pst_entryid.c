/* test_pst_entryid.c - the PST store entry ID taken apart and rebuilt
 * (mapi/pst_entryid.h), and the whole-component path move
 * (mapi/winpath.h).  Expected bytes are put together here by hand: the
 * fixed wrapper of MS-OXCDATA 2.2.4.3 and the PST part as the public
 * sample NTUSER_BAGMRU.DAT (regipy) stores it in 01020fff. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "base/ctx.h"
#include "mapi/pst_entryid.h"
#include "mapi/winpath.h"

/* flags, wrapped store UID, version, flag, "mspst.dll" NUL (ends at 32,
 * already aligned: no padding), as in the sample. */
static const uint8_t wrapper[] = {0x00, 0x00, 0x00, 0x00, 0x38, 0xA1, 0xBB, 0x10, 0x05, 0xE5, 0x10,
                                  0x1A, 0xA1, 0xBB, 0x08, 0x00, 0x2B, 0x2A, 0x56, 0xC2, 0x00, 0x00,
                                  'm',  's',  'p',  's',  't',  '.',  'd',  'l',  'l',  0x00};
/* PST part up to the ANSI path: flags, MSPST UID, reserved. */
static const uint8_t pst_head[] = {0x00, 0x00, 0x00, 0x00, 0x4E, 0x49, 0x54, 0x41, 0xF9, 0xBF, 0xB8,
                                   0x01, 0x00, 0xAA, 0x00, 0x37, 0xD9, 0x6E, 0x00, 0x00, 0x00};

struct bytes {
	uint8_t b[1024];
	size_t n;
};

static void
add(struct bytes *x, const void *p, size_t n)
{
	cr_assert_leq(x->n + n, sizeof(x->b));
	memcpy(x->b + x->n, p, n);
	x->n += n;
}

/* ASCII text as UTF-16LE with its NUL (ASCII only: no converter needed). */
static void
add_utf16(struct bytes *x, const char *s)
{
	for (; *s != '\0'; s++)
		add(x, (const uint8_t[]){(uint8_t)*s, 0}, 2);
	add(x, (const uint8_t[]){0, 0}, 2);
}

/* An entry ID with the given ANSI bytes (NUL added) and Unicode path
 * (NULL: none), then pad zero bytes. */
static struct bytes
entryid(size_t dll_pad, const char *ansi, const char *unicode, size_t pad)
{
	struct bytes x = {0};
	add(&x, wrapper, sizeof(wrapper));
	for (size_t i = 0; i < dll_pad; i++)
		add(&x, "", 1);
	add(&x, pst_head, sizeof(pst_head));
	add(&x, ansi, strlen(ansi) + 1);
	if (unicode != NULL)
		add_utf16(&x, unicode);
	for (size_t i = 0; i < pad; i++)
		add(&x, "", 1);
	return x;
}

Test(pst_entryid, parses_the_samples_layout)
{
	struct bytes x = entryid(0, "", "C:\\Users\\tony\\Outlook.pst", 0);
	struct mp_pst_entryid e;
	cr_assert_eq(mp_pst_entryid_parse(x.b, x.n, &e), 1);
	cr_assert_eq(e.pst, 32);
	cr_assert_eq(e.ansi, 53);
	cr_assert_eq(e.ansi_len, 0);
	cr_assert_eq(e.has_unicode, 1);
	cr_assert_eq(e.unicode, 54);
	cr_assert_eq(e.unicode_len, 2 * strlen("C:\\Users\\tony\\Outlook.pst"));
	cr_assert_eq(e.tail, x.n);
}

Test(pst_entryid, rebuilds_with_a_new_unicode_path_and_back)
{
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	struct bytes x = entryid(0, "", "C:\\Users\\tony\\Outlook.pst", 0);
	struct bytes want = entryid(0, "", "E:\\Archive\\tony\\Outlook.pst", 0);
	struct mp_pst_entryid e;
	cr_assert_eq(mp_pst_entryid_parse(x.b, x.n, &e), 1);
	uint8_t *out = NULL;
	size_t n = 0;
	cr_assert_eq(mp_pst_entryid_build(ctx, "windows-1252", x.b, x.n, &e, NULL,
	                                  "E:\\Archive\\tony\\Outlook.pst", &out, &n),
	             MAPIPROF_OK);
	cr_assert_eq(n, want.n);
	cr_assert_arr_eq(out, want.b, n);
	/* And back: the original bytes. */
	struct mp_pst_entryid e2;
	cr_assert_eq(mp_pst_entryid_parse(out, n, &e2), 1);
	uint8_t *back = NULL;
	size_t bn = 0;
	cr_assert_eq(mp_pst_entryid_build(ctx, "windows-1252", out, n, &e2, NULL,
	                                  "C:\\Users\\tony\\Outlook.pst", &back, &bn),
	             MAPIPROF_OK);
	cr_assert_eq(bn, x.n);
	cr_assert_arr_eq(back, x.b, bn);
	free(out);
	free(back);
	mapiprof_ctx_free(ctx);
}

Test(pst_entryid, keeps_padding_and_the_ansi_part_in_the_code_page)
{
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	/* DLL name padded by 2 (MS-OXCDATA's reading), ANSI and Unicode
	 * paths, 3 zero bytes after. */
	struct bytes x = entryid(2, "C:\\Data\\a.pst", "C:\\Data\\a.pst", 3);
	struct bytes want = entryid(2, "D:\\Caf\xE9\\a.pst", "C:\\Data\\a.pst", 3);
	struct mp_pst_entryid e;
	cr_assert_eq(mp_pst_entryid_parse(x.b, x.n, &e), 1);
	cr_assert_eq(e.pst, 34);
	cr_assert_eq(e.ansi_len, strlen("C:\\Data\\a.pst"));
	char *ansi = NULL, *uni = NULL;
	int lossy = 1;
	cr_assert_eq(mp_pst_entryid_paths(ctx, "windows-1252", x.b, &e, &ansi, &uni, &lossy),
	             MAPIPROF_OK);
	cr_assert_str_eq(ansi, "C:\\Data\\a.pst");
	cr_assert_str_eq(uni, "C:\\Data\\a.pst");
	cr_assert_eq(lossy, 0);
	uint8_t *out = NULL;
	size_t n = 0;
	/* U+00E9 is 0xE9 in windows-1252. */
	cr_assert_eq(mp_pst_entryid_build(ctx, "windows-1252", x.b, x.n, &e,
	                                  "D:\\Caf\xC3\xA9\\a.pst", NULL, &out, &n),
	             MAPIPROF_OK);
	cr_assert_eq(n, want.n);
	cr_assert_arr_eq(out, want.b, n);
	free(out);
	/* U+65E5 has no windows-1252 byte. */
	cr_assert_eq(mp_pst_entryid_build(ctx, "windows-1252", x.b, x.n, &e, "D:\\\xE6\x97\xA5",
	                                  NULL, &out, &n),
	             MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(ctx), MAPIPROF_E_CODEPAGE);
	free(ansi);
	free(uni);
	mapiprof_ctx_free(ctx);
}

Test(pst_entryid, ansi_only)
{
	struct bytes x = entryid(0, "C:\\a.pst", NULL, 0);
	struct mp_pst_entryid e;
	cr_assert_eq(mp_pst_entryid_parse(x.b, x.n, &e), 1);
	cr_assert_eq(e.has_unicode, 0);
	cr_assert_eq(e.tail, x.n);
}

Test(pst_entryid, refuses_what_is_not_one)
{
	struct mp_pst_entryid e;
	struct bytes x = entryid(0, "", "C:\\a.pst", 0);
	/* Another provider's wrapped UID (emsmdb's mailbox UID). */
	struct bytes y = x;
	memcpy(y.b + 36, (const uint8_t[]){0x1B, 0x55, 0xFA, 0x20}, 4);
	cr_assert_eq(mp_pst_entryid_parse(y.b, y.n, &e), 0);
	/* Not a wrapped store entry ID. */
	y = x;
	y.b[4] ^= 1;
	cr_assert_eq(mp_pst_entryid_parse(y.b, y.n, &e), 0);
	/* Bytes after the last NUL that are not padding. */
	y = x;
	add(&y, "\x01", 1);
	cr_assert_eq(mp_pst_entryid_parse(y.b, y.n, &e), 0);
	/* Cut anywhere inside the fixed parts or the ANSI path. */
	for (size_t n = 0; n < 54; n++)
		cr_assert_eq(mp_pst_entryid_parse(x.b, n, &e), 0, "cut at %zu", n);
	/* Padding of the DLL name that is not zero. */
	y = entryid(2, "", "C:\\a.pst", 0);
	y.b[33] = 1;
	cr_assert_eq(mp_pst_entryid_parse(y.b, y.n, &e), 0);
}

/* ---- whole-component moves ------------------------------------------------ */

static char *
moved(const char *path, const char *from, const char *to)
{
	char *out = NULL;
	int rc = mp_winpath_move(path, from, mp_winpath_trim(from), to, mp_winpath_trim(to), &out);
	cr_assert_geq(rc, 0);
	cr_assert_eq(rc == 1, out != NULL);
	return out;
}

Test(winpath, whole_components_only)
{
	char *s = moved("C:\\Data\\x.pst", "C:\\Data", "D:\\New");
	cr_assert_str_eq(s, "D:\\New\\x.pst");
	free(s);
	cr_assert_null(moved("C:\\Database\\x.pst", "C:\\Data", "D:\\New"));
	cr_assert_null(moved("C:\\Dat", "C:\\Data", "D:\\New"));
	cr_assert_null(moved("C:", "C:\\Data", "D:\\New"));
	/* The path itself. */
	s = moved("C:\\Data\\x.pst", "C:\\Data\\x.pst", "D:\\y.pst");
	cr_assert_str_eq(s, "D:\\y.pst");
	free(s);
}

Test(winpath, case_insensitive_as_the_registry_and_rest_kept)
{
	/* ASCII and Latin-1 (U+00E9 / U+00C9) fold; the rest keeps its case. */
	char *s = moved("c:\\caf\xC3\xA9\\Mail\\X.PST", "C:\\CAF\xC3\x89", "D:\\New");
	cr_assert_str_eq(s, "D:\\New\\Mail\\X.PST");
	free(s);
}

Test(winpath, trailing_backslashes)
{
	cr_assert_eq(mp_winpath_trim("C:\\Data\\\\"), strlen("C:\\Data"));
	cr_assert_eq(mp_winpath_trim("\\"), 1);
	char *s = moved("C:\\Data\\x.pst", "C:\\Data\\", "D:\\New\\");
	cr_assert_str_eq(s, "D:\\New\\x.pst");
	free(s);
	/* A drive root. */
	s = moved("C:\\x.pst", "C:\\", "E:\\");
	cr_assert_str_eq(s, "E:\\x.pst");
	free(s);
	/* A UNC share. */
	s = moved("\\\\srv\\share\\u\\x.pst", "\\\\SRV\\Share", "\\\\nas\\mail");
	cr_assert_str_eq(s, "\\\\nas\\mail\\u\\x.pst");
	free(s);
}

Test(pst_entryid, found_inside_another_structure)
{
	struct bytes x = {0}, e = entryid(0, "", "C:\\a.pst", 0);
	add(&x, "\x9a\x00\x00\x00", 4); /* a length, as the samples' 11020434 records have */
	add(&x, e.b, e.n);
	add(&x, "\x2c\x00\x00\x00\xff\xff", 6);
	struct mp_pst_entryid f;
	cr_assert_eq(mp_pst_entryid_parse(x.b, x.n, &f), 0);
	cr_assert_eq(mp_pst_entryid_next(x.b, x.n, 0, &f), 4);
	cr_assert_eq(f.unicode_len, 2 * strlen("C:\\a.pst"));
	cr_assert_eq(f.tail, e.n);
	cr_assert_eq(mp_pst_entryid_next(x.b, x.n, 5, &f), x.n);
}
