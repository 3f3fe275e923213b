/* test_reg_format.c - regedit's text for .reg lines (regtext/format.c): the
 * wrapping of Wine's regproc.c export_hex_data char for char (the examples of
 * Wine's Windows-checked programs/reg/tests/export.c and of real regedit
 * exports, and the first-line widths that algorithm gives), the choice of
 * "text", dword: and hex(N):, code-page payloads, and a property test: random
 * values formatted and parsed back by mp_reg_parse_buf keep their name, type
 * and bytes. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf16.h"
#include "regtext/format.h"
#include "regtext/parse.h"
#include "store/store.h"
#include "testutil.h"

TestSuite(reg_format, .init = tu_setup, .fini = tu_teardown);

/* UTF-8 text and CRLF: the same characters regedit writes in UTF-16LE. */
static const struct mp_reg_style utf8_crlf = {MP_REG_ENC_UTF8, NULL, "\r\n"};
static const struct mp_reg_style utf8_lf = {MP_REG_ENC_UTF8, NULL, "\n"};
static const struct mp_reg_style cp1252 = {MP_REG_ENC_CODEPAGE, "WINDOWS-1252", "\r\n"};

static struct mp_reg_item
item(const char *name, uint32_t type, const void *data, size_t len)
{
	struct mp_reg_item it = {name, 0, 0, type, data, len};
	return it;
}

/* UTF-16LE of UTF-8 text s (len bytes, may hold NULs), plus a terminator
 * when term; malloc'd, *n its length. */
static uint8_t *
u16(const char *s, size_t len, int term, size_t *n)
{
	uint8_t *p = NULL;
	cr_assert_eq(mp_utf8_to_utf16le(tu_ctx, s, len, &p, n), MAPIPROF_OK);
	if (term) {
		p = realloc(p, *n + 2);
		cr_assert_not_null(p);
		p[(*n)++] = 0;
		p[(*n)++] = 0;
	}
	return p;
}

/* The line of it in style st as a NUL-terminated string (st 8-bit). */
static char *
line_in(const struct mp_reg_style *st, const struct mp_reg_item *it)
{
	struct mp_buf b = {NULL, 0, 0};
	cr_assert_eq(mp_reg_format_value(tu_ctx, st, it, &b), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mp_buf_add(tu_ctx, &b, "", 1), MAPIPROF_OK);
	return (char *)b.data;
}

static char *
line_of(const struct mp_reg_item *it)
{
	return line_in(&utf8_crlf, it);
}

/* Asserts that the line of it in style st (8-bit) is want. */
static void
expect_line_in(const struct mp_reg_style *st, const struct mp_reg_item *it, const char *want)
{
	char *got = line_in(st, it);
	cr_assert_str_eq(got, want);
	free(got);
}

static void
expect_line(const struct mp_reg_item *it, const char *want)
{
	expect_line_in(&utf8_crlf, it, want);
}

/* Asserts that the line of it starts with want. */
static void
expect_line_start(const struct mp_reg_item *it, const char *want)
{
	char *got = line_of(it);
	cr_assert_eq(strncmp(got, want, strlen(want)), 0, "%s", got);
	free(got);
}

/* expect_line for the value name of type whose data is the UTF-16LE of the
 * UTF-8 text s (len bytes, may hold NULs) and a terminator. */
static void
expect_u16_line(const char *name, uint32_t type, const char *s, size_t len, const char *want)
{
	size_t n = 0;
	uint8_t *d = u16(s, len, 1, &n);
	struct mp_reg_item it = item(name, type, d, n);
	expect_line(&it, want);
	free(d);
}

/* ---- wrapping: Wine's and real regedit exports' exact examples ------- */

Test(reg_format, wraps_multi_string_as_windows_export_test)
{
	expect_u16_line("Multiple strings", MP_REG_MULTI_SZ, "Line1\0Line2\0Line3\0", 18,
	                "\"Multiple strings\"=hex(7):4c,00,69,00,6e,00,65,00,31,00,00,00,4c,00,"
	                "69,00,6e,\\\r\n"
	                "  00,65,00,32,00,00,00,4c,00,69,00,6e,00,65,00,33,00,00,00,00,00\r\n");
}

Test(reg_format, wraps_expand_string_as_windows_export_test)
{
	expect_u16_line("String expansion", MP_REG_EXPAND_SZ, "%HOME%\\%PATH%", 13,
	                "\"String expansion\"=hex(2):25,00,48,00,4f,00,4d,00,45,00,25,00,5c,00,"
	                "25,00,50,\\\r\n"
	                "  00,41,00,54,00,48,00,25,00,00,00\r\n");
}

