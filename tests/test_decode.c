/* test_decode.c - value names, FILETIME text, and mp_decode_value for every
 * PT_ type, both multi-value layouts (real byte patterns from the hives in
 * fixtures/real), malformed data, secure and non-tag values, plus a
 * random/truncated input sweep. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hex.h"
#include "base/limits.h"
#include "mapi/decode.h"
#include "testutil.h"

enum { R_SZ = 1, R_EXPAND_SZ = 2, R_BIN = 3, R_DWORD = 4, R_MULTI_SZ = 7, R_QWORD = 11 };

/* Hex text (spaces allowed) to malloc'd bytes. */
static uint8_t *
unhex(const char *hex, size_t *n)
{
	size_t cap = strlen(hex) / 2 + 1, len = 0;
	uint8_t *b = malloc(cap);
	cr_assert_not_null(b);
	int hi = -1;
	for (const char *p = hex; *p != '\0'; p++) {
		int v = mp_hex_val(*p);
		if (v < 0)
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			b[len++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	cr_assert_lt(hi, 0, "odd number of hex digits in %s", hex);
	*n = len;
	return b;
}

/* ---- value names ---- */

Test(decode, value_name_swaps_type_and_id)
{
	uint32_t tag = 0;
	int secure = 1;
	cr_assert_eq(mp_parse_value_name("00036604", &tag, &secure), 1);
	cr_assert_eq(tag, 0x66040003u);
	cr_assert_eq(secure, 0);
	cr_assert_eq(mp_parse_value_name("001E6602", &tag, &secure), 1);
	cr_assert_eq(tag, 0x6602001Eu);
	cr_assert_eq(mp_parse_value_name("S01020fff", &tag, &secure), 1);
	cr_assert_eq(tag, 0x0FFF0102u);
	cr_assert_eq(secure, 1);
}

Test(decode, value_name_rejects_non_tags)
{
	static const char *const bad[] = {
	    "",          "0003660",   "000366041",    "0003660g",
	    "S",         "SS0003660", "Account Name", "{ED475418-B0D6-11D2-8C3B-00104B2A6676}",
	    " 00036604", "0x036604"};
	uint32_t tag = 7;
	int secure = 7;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(mp_parse_value_name(bad[i], &tag, &secure), 0, "'%s'", bad[i]);
	cr_assert_eq(mp_parse_value_name(NULL, &tag, &secure), 0);
	cr_assert_eq(tag, 7);
}

/* ---- FILETIME ---- */

Test(decode, filetime_iso_without_and_with_fraction)
{
	char buf[40];
	cr_assert_eq(mp_filetime_iso(0, buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "1601-01-01T00:00:00Z");
	cr_assert_eq(mp_filetime_iso(INT64_C(116444736000000000), buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "1970-01-01T00:00:00Z");
	/* notatin 29c2ccfc.../00400032 */
	cr_assert_eq(mp_filetime_iso(INT64_C(0x01cebee595e82f9c), buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "2013-10-01T20:34:11.2133020Z");
	cr_assert_eq(mp_filetime_iso(INT64_C(2650467743999999999), buf, sizeof(buf)), 0);
	cr_assert_str_eq(buf, "9999-12-31T23:59:59.9999999Z");
}

Test(decode, filetime_iso_refuses_out_of_range_and_short_buffers)
{
	char buf[40];
	cr_assert_eq(mp_filetime_iso(INT64_C(2650467744000000000), buf, sizeof(buf)), -1);
	cr_assert_eq(mp_filetime_iso(INT64_MAX, buf, sizeof(buf)), -1);
	cr_assert_eq(mp_filetime_iso(-1, buf, sizeof(buf)), -1);
	cr_assert_eq(mp_filetime_iso(0, buf, 20), -1);
	cr_assert_eq(mp_filetime_iso(0, buf, 21), 0);
}

Test(decode, type_names)
{
	cr_assert_str_eq(mp_pt_name(0x0003), "PT_LONG");
	cr_assert_str_eq(mp_pt_name(0x1102), "PT_MV_BINARY");
	cr_assert_null(mp_pt_name(0x0045));
	cr_assert_str_eq(mp_reg_type_name(3), "REG_BINARY");
	cr_assert_str_eq(mp_reg_type_name(7), "REG_MULTI_SZ");
	cr_assert_str_eq(mp_reg_type_name(11), "REG_QWORD");
	cr_assert_null(mp_reg_type_name(12));
}

/* ---- the table of decode cases ---- */

struct dcase {
	const char *label;
	const char *vname;
	uint32_t reg;
	const char *hex;
	const char *provider, *role, *codepage;
	enum mapiprof_kind kind;
	int64_t i;
	const char *s;
	const char *name;      /* tag name expected, NULL: none */
	const char *type_name; /* NULL: none expected */
	int secure;
	size_t count;
	const char *strs[3];
	int64_t ints[3];
	size_t blob_len[3];
	size_t blob_off[3]; /* where each blob starts in the value, from its descriptor */
	const char *blob0;  /* hex of blob 0 */
	int width;
	int has_flags;
	size_t nflags;
	const char *flags[3];
	uint32_t unknown;
	const char *error; /* substring of the error, NULL: no error */
};

/* Real bytes, fixtures/real (see README there). */
/* regipy 0ae1fb8e.../101f6627: 64-bit MV_UNICODE, count 1, u64 offset 0x0c */
#define REGIPY_101F6627                                                                            \
	"01000000 0c00000000000000 4f00750074006c006f006f006b00200044006100740061002000460069006c" \
	"0065000000"
/* notatin bc8e9973.../101f6627: 32-bit MV_UNICODE, count 2 */
#define NOTATIN_101F6627                                                                           \
	"02000000 0c000000 30000000 "                                                              \
	"4f00750074006c006f006f006b00200044006100740061002000460069006c"                           \
	"00650000004f00750074006c006f006f006b00200044006100740061002000460069006c0065000000"
/* notatin 54973c79.../101e3d0f: 32-bit MV_STRING8, count 1, u32 offset 8 */
#define NOTATIN_101E3D0F "01000000 08000000 6d737073742e646c6c00"
/* regipy 4dcea1bd.../101e3d0f: 64-bit MV_STRING8 */
#define REGIPY_101E3D0F "01000000 0c00000000000000 636f6e7461622e646c6c00"
/* notatin 9207f3e0.../11023d05: 32-bit MV_BINARY, 8-byte descriptors */
#define NOTATIN_11023D05                                                                           \
	"02000000 44000000 14000000 44000000 58000000"                                             \
	"00000000fe42aa0a18c71a10e8850b651c2400000300000003000000f9f048b3cf4f874287b30190f767ffcf" \
	"000000003a288420f502e34ea0b27c21591b531d42810000"                                         \
	"00000000fe42aa0a18c71a10e8850b651c2400000300000003000000f9f048b3cf4f874287b30190f767ffcf" \
	"000000003a288420f502e34ea0b27c21591b531d42820000"
/* regipy 0a0d0200.../11020434: 64-bit MV_BINARY, count 1, u64 len 0x1BD, u64 offset 0x14 */
#define REGIPY_11020434                                                                            \
	"01000000 bd01000000000000 1400000000000000"                                               \
	"040000000200000000000000da0000008001010100000000180000000000000048f258ba9f0100009a000000" \
	"0000000060f258ba9f01000000000000b7d11f1076138e49a9a251de4cee3caf228000000000000038a1bb10" \
	"05e5101aa1bb08002b2a56c200006d737073742e646c6c00000000004e495441f9bfb80100aa0037d96e0000" \
	"000043003a005c00550073006500720073005c0074006f006e0079005c0044006f00630075006d0065006e00" \
	"740073005c004f00750074006c006f006f006b002000460069006c00650073005c004f00750074006c006f00" \
	"6f006b002e0070007300740000009a0000000000000038a1bb1005e5101aa1bb08002b2a56c200006d737073" \
	"742e646c6c00000000004e495441f9bfb80100aa0037d96e0000000043003a005c0055007300650072007300" \
	"5c0074006f006e0079005c0044006f00630075006d0065006e00740073005c004f00750074006c006f006f00" \
	"6b002000460069006c00650073005c004f00750074006c006f006f006b002e00700073007400000000002c00" \
	"00000200000003000000ffffffffffffffffffffffffffffffff4c0000004c000000ec0500002c0300000000" \
	"00000000000000000000"

static const struct dcase cases[] = {
    /* ---- one case per PT type ---- */
    {.label = "PT_I2 is signed",
     .vname = "00020001",
     .reg = R_BIN,
     .hex = "feff",
     .kind = MAPIPROF_V_INT,
     .i = -2,
     .type_name = "PT_I2"},
    {.label = "PT_LONG with connect flags",
     .vname = "00036604",
     .reg = R_BIN,
     .hex = "02800100",
     .provider = "exchange",
     .role = "global",
     .kind = MAPIPROF_V_INT,
     .i = 0x18002,
     .name = "PR_PROFILE_CONNECT_FLAGS",
     .type_name = "PT_LONG",
     .has_flags = 1,
     .nflags = 2,
     .flags = {"CONNECT_NO_RPC_ENCRYPTION", "CONNECT_IGNORE_NO_PF"},
     .unknown = 0x10000},
    {.label = "PT_LONG is unsigned",
     .vname = "00036619",
     .reg = R_BIN,
     .hex = "ffffffff",
     .provider = "exchange",
     .kind = MAPIPROF_V_INT,
     .i = 0xFFFFFFFF,
     .name = "PR_PROFILE_AUTH_PACKAGE",
     .type_name = "PT_LONG",
     .has_flags = 1,
     .nflags = 1,
     .flags = {"RPC_C_AUTHN_DEFAULT"}},
    {.label = "PT_LONG in REG_DWORD, provider role",
     .vname = "00033009",
     .reg = R_DWORD,
     .hex = "02000000",
     .role = "provider",
     .kind = MAPIPROF_V_INT,
     .i = 2,
     .name = "PR_RESOURCE_FLAGS",
     .type_name = "PT_LONG",
     .has_flags = 1,
     .nflags = 1,
     .flags = {"STATUS_DEFAULT_STORE"}},
    {.label = "PT_LONG without flag table",
     .vname = "0003661b",
     .reg = R_BIN,
     .hex = "201b0000",
     .provider = "exchange",
     .kind = MAPIPROF_V_INT,
     .i = 6944,
     .name = "PR_PROFILE_SERVER_VERSION",
     .type_name = "PT_LONG"},
    {.label = "PT_BOOLEAN",
     .vname = "000b3d18",
     .reg = R_BIN,
     .hex = "0100",
     .kind = MAPIPROF_V_BOOL,
     .i = 1,
     .name = "PR_EMSMDB_LEGACY",
     .type_name = "PT_BOOLEAN"},
    {.label = "PT_BOOLEAN non-zero is 1",
     .vname = "000b3d18",
     .reg = R_BIN,
     .hex = "0002",
     .kind = MAPIPROF_V_BOOL,
     .i = 1,
     .name = "PR_EMSMDB_LEGACY",
     .type_name = "PT_BOOLEAN"},
    {.label = "PT_I8 minimum",
     .vname = "00146686",
     .reg = R_BIN,
     .hex = "0000000000000080",
     .provider = "exchange",
     .kind = MAPIPROF_V_INT,
     .i = INT64_MIN,
     .name = "PR_PROFILE_ADDR_TIMESTAMP",
     .type_name = "PT_I8"},
    {.label = "PT_SYSTIME (notatin 00400032)",
     .vname = "00400032",
     .reg = R_BIN,
     .hex = "9c2fe895e5bece01",
     .kind = MAPIPROF_V_TIME,
     .i = INT64_C(0x01cebee595e82f9c),
     .s = "2013-10-01T20:34:11.2133020Z",
     .type_name = "PT_SYSTIME"},
    {.label = "PT_CLSID (notatin 00486002)",
     .vname = "00486002",
     .reg = R_BIN,
     .hex = "0208490445423b4c896e06e51439ada1",
     .kind = MAPIPROF_V_CLSID,
     .s = "{04490802-4245-4C3B-896E-06E51439ADA1}",
     .type_name = "PT_CLSID"},
    {.label = "PT_BINARY",
     .vname = "01023d0c",
     .reg = R_BIN,
     .hex = "f117552bb18a1a48bf04798a6dabaf05",
     .kind = MAPIPROF_V_BINARY,
     .name = "PR_SERVICE_UID",
     .type_name = "PT_BINARY"},
    {.label = "PT_BINARY empty",
     .vname = "01020fff",
     .reg = R_BIN,
     .hex = "",
     .kind = MAPIPROF_V_BINARY,
     .name = "PR_ENTRYID",
     .type_name = "PT_BINARY"},
    {.label = "PT_UNICODE with NUL",
     .vname = "001f3001",
     .reg = R_BIN,
     .hex = "4f00750074006c006f006f006b000000",
     .kind = MAPIPROF_V_STRING,
     .s = "Outlook",
     .name = "PR_DISPLAY_NAME_W",
     .type_name = "PT_UNICODE"},
    {.label = "PT_UNICODE without NUL",
     .vname = "001f3001",
     .reg = R_BIN,
     .hex = "430061006600e900",
     .kind = MAPIPROF_V_STRING,
     .s = "Caf\xc3\xa9",
     .name = "PR_DISPLAY_NAME_W",
     .type_name = "PT_UNICODE"},
    {.label = "PT_UNICODE empty",
     .vname = "001f3001",
     .reg = R_BIN,
     .hex = "0000",
     .kind = MAPIPROF_V_STRING,
     .s = "",
     .name = "PR_DISPLAY_NAME_W",
     .type_name = "PT_UNICODE"},
    {.label = "PT_UNICODE _W name from the 8-bit row",
     .vname = "001f0270",
     .reg = R_BIN,
     .hex = "78000000",
     .kind = MAPIPROF_V_STRING,
     .s = "x",
     .name = "FormDirectoryPage_W",
     .type_name = "PT_UNICODE"},
    {.label = "PT_STRING8 in REG_SZ",
     .vname = "001e6602",
     .reg = R_SZ,
     .hex = "67006300300031002e0063006f006e0074006f0073006f002e0063006f006d000000",
     .provider = "exchange",
     .kind = MAPIPROF_V_STRING,
     .s = "gc01.contoso.com",
     .name = "PR_PROFILE_HOME_SERVER",
     .type_name = "PT_STRING8"},
    {.label = "PT_STRING8 in REG_SZ, LDAP scope",
     .vname = "001e6602",
     .reg = R_SZ,
     .hex = "78000000",
     .provider = "ldap",
     .kind = MAPIPROF_V_STRING,
     .s = "x",
     .name = "PROP_AB_PROVIDER_USER_NAME",
     .type_name = "PT_STRING8"},
    {.label = "PT_STRING8 in REG_BINARY, windows-1252",
     .vname = "001e3001",
     .reg = R_BIN,
     .hex = "436166e900",
     .kind = MAPIPROF_V_STRING,
     .s = "Caf\xc3\xa9",
     .name = "PR_DISPLAY_NAME",
     .type_name = "PT_STRING8"},
    {.label = "PT_STRING8 in REG_BINARY, CP932 argument",
     .vname = "001e3001",
     .reg = R_BIN,
     .hex = "93fa967b",
     .codepage = "CP932",
     .kind = MAPIPROF_V_STRING,
     .s = "\xe6\x97\xa5\xe6\x9c\xac",
     .name = "PR_DISPLAY_NAME",
     .type_name = "PT_STRING8"},
    {.label = "PT_MV_LONG (notatin 10036621)",
     .vname = "10036621",
     .reg = R_BIN,
     .hex = "0f0104800f010480",
     .provider = "contab",
     .kind = MAPIPROF_V_MV_INT,
     .count = 2,
     .ints = {0x8004010F, 0x8004010F},
     .name = "PR_CONTAB_STORE_SUPPORT_MASKS",
     .type_name = "PT_MV_LONG"},
    {.label = "PT_MV_LONG empty",
     .vname = "10036621",
     .reg = R_BIN,
     .hex = "",
     .provider = "contab",
     .kind = MAPIPROF_V_MV_INT,
     .count = 0,
     .name = "PR_CONTAB_STORE_SUPPORT_MASKS",
     .type_name = "PT_MV_LONG"},
    /* ---- both MV layouts ---- */
    {.label = "PT_MV_STRING8 32-bit (notatin 101e3d0f)",
     .vname = "101e3d0f",
     .reg = R_BIN,
     .hex = NOTATIN_101E3D0F,
     .kind = MAPIPROF_V_MV_STRING,
     .count = 1,
     .strs = {"mspst.dll"},
     .width = 4,
     .name = "PR_SERVICE_SUPPORT_FILES",
     .type_name = "PT_MV_STRING8"},
    {.label = "PT_MV_STRING8 32-bit, two strings (KB example)",
     .vname = "101e3d0f",
     .reg = R_BIN,
     .hex = "02000000 0c000000 16000000 4d494e45542e444c4c00 494e455441422e444c4c00",
     .kind = MAPIPROF_V_MV_STRING,
     .count = 2,
     .strs = {"MINET.DLL", "INETAB.DLL"},
     .width = 4,
     .name = "PR_SERVICE_SUPPORT_FILES",
     .type_name = "PT_MV_STRING8"},
    {.label = "PT_MV_STRING8 64-bit (regipy 101e3d0f)",
     .vname = "101e3d0f",
     .reg = R_BIN,
     .hex = REGIPY_101E3D0F,
     .kind = MAPIPROF_V_MV_STRING,
     .count = 1,
     .strs = {"contab.dll"},
     .width = 8,
     .name = "PR_SERVICE_SUPPORT_FILES",
     .type_name = "PT_MV_STRING8"},
    {.label = "PT_MV_STRING8 empty list",
     .vname = "101e3d0f",
     .reg = R_BIN,
     .hex = "00000000",
     .kind = MAPIPROF_V_MV_STRING,
     .count = 0,
     .width = 4,
     .name = "PR_SERVICE_SUPPORT_FILES",
     .type_name = "PT_MV_STRING8"},
    {.label = "PT_MV_UNICODE 64-bit (regipy 101f6627)",
     .vname = "101f6627",
     .reg = R_BIN,
     .hex = REGIPY_101F6627,
     .provider = "contab",
     .kind = MAPIPROF_V_MV_STRING,
     .count = 1,
     .strs = {"Outlook Data File"},
     .width = 8,
     .type_name = "PT_MV_UNICODE"},
    {.label = "PT_MV_UNICODE 32-bit (notatin 101f6627)",
     .vname = "101f6627",
     .reg = R_BIN,
     .hex = NOTATIN_101F6627,
     .provider = "contab",
     .kind = MAPIPROF_V_MV_STRING,
     .count = 2,
     .strs = {"Outlook Data File", "Outlook Data File"},
     .width = 4,
     .type_name = "PT_MV_UNICODE"},
    {.label = "PT_MV_BINARY 32-bit (notatin 11023d05)",
     .vname = "11023d05",
     .reg = R_BIN,
     .hex = NOTATIN_11023D05,
     .kind = MAPIPROF_V_MV_BINARY,
     .count = 2,
     .blob_len = {0x44, 0x44},
     .blob_off = {0x14, 0x58},
     .blob0 = "00000000fe42aa0a",
     .width = 4,
     .name = "PR_AB_SEARCH_PATH",
     .type_name = "PT_MV_BINARY"},
    {.label = "PT_MV_BINARY 64-bit (regipy 11020434)",
     .vname = "11020434",
     .reg = R_BIN,
     .hex = REGIPY_11020434,
     .kind = MAPIPROF_V_MV_BINARY,
     .count = 1,
     .blob_len = {0x1BD},
     .blob_off = {0x14},
     .blob0 = "04000000020000",
     .width = 8,
     .type_name = "PT_MV_BINARY"},
    {.label = "PT_MV_BINARY 64-bit, zero-length blob",
     .vname = "11023d05",
     .reg = R_BIN,
     .hex = "01000000 0000000000000000 1400000000000000",
     .kind = MAPIPROF_V_MV_BINARY,
     .count = 1,
     .blob_len = {0},
     .blob_off = {0x14},
     .width = 8,
     .name = "PR_AB_SEARCH_PATH",
     .type_name = "PT_MV_BINARY"},
    /* ---- unknown type, secure, non-tag ---- */
    {.label = "unknown PT type is raw without error",
     .vname = "00450001",
     .reg = R_BIN,
     .hex = "0102",
     .kind = MAPIPROF_V_RAW,
     .type_name = "PT_0x0045"},
    {.label = "S prefix is opaque",
     .vname = "S01026700",
     .reg = R_BIN,
     .hex = "01000000d08c",
     .provider = "pst",
     .kind = MAPIPROF_V_OPAQUE,
     .secure = 1,
     .type_name = "PT_BINARY"},
    {.label = "secure ID is opaque",
     .vname = "010267f0",
     .reg = R_BIN,
     .hex = "0102",
     .provider = "exchange",
     .kind = MAPIPROF_V_OPAQUE,
     .secure = 1,
     .name = "PR_PROFILE_SECURE_MAILBOX",
     .type_name = "PT_BINARY"},
    {.label = "secure ID of wrong size is still opaque",
     .vname = "000367ff",
     .reg = R_BIN,
     .hex = "01",
     .provider = "pst",
     .kind = MAPIPROF_V_OPAQUE,
     .secure = 1,
     .name = "PR_PST_PASSWORD",
     .type_name = "PT_LONG"},
    {.label = "non-tag password is opaque",
     .vname = "POP3 Password",
     .reg = R_BIN,
     .hex = "0201000000d08c9ddf0115d1118c7a00c04fc297eb",
     .kind = MAPIPROF_V_OPAQUE,
     .secure = 1},
    {.label = "non-tag PASSWORD in any case",
     .vname = "SMTP PassWord2",
     .reg = R_SZ,
     .hex = "41000000",
     .kind = MAPIPROF_V_OPAQUE,
     .secure = 1},
    {.label = "non-tag REG_SZ",
     .vname = "clsid",
     .reg = R_SZ,
     .hex = "41006200 0000",
     .kind = MAPIPROF_V_STRING,
     .s = "Ab"},
    {.label = "non-tag REG_EXPAND_SZ",
     .vname = "Path",
     .reg = R_EXPAND_SZ,
     .hex = "4100",
     .kind = MAPIPROF_V_STRING,
     .s = "A"},
    {.label = "non-tag REG_BINARY text",
     .vname = "Account Name",
     .reg = R_BIN,
     .hex = "4f00750074006c006f006f006b000000",
     .kind = MAPIPROF_V_STRING,
     .s = "Outlook"},
    {.label = "non-tag REG_BINARY UID stays binary",
     .vname = "Service UID",
     .reg = R_BIN,
     .hex = "f117552bb18a1a48bf04798a6dabaf05",
     .kind = MAPIPROF_V_BINARY},
    {.label = "non-tag REG_BINARY with inner NUL stays binary",
     .vname = "LastChangeVer",
     .reg = R_BIN,
     .hex = "2d04000000000000",
     .kind = MAPIPROF_V_BINARY},
    {.label = "non-tag REG_DWORD unsigned",
     .vname = "Mini UID",
     .reg = R_DWORD,
     .hex = "f5e8a7a9",
     .kind = MAPIPROF_V_INT,
     .i = 0xA9A7E8F5},
    {.label = "non-tag REG_QWORD",
     .vname = "Stamp",
     .reg = R_QWORD,
     .hex = "ffffffffffffffff",
     .kind = MAPIPROF_V_INT,
     .i = -1},
    {.label = "non-tag REG_MULTI_SZ",
     .vname = "List",
     .reg = R_MULTI_SZ,
     .hex = "4100 0000 41006200 0000 0000",
     .kind = MAPIPROF_V_MV_STRING,
     .count = 2,
     .strs = {"A", "Ab"}},
    {.label = "non-tag unknown REG type",
     .vname = "Odd",
     .reg = 0x1234,
     .hex = "01",
     .kind = MAPIPROF_V_RAW},
    /* ---- malformed ---- */
    {.label = "PT_LONG of 3 bytes",
     .vname = "00036604",
     .reg = R_BIN,
     .hex = "020000",
     .provider = "exchange",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_PROFILE_CONNECT_FLAGS",
     .type_name = "PT_LONG",
     .error = "PT_LONG needs 4 bytes, has 3"},
    {.label = "PT_LONG in REG_DWORD of 5 bytes",
     .vname = "00036604",
     .reg = R_DWORD,
     .hex = "0200000000",
     .provider = "exchange",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_PROFILE_CONNECT_FLAGS",
     .type_name = "PT_LONG",
     .error = "PT_LONG needs 4 bytes, has 5"},
    {.label = "PT_BOOLEAN of 4 bytes",
     .vname = "000b3d18",
     .reg = R_BIN,
     .hex = "01000000",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_EMSMDB_LEGACY",
     .type_name = "PT_BOOLEAN",
     .error = "PT_BOOLEAN needs 2 bytes, has 4"},
    {.label = "PT_I2 of 3 bytes",
     .vname = "00020001",
     .reg = R_BIN,
     .hex = "010203",
     .kind = MAPIPROF_V_RAW,
     .type_name = "PT_I2",
     .error = "PT_I2 needs 2 bytes, has 3"},
    {.label = "PT_I8 of 7 bytes",
     .vname = "00146686",
     .reg = R_BIN,
     .hex = "01020304050607",
     .provider = "exchange",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_PROFILE_ADDR_TIMESTAMP",
     .type_name = "PT_I8",
     .error = "PT_I8 needs 8 bytes, has 7"},
    {.label = "PT_SYSTIME of 4 bytes",
     .vname = "00400032",
     .reg = R_BIN,
     .hex = "01020304",
     .kind = MAPIPROF_V_RAW,
     .type_name = "PT_SYSTIME",
     .error = "PT_SYSTIME needs 8 bytes, has 4"},
    {.label = "PT_SYSTIME beyond 9999",
     .vname = "00400032",
     .reg = R_BIN,
     .hex = "ffffffffffffff7f",
     .kind = MAPIPROF_V_RAW,
     .type_name = "PT_SYSTIME",
     .error = "beyond year 9999"},
    {.label = "PT_CLSID of 15 bytes",
     .vname = "00486002",
     .reg = R_BIN,
     .hex = "0208490445423b4c896e06e51439ad",
     .kind = MAPIPROF_V_RAW,
     .type_name = "PT_CLSID",
     .error = "PT_CLSID needs 16 bytes, has 15"},
    {.label = "PT_UNICODE odd length",
     .vname = "001f3001",
     .reg = R_BIN,
     .hex = "410042",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_DISPLAY_NAME_W",
     .type_name = "PT_UNICODE",
     .error = "odd length 3"},
    {.label = "PT_UNICODE embedded NUL",
     .vname = "001f3001",
     .reg = R_BIN,
     .hex = "4100 0000 4200 0000",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_DISPLAY_NAME_W",
     .type_name = "PT_UNICODE",
     .error = "data after the NUL at byte 2"},
    {.label = "PT_UNICODE junk after NUL",
     .vname = "001f3001",
     .reg = R_BIN,
     .hex = "4100 0000 0000",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_DISPLAY_NAME_W",
     .type_name = "PT_UNICODE",
     .error = "data after the NUL at byte 2"},
    {.label = "PT_STRING8 REG_SZ odd length",
     .vname = "001e3001",
     .reg = R_SZ,
     .hex = "410000",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_DISPLAY_NAME",
     .type_name = "PT_STRING8",
     .error = "PT_STRING8 has odd length 3"},
    {.label = "PT_STRING8 bytes with inner NUL",
     .vname = "001e3001",
     .reg = R_BIN,
     .hex = "41004200",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_DISPLAY_NAME",
     .type_name = "PT_STRING8",
     .error = "data after the NUL at byte 1"},
    {.label = "PT_STRING8 unknown code page",
     .vname = "001e3001",
     .reg = R_BIN,
     .hex = "4100",
     .codepage = "NO-SUCH-CODEPAGE",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_DISPLAY_NAME",
     .type_name = "PT_STRING8",
     .error = "NO-SUCH-CODEPAGE"},
    {.label = "PT_MV_LONG of 7 bytes",
     .vname = "10036621",
     .reg = R_BIN,
     .hex = "01000000020000",
     .provider = "contab",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_CONTAB_STORE_SUPPORT_MASKS",
     .type_name = "PT_MV_LONG",
     .error = "length 7 is not a multiple of 4"},
    {.label = "PT_MV_STRING8 shorter than its count",
     .vname = "101e3d0f",
     .reg = R_BIN,
     .hex = "010000",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_SERVICE_SUPPORT_FILES",
     .type_name = "PT_MV_STRING8",
     .error = "needs a 4-byte count, has 3 bytes"},
    {.label = "PT_MV_STRING8 huge count",
     .vname = "101e3d0f",
     .reg = R_BIN,
     .hex = "ffffffff 08000000 4100",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_SERVICE_SUPPORT_FILES",
     .type_name = "PT_MV_STRING8",
     .error = "count 4294967295 is more than 65536"},
    {.label = "PT_MV_STRING8 count does not fit",
     .vname = "101e3d0f",
     .reg = R_BIN,
     .hex = "05000000 18000000 4100",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_SERVICE_SUPPORT_FILES",
     .type_name = "PT_MV_STRING8",
     .error = "count 5 does not fit in 10 bytes"},
    {.label = "PT_MV_STRING8 first offset of neither layout",
     .vname = "101e3d0f",
     .reg = R_BIN,
     .hex = "01000000 09000000 004100",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_SERVICE_SUPPORT_FILES",
     .type_name = "PT_MV_STRING8",
     .error = "matches neither the 32-bit (0x8) nor the 64-bit (0xc) layout"},
    {.label = "PT_MV_STRING8 second offset past the end",
     .vname = "101e3d0f",
     .reg = R_BIN,
     .hex = "02000000 0c000000 00010000 410042 00",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_SERVICE_SUPPORT_FILES",
     .type_name = "PT_MV_STRING8",
     .error = "offset 1 (0x100) is outside 0xc..0x10"},
    {.label = "PT_MV_STRING8 offset into the header",
     .vname = "101e3d0f",
     .reg = R_BIN,
     .hex = "02000000 0c000000 04000000 410042 00",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_SERVICE_SUPPORT_FILES",
     .type_name = "PT_MV_STRING8",
     .error = "offset 1 (0x4) is outside"},
    {.label = "PT_MV_STRING8 unterminated",
     .vname = "101e3d0f",
     .reg = R_BIN,
     .hex = "01000000 08000000 616263",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_SERVICE_SUPPORT_FILES",
     .type_name = "PT_MV_STRING8",
     .error = "string 0 at offset 0x8 is not terminated inside the value"},
    {.label = "PT_MV_UNICODE unterminated odd tail",
     .vname = "101f3d0f",
     .reg = R_BIN,
     .hex = "01000000 08000000 410042",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_SERVICE_SUPPORT_FILES_W",
     .type_name = "PT_MV_UNICODE",
     .error = "not terminated"},
    {.label = "PT_MV_UNICODE overlapping strings",
     .vname = "101f3d0f",
     .reg = R_BIN,
     .hex = "02000000 0c000000 0c000000 41000000",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_SERVICE_SUPPORT_FILES_W",
     .type_name = "PT_MV_UNICODE",
     .error = "strings overlap (string 1)"},
    {.label = "PT_MV_BINARY blob past the end",
     .vname = "11023d05",
     .reg = R_BIN,
     .hex = "01000000 00010000 0c000000 01020304",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_AB_SEARCH_PATH",
     .type_name = "PT_MV_BINARY",
     .error = "value 0 (offset 0xc, length 0x100) lies outside 0xc..0x10"},
    {.label = "PT_MV_BINARY 64-bit huge length",
     .vname = "11023d05",
     .reg = R_BIN,
     .hex = "01000000 ffffffffffffffff 1400000000000000 00",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_AB_SEARCH_PATH",
     .type_name = "PT_MV_BINARY",
     .error = "length 0xffffffffffffffff) lies outside"},
    {.label = "PT_MV_BINARY count does not fit",
     .vname = "11023d05",
     .reg = R_BIN,
     .hex = "02000000 04000000 0c000000",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_AB_SEARCH_PATH",
     .type_name = "PT_MV_BINARY",
     .error = "count 2 does not fit in 12 bytes"},
    {.label = "PT_MV_BINARY offset of neither layout",
     .vname = "11023d05",
     .reg = R_BIN,
     .hex = "01000000 04000000 10000000 01020304",
     .kind = MAPIPROF_V_RAW,
     .name = "PR_AB_SEARCH_PATH",
     .type_name = "PT_MV_BINARY",
     .error = "first offset 0x10 matches neither the 32-bit (0xc) nor the 64-bit (0x14)"},
    {.label = "non-tag REG_DWORD of 3 bytes",
     .vname = "Mini UID",
     .reg = R_DWORD,
     .hex = "010203",
     .kind = MAPIPROF_V_RAW,
     .error = "REG_DWORD needs 4 bytes, has 3"},
    {.label = "non-tag REG_QWORD of 4 bytes",
     .vname = "Stamp",
     .reg = R_QWORD,
     .hex = "01020304",
     .kind = MAPIPROF_V_RAW,
     .error = "REG_QWORD needs 8 bytes, has 4"},
    {.label = "non-tag REG_SZ with junk after NUL",
     .vname = "clsid",
     .reg = R_SZ,
     .hex = "4100 0000 4200",
     .kind = MAPIPROF_V_RAW,
     .error = "REG_SZ has data after the NUL"},
    {.label = "non-tag REG_MULTI_SZ odd",
     .vname = "List",
     .reg = R_MULTI_SZ,
     .hex = "410000",
     .kind = MAPIPROF_V_RAW,
     .error = "REG_MULTI_SZ has odd length 3"},
};

static void
check_strings(const struct dcase *c, const struct mapiprof_prop *p)
{
	cr_assert_eq(p->count, c->count, "%s: count %zu", c->label, p->count);
	for (size_t k = 0; k < c->count && k < 3; k++)
		cr_assert_str_eq(p->strs[k], c->strs[k], "%s: string %zu", c->label, k);
	cr_assert_eq(p->mv_offset_width, c->width, "%s: width %d", c->label, p->mv_offset_width);
}

static void
check_blobs(const struct dcase *c, const struct mapiprof_prop *p)
{
	cr_assert_eq(p->count, c->count, "%s: count %zu", c->label, p->count);
	cr_assert_eq(p->mv_offset_width, c->width, "%s: width %d", c->label, p->mv_offset_width);
	size_t n;
	uint8_t *raw = unhex(c->hex, &n);
	for (size_t k = 0; k < c->count && k < 3; k++) {
		cr_assert_eq(p->blobs[k].len, c->blob_len[k], "%s: blob %zu", c->label, k);
		cr_assert(p->blobs[k].data >= p->data &&
		          p->blobs[k].data + p->blobs[k].len <= p->data + p->len);
		/* Every blob's bytes, not just its length: the value's bytes at
		 * the offset its descriptor gives. */
		cr_assert_leq(c->blob_off[k] + c->blob_len[k], n, "%s: blob %zu", c->label, k);
		cr_assert(p->blobs[k].len == 0 ||
		              memcmp(p->blobs[k].data, raw + c->blob_off[k], p->blobs[k].len) == 0,
		          "%s: blob %zu bytes", c->label, k);
	}
	free(raw);
	if (c->blob0 != NULL) {
		uint8_t *want = unhex(c->blob0, &n);
		cr_assert_geq(p->blobs[0].len, n);
		cr_assert_arr_eq(p->blobs[0].data, want, n, "%s: blob 0 bytes", c->label);
		free(want);
	}
}

static void
check_value(const struct dcase *c, const struct mapiprof_prop *p)
{
	switch (c->kind) {
	case MAPIPROF_V_INT:
	case MAPIPROF_V_BOOL:
		cr_assert_eq(p->i, c->i, "%s: i = %lld", c->label, (long long)p->i);
		break;
	case MAPIPROF_V_TIME:
		cr_assert_eq(p->i, c->i, "%s", c->label);
		cr_assert_str_eq(p->s, c->s, "%s", c->label);
		break;
	case MAPIPROF_V_STRING:
	case MAPIPROF_V_CLSID:
		cr_assert_str_eq(p->s, c->s, "%s", c->label);
		break;
	case MAPIPROF_V_MV_STRING:
		check_strings(c, p);
		break;
	case MAPIPROF_V_MV_INT:
		cr_assert_eq(p->count, c->count, "%s", c->label);
		for (size_t k = 0; k < c->count && k < 3; k++)
			cr_assert_eq(p->ints[k], c->ints[k], "%s: int %zu", c->label, k);
		break;
	case MAPIPROF_V_MV_BINARY:
		check_blobs(c, p);
		break;
	default:
		break;
	}
}

static void
check_case(const struct dcase *c, const struct mapiprof_prop *p, const uint8_t *bytes, size_t n)
{
	cr_assert_eq(p->kind, c->kind, "%s: kind %d, error %s", c->label, p->kind,
	             p->error != NULL ? p->error : "(none)");
	cr_assert_str_eq(p->value_name, c->vname, "%s", c->label);
	cr_assert_eq(p->reg_type, c->reg, "%s", c->label);
	cr_assert_not_null(p->reg_type_name, "%s", c->label);
	cr_assert_eq(p->len, n, "%s", c->label);
	cr_assert_not_null(p->data, "%s", c->label);
	cr_assert(n == 0 || memcmp(p->data, bytes, n) == 0, "%s: raw bytes", c->label);
	cr_assert(p->data != bytes, "%s: data must be a copy", c->label);
	cr_assert_eq(p->secure, c->secure, "%s", c->label);
	if (c->error != NULL) {
		cr_assert_not_null(p->error, "%s: no error", c->label);
		cr_assert_not_null(strstr(p->error, c->error), "%s: error '%s'", c->label,
		                   p->error);
	} else {
		cr_assert_null(p->error, "%s: unexpected error '%s'", c->label, p->error);
	}
	if (c->name != NULL)
		cr_assert_str_eq(p->name != NULL ? p->name : "(null)", c->name, "%s", c->label);
	else
		cr_assert_null(p->name, "%s: name %s", c->label, p->name);
	if (c->type_name != NULL)
		cr_assert_str_eq(p->type_name, c->type_name, "%s", c->label);
	else
		cr_assert_null(p->type_name, "%s", c->label);
	cr_assert_eq(p->is_tag, c->type_name != NULL, "%s", c->label);
	cr_assert_eq(p->has_flags, c->has_flags, "%s", c->label);
	cr_assert_eq(p->nflags, c->nflags, "%s: %zu flags", c->label, p->nflags);
	for (size_t k = 0; k < c->nflags; k++)
		cr_assert_str_eq(p->flags[k], c->flags[k], "%s", c->label);
	cr_assert_eq(p->unknown_bits, c->unknown, "%s", c->label);
	check_value(c, p);
}

ParameterizedTestParameters(decode, value_decodes_as_expected)
{
	return tu_index_params(sizeof(cases) / sizeof(cases[0]));
}

/* Decodes case c and checks every field it states. */
static void
run_case(const struct dcase *c)
{
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	struct mp_arena a = {0};
	struct mp_scope scope = {c->provider, c->role};
	struct mapiprof_prop p;
	size_t n;
	uint8_t *bytes = unhex(c->hex, &n);
	cr_assert_eq(mp_decode_value(ctx, &a, &scope, c->codepage, c->vname, c->reg, bytes, n, &p),
	             MAPIPROF_OK, "%s", c->label);
	check_case(c, &p, bytes, n);
	cr_assert_eq(mapiprof_errcode(ctx), MAPIPROF_E_NONE, "%s: ctx error %s", c->label,
	             mapiprof_errmsg(ctx));
	free(bytes);
	mp_arena_free(&a);
	mapiprof_ctx_free(ctx);
}

static void
run_labelled(const char *label)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (strcmp(cases[i].label, label) == 0) {
			run_case(&cases[i]);
			return;
		}
	}
	cr_assert_fail("no case '%s'", label);
}

ParameterizedTest(size_t *i, decode, value_decodes_as_expected)
{
	run_case(&cases[*i]);
}

/* The layout cases of the table again, under names that say what they prove. */
Test(decode, mv_string8_detects_32bit_offsets)
{
	run_labelled("PT_MV_STRING8 32-bit (notatin 101e3d0f)");
	run_labelled("PT_MV_STRING8 32-bit, two strings (KB example)");
}

Test(decode, mv_string8_detects_64bit_offsets)
{
	run_labelled("PT_MV_STRING8 64-bit (regipy 101e3d0f)");
}

Test(decode, mv_unicode_detects_32bit_offsets)
{
	run_labelled("PT_MV_UNICODE 32-bit (notatin 101f6627)");
}

Test(decode, mv_unicode_detects_64bit_offsets)
{
	run_labelled("PT_MV_UNICODE 64-bit (regipy 101f6627)");
}

Test(decode, mv_binary_detects_8byte_descriptors)
{
	run_labelled("PT_MV_BINARY 32-bit (notatin 11023d05)");
}

Test(decode, mv_binary_detects_16byte_descriptors)
{
	run_labelled("PT_MV_BINARY 64-bit (regipy 11020434)");
	run_labelled("PT_MV_BINARY 64-bit, zero-length blob");
}

Test(decode, malformed_lengths_become_raw_with_a_reason)
{
	run_labelled("PT_LONG of 3 bytes");
	run_labelled("PT_BOOLEAN of 4 bytes");
	run_labelled("PT_UNICODE odd length");
	run_labelled("PT_MV_BINARY blob past the end");
}

Test(decode, secure_values_are_never_decoded)
{
	run_labelled("S prefix is opaque");
	run_labelled("secure ID is opaque");
	run_labelled("non-tag password is opaque");
}

Test(decode, unknown_reg_type_gets_a_hex_name)
{
	struct mp_arena a = {0};
	struct mapiprof_prop p;
	cr_assert_eq(
	    mp_decode_value(NULL, &a, NULL, NULL, "Odd", 0x1234, (const uint8_t *)"x", 1, &p),
	    MAPIPROF_OK);
	cr_assert_str_eq(p.reg_type_name, "REG_0x1234");
	cr_assert_eq(p.kind, MAPIPROF_V_RAW);
	mp_arena_free(&a);
}

Test(decode, codepage_defaults_to_the_context)
{
	struct mapiprof_ctx *ctx = mapiprof_ctx_new();
	cr_assert_eq(mapiprof_ctx_set_codepage(ctx, "CP932"), MAPIPROF_OK);
	struct mp_arena a = {0};
	struct mapiprof_prop p;
	static const uint8_t sjis[] = {0x93, 0xfa, 0x96, 0x7b};
	cr_assert_eq(mp_decode_value(ctx, &a, NULL, NULL, "001e3001", R_BIN, sjis, 4, &p),
	             MAPIPROF_OK);
	cr_assert_eq(p.kind, MAPIPROF_V_STRING);
	cr_assert_str_eq(p.s, "\xe6\x97\xa5\xe6\x9c\xac");
	mp_arena_free(&a);
	mapiprof_ctx_free(ctx);
}

Test(decode, value_over_the_cap_is_raw_with_error)
{
	size_t n = (size_t)MP_MAX_VALUE_LEN + 1;
	uint8_t *big = calloc(n, 1);
	cr_assert_not_null(big);
	struct mp_arena a = {0};
	struct mapiprof_prop p;
	cr_assert_eq(mp_decode_value(NULL, &a, NULL, NULL, "01023d0c", R_BIN, big, n, &p),
	             MAPIPROF_OK);
	cr_assert_eq(p.kind, MAPIPROF_V_RAW);
	cr_assert_not_null(strstr(p.error, "over the"));
	cr_assert_eq(p.len, n);
	cr_assert_str_eq(p.name, "PR_SERVICE_UID");
	free(big);
	mp_arena_free(&a);
}

/* ---- random and truncated input ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 32);
}

struct fuzz_target {
	const char *vname;
	uint32_t reg;
	const char *seed; /* a valid value to truncate, hex */
};

static const struct fuzz_target targets[] = {
    {"00020001", R_BIN, "feff"},
    {"00036604", R_BIN, "02800100"},
    {"00036604", R_DWORD, "02800100"},
    {"000b3d18", R_BIN, "0100"},
    {"00146686", R_BIN, "0000000000000080"},
    {"00400032", R_BIN, "9c2fe895e5bece01"},
    {"00486002", R_BIN, "0208490445423b4c896e06e51439ada1"},
    {"01023d0c", R_BIN, "f117552bb18a1a48bf04798a6dabaf05"},
    {"001f3001", R_BIN, "4f00750074006c006f006f006b000000"},
    {"001e3001", R_SZ, "4f00750074006c006f006f006b000000"},
    {"001e3001", R_BIN, "436166e900"},
    {"10036621", R_BIN, "0f0104800f010480"},
    {"101e3d0f", R_BIN, NOTATIN_101E3D0F},
    {"101e3d0f", R_BIN, REGIPY_101E3D0F},
    {"101f6627", R_BIN, REGIPY_101F6627},
    {"101f6627", R_BIN, NOTATIN_101F6627},
    {"11023d05", R_BIN, NOTATIN_11023D05},
    {"11020434", R_BIN, REGIPY_11020434},
    {"00450001", R_BIN, "0102"},
    {"Account Name", R_SZ, "4f00750074006c006f006f006b000000"},
    {"Account Name", R_BIN, "4f00750074006c006f006f006b000000"},
    {"List", R_MULTI_SZ, "4100 0000 41006200 0000 0000"},
    {"Mini UID", R_DWORD, "f5e8a7a9"},
    {"Stamp", R_QWORD, "ffffffffffffffff"},
};

/* The outcome is always either a decoded value or RAW with an error (RAW
 * without error only for types mapiprof does not decode). */
static void
check_sane(const struct fuzz_target *t, const uint8_t *b, size_t n)
{
	struct mp_arena a = {0};
	struct mapiprof_prop p;
	struct mp_scope scope = {"exchange", "provider"};
	cr_assert_eq(mp_decode_value(NULL, &a, &scope, NULL, t->vname, t->reg, b, n, &p),
	             MAPIPROF_OK);
	cr_assert_eq(p.len, n);
	cr_assert(n == 0 || memcmp(p.data, b, n) == 0);
	uint32_t tag;
	int decodable = mp_parse_value_name(t->vname, &tag, NULL)
	                    ? mp_pt_name((uint16_t)(tag & 0xFFFF)) != NULL
	                    : t->reg <= R_DWORD || t->reg == R_MULTI_SZ || t->reg == R_QWORD;
	if (p.kind == MAPIPROF_V_RAW)
		cr_assert(p.error != NULL || !decodable, "%s: RAW without error", t->vname);
	else
		cr_assert_null(p.error, "%s: error %s on kind %d", t->vname, p.error, p.kind);
	cr_assert_leq(p.count, MP_MAX_MV_COUNT);
	if (p.kind == MAPIPROF_V_STRING || p.kind == MAPIPROF_V_CLSID || p.kind == MAPIPROF_V_TIME)
		cr_assert_not_null(p.s);
	for (size_t k = 0; p.kind == MAPIPROF_V_MV_STRING && k < p.count; k++)
		cr_assert_not_null(p.strs[k]);
	for (size_t k = 0; p.kind == MAPIPROF_V_MV_BINARY && k < p.count; k++)
		cr_assert(p.blobs[k].data >= p.data &&
		          p.blobs[k].len <= (size_t)(p.data + p.len - p.blobs[k].data));
	mp_arena_free(&a);
}

Test(decode, truncated_values_are_decoded_or_raw_with_error)
{
	for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
		size_t n;
		uint8_t *seed = unhex(targets[t].seed, &n);
		for (size_t len = 0; len <= n; len++) {
			/* exact-size heap copy so ASan sees any overread */
			uint8_t *b = malloc(len ? len : 1);
			memcpy(b, seed, len);
			check_sane(&targets[t], b, len);
			free(b);
		}
		free(seed);
	}
}

/* Random bytes, and random MV headers that look plausible: counts 0..4 and
 * first offsets of either layout, so the checks behind detection run. */
static void
fill_random(uint8_t *b, size_t len, int structured)
{
	for (size_t k = 0; k < len; k++)
		b[k] = (uint8_t)rnd();
	if (!structured || len < 4)
		return;
	uint32_t count = rnd() % 5, mult = (rnd() % 3 == 0) ? 4 : (rnd() % 2 ? 8 : 16);
	uint32_t first = 4 + mult * count;
	b[0] = (uint8_t)count;
	b[1] = b[2] = b[3] = 0;
	size_t at = (mult == 16) ? 12 : (mult == 8 && rnd() % 2) ? 8 : 4;
	for (size_t k = 0; k < 8 && at + k < len; k++)
		b[at + k] = (uint8_t)(k < 4 ? first >> (8 * k) : 0);
}

Test(decode, random_values_are_decoded_or_raw_with_error)
{
	for (int round = 0; round < 400; round++) {
		for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
			size_t len = rnd() % 72;
			uint8_t *b = malloc(len ? len : 1);
			fill_random(b, len, round % 2);
			check_sane(&targets[t], b, len);
			free(b);
		}
	}
}
