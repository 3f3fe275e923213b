/* test_reg_parse.c - the .reg reader (regtext/parse.c) and the .reg store
 * (store/reg.c): every grammar element of Wine's programs/reg/tests/import.c,
 * every encoding and line-ending style, the spans a later writer relies on,
 * each error with its line number, and the merged tree the store builds. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/limits.h"
#include "regtext/parse.h"
#include "store/reg.h"
#include "testutil.h"

#define V5_TEXT "Windows Registry Editor Version 5.00"
#define V5      V5_TEXT "\r\n"

static struct mp_reg_file *f;
static struct mp_store *st;

static void
setup(void)
{
	tu_setup();
	f = NULL;
	st = NULL;
}

static void
teardown(void)
{
	mp_reg_parse_free(f);
	mp_store_close(st);
	tu_teardown();
}

TestSuite(reg_parse, .init = setup, .fini = teardown);
TestSuite(store_reg, .init = setup, .fini = teardown);

static struct mp_reg_file *
parse_n(const void *buf, size_t len, const char *codepage)
{
	int rc = mp_reg_parse_buf(tu_ctx, "test.reg", buf, len, codepage, &f);
	cr_assert_eq(rc, MAPIPROF_OK, "parse failed: %s", mapiprof_errmsg(tu_ctx));
	return f;
}

static struct mp_reg_file *
parse(const char *text)
{
	return parse_n(text, strlen(text), NULL);
}

/* Asserts that buf fails with code and exactly msg, naming test.reg. */
static void
fails_n(const void *buf, size_t len, enum mapiprof_error code, const char *msg)
{
	struct mp_reg_file *g = NULL;
	int rc = mp_reg_parse_buf(tu_ctx, "test.reg", buf, len, NULL, &g);
	cr_assert_eq(rc, MAPIPROF_FAILED, "parse succeeded, expected '%s'", msg);
	cr_assert_null(g);
	cr_assert_eq(mapiprof_errcode(tu_ctx), code, "code %d for '%s'", mapiprof_errcode(tu_ctx),
	             mapiprof_errmsg(tu_ctx));
	cr_assert_str_eq(mapiprof_errmsg(tu_ctx), msg);
	cr_assert_not_null(mapiprof_errfile(tu_ctx));
	cr_assert_str_eq(mapiprof_errfile(tu_ctx), "test.reg");
}

static void
fails(const char *text, const char *msg)
{
	fails_n(text, strlen(text), MAPIPROF_E_FORMAT, msg);
}

static void
assert_data(const struct mp_reg_value *v, uint32_t type, const void *bytes, size_t len)
{
	cr_assert_eq(v->type, type, "value '%s': type %u, expected %u", v->name, v->type, type);
	cr_assert_eq(v->len, len, "value '%s': %zu bytes, expected %zu", v->name, (size_t)v->len,
	             len);
	if (len > 0)
		cr_assert_eq(memcmp(v->data, bytes, len), 0, "value '%s': data differs", v->name);
}

/* ---- header, encodings, line endings ---------------------------------- */

Test(reg_parse, v5_utf8_without_bom_reads_utf8_text)
{
	parse(V5 "[HKEY_CURRENT_USER\\K\xc3\xa4]\r\n\"n\"=\"\xe6\x97\xa5\"\r\n");
	cr_assert_eq(f->encoding, MP_REG_ENC_UTF8);
	cr_assert_eq(f->header, MP_REG_HDR_V5);
	cr_assert_eq(f->bom_len, 0);
	cr_assert_str_eq(f->blocks[0].comp[0], "K\xc3\xa4");
	assert_data(&f->values[0], MP_REG_SZ, "\xe5\x65\x00\x00", 4);
}

Test(reg_parse, utf8_bom_file_with_either_header_parses)
{
	parse("\xef\xbb\xbf" V5 "[HKCU\\A]\r\n@=\"x\"\r\n");
	cr_assert_eq(f->encoding, MP_REG_ENC_UTF8_BOM);
	cr_assert_eq(f->bom_len, 3);
	cr_assert_eq(f->header_span.off, 3);
	assert_data(&f->values[0], MP_REG_SZ, "x\0\0\0", 4);
	mp_reg_parse_free(f);
	f = NULL;
	/* REGEDIT4 in UTF-8: hex(2) payload bytes are UTF-8 text -> UTF-16LE. */
	parse("\xef\xbb\xbfREGEDIT4\n[HKCU\\A]\n\"e\"=hex(2):c3,a9,00\n");
	cr_assert_eq(f->header, MP_REG_HDR_REGEDIT4);
	assert_data(&f->values[0], MP_REG_EXPAND_SZ, "\xe9\0\0\0", 4);
}

Test(reg_parse, utf16le_with_bom_parses_and_spans_count_raw_bytes)
{
	size_t len = 0;
	uint8_t *buf = tu_utf16_bom(V5 "\r\n[HKEY_CURRENT_USER\\\xc3\x84rger]\r\n"
	                               "\"v\"=\"\xe6\x97\xa5\"\r\n",
	                            &len);
	parse_n(buf, len, NULL);
	free(buf);
	cr_assert_eq(f->encoding, MP_REG_ENC_UTF16LE);
	cr_assert_eq(f->bom_len, 2);
	cr_assert_eq(f->eol, MP_REG_EOL_CRLF);
	cr_assert_eq(f->nblocks, 1);
	cr_assert_str_eq(f->blocks[0].comp[0], "\xc3\x84rger");
	/* header line: 38 chars = 76 bytes after the BOM */
	cr_assert_eq(f->header_span.off, 2);
	cr_assert_eq(f->header_span.len, 76);
	/* line 2 blank (4 bytes), line 3 the key: 2 + 76 + 4 */
	cr_assert_eq(f->blocks[0].span.line, 3);
	cr_assert_eq(f->blocks[0].span.off, 82);
	cr_assert_eq(f->blocks[0].span.len, (strlen("[HKEY_CURRENT_USER\\Arger]") + 2) * 2);
	assert_data(&f->values[0], MP_REG_SZ, "\xe5\x65\x00\x00", 4);
	cr_assert_eq(f->values[0].span.off + f->values[0].span.len, f->rawlen);
}

Test(reg_parse, utf16le_hex2_payload_is_taken_as_utf16)
{
	size_t len = 0;
	uint8_t *buf = tu_utf16_bom("REGEDIT4\r\n[HKCU\\A]\r\n\"e\"=hex(2):41,00,00,00\r\n", &len);
	parse_n(buf, len, NULL);
	free(buf);
	cr_assert_eq(f->header, MP_REG_HDR_REGEDIT4);
	cr_assert_eq(f->encoding, MP_REG_ENC_UTF16LE);
	assert_data(&f->values[0], MP_REG_EXPAND_SZ, "A\0\0\0", 4);
}

Test(reg_parse, regedit4_reads_cp1252_text_and_converts_hex_text_payloads)
{
	parse("REGEDIT4\r\n[HKEY_CURRENT_USER\\Caf\xe9]\r\n\"n\xe9\"=\"\x80\"\r\n"
	      "\"m\"=hex(7):61,00,e9,00,00\r\n\"b\"=hex:e9\r\n");
	cr_assert_eq(f->encoding, MP_REG_ENC_CODEPAGE);
	cr_assert_str_eq(f->codepage, "WINDOWS-1252");
	cr_assert_str_eq(f->blocks[0].comp[0], "Caf\xc3\xa9");
	cr_assert_str_eq(f->values[0].name, "n\xc3\xa9");
	assert_data(&f->values[0], MP_REG_SZ, "\xac\x20\0\0", 4); /* U+20AC euro */
	assert_data(&f->values[1], MP_REG_MULTI_SZ, "a\0\0\0\xe9\0\0\0\0\0", 10);
	assert_data(&f->values[2], MP_REG_BINARY, "\xe9", 1); /* hex: stays bytes */
}