Test(reg_format, wraps_binary_as_real_regedit_settings_export)
{
	static const uint8_t d[] = {0x30, 0x00, 0x00, 0x00, 0xfe, 0xff, 0xff, 0xff, 0x02, 0x00,
	                            0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x30, 0x00, 0x00, 0x00,
	                            0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xd8, 0x02,
	                            0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00,
	                            0x60, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00};
	struct mp_reg_item it = item("Settings", MP_REG_BINARY, d, sizeof(d));
	expect_line(&it, "\"Settings\"=hex:30,00,00,00,fe,ff,ff,ff,02,00,00,00,03,00,00,00,30,"
	                 "00,00,00,28,\\\r\n"
	                 "  00,00,00,00,00,00,00,d8,02,00,00,00,04,00,00,00,03,00,00,60,00,00,"
	                 "00,01,00,\\\r\n"
	                 "  00,00\r\n");
}

Test(reg_format, wraps_default_value_after_23_bytes_as_real_regedit_export)
{
	size_t n = 0;
	uint8_t *d = u16("%SystemRoot%\\System32\\rundll32.exe", 34, 1, &n);
	struct mp_reg_item it = item(NULL, MP_REG_EXPAND_SZ, d, n);
	it.is_default = 1;
	expect_line_start(&it,
	                  "@=hex(2):25,00,53,00,79,00,73,00,74,00,65,00,6d,00,52,00,6f,00,6f,00,"
	                  "74,00,25,\\\r\n"
	                  "  00,5c,00,53,00,79,00,73,00,74,00,65,00,6d,00,33,00,32,00,5c,00,72,"
	                  "00,75,00,\\\r\n");
	free(d);
}

Test(reg_format, wraps_after_17_bytes_for_a_16_char_name_as_real_regedit_export)
{
	size_t n = 0;
	uint8_t *d = u16("@%ProgramFiles%\\x.dll,-100", 26, 1, &n);
	struct mp_reg_item it = item("FriendlyTypeName", MP_REG_EXPAND_SZ, d, n);
	expect_line_start(&it, "\"FriendlyTypeName\"=hex(2):40,00,25,00,50,00,72,00,6f,00,67,00,72,"
	                       "00,61,00,6d,\\\r\n");
	free(d);
}

Test(reg_format, wraps_mapi_tag_values_as_regedit_does)
{
	expect_u16_line("001f3001", MP_REG_BINARY, "john.doe@example.com", 20,
	                "\"001f3001\"=hex:6a,00,6f,00,68,00,6e,00,2e,00,64,00,6f,00,65,00,40,00,"
	                "65,00,78,\\\r\n"
	                "  00,61,00,6d,00,70,00,6c,00,65,00,2e,00,63,00,6f,00,6d,00,00,00\r\n");
	static const uint8_t uid[] = {0x92, 0x07, 0xcf, 0x4b, 0xd0, 0xf8, 0xb8, 0x47,
	                              0x8d, 0x16, 0xb1, 0xcd, 0x28, 0xa7, 0xd7, 0x3a};
	struct mp_reg_item it = item("01023d15", MP_REG_BINARY, uid, sizeof(uid));
	expect_line(&it, "\"01023d15\"=hex:92,07,cf,4b,d0,f8,b8,47,8d,16,b1,cd,28,a7,d7,3a\r\n");
}

Test(reg_format, wraps_after_one_byte_for_a_70_char_name)
{
	char name[71];
	uint8_t d[30];
	memset(name, 'N', 70);
	name[70] = '\0';
	for (size_t i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)i;
	struct mp_reg_item it = item(name, MP_REG_BINARY, d, sizeof(d));
	char want[400];
	snprintf(
	    want, sizeof(want),
	    "\"%s\"=hex:00,\\\r\n"
	    "  01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,0e,0f,10,11,12,13,14,15,16,17,18,19,\\\r\n"
	    "  1a,1b,1c,1d\r\n",
	    name);
	expect_line(&it, want);
}

/* ---- wrapping: first-line widths, and the k1 formula for every name length */

/* Bytes on the first physical line of line and its width with the '\'. */
static void
first_line(const char *line, size_t *bytes, size_t *width)
{
	const char *eol = strstr(line, "\r\n");
	const char *colon = strstr(line, "hex");
	cr_assert_not_null(eol);
	colon = strchr(colon, ':');
	*width = (size_t)(eol - line);
	*bytes = 0;
	for (const char *p = colon + 1; p < eol; p++)
		*bytes += *p == ',';
}

static const struct {
	int length; /* name length; -1: the default value */
	size_t p, bytes, width;
} table[] = {
    {-1, 6, 24, 79},  {0, 7, 24, 80},  {1, 8, 23, 78},  {4, 11, 22, 78}, {8, 15, 21, 79},
    {20, 27, 17, 79}, {50, 57, 7, 79}, {67, 74, 1, 78}, {70, 77, 1, 81},
};

ParameterizedTestParameters(reg_format, first_line_matches_regedit_wrapping_table_row)
{
	return tu_index_params(sizeof(table) / sizeof(table[0]));
}

