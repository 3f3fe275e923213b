/* test_prf.c - mapiprof_prf_read: a PRF file's encodings (UTF-16LE with
 * BOM, UTF-8 with and without BOM, ANSI in the context's code page), its
 * sections, lists and entries, every kind of malformed line with its line
 * number, and the caps. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mapiprof/mapiprof.h>

#include "testutil.h"

TestSuite(prf, .init = tu_setup, .fini = tu_teardown);

/* Reads text (len bytes) written to tu_tmp/name; asserts that it reads. */
static struct mapiprof_prf *
read_text(const char *name, const void *text, size_t len)
{
	char *path = tu_tmp_write(name, text, len);
	struct mapiprof_prf *prf = NULL;
	cr_assert_eq(mapiprof_prf_read(tu_ctx, path, &prf), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	free(path);
	return prf;
}

static struct mapiprof_prf *
read_str(const char *text)
{
	return read_text("t.prf", text, strlen(text));
}

/* The fixture fixtures/prf/<name>, read. */
static struct mapiprof_prf *
read_fixture(const char *name)
{
	char *src = tu_fixture_src(name);
	struct mapiprof_prf *prf = NULL;
	cr_assert_eq(mapiprof_prf_read(tu_ctx, src, &prf), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	free(src);
	return prf;
}

/* What the two corp fixtures say, whatever their encoding. */
static void
assert_corp(const struct mapiprof_prf *prf)
{
	cr_assert_eq(prf->nproblems, 0, "line %zu: %s", prf->problems[0].line,
	             prf->problems[0].reason);
	cr_assert_not_null(prf->general);
	cr_assert_str_eq(mapiprof_prf_value(prf->general, "ProfileName"), "Corp Mail");
	cr_assert_str_eq(mapiprof_prf_value(prf->general, "overwriteprofile"), "Append");
	cr_assert_eq(prf->nservices, 2);
	cr_assert_str_eq(prf->services[0].id, "Service1");
	cr_assert_str_eq(prf->services[0].value, "Microsoft Exchange Server");
	cr_assert_eq(prf->services[0].line, 13);
	cr_assert_not_null(prf->services[0].section);
	cr_assert_str_eq(mapiprof_prf_value(prf->services[0].section, "HomeServer"),
	                 "mail.example.com");
	cr_assert_not_null(prf->services[1].section);
	cr_assert_eq(prf->services[1].section->nentries, 0);
	cr_assert_eq(prf->naccounts, 1);
	cr_assert_str_eq(prf->accounts[0].value, "I_Mail");
	/* U+00F6 as UTF-8, from UTF-16LE or from windows-1252 0xF6. */
	cr_assert_str_eq(mapiprof_prf_value(prf->accounts[0].section, "AccountName"),
	                 "Pers\xc3\xb6nlich");
	cr_assert_eq(prf->nsections, 7);
}

Test(prf, utf16le_with_bom)
{
	struct mapiprof_prf *prf = read_fixture("prf/corp-utf16.prf");
	cr_assert_str_eq(prf->encoding, "UTF-16LE");
	cr_assert(prf->bom);
	assert_corp(prf);
	mapiprof_prf_free(prf);
}

Test(prf, ansi_in_the_code_page)
{
	struct mapiprof_prf *prf = read_fixture("prf/corp-ansi.prf");
	cr_assert_eq(prf->bom, 0);
	cr_assert_str_eq(prf->encoding, mapiprof_ctx_codepage(tu_ctx));
	assert_corp(prf);
	mapiprof_prf_free(prf);
	/* The same bytes in another code page: 0xF6 is U+03C6 GREEK SMALL LETTER
	 * PHI in ISO-8859-7. */
	cr_assert_eq(mapiprof_ctx_set_codepage(tu_ctx, "ISO-8859-7"), MAPIPROF_OK);
	prf = read_fixture("prf/corp-ansi.prf");
	cr_assert_str_eq(mapiprof_prf_value(prf->accounts[0].section, "AccountName"),
	                 "Pers\xcf\x86nlich");
	mapiprof_prf_free(prf);
}

Test(prf, utf8_with_and_without_bom)
{
	const char *body = "[General]\nProfileName=Caf\xc3\xa9\n";
	struct mapiprof_prf *prf = read_str(body);
	cr_assert_str_eq(prf->encoding, "UTF-8");
	cr_assert_eq(prf->bom, 0);
	cr_assert_str_eq(mapiprof_prf_value(prf->general, "ProfileName"), "Caf\xc3\xa9");
	mapiprof_prf_free(prf);
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "\xef\xbb\xbf%s", body);
	prf = read_text("bom.prf", buf, (size_t)n);
	cr_assert_str_eq(prf->encoding, "UTF-8");
	cr_assert(prf->bom);
	cr_assert_str_eq(mapiprof_prf_value(prf->general, "ProfileName"), "Caf\xc3\xa9");
	cr_assert_eq(prf->nproblems, 0);
	mapiprof_prf_free(prf);
}

Test(prf, malformed_fixture_lines)
{
	struct mapiprof_prf *prf = read_fixture("prf/malformed.prf");
	static const size_t want[] = {4, 5, 8, 9, 11};
	static const char *const what[] = {"neither", "duplicate key ProfileName",
	                                   "no section [Service2]", "must end with ']'",
	                                   "without a key"};
	cr_assert_eq(prf->nproblems, 5);
	for (size_t i = 0; i < 5; i++) {
		cr_assert_eq(prf->problems[i].line, want[i], "problem %zu at line %zu", i,
		             prf->problems[i].line);
		cr_assert_not_null(strstr(prf->problems[i].reason, what[i]), "%s",
		                   prf->problems[i].reason);
	}
	/* The first value stays; the section after the bad line is read. */
	cr_assert_str_eq(mapiprof_prf_value(prf->general, "ProfileName"), "Broken");
	cr_assert_null(prf->services[1].section);
	cr_assert_not_null(prf->services[0].section);
	mapiprof_prf_free(prf);
}

Test(prf, other_malformed_lines)
{
	struct mapiprof_prf *prf = read_str("key=before any section\r\n"
	                                    "[ ]\r\n"
	                                    "[A]\r\n"
	                                    "  ; indented comment\r\n"
	                                    "\t\r\n"
	                                    "[a]\r\n"
	                                    "[Account List]\r\n"
	                                    "Account7=POP3\r\n");
	cr_assert_eq(prf->nproblems, 4);
	cr_assert_eq(prf->problems[0].line, 1);
	cr_assert_not_null(strstr(prf->problems[0].reason, "before the first"));
	cr_assert_eq(prf->problems[1].line, 2);
	cr_assert_eq(prf->problems[2].line, 6);
	cr_assert_not_null(strstr(prf->problems[2].reason, "first at line 3"));
	cr_assert_eq(prf->problems[3].line, 8);
	cr_assert_eq(prf->naccounts, 1);
	cr_assert_str_eq(prf->accounts[0].id, "Account7");
	mapiprof_prf_free(prf);
}

Test(prf, nul_and_invalid_bytes_are_problems)
{
	/* 0x81 has no character in windows-1252; U+0000 inside a UTF-16 line. */
	static const char ansi[] = "[General]\nProfileName=a\x81z\n";
	struct mapiprof_prf *prf = read_text("a.prf", ansi, sizeof(ansi) - 1);
	cr_assert_eq(prf->nproblems, 1);
	cr_assert_eq(prf->problems[0].line, 2);
	mapiprof_prf_free(prf);
	static const unsigned char u16[] = {0xFF, 0xFE, '[', 0, 'A', 0, ']', 0, '\n', 0,
	                                    'k',  0,    '=', 0, 0,   0, 'v', 0, '\n', 0};
	prf = read_text("b.prf", u16, sizeof(u16));
	cr_assert_eq(prf->nproblems, 1);
	cr_assert_eq(prf->problems[0].line, 2);
	cr_assert_not_null(strstr(prf->problems[0].reason, "NUL"));
	mapiprof_prf_free(prf);
}

Test(prf, refused_files)
{
	struct mapiprof_prf *prf = NULL;
	static const unsigned char be[] = {0xFE, 0xFF, 0, '[', 0, 'A', 0, ']'};
	char *path = tu_tmp_write("be.prf", be, sizeof(be));
	cr_assert_eq(mapiprof_prf_read(tu_ctx, path, &prf), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_FORMAT);
	cr_assert_null(prf);
	free(path);
	cr_assert_eq(mapiprof_prf_read(tu_ctx, tu_tmp, &prf), MAPIPROF_FAILED);
	path = tu_tmp_path("absent.prf");
	cr_assert_eq(mapiprof_prf_read(tu_ctx, path, &prf), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_NOENT);
	free(path);
	/* Past the 16 MiB cap: refused before it is read. */
	path = tu_tmp_path("big.prf");
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fseek(f, 16L * 1024 * 1024, SEEK_SET), 0);
	cr_assert_eq(fputc(';', f), ';');
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(mapiprof_prf_read(tu_ctx, path, &prf), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_LIMIT);
	free(path);
}

Test(prf, long_lines_and_many_problems_are_bounded)
{
	size_t n = 70u * 1024u;
	char *text = malloc(n + 32);
	cr_assert_not_null(text);
	memcpy(text, "[A]\n", 4);
	memset(text + 4, 'x', n);
	memcpy(text + 4 + n, "=1\n", 3);
	struct mapiprof_prf *prf = read_text("long.prf", text, n + 7);
	cr_assert_eq(prf->nproblems, 1);
	cr_assert_eq(prf->problems[0].line, 2);
	cr_assert_not_null(strstr(prf->problems[0].reason, "longer"));
	mapiprof_prf_free(prf);
	/* 3000 bad lines: the first 1000 kept, the rest counted. */
	size_t len = 0;
	text = realloc(text, 3000 * 4 + 8);
	cr_assert_not_null(text);
	len += (size_t)sprintf(text, "[A]\n");
	for (int i = 0; i < 3000; i++)
		len += (size_t)sprintf(text + len, "bad\n");
	prf = read_text("many.prf", text, len);
	cr_assert_eq(prf->nproblems, 1000);
	cr_assert_eq(prf->more_problems, 2000);
	cr_assert_eq(prf->problems[999].line, 1001);
	mapiprof_prf_free(prf);
	free(text);
}