Test(reg_parse, regedit4_uses_the_callers_code_page)
{
	const char *text = "REGEDIT4\n[HKCU\\A]\n\"n\"=\"\xe9\"\n";
	parse_n(text, strlen(text), "CP1251");
	assert_data(&f->values[0], MP_REG_SZ, "\x39\x04\0\0", 4); /* U+0439 */
}

Test(reg_parse, lf_cr_and_crlf_line_ends_give_the_same_values)
{
	const char *texts[] = {
	    "REGEDIT4\r\n[HKCU\\A]\r\n\"x\"=dword:2\r\n",
	    "REGEDIT4\n[HKCU\\A]\n\"x\"=dword:2\n",
	    "REGEDIT4\r[HKCU\\A]\r\"x\"=dword:2\r",
	};
	enum mp_reg_eol eol[] = {MP_REG_EOL_CRLF, MP_REG_EOL_LF, MP_REG_EOL_CR};
	for (int i = 0; i < 3; i++) {
		parse(texts[i]);
		cr_assert_eq(f->eol, eol[i]);
		cr_assert_eq(f->nlines, 3);
		cr_assert_eq(f->final_newline, 1);
		cr_assert_eq(f->values[0].span.line, 3);
		assert_data(&f->values[0], MP_REG_DWORD, "\2\0\0\0", 4);
		mp_reg_parse_free(f);
		f = NULL;
	}
	parse("REGEDIT4\r\n[HKCU\\A]\n\"x\"=dword:2");
	cr_assert_eq(f->eol, MP_REG_EOL_MIXED);
	cr_assert_eq(f->final_newline, 0);
	cr_assert_eq(f->nvalues, 1);
}

Test(reg_parse, header_may_be_indented_and_stand_alone)
{
	parse(" \tREGEDIT4");
	cr_assert_eq(f->nblocks, 0);
	cr_assert_eq(f->nlines, 1);
	cr_assert_eq(f->eol, MP_REG_EOL_NONE);
}

/* ---- key lines ----------------------------------------------------------- */

Test(reg_parse, user_roots_map_to_the_hive_root)
{
	parse(V5
	      "[HKEY_CURRENT_USER\\Software\\A]\r\n[hkcu\\B]\r\n[HKEY_USERS\\S-1-5-21-1\\C\\D]\r\n"
	      "[hkey_current_user]\r\n[HKEY_USERS\\.DEFAULT]\r\n");
	cr_assert_eq(f->nblocks, 5);
	cr_assert_eq(f->blocks[0].root, MP_REG_ROOT_HKCU);
	cr_assert_eq(f->blocks[0].ncomp, 2);
	cr_assert_str_eq(f->blocks[0].comp[0], "Software");
	cr_assert_str_eq(f->blocks[0].comp[1], "A");
	cr_assert_str_eq(f->blocks[1].comp[0], "B");
	cr_assert_eq(f->blocks[2].root, MP_REG_ROOT_HKU);
	cr_assert_eq(f->blocks[2].ncomp, 2);
	cr_assert_str_eq(f->blocks[2].comp[0], "C");
	cr_assert_eq(f->blocks[3].ncomp, 0);
	cr_assert_eq(f->blocks[4].ncomp, 0);
	cr_assert_str_eq(f->blocks[2].path, "HKEY_USERS\\S-1-5-21-1\\C\\D");
}

Test(reg_parse, other_roots_keep_their_full_name)
{
	parse(V5 "[HKLM\\SOFTWARE\\X]\r\n[HKEY_CLASSES_ROOT\\.txt]\r\n[HKU]\r\n");
	cr_assert_eq(f->blocks[0].root, MP_REG_ROOT_HKLM);
	cr_assert_eq(f->blocks[0].ncomp, 3);
	cr_assert_str_eq(f->blocks[0].comp[0], "HKEY_LOCAL_MACHINE");
	cr_assert_str_eq(f->blocks[1].comp[0], "HKEY_CLASSES_ROOT");
	cr_assert_str_eq(f->blocks[2].comp[0], "HKEY_USERS");
	cr_assert_eq(f->blocks[2].ncomp, 1);
	cr_assert_str_eq(mp_reg_parse_root_name(MP_REG_ROOT_HKCC), "HKEY_CURRENT_CONFIG");
}

Test(reg_parse, key_paths_collapse_empty_components_and_end_at_the_last_bracket)
{
	parse(V5 "  [HKCU\\\\a\\\\b\\]\r\n[HKCU\\x]y] ;comment\r\n[HKCU\\sp ]\r\n");
	cr_assert_eq(f->blocks[0].ncomp, 2);
	cr_assert_str_eq(f->blocks[0].comp[1], "b");
	cr_assert_str_eq(f->blocks[1].comp[0], "x]y");
	cr_assert_str_eq(f->blocks[2].comp[0], "sp ");
}

Test(reg_parse, delete_key_lines_are_marked)
{
	parse(V5 "[-HKCU\\A\\B]\r\n\"ignored\"=\"x\"\r\n[HKCU\\A]\r\n");
	cr_assert_eq(f->blocks[0].is_delete, 1);
	cr_assert_eq(f->blocks[0].ncomp, 2);
	cr_assert_str_eq(f->blocks[0].path, "HKCU\\A\\B");
	cr_assert_eq(f->blocks[0].nvalues, 1);
	cr_assert_eq(f->blocks[1].is_delete, 0);
}

Test(reg_parse, repeated_blocks_for_one_key_are_kept_in_file_order)
{
	parse(V5 "[HKCU\\A]\r\n\"x\"=dword:1\r\n[HKCU\\B]\r\n[hkcu\\a]\r\n\"x\"=dword:2\r\n");
	cr_assert_eq(f->nblocks, 3);
	cr_assert_eq(f->blocks[2].first_value, 1);
	cr_assert_eq(f->blocks[2].nvalues, 1);
	cr_assert_eq(f->values[1].block, 2);
}

/* ---- value lines --------------------------------------------------------- */

Test(reg_parse, strings_resolve_escapes_and_get_a_terminator)
{
	parse(V5 "[HKCU\\A]\r\n\"a\\\\b\\\"c\"=\"C:\\\\x \\\"q\\\" ;#\"\r\n\"e\"=\"\"\r\n"
	         "\"nl\"=\"1\\n2\\r\"\r\n");
	cr_assert_str_eq(f->values[0].name, "a\\b\"c");
	cr_assert_eq(f->values[0].syntax, MP_REG_SYN_STRING);
	const char want[] = "C\0:\0\\\0x\0 \0\"\0q\0\"\0 \0;\0#\0\0";
	assert_data(&f->values[0], MP_REG_SZ, want, sizeof(want));
	assert_data(&f->values[1], MP_REG_SZ, "\0\0", 2);
	assert_data(&f->values[2], MP_REG_SZ,
	            "1\0\n\0"
	            "2\0\r\0\0\0",
	            10);
}