ParameterizedTest(size_t *row, reg_format, first_line_matches_regedit_wrapping_table_row)
{
	char name[80];
	uint8_t d[100];
	memset(d, 0xab, sizeof(d));
	int len = table[*row].length;
	memset(name, 'x', sizeof(name));
	name[len < 0 ? 0 : len] = '\0';
	struct mp_reg_item it = item(name, MP_REG_BINARY, d, sizeof(d));
	it.is_default = len < 0;
	char *got = line_of(&it);
	size_t bytes = 0, width = 0;
	first_line(got, &bytes, &width);
	cr_assert_eq(bytes, table[*row].bytes, "name length %d: %zu bytes", len, bytes);
	cr_assert_eq(width, table[*row].width, "name length %d: width %zu", len, width);
	free(got);
	/* "add 3 to P for hex(N) with one-digit N" */
	it.type = MP_REG_EXPAND_SZ;
	got = line_of(&it);
	first_line(got, &bytes, &width);
	size_t p = table[*row].p + 3;
	size_t k1 = p >= 74 ? 1 : (77 - p + 2) / 3;
	cr_assert_eq(bytes, k1, "hex(2), name length %d: %zu bytes", len, bytes);
	free(got);
}

/* Checks the shape export_hex_data gives: k1 = max(1, ceil((77 - P) / 3))
 * bytes on line 1, 25 per continuation line ("  " + 25 x "xx," + "\" = 78
 * columns), no wrap when everything fits, and the bytes in order.  The data
 * starts skip bytes into line; p is the width of that prefix in columns. */
static void
check_shape(const char *line, size_t skip, size_t p, const uint8_t *d, size_t n)
{
	size_t k1 = p >= 74 ? 1 : (77 - p + 2) / 3, at = 0, lineno = 0;
	const char *s = line + skip, *start = line;
	for (;;) {
		const char *eol = strstr(s, "\r\n");
		cr_assert_not_null(eol);
		size_t want = lineno == 0 ? k1 : 25;
		size_t left = n - at;
		int last = left <= want;
		size_t count = last ? left : want;
		for (size_t i = 0; i < count; i++, at++) {
			char hx[4];
			snprintf(hx, sizeof(hx), "%02x%s", d[at],
			         i + 1 < count || !last ? "," : "");
			cr_assert_eq(strncmp(s, hx, strlen(hx)), 0, "P %zu n %zu byte %zu: %s", p,
			             n, at, line);
			s += strlen(hx);
		}
		if (last) {
			cr_assert_eq(s, eol, "P %zu n %zu: junk at the end: %s", p, n, line);
			cr_assert_str_eq(eol, "\r\n");
			return;
		}
		cr_assert_eq(strncmp(s, "\\\r\n  ", 5), 0, "P %zu n %zu: %s", p, n, line);
		if (lineno > 0)
			cr_assert_eq(s + 1 - start, 78, "P %zu n %zu: continuation width", p, n);
		s += 5;
		start = s - 2;
		lineno++;
	}
}

Test(reg_format, wrap_follows_k1_formula_for_names_of_every_length)
{
	uint8_t d[130];
	for (size_t i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)(i * 37 + 5);
	for (size_t len = 0; len <= 90; len++) {
		char name[100];
		memset(name, 'a' + (int)(len % 26), len);
		name[len] = '\0';
		for (size_t n = 1; n <= sizeof(d); n += (n < 60 ? 1 : 7)) {
			struct mp_reg_item it = item(name, MP_REG_BINARY, d, n);
			char *got = line_of(&it);
			check_shape(got, len + 7, len + 7, d, n);
			free(got);
		}
	}
}

Test(reg_format, wrap_column_counts_escapes_and_utf16_units_of_the_name)
{
	uint8_t d[40];
	memset(d, 0x11, sizeof(d));
	/* a"b\c escaped is a\"b\\c: 7 columns, P = 1 + 7 + 2 + 4 = 14. */
	struct mp_reg_item it = item("a\"b\\c", MP_REG_BINARY, d, sizeof(d));
	char *got = line_of(&it);
	cr_assert_eq(strncmp(got, "\"a\\\"b\\\\c\"=hex:", 14), 0, "%s", got);
	check_shape(got, 14, 14, d, sizeof(d));
	free(got);
	/* "é" is 2 UTF-8 bytes but 1 UTF-16 unit; U+1F600 is 4 bytes but 2
	 * units: P = 1 + (1 + 2 + 1) + 2 + 4 = 11 columns, 22 bytes on line 1. */
	it.name = "\xC3\xA9\xF0\x9F\x98\x80z";
	got = line_of(&it);
	size_t bytes = 0, width = 0;
	first_line(got, &bytes, &width);
	cr_assert_eq(bytes, 22, "%s", got);
	check_shape(got, 14, 11, d, sizeof(d)); /* 14 bytes of UTF-8 */
	free(got);
}

Test(reg_format, wraps_with_the_styles_line_end)
{
	uint8_t d[30];
	memset(d, 0, sizeof(d));
	struct mp_reg_item it = item("x", MP_REG_BINARY, d, sizeof(d));
	expect_line_in(&utf8_lf, &it,
	               "\"x\"=hex:00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,00,"
	               "00,00,00,00,\\\n  00,00,00,00,00,00,00\n");
}

/* ---- the data forms (Wine programs/reg/tests/export.c) ---------------- */

Test(reg_format, writes_windows_export_test_lines_exactly)
{
	static const uint8_t dw[] = {0x00, 0x01, 0x00, 0x00};
	struct mp_reg_item it = item("DWORD", MP_REG_DWORD, dw, 4);
	expect_line(&it, "\"DWORD\"=dword:00000100\r\n");
	expect_u16_line("String", MP_REG_SZ, "Your text here...", 17,
	                "\"String\"=\"Your text here...\"\r\n");
	it = item("Binary", MP_REG_BINARY, "\x11\x22\x33\x44", 4);
	expect_line(&it, "\"Binary\"=hex:11,22,33,44\r\n");
	it = item("Undefined hex", 0x100, "%PATH%", 7);
	expect_line(&it, "\"Undefined hex\"=hex(100):25,50,41,54,48,25,00\r\n");
	it = item("Wine1e", MP_REG_DWORD, NULL, 0);
	expect_line(&it, "\"Wine1e\"=hex(4):\r\n");
}

Test(reg_format, escapes_quotes_and_backslashes_in_names_and_strings)
{
	expect_u16_line("double\"quote", MP_REG_SZ, "\"Hello, World!\"", 15,
	                "\"double\\\"quote\"=\"\\\"Hello, World!\\\"\"\r\n");
	expect_u16_line("Backslash", MP_REG_SZ, "Use \\\\ to escape a backslash", 28,
	                "\"Backslash\"=\"Use \\\\\\\\ to escape a backslash\"\r\n");
	struct mp_reg_item it = item("\\foo\\bar", MP_REG_SZ, "\0", 2);
	expect_line(&it, "\"\\\\foo\\\\bar\"=\"\"\r\n");
}

Test(reg_format, writes_default_value_as_at_and_deletion_as_dash)
{
	struct mp_reg_item it = item("ignored", MP_REG_SZ, "a\0\0", 4);
	it.is_default = 1;
	expect_line(&it, "@=\"a\"\r\n");
	it = item("001f3001", MP_REG_BINARY, "x", 1);
	it.del = 1;
	expect_line(&it, "\"001f3001\"=-\r\n");
	it.is_default = 1;
	expect_line(&it, "@=-\r\n");
}