Test(reg_parse, default_value_forms_and_whitespace_around_tokens)
{
	parse(V5 "[HKCU\\A]\r\n\t@\t=\tdword:\t00000008\t\r\n\"\"=\"d\" ; c\r\n"
	         "  \"n\" = hex(b):01\r\n");
	cr_assert_str_eq(f->values[0].name, "");
	cr_assert_eq(f->values[0].is_default, 1);
	assert_data(&f->values[0], MP_REG_DWORD, "\x08\0\0\0", 4);
	cr_assert_str_eq(f->values[1].name, "");
	cr_assert_eq(f->values[1].is_default, 0);
	assert_data(&f->values[2], MP_REG_QWORD, "\1", 1);
}

Test(reg_parse, dword_takes_one_to_eight_digits_and_a_comment)
{
	parse(V5 "[HKCU\\A]\r\n\"a\"=dword:1\r\n\"b\"=dword:FFFFFFFF\r\n\"c\"=dword:1234;5678\r\n");
	assert_data(&f->values[0], MP_REG_DWORD, "\1\0\0\0", 4);
	assert_data(&f->values[1], MP_REG_DWORD, "\xff\xff\xff\xff", 4);
	assert_data(&f->values[2], MP_REG_DWORD, "\x34\x12\0\0", 4);
	cr_assert_eq(f->values[2].syntax, MP_REG_SYN_DWORD);
}

Test(reg_parse, hex_types_of_any_number_keep_their_bytes)
{
	parse(V5 "[HKCU\\A]\r\n\"b\"=hex:de,AD,0,f\r\n\"z\"=hex(0):\r\n\"t\"=hex(100):25,00\r\n"
	         "\"m\"=hex(ffffffff):01,\r\n\"q\"=hex(b):01,00,00,00,00,00,00,00\r\n"
	         "\"s\"=hex(1):41,00\r\n");
	assert_data(&f->values[0], MP_REG_BINARY, "\xde\xad\x00\x0f", 4);
	assert_data(&f->values[1], 0, "", 0);
	assert_data(&f->values[2], 0x100, "%\0", 2);
	assert_data(&f->values[3], 0xffffffffu, "\1", 1);
	assert_data(&f->values[4], MP_REG_QWORD, "\1\0\0\0\0\0\0\0", 8);
	/* no terminator is added to hex(1) data (a Windows import adds one) */
	assert_data(&f->values[5], MP_REG_SZ, "A\0", 2);
	cr_assert_eq(f->values[5].syntax, MP_REG_SYN_HEX);
}

Test(reg_parse, continuation_lines_join_and_the_span_covers_them)
{
	parse(V5 "[HKCU\\A]\r\n\"b\"=hex:01,02,\\\r\n  03,\\ ; c\r\n\r\n; between\r\n"
	         "\t04\r\n\"n\"=hex(2):\\\r\n  41,00,00,00\r\n\"e\"=hex:05,\\\r\n");
	assert_data(&f->values[0], MP_REG_BINARY, "\1\2\3\4", 4);
	cr_assert_eq(f->values[0].span.line, 3);
	cr_assert_eq(f->values[0].span.nlines, 5);
	cr_assert_eq(f->values[1].span.line, 8);
	cr_assert_eq(f->values[1].span.nlines, 2);
	assert_data(&f->values[1], MP_REG_EXPAND_SZ, "A\0\0\0", 4);
	/* end of file right after the backslash keeps the bytes seen */
	assert_data(&f->values[2], MP_REG_BINARY, "\5", 1);
	cr_assert_eq(f->values[2].span.off + f->values[2].span.len, f->rawlen);
}

Test(reg_parse, deletion_lines_are_recorded)
{
	parse(V5 "[HKCU\\A]\r\n\"x\"=-\r\n@ =  \t-\t ;gone\r\n");
	cr_assert_eq(f->nvalues, 2);
	cr_assert_eq(f->values[0].syntax, MP_REG_SYN_DELETE);
	cr_assert_str_eq(f->values[0].name, "x");
	cr_assert_eq(f->values[1].syntax, MP_REG_SYN_DELETE);
	cr_assert_eq(f->values[1].is_default, 1);
}

Test(reg_parse, comments_and_blank_lines_are_skipped_and_do_not_end_a_block)
{
	parse(V5 "; top\r\n\r\n[HKCU\\A]\r\n\r\n  ; c\r\n# hash\r\n\"x\"=dword:1\r\n\r\n");
	cr_assert_eq(f->nblocks, 1);
	cr_assert_eq(f->blocks[0].nvalues, 1);
	cr_assert_eq(f->values[0].span.line, 8);
}

Test(reg_parse, spans_give_exact_lines_and_bytes)
{
	const char *text = V5 "\r\n[HKCU\\A]\r\n\"x\"=dword:1\r\n\r\n[HKCU\\B]\r\n\"y\"=\"z\"\r\n";
	parse(text);
	cr_assert_eq(f->rawlen, strlen(text));
	cr_assert_eq(memcmp(f->raw, text, f->rawlen), 0);
	const struct mp_reg_block *a = &f->blocks[0], *b = &f->blocks[1];
	cr_assert_eq(a->span.line, 3);
	cr_assert_eq(a->span.nlines, 1);
	cr_assert_eq(a->span.off, strlen(V5 "\r\n"));
	cr_assert_eq(a->span.len, strlen("[HKCU\\A]\r\n"));
	cr_assert_eq(a->body.nlines, 3); /* key line, value, blank line */
	cr_assert_eq(a->body.off + a->body.len, b->span.off);
	const struct mp_reg_value *y = &f->values[1];
	cr_assert_eq(y->span.line, 7);
	cr_assert_eq(memcmp(f->raw + y->span.off, "\"y\"=\"z\"\r\n", y->span.len), 0);
	cr_assert_eq(b->body.off + b->body.len, f->rawlen);
	cr_assert_eq(b->body.nlines, 2);
	cr_assert_eq(f->nlines, 7);
}

/* ---- errors, each naming its line --------------------------------------- */

Test(reg_parse, unterminated_strings_are_errors)
{
	fails(V5 "[HKCU\\A]\r\n\"x=\"y\r\n", "line 3: missing '=' after the value name");
	fails(V5 "[HKCU\\A]\r\n\"x\"=\"y\r\n", "line 3: unterminated string");
	fails(V5 "[HKCU\\A]\r\n\r\n\"x\r\n", "line 4: unterminated string");
	fails(V5 "[HKCU\\A]\r\n\"x\"=\"y\\\r\n\"\r\n", "line 3: unterminated string");
}

Test(reg_parse, bad_hex_data_is_an_error)
{
	fails(V5 "[HKCU\\A]\r\n\"x\"=hex:zz\r\n", "line 3: bad hex data");
	fails(V5 "[HKCU\\A]\r\n\"x\"=hex:01,,02\r\n", "line 3: bad hex data");
	fails(V5 "[HKCU\\A]\r\n\"x\"=hex:01 02\r\n", "line 3: missing ',' between hex bytes");
	fails(V5 "[HKCU\\A]\r\n\"x\"=hex:0x01\r\n", "line 3: bad hex data");
	fails(V5 "[HKCU\\A]\r\n\"x\"=hex(0x2):00\r\n",
	      "line 3: bad hex(N) type (N is 1 to 8 hex digits)");
	fails(V5 "[HKCU\\A]\r\n\"x\"=hex(100000000):00\r\n",
	      "line 3: bad hex(N) type (N is 1 to 8 hex digits)");
}

Test(reg_parse, hex_byte_above_ff_is_an_error)
{
	fails(V5 "[HKCU\\A]\r\n\"x\"=hex:01,100\r\n", "line 3: hex byte greater than ff");
	fails(V5 "[HKCU\\A]\r\n\"x\"=hex:01,\\\r\n  1a4\r\n", "line 4: hex byte greater than ff");
}

Test(reg_parse, broken_continuations_are_errors)
{
	fails(V5 "[HKCU\\A]\r\n\"x\"=hex:01,65\\\r\n  02\r\n", "line 3: missing ',' before '\\'");
	fails(V5 "[HKCU\\A]\r\n\"x\"=hex:01,\\\r\n\"y\"=dword:1\r\n",
	      "line 4: bad continuation line in hex data");
	fails(V5 "[HKCU\\A]\r\n\"x\"=hex:01,\\\r\n  ,02\r\n",
	      "line 4: bad continuation line in hex data");
	fails(V5 "[HKCU\\A]\r\n\"x\"=hex:01,\\\r\n#c\r\n  02\r\n",
	      "line 4: bad continuation line in hex data");
	fails(V5 "[HKCU\\A]\r\n\"x\"=hex:01,\\ #c\r\n  02\r\n", "line 3: text after '\\'");
	/* line numbers stay right after a good multi-line value */
	fails(V5 "[HKCU\\A]\r\n\"x\"=hex:01,\\\r\n  02\r\n\"y\"=dword:\r\n",
	      "line 5: dword: needs 1 to 8 hex digits");
}

Test(reg_parse, odd_length_utf16_file_is_an_error)
{
	size_t len = 0;
	uint8_t *buf = tu_utf16_bom("REGEDIT4\r\n", &len);
	fails_n(buf, len - 1, MAPIPROF_E_FORMAT, "odd-length UTF-16 file (21 bytes)");
	free(buf);
}

Test(reg_parse, utf16_without_bom_and_big_endian_are_errors)
{
	size_t len = 0;
	uint8_t *buf = tu_utf16_bom("REGEDIT4\r\n", &len);
	fails_n(buf + 2, len - 2, MAPIPROF_E_FORMAT,
	        "line 1: UTF-16 text without a byte order mark");
	buf[0] = 0xFE;
	buf[1] = 0xFF;
	fails_n(buf, len, MAPIPROF_E_FORMAT, "big-endian UTF-16 is not supported");
	free(buf);
}

Test(reg_parse, headers_other_than_the_two_known_are_errors)
{
	fails("", "line 1: empty file, no header");
	fails("regedit4\r\n", "line 1: missing header (REGEDIT4 or " V5_TEXT ")");
	fails("\r\nREGEDIT4\r\n", "line 1: missing header (REGEDIT4 or " V5_TEXT ")");
	fails("Windows Registry Editor version 5.00\r\n",
	      "line 1: missing header (REGEDIT4 or " V5_TEXT ")");
	fails("REGEDIT5\r\n", "line 1: unsupported header 'REGEDIT5'");
	fails("REGEDIT4 \r\n", "line 1: unsupported header 'REGEDIT4 '");
	fails("REGEDIT\r\n", "line 1: unsupported header 'REGEDIT'");
	fails("[HKCU\\A]\r\n", "line 1: missing header (REGEDIT4 or " V5_TEXT ")");
}

Test(reg_parse, nul_characters_are_errors)
{
	const char t[] = V5 "[HKCU\\A]\r\n\"x\"=\"a\0b\"\r\n";
	fails_n(t, sizeof(t) - 1, MAPIPROF_E_FORMAT, "line 3: NUL character");
	size_t len = 0;
	uint8_t *buf = tu_utf16_bom(V5 "[HKCU\\A]\r\n\"x\"=\"ab\"\r\n", &len);
	buf[len - 8] = 0; /* the 'b' */
	fails_n(buf, len, MAPIPROF_E_FORMAT, "line 3: NUL character");
	free(buf);
}

Test(reg_parse, line_longer_than_the_cap_is_an_error)
{
	size_t n = strlen(V5) + MP_MAX_REG_LINE + 16;
	char *t = malloc(n);
	cr_assert_not_null(t);
	memcpy(t, V5, strlen(V5));
	memset(t + strlen(V5), ';', n - strlen(V5));
	char msg[64];
	snprintf(msg, sizeof(msg), "line 2: line longer than %u bytes", MP_MAX_REG_LINE);
	fails_n(t, n, MAPIPROF_E_LIMIT, msg);
	free(t);
}

Test(reg_parse, file_larger_than_the_cap_is_refused_before_reading)
{
	char msg[64];
	snprintf(msg, sizeof(msg), "file larger than %u bytes", MP_MAX_REG_FILE);
	fails_n("", (size_t)MP_MAX_REG_FILE + 1, MAPIPROF_E_LIMIT, msg);
	char path[512];
	snprintf(path, sizeof(path), "%s/big.reg", tu_tmp);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	cr_assert_geq(fd, 0);
	cr_assert_eq(ftruncate(fd, (off_t)MP_MAX_REG_FILE + 1), 0); /* sparse */
	close(fd);
	cr_assert_eq(mp_reg_parse_file(tu_ctx, path, NULL, &f), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_LIMIT);
	cr_assert_str_eq(mapiprof_errfile(tu_ctx), path);
}

Test(reg_parse, value_line_before_any_key_is_an_error)
{
	fails(V5 "\"x\"=dword:1\r\n", "line 2: value line before any key");
	fails(V5 "; c\r\n@=\"x\"\r\n", "line 3: value line before any key");
}

Test(reg_parse, bad_key_lines_are_errors)
{
	fails(V5 "[HKEY_CURRENT_USERS\\A]\r\n", "line 2: unknown root key 'HKEY_CURRENT_USERS'");
	fails(V5 "[ HKCU\\A]\r\n", "line 2: blank after '['");
	fails(V5 "[- HKCU\\A]\r\n", "line 2: blank after '[-'");
	fails(V5 "[HKCU\\A\r\n", "line 2: missing ']'");
	fails(V5 "[HKCU\\A] x\r\n", "line 2: text after ']'");
	fails(V5 "[]\r\n", "line 2: empty key path");
	fails(V5 "[-HKEY_CURRENT_USER]\r\n", "line 2: cannot delete a root key");
	fails(V5 "[-HKEY_USERS\\S-1-5-18]\r\n", "line 2: cannot delete a root key");
}

Test(reg_parse, key_paths_past_the_registry_limits_are_errors)
{
	char *t = malloc(8192);
	cr_assert_not_null(t);
	strcpy(t, V5 "[HKCU");
	for (unsigned i = 0; i <= MP_MAX_KEY_DEPTH; i++)
		strcat(t, "\\k");
	strcat(t, "]\r\n");
	fails_n(t, strlen(t), MAPIPROF_E_LIMIT, "line 2: key path deeper than 512 keys");
	strcpy(t, V5 "[HKCU\\");
	memset(t + strlen(t), 'n', 256);
	strcpy(t + strlen(V5) + 6 + 256, "]\r\n");
	fails_n(t, strlen(t), MAPIPROF_E_LIMIT, "line 2: key name longer than 255 characters");
	free(t);
}