Test(reg_format, quotes_reg_sz_only_when_it_reimports_to_the_same_bytes)
{
	static const struct {
		const char *label;
		const char *data;
		size_t len;
		const char *want;
	} cases[] = {
	    {"terminated", "a\0b\0\0\0", 6, "\"v\"=\"ab\"\r\n"},
	    {"empty with terminator", "\0\0", 2, "\"v\"=\"\"\r\n"},
	    {"zero length", "", 0, "\"v\"=hex(1):\r\n"},
	    {"no terminator", "a\0b\0", 4, "\"v\"=hex(1):61,00,62,00\r\n"},
	    {"embedded NUL", "a\0\0\0b\0\0\0", 8, "\"v\"=hex(1):61,00,00,00,62,00,00,00\r\n"},
	    {"odd length", "a\0\0\0\0", 5, "\"v\"=hex(1):61,00,00,00,00\r\n"},
	    {"CR", "a\0\r\0\0\0", 6, "\"v\"=hex(1):61,00,0d,00,00,00\r\n"},
	    {"LF", "\n\0\0\0", 4, "\"v\"=hex(1):0a,00,00,00\r\n"},
	    {"ESC", "\x1b\0\0\0", 4, "\"v\"=hex(1):1b,00,00,00\r\n"},
	    {"DEL", "\x7f\0\0\0", 4, "\"v\"=hex(1):7f,00,00,00\r\n"},
	    {"C1 control", "\x85\0\0\0", 4, "\"v\"=hex(1):85,00,00,00\r\n"},
	    {"unpaired surrogate", "\x00\xd8\0\0", 4, "\"v\"=hex(1):00,d8,00,00\r\n"},
	    {"two terminators", "a\0\0\0\0\0", 6, "\"v\"=hex(1):61,00,00,00,00,00\r\n"},
	    {"surrogate pair", "\x3d\xd8\x00\xde\0\0", 6, "\"v\"=\"\xF0\x9F\x98\x80\"\r\n"},
	    {"Latin-1 and CJK", "\xfc\0\xe5\x65\0\0", 6, "\"v\"=\"\xC3\xBC\xE6\x97\xA5\"\r\n"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mp_reg_item it = item("v", MP_REG_SZ, cases[i].data, cases[i].len);
		char *got = line_of(&it);
		cr_assert_str_eq(got, cases[i].want, "%s", cases[i].label);
		free(got);
	}
}

Test(reg_format, writes_dword_only_for_exactly_four_bytes)
{
	struct mp_reg_item it = item("d", MP_REG_DWORD, "\x78\x56\x34\x12", 4);
	expect_line(&it, "\"d\"=dword:12345678\r\n");
	it = item("d", MP_REG_DWORD, "\xff\xff\xff\xff", 4);
	expect_line(&it, "\"d\"=dword:ffffffff\r\n");
	it = item("d", MP_REG_DWORD, "\x01\x02\x03", 3);
	expect_line(&it, "\"d\"=hex(4):01,02,03\r\n");
	it = item("d", MP_REG_DWORD, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	expect_line(&it, "\"d\"=hex(4):01,02,03,04,05,06,07,08\r\n");
	it = item("q", MP_REG_QWORD, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	expect_line(&it, "\"q\"=hex(b):01,02,03,04,05,06,07,08\r\n");
}

Test(reg_format, writes_type_numbers_lower_case_without_leading_zeros)
{
	static const struct {
		uint32_t type;
		const char *want;
	} cases[] = {
	    {0, "\"t\"=hex(0):01,02\r\n"},
	    {2, "\"t\"=hex(2):01,02\r\n"},
	    {3, "\"t\"=hex:01,02\r\n"},
	    {5, "\"t\"=hex(5):01,02\r\n"},
	    {7, "\"t\"=hex(7):01,02\r\n"},
	    {0xb, "\"t\"=hex(b):01,02\r\n"},
	    {0x100, "\"t\"=hex(100):01,02\r\n"},
	    {0xabcd, "\"t\"=hex(abcd):01,02\r\n"},
	    {0xffffffff, "\"t\"=hex(ffffffff):01,02\r\n"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mp_reg_item it = item("t", cases[i].type, "\x01\x02", 2);
		expect_line(&it, cases[i].want);
	}
	struct mp_reg_item it = item("t", 7, NULL, 0);
	expect_line(&it, "\"t\"=hex(7):\r\n");
}

Test(reg_format, refuses_names_and_keys_with_cr_or_lf)
{
	struct mp_buf b = {NULL, 0, 0};
	struct mp_reg_item it = item("bad\nname", MP_REG_BINARY, "x", 1);
	cr_assert_eq(mp_reg_format_value(tu_ctx, &utf8_crlf, &it, &b), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_FORMAT);
	cr_assert_not_null(strstr(mapiprof_errmsg(tu_ctx), "value 'bad?name'"), "%s",
	                   mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mp_reg_format_key(tu_ctx, &utf8_crlf, "HKEY_CURRENT_USER\\a\rb", 0, &b),
	             MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_FORMAT);
	cr_assert_not_null(strstr(mapiprof_errmsg(tu_ctx), "key 'HKEY_CURRENT_USER\\a?b'"));
	cr_assert_eq(b.len, 0, "nothing appended");
	mp_buf_free(&b);
}

Test(reg_format, error_messages_cut_long_names_between_characters)
{
	char name[400];
	for (size_t i = 0; i < 150; i++)
		memcpy(name + 2 * i, "\xC3\xA9", 2);
	memcpy(name + 300, "\r", 2);
	struct mp_buf b = {NULL, 0, 0};
	struct mp_reg_item it = item(name, MP_REG_BINARY, "x", 1);
	cr_assert_eq(mp_reg_format_value(tu_ctx, &utf8_crlf, &it, &b), MAPIPROF_FAILED);
	const char *msg = mapiprof_errmsg(tu_ctx);
	uint8_t *u = NULL;
	size_t n = 0;
	cr_assert_eq(mp_utf8_to_utf16le(tu_ctx, msg, strlen(msg), &u, &n), MAPIPROF_OK,
	             "valid UTF-8: %s", msg);
	cr_assert_not_null(strstr(msg, "\xC3\xA9': a .reg file cannot hold"), "%s", msg);
	free(u);
}

/* ---- key and header lines, encodings ------------------------------- */

Test(reg_format, writes_key_lines_and_deletions)
{
	struct mp_buf b = {NULL, 0, 0};
	cr_assert_eq(
	    mp_reg_format_key(tu_ctx, &utf8_crlf, "HKEY_CURRENT_USER\\Software\\x]y", 0, &b),
	    MAPIPROF_OK);
	cr_assert_eq(mp_reg_format_key(tu_ctx, &utf8_lf, "HKEY_USERS\\S-1\\z", 1, &b), MAPIPROF_OK);
	cr_assert_eq(mp_buf_add(tu_ctx, &b, "", 1), MAPIPROF_OK);
	cr_assert_str_eq((char *)b.data,
	                 "[HKEY_CURRENT_USER\\Software\\x]y]\r\n[-HKEY_USERS\\S-1\\z]\n");
	mp_buf_free(&b);
}

Test(reg_format, header_has_the_bom_and_header_of_each_encoding)
{
	static const struct {
		struct mp_reg_style st;
		const char *want;
		size_t len;
	} cases[] = {
	    {{MP_REG_ENC_UTF16LE, NULL, "\r\n"},
	     "\xFF\xFEW\0i\0n\0d\0o\0w\0s\0 \0R\0e\0g\0i\0s\0t\0r\0y\0 \0E\0d\0i\0t\0o\0r\0 "
	     "\0V\0e\0r\0s\0i\0o\0n\0 \0"
	     "5\0.\0"
	     "0\0"
	     "0\0\r\0\n\0",
	     2 + 2 * 38},
	    {{MP_REG_ENC_UTF8, NULL, "\n"}, "Windows Registry Editor Version 5.00\n", 37},
	    {{MP_REG_ENC_UTF8_BOM, NULL, "\r"},
	     "\xEF\xBB\xBFWindows Registry Editor Version 5.00\r",
	     40},
	    {{MP_REG_ENC_UTF8_BOM, "UTF-8", "\n"}, "\xEF\xBB\xBFREGEDIT4\n", 12},
	    {{MP_REG_ENC_CODEPAGE, "WINDOWS-1252", "\r\n"}, "REGEDIT4\r\n", 10},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mp_buf b = {NULL, 0, 0};
		cr_assert_eq(mp_reg_format_header(tu_ctx, &cases[i].st, &b), MAPIPROF_OK);
		cr_assert_eq(b.len, cases[i].len, "case %zu: %zu bytes", i, b.len);
		cr_assert_eq(memcmp(b.data, cases[i].want, b.len), 0, "case %zu", i);
		mp_buf_free(&b);
	}
}

Test(reg_format, regedit5_style_is_the_utf16le_of_the_same_text)
{
	size_t n = 0;
	const char *text0 = "Prüfung 日本 \xF0\x9F\x98\x80";
	uint8_t *d = u16(text0, strlen(text0), 1, &n);
	struct mp_reg_item it = item("名前 \"x\"", MP_REG_MULTI_SZ, d, n);
	char *text = line_of(&it);
	uint8_t *want = NULL;
	size_t wlen = 0;
	cr_assert_eq(mp_utf8_to_utf16le(tu_ctx, text, strlen(text), &want, &wlen), MAPIPROF_OK);
	struct mp_buf b = {NULL, 0, 0};
	cr_assert_eq(mp_reg_format_value(tu_ctx, &mp_reg_style_regedit5, &it, &b), MAPIPROF_OK);
	cr_assert_eq(b.len, wlen);
	cr_assert_eq(memcmp(b.data, want, wlen), 0);
	mp_buf_free(&b);
	free(want);
	free(text);
	free(d);
}

/* ---- code-page files (Wine regproc.c prepare_hex_string_data) -------- */

Test(reg_format, codepage_file_writes_text_and_payloads_in_the_code_page)
{
	size_t n = 0;
	uint8_t *d = u16("Grüße", 7, 1, &n);
	struct mp_reg_item it = item("Straße", MP_REG_SZ, d, n);
	expect_line_in(&cp1252, &it,
	               "\"Stra\xDF"
	               "e\"=\"Gr\xFC\xDF"
	               "e\"\r\n");
	it.type = MP_REG_EXPAND_SZ;
	expect_line_in(&cp1252, &it,
	               "\"Stra\xDF"
	               "e\"=hex(2):47,72,fc,df,65,00\r\n");
	it.type = MP_REG_BINARY;
	expect_line_in(&cp1252, &it,
	               "\"Stra\xDF"
	               "e\"=hex:47,00,72,00,fc,00,df,00,65,00,00,00\r\n");
	free(d);
	/* A REG_SZ with a control character goes hex(1), still 8-bit text. */
	it = item("c", MP_REG_SZ, "a\0\t\0\0\0", 6);
	expect_line_in(&cp1252, &it, "\"c\"=hex(1):61,09,00\r\n");
}

Test(reg_format, codepage_file_refuses_what_the_code_page_cannot_hold)
{
	struct mp_buf b = {NULL, 0, 0};
	size_t n = 0;
	uint8_t *d = u16("日本", 6, 1, &n);
	struct mp_reg_item it = item("v", MP_REG_SZ, d, n);
	cr_assert_eq(mp_reg_format_value(tu_ctx, &cp1252, &it, &b), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_CODEPAGE);
	cr_assert_not_null(strstr(mapiprof_errmsg(tu_ctx), "value 'v'"), "%s",
	                   mapiprof_errmsg(tu_ctx));
	it = item("日本", MP_REG_BINARY, "x", 1);
	cr_assert_eq(mp_reg_format_value(tu_ctx, &cp1252, &it, &b), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_CODEPAGE);
	cr_assert_not_null(strstr(mapiprof_errmsg(tu_ctx), "value '日本'"));
	/* Odd-length hex(7) data is no text at all. */
	it = item("m", MP_REG_MULTI_SZ, "abc", 3);
	cr_assert_eq(mp_reg_format_value(tu_ctx, &cp1252, &it, &b), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_CODEPAGE);
	/* The key path too. */
	cr_assert_eq(mp_reg_format_key(tu_ctx, &cp1252, "HKEY_CURRENT_USER\\日本", 0, &b),
	             MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_CODEPAGE);
	cr_assert_eq(b.len, 0, "nothing appended");
	free(d);
	mp_buf_free(&b);
}

/* ---- property: formatted lines parse back to the same value ---------- */

static uint64_t rng_state;

static uint32_t
rnd(uint32_t n)
{
	/* xorshift64* (Vigna 2014): reproducible from the seed. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 33) % n;
}

/* Pieces of random names and strings, in groups: ASCII, Latin letters
 * windows-1252 holds, characters it does not hold, TAB and ESC, then CR, LF
 * and U+0001 (never in names). */
static const char *const tokens[] = {
    "a",
    "Z",
    "0",
    " ",
    "\"",
    "\\",
    "=",
    "@",
    "[",
    "]",
    ";",
    "#",
    "-",
    ",",
    "\xC3\xA9",
    "\xC3\x9F",
    "\xE2\x82\xAC",
    "\xE6\x97\xA5",
    "\xF0\x9F\x98\x80",
    "\xEF\xBB\xBF",
    "\xEF\xBF\xBD",
    "\t",
    "\x1b",
    "\r",
    "\n",
    "\x01",
};
enum { TOK_CP_END = 17, TOK_PRINT_END = 21, TOK_NAME_END = 23, TOK_END = 26 };
enum {
	TOK_CP = 1,      /* only what windows-1252 holds */
	TOK_NAMECTL = 2, /* TAB and ESC too */
	TOK_TEXTCTL = 4, /* TAB, ESC, CR, LF and U+0001 too */
};

static size_t
rnd_text(char *buf, size_t cap, unsigned flags, size_t maxlen)
{
	size_t len = 0, want = rnd((uint32_t)maxlen + 1);
	while (len < want) {
		uint32_t k = rnd(TOK_END);
		if ((flags & TOK_CP) && k >= TOK_CP_END && k < TOK_PRINT_END)
			continue;
		if (k >= TOK_PRINT_END && !(flags & TOK_TEXTCTL) &&
		    !((flags & TOK_NAMECTL) && k < TOK_NAME_END))
			continue;
		size_t tl = strlen(tokens[k]);
		if (len + tl >= cap)
			break;
		memcpy(buf + len, tokens[k], tl);
		len += tl;
	}
	buf[len] = '\0';
	return len;
}

/* Random data for type.  Text types get UTF-16LE text (with or without a
 * terminator, maybe an embedded NUL, half the time no control character),
 * always when text_only (what a code page file can hold), else mostly;
 * other data is random bytes. */
static uint8_t *
rnd_data(uint32_t type, unsigned flags, int text_only, size_t *n)
{
	int text = type == MP_REG_SZ || type == MP_REG_EXPAND_SZ || type == MP_REG_MULTI_SZ;
	if (text && (text_only || rnd(3) != 0)) {
		char t[400];
		size_t tl = rnd_text(t, sizeof(t), rnd(2) ? flags | TOK_TEXTCTL : flags, 60);
		if (rnd(8) == 0 && tl > 0)
			t[rnd((uint32_t)tl)] = '\0'; /* may split a character: then try again */
		uint8_t *p = NULL;
		if (mp_utf8_to_utf16le(NULL, t, tl, &p, n) != MAPIPROF_OK)
			return rnd_data(type, flags, text_only, n);
		free(p);
		return u16(t, tl, rnd(4) != 0, n);
	}
	*n = rnd(4) == 0 ? 4 : rnd(200);
	uint8_t *d = malloc(*n + 1);
	cr_assert_not_null(d);
	for (size_t i = 0; i < *n; i++)
		d[i] = (uint8_t)rnd(256);
	return d;
}

static uint32_t
rnd_type(void)
{
	static const uint32_t types[] = {0, 1, 1, 1, 2, 3, 3, 4, 4, 5, 7, 11, 0x100, 0xffffffff};
	if (rnd(10) == 0)
		return (uint32_t)rnd(0x7fffffff) * 2u + (uint32_t)rnd(2);
	return types[rnd(sizeof(types) / sizeof(types[0]))];
}

struct rnd_item {
	char name[400];
	int is_default;
	uint32_t type;
	uint8_t *data;
	size_t len;
};

/* Formats FILES files of ITEMS random values in style st, parses each
 * (codepage cp) and compares.  flags: TOK_CP for a windows-1252 file;
 * text_only: text types always get valid text. */
static void
roundtrip_style(const struct mp_reg_style *st, const char *cp, uint64_t seed, unsigned flags,
                int text_only)
{
	enum { FILES = 12, ITEMS = 150 };
	static struct rnd_item items[ITEMS];
	size_t seen[4] = {0, 0, 0, 0}, wrapped = 0;
	rng_state = seed;
	for (int f = 0; f < FILES; f++) {
		struct mp_buf b = {NULL, 0, 0};
		cr_assert_eq(mp_reg_format_header(tu_ctx, st, &b), MAPIPROF_OK);
		cr_assert_eq(mp_reg_encode(tu_ctx, st, st->eol, strlen(st->eol), &b), MAPIPROF_OK);
		cr_assert_eq(mp_reg_format_key(tu_ctx, st, "HKEY_CURRENT_USER\\Software\\T", 0, &b),
		             MAPIPROF_OK);
		for (int i = 0; i < ITEMS; i++) {
			struct rnd_item *r = &items[i];
			rnd_text(r->name, sizeof(r->name), rnd(2) ? flags | TOK_NAMECTL : flags,
			         90);
			r->is_default = rnd(20) == 0;
			r->type = rnd_type();
			r->data = rnd_data(r->type, flags, text_only, &r->len);
			struct mp_reg_item it = {r->name, r->is_default, 0,
			                         r->type, r->data,       r->len};
			cr_assert_eq(mp_reg_format_value(tu_ctx, st, &it, &b), MAPIPROF_OK,
			             "file %d item %d: %s", f, i, mapiprof_errmsg(tu_ctx));
		}
		struct mp_reg_file *pf = NULL;
		cr_assert_eq(mp_reg_parse_buf(tu_ctx, "random.reg", b.data, b.len, cp, &pf),
		             MAPIPROF_OK, "file %d: %s", f, mapiprof_errmsg(tu_ctx));
		cr_assert_eq(pf->nvalues, ITEMS);
		for (int i = 0; i < ITEMS; i++) {
			const struct rnd_item *r = &items[i];
			const struct mp_reg_value *v = &pf->values[i];
			cr_assert_eq(v->is_default, r->is_default, "file %d item %d", f, i);
			if (!r->is_default)
				cr_assert_str_eq(v->name, r->name, "file %d item %d", f, i);
			cr_assert_eq(v->type, r->type, "file %d item %d: type %x, got %x", f, i,
			             r->type, v->type);
			cr_assert_eq(v->len, r->len,
			             "file %d item %d (type %x): %zu bytes, got %zu", f, i, r->type,
			             r->len, (size_t)v->len);
			cr_assert(r->len == 0 || memcmp(v->data, r->data, r->len) == 0,
			          "file %d item %d: bytes differ", f, i);
			seen[v->syntax]++;
			wrapped += v->span.nlines > 1;
			free(items[i].data);
		}
		mp_reg_parse_free(pf);
		mp_buf_free(&b);
	}
	/* Every form was exercised: "text", dword:, hex, and wrapped hex. */
	cr_assert(seen[MP_REG_SYN_STRING] > 50 && seen[MP_REG_SYN_DWORD] > 20 &&
	              seen[MP_REG_SYN_HEX] > 500 && wrapped > 200,
	          "strings %zu dwords %zu hex %zu wrapped %zu", seen[MP_REG_SYN_STRING],
	          seen[MP_REG_SYN_DWORD], seen[MP_REG_SYN_HEX], wrapped);
}

Test(reg_format, random_values_parse_back_identically_from_utf16le)
{
	roundtrip_style(&mp_reg_style_regedit5, NULL, 0x9E3779B97F4A7C15ULL, 0, 0);
}

Test(reg_format, random_values_parse_back_identically_from_utf8)
{
	roundtrip_style(&utf8_lf, NULL, 0xD1B54A32D192ED03ULL, 0, 0);
	static const struct mp_reg_style cr = {MP_REG_ENC_UTF8_BOM, NULL, "\r"};
	roundtrip_style(&cr, NULL, 0x8CB92BA72F3D8DD7ULL, 0, 0);
}

Test(reg_format, random_values_parse_back_identically_from_regedit4_cp1252)
{
	roundtrip_style(&cp1252, "WINDOWS-1252", 0xA0761D6478BD642FULL, TOK_CP, 1);
}

Test(reg_format, random_values_parse_back_identically_from_utf8_bom_regedit4)
{
	static const struct mp_reg_style st = {MP_REG_ENC_UTF8_BOM, "UTF-8", "\r\n"};
	roundtrip_style(&st, NULL, 0xE7037ED1A0B428DBULL, 0, 1);
}