Test(reg_parse, bad_value_data_is_an_error)
{
	fails(V5 "[HKCU\\A]\r\n\"x\"=dword:000000001\r\n",
	      "line 3: dword: needs 1 to 8 hex digits");
	fails(V5 "[HKCU\\A]\r\n\"x\"=dword:0x1\r\n",
	      "line 3: unexpected text after the value data");
	fails(V5 "[HKCU\\A]\r\n\"x\"=dword:1 #c\r\n",
	      "line 3: unexpected text after the value data");
	fails(V5 "[HKCU\\A]\r\n\"x\"=\"a\"b\r\n", "line 3: unexpected text after the value data");
	fails(V5 "[HKCU\\A]\r\n\"x\"=-\"a\"\r\n", "line 3: unexpected text after the value data");
	fails(V5 "[HKCU\\A]\r\n\"x\"=str:\"a\"\r\n", "line 3: unknown value data type");
	fails(V5 "[HKCU\\A]\r\n\"x\"=\r\n", "line 3: missing value data");
	fails(V5 "[HKCU\\A]\r\n\"x\"=\"a\\qb\"\r\n", "line 3: unknown escape '\\q'");
	fails(V5 "[HKCU\\A]\r\n\"x\"=\"a\\0\"\r\n", "line 3: unknown escape '\\0'");
	fails(V5 "[HKCU\\A]\r\nx=1\r\n", "line 3: unrecognised line");
}

Test(reg_parse, text_not_in_the_encoding_is_an_error)
{
	fails(V5 "[HKCU\\A]\r\n\"x\"=\"\xc3\"\r\n", "line 3: invalid UTF-8");
	fails("REGEDIT4\r\n[HKCU\\A]\r\n\"x\"=\"\x81\"\r\n",
	      "line 3: text not valid in code page WINDOWS-1252");
	struct mp_reg_file *g = NULL;
	cr_assert_eq(mp_reg_parse_buf(tu_ctx, "t", "REGEDIT4\n", 9, "NO-SUCH-CP", &g),
	             MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_CODEPAGE);
}

Test(reg_parse, missing_file_is_reported_with_its_name)
{
	cr_assert_eq(mp_reg_parse_file(tu_ctx, "/nonexistent/x.reg", NULL, &f), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_NOENT);
	cr_assert_str_eq(mapiprof_errfile(tu_ctx), "/nonexistent/x.reg");
}

/* ---- the .reg store ----------------------------------------------------- */

static struct mp_store *
store_from(const char *text)
{
	struct mp_reg_file *g = NULL;
	cr_assert_eq(mp_reg_parse_buf(tu_ctx, "test.reg", text, strlen(text), NULL, &g),
	             MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mp_store_reg_from_parsed(tu_ctx, g, &st), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	return st;
}

static mp_key
lookup(const char *path)
{
	mp_key root = 0, key = 0;
	cr_assert_eq(st->ops->root(st, &root), MAPIPROF_OK);
	cr_assert_eq(mp_store_path(st, root, path, &key), MAPIPROF_OK);
	return key;
}

/* "name=type:hexbytes;..." of every value of path, in store order. */
static char *
describe(const char *path)
{
	mp_key k = lookup(path);
	cr_assert_neq(k, 0, "key %s not found", path);
	struct mp_value *v = NULL;
	size_t n = 0;
	cr_assert_eq(st->ops->values(st, k, &v, &n), MAPIPROF_OK);
	static char out[1024];
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t used = strlen(out);
		snprintf(out + used, sizeof(out) - used, "%s=%u:", v[i].name, v[i].type);
		for (size_t j = 0; j < v[i].len; j++) {
			used = strlen(out);
			snprintf(out + used, sizeof(out) - used, "%02x", v[i].data[j]);
		}
		strncat(out, ";", sizeof(out) - strlen(out) - 1);
	}
	mp_store_values_free(v, n);
	return out;
}

static char *
child_names(const char *path)
{
	mp_key k = lookup(path), *kids = NULL;
	size_t n = 0;
	cr_assert_neq(k, 0);
	cr_assert_eq(st->ops->children(st, k, &kids, &n), MAPIPROF_OK);
	static char out[1024];
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char *name = NULL;
		cr_assert_eq(st->ops->key_name(st, kids[i], &name), MAPIPROF_OK);
		strncat(out, name, sizeof(out) - strlen(out) - 2);
		strcat(out, ",");
		free(name);
	}
	free(kids);
	return out;
}

Test(store_reg, paths_are_found_case_insensitively_from_the_user_root)
{
	store_from(V5 "[HKEY_CURRENT_USER\\Software\\Microsoft\\Office]\r\n\"v\"=dword:1\r\n"
	              "[HKEY_USERS\\S-1-5-21-9\\Software\\\xc3\x84rger]\r\n");
	cr_assert_str_eq(st->ops->format, "reg");
	cr_assert_neq(lookup("SOFTWARE\\microsoft\\OFFICE"), 0);
	cr_assert_neq(lookup("software\\\xc3\xa4RGER"), 0);
	cr_assert_eq(lookup("Software\\Nope"), 0);
	cr_assert_str_eq(child_names("Software"), "Microsoft,\xc3\x84rger,");
	int64_t t = 1;
	cr_assert_eq(st->ops->key_mtime(st, lookup("Software"), &t), MAPIPROF_OK);
	cr_assert_eq(t, 0);
	cr_assert_null(st->ops->add_child);
	cr_assert_null(st->ops->set_values);
	cr_assert_null(st->ops->write_to);
}

Test(store_reg, other_roots_hang_below_a_child_named_by_the_root)
{
	store_from(V5 "[HKLM\\SOFTWARE\\X]\r\n\"v\"=dword:1\r\n[HKCU\\Y]\r\n");
	cr_assert_str_eq(child_names(""), "HKEY_LOCAL_MACHINE,Y,");
	cr_assert_str_eq(describe("HKEY_LOCAL_MACHINE\\SOFTWARE\\X"), "v=4:01000000;");
}

Test(store_reg, repeated_blocks_merge_and_later_assignments_override_in_place)
{
	store_from(V5 "[HKCU\\A]\r\n\"x\"=dword:1\r\n\"y\"=dword:2\r\n[HKCU\\B]\r\n"
	              "[hkcu\\a]\r\n\"X\"=\"s\"\r\n\"z\"=hex:\r\n");
	cr_assert_str_eq(describe("A"), "x=1:73000000;y=4:02000000;z=3:;");
	cr_assert_str_eq(child_names(""), "A,B,");
}

Test(store_reg, deletions_apply_in_file_order)
{
	store_from(V5 "[HKCU\\A]\r\n\"x\"=dword:1\r\n\"y\"=dword:2\r\n\"w\"=dword:3\r\n"
	              "[HKCU\\A\\Sub\\Deep]\r\n\"d\"=dword:4\r\n"
	              "[HKCU\\A]\r\n\"x\"=-\r\n\"nothere\"=-\r\n\"x\"=dword:5\r\n"
	              "[-HKCU\\A\\Sub]\r\n\"ignored\"=dword:6\r\n"
	              "[HKCU\\A\\sub]\r\n\"n\"=dword:7\r\n[-HKCU\\Never\\There]\r\n");
	cr_assert_str_eq(describe("A"), "y=4:02000000;w=4:03000000;x=4:05000000;");
	cr_assert_str_eq(child_names("A"), "sub,");
	cr_assert_eq(lookup("A\\Sub\\Deep"), 0);
	cr_assert_str_eq(describe("A\\Sub"), "n=4:07000000;");
}

Test(store_reg, store_opens_a_file_and_keeps_the_parsed_file)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/t.reg", tu_tmp);
	size_t len = 0;
	uint8_t *buf = tu_utf16_bom(V5 "\r\n[HKEY_CURRENT_USER\\Software\\T]\r\n@=\"v\"\r\n", &len);
	cr_assert_eq(tu_write(path, buf, len), 0);
	free(buf);
	cr_assert_eq(mp_reg_parse_store(tu_ctx, path, NULL, &st), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_str_eq(describe("software\\t"), "=1:76000000;");
	const struct mp_reg_file *g = mp_store_reg_file(st);
	cr_assert_not_null(g);
	cr_assert_eq(g->encoding, MP_REG_ENC_UTF16LE);
	cr_assert_str_eq(st->path, path);
}

Test(store_reg, open_failures_name_the_file_and_line)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/bad.reg", tu_tmp);
	const char *text = V5 "[HKCU\\A]\r\n\"x\"=hex:1ff\r\n";
	cr_assert_eq(tu_write(path, text, strlen(text)), 0);
	cr_assert_eq(mp_reg_parse_store(tu_ctx, path, NULL, &st), MAPIPROF_FAILED);
	cr_assert_null(st);
	cr_assert_str_eq(mapiprof_errmsg(tu_ctx), "line 3: hex byte greater than ff");
	cr_assert_str_eq(mapiprof_errfile(tu_ctx), path);
}

Test(store_reg, bad_handles_are_refused)
{
	store_from(V5 "[HKCU\\A]\r\n");
	mp_key *kids = NULL;
	size_t n = 0;
	cr_assert_eq(st->ops->children(st, 0, &kids, &n), MAPIPROF_FAILED);
	cr_assert_eq(st->ops->children(st, 99, &kids, &n), MAPIPROF_FAILED);
	cr_assert_eq(mapiprof_errcode(tu_ctx), MAPIPROF_E_INVALID);
}

/* ---- the lazy parse of a file (mp_reg_parse_file) ------------------------- */

/* Parses path both ways: lazily from the file (*lazy) and eagerly from its
 * bytes (*eager); the caller frees both. */
static void
parse_both(const char *path, struct mp_reg_file **lazy, struct mp_reg_file **eager)
{
	size_t len = 0;
	char *bytes = tu_read(path, &len);
	cr_assert_not_null(bytes);
	cr_assert_eq(mp_reg_parse_file(tu_ctx, path, NULL, lazy), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(mp_reg_parse_buf(tu_ctx, path, bytes, len, NULL, eager), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	free(bytes);
}

Test(reg_parse, a_lazy_parse_decodes_each_block_as_the_eager_one_does)
{
	static const char *const built[] = {"exchange-mapi-utf16.reg", "exchange-mapi-regedit4.reg",
	                                    "hand-edited-utf16.reg", "hand-edited-regedit4.reg",
	                                    "hand-edited-mixed.reg"};
	static const char *const src[] = {"every-type.reg", "hostile-names.reg", "hand-edited.reg"};
	for (size_t k = 0; k < 8; k++) {
		char *path = k < 5 ? tu_stage_built(built[k]) : tu_stage_src(src[k - 5]);
		struct mp_reg_file *lazy = NULL, *eager = NULL;
		parse_both(path, &lazy, &eager);
		cr_assert_null(lazy->values, "%s", path);
		cr_assert_eq(lazy->ndecoded, 0);
		cr_assert_eq(lazy->nvalues, eager->nvalues, "%s", path);
		cr_assert_gt(lazy->nvalues, 0, "%s", path);
		cr_assert_eq(lazy->fingerprint != 0, 1);
		cr_assert_eq(lazy->nblocks, eager->nblocks, "%s", path);
		for (size_t b = 0; b < lazy->nblocks; b++) {
			const struct mp_reg_block *lb = &lazy->blocks[b], *eb = &eager->blocks[b];
			cr_assert_eq(lb->nvalues, eb->nvalues, "%s block %zu", path, b);
			cr_assert_eq(lb->vend, eb->vend, "%s block %zu", path, b);
			cr_assert_eq(lazy->decode(lazy, tu_ctx, b), MAPIPROF_OK, "%s",
			             mapiprof_errmsg(tu_ctx));
			for (size_t j = 0; j < lb->nvalues; j++) {
				const struct mp_reg_value *l = &lb->values[j], *e = &eb->values[j];
				cr_assert_str_eq(l->name, e->name, "%s block %zu", path, b);
				cr_assert_eq(l->type, e->type);
				cr_assert_eq(l->syntax, e->syntax);
				cr_assert_eq(l->is_default, e->is_default);
				cr_assert_eq(l->block, e->block);
				cr_assert_eq(memcmp(&l->span, &e->span, sizeof(l->span)), 0);
				cr_assert_eq(l->len, e->len, "%s value %s", path, e->name);
				cr_assert(e->len == 0 || memcmp(l->data, e->data, e->len) == 0);
			}
		}
		cr_assert_eq(lazy->ndecoded, lazy->nvalues, "%s", path);
		mp_reg_parse_free(lazy);
		mp_reg_parse_free(eager);
		free(path);
	}
}

Test(store_reg, values_are_decoded_only_for_the_keys_read)
{
	/* A profile key and, around it, keys whose values nobody asks for; one
	 * of them has a value that only decoding would turn into bytes. */
	static const char text[] = V5
	    "\r\n[HKEY_CURRENT_USER\\Software\\Big]\r\n"
	    "\"a\"=hex:01,02,03,\\\r\n  04,05\r\n\"b\"=\"text\"\r\n\"c\"=dword:00000001\r\n"
	    "\r\n[HKEY_CURRENT_USER\\Software\\Profiles\\P\\0a0d020000000000c000000000000046]\r\n"
	    "\"x\"=dword:00000002\r\n\"y\"=\"z\"\r\n"
	    "\r\n[HKEY_CURRENT_USER\\Software\\Other]\r\n\"d\"=hex(7):61,00,00,00,00,00\r\n";
	char *path = tu_tmp_write("lazy.reg", text, sizeof(text) - 1);
	struct mp_reg_file *g = NULL;
	cr_assert_eq(mp_reg_parse_file(tu_ctx, path, NULL, &g), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(g->nvalues, 6);
	cr_assert_eq(g->ndecoded, 0);
	cr_assert_eq(mp_store_reg_from_parsed(tu_ctx, g, &st), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	mp_key root = 0, key = 0;
	cr_assert_eq(st->ops->root(st, &root), MAPIPROF_OK);
	cr_assert_eq(mp_store_path(st, root,
	                           "Software\\Profiles\\P\\0a0d020000000000c000000000000046", &key),
	             MAPIPROF_OK);
	cr_assert_neq(key, 0);
	cr_assert_eq(g->ndecoded, 0, "building the tree decoded values");
	struct mp_value *vals = NULL;
	size_t n = 0;
	cr_assert_eq(st->ops->values(st, key, &vals, &n), MAPIPROF_OK, "%s",
	             mapiprof_errmsg(tu_ctx));
	cr_assert_eq(n, 2);
	cr_assert_str_eq(vals[1].name, "y");
	mp_store_values_free(vals, n);
	/* Only the two lines of the key read were decoded. */
	cr_assert_eq(g->ndecoded, 2);
	cr_assert_null(g->blocks[0].values);
	cr_assert_not_null(g->blocks[1].values);
	cr_assert_null(g->blocks[2].values);
	/* Reading it again decodes nothing more. */
	cr_assert_eq(st->ops->values(st, key, &vals, &n), MAPIPROF_OK);
	mp_store_values_free(vals, n);
	cr_assert_eq(g->ndecoded, 2);
	free(path);
}

Test(reg_parse, a_lazy_parse_still_refuses_a_bad_value_line_of_any_key)
{
	static const char *const bad[] = {
	    V5 "[HKEY_CURRENT_USER\\Software\\x]\r\n\"a\"=hex:01,0g\r\n",
	    V5 "[HKEY_CURRENT_USER\\Software\\x]\r\n\"a\"=\"x\\q\"\r\n",
	    V5 "[HKEY_CURRENT_USER\\Software\\x]\r\n\"a\"=dword:123456789\r\n",
	    V5 "[HKEY_CURRENT_USER\\Software\\x]\r\n\"a\"=hex:01,\\\r\n  02,zz\r\n",
	};
	static const char *const msg[] = {
	    "line 3: bad hex data",
	    "line 3: unknown escape '\\q'",
	    "line 3: dword: needs 1 to 8 hex digits",
	    "line 4: bad hex data",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *path = tu_tmp_write("bad.reg", bad[i], strlen(bad[i]));
		struct mp_reg_file *g = NULL;
		cr_assert_eq(mp_reg_parse_file(tu_ctx, path, NULL, &g), MAPIPROF_FAILED);
		cr_assert_null(g);
		cr_assert_str_eq(mapiprof_errmsg(tu_ctx), msg[i]);
		cr_assert_str_eq(mapiprof_errfile(tu_ctx), path);
		free(path);
	}
}

/* One character of the scanner test: its UTF-16LE units and its UTF-8
 * bytes (NULL: no UTF-8 form, the file must be refused). */
struct special {
	const char *name;
	uint8_t u16[4];
	size_t n16;
	const char *u8;
};

/* text (ASCII, '~' standing for sp) as UTF-16LE with a BOM, and as UTF-8
 * with a BOM; both malloc'd. */
static void
encode_special(const char *s, const struct special *sp, uint8_t **u16, size_t *len16, uint8_t **u8,
               size_t *len8)
{
	size_t n = strlen(s);
	*u16 = malloc(4 * n + 2);
	*u8 = malloc(4 * n + 3);
	cr_assert(*u16 != NULL && *u8 != NULL);
	size_t a = 0, b = 0;
	(*u16)[a++] = 0xFF, (*u16)[a++] = 0xFE;
	(*u8)[b++] = 0xEF, (*u8)[b++] = 0xBB, (*u8)[b++] = 0xBF;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '~') {
			memcpy(*u16 + a, sp->u16, sp->n16);
			a += sp->n16;
			size_t l = sp->u8 != NULL ? strlen(sp->u8) : 0;
			memcpy(*u8 + b, sp->u8 != NULL ? sp->u8 : "", l);
			b += l;
		} else {
			(*u16)[a++] = (uint8_t)s[i], (*u16)[a++] = 0x00;
			(*u8)[b++] = (uint8_t)s[i];
		}
	}
	*len16 = a;
	*len8 = b;
}

/* s (ASCII, and '~' standing for U+00E9) as UTF-16LE with a BOM, and as
 * UTF-8 with a BOM; *len their sizes.  Both malloc'd. */
static void
both_encodings(const char *s, uint8_t **u16, size_t *len16, uint8_t **u8, size_t *len8)
{
	static const struct special e_acute = {"U+00E9", {0xE9, 0x00}, 2, "\xC3\xA9"};
	encode_special(s, &e_acute, u16, len16, u8, len8);
}

/* A UTF-16 file reads as its UTF-8 twin wherever a line's end, a
 * character outside ASCII or a line's length falls (the reader takes
 * plain ASCII text several code units at a time). */
Test(reg_parse, utf16_lines_read_as_utf8_wherever_their_characters_fall)
{
	const char *eols[] = {"\r\n", "\n", "\r"};
	for (size_t j = 0; j < 9; j++) {
		for (size_t e = 0; e < 3; e++) {
			char pad[16] = "", text[512];
			memset(pad, 'x', j);
			snprintf(
			    text, sizeof(text),
			    "Windows Registry Editor Version 5.00%s%s[HKEY_CURRENT_USER\\K%s]%s"
			    "\"n%s~\"=\"v%s~%s\"%s\"%s\"=hex:0%zu,\\%s  "
			    "1f%s[HKEY_CURRENT_USER\\%s]%s",
			    eols[e], eols[e], pad, eols[e], pad, pad, pad, eols[e], pad, j % 10,
			    eols[e], eols[e], pad + (j > 0 ? 1 : 0), eols[e]);
			uint8_t *u16 = NULL, *u8 = NULL;
			size_t l16 = 0, l8 = 0;
			both_encodings(text, &u16, &l16, &u8, &l8);
			struct mp_reg_file *a = NULL, *b = NULL;
			cr_assert_eq(mp_reg_parse_buf(tu_ctx, "t16", u16, l16, NULL, &a),
			             MAPIPROF_OK, "j %zu eol %zu: %s", j, e,
			             mapiprof_errmsg(tu_ctx));
			cr_assert_eq(mp_reg_parse_buf(tu_ctx, "t8", u8, l8, NULL, &b), MAPIPROF_OK,
			             "%s", mapiprof_errmsg(tu_ctx));
			cr_assert_eq(a->nblocks, b->nblocks);
			cr_assert_eq(a->nvalues, b->nvalues);
			cr_assert_eq(a->nlines, b->nlines);
			for (size_t k = 0; k < a->nblocks; k++)
				cr_assert_str_eq(a->blocks[k].path, b->blocks[k].path);
			for (size_t k = 0; k < a->nvalues; k++) {
				cr_assert_str_eq(a->values[k].name, b->values[k].name);
				cr_assert_eq(a->values[k].len, b->values[k].len);
				cr_assert_eq(
				    memcmp(a->values[k].data, b->values[k].data, a->values[k].len),
				    0);
			}
			mp_reg_parse_free(a);
			mp_reg_parse_free(b);
			/* A NUL at that place is refused, naming the line. */
			size_t at =
			    2 + 2 * (strlen("Windows Registry Editor Version 5.00") +
			             2 * strlen(eols[e]) + strlen("[HKEY_CURRENT_USER\\K") + j);
			u16[at] = 0;
			cr_assert_eq(mp_reg_parse_buf(tu_ctx, "t16", u16, l16, NULL, &a),
			             MAPIPROF_FAILED);
			cr_assert(strstr(mapiprof_errmsg(tu_ctx), "line 3: NUL character") != NULL,
			          "%s", mapiprof_errmsg(tu_ctx));
			free(u16);
			free(u8);
		}
	}
}

/* The UTF-16 line scanner takes plain ASCII eight code units at a time and
 * anything else one by one: wherever a line end, a character it must not
 * take in bulk (a '\n' or '\r' byte that is half of another character,
 * U+0A0D, U+0D0A, U+0A00, a tab, U+007F, U+0080, a surrogate pair) or the
 * end of the file falls within those eight units, with CRLF, LF or CR line
 * ends and with or without a final line end, a UTF-16 file reads as its
 * UTF-8 twin; a lone surrogate there is refused, naming its line. */
Test(reg_parse, the_utf16_scanner_reads_every_character_at_every_place_of_a_line)
{
	static const struct special sp[] = {
	    {"U+0A0D", {0x0D, 0x0A}, 2, "\xE0\xA8\x8D"},
	    {"U+0D0A", {0x0A, 0x0D}, 2, "\xE0\xB4\x8A"},
	    {"U+0A00", {0x00, 0x0A}, 2, "\xE0\xA8\x80"},
	    {"tab", {0x09, 0x00}, 2, "\t"},
	    {"U+007F", {0x7F, 0x00}, 2, "\x7F"},
	    {"U+0080", {0x80, 0x00}, 2, "\xC2\x80"},
	    {"U+1F600", {0x3D, 0xD8, 0x00, 0xDE}, 4, "\xF0\x9F\x98\x80"},
	    {"lone U+D800", {0x00, 0xD8}, 2, NULL},
	    {"lone U+DC00", {0x00, 0xDC}, 2, NULL},
	};
	const char *eols[] = {"\r\n", "\n", "\r"};
	for (size_t c = 0; c < sizeof(sp) / sizeof(sp[0]); c++)
		for (size_t j = 0; j < 18; j++)
			for (size_t e = 0; e < 3; e++)
				for (int final = 0; final < 2; final++) {
					char pad[32] = "", text[512];
					memset(pad, 'x', j);
					snprintf(text, sizeof(text),
					         "Windows Registry Editor Version 5.00%s%s"
					         "[HKEY_CURRENT_USER\\K%s]%s\"n%s\"=\"%s~%s\"%s"
					         "\"h\"=hex:%s\\%s  01,02 ;%s%s",
					         eols[e], eols[e], pad, eols[e], pad, pad,
					         pad + j / 2, eols[e], j % 2 ? " " : "", eols[e],
					         pad, final ? eols[e] : "");
					uint8_t *u16 = NULL, *u8 = NULL;
					size_t l16 = 0, l8 = 0;
					encode_special(text, &sp[c], &u16, &l16, &u8, &l8);
					struct mp_reg_file *a = NULL, *b = NULL;
					int ra =
					    mp_reg_parse_buf(tu_ctx, "t16", u16, l16, NULL, &a);
					if (sp[c].u8 == NULL) {
						cr_assert_eq(ra, MAPIPROF_FAILED, "%s j %zu",
						             sp[c].name, j);
						cr_assert_str_eq(
						    mapiprof_errmsg(tu_ctx),
						    "line 4: invalid UTF-16 (unpaired surrogate)",
						    "%s j %zu eol %zu", sp[c].name, j, e);
						free(u16), free(u8);
						continue;
					}
					cr_assert_eq(ra, MAPIPROF_OK, "%s j %zu eol %zu: %s",
					             sp[c].name, j, e, mapiprof_errmsg(tu_ctx));
					cr_assert_eq(
					    mp_reg_parse_buf(tu_ctx, "t8", u8, l8, NULL, &b),
					    MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
					cr_assert_eq(a->nblocks, 1);
					cr_assert_eq(a->nvalues, 2, "%s j %zu eol %zu", sp[c].name,
					             j, e);
					cr_assert_eq(a->nlines, b->nlines);
					cr_assert_eq(a->nlines, 6);
					cr_assert_eq(a->final_newline, final);
					cr_assert_str_eq(a->blocks[0].path, b->blocks[0].path);
					for (size_t k = 0; k < a->nvalues; k++) {
						cr_assert_str_eq(a->values[k].name,
						                 b->values[k].name);
						cr_assert_eq(a->values[k].len, b->values[k].len,
						             "%s j %zu", sp[c].name, j);
						cr_assert_eq(memcmp(a->values[k].data,
						                    b->values[k].data,
						                    a->values[k].len),
						             0, "%s j %zu", sp[c].name, j);
					}
					/* the string holds the character's units, in place */
					const struct mp_reg_value *v = &a->values[0];
					cr_assert_eq(v->len, 2 * (2 * j - j / 2) + sp[c].n16 + 2);
					cr_assert_eq(memcmp(v->data + 2 * j, sp[c].u16, sp[c].n16),
					             0);
					cr_assert_eq(a->values[1].len, 2);
					mp_reg_parse_free(a);
					mp_reg_parse_free(b);
					free(u16), free(u8);
				}
}

/* Hex data in every form around the common "two digits and a comma" one,
 * read eagerly and lazily (where its bytes are only counted until a key's
 * values are asked for): the same bytes, or the same error naming the
 * line. */
Test(reg_parse, hex_data_reads_the_same_in_every_form_eagerly_and_lazily)
{
	static const struct {
		const char *data;
		const char *bytes; /* as "%02x" each; NULL: the error below */
		const char *err;
	} cases[] = {
	    {"hex:01,02,03", "010203", NULL},
	    {"hex:01,02,03,", "010203", NULL},
	    {"hex:1,02,3", "010203", NULL},
	    {"hex:01 ,02", "0102", NULL},
	    {"hex:01, 02,\t03", "010203", NULL},
	    {"hex:ff,FF,aB,", "ffffab", NULL},
	    {"hex:01,02;c", "0102", NULL},
	    {"hex:01,02,\\\r\n  03,04", "01020304", NULL},
	    {"hex:01,02,\\\r\n; note\r\n  03", "010203", NULL},
	    {"hex(7):41,00,00,00", "41000000", NULL},
	    {"hex:", "", NULL},
	    {"hex:01,0g", NULL, "line 3: bad hex data"},
	    {"hex:01,,02", NULL, "line 3: bad hex data"},
	    {"hex:012,03", "1203", NULL},
	    {"hex:01,0102,", NULL, "line 3: hex byte greater than ff"},
	    {"hex:01 02", NULL, "line 3: missing ',' between hex bytes"},
	    {"hex:01,02\\\r\n  03", NULL, "line 3: missing ',' before '\\'"},
	    {"hex:01,\\ x", NULL, "line 3: text after '\\'"},
	    {"hex:01,\\\r\n  zz", NULL, "line 4: bad continuation line in hex data"},
	    {"hex:01,\\\r\n  02,0x", NULL, "line 4: bad hex data"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text), V5 "[HKEY_CURRENT_USER\\Software\\x]\r\n\"a\"=%s\r\n",
		         cases[i].data);
		char *path = tu_tmp_write("hex.reg", text, strlen(text));
		struct mp_reg_file *e = NULL, *l = NULL;
		int re = mp_reg_parse_buf(tu_ctx, "hex.reg", text, strlen(text), NULL, &e);
		char why[512];
		snprintf(why, sizeof(why), "%s", mapiprof_errmsg(tu_ctx));
		int rl = mp_reg_parse_file(tu_ctx, path, NULL, &l);
		if (cases[i].bytes == NULL) {
			cr_assert_eq(re, MAPIPROF_FAILED, "%s", cases[i].data);
			cr_assert_eq(rl, MAPIPROF_FAILED, "%s", cases[i].data);
			cr_assert_str_eq(why, cases[i].err, "%s", cases[i].data);
			cr_assert_str_eq(mapiprof_errmsg(tu_ctx), cases[i].err, "%s",
			                 cases[i].data);
			free(path);
			continue;
		}
		cr_assert_eq(re, MAPIPROF_OK, "%s: %s", cases[i].data, why);
		cr_assert_eq(rl, MAPIPROF_OK, "%s: %s", cases[i].data, mapiprof_errmsg(tu_ctx));
		cr_assert_eq(l->decode(l, tu_ctx, 0), MAPIPROF_OK, "%s", mapiprof_errmsg(tu_ctx));
		const struct mp_reg_value *ve = &e->values[0], *vl = &l->blocks[0].values[0];
		char hex[64] = "";
		for (size_t k = 0; k < ve->len && 2 * k + 2 < sizeof(hex); k++)
			snprintf(hex + 2 * k, 3, "%02x", ve->data[k]);
		cr_assert_str_eq(hex, cases[i].bytes, "%s", cases[i].data);
		cr_assert_eq(vl->len, ve->len);
		cr_assert(ve->len == 0 || memcmp(vl->data, ve->data, ve->len) == 0);
		mp_reg_parse_free(e);
		mp_reg_parse_free(l);
		free(path);
	}
}
